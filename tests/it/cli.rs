//! The `w2v` command line, run as a user would.

use crate::common::{DEMO_CORPUS, TempDir, w2v};
use std::process::{Command, Output};

#[test]
fn bench_kernels_json_reports_every_available_level() {
    let out = w2v(
        &[
            "bench",
            "kernels",
            "--dims",
            "8,33",
            "--batches",
            "3",
            "--json",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let levels = w2v::Level::available();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        levels.len() * 2 * 5,
        "levels x dims x kernels"
    );
    for r in results {
        assert!(r["ns_per_call"].as_f64().unwrap() > 0.0);
        if r["level"] == "scalar" {
            assert_eq!(r["speedup_vs_scalar"].as_f64().unwrap(), 1.0);
        }
    }
    assert_eq!(doc["default_level"], w2v::Level::best().name());
}

#[test]
fn forced_simd_level_is_used_and_bad_one_is_an_error() {
    let out = w2v(
        &[
            "bench",
            "kernels",
            "--dims",
            "8",
            "--batches",
            "1",
            "--json",
        ],
        &[("W2V_SIMD", "portable")],
    );
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["default_level"], "portable");

    let out = w2v(
        &["bench", "kernels", "--dims", "8"],
        &[("W2V_SIMD", "sse9")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("W2V_SIMD=sse9") && err.contains("unknown SIMD level"),
        "{err}"
    );

    for level in w2v::Level::ALL.into_iter().filter(|l| !l.is_available()) {
        let out = w2v(
            &["bench", "kernels", "--dims", "8"],
            &[("W2V_SIMD", level.name())],
        );
        assert!(
            !out.status.success(),
            "{level} is not available and must be refused"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("not available on this CPU"));
    }
}

/// A small model trained on the demo corpus, in word2vec binary, in `dir`.
fn small_model(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let corpus = dir.join("corpus.txt");
    std::fs::write(&corpus, DEMO_CORPUS).unwrap();
    let model = dir.join("m.bin");
    let out = w2v(
        &[
            "train",
            "--input",
            corpus.to_str().unwrap(),
            "--output",
            model.to_str().unwrap(),
            "--model",
            "sgns",
            "--dim",
            "24",
            "--epochs",
            "5",
            "--min-count",
            "2",
            "--threads",
            "1",
            "--quiet",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    model
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn convert_info_similar_analogy_on_a_native_model() {
    let tmp = TempDir::new();
    let dir = tmp.dir();
    let bin = small_model(dir);
    let native = dir.join("m.w2v");
    let (b, n) = (bin.to_str().unwrap(), native.to_str().unwrap());
    ok(&w2v(&["convert", b, n, "--to", "native"], &[]));

    let info: serde_json::Value =
        serde_json::from_str(&ok(&w2v(&["info", n, "--verify", "--json"], &[]))).unwrap();
    assert_eq!(info["format"], "native (mapped)");
    assert_eq!(info["verified"], true);
    let words = info["words"].as_u64().unwrap();
    assert!(words > 100, "{info}");

    // Back to binary: byte-exact.
    let back = dir.join("back.bin");
    ok(&w2v(
        &["convert", n, back.to_str().unwrap(), "--to", "bin"],
        &[],
    ));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&bin).unwrap());

    // Text: word2vec.c's 6 decimals, each value followed by a space.
    let text = dir.join("m.txt");
    ok(&w2v(
        &["convert", n, text.to_str().unwrap(), "--to", "text"],
        &[],
    ));
    let t = std::fs::read_to_string(&text).unwrap();
    let row = t.lines().nth(1).unwrap();
    assert!(row.ends_with(' '), "{row:?}");
    for v in row.split(' ').skip(1).filter(|v| !v.is_empty()) {
        let frac = v.split('.').nth(1).expect("a decimal point");
        assert_eq!(frac.len(), 6, "{v}");
    }

    let sim: serde_json::Value =
        serde_json::from_str(&ok(&w2v(&["similar", n, "king", "-k", "3", "--json"], &[]))).unwrap();
    let sim = sim.as_array().unwrap();
    assert_eq!(sim.len(), 3);
    assert!(sim.iter().all(|s| s["word"] != "king"));
    assert!(sim[0]["score"].as_f64() >= sim[2]["score"].as_f64());

    for method in ["add", "mul"] {
        let a: serde_json::Value = serde_json::from_str(&ok(&w2v(
            &[
                "analogy", n, "man", "king", "woman", "-k", "5", "--method", method, "--json",
            ],
            &[],
        )))
        .unwrap();
        let a = a.as_array().unwrap();
        assert_eq!(a.len(), 5);
        assert!(
            a.iter()
                .all(|x| !["man", "king", "woman"].contains(&x["word"].as_str().unwrap()))
        );
    }

    // Unknown words and a wrong word count are errors with a message.
    let out = w2v(&["similar", n, "zzzunknown"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the vocabulary"));
    let out = w2v(&["analogy", n, "man", "king"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("three words"));
}

#[test]
fn prompt_answers_each_line_until_exit_and_survives_unknown_words() {
    use std::io::Write;
    let tmp = TempDir::new();
    let dir = tmp.dir();
    let bin = small_model(dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_w2v"))
        .args(["similar", bin.to_str().unwrap(), "-k", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"king\nzzzunknown\nqueen\nEXIT\nking\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = ok(&out);
    assert_eq!(
        stdout.lines().count(),
        4,
        "two answers for each of two known words: {stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the vocabulary"));
}

#[test]
fn corrupt_and_missing_models_are_errors_not_crashes() {
    let tmp = TempDir::new();
    let dir = tmp.dir();
    let bin = small_model(dir);
    let native = dir.join("m.w2v");
    ok(&w2v(
        &[
            "convert",
            bin.to_str().unwrap(),
            native.to_str().unwrap(),
            "--to",
            "native",
        ],
        &[],
    ));
    let mut bytes = std::fs::read(&native).unwrap();
    let half = bytes.len() / 2;
    bytes.truncate(half);
    let cut = dir.join("cut.w2v");
    std::fs::write(&cut, &bytes).unwrap();
    for args in [
        vec!["info", cut.to_str().unwrap()],
        vec!["similar", cut.to_str().unwrap(), "king"],
        vec!["info", "/nonexistent/model.bin"],
    ] {
        let out = w2v(&args, &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("w2v: error:"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A word2vec model read from a pipe (`/dev/stdin` fed by another process):
/// the first bytes are sniffed without being consumed, and a pipe, which has
/// no length, is read whole. The answers equal those from the file.
#[cfg(unix)]
#[test]
fn a_word2vec_model_can_be_read_from_a_pipe() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = TempDir::new();
    let model = small_model(&dir.path("pipe"));
    let bytes = std::fs::read(&model).unwrap();
    let from_file = ok(&w2v(
        &["similar", model.to_str().unwrap(), "king", "-k", "5"],
        &[],
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_w2v"))
        .args(["similar", "/dev/stdin", "king", "-k", "5"])
        .env_remove("W2V_SIMD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // Small writes: the reader sees the header before the rest arrives.
        for chunk in bytes.chunks(1000) {
            if stdin.write_all(chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let from_pipe = ok(&out);
    let words = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| l.split_whitespace().next().map(String::from))
            .collect()
    };
    assert_eq!(words(&from_pipe), words(&from_file));
    assert_eq!(words(&from_pipe).len(), 5, "{from_pipe}");
}

/// A reader that stops early (`w2v similar ... | head -1`): w2v ends
/// quietly, as C tools do, instead of panicking on the broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = TempDir::new();
    let model = small_model(&dir.path("sigpipe"));
    // Many queries' worth of output, so that it outlasts the pipe's buffer.
    let words: Vec<String> = std::iter::repeat_n("king".to_string(), 3000).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_w2v"))
        .args(["similar", model.to_str().unwrap(), "-k", "20"])
        .env_remove("W2V_SIMD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all((words.join("\n") + "\n").as_bytes());
    }
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
