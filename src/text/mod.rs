//! Text: the corpus streamed from disk or memory, cut into tokens and
//! sentences ([`corpus`]), sentences that are token lists already
//! ([`sentences`]), the vocabulary counted from it ([`vocab`]), and
//! its windowed co-occurrence counts ([`cooc`]).
//!
//! This layer knows bytes and words, not vectors: training reads its
//! sentences, and the vocabulary's file goes through [`crate::format::vocab`].

pub mod cooc;
pub mod corpus;
pub mod sentences;
pub mod vocab;

pub use corpus::Corpus;
pub use sentences::SentenceSource;
pub use vocab::Vocab;
