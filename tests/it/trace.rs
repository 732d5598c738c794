//! Training traces: a point at the start, every N words and at the end;
//! singular values that are the model's; an overlap that is 1 against the
//! model itself; tracing changes nothing that is learned; bad options fail
//! before training.

use crate::common::{DEMO_CORPUS, TempDir, w2v, w2v_ok};
use faer::Mat;
use serde_json::Value;
use w2v::Embeddings;

/// The demo corpus and the arguments of a small deterministic run.
fn setup(dir: &TempDir) -> (String, Vec<String>) {
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let args = "--model sgns --dim 16 --window 4 --negative 5 --sample 0 --min-count 2 --epochs 6 --threads 1 --seed 3 -q";
    (
        corpus.to_str().unwrap().to_string(),
        args.split(' ').map(String::from).collect(),
    )
}

fn train(corpus: &str, args: &[String], out: &std::path::Path, extra: &[&str]) -> String {
    let mut all = vec!["train", "-i", corpus, "-o", out.to_str().unwrap()];
    all.extend(args.iter().map(String::as_str));
    all.extend_from_slice(extra);
    w2v_ok(&all)
}

fn read_trace(path: &std::path::Path) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap());
    let header = lines.next().expect("a header line");
    (header, lines.collect())
}

/// The top singular values of a model's matrix, from a dense SVD.
fn singular_values(emb: &Embeddings) -> Vec<f64> {
    let m = Mat::<f64>::from_fn(emb.len(), emb.dim(), |r, c| emb.row(r)[c] as f64);
    let mut s = m.singular_values().unwrap();
    s.sort_by(|a, b| b.total_cmp(a));
    s
}

#[test]
fn a_trace_records_the_start_every_interval_and_the_end() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir);
    let (plain, traced) = (dir.path("plain.bin"), dir.path("traced.bin"));
    let trace = dir.path("t.jsonl");
    train(&corpus, &args, &plain, &[]);
    let t = trace.to_str().unwrap();
    train(
        &corpus,
        &args,
        &traced,
        &["--trace", t, "--trace-every", "4000", "--trace-k", "5"],
    );
    // Tracing changes nothing that is learned.
    assert_eq!(
        std::fs::read(&plain).unwrap(),
        std::fs::read(&traced).unwrap()
    );
    let (h, points) = read_trace(&trace);
    assert_eq!(h["w2v_trace"], 1);
    assert_eq!((h["dim"].as_u64(), h["k"].as_u64()), (Some(16), Some(5)));
    assert_eq!(h["every"], 4000);
    assert_eq!(h["min_lr"], 0.0, "skip-gram decays as word2vec.c does");
    let total = h["corpus_words"].as_u64().unwrap() * 6;
    let words: Vec<u64> = points
        .iter()
        .map(|p| p["words"].as_u64().unwrap())
        .collect();
    assert_eq!(words[0], 0);
    assert!(points[0]["loss"].is_null(), "no loss before training");
    assert_eq!(*words.last().unwrap(), total);
    assert!(words.windows(2).all(|w| w[0] < w[1]), "{words:?}");
    // One point per 4,000 words (the worker reports every 4,000 words).
    assert_eq!(words.len() as u64, 1 + total.div_ceil(4000), "{words:?}");
    for p in &points[1..] {
        let loss = p["loss"].as_f64().unwrap();
        assert!(loss.is_finite() && loss > 0.0);
    }
    // The last point's singular values are the model's.
    let want = singular_values(&Embeddings::load(&traced).unwrap());
    let got: Vec<f64> = points.last().unwrap()["singular_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), 5);
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-5 * w, "{g} vs {w}");
    }
}

#[test]
fn from_a_small_start_the_singular_values_start_small_and_grow() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir);
    let trace = dir.path("t.jsonl");
    let t = trace.to_str().unwrap();
    let out = dir.path("m.bin");
    let extra = [
        "--init-scale",
        "1e-4",
        "--lr-schedule",
        "constant",
        "--trace",
        t,
    ];
    train(
        &corpus,
        &args,
        &out,
        &[&extra[..], &["--trace-every", "2000"]].concat(),
    );
    let (h, points) = read_trace(&trace);
    assert_eq!(h["init_scale"], 1e-4);
    assert_eq!(h["lr_schedule"], "constant");
    assert!(h["min_lr"].is_null(), "no final rate when constant");
    let sv = |p: &Value, k: usize| p["singular_values"][k].as_f64().unwrap();
    // Entries start in 1e-4 x (-0.5, 0.5) / 16: the singular values are tiny.
    assert!(sv(&points[0], 0) < 1e-3, "{}", points[0]);
    let last = points.last().unwrap();
    assert!(sv(last, 0) > 1.0 && sv(last, 4) > 1e3 * sv(&points[0], 4));
    // The largest grows first: when it is at half its final value, the
    // fifth is far from its own.
    let half = points
        .iter()
        .find(|p| sv(p, 0) >= sv(last, 0) / 2.0)
        .unwrap();
    assert!(sv(half, 4) < sv(last, 4) / 4.0, "{half}");
}

#[test]
fn the_overlap_with_the_final_model_itself_ends_at_one() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir);
    let (first, second) = (dir.path("a.bin"), dir.path("b.bin"));
    train(&corpus, &args, &first, &[]);
    let trace = dir.path("t.jsonl");
    let (t, r) = (trace.to_str().unwrap(), first.to_str().unwrap());
    train(
        &corpus,
        &args,
        &second,
        &["--trace", t, "--trace-every", "20000", "--reference", r],
    );
    let (h, points) = read_trace(&trace);
    let eig = h["reference"]["eigenvalues"].as_array().unwrap();
    assert_eq!(eig.len(), 16);
    assert!(h["reference"]["common_words"].as_u64().unwrap() > 400);
    let overlap = |p: &Value| -> Vec<f64> {
        p["overlap"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let end = overlap(points.last().unwrap());
    assert_eq!(end.len(), 16);
    assert!(end.iter().all(|&o| (o - 1.0).abs() < 1e-6), "{end:?}");
    // At the start, a random matrix shares little with it.
    let start = overlap(&points[0]);
    assert!(start[0] < 0.5 && start[3] < 0.6, "{start:?}");
}

#[test]
fn two_threads_trace_too() {
    let dir = TempDir::new();
    let (corpus, mut args) = setup(&dir);
    let i = args.iter().position(|a| a == "--threads").unwrap();
    args[i + 1] = "2".into();
    let trace = dir.path("t.jsonl");
    let t = trace.to_str().unwrap();
    train(
        &corpus,
        &args,
        &dir.path("m.bin"),
        &["--trace", t, "--trace-every", "1000"],
    );
    let (_, points) = read_trace(&trace);
    let words: Vec<u64> = points
        .iter()
        .map(|p| p["words"].as_u64().unwrap())
        .collect();
    assert!(words.len() >= 2 && words[0] == 0, "{words:?}");
    assert!(words.windows(2).all(|w| w[0] < w[1]), "{words:?}");
}

#[test]
fn bad_trace_options_fail_before_training() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir);
    let out = dir.path("m.bin");
    let t = dir.path("t.jsonl");
    let ts = t.to_str().unwrap();
    let base: Vec<&str> = ["train", "-i", corpus.as_str(), "-o", out.to_str().unwrap()]
        .into_iter()
        .chain(args.iter().map(String::as_str))
        .collect();
    for (extra, needle) in [
        (vec!["--trace", ts, "--trace-k", "0"], "singular values"),
        (vec!["--trace", ts, "--trace-k", "17"], "singular values"),
        (vec!["--trace", ts, "--trace-every", "0"], "interval"),
        (vec!["--trace", "/no/such/dir/t.jsonl"], "does not exist"),
        (
            vec!["--trace", ts, "--reference", "/no/such/model.bin"],
            "cannot open",
        ),
        (vec!["--init-scale", "0"], "initialisation scale"),
    ] {
        let all: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let o = w2v(&all, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{extra:?} succeeded");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!out.exists() && !t.exists(), "{extra:?} wrote a file");
    }
}
