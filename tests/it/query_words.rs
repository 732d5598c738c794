//! Queries by word on a hand-built model whose answers are computed by
//! hand (3CosAdd, 3CosMul, exclusions, similarity, mean vectors, unknown
//! words), and one model queried by many threads at once.

use crate::common::{Rng, TempDir, model};
use crate::query::{
    ZERO_ROW, at_every_level, brute_force, check_top, cos64, embeddings, queries, random_data,
};
use w2v::{Analogy, Embeddings, ErrorKind, Format, Kernels, Neighbor, Scratch};

/// Gender along y, royalty along z, stored at assorted lengths (answers use
/// unit vectors, so lengths must not matter), and a zero row.
fn royals() -> Embeddings {
    let rows: [(&str, [f32; 3]); 7] = [
        ("man", [2.0, 0.0, 0.0]),
        ("woman", [0.0, 0.5, 0.0]),
        ("king", [3.0, 0.0, 3.0]),
        ("queen", [0.0, 1.0, 1.0]),
        ("apple", [0.0, 0.0, -4.0]),
        ("other", [1.0, 1.0, 0.0]),
        ("nothing", [0.0, 0.0, 0.0]),
    ];
    let words: Vec<&str> = rows.iter().map(|(w, _)| *w).collect();
    model(&words, 3, rows.iter().flat_map(|(_, r)| *r).collect())
}

fn names(emb: &Embeddings, ns: &[Neighbor]) -> Vec<String> {
    ns.iter()
        .map(|n| emb.word(n.index).unwrap().to_string())
        .collect()
}

fn close(a: f32, b: f64, what: &str) {
    assert!((a as f64 - b).abs() <= 1e-6, "{what}: {a} vs {b}");
}

#[test]
fn analogies_give_the_hand_computed_answers() {
    let h = std::f64::consts::FRAC_1_SQRT_2;
    for emb in at_every_level(&royals()) {
        let lvl = emb.kernels().level();
        // 3CosAdd: king - man + woman = (h - 1, 1, h) on unit vectors.
        let q = [h - 1.0, 1.0, h];
        let qn = q.iter().map(|x| x * x).sum::<f64>().sqrt();
        let add = emb
            .analogy("man", "king", "woman", 10, Analogy::Add, None)
            .unwrap();
        assert_eq!(names(&emb, &add), ["queen", "other", "apple"], "{lvl}");
        close(add[0].score, (q[1] * h + q[2] * h) / qn, "queen");
        close(add[1].score, (q[0] * h + q[1] * h) / qn, "other");
        close(add[2].score, -q[2] / qn, "apple");
        assert!((add[0].score - 0.958_569).abs() < 1e-5, "queen, by hand");
        let same = emb.most_similar(&["king", "woman"], &["man"], 10, None);
        assert_eq!(same.unwrap(), add, "{lvl}");
        // 3CosMul: cos'(d, king) cos'(d, woman) / (cos'(d, man) + 1e-6).
        let p = |c: f64| (1.0 + c) / 2.0;
        let mul = emb
            .analogy("man", "king", "woman", 10, Analogy::Mul, None)
            .unwrap();
        assert_eq!(names(&emb, &mul), ["queen", "other", "apple"], "{lvl}");
        close(mul[0].score, p(0.5) * p(h) / (p(0.0) + 1e-6), "queen");
        close(mul[1].score, p(0.5) * p(h) / (p(h) + 1e-6), "other");
        close(mul[2].score, p(-h) * p(0.0) / (p(0.0) + 1e-6), "apple");
        assert!((mul[0].score - 1.280_328).abs() < 1e-5, "queen, by hand");
        let same = emb.most_similar_cosmul(&["king", "woman"], &["man"], 10, None);
        assert_eq!(same.unwrap(), mul, "{lvl}");
        // k = 1 and restrict.
        let top = emb.analogy("man", "king", "woman", 1, Analogy::Add, None);
        assert_eq!(names(&emb, &top.unwrap()), ["queen"]);
        let top = emb.analogy("man", "king", "woman", 1, Analogy::Mul, None);
        assert_eq!(names(&emb, &top.unwrap()), ["queen"]);
        for method in [Analogy::Add, Analogy::Mul] {
            let r = emb.analogy("man", "king", "woman", 10, method, Some(4));
            assert_eq!(names(&emb, &r.unwrap()), ["queen"], "{lvl} {method:?}");
        }
    }
}

#[test]
fn most_similar_excludes_the_query_words() {
    let (v, dim) = (400, 20);
    let data = random_data(v, dim, 12, true);
    for emb in at_every_level(&embeddings(v, dim, &data)) {
        let lvl = emb.kernels().level();
        for i in [0usize, 3, 5, 8, 40, 399] {
            let w = format!("w{i}");
            let got = emb.most_similar(&[&w], &[], 10, None).unwrap();
            assert_eq!(got.len(), 10);
            assert!(got.iter().all(|n| n.index != i), "{lvl}: {w} in {got:?}");
            // The nearest to its own vector, itself excluded.
            let want = brute_force(&data, dim, emb.row(i), None, &[i]);
            check_top(&got, &want, 10, &format!("{lvl}: most_similar {w}"));
            // Duplicates of the word are not the word: they stay.
            if i == 3 {
                let top3: Vec<usize> = got[..3].iter().map(|n| n.index).collect();
                for dup in [5, 8, 12] {
                    assert!(top3.contains(&dup), "{lvl}: {top3:?}");
                }
            }
            let got = emb.most_similar(&[&w, "w1"], &["w2"], v + 5, None).unwrap();
            assert_eq!(
                got.len(),
                v - 4,
                "{lvl}: all rows but 3 words and the zero row"
            );
            assert!(got.iter().all(|n| ![i, 1, 2, ZERO_ROW].contains(&n.index)));
            let got = emb
                .most_similar_cosmul(&[&w, "w1"], &["w2"], v + 5, None)
                .unwrap();
            assert!(got.iter().all(|n| ![i, 1, 2].contains(&n.index)));
        }
    }
}

#[test]
fn similarity_is_the_cosine() {
    let (v, dim) = (200, 33);
    let data = random_data(v, dim, 13, true);
    let mut rng = Rng::new(14);
    for emb in at_every_level(&embeddings(v, dim, &data)) {
        for _ in 0..200 {
            let (i, j) = (rng.below(v), rng.below(v));
            let (a, b) = (format!("w{i}"), format!("w{j}"));
            let s = emb.similarity(&a, &b).unwrap();
            let s2 = emb.similarity_of(i, j);
            assert!(s == s2 || (s.is_nan() && s2.is_nan()), "{s} vs {s2}");
            let row = |i: usize| &data[i * dim..(i + 1) * dim];
            match cos64(row(i), row(j)) {
                Some(c) => close(s, c, &format!("{a} {b}")),
                None => assert!(s.is_nan(), "zero row: {s}"),
            }
        }
        close(emb.similarity("w3", "w5").unwrap(), 1.0, "duplicate");
        close(emb.similarity("w3", "w8").unwrap(), 1.0, "scaled");
        close(emb.similarity("w3", "w30").unwrap(), -1.0, "opposite");
    }
    let r = royals();
    close(r.similarity("king", "queen").unwrap(), 0.5, "king queen");
    close(r.similarity("man", "apple").unwrap(), 0.0, "man apple");
}

#[test]
fn mean_vector_skips_unknown_words() {
    let emb = royals();
    let mut out = vec![9.0; 3];
    let known = emb
        .mean_vector_into(&["man", "zzz", "woman"], None, &mut out)
        .unwrap();
    assert_eq!(known, 2);
    assert_eq!(out, [0.5, 0.5, 0.0]);
    let m = emb
        .mean_vector(&["man", "woman", "zzz"], Some(&[1.0, 3.0, 100.0]))
        .unwrap();
    assert_eq!(m, [0.25, 0.75, 0.0]);
    // Unit vectors: the stored length of "king" does not count.
    let m = emb.mean_vector(&["king"], None).unwrap();
    let h = std::f32::consts::FRAC_1_SQRT_2;
    assert!((m[0] - h).abs() < 1e-6 && m[1] == 0.0 && (m[2] - h).abs() < 1e-6);
    // None known: NotFound, and `out` is zero.
    for words in [&["zzz", "yyy"][..], &[]] {
        let e = emb.mean_vector_into(words, None, &mut out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        assert_eq!(out, [0.0; 3]);
    }
    let e = emb.mean_vector(&["man"], Some(&[1.0, 2.0])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = emb
        .mean_vector_into(&["man"], None, &mut [0.0; 2])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    // The mean of a word finds the word.
    let m = emb.mean_vector(&["queen"], None).unwrap();
    assert_eq!(
        names(&emb, &emb.nearest(&m, 1, None, &[]).unwrap()),
        ["queen"]
    );
}

#[test]
fn unknown_words_zero_queries_and_k_zero() {
    for emb in at_every_level(&royals()) {
        let nf = |r: w2v::Result<Vec<Neighbor>>| r.unwrap_err().kind();
        assert_eq!(
            nf(emb.most_similar(&["zzz"], &[], 3, None)),
            ErrorKind::NotFound
        );
        assert_eq!(
            nf(emb.most_similar(&["king"], &["zzz"], 3, None)),
            ErrorKind::NotFound
        );
        assert_eq!(
            nf(emb.most_similar_cosmul(&["zzz"], &[], 3, None)),
            ErrorKind::NotFound
        );
        for method in [Analogy::Add, Analogy::Mul] {
            assert_eq!(
                nf(emb.analogy("man", "king", "zzz", 3, method, None)),
                ErrorKind::NotFound
            );
        }
        let e = emb.similarity("king", "zzz").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("zzz"), "{e}");
        assert_eq!(
            emb.index_or_err("zzz").unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(emb.vector("zzz"), None);
        // No words at all.
        assert_eq!(nf(emb.most_similar(&[], &[], 3, None)), ErrorKind::Empty);
        assert_eq!(
            nf(emb.most_similar_cosmul(&[], &[], 3, None)),
            ErrorKind::Empty
        );
        // Zero and non-finite query vectors.
        for q in [[0.0; 3], [f32::NAN, 1.0, 0.0], [f32::INFINITY, 0.0, 0.0]] {
            let e = emb.nearest(&q, 3, None, &[]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{q:?}: {e}");
        }
        assert!(emb.most_similar(&["nothing"], &[], 3, None).is_err());
        // k = 0.
        assert!(
            emb.nearest(&[1.0, 0.0, 0.0], 0, None, &[])
                .unwrap()
                .is_empty()
        );
        assert!(
            emb.most_similar(&["king"], &[], 0, None)
                .unwrap()
                .is_empty()
        );
        assert!(
            emb.most_similar_cosmul(&["king"], &[], 0, None)
                .unwrap()
                .is_empty()
        );
        for method in [Analogy::Add, Analogy::Mul] {
            let r = emb.analogy("man", "king", "woman", 0, method, None);
            assert!(r.unwrap().is_empty());
        }
        // The zero row is never an answer.
        let all = emb.nearest(&[1.0, 1.0, 1.0], 100, None, &[]).unwrap();
        assert_eq!(all.len(), 6);
        assert!(all.iter().all(|n| n.index != 6));
    }
}

// ---------------------------------------------------------------- threads

/// What one thread computes: 200 queries of several kinds.
fn workload(emb: &Embeddings, qs: &[Vec<f32>]) -> Vec<Vec<Neighbor>> {
    let mut scratch = Scratch::new();
    let v = emb.len();
    (0..200)
        .map(|i| {
            let q = &qs[i % qs.len()];
            match i % 4 {
                0 => emb.nearest(q, 10, None, &[]).unwrap(),
                1 => emb
                    .nearest_into(q, 25, Some(v / 2), &[i], &mut scratch)
                    .unwrap()
                    .to_vec(),
                2 => emb
                    .most_similar(&[&format!("w{i}")], &["w1"], 10, None)
                    .unwrap(),
                _ => emb
                    .most_similar_cosmul(&[&format!("w{i}")], &[], 5, None)
                    .unwrap(),
            }
        })
        .collect()
}

fn check_threads(fresh: &Embeddings, want: &[Vec<Neighbor>], qs: &[Vec<f32>], what: &str) {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| workload(fresh, qs))).collect();
        for (t, h) in handles.into_iter().enumerate() {
            let got = h.join().unwrap();
            assert!(got == want, "{what}: thread {t} differs");
        }
    });
}

#[test]
fn one_model_serves_many_threads() {
    let (v, dim) = (2000, 64);
    let data = random_data(v, dim, 15, true);
    let qs = queries(&data, v, dim, 50, 16);
    let want = workload(&embeddings(v, dim, &data), &qs);
    // A fresh model: its norms and compact rows are built lazily, by
    // whichever thread comes first.
    check_threads(&embeddings(v, dim, &data), &want, &qs, "owned");
    let dir = TempDir::new();
    for scan_copy in [true, false] {
        let path = dir.path(&format!("m{scan_copy}.w2v"));
        embeddings(v, dim, &data)
            .save_with(&path, Format::Native, scan_copy)
            .unwrap();
        let mapped = Embeddings::open(&path).unwrap();
        check_threads(
            &mapped,
            &want,
            &qs,
            &format!("mapped, scan_copy {scan_copy}"),
        );
        // Clones share the mapping and answer the same.
        check_threads(&mapped.clone(), &want, &qs, "mapped clone");
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Embeddings>();
    send_sync::<w2v::format::native::NativeFile>();
    send_sync::<Neighbor>();
    send_sync::<Scratch>();
    send_sync::<Kernels>();
};
