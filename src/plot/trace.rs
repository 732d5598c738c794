//! The figure of `w2v plot trace` ([`super::trace`]): the top-k singular
//! values with a legend of their half-rise words on top; the running loss
//! below, and beside it, with a reference, the overlap of the top-1, top-10
//! and top-k subspaces; the theory's predicted curves dashed over the
//! singular values. Epoch boundaries are thin grey lines.

use super::rises::{epoch_starts, half_rise_table, half_rise_words, strictly_increasing};
use super::theory::Theory;
use super::{
    FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE, colour, draw_err, log_axis, log_label, number_label,
    padded, thousands, with_desc, words_label,
};
use crate::error::{Error, Result};
use crate::format::trace::Trace;
use crate::kinds::Named;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What to draw.
pub struct Figure<'a> {
    /// Modes to draw.
    pub k: usize,
    /// Singular values on a log axis.
    pub log: bool,
    /// The fitted theory, drawn dashed.
    pub theory: Option<&'a Theory>,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Render the trace's figure as an SVG document.
pub fn render(trace: &Trace, fig: &Figure) -> Result<String> {
    let k = fig.k;
    let half = half_rise_words(&trace.points, k);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let h = &trace.header;
        let mut title = format!("Training trace: {}", name(h.model).to_uppercase());
        if h.loss.is_some() {
            title += &format!(" ({})", name(h.loss).to_uppercase());
        }
        if h.dim > 0 {
            title += &format!(", D = {}", h.dim);
        }
        if h.vocab > 0 {
            title += &format!(", V = {}", thousands(h.vocab as u64));
        }
        if h.corpus_words > 0 && h.epochs > 0 {
            title += &format!(
                ", {} epochs of {} words",
                h.epochs,
                words_label(h.corpus_words as f64)
            );
        }
        let mut area = root
            .titled(&title, (FONT, TITLE_SIZE).into_font())
            .map_err(draw_err)?;
        if let Some(th) = fig.theory {
            let sub = format!(
                "dashed: theory (Karkada et al. 2025), ONE fitted constant c = {:.3e} (mode {}'s half-rise); modes {}-{k} predicted",
                th.c,
                th.fitted + 1,
                th.fitted + 2
            );
            area = area
                .titled(
                    &sub,
                    (FONT, TICK_SIZE).into_font().color(&RGBColor(90, 90, 90)),
                )
                .map_err(draw_err)?;
        }
        // The mode legend takes a column on the right: beside the singular
        // values only when the overlap panel needs the bottom row's width,
        // else beside both panels (their x axes then line up).
        let (w, height) = area.dim_in_pixel();
        let legend_w = if fig.theory.is_some() { 300 } else { 215 }.min(w / 3);
        let split = height * 58 / 100;
        let x_max = trace.points.last().map_or(1.0, |p| p.words as f64).max(1.0);
        let x_range = 0.0..x_max * 1.02;
        let (sv, legend, loss, overlap) = if trace.overlaps() > 0 {
            let (top, bottom) = area.split_vertically(split);
            let (sv, legend) = top.split_horizontally(w - legend_w);
            let (loss, overlap) = bottom.split_horizontally(w / 2);
            (sv, legend, loss, Some(overlap))
        } else {
            let (left, legend) = area.split_horizontally(w - legend_w);
            let (sv, loss) = left.split_vertically(split);
            (sv, legend, loss, None)
        };
        draw_mode_legend(&legend, k, &half, fig.theory)?;
        draw_singular_values(&sv, trace, fig, &half, x_range.clone())?;
        draw_loss(&loss, trace, x_range.clone())?;
        if let Some(a) = overlap {
            draw_overlap(&a, trace, k, x_range)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(with_desc(svg, &description(trace, k, &half, fig.theory)))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Epoch boundaries: thin grey dots.
const GREY_LINE: RGBColor = RGBColor(150, 150, 150);
/// The grid.
const MESH: RGBColor = RGBColor(225, 225, 225);

/// The top panel: `s_1..s_k` against words seen, half-rises marked, the
/// theory dashed.
fn draw_singular_values(
    area: &Area,
    trace: &Trace,
    fig: &Figure,
    half: &[Option<u64>],
    x_range: std::ops::Range<f64>,
) -> Result<()> {
    let k = fig.k;
    let values = || {
        trace
            .points
            .iter()
            .flat_map(|p| p.singular_values[..k].iter().copied())
    };
    let hi = values().fold(0.0f64, f64::max);
    let caption = format!("Top {k} singular values of the input embedding matrix");
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(caption, (FONT, LABEL_SIZE))
        .margin(8)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(70);
    let series: Vec<Vec<(f64, f64)>> = (0..k)
        .map(|j| {
            trace
                .points
                .iter()
                .map(|p| (p.words as f64, p.singular_values[j]))
                .collect()
        })
        .collect();
    let marks: Vec<(usize, f64, f64)> = (0..k)
        .filter_map(|j| {
            let w = half[j]? as f64;
            Some((j, w, series[j].last()?.1 / 2.0))
        })
        .collect();
    let curves = fig.theory.map(|t| t.curves(&trace.points, k, 400));
    let epochs = epoch_starts(&trace.points);
    macro_rules! draw {
        ($chart:expr, $labels:expr, $format:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc("words seen")
                .y_desc("singular value")
                .x_label_formatter(&|x| words_label(*x))
                .y_labels($labels)
                .y_label_formatter(&|y| $format(*y))
                .axis_desc_style((FONT, LABEL_SIZE))
                .label_style((FONT, TICK_SIZE))
                .bold_line_style(MESH)
                .light_line_style(TRANSPARENT)
                .draw()
                .map_err(draw_err)?;
            let yr = chart.y_range();
            for &x in &epochs {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x, yr.start), (x, yr.end)],
                        2,
                        4,
                        GREY_LINE.stroke_width(1),
                    ))
                    .map_err(draw_err)?;
            }
            for (j, s) in series.iter().enumerate() {
                let c = colour(j, k);
                chart
                    .draw_series(LineSeries::new(s.iter().copied(), c.stroke_width(2)))
                    .map_err(draw_err)?;
            }
            if let Some(curves) = &curves {
                for (j, s) in curves.iter().enumerate() {
                    let c = colour(j, k);
                    chart
                        .draw_series(DashedLineSeries::new(
                            s.iter().copied(),
                            6,
                            4,
                            c.stroke_width(1),
                        ))
                        .map_err(draw_err)?;
                }
            }
            chart
                .draw_series(
                    marks
                        .iter()
                        .map(|&(j, x, y)| Circle::new((x, y), 4, colour(j, k).filled())),
                )
                .map_err(draw_err)?;
        }};
    }
    if fig.log {
        let lo = values().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        if !lo.is_finite() {
            return Err(Error::invalid(
                "--log: no singular value in the trace is positive",
            ));
        }
        let (y, labels) = log_axis(lo, hi);
        draw!(
            builder
                .build_cartesian_2d(x_range, y.log_scale())
                .map_err(draw_err)?,
            labels,
            log_label
        );
    } else {
        draw!(
            builder
                .build_cartesian_2d(x_range, 0.0..padded(0.0, hi, 0.05).end)
                .map_err(draw_err)?,
            10,
            number_label
        );
    }
    Ok(())
}

/// The mode legend beside the singular values: each mode's colour and
/// half-rise words (with the theory: the `s^2 = S / 2` crossings, observed
/// and predicted).
fn draw_mode_legend(
    area: &Area,
    k: usize,
    half: &[Option<u64>],
    theory: Option<&Theory>,
) -> Result<()> {
    let (_, h) = area.dim_in_pixel();
    let top = 34;
    let rows = k as i32 + 6;
    let row = ((h as i32 - top - 10) / rows).clamp(6, 20);
    let size = (row as f64 * 0.8 * 1.24).min(TICK_SIZE);
    let at = |pos: HPos| {
        (FONT, size)
            .into_font()
            .into_text_style(area)
            .pos(Pos::new(pos, VPos::Center))
    };
    let text = |s: &str, x: i32, y: i32, pos: HPos| {
        area.draw(&Text::new(s.to_string(), (x, y), at(pos)))
            .map_err(draw_err)
    };
    let words = |w: Option<f64>| w.map_or("-".into(), words_label);
    // Right edges of the number columns.
    let cols: &[i32] = if theory.is_some() {
        &[118, 200, 272]
    } else {
        &[140]
    };
    let mut y = top;
    text("half-rise words:", 4, y, HPos::Left)?;
    y += row;
    text("mode", 4, y, HPos::Left)?;
    text("s = end/2", cols[0], y, HPos::Right)?;
    if theory.is_some() {
        text("s² = S/2", cols[1], y, HPos::Right)?;
        text("theory", cols[2], y, HPos::Right)?;
    }
    for (j, h) in half.iter().enumerate().take(k) {
        y += row;
        let c = colour(j, k);
        area.draw(&PathElement::new(vec![(4, y), (22, y)], c.stroke_width(3)))
            .map_err(draw_err)?;
        text(&format!("s{}", j + 1), 28, y, HPos::Left)?;
        text(&words(h.map(|w| w as f64)), cols[0], y, HPos::Right)?;
        if let Some(m) = theory.and_then(|t| t.modes.get(j)) {
            text(&words(m.observed_words), cols[1], y, HPos::Right)?;
            let p = words(m.predicted_words);
            text(
                &if j == 0 { format!("{p} fit") } else { p },
                cols[2],
                y,
                HPos::Right,
            )?;
        }
    }
    y += row * 3 / 2;
    area.draw(&Circle::new((13, y), 4, BLACK.filled()))
        .map_err(draw_err)?;
    text("s at half its end value", 28, y, HPos::Left)?;
    y += row;
    let verdict = if strictly_increasing(half) {
        "half-rises increase with k: yes"
    } else {
        "half-rises increase with k: NO"
    };
    text(verdict, 4, y, HPos::Left)?;
    if theory.is_some() {
        y += row;
        area.draw(&DashedPathElement::new(
            vec![(4, y), (22, y)],
            5,
            3,
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?;
        text("theory: s² rises to S logistically", 28, y, HPos::Left)?;
    }
    Ok(())
}

/// The running loss against words seen.
fn draw_loss(area: &Area, trace: &Trace, x_range: std::ops::Range<f64>) -> Result<()> {
    let pts: Vec<(f64, f64)> = trace
        .points
        .iter()
        .filter_map(|p| Some((p.words as f64, p.loss.filter(|l| l.is_finite())?)))
        .collect();
    let lo = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption("Running loss", (FONT, LABEL_SIZE))
        .margin(8)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x_range, padded(lo, hi, 0.05))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("words seen")
        .y_desc("loss (nats per example)")
        .x_labels(6)
        .x_label_formatter(&|x| words_label(*x))
        .y_label_formatter(&|y| number_label(*y))
        .axis_desc_style((FONT, LABEL_SIZE))
        .label_style((FONT, TICK_SIZE))
        .bold_line_style(MESH)
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(draw_err)?;
    let yr = chart.y_range();
    for x in epoch_starts(&trace.points) {
        chart
            .draw_series(DashedLineSeries::new(
                [(x, yr.start), (x, yr.end)],
                2,
                4,
                GREY_LINE.stroke_width(1),
            ))
            .map_err(draw_err)?;
    }
    chart
        .draw_series(LineSeries::new(pts, BLACK.stroke_width(2)))
        .map_err(draw_err)?;
    Ok(())
}

/// The overlap of the top-1, top-10 and top-k subspaces with the reference's.
fn draw_overlap(area: &Area, trace: &Trace, k: usize, x_range: std::ops::Range<f64>) -> Result<()> {
    let n = trace.overlaps();
    let mut sizes: Vec<usize> = vec![1, 10, k.min(n)];
    sizes.retain(|&s| s <= n);
    sizes.dedup();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Overlap with the reference's top subspaces",
            (FONT, LABEL_SIZE),
        )
        .margin(8)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, 0.0..1.02)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("words seen")
        .y_desc("mean squared cosine")
        .x_labels(6)
        .x_label_formatter(&|x| words_label(*x))
        .y_label_formatter(&|y| number_label(*y))
        .axis_desc_style((FONT, LABEL_SIZE))
        .label_style((FONT, TICK_SIZE))
        .bold_line_style(MESH)
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(draw_err)?;
    for (i, &s) in sizes.iter().enumerate() {
        let c = colour(i, sizes.len());
        let pts = trace
            .points
            .iter()
            .filter_map(move |p| Some((p.words as f64, *p.overlap.get(s - 1)?)));
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(draw_err)?
            .label(format!("top {s}"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FONT, TICK_SIZE))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// A header's choice by name (empty when the trace does not say).
fn name<T: Named>(x: Option<T>) -> &'static str {
    x.map_or("", Named::as_str)
}

/// The half-rise table (and the theory's fit), as text.
fn description(trace: &Trace, k: usize, half: &[Option<u64>], th: Option<&Theory>) -> String {
    let h = &trace.header;
    let num = |x: Option<f64>| x.map_or("-".into(), number_label);
    let mut s = format!(
        "w2v trace: {} {}, D = {}, V = {}, {} epochs of {} words, a point every {} words, init scale {}, lr {} ({}), {} singular values traced\n",
        name(h.model),
        name(h.loss),
        h.dim,
        h.vocab,
        h.epochs,
        h.corpus_words,
        h.every,
        num(h.init_scale),
        num(h.lr),
        name(h.lr_schedule),
        h.k
    );
    if let Some(r) = &h.reference {
        s += &format!(
            "reference: {} ({} words in common, {} eigenvalues)\n",
            r.path.as_deref().unwrap_or("-"),
            r.common_words,
            r.eigenvalues.len()
        );
    }
    s += &half_rise_table(trace, k, half);
    if let Some(th) = th {
        s.push('\n');
        s += &th.table();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::synthetic::{lambdas, synthetic};
    use crate::plot::texts;
    use crate::plot::theory::fit;

    #[test]
    fn a_rendered_trace_has_its_labels_and_curves() {
        let text = synthetic(2e-8, &lambdas(10), 20_000, 200, true);
        let trace = Trace::parse(&text, "synthetic").unwrap();
        let th = fit(&trace.points, &lambdas(10), 10, 0).unwrap();
        let fig = Figure {
            k: 10,
            log: false,
            theory: Some(&th),
            size: (900, 600),
        };
        let svg = render(&trace, &fig).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let t = texts(&svg);
        let has = |s: &str| t.iter().any(|x| x == s);
        let starts = |s: &str| t.iter().any(|x| x.starts_with(s));
        assert!(
            starts("Training trace: SGNS (NS), D = 50, V = 22,541"),
            "{t:?}"
        );
        assert!(starts(
            "dashed: theory (Karkada et al. 2025), ONE fitted constant c = 2.00"
        ));
        for label in [
            "Top 10 singular values of the input embedding matrix",
            "words seen",
            "singular value",
            "Running loss",
            "loss (nats per example)",
            "Overlap with the reference's top subspaces",
            "mean squared cosine",
            "top 1",
            "top 10",
            "half-rise words:",
            "s1",
            "s10",
            "theory",
        ] {
            assert!(has(label), "no `{label}` in {t:?}");
        }
        // Three panels: three x axes.
        assert_eq!(t.iter().filter(|x| *x == "words seen").count(), 3);
        assert!(svg.contains("<desc>w2v trace: sgns ns"));
        assert!(svg.contains("ONE fitted constant c = 2.00"));
        // 10 singular values + loss + 2 overlaps as polylines; the theory
        // dashed as many short segments; a dot at each half-rise.
        assert!(svg.matches("<polyline").count() >= 13 + 100);
        assert!(svg.matches("<circle").count() >= 10);
        let plain = render(
            &trace,
            &Figure {
                theory: None,
                log: true,
                ..fig
            },
        )
        .unwrap();
        assert!(!plain.contains("fitted constant"));
        let t = texts(&plain);
        assert!(t.iter().any(|x| x == "s = end/2") && !t.iter().any(|x| x == "theory"));
    }
}
