#!/usr/bin/env bash
# bench_train.sh - training speed of our CLI (target/release/w2v) vs fastText, side by side.
#
# Usage:   scripts/bench_train.sh [--corpus part1|text8|tiny] [--threads "1 2"]
#                                 [--models "sgns cbow"] [--runs N] [--eval]
#   --corpus   part1 = enwiki2015-t8style-part1 (16.9 M words, default),
#              text8 = text8-prefix-12549837 (2.1 M words), tiny = tiny/text8-prefix-500k (smoke test)
#   --threads  thread counts to try (default "1 2")
#   --models   sgns and/or cbow (default "sgns cbow")
#   --runs     runs per (model, threads) and tool; the table shows medians (default 3)
#   --eval     also score the last outputs of both tools with scripts/eval_model.sh
#
# What it does: installs fastText and GNU time from Debian if missing, decompresses the corpus
# once into <repo>/target/data/, builds ours with `cargo build --release`, then for each model,
# thread count and run times ours and fastText back to back (the order alternates between runs)
# with `/usr/bin/time -v`: wall seconds of the whole command and peak RSS.
# words/s = corpus words (wc -w) * epochs / wall seconds.
# Settings: dim 100, window 5, negative 5, sample 1e-4, min-count 5, epochs 5,
# lr 0.025 (sgns) / 0.05 (cbow). fastText runs without subwords (-minn 0 -maxn 0).
# Raw per-run numbers go to <repo>/target/bench/train-<timestamp>.tsv; model outputs to
# <repo>/target/bench/out/.
#
# Env: W2V_DATA  data dir (default <repo>/../shared/data)
#      W2V_BIN   use this binary instead of building target/release/w2v (skips cargo build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
data="${W2V_DATA:-$repo/../shared/data}"
cmdline="$0$(printf ' %q' "$@")"

corpus=part1
threads_list="1 2"
models="sgns cbow"
runs=3
do_eval=0

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench_train.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="${2:?--corpus needs a value}"; shift 2 ;;
        --threads) threads_list="${2:?--threads needs a value}"; shift 2 ;;
        --models) models="${2:?--models needs a value}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        --eval) do_eval=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
for m in $models; do [[ "$m" == sgns || "$m" == cbow ]] || die "unknown model: $m"; done
for t in $threads_list; do [[ "$t" =~ ^[1-9][0-9]*$ ]] || die "bad thread count: $t"; done

# Fixed training settings (shared by both tools).
DIM=100 WINDOW=5 NEGATIVE=5 SAMPLE=1e-4 MIN_COUNT=5 EPOCHS=5
lr_for() { if [[ "$1" == sgns ]]; then echo 0.025; else echo 0.05; fi; }
ft_mode() { if [[ "$1" == sgns ]]; then echo skipgram; else echo cbow; fi; }

# ---------------------------------------------------------------- tools
apt_updated=0
apt_install() {
    if [[ $apt_updated -eq 0 ]]; then apt-get update >&2; apt_updated=1; fi
    apt-get install -y "$@" >&2
}
command -v fasttext >/dev/null || apt_install fasttext
[[ -x /usr/bin/time ]] || apt_install time
command -v xz >/dev/null || apt_install xz-utils

# ---------------------------------------------------------------- corpus
case "$corpus" in
    part1) xz_file="$data/corpus/enwiki2015-t8style-part1.txt.xz" ;;
    text8) xz_file="$data/corpus/text8-prefix-12549837.txt.xz" ;;
    tiny) xz_file="" ;;
    *) die "unknown corpus: $corpus (part1|text8|tiny)" ;;
esac
if [[ -n "$xz_file" ]]; then
    [[ -f "$xz_file" ]] || die "corpus not found: $xz_file (set W2V_DATA?)"
    mkdir -p "$repo/target/data"
    input="$repo/target/data/$(basename "$xz_file" .xz)"
    if [[ ! -s "$input" ]]; then
        echo "decompressing $xz_file -> $input" >&2
        xz -dc "$xz_file" >"$input.tmp"
        mv "$input.tmp" "$input"
    fi
else
    input="$data/tiny/text8-prefix-500k.txt"
    [[ -f "$input" ]] || die "corpus not found: $input (set W2V_DATA?)"
fi
words=$(wc -w <"$input")
echo "corpus: $input ($words words)" >&2

# ---------------------------------------------------------------- our binary
if [[ -n "${W2V_BIN:-}" ]]; then
    w2v="$W2V_BIN"
else
    cargo_bin="$(command -v cargo || echo "$HOME/.cargo/bin/cargo")"
    echo "building: cargo build --release" >&2
    (cd "$repo" && "$cargo_bin" build --release >&2)
    w2v="$repo/target/release/w2v"
fi
[[ -x "$w2v" ]] || die "not executable: $w2v"

# ---------------------------------------------------------------- timing
# Timings are only meaningful on an otherwise idle machine: warn if it is busy.
load_start=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load_start" 'BEGIN { exit !(l > 0.5) }'; then
    echo "bench_train.sh: WARNING: load average is $load_start; other work will skew the timings" >&2
fi
bench_dir="$repo/target/bench"
out_dir="$bench_dir/out"
mkdir -p "$out_dir"
stamp="$(date +%Y%m%d-%H%M%S)"
tsv="$bench_dir/train-$stamp.tsv"
printf 'corpus\tmodel\tthreads\trun\ttool\twall_s\tmax_rss_kb\tcorpus_words\tepochs\twords_per_s\n' >"$tsv"

# build_cmd TOOL MODEL THREADS: sets the global array CMD to that tool's training command.
build_cmd() {
    local tool=$1 model=$2 threads=$3 lr
    lr=$(lr_for "$model")
    if [[ "$tool" == ours ]]; then
        CMD=("$w2v" train --input "$input" --output "$out_dir/ours-$model.bin" --model "$model"
            --loss ns --dim "$DIM" --window "$WINDOW" --negative "$NEGATIVE" --sample "$SAMPLE"
            --min-count "$MIN_COUNT" --epochs "$EPOCHS" --lr "$lr" --threads "$threads" --quiet)
    else
        CMD=(fasttext "$(ft_mode "$model")" -input "$input" -output "$out_dir/fasttext-$model"
            -dim "$DIM" -ws "$WINDOW" -neg "$NEGATIVE" -t "$SAMPLE" -minCount "$MIN_COUNT"
            -epoch "$EPOCHS" -lr "$lr" -thread "$threads" -minn 0 -maxn 0 -verbose 0)
    fi
}

# time_run TOOL MODEL THREADS RUN: runs the tool's command under /usr/bin/time -v and appends
# a row to the TSV.
time_run() {
    local tool=$1 model=$2 threads=$3 run=$4 tfile log wall rss wps
    build_cmd "$tool" "$model" "$threads"
    tfile="$bench_dir/.time-$tool.txt"
    log="$bench_dir/.log-$tool.txt"
    echo "[$model t=$threads run $run/$runs] $tool ..." >&2
    if ! /usr/bin/time -v -o "$tfile" "${CMD[@]}" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "$tool failed: ${CMD[*]}"
    fi
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" -> seconds
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0;
            for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tfile")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $NF }' "$tfile")
    [[ -n "$wall" && -n "$rss" ]] || die "could not parse $tfile"
    wps=$(awk -v w="$words" -v e="$EPOCHS" -v s="$wall" 'BEGIN { if (s < 0.01) s = 0.01; printf "%.0f", w * e / s }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$corpus" "$model" "$threads" "$run" "$tool" \
        "$wall" "$rss" "$words" "$EPOCHS" "$wps" >>"$tsv"
    echo "    ${wall}s, $((rss / 1024)) MB, $wps words/s" >&2
}

for model in $models; do
    for threads in $threads_list; do
        for ((run = 1; run <= runs; run++)); do
            # Alternate who goes first so neither tool always runs on a "warmer" machine.
            if ((run % 2 == 1)); then
                time_run ours "$model" "$threads" "$run"
                time_run fasttext "$model" "$threads" "$run"
            else
                time_run fasttext "$model" "$threads" "$run"
                time_run ours "$model" "$threads" "$run"
            fi
        done
    done
done

# ---------------------------------------------------------------- report
# stat MODEL THREADS TOOL COLUMN: median (words_per_s) or max (max_rss_kb) over runs.
median_col() {
    awk -F'\t' -v m="$1" -v t="$2" -v tool="$3" -v c="$4" \
        'NR > 1 && $2 == m && $3 == t && $5 == tool { print $c }' "$tsv" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2];
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
max_col() {
    awk -F'\t' -v m="$1" -v t="$2" -v tool="$3" -v c="$4" \
        'NR > 1 && $2 == m && $3 == t && $5 == tool && $c > mx { mx = $c } END { print mx + 0 }' "$tsv"
}

echo
echo "## Training speed: $corpus ($words words x $EPOCHS epochs), median of $runs run(s)"
echo
echo "| model | threads | ours words/s | fastText words/s | ours/fastText | ours peak RSS MB | fastText peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for model in $models; do
    for threads in $threads_list; do
        o=$(median_col "$model" "$threads" ours 10)
        f=$(median_col "$model" "$threads" fasttext 10)
        orss=$(max_col "$model" "$threads" ours 7)
        frss=$(max_col "$model" "$threads" fasttext 7)
        awk -v m="$model" -v t="$threads" -v o="$o" -v f="$f" -v orss="$orss" -v frss="$frss" \
            'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2f | %.0f | %.0f |\n",
                     m, t, o, f, (f > 0 ? o / f : 0), orss / 1024, frss / 1024 }'
    done
done
echo
echo "Peak RSS is the maximum over runs. 1-min load average at start: $load_start ($(nproc) cores)."
echo "Command: \`$cmdline\`"
echo "Training commands (T = thread count):"
for model in $models; do
    for tool in ours fasttext; do
        build_cmd "$tool" "$model" T
        line=$(printf '%q ' "${CMD[@]}")
        echo "- $tool: \`${line% }\`"
    done
done
echo "Raw numbers: $tsv"

# ---------------------------------------------------------------- quality (--eval)
if [[ $do_eval -eq 1 ]]; then
    echo
    echo "## Quality of the last outputs (gensim: Google analogies restrict 30000, WS353)"
    echo
    echo "| model | tool | analogy acc % | semantic % | syntactic % | answered | WS353 Spearman | WS353 OOV % |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    py="$("$script_dir/venv.sh" | tail -n1)"
    for model in $models; do
        for tool in ours fasttext; do
            if [[ "$tool" == ours ]]; then
                json=$("$script_dir/eval_model.sh" "$out_dir/ours-$model.bin" --binary --json)
            else
                json=$("$script_dir/eval_model.sh" "$out_dir/fasttext-$model.vec" --text --json)
            fi
            "$py" -c '
import json, sys
r = json.loads(sys.argv[3])
f = lambda x, s: "n/a" if x is None else format(x, s)
print("| %s | %s | %s | %s | %s | %d | %s | %s |" % (sys.argv[1], sys.argv[2],
      f(r["analogy_accuracy"], ".2f"), f(r["semantic_accuracy"], ".2f"),
      f(r["syntactic_accuracy"], ".2f"), r["analogy_answered"],
      f(r["ws353_spearman"], ".4f"), f(r["ws353_oov_ratio"], ".1f")))
' "$model" "$tool" "$json"
        done
    done
fi
