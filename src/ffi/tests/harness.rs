//! What the tests of the C exports share: a small corpus, owners of options
//! and models that free them on drop, query outputs filled with sentinels,
//! and status assertions that show the error message.

use crate::ffi::*;
use W2vStatus as S;
use std::ffi::{CStr, CString, c_char, c_int};
use std::ptr::null_mut;

/// Written into out-parameters before a call that must not touch them.
pub(super) const SENT: usize = 0xDEAD_BEEF;
/// The dimension of the test models.
pub(super) const DIM: usize = 16;
/// The vocabulary of [`corpus`].
pub(super) const WORDS: [&str; 24] = [
    "king", "queen", "man", "woman", "prince", "princess", "boy", "girl", "paris", "france",
    "rome", "italy", "cat", "dog", "runs", "walks", "the", "a", "big", "small", "red", "blue",
    "city", "river",
];

/// Under Miri (an interpreter, about a thousand times slower than a build)
/// the test models train on a fifth of the corpus for one epoch: the tests
/// check what the exports do with a model, not what it learned.
const LIGHT: bool = cfg!(miri);

/// 400 short sentences over [`WORDS`] (80 under Miri), the same every run.
pub(super) fn corpus() -> String {
    let mut state: u64 = 42;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize % n
    };
    let mut text = String::new();
    for _ in 0..if LIGHT { 80 } else { 400 } {
        let len = 4 + next(5);
        let sentence: Vec<&str> = (0..len).map(|_| WORDS[next(WORDS.len())]).collect();
        text.push_str(&sentence.join(" "));
        text.push('\n');
    }
    text
}

/// `s` as a C string.
pub(super) fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// The calling thread's last error message.
pub(super) fn message() -> String {
    let mut buf = [0 as c_char; 512];
    // SAFETY: `buf` is writable for its length; `needed` may be NULL.
    let s = unsafe { w2v_last_error_message(buf.as_mut_ptr(), buf.len(), null_mut()) };
    assert_eq!(s, S::Ok);
    // SAFETY: on success the buffer holds a NUL-terminated string.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

/// Assert that a call succeeded.
#[track_caller]
pub(super) fn ok(status: W2vStatus) {
    assert_eq!(status, S::Ok, "{}", message());
}

/// Assert that a call failed with `want` and a message containing `needle`.
#[track_caller]
pub(super) fn expect(status: W2vStatus, want: W2vStatus, needle: &str) {
    assert_eq!(status, want);
    let msg = message();
    assert!(msg.contains(needle), "message {msg:?} lacks {needle:?}");
}

/// Training options owned by a test (freed on drop): skip-gram, dim 16,
/// 3 epochs (1 under Miri), min-count 2, one thread, so training is fast and deterministic.
pub(super) struct Options(pub(super) *mut W2vTrainOptions);

impl Options {
    /// The options every test trains with.
    pub(super) fn small() -> Options {
        let mut o = null_mut();
        // SAFETY: `o` is writable; then `o` is a live options object.
        unsafe {
            ok(w2v_train_options_new(&mut o));
            ok(w2v_train_options_set_model(o, W2vModelKind::Sgns as c_int));
            ok(w2v_train_options_set_dim(o, DIM));
            ok(w2v_train_options_set_epochs(o, if LIGHT { 1 } else { 3 }));
            ok(w2v_train_options_set_threads(o, 1));
            ok(w2v_train_options_set_min_count(o, 2));
        }
        Options(o)
    }

    /// The options as Rust sees them, to compare before and after a call.
    pub(super) fn debug(&self) -> String {
        // SAFETY: a live options object, used by this thread only.
        format!("{:?}", unsafe { &(*self.0).config })
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: from w2v_train_options_new, freed only here.
        unsafe { w2v_train_options_free(self.0) };
    }
}

/// A model owned by a test, freed on drop.
pub(super) struct Model(pub(super) *mut W2vModel);

impl Model {
    /// A model trained on [`corpus`] through `w2v_train_buffer`.
    pub(super) fn small() -> Model {
        let (o, text, mut m) = (Options::small(), corpus(), null_mut());
        let (p, n) = (text.as_ptr().cast(), text.len());
        // SAFETY: live options; `text` readable for `n` bytes; `m` writable.
        ok(unsafe { w2v_train_buffer(o.0, p, n, None, null_mut(), &mut m) });
        assert!(!m.is_null());
        Model(m)
    }

    /// The vector of `word`.
    pub(super) fn vector(&self, word: &str) -> Vec<f32> {
        let (mut v, mut needed, w) = (vec![0.0; DIM], 0, c(word));
        // SAFETY: a live model; `v` writable for DIM floats.
        ok(unsafe { w2v_model_vector(self.0, w.as_ptr(), v.as_mut_ptr(), DIM, &mut needed) });
        assert_eq!(needed, DIM);
        v
    }

    /// The index of `word`.
    pub(super) fn index(&self, word: &str) -> usize {
        let (mut i, w) = (SENT, c(word));
        // SAFETY: a live model, a C string, a writable output.
        ok(unsafe { w2v_model_index(self.0, w.as_ptr(), &mut i) });
        i
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: from this library, freed only here.
        unsafe { w2v_model_free(self.0) };
    }
}

/// The outputs of a neighbour query (up to 5 answers), pre-filled with sentinels.
#[derive(Debug, PartialEq)]
pub(super) struct Answers {
    pub(super) indices: [usize; 5],
    pub(super) scores: [f32; 5],
    pub(super) found: usize,
}

impl Answers {
    /// Outputs holding sentinels only.
    pub(super) fn new() -> Answers {
        Answers {
            indices: [SENT; 5],
            scores: [-9.0; 5],
            found: SENT,
        }
    }

    /// The output pointers of a query.
    fn outputs(&mut self) -> (*mut usize, *mut f32, *mut usize) {
        let (i, s) = (self.indices.as_mut_ptr(), self.scores.as_mut_ptr());
        (i, s, &mut self.found)
    }

    /// `w2v_model_most_similar` for `k <= 5` answers.
    pub(super) fn most_similar(
        &mut self,
        m: &Model,
        pos: &[&CStr],
        neg: &[&CStr],
        k: usize,
    ) -> W2vStatus {
        let pos: Vec<_> = pos.iter().map(|s| s.as_ptr()).collect();
        let neg: Vec<_> = neg.iter().map(|s| s.as_ptr()).collect();
        let (i, s, f) = self.outputs();
        let (np, nn) = (pos.len(), neg.len());
        // SAFETY: a live model; the word arrays hold C strings; outputs hold 5 >= k.
        unsafe { w2v_model_most_similar(m.0, pos.as_ptr(), np, neg.as_ptr(), nn, k, 0, i, s, f) }
    }

    /// `w2v_model_nearest` of `v` (any length), 5 answers.
    pub(super) fn nearest(&mut self, m: &Model, v: &[f32]) -> W2vStatus {
        let (i, s, f) = self.outputs();
        // SAFETY: a live model; `v` readable for its length; outputs hold 5.
        unsafe { w2v_model_nearest(m.0, v.as_ptr(), v.len(), 5, 0, i, s, f) }
    }

    /// `w2v_model_analogy` `a : b :: c : ?` with `method`, 3 answers.
    pub(super) fn analogy(&mut self, m: &Model, [a, b, c]: [&CStr; 3], method: c_int) -> W2vStatus {
        let (i, s, f) = self.outputs();
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_ptr());
        // SAFETY: a live model; C strings; outputs hold 5 >= 3.
        unsafe { w2v_model_analogy(m.0, a, b, c, method, 3, 0, i, s, f) }
    }
}
