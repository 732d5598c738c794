//! What word2vec converges to, computed directly: closed-form embeddings
//! from the top eigenvectors of a target matrix built from co-occurrence
//! counts.
//!
//! Karkada, Simon, Bahri and DeWeese (2025) show that, under mild
//! approximations, word2vec's training reduces to a least-squares
//! factorisation of QWEM's matrix `M*` ([`target`]): its final embeddings
//! are the top eigenvectors of `M*`, each scaled by the square root of its
//! eigenvalue. Levy and Goldberg (2014) read SGNS as an implicit
//! factorisation of shifted PMI; its sparse positive part is the second
//! target. [`embed`] computes either: the counts ([`crate::text::cooc`])
//! become a sparse operator, [`lanczos`] finds its top `D` eigenpairs
//! without forming the `V x V` matrix, and word `i`'s vector is row `i` of
//! `U diag(max(lambda, 0)^p)`, `p = 1/2` by default.
//!
//! The result is an ordinary [`Embeddings`], words in frequency order (the
//! count file's), so every query, evaluation, file format and the C ABI
//! serve it as they serve trained vectors.

pub mod lanczos;
pub mod target;

pub use target::{Target, TargetKind};

use crate::error::{Error, Result};
use crate::format::cooc::Cooc;
use crate::model::Embeddings;
use lanczos::{EigenOptions, top_eigenpairs};
use serde::Serialize;

/// How to compute closed-form embeddings.
#[derive(Debug, Clone)]
pub struct SpectralConfig {
    /// The matrix to decompose.
    pub target: TargetKind,
    /// Embedding dimension `D`: the number of eigenpairs.
    pub dim: usize,
    /// Each eigenvector is scaled by `max(lambda, 0)^eig_power` (1/2: the
    /// factorisation `M ~ W W^T`).
    pub eig_power: f64,
    /// Threads for the sparse products.
    pub threads: usize,
    /// Eigensolver options (tolerance, seed, limits).
    pub eigen: EigenOptions,
}

impl Default for SpectralConfig {
    fn default() -> Self {
        SpectralConfig {
            target: TargetKind::Qwem,
            dim: 100,
            eig_power: 0.5,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            eigen: EigenOptions::default(),
        }
    }
}

impl SpectralConfig {
    /// Check the parameters against a vocabulary of `v` words.
    pub fn check(&self, v: usize) -> Result<()> {
        self.target.check()?;
        if self.dim == 0 {
            return Err(Error::invalid("the dimension must be at least 1"));
        }
        if self.dim > v {
            return Err(Error::invalid(format!(
                "the dimension {} is larger than the vocabulary ({v} words): at most {v} eigenvectors exist",
                self.dim
            )));
        }
        if !(self.eigen.tol > 0.0 && self.eigen.tol < 1.0) {
            return Err(Error::invalid(format!(
                "the eigensolver tolerance must be in (0, 1), got {}",
                self.eigen.tol
            )));
        }
        if !self.eig_power.is_finite() || self.eig_power < 0.0 {
            return Err(Error::invalid(format!(
                "the eigenvalue power must be a finite number >= 0, got {}",
                self.eig_power
            )));
        }
        Ok(())
    }
}

/// What a spectral run reports.
#[derive(Debug, Clone, Serialize)]
pub struct SpectralReport {
    /// `qwem` or `sppmi`.
    pub target: &'static str,
    /// Words.
    pub vocab: usize,
    /// Dimension.
    pub dim: usize,
    /// Stored entries of the sparse part (upper triangle).
    pub nnz: usize,
    /// The eigenvalues found, largest first.
    pub eigenvalues: Vec<f64>,
    /// Eigenvalues that were not positive (their columns are zero).
    pub non_positive: usize,
    /// Matrix-vector products the eigensolver used.
    pub matvecs: usize,
    /// The largest residual `|T u - lambda u|` of a pair.
    pub max_residual: f64,
    /// Whether every pair met the tolerance (else the best pairs found
    /// within the eigensolver's product budget were used).
    pub converged: bool,
    /// Seconds building the target.
    pub build_seconds: f64,
    /// Seconds in the eigensolver.
    pub solve_seconds: f64,
}

/// Closed-form embeddings of the counts `c` (see the module documentation).
pub fn embed(c: &Cooc, config: &SpectralConfig) -> Result<(Embeddings, SpectralReport)> {
    let v = c.len();
    config.check(v)?;
    let t0 = std::time::Instant::now();
    let target = Target::new(c, config.target, config.threads)?;
    let build_seconds = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let mut scratch = Vec::new();
    let pairs = top_eigenpairs(
        v,
        config.dim,
        |x, y| target.apply(x, y, &mut scratch),
        &config.eigen,
    )?;
    let solve_seconds = t1.elapsed().as_secs_f64();
    let d = config.dim;
    let mut data = vec![0.0f32; v * d];
    let mut non_positive = 0;
    for (k, &lambda) in pairs.values.iter().enumerate() {
        let s = if lambda > 0.0 {
            lambda.powf(config.eig_power)
        } else {
            non_positive += 1;
            0.0
        };
        let u = &pairs.vectors[k * v..(k + 1) * v];
        for (i, &x) in u.iter().enumerate() {
            data[i * d + k] = (x * s) as f32;
        }
    }
    let emb = Embeddings::new(c.words.clone(), c.counts.clone(), d, data)?;
    let report = SpectralReport {
        target: config.target.name(),
        vocab: v,
        dim: d,
        nnz: target.nnz(),
        eigenvalues: pairs.values.clone(),
        non_positive,
        matvecs: pairs.matvecs,
        max_residual: pairs.max_residual,
        converged: pairs.converged,
        build_seconds,
        solve_seconds,
    };
    Ok((emb, report))
}
