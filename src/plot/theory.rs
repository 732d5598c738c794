//! The closed form's prediction of a trace's singular values (`w2v plot
//! trace --theory`): ONE constant is fitted, everything else is predicted.
//!
//! Karkada, Simon, Bahri and DeWeese (2025) solve word2vec's dynamics under
//! the quadratic approximation of its loss: from a small initialisation,
//! mode `j` (the `j`-th eigenvector of `M*`, eigenvalue `lambda_j`) grows on
//! its own, its squared singular value following a logistic curve
//!
//! ```text
//! s_j(t)^2 = S_j / (1 + (S_j / s_0^2 - 1) exp(-2 c lambda_j t))
//! ```
//!
//! from `s_0` at `t = 0` to `S_j`. Larger eigenvalues rise sooner, so the
//! modes are learned one after another. Here:
//!
//! * `lambda_j` is the reference model's `j`-th eigenvalue (the trace
//!   header's `reference.eigenvalues`);
//! * `S_j` is the trace's final `s_j^2`, `s_0` mode `j`'s first traced value,
//!   and `t` counts from the first trace point;
//! * `t` is the learning-rate-weighted words seen, `integral lr(w) / lr_0
//!   dw` (trapezoids over the points' `lr`), which is the words seen under a
//!   constant schedule and slows down as a linear schedule decays;
//! * `c` (which lumps the learning rate, the negative sampling and the
//!   corpus' normalisation) is the one fitted constant: it is solved so
//!   that mode 1's predicted half-rise, where `s_1^2 = S_1 / 2`, i.e.
//!   `t = ln(S_1 / s_0^2 - 1) / (2 c lambda_1)`, falls where the trace's
//!   does: `c = ln(S_1 / s_0^2 - 1) / (2 lambda_1 t_1)`.
//!
//! Modes 2 to k are then predictions: their half-rise words (`s_j^2 = S_j /
//! 2`) against the observed ones are the test of the theory. With
//! `--theory-skip n` the trace's first `n` modes are left out of the pairing
//! (see [`fit`]) and the constant is fitted on mode `n + 1`.

use super::rises::crossing;
use super::thousands;
use crate::error::{Error, Result};
use crate::format::trace::{Point as TracePoint, short};

/// The theory's fit of one mode.
#[derive(Debug, Clone)]
pub struct ModeFit {
    /// The reference's eigenvalue (`None`: the reference has fewer).
    pub lambda: Option<f64>,
    /// The first traced singular value.
    pub s0: f64,
    /// The final squared singular value `S_j`.
    pub final_sq: f64,
    /// Words at which the predicted `s_j^2` reaches `S_j / 2` (`None`: no
    /// rise predicted).
    pub predicted_words: Option<f64>,
    /// Words at which the trace's `s_j^2` first reaches `S_j / 2`.
    pub observed_words: Option<f64>,
}

/// The fitted theory of a trace.
#[derive(Debug, Clone)]
pub struct Theory {
    /// The one fitted constant (per learning-rate-weighted word and unit of
    /// eigenvalue).
    pub c: f64,
    /// Modes `1..=k`.
    pub modes: Vec<ModeFit>,
    clock: Clock,
    /// The mode whose half-rise fixed `c` (0-based; the first with an
    /// eigenvalue).
    pub fitted: usize,
}

/// Learning-rate-weighted time: knots `(words, t)` from the trace points.
#[derive(Debug, Clone)]
struct Clock {
    knots: Vec<(f64, f64)>,
}

impl Clock {
    /// `t` at each point: `0` at the first, then trapezoids of `lr / lr_0`
    /// (plain words seen if any point lacks a positive learning rate).
    fn new(points: &[TracePoint]) -> Clock {
        let lrs: Option<Vec<f64>> = points
            .iter()
            .map(|p| p.lr.map(short).filter(|l| l.is_finite() && *l > 0.0))
            .collect();
        let rate: Vec<f64> = match lrs {
            Some(l) if !l.is_empty() => l.iter().map(|x| x / l[0]).collect(),
            _ => vec![1.0; points.len()],
        };
        let mut knots = Vec::with_capacity(points.len());
        let mut t = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                let dw = (p.words - points[i - 1].words) as f64;
                t += dw * (rate[i - 1] + rate[i]) / 2.0;
            }
            knots.push((p.words as f64, t));
        }
        Clock { knots }
    }

    /// Piecewise-linear interpolation through `knots` (`x` non-decreasing),
    /// extended beyond the ends by the nearest segment's slope.
    fn interpolate(knots: &[(f64, f64)], x: f64) -> f64 {
        match knots {
            [] => x,
            [(x0, y0)] => y0 + (x - x0),
            _ => {
                let i = knots.partition_point(|k| k.0 < x).clamp(1, knots.len() - 1);
                let ((x0, y0), (x1, y1)) = (knots[i - 1], knots[i]);
                let slope = if x1 > x0 { (y1 - y0) / (x1 - x0) } else { 1.0 };
                y0 + (x - x0) * slope
            }
        }
    }

    /// `t` at `words`.
    fn t(&self, words: f64) -> f64 {
        Clock::interpolate(&self.knots, words)
    }

    /// Words at time `t`.
    fn words(&self, t: f64) -> f64 {
        let swapped: Vec<(f64, f64)> = self.knots.iter().map(|&(w, t)| (t, w)).collect();
        Clock::interpolate(&swapped, t)
    }
}

/// Fit the theory to the first `k` modes of `points`, with the reference's
/// `eigenvalues` (largest first).
///
/// # Errors
/// When mode 1 cannot be fitted: its eigenvalue is not positive, it does not
/// rise (its final `s^2` is not at least twice its first: not a small
/// initialisation), or it is already at half its final `s^2` at the first
/// point.
///
/// With `skip > 0`, trace mode `j + skip` is paired with eigenvalue `j`:
/// skip-gram with negative sampling first learns a direction every vector
/// shares (its first singular vector is the all-ones direction), which `M*`
/// holds as its large negative eigenvalue, outside the top list; `skip = 1`
/// lines the rest up. The first `skip` modes get no prediction.
pub fn fit(points: &[TracePoint], eigenvalues: &[f64], k: usize, skip: usize) -> Result<Theory> {
    if skip >= k {
        return Err(Error::invalid(format!(
            "--theory-skip {skip} leaves none of the {k} modes to predict"
        )));
    }
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err(Error::invalid("the theory needs a trace with points"));
    };
    let clock = Clock::new(points);
    let w0 = first.words as f64;
    let mut modes: Vec<ModeFit> = (0..k)
        .map(|j| {
            let s0 = first.singular_values[j];
            let final_sq = last.singular_values[j].powi(2);
            let sq = points
                .iter()
                .map(|p| (p.words as f64, p.singular_values[j].powi(2)));
            ModeFit {
                lambda: j
                    .checked_sub(skip)
                    .and_then(|i| eigenvalues.get(i))
                    .copied(),
                s0,
                final_sq,
                predicted_words: None,
                observed_words: crossing(sq, final_sq / 2.0),
            }
        })
        .collect();
    let m = &modes[skip];
    let lambda = m
        .lambda
        .filter(|l| l.is_finite() && *l > 0.0)
        .ok_or_else(|| {
            Error::invalid("--theory: the reference's first eigenvalue is not a positive number")
        })?;
    let ratio = m.final_sq / (m.s0 * m.s0);
    if !(ratio.is_finite() && ratio > 2.0) {
        return Err(Error::invalid(format!(
            "--theory: mode {} does not rise (s goes from {:.3e} to {:.3e}); the theory describes training from a small initialisation",
            skip + 1,
            m.s0,
            m.final_sq.sqrt()
        )));
    }
    let t1 = m
        .observed_words
        .map(|w| clock.t(w) - clock.t(w0))
        .filter(|t| *t > 0.0)
        .ok_or_else(|| {
            Error::invalid(
                "--theory: the fitted mode is already at half its final s^2 at the first trace point, so its rise cannot be timed",
            )
        })?;
    let c = (ratio - 1.0).ln() / (2.0 * lambda * t1);
    let t0 = clock.t(w0);
    for m in &mut modes {
        let ratio = m.final_sq / (m.s0 * m.s0);
        if let Some(l) = m.lambda.filter(|l| *l > 0.0)
            && ratio.is_finite()
            && ratio > 2.0
        {
            m.predicted_words = Some(clock.words(t0 + (ratio - 1.0).ln() / (2.0 * c * l)));
        }
    }
    Ok(Theory {
        c,
        modes,
        clock,
        fitted: skip,
    })
}

impl Theory {
    /// The predicted `s_j` at `words` (`None` for a mode with no eigenvalue).
    pub fn s(&self, j: usize, words: f64) -> Option<f64> {
        let m = &self.modes[j];
        let l = m.lambda?;
        let t = self.clock.t(words) - self.clock.knots.first()?.1;
        let a = m.final_sq / (m.s0 * m.s0) - 1.0;
        let sq = m.final_sq / (1.0 + a * (-2.0 * self.c * l * t.max(0.0)).exp());
        sq.is_finite().then(|| sq.max(0.0).sqrt())
    }

    /// Each of the first `k` modes' predicted curve at `n` words evenly
    /// spaced over the trace (empty for a mode with no eigenvalue).
    pub fn curves(&self, points: &[TracePoint], k: usize, n: usize) -> Vec<Vec<(f64, f64)>> {
        let (a, b) = match (points.first(), points.last()) {
            (Some(f), Some(l)) => (f.words as f64, l.words as f64),
            _ => return vec![Vec::new(); k],
        };
        let n = n.max(2);
        (0..k.min(self.modes.len()))
            .map(|j| {
                (0..n)
                    .filter_map(|i| {
                        let w = a + (b - a) * i as f64 / (n - 1) as f64;
                        Some((w, self.s(j, w)?))
                    })
                    .collect()
            })
            .collect()
    }

    /// The fit as text: the constant and each mode's predicted and observed
    /// half-rise words.
    pub fn table(&self) -> String {
        let fmt = |w: Option<f64>| w.map_or("-".into(), |w| thousands(w.round().max(0.0) as u64));
        let mut s = format!(
            "theory (Karkada et al. 2025): ONE fitted constant c = {:.4e} per (lr-weighted) word per unit eigenvalue, from mode {}'s half-rise; modes {}-{} are predictions{}\n half-rise: where s_j^2 = S_j / 2 (S_j the final s_j^2)\n mode   eigenvalue   predicted words    observed words   predicted / observed\n",
            self.c,
            self.fitted + 1,
            self.fitted + 2,
            self.modes.len(),
            match self.fitted {
                0 => String::new(),
                1 => " (mode 1 is paired with no eigenvalue: --theory-skip 1)".into(),
                n => format!(" (modes 1-{n} are paired with no eigenvalue: --theory-skip {n})"),
            }
        );
        for (j, m) in self.modes.iter().enumerate() {
            let ratio = match (m.predicted_words, m.observed_words) {
                (Some(p), Some(o)) if o > 0.0 => format!("{:.3}", p / o),
                _ => "-".into(),
            };
            s += &format!(
                "{:>5}   {:>10}   {:>15}   {:>15}   {ratio:>20}{}\n",
                j + 1,
                m.lambda.map_or("-".into(), |l| format!("{l:.2}")),
                fmt(m.predicted_words),
                fmt(m.observed_words),
                if j == self.fitted { "  (fitted)" } else { "" }
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::trace::Trace;
    use crate::plot::synthetic::{lambdas, synthetic};

    #[test]
    fn the_fit_recovers_the_constant_and_predicts_every_mode() {
        for c in [2e-8, 7e-9] {
            let trace = Trace::parse(&synthetic(c, &lambdas(10), 20_000, 600, true), "t").unwrap();
            let th = fit(&trace.points, &lambdas(10), 10, 0).unwrap();
            assert!((th.c - c).abs() / c < 2e-3, "fitted {} for {c}", th.c);
            for (j, m) in th.modes.iter().enumerate() {
                let (p, o) = (m.predicted_words.unwrap(), m.observed_words.unwrap());
                assert!(
                    (p - o).abs() / o < 5e-3,
                    "mode {j}: predicted {p}, observed {o}"
                );
                let s = th.s(j, o).unwrap();
                assert!((s * s / (m.final_sq / 2.0) - 1.0).abs() < 2e-2, "mode {j}");
            }
            assert!(th.table().contains("ONE fitted constant"));
            assert_eq!(th.curves(&trace.points, 10, 50)[3].len(), 50);
        }
    }

    #[test]
    fn the_clock_weighs_words_by_the_learning_rate() {
        let p = |words: u64, lr: f64| TracePoint {
            words,
            epoch: 0,
            lr: Some(lr as f32),
            loss: None,
            seconds: 0.0,
            singular_values: vec![1.0],
            overlap: vec![],
        };
        // Constant: t = words - first words.
        let c = Clock::new(&[p(100, 0.02), p(200, 0.02), p(400, 0.02)]);
        assert_eq!(c.t(300.0), 200.0);
        assert_eq!(c.t(500.0), 400.0);
        assert_eq!(c.words(150.0), 250.0);
        // Halved from 200 on: 100 words at the mean rate 0.75, then 0.5.
        let c = Clock::new(&[p(100, 0.02), p(200, 0.01), p(400, 0.01)]);
        assert_eq!(c.t(200.0), 75.0);
        assert_eq!(c.t(400.0), 175.0);
        assert_eq!(c.words(c.t(333.0)), 333.0);
        assert_eq!(c.t(600.0), 275.0);
    }

    #[test]
    fn an_unfittable_trace_is_a_clear_error() {
        let trace = Trace::parse(&synthetic(2e-8, &lambdas(3), 20_000, 100, true), "t").unwrap();
        let e = fit(&trace.points, &[-1.0, 2.0, 1.0], 3, 0).unwrap_err();
        assert!(e.to_string().contains("first eigenvalue"), "{e}");
        // Starting from the end: no rise.
        let late = &trace.points[90..];
        let e = fit(late, &lambdas(3), 3, 0).unwrap_err();
        assert!(e.to_string().contains("does not rise"), "{e}");
        // Fewer eigenvalues than modes: the others are not predicted.
        let th = fit(&trace.points, &lambdas(2), 3, 0).unwrap();
        assert!(th.modes[2].predicted_words.is_none() && th.s(2, 1e6).is_none());
    }
}
