//! `w2v plot`: the binary draws a word map of a closed-form model, its
//! spectrum and a target's, and a synthetic training trace, as SVG files
//! with their labels; bad input (unknown words, a missing trace, an empty
//! one, too many modes, a missing output folder) is a clear error that
//! writes nothing.

use crate::common::{DEMO_CORPUS, TempDir, w2v, w2v_ok};
use std::path::Path;

/// A closed-form model of the demo corpus (deterministic, fast).
fn model(tmp: &TempDir) -> String {
    let corpus = tmp.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let m = tmp.path("m.bin");
    w2v_ok(&[
        "spectral",
        "--input",
        corpus.to_str().unwrap(),
        "--vocab",
        "300",
        "--dim",
        "20",
        "--threads",
        "1",
        "-o",
        m.to_str().unwrap(),
        "--quiet",
    ]);
    m.to_str().unwrap().into()
}

/// A synthetic trace of `k` modes: squared singular values rising
/// logistically from 1e-3, later for smaller eigenvalues (as the closed
/// form's dynamics have it), with a reference and its overlaps.
fn synthetic_trace(k: usize, points: u64) -> String {
    let lambdas: Vec<f64> = (0..k).map(|j| 880.0 / (1.0 + 0.35 * j as f64)).collect();
    let mut s = format!(
        "{{\"w2v_trace\": 1, \"model\": \"sgns\", \"loss\": \"ns\", \"dim\": 50, \"vocab\": 22541, \"corpus_words\": 1941079, \"epochs\": 3, \"every\": 50000, \"init_scale\": 1e-6, \"lr\": 0.025, \"lr_schedule\": \"constant\", \"k\": {k}, \"reference\": {{\"path\": \"qwem.bin\", \"eigenvalues\": {lambdas:?}, \"common_words\": 9800}}}}\n"
    );
    for i in 1..=points {
        let t = (i * 50_000) as f64;
        let sv: Vec<f64> = lambdas
            .iter()
            .map(|&l| (l / (1.0 + (l / 1e-6 - 1.0) * (-2.0 * 2e-8 * l * t).exp())).sqrt())
            .collect();
        let learned: Vec<f64> = sv.iter().zip(&lambdas).map(|(s, l)| s / l.sqrt()).collect();
        let overlap: Vec<f64> = (1..=k)
            .map(|m| learned[..m].iter().sum::<f64>() / m as f64)
            .collect();
        let loss = 4.158 - learned.iter().sum::<f64>() / k as f64;
        s += &format!(
            "{{\"words\": {}, \"epoch\": {}, \"lr\": 0.025, \"loss\": {loss}, \"singular_values\": {sv:?}, \"overlap\": {overlap:?}}}\n",
            i * 50_000,
            i * 3 / (points + 1)
        );
    }
    s
}

/// The SVG at `path`, checked to look well formed, and the text of its
/// `<text>` elements (trimmed, unescaped).
fn svg(path: &Path) -> (String, Vec<String>) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.starts_with("<svg"), "{}", &s[..s.len().min(200)]);
    assert!(s.trim_end().ends_with("</svg>"));
    assert_eq!(s.matches("<text").count(), s.matches("</text>").count());
    let texts = s
        .split("<text")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..];
            body[..body.find("</text>").unwrap()]
                .trim()
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect();
    (s, texts)
}

fn has(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

#[test]
fn map_and_spectra_of_a_closed_form_model() {
    let tmp = TempDir::new();
    let m = model(&tmp);
    let out = tmp.path("map.svg");
    let words = "king,queen,man,woman,boy,girl,paris,france,tokyo,japan";
    w2v_ok(&[
        "plot",
        "map",
        &m,
        "--words",
        words,
        "--center",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (s, t) = svg(&out);
    for w in words.split(',') {
        assert!(has(&t, w), "no label {w} in {t:?}");
    }
    assert!(has(&t, "PCA map of 10 words of m.bin"), "{t:?}");
    assert!(
        t.iter()
            .any(|x| x.starts_with("PC 1 (") && x.ends_with("% of the variance)"))
    );
    assert!(
        t.iter()
            .any(|x| x.starts_with("PC 2 (") && x.ends_with("% of the variance)"))
    );
    assert_eq!(s.matches("<circle").count(), 10);

    let out = tmp.path("sv.svg");
    w2v_ok(&[
        "plot",
        "spectrum",
        &m,
        "--k",
        "20",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (s, t) = svg(&out);
    assert!(
        has(
            &t,
            "Top 20 singular values of m.bin (V = 300 words, D = 20)"
        ),
        "{t:?}"
    );
    assert!(has(&t, "rank (1 = largest)") && has(&t, "singular value"));
    assert_eq!(s.matches("<circle").count(), 20);

    let corpus = tmp.path("corpus.txt");
    let counts = tmp.path("c.cooc");
    w2v_ok(&[
        "cooc",
        "-i",
        corpus.to_str().unwrap(),
        "--vocab",
        "300",
        "-o",
        counts.to_str().unwrap(),
        "--quiet",
    ]);
    let out = tmp.path("eig.svg");
    w2v_ok(&[
        "plot",
        "spectrum",
        "--cooc",
        counts.to_str().unwrap(),
        "--target",
        "sppmi",
        "--k",
        "30",
        "--log",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (_, t) = svg(&out);
    assert!(
        has(&t, "Top 30 eigenvalues of SPPMI (c.cooc, V = 300 words)"),
        "{t:?}"
    );
    assert!(has(&t, "eigenvalue"));
}

#[test]
fn a_synthetic_trace_plots_and_prints_its_half_rise_words() {
    let tmp = TempDir::new();
    let trace = tmp.path("trace.jsonl");
    std::fs::write(&trace, synthetic_trace(10, 116)).unwrap();
    let out = tmp.path("trace.svg");
    let stdout = w2v_ok(&[
        "plot",
        "trace",
        trace.to_str().unwrap(),
        "--theory",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("increase strictly with k"), "{stdout}");
    assert!(stdout.contains("ONE fitted constant c = 2.0"), "{stdout}");
    // One line per mode in each table.
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("   10 ")).count(),
        2,
        "{stdout}"
    );
    let (s, t) = svg(&out);
    for label in [
        "Training trace: SGNS (NS), D = 50, V = 22,541, 3 epochs of 1.94M words",
        "Top 10 singular values of the input embedding matrix",
        "words seen",
        "singular value",
        "Running loss",
        "loss (nats per example)",
        "Overlap with the reference's top subspaces",
        "mean squared cosine",
        "top 1",
        "top 10",
        "s10",
        "half-rises increase with k: yes",
    ] {
        assert!(has(&t, label), "no `{label}` in {t:?}");
    }
    assert!(t.iter().any(|x| x.contains("ONE fitted constant")));
    assert!(s.contains("<desc>w2v trace: sgns ns"));
    assert!(s.matches("<polyline").count() >= 13);
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let tmp = TempDir::new();
    let m = model(&tmp);
    let out = tmp.path("x.svg");
    let o = out.to_str().unwrap();
    let fails = |args: &[&str], msg: &str| {
        let r = w2v(args, &[]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{args:?} succeeded");
        assert!(
            err.contains("w2v: error:") && err.contains(msg),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "{args:?} wrote a file");
    };
    fails(
        &["plot", "map", &m, "--words", "king,zzz,queen,qqq", "-o", o],
        "not in the model (2 of 4 words): zzz, qqq",
    );
    fails(
        &["plot", "trace", "/no/such/trace.jsonl", "-o", o],
        "cannot read `/no/such/trace.jsonl`",
    );
    let empty = tmp.path("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    fails(
        &["plot", "trace", empty.to_str().unwrap(), "-o", o],
        "is empty",
    );
    let trace = tmp.path("t.jsonl");
    std::fs::write(&trace, synthetic_trace(4, 30)).unwrap();
    let t = trace.to_str().unwrap();
    fails(
        &["plot", "trace", t, "--k", "5", "-o", o],
        "--k 5 but the trace",
    );
    fails(
        &["plot", "spectrum", &m, "--k", "21", "-o", o],
        "k = 21: there are 20 singular values",
    );
    let nd = tmp.path("no/such/folder/x.svg");
    fails(
        &["plot", "trace", t, "-o", nd.to_str().unwrap()],
        "does not exist",
    );
}
