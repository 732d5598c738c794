//! SIMD levels: the one new models and training runs use (query, force,
//! availability, names), and the dot and axpy kernels of a given level,
//! exported to benchmark the levels against each other.

use super::boundary::from_c;
use super::boundary::{R, floats, guard, non_null, put};
use super::status::{W2vSimdLevel, W2vStatus};
use crate::simd::{Kernels, Level};
use std::ffi::{CStr, c_char, c_int};
use std::sync::atomic::{AtomicI32, Ordering};

/// `-1`: automatic; else a `W2vSimdLevel` forced by [`w2v_simd_force`].
static FORCED_LEVEL: AtomicI32 = AtomicI32::new(-1);

/// The level of the C enum value `v`.
fn level_from(v: c_int) -> R<Level> {
    Ok(from_c::<W2vSimdLevel>(v, "SIMD level")?.into())
}

/// The kernels new models and training runs use: the forced level, else
/// `W2V_SIMD`, else the default.
pub(super) fn active_kernels() -> R<Kernels> {
    match FORCED_LEVEL.load(Ordering::Relaxed) {
        -1 => Ok(Kernels::from_env()?),
        v => Ok(Kernels::new(level_from(v)?)?),
    }
}

/// The SIMD level that models loaded or trained from now on will use (the
/// forced one, else `W2V_SIMD`, else the best for this CPU).
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_simd_level(out: *mut W2vSimdLevel) -> W2vStatus {
    guard(|| {
        let k = active_kernels()?;
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", k.level().into()) }
    })
}

/// Whether the CPU supports `level` (a `W2vSimdLevel` value).
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_simd_available(level: c_int, out: *mut bool) -> W2vStatus {
    guard(|| {
        let l = level_from(level)?;
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", l.is_available()) }
    })
}

/// Force `level` (a `W2vSimdLevel` value) for models loaded and trained from
/// now on, process-wide; -1 restores automatic choice. A level the CPU lacks
/// is `W2V_STATUS_UNSUPPORTED`. Models already created keep their level.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_simd_force(level: c_int) -> W2vStatus {
    guard(|| {
        if level != -1 {
            Kernels::new(level_from(level)?)?;
        }
        FORCED_LEVEL.store(level, Ordering::Relaxed);
        Ok(())
    })
}

/// The name of `level` as `W2V_SIMD` spells it ([`Level::name`]),
/// NUL-terminated. The match is exhaustive; a test checks each name against
/// `Level::name`.
pub(super) fn level_c_name(level: Level) -> &'static CStr {
    match level {
        Level::Scalar => c"scalar",
        Level::Portable => c"portable",
        Level::Avx2 => c"avx2",
        Level::Avx512 => c"avx512",
    }
}

/// The name of `level` (a `W2vSimdLevel` value): `"scalar"`, `"portable"`,
/// `"avx2"` or `"avx512"`, as the `W2V_SIMD` environment variable takes
/// them; `"unknown"` for any other `int`. A static NUL-terminated string:
/// never NULL, never to be freed. Any thread; it never fails and leaves the
/// thread's last error message alone.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_simd_level_name(level: c_int) -> *const c_char {
    // No panic guard: a checked cast and a match cannot panic.
    bytemuck::checked::try_cast::<c_int, W2vSimdLevel>(level)
        .map_or(c"unknown", |l| level_c_name(l.into()))
        .as_ptr()
}

/// `*out = sum a[i] * b[i]` over `n` floats with the kernel of `level` (a
/// `W2vSimdLevel` value), to benchmark the levels against each other.
///
/// # Safety
/// `a` and `b` readable for `n` floats (may be NULL if `n` is 0); `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_kernel_dot(
    level: c_int,
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> W2vStatus {
    guard(|| {
        let k = Kernels::new(level_from(level)?)?;
        // SAFETY: forwarded contract.
        let (a, b) = unsafe { (floats(a, n, "a")?, floats(b, n, "b")?) };
        let d = k.dot(a, b);
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", d) }
    })
}

/// `y[i] += alpha * x[i]` over `n` floats with the kernel of `level`.
///
/// # Safety
/// `x` readable and `y` writable for `n` floats (may be NULL if `n` is 0);
/// they must not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_kernel_axpy(
    level: c_int,
    alpha: f32,
    x: *const f32,
    y: *mut f32,
    n: usize,
) -> W2vStatus {
    guard(|| {
        let k = Kernels::new(level_from(level)?)?;
        // SAFETY: forwarded contract.
        let x = unsafe { floats(x, n, "x")? };
        if n == 0 {
            return Ok(());
        }
        non_null(y, "y")?;
        // SAFETY: non-NULL; writable for `n` floats, not overlapping `x` (caller's contract).
        let y = unsafe { std::slice::from_raw_parts_mut(y, n) };
        k.axpy(alpha, x, y);
        Ok(())
    })
}
