#!/usr/bin/env python3
"""bench_open_gensim.py - gensim's side of scripts/bench_open.sh, run in a fresh process.

Usage:  python bench_open_gensim.py MODEL.bin [WORD]

Times KeyedVectors.load_word2vec_format(MODEL, binary=True) and then the lookup of WORD
(default: the word at index len/2) plus reading its vector (summed), and prints one JSON
object: load_ms, lookup_ms, total_ms (both), python_start_to_ready_ms (interpreter start,
imports included, to after the read), vm_rss_mb and rss_file_mb (VmRSS, RssFile after the
read), vm_hwm_mb (VmHWM: the process's peak) and ru_maxrss_mb. MB = 10^6 bytes. The gensim import is not in load_ms.
"""
import json
import os
import resource
import sys
import time

import numpy as np  # noqa: F401  (imported before the clock starts, as gensim needs it)
from gensim.models import KeyedVectors


def status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def main() -> int:
    path = sys.argv[1]
    t0 = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    t1 = time.perf_counter()
    word = sys.argv[2] if len(sys.argv) > 2 else kv.index_to_key[len(kv) // 2]
    t2 = time.perf_counter()
    s = float(kv[word].sum())
    t3 = time.perf_counter()
    # Process start time from /proc (clock ticks since boot) -> ms since process start.
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    since_start_ms = (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1e3
    print(json.dumps({
        "words": len(kv),
        "dim": kv.vector_size,
        "word": word,
        "vector_sum": s,
        "load_ms": (t1 - t0) * 1e3,
        "lookup_ms": (t3 - t2) * 1e3,
        "total_ms": (t3 - t0) * 1e3,
        "python_start_to_ready_ms": since_start_ms,
        "vm_rss_mb": status_mb("VmRSS"),
        "rss_file_mb": status_mb("RssFile"),
        "vm_hwm_mb": status_mb("VmHWM"),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
