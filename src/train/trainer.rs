//! [`Trainer`]: the one way to start a run, from a checked configuration,
//! over a corpus or any [`SentenceSource`], from random weights, given
//! weights or a checkpoint.

use super::checkpoint::{CheckpointSink, Checkpointing, Resume};
use super::config::{LossKind, ValidConfig};
use super::run::{Plan, run};
use super::{Progress, Tracing, TrainStats};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Embeddings;
use crate::text::{Corpus, SentenceSource, Vocab};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use std::time::Instant;

/// Where a run's sentences come from.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// A corpus file or buffer: each thread reads its own byte range.
    Corpus(&'a Corpus),
    /// Token lists, read once to count (unless a vocabulary is given) and
    /// once per epoch; the threads share each pass, a batch at a time. With
    /// one thread, the sentences of a text (one per line) train exactly as
    /// the text does.
    Sentences(&'a dyn SentenceSource),
}

impl Input<'_> {
    /// A name for messages.
    pub fn name(&self) -> String {
        match self {
            Input::Corpus(c) => c.name(),
            Input::Sentences(s) => s.name(),
        }
    }
}

impl<'a> From<&'a Corpus> for Input<'a> {
    fn from(c: &'a Corpus) -> Input<'a> {
        Input::Corpus(c)
    }
}

/// A run's two weight matrices, dense (`dim` floats a row).
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Input vectors (`syn0`): one row per vocabulary word. The model.
    pub input: Vec<f32>,
    /// Output vectors (`syn1`): one row per word with negative sampling, one
    /// per inner node of the Huffman tree (words - 1) with hierarchical softmax.
    pub output: Vec<f32>,
}

impl Weights {
    /// The weights a run of `config` over `words` words starts from when
    /// none are given: word2vec.c's initialisation from `config.seed` (input
    /// rows uniform in `(-0.5, 0.5) / dim`, output rows zero), or both
    /// uniform times `init_scale` when it is set.
    pub fn random(config: &ValidConfig, words: usize) -> Result<Weights> {
        let dim = config.dim;
        let dense = |rows: usize| -> Result<Vec<f32>> {
            let n = rows.checked_mul(dim).ok_or_else(|| too_big(rows, dim))?;
            let mut v = Vec::new();
            v.try_reserve_exact(n).map_err(|_| too_big(rows, dim))?;
            v.resize(n, 0.0);
            Ok(v)
        };
        let mut w = Weights {
            input: dense(words)?,
            output: dense(output_rows(config.loss, words))?,
        };
        let mut rng = SmallRng::seed_from_u64(config.seed);
        let scale = config.init_scale.unwrap_or(1.0);
        init_rows(w.input.chunks_exact_mut(dim), dim, scale, &mut rng);
        if config.init_scale.is_some() {
            init_rows(w.output.chunks_exact_mut(dim), dim, scale, &mut rng);
        }
        Ok(w)
    }
}

fn too_big(rows: usize, dim: usize) -> Error {
    Error::new(
        ErrorKind::OutOfMemory,
        format!("cannot allocate a {rows} x {dim} matrix"),
    )
}

/// Rows of the output matrix for `words` words under `loss`.
pub(crate) fn output_rows(loss: LossKind, words: usize) -> usize {
    match loss {
        LossKind::NegativeSampling => words,
        LossKind::HierarchicalSoftmax => words.max(2) - 1,
    }
}

/// Fill the first `dim` floats of each row with word2vec.c's draws, uniform
/// in `scale (-0.5, 0.5) / dim`, in row order.
pub(crate) fn init_rows<'r>(
    rows: impl Iterator<Item = &'r mut [f32]>,
    dim: usize,
    scale: f32,
    rng: &mut SmallRng,
) {
    for row in rows {
        for x in &mut row[..dim] {
            *x = ((rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 - 0.5) / dim as f32 * scale;
        }
    }
}

/// What a finished run gives back.
#[derive(Debug)]
pub struct Trained {
    /// The input vectors, with the vocabulary and its counts.
    pub embeddings: Embeddings,
    /// Counters and timings.
    pub stats: TrainStats,
    /// The output vectors, when [`Trainer::keep_output`] asked for them (to
    /// merge runs, or to go on from both matrices with [`Trainer::weights`]).
    pub output: Option<Vec<f32>>,
}

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
    checkpoint_every: Option<u64>,
    /// The interval [`Trainer::checkpoints`] asked for.
    asked_every: Option<u64>,
    sink: Option<&'a mut CheckpointSink<'a>>,
    keep_output: bool,
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
            checkpoint_every: None,
            asked_every: None,
            sink: None,
            keep_output: false,
        }
    }

    /// Go on with the checkpointed run `from` (read from a file, or a
    /// checkpoint's parts taken in memory), with its configuration,
    /// vocabulary, schedule and counters, checkpointing at its boundaries.
    /// With one thread the result is byte for byte the uninterrupted run's
    /// (see [`super::checkpoint`]). Its input must be the corpus it was made on.
    pub fn resume(from: Resume) -> Trainer<'a> {
        let mut t = Trainer::new(from.valid_config().clone());
        t.checkpoint_every = Some(from.checkpoint_every());
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

    /// Check everything that can be checked, then train on `input`.
    pub fn train(self, input: Input<'_>) -> Result<Trained> {
        let Trainer {
            config,
            vocab,
            weights,
            resume,
            progress,
            tracing,
            checkpoint_every,
            asked_every,
            sink,
            keep_output,
        } = self;
        let checkpoint_every = match (checkpoint_every, asked_every) {
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
        };
        let mut trained = run(input, vocab, &config, progress, plan)?;
        trained.stats.vocab_seconds = vocab_seconds;
        Ok(trained)
    }
}
