//! [`W2vStatus`], the C enums, and their conversions: from the `int` the
//! exports take (checked, derived from each enum's declaration), to and from
//! the library's Rust types, and from an [`ErrorKind`] to a status; and
//! [`w2v_status_str`], a status's name.

#[cfg(doc)]
use super::{
    w2v_model_analogy, w2v_model_save, w2v_train_options_set_loss, w2v_train_options_set_model,
};
use crate::error::ErrorKind;
use crate::format::Format;
use crate::kinds::Named;
use crate::model::query::Analogy;
use crate::simd::Level;
use crate::train::{LossKind, ModelKind};
use bytemuck::CheckedBitPattern;
use std::ffi::{CStr, c_char, c_int};

/// The result of every fallible call. `W2V_STATUS_OK` is 0; values are never
/// reused or renumbered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
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

impl W2vStatus {
    /// The enumerator's name as `include/w2v.h` spells it. The match is
    /// exhaustive, so a new status does not compile without its name; a test
    /// compares every name with the generated header.
    pub(super) fn c_name(self) -> &'static CStr {
        match self {
            W2vStatus::Ok => c"W2V_STATUS_OK",
            W2vStatus::InvalidArgument => c"W2V_STATUS_INVALID_ARGUMENT",
            W2vStatus::NullPointer => c"W2V_STATUS_NULL_POINTER",
            W2vStatus::InvalidUtf8 => c"W2V_STATUS_INVALID_UTF8",
            W2vStatus::Io => c"W2V_STATUS_IO",
            W2vStatus::Format => c"W2V_STATUS_FORMAT",
            W2vStatus::Unsupported => c"W2V_STATUS_UNSUPPORTED",
            W2vStatus::Empty => c"W2V_STATUS_EMPTY",
            W2vStatus::NotFound => c"W2V_STATUS_NOT_FOUND",
            W2vStatus::BufferTooSmall => c"W2V_STATUS_BUFFER_TOO_SMALL",
            W2vStatus::Cancelled => c"W2V_STATUS_CANCELLED",
            W2vStatus::Panic => c"W2V_STATUS_PANIC",
            W2vStatus::OutOfMemory => c"W2V_STATUS_OUT_OF_MEMORY",
        }
    }
}

/// What [`w2v_status_str`] returns for a value that is no status.
pub(super) const UNKNOWN_STATUS: &CStr = c"unknown status";

/// The name of `status` (a `W2vStatus` value) as this header spells it, e.g.
/// `"W2V_STATUS_NOT_FOUND"` for `W2V_STATUS_NOT_FOUND`; `"unknown status"`
/// for any other `int`. A static NUL-terminated string: never NULL, never to
/// be freed. To log a status; the message of a failure (what went wrong, and
/// with which argument) is `w2v_last_error_message`'s. Any thread; it never
/// fails and leaves the thread's last error message alone.
#[unsafe(no_mangle)]
pub extern "C" fn w2v_status_str(status: c_int) -> *const c_char {
    // No panic guard: a checked cast and a match cannot panic.
    bytemuck::checked::try_cast::<c_int, W2vStatus>(status)
        .map_or(UNKNOWN_STATUS, W2vStatus::c_name)
        .as_ptr()
}

impl From<ErrorKind> for W2vStatus {
    fn from(kind: ErrorKind) -> W2vStatus {
        match kind {
            ErrorKind::InvalidArgument => W2vStatus::InvalidArgument,
            ErrorKind::Io => W2vStatus::Io,
            ErrorKind::Format => W2vStatus::Format,
            ErrorKind::Unsupported => W2vStatus::Unsupported,
            ErrorKind::Empty => W2vStatus::Empty,
            ErrorKind::Cancelled => W2vStatus::Cancelled,
            ErrorKind::NotFound => W2vStatus::NotFound,
            ErrorKind::OutOfMemory => W2vStatus::OutOfMemory,
            ErrorKind::WorkerPanicked | ErrorKind::Internal => W2vStatus::Panic,
        }
    }
}

/// Word2vec architecture, for [`w2v_train_options_set_model`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
pub enum W2vModelKind {
    /// Skip-gram.
    Sgns = 0,
    /// Continuous bag of words (the default, as in word2vec.c).
    Cbow = 1,
}

impl From<W2vModelKind> for ModelKind {
    fn from(m: W2vModelKind) -> ModelKind {
        // The C enum's values are the kinds' codes (a test checks each).
        ModelKind::from_code(m as u32).unwrap_or(ModelKind::Cbow)
    }
}

/// Output layer, for [`w2v_train_options_set_loss`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
pub enum W2vLoss {
    /// Negative sampling (the default).
    Ns = 0,
    /// Hierarchical softmax.
    Hs = 1,
}

impl From<W2vLoss> for LossKind {
    fn from(l: W2vLoss) -> LossKind {
        LossKind::from_code(l as u32).unwrap_or(LossKind::NegativeSampling)
    }
}

/// File format, for [`w2v_model_save`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
pub enum W2vFormat {
    /// word2vec binary (word2vec.c `-binary 1`).
    Binary = 0,
    /// word2vec text (word2vec.c `-binary 0`).
    Text = 1,
    /// The native format, opened by mmap.
    Native = 2,
}

impl From<W2vFormat> for Format {
    fn from(f: W2vFormat) -> Format {
        Format::from_code(f as u32).unwrap_or(Format::Binary)
    }
}

/// Analogy scoring, for [`w2v_model_analogy`].
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
pub enum W2vAnalogyMethod {
    /// 3CosAdd: nearest to `b - a + c`.
    Add = 0,
    /// 3CosMul (Levy and Goldberg).
    Mul = 1,
}

impl From<W2vAnalogyMethod> for Analogy {
    fn from(m: W2vAnalogyMethod) -> Analogy {
        match m {
            W2vAnalogyMethod::Add => Analogy::Add,
            W2vAnalogyMethod::Mul => Analogy::Mul,
        }
    }
}

/// A SIMD instruction-set level.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, CheckedBitPattern)]
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

impl From<W2vSimdLevel> for Level {
    fn from(l: W2vSimdLevel) -> Level {
        match l {
            W2vSimdLevel::Scalar => Level::Scalar,
            W2vSimdLevel::Portable => Level::Portable,
            W2vSimdLevel::Avx2 => Level::Avx2,
            W2vSimdLevel::Avx512 => Level::Avx512,
        }
    }
}

impl From<Level> for W2vSimdLevel {
    fn from(l: Level) -> W2vSimdLevel {
        match l {
            Level::Scalar => W2vSimdLevel::Scalar,
            Level::Portable => W2vSimdLevel::Portable,
            Level::Avx2 => W2vSimdLevel::Avx2,
            Level::Avx512 => W2vSimdLevel::Avx512,
        }
    }
}
