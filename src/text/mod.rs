//! Text: the corpus streamed from disk or memory, cut into tokens and
//! sentences ([`corpus`]), and the vocabulary counted from it ([`vocab`]).
//!
//! This layer knows bytes and words, not vectors: training reads its
//! sentences, and the vocabulary's file goes through [`crate::format::vocab`].

pub mod corpus;
pub mod vocab;

pub use corpus::Corpus;
pub use vocab::Vocab;
