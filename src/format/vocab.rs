//! Vocabulary files: one `word count` line per word, most frequent first
//! (word2vec.c's `-save-vocab` and `-read-vocab` format).

use super::atomic::write_atomically;
use crate::error::{Error, Result};
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
/// without a count, or with a word holding whitespace, is an error naming
/// the line.
pub fn read(path: &Path) -> Result<Vec<(Box<str>, u64)>> {
    let f = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("cannot open vocabulary `{}`", path.display()), e))?;
    let mut pairs = Vec::new();
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| {
            Error::io(
                format!("cannot read vocabulary `{}` line {}", path.display(), n + 1),
                e,
            )
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
        pairs.push((Box::<str>::from(word), count));
    }
    Ok(pairs)
}
