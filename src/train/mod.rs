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
//! A run is set up with a [`Trainer`]: over a corpus or any
//! [`SentenceSource`](crate::text::SentenceSource), from random weights,
//! given [`Weights`] or a checkpoint; it can be traced ([`trace`]) and
//! checkpointed, then resumed ([`checkpoint`], [`Trainer::resume`]).

pub mod checkpoint;
mod config;
mod feed;
mod huffman;
mod parts;
mod run;
mod sampler;
pub mod trace;
mod trainer;
mod weights;
mod worker;

pub use checkpoint::{CheckpointParts, CheckpointSink, Checkpointing, Resume};
pub use config::{CBOW_FINAL_LR, LossKind, LrSchedule, ModelKind, TrainConfig, ValidConfig};
pub use huffman::Huffman;
pub use parts::{Input, Trained, Weights};
pub use sampler::AliasSampler;
pub use trace::{Reference, TraceConfig, TracePoint};
pub use trainer::Trainer;

use crate::error::{Error, ErrorKind, Result};
use crate::model::Embeddings;
use crate::text::Corpus;
use serde::Serialize;
use std::time::Duration;

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
}

/// Train on `corpus` with `config`, counting the vocabulary first and
/// starting from random weights: [`Trainer`] with its defaults. `progress`
/// is called about every 10,000 words per thread and once at the end;
/// returning `false` cancels training (an [`ErrorKind::Cancelled`] error).
pub fn train(
    corpus: &Corpus,
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
) -> Result<(Embeddings, TrainStats)> {
    let t = Trainer::new(config.check()?)
        .progress(progress)
        .train(Input::Corpus(corpus))?;
    Ok((t.embeddings, t.stats))
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
