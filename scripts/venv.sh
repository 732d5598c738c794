#!/usr/bin/env bash
# venv.sh - create (if missing) the Python venv used for evaluation and install
# gensim 4.4.0 into it (numpy/scipy come along as its dependencies).
#
# Usage:   scripts/venv.sh            # prints the venv's python path on the last line
#          PY=$(scripts/venv.sh | tail -n1)
#          source scripts/venv.sh     # also works; sets W2V_PY to the python path
#
# Env:     W2V_VENV   venv location (default: <repo>/target/venv)
#          PYTHON     interpreter used to create the venv (default: python3)
#
# Idempotent: if the venv's python can already import gensim 4.4.0, nothing is done.

_w2v_venv_main() {
    local script_dir repo venv py want
    script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    repo="$(cd "$script_dir/.." && pwd)"
    venv="${W2V_VENV:-$repo/target/venv}"
    py="$venv/bin/python"
    want="4.4.0"

    if [[ -x "$py" ]] && "$py" -c "import gensim, sys; sys.exit(gensim.__version__ != '$want')" 2>/dev/null; then
        W2V_PY="$py"
        echo "$py"
        return 0
    fi

    if [[ ! -x "$py" ]]; then
        echo "venv.sh: creating venv at $venv" >&2
        mkdir -p "$(dirname "$venv")"
        if ! "${PYTHON:-python3}" -m venv "$venv" >&2; then
            # Debian's system python needs python3-venv for ensurepip.
            echo "venv.sh: 'python3 -m venv' failed; installing python3-venv" >&2
            rm -rf "$venv"
            apt-get update >&2 && apt-get install -y python3-venv >&2 || return 1
            "${PYTHON:-python3}" -m venv "$venv" >&2 || return 1
        fi
    fi

    echo "venv.sh: installing gensim==$want into $venv" >&2
    "$py" -m pip install --quiet --disable-pip-version-check "gensim==$want" >&2 || return 1
    "$py" -c "import gensim" >&2 || return 1

    W2V_PY="$py"
    echo "$py"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    # Executed: strict mode is safe here.
    set -euo pipefail
    _w2v_venv_main
else
    # Sourced: don't change the caller's shell options; export W2V_PY.
    _w2v_venv_main && export W2V_PY
fi
