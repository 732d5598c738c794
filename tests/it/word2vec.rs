//! The word2vec reader on good and bad input: binary and text, with and
//! without row newlines, streamed across buffer boundaries, truncated at
//! every offset, with bad headers, bad UTF-8, wrong value counts and
//! duplicate words. Every bad file is an error naming what is wrong.

use crate::common::TempDir;
use crate::native::{assert_same_model, meta_of, model, native_bytes, open_bytes, put_meta};
use std::sync::OnceLock;
use w2v::{Embeddings, ErrorKind, Format};

/// [`Embeddings::parse_word2vec`], the message of its error as a string.
fn parse_word2vec(bytes: &[u8]) -> Result<Embeddings, String> {
    Embeddings::parse_word2vec(bytes).map_err(|e| e.to_string())
}

/// A small word2vec file (binary or text) of 12 words x 6.
pub fn w2v_bytes(text: bool) -> &'static [u8] {
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
        let read = Embeddings::read_word2vec(&path).unwrap();
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
        let Err(e) = Embeddings::read_word2vec(&path) else {
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

// Regression: a huge dimension in the header once made `4 * dim` and
// `2 * dim + 1` overflow, the wrapped row size passed the size check, and
// `Vec::with_capacity(v * dim)` panicked ("capacity overflow"). The reader
// now rejects dimensions over `format::MAX_DIM` before any arithmetic.
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

// Regression: the text/binary probe once read 4 x D bytes after the first
// word, across the end of the first row. With short values ("1 2", as gensim
// or hand-written files have) it reached the next row's word, decided
// "binary", and rejected a valid text file. The probe now stops at the end
// of the first row.
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
        Embeddings::read_word2vec(&path).unwrap_err(),
        Embeddings::load(&path).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().contains("bad.txt"), "{e}");
    }
    std::fs::write(&path, b"").unwrap();
    assert!(Embeddings::load(&path).is_err());
}

// Regression: a model with no words takes any dimension (every section is
// 0 x D long), so a native header of 0 words x `u64::MAX` (checksum fixed)
// once opened, and `mean_vector` panicked allocating `dim` floats ("capacity
// overflow"); the word2vec header `0 4611686018427387904` did the same. Both
// readers now reject a dimension over `format::MAX_DIM`, with or without
// words. The dimension just under the limit still opens and is harmless.
#[test]
fn zero_words_with_an_absurd_dimension_is_an_error() {
    let dir = TempDir::new();
    // Without a scan copy, which only dimensions up to 2^17 may have.
    let good = native_bytes(&model(0, 3, 16), false);
    let with_dim = |dim: u64| {
        let mut bytes = good.clone();
        let mut m = meta_of(&bytes);
        m.dim = dim;
        put_meta(&mut bytes, m);
        bytes
    };
    let limit = w2v::format::MAX_DIM as u64;
    for dim in [u64::MAX, 1u64 << 62, u64::MAX - 15, limit + 1] {
        let e = open_bytes(&dir, &with_dim(dim)).err();
        let e = e.unwrap_or_else(|| panic!("native, dim {dim}: opened"));
        assert_eq!(e.kind(), ErrorKind::Format, "native, dim {dim}: {e}");
        assert!(e.to_string().contains("dimension"), "native: {e}");
        let e = parse_word2vec(format!("0 {dim}\n").as_bytes()).unwrap_err();
        assert!(e.contains("dimension"), "word2vec, dim {dim}: {e}");
    }
    let emb = open_bytes(&dir, &with_dim(limit)).unwrap();
    assert_eq!((emb.len(), emb.dim()), (0, w2v::format::MAX_DIM));
    assert!(emb.most_similar(&["a"], &[], 3, None).is_err());
    let e = emb.mean_vector(&["a"], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}
