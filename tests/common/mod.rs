//! Helpers shared by the integration test binaries: one seeded random
//! generator, temporary directories, the command-line runner, the shared
//! evaluation data and the demo corpus.
//!
//! `tests/it` includes this module as `common`; the no-allocation binaries
//! include it too, and install `counting_alloc` themselves (it is not
//! declared here, so that no other binary gets a counting allocator).

#![allow(dead_code, reason = "each test binary uses its own subset")]

pub mod data;

use rand::{Rng as _, SeedableRng, rngs::SmallRng};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use w2v::Embeddings;

/// The demo's teaching corpus (the application's file, read at compile time).
pub const DEMO_CORPUS: &str = include_str!("../../src/lesson/corpus.txt");

/// The tests' one pseudo-random generator: `rand`'s `SmallRng`, seeded, so
/// every run sees the same numbers.
pub struct Rng(SmallRng);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(SmallRng::seed_from_u64(seed))
    }

    /// 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `[-1, 1)`, on a grid of `2^-23`.
    pub fn float(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// `n` floats from [`Rng::float`].
    pub fn floats(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.float()).collect()
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` floats in `[-1, 1)` from a generator seeded with `seed`.
pub fn floats(n: usize, seed: u64) -> Vec<f32> {
    Rng::new(seed).floats(n)
}

/// A model of `words` (index order) with counts `len - i`, rows from `data`.
pub fn model<S: AsRef<str>>(words: &[S], dim: usize, data: Vec<f32>) -> Embeddings {
    let v = words.len() as u64;
    let counts = (0..v).map(|i| v - i).collect();
    let words = words.iter().map(|w| w.as_ref().into()).collect();
    Embeddings::new(words, counts, dim, data).unwrap()
}

/// The words `w0`, `w1`, ... `w{v-1}`.
pub fn numbered_words(v: usize) -> Vec<String> {
    (0..v).map(|i| format!("w{i}")).collect()
}

/// A temporary directory (`tempfile`), removed when dropped.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// A new, empty directory.
    pub fn new() -> TempDir {
        TempDir(
            tempfile::Builder::new()
                .prefix("w2v-test-")
                .tempdir()
                .unwrap(),
        )
    }

    /// `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        self.0.path()
    }
}

/// Run the `w2v` binary with `args` and extra environment `env`
/// (`W2V_SIMD` is cleared first, so only `env` can set it).
pub fn w2v(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_w2v"));
    cmd.args(args).env_remove("W2V_SIMD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run w2v")
}

/// [`w2v`], asserting success; returns standard output.
pub fn w2v_ok(args: &[&str]) -> String {
    let out = w2v(args, &[]);
    assert!(
        out.status.success(),
        "w2v {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
