//! What a worker reads: its byte range of a corpus ([`TokenReader`]), or
//! its share of a [`SentenceSource`]'s pass, which all workers draw from in
//! small batches (as gensim's job queue hands out sentences).

use crate::error::{Error, ErrorKind, Result};
use crate::text::corpus::{TokenReader, TokenStream};
use crate::text::sentences::{NextSentence, Pass, SentenceSource, SentenceTokens};
use std::collections::VecDeque;
use std::sync::Mutex;

/// A worker's input: tokens, one pass per epoch, and positions for
/// checkpoints.
pub(crate) trait Reader: TokenStream {
    /// Begin the pass of `epoch` (a later one than the current).
    fn next_pass(&mut self, epoch: usize) -> Result<()>;

    /// Continue the current pass from a checkpoint's `position`.
    fn seek(&mut self, position: u64) -> Result<()>;

    /// Where the reader stands, for a checkpoint's record.
    fn position(&self) -> u64;
}

impl Reader for TokenReader {
    fn next_pass(&mut self, _epoch: usize) -> Result<()> {
        self.rewind()
    }

    fn seek(&mut self, position: u64) -> Result<()> {
        TokenReader::seek(self, position)
    }

    #[inline]
    fn position(&self) -> u64 {
        TokenReader::position(self)
    }
}

/// Sentences a worker takes from the shared pass at a time, at most.
const BATCH_SENTENCES: usize = 64;
/// Tokens a worker takes from the shared pass at a time, about.
const BATCH_TOKENS: usize = 10_000;

/// One source's passes, shared by the workers: the pass of the latest
/// epoch a worker asked for.
pub(crate) struct Feed<'a> {
    source: &'a dyn SentenceSource,
    state: Mutex<FeedState<'a>>,
}

struct FeedState<'a> {
    /// The epoch of `pass` (`None` before the first).
    epoch: Option<usize>,
    /// The pass, until it ends.
    pass: Option<Pass<'a>>,
}

impl<'a> Feed<'a> {
    /// Passes over `source`, begun when the first worker asks.
    pub(crate) fn new(source: &'a dyn SentenceSource) -> Feed<'a> {
        Feed {
            source,
            state: Mutex::new(FeedState {
                epoch: None,
                pass: None,
            }),
        }
    }

    /// A worker's reader of the feed.
    pub(crate) fn reader<'f>(&'f self) -> SentenceTokens<FeedHandle<'f, 'a>> {
        let handle = FeedHandle {
            feed: self,
            epoch: 0,
            batch: VecDeque::new(),
        };
        SentenceTokens::new(handle, self.source.name())
    }

    /// Move up to a batch of epoch `epoch`'s sentences into `out`; none
    /// once that epoch's pass has ended (or a later one has begun).
    fn take(&self, epoch: usize, out: &mut VecDeque<Vec<String>>) -> Result<()> {
        let mut st = self
            .state
            .lock()
            .map_err(|_| Error::new(ErrorKind::Internal, "sentence feed poisoned"))?;
        if st.epoch.is_none_or(|e| e < epoch) {
            st.epoch = Some(epoch);
            st.pass = Some(self.source.pass()?);
        } else if st.epoch != Some(epoch) {
            return Ok(());
        }
        let Some(pass) = st.pass.as_mut() else {
            return Ok(());
        };
        let mut tokens = 0;
        while out.len() < BATCH_SENTENCES && tokens < BATCH_TOKENS {
            match pass.next() {
                Some(s) => {
                    let s = s?;
                    tokens += s.len();
                    out.push_back(s);
                }
                None => {
                    st.pass = None;
                    break;
                }
            }
        }
        Ok(())
    }
}

/// One worker's end of a [`Feed`].
pub(crate) struct FeedHandle<'f, 'a> {
    feed: &'f Feed<'a>,
    epoch: usize,
    batch: VecDeque<Vec<String>>,
}

impl NextSentence for FeedHandle<'_, '_> {
    fn next_sentence(&mut self, out: &mut Vec<String>) -> Result<bool> {
        if self.batch.is_empty() {
            self.feed.take(self.epoch, &mut self.batch)?;
        }
        match self.batch.pop_front() {
            Some(s) => {
                *out = s;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

impl Reader for SentenceTokens<FeedHandle<'_, '_>> {
    fn next_pass(&mut self, epoch: usize) -> Result<()> {
        self.restart();
        let h = self.feed_mut();
        h.epoch = epoch;
        h.batch.clear();
        Ok(())
    }

    fn seek(&mut self, _position: u64) -> Result<()> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "a run on sentences cannot resume from a checkpoint (checkpoints record byte positions in a corpus)",
        ))
    }

    fn position(&self) -> u64 {
        0
    }
}
