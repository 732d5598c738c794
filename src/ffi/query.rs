//! Queries on a [`W2vModel`]: nearest neighbours of words and of vectors,
//! analogies, mean vectors, the similarity of two words.

use super::boundary::from_c;
use super::boundary::{R, fail, guard, non_null, put, reference, string, strings};
use super::model::W2vModel;
use super::status::{W2vAnalogyMethod, W2vStatus};
use crate::model::query::{Analogy, Neighbor, Scratch};
use std::ffi::{c_char, c_int};

/// Write up to `k` answers into `indices`/`scores` and their count to `found`.
///
/// # Safety
/// `indices` and `scores` writable for `min(k, answers.len())` elements
/// (checked for NULL if `k > 0`); `found` writable.
pub(super) unsafe fn put_answers(
    answers: &[Neighbor],
    k: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> R {
    let n = answers.len().min(k);
    for (i, a) in answers[..n].iter().enumerate() {
        // SAFETY: `i < n = min(k, answers.len())`, both arrays writable for
        // `n` (caller's contract, NULL checked by the caller of this function).
        unsafe {
            *indices.add(i) = a.index;
            *scores.add(i) = a.score;
        }
    }
    // SAFETY: forwarded contract.
    unsafe { put(found, "found", n) }
}

/// Check the output arguments of a neighbour query: `found` always, the
/// arrays when `k > 0`.
pub(super) fn check_outputs(
    k: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> R {
    non_null(found, "found")?;
    if k > 0 {
        non_null(indices, "indices")?;
        non_null(scores, "scores")?;
    }
    Ok(())
}

/// The `restrict_vocab` argument: 0 means the whole vocabulary.
pub(super) fn restrict_of(r: usize) -> Option<usize> {
    (r > 0).then_some(r)
}

/// The query vector of a nearest-neighbour call: non-NULL and of the
/// model's dimension.
///
/// # Safety
/// `vector`, when non-NULL, is readable for `dim` floats for `'a`.
pub(super) unsafe fn query_vector<'a>(
    emb: &crate::model::Embeddings,
    vector: *const f32,
    dim: usize,
) -> R<&'a [f32]> {
    non_null(vector, "vector")?;
    if dim != emb.dim() {
        return fail(
            W2vStatus::InvalidArgument,
            format!(
                "the vector has {dim} floats, the model's dimension is {}",
                emb.dim()
            ),
        );
    }
    // SAFETY: non-NULL; readable for `dim` floats (caller's contract).
    Ok(unsafe { std::slice::from_raw_parts(vector, dim) })
}

/// 3CosAdd neighbours: the `k` words nearest to the sum of the unit vectors
/// of `positive` minus those of `negative`, query words excluded, among the
/// `restrict_vocab` most frequent words (0: all). Writes up to `k` word
/// indices and cosines, best first, into `indices` and `scores`, and their
/// number to `*found`. The answers are at most the candidate words (the
/// vocabulary, or its `restrict_vocab` most frequent, less the query words),
/// so the arrays need `min(k, n)` elements, `n` the vocabulary size or
/// `restrict_vocab` if smaller (and not 0): a `k` past that, up to
/// `SIZE_MAX`, means "all of them" and allocates nothing for `k`.
///
/// # Safety
/// `model` is a live model; `positive`/`negative` hold `n_positive`/`n_negative`
/// NUL-terminated strings (may be NULL when the count is 0); `indices` and
/// `scores` writable for `min(k, n)` elements (above); `found` writable.
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
        let method = Analogy::from(from_c::<W2vAnalogyMethod>(method, "analogy method")?);
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
        // SAFETY: forwarded contract.
        let v = unsafe { query_vector(&m.emb, vector, dim)? };
        check_outputs(k, indices, scores, found)?;
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
