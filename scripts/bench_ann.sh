#!/usr/bin/env bash
# bench_ann.sh - the neighbour index side by side with hnswlib, faiss (IndexHNSWFlat) and usearch:
# the same vectors, the same queries, one run, ann-benchmarks style.
#
# Usage:   scripts/bench_ann.sh --model PART1_300.w2v [--sets real,1m,random] [--tools w2v,hnswlib,faiss,usearch]
#                               [--m 16] [--efc 200] [--ef 10,16,...] [--jitter 0.3]
#   --model  trained vectors (the issue's: part1 at --min-count 1 --dim 300, 230,507 words):
#              xz -dc ../shared/data/corpus/enwiki2015-t8style-part1.txt.xz > part1.txt
#              w2v train -i part1.txt -o part1-300.w2v --format native --model sgns --batch \
#                  --dim 300 --min-count 1 --threads 2
#
# The sets (scripts/bench_ann.py):
#   real    the model's rows
#   1m      1,000,000 rows: every real row, then jittered copies of random real rows: row r plus
#           jitter x (|r| / sqrt(D)) x N(0, 1) per element (--jitter, default 0.3: a copy's cosine
#           to its row is about 0.96)
#   random  1,000,000 rows uniform in [-1, 1]^D: the hard case (no structure to navigate)
# Queries: the rows of 1,000 real words drawn with a fixed seed (on `1m` also 1,000 fresh jittered
# copies of them; on `random`, 1,000 fresh uniform vectors). No parameter of w2v was chosen on
# them. Exact answers: numpy's full scan of the unit rows (top 10 by cosine).
#
# Each tool: built with --m links (level 0: 2m) and --efc on 2 threads (build seconds of the call
# that adds the rows; for w2v the whole `w2v index` command, which also reads, verifies and
# rewrites the file), then for each search breadth ef: recall@10, the median and p99 latency of
# single queries on one thread (peers: one Python call per query, which adds a few microseconds),
# and queries per second on one and two threads (peers: one batch call, so no per-query Python
# cost; w2v: the library's single-query path). Index bytes: the index sections (w2v) or the saved
# file (peers, which for hnswlib and faiss hold their own copy of the vectors). Open: load_index
# (hnswlib), read_index (faiss), restore(view=True) (usearch, mapped), `w2v bench open` (w2v, mapped).
#
# Output: target/bench/ann-<stamp>.jsonl (every point), the tables on standard output,
# target/bench/ann-<stamp>.svg (recall against QPS, one thread, log scale).
set -euo pipefail
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
echo "command: $0$(printf ' %q' "$@")"
py="$("$script_dir/venv.sh" | tail -n1)"
"$py" -c "import hnswlib, faiss, usearch, matplotlib" 2>/dev/null ||
    "$py" -m pip install --quiet --disable-pip-version-check \
        "hnswlib==0.8.0" "faiss-cpu==1.15.1" "usearch==2.26.6" "matplotlib==3.10.8" >&2
if [[ -z "${W2V_BIN:-}" ]]; then
    (cd "$repo" && cargo build --release --quiet)
    W2V_BIN="$repo/target/release/w2v"
fi
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$repo/target/bench"
out="$repo/target/bench/ann-$stamp.jsonl"
nproc_line="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "machine: $nproc_line"
"$py" "$script_dir/bench_ann.py" --w2v "$W2V_BIN" --out "$out" --workdir "$repo/target/bench/ann-work" "$@"
"$py" "$script_dir/bench_ann_report.py" "$out" "${out%.jsonl}.svg"
echo "points: $out"
echo "plot:   ${out%.jsonl}.svg"
