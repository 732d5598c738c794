//! `w2v plot spectrum`: a spectrum by rank.
//!
//! * From co-occurrence counts (`--cooc`): the top `k` eigenvalues of a
//!   target (QWEM's `M*` or SPPMI, [`crate::spectral::Target`]), found
//!   matrix-free by [`crate::spectral::lanczos::top_eigenpairs`] as `w2v
//!   spectral` finds them. Their sizes are what the closed form scales its
//!   vectors by, and (Karkada et al. 2025) what orders the modes' rises
//!   during training.
//! * From a model: the top `k` singular values of its `V x D` matrix `X`,
//!   the square roots of the eigenvalues of the `D x D` Gram matrix `X^T X`
//!   (accumulated in `f64` over blocks of rows, decomposed by `faer`).

use super::{
    FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE, colour, draw_err, log_axis, log_label, number_label,
    padded, thousands,
};
use crate::error::{Error, ErrorKind, Result};
use crate::format::cooc;
use crate::model::Embeddings;
use crate::spectral::lanczos::{EigenOptions, top_eigenpairs};
use crate::spectral::{Target, TargetKind};
use faer::{Mat, Side};
use plotters::prelude::*;
use std::path::Path;

/// A spectrum to draw.
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// The values, largest first.
    pub values: Vec<f64>,
    /// The title.
    pub title: String,
    /// What a value is (the value axis' label).
    pub what: &'static str,
    /// What the caller should tell the user (the eigensolver stopped before
    /// every pair met its tolerance), if anything.
    pub warning: Option<String>,
}

/// The top `k` (default [`DEFAULT_K`], at most `V`) eigenvalues of the
/// `kind` target of the count file `path`.
pub fn of_counts(
    path: &Path,
    kind: TargetKind,
    k: Option<usize>,
    threads: usize,
) -> Result<Spectrum> {
    kind.check()?;
    let c = cooc::read(path)?;
    let v = c.len();
    let k = k.unwrap_or(DEFAULT_K.min(v));
    check_k(
        k,
        v,
        "eigenvalues",
        &format!("the target of `{}` is {v} x {v}", path.display()),
    )?;
    let t = Target::new(&c, kind, threads.max(1))?;
    let mut scratch = Vec::new();
    let pairs = top_eigenpairs(
        v,
        k,
        |x, y| t.apply(x, y, &mut scratch),
        &EigenOptions::default(),
    )?;
    let warning = (!pairs.converged).then(|| {
        format!(
            "the eigensolver stopped at its product budget before every pair met the tolerance (largest residual {:.1e})",
            pairs.max_residual
        )
    });
    let name = match kind.name() {
        "qwem" => "QWEM's M*",
        _ => "SPPMI",
    };
    Ok(Spectrum {
        values: pairs.values,
        title: format!(
            "Top {k} eigenvalues of {name} ({}, V = {} words)",
            file_name(path),
            thousands(v as u64)
        ),
        what: "eigenvalue",
        warning,
    })
}

/// The top `k` (default [`DEFAULT_K`], at most `D`) singular values of
/// the model `emb`'s matrix.
pub fn of_model(emb: &Embeddings, name: &str, k: Option<usize>) -> Result<Spectrum> {
    let (v, d) = (emb.len(), emb.dim());
    let k = k.unwrap_or(DEFAULT_K.min(d).min(v));
    check_k(
        k,
        d.min(v),
        "singular values",
        &format!("the model is {v} words x {d} dimensions"),
    )?;
    let m = emb.matrix();
    let mut gram = Mat::<f64>::zeros(d, d);
    const BLOCK: usize = 4096;
    for start in (0..v).step_by(BLOCK) {
        let rows = BLOCK.min(v - start);
        let x = Mat::from_fn(rows, d, |i, j| m[(start + i) * d + j] as f64);
        gram += x.transpose() * &x;
    }
    let evd = gram.self_adjoint_eigen(Side::Lower).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("the eigendecomposition failed: {e:?}"),
        )
    })?;
    let mu = evd.S().column_vector();
    // Ascending: the top k are the last k.
    let values = (0..k).map(|i| mu[d - 1 - i].max(0.0).sqrt()).collect();
    Ok(Spectrum {
        values,
        title: format!(
            "Top {k} singular values of {name} (V = {} words, D = {d})",
            thousands(v as u64)
        ),
        what: "singular value",
        warning: None,
    })
}

/// How many values by default (fewer if there are fewer).
pub const DEFAULT_K: usize = 100;

fn check_k(k: usize, max: usize, what: &str, why: &str) -> Result<()> {
    if k == 0 || k > max {
        return Err(Error::invalid(format!(
            "k = {k}: there are {max} {what} (k from 1 to {max}: {why})"
        )));
    }
    Ok(())
}

/// The last part of `p`, for a title (the whole path if it has none).
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
}

/// Render the spectrum by rank as an SVG document.
pub fn render(s: &Spectrum, log: bool, size: (u32, u32)) -> Result<String> {
    let pts: Vec<(f64, f64)> = s
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| ((i + 1) as f64, v))
        .filter(|&(_, v)| v.is_finite() && (!log || v > 0.0))
        .collect();
    if pts.is_empty() {
        return Err(Error::invalid(format!(
            "--log: none of the {} {}s is positive",
            s.values.len(),
            s.what
        )));
    }
    let lo = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let area = root
            .titled(&s.title, (FONT, TITLE_SIZE).into_font())
            .map_err(draw_err)?;
        let n = s.values.len() as f64;
        let x_range = 0.0..n + 1.0;
        let mut builder = ChartBuilder::on(&area);
        builder
            .margin(15)
            .margin_right(25)
            .x_label_area_size(50)
            .y_label_area_size(80);
        let line = colour(0, 1);
        let value_label = s.what;
        macro_rules! draw {
            ($chart:expr, $labels:expr, $format:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc("rank (1 = largest)")
                    .y_desc(value_label)
                    .x_label_formatter(&|x| format!("{x:.0}"))
                    .y_labels($labels)
                    .y_label_formatter(&|y| $format(*y))
                    .axis_desc_style((FONT, LABEL_SIZE))
                    .label_style((FONT, TICK_SIZE))
                    .bold_line_style(RGBColor(225, 225, 225))
                    .light_line_style(TRANSPARENT)
                    .draw()
                    .map_err(draw_err)?;
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), line.stroke_width(2)))
                    .map_err(draw_err)?;
                let r = if pts.len() > 60 { 2 } else { 4 };
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, r, line.filled())))
                    .map_err(draw_err)?;
            }};
        }
        if log {
            let (y, labels) = log_axis(lo, hi);
            draw!(
                builder
                    .build_cartesian_2d(x_range, y.log_scale())
                    .map_err(draw_err)?,
                labels,
                log_label
            );
        } else {
            let y = padded(lo.min(0.0), hi, 0.05);
            let y = if lo >= 0.0 { 0.0..y.end } else { y };
            draw!(
                builder.build_cartesian_2d(x_range, y).map_err(draw_err)?,
                10,
                number_label
            );
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_models_singular_values_are_its_matrix_s() {
        // Columns orthogonal, of norms 5 and 2 (rows: (3, 0), (4, 0), (0, 2)).
        let words = ["a", "b", "c"].map(Box::from).to_vec();
        let emb =
            Embeddings::new(words, vec![3, 2, 1], 2, vec![3.0, 0.0, 4.0, 0.0, 0.0, 2.0]).unwrap();
        let s = of_model(&emb, "m", Some(2)).unwrap();
        assert!((s.values[0] - 5.0).abs() < 1e-12 && (s.values[1] - 2.0).abs() < 1e-12);
        assert_eq!(of_model(&emb, "m", None).unwrap().values.len(), 2);
        let e = of_model(&emb, "m", Some(3)).unwrap_err().to_string();
        assert!(e.contains("k = 3: there are 2 singular values"), "{e}");
        let svg = render(&s, true, (900, 600)).unwrap();
        let t = crate::plot::texts(&svg);
        assert!(t.contains(&"singular value".to_string()), "{t:?}");
        assert!(t.contains(&"rank (1 = largest)".to_string()), "{t:?}");
        let none = Spectrum {
            values: vec![-1.0],
            title: "t".into(),
            what: "eigenvalue",
            warning: None,
        };
        assert!(render(&none, true, (900, 600)).is_err());
        assert!(render(&none, false, (900, 600)).is_ok());
    }
}
