//! The compact scan copy: every unit row in 8 bits, for the first pass of the
//! top-k scan ([`super::query`]), with the bound that makes the two-pass scan
//! exact.
//!
//! # The copy
//!
//! Row `i` of the matrix divided by its norm is the unit row `u_i`. Its code
//! is `r_ij = round(u_ij / a_i)`, in `-127..=127`, with the row's scale
//! `a_i = max_j |u_ij| / 127`; the byte stored is `r_ij + 128`. Rows are
//! stored in blocks of 16 in the layout of
//! [`Kernels::dot_blocks_u8`](crate::simd::Kernels::dot_blocks_u8), the dimension
//! padded to a multiple of 4 and the vocabulary to a multiple of 16 with zero
//! codes (byte 128). A zero or non-finite row has scale 0 and zero codes. The
//! copy also records `residual`, an upper bound on `|u_i - a_i r_i|` (the
//! Euclidean norm of a row's rounding error) over all rows. At dimension 100
//! the copy takes 100 bytes per word plus 4 for the scale, a quarter of the
//! f32 matrix.
//!
//! # A query
//!
//! A unit query `x` is coded as `p_j = round(x_j / b)` in `-63..=63` with
//! `b = max_j |x_j| / 63`. The kernel returns `sum_j (r_ij + 128) p_j`;
//! subtracting `128 sum_j p_j` leaves `sum_j r_ij p_j`, and the approximate
//! cosine is `a_i b sum_j r_ij p_j`.
//!
//! # The bound
//!
//! With `e = x - b p` (the query's rounding error, known exactly) and
//! `d_i = u_i - a_i r_i`:
//!
//! ```text
//! u_i . x - (a_i r_i) . (b p) = u_i . e + d_i . (b p)
//! |u_i . x - approx_i| <= |u_i| |e| + |d_i| |b p| <= |u_i| |e| + residual |b p|
//! ```
//!
//! `QueryCode::margin` adds to this the float rounding of both passes. If
//! every approximate score is within `eps` of the exact one, a row of the
//! exact top `k` scores at least `tau - 2 eps` in the first pass, `tau` being
//! the `k`-th best approximate score: the second pass re-scores every row
//! above that line in f32, and its top `k` is the exact scan's.

use crate::format::native::ScanParts;
use crate::simd::{MAX_BLOCK_QUERY, QUERY_BYTE_MAX, block_offset, blocks_len, fits_blocks};

pub use crate::simd::{BLOCK_ROWS, padded_dim};

/// The largest dimension that has a scan copy (`2^17`); queries on wider
/// vectors scan the f32 rows directly.
pub const MAX_SCAN_DIM: usize = MAX_BLOCK_QUERY;

/// Whether vectors of dimension `dim` get a scan copy.
pub fn supports(dim: usize) -> bool {
    fits_blocks(dim)
}

/// A scan copy built in memory (see the module documentation).
#[derive(Debug, Clone)]
pub struct ScanCopy {
    blocks: Vec<u8>,
    scales: Vec<f32>,
    residual: f32,
}

impl ScanCopy {
    /// Code the rows of `matrix` (`norms.len()` rows of `dim` floats) divided
    /// by `norms`. Panics if `dim` is not [supported](supports) or the
    /// lengths disagree.
    pub fn build(matrix: &[f32], dim: usize, norms: &[f32]) -> ScanCopy {
        assert!(supports(dim), "no scan copy at dimension {dim}");
        let v = norms.len();
        assert_eq!(
            matrix.len(),
            v * dim,
            "ScanCopy::build: matrix and norms disagree"
        );
        let pd = padded_dim(dim);
        let mut blocks = vec![128u8; blocks_len(v, dim).expect("fits: the matrix is in memory")];
        let mut scales = vec![0.0f32; v];
        let mut residual = 0.0f64;
        for (i, (row, &n)) in matrix.chunks_exact(dim).zip(norms).enumerate() {
            if !(n > 0.0 && n.is_finite()) || row.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let n = n as f64;
            let max = row.iter().fold(0.0f64, |m, &x| m.max((x as f64 / n).abs()));
            let a = (max / 127.0) as f32;
            if !(a > 0.0 && a.is_finite()) {
                continue;
            }
            scales[i] = a;
            let mut err2 = 0.0f64;
            for (j, &x) in row.iter().enumerate() {
                let u = x as f64 / n;
                let r = (u / a as f64).round().clamp(-127.0, 127.0);
                blocks[block_offset(i, j, pd)] = (r as i32 + 128) as u8;
                let d = u - a as f64 * r;
                err2 += d * d;
            }
            residual = residual.max(err2.sqrt());
        }
        ScanCopy {
            blocks,
            scales,
            residual: round_up(residual),
        }
    }

    /// The copy as a view.
    pub fn view(&self) -> ScanParts<'_> {
        ScanParts {
            blocks: &self.blocks,
            scales: &self.scales,
            residual: self.residual,
        }
    }
}

/// `x` as an f32 no smaller than it.
fn round_up(x: f64) -> f32 {
    let f = x as f32;
    if (f as f64) < x { f.next_up() } else { f }
}

/// A query coded for the scan: its bytes go to a caller buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryCode {
    /// `b`: the query's scale.
    pub scale: f32,
    /// `128 sum_j p_j`: subtracted from the kernel's sums.
    pub correction: i32,
    /// `|x - b p|`.
    err: f64,
    /// `|b p|`.
    norm: f64,
}

impl QueryCode {
    /// Code the unit query `x` into `out` (`padded_dim(x.len())` bytes; the
    /// padding is zeroed). `x` must be finite and not all zero.
    pub fn encode(x: &[f32], out: &mut [i8]) -> QueryCode {
        debug_assert_eq!(out.len(), padded_dim(x.len()));
        out.fill(0);
        let max = x.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        let scale = max / QUERY_BYTE_MAX as f32;
        let (mut sum, mut err2, mut p2) = (0i64, 0.0f64, 0.0f64);
        for (o, &v) in out.iter_mut().zip(x) {
            let lim = QUERY_BYTE_MAX as f32;
            let p = (v / scale).round().clamp(-lim, lim);
            *o = p as i8;
            sum += p as i64;
            let e = v as f64 - scale as f64 * p as f64;
            err2 += e * e;
            p2 += (p as f64) * (p as f64);
        }
        QueryCode {
            scale,
            correction: (128 * sum) as i32,
            err: err2.sqrt(),
            norm: scale as f64 * p2.sqrt(),
        }
    }

    /// The largest `|approximate - exact|` cosine for a copy with this
    /// `residual` at dimension `dim` (see the module documentation): the
    /// coding error `|u| |e| + residual |b p|` with `|u| <= 1 + (dim + 2)
    /// 2^-23` for a unit row computed in f32, plus `(2 dim + 16) 2^-24` for
    /// the float rounding of the approximate score and of the exact
    /// re-scoring, plus `1e-6` of slack.
    pub fn margin(&self, residual: f32, dim: usize) -> f32 {
        let d = dim as f64;
        let u = 1.0 + (d + 2.0) * 2f64.powi(-23);
        let e =
            self.err * u + residual as f64 * self.norm + (2.0 * d + 16.0) * 2f64.powi(-24) + 1e-6;
        round_up(e)
    }
}

/// Approximate cosines of one block range,
/// `out[r] = (sums[r] - correction) x (scale x scales[r])`, eight at a time
/// in shapes the compiler vectorises. Returns the largest.
#[inline]
pub(crate) fn scores(sums: &[i32], scales: &[f32], code: &QueryCode, out: &mut [f32]) -> f32 {
    let (c, b) = (code.correction, code.scale);
    let n = out.len().min(sums.len()).min(scales.len());
    let (o8, o_rest) = out[..n].as_chunks_mut::<8>();
    let (s8, s_rest) = sums[..n].as_chunks::<8>();
    let (a8, a_rest) = scales[..n].as_chunks::<8>();
    let mut best = [f32::NEG_INFINITY; 8];
    for ((o, s), a) in o8.iter_mut().zip(s8).zip(a8) {
        let mut v = [0.0f32; 8];
        for j in 0..8 {
            v[j] = s[j].wrapping_sub(c) as f32 * (b * a[j]);
        }
        for j in 0..8 {
            best[j] = if v[j] > best[j] { v[j] } else { best[j] };
        }
        *o = v;
    }
    let mut m = max8(&best);
    for ((o, &s), &a) in o_rest.iter_mut().zip(s_rest).zip(a_rest) {
        let v = s.wrapping_sub(c) as f32 * (b * a);
        *o = v;
        m = if v > m { v } else { m };
    }
    m
}

/// The largest of eight (NaN is never the largest).
#[inline]
fn max8(x: &[f32; 8]) -> f32 {
    x.iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m })
}

/// Calls `f(r, scores[r])` for every `r` with `scores[r] >= line`, skipping
/// runs of 16 below it by one vectorised maximum.
#[inline]
pub(crate) fn for_each_at_least(scores: &[f32], line: f32, mut f: impl FnMut(usize, f32) -> f32) {
    let mut line = line;
    let body = scores.len() - scores.len() % 16;
    for (c, chunk) in scores[..body].chunks_exact(16).enumerate() {
        let mut m = [f32::NEG_INFINITY; 8];
        for j in 0..8 {
            let (a, b) = (chunk[j], chunk[j + 8]);
            let v = if a > b { a } else { b };
            m[j] = if v > m[j] { v } else { m[j] };
        }
        if max8(&m) < line {
            continue;
        }
        for (j, &s) in chunk.iter().enumerate() {
            if s >= line {
                line = f(16 * c + j, s);
            }
        }
    }
    for (r, &s) in scores.iter().enumerate().skip(body) {
        if s >= line {
            line = f(r, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{Kernels, Level};

    /// Deterministic floats in [-1, 1).
    fn floats(n: usize, seed: u64) -> Vec<f32> {
        use rand::{Rng, SeedableRng, rngs::SmallRng};
        let mut rng = SmallRng::seed_from_u64(seed);
        (0..n)
            .map(|_| (rng.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
            .collect()
    }

    fn norms(m: &[f32], dim: usize) -> Vec<f32> {
        m.chunks_exact(dim)
            .map(|r| {
                r.iter()
                    .map(|&x| (x as f64) * (x as f64))
                    .sum::<f64>()
                    .sqrt() as f32
            })
            .collect()
    }

    /// Rows that stress the coding: uniform, spiky (one large element, the
    /// rest just off a rounding midpoint), tiny, huge, one-hot, sparse, and
    /// a zero row.
    fn stress_rows(v: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut m = floats(v * dim, seed);
        for (i, row) in m.chunks_exact_mut(dim).enumerate() {
            match i % 7 {
                1 => {
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = if j == 0 {
                            1.0
                        } else {
                            (j as f32 + 0.49) / 127.0 * x.signum() / dim as f32
                        };
                    }
                }
                2 => row.iter_mut().for_each(|x| *x *= 1e-30),
                3 => row.iter_mut().for_each(|x| *x *= 1e30),
                4 => {
                    row.fill(0.0);
                    row[i % dim] = -3.0;
                }
                5 => {
                    for (j, x) in row.iter_mut().enumerate() {
                        if j % 5 != 0 {
                            *x = 0.0;
                        }
                    }
                }
                6 if i == 6 => row.fill(0.0),
                _ => {}
            }
        }
        m
    }

    /// The proof's claim, checked directly: every approximate cosine is
    /// within the query's margin of the exact (f64) one, for every level's
    /// kernel (they return the same sums), on stress rows and queries.
    #[test]
    fn approximate_cosines_are_within_the_margin() {
        for (v, dim) in [(64, 100), (48, 7), (32, 300), (16, 1)] {
            let m = stress_rows(v, dim, dim as u64);
            let n = norms(&m, dim);
            let copy = ScanCopy::build(&m, dim, &n);
            let view = copy.view();
            assert!(
                view.residual >= 0.0 && view.residual < 0.1,
                "{}",
                view.residual
            );
            let pd = padded_dim(dim);
            let mut queries: Vec<Vec<f32>> =
                (0..v).map(|i| m[i * dim..(i + 1) * dim].to_vec()).collect();
            queries.extend((0..20).map(|s| floats(dim, 1000 + s)));
            let mut spike = vec![1e-3f32; dim];
            spike[0] = 1.0;
            queries.push(spike);
            let mut worst_ratio = 0.0f64;
            for q in queries {
                let qn = q.iter().map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt();
                if !(qn > 0.0 && qn.is_finite()) {
                    continue;
                }
                let x: Vec<f32> = q.iter().map(|&e| (e as f64 / qn) as f32).collect();
                let mut code = vec![0i8; pd];
                let qc = QueryCode::encode(&x, &mut code);
                let eps = qc.margin(view.residual, dim) as f64;
                for level in Level::available() {
                    let k = Kernels::new(level).unwrap();
                    let mut sums = vec![0i32; v.div_ceil(16) * 16];
                    k.dot_blocks_u8(&code, view.blocks, &mut sums);
                    let mut approx = vec![0.0f32; v];
                    scores(&sums[..v], view.scales, &qc, &mut approx);
                    for i in 0..v {
                        let nr = n[i] as f64;
                        if !(nr > 0.0 && nr.is_finite()) {
                            assert_eq!(view.scales[i], 0.0);
                            continue;
                        }
                        let exact: f64 = m[i * dim..(i + 1) * dim]
                            .iter()
                            .zip(&q)
                            .map(|(&a, &b)| a as f64 * b as f64)
                            .sum::<f64>()
                            / (nr * qn);
                        let err = (approx[i] as f64 - exact).abs();
                        assert!(
                            err <= eps,
                            "{level} {v}x{dim} row {i}: |{} - {exact}| = {err} > eps {eps}",
                            approx[i]
                        );
                        worst_ratio = worst_ratio.max(err / eps);
                    }
                }
            }
            // The bound is not vacuous: errors reach a fair part of it (at
            // dimension 1 every unit row and query is exactly +-1).
            eprintln!("{v}x{dim}: largest error / margin {worst_ratio:.3}");
            assert!(
                dim == 1 || worst_ratio > 0.05,
                "{v}x{dim}: largest error / margin {worst_ratio}"
            );
        }
    }

    #[test]
    fn codes_are_in_range_and_zero_rows_are_zero() {
        let (v, dim) = (40, 10);
        let m = stress_rows(v, dim, 3);
        let copy = ScanCopy::build(&m, dim, &norms(&m, dim));
        let view = copy.view();
        assert_eq!(view.blocks.len(), blocks_len(v, dim).unwrap());
        assert!(
            view.blocks.iter().all(|&b| b >= 1),
            "codes are in -127..=127"
        );
        // Row 6 is zero: scale 0 and the byte 128 everywhere.
        assert_eq!(view.scales[6], 0.0);
        for j in 0..dim {
            assert_eq!(view.blocks[block_offset(6, j, padded_dim(dim))], 128);
        }
        // Padding rows and padding columns hold zero codes.
        for i in v..v.div_ceil(16) * 16 {
            for j in 0..padded_dim(dim) {
                assert_eq!(view.blocks[block_offset(i, j, padded_dim(dim))], 128);
            }
        }
        let mut code = vec![0i8; padded_dim(dim)];
        let x = floats(dim, 9);
        QueryCode::encode(&x, &mut code);
        assert!(code.iter().all(|&c| (-63..=63).contains(&c)));
        assert!(
            code.iter().any(|&c| c.abs() == 63),
            "the largest element gets the full range"
        );
        assert!(code[dim..].iter().all(|&c| c == 0));
    }
}
