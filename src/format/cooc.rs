//! The co-occurrence count file: a sparse symmetric matrix of windowed pair
//! counts over a vocabulary, as `w2v cooc` writes it and `w2v spectral`
//! reads it.
//!
//! # Layout (version 1, every integer and float little-endian)
//!
//! A 176-byte [header](Header), then six sections, each at the offset and
//! with the length (in bytes) the header gives, in this order, 8-byte
//! aligned and separated by zero padding:
//!
//! | section | contents |
//! |---|---|
//! | `word_ends` | `u64` per word: the end of word `i` in `words` |
//! | `words` | the words' UTF-8 bytes, concatenated, most frequent first |
//! | `counts` | `u64` per word: its tokens counted (after subsampling) |
//! | `row_ptr` | `u64` per word, plus one: where row `i` starts in `cols` and `vals` |
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
//! Header: `magic` (`\x93W2VCOC\n`), `version` (1), `flags` (0), `V`, the
//! `window`, the number of stored entries `nnz`, the subsampling threshold
//! `sample` (`f64`, 0 for none), the six `(offset, length)` pairs, a CRC-32 per
//! section, and a CRC-32 of the header's other bytes.
//!
//! [`read`] checks everything before returning: magic, version, header CRC,
//! that every section lies in the file with the length `V` and `nnz` imply
//! (before allocating), every section's CRC, and the matrix's structure.

use super::atomic::write_atomically;
use crate::error::{Error, ErrorKind, Result};
use bytemuck::{Pod, Zeroable};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2VCOC\n";
/// The format version this build reads and writes.
pub const VERSION: u32 = 1;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = std::mem::size_of::<Header>();
const _: () = assert!(HEADER_LEN == 176);

const SECTIONS: usize = 6;
const SECTION_NAMES: [&str; SECTIONS] = ["word_ends", "words", "counts", "row_ptr", "cols", "vals"];
const HEADER_CRC_SPAN: usize = HEADER_LEN - 8;

/// The count file header (little-endian on disk).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct Header {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// [`VERSION`].
    pub version: u32,
    /// Zero in version 1.
    pub flags: u32,
    /// Number of words.
    pub vocab: u64,
    /// The window radius `W`; weights are in units of `1 / W`.
    pub window: u64,
    /// Stored (upper-triangle) entries.
    pub nnz: u64,
    /// The subsampling threshold used while counting (0: none).
    pub sample: f64,
    /// `(offset, length)` in bytes of each section.
    pub sections: [[u64; 2]; SECTIONS],
    /// CRC-32 (IEEE) of each section's bytes.
    pub checksums: [u32; SECTIONS],
    /// CRC-32 of the header's bytes before this field.
    pub header_crc: u32,
    /// Zero (padding to a multiple of 8 bytes).
    pub reserved: u32,
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

fn corrupt(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::format(format!("count file `{}`: {m}", path.display()))
}

/// Write `c` to `path`, atomically. `c` must pass [`Cooc::check`].
pub fn write(path: &Path, c: &Cooc) -> Result<()> {
    c.check()?;
    if cfg!(target_endian = "big") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "count files are little-endian; writing one on a big-endian host is not supported",
        ));
    }
    let mut ends = Vec::with_capacity(c.len());
    let mut blob = Vec::new();
    for w in &c.words {
        blob.extend_from_slice(w.as_bytes());
        ends.push(blob.len() as u64);
    }
    let parts: [&[u8]; SECTIONS] = [
        bytemuck::cast_slice(&ends),
        &blob,
        bytemuck::cast_slice(&c.counts),
        bytemuck::cast_slice(&c.row_ptr),
        bytemuck::cast_slice(&c.cols),
        bytemuck::cast_slice(&c.vals),
    ];
    let mut h = Header::zeroed();
    h.magic = MAGIC;
    h.version = VERSION;
    h.vocab = c.len() as u64;
    h.window = c.window as u64;
    h.nnz = c.nnz() as u64;
    h.sample = c.sample;
    let mut pos = HEADER_LEN;
    for (s, part) in parts.iter().enumerate() {
        pos = pos.next_multiple_of(8);
        h.sections[s] = [pos as u64, part.len() as u64];
        h.checksums[s] = crc32fast::hash(part);
        pos += part.len();
    }
    h.header_crc = crc32fast::hash(&bytemuck::bytes_of(&h)[..HEADER_CRC_SPAN]);
    write_atomically(path, |w| {
        w.write_all(bytemuck::bytes_of(&h))?;
        let mut pos = HEADER_LEN;
        for (s, part) in parts.iter().enumerate() {
            let start = h.sections[s][0] as usize;
            w.write_all(&[0u8; 8][..start - pos])?;
            w.write_all(part)?;
            pos = start + part.len();
        }
        Ok(())
    })
}

/// Read and check a count file (see the module documentation).
pub fn read(path: &Path) -> Result<Cooc> {
    let ctx = |what: &str| format!("cannot {what} count file `{}`", path.display());
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(ctx("open"), e))?;
    let file_len = f.metadata().map_err(|e| Error::io(ctx("read"), e))?.len();
    let mut head = [0u8; HEADER_LEN];
    if file_len < 8 {
        return Err(corrupt(path, "not a w2v count file (too short)"));
    }
    let n = (file_len as usize).min(HEADER_LEN);
    f.read_exact(&mut head[..n])
        .map_err(|e| Error::io(ctx("read"), e))?;
    if head[..8] != MAGIC {
        return Err(corrupt(path, "not a w2v count file (wrong magic)"));
    }
    if n < HEADER_LEN {
        return Err(corrupt(
            path,
            format!("truncated: {file_len} bytes, the header alone is {HEADER_LEN}"),
        ));
    }
    let h: Header = bytemuck::pod_read_unaligned(&head);
    if h.version != VERSION {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "count file `{}`: version {} (this build reads version {VERSION})",
                path.display(),
                h.version
            ),
        ));
    }
    if crc32fast::hash(&head[..HEADER_CRC_SPAN]) != h.header_crc {
        return Err(corrupt(
            path,
            "header checksum mismatch: the file is corrupt",
        ));
    }
    if h.flags != 0 || h.reserved != 0 {
        return Err(corrupt(path, "unknown header flags"));
    }
    let too_big = || corrupt(path, "vocabulary size or entry count out of range");
    let v = usize::try_from(h.vocab).map_err(|_| too_big())?;
    let nnz = usize::try_from(h.nnz).map_err(|_| too_big())?;
    if h.vocab >= u32::MAX as u64 || h.window == 0 || h.window > u32::MAX as u64 {
        return Err(too_big());
    }
    // Whether section `s` has the size the header's counts give it (`words`:
    // any). A count whose size overflows fits no section: it cannot then
    // escape the bound by the file's length.
    let fits = |s: usize, len: u64| -> bool {
        let want = match s {
            0 | 2 => h.vocab.checked_mul(8),
            3 => h.vocab.checked_add(1).and_then(|n| n.checked_mul(8)),
            4 => h.nnz.checked_mul(4),
            5 => h.nnz.checked_mul(8),
            _ => return true,
        };
        want == Some(len)
    };
    let mut prev_end = HEADER_LEN as u64;
    for (s, &[off, len]) in h.sections.iter().enumerate() {
        let name = SECTION_NAMES[s];
        let end = off.checked_add(len).filter(|&e| e <= file_len).ok_or_else(|| {
            corrupt(
                path,
                format!("truncated: section `{name}` ends past the end of the file ({file_len} bytes)"),
            )
        })?;
        if off < prev_end || off % 8 != 0 {
            return Err(corrupt(
                path,
                format!("section `{name}` at offset {off} overlaps or is misaligned"),
            ));
        }
        if !fits(s, len) {
            return Err(corrupt(
                path,
                format!(
                    "section `{name}` has {len} bytes, {v} words and {nnz} entries need another size"
                ),
            ));
        }
        prev_end = end;
    }
    // Every length is now bounded by the file's: allocate and read.
    let mut section = |s: usize, out: &mut [u8]| -> Result<()> {
        f.seek(SeekFrom::Start(h.sections[s][0]))
            .and_then(|_| f.read_exact(out))
            .map_err(|e| Error::io(ctx("read"), e))?;
        if crc32fast::hash(out) != h.checksums[s] {
            return Err(corrupt(
                path,
                format!(
                    "section `{}` checksum mismatch: the file is corrupt",
                    SECTION_NAMES[s]
                ),
            ));
        }
        Ok(())
    };
    let mut ends = vec![0u64; v];
    section(0, bytemuck::cast_slice_mut(&mut ends))?;
    let mut blob = vec![0u8; h.sections[1][1] as usize];
    section(1, &mut blob)?;
    let mut counts = vec![0u64; v];
    section(2, bytemuck::cast_slice_mut(&mut counts))?;
    let mut row_ptr = vec![0u64; v + 1];
    section(3, bytemuck::cast_slice_mut(&mut row_ptr))?;
    let mut cols = vec![0u32; nnz];
    section(4, bytemuck::cast_slice_mut(&mut cols))?;
    let mut vals = vec![0u64; nnz];
    section(5, bytemuck::cast_slice_mut(&mut vals))?;
    let mut words = Vec::with_capacity(v);
    let mut start = 0usize;
    for (i, &e) in ends.iter().enumerate() {
        let word = usize::try_from(e)
            .ok()
            .filter(|&e| e >= start && e <= blob.len())
            .and_then(|e| std::str::from_utf8(&blob[start..e]).ok().map(|w| (w, e)));
        let Some((w, e)) = word else {
            return Err(corrupt(
                path,
                format!("word {i} has bad bounds or is not UTF-8"),
            ));
        };
        words.push(Box::<str>::from(w));
        start = e;
    }
    let c = Cooc {
        words,
        counts,
        window: h.window as u32,
        sample: h.sample,
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
            let at = std::mem::offset_of!(Header, nnz);
            bad[at..at + 8].copy_from_slice(&nnz.to_le_bytes());
            let crc = crc32fast::hash(&bad[..HEADER_CRC_SPAN]);
            let at = std::mem::offset_of!(Header, header_crc);
            bad[at..at + 4].copy_from_slice(&crc.to_le_bytes());
            std::fs::write(&path, &bad).unwrap();
            let e = read(&path).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format, "nnz {nnz}: {e}");
            assert!(
                e.to_string().contains("need another size"),
                "nnz {nnz}: {e}"
            );
        }
    }
}
