//! The trace file `w2v train --trace` writes: JSON lines, a header then one
//! line per trace point (the format `w2v plot trace` reads).

use crate::train::TrainArgs;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use w2v::train::{Reference, TracePoint};
use w2v::{LossKind, LrSchedule, ModelKind, Result, TrainConfig, Vocab};

/// The header line.
pub fn header(
    args: &TrainArgs,
    config: &TrainConfig,
    vocab: &Vocab,
    reference: Option<&Reference>,
) -> Value {
    json!({
        "w2v_trace": 1,
        "model": match config.model { ModelKind::SkipGram => "sgns", ModelKind::Cbow => "cbow" },
        "loss": match config.loss { LossKind::NegativeSampling => "ns", LossKind::HierarchicalSoftmax => "hs" },
        "dim": config.dim,
        "vocab": vocab.len(),
        "corpus_words": vocab.total(),
        "epochs": config.epochs,
        "every": args.trace_every(),
        "init_scale": config.init_scale.map(crate::short),
        "lr": crate::short(config.learning_rate()),
        "lr_schedule": match config.lr_schedule { LrSchedule::Linear => "linear", LrSchedule::Constant => "constant" },
        // Where the linear decay ends (0: word2vec.c's schedule); null when constant.
        "min_lr": (config.lr_schedule == LrSchedule::Linear).then(|| crate::six_digits(config.final_learning_rate())),
        "k": args.trace_k(),
        "threads": config.threads,
        "seed": config.seed,
        "reference": reference.map(|r| json!({
            "path": args.reference_path().map(|p| p.display().to_string()),
            "eigenvalues": r.eigenvalues(),
            "common_words": r.common_words(),
        })),
    })
}

/// Write the header and the points, atomically.
pub fn write(path: &Path, header: &Value, points: &[TracePoint]) -> Result<()> {
    w2v::format::atomic::write_atomically(path, |w| {
        serde_json::to_writer(&mut *w, header)?;
        w.write_all(b"\n")?;
        for p in points {
            serde_json::to_writer(&mut *w, p)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}
