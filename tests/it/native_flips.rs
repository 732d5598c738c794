//! Random byte flips in native and word2vec files: a flipped file gives an
//! error or a model whose every accessor and query runs, never a panic or an
//! out-of-bounds read (nothing is caught: a panic fails the test).

use crate::common::{TempDir, floats};
use crate::native::{
    assert_same_model, kernels_under_test, model, native_bytes, open_bytes, padding, read_on_open,
    section_ranges, words,
};
use crate::word2vec::w2v_bytes;
use proptest::prelude::*;
use std::sync::OnceLock;
use w2v::Embeddings;

/// Run every accessor and query of a model that opened, whatever its bytes.
/// Errors are fine; panics are not (and are not caught).
fn exercise(emb: &Embeddings, words: &[String], queries: &[Vec<f32>]) {
    let n = emb.len();
    for i in 0..n + 2 {
        if let Some(w) = emb.word(i)
            && let Some(j) = emb.index(w)
        {
            assert!(j < n);
            let _ = emb.similarity_of(i, j);
        }
        let _ = emb.count(i);
    }
    for i in 0..n {
        assert_eq!(emb.row(i).len(), emb.dim());
    }
    assert_eq!(emb.matrix().len(), n * emb.dim());
    assert_eq!(emb.norms().len(), n);
    if let Some(c) = emb.scan_copy() {
        assert_eq!(
            c.blocks.len(),
            n.div_ceil(16) * 16 * emb.dim().next_multiple_of(4)
        );
        assert_eq!(c.scales.len(), n);
    }
    for w in words {
        if let Some(i) = emb.index(w) {
            assert!(i < n);
        }
    }
    for kern in kernels_under_test() {
        let emb = emb.clone().with_kernels(kern);
        for q in queries {
            let _ = emb.nearest(q, 5, None, &[]);
            let _ = emb.nearest(q, n + 3, Some(n / 2), &[0, 1, n + 7]);
        }
        let flat: Vec<f32> = queries.iter().flatten().copied().collect();
        let mut scratch = w2v::Scratch::new();
        let _ = emb.nearest_batch_into(&flat, 4, None, &[], &mut scratch);
        let (a, b, c) = (&words[0], &words[1], &words[3]);
        let _ = emb.most_similar(&[a], &[], 5, None);
        let _ = emb.most_similar(&[b, c], &[a], 5, Some(10));
        let _ = emb.most_similar_cosmul(&[b, c], &[a], 5, None);
        let _ = emb.analogy(a, b, c, 3, w2v::Analogy::Add, None);
        let _ = emb.analogy(a, b, c, 3, w2v::Analogy::Mul, None);
        let _ = emb.similarity(a, b);
        let _ = emb.mean_vector(&[a, b, "zzz"], None);
    }
}

struct Flippable {
    emb: Embeddings,
    words: Vec<String>,
    queries: Vec<Vec<f32>>,
    files: [Vec<u8>; 2],
}

fn flippable() -> &'static Flippable {
    static F: OnceLock<Flippable> = OnceLock::new();
    F.get_or_init(|| {
        let emb = model(50, 12, 14);
        let queries = vec![emb.row(0).to_vec(), emb.row(9).to_vec(), floats(12, 99)];
        Flippable {
            words: words(50),
            files: [native_bytes(&emb, true), native_bytes(&emb, false)],
            emb,
            queries,
        }
    })
}

/// The regions of a native file that flips are aimed at: the header, each
/// non-empty section, each run of padding, and the whole file.
fn regions(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut r = vec![read_on_open(bytes)[0], (0, bytes.len())];
    r.extend(
        section_ranges(bytes)
            .into_iter()
            .map(|(_, a, b)| (a, b))
            .filter(|(a, b)| a < b),
    );
    r.extend(padding(bytes));
    r
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_byte_flips_give_errors_never_panics(
        scan_copy in any::<bool>(),
        flips in prop::collection::vec((any::<u8>(), any::<u64>(), 1u8..=255), 1..=8),
    ) {
        let f = flippable();
        let good = &f.files[usize::from(!scan_copy)];
        let regions = regions(good);
        let on_open = read_on_open(good);
        let sections = section_ranges(good);
        let mut bytes = good.clone();
        for &(region, at, xor) in &flips {
            let (a, b) = regions[region as usize % regions.len()];
            bytes[a + (at % (b - a) as u64) as usize] ^= xor;
        }
        // Flips may cancel: judge by what actually changed.
        let changed: Vec<usize> = (0..good.len()).filter(|&i| good[i] != bytes[i]).collect();
        // The header and `meta` are checked on open, the rest by verify.
        let in_header = changed
            .iter()
            .any(|&i| on_open.iter().any(|&(a, b)| (a..b).contains(&i)));
        let in_section = changed
            .iter()
            .any(|&i| sections.iter().any(|&(_, a, b)| (a..b).contains(&i)));
        let dir = TempDir::new();
        match open_bytes(&dir, &bytes) {
            Err(e) => {
                prop_assert!(in_header, "only sections or padding changed, yet: {e}");
                prop_assert!(!e.to_string().is_empty());
            }
            Ok(m) => {
                prop_assert!(!in_header, "a changed header opened: {changed:?}");
                prop_assert_eq!(m.len(), f.emb.len());
                prop_assert_eq!(m.dim(), f.emb.dim());
                exercise(&m, &f.words, &f.queries);
                let verified = m.mapped().unwrap().verify();
                prop_assert_eq!(
                    verified.is_err(),
                    in_section,
                    "changed {:?}: verify gave {:?}",
                    changed,
                    verified
                );
                if !in_section {
                    assert_same_model(&f.emb, &m, "padding flips");
                }
            }
        }
    }

    #[test]
    fn random_byte_flips_in_word2vec_binary_never_panic(
        text in any::<bool>(),
        cut in any::<u16>(),
        flips in prop::collection::vec((any::<u64>(), any::<u8>()), 0..=8),
    ) {
        let mut bytes = w2v_bytes(text).to_vec();
        for &(at, xor) in &flips {
            let n = bytes.len() as u64;
            bytes[(at % n) as usize] ^= xor;
        }
        if cut % 4 == 0 {
            bytes.truncate(cut as usize % bytes.len());
        }
        if let Ok(emb) = Embeddings::parse_word2vec(&bytes) {
            let words: Vec<String> = (0..emb.len().min(4))
                .map(|i| emb.word(i).unwrap().to_string())
                .chain(std::iter::repeat_n("zzz".to_string(), 4))
                .collect();
            let queries = vec![vec![1.0; emb.dim()]];
            if emb.dim() == 6 {
                exercise(&emb, &words, &queries);
            }
        }
    }
}
