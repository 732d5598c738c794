//! The section container every binary file of w2v is built on: a short
//! header with a tagged table of sections, then the sections' bytes, each
//! aligned for viewing in place.
//!
//! The native model, the count file and the checkpoint are *schemas* over it
//! (a [`Schema`]: a magic, a version and the sections it knows). A reader
//! checks the table once, then hands out each section's bytes by its tag; a
//! writer appends sections and writes the table in front of them. A section
//! a reader does not know is skipped unless its entry says it is
//! [`REQUIRED`]: so a later file that adds an index or subword buckets still
//! opens in this build where that is safe, and is refused, by name, where it
//! is not. finalfusion's chunks follow the same idea.
//!
//! # Layout (every integer little-endian)
//!
//! | bytes | contents |
//! |---|---|
//! | 8 | the schema's magic |
//! | 4 | the schema's version |
//! | 4 | `n`, the number of sections (at most [`MAX_SECTIONS`]) |
//! | `32 n` | one [`Entry`] per section, in the order of their offsets: `tag` (8 bytes: an ASCII name padded with zero bytes), `offset`, `length` (`u64`, bytes from the file's start), `checksum` (CRC-32 of the section's bytes), `flags` (`u32`: bit 0 [`REQUIRED`]) |
//! | 4 | CRC-32 of every byte before it |
//! | 4 | zero |
//!
//! Then each section at its offset, after zero padding that aligns it (the
//! schema gives each known section's alignment: 64 for matrices, so that a
//! mapped file's rows start on cache lines). Sections do not overlap and
//! come in table order; bytes after the last one are ignored.
//!
//! Opening checks, in time independent of the sections' sizes: the magic,
//! the version, the table's size and checksum, that every section lies in
//! the file after the previous one, that known sections are aligned, that
//! tags are unique and well formed, that no unknown section is required and
//! that every section the schema needs is there. Each schema then checks
//! the lengths its own numbers imply. A section's checksum is checked when
//! it is read ([`Table::read_vec`]) or verified ([`Table::verify`]): a
//! mapped model's matrix is not read on open.

use crate::error::{Error, ErrorKind, Result};
use bytemuck::{Pod, Zeroable};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A section's name: up to 8 ASCII bytes, padded with zero bytes.
pub type Tag = [u8; 8];

/// Entry flag: a reader that does not know this section must refuse the file
/// (the other sections' meaning depends on it).
pub const REQUIRED: u32 = 1;

/// The section every schema keeps its sizes in.
pub const META: Tag = tag("meta");

/// The most sections a file may list.
pub const MAX_SECTIONS: usize = 64;

/// Bytes before the table: magic, version, section count.
const PRELUDE_LEN: usize = 16;
/// Bytes after the table: its checksum and a zero word.
const TRAILER_LEN: usize = 8;
/// The most header bytes a file can have.
pub const MAX_HEADER_LEN: usize = header_len(MAX_SECTIONS);

/// Header bytes of a file with `n` sections.
pub const fn header_len(n: usize) -> usize {
    PRELUDE_LEN + n * std::mem::size_of::<Entry>() + TRAILER_LEN
}

/// The tag of `name` (at most 8 ASCII letters, digits or `_`).
pub const fn tag(name: &str) -> Tag {
    let b = name.as_bytes();
    assert!(!b.is_empty() && b.len() <= 8, "a tag has 1 to 8 bytes");
    let mut t = [0u8; 8];
    let mut i = 0;
    while i < b.len() {
        assert!(b[i].is_ascii_alphanumeric() || b[i] == b'_');
        t[i] = b[i];
        i += 1;
    }
    t
}

/// A tag as text, for messages (`?` for a byte no tag has).
pub fn tag_name(t: &Tag) -> String {
    t.iter()
        .take_while(|&&b| b != 0)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

fn well_formed(t: &Tag) -> bool {
    let n = t.iter().position(|&b| b == 0).unwrap_or(8);
    n > 0
        && t[..n]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        && t[n..].iter().all(|&b| b == 0)
}

/// One row of the section table (32 bytes on disk).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct Entry {
    /// The section's name.
    pub tag: Tag,
    /// Where its bytes start, from the start of the file.
    pub offset: u64,
    /// How many bytes it has.
    pub length: u64,
    /// CRC-32 (IEEE) of its bytes.
    pub checksum: u32,
    /// [`REQUIRED`] or 0.
    pub flags: u32,
}

impl Entry {
    /// The section's name, as text.
    pub fn name(&self) -> String {
        tag_name(&self.tag)
    }

    /// `[start, end)` of its bytes; valid once its table was checked.
    pub fn range(&self) -> (usize, usize) {
        (self.offset as usize, (self.offset + self.length) as usize)
    }
}

/// What a schema says about one of its sections.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// Its tag.
    pub tag: Tag,
    /// The alignment of its offset.
    pub align: usize,
    /// Whether every file of the schema has it (and a reader that does not
    /// know it must refuse the file: the writer marks it [`REQUIRED`]).
    pub required: bool,
}

impl Known {
    /// A section every file has.
    pub const fn required(name: &str, align: usize) -> Known {
        Known {
            tag: tag(name),
            align,
            required: true,
        }
    }

    /// A section a file may leave out.
    pub const fn optional(name: &str, align: usize) -> Known {
        Known {
            tag: tag(name),
            align,
            required: false,
        }
    }
}

/// A file kind over the container: its magic, its version and the sections
/// this build knows.
#[derive(Debug)]
pub struct Schema {
    /// What the file is, for messages ("native model", "count file").
    pub what: &'static str,
    /// Its first 8 bytes.
    pub magic: [u8; 8],
    /// The version written with the container.
    pub version: u32,
    /// The versions this build reads, for messages ("1 or 2").
    pub reads: &'static str,
    /// The sections this build knows, in the order it writes them.
    pub sections: &'static [Known],
}

impl Schema {
    fn known(&self, t: &Tag) -> Option<&Known> {
        self.sections.iter().find(|k| k.tag == *t)
    }

    /// Whether this build knows section `t` (a reader skips the others).
    pub fn knows(&self, t: &Tag) -> bool {
        self.known(t).is_some()
    }

    /// The version of a file that starts with `head`, if `head` starts with
    /// this schema's magic and holds a version.
    pub fn version_of(&self, head: &[u8]) -> Option<u32> {
        (head.len() >= 12 && head[..8] == self.magic)
            .then(|| u32::from_le_bytes([head[8], head[9], head[10], head[11]]))
    }

    /// The error for a file of `len` bytes whose first bytes are not this
    /// schema's magic.
    pub fn wrong_magic(&self, len: usize) -> Error {
        let why = if len < 8 {
            "too short for the magic"
        } else {
            "wrong magic"
        };
        Error::format(format!("not a w2v {} ({why})", self.what))
    }

    /// The error for a file of a version this build does not read, `reads`
    /// the ones it does (`hint` says what to do).
    pub fn unsupported(&self, version: u32, reads: &str, hint: &str) -> Error {
        Error::new(
            ErrorKind::Unsupported,
            format!(
                "{} format version {version} (this build reads version {reads}){hint}",
                self.what
            ),
        )
    }
}

/// A checked section table: where each section of one file lies.
#[derive(Debug, Clone)]
pub struct Table {
    schema: &'static Schema,
    version: u32,
    header_len: usize,
    entries: Vec<Entry>,
}

impl Table {
    /// Check the header at the start of `head` (at least the file's first
    /// [`MAX_HEADER_LEN`] bytes, or all of a shorter file) of a file of
    /// `file_len` bytes, written with `schema.version`.
    pub fn parse(schema: &'static Schema, head: &[u8], file_len: u64) -> Result<Table> {
        if head.len() < 8 || head[..8] != schema.magic {
            return Err(schema.wrong_magic(head.len()));
        }
        let version = schema
            .version_of(head)
            .ok_or_else(|| truncated(head.len() as u64, PRELUDE_LEN))?;
        if version != schema.version {
            return Err(schema.unsupported(version, schema.reads, ""));
        }
        if head.len() < PRELUDE_LEN {
            return Err(truncated(file_len, PRELUDE_LEN));
        }
        let n = u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize;
        if n > MAX_SECTIONS {
            return Err(Error::format(format!(
                "{n} sections listed, at most {MAX_SECTIONS} are: the header is corrupt"
            )));
        }
        let len = header_len(n);
        if head.len() < len {
            return Err(truncated(file_len, len));
        }
        let crc_at = len - TRAILER_LEN;
        let stored = u32::from_le_bytes([
            head[crc_at],
            head[crc_at + 1],
            head[crc_at + 2],
            head[crc_at + 3],
        ]);
        if crc32fast::hash(&head[..crc_at]) != stored || head[crc_at + 4..len] != [0; 4] {
            return Err(Error::format(
                "header checksum mismatch: the file is corrupt",
            ));
        }
        let entries = head[PRELUDE_LEN..crc_at]
            .chunks_exact(std::mem::size_of::<Entry>())
            .map(bytemuck::pod_read_unaligned)
            .collect();
        Table::new(schema, version, len, entries, file_len, &[])
    }

    /// A table from entries read elsewhere (a file of an earlier version,
    /// whose fixed header listed its sections by position), checked as
    /// [`Table::parse`] checks a table; `given` are required sections the
    /// caller has from elsewhere (such a header's sizes, in place of `meta`).
    pub fn new(
        schema: &'static Schema,
        version: u32,
        header_len: usize,
        entries: Vec<Entry>,
        file_len: u64,
        given: &[Tag],
    ) -> Result<Table> {
        let mut prev_end = header_len as u64;
        for (i, e) in entries.iter().enumerate() {
            let name = e.name();
            if !well_formed(&e.tag) || entries[..i].iter().any(|o| o.tag == e.tag) {
                return Err(Error::format(format!(
                    "section {i}'s tag `{name}` is malformed or repeated: the header is corrupt"
                )));
            }
            if e.flags & !REQUIRED != 0 {
                return Err(Error::format(format!(
                    "section `{name}` has unknown flags {:#x}",
                    e.flags
                )));
            }
            let end = e.offset.checked_add(e.length).filter(|&x| x <= file_len);
            let Some(end) = end else {
                return Err(Error::format(format!(
                    "truncated: section `{name}` ends past the end of the file ({file_len} bytes)"
                )));
            };
            let align = schema.known(&e.tag).map_or(1, |k| k.align) as u64;
            if e.offset < prev_end || !e.offset.is_multiple_of(align) {
                return Err(Error::format(format!(
                    "section `{name}` at offset {} overlaps or is misaligned",
                    e.offset
                )));
            }
            if schema.known(&e.tag).is_none() && e.flags & REQUIRED != 0 {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "section `{name}` is required to read this {} and this build does not know it: a newer w2v wrote the file",
                        schema.what
                    ),
                ));
            }
            prev_end = end;
        }
        usize::try_from(prev_end).map_err(|_| Error::format("the file is too big to address"))?;
        if let Some(k) = schema.sections.iter().find(|k| {
            k.required && !given.contains(&k.tag) && !entries.iter().any(|e| e.tag == k.tag)
        }) {
            return Err(Error::format(format!(
                "section `{}` is missing",
                tag_name(&k.tag)
            )));
        }
        Ok(Table {
            schema,
            version,
            header_len,
            entries,
        })
    }

    /// The version the file was written with.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The size of the file's header in bytes.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// Every section, the unknown ones included, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The section named `t`, if the file has it.
    pub fn get(&self, t: Tag) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == t)
    }

    /// `[start, end)` of section `t` (`None` if the file lacks it).
    pub fn range(&self, t: Tag) -> Option<(usize, usize)> {
        self.get(t).map(Entry::range)
    }

    /// The length of section `t` in bytes (0 if the file lacks it).
    pub fn len_of(&self, t: Tag) -> u64 {
        self.get(t).map_or(0, |e| e.length)
    }

    /// An error unless section `t` has `want` bytes (`None`: a size that
    /// overflows, which no section has); `needs` says what the number comes
    /// from ("300 words x 100").
    pub fn expect_len(&self, t: Tag, want: Option<u64>, needs: &str) -> Result<()> {
        let have = self.len_of(t);
        if want == Some(have) {
            return Ok(());
        }
        let want = want.map_or_else(|| "another size".to_string(), |w| w.to_string());
        Err(Error::format(format!(
            "section `{}` has {have} bytes, {needs} need {want}",
            tag_name(&t)
        )))
    }

    /// Check every section's checksum against the file's bytes `all`.
    pub fn verify(&self, all: &[u8]) -> Result<()> {
        for e in &self.entries {
            let (a, b) = e.range();
            self.check_crc(e, &all[a..b])?;
        }
        Ok(())
    }

    fn check_crc(&self, e: &Entry, bytes: &[u8]) -> Result<()> {
        if crc32fast::hash(bytes) == e.checksum {
            return Ok(());
        }
        Err(Error::format(format!(
            "section `{}` checksum mismatch: the file is corrupt",
            e.name()
        )))
    }

    /// Read section `t` of `file` into a vector, checking its checksum and
    /// that its length is a whole number of `T`s (an absent section reads
    /// as empty). Allocates no more than the section's length, which
    /// [`Table::parse`] bounded by the file's.
    pub fn read_vec<T: Pod>(&self, file: &mut File, t: Tag) -> Result<Vec<T>> {
        let Some(e) = self.get(t) else {
            return Ok(Vec::new());
        };
        let size = std::mem::size_of::<T>() as u64;
        if !e.length.is_multiple_of(size) {
            return Err(Error::format(format!(
                "section `{}` has {} bytes, not a multiple of {size}",
                e.name(),
                e.length
            )));
        }
        let mut out = vec![T::zeroed(); (e.length / size) as usize];
        file.seek(SeekFrom::Start(e.offset))
            .and_then(|_| file.read_exact(bytemuck::cast_slice_mut(&mut out)))
            .map_err(|err| {
                Error::io(
                    format!(
                        "cannot read section `{}` of a {}",
                        e.name(),
                        self.schema.what
                    ),
                    err,
                )
            })?;
        self.check_crc(e, bytemuck::cast_slice(&out))?;
        Ok(out)
    }

    /// The record in section `t` of the file's bytes `all` (a mapped file),
    /// its length and checksum checked.
    pub fn record_in<T: Pod>(&self, all: &[u8], t: Tag) -> Result<T> {
        let size = std::mem::size_of::<T>();
        match self.get(t) {
            Some(e) if e.length == size as u64 => {
                let (a, b) = e.range();
                self.check_crc(e, &all[a..b])?;
                Ok(bytemuck::pod_read_unaligned(&all[a..b]))
            }
            _ => Err(self.not_a_record(t, size)),
        }
    }

    fn not_a_record(&self, t: Tag, size: usize) -> Error {
        Error::format(format!(
            "section `{}` has {} bytes, not a record's {size}",
            tag_name(&t),
            self.len_of(t)
        ))
    }

    /// Read the record in section `t` (of `T`'s size, or of `short` bytes,
    /// an earlier and shorter record whose missing fields read as zero).
    pub fn read_record<T: Pod>(&self, file: &mut File, t: Tag, short: Option<usize>) -> Result<T> {
        let size = std::mem::size_of::<T>();
        let have = self.len_of(t);
        let ok = have == size as u64 || short.is_some_and(|s| have == s as u64);
        if !ok {
            return Err(self.not_a_record(t, size));
        }
        let bytes: Vec<u8> = self.read_vec(file, t)?;
        let mut out = T::zeroed();
        bytemuck::bytes_of_mut(&mut out)[..bytes.len()].copy_from_slice(&bytes);
        Ok(out)
    }
}

fn truncated(file_len: u64, need: usize) -> Error {
    Error::format(format!(
        "truncated: {file_len} bytes, the header alone is {need}"
    ))
}

/// Open `path` and read its first bytes (up to [`MAX_HEADER_LEN`]): the file,
/// its length and its head. A folder is an error.
pub fn open_head(path: &Path, what: &str) -> Result<(File, u64, Vec<u8>)> {
    let ctx = |verb: &str| format!("cannot {verb} {what} `{}`", path.display());
    let mut f = File::open(path).map_err(|e| Error::io(ctx("open"), e))?;
    let meta = f.metadata().map_err(|e| Error::io(ctx("read"), e))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("{what} `{}` is a folder", path.display()),
        ));
    }
    let len = meta.len();
    let mut head = vec![0u8; (len as usize).min(MAX_HEADER_LEN)];
    f.read_exact(&mut head)
        .map_err(|e| Error::io(ctx("read"), e))?;
    Ok((f, len, head))
}

/// How a schema reads a file of the version before the container: its
/// table and `meta` record from the file's head and length.
pub type FixedReader<M> = fn(&[u8], u64) -> Result<(Table, M)>;

/// The table and `meta` record of the file `f` of `file_len` bytes that
/// starts with `head` (see [`open_head`]): read through the container, or,
/// for a file of the version `old.0` written before it, through `old.1`,
/// which turns that version's fixed header into both.
pub fn table_and_meta<M: Pod>(
    schema: &'static Schema,
    f: &mut File,
    head: &[u8],
    file_len: u64,
    old: (u32, FixedReader<M>),
) -> Result<(Table, M)> {
    if schema.version_of(head) == Some(old.0) {
        return (old.1)(head, file_len);
    }
    let table = Table::parse(schema, head, file_len)?;
    let meta = table.read_record(f, META, None)?;
    Ok((table, meta))
}

/// Sections to write: appended in order, then written behind their table.
#[derive(Debug)]
pub struct Writer<'a> {
    schema: &'static Schema,
    parts: Vec<(Entry, usize, &'a [u8])>,
}

impl<'a> Writer<'a> {
    /// An empty file of `schema`.
    pub fn new(schema: &'static Schema) -> Writer<'a> {
        Writer {
            schema,
            parts: Vec::new(),
        }
    }

    /// Append section `t`, one the schema knows (its alignment and whether it
    /// is required come from the schema).
    ///
    /// # Panics
    ///
    /// If the schema does not know `t` (a programming error).
    pub fn add(&mut self, t: Tag, bytes: &'a [u8]) -> &mut Self {
        let k = *self.schema.known(&t).unwrap_or_else(|| {
            panic!(
                "the {} schema has no section `{}`",
                self.schema.what,
                tag_name(&t)
            )
        });
        self.add_section(t, if k.required { REQUIRED } else { 0 }, k.align, bytes)
    }

    /// Append any section: a later build's, with its own `flags` and
    /// alignment (a power of two).
    pub fn add_section(&mut self, t: Tag, flags: u32, align: usize, bytes: &'a [u8]) -> &mut Self {
        let entry = Entry {
            tag: t,
            offset: 0,
            length: bytes.len() as u64,
            checksum: crc32fast::hash(bytes),
            flags,
        };
        self.parts.push((entry, align.max(1), bytes));
        self
    }

    /// The header and where each section starts.
    fn layout(&self) -> Result<(Vec<u8>, Vec<usize>)> {
        if self.parts.len() > MAX_SECTIONS {
            return Err(Error::invalid(format!(
                "{} sections, at most {MAX_SECTIONS} fit a file",
                self.parts.len()
            )));
        }
        if cfg!(target_endian = "big") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "a {} is little-endian; writing one on a big-endian host is not supported",
                    self.schema.what
                ),
            ));
        }
        let len = header_len(self.parts.len());
        let mut head = Vec::with_capacity(len);
        head.extend_from_slice(&self.schema.magic);
        head.extend_from_slice(&self.schema.version.to_le_bytes());
        head.extend_from_slice(&(self.parts.len() as u32).to_le_bytes());
        let mut starts = Vec::with_capacity(self.parts.len());
        let mut pos = len;
        for (entry, align, bytes) in &self.parts {
            pos = pos.next_multiple_of(*align);
            let e = Entry {
                offset: pos as u64,
                ..*entry
            };
            head.extend_from_slice(bytemuck::bytes_of(&e));
            starts.push(pos);
            pos += bytes.len();
        }
        let crc = crc32fast::hash(&head);
        head.extend_from_slice(&crc.to_le_bytes());
        head.extend_from_slice(&[0; 4]);
        Ok((head, starts))
    }

    /// Write the file to `path`, atomically (see [`super::atomic`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        let (head, starts) = self.layout()?;
        super::atomic::write_atomically(path, |w| {
            w.write_all(&head)?;
            let mut pos = head.len();
            let zeros = [0u8; 64];
            for ((_, _, bytes), start) in self.parts.iter().zip(starts) {
                let mut gap = start - pos;
                while gap > 0 {
                    let n = gap.min(zeros.len());
                    w.write_all(&zeros[..n])?;
                    gap -= n;
                }
                w.write_all(bytes)?;
                pos = start + bytes.len();
            }
            Ok(())
        })
    }
}

pub mod patch;

#[cfg(test)]
mod tests;
