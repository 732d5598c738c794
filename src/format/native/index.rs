//! The neighbour index's sections of the native model (`hnsw`, `hnsw0`,
//! `hnswup`; what they mean is `crate::model::index`'s): the settings record,
//! the parts as viewed, and the checks made on open.

use super::corrupt;
use crate::error::Result;
use crate::simd::fits_blocks;
use bytemuck::{Pod, Zeroable};

/// The largest `m` (links per node above level 0) an index may have.
pub const MAX_INDEX_M: u32 = 256;
/// The most levels above level 0 an index may have.
pub const MAX_INDEX_LEVEL: u32 = 32;
/// Bytes before the links in a level-0 record: scale, level, first upper
/// list, link count.
pub const RECORD_HEAD: usize = 16;

/// The `hnsw` section: the neighbour graph's settings and where to start.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct IndexMeta {
    /// Rows covered: the model's `V`.
    pub vocab: u64,
    /// Lists in `hnswup`.
    pub upper_lists: u64,
    /// The seed that drew the levels.
    pub seed: u64,
    /// Links per node above level 0.
    pub m: u32,
    /// Links per node at level 0 (`2 m`).
    pub m0: u32,
    /// The breadth of the searches that built the graph.
    pub ef_construction: u32,
    /// The entry point: the node on the top level.
    pub entry: u32,
    /// The top level.
    pub max_level: u32,
    /// Bytes per level-0 record ([`IndexMeta::record_len`]).
    pub record_bytes: u32,
    /// Bytes of the 8-bit row in a record: `D` rounded up to a multiple of 64.
    pub code_bytes: u32,
    /// CRC-32 of the `matrix` section the graph was built over.
    pub matrix_crc: u32,
    /// Zero.
    pub reserved: [u32; 2],
}

impl IndexMeta {
    /// The code bytes of a record at dimension `dim`.
    pub fn code_len(dim: usize) -> usize {
        dim.next_multiple_of(64)
    }

    /// Bytes of a level-0 record: the head, `m0` links, the code, rounded up
    /// to 16. `None` on overflow.
    pub fn record_len(m0: usize, code_bytes: usize) -> Option<usize> {
        m0.checked_mul(4)?
            .checked_add(RECORD_HEAD)?
            .checked_add(code_bytes)?
            .checked_next_multiple_of(16)
    }

    /// Where a record's code starts.
    pub fn code_offset(&self) -> usize {
        RECORD_HEAD + 4 * self.m0 as usize
    }
}

/// The CRC-32 of a matrix as the `matrix` section stores it: what an index
/// records of the rows it was built over.
pub fn matrix_crc(matrix: &[f32]) -> u32 {
    crc32fast::hash(bytemuck::cast_slice(matrix))
}

/// The neighbour index's sections.
#[derive(Debug, Clone, Copy)]
pub struct IndexParts<'a> {
    /// Its settings.
    pub meta: IndexMeta,
    /// `V` level-0 records.
    pub records: &'a [u8],
    /// The upper lists.
    pub upper: &'a [u32],
}

/// An index's settings against the model's `V` and `D` and its sections'
/// lengths (`records` and `upper` in bytes).
pub(super) fn check_index(
    ix: &IndexMeta,
    vocab: usize,
    dim: usize,
    records: u64,
    upper: u64,
) -> Result<()> {
    let bad = |what: &str| Err(corrupt(format!("the neighbour index's {what}")));
    if ix.vocab != vocab as u64 {
        return bad(&format!(
            "row count {} is not the model's {vocab}: rebuild it with `w2v index`",
            ix.vocab
        ));
    }
    if !(2..=MAX_INDEX_M).contains(&ix.m) || ix.m0 != 2 * ix.m {
        return bad(&format!(
            "links per node ({} and {}) are out of range",
            ix.m, ix.m0
        ));
    }
    if ix.max_level > MAX_INDEX_LEVEL || (vocab > 0 && ix.entry as usize >= vocab) {
        return bad("entry point or top level is out of range");
    }
    if ix.code_bytes as usize != IndexMeta::code_len(dim)
        || !fits_blocks(dim)
        || ix.reserved != [0; 2]
    {
        return bad("row code length does not match the dimension");
    }
    if IndexMeta::record_len(ix.m0 as usize, ix.code_bytes as usize)
        != Some(ix.record_bytes as usize)
    {
        return bad("record length does not match its settings");
    }
    if (vocab as u64).checked_mul(ix.record_bytes as u64) != Some(records) {
        return bad(&format!(
            "level-0 section has {records} bytes, not {vocab} records of {}",
            ix.record_bytes
        ));
    }
    let list = 4 * (1 + ix.m as u64);
    if ix.upper_lists.checked_mul(list) != Some(upper)
        || ix.upper_lists > vocab as u64 * ix.max_level as u64
    {
        return bad(&format!(
            "upper section has {upper} bytes, not {} lists of {list}",
            ix.upper_lists
        ));
    }
    Ok(())
}
