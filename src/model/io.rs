//! Loading and saving [`Embeddings`]: the bridge between the model and the
//! file formats of [`crate::format`].

use super::{Backing, Embeddings};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::format::native::{self, NativeFile, NativeParts};
use crate::format::word2vec::{self, Word2vec};
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

impl Embeddings {
    /// Map a native model file (constant time: see [`crate::format::native`]).
    pub fn open(path: &Path) -> Result<Embeddings> {
        let m = NativeFile::open(path)?;
        let dim = m.dim();
        Ok(Embeddings::with_backing(Backing::Mapped(Arc::new(m)), dim))
    }

    /// Load any supported file: a native model (mapped), or word2vec binary or
    /// text (read into memory), recognised by its first bytes.
    pub fn load(path: &Path) -> Result<Embeddings> {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(format!("cannot open `{}`", path.display()), e))?;
        // Look at the first bytes without consuming them, so that a pipe can
        // still be read as word2vec (a native file is mapped, so it must be a
        // regular file, whose first read fills the buffer).
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let is_native = loop {
            match reader.fill_buf() {
                Ok(head) => break native::has_magic(head),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::io(format!("cannot read `{}`", path.display()), e));
                }
            }
        };
        if is_native {
            Embeddings::open(path)
        } else {
            from_word2vec(word2vec::read_from(reader, path)?)
                .map_err(|e| Error::new(e.kind(), format!("`{}`: {e}", path.display())))
        }
    }

    /// Read a word2vec file, binary or text (see [`crate::format::word2vec`]).
    pub fn read_word2vec(path: &Path) -> Result<Embeddings> {
        from_word2vec(word2vec::read(path)?)
            .map_err(|e| Error::new(e.kind(), format!("`{}`: {e}", path.display())))
    }

    /// Parse word2vec binary or text held in memory.
    pub fn parse_word2vec(data: &[u8]) -> Result<Embeddings> {
        from_word2vec(word2vec::parse(data)?)
    }

    /// Save as word2vec binary or text, or native (with the compact scan
    /// copy, [`scan_copy`](Embeddings::scan_copy)).
    pub fn save(&self, path: &Path, format: Format) -> Result<()> {
        self.save_with(path, format, true)
    }

    /// Write as word2vec binary or text to a stream (not atomic: see
    /// [`crate::format::word2vec::write_to`]).
    pub fn write_word2vec_to(&self, w: &mut dyn std::io::Write, format: Format) -> Result<()> {
        let words = self.words_for_saving()?;
        word2vec::write_to(w, format, &words, self.dim, self.dim, self.matrix())
    }

    fn words_for_saving(&self) -> Result<Vec<&str>> {
        (0..self.len())
            .map(|i| {
                self.word(i).ok_or_else(|| {
                    Error::format(format!("word {i} of the model is corrupt: cannot save"))
                })
            })
            .collect()
    }

    /// [`save`](Embeddings::save); for native files, `scan_copy` says
    /// whether to store [`scan_copy`](Embeddings::scan_copy) (a quarter of
    /// the matrix's size; without it, a process builds it in memory on its
    /// first top-k query).
    pub fn save_with(&self, path: &Path, format: Format, scan_copy: bool) -> Result<()> {
        let words = self.words_for_saving()?;
        match format {
            Format::Binary | Format::Text => {
                word2vec::write(path, format, &words, self.dim, self.dim, self.matrix())
            }
            Format::Native => {
                let counts: Vec<u64> = (0..self.len())
                    .map(|i| self.count(i).unwrap_or(0))
                    .collect();
                native::write(
                    path,
                    &NativeParts {
                        words: &words,
                        counts: &counts,
                        dim: self.dim,
                        matrix: self.matrix(),
                        norms: self.norms(),
                        scan: if scan_copy { self.scan_copy() } else { None },
                        index: self.neighbour_index(),
                    },
                )
            }
        }
    }
}

/// A model from a word2vec file's parts. The format has no counts: word `i`
/// of `V` gets `V - i`, which keeps the file's order.
fn from_word2vec(w: Word2vec) -> Result<Embeddings> {
    let v = w.words.len() as u64;
    let counts = (0..v).map(|i| v - i).collect();
    Embeddings::new(w.words, counts, w.dim, w.matrix).map_err(|e| Error::format(e.to_string()))
}
