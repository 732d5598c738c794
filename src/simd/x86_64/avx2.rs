//! AVX2 + FMA (+ F16C): 8 lanes in `__m256`, fused multiply-add, masked loads
//! and stores (`vmaskmovps`) for tails, `vcvtph2ps` for half-precision rows.

use crate::simd::lanes::Lanes;
use std::arch::x86_64::*;

// SAFETY: every method uses AVX/AVX2/FMA/F16C instructions only; callers reach them
// through `#[target_feature(enable = "avx2,fma,f16c")]` entry points that exist in the
// kernel table only after `is_x86_feature_detected!` confirmed all three features.
unsafe impl Lanes for __m256 {
    const N: usize = 8;
    // vmaskmovps stores are microcoded and slow on AMD Zen: use scalar tails.
    // Masked loads for `dot` tails; scalar tails for kernels that store:
    // `vmaskmovps` stores are slow on AMD Zen.
    const MASKED_LOAD: bool = true;
    const MASKED: bool = false;

    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: 8 readable floats at `p` (trait contract); loadu needs no alignment.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn load_f16(p: *const u16) -> Self {
        // SAFETY: 8 readable halves (16 bytes) at `p` (trait contract); F16C is
        // part of this level (checked with AVX2 and FMA).
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast())) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: 8 writable floats at `p` (trait contract).
        unsafe { _mm256_storeu_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        // SAFETY: masked-off lanes are not accessed (vmaskmovps does not fault on
        // them); the first `n` are readable (trait contract).
        unsafe { _mm256_maskload_ps(p, tail_mask(n)) }
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        // SAFETY: only the first `n` lanes are written, and they are writable.
        unsafe { _mm256_maskstore_ps(p, tail_mask(n), self) }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: FMA is available (trait contract).
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_mul_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn reduce_sum(self) -> f32 {
        // SAFETY: AVX/SSE are available (trait contract).
        unsafe {
            let lo = _mm256_castps256_ps128(self);
            let hi = _mm256_extractf128_ps::<1>(self);
            let s = _mm_add_ps(lo, hi);
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
            _mm_cvtss_f32(s)
        }
    }
    #[inline(always)]
    unsafe fn reduce4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
        // SAFETY: AVX is available (trait contract).
        unsafe { hsum4(a, b, c, d) }
    }
}

/// `[sum(a), sum(b), sum(c), sum(d)]` by two rounds of horizontal adds and
/// one add of the 128-bit halves.
///
/// # Safety
/// AVX is available.
#[inline(always)]
pub(crate) unsafe fn hsum4(a: __m256, b: __m256, c: __m256, d: __m256) -> [f32; 4] {
    // SAFETY: AVX is available (caller's contract); the store writes 4 floats
    // into a local array.
    unsafe {
        let ab = _mm256_hadd_ps(a, b);
        let cd = _mm256_hadd_ps(c, d);
        let abcd = _mm256_hadd_ps(ab, cd);
        let s = _mm_add_ps(
            _mm256_castps256_ps128(abcd),
            _mm256_extractf128_ps::<1>(abcd),
        );
        let mut out = [0.0f32; 4];
        _mm_storeu_ps(out.as_mut_ptr(), s);
        out
    }
}

/// Lanes `0..n` set (sign bit on), the rest clear.
#[inline(always)]
unsafe fn tail_mask(n: usize) -> __m256i {
    // SAFETY: AVX2 is available (caller's contract).
    unsafe {
        let idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), idx)
    }
}

crate::simd::x86_64::entry_points!("avx2,fma,f16c", __m256);
