//! The vector abstraction that every SIMD kernel body is written against.
//!
//! [`Lanes`] is a handful of operations on a register of `N` f32 lanes.
//! It is implemented for `wide::f32x8` (portable), `__m256` (AVX2+FMA) and
//! `__m512` (AVX-512F). The generic bodies in `generic.rs` are
//! `#[inline(always)]`, so each `#[target_feature]` entry point compiles them
//! with that entry point's instruction set.

#![allow(
    unsafe_code,
    reason = "raw-pointer SIMD kernel bodies; callers uphold the Lanes contract"
)]

/// A SIMD register of `N` f32 lanes.
///
/// # Safety
///
/// Implementations may use instructions the CPU must support. Every method is
/// `unsafe`: the caller guarantees that the instruction set of the
/// implementing type is available (established by `Kernels::new`), and, for the
/// pointer methods, that the pointed-to lanes are valid to read or write.
pub(crate) unsafe trait Lanes: Copy {
    /// Number of f32 lanes.
    const N: usize;

    /// Whether `load_partial`/`store_partial` are single masked instructions.
    /// Kernel bodies use them for tails only then; otherwise they finish the
    /// last `n % N` elements with a scalar loop, which is faster than copying
    /// through a buffer.
    const MASKED: bool;

    /// Whether `load_partial` alone is a single cheap masked instruction. The
    /// read-only `dot` kernel then uses it for its tail even when masked stores
    /// are slow; `ns_step`, whose rows were just written by scalar tail stores,
    /// does not (a masked load misses store-to-load forwarding).
    const MASKED_LOAD: bool;

    /// All lanes zero.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn zero() -> Self;

    /// All lanes `x`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn splat(x: f32) -> Self;

    /// Load `N` lanes from `p` (no alignment required).
    ///
    /// # Safety
    /// `p..p+N` is valid for reads; the CPU supports this type's instruction set.
    unsafe fn load(p: *const f32) -> Self;

    /// Store `N` lanes at `p` (no alignment required).
    ///
    /// # Safety
    /// `p..p+N` is valid for writes; the CPU supports this type's instruction set.
    unsafe fn store(self, p: *mut f32);

    /// Load the first `n < N` lanes from `p`; the others are zero. Only
    /// called when [`Lanes::MASKED_LOAD`] is true.
    ///
    /// # Safety
    /// `p..p+n` is valid for reads; the CPU supports this type's instruction set.
    unsafe fn load_partial(p: *const f32, n: usize) -> Self;

    /// Store the first `n < N` lanes at `p`, leaving memory beyond untouched.
    /// Only called when [`Lanes::MASKED`] is true.
    ///
    /// # Safety
    /// `p..p+n` is valid for writes; the CPU supports this type's instruction set.
    unsafe fn store_partial(self, p: *mut f32, n: usize);

    /// `a * b + c`, fused where the instruction set has FMA.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self;

    /// `a + b`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn add(a: Self, b: Self) -> Self;

    /// `a * b`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn mul(a: Self, b: Self) -> Self;

    /// Sum of all lanes.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn reduce_sum(self) -> f32;

    /// The lane sums of four registers at once (a transposing reduction
    /// where the instruction set has horizontal adds).
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    #[inline(always)]
    unsafe fn reduce4(a: Self, b: Self, c: Self, d: Self) -> [f32; 4] {
        // SAFETY: same contract.
        unsafe {
            [
                a.reduce_sum(),
                b.reduce_sum(),
                c.reduce_sum(),
                d.reduce_sum(),
            ]
        }
    }
}
