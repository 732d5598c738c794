//! The `k` algebraically largest eigenpairs of a symmetric `n x n` operator
//! known only through its product with a vector: thick-restart Lanczos
//! (Wu & Simon) with full reorthogonalization, locking, and a final
//! verification cycle, in `f64`.
//!
//! # What Lanczos does
//! From a random unit vector `v_0`, Lanczos builds an orthonormal basis
//! `V = [v_0 .. v_{m-1}]` of the Krylov space `span(v_0, A v_0, A^2 v_0, ..)`
//! one product at a time: `w = A v_j`, minus its projection on the basis, is
//! `beta_j v_{j+1}`. The projected matrix `T = V^T A V` (tridiagonal in exact
//! arithmetic) is small (`m x m`), and its eigenpairs `(theta_i, s_i)` give
//! the Ritz pairs `(theta_i, V s_i)`, whose extreme values converge first to
//! the extreme eigenvalues of `A`. Because `A V = V T + beta_m v_m e_m^T`,
//! the residual of a Ritz pair is known without another product:
//! `||A y_i - theta_i y_i|| = |beta_m s_{m,i}|`.
//!
//! # Why thick restart
//! A basis of `m` vectors of length `n` costs `m n` floats and each new vector
//! costs `O(m n)` to orthogonalize, so `m` is bounded (see
//! [`EigenOptions::basis`]). When the basis is full, the thick restart keeps
//! the best Ritz vectors (the wanted ones plus about half of the free room,
//! which speeds convergence) and the residual direction `v_m`. The kept
//! vectors satisfy `A y_i = theta_i y_i + (beta_m s_{m,i}) v_m`, so the new
//! basis is again a Krylov-like basis whose projected matrix is
//! `diag(theta)` with an arrow to `v_m`; Lanczos goes on from `v_m`. Unlike a
//! plain restart from one vector, nothing learnt is thrown away.
//!
//! # Why full reorthogonalization
//! In floating point the textbook three-term recurrence loses orthogonality as
//! soon as a Ritz pair converges, and ghost copies of converged eigenvalues
//! appear. Here every new vector is orthogonalized against the whole basis
//! with two passes of classical Gram-Schmidt ("twice is enough": the second
//! pass removes what rounding left of the first), as block products over the
//! basis (`faer`). The projected matrix is filled from these exact
//! coefficients, so it is `V^T A V` to rounding, with no assumed structure.
//!
//! # Locking, and a huge eigenvalue at the other end
//! A Ritz pair whose residual passes the test below is locked: its vector
//! stays at the front of the basis, every new vector is orthogonalized against
//! it, and the Rayleigh-Ritz step sees only the active part. Locking the wanted
//! pairs as they converge frees room for the rest. A converged unwanted pair
//! whose `|theta|` exceeds every wanted value (such as the eigenvalue near
//! `-2V` of `M = -2 * 1 1^T + S`) is locked too: deflated, it no longer
//! widens the spectrum the Krylov space must resolve, so it cannot slow the
//! wanted ones, and it is never returned unless `k` reaches down to it.
//!
//! # Repeated eigenvalues: the verification cycle
//! From one start vector, Lanczos sees only one direction of each eigenspace:
//! a second copy of an eigenvalue is invisible, and the pairs found all have
//! small residuals. So when the top `k` are all locked, one more cycle runs
//! from a fresh random vector orthogonal to the locked ones. If no Ritz value
//! of that cycle enters the top `k`, the run ends; otherwise the newcomers
//! converge, are locked, and another verification follows. It costs one
//! cycle of `m - k` products.
//!
//! # The convergence test
//! A pair is converged when `|beta_m s_{m,i}| <= tol * scale`, where `scale`
//! is the largest of `|theta|` over all Ritz values and `||A v||` over all
//! products so far: a lower bound of `||A||_2` that is reached fast, since the
//! extreme eigenvalues converge first. The test is relative to the whole
//! operator (as LAPACK's and ARPACK's are), so the eigenvalue error is about
//! `(tol * scale)^2 / gap` and the vector's angle about `tol * scale / gap`.
//!
//! # Invariant subspaces
//! If `beta_j` is negligible (at most `1e-12 * scale`), the basis spans an
//! invariant subspace and there is nothing to normalize. Lanczos then goes on
//! from a fresh random vector orthogonal to the basis (this also finds the
//! other copies of repeated eigenvalues on small operators). When the basis
//! spans the whole space (`n` vectors), every Ritz pair is exact.
//!
//! # Not converging
//! When `max_matvecs` products are spent first, the best `k` pairs found are
//! returned with `converged == false` and each one's residual estimate: the
//! caller decides whether they are good enough. An error would throw away
//! usable, and usually nearly converged, pairs.
//!
//! # Cost
//! Memory: `(m + 1) n` floats for the basis, plus `O(m^2)`. Time per cycle:
//! the products, `O(m^2 n)` for the reorthogonalization and the restart's
//! rotation of the basis, and `O(m^3)` for the projected eigenproblem
//! (negligible while `m` is far below `n`).
//!
//! # Determinism
//! Random vectors come from a `SmallRng` seeded with [`EigenOptions::seed`],
//! and every dense step runs sequentially, so a run is reproducible bit for
//! bit on one machine (the dense kernels may differ by rounding between CPUs).

use crate::error::{Error, ErrorKind, Result};
use faer::linalg::matmul::matmul;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par, Side};
use rand::{Rng, SeedableRng, rngs::SmallRng};

/// Rows per block when the basis is rotated in place at a restart.
const ROW_BLOCK: usize = 256;

/// A new vector's norm after orthogonalization, relative to the operator's
/// scale, at or below which the basis is taken to span an invariant subspace.
const BREAKDOWN: f64 = 1e-12;

/// Options for [`top_eigenpairs`]; [`Default`] gives sensible values.
#[derive(Debug, Clone, PartialEq)]
pub struct EigenOptions {
    /// Relative residual at which a pair is converged: `|beta_m s_{m,i}| <=
    /// tol * scale`, `scale` the largest magnitude seen (module docs). In
    /// `(0, 1)`; default `1e-8`.
    pub tol: f64,
    /// The most operator products to spend; at least the basis size.
    /// Default `20_000`.
    pub max_matvecs: usize,
    /// Seed of the random start (and restart) vectors. Default `0x5eed`.
    pub seed: u64,
    /// Krylov basis size `m`; `None` for [`default_basis`]`(k)`. Capped at
    /// `n`; it must be at least `k + 2` unless that exceeds `n`.
    pub basis: Option<usize>,
}

impl Default for EigenOptions {
    fn default() -> Self {
        EigenOptions {
            tol: 1e-8,
            max_matvecs: 20_000,
            seed: 0x5eed,
            basis: None,
        }
    }
}

/// The default Krylov basis size for `k` wanted pairs: `max(2k + 20, k + 64)`
/// (capped at `n` by the solver).
pub fn default_basis(k: usize) -> usize {
    (2 * k + 20).max(k + 64)
}

/// The result of [`top_eigenpairs`].
#[derive(Debug, Clone, PartialEq)]
pub struct EigenPairs {
    /// The operator's dimension (length of each vector).
    pub n: usize,
    /// The `k` eigenvalues, largest first.
    pub values: Vec<f64>,
    /// The eigenvectors, `n x k` column-major: column `j` (unit norm, for
    /// `values[j]`) is `vectors[j * n..(j + 1) * n]`; see [`EigenPairs::vector`].
    pub vectors: Vec<f64>,
    /// Each pair's residual estimate `||A y - theta y||`, in `values`' order.
    pub residuals: Vec<f64>,
    /// Operator products spent.
    pub matvecs: usize,
    /// Restarts (thick restarts and verification cycles).
    pub restarts: usize,
    /// The largest of `residuals`.
    pub max_residual: f64,
    /// Whether every pair passed the convergence test and the verification
    /// cycle found nothing more; `false` when `max_matvecs` ran out first.
    pub converged: bool,
}

impl EigenPairs {
    /// Eigenvector `j` (for `values[j]`), of length `n`.
    pub fn vector(&self, j: usize) -> &[f64] {
        &self.vectors[j * self.n..(j + 1) * self.n]
    }
}

/// The `k` algebraically largest eigenpairs of the symmetric `n x n` operator
/// whose product `y = A x` is `matvec(x, y)` (`y` arrives zeroed), by
/// thick-restart Lanczos (module docs).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`], before any product, when `k == 0`,
/// `k > n`, `tol` is not in `(0, 1)`, the basis is smaller than `k + 2` (and
/// than `n`) or `max_matvecs` smaller than the basis; and when the operator
/// returns a NaN or an infinity. [`ErrorKind::Internal`] if the small dense
/// eigensolver fails. Running out of products is not an error: see
/// [`EigenPairs::converged`].
pub fn top_eigenpairs(
    n: usize,
    k: usize,
    mut matvec: impl FnMut(&[f64], &mut [f64]),
    opts: &EigenOptions,
) -> Result<EigenPairs> {
    let m = check(n, k, opts)?;
    Solver::new(n, k, m, opts).run(&mut matvec)
}

/// Checks the arguments; returns the basis size.
fn check(n: usize, k: usize, opts: &EigenOptions) -> Result<usize> {
    if k == 0 {
        return Err(Error::invalid(
            "top_eigenpairs: k must be at least 1 (0 eigenpairs asked for)",
        ));
    }
    if k > n {
        return Err(Error::invalid(format!(
            "top_eigenpairs: k = {k} eigenpairs asked for, but the operator has dimension n = {n}"
        )));
    }
    if !(opts.tol > 0.0 && opts.tol < 1.0) {
        return Err(Error::invalid(format!(
            "top_eigenpairs: tol must be in (0, 1), got {}",
            opts.tol
        )));
    }
    let m = opts.basis.unwrap_or_else(|| default_basis(k)).min(n);
    if m < (k + 2).min(n) {
        return Err(Error::invalid(format!(
            "top_eigenpairs: a basis of {m} vectors is too small for k = {k} (at least {})",
            (k + 2).min(n)
        )));
    }
    if opts.max_matvecs < m {
        return Err(Error::invalid(format!(
            "top_eigenpairs: max_matvecs = {} is below the basis size {m}",
            opts.max_matvecs
        )));
    }
    Ok(m)
}

/// A pair of the union of locked and active Ritz pairs.
#[derive(Debug, Clone, Copy)]
enum Pick {
    /// Locked pair `i` (basis column `i`).
    Locked(usize),
    /// Active Ritz pair `i` of the last Rayleigh-Ritz step.
    Active(usize),
}

/// The solver's state. Basis columns `0..nl` are locked, `nl..len` active,
/// and column `len` is the next vector to expand (the continuation).
struct Solver {
    n: usize,
    k: usize,
    m: usize,
    tol: f64,
    max_matvecs: usize,
    /// `n x (m + 1)`, column-major.
    v: Vec<f64>,
    /// The product being orthogonalized (and scratch for random vectors).
    w: Vec<f64>,
    /// Gram-Schmidt coefficients of the two passes.
    h: Vec<f64>,
    h2: Vec<f64>,
    /// `V^T A V`, `m x m` column-major, filled column by column.
    t: Vec<f64>,
    /// `ROW_BLOCK x m` scratch for the rotation.
    tmp: Vec<f64>,
    rng: SmallRng,
    nl: usize,
    len: usize,
    /// Norm of the last product's remainder: the active part's `beta_m`.
    beta: f64,
    /// Whether column `len` holds a valid continuation vector.
    cont: bool,
    locked_vals: Vec<f64>,
    locked_res: Vec<f64>,
    /// Locked unwanted pairs (the dominant ones at the other end).
    unwanted: usize,
    scale: f64,
    matvecs: usize,
    restarts: usize,
}

impl Solver {
    fn new(n: usize, k: usize, m: usize, opts: &EigenOptions) -> Self {
        Solver {
            n,
            k,
            m,
            tol: opts.tol,
            max_matvecs: opts.max_matvecs,
            v: vec![0.0; n * (m + 1)],
            w: vec![0.0; n],
            h: vec![0.0; m + 1],
            h2: vec![0.0; m + 1],
            t: vec![0.0; m * m],
            tmp: vec![0.0; ROW_BLOCK.min(n) * m],
            rng: SmallRng::seed_from_u64(opts.seed),
            nl: 0,
            len: 0,
            beta: 0.0,
            cont: false,
            locked_vals: Vec::with_capacity(m),
            locked_res: Vec::with_capacity(m),
            unwanted: 0,
            scale: 0.0,
            matvecs: 0,
            restarts: 0,
        }
    }

    fn run(&mut self, matvec: &mut impl FnMut(&[f64], &mut [f64])) -> Result<EigenPairs> {
        self.cont = self.fresh(0);
        // Whether the current cycle is a verification (from a fresh vector
        // after the top k were all locked).
        let mut verifying = false;
        loop {
            self.extend(matvec)?;
            let (theta, s) = self.ritz()?;
            let sz = theta.len();
            let res: Vec<f64> = (0..sz)
                .map(|i| (self.beta * s[(sz - 1, i)]).abs())
                .collect();
            self.scale = theta.iter().fold(self.scale, |a, x| a.max(x.abs()));
            let thr = self.tol * self.scale;
            let top = self.top_k(&theta);
            let wanted: Vec<usize> = top
                .iter()
                .filter_map(|p| match p {
                    Pick::Active(i) => Some(*i),
                    Pick::Locked(_) => None,
                })
                .collect();
            let mut lock: Vec<usize> = wanted.iter().copied().filter(|&i| res[i] <= thr).collect();
            let all_converged = lock.len() == wanted.len();
            // Verified: nothing new entered the top k; exhausted: the basis
            // spans the whole space, so every pair is exact.
            let verified = verifying && wanted.is_empty();
            let exhausted = !self.cont;
            if verified || exhausted || self.matvecs >= self.max_matvecs {
                let done = all_converged && (verified || exhausted);
                return self.finish(&top, &theta, &s, &res, done);
            }
            // Converged unwanted pairs that dominate every wanted value.
            let vmax = top
                .iter()
                .map(|&p| self.value(p, &theta).abs())
                .fold(0.0, f64::max);
            let cap = (self.m - self.k) / 4;
            for i in 0..sz {
                if !(theta[i] < 0.0 && -theta[i] > vmax && res[i] <= thr) || self.unwanted >= cap {
                    break;
                }
                if !wanted.contains(&i) {
                    lock.push(i);
                    self.unwanted += 1;
                }
            }
            self.restarts += 1;
            let free = self.m - self.nl - lock.len();
            if all_converged {
                // The top k are locked: verify from a fresh vector, unless
                // the locked vectors span the space or fill the basis.
                self.restart(&s, &lock, &[], &theta, &res);
                self.cont = free >= 2 && self.fresh(self.nl);
                if !self.cont {
                    let top = self.top_k(&[]);
                    return self.finish(&top, &[], &s, &[], true);
                }
                verifying = true;
            } else if free < 2 {
                return self.finish(&top, &theta, &s, &res, false);
            } else {
                let kw = wanted.len() - lock.iter().filter(|i| wanted.contains(i)).count();
                let nkeep = (kw + free.saturating_sub(kw) / 2).min(free - 1);
                let keep: Vec<usize> = (0..sz)
                    .rev()
                    .filter(|i| !lock.contains(i))
                    .take(nkeep)
                    .collect();
                self.restart(&s, &lock, &keep, &theta, &res);
                verifying = false;
            }
        }
    }

    /// Lanczos steps from column `len` until the basis is full or the budget
    /// is spent.
    fn extend(&mut self, matvec: &mut impl FnMut(&[f64], &mut [f64])) -> Result<()> {
        let (n, m) = (self.n, self.m);
        while self.len < m && self.matvecs < self.max_matvecs && self.cont {
            let j = self.len;
            self.w.fill(0.0);
            matvec(&self.v[j * n..(j + 1) * n], &mut self.w);
            self.matvecs += 1;
            if let Some(i) = self.w.iter().position(|x| !x.is_finite()) {
                return Err(Error::invalid(format!(
                    "top_eigenpairs: the operator returned {} at entry {i} of product {} \
                     (a NaN or infinity in the matrix or its scaling)",
                    if self.w[i].is_nan() {
                        "NaN"
                    } else {
                        "an infinity"
                    },
                    self.matvecs
                )));
            }
            let anorm = norm(&self.w);
            self.scale = self.scale.max(anorm);
            self.orthogonalize(j + 1);
            for i in 0..=j {
                self.t[i + j * m] = self.h[i];
                self.t[j + i * m] = self.h[i];
            }
            let beta = norm(&self.w);
            self.len = j + 1;
            if beta > BREAKDOWN * self.scale {
                self.beta = beta;
                let next = &mut self.v[(j + 1) * n..(j + 2) * n];
                for (x, y) in next.iter_mut().zip(&self.w) {
                    *x = y / beta;
                }
            } else {
                // An invariant subspace: go on from a fresh direction.
                self.beta = 0.0;
                self.cont = self.fresh(j + 1);
            }
        }
        Ok(())
    }

    /// Two passes of classical Gram-Schmidt of `w` against columns `0..cols`;
    /// the summed coefficients land in `h[..cols]`.
    fn orthogonalize(&mut self, cols: usize) {
        let n = self.n;
        if cols == 0 {
            return;
        }
        let basis = MatRef::from_column_major_slice(&self.v[..n * cols], n, cols);
        for pass in 0..2 {
            let c = if pass == 0 {
                &mut self.h[..cols]
            } else {
                &mut self.h2[..cols]
            };
            let w = MatRef::from_column_major_slice(&self.w, n, 1);
            matmul(
                MatMut::from_column_major_slice_mut(c, cols, 1),
                Accum::Replace,
                basis.transpose(),
                w,
                1.0,
                Par::Seq,
            );
            matmul(
                MatMut::from_column_major_slice_mut(&mut self.w, n, 1),
                Accum::Add,
                basis,
                MatRef::from_column_major_slice(c, cols, 1),
                -1.0,
                Par::Seq,
            );
        }
        for (a, b) in self.h[..cols].iter_mut().zip(&self.h2[..cols]) {
            *a += b;
        }
    }

    /// Fills column `c` with a random unit vector orthogonal to columns
    /// `0..c`; `false` if there is none (the columns span the space).
    fn fresh(&mut self, c: usize) -> bool {
        let n = self.n;
        if c >= n {
            return false;
        }
        for _ in 0..3 {
            for x in self.w.iter_mut() {
                // Uniform in [-1, 1) from the top 53 bits.
                *x = (self.rng.next_u64() >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0;
            }
            let before = norm(&self.w);
            self.orthogonalize(c);
            let after = norm(&self.w);
            if after > 1e-6 * before {
                for (x, y) in self.v[c * n..(c + 1) * n].iter_mut().zip(&self.w) {
                    *x = y / after;
                }
                return true;
            }
        }
        false
    }

    /// Rayleigh-Ritz on the active block: Ritz values (ascending) and the
    /// projected matrix's eigenvectors.
    fn ritz(&self) -> Result<(Vec<f64>, Mat<f64>)> {
        let (nl, m, sz) = (self.nl, self.m, self.len - self.nl);
        if sz == 0 {
            return Ok((Vec::new(), Mat::zeros(0, 0)));
        }
        let t = Mat::from_fn(sz, sz, |i, j| self.t[(nl + i) + (nl + j) * m]);
        let e = t.self_adjoint_eigen(Side::Lower).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("top_eigenpairs: eigendecomposition of the {sz} x {sz} projected matrix failed: {e:?}"),
            )
        })?;
        let d = e.S().column_vector();
        Ok(((0..sz).map(|i| d[i]).collect(), e.U().to_owned()))
    }

    /// The value of a pick.
    fn value(&self, p: Pick, theta: &[f64]) -> f64 {
        match p {
            Pick::Locked(i) => self.locked_vals[i],
            Pick::Active(i) => theta[i],
        }
    }

    /// The `k` largest of the locked values and `theta`, largest first (on a
    /// tie, locked pairs first).
    fn top_k(&self, theta: &[f64]) -> Vec<Pick> {
        let mut all: Vec<Pick> = (0..self.nl)
            .map(Pick::Locked)
            .chain((0..theta.len()).rev().map(Pick::Active))
            .collect();
        all.sort_by(|&a, &b| self.value(b, theta).total_cmp(&self.value(a, theta)));
        all.truncate(self.k);
        all
    }

    /// Thick restart: the Ritz vectors `lock` join the locked block, the
    /// Ritz vectors `keep` stay active, and the continuation follows them.
    fn restart(
        &mut self,
        s: &Mat<f64>,
        lock: &[usize],
        keep: &[usize],
        theta: &[f64],
        res: &[f64],
    ) {
        let (n, m, nl, len) = (self.n, self.m, self.nl, self.len);
        let sel: Vec<usize> = lock.iter().chain(keep).copied().collect();
        let (sz, l) = (len - nl, sel.len());
        let y = Mat::from_fn(sz, l, |i, j| s[(i, sel[j])]);
        let mut v = MatMut::from_column_major_slice_mut(&mut self.v[..n * len], n, len);
        for r0 in (0..n).step_by(ROW_BLOCK) {
            let rows = ROW_BLOCK.min(n - r0);
            let mut tmp = MatMut::from_column_major_slice_mut(&mut self.tmp[..rows * l], rows, l);
            matmul(
                tmp.rb_mut(),
                Accum::Replace,
                v.rb().submatrix(r0, nl, rows, sz),
                y.as_ref(),
                1.0,
                Par::Seq,
            );
            v.rb_mut()
                .submatrix_mut(r0, nl, rows, l)
                .copy_from(tmp.rb());
        }
        if self.cont {
            self.v.copy_within(len * n..(len + 1) * n, (nl + l) * n);
        }
        for &i in lock {
            self.locked_vals.push(theta[i]);
            self.locked_res.push(res[i]);
        }
        self.nl += lock.len();
        self.len = self.nl + keep.len();
        self.t.fill(0.0);
        for (j, &i) in keep.iter().enumerate() {
            let c = self.nl + j;
            self.t[c + c * m] = theta[i];
        }
        if !self.cont {
            self.cont = self.fresh(self.len);
        }
    }

    /// The result: the picks' values, unit vectors and residuals.
    fn finish(
        &self,
        top: &[Pick],
        theta: &[f64],
        s: &Mat<f64>,
        res: &[f64],
        done: bool,
    ) -> Result<EigenPairs> {
        let (n, nl) = (self.n, self.nl);
        if top.len() < self.k {
            return Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "top_eigenpairs: only {} Ritz pairs for k = {}",
                    top.len(),
                    self.k
                ),
            ));
        }
        let active =
            MatRef::from_column_major_slice(&self.v[nl * n..self.len * n], n, self.len - nl);
        let mut vectors = vec![0.0; n * self.k];
        let (mut values, mut residuals) = (Vec::with_capacity(self.k), Vec::with_capacity(self.k));
        for (j, &p) in top.iter().enumerate() {
            let out = &mut vectors[j * n..(j + 1) * n];
            match p {
                Pick::Locked(i) => {
                    out.copy_from_slice(&self.v[i * n..(i + 1) * n]);
                    residuals.push(self.locked_res[i]);
                }
                Pick::Active(i) => {
                    matmul(
                        MatMut::from_column_major_slice_mut(out, n, 1),
                        Accum::Replace,
                        active,
                        s.as_ref().col(i).as_mat(),
                        1.0,
                        Par::Seq,
                    );
                    residuals.push(res[i]);
                }
            }
            let norm = norm(out);
            out.iter_mut().for_each(|x| *x /= norm);
            values.push(self.value(p, theta));
        }
        let max_residual = residuals.iter().copied().fold(0.0, f64::max);
        Ok(EigenPairs {
            n,
            values,
            vectors,
            residuals,
            matvecs: self.matvecs,
            restarts: self.restarts,
            max_residual,
            converged: done,
        })
    }
}

/// The Euclidean norm.
fn norm(x: &[f64]) -> f64 {
    x.iter().map(|a| a * a).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests;
