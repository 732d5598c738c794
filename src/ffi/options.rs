//! [`W2vTrainOptions`]: creation, freeing, and one setter per parameter.
//!
//! Every setter is one call of [`set`] (or [`set_enum`] for a C enum value):
//! the new value is applied to a copy of the options, the copy is checked
//! with [`TrainConfig::check`], and it replaces the options only if valid, so
//! a failed call leaves the options unchanged.

use super::boundary::from_c;
use super::boundary::{R, guard, non_null};
use super::status::{W2vLoss, W2vModelKind, W2vStatus};
use crate::train::TrainConfig;
use bytemuck::CheckedBitPattern;
use std::ffi::c_int;

/// Training options (opaque): create with [`w2v_train_options_new`], free
/// with [`w2v_train_options_free`]. Not thread-safe: one thread at a time.
pub struct W2vTrainOptions {
    pub(super) config: TrainConfig,
}

/// Create training options with word2vec.c's defaults (CBOW, negative
/// sampling, dim 100, window 5, negative 5, sample 1e-3, min-count 5, 5
/// epochs, lr 0.05 for CBOW / 0.025 for skip-gram, one thread per core, seed 1),
/// but for one: CBOW's rate decays to 0.2 of its start, not to almost 0
/// (`w2v_train_options_set_min_lr`).
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

/// Apply `update` to a copy of the options and check it; keep the copy only
/// if both succeed, so that on error the options are unchanged.
///
/// # Safety
/// `options` is NULL or a live options object.
unsafe fn update(
    options: *mut W2vTrainOptions,
    update: impl FnOnce(&mut TrainConfig) -> R,
) -> W2vStatus {
    guard(|| {
        non_null(options, "options")?;
        // SAFETY: non-NULL; a live object, used by one thread (documented).
        let o = unsafe { &mut *options };
        let mut c = o.config.clone();
        update(&mut c)?;
        c.check()?;
        o.config = c;
        Ok(())
    })
}

/// Set a parameter with `assign`, as [`update`] does.
///
/// # Safety
/// `options` is NULL or a live options object.
unsafe fn set(options: *mut W2vTrainOptions, assign: impl FnOnce(&mut TrainConfig)) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |c| {
            assign(c);
            Ok(())
        })
    }
}

/// Set a parameter from `value`, a C enum `T` (checked by [`from_c`]; `what`
/// names it in the error), with `assign`, as [`update`] does.
///
/// # Safety
/// `options` is NULL or a live options object.
unsafe fn set_enum<T: CheckedBitPattern>(
    options: *mut W2vTrainOptions,
    value: c_int,
    what: &str,
    assign: impl FnOnce(&mut TrainConfig, T),
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |c| {
            assign(c, from_c(value, what)?);
            Ok(())
        })
    }
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
        set_enum(options, model, "model kind", |c, m: W2vModelKind| {
            c.model = m.into()
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
    unsafe { set_enum(options, loss, "loss", |c, l: W2vLoss| c.loss = l.into()) }
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
    unsafe { set(options, |c| c.dim = value) }
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
    unsafe { set(options, |c| c.window = value) }
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
    unsafe { set(options, |c| c.negative = value) }
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
    unsafe { set(options, |c| c.sample = value) }
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
    unsafe { set(options, |c| c.min_count = value) }
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
    unsafe { set(options, |c| c.max_vocab = (value > 0).then_some(value)) }
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
    unsafe { set(options, |c| c.epochs = value) }
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
    unsafe { set(options, |c| c.lr = (value != 0.0).then_some(value as f32)) }
}

/// The rate the linear decay ends at, on the last word (gensim's
/// `min_alpha`; at most the initial rate; never below `lr * 1e-4` on the
/// way): 0 is word2vec.c's schedule. A negative value restores the model's
/// default (0.2 times the initial rate for CBOW, 0 for skip-gram). NaN
/// fails with `W2V_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_min_lr(
    options: *mut W2vTrainOptions,
    value: f64,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |c| {
            c.min_lr = if value < 0.0 {
                None
            } else {
                Some(value as f32)
            }
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
    unsafe { set(options, |c| c.threads = value) }
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
    unsafe { set(options, |c| c.seed = value) }
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
    unsafe { set(options, |c| c.cbow_mean = value) }
}

/// Skip-gram with negative sampling only: share one draw of negatives among
/// a window's context words and update the window as small matrix products
/// (pWord2Vec; faster, not word2vec.c's update). Off by default. Turning it
/// on while the model is CBOW or the loss hierarchical softmax fails with
/// `W2V_STATUS_INVALID_ARGUMENT` and leaves the options unchanged.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_batch(
    options: *mut W2vTrainOptions,
    value: bool,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe { set(options, |c| c.batch = value) }
}

/// Negative sampling only: leave out a (word, target) pair whose score is
/// beyond +-6, with no update at all, as gensim 4.4 does (true), or give it
/// the full-size update, as word2vec.c does (false, the default). Turning it
/// on while the loss is hierarchical softmax fails with
/// `W2V_STATUS_INVALID_ARGUMENT` and leaves the options unchanged.
///
/// # Safety
/// `options` is NULL or a live options object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn w2v_train_options_set_skip_saturated(
    options: *mut W2vTrainOptions,
    value: bool,
) -> W2vStatus {
    // SAFETY: forwarded contract.
    unsafe { set(options, |c| c.skip_saturated = value) }
}
