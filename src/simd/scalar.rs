//! The scalar reference kernels: plain loops, one element at a time, multiply
//! then add (two roundings), the dot product summed left to right.
//!
//! Every other level is tested against these, and benchmarks report speed-ups
//! over them. So that "scalar" means scalar code, inputs are read through
//! [`ld`] (a volatile load), which stops LLVM from auto-vectorising these
//! loops with the target's baseline SIMD (SSE2 on x86_64). The cost of a
//! volatile load of an in-cache `f32` is that of an ordinary scalar load.

#![allow(unsafe_code, reason = "volatile loads keep the reference loops scalar")]

use super::sigmoid::sigmoid;

/// Read `*x` as one scalar load that the optimiser may not merge into a vector.
#[inline(always)]
fn ld(x: &f32) -> f32 {
    // SAFETY: `x` is a valid, aligned reference to an initialised f32.
    unsafe { std::ptr::read_volatile(x) }
}

/// `sum a[i] * b[i]`, left to right.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut s = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        s += ld(x) * ld(y);
    }
    s
}

/// One [`dot`] per row of `rows` (rows of `q.len()` floats).
pub(crate) fn dot_rows(q: &[f32], rows: &[f32], out: &mut [f32]) {
    if q.is_empty() {
        out.fill(0.0);
        return;
    }
    for (o, row) in out.iter_mut().zip(rows.chunks_exact(q.len())) {
        *o = dot(q, row);
    }
}

/// `Kernels::dot_blocks_u8`, one row and one byte at a time.
pub(crate) fn dot_blocks_u8(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    let n = q.len();
    for (g, o) in out.chunks_exact_mut(16).enumerate() {
        let block = &blocks[g * 16 * n..(g + 1) * 16 * n];
        for (j, o) in o.iter_mut().enumerate() {
            let mut s = 0i32;
            for (i, x) in q.iter().enumerate() {
                // SAFETY: both are valid references; volatile reads keep the loop scalar.
                let (x, r) = unsafe {
                    (
                        std::ptr::read_volatile(x),
                        std::ptr::read_volatile(&block[64 * (i / 4) + 4 * j + i % 4]),
                    )
                };
                s += x as i32 * r as i32;
            }
            *o = s;
        }
    }
}

/// `y[i] += a * x[i]`.
pub(crate) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = ld(yi) + a * ld(xi);
    }
}

/// `y += sum_r coefs[r] * row r`: [`axpy`] once per row, in order.
pub(crate) fn axpy_rows(coefs: &[f32], rows: &[f32], y: &mut [f32]) {
    let n = y.len();
    for (r, &c) in coefs.iter().enumerate() {
        axpy(c, &rows[r * n..(r + 1) * n], y);
    }
}

/// `x[i] *= a`.
pub(crate) fn scale(a: f32, x: &mut [f32]) {
    for xi in x.iter_mut() {
        *xi = ld(xi) * a;
    }
}

/// `y[i] += x[i]`.
pub(crate) fn add(x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = ld(yi) + ld(xi);
    }
}

/// The fused negative-sampling step (see [`super::Kernels::ns_step`]).
pub(crate) fn ns_step(h: &[f32], w: &mut [f32], e: &mut [f32], label: f32, lr: f32) -> f32 {
    let f = dot(h, w);
    let g = (label - sigmoid(f)) * lr;
    for ((wi, ei), hi) in w.iter_mut().zip(e.iter_mut()).zip(h) {
        let w_old = ld(wi);
        *ei = ld(ei) + g * w_old;
        *wi = w_old + g * ld(hi);
    }
    f
}

/// `Kernels::dot_blocks_u8_x4`: [`dot_blocks_u8`] once per query.
pub(crate) fn dot_blocks_u8_x4(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    super::once_per_query(dot_blocks_u8, q, blocks, out);
}

/// `Kernels::dot_u8_gather`, one byte at a time.
pub(crate) fn dot_u8_gather(q: &[i8], rows: &[u8], stride: usize, ids: &[u32], out: &mut [i32]) {
    let n = q.len();
    for (o, &id) in out.iter_mut().zip(ids) {
        let row = &rows[id as usize * stride..id as usize * stride + n];
        let mut s = 0i32;
        for (x, r) in q.iter().zip(row) {
            // SAFETY: both are valid references; volatile reads keep the loop scalar.
            let (x, r) = unsafe { (std::ptr::read_volatile(x), std::ptr::read_volatile(r)) };
            s += x as i32 * r as i32;
        }
        *o = s;
    }
}
