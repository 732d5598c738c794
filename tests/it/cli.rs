//! The `w2v` command line, run as a user would.

use std::process::{Command, Output};

fn w2v(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_w2v"));
    cmd.args(args).env_remove("W2V_SIMD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run w2v")
}

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
