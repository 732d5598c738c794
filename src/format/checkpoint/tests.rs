//! Tests of the checkpoint file's layout and of every way it can be damaged.

use super::*;
use crate::error::ErrorKind;

fn sample() -> Checkpoint {
    let words: Vec<Box<str>> = ["the", "of", "and", "naïve"]
        .iter()
        .map(|&w| w.into())
        .collect();
    let dim = 3;
    let config = ConfigRecord {
        dim: dim as u64,
        threads: 2,
        epochs: 3,
        seed: 9,
        checkpoint_every: 100,
        lr: 0.025,
        ..ConfigRecord::zeroed()
    };
    let worker = |i: u64| WorkerRecord {
        range_start: i * 50,
        range_end: (i + 1) * 50,
        epoch: 1,
        position: i * 50 + 7,
        lr: 0.02,
        ..WorkerRecord::zeroed()
    };
    Checkpoint {
        config,
        run: RunRecord {
            words: 123,
            words_done: 120,
            corpus_len: 100,
            ..RunRecord::zeroed()
        },
        corpus_name: "corpus.txt".into(),
        workers: vec![worker(0), worker(1)],
        epoch_loss: vec![
            EpochLoss { sum: 4.5, n: 9 },
            EpochLoss::default(),
            EpochLoss::default(),
        ],
        counts: vec![9, 7, 7, 1],
        words,
        dim,
        syn0: (0..12).map(|i| i as f32 * 0.5).collect(),
        syn1: (0..9).map(|i| -(i as f32)).collect(),
    }
}

fn same(a: &Checkpoint, b: &Checkpoint) {
    assert_eq!(a.config, b.config);
    assert_eq!(a.run, b.run);
    assert_eq!(a.corpus_name, b.corpus_name);
    assert_eq!(a.workers, b.workers);
    assert_eq!(a.epoch_loss, b.epoch_loss);
    assert_eq!(a.words, b.words);
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.syn0, b.syn0);
    assert_eq!(a.syn1, b.syn1);
}

#[test]
fn round_trip_and_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    let c = sample();
    write(&path, &c.parts()).unwrap();
    let r = read(&path).unwrap();
    same(&c, &r);
    let bytes = std::fs::read(&path).unwrap();
    let table = Table::parse(&SCHEMA, &bytes, bytes.len() as u64).unwrap();
    assert_eq!(table.version(), VERSION);
    let names: Vec<String> = table.entries().iter().map(|e| e.name()).collect();
    let known: Vec<String> = SCHEMA
        .sections
        .iter()
        .map(|k| sections::tag_name(&k.tag))
        .collect();
    assert_eq!(names, known, "every section, in the schema's order");
    assert_eq!(
        table.get(SYN0).unwrap().offset % 64,
        0,
        "syn0 is 64-byte aligned"
    );
    assert_eq!(
        table.get(SYN1).unwrap().offset % 64,
        0,
        "syn1 is 64-byte aligned"
    );
    let (a, b) = table.range(META).unwrap();
    let meta: Meta = bytemuck::pod_read_unaligned(&bytes[a..b]);
    assert_eq!(
        (
            meta.vocab,
            meta.dim,
            meta.out_rows,
            meta.threads,
            meta.epochs
        ),
        (4, 3, 3, 2, 3)
    );
    assert_eq!(
        bytes.len(),
        table.range(SYN1).unwrap().1,
        "nothing after the last section"
    );
}

#[test]
fn every_truncation_and_every_flipped_byte_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    write(&path, &sample().parts()).unwrap();
    let good = std::fs::read(&path).unwrap();
    let bad = dir.path().join("bad.ckpt");
    // Under Miri (scripts/miri.sh, in CI) every third byte: each read is
    // slow there, and the checks behind a byte do not depend on its place
    // within a few bytes; natively, every byte.
    let step = if cfg!(miri) { 3 } else { 1 };
    for n in (0..good.len()).step_by(step) {
        std::fs::write(&bad, &good[..n]).unwrap();
        let e = read(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{n} bytes: {e}");
    }
    for i in (0..good.len()).step_by(step) {
        let mut b = good.clone();
        b[i] ^= 0x10;
        std::fs::write(&bad, &b).unwrap();
        match read(&bad) {
            // A flip in padding changes nothing that is read.
            Ok(r) => same(&r, &sample()),
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::Format | ErrorKind::Unsupported),
                "byte {i}: {e}"
            ),
        }
    }
}

#[test]
fn another_version_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    write(&path, &sample().parts()).unwrap();
    let mut b = std::fs::read(&path).unwrap();
    b[8..12].copy_from_slice(&3u32.to_le_bytes());
    sections::patch::reseal(&mut b);
    std::fs::write(&path, &b).unwrap();
    let e = read(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("version 3"), "{e}");
}

#[test]
fn sizes_in_meta_that_disagree_with_a_section_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    write(&path, &sample().parts()).unwrap();
    let good = std::fs::read(&path).unwrap();
    type Edit = fn(&mut Meta);
    let edits: [(Edit, &str); 6] = [
        (|m| m.vocab = 5, "section `ends` has 32 bytes"),
        (|m| m.dim = 4, "section `syn0` has 48 bytes"),
        (|m| m.out_rows = 4, "section `syn1` has 36 bytes"),
        (|m| m.threads = 3, "section `workers` has 160 bytes"),
        (|m| m.epochs = 0, "out of range"),
        (|m| m.vocab = u64::MAX / 2, "out of range"),
    ];
    for (edit, needle) in edits {
        let mut b = good.clone();
        sections::patch::edit_section(&mut b, META, |bytes| {
            let mut m: Meta = bytemuck::pod_read_unaligned(bytes);
            edit(&mut m);
            bytes.copy_from_slice(bytemuck::bytes_of(&m));
        });
        std::fs::write(&path, &b).unwrap();
        let e = read(&path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        assert!(e.to_string().contains(needle), "{e} (wanted {needle})");
    }
}

#[test]
fn a_configuration_record_from_before_min_lr_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    let c = sample();
    write(&path, &c.parts()).unwrap();
    // Rewrite the file as builds before `min_lr` did: a 112-byte record.
    let mut b = std::fs::read(&path).unwrap();
    let mut entries = sections::patch::entries(&b);
    let config = entries.iter_mut().find(|e| e.tag == CONFIG).unwrap();
    let off = config.offset as usize;
    b[off + CONFIG_V1_LEN..off + std::mem::size_of::<ConfigRecord>()].fill(0);
    config.length = CONFIG_V1_LEN as u64;
    config.checksum = crc32fast::hash(&b[off..off + CONFIG_V1_LEN]);
    sections::patch::set_entries(&mut b, &entries);
    std::fs::write(&path, &b).unwrap();
    same(&c, &read(&path).unwrap());
    // Any other length is refused.
    entries.iter_mut().find(|e| e.tag == CONFIG).unwrap().length = 116;
    sections::patch::set_entries(&mut b, &entries);
    std::fs::write(&path, &b).unwrap();
    let e = read(&path).unwrap_err();
    assert!(e.to_string().contains("configuration record"), "{e}");
}

#[test]
fn inconsistent_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = sample();
    c.syn0.pop();
    let e = write(&dir.path().join("c.ckpt"), &c.parts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}
