//! The co-occurrence count file: a sparse symmetric matrix of windowed pair
//! counts over a vocabulary, as `w2v cooc` writes it and `w2v spectral`
//! reads it.
//!
//! # Layout (version 2, every integer and float little-endian)
//!
//! A [section container](super::sections) with the magic `\x93W2VCOC\n`,
//! version 2, and these sections, each 8-byte aligned:
//!
//! | section | contents |
//! |---|---|
//! | `meta` | one [`Meta`] (32 bytes): `V`, the `window`, the number of stored entries `nnz`, the subsampling threshold `sample` (`f64`, 0 for none) |
//! | `ends` | `u64` per word: the end of word `i` in `words` |
//! | `words` | the words' UTF-8 bytes, concatenated, most frequent first |
//! | `counts` | `u64` per word: its tokens counted (after subsampling) |
//! | `rowptr` | `u64` per word, plus one: where row `i` starts in `cols` and `vals` |
//! | `cols` | `u32` per stored entry: its column, strictly increasing within a row, `>=` the row |
//! | `vals` | `u64` per stored entry: its weight, in units of `1 / window`, never 0 |
//!
//! Only the upper triangle (`row <= col`) is stored. Entry `(a, b)` is the
//! weight of unordered token pairs `{a, b}` within the window: a pair at
//! distance `d` adds `window + 1 - d` (that is, `(W + 1 - d) / W` in units of
//! `1 / W`, word2vec's expected weight under its shrinking window). Integer
//! weights make counts exact: the order of additions, the number of threads
//! and the merging of shards never change a value.
//!
//! Version 1 (a fixed 176-byte header listing the same sections by
//! position; see [`super::legacy`]) is still read.
//!
//! [`read`] checks everything before returning: the container's header,
//! that every section has the length `V` and `nnz` imply (before
//! allocating), every section's CRC, and the matrix's structure.

use super::legacy;
use super::sections::{self, Known, Schema, Table, Tag, Writer, tag};
use crate::error::{Error, Result};
use bytemuck::{Pod, Zeroable};
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2VCOC\n";
/// The format version this build writes.
pub const VERSION: u32 = 2;

/// The version before the section container, still read.
pub const VERSION_V1: u32 = 1;

/// The count file's schema over the section container.
pub static SCHEMA: Schema = Schema {
    what: "count file",
    magic: MAGIC,
    version: VERSION,
    reads: "1 or 2",
    sections: &[
        Known::required("meta", 8),
        Known::required("ends", 8),
        Known::required("words", 8),
        Known::required("counts", 8),
        Known::required("rowptr", 8),
        Known::required("cols", 8),
        Known::required("vals", 8),
    ],
};

/// The `meta` section.
pub const META: Tag = sections::META;
/// The word ends.
pub const ENDS: Tag = tag("ends");
/// The words' bytes.
pub const WORDS: Tag = tag("words");
/// The counts.
pub const COUNTS: Tag = tag("counts");
/// The row offsets.
pub const ROW_PTR: Tag = tag("rowptr");
/// The columns.
pub const COLS: Tag = tag("cols");
/// The weights.
pub const VALS: Tag = tag("vals");

/// The `meta` section: the sizes and how the counts were taken.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct Meta {
    /// Number of words.
    pub vocab: u64,
    /// The window radius `W`; weights are in units of `1 / W`.
    pub window: u64,
    /// Stored (upper-triangle) entries.
    pub nnz: u64,
    /// The subsampling threshold used while counting (0: none).
    pub sample: f64,
}

/// Windowed co-occurrence counts over a vocabulary: a sparse symmetric
/// `V x V` matrix stored as its upper triangle in CSR form (see the module
/// documentation for the meaning of the weights).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cooc {
    /// The vocabulary, most frequent first.
    pub words: Vec<Box<str>>,
    /// Tokens of each word that were counted.
    pub counts: Vec<u64>,
    /// The window radius `W`.
    pub window: u32,
    /// The subsampling threshold used (0: none).
    pub sample: f64,
    /// `V + 1` offsets into `cols` and `vals`.
    pub row_ptr: Vec<u64>,
    /// Column of each stored entry (`>=` its row, increasing within a row).
    pub cols: Vec<u32>,
    /// Weight of each stored entry, in units of `1 / window`.
    pub vals: Vec<u64>,
}

impl Cooc {
    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Stored (upper-triangle) entries.
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// Row `i`'s stored columns and weights (columns `>= i`).
    pub fn row(&self, i: usize) -> (&[u32], &[u64]) {
        let (a, b) = (self.row_ptr[i] as usize, self.row_ptr[i + 1] as usize);
        (&self.cols[a..b], &self.vals[a..b])
    }

    /// Check the structure: lengths agree, offsets increase, columns are in
    /// range, increasing and in the upper triangle, weights are positive,
    /// words are distinct and non-empty. The error names the first fault.
    pub fn check(&self) -> Result<()> {
        let v = self.words.len();
        let bad = |m: String| Err(Error::format(m));
        if self.counts.len() != v || self.row_ptr.len() != v + 1 {
            return bad(format!(
                "{v} words, {} counts, {} row offsets",
                self.counts.len(),
                self.row_ptr.len()
            ));
        }
        if self.window == 0 {
            return bad("window 0".into());
        }
        if !(self.sample.is_finite() && self.sample >= 0.0) {
            return bad(format!("bad subsampling threshold {}", self.sample));
        }
        let nnz = self.cols.len();
        if self.vals.len() != nnz || self.row_ptr[0] != 0 || self.row_ptr[v] != nnz as u64 {
            return bad(format!(
                "{nnz} columns, {} values, row offsets from {} to {}",
                self.vals.len(),
                self.row_ptr[0],
                self.row_ptr[v]
            ));
        }
        for i in 0..v {
            let (a, b) = (self.row_ptr[i], self.row_ptr[i + 1]);
            if a > b {
                return bad(format!("row {i}: offsets decrease"));
            }
            // A later row may decrease below `nnz` again: bound each row
            // before it is sliced.
            if b > nnz as u64 {
                return bad(format!("row {i}: ends at {b}, past the {nnz} entries"));
            }
            let (cols, vals) = self.row(i);
            let mut prev: Option<u32> = None;
            for (&c, &w) in cols.iter().zip(vals) {
                if (c as usize) < i || c as usize >= v || prev.is_some_and(|p| c <= p) {
                    return bad(format!(
                        "row {i}: column {c} out of order or outside the upper triangle"
                    ));
                }
                if w == 0 {
                    return bad(format!("row {i}, column {c}: zero weight stored"));
                }
                prev = Some(c);
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(v);
        for w in &self.words {
            if w.is_empty() || w.contains(|c: char| c.is_ascii_control()) || !seen.insert(&**w) {
                return bad(format!(
                    "the word {w:?} is empty, holds a control byte or appears twice"
                ));
            }
        }
        Ok(())
    }
}

const _: () = assert!(std::mem::size_of::<HeaderV1>() == 176);

/// Version 1's fixed header (see [`super::legacy`]).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct HeaderV1 {
    magic: [u8; 8],
    version: u32,
    flags: u32,
    vocab: u64,
    window: u64,
    nnz: u64,
    sample: f64,
    sections: [[u64; 2]; 6],
    checksums: [u32; 6],
    header_crc: u32,
    reserved: u32,
}

/// A version 1 file's table and `meta`, from its fixed header.
fn table_v1(head: &[u8], file_len: u64) -> Result<(Table, Meta)> {
    let h: HeaderV1 = legacy::fixed_header(
        head,
        file_len,
        std::mem::offset_of!(HeaderV1, header_crc),
        |h: &HeaderV1| h.header_crc,
    )?;
    if h.flags != 0 || h.reserved != 0 {
        return Err(Error::format("unknown header flags"));
    }
    let tags = [ENDS, WORDS, COUNTS, ROW_PTR, COLS, VALS].map(Some);
    let table = legacy::table(
        &SCHEMA,
        VERSION_V1,
        std::mem::size_of::<HeaderV1>(),
        file_len,
        &tags,
        &h.sections,
        &h.checksums,
    )?;
    let meta = Meta {
        vocab: h.vocab,
        window: h.window,
        nnz: h.nnz,
        sample: h.sample,
    };
    Ok((table, meta))
}

fn corrupt(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::format(format!("count file `{}`: {m}", path.display()))
}

/// Write `c` to `path`, atomically. `c` must pass [`Cooc::check`].
pub fn write(path: &Path, c: &Cooc) -> Result<()> {
    c.check()?;
    let (ends, blob) = super::words::to_sections(&c.words);
    let meta = Meta {
        vocab: c.len() as u64,
        window: c.window as u64,
        nnz: c.nnz() as u64,
        sample: c.sample,
    };
    Writer::new(&SCHEMA)
        .add(META, bytemuck::bytes_of(&meta))
        .add(ENDS, bytemuck::cast_slice(&ends))
        .add(WORDS, &blob)
        .add(COUNTS, bytemuck::cast_slice(&c.counts))
        .add(ROW_PTR, bytemuck::cast_slice(&c.row_ptr))
        .add(COLS, bytemuck::cast_slice(&c.cols))
        .add(VALS, bytemuck::cast_slice(&c.vals))
        .write(path)
}

/// Read and check a count file (see the module documentation).
pub fn read(path: &Path) -> Result<Cooc> {
    let (mut f, file_len, head) = sections::open_head(path, "count file")?;
    let in_file = |e: Error| Error::new(e.kind(), format!("count file `{}`: {e}", path.display()));
    let (table, meta) =
        sections::table_and_meta(&SCHEMA, &mut f, &head, file_len, (VERSION_V1, table_v1))
            .map_err(in_file)?;
    let too_big = || corrupt(path, "vocabulary size or entry count out of range");
    let v = usize::try_from(meta.vocab).map_err(|_| too_big())?;
    if meta.vocab >= u32::MAX as u64 || meta.window == 0 || meta.window > u32::MAX as u64 {
        return Err(too_big());
    }
    // A count whose size overflows fits no section: it cannot then escape the
    // bound by the file's length.
    let needs = format!("{v} words and {} entries", meta.nnz);
    let sizes = [
        (ENDS, meta.vocab.checked_mul(8)),
        (COUNTS, meta.vocab.checked_mul(8)),
        (
            ROW_PTR,
            meta.vocab.checked_add(1).and_then(|n| n.checked_mul(8)),
        ),
        (COLS, meta.nnz.checked_mul(4)),
        (VALS, meta.nnz.checked_mul(8)),
    ];
    for (t, want) in sizes {
        table.expect_len(t, want, &needs).map_err(in_file)?;
    }
    // Every length is now bounded by the file's: allocate and read.
    let ends: Vec<u64> = table.read_vec(&mut f, ENDS).map_err(in_file)?;
    let blob: Vec<u8> = table.read_vec(&mut f, WORDS).map_err(in_file)?;
    let counts = table.read_vec(&mut f, COUNTS).map_err(in_file)?;
    let row_ptr = table.read_vec(&mut f, ROW_PTR).map_err(in_file)?;
    let cols = table.read_vec(&mut f, COLS).map_err(in_file)?;
    let vals = table.read_vec(&mut f, VALS).map_err(in_file)?;
    let words = super::words::from_sections(&ends, &blob).map_err(in_file)?;
    let c = Cooc {
        words,
        counts,
        window: meta.window as u32,
        sample: meta.sample,
        row_ptr,
        cols,
        vals,
    };
    c.check().map_err(|e| corrupt(path, e))?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn two_words(row_ptr: Vec<u64>) -> Cooc {
        Cooc {
            words: vec!["a".into(), "b".into()],
            counts: vec![2, 1],
            window: 1,
            sample: 0.0,
            row_ptr,
            cols: vec![1],
            vals: vec![1],
        }
    }

    // Found by the cooc fuzz target (fuzz/corpus/cooc/found-row-past-entries):
    // row offsets that rise past the entries and come back to their count at
    // the last row panicked (a slice out of range) instead of failing the
    // check, so reading such a file panicked.
    #[test]
    fn a_row_ending_past_the_entries_is_a_format_error() {
        assert!(two_words(vec![0, 1, 1]).check().is_ok());
        let e = two_words(vec![0, 3, 1]).check().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "{e}");
        assert!(e.to_string().contains("row 0"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.cooc");
        assert!(write(&path, &two_words(vec![0, 3, 1])).is_err());
        assert!(!path.exists());
    }

    // Found by the cooc fuzz target (fuzz/corpus/cooc/found-huge-nnz): an
    // entry count whose section sizes overflow (4 or 8 bytes an entry) skipped
    // the size check, so `read` allocated for it: a capacity-overflow panic.
    #[test]
    fn an_entry_count_whose_size_overflows_is_a_format_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cooc");
        write(&path, &two_words(vec![0, 1, 1])).unwrap();
        let good = std::fs::read(&path).unwrap();
        for nnz in [u64::MAX, u64::MAX / 4 + 1, u64::MAX / 8 + 1, 1 << 62, 2] {
            let mut bad = good.clone();
            sections::patch::edit_section(&mut bad, META, |b| {
                let at = std::mem::offset_of!(Meta, nnz);
                b[at..at + 8].copy_from_slice(&nnz.to_le_bytes());
            });
            std::fs::write(&path, &bad).unwrap();
            let e = read(&path).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format, "nnz {nnz}: {e}");
            assert!(e.to_string().contains("entries need"), "nnz {nnz}: {e}");
        }
    }
}
