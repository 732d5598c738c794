#!/usr/bin/env bash
# Miri (the Rust interpreter that detects undefined behaviour) over the unit
# tests of the unsafe code that is not SIMD: the Hogwild weight matrix
# (train::weights: a raw allocation handed out by rows, across threads), the
# checkpoint handoff (train::checkpoint::handoff: workers held while their
# rows are copied for a writer thread), the C ABI (ffi::tests: pointers and lengths from C, strings, output structs,
# panics caught at the boundary, a one-thread training run with a progress
# callback), and the readers those reach (count, vocabulary, word2vec and
# checkpoint files, the tokenizer, atomic saves).
#
#   scripts/miri.sh
#
# Needs a nightly toolchain with the miri and rust-src components; installs
# them with rustup if `cargo +nightly miri` is missing. Runs at the lowest CPU
# priority. In CI (.ci/run). Here (2 cores): about 3 min for Miri's sysroot and
# 10 min for the dependencies the first time, then 6 min for the 35 tests
# (the C-ABI tests' models train on 80 sentences for one epoch under Miri,
# `cfg(miri)` in src/ffi/tests/harness.rs; 400 sentences and 3 epochs took
# 16 min).
#
# Not under Miri, and why:
# * format::native and every test that opens a native model: it is memory-
#   mapped, and "Miri does not support file-backed memory mappings" (the
#   native loader is fuzzed under AddressSanitizer instead: fuzz/README.md);
#   ffi::tests::save_and_load_native_and_binary is skipped for this.
# * the SIMD kernels (simd::, tests/it/kernels.rs): intrinsics Miri only
#   partly implements; they run under W2V_SIMD=portable and scalar in CI.
# * multi-threaded training: Hogwild's concurrent row updates are data races
#   by design (train/weights.rs), which Miri reports.
# * tests too slow to interpret (the sampler's statistics: over 5 min; the
#   tokenizer's 120000-word refill test; the eigensolver; the C evaluation's
#   30,001-word model, `ignore`d under Miri).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

if ! cargo +nightly miri --version >/dev/null 2>&1; then
  echo "== installing nightly with miri and rust-src (rustup)"
  rustup toolchain install nightly --profile minimal --component miri,rust-src
fi
echo "== $(cargo +nightly miri --version)"
nice -n 19 cargo +nightly miri setup

# The tests write temporary files: let them reach the file system.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
echo "== cargo +nightly miri test --lib (MIRIFLAGS=$MIRIFLAGS)"
nice -n 19 cargo +nightly miri test --lib -- \
  train::weights:: train::checkpoint::handoff:: train::tests:: train::huffman:: \
  format::cooc:: format::vocab:: format::word2vec:: format::atomic:: format::checkpoint:: \
  text::corpus::tests::each_newline text::corpus::tests::newlines_end \
  model::scan::tests::codes_are \
  ffi::tests:: train::worker::batch:: \
  --skip ffi::tests::save_and_load_native_and_binary
