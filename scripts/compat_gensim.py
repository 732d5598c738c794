#!/usr/bin/env python3
"""compat_gensim.py - the Python half of the gensim compatibility check (gensim 4.4.0).

Normally run by scripts/compat_gensim.sh, which builds w2v, sets up the venv, decompresses
the data, runs every `w2v` command and then calls this file's subcommands with the venv's
python. They work on files in one directory (target/compat/):

  gensim-write --out DIR --corpus FILE
      Train a small gensim Word2Vec on FILE (tokens split on whitespace, mixed case and
      punctuation kept, plus a few UTF-8 words added), then write DIR/gensim.kv (gensim's own
      pickle: the reference KeyedVectors), DIR/gensim.bin (save_word2vec_format binary=True)
      and DIR/gensim.txt (binary=False).
  queries --model FILE
      Print the queries the shell half runs through `w2v similar` / `w2v analogy`:
      `similar WORD` and `analogy A B C` lines (a:b::c:?), checked against FILE's vocabulary.
  check --dir DIR --data DATA
      Every comparison below; prints one `PASS`/`FAIL` line per check, figures indented
      under it, and exits 1 if any check failed.

Checks (4a-4c, byte-exact round trips, are the shell half's `cmp` checks):
  1a  gensim's binary layout, from its bytes: rows with or without a trailing newline
  1b  gensim binary -> `w2v convert --to bin` -> gensim: same words in the same order and
      vectors bit-identical (numpy.array_equal) to gensim's original KeyedVectors
  1c  gensim text -> `w2v convert --to bin` -> gensim: bit-identical to what gensim itself
      parses from that text file (equality with the original is reported too)
  2a  our binary (`w2v train --format bin`) has word2vec.c's layout: a newline after every row
  2b  gensim loads our binary: same words and order, and vectors bit-identical to an
      independent parse of the bytes (the float32 we wrote)
  3a  our text (`w2v convert --to text`) loads in gensim: same words, values equal to the
      binary's rounded to 6 decimals (|diff| <= 5e-7 + float32 spacing)
  3b  the text's tokens are exactly the binary's values printed with C's "%.6f"
  5   every value token of our text matches -?\\d+\\.\\d{6}; rows end in " \\n" as word2vec.c's
  6a  `w2v eval analogy --restrict 30000` vs gensim evaluate_word_analogies(restrict_vocab=30000,
      case_insensitive=True): same correct and answered counts, in total and per section
  6b  the same at restrict 10000 (the restriction actually cuts the vocabulary there)
  6c  `w2v eval similarity` vs gensim evaluate_word_pairs on WS353: Spearman within 0.001,
      same number of pairs found
  7a  `w2v similar WORD -k 10` vs gensim most_similar(WORD, topn=10): same words in the same
      order, scores within 1e-4 (an order that differs only among near-ties, gensim scores
      within 1e-5, is reported as TIE, not a failure)
  7b  `w2v analogy A B C --method add` top-1 == gensim most_similar(positive=[B, C], negative=[A])
      top-1 (and its score within 1e-4); a different top-1 that gensim scores within 1e-5 of
      its own is reported as TIE
  7c  the same for `--method mul` and gensim most_similar_cosmul

Usage: PY=$(scripts/venv.sh | tail -n1); $PY scripts/compat_gensim.py check --dir target/compat --data ../shared/data
"""

import argparse
import json
import os
import re
import sys
import time

import numpy as np

# Queries for check 7: frequent words of the text8 prefix, and analogies a:b::c:? taken from
# (or in the style of) the Google set.
SIMILAR_WORDS = [
    "one", "king", "queen", "man", "woman", "france", "paris", "city", "war", "government",
    "music", "church", "language", "computer", "water", "science", "german", "english",
    "president", "book",
]
ANALOGIES = [
    ("man", "king", "woman"),
    ("france", "paris", "germany"),
    ("paris", "france", "rome"),
    ("china", "beijing", "japan"),
    ("big", "bigger", "small"),
    ("good", "better", "bad"),
    ("boy", "girl", "brother"),
    ("england", "english", "france"),
    ("car", "cars", "dog"),
    ("he", "she", "his"),
    ("slow", "slowly", "quick"),
]

# Words added to gensim's training corpus so that the files it writes hold multi-byte UTF-8.
UTF8_SENTENCE = "the café in Zürich serves crème brûlée to a naïve Ελλάδα fan from 東京 at the ёлка 😀 club"

TIE = 1e-5          # scores this close count as a tie
SCORE_TOL = 1e-4    # similar: w2v vs gensim score tolerance


# --------------------------------------------------------------------------- reporting

class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, ok, cid, title, figures=()):
        print(f"{'PASS' if ok else 'FAIL'}  {cid:<3} {title}", flush=True)
        for line in figures:
            print(f"        {line}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def fail(self, cid, title, why):
        return self.result(False, cid, title, [why])


def need(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"missing file {path} (did the w2v step before it fail?)")
    return path


# --------------------------------------------------------------------------- file parsing

def parse_binary_layout(path):
    """Independent strict parse of a word2vec binary file.

    Returns (words, float32 matrix, layout) where layout is "newline" when every row ends
    with b"\\n" (word2vec.c), "no-newline" when none does (gensim 4), or "mixed".
    """
    data = open(path, "rb").read()
    nl = data.index(b"\n")
    v, d = (int(x) for x in data[:nl].split())
    pos = nl + 1
    words, rows, with_nl = [], [], 0
    for _ in range(v):
        sp = data.index(b" ", pos)
        words.append(data[pos:sp].decode("utf-8"))
        start = sp + 1
        end = start + 4 * d
        if end > len(data):
            raise ValueError(f"{path}: truncated in row {len(words)}")
        rows.append(np.frombuffer(data, dtype="<f4", count=d, offset=start))
        pos = end
        if pos < len(data) and data[pos:pos + 1] == b"\n":
            with_nl += 1
            pos += 1
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} bytes after the last row")
    layout = "newline" if with_nl == v else ("no-newline" if with_nl == 0 else f"mixed ({with_nl}/{v} rows)")
    return words, np.vstack(rows).astype(np.float32), layout


def load_kv(path, binary):
    from gensim.models import KeyedVectors
    return KeyedVectors.load_word2vec_format(path, binary=binary)


def same_words(a, b):
    """(ok, message) for two word lists that must be equal, in order."""
    if list(a) == list(b):
        return True, f"{len(a)} words, same order"
    if len(a) != len(b):
        return False, f"word counts differ: {len(a)} vs {len(b)}"
    i = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
    return False, f"first difference at row {i + 1}: {a[i]!r} vs {b[i]!r}"


def first_diff(x, y, words):
    """Describe the first element where float32 matrices x and y differ (bitwise)."""
    bad = np.argwhere(x.view(np.uint32) != y.view(np.uint32))
    r, c = bad[0]
    return (f"{len(bad)} values differ; first: word {words[r]!r} (row {r + 1}) dim {c}: "
            f"{x[r, c]!r} (0x{x[r, c].view(np.uint32):08x}) vs {y[r, c]!r} (0x{y[r, c].view(np.uint32):08x})")


# --------------------------------------------------------------------------- subcommands

def cmd_gensim_write(args):
    from gensim.models import Word2Vec
    sentences = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            toks = line.split()
            if toks:
                sentences.append(toks)
    sentences += [UTF8_SENTENCE.split()] * 5
    t = time.time()
    model = Word2Vec(sentences, vector_size=args.dim, window=5, min_count=3, sg=0, negative=5,
                     epochs=5, workers=1, seed=7)
    kv = model.wv
    os.makedirs(args.out, exist_ok=True)
    kv.save(os.path.join(args.out, "gensim.kv"))
    kv.save_word2vec_format(os.path.join(args.out, "gensim.bin"), binary=True)
    kv.save_word2vec_format(os.path.join(args.out, "gensim.txt"), binary=False)
    n_utf8 = sum(1 for w in kv.index_to_key if not w.isascii())
    print(f"gensim-write: trained on {sum(map(len, sentences))} tokens of {os.path.basename(args.corpus)} "
          f"in {time.time() - t:.1f} s: {len(kv)} words ({n_utf8} non-ASCII) x {kv.vector_size} dims",
          file=sys.stderr)


def cmd_queries(args):
    words, _, _ = parse_binary_layout(args.model)
    vocab = set(words)
    missing = [w for w in SIMILAR_WORDS + [w for q in ANALOGIES for w in q] if w not in vocab]
    if missing:
        sys.exit(f"compat_gensim.py queries: not in {args.model}: {' '.join(sorted(set(missing)))}")
    for w in SIMILAR_WORDS:
        print("similar", w)
    for q in ANALOGIES:
        print("analogy", *q)


# --------------------------------------------------------------------------- checks

def check_gensim_files(rep, d):
    from gensim.models import KeyedVectors
    orig = KeyedVectors.load(need(os.path.join(d, "gensim.kv")))
    ow, ov = list(orig.index_to_key), np.asarray(orig.vectors, dtype=np.float32)
    n_utf8 = sum(1 for w in ow if not w.isascii())

    # 1a: gensim's binary layout, from the bytes.
    words, mat, layout = parse_binary_layout(need(os.path.join(d, "gensim.bin")))
    size = os.path.getsize(os.path.join(d, "gensim.bin"))
    rep.result(layout == "no-newline" and words == ow and np.array_equal(mat, ov), "1a",
               "gensim save_word2vec_format(binary=True) layout, read from its bytes",
               [f"{len(words)} rows x {mat.shape[1]} dims ({n_utf8} non-ASCII words), {size} bytes: "
                f"rows WITHOUT a trailing newline" if layout == "no-newline" else f"layout: {layout}",
                f"bytes parse back to gensim's vectors bit for bit: {np.array_equal(mat, ov)}"])

    # 1b: gensim binary -> w2v convert -> gensim.
    title = "gensim binary -> w2v convert --to bin -> gensim == gensim's original KeyedVectors"
    try:
        kv = load_kv(need(os.path.join(d, "gensim.bin.w2v.bin")), True)
        _, _, our_layout = parse_binary_layout(os.path.join(d, "gensim.bin.w2v.bin"))
        ok_w, msg = same_words(kv.index_to_key, ow)
        ok_v = ok_w and np.array_equal(kv.vectors, ov)
        rep.result(ok_w and ok_v, "1b", title,
                   [msg, f"vectors bit-identical: {ok_v}" if ok_v or not ok_w else first_diff(kv.vectors, ov, ow),
                    f"w2v's output layout: rows with {'a newline' if our_layout == 'newline' else our_layout}"])
    except Exception as e:  # noqa: BLE001 - any error is this check's failure
        rep.fail("1b", title, repr(e))

    # 1c: gensim text -> w2v convert -> gensim.
    title = "gensim text -> w2v convert --to bin -> gensim == gensim's own parse of the text"
    try:
        ref = load_kv(need(os.path.join(d, "gensim.txt")), False)
        kv = load_kv(need(os.path.join(d, "gensim.txt.w2v.bin")), True)
        ok_w, msg = same_words(kv.index_to_key, ref.index_to_key)
        ok_v = ok_w and np.array_equal(kv.vectors, ref.vectors)
        vs_orig = ok_w and np.array_equal(kv.vectors, ov)
        n_orig = int(np.sum(kv.vectors != ov)) if ok_w else -1
        rep.result(ok_w and ok_v, "1c", title,
                   [msg, f"vectors bit-identical to gensim's parse of the text: {ok_v}" if ok_v or not ok_w
                    else first_diff(kv.vectors, ref.vectors, ref.index_to_key),
                    f"also bit-identical to the original float32 (gensim writes shortest repr): {vs_orig}"
                    + ("" if vs_orig else f" ({n_orig} values differ)")])
    except Exception as e:  # noqa: BLE001
        rep.fail("1c", title, repr(e))


def check_our_files(rep, d):
    binp, txtp = need(os.path.join(d, "w2v.bin")), need(os.path.join(d, "w2v.txt"))
    words, mat, layout = parse_binary_layout(binp)
    v, dim = mat.shape

    # 2a: layout of our binary.
    rep.result(layout == "newline", "2a", "w2v train --format bin writes word2vec.c's layout",
               [f"{v} rows x {dim} dims, {os.path.getsize(binp)} bytes: "
                + ("a newline after every row" if layout == "newline" else f"layout: {layout}")])

    # 2b: gensim loads our binary.
    title = "gensim loads our binary (with newlines): same words, bit-identical float32"
    try:
        kb = load_kv(binp, True)
        ok_w, msg = same_words(kb.index_to_key, words)
        ok_v = ok_w and np.array_equal(kb.vectors, mat)
        rep.result(ok_w and ok_v, "2b", title,
                   [msg, f"vectors bit-identical to the bytes we wrote: {ok_v}" if ok_v or not ok_w
                    else first_diff(kb.vectors, mat, words)])
    except Exception as e:  # noqa: BLE001
        rep.fail("2b", title, repr(e))
        kb = None

    # 3a: our text in gensim vs our binary.
    title = "gensim loads our text: values == binary's rounded to 6 decimals"
    try:
        kt = load_kv(txtp, False)
        ok_w, msg = same_words(kt.index_to_key, words)
        figs = [msg]
        ok = ok_w
        if ok_w:
            diff = np.abs(kt.vectors.astype(np.float64) - mat.astype(np.float64))
            tol = 5e-7 + np.spacing(np.abs(mat)).astype(np.float64)
            bad = np.argwhere(diff > tol)
            ok = len(bad) == 0
            figs.append(f"max |text - bin| = {diff.max():.3g} over {diff.size} values (bound 5e-7 + float32 spacing)")
            if not ok:
                r, c = bad[0]
                figs.append(f"{len(bad)} values out of bound; first: word {words[r]!r} dim {c}: "
                            f"text {kt.vectors[r, c]!r} vs bin {mat[r, c]!r}")
        rep.result(ok, "3a", title, figs)
    except Exception as e:  # noqa: BLE001
        rep.fail("3a", title, repr(e))

    # 3b + 5: the text's tokens, exactly.
    tok_re = re.compile(r"-?\d+\.\d{6}")
    n_tok = n_badtok = n_rows_bad = n_str_diff = 0
    first_bad = first_str = first_row = None
    with open(txtp, "rb") as f:
        header = f.readline()
        hv, hd = (int(x) for x in header.split())
        for i, raw in enumerate(f):
            line = raw.decode("utf-8")
            word, _, rest = line.partition(" ")
            toks = rest.split(" ")
            # word2vec.c's rows: `word v1 v2 ... vD \n` (a space after every value).
            if toks[-1] != "\n" or len(toks) != dim + 1 or word != words[i]:
                n_rows_bad += 1
                first_row = first_row or f"row {i + 1} ({word!r}): {line[:80]!r}"
            for j, t in enumerate(toks[:-1]):
                n_tok += 1
                if not tok_re.fullmatch(t):
                    n_badtok += 1
                    first_bad = first_bad or f"row {i + 1} ({word!r}) token {j}: {t!r}"
                if j < dim and i < v and t != "%.6f" % float(mat[i, j]):
                    n_str_diff += 1
                    first_str = first_str or (f"word {word!r} dim {j}: text {t!r}, C printf "
                                              f"{'%.6f' % float(mat[i, j])!r} of {float(mat[i, j])!r}")
    rows = i + 1
    rep.result(n_str_diff == 0 and rows == v, "3b",
               'our text tokens == the binary\'s float32 printed with C "%.6f"',
               [f"{n_tok - n_str_diff}/{n_tok} tokens equal" + (f"; first difference: {first_str}" if first_str else "")])
    rep.result(n_badtok == 0 and n_rows_bad == 0 and (hv, hd) == (v, dim) and rows == v, "5",
               "our text keeps word2vec.c's 6 decimals and row layout",
               [f"header {hv} {hd}; {rows} rows; {n_tok} value tokens; {n_badtok} not matching -?\\d+\\.\\d{{6}}; "
                f"{n_rows_bad} rows not `word v1 ... vD \\n`",
                *([f"first bad token: {first_bad}"] if first_bad else []),
                *([f"first bad row: {first_row}"] if first_row else [])])
    return kb


def section_counts(sections):
    out = {}
    for s in sections:
        if s["section"] == "Total accuracy":
            continue
        c = len(s["correct"])
        out[s["section"]] = (c, c + len(s["incorrect"]))
    return out


def check_evaluators(rep, d, data, kv):
    questions = need(os.path.join(data, "analogy", "questions-words.txt"))
    pairs = need(os.path.join(data, "similarity", "wordsim353", "wordsim353.tsv"))
    for cid, restrict in (("6a", 30000), ("6b", 10000)):
        title = f"analogy evaluation, restrict {restrict}: w2v eval analogy == gensim evaluate_word_analogies"
        try:
            ours = json.load(open(need(os.path.join(d, f"w2v-analogy-{restrict}.json"))))
            t = time.time()
            _, secs = kv.evaluate_word_analogies(questions, restrict_vocab=restrict, case_insensitive=True)
            gsecs = time.time() - t
            g = section_counts(secs)
            gc, ga = sum(c for c, _ in g.values()), sum(a for _, a in g.values())
            o = {s["name"]: (s["correct"], s["answered"]) for s in ours["sections"]}
            diff_secs = [f"{k}: w2v {o.get(k)} gensim {g.get(k)}" for k in sorted(set(g) | set(o))
                         if o.get(k) != g.get(k)]
            ok = (ours["correct"], ours["answered"]) == (gc, ga) and not diff_secs
            gacc = 100.0 * gc / ga if ga else float("nan")
            rep.result(ok, cid, title,
                       [f"w2v:    {ours['correct']} correct / {ours['answered']} answered of {ours['questions']} "
                        f"= {ours['accuracy']:.2f} % (semantic {ours['semantic_accuracy']:.2f} %, "
                        f"syntactic {ours['syntactic_accuracy']:.2f} %)",
                        f"gensim: {gc} correct / {ga} answered = {gacc:.2f} % ({gsecs:.1f} s), "
                        f"{len(g)} sections, {'all equal' if not diff_secs else 'sections differ:'}",
                        *diff_secs])
        except Exception as e:  # noqa: BLE001
            rep.fail(cid, title, repr(e))

    title = "WS353: w2v eval similarity == gensim evaluate_word_pairs (Spearman within 0.001)"
    try:
        ours = json.load(open(need(os.path.join(d, "w2v-ws353.json"))))
        pear, spear, oov = kv.evaluate_word_pairs(pairs, case_insensitive=True)
        n_pairs = sum(1 for line in open(pairs, encoding="utf-8") if line.strip() and not line.startswith("#"))
        g_found = n_pairs - round(oov * n_pairs / 100.0)
        ds = abs(ours["spearman"] - float(spear[0]))
        ok = ds <= 1e-3 and ours["found"] == g_found and ours["pairs"] == n_pairs
        rep.result(ok, "6c", title,
                   [f"w2v:    Spearman {ours['spearman']:.6f}  Pearson {ours['pearson']:.6f}  "
                    f"found {ours['found']}/{ours['pairs']} (OOV {ours['oov_percent']:.2f} %)",
                    f"gensim: Spearman {float(spear[0]):.6f}  Pearson {float(pear[0]):.6f}  "
                    f"found {g_found}/{n_pairs} (OOV {float(oov):.2f} %)",
                    f"|delta Spearman| = {ds:.2e}, |delta Pearson| = {abs(ours['pearson'] - float(pear[0])):.2e}"])
    except Exception as e:  # noqa: BLE001
        rep.fail("6c", title, repr(e))


def fmt_list(pairs):
    return ", ".join(f"{w} {s:.6f}" for w, s in pairs)


def check_queries(rep, d, _data, kv):
    qd = os.path.join(d, "q")
    # 7a: similar.
    lines, n_ok, n_tie, n_fail, max_ds = [], 0, 0, 0, 0.0
    for w in SIMILAR_WORDS:
        try:
            ours = [(r["word"], float(r["score"])) for r in json.load(open(need(os.path.join(qd, f"similar-{w}.json"))))]
        except Exception as e:  # noqa: BLE001
            n_fail += 1
            lines.append(f"{w}: {e!r}")
            continue
        theirs = kv.most_similar(w, topn=10)
        if [x for x, _ in ours] == [x for x, _ in theirs]:
            ds = max(abs(a - b) for (_, a), (_, b) in zip(ours, theirs))
            max_ds = max(max_ds, ds)
            if ds <= SCORE_TOL:
                n_ok += 1
                lines.append(f"{w:<10} -> {', '.join(x for x, _ in ours[:4])}, ... max|dscore| {ds:.1e}")
                continue
            n_fail += 1
            lines.append(f"{w}: MISMATCH: same words but scores differ by up to {ds:.2e}")
        else:
            # Different lists: a tie if, by gensim's scores, ours is in order within TIE and
            # nothing left out scores above our last one by more than TIE.
            allsc = kv.most_similar(w, topn=None)
            g = {x: float(allsc[kv.key_to_index[x]]) if x in kv.key_to_index else float("nan") for x, _ in ours}
            gs = [g[x] for x, _ in ours]
            in_order = all(gs[i] >= gs[i + 1] - TIE for i in range(len(gs) - 1))
            left_out = [s for x, s in theirs if x not in g]
            tie = in_order and all(s <= min(gs) + TIE for s in left_out) and \
                all(abs(s - g[x]) <= SCORE_TOL for x, s in ours)
            n_tie += tie
            n_fail += not tie
            lines.append(f"{w}: {'TIE (order differs only among near-equal scores)' if tie else 'MISMATCH'}")
        # Not equal: show both lists.
        lines.append(f"    w2v:    {fmt_list(ours)}")
        lines.append(f"    gensim: {fmt_list(theirs)}")
    rep.result(n_fail == 0, "7a", "w2v similar -k 10 == gensim most_similar(topn=10)",
               [f"{len(SIMILAR_WORDS)} words: {n_ok} equal, {n_tie} near-ties, {n_fail} mismatches; "
                f"max |w2v - gensim score| {max_ds:.1e}", *lines])

    # 7b / 7c: analogies, top-1.
    for cid, method, gname in (("7b", "add", "most_similar"), ("7c", "mul", "most_similar_cosmul")):
        gfun = getattr(kv, gname)
        lines, n_ok, n_tie, n_fail, max_ds = [], 0, 0, 0, 0.0
        for a, b, c in ANALOGIES:
            q = f"{a}:{b}::{c}:?"
            try:
                ours = [(r["word"], float(r["score"]))
                        for r in json.load(open(need(os.path.join(qd, f"{method}-{a}-{b}-{c}.json"))))]
            except Exception as e:  # noqa: BLE001
                n_fail += 1
                lines.append(f"{q}: {e!r}")
                continue
            theirs = gfun(positive=[b, c], negative=[a], topn=10)
            ds = abs(ours[0][1] - theirs[0][1])
            if ours[0][0] == theirs[0][0] and ds <= SCORE_TOL:
                n_ok += 1
                max_ds = max(max_ds, ds)
                lines.append(f"{q:<26} -> {ours[0][0]:<11} w2v {ours[0][1]:.6f}  gensim {theirs[0][1]:.6f}")
                continue
            if ours[0][0] == theirs[0][0]:
                n_fail += 1
                lines.append(f"{q}: MISMATCH: same top-1 {ours[0][0]!r} but scores differ by {ds:.2e}")
                lines.append(f"    w2v:    {fmt_list(ours)}")
                lines.append(f"    gensim: {fmt_list(theirs)}")
                continue
            allsc = gfun(positive=[b, c], negative=[a], topn=None)
            g_ours = float(allsc[kv.key_to_index[ours[0][0]]]) if ours[0][0] in kv.key_to_index else float("nan")
            tie = abs(g_ours - theirs[0][1]) <= TIE
            n_tie += tie
            n_fail += not tie
            lines.append(f"{q}: top-1 w2v {ours[0][0]!r} vs gensim {theirs[0][0]!r}: "
                         f"{'TIE' if tie else 'MISMATCH'} (gensim scores them {g_ours:.7f} / {theirs[0][1]:.7f})")
            lines.append(f"    w2v:    {fmt_list(ours)}")
            lines.append(f"    gensim: {fmt_list(theirs)}")
        rep.result(n_fail == 0, cid, f"w2v analogy --method {method} top-1 == gensim {gname} top-1",
                   [f"{len(ANALOGIES)} analogies: {n_ok} equal (top-1 scores within {SCORE_TOL:g}), "
                    f"{n_tie} near-ties, {n_fail} mismatches; max |top-1 score delta| {max_ds:.1e}", *lines])


def cmd_check(args):
    rep = Report()
    d = args.dir
    t0 = time.time()
    try:
        check_gensim_files(rep, d)
    except Exception as e:  # noqa: BLE001
        rep.fail("1", "gensim-written files", repr(e))
    kv = None
    try:
        kv = check_our_files(rep, d)
    except Exception as e:  # noqa: BLE001
        rep.fail("2", "our files", repr(e))
    if kv is None:
        rep.fail("6", "evaluators", "gensim could not load our binary")
        rep.fail("7", "queries", "gensim could not load our binary")
    else:
        for cid, what, fun in (("6", "evaluators", check_evaluators), ("7", "queries", check_queries)):
            try:
                fun(rep, d, args.data, kv)
            except Exception as e:  # noqa: BLE001
                rep.fail(cid, what, repr(e))
    print(f"python checks: {rep.passed} passed, {rep.failed} failed ({time.time() - t0:.1f} s)", flush=True)
    sys.exit(1 if rep.failed else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("gensim-write", help="train a small gensim model and write its files")
    p.add_argument("--out", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--dim", type=int, default=32)
    p = sub.add_parser("queries", help="print the similar/analogy queries for the shell half")
    p.add_argument("--model", required=True)
    p = sub.add_parser("check", help="run every comparison")
    p.add_argument("--dir", required=True)
    p.add_argument("--data", required=True)
    args = ap.parse_args()
    {"gensim-write": cmd_gensim_write, "queries": cmd_queries, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    main()
