//! `w2v`: the command-line interface. Each subcommand lives in its own module
//! and is a thin layer over the library.

mod bench;
mod bench_ann;
mod cooc;
mod demo;
mod eval;
mod index;
mod plot;
mod progress;
mod query;
mod spectral;
mod timing;
mod train;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    Demo(demo::DemoArgs),
    /// Benchmarks: `w2v bench kernels`, `w2v bench query`, `w2v bench open`.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Evaluate vectors on analogy or word-similarity test sets.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Train word vectors on a text corpus (word2vec.c's options and defaults).
    Train(train::TrainArgs),
    /// Nearest neighbours of words (3CosAdd; `-word` subtracts), or a prompt when no words are given.
    Similar(query::SimilarArgs),
    /// Analogies `A is to B as C is to ?` (3CosAdd or 3CosMul).
    Analogy(query::AnalogyArgs),
    /// Describe a model file (format, size, dimension, open time; `--verify` checks it all).
    Info(query::InfoArgs),
    /// Convert between word2vec binary, text and the native format.
    Convert(query::ConvertArgs),
    /// Build the approximate neighbour index (HNSW) into a native model: `similar` and `analogy` use it.
    Index(index::IndexArgs),
    /// Count windowed co-occurrences of the most frequent words (`w2v cooc merge` adds count files).
    Cooc(cooc::CoocArgs),
    /// Closed-form embeddings: the top eigenvectors of QWEM's M* or of shifted positive PMI.
    Spectral(spectral::SpectralArgs),
    /// SVG plots: a training trace, a 2D map of words, a spectrum.
    #[command(subcommand)]
    Plot(plot::PlotCommand),
}

/// The parser of one of the library's named choices ([`w2v::Named`]): its
/// names and aliases, each with its line of help.
pub fn choice<T: w2v::Named + Clone + Send + Sync>()
-> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = T::ALL.iter().map(|v| {
        PossibleValue::new(v.as_str())
            .help(v.describe())
            .aliases(v.aliases().iter().copied())
    });
    PossibleValuesParser::new(values).try_map(|s: String| T::parse_name(&s))
}

/// Restore the default action of SIGPIPE, as C command-line tools have it:
/// `w2v similar MODEL king | head -3` then ends quietly when `head` exits,
/// where Rust's default (SIGPIPE ignored) makes the next `println!` panic.
/// Output files are written atomically, so the signal cannot leave a
/// partial one behind.
#[cfg(unix)]
#[allow(unsafe_code, reason = "setting a signal disposition through libc")]
fn default_sigpipe() {
    // SAFETY: called first thing in `main`, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE and no handler is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Check that `path` can be an output file before any long work starts:
/// its folder exists and takes a new file, and it is a regular file, a link
/// to one, or absent (see `w2v::format::atomic::check_writable`).
pub fn check_output(path: &std::path::Path) -> w2v::Result<()> {
    w2v::format::atomic::check_writable(path).map(drop)
}

/// Check an output that may be `-`, standard output: allowed for the
/// word2vec text format only (binary and native files are files).
pub fn check_model_output(path: &std::path::Path, format: w2v::Format) -> w2v::Result<()> {
    if path.as_os_str() == "-" {
        if format != w2v::Format::Text {
            return Err(w2v::Error::invalid(
                "standard output (`-`) takes only the word2vec text format; binary and native models are written to files",
            ));
        }
        return Ok(());
    }
    check_output(path)
}

/// Save `emb` to `path` in `format`, or to standard output for `-` (text).
pub fn save_model(
    emb: &w2v::Embeddings,
    path: &std::path::Path,
    format: w2v::Format,
) -> w2v::Result<()> {
    if path.as_os_str() == "-" {
        check_model_output(path, format)?;
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        return emb.write_word2vec_to(&mut w, format);
    }
    emb.save(path, format)
}

fn main() -> ExitCode {
    #[cfg(unix)]
    default_sigpipe();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Whether an option of `w2v train` was given on the command line (not
    // defaulted): a resumed run refuses those that contradict its checkpoint.
    let given = |id: &str| {
        matches
            .subcommand_matches("train")
            .is_some_and(|m| m.value_source(id) == Some(ValueSource::CommandLine))
    };
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Bench(cmd) => bench::run(cmd),
        Command::Train(args) => train::run(args, &given),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Similar(a) => query::similar(a),
        Command::Analogy(a) => query::analogy(a),
        Command::Info(a) => query::info(a),
        Command::Convert(a) => query::convert(a),
        Command::Index(a) => index::run(a),
        Command::Cooc(a) => cooc::run(a),
        Command::Spectral(a) => spectral::run(a),
        Command::Plot(cmd) => plot::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("w2v: error: {e}");
            ExitCode::FAILURE
        }
    }
}
