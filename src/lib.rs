//! # w2v: word embeddings, fast and embeddable
//!
//! `w2v` trains word2vec embeddings (skip-gram and CBOW, negative sampling and
//! hierarchical softmax), stores and loads them, and answers queries, from Rust
//! or, through `include/w2v.h`, from C and C++.
//!
//! ## Error model
//! Every fallible operation returns [`Result`], whose [`Error`] has an
//! [`ErrorKind`] and a message. Bad input (a missing file, an empty corpus,
//! invalid UTF-8, a truncated model, a zero dimension) is an error, never a
//! panic.
//!
//! ## SIMD
//! The hot loops call a [`simd::Kernels`] table chosen once at run time; see
//! [`simd`] for the levels, how to force one and how their numerics differ.

pub mod bench;
pub mod corpus;
pub mod demo;
pub mod error;
pub mod eval;
pub mod ffi;
pub mod io;
pub mod model;
pub mod native;
pub mod query;
pub mod scan;
pub mod simd;
pub mod train;
pub mod vocab;

pub use corpus::Corpus;
pub use error::{Error, ErrorKind, Result};
pub use io::Format;
pub use model::Embeddings;
pub use query::{Analogy, Neighbor, Scratch};
pub use simd::{Kernels, Level};
pub use train::{LossKind, ModelKind, Progress, TrainConfig, TrainStats, train, train_with_vocab};
pub use vocab::Vocab;
