//! the estimated time of a newton and of an l-bfgs fit, which `auto` compares.
//!
//! a model of the work, not a measurement at run time: a pass over the data costs a fixed
//! time per row (the logistic function, the loss) plus one per feature value (memory-bound
//! products); newton adds a weighted gram of the hessian rows per iteration (compute-bound,
//! (d+1)² per row) and a cholesky factorisation. the constants and iteration counts are fitted to
//! the peer-comparison harness's fits of standardised `make_classification` data at 1M rows on
//! 2 threads (2-core intel xeon with avx-512, 2026-11-21: newton 0.19 / 0.94 / 1.56 / 11.1 s and
//! l-bfgs 0.34 / 1.78 / 2.85 / 3.1 s at 20 / 100 / 128 / 256 features; the model gives newton
//! 0.15 / 0.94 / 1.43 / 13.7 s and l-bfgs 0.40 / 1.78 / 2.26 / 4.4 s). only their ratios matter
//! for the choice, which falls at about 200 features for 1M rows.

use super::hessian::hessian_sample_rows;

/// seconds per row of a value-and-gradient pass (logistic function, loss, residual).
const ROW_SECONDS: f64 = 1.0e-9;
/// seconds per feature value of a value-and-gradient pass (`X·w` and `Xᵀr`, memory-bound).
const VALUE_SECONDS: f64 = 0.43e-9;
/// seconds per multiply-add of the hessian's weighted gram (`rows · k²`).
const GRAM_SECONDS: f64 = 0.024e-9;
/// seconds per multiply-add of a cholesky factorisation (`k³ / 3`).
const CHOLESKY_SECONDS: f64 = 0.5e-9;
/// newton iterations with the exact hessian (quadratic convergence from the intercept-only start).
const EXACT_NEWTON_ITERATIONS: f64 = 8.0;
/// newton iterations with a sampled hessian (linear convergence at rate ≈ 0.03).
const SAMPLED_NEWTON_ITERATIONS: f64 = 12.0;
/// value-and-gradient passes per newton iteration (the accepted trial, rarely a halving).
const PASSES_PER_NEWTON_ITERATION: f64 = 1.2;
/// value-and-gradient passes of an l-bfgs fit to the default tolerance.
const LBFGS_PASSES: f64 = 40.0;

/// seconds of one value-and-gradient pass over `n_rows` rows of `k` parameters.
fn pass_seconds(n_rows: usize, k: usize) -> f64 {
    n_rows as f64 * (ROW_SECONDS + k as f64 * VALUE_SECONDS)
}

/// estimated seconds of a newton fit of `n_rows` × `n_cols` data (2 threads).
pub fn newton_seconds(n_rows: usize, n_cols: usize) -> f64 {
    let k = n_cols + 1;
    let (hessian_rows, iterations) = match hessian_sample_rows(n_rows, k) {
        Some(m) => (m, SAMPLED_NEWTON_ITERATIONS),
        None => (n_rows, EXACT_NEWTON_ITERATIONS),
    };
    let k2 = (k * k) as f64;
    let per_iteration = PASSES_PER_NEWTON_ITERATION * pass_seconds(n_rows, k)
        + hessian_rows as f64 * k2 * GRAM_SECONDS
        + k2 * k as f64 / 3.0 * CHOLESKY_SECONDS;
    iterations * per_iteration
}

/// estimated seconds of an l-bfgs fit of `n_rows` × `n_cols` data (2 threads).
pub fn lbfgs_seconds(n_rows: usize, n_cols: usize) -> f64 {
    LBFGS_PASSES * pass_seconds(n_rows, n_cols + 1)
}
