//! The exact search behind every neighbour query: the two-pass top-k scan
//! (the 8-bit scan copy first, then the f32 rows of the candidates; see
//! [`super::query`] for the method), and the plain f32 scan for vectors too
//! wide for a scan copy. An approximate index sits beside it: the query
//! functions of [`super::query`] pick one.

use super::Embeddings;
use super::index::{self, IndexScratch};
use super::scan::{self, BLOCK_ROWS, QueryCode};
use crate::format::native::{IndexParts, ScanParts};

/// One answer: a word index and its score (a cosine for 3CosAdd and
/// neighbours, 3CosMul's ratio for [`Embeddings::most_similar_cosmul`](super::Embeddings::most_similar_cosmul)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    /// Index in the vocabulary ([`Embeddings::word`] gives the word).
    pub index: usize,
    /// Score, higher is nearer.
    pub score: f32,
}

impl Neighbor {
    /// The padding of a batch answer with fewer than `k` neighbours.
    pub const NONE: Neighbor = Neighbor {
        index: usize::MAX,
        score: f32::NEG_INFINITY,
    };

    /// Whether this is real (not [`Neighbor::NONE`] padding).
    pub fn is_some(&self) -> bool {
        self.index != usize::MAX
    }
}

/// Buffers reused across queries. One per thread; cheap to create.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    pub(super) scores: Vec<f32>,
    pub(super) approx: Vec<Neighbor>,
    pub(super) candidates: Vec<Vec<Neighbor>>,
    pub(super) top: Vec<Neighbor>,
    pub(super) query: Vec<f32>,
    pub(super) inv: Vec<f32>,
    pub(super) codes: Vec<i8>,
    pub(super) coded: Vec<(QueryCode, f32)>,
    pub(super) sums: Vec<i32>,
    pub(super) index: IndexScratch,
    /// A query's words (positive then negative) and their summed unit vectors.
    pub(super) words: Vec<usize>,
    pub(super) sum: Vec<f32>,
}

impl Scratch {
    /// Empty buffers (they grow on first use).
    pub fn new() -> Scratch {
        Scratch::default()
    }
}

/// Target bytes of matrix per block: a block stays in L2 while every query of
/// a batch runs over it.
pub(super) const BLOCK_BYTES: usize = 64 * 1024;

/// Whether a row with this norm has a cosine.
#[inline]
pub(super) fn valid_norm(n: f32) -> bool {
    n > 0.0 && n.is_finite()
}

/// Keep the best of `scores` (rows `start..`) in `top`, skipping `exclude`.
#[inline]
pub(super) fn select(top: &mut [Neighbor], scores: &[f32], start: usize, exclude: &[usize]) {
    let k = top.len();
    let mut worst = top[k - 1].score;
    for (j, &s) in scores.iter().enumerate() {
        if s > worst && !exclude.contains(&(start + j)) {
            insert(
                top,
                Neighbor {
                    index: start + j,
                    score: s,
                },
            );
            worst = top[k - 1].score;
        }
    }
}

/// Insert `n` into `top` (sorted by descending score, fixed length `k`),
/// dropping the last; `n.score` must beat `top[k - 1].score`.
#[inline]
pub(super) fn insert(top: &mut [Neighbor], n: Neighbor) {
    let k = top.len();
    let mut j = k - 1;
    while j > 0 && top[j - 1].score < n.score {
        top[j] = top[j - 1];
        j -= 1;
    }
    top[j] = n;
}

/// Score row `i` (norm `norm`) against `query` (scaled by `inv`, one over
/// its norm) with the f32 row, and keep it in `top` if it beats the last.
#[inline]
fn rescore(
    top: &mut [Neighbor],
    kern: &crate::simd::Kernels,
    query: &[f32],
    inv: f32,
    row: &[f32],
    norm: f32,
    index: usize,
) {
    let score = kern.dot(query, row) * inv / norm;
    if score > top[top.len() - 1].score {
        insert(top, Neighbor { index, score });
    }
}

impl Embeddings {
    /// Each query through the index: its `ef` nearest by the graph's 8-bit
    /// codes, then those scored with the f32 rows, the `k` best kept.
    pub(super) fn search_index(
        &self,
        ix: &IndexParts<'_>,
        queries: &[f32],
        k: usize,
        excludes: &[&[usize]],
        scratch: &mut Scratch,
    ) {
        let (dim, kern) = (self.dim(), *self.kernels());
        let (matrix, norms) = (self.matrix(), self.norms());
        scratch.query.resize(dim, 0.0);
        for (q, query) in queries.chunks_exact(dim).enumerate() {
            let inv = scratch.inv[q];
            for (u, &x) in scratch.query.iter_mut().zip(query) {
                *u = x * inv;
            }
            let exclude = excludes.get(q).copied().unwrap_or(&[]);
            let ef = self.search().ef.max(k + exclude.len());
            index::search(ix, &kern, &scratch.query, ef, &mut scratch.index);
            let top = &mut scratch.top[q * k..(q + 1) * k];
            for it in &scratch.index.found {
                let i = it.id as usize;
                if !valid_norm(norms[i]) || exclude.contains(&i) {
                    continue;
                }
                rescore(
                    top,
                    &kern,
                    query,
                    inv,
                    &matrix[i * dim..(i + 1) * dim],
                    norms[i],
                    i,
                );
            }
        }
    }

    /// Exact scan over the f32 rows (vectors too wide for a scan copy).
    pub(super) fn scan_f32(
        &self,
        queries: &[f32],
        k: usize,
        rows: usize,
        excludes: &[&[usize]],
        scratch: &mut Scratch,
    ) {
        let (dim, kern) = (self.dim(), *self.kernels());
        let (matrix, norms) = (self.matrix(), self.norms());
        let block = (BLOCK_BYTES / (4 * dim)).clamp(16, 4096);
        scratch.scores.resize(block, 0.0);
        let mut start = 0;
        while start < rows {
            let end = (start + block).min(rows);
            let block_rows = &matrix[start * dim..end * dim];
            let block_norms = &norms[start..end];
            for (q, query) in queries.chunks_exact(dim).enumerate() {
                let scores = &mut scratch.scores[..end - start];
                kern.dot_rows(query, block_rows, scores);
                let inv = scratch.inv[q];
                for (s, &n) in scores.iter_mut().zip(block_norms) {
                    *s = *s * inv / n;
                }
                let top = &mut scratch.top[q * k..(q + 1) * k];
                let exclude = excludes.get(q).copied().unwrap_or(&[]);
                select(top, scores, start, exclude);
            }
            start = end;
        }
    }

    /// Two-pass scan (see [`super::scan`]): approximate cosines from the
    /// 8-bit copy, keeping every row that could be in the top `k`, then exact
    /// cosines over the f32 rows of those candidates only. The answer is the
    /// exact scan's: every approximate cosine is within the query's margin
    /// `eps` of the exact one, so a row of the exact top `k` is never more
    /// than `2 eps` under the `k`-th best approximate score, and every row
    /// within that line is re-scored.
    pub(super) fn scan_u8(
        &self,
        copy: ScanParts<'_>,
        queries: &[f32],
        k: usize,
        rows: usize,
        excludes: &[&[usize]],
        scratch: &mut Scratch,
    ) {
        let (dim, kern) = (self.dim(), *self.kernels());
        let (matrix, norms) = (self.matrix(), self.norms());
        let nq = queries.len() / dim;
        let pd = scan::padded_dim(dim);
        // Code each unit query.
        scratch.query.resize(dim, 0.0);
        scratch.codes.clear();
        scratch.codes.resize(nq * pd, 0);
        scratch.coded.clear();
        for (q, query) in queries.chunks_exact(dim).enumerate() {
            let inv = scratch.inv[q];
            for (u, &x) in scratch.query.iter_mut().zip(query) {
                *u = x * inv;
            }
            let code = QueryCode::encode(&scratch.query, &mut scratch.codes[q * pd..(q + 1) * pd]);
            scratch.coded.push((code, code.margin(copy.residual, dim)));
        }
        scratch.approx.clear();
        scratch.approx.resize(nq * k, Neighbor::NONE);
        if scratch.candidates.len() < nq {
            scratch.candidates.resize_with(nq, Vec::new);
        }
        for c in &mut scratch.candidates[..nq] {
            c.clear();
        }
        let group_bytes = BLOCK_ROWS * pd;
        let per_block = (BLOCK_BYTES / group_bytes).clamp(1, 1024);
        scratch.sums.resize(4 * per_block * BLOCK_ROWS, 0);
        scratch.scores.resize(per_block * BLOCK_ROWS, 0.0);
        let groups = rows.div_ceil(BLOCK_ROWS);
        let mut g = 0;
        while g < groups {
            let g_end = (g + per_block).min(groups);
            let start = g * BLOCK_ROWS;
            let padded = (g_end - g) * BLOCK_ROWS;
            let end = (start + padded).min(rows);
            let m = end - start;
            let blocks = &copy.blocks[g * group_bytes..g_end * group_bytes];
            let scales = &copy.scales[start..end];
            let mut q0 = 0;
            while q0 < nq {
                // Four queries per pass over the block when there are four left.
                let group = if nq - q0 >= 4 { 4 } else { 1 };
                let codes = &scratch.codes[q0 * pd..(q0 + group) * pd];
                let sums = &mut scratch.sums[..group * padded];
                if group == 4 {
                    kern.dot_blocks_u8_x4(codes, blocks, sums);
                } else {
                    kern.dot_blocks_u8(codes, blocks, sums);
                }
                for q in q0..q0 + group {
                    let sums = &scratch.sums[(q - q0) * padded..];
                    let (code, eps) = scratch.coded[q];
                    let scores = &mut scratch.scores[..m];
                    let best = scan::scores(&sums[..m], scales, &code, scores);
                    let top = &mut scratch.approx[q * k..(q + 1) * k];
                    let mut worst = top[k - 1].score;
                    // Most blocks hold no candidate once the top k has filled.
                    if best < worst - 2.0 * eps {
                        continue;
                    }
                    let cands = &mut scratch.candidates[q];
                    let exclude = excludes.get(q).copied().unwrap_or(&[]);
                    scan::for_each_at_least(scores, worst - 2.0 * eps, |r, s| {
                        // A zero or non-finite row has no cosine: it never
                        // enters the approximate top k.
                        if valid_norm(norms[start + r]) && !exclude.contains(&(start + r)) {
                            let n = Neighbor {
                                index: start + r,
                                score: s,
                            };
                            cands.push(n);
                            if s > worst {
                                insert(top, n);
                                worst = top[k - 1].score;
                            }
                        }
                        worst - 2.0 * eps
                    });
                }
                q0 += group;
            }
            g = g_end;
        }
        for q in 0..nq {
            let eps = scratch.coded[q].1;
            let tau = scratch.approx[q * k + k - 1].score;
            let query = &queries[q * dim..(q + 1) * dim];
            let inv = scratch.inv[q];
            let top = &mut scratch.top[q * k..(q + 1) * k];
            for c in &scratch.candidates[q] {
                if c.score >= tau - 2.0 * eps {
                    let i = c.index;
                    rescore(
                        top,
                        &kern,
                        query,
                        inv,
                        &matrix[i * dim..(i + 1) * dim],
                        norms[i],
                        i,
                    );
                }
            }
        }
    }
}
