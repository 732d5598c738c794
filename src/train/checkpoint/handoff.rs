//! Taking a checkpoint without stopping for the disk: the [`Saver`] hands a
//! copy of the state from the training side to a writer thread, and with
//! several threads the [`Pause`] holds every worker at a sentence end while
//! the copy is made.

#![allow(
    unsafe_code,
    reason = "copies the shared weights while no worker writes them (see weights.rs)"
)]

use super::super::weights::SharedMatrix;
use crate::error::Result;
use crate::format::checkpoint::{EpochLoss, WorkerRecord};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A copy of the training state, as the writer thread receives it.
pub(crate) struct Snapshot {
    pub syn0: Vec<f32>,
    pub syn1: Vec<f32>,
    pub workers: Vec<WorkerRecord>,
    pub epoch_loss: Vec<EpochLoss>,
    /// Words read by all threads (the boundary), and the published count.
    pub words: u64,
    pub words_done: u64,
    /// Seconds of training, every run that led here.
    pub seconds: f64,
}

/// The handoff between the training side and the writer thread: one
/// snapshot buffer, allocated up front.
pub(crate) struct Saver {
    state: Mutex<SaverState>,
    ready: Condvar,
}

struct SaverState {
    snap: Snapshot,
    /// A snapshot is waiting to be written.
    pending: bool,
    /// No more snapshots: training is over, or the writer failed.
    finished: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code panics while holding these locks; a poisoned one still holds
    // consistent data.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Saver {
    /// A saver for `syn0` and `syn1` of `syn0_len` and `syn1_len` floats,
    /// `threads` workers and `epochs` epochs.
    pub(crate) fn new(syn0_len: usize, syn1_len: usize, threads: usize, epochs: usize) -> Saver {
        Saver {
            state: Mutex::new(SaverState {
                snap: Snapshot {
                    syn0: vec![0.0; syn0_len],
                    syn1: vec![0.0; syn1_len],
                    workers: vec![bytemuck::Zeroable::zeroed(); threads],
                    epoch_loss: vec![EpochLoss::default(); epochs],
                    words: 0,
                    words_done: 0,
                    seconds: 0.0,
                },
                pending: false,
                finished: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Wait until the previous snapshot is written, copy the state into the
    /// buffer and hand it over. Allocates nothing. Does nothing once the
    /// writer has stopped.
    ///
    /// # Safety
    /// No thread writes `syn0`'s or `syn1`'s rows during the call (the one
    /// worker calls it, or every worker is held by the [`Pause`]).
    #[allow(clippy::too_many_arguments, reason = "the parts of a snapshot")]
    pub(crate) unsafe fn give(
        &self,
        syn0: &SharedMatrix,
        syn1: &SharedMatrix,
        workers: &[WorkerRecord],
        epoch_loss: &[(f64, u64)],
        words: u64,
        words_done: u64,
        seconds: f64,
    ) {
        let mut st = lock(&self.state);
        while st.pending && !st.finished {
            st = self.ready.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        if st.finished {
            return;
        }
        let s = &mut st.snap;
        // SAFETY: no concurrent writer, by the caller's contract; the
        // buffers have the matrices' sizes (`new`).
        unsafe {
            syn0.copy_dense_into(&mut s.syn0);
            syn1.copy_dense_into(&mut s.syn1);
        }
        s.workers.copy_from_slice(workers);
        for (d, &(sum, n)) in s.epoch_loss.iter_mut().zip(epoch_loss) {
            *d = EpochLoss { sum, n };
        }
        (s.words, s.words_done, s.seconds) = (words, words_done, seconds);
        st.pending = true;
        self.ready.notify_all();
    }

    /// Whether a snapshot would be taken without waiting (nothing pending,
    /// the writer not busy).
    pub(crate) fn idle(&self) -> bool {
        self.state.try_lock().is_ok_and(|st| !st.pending)
    }

    /// No more snapshots (the writer writes the one pending, if any).
    pub(crate) fn finish(&self) {
        lock(&self.state).finished = true;
        self.ready.notify_all();
    }

    /// Writer side: pass every snapshot to `write` until [`Saver::finish`].
    /// On an error, stop taking snapshots and return it.
    pub(crate) fn serve(&self, write: &mut dyn FnMut(&Snapshot) -> Result<()>) -> Result<()> {
        loop {
            let mut st = lock(&self.state);
            while !st.pending && !st.finished {
                st = self.ready.wait(st).unwrap_or_else(PoisonError::into_inner);
            }
            if !st.pending {
                return Ok(());
            }
            let r = write(&st.snap);
            st.pending = false;
            if r.is_err() {
                st.finished = true;
            }
            drop(st);
            self.ready.notify_all();
            r?;
        }
    }
}

/// Several workers held at sentence ends while the calling thread copies
/// the state.
pub(crate) struct Pause {
    /// Read by every worker at every sentence end.
    requested: AtomicBool,
    state: Mutex<PauseState>,
    changed: Condvar,
}

struct PauseState {
    /// A hold is in progress.
    active: bool,
    /// Advances when a hold ends.
    generation: u64,
    /// Workers waiting in the current hold.
    waiting: usize,
    /// Workers that have returned.
    exited: usize,
    /// A worker returned before finishing (an error, or cancelled).
    incomplete: bool,
    /// Each worker's state, as it waits or as it finished.
    records: Vec<WorkerRecord>,
    /// The boundary's words, the key of the workers' new generators.
    words: u64,
}

impl Pause {
    /// A pause for `threads` workers.
    pub(crate) fn new(threads: usize) -> Pause {
        Pause {
            requested: AtomicBool::new(false),
            state: Mutex::new(PauseState {
                active: false,
                generation: 0,
                waiting: 0,
                exited: 0,
                incomplete: false,
                records: vec![bytemuck::Zeroable::zeroed(); threads],
                words: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Whether workers should stop at their next sentence end.
    #[inline]
    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Worker `t` side, at a sentence end, standing at `record`: wait until
    /// the hold ends. Returns the boundary's words, or `None` if no hold was
    /// in progress after all.
    pub(crate) fn wait(&self, t: usize, record: WorkerRecord) -> Option<u64> {
        let mut st = lock(&self.state);
        if !st.active {
            return None;
        }
        st.records[t] = record;
        st.waiting += 1;
        self.changed.notify_all();
        let generation = st.generation;
        while st.generation == generation {
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
        Some(st.words)
    }

    /// Worker `t` side, as it returns: `Some(record)` if it finished every
    /// epoch, `None` if it stopped early.
    pub(crate) fn exit(&self, t: usize, record: Option<WorkerRecord>) {
        let mut st = lock(&self.state);
        match record {
            Some(r) => st.records[t] = r,
            None => st.incomplete = true,
        }
        st.exited += 1;
        self.changed.notify_all();
    }

    /// Calling thread: hold every worker at a sentence end (or finished),
    /// compute the boundary's words with `words` from their records, run
    /// `f` on the records and the words, and let the workers go on. Returns
    /// `None`, without running `f`, if a worker stopped early.
    pub(crate) fn hold<R>(
        &self,
        words: impl FnOnce(&[WorkerRecord]) -> u64,
        f: impl FnOnce(&[WorkerRecord], u64) -> R,
    ) -> Option<R> {
        let mut st = lock(&self.state);
        st.active = true;
        self.requested.store(true, Ordering::Relaxed);
        let threads = st.records.len();
        while st.waiting + st.exited < threads {
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let out = if st.incomplete {
            None
        } else {
            st.words = words(&st.records);
            Some(f(&st.records, st.words))
        };
        st.active = false;
        self.requested.store(false, Ordering::Relaxed);
        st.waiting = 0;
        st.generation += 1;
        self.changed.notify_all();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The protocol of a checkpoint with several threads, and its unsafe copy
    // of the shared rows, under Miri in CI (scripts/miri.sh): workers update
    // their own rows and wait at each round's hold; the calling thread copies
    // the held state and hands it to a writer thread.
    #[test]
    fn held_workers_are_copied_and_handed_to_the_writer() {
        let (threads, rounds, dim) = (3, 4, 5);
        let syn0 = SharedMatrix::zeros(threads, dim).expect("a small matrix");
        let syn1 = SharedMatrix::zeros(1, dim).expect("a small matrix");
        let saver = Saver::new(threads * dim, dim, threads, 1);
        let pause = Pause::new(threads);
        let record = |t: usize, r: usize| WorkerRecord {
            position: (100 * t + r) as u64,
            ..bytemuck::Zeroable::zeroed()
        };
        let written = std::thread::scope(|s| {
            let writer = s.spawn(|| {
                let mut got = Vec::new();
                saver
                    .serve(&mut |snap| {
                        got.push((snap.words, snap.syn0.clone(), snap.workers.clone()));
                        Ok(())
                    })
                    .expect("the writer writes");
                got
            });
            for t in 0..threads {
                let (syn0, pause) = (&syn0, &pause);
                s.spawn(move || {
                    for r in 0..rounds {
                        // SAFETY: row `t` is this worker's alone, and no copy
                        // runs until it waits below.
                        unsafe { syn0.row(t) }.fill((r + 1) as f32);
                        while pause.wait(t, record(t, r)).is_none() {
                            std::thread::yield_now();
                        }
                    }
                    pause.exit(t, Some(record(t, rounds)));
                });
            }
            for r in 0..rounds {
                let words = |recs: &[WorkerRecord]| recs.iter().map(|w| w.position).sum();
                pause
                    .hold(words, |recs, words| {
                        // SAFETY: every worker waits in the hold: no writer.
                        unsafe { saver.give(&syn0, &syn1, recs, &[], words, r as u64, 0.0) }
                    })
                    .expect("no worker stopped early");
            }
            saver.finish();
            writer.join().expect("the writer thread")
        });
        assert_eq!(written.len(), rounds);
        for (r, (words, rows, workers)) in written.iter().enumerate() {
            assert!(
                rows.iter().all(|&x| x == (r + 1) as f32),
                "round {r}: {rows:?}"
            );
            let want: Vec<WorkerRecord> = (0..threads).map(|t| record(t, r)).collect();
            assert_eq!(
                bytemuck::cast_slice::<_, u8>(workers),
                bytemuck::cast_slice::<_, u8>(&want)
            );
            assert_eq!(*words, want.iter().map(|w| w.position).sum::<u64>());
        }
    }
}
