//! `w2v`: the command-line interface. Each subcommand lives in its own module
//! and is a thin layer over the library.

mod bench;
mod demo;
mod eval;
mod progress;
mod train;

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
    /// Train on a built-in teaching corpus and show neighbours and analogies.
    Demo,
    /// Benchmarks (`w2v bench kernels`).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Evaluate vectors on analogy or word-similarity test sets.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Train word vectors on a text corpus (word2vec.c's options and defaults).
    Train(train::TrainArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo => demo::run(),
        Command::Bench(cmd) => bench::run(cmd),
        Command::Train(args) => train::run(args),
        Command::Eval(cmd) => eval::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("w2v: error: {e}");
            ExitCode::FAILURE
        }
    }
}
