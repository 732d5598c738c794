//! `w2v spectral`: closed-form embeddings, the top eigenvectors of QWEM's
//! `M*` or of shifted positive PMI, from a count file or a corpus.

use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use w2v::format::cooc;
use w2v::spectral::{SpectralConfig, SpectralReport, TargetKind, embed};
use w2v::text::cooc::{CoocConfig, count, top_words};
use w2v::{Corpus, Error, Result};

/// `--target`: the matrix to decompose (also `w2v plot spectrum --cooc`).
#[derive(Clone, Copy, ValueEnum)]
pub enum TargetArg {
    /// QWEM's M* = 2 (P_ij - P_i P_j) / (P_ij + P_i P_j): what word2vec converges to.
    Qwem,
    /// max(PMI - log k, 0), context distribution smoothed with exponent 0.75.
    Sppmi,
}

impl TargetArg {
    /// The target, with SPPMI's shift `log negative` and smoothing exponent `cds`.
    pub fn kind(self, negative: f64, cds: f64) -> TargetKind {
        match self {
            TargetArg::Qwem => TargetKind::Qwem,
            TargetArg::Sppmi => TargetKind::Sppmi {
                k: negative,
                alpha: cds,
            },
        }
    }
}

/// `w2v spectral`.
#[derive(Args)]
pub struct SpectralArgs {
    /// Co-occurrence counts from `w2v cooc`.
    #[arg(long, conflicts_with_all = ["input", "vocab", "window", "sample"], required_unless_present = "input")]
    cooc: Option<PathBuf>,
    /// Or count a corpus first (as `w2v cooc` would).
    #[arg(long, short = 'i')]
    input: Option<PathBuf>,
    /// With --input: the number of most frequent words.
    #[arg(long, short = 'v', requires = "input")]
    vocab: Option<usize>,
    /// With --input: the window radius.
    #[arg(long, requires = "input")]
    window: Option<usize>,
    /// With --input: the subsampling threshold (0: none).
    #[arg(long, requires = "input")]
    sample: Option<f64>,
    /// The matrix to decompose.
    #[arg(long, value_enum, default_value = "qwem")]
    target: TargetArg,
    /// Embedding dimension: the number of top eigenpairs.
    #[arg(long, short = 'd', alias = "size", default_value_t = 100)]
    dim: usize,
    /// Scale each eigenvector by eigenvalue^p.
    #[arg(long, default_value_t = 0.5)]
    eig_power: f64,
    /// SPPMI: the shift log k.
    #[arg(long, default_value_t = 5.0)]
    negative: f64,
    /// SPPMI: the context distribution smoothing exponent.
    #[arg(long, default_value_t = 0.75)]
    cds: f64,
    /// Eigensolver tolerance: a pair's residual relative to the operator's norm.
    #[arg(long, default_value_t = 1e-8)]
    tol: f64,
    /// Seed of the eigensolver's start.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write the vectors.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Output format.
    #[arg(long, value_parser = crate::choice::<w2v::Format>(), default_value = "bin")]
    format: w2v::Format,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
    /// No summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    report: SpectralReport,
    count_seconds: f64,
    total_seconds: f64,
}

pub fn run(a: SpectralArgs) -> Result<()> {
    let t = Instant::now();
    let threads = a.threads.unwrap_or(CoocConfig::default().threads);
    let target = a.target.kind(a.negative, a.cds);
    let mut config = SpectralConfig {
        target,
        dim: a.dim,
        eig_power: a.eig_power,
        threads,
        ..SpectralConfig::default()
    };
    config.eigen.tol = a.tol;
    config.eigen.seed = a.seed;
    // Everything that can be checked before the long work.
    crate::check_output(&a.output)?;
    if let Some(v) = a.vocab {
        config.check(v)?;
    }
    let counts = match (&a.cooc, &a.input) {
        (Some(path), _) => {
            let c = cooc::read(path)?;
            config.check(c.len())?;
            c
        }
        (None, Some(input)) => {
            let v = a
                .vocab
                .ok_or_else(|| Error::invalid("--input needs --vocab V"))?;
            let cc = CoocConfig {
                window: a.window.unwrap_or(5),
                sample: a.sample.unwrap_or(0.0),
                seed: 1,
                threads,
            };
            cc.check()?;
            let corpus = Corpus::file(input)?;
            count(&corpus, &top_words(&corpus, v)?, &cc)?
        }
        (None, None) => return Err(Error::invalid("give --cooc FILE or --input CORPUS")),
    };
    let count_seconds = t.elapsed().as_secs_f64();
    let (emb, report) = embed(&counts, &config)?;
    emb.save(&a.output, a.format)?;
    let s = Summary {
        report,
        count_seconds,
        total_seconds: t.elapsed().as_secs_f64(),
    };
    if !s.report.converged {
        eprintln!(
            "w2v: warning: the eigensolver stopped at its product budget before every pair met the tolerance (largest residual {:.1e}); the vectors were written",
            s.report.max_residual
        );
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&s).expect("serialisable")
        );
    } else if !a.quiet {
        let r = &s.report;
        let top: Vec<String> = r
            .eigenvalues
            .iter()
            .take(5)
            .map(|x| format!("{x:.4}"))
            .collect();
        eprintln!(
            "{} of {} words: top {} eigenpairs ({}, ...; {} not positive) in {} products, largest residual {:.1e}; counts {:.1}s, target {:.1}s, eigensolver {:.1}s; wrote {}",
            r.target,
            r.vocab,
            r.dim,
            top.join(", "),
            r.non_positive,
            r.matvecs,
            r.max_residual,
            s.count_seconds,
            r.build_seconds,
            r.solve_seconds,
            a.output.display()
        );
    }
    Ok(())
}
