//! Training: determinism, quality floors on real text, and bad input.

use crate::common::data::{data_file, decompressed};
use crate::common::{DEMO_CORPUS, TempDir, w2v as w2v_cli};
use std::path::Path;
use w2v::{Corpus, Embeddings, Format, LossKind, ModelKind, TrainConfig};

fn quiet(_: &w2v::Progress) -> bool {
    true
}

fn demo_config(seed: u64) -> TrainConfig {
    TrainConfig {
        model: ModelKind::SkipGram,
        dim: 32,
        epochs: 3,
        min_count: 1,
        threads: 1,
        seed,
        ..TrainConfig::default()
    }
}

fn train_to_bytes(config: &TrainConfig, format: Format) -> Vec<u8> {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let (emb, _) = w2v::train(&corpus, config, &quiet).unwrap();
    let dir = TempDir::new();
    let path = dir.path("out");
    emb.save(&path, format).unwrap();
    std::fs::read(&path).unwrap()
}

#[test]
fn one_thread_and_a_seed_give_identical_files() {
    for model in [ModelKind::SkipGram, ModelKind::Cbow] {
        for loss in [LossKind::NegativeSampling, LossKind::HierarchicalSoftmax] {
            let config = TrainConfig {
                model,
                loss,
                ..demo_config(7)
            };
            let a = train_to_bytes(&config, Format::Binary);
            let b = train_to_bytes(&config, Format::Binary);
            assert!(a == b, "{model:?}/{loss:?}: two runs with seed 7 differ");
            let c = train_to_bytes(&TrainConfig { seed: 8, ..config }, Format::Binary);
            assert!(a != c, "{model:?}/{loss:?}: the seed has no effect");
        }
    }
}

#[test]
fn batch_training_is_deterministic_and_differs_from_plain() {
    let config = TrainConfig {
        batch: true,
        ..demo_config(7)
    };
    let a = train_to_bytes(&config, Format::Binary);
    assert!(
        a == train_to_bytes(&config, Format::Binary),
        "two batch runs differ"
    );
    let seed8 = train_to_bytes(
        &TrainConfig {
            seed: 8,
            ..config.clone()
        },
        Format::Binary,
    );
    assert!(a != seed8, "batch: the seed has no effect");
    let plain = train_to_bytes(
        &TrainConfig {
            batch: false,
            ..config
        },
        Format::Binary,
    );
    assert!(a != plain, "batch changes nothing");
}

#[test]
fn batch_needs_skip_gram_with_negative_sampling() {
    for (model, loss) in [
        (ModelKind::Cbow, LossKind::NegativeSampling),
        (ModelKind::SkipGram, LossKind::HierarchicalSoftmax),
    ] {
        let config = TrainConfig {
            model,
            loss,
            batch: true,
            ..demo_config(1)
        };
        let e = config.check().unwrap_err().to_string();
        assert!(e.contains("skip-gram with negative sampling"), "{e}");
    }
    let ok = TrainConfig {
        batch: true,
        ..demo_config(1)
    };
    assert!(ok.check().is_ok());
}

#[test]
fn skip_saturated_needs_negative_sampling_and_is_deterministic() {
    let hs = TrainConfig {
        loss: LossKind::HierarchicalSoftmax,
        skip_saturated: true,
        ..demo_config(1)
    };
    let e = hs.check().unwrap_err().to_string();
    assert!(e.contains("negative sampling only"), "{e}");
    for (model, batch) in [
        (ModelKind::SkipGram, false),
        (ModelKind::SkipGram, true),
        (ModelKind::Cbow, false),
    ] {
        let config = TrainConfig {
            model,
            batch,
            skip_saturated: true,
            ..demo_config(4)
        };
        let a = train_to_bytes(&config, Format::Binary);
        let b = train_to_bytes(&config, Format::Binary);
        assert!(a == b, "{model:?} (batch {batch}): two runs differ");
    }
}

/// The learning rates `config`'s run reports, in order (every 10,000 words
/// and at the end).
fn reported_rates(config: &TrainConfig) -> Vec<f32> {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let rates = std::sync::Mutex::new(Vec::new());
    let record = |p: &w2v::Progress| {
        rates.lock().unwrap().push(p.lr);
        true
    };
    w2v::train(&corpus, config, &record).unwrap();
    rates.into_inner().unwrap()
}

#[test]
fn min_lr_is_where_the_linear_decay_ends() {
    let base = TrainConfig {
        epochs: 20,
        ..demo_config(1)
    };
    let lr0 = base.learning_rate();
    // word2vec.c's rule: towards 0, floored at lr * 1e-4.
    let w2c = reported_rates(&base);
    assert!(w2c.len() >= 10, "{} reports", w2c.len());
    assert!(w2c.windows(2).all(|w| w[1] <= w[0]), "{w2c:?}");
    let last = *w2c.last().unwrap();
    assert!((last - lr0 * 1e-4).abs() < 1e-9, "{last}");
    assert_eq!(base.final_learning_rate(), 0.0, "skip-gram: word2vec.c's");
    assert!(
        train_to_bytes(&base, Format::Binary)
            == train_to_bytes(
                &TrainConfig {
                    min_lr: Some(0.0),
                    ..base.clone()
                },
                Format::Binary
            ),
        "min_lr 0 is not the skip-gram default"
    );
    // CBOW ends at a fifth of its rate by default.
    let cbow = TrainConfig {
        model: ModelKind::Cbow,
        ..base.clone()
    };
    let c0 = cbow.learning_rate();
    assert_eq!(cbow.final_learning_rate(), w2v::train::CBOW_FINAL_LR * c0);
    let last = *reported_rates(&cbow).last().unwrap();
    assert!(
        (last - w2v::train::CBOW_FINAL_LR * c0).abs() <= 1e-4 * c0,
        "{last}"
    );
    // gensim's min_alpha: a straight line from lr to min_lr.
    for end in [0.0, 0.1 * lr0, lr0] {
        let rates = reported_rates(&TrainConfig {
            min_lr: Some(end),
            ..base.clone()
        });
        assert!(rates.windows(2).all(|w| w[1] <= w[0]), "{rates:?}");
        assert!(rates.iter().all(|&r| r >= end), "{end}: {rates:?}");
        let last = *rates.last().unwrap();
        assert!((last - end).abs() <= 1.01e-4 * lr0, "{end}: ends at {last}");
        let mid = rates[rates.len() / 2];
        assert!(mid > end || end == lr0, "{end}: {mid}");
    }
    // Different final rates train different vectors.
    let a = train_to_bytes(&base, Format::Binary);
    let b = train_to_bytes(
        &TrainConfig {
            min_lr: Some(0.1 * lr0),
            ..base.clone()
        },
        Format::Binary,
    );
    assert!(a != b, "min_lr has no effect");
    // Out of range, or with the constant schedule: refused by the check.
    for (bad, want) in [
        (Some(-0.01), "min_lr"),
        (Some(f32::NAN), "min_lr"),
        (Some(2.0 * lr0), "min_lr"),
    ] {
        let e = TrainConfig {
            min_lr: bad,
            ..base.clone()
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains(want), "{bad:?}: {e}");
    }
    let e = TrainConfig {
        min_lr: Some(0.001),
        lr_schedule: w2v::LrSchedule::Constant,
        ..base
    }
    .check()
    .unwrap_err()
    .to_string();
    assert!(e.contains("linear schedule"), "{e}");
}

#[test]
fn binary_and_text_output_follow_word2vec_c() {
    let config = demo_config(3);
    let bin = train_to_bytes(&config, Format::Binary);
    let text = train_to_bytes(&config, Format::Text);
    let header_end = bin.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&bin[..header_end]).unwrap();
    let (v, d): (usize, usize) = {
        let mut it = header.split(' ').map(|x| x.parse().unwrap());
        (it.next().unwrap(), it.next().unwrap())
    };
    assert_eq!(d, 32);
    // Binary: every row is `word ` + 4*d bytes + `\n`.
    let mut pos = header_end + 1;
    for _ in 0..v {
        let sp = bin[pos..].iter().position(|&b| b == b' ').unwrap();
        pos += sp + 1 + 4 * d;
        assert_eq!(bin[pos], b'\n');
        pos += 1;
    }
    assert_eq!(pos, bin.len());
    // Text: same header; each row `word` then d values with 6 decimals, each followed by a space.
    let text = String::from_utf8(text).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), header);
    let row = lines.next().unwrap();
    assert!(row.ends_with(' '));
    let values: Vec<&str> = row.split(' ').skip(1).filter(|s| !s.is_empty()).collect();
    assert_eq!(values.len(), d);
    assert!(
        values
            .iter()
            .all(|x| x.split('.').nth(1).is_some_and(|f| f.len() == 6)),
        "{row}"
    );
    // Both load back to the same vectors (text to 6 decimals).
    let dir = TempDir::new();
    std::fs::write(dir.path("a.bin"), &bin).unwrap();
    std::fs::write(dir.path("a.txt"), &text).unwrap();
    let eb = Embeddings::read_word2vec(&dir.path("a.bin")).unwrap();
    let et = Embeddings::read_word2vec(&dir.path("a.txt")).unwrap();
    assert_eq!(eb.len(), v);
    for (x, y) in eb.matrix().iter().zip(et.matrix()) {
        assert!((x - y).abs() <= 6e-7, "{x} vs {y}");
    }
}

/// Train on the 2.1 M-word text8 prefix and score with our evaluators.
fn quality(model: ModelKind, loss: LossKind) -> Option<(f64, f64)> {
    quality_of(model, loss, false)
}

/// [`quality`], with batch skip-gram (shared negatives) if `batch`.
fn quality_of(model: ModelKind, loss: LossKind, batch: bool) -> Option<(f64, f64)> {
    let corpus = decompressed("corpus/text8-prefix-12549837.txt.xz")?;
    let questions = data_file("analogy/questions-words.txt")?;
    let pairs = data_file("similarity/wordsim353/wordsim353.tsv")?;
    let config = TrainConfig {
        model,
        loss,
        dim: 100,
        window: 5,
        negative: 5,
        sample: 1e-3,
        min_count: 5,
        epochs: 5,
        threads: 1,
        seed: 1,
        batch,
        ..TrainConfig::default()
    };
    let (emb, stats) = w2v::train(&Corpus::file(&corpus).unwrap(), &config, &quiet).unwrap();
    let a = w2v::model::eval::analogies(&emb, &questions, 30000).unwrap();
    let s = w2v::model::eval::similarity(&emb, &pairs).unwrap();
    eprintln!(
        "{model:?}/{loss:?} (batch {batch}) on text8 prefix: analogy {:.2}% ({}/{}), WS353 {:.4}, {:.0} words/s",
        a.accuracy, a.correct, a.answered, s.spearman, stats.words_per_sec
    );
    assert_eq!(
        a.answered, 9274,
        "vocabulary differs from gensim's (22,541 words)"
    );
    Some((a.accuracy, s.spearman))
}

// Floors, calibrated from our own single-thread, seed-1 runs on this machine
// (Google analogy % / WS353 Spearman): SGNS-NS 7.58 / 0.452, CBOW-NS
// 7.45 / 0.453, CBOW-HS 7.13 / 0.500. gensim 4.4 on the same corpus and
// settings: SGNS 8.3 / 0.455, CBOW 4.8 / 0.357. A model that learned nothing
// scores about 0 % and a Spearman near 0, so each floor sits about one point
// (0.03) under what we measured: a regression of that size fails.

#[test]
#[cfg_attr(
    w2v_no_data,
    ignore = "needs ../shared/data (or W2V_DATA), not found when the tests were built"
)]
fn skip_gram_ns_reaches_quality_floor_on_text8_prefix() {
    let Some((acc, rho)) = quality(ModelKind::SkipGram, LossKind::NegativeSampling) else {
        return;
    };
    assert!(acc >= 6.5 && rho >= 0.42, "SGNS: {acc:.2}% / {rho:.4}");
}

// Batch skip-gram (shared negatives per window), seed 1 here: 7.89 % /
// 0.497 (plain SGNS in the same session: 8.05 % / 0.454).
#[test]
#[cfg_attr(
    w2v_no_data,
    ignore = "needs ../shared/data (or W2V_DATA), not found when the tests were built"
)]
fn batch_skip_gram_reaches_quality_floor_on_text8_prefix() {
    let Some((acc, rho)) = quality_of(ModelKind::SkipGram, LossKind::NegativeSampling, true) else {
        return;
    };
    assert!(
        acc >= 6.8 && rho >= 0.46,
        "batch SGNS: {acc:.2}% / {rho:.4}"
    );
}

#[test]
#[cfg_attr(
    w2v_no_data,
    ignore = "needs ../shared/data (or W2V_DATA), not found when the tests were built"
)]
fn cbow_ns_reaches_quality_floor_on_text8_prefix() {
    let Some((acc, rho)) = quality(ModelKind::Cbow, LossKind::NegativeSampling) else {
        return;
    };
    assert!(acc >= 6.5 && rho >= 0.42, "CBOW: {acc:.2}% / {rho:.4}");
}

#[test]
#[cfg_attr(
    w2v_no_data,
    ignore = "needs ../shared/data (or W2V_DATA), not found when the tests were built"
)]
fn cbow_hs_reaches_quality_floor_on_text8_prefix() {
    let Some((acc, rho)) = quality(ModelKind::Cbow, LossKind::HierarchicalSoftmax) else {
        return;
    };
    assert!(acc >= 6.0 && rho >= 0.46, "CBOW-HS: {acc:.2}% / {rho:.4}");
}

fn assert_fails(args: &[&str], message: &str, output: &Path) {
    let out = w2v_cli(args, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(
        err.contains(message),
        "{args:?}: expected {message:?} in {err:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!output.exists(), "{args:?} left an output file behind");
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = TempDir::new();
    let out = dir.path("out.bin");
    let o = out.to_str().unwrap();
    assert_fails(
        &["train", "--input", "/no/such/file.txt", "--output", o],
        "cannot open corpus",
        &out,
    );
    let empty = dir.path("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_fails(
        &["train", "--input", empty.to_str().unwrap(), "--output", o],
        "is empty",
        &out,
    );
    let rare = dir.path("rare.txt");
    std::fs::write(&rare, "a b c d\n").unwrap();
    assert_fails(
        &["train", "--input", rare.to_str().unwrap(), "--output", o],
        "at least 5 times",
        &out,
    );
    let bad = dir.path("bad.txt");
    std::fs::write(&bad, b"good words \xff\xfe here\n").unwrap();
    assert_fails(
        &["train", "--input", bad.to_str().unwrap(), "--output", o],
        "not valid UTF-8",
        &out,
    );
    let ok = dir.path("ok.txt");
    std::fs::write(&ok, "a a a a a a b b b b b\n").unwrap();
    let okp = ok.to_str().unwrap();
    assert_fails(
        &["train", "--input", okp, "--output", o, "--dim", "0"],
        "dimension",
        &out,
    );
    assert_fails(
        &["train", "--input", okp, "--output", o, "--threads", "0"],
        "threads",
        &out,
    );
    assert_fails(
        &["train", "--input", okp, "--output", o, "--epochs", "0"],
        "epochs",
        &out,
    );
    assert_fails(
        &[
            "train",
            "--input",
            okp,
            "--output",
            "/no/such/dir/out.bin",
            "--min-count",
            "1",
            "-q",
        ],
        "cannot create",
        &out,
    );
    // And a good run does write the file.
    let r = w2v_cli(
        &[
            "train",
            "--input",
            okp,
            "--output",
            o,
            "--min-count",
            "1",
            "-q",
        ],
        &[],
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.exists());
}

#[test]
fn single_line_corpus_with_many_threads_trains_every_word() {
    // text8-style: one line, no newline; more threads than sentences.
    let text: String = (0..30_000)
        .map(|i| format!("t{} ", (i * 7919) % 300))
        .collect();
    let corpus = Corpus::bytes(text.into_bytes());
    for threads in [1, 2, 3, 7] {
        let config = TrainConfig {
            threads,
            epochs: 2,
            min_count: 1,
            dim: 16,
            ..TrainConfig::default()
        };
        let (emb, stats) = w2v::train(&corpus, &config, &quiet).unwrap();
        assert_eq!(emb.len(), 300);
        assert_eq!(stats.words_trained, 60_000, "{threads} threads");
        assert!(stats.final_loss.is_finite() && stats.final_loss > 0.0);
    }
}
