//! Locating the shared evaluation data: `$W2V_DATA`, else `../shared/data`
//! beside the repository. Under `CI=true` a missing file fails the test;
//! elsewhere the test is skipped with a message on standard error.

use std::path::PathBuf;

/// The path of `rel` inside the data directory, or `None` (after printing why)
/// when it is missing outside CI. Panics when it is missing under `CI=true`.
pub fn data_file(rel: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("W2V_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let path = dir.join(rel);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the data file {} is missing", path.display());
    }
    // Straight to the process's stderr, past the test harness's capture
    // (which swallows `eprintln!` of passing tests), so that a person sees it.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: data file {} not found (set W2V_DATA)",
        path.display()
    );
    None
}

/// Decompress an `.xz` data file once into `target/` and return its path.
pub fn decompressed(rel: &str) -> Option<PathBuf> {
    static ONCE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONCE.lock().unwrap_or_else(|e| e.into_inner());
    let src = data_file(rel)?;
    let name = src
        .file_name()?
        .to_string_lossy()
        .trim_end_matches(".xz")
        .to_string();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/data");
    std::fs::create_dir_all(&dir).expect("create target/data");
    let out = dir.join(name);
    if !out.is_file() {
        let tmp = tempfile::NamedTempFile::new_in(&dir).expect("create decompressed file");
        let file = tmp.reopen().expect("open decompressed file");
        let status = std::process::Command::new("xz")
            .arg("-dc")
            .arg(&src)
            .stdout(file)
            .status()
            .expect("run xz (install the xz-utils package)");
        assert!(status.success(), "xz -dc {} failed", src.display());
        tmp.persist(&out).expect("rename decompressed file");
    }
    Some(out)
}
