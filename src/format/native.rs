//! The native model format: opened by `mmap` in constant time, shared between
//! processes, viewed without copying.
//!
//! # Layout (version 3, every integer and float little-endian)
//!
//! A [section container](super::sections) with the magic `\x93W2V\r\n\x1a\n`
//! (the high byte and the line endings catch 7-bit and text-mode
//! transfers), version 3, and these sections:
//!
//! | section | contents | alignment |
//! |---|---|---|
//! | `meta` | one [`Meta`] (24 bytes): `V`, `D`, the scan copy's `residual` | 8 |
//! | `ends` | `u64` per word: the end of word `i` in `words` (its start is the end of word `i - 1`, or 0) | 8 |
//! | `words` | the words' UTF-8 bytes, concatenated | 1 |
//! | `counts` | `u64` per word: its corpus count (word2vec files have none: they get `V - i`) | 8 |
//! | `hash` | `u32` slots of an open-addressing table: a word index or `u32::MAX` (empty); `2^k > V` slots; a word goes to slot `fnv1a64(word) mod 2^k` or the next free one | 4 |
//! | `matrix` | `V x D` `f32`, row-major | 64 |
//! | `norms` | `f32` per word: the Euclidean norm of its row (optional) | 4 |
//! | `scan8` | the 8-bit unit rows of the query engine's scan copy (`crate::model::scan`, the first pass of the top-k scan) in the byte-block layout of [`Kernels::dot_blocks_u8`](crate::simd::Kernels::dot_blocks_u8): `ceil(V / 16)` blocks of `16 x P` bytes, `P` = `D` rounded up to a multiple of 4 (optional, with `scales`) | 64 |
//! | `scales` | `f32` per word: its row's scale in `scan8` (optional, with `scan8`) | 4 |
//! | `hnsw` | one [`IndexMeta`] (64 bytes): the neighbour graph's settings, entry point and the CRC of the `matrix` it was built over (optional, with the next two) | 8 |
//! | `hnsw0` | `V` records of [`IndexMeta::record_bytes`] (`crate::model::index`): a row's scale, level, first upper list and link count (4 x 4 bytes), its `m0` level-0 links (`u32`), its 8-bit unit row padded to a multiple of 64 bytes | 64 |
//! | `hnswup` | the upper levels' link lists, `1 + m` `u32` each: a count, then the links | 4 |
//!
//! Every section but the last six is required. A section this build does
//! not know is skipped unless it is marked required (a later build's index,
//! say): such a file still opens here, without what the section adds.
//!
//! Version 2 (a fixed 200-byte header listing the same sections by position,
//! with flag bits for the optional ones; see [`super::legacy`]) is still read.
//! Version 1 (a half-precision scan copy) is not: convert the original
//! word2vec file again.
//!
//! # Opening
//!
//! [`NativeFile::open`] maps the file read-only and shared (its pages are the
//! page cache's, shared by every process that maps the file), then checks, in
//! time independent of the file's size: the container's header (magic,
//! version, table checksum, every section inside the file, aligned, after
//! the previous one), the `meta` record and its checksum, and that every
//! section has the length `V` and `D` imply. Nothing else is read: a
//! vector's pages are loaded when it is first used.
//!
//! Per-word data is checked when used: a word's bounds and UTF-8 when it is
//! read, a hash slot's index when probed. A corrupt file therefore gives
//! errors or missing words, never an out-of-bounds read. [`NativeFile::verify`]
//! reads everything and checks every section's CRC (`w2v info --verify`).

#![allow(
    unsafe_code,
    reason = "memory-maps a file (memmap2), which is unsafe by contract"
)]

use super::MAX_DIM;
use super::legacy;

mod index;

use super::sections::{self, Known, Schema, Table, Tag, Writer, tag};
use crate::error::{Error, ErrorKind, Result};
use crate::simd::{blocks_len, fits_blocks};
use bytemuck::{Pod, Zeroable};
use index::check_index;
pub use index::{IndexMeta, IndexParts, MAX_INDEX_LEVEL, MAX_INDEX_M, RECORD_HEAD, matrix_crc};
use memmap2::Mmap;
use std::fs::File;
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2V\r\n\x1a\n";
/// The format version this build writes.
pub const VERSION: u32 = 3;

/// The version before the section container, still read.
pub const VERSION_V2: u32 = 2;

/// The native model's schema over the section container.
pub static SCHEMA: Schema = Schema {
    what: "native model",
    magic: MAGIC,
    version: VERSION,
    reads: "2 or 3",
    sections: &[
        Known::required("meta", 8),
        Known::required("ends", 8),
        Known::required("words", 1),
        Known::required("counts", 8),
        Known::required("hash", 4),
        Known::required("matrix", 64),
        Known::optional("norms", 4),
        Known::optional("scan8", 64),
        Known::optional("scales", 4),
        Known::optional("hnsw", 8),
        Known::optional("hnsw0", 64),
        Known::optional("hnswup", 4),
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
/// The hash table.
pub const HASH: Tag = tag("hash");
/// The matrix.
pub const MATRIX: Tag = tag("matrix");
/// The row norms.
pub const NORMS: Tag = tag("norms");
/// The scan copy's coded rows.
pub const SCAN8: Tag = tag("scan8");
/// The scan copy's scales.
pub const SCALES: Tag = tag("scales");
/// The neighbour index's [`IndexMeta`].
pub const HNSW: Tag = tag("hnsw");
/// The neighbour index's level-0 records.
pub const HNSW0: Tag = tag("hnsw0");
/// The neighbour index's upper link lists.
pub const HNSWUP: Tag = tag("hnswup");
/// The sections a [`NativeFile`] views, in the order of its ranges.
const VIEWED: [Tag; 11] = [
    META, ENDS, WORDS, COUNTS, HASH, MATRIX, NORMS, SCAN8, SCALES, HNSW0, HNSWUP,
];

const EMPTY_SLOT: u32 = u32::MAX;

/// The `meta` section: the sizes and the scan copy's error bound.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct Meta {
    /// Number of words, `V`.
    pub vocab: u64,
    /// Vector dimension, `D`.
    pub dim: u64,
    /// The scan copy's bound on a row's rounding error
    /// ([`ScanParts::residual`]); 0 without a scan copy.
    pub residual: f32,
    /// Zero.
    pub reserved: u32,
}

/// FNV-1a, 64 bits: the hash of the `hash` section.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Slots of the hash table of `vocab` words.
pub fn hash_slots(vocab: usize) -> usize {
    (vocab.saturating_mul(2)).max(2).next_power_of_two()
}

fn corrupt(msg: impl Into<String>) -> Error {
    Error::format(msg)
}

/// The scan copy's sections: 8-bit rows in the byte-block layout, one scale
/// per row, and the bound on every row's rounding error. Built and used by
/// `crate::model::scan`; stored and mapped here.
#[derive(Debug, Clone, Copy)]
pub struct ScanParts<'a> {
    /// The coded rows, [`blocks_len`] bytes.
    pub blocks: &'a [u8],
    /// Each row's scale (0 for a zero row).
    pub scales: &'a [f32],
    /// An upper bound on every row's rounding error.
    pub residual: f32,
}

/// What a native file holds: `words` with `counts`, rows
/// `matrix[i * dim..(i + 1) * dim]`, their `norms`, and optionally the scan
/// copy.
#[derive(Debug, Clone, Copy)]
pub struct NativeParts<'a> {
    /// The words, in index order.
    pub words: &'a [&'a str],
    /// One corpus count per word.
    pub counts: &'a [u64],
    /// Vector dimension.
    pub dim: usize,
    /// `words.len() x dim` floats, row-major.
    pub matrix: &'a [f32],
    /// One Euclidean norm per row.
    pub norms: &'a [f32],
    /// The scan copy, if stored.
    pub scan: Option<ScanParts<'a>>,
    /// The neighbour index, if stored.
    pub index: Option<IndexParts<'a>>,
}

/// Write a native file, atomically (see [`super::atomic`]).
pub fn write(path: &Path, parts: &NativeParts<'_>) -> Result<()> {
    let NativeParts {
        words,
        counts,
        dim,
        matrix,
        norms,
        scan,
        index,
    } = *parts;
    let v = words.len();
    if dim == 0 {
        return Err(Error::invalid("dimension must be positive"));
    }
    if counts.len() != v
        || matrix.len() != v * dim
        || norms.len() != v
        || scan.is_some_and(|s| {
            Some(s.blocks.len()) != blocks_len(v, dim)
                || s.scales.len() != v
                || !(s.residual >= 0.0 && s.residual.is_finite())
                || !fits_blocks(dim)
        })
    {
        return Err(Error::invalid(
            "native write: words, counts, matrix, norms and scan copy disagree in length",
        ));
    }
    // Sections in memory (the matrix and norms are written straight from the caller's slices).
    let (ends, blob) = super::words::to_sections(words);
    let cap = hash_slots(v);
    let mut table = vec![EMPTY_SLOT; cap];
    for (i, w) in words.iter().enumerate() {
        let mut j = (fnv1a64(w.as_bytes()) as usize) & (cap - 1);
        while table[j] != EMPTY_SLOT {
            let other = table[j] as usize;
            if words[other] == *w {
                return Err(Error::format(format!("the word {w:?} appears twice")));
            }
            j = (j + 1) & (cap - 1);
        }
        table[j] = i as u32;
    }
    let meta = Meta {
        vocab: v as u64,
        dim: dim as u64,
        residual: scan.map_or(0.0, |s| s.residual),
        reserved: 0,
    };
    let mut w = Writer::new(&SCHEMA);
    w.add(META, bytemuck::bytes_of(&meta))
        .add(ENDS, bytemuck::cast_slice(&ends))
        .add(WORDS, &blob)
        .add(COUNTS, bytemuck::cast_slice(counts))
        .add(HASH, bytemuck::cast_slice(&table))
        .add(MATRIX, bytemuck::cast_slice(matrix))
        .add(NORMS, bytemuck::cast_slice(norms));
    if let Some(s) = scan {
        w.add(SCAN8, s.blocks)
            .add(SCALES, bytemuck::cast_slice(s.scales));
    }
    if let Some(ix) = &index {
        check_index(
            &ix.meta,
            v,
            dim,
            ix.records.len() as u64,
            ix.upper.len() as u64 * 4,
        )
        .map_err(|e| Error::invalid(format!("native write: {e}")))?;
        if ix.meta.matrix_crc != matrix_crc(matrix) {
            return Err(Error::invalid(
                "native write: the index was built over other rows",
            ));
        }
        w.add(HNSW, bytemuck::bytes_of(&ix.meta))
            .add(HNSW0, ix.records)
            .add(HNSWUP, bytemuck::cast_slice(ix.upper));
    }
    w.write(path)
}

/// Whether `bytes` start like a native model file.
pub fn has_magic(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..8] == MAGIC
}

/// A native file mapped into memory.
#[derive(Debug)]
pub struct NativeFile {
    map: Mmap,
    table: Table,
    meta: Meta,
    index: Option<IndexMeta>,
    vocab: usize,
    dim: usize,
    ranges: [(usize, usize); VIEWED.len()],
}

impl NativeFile {
    /// Map `path` and check its header and section table (constant time; see
    /// the module documentation).
    pub fn open(path: &Path) -> Result<NativeFile> {
        let ctx = |what: &str| format!("`{}`: {what}", path.display());
        let file = File::open(path).map_err(|e| Error::io(ctx("cannot open"), e))?;
        // SAFETY: the map is read-only. Its contents may change if another process
        // writes the file while it is mapped; w2v never does (its writers replace
        // files by rename, which leaves existing mappings on the old inode), and
        // every access below is bounds-checked, so a changed file gives wrong
        // values or errors, not out-of-bounds reads.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(ctx("cannot map"), e))?;
        Self::from_map(map).map_err(|e| Error::new(e.kind(), ctx(&e.to_string())))
    }

    /// The table and the `meta` record of a version 3 file, or of a version 2
    /// one read through its fixed header.
    fn table_and_meta(map: &[u8]) -> Result<(Table, Meta)> {
        let len = map.len() as u64;
        match SCHEMA.version_of(map) {
            Some(VERSION_V2) => return table_v2(map),
            Some(1) => {
                return Err(SCHEMA.unsupported(
                    1,
                    SCHEMA.reads,
                    ": version 1 files (a half-precision scan copy) are no longer read; convert the original word2vec file again",
                ));
            }
            _ => {}
        }
        let head = &map[..map.len().min(sections::MAX_HEADER_LEN)];
        let table = Table::parse(&SCHEMA, head, len)?;
        let meta = table.record_in(map, META)?;
        Ok((table, meta))
    }

    fn from_map(map: Mmap) -> Result<NativeFile> {
        if cfg!(target_endian = "big") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "native models are little-endian; this host is big-endian",
            ));
        }
        if map.len() < 8 || map[..8] != MAGIC {
            return Err(SCHEMA.wrong_magic(map.len()));
        }
        let (table, meta) = Self::table_and_meta(&map)?;
        let (vocab, dim) = check_sizes(&table, &meta)?;
        let index = match table.get(HNSW) {
            None => None,
            Some(_) => {
                let ix: IndexMeta = table.record_in(&map, HNSW)?;
                check_index(&ix, vocab, dim, table.len_of(HNSW0), table.len_of(HNSWUP))?;
                let crc = table.get(MATRIX).map_or(0, |e| e.checksum);
                if ix.matrix_crc != crc {
                    return Err(corrupt(format!(
                        "the neighbour index was built over other rows (their CRC {:08x}, this matrix's {crc:08x}): rebuild it with `w2v index`",
                        ix.matrix_crc
                    )));
                }
                Some(ix)
            }
        };
        let ranges = VIEWED.map(|t| table.range(t).unwrap_or_default());
        Ok(NativeFile {
            map,
            table,
            meta,
            index,
            vocab,
            dim,
            ranges,
        })
    }

    fn section(&self, s: usize) -> &[u8] {
        let (a, b) = self.ranges[s];
        &self.map[a..b]
    }

    fn has(&self, t: Tag) -> bool {
        self.table.get(t).is_some()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.vocab
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.vocab == 0
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The `meta` record as read.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The section table as read (the sections this build skips included).
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Size of the mapped file in bytes.
    pub fn file_len(&self) -> usize {
        self.map.len()
    }

    /// The `V x D` matrix, viewed in place.
    pub fn matrix(&self) -> &[f32] {
        // Alignment (64 within a page-aligned map) and length were checked on open.
        bytemuck::cast_slice(self.section(5))
    }

    /// Stored row norms, if the file has them.
    pub fn norms(&self) -> Option<&[f32]> {
        self.has(NORMS)
            .then(|| bytemuck::cast_slice(self.section(6)))
    }

    /// The scan copy, if the file has one.
    pub fn scan(&self) -> Option<ScanParts<'_>> {
        self.has(SCAN8).then(|| ScanParts {
            blocks: self.section(7),
            scales: bytemuck::cast_slice(self.section(8)),
            residual: self.meta.residual,
        })
    }

    /// The neighbour index, if the file has one (its settings and lengths
    /// checked on open; its links are checked where they are followed).
    pub fn index(&self) -> Option<IndexParts<'_>> {
        self.index.map(|meta| IndexParts {
            meta,
            records: self.section(9),
            upper: bytemuck::cast_slice(self.section(10)),
        })
    }

    fn ends(&self) -> &[u64] {
        bytemuck::cast_slice(self.section(1))
    }

    /// Word `i`, or `None` if `i` is out of range or its entry is corrupt
    /// (bounds outside the `words` section, not UTF-8, or holding an ASCII
    /// control byte, which no word does).
    pub fn word(&self, i: usize) -> Option<&str> {
        let ends = self.ends();
        let end = usize::try_from(*ends.get(i)?).ok()?;
        let start = if i == 0 {
            0
        } else {
            usize::try_from(ends[i - 1]).ok()?
        };
        let bytes = self.section(2).get(start..end)?;
        if bytes.iter().any(|&b| b < b' ' || b == 0x7f) {
            return None; // no word holds a control byte: the entry is corrupt
        }
        std::str::from_utf8(bytes).ok()
    }

    /// The count of word `i`.
    pub fn count(&self, i: usize) -> Option<u64> {
        bytemuck::cast_slice::<u8, u64>(self.section(3))
            .get(i)
            .copied()
    }

    /// The index of `word`, through the file's hash table.
    pub fn index_of(&self, word: &[u8]) -> Option<usize> {
        let table: &[u32] = bytemuck::cast_slice(self.section(4));
        let mask = table.len().checked_sub(1)?;
        let mut j = (fnv1a64(word) as usize) & mask;
        for _ in 0..table.len() {
            let slot = table[j];
            if slot == EMPTY_SLOT {
                return None;
            }
            let i = slot as usize;
            if self.word(i).is_some_and(|w| w.as_bytes() == word) {
                return Some(i);
            }
            j = (j + 1) & mask;
        }
        None
    }

    /// Read the whole file: every section's CRC, every word's bounds and
    /// UTF-8, and that the hash table finds every word at its index. Time
    /// proportional to the file size.
    pub fn verify(&self) -> Result<()> {
        self.table.verify(&self.map)?;
        let mut prev = 0u64;
        for (i, &e) in self.ends().iter().enumerate() {
            if e < prev || self.word(i).is_none() {
                return Err(corrupt(format!("word {i} has bad bounds or is not UTF-8")));
            }
            prev = e;
            let w = self.word(i).unwrap_or_default();
            if self.index_of(w.as_bytes()) != Some(i) {
                return Err(corrupt(format!(
                    "word {i} ({w:?}) is missing from the hash table or duplicated"
                )));
            }
        }
        Ok(())
    }
}

const _: () = assert!(std::mem::size_of::<HeaderV2>() == 200);

/// Version 2's fixed header (see [`super::legacy`]).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct HeaderV2 {
    magic: [u8; 8],
    version: u32,
    flags: u32,
    vocab: u64,
    dim: u64,
    sections: [[u64; 2]; 8],
    checksums: [u32; 8],
    residual: f32,
    header_crc: u32,
}

/// A version 2 file's table and `meta`, from its fixed header (flag bit 0:
/// norms, bit 1: the scan copy; a slot whose flag is clear is empty).
fn table_v2(map: &[u8]) -> Result<(Table, Meta)> {
    let len = map.len() as u64;
    let h: HeaderV2 = legacy::fixed_header(
        map,
        len,
        std::mem::offset_of!(HeaderV2, header_crc),
        |h: &HeaderV2| h.header_crc,
    )?;
    if h.flags & !3 != 0 {
        return Err(corrupt("unknown header flags"));
    }
    let has = |bit: u32, t: Tag| (h.flags & bit != 0).then_some(t);
    let tags = [
        Some(ENDS),
        Some(WORDS),
        Some(COUNTS),
        Some(HASH),
        Some(MATRIX),
        has(1, NORMS),
        has(2, SCAN8),
        has(2, SCALES),
    ];
    let table = legacy::table(
        &SCHEMA,
        VERSION_V2,
        std::mem::size_of::<HeaderV2>(),
        len,
        &tags,
        &h.sections,
        &h.checksums,
    )?;
    let meta = Meta {
        vocab: h.vocab,
        dim: h.dim,
        residual: h.residual,
        reserved: 0,
    };
    Ok((table, meta))
}

/// `V` and `D` from `meta`, checked in range and against every section's
/// length.
fn check_sizes(table: &Table, meta: &Meta) -> Result<(usize, usize)> {
    let too_big = || corrupt("vocabulary size or dimension out of range");
    let vocab = usize::try_from(meta.vocab).map_err(|_| too_big())?;
    let dim = usize::try_from(meta.dim).map_err(|_| too_big())?;
    if dim == 0 || dim > MAX_DIM {
        return Err(corrupt(format!(
            "dimension {dim} is out of range (1 to {MAX_DIM})"
        )));
    }
    if vocab >= EMPTY_SLOT as usize || meta.reserved != 0 {
        return Err(too_big());
    }
    let has_scan = table.get(SCAN8).is_some();
    if has_scan != table.get(SCALES).is_some() {
        return Err(corrupt("the scan copy needs both `scan8` and `scales`"));
    }
    let residual_ok = if has_scan {
        meta.residual >= 0.0 && meta.residual.is_finite() && fits_blocks(dim)
    } else {
        meta.residual == 0.0
    };
    if !residual_ok {
        return Err(corrupt("the scan copy's header fields are out of range"));
    }
    let index_parts = [HNSW, HNSW0, HNSWUP].map(|t| table.get(t).is_some());
    if index_parts.contains(&true) && index_parts.contains(&false) {
        return Err(corrupt(
            "the neighbour index needs `hnsw`, `hnsw0` and `hnswup`",
        ));
    }
    let v = vocab as u64;
    let floats = v.checked_mul(dim as u64);
    let needs = format!("{vocab} words x {dim}");
    table.expect_len(ENDS, v.checked_mul(8), &needs)?;
    table.expect_len(COUNTS, v.checked_mul(8), &needs)?;
    table.expect_len(HASH, Some(hash_slots(vocab) as u64 * 4), &needs)?;
    table.expect_len(MATRIX, floats.and_then(|f| f.checked_mul(4)), &needs)?;
    if table.get(NORMS).is_some() {
        table.expect_len(NORMS, v.checked_mul(4), &needs)?;
    }
    if has_scan {
        let blocks = blocks_len(vocab, dim).map(|b| b as u64);
        table.expect_len(SCAN8, blocks, &needs)?;
        table.expect_len(SCALES, v.checked_mul(4), &needs)?;
    }
    Ok((vocab, dim))
}
