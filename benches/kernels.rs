//! Criterion benchmarks of the SIMD kernels at every level this CPU supports.
//! Names are `kernel/level/dim`, e.g. `dot/avx2/300`. Data is synthetic.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use w2v::{Kernels, Level};

const DIMS: [usize; 4] = [50, 100, 300, 1000];

fn data(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as u32).wrapping_mul(2654435761) ^ seed) as f32 / u32::MAX as f32 - 0.5)
        .collect()
}

fn kernels(c: &mut Criterion) {
    for level in Level::available() {
        let k = Kernels::new(level).expect("available level");
        for &n in &DIMS {
            let a = data(n, 1);
            let mut b = data(n, 2);
            let mut e = data(n, 3);
            let mut g = c.benchmark_group("dot");
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.dot(black_box(&a), black_box(&b)))
            });
            g.finish();
            let mut g = c.benchmark_group("axpy");
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.axpy(black_box(1e-7), black_box(&a), black_box(&mut b)))
            });
            g.finish();
            let mut g = c.benchmark_group("ns_step");
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| {
                    k.ns_step(
                        black_box(&a),
                        black_box(&mut b),
                        black_box(&mut e),
                        1.0,
                        1e-7,
                    )
                })
            });
            g.finish();
        }
    }
}

/// The query scan's kernels: one query against a 256-row block in cache, f32
/// rows (`dot_rows`) and half-precision rows (`dot_rows_f16`, rows padded to
/// a multiple of 16 as the query engine stores them). Throughput is rows.
fn scan(c: &mut Criterion) {
    const ROWS: usize = 256;
    for level in Level::available() {
        let k = Kernels::new(level).expect("available level");
        for &n in &[100usize, 300] {
            let stride = n.next_multiple_of(16);
            let q = data(n, 1);
            let mut q16 = q.clone();
            q16.resize(stride, 0.0);
            let rows = data(ROWS * n, 2);
            let rows16: Vec<u16> = data(ROWS * stride, 3)
                .iter()
                .map(|&x| half::f16::from_f32(x).to_bits())
                .collect();
            let mut out = vec![0.0f32; ROWS];
            let mut g = c.benchmark_group("dot_rows");
            g.throughput(Throughput::Elements(ROWS as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.dot_rows(black_box(&q), black_box(&rows), &mut out))
            });
            g.finish();
            let mut g = c.benchmark_group("dot_rows_f16");
            g.throughput(Throughput::Elements(ROWS as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.dot_rows_f16(black_box(&q16), black_box(&rows16), &mut out))
            });
            g.finish();
        }
    }
}

criterion_group!(benches, kernels, scan);
criterion_main!(benches);
