#!/usr/bin/env bash
# Kernel speed table for BENCHMARKS.md: runs `w2v bench kernels --json` several
# times on the default release build (no RUSTFLAGS) and prints, per kernel,
# level and dim, the median over runs of the per-run median ns/call, with the
# speed-up over scalar and over portable.
#
#   scripts/bench_kernels.sh [--runs 5] [--dims 50,100,128,300,1000]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
dims=50,100,128,300,1000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --dims) dims=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
env -u RUSTFLAGS cargo build --release --quiet
out=$(mktemp -d)
for i in $(seq "$runs"); do
  ./target/release/w2v bench kernels --dims "$dims" --json > "$out/run$i.json"
done
python3 - "$out" "$runs" "$dims" <<'PY'
import json, statistics, sys, glob
out, runs, dims = sys.argv[1], sys.argv[2], sys.argv[3]
cells = {}
meta = None
for f in sorted(glob.glob(out + "/run*.json")):
    doc = json.load(open(f))
    meta = doc
    for r in doc["results"]:
        cells.setdefault((r["kernel"], r["dim"], r["level"]), []).append(r["ns_per_call"])
med = {k: statistics.median(v) for k, v in cells.items()}
flops = {"dot": 2, "axpy": 2, "scale": 1, "add": 1, "ns_step": 6}
print(f"Command: `scripts/bench_kernels.sh --runs {runs} --dims {dims}` "
      f"(each run: `w2v bench kernels --json`, median of {meta['batches']} timed batches per cell; "
      f"the table shows the median over {runs} runs). Default level: {meta['default_level']}; "
      f"available: {', '.join(meta['available_levels'])}.\n")
print("| kernel | dim | level | ns/call | GFLOP/s | x scalar | x portable |")
print("|---|---:|---|---:|---:|---:|---:|")
for kernel in ["dot", "axpy", "scale", "add", "ns_step"]:
    for dim in sorted({k[1] for k in med}):
        for level in meta["available_levels"]:
            ns = med.get((kernel, dim, level))
            if ns is None:
                continue
            s = med[(kernel, dim, "scalar")]
            p = med.get((kernel, dim, "portable"), float("nan"))
            print(f"| {kernel} | {dim} | {level} | {ns:.2f} | {flops[kernel]*dim/ns:.2f} | {s/ns:.2f} | {p/ns:.2f} |")
PY
rm -rf "$out"
