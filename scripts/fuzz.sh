#!/usr/bin/env bash
# Fuzz the readers and the tokenizer: each target of fuzz/ (fuzz/README.md)
# runs for SECONDS (default 60) under libFuzzer with AddressSanitizer, one
# after another, at the lowest CPU priority. Prints each target's executions
# and whether it crashed; exits non-zero if any target crashed (its input is
# in fuzz/artifacts/<target>/: commit it to fuzz/corpus/<target>/ once fixed).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Each run starts from the kept seeds in fuzz/corpus/<target>/ and writes the
# inputs it finds to fuzz/work/<target>/ (ignored by git), so the kept corpus
# only changes by hand. Logs: fuzz/work/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

secs=${1:-60}
shift || true
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  # Took 2 min 20 s here (2 cores, niced, while other builds ran).
  echo "== installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  time cargo install cargo-fuzz --locked
fi
echo "== $(cargo fuzz --version), $(rustc --version)"

# cargo-fuzz builds with nightly-only flags (-Zsanitizer=address, and the
# libFuzzer runtime of libfuzzer-sys uses no others). The machine's one
# toolchain is stable: RUSTC_BOOTSTRAP=1 makes that rustc accept -Z flags
# (the same compiler's unstable options, nothing downloaded). Without it:
# "error: the option `Z` is only accepted on the nightly compiler".
export RUSTC_BOOTSTRAP=1

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

echo "== cargo fuzz build (release, debug assertions and overflow checks, ASan)"
nice -n 19 cargo fuzz build

failed=()
summary=()
for t in "${targets[@]}"; do
  work=fuzz/work/$t
  log=fuzz/work/$t.log
  mkdir -p "$work" "fuzz/corpus/$t"
  echo "== fuzzing $t for ${secs}s (log: $log)"
  # Build first, so that the time measured is the fuzzing's.
  nice -n 19 cargo fuzz build "$t" >"$log" 2>&1 || { cat "$log"; exit 1; }
  start=$SECONDS
  # -timeout: an input slower than 30 s is a finding (a hang), reported as a crash.
  if nice -n 19 cargo fuzz run "$t" "$work" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -timeout=30 -print_final_stats=1 >>"$log" 2>&1; then
    result=ok
  else
    result=CRASHED
    failed+=("$t")
  fi
  took=$((SECONDS - start))
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  # The last status line: edges covered (cov), features (ft), corpus size.
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -Eo 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  line="$t: ${execs:-?} executions in ${took}s, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?}: $result"
  if [ "$result" != ok ]; then
    grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY)|Test unit written to' "$log" | head -5 || true
    line+=" (see $log, fuzz/artifacts/$t/)"
  fi
  echo "$line"
  summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]}" >&2
  exit 1
fi
