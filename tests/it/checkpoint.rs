//! Checkpoints and resume: a run resumed from any of its checkpoints ends
//! byte for byte where the uninterrupted run ends (one thread, each model
//! and loss); runs without checkpoints learn what they learned before
//! checkpoints existed; several threads resume; truncated, corrupt and
//! other-version files, another corpus, contradicting options and missing
//! folders are clear errors before any work.

use crate::common::{DEMO_CORPUS, TempDir, w2v, w2v_ok};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Mutex;
use w2v::format::checkpoint::{self, CheckpointParts};
use w2v::train::{CheckpointSink, Checkpointing, Input, Resume, Trainer};
use w2v::{Corpus, Embeddings, ErrorKind, LossKind, ModelKind, TrainConfig, TrainStats};

fn quiet(_: &w2v::Progress) -> bool {
    true
}

const MODELS: [(ModelKind, LossKind, &str, &str); 4] = [
    (
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        "sgns",
        "ns",
    ),
    (
        ModelKind::SkipGram,
        LossKind::HierarchicalSoftmax,
        "sgns",
        "hs",
    ),
    (ModelKind::Cbow, LossKind::NegativeSampling, "cbow", "ns"),
    (ModelKind::Cbow, LossKind::HierarchicalSoftmax, "cbow", "hs"),
];

fn config(model: ModelKind, loss: LossKind) -> TrainConfig {
    TrainConfig {
        model,
        loss,
        dim: 16,
        window: 4,
        epochs: 3,
        min_count: 1,
        threads: 1,
        seed: 11,
        ..TrainConfig::default()
    }
}

/// The bits of a model's vectors.
fn bits(e: &Embeddings) -> Vec<u32> {
    e.matrix().iter().map(|x| x.to_bits()).collect()
}

/// A sink writing each checkpoint to its own file in `dir`, named by its
/// words; the paths are collected in `written`.
fn numbered_sink<'a>(
    dir: &'a Path,
    written: &'a Mutex<Vec<PathBuf>>,
) -> impl FnMut(&CheckpointParts<'_>) -> w2v::Result<()> + Send + 'a {
    move |p| {
        let path = dir.join(format!("ck-{:08}.ckpt", p.run.words));
        checkpoint::write(&path, p)?;
        written.lock().unwrap().push(path);
        Ok(())
    }
}

/// Resume from the checkpoint at `path` (library), writing further
/// checkpoints with `sink`.
fn resume_from<'s>(
    path: &Path,
    corpus: &Corpus,
    config: &TrainConfig,
    sink: Option<&'s mut CheckpointSink<'s>>,
) -> (Embeddings, TrainStats) {
    let ck = checkpoint::read(path).unwrap();
    let from = Resume::new(ck, corpus, config.kernels).unwrap();
    assert_eq!(from.config().seed, config.seed);
    let mut trainer = Trainer::resume(from).progress(&quiet);
    if let Some(sink) = sink {
        trainer = trainer.checkpoint_sink(sink);
    }
    let t = trainer.train(Input::Corpus(corpus)).unwrap();
    (t.embeddings, t.stats)
}

#[test]
fn resuming_from_any_checkpoint_gives_the_uninterrupted_bytes() {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    // Every model and loss, and batch skip-gram (shared negatives).
    let batch = TrainConfig {
        batch: true,
        ..config(ModelKind::SkipGram, LossKind::NegativeSampling)
    };
    // And a final learning rate (gensim's min_alpha), kept in the checkpoint.
    let min_lr = TrainConfig {
        min_lr: Some(0.004),
        ..config(ModelKind::Cbow, LossKind::NegativeSampling)
    };
    let runs = MODELS
        .iter()
        .map(|&(model, loss, m, l)| (config(model, loss), m, l))
        .chain([
            (batch, "sgns", "ns --batch"),
            (min_lr, "cbow", "ns --min-lr"),
        ]);
    for (config, m, l) in runs {
        let dir = TempDir::new();
        let written = Mutex::new(Vec::new());
        let mut sink = numbered_sink(dir.dir(), &written);
        let vocab = w2v::Vocab::count(&corpus, 1, None).unwrap();
        let t = Trainer::new(config.check().unwrap())
            .vocab(vocab)
            .checkpoints(Checkpointing {
                every: 2500,
                sink: &mut sink,
            })
            .train(Input::Corpus(&corpus))
            .unwrap();
        let (full, full_stats) = (t.embeddings, t.stats);
        drop(sink);
        let paths = written.into_inner().unwrap();
        // Every 2,500 words of 3 x ~7,000: checkpoints in every epoch.
        assert!(paths.len() >= 7, "{m}/{l}: {} checkpoints", paths.len());
        for (i, path) in paths.iter().enumerate() {
            let again = TempDir::new();
            let more = Mutex::new(Vec::new());
            let mut sink = numbered_sink(again.dir(), &more);
            let (resumed, stats) = resume_from(path, &corpus, &config, Some(&mut sink));
            assert!(
                bits(&resumed) == bits(&full),
                "{m}/{l}: resumed from {} differs",
                path.display()
            );
            assert_eq!(stats.words_trained, full_stats.words_trained);
            let loss_bits =
                |s: &TrainStats| s.epoch_loss.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(loss_bits(&stats), loss_bits(&full_stats), "{m}/{l}: losses");
            // The resumed run takes the remaining checkpoints, and resuming
            // from one of those (a chain) still ends in the same bytes.
            drop(sink);
            let more = more.into_inner().unwrap();
            assert_eq!(more.len(), paths.len() - i - 1, "{m}/{l}");
            if let Some(next) = more.first() {
                let (chained, _) = resume_from(next, &corpus, &config, None);
                assert!(
                    bits(&chained) == bits(&full),
                    "{m}/{l}: chained resume differs"
                );
            }
        }
    }
}

/// The demo corpus in `dir` and the options of a small deterministic run.
fn setup(dir: &TempDir, m: &str, l: &str) -> (String, Vec<String>) {
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let args = format!(
        "--model {m} --loss {l} --dim 16 --window 4 --epochs 3 --min-count 1 --threads 1 --seed 11 -q"
    );
    (
        corpus.to_str().unwrap().to_string(),
        args.split(' ').map(String::from).collect(),
    )
}

fn train(corpus: &str, out: &Path, args: &[String], extra: &[&str]) -> Output {
    let mut all = vec!["train", "-i", corpus, "-o", out.to_str().unwrap()];
    all.extend(args.iter().map(String::as_str));
    all.extend_from_slice(extra);
    w2v(&all, &[])
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Fails, before any work, with a message containing `want`.
fn fails_with(out: Output, want: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "succeeded: {err}");
    assert!(err.contains(want), "`{want}` not in: {err}");
    assert!(!err.contains("vocabulary:"), "work started: {err}");
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_cli_resumes_to_the_uninterrupted_bytes() {
    for (_, _, m, l) in MODELS {
        let dir = TempDir::new();
        let (corpus, args) = setup(&dir, m, l);
        let (full, resumed, ck) = (dir.path("full.bin"), dir.path("r.bin"), dir.path("ck"));
        ok(train(
            &corpus,
            &full,
            &args,
            &["--checkpoint", s(&ck), "--checkpoint-every", "9000"],
        ));
        // The last checkpoint, in the third epoch: resume from it.
        let c = checkpoint::read(&ck).unwrap();
        assert_eq!(c.run.words / 9000, 2, "{m}/{l}: {}", c.run.words);
        ok(train(&corpus, &resumed, &[], &["--resume", s(&ck), "-q"]));
        assert!(
            std::fs::read(&full).unwrap() == std::fs::read(&resumed).unwrap(),
            "{m}/{l}: the resumed run's vectors differ"
        );
        // Options that agree with the checkpoint are accepted.
        let again = dir.path("again.bin");
        let same = [
            "--resume",
            s(&ck),
            "--dim",
            "16",
            "--checkpoint-every",
            "9000",
            "-q",
        ];
        ok(train(&corpus, &again, &[], &same));
        assert!(std::fs::read(&full).unwrap() == std::fs::read(&again).unwrap());
    }
}

/// CRC-32 of the vectors the binary writes on the demo corpus at the scalar
/// level, before checkpoints existed (commit 351a783, the same command).
const BEFORE_CHECKPOINTS: [(&str, &str, u32); 4] = [
    ("sgns", "ns", 0x2707_1cdf),
    ("sgns", "hs", 0xbdf5_1361),
    ("cbow", "ns", 0x9a02_4882),
    ("cbow", "hs", 0x61f6_ebba),
];

#[test]
fn runs_without_checkpoints_learn_what_they_learned_before() {
    let dir = TempDir::new();
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    for (m, l, crc) in BEFORE_CHECKPOINTS {
        let out = dir.path(&format!("{m}-{l}.bin"));
        let args = [
            "train",
            "-i",
            s(&corpus),
            "-o",
            s(&out),
            "--model",
            m,
            "--loss",
            l,
            "--dim",
            "16",
            "--window",
            "4",
            "--epochs",
            "2",
            "--min-count",
            "1",
            "--sample",
            "1e-3",
            "--threads",
            "1",
            "--seed",
            "5",
            // word2vec.c's schedule (the default for skip-gram; CBOW's
            // default has ended at a fifth of the rate since these were pinned).
            "--min-lr",
            "0",
            "-q",
        ];
        ok(w2v(&args, &[("W2V_SIMD", "scalar")]));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len(), 36217, "{m}/{l}");
        assert_eq!(crc32fast::hash(&bytes), crc, "{m}/{l}: the vectors changed");
    }
}

#[test]
fn several_threads_checkpoint_and_resume() {
    let dir = TempDir::new();
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS.repeat(30)).unwrap();
    let (full, resumed, ck) = (dir.path("full.bin"), dir.path("r.bin"), dir.path("ck"));
    let args = [
        "train",
        "-i",
        s(&corpus),
        "-o",
        s(&full),
        "--model",
        "sgns",
        "--dim",
        "16",
        "--epochs",
        "4",
        "--min-count",
        "1",
        "--threads",
        "2",
        "--seed",
        "3",
        "-q",
        "--checkpoint",
        s(&ck),
        "--checkpoint-every",
        "20000",
    ];
    ok(w2v(&args, &[]));
    let c = checkpoint::read(&ck).expect("a checkpoint was written");
    assert_eq!(c.workers.len(), 2);
    assert!(c.run.words >= 20000, "{:?}", c.run);
    let json = w2v_ok(&[
        "train",
        "-i",
        s(&corpus),
        "-o",
        s(&resumed),
        "--resume",
        s(&ck),
        "-q",
        "--json",
    ]);
    let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
    let words = stats["corpus_words"].as_u64().unwrap();
    assert_eq!(stats["words_trained"].as_u64(), Some(4 * words), "{stats}");
    assert_eq!(stats["threads"], 2);
    let (a, b) = (
        Embeddings::load(&full).unwrap(),
        Embeddings::load(&resumed).unwrap(),
    );
    assert_eq!(a.len(), b.len());
    assert!(b.matrix().iter().all(|x| x.is_finite()));
}

#[test]
fn truncated_corrupt_and_other_version_checkpoints_are_refused() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir, "sgns", "ns");
    let ck = dir.path("ck");
    ok(train(
        &corpus,
        &dir.path("full.bin"),
        &args,
        &["--checkpoint", s(&ck), "--checkpoint-every", "5000"],
    ));
    let good = std::fs::read(&ck).unwrap();
    let bad = dir.path("bad");
    let out = dir.path("out.bin");
    let resume = || train(&corpus, &out, &[], &["--resume", s(&bad), "-q"]);
    for (name, bytes, want) in [
        ("empty", Vec::new(), "too short"),
        ("header cut", good[..100].to_vec(), "truncated"),
        ("matrix cut", good[..good.len() - 1].to_vec(), "truncated"),
        ("text", b"not a checkpoint at all".to_vec(), "wrong magic"),
    ] {
        std::fs::write(&bad, &bytes).unwrap();
        fails_with(resume(), want);
        let e = checkpoint::read(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{name}: {e}");
    }
    // A flipped bit in the weights, in the vocabulary, in the header.
    for (at, want) in [
        (good.len() - 10, "section `syn1` checksum mismatch"),
        (good.len() / 2, "checksum mismatch"),
        (20, "header checksum mismatch"),
    ] {
        let mut b = good.clone();
        b[at] ^= 1;
        std::fs::write(&bad, &b).unwrap();
        fails_with(resume(), want);
        assert_eq!(
            checkpoint::read(&bad).unwrap_err().kind(),
            ErrorKind::Format
        );
    }
    let mut b = good.clone();
    b[8] = 7;
    std::fs::write(&bad, &b).unwrap();
    fails_with(
        resume(),
        "format version 7 (this build reads version 1 or 2)",
    );
    assert_eq!(
        checkpoint::read(&bad).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn another_corpus_is_refused_naming_the_difference() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir, "cbow", "hs");
    let ck = dir.path("ck");
    ok(train(
        &corpus,
        &dir.path("full.bin"),
        &args,
        &["--checkpoint", s(&ck), "--checkpoint-every", "5000"],
    ));
    let out = dir.path("out.bin");
    let other = dir.path("other.txt");
    std::fs::write(&other, format!("{DEMO_CORPUS} extra")).unwrap();
    let resume = || train(s(&other), &out, &[], &["--resume", s(&ck)]);
    let e = fails_with(resume(), "bytes: resume with the same corpus");
    assert!(e.contains(&format!("{} bytes", DEMO_CORPUS.len())), "{e}");
    let mut same_len = DEMO_CORPUS.as_bytes().to_vec();
    same_len[1000] = b'#';
    std::fs::write(&other, &same_len).unwrap();
    fails_with(resume(), "but its first 1 MiB differ");
    assert!(!out.exists());
}

#[test]
fn bad_paths_and_options_fail_before_any_work() {
    let dir = TempDir::new();
    let (corpus, args) = setup(&dir, "sgns", "ns");
    let out = dir.path("out.bin");
    let ck = dir.path("ck");
    let missing = dir.path("no/such/folder/ck");
    fails_with(
        train(
            &corpus,
            &out,
            &args,
            &["--checkpoint", s(&missing), "--checkpoint-every", "100"],
        ),
        "does not exist",
    );
    fails_with(
        train(&corpus, &out, &args, &["--checkpoint", s(&ck)]),
        "--checkpoint-every",
    );
    fails_with(
        train(&corpus, &out, &args, &["--checkpoint-every", "100"]),
        "--checkpoint FILE",
    );
    fails_with(
        train(
            &corpus,
            &out,
            &args,
            &["--checkpoint", s(&out), "--checkpoint-every", "100"],
        ),
        "the same file",
    );
    fails_with(
        train(
            &corpus,
            &out,
            &args,
            &["--checkpoint", s(&ck), "--checkpoint-every", "0"],
        ),
        "at least 1 word",
    );
    fails_with(
        train(&corpus, &out, &[], &["--resume", s(&ck)]),
        "cannot open checkpoint",
    );
    assert!(!out.exists() && !ck.exists());
    // With a real checkpoint: a missing output folder, contradicting
    // options, and options a resumed run cannot take.
    ok(train(
        &corpus,
        &dir.path("full.bin"),
        &args,
        &["--checkpoint", s(&ck), "--checkpoint-every", "5000"],
    ));
    let resume = |out: &Path, extra: &[&str]| {
        let mut all = vec!["--resume", s(&ck)];
        all.extend_from_slice(extra);
        train(&corpus, out, &[], &all)
    };
    fails_with(resume(&dir.path("nowhere/out.bin"), &[]), "does not exist");
    let e = fails_with(
        resume(&out, &["--dim", "8"]),
        "--dim differs from the checkpoint's value (16)",
    );
    assert!(e.contains("leave the option out"), "{e}");
    fails_with(resume(&out, &["--model", "cbow"]), "--model differs");
    fails_with(resume(&out, &["--threads", "2"]), "--threads differs");
    fails_with(
        resume(&out, &["--checkpoint-every", "100"]),
        "--checkpoint-every differs",
    );
    fails_with(
        resume(&out, &["--read-vocab", s(&ck)]),
        "--read-vocab cannot be combined",
    );
    let elsewhere = dir.path("no/such/folder/ck2");
    fails_with(
        resume(&out, &["--checkpoint", s(&elsewhere)]),
        "does not exist",
    );
    assert!(!out.exists());
}
