#!/usr/bin/env bash
# bench_trace.sh - what tracing costs: `w2v train` with and without `--trace` (at the default
# interval, or --every N), side by side, alternating, on the text8 prefix (2.1 M words).
#
# Usage:   scripts/bench_trace.sh [--runs 3] [--threads "1 2"] [--every N] [--dim 100]
#
# Settings: SGNS, dim 100, window 5, negative 5, sample 1e-4, min-count 5, 5 epochs, seed 1.
# Prints, per thread count, the median wall seconds of the whole command with and without
# the trace, and the overhead (traced / plain - 1). With one thread the traced model must be
# byte-identical to the plain one (tracing reads, never writes); the script checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 threads_list="1 2" every="" dim=100
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="${2:?}"; shift 2 ;;
        --threads) threads_list="${2:?}"; shift 2 ;;
        --every) every="${2:?}"; shift 2 ;;
        --dim) dim="${2:?}"; shift 2 ;;
        *) echo "bench_trace.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }
env -u RUSTFLAGS cargo build --release --quiet
data="${W2V_DATA:-../shared/data}"
corpus=target/data/text8-prefix-12549837.txt
mkdir -p target/data target/bench/trace
[[ -f "$corpus" ]] || { xz -dc "$data/corpus/text8-prefix-12549837.txt.xz" > "$corpus.tmp" && mv "$corpus.tmp" "$corpus"; }
python3 - "$runs" "$threads_list" "$every" "$dim" "$corpus" <<'PY'
import statistics, subprocess, sys, time, filecmp
runs, threads, every, dim, corpus = int(sys.argv[1]), sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
out = "target/bench/trace"
base = ["target/release/w2v", "train", "--input", corpus, "--model", "sgns", "--dim", dim,
        "--window", "5", "--negative", "5", "--sample", "1e-4", "--min-count", "5",
        "--epochs", "5", "--seed", "1", "-q"]
print(f"text8 prefix, SGNS dim {dim}, 5 epochs; trace every {every or 'default (1,000,000)'} words; "
      f"median of {runs} runs, alternating")
print("| threads | plain wall s | traced wall s | overhead | trace points |")
print("|---|---|---|---|---|")
for t in threads:
    walls = {"plain": [], "traced": []}
    points = 0
    for r in range(runs):
        order = ["plain", "traced"] if r % 2 == 0 else ["traced", "plain"]
        for who in order:
            cmd = base + ["--threads", t, "--output", f"{out}/{who}.bin"]
            if who == "traced":
                cmd += ["--trace", f"{out}/trace.jsonl"] + (["--trace-every", every] if every else [])
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            walls[who].append(time.perf_counter() - t0)
        points = sum(1 for _ in open(f"{out}/trace.jsonl")) - 1
        if t == "1" and not filecmp.cmp(f"{out}/plain.bin", f"{out}/traced.bin", shallow=False):
            sys.exit("bench_trace.sh: with one thread the traced model differs from the plain one")
    p, q = statistics.median(walls["plain"]), statistics.median(walls["traced"])
    print(f"| {t} | {p:.2f} | {q:.2f} | {100 * (q / p - 1):+.1f} % | {points} |")
PY
