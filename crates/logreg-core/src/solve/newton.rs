//! newton's method (irls) with a cholesky solve and a backtracking line search.

use std::ops::ControlFlow;

use super::outcome::norm_inf;
use super::outcome::{Limits, Outcome};
use super::{record, regularised_cholesky};
use crate::backend::Backend;
use crate::linalg::cholesky_solve;
use crate::model::StopReason;
use crate::numerics::dot;
use crate::objective::Objective;
use crate::train::Observer;

/// halvings of the step before newton gives up on a direction.
const MAX_HALVINGS: usize = 40;

/// minimise the smooth objective (no l1) by newton's method from `theta`.
pub fn newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Outcome {
    let k = theta.len();
    let (mut grad, mut hess) = (vec![0.0; k], vec![0.0; k * k]);
    let (mut t_grad, mut t_hess) = (vec![0.0; k], vec![0.0; k * k]);
    let (mut factor, mut step, mut trial) = (vec![0.0; k * k], vec![0.0; k], vec![0.0; k]);
    let mut f = obj.smooth_value_grad_hess(&theta, &mut grad, &mut hess);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        regularised_cholesky(&hess, k, &mut factor);
        step.iter_mut().zip(&grad).for_each(|(s, g)| *s = -g);
        cholesky_solve(&factor, k, &mut step);
        if limits.converged(&grad, &step, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
        let d0 = dot(&grad, &step);
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            trial.iter_mut().zip(theta.iter().zip(&step)).for_each(|(t, (x, s))| *t = x + alpha * s);
            let ft = obj.smooth_value_grad_hess(&trial, &mut t_grad, &mut t_hess);
            let rounding = ft <= f + 1e-12 * f.abs() && norm_inf(&t_grad) < norm_inf(&grad);
            if ft.is_finite() && (ft <= f + 1e-4 * alpha * d0 || rounding) {
                accepted = Some(ft);
                break;
            }
            alpha *= 0.5;
        }
        let Some(ft) = accepted else {
            reason = StopReason::NoProgress;
            break;
        };
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut t_grad);
        std::mem::swap(&mut hess, &mut t_hess);
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Outcome { theta, iterations: history.len(), reason, history }
}
