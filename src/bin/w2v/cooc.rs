//! `w2v cooc`: windowed co-occurrence counts of a corpus, and `w2v cooc
//! merge` to add up the counts of shards.

use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use w2v::format::cooc::{self, Cooc};
use w2v::text::cooc::{CoocConfig, count, merge, top_words};
use w2v::{Corpus, Error, Result, Vocab};

/// `w2v cooc [merge]`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CoocArgs {
    #[command(subcommand)]
    command: Option<CoocCommand>,
    #[command(flatten)]
    count: CountArgs,
}

#[derive(Subcommand)]
enum CoocCommand {
    /// Add up count files of one vocabulary, window and subsampling (shards of one corpus).
    Merge(MergeArgs),
}

#[derive(Args)]
struct CountArgs {
    /// Corpus: whitespace-separated tokens; a newline ends a sentence (streamed).
    #[arg(long, short = 'i', required = true)]
    input: Option<PathBuf>,
    /// Count pairs among the V most frequent words.
    #[arg(long, short = 'v', required = true)]
    vocab: Option<usize>,
    /// Take the words from this `word count` file (most frequent first) instead
    /// of counting the corpus, so that shards of one corpus share one vocabulary.
    #[arg(long)]
    vocab_file: Option<PathBuf>,
    /// Window radius: a pair at distance d weighs (W + 1 - d) / W, word2vec's
    /// expectation under its shrinking window.
    #[arg(long, default_value_t = 5)]
    window: usize,
    /// Subsample frequent words as word2vec.c does (0: keep every token).
    #[arg(long, default_value_t = 0.0)]
    sample: f64,
    /// Seed of the subsampling decisions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads [default: one per core]; the counts do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// The count file to write.
    #[arg(long, short = 'o', required = true)]
    output: Option<PathBuf>,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
    /// No summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Args)]
struct MergeArgs {
    /// Count files to add up.
    #[arg(required = true, num_args = 2..)]
    inputs: Vec<PathBuf>,
    /// The count file to write.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// What a run reports.
#[derive(Serialize)]
struct Summary<'a> {
    output: &'a Path,
    words: usize,
    tokens: u64,
    window: u32,
    pairs_stored: usize,
    total_weight: f64,
    seconds: f64,
}

fn summary<'a>(c: &Cooc, output: &'a Path, seconds: f64) -> Summary<'a> {
    Summary {
        output,
        words: c.len(),
        tokens: c.counts.iter().sum(),
        window: c.window,
        pairs_stored: c.nnz(),
        total_weight: c.vals.iter().map(|&w| w as f64).sum::<f64>() / c.window as f64,
        seconds,
    }
}

fn report(s: &Summary<'_>, json: bool, quiet: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(s).expect("serialisable"));
    } else if !quiet {
        eprintln!(
            "{} words, {} tokens, window {}: {} word pairs stored ({:.0} weighted pairs) in {:.2}s; wrote {}",
            s.words,
            s.tokens,
            s.window,
            s.pairs_stored,
            s.total_weight,
            s.seconds,
            s.output.display()
        );
    }
}

pub fn run(args: CoocArgs) -> Result<()> {
    match args.command {
        Some(CoocCommand::Merge(m)) => run_merge(m),
        None => run_count(args.count),
    }
}

fn run_count(a: CountArgs) -> Result<()> {
    let missing = |what: &str| Error::invalid(format!("`w2v cooc` needs {what}"));
    let input = a.input.ok_or_else(|| missing("--input"))?;
    let output = a.output.ok_or_else(|| missing("--output"))?;
    let v = a.vocab.ok_or_else(|| missing("--vocab"))?;
    let config = CoocConfig {
        window: a.window,
        sample: a.sample,
        seed: a.seed,
        threads: a.threads.unwrap_or(CoocConfig::default().threads),
    };
    config.check()?;
    crate::check_output(&output)?;
    let corpus = Corpus::file(&input)?;
    let t = Instant::now();
    let vocab = match &a.vocab_file {
        Some(path) => {
            let vocab = Vocab::read(path, 1, Some(v))?;
            if vocab.len() < v {
                return Err(Error::invalid(format!(
                    "vocabulary `{}` has {} words, fewer than the {v} asked for",
                    path.display(),
                    vocab.len()
                )));
            }
            vocab
        }
        None => top_words(&corpus, v)?,
    };
    let c = count(&corpus, &vocab, &config)?;
    cooc::write(&output, &c)?;
    report(
        &summary(&c, &output, t.elapsed().as_secs_f64()),
        a.json,
        a.quiet,
    );
    Ok(())
}

fn run_merge(m: MergeArgs) -> Result<()> {
    crate::check_output(&m.output)?;
    let t = Instant::now();
    let parts = m
        .inputs
        .iter()
        .map(|p| cooc::read(p))
        .collect::<Result<Vec<_>>>()?;
    let c = merge(&parts).map_err(|e| {
        let names: Vec<String> = m.inputs.iter().map(|p| p.display().to_string()).collect();
        Error::new(e.kind(), format!("{e} (files: {})", names.join(", ")))
    })?;
    cooc::write(&m.output, &c)?;
    report(
        &summary(&c, &m.output, t.elapsed().as_secs_f64()),
        m.json,
        false,
    );
    Ok(())
}
