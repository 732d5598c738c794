//! The native format and the word2vec readers on good and bad input.
//!
//! Good files round-trip exactly. Bad files (truncated at every section
//! boundary, wrong magic, version, flags or section table, random byte flips,
//! malformed word2vec text and binary) give an error, never a panic or an
//! out-of-bounds read: the tests below run every accessor of a corrupt model
//! that opened and rely on panics not happening (nothing is caught).

use crate::tempdir::TempDir;
use proptest::prelude::*;
use std::sync::OnceLock;
use w2v::io::parse_word2vec;
use w2v::native::{FLAG_NORMS, FLAG_SCAN, HEADER_LEN, Header, MAGIC, VERSION};
use w2v::{Embeddings, ErrorKind, Format, Kernels, Level, Vocab};

const SECTION_NAMES: [&str; 8] = [
    "word_ends",
    "words",
    "counts",
    "hash",
    "matrix",
    "norms",
    "scan8",
    "scales",
];
const SECTION_ALIGN: [u64; 8] = [8, 1, 8, 4, 64, 4, 64, 4];

/// Deterministic pseudo-random floats in [-1, 1).
fn floats(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Words of assorted lengths, some multi-byte, so that the `words` section
/// has an odd length and padding follows it.
fn words(v: usize) -> Vec<String> {
    const SPECIAL: [&str; 6] = [
        "café",
        "日本語",
        "x",
        "naïve",
        "über-long-word-with-dashes",
        "ß",
    ];
    (0..v)
        .map(|i| {
            SPECIAL
                .get(i)
                .map_or_else(|| format!("w{i}"), |s| s.to_string())
        })
        .collect()
}

/// A `v x dim` model with distinct descending counts and a zero row (row 2,
/// if `v > 2`).
fn model(v: usize, dim: usize, seed: u64) -> Embeddings {
    let pairs = words(v)
        .into_iter()
        .enumerate()
        .map(|(i, w)| (w.into_boxed_str(), 1000 - i as u64))
        .collect();
    let mut data = floats(v * dim, seed);
    if v > 2 {
        data[2 * dim..3 * dim].fill(0.0);
    }
    Embeddings::new(Vocab::from_ordered(pairs).unwrap(), dim, data).unwrap()
}

fn header_of(bytes: &[u8]) -> Header {
    bytemuck::pod_read_unaligned(&bytes[..HEADER_LEN])
}

/// Write `h` into `bytes` with a correct header checksum, so that the check
/// after the checksum is the one a test reaches.
fn put_header(bytes: &mut [u8], mut h: Header) {
    h.header_crc = crc32fast::hash(&bytemuck::bytes_of(&h)[..HEADER_LEN - 4]);
    bytes[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&h));
}

/// `[start, end)` of each section of a good file.
fn section_ranges(h: &Header) -> [(usize, usize); 8] {
    h.sections
        .map(|[off, len]| (off as usize, off as usize + len as usize))
}

/// The padding bytes of a good file: in neither the header nor a section.
fn padding(h: &Header, file_len: usize) -> Vec<(usize, usize)> {
    let mut gaps = Vec::new();
    let mut pos = HEADER_LEN;
    for (a, b) in section_ranges(h) {
        if a > pos {
            gaps.push((pos, a));
        }
        pos = pos.max(b);
    }
    if file_len > pos {
        gaps.push((pos, file_len));
    }
    gaps
}

/// A saved native model's bytes (with or without the scan copy).
fn native_bytes(emb: &Embeddings, scan_copy: bool) -> Vec<u8> {
    let dir = TempDir::new();
    let path = dir.path("m.w2v");
    emb.save_with(&path, Format::Native, scan_copy).unwrap();
    std::fs::read(&path).unwrap()
}

/// Write `bytes` to a file and open it as a native model.
fn open_bytes(dir: &TempDir, bytes: &[u8]) -> w2v::Result<Embeddings> {
    let path = dir.path("x.w2v");
    std::fs::write(&path, bytes).unwrap();
    Embeddings::open(&path)
}

fn expect_err(dir: &TempDir, bytes: &[u8], kind: ErrorKind, needle: &str, what: &str) {
    match open_bytes(dir, bytes) {
        Ok(_) => panic!("{what}: opened"),
        Err(e) => {
            let msg = e.to_string();
            assert_eq!(e.kind(), kind, "{what}: {msg}");
            assert!(msg.contains(needle), "{what}: {msg:?} lacks {needle:?}");
        }
    }
}

fn kernels_under_test() -> Vec<Kernels> {
    // The byte kernels of two levels: the compiler-vectorised one and the
    // default (where it is avx2) one.
    let mut ks = vec![Kernels::new(Level::Portable).unwrap(), Kernels::best()];
    ks.dedup_by_key(|k| k.level());
    ks
}

fn assert_same_model(a: &Embeddings, b: &Embeddings, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: len");
    assert_eq!(a.dim(), b.dim(), "{what}: dim");
    for i in 0..a.len() {
        assert_eq!(a.word(i), b.word(i), "{what}: word {i}");
        assert_eq!(a.count(i), b.count(i), "{what}: count {i}");
        let (ra, rb) = (a.row(i), b.row(i));
        assert!(
            ra.iter().zip(rb).all(|(x, y)| x.to_bits() == y.to_bits()),
            "{what}: row {i}"
        );
    }
    assert_eq!(a.word(a.len()), None);
    assert_eq!(b.word(b.len()), None);
    assert_eq!(b.count(b.len()), None);
}

// ---------------------------------------------------------------- good files

#[test]
fn native_round_trip_is_identical() {
    let emb = model(300, 23, 1);
    for scan_copy in [true, false] {
        let dir = TempDir::new();
        let path = dir.path("m.w2v");
        emb.save_with(&path, Format::Native, scan_copy).unwrap();
        let m = Embeddings::open(&path).unwrap();
        let what = format!("scan_copy={scan_copy}");
        assert!(m.is_mapped() && !emb.is_mapped());
        assert_same_model(&emb, &m, &what);
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(emb.norms()), bits(m.norms()), "{what}: norms");
        assert_eq!(emb.norms()[2], 0.0, "the zero row has norm 0");
        let mapped = m.mapped().unwrap();
        assert_eq!(mapped.scan().is_some(), scan_copy, "{what}");
        assert!(mapped.norms().is_some(), "{what}");
        // Stored or rebuilt, the scan copy is the owned model's.
        let (a, b) = (emb.scan_copy().unwrap(), m.scan_copy().unwrap());
        assert_eq!(a.blocks, b.blocks, "{what}: scan blocks");
        assert_eq!(bits(a.scales), bits(b.scales), "{what}: scales");
        assert_eq!(
            a.residual.to_bits(),
            b.residual.to_bits(),
            "{what}: residual"
        );
        assert_eq!(
            mapped.header().residual,
            if scan_copy { a.residual } else { 0.0 }
        );
        for i in 0..emb.len() {
            let w = emb.word(i).unwrap();
            assert_eq!(m.index(w), Some(i), "{what}: index of {w:?}");
            assert_eq!(mapped.index_of(w.as_bytes()), Some(i));
        }
        for unknown in ["", "W0", "w300", "cafe", "日本", "w1 "] {
            assert_eq!(m.index(unknown), None, "{what}: {unknown:?}");
        }
        assert_eq!(mapped.len(), 300);
        assert_eq!(mapped.dim(), 23);
        assert_eq!(
            mapped.file_len() as u64,
            std::fs::metadata(&path).unwrap().len()
        );
        let h = mapped.header();
        assert_eq!(h.magic, MAGIC);
        assert_eq!(h.version, VERSION);
        assert_eq!(h.flags, FLAG_NORMS | if scan_copy { FLAG_SCAN } else { 0 });
        mapped.verify().unwrap();
        // The same answers from both.
        let q = emb.row(7).to_vec();
        assert_eq!(
            emb.nearest(&q, 10, None, &[]).unwrap(),
            m.nearest(&q, 10, None, &[]).unwrap()
        );
    }
}

#[test]
fn load_detects_each_format() {
    let emb = model(40, 9, 2);
    let dir = TempDir::new();
    for (format, name) in [
        (Format::Native, "m.w2v"),
        (Format::Binary, "m.bin"),
        (Format::Text, "m.txt"),
    ] {
        let path = dir.path(name);
        emb.save(&path, format).unwrap();
        let m = Embeddings::load(&path).unwrap();
        assert_eq!(m.is_mapped(), format == Format::Native, "{format:?}");
        assert_eq!(m.len(), emb.len());
        assert_eq!(m.dim(), emb.dim());
        for i in 0..emb.len() {
            assert_eq!(m.word(i), emb.word(i), "{format:?}");
            let tol = if format == Format::Text { 1e-6 } else { 0.0 };
            for (x, y) in m.row(i).iter().zip(emb.row(i)) {
                assert!((x - y).abs() <= tol, "{format:?} row {i}: {x} vs {y}");
            }
            // word2vec files keep the order through synthetic counts.
            let want = if format == Format::Native {
                emb.count(i)
            } else {
                Some((emb.len() - i) as u64)
            };
            assert_eq!(m.count(i), want, "{format:?} count {i}");
        }
    }
    // A missing file is an I/O error.
    let e = Embeddings::load(&dir.path("missing")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    let e = Embeddings::open(&dir.path("missing")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn word2vec_to_native_and_back_is_byte_exact() {
    let emb = model(120, 17, 3);
    let dir = TempDir::new();
    for format in [Format::Binary, Format::Text] {
        let (a, n, b) = (dir.path("a"), dir.path("n.w2v"), dir.path("b"));
        emb.save(&a, format).unwrap();
        let loaded = Embeddings::load(&a).unwrap();
        loaded.save(&n, Format::Native).unwrap();
        let native = Embeddings::open(&n).unwrap();
        native.mapped().unwrap().verify().unwrap();
        native.save(&b, format).unwrap();
        let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(a == b, "{format:?}: differs after the round trip");
        // Native -> native is byte-exact too.
        let n2 = dir.path("n2.w2v");
        native.save(&n2, Format::Native).unwrap();
        assert!(std::fs::read(&n).unwrap() == std::fs::read(&n2).unwrap());
    }
}

#[test]
fn empty_and_tiny_models_round_trip() {
    let dir = TempDir::new();
    for v in [0usize, 1, 2] {
        let emb = model(v, 5, 4);
        let path = dir.path(&format!("m{v}.w2v"));
        emb.save(&path, Format::Native).unwrap();
        let m = Embeddings::open(&path).unwrap();
        m.mapped().unwrap().verify().unwrap();
        assert_same_model(&emb, &m, &format!("v={v}"));
        assert_eq!(m.is_empty(), v == 0);
        let q = [1.0, 0.5, 0.0, -1.0, 2.0];
        for kern in kernels_under_test() {
            let m = m.clone().with_kernels(kern);
            assert_eq!(m.nearest(&q, 3, None, &[]).unwrap().len(), v);
        }
        for format in [Format::Binary, Format::Text] {
            let file = dir.path(&format!("m{v}.{format:?}"));
            m.save(&file, format).unwrap();
            let back = Embeddings::load(&file);
            // The empty model's word2vec round trip is the next test.
            if v > 0 {
                assert_eq!(back.unwrap().len(), v, "{format:?}");
            }
        }
    }
}

// Regression test for a bug found by this test (fixed): the new guard `dim > data.len() || v >
// data.len()` rejects the file the writer makes for a model with no words,
// `0 5\n` (4 bytes, dimension 5): "header `0 5` does not fit in a file of 4
// bytes". The guard holds only when `v > 0`. Fails until it is limited to
// that case (or to `v * dim`).
#[test]
fn empty_model_word2vec_round_trip() {
    let dir = TempDir::new();
    let emb = model(0, 5, 4);
    for format in [Format::Binary, Format::Text] {
        let file = dir.path("m");
        emb.save(&file, format).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"0 5\n");
        let back = Embeddings::load(&file).unwrap();
        assert_eq!((back.len(), back.dim()), (0, 5), "{format:?}");
    }
    let back = parse_word2vec(b"0 300\n").unwrap();
    assert_eq!((back.len(), back.dim()), (0, 300));
}

#[test]
fn verify_detects_any_changed_section_byte_but_not_padding() {
    let emb = model(50, 12, 5);
    let good = native_bytes(&emb, true);
    let h = header_of(&good);
    let dir = TempDir::new();
    for (s, (a, b)) in section_ranges(&h).into_iter().enumerate() {
        for pos in [a, (a + b) / 2, b - 1] {
            let mut bytes = good.clone();
            bytes[pos] ^= 0x10;
            let m = open_bytes(&dir, &bytes).unwrap();
            let e = m.mapped().unwrap().verify().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format);
            let msg = e.to_string();
            assert!(
                msg.contains(SECTION_NAMES[s]) && msg.contains("checksum"),
                "section {}: {msg}",
                SECTION_NAMES[s]
            );
        }
    }
    let gaps = padding(&h, good.len());
    assert!(
        gaps.len() >= 2,
        "the test model should have padding: {gaps:?}"
    );
    for (a, b) in gaps {
        let mut bytes = good.clone();
        for byte in &mut bytes[a..b] {
            *byte = 0xa5;
        }
        let m = open_bytes(&dir, &bytes).unwrap();
        m.mapped().unwrap().verify().unwrap();
        assert_same_model(&emb, &m, "padding changed");
    }
}

// ----------------------------------------------------------- truncation

#[test]
fn truncation_at_every_section_boundary_is_an_error() {
    let dir = TempDir::new();
    for (emb, scan_copy) in [
        (model(1000, 40, 6), true),
        (model(1000, 40, 6), false),
        (model(0, 3, 6), true),
        (model(1, 3, 6), true),
    ] {
        let good = native_bytes(&emb, scan_copy);
        let h = open_bytes(&dir, &good)
            .unwrap()
            .mapped()
            .unwrap()
            .header()
            .to_owned();
        let mut cuts: Vec<usize> = (0..=HEADER_LEN).collect();
        for [off, len] in h.sections {
            for edge in [off, off + len] {
                let edge = edge as usize;
                cuts.extend([edge.saturating_sub(1), edge, edge + 1]);
            }
        }
        cuts.push(good.len() - 1);
        cuts.sort_unstable();
        cuts.dedup();
        cuts.retain(|&c| c < good.len());
        for cut in cuts {
            let what = format!("v={} scan_copy={scan_copy}: cut at {cut}", emb.len());
            let e = match open_bytes(&dir, &good[..cut]) {
                Ok(_) => panic!("{what}: opened"),
                Err(e) => e,
            };
            assert_eq!(e.kind(), ErrorKind::Format, "{what}: {e}");
            let msg = e.to_string();
            let expected = if cut < 8 { "magic" } else { "truncated" };
            assert!(msg.contains(expected), "{what}: {msg}");
            // `load` sniffs the format: a prefix of the magic is read as word2vec.
            assert!(
                Embeddings::load(&dir.path("x.w2v")).is_err(),
                "{what}: loaded"
            );
        }
    }
}

#[test]
fn truncation_at_every_byte_of_a_small_file_is_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(20, 7, 7), true);
    for cut in 0..good.len() {
        assert!(open_bytes(&dir, &good[..cut]).is_err(), "cut at {cut}");
    }
    // Trailing bytes after the last section are harmless.
    let mut longer = good.clone();
    longer.extend_from_slice(&[0xff; 100]);
    let m = open_bytes(&dir, &longer).unwrap();
    m.mapped().unwrap().verify().unwrap();
}

// ------------------------------------------------------------- bad headers

#[test]
fn wrong_magic_is_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 8), true);
    for i in 0..8 {
        for flip in [0x01, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[i] ^= flip;
            expect_err(
                &dir,
                &bytes,
                ErrorKind::Format,
                "magic",
                &format!("byte {i}"),
            );
        }
    }
    // Text-mode and 7-bit transfers.
    let mut crlf = good.clone();
    crlf[0] &= 0x7f;
    expect_err(&dir, &crlf, ErrorKind::Format, "magic", "7-bit");
    expect_err(&dir, b"", ErrorKind::Format, "magic", "empty file");
    expect_err(
        &dir,
        b"3 2\na 1 2\n",
        ErrorKind::Format,
        "magic",
        "word2vec text",
    );
}

#[test]
fn wrong_version_is_unsupported() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 9), true);
    for version in [0, 1, 3, 7, u32::MAX] {
        let mut bytes = good.clone();
        let mut h = header_of(&bytes);
        h.version = version;
        put_header(&mut bytes, h);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Unsupported,
            &format!("version {version}"),
            "version",
        );
    }
    // A version 1 file (184-byte header, half-precision scan copy) gets a
    // message that says what to do, even when shorter than this header.
    let mut v1 = good[..100].to_vec();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    expect_err(
        &dir,
        &v1,
        ErrorKind::Unsupported,
        "convert the original",
        "v1",
    );
}

#[test]
fn header_checksum_mismatch_is_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 10), true);
    // Every header byte after the version (which is checked first), up to
    // and including the checksum itself.
    for i in 12..HEADER_LEN - 4 {
        let mut bytes = good.clone();
        bytes[i] ^= 0x04;
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            "checksum",
            &format!("byte {i}"),
        );
    }
}

#[test]
fn unknown_flags_are_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 11), true);
    let h0 = header_of(&good);
    for bit in 2..32 {
        let mut bytes = good.clone();
        let mut h = h0;
        h.flags |= 1 << bit;
        put_header(&mut bytes, h);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            "flags",
            &format!("bit {bit}"),
        );
    }
    let mut bytes = good.clone();
    // The scan copy's residual: negative, infinite or NaN with the copy,
    // nonzero without it.
    for (flags, residual) in [
        (h0.flags, -1.0),
        (h0.flags, f32::INFINITY),
        (h0.flags, f32::NAN),
        (FLAG_NORMS, 0.5),
    ] {
        let mut h = h0;
        h.flags = flags;
        h.residual = residual;
        put_header(&mut bytes, h);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            "scan copy",
            &format!("residual {residual}"),
        );
    }
    // Flags that disagree with the sections' lengths.
    for flags in [0, FLAG_NORMS, FLAG_SCAN] {
        let mut h = h0;
        h.flags = flags;
        if flags & FLAG_SCAN == 0 {
            h.residual = 0.0;
        }
        put_header(&mut bytes, h);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            "bytes",
            &format!("flags {flags}"),
        );
    }
}

#[test]
fn bad_sizes_in_the_header_are_errors() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 12), true);
    let h0 = header_of(&good);
    let cases: [(u64, u64, &str); 8] = [
        (30, 0, "dimension 0 is out of range"),
        (31, 8, "bytes"),
        (29, 8, "bytes"),
        (30, 9, "bytes"),
        (0, 8, "bytes"),
        (u32::MAX as u64, 8, "out of range"),
        (u64::MAX, 8, "out of range"),
        (1 << 31, 1 << 40, "out of range"),
    ];
    for (vocab, dim, needle) in cases {
        let mut bytes = good.clone();
        let mut h = h0;
        (h.vocab, h.dim) = (vocab, dim);
        put_header(&mut bytes, h);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            needle,
            &format!("{vocab} x {dim}"),
        );
    }
}

#[test]
fn section_table_out_of_range_or_misaligned_is_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 13), true);
    let h0 = header_of(&good);
    let file_len = good.len() as u64;
    let mut checked = 0;
    for s in 0..7 {
        let [off, len] = h0.sections[s];
        let name = SECTION_NAMES[s];
        let mut cases: Vec<([u64; 2], &str)> = vec![
            ([file_len.next_multiple_of(64), len.max(1)], "past the end"),
            ([u64::MAX - 63, len.max(1)], "past the end"),
            ([off, u64::MAX], "past the end"),
            ([off, u64::MAX - off + 1], "past the end"),
            ([u64::MAX, u64::MAX], "past the end"),
            ([0, len], "overlaps"),
            ([(HEADER_LEN - 8) as u64, len], "overlaps"),
        ];
        if SECTION_ALIGN[s] > 1 {
            for d in [1, 2, 3, SECTION_ALIGN[s] / 2] {
                if d < SECTION_ALIGN[s] {
                    cases.push(([off + d, len], "misaligned"));
                }
            }
        } else {
            // `words` has no alignment and no fixed length: growing it runs
            // it into the next section.
            cases.push(([off, len + 64], "overlaps"));
        }
        if s > 0 {
            // Before the end of the previous section.
            let [poff, plen] = h0.sections[s - 1];
            let back = (poff + plen).saturating_sub(SECTION_ALIGN[s]);
            cases.push(([back - back % SECTION_ALIGN[s], len], "overlaps"));
        }
        if name != "words" {
            // Wrong lengths for V and D (kept inside the file).
            cases.push(([off, len + SECTION_ALIGN[s].max(4)], "bytes"));
            if len > 0 {
                cases.push(([off, len - 4], "bytes"));
                cases.push(([off, 0], "bytes"));
            }
        }
        for (sec, needle) in cases {
            let mut bytes = good.clone();
            let mut h = h0;
            h.sections[s] = sec;
            put_header(&mut bytes, h);
            let what = format!("section {name} = {sec:?}");
            let e = match open_bytes(&dir, &bytes) {
                Ok(_) => panic!("{what}: opened"),
                Err(e) => e,
            };
            let msg = e.to_string();
            assert_eq!(e.kind(), ErrorKind::Format, "{what}: {msg}");
            // A section moved or resized may trip a later section's check
            // first; whichever is hit, the message says what is wrong.
            assert!(
                msg.contains(needle)
                    || msg.contains("overlaps")
                    || msg.contains("past the end")
                    || msg.contains("bytes"),
                "{what}: {msg}"
            );
            if msg.contains(needle) {
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} cases hit their own check");
}

// ---------------------------------------------------------- random flips

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
    let h = header_of(bytes);
    let mut r = vec![(0, HEADER_LEN), (0, bytes.len())];
    r.extend(section_ranges(&h).into_iter().filter(|(a, b)| a < b));
    r.extend(padding(&h, bytes.len()));
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
        let h = header_of(good);
        let regions = regions(good);
        let mut bytes = good.clone();
        for &(region, at, xor) in &flips {
            let (a, b) = regions[region as usize % regions.len()];
            bytes[a + (at % (b - a) as u64) as usize] ^= xor;
        }
        // Flips may cancel: judge by what actually changed.
        let changed: Vec<usize> = (0..good.len()).filter(|&i| good[i] != bytes[i]).collect();
        let in_header = changed.iter().any(|&i| i < HEADER_LEN);
        let in_section = changed
            .iter()
            .any(|&i| section_ranges(&h).iter().any(|&(a, b)| (a..b).contains(&i)));
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
        if let Ok(emb) = parse_word2vec(&bytes) {
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

// -------------------------------------------------------------- word2vec

/// A small word2vec file (binary or text) of 12 words x 6.
fn w2v_bytes(text: bool) -> &'static [u8] {
    static F: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    &F.get_or_init(|| {
        let emb = model(12, 6, 15);
        let dir = TempDir::new();
        let read = |format| {
            let path = dir.path("m");
            emb.save(&path, format).unwrap();
            std::fs::read(&path).unwrap()
        };
        [read(Format::Binary), read(Format::Text)]
    })[usize::from(text)]
}

fn parse_err(bytes: &[u8], what: &str) -> String {
    match parse_word2vec(bytes) {
        Ok(e) => panic!("{what}: parsed {} words x {}", e.len(), e.dim()),
        Err(e) => e,
    }
}

#[test]
fn word2vec_good_files_parse() {
    for text in [false, true] {
        let emb = parse_word2vec(w2v_bytes(text)).unwrap();
        assert_eq!((emb.len(), emb.dim()), (12, 6));
        assert_eq!(emb.word(1), Some("日本語"));
    }
    // Binary without the newline after each row (gensim, GoogleNews).
    let mut b = b"2 2\n".to_vec();
    for (w, x) in [("a", [1.0f32, 2.0]), ("b", [3.0, 4.0])] {
        b.extend_from_slice(w.as_bytes());
        b.push(b' ');
        for v in x {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    let emb = parse_word2vec(&b).unwrap();
    assert_eq!(emb.row(1), &[3.0, 4.0]);
}

/// Files larger than the reader's 64 KiB buffer, so that words, vectors and
/// text rows straddle buffer boundaries: reading the file gives what parsing
/// its bytes gives, and the saved vectors (bit for bit from binary).
#[test]
fn word2vec_files_are_streamed_across_buffer_boundaries() {
    let emb = model(3001, 37, 16);
    let dir = TempDir::new();
    for format in [Format::Binary, Format::Text] {
        let path = dir.path("big");
        emb.save(&path, format).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 4 * 65536, "{format:?}: {} bytes", bytes.len());
        let read = w2v::io::read_word2vec(&path).unwrap();
        let parsed = parse_word2vec(&bytes).unwrap();
        assert_same_model(&read, &parsed, &format!("{format:?}"));
        assert_eq!((read.len(), read.dim()), (3001, 37));
        for i in 0..emb.len() {
            assert_eq!(read.word(i), emb.word(i));
            for (a, b) in read.row(i).iter().zip(emb.row(i)) {
                match format {
                    Format::Binary => assert_eq!(a.to_bits(), b.to_bits(), "row {i}"),
                    _ => assert!((a - b).abs() <= 5.5e-7, "row {i}: {a} vs {b}"),
                }
            }
        }
        // Cut inside the last row (for text, values short of the row's 37:
        // a cut number is still a number): an error naming it, from the file too.
        let cut = if format == Format::Binary { 9 } else { 200 };
        std::fs::write(&path, &bytes[..bytes.len() - cut]).unwrap();
        let Err(e) = w2v::io::read_word2vec(&path) else {
            panic!("{format:?}: a file cut by {cut} bytes was read");
        };
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        assert!(e.to_string().contains("row 3001"), "{format:?}: {e}");
    }
}

#[test]
fn word2vec_truncated_at_any_offset_is_an_error() {
    // Binary: every proper prefix but the one without the last newline.
    let bin = w2v_bytes(false);
    for cut in 0..bin.len() - 1 {
        parse_err(&bin[..cut], &format!("binary cut at {cut}"));
    }
    assert!(parse_word2vec(&bin[..bin.len() - 1]).is_ok());
    // Text: every prefix that ends before the last row's last value
    // begins. After that a prefix is a shorter number ("0.12" of
    // "0.123456"), which no reader can tell from a complete one: it must
    // just not panic.
    let text = w2v_bytes(true);
    let trimmed = text.trim_ascii_end();
    let last_value = trimmed.iter().rposition(|&b| b == b' ').unwrap() + 1;
    for cut in 0..last_value {
        parse_err(&text[..cut], &format!("text cut at {cut}"));
    }
    for cut in last_value..text.len() {
        if let Ok(emb) = parse_word2vec(&text[..cut]) {
            assert_eq!((emb.len(), emb.dim()), (12, 6), "text cut at {cut}");
        }
    }
}

#[test]
fn word2vec_bad_headers_are_errors() {
    let cases: [&[u8]; 19] = [
        b"",
        b"abc",
        b"abc\n",
        b"3",
        b"3\n",
        b"3\nw 1 2 3\n",
        b"-1 5\nw 1 2 3 4 5\n",
        b"2 -5\nw 1 2 3 4 5\n",
        b"2 0\na \nb \n",
        b"0 0\n",
        b"1 2 3\na 1 2\n",
        b"1 2x\na 1 2\n",
        b"\n",
        b" \n",
        b"\xff\xfe 3\n",
        b"99999999999 300\nw 1 2\n",
        b"18446744073709551615 300\nw 1 2\n",
        b"18446744073709551616 3\nw 1 2 3\n",
        b"1 18446744073709551616\nw 1 2 3\n",
    ];
    for bytes in cases {
        parse_err(bytes, &format!("{:?}", String::from_utf8_lossy(bytes)));
    }
}

// Regression test for a bug found by this test (fixed) (src/io.rs, parse_word2vec): a huge
// dimension in the header makes `4 * dim` and `2 * dim + 1` overflow
// (wrapping in release builds, panicking in debug builds); the wrapped row
// size passes the size check, and `Vec::with_capacity(v * dim)` then panics
// with "capacity overflow". The uncommitted guard `dim > data.len()` in
// src/io.rs fixes it: with it this test passes.
#[test]
fn word2vec_huge_dimension_is_an_error_not_a_panic() {
    for header in [
        "1 4611686018427387904",  // 2^62: 4 * dim wraps to 0
        "1 9223372036854775808",  // 2^63
        "1 4611686018427387905",  // 2^62 + 1: 4 * dim wraps to 4
        "1 18446744073709551615", // usize::MAX
        "1 2305843009213693952",  // 2^61: 4 * dim fits, v * dim does not fit in bytes
    ] {
        for body in ["w abcd\n", "w 1.0 2.0\n"] {
            let bytes = format!("{header}\n{body}");
            parse_err(bytes.as_bytes(), &bytes);
        }
    }
}

#[test]
fn word2vec_invalid_utf8_words_are_errors() {
    let mut bin = b"2 2\nok ".to_vec();
    bin.extend_from_slice(&[0; 8]);
    bin.extend_from_slice(b"\n\xff\xfe ");
    bin.extend_from_slice(&[0; 8]);
    bin.push(b'\n');
    let e = parse_err(&bin, "binary");
    assert!(e.contains("UTF-8") && e.contains("row 2"), "{e}");
    let e = parse_err(b"2 2\nok 1.0 2.0\nb\xc3( 3.0 4.0\n", "text");
    assert!(e.contains("UTF-8") && e.contains("row 2"), "{e}");
    // A non-UTF-8 byte inside a text row's values.
    parse_err(b"2 2\nok 1.0 2.0\nb 3.0 4\xff\n", "text value");
}

#[test]
fn word2vec_wrong_value_counts_are_errors() {
    // Values as word2vec.c writes them (`%lf`), so that the format probe
    // (the first 4 x D bytes after the first word) stays in the first row.
    for (bytes, needle) in [
        (
            &b"2 3\na 1.000000 2.000000 3.000000 \nb 1.000000 2.000000 \n"[..],
            "row 2: 2 values, expected 3",
        ),
        (
            b"2 3\na 1.000000 2.000000 3.000000 \nb 1.000000 2.000000 3.000000 4.000000 \n",
            "row 2: 4 values",
        ),
        (
            b"2 3\na 1.000000 2.000000 \nb 1.000000 2.000000 3.000000 \n",
            "row 1: 2 values",
        ),
        (
            b"2 3\na 1.000000 2.000000 3.000000 4.000000 \nb 1.000000 2.000000 3.000000 \n",
            "row 1: 4 values",
        ),
        (
            b"2 3\na 1.000000 2.000000 3.000000 \nb\n                  \n",
            "row 2",
        ),
        (b"3 2\na 1.000000 2.000000 \nb 1.000000 2.000000 \n", ""),
        (
            b"2 3\na 1.000000 2.000000 3.000000 \nb 1.000000 x 3.000000 \n",
            "row 2: bad number",
        ),
        (
            b"2 3\na 1.000000 2.000000 3.000000 \nb 1.000000 2.000000 3.0e \n",
            "row 2: bad number",
        ),
    ] {
        let e = parse_err(bytes, &String::from_utf8_lossy(bytes));
        assert!(e.contains(needle), "{e}");
    }
}

#[test]
fn word2vec_duplicate_words_are_errors() {
    let e = parse_err(
        b"3 2\na 1.000000 2.000000 \nb 3.000000 4.000000 \na 5.000000 6.000000 \n",
        "text",
    );
    assert!(e.contains("twice"), "{e}");
    let mut bin = b"2 1\n".to_vec();
    for _ in 0..2 {
        bin.extend_from_slice(b"same ");
        bin.extend_from_slice(&1.0f32.to_le_bytes());
        bin.push(b'\n');
    }
    let e = parse_err(&bin, "binary");
    assert!(e.contains("twice"), "{e}");
}

// Regression test for a bug found by this test (fixed) (src/io.rs, parse_word2vec): the text/binary probe reads 4 x D
// bytes after the first word, across the end of the first row. With short
// values ("1 2", as gensim or hand-written files have) it reaches the next
// row's word, decides "binary", and a valid text file is rejected ("2 words x
// 2 floats do not fit in 12 bytes: truncated?"). The module documentation
// says the format is detected from the first row. This test fails until the
// probe stops at the end of the first row.
#[test]
fn word2vec_text_with_short_values_parses() {
    let emb = parse_word2vec(b"2 2\na 1 2\nb 3 4\n").unwrap();
    assert_eq!(emb.row(1), &[3.0, 4.0]);
    let e = parse_err(b"3 2\na 1 2\nb 3 4\na 5 6\n", "short values, duplicate");
    assert!(e.contains("twice"), "{e}");
}

#[test]
fn word2vec_read_errors_name_the_file() {
    let dir = TempDir::new();
    let path = dir.path("bad.txt");
    std::fs::write(&path, b"2 2\na 1 2\n").unwrap();
    for e in [
        w2v::io::read_word2vec(&path).unwrap_err(),
        Embeddings::load(&path).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().contains("bad.txt"), "{e}");
    }
    std::fs::write(&path, b"").unwrap();
    assert!(Embeddings::load(&path).is_err());
}

// Regression test for a bug found by this test (fixed) (src/native.rs `MappedModel::from_map`, src/query.rs
// `mean_vector`): a model with no words takes any dimension, since every
// section size is 0 x D. A native header (with a correct checksum) of 0
// words x `u64::MAX` opens, and `mean_vector` panics ("capacity overflow":
// it allocates `dim` floats before looking at the words). In debug builds
// `MappedModel::open` itself panicked first: the then half-precision copy's row length
// (`next_multiple_of(16)`) overflowed for `dim > usize::MAX - 15`. (The
// word2vec header `0 4611686018427387904` did the same at 897f848; the
// uncommitted guard in src/io.rs now rejects it.) This test fails until
// such a dimension is rejected on open (or nothing allocates `dim` floats
// up front).
#[test]
fn zero_words_with_an_absurd_dimension_is_an_error_or_harmless() {
    fn harmless(emb: &Embeddings, what: &str) {
        assert_eq!(emb.len(), 0, "{what}");
        let _ = emb.nearest(&[], 3, None, &[]);
        assert!(emb.most_similar(&["a"], &[], 3, None).is_err(), "{what}");
        let e = emb.mean_vector(&["a"], None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{what}");
    }
    let dir = TempDir::new();
    let good = native_bytes(&model(0, 3, 16), true);
    for dim in [u64::MAX, 1u64 << 62, u64::MAX - 15] {
        let mut bytes = good.clone();
        let mut h = header_of(&bytes);
        h.dim = dim;
        put_header(&mut bytes, h);
        if let Ok(emb) = open_bytes(&dir, &bytes) {
            harmless(&emb, &format!("native, dim {dim}"));
        }
        let text = format!("0 {dim}\n");
        if let Ok(emb) = parse_word2vec(text.as_bytes()) {
            harmless(&emb, &format!("word2vec, dim {dim}"));
        }
    }
}
