//! No allocation in the training hot loop, proved with a counting global
//! allocator. Training runs with one thread, which runs on the calling thread
//! and calls the progress callback itself every 10,000 words; the callback
//! reads this thread's allocation counter. After a warm-up of 20,000 words,
//! at least 100,000 further words must train without a single allocation, for
//! skip-gram and CBOW with negative sampling and hierarchical softmax, with
//! a training trace recorded meanwhile, and with checkpoints taken meanwhile
//! (the worker copies the weights; the writer thread writes them).

#![allow(unsafe_code, reason = "a counting global allocator")]

use std::sync::atomic::{AtomicU64, Ordering};
use w2v::train::{CheckpointParts, Checkpointing, TraceConfig, Tracing};
use w2v::{Corpus, LossKind, ModelKind, TrainConfig};

mod common;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocs;

/// 60,000 words of Zipf-like synthetic text in lines of 5 to 40 words.
fn corpus() -> Corpus {
    let mut rng = common::Rng::new(0x2545_f491_4f6c_dd1d);
    let mut text = String::new();
    let mut line = 0;
    for _ in 0..60_000 {
        let s = rng.next();
        let rank = (1.0 / (1.0 - (s >> 11) as f64 / (1u64 << 53) as f64)) as u64 % 3000;
        text.push_str(&format!("w{rank}"));
        line += 1;
        if line >= 5 + (s % 36) {
            text.push('\n');
            line = 0;
        } else {
            text.push(' ');
        }
    }
    Corpus::bytes(text.into_bytes())
}

/// What runs beside training.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Beside {
    Nothing,
    /// A trace point every 10,000 words.
    Trace,
    /// A checkpoint every 10,000 words.
    Checkpoints,
}

/// Train `model`/`loss` and assert that, after a warm-up, 100,000 words
/// train without an allocation on the training thread; with a trace or
/// checkpoints every 10,000 words meanwhile (their arithmetic and writing
/// run on another thread, which may allocate).
fn check(model: ModelKind, loss: LossKind, beside: Beside) {
    check_batch(model, loss, beside, false);
}

/// [`check`], with batch skip-gram (shared negatives) if `batch`.
fn check_batch(model: ModelKind, loss: LossKind, beside: Beside, batch: bool) {
    let traced = beside == Beside::Trace;
    let corpus = corpus();
    let config = TrainConfig {
        model,
        loss,
        dim: 50,
        epochs: 4,
        threads: 1,
        min_count: 1,
        sample: 1e-3,
        batch,
        ..TrainConfig::default()
    };
    let warm = (AtomicU64::new(u64::MAX), AtomicU64::new(0));
    let last = (AtomicU64::new(0), AtomicU64::new(0));
    let callback = |p: &w2v::Progress| {
        if p.fraction < 1.0 {
            if p.words >= 20_000 && warm.0.load(Ordering::Relaxed) == u64::MAX {
                warm.0.store(p.words, Ordering::Relaxed);
                warm.1.store(allocs(), Ordering::Relaxed);
            }
            last.0.store(p.words, Ordering::Relaxed);
            last.1.store(allocs(), Ordering::Relaxed);
        }
        true
    };
    if traced {
        let vocab = w2v::Vocab::count(&corpus, config.min_count, None).unwrap();
        let trace = TraceConfig {
            every: 10_000,
            k: 10,
            rows: vec![0, 1, 2, 3],
        };
        let mut points = 0usize;
        let mut sink = |p: w2v::train::TracePoint| {
            assert_eq!(p.rows.len(), 4 * 50);
            points += 1;
        };
        let tracing = Tracing {
            config: &trace,
            reference: None,
            sink: &mut sink,
        };
        w2v::Trainer::new(config.check().unwrap())
            .vocab(vocab)
            .progress(&callback)
            .tracing(tracing)
            .train(w2v::Input::Corpus(&corpus))
            .expect("training succeeds");
        // One point at the start, one per 10,000 words, one at the end.
        assert!(points >= 20, "only {points} trace points");
    } else if beside == Beside::Checkpoints {
        let vocab = w2v::Vocab::count(&corpus, config.min_count, None).unwrap();
        let mut taken = 0usize;
        let mut sink = |p: &CheckpointParts<'_>| {
            assert_eq!(p.syn0.len(), p.words.len() * 50);
            taken += 1;
            Ok(())
        };
        w2v::Trainer::new(config.check().unwrap())
            .vocab(vocab)
            .progress(&callback)
            .checkpoints(Checkpointing {
                every: 10_000,
                sink: &mut sink,
            })
            .train(w2v::Input::Corpus(&corpus))
            .expect("training succeeds");
        assert!(taken >= 20, "only {taken} checkpoints");
    } else {
        w2v::train(&corpus, &config, &callback).expect("training succeeds");
    }
    let words = last.0.load(Ordering::Relaxed) - warm.0.load(Ordering::Relaxed);
    let n = last.1.load(Ordering::Relaxed) - warm.1.load(Ordering::Relaxed);
    assert!(
        words >= 100_000,
        "{model:?}/{loss:?}: only {words} words measured"
    );
    assert_eq!(
        n, 0,
        "{model:?}/{loss:?}: {n} allocations over {words} training words"
    );
    eprintln!(
        "{model:?}/{loss:?} (batch {batch}, {beside:?} beside): 0 allocations over {words} words"
    );
}

#[test]
fn skip_gram_negative_sampling_does_not_allocate() {
    check(
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        Beside::Nothing,
    );
}

#[test]
fn skip_gram_does_not_allocate_while_traced() {
    check(
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        Beside::Trace,
    );
}

#[test]
fn cbow_does_not_allocate_while_traced() {
    check(
        ModelKind::Cbow,
        LossKind::HierarchicalSoftmax,
        Beside::Trace,
    );
}

#[test]
fn skip_gram_hierarchical_softmax_does_not_allocate() {
    check(
        ModelKind::SkipGram,
        LossKind::HierarchicalSoftmax,
        Beside::Nothing,
    );
}

#[test]
fn cbow_negative_sampling_does_not_allocate() {
    check(ModelKind::Cbow, LossKind::NegativeSampling, Beside::Nothing);
}

#[test]
fn cbow_hierarchical_softmax_does_not_allocate() {
    check(
        ModelKind::Cbow,
        LossKind::HierarchicalSoftmax,
        Beside::Nothing,
    );
}

#[test]
fn skip_gram_does_not_allocate_while_checkpointed() {
    check(
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        Beside::Checkpoints,
    );
}

#[test]
fn cbow_does_not_allocate_while_checkpointed() {
    check(
        ModelKind::Cbow,
        LossKind::HierarchicalSoftmax,
        Beside::Checkpoints,
    );
}

#[test]
fn the_counter_sees_allocations() {
    // The proof above is only as good as the counter: it must see this one.
    let before = allocs();
    let v = std::hint::black_box(vec![1u8; 100]);
    assert!(allocs() > before);
    drop(v);
}

#[test]
fn batch_skip_gram_does_not_allocate() {
    check_batch(
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        Beside::Nothing,
        true,
    );
}

#[test]
fn batch_skip_gram_does_not_allocate_while_checkpointed() {
    check_batch(
        ModelKind::SkipGram,
        LossKind::NegativeSampling,
        Beside::Checkpoints,
        true,
    );
}
