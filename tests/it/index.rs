//! The approximate neighbour index: recall against the exact scan, the same
//! bytes for one thread and a seed, stored and mapped with the model, the
//! query words excluded, settings checked, and damage that never crashes.

use crate::common::{Rng, TempDir, model, numbered_words};
use w2v::format::native::{HNSW, HNSW0, HNSWUP};
use w2v::format::sections::{self, patch};
use w2v::{Embeddings, ErrorKind, Format, IndexParams, Neighbor};

/// `v` rows of dimension `dim` around `v / 20` random centres (words have
/// neighbourhoods, as trained vectors do), a few zero rows among them.
fn clustered(v: usize, dim: usize, seed: u64) -> Embeddings {
    let mut rng = Rng::new(seed);
    let centres: Vec<Vec<f32>> = (0..v / 20 + 1).map(|_| rng.floats(dim)).collect();
    let mut data = Vec::with_capacity(v * dim);
    for i in 0..v {
        let c = &centres[rng.below(centres.len())];
        for &x in c {
            data.push(if i % 997 == 5 {
                0.0
            } else {
                x + 0.35 * rng.float()
            });
        }
    }
    model(&numbered_words(v), dim, data)
}

fn params(threads: usize) -> IndexParams {
    IndexParams {
        m: 12,
        ef_construction: 100,
        threads,
        seed: 7,
    }
}

/// Mean share of the exact top 10 that the index finds, over query rows.
fn recall(emb: &Embeddings, ef: usize, queries: usize) -> f64 {
    let approx = emb.clone().with_ef(ef);
    let exact = emb.clone().with_exact(true);
    let mut hits = 0usize;
    for q in 0..queries {
        let row = emb.row((q * 37) % emb.len()).to_vec();
        if row.iter().all(|&x| x == 0.0) {
            hits += 10;
            continue;
        }
        let want = exact.nearest(&row, 10, None, &[]).unwrap();
        let got = approx.nearest(&row, 10, None, &[]).unwrap();
        assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
        hits += got
            .iter()
            .filter(|g| want.iter().any(|w| w.index == g.index))
            .count();
    }
    hits as f64 / (10 * queries) as f64
}

#[test]
fn the_index_finds_the_exact_neighbours() {
    let mut emb = clustered(4000, 48, 1);
    emb.build_index(&params(2)).unwrap();
    let low = recall(&emb, 10, 300);
    let high = recall(&emb, 200, 300);
    eprintln!("recall@10: {low:.3} at ef 10, {high:.3} at ef 200");
    assert!(high >= 0.99, "recall {high} at ef 200");
    assert!(low >= 0.8 && low <= high + 1e-9, "recall {low} at ef 10");
    // Scores are exact cosines: the same as the scan's for the same word.
    let row = emb.row(123).to_vec();
    let a = emb.nearest(&row, 5, None, &[]).unwrap();
    let e = emb
        .clone()
        .with_exact(true)
        .nearest(&row, 5, None, &[])
        .unwrap();
    assert_eq!(a[0].index, 123);
    assert_eq!(a[0].score, e[0].score);
}

#[test]
fn one_thread_builds_the_same_bytes_and_a_seed_changes_them() {
    let emb = clustered(1500, 20, 2);
    let build = |p: IndexParams| {
        let mut e = emb.clone();
        e.build_index(&p).unwrap();
        let ix = e.neighbour_index().unwrap();
        (ix.meta, ix.records.to_vec(), ix.upper.to_vec())
    };
    let a = build(params(1));
    assert_eq!(a, build(params(1)));
    let other = build(IndexParams {
        seed: 8,
        ..params(1)
    });
    assert_ne!(a.1, other.1);
    // Two threads: another graph, as good.
    let mut two = emb.clone();
    two.build_index(&params(2)).unwrap();
    assert!(recall(&two, 100, 200) >= 0.98);
}

#[test]
fn a_stored_index_is_mapped_and_answers_as_built() {
    let dir = TempDir::new();
    let path = dir.path("m.w2v");
    let mut emb = clustered(3000, 32, 3);
    emb.build_index(&params(2)).unwrap();
    emb.save(&path, Format::Native).unwrap();
    let mapped = Embeddings::open(&path).unwrap();
    let ix = mapped.neighbour_index().expect("stored");
    assert_eq!(ix.meta, emb.neighbour_index().unwrap().meta);
    for q in 0..50 {
        let row = emb.row(q * 11).to_vec();
        if row.iter().all(|&x| x == 0.0) {
            continue;
        }
        assert_eq!(
            mapped.nearest(&row, 10, None, &[]).unwrap(),
            emb.nearest(&row, 10, None, &[]).unwrap()
        );
    }
    // A model saved without building one has none.
    let plain = dir.path("p.w2v");
    clustered(3000, 32, 3).save(&plain, Format::Native).unwrap();
    assert!(
        Embeddings::open(&plain)
            .unwrap()
            .neighbour_index()
            .is_none()
    );
}

#[test]
fn analogies_and_restricted_queries_through_the_index() {
    let mut emb = clustered(3000, 32, 4);
    emb.build_index(&params(2)).unwrap();
    let exact = emb.clone().with_exact(true);
    let (a, b, c) = ("w10", "w20", "w30");
    let got = emb.most_similar(&[b, c], &[a], 10, None).unwrap();
    let want = exact.most_similar(&[b, c], &[a], 10, None).unwrap();
    for n in &got {
        assert!(![10, 20, 30].contains(&n.index), "a query word came back");
    }
    let shared = got
        .iter()
        .filter(|g| want.iter().any(|w| w.index == g.index))
        .count();
    assert!(shared >= 8, "{shared} of 10 shared with the scan");
    // A restriction scans (the graph covers every word): exact answers.
    assert_eq!(
        emb.most_similar(&[b], &[], 5, Some(500)).unwrap(),
        exact.most_similar(&[b], &[], 5, Some(500)).unwrap()
    );
    // k beyond the vocabulary through the index: every valid word, once.
    let all: Vec<Neighbor> = emb
        .clone()
        .with_ef(10)
        .nearest(emb.row(1), 5000, None, &[])
        .unwrap();
    let mut ids: Vec<usize> = all.iter().map(|n| n.index).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
}

#[test]
fn bad_settings_are_refused_before_building() {
    let mut emb = clustered(200, 8, 5);
    for (p, what) in [
        (IndexParams { m: 0, ..params(1) }, "--m"),
        (IndexParams { m: 1, ..params(1) }, "--m"),
        (
            IndexParams {
                m: 100_000,
                ..params(1)
            },
            "--m",
        ),
        (
            IndexParams {
                ef_construction: 0,
                ..params(1)
            },
            "--ef-construction",
        ),
        (
            IndexParams {
                threads: 0,
                ..params(1)
            },
            "--threads",
        ),
    ] {
        let e = emb.build_index(&p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains(what), "{e}");
    }
    assert!(emb.neighbour_index().is_none());
    // An empty model gets an empty index, and queries answer nothing.
    let mut empty = model::<&str>(&[], 8, vec![]);
    empty.build_index(&params(1)).unwrap();
    assert!(empty.nearest(&[1.0; 8], 3, None, &[]).unwrap().is_empty());
}

fn indexed_file(dir: &TempDir) -> (std::path::PathBuf, Vec<u8>) {
    let path = dir.path("m.w2v");
    let mut emb = clustered(600, 16, 6);
    emb.build_index(&params(1)).unwrap();
    emb.save(&path, Format::Native).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

/// Open `bytes` and, if that works, run queries: never a panic, every
/// answer a word of the model.
fn open_and_query(dir: &TempDir, bytes: &[u8]) -> Result<(), w2v::Error> {
    let path = dir.path("damaged.w2v");
    std::fs::write(&path, bytes).unwrap();
    let emb = Embeddings::open(&path)?;
    for q in 0..5 {
        let v: Vec<f32> = (0..16).map(|j| ((q * 16 + j) as f32).sin()).collect();
        for n in emb.nearest(&v, 10, None, &[]).unwrap() {
            assert!(n.index < emb.len());
        }
    }
    Ok(())
}

#[test]
fn a_damaged_index_gives_errors_or_answers_never_a_crash() {
    let dir = TempDir::new();
    let (_, good) = indexed_file(&dir);
    open_and_query(&dir, &good).unwrap();
    let range = |t| {
        let e = patch::entries(&good);
        let e = e.iter().find(|e| e.tag == t).unwrap();
        (e.offset as usize, (e.offset + e.length) as usize)
    };
    // Links and codes are read where followed: any byte of them may change
    // (their checksum is checked by --verify, not on open).
    let mut rng = Rng::new(9);
    for t in [HNSW0, HNSWUP] {
        let (a, b) = range(t);
        for _ in 0..150 {
            let mut bad = good.clone();
            for _ in 0..1 + rng.below(20) {
                let at = a + rng.below(b - a);
                bad[at] = rng.next() as u8;
            }
            open_and_query(&dir, &bad).unwrap();
        }
        // All 0xFF: every link past the rows, every count past its list.
        let mut bad = good.clone();
        bad[a..b].fill(0xFF);
        open_and_query(&dir, &bad).unwrap();
    }
    // The settings record, edited with its checksum kept: each field out of
    // range is an error that names the index.
    for (field, value) in [
        (24usize, 0u32),
        (24, 1000),
        (28, 7),
        (36, 1 << 30),
        (40, 99),
        (44, 3),
        (48, 5),
        (52, 1),
    ] {
        let mut bad = good.clone();
        patch::edit_section(&mut bad, HNSW, |s| {
            s[field..field + 4].copy_from_slice(&value.to_le_bytes())
        });
        let e = open_and_query(&dir, &bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "field {field}: {e}");
        assert!(e.to_string().contains("index"), "field {field}: {e}");
    }
    // Built for other rows: the recorded matrix checksum differs.
    let mut bad = good.clone();
    patch::edit_section(&mut bad, HNSW, |s| s[52] ^= 1);
    let e = open_and_query(&dir, &bad).unwrap_err();
    assert!(e.to_string().contains("other rows"), "{e}");
    // Truncated inside the index: the container names the section.
    let (a, _) = range(HNSWUP);
    let e = open_and_query(&dir, &good[..a + 2]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e}");
    // One of the three sections missing (its tag renamed): refused.
    let mut bad = good.clone();
    let mut entries = patch::entries(&bad);
    for e in &mut entries {
        if e.tag == HNSWUP {
            e.tag = sections::tag("hnswupX");
        }
    }
    patch::set_entries(&mut bad, &entries);
    let e = open_and_query(&dir, &bad).unwrap_err();
    assert!(e.to_string().contains("hnswup"), "{e}");
}
