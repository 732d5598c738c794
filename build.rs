//! Build script.
//!
//! 1. Generates the sigmoid lookup table used by the training kernels (see
//!    `src/simd/sigmoid.rs`), so that the table is a `static` with no run-time
//!    initialisation and identical on every platform.
//! 2. With the opt-in `cbindgen` feature, regenerates `include/w2v.h` from `src/ffi`.

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
    #[cfg(feature = "cbindgen")]
    generate_header();
}

fn write_sigmoid_table(out: &std::path::Path) {
    let n = 2 * SIGMOID_RANGE * SIGMOID_STEPS_PER_UNIT + 1;
    let mut src = String::new();
    writeln!(src, "/// Steps per unit of x in [`SIGMOID_TABLE`].").unwrap();
    writeln!(
        src,
        "pub(crate) const SIGMOID_STEPS_PER_UNIT: f32 = {SIGMOID_STEPS_PER_UNIT}.0;"
    )
    .unwrap();
    writeln!(
        src,
        "/// The table covers `[-SIGMOID_RANGE, SIGMOID_RANGE]`."
    )
    .unwrap();
    writeln!(
        src,
        "pub(crate) const SIGMOID_RANGE: f32 = {SIGMOID_RANGE}.0;"
    )
    .unwrap();
    writeln!(
        src,
        "/// `1 / (1 + exp(-x))` at `x = -RANGE + i / STEPS_PER_UNIT`, computed in f64."
    )
    .unwrap();
    writeln!(src, "pub(crate) static SIGMOID_TABLE: [f32; {}] = [", n + 1).unwrap();
    for i in 0..n {
        let x = -(SIGMOID_RANGE as f64) + i as f64 / SIGMOID_STEPS_PER_UNIT as f64;
        let y = 1.0 / (1.0 + (-x).exp());
        writeln!(src, "    {:e}_f32,", y as f32).unwrap();
    }
    // One guard entry so that interpolation at the upper end never reads past the table.
    let last = 1.0 / (1.0 + (-(SIGMOID_RANGE as f64)).exp());
    writeln!(src, "    {:e}_f32,", last as f32).unwrap();
    writeln!(src, "];").unwrap();
    fs::write(out.join("sigmoid_table.rs"), src).expect("write sigmoid table");
}

#[cfg(feature = "cbindgen")]
fn generate_header() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("generate include/w2v.h")
        .write_to_file(crate_dir.join("include/w2v.h"));
}
