//! `w2v bench kernels`: nanoseconds per call, GFLOP/s and speed-up over
//! scalar for every kernel at every SIMD level this CPU has.

use clap::{Args, Subcommand};
use std::time::Duration;
use w2v::bench::{BenchOptions, DEFAULT_DIMS, bench_kernels};
use w2v::{Kernels, Level, Result};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time dot, axpy, scale, add and the fused negative-sampling step per SIMD level.
    Kernels(KernelsArgs),
    /// Time nearest-neighbour queries on a model: single queries and batches.
    Query(QueryArgs),
}

#[derive(Args)]
pub struct QueryArgs {
    /// Vectors: native, word2vec binary or text.
    model: std::path::PathBuf,
    /// Query words: the vocabulary's words from rank --from on.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// Rank of the first query word.
    #[arg(long, default_value_t = 100)]
    from: usize,
    /// Neighbours per query.
    #[arg(short, long, default_value_t = 10)]
    k: usize,
    /// Queries per batch.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct KernelsArgs {
    /// Comma-separated vector lengths.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_DIMS)]
    dims: Vec<usize>,
    /// Only these levels (comma-separated); default: every level the CPU has.
    #[arg(long, value_delimiter = ',')]
    levels: Vec<Level>,
    /// Timed batches per cell (the median is reported).
    #[arg(long, default_value_t = 61)]
    batches: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Kernels(args) => kernels(args),
        BenchCommand::Query(args) => query(args),
    }
}

fn query(a: QueryArgs) -> Result<()> {
    let emb = w2v::Embeddings::load(&a.model)?.with_kernels(Kernels::from_env()?);
    let end = (a.from + a.queries).min(emb.len());
    let words: Vec<&str> = (a.from.min(end)..end).filter_map(|i| emb.word(i)).collect();
    let t = w2v::bench::bench_queries(&emb, &words, a.k, a.batch)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&t).expect("serialisable")
        );
    } else {
        println!(
            "{} words x {}, top-{}, {} queries, SIMD {}: single median {:.1} us; batch of {}: {:.1} us per query",
            t.words,
            t.dim,
            t.k,
            t.queries,
            t.simd,
            t.single_median_us,
            t.batch,
            t.batch_per_query_median_us
        );
    }
    Ok(())
}

fn kernels(args: KernelsArgs) -> Result<()> {
    let default = Kernels::from_env()?;
    let levels = if args.levels.is_empty() {
        Level::available()
    } else {
        args.levels.clone()
    };
    for &l in &levels {
        Kernels::new(l)?;
    }
    let opts = BenchOptions {
        batch: Duration::from_micros(50),
        batches: args.batches,
    };
    let rows = bench_kernels(&levels, &args.dims, opts);
    if args.json {
        let doc = serde_json::json!({
            "default_level": default.level().name(),
            "available_levels": Level::available().iter().map(|l| l.name()).collect::<Vec<_>>(),
            "batches": args.batches,
            "results": rows,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("serialisable")
        );
    } else {
        println!(
            "default level: {} (available: {})",
            default.level(),
            Level::available()
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "{:<8} {:<9} {:>5} {:>10} {:>8} {:>9}",
            "kernel", "level", "dim", "ns/call", "GFLOP/s", "x scalar"
        );
        for r in &rows {
            println!(
                "{:<8} {:<9} {:>5} {:>10.2} {:>8.2} {:>9.2}",
                r.kernel, r.level, r.dim, r.ns_per_call, r.gflops, r.speedup_vs_scalar
            );
        }
    }
    Ok(())
}
