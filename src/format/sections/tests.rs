use super::*;

static TEST: Schema = Schema {
    what: "test file",
    magic: *b"\x93W2VTST\n",
    version: 5,
    reads: "4 or 5",
    sections: &[
        Known::required("meta", 8),
        Known::required("words", 1),
        Known::optional("rows", 64),
    ],
};

fn write_file(dir: &Path, w: &Writer<'_>) -> Vec<u8> {
    let path = dir.join("t.bin");
    w.write(&path).unwrap();
    std::fs::read(&path).unwrap()
}

/// A file with the three known sections and one unknown optional one.
fn sample(dir: &Path) -> Vec<u8> {
    let rows = [1.5f32; 20];
    let mut w = Writer::new(&TEST);
    w.add(tag("meta"), &[7; 16])
        .add(tag("words"), b"abc")
        .add_section(tag("later"), 0, 16, b"ignored by this build")
        .add(tag("rows"), bytemuck::cast_slice(&rows));
    write_file(dir, &w)
}

fn parse(bytes: &[u8]) -> Result<Table> {
    let head = &bytes[..bytes.len().min(MAX_HEADER_LEN)];
    Table::parse(&TEST, head, bytes.len() as u64)
}

/// `bytes` with its header checksum made right again after an edit.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let at = header_len(n) - TRAILER_LEN;
    let crc = crc32fast::hash(&bytes[..at]);
    bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    bytes
}

fn entry_at(i: usize) -> usize {
    PRELUDE_LEN + i * std::mem::size_of::<Entry>()
}

fn edit_entry(bytes: &[u8], i: usize, f: impl FnOnce(&mut Entry)) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let at = entry_at(i);
    let mut e: Entry = bytemuck::pod_read_unaligned(&b[at..at + 32]);
    f(&mut e);
    b[at..at + 32].copy_from_slice(bytemuck::bytes_of(&e));
    reseal(b)
}

fn err(bytes: &[u8]) -> Error {
    parse(bytes).expect_err("parsed")
}

#[test]
fn sections_round_trip_aligned_and_an_unknown_optional_one_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample(dir.path());
    let t = parse(&bytes).unwrap();
    assert_eq!(t.version(), 5);
    assert_eq!(t.header_len(), header_len(4));
    let names: Vec<String> = t.entries().iter().map(Entry::name).collect();
    assert_eq!(names, ["meta", "words", "later", "rows"]);
    let slice = |name| {
        let (a, b) = t.range(tag(name)).unwrap();
        &bytes[a..b]
    };
    assert_eq!(slice("meta"), [7; 16]);
    assert_eq!(slice("words"), b"abc");
    assert_eq!(slice("later"), b"ignored by this build");
    assert_eq!(t.get(tag("rows")).unwrap().offset % 64, 0);
    assert_eq!(t.get(tag("later")).unwrap().offset % 16, 0);
    let floats: Vec<f32> = slice("rows")
        .chunks_exact(4)
        .map(bytemuck::pod_read_unaligned)
        .collect();
    assert_eq!(floats, [1.5; 20]);
    assert_eq!(t.get(tag("meta")).unwrap().flags, REQUIRED);
    assert_eq!(t.get(tag("rows")).unwrap().flags, 0);
    t.verify(&bytes).unwrap();
    // Read back through a file.
    let mut f = File::open(dir.path().join("t.bin")).unwrap();
    let rows: Vec<f32> = t.read_vec(&mut f, tag("rows")).unwrap();
    assert_eq!(rows, [1.5; 20]);
    let meta: [u8; 16] = t.read_record(&mut f, tag("meta"), None).unwrap();
    assert_eq!(meta, [7; 16]);
    let short: [u8; 32] = t.read_record(&mut f, tag("meta"), Some(16)).unwrap();
    assert_eq!(short[..16], [7; 16]);
    assert_eq!(short[16..], [0; 16]);
    assert!(t.read_record::<[u8; 8]>(&mut f, tag("meta"), None).is_err());
    assert!(
        t.read_vec::<u64>(&mut f, tag("words")).is_err(),
        "3 bytes are no u64"
    );
    // An optional section may be absent.
    let mut w = Writer::new(&TEST);
    w.add(tag("meta"), b"").add(tag("words"), b"");
    let t = parse(&write_file(dir.path(), &w)).unwrap();
    assert_eq!(t.range(tag("rows")), None);
    assert_eq!(t.len_of(tag("rows")), 0);
}

#[test]
fn an_unknown_required_section_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::new(&TEST);
    w.add(tag("meta"), b"m")
        .add(tag("words"), b"w")
        .add_section(tag("buckets"), REQUIRED, 8, b"1234");
    let e = err(&write_file(dir.path(), &w));
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("`buckets` is required"), "{e}");
}

#[test]
fn a_missing_required_section_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::new(&TEST);
    w.add(tag("meta"), b"m");
    let e = err(&write_file(dir.path(), &w));
    assert_eq!(e.kind(), ErrorKind::Format);
    assert!(e.to_string().contains("section `words` is missing"), "{e}");
}

#[test]
fn magic_version_and_count_are_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample(dir.path());
    for i in 0..8 {
        let mut b = good.clone();
        b[i] ^= 0x80;
        assert!(err(&b).to_string().contains("wrong magic"), "byte {i}");
    }
    let mut b = good.clone();
    b[8] = 6;
    let e = err(&b);
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string()
            .contains("version 6 (this build reads version 4 or 5)"),
        "{e}"
    );
    let mut b = good.clone();
    b[12..16].copy_from_slice(&65u32.to_le_bytes());
    assert!(err(&b).to_string().contains("65 sections"), "{}", err(&b));
    let mut b = good.clone();
    b[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(err(&b).to_string().contains("at most 64"));
}

#[test]
fn every_truncation_before_the_last_section_ends_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample(dir.path());
    let end = parse(&good).unwrap().entries().last().unwrap().range().1;
    assert_eq!(end, good.len());
    for cut in 0..end {
        let e = err(&good[..cut]);
        assert_eq!(e.kind(), ErrorKind::Format, "cut {cut}: {e}");
        let want = if cut < 8 {
            "too short for the magic"
        } else {
            "truncated"
        };
        assert!(e.to_string().contains(want), "cut {cut}: {e}");
    }
    // Bytes after the last section are ignored.
    let mut longer = good.clone();
    longer.extend_from_slice(&[0xee; 10]);
    parse(&longer).unwrap().verify(&longer).unwrap();
}

#[test]
fn every_flipped_bit_of_the_header_and_every_flipped_section_byte_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample(dir.path());
    let t = parse(&good).unwrap();
    for i in 0..t.header_len() {
        for bit in 0..8 {
            let mut b = good.clone();
            b[i] ^= 1 << bit;
            assert!(parse(&b).is_err(), "byte {i} bit {bit}");
        }
    }
    for e in t.entries() {
        let (a, b) = e.range();
        for i in a..b {
            let mut bytes = good.clone();
            bytes[i] ^= 0x10;
            let table = parse(&bytes).unwrap();
            let msg = table.verify(&bytes).unwrap_err().to_string();
            assert!(msg.contains(&format!("`{}` checksum", e.name())), "{msg}");
        }
    }
}

#[test]
fn entries_out_of_place_are_errors_that_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample(dir.path());
    let t = parse(&good).unwrap();
    let len = good.len() as u64;
    let rows = t.get(tag("rows")).copied().unwrap();
    type Edit = Box<dyn Fn(&mut Entry)>;
    let cases: Vec<(usize, Edit, &str)> = vec![
        (3, Box::new(move |e| e.offset = len), "past the end"),
        (3, Box::new(|e| e.length = u64::MAX), "past the end"),
        (3, Box::new(|e| e.offset = u64::MAX - 63), "past the end"),
        (
            3,
            Box::new(|e| (e.offset, e.length) = (e.offset + 4, e.length - 4)),
            "misaligned",
        ),
        (
            3,
            Box::new(move |e| e.offset = rows.offset - 64),
            "overlaps",
        ),
        (0, Box::new(|e| e.offset = 0), "overlaps"),
        (1, Box::new(|e| e.length += 64), "overlaps"),
        (2, Box::new(|e| e.tag = tag("words")), "repeated"),
        (2, Box::new(|e| e.tag = *b"a\0b\0\0\0\0\0"), "malformed"),
        (2, Box::new(|e| e.tag = [0; 8]), "malformed"),
        (2, Box::new(|e| e.tag = *b"caf\xc3\xa9\0\0\0"), "malformed"),
        (2, Box::new(|e| e.flags = 2), "unknown flags"),
    ];
    for (i, edit, needle) in cases {
        let bytes = edit_entry(&good, i, edit);
        let e = err(&bytes);
        assert!(
            e.to_string().contains(needle),
            "entry {i}: {e} (wanted {needle})"
        );
    }
    // The zero word after the checksum is checked.
    let mut b = good.clone();
    let at = t.header_len() - 4;
    b[at] = 1;
    assert!(err(&b).to_string().contains("checksum"));
}

#[test]
fn expect_len_names_the_section_and_the_need() {
    let dir = tempfile::tempdir().unwrap();
    let t = parse(&sample(dir.path())).unwrap();
    t.expect_len(tag("words"), Some(3), "x").unwrap();
    let e = t.expect_len(tag("words"), Some(4), "2 words").unwrap_err();
    assert_eq!(e.to_string(), "section `words` has 3 bytes, 2 words need 4");
    let e = t.expect_len(tag("rows"), None, "2^70 rows").unwrap_err();
    assert!(e.to_string().contains("need another size"), "{e}");
}

#[test]
fn tags_are_short_ascii_names() {
    assert_eq!(tag("meta"), *b"meta\0\0\0\0");
    assert_eq!(tag_name(&tag("scan8")), "scan8");
    assert!(well_formed(&tag("syn0")));
    assert!(!well_formed(b"meta\0x\0\0"));
    assert_eq!(tag_name(b"\xff\x01ab\0\0\0\0"), "??ab");
}

#[test]
fn a_writer_refuses_more_sections_than_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::new(&TEST);
    let names: Vec<String> = (0..=MAX_SECTIONS).map(|i| format!("s{i}")).collect();
    for n in &names {
        let mut t = [0u8; 8];
        t[..n.len()].copy_from_slice(n.as_bytes());
        w.add_section(t, 0, 1, b"");
    }
    let path = dir.path().join("many.bin");
    assert!(w.write(&path).is_err());
    assert!(!path.exists());
}
