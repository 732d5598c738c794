//! The boundary every export crosses: the panic guard, the per-thread last
//! error message, and the checks of caller pointers and strings.

use super::status::W2vStatus;
use crate::error::Error;
use bytemuck::CheckedBitPattern;
use std::cell::RefCell;
use std::ffi::c_int;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

#[cfg(test)]
thread_local! {
    /// Test-only: when set, the next call through [`guard`] on this thread
    /// panics inside the boundary (and clears the flag), so that tests can
    /// check what a panic in a real export returns.
    pub(super) static INJECT_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A failure inside an export: a status and a message.
pub(super) struct Fail(pub(super) W2vStatus, pub(super) String);

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail(e.kind().into(), e.to_string())
    }
}

/// What the body of an export returns.
pub(super) type R<T = ()> = Result<T, Fail>;

/// An error with `status` and `msg`.
pub(super) fn fail<T>(status: W2vStatus, msg: impl Into<String>) -> R<T> {
    Err(Fail(status, msg.into()))
}

/// Run `f` behind the panic boundary, recording the error message.
pub(super) fn guard(f: impl FnOnce() -> R) -> W2vStatus {
    let body = || {
        #[cfg(test)]
        if INJECT_PANIC.take() {
            panic!("injected by a test");
        }
        f()
    };
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => W2vStatus::Ok,
        Ok(Err(Fail(status, msg))) => {
            LAST_ERROR.with(|e| *e.borrow_mut() = msg);
            status
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            LAST_ERROR.with(|e| *e.borrow_mut() = format!("internal error (a bug in w2v): {what}"));
            W2vStatus::Panic
        }
    }
}

/// `W2V_STATUS_NULL_POINTER` if `p` is NULL; `name` is the parameter's name.
pub(super) fn non_null<T>(p: *const T, name: &str) -> R<()> {
    if p.is_null() {
        fail(W2vStatus::NullPointer, format!("`{name}` is NULL"))
    } else {
        Ok(())
    }
}

/// The string at `p`, checked for NULL and UTF-8.
///
/// # Safety
/// `p` is NULL or a valid NUL-terminated string that outlives `'a`.
pub(super) unsafe fn string<'a>(p: *const c_char, name: &str) -> R<&'a str> {
    non_null(p, name)?;
    // SAFETY: non-NULL checked; the caller guarantees NUL termination.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| {
        Fail(
            W2vStatus::InvalidUtf8,
            format!("`{name}` is not valid UTF-8"),
        )
    })
}

/// The object at `p`, checked for NULL.
///
/// # Safety
/// `p` is NULL or points to a live `T` for `'a`.
pub(super) unsafe fn reference<'a, T>(p: *const T, name: &str) -> R<&'a T> {
    non_null(p, name)?;
    // SAFETY: non-NULL checked; the caller guarantees validity.
    Ok(unsafe { &*p })
}

/// The `n` strings at `p`, each checked as by [`string`].
///
/// # Safety
/// `p` is NULL or points to `n` strings as for [`string`].
pub(super) unsafe fn strings<'a>(p: *const *const c_char, n: usize, name: &str) -> R<Vec<&'a str>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    non_null(p, name)?;
    // SAFETY: non-NULL checked; the caller guarantees `n` readable pointers.
    let ptrs = unsafe { std::slice::from_raw_parts(p, n) };
    ptrs.iter()
        .enumerate()
        // SAFETY: each element is a string pointer per the caller's contract.
        .map(|(i, &s)| unsafe { string(s, &format!("{name}[{i}]")) })
        .collect()
}

/// The `n` floats at `p` (NULL allowed when `n` is 0).
///
/// # Safety
/// `p` is NULL (only if `n == 0`) or readable for `n` floats.
pub(super) unsafe fn floats<'a>(p: *const f32, n: usize, name: &str) -> R<&'a [f32]> {
    if n == 0 {
        return Ok(&[]);
    }
    non_null(p, name)?;
    // SAFETY: non-NULL; readable for `n` floats (caller's contract).
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Write a value through an out-pointer after checking it.
///
/// # Safety
/// `out` is NULL or writable.
pub(super) unsafe fn put<T>(out: *mut T, name: &str, v: T) -> R {
    non_null(out, name)?;
    // SAFETY: non-NULL; writable (caller's contract).
    unsafe { *out = v };
    Ok(())
}

/// Copy `s` and a NUL into `buf` (capacity `len`), or report the size needed.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes; `needed` is NULL or writable.
pub(super) unsafe fn copy_string(s: &str, buf: *mut c_char, len: usize, needed: *mut usize) -> R {
    let need = s.len() + 1;
    if !needed.is_null() {
        // SAFETY: non-NULL; the caller guarantees it is writable.
        unsafe { *needed = need };
    }
    if buf.is_null() || len < need {
        return fail(
            W2vStatus::BufferTooSmall,
            format!("the buffer holds {len} bytes, {need} are needed"),
        );
    }
    // SAFETY: `buf` is writable for `len >= need` bytes; the source is a
    // distinct Rust string.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
    Ok(())
}

/// Copy the calling thread's last error message (NUL-terminated) into `buf`
/// of `len` bytes. `*needed` (if `needed` is not NULL) receives the size
/// required, NUL included, even when the buffer is too small (then the
/// status is `W2V_STATUS_BUFFER_TOO_SMALL`). The message stays until the
/// thread's next failing call. An empty string if no call failed yet.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes; `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_last_error_message(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> W2vStatus {
    // Not through `guard`: a failure here must not replace the message.
    let msg = LAST_ERROR.with(|e| e.borrow().clone());
    match catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: forwarded contract.
        unsafe { copy_string(&msg, buf, len, needed) }
    })) {
        Ok(Ok(())) => W2vStatus::Ok,
        Ok(Err(Fail(s, _))) => s,
        Err(_) => W2vStatus::Panic,
    }
}

/// The C enum `T` whose value is `v`, checked against `T`'s declared
/// variants; `W2V_STATUS_INVALID_ARGUMENT` ("unknown {what} {v}") otherwise.
pub(super) fn from_c<T: CheckedBitPattern>(v: c_int, what: &str) -> R<T> {
    // A `#[repr(C)]` enum is a C `int` on every supported target.
    const { assert!(size_of::<T>() == size_of::<c_int>()) };
    bytemuck::checked::try_cast(v)
        .map_err(|_| Fail(W2vStatus::InvalidArgument, format!("unknown {what} {v}")))
}
