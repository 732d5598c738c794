//! Files written before the section container: native models of version 2,
//! count files and checkpoints of version 1. Each had a fixed header that
//! listed its sections by position, with a CRC-32 of the header; here each
//! header becomes a [`Table`] of the same sections under their tags (and the
//! header's sizes the schema's `meta` record), so that one reader serves
//! both the old files and the new.
//!
//! | file | header | sections, in order |
//! |---|---|---|
//! | native v2 | 200 bytes: magic, version, flags (bit 0 norms, bit 1 scan copy), `V`, `D`, 8 `(offset, length)` pairs, 8 CRCs, residual, header CRC | ends, words, counts, hash, matrix, norms, scan8, scales |
//! | count file v1 | 176 bytes: magic, version, flags (0), `V`, window, `nnz`, sample, 6 pairs, 6 CRCs, header CRC, zero | ends, words, counts, rowptr, cols, vals |
//! | checkpoint v1 | 264 bytes: magic, version, flags (0), `V`, `D`, `R`, threads, epochs, 10 pairs, 10 CRCs, header CRC, zero | config, run, corpus, workers, losses, ends, words, counts, syn0, syn1 |
//!
//! Nothing writes these versions any more.

use super::sections::{Entry, META, Schema, Table, Tag};
use crate::error::{Error, Result};
use bytemuck::Pod;

/// The fixed header `H` at the start of `head` (of a file of `file_len`
/// bytes), its checksum `crc(h)` over every byte before `crc_at` checked.
pub fn fixed_header<H: Pod>(
    head: &[u8],
    file_len: u64,
    crc_at: usize,
    crc: impl Fn(&H) -> u32,
) -> Result<H> {
    let len = std::mem::size_of::<H>();
    if head.len() < len {
        return Err(Error::format(format!(
            "truncated: {file_len} bytes, the header alone is {len}"
        )));
    }
    let h: H = bytemuck::pod_read_unaligned(&head[..len]);
    if crc32fast::hash(&head[..crc_at]) != crc(&h) {
        return Err(Error::format(
            "header checksum mismatch: the file is corrupt",
        ));
    }
    Ok(h)
}

/// The table of an earlier version's positional sections: each slot's tag
/// (`None`: a slot the header's flags leave out, which must be empty), its
/// `(offset, length)` and its checksum. The schema's `meta` comes from the
/// fixed header instead.
pub fn table(
    schema: &'static Schema,
    version: u32,
    header_len: usize,
    file_len: u64,
    tags: &[Option<Tag>],
    sections: &[[u64; 2]],
    checksums: &[u32],
) -> Result<Table> {
    let mut entries = Vec::new();
    for ((t, &[offset, length]), &checksum) in tags.iter().zip(sections).zip(checksums) {
        match *t {
            Some(tag) => entries.push(Entry {
                tag,
                offset,
                length,
                checksum,
                flags: 0,
            }),
            None if length != 0 => {
                return Err(Error::format(format!(
                    "a section the header's flags leave out has {length} bytes, not 0"
                )));
            }
            None => {}
        }
    }
    Table::new(schema, version, header_len, entries, file_len, &[META])
}
