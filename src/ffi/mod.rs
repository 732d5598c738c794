//! The C ABI: what `include/w2v.h` declares (generated from this module by
//! cbindgen; see `cbindgen.toml`).
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

#![allow(
    unsafe_code,
    reason = "the C ABI dereferences caller pointers, checked for NULL first"
)]

use crate::error::{Error, ErrorKind};
use crate::format::Format;
use crate::model::Embeddings;
use crate::model::eval;
use crate::model::query::{Analogy, Scratch};
use crate::simd::{Kernels, Level};
use crate::text::Corpus;
use crate::train::{LossKind, ModelKind, Progress, TrainConfig};
use std::cell::RefCell;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

/// Major version of the library (semantic versioning).
pub const W2V_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const W2V_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const W2V_VERSION_PATCH: u32 = 0;

/// The result of every fallible call. `W2V_STATUS_OK` is 0; values are never
/// reused or renumbered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vStatus {
    /// Success.
    Ok = 0,
    /// A parameter is out of range (zero dimension, unknown enum value, ...).
    InvalidArgument = 1,
    /// A required pointer argument was NULL.
    NullPointer = 2,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 3,
    /// The operating system reported an error (missing file, permission, disk full).
    Io = 4,
    /// Input data is malformed: a corrupt or truncated model, a bad test file.
    Format = 5,
    /// Not possible with this build or machine: a SIMD level the CPU lacks, a
    /// native file of a newer format version.
    Unsupported = 6,
    /// The corpus has no usable words, or a query names no word.
    Empty = 7,
    /// A word is not in the vocabulary.
    NotFound = 8,
    /// A caller buffer is too small (the size needed is reported through the
    /// function's `needed` parameter, where it has one).
    BufferTooSmall = 9,
    /// The progress callback asked to stop.
    Cancelled = 10,
    /// An internal error (a bug in w2v): the call was abandoned safely and
    /// nothing was written. Rust's default panic hook also prints the panic
    /// to standard error.
    Panic = 11,
    /// Memory for the request could not be allocated (a matrix too large for
    /// this machine); nothing was created.
    OutOfMemory = 12,
}

/// Word2vec architecture, for [`w2v_train_options_set_model`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vModelKind {
    /// Skip-gram.
    Sgns = 0,
    /// Continuous bag of words (the default, as in word2vec.c).
    Cbow = 1,
}

/// Output layer, for [`w2v_train_options_set_loss`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vLoss {
    /// Negative sampling (the default).
    Ns = 0,
    /// Hierarchical softmax.
    Hs = 1,
}

/// File format, for [`w2v_model_save`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vFormat {
    /// word2vec binary (word2vec.c `-binary 1`).
    Binary = 0,
    /// word2vec text (word2vec.c `-binary 0`).
    Text = 1,
    /// The native format, opened by mmap.
    Native = 2,
}

/// Analogy scoring, for [`w2v_model_analogy`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vAnalogyMethod {
    /// 3CosAdd: nearest to `b - a + c`.
    Add = 0,
    /// 3CosMul (Levy and Goldberg).
    Mul = 1,
}

/// A SIMD instruction-set level.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W2vSimdLevel {
    /// Plain scalar loops (the reference).
    Scalar = 0,
    /// Portable SIMD (`wide`), any CPU.
    Portable = 1,
    /// AVX2 + FMA, x86_64.
    Avx2 = 2,
    /// AVX-512F and AVX-512BW, x86_64.
    Avx512 = 3,
}

/// Training options (opaque): create with [`w2v_train_options_new`], free
/// with [`w2v_train_options_free`]. Not thread-safe: one thread at a time.
pub struct W2vTrainOptions {
    config: TrainConfig,
}

/// Word vectors (opaque): from [`w2v_train_file`], [`w2v_train_buffer`] or
/// [`w2v_model_load`]; freed with [`w2v_model_free`]. Immutable: any number
/// of threads may query one model at the same time.
pub struct W2vModel {
    emb: Embeddings,
}

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

/// Analogy accuracy, from [`w2v_eval_analogy`].
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct W2vAnalogyReport {
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions answered (all four words in the restricted vocabulary).
    pub answered: usize,
    /// Questions in the file.
    pub questions: usize,
    /// `correct / answered`, in percent.
    pub accuracy: f64,
    /// Accuracy on the semantic sections, in percent.
    pub semantic_accuracy: f64,
    /// Accuracy on the syntactic (`gram*`) sections, in percent.
    pub syntactic_accuracy: f64,
}

/// Word-similarity correlation, from [`w2v_eval_similarity`].
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct W2vSimilarityReport {
    /// Spearman's rho (average ranks for ties).
    pub spearman: f64,
    /// Pearson's r.
    pub pearson: f64,
    /// Pairs with both words known.
    pub found: usize,
    /// Pairs in the file.
    pub pairs: usize,
    /// Percentage of pairs skipped for an unknown word.
    pub oov_percent: f64,
}

// ---------------------------------------------------------------------------
// Errors and the panic boundary.

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A failure inside an export: a status and a message.
struct Fail(W2vStatus, String);

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        let status = match e.kind() {
            ErrorKind::InvalidArgument => W2vStatus::InvalidArgument,
            ErrorKind::Io => W2vStatus::Io,
            ErrorKind::Format => W2vStatus::Format,
            ErrorKind::Unsupported => W2vStatus::Unsupported,
            ErrorKind::Empty => W2vStatus::Empty,
            ErrorKind::Cancelled => W2vStatus::Cancelled,
            ErrorKind::NotFound => W2vStatus::NotFound,
            ErrorKind::OutOfMemory => W2vStatus::OutOfMemory,
            ErrorKind::WorkerPanicked | ErrorKind::Internal => W2vStatus::Panic,
        };
        Fail(status, e.to_string())
    }
}

type R<T = ()> = Result<T, Fail>;

fn fail<T>(status: W2vStatus, msg: impl Into<String>) -> R<T> {
    Err(Fail(status, msg.into()))
}

/// Run `f` behind the panic boundary, recording the error message.
fn guard(f: impl FnOnce() -> R) -> W2vStatus {
    match catch_unwind(AssertUnwindSafe(f)) {
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

fn non_null<T>(p: *const T, name: &str) -> R<()> {
    if p.is_null() {
        fail(W2vStatus::NullPointer, format!("`{name}` is NULL"))
    } else {
        Ok(())
    }
}

/// # Safety
/// `p` is NULL or a valid NUL-terminated string that outlives `'a`.
unsafe fn string<'a>(p: *const c_char, name: &str) -> R<&'a str> {
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

/// # Safety
/// `p` is NULL or points to a live `T` for `'a`.
unsafe fn reference<'a, T>(p: *const T, name: &str) -> R<&'a T> {
    non_null(p, name)?;
    // SAFETY: non-NULL checked; the caller guarantees validity.
    Ok(unsafe { &*p })
}

/// # Safety
/// `p` is NULL or points to `n` strings as for [`string`].
unsafe fn strings<'a>(p: *const *const c_char, n: usize, name: &str) -> R<Vec<&'a str>> {
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

/// Copy `s` and a NUL into `buf` (capacity `len`), or report the size needed.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes; `needed` is NULL or writable.
unsafe fn copy_string(s: &str, buf: *mut c_char, len: usize, needed: *mut usize) -> R {
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

// ---------------------------------------------------------------------------
// SIMD level override.

/// `-1`: automatic; else a `W2vSimdLevel` forced by [`w2v_simd_force`].
static FORCED_LEVEL: AtomicI32 = AtomicI32::new(-1);

fn level_from(v: c_int) -> R<Level> {
    Ok(match v {
        0 => Level::Scalar,
        1 => Level::Portable,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => {
            return fail(
                W2vStatus::InvalidArgument,
                format!("unknown SIMD level {v}"),
            );
        }
    })
}

fn level_to(l: Level) -> W2vSimdLevel {
    match l {
        Level::Scalar => W2vSimdLevel::Scalar,
        Level::Portable => W2vSimdLevel::Portable,
        Level::Avx2 => W2vSimdLevel::Avx2,
        Level::Avx512 => W2vSimdLevel::Avx512,
    }
}

/// The kernels new models and training runs use: the forced level, else
/// `W2V_SIMD`, else the default.
fn active_kernels() -> R<Kernels> {
    match FORCED_LEVEL.load(Ordering::Relaxed) {
        -1 => Ok(Kernels::from_env()?),
        v => Ok(Kernels::new(level_from(v)?)?),
    }
}

// ---------------------------------------------------------------------------
// Version and errors.

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

// ---------------------------------------------------------------------------
// Training options.

/// Create training options with word2vec.c's defaults (CBOW, negative
/// sampling, dim 100, window 5, negative 5, sample 1e-3, min-count 5, 5
/// epochs, lr 0.05 for CBOW / 0.025 for skip-gram, one thread per core, seed 1).
///
/// # Safety
/// `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_new(out: *mut *mut W2vTrainOptions) -> W2vStatus {
    guard(|| {
        non_null(out, "out")?;
        let b = Box::new(W2vTrainOptions {
            config: TrainConfig::default(),
        });
        // SAFETY: non-NULL checked; the caller guarantees it is writable.
        unsafe { *out = Box::into_raw(b) };
        Ok(())
    })
}

/// Free options from [`w2v_train_options_new`]. NULL is ignored.
///
/// # Safety
/// `options` is NULL or from `w2v_train_options_new`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_free(options: *mut W2vTrainOptions) {
    if !options.is_null() {
        // SAFETY: from Box::into_raw in w2v_train_options_new (caller's contract).
        drop(unsafe { Box::from_raw(options) });
    }
}

/// Apply `set` to the options and check the result; on error the options
/// are unchanged.
///
/// # Safety
/// `options` is NULL or a live options object.
unsafe fn set_option(
    options: *mut W2vTrainOptions,
    set: impl FnOnce(&mut TrainConfig) -> R,
) -> W2vStatus {
    guard(|| {
        non_null(options, "options")?;
        // SAFETY: non-NULL; a live object, used by one thread (documented).
        let o = unsafe { &mut *options };
        let mut c = o.config.clone();
        set(&mut c)?;
        c.check()?;
        o.config = c;
        Ok(())
    })
}

/// Architecture: a `W2vModelKind` value.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_model(
    options: *mut W2vTrainOptions,
    model: c_int,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.model = match model {
                0 => ModelKind::SkipGram,
                1 => ModelKind::Cbow,
                _ => {
                    return fail(
                        W2vStatus::InvalidArgument,
                        format!("unknown model kind {model}"),
                    );
                }
            };
            Ok(())
        })
    }
}

/// Output layer: a `W2vLoss` value.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_loss(
    options: *mut W2vTrainOptions,
    loss: c_int,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.loss = match loss {
                0 => LossKind::NegativeSampling,
                1 => LossKind::HierarchicalSoftmax,
                _ => return fail(W2vStatus::InvalidArgument, format!("unknown loss {loss}")),
            };
            Ok(())
        })
    }
}

/// Vector dimension (> 0).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_dim(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.dim = value;
            Ok(())
        })
    }
}

/// Maximum window radius (> 0).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_window(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.window = value;
            Ok(())
        })
    }
}

/// Negative samples per positive example (negative sampling).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_negative(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.negative = value;
            Ok(())
        })
    }
}

/// Subsampling threshold (0 disables subsampling).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_sample(
    options: *mut W2vTrainOptions,
    value: f64,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.sample = value;
            Ok(())
        })
    }
}

/// Words seen fewer times are dropped.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_min_count(
    options: *mut W2vTrainOptions,
    value: u64,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.min_count = value;
            Ok(())
        })
    }
}

/// Keep at most this many words (0: no limit).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_max_vocab(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.max_vocab = (value > 0).then_some(value);
            Ok(())
        })
    }
}

/// Passes over the corpus (> 0).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_epochs(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.epochs = value;
            Ok(())
        })
    }
}

/// Initial learning rate (0: the model's default, 0.05 CBOW / 0.025 skip-gram).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_lr(
    options: *mut W2vTrainOptions,
    value: f64,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.lr = (value != 0.0).then_some(value as f32);
            Ok(())
        })
    }
}

/// Worker threads (> 0). One thread and a fixed seed give identical output every run.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_threads(
    options: *mut W2vTrainOptions,
    value: usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.threads = value;
            Ok(())
        })
    }
}

/// Seed of every random choice.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_seed(
    options: *mut W2vTrainOptions,
    value: u64,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.seed = value;
            Ok(())
        })
    }
}

/// CBOW: average the context vectors (true, the default) or sum them (false).
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_cbow_mean(
    options: *mut W2vTrainOptions,
    value: bool,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set_option(options, |c| {
            c.cbow_mean = value;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------
// Training.

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
        let user = user_data as usize;
        let report = move |p: &Progress| -> bool {
            match progress {
                // SAFETY: the caller's callback, called with its own user data,
                // on this thread (train calls progress on the calling thread).
                Some(f) => unsafe {
                    f(p.fraction, p.words_per_sec, p.loss, user as *mut c_void) == 0
                },
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

// ---------------------------------------------------------------------------
// Models: load, save, free, vocabulary, vectors.

/// Load a model: a native file is mapped (constant time, pages shared
/// between processes); word2vec binary or text is read into memory. The
/// format is detected from the file's first bytes.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_load(path: *const c_char, out: *mut *mut W2vModel) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let path = unsafe { string(path, "path")? };
        non_null(out, "out")?;
        let emb = Embeddings::load(Path::new(path))?.with_kernels(active_kernels()?);
        // SAFETY: non-NULL checked; writable (caller's contract).
        unsafe { *out = Box::into_raw(Box::new(W2vModel { emb })) };
        Ok(())
    })
}

/// Free a model. NULL is ignored. No other thread may be using it.
///
/// # Safety
/// `model` is NULL or a model from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_free(model: *mut W2vModel) {
    if !model.is_null() {
        // SAFETY: from Box::into_raw in this module (caller's contract).
        drop(unsafe { Box::from_raw(model) });
    }
}

/// Save `model` to `path` in `format` (a `W2vFormat` value). Written to a
/// temporary file and renamed: a failure never leaves a partial file.
///
/// # Safety
/// `model` is a live model; `path` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_save(
    model: *const W2vModel,
    path: *const c_char,
    format: c_int,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, path) = unsafe { (reference(model, "model")?, string(path, "path")?) };
        let format = match format {
            0 => Format::Binary,
            1 => Format::Text,
            2 => Format::Native,
            _ => {
                return fail(
                    W2vStatus::InvalidArgument,
                    format!("unknown format {format}"),
                );
            }
        };
        m.emb.save(Path::new(path), format)?;
        Ok(())
    })
}

/// Write a value through an out-pointer after checking it.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn put<T>(out: *mut T, name: &str, v: T) -> R {
    non_null(out, name)?;
    // SAFETY: non-NULL; writable (caller's contract).
    unsafe { *out = v };
    Ok(())
}

/// Number of words.
///
/// # Safety
/// `model` is a live model; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_vocab_size(
    model: *const W2vModel,
    out: *mut usize,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    guard(|| unsafe { put(out, "out", reference(model, "model")?.emb.len()) })
}

/// Vector dimension.
///
/// # Safety
/// `model` is a live model; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_dim(model: *const W2vModel, out: *mut usize) -> W2vStatus {
    // SAFETY: forwarded contract.
    guard(|| unsafe { put(out, "out", reference(model, "model")?.emb.dim()) })
}

/// Whether the model is mapped from a native file (`true`) or held in memory.
///
/// # Safety
/// `model` is a live model; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_is_mapped(model: *const W2vModel, out: *mut bool) -> W2vStatus {
    // SAFETY: forwarded contract.
    guard(|| unsafe { put(out, "out", reference(model, "model")?.emb.is_mapped()) })
}

/// Copy word `index` (NUL-terminated UTF-8) into `buf` of `len` bytes; see
/// [`w2v_last_error_message`] for `needed`. Index 0 is the most frequent word.
///
/// # Safety
/// `model` is a live model; `buf` NULL or writable for `len` bytes; `needed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_word(
    model: *const W2vModel,
    index: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        let Some(w) = m.emb.word(index) else {
            return if index >= m.emb.len() {
                fail(
                    W2vStatus::InvalidArgument,
                    format!("index {index} is out of range ({} words)", m.emb.len()),
                )
            } else {
                fail(
                    W2vStatus::Format,
                    format!("word {index} of the model file is corrupt"),
                )
            };
        };
        // SAFETY: forwarded contract.
        unsafe { copy_string(w, buf, len, needed) }
    })
}

/// The index of `word`: `W2V_STATUS_NOT_FOUND` if it is not in the vocabulary.
///
/// # Safety
/// `model` is a live model; `word` a NUL-terminated string; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_index(
    model: *const W2vModel,
    word: *const c_char,
    out: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, w) = unsafe { (reference(model, "model")?, string(word, "word")?) };
        let i = m.emb.index_or_err(w)?;
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", i) }
    })
}

/// Copy the vector of `word` into `buf` (`len` floats, at least the
/// dimension). `*needed` (if not NULL) receives the dimension, also when the
/// buffer is too small.
///
/// # Safety
/// `model` is a live model; `word` a NUL-terminated string; `buf` NULL or
/// writable for `len` floats; `needed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_vector(
    model: *const W2vModel,
    word: *const c_char,
    buf: *mut f32,
    len: usize,
    needed: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, w) = unsafe { (reference(model, "model")?, string(word, "word")?) };
        let i = m.emb.index_or_err(w)?;
        let dim = m.emb.dim();
        if !needed.is_null() {
            // SAFETY: non-NULL; writable (caller's contract).
            unsafe { *needed = dim };
        }
        if buf.is_null() || len < dim {
            return fail(
                W2vStatus::BufferTooSmall,
                format!("the buffer holds {len} floats, the dimension is {dim}"),
            );
        }
        // SAFETY: `buf` writable for `len >= dim` floats; distinct from the model.
        unsafe { std::ptr::copy_nonoverlapping(m.emb.row(i).as_ptr(), buf, dim) };
        Ok(())
    })
}

/// A borrowed pointer to the `dim` floats of word `index`, valid until the
/// model is freed. Do not write through it.
///
/// # Safety
/// `model` is a live model; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_vector_ptr(
    model: *const W2vModel,
    index: usize,
    out: *mut *const f32,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        if index >= m.emb.len() {
            return fail(
                W2vStatus::InvalidArgument,
                format!("index {index} is out of range ({} words)", m.emb.len()),
            );
        }
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", m.emb.row(index).as_ptr()) }
    })
}

// ---------------------------------------------------------------------------
// Queries.

/// Write up to `k` answers into `indices`/`scores` and their count to `found`.
///
/// # Safety
/// `indices` and `scores` writable for `k` elements (checked for NULL if `k > 0`); `found` writable.
unsafe fn put_answers(
    answers: &[crate::Neighbor],
    k: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> R {
    let n = answers.len().min(k);
    for (i, a) in answers[..n].iter().enumerate() {
        // SAFETY: `i < n <= k`, both arrays writable for `k` (caller's
        // contract, NULL checked by the caller of this function).
        unsafe {
            *indices.add(i) = a.index;
            *scores.add(i) = a.score;
        }
    }
    // SAFETY: forwarded contract.
    unsafe { put(found, "found", n) }
}

fn check_outputs(k: usize, indices: *mut usize, scores: *mut f32, found: *mut usize) -> R {
    non_null(found, "found")?;
    if k > 0 {
        non_null(indices, "indices")?;
        non_null(scores, "scores")?;
    }
    Ok(())
}

fn restrict_of(r: usize) -> Option<usize> {
    (r > 0).then_some(r)
}

/// 3CosAdd neighbours: the `k` words nearest to the sum of the unit vectors
/// of `positive` minus those of `negative`, query words excluded, among the
/// `restrict_vocab` most frequent words (0: all). Writes up to `k` word
/// indices and cosines, best first, into `indices` and `scores` (arrays of
/// `k`), and their number to `*found`.
///
/// # Safety
/// `model` is a live model; `positive`/`negative` hold `n_positive`/`n_negative`
/// NUL-terminated strings (may be NULL when the count is 0); `indices` and
/// `scores` writable for `k` elements; `found` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_most_similar(
    model: *const W2vModel,
    positive: *const *const c_char,
    n_positive: usize,
    negative: *const *const c_char,
    n_negative: usize,
    k: usize,
    restrict_vocab: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        // SAFETY: forwarded contract.
        let pos = unsafe { strings(positive, n_positive, "positive")? };
        // SAFETY: forwarded contract.
        let neg = unsafe { strings(negative, n_negative, "negative")? };
        check_outputs(k, indices, scores, found)?;
        let r = m
            .emb
            .most_similar(&pos, &neg, k, restrict_of(restrict_vocab))?;
        // SAFETY: forwarded contract.
        unsafe { put_answers(&r, k, indices, scores, found) }
    })
}

/// `a : b :: c : ?` with `method` (a `W2vAnalogyMethod` value): the `k` best
/// answers, `a`, `b` and `c` excluded. Outputs as [`w2v_model_most_similar`].
/// (An analogy by vector is [`w2v_model_nearest`] of `b - a + c`.)
///
/// # Safety
/// `model` is a live model; `a`, `b`, `c` NUL-terminated strings; outputs as
/// for `w2v_model_most_similar`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_analogy(
    model: *const W2vModel,
    a: *const c_char,
    b: *const c_char,
    c: *const c_char,
    method: c_int,
    k: usize,
    restrict_vocab: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        // SAFETY: forwarded contract.
        let (a, b, c) = unsafe { (string(a, "a")?, string(b, "b")?, string(c, "c")?) };
        let method = match method {
            0 => Analogy::Add,
            1 => Analogy::Mul,
            _ => {
                return fail(
                    W2vStatus::InvalidArgument,
                    format!("unknown analogy method {method}"),
                );
            }
        };
        check_outputs(k, indices, scores, found)?;
        let r = m
            .emb
            .analogy(a, b, c, k, method, restrict_of(restrict_vocab))?;
        // SAFETY: forwarded contract.
        unsafe { put_answers(&r, k, indices, scores, found) }
    })
}

/// The `k` words with the highest cosine to `vector` (`dim` floats, the
/// model's dimension), among the `restrict_vocab` most frequent (0: all).
/// Outputs as [`w2v_model_most_similar`].
///
/// # Safety
/// `model` is a live model; `vector` readable for `dim` floats; outputs as
/// for `w2v_model_most_similar`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_nearest(
    model: *const W2vModel,
    vector: *const f32,
    dim: usize,
    k: usize,
    restrict_vocab: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        non_null(vector, "vector")?;
        if dim != m.emb.dim() {
            return fail(
                W2vStatus::InvalidArgument,
                format!(
                    "the vector has {dim} floats, the model's dimension is {}",
                    m.emb.dim()
                ),
            );
        }
        check_outputs(k, indices, scores, found)?;
        // SAFETY: non-NULL; readable for `dim` floats (caller's contract).
        let v = unsafe { std::slice::from_raw_parts(vector, dim) };
        let mut scratch = Scratch::new();
        let r = m
            .emb
            .nearest_into(v, k, restrict_of(restrict_vocab), &[], &mut scratch)?;
        // SAFETY: forwarded contract.
        unsafe { put_answers(r, k, indices, scores, found) }
    })
}

/// The (optionally weighted) mean of the unit vectors of `n` words, unknown
/// words skipped, into `out` (`len` floats, at least the dimension): to
/// embed a search query or a short document. `weights` may be NULL (all 1).
/// `*known` (may be NULL) receives the number of words found. No word known
/// is `W2V_STATUS_NOT_FOUND`.
///
/// # Safety
/// `model` is a live model; `words` holds `n` NUL-terminated strings;
/// `weights` NULL or readable for `n` floats; `out` writable for `len`
/// floats; `known` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_mean_vector(
    model: *const W2vModel,
    words: *const *const c_char,
    n: usize,
    weights: *const f32,
    out: *mut f32,
    len: usize,
    known: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        // SAFETY: forwarded contract.
        let words = unsafe { strings(words, n, "words")? };
        non_null(out, "out")?;
        let dim = m.emb.dim();
        if len < dim {
            return fail(
                W2vStatus::BufferTooSmall,
                format!("the buffer holds {len} floats, the dimension is {dim}"),
            );
        }
        let w = if weights.is_null() {
            None
        } else {
            // SAFETY: non-NULL; readable for `n` floats (caller's contract).
            Some(unsafe { std::slice::from_raw_parts(weights, n) })
        };
        let mut v = vec![0.0f32; dim];
        let k = m.emb.mean_vector_into(&words, w, &mut v)?;
        // SAFETY: `out` writable for `len >= dim` floats (caller's contract).
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), out, dim) };
        if !known.is_null() {
            // SAFETY: non-NULL; writable (caller's contract).
            unsafe { *known = k };
        }
        Ok(())
    })
}

/// Cosine similarity of two words.
///
/// # Safety
/// `model` is a live model; `a`, `b` NUL-terminated strings; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_similarity(
    model: *const W2vModel,
    a: *const c_char,
    b: *const c_char,
    out: *mut f32,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, a, b) = unsafe { (reference(model, "model")?, string(a, "a")?, string(b, "b")?) };
        let s = m.emb.similarity(a, b)?;
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", s) }
    })
}

// ---------------------------------------------------------------------------
// Evaluation.

/// Analogy accuracy on a `questions-words.txt`-style file, with gensim's
/// conventions (3CosAdd, case-insensitive, question words excluded, only the
/// `restrict_vocab` most frequent words, 0 meaning 30000).
///
/// # Safety
/// `model` is a live model; `path` a NUL-terminated string; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_eval_analogy(
    model: *const W2vModel,
    path: *const c_char,
    restrict_vocab: usize,
    out: *mut W2vAnalogyReport,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, path) = unsafe { (reference(model, "model")?, string(path, "path")?) };
        non_null(out, "out")?;
        let restrict = if restrict_vocab == 0 {
            30000
        } else {
            restrict_vocab
        };
        let r = eval::analogies(&m.emb, Path::new(path), restrict)?;
        let report = W2vAnalogyReport {
            correct: r.correct,
            answered: r.answered,
            questions: r.questions,
            accuracy: r.accuracy,
            semantic_accuracy: r.semantic_accuracy,
            syntactic_accuracy: r.syntactic_accuracy,
        };
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", report) }
    })
}

/// Word-similarity correlation on a `word1<TAB>word2<TAB>score` file
/// (WordSim-353 and the like), pairs with an unknown word skipped.
///
/// # Safety
/// `model` is a live model; `path` a NUL-terminated string; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_eval_similarity(
    model: *const W2vModel,
    path: *const c_char,
    out: *mut W2vSimilarityReport,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let (m, path) = unsafe { (reference(model, "model")?, string(path, "path")?) };
        non_null(out, "out")?;
        let r = eval::similarity(&m.emb, Path::new(path))?;
        let report = W2vSimilarityReport {
            spearman: r.spearman,
            pearson: r.pearson,
            found: r.found,
            pairs: r.pairs,
            oov_percent: r.oov_percent,
        };
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", report) }
    })
}

// ---------------------------------------------------------------------------
// SIMD levels and kernels.

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
        unsafe { put(out, "out", level_to(k.level())) }
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

/// # Safety
/// `p` is NULL (only if `n == 0`) or readable for `n` floats.
unsafe fn floats<'a>(p: *const f32, n: usize, name: &str) -> R<&'a [f32]> {
    if n == 0 {
        return Ok(&[]);
    }
    non_null(p, name)?;
    // SAFETY: non-NULL; readable for `n` floats (caller's contract).
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
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

#[cfg(test)]
mod tests {
    #[test]
    fn version_constants_match_the_crate() {
        assert_eq!(
            super::W2V_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            super::W2V_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            super::W2V_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
    }
}
