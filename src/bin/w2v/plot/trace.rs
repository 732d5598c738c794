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
//! The figure ([`super::trace_figure`]) has the top-k singular values of the input embedding matrix
//! on top and the running loss below; with a reference, the overlap of the
//! top-1, top-10 and top-k subspaces beside the loss. With `--theory` the
//! closed form's predicted rises are drawn dashed over the singular values
//! ([`super::theory`]: one constant fitted on mode 1, every other mode
//! predicted).
//!
//! The key figure is each mode's **half-rise words**: the words seen at
//! which `s_k` first reaches half its final value ([`half_rise_words`], with
//! the other measures of a trace in [`super::rises`]).
//! From a small initialisation the modes are learned one after another,
//! largest eigenvalue first, so these increase strictly with `k`. They are
//! printed, marked on the curves and written in the SVG's `<desc>`.

use super::rises::{half_rise_table, half_rise_words};
use super::theory;
use super::trace_figure::{Figure, render};
use super::{OutputArgs, write_svg};
use clap::Args;
use std::path::PathBuf;
use w2v::format::trace::Trace;
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

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::plot::rises::strictly_increasing;
    use crate::plot::synthetic::{lambdas, synthetic};
    use w2v::format::trace::Point as TracePoint;

    fn point(words: u64, s: &[f64]) -> TracePoint {
        TracePoint {
            words,
            epoch: 0,
            lr: None,
            loss: None,
            seconds: 0.0,
            singular_values: s.to_vec(),
            overlap: vec![],
        }
    }

    #[test]
    fn half_rise_words_interpolate_between_points() {
        // Mode 1 reaches 5 (half of 10) between 200 and 300: at 250.
        // Mode 2 starts above half its final value: the first point.
        // Mode 3 ends at 0: no rise.
        let pts = vec![
            point(100, &[0.0, 3.0, 0.0]),
            point(200, &[4.0, 3.0, 0.0]),
            point(300, &[6.0, 4.0, 0.0]),
            point(400, &[10.0, 4.0, 0.0]),
        ];
        assert_eq!(half_rise_words(&pts, 3), vec![Some(250), Some(100), None]);
        assert_eq!(half_rise_words(&pts, 5).len(), 5);
        assert_eq!(half_rise_words(&pts, 5)[4], None);
        assert_eq!(half_rise_words(&[], 2), vec![None, None]);
    }

    #[test]
    fn half_rise_words_of_delayed_logistics_increase_strictly() {
        let text = synthetic(2e-8, &lambdas(10), 20_000, 300, false);
        let trace = Trace::parse(&text, "synthetic").unwrap();
        let half = half_rise_words(&trace.points, 10);
        assert!(half.iter().all(Option::is_some), "{half:?}");
        assert!(strictly_increasing(&half), "{half:?}");
        // Against the closed form: s = f / 2 where s^2 = S / 4, i.e. at
        // t = ln((S / s0^2 - 1) / 3) / (2 c lambda).
        for (j, l) in lambdas(10).iter().enumerate() {
            let big = l;
            let t = ((big / 1e-6 - 1.0) / 3.0).ln() / (2.0 * 2e-8 * l);
            let got = half[j].unwrap() as f64;
            assert!((got - t).abs() / t < 0.01, "mode {j}: {got} vs {t}");
        }
        // A trace that starts large (no rise) is not increasing.
        assert!(!strictly_increasing(&[Some(5), Some(5)]));
        assert!(!strictly_increasing(&[Some(5), None, Some(9)]));
    }
}
