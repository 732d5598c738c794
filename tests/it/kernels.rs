//! Every SIMD level the running CPU has agrees with the scalar reference.
//!
//! Levels the CPU lacks are skipped at run time with a message (never compiled
//! out). `W2V_SIMD` selects the "active" level tested by `active_level_*`; CI
//! runs this file with the detected level and with `W2V_SIMD=portable|scalar`.

use proptest::prelude::*;
use w2v::{Kernels, Level};

const EDGE_LENGTHS: [usize; 12] = [0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 300, 1000];
const OFFSETS: [usize; 4] = [0, 1, 2, 3];

/// Deterministic pseudo-random floats in [-1, 1).
fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// The levels under test: every available level except scalar. Unavailable
/// ones are reported, not silently dropped.
fn levels() -> Vec<Kernels> {
    Level::ALL
        .into_iter()
        .filter(|&l| l != Level::Scalar)
        .filter_map(|l| match Kernels::new(l) {
            Ok(k) => Some(k),
            Err(e) => {
                eprintln!("skipping SIMD level {l}: {e}");
                None
            }
        })
        .collect()
}

fn scalar() -> Kernels {
    Kernels::new(Level::Scalar).unwrap()
}

/// Check `k` against scalar on `a`, `b`, `c` (same length), with `alpha` and `label`.
fn check_all(k: &Kernels, a: &[f32], b: &[f32], c: &[f32], alpha: f32, label: f32) {
    let s = scalar();
    let n = a.len();
    let lvl = k.level();
    let mag: f32 = a.iter().zip(b).map(|(x, y)| (x * y).abs()).sum();
    let tol_dot = 1e-6 + 4.0 * f32::EPSILON * (n as f32 + 4.0) * mag;

    let (d_ref, d) = (s.dot(a, b), k.dot(a, b));
    assert!(
        (d - d_ref).abs() <= tol_dot,
        "dot {lvl} n={n}: {d} vs {d_ref}"
    );

    // dot_rows over 0..=6 rows (the 4-row body, then single rows), each row
    // checked against the scalar dot of the same pair.
    let pool = [b, c, a, b, c, a];
    for m in 0..=pool.len() {
        let rows: Vec<f32> = pool[..m].iter().flat_map(|r| r.iter().copied()).collect();
        let mut out = vec![f32::NAN; m];
        k.dot_rows(a, &rows, &mut out);
        for (r, row) in pool[..m].iter().enumerate() {
            let want = s.dot(a, row);
            let mag: f32 = a.iter().zip(*row).map(|(x, y)| (x * y).abs()).sum();
            let tol = 1e-6 + 4.0 * f32::EPSILON * (n as f32 + 4.0) * mag;
            assert!(
                (out[r] - want).abs() <= tol,
                "dot_rows {lvl} n={n} m={m} row {r}: {} vs {want}",
                out[r]
            );
        }
    }

    // dot_rows_f16: the same rows rounded to half precision, against the scalar
    // reference on the same halves.
    for m in 0..=pool.len() {
        let rows: Vec<u16> = pool[..m]
            .iter()
            .flat_map(|r| r.iter().map(|&x| half::f16::from_f32(x).to_bits()))
            .collect();
        let (mut out, mut want) = (vec![f32::NAN; m], vec![f32::NAN; m]);
        k.dot_rows_f16(a, &rows, &mut out);
        s.dot_rows_f16(a, &rows, &mut want);
        // Four queries at once (a, b, c, a scaled): each equals its single-query scores.
        let scaled: Vec<f32> = a.iter().map(|x| x * -0.5).collect();
        let four: Vec<f32> = [a, b, c, &scaled[..]].concat();
        let mut out4 = vec![f32::NAN; 4 * m];
        k.dot_rows_f16_x4(&four, &rows, &mut out4);
        for (j, qj) in [a, b, c, &scaled[..]].iter().enumerate() {
            let mut want_j = vec![f32::NAN; m];
            s.dot_rows_f16(qj, &rows, &mut want_j);
            for r in 0..m {
                let mag: f32 = qj.iter().zip(pool[r]).map(|(x, y)| (x * y).abs()).sum();
                let tol = 1e-6 + 4.0 * f32::EPSILON * (n as f32 + 4.0) * mag * 1.01;
                assert!(
                    (out4[j * m + r] - want_j[r]).abs() <= tol,
                    "dot_rows_f16_x4 {lvl} n={n} m={m} query {j} row {r}: {} vs {}",
                    out4[j * m + r],
                    want_j[r]
                );
            }
        }
        for r in 0..m {
            let mag: f32 = a.iter().zip(pool[r]).map(|(x, y)| (x * y).abs()).sum();
            let tol = 1e-6 + 4.0 * f32::EPSILON * (n as f32 + 4.0) * mag * 1.01;
            assert!(
                (out[r] - want[r]).abs() <= tol,
                "dot_rows_f16 {lvl} n={n} m={m} row {r}: {} vs {}",
                out[r],
                want[r]
            );
        }
    }

    let elem_tol = |x: f32, y: f32| 1e-7 + 4.0 * f32::EPSILON * (x.abs() + y.abs());

    let (mut y_ref, mut y) = (b.to_vec(), b.to_vec());
    s.axpy(alpha, a, &mut y_ref);
    k.axpy(alpha, a, &mut y);
    for i in 0..n {
        let t = elem_tol(b[i], alpha * a[i]);
        assert!(
            (y[i] - y_ref[i]).abs() <= t,
            "axpy {lvl} n={n} i={i}: {} vs {}",
            y[i],
            y_ref[i]
        );
    }

    let (mut x_ref, mut x) = (a.to_vec(), a.to_vec());
    s.scale(alpha, &mut x_ref);
    k.scale(alpha, &mut x);
    assert_eq!(
        x, x_ref,
        "scale {lvl} n={n} must be exact (one rounding either way)"
    );

    let (mut y_ref, mut y) = (b.to_vec(), b.to_vec());
    s.add(a, &mut y_ref);
    k.add(a, &mut y);
    assert_eq!(y, y_ref, "add {lvl} n={n} must be exact");

    let (mut w_ref, mut e_ref) = (b.to_vec(), c.to_vec());
    let (mut w, mut e) = (b.to_vec(), c.to_vec());
    let f_ref = s.ns_step(a, &mut w_ref, &mut e_ref, label, alpha);
    let f = k.ns_step(a, &mut w, &mut e, label, alpha);
    assert!(
        (f - f_ref).abs() <= tol_dot,
        "ns_step f {lvl} n={n}: {f} vs {f_ref}"
    );
    // g differs by at most |alpha| * sigmoid' * |df| <= |alpha| * tol_dot / 4.
    let dg = alpha.abs() * tol_dot / 4.0 + 1e-7;
    let g_max = alpha.abs() * 1.01;
    for i in 0..n {
        let te = elem_tol(c[i], g_max * b[i]) + dg * b[i].abs();
        assert!(
            (e[i] - e_ref[i]).abs() <= te,
            "ns_step e {lvl} n={n} i={i}: {} vs {}",
            e[i],
            e_ref[i]
        );
        let tw = elem_tol(b[i], g_max * a[i]) + dg * a[i].abs();
        assert!(
            (w[i] - w_ref[i]).abs() <= tw,
            "ns_step w {lvl} n={n} i={i}: {} vs {}",
            w[i],
            w_ref[i]
        );
    }
}

/// Slices of `n` floats starting `off` floats into a buffer: unaligned for
/// every vector width when `off` is odd.
fn with_offset(n: usize, off: usize, seed: u64) -> Vec<f32> {
    data(n + off, seed)
}

#[test]
fn every_level_matches_scalar_on_edge_lengths() {
    let ks = levels();
    for k in &ks {
        for &n in &EDGE_LENGTHS {
            for &off in &OFFSETS {
                let a = with_offset(n, off, 1 + n as u64);
                let b = with_offset(n, off, 2 + n as u64);
                let c = with_offset(n, off, 3 + n as u64);
                check_all(k, &a[off..], &b[off..], &c[off..], 0.025, 1.0);
                check_all(k, &a[off..], &b[off..], &c[off..], -0.7, 0.0);
            }
        }
    }
}

#[test]
fn tails_leave_neighbouring_memory_untouched() {
    for k in levels() {
        for &n in &EDGE_LENGTHS {
            let a = data(n, 5);
            let mut buf = vec![7.0f32; n + 40];
            let mut ebuf = vec![9.0f32; n + 40];
            let (w, e) = (&mut buf[3..3 + n], &mut ebuf[5..5 + n]);
            k.axpy(0.5, &a, w);
            k.scale(2.0, w);
            k.add(&a, w);
            k.ns_step(&a, w, e, 1.0, 0.1);
            assert!(
                buf[..3].iter().chain(&buf[3 + n..]).all(|&x| x == 7.0),
                "{} n={n}",
                k.level()
            );
            assert!(
                ebuf[..5].iter().chain(&ebuf[5 + n..]).all(|&x| x == 9.0),
                "{} n={n}",
                k.level()
            );
        }
    }
}

#[test]
fn kernels_compute_the_right_thing() {
    // Not just "agrees with scalar": scalar itself against hand-computed values.
    for k in std::iter::once(scalar()).chain(levels()) {
        let a: Vec<f32> = (1..=19).map(|i| i as f32).collect();
        let b = vec![2.0f32; 19];
        assert_eq!(k.dot(&a, &b), 380.0, "{}", k.level());
        let rows: Vec<f32> = (0..5).flat_map(|r| vec![r as f32; 19]).collect();
        let mut out = [0.0f32; 5];
        k.dot_rows(&a, &rows, &mut out);
        assert_eq!(out, [0.0, 190.0, 380.0, 570.0, 760.0], "{}", k.level());
        // Halves of small integers are exact: the same sums.
        let halves: Vec<u16> = rows
            .iter()
            .map(|&x| half::f16::from_f32(x).to_bits())
            .collect();
        let mut out16 = [0.0f32; 5];
        k.dot_rows_f16(&a, &halves, &mut out16);
        assert_eq!(out16, out, "{}", k.level());
        let mut y = vec![1.0f32; 19];
        k.axpy(2.0, &a, &mut y);
        assert_eq!(y[18], 39.0);
        k.scale(0.5, &mut y);
        assert_eq!(y[0], 1.5);
        // ns_step with h = 0: f = 0, sigmoid(0) = 0.5, g = (1 - 0.5) * 0.2 = 0.1.
        let h = vec![0.0f32; 19];
        let mut w = a.clone();
        let mut e = vec![0.0f32; 19];
        let f = k.ns_step(&h, &mut w, &mut e, 1.0, 0.2);
        assert_eq!(f, 0.0);
        assert!(
            (e[9] - 1.0).abs() < 1e-5,
            "e = g * w = 0.1 * 10, got {}",
            e[9]
        );
        assert_eq!(w, a, "w += g * h with h = 0 leaves w");
    }
}

#[test]
fn active_level_follows_env_and_matches_scalar() {
    let k = Kernels::from_env().expect("W2V_SIMD names an available level");
    match std::env::var("W2V_SIMD") {
        Ok(name) if !name.is_empty() => assert_eq!(k.level().name(), name, "forced level"),
        _ => assert_eq!(k.level(), Level::best()),
    }
    eprintln!("active SIMD level: {}", k.level());
    for &n in &EDGE_LENGTHS {
        let (a, b, c) = (data(n + 1, 11), data(n + 1, 12), data(n + 1, 13));
        check_all(&k, &a[1..], &b[1..], &c[1..], 0.05, 1.0);
    }
}

#[test]
fn level_names_round_trip_and_bad_names_fail() {
    for l in Level::ALL {
        assert_eq!(l.name().parse::<Level>().unwrap(), l);
    }
    let err = "sse9".parse::<Level>().unwrap_err();
    assert!(err.to_string().contains("sse9"), "{err}");
    assert!(Level::Scalar.is_available() && Level::Portable.is_available());
    for l in Level::ALL {
        assert_eq!(Kernels::new(l).is_ok(), l.is_available(), "{l}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_vectors_match_scalar(
        n in 0usize..1100,
        off in 0usize..17,
        seed in any::<u64>(),
        alpha in -2.0f32..2.0,
        scale_exp in -8i32..8,
        label in prop::bool::ANY,
    ) {
        let s = 2f32.powi(scale_exp);
        let a: Vec<f32> = data(n + off, seed).iter().map(|x| x * s).collect();
        let b = data(n + off, seed ^ 0xABCD);
        let c = data(n + off, seed ^ 0x1234);
        for k in levels() {
            check_all(&k, &a[off..], &b[off..], &c[off..], alpha, if label { 1.0 } else { 0.0 });
        }
    }
}
