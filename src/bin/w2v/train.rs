//! `w2v train`: word2vec.c's options, streamed training, word2vec output.

use crate::progress::Reporter;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;
use w2v::train::{Reference, TraceConfig, TracePoint, Tracing};
use w2v::{
    Corpus, Embeddings, Format, Kernels, Level, LossKind, LrSchedule, ModelKind, Result,
    TrainConfig, Vocab,
};

#[derive(Clone, Copy, ValueEnum)]
pub enum ModelArg {
    /// Skip-gram with the chosen loss.
    #[value(alias = "sg", alias = "skipgram")]
    Sgns,
    /// Continuous bag of words.
    Cbow,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LossArg {
    /// Negative sampling.
    Ns,
    /// Hierarchical softmax.
    Hs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ScheduleArg {
    /// word2vec.c's: linear decay to lr x 1e-4.
    Linear,
    /// The same rate throughout.
    Constant,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// word2vec binary (word2vec.c -binary 1).
    Bin,
    /// word2vec text (word2vec.c -binary 0).
    Text,
    /// w2v's native format, opened by mmap (`w2v convert` turns it into the others).
    Native,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Bin => Format::Binary,
            FormatArg::Text => Format::Text,
            FormatArg::Native => Format::Native,
        }
    }
}

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
    #[arg(long, value_enum, default_value = "bin")]
    format: FormatArg,
    /// Architecture (word2vec.c's default is CBOW).
    #[arg(long, value_enum, default_value = "cbow")]
    model: ModelArg,
    /// Output layer: negative sampling or hierarchical softmax.
    #[arg(long, value_enum, default_value = "ns")]
    loss: LossArg,
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
    /// Initial learning rate [default: 0.05 for cbow, 0.025 for sgns]; decays linearly to lr * 1e-4.
    #[arg(long, alias = "alpha", allow_negative_numbers = true)]
    lr: Option<f32>,
    /// Worker threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// Random seed (with --threads 1 the output is byte-identical run to run).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// CBOW: sum the context vectors instead of averaging them.
    #[arg(long)]
    cbow_sum: bool,
    /// Learning-rate schedule.
    #[arg(long, value_enum, default_value = "linear")]
    lr_schedule: ScheduleArg,
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
    /// `--trace-every`.
    pub fn trace_every(&self) -> u64 {
        self.trace_every
    }

    /// `--trace-k`.
    pub fn trace_k(&self) -> usize {
        self.trace_k
    }

    /// `--reference`.
    pub fn reference_path(&self) -> Option<&std::path::Path> {
        self.reference.as_deref()
    }

    /// The training configuration; the SIMD level is `--simd`, else
    /// `W2V_SIMD`, else the default.
    fn config(&self) -> Result<TrainConfig> {
        let defaults = TrainConfig::default();
        let kernels = match self.simd {
            Some(level) => Kernels::new(level)?,
            None => Kernels::from_env()?,
        };
        Ok(TrainConfig {
            model: match self.model {
                ModelArg::Sgns => ModelKind::SkipGram,
                ModelArg::Cbow => ModelKind::Cbow,
            },
            loss: match self.loss {
                LossArg::Ns => LossKind::NegativeSampling,
                LossArg::Hs => LossKind::HierarchicalSoftmax,
            },
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
            lr_schedule: match self.lr_schedule {
                ScheduleArg::Linear => LrSchedule::Linear,
                ScheduleArg::Constant => LrSchedule::Constant,
            },
            init_scale: self.init_scale,
            kernels,
        })
    }
}

pub fn run(args: TrainArgs) -> Result<()> {
    let config = args.config()?;
    config.check()?;
    // Every path before any work: the output, the vocabulary to save, the trace.
    crate::check_model_output(&args.output, args.format.into())?;
    if let Some(path) = &args.save_vocab {
        crate::check_output(path)?;
    }
    let corpus = Corpus::file(&args.input)?;
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
    let (emb, mut stats) = match &args.trace {
        None => w2v::train_with_vocab(&corpus, vocab, &config, &progress)?,
        Some(path) => {
            let trace = TraceConfig {
                every: args.trace_every,
                k: args.trace_k,
                rows: Vec::new(),
            };
            let reference = match &reference {
                Some(r) => Some(Reference::new(r, &vocab, config.dim.min(r.dim()))?),
                None => None,
            };
            let header = crate::trace_file::header(&args, &config, &vocab, reference.as_ref());
            let mut points: Vec<TracePoint> = Vec::new();
            let mut sink = |p: TracePoint| points.push(p);
            let tracing = Tracing {
                config: &trace,
                reference: reference.as_ref(),
                sink: &mut sink,
            };
            let r = w2v::train::train_traced(&corpus, vocab, &config, &progress, tracing)?;
            crate::trace_file::write(path, &header, &points)?;
            r
        }
    };
    stats.vocab_seconds = vocab_seconds;
    reporter.finish();
    crate::save_model(&emb, &args.output, args.format.into())?;
    if !args.quiet {
        eprintln!(
            "trained {} words x {} in {:.2}s: {:.0} words/s, final loss {:.4}, SIMD {}, {}; wrote {}",
            stats.corpus_words,
            w2v::error::plural(config.epochs as u64, "epoch"),
            stats.train_seconds,
            stats.words_per_sec,
            stats.final_loss,
            stats.simd_level,
            w2v::error::plural(stats.threads as u64, "thread"),
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
            serde_json::to_string_pretty(&stats).expect("serialisable")
        );
    }
    Ok(())
}
