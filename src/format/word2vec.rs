//! word2vec's formats: what word2vec.c, gensim and fastText read and write.
//!
//! * **binary**: a header line `V D\n`, then per word: the word, a space, `D`
//!   little-endian `f32`, and `\n` (exactly what word2vec.c writes; gensim and
//!   the GoogleNews vectors omit the `\n`, which the reader accepts).
//! * **text**: a header line `V D\n`, then per word: the word and a space, each
//!   value as `%lf` (6 decimals) followed by a space, then `\n` (word2vec.c's
//!   `-binary 0` output, trailing space included).
//!
//! The reader returns plain parts ([`Word2vec`]: words in file order, the
//! dimension, the rows); the writer takes them. Writes are atomic
//! ([`super::atomic`]).

use super::atomic::write_atomically;
use super::{Format, MAX_DIM};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The contents of a word2vec file.
#[derive(Debug, Clone, Default)]
pub struct Word2vec {
    /// The words, in file order.
    pub words: Vec<Box<str>>,
    /// Vector dimension.
    pub dim: usize,
    /// `words.len() x dim` floats, row-major.
    pub matrix: Vec<f32>,
}

/// Write `words` with their rows of `matrix` (row `i` is
/// `matrix[i * stride .. i * stride + dim]`) in `format`, to `path`,
/// atomically.
///
/// `format` must be [`Format::Binary`] or [`Format::Text`].
pub fn write(
    path: &Path,
    format: Format,
    words: &[&str],
    dim: usize,
    stride: usize,
    matrix: &[f32],
) -> Result<()> {
    check_parts(format, words, dim, stride, matrix)?;
    write_atomically(path, |w| write_rows(w, format, words, dim, stride, matrix))
}

/// [`write`](fn@write) to a stream (standard output, a pipe): not atomic, so the
/// reader sees a partial file if the writer fails.
pub fn write_to(
    w: &mut dyn Write,
    format: Format,
    words: &[&str],
    dim: usize,
    stride: usize,
    matrix: &[f32],
) -> Result<()> {
    check_parts(format, words, dim, stride, matrix)?;
    write_rows(w, format, words, dim, stride, matrix)
        .and_then(|()| w.flush())
        .map_err(|e| Error::io("cannot write the vectors", e))
}

fn check_parts(
    format: Format,
    words: &[&str],
    dim: usize,
    stride: usize,
    matrix: &[f32],
) -> Result<()> {
    if format == Format::Native {
        return Err(Error::invalid(
            "word2vec::write writes bin or text; native files are written by format::native",
        ));
    }
    let needed = match words.len() {
        0 => Some(0),
        n => (n - 1).checked_mul(stride).and_then(|x| x.checked_add(dim)),
    };
    if dim > stride || needed.is_none_or(|n| n > matrix.len()) {
        return Err(Error::invalid(
            "word2vec::write: the matrix is smaller than words x stride",
        ));
    }
    Ok(())
}

fn write_rows(
    w: &mut dyn Write,
    format: Format,
    words: &[&str],
    dim: usize,
    stride: usize,
    matrix: &[f32],
) -> std::io::Result<()> {
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
}

/// Read a word2vec file, binary or text (detected from the first row).
/// Accepts binary rows with or without the trailing newline. Every length is
/// checked: a truncated or malformed file is an error naming the row. The
/// file is streamed: memory holds the words and the matrix, not the file as
/// well.
pub fn read(path: &Path) -> Result<Word2vec> {
    let file =
        File::open(path).map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    read_from(BufReader::with_capacity(1 << 16, file), path)
}

/// [`read`] from an open file (`path` names it in errors). A regular file is
/// streamed; a pipe or device, which has no length to check the header
/// against, is read whole first.
pub fn read_from(mut reader: BufReader<File>, path: &Path) -> Result<Word2vec> {
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

/// Parse word2vec binary or text from bytes (see [`read`]). Errors are
/// [`ErrorKind::Format`](crate::ErrorKind::Format).
pub fn parse(data: &[u8]) -> Result<Word2vec> {
    parse_stream(data, data.len() as u64).map_err(|e| match e {
        Fail::Io(e) => Error::format(e.to_string()),
        Fail::Bad(m) => Error::format(m),
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

/// Whether `line` is exactly `n` numbers as text, separated by whitespace.
fn are_numbers(line: &[u8], n: usize) -> bool {
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let mut count = 0;
    for t in line.split_ascii_whitespace() {
        if t.parse::<f32>().is_err() {
            return false;
        }
        count += 1;
    }
    count == n
}

/// The parser behind [`read`] and [`parse`]: `len` is the input's total size
/// in bytes (checked against the header before anything is allocated).
fn parse_stream<R: BufRead>(mut r: R, len: u64) -> std::result::Result<Word2vec, Fail> {
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
    if dim > MAX_DIM {
        return Err(format!("dimension {dim} is larger than w2v's limit of {MAX_DIM}").into());
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
    // A digit is needed, or else exactly `dim` numbers: a text row of only
    // non-finite values (`NaN`, `inf`, `-inf`, as the writer prints them)
    // has no digit, and was taken for binary.
    let text = first_line.len() < window.len()
        && first_line
            .iter()
            .all(|&b| b.is_ascii_digit() || b"+-.eE \t\rinfaINFA".contains(&b))
        && (first_line.iter().any(u8::is_ascii_digit) || are_numbers(first_line, dim));
    // Sizes are checked against the input before allocating.
    let min_row = if text { 2 * dim + 1 } else { 4 * dim + 1 }; // no overflow: dim <= MAX_DIM
    if v.checked_mul(min_row).is_none_or(|n| n as u64 > body_len) {
        return Err(
            format!("{v} words x {dim} floats do not fit in {body_len} bytes: truncated?").into(),
        );
    }
    // The bytes read to decide, then the rest.
    let mut r = (&word[..]).chain(&window[..]).chain(r);
    let mut words: Vec<Box<str>> = Vec::with_capacity(v);
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
        words.push(w.into());
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
    Ok(Word2vec { words, dim, matrix })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Found by the word2vec fuzz target (fuzz/corpus/word2vec/found-nan-row):
    // a model whose first row is all NaN or infinite, saved as text
    // (`w NaN`), was read back as binary (the row has no digit): its
    // dimension-1 row "NaN " became the float 1.7e-19, other dimensions an
    // error.
    #[test]
    fn a_text_row_of_non_finite_values_reads_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.txt");
        let cases: [(&[f32], usize); 4] = [
            (&[f32::NAN], 1),
            (&[f32::INFINITY, f32::NEG_INFINITY], 2),
            (&[f32::NAN, f32::NAN, f32::INFINITY, 1.5], 2),
            (&[f32::NEG_INFINITY, 0.25, 2.0], 3),
        ];
        for (matrix, dim) in cases {
            let words: Vec<String> = (0..matrix.len() / dim).map(|i| format!("w{i}")).collect();
            let words: Vec<&str> = words.iter().map(|w| &**w).collect();
            write(&path, Format::Text, &words, dim, dim, matrix).unwrap();
            let back = read(&path).unwrap();
            assert_eq!(back.dim, dim);
            assert_eq!(back.words.len(), words.len());
            let bits = |m: &[f32]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&back.matrix), bits(matrix), "{matrix:?}");
        }
        // The same bytes with a digit-free row of another length stay binary.
        let binary = parse(b"1 1\nw \xff\xff\xff\xff\n").unwrap();
        assert_eq!(binary.matrix[0].to_bits(), u32::MAX);
        let inf_bytes = parse(b"1 2\nw inf \x00\x00\x80\x3f\n").unwrap();
        assert_eq!(inf_bytes.matrix[1], 1.0);
    }
}
