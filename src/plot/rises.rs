//! What a trace shows, measured: where a series crosses a level, each
//! mode's half-rise words, the epochs' first points (used by the figure, the
//! theory's fit and `w2v plot trace`'s table alike).

use super::thousands;
use crate::format::trace::{Point as TracePoint, Trace};

/// The first `x` at which the series `(x, y)` reaches `level`, linearly
/// interpolated between the two points around the crossing; the first `x`
/// if it starts at or above `level`; `None` if it never reaches it or
/// `level` is not a positive number.
pub fn crossing(series: impl IntoIterator<Item = (f64, f64)>, level: f64) -> Option<f64> {
    if !(level.is_finite() && level > 0.0) {
        return None;
    }
    let mut prev: Option<(f64, f64)> = None;
    for (x, y) in series {
        if y >= level {
            return Some(match prev {
                Some((x0, y0)) if y > y0 => x0 + (x - x0) * (level - y0) / (y - y0),
                _ => x,
            });
        }
        prev = Some((x, y));
    }
    None
}

/// For each mode `j < k`, the words seen at which `s_j` first reaches half
/// its final (last point's) value, interpolated between trace points;
/// `None` for a mode whose final value is not positive, or which the points
/// lack.
pub fn half_rise_words(points: &[TracePoint], k: usize) -> Vec<Option<u64>> {
    (0..k)
        .map(|j| {
            let last = points.last()?.singular_values.get(j)?;
            let series = points
                .iter()
                .filter_map(|p| Some((p.words as f64, *p.singular_values.get(j)?)));
            crossing(series, last / 2.0).map(|w| w.round() as u64)
        })
        .collect()
}

/// The words seen at which each epoch after the first starts (the first
/// point of a new epoch).
pub fn epoch_starts(points: &[TracePoint]) -> Vec<f64> {
    points
        .windows(2)
        .filter(|w| w[1].epoch != w[0].epoch)
        .map(|w| w[1].words as f64)
        .collect()
}

/// Whether the known values increase strictly (a `None` breaks the run).
pub fn strictly_increasing(words: &[Option<u64>]) -> bool {
    words
        .windows(2)
        .all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a < b))
}

/// The half-rise words of each mode, one line each, and whether they
/// increase strictly.
pub fn half_rise_table(trace: &Trace, k: usize, half: &[Option<u64>]) -> String {
    let last = trace.points.last().map(|p| &p.singular_values[..]);
    let mut s = String::from(
        "half-rise words: the words seen at which s_k first reaches half its final value\n    k  half-rise words   final s_k\n",
    );
    for (j, h) in half.iter().enumerate().take(k) {
        let w = h.map_or("never".into(), thousands);
        let f = last.and_then(|l| l.get(j)).copied().unwrap_or(f64::NAN);
        s += &format!("{:>5}  {w:>15}   {f:>9.4}\n", j + 1);
    }
    s += if strictly_increasing(half) {
        "the half-rise words increase strictly with k (the modes are learned one after another)\n"
    } else {
        "the half-rise words do NOT increase strictly with k (some modes rise together or cross)\n"
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::synthetic::{lambdas, synthetic};

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
