//! The vocabulary: counting a corpus's words, pruning, sorting; and the
//! subsampling rule that decides which of its tokens are seen.
//!
//! Counting streams the corpus once. With `max_vocab`, the table is pruned as
//! it grows, as word2vec.c does: whenever it holds more than `2 * max_vocab`
//! distinct words (at least 1,000,000), every word seen at most `k` times is
//! dropped and `k` grows by one, so memory stays bounded however large the
//! corpus. At the end, words below `min_count` are dropped, the rest sorted
//! by count (descending, ties by byte order, so the order is deterministic)
//! and cut to `max_vocab`.

use super::corpus::{Corpus, Token, TokenStream};
use super::sentences::{SentenceSource, SentenceTokens};
use crate::error::{Error, ErrorKind, Result};
use rustc_hash::FxHashMap;
use std::path::Path;

/// Distinct words held while counting before pruning, when `max_vocab` is unset
/// (word2vec.c prunes at 21 million).
const DEFAULT_PRUNE_AT: usize = 30_000_000;

/// Distinct words held while counting before pruning: twice `max_vocab`
/// (at least 1,000,000), or [`DEFAULT_PRUNE_AT`].
fn prune_at(max_vocab: Option<usize>) -> usize {
    max_vocab.map_or(DEFAULT_PRUNE_AT, |m| (2 * m).max(1_000_000))
}

/// A sorted vocabulary: index 0 is the most frequent word.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    words: Vec<Box<str>>,
    counts: Vec<u64>,
    index: FxHashMap<Box<[u8]>, u32>,
    /// Tokens over `MAX_TOKEN_BYTES` skipped while counting.
    skipped_long: u64,
}

impl Vocab {
    /// Build from `(word, count)` pairs: drops words below `min_count`, sorts by
    /// count (descending, ties by bytes) and keeps at most `max_vocab`.
    pub fn from_counts(
        counts: impl IntoIterator<Item = (Box<str>, u64)>,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> Vocab {
        let mut pairs: Vec<(Box<str>, u64)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count.max(1))
            .collect();
        pairs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max) = max_vocab {
            pairs.truncate(max);
        }
        let mut index = FxHashMap::default();
        index.reserve(pairs.len());
        for (i, (w, _)) in pairs.iter().enumerate() {
            index.insert(Box::<[u8]>::from(w.as_bytes()), i as u32);
        }
        let (words, counts) = pairs.into_iter().unzip();
        Vocab {
            words,
            counts,
            index,
            skipped_long: 0,
        }
    }

    /// Count the words of `corpus` (one streaming pass). Fails on I/O errors and
    /// on a word that is not valid UTF-8 (with its byte offset).
    pub fn count(corpus: &Corpus, min_count: u64, max_vocab: Option<usize>) -> Result<Vocab> {
        Vocab::count_pruning_at(corpus, min_count, max_vocab, prune_at(max_vocab))
    }

    /// Count the words of `source`'s sentences (one pass), as [`Vocab::count`]
    /// counts the text with one sentence per line.
    pub fn count_sentences(
        source: &dyn SentenceSource,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> Result<Vocab> {
        let name = source.name();
        let mut tokens = SentenceTokens::new(source.pass()?, name.clone());
        Vocab::count_stream(
            &mut tokens,
            &name,
            min_count,
            max_vocab,
            prune_at(max_vocab),
        )
    }

    /// [`Vocab::count`] with an explicit pruning threshold (distinct words held).
    fn count_pruning_at(
        corpus: &Corpus,
        min_count: u64,
        max_vocab: Option<usize>,
        prune_at: usize,
    ) -> Result<Vocab> {
        let len = corpus.len()?;
        let mut reader = corpus.reader(0, len)?;
        Vocab::count_stream(&mut reader, &corpus.name(), min_count, max_vocab, prune_at)
    }

    /// Count the words of one pass of `tokens`; `name` names them in messages.
    fn count_stream(
        tokens: &mut impl TokenStream,
        name: &str,
        min_count: u64,
        max_vocab: Option<usize>,
        prune_at: usize,
    ) -> Result<Vocab> {
        let mut table: FxHashMap<Box<[u8]>, u64> = FxHashMap::default();
        let mut prune_below = 1u64;
        while let Some(tok) = tokens.next_token()? {
            let Token::Word(w) = tok else { continue };
            if let Some(c) = table.get_mut(w) {
                *c += 1;
                continue;
            }
            if std::str::from_utf8(w).is_err() {
                return Err(Error::format(format!(
                    "corpus `{name}` is not valid UTF-8: the word {:?} is not",
                    String::from_utf8_lossy(w)
                )));
            }
            table.insert(w.into(), 1);
            if table.len() > prune_at {
                // Drop the rarest words until at most half the limit remain.
                // The threshold only grows, as word2vec.c's `min_reduce` does.
                while table.len() > prune_at / 2 {
                    table.retain(|_, c| *c > prune_below);
                    prune_below += 1;
                }
            }
        }
        let skipped_long = tokens.skipped_long();
        let mut vocab = Vocab::from_counts(
            table.into_iter().map(|(w, c)| {
                // Checked above when first inserted.
                let s = String::from_utf8(w.into_vec()).unwrap_or_default();
                (s.into_boxed_str(), c)
            }),
            min_count,
            max_vocab,
        );
        vocab.skipped_long = skipped_long;
        Ok(vocab)
    }

    /// Tokens longer than [`MAX_TOKEN_BYTES`](super::corpus::MAX_TOKEN_BYTES)
    /// that counting skipped (0 for a vocabulary read from a file).
    pub fn skipped_long(&self) -> u64 {
        self.skipped_long
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The index of `word`, if present.
    #[inline]
    pub fn get(&self, word: &[u8]) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The word at `i`.
    pub fn word(&self, i: usize) -> &str {
        &self.words[i]
    }

    /// All words, most frequent first.
    pub fn words(&self) -> &[Box<str>] {
        &self.words
    }

    /// The count of word `i`.
    pub fn count_of(&self, i: usize) -> u64 {
        self.counts[i]
    }

    /// All counts, aligned with [`Vocab::words`].
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Sum of all counts: the number of corpus words in the vocabulary.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The words and their counts, in index order (to build a model).
    pub fn into_parts(self) -> (Vec<Box<str>>, Vec<u64>) {
        (self.words, self.counts)
    }

    /// Write `word count` lines (word2vec.c's `-save-vocab` format), atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::format::vocab::write(path, &self.words, &self.counts)
    }

    /// Read `word count` lines (word2vec.c's `-read-vocab` format), then apply
    /// `min_count` and `max_vocab` as counting would.
    pub fn read(path: &Path, min_count: u64, max_vocab: Option<usize>) -> Result<Vocab> {
        let pairs = crate::format::vocab::read(path)?;
        let vocab = Vocab::from_counts(pairs, min_count, max_vocab);
        if vocab.is_empty() {
            return Err(Error::new(
                ErrorKind::Empty,
                format!(
                    "vocabulary `{}` has no word with count >= {min_count}",
                    path.display()
                ),
            ));
        }
        Ok(vocab)
    }
}

/// Per-word keep thresholds for frequent-word subsampling, as `u32`
/// fractions of 2^32 (compare with a uniform `u32`). word2vec.c's formula:
/// `keep = (sqrt(c / (s T)) + 1) (s T) / c` for count `c`, threshold `s` and
/// `T` corpus words (the sum of `counts`). `sample <= 0` keeps every word.
pub fn keep_thresholds(counts: &[u64], sample: f64) -> Vec<u32> {
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|&c| {
            if sample <= 0.0 {
                return u32::MAX;
            }
            let st = sample * total as f64;
            let keep = ((c as f64 / st).sqrt() + 1.0) * st / c as f64;
            if keep >= 1.0 {
                u32::MAX
            } else {
                (keep * 4294967296.0) as u32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zipf-like text: word `wN` appears about `1000 / (N + 1)` times.
    fn zipf_corpus(distinct: usize) -> Corpus {
        let mut text = String::new();
        for n in 0..distinct {
            for _ in 0..(1000 / (n + 1)).max(1) {
                text.push_str(&format!("w{n} "));
            }
        }
        Corpus::bytes(text.into_bytes())
    }

    #[test]
    fn pruning_bounds_memory_and_keeps_the_frequent_words() {
        let corpus = zipf_corpus(5000);
        let full = Vocab::count(&corpus, 1, None).unwrap();
        assert_eq!(full.len(), 5000);
        // Prune whenever more than 2000 distinct words are held.
        let pruned = Vocab::count_pruning_at(&corpus, 1, Some(100), 2000).unwrap();
        assert_eq!(pruned.len(), 100);
        assert_eq!(pruned.word(0), "w0");
        assert_eq!(pruned.count_of(0), 1000);
        // The 100 most frequent words survive pruning with exact counts.
        for i in 0..100 {
            assert_eq!(pruned.word(i), full.word(i));
            assert_eq!(pruned.count_of(i), full.count_of(i));
        }
    }

    #[test]
    fn vocabulary_file_round_trip() {
        let v = Vocab::count(&zipf_corpus(50), 3, None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vocab.txt");
        v.save(&path).unwrap();
        let r = Vocab::read(&path, 3, None).unwrap();
        assert_eq!(r.words(), v.words());
        assert_eq!(r.counts(), v.counts());
        let top10 = Vocab::read(&path, 1, Some(10)).unwrap();
        assert_eq!(top10.len(), 10);
        std::fs::write(&path, "word notanumber\n").unwrap();
        let err = Vocab::read(&path, 1, None).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn subsampling_thresholds_follow_word2vec() {
        let counts = [1_000_000u64, 10];
        let t = keep_thresholds(&counts, 1e-3);
        let st = 1e-3 * 1_000_010.0;
        let keep_a = ((1e6f64 / st).sqrt() + 1.0) * st / 1e6;
        assert!((t[0] as f64 / 4294967296.0 - keep_a).abs() < 1e-6);
        assert_eq!(t[1], u32::MAX);
        assert!(keep_thresholds(&counts, 0.0).iter().all(|&k| k == u32::MAX));
    }
}
