//! The neighbour index's sections on arbitrary damage: a small model with an
//! index (built once, one thread, so always the same bytes) is edited by the
//! input, written, opened and queried.
//!
//! The first input byte steers: its low two bits pick what the edits hit
//! (0: the `hnsw` settings record, its checksum then repaired so the checks
//! behind it run; 1: the level-0 records; 2: the upper lists; 3: all three
//! sections as one range), bit 2 cuts the file short at an offset given by
//! the next two bytes. The rest is edits of three bytes each: a 16-bit
//! position (modulo the range) and the byte written there. A file that opens
//! answers through its index (every answer a word of the model, in order,
//! the query words excluded) at two breadths and for every word at once.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use w2v::format::native::{HNSW, HNSW0, HNSWUP};
use w2v::format::sections::patch;
use w2v::{Embeddings, ErrorKind, Format, IndexParams};

const V: usize = 150;
const DIM: usize = 12;

/// The model with its index, as file bytes.
fn good() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let data: Vec<f32> = (0..V * DIM)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let noise = (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                // Ten clusters, so the graph has structure; row 7 zero.
                if i / DIM == 7 {
                    0.0
                } else {
                    ((i / DIM % 10 + i % DIM) as f32).sin() + 0.3 * noise
                }
            })
            .collect();
        let words = (0..V).map(|i| format!("w{i}").into()).collect();
        let counts = (0..V as u64).map(|i| V as u64 - i).collect();
        let mut emb = Embeddings::new(words, counts, DIM, data).expect("a model");
        emb.build_index(&IndexParams {
            m: 4,
            ef_construction: 32,
            threads: 1,
            seed: 3,
        })
        .expect("an index");
        let path = common::scratch_path("good.w2v");
        emb.save(&path, Format::Native).expect("saved");
        std::fs::read(&path).expect("read back")
    })
}

fn range_of(file: &[u8], t: w2v::format::sections::Tag) -> (usize, usize) {
    let e = patch::entries(file);
    let e = e.iter().find(|e| e.tag == t).expect("the section");
    (e.offset as usize, (e.offset + e.length) as usize)
}

fuzz_target!(|data: &[u8]| {
    let Some((&steer, mut rest)) = data.split_first() else {
        return;
    };
    let mut file = good().to_vec();
    let mut cut = None;
    if steer & 4 != 0 && rest.len() >= 2 {
        cut = Some(u16::from_le_bytes([rest[0], rest[1]]) as usize * 16);
        rest = &rest[2..];
    }
    let edits = rest
        .chunks_exact(3)
        .map(|e| (u16::from_le_bytes([e[0], e[1]]) as usize, e[2]));
    match steer & 3 {
        0 => patch::edit_section(&mut file, HNSW, |s| {
            for (at, b) in edits {
                let n = s.len();
                s[at % n] = b;
            }
        }),
        which => {
            let (a, b) = match which {
                1 => range_of(&file, HNSW0),
                2 => range_of(&file, HNSWUP),
                _ => (range_of(&file, HNSW).0, range_of(&file, HNSWUP).1),
            };
            for (at, byte) in edits {
                file[a + at % (b - a)] = byte;
            }
        }
    }
    if let Some(c) = cut {
        file.truncate(c.min(file.len()));
    }
    let path = common::scratch_file("input.w2v", &file);
    let emb = match Embeddings::open(&path) {
        Ok(emb) => emb,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format, ErrorKind::Unsupported]);
            return;
        }
    };
    let v = emb.len();
    // Every answer is checked, so a few searches per input are enough: a
    // narrow and a wide breadth, the zero row among the queries, and one
    // query for more neighbours than there are words (the whole graph).
    for ef in [1, 24] {
        let e = emb.clone().with_ef(ef);
        for q in [0, 7, v.saturating_sub(1)] {
            if q >= v {
                continue;
            }
            let word = format!("w{q}");
            match e.most_similar(&[&word], &[], 10, None) {
                Ok(got) => common::check_answer(&e, &got, 10, &[q]),
                Err(err) => common::assert_data_error(
                    &err,
                    &[ErrorKind::NotFound, ErrorKind::InvalidArgument],
                ),
            }
        }
    }
    if v > 3 {
        let row = emb.row(3).to_vec();
        if let Ok(got) = emb.nearest(&row, v + 5, None, &[]) {
            common::check_answer(&emb, &got, v + 5, &[]);
        }
    }
    common::queries(&emb, false);
});
