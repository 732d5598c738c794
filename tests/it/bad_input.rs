//! `docs/bad-input.md`, run: every command-line row of its tables is run as
//! written (exit status, fragments present and absent, nothing left in the
//! output folder, within a time limit), every row naming a test names one
//! that exists, and the rows that need more than a command are here.

use crate::common::{DEMO_CORPUS, TempDir, w2v};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DOC: &str = include_str!("../../docs/bad-input.md");
const LIMIT: Duration = Duration::from_secs(60);

/// The binary under test: `w2v`, or `$W2V_BAD_INPUT_BIN` (to show which rows
/// an older build fails).
fn binary() -> PathBuf {
    std::env::var_os("W2V_BAD_INPUT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_w2v")))
}

/// One row of a table: its cells, trimmed.
fn rows(section: &str) -> Vec<Vec<String>> {
    let start = DOC
        .find(section)
        .unwrap_or_else(|| panic!("docs/bad-input.md has no section {section:?}"));
    let body = &DOC[start + section.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #") && !l.starts_with("| name"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .filter(|cells: &Vec<String>| cells[0].parse::<u32>().is_ok())
        .collect()
}

/// The spans in backticks of a cell, each with whether `not` precedes it.
fn quoted(cell: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = cell;
    while let Some(a) = rest.find('`') {
        let before = &rest[..a];
        let Some(len) = rest[a + 1..].find('`') else {
            break;
        };
        let negated = before.trim_end().ends_with("not");
        out.push((negated, rest[a + 1..a + 1 + len].to_string()));
        rest = &rest[a + 2 + len..];
    }
    out
}

/// What a row expects: the exit status, fragments, and the files it creates.
struct Expect {
    status: i32,
    /// `within N s`: the row's time limit, else [`LIMIT`].
    limit: Duration,
    fragments: Vec<(bool, String)>,
    creates: Vec<String>,
}

fn expectation(cell: &str) -> Expect {
    let status = cell
        .strip_prefix("exit ")
        .and_then(|s| s.split(':').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("a row's answer must start `exit N:`, got {cell:?}"));
    let creates = cell
        .split("creates ")
        .skip(1)
        .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let limit = cell
        .split("within ")
        .nth(1)
        .and_then(|s| s.split(" s").next())
        .and_then(|n| n.trim().parse().ok())
        .map_or(LIMIT, Duration::from_secs);
    Expect {
        status,
        limit,
        fragments: quoted(cell),
        creates,
    }
}

/// The fixtures of the table, written into `dir`.
fn fixtures(dir: &Path) {
    let p = |name: &str| dir.join(name);
    std::fs::write(p("corpus.txt"), DEMO_CORPUS).unwrap();
    std::fs::write(p("empty.txt"), b"").unwrap();
    std::fs::create_dir(p("folder")).unwrap();
    std::fs::write(p("badutf8.txt"), b"\xff\xfe abc\n").unwrap();
    std::fs::write(p("nul.txt"), nul_corpus()).unwrap();
    std::fs::write(p("long.txt"), vec![b'x'; 3_000_000]).unwrap();
    std::os::unix::fs::symlink(p("folder"), p("link-to-folder")).unwrap();
    let made = Command::new("mkfifo")
        .arg(p("fifo"))
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    std::fs::write(p("big.txt"), big_model(22_000, 8)).unwrap();
    let (corpus, model) = (p("corpus.txt"), p("model.bin"));
    let run = |args: &[&Path]| {
        let out = w2v(
            &args.iter().map(|a| a.to_str().unwrap()).collect::<Vec<_>>(),
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let s = |s: &'static str| Path::new(s);
    run(&[
        s("train"),
        s("-i"),
        &corpus,
        s("-o"),
        &model,
        s("--dim"),
        s("20"),
        s("--min-count"),
        s("1"),
        s("--threads"),
        s("1"),
        s("--epochs"),
        s("2"),
    ]);
    run(&[s("convert"), s("--to"), s("text"), &model, &p("model.txt")]);
    run(&[
        s("convert"),
        s("--to"),
        s("native"),
        &model,
        &p("model.w2v"),
    ]);
    let cut = |from: &str, to: &str, n: usize| {
        let bytes = std::fs::read(p(from)).unwrap();
        std::fs::write(p(to), &bytes[..n]).unwrap();
    };
    cut("model.bin", "trunc.bin", 20_000);
    cut("model.w2v", "trunc.w2v", 30_000);
    run(&[
        s("index"),
        &p("model.w2v"),
        s("-o"),
        &p("indexed.w2v"),
        s("--threads"),
        s("1"),
    ]);
    let indexed = std::fs::read(p("indexed.w2v")).unwrap();
    cut("indexed.w2v", "trunc-index.w2v", indexed.len() - 50);
    // The index of other rows: the matrix changed (its checksum kept right).
    let mut other = indexed.clone();
    w2v::format::sections::patch::edit_section(&mut other, w2v::format::native::MATRIX, |m| {
        m[0] ^= 0x40
    });
    std::fs::write(p("other-index.w2v"), other).unwrap();
    let text = std::fs::read_to_string(p("model.txt")).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).take(2).collect();
    std::fs::write(p("lying.txt"), format!("100 20\n{}\n", rows.join("\n"))).unwrap();
    run(&[
        s("cooc"),
        s("--input"),
        &corpus,
        s("--vocab"),
        s("100"),
        s("--window"),
        s("5"),
        s("--output"),
        &p("vectors.cooc"),
    ]);
    cut("vectors.cooc", "trunc.cooc", 100);
    run(&[
        s("train"),
        s("-i"),
        &corpus,
        s("-o"),
        &p("checkpointed.bin"),
        s("--min-count"),
        s("1"),
        s("--dim"),
        s("8"),
        s("--threads"),
        s("1"),
        s("--checkpoint"),
        &p("run.ckpt"),
        s("--checkpoint-every"),
        s("3000"),
    ]);
    cut("run.ckpt", "trunc.ckpt", 5_000);
}

/// A word2vec text model of `v` words `w0`, `w1`, ... with random rows.
fn big_model(v: usize, dim: usize) -> String {
    let mut rng = crate::common::Rng::new(7);
    let mut text = format!("{v} {dim}\n");
    for i in 0..v {
        text.push_str(&format!("w{i}"));
        for _ in 0..dim {
            text.push_str(&format!(" {:.4}", rng.float()));
        }
        text.push('\n');
    }
    text
}

/// `a\0b c\0d` with a tab, a form feed, a carriage return and a DEL, many times.
fn nul_corpus() -> Vec<u8> {
    b"a\0b c\0d\te\x0cf\rg\x7fh\n".repeat(50)
}

/// Run `args` in `cwd` with `env`, killed after `limit`: the exit status
/// (`None` if it hung or died of a signal) and the output.
fn run_limited(
    args: &[String],
    env: &[(String, String)],
    cwd: &Path,
    limit: Duration,
) -> (Option<i32>, String) {
    let mut child = Command::new(binary())
        .args(args)
        .env_remove("W2V_SIMD")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run w2v");
    // Drain both pipes on threads, so that a full pipe cannot stall the child.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut text = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    text.push_str(&String::from_utf8_lossy(&err.join().unwrap()));
    (status, text)
}

/// Everything under `dir`, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            out.extend(
                listing(&e.path())
                    .into_iter()
                    .map(|n| format!("{name}/{n}")),
            );
            out.push(format!("{name}/"));
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

/// Check one command-line row; `Err` says what went wrong.
fn check_row(cells: &[String], inputs: &Path) -> Result<(), String> {
    let command = quoted(&cells[1])
        .into_iter()
        .next()
        .ok_or("no command in backticks")?
        .1;
    let expect = expectation(&cells[2]);
    let out_dir = TempDir::new();
    let subst = |t: &str| {
        t.replace("IN/", &format!("{}/", inputs.display()))
            .replace("OUT/", &format!("{}/", out_dir.dir().display()))
    };
    let mut env = Vec::new();
    let mut args = Vec::new();
    let mut tokens = command.split_whitespace();
    for t in tokens.by_ref() {
        match t.split_once('=') {
            Some((k, v))
                if t != "w2v"
                    && k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                env.push((k.to_string(), v.to_string()));
            }
            _ if t == "w2v" => break,
            _ => return Err(format!("the command must start with `w2v`, got {t:?}")),
        }
    }
    for t in tokens {
        // `OUT` alone is the output folder itself.
        args.push(if t == "OUT" {
            out_dir.dir().display().to_string()
        } else {
            subst(t)
        });
    }
    let (status, text) = run_limited(&args, &env, out_dir.dir(), expect.limit);
    let mut problems = Vec::new();
    match status {
        None => problems.push(format!(
            "did not exit within {:?} (or died of a signal)",
            expect.limit
        )),
        Some(s) if s != expect.status => {
            problems.push(format!("exit {s}, expected {}", expect.status));
        }
        Some(_) => {}
    }
    for (negated, fragment) in &expect.fragments {
        let fragment = subst(fragment);
        if text.contains(&fragment) == *negated {
            let what = if *negated { "has" } else { "lacks" };
            problems.push(format!("the output {what} `{fragment}`"));
        }
    }
    let mut left = listing(out_dir.dir());
    for c in &expect.creates {
        let name = c.trim_start_matches("OUT/");
        match left.iter().position(|n| n == name) {
            Some(i) => {
                left.remove(i);
            }
            None => problems.push(format!("did not create {c}")),
        }
    }
    if !left.is_empty() {
        problems.push(format!("left {left:?} in the output folder"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown: String = text.chars().take(600).collect();
        Err(format!("{}\n      output: {shown}", problems.join("; ")))
    }
}

#[test]
fn every_command_line_row_of_the_table_holds() {
    let inputs = TempDir::new();
    fixtures(inputs.dir());
    let before = listing(inputs.dir());
    let rows = rows("## Command line");
    assert!(rows.len() >= 70, "only {} command-line rows", rows.len());
    let mut failures = Vec::new();
    for cells in &rows {
        if !cells[1].contains("`w2v ") && !cells[1].contains(" w2v ") {
            continue; // a row of the second table, naming its test
        }
        if let Err(e) = check_row(cells, inputs.dir()) {
            failures.push(format!("row {} `{}`: {e}", cells[0], cells[1]));
        }
    }
    assert_eq!(listing(inputs.dir()), before, "a row changed the fixtures");
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn every_row_that_names_a_test_names_one_that_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut named = 0;
    for section in ["## Command line", "## C ABI"] {
        for cells in rows(section) {
            for (_, span) in cells.iter().flat_map(|c| quoted(c)) {
                let Some((file, name)) = span.split_once("::") else {
                    continue;
                };
                let text = std::fs::read_to_string(root.join(file))
                    .unwrap_or_else(|e| panic!("row {}: cannot read {file}: {e}", cells[0]));
                let found = if file.ends_with(".rs") {
                    text.contains(&format!("fn {name}("))
                } else if file.ends_with(".c") {
                    text.contains(&format!("{name}("))
                } else {
                    text.contains(&format!("\n{name}:")) // a make target
                };
                assert!(found, "row {}: {file} has no test `{name}`", cells[0]);
                named += 1;
            }
        }
    }
    assert!(named >= 10, "only {named} rows name a test");
    let total = rows("## Command line").len() + rows("## C ABI").len();
    assert!(total >= 40, "the table has {total} rows, fewer than 40");
}

#[test]
fn a_symlink_output_is_followed_and_its_target_replaced() {
    let dir = TempDir::new();
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let (real, link) = (dir.path("real.bin"), dir.path("link.bin"));
    std::fs::write(&real, b"old").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let args = [
        "train",
        "-i",
        corpus.to_str().unwrap(),
        "-o",
        link.to_str().unwrap(),
    ];
    let out = w2v(
        &[&args[..], &["--min-count", "1", "--dim", "5"]].concat(),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let model = w2v::Embeddings::load(&real).expect("the link's target holds the model");
    assert_eq!(model.dim(), 5);
    let mut names = listing(dir.dir());
    names.sort();
    assert_eq!(names, ["corpus.txt", "link.bin", "real.bin"]);
}

#[test]
fn a_device_output_is_refused_and_left_alone() {
    use std::os::unix::fs::FileTypeExt;
    let dev = Path::new("/dev/full");
    assert!(std::fs::metadata(dev).unwrap().file_type().is_char_device());
    let dir = TempDir::new();
    let corpus = dir.path("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let out = w2v(
        &["train", "-i", corpus.to_str().unwrap(), "-o", "/dev/full"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a regular file"), "{err}");
    let kind = std::fs::symlink_metadata(dev).unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/full is no longer a device");
}

#[test]
fn control_bytes_separate_words() {
    let dir = TempDir::new();
    let corpus = dir.path("nul.txt");
    std::fs::write(&corpus, nul_corpus()).unwrap();
    let model = dir.path("m.bin");
    let args = [
        "train",
        "-i",
        corpus.to_str().unwrap(),
        "-o",
        model.to_str().unwrap(),
        "--min-count",
        "1",
        "--dim",
        "4",
        "--threads",
        "1",
    ];
    let out = w2v(&args, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let emb = w2v::Embeddings::load(&model).unwrap();
    let mut words: Vec<String> = (0..emb.len())
        .map(|i| emb.word(i).unwrap().to_string())
        .collect();
    words.sort();
    assert_eq!(words, ["a", "b", "c", "d", "e", "f", "g", "h"]);
    for w in &words {
        let i = emb.index(w).unwrap_or_else(|| panic!("{w:?} not found"));
        assert_eq!(emb.word(i), Some(w.as_str()));
    }
}

#[test]
fn missing_data_is_ignored_outside_ci_and_fails_in_ci() {
    let dir = std::env::var_os("W2V_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let present = dir.join("analogy/questions-words.txt").is_file();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    // build.rs decides when the tests are built; cargo rebuilds when CI or
    // W2V_DATA change, and when the data folder appears.
    assert_eq!(
        cfg!(w2v_no_data),
        !present && !ci,
        "data present: {present}, CI: {ci}"
    );
    // Every test of the quality floors is ignored without the data.
    let train = include_str!("train.rs");
    let floors = train.matches("_reaches_quality_floor_").count();
    let ignored = train.matches("w2v_no_data,\n    ignore = ").count();
    assert!(floors >= 3, "{floors} quality-floor tests");
    assert_eq!(ignored, floors, "a quality-floor test without `ignore`");
}
