//! newton's method for the multinomial objective: the `P × P` hessian (`P = (d+1)·classes`) of
//! class-pair blocks, a cholesky solve and a backtracking line search.
//!
//! on many rows the hessian comes from a fixed uniform sample of them while value and gradient
//! stay exact (as the binary newton): the iteration stops only at the exact optimum. a sampled
//! direction that the line search rejects switches to the exact hessian.

use std::ops::ControlFlow;

use super::SoftmaxObjective;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::linalg::cholesky_solve;
use crate::model::StopReason;
use crate::numerics::dot;
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::rng::Rng;
use crate::solve::{hessian_sample_rows, record, regularised_cholesky, sample_indices};
use crate::train::Observer;
use crate::view::Selection;

const SOLVER: &str = "newton";
/// step halvings before the line search gives up.
const MAX_HALVINGS: usize = 40;
/// seed of the hessian sample (fixed: a fit does not depend on any other seed).
const HESSIAN_SEED: u64 = 0x004d_4e45_5754_4f4e;

/// minimise the smooth multinomial objective (no l1) by newton's method from `theta`.
pub fn newton<B: Backend + ?Sized>(
    obj: &mut SoftmaxObjective<'_, B>,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let (n, p) = (obj.n_rows(), theta.len());
    let mut sample = hessian_sample_rows(n, p).map(|m| sample_indices(n, m, &mut Rng::new(HESSIAN_SEED)));
    let all = Selection::Range(0..n);
    let (mut grad, mut t_grad, mut scratch_grad) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
    let (mut hess, mut t_hess, mut factor) = (vec![0.0; p * p], vec![0.0; p * p], vec![0.0; p * p]);
    let (mut step, mut trial) = (vec![0.0; p], vec![0.0; p]);
    let mut f = match sample {
        Some(_) => obj.smooth_value_grad(&theta, &mut grad),
        None => obj.value_grad_hess(&all, &theta, &mut grad, &mut hess),
    };
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    let mut it = 0;
    while it < limits.max_iter {
        it += 1;
        if let Some(rows) = &sample {
            obj.value_grad_hess(&Selection::Indices(rows), &theta, &mut scratch_grad, &mut hess);
        }
        if !obj.reference() {
            fix_intercept_gauge(&mut hess, p, obj.n_features() + 1);
        }
        regularised_cholesky(&hess, p, &mut factor, SOLVER, it)?;
        step.iter_mut().zip(&grad).for_each(|(s, g)| *s = -g);
        cholesky_solve(&factor, p, &mut step);
        if !obj.reference() {
            center_intercepts(&mut step, obj.n_features() + 1);
        }
        ensure_finite(&step, SOLVER, "step", it)?;
        if limits.converged(&grad, &step, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
        let d0 = dot(&grad, &step);
        let g_norm = norm_inf(&grad);
        let mut alpha = 1.0;
        let mut accepted = None;
        let mut any_finite = false;
        for _ in 0..MAX_HALVINGS {
            trial.iter_mut().zip(theta.iter().zip(&step)).for_each(|(t, (x, s))| *t = x + alpha * s);
            let ft = match sample {
                Some(_) => obj.smooth_value_grad(&trial, &mut t_grad),
                None => obj.value_grad_hess(&all, &trial, &mut t_grad, &mut t_hess),
            };
            let finite = ft.is_finite() && t_grad.iter().all(|g| g.is_finite());
            any_finite |= finite;
            // armijo, or (at rounding level) no increase beyond rounding and a smaller gradient
            if finite && (ft <= f + 1e-4 * alpha * d0 || (ft <= f + 1e-12 * f.abs() && norm_inf(&t_grad) < g_norm)) {
                accepted = Some(ft);
                break;
            }
            alpha *= 0.5;
        }
        let Some(ft) = accepted else {
            if !any_finite {
                return Err(Error::NonFinite { solver: SOLVER, what: "objective along the step", iteration: it });
            }
            if sample.take().is_some() {
                // the sample's direction led nowhere: the exact hessian from here on
                f = obj.value_grad_hess(&all, &theta, &mut grad, &mut hess);
                it -= 1;
                continue;
            }
            reason = StopReason::NoProgress;
            break;
        };
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut t_grad);
        if sample.is_none() {
            std::mem::swap(&mut hess, &mut t_hess);
        }
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}

/// in the symmetric parametrisation the objective does not change when every class's intercept
/// moves by the same amount: the hessian is singular along `v = (1 on the intercepts)/√K`, and the
/// gradient is orthogonal to it. adding `s·v·vᵀ` (`s` the intercepts' largest curvature) makes the
/// hessian positive definite without changing the step on the complement of `v`.
fn fix_intercept_gauge(hess: &mut [f64], p: usize, q: usize) {
    let k = p / q;
    let s = (0..k).map(|a| hess[a * q * p + a * q]).fold(f64::MIN_POSITIVE, f64::max);
    for a in 0..k {
        for b in 0..k {
            hess[a * q * p + b * q] += s / k as f64;
        }
    }
}

/// remove the step's component along the intercept gauge direction (rounding noise: the
/// objective is flat along it).
fn center_intercepts(step: &mut [f64], q: usize) {
    let k = step.len() / q;
    let mean = (0..k).map(|a| step[a * q]).sum::<f64>() / k as f64;
    for a in 0..k {
        step[a * q] -= mean;
    }
}
