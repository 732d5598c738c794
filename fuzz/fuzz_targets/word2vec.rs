//! The word2vec reader (binary and text, detected from the first row) on
//! arbitrary bytes. Bad input must be a format error; a model that parses is
//! queried (answers well formed, the two-pass scan equal to the exact one),
//! saved as native, binary and text, and read back.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use w2v::format::word2vec;
use w2v::{Embeddings, ErrorKind, Format};

/// Whether the reader would take a binary file whose first row is `row` for
/// text: its bytes up to the first newline look like numbers (with a digit,
/// or exactly `row.len()` of them, as `NaN ` or `inf `). Such a file is both
/// valid binary and valid text (say dimension 1 and the bytes `1234`: a
/// float's bits, or 1234.0); the reader takes it for text, so its binary
/// round trip is not checked.
fn ambiguous(row: &[f32]) -> bool {
    let bytes: Vec<u8> = row.iter().flat_map(|x| x.to_le_bytes()).collect();
    let line = &bytes[..bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len())];
    let numbers = || {
        std::str::from_utf8(line).is_ok_and(|l| {
            let t: Vec<&str> = l.split_ascii_whitespace().collect();
            t.len() == row.len() && t.iter().all(|t| t.parse::<f32>().is_ok())
        })
    };
    line.iter()
        .all(|&b| b.is_ascii_digit() || b"+-.eE \t\rinfaINFA".contains(&b))
        && (line.iter().any(u8::is_ascii_digit) || numbers())
}

fuzz_target!(|data: &[u8]| {
    let parts = word2vec::parse(data);
    let emb = match Embeddings::parse_word2vec(data) {
        Ok(emb) => emb,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format]);
            return;
        }
    };
    // The plain parts and the model agree.
    let parts = parts.expect("the model parsed, so its parts did");
    assert_eq!(parts.words.len(), emb.len());
    assert_eq!(parts.dim, emb.dim());
    assert_eq!(parts.matrix.len(), emb.len() * emb.dim());
    for (i, w) in parts.words.iter().enumerate() {
        assert_eq!(emb.word(i), Some(&**w));
        assert_eq!(emb.index(w), Some(i));
        assert_eq!(emb.count(i), Some((emb.len() - i) as u64));
    }
    assert!(emb.word(emb.len()).is_none());
    assert_eq!(emb.norms().len(), emb.len());
    common::queries(&emb, true);

    // Native: everything back, bit for bit.
    common::native_round_trip(&emb);

    // Binary: the same vectors, unless the first row reads as text.
    let path = common::scratch_path("saved.bin");
    emb.save(&path, Format::Binary).expect("save binary");
    if !(emb.len() > 0 && ambiguous(emb.row(0))) {
        let back = Embeddings::read_word2vec(&path).expect("read what was saved (binary)");
        common::assert_same(&emb, &back, true);
        let bytes = std::fs::read(&path).expect("read the saved file");
        let again = Embeddings::load(&path).expect("load what was saved (binary)");
        common::assert_same(&back, &again, true);
        let parsed = Embeddings::parse_word2vec(&bytes).expect("parse what was saved (binary)");
        common::assert_same(&back, &parsed, true);
    }

    // Text: the same words, each value as its six decimals print and parse.
    let path = common::scratch_path("saved.txt");
    emb.save(&path, Format::Text).expect("save text");
    let back = Embeddings::read_word2vec(&path).expect("read what was saved (text)");
    assert_eq!(common::words(&emb), common::words(&back));
    assert_eq!(emb.dim(), back.dim());
    for (i, (&x, &y)) in emb.matrix().iter().zip(back.matrix()).enumerate() {
        let want: f32 = format!("{x:.6}").parse().expect("a printed float parses");
        assert!(
            want.to_bits() == y.to_bits() || (want.is_nan() && y.is_nan()),
            "value {i}: {x} saved as text read back as {y}"
        );
    }
});
