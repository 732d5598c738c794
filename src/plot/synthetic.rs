//! Synthetic traces for the plot tests: singular values that rise as the
//! theory of stepwise learning predicts, written as `w2v train --trace` does.

/// A synthetic trace: mode `j`'s squared singular value rises
/// logistically, `S_j / (1 + (S_j / s0^2 - 1) exp(-2 c lambda_j t))`,
/// later for smaller eigenvalues; the loss falls as modes are learned.
pub fn synthetic(c: f64, lambdas: &[f64], every: u64, n: usize, reference: bool) -> String {
    let s0: f64 = 1e-3;
    let finals: Vec<f64> = lambdas.iter().map(|l| l.sqrt()).collect();
    let mut out = format!(
        r#"{{"w2v_trace": 1, "model": "sgns", "loss": "ns", "dim": 50, "vocab": 22541, "corpus_words": 1941079, "epochs": 3, "every": {every}, "init_scale": 1e-6, "lr": 0.025, "lr_schedule": "constant", "k": {}, "reference": {}}}"#,
        lambdas.len(),
        if reference {
            format!(r#"{{"path": "qwem.bin", "eigenvalues": {lambdas:?}, "common_words": 9800}}"#)
        } else {
            "null".into()
        }
    );
    out.push('\n');
    for i in 1..=n {
        let words = i as u64 * every;
        let t = words as f64;
        let s: Vec<f64> = lambdas
            .iter()
            .zip(&finals)
            .map(|(&l, &f)| {
                let big = f * f;
                (big / (1.0 + (big / (s0 * s0) - 1.0) * (-2.0 * c * l * t).exp())).sqrt()
            })
            .collect();
        let learned: f64 = s.iter().zip(&finals).map(|(a, b)| a / b).sum::<f64>();
        let loss = 4.158 - 1.2 * learned / lambdas.len() as f64
            + 0.02 * ((i * 7919 % 101) as f64 / 101.0 - 0.5);
        let overlap: Vec<f64> = (1..=lambdas.len())
            .map(|m| s[..m].iter().zip(&finals).map(|(a, b)| a / b).sum::<f64>() / m as f64)
            .collect();
        out += &format!(
            r#"{{"words": {words}, "epoch": {}, "lr": 0.025, "loss": {loss}, "singular_values": {s:?}{}}}"#,
            words * 3 / (every * n as u64 + 1),
            if reference {
                format!(r#", "overlap": {overlap:?}"#)
            } else {
                String::new()
            }
        );
        out.push('\n');
    }
    out
}

/// Eigenvalues falling from 880 (like QWEM's top ones on a real corpus).
pub fn lambdas(k: usize) -> Vec<f64> {
    (0..k).map(|j| 880.0 / (1.0 + 0.35 * j as f64)).collect()
}
