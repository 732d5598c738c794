//! [`Trainer`]: the one way to start a run, from a checked configuration,
//! over a corpus or any [`SentenceSource`](crate::text::SentenceSource), from random weights, given
//! weights or a checkpoint.

use super::checkpoint::{CheckpointSink, Checkpointing, Resume};
use super::config::ValidConfig;
use super::parts::{Input, Trained, Weights};
use super::run::{Plan, run};
use super::{Progress, Tracing};
use crate::error::{Error, ErrorKind, Result};
use crate::text::Vocab;
use std::time::Instant;

/// Accepts every progress report.
fn no_progress(_: &Progress) -> bool {
    true
}

/// A training run, set up step by step, then started by [`Trainer::train`].
///
/// ```no_run
/// # fn main() -> w2v::Result<()> {
/// use w2v::train::{Input, Trainer};
/// use w2v::{Corpus, TrainConfig};
/// let config = TrainConfig { dim: 50, ..TrainConfig::default() }.check()?;
/// let corpus = Corpus::file("corpus.txt")?;
/// let trained = Trainer::new(config).train(Input::Corpus(&corpus))?;
/// println!("{} words", trained.embeddings.len());
/// # Ok(()) }
/// ```
pub struct Trainer<'a> {
    config: ValidConfig,
    vocab: Option<Vocab>,
    weights: Option<Weights>,
    resume: Option<Resume>,
    progress: &'a (dyn Fn(&Progress) -> bool + Sync),
    tracing: Option<Tracing<'a>>,
    /// The interval [`Trainer::checkpoints`] asked for.
    asked_every: Option<u64>,
    sink: Option<&'a mut CheckpointSink<'a>>,
    keep_output: bool,
    count_updates: bool,
}

impl<'a> Trainer<'a> {
    /// A run of `config`, counting the vocabulary of its input and starting
    /// from random weights (see [`Weights::random`]).
    pub fn new(config: ValidConfig) -> Trainer<'a> {
        Trainer {
            config,
            vocab: None,
            weights: None,
            resume: None,
            progress: &no_progress,
            tracing: None,
            asked_every: None,
            sink: None,
            keep_output: false,
            count_updates: false,
        }
    }

    /// Go on with the checkpointed run `from` (read from a file, or a
    /// checkpoint's parts taken in memory), with its configuration,
    /// vocabulary, schedule and counters, checkpointing at its boundaries.
    /// With one thread the result is byte for byte the uninterrupted run's
    /// (see [`super::checkpoint`]). Its input must be the corpus it was made on.
    pub fn resume(from: Resume) -> Trainer<'a> {
        let mut t = Trainer::new(from.valid_config().clone());
        t.resume = Some(from);
        t
    }

    /// Use this vocabulary instead of counting the input's.
    pub fn vocab(mut self, vocab: Vocab) -> Trainer<'a> {
        self.vocab = Some(vocab);
        self
    }

    /// Start from these weights instead of random ones (a warm start, or the
    /// rows a partition of a distributed run receives). Needs a vocabulary
    /// ([`Trainer::vocab`]) whose words the rows follow; their sizes are
    /// checked before any work.
    pub fn weights(mut self, weights: Weights) -> Trainer<'a> {
        self.weights = Some(weights);
        self
    }

    /// Called about every 10,000 words per thread and once at the end;
    /// returning `false` cancels the run (an [`ErrorKind::Cancelled`] error).
    pub fn progress(mut self, progress: &'a (dyn Fn(&Progress) -> bool + Sync)) -> Trainer<'a> {
        self.progress = progress;
        self
    }

    /// Record a trace (see [`super::trace`]).
    pub fn tracing(mut self, tracing: Tracing<'a>) -> Trainer<'a> {
        self.tracing = Some(tracing);
        self
    }

    /// Take checkpoints (see [`super::checkpoint`]). Note that a run with
    /// checkpoints draws other random numbers than one without. A resumed
    /// run keeps its checkpoint's interval: another one is an error (give it
    /// only a sink, [`Trainer::checkpoint_sink`]).
    pub fn checkpoints(mut self, checkpointing: Checkpointing<'a>) -> Trainer<'a> {
        self.asked_every = Some(checkpointing.every);
        self.sink = Some(checkpointing.sink);
        self
    }

    /// Where a resumed run's checkpoints go, at its checkpoint's interval.
    pub fn checkpoint_sink(mut self, sink: &'a mut CheckpointSink<'a>) -> Trainer<'a> {
        self.sink = Some(sink);
        self
    }

    /// Give the output vectors back too ([`Trained::output`]).
    pub fn keep_output(mut self) -> Trainer<'a> {
        self.keep_output = true;
        self
    }

    /// Count each word's kept occurrences ([`Trained::updates`]): what
    /// merging this run with others over other parts of a corpus needs.
    /// Costs one increment per kept word, in each thread's own array.
    pub fn count_updates(mut self) -> Trainer<'a> {
        self.count_updates = true;
        self
    }

    /// Check everything that can be checked, then train on `input`.
    pub fn train(self, input: Input<'_>) -> Result<Trained> {
        let Trainer {
            config,
            vocab,
            weights,
            resume,
            progress,
            tracing,
            asked_every,
            sink,
            keep_output,
            count_updates,
        } = self;
        let kept = resume.as_ref().map(Resume::checkpoint_every);
        let checkpoint_every = match (kept, asked_every) {
            (Some(kept), Some(asked)) if kept != asked => {
                return Err(Error::invalid(format!(
                    "a resumed run keeps its checkpoint interval ({kept} words), not {asked}"
                )));
            }
            (kept, asked) => kept.or(asked),
        };
        if checkpoint_every == Some(0) {
            return Err(Error::invalid(
                "the checkpoint interval must be at least 1 word",
            ));
        }
        let corpus = match input {
            Input::Corpus(c) => Some(c),
            Input::Sentences(_) if checkpoint_every.is_some() || resume.is_some() => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "checkpoints and resuming need a corpus (they record byte positions in it), not sentences",
                ));
            }
            Input::Sentences(_) => None,
        };
        if resume.is_some() && vocab.is_some() {
            return Err(Error::invalid(
                "a resumed run keeps its checkpoint's vocabulary; give a vocabulary or a checkpoint, not both",
            ));
        }
        if weights.is_some() && (resume.is_some() || vocab.is_none()) {
            return Err(Error::invalid(if resume.is_some() {
                "a resumed run starts from its checkpoint's weights; give weights or a checkpoint, not both"
            } else {
                "given weights need the vocabulary their rows follow (Trainer::vocab)"
            }));
        }
        let (vocab, start, vocab_seconds) = match (resume, vocab) {
            (Some(from), _) => {
                if let Some(c) = corpus {
                    from.check_corpus(c)?;
                }
                let (_, vocab, start) = from.into_parts();
                (vocab, Some(start), 0.0)
            }
            (None, Some(v)) => (v, None, 0.0),
            (None, None) => {
                let t = Instant::now();
                let v = match input {
                    Input::Corpus(c) => Vocab::count(c, config.min_count, config.max_vocab)?,
                    Input::Sentences(s) => {
                        Vocab::count_sentences(s, config.min_count, config.max_vocab)?
                    }
                };
                (v, None, t.elapsed().as_secs_f64())
            }
        };
        let plan = Plan {
            tracing,
            every: checkpoint_every,
            sink,
            start,
            weights,
            keep_output,
            count_updates,
        };
        let mut trained = run(input, vocab, &config, progress, plan)?;
        trained.stats.vocab_seconds = vocab_seconds;
        Ok(trained)
    }
}
