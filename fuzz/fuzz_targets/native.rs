//! The native loader on arbitrary bytes, through a file (it maps files).
//!
//! The first input byte steers, the rest is the file: bit 0 set repairs the
//! header checksum and bit 1 every section's checksum before writing (bit 2:
//! as version 2's fixed header lays them out, else as the section
//! container's table does), so the fuzzer gets past the CRCs to the checks behind them (the section table,
//! word bounds, UTF-8, the hash table). A file that opens has every accessor
//! and the queries run (on unverified data: answers well formed, no panic),
//! then `verify`; a file that verifies finds every word at its index and
//! saves and reopens unchanged.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use w2v::{Embeddings, ErrorKind};

/// Version 2's 200-byte header: 8 `(offset, length)` pairs at 32, their CRCs
/// at 160, the header CRC at 196.
const V2: common::FixedHeader = common::FixedHeader {
    sections: 8,
    table: 32,
    crcs: 160,
    header_crc: 196,
};

fuzz_target!(|data: &[u8]| {
    let Some((&steer, file)) = data.split_first() else {
        return;
    };
    let mut file = file.to_vec();
    common::repair(&mut file, steer, V2);
    let path = common::scratch_file("input.w2v", &file);
    let emb = match Embeddings::open(&path) {
        Ok(emb) => emb,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format, ErrorKind::Unsupported]);
            return;
        }
    };
    let (v, dim) = (emb.len(), emb.dim());
    assert!(emb.is_mapped());
    assert!((1..=w2v::format::MAX_DIM).contains(&dim));
    assert_eq!(emb.matrix().len(), v * dim);
    assert_eq!(emb.norms().len(), v);
    if let Some(scan) = emb.scan_copy() {
        assert_eq!(scan.scales.len(), v);
    }
    let mapped = emb.mapped().expect("mapped");
    assert_eq!(mapped.len(), v);
    assert_eq!(mapped.file_len(), file.len());
    for i in 0..v {
        assert_eq!(emb.row(i).len(), dim);
        assert!(emb.count(i).is_some());
        if let Some(w) = emb.word(i) {
            // A corrupt table may lead elsewhere, but only to the same word.
            if let Some(j) = emb.index(w) {
                assert_eq!(emb.word(j), Some(w));
            }
            let _ = emb.vector(w);
        }
    }
    assert!(emb.word(v).is_none() && emb.count(v).is_none());
    assert!(emb.index("").is_none_or(|j| emb.word(j) == Some("")));
    common::queries(&emb, false);
    let loaded = Embeddings::load(&path).expect("load opens what open opened");
    assert_eq!((loaded.len(), loaded.dim()), (v, dim));

    if mapped.verify().is_ok() {
        for i in 0..v {
            let w = emb.word(i).expect("a verified file's words read");
            assert_eq!(emb.index(w), Some(i), "a verified file finds word {i}");
        }
        common::native_round_trip(&emb);
    }
});
