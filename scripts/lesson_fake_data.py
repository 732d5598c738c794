#!/usr/bin/env python3
"""Write scripts/lesson_fake_data.json: a made-up but realistic lesson for the
demo's page (src/lesson/page.*), to build and test the page before
`w2v demo --html` gathers the real data. Deterministic (seeded), stdlib only.

What is made up, and how: 40 words of the teaching corpus get a 10-dimensional
"closed form" from hand-chosen features (people/animals/places, gender, young/
adult, city/country, royalty, family...), each direction k scaled by the square
root of a decreasing eigenvalue. Training from a small start is modelled the way
the theory describes it: direction k's singular value follows a logistic rise
from the initial scale to its final size, at a rate proportional to its
eigenvalue, so the directions are learnt one at a time, largest first; the loss
falls in steps as each one is learnt. Checkpoints project every vector onto the
final model's top two directions (one fixed projection, rotated and mirrored a
little so that the page's alignment of the closed-form map has work to do).

Usage: python3 scripts/lesson_fake_data.py [OUT]   (default: beside this file)
"""

import json
import math
import os
import random
import sys

PEOPLE = {
    # word: (gender +1 male / -1 female, young, royal, family)
    "king": (1, 0, 1, 0), "queen": (-1, 0, 1, 0),
    "man": (1, 0, 0, 0), "woman": (-1, 0, 0, 0),
    "boy": (1, 1, 0, 0), "girl": (-1, 1, 0, 0),
    "prince": (1, 1, 1, 0), "princess": (-1, 1, 1, 0),
    "son": (1, 1, 0, 1), "daughter": (-1, 1, 0, 1),
    "father": (1, 0, 0, 1), "mother": (-1, 0, 0, 1),
    "brother": (1, 0.5, 0, 1), "sister": (-1, 0.5, 0, 1),
    "uncle": (1, 0, 0, 0.6), "aunt": (-1, 0, 0, 0.6),
    "husband": (1, 0, 0, 0.8), "wife": (-1, 0, 0, 0.8),
}
PLACES = [  # (city, country)
    ("paris", "france"), ("rome", "italy"), ("berlin", "germany"),
    ("madrid", "spain"), ("london", "england"), ("athens", "greece"),
    ("tokyo", "japan"),
]
ANIMALS = [("dog", "puppy"), ("cat", "kitten"), ("cow", "calf"), ("horse", "foal")]
EIGENVALUES = [12.3, 9.8, 8.1, 6.9, 5.8, 4.9, 4.2, 3.6, 3.1, 2.7]
DIM, CHECKPOINTS, EPOCHS, TOKENS = 10, 60, 40, 8405
S0 = 0.004  # the initial singular value (init_scale 0.001 over ~400 words, 40 dims)


def features(rng):
    words, rows = [], []
    for w, (g, young, royal, fam) in PEOPLE.items():
        words.append(w)
        rows.append([1.0, 0.0, g, 0.0, 0.9 * young - 0.3, royal, fam])
    for i, (city, country) in enumerate(PLACES):
        ident = [math.cos(2.2 * i), math.sin(2.2 * i), math.cos(1.3 * i + 0.5)]
        words += [city, country]
        rows.append([-0.8, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0] + ident)
        rows.append([-0.8, -1.0, 0.0, -1.0, 0.0, 0.0, 0.0] + ident)
    for adult, young in ANIMALS:
        words += [adult, young]
        rows.append([-0.2, 1.0, 0.0, 0.0, -0.6, 0.0, 0.0])
        rows.append([-0.2, 1.0, 0.0, 0.0, 0.9, 0.0, 0.0])
    rows = [(r + [0.0] * DIM)[:DIM] for r in rows]
    # Every word keeps a little of its own: no two words coincide.
    rows = [[v + rng.gauss(0, 0.3) for v in r] for r in rows]
    # Unit-variance columns, then sqrt(eigenvalue) per direction.
    for k in range(DIM):
        col = [r[k] for r in rows]
        mean = sum(col) / len(col)
        sd = math.sqrt(sum((v - mean) ** 2 for v in col) / len(col)) or 1.0
        for r in rows:
            r[k] = (r[k] - mean) / sd * math.sqrt(EIGENVALUES[k]) / 4
    return words, rows


def logistic(final, rate, t):
    return final / (1 + (final / S0 - 1) * math.exp(-rate * t))


def main():
    rng = random.Random(1)
    words, target = features(rng)
    n = len(words)
    finals = [math.sqrt(sum(r[k] ** 2 for r in target)) for k in range(DIM)]
    init = [[rng.gauss(0, 1) for _ in range(DIM)] for _ in range(n)]
    init_norm = [math.sqrt(sum(r[k] ** 2 for r in init)) for k in range(DIM)]
    # Direction k's logistic midpoint: ln(final/S0) / (rate * eigenvalue).
    rate = math.log(finals[-1] / S0) / (0.8 * EIGENVALUES[-1])
    theta, mirror = 0.35, -1.0  # the projection's arbitrary rotation and mirror
    c, s = math.cos(theta), math.sin(theta)
    checkpoints = []
    for step in range(CHECKPOINTS):
        t = step / (CHECKPOINTS - 1)
        sv = [logistic(finals[k], rate * EIGENVALUES[k], t) for k in range(DIM)]
        grown = [(sv[k] - S0) / (finals[k] - S0) for k in range(DIM)]
        emb = [
            [
                grown[k] * target[i][k] + (1 - grown[k]) * S0 * init[i][k] / init_norm[k]
                for k in range(DIM)
            ]
            for i in range(n)
        ]
        xy = []
        for e in emb:
            x, y = e[0], mirror * e[1]
            xy.append([round(c * x - s * y, 6), round(s * x + c * y, 6)])
        loss = 2.05 + sum(0.21 * (1 - g) for g in grown) + rng.gauss(0, 0.012)
        words_seen = round(t * EPOCHS * TOKENS)
        checkpoints.append({
            "words_seen": words_seen,
            "epoch": round(words_seen / TOKENS, 3),
            "loss": round(loss, 4),
            "xy": xy,
            "singular_values": [round(v, 6) for v in sv],
        })
    # The closed form is near, not equal to, where training ends (its scale differs).
    closed = [
        [round(r[0] * 1.07 + rng.gauss(0, 0.05), 6), round(r[1] * 1.07 + rng.gauss(0, 0.05), 6)]
        for r in target
    ]
    questions = [
        ("man", "king", "woman", "queen", "queen"),
        ("boy", "son", "girl", "daughter", "daughter"),
        ("boy", "prince", "girl", "princess", "princess"),
        ("man", "father", "woman", "mother", "mother"),
        ("boy", "brother", "girl", "sister", "aunt"),
        ("france", "paris", "italy", "rome", "rome"),
        ("germany", "berlin", "spain", "madrid", "madrid"),
        ("dog", "puppy", "cat", "kitten", "calf"),
    ]
    analogies = [
        {"a": a, "b": b, "c": cc, "expected": e, "answer": got, "landed": e == got}
        for a, b, cc, e, got in questions
    ]

    def near(word, others):
        i = words.index(word)
        out = []
        for w in others:
            j = words.index(w)
            dot = sum(p * q for p, q in zip(target[i], target[j]))
            ni = math.sqrt(sum(p * p for p in target[i]))
            nj = math.sqrt(sum(q * q for q in target[j]))
            out.append({"word": w, "score": round(dot / (ni * nj), 3)})
        return {"word": word, "answers": sorted(out, key=lambda a: -a["score"])}

    data = {
        "title": "w2v demo",
        "corpus": {"sentences": 889, "tokens": TOKENS, "vocab": 412},
        "config": {"model": "sgns", "dim": 40, "window": 4, "negative": 8,
                   "epochs": EPOCHS, "lr": 0.025, "init_scale": 0.001, "seed": 1},
        "words": words,
        "checkpoints": checkpoints,
        "closed_form": {"xy": closed, "eigenvalues": EIGENVALUES},
        "analogies": analogies,
        "neighbours": [
            near("king", ["queen", "prince", "princess", "man", "father"]),
            near("daughter", ["son", "girl", "sister", "mother", "princess"]),
            near("dog", ["puppy", "cat", "horse", "cow", "kitten"]),
            near("paris", ["france", "london", "rome", "berlin", "madrid"]),
        ],
    }
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "lesson_fake_data.json")
    with open(out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out}: {n} words, {len(checkpoints)} checkpoints")


if __name__ == "__main__":
    main()
