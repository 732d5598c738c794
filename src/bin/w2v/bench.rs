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
    }
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
