//! The tokenizer (`Corpus` and `TokenReader`) and word counting on arbitrary
//! text, against a reference written plainly here.
//!
//! Input: four steering bytes, then the text. Byte 0: bits 0-2 are the number
//! of extra cuts (the text is read as up to 8 ranges), bit 3 stretches the
//! text (repeated to just past the reader's 256 KiB buffer, by the amount in
//! bytes 1-2, so that tokens straddle a refill), bit 4 reads the ranges from
//! a file instead of memory. Bytes 1-2 seed the cut points, byte 3 is
//! `min_count` for `Vocab::count`.
//!
//! Checks: the whole text reads as the reference tokens (separated by the
//! space and the ASCII control bytes; words of at most `MAX_TOKEN_BYTES`
//! bytes at their offsets, a sentence end per newline, longer tokens
//! counted as skipped); the ranges, read one after another, give exactly
//! the same tokens and skip each long token once (each token read once, by
//! the range holding its first byte); `rewind` reads a range again
//! identically; `Vocab::count` gives the reference counts and skips.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use w2v::text::corpus::{MAX_TOKEN_BYTES, Token, TokenReader};
use w2v::{Corpus, ErrorKind, Vocab};

/// The reader's buffer (`BUFFER_BYTES` in `src/text/corpus.rs`).
const BUFFER: usize = 1 << 18;

/// A token by its place in the text: a word's offset and length (its
/// bytes are checked against the text as it is read), or a sentence end's
/// offset. No copies: a stretched text has tens of thousands of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Word(u64, usize),
    End(u64),
}

/// The separators: the space and every ASCII control byte.
fn is_space(b: u8) -> bool {
    b == b' ' || b.is_ascii_control()
}

/// The tokens of `text`, plainly, and how many tokens were too long.
fn reference(text: &[u8]) -> (Vec<Tok>, u64) {
    let mut out = Vec::new();
    let mut long = 0;
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\n' {
            out.push(Tok::End(i as u64));
            i += 1;
        } else if is_space(text[i]) {
            i += 1;
        } else {
            let j = text[i..]
                .iter()
                .position(|&b| is_space(b))
                .map_or(text.len(), |n| i + n);
            if j - i <= MAX_TOKEN_BYTES {
                out.push(Tok::Word(i as u64, j - i));
            } else {
                long += 1;
            }
            i = j;
        }
    }
    (out, long)
}

/// The next token of `r`, with its offset; a word's bytes must be the
/// text's at that offset (`scratch` holds them meanwhile).
fn next(r: &mut TokenReader, text: &[u8], scratch: &mut Vec<u8>) -> Option<Tok> {
    let word = match r.next_token().expect("read a token")? {
        Token::Word(w) => {
            assert!(!w.is_empty() && w.len() <= MAX_TOKEN_BYTES);
            scratch.clear();
            scratch.extend_from_slice(w);
            true
        }
        Token::EndOfSentence => false,
    };
    let pos = r.position();
    Some(if word {
        let at = pos - scratch.len() as u64;
        assert_eq!(
            &text[at as usize..pos as usize],
            &scratch[..],
            "the word read at {at}"
        );
        Tok::Word(at, scratch.len())
    } else {
        Tok::End(pos - 1)
    })
}

/// Every token of `r` (to the end of its range).
fn tokens(r: &mut TokenReader, text: &[u8]) -> Vec<Tok> {
    let mut scratch = Vec::new();
    std::iter::from_fn(|| next(r, text, &mut scratch)).collect()
}

/// Every token of `corpus`'s range `[start, end)`, and the reader.
fn read(corpus: &Corpus, text: &[u8], start: u64, end: u64) -> (Vec<Tok>, TokenReader) {
    let mut r = corpus.reader(start, end).expect("a reader");
    let out = tokens(&mut r, text);
    (out, r)
}

/// `got` equals `want`; if not, the panic shows where they part (a stretched
/// text has tens of thousands of tokens: not all of them).
fn same(got: &[Tok], want: &[Tok], what: &str) {
    if got != want {
        let i = got.iter().zip(want).take_while(|(a, b)| a == b).count();
        let from = i.saturating_sub(3);
        panic!(
            "{what}: {} tokens read, {} expected, first difference at token {i}: \
             read {:?}, expected {:?}",
            got.len(),
            want.len(),
            &got[from..(i + 3).min(got.len())],
            &want[from..(i + 3).min(want.len())],
        );
    }
}

/// `n` pseudo-random numbers from `seed` (splitmix64).
fn numbers(seed: u64, n: usize) -> Vec<u64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (steer, text) = data.split_at(4);
    let seed = u16::from_le_bytes([steer[1], steer[2]]) as u64;
    let min_count = steer[3] as u64 % 4;
    let text: Vec<u8> = if steer[0] & 8 != 0 && !text.is_empty() {
        let len = BUFFER + seed as usize % 4096;
        text.iter().copied().cycle().take(len).collect()
    } else {
        text.to_vec()
    };
    let len = text.len() as u64;
    let (want, long) = reference(&text);
    let corpus = if steer[0] & 16 != 0 {
        Corpus::file(common::scratch_file("corpus.txt", &text)).expect("a corpus file")
    } else {
        Corpus::bytes(text.clone())
    };
    assert_eq!(corpus.len().expect("a length"), len);

    let (all, r) = read(&corpus, &text, 0, len);
    same(&all, &want, "the whole text");
    assert_eq!(r.skipped_long(), long, "long tokens skipped");

    // Cut points: random, plus the even split of `ranges`.
    let parts = 1 + (steer[0] & 7) as usize;
    let mut cuts: Vec<u64> = numbers(seed, parts - 1)
        .into_iter()
        .map(|x| if len == 0 { 0 } else { x % (len + 1) })
        .collect();
    cuts.sort_unstable();
    let bounds: Vec<u64> = std::iter::once(0).chain(cuts).chain([len]).collect();
    let even = corpus.ranges(parts).expect("ranges");
    assert_eq!(even.len(), parts);
    assert!(even[0].0 == 0 && even[parts - 1].1 == len);
    assert!(
        even.windows(2)
            .all(|w| w[0].1 == w[1].0 && w[0].0 <= w[0].1)
    );
    let random: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    for ranges in [random, even] {
        let mut joined = Vec::new();
        let mut skipped = 0;
        for &(s, e) in &ranges {
            let (got, mut r) = read(&corpus, &text, s, e);
            for t in &got {
                let at = match t {
                    Tok::Word(at, _) | Tok::End(at) => *at,
                };
                assert!(s <= at && at < e, "token at {at} read by range [{s}, {e})");
            }
            let once = r.skipped_long();
            skipped += once;
            r.rewind().expect("rewind");
            let again = tokens(&mut r, &text);
            same(&again, &got, &format!("range [{s}, {e}) after rewind"));
            assert_eq!(
                r.skipped_long(),
                2 * once,
                "range [{s}, {e}): long tokens over two passes"
            );
            joined.extend(got);
        }
        same(&joined, &want, &format!("the ranges {ranges:?} together"));
        assert_eq!(
            skipped, long,
            "the ranges {ranges:?} skip each long token once"
        );
    }

    // Counting: the reference's words, or an error if one is not UTF-8.
    let mut counts: HashMap<&[u8], u64> = HashMap::new();
    for t in &want {
        if let &Tok::Word(at, n) = t {
            *counts.entry(&text[at as usize..][..n]).or_default() += 1;
        }
    }
    let utf8 = counts.keys().all(|w| std::str::from_utf8(w).is_ok());
    match Vocab::count(&corpus, min_count, None) {
        Ok(v) => {
            assert!(utf8, "a word that is not UTF-8 was counted");
            assert_eq!(v.skipped_long(), long, "long tokens skipped while counting");
            let mut expect: Vec<(&[u8], u64)> = counts
                .into_iter()
                .filter(|&(_, c)| c >= min_count.max(1))
                .collect();
            expect.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let got: Vec<(&[u8], u64)> = v
                .words()
                .iter()
                .map(|w| w.as_bytes())
                .zip(v.counts().iter().copied())
                .collect();
            assert_eq!(got, expect, "counts");
            for (i, w) in v.words().iter().enumerate() {
                assert_eq!(v.get(w.as_bytes()), Some(i as u32));
            }
        }
        Err(e) => {
            assert!(!utf8, "counting failed on UTF-8 text: {e}");
            common::assert_data_error(&e, &[ErrorKind::Format]);
        }
    }
});
