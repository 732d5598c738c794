//! Streaming corpus reading: whitespace tokens, sentences, per-thread ranges.
//!
//! A corpus is a file on disk or a byte buffer in memory. It is never loaded
//! whole: a [`TokenReader`] reads a byte range through a fixed buffer
//! (`BUFFER_BYTES`) and yields tokens as byte slices into that buffer.
//!
//! * Tokens are separated by the space and every ASCII control character
//!   (`\0` to `\x1f` and `\x7f`: tab, `\r`, vertical tab, form feed, NUL,
//!   escape...), so no word holds a control byte (a C string could not carry a
//!   NUL, a terminal would act on an escape). A newline also ends a sentence,
//!   as in word2vec.c; a file with no newlines (text8) is cut into sentences
//!   of at most [`MAX_SENTENCE_WORDS`] words by the trainer.
//! * A token longer than [`MAX_TOKEN_BYTES`] is skipped and counted
//!   ([`TokenReader::skipped_long`]; word2vec.c cuts words at 100 bytes; a
//!   kilobyte without a space is not a word).
//! * Bytes above `\x7f` are part of words; a word that is not valid UTF-8 is
//!   an error of the vocabulary count, naming it.
//! * Threads read disjoint byte ranges `[start, end)`: a reader whose range
//!   starts inside a token skips to the next whitespace, and a token belongs to
//!   the range in which its first byte lies, so every token (a newline's end
//!   of sentence included) is read exactly once.
//! * A reader can continue a pass from where another one stood
//!   ([`TokenReader::seek`]), so a resumed training run reads the same tokens
//!   as an uninterrupted one; [`Corpus::fingerprint`] tells whether a file is
//!   the one a checkpoint was made on.

use crate::error::{Error, ErrorKind, Result};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The longest token kept, in bytes; longer ones are skipped.
pub const MAX_TOKEN_BYTES: usize = 1024;
/// Sentences longer than this many (kept) words are cut, as word2vec.c does.
pub const MAX_SENTENCE_WORDS: usize = 1000;
/// The read buffer of one reader.
const BUFFER_BYTES: usize = 1 << 18;
/// Bytes at each end of a corpus that its [`Fingerprint`] checksums.
pub const FINGERPRINT_SPAN: u64 = 1 << 20;

/// A cheap identity of a corpus: its length and CRC-32s of its first and
/// last [`FINGERPRINT_SPAN`] bytes (the whole corpus, twice, when shorter).
/// Two corpora with equal fingerprints are, in practice, the same file; a
/// change in the middle of a large file goes unseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// Size in bytes.
    pub len: u64,
    /// CRC-32 of the first bytes.
    pub head_crc: u32,
    /// CRC-32 of the last bytes.
    pub tail_crc: u32,
}

/// Where training text comes from.
#[derive(Debug, Clone)]
pub enum Corpus {
    /// A file, streamed.
    File(PathBuf),
    /// Bytes in memory (shared by all training threads).
    Bytes(Arc<[u8]>),
}

impl Corpus {
    /// A corpus streamed from `path`. The file must exist and be readable.
    pub fn file(path: impl AsRef<Path>) -> Result<Corpus> {
        let path = path.as_ref().to_path_buf();
        let meta = std::fs::metadata(&path)
            .map_err(|e| Error::io(format!("cannot open corpus `{}`", path.display()), e))?;
        if meta.is_dir() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("corpus `{}` is a directory", path.display()),
            ));
        }
        Ok(Corpus::File(path))
    }

    /// A corpus held in memory.
    pub fn bytes(data: impl Into<Arc<[u8]>>) -> Corpus {
        Corpus::Bytes(data.into())
    }

    /// Size in bytes.
    pub fn len(&self) -> Result<u64> {
        match self {
            Corpus::File(p) => std::fs::metadata(p)
                .map(|m| m.len())
                .map_err(|e| Error::io(format!("cannot read corpus `{}`", p.display()), e)),
            Corpus::Bytes(b) => Ok(b.len() as u64),
        }
    }

    /// Whether the corpus has no bytes.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// A human-readable name for messages.
    pub fn name(&self) -> String {
        match self {
            Corpus::File(p) => p.display().to_string(),
            Corpus::Bytes(b) => format!("<{} bytes in memory>", b.len()),
        }
    }

    /// A reader over bytes `[start, end)` (see the module docs for how
    /// tokens at the range edges are assigned).
    pub fn reader(&self, start: u64, end: u64) -> Result<TokenReader> {
        // Begin one byte early: if that byte is whitespace, the token at `start`
        // is ours; otherwise the token covering `start` began in the previous
        // range and is skipped.
        let skip_partial = start > 0;
        let start = start.saturating_sub(1);
        let source = match self {
            Corpus::File(p) => {
                let mut f = File::open(p)
                    .map_err(|e| Error::io(format!("cannot open corpus `{}`", p.display()), e))?;
                f.seek(SeekFrom::Start(start)).map_err(|e| {
                    Error::io(format!("cannot seek in corpus `{}`", p.display()), e)
                })?;
                Source::File(f)
            }
            Corpus::Bytes(b) => Source::Bytes(b.clone(), start.min(b.len() as u64) as usize),
        };
        Ok(TokenReader {
            source,
            name: self.name(),
            buf: vec![0u8; BUFFER_BYTES].into_boxed_slice(),
            pos: 0,
            filled: 0,
            offset: start,
            end,
            eof: false,
            skip_partial,
            skip_initial: skip_partial,
            start,
            skipped_long: 0,
        })
    }

    /// The corpus's [`Fingerprint`] (reads at most two MiB).
    pub fn fingerprint(&self) -> Result<Fingerprint> {
        let len = self.len()?;
        let span = len.min(FINGERPRINT_SPAN);
        let (head, tail) = match self {
            Corpus::File(p) => {
                let ctx = || format!("cannot read corpus `{}`", p.display());
                let mut f = File::open(p).map_err(|e| Error::io(ctx(), e))?;
                let mut head = vec![0u8; span as usize];
                f.read_exact(&mut head).map_err(|e| Error::io(ctx(), e))?;
                let mut tail = vec![0u8; span as usize];
                f.seek(SeekFrom::Start(len - span))
                    .and_then(|_| f.read_exact(&mut tail))
                    .map_err(|e| Error::io(ctx(), e))?;
                (crc32fast::hash(&head), crc32fast::hash(&tail))
            }
            Corpus::Bytes(b) => (
                crc32fast::hash(&b[..span as usize]),
                crc32fast::hash(&b[(len - span) as usize..]),
            ),
        };
        Ok(Fingerprint {
            len,
            head_crc: head,
            tail_crc: tail,
        })
    }

    /// Split `[0, len)` into `parts` contiguous ranges of nearly equal size.
    pub fn ranges(&self, parts: usize) -> Result<Vec<(u64, u64)>> {
        let len = self.len()?;
        let parts = parts.max(1) as u64;
        Ok((0..parts)
            .map(|i| (len * i / parts, len * (i + 1) / parts))
            .collect())
    }
}

enum Source {
    File(File),
    Bytes(Arc<[u8]>, usize),
}

impl Source {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::File(f) => f.read(out),
            Source::Bytes(b, pos) => {
                let n = out.len().min(b.len() - *pos);
                out[..n].copy_from_slice(&b[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
        }
    }
}

/// One item from a [`TokenReader`].
#[derive(Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A word (raw bytes; not yet checked for UTF-8).
    Word(&'a [u8]),
    /// A newline: the end of a sentence.
    EndOfSentence,
}

/// Something that gives tokens one at a time: a [`TokenReader`] over text,
/// or [`SentenceTokens`](super::sentences::SentenceTokens) over token lists.
pub trait TokenStream {
    /// The next token, or `None` at the end of the pass.
    fn next_token(&mut self) -> Result<Option<Token<'_>>>;

    /// Tokens longer than [`MAX_TOKEN_BYTES`] skipped so far.
    fn skipped_long(&self) -> u64;
}

impl TokenStream for TokenReader {
    #[inline]
    fn next_token(&mut self) -> Result<Option<Token<'_>>> {
        TokenReader::next_token(self)
    }

    fn skipped_long(&self) -> u64 {
        TokenReader::skipped_long(self)
    }
}

/// Whether `b` separates tokens: the space and every ASCII control byte.
#[inline(always)]
pub(crate) fn is_space(b: u8) -> bool {
    b <= b' ' || b == 0x7f
}

/// Reads tokens from one byte range of a corpus through a fixed buffer.
/// After construction it never allocates.
pub struct TokenReader {
    source: Source,
    name: String,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// Corpus offset of `buf[pos]`.
    offset: u64,
    end: u64,
    eof: bool,
    skip_partial: bool,
    /// Whether a fresh pass over the range begins by skipping a partial token.
    skip_initial: bool,
    /// Where reading began (one byte before the range when it starts inside the corpus).
    start: u64,
    /// Tokens over [`MAX_TOKEN_BYTES`] skipped so far.
    skipped_long: u64,
}

impl TokenReader {
    /// Move unread bytes to the front and read until the buffer is full or
    /// the input ends (a read may return fewer bytes than asked for, as the
    /// last one of a file does: stopping there left a word that ran off the
    /// buffer at the end of the file looking longer than the buffer).
    /// Returns false at end of input.
    fn refill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.pos..self.filled, 0);
        self.filled -= self.pos;
        self.pos = 0;
        while self.filled < self.buf.len() {
            match self.source.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("cannot read corpus `{}`", self.name), e)),
            }
        }
        Ok(true)
    }

    #[inline]
    fn advance(&mut self, n: usize) {
        self.pos += n;
        self.offset += n as u64;
    }

    /// Whether unread bytes remain, refilling the buffer if it is used up.
    #[inline]
    fn has_data(&mut self) -> Result<bool> {
        if self.pos < self.filled {
            return Ok(true);
        }
        self.refill()?;
        Ok(self.pos < self.filled)
    }

    /// Tokens longer than [`MAX_TOKEN_BYTES`] skipped so far (by this
    /// reader, over all its passes).
    pub fn skipped_long(&self) -> u64 {
        self.skipped_long
    }

    /// The corpus offset of the next unread byte: after [`next_token`]
    /// returned a word of `n` bytes, the word began at `position() - n`.
    ///
    /// [`next_token`]: TokenReader::next_token
    #[inline]
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Start again from the beginning of the range, keeping the buffer (no allocation).
    pub fn rewind(&mut self) -> Result<()> {
        match &mut self.source {
            Source::File(f) => {
                f.seek(SeekFrom::Start(self.start))
                    .map_err(|e| Error::io(format!("cannot seek in corpus `{}`", self.name), e))?;
            }
            Source::Bytes(b, pos) => *pos = (self.start as usize).min(b.len()),
        }
        self.pos = 0;
        self.filled = 0;
        self.offset = self.start;
        self.eof = false;
        self.skip_partial = self.skip_initial;
        Ok(())
    }

    /// Continue the current pass from corpus offset `position`, a value
    /// [`position`] returned at a token boundary of this range (after a word
    /// or a newline, as at the end of a sentence), so that the tokens read
    /// next are the ones a reader that stood there would have read. A
    /// position at or before the range's start begins the pass afresh
    /// ([`rewind`]). No allocation.
    ///
    /// [`position`]: TokenReader::position
    /// [`rewind`]: TokenReader::rewind
    pub fn seek(&mut self, position: u64) -> Result<()> {
        self.rewind()?;
        if position <= self.start {
            return Ok(());
        }
        match &mut self.source {
            Source::File(f) => {
                f.seek(SeekFrom::Start(position))
                    .map_err(|e| Error::io(format!("cannot seek in corpus `{}`", self.name), e))?;
            }
            Source::Bytes(b, pos) => {
                *pos = usize::try_from(position).map_or(b.len(), |p| p.min(b.len()))
            }
        }
        self.offset = position;
        self.skip_partial = false;
        Ok(())
    }

    /// Skip the rest of a token longer than [`MAX_TOKEN_BYTES`].
    fn skip_long_token(&mut self) -> Result<()> {
        loop {
            match self.buf[self.pos..self.filled]
                .iter()
                .position(|&b| is_space(b))
            {
                Some(i) => {
                    self.advance(i);
                    return Ok(());
                }
                None => {
                    let n = self.filled - self.pos;
                    self.advance(n);
                    if !self.refill()? || self.pos == self.filled {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// The next token whose first byte lies in this reader's range, or `None`
    /// at the end of the range.
    #[inline]
    pub fn next_token(&mut self) -> Result<Option<Token<'_>>> {
        if self.skip_partial {
            self.skip_partial = false;
            // Started inside the corpus: the byte before `start` decides whether
            // we are inside a token. We do not have it, so skip up to the first
            // whitespace; the previous range reads that token in full.
            if !self.has_data()? {
                return Ok(None);
            }
            self.skip_long_token()?;
            // Nothing skipped: the byte before `start` is a separator. It
            // belongs to the previous range, which ends the sentence if it is
            // a newline; step over it so that this range does not as well.
            if self.offset == self.start {
                self.advance(1);
            }
        }
        loop {
            // Skip whitespace other than newlines.
            loop {
                if !self.has_data()? {
                    return Ok(None);
                }
                let b = self.buf[self.pos];
                if b == b'\n' {
                    if self.offset >= self.end {
                        return Ok(None);
                    }
                    self.advance(1);
                    return Ok(Some(Token::EndOfSentence));
                }
                if !is_space(b) {
                    break;
                }
                self.advance(1);
            }
            if self.offset >= self.end {
                return Ok(None);
            }
            // A word starts at `pos`: find its end, refilling once if it runs off
            // the buffer (after a refill the buffer is full, far more than a
            // token, or holds the rest of the input).
            let mut len = self.buf[self.pos..self.filled]
                .iter()
                .position(|&b| is_space(b));
            if len.is_none() && !self.eof {
                self.refill()?;
                len = self.buf[self.pos..self.filled]
                    .iter()
                    .position(|&b| is_space(b));
            }
            match len {
                Some(len) if len <= MAX_TOKEN_BYTES => break,
                None if self.eof && self.filled - self.pos <= MAX_TOKEN_BYTES => break,
                _ => {
                    self.skipped_long += 1;
                    self.skip_long_token()?;
                }
            }
        }
        let len = self.buf[self.pos..self.filled]
            .iter()
            .position(|&b| is_space(b))
            .unwrap_or(self.filled - self.pos);
        let start = self.pos;
        self.advance(len);
        Ok(Some(Token::Word(&self.buf[start..start + len])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &Corpus, start: u64, end: u64) -> Vec<String> {
        let mut r = c.reader(start, end).unwrap();
        let mut out = Vec::new();
        while let Some(t) = r.next_token().unwrap() {
            match t {
                Token::Word(w) => out.push(String::from_utf8_lossy(w).into_owned()),
                Token::EndOfSentence => out.push("\n".into()),
            }
        }
        out
    }

    #[test]
    fn ranges_partition_the_tokens() {
        let text = " the quick  brown\nfox jumps\tover the lazy dog \n\n a b c";
        let c = Corpus::bytes(text.as_bytes().to_vec());
        let all: Vec<String> = words(&c, 0, text.len() as u64)
            .into_iter()
            .filter(|w| w != "\n")
            .collect();
        assert_eq!(
            all,
            [
                "the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "a", "b",
                "c"
            ]
        );
        for parts in 1..=text.len() {
            let mut joined = Vec::new();
            for (s, e) in c.ranges(parts).unwrap() {
                joined.extend(words(&c, s, e).into_iter().filter(|w| w != "\n"));
            }
            assert_eq!(joined, all, "{parts} parts");
        }
    }

    // Found by the tokenizer fuzz target (a minimal input:
    // fuzz/corpus/tokenizer/found-range-after-newline): a range starting right
    // after a newline ended that sentence again, so a corpus read in parts
    // had an extra sentence end at each such cut.
    #[test]
    fn each_newline_ends_one_sentence_wherever_the_ranges_are_cut() {
        let text = "a\nb \n\nc\r\n d\n";
        let c = Corpus::bytes(text.as_bytes().to_vec());
        let len = c.len().unwrap();
        let all = words(&c, 0, len);
        assert_eq!(all, ["a", "\n", "b", "\n", "\n", "c", "\n", "d", "\n"]);
        for cut in 0..=len {
            let mut joined = words(&c, 0, cut);
            joined.extend(words(&c, cut, len));
            assert_eq!(joined, all, "cut at {cut}");
        }
    }

    // Found by the tokenizer fuzz target (fuzz/corpus/tokenizer/
    // found-last-word-across-refill): a word without a separator after it,
    // at the end of the input, running off the buffer was skipped as too
    // long (and counted so): the refill stopped after one short read, before
    // it saw the end of the input.
    #[test]
    fn a_last_word_across_a_refill_is_read() {
        let mut text = b"x ".repeat(BUFFER_BYTES / 2 - 1);
        text.extend_from_slice(b"abc");
        assert_eq!(text.len(), BUFFER_BYTES + 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.txt");
        std::fs::write(&path, &text).unwrap();
        for c in [Corpus::bytes(text.clone()), Corpus::file(&path).unwrap()] {
            let mut r = c.reader(0, text.len() as u64).unwrap();
            let mut last = Vec::new();
            let mut n = 0;
            while let Some(t) = r.next_token().unwrap() {
                if let Token::Word(w) = t {
                    last = w.to_vec();
                    n += 1;
                }
            }
            assert_eq!(
                (n, &last[..]),
                (BUFFER_BYTES / 2, &b"abc"[..]),
                "{}",
                c.name()
            );
            assert_eq!(r.skipped_long(), 0, "{}", c.name());
        }
    }

    #[test]
    fn newlines_end_sentences_and_long_tokens_are_skipped() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        let text = format!("a b\nc {long} d\r\ne");
        let c = Corpus::bytes(text.into_bytes());
        assert_eq!(
            words(&c, 0, c.len().unwrap()),
            ["a", "b", "\n", "c", "d", "\n", "e"]
        );
    }

    #[test]
    fn a_reader_continues_from_a_position() {
        // Sentences of 1 to 9 words, some long ones, across buffer refills.
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!("w{}", i % 613));
            text.push(if i % (1 + i % 9) == 0 { '\n' } else { ' ' });
        }
        let c = Corpus::bytes(text.into_bytes());
        for (start, end) in c.ranges(3).unwrap() {
            let mut r = c.reader(start, end).unwrap();
            let mut seen = Vec::new();
            while let Some(t) = r.next_token().unwrap() {
                let is_word = matches!(t, Token::Word(_));
                seen.push((r.position(), is_word));
            }
            for &(pos, _) in seen.iter().step_by(977) {
                let mut a = c.reader(start, end).unwrap();
                a.seek(pos).unwrap();
                let rest: Vec<bool> = std::iter::from_fn(|| {
                    a.next_token().unwrap().map(|t| matches!(t, Token::Word(_)))
                })
                .collect();
                let want: Vec<bool> = seen
                    .iter()
                    .skip_while(|&&(p, _)| p <= pos)
                    .map(|&(_, w)| w)
                    .collect();
                assert_eq!(rest, want, "range {start}..{end}, from {pos}");
            }
            // A rewind after a seek starts the range again.
            let mut a = c.reader(start, end).unwrap();
            a.seek(seen[seen.len() / 2].0).unwrap();
            a.rewind().unwrap();
            let mut n = 0;
            while a.next_token().unwrap().is_some() {
                n += 1;
            }
            assert_eq!(n, seen.len());
        }
    }

    #[test]
    fn fingerprints_see_the_ends() {
        let text = vec![b'a'; 3 << 20];
        let base = Corpus::bytes(text.clone()).fingerprint().unwrap();
        let mut head = text.clone();
        head[10] = b'b';
        let mut tail = text.clone();
        tail[(3 << 20) - 10] = b'b';
        let mut middle = text.clone();
        middle[3 << 19] = b'b';
        let f = |t: Vec<u8>| Corpus::bytes(t).fingerprint().unwrap();
        assert_ne!(f(head).head_crc, base.head_crc);
        assert_ne!(f(tail).tail_crc, base.tail_crc);
        assert_eq!(f(middle), base, "the middle is not read");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(Corpus::file(&path).unwrap().fingerprint().unwrap(), base);
        assert_eq!(Corpus::bytes(vec![]).fingerprint().unwrap().len, 0);
    }

    #[test]
    fn tokens_across_buffer_refills_and_rewind() {
        // Words straddle the 256 KiB buffer boundary many times.
        let text: String = (0..120_000).map(|i| format!("w{} ", i % 977)).collect();
        let c = Corpus::bytes(text.clone().into_bytes());
        let expect: Vec<String> = text.split_whitespace().map(String::from).collect();
        let mut r = c.reader(0, c.len().unwrap()).unwrap();
        for pass in 0..2 {
            let mut got = Vec::new();
            while let Some(Token::Word(w)) = r.next_token().unwrap() {
                got.push(String::from_utf8_lossy(w).into_owned());
            }
            assert_eq!(got, expect, "pass {pass}");
            r.rewind().unwrap();
        }
    }
}
