//! A word map (`w2v plot map`, the lesson page): chosen words on a plane, by principal components.
//!
//! The `n` words' vectors are the rows of an `n x D` matrix `X` (centred on
//! their mean with `--center`: a PCA proper; without it the first axis
//! usually follows the words' common direction). The two axes are the top
//! two eigenvectors of `X^T X`; rather than that `D x D` matrix, the small
//! `n x n` Gram matrix `G = X X^T` is decomposed (`faer`): with its top
//! eigenpairs `(mu_a, u_a)`, word `i` sits at `(sqrt(mu_1) u_1[i],
//! sqrt(mu_2) u_2[i])`, its projection on the axes. Each axis' share is
//! `mu_a / trace(G)`, the fraction of the variance (or, uncentred, of the
//! squared norm) it carries. The axes are drawn at one scale, so distances
//! on the map are distances in the plane of the projection.

use super::{FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE, colour, draw_err, number_label, padded};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Embeddings;
use faer::{Mat, Side};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Words placed on the plane.
#[derive(Debug, Clone)]
pub struct WordMap {
    /// The words, in the order given.
    pub words: Vec<String>,
    /// Their coordinates on the two axes.
    pub points: Vec<(f64, f64)>,
    /// Each axis' share of the variance (centred) or squared norm.
    pub share: (f64, f64),
    /// Whether the vectors were centred.
    pub centered: bool,
}

/// Project `words` of `emb` on their top two principal axes.
///
/// # Errors
/// Fewer than 2 words, a word given twice, or words not in the model (all
/// of them named).
pub fn project(emb: &Embeddings, words: &[String], center: bool) -> Result<WordMap> {
    if words.len() < 2 {
        return Err(Error::invalid(format!(
            "--words needs at least 2 words, got {}",
            words.len()
        )));
    }
    for (i, w) in words.iter().enumerate() {
        if words[..i].contains(w) {
            return Err(Error::invalid(format!("`{w}` is given twice in --words")));
        }
    }
    let unknown: Vec<&str> = words
        .iter()
        .filter(|w| emb.index(w).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "not in the model ({} of {} words): {}",
                unknown.len(),
                words.len(),
                unknown.join(", ")
            ),
        ));
    }
    let (n, d) = (words.len(), emb.dim());
    let rows: Vec<&[f32]> = words
        .iter()
        .map(|w| emb.vector(w).expect("checked above"))
        .collect();
    let mean: Vec<f64> = (0..d)
        .map(|j| {
            if center {
                rows.iter().map(|r| r[j] as f64).sum::<f64>() / n as f64
            } else {
                0.0
            }
        })
        .collect();
    let x = Mat::from_fn(n, d, |i, j| rows[i][j] as f64 - mean[j]);
    let gram = &x * x.transpose();
    let total: f64 = (0..n).map(|i| gram[(i, i)]).sum();
    if !(total.is_finite() && total > 0.0) {
        return Err(Error::invalid(
            "the words' vectors are all equal (or zero, or not finite): nothing to map",
        ));
    }
    let evd = gram.self_adjoint_eigen(Side::Lower).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("the eigendecomposition failed: {e:?}"),
        )
    })?;
    let (mu, u) = (evd.S().column_vector(), evd.U());
    // Ascending: the top two are the last two.
    let axis = |a: usize| -> Vec<f64> {
        let col = n - 1 - a;
        let scale = mu[col].max(0.0).sqrt();
        let mut v: Vec<f64> = (0..n).map(|i| u[(i, col)] * scale).collect();
        // A fixed sign: the coordinate largest in magnitude is positive.
        let big = v
            .iter()
            .copied()
            .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
        if big < 0.0 {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        v
    };
    let (a, b) = (axis(0), axis(1));
    Ok(WordMap {
        words: words.to_vec(),
        points: a.into_iter().zip(b).collect(),
        share: (mu[n - 1].max(0.0) / total, mu[n - 2].max(0.0) / total),
        centered: center,
    })
}

/// Render the map as an SVG document; `name` is the model's, for the title.
pub fn render(map: &WordMap, name: &str, size: (u32, u32)) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let title = format!(
            "{} {} words of {name}",
            if map.centered {
                "PCA map of"
            } else {
                "Uncentred PCA map of"
            },
            map.words.len()
        );
        let area = root
            .titled(&title, (FONT, TITLE_SIZE).into_font())
            .map_err(draw_err)?;
        // One scale on both axes: widen the shorter range to the plot's
        // aspect ratio (the plot's size is the area less the label areas).
        let (margin, x_area, y_area) = (20u32, 50u32, 70u32);
        let (aw, ah) = area.dim_in_pixel();
        let pw = aw.saturating_sub(2 * margin + y_area).max(1) as f64;
        let ph = ah.saturating_sub(2 * margin + x_area).max(1) as f64;
        let xs = map.points.iter().map(|p| p.0);
        let ys = map.points.iter().map(|p| p.1);
        let (x0, x1) = (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        );
        let (y0, y1) = (
            ys.clone().fold(f64::INFINITY, f64::min),
            ys.fold(f64::NEG_INFINITY, f64::max),
        );
        let (xr, yr) = (padded(x0, x1, 0.08), padded(y0, y1, 0.08));
        // Room on the right for the longest label (about 0.5 em per letter).
        let longest = map
            .words
            .iter()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(1) as f64;
        let label_px = (longest * TICK_SIZE * 0.55 + 12.0).min(pw / 3.0);
        let scale = ((xr.end - xr.start) / (pw - label_px)).max((yr.end - yr.start) / ph);
        let (cx, cy) = ((xr.start + xr.end) / 2.0, (yr.start + yr.end) / 2.0);
        let half_w = scale * pw / 2.0;
        let shift = scale * label_px / 2.0;
        let x_range = cx - half_w + shift..cx + half_w + shift;
        let y_range = cy - scale * ph / 2.0..cy + scale * ph / 2.0;
        let mut chart = ChartBuilder::on(&area)
            .margin(margin)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x_range, y_range)
            .map_err(draw_err)?;
        let what = if map.centered {
            "variance"
        } else {
            "squared norm"
        };
        chart
            .configure_mesh()
            .x_desc(format!("PC 1 ({:.1} % of the {what})", 100.0 * map.share.0))
            .y_desc(format!("PC 2 ({:.1} % of the {what})", 100.0 * map.share.1))
            .x_label_formatter(&|x| number_label(*x))
            .y_label_formatter(&|y| number_label(*y))
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, TICK_SIZE))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;
        let dot = colour(0, 1);
        let px: Vec<(i32, i32)> = map.points.iter().map(|p| chart.backend_coord(p)).collect();
        let (cx, cy) = chart.plotting_area().get_pixel_range();
        let font_px = (LABEL_SIZE / 1.24).round() as i32;
        let widths: Vec<i32> = map
            .words
            .iter()
            .map(|w| (w.chars().count() as f64 * font_px as f64 * 0.6).ceil() as i32)
            .collect();
        let bounds = (cx.start, cy.start, cx.end, cy.end);
        let places = place_labels(&px, &widths, font_px, bounds);
        chart
            .draw_series(
                map.points
                    .iter()
                    .zip(&map.words)
                    .zip(&places)
                    .map(|((&p, w), &k)| {
                        let (dx, dy, ax, ay) = PLACES[k];
                        let h = [HPos::Left, HPos::Center, HPos::Right][ax as usize];
                        let v = [VPos::Top, VPos::Center, VPos::Bottom][ay as usize];
                        let style = (FONT, LABEL_SIZE)
                            .into_font()
                            .into_text_style(&area)
                            .pos(Pos::new(h, v));
                        EmptyElement::at(p)
                            + Circle::new((0, 0), 5, dot.filled())
                            + Text::new(w.clone(), (dx, dy), style)
                    }),
            )
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Where a label may go around its point, in order of preference: the
/// offset `(dx, dy)` in pixels and the label's anchor on each axis (0 the
/// left or top edge, 1 the centre, 2 the right or bottom edge).
const PLACES: [(i32, i32, i32, i32); 8] = [
    (9, 0, 0, 1),   // right
    (-9, 0, 2, 1),  // left
    (0, -8, 1, 2),  // above
    (0, 8, 1, 0),   // below
    (6, -6, 0, 2),  // upper right
    (6, 6, 0, 0),   // lower right
    (-6, -6, 2, 2), // upper left
    (-6, 6, 2, 0),  // lower left
];

/// A label's box `(x0, y0, x1, y1)` in pixels at place `k` of [`PLACES`].
fn label_box(p: (i32, i32), k: usize, w: i32, h: i32) -> (i32, i32, i32, i32) {
    let (dx, dy, ax, ay) = PLACES[k];
    let x0 = p.0 + dx - w * ax / 2;
    let y0 = p.1 + dy - h * ay / 2;
    (x0, y0, x0 + w, y0 + h)
}

/// The area two boxes share.
fn overlap(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0) as i64;
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0) as i64;
    w * h
}

/// Greedy label placement: each label in turn takes the first place of
/// `PLACES` that covers no point, no label placed before it and nothing
/// outside `bounds`, or else the place that covers the least. Returns each
/// label's place; `points` and `bounds` in pixels, labels `widths` by `h`.
pub fn place_labels(
    points: &[(i32, i32)],
    widths: &[i32],
    h: i32,
    bounds: (i32, i32, i32, i32),
) -> Vec<usize> {
    let dots: Vec<_> = points
        .iter()
        .map(|&(x, y)| (x - 5, y - 5, x + 6, y + 6))
        .collect();
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    let mut out = Vec::with_capacity(points.len());
    for (i, (&p, &w)) in points.iter().zip(widths).enumerate() {
        let cost = |k: usize| {
            let b = label_box(p, k, w, h);
            let inside = overlap(b, bounds);
            let outside = (w as i64 * h as i64 - inside) * 4;
            let others: i64 = dots
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, d)| overlap(b, *d) * 2)
                .sum();
            outside + others + placed.iter().map(|q| overlap(b, *q)).sum::<i64>()
        };
        let best = (0..PLACES.len()).min_by_key(|&k| (cost(k), k)).unwrap_or(0);
        placed.push(label_box(p, best, w, h));
        out.push(best);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Embeddings {
        // Four words on a rectangle in 3D (3 by 1), off the origin.
        let words = ["a", "b", "c", "d"].map(Box::from).to_vec();
        let data = vec![
            5.0, 3.0, 1.0, //
            5.0, -3.0, 1.0, //
            5.0, 3.0, -1.0, //
            5.0, -3.0, -1.0,
        ];
        Embeddings::new(words, vec![4, 3, 2, 1], 3, data).unwrap()
    }

    #[test]
    fn centred_projection_finds_the_rectangle() {
        let w: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let m = project(&model(), &w, true).unwrap();
        // PC 1 along the long side (9 of 10 parts of the variance).
        assert!((m.share.0 - 0.9).abs() < 1e-12 && (m.share.1 - 0.1).abs() < 1e-12);
        for (p, want) in
            m.points
                .iter()
                .zip([(3.0f64, 1.0f64), (-3.0, 1.0), (3.0, -1.0), (-3.0, -1.0)])
        {
            assert!((p.0.abs() - want.0.abs()).abs() < 1e-9, "{p:?}");
            assert!((p.1.abs() - want.1.abs()).abs() < 1e-9, "{p:?}");
        }
        // Uncentred, the common direction (5, 0, 0) dominates.
        let u = project(&model(), &w, false).unwrap();
        assert!((u.share.0 - 100.0 / 140.0).abs() < 1e-12, "{:?}", u.share);
        let svg = render(&m, "m.bin", (900, 600)).unwrap();
        let t = crate::plot::texts(&svg);
        assert!(t.contains(&"a".to_string()), "{t:?}");
        assert!(
            t.contains(&"PC 1 (90.0 % of the variance)".to_string()),
            "{t:?}"
        );
    }

    #[test]
    fn labels_of_close_points_do_not_overlap() {
        // Four points in a tight column (closer than a line of text), one
        // far away.
        let pts = [(100, 100), (104, 110), (98, 120), (102, 130), (400, 300)];
        let widths = [50, 40, 60, 30, 50];
        let places = place_labels(&pts, &widths, 14, (0, 0, 800, 500));
        let boxes: Vec<_> = (0..5)
            .map(|i| label_box(pts[i], places[i], widths[i], 14))
            .collect();
        for i in 0..5 {
            for j in 0..i {
                assert_eq!(overlap(boxes[i], boxes[j]), 0, "{places:?}");
            }
        }
        assert_eq!(places[4], 0, "a lone point's label goes right");
        // At the right edge, the label goes left.
        assert_eq!(
            place_labels(&[(795, 100)], &[50], 14, (0, 0, 800, 500)),
            [1]
        );
    }

    #[test]
    fn bad_word_lists_are_errors() {
        let e = |w: &[&str]| {
            let w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
            project(&model(), &w, true).unwrap_err().to_string()
        };
        assert!(e(&["a"]).contains("at least 2"));
        assert!(e(&["a", "b", "a"]).contains("`a` is given twice"));
        assert!(e(&["a", "zz", "b", "yy"]).contains("not in the model (2 of 4 words): zz, yy"));
    }
}
