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
/// rows (`dot_rows`) and 8-bit rows in blocks of 16 (`dot_blocks_u8`, the
/// scan copy's layout; `dot_blocks_u8_x4` for four queries at once, counted
/// as 4 x 256 rows), and 32 8-bit rows picked by id out of 256 strided
/// records (`dot_u8_gather`, one node's level-0 links in the neighbour index).
/// Throughput is rows.
fn scan(c: &mut Criterion) {
    const ROWS: usize = 256;
    for level in Level::available() {
        let k = Kernels::new(level).expect("available level");
        for &n in &[100usize, 300] {
            let q = data(n, 1);
            let rows = data(ROWS * n, 2);
            let q8: Vec<i8> = data(4 * n, 3).iter().map(|x| (x * 63.0) as i8).collect();
            let rows8: Vec<u8> = data(ROWS * n, 4)
                .iter()
                .map(|x| ((x + 1.0) * 127.0) as u8)
                .collect();
            let mut out = vec![0.0f32; ROWS];
            let mut sums = vec![0i32; 4 * ROWS];
            let mut g = c.benchmark_group("dot_rows");
            g.throughput(Throughput::Elements(ROWS as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.dot_rows(black_box(&q), black_box(&rows), &mut out))
            });
            g.finish();
            let mut g = c.benchmark_group("dot_blocks_u8");
            g.throughput(Throughput::Elements(ROWS as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| {
                    k.dot_blocks_u8(black_box(&q8[..n]), black_box(&rows8), &mut sums[..ROWS])
                })
            });
            g.finish();
            let mut g = c.benchmark_group("dot_blocks_u8_x4");
            g.throughput(Throughput::Elements(4 * ROWS as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| k.dot_blocks_u8_x4(black_box(&q8), black_box(&rows8), &mut sums))
            });
            g.finish();
            // Records as the index lays them out: a 16-byte head, 32 links,
            // then the code (padded to 64 bytes), here with the code first.
            let stride = n.div_ceil(64) * 64 + 16 + 32 * 4;
            let table: Vec<u8> = (0..ROWS * stride).map(|i| rows8[i % rows8.len()]).collect();
            let ids: Vec<u32> = (0..32u32).map(|i| (i * 97 + 13) % ROWS as u32).collect();
            let mut g = c.benchmark_group("dot_u8_gather");
            g.throughput(Throughput::Elements(ids.len() as u64));
            g.bench_with_input(BenchmarkId::new(level.name(), n), &n, |bench, _| {
                bench.iter(|| {
                    k.dot_u8_gather(
                        black_box(&q8[..n]),
                        black_box(&table),
                        stride,
                        black_box(&ids),
                        &mut sums[..32],
                    )
                })
            });
            g.finish();
        }
    }
}

criterion_group!(benches, kernels, scan);
criterion_main!(benches);
