//! The trace file of `w2v train --trace`, read (`w2v plot trace` draws it).
//!
//! JSON Lines. Line 1 is a header: `{"w2v_trace": 1, "model": "sgns", "loss":
//! "ns", "dim": 50, "vocab": 22541, "corpus_words": 1941079, "epochs": 3,
//! "every": 50000, "init_scale": 1e-6, "lr": 0.025, "lr_schedule":
//! "constant", "k": 10, "reference": null}`, or with a reference model
//! `"reference": {"path": "qwem.bin", "eigenvalues": [882.2, ...],
//! "common_words": 9800}`. Every further line is a point: `{"words": 50000,
//! "epoch": 0, "lr": 0.025, "loss": 4.158, "singular_values": [s1, ...,
//! sk], "overlap": [o1, ..., oK]}`, `overlap[j]` the mean squared cosine
//! between the learned and the reference's top-(j+1) subspaces (only with a
//! reference).
//!
//! Reading is strict about what is drawn (a header with `w2v_trace` 1, at
//! least one point, each with singular values, words seen never going back;
//! errors name the line) and lenient about the rest: header fields that are
//! missing take defaults, unknown fields are ignored.

use serde::Deserialize;
use std::path::Path;
use w2v::{Error, ErrorKind, Result};

/// The trace's first line.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// The trace format's version (1).
    pub w2v_trace: u32,
    /// `sgns` or `cbow`.
    #[serde(default)]
    pub model: String,
    /// `ns` or `hs`.
    #[serde(default)]
    pub loss: String,
    /// Embedding dimension.
    #[serde(default)]
    pub dim: usize,
    /// Vocabulary size.
    #[serde(default)]
    pub vocab: u64,
    /// Words in one pass over the corpus.
    #[serde(default)]
    pub corpus_words: u64,
    /// Passes over the corpus.
    #[serde(default)]
    pub epochs: u32,
    /// Words between two points.
    #[serde(default)]
    pub every: u64,
    /// The scale of the initial vectors.
    #[serde(default)]
    pub init_scale: Option<f64>,
    /// The starting learning rate.
    #[serde(default)]
    pub lr: Option<f64>,
    /// `constant` or `linear`.
    #[serde(default)]
    pub lr_schedule: String,
    /// Singular values recorded per point.
    #[serde(default)]
    pub k: usize,
    /// The model the overlaps are measured against, if any.
    #[serde(default)]
    pub reference: Option<Reference>,
}

/// The reference model of a trace (typically the QWEM closed form).
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// Its file.
    #[serde(default)]
    pub path: String,
    /// Its target's top eigenvalues, largest first.
    #[serde(default)]
    pub eigenvalues: Vec<f64>,
    /// Words it shares with the trained vocabulary.
    #[serde(default)]
    pub common_words: u64,
}

/// One point of a trace.
#[derive(Debug, Clone, Deserialize)]
pub struct TracePoint {
    /// Words seen so far (over all epochs).
    pub words: u64,
    /// The epoch (from 0).
    #[serde(default)]
    pub epoch: u32,
    /// The learning rate at this point.
    #[serde(default)]
    pub lr: Option<f64>,
    /// The running loss.
    #[serde(default)]
    pub loss: Option<f64>,
    /// The top singular values of the input embedding matrix, largest first.
    pub singular_values: Vec<f64>,
    /// `overlap[j]`: mean squared cosine between the learned and the
    /// reference's top-(j+1) subspaces, in `[0, 1]`.
    #[serde(default)]
    pub overlap: Option<Vec<f64>>,
}

/// A whole trace: its header and at least one point, words non-decreasing.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Line 1.
    pub header: Header,
    /// The points, in order.
    pub points: Vec<TracePoint>,
}

impl Trace {
    /// Parse a trace held in memory; `name` names it in errors.
    pub fn parse(text: &str, name: &str) -> Result<Trace> {
        let bad = |line: usize, what: String| {
            Error::new(ErrorKind::Format, format!("`{name}` line {line}: {what}"))
        };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty());
        let Some((n, first)) = lines.next() else {
            return Err(Error::new(
                ErrorKind::Empty,
                format!("the trace `{name}` is empty (no header, no point)"),
            ));
        };
        let value: serde_json::Value =
            serde_json::from_str(first).map_err(|e| bad(n, format!("not JSON ({e})")))?;
        if value.get("w2v_trace").is_none() {
            return Err(bad(
                n,
                "not a w2v trace (line 1 has no `w2v_trace` field: write one with `w2v train --trace`)"
                    .into(),
            ));
        }
        let header: Header =
            serde_json::from_value(value).map_err(|e| bad(n, format!("a bad header: {e}")))?;
        if header.w2v_trace != 1 {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "`{name}` is a version {} trace; this w2v reads version 1",
                    header.w2v_trace
                ),
            ));
        }
        let mut points: Vec<TracePoint> = Vec::new();
        for (n, line) in lines {
            let p: TracePoint =
                serde_json::from_str(line).map_err(|e| bad(n, format!("a bad point: {e}")))?;
            if p.singular_values.is_empty() {
                return Err(bad(n, "a point with no singular value".into()));
            }
            if let Some(prev) = points.last()
                && p.words < prev.words
            {
                return Err(bad(
                    n,
                    format!("words seen go back from {} to {}", prev.words, p.words),
                ));
            }
            points.push(p);
        }
        if points.is_empty() {
            return Err(Error::new(
                ErrorKind::Empty,
                format!("the trace `{name}` has a header but no point"),
            ));
        }
        Ok(Trace { header, points })
    }

    /// Read a trace file.
    pub fn read(path: &Path) -> Result<Trace> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
        Trace::parse(&text, &path.display().to_string())
    }

    /// The number of singular values every point has.
    pub fn modes(&self) -> usize {
        self.points
            .iter()
            .map(|p| p.singular_values.len())
            .min()
            .unwrap_or(0)
    }

    /// The number of overlaps every point has (0 without a reference).
    pub fn overlaps(&self) -> usize {
        self.points
            .iter()
            .map(|p| p.overlap.as_ref().map_or(0, Vec::len))
            .min()
            .unwrap_or(0)
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A synthetic trace: mode `j`'s squared singular value rises
    /// logistically, `S_j / (1 + (S_j / s0^2 - 1) exp(-2 c lambda_j t))`,
    /// later for smaller eigenvalues; the loss falls as modes are learned.
    pub fn synthetic(c: f64, lambdas: &[f64], every: u64, n: usize, reference: bool) -> String {
        let s0: f64 = 1e-3;
        let finals: Vec<f64> = lambdas.iter().map(|l| l.sqrt()).collect();
        let mut out = format!(
            r#"{{"w2v_trace": 1, "model": "sgns", "loss": "ns", "dim": 50, "vocab": 22541, "corpus_words": 1941079, "epochs": 3, "every": {every}, "init_scale": 1e-6, "lr": 0.025, "lr_schedule": "constant", "k": {}, "reference": {}}}"#,
            lambdas.len(),
            if reference {
                format!(
                    r#"{{"path": "qwem.bin", "eigenvalues": {lambdas:?}, "common_words": 9800}}"#
                )
            } else {
                "null".into()
            }
        );
        out.push('\n');
        for i in 1..=n {
            let words = i as u64 * every;
            let t = words as f64;
            let s: Vec<f64> = lambdas
                .iter()
                .zip(&finals)
                .map(|(&l, &f)| {
                    let big = f * f;
                    (big / (1.0 + (big / (s0 * s0) - 1.0) * (-2.0 * c * l * t).exp())).sqrt()
                })
                .collect();
            let learned: f64 = s.iter().zip(&finals).map(|(a, b)| a / b).sum::<f64>();
            let loss = 4.158 - 1.2 * learned / lambdas.len() as f64
                + 0.02 * ((i * 7919 % 101) as f64 / 101.0 - 0.5);
            let overlap: Vec<f64> = (1..=lambdas.len())
                .map(|m| s[..m].iter().zip(&finals).map(|(a, b)| a / b).sum::<f64>() / m as f64)
                .collect();
            out += &format!(
                r#"{{"words": {words}, "epoch": {}, "lr": 0.025, "loss": {loss}, "singular_values": {s:?}{}}}"#,
                words * 3 / (every * n as u64 + 1),
                if reference {
                    format!(r#", "overlap": {overlap:?}"#)
                } else {
                    String::new()
                }
            );
            out.push('\n');
        }
        out
    }

    /// Eigenvalues falling from 880 (like QWEM's top ones on a real corpus).
    pub fn lambdas(k: usize) -> Vec<f64> {
        (0..k).map(|j| 880.0 / (1.0 + 0.35 * j as f64)).collect()
    }

    #[test]
    fn bad_traces_are_clear_errors() {
        let err = |t: &str| Trace::parse(t, "t.jsonl").unwrap_err().to_string();
        assert!(err("").contains("empty"));
        assert!(err("\n\n").contains("empty"));
        assert!(err(r#"{"w2v_trace": 1}"#).contains("no point"));
        assert!(err(r#"{"words": 1}"#).contains("not a w2v trace"));
        assert!(err("nonsense").contains("line 1: not JSON"));
        assert!(err(r#"{"w2v_trace": 2}"#).contains("version 2"));
        let h = r#"{"w2v_trace": 1}"#;
        assert!(err(&format!("{h}\n{{\"words\": 5}}")).contains("line 2: a bad point"));
        assert!(
            err(&format!(
                "{h}\n{{\"words\": 5, \"singular_values\": [1]}}\n{{\"words\": 4, \"singular_values\": [1]}}"
            ))
            .contains("go back")
        );
        assert!(
            err(&format!("{h}\n{{\"words\": 5, \"singular_values\": []}}"))
                .contains("no singular value")
        );
        let t = Trace::parse(
            &format!("{h}\n{{\"words\": 5, \"singular_values\": [1, 2]}}\n"),
            "t",
        )
        .unwrap();
        assert_eq!((t.modes(), t.overlaps()), (2, 0));
    }
}
