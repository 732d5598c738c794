//! Files on disk: how word vectors, vocabularies and their sections are laid
//! out in bytes, read back and written safely.
//!
//! This layer reads and writes *plain parts* (words, counts, a dimension,
//! rows of floats, byte sections) and knows nothing of a model or of
//! training: [`crate::model`] turns parts into an `Embeddings` and back, and
//! [`crate::text`] keeps its vocabulary files here.
//!
//! * [`word2vec`]: word2vec.c's binary and text formats (also written and
//!   read by gensim and fastText).
//! * [`native`]: w2v's own format, opened by `mmap` in constant time.
//! * [`vocab`]: `word count` lines (word2vec.c's `-save-vocab`).
//! * [`cooc`]: windowed co-occurrence counts, a sparse symmetric matrix.
//! * [`checkpoint`]: a training run's state (vocabulary, configuration,
//!   both weight matrices, each thread's position), to resume it.
//! * [`atomic`]: every writer goes through [`atomic::write_atomically`], so a
//!   failed or interrupted save never leaves a partial file.

pub mod atomic;
pub mod checkpoint;
pub mod cooc;
pub mod native;
pub mod vocab;
pub mod word2vec;

use crate::error::{Error, Result};

/// The largest vector dimension a file may have: headers claiming more are
/// rejected as corrupt before anything is allocated.
pub const MAX_DIM: usize = 1 << 20;

/// Format of a vectors file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// word2vec binary.
    Binary,
    /// word2vec text.
    Text,
    /// The native format, opened by `mmap` (see [`native`]).
    Native,
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// `bin`, `text` or `native` (also `binary`, `txt`, `vec`).
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bin" | "binary" => Ok(Format::Binary),
            "text" | "txt" | "vec" => Ok(Format::Text),
            "native" => Ok(Format::Native),
            _ => Err(Error::invalid(format!(
                "unknown format `{s}`: expected bin, text or native"
            ))),
        }
    }
}
