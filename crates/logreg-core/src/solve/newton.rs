//! newton's method (irls) with a cholesky solve and a backtracking line search.

use std::ops::ControlFlow;

use super::outcome::{Limits, Outcome, norm_inf};
use super::second_order::SecondOrderState;
use super::{record, regularised_cholesky};
use crate::backend::Backend;
use crate::linalg::cholesky_solve;
use crate::model::StopReason;
use crate::numerics::dot;
use crate::objective::Objective;
use crate::train::Observer;

/// minimise the smooth objective (no l1) by newton's method from `theta`.
pub fn newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Outcome {
    let k = theta.len();
    let (mut state, mut f) = SecondOrderState::new(obj, theta);
    let (mut factor, mut step) = (vec![0.0; k * k], vec![0.0; k]);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
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
