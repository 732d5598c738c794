//! Bad native files: truncated at every section boundary, a wrong magic,
//! version or checksum, a `meta` record out of range or against the
//! sections, a section table out of range or misaligned. Each gives an
//! error naming what is wrong, never a panic or an out-of-bounds read.

use crate::common::TempDir;
use crate::native::{
    expect_err, header_len_of, meta_of, model, native_bytes, open_bytes, put_meta, section_ranges,
    table_of,
};
use w2v::format::native::{Meta, SCALES, SCAN8};
use w2v::format::sections::{Entry, patch};
use w2v::{Embeddings, ErrorKind};

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
        let mut cuts: Vec<usize> = (0..=header_len_of(&good)).collect();
        for (_, a, b) in section_ranges(&good) {
            for edge in [a, b] {
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
    for version in [0, 1, 4, 7, u32::MAX] {
        let mut bytes = good.clone();
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        patch::reseal(&mut bytes);
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
    // Every byte of the table, its checksum and the zero word after it.
    for i in 16..header_len_of(&good) {
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
fn meta_out_of_range_or_against_the_sections_is_an_error() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 11), true);
    let plain = native_bytes(&model(30, 8, 11), false);
    let m0 = meta_of(&good);
    // The scan copy's residual: negative, infinite or NaN with the copy,
    // nonzero without it; a reserved field that is not zero.
    let cases: [(&[u8], Meta, &str); 5] = [
        (
            &good,
            Meta {
                residual: -1.0,
                ..m0
            },
            "scan copy",
        ),
        (
            &good,
            Meta {
                residual: f32::INFINITY,
                ..m0
            },
            "scan copy",
        ),
        (
            &good,
            Meta {
                residual: f32::NAN,
                ..m0
            },
            "scan copy",
        ),
        (
            &plain,
            Meta {
                residual: 0.5,
                ..m0
            },
            "scan copy",
        ),
        (&good, Meta { reserved: 1, ..m0 }, "out of range"),
    ];
    for (file, m, needle) in cases {
        let mut bytes = file.to_vec();
        put_meta(&mut bytes, m);
        expect_err(&dir, &bytes, ErrorKind::Format, needle, &format!("{m:?}"));
    }
    // The scan copy's two sections come together.
    for lone in [SCAN8, SCALES] {
        let mut entries = table_of(&good);
        let other = if lone == SCAN8 { SCALES } else { SCAN8 };
        entries.iter_mut().find(|e| e.tag == other).unwrap().tag = *b"later\0\0\0";
        let mut bytes = good.clone();
        patch::set_entries(&mut bytes, &entries);
        expect_err(
            &dir,
            &bytes,
            ErrorKind::Format,
            "both `scan8` and `scales`",
            "lone",
        );
    }
}

#[test]
fn bad_sizes_in_meta_are_errors() {
    let dir = TempDir::new();
    let good = native_bytes(&model(30, 8, 12), true);
    let m0 = meta_of(&good);
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
        put_meta(&mut bytes, Meta { vocab, dim, ..m0 });
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
    let t0 = table_of(&good);
    let file_len = good.len() as u64;
    let align = |name: &str| -> u64 {
        match name {
            "words" => 1,
            "hash" | "norms" | "scales" => 4,
            "matrix" | "scan8" => 64,
            _ => 8,
        }
    };
    let mut checked = 0;
    for s in 0..t0.len() - 1 {
        let Entry {
            offset: off,
            length: len,
            ..
        } = t0[s];
        let name = t0[s].name();
        let a = align(&name);
        let mut cases: Vec<([u64; 2], &str)> = vec![
            ([file_len.next_multiple_of(64), len.max(1)], "past the end"),
            ([u64::MAX - 63, len.max(1)], "past the end"),
            ([off, u64::MAX], "past the end"),
            ([off, u64::MAX - off + 1], "past the end"),
            ([u64::MAX, u64::MAX], "past the end"),
            ([0, len], "overlaps"),
            ([(header_len_of(&good) - 8) as u64, len], "overlaps"),
        ];
        if a > 1 {
            for d in [1, 2, 3, a / 2] {
                if d < a {
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
            let prev = t0[s - 1];
            let back = (prev.offset + prev.length).saturating_sub(a);
            cases.push(([back - back % a, len], "overlaps"));
        }
        if name != "words" {
            // Wrong lengths for V and D (kept inside the file).
            cases.push(([off, len + a.max(4)], "bytes"));
            if len > 0 {
                cases.push(([off, len - 4], "bytes"));
                cases.push(([off, 0], "bytes"));
            }
        }
        for ([offset, length], needle) in cases {
            let mut entries = t0.clone();
            (entries[s].offset, entries[s].length) = (offset, length);
            let mut bytes = good.clone();
            patch::set_entries(&mut bytes, &entries);
            let what = format!("section {name} = {:?}", [offset, length]);
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
                    || msg.contains("bytes")
                    || msg.contains("checksum"),
                "{what}: {msg}"
            );
            if msg.contains(needle) {
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} cases hit their own check");
}
