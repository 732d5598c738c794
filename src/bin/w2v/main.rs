//! `w2v`: the command-line interface. Each subcommand lives in its own module
//! and is a thin layer over the library.

mod bench;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Word embeddings: train, store, query, benchmark.
#[derive(Parser)]
#[command(name = "w2v", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmarks (`w2v bench kernels`).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(cmd) => bench::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("w2v: error: {e}");
            ExitCode::FAILURE
        }
    }
}
