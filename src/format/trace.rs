//! The trace file of a training run (`w2v train --trace` writes it, `w2v
//! plot trace` and the Python module read it): JSON Lines, one type for the
//! header and one for a point, each read and written by the same code.
//!
//! Line 1 is the [`TraceHeader`]: `{"corpus_words": 1941079, "dim": 50,
//! "epochs": 3, "every": 50000, "init_scale": 1e-6, "k": 10, "loss": "ns",
//! "lr": 0.025, "lr_schedule": "constant", "min_lr": null, "model": "sgns",
//! "reference": null, "seed": 1, "threads": 1, "vocab": 22541, "w2v_trace":
//! 1}` (keys in this order), or with a reference model `"reference":
//! {"common_words": 9800, "eigenvalues": [882.2, ...], "path": "qwem.bin"}`.
//! Every further line is a [`Point`]: `{"words": 50000, "epoch": 0, "lr":
//! 0.025, "loss": 4.158, "seconds": 1.2, "singular_values": [s1, ..., sk],
//! "overlap": [o1, ..., oK]}`, `overlap[j]` the mean squared cosine between
//! the learned and the reference's top-(j+1) subspaces (empty without one).
//!
//! Reading is strict about what is drawn (a header with `w2v_trace` 1, at
//! least one point, each with singular values, words seen never going back;
//! errors name the line) and lenient about the rest: fields that are missing
//! take defaults (files written before a field existed still read), unknown
//! fields are ignored.

use super::atomic::write_atomically;
use crate::error::{Error, ErrorKind, Result};
use crate::kinds::{LossKind, LrSchedule, ModelKind};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The trace's first line: what was trained, and how often points were taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// Words in one pass over the corpus.
    #[serde(default)]
    pub corpus_words: u64,
    /// Embedding dimension.
    #[serde(default)]
    pub dim: usize,
    /// Passes over the corpus.
    #[serde(default)]
    pub epochs: usize,
    /// Words between two points.
    #[serde(default)]
    pub every: u64,
    /// The scale of the initial vectors (`None`: word2vec.c's initialisation).
    #[serde(default)]
    pub init_scale: Option<f64>,
    /// Singular values recorded per point.
    #[serde(default)]
    pub k: usize,
    /// The output layer.
    #[serde(default)]
    pub loss: Option<LossKind>,
    /// The starting learning rate.
    #[serde(default)]
    pub lr: Option<f64>,
    /// The learning-rate schedule.
    #[serde(default)]
    pub lr_schedule: Option<LrSchedule>,
    /// Where the linear decay ends (0: word2vec.c's schedule); `None` when
    /// the rate is constant.
    #[serde(default)]
    pub min_lr: Option<f64>,
    /// The architecture.
    #[serde(default)]
    pub model: Option<ModelKind>,
    /// The model the overlaps are measured against, if any.
    #[serde(default)]
    pub reference: Option<TraceReference>,
    /// The run's seed.
    #[serde(default)]
    pub seed: u64,
    /// Training threads.
    #[serde(default)]
    pub threads: usize,
    /// Vocabulary size.
    #[serde(default)]
    pub vocab: usize,
    /// The trace format's version (1).
    pub w2v_trace: u32,
}

/// The reference model of a trace (typically the QWEM closed form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceReference {
    /// Words it shares with the trained vocabulary.
    #[serde(default)]
    pub common_words: u64,
    /// Its target's top eigenvalues, largest first.
    #[serde(default)]
    pub eigenvalues: Vec<f64>,
    /// Its file, if it came from one.
    #[serde(default)]
    pub path: Option<String>,
}

/// One point of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Corpus words processed so far (all threads, all epochs).
    pub words: u64,
    /// The epoch (0-based).
    #[serde(default)]
    pub epoch: u32,
    /// The learning rate at this point.
    #[serde(default)]
    pub lr: Option<f32>,
    /// Average loss per prediction since the previous point (`None` at the
    /// first point, before any prediction).
    #[serde(default)]
    pub loss: Option<f64>,
    /// Seconds since training began.
    #[serde(default)]
    pub seconds: f64,
    /// The top-`k` singular values of the input vectors, largest first.
    pub singular_values: Vec<f64>,
    /// With a reference: `overlap[j - 1]` for the top-`j` subspaces. Empty
    /// without one.
    #[serde(default)]
    pub overlap: Vec<f64>,
}

/// A trace file, read.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Line 1.
    pub header: TraceHeader,
    /// The points, in order.
    pub points: Vec<Point>,
}

/// Write `header` and `points` to `path` as a trace file, atomically.
pub fn write(path: &Path, header: &TraceHeader, points: &[Point]) -> Result<()> {
    write_atomically(path, |w| {
        serde_json::to_writer(&mut *w, header)?;
        w.write_all(b"\n")?;
        for p in points {
            serde_json::to_writer(&mut *w, p)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// An `f32` as the `f64` with the same shortest decimal form, for JSON
/// (0.025, not 0.02500000037252903).
pub fn short(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(x as f64)
}

/// `x` to six significant digits, for printing a product of `f32` values
/// (0.2 x 0.05 is 0.010000001 as `f32`; this gives 0.01).
pub fn six_digits(x: f32) -> f64 {
    format!("{x:.5e}").parse().unwrap_or(x as f64)
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
        let header: TraceHeader =
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
        let mut points: Vec<Point> = Vec::new();
        for (n, line) in lines {
            let p: Point =
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
            .map(|p| p.overlap.len())
            .min()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_written_trace_reads_back_as_written() {
        let header = TraceHeader {
            corpus_words: 1000,
            dim: 8,
            epochs: 2,
            every: 100,
            init_scale: Some(0.001),
            k: 2,
            loss: Some(LossKind::HierarchicalSoftmax),
            lr: Some(0.025),
            lr_schedule: Some(LrSchedule::Linear),
            min_lr: Some(0.0),
            model: Some(ModelKind::Cbow),
            reference: Some(TraceReference {
                common_words: 9,
                eigenvalues: vec![3.0, 2.0],
                path: None,
            }),
            seed: 4,
            threads: 1,
            vocab: 10,
            w2v_trace: 1,
        };
        let points: Vec<Point> = (0..3)
            .map(|i| Point {
                words: i * 100,
                epoch: 0,
                lr: Some(0.025 - i as f32 * 1e-3),
                loss: (i > 0).then_some(4.0 - i as f64),
                seconds: i as f64 * 0.5,
                singular_values: vec![1.0 + i as f64, 0.5],
                overlap: vec![0.1, 0.2],
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        write(&path, &header, &points).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(r#"{"corpus_words":1000,"dim":8,"#),
            "{text}"
        );
        assert!(
            text.contains(r#""loss":"hs","lr":0.025,"lr_schedule":"linear""#),
            "{text}"
        );
        let t = Trace::read(&path).unwrap();
        assert_eq!(t.header, header);
        assert_eq!(t.points, points);
    }
}
