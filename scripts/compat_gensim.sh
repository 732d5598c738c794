#!/usr/bin/env bash
# compat_gensim.sh - prove that w2v's files, evaluators and queries agree with gensim 4.4.0.
#
# Usage (from anywhere; CI runs it from the repo root with CI=true):
#     bash scripts/compat_gensim.sh
# Prints one `PASS`/`FAIL` line per check with its figures indented below, then a summary;
# exits 1 if any check failed. About a minute on 2 cores (most of it gensim's analogy scan).
#
# What it does (the Python half, scripts/compat_gensim.py, documents each check):
#   - cargo build --release (skipped if W2V_BIN names a binary), venv with gensim 4.4.0
#     (scripts/venv.sh), decompress the text8 prefix into target/data/ if needed;
#   - w2v trains SGNS, dim 50, 2 epochs on the text8 prefix (2.1 M words) -> word2vec binary;
#   - gensim trains a small CBOW model on tiny/lee_background.cor (+ a few UTF-8 words) and
#     writes it with save_word2vec_format, binary and text;
#   - w2v converts: gensim's binary and text -> bin (1), ours -> text (3, 5) and
#     bin -> native -> bin / text, compared byte for byte with `cmp` (4, checked here);
#   - w2v eval analogy (restrict 30000 and 10000) and eval similarity (WS353), and
#     w2v similar / analogy --method add|mul for the queries listed in compat_gensim.py;
#   - compat_gensim.py check: loads everything in gensim and compares (1-3, 5-7).
#
# Env: W2V_DATA  data directory (default <repo>/../shared/data)
#      W2V_BIN   w2v binary to test (default: target/release/w2v, built here)
#      W2V_VENV  venv location (see scripts/venv.sh)
#      CI=true   a missing data file is a failure (otherwise every check is skipped)
# Temporary files: target/compat/ (recreated each run; report.txt holds the output).
set -euo pipefail

t_start=$(date +%s.%N)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="$repo/target/compat"
data="${W2V_DATA:-$repo/../shared/data}"
ci="${CI:-false}"

rm -rf "$out"
mkdir -p "$out/q"
log="$out/report.txt"
: >"$log"

say() { echo "$*" | tee -a "$log"; }
# pass|fail ID TITLE [FIGURE...]: one result line, then its figures indented.
pass() { say "$(printf 'PASS  %-3s %s' "$1" "$2")"; shift 2; for f in "$@"; do say "        $f"; done; }
fail() { say "$(printf 'FAIL  %-3s %s' "$1" "$2")"; shift 2; for f in "$@"; do say "        $f"; done; }
since() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }
elapsed() { since "$t_start"; }

# ---------------------------------------------------------------- build, venv, data
if [[ -n "${W2V_BIN:-}" ]]; then
    w2v="$W2V_BIN"
else
    echo "compat_gensim: cargo build --release" >&2
    cargo build --release --quiet || { fail build "cargo build --release failed"; exit 1; }
    w2v="$repo/target/release/w2v"
fi
[[ -x "$w2v" ]] || { fail build "no w2v binary at $w2v"; exit 1; }

py="$(scripts/venv.sh | tail -n1)" || { fail venv "scripts/venv.sh failed"; exit 1; }
"$py" -c 'import gensim, numpy, scipy' || { fail venv "gensim not importable with $py"; exit 1; }

corpus_xz="$data/corpus/text8-prefix-12549837.txt.xz"
corpus="$repo/target/data/text8-prefix-12549837.txt"
lee="$data/tiny/lee_background.cor"
questions="$data/analogy/questions-words.txt"
ws353="$data/similarity/wordsim353/wordsim353.tsv"
missing=()
[[ -f "$corpus" && $(stat -c %s "$corpus") -eq 12549837 ]] || [[ -f "$corpus_xz" ]] || missing+=("$corpus_xz")
for f in "$lee" "$questions" "$ws353"; do [[ -f "$f" ]] || missing+=("$f"); done
if ((${#missing[@]})); then
    if [[ "$ci" == "true" ]]; then
        fail data "missing data file(s) under CI=true: ${missing[*]}"
        exit 1
    fi
    say "SKIP  compat_gensim: missing data file(s): ${missing[*]} (set W2V_DATA; under CI=true this fails)"
    exit 0
fi
if [[ ! -f "$corpus" || $(stat -c %s "$corpus") -ne 12549837 ]]; then
    echo "compat_gensim: decompressing $corpus_xz" >&2
    mkdir -p "$(dirname "$corpus")"
    xz -dc "$corpus_xz" >"$corpus.tmp.$$"
    mv "$corpus.tmp.$$" "$corpus"
fi

say "compat_gensim: $("$w2v" --version) vs gensim $("$py" -c 'import gensim; print(gensim.__version__)'); data $data"
say "        setup (cargo build, venv, data): $(elapsed) s"

# Run a w2v command; on failure print a FAIL line naming it (the Python checks that need
# its output then fail too) and return 1.
run() {
    local id="$1"
    shift
    local status=0
    "$w2v" "$@" 2>"$out/stderr.txt" || status=$?
    if ((status != 0)); then
        fail "$id" "w2v $*" "exit status $status: $(tail -n3 "$out/stderr.txt")"
        return 1
    fi
}

# ---------------------------------------------------------------- our model
t=$(date +%s.%N)
run train train --input "$corpus" --output "$out/w2v.bin" --format bin --model sgns --dim 50 \
    --epochs 2 --threads 2 --min-count 5 --seed 1 --quiet || true
say "        w2v train (sgns, dim 50, 2 epochs, 2 threads, text8 prefix): $(since "$t") s"
run 3 convert "$out/w2v.bin" "$out/w2v.txt" --to text || true
run 4 convert "$out/w2v.bin" "$out/w2v.native" --to native || true
run 4 convert "$out/w2v.native" "$out/w2v.rt.bin" --to bin || true
run 4 convert "$out/w2v.native" "$out/w2v.rt.txt" --to text || true

# ---------------------------------------------------------------- gensim's files
"$py" scripts/compat_gensim.py gensim-write --out "$out" --corpus "$lee" 2>&1 | sed 's/^/        /' | tee -a "$log" \
    || fail 1 "gensim-write failed"
run 1b convert "$out/gensim.bin" "$out/gensim.bin.w2v.bin" --to bin || true
run 1c convert "$out/gensim.txt" "$out/gensim.txt.w2v.bin" --to bin || true
run 4 convert "$out/gensim.bin" "$out/gensim.native" --to native || true
run 4 convert "$out/gensim.native" "$out/gensim.rt.bin" --to bin || true

# ---------------------------------------------------------------- check 4: byte-exact round trips
cmp_check() {  # id title a b
    local c
    if c=$(cmp "$3" "$4" 2>&1); then
        pass "$1" "$2" "$(basename "$3") == $(basename "$4"): $(stat -c %s "$3") bytes identical"
    else
        fail "$1" "$2" "${c:-cmp failed}"
    fi
}
cmp_check 4a "our binary -> native -> binary is byte-exact" "$out/w2v.bin" "$out/w2v.rt.bin"
cmp_check 4b "our binary -> native -> text == binary -> text" "$out/w2v.txt" "$out/w2v.rt.txt"
cmp_check 4c "gensim binary -> w2v native -> binary == gensim binary -> binary" \
    "$out/gensim.bin.w2v.bin" "$out/gensim.rt.bin"

# ---------------------------------------------------------------- evaluators and queries
for r in 30000 10000; do
    run 6 eval analogy "$out/w2v.bin" "$questions" --restrict "$r" --json >"$out/w2v-analogy-$r.json" || true
done
run 6 eval similarity "$out/w2v.bin" "$ws353" --json >"$out/w2v-ws353.json" || true

if queries=$("$py" scripts/compat_gensim.py queries --model "$out/w2v.bin"); then
    while read -r kind a b c; do
        if [[ "$kind" == similar ]]; then
            run 7 similar "$out/w2v.bin" "$a" -k 10 --json >"$out/q/similar-$a.json" || true
        else
            for m in add mul; do
                run 7 analogy "$out/w2v.bin" "$a" "$b" "$c" -k 10 --method "$m" --json \
                    >"$out/q/$m-$a-$b-$c.json" || true
            done
        fi
    done <<<"$queries"
else
    fail 7 "query words not in our model"
fi

# ---------------------------------------------------------------- the gensim side
set +e
"$py" scripts/compat_gensim.py check --dir "$out" --data "$data" 2>&1 | tee -a "$log"
py_status=${PIPESTATUS[0]}
set -e
grep -q '^python checks:' "$log" || fail py "compat_gensim.py check stopped early (exit status $py_status)"

n_pass=$(grep -c '^PASS' "$log" || true)
n_fail=$(grep -c '^FAIL' "$log" || true)
if ((n_fail == 0 && py_status == 0)); then
    say "compat_gensim: PASS: $n_pass checks passed in $(elapsed) s"
    exit 0
fi
say "compat_gensim: FAIL: $n_fail of $((n_pass + n_fail)) checks failed ($(elapsed) s)"
grep '^FAIL' "$log" >&2
exit 1
