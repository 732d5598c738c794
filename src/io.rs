//! Reading and writing embeddings in word2vec's formats.
//!
//! * **binary**: a header line `V D\n`, then per word: the word, a space, `D`
//!   little-endian `f32`, and `\n` (exactly what word2vec.c writes).
//! * **text**: a header line `V D\n`, then per word: the word and a space, each
//!   value as `%lf` (6 decimals) followed by a space, then `\n` (word2vec.c's
//!   `-binary 0` output, trailing space included).
//!
//! Every writer goes through [`write_atomically`]: output goes to a temporary
//! file beside the target and is renamed over it only when complete, so a
//! failure never leaves a truncated or corrupt file behind.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Format of a vectors file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// word2vec binary.
    Binary,
    /// word2vec text.
    Text,
    /// The native format, opened by `mmap` (see [`crate::native`]).
    Native,
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// `bin`, `text` or `native` (also `binary`, `txt`, `vec`).
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bin" | "binary" => Ok(Format::Binary),
            "text" | "txt" | "vec" => Ok(Format::Text),
            "native" => Ok(Format::Native),
            _ => Err(Error::invalid(format!(
                "unknown format `{s}`: expected bin, text or native"
            ))),
        }
    }
}

/// Write a file through `write`, atomically: a temporary file in the same
/// directory is renamed over `path` only after `write` succeeded and the data
/// was flushed.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        Error::invalid(format!("output path `{}` has no file name", path.display()))
    })?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let ctx = |what: &str| format!("cannot {what} `{}`", path.display());
    let result = (|| -> Result<()> {
        let f = File::create(&tmp).map_err(|e| Error::io(ctx("create"), e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        write(&mut w).map_err(|e| Error::io(ctx("write"), e))?;
        let f = w
            .into_inner()
            .map_err(|e| Error::io(ctx("write"), e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(ctx("write"), e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(ctx("replace"), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Write `words` with their rows of `matrix` (row `i` is
/// `matrix[i * stride .. i * stride + dim]`) in `format`.
///
/// `format` must be [`Format::Binary`] or [`Format::Text`].
pub fn write_word2vec(
    path: &Path,
    format: Format,
    words: &[&str],
    dim: usize,
    stride: usize,
    matrix: &[f32],
) -> Result<()> {
    if format == Format::Native {
        return Err(Error::invalid(
            "write_word2vec writes bin or text; use Embeddings::save for native",
        ));
    }
    let needed = match words.len() {
        0 => Some(0),
        n => (n - 1).checked_mul(stride).and_then(|x| x.checked_add(dim)),
    };
    if dim > stride || needed.is_none_or(|n| n > matrix.len()) {
        return Err(Error::invalid(
            "write_word2vec: the matrix is smaller than words x stride",
        ));
    }
    write_atomically(path, |w| {
        writeln!(w, "{} {}", words.len(), dim)?;
        let mut line = Vec::with_capacity(dim * 12 + 64);
        for (i, word) in words.iter().enumerate() {
            let row = &matrix[i * stride..i * stride + dim];
            line.clear();
            line.extend_from_slice(word.as_bytes());
            line.push(b' ');
            match format {
                Format::Binary => {
                    for &x in row {
                        line.extend_from_slice(&x.to_le_bytes());
                    }
                }
                Format::Text | Format::Native => {
                    for &x in row {
                        write!(line, "{x:.6} ")?;
                    }
                }
            }
            line.push(b'\n');
            w.write_all(&line)?;
        }
        Ok(())
    })
}

/// Read a word2vec file, binary or text (detected from the first row).
/// Accepts binary rows with or without the trailing newline (gensim and the
/// GoogleNews vectors omit it). Every length is checked: a truncated or
/// malformed file is an error naming the row. The file is streamed: memory
/// holds the words and the matrix, not the file as well.
pub fn read_word2vec(path: &Path) -> Result<crate::model::Embeddings> {
    let file =
        File::open(path).map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    read_word2vec_from(BufReader::with_capacity(1 << 16, file), path)
}

/// [`read_word2vec`] from an open file (`path` names it in errors). A
/// regular file is streamed; a pipe or device, which has no length to check
/// the header against, is read whole first.
pub(crate) fn read_word2vec_from(
    mut reader: BufReader<File>,
    path: &Path,
) -> Result<crate::model::Embeddings> {
    let ctx = || format!("cannot read `{}`", path.display());
    let fail = |e| match e {
        Fail::Io(e) => Error::io(ctx(), e),
        Fail::Bad(m) => Error::format(format!("`{}`: {m}", path.display())),
    };
    let meta = reader
        .get_ref()
        .metadata()
        .map_err(|e| Error::io(ctx(), e))?;
    if !meta.is_file() {
        let mut data = Vec::new();
        reader
            .read_to_end(&mut data)
            .map_err(|e| Error::io(ctx(), e))?;
        return parse_stream(&data[..], data.len() as u64).map_err(fail);
    }
    parse_stream(reader, meta.len()).map_err(fail)
}

/// Parse word2vec binary or text from bytes (see [`read_word2vec`]).
pub fn parse_word2vec(data: &[u8]) -> std::result::Result<crate::model::Embeddings, String> {
    parse_stream(data, data.len() as u64).map_err(|e| match e {
        Fail::Io(e) => e.to_string(),
        Fail::Bad(m) => m,
    })
}

/// Why a parse failed: the reader, or the data.
enum Fail {
    Io(std::io::Error),
    Bad(String),
}

impl From<String> for Fail {
    fn from(m: String) -> Fail {
        Fail::Bad(m)
    }
}

impl From<&str> for Fail {
    fn from(m: &str) -> Fail {
        Fail::Bad(m.to_string())
    }
}

/// The longest word accepted (bytes).
const MAX_WORD: u64 = 1 << 20;

/// Read up to and including `delim`, at most `limit` bytes, into `buf`
/// (cleared first). Returns whether `delim` ended it.
fn read_to<R: BufRead>(
    r: &mut R,
    delim: u8,
    limit: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<bool> {
    buf.clear();
    r.by_ref().take(limit).read_until(delim, buf)?;
    Ok(buf.last() == Some(&delim))
}

/// Consume ASCII whitespace.
fn skip_whitespace<R: BufRead>(r: &mut R) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let all = n == buf.len();
        r.consume(n);
        if !all {
            return Ok(());
        }
    }
}

/// The parser behind [`read_word2vec`] and [`parse_word2vec`]: `len` is the
/// input's total size in bytes (checked against the header before anything
/// is allocated).
fn parse_stream<R: BufRead>(
    mut r: R,
    len: u64,
) -> std::result::Result<crate::model::Embeddings, Fail> {
    let mut line = Vec::new();
    if !read_to(&mut r, b'\n', 4096, &mut line).map_err(Fail::Io)? {
        return Err("no header line `V D`".into());
    }
    let header_len = line.len() as u64;
    let header = std::str::from_utf8(&line[..line.len() - 1]).map_err(|_| "header is not text")?;
    let mut it = header.split_whitespace();
    let (Some(v), Some(d), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("header must be `V D`, got {header:?}").into());
    };
    let v: usize = v
        .parse()
        .map_err(|_| format!("bad vocabulary size {v:?}"))?;
    let dim: usize = d.parse().map_err(|_| format!("bad dimension {d:?}"))?;
    if dim == 0 {
        return Err("dimension is zero".into());
    }
    if dim > crate::model::MAX_DIM {
        return Err(format!(
            "dimension {dim} is larger than w2v's limit of {}",
            crate::model::MAX_DIM
        )
        .into());
    }
    // Every size below is at most a small multiple of `v` and `dim`, so
    // bounding `v` by the input's length (and `dim` by MAX_DIM) rules out overflow.
    if v as u64 > len {
        return Err(format!(
            "header `{v} {dim}` does not fit in a file of {len} bytes: truncated or not word2vec"
        )
        .into());
    }
    let body_len = len - header_len;
    // Text if the first row, after its word, is numbers and a newline. (A
    // text value takes at most a few dozen characters; look no further.)
    let mut word = Vec::new();
    read_to(&mut r, b' ', MAX_WORD + 1, &mut word).map_err(Fail::Io)?;
    let mut window = Vec::new();
    r.by_ref()
        .take(64 * dim as u64 + 64)
        .read_to_end(&mut window)
        .map_err(Fail::Io)?;
    let first_line = &window[..window
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(window.len())];
    let text = first_line.len() < window.len()
        && first_line
            .iter()
            .all(|&b| b.is_ascii_digit() || b"+-.eE \t\rinfaINFA".contains(&b))
        && first_line.iter().any(u8::is_ascii_digit);
    // Sizes are checked against the input before allocating.
    let min_row = if text { 2 * dim + 1 } else { 4 * dim + 1 }; // no overflow: dim <= MAX_DIM
    if v.checked_mul(min_row).is_none_or(|n| n as u64 > body_len) {
        return Err(
            format!("{v} words x {dim} floats do not fit in {body_len} bytes: truncated?").into(),
        );
    }
    // The bytes read to decide, then the rest.
    let mut r = (&word[..]).chain(&window[..]).chain(r);
    let mut words: Vec<(Box<str>, u64)> = Vec::with_capacity(v);
    // v * min_row <= body_len (checked above), so v * dim fits.
    let mut matrix = Vec::with_capacity(v * dim);
    let mut vector = vec![0u8; if text { 0 } else { 4 * dim }];
    let longest_line = 256 * dim as u64 + 4096;
    for row in 1..=v {
        skip_whitespace(&mut r).map_err(Fail::Io)?;
        if !read_to(&mut r, b' ', MAX_WORD + 1, &mut line).map_err(Fail::Io)? {
            return Err(if line.len() as u64 > MAX_WORD {
                format!("row {row}: a word longer than {MAX_WORD} bytes")
            } else {
                format!("row {row}: truncated before the word ended")
            }
            .into());
        }
        let w = std::str::from_utf8(&line[..line.len() - 1])
            .map_err(|_| format!("row {row}: the word is not valid UTF-8"))?;
        if w.is_empty() {
            return Err(format!("row {row}: empty word").into());
        }
        words.push((w.into(), (v + 1 - row) as u64));
        if text {
            let ended = read_to(&mut r, b'\n', longest_line, &mut line).map_err(Fail::Io)?;
            if !ended && line.len() as u64 >= longest_line {
                return Err(format!("row {row}: longer than {longest_line} bytes").into());
            }
            let values = if ended {
                &line[..line.len() - 1]
            } else {
                &line[..]
            };
            let values = std::str::from_utf8(values).map_err(|_| format!("row {row}: not text"))?;
            let before = matrix.len();
            for tok in values.split_ascii_whitespace() {
                let x: f32 = tok
                    .parse()
                    .map_err(|_| format!("row {row}: bad number {tok:?}"))?;
                matrix.push(x);
            }
            if matrix.len() - before != dim {
                return Err(format!(
                    "row {row}: {} values, expected {dim}",
                    matrix.len() - before
                )
                .into());
            }
        } else {
            r.read_exact(&mut vector).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    Fail::Bad(format!("row {row}: truncated inside the vector"))
                }
                _ => Fail::Io(e),
            })?;
            matrix.extend(
                vector
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
    }
    // Word order is the file's; counts are synthetic (descending) to keep it.
    let vocab = crate::vocab::Vocab::from_ordered(words).map_err(|e| e.to_string())?;
    crate::model::Embeddings::new(vocab, dim, matrix).map_err(|e| Fail::Bad(e.to_string()))
}
