//! # w2v: word embeddings, fast and embeddable
//!
//! `w2v` trains word2vec embeddings (skip-gram and CBOW, negative sampling and
//! hierarchical softmax), stores and loads them, and answers queries, from Rust
//! or, through `include/w2v.h`, from C and C++.
//!
//! ## Layers
//! Each module is a layer that uses only the layers listed before it
//! (`ARCHITECTURE.md` draws the map; a test keeps the imports acyclic):
//!
//! | module | knows |
//! |---|---|
//! | [`error`] | the error type every layer returns |
//! | [`kinds`] | the named choices (model, loss, schedule, format) and their codes |
//! | [`simd`] | vector kernels at four SIMD levels, chosen at run time |
//! | [`format`](mod@format) | bytes on disk: word2vec files, the native format, vocabulary files, atomic saves |
//! | [`text`] | the corpus as tokens and sentences, and its counted vocabulary |
//! | [`model`] | [`Embeddings`]: loading, saving, queries, evaluation |
//! | [`train`](mod@train) | word2vec training, producing [`Embeddings`] |
//! | [`spectral`] | closed-form embeddings from co-occurrence counts, producing [`Embeddings`] |
//! | `plot` | SVG figures of traces, word maps and spectra (the `plot` feature) |
//! | [`lesson`] | the demo's teaching corpus, its questions, and the lesson page's data and page |
//! | [`ffi`] | the C ABI over all of the above |
//!
//! ## Error model
//! Every fallible operation returns [`Result`], whose [`Error`] has an
//! [`ErrorKind`] and a message. Bad input (a missing file, an empty corpus,
//! invalid UTF-8, a truncated model, a zero dimension) is an error, never a
//! panic.
//!
//! ## SIMD
//! The hot loops call a [`simd::Kernels`] table. The caller picks it:
//! [`Kernels::best`] for the default level, [`Kernels::new`] for a given one,
//! or [`Kernels::from_env`] to honour `W2V_SIMD` as the CLI and the C ABI do.
//! See [`simd`] for the levels and how their numerics differ.

pub mod error;
pub mod ffi;
pub mod format;
pub mod kinds;
pub mod lesson;
pub mod model;
#[cfg(feature = "plot")]
pub mod plot;
pub mod simd;
pub mod spectral;
pub mod text;
pub mod train;

pub use error::{Error, ErrorKind, Result};
pub use kinds::{Format, Named};
pub use model::index::IndexParams;
pub use model::query::{Analogy, Neighbor, Scratch};
pub use model::{Embeddings, Search};
pub use simd::{Kernels, Level};
pub use text::{Corpus, Vocab};
pub use train::{
    Input, LossKind, LrSchedule, ModelKind, Progress, TrainConfig, TrainStats, Trained, Trainer,
    train,
};
