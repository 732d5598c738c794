//! The data of the lesson page (`w2v demo --html`): a second training run on
//! the teaching corpus, from a small initialisation, traced at about 60
//! checkpoints; each checkpoint's map of the lesson's words; the singular
//! values rising one at a time; and the closed form's map beside it.
//!
//! Maps are 2D projections on the top two principal axes of the words'
//! final vectors (each checkpoint centred on its own mean, so the early
//! maps, near the origin, still show their shape; one scale for all, so the
//! motion is real). The closed form's map is projected on its own axes, then
//! rotated (or reflected) to line up with the trained one.

use super::{ANALOGIES, CORPUS, NEIGHBOUR_QUERIES};
use crate::error::{Error, ErrorKind, Result};
use crate::format::trace::short;
use crate::model::Embeddings;
use crate::spectral::{SpectralConfig, embed};
use crate::text::cooc::{CoocConfig, count, top_words};
use crate::text::{Corpus, Vocab};
use crate::train::{Input, LrSchedule, TraceConfig, TracePoint, Tracing, TrainConfig, Trainer};
use faer::{Mat, Side};
use serde_json::{Value, json};

/// The initialisation scale of the traced run: small enough that the
/// directions are learned one at a time, and the analogies still land.
const INIT_SCALE: f32 = 1e-4;
/// Checkpoints on the timeline (about).
const CHECKPOINTS: u64 = 60;
/// Words on the map besides the lesson's questions.
const EXTRA_WORDS: [&str; 8] = [
    "man", "woman", "boy", "girl", "city", "country", "animal", "family",
];

/// The words the map shows: every word of the analogies and the neighbour
/// queries, and a few more, that the vocabulary has.
fn map_words(vocab: &Vocab) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Vec::new();
    let all = ANALOGIES
        .iter()
        .flatten()
        .chain(NEIGHBOUR_QUERIES.iter())
        .chain(EXTRA_WORDS.iter());
    for &w in all {
        if !words.contains(&w) && vocab.get(w.as_bytes()).is_some() {
            words.push(w);
        }
    }
    words
}

/// The top two principal axes (`d x 2`) of `rows` (`n x d`, centred by the
/// caller).
fn axes(rows: &Mat<f64>) -> Result<Mat<f64>> {
    let cov = rows.transpose() * rows;
    let evd = cov
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("eigendecomposition: {e:?}")))?;
    let (d, u) = (cov.nrows(), evd.U());
    Ok(Mat::from_fn(d, 2, |r, c| u[(r, d - 1 - c)]))
}

/// `rows` (`n x d`, row-major) centred on their mean.
fn centred(rows: &[f32], d: usize) -> Mat<f64> {
    let n = rows.len() / d;
    let mut m = Mat::from_fn(n, d, |r, c| rows[r * d + c] as f64);
    for c in 0..d {
        let mean = (0..n).map(|r| m[(r, c)]).sum::<f64>() / n as f64;
        for r in 0..n {
            m[(r, c)] -= mean;
        }
    }
    m
}

/// `[x, y]` per row of `rows` projected on `axes`.
fn project(rows: &Mat<f64>, axes: &Mat<f64>) -> Vec<[f64; 2]> {
    let p = rows * axes;
    (0..p.nrows()).map(|r| [p[(r, 0)], p[(r, 1)]]).collect()
}

/// `from` rotated (or reflected) to line up with `to` (2D orthogonal
/// Procrustes).
fn align(from: &[[f64; 2]], to: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut best = (f64::NEG_INFINITY, from.to_vec());
    for flip in [1.0, -1.0] {
        let (mut a, mut b) = (0.0, 0.0);
        for (p, q) in from.iter().zip(to) {
            let (x, y) = (p[0], flip * p[1]);
            a += x * q[0] + y * q[1];
            b += x * q[1] - y * q[0];
        }
        let t = b.atan2(a);
        let (c, s) = (t.cos(), t.sin());
        let moved: Vec<[f64; 2]> = from
            .iter()
            .map(|p| [c * p[0] - s * flip * p[1], s * p[0] + c * flip * p[1]])
            .collect();
        let fit: f64 = moved
            .iter()
            .zip(to)
            .map(|(p, q)| p[0] * q[0] + p[1] * q[1])
            .sum();
        if fit > best.0 {
            best = (fit, moved);
        }
    }
    best.1
}

/// Coordinates to 5 significant digits (the early, tiny maps keep their
/// shape; the page is smaller).
fn round(xy: &[[f64; 2]]) -> Vec<[f64; 2]> {
    xy.iter()
        .map(|p| p.map(|v| format!("{v:.4e}").parse().unwrap_or(v)))
        .collect()
}

/// The top answer to `a : b :: c : ?` in `emb`.
fn answer(emb: &Embeddings, q: &[&str; 4]) -> Option<String> {
    let r = emb.most_similar(&[q[1], q[2]], &[q[0]], 1, None).ok()?;
    r.first().and_then(|n| emb.word(n.index)).map(String::from)
}

/// The lesson page's data (see the page's JSON contract in `page.rs`).
pub fn data(base: &TrainConfig) -> Result<Value> {
    let corpus = Corpus::bytes(CORPUS.as_bytes().to_vec());
    let vocab = Vocab::count(&corpus, base.min_count, base.max_vocab)?;
    let words = map_words(&vocab);
    let rows: Vec<u32> = words
        .iter()
        .filter_map(|w| vocab.get(w.as_bytes()))
        .collect();
    let config = TrainConfig {
        init_scale: Some(INIT_SCALE),
        lr_schedule: LrSchedule::Constant,
        min_lr: None,
        ..base.clone()
    };
    let total = vocab.total() * config.epochs as u64;
    let trace = TraceConfig {
        every: (total / CHECKPOINTS).max(1),
        k: 10.min(config.dim),
        rows,
    };
    let mut points: Vec<TracePoint> = Vec::new();
    let mut sink = |p: TracePoint| points.push(p);
    let tracing = Tracing {
        config: &trace,
        reference: None,
        sink: &mut sink,
    };
    let (v, tokens) = (vocab.len(), vocab.total());
    let emb = Trainer::new(config.check()?)
        .vocab(vocab)
        .tracing(tracing)
        .train(Input::Corpus(&corpus))?
        .embeddings;
    let d = config.dim;
    let last = points
        .last()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "the trace has no point"))?;
    let axes_trained = axes(&centred(&last.rows, d))?;
    let checkpoints: Vec<Value> = points
        .iter()
        .map(|p| {
            json!({
                "words_seen": p.words,
                "epoch": p.epoch as f64 + (p.words % tokens) as f64 / tokens as f64,
                "loss": p.loss,
                "xy": round(&project(&centred(&p.rows, d), &axes_trained)),
                "singular_values": p.singular_values,
            })
        })
        .collect();
    let final_xy = project(&centred(&last.rows, d), &axes_trained);
    // The closed form, on the same words and window.
    let counts = count(
        &corpus,
        &top_words(&corpus, v)?,
        &CoocConfig {
            window: config.window,
            ..CoocConfig::default()
        },
    )?;
    let (closed, report) = embed(
        &counts,
        &SpectralConfig {
            dim: d,
            ..SpectralConfig::default()
        },
    )?;
    let closed_rows: Vec<f32> = words
        .iter()
        .filter_map(|w| closed.vector(w))
        .flatten()
        .copied()
        .collect();
    if closed_rows.len() != words.len() * d {
        return Err(Error::new(
            ErrorKind::Internal,
            "the closed form lacks a word of the map",
        ));
    }
    let closed_centred = centred(&closed_rows, d);
    let closed_xy = align(
        &project(&closed_centred, &axes(&closed_centred)?),
        &final_xy,
    );
    let analogies: Vec<Value> = ANALOGIES
        .iter()
        .map(|q| {
            let got = answer(&emb, q);
            json!({
                "a": q[0], "b": q[1], "c": q[2], "expected": q[3],
                "answer": got,
                "landed": got.as_deref() == Some(q[3]),
            })
        })
        .collect();
    let neighbours: Vec<Value> = NEIGHBOUR_QUERIES
        .iter()
        .filter_map(|w| {
            let ns = emb.most_similar(&[w], &[], 5, None).ok()?;
            let answers: Vec<Value> = ns
                .iter()
                .filter_map(|n| Some(json!({"word": emb.word(n.index)?, "score": n.score})))
                .collect();
            Some(json!({"word": w, "answers": answers}))
        })
        .collect();
    Ok(json!({
        "title": "w2v demo: what word2vec learns",
        "corpus": {"sentences": CORPUS.lines().count(), "tokens": tokens, "vocab": v},
        "config": {
            "model": "sgns", "dim": d, "window": config.window, "negative": config.negative,
            "epochs": config.epochs, "lr": short(config.learning_rate()), "init_scale": short(INIT_SCALE),
            "seed": config.seed,
        },
        "words": words,
        "checkpoints": checkpoints,
        "closed_form": {"xy": round(&closed_xy), "eigenvalues": report.eigenvalues},
        "analogies": analogies,
        "neighbours": neighbours,
    }))
}
