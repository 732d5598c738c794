//! Training parameters, checked once before any work starts.

use crate::error::{Error, Result};
use crate::kinds::MAX_DIM;
use crate::simd::Kernels;

pub use crate::kinds::{LossKind, LrSchedule, ModelKind};

/// CBOW's default final learning rate, as a fraction of the initial one.
///
/// word2vec.c decays every model's rate to (almost) 0. On the 16.9 M-word
/// Wikipedia corpus (5 epochs, 3 seeds, `BENCHMARKS.md`), ending CBOW's
/// decay at this fraction scored about a point higher on Google analogies
/// (a tenth gained 0.7, three tenths 0.7, a half lost 0.9). gensim's
/// `corpus_file` training with several workers also ends high, near a tenth
/// of the rate (each worker decays by its own share of the words).
/// `min_lr = Some(0.0)` restores word2vec.c's schedule.
pub const CBOW_FINAL_LR: f32 = 0.2;

/// Training parameters. `Default` gives word2vec.c's defaults (CBOW, dim 100,
/// window 5, negative 5, sample 1e-3, min-count 5, 5 epochs, lr 0.05 for CBOW
/// and 0.025 for skip-gram), with one thread per core and the default SIMD
/// level ([`Kernels::best`]), but for one: CBOW's rate decays to
/// [`CBOW_FINAL_LR`] of its start, not to almost 0 (`min_lr`).
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Architecture.
    pub model: ModelKind,
    /// Output layer.
    pub loss: LossKind,
    /// Vector dimension.
    pub dim: usize,
    /// Maximum window radius; each position draws a radius in `1..=window`.
    pub window: usize,
    /// Negative samples per positive example (negative sampling only).
    pub negative: usize,
    /// Subsampling threshold (`0` disables subsampling).
    pub sample: f64,
    /// Words seen fewer times are dropped.
    pub min_count: u64,
    /// Keep at most this many words (the most frequent).
    pub max_vocab: Option<usize>,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Initial learning rate; `None` for the model's default.
    pub lr: Option<f32>,
    /// Worker threads.
    pub threads: usize,
    /// Seed of every random choice. With one thread, the output is a function
    /// of the corpus, the parameters and the seed.
    pub seed: u64,
    /// CBOW: average the context vectors (`true`, word2vec.c's default) or sum them.
    pub cbow_mean: bool,
    /// The learning-rate schedule.
    pub lr_schedule: LrSchedule,
    /// Linear schedule: the rate the decay ends at, on the last word
    /// (gensim's `min_alpha`): the rate is `lr - (lr - min_lr) * progress`,
    /// never below `lr * 1e-4` (word2vec.c's floor), so `Some(0.0)` is
    /// word2vec.c's schedule exactly. `None` for the model's default
    /// ([`TrainConfig::final_learning_rate`]).
    pub min_lr: Option<f32>,
    /// `None`: word2vec.c's initialisation (input vectors uniform in
    /// `(-0.5, 0.5) / dim`, output vectors zero). `Some(s)`: both input and
    /// output vectors uniform in `s (-0.5, 0.5) / dim`, to train from a small
    /// initialisation (where directions are learned one at a time).
    pub init_scale: Option<f32>,
    /// Skip-gram with negative sampling only: share one draw of negatives
    /// among all the context words of a centre word and update the window as
    /// small dense matrix products (pWord2Vec, Ji et al. 2016). Each output
    /// row is then read once per centre word instead of once per context
    /// word, so it stays in cache. `false` is word2vec.c's update: fresh
    /// negatives for every (context, centre) pair.
    pub batch: bool,
    /// Negative sampling: leave out a (context, target) pair whose score is
    /// beyond +-6 (no update at all), as gensim 4.4 does. `false` is
    /// word2vec.c's rule: such a pair gets the full-size update.
    pub skip_saturated: bool,
    /// The SIMD kernels of the hot loop. The caller chooses them (the CLI and
    /// the C ABI honour `W2V_SIMD` through [`Kernels::from_env`]); holding a
    /// value proves the CPU supports its level.
    pub kernels: Kernels,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            model: ModelKind::Cbow,
            loss: LossKind::NegativeSampling,
            dim: 100,
            window: 5,
            negative: 5,
            sample: 1e-3,
            min_count: 5,
            max_vocab: None,
            epochs: 5,
            lr: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            seed: 1,
            cbow_mean: true,
            lr_schedule: LrSchedule::Linear,
            min_lr: None,
            init_scale: None,
            batch: false,
            skip_saturated: false,
            kernels: Kernels::best(),
        }
    }
}

impl TrainConfig {
    /// The learning rate used: `lr`, or 0.05 for CBOW and 0.025 for skip-gram.
    pub fn learning_rate(&self) -> f32 {
        self.lr.unwrap_or(match self.model {
            ModelKind::Cbow => 0.05,
            ModelKind::SkipGram => 0.025,
        })
    }

    /// The rate the linear schedule ends at: `min_lr`, or by default
    /// [`CBOW_FINAL_LR`] times the initial rate for CBOW and 0 for skip-gram
    /// (word2vec.c's schedule: towards 0, never below `lr * 1e-4`).
    pub fn final_learning_rate(&self) -> f32 {
        self.min_lr.unwrap_or(match self.model {
            ModelKind::Cbow => CBOW_FINAL_LR * self.learning_rate(),
            ModelKind::SkipGram => 0.0,
        })
    }

    /// Check every parameter; the error names the first bad one. The
    /// checked configuration is what a run takes ([`super::Trainer::new`]),
    /// so no run starts from one that was not checked.
    pub fn check(&self) -> Result<ValidConfig> {
        let bad = |m: String| Err(Error::invalid(m));
        if self.dim == 0 || self.dim > MAX_DIM {
            return bad(format!(
                "dimension must be between 1 and {MAX_DIM}, got {}",
                self.dim
            ));
        }
        if self.window == 0 || self.window > 1000 {
            return bad(format!(
                "window must be between 1 and 1000, got {}",
                self.window
            ));
        }
        if self.loss == LossKind::NegativeSampling && (self.negative == 0 || self.negative > 1000) {
            return bad(format!(
                "negative sampling needs between 1 and 1000 negatives, got {}",
                self.negative
            ));
        }
        if !self.sample.is_finite() || self.sample < 0.0 {
            return bad(format!(
                "sample must be a finite number >= 0, got {}",
                self.sample
            ));
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad(format!(
                "threads must be between 1 and 1024, got {}",
                self.threads
            ));
        }
        let lr = self.learning_rate();
        if !lr.is_finite() || lr <= 0.0 || lr > 10.0 {
            return bad(format!("learning rate must be in (0, 10], got {lr}"));
        }
        if let Some(m) = self.min_lr {
            if !(m.is_finite() && (0.0..=lr).contains(&m)) {
                return bad(format!(
                    "the final learning rate (min_lr) must be in [0, {lr}] (the initial rate), got {m}"
                ));
            }
            if self.lr_schedule != LrSchedule::Linear {
                return bad("a final learning rate (min_lr) needs the linear schedule".into());
            }
        }
        if let Some(s) = self.init_scale
            && !(s.is_finite() && s > 0.0 && s <= 1e3)
        {
            return bad(format!(
                "the initialisation scale must be in (0, 1000], got {s}"
            ));
        }
        if self.batch
            && (self.model != ModelKind::SkipGram || self.loss != LossKind::NegativeSampling)
        {
            return bad(
                "batch training (shared negatives) needs skip-gram with negative sampling \
                 (model sgns, loss ns)"
                    .into(),
            );
        }
        if self.skip_saturated && self.loss != LossKind::NegativeSampling {
            return bad("the saturated-pair rule (skip_saturated) applies to negative sampling only (loss ns)".into());
        }
        if self.max_vocab == Some(0) {
            return bad("max_vocab must be at least 1".into());
        }
        Ok(ValidConfig(self.clone()))
    }
}

/// A [`TrainConfig`] whose every parameter was checked
/// ([`TrainConfig::check`] is the only way to make one); it reads as the
/// configuration it holds.
#[derive(Debug, Clone)]
pub struct ValidConfig(TrainConfig);

impl ValidConfig {
    /// The configuration.
    pub fn get(&self) -> &TrainConfig {
        &self.0
    }

    /// The configuration, to change it (and check it again).
    pub fn into_inner(self) -> TrainConfig {
        self.0
    }

    /// The same configuration with other SIMD kernels (every level is valid).
    pub fn with_kernels(mut self, kernels: Kernels) -> ValidConfig {
        self.0.kernels = kernels;
        self
    }
}

impl std::ops::Deref for ValidConfig {
    type Target = TrainConfig;

    fn deref(&self) -> &TrainConfig {
        &self.0
    }
}
