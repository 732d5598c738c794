//! [`W2vModel`]: load, save, free, the vocabulary and the vectors.

use super::boundary::from_c;
use super::boundary::{copy_string, fail, guard, non_null, put, reference, string};
use super::simd::active_kernels;
use super::status::{W2vFormat, W2vStatus};
#[cfg(doc)]
use super::{w2v_last_error_message, w2v_train_buffer, w2v_train_file};
use crate::format::Format;
use crate::model::Embeddings;
use std::ffi::{c_char, c_int};
use std::path::Path;

/// Word vectors (opaque): from [`w2v_train_file`], [`w2v_train_buffer`] or
/// [`w2v_model_load`]; freed with [`w2v_model_free`]. Immutable: any number
/// of threads may query one model at the same time.
pub struct W2vModel {
    pub(super) emb: Embeddings,
}

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
        // SAFETY: from Box::into_raw in this module or `train` (caller's contract).
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
        let format = Format::from(from_c::<W2vFormat>(format, "format")?);
        m.emb.save(Path::new(path), format)?;
        Ok(())
    })
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
