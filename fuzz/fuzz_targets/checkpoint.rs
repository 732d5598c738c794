//! The checkpoint reader on arbitrary bytes, through a file.
//!
//! The first input byte steers, the rest is the file: bit 0 set repairs the
//! header checksum and bit 1 every section's checksum before writing (bit 2:
//! as version 1's fixed header lays them out, else as the section
//! container's table does), so the
//! fuzzer gets past the CRCs to the checks behind them (the section table,
//! the sizes the header implies, the records, word bounds and UTF-8). A file
//! that reads is consistent (sizes agree), and writes and reads back equal.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use w2v::ErrorKind;
use w2v::format::checkpoint;

/// Version 1's 264-byte header: 10 `(offset, length)` pairs at 56, their
/// CRCs at 216, the header CRC at 256.
const V1: common::FixedHeader = common::FixedHeader {
    sections: 10,
    table: 56,
    crcs: 216,
    header_crc: 256,
};

fuzz_target!(|data: &[u8]| {
    let Some((&steer, file)) = data.split_first() else {
        return;
    };
    let mut file = file.to_vec();
    common::repair(&mut file, steer, V1);
    let path = common::scratch_file("input.ckpt", &file);
    let ck = match checkpoint::read(&path) {
        Ok(ck) => ck,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format, ErrorKind::Unsupported]);
            return;
        }
    };
    let (v, dim) = (ck.words.len(), ck.dim);
    assert!((1..=w2v::format::MAX_DIM).contains(&dim));
    assert_eq!(ck.counts.len(), v);
    assert_eq!(ck.syn0.len(), v * dim);
    assert_eq!(ck.syn1.len() % dim, 0);
    assert!(!ck.workers.is_empty());
    let out = common::scratch_path("again.ckpt");
    checkpoint::write(&out, &ck.parts()).expect("a checkpoint that reads writes");
    let again = checkpoint::read(&out).expect("and reads back");
    assert_eq!(again.words, ck.words);
    assert_eq!(again.counts, ck.counts);
    // Bit for bit: the record is read as stored (codes and values are
    // checked when a run resumes), so it may hold a NaN, which `==` refuses.
    assert_eq!(
        bytemuck::bytes_of(&again.config),
        bytemuck::bytes_of(&ck.config),
        "config {:?}",
        ck.config
    );
    assert_eq!(again.corpus_name, ck.corpus_name);
    assert_eq!(again.workers.len(), ck.workers.len());
    assert_eq!(again.epoch_loss.len(), ck.epoch_loss.len());
    let bits = |m: &[f32]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&again.syn0), bits(&ck.syn0));
    assert_eq!(bits(&again.syn1), bits(&ck.syn1));
    let same = std::fs::read(&out).expect("read the rewritten file");
    assert_eq!(same.len(), std::fs::metadata(&out).unwrap().len() as usize);
});
