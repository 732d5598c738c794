#!/usr/bin/env python3
"""gensim_eval.py - score a word2vec-format model with gensim's reference evaluators.

Loads MODEL with gensim.models.KeyedVectors.load_word2vec_format and runs
  * evaluate_word_analogies(questions, restrict_vocab=N, case_insensitive=True)
    (Google analogy set; 3CosAdd over the N most frequent words, questions with a
    word outside them are skipped), and
  * evaluate_word_pairs(pairs, case_insensitive=True)   (WordSim-353).

Usage (run it under the venv's python; scripts/eval_model.sh does that for you):
  PY=$(scripts/venv.sh | tail -n1)
  $PY scripts/gensim_eval.py MODEL.bin                 # word2vec binary (default)
  $PY scripts/gensim_eval.py MODEL.vec --text          # word2vec text format
  $PY scripts/gensim_eval.py MODEL.bin --json          # one JSON object on stdout
  options: --analogies FILE  --pairs FILE  --restrict N (default 30000)  --sections

Data defaults come from ${W2V_DATA:-<repo>/../shared/data}:
  analogy/questions-words.txt and similarity/wordsim353/wordsim353.tsv

All accuracies are percentages (0-100). Semantic = the non-`gram*` sections (the first
5 of the Google set), syntactic = the `gram*` sections. ws353_oov_ratio is the
percentage of WS353 pairs skipped as out-of-vocabulary, as gensim returns it.
"""

import argparse
import json
import math
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("W2V_DATA") or os.path.join(REPO, "..", "shared", "data")
DEFAULT_ANALOGIES = os.path.join(DATA, "analogy", "questions-words.txt")
DEFAULT_PAIRS = os.path.join(DATA, "similarity", "wordsim353", "wordsim353.tsv")


def pct(correct, answered):
    return 100.0 * correct / answered if answered else None


def tally(sections):
    correct = sum(len(s["correct"]) for s in sections)
    answered = correct + sum(len(s["incorrect"]) for s in sections)
    return correct, answered


def fmt(x, spec=".2f", suffix=""):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a".rjust(len(format(0.0, spec) + suffix))
    return format(x, spec) + suffix


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="model file in word2vec format")
    fmt_group = ap.add_mutually_exclusive_group()
    fmt_group.add_argument("--binary", dest="binary", action="store_true", default=True,
                           help="word2vec binary format (default)")
    fmt_group.add_argument("--text", dest="binary", action="store_false", help="word2vec text format")
    ap.add_argument("--analogies", default=DEFAULT_ANALOGIES, help="analogy file (default: %(default)s)")
    ap.add_argument("--pairs", default=DEFAULT_PAIRS, help="word-pair similarity file (default: %(default)s)")
    ap.add_argument("--restrict", type=int, default=30000,
                    help="restrict_vocab for analogies (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    ap.add_argument("--sections", action="store_true", help="also print per-section analogy accuracy")
    args = ap.parse_args()

    for path in (args.model, args.analogies, args.pairs):
        if not os.path.isfile(path):
            sys.exit(f"gensim_eval.py: no such file: {path}")

    from gensim.models import KeyedVectors  # imported late so --help is fast

    t0 = time.time()
    kv = KeyedVectors.load_word2vec_format(args.model, binary=args.binary)
    load_s = time.time() - t0

    _, sections = kv.evaluate_word_analogies(args.analogies, restrict_vocab=args.restrict,
                                             case_insensitive=True)
    per_section = [s for s in sections if s["section"] != "Total accuracy"]
    semantic = [s for s in per_section if not s["section"].startswith("gram")]
    syntactic = [s for s in per_section if s["section"].startswith("gram")]
    correct, answered = tally(per_section)
    sem_c, sem_n = tally(semantic)
    syn_c, syn_n = tally(syntactic)
    n_questions = sum(1 for line in open(args.analogies, encoding="utf-8", errors="replace")
                      if line.strip() and not line.startswith(":"))

    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(args.pairs, case_insensitive=True)
    ws_pearson = float(pearson[0])
    ws_spearman = float(spearman[0])

    result = {
        "analogy_accuracy": pct(correct, answered),
        "analogy_correct": correct,
        "analogy_answered": answered,
        "semantic_accuracy": pct(sem_c, sem_n),
        "syntactic_accuracy": pct(syn_c, syn_n),
        "ws353_spearman": ws_spearman,
        "ws353_pearson": ws_pearson,
        "ws353_oov_ratio": float(oov_ratio),
        # extras
        "analogy_questions": n_questions,
        "semantic_correct": sem_c,
        "semantic_answered": sem_n,
        "syntactic_correct": syn_c,
        "syntactic_answered": syn_n,
        "vocab_size": len(kv.index_to_key),
        "dim": int(kv.vector_size),
        "model": args.model,
    }

    if args.json:
        # NaN (e.g. constant vectors) is not valid JSON: map it to null.
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in result.items()}
        print(json.dumps(clean))
        return

    print(f"model:      {args.model} ({'binary' if args.binary else 'text'}, "
          f"{result['vocab_size']} words x {result['dim']} dims, loaded in {load_s:.1f}s)")
    print(f"analogies:  {fmt(result['analogy_accuracy'], '.2f', ' %')}  "
          f"({correct} correct / {answered} answered of {n_questions} questions, "
          f"restrict_vocab={args.restrict})")
    print(f"  semantic:  {fmt(result['semantic_accuracy'], '.2f', ' %')}  ({sem_c}/{sem_n})")
    print(f"  syntactic: {fmt(result['syntactic_accuracy'], '.2f', ' %')}  ({syn_c}/{syn_n})")
    if args.sections:
        for s in per_section:
            c, n = tally([s])
            print(f"    {s['section']:<28} {fmt(pct(c, n), '6.2f', ' %')}  ({c}/{n})")
    print(f"WS353:      Spearman {fmt(ws_spearman, '.4f')}  Pearson {fmt(ws_pearson, '.4f')}  "
          f"OOV {fmt(result['ws353_oov_ratio'], '.1f', ' %')} of pairs")


if __name__ == "__main__":
    main()
