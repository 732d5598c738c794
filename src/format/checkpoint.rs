//! The training checkpoint file: everything a word2vec run needs to go on
//! from where it stood, as `w2v train --checkpoint` writes it and
//! `w2v train --resume` reads it.
//!
//! # Layout (version 1, every integer and float little-endian)
//!
//! A 264-byte [header](Header), then ten sections, each at the offset and
//! with the length (in bytes) the header gives, in this order, separated by
//! zero padding (8-byte aligned; the matrices 64-byte aligned):
//!
//! | section | contents |
//! |---|---|
//! | `config` | one [`ConfigRecord`] (120 bytes; 112 in files written before `min_lr`): the training configuration |
//! | `run` | one [`RunRecord`] (40 bytes): words done, the corpus's fingerprint |
//! | `corpus_name` | the corpus's name (UTF-8), for messages |
//! | `workers` | one [`WorkerRecord`] (80 bytes) per thread: where it stands |
//! | `epoch_loss` | one [`EpochLoss`] (16 bytes) per epoch: finished workers' loss sums |
//! | `word_ends` | `u64` per word: the end of word `i` in `words` |
//! | `words` | the vocabulary's UTF-8 bytes, concatenated, most frequent first |
//! | `counts` | `u64` per word: its corpus count |
//! | `syn0` | `V x D` `f32`, row-major: the input vectors |
//! | `syn1` | `R x D` `f32`, row-major: the output vectors (`R = V` for negative sampling, `V - 1` for hierarchical softmax) |
//!
//! Header: `magic` (`\x93W2VCKP\n`), `version` (1), `flags` (0), `V`, `D`,
//! `R`, the number of threads `T`, of epochs `E`, the ten `(offset, length)`
//! pairs, a CRC-32 per section, and a CRC-32 of the header's other bytes.
//!
//! The records are plain numbers; their codes (model, loss, schedule, SIMD
//! level) are listed on [`ConfigRecord`], and `crate::train::checkpoint`
//! turns them into a configuration and a run's state and checks their
//! meaning.
//!
//! [`read`] checks everything before returning: the magic, the version (an
//! [`ErrorKind::Unsupported`] error names another one), the header CRC, that
//! every section lies in the file with the length `V`, `D`, `R`, `T` and `E`
//! imply (before allocating), every section's CRC, that the header agrees
//! with the configuration, and every word's bounds and UTF-8. A truncated or
//! corrupt file is an [`ErrorKind::Format`] error naming the first fault.
//! [`write`](fn@write) goes through [`write_atomically`]: a checkpoint on
//! disk is always a complete one, the new or the previous.

use super::MAX_DIM;
use super::atomic::write_atomically;
use crate::error::{Error, ErrorKind, Result};
use bytemuck::{Pod, Zeroable};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: [u8; 8] = *b"\x93W2VCKP\n";
/// The format version this build reads and writes.
pub const VERSION: u32 = 1;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = std::mem::size_of::<Header>();
const _: () = assert!(HEADER_LEN == 264);
const _: () = assert!(std::mem::size_of::<ConfigRecord>() == 120);
/// The configuration record's size before `min_lr` was added: such files
/// are read with the fields after `flags` zero (word2vec.c's schedule).
const CONFIG_V1_LEN: usize = 112;
const _: () = assert!(std::mem::size_of::<RunRecord>() == 40);
const _: () = assert!(std::mem::size_of::<WorkerRecord>() == 80);
const _: () = assert!(std::mem::size_of::<EpochLoss>() == 16);

const SECTIONS: usize = 10;
const SECTION_NAMES: [&str; SECTIONS] = [
    "config",
    "run",
    "corpus_name",
    "workers",
    "epoch_loss",
    "word_ends",
    "words",
    "counts",
    "syn0",
    "syn1",
];
const ALIGN: [usize; SECTIONS] = [8, 8, 8, 8, 8, 8, 8, 8, 64, 64];
const HEADER_CRC_SPAN: usize = HEADER_LEN - 8;
/// The most threads a checkpoint may record (as training allows).
const MAX_THREADS: u64 = 1024;

/// The checkpoint header (little-endian on disk).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct Header {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// [`VERSION`].
    pub version: u32,
    /// Zero in version 1.
    pub flags: u32,
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
    /// `(offset, length)` in bytes of each section.
    pub sections: [[u64; 2]; SECTIONS],
    /// CRC-32 (IEEE) of each section's bytes.
    pub checksums: [u32; SECTIONS],
    /// CRC-32 of the header's bytes before this field.
    pub header_crc: u32,
    /// Zero (padding to a multiple of 8 bytes).
    pub reserved: u32,
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
    if cfg!(target_endian = "big") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "checkpoints are little-endian; writing one on a big-endian host is not supported",
        ));
    }
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
    let mut ends = Vec::with_capacity(v);
    let mut blob = Vec::new();
    for w in p.words {
        blob.extend_from_slice(w.as_bytes());
        ends.push(blob.len() as u64);
    }
    let sections: [&[u8]; SECTIONS] = [
        bytemuck::bytes_of(&p.config),
        bytemuck::bytes_of(&p.run),
        p.corpus_name.as_bytes(),
        bytemuck::cast_slice(p.workers),
        bytemuck::cast_slice(p.epoch_loss),
        bytemuck::cast_slice(&ends),
        &blob,
        bytemuck::cast_slice(p.counts),
        bytemuck::cast_slice(p.syn0),
        bytemuck::cast_slice(p.syn1),
    ];
    let mut h = Header::zeroed();
    h.magic = MAGIC;
    h.version = VERSION;
    h.vocab = v as u64;
    h.dim = p.dim as u64;
    h.out_rows = (p.syn1.len() / p.dim) as u64;
    h.threads = p.config.threads;
    h.epochs = p.config.epochs;
    let mut pos = HEADER_LEN;
    for (s, part) in sections.iter().enumerate() {
        pos = pos.next_multiple_of(ALIGN[s]);
        h.sections[s] = [pos as u64, part.len() as u64];
        h.checksums[s] = crc32fast::hash(part);
        pos += part.len();
    }
    h.header_crc = crc32fast::hash(&bytemuck::bytes_of(&h)[..HEADER_CRC_SPAN]);
    write_atomically(path, |w| {
        w.write_all(bytemuck::bytes_of(&h))?;
        let mut pos = HEADER_LEN;
        for (s, part) in sections.iter().enumerate() {
            let start = h.sections[s][0] as usize;
            w.write_all(&[0u8; 64][..start - pos])?;
            w.write_all(part)?;
            pos = start + part.len();
        }
        Ok(())
    })
}

/// The header of `path`, checked: magic, version, CRC, flags, ranges.
fn read_header(path: &Path, f: &mut std::fs::File, file_len: u64) -> Result<Header> {
    let mut head = [0u8; HEADER_LEN];
    if file_len < 12 {
        return Err(corrupt(path, "not a w2v checkpoint (too short)"));
    }
    let n = (file_len as usize).min(HEADER_LEN);
    f.read_exact(&mut head[..n])
        .map_err(|e| Error::io(format!("cannot read checkpoint `{}`", path.display()), e))?;
    if head[..8] != MAGIC {
        return Err(corrupt(path, "not a w2v checkpoint (wrong magic)"));
    }
    // The version first: another version's header may have another size.
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if version != VERSION {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "checkpoint `{}`: format version {version} (this build reads version {VERSION})",
                path.display()
            ),
        ));
    }
    if n < HEADER_LEN {
        return Err(corrupt(
            path,
            format!("truncated: {file_len} bytes, the header alone is {HEADER_LEN}"),
        ));
    }
    let h: Header = bytemuck::pod_read_unaligned(&head);
    if crc32fast::hash(&head[..HEADER_CRC_SPAN]) != h.header_crc {
        return Err(corrupt(
            path,
            "header checksum mismatch: the file is corrupt",
        ));
    }
    if h.flags != 0 || h.reserved != 0 {
        return Err(corrupt(path, "unknown header flags"));
    }
    if h.vocab == 0
        || h.vocab >= u32::MAX as u64
        || h.dim == 0
        || h.dim > MAX_DIM as u64
        || h.out_rows > h.vocab
        || h.threads == 0
        || h.threads > MAX_THREADS
        || h.epochs == 0
    {
        return Err(corrupt(
            path,
            format!(
                "out of range: {} words, dimension {}, {} output rows, {} threads, {} epochs",
                h.vocab, h.dim, h.out_rows, h.threads, h.epochs
            ),
        ));
    }
    Ok(h)
}

/// Read and check a checkpoint (see the module documentation).
pub fn read(path: &Path) -> Result<Checkpoint> {
    let ctx = |what: &str| format!("cannot {what} checkpoint `{}`", path.display());
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(ctx("open"), e))?;
    let meta = f.metadata().map_err(|e| Error::io(ctx("read"), e))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("checkpoint `{}` is a folder", path.display()),
        ));
    }
    let file_len = meta.len();
    let h = read_header(path, &mut f, file_len)?;
    let too_big = || corrupt(path, "sizes out of range");
    let floats = |rows: u64| rows.checked_mul(h.dim)?.checked_mul(4);
    let want = |s: usize| -> Option<u64> {
        match s {
            // This build's record, or the shorter one of files written
            // before `min_lr`.
            0 if h.sections[0][1] == CONFIG_V1_LEN as u64 => Some(CONFIG_V1_LEN as u64),
            0 => Some(std::mem::size_of::<ConfigRecord>() as u64),
            1 => Some(std::mem::size_of::<RunRecord>() as u64),
            3 => h
                .threads
                .checked_mul(std::mem::size_of::<WorkerRecord>() as u64),
            4 => h
                .epochs
                .checked_mul(std::mem::size_of::<EpochLoss>() as u64),
            5 | 7 => h.vocab.checked_mul(8),
            8 => floats(h.vocab),
            9 => floats(h.out_rows),
            _ => Some(u64::MAX), // any length
        }
    };
    let mut prev_end = HEADER_LEN as u64;
    for (s, &[off, len]) in h.sections.iter().enumerate() {
        let name = SECTION_NAMES[s];
        let end = off.checked_add(len).filter(|&e| e <= file_len).ok_or_else(|| {
            corrupt(
                path,
                format!("truncated: section `{name}` ends past the end of the file ({file_len} bytes)"),
            )
        })?;
        if off < prev_end || !off.is_multiple_of(ALIGN[s] as u64) {
            return Err(corrupt(
                path,
                format!("section `{name}` at offset {off} overlaps or is misaligned"),
            ));
        }
        match want(s) {
            Some(u64::MAX) => {}
            Some(w) if w != len && s == 0 => {
                return Err(corrupt(
                    path,
                    format!("section `{name}` has {len} bytes, not a configuration record's {w}"),
                ));
            }
            Some(w) if w == len => {}
            _ => {
                return Err(corrupt(
                    path,
                    format!(
                        "section `{name}` has {len} bytes; {} words x {} dimensions, {} threads and {} epochs need another size",
                        h.vocab, h.dim, h.threads, h.epochs
                    ),
                ));
            }
        }
        prev_end = end;
    }
    // Every length is now bounded by the file's: allocate and read.
    let mut section = |s: usize, out: &mut [u8]| -> Result<()> {
        f.seek(SeekFrom::Start(h.sections[s][0]))
            .and_then(|_| f.read_exact(out))
            .map_err(|e| Error::io(ctx("read"), e))?;
        if crc32fast::hash(out) != h.checksums[s] {
            return Err(corrupt(
                path,
                format!(
                    "section `{}` checksum mismatch: the file is corrupt",
                    SECTION_NAMES[s]
                ),
            ));
        }
        Ok(())
    };
    let len = |s: usize| usize::try_from(h.sections[s][1]).map_err(|_| too_big());
    let (v, dim) = (h.vocab as usize, h.dim as usize);
    let mut config = ConfigRecord::zeroed();
    section(0, &mut bytemuck::bytes_of_mut(&mut config)[..len(0)?])?;
    let mut run = RunRecord::zeroed();
    section(1, bytemuck::bytes_of_mut(&mut run))?;
    let mut name = vec![0u8; len(2)?];
    section(2, &mut name)?;
    let mut workers = vec![WorkerRecord::zeroed(); h.threads as usize];
    section(3, bytemuck::cast_slice_mut(&mut workers))?;
    let mut epoch_loss = vec![EpochLoss::zeroed(); len(4)? / 16];
    section(4, bytemuck::cast_slice_mut(&mut epoch_loss))?;
    let mut ends = vec![0u64; v];
    section(5, bytemuck::cast_slice_mut(&mut ends))?;
    let mut blob = vec![0u8; len(6)?];
    section(6, &mut blob)?;
    let mut counts = vec![0u64; v];
    section(7, bytemuck::cast_slice_mut(&mut counts))?;
    let mut syn0 = vec![0f32; len(8)? / 4];
    section(8, bytemuck::cast_slice_mut(&mut syn0))?;
    let mut syn1 = vec![0f32; len(9)? / 4];
    section(9, bytemuck::cast_slice_mut(&mut syn1))?;
    if config.dim != h.dim || config.threads != h.threads || config.epochs != h.epochs {
        return Err(corrupt(path, "the header and the configuration disagree"));
    }
    let corpus_name =
        String::from_utf8(name).map_err(|_| corrupt(path, "the corpus name is not UTF-8"))?;
    let mut words = Vec::with_capacity(v);
    let mut start = 0usize;
    for (i, &e) in ends.iter().enumerate() {
        let word = usize::try_from(e)
            .ok()
            .filter(|&e| e > start && e <= blob.len())
            .and_then(|e| std::str::from_utf8(&blob[start..e]).ok().map(|w| (w, e)));
        let Some((w, e)) = word else {
            return Err(corrupt(
                path,
                format!("word {i} has bad bounds or is not UTF-8"),
            ));
        };
        words.push(Box::<str>::from(w));
        start = e;
    }
    Ok(Checkpoint {
        config,
        run,
        corpus_name,
        workers,
        epoch_loss,
        words,
        counts,
        dim,
        syn0,
        syn1,
    })
}

#[cfg(test)]
mod tests;
