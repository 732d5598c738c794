//! The timing behind `w2v bench kernels` and `w2v bench query`.
//!
//! Each (level, kernel, dim) cell is timed in batches: the batch size is
//! calibrated so one batch takes about 50 µs, then many batches are timed
//! and the median nanoseconds per call reported. Medians resist the noise of
//! a shared machine; the speed-up over scalar is a ratio of two medians
//! measured in the same run.

use serde::Serialize;
use std::hint::black_box;
use std::time::{Duration, Instant};
use w2v::{Embeddings, Error, Kernels, Level, Result, Scratch};

/// The kernels `bench_kernels` measures, with their flop counts per element.
pub const KERNELS: [(&str, f64); 5] = [
    ("dot", 2.0),
    ("axpy", 2.0),
    ("scale", 1.0),
    ("add", 1.0),
    ("ns_step", 6.0),
];

/// The default dimensions measured.
pub const DEFAULT_DIMS: [usize; 5] = [50, 100, 128, 300, 1000];

/// One measured cell.
#[derive(Debug, Clone, Serialize)]
pub struct KernelTiming {
    /// SIMD level name.
    pub level: &'static str,
    /// Kernel name (see [`KERNELS`]).
    pub kernel: &'static str,
    /// Vector length.
    pub dim: usize,
    /// Median nanoseconds per call.
    pub ns_per_call: f64,
    /// Floating-point operations per second, in units of 1e9.
    pub gflops: f64,
    /// `scalar ns / this ns` for the same kernel and dim (1.0 for scalar).
    pub speedup_vs_scalar: f64,
}

/// How long to measure.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// Target duration of one timed batch.
    pub batch: Duration,
    /// Number of timed batches per cell (the median is reported).
    pub batches: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            batch: Duration::from_micros(50),
            batches: 61,
        }
    }
}

fn synthetic(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let h = (i as u32 ^ seed).wrapping_mul(2_654_435_761).rotate_left(7);
            (h >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

/// Time `f` and return the median nanoseconds per call.
fn median_ns(opts: BenchOptions, mut f: impl FnMut()) -> f64 {
    // Calibrate: grow the batch until it takes `opts.batch`.
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        if t.elapsed() >= opts.batch || iters >= 1 << 30 {
            break;
        }
        iters *= 2;
    }
    let mut samples: Vec<f64> = (0..opts.batches.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Time one kernel of `k` at `dim`; returns median ns per call.
pub fn time_kernel(k: &Kernels, kernel: &str, dim: usize, opts: BenchOptions) -> Option<f64> {
    let a = synthetic(dim, 1);
    let mut b = synthetic(dim, 2);
    let mut e = synthetic(dim, 3);
    // Tiny coefficients keep repeated in-place updates bounded and normal.
    let ns = match kernel {
        "dot" => median_ns(opts, || {
            black_box(k.dot(black_box(&a), black_box(&b)));
        }),
        "axpy" => median_ns(opts, || {
            k.axpy(black_box(1e-7), black_box(&a), black_box(&mut b))
        }),
        "scale" => median_ns(opts, || k.scale(black_box(1.0), black_box(&mut b))),
        "add" => median_ns(opts, || k.add(black_box(&a), black_box(&mut b))),
        "ns_step" => median_ns(opts, || {
            black_box(k.ns_step(
                black_box(&a),
                black_box(&mut b),
                black_box(&mut e),
                1.0,
                1e-7,
            ));
        }),
        _ => return None,
    };
    Some(ns)
}

/// Measure every kernel at every `dims` for each of `levels` (scalar is always
/// measured too, as the reference for the speed-up column).
pub fn bench_kernels(levels: &[Level], dims: &[usize], opts: BenchOptions) -> Vec<KernelTiming> {
    let mut levels: Vec<Level> = levels.to_vec();
    if !levels.contains(&Level::Scalar) {
        levels.insert(0, Level::Scalar);
    }
    levels.sort();
    levels.dedup();
    let mut out = Vec::new();
    for &(kernel, flops_per_elem) in &KERNELS {
        for &dim in dims {
            let mut scalar_ns = f64::NAN;
            for &level in &levels {
                let Ok(k) = Kernels::new(level) else { continue };
                let ns = time_kernel(&k, kernel, dim, opts).expect("known kernel");
                if level == Level::Scalar {
                    scalar_ns = ns;
                }
                out.push(KernelTiming {
                    level: level.name(),
                    kernel,
                    dim,
                    ns_per_call: ns,
                    gflops: flops_per_elem * dim as f64 / ns,
                    speedup_vs_scalar: scalar_ns / ns,
                });
            }
        }
    }
    out
}

/// Query latency of a model, as `w2v bench query` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct QueryTiming {
    /// Words in the model.
    pub words: usize,
    /// Dimension.
    pub dim: usize,
    /// Neighbours per query.
    pub k: usize,
    /// Queries timed (each once, after one untimed pass over all of them).
    pub queries: usize,
    /// Median microseconds of one `most_similar(word)`-equivalent query
    /// (look the word up, take its unit vector, scan, exclude the word).
    pub single_median_us: f64,
    /// Mean of the fastest half of the single queries, in microseconds.
    pub single_p50_mean_us: f64,
    /// Queries per batch.
    pub batch: usize,
    /// Median over batches of (batch time / batch size), in microseconds.
    pub batch_per_query_median_us: f64,
    /// SIMD level of the scan.
    pub simd: &'static str,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Time nearest-neighbour queries for `words` (unknown ones are skipped):
/// one at a time, then in batches of `batch`. The single queries go through
/// `Embeddings::nearest_into` with one `Scratch`, so the
/// timing includes no allocation.
pub fn bench_queries(
    emb: &Embeddings,
    words: &[&str],
    k: usize,
    batch: usize,
) -> Result<QueryTiming> {
    let dim = emb.dim();
    let ids: Vec<usize> = words.iter().filter_map(|w| emb.index(w)).collect();
    if ids.is_empty() || batch == 0 {
        return Err(Error::invalid(
            "no query word is in the vocabulary (or the batch size is 0)",
        ));
    }
    let norms = emb.norms();
    let unit = |i: usize, out: &mut [f32]| {
        out.copy_from_slice(emb.row(i));
        if norms[i] > 0.0 {
            emb.kernels().scale(1.0 / norms[i], out);
        }
    };
    let mut scratch = Scratch::new();
    let mut q = vec![0.0f32; dim];
    let mut single = Vec::with_capacity(ids.len());
    for pass in 0..2 {
        for &i in &ids {
            let t = Instant::now();
            unit(i, &mut q);
            let r = emb.nearest_into(&q, k, None, &[i], &mut scratch)?;
            black_box(r);
            if pass == 1 {
                single.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    let mut qs = vec![0.0f32; batch * dim];
    let mut per_query = Vec::new();
    for pass in 0..2 {
        for chunk in ids.chunks(batch) {
            let t = Instant::now();
            let excl: Vec<[usize; 1]> = chunk.iter().map(|&i| [i]).collect();
            let excl: Vec<&[usize]> = excl.iter().map(|e| &e[..]).collect();
            for (&i, out) in chunk.iter().zip(qs.chunks_exact_mut(dim)) {
                unit(i, out);
            }
            let r =
                emb.nearest_batch_into(&qs[..chunk.len() * dim], k, None, &excl, &mut scratch)?;
            black_box(r);
            if pass == 1 {
                per_query.push(t.elapsed().as_secs_f64() * 1e6 / chunk.len() as f64);
            }
        }
    }
    let n = single.len();
    let single_median_us = median(&mut single);
    let half = &single[..n.div_ceil(2)];
    Ok(QueryTiming {
        words: emb.len(),
        dim,
        k,
        queries: n,
        single_median_us,
        single_p50_mean_us: half.iter().sum::<f64>() / half.len() as f64,
        batch,
        batch_per_query_median_us: median(&mut per_query),
        simd: emb.kernels().level().name(),
    })
}
