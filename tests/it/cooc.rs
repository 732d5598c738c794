//! Co-occurrence counts: equal to a direct count, the same on any number of
//! threads, exactly additive over shards, stored in a checked file; bad
//! input is a clear error that writes nothing.

use crate::common::{DEMO_CORPUS, TempDir, w2v};
use std::collections::BTreeMap;
use w2v::format::cooc::{self, Cooc};
use w2v::text::cooc::{CoocConfig, count, merge, top_words};
use w2v::{Corpus, ErrorKind, Vocab};

fn config(threads: usize) -> CoocConfig {
    CoocConfig {
        window: 5,
        sample: 0.0,
        seed: 1,
        threads,
    }
}

fn corpus(text: &str) -> Corpus {
    Corpus::bytes(text.as_bytes().to_vec())
}

/// The stored entries as a map `(row, col) -> weight`.
fn entries(c: &Cooc) -> BTreeMap<(u32, u32), u64> {
    let mut m = BTreeMap::new();
    for i in 0..c.len() {
        let (cols, vals) = c.row(i);
        for (&j, &w) in cols.iter().zip(vals) {
            m.insert((i as u32, j), w);
        }
    }
    m
}

/// The counts computed the obvious way: each line a sentence, words outside
/// the vocabulary dropped, every pair at distance `d <= window` adding
/// `window + 1 - d` to its two words.
fn direct(text: &str, vocab: &Vocab, window: usize) -> BTreeMap<(u32, u32), u64> {
    let mut m = BTreeMap::new();
    for line in text.split('\n') {
        let ids: Vec<u32> = line
            .split_ascii_whitespace()
            .filter_map(|w| vocab.get(w.as_bytes()))
            .collect();
        for i in 0..ids.len() {
            for j in i + 1..ids.len().min(i + window + 1) {
                let (a, b) = (ids[i].min(ids[j]), ids[i].max(ids[j]));
                *m.entry((a, b)).or_insert(0) += (window + 1 - (j - i)) as u64;
            }
        }
    }
    m
}

#[test]
fn counts_equal_a_direct_count_on_any_number_of_threads() {
    // The demo corpus as it is (one sentence a line), and as one line, so
    // that thread ranges cut sentences and windows reach across them.
    let one_line = DEMO_CORPUS.replace('\n', " ");
    for text in [DEMO_CORPUS, one_line.as_str()] {
        let c = corpus(text);
        let vocab = top_words(&c, 300).unwrap();
        let want = direct(text, &vocab, 5);
        assert!(want.len() > 3000, "{} pairs", want.len());
        for threads in [1, 2, 3, 7, 64] {
            let got = count(&c, &vocab, &config(threads)).unwrap();
            got.check().unwrap();
            assert_eq!(entries(&got), want, "{threads} threads");
            let tokens: u64 = got.counts.iter().sum();
            let in_vocab = text
                .split_ascii_whitespace()
                .filter(|w| vocab.get(w.as_bytes()).is_some())
                .count();
            assert_eq!(tokens, in_vocab as u64, "{threads} threads");
        }
    }
}

#[test]
fn the_halves_of_a_corpus_merge_into_its_counts() {
    let whole = corpus(DEMO_CORPUS);
    let vocab = top_words(&whole, 250).unwrap();
    // Split at the sentence boundary nearest the middle.
    let cut = DEMO_CORPUS[DEMO_CORPUS.len() / 2..].find('\n').unwrap() + DEMO_CORPUS.len() / 2 + 1;
    let (a, b) = DEMO_CORPUS.split_at(cut);
    let all = count(&whole, &vocab, &config(2)).unwrap();
    let halves = [
        count(&corpus(a), &vocab, &config(1)).unwrap(),
        count(&corpus(b), &vocab, &config(2)).unwrap(),
    ];
    assert!(halves[0].nnz() > 1000 && halves[1].nnz() > 1000);
    assert_eq!(merge(&halves).unwrap(), all);
    // Through files, as `w2v cooc merge` does.
    let dir = TempDir::new();
    let path = dir.path("all.cooc");
    cooc::write(&path, &all).unwrap();
    assert_eq!(cooc::read(&path).unwrap(), all);
}

#[test]
fn subsampled_counts_do_not_depend_on_threads() {
    let c = corpus(DEMO_CORPUS);
    let vocab = top_words(&c, 300).unwrap();
    let plain = count(&c, &vocab, &config(1)).unwrap();
    let sub = |threads| {
        count(
            &c,
            &vocab,
            &CoocConfig {
                sample: 1e-3,
                ..config(threads)
            },
        )
        .unwrap()
    };
    let one = sub(1);
    for threads in [2, 5] {
        assert_eq!(sub(threads), one, "{threads} threads");
    }
    let (kept, all): (u64, u64) = (one.counts.iter().sum(), plain.counts.iter().sum());
    assert!(
        kept < all * 9 / 10,
        "subsampling kept {kept} of {all} tokens"
    );
    // The most frequent word loses the most.
    assert!(one.counts[0] * 2 < plain.counts[0]);
}

fn ok(args: &[&str]) {
    let out = w2v(args, &[]);
    assert!(
        out.status.success(),
        "w2v {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `w2v` fails with `needle` in its message and leaves `output` absent.
fn fails(args: &[&str], needle: &str, output: &std::path::Path) {
    let out = w2v(args, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "w2v {args:?} succeeded");
    assert!(
        err.contains(needle),
        "w2v {args:?}: {err:?} lacks {needle:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!output.exists(), "w2v {args:?} left {}", output.display());
}

#[test]
fn the_command_writes_the_same_file_on_one_and_two_threads_and_merges_shards() {
    let dir = TempDir::new();
    let text = dir.path("corpus.txt");
    std::fs::write(&text, DEMO_CORPUS).unwrap();
    let t = text.to_str().unwrap();
    let (one, two) = (dir.path("one.cooc"), dir.path("two.cooc"));
    for (threads, out) in [("1", &one), ("2", &two)] {
        let o = out.to_str().unwrap();
        ok(&[
            "cooc",
            "-i",
            t,
            "--vocab",
            "300",
            "--threads",
            threads,
            "-o",
            o,
            "-q",
        ]);
    }
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    // Shards with the whole corpus's vocabulary, merged.
    let vocab = dir.path("vocab.txt");
    top_words(&corpus(DEMO_CORPUS), 300)
        .unwrap()
        .save(&vocab)
        .unwrap();
    let cut = DEMO_CORPUS.find("\n").unwrap() + 1 + DEMO_CORPUS.len() / 3;
    let cut = cut + DEMO_CORPUS[cut..].find('\n').unwrap() + 1;
    let mut shards = Vec::new();
    for (n, part) in [&DEMO_CORPUS[..cut], &DEMO_CORPUS[cut..]]
        .iter()
        .enumerate()
    {
        let (txt, out) = (
            dir.path(&format!("s{n}.txt")),
            dir.path(&format!("s{n}.cooc")),
        );
        std::fs::write(&txt, part).unwrap();
        let v = vocab.to_str().unwrap();
        let (i, o) = (txt.to_str().unwrap(), out.to_str().unwrap());
        ok(&[
            "cooc",
            "-i",
            i,
            "--vocab",
            "300",
            "--vocab-file",
            v,
            "-o",
            o,
            "-q",
        ]);
        shards.push(out);
    }
    let merged = dir.path("merged.cooc");
    let s: Vec<&str> = shards.iter().map(|p| p.to_str().unwrap()).collect();
    ok(&["cooc", "merge", s[0], s[1], "-o", merged.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&one).unwrap()
    );
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = TempDir::new();
    let text = dir.path("corpus.txt");
    std::fs::write(&text, DEMO_CORPUS).unwrap();
    let t = text.to_str().unwrap();
    let out = dir.path("out.cooc");
    let o = out.to_str().unwrap();
    // V larger than the vocabulary.
    fails(
        &["cooc", "-i", t, "--vocab", "100000", "-o", o],
        "fewer than",
        &out,
    );
    // A corpus too small for any pair.
    let tiny = dir.path("tiny.txt");
    std::fs::write(&tiny, "alpha\nbeta\n").unwrap();
    let tp = tiny.to_str().unwrap();
    fails(
        &["cooc", "-i", tp, "--vocab", "2", "-o", o],
        "no two vocabulary words",
        &out,
    );
    // Bad parameters and paths, before any counting.
    fails(
        &["cooc", "-i", t, "--vocab", "0", "-o", o],
        "at least 1",
        &out,
    );
    fails(
        &["cooc", "-i", t, "--vocab", "9", "--window", "0", "-o", o],
        "window",
        &out,
    );
    let nodir = dir.path("no/such/dir/out.cooc");
    let nd = nodir.to_str().unwrap();
    fails(
        &["cooc", "-i", t, "--vocab", "9", "-o", nd],
        "does not exist",
        &nodir,
    );
    fails(
        &["cooc", "-i", "/no/such.txt", "--vocab", "9", "-o", o],
        "cannot open",
        &out,
    );
    // Merging counts of another vocabulary.
    let (a, b) = (dir.path("a.cooc"), dir.path("b.cooc"));
    ok(&[
        "cooc",
        "-i",
        t,
        "--vocab",
        "100",
        "-o",
        a.to_str().unwrap(),
        "-q",
    ]);
    ok(&[
        "cooc",
        "-i",
        t,
        "--vocab",
        "120",
        "-o",
        b.to_str().unwrap(),
        "-q",
    ]);
    let (ap, bp) = (a.to_str().unwrap(), b.to_str().unwrap());
    fails(
        &["cooc", "merge", ap, bp, "-o", o],
        "another vocabulary",
        &out,
    );
    let w3 = dir.path("w3.cooc");
    ok(&[
        "cooc",
        "-i",
        t,
        "--vocab",
        "100",
        "--window",
        "3",
        "-o",
        w3.to_str().unwrap(),
        "-q",
    ]);
    fails(
        &["cooc", "merge", ap, w3.to_str().unwrap(), "-o", o],
        "another window",
        &out,
    );
    // Truncated and corrupted files: an error from every reader, never a panic.
    let good = std::fs::read(&a).unwrap();
    let bad = dir.path("bad.cooc");
    let entries = w2v::format::sections::patch::entries(&good);
    let header_len = w2v::format::sections::header_len(entries.len());
    let mut cuts: Vec<usize> = vec![0, 7, 8, 100, header_len - 1, header_len];
    for e in &entries {
        let (off, end) = e.range();
        cuts.extend([off, off + 1, end - 1]);
    }
    cuts.push(good.len() - 1);
    for cut in cuts {
        std::fs::write(&bad, &good[..cut]).unwrap();
        let e = cooc::read(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format, "cut at {cut}: {e}");
    }
    fails(
        &["cooc", "merge", ap, bad.to_str().unwrap(), "-o", o],
        "count file",
        &out,
    );
    for (s, e) in entries.iter().enumerate() {
        let mut flipped = good.clone();
        flipped[(e.offset + e.length / 2) as usize] ^= 0x10;
        std::fs::write(&bad, &flipped).unwrap();
        let e = cooc::read(&bad).unwrap_err();
        assert!(e.to_string().contains("checksum"), "section {s}: {e}");
    }
    let mut flipped = good.clone();
    flipped[20] ^= 1;
    std::fs::write(&bad, &flipped).unwrap();
    assert!(
        cooc::read(&bad)
            .unwrap_err()
            .to_string()
            .contains("header checksum")
    );
    std::fs::write(&bad, b"not a count file at all").unwrap();
    assert!(cooc::read(&bad).unwrap_err().to_string().contains("magic"));
}
