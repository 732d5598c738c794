#!/usr/bin/env bash
# bench_spectral.sh - closed-form embeddings (w2v cooc + w2v spectral) against our trained SGNS,
# on the same corpus, scored by the same evaluators.
#
# Usage:   scripts/bench_spectral.sh [--corpus part1|text8] [--vocab V] [--dim D] [--seeds "1 2 3"]
#   --corpus  part1 = enwiki2015-t8style-part1 (16.9 M words, default, V 30000),
#             text8 = text8-prefix-12549837 (2.1 M words, V 10000)
#   --vocab   words of the closed form, and the analogy restriction (default: 30000 / 10000)
#   --dim     dimension of every model (default 100)
#   --seeds   SGNS training seeds; the table shows each and their median (default "1 2 3")
#
# What it does: builds w2v (cargo build --release), decompresses the corpus once into
# <repo>/target/data/, then with /usr/bin/time -v (wall seconds, peak RSS):
#   1. w2v cooc --vocab V --window 5 (all threads);
#   2. w2v spectral --target qwem and --target sppmi --dim D on those counts;
#   3. w2v train --model sgns --loss ns --dim D --window 5 --negative 5 --sample 1e-4
#      --min-count 5 --epochs 5 --threads 2, once per seed;
# and scores every model with `w2v eval analogy --restrict V` (gensim's conventions:
# case-insensitive, questions with a word outside the V most frequent skipped) and
# `w2v eval similarity` on WordSim-353. Outputs go to <repo>/target/bench/spectral/.
#
# Env: W2V_DATA  data dir (default <repo>/../shared/data)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
data="${W2V_DATA:-$repo/../shared/data}"
corpus=part1 vocab="" dim=100 seeds="1 2 3"
usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench_spectral.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="${2:?}"; shift 2 ;;
        --vocab) vocab="${2:?}"; shift 2 ;;
        --dim) dim="${2:?}"; shift 2 ;;
        --seeds) seeds="${2:?}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
case "$corpus" in
    part1) name=enwiki2015-t8style-part1; vocab="${vocab:-30000}" ;;
    text8) name=text8-prefix-12549837; vocab="${vocab:-10000}" ;;
    *) die "unknown corpus $corpus" ;;
esac
command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
(cd "$repo" && env -u RUSTFLAGS cargo build --release --quiet)
w2v="$repo/target/release/w2v"
mkdir -p "$repo/target/data" "$repo/target/bench/spectral"
text="$repo/target/data/$name.txt"
if [[ ! -f "$text" ]]; then
    src="$data/corpus/$name.txt.xz"
    [[ -f "$src" ]] || die "missing $src (set W2V_DATA)"
    xz -dc "$src" > "$text.tmp" && mv "$text.tmp" "$text"
fi
questions="$data/analogy/questions-words.txt"
pairs="$data/similarity/wordsim353/wordsim353.tsv"
out="$repo/target/bench/spectral"
unset W2V_SIMD

# Run a command under /usr/bin/time; print "wall_seconds peak_MB".
timed() {
    local log; log="$(mktemp)"
    /usr/bin/time -v "$@" 2> "$log" >/dev/null || { cat "$log" >&2; die "failed: $*"; }
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                     for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
                /Maximum resident set size/ { rss = $2 / 1024 }
                END { printf "%.1f %.0f\n", wall, rss }' "$log"
    rm -f "$log"
}
# Score a model; print "accuracy% correct/answered spearman".
score() {
    local a s
    a="$("$w2v" eval analogy "$1" "$questions" --restrict "$vocab" --json)"
    s="$("$w2v" eval similarity "$1" "$pairs" --json)"
    python3 -c 'import json, sys
a, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%.2f %d/%d %.4f" % (a["accuracy"], a["correct"], a["answered"], s["spearman"]))' "$a" "$s"
}

echo "corpus $name ($(wc -w < "$text") words), V $vocab, D $dim, window 5; $(nproc) cores"
echo
echo "| model | wall s | peak MB | Google analogies (restrict $vocab) | correct | WS353 Spearman |"
echo "|---|---|---|---|---|---|"
read -r cw cm < <(timed "$w2v" cooc --input "$text" --vocab "$vocab" --window 5 --output "$out/$corpus.cooc" -q)
echo "| w2v cooc (counts) | $cw | $cm | | | |"
for target in qwem sppmi; do
    read -r sw sm < <(timed "$w2v" spectral --cooc "$out/$corpus.cooc" --target "$target" --dim "$dim" \
                                           --output "$out/$corpus-$target.bin" -q)
    read -r acc cor rho < <(score "$out/$corpus-$target.bin")
    echo "| $target (w2v spectral; + cooc: $(python3 -c "print(round($cw + $sw, 1))") s) | $sw | $sm | $acc % | $cor | $rho |"
done
accs=() rhos=()
for seed in $seeds; do
    read -r tw tm < <(timed "$w2v" train --input "$text" --output "$out/$corpus-sgns-$seed.bin" --model sgns \
        --loss ns --dim "$dim" --window 5 --negative 5 --sample 1e-4 --min-count 5 --epochs 5 \
        --threads 2 --seed "$seed" -q)
    read -r acc cor rho < <(score "$out/$corpus-sgns-$seed.bin")
    accs+=("$acc") rhos+=("$rho")
    echo "| SGNS seed $seed (w2v train, 2 threads) | $tw | $tm | $acc % | $cor | $rho |"
done
python3 - "${accs[*]}" "${rhos[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]
r = [float(x) for x in sys.argv[2].split()]
print(f"| SGNS, median of {len(a)} seeds | | | {statistics.median(a):.2f} % | | {statistics.median(r):.4f} |")
PY
