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
    let mapped = native.mapped().unwrap();
    assert_eq!(mapped.table().version(), 2);
    mapped.verify().unwrap();
    let info = w2v_ok(&["info", "--verify", s(&fixture("model.native"))]);
    assert!(info.contains("version     2"), "{info}");
    // Saved again, it is today's version with the same words, counts and rows.
    let dir = TempDir::new();
    let again = dir.path("again.w2v");
    native.save(&again, w2v::Format::Native).unwrap();
    let new = Embeddings::open(&again).unwrap();
    assert_eq!(
        new.mapped().unwrap().table().version(),
        w2v::format::native::VERSION
    );
    for i in 0..native.len() {
        assert_eq!(new.word(i), native.word(i));
        assert_eq!(new.count(i), native.count(i));
        assert_eq!(new.row(i), native.row(i));
    }
}

#[test]
fn an_older_files_damaged_header_is_an_error_never_a_panic() {
    let dir = TempDir::new();
    let bad = dir.path("bad");
    for (name, header_len) in [
        ("model.native", 200),
        ("counts.cooc", 176),
        ("run.ckpt", 264),
    ] {
        let good = std::fs::read(fixture(name)).unwrap();
        let read = |bytes: &[u8]| -> w2v::Result<()> {
            std::fs::write(&bad, bytes).unwrap();
            match name {
                "model.native" => Embeddings::open(&bad).map(drop),
                "counts.cooc" => cooc::read(&bad).map(drop),
                _ => w2v::format::checkpoint::read(&bad).map(drop),
            }
        };
        read(&good).unwrap();
        for cut in (0..=header_len + 8).chain([good.len() / 2, good.len() - 1]) {
            let e = read(&good[..cut]).unwrap_err();
            assert_eq!(e.kind(), w2v::ErrorKind::Format, "{name} cut at {cut}: {e}");
        }
        for i in 0..header_len {
            let mut b = good.clone();
            b[i] ^= 0x20;
            let e = read(&b).unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    w2v::ErrorKind::Format | w2v::ErrorKind::Unsupported
                ),
                "{name} byte {i}: {e}"
            );
        }
    }
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
    // Today's file is the container's version, and reads back the same.
    let bytes = std::fs::read(&fresh).unwrap();
    assert_eq!(bytes[8..12], cooc::VERSION.to_le_bytes());
    assert_ne!(
        std::fs::read(fixture("counts.cooc")).unwrap()[8..12],
        bytes[8..12]
    );
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
