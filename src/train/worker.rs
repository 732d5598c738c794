//! One training thread: reads its byte range of the corpus, epoch after
//! epoch, and updates the shared weights. Nothing here allocates after
//! [`run`] set up its buffers. With checkpoints, it stops at checkpoint
//! boundaries at sentence ends, and a resumed worker starts where its
//! record says (see checkpoint.rs).

#![allow(
    unsafe_code,
    reason = "Hogwild access to shared weight rows (see weights.rs)"
)]

mod batch;

use super::checkpoint::{Pause, Saver, boundary_rng};
use super::config::{LrSchedule, ModelKind, TrainConfig};
use super::feed::Reader;
use super::trace::{Handoff, Moment};
use super::weights::SharedMatrix;
use super::{OutputLayer, Progress, REPORT_EVERY};
use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::WorkerRecord;
use crate::simd::{Kernels, log_sigmoid};
use crate::text::Vocab;
use crate::text::corpus::{MAX_SENTENCE_WORDS, Token, TokenStream};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Per-thread figures, written only by their own thread, read by the reporter.
#[derive(Default)]
#[repr(align(64))]
pub(crate) struct Slot {
    /// Bits of the `f64` loss sum of the current epoch.
    loss_sum: AtomicU64,
    /// Predicted words behind `loss_sum`.
    loss_n: AtomicU64,
    /// Current epoch.
    epoch: AtomicU64,
    /// Bits of the `f64` loss sum over all epochs so far.
    total_sum: AtomicU64,
    /// Predicted words behind `total_sum`.
    total_n: AtomicU64,
}

/// Everything the workers share.
pub(crate) struct Shared<'a> {
    pub config: &'a TrainConfig,
    pub kernels: Kernels,
    pub vocab: &'a Vocab,
    pub keep: Vec<u32>,
    pub output: OutputLayer,
    pub syn0: &'a SharedMatrix,
    pub syn1: &'a SharedMatrix,
    pub lr0: f32,
    /// The rate the linear schedule ends at (`TrainConfig::final_learning_rate`).
    pub lr_end: f32,
    pub total_words: u64,
    pub words_done: AtomicU64,
    pub stop: AtomicBool,
    pub slots: Vec<Slot>,
    pub epoch_loss: Mutex<Vec<(f64, u64)>>,
    pub start: Instant,
    pub progress: &'a (dyn Fn(&Progress) -> bool + Sync),
    /// With one thread, the worker itself calls `progress`.
    pub inline_reporter: bool,
    /// With one thread and tracing: where the worker leaves snapshots.
    pub trace: Option<&'a Handoff>,
    /// Words between trace points (`u64::MAX` without tracing).
    pub trace_every: u64,
    /// With checkpoints: their boundaries, and where snapshots go.
    pub checkpoint: Option<Boundaries<'a>>,
    /// Words read before this process started (a resumed run's checkpoint).
    pub words_at_start: u64,
    /// Seconds of training before this process started (a resumed run).
    pub seconds_before: f64,
    /// With `Trainer::count_updates`: per word, the kept occurrences (those
    /// subsampling left in, each updating the word's input row), summed
    /// from the workers' own counts when each finishes; empty otherwise.
    pub updates: Vec<AtomicU64>,
}

/// Checkpoint boundaries (see checkpoint.rs).
pub(crate) struct Boundaries<'a> {
    /// Words between boundaries.
    pub every: u64,
    /// One thread: the worker leaves each snapshot here.
    pub saver: Option<&'a Saver>,
    /// Several threads: the workers wait here while the calling thread
    /// takes the snapshot.
    pub pause: Option<&'a Pause>,
}

/// The first multiple of `every` past `words`.
pub(crate) fn next_boundary(words: u64, every: u64) -> u64 {
    (words / every + 1).saturating_mul(every)
}

impl Shared<'_> {
    /// The learning rate after `done` words: linear decay from `lr0` to
    /// `lr_end`, never below `lr0 * 1e-4` (with `lr_end` 0, word2vec.c's
    /// schedule, computed as word2vec.c does).
    fn lr_at(&self, done: u64) -> f32 {
        if self.config.lr_schedule == LrSchedule::Constant {
            return self.lr0;
        }
        let frac = done as f64 / (self.total_words + 1) as f64;
        let lr0 = self.lr0 as f64;
        if self.lr_end == 0.0 {
            return (lr0 * (1.0 - frac).max(1e-4)) as f32;
        }
        let end = self.lr_end as f64;
        (lr0 - (lr0 - end) * frac.min(1.0)).max(end).max(lr0 * 1e-4) as f32
    }

    /// Seconds of training, including runs before a resume.
    pub(crate) fn seconds(&self) -> f64 {
        self.seconds_before + self.start.elapsed().as_secs_f64()
    }

    /// Where training stands, for a trace point (summed over the workers).
    pub(crate) fn moment(&self) -> Moment {
        let words = self.words_done.load(Ordering::Relaxed);
        let (mut sum, mut n, mut epoch) = (0.0, 0u64, u64::MAX);
        for s in &self.slots {
            sum += f64::from_bits(s.total_sum.load(Ordering::Relaxed));
            n += s.total_n.load(Ordering::Relaxed);
            epoch = epoch.min(s.epoch.load(Ordering::Relaxed));
        }
        Moment {
            words,
            epoch: epoch.min(self.config.epochs as u64 - 1) as usize,
            lr: self.lr_at(words),
            loss_sum: sum,
            loss_n: n,
            seconds: self.start.elapsed().as_secs_f64(),
        }
    }

    /// Aggregate the per-thread figures.
    pub(crate) fn snapshot(&self) -> Progress {
        let words = self.words_done.load(Ordering::Relaxed);
        let elapsed = self.start.elapsed();
        let (mut sum, mut n, mut epoch) = (0.0, 0u64, u64::MAX);
        for s in &self.slots {
            sum += f64::from_bits(s.loss_sum.load(Ordering::Relaxed));
            n += s.loss_n.load(Ordering::Relaxed);
            epoch = epoch.min(s.epoch.load(Ordering::Relaxed));
        }
        Progress {
            fraction: (words as f64 / self.total_words.max(1) as f64).min(1.0),
            words,
            words_per_sec: words.saturating_sub(self.words_at_start) as f64
                / elapsed.as_secs_f64().max(1e-9),
            lr: self.lr_at(words),
            loss: if n > 0 { sum / n as f64 } else { 0.0 },
            epoch: epoch.min(self.config.epochs as u64 - 1) as usize,
            elapsed,
        }
    }
}

/// A worker's own state and buffers.
struct Worker<'s, 'a> {
    sh: &'s Shared<'a>,
    k: Kernels,
    rng: SmallRng,
    sentence: Vec<u32>,
    h: Vec<f32>,
    e: Vec<f32>,
    /// Negatives drawn one prediction ahead, their rows already prefetched.
    negatives: Vec<u32>,
    /// Working memory of batch skip-gram (empty without it).
    batch: batch::Buffers,
    lr: f32,
    /// Words read since the last report.
    pending_words: u64,
    loss_sum: f64,
    loss_n: u64,
    /// Loss summed over the finished epochs, and their predictions.
    done_sum: f64,
    done_n: u64,
    epoch: usize,
    /// Words at which the next trace point is due.
    next_trace: u64,
    /// Words at which the next checkpoint is due (one thread).
    next_checkpoint: u64,
    range: (u64, u64),
    slot: usize,
    /// This worker's kept occurrences per word (empty unless counted).
    updates: Vec<u64>,
}

/// The score beyond which `TrainConfig::skip_saturated` leaves a pair out
/// (gensim's and word2vec.c's `MAX_EXP`).
const SATURATED: f32 = 6.0;

/// Tells the [`Pause`] that a worker returned, however it returns.
struct Exit<'p> {
    pause: &'p Pause,
    slot: usize,
    /// Set when every epoch is done.
    finished: Option<WorkerRecord>,
}

impl Drop for Exit<'_> {
    fn drop(&mut self) {
        self.pause.exit(self.slot, self.finished.take());
    }
}

/// Run worker `t` over `reader` (corpus bytes `range`, or its share of a
/// sentence feed) for every epoch; resumed, from `start`: its record and the
/// words of the checkpoint's boundary.
pub(crate) fn run(
    sh: &Shared<'_>,
    mut reader: impl Reader,
    t: usize,
    range: (u64, u64),
    start: Option<(&WorkerRecord, u64)>,
) -> Result<()> {
    let dim = sh.config.dim;
    let mut exit = sh
        .checkpoint
        .as_ref()
        .and_then(|b| b.pause)
        .map(|pause| Exit {
            pause,
            slot: t,
            finished: None,
        });
    let mut w = Worker {
        sh,
        k: sh.kernels,
        rng: SmallRng::seed_from_u64(
            sh.config
                .seed
                .wrapping_add((t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        ),
        sentence: Vec::with_capacity(MAX_SENTENCE_WORDS),
        h: vec![0.0; dim],
        e: vec![0.0; dim],
        negatives: vec![0; sh.config.negative],
        batch: batch::Buffers::new(sh.config.batch, dim, sh.config.negative)?,
        lr: sh.lr0,
        pending_words: 0,
        loss_sum: 0.0,
        loss_n: 0,
        done_sum: 0.0,
        done_n: 0,
        epoch: 0,
        next_trace: sh.trace_every,
        next_checkpoint: sh.checkpoint.as_ref().map_or(u64::MAX, |b| b.every),
        range,
        slot: t,
        updates: vec![
            0;
            if sh.updates.is_empty() {
                0
            } else {
                sh.vocab.len()
            }
        ],
    };
    let mut first = 0;
    if let Some((rec, words)) = start {
        if rec.finished != 0 {
            let last = sh.config.epochs as u64 - 1;
            sh.slots[t].epoch.store(last, Ordering::Relaxed);
            if let Some(e) = &mut exit {
                e.finished = Some(*rec);
            }
            return Ok(());
        }
        first = rec.epoch as usize;
        reader.seek(rec.position)?;
        w.restore(rec, words);
    }
    Worker::draw_negatives(sh, &mut w.rng, &mut w.negatives);
    for epoch in first..sh.config.epochs {
        sh.slots[t].epoch.store(epoch as u64, Ordering::Relaxed);
        w.epoch = epoch;
        if start.is_none() || epoch > first {
            w.done_sum += w.loss_sum;
            w.done_n += w.loss_n;
            w.loss_sum = 0.0;
            w.loss_n = 0;
            if epoch > 0 {
                reader.next_pass(epoch)?;
            }
        }
        while w.read_sentence(&mut reader)? {
            if sh.stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            match sh.config.model {
                ModelKind::SkipGram if sh.config.batch => w.skip_gram_batch(),
                ModelKind::SkipGram => w.skip_gram(),
                ModelKind::Cbow => w.cbow(),
            }
            if w.pending_words >= REPORT_EVERY {
                w.report()?;
            }
            if let Some(h) = sh.trace {
                w.trace(h)?;
            }
            if let Some(b) = &sh.checkpoint {
                w.boundary(b, reader.position())?;
            }
        }
        w.report()?;
        let mut losses = sh.epoch_loss.lock().map_err(|_| poisoned())?;
        losses[epoch].0 += w.loss_sum;
        losses[epoch].1 += w.loss_n;
    }
    for (total, &n) in sh.updates.iter().zip(&w.updates) {
        total.fetch_add(n, Ordering::Relaxed);
    }
    if let Some(e) = &mut exit {
        e.finished = Some(WorkerRecord {
            epoch: sh.config.epochs as u64,
            position: range.1,
            finished: 1,
            ..w.record(range.1)
        });
    }
    Ok(())
}

fn poisoned() -> Error {
    Error::new(ErrorKind::Internal, "loss accumulator poisoned")
}

impl Worker<'_, '_> {
    /// Where this worker stands, at a sentence end with its reader at
    /// `position`.
    fn record(&self, position: u64) -> WorkerRecord {
        WorkerRecord {
            range_start: self.range.0,
            range_end: self.range.1,
            epoch: self.epoch as u64,
            position,
            pending_words: self.pending_words,
            loss_n: self.loss_n,
            done_n: self.done_n,
            loss_sum: self.loss_sum,
            done_sum: self.done_sum,
            lr: self.lr,
            finished: 0,
        }
    }

    /// Take up the state of `rec`, a record of a checkpoint at `words`
    /// words: counters, rate, loss sums, and the generator of that boundary.
    fn restore(&mut self, rec: &WorkerRecord, words: u64) {
        self.epoch = rec.epoch as usize;
        self.pending_words = rec.pending_words;
        self.loss_sum = rec.loss_sum;
        self.loss_n = rec.loss_n;
        self.done_sum = rec.done_sum;
        self.done_n = rec.done_n;
        self.lr = rec.lr;
        self.rng = boundary_rng(self.sh.config.seed, self.slot, words);
        if let Some(b) = &self.sh.checkpoint {
            self.next_checkpoint = next_boundary(words, b.every);
        }
        self.publish_loss();
    }

    /// At a sentence end, with the reader at `position`: at a checkpoint
    /// boundary, leave a snapshot (one thread) or wait while the calling
    /// thread takes one (several), then re-seed the generator from the
    /// boundary and draw the next negatives afresh (see checkpoint.rs).
    /// Allocates nothing.
    #[inline]
    fn boundary(&mut self, b: &Boundaries<'_>, position: u64) -> Result<()> {
        let sh = self.sh;
        let words = match b.pause {
            Some(pause) => {
                if !pause.requested() {
                    return Ok(());
                }
                match pause.wait(self.slot, self.record(position)) {
                    Some(words) => words,
                    None => return Ok(()),
                }
            }
            None => {
                let published = sh.words_done.load(Ordering::Relaxed);
                let done = published + self.pending_words;
                if done < self.next_checkpoint {
                    return Ok(());
                }
                if let Some(saver) = b.saver {
                    let losses = sh.epoch_loss.lock().map_err(|_| poisoned())?;
                    // SAFETY: without a pause there is one worker, this one,
                    // and it writes no row while it copies.
                    unsafe {
                        saver.give(
                            sh.syn0,
                            sh.syn1,
                            &[self.record(position)],
                            &losses,
                            done,
                            published,
                            sh.seconds(),
                        )
                    };
                }
                self.next_checkpoint = next_boundary(done, b.every);
                done
            }
        };
        self.rng = boundary_rng(sh.config.seed, self.slot, words);
        Self::draw_negatives(sh, &mut self.rng, &mut self.negatives);
        Ok(())
    }

    /// Fill `self.sentence` with the next sentence's kept word ids. Returns
    /// false at the end of the range (with an empty sentence).
    #[inline]
    fn read_sentence(&mut self, reader: &mut impl TokenStream) -> Result<bool> {
        self.sentence.clear();
        let (vocab, keep) = (self.sh.vocab, &self.sh.keep);
        loop {
            match reader.next_token()? {
                None => return Ok(!self.sentence.is_empty()),
                Some(Token::EndOfSentence) => {
                    if !self.sentence.is_empty() {
                        return Ok(true);
                    }
                }
                Some(Token::Word(word)) => {
                    let Some(id) = vocab.get(word) else { continue };
                    self.pending_words += 1;
                    let k = keep[id as usize];
                    if k != u32::MAX && self.rng.next_u32() >= k {
                        continue;
                    }
                    self.sentence.push(id);
                    if let Some(n) = self.updates.get_mut(id as usize) {
                        *n += 1;
                    }
                    if self.sentence.len() >= MAX_SENTENCE_WORDS {
                        return Ok(true);
                    }
                }
            }
        }
    }

    /// With one thread and tracing, at the end of a sentence: leave a
    /// snapshot if a trace point is due. Reads the state, changes nothing
    /// (not even when the learning rate is refreshed), so a traced run
    /// learns exactly what an untraced one does.
    fn trace(&mut self, h: &Handoff) -> Result<()> {
        let sh = self.sh;
        let done = sh.words_done.load(Ordering::Relaxed) + self.pending_words;
        if done < self.next_trace {
            return Ok(());
        }
        let moment = Moment {
            words: done,
            epoch: self.epoch,
            lr: self.lr,
            loss_sum: self.done_sum + self.loss_sum,
            loss_n: self.done_n + self.loss_n,
            seconds: sh.start.elapsed().as_secs_f64(),
        };
        // SAFETY: with a handoff there is one worker, this one, and it
        // writes no row while it copies.
        unsafe { h.give(sh.syn0, moment)? };
        self.next_trace = (done / sh.trace_every + 1).saturating_mul(sh.trace_every);
        Ok(())
    }

    /// Publish progress, refresh the learning rate, and (single thread) call
    /// the progress callback.
    fn report(&mut self) -> Result<()> {
        let sh = self.sh;
        let done = sh
            .words_done
            .fetch_add(self.pending_words, Ordering::Relaxed)
            + self.pending_words;
        self.pending_words = 0;
        self.lr = sh.lr_at(done);
        self.publish_loss();
        if sh.inline_reporter && !(sh.progress)(&sh.snapshot()) {
            sh.stop.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn publish_loss(&self) {
        let slot = &self.sh.slots[self.slot];
        slot.loss_sum
            .store(self.loss_sum.to_bits(), Ordering::Relaxed);
        slot.loss_n.store(self.loss_n, Ordering::Relaxed);
        slot.total_sum
            .store((self.done_sum + self.loss_sum).to_bits(), Ordering::Relaxed);
        slot.total_n
            .store(self.done_n + self.loss_n, Ordering::Relaxed);
    }

    /// Set up sentence position `i`: prefetch the next position's output
    /// rows, draw the window radius (`1..=window`, word2vec.c's shrinking
    /// window) and return the centre word and the context span `lo..=hi`.
    #[inline(always)]
    fn position(&mut self, i: usize) -> (u32, usize, usize) {
        let n = self.sentence.len();
        if i + 1 < n {
            Self::prefetch_targets(self.sh, self.sentence[i + 1]);
        }
        let window = self.sh.config.window;
        let r = window - (self.rng.next_u32() as usize % window);
        (self.sentence[i], i.saturating_sub(r), (i + r).min(n - 1))
    }

    /// Draw the next prediction's negatives and prefetch their rows, so that
    /// their cache misses overlap this prediction's work instead of stalling
    /// the next one.
    #[inline(always)]
    fn draw_negatives(sh: &Shared<'_>, rng: &mut SmallRng, negatives: &mut [u32]) {
        if let OutputLayer::Negative(sampler) = &sh.output {
            for n in negatives.iter_mut() {
                *n = sampler.sample(rng.next_u64());
                sh.syn1.prefetch(*n as usize);
            }
        }
    }

    /// Prefetch the output rows that predicting `word` will touch (its own
    /// row for negative sampling, its Huffman path for hierarchical softmax).
    #[inline(always)]
    fn prefetch_targets(sh: &Shared<'_>, word: u32) {
        match &sh.output {
            OutputLayer::Negative(_) => sh.syn1.prefetch(word as usize),
            OutputLayer::Hierarchical(tree) => {
                for &p in tree.path(word as usize).1 {
                    sh.syn1.prefetch(p as usize);
                }
            }
        }
    }

    /// Update output rows for predicting `word` from hidden vector `h`,
    /// accumulating the gradient for `h` in `e`. Returns the loss.
    #[allow(clippy::too_many_arguments, reason = "disjoint borrows of the worker")]
    #[inline(always)]
    fn predict(
        k: &Kernels,
        sh: &Shared<'_>,
        rng: &mut SmallRng,
        negatives: &mut [u32],
        h: &[f32],
        e: &mut [f32],
        word: u32,
        lr: f32,
    ) -> f64 {
        let mut loss = 0.0f32;
        match &sh.output {
            OutputLayer::Negative(_) => {
                // gensim's rule (`skip_saturated`): a pair scored beyond
                // +-SATURATED gets no update. It costs a second dot product.
                let skip = sh.config.skip_saturated;
                let step = |row: &mut [f32], e: &mut [f32], label: f32| {
                    if skip {
                        let f = k.dot(h, row);
                        if f.abs() >= SATURATED {
                            return f;
                        }
                    }
                    k.ns_step(h, row, e, label, lr)
                };
                // SAFETY: `word < vocab.len() == syn1.rows()`; `h` and `e` are not
                // rows of syn1, so no overlapping borrow in this thread.
                let f = step(unsafe { sh.syn1.row(word as usize) }, e, 1.0);
                loss -= log_sigmoid(f);
                for &target in negatives.iter() {
                    if target == word {
                        continue;
                    }
                    // SAFETY: the sampler returns indices below vocab.len().
                    let f = step(unsafe { sh.syn1.row(target as usize) }, e, 0.0);
                    loss -= log_sigmoid(-f);
                }
                Self::draw_negatives(sh, rng, negatives);
            }
            OutputLayer::Hierarchical(tree) => {
                let (codes, points) = tree.path(word as usize);
                for (&code, &point) in codes.iter().zip(points) {
                    let label = 1.0 - code as f32;
                    // SAFETY: inner-node indices are below vocab.len() - 1 == syn1.rows().
                    let f = k.ns_step(h, unsafe { sh.syn1.row(point as usize) }, e, label, lr);
                    loss -= if code == 0 {
                        log_sigmoid(f)
                    } else {
                        log_sigmoid(-f)
                    };
                }
            }
        }
        loss as f64
    }

    /// Skip-gram over `self.sentence`: each context word predicts the centre.
    fn skip_gram(&mut self) {
        let (sh, k, lr) = (self.sh, self.k, self.lr);
        let n = self.sentence.len();
        for i in 0..n {
            let (word, lo, hi) = self.position(i);
            for c in lo..=hi {
                if c == i {
                    continue;
                }
                let ctx = self.sentence[c] as usize;
                // SAFETY: `ctx < vocab.len() == syn0.rows()`; the only other
                // borrows in this thread are rows of syn1 and `self.e`.
                let h = unsafe { sh.syn0.row(ctx) };
                self.e.fill(0.0);
                self.loss_sum += Self::predict(
                    &k,
                    sh,
                    &mut self.rng,
                    &mut self.negatives,
                    h,
                    &mut self.e,
                    word,
                    lr,
                );
                self.loss_n += 1;
                k.add(&self.e, h);
            }
        }
    }

    /// CBOW over `self.sentence`: the mean (or sum) of the context predicts the centre.
    fn cbow(&mut self) {
        let (sh, k, lr) = (self.sh, self.k, self.lr);
        let n = self.sentence.len();
        for i in 0..n {
            let (word, lo, hi) = self.position(i);
            self.h.fill(0.0);
            let mut count = 0usize;
            for c in lo..=hi {
                if c != i {
                    // SAFETY: a syn0 row, read while no other borrow of it exists here.
                    k.add(
                        unsafe { sh.syn0.row(self.sentence[c] as usize) },
                        &mut self.h,
                    );
                    count += 1;
                }
            }
            if count == 0 {
                continue;
            }
            if sh.config.cbow_mean {
                k.scale(1.0 / count as f32, &mut self.h);
            }
            self.e.fill(0.0);
            self.loss_sum += Self::predict(
                &k,
                sh,
                &mut self.rng,
                &mut self.negatives,
                &self.h,
                &mut self.e,
                word,
                lr,
            );
            self.loss_n += 1;
            for c in lo..=hi {
                if c != i {
                    // SAFETY: as above.
                    k.add(&self.e, unsafe { sh.syn0.row(self.sentence[c] as usize) });
                }
            }
        }
    }
}
