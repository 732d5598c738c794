//! Training: from a file or a memory buffer, with an optional progress
//! callback, into a new [`W2vModel`].

use super::boundary::{R, guard, non_null, reference, string};
use super::model::W2vModel;
use super::options::W2vTrainOptions;
use super::simd::active_kernels;
use super::status::W2vStatus;
use crate::text::Corpus;
use crate::train::Progress;
use std::ffi::{c_char, c_int, c_void};
use std::path::Path;

/// Progress callback: `fraction` done in `[0, 1]`, training speed in corpus
/// words per second, the current epoch's average loss, and the caller's
/// `user_data`. Return 0 to continue, non-zero to cancel (the training call
/// then returns `W2V_STATUS_CANCELLED` and creates no model). Called on the
/// thread that called the training function, a few times per second.
pub type W2vProgressFn = Option<
    unsafe extern "C" fn(
        fraction: f64,
        words_per_sec: f64,
        loss: f64,
        user_data: *mut c_void,
    ) -> c_int,
>;

/// The caller's `user_data`, kept a pointer (not an integer: Miri's strict
/// provenance) inside the progress closure, which training requires `Sync`.
struct UserData(*mut c_void);

// SAFETY: w2v never dereferences the pointer; it only hands it back to the
// caller's callback, on the calling thread (see `train_corpus`).
unsafe impl Sync for UserData {}
// SAFETY: as above.
unsafe impl Send for UserData {}

/// Train on the corpus `corpus` builds, behind the panic boundary.
///
/// # Safety
/// As for the training exports.
unsafe fn train_corpus(
    options: *const W2vTrainOptions,
    corpus: impl FnOnce() -> R<Corpus>,
    progress: W2vProgressFn,
    user_data: *mut c_void,
    out: *mut *mut W2vModel,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let o = unsafe { reference(options, "options")? };
        non_null(out, "out")?;
        let corpus = corpus()?;
        let mut config = o.config.clone();
        let k = active_kernels()?;
        config.kernels = k;
        let user = UserData(user_data);
        let report = move |p: &Progress| -> bool {
            let user = &user;
            match progress {
                // SAFETY: the caller's callback, called with its own user data,
                // on this thread (train calls progress on the calling thread).
                Some(f) => unsafe { f(p.fraction, p.words_per_sec, p.loss, user.0) == 0 },
                None => true,
            }
        };
        let (emb, _) = crate::train::train(&corpus, &config, &report)?;
        let m = Box::new(W2vModel {
            emb: emb.with_kernels(k),
        });
        // SAFETY: non-NULL checked; the caller guarantees it is writable.
        unsafe { *out = Box::into_raw(m) };
        Ok(())
    })
}

/// Train on the text file at `corpus_path` (whitespace-separated tokens, a
/// newline ends a sentence; streamed, never loaded whole). `progress` may be
/// NULL. On success `*out` receives a new model.
///
/// # Safety
/// `options` is a live options object; `corpus_path` a NUL-terminated string;
/// `out` writable; `progress` NULL or a valid function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_file(
    options: *const W2vTrainOptions,
    corpus_path: *const c_char,
    progress: W2vProgressFn,
    user_data: *mut c_void,
    out: *mut *mut W2vModel,
) -> W2vStatus {
    let corpus = || {
        // SAFETY: forwarded contract.
        let path = unsafe { string(corpus_path, "corpus_path")? };
        Ok(Corpus::file(Path::new(path))?)
    };
    // SAFETY: forwarded contract.
    unsafe { train_corpus(options, corpus, progress, user_data, out) }
}

/// Train on `len` bytes of UTF-8 text at `text` (need not be NUL-terminated;
/// copied before training). `progress` may be NULL.
///
/// # Safety
/// `options` is a live options object; `text` readable for `len` bytes;
/// `out` writable; `progress` NULL or a valid function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_buffer(
    options: *const W2vTrainOptions,
    text: *const c_char,
    len: usize,
    progress: W2vProgressFn,
    user_data: *mut c_void,
    out: *mut *mut W2vModel,
) -> W2vStatus {
    let corpus = || {
        non_null(text, "text")?;
        // SAFETY: non-NULL; readable for `len` bytes (caller's contract).
        let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len) };
        Ok(Corpus::bytes(bytes.to_vec()))
    };
    // SAFETY: forwarded contract.
    unsafe { train_corpus(options, corpus, progress, user_data, out) }
}
