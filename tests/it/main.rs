//! The integration test binary (one binary links faster than many).

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod bad_input;
mod checkpoint;
mod cli;
mod cooc;
mod fixtures;
mod index;
mod kernels;
mod learning;
mod native;
mod native_bad;
mod native_flips;
mod plot;
mod query;
mod query_words;
mod saves;
mod spectral;
mod trace;
mod train;
mod trainer;
mod word2vec;
