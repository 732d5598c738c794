//! No allocation in the training hot loop, proved with a counting global
//! allocator. Training runs with one thread, which runs on the calling thread
//! and calls the progress callback itself every 10,000 words; the callback
//! reads this thread's allocation counter. After a warm-up of 20,000 words,
//! at least 100,000 further words must train without a single allocation, for
//! skip-gram and CBOW with negative sampling and hierarchical softmax.

#![allow(unsafe_code, reason = "a counting global allocator")]

use std::sync::atomic::{AtomicU64, Ordering};
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

fn check(model: ModelKind, loss: LossKind) {
    let corpus = corpus();
    let config = TrainConfig {
        model,
        loss,
        dim: 50,
        epochs: 4,
        threads: 1,
        min_count: 1,
        sample: 1e-3,
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
    w2v::train(&corpus, &config, &callback).expect("training succeeds");
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
    eprintln!("{model:?}/{loss:?}: 0 allocations over {words} words");
}

#[test]
fn skip_gram_negative_sampling_does_not_allocate() {
    check(ModelKind::SkipGram, LossKind::NegativeSampling);
}

#[test]
fn skip_gram_hierarchical_softmax_does_not_allocate() {
    check(ModelKind::SkipGram, LossKind::HierarchicalSoftmax);
}

#[test]
fn cbow_negative_sampling_does_not_allocate() {
    check(ModelKind::Cbow, LossKind::NegativeSampling);
}

#[test]
fn cbow_hierarchical_softmax_does_not_allocate() {
    check(ModelKind::Cbow, LossKind::HierarchicalSoftmax);
}

#[test]
fn the_counter_sees_allocations() {
    // The proof above is only as good as the counter: it must see this one.
    let before = allocs();
    let v = std::hint::black_box(vec![1u8; 100]);
    assert!(allocs() > before);
    drop(v);
}
