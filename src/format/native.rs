//! The native model format: opened by `mmap` in constant time, shared between
//! processes, viewed without copying.
//!
//! # Layout (version 2, every integer and float little-endian)
//!
//! A 200-byte [header](Header), then eight sections, each at the offset and with
//! the length (in bytes) the header gives, in this order, separated by zero
//! padding:
//!
//! | section | contents | alignment |
//! |---|---|---|
//! | `word_ends` | `u64` per word: the end of word `i` in `words` (its start is the end of word `i - 1`, or 0) | 8 |
//! | `words` | the words' UTF-8 bytes, concatenated | 1 |
//! | `counts` | `u64` per word: its corpus count (word2vec files have none: they get `V - i`) | 8 |
//! | `hash` | `u32` slots of an open-addressing table: a word index or `u32::MAX` (empty); `2^k > V` slots; a word goes to slot `fnv1a64(word) mod 2^k` or the next free one | 4 |
//! | `matrix` | `V x D` `f32`, row-major | 64 |
//! | `norms` | `f32` per word: the Euclidean norm of its row (present when flag bit 0 is set, else empty) | 4 |
//! | `scan8` | the 8-bit unit rows of the query engine's scan copy (`crate::model::scan`, the first pass of the top-k scan) in the byte-block layout of [`Kernels::dot_blocks_u8`](crate::simd::Kernels::dot_blocks_u8): `ceil(V / 16)` blocks of `16 x P` bytes, `P` = `D` rounded up to a multiple of 4 (present when flag bit 1 is set, else empty) | 64 |
//! | `scales` | `f32` per word: its row's scale in `scan8` (present with `scan8`) | 4 |
//!
//! Header: `magic` (`\x93W2V\r\n\x1a\n`: the high byte and the line endings
//! catch 7-bit and text-mode transfers), `version` (2), `flags`, `V`, `D`,
//! the eight `(offset, length)` pairs, a CRC-32 per section, the scan copy's
//! `residual` (`f32`, 0 without it), and a CRC-32 of the header's first 196
//! bytes. Version 1 (a half-precision scan copy) is not read: convert the
//! original word2vec file again.
//!
//! # Opening
//!
//! [`NativeFile::open`] maps the file read-only and shared (its pages are the
//! page cache's, shared by every process that maps the file), then checks, in
//! time independent of the file's size: the magic, the version, the header
//! checksum, and that every section lies inside the file, has the length `V`
//! and `D` imply, is aligned, and follows the previous one. Nothing else is
//! read: a vector's pages are loaded when it is first used.
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
use super::atomic::write_atomically;
use crate::error::{Error, ErrorKind, Result};
use crate::simd::{blocks_len, fits_blocks};
use bytemuck::{Pod, Zeroable};
use memmap2::Mmap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2V\r\n\x1a\n";
/// The format version this build reads and writes.
pub const VERSION: u32 = 2;
/// Flag bit: the `norms` section is present.
pub const FLAG_NORMS: u32 = 1;
/// Flag bit: the `scan8` and `scales` sections are present.
pub const FLAG_SCAN: u32 = 2;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = std::mem::size_of::<Header>();

const SECTIONS: usize = 8;
const SECTION_NAMES: [&str; SECTIONS] = [
    "word_ends",
    "words",
    "counts",
    "hash",
    "matrix",
    "norms",
    "scan8",
    "scales",
];
const ALIGN: [usize; SECTIONS] = [8, 1, 8, 4, 64, 4, 64, 4];
const WORD_ENDS: usize = 0;
const WORDS: usize = 1;
const COUNTS: usize = 2;
const HASH: usize = 3;
const MATRIX: usize = 4;
const NORMS: usize = 5;
const SCAN8: usize = 6;
const SCALES: usize = 7;
const EMPTY_SLOT: u32 = u32::MAX;

/// The native file header (little-endian on disk).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct Header {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// [`VERSION`].
    pub version: u32,
    /// Bit 0: [`FLAG_NORMS`], bit 1: [`FLAG_SCAN`]. Other bits are zero in version 2.
    pub flags: u32,
    /// Number of words.
    pub vocab: u64,
    /// Vector dimension.
    pub dim: u64,
    /// `(offset, length)` in bytes of each section.
    pub sections: [[u64; 2]; SECTIONS],
    /// CRC-32 (IEEE) of each section's bytes.
    pub checksums: [u32; SECTIONS],
    /// The scan copy's bound on a row's rounding error
    /// ([`ScanParts::residual`]); 0 without a scan copy.
    pub residual: f32,
    /// CRC-32 of the header's bytes before this field.
    pub header_crc: u32,
}

const HEADER_CRC_SPAN: usize = HEADER_LEN - 4;

/// FNV-1a, 64 bits: the hash of the `hash` section.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn hash_slots(vocab: usize) -> usize {
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
    let mut ends = Vec::with_capacity(v);
    let mut blob = Vec::new();
    for w in words {
        blob.extend_from_slice(w.as_bytes());
        ends.push(blob.len() as u64);
    }
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
    let parts: [&[u8]; SECTIONS] = [
        bytemuck::cast_slice(&ends),
        &blob,
        bytemuck::cast_slice(counts),
        bytemuck::cast_slice(&table),
        bytemuck::cast_slice(matrix),
        bytemuck::cast_slice(norms),
        scan.map_or(&[][..], |s| s.blocks),
        bytemuck::cast_slice(scan.map_or(&[][..], |s| s.scales)),
    ];
    let mut header = Header::zeroed();
    header.magic = MAGIC;
    header.version = VERSION;
    header.flags = FLAG_NORMS | if scan.is_some() { FLAG_SCAN } else { 0 };
    header.residual = scan.map_or(0.0, |s| s.residual);
    header.vocab = v as u64;
    header.dim = dim as u64;
    let mut pos = HEADER_LEN;
    for (s, part) in parts.iter().enumerate() {
        pos = pos.next_multiple_of(ALIGN[s]);
        header.sections[s] = [pos as u64, part.len() as u64];
        header.checksums[s] = crc32fast::hash(part);
        pos += part.len();
    }
    header.header_crc = crc32fast::hash(&bytemuck::bytes_of(&header)[..HEADER_CRC_SPAN]);
    if cfg!(target_endian = "big") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "the native format is little-endian; writing it on a big-endian host is not supported",
        ));
    }
    write_atomically(path, |w| {
        w.write_all(bytemuck::bytes_of(&header))?;
        let mut pos = HEADER_LEN;
        let zeros = [0u8; 64];
        for (s, part) in parts.iter().enumerate() {
            let start = header.sections[s][0] as usize;
            w.write_all(&zeros[..start - pos])?;
            w.write_all(part)?;
            pos = start + part.len();
        }
        Ok(())
    })
}

/// Whether `bytes` start like a native model file.
pub fn has_magic(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..8] == MAGIC
}

/// A native file mapped into memory.
#[derive(Debug)]
pub struct NativeFile {
    map: Mmap,
    header: Header,
    vocab: usize,
    dim: usize,
    ranges: [(usize, usize); SECTIONS],
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

    fn from_map(map: Mmap) -> Result<NativeFile> {
        if cfg!(target_endian = "big") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "native models are little-endian; this host is big-endian",
            ));
        }
        let len = map.len();
        if len < 8 || map[..8] != MAGIC {
            return Err(corrupt("not a w2v native model (wrong magic)"));
        }
        // The version first: another version's header may have another size.
        if len >= 12 {
            let version = u32::from_le_bytes([map[8], map[9], map[10], map[11]]);
            if version != VERSION {
                let hint = if version == 1 {
                    ": version 1 files (a half-precision scan copy) are no longer read; convert the original word2vec file again"
                } else {
                    ""
                };
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "native format version {version} (this build reads version {VERSION}){hint}"
                    ),
                ));
            }
        }
        if len < HEADER_LEN {
            return Err(corrupt(format!(
                "truncated: {len} bytes, the header alone is {HEADER_LEN}"
            )));
        }
        let header: Header = bytemuck::pod_read_unaligned(&map[..HEADER_LEN]);
        if crc32fast::hash(&map[..HEADER_CRC_SPAN]) != header.header_crc {
            return Err(corrupt("header checksum mismatch: the file is corrupt"));
        }
        if header.flags & !(FLAG_NORMS | FLAG_SCAN) != 0 {
            return Err(corrupt("unknown header flags"));
        }
        let too_big = || corrupt("vocabulary size or dimension out of range");
        let vocab = usize::try_from(header.vocab).map_err(|_| too_big())?;
        let dim = usize::try_from(header.dim).map_err(|_| too_big())?;
        if dim == 0 || dim > MAX_DIM {
            return Err(corrupt(format!(
                "dimension {dim} is out of range (1 to {MAX_DIM})"
            )));
        }
        if vocab >= EMPTY_SLOT as usize {
            return Err(too_big());
        }
        let has_scan = header.flags & FLAG_SCAN != 0;
        let residual_ok = if has_scan {
            header.residual >= 0.0 && header.residual.is_finite() && fits_blocks(dim)
        } else {
            header.residual == 0.0
        };
        if !residual_ok {
            return Err(corrupt("the scan copy's header fields are out of range"));
        }
        let floats = vocab.checked_mul(dim).ok_or_else(too_big)?;
        let matrix_bytes = floats.checked_mul(4).ok_or_else(too_big)?;
        let mut ranges = [(0usize, 0usize); SECTIONS];
        let mut prev_end = HEADER_LEN;
        for (s, &[off, n]) in header.sections.iter().enumerate() {
            let name = SECTION_NAMES[s];
            let (off, n) = (
                usize::try_from(off).map_err(|_| too_big())?,
                usize::try_from(n).map_err(|_| too_big())?,
            );
            let end = off.checked_add(n).filter(|&e| e <= len).ok_or_else(|| {
                corrupt(format!(
                    "truncated: section `{name}` ends past the end of the file ({len} bytes)"
                ))
            })?;
            if off < prev_end || !off.is_multiple_of(ALIGN[s]) {
                return Err(corrupt(format!(
                    "section `{name}` at offset {off} overlaps or is misaligned"
                )));
            }
            let want = match s {
                WORD_ENDS | COUNTS => Some(vocab * 8),
                HASH => Some(hash_slots(vocab) * 4),
                MATRIX => Some(matrix_bytes),
                NORMS => Some(if header.flags & FLAG_NORMS != 0 {
                    vocab * 4
                } else {
                    0
                }),
                SCAN8 => Some(if has_scan {
                    blocks_len(vocab, dim).ok_or_else(too_big)?
                } else {
                    0
                }),
                SCALES => Some(if has_scan { vocab * 4 } else { 0 }),
                _ => None,
            };
            if want.is_some_and(|w| w != n) {
                return Err(corrupt(format!(
                    "section `{name}` has {n} bytes, {vocab} words x {dim} need {}",
                    want.unwrap_or(0)
                )));
            }
            ranges[s] = (off, end);
            prev_end = end;
        }
        Ok(NativeFile {
            map,
            header,
            vocab,
            dim,
            ranges,
        })
    }

    fn section(&self, s: usize) -> &[u8] {
        let (a, b) = self.ranges[s];
        &self.map[a..b]
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

    /// The header as read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Size of the mapped file in bytes.
    pub fn file_len(&self) -> usize {
        self.map.len()
    }

    /// The `V x D` matrix, viewed in place.
    pub fn matrix(&self) -> &[f32] {
        // Alignment (64 within a page-aligned map) and length were checked on open.
        bytemuck::cast_slice(self.section(MATRIX))
    }

    /// Stored row norms, if the file has them.
    pub fn norms(&self) -> Option<&[f32]> {
        (self.header.flags & FLAG_NORMS != 0).then(|| bytemuck::cast_slice(self.section(NORMS)))
    }

    /// The scan copy, if the file has one.
    pub fn scan(&self) -> Option<ScanParts<'_>> {
        (self.header.flags & FLAG_SCAN != 0).then(|| ScanParts {
            blocks: self.section(SCAN8),
            scales: bytemuck::cast_slice(self.section(SCALES)),
            residual: self.header.residual,
        })
    }

    fn ends(&self) -> &[u64] {
        bytemuck::cast_slice(self.section(WORD_ENDS))
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
        let bytes = self.section(WORDS).get(start..end)?;
        if bytes.iter().any(|&b| b < b' ' || b == 0x7f) {
            return None; // no word holds a control byte: the entry is corrupt
        }
        std::str::from_utf8(bytes).ok()
    }

    /// The count of word `i`.
    pub fn count(&self, i: usize) -> Option<u64> {
        bytemuck::cast_slice::<u8, u64>(self.section(COUNTS))
            .get(i)
            .copied()
    }

    /// The index of `word`, through the file's hash table.
    pub fn index_of(&self, word: &[u8]) -> Option<usize> {
        let table: &[u32] = bytemuck::cast_slice(self.section(HASH));
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
        for (s, name) in SECTION_NAMES.iter().enumerate() {
            if crc32fast::hash(self.section(s)) != self.header.checksums[s] {
                return Err(corrupt(format!(
                    "section `{name}` checksum mismatch: the file is corrupt"
                )));
            }
        }
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
