//! One run, step by step: check the input, make and fill the weights, set up
//! what the workers share, run them (one thread, or several with the calling
//! thread reporting, tracing and checkpointing), and gather the result.

#![allow(
    unsafe_code,
    reason = "snapshots of the shared weights for training traces and checkpoints (see trace.rs, checkpoint.rs)"
)]

use super::checkpoint::{self, CheckpointSink, Pause, Saver, Start};
use super::config::ValidConfig;
use super::feed::Feed;
use super::parts::{Input, Trained, Weights, init_rows, output_rows, too_big};
use super::trace::{self, Analyzer, Handoff};
use super::weights::SharedMatrix;
use super::{OutputLayer, Progress, Tracing, TrainStats, join_worker, panicked, worker};
use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::{ConfigRecord, WorkerRecord};
use crate::model::Embeddings;
use crate::text::Corpus;
use crate::text::corpus::{Fingerprint, MAX_TOKEN_BYTES};
use crate::text::vocab::{Vocab, keep_thresholds};
use rand::{SeedableRng, rngs::SmallRng};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Everything a run does besides training, and where it starts.
pub(crate) struct Plan<'a> {
    pub tracing: Option<Tracing<'a>>,
    /// Words between checkpoint boundaries.
    pub every: Option<u64>,
    /// Where checkpoints go (none: one thread still re-seeds at boundaries).
    pub sink: Option<&'a mut CheckpointSink<'a>>,
    /// A resumed run's state.
    pub start: Option<Start>,
    /// Weights the caller gave (not with `start`).
    pub weights: Option<Weights>,
    /// Whether to give the output vectors back.
    pub keep_output: bool,
    /// Whether to count each word's kept occurrences ([`Trained::updates`]).
    pub count_updates: bool,
}

/// What each worker reads: its byte range of a corpus, or its share of
/// the sentences' passes.
enum Source<'a> {
    Corpus(&'a Corpus),
    Feed(Feed<'a>),
}

pub(crate) fn run(
    input: Input<'_>,
    vocab: Vocab,
    config: &ValidConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
    plan: Plan<'_>,
) -> Result<Trained> {
    let Plan {
        tracing,
        every,
        mut sink,
        start,
        weights,
        keep_output,
        count_updates,
    } = plan;
    check_vocab(input, &vocab, config)?;
    let (v, dim, threads) = (vocab.len(), config.dim, config.threads);
    if let Some(t) = &tracing {
        t.config.check(dim, v)?;
    }
    let output = OutputLayer::new(config.loss, vocab.counts())?;
    let (syn0, syn1) = initial_matrices(config, v, start.as_ref(), weights)?;
    let corpus_words = vocab.total();
    let (source, ranges) = match input {
        Input::Corpus(c) => (Source::Corpus(c), c.ranges(threads)?),
        Input::Sentences(s) => (Source::Feed(Feed::new(s)), vec![(0, 0); threads]),
    };
    let handoff = match &tracing {
        Some(_) if threads == 1 => Some(Handoff::new(v, dim)),
        _ => None,
    };
    // Checkpoints: one worker leaves its snapshots itself; with several, the
    // calling thread takes them while the pause holds the workers. Without
    // a sink one thread still re-seeds at the boundaries (a resumed run
    // stays the uninterrupted one); several need no boundaries.
    let saver = sink.as_ref().map(|_| {
        let rows = output_rows(config.loss, v);
        Saver::new(v * dim, rows * dim, threads, config.epochs)
    });
    let pause = (threads > 1 && saver.is_some()).then(|| Pause::new(threads));
    let fingerprint = match (&saver, input) {
        (Some(_), Input::Corpus(c)) => Some(c.fingerprint()?),
        _ => None,
    };
    let boundaries = every
        .filter(|_| threads == 1 || saver.is_some())
        .map(|every| worker::Boundaries {
            every,
            saver: saver.as_ref().filter(|_| threads == 1),
            pause: pause.as_ref(),
        });
    let trace_every = tracing.as_ref().map_or(u64::MAX, |t| t.config.every);
    let mut shared = shared_state(
        config,
        &vocab,
        output,
        (&syn0, &syn1),
        start.as_ref(),
        progress,
        (handoff.as_ref(), trace_every),
        boundaries,
    );
    shared.updates = (0..if count_updates { v } else { 0 })
        .map(|_| AtomicU64::new(0))
        .collect();
    let mut tracing = tracing;
    let mut analyzer = tracing
        .as_ref()
        .map(|t| Analyzer::new(t.config, t.reference, dim));
    let mut snapshot = Vec::new();
    // The point before any training: the initial vectors.
    // SAFETY: no worker runs yet.
    unsafe {
        trace_point(
            tracing.as_mut(),
            analyzer.as_mut(),
            &mut snapshot,
            &syn0,
            shared.moment(),
        )?
    };
    let corpus_name = input.name();
    let record = checkpoint::config_record(config, every.unwrap_or(0));
    let ctx = Workers {
        shared: &shared,
        source: &source,
        ranges: &ranges,
        start: start.as_ref(),
        every,
        saver: saver.as_ref(),
        pause: pause.as_ref(),
        syn0: &syn0,
        syn1: &syn1,
    };

    let writer = match (sink.take(), fingerprint) {
        (Some(sink), Some(fingerprint)) => Some(Writer {
            sink,
            fingerprint,
            record,
            name: &corpus_name,
            vocab: &vocab,
            dim,
        }),
        _ => None,
    };
    let results = ctx.run_all(
        handoff.as_ref(),
        tracing.as_mut(),
        analyzer.as_mut(),
        &mut snapshot,
        writer,
    );
    for r in results {
        r?;
    }
    if shared.stop.load(Ordering::Relaxed) {
        return Err(Error::new(ErrorKind::Cancelled, "training cancelled"));
    }
    let train_seconds = shared.start.elapsed().as_secs_f64();
    let mut last = shared.snapshot();
    last.fraction = 1.0;
    (shared.progress)(&last);
    // The final point (unless the last one fell exactly at the end).
    let moment = shared.moment();
    if analyzer.as_ref().and_then(|a| a.last_words()) != Some(moment.words) {
        // SAFETY: every worker has finished.
        unsafe {
            trace_point(
                tracing.as_mut(),
                analyzer.as_mut(),
                &mut snapshot,
                &syn0,
                moment,
            )?
        };
    }
    let stats = stats_of(&shared, v, corpus_words, train_seconds)?;
    let updates = count_updates.then(|| shared.updates.iter().map(|n| n.load(Ordering::Relaxed)));
    let updates = updates.map(Iterator::collect);
    drop(shared);
    trained(vocab, (syn0, syn1), stats, keep_output, updates)
}

/// The finished run's result: the model, its counters, and the output
/// vectors if asked for (each matrix freed once copied).
fn trained(
    vocab: Vocab,
    (mut syn0, mut syn1): (SharedMatrix, SharedMatrix),
    stats: TrainStats,
    keep_output: bool,
    updates: Option<Vec<u64>>,
) -> Result<Trained> {
    let dim = syn0.dim();
    let output = keep_output.then(|| syn1.dense_copy());
    drop(syn1);
    let (words, counts) = vocab.into_parts();
    let embeddings = Embeddings::new(words, counts, dim, syn0.dense_copy())?;
    Ok(Trained {
        embeddings,
        stats,
        output,
        updates,
    })
}

/// What the workers share, at the start of the run (or where a resumed
/// run's `start` stood).
#[allow(
    clippy::too_many_arguments,
    reason = "the parts of one struct, named at the call"
)]
fn shared_state<'a>(
    config: &'a ValidConfig,
    vocab: &'a Vocab,
    output: OutputLayer,
    (syn0, syn1): (&'a SharedMatrix, &'a SharedMatrix),
    start: Option<&Start>,
    progress: &'a (dyn Fn(&Progress) -> bool + Sync),
    (trace, trace_every): (Option<&'a Handoff>, u64),
    checkpoint: Option<worker::Boundaries<'a>>,
) -> worker::Shared<'a> {
    let epoch_loss = match start {
        Some(s) => s.epoch_loss.iter().map(|e| (e.sum, e.n)).collect(),
        None => vec![(0.0, 0); config.epochs],
    };
    worker::Shared {
        config,
        kernels: config.kernels,
        vocab,
        keep: keep_thresholds(vocab.counts(), config.sample),
        output,
        syn0,
        syn1,
        lr0: config.learning_rate(),
        lr_end: config.final_learning_rate(),
        total_words: vocab.total() * config.epochs as u64,
        words_done: AtomicU64::new(start.map_or(0, |s| s.words_done)),
        stop: AtomicBool::new(false),
        slots: (0..config.threads)
            .map(|_| worker::Slot::default())
            .collect(),
        epoch_loss: Mutex::new(epoch_loss),
        start: Instant::now(),
        progress,
        inline_reporter: config.threads == 1,
        trace,
        trace_every,
        checkpoint,
        words_at_start: start.map_or(0, |s| s.words),
        seconds_before: start.map_or(0.0, |s| s.seconds),
        updates: Vec::new(),
    }
}

/// With tracing, hand the point of `syn0` at `moment` to the sink.
///
/// # Safety
/// No worker writes `syn0` during the call.
unsafe fn trace_point(
    tracing: Option<&mut Tracing<'_>>,
    analyzer: Option<&mut Analyzer>,
    snapshot: &mut Vec<f32>,
    syn0: &SharedMatrix,
    moment: trace::Moment,
) -> Result<()> {
    if let (Some(t), Some(a)) = (tracing, analyzer) {
        snapshot.resize(syn0.dense_len(), 0.0);
        // SAFETY: the caller's contract.
        unsafe { syn0.copy_dense_into(snapshot) };
        (t.sink)(a.point(snapshot, moment)?);
    }
    Ok(())
}

/// An empty vocabulary is an error saying why: the input is empty, or no
/// word occurs often enough (and how many over-long tokens were skipped).
fn check_vocab(input: Input<'_>, vocab: &Vocab, config: &ValidConfig) -> Result<()> {
    if !vocab.is_empty() {
        return Ok(());
    }
    let skipped = match vocab.skipped_long() {
        0 => String::new(),
        1 => format!(" (its one token over {MAX_TOKEN_BYTES} bytes was skipped)"),
        n => format!(" ({n} tokens over {MAX_TOKEN_BYTES} bytes were skipped)"),
    };
    let at_least = crate::error::times(config.min_count);
    let what = match input {
        Input::Corpus(c) if c.is_empty()? => format!("corpus `{}` is empty", c.name()),
        Input::Corpus(c) => format!(
            "corpus `{}` has no word that occurs at least {at_least}{skipped}",
            c.name()
        ),
        Input::Sentences(s) => format!(
            "the sentences {} hold no word that occurs at least {at_least}{skipped}",
            s.name()
        ),
    };
    Err(Error::new(ErrorKind::Empty, what))
}

/// The two matrices, filled: from a checkpoint's state, from the caller's
/// weights, or word2vec.c's random start (see [`Weights::random`], which
/// makes the same draws).
fn initial_matrices(
    config: &ValidConfig,
    v: usize,
    start: Option<&Start>,
    weights: Option<Weights>,
) -> Result<(SharedMatrix, SharedMatrix)> {
    let (dim, rows) = (config.dim, output_rows(config.loss, v));
    let fits = |a: &[f32], b: &[f32]| a.len() == v * dim && b.len() == rows * dim;
    let given = match (start, &weights) {
        (Some(s), _) => {
            if !fits(&s.syn0, &s.syn1)
                || s.workers.len() != config.threads
                || s.epoch_loss.len() != config.epochs
            {
                return Err(Error::invalid(
                    "the resumed state does not fit its configuration",
                ));
            }
            Some((&s.syn0, &s.syn1))
        }
        (None, Some(w)) => {
            if !fits(&w.input, &w.output) {
                return Err(Error::invalid(format!(
                    "the given weights have {} input and {} output floats; {v} words at dimension {dim} need {} and {}",
                    w.input.len(),
                    w.output.len(),
                    v * dim,
                    rows * dim
                )));
            }
            if w.input.iter().chain(&w.output).any(|x| !x.is_finite()) {
                return Err(Error::invalid(
                    "the given weights hold a NaN or an infinity",
                ));
            }
            Some((&w.input, &w.output))
        }
        (None, None) => None,
    };
    let mut syn0 = SharedMatrix::zeros(v, dim).ok_or_else(|| too_big(v, dim))?;
    let mut syn1 = SharedMatrix::zeros(rows, dim).ok_or_else(|| too_big(rows, dim))?;
    match given {
        Some((a, b)) => {
            syn0.copy_from_dense(a);
            syn1.copy_from_dense(b);
        }
        None => {
            // syn0: uniform(-0.5, 0.5) / dim, as word2vec.c (times the scale, if
            // one is given, in which case syn1 starts the same way instead of at 0).
            let mut rng = SmallRng::seed_from_u64(config.seed);
            let scale = config.init_scale.unwrap_or(1.0);
            let stride = syn0.stride();
            init_rows(
                syn0.as_mut_slice().chunks_exact_mut(stride),
                dim,
                scale,
                &mut rng,
            );
            if config.init_scale.is_some() {
                let stride = syn1.stride();
                init_rows(
                    syn1.as_mut_slice().chunks_exact_mut(stride),
                    dim,
                    scale,
                    &mut rng,
                );
            }
        }
    }
    Ok((syn0, syn1))
}

/// What the workers' threads share besides [`worker::Shared`].
struct Workers<'w, 's, 'f> {
    shared: &'w worker::Shared<'s>,
    source: &'w Source<'f>,
    ranges: &'w [(u64, u64)],
    start: Option<&'w Start>,
    every: Option<u64>,
    saver: Option<&'w Saver>,
    pause: Option<&'w Pause>,
    syn0: &'w SharedMatrix,
    syn1: &'w SharedMatrix,
}

/// What the checkpoint writer thread needs besides the snapshots.
struct Writer<'w, 'a> {
    sink: &'w mut CheckpointSink<'a>,
    fingerprint: Fingerprint,
    record: ConfigRecord,
    name: &'w str,
    vocab: &'w Vocab,
    dim: usize,
}

impl Workers<'_, '_, '_> {
    /// Run every worker, and beside them the trace thread (one worker) or
    /// the supervision on this thread (several), and the checkpoint writer;
    /// every thread's result.
    fn run_all(
        &self,
        handoff: Option<&Handoff>,
        tracing: Option<&mut Tracing<'_>>,
        analyzer: Option<&mut Analyzer>,
        snapshot: &mut [f32],
        writer: Option<Writer<'_, '_>>,
    ) -> Vec<Result<()>> {
        let (shared, threads) = (self.shared, self.ranges.len());
        std::thread::scope(|scope| {
            let writer = match (self.saver, writer) {
                (Some(saver), Some(w)) => Some(scope.spawn(move || {
                    let r = saver.serve(&mut |snap| {
                        (w.sink)(&checkpoint::parts(
                            w.record,
                            w.fingerprint,
                            w.name,
                            w.vocab,
                            w.dim,
                            snap,
                        ))
                    });
                    if r.is_err() {
                        shared.stop.store(true, Ordering::Relaxed);
                    }
                    r
                })),
                _ => None,
            };
            let mut results = if threads == 1 {
                let tracer = match (handoff, tracing, analyzer) {
                    (Some(h), Some(t), Some(a)) => {
                        let sink = &mut *t.sink;
                        Some(scope.spawn(move || h.serve(a, sink)))
                    }
                    _ => None,
                };
                let r = self.work(0);
                if let Some(h) = handoff {
                    h.finish();
                }
                let traced = tracer.map(|t| t.join().unwrap_or_else(|_| Err(panicked("trace"))));
                vec![r, traced.unwrap_or(Ok(()))]
            } else {
                let handles: Vec<_> = (0..threads)
                    .map(|t| scope.spawn(move || self.work(t)))
                    .collect();
                let traced = self.supervise(&handles, tracing, analyzer, snapshot);
                let mut results: Vec<Result<()>> = handles.into_iter().map(join_worker).collect();
                results.push(traced);
                results
            };
            if let Some(s) = self.saver {
                s.finish();
            }
            if let Some(w) = writer {
                results.push(
                    w.join()
                        .unwrap_or_else(|_| Err(panicked("checkpoint writer"))),
                );
            }
            results
        })
    }

    /// Worker `t`'s whole run; an error stops the others.
    fn work(&self, t: usize) -> Result<()> {
        let sh = self.shared;
        let range = self.ranges[t];
        let start = self.start.map(|s| (&s.workers[t], s.words));
        let r = match self.source {
            Source::Corpus(c) => c
                .reader(range.0, range.1)
                .and_then(|reader| worker::run(sh, reader, t, range, start)),
            Source::Feed(f) => worker::run(sh, f.reader(), t, range, start),
        };
        if r.is_err() {
            sh.stop.store(true, Ordering::Relaxed);
        }
        r
    }

    /// On the calling thread, while several workers run: report progress,
    /// take trace points and checkpoints, until every worker is done.
    fn supervise<T>(
        &self,
        handles: &[std::thread::ScopedJoinHandle<'_, T>],
        mut tracing: Option<&mut Tracing<'_>>,
        mut analyzer: Option<&mut Analyzer>,
        snapshot: &mut [f32],
    ) -> Result<()> {
        let shared = self.shared;
        let mut traced = Ok(());
        let mut next_trace = shared.trace_every;
        let mut next_checkpoint = match (self.every, self.start) {
            (Some(e), s) => worker::next_boundary(s.map_or(0, |s| s.words), e),
            (None, _) => u64::MAX,
        };
        while !handles.iter().all(|h| h.is_finished()) {
            std::thread::sleep(Duration::from_millis(50));
            if !shared.stop.load(Ordering::Relaxed) && !(shared.progress)(&shared.snapshot()) {
                shared.stop.store(true, Ordering::Relaxed);
            }
            let done = shared.words_done.load(Ordering::Relaxed);
            if let (Some(t), Some(a), true) = (
                tracing.as_deref_mut(),
                analyzer.as_deref_mut(),
                done >= next_trace,
            ) && traced.is_ok()
            {
                // SAFETY: a Hogwild read of rows the workers may be updating.
                unsafe { self.syn0.copy_dense_into(snapshot) };
                traced = a.point(snapshot, shared.moment()).map(|p| (t.sink)(p));
                next_trace = (done / shared.trace_every + 1).saturating_mul(shared.trace_every);
            }
            if let (Some(p), Some(s), Some(e)) = (self.pause, self.saver, self.every)
                && done >= next_checkpoint
                && s.idle()
                && !shared.stop.load(Ordering::Relaxed)
            {
                let words = p.hold(
                    |recs| done_with_pending(shared, recs),
                    |recs, words| {
                        let losses = shared.epoch_loss.lock().unwrap_or_else(|e| e.into_inner());
                        let published = shared.words_done.load(Ordering::Relaxed);
                        // SAFETY: every worker waits in the pause or has
                        // returned: no row is written during the copy.
                        unsafe {
                            s.give(
                                self.syn0,
                                self.syn1,
                                recs,
                                &losses,
                                words,
                                published,
                                shared.seconds(),
                            )
                        };
                        words
                    },
                );
                next_checkpoint = worker::next_boundary(words.unwrap_or(done), e);
            }
        }
        traced
    }
}

/// The words read by all threads while the pause holds them: the published
/// count and every worker's pending words.
fn done_with_pending(shared: &worker::Shared<'_>, records: &[WorkerRecord]) -> u64 {
    let pending: u64 = records.iter().map(|r| r.pending_words).sum();
    shared.words_done.load(Ordering::Relaxed) + pending
}

/// The finished run's counters.
fn stats_of(
    shared: &worker::Shared<'_>,
    v: usize,
    corpus_words: u64,
    train_seconds: f64,
) -> Result<TrainStats> {
    let epoch_loss: Vec<f64> = shared
        .epoch_loss
        .lock()
        .map_err(|_| Error::new(ErrorKind::Internal, "loss accumulator poisoned"))?
        .iter()
        .map(|&(s, n)| if n > 0 { s / n as f64 } else { 0.0 })
        .collect();
    let words_trained = shared.words_done.load(Ordering::Relaxed);
    let words_here = words_trained.saturating_sub(shared.words_at_start);
    Ok(TrainStats {
        vocab_size: v,
        corpus_words,
        words_trained,
        vocab_seconds: 0.0,
        train_seconds,
        words_per_sec: words_here as f64 / train_seconds.max(1e-9),
        final_loss: epoch_loss.last().copied().unwrap_or(0.0),
        epoch_loss,
        simd_level: shared.kernels.level().name().to_string(),
        threads: shared.config.threads,
    })
}
