#!/usr/bin/env bash
# kill_test.sh - `w2v train --checkpoint` survives SIGKILL: training is killed at random moments,
# and after each kill
#   * the output path is absent or holds a complete model (the one it held before the run, or the
#     run's own if it finished before the kill): `w2v info` loads it, `cmp` names which;
#   * `w2v train --resume` from the last checkpoint finishes the run (a run killed before its
#     first checkpoint starts again), and its vectors equal, byte for byte (`cmp`), those of an
#     uninterrupted one-thread run with the same options and checkpoint interval.
# Prints each kill's moment and result, then a summary; exits non-zero on any failure.
#
# Usage:   scripts/kill_test.sh [--kills 20] [--seed S] [--bytes 8000000] [--keep]
#
# Corpus: the first --bytes bytes of the text8 prefix (`$W2V_DATA`, else ../shared/data, as the
# tests find it; decompressed once into target/data/), else, outside CI, a generated corpus.
# Run: SGNS, dim 32, window 5, 3 epochs, one thread, a checkpoint about every 1/15 of the run.
# Kill moments are uniform over 1.1 x the uninterrupted run's wall time (so some land after
# the end); --seed repeats a sequence. Work files go to target/kill_test/ (removed unless --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=20 seed="" bytes=8000000 keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --kills) kills="${2:?}"; shift 2 ;;
        --seed) seed="${2:?}"; shift 2 ;;
        --bytes) bytes="${2:?}"; shift 2 ;;
        --keep) keep=1; shift ;;
        *) echo "kill_test.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
seed="${seed:-$(( $(date +%s) % 100000 ))}"
RANDOM=$seed

cargo build --release --quiet
w2v=target/release/w2v
work=target/kill_test
rm -rf "$work"
mkdir -p "$work" target/data

# The corpus.
data="${W2V_DATA:-../shared/data}"
text8=target/data/text8-prefix-12549837.txt
if [[ ! -f "$text8" && -f "$data/corpus/text8-prefix-12549837.txt.xz" ]]; then
    command -v xz >/dev/null || { apt-get update -qq && apt-get install -y -qq xz-utils; }
    xz -dc "$data/corpus/text8-prefix-12549837.txt.xz" > "$text8.tmp" && mv "$text8.tmp" "$text8"
fi
corpus="$work/corpus.txt"
if [[ -f "$text8" ]]; then
    head -c "$bytes" "$text8" > "$corpus"
    what="the first $bytes bytes of the text8 prefix"
elif [[ "${CI:-}" == "true" ]]; then
    echo "kill_test.sh: CI=true and $data/corpus/text8-prefix-12549837.txt.xz is missing" >&2
    exit 1
else
    # Zipf-like words in sentences of 5 to 24 words.
    awk -v n="$bytes" 'BEGIN { srand(1); b = 0;
        while (b < n) { k = 5 + int(rand() * 20); line = "";
            for (i = 0; i < k; i++) { w = "w" int(2000 * rand() ^ 3); line = line (i ? " " : "") w }
            print line; b += length(line) + 1 } }' > "$corpus"
    what="a generated corpus of $bytes bytes (no text8 prefix found: set W2V_DATA)"
fi

base=(--model sgns --loss ns --dim 32 --window 5 --negative 5 --sample 1e-4 --min-count 5 --threads 1)
words=$("$w2v" train -i "$corpus" -o "$work/count.bin" --min-count 5 --dim 4 --epochs 1 --threads 1 --json -q \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["corpus_words"])')
every=$(( words * 3 / 15 ))
opts=("${base[@]}" --epochs 3 --seed 7 --checkpoint-every "$every")

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$(now) - $1:.2f}')"; }

# The uninterrupted run, and a different complete model to stand in the output path before a run.
t0=$(now)
"$w2v" train -i "$corpus" -o "$work/reference.bin" "${opts[@]}" --checkpoint "$work/reference.ckpt" -q
wall=$(elapsed "$t0")
"$w2v" train -i "$corpus" -o "$work/previous.bin" "${base[@]}" --epochs 1 --seed 8 -q
cmp -s "$work/reference.bin" "$work/previous.bin" && { echo "kill_test.sh: the two models are equal" >&2; exit 1; }
echo "kill_test.sh: $what, $words words; ${opts[*]}"
echo "uninterrupted run: ${wall}s, $(stat -c %s "$work/reference.bin") bytes of vectors; $kills kills (seed $seed)"

out="$work/out.bin" ck="$work/run.ckpt"
wall_ms=$(python3 -c "print(max(1, int($wall * 1000)))")
max_ms=$(( wall_ms * 11 / 10 ))
fail() { result="FAIL: $*"; }
failures=0 resumed=0 restarted=0 finished_before=0 absent=0 previous=0 new=0 identical=0 temps=0
for ((i = 1; i <= kills; i++)); do
    rm -f "$ck" "$out"
    # Every other run starts with a complete model in the output path.
    had=absent
    if (( i % 2 == 0 )); then cp "$work/previous.bin" "$out"; had=previous; fi
    moment_ms=$(( (RANDOM * 32768 + RANDOM) % max_ms ))
    moment=$(printf '%d.%03d' $((moment_ms / 1000)) $((moment_ms % 1000)))
    "$w2v" train -i "$corpus" -o "$out" "${opts[@]}" --checkpoint "$ck" -q 2>"$work/run.err" &
    pid=$!
    sleep "$moment"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null && rc=0 || rc=$?
    result=ok
    case $rc in
        137) state=killed ;;
        0) state="finished before the kill" ;;
        *) state="failed (exit $rc)"; fail "the run failed before the kill: $(tail -n 3 "$work/run.err")" ;;
    esac
    # The output: absent, or a complete model (the previous one, or the run's own).
    if [[ ! -e "$out" ]]; then
        output=absent; absent=$((absent + 1))
        [[ $had == absent ]] || fail "the output that held a model is gone"
    elif ! "$w2v" info "$out" >/dev/null 2>"$work/info.err"; then
        output="unreadable"; fail "w2v info cannot load the output: $(cat "$work/info.err")"
    elif cmp -s "$out" "$work/previous.bin"; then
        output="the previous model"; previous=$((previous + 1))
        [[ $had == previous ]] || fail "the previous model appeared from nowhere"
    elif cmp -s "$out" "$work/reference.bin"; then
        output="the run's own model"; new=$((new + 1))
    else
        output="another model"; fail "the output loads but is neither the previous model nor the run's"
    fi
    # Temporary files a kill leaves (named .NAME.RANDOM.tmp): reported, removed.
    left=$(find "$work" -maxdepth 1 -name '.*.tmp' | wc -l)
    temps=$((temps + left))
    tmp_note="no temporary file left"
    if ((left > 0)); then
        tmp_note="left $(find "$work" -maxdepth 1 -name '.*.tmp' -printf '%f ' | sed 's/ $//') (killed while saving)"
    fi
    find "$work" -maxdepth 1 -name '.*.tmp' -delete
    # Finish the run: from the last checkpoint, or from the start if none was written yet.
    t1=$(now)
    if [[ -f "$ck" ]]; then
        if "$w2v" train -i "$corpus" -o "$out" --resume "$ck" 2>"$work/resume.err"; then
            from=$(grep -o 'resuming .*: [0-9]* of [0-9]* words done (epoch [0-9]* of [0-9]*' "$work/resume.err" \
                   | sed -E 's/.*: ([0-9]+) of ([0-9]+) words done \(epoch ([0-9]+) of ([0-9]+)/\1 of \2 words, epoch \3 of \4/')
            how="resumed from the checkpoint at $from"
            if [[ "$state" == killed ]]; then resumed=$((resumed + 1)); fi
        else
            how="resume failed"; fail "--resume failed: $(tail -n 3 "$work/resume.err")"
        fi
    else
        if "$w2v" train -i "$corpus" -o "$out" "${opts[@]}" --checkpoint "$ck" -q 2>"$work/resume.err"; then
            how="no checkpoint yet: started again"; restarted=$((restarted + 1))
        else
            how="the new run failed"; fail "the new run failed: $(tail -n 3 "$work/resume.err")"
        fi
    fi
    [[ "$state" != finished* ]] || finished_before=$((finished_before + 1))
    took=$(elapsed "$t1")
    if cmp "$out" "$work/reference.bin" >"$work/cmp.txt" 2>&1; then
        verdict="cmp: identical"; identical=$((identical + 1))
    else
        verdict="cmp: DIFFERS ($(head -n 1 "$work/cmp.txt"))"; fail "the finished vectors differ"
    fi
    [[ $result == ok ]] || failures=$((failures + 1))
    printf 'kill %2d/%d at %6ss (%3d%% of the uninterrupted time): %s; output %s; %s; %s in %ss; %s; %s\n' \
        "$i" "$kills" "$moment" $((moment_ms * 100 / wall_ms)) \
        "$state" "$output" "$tmp_note" "$how" "$took" "$verdict" "$result"
done

echo "summary: $kills kills (seed $seed): $resumed resumed from a checkpoint, $restarted killed before the first checkpoint and started again, $finished_before finished before the kill (then resumed from their last checkpoint)"
echo "summary: output after the kill: $absent absent, $previous the previous model, $new the run's own model; every present one loaded"
echo "summary: $identical/$kills finished runs byte-identical (cmp) to the uninterrupted run; $temps temporary files left by kills (removed)"
if ((keep == 0)); then rm -rf "$work"; fi
if ((failures > 0)); then
    echo "kill_test.sh: $failures of $kills kills FAILED" >&2
    exit 1
fi
echo "kill_test.sh: all $kills kills passed"
