//! AVX-512F: 16 lanes in `__m512`, fused multiply-add, and masked loads and
//! stores (`__mmask16`) for tails, so no element is touched twice.

use crate::simd::lanes::Lanes;
use std::arch::x86_64::*;

// SAFETY: every method uses AVX-512F instructions only; callers reach them
// through `#[target_feature(enable = "avx512f")]` entry points that exist in the
// kernel table only after `is_x86_feature_detected!("avx512f")`.
unsafe impl Lanes for __m512 {
    const N: usize = 16;
    const MASKED_LOAD: bool = true;
    const MASKED: bool = true;

    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: 16 readable floats at `p` (trait contract); no alignment needed.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: 16 writable floats at `p` (trait contract).
        unsafe { _mm512_storeu_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        // SAFETY: masked loads do not fault on masked-off lanes; the first `n`
        // are readable (trait contract).
        unsafe { _mm512_maskz_loadu_ps(tail_mask(n), p) }
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        // SAFETY: only the first `n` lanes are written, and they are writable.
        unsafe { _mm512_mask_storeu_ps(p, tail_mask(n), self) }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_mul_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn reduce_sum(self) -> f32 {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_reduce_add_ps(self) }
    }
    #[inline(always)]
    unsafe fn reduce4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
        // SAFETY: AVX-512F (hence AVX) is available (trait contract).
        unsafe {
            let half = |x: __m512| {
                _mm256_add_ps(
                    _mm512_castps512_ps256(x),
                    _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(x))),
                )
            };
            super::avx2::hsum4(half(a), half(b), half(c), half(d))
        }
    }
}

/// A mask with the low `n` bits set (`n < 16`).
#[inline(always)]
fn tail_mask(n: usize) -> __mmask16 {
    debug_assert!(n < 16);
    ((1u32 << n) - 1) as __mmask16
}

/// `Kernels::dot_blocks_u8` with 512-bit integer instructions (AVX-512BW):
/// as the AVX2 version, one 64-byte column of a block (four bytes of each of
/// the 16 rows) per `vpmaddubsw` + `vpmaddwd`, each 32-bit lane accumulating
/// one row; exact for query bytes in `-63..=63`. Two columns per step.
///
/// # Safety
/// AVX-512F and AVX-512BW are available; `q.len() % 4 == 0`,
/// `out.len() % 16 == 0`, `blocks.len() == out.len() * q.len()`.
#[inline(always)]
unsafe fn dot_blocks_u8_body(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    /// `acc + rows(64 bytes at r) . qv`.
    #[inline(always)]
    unsafe fn step(acc: __m512i, r: *const u8, qv: __m512i) -> __m512i {
        // SAFETY: 64 readable bytes at `r` (caller); AVX-512F/BW are available.
        unsafe {
            let ones = _mm512_set1_epi16(1);
            let pairs = _mm512_maddubs_epi16(_mm512_loadu_si512(r.cast()), qv);
            _mm512_add_epi32(acc, _mm512_madd_epi16(pairs, ones))
        }
    }
    let n4 = q.len() / 4;
    let qp = q.as_ptr().cast::<i32>();
    // SAFETY: block `g` is `blocks[64 n4 g..64 n4 (g + 1)]` (the length
    // contract) and column `k < n4` its 64 bytes at `64 k`; query column `k`
    // is `q[4k..4k + 4]`; outputs `16 g..16 g + 16` are inside `out`; the
    // features are the caller's contract.
    unsafe {
        for g in 0..out.len() / 16 {
            let base = blocks.as_ptr().add(64 * n4 * g);
            let (mut a, mut b) = (_mm512_setzero_si512(), _mm512_setzero_si512());
            let mut k = 0;
            while k + 2 <= n4 {
                let p = base.add(64 * k);
                a = step(a, p, _mm512_set1_epi32(qp.add(k).read_unaligned()));
                b = step(
                    b,
                    p.add(64),
                    _mm512_set1_epi32(qp.add(k + 1).read_unaligned()),
                );
                k += 2;
            }
            if k < n4 {
                a = step(
                    a,
                    base.add(64 * k),
                    _mm512_set1_epi32(qp.add(k).read_unaligned()),
                );
            }
            _mm512_storeu_si512(out.as_mut_ptr().add(16 * g).cast(), _mm512_add_epi32(a, b));
        }
    }
}

/// `Kernels::dot_blocks_u8_x4`: as [`dot_blocks_u8_body`], four queries per
/// pass, each 64-byte column loaded once for all four.
///
/// # Safety
/// AVX-512F and AVX-512BW are available; `q.len() % 16 == 0`,
/// `out.len() % 64 == 0`, `blocks.len() == out.len() / 4 * q.len() / 4`.
#[inline(always)]
unsafe fn dot_blocks_u8_x4_body(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    let n = q.len() / 4;
    let m = out.len() / 4;
    // SAFETY: query `j` is `q[j n..(j + 1) n]`, its column `k < n / 4` the 4
    // bytes at `j n + 4 k`; block `g` is `blocks[16 n g..16 n (g + 1)]` and
    // its column `k` the 64 bytes at `64 k`; outputs `j m + 16 g..+16` are
    // inside `out`; the features are the caller's contract.
    unsafe {
        let ones = _mm512_set1_epi16(1);
        let qp: [*const i32; 4] = std::array::from_fn(|j| q.as_ptr().add(j * n).cast());
        for g in 0..m / 16 {
            let base = blocks.as_ptr().add(16 * n * g);
            let mut acc = [_mm512_setzero_si512(); 4];
            for k in 0..n / 4 {
                let r = _mm512_loadu_si512(base.add(64 * k).cast());
                for (j, a) in acc.iter_mut().enumerate() {
                    let qv = _mm512_set1_epi32(qp[j].add(k).read_unaligned());
                    let p = _mm512_madd_epi16(_mm512_maddubs_epi16(r, qv), ones);
                    *a = _mm512_add_epi32(*a, p);
                }
            }
            for (j, a) in acc.iter().enumerate() {
                _mm512_storeu_si512(out.as_mut_ptr().add(j * m + 16 * g).cast(), *a);
            }
        }
    }
}

/// `Kernels::dot_u8_gather` with 512-bit integer instructions (AVX-512BW):
/// 64 bytes per `vpmaddubsw` + `vpmaddwd` step, exact for query bytes in
/// `-63..=63`; a tail under 64 bytes one byte at a time.
///
/// # Safety
/// AVX-512F and AVX-512BW are available; `ids[t] * stride + q.len() <=
/// rows.len()` for every `t`; `out.len() >= ids.len()`.
#[inline(always)]
unsafe fn dot_u8_gather_body(q: &[i8], rows: &[u8], stride: usize, ids: &[u32], out: &mut [i32]) {
    let n = q.len();
    let n64 = n / 64;
    // SAFETY: row `t` is `rows[ids[t] stride..ids[t] stride + n]` (the
    // caller's contract), so every 64-byte load at `64 k`, `k < n64`, and
    // every tail byte is inside it and inside `q`; the features are the
    // caller's contract.
    unsafe {
        let ones = _mm512_set1_epi16(1);
        for (o, &id) in out.iter_mut().zip(ids) {
            let r = rows.as_ptr().add(id as usize * stride);
            let mut a = _mm512_setzero_si512();
            for k in 0..n64 {
                let r0 = _mm512_loadu_si512(r.add(64 * k).cast());
                let q0 = _mm512_loadu_si512(q.as_ptr().add(64 * k).cast());
                a = _mm512_add_epi32(a, _mm512_madd_epi16(_mm512_maddubs_epi16(r0, q0), ones));
            }
            let mut s = _mm512_reduce_add_epi32(a);
            for j in 64 * n64..n {
                s += *q.get_unchecked(j) as i32 * *r.add(j) as i32;
            }
            *o = s;
        }
    }
}

crate::simd::x86_64::entry_points!("avx512f,avx512bw", __m512);
