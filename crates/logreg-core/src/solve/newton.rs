//! newton's method (irls) with a cholesky solve and a backtracking line search.
//!
//! on many rows the hessian comes from a fixed random sample of them (sub-sampled newton,
//! byrd et al. 2011; roosta-khorasani & mahoney 2019) while value and gradient stay exact:
//! the iteration still stops only at the exact optimum, converging linearly at a rate of about
//! `√(k / sample)` per step instead of quadratically, at a fraction of the exact hessian's cost.

use std::ops::ControlFlow;

use super::outcome::{Limits, Outcome, norm_inf};
use super::second_order::SecondOrderState;
use super::{record, regularised_cholesky};
use crate::backend::Backend;
use crate::linalg::cholesky_solve;
use crate::model::StopReason;
use crate::numerics::dot;
use crate::objective::Objective;
use crate::rng::Rng;
use crate::train::Observer;
use crate::view::Selection;

/// rows per coefficient in the hessian sample.
pub const HESSIAN_ROWS_PER_COEFFICIENT: usize = 1000;
/// fewest rows of a hessian sample.
const MIN_HESSIAN_ROWS: usize = 20_000;
/// a sample is taken only when the data have at least this many times its rows.
const MIN_SAMPLING_RATIO: usize = 4;
/// seed of the hessian sample (fixed: a fit does not depend on any other seed).
const HESSIAN_SEED: u64 = 0x4e45_5754_4f4e;

/// rows of the hessian sample for `n_rows` rows and `k` coefficients; `None` when the exact
/// hessian is used (the sample would not be much smaller than the data).
pub fn hessian_sample_rows(n_rows: usize, k: usize) -> Option<usize> {
    let m = (HESSIAN_ROWS_PER_COEFFICIENT * k).max(MIN_HESSIAN_ROWS);
    (n_rows >= MIN_SAMPLING_RATIO * m).then_some(m)
}

/// `m` distinct indices out of `0..n`, ascending, uniformly at random (selection sampling,
/// knuth's algorithm s).
fn sample_indices(n: usize, m: usize, rng: &mut Rng) -> Vec<usize> {
    let mut out = Vec::with_capacity(m);
    for i in 0..n {
        if out.len() == m {
            break;
        }
        if (rng.below((n - i) as u64) as usize) < m - out.len() {
            out.push(i);
        }
    }
    out
}

/// minimise the smooth objective (no l1) by newton's method from `theta`.
pub fn newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Outcome {
    let (n, k) = (obj.n_rows(), theta.len());
    let sample = hessian_sample_rows(n, k).map(|m| sample_indices(n, m, &mut Rng::new(HESSIAN_SEED)));
    let (mut state, mut f) = match sample {
        None => SecondOrderState::new(obj, theta),
        Some(_) => SecondOrderState::without_hessian(obj, theta),
    };
    let (mut factor, mut step) = (vec![0.0; k * k], vec![0.0; k]);
    let mut sample_grad = vec![0.0; if sample.is_some() { k } else { 0 }];
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        if let Some(rows) = &sample {
            obj.batch_value_grad_hess(&Selection::Indices(rows), &state.theta, &mut sample_grad, &mut state.hess);
            // a sample without weight (nearly all weights zero) says nothing: the exact hessian
            if state.hess[0] <= 0.0 {
                obj.smooth_value_grad_hess(&state.theta, &mut sample_grad, &mut state.hess);
            }
        }
        regularised_cholesky(&state.hess, k, &mut factor);
        step.iter_mut().zip(&state.grad).for_each(|(s, g)| *s = -g);
        cholesky_solve(&factor, k, &mut step);
        if limits.converged(&state.grad, &step, &state.theta) {
            reason = StopReason::Tolerance;
            break;
        }
        let d0 = dot(&state.grad, &step);
        let g_norm = norm_inf(&state.grad);
        // armijo, or (at rounding level) no increase beyond rounding and a smaller gradient
        let accept = |ft: f64, alpha: f64, _: &[f64], t_grad: &[f64]| {
            ft <= f + 1e-4 * alpha * d0 || (ft <= f + 1e-12 * f.abs() && norm_inf(t_grad) < g_norm)
        };
        let Some((ft, alpha)) = state.backtrack(obj, &step, |_| 0.0, accept) else {
            reason = StopReason::NoProgress;
            break;
        };
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Outcome { theta: state.theta, iterations: history.len(), reason, history }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_ascending_and_cover_the_range() {
        let mut rng = Rng::new(7);
        let s = sample_indices(1000, 100, &mut rng);
        assert_eq!(s.len(), 100);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(*s.last().unwrap() < 1000);
        // roughly uniform: each half holds between 30 and 70 of the 100
        let low = s.iter().filter(|&&i| i < 500).count();
        assert!((30..=70).contains(&low), "{low} of 100 in the lower half");
        assert_eq!(sample_indices(10, 10, &mut rng), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn small_data_use_the_exact_hessian() {
        assert_eq!(hessian_sample_rows(50_000, 21), None);
        assert_eq!(hessian_sample_rows(1_000_000, 101), Some(101_000));
        assert_eq!(hessian_sample_rows(1_000_000, 21), Some(21_000));
    }
}
