//! Shared by the fuzz targets: scratch files, header checksum repair, and
//! the checks run on every model a target manages to load.

#![allow(dead_code, reason = "each target uses its own subset")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use w2v::{Embeddings, ErrorKind, Format, Neighbor, Scratch};

/// A directory for this process's scratch files: on tmpfs (`/dev/shm`) when
/// there is one, so that writing a file per input and the atomic saves'
/// `fsync` cost little.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new().prefix("w2v-fuzz").tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("w2v-fuzz").tempdir()
        };
        dir.expect("a scratch directory")
    })
    .path()
}

/// Write `bytes` to the scratch file `name` and return its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("write a scratch file");
    path
}

/// The scratch path `name` (for saves), removed first.
pub fn scratch_path(name: &str) -> PathBuf {
    let path = scratch_dir().join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Read a little-endian `u64` at `at`, if in bounds.
pub fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Overwrite the `u32` at `at` (which must be in bounds).
pub fn put_u32(b: &mut [u8], at: usize, x: u32) {
    b[at..at + 4].copy_from_slice(&x.to_le_bytes());
}

/// An earlier version's fixed header: its number of section slots and the
/// offsets of its `(offset, length)` pairs, its CRCs and its header CRC.
#[derive(Clone, Copy)]
pub struct FixedHeader {
    pub sections: usize,
    pub table: usize,
    pub crcs: usize,
    pub header_crc: usize,
}

/// Repair the checksums of a file as the steering byte says: bit 0 the
/// header's, bit 1 every section's; bit 2 reads the file as the earlier
/// version's fixed header `legacy` instead of the section container. Lets
/// the fuzzer past the checksums to the checks behind them; inputs that
/// keep their checksums as they are test the checksums themselves.
pub fn repair(bytes: &mut [u8], steer: u8, legacy: FixedHeader) {
    let (header, sections) = (steer & 1 != 0, steer & 2 != 0);
    if steer & 4 != 0 {
        fix_checksums(
            bytes,
            legacy.sections,
            legacy.table,
            legacy.crcs,
            legacy.header_crc,
            sections,
            header,
        );
    } else {
        fix_container_checksums(bytes, sections, header);
    }
}

/// Repair the checksums of a section container (`w2v::format::sections`):
/// each entry's whose section lies in the file (if `sections`), then the
/// header's (if `header`).
pub fn fix_container_checksums(bytes: &mut [u8], sections: bool, header: bool) {
    let Some(n) = bytes.get(12..16) else {
        return;
    };
    let n = u32::from_le_bytes(n.try_into().unwrap_or_default()) as usize;
    if n > w2v::format::sections::MAX_SECTIONS {
        return;
    }
    let len = w2v::format::sections::header_len(n);
    if bytes.len() < len {
        return;
    }
    if sections {
        for s in 0..n {
            let at = 16 + 32 * s;
            let (Some(off), Some(l)) = (u64_at(bytes, at + 8), u64_at(bytes, at + 16)) else {
                return;
            };
            let end = off.checked_add(l).filter(|&e| e <= bytes.len() as u64);
            if let Some(end) = end {
                let crc = crc32fast::hash(&bytes[off as usize..end as usize]);
                put_u32(bytes, at + 24, crc);
            }
        }
    }
    if header {
        let crc = crc32fast::hash(&bytes[..len - 8]);
        put_u32(bytes, len - 8, crc);
    }
}

/// Repair the checksums of a file with a fixed header: for each section `s`
/// whose `(offset, length)` pair at `table + 16 s` lies in the file, write
/// the CRC-32 of its bytes at `crcs + 4 s` (if `sections`), then the CRC-32
/// of `bytes[..header_crc]` at `header_crc` (if `header`). Lets the fuzzer
/// past the checksums to the checks behind them; inputs that keep their
/// checksums as they are test the checksums themselves.
pub fn fix_checksums(
    bytes: &mut [u8],
    n_sections: usize,
    table: usize,
    crcs: usize,
    header_crc: usize,
    sections: bool,
    header: bool,
) {
    if bytes.len() < header_crc + 4 {
        return;
    }
    if sections {
        for s in 0..n_sections {
            let (Some(off), Some(len)) = (
                u64_at(bytes, table + 16 * s),
                u64_at(bytes, table + 16 * s + 8),
            ) else {
                return;
            };
            let end = off.checked_add(len).filter(|&e| e <= bytes.len() as u64);
            if let Some(end) = end {
                let crc = crc32fast::hash(&bytes[off as usize..end as usize]);
                put_u32(bytes, crcs + 4 * s, crc);
            }
        }
    }
    if header {
        let crc = crc32fast::hash(&bytes[..header_crc]);
        put_u32(bytes, header_crc, crc);
    }
}

/// Errors a reader may give for bad bytes in a readable file: never I/O.
pub fn assert_data_error(e: &w2v::Error, allowed: &[ErrorKind]) {
    assert!(
        allowed.contains(&e.kind()),
        "unexpected error kind {:?}: {e}",
        e.kind()
    );
}

/// Whether a row has a cosine (the query engine's rule).
fn valid_norm(n: f32) -> bool {
    n > 0.0 && n.is_finite()
}

/// A query's answer is well formed: at most `k` neighbours, in range,
/// distinct, not excluded, scores not NaN and not increasing.
pub fn check_answer(emb: &Embeddings, got: &[Neighbor], k: usize, exclude: &[usize]) {
    assert!(got.len() <= k, "{} answers for k = {k}", got.len());
    for (j, n) in got.iter().enumerate() {
        assert!(n.index < emb.len(), "answer {} out of range", n.index);
        assert!(!exclude.contains(&n.index), "excluded {} returned", n.index);
        assert!(!n.score.is_nan(), "NaN score");
        assert!(
            got[..j]
                .iter()
                .all(|m| m.index != n.index && m.score >= n.score),
            "answers repeat or are out of order: {got:?}"
        );
    }
}

/// Whether the exact f32 scores of this model can be compared with the scan:
/// every value finite and moderate, every norm zero or moderate, so that no
/// product over- or underflows (the scan's error bound covers rounding, not
/// overflow).
fn moderate(emb: &Embeddings) -> bool {
    emb.matrix().iter().all(|x| x.is_finite() && x.abs() <= 1e6)
        && emb
            .norms()
            .iter()
            .all(|&n| n == 0.0 || (1e-6..=1e12).contains(&n))
}

/// The exact top `k` for `query`, by the query engine's own f32 formula
/// (`dot(q, row) / |q| / |row|`, over rows with a cosine), best first; ties
/// keep the lower index first.
fn brute_force(emb: &Embeddings, query: &[f32], k: usize, exclude: &[usize]) -> Vec<Neighbor> {
    let kern = emb.kernels();
    let inv = 1.0 / kern.dot(query, query).sqrt();
    let norms = emb.norms();
    let mut all: Vec<Neighbor> = (0..emb.len())
        .filter(|&i| valid_norm(norms[i]) && !exclude.contains(&i))
        .map(|i| Neighbor {
            index: i,
            score: kern.dot(query, emb.row(i)) * inv / norms[i],
        })
        .filter(|n| !n.score.is_nan())
        .collect();
    all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    all.truncate(k);
    all
}

/// Run the queries on `emb` (its first words' neighbours and analogies, a
/// nearest-neighbour batch, a mean vector), checking each answer's shape;
/// with `exact`, also that the two-pass scan gives the brute-force scores.
pub fn queries(emb: &Embeddings, exact: bool) {
    let (v, dim) = (emb.len(), emb.dim());
    let exact = exact && v <= 4096 && moderate(emb);
    let first: Vec<&str> = (0..v.min(3)).filter_map(|i| emb.word(i)).collect();
    for (j, w) in first.iter().enumerate() {
        for k in [1, 5, v + 3] {
            match emb.most_similar(&[w], &[], k, None) {
                Ok(got) => {
                    let i = emb.index(w).expect("a word just queried");
                    check_answer(emb, &got, k, &[i]);
                }
                Err(e) => assert_data_error(&e, &[ErrorKind::InvalidArgument, ErrorKind::NotFound]),
            }
        }
        let restrict = Some(j + 2);
        if let Ok(got) = emb.most_similar_cosmul(&[w], &first[..j], 4, restrict) {
            check_answer(emb, &got, 4, &[]);
            assert!(got.iter().all(|n| n.index < j + 2), "restrict ignored");
        }
        let _ = emb.mean_vector(&first, None);
    }
    if first.len() == 3 {
        let _ = emb.analogy(first[0], first[1], first[2], 3, w2v::Analogy::Add, None);
        let _ = emb.analogy(first[0], first[1], first[2], 3, w2v::Analogy::Mul, Some(2));
    }
    if v >= 2 {
        let s = emb.similarity_of(0, v - 1);
        assert!(!exact || s.is_nan() || s.abs() <= 1.01, "cosine {s}");
    }
    // A batch of up to 5 queries: rows of the model (nonzero and finite), so
    // that the scan's 4-query kernel and its 1-query tail both run.
    let rows: Vec<usize> = (0..v)
        .filter(|&i| {
            let r = emb.row(i);
            r.iter().all(|x| x.is_finite()) && r.iter().any(|&x| x != 0.0)
        })
        .take(5)
        .collect();
    let mut batch = Vec::with_capacity(rows.len() * dim);
    for &i in &rows {
        batch.extend_from_slice(emb.row(i));
    }
    let excludes: Vec<[usize; 1]> = rows.iter().map(|&i| [i]).collect();
    let excludes: Vec<&[usize]> = excludes.iter().map(|e| &e[..]).collect();
    let mut scratch = Scratch::new();
    for k in [1, 3, 10] {
        let Ok(got) = emb.nearest_batch_into(&batch, k, None, &excludes, &mut scratch) else {
            continue; // a query whose norm overflows
        };
        let got = got.to_vec();
        let kk = if rows.is_empty() {
            0
        } else {
            got.len() / rows.len()
        };
        assert!(kk <= k && kk * rows.len() == got.len());
        for (q, &i) in rows.iter().enumerate() {
            let answer: Vec<Neighbor> = got[q * kk..(q + 1) * kk]
                .iter()
                .copied()
                .take_while(Neighbor::is_some)
                .collect();
            check_answer(emb, &answer, k, &[i]);
            let one = emb
                .nearest(emb.row(i), k, None, &[i])
                .expect("a query that worked in a batch");
            assert_eq!(one, answer, "a batch answers as single queries do");
            if exact {
                let want = brute_force(emb, emb.row(i), k, &[i]);
                let scores = |a: &[Neighbor]| a.iter().map(|n| n.score).collect::<Vec<_>>();
                assert_eq!(
                    scores(&answer),
                    scores(&want),
                    "the two-pass scan differs from the exact scan for row {i}"
                );
            }
        }
    }
}

/// The words of `emb`, which must all be readable.
pub fn words(emb: &Embeddings) -> Vec<&str> {
    (0..emb.len())
        .map(|i| emb.word(i).expect("a readable word"))
        .collect()
}

/// Two models hold the same words, counts and vector bits.
pub fn assert_same(a: &Embeddings, b: &Embeddings, counts: bool) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.dim(), b.dim());
    assert_eq!(words(a), words(b));
    if counts {
        let c = |e: &Embeddings| (0..e.len()).map(|i| e.count(i)).collect::<Vec<_>>();
        assert_eq!(c(a), c(b));
    }
    let bits = |e: &Embeddings| e.matrix().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b), "vectors differ");
}

/// Save `emb` as native, open it again: same words, counts, vectors, norms
/// and answers, and the file verifies.
pub fn native_round_trip(emb: &Embeddings) {
    let path = scratch_path("saved.w2v");
    emb.save(&path, Format::Native).expect("save native");
    let back = Embeddings::open(&path).expect("open what was saved");
    back.mapped()
        .expect("mapped")
        .verify()
        .expect("verify what was saved");
    assert_same(emb, &back, true);
    let bits = |n: &[f32]| n.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(emb.norms()), bits(back.norms()), "stored norms differ");
    for i in 0..emb.len() {
        assert_eq!(back.index(back.word(i).unwrap_or_default()), Some(i));
    }
    if let Some(w) = emb.word(0) {
        let (a, b) = (
            emb.most_similar(&[w], &[], 5, None),
            back.most_similar(&[w], &[], 5, None),
        );
        assert_eq!(a.ok(), b.ok(), "a saved model answers differently");
    }
}
