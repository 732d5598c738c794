#!/usr/bin/env python3
"""compare_report.py - helper of scripts/compare.sh (standard library only).

  compare_report.py split IN OUT [--max-words 1000]
      Copy corpus IN to OUT with no line longer than --max-words words: a line break
      of IN stays a line break, a longer line is cut every --max-words words, and words
      are re-joined with single spaces. Reads IN in 1 MB blocks, so a one-line 100 MB
      corpus is fine. compare.sh gives this copy to gensim's corpus_file mode, whose
      reader (gensim 4.4) trains on only the first 10,000 words of each worker's
      share of a line longer than 10,000 words (see compare.sh's header).

  compare_report.py report TSV [--tools "..."] [--configs "..."] [--fill-quality]
      Print the markdown tables of compare.sh for the raw TSV (one row per run).
      --fill-quality: first read each ok row's MODEL.eval.json (written by
      scripts/eval_model.sh --json) into the analogy_pct, ws353 and analogy_answered
      columns and rewrite the TSV in place.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys

TOKEN = re.compile(r"[^\S\n]*(\n)|[^\S\n]*([^\s]+)")
QUALITY = ("analogy_pct", "ws353", "analogy_answered")


def split(a):
    n = 0  # words on the current output line
    pending = ""  # a token possibly cut by the block boundary
    with open(a.input, "r", encoding="utf-8", errors="surrogateescape", newline="") as fin, \
            open(a.output, "w", encoding="utf-8", errors="surrogateescape", newline="") as fout:
        out = []

        def emit(tok):
            nonlocal n
            if tok == "\n":
                if n:
                    out.append("\n")
                n = 0
                return
            if n:
                out.append(" ")
            out.append(tok)
            n += 1
            if n == a.max_words:
                out.append("\n")
                n = 0

        while True:
            block = fin.read(1 << 20)
            if not block:
                break
            text = pending + block
            # Keep a trailing partial word for the next block.
            m = re.search(r"\S+$", text)
            if m:
                pending, text = m.group(0), text[:m.start()]
            else:
                pending = ""
            for nl, word in TOKEN.findall(text):
                emit(nl or word)
            fout.write("".join(out))
            out.clear()
        if pending:
            emit(pending)
        if n:
            out.append("\n")
        fout.write("".join(out))


def num(s):
    try:
        x = float(s)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec, na="n/a"):
    return na if x is None else format(x, spec)


def fill_quality(path, header, rows):
    for r in rows:
        if r["status"] != "ok":
            continue
        ev = r["model"] + ".eval.json"
        if not os.path.isfile(ev):
            continue
        with open(ev) as f:
            d = json.load(f)
        acc, ws, ans = d.get("analogy_accuracy"), d.get("ws353_spearman"), d.get("analogy_answered")
        r["analogy_pct"] = "NA" if acc is None else f"{acc:.2f}"
        r["ws353"] = "NA" if ws is None else f"{ws:.4f}"
        r["analogy_answered"] = "NA" if ans is None else str(ans)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r[h] for h in header) + "\n")
    os.replace(tmp, path)


def describe(config):
    model, dim, threads = config.split("-")
    arch = "skip-gram" if model == "sgns" else "CBOW"
    return f"{arch}, negative sampling, dim {dim}, {threads} thread{'s' if threads != '1' else ''}"


def report(a):
    with open(a.tsv) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    if a.fill_quality:
        fill_quality(a.tsv, header, rows)

    configs = a.configs.split() if a.configs else list(dict.fromkeys(r["config"] for r in rows))
    tools = a.tools.split() if a.tools else list(dict.fromkeys(r["tool"] for r in rows))
    ours = [t for t in ("w2v", "w2v-batch") if t in tools]
    have_quality = any(num(r.get("analogy_pct")) is not None for r in rows)

    def stats(config, tool):
        sel = [r for r in rows if r["config"] == config and r["tool"] == tool]
        ok = [r for r in sel if r["status"] == "ok"]
        if not sel:
            return None
        rss = [num(r["max_rss_kb"]) for r in ok]
        rss = [x for x in rss if x is not None]
        return {
            "runs": len(ok),
            "failed": len(sel) - len(ok),
            "wps": median(num(r["words_per_s"]) for r in ok),
            "wall": median(num(r["wall_s"]) for r in ok),
            "rss_mb": max(rss) / 1024 if rss else None,
            "acc": median(num(r["analogy_pct"]) for r in ok),
            "answered": median(num(r["analogy_answered"]) for r in ok),
            "ws": median(num(r["ws353"]) for r in ok),
        }

    out = []
    # Overview: median words/s per config and tool.
    out.append("### Overview: median words/s (corpus words x epochs / wall seconds of the whole command)")
    out.append("")
    out.append("| config | " + " | ".join(tools) + " |")
    out.append("|---|" + "---:|" * len(tools))
    table = {}
    for c in configs:
        cells = []
        for t in tools:
            s = stats(c, t)
            table[(c, t)] = s
            cells.append("-" if s is None else fmt(s["wps"], ",.0f"))
        out.append(f"| {c} | " + " | ".join(cells) + " |")
    out.append("")

    for c in configs:
        present = [t for t in tools if table[(c, t)] is not None]
        if not present:
            continue
        our_cols = [o for o in ours if table[(c, o)] is not None and table[(c, o)]["wps"]]
        out.append(f"### {c} ({describe(c)})")
        out.append("")
        head = ["tool", "runs", "words/s (median)", "wall s (median)", "peak RSS MB (max)"]
        if have_quality:
            head += ["Google analogy % (median)", "answered", "WS353 rho (median)"]
        head += [f"{o} / this tool" for o in our_cols]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|" + "---:|" * (len(head) - 1))
        for t in present:
            s = table[(c, t)]
            runs = str(s["runs"]) + (f" ({s['failed']} failed)" if s["failed"] else "")
            cells = [t, runs, fmt(s["wps"], ",.0f"), fmt(s["wall"], ".2f"), fmt(s["rss_mb"], ".0f")]
            if have_quality:
                cells += [fmt(s["acc"], ".2f"), fmt(s["answered"], ".0f"), fmt(s["ws"], ".4f")]
            for o in our_cols:
                w = table[(c, o)]["wps"]
                cells.append(fmt(w / s["wps"], ".2f") if s["wps"] else "n/a")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("split", help="cut long lines of a corpus")
    sp.add_argument("input")
    sp.add_argument("output")
    sp.add_argument("--max-words", type=int, default=1000)
    rp = sub.add_parser("report", help="markdown tables from compare.sh's TSV")
    rp.add_argument("tsv")
    rp.add_argument("--tools", default="")
    rp.add_argument("--configs", default="")
    rp.add_argument("--fill-quality", action="store_true")
    a = ap.parse_args()
    if a.cmd == "split":
        if a.max_words < 1:
            sys.exit("compare_report.py: --max-words must be positive")
        split(a)
    else:
        report(a)


if __name__ == "__main__":
    main()
