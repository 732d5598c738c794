//! `w2v bench ann`: the neighbour index against given queries and their exact
//! answers, ann-benchmarks style: recall@k, latency and queries per second
//! for each search breadth, on one thread and on several.

use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use w2v::{Embeddings, Error, Kernels, Result, Scratch};

#[derive(Args)]
pub struct AnnArgs {
    /// A native model with an index (`w2v index`).
    model: PathBuf,
    /// Queries: little-endian f32, `n x dim`.
    #[arg(long)]
    queries: PathBuf,
    /// The exact answers: little-endian u32, `n x k` row ids, best first.
    #[arg(long)]
    truth: PathBuf,
    /// Neighbours per query.
    #[arg(short, long, default_value_t = 10, value_parser = crate::query::k_value)]
    k: usize,
    /// Search breadths to time (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256])]
    ef: Vec<usize>,
    /// Thread counts to time (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2])]
    threads: Vec<usize>,
    /// Also time the exact scan.
    #[arg(long)]
    exact: bool,
}

fn read_raw<T: bytemuck::Pod>(path: &PathBuf) -> Result<Vec<T>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    let n = std::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(n) {
        return Err(Error::invalid(format!(
            "`{}`: {} bytes is not a whole number of {n}-byte values",
            path.display(),
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(n)
        .map(bytemuck::pod_read_unaligned)
        .collect())
}

/// Per query: its answers and its time in microseconds.
fn one_thread(emb: &Embeddings, qs: &[f32], k: usize) -> Result<(Vec<Vec<usize>>, Vec<f64>)> {
    let mut s = Scratch::new();
    let dim = emb.dim();
    // Warm-up: the scratch grows, the pages are touched.
    for q in qs.chunks_exact(dim) {
        emb.nearest_into(q, k, None, &[], &mut s)?;
    }
    let (mut answers, mut us) = (Vec::new(), Vec::new());
    for q in qs.chunks_exact(dim) {
        let t = Instant::now();
        let r = emb.nearest_into(q, k, None, &[], &mut s)?;
        us.push(t.elapsed().as_secs_f64() * 1e6);
        answers.push(r.iter().map(|n| n.index).collect());
    }
    Ok((answers, us))
}

/// Queries per second with `threads` threads, each with its own scratch,
/// each taking every `threads`-th query.
fn qps(emb: &Embeddings, qs: &[f32], k: usize, threads: usize) -> Result<f64> {
    let dim = emb.dim();
    let n = qs.len() / dim;
    let t = Instant::now();
    std::thread::scope(|sc| -> Result<()> {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                sc.spawn(move || -> Result<()> {
                    let mut s = Scratch::new();
                    for q in (t..n).step_by(threads) {
                        emb.nearest_into(&qs[q * dim..(q + 1) * dim], k, None, &[], &mut s)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in hs {
            h.join()
                .map_err(|_| Error::invalid("a query thread panicked"))??;
        }
        Ok(())
    })?;
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn ann(a: AnnArgs) -> Result<()> {
    let emb = Embeddings::load(&a.model)?.with_kernels(Kernels::from_env()?);
    if emb.neighbour_index().is_none() && !a.exact {
        return Err(Error::invalid(format!(
            "`{}` has no index: build one with `w2v index` (or time the scan with --exact)",
            a.model.display()
        )));
    }
    let qs: Vec<f32> = read_raw(&a.queries)?;
    let truth: Vec<u32> = read_raw(&a.truth)?;
    let dim = emb.dim();
    let n = qs.len() / dim;
    if n == 0 || qs.len() != n * dim || truth.len() != n * a.k {
        return Err(Error::invalid(format!(
            "{} query floats and {} answers do not make n x {dim} queries with {} answers each",
            qs.len(),
            truth.len(),
            a.k
        )));
    }
    let mut runs: Vec<(String, Embeddings)> =
        a.ef.iter()
            .map(|&ef| (format!("{ef}"), emb.clone().with_ef(ef)))
            .collect();
    if a.exact {
        runs.push(("exact".into(), emb.clone().with_exact(true)));
    }
    for (ef, e) in &runs {
        let (answers, mut us) = one_thread(e, &qs, a.k)?;
        let hits: usize = answers
            .iter()
            .enumerate()
            .map(|(q, got)| {
                let want = &truth[q * a.k..(q + 1) * a.k];
                got.iter().filter(|&&g| want.contains(&(g as u32))).count()
            })
            .sum();
        us.sort_by(f64::total_cmp);
        let mut qps_by: Vec<serde_json::Value> = Vec::new();
        for &t in &a.threads {
            qps_by.push(serde_json::json!({"threads": t, "qps": qps(e, &qs, a.k, t.max(1))?}));
        }
        let line = serde_json::json!({
            "tool": "w2v",
            "ef": ef,
            "queries": n,
            "recall": hits as f64 / (n * a.k) as f64,
            "median_us": quantile(&us, 0.5),
            "p99_us": quantile(&us, 0.99),
            "qps_1": 1e6 * n as f64 / us.iter().sum::<f64>(),
            "qps": qps_by,
            "simd": e.kernels().level().name(),
        });
        println!("{line}");
    }
    Ok(())
}
