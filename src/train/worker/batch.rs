//! Batch skip-gram ([`TrainConfig::batch`](crate::TrainConfig::batch)):
//! one draw of negatives is shared by every context word of a centre word,
//! and the window is updated as small dense matrix products (pWord2Vec:
//! Ji et al., "Parallelizing Word2Vec in Shared and Distributed Memory",
//! 2016).
//!
//! For centre word `w` with context words `c_1..c_B` and negatives
//! `n_1..n_K`, the inputs are `X = syn0[c_1..c_B]` (B x dim) and the outputs
//! `Y = syn1[w, n_1..n_K]` (M x dim, M = 1 + K, less any negative equal to
//! `w`). With labels `l = (1, 0, .., 0)`:
//!
//! ```text
//! G = (l - sigmoid(X Y^T)) * lr      (B x M)
//! X += G Y                           (computed from Y before its update)
//! Y += G^T X                         (computed from X before its update)
//! ```
//!
//! word2vec.c instead draws fresh negatives for each (context, centre) pair
//! and applies each pair's update before the next pair's dot products. Here
//! each output row is read from memory once per centre word, not once per
//! pair, and the arithmetic runs on copies that stay in L1. Windows with more
//! than [`MAX_INPUTS`] context words (window > 8) are done in chunks of
//! `MAX_INPUTS` rows that share the negatives, each chunk seeing the outputs
//! the previous one updated.
//!
//! Everything here works in buffers sized when the worker starts: nothing
//! allocates.

use super::{SATURATED, Worker};
use crate::error::{Error, ErrorKind, Result};
use crate::simd::{Kernels, log_sigmoid, sigmoid};

/// Context rows per matrix product.
pub(super) const MAX_INPUTS: usize = 16;

/// The batch update's working memory, sized for `dim` and `negative` once.
pub(super) struct Buffers {
    /// Copies of the context rows (`MAX_INPUTS x dim`): X before the update.
    inputs: Vec<f32>,
    /// Copies of the output rows (`(1 + negative) x dim`): Y before the update.
    outputs: Vec<f32>,
    /// Scores, then gradient scales: `G`, `MAX_INPUTS x (1 + negative)`, by input.
    g: Vec<f32>,
    /// `G` transposed, by output.
    gt: Vec<f32>,
    /// The context words of the current chunk.
    contexts: [u32; MAX_INPUTS],
    /// The output words: the centre word, then the negatives that differ from it.
    targets: Vec<u32>,
}

impl Buffers {
    /// Working memory for `dim` and `negative`, or none if `enabled` is
    /// false. A failed allocation is an [`ErrorKind::OutOfMemory`] error.
    pub(super) fn new(enabled: bool, dim: usize, negative: usize) -> Result<Buffers> {
        let (b, m) = if enabled {
            (MAX_INPUTS, 1 + negative)
        } else {
            (0, 0)
        };
        let zeros = |n: usize| -> Result<Vec<f32>> {
            let mut v = Vec::new();
            v.try_reserve_exact(n).map_err(|_| {
                Error::new(
                    ErrorKind::OutOfMemory,
                    format!("cannot allocate the batch update's {n} floats"),
                )
            })?;
            v.resize(n, 0.0);
            Ok(v)
        };
        Ok(Buffers {
            inputs: zeros(b * dim)?,
            outputs: zeros(m * dim)?,
            g: zeros(b * m)?,
            gt: zeros(b * m)?,
            contexts: [0; MAX_INPUTS],
            targets: Vec::with_capacity(m),
        })
    }
}

/// The gradient scales of one chunk: with `nb = inputs.len() / dim` inputs
/// and `m = outputs.len() / dim` outputs (the first one observed, the others
/// negatives), `g[b m + j] = (label_j - sigmoid(x_b . y_j)) * lr` and
/// `gt[j nb + b]` the same, transposed; with `skip_saturated`, 0 where
/// `|x_b . y_j| >= SATURATED` (gensim's rule). Returns the chunk's loss,
/// `-sum_b (ln sigmoid(x_b . y_0) + sum_{j>0} ln sigmoid(-x_b . y_j))`.
#[allow(
    clippy::too_many_arguments,
    reason = "the chunk's shapes and buffers, borrowed apart"
)]
fn gradients(
    k: &Kernels,
    lr: f32,
    skip_saturated: bool,
    dim: usize,
    inputs: &[f32],
    outputs: &[f32],
    g: &mut [f32],
    gt: &mut [f32],
) -> f32 {
    let (nb, m) = (inputs.len() / dim, outputs.len() / dim);
    let mut loss = 0.0f32;
    for (bi, (x, g)) in inputs
        .chunks_exact(dim)
        .zip(g.chunks_exact_mut(m))
        .enumerate()
    {
        k.dot_rows(x, outputs, g);
        for (j, gj) in g.iter_mut().enumerate() {
            let f = *gj;
            if j == 0 {
                *gj = (1.0 - sigmoid(f)) * lr;
                loss -= log_sigmoid(f);
            } else {
                *gj = -sigmoid(f) * lr;
                loss -= log_sigmoid(-f);
            }
            if skip_saturated && f.abs() >= SATURATED {
                *gj = 0.0;
            }
            gt[j * nb + bi] = *gj;
        }
    }
    loss
}

impl Worker<'_, '_> {
    /// Batch skip-gram over `self.sentence` (see the module documentation).
    pub(super) fn skip_gram_batch(&mut self) {
        let (sh, k, lr) = (self.sh, self.k, self.lr);
        let n = self.sentence.len();
        for i in 0..n {
            let (word, lo, hi) = self.position(i);
            let b = &mut self.batch;
            let dim = sh.config.dim;
            b.targets.clear();
            b.targets.push(word);
            for &t in self.negatives.iter() {
                if t != word {
                    b.targets.push(t);
                }
            }
            let m = b.targets.len();
            for (&t, y) in b.targets.iter().zip(b.outputs.chunks_exact_mut(dim)) {
                // SAFETY: `word` and the sampler's negatives are below
                // vocab.len() == syn1.rows(); the row is only read here.
                y.copy_from_slice(unsafe { sh.syn1.row(t as usize) });
            }
            let mut c = lo;
            while c <= hi {
                // The next chunk of at most MAX_INPUTS context words.
                let mut nb = 0;
                while c <= hi && nb < MAX_INPUTS {
                    if c != i {
                        let ctx = self.sentence[c];
                        b.contexts[nb] = ctx;
                        // SAFETY: `ctx < vocab.len() == syn0.rows()`; read only.
                        let row = unsafe { sh.syn0.row(ctx as usize) };
                        b.inputs[nb * dim..(nb + 1) * dim].copy_from_slice(row);
                        nb += 1;
                    }
                    c += 1;
                }
                if nb == 0 {
                    continue;
                }
                let inputs = &b.inputs[..nb * dim];
                let outputs = &b.outputs[..m * dim];
                let loss = gradients(
                    &k,
                    lr,
                    sh.config.skip_saturated,
                    dim,
                    inputs,
                    outputs,
                    &mut b.g,
                    &mut b.gt,
                );
                self.loss_sum += loss as f64;
                self.loss_n += nb as u64;
                // X += G Y, from the copies of Y before its update.
                for (&ctx, g) in b.contexts[..nb].iter().zip(b.g.chunks_exact(m)) {
                    // SAFETY: as above; no other borrow of this row is live.
                    k.axpy_rows(g, outputs, unsafe { sh.syn0.row(ctx as usize) });
                }
                // Y += G^T X, from the copies of X before its update; the
                // copies of Y follow for the next chunk, if any.
                let more = c <= hi;
                for ((&t, gt), y) in b
                    .targets
                    .iter()
                    .zip(b.gt.chunks_exact(nb))
                    .zip(b.outputs.chunks_exact_mut(dim))
                {
                    // SAFETY: as above; no other borrow of this row is live.
                    let row = unsafe { sh.syn1.row(t as usize) };
                    k.axpy_rows(gt, inputs, row);
                    if more {
                        y.copy_from_slice(row);
                    }
                }
            }
            Self::draw_negatives(sh, &mut self.rng, &mut self.negatives);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_follow_the_formula_and_transpose() {
        let k = Kernels::new(crate::simd::Level::Scalar).unwrap();
        let (dim, nb, m, lr) = (5, 3, 4, 0.1f32);
        let val = |i: usize| ((i * 37 % 23) as f32 - 11.0) / 9.0;
        let inputs: Vec<f32> = (0..nb * dim).map(val).collect();
        let outputs: Vec<f32> = (0..m * dim).map(|i| val(i + 100)).collect();
        let (mut g, mut gt) = (
            vec![f32::NAN; MAX_INPUTS * m],
            vec![f32::NAN; MAX_INPUTS * m],
        );
        let loss = gradients(&k, lr, false, dim, &inputs, &outputs, &mut g, &mut gt);
        let mut want_loss = 0.0f64;
        for b in 0..nb {
            for j in 0..m {
                let f: f64 = (0..dim)
                    .map(|i| inputs[b * dim + i] as f64 * outputs[j * dim + i] as f64)
                    .sum();
                let label = if j == 0 { 1.0 } else { 0.0 };
                let s = 1.0 / (1.0 + (-f).exp());
                let want = (label - s) * lr as f64;
                assert!((g[b * m + j] as f64 - want).abs() < 1e-5, "g[{b}][{j}]");
                assert_eq!(gt[j * nb + b], g[b * m + j], "gt[{j}][{b}]");
                want_loss -= if j == 0 { s.ln() } else { (1.0 - s).ln() };
            }
        }
        assert!(
            (loss as f64 - want_loss).abs() < 1e-3,
            "{loss} vs {want_loss}"
        );
        assert!(
            g[nb * m..].iter().all(|x| x.is_nan()),
            "g written past the chunk"
        );
    }
}
