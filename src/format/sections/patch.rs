//! Edits to a container file's bytes that keep its checksums right: for
//! tests and fuzz targets that need a wrong value behind a right checksum
//! (a length, an offset, a size in `meta`), so that the check after the
//! checksum is the one they reach. Nothing in w2v edits files so.
//!
//! Each function expects `bytes` to hold a whole header (as a file written
//! by [`Writer`](super::Writer) does) and panics otherwise.

use super::{Entry, PRELUDE_LEN, TRAILER_LEN, Tag, header_len};

/// The number of sections the header lists.
pub fn count(bytes: &[u8]) -> usize {
    u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize
}

/// The table's entries, as stored.
pub fn entries(bytes: &[u8]) -> Vec<Entry> {
    let end = header_len(count(bytes)) - TRAILER_LEN;
    bytes[PRELUDE_LEN..end]
        .chunks_exact(std::mem::size_of::<Entry>())
        .map(bytemuck::pod_read_unaligned)
        .collect()
}

/// Write `entries` over the table (as many as it has) and reseal it.
pub fn set_entries(bytes: &mut [u8], entries: &[Entry]) {
    for (i, e) in entries.iter().enumerate().take(count(bytes)) {
        let at = PRELUDE_LEN + i * std::mem::size_of::<Entry>();
        bytes[at..at + std::mem::size_of::<Entry>()].copy_from_slice(bytemuck::bytes_of(e));
    }
    reseal(bytes);
}

/// Recompute the header's checksum after an edit of the header.
pub fn reseal(bytes: &mut [u8]) {
    let at = header_len(count(bytes)) - TRAILER_LEN;
    let crc = crc32fast::hash(&bytes[..at]);
    bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
}

/// Edit section `t`'s bytes in place, then set its checksum and reseal.
///
/// # Panics
///
/// If the file has no section `t`.
pub fn edit_section(bytes: &mut [u8], t: Tag, f: impl FnOnce(&mut [u8])) {
    let mut all = entries(bytes);
    let e = all
        .iter_mut()
        .find(|e| e.tag == t)
        .expect("no such section");
    let (a, b) = e.range();
    f(&mut bytes[a..b]);
    e.checksum = crc32fast::hash(&bytes[a..b]);
    set_entries(bytes, &all);
}
