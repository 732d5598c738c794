//! `w2v train`: word2vec.c's options, streamed training, word2vec output;
//! checkpoints (`--checkpoint F --checkpoint-every N`) and resuming from one
//! (`--resume F`).

use crate::progress::Reporter;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;
use w2v::format::checkpoint;
use w2v::format::trace::six_digits;
use w2v::train::{
    CheckpointParts, Checkpointing, Input, Reference, Resume, TraceConfig, TracePoint, Tracing,
    Trainer,
};
use w2v::{
    Corpus, Embeddings, Error, Format, Kernels, Level, LossKind, LrSchedule, ModelKind, Result,
    TrainConfig, TrainStats, Vocab,
};

/// Options shared by `train` and anything else that trains.
#[derive(Args)]
pub struct TrainArgs {
    /// Training text: whitespace-separated tokens; a newline ends a sentence.
    #[arg(long, short = 'i', alias = "train")]
    input: PathBuf,
    /// Where to write the vectors.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Output format.
    #[arg(long, value_parser = crate::choice::<Format>(), default_value = "bin")]
    format: Format,
    /// Architecture (word2vec.c's default is CBOW).
    #[arg(long, value_parser = crate::choice::<ModelKind>(), default_value = "cbow")]
    model: ModelKind,
    /// Output layer: negative sampling or hierarchical softmax.
    #[arg(long, value_parser = crate::choice::<LossKind>(), default_value = "ns")]
    loss: LossKind,
    /// Vector dimension.
    #[arg(long, alias = "size", default_value_t = 100)]
    dim: usize,
    /// Maximum context radius (a radius in 1..=window is drawn per word).
    #[arg(long, default_value_t = 5)]
    window: usize,
    /// Negative samples per positive example.
    #[arg(long, default_value_t = 5)]
    negative: usize,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = 1e-3, allow_negative_numbers = true)]
    sample: f64,
    /// Drop words seen fewer times.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words (the most frequent); pruned while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Passes over the corpus.
    #[arg(long, alias = "iter", default_value_t = 5)]
    epochs: usize,
    /// Initial learning rate [default: 0.05 for cbow, 0.025 for sgns]; decays linearly to --min-lr.
    #[arg(long, alias = "alpha", allow_negative_numbers = true)]
    lr: Option<f32>,
    /// The rate the linear decay ends at, on the last word (gensim's min_alpha): the rate is
    /// lr - (lr - min-lr) x progress, never below lr x 1e-4 [default: 0.2 x lr for cbow, 0 for
    /// sgns]; 0 is word2vec.c's schedule.
    #[arg(long, alias = "min-alpha", allow_negative_numbers = true)]
    min_lr: Option<f32>,
    /// Worker threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// Random seed (with --threads 1 the output is byte-identical run to run).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// CBOW: sum the context vectors instead of averaging them.
    #[arg(long)]
    cbow_sum: bool,
    /// Skip-gram with negative sampling: share one draw of negatives among a
    /// window's context words and update the window as small matrix products
    /// (pWord2Vec); faster on long vectors. Not word2vec.c's update.
    #[arg(long)]
    batch: bool,
    /// Negative sampling: give no update to a pair whose score is beyond +-6 (gensim 4.4's
    /// rule); by default such a pair gets the full update, as in word2vec.c.
    #[arg(long)]
    skip_saturated: bool,
    /// Learning-rate schedule.
    #[arg(long, value_parser = crate::choice::<LrSchedule>(), default_value = "linear")]
    lr_schedule: LrSchedule,
    /// Start from small vectors: input and output uniform in S x (-0.5, 0.5) / dim
    /// (default: word2vec.c's, input S = 1 and output 0).
    #[arg(long)]
    init_scale: Option<f32>,
    /// Write a training trace here (JSON lines: singular values, loss, overlaps; `w2v plot trace`).
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Words between trace points.
    #[arg(long, default_value_t = 1_000_000, requires = "trace")]
    trace_every: u64,
    /// Singular values per trace point.
    #[arg(long, default_value_t = 10, requires = "trace")]
    trace_k: usize,
    /// A model (e.g. from `w2v spectral`) whose top subspaces the trace compares with.
    #[arg(long, requires = "trace")]
    reference: Option<PathBuf>,
    /// Write the vocabulary (`word count` lines) here.
    #[arg(long)]
    save_vocab: Option<PathBuf>,
    /// Read the vocabulary from here instead of counting it.
    #[arg(long)]
    read_vocab: Option<PathBuf>,
    /// Write a checkpoint here every --checkpoint-every words: the vocabulary,
    /// configuration, both weight matrices and each thread's position,
    /// replaced atomically (a killed run leaves the previous checkpoint
    /// whole). With --resume: where further checkpoints go [default: the
    /// resumed file].
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Words (all threads, all epochs) between checkpoints. With --threads 1
    /// a resumed run ends byte for byte where the uninterrupted run with the
    /// same interval ends (checkpoints re-seed the random draws at each one,
    /// so such a run differs from a run without checkpoints).
    #[arg(long, value_name = "N")]
    checkpoint_every: Option<u64>,
    /// Continue the run checkpointed in FILE: its configuration, vocabulary,
    /// schedule and counters (give the same corpus with -i; an option that
    /// contradicts the checkpoint is an error, before any work).
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// Force a SIMD level (default: W2V_SIMD, else the best for this CPU).
    #[arg(long)]
    simd: Option<Level>,
    /// No progress output.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Print a JSON summary on stdout at the end.
    #[arg(long)]
    json: bool,
}

impl TrainArgs {
    /// The training configuration; the SIMD level is `--simd`, else
    /// `W2V_SIMD`, else the default.
    fn config(&self) -> Result<TrainConfig> {
        let defaults = TrainConfig::default();
        let kernels = match self.simd {
            Some(level) => Kernels::new(level)?,
            None => Kernels::from_env()?,
        };
        Ok(TrainConfig {
            model: self.model,
            loss: self.loss,
            dim: self.dim,
            window: self.window,
            negative: self.negative,
            sample: self.sample,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            epochs: self.epochs,
            lr: self.lr,
            threads: self.threads.unwrap_or(defaults.threads),
            seed: self.seed,
            cbow_mean: !self.cbow_sum,
            lr_schedule: self.lr_schedule,
            min_lr: self.min_lr,
            init_scale: self.init_scale,
            batch: self.batch,
            skip_saturated: self.skip_saturated,
            kernels,
        })
    }
}

/// Whether `a` and `b`, the files saves of them land on (links followed,
/// folders existing), are the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    let full = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok()?;
        Some(dir.join(p.file_name()?))
    };
    a == b || full(a).is_some_and(|x| Some(x) == full(b))
}

pub fn run(args: TrainArgs, given: &dyn Fn(&str) -> bool) -> Result<()> {
    // Every path before any work (counting, reading a checkpoint): the
    // output, the checkpoint, the vocabulary to save (the trace below).
    crate::check_model_output(&args.output, args.format)?;
    let checkpoint_path = args.checkpoint.as_ref().or(args.resume.as_ref());
    if let Some(path) = checkpoint_path {
        let target = w2v::format::atomic::check_writable(path)?;
        let output = (args.output.as_os_str() != "-")
            .then(|| w2v::format::atomic::resolve_target(&args.output))
            .transpose()?;
        if output.is_some_and(|o| same_file(&target, &o)) {
            return Err(Error::invalid(format!(
                "the checkpoint `{}` and the output are the same file",
                path.display()
            )));
        }
    }
    if let Some(path) = &args.save_vocab {
        crate::check_output(path)?;
    }
    if args.resume.is_none() {
        match (&args.checkpoint, args.checkpoint_every) {
            (Some(_), None) => {
                return Err(Error::invalid(
                    "--checkpoint needs --checkpoint-every N (words between checkpoints)",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "--checkpoint-every needs --checkpoint FILE (or --resume FILE)",
                ));
            }
            _ => {}
        }
    }
    if args.checkpoint_every == Some(0) {
        return Err(Error::invalid("--checkpoint-every must be at least 1 word"));
    }
    let corpus = Corpus::file(&args.input)?;
    if let Some(path) = &args.resume {
        return resume(&args, path, &corpus, given);
    }
    let config = args.config()?.check()?;
    if let Some(path) = args.checkpoint.as_ref().filter(|p| p.exists())
        && !args.quiet
    {
        eprintln!(
            "note: `{0}` exists; this new run replaces it at its first checkpoint (to continue the run it holds: --resume {0})",
            path.display()
        );
    }
    let reference = match &args.reference {
        Some(path) => Some(Embeddings::load(path)?),
        None => None,
    };
    if let Some(path) = &args.trace {
        crate::check_output(path)?;
        TraceConfig {
            every: args.trace_every,
            k: args.trace_k,
            rows: Vec::new(),
        }
        .check(config.dim, usize::MAX)?;
    }
    let t = Instant::now();
    let vocab = match &args.read_vocab {
        Some(path) => Vocab::read(path, config.min_count, config.max_vocab)?,
        None => Vocab::count(&corpus, config.min_count, config.max_vocab)?,
    };
    let vocab_seconds = t.elapsed().as_secs_f64();
    if let Some(path) = &args.save_vocab {
        vocab.save(path)?;
    }
    let reporter = Reporter::new(args.quiet, config.epochs);
    if !args.quiet {
        reporter.line(&format!(
            "vocabulary: {} words, {} corpus words ({:.1}s){}",
            vocab.len(),
            vocab.total(),
            vocab_seconds,
            match vocab.skipped_long() {
                0 => String::new(),
                n => format!(
                    "; {} over {} bytes skipped",
                    w2v::error::plural(n, "token"),
                    w2v::text::corpus::MAX_TOKEN_BYTES
                ),
            }
        ));
    }
    let progress = |p: &w2v::Progress| reporter.update(p);
    let trace = TraceConfig {
        every: args.trace_every,
        k: args.trace_k,
        rows: Vec::new(),
    };
    let reference = match (&reference, &args.trace) {
        (Some(r), Some(_)) => Some(Reference::new(r, &vocab, config.dim.min(r.dim()))?),
        _ => None,
    };
    let header = args.trace.as_ref().map(|_| {
        let r = reference.as_ref().map(|r| (r, args.reference.as_deref()));
        w2v::train::trace::header(&config, &vocab, &trace, r)
    });
    let mut points: Vec<TracePoint> = Vec::new();
    let mut trace_sink = |p: TracePoint| points.push(p);
    let mut checkpoint_sink = |p: &CheckpointParts<'_>| match &args.checkpoint {
        Some(path) => checkpoint::write(path, p),
        None => Ok(()),
    };
    let mut trainer = Trainer::new(config.clone())
        .vocab(vocab)
        .progress(&progress);
    if args.trace.is_some() {
        trainer = trainer.tracing(Tracing {
            config: &trace,
            reference: reference.as_ref(),
            sink: &mut trace_sink,
        });
    }
    if let Some(every) = args.checkpoint_every {
        trainer = trainer.checkpoints(Checkpointing {
            every,
            sink: &mut checkpoint_sink,
        });
    }
    let trained = trainer.train(Input::Corpus(&corpus))?;
    let (emb, mut stats) = (trained.embeddings, trained.stats);
    if let (Some(path), Some(header)) = (&args.trace, &header) {
        let records: Vec<_> = points.iter().map(TracePoint::record).collect();
        w2v::format::trace::write(path, header, &records)?;
    }
    stats.vocab_seconds = vocab_seconds;
    reporter.finish();
    finish(&args, &config, &emb, &stats)
}

/// Save the vectors and report.
fn finish(
    args: &TrainArgs,
    config: &TrainConfig,
    emb: &Embeddings,
    stats: &TrainStats,
) -> Result<()> {
    crate::save_model(emb, &args.output, args.format)?;
    if !args.quiet {
        eprintln!(
            "trained {} words x {} in {:.2}s: {:.0} words/s, final loss {:.4}, SIMD {}, {}{}{}{}; wrote {}",
            stats.corpus_words,
            w2v::error::plural(config.epochs as u64, "epoch"),
            stats.train_seconds,
            stats.words_per_sec,
            stats.final_loss,
            stats.simd_level,
            w2v::error::plural(stats.threads as u64, "thread"),
            if config.batch {
                ", batch update (shared negatives)"
            } else {
                ""
            },
            if config.skip_saturated {
                ", saturated pairs skipped"
            } else {
                ""
            },
            match config.final_learning_rate() {
                m if m > 0.0 && config.lr_schedule == LrSchedule::Linear => {
                    let m = six_digits(m);
                    format!(", lr {} decayed to {m}", config.learning_rate())
                }
                _ => String::new(),
            },
            if args.output.as_os_str() == "-" {
                "to standard output".to_string()
            } else {
                args.output.display().to_string()
            }
        );
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(stats).expect("serialisable")
        );
    }
    Ok(())
}

/// `--resume FILE`: the configuration and vocabulary come from the
/// checkpoint; options given on the command line must agree with it.
fn resume(
    args: &TrainArgs,
    path: &Path,
    corpus: &Corpus,
    given: &dyn Fn(&str) -> bool,
) -> Result<()> {
    for (flag, set) in [
        ("--read-vocab", args.read_vocab.is_some()),
        ("--trace", args.trace.is_some()),
    ] {
        if set {
            return Err(Error::invalid(format!(
                "{flag} cannot be combined with --resume (the vocabulary comes from the checkpoint, and a trace covers a whole run)"
            )));
        }
    }
    let mine = args.config()?;
    let ck = checkpoint::read(path)?;
    let from = Resume::new(ck, corpus, mine.kernels).map_err(|e| {
        Error::new(
            e.kind(),
            format!("cannot resume from `{}`: {e}", path.display()),
        )
    })?;
    contradictions(args, &mine, &from, given).map_err(|m| {
        Error::invalid(format!(
            "{m}: the configuration comes from the checkpoint `{}`; leave the option out or start a new run",
            path.display()
        ))
    })?;
    if let Some(p) = &args.save_vocab {
        from.vocab().save(p)?;
    }
    let config = from.config().clone();
    let out = args.checkpoint.as_deref().unwrap_or(path);
    let reporter = Reporter::new(args.quiet, config.epochs);
    if !args.quiet {
        reporter.line(&format!(
            "resuming `{}`: {} of {} words done (epoch {} of {}, {:.1}s of training so far); checkpoints every {} words to `{}`",
            path.display(),
            from.words(),
            from.total_words(),
            from.epoch() + 1,
            config.epochs,
            from.seconds(),
            from.checkpoint_every(),
            out.display()
        ));
        if let Some(level) = from.level().filter(|&l| l != config.kernels.level()) {
            reporter.line(&format!(
                "note: the checkpointed run trained at SIMD {level}, this one at {}: results differ by rounding from an uninterrupted run",
                config.kernels.level()
            ));
        }
    }
    let progress = |p: &w2v::Progress| reporter.update(p);
    let mut sink = |p: &CheckpointParts<'_>| checkpoint::write(out, p);
    let trained = Trainer::resume(from)
        .progress(&progress)
        .checkpoint_sink(&mut sink)
        .train(Input::Corpus(corpus))?;
    let (emb, stats) = (trained.embeddings, trained.stats);
    reporter.finish();
    finish(args, &config, &emb, &stats)
}

/// The first option given on the command line that differs from the
/// checkpoint's configuration, described.
fn contradictions(
    args: &TrainArgs,
    mine: &TrainConfig,
    from: &Resume,
    given: &dyn Fn(&str) -> bool,
) -> std::result::Result<(), String> {
    let c = from.config();
    let every = from.checkpoint_every();
    let opt = |x: Option<String>| x.unwrap_or_else(|| "none".into());
    let checks: [(&str, bool, String); 19] = [
        ("model", mine.model == c.model, c.model.to_string()),
        ("loss", mine.loss == c.loss, c.loss.to_string()),
        ("dim", mine.dim == c.dim, c.dim.to_string()),
        ("window", mine.window == c.window, c.window.to_string()),
        (
            "negative",
            mine.negative == c.negative,
            c.negative.to_string(),
        ),
        ("sample", mine.sample == c.sample, c.sample.to_string()),
        (
            "min_count",
            mine.min_count == c.min_count,
            c.min_count.to_string(),
        ),
        (
            "max_vocab",
            mine.max_vocab == c.max_vocab,
            opt(c.max_vocab.map(|m| m.to_string())),
        ),
        ("epochs", mine.epochs == c.epochs, c.epochs.to_string()),
        (
            "lr",
            mine.learning_rate() == c.learning_rate(),
            c.learning_rate().to_string(),
        ),
        ("threads", mine.threads == c.threads, c.threads.to_string()),
        ("seed", mine.seed == c.seed, c.seed.to_string()),
        (
            "cbow_sum",
            mine.cbow_mean == c.cbow_mean,
            format!("cbow-mean {}", c.cbow_mean),
        ),
        (
            "lr_schedule",
            mine.lr_schedule == c.lr_schedule,
            c.lr_schedule.to_string(),
        ),
        (
            "min_lr",
            mine.final_learning_rate() == c.final_learning_rate(),
            six_digits(c.final_learning_rate()).to_string(),
        ),
        (
            "init_scale",
            mine.init_scale == c.init_scale,
            opt(c.init_scale.map(|s| s.to_string())),
        ),
        ("batch", mine.batch == c.batch, c.batch.to_string()),
        (
            "skip_saturated",
            mine.skip_saturated == c.skip_saturated,
            c.skip_saturated.to_string(),
        ),
        (
            "checkpoint_every",
            args.checkpoint_every == Some(every),
            every.to_string(),
        ),
    ];
    for (id, same, theirs) in checks {
        if given(id) && !same {
            let flag = format!("--{}", id.replace('_', "-"));
            return Err(format!(
                "{flag} differs from the checkpoint's value ({theirs})"
            ));
        }
    }
    Ok(())
}
