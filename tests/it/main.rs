//! The integration test binary (one binary links faster than many).

mod cli;
mod data;
mod kernels;
mod native;
mod query;
mod tempdir;
mod train;
