#!/usr/bin/env bash
# bench_checkpoint.sh - what checkpoints cost: `w2v train` with and without `--checkpoint`
# (every --every words), side by side, alternating, on the text8 prefix (2.1 M words).
#
# Usage:   scripts/bench_checkpoint.sh [--runs 3] [--threads "1 2"] [--every 1000000] [--dim 100]
#
# Settings: SGNS, dim 100, window 5, negative 5, sample 1e-4, min-count 5, 5 epochs, seed 1
# (as scripts/bench_trace.sh). Prints, per thread count, the median wall seconds of the whole
# command with and without checkpoints, the overhead (checkpointed / plain - 1), the median
# words/s of training alone (--json), and the checkpoint's size.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 threads_list="1 2" every=1000000 dim=100
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="${2:?}"; shift 2 ;;
        --threads) threads_list="${2:?}"; shift 2 ;;
        --every) every="${2:?}"; shift 2 ;;
        --dim) dim="${2:?}"; shift 2 ;;
        *) echo "bench_checkpoint.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }
cargo build --release --quiet
data="${W2V_DATA:-../shared/data}"
corpus=target/data/text8-prefix-12549837.txt
mkdir -p target/data target/bench/checkpoint
[[ -f "$corpus" ]] || { xz -dc "$data/corpus/text8-prefix-12549837.txt.xz" > "$corpus.tmp" && mv "$corpus.tmp" "$corpus"; }
python3 - "$runs" "$threads_list" "$every" "$dim" "$corpus" <<'PY'
import json, os, statistics, subprocess, sys, time
runs, threads, every, dim, corpus = int(sys.argv[1]), sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
out = "target/bench/checkpoint"
base = ["target/release/w2v", "train", "--input", corpus, "--model", "sgns", "--dim", dim,
        "--window", "5", "--negative", "5", "--sample", "1e-4", "--min-count", "5",
        "--epochs", "5", "--seed", "1", "-q", "--json"]
print(f"text8 prefix, SGNS dim {dim}, 5 epochs; a checkpoint every {every} words; "
      f"median of {runs} runs, alternating")
print("| threads | plain wall s | checkpointed wall s | overhead | plain words/s | checkpointed words/s | checkpoints | checkpoint MB |")
print("|---|---|---|---|---|---|---|---|")
for t in threads:
    walls = {"plain": [], "ckpt": []}
    speed = {"plain": [], "ckpt": []}
    words = 0
    for r in range(runs):
        for who in (["plain", "ckpt"] if r % 2 == 0 else ["ckpt", "plain"]):
            cmd = base + ["--threads", t, "--output", f"{out}/{who}.bin"]
            if who == "ckpt":
                if os.path.exists(f"{out}/run.ckpt"):
                    os.remove(f"{out}/run.ckpt")
                cmd += ["--checkpoint", f"{out}/run.ckpt", "--checkpoint-every", every]
            t0 = time.perf_counter()
            stats = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            walls[who].append(time.perf_counter() - t0)
            speed[who].append(stats["words_per_sec"])
            words = stats["words_trained"]
    p, q = statistics.median(walls["plain"]), statistics.median(walls["ckpt"])
    mb = os.path.getsize(f"{out}/run.ckpt") / 1e6
    print(f"| {t} | {p:.2f} | {q:.2f} | {100 * (q / p - 1):+.1f} % | {statistics.median(speed['plain']):.0f} | "
          f"{statistics.median(speed['ckpt']):.0f} | {words // int(every)} | {mb:.1f} |")
PY
