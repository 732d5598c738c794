//! The vocabulary file reader (`word count` lines) on arbitrary bytes,
//! through a file. Bad input must be a format error; what reads has
//! distinct non-empty words without whitespace or control bytes, and writes
//! and reads back the same; `Vocab::read` sorts and cuts it as counting
//! would.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use w2v::format::vocab;
use w2v::{ErrorKind, Vocab};

fuzz_target!(|data: &[u8]| {
    let path = common::scratch_file("input.vocab", data);
    let pairs = match vocab::read(&path) {
        Ok(p) => p,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format]);
            return;
        }
    };
    for (w, _) in &pairs {
        assert!(
            !w.is_empty() && !w.contains(|c: char| c.is_whitespace() || c.is_ascii_control()),
            "{w:?}"
        );
    }
    let distinct: std::collections::HashSet<&str> = pairs.iter().map(|(w, _)| &**w).collect();
    assert_eq!(distinct.len(), pairs.len(), "a word on two lines");
    let (words, counts): (Vec<Box<str>>, Vec<u64>) = pairs.iter().cloned().unzip();
    let saved = common::scratch_path("saved.vocab");
    vocab::write(&saved, &words, &counts).expect("write what was read");
    assert_eq!(vocab::read(&saved).expect("read what was written"), pairs);

    let min_count = data.first().map_or(0, |&b| (b % 4) as u64);
    let max_vocab = data.last().map(|&b| b as usize % 64);
    match Vocab::read(&path, min_count, max_vocab) {
        Ok(v) => {
            assert!(!v.is_empty() && max_vocab.is_none_or(|m| v.len() <= m));
            for i in 0..v.len() {
                // Training and counting index words by `get`: each once.
                assert_eq!(v.get(v.word(i).as_bytes()), Some(i as u32), "a word twice");
                assert!(v.count_of(i) >= min_count.max(1));
                if i > 0 {
                    let (a, b) = (v.count_of(i - 1), v.count_of(i));
                    assert!(a > b || (a == b && v.word(i - 1) <= v.word(i)), "unsorted");
                }
            }
        }
        Err(e) => common::assert_data_error(&e, &[ErrorKind::Empty]),
    }
});
