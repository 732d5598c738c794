//! Build script.
//!
//! 1. Generates the sigmoid and log-sigmoid lookup tables used by the training
//!    kernels and loss (see `src/simd/sigmoid.rs`), so that they are `static`s
//!    with no run-time initialisation and identical on every platform.
//! 2. With the opt-in `cbindgen` feature, regenerates `include/w2v.h` from `src/ffi`.
//! 3. Sets the cfg `w2v_no_data` when the shared evaluation data
//!    (`$W2V_DATA`, else `../shared/data`) is missing and `CI` is not `true`:
//!    the tests that need it are then `ignored` (shown as such by `cargo
//!    test`), never silently passed. Under `CI=true` they run, and fail.
//! 4. On Linux, gives the shared library (`cdylib`) the SONAME
//!    `libw2v.so.<major>`, from the crate's major version (see [`soname`]).

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// Table resolution: entries per unit of x.
const SIGMOID_STEPS_PER_UNIT: usize = 64;
/// The table covers [-SIGMOID_RANGE, SIGMOID_RANGE].
const SIGMOID_RANGE: usize = 8;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_sigmoid_table(&out);
    find_shared_data();
    soname();
    #[cfg(feature = "cbindgen")]
    generate_header();
}

fn find_shared_data() {
    println!("cargo:rustc-check-cfg=cfg(w2v_no_data)");
    println!("cargo:rerun-if-env-changed=W2V_DATA");
    println!("cargo:rerun-if-env-changed=CI");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = env::var_os("W2V_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/data"));
    // Watch the data folder, or else the small `../shared` beside the
    // repository, so that data appearing later is noticed. Never a large
    // folder: cargo scans a watched folder recursively on every build. With
    // neither, `W2V_DATA` changing still reruns this script.
    let shared = manifest.join("../shared");
    let watch = if dir.is_dir() {
        Some(dir.clone())
    } else if env::var_os("W2V_DATA").is_none() && shared.is_dir() {
        Some(shared)
    } else {
        None
    };
    if let Some(w) = watch {
        println!("cargo:rerun-if-changed={}", w.display());
    }
    let ci = env::var("CI").is_ok_and(|v| v == "true");
    if !dir.join("analogy/questions-words.txt").is_file() && !ci {
        println!("cargo:rustc-cfg=w2v_no_data");
    }
}

/// The SONAME of `libw2v.so`, on Linux: `libw2v.so.<major>`, so
/// `libw2v.so.0` while the version is 0.x. A host linked against the library
/// records this name (DT_NEEDED) and the dynamic loader looks for it at run
/// time; `make install` installs `libw2v.so.0.1.0` with the symlinks
/// `libw2v.so.0` (this name) and `libw2v.so` (for `-lw2v`). The number is the
/// crate's major version, the ELF convention (and the header's
/// `W2V_VERSION_MAJOR`). The alternative for 0.x, `libw2v.so.0.1` (Cargo
/// reads a 0.x minor bump as breaking), would give every 0.x release a new
/// SONAME; instead, before 1.0 a host that must detect a newer minor checks
/// `w2v_version_minor()` against `W2V_VERSION_MINOR`.
fn soname() {
    // The target's OS, not the build script's own (`cfg!` would be the host's).
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libw2v.so.{major}");
    }
}

fn write_sigmoid_table(out: &std::path::Path) {
    let mut src = String::new();
    writeln!(src, "/// Steps per unit of x in the tables.").unwrap();
    writeln!(
        src,
        "pub(crate) const SIGMOID_STEPS_PER_UNIT: f32 = {SIGMOID_STEPS_PER_UNIT}.0;"
    )
    .unwrap();
    writeln!(
        src,
        "/// The tables cover `[-SIGMOID_RANGE, SIGMOID_RANGE]`."
    )
    .unwrap();
    writeln!(
        src,
        "pub(crate) const SIGMOID_RANGE: f32 = {SIGMOID_RANGE}.0;"
    )
    .unwrap();
    table(&mut src, "SIGMOID_TABLE", "`1 / (1 + exp(-x))`", |x| {
        1.0 / (1.0 + (-x).exp())
    });
    table(
        &mut src,
        "LOG_SIGMOID_TABLE",
        "`ln(1 / (1 + exp(-x)))`",
        |x| -(-x).exp().ln_1p(),
    );
    fs::write(out.join("sigmoid_table.rs"), src).expect("write sigmoid table");
}

/// Append `static NAME: [f32; n + 1]` holding `f(x)` at
/// `x = -RANGE + i / STEPS_PER_UNIT`, computed in f64, plus one guard entry
/// (a copy of the last) so interpolation at the upper end stays in bounds.
fn table(src: &mut String, name: &str, what: &str, f: impl Fn(f64) -> f64) {
    let n = 2 * SIGMOID_RANGE * SIGMOID_STEPS_PER_UNIT + 1;
    writeln!(
        src,
        "/// {what} at `x = -RANGE + i / STEPS_PER_UNIT`, computed in f64."
    )
    .unwrap();
    writeln!(src, "pub(crate) static {name}: [f32; {}] = [", n + 1).unwrap();
    let xs = (0..n).map(|i| -(SIGMOID_RANGE as f64) + i as f64 / SIGMOID_STEPS_PER_UNIT as f64);
    for x in xs.chain(std::iter::once(SIGMOID_RANGE as f64)) {
        writeln!(src, "    {:e}_f32,", f(x) as f32).unwrap();
    }
    writeln!(src, "];").unwrap();
}

#[cfg(feature = "cbindgen")]
fn generate_header() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    // A directory: Cargo reruns when any file under it changes (or is added).
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    // Only the FFI module: public constants elsewhere in the crate are not C API.
    // cbindgen follows the `mod x;` declarations of `src/ffi/mod.rs` into
    // `src/ffi/x.rs` (as rustc resolves them), so this one source covers
    // every file of the module; an export it missed would drop out of the
    // header, which CI's `git diff --exit-code include/w2v.h` catches.
    cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("generate include/w2v.h")
        .write_to_file(crate_dir.join("include/w2v.h"));
}
