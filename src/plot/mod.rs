//! SVG figures of a training trace, a word map and a spectrum, drawn with
//! `plotters` (SVG backend only), for `w2v plot`, the lesson page and any
//! caller (the `plot` feature, which the command line's `cli` feature turns on).
//!
//! Each plot is rendered into a `String` (`SVGBackend::with_string`), then
//! written atomically ([`write_svg`], through [`crate::format::atomic::write_atomically`]): a failed
//! run leaves no partial file. Text is written as SVG `<text>` elements and
//! left to the viewer's fonts; plotters only estimates label widths (its
//! built-in estimate, no font files), so the build and the run need no font.
//!
//! * [`trace`]: the loss and the top singular values of the input embeddings
//!   against words seen, from a trace file ([`crate::format::trace`]); with
//!   a reference model, the subspace overlap, and the closed form's predicted
//!   rises ([`theory`]); what a trace shows, measured, in [`rises`].
//! * [`map`]: a 2D PCA map of chosen words.
//! * [`spectrum`]: the top eigenvalues of a target built from co-occurrence
//!   counts, or the top singular values of a model's matrix.

pub mod map;
pub mod rises;
pub mod spectrum;
#[cfg(test)]
pub mod synthetic;
pub mod theory;
pub mod trace;

use crate::error::{Error, ErrorKind, Result};
use plotters::style::RGBColor;
use std::path::Path;

/// The font family of every label (the viewer picks the face).
pub const FONT: &str = "sans-serif";
/// Font sizes (plotters' units: the SVG gets `size / 1.24` px).
pub const TITLE_SIZE: f64 = 26.0;
/// Panel captions and axis descriptions.
pub const LABEL_SIZE: f64 = 18.0;
/// Tick labels and legends.
pub const TICK_SIZE: f64 = 15.0;

/// Ten colours told apart by most viewers (Tableau 10).
const TAB10: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// The colour of series `i` of `n`: Tableau 10 up to ten series, beyond
/// that an even walk along a dark-to-light viridis-like ramp (the modes of
/// a trace are ordered, so an ordered ramp still reads).
pub fn colour(i: usize, n: usize) -> RGBColor {
    if n <= TAB10.len() {
        let (r, g, b) = TAB10[i % TAB10.len()];
        return RGBColor(r, g, b);
    }
    // A few stops of viridis, linearly interpolated.
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = i as f64 / (n - 1) as f64 * (STOPS.len() - 1) as f64 * 0.92;
    let (a, f) = (t.floor() as usize, t - t.floor());
    let (p, q) = (STOPS[a], STOPS[(a + 1).min(STOPS.len() - 1)]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(p.0, q.0), mix(p.1, q.1), mix(p.2, q.2))
}

/// A drawing error as a w2v error (plotters' errors are the backend's
/// and cannot happen on a `String`, but are not unwrapped).
pub fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, format!("drawing the plot failed: {e}"))
}

/// A count of words as axis text, to 3 significant digits: `0`, `500k`,
/// `735k`, `1.5M`, `2.13M`, `2G`.
pub fn words_label(x: f64) -> String {
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (x / 1e9, "G")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let decimals = match v.abs() {
        a if a >= 99.95 => 0,
        a if a >= 9.995 => 1,
        _ => 2,
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    format!("{s}{unit}")
}

/// A number as tick text: plain where it reads well, else scientific.
pub fn number_label(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        let s = format!("{x:.1e}");
        s.replace(".0e", "e")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A logarithmic axis over `lo..hi` (both positive): the range widened to
/// whole decades, so plotters puts a tick at each power of ten, and the
/// number of labels to ask for, so that a range of one or two decades also
/// gets ticks at 2, 3, ... 9 times each power (labelled by [`log_label`]).
pub fn log_axis(lo: f64, hi: f64) -> (std::ops::Range<f64>, usize) {
    let a = lo.log10().floor();
    let b = hi.log10().ceil().max(a + 1.0);
    let labels = if b - a <= 2.0 { 30 } else { 10 };
    // A hair wider, so that rounding cannot drop the end ticks.
    (10f64.powf(a) * 0.9999..10f64.powf(b) * 1.0001, labels)
}

/// A log axis' tick text: the tick's value at 1, 2 and 5 times a power of
/// ten, nothing at the others.
pub fn log_label(y: f64) -> String {
    let m = y / 10f64.powf(y.log10().floor());
    if [1.0, 2.0, 5.0, 10.0].iter().any(|t| (m - t).abs() < 1e-6) {
        number_label(y)
    } else {
        String::new()
    }
}

/// An integer with thousands separators: `1,941,079`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `lo..hi` widened by `pad` of its length on each side, never empty.
pub fn padded(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    if span <= f64::EPSILON * hi.abs().max(lo.abs()).max(1e-300) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return lo - d..hi + d;
    }
    lo - pad * span..hi + pad * span
}

/// Text escaped for an SVG element's content.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Insert `<desc>text</desc>` right after the opening `<svg ...>` tag.
pub fn with_desc(svg: String, text: &str) -> String {
    match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(at) => format!(
            "{}\n<desc>{}</desc>{}",
            &svg[..at],
            escape(text),
            &svg[at..]
        ),
        None => svg,
    }
}

/// Write `svg` to `path` atomically.
pub fn write_svg(path: &Path, svg: &str) -> Result<()> {
    use std::io::Write as _;
    crate::format::atomic::write_atomically(path, |w| w.write_all(svg.as_bytes()))
}

/// The text of every `<text>` element of an SVG, trimmed and unescaped
/// (what a reader sees; the tests check figures with it).
pub fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            let raw = body[..body.find("</text>")?].trim();
            Some(
                raw.replace("&apos;", "'")
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_well() {
        assert_eq!(words_label(0.0), "0");
        assert_eq!(words_label(500_000.0), "500k");
        assert_eq!(words_label(1_500_000.0), "1.5M");
        assert_eq!(words_label(2e9), "2G");
        assert_eq!(words_label(735_115.0), "735k");
        assert_eq!(words_label(2_130_514.0), "2.13M");
        assert_eq!(words_label(40.0), "40");
        assert_eq!(number_label(0.25), "0.25");
        assert_eq!(number_label(1e-6), "1e-6");
        assert_eq!(number_label(882.2), "882.2");
        assert_eq!(thousands(1_941_079), "1,941,079");
        assert_eq!(thousands(999), "999");
        let (r, n) = log_axis(1.6, 12.0);
        assert!((r.start - 1.0).abs() < 1e-3 && (r.end - 100.0).abs() < 1e-1 && n == 30);
        assert_eq!(log_axis(1e-3, 30.0).1, 10);
        assert_eq!(log_label(20.0), "20");
        assert_eq!(log_label(30.0), "");
        assert_eq!(log_label(0.001), "0.001");
        assert_eq!(log_label(1e-5), "1e-5");
    }

    #[test]
    fn ranges_are_never_empty_and_colours_differ() {
        let r = padded(3.0, 3.0, 0.05);
        assert!(r.start < 3.0 && r.end > 3.0);
        let r = padded(f64::NAN, 1.0, 0.05);
        assert!(r.start < r.end);
        for n in [2, 10, 20] {
            let c: Vec<_> = (0..n).map(|i| colour(i, n)).collect();
            for i in 1..n {
                assert_ne!(c[i], c[i - 1]);
            }
        }
    }

    #[test]
    fn desc_goes_inside_the_svg_element() {
        let s = with_desc("<svg a=\"1\">\n<rect/></svg>".into(), "c < 1 & d");
        assert_eq!(
            s,
            "<svg a=\"1\">\n<desc>c &lt; 1 &amp; d</desc>\n<rect/></svg>"
        );
    }
}
