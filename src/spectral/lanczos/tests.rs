//! Tests of the Lanczos solver against dense eigendecompositions (`faer`'s
//! `self_adjoint_eigen`) and known spectra. Run with
//! `cargo test --release --lib spectral -- --nocapture` to see the figures.
//! (In a file of their own beside `lanczos.rs` only to keep each file under
//! the architecture test's 700 lines.)

use super::*;
use faer::Mat;
use rand::{Rng, SeedableRng, rngs::SmallRng};
use std::time::Instant;

/// A uniform draw in `(0, 1]`.
fn unit(rng: &mut SmallRng) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
}

/// The target's shape, `M = -2 * 1 1^T + S`: `S` symmetric, non-negative,
/// each entry of the upper triangle (diagonal included) present with
/// probability `density`, valued `4 p / (p + q)` in `(0, 4)`. Returns `S` as
/// upper-triangle triplets.
fn target(n: usize, density: f64, seed: u64) -> Vec<(usize, usize, f64)> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut s = Vec::new();
    for i in 0..n {
        for j in i..n {
            if unit(&mut rng) < density {
                let (p, q) = (unit(&mut rng), unit(&mut rng));
                s.push((i, j, 4.0 * p / (p + q)));
            }
        }
    }
    s
}

/// `y = M x`, matrix-free: `-2 * sum(x)` in every entry, plus `S x`.
fn apply(s: &[(usize, usize, f64)], x: &[f64], y: &mut [f64]) {
    let sum: f64 = x.iter().sum();
    y.iter_mut().for_each(|v| *v = -2.0 * sum);
    for &(i, j, a) in s {
        y[i] += a * x[j];
        if i != j {
            y[j] += a * x[i];
        }
    }
}

/// `M` dense.
fn dense(n: usize, s: &[(usize, usize, f64)]) -> Mat<f64> {
    let mut m = Mat::from_fn(n, n, |_, _| -2.0);
    for &(i, j, a) in s {
        m[(i, j)] += a;
        if i != j {
            m[(j, i)] += a;
        }
    }
    m
}

/// `U^T U` is the identity to `tol`.
fn assert_orthonormal(p: &EigenPairs, tol: f64) {
    let k = p.values.len();
    for a in 0..k {
        for b in 0..k {
            let d: f64 = p
                .vector(a)
                .iter()
                .zip(p.vector(b))
                .map(|(x, y)| x * y)
                .sum();
            let want = if a == b { 1.0 } else { 0.0 };
            assert!((d - want).abs() < tol, "U^T U[{a},{b}] = {d}");
        }
    }
}

#[test]
fn top_50_of_the_target_shape_match_a_dense_eigendecomposition() {
    let (n, k) = (2000, 50);
    let s = target(n, 0.015, 7);
    let start = Instant::now();
    let p = top_eigenpairs(n, k, |x, y| apply(&s, x, y), &EigenOptions::default()).unwrap();
    let lanczos_time = start.elapsed();
    assert!(
        p.converged,
        "not converged: max residual {}",
        p.max_residual
    );
    assert_orthonormal(&p, 1e-10);

    let start = Instant::now();
    let evd = dense(n, &s).self_adjoint_eigen(faer::Side::Lower).unwrap();
    let dense_time = start.elapsed();
    let (d, u) = (evd.S().column_vector(), evd.U());
    // Ascending: the top k are the last k, largest first.
    let idx: Vec<usize> = (0..k).map(|j| n - 1 - j).collect();
    let worst = (0..k)
        .map(|j| (p.values[j] - d[idx[j]]).abs() / d[idx[j]].abs())
        .fold(0.0, f64::max);

    // G = U_dense^T U_lanczos (k x k). Overlap: ||G||_F^2 / k (the mean
    // squared cosine of the principal angles) and, the stricter one asserted,
    // the smallest singular value of G squared (the worst principal angle's
    // squared cosine) = the smallest eigenvalue of G^T G.
    let g = Mat::from_fn(k, k, |a, b| {
        (0..n).map(|i| u[(i, idx[a])] * p.vector(b)[i]).sum::<f64>()
    });
    let frob = (0..k)
        .flat_map(|a| (0..k).map(move |b| (a, b)))
        .map(|(a, b)| g[(a, b)].powi(2))
        .sum::<f64>()
        / k as f64;
    let gtg = g.transpose() * &g;
    let min_sv2 = gtg.self_adjoint_eigenvalues(faer::Side::Lower).unwrap()[0];
    println!(
        "lanczos n={n} k={k} nnz(S upper)={}: worst relative eigenvalue error {worst:.3e}, \
         overlap ||G||_F^2/k = {frob:.12}, min singular value^2 = {min_sv2:.12}, \
         {} matvecs, {} restarts, max residual {:.3e}, {:.3} s (dense: {:.3} s); \
         top {:.6} .. {:.6}, lowest {:.3}",
        s.len(),
        p.matvecs,
        p.restarts,
        p.max_residual,
        lanczos_time.as_secs_f64(),
        dense_time.as_secs_f64(),
        p.values[0],
        p.values[k - 1],
        d[0],
    );
    assert!(worst < 1e-4, "worst relative eigenvalue error {worst}");
    assert!(
        min_sv2 > 0.999 && frob > 0.999,
        "overlap {frob}, min sv^2 {min_sv2}"
    );
    // The huge negative eigenvalue is there, and was not returned.
    assert!(d[0] < -1000.0 && p.values.iter().all(|&v| v > 0.0));
}

/// `diag(values)` as an operator.
fn diagonal(values: &[f64]) -> impl FnMut(&[f64], &mut [f64]) + '_ {
    move |x, y| {
        y.iter_mut()
            .zip(x)
            .zip(values)
            .for_each(|((y, x), d)| *y = d * x)
    }
}

/// The top `k` of `values` are recovered to `tol`, with orthonormal
/// eigenvectors of small residual.
fn check_diagonal(values: &[f64], k: usize, tol: f64) -> EigenPairs {
    let p = top_eigenpairs(values.len(), k, diagonal(values), &EigenOptions::default()).unwrap();
    let mut want = values.to_vec();
    want.sort_by(|a, b| b.total_cmp(a));
    assert!(p.converged);
    for (j, &w) in want.iter().enumerate().take(k) {
        let (value, x) = (p.values[j], p.vector(j));
        assert!((value - w).abs() <= tol, "value {j}: {value} vs {w}");
        let r = x
            .iter()
            .zip(values)
            .map(|(x, d)| ((d - value) * x).powi(2))
            .sum::<f64>();
        assert!(r.sqrt() < 1e-4, "residual of pair {j}: {}", r.sqrt());
    }
    assert_orthonormal(&p, 1e-10);
    p
}

#[test]
fn a_diagonal_spectrum_with_repeated_clustered_and_huge_negative_values_is_recovered() {
    // Larger than the basis (73), so the copies of 10 and of 5 must be found
    // by the verification cycle (or rounding), not by spanning the space. The
    // triple 5 at the bottom of the wanted set, just above a dense bulk, is
    // missed without the verification cycle.
    let mut rng = SmallRng::seed_from_u64(3);
    let mut values: Vec<f64> = (0..400).map(|_| 6.9 * unit(&mut rng) - 2.0).collect();
    let top = [10.0, 10.0, 9.5, 9.5 + 1e-9, 9.0, 7.0, 5.0, 5.0, 5.0];
    values[..top.len()].copy_from_slice(&top);
    values[200] = -1000.0;
    values.swap(1, 300); // not in order
    let p = check_diagonal(&values, top.len(), 1e-7);
    println!(
        "diagonal n=400 k=9: {:?}, {} matvecs, {} restarts",
        p.values, p.matvecs, p.restarts
    );
    // Small operators: the basis spans the space (k = n), and an invariant
    // subspace (3 distinct values in 6) forces fresh vectors.
    let small = [3.0, 3.0, 1.0, -50.0, 2.0, 2.0];
    check_diagonal(&small, 6, 1e-12);
    check_diagonal(&small, 3, 1e-12);
    check_diagonal(&[5.0], 1, 1e-12);
    check_diagonal(&[0.0; 4], 2, 1e-12);
}

#[test]
fn bad_arguments_and_nan_are_errors_before_or_during_work() {
    let mut calls = 0;
    let mut counted = |x: &[f64], y: &mut [f64]| {
        calls += 1;
        y.copy_from_slice(x);
    };
    let opts = EigenOptions::default();
    let e = top_eigenpairs(10, 0, &mut counted, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("k must be at least 1"), "{e}");
    let e = top_eigenpairs(5, 6, &mut counted, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string().contains("k = 6") && e.to_string().contains("n = 5"),
        "{e}"
    );
    for bad in [
        EigenOptions {
            tol: 0.0,
            ..EigenOptions::default()
        },
        EigenOptions {
            tol: f64::NAN,
            ..EigenOptions::default()
        },
        EigenOptions {
            basis: Some(3),
            ..EigenOptions::default()
        },
        EigenOptions {
            max_matvecs: 10,
            ..EigenOptions::default()
        },
    ] {
        let e = top_eigenpairs(100, 2, &mut counted, &bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    }
    assert_eq!(
        calls, 0,
        "the operator was called before the arguments were checked"
    );

    let mut calls = 0;
    let nan_on_4th = |x: &[f64], y: &mut [f64]| {
        calls += 1;
        y.copy_from_slice(x);
        if calls == 4 {
            y[3] = f64::NAN;
        }
    };
    let e = top_eigenpairs(50, 2, nan_on_4th, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("NaN at entry 3 of product 4"), "{e}");

    // Out of products: the pairs come back, marked unconverged.
    let s = target(300, 0.02, 9);
    let few = EigenOptions {
        max_matvecs: 40,
        basis: Some(40),
        ..EigenOptions::default()
    };
    let p = top_eigenpairs(300, 20, |x, y| apply(&s, x, y), &few).unwrap();
    assert!(!p.converged && p.matvecs == 40 && p.values.len() == 20);
    assert!(
        p.max_residual > 1e-8 * p.values[0].abs(),
        "{}",
        p.max_residual
    );
}

#[test]
fn the_same_seed_gives_the_same_result_bit_for_bit() {
    let s = target(300, 0.02, 11);
    let run = |seed| {
        let opts = EigenOptions {
            seed,
            ..EigenOptions::default()
        };
        top_eigenpairs(300, 10, |x, y| apply(&s, x, y), &opts).unwrap()
    };
    let (a, b, c) = (run(1), run(1), run(2));
    let bits = |p: &EigenPairs| -> Vec<u64> {
        p.values
            .iter()
            .chain(&p.vectors)
            .map(|x| x.to_bits())
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!((a.matvecs, a.restarts), (b.matvecs, b.restarts));
    // Another seed: the same eigenvalues, to the tolerance, not the same bits.
    assert_ne!(bits(&a), bits(&c));
    for (x, y) in a.values.iter().zip(&c.values) {
        assert!((x - y).abs() < 1e-6 * x.abs(), "{x} vs {y}");
    }
}
