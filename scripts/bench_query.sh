#!/usr/bin/env bash
# bench_query.sh - nearest-neighbour query latency: `w2v bench query` on our native file against
# gensim's KeyedVectors.most_similar on the same vectors, side by side.
#
# Usage:   scripts/bench_query.sh [--model PATH] [--runs 5]
#   --model  a word2vec binary model (default: target/bench/part1_sgns.bin; see below)
#   --runs   rounds; each runs ours and gensim once, alternating which goes first (default 5)
#
# What it does: converts the model to the native format (target/bench/query/NAME.w2v, with the
# 8-bit scan copy), builds ours with `cargo build --release`, then in each round runs
#   ours     `w2v bench query NATIVE --queries 300 --from 100 -k 10 --batch 64 --json`
#            (single-threaded; a warm-up pass, then a timed pass: median us per single query,
#            and median us per query over batches of 64)
#   gensim   scripts/bench_query.py MODEL --from 100 --queries 300 --topn 10 --json
#            (most_similar(word, topn=10): a warm-up pass, then a timed pass: median ms;
#            most_similar has no batch API), with numpy's default BLAS threads and again with
#            OPENBLAS_NUM_THREADS=1 (our queries use one thread)
# over the same words: the vocabulary's words ranked 100..399. The table shows the medians over
# rounds of each round's median. Raw JSON lines go to target/bench/query-<timestamp>.jsonl.
#
# Creating the default model (16.9M-word corpus, 2 threads):
#   xz -dc ../shared/data/corpus/enwiki2015-t8style-part1.txt.xz > target/data/part1.txt
#   target/release/w2v train --input target/data/part1.txt --output target/bench/part1_sgns.bin \
#       --model sgns --threads 2
#
# Env: W2V_BIN  use this binary instead of building target/release/w2v (skips cargo build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
cmdline="$0$(printf ' %q' "$@")"

model="$repo/target/bench/part1_sgns.bin"
model_given=0
runs=5
FROM=100 QUERIES=300 K=10 BATCH=64

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench_query.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --model) model="${2:?--model needs a value}"; model_given=1; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
if [[ ! -f "$model" ]]; then
    if [[ $model_given -eq 1 ]]; then die "model not found: $model"; fi
    die "no model at $model: pass --model PATH (a word2vec binary), or create it with
  xz -dc ../shared/data/corpus/enwiki2015-t8style-part1.txt.xz > target/data/part1.txt
  target/release/w2v train --input target/data/part1.txt --output target/bench/part1_sgns.bin --model sgns --threads 2"
fi

PY="$("$script_dir/venv.sh" | tail -n1)"
if [[ -n "${W2V_BIN:-}" ]]; then
    w2v="$W2V_BIN"
else
    (cd "$repo" && cargo build --release --quiet) >&2
    w2v="$repo/target/release/w2v"
fi

out="$repo/target/bench/query"
mkdir -p "$out"
name="$(basename "$model")"
native="$out/${name%.*}.w2v"
# Rebuilt when older than the model or not readable by this build (an older format version).
if [[ ! -f "$native" || "$native" -ot "$model" ]] || ! "$w2v" info "$native" >/dev/null 2>&1; then
    "$w2v" convert --to native "$model" "$native"
fi
raw="$repo/target/bench/query-$(date +%Y%m%d-%H%M%S).jsonl"

# tag CASE JSON: append JSON with case and round to the raw file.
tag() {
    "$PY" -c 'import json, sys
d = json.loads(sys.argv[1]); d.update(case=sys.argv[2], round=int(sys.argv[3]))
print(json.dumps(d))' "$2" "$1" "$r" >>"$raw"
    echo "  round $r: $1 done" >&2
}
ours() {
    tag ours "$("$w2v" bench query "$native" --queries $QUERIES --from $FROM -k $K --batch $BATCH --json)"
}
theirs() {
    tag gensim "$("$PY" "$script_dir/bench_query.py" "$model" --from $FROM --queries $QUERIES --topn $K --json)"
    tag "gensim 1 thread" "$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        "$PY" "$script_dir/bench_query.py" "$model" --from $FROM --queries $QUERIES --topn $K --json)"
}
for ((r = 1; r <= runs; r++)); do
    if ((r % 2 == 1)); then ours; theirs; else theirs; ours; fi
done

"$PY" - "$raw" "$cmdline" "$model" <<'EOF'
import json, os, statistics, sys

raw, cmdline, model = sys.argv[1:4]
rows = [json.loads(l) for l in open(raw)]
med = lambda c, k: statistics.median(r[k] for r in rows if r["case"] == c)
o = [r for r in rows if r["case"] == "ours"]
g = [r for r in rows if r["case"] == "gensim"]
ours_single = med("ours", "single_median_us")
ours_batch = med("ours", "batch_per_query_median_us")
gen = med("gensim", "single_median_ms") * 1e3
gen1 = med("gensim 1 thread", "single_median_ms") * 1e3
print(f"\nCommand: `{cmdline}`  ")
print(f"Model: {os.path.basename(model)}, {o[0]['words']} words x {o[0]['dim']}; {o[0]['queries']} queries "
      f"(the words ranked 100..{100 + o[0]['queries'] - 1}), top-{o[0]['k']}; ours SIMD {o[0]['simd']}, one thread. "
      f"Medians over {len(o)} rounds of each round's median.  ")
print(f"Raw: {os.path.relpath(raw)}\n")
print("| ours single (us) | ours batch-64 (us per query) | gensim single (us) | gensim single, 1 BLAS thread (us) | gensim / ours single | gensim 1 thread / ours single | ours single / batch |")
print("|---|---|---|---|---|---|---|")
print(f"| {ours_single:.1f} | {ours_batch:.1f} | {gen:.1f} | {gen1:.1f} | {gen / ours_single:.1f}x | "
      f"{gen1 / ours_single:.1f}x | {ours_single / ours_batch:.2f}x |")
per_round = lambda c, k, s=1: ", ".join(f"{r[k] * s:.1f}" for r in rows if r["case"] == c)
print()
print(f"- per round, ours single us: {per_round('ours', 'single_median_us')}; batch us/query: "
      f"{per_round('ours', 'batch_per_query_median_us')}")
print(f"- per round, gensim single us: {per_round('gensim', 'single_median_ms', 1e3)}; "
      f"1 thread: {per_round('gensim 1 thread', 'single_median_ms', 1e3)}")
print(f"- requirement: median latency at least 5x faster than gensim: "
      f"{'met' if gen / ours_single >= 5 else 'NOT met'} ({gen / ours_single:.1f}x; {gen1 / ours_single:.1f}x "
      f"against gensim on one BLAS thread); a batch of 64 costs less per query than single queries: "
      f"{'met' if ours_batch < ours_single else 'NOT met'} ({ours_batch:.1f} vs {ours_single:.1f} us)")
EOF
