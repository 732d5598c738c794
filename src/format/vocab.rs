//! Vocabulary files: one `word count` line per word, most frequent first
//! (word2vec.c's `-save-vocab` and `-read-vocab` format).

use super::atomic::write_atomically;
use crate::error::{Error, Result};
use rustc_hash::FxHashMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// Write one `word count` line per word, atomically.
pub fn write(path: &Path, words: &[Box<str>], counts: &[u64]) -> Result<()> {
    if words.len() != counts.len() {
        return Err(Error::invalid(format!(
            "{} words but {} counts",
            words.len(),
            counts.len()
        )));
    }
    write_atomically(path, |w| {
        for (word, count) in words.iter().zip(counts) {
            writeln!(w, "{word} {count}")?;
        }
        Ok(())
    })
}

/// Read `word count` lines in file order (blank lines skipped). A line
/// without a count, with a word holding whitespace or a control byte, that
/// is not UTF-8, or that repeats an earlier line's word is a format error
/// naming the line
/// (a repeated word would be two rows of one word, which no model can hold:
/// it is refused here, before any counting or training starts).
pub fn read(path: &Path) -> Result<Vec<(Box<str>, u64)>> {
    let f = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("cannot open vocabulary `{}`", path.display()), e))?;
    let mut pairs = Vec::new();
    let mut seen: FxHashMap<Box<str>, usize> = FxHashMap::default();
    for (n, line) in std::io::BufReader::new(f).split(b'\n').enumerate() {
        let line = line.map_err(|e| {
            Error::io(
                format!("cannot read vocabulary `{}` line {}", path.display(), n + 1),
                e,
            )
        })?;
        let line = std::str::from_utf8(&line).map_err(|_| {
            Error::format(format!(
                "vocabulary `{}` line {}: not UTF-8",
                path.display(),
                n + 1
            ))
        })?;
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            Error::format(format!(
                "vocabulary `{}` line {}: expected `word count`, got {line:?}",
                path.display(),
                n + 1
            ))
        };
        let (word, count) = line.rsplit_once(' ').ok_or_else(bad)?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if word.is_empty() || word.contains(|c: char| c.is_whitespace() || c.is_ascii_control()) {
            return Err(bad());
        }
        if let Some(first) = seen.insert(word.into(), n + 1) {
            return Err(Error::format(format!(
                "vocabulary `{}` line {}: the word {word:?} is already on line {first}",
                path.display(),
                n + 1
            )));
        }
        pairs.push((Box::<str>::from(word), count));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn read_bytes(bytes: &[u8]) -> Result<Vec<(Box<str>, u64)>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vocab.txt");
        std::fs::write(&path, bytes).unwrap();
        read(&path)
    }

    // Found by the vocab fuzz target (its seed fuzz/corpus/vocab/duplicate):
    // a repeated word was read as two entries, and `Vocab::read` then held
    // one word at two indices, only one of which `get` finds.
    #[test]
    fn a_repeated_word_is_a_format_error_naming_both_lines() {
        let e = read_bytes(b"a 2\nb 2\na 1\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        let m = e.to_string();
        assert!(m.contains("line 3") && m.contains("line 1"), "{m}");
    }

    // Found by the vocab fuzz target (its seed fuzz/corpus/vocab/not-utf8):
    // a line that is not UTF-8 was an I/O error ("stream did not contain
    // valid UTF-8"), as if the disk had failed, instead of a format error
    // naming the line.
    #[test]
    fn a_line_that_is_not_utf8_is_a_format_error_naming_it() {
        let e = read_bytes(b"ok 2\n\xff\xfe 1\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        assert!(e.to_string().contains("line 2"), "{e}");
        let pairs = read_bytes("caf\u{e9} 3\r\n\n".as_bytes()).unwrap();
        assert_eq!(pairs, [(Box::from("caf\u{e9}"), 3)]);
    }
}
