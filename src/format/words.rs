//! A word list as two sections: `ends` (`u64` per word: where it ends in
//! `words`) and `words` (the UTF-8 bytes, concatenated). The native model,
//! the count file and the checkpoint all store their vocabulary so.

use crate::error::{Error, Result};

/// The two sections of `words`: each word's end, and the bytes.
pub fn to_sections<W: AsRef<str>>(words: &[W]) -> (Vec<u64>, Vec<u8>) {
    let mut ends = Vec::with_capacity(words.len());
    let mut blob = Vec::new();
    for w in words {
        blob.extend_from_slice(w.as_ref().as_bytes());
        ends.push(blob.len() as u64);
    }
    (ends, blob)
}

/// The words of the two sections, each non-empty UTF-8 within `blob`; the
/// error names the first word that is not.
pub fn from_sections(ends: &[u64], blob: &[u8]) -> Result<Vec<Box<str>>> {
    let mut words = Vec::with_capacity(ends.len());
    let mut start = 0usize;
    for (i, &e) in ends.iter().enumerate() {
        let word = usize::try_from(e)
            .ok()
            .filter(|&e| e > start && e <= blob.len())
            .and_then(|e| std::str::from_utf8(&blob[start..e]).ok().map(|w| (w, e)));
        let Some((w, e)) = word else {
            return Err(Error::format(format!(
                "word {i} has bad bounds or is not UTF-8"
            )));
        };
        words.push(Box::<str>::from(w));
        start = e;
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_bad_bounds_are_named() {
        let (ends, blob) = to_sections(&["a", "naïve", "日本"]);
        assert_eq!(ends, [1, 7, 13]);
        let back = from_sections(&ends, &blob).unwrap();
        assert_eq!(
            back.iter().map(|w| &**w).collect::<Vec<_>>(),
            ["a", "naïve", "日本"]
        );
        for bad in [
            vec![1, 1, 13],
            vec![1, 7, 14],
            vec![1, 4, 13],
            vec![0, 7, 13],
        ] {
            let e = from_sections(&bad, &blob).unwrap_err().to_string();
            assert!(e.contains("has bad bounds or is not UTF-8"), "{bad:?}: {e}");
        }
    }
}
