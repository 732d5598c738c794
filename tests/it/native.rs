//! The native format on good and bad input.
//!
//! Good files round-trip exactly. Bad files (truncated at every section
//! boundary, wrong magic, version, flags or section table) give an error,
//! never a panic or an out-of-bounds read. Random byte flips are in
//! `native_flips.rs`, the word2vec reader in `word2vec.rs`; both use the
//! helpers here.

use crate::common::{TempDir, floats};
use w2v::format::native::{FLAG_NORMS, FLAG_SCAN, HEADER_LEN, Header, MAGIC, VERSION};
use w2v::{Embeddings, ErrorKind, Format, Kernels, Level};

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

/// Words of assorted lengths, some multi-byte, so that the `words` section
/// has an odd length and padding follows it.
pub fn words(v: usize) -> Vec<String> {
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
pub fn model(v: usize, dim: usize, seed: u64) -> Embeddings {
    let words = words(v).into_iter().map(String::into_boxed_str).collect();
    let counts = (0..v as u64).map(|i| 1000 - i).collect();
    let mut data = floats(v * dim, seed);
    if v > 2 {
        data[2 * dim..3 * dim].fill(0.0);
    }
    Embeddings::new(words, counts, dim, data).unwrap()
}

pub fn header_of(bytes: &[u8]) -> Header {
    bytemuck::pod_read_unaligned(&bytes[..HEADER_LEN])
}

/// Write `h` into `bytes` with a correct header checksum, so that the check
/// after the checksum is the one a test reaches.
pub fn put_header(bytes: &mut [u8], mut h: Header) {
    h.header_crc = crc32fast::hash(&bytemuck::bytes_of(&h)[..HEADER_LEN - 4]);
    bytes[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&h));
}

/// `[start, end)` of each section of a good file.
pub fn section_ranges(h: &Header) -> [(usize, usize); 8] {
    h.sections
        .map(|[off, len]| (off as usize, off as usize + len as usize))
}

/// The padding bytes of a good file: in neither the header nor a section.
pub fn padding(h: &Header, file_len: usize) -> Vec<(usize, usize)> {
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
pub fn native_bytes(emb: &Embeddings, scan_copy: bool) -> Vec<u8> {
    let dir = TempDir::new();
    let path = dir.path("m.w2v");
    emb.save_with(&path, Format::Native, scan_copy).unwrap();
    std::fs::read(&path).unwrap()
}

/// Write `bytes` to a file and open it as a native model.
pub fn open_bytes(dir: &TempDir, bytes: &[u8]) -> w2v::Result<Embeddings> {
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

pub fn kernels_under_test() -> Vec<Kernels> {
    // The byte kernels of two levels: the compiler-vectorised one and the
    // default (where it is avx2) one.
    let mut ks = vec![Kernels::new(Level::Portable).unwrap(), Kernels::best()];
    ks.dedup_by_key(|k| k.level());
    ks
}

pub fn assert_same_model(a: &Embeddings, b: &Embeddings, what: &str) {
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

// Regression: a size guard on the word2vec header once rejected the file the
// writer makes for a model with no words, `0 5\n` (4 bytes, dimension 5).
// The reader now bounds the word count, not the dimension, by the file size.
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
    let back = Embeddings::parse_word2vec(b"0 300\n").unwrap();
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
