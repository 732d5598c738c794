//! The vocabulary: counting, pruning, sorting; subsampling; the negative
//! sampler; the Huffman tree for hierarchical softmax.
//!
//! Counting streams the corpus once. With `max_vocab`, the table is pruned as
//! it grows, as word2vec.c does: whenever it holds more than `2 * max_vocab`
//! distinct words (at least 1,000,000), every word seen at most `k` times is
//! dropped and `k` grows by one, so memory stays bounded however large the
//! corpus. At the end, words below `min_count` are dropped, the rest sorted
//! by count (descending, ties by byte order, so the order is deterministic)
//! and cut to `max_vocab`.

use crate::corpus::{Corpus, Token};
use crate::error::{Error, ErrorKind, Result};
use rustc_hash::FxHashMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// Distinct words held while counting before pruning, when `max_vocab` is unset
/// (word2vec.c prunes at 21 million).
const DEFAULT_PRUNE_AT: usize = 30_000_000;

/// A sorted vocabulary: index 0 is the most frequent word.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    words: Vec<Box<str>>,
    counts: Vec<u64>,
    index: FxHashMap<Box<[u8]>, u32>,
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
        }
    }

    /// A vocabulary in the given order (as read from a vectors file). Fails on
    /// a duplicate word.
    pub fn from_ordered(pairs: Vec<(Box<str>, u64)>) -> Result<Vocab> {
        let mut index = FxHashMap::default();
        index.reserve(pairs.len());
        for (i, (w, _)) in pairs.iter().enumerate() {
            if index
                .insert(Box::<[u8]>::from(w.as_bytes()), i as u32)
                .is_some()
            {
                return Err(Error::format(format!("the word {w:?} appears twice")));
            }
        }
        let (words, counts) = pairs.into_iter().unzip();
        Ok(Vocab {
            words,
            counts,
            index,
        })
    }

    /// Count the words of `corpus` (one streaming pass). Fails on I/O errors and
    /// on a word that is not valid UTF-8 (with its byte offset).
    pub fn count(corpus: &Corpus, min_count: u64, max_vocab: Option<usize>) -> Result<Vocab> {
        let prune_at = max_vocab.map_or(DEFAULT_PRUNE_AT, |m| (2 * m).max(1_000_000));
        Vocab::count_pruning_at(corpus, min_count, max_vocab, prune_at)
    }

    /// [`Vocab::count`] with an explicit pruning threshold (distinct words held).
    fn count_pruning_at(
        corpus: &Corpus,
        min_count: u64,
        max_vocab: Option<usize>,
        prune_at: usize,
    ) -> Result<Vocab> {
        let mut table: FxHashMap<Box<[u8]>, u64> = FxHashMap::default();
        let mut prune_below = 1u64;
        let len = corpus.len()?;
        let mut reader = corpus.reader(0, len)?;
        while let Some(tok) = reader.next_token()? {
            let Token::Word(w) = tok else { continue };
            if let Some(c) = table.get_mut(w) {
                *c += 1;
                continue;
            }
            if std::str::from_utf8(w).is_err() {
                return Err(Error::format(format!(
                    "corpus `{}` is not valid UTF-8: the word {:?} is not",
                    corpus.name(),
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
        let vocab = Vocab::from_counts(
            table.into_iter().map(|(w, c)| {
                // Checked above when first inserted.
                let s = String::from_utf8(w.into_vec()).unwrap_or_default();
                (s.into_boxed_str(), c)
            }),
            min_count,
            max_vocab,
        );
        Ok(vocab)
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

    /// Write `word count` lines (word2vec.c's `-save-vocab` format).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomically(path, |w| {
            for (word, count) in self.words.iter().zip(&self.counts) {
                writeln!(w, "{word} {count}")?;
            }
            Ok(())
        })
    }

    /// Read `word count` lines (word2vec.c's `-read-vocab` format), then apply
    /// `min_count` and `max_vocab` as counting would.
    pub fn read(path: &Path, min_count: u64, max_vocab: Option<usize>) -> Result<Vocab> {
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
            if word.is_empty() || word.contains(char::is_whitespace) {
                return Err(bad());
            }
            pairs.push((Box::<str>::from(word), count));
        }
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

    /// Per-word keep thresholds for frequent-word subsampling, as `u32`
    /// fractions of 2^32 (compare with a uniform `u32`). word2vec.c's formula:
    /// `keep = (sqrt(c / (s T)) + 1) (s T) / c` for count `c`, threshold `s` and
    /// `T` corpus words. `sample <= 0` keeps every word.
    pub fn keep_thresholds(&self, sample: f64) -> Vec<u32> {
        let total = self.total() as f64;
        self.counts
            .iter()
            .map(|&c| {
                if sample <= 0.0 {
                    return u32::MAX;
                }
                let st = sample * total;
                let keep = ((c as f64 / st).sqrt() + 1.0) * st / c as f64;
                if keep >= 1.0 {
                    u32::MAX
                } else {
                    (keep * 4294967296.0) as u32
                }
            })
            .collect()
    }
}

/// Draws word indices from the unigram distribution raised to a power
/// (0.75 for negative sampling) in O(1) per draw with Walker's alias method:
/// 8 bytes per word instead of word2vec.c's 100-million-entry (400 MB) table.
#[derive(Debug, Clone)]
pub struct AliasSampler {
    /// Per bucket: the probability (as a u32 fraction) of keeping the bucket's own index.
    prob: Vec<u32>,
    /// Per bucket: the index returned otherwise.
    alias: Vec<u32>,
}

impl AliasSampler {
    /// A sampler over `counts[i]^power`. Words with count 0 are never drawn.
    /// Returns `None` if no count is positive.
    pub fn new(counts: &[u64], power: f64) -> Option<AliasSampler> {
        let n = counts.len();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let total: f64 = weights.iter().sum();
        if n == 0 || total <= 0.0 {
            return None;
        }
        // Vose's algorithm on scaled weights (mean 1).
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = (scaled[s] * 4294967296.0).min(4294967295.0) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep their own index with probability 1.
        Some(AliasSampler { prob, alias })
    }

    /// Draw an index from 64 random bits.
    #[inline(always)]
    pub fn sample(&self, random: u64) -> u32 {
        let n = self.prob.len() as u64;
        let bucket = ((random >> 32) * n) >> 32;
        // SAFETY-free bounds: `bucket < n` because `(random >> 32) < 2^32`.
        let b = bucket as usize;
        if (random as u32) < self.prob[b] {
            b as u32
        } else {
            self.alias[b]
        }
    }

    /// Number of indices.
    pub fn len(&self) -> usize {
        self.prob.len()
    }

    /// Whether there are no indices.
    pub fn is_empty(&self) -> bool {
        self.prob.is_empty()
    }
}

/// Huffman codes and paths for hierarchical softmax (word2vec.c's
/// `CreateBinaryTree`). Word `i` has code bits `codes[offsets[i]..offsets[i+1]]`
/// and inner-node indices `points[...]` in `0..len-1`.
#[derive(Debug, Clone)]
pub struct Huffman {
    offsets: Vec<u32>,
    codes: Vec<u8>,
    points: Vec<u32>,
}

impl Huffman {
    /// Build from counts sorted descending (as [`Vocab`] holds them).
    pub fn new(counts: &[u64]) -> Huffman {
        let v = counts.len();
        if v < 2 {
            // One word: no inner node; a path of length zero.
            return Huffman {
                offsets: vec![0; v + 1],
                codes: Vec::new(),
                points: Vec::new(),
            };
        }
        let mut count: Vec<u64> = Vec::with_capacity(2 * v);
        count.extend_from_slice(counts);
        count.resize(2 * v, u64::MAX / 4);
        let mut binary = vec![0u8; 2 * v];
        let mut parent = vec![0usize; 2 * v];
        let (mut pos1, mut pos2) = (v as isize - 1, v);
        let pick = |count: &Vec<u64>, pos1: &mut isize, pos2: &mut usize| -> usize {
            if *pos1 >= 0 && count[*pos1 as usize] < count[*pos2] {
                *pos1 -= 1;
                (*pos1 + 1) as usize
            } else {
                *pos2 += 1;
                *pos2 - 1
            }
        };
        for a in 0..v - 1 {
            let min1 = pick(&count, &mut pos1, &mut pos2);
            let min2 = pick(&count, &mut pos1, &mut pos2);
            count[v + a] = count[min1] + count[min2];
            parent[min1] = v + a;
            parent[min2] = v + a;
            binary[min2] = 1;
        }
        let root = 2 * v - 2;
        let mut offsets = Vec::with_capacity(v + 1);
        let mut codes = Vec::new();
        let mut points = Vec::new();
        let (mut code_buf, mut point_buf) = (Vec::new(), Vec::new());
        for a in 0..v {
            code_buf.clear();
            point_buf.clear();
            let mut b = a;
            while b != root {
                code_buf.push(binary[b]);
                point_buf.push(b);
                b = parent[b];
            }
            offsets.push(codes.len() as u32);
            // Root first: points are the inner nodes from the root down.
            let depth = code_buf.len();
            for i in (0..depth).rev() {
                codes.push(code_buf[i]);
                let p = if i + 1 < depth {
                    point_buf[i + 1]
                } else {
                    root
                };
                points.push((p - v) as u32);
            }
        }
        offsets.push(codes.len() as u32);
        Huffman {
            offsets,
            codes,
            points,
        }
    }

    /// The code bits and inner-node indices of word `i`.
    #[inline]
    pub fn path(&self, i: usize) -> (&[u8], &[u32]) {
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        (&self.codes[a..b], &self.points[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_sampler_matches_distribution() {
        let counts = [1000u64, 300, 50, 7, 0, 1];
        let s = AliasSampler::new(&counts, 0.75).unwrap();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(0.75)).collect();
        let total: f64 = weights.iter().sum();
        let mut hist = [0u64; 6];
        let mut x = 0x1234_5678_9abc_def0u64;
        let draws = 2_000_000;
        for _ in 0..draws {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            hist[s.sample(x) as usize] += 1;
        }
        assert_eq!(hist[4], 0, "count 0 is never drawn");
        for i in 0..6 {
            let p = weights[i] / total;
            let got = hist[i] as f64 / draws as f64;
            assert!((got - p).abs() < 0.002 + 0.01 * p, "word {i}: {got} vs {p}");
        }
    }

    #[test]
    fn huffman_codes_are_prefix_free_and_frequent_words_short() {
        let counts = [50u64, 20, 10, 10, 5, 3, 1, 1];
        let h = Huffman::new(&counts);
        let codes: Vec<Vec<u8>> = (0..counts.len()).map(|i| h.path(i).0.to_vec()).collect();
        for i in 0..codes.len() {
            assert!(!codes[i].is_empty());
            for j in 0..codes.len() {
                if i != j {
                    assert!(!codes[j].starts_with(&codes[i]), "{i} is a prefix of {j}");
                }
            }
            for &p in h.path(i).1 {
                assert!((p as usize) < counts.len() - 1);
            }
            // Every path starts at the root (the last inner node).
            assert_eq!(h.path(i).1[0] as usize, counts.len() - 2);
        }
        assert!(codes[0].len() <= codes[7].len());
        // Kraft equality for a full binary tree.
        let kraft: f64 = codes.iter().map(|c| 0.5f64.powi(c.len() as i32)).sum();
        assert!((kraft - 1.0).abs() < 1e-12);
    }

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
        let path = std::env::temp_dir().join(format!("w2v-vocab-{}.txt", std::process::id()));
        v.save(&path).unwrap();
        let r = Vocab::read(&path, 3, None).unwrap();
        assert_eq!(r.words(), v.words());
        assert_eq!(r.counts(), v.counts());
        let top10 = Vocab::read(&path, 1, Some(10)).unwrap();
        assert_eq!(top10.len(), 10);
        std::fs::write(&path, "word notanumber\n").unwrap();
        let err = Vocab::read(&path, 1, None).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn subsampling_thresholds_follow_word2vec() {
        let v = Vocab::from_counts([("a".into(), 1_000_000u64), ("b".into(), 10)], 1, None);
        let t = v.keep_thresholds(1e-3);
        let st = 1e-3 * 1_000_010.0;
        let keep_a = ((1e6f64 / st).sqrt() + 1.0) * st / 1e6;
        assert!((t[0] as f64 / 4294967296.0 - keep_a).abs() < 1e-6);
        assert_eq!(t[1], u32::MAX);
        assert!(v.keep_thresholds(0.0).iter().all(|&k| k == u32::MAX));
    }
}
