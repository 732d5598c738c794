//! `w2v plot`: the SVG figures of [`w2v::plot`] from the command line: a
//! training trace, a word map, a spectrum. Each subcommand checks its output
//! and size first, then draws and writes the SVG atomically.

mod trace;

use crate::spectral::TargetArg;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use w2v::plot::spectrum::{file_name, of_counts, of_model};
use w2v::plot::{map, spectrum, write_svg};
use w2v::{Embeddings, Error, Result};

/// `w2v plot ...`.
#[derive(Subcommand)]
pub enum PlotCommand {
    /// Loss and top-k singular values against words seen, from `w2v train --trace`
    /// (with a reference: subspace overlap; `--theory`: the closed form's predicted rises).
    Trace(trace::TraceArgs),
    /// A 2D PCA map of the given words' vectors, each point labelled.
    Map(MapArgs),
    /// The top eigenvalues of a target (`--cooc`), or the top singular values of a model.
    Spectrum(SpectrumArgs),
}

/// Options every plot takes: the output file and its size in pixels.
#[derive(Args)]
pub struct OutputArgs {
    /// Where to write the SVG.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 900)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 600)]
    pub height: u32,
}

impl OutputArgs {
    /// Check the output path and the size before any work.
    pub fn check(&self) -> Result<()> {
        crate::check_output(&self.output)?;
        if !(300..=10_000).contains(&self.width) || !(200..=10_000).contains(&self.height) {
            return Err(Error::invalid(format!(
                "the size must be 300..=10000 x 200..=10000 pixels, got {} x {}",
                self.width, self.height
            )));
        }
        Ok(())
    }
}

/// Run a `w2v plot` subcommand.
pub fn run(cmd: PlotCommand) -> Result<()> {
    match cmd {
        PlotCommand::Trace(a) => trace::run(a),
        PlotCommand::Map(a) => run_map(a),
        PlotCommand::Spectrum(a) => run_spectrum(a),
    }
}

/// `w2v plot map`.
#[derive(Args)]
pub struct MapArgs {
    /// The model: word2vec binary or text, or native.
    model: PathBuf,
    /// The words to place, comma-separated (at least 2).
    #[arg(long, short = 'w', value_delimiter = ',', required = true)]
    words: Vec<String>,
    /// Centre the vectors on their mean first (a PCA proper); without it the
    /// axes are the top two singular directions of the raw vectors.
    #[arg(long)]
    center: bool,
    #[command(flatten)]
    out: OutputArgs,
}

/// `w2v plot map`.
fn run_map(a: MapArgs) -> Result<()> {
    a.out.check()?;
    let words: Vec<String> = a
        .words
        .iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let emb = Embeddings::load(&a.model)?;
    let map = map::project(&emb, &words, a.center)?;
    let name = a.model.file_name().map_or_else(
        || a.model.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let svg = map::render(&map, &name, (a.out.width, a.out.height))?;
    write_svg(&a.out.output, &svg)?;
    eprintln!(
        "wrote {} ({} words; PC 1 {:.1} %, PC 2 {:.1} %)",
        a.out.output.display(),
        map.words.len(),
        100.0 * map.share.0,
        100.0 * map.share.1
    );
    Ok(())
}

/// `w2v plot spectrum`.
#[derive(Args)]
pub struct SpectrumArgs {
    /// A model (any format): plot its matrix's top singular values.
    #[arg(required_unless_present = "cooc", conflicts_with = "cooc")]
    model: Option<PathBuf>,
    /// Or co-occurrence counts from `w2v cooc`: plot a target's top eigenvalues.
    #[arg(long)]
    cooc: Option<PathBuf>,
    /// With --cooc: the target [default: qwem].
    #[arg(long, value_enum)]
    target: Option<TargetArg>,
    /// With --target sppmi: the shift log k [default: 5].
    #[arg(long)]
    negative: Option<f64>,
    /// With --target sppmi: the context distribution smoothing exponent [default: 0.75].
    #[arg(long)]
    cds: Option<f64>,
    /// How many values: the top k [default: 100, or as many as there are].
    #[arg(long, short = 'k')]
    k: Option<usize>,
    /// A logarithmic value axis (values that are not positive are left out).
    #[arg(long)]
    log: bool,
    /// Threads for the target's products [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    out: OutputArgs,
}

/// `w2v plot spectrum`.
fn run_spectrum(a: SpectrumArgs) -> Result<()> {
    a.out.check()?;
    let s = match (&a.cooc, &a.model) {
        (Some(path), _) => {
            let threads = a
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let target = a.target.unwrap_or(TargetArg::Qwem);
            let kind = target.kind(a.negative.unwrap_or(5.0), a.cds.unwrap_or(0.75));
            of_counts(path, kind, a.k, threads)?
        }
        (None, Some(model)) => {
            if a.target.is_some() || a.negative.is_some() || a.cds.is_some() {
                return Err(Error::invalid(
                    "--target, --negative and --cds go with --cooc COUNTS, not with a model",
                ));
            }
            let emb = Embeddings::load(model)?;
            of_model(&emb, &file_name(model), a.k)?
        }
        (None, None) => return Err(Error::invalid("give a MODEL or --cooc COUNTS")),
    };
    if let Some(w) = &s.warning {
        eprintln!("w2v: warning: {w}");
    }
    let svg = spectrum::render(&s, a.log, (a.out.width, a.out.height))?;
    write_svg(&a.out.output, &svg)?;
    eprintln!("wrote {}", a.out.output.display());
    Ok(())
}
