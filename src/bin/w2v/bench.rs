//! `w2v bench kernels`: nanoseconds per call, GFLOP/s and speed-up over
//! scalar for every kernel at every SIMD level this CPU has.

use crate::timing::{BenchOptions, DEFAULT_DIMS, bench_kernels, bench_queries};
use clap::{Args, Subcommand};
use std::time::Duration;
use w2v::{Kernels, Level, Result};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time dot, axpy, scale, add and the fused negative-sampling step per SIMD level.
    Kernels(KernelsArgs),
    /// Time nearest-neighbour queries on a model: single queries and batches.
    Query(QueryArgs),
    /// Time opening a model and reading one vector, in this (fresh) process.
    Open(OpenArgs),
    /// The neighbour index against exact answers: recall, latency, queries per second per --ef.
    Ann(crate::bench_ann::AnnArgs),
}

#[derive(Args)]
pub struct OpenArgs {
    /// Vectors: native (mapped), or word2vec binary or text (read into memory).
    model: std::path::PathBuf,
    /// The word to look up; default: the word at index len/2.
    word: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
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
    #[arg(short, long, default_value_t = 10, value_parser = crate::query::k_value)]
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
        BenchCommand::Open(args) => open(args),
        BenchCommand::Ann(args) => crate::bench_ann::ann(args),
    }
}

/// `VmRSS`, `RssAnon`, `RssFile` and `VmHWM` (peak) of this process in MB
/// (10^6 bytes), from `/proc/self/status`; `None` where the kernel does not
/// report them.
fn resident_mb() -> [Option<f64>; 4] {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| {
            let kb = l.strip_prefix(name)?.strip_prefix(':')?;
            let kb: f64 = kb.trim().strip_suffix("kB")?.trim().parse().ok()?;
            Some(kb * 1024.0 / 1e6)
        })
    };
    [
        field("VmRSS"),
        field("RssAnon"),
        field("RssFile"),
        field("VmHWM"),
    ]
}

fn open(a: OpenArgs) -> Result<()> {
    use std::time::Instant;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let file_bytes = std::fs::metadata(&a.model)
        .map_err(|e| w2v::Error::io(format!("cannot stat `{}`", a.model.display()), e))?
        .len();
    let rss_before = resident_mb();
    // Everything from here to the sum is timed: `load` reads the first bytes,
    // then maps a native file (`Embeddings::open`) or reads a word2vec file.
    let t0 = Instant::now();
    let emb = w2v::Embeddings::load(&a.model)?;
    let t_open = t0.elapsed();
    let word = match a.word {
        Some(w) => w,
        None => emb
            .word(emb.len() / 2)
            .ok_or_else(|| w2v::Error::format("the middle word of the file is unreadable"))?
            .to_owned(),
    };
    let t1 = Instant::now();
    let i = emb.index_or_err(&word)?;
    let sum: f64 = emb.row(i).iter().map(|&x| f64::from(x)).sum();
    let sum = std::hint::black_box(sum);
    let t_lookup = t1.elapsed();
    let t_total = t0.elapsed();
    let [rss, anon, file, peak] = resident_mb();
    let method = if emb.is_mapped() {
        "open (mmap)"
    } else {
        "load (read into memory)"
    };
    if a.json {
        let doc = serde_json::json!({
            "model": a.model.display().to_string(),
            "method": method,
            "words": emb.len(),
            "dim": emb.dim(),
            "file_bytes": file_bytes,
            "word": word,
            "index": i,
            "vector_sum": sum,
            "open_ms": ms(t_open),
            "lookup_ms": ms(t_lookup),
            "total_ms": ms(t_total),
            "vm_rss_mb": rss,
            "rss_anon_mb": anon,
            "rss_file_mb": file,
            "vm_hwm_mb": peak,
            "vm_rss_mb_before_open": rss_before[0],
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("serialisable")
        );
    } else {
        let show = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.1}"));
        println!(
            "{} ({} words x {}, {:.1} MB file), {method}: open {:.3} ms, lookup of {word:?} (index {i}) + read {:.3} ms, total {:.3} ms; sum {sum:.6}",
            a.model.display(),
            emb.len(),
            emb.dim(),
            file_bytes as f64 / 1e6,
            ms(t_open),
            ms(t_lookup),
            ms(t_total),
        );
        println!(
            "resident after the read: VmRSS {} MB (RssAnon {}, RssFile {}); peak VmHWM {} MB; VmRSS before opening {} MB",
            show(rss),
            show(anon),
            show(file),
            show(peak),
            show(rss_before[0]),
        );
    }
    Ok(())
}

fn query(a: QueryArgs) -> Result<()> {
    let emb = w2v::Embeddings::load(&a.model)?.with_kernels(Kernels::from_env()?);
    let end = (a.from + a.queries).min(emb.len());
    let words: Vec<&str> = (a.from.min(end)..end).filter_map(|i| emb.word(i)).collect();
    let t = bench_queries(&emb, &words, a.k, a.batch)?;
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
    if args.batches == 0 {
        return Err(w2v::Error::invalid("--batches must be at least 1"));
    }
    if let Some(&d) = args.dims.iter().find(|&&d| d == 0 || d > 1 << 20) {
        return Err(w2v::Error::invalid(format!(
            "--dims: {d} is out of range (1 to 1048576)"
        )));
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
