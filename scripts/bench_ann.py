#!/usr/bin/env python3
"""bench_ann.py - w2v's neighbour index against hnswlib, faiss (IndexHNSWFlat) and usearch on
the same vectors and queries, ann-benchmarks style. Run through scripts/bench_ann.sh, which makes
the venv and builds w2v; see its header for the sets, the queries and what each number means."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

K = 10


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def read_word2vec_bin(path):
    with open(path, "rb") as f:
        v, d = map(int, f.readline().split())
        out = np.empty((v, d), dtype=np.float32)
        data = f.read()
    at = 0
    for i in range(v):
        sp = data.index(b" ", at)
        at = sp + 1
        out[i] = np.frombuffer(data, dtype="<f4", count=d, offset=at)
        at += 4 * d
        if at < len(data) and data[at:at + 1] == b"\n":
            at += 1
    return out


def write_word2vec_bin(path, x):
    n, d = x.shape
    with open(path, "wb") as f:
        f.write(f"{n} {d}\n".encode())
        x = np.ascontiguousarray(x, dtype="<f4")
        for i in range(n):
            f.write(b"w%d " % i)
            f.write(x[i].tobytes())
            f.write(b"\n")


def unit(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return (x / n).astype(np.float32)


def exact_top(xn, qn, k=K):
    out = np.empty((len(qn), k), dtype=np.uint32)
    for a in range(0, len(qn), 250):
        s = qn[a:a + 250] @ xn.T
        idx = np.argpartition(-s, k, axis=1)[:, :k]
        part = np.take_along_axis(s, idx, axis=1)
        order = np.argsort(-part, axis=1, kind="stable")
        out[a:a + 250] = np.take_along_axis(idx, order, axis=1)
    return out


def recall(found, truth):
    hits = 0
    for f, t in zip(found, truth):
        hits += len(set(int(i) for i in f if i >= 0) & set(int(i) for i in t))
    return hits / truth.size


def timed_single(search_one, q):
    """Per-query latencies in microseconds, one call per query (after a warm-up pass)."""
    for v in q[:100]:
        search_one(v)
    us = []
    found = []
    for v in q:
        t = time.perf_counter()
        r = search_one(v)
        us.append((time.perf_counter() - t) * 1e6)
        found.append(r)
    us.sort()
    return found, us


def point(tool, ds, build, ef, found, us, truth, qps1, qps2):
    return {
        "tool": tool, "set": ds, "build": build, "ef": ef, "queries": len(truth),
        "recall": recall(found, truth),
        "median_us": us[len(us) // 2], "p99_us": us[int(round((len(us) - 1) * 0.99))],
        "qps_1": qps1, "qps_2": qps2,
    }


def bench_hnswlib(x, q, truth, m, efc, efs, ds, workdir, threads):
    import hnswlib
    n, d = x.shape
    p = hnswlib.Index(space="cosine", dim=d)
    p.init_index(max_elements=n, M=m, ef_construction=efc, random_seed=1)
    p.set_num_threads(threads)
    t = time.perf_counter()
    p.add_items(x, np.arange(n))
    build_s = time.perf_counter() - t
    path = os.path.join(workdir, "hnswlib.bin")
    p.save_index(path)
    size = os.path.getsize(path)
    del p
    t = time.perf_counter()
    p = hnswlib.Index(space="cosine", dim=d)
    p.load_index(path, max_elements=n)
    open_ms = (time.perf_counter() - t) * 1e3
    b = {"m": m, "ef_construction": efc, "build_s": build_s, "index_bytes": size, "open_ms": open_ms}
    out = []
    for ef in efs:
        p.set_ef(max(ef, K))
        p.set_num_threads(1)
        found, us = timed_single(lambda v: p.knn_query(v, k=K)[0][0], q)
        t = time.perf_counter(); p.knn_query(q, k=K); qps1 = len(q) / (time.perf_counter() - t)
        p.set_num_threads(2)
        t = time.perf_counter(); p.knn_query(q, k=K); qps2 = len(q) / (time.perf_counter() - t)
        out.append(point("hnswlib", ds, b, ef, found, us, truth, qps1, qps2))
    os.remove(path)
    return out


def bench_faiss(x, q, truth, m, efc, efs, ds, workdir, threads):
    import faiss
    n, d = x.shape
    xn, qn = unit(x), unit(q)
    faiss.omp_set_num_threads(threads)
    ix = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
    ix.hnsw.efConstruction = efc
    t = time.perf_counter()
    ix.add(xn)
    build_s = time.perf_counter() - t
    path = os.path.join(workdir, "faiss.index")
    faiss.write_index(ix, path)
    size = os.path.getsize(path)
    del ix
    t = time.perf_counter()
    ix = faiss.read_index(path)
    open_ms = (time.perf_counter() - t) * 1e3
    b = {"m": m, "ef_construction": efc, "build_s": build_s, "index_bytes": size, "open_ms": open_ms}
    out = []
    for ef in efs:
        ix.hnsw.efSearch = max(ef, K)
        faiss.omp_set_num_threads(1)
        found, us = timed_single(lambda v: ix.search(v[None, :], K)[1][0], qn)
        t = time.perf_counter(); ix.search(qn, K); qps1 = len(q) / (time.perf_counter() - t)
        faiss.omp_set_num_threads(2)
        t = time.perf_counter(); ix.search(qn, K); qps2 = len(q) / (time.perf_counter() - t)
        out.append(point("faiss", ds, b, ef, found, us, truth, qps1, qps2))
    os.remove(path)
    return out


def bench_usearch(x, q, truth, m, efc, efs, ds, workdir, threads):
    from usearch.index import Index
    n, d = x.shape
    ix = Index(ndim=d, metric="cos", dtype="f32", connectivity=m, expansion_add=efc)
    t = time.perf_counter()
    ix.add(np.arange(n), x, threads=threads)
    build_s = time.perf_counter() - t
    path = os.path.join(workdir, "usearch.usearch")
    ix.save(path)
    size = os.path.getsize(path)
    del ix
    t = time.perf_counter()
    ix = Index.restore(path, view=True)
    open_ms = (time.perf_counter() - t) * 1e3
    b = {"m": m, "ef_construction": efc, "build_s": build_s, "index_bytes": size,
         "open_ms": open_ms, "open": "view (mmap)"}
    out = []
    for ef in efs:
        ix.expansion_search = max(ef, K)
        found, us = timed_single(lambda v: ix.search(v, K, threads=1).keys, q)
        t = time.perf_counter(); ix.search(q, K, threads=1); qps1 = len(q) / (time.perf_counter() - t)
        t = time.perf_counter(); ix.search(q, K, threads=2); qps2 = len(q) / (time.perf_counter() - t)
        out.append(point("usearch", ds, b, ef, found, us, truth, qps1, qps2))
    del ix
    os.remove(path)
    return out


def run(cmd, **kw):
    log("+", " ".join(cmd))
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def bench_w2v(w2v, x, q, truth, m, efc, efs, ds, workdir, threads):
    n, d = x.shape
    b2 = os.path.join(workdir, "x.bin")
    nat = os.path.join(workdir, "x.w2v")
    write_word2vec_bin(b2, x)
    run([w2v, "convert", b2, nat, "--to", "native"])
    os.remove(b2)
    t = time.perf_counter()
    run([w2v, "index", nat, "--m", str(m), "--ef-construction", str(efc), "--threads", str(threads)])
    build_s = time.perf_counter() - t  # the whole command: reads, verifies, builds, rewrites
    info = json.loads(run([w2v, "info", nat, "--json"]).stdout)
    size = sum(s["bytes"] for s in info["sections"] if s["name"].startswith("hnsw"))
    opened = json.loads(run([w2v, "bench", "open", nat, "--json"]).stdout)
    qf = os.path.join(workdir, "q.f32")
    tf = os.path.join(workdir, "t.u32")
    np.ascontiguousarray(q, dtype="<f4").tofile(qf)
    np.ascontiguousarray(truth, dtype="<u4").tofile(tf)
    lines = run([w2v, "bench", "ann", nat, "--queries", qf, "--truth", tf,
                 "--ef", ",".join(str(max(e, K)) for e in efs), "--threads", "1,2", "--exact"]).stdout
    b = {"m": m, "ef_construction": efc, "build_s": build_s, "index_bytes": size,
         "open_ms": opened.get("open_ms"), "open": "mmap, the model and its index in one file",
         "file_bytes": os.path.getsize(nat), "second_process": second_process(w2v, nat, n)}
    sp = b["second_process"]
    log(f"    second process: adds {sp['added_bytes'] / 2**20:.1f} MiB to the host "
        f"({100 * sp['added_bytes'] / b['file_bytes']:.2f} % of the {b['file_bytes'] / 2**20:.0f} MiB file); "
        f"its RSS {sp['b_rss'] / 2**20:.1f} MiB, PSS {sp['b_pss'] / 2**20:.1f} MiB")
    out = []
    for line in lines.splitlines():
        r = json.loads(line)
        qps2 = next(p["qps"] for p in r["qps"] if p["threads"] == 2)
        out.append({"tool": "w2v" if r["ef"] != "exact" else "w2v exact scan", "set": ds, "build": b,
                    "ef": r["ef"], "queries": r["queries"], "recall": r["recall"],
                    "median_us": r["median_us"], "p99_us": r["p99_us"],
                    "qps_1": r["qps_1"], "qps_2": qps2})
    return out, nat


def smaps_rollup(pid):
    """The memory totals of a process, in bytes (/proc/PID/smaps_rollup)."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return out


def second_process(w2v, nat, n, queries=1000):
    """What a second process querying the same file adds to the host's memory.

    Process A (`w2v similar FILE --json`, one query per line on its standard input) answers 1,000
    word queries through the index and stays open; its proportional set size is read. Process B
    then answers the same queries. B adds (PSS of A + PSS of B, both still open) - (PSS of A
    alone): the pages only B holds (its heap, its stack, pages of the file no one else mapped)
    plus nothing for the file pages both share, whose PSS the two split.
    """
    words = [f"w{i}" for i in np.random.default_rng(5).choice(n, size=queries, replace=False)]

    def start():
        p = subprocess.Popen([w2v, "similar", nat, "--json"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for w in words:
            p.stdin.write(w + "\n")
            p.stdin.flush()
            if not p.stdout.readline().startswith("["):
                raise RuntimeError(f"w2v similar gave no answer for {w}")
        return p

    a = start()
    alone = smaps_rollup(a.pid)
    b = start()
    a_now, b_now = smaps_rollup(a.pid), smaps_rollup(b.pid)
    for p in (a, b):
        p.stdin.close()
        p.wait()
    added = a_now["Pss"] + b_now["Pss"] - alone["Pss"]
    return {"queries": queries, "a_alone_pss": alone["Pss"], "a_rss": alone["Rss"],
            "b_rss": b_now["Rss"], "b_pss": b_now["Pss"], "b_private": b_now["Private_Clean"] + b_now["Private_Dirty"],
            "added_bytes": added}


def datasets(real, names, jitter, rng):
    v, d = real.shape
    qwords = rng.choice(v, size=1000, replace=False)
    for name in names:
        if name == "real":
            yield name, real, real[qwords]
        elif name == "1m":
            n = 1_000_000
            copies = n - v
            src = rng.integers(0, v, size=copies) if copies > 0 else np.array([], dtype=int)
            src = np.concatenate([np.arange(v), src])[:n]
            x = real[src].copy()
            scale = (np.linalg.norm(real, axis=1) / np.sqrt(d)).astype(np.float32)
            x[v:] += jitter * scale[src[v:], None] * rng.standard_normal((n - v, d)).astype(np.float32)
            fresh = real[qwords] + jitter * scale[qwords, None] * rng.standard_normal((1000, d)).astype(np.float32)
            yield name, x, np.concatenate([real[qwords], fresh]).astype(np.float32)
        elif name == "random":
            x = rng.uniform(-1, 1, size=(1_000_000, d)).astype(np.float32)
            yield name, x, rng.uniform(-1, 1, size=(1000, d)).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="trained vectors (native or word2vec)")
    ap.add_argument("--w2v", required=True)
    ap.add_argument("--sets", default="real,1m,random")
    ap.add_argument("--tools", default="w2v,hnswlib,faiss,usearch")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--efc", type=int, default=200)
    ap.add_argument("--ef", default="10,16,24,32,48,64,96,128,192,256,384")
    ap.add_argument("--jitter", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=2, help="build threads")
    ap.add_argument("--out", required=True, help="JSON Lines of every point")
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    efs = [int(e) for e in a.ef.split(",")]
    work = a.workdir or tempfile.mkdtemp(prefix="w2v-ann-")
    os.makedirs(work, exist_ok=True)
    b = os.path.join(work, "real.bin")
    run([a.w2v, "convert", a.model, b, "--to", "bin"])
    real = read_word2vec_bin(b)
    os.remove(b)
    rng = np.random.default_rng(20261207)
    with open(a.out, "a") as out:
        for ds, x, q in datasets(real, a.sets.split(","), a.jitter, rng):
            log(f"set {ds}: {x.shape[0]} x {x.shape[1]}, {len(q)} queries")
            t = time.perf_counter()
            truth = exact_top(unit(x), unit(q))
            log(f"  exact answers in {time.perf_counter() - t:.1f} s")
            for tool in a.tools.split(","):
                log(f"  {tool} (m {a.m}, ef_construction {a.efc})")
                if tool == "w2v":
                    pts, nat = bench_w2v(a.w2v, x, q, truth, a.m, a.efc, efs, ds, work, a.threads)
                    os.remove(nat)
                else:
                    f = {"hnswlib": bench_hnswlib, "faiss": bench_faiss, "usearch": bench_usearch}[tool]
                    pts = f(x, q, truth, a.m, a.efc, efs, ds, work, a.threads)
                for p in pts:
                    p["jitter"] = a.jitter if ds == "1m" else None
                    out.write(json.dumps(p) + "\n")
                    out.flush()
                    log(f"    ef {p['ef']}: recall {p['recall']:.4f} median {p['median_us']:.0f} us "
                        f"p99 {p['p99_us']:.0f} us qps1 {p['qps_1']:.0f} qps2 {p['qps_2']:.0f}")
                log(f"    build {pts[0]['build']['build_s']:.1f} s, {pts[0]['build']['index_bytes']} bytes, "
                    f"open {pts[0]['build']['open_ms']:.2f} ms")


if __name__ == "__main__":
    main()
