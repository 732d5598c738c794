#!/usr/bin/env bash
# same_bytes.sh - do two builds of w2v write the same bytes? Runs one set of
# deterministic jobs (one thread, a seed) with each binary and compares every
# output file (traces with their timing fields removed).
#
# Usage:   scripts/same_bytes.sh BIN_BEFORE BIN_AFTER [--corpus FILE]
#
# Jobs, on the 2.1 M-word text8 prefix (decompressed once into
# <repo>/target/data/; --corpus for another file), 2 epochs, dim 50, seed 7:
#   train:    sgns/ns, sgns/hs, cbow/ns, cbow/hs, sgns/ns --batch, cbow/ns in
#             native; a run with --checkpoint-every 700000 and the same run
#             killed after its first checkpoint and resumed (their vectors; a
#             checkpoint records seconds, so instead of comparing its bytes
#             each build resumes the other's checkpoint); a traced run
#             (--init-scale 1e-3, the trace lines without "seconds");
#   cooc:     --vocab 5000 --window 5 (the count file);
#   spectral: QWEM and SPPMI of those counts, dim 20.
# A native model or count file whose version differs between the builds
# (magic and version bytes differ: the section container) is compared by
# content, read by the after build: the model as text, the counts through
# their spectral vectors; the after build also resumes the before build's
# checkpoint and embeds its counts.
# Prints one line per output: "same" or "DIFFERENT", then a count, and exits
# 1 if any output differs.
#
# Env: W2V_DATA  data dir (default <repo>/../shared/data)
set -euo pipefail
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
data="${W2V_DATA:-$repo/../shared/data}"
die() { echo "same_bytes.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
a="$(realpath "$1")" b="$(realpath "$2")"; shift 2
corpus=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="${2:?--corpus needs a file}"; shift 2 ;;
        *) die "unknown argument: $1" ;;
    esac
done
[[ -x "$a" && -x "$b" ]] || die "both binaries must exist and be executable"
if [[ -z "$corpus" ]]; then
    corpus="$repo/target/data/text8-prefix.txt"
    if [[ ! -s "$corpus" ]]; then
        mkdir -p "$repo/target/data"
        xz -dc "$data/corpus/text8-prefix-12549837.txt.xz" >"$corpus.tmp"
        mv "$corpus.tmp" "$corpus"
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

jobs() { # $1 binary, $2 output dir
    local w="$1" o="$2" c="$corpus"
    local t=(train -i "$c" --threads 1 --seed 7 --dim 50 --sample 1e-4 -q)
    local e=(--epochs 2)
    mkdir -p "$o"
    for m in "sgns ns" "sgns hs" "cbow ns" "cbow hs"; do
        set -- $m
        "$w" "${t[@]}" "${e[@]}" --model "$1" --loss "$2" -o "$o/$1-$2.bin"
    done
    "$w" "${t[@]}" "${e[@]}" --model sgns --batch -o "$o/sgns-batch.bin"
    "$w" "${t[@]}" "${e[@]}" --model cbow --format native -o "$o/cbow-ns.native"
    "$w" "${t[@]}" "${e[@]}" --model sgns --checkpoint "$o/run.ckpt" --checkpoint-every 700000 -o "$o/ckpt-run.bin"
    # Killed once its first checkpoint is on disk, then resumed: a resumed
    # one-thread run ends with the uninterrupted run's bytes.
    "$w" "${t[@]}" "${e[@]}" --model sgns --checkpoint "$o/killed.ckpt" --checkpoint-every 700000 -o "$o/resumed.bin" &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null && [[ ! -s "$o/killed.ckpt" ]]; do sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$o/resumed.bin"
    "$w" train -i "$c" -q --resume "$o/killed.ckpt" -o "$o/resumed.bin"
    mv "$o/killed.ckpt" "$o/killed.ckpt.keep"
    "$w" "${t[@]}" "${e[@]}" --model sgns --init-scale 1e-3 --trace "$o/trace.raw" --trace-every 500000 -o "$o/traced.bin"
    grep -v '^$' "$o/trace.raw" | sed -E 's/"seconds":[^,}]*,?//g' >"$o/trace.jsonl"; rm "$o/trace.raw"
    "$w" cooc -i "$c" --vocab 5000 --window 5 --threads 1 -o "$o/counts.cooc" -q
    "$w" spectral --cooc "$o/counts.cooc" --dim 20 --threads 1 -o "$o/qwem.bin" -q
    "$w" spectral --cooc "$o/counts.cooc" --target sppmi --dim 20 --threads 1 -o "$o/sppmi.bin" -q
}

jobs "$a" "$work/a"
jobs "$b" "$work/b"
# A checkpoint holds the seconds the run took, so its bytes differ run to
# run: instead, each build resumes the other's checkpoint. A build that
# writes a later file version (the section container) reads the earlier
# one; the earlier build cannot read the later version, which is said.
"$b" train -i "$corpus" -q --resume "$work/a/killed.ckpt.keep" -o "$work/a/cross-resumed.bin"
cmp -s "$work/a/cross-resumed.bin" "$work/a/resumed.bin" || { echo "DIFFERENT  the after build resuming the before build's checkpoint"; exit 1; }
if "$a" train -i "$corpus" -q --resume "$work/b/killed.ckpt.keep" -o "$work/b/cross-resumed.bin" 2>"$work/cross.err"; then
    cmp -s "$work/b/cross-resumed.bin" "$work/b/resumed.bin" || { echo "DIFFERENT  the before build resuming the after build's checkpoint"; exit 1; }
    echo "same       the after build resuming the before build's checkpoint (and back)"
else
    grep -q "version" "$work/cross.err" || { cat "$work/cross.err"; exit 1; }
    echo "same       the after build resuming the before build's checkpoint (the before build does not read the after build's version: $(grep -o 'version [0-9]*' "$work/cross.err" | head -1))"
fi
# The after build's spectral on the before build's counts: the same vectors.
"$b" spectral --cooc "$work/a/counts.cooc" --dim 20 --threads 1 -o "$work/a/cross-qwem.bin" -q
cmp -s "$work/a/cross-qwem.bin" "$work/b/qwem.bin" || { echo "DIFFERENT  the after build's spectral of the before build's counts"; exit 1; }
echo "same       the after build's spectral of the before build's counts"
rm "$work/a/cross-qwem.bin"
n=0 bad=0
for f in "$work/a"/*; do
    name="$(basename "$f")"
    # Checkpoints are compared by resuming them, above.
    [[ "$name" == *.ckpt* || "$name" == cross-resumed.bin ]] && continue
    n=$((n + 1))
    if cmp -s "$f" "$work/b/$name"; then
        echo "same       $name ($(stat -c %s "$f") bytes)"
    elif [[ "$(head -c 12 "$f" | od -An -tx1)" != "$(head -c 12 "$work/b/$name" | od -An -tx1)" ]]; then
        # Another version of a container (magic and version differ): the
        # same content, read by the after build, which reads both.
        case "$name" in
            *.native)
                "$b" convert --to text "$f" "$work/a.txt" >/dev/null 2>&1
                "$b" convert --to text "$work/b/$name" "$work/b.txt" >/dev/null 2>&1
                same=$(cmp -s "$work/a.txt" "$work/b.txt" && echo 1 || echo 0) ;;
            *.cooc)
                # Compared through the spectral vectors above and the text below.
                "$b" spectral --cooc "$f" --target sppmi --dim 20 --threads 1 -o "$work/a.bin" -q
                "$b" spectral --cooc "$work/b/$name" --target sppmi --dim 20 --threads 1 -o "$work/b.bin" -q
                same=$(cmp -s "$work/a.bin" "$work/b.bin" && echo 1 || echo 0) ;;
            *) same=0 ;;
        esac
        if [[ $same == 1 ]]; then
            echo "same       $name (another file version: $(head -c 12 "$f" | tail -c 4 | od -An -tu4 | tr -d ' ') before, $(head -c 12 "$work/b/$name" | tail -c 4 | od -An -tu4 | tr -d ' ') after; the same content read by the after build)"
        else
            echo "DIFFERENT  $name"
            bad=$((bad + 1))
        fi
    else
        echo "DIFFERENT  $name"
        bad=$((bad + 1))
    fi
done
for f in "$work/b"/*; do
    [[ "$(basename "$f")" == *.ckpt* || "$(basename "$f")" == cross-resumed.bin ]] && continue
    [[ -e "$work/a/$(basename "$f")" ]] || { echo "ONLY AFTER $(basename "$f")"; bad=$((bad + 1)); }
done
echo "$((n - bad)) of $n outputs the same"
[[ $bad -eq 0 ]]
