#!/usr/bin/env python3
"""Write the kept seed corpus, fuzz/corpus/<target>/ (see fuzz/README.md).

Valid files of each format come from the command-line tool on a slice of the
demo's teaching corpus (`w2v train`, `w2v convert`, `w2v cooc`); the rest are
hand-made edge cases. Run from the repository root after
`cargo build --release`:

    python3 fuzz/make_seeds.py

Seeds are named for what they hold; the fuzzer's own finds go to fuzz/work/,
and the inputs that found a bug are kept as fuzz/corpus/<target>/found-*
(this script leaves those alone, and the files of the versions before the
section container, fuzz/corpus/<target>/legacy-*, which today's tool no
longer writes).
The native, count-file and checkpoint targets read a steering byte before the file (bit 0:
repair the header CRC, bit 1: repair the section CRCs, bit 2: where the fixed
header of the version before the container keeps them), the tokenizer four
(see fuzz_targets/tokenizer.rs).
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
W2V = os.path.join(ROOT, "target", "release", "w2v")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TEXT = open(os.path.join(ROOT, "src", "lesson", "corpus.txt"), "rb").read()


def w2v(*args):
    subprocess.run([W2V, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def put(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def native_without_scan(data):
    """A native file with its scan copy dropped: the table lists neither
    `scan8` nor `scales` (the count drops by two), and `meta`'s residual is 0;
    the target repairs the CRCs."""
    n = struct.unpack_from("<I", data, 12)[0]
    entries = [data[16 + 32 * i:48 + 32 * i] for i in range(n)]
    keep = [e for e in entries if e[:8].rstrip(b"\0") not in (b"scan8", b"scales")]
    end = max(struct.unpack_from("<QQ", e, 8)[0] + struct.unpack_from("<QQ", e, 8)[1] for e in keep)
    head = data[:12] + struct.pack("<I", len(keep)) + b"".join(keep) + b"\0" * 8
    # The sections stay where they are: the shorter table leaves padding.
    b = bytearray(head + data[len(head):end])
    meta = next(e for e in keep if e[:8].rstrip(b"\0") == b"meta")
    off = struct.unpack_from("<Q", meta, 8)[0]
    struct.pack_into("<f", b, off + 16, 0.0)
    return bytes(b)


def binary_without_newlines(text):
    """word2vec binary as gensim writes it (no newline after a row), from a
    text file's words and values."""
    lines = text.decode().splitlines()
    out = [lines[0].encode() + b"\n"]
    for line in lines[1:]:
        word, *values = line.split()
        out.append(word.encode() + b" " + struct.pack(f"<{len(values)}f", *map(float, values)))
    return b"".join(out)


def main():
    if not os.path.exists(W2V):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="w2v-seeds")
    try:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "wb") as f:
            f.write(TEXT[:4000])
        p = lambda name: os.path.join(tmp, name)
        w2v("train", "-i", corpus, "-o", p("m8.bin"), "--dim", "8", "--min-count", "3",
            "--epochs", "2", "--threads", "1", "--save-vocab", p("vocab.txt"))
        w2v("train", "-i", corpus, "-o", p("m4.bin"), "--dim", "4", "--min-count", "8",
            "--epochs", "1", "--threads", "1", "--model", "sgns", "--loss", "hs")
        w2v("train", "-i", corpus, "-o", p("m3.bin"), "--dim", "3", "--min-count", "20",
            "--epochs", "1", "--threads", "1")
        with open(p("empty.txt"), "wb") as f:
            f.write(b"0 4\n")
        for m in ("m8", "m4", "m3"):
            w2v("convert", "--to", "text", p(m + ".bin"), p(m + ".txt"))
            w2v("convert", "--to", "native", p(m + ".bin"), p(m + ".w2v"))
        w2v("convert", "--to", "native", p("empty.txt"), p("empty.w2v"))
        w2v("cooc", "-i", corpus, "-v", "3", "--window", "1", "-o", p("c3.cooc"), "-q")
        w2v("cooc", "-i", corpus, "-v", "12", "--window", "3", "-o", p("c12.cooc"), "-q")
        w2v("cooc", "-i", corpus, "-v", "40", "--window", "5", "--sample", "0.01",
            "-o", p("c40.cooc"), "-q")
        w2v("train", "-i", corpus, "-o", p("k3.bin"), "--dim", "3", "--min-count", "20",
            "--epochs", "2", "--threads", "1", "--checkpoint", p("k3.ckpt"),
            "--checkpoint-every", "300")
        w2v("train", "-i", corpus, "-o", p("kh.bin"), "--dim", "2", "--min-count", "10",
            "--epochs", "2", "--threads", "2", "--model", "sgns", "--loss", "hs",
            "--checkpoint", p("kh.ckpt"), "--checkpoint-every", "100")
        read = lambda name: open(p(name), "rb").read()

        # Start each target's seeds afresh, but keep the inputs fuzzing found
        # (`found-*`, copied by hand from fuzz/artifacts/: see the README) and
        # the files of earlier versions (`legacy-*`).
        for target in ("word2vec", "native", "vocab", "cooc", "tokenizer", "checkpoint"):
            d = os.path.join(CORPUS, target)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                if not name.startswith(("found-", "legacy-")):
                    os.remove(os.path.join(d, name))

        # word2vec: files the tool wrote, then edge cases.
        for m in ("m8", "m4", "m3"):
            put("word2vec", m + "-binary", read(m + ".bin"))
            put("word2vec", m + "-text", read(m + ".txt"))
        m3 = read("m3.bin")
        put("word2vec", "m3-binary-no-newlines", binary_without_newlines(read("m3.txt")))
        put("word2vec", "empty-model", b"0 4\n")
        put("word2vec", "text-crlf", b"2 2\r\nab 1 2\r\ncd -3.5e2 4\r\n")
        put("word2vec", "text-utf8", "3 2\ncafé 0.5 -0.5\n日本語 1 0\nß 0 1\n".encode())
        put("word2vec", "text-nan-inf", b"3 2\nx nan inf\ny -inf 1\nz 1e-40 3.4e38\n")
        put("word2vec", "text-zero-rows", b"3 3\na 0 0 0\nb 1 2 3\nc -0 0 0\n")
        put("word2vec", "text-duplicate", b"2 1\na 1\na 2\n")
        put("word2vec", "text-control-byte", b"2 1\na\x1bb 1\nc\x00 2\n")
        put("word2vec", "text-short-row", b"2 3\na 1 2 3\nb 1 2\n")
        put("word2vec", "text-no-final-newline", b"2 2\na 1 2\nb 3 4")
        put("word2vec", "binary-dim1", b"2 1\na " + struct.pack("<f", 0.25) + b"\nb " + struct.pack("<f", -2.0) + b"\n")
        put("word2vec", "binary-digits-row", b"1 1\nw 1234\n")
        put("word2vec", "binary-truncated", m3[: len(m3) // 2])
        put("word2vec", "header-huge", b"99999999999999 3\nw 1 2 3\n")
        put("word2vec", "header-bad", b"3\n")
        put("word2vec", "header-wide", b"1 300000\nw 0\n")

        # checkpoint: steering byte 3 (repair CRCs), then the file.
        put("checkpoint", "k3", b"\x03" + read("k3.ckpt"))
        put("checkpoint", "k3-as-is", b"\x00" + read("k3.ckpt"))
        put("checkpoint", "k3-truncated", b"\x03" + read("k3.ckpt")[:400])
        put("checkpoint", "kh-two-threads-hs", b"\x03" + read("kh.ckpt"))

        # native: steering byte 3 (repair CRCs), then the file.
        for m in ("m8", "m4", "m3", "empty"):
            put("native", m, b"\x03" + read(m + ".w2v"))
        put("native", "m3-as-is", b"\x00" + read("m3.w2v"))
        put("native", "m4-no-scan", b"\x03" + native_without_scan(read("m4.w2v")))
        put("native", "m3-truncated", b"\x03" + read("m3.w2v")[:300])
        put("native", "version1", b"\x03" + read("m3.w2v")[:8] + struct.pack("<I", 1) + read("m3.w2v")[12:])

        # vocab: the tool's file, then edge cases.
        put("vocab", "train-save-vocab", read("vocab.txt"))
        put("vocab", "blank-and-crlf", b"a 5\n\nb 3\r\n  \nc 1\n")
        put("vocab", "duplicate", b"a 2\nb 2\na 1\n")
        put("vocab", "no-count", b"a 1\nword\n")
        put("vocab", "inner-space", b"a b 3\n")
        put("vocab", "plus-and-overflow", b"x +5\ny 18446744073709551616\n")
        put("vocab", "utf8", "café 3\n日本語 2\n".encode())
        put("vocab", "not-utf8", b"ok 2\n\xff\xfe 1\n")
        put("vocab", "control-byte", b"ok 2\nesc\x1b[0m 1\nnul\x00 1\ndel\x7f 1\n")
        put("vocab", "empty", b"")

        # cooc: steering byte 3, then the file.
        for c in ("c3", "c12", "c40"):
            put("cooc", c, b"\x03" + read(c + ".cooc"))
        put("cooc", "c3-as-is", b"\x00" + read("c3.cooc"))
        put("cooc", "c3-truncated", b"\x03" + read("c3.cooc")[:200])

        # tokenizer: [flags, seed lo, seed hi, min_count] then the text.
        text = TEXT[:1500]
        put("tokenizer", "demo-1-part", bytes([0, 1, 0, 1]) + text)
        put("tokenizer", "demo-4-parts", bytes([3, 7, 0, 2]) + text)
        put("tokenizer", "demo-8-parts-file", bytes([16 | 7, 9, 1, 0]) + text)
        put("tokenizer", "stretched", bytes([8 | 2, 0x33, 0x0F, 1]) + text[:300])
        put("tokenizer", "whitespace", bytes([5, 3, 0, 0]) + b" a\tb\r\nc\x0bd\x0ce\n\n\nf  \n g")
        put("tokenizer", "long-token", bytes([2, 5, 0, 0]) + b"a " + b"x" * 1024 + b" b " + b"y" * 1025 + b"\nc")
        put("tokenizer", "long-token-stretched", bytes([8 | 3, 0xFF, 0x0F, 0]) + b"z" * 1500 + b" w\n")
        put("tokenizer", "not-utf8", bytes([1, 2, 0, 0]) + b"ok \xff\xfe ok\n")
        put("tokenizer", "control-bytes", bytes([2, 4, 0, 0]) + b"a\x00b\x1b[1mc\x7fd\x01\n\x1fe\xc3\xa9f\n")
        put("tokenizer", "empty", bytes([4, 0, 0, 0]))
    finally:
        shutil.rmtree(tmp)
    total = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(CORPUS) for f in fs
    )
    print(f"seed corpus: {total} bytes in {CORPUS}")


if __name__ == "__main__":
    main()
