//! Files written by an older build (`tests/fixtures/written-by-2655426/`,
//! its README says how) still open, read the same and resume to the same
//! bytes: a change of a file layout must keep reading what users have.

use crate::common::{TempDir, w2v_ok};
use std::path::PathBuf;
use w2v::Embeddings;
use w2v::format::cooc;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/written-by-2655426")
        .join(name)
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn an_older_native_model_opens_with_its_words_and_rows() {
    let native = Embeddings::open(&fixture("model.native")).unwrap();
    let text = Embeddings::load(&fixture("model.txt")).unwrap();
    assert_eq!((native.len(), native.dim()), (437, 8));
    assert_eq!((text.len(), text.dim()), (437, 8));
    for i in 0..native.len() {
        let w = native.word(i).unwrap();
        assert_eq!(text.word(i), Some(w));
        // A word2vec file has no counts; the native file kept the corpus's.
        let c = native.count(i).unwrap();
        assert!(
            c >= 2 && (i == 0 || native.count(i - 1).unwrap() >= c),
            "{w}: {c}"
        );
        let (a, b) = (native.vector(w).unwrap(), text.vector(w).unwrap());
        for (x, y) in a.iter().zip(b) {
            // The text file has six decimals (and f32 rounding on top).
            assert!((x - y).abs() <= 1e-6, "{w}: {x} against {y}");
        }
    }
    // The file's own checks (its checksums) pass.
    w2v_ok(&["info", s(&fixture("model.native"))]);
}

#[test]
fn an_older_count_file_reads_as_todays_counting_of_its_corpus() {
    let old = cooc::read(&fixture("counts.cooc")).unwrap();
    let dir = TempDir::new();
    let fresh = dir.path("fresh.cooc");
    let corpus = fixture("corpus.txt");
    w2v_ok(&[
        "cooc",
        "-i",
        s(&corpus),
        "--vocab",
        "60",
        "--window",
        "3",
        "--threads",
        "1",
        "-o",
        s(&fresh),
        "-q",
    ]);
    let new = cooc::read(&fresh).unwrap();
    assert_eq!(old.len(), 60);
    assert!(old.nnz() > 0);
    assert_eq!(old, new);
}

#[test]
fn an_older_checkpoint_resumes_to_the_uninterrupted_runs_bytes() {
    if !w2v::Level::Avx2.is_available() {
        eprintln!(
            "SKIPPED: the checkpoint fixture was taken with AVX2 kernels, which this CPU lacks"
        );
        return;
    }
    let dir = TempDir::new();
    let out = dir.path("resumed.txt");
    let corpus = fixture("corpus.txt");
    w2v_ok(&[
        "train",
        "-i",
        s(&corpus),
        "-o",
        s(&out),
        "--format",
        "text",
        "-q",
        "--resume",
        s(&fixture("run.ckpt")),
        "--checkpoint",
        s(&dir.path("next.ckpt")),
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(fixture("ckpt-final.txt")).unwrap()
    );
}
