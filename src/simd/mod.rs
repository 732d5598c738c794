//! Vector kernels over `f32` rows, dispatched at run time.
//!
//! Training and querying word vectors spend nearly all their time in a few
//! operations on rows of 50 to 1000 floats:
//!
//! | kernel | operation | flops |
//! |---|---|---|
//! | [`Kernels::dot`] | `sum a[i] b[i]` | `2n` |
//! | [`Kernels::dot_rows`] | one `dot` per row of a block (queries) | `2nm` |
//! | [`Kernels::dot_blocks_u8`] | the same in integers: an 8-bit query against 8-bit rows in blocks of 16 (the compact scan) | `2nm` |
//! | [`Kernels::dot_blocks_u8_x4`] | four queries per pass over the blocks (batches) | `8nm` |
//! | [`Kernels::dot_u8_gather`] | an 8-bit query against 8-bit rows picked by index (the neighbour graph) | `2nm` |
//! | [`Kernels::axpy`] | `y += a x` | `2n` |
//! | [`Kernels::scale`] | `x *= a` | `n` |
//! | [`Kernels::add`] | `y += x` (summing CBOW contexts) | `n` |
//! | [`Kernels::ns_step`] | `f = h.w; g = (label - sigmoid(f)) lr; e += g w; w += g h` | `6n` |
//!
//! Each exists at four [`Level`]s: `scalar` (the reference: plain loops),
//! `portable` (`wide::f32x8`), `avx2` (AVX2+FMA, through `std::arch`) and
//! `avx512` (AVX-512F with masked tails, and AVX-512BW for the byte kernel). A [`Kernels`] value is a table of
//! function pointers for one level; it can only be created for a level the
//! running CPU supports, so holding one proves the instructions exist.
//!
//! [`Kernels::from_env`] picks the default level ([`Level::best`]), unless the environment variable
//! `W2V_SIMD=scalar|portable|avx2|avx512` forces one; forcing a level the CPU
//! lacks is an error that says so. The default build (no `target-cpu` flag)
//! contains all levels and uses AVX2/AVX-512 where the CPU has them.
//!
//! # Numerics
//!
//! [`Kernels::dot_blocks_u8`] and [`Kernels::dot_u8_gather`] are integer arithmetic: every level returns
//! the same values. The float kernels' results differ between levels by rounding only: the SIMD levels reduce dot
//! products in a different order (several accumulators, lanes summed last) and
//! use fused multiply-add (one rounding) where the scalar reference multiplies
//! then adds. Tests hold every level to the scalar reference within a relative
//! tolerance. The sigmoid in `ns_step` is the same table-driven scalar function
//! at every level ([`sigmoid`]: absolute error below `4e-6` on `[-8, 8]`).

mod generic;
mod lanes;
mod portable;
mod scalar;
mod sigmoid;
#[cfg(target_arch = "x86_64")]
mod x86_64;

pub use sigmoid::{log_sigmoid, sigmoid};

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// Hint the CPU to fetch `bytes` bytes from `ptr` into cache (every 64-byte
/// line). A no-op off x86_64. Never faults, whatever `ptr` is.
#[inline(always)]
pub fn prefetch(ptr: *const f32, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let p = ptr as *const i8;
        let mut off = 0;
        while off < bytes {
            // SAFETY: prefetch is a hint: it never faults and reads nothing
            // architecturally; SSE is part of the x86_64 baseline.
            #[allow(unsafe_code, reason = "a cache hint")]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    p.wrapping_add(off),
                )
            };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (ptr, bytes);
}

/// The environment variable that forces a SIMD level.
pub const SIMD_ENV: &str = "W2V_SIMD";

/// A SIMD instruction-set level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Plain loops, one element at a time: the reference.
    Scalar,
    /// `wide::f32x8` with the instructions of the compilation target.
    Portable,
    /// AVX2 and FMA intrinsics, 8 lanes (x86_64).
    Avx2,
    /// AVX-512F intrinsics, 16 lanes, masked tails (x86_64).
    Avx512,
}

impl Level {
    /// Every level, slowest first.
    pub const ALL: [Level; 4] = [Level::Scalar, Level::Portable, Level::Avx2, Level::Avx512];

    /// The level's name as accepted by `W2V_SIMD`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// Whether the running CPU supports this level.
    pub fn is_available(self) -> bool {
        match self {
            Level::Scalar | Level::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => {
                is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Level::Avx2 | Level::Avx512 => false,
        }
    }

    /// The levels the running CPU supports, slowest first.
    pub fn available() -> Vec<Level> {
        Level::ALL
            .into_iter()
            .filter(|l| l.is_available())
            .collect()
    }

    /// The level used by default: `avx2` where the CPU has it, else
    /// `portable`. `avx512` is used only when asked for: on the AMD Zen 4 this
    /// was measured on, 512-bit operations are split in two and masked tail
    /// stores defeat store-to-load forwarding, so `avx2` is as fast on long
    /// rows and faster on training-size rows (`ns_step` at dim 100: 39 ns
    /// against 57 ns; see BENCHMARKS.md).
    pub fn best() -> Level {
        if Level::Avx2.is_available() {
            Level::Avx2
        } else {
            Level::Portable
        }
    }

    /// What the level needs from the CPU, for error messages.
    fn requirement(self) -> &'static str {
        match self {
            Level::Scalar | Level::Portable => "nothing",
            Level::Avx2 => "an x86_64 CPU with AVX2 and FMA",
            Level::Avx512 => "an x86_64 CPU with AVX-512F and AVX-512BW",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = Error;

    fn from_str(s: &str) -> Result<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown SIMD level `{s}`: expected one of scalar, portable, avx2, avx512"
                ))
            })
    }
}

// Table entries are `unsafe fn` so that `#[target_feature]` entry points go in
// directly. Their contract: equal lengths (checked by the `Kernels` methods)
// and a CPU with the level's features (guaranteed by `Kernels::new`).
type DotFn = unsafe fn(&[f32], &[f32]) -> f32;
type DotRowsFn = unsafe fn(&[f32], &[f32], &mut [f32]);
/// `dot_blocks_u8_x4` for levels without a four-query kernel: `single` once
/// for each of the four queries in `q`, into its quarter of `out`.
fn once_per_query(single: fn(&[i8], &[u8], &mut [i32]), q: &[i8], blocks: &[u8], out: &mut [i32]) {
    let (n, m) = (q.len() / 4, out.len() / 4);
    for j in 0..4 {
        single(&q[j * n..(j + 1) * n], blocks, &mut out[j * m..(j + 1) * m]);
    }
}

/// Panics unless every query byte is in `-QUERY_BYTE_MAX..=QUERY_BYTE_MAX`.
///
/// The largest magnitude is found with no early exit, so that the check
/// vectorises: the graph's searches call it once for every node they expand.
#[inline]
fn check_query_bytes(q: &[i8], kernel: &str) {
    let max = q.iter().fold(0u8, |m, x| m.max(x.unsigned_abs()));
    assert!(
        max <= QUERY_BYTE_MAX as u8,
        "{kernel}: query bytes must be in -63..=63"
    );
}

/// The largest query byte magnitude [`Kernels::dot_blocks_u8`] accepts.
pub const QUERY_BYTE_MAX: i8 = 63;
/// The longest query [`Kernels::dot_blocks_u8`] accepts: `2^17` bytes, so
/// that no sum can exceed `i32` (`2^17 x 255 x 63 < 2^31`).
pub const MAX_BLOCK_QUERY: usize = 1 << 17;

/// Rows per block in the byte-block layout of [`Kernels::dot_blocks_u8`].
pub const BLOCK_ROWS: usize = 16;

/// A row length rounded up to a multiple of 4: the bytes of one row (and of
/// one query) in the byte-block layout.
pub fn padded_dim(dim: usize) -> usize {
    dim.next_multiple_of(4)
}

/// Whether rows of `dim` elements fit the byte-block layout (a coded query
/// of at most [`MAX_BLOCK_QUERY`] bytes).
pub fn fits_blocks(dim: usize) -> bool {
    dim > 0 && padded_dim(dim) <= MAX_BLOCK_QUERY
}

/// Bytes of the byte-block layout for `rows` rows of `dim` elements: rows
/// padded to a multiple of [`BLOCK_ROWS`], each [`padded_dim`] bytes.
/// `None` on overflow.
pub fn blocks_len(rows: usize, dim: usize) -> Option<usize> {
    rows.div_ceil(BLOCK_ROWS)
        .checked_mul(BLOCK_ROWS)?
        .checked_mul(padded_dim(dim))
}

/// Where element `j` of row `i` lives in the byte-block layout, rows
/// [`padded_dim`] `pd` bytes long: block `i / 16`, 64-byte column `j / 4`,
/// four bytes per row in each column.
#[inline]
pub fn block_offset(i: usize, j: usize, pd: usize) -> usize {
    (i / BLOCK_ROWS) * BLOCK_ROWS * pd + 64 * (j / 4) + 4 * (i % BLOCK_ROWS) + j % 4
}

type DotBlocksU8Fn = unsafe fn(&[i8], &[u8], &mut [i32]);
type DotU8GatherFn = unsafe fn(&[i8], &[u8], usize, &[u32], &mut [i32]);
type AxpyFn = unsafe fn(f32, &[f32], &mut [f32]);
type AxpyRowsFn = unsafe fn(&[f32], &[f32], &mut [f32]);
type ScaleFn = unsafe fn(f32, &mut [f32]);
type AddFn = unsafe fn(&[f32], &mut [f32]);
type NsStepFn = unsafe fn(&[f32], &mut [f32], &mut [f32], f32, f32) -> f32;

/// The kernel table for one SIMD level.
///
/// A `Kernels` exists only for a level the running CPU supports (see
/// [`Kernels::new`]). It is `Copy` and cheap to pass around; every method
/// takes slices of any length (including 0), at any alignment. Methods panic
/// if the slice lengths disagree: that is a programming error, like
/// `copy_from_slice`.
#[derive(Clone, Copy)]
pub struct Kernels {
    level: Level,
    dot: DotFn,
    dot_rows: DotRowsFn,
    dot_blocks_u8: DotBlocksU8Fn,
    dot_blocks_u8_x4: DotBlocksU8Fn,
    dot_u8_gather: DotU8GatherFn,
    axpy: AxpyFn,
    axpy_rows: AxpyRowsFn,
    scale: ScaleFn,
    add: AddFn,
    ns_step: NsStepFn,
}

impl fmt::Debug for Kernels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kernels")
            .field("level", &self.level)
            .finish()
    }
}

macro_rules! table {
    ($level:expr, $module:path) => {{
        use $module as m;
        Kernels {
            level: $level,
            dot: m::dot,
            dot_rows: m::dot_rows,
            dot_blocks_u8: m::dot_blocks_u8,
            dot_blocks_u8_x4: m::dot_blocks_u8_x4,
            dot_u8_gather: m::dot_u8_gather,
            axpy: m::axpy,
            axpy_rows: m::axpy_rows,
            scale: m::scale,
            add: m::add,
            ns_step: m::ns_step,
        }
    }};
}

#[allow(
    unsafe_code,
    reason = "calls through the kernel table's unsafe fn pointers"
)]
impl Kernels {
    /// The kernels of `level`, or an [`ErrorKind::Unsupported`] error if the
    /// running CPU lacks it.
    pub fn new(level: Level) -> Result<Kernels> {
        if !level.is_available() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "SIMD level `{level}` is not available on this CPU: it needs {}; available: {}",
                    level.requirement(),
                    Level::available()
                        .iter()
                        .map(|l| l.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(match level {
            Level::Scalar => table!(Level::Scalar, scalar),
            Level::Portable => table!(Level::Portable, portable),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => table!(Level::Avx2, x86_64::avx2),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => table!(Level::Avx512, x86_64::avx512),
            #[cfg(not(target_arch = "x86_64"))]
            Level::Avx2 | Level::Avx512 => unreachable!("is_available is false off x86_64"),
        })
    }

    /// The kernels of the default level ([`Level::best`]).
    pub fn best() -> Kernels {
        Kernels::new(Level::best()).unwrap_or_else(|_| table!(Level::Scalar, scalar))
    }

    /// The level forced by `W2V_SIMD`, else the default one ([`Level::best`]). An unknown name or a
    /// level the CPU lacks is an error.
    pub fn from_env() -> Result<Kernels> {
        match std::env::var(SIMD_ENV) {
            Ok(name) if !name.trim().is_empty() => {
                let level: Level = name
                    .parse()
                    .map_err(|e: Error| Error::invalid(format!("{SIMD_ENV}={name}: {e}")))?;
                Kernels::new(level)
                    .map_err(|e| Error::new(e.kind(), format!("{SIMD_ENV}={name}: {e}")))
            }
            _ => Ok(Kernels::best()),
        }
    }

    /// The level of this table.
    pub fn level(&self) -> Level {
        self.level
    }

    /// `sum a[i] * b[i]`. Panics if the lengths differ.
    #[inline]
    pub fn dot(&self, a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len(), "dot: length mismatch");
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.dot)(a, b) }
    }

    /// `out[r] = dot(q, rows[r * n..(r + 1) * n])` with `n = q.len()`: one
    /// query against `out.len()` contiguous rows (the top-k scan's kernel).
    /// Panics unless `rows.len() == out.len() * q.len()`.
    #[inline]
    pub fn dot_rows(&self, q: &[f32], rows: &[f32], out: &mut [f32]) {
        assert_eq!(
            rows.len(),
            out.len() * q.len(),
            "dot_rows: rows must hold out.len() rows of q.len() floats"
        );
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.dot_rows)(q, rows, out) }
    }

    /// Integer dot products of an 8-bit query with 8-bit rows stored in
    /// blocks of 16 (the layout of the query engine's compact scan copy,
    /// `crate::model::scan`): `out[16 g + j] = sum_i q[i] * row(16 g + j)[i]`,
    /// where with `n = q.len()` block `g` is `blocks[16 n g..16 n (g + 1)]`
    /// and row `16 g + j`'s element `i` is its byte `64 (i / 4) + 4 j + i % 4`
    /// (each 64-byte column holds four consecutive elements of all 16 rows).
    /// Rows are unsigned bytes, the query signed. The result is exact at
    /// every level.
    ///
    /// Panics unless `n % 4 == 0`, `n <= MAX_BLOCK_QUERY`,
    /// `out.len() % 16 == 0`, `blocks.len() == out.len() * n` and every
    /// query byte is in `-63..=63` (AVX2's byte products are summed in pairs
    /// in 16 bits: `2 x 255 x 63` fits, `2 x 255 x 127` would not).
    #[inline]
    pub fn dot_blocks_u8(&self, q: &[i8], blocks: &[u8], out: &mut [i32]) {
        assert!(
            q.len().is_multiple_of(4)
                && q.len() <= MAX_BLOCK_QUERY
                && out.len().is_multiple_of(16)
                && blocks.len() == out.len() * q.len(),
            "dot_blocks_u8: q must hold a multiple of 4 bytes (at most {MAX_BLOCK_QUERY}), out a multiple of 16 results, blocks out.len() x q.len() bytes"
        );
        check_query_bytes(q, "dot_blocks_u8");
        // SAFETY: lengths and query range checked above; `self` exists only
        // for a level the CPU has.
        unsafe { (self.dot_blocks_u8)(q, blocks, out) }
    }

    /// Integer dot products of an 8-bit query with 8-bit rows picked by
    /// index from a strided table (the neighbour graph's records,
    /// `crate::model::index`): `out[t] = sum_i q[i] * row_t[i]` where `row_t`
    /// is `rows[ids[t] * stride..ids[t] * stride + q.len()]`. Rows are
    /// unsigned bytes, the query signed. Exact at every level; fastest when
    /// `q.len()` is a multiple of 64.
    ///
    /// Panics unless `out.len() == ids.len()`, every row lies inside `rows`
    /// and every query byte is in `-63..=63` (as for
    /// [`dot_blocks_u8`](Kernels::dot_blocks_u8)).
    #[inline]
    pub fn dot_u8_gather(
        &self,
        q: &[i8],
        rows: &[u8],
        stride: usize,
        ids: &[u32],
        out: &mut [i32],
    ) {
        assert_eq!(out.len(), ids.len(), "dot_u8_gather: one output per id");
        let n = q.len();
        // The row of the largest id ends last: one bound covers them all.
        assert!(
            ids.iter().max().is_none_or(|&id| (id as usize)
                .checked_mul(stride)
                .and_then(|a| a.checked_add(n))
                .is_some_and(|end| end <= rows.len())),
            "dot_u8_gather: a row lies outside `rows`"
        );
        check_query_bytes(q, "dot_u8_gather");
        // SAFETY: every row's bounds and the query range checked above;
        // `self` exists only for a level the CPU has.
        unsafe { (self.dot_u8_gather)(q, rows, stride, ids, out) }
    }

    /// Four queries at once: `q` holds 4 queries of `n` bytes, `out`
    /// receives `4 x m` sums (query `j`'s at `out[j * m..(j + 1) * m]`), each
    /// exactly as [`dot_blocks_u8`](Kernels::dot_blocks_u8) computes it; each
    /// block is read once for the four. Panics unless `q.len() == 4 n`,
    /// `out.len() == 4 m` and the lengths and query bytes satisfy
    /// `dot_blocks_u8` for `n` and `m`.
    #[inline]
    pub fn dot_blocks_u8_x4(&self, q: &[i8], blocks: &[u8], out: &mut [i32]) {
        let (n, m) = (q.len() / 4, out.len() / 4);
        assert!(
            q.len() == 4 * n
                && out.len() == 4 * m
                && n.is_multiple_of(4)
                && n <= MAX_BLOCK_QUERY
                && m.is_multiple_of(16)
                && blocks.len() == m * n,
            "dot_blocks_u8_x4: q must hold 4 queries of n bytes (n a multiple of 4, at most {MAX_BLOCK_QUERY}), out 4 x m sums (m a multiple of 16), blocks m x n bytes"
        );
        check_query_bytes(q, "dot_blocks_u8_x4");
        // SAFETY: lengths and query range checked above; `self` exists only
        // for a level the CPU has.
        unsafe { (self.dot_blocks_u8_x4)(q, blocks, out) }
    }

    /// `y[i] += a * x[i]`. Panics if the lengths differ.
    #[inline]
    pub fn axpy(&self, a: f32, x: &[f32], y: &mut [f32]) {
        assert_eq!(x.len(), y.len(), "axpy: length mismatch");
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.axpy)(a, x, y) }
    }

    /// `y[i] += sum_r coefs[r] * rows[r * n + i]` with `n = y.len()`: `y`
    /// plus a combination of `coefs.len()` contiguous rows (one row of a
    /// small matrix product; batch training's kernel). At the scalar level
    /// it is [`axpy`](Kernels::axpy) once per row, in order; other levels
    /// sum the rows in the same order with fused multiply-adds. Panics
    /// unless `rows.len() == coefs.len() * y.len()`.
    #[inline]
    pub fn axpy_rows(&self, coefs: &[f32], rows: &[f32], y: &mut [f32]) {
        assert_eq!(
            rows.len(),
            coefs.len() * y.len(),
            "axpy_rows: rows must hold coefs.len() rows of y.len() floats"
        );
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.axpy_rows)(coefs, rows, y) }
    }

    /// `x[i] *= a`.
    #[inline]
    pub fn scale(&self, a: f32, x: &mut [f32]) {
        // SAFETY: `self` exists only for a level the CPU has.
        unsafe { (self.scale)(a, x) }
    }

    /// `y[i] += x[i]`. Panics if the lengths differ.
    #[inline]
    pub fn add(&self, x: &[f32], y: &mut [f32]) {
        assert_eq!(x.len(), y.len(), "add: length mismatch");
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.add)(x, y) }
    }

    /// The fused negative-sampling (or hierarchical-softmax) update for one
    /// (input `h`, output `w`) pair:
    ///
    /// ```text
    /// f = dot(h, w); g = (label - sigmoid(f)) * lr; e += g * w; w += g * h
    /// ```
    ///
    /// where `e += g * w` uses `w` before its update. Returns `f`, from which
    /// the caller can compute the loss. `label` is 1 for the observed word and
    /// 0 for a negative sample (for hierarchical softmax, `1 - code`).
    /// Panics if the lengths differ.
    #[inline]
    pub fn ns_step(&self, h: &[f32], w: &mut [f32], e: &mut [f32], label: f32, lr: f32) -> f32 {
        assert!(
            w.len() == h.len() && e.len() == h.len(),
            "ns_step: length mismatch"
        );
        // SAFETY: lengths checked above; `self` exists only for a level the CPU has.
        unsafe { (self.ns_step)(h, w, e, label, lr) }
    }
}
