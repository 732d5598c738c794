//! [`W2vSearcher`]: one thread's neighbour queries on a shared model, with
//! its own buffers and search settings (the index's breadth, or the exact
//! scan): a search engine opens the model once and gives each thread one.

use super::boundary::{R, fail, guard, non_null, put, reference, strings};
use super::model::W2vModel;
use super::query::{check_outputs, put_answers, query_vector, restrict_of};
use super::status::W2vStatus;
use crate::model::Embeddings;
use crate::model::index::{IndexParams, MAX_EF};
use crate::model::query::Scratch;

/// A model's queries for one thread (opaque): from [`w2v_searcher_new`],
/// freed with [`w2v_searcher_free`]. It shares the model's vectors (and
/// its mapping) and holds the buffers a query needs, so that its queries
/// allocate nothing once they have run once. Use one per thread: a searcher
/// is not for two threads at once. It keeps the vectors alive: the model
/// may be freed before it.
pub struct W2vSearcher {
    emb: Embeddings,
    scratch: Scratch,
}

/// # Safety
/// `p` is NULL or a live searcher used by this thread only.
unsafe fn live_searcher<'a>(p: *mut W2vSearcher) -> R<&'a mut W2vSearcher> {
    non_null(p, "searcher")?;
    // SAFETY: non-NULL; a live searcher, not shared (caller's contract).
    Ok(unsafe { &mut *p })
}

/// A searcher over `model`, with the default settings: through the model's
/// neighbour index when it has one (search breadth 200), else the exact scan.
///
/// # Safety
/// `model` is a live model; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_new(
    model: *const W2vModel,
    out: *mut *mut W2vSearcher,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        non_null(out, "out")?;
        let s = W2vSearcher {
            emb: m.emb.clone(),
            scratch: Scratch::new(),
        };
        // SAFETY: non-NULL checked; writable (caller's contract).
        unsafe { *out = Box::into_raw(Box::new(s)) };
        Ok(())
    })
}

/// Free a searcher. NULL is ignored.
///
/// # Safety
/// `searcher` is NULL or a searcher from [`w2v_searcher_new`], not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_free(searcher: *mut W2vSearcher) {
    if !searcher.is_null() {
        // SAFETY: from Box::into_raw in `w2v_searcher_new` (caller's contract).
        drop(unsafe { Box::from_raw(searcher) });
    }
}

/// The neighbour index's search breadth, 1 to 65536: the candidates the
/// graph search keeps and scores exactly (at least `k` plus the query words
/// are). Larger finds more of the exact neighbours and takes longer.
///
/// # Safety
/// `searcher` is a live searcher used by this thread only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_set_ef(searcher: *mut W2vSearcher, ef: usize) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { live_searcher(searcher)? };
        if !(1..=MAX_EF).contains(&ef) {
            return fail(
                W2vStatus::InvalidArgument,
                format!("ef must be between 1 and {MAX_EF}, got {ef}"),
            );
        }
        s.emb = s.emb.clone().with_ef(ef);
        Ok(())
    })
}

/// With `exact`, scan every word even when the model has an index.
///
/// # Safety
/// `searcher` is a live searcher used by this thread only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_set_exact(
    searcher: *mut W2vSearcher,
    exact: bool,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { live_searcher(searcher)? };
        s.emb = s.emb.clone().with_exact(exact);
        Ok(())
    })
}

/// Whether `model` has a neighbour index (`w2v index` builds one into a
/// native file); `*out` receives it.
///
/// # Safety
/// `model` is a live model; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_has_index(model: *const W2vModel, out: *mut bool) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { reference(model, "model")? };
        // SAFETY: forwarded contract.
        unsafe { put(out, "out", m.emb.neighbour_index().is_some()) }
    })
}

/// Build the approximate neighbour index (HNSW) over `model`'s rows, on
/// `threads` threads (0: one per core), with `m` links per word above the
/// bottom level (2 to 256; 16 is hnswlib's default), searches of breadth
/// `ef_construction` (1 to 65536; 200 is usual) and `seed`; with one thread
/// the index is the same bytes for the same seed. The model keeps it:
/// queries use it from then on and `w2v_model_save` as native stores it.
/// Changes the model: no other thread may use it (or a searcher made from
/// it before) during the call.
///
/// # Safety
/// `model` is a live model no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_model_build_index(
    model: *mut W2vModel,
    m: usize,
    ef_construction: usize,
    threads: usize,
    seed: u64,
) -> W2vStatus {
    guard(|| {
        non_null(model, "model")?;
        // SAFETY: non-NULL; a live model used by this thread only (caller's contract).
        let model = unsafe { &mut *model };
        let defaults = IndexParams::default();
        let params = IndexParams {
            m,
            ef_construction,
            threads: if threads == 0 {
                defaults.threads
            } else {
                threads
            },
            seed,
        };
        model.emb.build_index(&params)?;
        Ok(())
    })
}

/// As `w2v_model_nearest`, with the searcher's settings and buffers.
///
/// # Safety
/// `searcher` is a live searcher used by this thread only; `vector`
/// readable for `dim` floats; `indices` and `scores` writable for
/// `min(k, n)` elements (`n` the vocabulary or `restrict_vocab`); `found` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_nearest(
    searcher: *mut W2vSearcher,
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
        let s = unsafe { live_searcher(searcher)? };
        // SAFETY: forwarded contract.
        let v = unsafe { query_vector(&s.emb, vector, dim)? };
        check_outputs(k, indices, scores, found)?;
        let restrict = restrict_of(restrict_vocab);
        let r = s.emb.nearest_into(v, k, restrict, &[], &mut s.scratch)?;
        // SAFETY: forwarded contract.
        unsafe { put_answers(r, k, indices, scores, found) }
    })
}

/// As `w2v_model_most_similar` (3CosAdd, the query words excluded), with the
/// searcher's settings and buffers.
///
/// # Safety
/// `searcher` is a live searcher used by this thread only; the words and
/// outputs as for `w2v_model_most_similar`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_searcher_most_similar(
    searcher: *mut W2vSearcher,
    positive: *const *const std::ffi::c_char,
    n_positive: usize,
    negative: *const *const std::ffi::c_char,
    n_negative: usize,
    k: usize,
    restrict_vocab: usize,
    indices: *mut usize,
    scores: *mut f32,
    found: *mut usize,
) -> W2vStatus {
    guard(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { live_searcher(searcher)? };
        // SAFETY: forwarded contract.
        let pos = unsafe { strings(positive, n_positive, "positive")? };
        // SAFETY: forwarded contract.
        let neg = unsafe { strings(negative, n_negative, "negative")? };
        check_outputs(k, indices, scores, found)?;
        let restrict = restrict_of(restrict_vocab);
        let r = s
            .emb
            .most_similar_into(&pos, &neg, k, restrict, &mut s.scratch)?;
        // SAFETY: forwarded contract.
        unsafe { put_answers(r, k, indices, scores, found) }
    })
}
