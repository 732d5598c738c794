//! Training word2vec models: skip-gram and CBOW, with negative sampling or
//! hierarchical softmax, on Hogwild threads over a streamed corpus.
//!
//! ```text
//! vocab   = count(corpus) -> min-count, max-vocab, sort by frequency
//! syn0    = uniform(-0.5, 0.5) / dim      (input vectors: the result)
//! syn1    = 0                              (output vectors: one per word for
//!                                           NS, one per inner node for HS)
//! for each thread t, on its own byte range of the corpus, each epoch:
//!   for each sentence (a line, cut at 1000 kept words; frequent words dropped
//!                      with word2vec.c's subsampling rule):
//!     for each position i, radius r drawn from 1..=window:
//!       skip-gram: for each context word c within r of i:
//!                    e = 0; for each target (w_i with label 1, then `negative`
//!                    unigram^0.75 draws with label 0 -- or the Huffman path of
//!                    w_i with labels 1 - code):  ns_step(syn0[c], syn1[target], e)
//!                    syn0[c] += e
//!       CBOW:      h = mean (or sum) of syn0[c] over the context; e = 0;
//!                    the same targets with ns_step(h, syn1[target], e);
//!                    syn0[c] += e for each context word
//!   lr = max(lr0 - (lr0 - lr_end) * words_done / (epochs * corpus_words),
//!            lr0 * 1e-4), updated every 10,000 words (lr_end 0 is
//!            word2vec.c's schedule; CBOW's default is 0.2 lr0)
//! ```
//!
//! The hot loop allocates nothing and takes no lock: each worker owns its
//! buffers (sentence, `h`, `e`, read buffer), shared progress is a few atomics
//! updated every 10,000 words, and per-thread loss sums are `f64` values only
//! their own thread writes.
//!
//! A run can be traced ([`trace`]) and checkpointed, then resumed
//! ([`checkpoint`], [`resume`]).

#![allow(
    unsafe_code,
    reason = "snapshots of the shared weights for training traces and checkpoints (see trace.rs, checkpoint.rs)"
)]

pub mod checkpoint;
mod config;
mod huffman;
mod sampler;
pub mod trace;
mod weights;
mod worker;

pub use checkpoint::{CheckpointParts, CheckpointSink, Checkpointing, Resume};
pub use config::{CBOW_FINAL_LR, LossKind, LrSchedule, ModelKind, TrainConfig};
pub use huffman::Huffman;
pub use sampler::AliasSampler;
pub use trace::{Reference, TraceConfig, TracePoint};

use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::WorkerRecord;
use crate::model::Embeddings;
use crate::text::vocab::keep_thresholds;
use crate::text::{Corpus, Vocab};
use checkpoint::{Pause, Saver, Start};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use trace::Handoff;
use weights::SharedMatrix;

/// A snapshot of training progress, passed to the progress callback.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Fraction of all epochs' words processed, in `[0, 1]`.
    pub fraction: f64,
    /// Corpus words processed so far (all epochs).
    pub words: u64,
    /// Words per second since training started.
    pub words_per_sec: f64,
    /// The current learning rate.
    pub lr: f32,
    /// Running average loss of the current epoch (per predicted word).
    pub loss: f64,
    /// The current epoch (0-based) of the slowest thread.
    pub epoch: usize,
    /// Time since training (after counting) started.
    pub elapsed: Duration,
}

/// What a finished training run reports.
#[derive(Debug, Clone, Serialize)]
pub struct TrainStats {
    /// Words in the vocabulary.
    pub vocab_size: usize,
    /// Corpus words that are in the vocabulary (one epoch).
    pub corpus_words: u64,
    /// Words processed over all epochs.
    pub words_trained: u64,
    /// Seconds spent counting the vocabulary.
    pub vocab_seconds: f64,
    /// Seconds spent training (after counting).
    pub train_seconds: f64,
    /// `words_trained / train_seconds`.
    pub words_per_sec: f64,
    /// Average loss per predicted word, per epoch.
    pub epoch_loss: Vec<f64>,
    /// The last epoch's average loss.
    pub final_loss: f64,
    /// The SIMD level the kernels ran at.
    pub simd_level: String,
    /// Threads used.
    pub threads: usize,
}

/// Report progress every this many words per thread.
const REPORT_EVERY: u64 = 10_000;

/// The output layer a run trains, holding what picks its target rows.
pub(crate) enum OutputLayer {
    /// Negative sampling: one output row per word; negatives drawn from the
    /// unigram^0.75 distribution.
    Negative(AliasSampler),
    /// Hierarchical softmax: one output row per inner node of the tree.
    Hierarchical(Huffman),
}

impl OutputLayer {
    /// The output layer of `loss` over a vocabulary with `counts`.
    fn new(loss: LossKind, counts: &[u64]) -> Result<OutputLayer> {
        Ok(match loss {
            LossKind::NegativeSampling => OutputLayer::Negative(
                AliasSampler::new(counts, 0.75)
                    .ok_or_else(|| Error::new(ErrorKind::Empty, "every word count is zero"))?,
            ),
            LossKind::HierarchicalSoftmax => OutputLayer::Hierarchical(Huffman::new(counts)),
        })
    }

    /// Rows of the output matrix (`syn1`) for `words` words.
    fn rows(&self, words: usize) -> usize {
        match self {
            OutputLayer::Negative(_) => words,
            OutputLayer::Hierarchical(_) => words.max(2) - 1,
        }
    }
}

/// Train on `corpus` with `config`, counting the vocabulary first. See
/// [`train_with_vocab`].
pub fn train(
    corpus: &Corpus,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
) -> Result<(Embeddings, TrainStats)> {
    config.check()?;
    let t = Instant::now();
    let vocab = Vocab::count(corpus, config.min_count, config.max_vocab)?;
    let vocab_seconds = t.elapsed().as_secs_f64();
    let (emb, mut stats) = train_with_vocab(corpus, vocab, config, progress)?;
    stats.vocab_seconds = vocab_seconds;
    Ok((emb, stats))
}

/// Train on `corpus` with a given vocabulary. `progress` is called about
/// every 10,000 words per thread and once at the end; returning `false`
/// cancels training (an [`ErrorKind::Cancelled`] error).
pub fn train_with_vocab(
    corpus: &Corpus,
    vocab: Vocab,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
) -> Result<(Embeddings, TrainStats)> {
    train_with(corpus, vocab, config, progress, Hooks::default())
}

/// What to trace and where trace points go (see [`trace`]).
pub struct Tracing<'a> {
    /// What to record.
    pub config: &'a TraceConfig,
    /// A model to compare the learned subspaces with.
    pub reference: Option<&'a Reference>,
    /// Receives each point, in order, on a thread other than the workers'.
    pub sink: &'a mut (dyn FnMut(TracePoint) + Send),
}

/// [`train_with_vocab`], recording a trace point at the start, every
/// `tracing.config.every` words and at the end (see [`trace`]).
pub fn train_traced(
    corpus: &Corpus,
    vocab: Vocab,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
    tracing: Tracing<'_>,
) -> Result<(Embeddings, TrainStats)> {
    let hooks = Hooks {
        tracing: Some(tracing),
        checkpointing: None,
    };
    train_with(corpus, vocab, config, progress, hooks)
}

/// What a run does besides training.
#[derive(Default)]
pub struct Hooks<'a> {
    /// Record a trace (see [`trace`]).
    pub tracing: Option<Tracing<'a>>,
    /// Take checkpoints (see [`checkpoint`]). Note that a run with
    /// checkpoints draws other random numbers than one without.
    pub checkpointing: Option<Checkpointing<'a>>,
}

/// [`train_with_vocab`] with a trace, checkpoints, or both.
pub fn train_with(
    corpus: &Corpus,
    vocab: Vocab,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
    hooks: Hooks<'_>,
) -> Result<(Embeddings, TrainStats)> {
    let every = hooks.checkpointing.as_ref().map(|c| c.every);
    let plan = Plan {
        tracing: hooks.tracing,
        every,
        sink: hooks.checkpointing.map(|c| c.sink),
        start: None,
    };
    run(corpus, vocab, config, progress, plan)
}

/// Go on with the run checkpointed in `from` on `corpus` (the corpus it was
/// made on, see [`Resume::new`]), with its configuration, schedule and
/// counters, taking checkpoints at the same boundaries and passing them to
/// `sink`, if any. With one thread the result is byte for byte the
/// uninterrupted run's (see [`checkpoint`]).
pub fn resume<'s>(
    corpus: &Corpus,
    from: Resume,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
    sink: Option<&'s mut CheckpointSink<'s>>,
) -> Result<(Embeddings, TrainStats)> {
    from.check_corpus(corpus)?;
    let every = from.checkpoint_every();
    let (config, vocab, start) = from.into_parts();
    let plan = Plan {
        tracing: None,
        every: Some(every),
        sink,
        start: Some(start),
    };
    run(corpus, vocab, &config, progress, plan)
}

/// Everything a run does besides training, and where it starts.
struct Plan<'a> {
    tracing: Option<Tracing<'a>>,
    /// Words between checkpoint boundaries.
    every: Option<u64>,
    /// Where checkpoints go (none: one thread still re-seeds at boundaries).
    sink: Option<&'a mut CheckpointSink<'a>>,
    /// A resumed run's state.
    start: Option<Start>,
}

fn run(
    corpus: &Corpus,
    vocab: Vocab,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
    plan: Plan<'_>,
) -> Result<(Embeddings, TrainStats)> {
    config.check()?;
    let Plan {
        tracing,
        every,
        mut sink,
        start,
    } = plan;
    if every == Some(0) {
        return Err(Error::invalid(
            "the checkpoint interval must be at least 1 word",
        ));
    }
    let kernels = config.kernels;
    if vocab.is_empty() {
        let skipped = match vocab.skipped_long() {
            0 => String::new(),
            1 => format!(
                " (its one token over {} bytes was skipped)",
                crate::text::corpus::MAX_TOKEN_BYTES
            ),
            n => format!(
                " ({n} tokens over {} bytes were skipped)",
                crate::text::corpus::MAX_TOKEN_BYTES
            ),
        };
        let what = if corpus.is_empty()? {
            format!("corpus `{}` is empty", corpus.name())
        } else {
            format!(
                "corpus `{}` has no word that occurs at least {}{skipped}",
                corpus.name(),
                crate::error::times(config.min_count)
            )
        };
        return Err(Error::new(ErrorKind::Empty, what));
    }
    let v = vocab.len();
    let dim = config.dim;
    if let Some(t) = &tracing {
        t.config.check(dim, v)?;
    }
    let oom = || {
        Error::new(
            ErrorKind::OutOfMemory,
            format!("cannot allocate a {v} x {dim} matrix"),
        )
    };

    let mut syn0 = SharedMatrix::zeros(v, dim).ok_or_else(oom)?;
    let output = OutputLayer::new(config.loss, vocab.counts())?;
    let mut syn1 = SharedMatrix::zeros(output.rows(v), dim).ok_or_else(oom)?;
    let threads = config.threads;
    let start = match start {
        // syn0: uniform(-0.5, 0.5) / dim, as word2vec.c (times the scale, if
        // one is given, in which case syn1 starts the same way instead of at 0).
        None => {
            let mut rng = SmallRng::seed_from_u64(config.seed);
            let scale = config.init_scale.unwrap_or(1.0);
            let mut init = |m: &mut SharedMatrix| {
                let stride = m.stride();
                for row in m.as_mut_slice().chunks_exact_mut(stride) {
                    for x in &mut row[..dim] {
                        *x = ((rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
                            / dim as f32
                            * scale;
                    }
                }
            };
            init(&mut syn0);
            if config.init_scale.is_some() {
                init(&mut syn1);
            }
            None
        }
        Some(mut s) => {
            if s.syn0.len() != v * dim
                || s.syn1.len() != output.rows(v) * dim
                || s.workers.len() != threads
                || s.epoch_loss.len() != config.epochs
            {
                return Err(Error::invalid(
                    "the resumed state does not fit its configuration",
                ));
            }
            syn0.copy_from_dense(&std::mem::take(&mut s.syn0));
            syn1.copy_from_dense(&std::mem::take(&mut s.syn1));
            Some(s)
        }
    };

    let corpus_words = vocab.total();
    let ranges = corpus.ranges(threads)?;
    let handoff = match &tracing {
        Some(_) if threads == 1 => Some(Handoff::new(v, dim)),
        _ => None,
    };
    // Checkpoints: one worker leaves its snapshots itself; with several, the
    // calling thread takes them while the pause holds the workers. Without
    // a sink one thread still re-seeds at the boundaries (a resumed run
    // stays the uninterrupted one); several need no boundaries.
    let saver = sink
        .as_ref()
        .map(|_| Saver::new(v * dim, output.rows(v) * dim, threads, config.epochs));
    let pause = (threads > 1 && saver.is_some()).then(|| Pause::new(threads));
    let fingerprint = match &saver {
        Some(_) => Some(corpus.fingerprint()?),
        None => None,
    };
    let boundaries = every
        .filter(|_| threads == 1 || saver.is_some())
        .map(|every| worker::Boundaries {
            every,
            saver: saver.as_ref().filter(|_| threads == 1),
            pause: pause.as_ref(),
        });
    let epoch_loss = match &start {
        Some(s) => s.epoch_loss.iter().map(|e| (e.sum, e.n)).collect(),
        None => vec![(0.0, 0); config.epochs],
    };
    let shared = worker::Shared {
        config,
        kernels,
        vocab: &vocab,
        keep: keep_thresholds(vocab.counts(), config.sample),
        output,
        syn0: &syn0,
        syn1: &syn1,
        lr0: config.learning_rate(),
        lr_end: config.final_learning_rate(),
        total_words: corpus_words * config.epochs as u64,
        words_done: AtomicU64::new(start.as_ref().map_or(0, |s| s.words_done)),
        stop: AtomicBool::new(false),
        slots: (0..threads).map(|_| worker::Slot::default()).collect(),
        epoch_loss: Mutex::new(epoch_loss),
        start: Instant::now(),
        progress,
        inline_reporter: threads == 1,
        trace: handoff.as_ref(),
        trace_every: tracing.as_ref().map_or(u64::MAX, |t| t.config.every),
        checkpoint: boundaries,
        words_at_start: start.as_ref().map_or(0, |s| s.words),
        seconds_before: start.as_ref().map_or(0.0, |s| s.seconds),
    };
    let resumed = |t: usize| start.as_ref().map(|s| (&s.workers[t], s.words));
    let mut tracing = tracing;
    let mut analyzer = tracing
        .as_ref()
        .map(|t| trace::Analyzer::new(t.config, t.reference, dim));
    let mut snapshot = Vec::new();
    // The point before any training: the initial vectors.
    if let (Some(t), Some(a)) = (tracing.as_mut(), analyzer.as_mut()) {
        snapshot.resize(v * dim, 0.0);
        // SAFETY: no worker runs yet.
        unsafe { syn0.copy_dense_into(&mut snapshot) };
        (t.sink)(a.point(&snapshot, shared.moment())?);
    }
    let corpus_name = corpus.name();
    let record = checkpoint::config_record(config, every.unwrap_or(0));

    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let writer = match (&saver, sink.take(), fingerprint) {
            (Some(saver), Some(sink), Some(fp)) => {
                let (shared, name, vocab) = (&shared, &corpus_name, &vocab);
                Some(scope.spawn(move || {
                    let r = saver.serve(&mut |snap| {
                        sink(&checkpoint::parts(record, fp, name, vocab, dim, snap))
                    });
                    if r.is_err() {
                        shared.stop.store(true, Ordering::Relaxed);
                    }
                    r
                }))
            }
            _ => None,
        };
        let finish = |mut results: Vec<Result<()>>| {
            if let Some(s) = &saver {
                s.finish();
            }
            if let Some(w) = writer {
                results.push(
                    w.join()
                        .unwrap_or_else(|_| Err(panicked("checkpoint writer"))),
                );
            }
            results
        };
        if threads == 1 {
            let tracer = match (&handoff, tracing.as_mut(), analyzer.as_mut()) {
                (Some(h), Some(t), Some(a)) => {
                    let sink = &mut *t.sink;
                    Some(scope.spawn(move || h.serve(a, sink)))
                }
                _ => None,
            };
            let r = worker::run(&shared, corpus, 0, ranges[0], resumed(0));
            if let Some(h) = &handoff {
                h.finish();
            }
            let traced = tracer.map(|t| t.join().unwrap_or_else(|_| Err(panicked("trace"))));
            return finish(vec![r, traced.unwrap_or(Ok(()))]);
        }
        let handles: Vec<_> = ranges
            .iter()
            .enumerate()
            .map(|(t, &range)| {
                let (shared, start) = (&shared, resumed(t));
                scope.spawn(move || worker::run(shared, corpus, t, range, start))
            })
            .collect();
        // The calling thread reports progress (and traces, and takes
        // checkpoints) until every worker is done.
        let mut traced = Ok(());
        let mut next_trace = shared.trace_every;
        let mut next_checkpoint = match (every, &start) {
            (Some(e), s) => worker::next_boundary(s.as_ref().map_or(0, |s| s.words), e),
            (None, _) => u64::MAX,
        };
        while !handles.iter().all(|h| h.is_finished()) {
            std::thread::sleep(Duration::from_millis(50));
            if !shared.stop.load(Ordering::Relaxed) && !(shared.progress)(&shared.snapshot()) {
                shared.stop.store(true, Ordering::Relaxed);
            }
            let done = shared.words_done.load(Ordering::Relaxed);
            if let (Some(t), Some(a), true) =
                (tracing.as_mut(), analyzer.as_mut(), done >= next_trace)
                && traced.is_ok()
            {
                // SAFETY: a Hogwild read of rows the workers may be updating.
                unsafe { syn0.copy_dense_into(&mut snapshot) };
                traced = a.point(&snapshot, shared.moment()).map(|p| (t.sink)(p));
                next_trace = (done / shared.trace_every + 1).saturating_mul(shared.trace_every);
            }
            if let (Some(p), Some(s), Some(e)) = (&pause, &saver, every)
                && done >= next_checkpoint
                && s.idle()
                && !shared.stop.load(Ordering::Relaxed)
            {
                let words = p.hold(
                    |recs| done_with_pending(&shared, recs),
                    |recs, words| {
                        let losses = shared.epoch_loss.lock().unwrap_or_else(|e| e.into_inner());
                        let published = shared.words_done.load(Ordering::Relaxed);
                        // SAFETY: every worker waits in the pause or has
                        // returned: no row is written during the copy.
                        unsafe {
                            s.give(
                                &syn0,
                                &syn1,
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
        let mut results: Vec<Result<()>> = handles.into_iter().map(join_worker).collect();
        results.push(traced);
        finish(results)
    });
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
    if let (Some(t), Some(a)) = (tracing.as_mut(), analyzer.as_mut()) {
        let moment = shared.moment();
        if a.last_words() != Some(moment.words) {
            snapshot.resize(v * dim, 0.0);
            // SAFETY: every worker has finished.
            unsafe { syn0.copy_dense_into(&mut snapshot) };
            (t.sink)(a.point(&snapshot, moment)?);
        }
    }

    let epoch_loss: Vec<f64> = shared
        .epoch_loss
        .lock()
        .map_err(|_| Error::new(ErrorKind::Internal, "loss accumulator poisoned"))?
        .iter()
        .map(|&(s, n)| if n > 0 { s / n as f64 } else { 0.0 })
        .collect();
    let words_trained = shared.words_done.load(Ordering::Relaxed);
    let words_here = words_trained.saturating_sub(shared.words_at_start);
    drop(shared);
    let stats = TrainStats {
        vocab_size: v,
        corpus_words,
        words_trained,
        vocab_seconds: 0.0,
        train_seconds,
        words_per_sec: words_here as f64 / train_seconds.max(1e-9),
        final_loss: epoch_loss.last().copied().unwrap_or(0.0),
        epoch_loss,
        simd_level: kernels.level().name().to_string(),
        threads,
    };
    let (words, counts) = vocab.into_parts();
    let emb = Embeddings::new(words, counts, dim, syn0.dense_copy())?;
    Ok((emb, stats))
}

/// The words read by all threads while the pause holds them: the published
/// count and every worker's pending words.
fn done_with_pending(shared: &worker::Shared<'_>, records: &[WorkerRecord]) -> u64 {
    let pending: u64 = records.iter().map(|r| r.pending_words).sum();
    shared.words_done.load(Ordering::Relaxed) + pending
}

fn panicked(what: &str) -> Error {
    Error::new(
        ErrorKind::WorkerPanicked,
        format!("the {what} thread panicked (a bug in w2v)"),
    )
}

/// A worker's result, a panic in it becoming [`ErrorKind::WorkerPanicked`].
fn join_worker(h: std::thread::ScopedJoinHandle<'_, Result<()>>) -> Result<()> {
    h.join().unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::new(
            ErrorKind::WorkerPanicked,
            format!("a training thread panicked (a bug in w2v): {what}"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_worker_is_reported_as_such() {
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles = vec![
                scope.spawn(|| Ok(())),
                scope.spawn(|| -> Result<()> { panic!("injected") }),
            ];
            handles.into_iter().map(join_worker).collect()
        });
        assert!(results[0].is_ok());
        let err = results[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WorkerPanicked);
        assert!(err.to_string().contains("injected"), "{err}");
    }
}
