//! The training checkpoint file: everything a word2vec run needs to go on
//! from where it stood, as `w2v train --checkpoint` writes it and
//! `w2v train --resume` reads it.
//!
//! # Layout (version 2, every integer and float little-endian)
//!
//! A [section container](super::sections) with the magic `\x93W2VCKP\n`,
//! version 2, and these sections (8-byte aligned; the matrices 64-byte
//! aligned):
//!
//! | section | contents |
//! |---|---|
//! | `meta` | one [`Meta`] (40 bytes): `V`, `D`, `R`, the number of threads `T` and of epochs `E` |
//! | `config` | one [`ConfigRecord`] (120 bytes; 112 in files written before `min_lr`): the training configuration |
//! | `run` | one [`RunRecord`] (40 bytes): words done, the corpus's fingerprint |
//! | `corpus` | the corpus's name (UTF-8), for messages |
//! | `workers` | one [`WorkerRecord`] (80 bytes) per thread: where it stands |
//! | `losses` | one [`EpochLoss`] (16 bytes) per epoch: finished workers' loss sums |
//! | `ends` | `u64` per word: the end of word `i` in `words` |
//! | `words` | the vocabulary's UTF-8 bytes, concatenated, most frequent first |
//! | `counts` | `u64` per word: its corpus count |
//! | `syn0` | `V x D` `f32`, row-major: the input vectors |
//! | `syn1` | `R x D` `f32`, row-major: the output vectors (`R = V` for negative sampling, `V - 1` for hierarchical softmax) |
//!
//! Version 1 (a fixed 264-byte header listing the same sections but `meta`
//! by position; see [`super::legacy`]) is still read.
//!
//! The records are plain numbers; their codes (model, loss, schedule, SIMD
//! level) are listed on [`ConfigRecord`], and `crate::train::checkpoint`
//! turns them into a configuration and a run's state and checks their
//! meaning.
//!
//! [`read`] checks everything before returning: the container's header (an
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) error names another version), that every
//! section has the length `V`, `D`, `R`, `T` and `E` imply (before
//! allocating), every section's CRC, that the header agrees
//! with the configuration, and every word's bounds and UTF-8. A truncated or
//! corrupt file is an [`ErrorKind::Format`](crate::ErrorKind::Format) error naming the first fault.
//! [`write`](fn@write) goes through [`write_atomically`](super::atomic::write_atomically): a checkpoint on
//! disk is always a complete one, the new or the previous.

use super::MAX_DIM;
use super::legacy;
use super::sections::{self, Known, Schema, Table, Tag, Writer, tag};
use crate::error::{Error, Result};
use bytemuck::{Pod, Zeroable};
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2VCKP\n";
/// The format version this build writes.
pub const VERSION: u32 = 2;
const _: () = assert!(std::mem::size_of::<Meta>() == 40);
const _: () = assert!(std::mem::size_of::<ConfigRecord>() == 120);
/// The configuration record's size before `min_lr` was added: such files
/// are read with the fields after `flags` zero (word2vec.c's schedule).
pub const CONFIG_V1_LEN: usize = 112;
const _: () = assert!(std::mem::size_of::<RunRecord>() == 40);
const _: () = assert!(std::mem::size_of::<WorkerRecord>() == 80);
const _: () = assert!(std::mem::size_of::<EpochLoss>() == 16);

/// The version before the section container, still read.
pub const VERSION_V1: u32 = 1;

/// The checkpoint's schema over the section container.
pub static SCHEMA: Schema = Schema {
    what: "checkpoint",
    magic: MAGIC,
    version: VERSION,
    reads: "1 or 2",
    sections: &[
        Known::required("meta", 8),
        Known::required("config", 8),
        Known::required("run", 8),
        Known::required("corpus", 8),
        Known::required("workers", 8),
        Known::required("losses", 8),
        Known::required("ends", 8),
        Known::required("words", 8),
        Known::required("counts", 8),
        Known::required("syn0", 64),
        Known::required("syn1", 64),
    ],
};

/// The `meta` section.
pub const META: Tag = sections::META;
/// The configuration.
pub const CONFIG: Tag = tag("config");
/// Where the run stands.
pub const RUN: Tag = tag("run");
/// The corpus's name.
pub const CORPUS: Tag = tag("corpus");
/// The workers' records.
pub const WORKERS: Tag = tag("workers");
/// The epochs' losses.
pub const LOSSES: Tag = tag("losses");
/// The word ends.
pub const ENDS: Tag = tag("ends");
/// The words' bytes.
pub const WORDS: Tag = tag("words");
/// The counts.
pub const COUNTS: Tag = tag("counts");
/// The input vectors.
pub const SYN0: Tag = tag("syn0");
/// The output vectors.
pub const SYN1: Tag = tag("syn1");

/// The most threads a checkpoint may record (as training allows).
const MAX_THREADS: u64 = 1024;

/// The `meta` section: the sizes of the other sections.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct Meta {
    /// Words in the vocabulary, `V`.
    pub vocab: u64,
    /// Vector dimension, `D`.
    pub dim: u64,
    /// Rows of the output matrix, `R`.
    pub out_rows: u64,
    /// Training threads, `T`.
    pub threads: u64,
    /// Epochs, `E`.
    pub epochs: u64,
}

/// [`ConfigRecord::flags`]: batch skip-gram (`TrainConfig::batch`).
pub const FLAG_BATCH: u32 = 1;
/// [`ConfigRecord::flags`]: saturated pairs skipped (`TrainConfig::skip_saturated`).
pub const FLAG_SKIP_SATURATED: u32 = 2;

/// The training configuration, as numbers.
///
/// Codes: `model` 0 skip-gram, 1 CBOW; `loss` 0 negative sampling, 1
/// hierarchical softmax; `lr_schedule` 0 linear to 0 (word2vec.c's), 1
/// constant, 2 linear to `min_lr`; `simd_level`
/// 0 scalar, 1 portable, 2 AVX2, 3 AVX-512 (the level the run trained at).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct ConfigRecord {
    /// Architecture code.
    pub model: u32,
    /// Output layer code.
    pub loss: u32,
    /// Vector dimension.
    pub dim: u64,
    /// Maximum window radius.
    pub window: u64,
    /// Negative samples per positive example.
    pub negative: u64,
    /// Subsampling threshold (0: none).
    pub sample: f64,
    /// Words seen fewer times were dropped.
    pub min_count: u64,
    /// At most this many words were kept (0: no limit).
    pub max_vocab: u64,
    /// Passes over the corpus.
    pub epochs: u64,
    /// Worker threads.
    pub threads: u64,
    /// The seed of every random choice.
    pub seed: u64,
    /// Words (all threads) between checkpoints.
    pub checkpoint_every: u64,
    /// The initial learning rate.
    pub lr: f32,
    /// Learning-rate schedule code.
    pub lr_schedule: u32,
    /// The initialisation scale (0: word2vec.c's initialisation).
    pub init_scale: f32,
    /// CBOW: 1 to average the context, 0 to sum it.
    pub cbow_mean: u32,
    /// SIMD level code.
    pub simd_level: u32,
    /// Update-rule flags: [`FLAG_BATCH`] (shared negatives per window) and
    /// [`FLAG_SKIP_SATURATED`] (gensim's rule for saturated pairs); 0 is
    /// word2vec.c's update. Earlier files hold 0 here (it was reserved).
    pub flags: u32,
    /// The final learning rate of the linear schedules (0 for schedule 0,
    /// and in files written before this field).
    pub min_lr: f32,
    /// Zero (padding to a multiple of 8 bytes).
    pub reserved: u32,
}

/// Where the whole run stands.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct RunRecord {
    /// Corpus words read by all threads when the checkpoint was taken (the
    /// published count plus every worker's pending words).
    pub words: u64,
    /// The published count (`words` less the pending words).
    pub words_done: u64,
    /// The corpus's length in bytes.
    pub corpus_len: u64,
    /// CRC-32 of the corpus's first MiB.
    pub corpus_head_crc: u32,
    /// CRC-32 of the corpus's last MiB.
    pub corpus_tail_crc: u32,
    /// Seconds of training so far (every run that led here).
    pub seconds: f64,
}

/// Where one worker stands.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct WorkerRecord {
    /// The worker's byte range of the corpus, `[start, end)`.
    pub range_start: u64,
    /// End of the range.
    pub range_end: u64,
    /// The current epoch (0-based; the number of epochs once finished).
    pub epoch: u64,
    /// Corpus offset where its reader stands (at the end of a sentence).
    pub position: u64,
    /// Words read but not yet published.
    pub pending_words: u64,
    /// Predictions of the current epoch behind `loss_sum`.
    pub loss_n: u64,
    /// Predictions of the finished epochs behind `done_sum`.
    pub done_n: u64,
    /// Loss summed over the current epoch.
    pub loss_sum: f64,
    /// Loss summed over the finished epochs.
    pub done_sum: f64,
    /// The learning rate in use.
    pub lr: f32,
    /// 1 once the worker has finished every epoch.
    pub finished: u32,
}

/// One epoch's loss, summed over the workers that finished it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default, Pod, Zeroable)]
pub struct EpochLoss {
    /// Loss summed over predictions.
    pub sum: f64,
    /// Predictions.
    pub n: u64,
}

/// What a checkpoint holds, borrowed (to write one).
#[derive(Debug, Clone, Copy)]
pub struct CheckpointParts<'a> {
    /// The configuration.
    pub config: ConfigRecord,
    /// Where the run stands.
    pub run: RunRecord,
    /// The corpus's name.
    pub corpus_name: &'a str,
    /// One record per thread.
    pub workers: &'a [WorkerRecord],
    /// One entry per epoch.
    pub epoch_loss: &'a [EpochLoss],
    /// The vocabulary, most frequent first.
    pub words: &'a [Box<str>],
    /// One count per word.
    pub counts: &'a [u64],
    /// Vector dimension.
    pub dim: usize,
    /// `words.len() x dim` input vectors.
    pub syn0: &'a [f32],
    /// `R x dim` output vectors.
    pub syn1: &'a [f32],
}

/// What a checkpoint holds, owned (as read).
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The configuration.
    pub config: ConfigRecord,
    /// Where the run stands.
    pub run: RunRecord,
    /// The corpus's name.
    pub corpus_name: String,
    /// One record per thread.
    pub workers: Vec<WorkerRecord>,
    /// One entry per epoch.
    pub epoch_loss: Vec<EpochLoss>,
    /// The vocabulary, most frequent first.
    pub words: Vec<Box<str>>,
    /// One count per word.
    pub counts: Vec<u64>,
    /// Vector dimension.
    pub dim: usize,
    /// `words.len() x dim` input vectors.
    pub syn0: Vec<f32>,
    /// `R x dim` output vectors.
    pub syn1: Vec<f32>,
}

impl Checkpoint {
    /// The parts, borrowed (to write them again).
    pub fn parts(&self) -> CheckpointParts<'_> {
        CheckpointParts {
            config: self.config,
            run: self.run,
            corpus_name: &self.corpus_name,
            workers: &self.workers,
            epoch_loss: &self.epoch_loss,
            words: &self.words,
            counts: &self.counts,
            dim: self.dim,
            syn0: &self.syn0,
            syn1: &self.syn1,
        }
    }
}

impl CheckpointParts<'_> {
    /// The parts, copied: a checkpoint kept in memory instead of a file (to
    /// resume from it in the same process, or to hand it elsewhere).
    pub fn to_checkpoint(&self) -> Checkpoint {
        Checkpoint {
            config: self.config,
            run: self.run,
            corpus_name: self.corpus_name.to_string(),
            workers: self.workers.to_vec(),
            epoch_loss: self.epoch_loss.to_vec(),
            words: self.words.to_vec(),
            counts: self.counts.to_vec(),
            dim: self.dim,
            syn0: self.syn0.to_vec(),
            syn1: self.syn1.to_vec(),
        }
    }
}

fn corrupt(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::format(format!("checkpoint `{}`: {m}", path.display()))
}

/// Write `parts` to `path`, atomically.
pub fn write(path: &Path, parts: &CheckpointParts<'_>) -> Result<()> {
    let p = parts;
    let v = p.words.len();
    if p.dim == 0
        || p.dim as u64 != p.config.dim
        || p.counts.len() != v
        || p.syn0.len() != v * p.dim
        || !p.syn1.len().is_multiple_of(p.dim)
        || p.workers.len() as u64 != p.config.threads
        || p.epoch_loss.len() as u64 != p.config.epochs
    {
        return Err(Error::invalid(
            "checkpoint write: words, counts, matrices, workers and epochs disagree in length",
        ));
    }
    let (ends, blob) = super::words::to_sections(p.words);
    let meta = Meta {
        vocab: v as u64,
        dim: p.dim as u64,
        out_rows: (p.syn1.len() / p.dim) as u64,
        threads: p.config.threads,
        epochs: p.config.epochs,
    };
    Writer::new(&SCHEMA)
        .add(META, bytemuck::bytes_of(&meta))
        .add(CONFIG, bytemuck::bytes_of(&p.config))
        .add(RUN, bytemuck::bytes_of(&p.run))
        .add(CORPUS, p.corpus_name.as_bytes())
        .add(WORKERS, bytemuck::cast_slice(p.workers))
        .add(LOSSES, bytemuck::cast_slice(p.epoch_loss))
        .add(ENDS, bytemuck::cast_slice(&ends))
        .add(WORDS, &blob)
        .add(COUNTS, bytemuck::cast_slice(p.counts))
        .add(SYN0, bytemuck::cast_slice(p.syn0))
        .add(SYN1, bytemuck::cast_slice(p.syn1))
        .write(path)
}

const _: () = assert!(std::mem::size_of::<HeaderV1>() == 264);

/// Version 1's fixed header (see [`super::legacy`]).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct HeaderV1 {
    magic: [u8; 8],
    version: u32,
    flags: u32,
    vocab: u64,
    dim: u64,
    out_rows: u64,
    threads: u64,
    epochs: u64,
    sections: [[u64; 2]; 10],
    checksums: [u32; 10],
    header_crc: u32,
    reserved: u32,
}

/// A version 1 file's table and `meta`, from its fixed header.
fn table_v1(head: &[u8], file_len: u64) -> Result<(Table, Meta)> {
    let h: HeaderV1 = legacy::fixed_header(
        head,
        file_len,
        std::mem::offset_of!(HeaderV1, header_crc),
        |h: &HeaderV1| h.header_crc,
    )?;
    if h.flags != 0 || h.reserved != 0 {
        return Err(Error::format("unknown header flags"));
    }
    let tags = [
        CONFIG, RUN, CORPUS, WORKERS, LOSSES, ENDS, WORDS, COUNTS, SYN0, SYN1,
    ]
    .map(Some);
    let table = legacy::table(
        &SCHEMA,
        VERSION_V1,
        std::mem::size_of::<HeaderV1>(),
        file_len,
        &tags,
        &h.sections,
        &h.checksums,
    )?;
    let meta = Meta {
        vocab: h.vocab,
        dim: h.dim,
        out_rows: h.out_rows,
        threads: h.threads,
        epochs: h.epochs,
    };
    Ok((table, meta))
}

/// The sizes in `meta`, checked in range.
fn check_meta(h: &Meta) -> Result<()> {
    if h.vocab == 0
        || h.vocab >= u32::MAX as u64
        || h.dim == 0
        || h.dim > MAX_DIM as u64
        || h.out_rows > h.vocab
        || h.threads == 0
        || h.threads > MAX_THREADS
        || h.epochs == 0
    {
        return Err(Error::format(format!(
            "out of range: {} words, dimension {}, {} output rows, {} threads, {} epochs",
            h.vocab, h.dim, h.out_rows, h.threads, h.epochs
        )));
    }
    Ok(())
}

/// Every section's length against the sizes in `h`.
fn check_lengths(table: &Table, h: &Meta) -> Result<()> {
    let config = table.len_of(CONFIG);
    if config != CONFIG_V1_LEN as u64 && config != std::mem::size_of::<ConfigRecord>() as u64 {
        return Err(Error::format(format!(
            "section `config` has {config} bytes, not a configuration record's {}",
            std::mem::size_of::<ConfigRecord>()
        )));
    }
    let floats = |rows: u64| rows.checked_mul(h.dim)?.checked_mul(4);
    let needs = format!(
        "{} words x {} dimensions, {} threads and {} epochs",
        h.vocab, h.dim, h.threads, h.epochs
    );
    let sizes = [
        (RUN, Some(std::mem::size_of::<RunRecord>() as u64)),
        (
            WORKERS,
            h.threads
                .checked_mul(std::mem::size_of::<WorkerRecord>() as u64),
        ),
        (
            LOSSES,
            h.epochs
                .checked_mul(std::mem::size_of::<EpochLoss>() as u64),
        ),
        (ENDS, h.vocab.checked_mul(8)),
        (COUNTS, h.vocab.checked_mul(8)),
        (SYN0, floats(h.vocab)),
        (SYN1, floats(h.out_rows)),
    ];
    for (t, want) in sizes {
        table.expect_len(t, want, &needs)?;
    }
    Ok(())
}

/// Read and check a checkpoint (see the module documentation).
pub fn read(path: &Path) -> Result<Checkpoint> {
    let (mut f, file_len, head) = sections::open_head(path, "checkpoint")?;
    let in_file = |e: Error| Error::new(e.kind(), format!("checkpoint `{}`: {e}", path.display()));
    let (table, h) =
        sections::table_and_meta(&SCHEMA, &mut f, &head, file_len, (VERSION_V1, table_v1))
            .map_err(in_file)?;
    check_meta(&h).map_err(in_file)?;
    check_lengths(&table, &h).map_err(in_file)?;
    // Every length is now bounded by the file's: allocate and read.
    let f = &mut f;
    let config: ConfigRecord = table
        .read_record(f, CONFIG, Some(CONFIG_V1_LEN))
        .map_err(in_file)?;
    let run = table.read_record(f, RUN, None).map_err(in_file)?;
    let name: Vec<u8> = table.read_vec(f, CORPUS).map_err(in_file)?;
    let workers = table.read_vec(f, WORKERS).map_err(in_file)?;
    let epoch_loss = table.read_vec(f, LOSSES).map_err(in_file)?;
    let ends: Vec<u64> = table.read_vec(f, ENDS).map_err(in_file)?;
    let blob: Vec<u8> = table.read_vec(f, WORDS).map_err(in_file)?;
    let counts = table.read_vec(f, COUNTS).map_err(in_file)?;
    let syn0 = table.read_vec(f, SYN0).map_err(in_file)?;
    let syn1 = table.read_vec(f, SYN1).map_err(in_file)?;
    if config.dim != h.dim || config.threads != h.threads || config.epochs != h.epochs {
        return Err(corrupt(path, "the header and the configuration disagree"));
    }
    let corpus_name =
        String::from_utf8(name).map_err(|_| corrupt(path, "the corpus name is not UTF-8"))?;
    let words = super::words::from_sections(&ends, &blob).map_err(in_file)?;
    Ok(Checkpoint {
        config,
        run,
        corpus_name,
        workers,
        epoch_loss,
        words,
        counts,
        dim: h.dim as usize,
        syn0,
        syn1,
    })
}

#[cfg(test)]
mod tests;
