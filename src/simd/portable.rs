//! The portable level: `wide::f32x8`, whatever instructions `wide` was compiled
//! with (SSE2 on a default x86_64 build, NEON on aarch64). `mul_add` is a
//! multiply then an add unless the whole build enables FMA.

#![allow(unsafe_code, reason = "implements the Lanes trait over raw pointers")]

use super::generic;
use super::lanes::Lanes;
use wide::{f32x8, i16x16, i32x8, u8x16};

// SAFETY: f32x8 uses only instructions of the compilation target, which every
// CPU running this binary has; pointer validity is the caller's contract.
unsafe impl Lanes for f32x8 {
    const N: usize = 8;
    const MASKED_LOAD: bool = false;
    const MASKED: bool = false;

    #[inline(always)]
    unsafe fn zero() -> Self {
        f32x8::ZERO
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        f32x8::splat(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: the caller guarantees 8 readable floats at `p`; read_unaligned
        // needs no alignment.
        f32x8::new(unsafe { p.cast::<[f32; 8]>().read_unaligned() })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: the caller guarantees 8 writable floats at `p`.
        unsafe { p.cast::<[f32; 8]>().write_unaligned(self.to_array()) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        let mut buf = [0.0f32; 8];
        // SAFETY: the caller guarantees `p..p+n` is readable, and `n < 8`.
        unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), n.min(8)) };
        f32x8::new(buf)
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        // SAFETY: the caller guarantees `p..p+n` is writable, and `n < 8`.
        unsafe { std::ptr::copy_nonoverlapping(self.as_array().as_ptr(), p, n.min(8)) };
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
        a.mul_add(b, c)
    }
    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        a + b
    }
    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        a * b
    }
    #[inline(always)]
    unsafe fn reduce_sum(self) -> f32 {
        self.reduce_add()
    }
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    // SAFETY: `Kernels` checked `b.len() == a.len()`; f32x8 needs no CPU check.
    unsafe { generic::dot::<f32x8>(a, b) }
}

pub(crate) fn dot_rows(q: &[f32], rows: &[f32], out: &mut [f32]) {
    // SAFETY: `Kernels` checked `rows.len() == out.len() * q.len()`; no CPU check needed.
    unsafe { generic::dot_rows::<f32x8>(q, rows, out) }
}

/// `Kernels::dot_blocks_u8` with `wide`'s 16-bit lanes: each 64-byte
/// column of a block (four bytes of each of 16 rows) is widened to four
/// `i16x16` (four rows each) and multiplied by the column's four query
/// bytes, repeated, with `i16x16::dot` (SSE2 `pmaddwd`, NEON `smull` +
/// pairwise add), which sums adjacent products into 32 bits: each `i32x8`
/// accumulator holds two partial sums per row for four rows, added at the
/// end of the block. Exact (16-bit products of 8-bit values cannot
/// overflow).
pub(crate) fn dot_blocks_u8(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    let n4 = q.len() / 4;
    if n4 == 0 {
        out.fill(0);
        return;
    }
    for (o, block) in out.chunks_exact_mut(16).zip(blocks.chunks_exact(64 * n4)) {
        let mut acc = [i32x8::ZERO; 4];
        for (qk, col) in q.chunks_exact(4).zip(block.chunks_exact(64)) {
            let qv = i16x16::new(std::array::from_fn(|i| qk[i % 4] as i16));
            for (a, rows) in acc.iter_mut().zip(col.chunks_exact(16)) {
                let r = u8x16::new(rows.try_into().expect("16 bytes"));
                *a += i16x16::from(r).dot(qv);
            }
        }
        for (c, a) in acc.iter().enumerate() {
            let v = a.to_array();
            for j in 0..4 {
                o[4 * c + j] = v[2 * j] + v[2 * j + 1];
            }
        }
    }
}

pub(crate) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    // SAFETY: `Kernels` checked the lengths; no CPU check needed.
    unsafe { generic::axpy::<f32x8>(a, x, y) }
}

pub(crate) fn axpy_rows(coefs: &[f32], rows: &[f32], y: &mut [f32]) {
    // SAFETY: `Kernels` checked the lengths; no CPU check needed.
    unsafe { generic::axpy_rows::<f32x8>(coefs, rows, y) }
}

pub(crate) fn scale(a: f32, x: &mut [f32]) {
    // SAFETY: no CPU check needed for the portable type.
    unsafe { generic::scale::<f32x8>(a, x) }
}

pub(crate) fn add(x: &[f32], y: &mut [f32]) {
    // SAFETY: `Kernels` checked the lengths; no CPU check needed.
    unsafe { generic::add::<f32x8>(x, y) }
}

pub(crate) fn ns_step(h: &[f32], w: &mut [f32], e: &mut [f32], label: f32, lr: f32) -> f32 {
    // SAFETY: `Kernels` checked the lengths; no CPU check needed.
    unsafe { generic::ns_step::<f32x8>(h, w, e, label, lr) }
}

/// `Kernels::dot_blocks_u8_x4`: [`dot_blocks_u8`] once per query.
pub(crate) fn dot_blocks_u8_x4(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    super::once_per_query(dot_blocks_u8, q, blocks, out);
}

/// `Kernels::dot_u8_gather` with `wide`'s 16-bit lanes: 16 bytes of the row
/// and of the query widened to `i16x16`, multiplied and summed in adjacent
/// pairs into `i32x8` (`i16x16::dot`); exact. A tail under 16 bytes is summed
/// one byte at a time.
pub(crate) fn dot_u8_gather(q: &[i8], rows: &[u8], stride: usize, ids: &[u32], out: &mut [i32]) {
    let n = q.len();
    let (q16, q_rest) = q.as_chunks::<16>();
    for (o, &id) in out.iter_mut().zip(ids) {
        let row = &rows[id as usize * stride..id as usize * stride + n];
        let (r16, r_rest) = row.as_chunks::<16>();
        let mut acc = i32x8::ZERO;
        for (qc, rc) in q16.iter().zip(r16) {
            let qv = i16x16::new(qc.map(|x| x as i16));
            acc += i16x16::from(u8x16::new(*rc)).dot(qv);
        }
        let mut s: i32 = acc.to_array().iter().sum();
        for (&x, &r) in q_rest.iter().zip(r_rest) {
            s += x as i32 * r as i32;
        }
        *o = s;
    }
}
