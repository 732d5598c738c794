//! The lesson (`w2v demo`, and any caller: the Python module's too): train
//! on a small built-in teaching corpus and find out, honestly, what the
//! vectors learnt; the lesson page's data ([`player`]) and the page itself
//! ([`page`]).
//!
//! The corpus (`corpus.txt`, written for this project) is a few hundred
//! plain sentences about royalty, family, animals and places. It is far too
//! small for general-purpose vectors, but large enough, over many epochs, to
//! learn the contrasts it was written around (male/female, young/adult
//! animal, city/country). The demo reports each analogy as landed (the
//! expected word is the top answer) or not, with the expected word's rank.

pub mod page;
pub mod player;

use crate::error::Result;
use crate::model::Embeddings;
use crate::model::query::Neighbor;
use crate::simd::Kernels;
use crate::text::Corpus;
use crate::train::{LossKind, ModelKind, Progress, TrainConfig, TrainStats};

/// The built-in teaching corpus: one sentence per line.
pub const CORPUS: &str = include_str!("corpus.txt");

/// Words whose nearest neighbours the demo prints.
pub const NEIGHBOUR_QUERIES: [&str; 5] = ["king", "daughter", "dog", "paris", "village"];

/// Analogies `a : b :: c : expected`, asked as `b - a + c`.
pub const ANALOGIES: [[&str; 4]; 8] = [
    ["man", "king", "woman", "queen"],
    ["boy", "son", "girl", "daughter"],
    ["boy", "prince", "girl", "princess"],
    ["man", "father", "woman", "mother"],
    ["boy", "brother", "girl", "sister"],
    ["france", "paris", "italy", "rome"],
    ["germany", "berlin", "spain", "madrid"],
    ["dog", "puppy", "cat", "kitten"],
];

/// A word and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The word.
    pub word: String,
    /// Its cosine (3CosAdd score).
    pub score: f32,
}

fn answers(emb: &Embeddings, ns: Vec<Neighbor>) -> Vec<Answer> {
    ns.into_iter()
        .filter_map(|n| {
            Some(Answer {
                word: emb.word(n.index)?.to_string(),
                score: n.score,
            })
        })
        .collect()
}

/// One analogy's outcome.
#[derive(Debug, Clone)]
pub struct AnalogyOutcome {
    /// The question `[a, b, c, expected]`.
    pub question: [&'static str; 4],
    /// The top answers.
    pub answers: Vec<Answer>,
    /// 1-based rank of the expected word among the top answers, if there.
    pub rank: Option<usize>,
}

impl AnalogyOutcome {
    /// Whether the expected word is the top answer.
    pub fn landed(&self) -> bool {
        self.rank == Some(1)
    }
}

/// What the demo computed.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Training figures.
    pub stats: TrainStats,
    /// Per query word, its nearest neighbours.
    pub neighbours: Vec<(&'static str, Vec<Answer>)>,
    /// Per analogy, the outcome.
    pub analogies: Vec<AnalogyOutcome>,
}

/// The demo's training parameters: skip-gram with negative sampling, small
/// vectors, many epochs, one thread and a fixed seed (the same output every
/// run at a given SIMD level), on `kernels`.
pub fn config(kernels: Kernels) -> TrainConfig {
    TrainConfig {
        model: ModelKind::SkipGram,
        loss: LossKind::NegativeSampling,
        dim: 40,
        window: 4,
        negative: 8,
        sample: 0.0,
        min_count: 2,
        epochs: 40,
        lr: Some(0.025),
        threads: 1,
        seed: 1,
        kernels,
        ..TrainConfig::default()
    }
}

/// Train on [`CORPUS`] with `config` and answer the demo's questions.
pub fn run(
    config: &TrainConfig,
    progress: &(dyn Fn(&Progress) -> bool + Sync),
) -> Result<(Embeddings, DemoReport)> {
    let corpus = Corpus::bytes(CORPUS.as_bytes().to_vec());
    let (emb, stats) = crate::train::train(&corpus, config, progress)?;
    let mut neighbours = Vec::new();
    for w in NEIGHBOUR_QUERIES {
        if let Ok(n) = emb.most_similar(&[w], &[], 5, None) {
            neighbours.push((w, answers(&emb, n)));
        }
    }
    let mut analogies = Vec::new();
    for q in ANALOGIES {
        let Ok(found) = emb.most_similar(&[q[1], q[2]], &[q[0]], 5, None) else {
            continue;
        };
        let answers = answers(&emb, found);
        let rank = answers.iter().position(|n| n.word == q[3]).map(|r| r + 1);
        analogies.push(AnalogyOutcome {
            question: q,
            answers,
            rank,
        });
    }
    Ok((
        emb,
        DemoReport {
            stats,
            neighbours,
            analogies,
        },
    ))
}
