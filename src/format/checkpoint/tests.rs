//! Tests of the checkpoint file's layout and of every way it can be damaged.

use super::*;

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
    let h: Header = bytemuck::pod_read_unaligned(&bytes[..HEADER_LEN]);
    assert_eq!(h.sections[8][0] % 64, 0, "syn0 is 64-byte aligned");
    assert_eq!(h.sections[9][0] % 64, 0, "syn1 is 64-byte aligned");
    assert_eq!(h.out_rows, 3);
    assert_eq!(
        bytes.len() as u64,
        h.sections[9][0] + h.sections[9][1],
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
    for n in 0..good.len() {
        std::fs::write(&bad, &good[..n]).unwrap();
        let e = read(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{n} bytes: {e}");
    }
    for i in 0..good.len() {
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

/// Write `h` over the file bytes `b`'s header, with its CRC recomputed.
fn put_header(b: &mut [u8], h: &Header) {
    b[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(h));
    let crc = crc32fast::hash(&b[..HEADER_CRC_SPAN]);
    b[HEADER_CRC_SPAN..HEADER_CRC_SPAN + 4].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn another_version_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    write(&path, &sample().parts()).unwrap();
    let mut b = std::fs::read(&path).unwrap();
    let mut h: Header = bytemuck::pod_read_unaligned(&b[..HEADER_LEN]);
    h.version = 2;
    put_header(&mut b, &h);
    std::fs::write(&path, &b).unwrap();
    let e = read(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("version 2"), "{e}");
}

#[test]
fn a_configuration_record_from_before_min_lr_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.ckpt");
    let c = sample();
    write(&path, &c.parts()).unwrap();
    // Rewrite the file as builds before `min_lr` did: a 112-byte record.
    let mut b = std::fs::read(&path).unwrap();
    let mut h: Header = bytemuck::pod_read_unaligned(&b[..HEADER_LEN]);
    let off = h.sections[0][0] as usize;
    h.sections[0][1] = CONFIG_V1_LEN as u64;
    h.checksums[0] = crc32fast::hash(&b[off..off + CONFIG_V1_LEN]);
    b[off + CONFIG_V1_LEN..off + std::mem::size_of::<ConfigRecord>()].fill(0);
    put_header(&mut b, &h);
    std::fs::write(&path, &b).unwrap();
    same(&c, &read(&path).unwrap());
    // Any other length is refused.
    h.sections[0][1] = 116;
    put_header(&mut b, &h);
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
