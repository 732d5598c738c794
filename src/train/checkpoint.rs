//! Checkpoints and resume: a run of hours is never lost to a crash.
//!
//! With checkpoints every `N` words ([`Checkpointing`]), training stops at
//! checkpoint boundaries, at the end of a sentence, and hands a copy of
//! everything the rest of the run depends on to a writer thread, which
//! passes it to the caller's sink (the CLI writes it with
//! [`crate::format::checkpoint::write`], atomically):
//!
//! * the vocabulary (words and counts) and the configuration;
//! * both weight matrices, `syn0` and `syn1`;
//! * where the run stands: the published word count, each worker's epoch,
//!   the byte position of its reader in its range, its learning rate, its
//!   pending (unpublished) words and its loss sums, and the finished epochs'
//!   loss;
//! * the corpus's [`Fingerprint`], so that a resume on another file is
//!   refused.
//!
//! [`Resume::new`] checks a checkpoint read back against the corpus, and
//! [`Trainer::resume`](super::Trainer::resume) goes on with the same schedule and counters.
//!
//! # Random state
//!
//! `rand`'s `SmallRng` cannot be saved portably, so no generator state is
//! stored. Instead, at every checkpoint boundary each worker's generator is
//! re-seeded from `(seed, thread, words)`, `words` the corpus words read by
//! all threads at the boundary, and the negatives it had drawn ahead are
//! drawn afresh. An uninterrupted run with checkpoints does exactly this at
//! every boundary, and a resumed run does it once more on start, so:
//!
//! * with **one thread** boundaries fall at the same words on every run (the
//!   first sentence end at or past each multiple of `N`), and a resumed run
//!   learns byte for byte what the uninterrupted run with the same `N`
//!   learns (same build and SIMD level: a different `rand`'s `SmallRng` or
//!   another level's rounding gives another, equally valid, run);
//! * with **several threads** the calling thread asks every worker to pause
//!   at its next sentence end, copies the matrices while they wait, and lets
//!   them go on. Hogwild interleaving is not reproducible anyway: a resumed
//!   run continues correctly (same counters, schedule and positions) but
//!   need not match an uninterrupted one;
//! * a run **without** checkpoints never re-seeds: its output is what it
//!   always was. A run with checkpoints differs from one without, by the
//!   random draws after the first boundary.
//!
//! The worker side allocates nothing: the copy goes into buffers made
//! before training, and the writer thread does the rest.

mod handoff;

pub(crate) use handoff::{Pause, Saver, Snapshot};

use super::config::{LossKind, LrSchedule, ModelKind, TrainConfig, ValidConfig};
use crate::error::{Error, ErrorKind, Result};
pub use crate::format::checkpoint::CheckpointParts;
use crate::format::checkpoint::{
    Checkpoint, ConfigRecord, EpochLoss, FLAG_BATCH, FLAG_SKIP_SATURATED, RunRecord, WorkerRecord,
};
use crate::kinds::Named;
use crate::simd::{Kernels, Level};
use crate::text::corpus::Fingerprint;
use crate::text::{Corpus, Vocab};
use rand::{SeedableRng, rngs::SmallRng};

/// Receives each checkpoint, on a thread other than the workers' (the CLI
/// writes it with [`crate::format::checkpoint::write`]).
pub type CheckpointSink<'a> = dyn FnMut(&CheckpointParts<'_>) -> Result<()> + Send + 'a;

/// Where checkpoints go and how often.
pub struct Checkpointing<'a> {
    /// Words (all threads, all epochs) between checkpoints.
    pub every: u64,
    /// Receives each checkpoint, on a thread other than the workers'. An
    /// error stops training and is returned (the previous checkpoint, if
    /// the sink wrote one, stays valid).
    pub sink: &'a mut CheckpointSink<'a>,
}

/// A run to continue: a checkpoint, checked against its corpus.
#[derive(Debug)]
pub struct Resume {
    config: ValidConfig,
    vocab: Vocab,
    every: u64,
    corpus_name: String,
    fingerprint: Fingerprint,
    level: Option<Level>,
    pub(crate) start: Start,
}

/// The state a resumed run starts from.
#[derive(Debug)]
pub(crate) struct Start {
    pub syn0: Vec<f32>,
    pub syn1: Vec<f32>,
    /// Words read by all threads at the checkpoint (the re-seeding key).
    pub words: u64,
    /// The published word count.
    pub words_done: u64,
    pub workers: Vec<WorkerRecord>,
    pub epoch_loss: Vec<EpochLoss>,
    pub seconds: f64,
}

/// The generator of worker `thread` after the checkpoint boundary at
/// `words` words (see the module docs): the three numbers mixed by
/// SplitMix64 steps, then `SmallRng::seed_from_u64`.
pub(crate) fn boundary_rng(seed: u64, thread: usize, words: u64) -> SmallRng {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    SmallRng::seed_from_u64(mix(mix(mix(seed) ^ thread as u64) ^ words))
}

/// A snapshot as the parts of a checkpoint file: the run's configuration
/// `config`, the corpus's fingerprint `fp` and `name`, and its `vocab`.
pub(crate) fn parts<'p>(
    config: ConfigRecord,
    fp: Fingerprint,
    name: &'p str,
    vocab: &'p Vocab,
    dim: usize,
    snap: &'p Snapshot,
) -> CheckpointParts<'p> {
    CheckpointParts {
        config,
        run: RunRecord {
            words: snap.words,
            words_done: snap.words_done,
            corpus_len: fp.len,
            corpus_head_crc: fp.head_crc,
            corpus_tail_crc: fp.tail_crc,
            seconds: snap.seconds,
        },
        corpus_name: name,
        workers: &snap.workers,
        epoch_loss: &snap.epoch_loss,
        words: vocab.words(),
        counts: vocab.counts(),
        dim,
        syn0: &snap.syn0,
        syn1: &snap.syn1,
    }
}

/// The configuration `c`, with checkpoints every `every` words, as a record.
pub(crate) fn config_record(c: &TrainConfig, every: u64) -> ConfigRecord {
    ConfigRecord {
        model: c.model.code(),
        loss: c.loss.code(),
        dim: c.dim as u64,
        window: c.window as u64,
        negative: c.negative as u64,
        sample: c.sample,
        min_count: c.min_count,
        max_vocab: c.max_vocab.map_or(0, |m| m as u64),
        epochs: c.epochs as u64,
        threads: c.threads as u64,
        seed: c.seed,
        checkpoint_every: every,
        lr: c.learning_rate(),
        // The schedule's code, and 2 for a linear decay that ends above 0.
        lr_schedule: match c.lr_schedule {
            LrSchedule::Linear if c.final_learning_rate() != 0.0 => LINEAR_TO_MIN_LR,
            s => s.code(),
        },
        init_scale: c.init_scale.unwrap_or(0.0),
        cbow_mean: c.cbow_mean as u32,
        simd_level: Level::ALL
            .iter()
            .position(|&l| l == c.kernels.level())
            .unwrap_or(0) as u32,
        flags: if c.batch { FLAG_BATCH } else { 0 }
            | if c.skip_saturated {
                FLAG_SKIP_SATURATED
            } else {
                0
            },
        min_lr: match c.lr_schedule {
            LrSchedule::Linear => c.final_learning_rate(),
            LrSchedule::Constant => 0.0,
        },
        reserved: 0,
    }
}

/// The schedule code of a linear decay to a final rate above 0 (after
/// [`LrSchedule`]'s own codes: linear to 0 is 0, constant 1).
const LINEAR_TO_MIN_LR: u32 = 2;

/// The configuration a record holds, with `kernels`; a code out of range
/// is a format error.
fn config_of(r: &ConfigRecord, kernels: Kernels) -> Result<TrainConfig> {
    let bad = |what: &str, code: u64| Error::format(format!("unknown {what} code {code}"));
    let size = |x: u64, what: &str| usize::try_from(x).map_err(|_| bad(what, x));
    Ok(TrainConfig {
        model: ModelKind::from_code(r.model).ok_or_else(|| bad("model", r.model as u64))?,
        loss: LossKind::from_code(r.loss).ok_or_else(|| bad("loss", r.loss as u64))?,
        dim: size(r.dim, "dimension")?,
        window: size(r.window, "window")?,
        negative: size(r.negative, "negative")?,
        sample: r.sample,
        min_count: r.min_count,
        max_vocab: match r.max_vocab {
            0 => None,
            m => Some(size(m, "max-vocab")?),
        },
        epochs: size(r.epochs, "epochs")?,
        lr: Some(r.lr),
        threads: size(r.threads, "threads")?,
        seed: r.seed,
        cbow_mean: match r.cbow_mean {
            0 => false,
            1 => true,
            c => return Err(bad("cbow-mean", c as u64)),
        },
        lr_schedule: match r.lr_schedule {
            LINEAR_TO_MIN_LR => LrSchedule::Linear,
            s => LrSchedule::from_code(s).ok_or_else(|| bad("schedule", s as u64))?,
        },
        // Earlier files have schedule 0 and no `min_lr` (read as 0):
        // word2vec.c's schedule, as they were trained.
        min_lr: match LrSchedule::from_code(r.lr_schedule) {
            Some(LrSchedule::Constant) => None,
            _ => Some(r.min_lr),
        },
        init_scale: (r.init_scale != 0.0).then_some(r.init_scale),
        batch: match r.flags & !(FLAG_BATCH | FLAG_SKIP_SATURATED) {
            0 => r.flags & FLAG_BATCH != 0,
            f => return Err(bad("flag", f as u64)),
        },
        skip_saturated: r.flags & FLAG_SKIP_SATURATED != 0,
        kernels,
    })
}

/// What differs between the corpus a checkpoint was made on (`name`, `want`)
/// and `corpus`, if anything.
fn corpus_difference(name: &str, want: Fingerprint, corpus: &Corpus) -> Result<Option<String>> {
    let got = corpus.fingerprint()?;
    let (now, span) = (corpus.name(), crate::text::corpus::FINGERPRINT_SPAN >> 20);
    Ok(if got.len != want.len {
        Some(format!(
            "the checkpoint was made on `{name}` ({} bytes); `{now}` has {} bytes: resume with the same corpus",
            want.len, got.len
        ))
    } else if got.head_crc != want.head_crc {
        Some(format!(
            "the checkpoint was made on `{name}`; `{now}` has its length ({} bytes) but its first {span} MiB differ: resume with the same corpus",
            want.len
        ))
    } else if got.tail_crc != want.tail_crc {
        Some(format!(
            "the checkpoint was made on `{name}`; `{now}` has its length ({} bytes) but its last {span} MiB differ: resume with the same corpus",
            want.len
        ))
    } else {
        None
    })
}

impl Resume {
    /// Check `ck` (read by [`crate::format::checkpoint::read`]) and `corpus`,
    /// the corpus it was made on: the configuration is valid, the vocabulary
    /// sorted, the matrices of the right size, the corpus has the recorded
    /// fingerprint (an [`ErrorKind::InvalidArgument`] error naming the
    /// difference) and byte ranges, and every worker's position lies in its
    /// range (otherwise [`ErrorKind::Format`]). `kernels` is the SIMD level
    /// to go on at.
    pub fn new(ck: Checkpoint, corpus: &Corpus, kernels: Kernels) -> Result<Resume> {
        let bad = |m: String| Error::format(format!("the checkpoint {m}"));
        let r = &ck.config;
        let config = config_of(r, kernels).map_err(|e| bad(format!("is corrupt: {e}")))?;
        let config = config
            .check()
            .map_err(|e| bad(format!("holds an invalid configuration: {e}")))?;
        if r.checkpoint_every == 0 {
            return Err(bad("has a checkpoint interval of 0 words".into()));
        }
        let v = ck.words.len();
        let pairs = ck.words.iter().cloned().zip(ck.counts.iter().copied());
        let vocab = Vocab::from_counts(pairs, 1, None);
        // A word never holds a separator (the space, a control byte): the
        // model built at the end would refuse it.
        let separator = |w: &str| w.bytes().any(|b| b <= b' ' || b == 0x7f);
        if vocab.len() != v
            || vocab.words() != &ck.words[..]
            || ck.words.iter().any(|w| separator(w))
        {
            return Err(bad(
                "holds a vocabulary that is not sorted by count, or has a zero count, a repeated word or a word holding a separator (a space or a control byte)"
                    .into(),
            ));
        }
        let rows = super::parts::output_rows(config.loss, v);
        if ck.syn0.len() != v * config.dim || ck.syn1.len() != rows * config.dim {
            return Err(bad(format!(
                "has matrices of {} and {} floats; {v} words need {} and {}",
                ck.syn0.len(),
                ck.syn1.len(),
                v * config.dim,
                rows * config.dim
            )));
        }
        let run = ck.run;
        let fingerprint = Fingerprint {
            len: run.corpus_len,
            head_crc: run.corpus_head_crc,
            tail_crc: run.corpus_tail_crc,
        };
        if let Some(m) = corpus_difference(&ck.corpus_name, fingerprint, corpus)? {
            return Err(Error::invalid(m));
        }
        let ranges = corpus.ranges(config.threads)?;
        let mut pending = 0u64;
        for (t, (w, &(start, end))) in ck.workers.iter().zip(&ranges).enumerate() {
            let finished = w.finished == 1 && w.epoch == config.epochs as u64;
            let running = w.finished == 0
                && w.epoch < config.epochs as u64
                && w.position >= start.saturating_sub(1)
                && w.position <= run.corpus_len
                && w.lr.is_finite()
                && w.lr > 0.0
                && w.loss_sum.is_finite()
                && w.done_sum.is_finite();
            if (w.range_start, w.range_end) != (start, end) || !(finished || running) {
                return Err(bad(format!(
                    "records an impossible state for thread {t} (range {}..{}, epoch {}, position {})",
                    w.range_start, w.range_end, w.epoch, w.position
                )));
            }
            pending = pending.saturating_add(w.pending_words);
        }
        if run.words_done.checked_add(pending) != Some(run.words)
            || !(run.seconds.is_finite() && run.seconds >= 0.0)
        {
            return Err(bad(format!(
                "counts {} words done, {} published and {pending} pending",
                run.words, run.words_done
            )));
        }
        let level = Level::ALL.get(r.simd_level as usize).copied();
        Ok(Resume {
            config,
            vocab,
            every: r.checkpoint_every,
            corpus_name: ck.corpus_name,
            fingerprint,
            level,
            start: Start {
                syn0: ck.syn0,
                syn1: ck.syn1,
                words: run.words,
                words_done: run.words_done,
                workers: ck.workers,
                epoch_loss: ck.epoch_loss,
                seconds: run.seconds,
            },
        })
    }

    /// The run's configuration (with the SIMD level given to [`Resume::new`]).
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The run's configuration, as checked when the checkpoint was read.
    pub fn valid_config(&self) -> &ValidConfig {
        &self.config
    }

    /// The run's vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Words between checkpoints (the run's boundaries: a resumed run keeps them).
    pub fn checkpoint_every(&self) -> u64 {
        self.every
    }

    /// Corpus words read by all threads when the checkpoint was taken.
    pub fn words(&self) -> u64 {
        self.start.words
    }

    /// Words the whole run reads (every epoch).
    pub fn total_words(&self) -> u64 {
        self.vocab.total() * self.config.epochs as u64
    }

    /// The epoch the slowest thread was in (0-based).
    pub fn epoch(&self) -> usize {
        let e = self.start.workers.iter().map(|w| w.epoch).min();
        e.unwrap_or(0).min(self.config.epochs as u64 - 1) as usize
    }

    /// Seconds of training before the checkpoint.
    pub fn seconds(&self) -> f64 {
        self.start.seconds
    }

    /// The name of the corpus the checkpoint was made on.
    pub fn corpus_name(&self) -> &str {
        &self.corpus_name
    }

    /// The SIMD level the checkpointed run trained at.
    pub fn level(&self) -> Option<Level> {
        self.level
    }

    /// The configuration, the vocabulary and the state to start from.
    pub(crate) fn into_parts(self) -> (ValidConfig, Vocab, Start) {
        (self.config, self.vocab, self.start)
    }

    /// Check that `corpus` is still the one the checkpoint was made on.
    pub(crate) fn check_corpus(&self, corpus: &Corpus) -> Result<()> {
        match corpus_difference(&self.corpus_name, self.fingerprint, corpus)? {
            Some(m) => Err(Error::new(ErrorKind::InvalidArgument, m)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn configurations_round_trip() {
        let c = TrainConfig {
            model: ModelKind::SkipGram,
            loss: LossKind::HierarchicalSoftmax,
            dim: 7,
            max_vocab: Some(30),
            lr: Some(0.125),
            threads: 3,
            cbow_mean: false,
            lr_schedule: LrSchedule::Constant,
            init_scale: Some(1e-3),
            batch: true,
            skip_saturated: true,
            ..TrainConfig::default()
        };
        let r = config_record(&c, 99);
        let back = config_of(&r, c.kernels).unwrap();
        assert_eq!(config_record(&back, 99), r);
        assert_eq!(back.max_vocab, Some(30));
        assert_eq!(back.init_scale, Some(1e-3));
        assert!(back.batch && back.skip_saturated);
        let e = config_of(&ConfigRecord { flags: 4, ..r }, c.kernels).unwrap_err();
        assert!(e.to_string().contains("flag code 4"), "{e}");
        let e = config_of(&ConfigRecord { model: 5, ..r }, c.kernels).unwrap_err();
        assert!(e.to_string().contains("model code 5"), "{e}");
    }

    /// A checkpoint at the start of a one-thread run over `corpus`.
    fn at_start(corpus: &Corpus, words: &[&str]) -> Checkpoint {
        let c = TrainConfig {
            dim: 2,
            threads: 1,
            epochs: 1,
            min_count: 1,
            ..TrainConfig::default()
        };
        let fp = corpus.fingerprint().unwrap();
        let v = words.len();
        Checkpoint {
            config: config_record(&c, 10),
            run: RunRecord {
                corpus_len: fp.len,
                corpus_head_crc: fp.head_crc,
                corpus_tail_crc: fp.tail_crc,
                ..bytemuck::Zeroable::zeroed()
            },
            corpus_name: corpus.name(),
            workers: vec![WorkerRecord {
                range_end: fp.len,
                lr: 0.025,
                ..bytemuck::Zeroable::zeroed()
            }],
            epoch_loss: vec![EpochLoss::default()],
            words: words.iter().map(|&w| w.into()).collect(),
            counts: (0..v as u64).map(|i| v as u64 - i).collect(),
            dim: 2,
            syn0: vec![0.0; 2 * v],
            syn1: vec![0.0; 2 * v],
        }
    }

    #[test]
    fn a_word_holding_a_separator_is_refused() {
        let corpus = Corpus::bytes(b"the cat the\n".to_vec());
        let k = Kernels::best();
        Resume::new(at_start(&corpus, &["the", "cat"]), &corpus, k).unwrap();
        for bad in ["c t", "c\tt", "c\0t", "c\x7ft"] {
            let e = Resume::new(at_start(&corpus, &["the", bad]), &corpus, k).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Format, "{bad:?}");
            assert!(e.to_string().contains("vocabulary"), "{e}");
        }
    }

    #[test]
    fn boundary_generators_differ_by_every_input() {
        let first = |s, t, w| boundary_rng(s, t, w).next_u64();
        let a = first(1, 0, 1000);
        assert_eq!(a, first(1, 0, 1000));
        assert_ne!(a, first(2, 0, 1000));
        assert_ne!(a, first(1, 1, 1000));
        assert_ne!(a, first(1, 0, 1001));
    }
}
