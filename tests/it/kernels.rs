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
    crate::common::floats(n, seed)
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

/// Rows (each `n` bytes, `n % 4 == 0`) in the layout of
/// `Kernels::dot_blocks_u8`, padded to a multiple of 16 rows with zeros.
fn blocks_of(rows: &[Vec<u8>], n: usize) -> Vec<u8> {
    let groups = rows.len().div_ceil(16);
    let mut out = vec![0u8; groups * 16 * n];
    for (i, row) in rows.iter().enumerate() {
        for (j, &b) in row.iter().enumerate() {
            out[(i / 16) * 16 * n + 64 * (j / 4) + 4 * (i % 16) + j % 4] = b;
        }
    }
    out
}

/// Plain sums of products: what `dot_blocks_u8` must return for row `r`.
fn byte_dot(q: &[i8], row: &[u8]) -> i32 {
    q.iter().zip(row).map(|(&x, &y)| x as i32 * y as i32).sum()
}

/// Pseudo-random bytes: rows anywhere in `0..=255`, queries in `-63..=63`,
/// with the extremes forced in (255 and -63/63 are where 16-bit pair sums
/// would overflow with a wider query range).
fn byte_case(n: usize, m: usize, seed: u64) -> (Vec<i8>, Vec<Vec<u8>>) {
    let f = data(n * (m + 1), seed);
    let mut q: Vec<i8> = f[..n].iter().map(|x| (x * 63.9).trunc() as i8).collect();
    let rows: Vec<Vec<u8>> = (0..m)
        .map(|r| {
            f[n * (r + 1)..n * (r + 2)]
                .iter()
                .map(|x| ((x + 1.0) * 127.9) as u8)
                .collect()
        })
        .collect();
    let mut rows = rows;
    if n > 0 {
        q[0] = 63;
        q[n - 1] = -63;
        if let Some(r) = rows.first_mut() {
            r.fill(255);
        }
    }
    (q, rows)
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

    // axpy_rows over 0..=6 rows, against the sum in f64 (the scalar level
    // rounds after each product, the others fuse each multiply-add).
    for m in 0..=pool.len() {
        let rows: Vec<f32> = pool[..m].iter().flat_map(|r| r.iter().copied()).collect();
        let coefs: Vec<f32> = (0..m)
            .map(|r| alpha * (r as f32 + 1.0) * if r % 2 == 0 { 1.0 } else { -0.5 })
            .collect();
        for kk in [&s, k] {
            let mut y = c.to_vec();
            kk.axpy_rows(&coefs, &rows, &mut y);
            for i in 0..n {
                let (mut want, mut mag) = (c[i] as f64, c[i].abs() as f64);
                for (r, &cr) in coefs.iter().enumerate() {
                    want += cr as f64 * pool[r][i] as f64;
                    mag += (cr * pool[r][i]).abs() as f64;
                }
                let tol = 1e-7 + 2.0 * f32::EPSILON as f64 * (m as f64 + 1.0) * mag;
                assert!(
                    (y[i] as f64 - want).abs() <= tol,
                    "axpy_rows {} n={n} m={m} i={i}: {} vs {want}",
                    kk.level(),
                    y[i]
                );
            }
        }
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
            let rows: Vec<f32> = a.iter().chain(&a).map(|x| x * 0.5).collect();
            k.axpy_rows(&[0.5, -0.25], &rows, w);
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
fn byte_kernels_are_exact_at_every_level() {
    // Integer sums: every level returns exactly the plain sums, for query
    // lengths 0..=132 (multiples of 4: one column, odd column counts, long
    // rows) and 0..=3 blocks.
    for n in (0..=36).step_by(4).chain([100, 132]) {
        for m in [0, 16, 32, 48] {
            let (q, rows) = byte_case(n, m, (n * 1000 + m) as u64);
            let blocks = blocks_of(&rows, n);
            let want: Vec<i32> = rows.iter().map(|r| byte_dot(&q, r)).collect();
            let q4: Vec<i8> = (0..4)
                .flat_map(|j| {
                    q.iter()
                        .map(move |&x| if j % 2 == 1 { -x } else { x / (j + 1) as i8 })
                })
                .collect();
            for k in std::iter::once(scalar()).chain(levels()) {
                let mut out = vec![i32::MIN; m];
                k.dot_blocks_u8(&q, &blocks, &mut out);
                assert_eq!(out, want, "dot_blocks_u8 {} n={n} m={m}", k.level());
                let mut out4 = vec![i32::MIN; 4 * m];
                k.dot_blocks_u8_x4(&q4, &blocks, &mut out4);
                for j in 0..4 {
                    let qj = &q4[j * n..(j + 1) * n];
                    let want_j: Vec<i32> = rows.iter().map(|r| byte_dot(qj, r)).collect();
                    assert_eq!(
                        out4[j * m..(j + 1) * m],
                        want_j[..],
                        "dot_blocks_u8_x4 {} n={n} m={m} query {j}",
                        k.level()
                    );
                }
            }
        }
    }
}

#[test]
fn gathered_byte_dots_are_exact_at_every_level() {
    // Rows picked by index from a strided table (the neighbour graph's
    // records): every level returns the plain sums, for lengths that use
    // only the tail, whole 32- and 64-byte steps, and both.
    for n in [0, 4, 12, 31, 32, 64, 100, 128, 300, 320] {
        let m = 7;
        let (q, rows) = byte_case(n, m, n as u64 + 7);
        let stride = n + 24;
        let mut table = vec![0xAAu8; m * stride + 5];
        for (r, row) in rows.iter().enumerate() {
            table[r * stride + 5..r * stride + 5 + n].copy_from_slice(row);
        }
        let ids: Vec<u32> = vec![3, 0, 6, 6, 1];
        let want: Vec<i32> = ids
            .iter()
            .map(|&i| byte_dot(&q, &rows[i as usize]))
            .collect();
        for k in std::iter::once(scalar()).chain(levels()) {
            let mut out = vec![i32::MIN; ids.len()];
            k.dot_u8_gather(&q, &table[5..], stride, &ids, &mut out);
            assert_eq!(out, want, "dot_u8_gather {} n={n}", k.level());
        }
    }
    for k in std::iter::once(scalar()).chain(levels()) {
        let bad = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
        let table = vec![0u8; 64];
        // A row past the end, a query byte out of range, one output too few.
        assert!(bad(&|| k.dot_u8_gather(
            &[1; 8],
            &table,
            60,
            &[1],
            &mut [0]
        )));
        assert!(bad(&|| k.dot_u8_gather(
            &[64; 8],
            &table,
            8,
            &[0],
            &mut [0]
        )));
        assert!(bad(&|| k.dot_u8_gather(
            &[1; 8],
            &table,
            8,
            &[0, 1],
            &mut [0]
        )));
    }
}

#[test]
fn byte_kernels_reject_bad_shapes_and_wide_queries() {
    for k in std::iter::once(scalar()).chain(levels()) {
        let blocks = vec![0u8; 16 * 8];
        let mut out = vec![0i32; 16];
        let bad = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
        assert!(bad(&|| k.dot_blocks_u8(
            &[64, 0, 0, 0, 0, 0, 0, 0],
            &blocks,
            &mut out.clone()
        )));
        assert!(bad(&|| k.dot_blocks_u8(
            &[-64, 0, 0, 0, 0, 0, 0, 0],
            &blocks,
            &mut out.clone()
        )));
        assert!(bad(&|| k.dot_blocks_u8(
            &[0; 6],
            &blocks[..96],
            &mut out.clone()
        )));
        assert!(bad(&|| k.dot_blocks_u8(&[0; 8], &blocks, &mut [0i32; 8])));
        assert!(bad(&|| k.dot_blocks_u8(
            &[0; 8],
            &blocks[..64],
            &mut out.clone()
        )));
        assert!(bad(&|| k.dot_blocks_u8_x4(
            &[0; 8],
            &blocks,
            &mut [0i32; 64]
        )));
        k.dot_blocks_u8(&[63, -63, 0, 1, 2, 3, 4, 5], &blocks, &mut out);
        assert_eq!(out, vec![0; 16], "{}", k.level());
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
        // The byte kernel on hand-computed sums: 16 rows of 8 bytes, row j
        // all (j + 1), query 1..=8 then -1 (sums: (j + 1) x 36 and -(j + 1) x 8).
        let q: Vec<i8> = (1..=8).collect();
        let blocks = blocks_of(
            &(0..16).map(|j| vec![j as u8 + 1; 8]).collect::<Vec<_>>(),
            8,
        );
        let mut sums = [0i32; 16];
        k.dot_blocks_u8(&q, &blocks, &mut sums);
        let want: Vec<i32> = (1..=16).map(|j| 36 * j).collect();
        assert_eq!(sums.to_vec(), want, "{}", k.level());
        let mut four = q.clone();
        four.extend(std::iter::repeat_n(-1i8, 8));
        four.extend(std::iter::repeat_n(0i8, 8));
        four.extend(std::iter::repeat_n(63i8, 8));
        let mut sums4 = [0i32; 64];
        k.dot_blocks_u8_x4(&four, &blocks, &mut sums4);
        for j in 0..16 {
            let r = j as i32 + 1;
            assert_eq!(
                [sums4[j], sums4[16 + j], sums4[32 + j], sums4[48 + j]],
                [36 * r, -8 * r, 0, 63 * 8 * r],
                "{} row {j}",
                k.level()
            );
        }
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
