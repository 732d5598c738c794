#!/usr/bin/env python3
"""check_index_overlap.py W2V MODEL [N [EF]] - `w2v similar` through a model's neighbour index
(the default --ef, or EF) against `w2v similar --exact`, for the model's N most frequent words (default
1000; a native model lists its words by frequency): the mean number of the exact top 10 that the
index's top 10 shares, and the worst word. Both runs use the command's prompt (one query per
line, --json), so the file is opened once per run."""

import json
import subprocess
import sys

w2v, model = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
ef = sys.argv[4] if len(sys.argv) > 4 else None
info = json.loads(subprocess.run([w2v, "info", model, "--json"], check=True, capture_output=True, text=True).stdout)
if not info.get("index"):
    sys.exit(f"{model} has no index: run `w2v index {model}`")
# The words by index, from a word2vec text dump of the first lines.
dump = subprocess.Popen([w2v, "convert", model, "-", "--to", "text"], stdout=subprocess.PIPE, text=True)
words = []
dump.stdout.readline()
for line in dump.stdout:
    words.append(line.split(" ", 1)[0])
    if len(words) == n:
        break
dump.kill()
dump.wait()


def answers(extra):
    out = subprocess.run([w2v, "similar", model, "--json", "-k", "10", *extra], input="\n".join(words) + "\n",
                         check=True, capture_output=True, text=True).stdout
    return [[a["index"] for a in json.loads(line)] for line in out.splitlines() if line.startswith("[")]


got, want = answers(["--ef", ef] if ef else []), answers(["--exact"])
assert len(got) == len(want) == len(words), (len(got), len(want), len(words))
shared = [len(set(g) & set(w)) for g, w in zip(got, want)]
worst = min(range(len(shared)), key=lambda i: shared[i])
print(json.dumps({"words": len(words), "ef": ef or "default", "mean_shared_of_10": sum(shared) / len(shared),
                  "all_10": sum(s == 10 for s in shared), "worst": [words[worst], shared[worst]]}))
