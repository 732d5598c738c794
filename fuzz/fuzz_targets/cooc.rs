//! The count-file reader on arbitrary bytes, through a file.
//!
//! The first input byte steers, the rest is the file: bit 0 set repairs the
//! header checksum and bit 1 every section's checksum before writing (bit 2:
//! as version 1's fixed header lays them out, else as the section
//! container's table does), so the
//! fuzzer gets past the CRCs to the structure checks. Bad input must be a
//! format (or version) error; counts that read pass `Cooc::check`, write and
//! read back equal, and build both spectral targets; small ones are embedded
//! (two eigenpairs) and the model queried.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use w2v::ErrorKind;
use w2v::format::cooc;
use w2v::spectral::{SpectralConfig, Target, TargetKind};

/// Version 1's 176-byte header: 6 `(offset, length)` pairs at 48, their
/// CRCs at 144, the header CRC at 168.
const V1: common::FixedHeader = common::FixedHeader {
    sections: 6,
    table: 48,
    crcs: 144,
    header_crc: 168,
};

fuzz_target!(|data: &[u8]| {
    let Some((&steer, file)) = data.split_first() else {
        return;
    };
    let mut file = file.to_vec();
    common::repair(&mut file, steer, V1);
    let path = common::scratch_file("input.cooc", &file);
    let c = match cooc::read(&path) {
        Ok(c) => c,
        Err(e) => {
            common::assert_data_error(&e, &[ErrorKind::Format, ErrorKind::Unsupported]);
            return;
        }
    };
    c.check().expect("what read checks");
    let v = c.len();
    let mut stored = 0;
    for i in 0..v {
        let (cols, vals) = c.row(i);
        assert_eq!(cols.len(), vals.len());
        stored += cols.len();
    }
    assert_eq!(stored, c.nnz());
    let saved = common::scratch_path("saved.cooc");
    cooc::write(&saved, &c).expect("write what was read");
    assert_eq!(cooc::read(&saved).expect("read what was written"), c);

    let kinds = [
        TargetKind::Qwem,
        TargetKind::Sppmi {
            k: 5.0,
            alpha: 0.75,
        },
    ];
    for kind in kinds {
        let Ok(t) = Target::new(&c, kind, 1) else {
            continue;
        };
        assert_eq!(t.len(), v);
        let x = vec![1.0; v];
        let mut y = vec![0.0; v];
        t.apply(&x, &mut y, &mut Vec::new());
    }
    if (2..=64).contains(&v) {
        let config = SpectralConfig {
            dim: 2,
            threads: 1,
            ..SpectralConfig::default()
        };
        if let Ok((emb, report)) = w2v::spectral::embed(&c, &config) {
            assert_eq!((emb.len(), emb.dim()), (v, 2));
            assert!(
                emb.matrix().iter().all(|x| x.is_finite()),
                "spectral vectors not finite: {report:?}"
            );
            common::queries(&emb, true);
        }
    }
});
