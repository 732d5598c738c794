//! Files on disk: how word vectors, vocabularies and their sections are laid
//! out in bytes, read back and written safely.
//!
//! This layer reads and writes *plain parts* (words, counts, a dimension,
//! rows of floats, byte sections) and knows nothing of a model or of
//! training: [`crate::model`] turns parts into an `Embeddings` and back, and
//! [`crate::text`] keeps its vocabulary files here.
//!
//! * [`sections`]: the container of the binary files below: a tagged table
//!   of sections, each aligned, checksummed, and skipped by a reader that
//!   does not know it unless it is marked required.
//! * [`legacy`]: the fixed headers of the files written before the
//!   container, read as section tables.
//! * [`words`]: a word list as two sections (ends and bytes), as all three
//!   store it.
//! * [`word2vec`]: word2vec.c's binary and text formats (also written and
//!   read by gensim and fastText).
//! * [`native`]: w2v's own format, opened by `mmap` in constant time.
//! * [`vocab`]: `word count` lines (word2vec.c's `-save-vocab`).
//! * [`cooc`]: windowed co-occurrence counts, a sparse symmetric matrix.
//! * [`checkpoint`]: a training run's state (vocabulary, configuration,
//!   both weight matrices, each thread's position), to resume it.
//! * [`trace`]: a training run's trace (JSON Lines: a header, then points).
//! * [`atomic`]: every writer goes through [`atomic::write_atomically`], so a
//!   failed or interrupted save never leaves a partial file.

pub mod atomic;
pub mod checkpoint;
pub mod cooc;
pub mod legacy;
pub mod native;
pub mod sections;
pub mod trace;
pub mod vocab;
pub mod word2vec;
pub mod words;

pub use crate::kinds::{Format, MAX_DIM};
