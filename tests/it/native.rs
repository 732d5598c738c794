//! The native format on good input: files round-trip exactly, a changed
//! section byte is found by `verify`, and a later build's optional section
//! is skipped. Bad files are in `native_bad.rs`, random byte flips in
//! `native_flips.rs`, the word2vec reader in `word2vec.rs`; all use the
//! helpers here.

use crate::common::{TempDir, floats};
use w2v::format::native::{MAGIC, META, Meta, VERSION};
use w2v::format::sections::{Entry, header_len, patch};
use w2v::{Embeddings, ErrorKind, Format, Kernels, Level};

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

/// The section table of a native file.
pub fn table_of(bytes: &[u8]) -> Vec<Entry> {
    patch::entries(bytes)
}

/// The size of a native file's header (its table included).
pub fn header_len_of(bytes: &[u8]) -> usize {
    header_len(patch::count(bytes))
}

/// The `meta` record of a native file.
pub fn meta_of(bytes: &[u8]) -> Meta {
    let e = table_of(bytes).into_iter().find(|e| e.tag == META).unwrap();
    let (a, b) = e.range();
    bytemuck::pod_read_unaligned(&bytes[a..b])
}

/// Write `m` as the `meta` record, with right checksums, so that the check
/// after the checksums is the one a test reaches.
pub fn put_meta(bytes: &mut [u8], m: Meta) {
    patch::edit_section(bytes, META, |b| b.copy_from_slice(bytemuck::bytes_of(&m)));
}

/// `[start, end)` of each section of a good file, by name.
pub fn section_ranges(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    table_of(bytes)
        .iter()
        .map(|e| (e.name(), e.range().0, e.range().1))
        .collect()
}

/// The bytes that opening a file reads: the header and the `meta` record.
pub fn read_on_open(bytes: &[u8]) -> Vec<(usize, usize)> {
    let meta = table_of(bytes).into_iter().find(|e| e.tag == META).unwrap();
    vec![(0, header_len_of(bytes)), meta.range()]
}

/// The padding bytes of a good file: in neither the header nor a section.
pub fn padding(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut gaps = Vec::new();
    let mut pos = header_len_of(bytes);
    for (_, a, b) in section_ranges(bytes) {
        if a > pos {
            gaps.push((pos, a));
        }
        pos = pos.max(b);
    }
    if bytes.len() > pos {
        gaps.push((pos, bytes.len()));
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

pub fn expect_err(dir: &TempDir, bytes: &[u8], kind: ErrorKind, needle: &str, what: &str) {
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
            mapped.meta().residual,
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
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes[..8], MAGIC);
        assert_eq!(mapped.table().version(), VERSION);
        let names: Vec<String> = mapped.table().entries().iter().map(Entry::name).collect();
        let mut want = vec!["meta", "ends", "words", "counts", "hash", "matrix", "norms"];
        if scan_copy {
            want.extend(["scan8", "scales"]);
        }
        assert_eq!(names, want);
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
    let dir = TempDir::new();
    for (name, a, b) in section_ranges(&good) {
        for pos in [a, (a + b) / 2, b - 1] {
            let mut bytes = good.clone();
            bytes[pos] ^= 0x10;
            let e = match open_bytes(&dir, &bytes) {
                // `meta` is read, and its checksum checked, on open.
                Err(e) if name == "meta" => e,
                Err(e) => panic!("section {name}: {e}"),
                Ok(m) => m.mapped().unwrap().verify().unwrap_err(),
            };
            assert_eq!(e.kind(), ErrorKind::Format);
            let msg = e.to_string();
            assert!(
                msg.contains(&format!("`{name}` checksum")),
                "section {name}: {msg}"
            );
        }
    }
    let gaps = padding(&good);
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

// ------------------------------------------------ the container's promises

#[test]
fn a_later_files_optional_section_is_skipped_and_a_required_one_refused() {
    use w2v::format::native::SCHEMA;
    use w2v::format::sections::{REQUIRED, Writer, tag};
    let dir = TempDir::new();
    let emb = model(40, 6, 14);
    let good = native_bytes(&emb, true);
    // The same sections written again, with one a later build might add.
    let write = |flags: u32| {
        let mut w = Writer::new(&SCHEMA);
        let extra = vec![0x5au8; 1000];
        for e in table_of(&good) {
            let (a, b) = e.range();
            w.add(e.tag, &good[a..b]);
            if e.tag == tag("matrix") {
                w.add_section(tag("ivfpq"), flags, 64, &extra);
            }
        }
        let path = dir.path("later.w2v");
        w.write(&path).unwrap();
        path
    };
    let m = Embeddings::open(&write(0)).unwrap();
    m.mapped().unwrap().verify().unwrap();
    assert_same_model(&emb, &m, "with an unknown optional section");
    let names: Vec<String> = m
        .mapped()
        .unwrap()
        .table()
        .entries()
        .iter()
        .map(Entry::name)
        .collect();
    assert!(names.contains(&"ivfpq".to_string()), "{names:?}");
    let q = emb.row(3).to_vec();
    assert_eq!(
        emb.nearest(&q, 5, None, &[]).unwrap(),
        m.nearest(&q, 5, None, &[]).unwrap()
    );
    let e = Embeddings::open(&write(REQUIRED)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("section `ivfpq` is required"), "{e}");
}
