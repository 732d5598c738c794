//! Closed-form embeddings: the matrix-free eigenpairs of the real targets
//! (QWEM's `M*`, SPPMI) built from counted text match a dense
//! decomposition; the closed form answers the demo's analogies with no
//! training; the command writes vectors every other command reads; bad
//! input is a clear error that writes nothing.

use crate::common::{DEMO_CORPUS, Rng, TempDir, w2v, w2v_ok};
use faer::Mat;
use w2v::lesson;
use w2v::spectral::lanczos::{EigenOptions, top_eigenpairs};
use w2v::spectral::{SpectralConfig, Target, TargetKind, embed};
use w2v::text::cooc::{CoocConfig, count, top_words};
use w2v::{Corpus, Embeddings};

/// Text with structure: 60 topics, each sentence mixing Zipf-frequent
/// common words with words of its topic (2,700 distinct words).
fn topical_text(sentences: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text = String::new();
    for _ in 0..sentences {
        let topic = rng.below(60);
        for _ in 0..12 + rng.below(12) {
            let word = if rng.below(2) == 0 {
                // Zipf over 300 common words.
                let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
                format!("c{}", ((1.0 / (1.0 - u)) as usize).min(300) - 1)
            } else {
                format!("t{topic}w{}", rng.below(40))
            };
            text.push_str(&word);
            text.push(' ');
        }
        text.push('\n');
    }
    text
}

#[test]
fn matrix_free_eigenpairs_match_a_dense_decomposition_at_v_2000() {
    let text = topical_text(30_000, 7);
    let corpus = Corpus::bytes(text.into_bytes());
    let counts = count(
        &corpus,
        &top_words(&corpus, 2000).unwrap(),
        &CoocConfig::default(),
    )
    .unwrap();
    let (n, k) = (2000, 50);
    for kind in [
        TargetKind::Qwem,
        TargetKind::Sppmi {
            k: 5.0,
            alpha: 0.75,
        },
    ] {
        let target = Target::new(&counts, kind, 2).unwrap();
        let mut scratch = Vec::new();
        let p = top_eigenpairs(
            n,
            k,
            |x, y| target.apply(x, y, &mut scratch),
            &EigenOptions::default(),
        )
        .unwrap();
        let dense = Mat::from_fn(n, n, |i, j| target.get(i, j));
        let evd = dense.self_adjoint_eigen(faer::Side::Lower).unwrap();
        let (d, u) = (evd.S().column_vector(), evd.U());
        // Ascending: the top k are the last k, largest first.
        let worst = (0..k)
            .map(|j| (p.values[j] - d[n - 1 - j]).abs() / d[n - 1 - j].abs())
            .fold(0.0, f64::max);
        // Overlap of the two k-dimensional subspaces: ||U_d^T U_l||_F^2 / k.
        let overlap = (0..k)
            .flat_map(|a| (0..k).map(move |b| (a, b)))
            .map(|(a, b)| {
                let g: f64 = (0..n).map(|i| u[(i, n - 1 - a)] * p.vector(b)[i]).sum();
                g * g
            })
            .sum::<f64>()
            / k as f64;
        eprintln!(
            "{kind:?}: {} stored entries, top {:.4} .. {:.4}, worst relative error {worst:.2e}, overlap {overlap:.9}, {} products",
            target.nnz(),
            p.values[0],
            p.values[k - 1],
            p.matvecs
        );
        assert!(target.nnz() > 20_000, "a sparse but not trivial matrix");
        assert!(worst < 1e-4, "{kind:?}: eigenvalue error {worst}");
        assert!(overlap > 0.999, "{kind:?}: subspace overlap {overlap}");
    }
}

/// Analogies of the demo that `emb` lands (the expected word is the top
/// 3CosAdd answer).
fn landed(emb: &Embeddings) -> usize {
    lesson::ANALOGIES
        .iter()
        .filter(|q| {
            emb.most_similar(&[q[1], q[2]], &[q[0]], 1, None)
                .is_ok_and(|a| a.first().and_then(|n| emb.word(n.index)) == Some(q[3]))
        })
        .count()
}

#[test]
fn the_closed_form_lands_the_demo_analogies_without_training() {
    // On this machine: QWEM lands 8 of 8 (V 300 and 437, window 4, D 40).
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let config = CoocConfig {
        window: 4,
        ..CoocConfig::default()
    };
    let counts = count(&corpus, &top_words(&corpus, 300).unwrap(), &config).unwrap();
    let spectral = SpectralConfig {
        dim: 40,
        ..SpectralConfig::default()
    };
    let (emb, report) = embed(&counts, &spectral).unwrap();
    assert_eq!((emb.len(), emb.dim()), (300, 40));
    assert_eq!(emb.word(0), Some("the"), "words in frequency order");
    assert!(report.eigenvalues.windows(2).all(|w| w[0] >= w[1]));
    let n = landed(&emb);
    assert!(n >= 7, "QWEM landed {n} of 8 demo analogies");
    // The eigenvalue power scales each direction: power 0 gives the bare
    // eigenvectors, unit columns.
    let (bare, _) = embed(
        &counts,
        &SpectralConfig {
            eig_power: 0.0,
            ..spectral.clone()
        },
    )
    .unwrap();
    let col0: f64 = (0..300).map(|i| (bare.row(i)[0] as f64).powi(2)).sum();
    assert!((col0 - 1.0).abs() < 1e-4, "{col0}");
}

#[test]
fn the_command_writes_vectors_the_other_commands_read() {
    let dir = TempDir::new();
    let text = dir.path("corpus.txt");
    std::fs::write(&text, DEMO_CORPUS).unwrap();
    let t = text.to_str().unwrap();
    let (cooc, a, b) = (dir.path("c.cooc"), dir.path("a.bin"), dir.path("b.bin"));
    let c = cooc.to_str().unwrap();
    w2v_ok(&[
        "cooc", "-i", t, "--vocab", "300", "--window", "4", "-o", c, "-q",
    ]);
    w2v_ok(&[
        "spectral",
        "--cooc",
        c,
        "--dim",
        "40",
        "-o",
        a.to_str().unwrap(),
        "-q",
    ]);
    let args = [
        "spectral", "-i", t, "--vocab", "300", "--window", "4", "--dim", "40",
    ];
    let json = w2v_ok(&[&args[..], &["-o", b.to_str().unwrap(), "--json"]].concat());
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["target"], "qwem");
    assert_eq!(report["eigenvalues"].as_array().unwrap().len(), 40);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let native = dir.path("s.w2v");
    let n = native.to_str().unwrap();
    w2v_ok(&[
        "spectral", "--cooc", c, "--target", "sppmi", "--dim", "30", "-o", n, "--format", "native",
        "-q",
    ]);
    let out = w2v_ok(&["similar", n, "king", "-k", "3"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    let out = w2v_ok(&[
        "analogy",
        a.to_str().unwrap(),
        "man",
        "king",
        "woman",
        "-k",
        "1",
    ]);
    assert!(out.starts_with("queen"), "{out}");
}

/// `w2v` fails with `needle` in its message and leaves `output` absent.
fn fails(args: &[&str], needle: &str, output: &std::path::Path) {
    let out = w2v(args, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "w2v {args:?} succeeded");
    assert!(
        err.contains(needle),
        "w2v {args:?}: {err:?} lacks {needle:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!output.exists(), "w2v {args:?} left {}", output.display());
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = TempDir::new();
    let text = dir.path("corpus.txt");
    std::fs::write(&text, DEMO_CORPUS).unwrap();
    let t = text.to_str().unwrap();
    let cooc = dir.path("c.cooc");
    let c = cooc.to_str().unwrap();
    w2v_ok(&["cooc", "-i", t, "--vocab", "50", "-o", c, "-q"]);
    let out = dir.path("out.bin");
    let o = out.to_str().unwrap();
    // D larger than V: from a count file, and from a corpus before counting.
    fails(
        &["spectral", "--cooc", c, "--dim", "51", "-o", o],
        "larger than the vocabulary",
        &out,
    );
    let args = ["spectral", "-i", t, "--vocab", "50", "--dim", "60", "-o", o];
    fails(&args, "larger than the vocabulary", &out);
    fails(
        &["spectral", "--cooc", c, "--dim", "0", "-o", o],
        "at least 1",
        &out,
    );
    // V larger than the corpus's vocabulary; a corpus with no pair.
    fails(
        &[
            "spectral", "-i", t, "--vocab", "99999", "--dim", "5", "-o", o,
        ],
        "fewer than",
        &out,
    );
    let tiny = dir.path("tiny.txt");
    std::fs::write(&tiny, "one\ntwo\nthree\n").unwrap();
    let ti = tiny.to_str().unwrap();
    fails(
        &["spectral", "-i", ti, "--vocab", "3", "--dim", "2", "-o", o],
        "no two vocabulary words",
        &out,
    );
    // A truncated or corrupted count file.
    let good = std::fs::read(&cooc).unwrap();
    let bad = dir.path("bad.cooc");
    std::fs::write(&bad, &good[..good.len() - 3]).unwrap();
    fails(
        &[
            "spectral",
            "--cooc",
            bad.to_str().unwrap(),
            "--dim",
            "5",
            "-o",
            o,
        ],
        "truncated",
        &out,
    );
    let mut flipped = good.clone();
    let last = flipped.len() - 5;
    flipped[last] ^= 0x40;
    std::fs::write(&bad, &flipped).unwrap();
    fails(
        &[
            "spectral",
            "--cooc",
            bad.to_str().unwrap(),
            "--dim",
            "5",
            "-o",
            o,
        ],
        "checksum",
        &out,
    );
    // An output folder that does not exist: found before any work.
    let nodir = dir.path("none/out.bin");
    fails(
        &[
            "spectral",
            "--cooc",
            c,
            "--dim",
            "5",
            "-o",
            nodir.to_str().unwrap(),
        ],
        "does not exist",
        &nodir,
    );
    // Bad SPPMI parameters and eigenvalue power.
    fails(
        &[
            "spectral",
            "--cooc",
            c,
            "--target",
            "sppmi",
            "--negative",
            "0",
            "--dim",
            "5",
            "-o",
            o,
        ],
        "shift",
        &out,
    );
    fails(
        &[
            "spectral",
            "--cooc",
            c,
            "--eig-power=-1",
            "--dim",
            "5",
            "-o",
            o,
        ],
        "power",
        &out,
    );
}
