#!/usr/bin/env bash
# trace_steps.sh - the figures of docs/theory.md part 2: SGNS traced from a small and from the
# default initialisation on the text8 prefix, the closed form as reference, and the SVGs.
#
# Usage:   scripts/trace_steps.sh [--seeds "1 2 3"] [--out docs]
#
# Runs (all: SGNS, dim 50, window 5, negative 5, sample 1e-4, min-count 5, 3 epochs, constant
# learning rate 0.025, 1 thread, a trace point every 50,000 words):
#   1. w2v cooc + w2v spectral --target qwem --dim 100 on the V = 10,000 most frequent words:
#      the reference (its eigenvalues, for the theory's curves and the subspace overlaps);
#   2. small initialisation (--init-scale 1e-4: entries in 1e-4 x (-0.5, 0.5) / dim), one run
#      per seed, and the default initialisation (seed 1);
#   3. the same small-initialisation run at dim 100, for the overlap of the final top-100
#      subspace with the closed form's.
# Prints each run's half-rise words (where s_k first reaches half its final value) and writes
# OUT/trace-small-init.svg (with the theory's curves), OUT/trace-default-init.svg,
# OUT/spectrum.svg (the closed form's eigenvalues) and OUT/map.svg (a 2D map of the closed form).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="1 2 3" out=docs
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seeds) seeds="${2:?}"; shift 2 ;;
        --out) out="${2:?}"; shift 2 ;;
        *) echo "trace_steps.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }
env -u RUSTFLAGS cargo build --release --quiet
w2v=target/release/w2v
data="${W2V_DATA:-../shared/data}"
corpus=target/data/text8-prefix-12549837.txt
work=target/bench/trace-steps
mkdir -p target/data "$work" "$out"
[[ -f "$corpus" ]] || { xz -dc "$data/corpus/text8-prefix-12549837.txt.xz" > "$corpus.tmp" && mv "$corpus.tmp" "$corpus"; }

half_rise() {  # the half-rise words of a trace (as `w2v plot trace` computes them)
    $w2v plot trace "$1" -o "$work/tmp.svg" | awk '/^ +[0-9]+ +[0-9,]+ +[0-9.]+$/ { printf "%s ", $2 } /increase strictly/ { print "|", $0 }'
}

$w2v cooc --input "$corpus" --vocab 10000 --window 5 --output "$work/counts.cooc" -q
$w2v spectral --cooc "$work/counts.cooc" --target qwem --dim 100 --output "$work/qwem.bin" -q
common=(--input "$corpus" --model sgns --window 5 --negative 5 --sample 1e-4 --min-count 5
        --epochs 3 --lr 0.025 --lr-schedule constant --threads 1 --trace-every 50000 -q)
for seed in $seeds; do
    $w2v train "${common[@]}" --dim 50 --seed "$seed" --init-scale 1e-4 --output "$work/small-$seed.bin" \
        --trace "$work/small-$seed.jsonl" --reference "$work/qwem.bin"
    echo "small initialisation, seed $seed, half-rise words of s1..s10: $(half_rise "$work/small-$seed.jsonl")"
done
$w2v train "${common[@]}" --dim 50 --seed 1 --output "$work/default.bin" --trace "$work/default.jsonl"
echo "default initialisation, seed 1, half-rise words of s1..s10:  $(half_rise "$work/default.jsonl")"
$w2v train "${common[@]}" --dim 100 --seed 1 --init-scale 1e-4 --output "$work/small-100.bin" \
    --trace "$work/small-100.jsonl" --reference "$work/qwem.bin"
python3 - "$work/small-100.jsonl" <<'PY'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
o = last["overlap"]
print(f"dim 100, small initialisation, end of training: overlap with the closed form's top-1 "
      f"{o[0]:.3f}, top-10 {o[9]:.3f}, top-50 {o[49]:.3f}, top-100 {o[99]:.3f}")
PY
first="${seeds%% *}"
$w2v plot trace "$work/small-$first.jsonl" --theory --theory-skip 1 -o "$out/trace-small-init.svg"
$w2v plot trace "$work/default.jsonl" -o "$out/trace-default-init.svg"
$w2v plot spectrum --cooc "$work/counts.cooc" --target qwem --k 100 -o "$out/spectrum.svg"
$w2v plot map "$work/qwem.bin" --center -o "$out/map.svg" \
    --words king,queen,man,woman,prince,princess,boy,girl,father,mother,son,daughter,paris,france,rome,italy,berlin,germany,madrid,spain
