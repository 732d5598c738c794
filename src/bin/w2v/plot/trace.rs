//! `w2v plot trace`: what training did, against words seen.
//!
//! The input is the JSON Lines trace written by `w2v train --trace`. Line 1
//! is a header (`{"w2v_trace": 1, "model": "sgns", "dim": 50, ..., "k": 10,
//! "reference": null}`, or a reference model's `{"path", "eigenvalues",
//! "common_words"}`); every further line is a point: `{"words", "epoch",
//! "lr", "loss", "singular_values": [s1, ..., sk], "overlap": [o1, ...]}`,
//! `overlap[j]` the mean squared cosine between the learned and the
//! reference's top-(j+1) subspaces (present only with a reference);
//! [`w2v::format::trace`] reads it.
//!
//! The figure ([`w2v::plot::trace`]) has the top-k singular values of the input embedding matrix
//! on top and the running loss below; with a reference, the overlap of the
//! top-1, top-10 and top-k subspaces beside the loss. With `--theory` the
//! closed form's predicted rises are drawn dashed over the singular values
//! ([`w2v::plot::theory`]: one constant fitted on mode 1, every other mode
//! predicted).
//!
//! The key figure is each mode's **half-rise words**: the words seen at
//! which `s_k` first reaches half its final value ([`w2v::plot::rises::half_rise_words`], with
//! the other measures of a trace in [`w2v::plot::rises`]).
//! From a small initialisation the modes are learned one after another,
//! largest eigenvalue first, so these increase strictly with `k`. They are
//! printed, marked on the curves and written in the SVG's `<desc>`.

use super::OutputArgs;
use clap::Args;
use std::path::PathBuf;
use w2v::format::trace::Trace;
use w2v::plot::rises::{half_rise_table, half_rise_words};
use w2v::plot::theory;
use w2v::plot::trace::{Figure, render};
use w2v::plot::write_svg;
use w2v::{Error, Result};

/// `w2v plot trace`.
#[derive(Args)]
pub struct TraceArgs {
    /// The trace file (JSON Lines) written by `w2v train --trace`.
    trace: PathBuf,
    /// The number of singular values (modes) to draw [default: 10, or as many as the trace has].
    #[arg(long, short = 'k')]
    k: Option<usize>,
    /// Overlay the closed form's predicted rises (needs a trace with a reference).
    #[arg(long)]
    theory: bool,
    /// With --theory: pair the trace's mode N+1 with the reference's first
    /// eigenvalue. Use 1 for skip-gram with negative sampling, whose first
    /// direction (shared by every vector) is M*'s large negative eigenvalue.
    #[arg(long, default_value_t = 0, requires = "theory")]
    theory_skip: usize,
    /// Singular values on a logarithmic axis.
    #[arg(long)]
    log: bool,
    #[command(flatten)]
    out: OutputArgs,
}

/// `w2v plot trace`.
pub fn run(a: TraceArgs) -> Result<()> {
    a.out.check()?;
    let trace = Trace::read(&a.trace)?;
    let modes = trace.modes();
    let k = a.k.unwrap_or(10.min(modes));
    if k == 0 || k > modes {
        return Err(Error::invalid(format!(
            "--k {} but the trace `{}` holds {modes} singular values per point (1..={modes})",
            k,
            a.trace.display()
        )));
    }
    let th = if a.theory {
        let eig = match &trace.header.reference {
            Some(r) if !r.eigenvalues.is_empty() => &r.eigenvalues,
            _ => {
                return Err(Error::invalid(format!(
                    "--theory needs a trace with a reference model (its eigenvalues); `{}` has none",
                    a.trace.display()
                )));
            }
        };
        Some(theory::fit(&trace.points, eig, k, a.theory_skip)?)
    } else {
        None
    };
    let fig = Figure {
        k,
        log: a.log,
        theory: th.as_ref(),
        size: (a.out.width, a.out.height),
    };
    let svg = render(&trace, &fig)?;
    write_svg(&a.out.output, &svg)?;
    let half = half_rise_words(&trace.points, k);
    print!("{}", half_rise_table(&trace, k, &half));
    if let Some(th) = &th {
        print!("{}", th.table());
    }
    eprintln!("wrote {}", a.out.output.display());
    Ok(())
}
