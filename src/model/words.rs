//! The word table of a model held in memory: words in index order, their
//! counts, and a hash index from a word's bytes to its row.

use crate::error::{Error, Result};

/// An ASCII control byte (`\0` to `\x1f`, `\x7f`): never part of a word.
pub(crate) fn is_control(b: u8) -> bool {
    b < b' ' || b == 0x7f
}
use rustc_hash::FxHashMap;

/// Words, counts and the index of an in-memory model.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordTable {
    words: Vec<Box<str>>,
    counts: Vec<u64>,
    index: FxHashMap<Box<[u8]>, u32>,
}

impl WordTable {
    /// A table of `words` (in index order) with one count each. Fails on a
    /// duplicate word or a length mismatch.
    pub(crate) fn new(words: Vec<Box<str>>, counts: Vec<u64>) -> Result<WordTable> {
        if words.len() != counts.len() {
            return Err(Error::invalid(format!(
                "{} words but {} counts",
                words.len(),
                counts.len()
            )));
        }
        if words.len() >= u32::MAX as usize {
            return Err(Error::invalid(format!(
                "{} words: a model holds fewer than 2^32",
                words.len()
            )));
        }
        let mut index = FxHashMap::default();
        index.reserve(words.len());
        for (i, w) in words.iter().enumerate() {
            if let Some(b) = w.bytes().find(|&b| is_control(b)) {
                return Err(Error::format(format!(
                    "the word {w:?} holds the control byte {b:#04x}: words are separated by control bytes, never hold one"
                )));
            }
            if index
                .insert(Box::<[u8]>::from(w.as_bytes()), i as u32)
                .is_some()
            {
                return Err(Error::format(format!("the word {w:?} appears twice")));
            }
        }
        Ok(WordTable {
            words,
            counts,
            index,
        })
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// Word `i`, if in range.
    pub(crate) fn word(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(|w| &**w)
    }

    /// The count of word `i`, if in range.
    pub(crate) fn count(&self, i: usize) -> Option<u64> {
        self.counts.get(i).copied()
    }

    /// The index of `word`.
    pub(crate) fn get(&self, word: &[u8]) -> Option<usize> {
        self.index.get(word).map(|&i| i as usize)
    }
}
