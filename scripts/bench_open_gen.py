#!/usr/bin/env python3
"""bench_open_gen.py - write a synthetic word2vec binary model (for scripts/bench_open.sh).

Usage:  python bench_open_gen.py OUT --words N --dim D [--seed S]

Rows are `w%07d ` (1-based index; wider when N >= 10^7) followed by D little-endian float32
(standard normal / 10) and a newline, as word2vec.c -binary 1 writes them. Written in chunks
from one numpy structured array, so 1M x 300 (1.2 GB) takes seconds, not minutes.
"""
import argparse
import os
import sys

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=50_000)
    a = ap.parse_args()
    n, d = a.words, a.dim
    width = max(7, len(str(n)))
    wlen = 1 + width + 1  # "w" + digits + " "
    row = np.dtype([("w", f"S{wlen}"), ("v", "<f4", (d,)), ("nl", "S1")])
    assert row.itemsize == wlen + 4 * d + 1
    rng = np.random.default_rng(a.seed)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(f"{n} {d}\n".encode())
        for start in range(0, n, a.chunk):
            m = min(a.chunk, n - start)
            buf = np.empty(m, dtype=row)
            buf["w"] = np.char.add(
                np.char.add("w", np.char.zfill(np.arange(start + 1, start + m + 1).astype(str), width)),
                " ",
            ).astype(f"S{wlen}")
            buf["v"] = rng.standard_normal((m, d), dtype=np.float32) * np.float32(0.1)
            buf["nl"] = b"\n"
            buf.tofile(f)
    os.replace(tmp, a.out)
    print(f"{a.out}: {n} words x {d}, {os.path.getsize(a.out)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
