//! x86_64 levels built on `std::arch`: AVX2+FMA (`__m256`) and AVX-512F
//! (`__m512`). Each kernel has one `unsafe` `#[target_feature]` entry point per
//! level that instantiates the generic body, behind an `unsafe fn` whose
//! pointer goes into the kernel table, which exists only after the CPU check.

#![allow(
    unsafe_code,
    reason = "SIMD intrinsics and target_feature entry points"
)]

pub(crate) mod avx2;
pub(crate) mod avx512;

/// Defines `dot`, `dot_rows`, `dot_blocks_u8`, `dot_blocks_u8_x4`, `dot_u8_gather`, `axpy`,
/// `scale`, `add` and `ns_step` for one level: a `#[target_feature]` function
/// compiling the generic body for `$V` (for the byte kernels, the level
/// module's own `dot_blocks_u8_body`, `dot_blocks_u8_x4_body` and `dot_u8_gather_body`), and an `unsafe fn` with the kernel-table signature.
macro_rules! entry_points {
    ($features:literal, $V:ty) => {
        use crate::simd::generic;

        #[target_feature(enable = $features)]
        fn dot_tf(a: &[f32], b: &[f32]) -> f32 {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::dot::<$V>(a, b) }
        }
        #[target_feature(enable = $features)]
        fn dot_rows_tf(q: &[f32], rows: &[f32], out: &mut [f32]) {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::dot_rows::<$V>(q, rows, out) }
        }
        #[target_feature(enable = $features)]
        fn dot_blocks_u8_tf(q: &[i8], blocks: &[u8], out: &mut [i32]) {
            // SAFETY: lengths and the query range checked by `Kernels`; the
            // feature is enabled here.
            unsafe { dot_blocks_u8_body(q, blocks, out) }
        }
        #[target_feature(enable = $features)]
        fn dot_blocks_u8_x4_tf(q: &[i8], blocks: &[u8], out: &mut [i32]) {
            // SAFETY: lengths and the query range checked by `Kernels`; the
            // feature is enabled here.
            unsafe { dot_blocks_u8_x4_body(q, blocks, out) }
        }
        #[target_feature(enable = $features)]
        fn dot_u8_gather_tf(q: &[i8], rows: &[u8], stride: usize, ids: &[u32], out: &mut [i32]) {
            // SAFETY: row bounds and the query range checked by `Kernels`;
            // the feature is enabled here.
            unsafe { dot_u8_gather_body(q, rows, stride, ids, out) }
        }
        #[target_feature(enable = $features)]
        fn axpy_tf(a: f32, x: &[f32], y: &mut [f32]) {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::axpy::<$V>(a, x, y) }
        }
        #[target_feature(enable = $features)]
        fn axpy_rows_tf(coefs: &[f32], rows: &[f32], y: &mut [f32]) {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::axpy_rows::<$V>(coefs, rows, y) }
        }
        #[target_feature(enable = $features)]
        fn scale_tf(a: f32, x: &mut [f32]) {
            // SAFETY: the feature is enabled here.
            unsafe { generic::scale::<$V>(a, x) }
        }
        #[target_feature(enable = $features)]
        fn add_tf(x: &[f32], y: &mut [f32]) {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::add::<$V>(x, y) }
        }
        #[target_feature(enable = $features)]
        fn ns_step_tf(h: &[f32], w: &mut [f32], e: &mut [f32], label: f32, lr: f32) -> f32 {
            // SAFETY: lengths checked by `Kernels`; the feature is enabled here.
            unsafe { generic::ns_step::<$V>(h, w, e, label, lr) }
        }

        /// # Safety
        /// The CPU has the level's features; `b.len() >= a.len()`.
        pub(crate) unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { dot_tf(a, b) }
        }
        /// # Safety
        /// The CPU has the level's features; `rows.len() >= out.len() * q.len()`.
        pub(crate) unsafe fn dot_rows(q: &[f32], rows: &[f32], out: &mut [f32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { dot_rows_tf(q, rows, out) }
        }
        /// # Safety
        /// The CPU has the level's features; lengths and query range as
        /// `Kernels::dot_blocks_u8` checks them.
        pub(crate) unsafe fn dot_blocks_u8(q: &[i8], blocks: &[u8], out: &mut [i32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { dot_blocks_u8_tf(q, blocks, out) }
        }
        /// # Safety
        /// The CPU has the level's features; lengths and query range as
        /// `Kernels::dot_blocks_u8_x4` checks them.
        pub(crate) unsafe fn dot_blocks_u8_x4(q: &[i8], blocks: &[u8], out: &mut [i32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { dot_blocks_u8_x4_tf(q, blocks, out) }
        }
        /// # Safety
        /// The CPU has the level's features; row bounds and query range as
        /// `Kernels::dot_u8_gather` checks them.
        pub(crate) unsafe fn dot_u8_gather(
            q: &[i8],
            rows: &[u8],
            stride: usize,
            ids: &[u32],
            out: &mut [i32],
        ) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { dot_u8_gather_tf(q, rows, stride, ids, out) }
        }
        /// # Safety
        /// The CPU has the level's features; `x.len() >= y.len()`.
        pub(crate) unsafe fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { axpy_tf(a, x, y) }
        }
        /// # Safety
        /// The CPU has the level's features; `rows.len() >= coefs.len() * y.len()`.
        pub(crate) unsafe fn axpy_rows(coefs: &[f32], rows: &[f32], y: &mut [f32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { axpy_rows_tf(coefs, rows, y) }
        }
        /// # Safety
        /// The CPU has the level's features.
        pub(crate) unsafe fn scale(a: f32, x: &mut [f32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { scale_tf(a, x) }
        }
        /// # Safety
        /// The CPU has the level's features; `x.len() >= y.len()`.
        pub(crate) unsafe fn add(x: &[f32], y: &mut [f32]) {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { add_tf(x, y) }
        }
        /// # Safety
        /// The CPU has the level's features; `w`, `e` at least as long as `h`.
        pub(crate) unsafe fn ns_step(
            h: &[f32],
            w: &mut [f32],
            e: &mut [f32],
            label: f32,
            lr: f32,
        ) -> f32 {
            // SAFETY: forwarded contract (the table exists only after the CPU check).
            unsafe { ns_step_tf(h, w, e, label, lr) }
        }
    };
}
pub(crate) use entry_points;
