//! `cd`: proximal newton for l1 / elastic-net penalties (the scheme of glmnet and newglmnet).
//!
//! each outer iteration takes the gradient of the smooth part (exact, every row) and its
//! hessian (exact, or from the stratified sample of [`super::hessian`] on many rows), minimises
//! the quadratic model plus the l1 term exactly (coordinate descent for the active set, then a
//! cholesky solve on it: [`super::l1_quadratic`]), and takes the longest step `θ + αΔ`,
//! `α = 1, ½, …`, with sufficient decrease of the full objective. trial points cost a
//! value-and-gradient pass only when the hessian is sampled.

use std::ops::ControlFlow;

use super::l1_quadratic::{L1Quadratic, Model};
use super::record;
use super::second_order::SecondOrderState;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::StopReason;
use crate::objective::{Objective, l1_term, optimality_violation};
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::train::Observer;

const SOLVER: &str = "cd";

/// minimise the full objective (l1 included) from `theta`.
pub fn prox_newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let k = theta.len();
    let l1: Vec<f64> = obj.l1_weights().to_vec();
    let lambda: Vec<f64> = std::iter::once(0.0).chain(l1.iter().copied()).collect();
    let l1_value = |t: &[f64]| l1_term(&l1, t);
    let (mut st, f0) = SecondOrderState::new(obj, theta, SOLVER)?;
    let mut f = f0 + l1_value(&st.theta);
    let mut delta = vec![0.0; k];
    let mut subproblem = L1Quadratic::new(k);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    let mut last_kkt = f64::NAN;
    for it in 1..=limits.max_iter {
        // progress by the kkt violation: the smooth gradient does not vanish at an l1 optimum
        let kkt = optimality_violation(&st.theta, &st.grad, &l1);
        st.set_progress(kkt / last_kkt);
        last_kkt = kkt;
        st.refresh_hessian(obj, it);
        ensure_finite(&st.hess, SOLVER, "hessian", it)?;
        strictly_convex(&mut st.hess, k);
        let model = Model { h: &st.hess, g: &st.grad, theta: &st.theta, lambda: &lambda };
        subproblem.solve(&model, 1e-3 * kkt.min(1.0), &mut delta);
        if kkt <= limits.tol && norm_inf(&delta) <= limits.tol * norm_inf(&st.theta).max(1.0) {
            reason = StopReason::Tolerance;
            break;
        }
        // predicted decrease of the full objective along Δ (negative for a descent direction)
        let predicted: f64 = st.grad.iter().zip(&delta).map(|(g, d)| g * d).sum::<f64>()
            + (1..k).map(|j| l1[j - 1] * ((st.theta[j] + delta[j]).abs() - st.theta[j].abs())).sum::<f64>();
        // sufficient decrease (tseng & yun), or at rounding level a smaller kkt violation
        let accept = |ft: f64, alpha: f64, trial: &[f64], t_grad: &[f64]| {
            ft <= f + 1e-4 * alpha * predicted.min(0.0)
                || (ft <= f + 1e-12 * f.abs() && optimality_violation(trial, t_grad, &l1) < kkt)
        };
        let Some((ft, alpha)) = st.backtrack(obj, &delta, l1_value, accept, SOLVER, it)? else {
            if st.abandon_sample(obj) {
                continue; // the sample's direction led nowhere: retry with the exact hessian
            }
            reason = limits.stalled(kkt);
            break;
        };
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Ok(Outcome { theta: st.theta, iterations: history.len(), reason, history })
}

/// ridge added to the quadratic model's hessian (newglmnet's `ν`, yuan, ho & lin 2012): with
/// fewer rows than parameters and no l2 the hessian is singular, and the subproblem's active-set
/// cholesky then has no unique solution. the fixed point — the optimum — does not depend on it.
pub(crate) const MODEL_RIDGE: f64 = 1e-10;

/// add [`MODEL_RIDGE`] to the diagonal of the `k × k` hessian `h`.
pub(crate) fn strictly_convex(h: &mut [f64], k: usize) {
    for j in 0..k {
        h[j * k + j] += MODEL_RIDGE;
    }
}
