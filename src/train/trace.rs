//! Training traces: what the embedding matrix looks like as training goes.
//!
//! At every trace point (every [`TraceConfig::every`] words, and at the start
//! and the end) a snapshot of the input vectors `W` (`V x D`) is taken and
//! analysed off the hot loop:
//!
//! * the top-`k` singular values of `W`, the square roots of the largest
//!   eigenvalues of its `D x D` Gram matrix `W^T W` (accumulated in `f64`, so
//!   a direction that has not started to grow is still resolved next to one
//!   that has);
//! * with a reference model (a closed form from `w2v spectral`), the overlap
//!   of `W`'s top-`j` left singular subspace with the reference's, for `j = 1
//!   ..= K`: the mean squared cosine of their principal angles,
//!   `||U_j^T Q_j||_F^2 / j`, over the words both models have;
//! * the vectors of chosen words ([`TraceConfig::rows`]), for maps.
//!
//! With one training thread the worker copies `W` into a buffer at each
//! trace point (no allocation, about a millisecond) and a tracer thread does
//! the arithmetic; the worker waits only if the tracer has not finished the
//! previous point, so the points fall at the same words on every run. With
//! several threads the calling thread, otherwise idle, takes the snapshot
//! while the workers go on (a Hogwild read, like the workers' own), at the
//! first progress poll past each point.

#![allow(
    unsafe_code,
    reason = "the single-thread trace handoff copies the shared weights (see weights.rs)"
)]

use super::config::{LrSchedule, TrainConfig};
use super::weights::SharedMatrix;
use crate::error::{Error, ErrorKind, Result};
use crate::format::trace::{Point, TraceHeader, TraceReference, short, six_digits};
use crate::model::Embeddings;
use crate::text::Vocab;
use faer::{Mat, Side};
use std::sync::{Condvar, Mutex};

/// What to trace.
#[derive(Debug, Clone)]
pub struct TraceConfig {
    /// Words (all threads, all epochs) between trace points.
    pub every: u64,
    /// Singular values recorded per point.
    pub k: usize,
    /// Words (vocabulary indices) whose vectors each point records.
    pub rows: Vec<u32>,
}

impl TraceConfig {
    /// Check the parameters against a model of dimension `dim`.
    pub fn check(&self, dim: usize, vocab: usize) -> Result<()> {
        if self.every == 0 {
            return Err(Error::invalid("the trace interval must be at least 1 word"));
        }
        if self.k == 0 || self.k > dim {
            return Err(Error::invalid(format!(
                "the trace records between 1 and {dim} singular values (the dimension), got {}",
                self.k
            )));
        }
        if self.rows.iter().any(|&r| r as usize >= vocab) {
            return Err(Error::invalid("a traced word is outside the vocabulary"));
        }
        Ok(())
    }
}

/// One trace point.
#[derive(Debug, Clone)]
pub struct TracePoint {
    /// Corpus words processed so far (all threads, all epochs).
    pub words: u64,
    /// The epoch (0-based).
    pub epoch: usize,
    /// The learning rate at this point.
    pub lr: f32,
    /// Average loss per prediction since the previous point (`None` at the
    /// first point, before any prediction).
    pub loss: Option<f64>,
    /// Seconds since training began.
    pub seconds: f64,
    /// The top-`k` singular values of the input vectors, largest first.
    pub singular_values: Vec<f64>,
    /// With a reference: `overlap[j - 1]` for the top-`j` subspaces,
    /// `j = 1 ..= K`. Empty without one.
    pub overlap: Vec<f64>,
    /// The vectors of [`TraceConfig::rows`], one after another (`D` each).
    pub rows: Vec<f32>,
}

impl TracePoint {
    /// The point as a trace file's line (without the rows).
    pub fn record(&self) -> Point {
        Point {
            words: self.words,
            epoch: self.epoch as u32,
            lr: Some(self.lr),
            loss: self.loss,
            seconds: self.seconds,
            singular_values: self.singular_values.clone(),
            overlap: self.overlap.clone(),
        }
    }
}

/// The header of the trace file of a run of `config` over `vocab`, traced
/// as `trace` says, against `reference` (and the file it came from).
pub fn header(
    config: &TrainConfig,
    vocab: &Vocab,
    trace: &TraceConfig,
    reference: Option<(&Reference, Option<&std::path::Path>)>,
) -> TraceHeader {
    TraceHeader {
        corpus_words: vocab.total(),
        dim: config.dim,
        epochs: config.epochs,
        every: trace.every,
        init_scale: config.init_scale.map(short),
        k: trace.k,
        loss: Some(config.loss),
        lr: Some(short(config.learning_rate())),
        lr_schedule: Some(config.lr_schedule),
        min_lr: (config.lr_schedule == LrSchedule::Linear)
            .then(|| six_digits(config.final_learning_rate())),
        model: Some(config.model),
        reference: reference.map(|(r, path)| TraceReference {
            common_words: r.common_words() as u64,
            eigenvalues: r.eigenvalues().to_vec(),
            path: path.map(|p| p.display().to_string()),
        }),
        seed: config.seed,
        threads: config.threads,
        vocab: vocab.len(),
        w2v_trace: 1,
    }
}

/// The reference's top-`K` left singular subspace, restricted to the words
/// it shares with the training vocabulary, as an orthonormal basis.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Training-vocabulary index of each shared word.
    rows: Vec<u32>,
    /// `n x K`, column-major: the orthonormal basis.
    basis: Mat<f64>,
    /// The reference's squared singular values (its eigenvalues, for a
    /// closed form with power 1/2), largest first.
    eigenvalues: Vec<f64>,
}

impl Reference {
    /// The top-`k` subspace of `reference` over the words it shares with
    /// `vocab` (at least `k` of them).
    pub fn new(reference: &Embeddings, vocab: &Vocab, k: usize) -> Result<Reference> {
        let (mut rows, mut refs) = (Vec::new(), Vec::new());
        for (i, w) in vocab.words().iter().enumerate() {
            if let Some(j) = reference.index(w) {
                rows.push(i as u32);
                refs.push(j);
            }
        }
        let k = k.min(reference.dim());
        if k == 0 || rows.len() < k {
            return Err(Error::invalid(format!(
                "the reference shares {} words with the training vocabulary: too few for a {k}-dimensional subspace",
                rows.len()
            )));
        }
        let m = Mat::<f64>::from_fn(refs.len(), reference.dim(), |r, c| {
            reference.row(refs[r])[c] as f64
        });
        let (basis, sv) = top_left_subspace(&m, k)?;
        Ok(Reference {
            rows,
            basis,
            eigenvalues: sv.iter().map(|s| s * s).collect(),
        })
    }

    /// Words shared with the training vocabulary.
    pub fn common_words(&self) -> usize {
        self.rows.len()
    }

    /// `K`, the largest subspace compared.
    pub fn k(&self) -> usize {
        self.basis.ncols()
    }

    /// The reference's squared singular values over the shared words.
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigenvalues
    }
}

/// The top-`k` left singular vectors (orthonormal columns) and singular
/// values of `m`, from its Gram matrix.
fn top_left_subspace(m: &Mat<f64>, k: usize) -> Result<(Mat<f64>, Vec<f64>)> {
    let gram = m.transpose() * m;
    let evd = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("eigendecomposition: {e:?}")))?;
    let d = gram.nrows();
    let (s, u) = (evd.S().column_vector(), evd.U());
    let mut sv = Vec::with_capacity(k);
    let mut basis = Mat::<f64>::zeros(m.nrows(), k);
    for j in 0..k {
        let col = d - 1 - j;
        let sigma = s[col].max(0.0).sqrt();
        sv.push(sigma);
        if sigma > 0.0 {
            let v = u.col(col);
            let x = m * v;
            for r in 0..m.nrows() {
                basis[(r, j)] = x[r] / sigma;
            }
        }
    }
    Ok((basis, sv))
}

/// Where a snapshot stands in training.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Moment {
    pub words: u64,
    pub epoch: usize,
    pub lr: f32,
    /// Loss summed over every prediction so far, and their number.
    pub loss_sum: f64,
    pub loss_n: u64,
    pub seconds: f64,
}

/// Turns snapshots into trace points.
pub(crate) struct Analyzer<'a> {
    config: &'a TraceConfig,
    reference: Option<&'a Reference>,
    dim: usize,
    previous: Option<Moment>,
}

/// Rows converted to `f64` per block of the Gram products.
const BLOCK: usize = 512;

impl<'a> Analyzer<'a> {
    pub(crate) fn new(
        config: &'a TraceConfig,
        reference: Option<&'a Reference>,
        dim: usize,
    ) -> Self {
        Analyzer {
            config,
            reference,
            dim,
            previous: None,
        }
    }

    /// The words of the last point made, if any.
    pub(crate) fn last_words(&self) -> Option<u64> {
        self.previous.map(|m| m.words)
    }

    /// The trace point of `snapshot` (`V x D`, row-major) at `moment`.
    pub(crate) fn point(&mut self, snapshot: &[f32], moment: Moment) -> Result<TracePoint> {
        let d = self.dim;
        let gram = gram_of(snapshot, d, None);
        let ev = gram
            .self_adjoint_eigenvalues(Side::Lower)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("eigenvalues: {e:?}")))?;
        let singular_values = ev
            .iter()
            .rev()
            .take(self.config.k)
            .map(|l| l.max(0.0).sqrt())
            .collect();
        let overlap = match self.reference {
            Some(r) => overlaps(snapshot, d, r)?,
            None => Vec::new(),
        };
        let mut rows = Vec::with_capacity(self.config.rows.len() * d);
        for &i in &self.config.rows {
            rows.extend_from_slice(&snapshot[i as usize * d..(i as usize + 1) * d]);
        }
        let loss = match self.previous {
            Some(p) if moment.loss_n > p.loss_n => {
                Some((moment.loss_sum - p.loss_sum) / (moment.loss_n - p.loss_n) as f64)
            }
            _ => None,
        };
        self.previous = Some(moment);
        Ok(TracePoint {
            words: moment.words,
            epoch: moment.epoch,
            lr: moment.lr,
            loss,
            seconds: moment.seconds,
            singular_values,
            overlap,
            rows,
        })
    }
}

/// `W^T W` in `f64` over the rows `rows` of `snapshot` (all if `None`).
fn gram_of(snapshot: &[f32], d: usize, rows: Option<&[u32]>) -> Mat<f64> {
    let n = rows.map_or(snapshot.len() / d, <[u32]>::len);
    let mut gram = Mat::<f64>::zeros(d, d);
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let block = Mat::<f64>::from_fn(end - start, d, |r, c| {
            let row = rows.map_or(start + r, |rs| rs[start + r] as usize);
            snapshot[row * d + c] as f64
        });
        gram += block.transpose() * &block;
        start = end;
    }
    gram
}

/// `overlap[j - 1] = ||U_j^T Q_j||_F^2 / j` for `j = 1 ..= K`, `U` the
/// snapshot's left singular vectors over the shared words, `Q` the
/// reference's basis.
fn overlaps(snapshot: &[f32], d: usize, r: &Reference) -> Result<Vec<f64>> {
    let k = r.k().min(d);
    let gram = gram_of(snapshot, d, Some(&r.rows));
    let evd = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("eigendecomposition: {e:?}")))?;
    let (s, v) = (evd.S().column_vector(), evd.U());
    // B = W_c^T Q (D x K), by blocks of shared rows.
    let mut b = Mat::<f64>::zeros(d, k);
    let n = r.rows.len();
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let w = Mat::<f64>::from_fn(end - start, d, |i, c| {
            snapshot[r.rows[start + i] as usize * d + c] as f64
        });
        let q = r.basis.subrows(start, end - start).subcols(0, k);
        b += w.transpose() * q;
        start = end;
    }
    // C = Sigma^-1 V^T B (K x K), learned directions largest first.
    let mut c = Mat::<f64>::zeros(k, k);
    for a in 0..k {
        let col = d - 1 - a;
        let sigma = s[col].max(0.0).sqrt();
        if sigma <= 1e-300 {
            continue;
        }
        let va = v.col(col);
        for j in 0..k {
            let dot: f64 = (0..d).map(|t| va[t] * b[(t, j)]).sum();
            c[(a, j)] = dot / sigma;
        }
    }
    // ||C[..j, ..j]||_F^2, grown one row and column at a time.
    let mut out = Vec::with_capacity(k);
    let mut sum = 0.0;
    for j in 0..k {
        for t in 0..j {
            sum += c[(t, j)].powi(2) + c[(j, t)].powi(2);
        }
        sum += c[(j, j)].powi(2);
        out.push((sum / (j + 1) as f64).min(1.0));
    }
    Ok(out)
}

/// The single-thread handoff: the worker leaves a snapshot, the tracer
/// thread takes it.
pub(crate) struct Handoff {
    state: Mutex<HandoffState>,
    ready: Condvar,
}

struct HandoffState {
    snapshot: Vec<f32>,
    moment: Option<Moment>,
    /// The worker gives no more snapshots, or the tracer takes no more.
    finished: bool,
}

impl Handoff {
    /// A handoff with room for a `v x d` snapshot.
    pub(crate) fn new(v: usize, d: usize) -> Handoff {
        Handoff {
            state: Mutex::new(HandoffState {
                snapshot: vec![0.0; v * d],
                moment: None,
                finished: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Worker side: wait until the previous snapshot was taken, copy `w`
    /// into the buffer, and hand it over. Allocates nothing.
    ///
    /// # Safety
    /// No other thread writes `w`'s rows during the call (one worker).
    pub(crate) unsafe fn give(&self, w: &SharedMatrix, moment: Moment) -> Result<()> {
        let poisoned = || Error::new(ErrorKind::Internal, "the trace handoff is poisoned");
        let mut st = self.state.lock().map_err(|_| poisoned())?;
        while st.moment.is_some() && !st.finished {
            st = self.ready.wait(st).map_err(|_| poisoned())?;
        }
        if st.finished {
            // The tracer stopped (its error is reported by the caller).
            return Ok(());
        }
        // SAFETY: the caller guarantees no concurrent writer.
        unsafe { w.copy_dense_into(&mut st.snapshot) };
        st.moment = Some(moment);
        self.ready.notify_all();
        Ok(())
    }

    /// Worker side: no more snapshots.
    pub(crate) fn finish(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.finished = true;
        }
        self.ready.notify_all();
    }

    /// Tracer side: analyse every snapshot until the worker finishes, and
    /// pass each point to `sink`. On an error the handoff is closed, so the
    /// worker never waits for a tracer that is gone.
    pub(crate) fn serve(
        &self,
        analyzer: &mut Analyzer<'_>,
        sink: &mut dyn FnMut(TracePoint),
    ) -> Result<()> {
        let result = self.serve_until_finished(analyzer, sink);
        if result.is_err() {
            self.finish();
        }
        result
    }

    fn serve_until_finished(
        &self,
        analyzer: &mut Analyzer<'_>,
        sink: &mut dyn FnMut(TracePoint),
    ) -> Result<()> {
        let poisoned = || Error::new(ErrorKind::Internal, "the trace handoff is poisoned");
        loop {
            let mut st = self.state.lock().map_err(|_| poisoned())?;
            while st.moment.is_none() && !st.finished {
                st = self.ready.wait(st).map_err(|_| poisoned())?;
            }
            let Some(moment) = st.moment else {
                return Ok(());
            };
            let point = analyzer.point(&st.snapshot, moment);
            st.moment = None;
            drop(st);
            self.ready.notify_all();
            sink(point?);
        }
    }
}
