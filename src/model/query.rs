//! Queries: similarity, nearest neighbours of a word or a vector, analogies
//! (3CosAdd and 3CosMul), mean vectors, batches.
//!
//! Scores are cosine similarities, `dot(q, row) / (|q| |row|)`, with each
//! row's norm stored or computed once ([`Embeddings::norms`]). A zero row has
//! no defined cosine and is never returned.
//!
//! # The top-k scan
//!
//! Two passes ([`super::scan`] proves them exact). The first reads the
//! model's 8-bit scan copy ([`Embeddings::scan_copy`], a quarter of the f32
//! matrix) in blocks of about 64 KiB: for each block, the
//! [`Kernels::dot_blocks_u8`](crate::simd::Kernels::dot_blocks_u8) kernel computes
//! integer dot products of the coded query with every row, a vectorised pass
//! turns them into approximate cosines, and every row within twice the
//! query's error margin of the approximate top `k` is kept. The second pass
//! re-scores those candidates (tens to hundreds) with the f32 rows and keeps
//! the `k` best (ties: the lower index first). A batch of queries
//! ([`Embeddings::nearest_batch_into`]) runs every query over a block while
//! it is in cache, four per kernel call
//! ([`Kernels::dot_blocks_u8_x4`](crate::simd::Kernels::dot_blocks_u8_x4)), so the
//! copy is read from memory once per batch. Vectors wider than
//! [`super::scan::MAX_SCAN_DIM`] have no scan copy: their queries scan the
//! f32 rows with [`Kernels::dot_rows`](crate::simd::Kernels::dot_rows).
//!
//! The `_into` functions take a caller-held [`Scratch`] and allocate nothing
//! once it has grown to the largest query seen: hold one per thread.

use super::Embeddings;
use super::search::{BLOCK_BYTES, insert};
pub use super::search::{Neighbor, Scratch};
use crate::error::{Error, ErrorKind, Result};

/// How to answer `a : b :: c : ?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analogy {
    /// 3CosAdd: nearest to `b - a + c` on unit vectors (Mikolov et al.).
    Add,
    /// 3CosMul: `cos'(d, b) cos'(d, c) / (cos'(d, a) + 1e-6)` with `cos' = (1 + cos) / 2`
    /// (Levy and Goldberg; gensim's `most_similar_cosmul`).
    Mul,
}

fn not_found(word: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("`{word}` is not in the vocabulary"),
    )
}

impl Embeddings {
    fn limit(&self, restrict: Option<usize>) -> usize {
        restrict.map_or(self.len(), |r| r.min(self.len()))
    }

    /// Cosine similarity of words `i` and `j` (NaN if either row is zero).
    /// Panics if an index is out of range.
    pub fn similarity_of(&self, i: usize, j: usize) -> f32 {
        let n = self.norms();
        let den = n[i] * n[j];
        if den.is_normal() {
            self.kernels().dot(self.row(i), self.row(j)) / den
        } else {
            // Tiny (or huge) rows: in f64 on the unit vectors.
            let (a, b) = (self.row(i), self.row(j));
            let (ni, nj) = (n[i] as f64, n[j] as f64);
            a.iter()
                .zip(b)
                .map(|(&x, &y)| (x as f64 / ni) * (y as f64 / nj))
                .sum::<f64>() as f32
        }
    }

    /// Cosine similarity of two words.
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        let (i, j) = (
            self.index(a).ok_or_else(|| not_found(a))?,
            self.index(b).ok_or_else(|| not_found(b))?,
        );
        Ok(self.similarity_of(i, j))
    }

    /// Add `weight` times the unit vector of word `i` to `out`.
    fn add_unit(&self, i: usize, weight: f32, out: &mut [f32]) {
        let n = self.norms()[i];
        if n > 0.0 && n.is_finite() {
            self.kernels().axpy(weight / n, self.row(i), out);
        }
    }

    /// The weighted mean of the unit vectors of `words` into `out` (length
    /// `dim`), skipping unknown words, as gensim's `get_mean_vector`: to embed
    /// a search query or a short document. `weights`, if given, has one weight
    /// per word (default 1). Returns how many words were known; none known is
    /// an [`ErrorKind::NotFound`] error and leaves `out` zero.
    pub fn mean_vector_into(
        &self,
        words: &[&str],
        weights: Option<&[f32]>,
        out: &mut [f32],
    ) -> Result<usize> {
        if out.len() != self.dim() {
            return Err(Error::invalid(format!(
                "output has {} floats, the model's dimension is {}",
                out.len(),
                self.dim()
            )));
        }
        if weights.is_some_and(|w| w.len() != words.len()) {
            return Err(Error::invalid("one weight per word is needed"));
        }
        out.fill(0.0);
        let (mut known, mut total) = (0usize, 0.0f32);
        for (n, w) in words.iter().enumerate() {
            if let Some(i) = self.index(w) {
                let weight = weights.map_or(1.0, |ws| ws[n]);
                self.add_unit(i, weight, out);
                known += 1;
                total += weight;
            }
        }
        if known == 0 {
            return Err(Error::new(
                ErrorKind::NotFound,
                "none of the words is in the vocabulary",
            ));
        }
        if total != 0.0 {
            self.kernels().scale(1.0 / total, out);
        }
        Ok(known)
    }

    /// [`mean_vector_into`](Embeddings::mean_vector_into) into a new vector.
    pub fn mean_vector(&self, words: &[&str], weights: Option<&[f32]>) -> Result<Vec<f32>> {
        if self.is_empty() {
            return Err(Error::new(
                ErrorKind::NotFound,
                "none of the words is in the vocabulary (the model has none)",
            ));
        }
        let mut out = vec![0.0; self.dim()];
        self.mean_vector_into(words, weights, &mut out)?;
        Ok(out)
    }

    /// The `k` words with the highest cosine to `query` among the first
    /// `restrict` words (all if `None`), skipping the indices in `exclude`,
    /// best first. Fewer than `k` if the vocabulary is smaller. Allocates
    /// nothing once `scratch` has grown.
    pub fn nearest_into<'s>(
        &self,
        query: &[f32],
        k: usize,
        restrict: Option<usize>,
        exclude: &[usize],
        scratch: &'s mut Scratch,
    ) -> Result<&'s [Neighbor]> {
        self.nearest_batch_into(query, k, restrict, &[exclude], scratch)?;
        let found = scratch.top.iter().take_while(|n| n.is_some()).count();
        Ok(&scratch.top[..found])
    }

    /// [`nearest_into`](Embeddings::nearest_into) into a new vector.
    pub fn nearest(
        &self,
        query: &[f32],
        k: usize,
        restrict: Option<usize>,
        exclude: &[usize],
    ) -> Result<Vec<Neighbor>> {
        let mut s = Scratch::new();
        Ok(self
            .nearest_into(query, k, restrict, exclude, &mut s)?
            .to_vec())
    }

    /// A batch of queries (`queries` holds `q` rows of `dim` floats): the `k`
    /// nearest words of each, as `q x k'` answers, row `i` for query `i`, best
    /// first, padded with [`Neighbor::NONE`], where `k' = min(k, candidates)`
    /// (a `k` larger than the candidate words asks for nothing more, and
    /// allocates nothing more). `excludes` is empty (exclude nothing) or holds
    /// one index list per query. The scan is blocked: each block of rows is
    /// read once for the whole batch.
    pub fn nearest_batch_into<'s>(
        &self,
        queries: &[f32],
        k: usize,
        restrict: Option<usize>,
        excludes: &[&[usize]],
        scratch: &'s mut Scratch,
    ) -> Result<&'s [Neighbor]> {
        let dim = self.dim();
        if !queries.len().is_multiple_of(dim) {
            return Err(Error::invalid(format!(
                "queries hold {} floats, not a multiple of the dimension {dim}",
                queries.len()
            )));
        }
        let nq = queries.len() / dim;
        if !excludes.is_empty() && excludes.len() != nq {
            return Err(Error::invalid(format!(
                "{} exclusion lists for {nq} queries",
                excludes.len()
            )));
        }
        let kern = *self.kernels();
        scratch.inv.clear();
        for q in queries.chunks_exact(dim) {
            let n = kern.dot(q, q).sqrt();
            if !(n > 0.0 && n.is_finite()) {
                return Err(Error::invalid(
                    "a query vector is zero or not finite: it has no nearest words",
                ));
            }
            scratch.inv.push(1.0 / n);
        }
        let rows = self.limit(restrict);
        let k = k.min(rows);
        scratch.top.clear();
        scratch.top.resize(nq * k, Neighbor::NONE);
        if k == 0 || nq == 0 {
            return Ok(&scratch.top);
        }
        if let Some(ix) = self
            .neighbour_index()
            .filter(|_| !self.search().exact && rows == self.len())
        {
            self.search_index(&ix, queries, k, excludes, scratch);
            return Ok(&scratch.top);
        }
        match self.scan_copy() {
            Some(copy) => self.scan_u8(copy, queries, k, rows, excludes, scratch),
            None => self.scan_f32(queries, k, rows, excludes, scratch),
        }
        Ok(&scratch.top)
    }

    /// Indices of `words`, or an error naming the first unknown one.
    fn indices(&self, words: &[&str]) -> Result<Vec<usize>> {
        words
            .iter()
            .map(|w| self.index(w).ok_or_else(|| not_found(w)))
            .collect()
    }

    /// Indices of a query's positive and negative words: an unknown word is
    /// [`ErrorKind::NotFound`], no word at all [`ErrorKind::Empty`].
    fn query_words(
        &self,
        positive: &[&str],
        negative: &[&str],
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        let (pos, neg) = (self.indices(positive)?, self.indices(negative)?);
        if pos.is_empty() && neg.is_empty() {
            return Err(Error::new(
                ErrorKind::Empty,
                "a query needs at least one word",
            ));
        }
        Ok((pos, neg))
    }

    /// 3CosAdd: the `k` words nearest to `sum(unit(positive)) -
    /// sum(unit(negative))` among the first `restrict` words, the query words
    /// excluded (gensim's `most_similar`). An unknown word is an
    /// [`ErrorKind::NotFound`] error.
    pub fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
        restrict: Option<usize>,
    ) -> Result<Vec<Neighbor>> {
        let (pos, neg) = self.query_words(positive, negative)?;
        let mut query = vec![0.0f32; self.dim()];
        for &i in &pos {
            self.add_unit(i, 1.0, &mut query);
        }
        for &i in &neg {
            self.add_unit(i, -1.0, &mut query);
        }
        let exclude: Vec<usize> = pos.iter().chain(&neg).copied().collect();
        self.nearest(&query, k, restrict, &exclude)
    }

    /// [`most_similar`](Embeddings::most_similar) into `scratch`: allocates
    /// nothing once it has grown (hold one per thread).
    pub fn most_similar_into<'s>(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
        restrict: Option<usize>,
        scratch: &'s mut Scratch,
    ) -> Result<&'s [Neighbor]> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::new(
                ErrorKind::Empty,
                "a query needs at least one word",
            ));
        }
        let mut words = std::mem::take(&mut scratch.words);
        let mut sum = std::mem::take(&mut scratch.sum);
        words.clear();
        sum.clear();
        sum.resize(self.dim(), 0.0);
        let mut result = Ok(());
        for (w, weight) in positive
            .iter()
            .map(|w| (w, 1.0))
            .chain(negative.iter().map(|w| (w, -1.0)))
        {
            match self.index(w) {
                Some(i) => {
                    self.add_unit(i, weight, &mut sum);
                    words.push(i);
                }
                None => {
                    result = Err(not_found(w));
                    break;
                }
            }
        }
        let r = result.and_then(|()| {
            self.nearest_batch_into(&sum, k, restrict, &[&words], scratch)
                .map(|_| ())
        });
        scratch.words = words;
        scratch.sum = sum;
        r?;
        let found = scratch.top.iter().take_while(|n| n.is_some()).count();
        Ok(&scratch.top[..found])
    }

    /// 3CosMul (gensim's `most_similar_cosmul`): the `k` words `d`
    /// maximising `prod cos'(d, p) / (prod cos'(d, n) + 1e-6)` over `p` in
    /// `positive` and `n` in `negative`, with `cos' = (1 + cos) / 2`; query
    /// words excluded.
    pub fn most_similar_cosmul(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
        restrict: Option<usize>,
    ) -> Result<Vec<Neighbor>> {
        let (pos, neg) = self.query_words(positive, negative)?;
        let dim = self.dim();
        let kern = *self.kernels();
        let terms: Vec<usize> = pos.iter().chain(&neg).copied().collect();
        // Unit vectors of the terms, one row each.
        let mut unit = vec![0.0f32; terms.len() * dim];
        for (t, &i) in terms.iter().enumerate() {
            self.add_unit(i, 1.0, &mut unit[t * dim..(t + 1) * dim]);
        }
        let rows = self.limit(restrict);
        let k = k.min(rows);
        let mut top = vec![Neighbor::NONE; k];
        if k == 0 {
            return Ok(top);
        }
        let (matrix, norms) = (self.matrix(), self.norms());
        let block = (BLOCK_BYTES / (4 * dim)).clamp(16, 4096);
        let (mut num, mut den, mut tmp) = (
            vec![0.0f32; block],
            vec![0.0f32; block],
            vec![0.0f32; block],
        );
        let mut start = 0;
        while start < rows {
            let end = (start + block).min(rows);
            let m = end - start;
            let block_rows = &matrix[start * dim..end * dim];
            num[..m].fill(1.0);
            den[..m].fill(1.0);
            for (t, u) in unit.chunks_exact(dim).enumerate() {
                kern.dot_rows(u, block_rows, &mut tmp[..m]);
                let acc = if t < pos.len() { &mut num } else { &mut den };
                for ((a, &d), &n) in acc[..m].iter_mut().zip(&tmp[..m]).zip(&norms[start..end]) {
                    *a *= (1.0 + d / n) / 2.0;
                }
            }
            let mut worst = top[k - 1].score;
            for j in 0..m {
                let s = num[j] / (den[j] + 1e-6);
                if s > worst && !terms.contains(&(start + j)) {
                    insert(
                        &mut top,
                        Neighbor {
                            index: start + j,
                            score: s,
                        },
                    );
                    worst = top[k - 1].score;
                }
            }
            start = end;
        }
        let found = top.iter().take_while(|n| n.is_some()).count();
        top.truncate(found);
        Ok(top)
    }

    /// `a : b :: c : ?`, the `k` best answers among the first `restrict`
    /// words, `a`, `b` and `c` excluded.
    pub fn analogy(
        &self,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
        method: Analogy,
        restrict: Option<usize>,
    ) -> Result<Vec<Neighbor>> {
        match method {
            Analogy::Add => self.most_similar(&[b, c], &[a], k, restrict),
            Analogy::Mul => self.most_similar_cosmul(&[b, c], &[a], k, restrict),
        }
    }
}
