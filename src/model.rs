//! Trained word vectors in memory, with nearest-neighbour and analogy queries.

use crate::error::{Error, ErrorKind, Result};
use crate::io::{Format, write_word2vec};
use crate::simd::Kernels;
use crate::vocab::Vocab;
use std::path::Path;

/// Word vectors: a vocabulary and a `len x dim` row-major matrix.
#[derive(Debug, Clone)]
pub struct Embeddings {
    vocab: Vocab,
    dim: usize,
    data: Vec<f32>,
}

/// One query answer: a word index and its cosine similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbor {
    /// Index in the vocabulary.
    pub index: usize,
    /// The word.
    pub word: String,
    /// Cosine similarity to the query.
    pub score: f32,
}

impl Embeddings {
    /// Wrap a vocabulary and a dense `vocab.len() x dim` matrix.
    pub fn new(vocab: Vocab, dim: usize, data: Vec<f32>) -> Result<Embeddings> {
        if dim == 0 {
            return Err(Error::invalid("dimension must be positive"));
        }
        if data.len() != vocab.len() * dim {
            return Err(Error::invalid(format!(
                "matrix has {} floats, expected {} words x {dim}",
                data.len(),
                vocab.len()
            )));
        }
        Ok(Embeddings { vocab, dim, data })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.vocab.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.vocab.is_empty()
    }

    /// The row-major matrix.
    pub fn matrix(&self) -> &[f32] {
        &self.data
    }

    /// The vector of word `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The vector of `word`, if known.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        self.vocab
            .get(word.as_bytes())
            .map(|i| self.row(i as usize))
    }

    /// Save in word2vec binary or text format.
    pub fn save(&self, path: &Path, format: Format) -> Result<()> {
        write_word2vec(
            path,
            format,
            self.vocab.words(),
            self.dim,
            self.dim,
            &self.data,
        )
    }

    /// A copy with every row scaled to unit length (zero rows stay zero).
    pub fn normalized(&self, k: &Kernels) -> Embeddings {
        let mut out = self.clone();
        for row in out.data.chunks_exact_mut(self.dim) {
            let n = k.dot(row, row).sqrt();
            if n > 0.0 {
                k.scale(1.0 / n, row);
            }
        }
        out
    }

    fn index_of(&self, word: &str) -> Result<usize> {
        self.vocab
            .get(word.as_bytes())
            .map(|i| i as usize)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Empty,
                    format!("`{word}` is not in the vocabulary"),
                )
            })
    }

    /// 3CosAdd on unit vectors: the `k` words nearest to
    /// `sum(positive) - sum(negative)`, excluding the query words. `self` should
    /// be [`normalized`](Embeddings::normalized).
    pub fn most_similar(
        &self,
        k: &Kernels,
        positive: &[&str],
        negative: &[&str],
        top: usize,
    ) -> Result<Vec<Neighbor>> {
        let mut query = vec![0.0f32; self.dim];
        let mut exclude = Vec::new();
        for (words, sign) in [(positive, 1.0f32), (negative, -1.0)] {
            for w in words {
                let i = self.index_of(w)?;
                k.axpy(sign, self.row(i), &mut query);
                exclude.push(i);
            }
        }
        if exclude.is_empty() {
            return Err(Error::invalid("a query needs at least one word"));
        }
        Ok(self.nearest(k, &query, top, &exclude))
    }

    /// The `top` words with the highest cosine to `query`, skipping `exclude`.
    pub fn nearest(
        &self,
        k: &Kernels,
        query: &[f32],
        top: usize,
        exclude: &[usize],
    ) -> Vec<Neighbor> {
        let qn = k.dot(query, query).sqrt().max(f32::MIN_POSITIVE);
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(top + 1);
        for i in 0..self.len() {
            if exclude.contains(&i) {
                continue;
            }
            let row = self.row(i);
            let rn = k.dot(row, row).sqrt().max(f32::MIN_POSITIVE);
            let s = k.dot(query, row) / (qn * rn);
            if best.len() < top || s > best[best.len() - 1].0 {
                let pos = best.partition_point(|&(b, _)| b >= s);
                best.insert(pos, (s, i));
                best.truncate(top);
            }
        }
        best.into_iter()
            .map(|(score, index)| Neighbor {
                index,
                word: self.vocab.word(index).to_string(),
                score,
            })
            .collect()
    }
}
