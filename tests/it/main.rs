//! The integration test binary (one binary links faster than many).

mod cli;
mod kernels;
