//! AVX2 + FMA: 8 lanes in `__m256`, fused multiply-add, masked loads
//! and stores (`vmaskmovps`) for tails; `vpmaddubsw` for the byte kernel.

use crate::simd::lanes::Lanes;
use std::arch::x86_64::*;

// SAFETY: every method uses AVX/AVX2/FMA instructions only; callers reach them
// through `#[target_feature(enable = "avx2,fma")]` entry points that exist in the
// kernel table only after `is_x86_feature_detected!` confirmed both features.
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

/// `Kernels::dot_blocks_u8` with 256-bit integer instructions: for each
/// 4-byte column `k` of a block, the query's four bytes are broadcast to all
/// eight lanes, `vpmaddubsw` multiplies them with eight rows' four bytes
/// (unsigned row times signed query) and adds adjacent pairs into 16 bits,
/// and `vpmaddwd` by ones adds those pairs into 32-bit lanes: each lane
/// accumulates one row. With query bytes in `-63..=63` a pair sum is at most
/// `2 x 255 x 63 = 32130`, so the 16-bit step never saturates and the result
/// is exact. Two columns per step, in separate accumulators.
///
/// # Safety
/// AVX2 is available; `q.len() % 4 == 0`, `out.len() % 16 == 0`,
/// `blocks.len() == out.len() * q.len()`.
#[inline(always)]
unsafe fn dot_blocks_u8_body(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    /// `acc + rows(32 bytes at r) . qv`, as described above.
    #[inline(always)]
    unsafe fn step(acc: __m256i, r: *const u8, qv: __m256i) -> __m256i {
        // SAFETY: 32 readable bytes at `r` (caller); AVX2 is available.
        unsafe {
            let ones = _mm256_set1_epi16(1);
            let pairs = _mm256_maddubs_epi16(_mm256_loadu_si256(r.cast()), qv);
            _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones))
        }
    }
    let n4 = q.len() / 4;
    let qp = q.as_ptr().cast::<i32>();
    // SAFETY: block `g` is `blocks[64 n4 g..64 n4 (g + 1)]` (the length
    // contract), column `k < n4` its 64 bytes at `64 k`, so every 32-byte load
    // is inside it; query column `k` is the 4 bytes `q[4k..4k + 4]`; outputs
    // `16 g..16 g + 16` are inside `out`; AVX2 is the caller's contract.
    unsafe {
        for g in 0..out.len() / 16 {
            let base = blocks.as_ptr().add(64 * n4 * g);
            let zero = _mm256_setzero_si256();
            let (mut a0, mut a1, mut b0, mut b1) = (zero, zero, zero, zero);
            let mut k = 0;
            while k + 2 <= n4 {
                let qa = _mm256_set1_epi32(qp.add(k).read_unaligned());
                let qb = _mm256_set1_epi32(qp.add(k + 1).read_unaligned());
                let p = base.add(64 * k);
                a0 = step(a0, p, qa);
                a1 = step(a1, p.add(32), qa);
                b0 = step(b0, p.add(64), qb);
                b1 = step(b1, p.add(96), qb);
                k += 2;
            }
            if k < n4 {
                let qa = _mm256_set1_epi32(qp.add(k).read_unaligned());
                let p = base.add(64 * k);
                a0 = step(a0, p, qa);
                a1 = step(a1, p.add(32), qa);
            }
            let o = out.as_mut_ptr().add(16 * g).cast::<__m256i>();
            _mm256_storeu_si256(o, _mm256_add_epi32(a0, b0));
            _mm256_storeu_si256(o.add(1), _mm256_add_epi32(a1, b1));
        }
    }
}

/// `Kernels::dot_blocks_u8_x4`: as [`dot_blocks_u8_body`], four queries per
/// pass, so each 64-byte column of a block is loaded once for all four (eight
/// accumulators: four queries x two halves of the 16 rows).
///
/// # Safety
/// AVX2 is available; `q.len() % 16 == 0`, `out.len() % 64 == 0`,
/// `blocks.len() == out.len() / 4 * q.len() / 4`.
#[inline(always)]
unsafe fn dot_blocks_u8_x4_body(q: &[i8], blocks: &[u8], out: &mut [i32]) {
    let n = q.len() / 4;
    let m = out.len() / 4;
    // SAFETY: query `j` is `q[j n..(j + 1) n]`, its column `k < n / 4` the 4
    // bytes at `j n + 4 k`; block `g` is `blocks[16 n g..16 n (g + 1)]` and
    // its column `k` the 64 bytes at `64 k`; outputs `j m + 16 g..+16` are
    // inside `out` (`16 g + 16 <= m`); AVX2 is the caller's contract.
    unsafe {
        let ones = _mm256_set1_epi16(1);
        let qp: [*const i32; 4] = std::array::from_fn(|j| q.as_ptr().add(j * n).cast());
        for g in 0..m / 16 {
            let base = blocks.as_ptr().add(16 * n * g);
            let mut acc = [[_mm256_setzero_si256(); 2]; 4];
            for k in 0..n / 4 {
                let p = base.add(64 * k);
                let r0 = _mm256_loadu_si256(p.cast());
                let r1 = _mm256_loadu_si256(p.add(32).cast());
                for j in 0..4 {
                    let qv = _mm256_set1_epi32(qp[j].add(k).read_unaligned());
                    let p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(r0, qv), ones);
                    let p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(r1, qv), ones);
                    acc[j][0] = _mm256_add_epi32(acc[j][0], p0);
                    acc[j][1] = _mm256_add_epi32(acc[j][1], p1);
                }
            }
            for (j, a) in acc.iter().enumerate() {
                let o = out.as_mut_ptr().add(j * m + 16 * g).cast::<__m256i>();
                _mm256_storeu_si256(o, a[0]);
                _mm256_storeu_si256(o.add(1), a[1]);
            }
        }
    }
}

/// `Kernels::dot_u8_gather` with 256-bit integer instructions: 32 bytes of
/// the row (unsigned) times 32 of the query (signed) by `vpmaddubsw`, pairs
/// summed into 16 bits (never saturating for query bytes in `-63..=63`, as in
/// [`dot_blocks_u8_body`]), then into 32-bit lanes by `vpmaddwd`; two
/// accumulators; a tail under 32 bytes one byte at a time.
///
/// # Safety
/// AVX2 is available; `ids[t] * stride + q.len() <= rows.len()` for every
/// `t`; `out.len() >= ids.len()`.
#[inline(always)]
unsafe fn dot_u8_gather_body(q: &[i8], rows: &[u8], stride: usize, ids: &[u32], out: &mut [i32]) {
    let n = q.len();
    let n32 = n / 32;
    // SAFETY: row `t` is `rows[ids[t] stride..ids[t] stride + n]` (the
    // caller's contract), so every 32-byte load at `32 k`, `k < n32`, and
    // every tail byte is inside it and inside `q`; AVX2 is the caller's contract.
    unsafe {
        let ones = _mm256_set1_epi16(1);
        for (o, &id) in out.iter_mut().zip(ids) {
            let r = rows.as_ptr().add(id as usize * stride);
            let (mut a, mut b) = (_mm256_setzero_si256(), _mm256_setzero_si256());
            let mut k = 0;
            while k + 2 <= n32 {
                let r0 = _mm256_loadu_si256(r.add(32 * k).cast());
                let q0 = _mm256_loadu_si256(q.as_ptr().add(32 * k).cast());
                let r1 = _mm256_loadu_si256(r.add(32 * k + 32).cast());
                let q1 = _mm256_loadu_si256(q.as_ptr().add(32 * k + 32).cast());
                a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_maddubs_epi16(r0, q0), ones));
                b = _mm256_add_epi32(b, _mm256_madd_epi16(_mm256_maddubs_epi16(r1, q1), ones));
                k += 2;
            }
            if k < n32 {
                let r0 = _mm256_loadu_si256(r.add(32 * k).cast());
                let q0 = _mm256_loadu_si256(q.as_ptr().add(32 * k).cast());
                a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_maddubs_epi16(r0, q0), ones));
            }
            let v = _mm256_add_epi32(a, b);
            let h = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
            let h = _mm_add_epi32(h, _mm_shuffle_epi32::<0b01_00_11_10>(h));
            let h = _mm_add_epi32(h, _mm_shuffle_epi32::<0b10_11_00_01>(h));
            let mut s = _mm_cvtsi128_si32(h);
            for j in 32 * n32..n {
                s += *q.get_unchecked(j) as i32 * *r.add(j) as i32;
            }
            *o = s;
        }
    }
}

crate::simd::x86_64::entry_points!("avx2,fma", __m256);
