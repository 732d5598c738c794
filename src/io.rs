//! Writing (and, later, reading) embeddings in word2vec's formats.
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
use std::io::{BufWriter, Write};
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
/// malformed file is an error naming the row.
pub fn read_word2vec(path: &Path) -> Result<crate::model::Embeddings> {
    let data = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    parse_word2vec(&data).map_err(|e| Error::format(format!("`{}`: {e}", path.display())))
}

/// Parse word2vec binary or text from bytes (see [`read_word2vec`]).
pub fn parse_word2vec(data: &[u8]) -> std::result::Result<crate::model::Embeddings, String> {
    let nl = data
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no header line `V D`")?;
    let header = std::str::from_utf8(&data[..nl]).map_err(|_| "header is not text")?;
    let mut it = header.split_whitespace();
    let (Some(v), Some(d), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("header must be `V D`, got {header:?}"));
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
        ));
    }
    // Every size below is at most a small multiple of `v` and `dim`, so
    // bounding `v` by the data's length (and `dim` by MAX_DIM) rules out overflow.
    if v > data.len() {
        return Err(format!(
            "header `{v} {dim}` does not fit in a file of {} bytes: truncated or not word2vec",
            data.len()
        ));
    }
    let body = &data[nl + 1..];
    // Text if the first row, after its word, is numbers and a newline.
    let first_space = body.iter().position(|&b| b == b' ').unwrap_or(body.len());
    let rest = &body[(first_space + 1).min(body.len())..];
    // (A text value takes at most a few dozen characters; look no further.)
    let window = &rest[..rest.len().min(64 * dim + 64)];
    let line = &window[..window
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(window.len())];
    let text = line.len() < window.len()
        && line
            .iter()
            .all(|&b| b.is_ascii_digit() || b"+-.eE \t\rinfaINFA".contains(&b))
        && line.iter().any(u8::is_ascii_digit);
    // Sizes are checked against the data before allocating.
    let min_row = if text { 2 * dim + 1 } else { 4 * dim + 1 }; // no overflow: dim <= MAX_DIM
    if v.checked_mul(min_row).is_none_or(|n| n > body.len()) {
        return Err(format!(
            "{v} words x {dim} floats do not fit in {} bytes: truncated?",
            body.len()
        ));
    }
    let mut words: Vec<(Box<str>, u64)> = Vec::with_capacity(v);
    // v * min_row <= body.len() (checked above), so v * dim fits.
    let mut matrix = Vec::with_capacity(v * dim);
    let mut pos = 0usize;
    for row in 0..v {
        while pos < body.len() && body[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let end = body[pos..].iter().position(|&b| b == b' ').map(|i| pos + i);
        let end = end.ok_or_else(|| format!("row {}: truncated before the word ended", row + 1))?;
        let word = std::str::from_utf8(&body[pos..end])
            .map_err(|_| format!("row {}: the word is not valid UTF-8", row + 1))?;
        if word.is_empty() {
            return Err(format!("row {}: empty word", row + 1));
        }
        words.push((word.into(), (v - row) as u64));
        pos = end + 1;
        if text {
            let line_end = body[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body.len(), |i| pos + i);
            let line = std::str::from_utf8(&body[pos..line_end])
                .map_err(|_| format!("row {}: not text", row + 1))?;
            let before = matrix.len();
            for tok in line.split_ascii_whitespace() {
                let x: f32 = tok
                    .parse()
                    .map_err(|_| format!("row {}: bad number {tok:?}", row + 1))?;
                matrix.push(x);
            }
            if matrix.len() - before != dim {
                return Err(format!(
                    "row {}: {} values, expected {dim}",
                    row + 1,
                    matrix.len() - before
                ));
            }
            pos = line_end;
        } else {
            let bytes = body
                .get(pos..pos + 4 * dim)
                .ok_or_else(|| format!("row {}: truncated inside the vector", row + 1))?;
            matrix.extend(
                bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            pos += 4 * dim;
        }
    }
    // Word order is the file's; counts are synthetic (descending) to keep it.
    let vocab = crate::vocab::Vocab::from_ordered(words).map_err(|e| e.to_string())?;
    crate::model::Embeddings::new(vocab, dim, matrix).map_err(|e| e.to_string())
}
