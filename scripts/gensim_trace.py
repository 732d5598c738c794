#!/usr/bin/env python3
"""gensim_trace.py - the singular values of gensim's SGNS input matrix during training, in
the format of `w2v train --trace` (JSON lines), to compare a peer's learning steps with ours.

Usage (in the venv of scripts/venv.sh):
    python scripts/gensim_trace.py CORPUS OUT.jsonl [--dim 50] [--epochs 3] [--every 50000]
                                   [--init-scale 1e-6] [--lr 0.025] [--seed 1]

The corpus is one text8-style line (or lines), cut into sentences of 1000 words as
word2vec.c does. gensim's Word2Vec (sg=1, negative 5, window 5, sample 1e-3, min_count 5)
is built, both matrices are set to uniform(-0.5, 0.5) / dim * init_scale (gensim's own input
initialisation times the scale; the output matrix, zero by default, gets the same), and the
model is trained with a constant learning rate on successive chunks of `every` corpus words
(model.train on each chunk, alpha = min_alpha = lr), the top-10 singular values of the input
matrix recorded after each chunk. With --init-scale 0, gensim's default initialisation is kept.
"""
import argparse
import json
import sys

import numpy as np
from gensim.models import Word2Vec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--dim", type=int, default=50)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--every", type=int, default=50000)
    ap.add_argument("--init-scale", type=float, default=1e-6)
    ap.add_argument("--lr", type=float, default=0.025)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    words = open(a.corpus, encoding="utf-8").read().split()
    sentences = [words[i:i + 1000] for i in range(0, len(words), 1000)]
    model = Word2Vec(vector_size=a.dim, window=5, min_count=5, sg=1, negative=5, hs=0,
                     sample=1e-3, workers=1, seed=a.seed, alpha=a.lr, min_alpha=a.lr)
    model.build_vocab(sentences)
    if a.init_scale > 0:
        rng = np.random.default_rng(a.seed)
        for m in (model.wv.vectors, model.syn1neg):
            m[:] = ((rng.random(m.shape) - 0.5) / a.dim * a.init_scale).astype(np.float32)
    vocab = set(model.wv.key_to_index)
    per_chunk = max(1, a.every // 1000)
    out = open(a.out, "w")
    out.write(json.dumps({"w2v_trace": 1, "tool": "gensim", "dim": a.dim, "epochs": a.epochs,
                          "every": a.every, "init_scale": a.init_scale, "lr": a.lr,
                          "lr_schedule": "constant", "k": 10, "reference": None}) + "\n")
    seen = 0

    def record():
        s = np.linalg.svd(model.wv.vectors.astype(np.float64), compute_uv=False)[:10]
        out.write(json.dumps({"words": seen, "epoch": 0, "lr": a.lr, "loss": 0.0,
                              "singular_values": [float(x) for x in s], "overlap": []}) + "\n")
        out.flush()

    record()
    for epoch in range(a.epochs):
        for start in range(0, len(sentences), per_chunk):
            chunk = sentences[start:start + per_chunk]
            n = sum(sum(w in vocab for w in s) for s in chunk)
            model.train(chunk, total_examples=len(chunk), epochs=1,
                        start_alpha=a.lr, end_alpha=a.lr)
            seen += n
            record()
        print(f"epoch {epoch + 1} done, {seen} words", file=sys.stderr)


if __name__ == "__main__":
    main()
