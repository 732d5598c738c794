#!/usr/bin/env python3
"""bench_query.py - gensim's side of scripts/bench_query.sh.

Usage:  python bench_query.py MODEL.bin [--from 100] [--queries 300] [--topn 10] [--json]

Loads a word2vec binary model with KeyedVectors.load_word2vec_format(binary=True) and times
kv.most_similar(word, topn) for the vocabulary's words ranked FROM .. FROM+QUERIES-1 (file
order): one untimed warm-up pass (it also builds gensim's unit-norm matrix), then one timed
pass; prints the median (and mean) ms per query. most_similar has no batch API: only single
queries are timed. numpy's BLAS runs with its default thread count unless OPENBLAS_NUM_THREADS
etc. say otherwise; the count in use is reported when threadpoolctl is installed.
"""
import argparse
import json
import statistics
import sys
import time

from gensim.models import KeyedVectors


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [i.get("num_threads") for i in threadpool_info() if i.get("user_api") == "blas"] or None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--from", dest="start", type=int, default=100)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--topn", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    kv = KeyedVectors.load_word2vec_format(a.model, binary=True)
    words = kv.index_to_key[a.start:a.start + a.queries]
    if not words:
        sys.exit("bench_query.py: no query words (the vocabulary is too small)")
    for w in words:  # warm-up
        kv.most_similar(w, topn=a.topn)
    times = []
    for w in words:
        t = time.perf_counter()
        kv.most_similar(w, topn=a.topn)
        times.append((time.perf_counter() - t) * 1e3)
    doc = {
        "words": len(kv),
        "dim": kv.vector_size,
        "topn": a.topn,
        "queries": len(words),
        "first_word": words[0],
        "single_median_ms": statistics.median(times),
        "single_mean_ms": statistics.fmean(times),
        "blas_threads": blas_threads(),
    }
    if a.json:
        print(json.dumps(doc))
    else:
        print(f"gensim: {doc['words']} words x {doc['dim']}, top-{a.topn}, {len(words)} queries: "
              f"single median {doc['single_median_ms']:.3f} ms (mean {doc['single_mean_ms']:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
