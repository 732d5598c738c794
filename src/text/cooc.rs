//! Counting windowed co-occurrences, streamed, on several threads, exactly.
//!
//! The corpus is read as training reads it (tokens outside the vocabulary
//! are dropped first, then frequent words subsampled, and a newline ends a
//! sentence). Each pair of kept tokens at distance `d <= W` in one sentence
//! adds `W + 1 - d` to the count of its two words: in units of `1 / W`, the
//! expected weight of the pair under word2vec's shrinking window, where each
//! position draws a radius uniform in `1..=W` (the pair is seen with
//! probability `(W + 1 - d) / W`). The result is a [`Cooc`]: the upper
//! triangle of the symmetric matrix, in integers.
//!
//! Unlike training, sentences are not cut every 1000 words: word2vec.c's cut
//! (which loses about `W / 1000` of the pairs of a text8-style file) would
//! depend on where a thread's range starts. Instead each thread reads its
//! byte range of the corpus and then up to `W` tokens past its end, counting
//! the pairs that start in its range. So the counts do not depend on the
//! number of threads, and the counts of two halves of a corpus split at a
//! sentence boundary [`merge`] into the counts of the whole.
//!
//! Subsampling (`sample > 0`) keeps a token with word2vec.c's probability,
//! decided by a hash of the seed and the token's byte offset: the same token
//! gets the same decision on any number of threads.
//!
//! Memory: pairs among the 1024 most frequent words go to a dense table (8
//! MiB per thread; most pairs are among frequent words), the rest to a hash
//! map per thread, merged at the end by sorting.

use super::corpus::{Corpus, Token};
use super::vocab::Vocab;
use crate::error::{Error, ErrorKind, Result};
pub use crate::format::cooc::Cooc;
use rustc_hash::FxHashMap;

/// Words whose pairs are counted in the dense table.
const DENSE_WORDS: usize = 1024;

/// How to count.
#[derive(Debug, Clone)]
pub struct CoocConfig {
    /// The window radius `W`.
    pub window: usize,
    /// Subsampling threshold (word2vec.c's `-sample`; 0 disables).
    pub sample: f64,
    /// Seed of the subsampling decisions.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
}

impl Default for CoocConfig {
    fn default() -> Self {
        CoocConfig {
            window: 5,
            sample: 0.0,
            seed: 1,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

impl CoocConfig {
    /// Check every parameter; the error names the first bad one.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(m));
        if self.window == 0 || self.window > 1000 {
            return bad(format!(
                "window must be between 1 and 1000, got {}",
                self.window
            ));
        }
        if !self.sample.is_finite() || self.sample < 0.0 {
            return bad(format!(
                "sample must be a finite number >= 0, got {}",
                self.sample
            ));
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad(format!(
                "threads must be between 1 and 1024, got {}",
                self.threads
            ));
        }
        Ok(())
    }
}

/// The `V` most frequent words of `corpus` (counting it once), or an error
/// if it has fewer than `v` distinct words.
pub fn top_words(corpus: &Corpus, v: usize) -> Result<Vocab> {
    if v == 0 {
        return Err(Error::invalid("the vocabulary size must be at least 1"));
    }
    let vocab = Vocab::count(corpus, 1, Some(v))?;
    if vocab.len() < v {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "corpus {} has {} distinct words, fewer than the {v} asked for",
                corpus.name(),
                vocab.len()
            ),
        ));
    }
    Ok(vocab)
}

/// A hash of `seed` and a byte offset, uniform in `u32` (SplitMix64).
fn offset_hash(seed: u64, offset: u64) -> u32 {
    let mut z = seed ^ offset.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 32) as u32
}

/// One thread's counts.
struct Counts {
    /// Pairs of words both below `dense`: `dense x dense`, row-major, `a <= b`.
    table: Vec<u64>,
    dense: usize,
    /// Other pairs, keyed `a << 32 | b` with `a <= b`.
    map: FxHashMap<u64, u64>,
    /// Tokens counted per word.
    tokens: Vec<u64>,
}

impl Counts {
    fn new(v: usize) -> Counts {
        let dense = v.min(DENSE_WORDS);
        Counts {
            table: vec![0; dense * dense],
            dense,
            map: FxHashMap::default(),
            tokens: vec![0; v],
        }
    }

    #[inline]
    fn add(&mut self, x: u32, y: u32, w: u64) {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        if (b as usize) < self.dense {
            self.table[a as usize * self.dense + b as usize] += w;
        } else {
            *self.map.entry((a as u64) << 32 | b as u64).or_insert(0) += w;
        }
    }
}

/// The tokens kept from a reader, with the subsampling decision.
struct Keeper<'a> {
    vocab: &'a Vocab,
    keep: &'a [u32],
    seed: u64,
}

impl Keeper<'_> {
    /// Whether the token of word `id` that starts at corpus offset `start`
    /// survives subsampling.
    #[inline]
    fn kept(&self, id: u32, start: u64) -> bool {
        let k = self.keep[id as usize];
        k == u32::MAX || offset_hash(self.seed, start) < k
    }
}

/// Count the pairs that start in `range`.
fn count_range(
    corpus: &Corpus,
    keeper: &Keeper<'_>,
    window: usize,
    range: (u64, u64),
) -> Result<Counts> {
    let mut c = Counts::new(keeper.vocab.len());
    // The last `window` kept tokens of the sentence: position p at p % window.
    let mut recent = vec![0u32; window];
    let mut p = 0usize;
    let mut reader = corpus.reader(range.0, range.1)?;
    while let Some(tok) = reader.next_token()? {
        let Token::Word(w) = tok else {
            p = 0;
            continue;
        };
        let Some((b, n)) = keeper.vocab.get(w).map(|id| (id, w.len() as u64)) else {
            continue;
        };
        if !keeper.kept(b, reader.position() - n) {
            continue;
        }
        c.tokens[b as usize] += 1;
        for d in 1..=window.min(p) {
            c.add(recent[(p - d) % window], b, (window + 1 - d) as u64);
        }
        recent[p % window] = b;
        p += 1;
    }
    // Past the range: pairs between its last tokens and the next ones.
    let len = corpus.len()?;
    if p > 0 && range.1 < len {
        let mut tail = corpus.reader(range.1, len)?;
        let mut t = 0usize;
        while t < window {
            let Some(Token::Word(w)) = tail.next_token()? else {
                break;
            };
            let Some((b, n)) = keeper.vocab.get(w).map(|id| (id, w.len() as u64)) else {
                continue;
            };
            if !keeper.kept(b, tail.position() - n) {
                continue;
            }
            // Tokens of the range are at distances t + 1 ..= window.
            for d in t + 1..=window.min(p + t) {
                c.add(recent[(p + t - d) % window], b, (window + 1 - d) as u64);
            }
            t += 1;
        }
    }
    Ok(c)
}

/// Count the co-occurrences of `vocab`'s words in `corpus` (see the module
/// documentation). An error if no pair is found.
pub fn count(corpus: &Corpus, vocab: &Vocab, config: &CoocConfig) -> Result<Cooc> {
    config.check()?;
    if vocab.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the vocabulary is empty"));
    }
    if vocab.len() >= u32::MAX as usize {
        return Err(Error::invalid("a vocabulary of 2^32 words or more"));
    }
    let keep = crate::text::vocab::keep_thresholds(vocab.counts(), config.sample);
    let keeper = Keeper {
        vocab,
        keep: &keep,
        seed: config.seed,
    };
    let ranges = corpus.ranges(config.threads)?;
    let results: Vec<Result<Counts>> = if ranges.len() == 1 {
        vec![count_range(corpus, &keeper, config.window, ranges[0])]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|&r| {
                    let keeper = &keeper;
                    s.spawn(move || count_range(corpus, keeper, config.window, r))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::new(
                            ErrorKind::WorkerPanicked,
                            "a counting thread panicked (a bug in w2v)",
                        ))
                    })
                })
                .collect()
        })
    };
    let parts = results.into_iter().collect::<Result<Vec<_>>>()?;
    let cooc = assemble(vocab, config, parts);
    if cooc.nnz() == 0 {
        return Err(Error::new(
            ErrorKind::Empty,
            format!(
                "corpus {} has no two vocabulary words within {} of each other in a sentence",
                corpus.name(),
                config.window
            ),
        ));
    }
    Ok(cooc)
}

/// The threads' counts as one upper-triangle CSR matrix.
fn assemble(vocab: &Vocab, config: &CoocConfig, parts: Vec<Counts>) -> Cooc {
    let v = vocab.len();
    let dense = v.min(DENSE_WORDS);
    let mut table = vec![0u64; dense * dense];
    let mut tokens = vec![0u64; v];
    let mut sparse: Vec<(u64, u64)> = Vec::new();
    for part in parts {
        for (t, x) in table.iter_mut().zip(&part.table) {
            *t += x;
        }
        for (t, x) in tokens.iter_mut().zip(&part.tokens) {
            *t += x;
        }
        sparse.extend(part.map);
    }
    sparse.sort_unstable_by_key(|&(k, _)| k);
    let mut row_ptr = Vec::with_capacity(v + 1);
    let mut cols = Vec::new();
    let mut vals = Vec::new();
    let mut next = sparse.iter().peekable();
    row_ptr.push(0u64);
    for a in 0..v {
        if a < dense {
            for b in a..dense {
                let w = table[a * dense + b];
                if w > 0 {
                    cols.push(b as u32);
                    vals.push(w);
                }
            }
        }
        // Keys of row `a` (sorted; equal keys from different threads summed).
        while let Some(&&(k, w)) = next.peek() {
            if (k >> 32) as usize != a {
                break;
            }
            next.next();
            let b = k as u32;
            if cols.len() as u64 > row_ptr[a] && cols.last() == Some(&b) {
                *vals.last_mut().expect("a value per column") += w;
            } else {
                cols.push(b);
                vals.push(w);
            }
        }
        row_ptr.push(cols.len() as u64);
    }
    Cooc {
        words: vocab.words().to_vec(),
        counts: tokens,
        window: config.window as u32,
        sample: config.sample,
        row_ptr,
        cols,
        vals,
    }
}

/// The sum of count files of one vocabulary, window and subsampling
/// threshold: exactly the counts of the concatenated corpora (split at
/// sentence boundaries). An error names the first file that differs.
pub fn merge(parts: &[Cooc]) -> Result<Cooc> {
    let Some(first) = parts.first() else {
        return Err(Error::invalid("nothing to merge"));
    };
    for (n, p) in parts.iter().enumerate().skip(1) {
        let what = if p.words != first.words {
            Some("vocabulary")
        } else if p.window != first.window {
            Some("window")
        } else if p.sample.to_bits() != first.sample.to_bits() {
            Some("subsampling threshold")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(Error::invalid(format!(
                "count file {} has another {what} than count file 1: only counts of one vocabulary, window and subsampling add up",
                n + 1
            )));
        }
    }
    let v = first.len();
    let mut out = Cooc {
        words: first.words.clone(),
        counts: vec![0; v],
        window: first.window,
        sample: first.sample,
        row_ptr: Vec::with_capacity(v + 1),
        cols: Vec::new(),
        vals: Vec::new(),
    };
    for p in parts {
        for (t, x) in out.counts.iter_mut().zip(&p.counts) {
            *t = t
                .checked_add(*x)
                .ok_or_else(|| Error::invalid("a count overflows"))?;
        }
    }
    out.row_ptr.push(0);
    let mut row: Vec<(u32, u64)> = Vec::new();
    for i in 0..v {
        row.clear();
        for p in parts {
            let (c, w) = p.row(i);
            row.extend(c.iter().copied().zip(w.iter().copied()));
        }
        row.sort_unstable_by_key(|&(c, _)| c);
        for &(c, w) in &row {
            if out.cols.len() as u64 > out.row_ptr[i] && out.cols.last() == Some(&c) {
                let last = out.vals.last_mut().expect("a value per column");
                *last = last
                    .checked_add(w)
                    .ok_or_else(|| Error::invalid("a count overflows"))?;
            } else {
                out.cols.push(c);
                out.vals.push(w);
            }
        }
        out.row_ptr.push(out.cols.len() as u64);
    }
    Ok(out)
}
