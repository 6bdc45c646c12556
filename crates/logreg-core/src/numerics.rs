//! numerically stable scalar kernels: sigmoid, softplus, log-loss.
//!
//! every function here is finite for every finite input: none forms `exp(z)` for a
//! positive `z` or takes `log` of a probability.

/// logistic function `1 / (1 + e^{-z})`, accurate in both tails.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    if z >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) }
}

/// `log(1 + e^z)`, finite for every finite `z`.
#[inline]
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// binary cross-entropy `-[y log σ(z) + (1-y) log(1-σ(z))]` of a label `y ∈ [0, 1]` at logit `z`.
#[inline]
pub fn log_loss(y: f64, z: f64) -> f64 {
    loss_and_residual(y, z).0
}

/// log-loss and residual `σ(z) - y` at logit `z`, sharing one exponential.
#[inline(always)]
pub fn loss_and_residual(y: f64, z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let tail = e.ln_1p();
    // softplus(z) = max(z,0) + tail, softplus(-z) = max(-z,0) + tail
    let loss = (1.0 - y) * z.max(0.0) + y * (-z).max(0.0) + tail;
    let p = if z >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
    (loss, p - y)
}

/// curvature `σ(z)·(1 − σ(z))` of the log-loss at logit `z`, without cancellation.
#[inline]
pub fn curvature(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

/// `x · w`, with eight interleaved partial sums combined in a fixed order (so it vectorises
/// and is the same on every run and thread count).
#[inline(always)]
pub fn dot(x: &[f64], w: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), w.len());
    let mut acc = [0.0; 8];
    let (xc, wc) = (x.chunks_exact(8), w.chunks_exact(8));
    let (xr, wr) = (xc.remainder(), wc.remainder());
    for (a, b) in xc.zip(wc) {
        for k in 0..8 {
            acc[k] += a[k] * b[k];
        }
    }
    let tail: f64 = xr.iter().zip(wr).map(|(a, b)| a * b).sum();
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7])) + tail
}

/// `y ← y + a·x`.
#[inline(always)]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// euclidean norm, scaled against overflow.
pub fn norm2(v: &[f64]) -> f64 {
    let scale = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale * v.iter().map(|x| (x / scale).powi(2)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_tails_are_exact_limits_and_finite() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1e300), 1.0);
        assert_eq!(sigmoid(-1e300), 0.0);
        assert!((sigmoid(-745.0) - 5e-324).abs() <= 5e-324);
        assert!((sigmoid(3.0) + sigmoid(-3.0) - 1.0).abs() <= f64::EPSILON);
    }

    #[test]
    fn log_loss_matches_naive_form_where_naive_is_accurate() {
        for z in [-5.0f64, -0.3, 0.0, 0.7, 4.0] {
            let p: f64 = 1.0 / (1.0 + (-z).exp());
            assert!((log_loss(1.0, z) + p.ln()).abs() < 1e-14);
            assert!((log_loss(0.0, z) + (1.0 - p).ln()).abs() < 1e-14);
        }
    }

    #[test]
    fn log_loss_is_relatively_accurate_in_the_tail() {
        // exact: log(1 + e^-40) = e^-40 (to 1e-17 relative)
        let l = log_loss(1.0, 40.0);
        assert!((l - (-40.0f64).exp()).abs() <= 1e-15 * l);
        assert_eq!(log_loss(0.0, 1e300), 1e300);
        assert_eq!(log_loss(1.0, -1e300), 1e300);
        assert_eq!(log_loss(1.0, 1e300), 0.0);
    }

    #[test]
    fn norm2_survives_huge_entries() {
        assert_eq!(norm2(&[3e300, 4e300]), 5e300);
        assert_eq!(norm2(&[0.0, 0.0]), 0.0);
    }
}
