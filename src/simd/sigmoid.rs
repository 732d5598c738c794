//! The logistic function used by the training kernels.
//!
//! `sigmoid(x) = 1 / (1 + exp(-x))` is evaluated by linear interpolation in a
//! table of 1025 values on `[-8, 8]` (64 steps per unit) that `build.rs`
//! computes in `f64`. It is part of the kernel contract:
//!
//! * on `[-8, 8]` the absolute error is below `4e-6` (interpolation error is at
//!   most `h^2 / 8 * max|sigmoid''| = (1/64)^2 / 8 * 0.097`, plus f32 rounding);
//! * outside it the value is held at `sigmoid(±8)`, so the error is below
//!   `3.4e-4` (word2vec.c clamps at ±6, an error of `2.5e-3`);
//! * it is monotone, never NaN for finite input, and NaN input gives
//!   `sigmoid(-8)` rather than propagating.
//!
//! Every SIMD level calls this same scalar function once per kernel call, so the
//! gradient scale `g` depends on the level only through the preceding dot product.

include!(concat!(env!("OUT_DIR"), "/sigmoid_table.rs"));

/// Linear interpolation in `table` at `x`, clamped to the table's range.
#[inline(always)]
fn lookup(table: &[f32], x: f32) -> f32 {
    let t = (x + SIGMOID_RANGE) * SIGMOID_STEPS_PER_UNIT;
    let t = if t > 0.0 { t } else { 0.0 }; // also maps NaN to 0
    let t = t.min(2.0 * SIGMOID_RANGE * SIGMOID_STEPS_PER_UNIT);
    let i = t as usize;
    let frac = t - i as f32;
    let lo = table[i];
    let hi = table[i + 1];
    lo + frac * (hi - lo)
}

/// `1 / (1 + exp(-x))`, within `4e-6` on `[-8, 8]` and `3.4e-4` elsewhere.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    lookup(&SIGMOID_TABLE, x)
}

/// `ln(sigmoid(x))`, for the training loss: the table on `[-8, 8]` (error
/// below `2e-5`), `x` itself below `-8` and `ln sigmoid(8)` above `8` (errors
/// below `3.4e-4`).
#[inline(always)]
pub fn log_sigmoid(x: f32) -> f32 {
    if x < -SIGMOID_RANGE {
        x
    } else {
        lookup(&LOG_SIGMOID_TABLE, x)
    }
}

#[cfg(test)]
mod tests {
    use super::{log_sigmoid, sigmoid};

    #[test]
    fn matches_exact_sigmoid() {
        let mut worst = 0.0f64;
        let mut x = -12.0f64;
        while x <= 12.0 {
            let exact = 1.0 / (1.0 + (-x).exp());
            let err = (sigmoid(x as f32) as f64 - exact).abs();
            let bound = if x.abs() <= 8.0 { 4e-6 } else { 3.4e-4 };
            assert!(err < bound, "sigmoid({x}) error {err}");
            if x.abs() <= 8.0 {
                worst = worst.max(err);
            }
            x += 0.001;
        }
        assert!(worst > 0.0);
    }

    #[test]
    fn log_sigmoid_matches_exact() {
        let mut x = -20.0f64;
        while x <= 20.0 {
            let exact = -(-x).exp().ln_1p();
            let err = (log_sigmoid(x as f32) as f64 - exact).abs();
            let bound = if x.abs() <= 8.0 { 2e-5 } else { 3.4e-4 };
            assert!(err < bound, "log_sigmoid({x}) error {err}");
            x += 0.003;
        }
    }

    #[test]
    fn monotone_and_total() {
        let mut prev = sigmoid(-100.0);
        for i in -2000..=2000 {
            let y = sigmoid(i as f32 * 0.01);
            assert!(y >= prev);
            prev = y;
        }
        assert!(sigmoid(f32::NAN).is_finite());
        assert!(sigmoid(f32::INFINITY) < 1.0);
        assert!(sigmoid(f32::NEG_INFINITY) > 0.0);
    }
}
