//! The matrices whose top eigenvectors are the closed-form embeddings, built
//! from co-occurrence counts and applied without ever being stored dense.
//!
//! With `C` the symmetric matrix of windowed pair weights (both orders of
//! every pair; [`Cooc`] stores its upper triangle), `N = sum C`, `P_ij =
//! C_ij / N` and `P_i = sum_j P_ij` (the marginals of the weighted counts):
//!
//! * **QWEM** (Karkada et al. 2025): `M*_ij = 2 (P_ij - P_i P_j) / (P_ij +
//!   P_i P_j)`. Where a pair was never seen `P_ij = 0` and `M*_ij = -2`, so
//!   `M* = -2 1 1^T + S` with `S_ij = 4 P_ij / (P_ij + P_i P_j)` non-zero only
//!   on seen pairs: `M* x = S x - 2 (sum x) 1` costs one sparse product.
//! * **SPPMI** (Levy, Goldberg and Dagan 2015): `max(PMI_ij - log k, 0)` with
//!   `PMI_ij = log(P_ij / (P_i Q_j))`, where `Q_j = P_j^a / sum P^a` is the
//!   context distribution smoothed with exponent `a` (0.75). Smoothing makes
//!   it asymmetric; its symmetric part `(X + X^T) / 2` is what is
//!   decomposed. Zero wherever a pair was never seen: sparse.
//!
//! Both are symmetric; [`Target::apply`] computes `y = T x` on several
//! threads (each with its own accumulator, summed at the end).

use crate::error::{Error, ErrorKind, Result};
use crate::format::cooc::Cooc;

/// Which matrix to decompose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetKind {
    /// QWEM's `M*` (the closed form of word2vec's dynamics).
    Qwem,
    /// Shifted positive PMI with context smoothing: `k` (the shift `log k`)
    /// and the smoothing exponent.
    Sppmi {
        /// Negative samples `k`: PMI is shifted by `log k`.
        k: f64,
        /// Context distribution smoothing exponent (0.75 in Levy et al.).
        alpha: f64,
    },
}

impl TargetKind {
    /// Check the parameters: SPPMI needs `k > 0` and an exponent `> 0`.
    pub fn check(&self) -> Result<()> {
        match *self {
            TargetKind::Sppmi { k, alpha }
                if !(k.is_finite() && k > 0.0 && alpha.is_finite() && alpha > 0.0) =>
            {
                Err(Error::invalid(format!(
                    "SPPMI needs a shift k > 0 and a smoothing exponent > 0, got k {k}, exponent {alpha}"
                )))
            }
            _ => Ok(()),
        }
    }

    /// The name used on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            TargetKind::Qwem => "qwem",
            TargetKind::Sppmi { .. } => "sppmi",
        }
    }
}

/// A symmetric `V x V` target: a sparse part (upper triangle, CSR) plus
/// `shift` times the all-ones matrix.
#[derive(Debug, Clone)]
pub struct Target {
    n: usize,
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    shift: f64,
    threads: usize,
}

impl Target {
    /// The `kind` target of the counts `c`, applied on `threads` threads.
    pub fn new(c: &Cooc, kind: TargetKind, threads: usize) -> Result<Target> {
        let n = c.len();
        if n == 0 || c.nnz() == 0 {
            return Err(Error::new(ErrorKind::Empty, "the counts hold no pair"));
        }
        kind.check()?;
        // Marginals of the full symmetric matrix (C = U + U^T).
        let mut marg = vec![0.0f64; n];
        for i in 0..n {
            let (cols, vals) = c.row(i);
            for (&j, &w) in cols.iter().zip(vals) {
                let w = w as f64;
                marg[i] += w;
                marg[j as usize] += w;
            }
        }
        let total: f64 = marg.iter().sum();
        let p: Vec<f64> = marg.iter().map(|m| m / total).collect();
        let q: Vec<f64> = match kind {
            TargetKind::Sppmi { alpha, .. } => {
                let s: f64 = p.iter().map(|x| x.powf(alpha)).sum();
                p.iter().map(|x| x.powf(alpha) / s).collect()
            }
            TargetKind::Qwem => Vec::new(),
        };
        let mut row_ptr = Vec::with_capacity(n + 1);
        let mut cols = Vec::with_capacity(c.nnz());
        let mut vals = Vec::with_capacity(c.nnz());
        row_ptr.push(0);
        for i in 0..n {
            let (cs, ws) = c.row(i);
            for (&j, &w) in cs.iter().zip(ws) {
                let j = j as usize;
                // The diagonal holds both orders of a pair of one word.
                let pij = if i == j { 2.0 } else { 1.0 } * w as f64 / total;
                let v = match kind {
                    TargetKind::Qwem => 4.0 * pij / (pij + p[i] * p[j]),
                    TargetKind::Sppmi { k, .. } => {
                        let pmi = |a: usize, b: usize| (pij / (p[a] * q[b])).ln() - k.ln();
                        (pmi(i, j).max(0.0) + pmi(j, i).max(0.0)) / 2.0
                    }
                };
                if v != 0.0 {
                    cols.push(j as u32);
                    vals.push(v);
                }
            }
            row_ptr.push(cols.len());
        }
        if !vals.iter().all(|v| v.is_finite()) {
            return Err(Error::new(
                ErrorKind::Internal,
                "a target entry is not finite (a count that should be positive is zero)",
            ));
        }
        Ok(Target {
            n,
            row_ptr,
            cols,
            vals,
            shift: if kind == TargetKind::Qwem { -2.0 } else { 0.0 },
            threads: threads.clamp(1, 64),
        })
    }

    /// The matrix's size `V`.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the matrix is empty.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Stored entries of the sparse part's upper triangle.
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// Entry `(i, j)`, looked up (for tests and small dense checks).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (i.min(j), i.max(j));
        let (s, e) = (self.row_ptr[a], self.row_ptr[a + 1]);
        let sparse = match self.cols[s..e].binary_search(&(b as u32)) {
            Ok(k) => self.vals[s + k],
            Err(_) => 0.0,
        };
        sparse + self.shift
    }

    /// `y += S x` over rows `rows` of the upper triangle (each entry also
    /// applied as its mirror).
    fn sparse_rows(&self, rows: std::ops::Range<usize>, x: &[f64], y: &mut [f64]) {
        for i in rows {
            let (s, e) = (self.row_ptr[i], self.row_ptr[i + 1]);
            let xi = x[i];
            let mut acc = 0.0;
            for (&j, &v) in self.cols[s..e].iter().zip(&self.vals[s..e]) {
                let j = j as usize;
                acc += v * x[j];
                if j != i {
                    y[j] += v * xi;
                }
            }
            y[i] += acc;
        }
    }

    /// `y = T x`. Panics unless both have length [`Target::len`].
    pub fn apply(&self, x: &[f64], y: &mut [f64], scratch: &mut Vec<Vec<f64>>) {
        assert!(
            x.len() == self.n && y.len() == self.n,
            "apply: length mismatch"
        );
        let base = self.shift * x.iter().sum::<f64>();
        y.fill(base);
        let t = self.threads;
        if t == 1 || self.nnz() < 200_000 {
            self.sparse_rows(0..self.n, x, y);
            return;
        }
        // Rows split into `t` runs of about equal entries; each thread adds
        // into its own buffer.
        let per = self.nnz().div_ceil(t);
        let mut bounds = vec![0usize];
        for i in 0..self.n {
            if self.row_ptr[i + 1] >= per * bounds.len() && bounds.len() < t {
                bounds.push(i + 1);
            }
        }
        bounds.push(self.n);
        scratch.resize_with(bounds.len() - 1, Vec::new);
        std::thread::scope(|s| {
            for (k, buf) in scratch.iter_mut().enumerate() {
                let rows = bounds[k]..bounds[k + 1];
                s.spawn(move || {
                    buf.clear();
                    buf.resize(self.n, 0.0);
                    self.sparse_rows(rows, x, buf);
                });
            }
        });
        for buf in scratch.iter() {
            for (a, b) in y.iter_mut().zip(buf) {
                *a += b;
            }
        }
    }
}
