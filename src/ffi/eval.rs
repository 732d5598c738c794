//! Evaluation of a [`W2vModel`] on the standard benchmarks: analogy accuracy
//! and word-similarity correlation.

use super::boundary::{guard, non_null, put, reference, string};
use super::model::W2vModel;
use super::status::W2vStatus;
use crate::model::eval;
use std::ffi::c_char;
use std::path::Path;

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

/// Analogy accuracy on a `questions-words.txt`-style file, with gensim's
/// conventions (3CosAdd, case-insensitive, question words excluded, only the
/// `restrict_vocab` most frequent words, 0 meaning all of them, as in every
/// `restrict_vocab` of this API; gensim's and `w2v eval`'s default is 30000).
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
            usize::MAX
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
