#!/usr/bin/env bash
# eval_model.sh - score a word2vec-format model with gensim (Google analogies + WS353).
#
# Usage:   scripts/eval_model.sh MODEL.bin              # word2vec binary format
#          scripts/eval_model.sh MODEL.vec --text       # word2vec text format
#          scripts/eval_model.sh MODEL.bin --json       # one JSON object on stdout
# Any further arguments are passed to scripts/gensim_eval.py (--analogies FILE,
# --pairs FILE, --restrict N, --sections, --json; see `gensim_eval.py --help`).
#
# Sets up the venv first (scripts/venv.sh, idempotent), then runs gensim_eval.py with it.
# Env: W2V_VENV (venv location), W2V_DATA (data dir, default <repo>/../shared/data).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ $# -ge 1 ]] && exit 0 || exit 2
fi

py="$("$script_dir/venv.sh" | tail -n1)"
exec "$py" "$script_dir/gensim_eval.py" "$@"
