//! The C ABI: what `include/w2v.h` declares (generated from this module and
//! its files by cbindgen; see `cbindgen.toml`).
//!
//! Conventions, for every exported function:
//! * It returns a [`W2vStatus`] (except a few infallible getters);
//!   `W2V_STATUS_OK` is 0 and values are never reused.
//! * On failure, a message is kept per thread: [`w2v_last_error_message`]
//!   copies it into a caller buffer.
//! * Every pointer argument is checked for NULL; strings must be valid UTF-8
//!   and NUL-terminated.
//! * Out-parameters are written only on success (the `needed` size of a
//!   too-small buffer is the documented exception).
//! * A Rust panic never crosses the boundary: it becomes `W2V_STATUS_PANIC`.
//!
//! Every export is written out as an `extern "C" fn` (no macros), so that
//! cbindgen, which follows the `mod` declarations below, sees all of them.

#![allow(
    unsafe_code,
    reason = "the C ABI dereferences caller pointers, checked for NULL first"
)]

// One file per C object, declared in the header's order: cbindgen writes the
// functions in the order it meets them (this file's first).
// The panic boundary, the per-thread last error, pointer and string checks.
mod boundary;
// `W2vStatus` and the C enums; checked conversions from `int`.
mod status;
// `W2vTrainOptions`: creation and the setters.
mod options;
// The training exports and `W2vProgressFn`.
mod train;
// `W2vModel`: load, save, free, vocabulary, vectors.
mod model;
// Nearest neighbours, analogies, mean vectors, similarity.
mod query;
// `W2vSearcher`: one thread's queries with its own buffers and settings.
mod searcher;
// The analogy and word-similarity benchmarks.
mod eval;
// The SIMD level (get, force, available) and the kernel exports.
mod simd;

#[cfg(test)]
mod tests;

pub use boundary::*;
pub use eval::*;
pub use model::*;
pub use options::*;
pub use query::*;
pub use searcher::*;
pub use simd::*;
pub use status::*;
pub use train::*;

use std::ffi::c_char;

/// Major version of the library (semantic versioning).
pub const W2V_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const W2V_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const W2V_VERSION_PATCH: u32 = 0;

/// The library version as a static NUL-terminated string, e.g. `"0.1.0"`.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library's major version (compare with `W2V_VERSION_MAJOR` to detect a
/// header/library mismatch).
#[unsafe(no_mangle)]
pub extern "C" fn w2v_version_major() -> u32 {
    W2V_VERSION_MAJOR
}

/// The library's minor version.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_version_minor() -> u32 {
    W2V_VERSION_MINOR
}

/// The library's patch version.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_version_patch() -> u32 {
    W2V_VERSION_PATCH
}
