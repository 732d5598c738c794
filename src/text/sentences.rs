//! Sentences that are already token lists: from memory, from any iterator,
//! from another language's iterable (the Python module's `sentences=`).
//!
//! A [`SentenceSource`] is read once per pass (once to count the
//! vocabulary, once per epoch), as gensim's restartable iterables are; it
//! need not be held in memory. [`SentenceTokens`] turns sentences into the
//! same [`Token`]s a [`TokenReader`](super::corpus::TokenReader) gives for
//! the text of those sentences, one per line, so a run on sentences learns
//! what a run on that text learns:
//!
//! * each sentence ends with [`Token::EndOfSentence`] (a line's newline);
//! * an empty token is no token (as a double space is none);
//! * a token longer than [`MAX_TOKEN_BYTES`] is skipped and counted;
//! * a token holding a separator (the space or an ASCII control byte) is an
//!   error naming the sentence: in text it would be two words, and no word
//!   of a model may hold one.

use super::corpus::{MAX_TOKEN_BYTES, Token, TokenStream, is_space};
use crate::error::{Error, Result};

/// One pass over a source's sentences, in order; an `Err` item stops the
/// pass (and the run) with that error.
pub type Pass<'a> = Box<dyn Iterator<Item = Result<Vec<String>>> + Send + 'a>;

/// Sentences as token lists, readable more than once.
pub trait SentenceSource: Sync {
    /// A new pass from the first sentence.
    fn pass(&self) -> Result<Pass<'_>>;

    /// A name for messages.
    fn name(&self) -> String {
        "<sentences>".into()
    }
}

/// Sentences held in memory (each pass clones them one at a time).
impl SentenceSource for [Vec<String>] {
    fn pass(&self) -> Result<Pass<'_>> {
        Ok(Box::new(self.iter().map(|s| Ok(s.clone()))))
    }

    fn name(&self) -> String {
        format!("<{} sentences in memory>", self.len())
    }
}

/// Sentences held in memory (each pass clones them one at a time).
impl SentenceSource for Vec<Vec<String>> {
    fn pass(&self) -> Result<Pass<'_>> {
        self.as_slice().pass()
    }

    fn name(&self) -> String {
        self.as_slice().name()
    }
}

/// Where [`SentenceTokens`] gets its next sentence.
pub trait NextSentence {
    /// Replace `out` with the next sentence; false at the end of the pass.
    fn next_sentence(&mut self, out: &mut Vec<String>) -> Result<bool>;
}

impl NextSentence for Pass<'_> {
    fn next_sentence(&mut self, out: &mut Vec<String>) -> Result<bool> {
        match self.next() {
            Some(s) => {
                *out = s?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// The tokens of sentences, as a text reader would give them (see the
/// module docs).
pub struct SentenceTokens<S> {
    feed: S,
    name: String,
    sentence: Vec<String>,
    /// The next token of `sentence` to give; `sentence.len()` gives the end.
    next: usize,
    /// Whether `sentence` is a sentence still to finish (not the initial
    /// empty one, nor one already ended).
    open: bool,
    /// Sentences started so far (for messages).
    number: u64,
    skipped_long: u64,
}

impl<S: NextSentence> SentenceTokens<S> {
    /// Tokens from `feed`; `name` names the source in messages.
    pub fn new(feed: S, name: String) -> SentenceTokens<S> {
        SentenceTokens {
            feed,
            name,
            sentence: Vec::new(),
            next: 0,
            open: false,
            number: 0,
            skipped_long: 0,
        }
    }

    /// The feed, to start it on another pass.
    pub fn feed_mut(&mut self) -> &mut S {
        &mut self.feed
    }

    /// Forget the current sentence (a new pass begins).
    pub fn restart(&mut self) {
        self.sentence.clear();
        self.next = 0;
        self.open = false;
    }
}

impl<S: NextSentence> TokenStream for SentenceTokens<S> {
    fn next_token(&mut self) -> Result<Option<Token<'_>>> {
        loop {
            if self.next < self.sentence.len() {
                let i = self.next;
                self.next += 1;
                let t = self.sentence[i].as_bytes();
                if t.is_empty() {
                    continue;
                }
                if t.len() > MAX_TOKEN_BYTES {
                    self.skipped_long += 1;
                    continue;
                }
                if t.iter().any(|&b| is_space(b)) {
                    return Err(Error::invalid(format!(
                        "{}: sentence {} holds the token {:?}, which contains a space or a control \
                         character (a word cannot: split it, or replace the character)",
                        self.name, self.number, self.sentence[i]
                    )));
                }
                return Ok(Some(Token::Word(self.sentence[i].as_bytes())));
            }
            if self.open {
                self.open = false;
                return Ok(Some(Token::EndOfSentence));
            }
            if !self.feed.next_sentence(&mut self.sentence)? {
                self.sentence.clear();
                self.next = 0;
                return Ok(None);
            }
            self.next = 0;
            self.open = true;
            self.number += 1;
        }
    }

    fn skipped_long(&self) -> u64 {
        self.skipped_long
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Corpus;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    /// Every token of a stream, `\n` for a sentence end.
    fn drain(t: &mut dyn TokenStream) -> Result<Vec<String>> {
        let mut out = Vec::new();
        while let Some(tok) = t.next_token()? {
            out.push(match tok {
                Token::Word(w) => String::from_utf8(w.to_vec()).unwrap(),
                Token::EndOfSentence => "\n".into(),
            });
        }
        Ok(out)
    }

    #[test]
    fn sentences_give_the_tokens_of_their_text_one_per_line() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        let sentences = vec![
            words("the cat sat"),
            vec![],
            words("on  the mat"),
            vec![long.clone(), "dog".into()],
        ];
        let text = format!("the cat sat\n\non  the mat\n{long} dog\n");
        let corpus = Corpus::bytes(text.into_bytes());
        let mut reader = corpus.reader(0, corpus.len().unwrap()).unwrap();
        let from_text: Vec<String> = drain(&mut reader)
            .unwrap()
            .into_iter()
            .filter(|t| t != "\n")
            .collect();
        let pass = sentences.pass().unwrap();
        let mut tokens = SentenceTokens::new(pass, sentences.name());
        let all = drain(&mut tokens).unwrap();
        let from_sentences: Vec<String> = all.iter().filter(|t| *t != "\n").cloned().collect();
        assert_eq!(from_sentences, from_text);
        assert_eq!(all.iter().filter(|t| *t == "\n").count(), 4);
        assert_eq!(tokens.skipped_long(), 1);
        assert_eq!(reader.skipped_long(), 1);
    }

    #[test]
    fn a_token_holding_a_separator_is_an_error_naming_its_sentence() {
        let sentences = vec![words("fine words"), vec!["bad\tword".into()]];
        let mut tokens = SentenceTokens::new(sentences.pass().unwrap(), sentences.name());
        let err = drain(&mut tokens).unwrap_err().to_string();
        assert!(
            err.contains("sentence 2") && err.contains("bad\\tword"),
            "{err}"
        );
    }
}
