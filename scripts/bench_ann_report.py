#!/usr/bin/env python3
"""bench_ann_report.py POINTS.jsonl OUT.svg - the table BENCHMARKS.md shows and the recall/QPS
curves (one thread) of every tool on every set, as one SVG (matplotlib)."""

import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

pts = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = defaultdict(list)
for p in pts:
    by[(p["set"], p["tool"])].append(p)
sets = sorted({p["set"] for p in pts}, key=["real", "1m", "random"].index)

for s in sets:
    print(f"\n### set `{s}`\n")
    print("| tool | build s (2 threads) | index MB | open ms | ef | recall@10 | median us | p99 us | QPS 1 thread | QPS 2 threads |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (ss, tool), ps in sorted(by.items()):
        if ss != s:
            continue
        b = ps[0]["build"]
        for p in ps:
            print(f"| {tool} | {b['build_s']:.1f} | {b['index_bytes'] / 1e6:.1f} | {b['open_ms']:.2f} | {p['ef']} | "
                  f"{p['recall']:.4f} | {p['median_us']:.0f} | {p['p99_us']:.0f} | {p['qps_1']:.0f} | {p['qps_2']:.0f} |")
    print(f"\nBest one-thread QPS at a recall@10 of at least (set `{s}`):\n")
    print("| tool | 0.90 | 0.95 | 0.99 |")
    print("|---|---|---|---|")
    for (ss, tool), ps in sorted(by.items()):
        if ss != s or tool.endswith("scan"):
            continue
        cells = []
        for r in (0.90, 0.95, 0.99):
            ok = [p for p in ps if p["recall"] >= r]
            cells.append(f"{max(p['qps_1'] for p in ok):.0f} (ef {max(ok, key=lambda p: p['qps_1'])['ef']})" if ok else "not reached")
        print(f"| {tool} | " + " | ".join(cells) + " |")

# One colour per tool on every panel.
colour = {"w2v": "C3", "w2v exact scan": "C4", "faiss": "C0", "hnswlib": "C1", "usearch": "C2"}
fig, axes = plt.subplots(1, len(sets), figsize=(5.2 * len(sets), 4.2), squeeze=False)
for ax, s in zip(axes[0], sets):
    for (ss, tool), ps in sorted(by.items()):
        if ss != s:
            continue
        ps = sorted(ps, key=lambda p: p["recall"])
        style = "x" if tool.endswith("scan") else "o-"
        ax.plot([p["recall"] for p in ps], [p["qps_1"] for p in ps], style, label=tool, markersize=4,
                color=colour.get(tool))
    n = {"real": "part1, 230,507 x 300", "1m": "1M x 300 (real + jittered)", "random": "1M x 300 uniform"}[s]
    ax.set_title(n, fontsize=10)
    ax.set_xlabel("recall@10 against the exact scan")
    ax.set_ylabel("queries per second, one thread")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[2])
