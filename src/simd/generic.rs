//! Kernel bodies written once against [`Lanes`], compiled per SIMD level.
//!
//! Numerics (the same for every `Lanes` type):
//!
//! * `dot` keeps four independent accumulators over blocks of `4N` floats, then
//!   one accumulator over blocks of `N`, then a zero-padded (or masked) partial
//!   block for the tail; the accumulators are added pairwise and the lanes
//!   summed last. The reduction order therefore differs from the scalar
//!   left-to-right sum: results agree with [`super::scalar`] to a relative
//!   error of a few `n * f32::EPSILON` of `sum |a_i b_i|`, not bit for bit.
//! * `mul_add` is one fused multiply-add (one rounding) on AVX2+FMA and
//!   AVX-512, and a multiply then an add (two roundings) in `wide` on a target
//!   without FMA.
//! * The element-wise kernels (`axpy`, `scale`, `add`) do one operation per
//!   element, so they differ from scalar only by FMA's single rounding.
//! * Tails (the last `n % N` elements) use one masked operation where the
//!   type has cheap masks (AVX-512), and a scalar loop otherwise (multiply then
//!   add: the scalar reference's rounding).
//!
//! The fused negative-sampling step makes two passes over the rows: a dot
//! product, then one pass that reads `h`, `w` and `e` once and writes `e` and
//! `w` once (`e += g w` with the old `w`, then `w += g h`).

#![allow(
    unsafe_code,
    reason = "raw-pointer SIMD kernel bodies; callers uphold the Lanes contract"
)]

use super::lanes::Lanes;
use super::sigmoid::sigmoid;

/// `sum a[i] * b[i]` over `n = a.len()` elements.
///
/// # Safety
/// `b.len() >= a.len()`; the CPU supports `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn dot<V: Lanes>(a: &[f32], b: &[f32]) -> f32 {
    // SAFETY: same contract.
    unsafe { dot_tail::<V>(a, b, V::MASKED_LOAD) }
}

/// `dot` with the tail strategy chosen by the caller: a masked load when
/// `masked_tail`, a scalar loop otherwise.
///
/// # Safety
/// As for [`dot`]; `masked_tail` only if `V::MASKED_LOAD`.
#[inline(always)]
unsafe fn dot_tail<V: Lanes>(a: &[f32], b: &[f32], masked_tail: bool) -> f32 {
    let n = a.len();
    debug_assert!(b.len() >= n);
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut i = 0;
    // SAFETY: every load reads `[i, i + N)` or `[i, n)` with
    // `i + N <= n` or `i < n`, inside both slices; the caller vouches for the CPU.
    unsafe {
        let (mut s0, mut s1, mut s2, mut s3) = (V::zero(), V::zero(), V::zero(), V::zero());
        while i + 4 * V::N <= n {
            s0 = V::mul_add(V::load(pa.add(i)), V::load(pb.add(i)), s0);
            s1 = V::mul_add(V::load(pa.add(i + V::N)), V::load(pb.add(i + V::N)), s1);
            s2 = V::mul_add(
                V::load(pa.add(i + 2 * V::N)),
                V::load(pb.add(i + 2 * V::N)),
                s2,
            );
            s3 = V::mul_add(
                V::load(pa.add(i + 3 * V::N)),
                V::load(pb.add(i + 3 * V::N)),
                s3,
            );
            i += 4 * V::N;
        }
        while i + V::N <= n {
            s0 = V::mul_add(V::load(pa.add(i)), V::load(pb.add(i)), s0);
            i += V::N;
        }
        let mut tail = 0.0f32;
        if masked_tail && i < n {
            let x = V::load_partial(pa.add(i), n - i);
            let y = V::load_partial(pb.add(i), n - i);
            s1 = V::mul_add(x, y, s1);
        } else {
            while i < n {
                tail += *pa.add(i) * *pb.add(i);
                i += 1;
            }
        }
        V::add(V::add(s0, s1), V::add(s2, s3)).reduce_sum() + tail
    }
}

/// `out[r] = sum_i q[i] * rows[r * n + i]` for every `r < out.len()`, where
/// `n = q.len()`: one query against a block of contiguous rows. Four rows at a
/// time share each load of `q` and keep four independent accumulators.
///
/// # Safety
/// `rows.len() >= out.len() * q.len()`; the CPU supports `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn dot_rows<V: Lanes>(q: &[f32], rows: &[f32], out: &mut [f32]) {
    let n = q.len();
    let m = out.len();
    debug_assert!(rows.len() >= m * n);
    let (pq, pr) = (q.as_ptr(), rows.as_ptr());
    let mut r = 0;
    // SAFETY: row `r + j` is `[(r + j) n, (r + j + 1) n)`, inside `rows` for
    // `r + j < m`; loads read `[i, i + N)` with `i + N <= n` or a partial
    // block `[i, n)`; the caller vouches for the CPU.
    unsafe {
        while r + 4 <= m {
            let (p0, p1, p2, p3) = (
                pr.add(r * n),
                pr.add((r + 1) * n),
                pr.add((r + 2) * n),
                pr.add((r + 3) * n),
            );
            let (mut s0, mut s1, mut s2, mut s3) = (V::zero(), V::zero(), V::zero(), V::zero());
            let mut i = 0;
            while i + V::N <= n {
                let x = V::load(pq.add(i));
                s0 = V::mul_add(x, V::load(p0.add(i)), s0);
                s1 = V::mul_add(x, V::load(p1.add(i)), s1);
                s2 = V::mul_add(x, V::load(p2.add(i)), s2);
                s3 = V::mul_add(x, V::load(p3.add(i)), s3);
                i += V::N;
            }
            let mut t = [0.0f32; 4];
            if V::MASKED_LOAD && i < n {
                let x = V::load_partial(pq.add(i), n - i);
                s0 = V::mul_add(x, V::load_partial(p0.add(i), n - i), s0);
                s1 = V::mul_add(x, V::load_partial(p1.add(i), n - i), s1);
                s2 = V::mul_add(x, V::load_partial(p2.add(i), n - i), s2);
                s3 = V::mul_add(x, V::load_partial(p3.add(i), n - i), s3);
            } else {
                while i < n {
                    let x = *pq.add(i);
                    t[0] += x * *p0.add(i);
                    t[1] += x * *p1.add(i);
                    t[2] += x * *p2.add(i);
                    t[3] += x * *p3.add(i);
                    i += 1;
                }
            }
            let sums = V::reduce4(s0, s1, s2, s3);
            let o = out.as_mut_ptr().add(r);
            for j in 0..4 {
                *o.add(j) = sums[j] + t[j];
            }
            r += 4;
        }
        while r < m {
            *out.as_mut_ptr().add(r) =
                dot_tail::<V>(q, rows.get_unchecked(r * n..), V::MASKED_LOAD);
            r += 1;
        }
    }
}

/// `y[i] += a * x[i]` for `i < y.len()`.
///
/// # Safety
/// `x.len() >= y.len()`; the CPU supports `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn axpy<V: Lanes>(a: f32, x: &[f32], y: &mut [f32]) {
    let n = y.len();
    debug_assert!(x.len() >= n);
    let (px, py) = (x.as_ptr(), y.as_mut_ptr());
    let mut i = 0;
    // SAFETY: loads and stores stay within `[0, n)` of both slices (see `dot`).
    unsafe {
        let va = V::splat(a);
        while i + 2 * V::N <= n {
            let y0 = V::mul_add(va, V::load(px.add(i)), V::load(py.add(i)));
            let y1 = V::mul_add(va, V::load(px.add(i + V::N)), V::load(py.add(i + V::N)));
            y0.store(py.add(i));
            y1.store(py.add(i + V::N));
            i += 2 * V::N;
        }
        while i + V::N <= n {
            V::mul_add(va, V::load(px.add(i)), V::load(py.add(i))).store(py.add(i));
            i += V::N;
        }
        if V::MASKED && i < n {
            let m = n - i;
            let r = V::mul_add(
                va,
                V::load_partial(px.add(i), m),
                V::load_partial(py.add(i), m),
            );
            r.store_partial(py.add(i), m);
        } else {
            while i < n {
                *py.add(i) += a * *px.add(i);
                i += 1;
            }
        }
    }
}

/// `y[i] += sum_r coefs[r] * rows[r * n + i]` for `i < n = y.len()`: a
/// combination of `coefs.len()` contiguous rows added to `y` (one row of a
/// small matrix product, the batch update's kernel). Each element of `y` is
/// loaded and stored once; four blocks of lanes go at a time so that the
/// multiply-add chains over the rows are independent.
///
/// # Safety
/// `rows.len() >= coefs.len() * y.len()`; the CPU supports `V`'s
/// instruction set.
#[inline(always)]
pub(crate) unsafe fn axpy_rows<V: Lanes>(coefs: &[f32], rows: &[f32], y: &mut [f32]) {
    let n = y.len();
    debug_assert!(rows.len() >= coefs.len() * n);
    let (pr, py) = (rows.as_ptr(), y.as_mut_ptr());
    let mut i = 0;
    // SAFETY: row `r` is `[r n, (r + 1) n)`, inside `rows` for
    // `r < coefs.len()`; loads and stores at offset `i` read `[i, i + N)`
    // with `i + N <= n` (or a partial block `[i, n)`); the caller vouches
    // for the CPU.
    unsafe {
        while i + 4 * V::N <= n {
            let mut a0 = V::load(py.add(i));
            let mut a1 = V::load(py.add(i + V::N));
            let mut a2 = V::load(py.add(i + 2 * V::N));
            let mut a3 = V::load(py.add(i + 3 * V::N));
            for (r, &c) in coefs.iter().enumerate() {
                let (vc, p) = (V::splat(c), pr.add(r * n + i));
                a0 = V::mul_add(vc, V::load(p), a0);
                a1 = V::mul_add(vc, V::load(p.add(V::N)), a1);
                a2 = V::mul_add(vc, V::load(p.add(2 * V::N)), a2);
                a3 = V::mul_add(vc, V::load(p.add(3 * V::N)), a3);
            }
            a0.store(py.add(i));
            a1.store(py.add(i + V::N));
            a2.store(py.add(i + 2 * V::N));
            a3.store(py.add(i + 3 * V::N));
            i += 4 * V::N;
        }
        while i + V::N <= n {
            let mut a = V::load(py.add(i));
            for (r, &c) in coefs.iter().enumerate() {
                a = V::mul_add(V::splat(c), V::load(pr.add(r * n + i)), a);
            }
            a.store(py.add(i));
            i += V::N;
        }
        if V::MASKED && i < n {
            let m = n - i;
            let mut a = V::load_partial(py.add(i), m);
            for (r, &c) in coefs.iter().enumerate() {
                a = V::mul_add(V::splat(c), V::load_partial(pr.add(r * n + i), m), a);
            }
            a.store_partial(py.add(i), m);
        } else {
            while i < n {
                let mut a = *py.add(i);
                for (r, &c) in coefs.iter().enumerate() {
                    a += c * *pr.add(r * n + i);
                }
                *py.add(i) = a;
                i += 1;
            }
        }
    }
}

/// `x[i] *= a`.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn scale<V: Lanes>(a: f32, x: &mut [f32]) {
    let n = x.len();
    let p = x.as_mut_ptr();
    let mut i = 0;
    // SAFETY: loads and stores stay within `[0, n)` of `x`.
    unsafe {
        let va = V::splat(a);
        while i + V::N <= n {
            V::mul(va, V::load(p.add(i))).store(p.add(i));
            i += V::N;
        }
        if V::MASKED && i < n {
            V::mul(va, V::load_partial(p.add(i), n - i)).store_partial(p.add(i), n - i);
        } else {
            while i < n {
                *p.add(i) *= a;
                i += 1;
            }
        }
    }
}

/// `y[i] += x[i]` for `i < y.len()`.
///
/// # Safety
/// `x.len() >= y.len()`; the CPU supports `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn add<V: Lanes>(x: &[f32], y: &mut [f32]) {
    let n = y.len();
    debug_assert!(x.len() >= n);
    let (px, py) = (x.as_ptr(), y.as_mut_ptr());
    let mut i = 0;
    // SAFETY: loads and stores stay within `[0, n)` of both slices.
    unsafe {
        while i + V::N <= n {
            V::add(V::load(px.add(i)), V::load(py.add(i))).store(py.add(i));
            i += V::N;
        }
        if V::MASKED && i < n {
            let m = n - i;
            V::add(V::load_partial(px.add(i), m), V::load_partial(py.add(i), m))
                .store_partial(py.add(i), m);
        } else {
            while i < n {
                *py.add(i) += *px.add(i);
                i += 1;
            }
        }
    }
}

/// One negative-sampling (or hierarchical-softmax) update for the pair
/// (input `h`, output row `w`): `f = h.w`, `g = (label - sigmoid(f)) * lr`,
/// `e += g w`, `w += g h`. Returns `f`.
///
/// # Safety
/// `w.len() >= h.len()` and `e.len() >= h.len()`; the CPU supports `V`'s
/// instruction set.
#[inline(always)]
pub(crate) unsafe fn ns_step<V: Lanes>(
    h: &[f32],
    w: &mut [f32],
    e: &mut [f32],
    label: f32,
    lr: f32,
) -> f32 {
    let n = h.len();
    debug_assert!(w.len() >= n && e.len() >= n);
    // SAFETY: same contract as ours; masked loads only where stores are masked too,
    // so a row just written by this kernel is read back the way it was written.
    let f = unsafe { dot_tail::<V>(h, w, V::MASKED) };
    let g = (label - sigmoid(f)) * lr;
    let (ph, pw, pe) = (h.as_ptr(), w.as_mut_ptr(), e.as_mut_ptr());
    let mut i = 0;
    // SAFETY: loads and stores stay within `[0, n)` of all three slices.
    unsafe {
        let vg = V::splat(g);
        while i + V::N <= n {
            let wv = V::load(pw.add(i));
            V::mul_add(vg, wv, V::load(pe.add(i))).store(pe.add(i));
            V::mul_add(vg, V::load(ph.add(i)), wv).store(pw.add(i));
            i += V::N;
        }
        if V::MASKED && i < n {
            let m = n - i;
            let wv = V::load_partial(pw.add(i), m);
            V::mul_add(vg, wv, V::load_partial(pe.add(i), m)).store_partial(pe.add(i), m);
            V::mul_add(vg, V::load_partial(ph.add(i), m), wv).store_partial(pw.add(i), m);
        } else {
            while i < n {
                let wi = *pw.add(i);
                *pe.add(i) += g * wi;
                *pw.add(i) = wi + g * *ph.add(i);
                i += 1;
            }
        }
    }
    f
}
