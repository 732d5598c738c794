#!/usr/bin/env bash
# bench_before_after.sh - the speed of two builds of w2v, side by side in one run:
# a git revision (BEFORE) against the working tree (or a second revision, AFTER).
#
# Usage:   scripts/bench_before_after.sh --before REV [--after REV] [--runs N]
#                                        [--threads "1 2"] [--models "sgns cbow"]
#
# What it does: builds BEFORE (and AFTER, if given) in a git worktree under
# <repo>/target/bench/rev-<sha>/ with its own target dir, and the working tree with
# `cargo build --release` (no RUSTFLAGS); decompresses the text8 prefix (2.1 M words)
# once into <repo>/target/data/; then, RUNS times, alternating which build goes first:
#   1. `w2v bench kernels --dims 100,300 --json` with each build (every level the CPU
#      has; per cell the median ns/call of that run);
#   2. `w2v train` on the text8 prefix with each build, for each model and thread count
#      (dim 100, window 5, negative 5, sample 1e-4, min-count 5, 5 epochs, seed 1):
#      wall seconds of the whole command and the words/s it reports.
# It prints medians over the runs and the ratio after / before for every cell (above 1:
# the after build is faster). Raw numbers go to <repo>/target/bench/before-after-<time>.json.
#
# Env: W2V_DATA  data dir (default <repo>/../shared/data)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
data="${W2V_DATA:-$repo/../shared/data}"

before="" after="" runs=3 threads_list="1" models="sgns cbow"
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench_before_after.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --before) before="${2:?--before needs a revision}"; shift 2 ;;
        --after) after="${2:?--after needs a revision}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        --threads) threads_list="${2:?--threads needs a value}"; shift 2 ;;
        --models) models="${2:?--models needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ -n "$before" ]] || { usage >&2; die "--before REV is required"; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }

# Build REV in its own worktree; print the binary's path.
build_rev() {
    local sha dir
    sha="$(git -C "$repo" rev-parse --verify "$1^{commit}")" || die "unknown revision $1"
    dir="$repo/target/bench/rev-${sha:0:12}"
    if [[ ! -d "$dir" ]]; then
        git -C "$repo" worktree add --detach --force "$dir" "$sha" >&2
    fi
    (cd "$dir" && env -u RUSTFLAGS CARGO_TARGET_DIR="$dir/target" cargo build --release --quiet >&2)
    echo "$dir/target/release/w2v"
}

bin_before="$(build_rev "$before")"
if [[ -n "$after" ]]; then
    bin_after="$(build_rev "$after")"
    after_name="$after"
else
    (cd "$repo" && env -u RUSTFLAGS cargo build --release --quiet)
    bin_after="$repo/target/release/w2v"
    after_name="working tree ($(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD || echo '+changes'))"
fi

mkdir -p "$repo/target/data" "$repo/target/bench"
corpus="$repo/target/data/text8-prefix-12549837.txt"
if [[ ! -f "$corpus" ]]; then
    src="$data/corpus/text8-prefix-12549837.txt.xz"
    [[ -f "$src" ]] || die "missing $src (set W2V_DATA)"
    xz -dc "$src" > "$corpus.tmp" && mv "$corpus.tmp" "$corpus"
fi

python3 - "$bin_before" "$bin_after" "$before" "$after_name" "$runs" "$threads_list" "$models" \
    "$corpus" "$repo/target/bench" <<'PY'
import json, statistics, subprocess, sys, time, os
bin_b, bin_a, name_b, name_a, runs, threads, models, corpus, out = sys.argv[1:]
runs, threads, models = int(runs), threads.split(), models.split()
bins = {"before": bin_b, "after": bin_a}
env = {k: v for k, v in os.environ.items() if k != "W2V_SIMD"}
kern = {"before": {}, "after": {}}
train = {"before": {}, "after": {}}
words = None
for r in range(runs):
    order = ["before", "after"] if r % 2 == 0 else ["after", "before"]
    for who in order:
        p = subprocess.run([bins[who], "bench", "kernels", "--dims", "100,300", "--json"],
                           capture_output=True, text=True, check=True, env=env)
        for c in json.loads(p.stdout)["results"]:
            kern[who].setdefault((c["level"], c["kernel"], c["dim"]), []).append(c["ns_per_call"])
    for m in models:
        for t in threads:
            for who in order:
                outp = f"{out}/before-after-{who}.bin"
                cmd = [bins[who], "train", "--input", corpus, "--output", outp, "--model", m,
                       "--loss", "ns", "--dim", "100", "--window", "5", "--negative", "5",
                       "--sample", "1e-4", "--min-count", "5", "--epochs", "5", "--threads", t,
                       "--seed", "1", "-q", "--json"]
                t0 = time.perf_counter()
                p = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
                wall = time.perf_counter() - t0
                stats = json.loads(p.stdout)
                words = stats["corpus_words"]
                cell = train[who].setdefault((m, int(t)), {"wall": [], "wps": []})
                cell["wall"].append(wall)
                cell["wps"].append(stats["words_per_sec"])
                print(f"run {r + 1}/{runs} {who:6} {m} {t} thr: {wall:6.2f} s, "
                      f"{stats['words_per_sec'] / 1e3:7.0f}k words/s (training only)", file=sys.stderr)
med = statistics.median
print(f"before: {name_b} ({bin_b})\nafter:  {name_a} ({bin_a})\nmedians of {runs} runs, "
      f"alternating; ratio = after speed / before speed (> 1: after is faster)\n")
print("| kernel | level | dim | before ns | after ns | ratio |\n|---|---|---|---|---|---|")
kratios = []
for key in sorted(kern["before"], key=lambda k: (k[1], k[0], k[2])):
    if key not in kern["after"]:
        continue
    b, a = med(kern["before"][key]), med(kern["after"][key])
    kratios.append(b / a)
    print(f"| {key[1]} | {key[0]} | {key[2]} | {b:.1f} | {a:.1f} | {b / a:.3f} |")
print(f"\nkernels: median ratio {med(kratios):.3f}, range {min(kratios):.3f} to {max(kratios):.3f} "
      f"over {len(kratios)} cells\n")
print("| training (text8 prefix) | threads | before wall s | after wall s | ratio | "
      "before words/s | after words/s | ratio |\n|---|---|---|---|---|---|---|---|")
for key in train["before"]:
    b, a = train["before"][key], train["after"][key]
    bw, aw = med(b["wall"]), med(a["wall"])
    bs, as_ = med(b["wps"]), med(a["wps"])
    print(f"| {key[0]} | {key[1]} | {bw:.2f} | {aw:.2f} | {bw / aw:.3f} | "
          f"{bs / 1e3:.0f}k | {as_ / 1e3:.0f}k | {as_ / bs:.3f} |")
print(f"\n({words:,} corpus words in the vocabulary x 5 epochs per run; the words/s column is "
      f"w2v's own figure for the training phase, wall is the whole command)")
stamp = time.strftime("%Y%m%d-%H%M%S")
with open(f"{out}/before-after-{stamp}.json", "w") as f:
    json.dump({"before": name_b, "after": name_a, "runs": runs,
               "kernels": {w: {"/".join(map(str, k)): v for k, v in d.items()} for w, d in kern.items()},
               "train": {w: {f"{k[0]}/{k[1]}": v for k, v in d.items()} for w, d in train.items()}},
              f, indent=1)
PY
