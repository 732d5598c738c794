#!/usr/bin/env python3
"""gensim_train.py - train a peer reference model with gensim (iterable or corpus_file mode).

Used to compare against w2v on the same settings, for instance CBOW with
hierarchical softmax, where gensim 4.4's corpus_file mode gave a broken model.

  PY=$(scripts/venv.sh | tail -n1)
  $PY scripts/gensim_train.py CORPUS OUT.bin --model cbow --loss hs --lr 0.05
  $PY scripts/gensim_train.py CORPUS OUT.bin --model sgns --corpus-file --seed 2 --threads 2

Default (iterable mode): the corpus is read with gensim's Text8Corpus (sentences cut
at 1000 words, as word2vec.c and w2v do), fed to the workers through gensim's job
queue. --corpus-file: Word2Vec(corpus_file=CORPUS), gensim's fast path where each
worker reads its own byte range of the file (one line = one sentence, at most 10000
words). Give it lines of at most 10000 words: gensim 4.4 cuts a longer line into
10000-word sentences, but a worker that has read its share of a file to the end trains
only the first batch of them (about 20000 words) and stops, so a one-line corpus like
text8 trains on 20000 words per worker and epoch, whatever its size. scripts/compare.sh
gives gensim a copy cut into 1000-word lines (scripts/compare_report.py split). The
vocabulary scan is single-threaded in both modes. --seed is gensim's `seed` (default 1).

The output is word2vec binary. Prints the wall time and words/s (corpus words x
epochs / seconds) on stderr.
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
    ap.add_argument("--seed", type=int, default=1, help="gensim's random seed (default: %(default)s)")
    ap.add_argument("--corpus-file", action="store_true",
                    help="train with Word2Vec(corpus_file=CORPUS) instead of a Text8Corpus iterable")
    a = ap.parse_args()
    hs = a.loss == "hs"
    lr = a.lr if a.lr is not None else (0.025 if a.model == "sgns" else 0.05)
    if a.corpus_file:
        source = {"corpus_file": a.corpus}
    else:
        source = {"sentences": Text8Corpus(a.corpus, max_sentence_length=1000)}
    t = time.time()
    m = Word2Vec(**source, vector_size=a.dim, window=a.window,
                 sg=1 if a.model == "sgns" else 0, hs=1 if hs else 0, negative=0 if hs else a.negative,
                 sample=a.sample, min_count=a.min_count, epochs=a.epochs, workers=a.threads, alpha=lr,
                 seed=a.seed)
    secs = time.time() - t
    words = m.corpus_total_words * a.epochs
    mode = "corpus_file" if a.corpus_file else "iterable"
    print(f"gensim {a.model}-{a.loss} ({mode}): {secs:.1f} s, {words / secs:,.0f} words/s (incl. vocabulary scan)",
          file=sys.stderr)
    m.wv.save_word2vec_format(a.output, binary=True)


if __name__ == "__main__":
    main()
