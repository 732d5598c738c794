//! What goes into a run and what comes out: its [`Input`], its [`Weights`]
//! (given, or word2vec.c's random start), and what it gives back ([`Trained`]).

use super::TrainStats;
use super::config::{LossKind, ValidConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Embeddings;
use crate::text::{Corpus, SentenceSource};
use rand::{Rng, SeedableRng, rngs::SmallRng};

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

/// The error of a `rows x dim` matrix that cannot be allocated.
pub(crate) fn too_big(rows: usize, dim: usize) -> Error {
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
    /// The output vectors, when [`Trainer::keep_output`](super::Trainer::keep_output) asked for them (to
    /// merge runs, or to go on from both matrices with [`Trainer::weights`](super::Trainer::weights)).
    pub output: Option<Vec<f32>>,
    /// When [`Trainer::count_updates`](super::Trainer::count_updates) asked
    /// for them: per word (in vocabulary order), its occurrences that
    /// subsampling kept in this run (this process's part, for a resumed
    /// run), each of which updates the word's input row. A word counted 0
    /// kept its given row exactly: merging the rows of runs over parts of a
    /// corpus (Spark MLlib's partitions) averages each row over the runs
    /// that counted it.
    pub updates: Option<Vec<u64>>,
}
