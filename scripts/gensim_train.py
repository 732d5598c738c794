#!/usr/bin/env python3
"""gensim_train.py - train a peer reference model with gensim (iterable mode).

Used to compare against w2v on the same settings, for instance CBOW with
hierarchical softmax, where gensim 4.4's corpus_file mode gave a broken model.

  PY=$(scripts/venv.sh | tail -n1)
  $PY scripts/gensim_train.py CORPUS OUT.bin --model cbow --loss hs --lr 0.05

The corpus is read with gensim's Text8Corpus (sentences cut at 1000 words, as
word2vec.c and w2v do); the output is word2vec binary. Prints the wall time and
words/s (corpus words x epochs / seconds) on stderr.
"""

import argparse
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import Text8Corpus


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("output")
    ap.add_argument("--model", choices=["sgns", "cbow"], default="sgns")
    ap.add_argument("--loss", choices=["ns", "hs"], default="ns")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-4)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=None, help="default: 0.025 sgns, 0.05 cbow")
    a = ap.parse_args()
    hs = a.loss == "hs"
    lr = a.lr if a.lr is not None else (0.025 if a.model == "sgns" else 0.05)
    t = time.time()
    m = Word2Vec(Text8Corpus(a.corpus, max_sentence_length=1000), vector_size=a.dim, window=a.window,
                 sg=1 if a.model == "sgns" else 0, hs=1 if hs else 0, negative=0 if hs else a.negative,
                 sample=a.sample, min_count=a.min_count, epochs=a.epochs, workers=a.threads, alpha=a.lr or lr)
    secs = time.time() - t
    words = m.corpus_total_words * a.epochs
    print(f"gensim {a.model}-{a.loss}: {secs:.1f} s, {words / secs:,.0f} words/s (incl. vocabulary scan)",
          file=sys.stderr)
    m.wv.save_word2vec_format(a.output, binary=True)


if __name__ == "__main__":
    main()
