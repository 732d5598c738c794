//! Queries: the top-k scan (8-bit first pass, exact re-scoring) gives the
//! exact answer at every SIMD level, batches give the single-query answers,
//! analogies and mean vectors give hand-computed answers, and one model
//! serves many threads.

use crate::tempdir::TempDir;
use w2v::{Analogy, Embeddings, ErrorKind, Format, Kernels, Level, Neighbor, Scratch, Vocab};

/// Two exact (f64) cosines this close are a tie: either order is right.
const TIE: f64 = 1e-6;

/// Deterministic pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [-1, 1).
    fn float(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    fn floats(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.float()).collect()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn vocab(v: usize) -> Vocab {
    Vocab::from_ordered(
        (0..v)
            .map(|i| (format!("w{i}").into_boxed_str(), (v - i) as u64))
            .collect(),
    )
    .unwrap()
}

/// The index of the zero row of [`random_data`] (when it has one).
const ZERO_ROW: usize = 17;

/// A random `v x dim` matrix with exact duplicates (5 and `v - 1` of 3 and
/// 0), a scaled copy (8 = 2.5 x row 3), near duplicates (12 of 3, 20 of 40),
/// an opposite (30 = -row 3), and optionally a zero row ([`ZERO_ROW`]).
fn random_data(v: usize, dim: usize, seed: u64, zero_row: bool) -> Vec<f32> {
    assert!(v > 50);
    let mut rng = Rng::new(seed);
    let mut data = rng.floats(v * dim);
    let row = |data: &[f32], i: usize| data[i * dim..(i + 1) * dim].to_vec();
    let set = |data: &mut Vec<f32>, i: usize, r: Vec<f32>| {
        data[i * dim..(i + 1) * dim].copy_from_slice(&r);
    };
    let (r0, r3) = (row(&data, 0), row(&data, 3));
    set(&mut data, 5, r3.clone());
    set(&mut data, v - 1, r0);
    set(&mut data, 8, r3.iter().map(|x| 2.5 * x).collect());
    let near: Vec<f32> = r3.iter().map(|x| x + 1e-3 * rng.float()).collect();
    set(&mut data, 12, near);
    let r40 = row(&data, 40);
    let near: Vec<f32> = r40.iter().map(|x| x * (1.0 + 1e-4 * rng.float())).collect();
    set(&mut data, 20, near);
    set(&mut data, 30, r3.iter().map(|x| -x).collect());
    if zero_row {
        set(&mut data, ZERO_ROW, vec![0.0; dim]);
    }
    data
}

fn embeddings(v: usize, dim: usize, data: &[f32]) -> Embeddings {
    Embeddings::new(vocab(v), dim, data.to_vec()).unwrap()
}

/// Queries: rows (exactly, scaled, negated, perturbed), random vectors,
/// sparse vectors.
fn queries(data: &[f32], v: usize, dim: usize, n: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = Rng::new(seed);
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    let mut qs = vec![
        row(3).to_vec(),
        row(0).to_vec(),
        row(40).to_vec(),
        row(3).iter().map(|x| -x).collect(),
        row(3).iter().map(|x| x * 1e15).collect(),
        row(3).iter().map(|x| x * 1e-15).collect(),
    ];
    while qs.len() < n {
        let q = match qs.len() % 4 {
            0 => rng.floats(dim),
            1 => {
                let i = rng.below(v);
                row(i).iter().map(|x| x + 0.1 * rng.float()).collect()
            }
            2 => {
                let mut q = vec![0.0; dim];
                for _ in 0..3 {
                    q[rng.below(dim)] = rng.float();
                }
                q[0] = 1.0;
                q
            }
            _ => row(rng.below(v)).to_vec(),
        };
        qs.push(q);
    }
    qs
}

fn cos64(a: &[f32], b: &[f32]) -> Option<f64> {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64, y as f64);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    (aa > 0.0 && bb > 0.0).then(|| ab / (aa.sqrt() * bb.sqrt()))
}

/// Every eligible row with its exact cosine, best first (ties: lower index
/// first). Zero rows have no cosine and are left out.
fn brute_force(
    data: &[f32],
    dim: usize,
    q: &[f32],
    restrict: Option<usize>,
    exclude: &[usize],
) -> Vec<(usize, f64)> {
    let v = data.len() / dim;
    let rows = restrict.map_or(v, |r| r.min(v));
    let mut all: Vec<(usize, f64)> = (0..rows)
        .filter(|i| !exclude.contains(i))
        .filter_map(|i| cos64(q, &data[i * dim..(i + 1) * dim]).map(|c| (i, c)))
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all
}

/// `got` (the library's top `k`) is `want` (the brute-force ranking) up to
/// the order of ties: the same length, and at each position a row of the
/// same tie group, each row once, with its cosine as score.
fn check_top(got: &[Neighbor], want: &[(usize, f64)], k: usize, what: &str) {
    assert_eq!(
        got.len(),
        k.min(want.len()),
        "{what}: {} answers, expected {}; got {:?}, expected {:?}",
        got.len(),
        k.min(want.len()),
        &got[..got.len().min(5)],
        &want[..want.len().min(5)]
    );
    if got.is_empty() {
        return;
    }
    // Tie groups: runs of the ranking with neighbouring cosines within TIE.
    let mut group = vec![0usize; want.len()];
    for j in 1..want.len() {
        group[j] = group[j - 1] + usize::from(want[j - 1].1 - want[j].1 > TIE);
    }
    let mut group_of = std::collections::HashMap::new();
    for (j, &(i, c)) in want.iter().enumerate() {
        group_of.insert(i, (group[j], c));
    }
    let mut seen = std::collections::HashSet::new();
    for (j, n) in got.iter().enumerate() {
        assert!(seen.insert(n.index), "{what}: row {} twice", n.index);
        let Some(&(g, c)) = group_of.get(&n.index) else {
            panic!("{what}: position {j}: row {} is not eligible", n.index);
        };
        assert_eq!(
            g, group[j],
            "{what}: position {j}: row {} (cos {c}) where row {} (cos {}) belongs",
            n.index, want[j].0, want[j].1
        );
        assert!(
            (n.score as f64 - c).abs() <= 1e-5,
            "{what}: row {}: score {} but cosine {c}",
            n.index,
            n.score
        );
    }
}

/// The model with the kernels of every level this CPU has.
fn at_every_level(emb: &Embeddings) -> Vec<Embeddings> {
    let levels = Level::available();
    assert!(levels.contains(&Level::Scalar) && levels.contains(&Level::Portable));
    if !levels.contains(&Level::Avx2) {
        eprintln!("NOTE: no avx2 on this CPU: the avx2 byte kernel is not tested");
    }
    levels
        .into_iter()
        .map(|l| emb.clone().with_kernels(Kernels::new(l).unwrap()))
        .collect()
}

/// Compare `nearest` with brute force over many queries, `k`, restrictions
/// and exclusions, at every level.
fn check_exact(emb: &Embeddings, data: &[f32], n_queries: usize, seed: u64) -> usize {
    let (v, dim) = (emb.len(), emb.dim());
    let models = at_every_level(emb);
    let mut checked = 0;
    for (qi, q) in queries(data, v, dim, n_queries, seed).iter().enumerate() {
        for restrict in [None, Some(v / 2), Some(20), Some(0), Some(v + 10)] {
            let full = brute_force(data, dim, q, restrict, &[]);
            // Exclude the best three, the zero row and an index out of range.
            let mut exclude: Vec<usize> = full.iter().take(3).map(|&(i, _)| i).collect();
            exclude.extend([ZERO_ROW, v + 10]);
            let excluded = brute_force(data, dim, q, restrict, &exclude);
            for (ex, want) in [(&[][..], &full), (&exclude[..], &excluded)] {
                for k in [1, 10, 100, v + 5] {
                    for m in &models {
                        let got = m.nearest(q, k, restrict, ex).unwrap();
                        let what = format!(
                            "{v}x{dim} {}: query {qi}, k {k}, restrict {restrict:?}, exclude {ex:?}",
                            m.kernels().level()
                        );
                        check_top(&got, want, k, &what);
                        checked += 1;
                    }
                }
            }
        }
    }
    checked
}

// The next three tests have a zero row ([`ZERO_ROW`]). They found the bug
// that `zero_row_does_not_hide_answers` pins down (fixed: at avx2 and avx512
// a query with `restrict` 20 and k 10 got 9 answers).
#[test]
fn nearest_is_exact_3000x100() {
    let (v, dim) = (3000, 100);
    let data = random_data(v, dim, 1, true);
    let n = check_exact(&embeddings(v, dim, &data), &data, 40, 2);
    eprintln!("{n} answers checked");
}

#[test]
fn nearest_is_exact_500x37() {
    let (v, dim) = (500, 37);
    let data = random_data(v, dim, 3, true);
    check_exact(&embeddings(v, dim, &data), &data, 60, 4);
}

#[test]
fn nearest_is_exact_on_a_mapped_model() {
    let (v, dim) = (700, 48);
    let data = random_data(v, dim, 5, true);
    let dir = TempDir::new();
    for scan_copy in [true, false] {
        let path = dir.path(&format!("m{scan_copy}.w2v"));
        embeddings(v, dim, &data)
            .save_with(&path, Format::Native, scan_copy)
            .unwrap();
        let emb = Embeddings::open(&path).unwrap();
        check_exact(&emb, &data, 30, 6);
    }
}

/// Near ties: every row is one direction plus noise of 1e-5 to 1e-1, so the
/// cosines near the top are closer together than the 8-bit pass can tell
/// apart (its margin is about 0.03 at dimension 100) and the exact pass must
/// decide among hundreds of candidates; and spiky rows (one large element),
/// whose coding error is the largest.
#[test]
fn nearest_is_exact_on_near_ties_and_spiky_rows() {
    for (noise, dim, seed) in [
        (1e-5f32, 100, 11),
        (1e-3, 100, 12),
        (1e-1, 64, 13),
        (3e-2, 9, 14),
    ] {
        let v = 1200;
        let mut rng = Rng::new(seed);
        let base = rng.floats(dim);
        let mut data = Vec::with_capacity(v * dim);
        for i in 0..v {
            if i % 10 == 9 {
                let mut r: Vec<f32> = rng.floats(dim).iter().map(|x| x * 1e-2).collect();
                r[i % dim] = 1.0;
                data.extend(r);
            } else {
                data.extend(base.iter().map(|&b| b + noise * rng.float()));
            }
        }
        let n = check_exact(&embeddings(v, dim, &data), &data, 12, seed + 50);
        eprintln!("noise {noise}, dim {dim}: {n} answers checked");
    }
}

/// Vectors wider than the scan copy allows take the exact f32 scan.
#[test]
fn nearest_is_exact_on_vectors_too_wide_for_the_scan_copy() {
    let (v, dim) = (24, w2v::scan::MAX_SCAN_DIM + 3);
    let mut rng = Rng::new(21);
    let data = rng.floats(v * dim);
    let emb = embeddings(v, dim, &data);
    assert!(emb.scan_copy().is_none());
    for m in at_every_level(&emb) {
        for qi in [0, 5, 23] {
            let q = &data[qi * dim..(qi + 1) * dim];
            for (k, restrict) in [(3, None), (30, Some(10))] {
                let want = brute_force(&data, dim, q, restrict, &[qi]);
                let got = m.nearest(q, k, restrict, &[qi]).unwrap();
                let what = format!("{} query {qi} k {k}", m.kernels().level());
                check_top(&got, &want, k, &what);
            }
        }
    }
}

/// The same checks without a zero row: isolates the zero-row bug below from
/// everything else the scan does.
#[test]
fn nearest_is_exact_without_zero_rows() {
    for (v, dim, seed) in [(3000, 100, 7), (500, 37, 8), (300, 16, 9)] {
        let data = random_data(v, dim, seed, false);
        check_exact(&embeddings(v, dim, &data), &data, 30, seed + 100);
    }
}

// Regression test for a bug found by this test (fixed) (src/query.rs, `scan_f16`): the half-precision pass scores a
// zero row 0 (its unit row is zero) and lets it into the approximate top k,
// but the exact pass gives it NaN and drops it. The k-th approximate score
// `tau` is then too high, rows below `tau - 2 eps` are never re-scored, and
// the answer is short or wrong: here `nearest` returns nothing where the
// f32 scan (scalar, portable) returns `a`. Fails at avx2 and avx512 until
// zero (or non-finite) rows are kept out of the approximate top k.
#[test]
fn zero_row_does_not_hide_answers() {
    let vocab = Vocab::from_ordered(vec![("zero".into(), 2), ("a".into(), 1)]).unwrap();
    let emb = Embeddings::new(vocab, 2, vec![0.0, 0.0, 1.0, 0.0]).unwrap();
    for m in at_every_level(&emb) {
        let got = m.nearest(&[-1.0, 0.0], 1, None, &[]).unwrap();
        assert_eq!(
            got,
            vec![Neighbor {
                index: 1,
                score: -1.0
            }],
            "level {}",
            m.kernels().level()
        );
    }
}

// Regression test for a bug found by this test (fixed) (src/model.rs, `Embeddings::norms`): a nonzero row whose
// squared norm underflows f32 (every element below about 1e-23) gets norm
// 0, so its "cosine" is `dot / 0` = +inf or NaN: `nearest` returns it first
// with score inf, and `similarity_of` gives inf. Fixed: such norms are
// computed in f64.
#[test]
fn tiny_rows_have_cosines_not_infinities() {
    let vocab = Vocab::from_ordered(vec![("tiny".into(), 2), ("a".into(), 1)]).unwrap();
    let emb = Embeddings::new(vocab, 2, vec![1e-30, 0.0, 1.0, 1.0]).unwrap();
    for m in at_every_level(&emb) {
        let lvl = m.kernels().level();
        for n in m.nearest(&[1.0, 0.0], 2, None, &[]).unwrap() {
            assert!(n.score.abs() <= 1.0 + 1e-6, "{lvl}: {n:?}");
        }
        let s = m.similarity_of(0, 1);
        assert!(s.is_nan() || s.abs() <= 1.0 + 1e-6, "{lvl}: similarity {s}");
    }
}

// ---------------------------------------------------------------- batches

#[test]
fn batches_give_the_single_query_answers() {
    let (v, dim) = (1500, 50);
    let data = random_data(v, dim, 10, true);
    let emb = embeddings(v, dim, &data);
    let qs = queries(&data, v, dim, 64, 11);
    for m in at_every_level(&emb) {
        let lvl = m.kernels().level();
        let (mut batch_scratch, mut single_scratch) = (Scratch::new(), Scratch::new());
        for nq in [1usize, 7, 64] {
            let flat: Vec<f32> = qs[..nq].iter().flatten().copied().collect();
            let lists: Vec<Vec<usize>> = (0..nq).map(|q| vec![q, 3 * q + 1, v + q]).collect();
            let lists: Vec<&[usize]> = lists.iter().map(|l| &l[..]).collect();
            for k in [1, 10, v + 3] {
                for restrict in [None, Some(v / 3)] {
                    for excludes in [&[][..], &lists[..]] {
                        let what = format!(
                            "{lvl}: {nq} queries, k {k}, restrict {restrict:?}, {} lists",
                            excludes.len()
                        );
                        let batch = m
                            .nearest_batch_into(&flat, k, restrict, excludes, &mut batch_scratch)
                            .unwrap()
                            .to_vec();
                        assert_eq!(batch.len(), nq * k, "{what}");
                        for (q, answer) in batch.chunks_exact(k).enumerate() {
                            let ex = excludes.get(q).copied().unwrap_or(&[]);
                            let single = m
                                .nearest_into(&qs[q], k, restrict, ex, &mut single_scratch)
                                .unwrap();
                            let found = single.len();
                            assert_eq!(&answer[..found], single, "{what}: query {q}");
                            assert!(
                                answer[found..].iter().all(|n| *n == Neighbor::NONE),
                                "{what}: query {q}: padding"
                            );
                            assert!(answer[..found].iter().all(Neighbor::is_some));
                            if k > v {
                                // Every nonzero, non-excluded row of the range.
                                let rows = restrict.map_or(v, |r| r.min(v));
                                let eligible = (0..rows)
                                    .filter(|&i| i != ZERO_ROW && !ex.contains(&i))
                                    .count();
                                assert_eq!(found, eligible, "{what}: query {q}");
                            }
                        }
                    }
                }
            }
        }
        // An empty batch, k = 0, and bad shapes.
        let none = m.nearest_batch_into(&[], 5, None, &[], &mut batch_scratch);
        assert!(none.unwrap().is_empty());
        let flat: Vec<f32> = qs[..3].iter().flatten().copied().collect();
        let zero_k = m.nearest_batch_into(&flat, 0, None, &[], &mut batch_scratch);
        assert!(zero_k.unwrap().is_empty());
        let e = m
            .nearest_batch_into(&flat[1..], 5, None, &[], &mut batch_scratch)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        let e = m
            .nearest_batch_into(&flat, 5, None, &[&[], &[]], &mut batch_scratch)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        let mut with_zero = flat.clone();
        with_zero[dim..2 * dim].fill(0.0);
        let e = m
            .nearest_batch_into(&with_zero, 5, None, &[], &mut batch_scratch)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    }
}

// ------------------------------------------------------- hand-built model

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
    let vocab = Vocab::from_ordered(
        rows.iter()
            .enumerate()
            .map(|(i, (w, _))| ((*w).into(), 10 - i as u64))
            .collect(),
    )
    .unwrap();
    let data = rows.iter().flat_map(|(_, r)| *r).collect();
    Embeddings::new(vocab, 3, data).unwrap()
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
        // No words at all (`Empty` in the working tree, `InvalidArgument`
        // before: either says what is wrong).
        for kind in [
            nf(emb.most_similar(&[], &[], 3, None)),
            nf(emb.most_similar_cosmul(&[], &[], 3, None)),
        ] {
            assert!(
                matches!(kind, ErrorKind::Empty | ErrorKind::InvalidArgument),
                "{kind:?}"
            );
        }
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
    send_sync::<w2v::native::MappedModel>();
    send_sync::<Neighbor>();
    send_sync::<Scratch>();
    send_sync::<Kernels>();
};
