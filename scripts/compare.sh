#!/usr/bin/env bash
# compare.sh - w2v side by side with its peers (gensim, fastText, word2vec.c): speed, memory, quality.
#
# Usage:   scripts/compare.sh [--corpus part1|text8|tiny] [--short] [--tools "w2v gensim ..."]
#                             [--configs "sgns-100-1 ..."] [--runs N] [--seed-from S] [--epochs E]
#                             [--no-eval] [-h]
#   --corpus   part1 = enwiki2015-t8style-part1 (16.9 M words, default),
#              text8 = text8-prefix-12549837 (2.1 M words), tiny = tiny/text8-prefix-500k (smoke test)
#   --short    the same as --corpus text8 (quick checks, same settings)
#   --tools    any of: w2v w2v-batch gensim fasttext word2vec.c (default: all that are available)
#                w2v         ours (W2V_BIN, else target/release/w2v built with cargo build --release)
#                w2v-batch   ours with --batch (negatives shared per window); skip-gram configs only;
#                            skipped with a message if `w2v train --help` has no --batch
#                gensim      gensim 4.4.0, Word2Vec(corpus_file=...) (scripts/gensim_train.py
#                            --corpus-file), in the venv of scripts/venv.sh
#                fasttext    Debian's fastText 0.9.2, without subwords (-minn 0 -maxn 0)
#                word2vec.c  Mikolov's word2vec.c ("v 0.1c", the last version), compiled with
#                            gcc -O3 -march=native -lm -pthread into target/peers/word2vec
#   --configs  MODEL-DIM-THREADS items, MODEL sgns or cbow
#              (default: "sgns-100-1 sgns-100-2 cbow-100-1 cbow-100-2 sgns-300-1")
#   --runs     runs per (config, tool); run r uses seed r for every tool that takes one (default 3)
#   --seed-from the first run's seed (default 1): run r uses seed S + r - 1, to add seeds to an
#              earlier invocation's
#   --epochs   epochs (default 5; lower it only for smoke tests)
#   --no-eval  skip the quality scores
#
# Settings shared by all tools: window 5, negative sampling with 5 negatives, sample 1e-4,
# min-count 5, lr 0.025 (sgns) / 0.05 (cbow) decaying linearly, CBOW averages its context.
# Each tool decays the rate by its own default: w2v's CBOW to 0.2 lr (its --min-lr default)
# and its skip-gram to lr x 1e-4, word2vec.c to lr x 1e-4, fastText to 0, gensim to its
# min_alpha 0.0001 (with several corpus_file workers it ends near 0.1 lr: each worker decays
# by its own share of the words).
#
# What it does: warns if the 1-min load average is above 0.5, installs what is missing (GNU
# time, xz-utils and fastText from Debian, gensim 4.4.0 in target/venv, word2vec.c from PyPI),
# decompresses the corpus into target/data/, then for each config and run times every tool under
# `/usr/bin/time -v`: wall seconds of the whole command (vocabulary scan, training, saving) and
# peak RSS; words/s = corpus words (wc -w) x epochs / wall seconds. The tool order rotates by
# one place from run to run, so no tool always goes first. After all timed runs (never during
# one), every output is scored by one evaluator, gensim's (scripts/eval_model.sh --json:
# Google analogies, restrict_vocab 30000, case-insensitive; WS353 Spearman), word2vec binary
# for ours, gensim and word2vec.c, fastText's text .vec. Quality = median over the runs' seeds.
# Writes the raw rows to target/bench/compare-<stamp>.tsv and the markdown report (also
# printed on stdout) to target/bench/compare-<stamp>.md; models and logs go to
# target/bench/out/compare-<stamp>/.
#
# Peers, and what to know about them:
# - word2vec.c: GitHub cannot be reached from here, but PyPI's `word2vec` 0.11.1 sdist
#   (danielfrg's wrapper; sha256 222d8ffb...c8b4 checked) ships the original sources in
#   word2vec/includes/word2vec.c: Google's Apache-2.0 file, "WORD VECTOR estimation toolkit
#   v 0.1c", the final version with -iter and the LCG-seeded InitNet. Only that file is used;
#   it is compiled here, not by the package. It has no seed option (its seeds are fixed), so
#   its seed column says "fixed". Its file-name buffers are 100 bytes: paths must be shorter.
# - fastText 0.9.2 takes -seed (its help: "random generator seed [0]").
# - gensim 4.4's corpus_file reader mishandles a line longer than 10,000 words, and our
#   corpora are one line: each worker reads the line from its start offset to the end of
#   the file (std::getline), cuts it into 10,000-word sentences, trains on the first batch
#   (about 20,000 words) and stops, because the stream is at EOF (train_epoch_sg/cbow loop
#   `while not (input_stream.is_eof() or ...)`, the rest left in next_batch's buffer). Seen
#   here with gensim's own logging: "training on 40000 raw words" per epoch with 2 workers,
#   for the 83 k-word tiny corpus and for a 2 M-word one alike. So gensim is given a copy of
#   the corpus cut into 1000-word lines (target/data/<name>.lines1000.txt: the same words,
#   cut before the timed runs; gensim then trains on all of them), the sentence length of
#   word2vec.c and w2v (fastText: 1024).
#
# Env: W2V_DATA  data dir (default <repo>/../shared/data)
#      W2V_BIN   use this binary instead of building target/release/w2v (skips cargo build)
#      W2V_VENV  venv location (default <repo>/target/venv)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
data="${W2V_DATA:-$repo/../shared/data}"
cmdline="$0$(printf ' %q' "$@")"

ALL_TOOLS="w2v w2v-batch gensim fasttext word2vec.c"
DEFAULT_CONFIGS="sgns-100-1 sgns-100-2 cbow-100-1 cbow-100-2 sgns-300-1"

corpus=""
short=0
tools_arg=""
configs="$DEFAULT_CONFIGS"
runs=3
seed_from=1
EPOCHS=5
do_eval=1

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
die() { echo "compare.sh: $*" >&2; exit 1; }
bad_arg() { echo "compare.sh: $*" >&2; echo "Try 'scripts/compare.sh --help'." >&2; exit 2; }
need_value() { [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || bad_arg "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) need_value "$@"; corpus="$2"; shift 2 ;;
        --short) short=1; shift ;;
        --tools) need_value "$@"; tools_arg="$2"; shift 2 ;;
        --configs) need_value "$@"; configs="$2"; shift 2 ;;
        --runs) need_value "$@"; runs="$2"; shift 2 ;;
        --seed-from) need_value "$@"; seed_from="$2"; shift 2 ;;
        --epochs) need_value "$@"; EPOCHS="$2"; shift 2 ;;
        --no-eval) do_eval=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) bad_arg "unknown argument: $1" ;;
    esac
done

# ---------------------------------------------------------------- argument checks (before any work)
if [[ $short -eq 1 ]]; then
    [[ -z "$corpus" || "$corpus" == text8 ]] || bad_arg "--short means --corpus text8; it contradicts --corpus $corpus"
    corpus=text8
fi
corpus="${corpus:-part1}"
case "$corpus" in
    part1 | text8 | tiny) ;;
    *) bad_arg "unknown corpus: $corpus (part1|text8|tiny)" ;;
esac
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || bad_arg "--runs must be a positive integer, not '$runs'"
[[ "$seed_from" =~ ^[1-9][0-9]{0,8}$ ]] || bad_arg "--seed-from must be a positive integer, not '$seed_from'"
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || bad_arg "--epochs must be a positive integer, not '$EPOCHS'"
[[ -n "${configs// /}" ]] || bad_arg "--configs is empty"
seen=" "
for c in $configs; do
    [[ "$c" =~ ^(sgns|cbow)-[1-9][0-9]*-[1-9][0-9]*$ ]] ||
        bad_arg "bad config '$c': want MODEL-DIM-THREADS with MODEL sgns or cbow, e.g. sgns-100-2"
    [[ "$seen" != *" $c "* ]] || bad_arg "config listed twice: $c"
    seen+="$c "
done
explicit_tools=0
if [[ -n "$tools_arg" ]]; then
    explicit_tools=1
    [[ -n "${tools_arg// /}" ]] || bad_arg "--tools is empty"
    seen=" "
    for t in $tools_arg; do
        [[ " $ALL_TOOLS " == *" $t "* ]] || bad_arg "unknown tool '$t' (known: $ALL_TOOLS)"
        [[ "$seen" != *" $t "* ]] || bad_arg "tool listed twice: $t"
        seen+="$t "
    done
    tools="$tools_arg"
else
    tools="$ALL_TOOLS"
fi
case "$corpus" in
    part1) xz_file="$data/corpus/enwiki2015-t8style-part1.txt.xz" ;;
    text8) xz_file="$data/corpus/text8-prefix-12549837.txt.xz" ;;
    tiny) xz_file="" ;;
esac
if [[ -n "$xz_file" ]]; then
    [[ -f "$xz_file" ]] || die "corpus not found: $xz_file (set W2V_DATA?)"
else
    [[ -f "$data/tiny/text8-prefix-500k.txt" ]] || die "corpus not found: $data/tiny/text8-prefix-500k.txt (set W2V_DATA?)"
fi
if [[ -n "${W2V_BIN:-}" ]]; then [[ -x "$W2V_BIN" ]] || die "W2V_BIN is not executable: $W2V_BIN"; fi

# Timings are only meaningful on an otherwise idle machine: warn if it is busy (checked before
# this script's own preparation: installs, decompression, compiling).
read -r load1 load5 load15 _ </proc/loadavg
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
    echo "compare.sh: WARNING: load average is $load1; other work will skew the timings" >&2
fi

has_tool() { [[ " $tools " == *" $1 "* ]]; }
drop_tool() {
    local t out=""
    for t in $tools; do [[ "$t" == "$1" ]] || out+="$t "; done
    tools="${out% }"
}

# Fixed training settings (shared by all tools).
WINDOW=5 NEGATIVE=5 SAMPLE=1e-4 MIN_COUNT=5
lr_for() { if [[ "$1" == sgns ]]; then echo 0.025; else echo 0.05; fi; }

# ---------------------------------------------------------------- install peers
apt_updated=0
apt_install() {
    if [[ $apt_updated -eq 0 ]]; then apt-get update >&2; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}
[[ -x /usr/bin/time ]] || apt_install time
if [[ -n "$xz_file" ]]; then command -v xz >/dev/null || apt_install xz-utils; fi
if has_tool fasttext; then command -v fasttext >/dev/null || apt_install fasttext; fi

py=""
if has_tool gensim || has_tool word2vec.c || [[ $do_eval -eq 1 ]]; then
    py="$("$script_dir/venv.sh" | tail -n1)"
    [[ -x "$py" ]] || die "scripts/venv.sh did not give a python"
fi

# word2vec.c from PyPI's `word2vec` sdist (GitHub is not reachable here); see the header.
W2VC_VERSION=0.11.1
W2VC_SHA256=222d8ffb47f385c43eba45e3f308e605fc9736b2b7137d74979adf1a31e7c8b4
peers="$repo/target/peers"
w2vc_bin="$peers/word2vec"
install_word2vec_c() {
    local dl="$peers/dl" src="$peers/word2vec-$W2VC_VERSION" sdist
    [[ -x "$w2vc_bin" ]] && return 0
    command -v gcc >/dev/null || apt_install gcc libc6-dev
    mkdir -p "$dl"
    sdist="$dl/word2vec-$W2VC_VERSION.tar.gz"
    if [[ ! -s "$sdist" ]]; then
        echo "downloading word2vec==$W2VC_VERSION (sdist) from PyPI for word2vec.c" >&2
        "$py" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
            -d "$dl" "word2vec==$W2VC_VERSION" >&2 || return 1
    fi
    [[ -s "$sdist" ]] || { echo "compare.sh: $sdist missing after pip download" >&2; return 1; }
    echo "$W2VC_SHA256  $sdist" | sha256sum -c --quiet - >&2 || return 1
    rm -rf "$src" && mkdir -p "$src"
    tar -xzf "$sdist" -C "$src" --strip-components=3 "word2vec-$W2VC_VERSION/word2vec/includes/word2vec.c" || return 1
    grep -q 'WORD VECTOR estimation toolkit v 0.1c' "$src/word2vec.c" || {
        echo "compare.sh: $src/word2vec.c is not word2vec.c v 0.1c" >&2
        return 1
    }
    echo "compiling word2vec.c: gcc -O3 -march=native -lm -pthread" >&2
    gcc "$src/word2vec.c" -o "$w2vc_bin.tmp" -O3 -march=native -lm -pthread -Wno-unused-result >&2 || return 1
    mv "$w2vc_bin.tmp" "$w2vc_bin"
}
if has_tool word2vec.c; then
    if ! install_word2vec_c; then
        [[ $explicit_tools -eq 0 ]] || die "could not install word2vec.c (see above)"
        echo "compare.sh: word2vec.c could not be installed: leaving it out" >&2
        drop_tool word2vec.c
    fi
fi

# ---------------------------------------------------------------- our binary
if [[ -n "${W2V_BIN:-}" ]]; then
    w2v="$W2V_BIN"
else
    cargo_bin="$(command -v cargo || echo "$HOME/.cargo/bin/cargo")"
    echo "building: cargo build --release" >&2
    (cd "$repo" && "$cargo_bin" build --release >&2)
    w2v="$repo/target/release/w2v"
fi
[[ -x "$w2v" ]] || die "not executable: $w2v"
# (Not `| grep -q`: grep stops reading at the first match, and with pipefail the writer's
# SIGPIPE would make the test fail at random.)
train_help=$("$w2v" train --help 2>/dev/null || true)
if has_tool w2v-batch && [[ "$train_help" != *--batch* ]]; then
    echo "compare.sh: $w2v train has no --batch option yet: skipping tool w2v-batch" >&2
    drop_tool w2v-batch
fi
[[ -n "$tools" ]] || die "no tool left to run"

# ---------------------------------------------------------------- corpus
if [[ -n "$xz_file" ]]; then
    mkdir -p "$repo/target/data"
    input="$repo/target/data/$(basename "$xz_file" .xz)"
    if [[ ! -s "$input" ]]; then
        echo "decompressing $xz_file -> $input" >&2
        xz -dc "$xz_file" >"$input.tmp"
        mv "$input.tmp" "$input"
    fi
else
    input="$(cd "$data/tiny" && pwd)/text8-prefix-500k.txt"
fi
words=$(wc -w <"$input")
echo "corpus: $input ($words words)" >&2
gensim_input=""
if has_tool gensim; then
    # gensim's corpus_file reader needs lines of at most 10,000 words (see the header).
    mkdir -p "$repo/target/data"
    gensim_input="$repo/target/data/$(basename "$input" .txt).lines1000.txt"
    if [[ ! -s "$gensim_input" || "$gensim_input" -ot "$input" ]]; then
        echo "cutting the corpus into 1000-word lines for gensim -> $gensim_input" >&2
        "$py" "$script_dir/compare_report.py" split "$input" "$gensim_input.tmp" --max-words 1000
        mv "$gensim_input.tmp" "$gensim_input"
    fi
    gwords=$(wc -w <"$gensim_input")
    [[ "$gwords" -eq "$words" ]] || die "$gensim_input has $gwords words, $input has $words"
fi

# ---------------------------------------------------------------- setup of the timed runs
bench_dir="$repo/target/bench"
stamp="$(date +%Y%m%d-%H%M%S)"
out_dir="$bench_dir/out/compare-$stamp"
mkdir -p "$out_dir"
tsv="$bench_dir/compare-$stamp.tsv"
md="$bench_dir/compare-$stamp.md"
# word2vec.c copies -train and -output into 100-byte buffers.
if has_tool word2vec.c; then
    ((${#input} < 100)) || die "path too long for word2vec.c (${#input} >= 100 bytes): $input"
    for c in $configs; do
        p="$out_dir/$c-word2vec.c-r$runs.bin"
        ((${#p} < 100)) || die "path too long for word2vec.c (${#p} >= 100 bytes): $p"
    done
fi
printf 'corpus\tconfig\ttool\trun\tseed\twall_s\tmax_rss_kb\twords\tepochs\twords_per_s\tanalogy_pct\tws353\tanalogy_answered\tstatus\tmodel\n' >"$tsv"

# Machine description (read before the timed runs).
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
mem_gb=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
w2v_version=$("$w2v" --version 2>/dev/null || echo "w2v (version unknown)")
simd_probe="$out_dir/.simd-probe"
for _ in $(seq 20); do printf 'a b c d e f g h i j '; done >"$simd_probe.txt"
simd_level=$("$w2v" train --input "$simd_probe.txt" --output "$simd_probe.bin" --min-count 1 --epochs 1 \
    --threads 1 --quiet --json 2>/dev/null | awk -F'"' '/"simd_level"/ { print $4 }' || true)
rm -f "$simd_probe.txt" "$simd_probe.bin"
simd_level="${simd_level:-unknown}${W2V_SIMD:+ (W2V_SIMD=$W2V_SIMD)}"
cpu_simd=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w 'sse4_2\|avx\|avx2\|fma\|avx512f\|avx512bw\|avx512vl' | sort -u | tr '\n' ' ')
gensim_version=""; fasttext_version=""; gcc_version=""
if has_tool gensim; then gensim_version=$("$py" -c 'import gensim; print(gensim.__version__)'); fi
if has_tool fasttext; then fasttext_version=$(dpkg-query -W -f="\${Version}" fasttext 2>/dev/null || echo unknown); fi
if has_tool word2vec.c; then gcc_version=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion); fi


# build_cmd TOOL CONFIG RUN: sets the globals CMD (the training command), MODEL_FILE (the file
# to score) and SEED (the seed used, or "fixed").
build_cmd() {
    local tool=$1 config=$2 run=$3 model dim threads lr base
    IFS=- read -r model dim threads <<<"$config"
    lr=$(lr_for "$model")
    base="$out_dir/$config-$tool-r$run"
    SEED=$((seed_from + run - 1))
    case "$tool" in
        w2v | w2v-batch)
            MODEL_FILE="$base.bin"
            CMD=("$w2v" train --input "$input" --output "$MODEL_FILE" --model "$model" --loss ns
                --dim "$dim" --window "$WINDOW" --negative "$NEGATIVE" --sample "$SAMPLE"
                --min-count "$MIN_COUNT" --epochs "$EPOCHS" --lr "$lr" --threads "$threads"
                --seed "$SEED" --quiet)
            if [[ "$tool" == w2v-batch ]]; then CMD+=(--batch); fi
            ;;
        gensim)
            MODEL_FILE="$base.bin"
            CMD=("$py" "$script_dir/gensim_train.py" "$gensim_input" "$MODEL_FILE" --corpus-file
                --model "$model" --loss ns --dim "$dim" --window "$WINDOW" --negative "$NEGATIVE"
                --sample "$SAMPLE" --min-count "$MIN_COUNT" --epochs "$EPOCHS" --lr "$lr"
                --threads "$threads" --seed "$SEED")
            ;;
        fasttext)
            MODEL_FILE="$base.vec"
            local mode=skipgram
            [[ "$model" == sgns ]] || mode=cbow
            CMD=(fasttext "$mode" -input "$input" -output "$base" -dim "$dim" -ws "$WINDOW"
                -loss ns -neg "$NEGATIVE" -t "$SAMPLE" -minCount "$MIN_COUNT" -epoch "$EPOCHS"
                -lr "$lr" -thread "$threads" -minn 0 -maxn 0 -seed "$SEED" -verbose 0)
            ;;
        word2vec.c)
            MODEL_FILE="$base.bin"
            SEED=fixed
            local cbow=0
            [[ "$model" == sgns ]] || cbow=1
            CMD=("$w2vc_bin" -train "$input" -output "$MODEL_FILE" -cbow "$cbow" -size "$dim"
                -window "$WINDOW" -hs 0 -negative "$NEGATIVE" -sample "$SAMPLE"
                -min-count "$MIN_COUNT" -iter "$EPOCHS" -alpha "$lr" -threads "$threads"
                -binary 1 -debug 0)
            ;;
    esac
}

# tools_for CONFIG RUN: the tools to run for CONFIG, rotated by RUN - 1 places.
tools_for() {
    local config=$1 run=$2 t list=() n i
    for t in $tools; do
        if [[ "$t" == w2v-batch && "$config" != sgns-* ]]; then continue; fi
        list+=("$t")
    done
    n=${#list[@]}
    for ((i = 0; i < n; i++)); do printf '%s ' "${list[(i + run - 1) % n]}"; done
}

failures=0
# time_run TOOL CONFIG RUN: runs the command under /usr/bin/time -v, appends a row to the TSV.
time_run() {
    local tool=$1 config=$2 run=$3 tfile log wall rss wps status=ok
    build_cmd "$tool" "$config" "$run"
    tfile="$out_dir/$config-$tool-r$run.time"
    log="$out_dir/$config-$tool-r$run.log"
    echo "[$config run $run/$runs] $tool ..." >&2
    if /usr/bin/time -v -o "$tfile" "${CMD[@]}" >"$log" 2>&1 && [[ -s "$MODEL_FILE" ]]; then
        # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" -> seconds
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tfile")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $NF }' "$tfile")
        [[ -n "$wall" && -n "$rss" ]] || die "could not parse $tfile"
        wps=$(awk -v w="$words" -v e="$EPOCHS" -v s="$wall" 'BEGIN { if (s < 0.01) s = 0.01; printf "%.0f", w * e / s }')
        echo "    ${wall}s, $((rss / 1024)) MB, $wps words/s" >&2
    else
        tail -n 20 "$log" >&2
        echo "compare.sh: $tool FAILED (log: $log): ${CMD[*]}" >&2
        wall=NA rss=NA wps=NA status=failed
        failures=$((failures + 1))
    fi
    # fastText's .bin (the full model) is not needed: the .vec is scored.
    if [[ "$tool" == fasttext ]]; then rm -f "${MODEL_FILE%.vec}.bin"; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tNA\tNA\tNA\t%s\t%s\n' "$corpus" "$config" "$tool" \
        "$run" "$SEED" "$wall" "$rss" "$words" "$EPOCHS" "$wps" "$status" "$MODEL_FILE" >>"$tsv"
}

echo "tools: $tools; configs: $configs; runs: $runs; epochs: $EPOCHS" >&2
cat "$input" >/dev/null # page cache warm for the first run too
if [[ -n "$gensim_input" ]]; then cat "$gensim_input" >/dev/null; fi
read -r pre_load1 pre_load5 pre_load15 _ </proc/loadavg
start_s=$(date +%s)
for config in $configs; do
    for ((run = 1; run <= runs; run++)); do
        for tool in $(tools_for "$config" "$run"); do
            time_run "$tool" "$config" "$run"
        done
    done
done
timing_min=$(( ($(date +%s) - start_s + 59) / 60 ))
read -r end_load1 end_load5 end_load15 _ </proc/loadavg

# ---------------------------------------------------------------- quality (after all timings)
if [[ $do_eval -eq 1 ]]; then
    echo "scoring every output with gensim's evaluator (scripts/eval_model.sh --json)" >&2
    tail -n +2 "$tsv" | while IFS=$'\t' read -r -a row; do
        [[ "${row[13]}" == ok ]] || continue
        tool=${row[2]} model_file=${row[14]}
        if [[ "$tool" == fasttext ]]; then fmt_flag=--text; else fmt_flag=--binary; fi
        if ! "$script_dir/eval_model.sh" "$model_file" "$fmt_flag" --json >"$model_file.eval.json.tmp" \
            2>"$model_file.eval.log"; then
            tail -n 5 "$model_file.eval.log" >&2
            echo "compare.sh: evaluation failed for $model_file" >&2
            rm -f "$model_file.eval.json.tmp"
            continue
        fi
        mv "$model_file.eval.json.tmp" "$model_file.eval.json"
    done
fi

# ---------------------------------------------------------------- report
report_py="$script_dir/compare_report.py"
pyr="${py:-python3}"
fill=()
if [[ $do_eval -eq 1 ]]; then fill=(--fill-quality); fi
{
    echo "## w2v vs peers: $corpus ($words words x $EPOCHS epochs), median of $runs run(s)"
    echo
    "$pyr" "$report_py" report "$tsv" --tools "$tools" --configs "$configs" "${fill[@]}"
    echo "Ratios are of median words/s (ours / that tool's); > 1 means ours is faster. words/s ="
    echo "corpus words (wc -w) x epochs / wall seconds of the whole command (vocabulary, training,"
    echo "saving, and for gensim the Python start-up). Peak RSS is the maximum over runs."
    if [[ $do_eval -eq 1 ]]; then
        echo "Quality: gensim 4.4 evaluators on every run's output (Google analogies, restrict_vocab"
        echo "30000, case-insensitive: accuracy over the questions answered; WS353 Spearman rho),"
        echo "median over the runs (run r = seed $seed_from + r - 1; word2vec.c has fixed seeds)."
    else
        echo "Quality not scored (--no-eval)."
    fi
    if [[ $failures -gt 0 ]]; then echo; echo "**$failures run(s) failed**: see the logs in $out_dir."; fi
    echo
    echo "### Setup"
    echo
    echo "- Command: \`$cmdline\`"
    echo "- Corpus: \`$input\` ($words words, \`wc -w\`); settings: window $WINDOW, negative $NEGATIVE,"
    echo "  sample $SAMPLE, min-count $MIN_COUNT, epochs $EPOCHS, lr 0.025 (sgns) / 0.05 (cbow)."
    if [[ -n "$gensim_input" ]]; then
        echo "- gensim reads \`$gensim_input\`: the same words cut into 1000-word lines (gensim 4.4's"
        echo "  corpus_file mode trains on only ~20,000 words per worker and epoch of a longer line)."
    fi
    echo "- Machine: $cpu_model, $cores cores (nproc), ${mem_gb} GB RAM, $(uname -sr)."
    echo "  CPU SIMD flags: ${cpu_simd% }; w2v's SIMD level: $simd_level."
    echo "- 1/5/15-min load average at start: $load1 $load5 $load15; before the first timed run"
    echo "  (after the preparation): $pre_load1 $pre_load5 $pre_load15; after the last:"
    echo "  $end_load1 $end_load5 $end_load15 (the timed runs took about $timing_min min)."
    echo "- Versions: $w2v_version ($w2v)"
    if [[ -n "$gensim_version" ]]; then echo "  gensim $gensim_version ($py)"; fi
    if [[ -n "$fasttext_version" ]]; then echo "  fastText $fasttext_version (Debian package)"; fi
    if [[ -n "$gcc_version" ]]; then
        echo "  word2vec.c v 0.1c from PyPI word2vec==$W2VC_VERSION, gcc $gcc_version -O3 -march=native"
    fi
    order=$(tools_for sgns-1-1 1)
    echo "- Tool order: rotated by one place per run (run 1: ${order% })."
    echo "- Raw rows: \`$tsv\`; models and logs: \`$out_dir/\`"
    echo
    echo "### Training commands (run 1)"
    echo
    for config in $configs; do
        for tool in $(tools_for "$config" 1); do
            build_cmd "$tool" "$config" 1
            line=$(printf '%q ' "${CMD[@]}")
            echo "- $config, $tool: \`${line% }\`"
        done
    done
} | tee "$md"
echo >&2
echo "report: $md; raw rows: $tsv" >&2
[[ $failures -eq 0 ]] || exit 1
