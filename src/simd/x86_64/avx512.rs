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
    unsafe fn load_f16(p: *const u16) -> Self {
        // SAFETY: 16 readable halves (32 bytes) at `p` (trait contract);
        // vcvtph2ps on zmm is AVX-512F.
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(p.cast())) }
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

crate::simd::x86_64::entry_points!("avx512f", __m512);
