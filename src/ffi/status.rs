//! [`W2vStatus`] and the C enums.

#[cfg(doc)]
use super::{
    w2v_model_analogy, w2v_model_save, w2v_train_options_set_loss, w2v_train_options_set_model,
};

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
