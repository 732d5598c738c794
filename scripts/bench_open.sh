#!/usr/bin/env bash
# bench_open.sh - time opening a large model and reading one vector: our native file (mmap)
# against gensim's KeyedVectors.load_word2vec_format(binary=True) of the same vectors.
#
# Usage:   scripts/bench_open.sh [--words 1000000] [--dim 300] [--runs 5] [--keep]
#   --words, --dim  size of the synthetic model (default 1,000,000 x 300: a 1.2 GB word2vec file)
#   --runs          rounds; each round runs every case once, in a fresh process (default 5)
#   --keep          keep the model files under target/bench/open/ (reused by the next run)
#
# What it does: checks free disk space, writes a synthetic word2vec binary model (words
# w0000001.., random normal floats / 10) with scripts/bench_open_gen.py (numpy, in the gensim
# venv of scripts/venv.sh), converts it with `w2v convert --to native` (the native file carries
# the 8-bit scan copy: `w2v convert` has no option to leave it out), builds ours with
# `cargo build --release`, then in each round (the order alternates between rounds) runs:
#   ours native        `w2v bench open NATIVE WORD --json`: Embeddings::load -> mmap, lookup, sum
#   ours native, evicted   the same, just after posix_fadvise(DONTNEED) dropped the file from
#                      the page cache (only that file; the VM's host may still cache its disk)
#   ours word2vec      `w2v bench open BIN WORD --json`: our reader, the whole file into memory
#   gensim             scripts/bench_open_gensim.py BIN WORD: load_word2vec_format(binary=True)
# WORD is the middle word (index len/2). Apart from the "evicted" case the page cache is warm:
# the file was just written or read, so these are first opens in a fresh process, not cold
# disk reads. "process ms" is the wall time of the whole command as seen by this script
# (fork/exec, the interpreter and imports for gensim). MB = 10^6 bytes.
# Raw JSON lines go to target/bench/open-<timestamp>.jsonl.
#
# Env: W2V_BIN  use this binary instead of building target/release/w2v (skips cargo build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
cmdline="$0$(printf ' %q' "$@")"

words=1000000
dim=300
runs=5
keep=0

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench_open.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --words) words="${2:?--words needs a value}"; shift 2 ;;
        --dim) dim="${2:?--dim needs a value}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
for v in words dim runs; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v must be a positive integer"
done

PY="$("$script_dir/venv.sh" | tail -n1)"
if [[ -n "${W2V_BIN:-}" ]]; then
    w2v="$W2V_BIN"
else
    (cd "$repo" && cargo build --release --quiet) >&2
    w2v="$repo/target/release/w2v"
fi

out="$repo/target/bench/open"
mkdir -p "$out"
bin="$out/synth-${words}x${dim}.bin"
native="$out/synth-${words}x${dim}.w2v"
stamp="$(date +%Y%m%d-%H%M%S)"
raw="$repo/target/bench/open-$stamp.jsonl"

cleanup() {
    if [[ $keep -eq 0 ]]; then rm -f "$bin" "$bin.tmp" "$native"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- disk space
width=$((${#words} > 7 ? ${#words} : 7))
bin_bytes=$((words * (width + 3 + 4 * dim)))
# native: matrix + 8-bit scan copy (dim rounded up to 4) + scales + words, counts, hash, norms.
native_bytes=$((words * (4 * dim + (dim + 3) / 4 * 4 + 4 + width + 1 + 8 + 8 + 4)  + 16 * words))
need=0
[[ -f "$bin" ]] || need=$((need + bin_bytes))
[[ -f "$native" ]] || need=$((need + native_bytes))
avail=$(($(df -Pk "$out" | awk 'NR == 2 {print $4}') * 1024))
echo "disk: $((avail / 1000000)) MB free in $out; need $((need / 1000000)) MB (+1 GB margin)" >&2
((avail > need + 1000000000)) || die "not enough disk space"

# ---------------------------------------------------------------- the model
if [[ ! -f "$bin" ]]; then
    t0=$(date +%s%N)
    "$PY" "$script_dir/bench_open_gen.py" "$bin" --words "$words" --dim "$dim"
    echo "generated $bin in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
fi
# Rebuilt when older than the model or not readable by this build (an older format version).
if [[ ! -f "$native" || "$native" -ot "$bin" ]] || ! "$w2v" info "$native" >/dev/null 2>&1; then
    t0=$(date +%s%N)
    "$w2v" convert --to native "$bin" "$native"
    echo "converted to native in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
fi
word=$(printf "w%0${width}d" $((words / 2 + 1)))

# ---------------------------------------------------------------- runs
evict() {
    "$PY" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)' "$1"
}
# run CASE CMD...: runs CMD (which prints one JSON object), adds case, round and process_ms.
run() {
    local case="$1"; shift
    local t0 t1 json
    t0=$(date +%s%N)
    json=$("$@")
    t1=$(date +%s%N)
    "$PY" -c 'import json, sys
d = json.loads(sys.argv[1]); d.update(case=sys.argv[2], round=int(sys.argv[3]), process_ms=int(sys.argv[4]) / 1e6)
print(json.dumps(d))' "$json" "$case" "$r" "$((t1 - t0))" >>"$raw"
    echo "  round $r: $case done" >&2
}
ours_native() { run "ours native" "$w2v" bench open "$native" "$word" --json; }
ours_evicted() { evict "$native"; run "ours native, evicted" "$w2v" bench open "$native" "$word" --json; }
ours_bin() { run "ours word2vec" "$w2v" bench open "$bin" "$word" --json; }
theirs() { run "gensim" "$PY" "$script_dir/bench_open_gensim.py" "$bin" "$word"; }

# Warm the page cache for both files once (untimed) so that every round sees the same state.
cat "$bin" "$native" >/dev/null
for ((r = 1; r <= runs; r++)); do
    if ((r % 2 == 1)); then
        ours_native; theirs; ours_bin; ours_evicted
    else
        ours_evicted; ours_bin; theirs; ours_native
    fi
done
# The evicted file is read back into the cache by the next round; leave it cached.
cat "$native" >/dev/null

# ---------------------------------------------------------------- table
"$PY" - "$raw" "$cmdline" "$bin" "$native" <<'EOF'
import json, os, statistics, sys

raw, cmdline, bin_path, native_path = sys.argv[1:5]
rows = [json.loads(l) for l in open(raw)]
cases = ["ours native", "ours native, evicted", "ours word2vec", "gensim"]
size = {"ours native": os.path.getsize(native_path), "ours native, evicted": os.path.getsize(native_path),
        "ours word2vec": os.path.getsize(bin_path), "gensim": os.path.getsize(bin_path)}
med = {}
for c in cases:
    rs = [r for r in rows if r["case"] == c]
    g = lambda k: statistics.median(r[k] for r in rs)
    med[c] = {
        "open": g("load_ms" if c == "gensim" else "open_ms"),
        "lookup": g("lookup_ms"),
        "total": g("total_ms"),
        "process": g("process_ms"),
        "rss": g("vm_rss_mb"),
        "file": g("rss_file_mb"),
        "peak": g("vm_hwm_mb"),
        "n": len(rs),
    }
first = rows[0]
print(f"\nCommand: `{cmdline}`  ")
print(f"Model: {first['words']} words x {first['dim']}, word `{first['word']}`; "
      f"word2vec binary {os.path.getsize(bin_path) / 1e6:.1f} MB, native {os.path.getsize(native_path) / 1e6:.1f} MB. "
      f"Medians of {med['gensim']['n']} rounds; page cache warm except in the \"evicted\" row.  ")
print(f"Raw: {os.path.relpath(raw)}\n")
print("| case | file MB | open/load ms | lookup + read ms | total ms | process ms | VmRSS after MB | RssFile MB | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
label = {"ours native": "ours: native, `Embeddings::open` (mmap)",
         "ours native, evicted": "ours: native, file evicted from the page cache first",
         "ours word2vec": "ours: word2vec binary, `Embeddings::load` (read)",
         "gensim": "gensim: `load_word2vec_format(binary=True)`"}
for c in cases:
    m = med[c]
    print(f"| {label[c]} | {size[c] / 1e6:.0f} | {m['open']:.3f} | {m['lookup']:.3f} | {m['total']:.3f} | "
          f"{m['process']:.1f} | {m['rss']:.1f} | {m['file']:.1f} | {m['peak']:.1f} |")
o, g, b = med["ours native"], med["gensim"], med["ours word2vec"]
print()
print(f"- gensim load + read / ours native open + read (total ms): {g['total'] / o['total']:.0f}x; "
      f"whole process: {g['process'] / o['process']:.1f}x")
print(f"- gensim peak RSS / ours native VmRSS after the read: {g['peak'] / o['rss']:.0f}x")
print(f"- ours reading the word2vec file / gensim (total ms): {b['total'] / g['total']:.2f}")
ok_time = o["total"] < 10
ok_mem = o["rss"] < 0.05 * size["ours native"] / 1e6
print(f"- requirement: native open + one vector under 10 ms: {'met' if ok_time else 'NOT met'} "
      f"({o['total']:.3f} ms); resident memory far below the file size: {'met' if ok_mem else 'NOT met'} "
      f"({o['rss']:.1f} MB of a {size['ours native'] / 1e6:.0f} MB file)")
EOF
