//! No allocation in queries, proved with a counting global allocator: once a
//! [`Scratch`] has grown (a warm-up pass over the queries), `nearest_into`
//! and `nearest_batch_into` answer at least 1000 queries without a single
//! allocation, at every SIMD level (each level's byte kernels scan the 8-bit
//! copy), on an owned and a mapped model, with and without a neighbour index.

#![allow(unsafe_code, reason = "a counting global allocator")]

use w2v::{Embeddings, Format, IndexParams, Kernels, Level, Scratch};

mod common;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use common::{TempDir, floats, model as model_of, numbered_words};
use counting_alloc::allocs;

const V: usize = 3000;
const DIM: usize = 100;
const QUERIES: usize = 1000;
const BATCH: usize = 8;

fn model() -> Embeddings {
    model_of(&numbered_words(V), DIM, floats(V * DIM, 1))
}

/// Rows of the model slightly moved, and random vectors, flattened; `seed`
/// picks the noise.
fn queries(emb: &Embeddings, seed: u64) -> Vec<f32> {
    let noise = floats(QUERIES * DIM, seed);
    (0..QUERIES)
        .flat_map(|q| {
            let row = emb.row((q * 7 + seed as usize) % V);
            let noise = &noise[q * DIM..(q + 1) * DIM];
            (0..DIM).map(move |j| {
                if q % 3 == 0 {
                    noise[j]
                } else {
                    row[j] + 0.2 * noise[j]
                }
            })
        })
        .collect()
}

/// One pass: every query alone (with and without an exclusion list and a
/// restriction), then in batches of [`BATCH`]. Returns a checksum of the
/// answers so that the work cannot be skipped.
fn pass(emb: &Embeddings, qs: &[f32], scratch: &mut Scratch) -> usize {
    let mut sum = 0;
    for (i, q) in qs.chunks_exact(DIM).enumerate() {
        let exclude = [i % V, (i * 13) % V];
        let (k, restrict, exclude) = match i % 3 {
            0 => (10, None, &[][..]),
            1 => (100, Some(V / 2), &exclude[..]),
            _ => (1, None, &exclude[..1]),
        };
        let top = emb.nearest_into(q, k, restrict, exclude, scratch).unwrap();
        assert_eq!(top.len(), k);
        sum += top[0].index;
        // A word's vector into a caller's buffer (a hit, then a miss).
        let mut v = [0.0f32; DIM];
        let word = emb.word(i % V).unwrap();
        assert!(emb.vector_into(word, &mut v).unwrap());
        assert!(!emb.vector_into("no such word", &mut v).unwrap());
        sum += (v[0] > 0.0) as usize;
    }
    for (b, batch) in qs.chunks_exact(BATCH * DIM).enumerate() {
        let lists: [[usize; 2]; BATCH] = std::array::from_fn(|j| [b + j, 2 * b + j]);
        let excludes: [&[usize]; BATCH] = std::array::from_fn(|j| &lists[j][..]);
        let excludes = if b % 2 == 0 { &excludes[..] } else { &[] };
        let k = if b % 4 < 2 { 10 } else { 50 };
        let top = emb
            .nearest_batch_into(batch, k, None, excludes, scratch)
            .unwrap();
        assert_eq!(top.len(), BATCH * k);
        sum += top[0].index;
    }
    sum
}

fn check(emb: &Embeddings, what: &str) {
    let (qs, fresh) = (queries(emb, 2), queries(emb, 3));
    let mut scratch = Scratch::new();
    // Warm-up: the scratch grows to the largest query; the model builds its
    // norms and compact rows.
    let warm = pass(emb, &qs, &mut scratch);
    // The same queries again: the documented contract.
    let before = allocs();
    let again = pass(emb, &qs, &mut scratch);
    let n = allocs() - before;
    assert_eq!(warm, again, "{what}: different answers");
    let queries = QUERIES * 2;
    assert_eq!(n, 0, "{what}: {n} allocations over {queries} queries");
    // Queries not seen in the warm-up: the buffers have already grown to
    // what such queries need.
    let before = allocs();
    pass(emb, &fresh, &mut scratch);
    let n = allocs() - before;
    assert_eq!(n, 0, "{what}: {n} allocations over {queries} new queries");
    eprintln!("{what}: 0 allocations over 2 x {queries} queries");
}

#[test]
fn queries_do_not_allocate_at_any_level() {
    let emb = model();
    let levels = Level::available();
    assert!(levels.contains(&Level::Portable) && levels.contains(&Kernels::best().level()));
    for level in levels {
        let emb = emb.clone().with_kernels(Kernels::new(level).unwrap());
        check(&emb, &format!("owned, {level}"));
    }
}

#[test]
fn queries_on_a_mapped_model_do_not_allocate() {
    let dir = TempDir::new();
    let path = dir.path("m.w2v");
    model().save(&path, Format::Native).unwrap();
    let emb = Embeddings::open(&path).unwrap();
    for kern in [Kernels::best(), Kernels::new(Level::Portable).unwrap()] {
        let level = kern.level();
        check(&emb.clone().with_kernels(kern), &format!("mapped, {level}"));
    }
}

#[test]
fn queries_through_the_index_do_not_allocate() {
    // Every unrestricted query goes through the graph (the restricted ones
    // scan): its visited marks, heaps and coded query are the scratch's.
    let mut emb = model();
    emb.build_index(&IndexParams {
        threads: 2,
        ..IndexParams::default()
    })
    .unwrap();
    check(&emb, "owned, with an index");
    let dir = TempDir::new();
    let path = dir.path("m.w2v");
    emb.save(&path, Format::Native).unwrap();
    let mapped = Embeddings::open(&path).unwrap();
    assert!(mapped.neighbour_index().is_some());
    for kern in [Kernels::best(), Kernels::new(Level::Portable).unwrap()] {
        let level = kern.level();
        check(
            &mapped.clone().with_kernels(kern).with_ef(100),
            &format!("mapped with an index, {level}"),
        );
    }
}

#[test]
fn the_counter_sees_allocations() {
    // The proof above is only as good as the counter: it must see this one.
    let before = allocs();
    let v = std::hint::black_box(vec![1u8; 100]);
    assert!(allocs() > before);
    drop(v);
}
