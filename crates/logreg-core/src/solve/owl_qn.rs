//! `owl-qn`: orthant-wise limited-memory quasi-newton (andrew & gao 2007) for l1 and elastic-net
//! penalties on data too wide for `cd`'s `(d+1)²` hessian, sparse or dense.
//!
//! l-bfgs on the smooth part, steered by the pseudo-gradient of the full objective (the
//! minimum-norm subgradient): the direction is kept in the orthant the pseudo-gradient points
//! away from, and each trial point is projected back onto the orthant of the current point
//! (coordinates that would change sign stop at zero), where the l1 term is linear. only value
//! and gradient passes over the rows: no column access, no copy of the data.

use std::ops::ControlFlow;

use super::lbfgs::Memory;
use super::record;
use super::smooth::Smooth;
use crate::error::Result;
use crate::model::StopReason;
use crate::numerics::dot;
use crate::objective::{kkt_violation, min_norm_subgradient, weighted_l1};
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::train::Observer;

const SOLVER: &str = "owl-qn";

/// halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 60;
/// sufficient decrease along the projected step (armijo's constant).
const ARMIJO: f64 = 1e-4;

/// minimise `f(θ) + Σⱼ λⱼ|θⱼ|` (`f` smooth, `lambda` one strength per parameter, 0 for
/// intercepts) from `theta`.
pub fn owl_qn<S: Smooth + ?Sized>(
    obj: &mut S,
    mut theta: Vec<f64>,
    lambda: &[f64],
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let k = theta.len();
    let mut grad = vec![0.0; k];
    let (mut trial, mut t_grad, mut dir, mut pseudo) = (vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut memory = Memory::new(k);
    let precond = obj.inverse_diagonal(&theta);
    let mut f = obj.value_grad(&theta, &mut grad) + weighted_l1(lambda, &theta);
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        pseudo_gradient(&theta, &grad, lambda, &mut pseudo);
        memory.direction(&pseudo, &precond, &mut dir);
        // keep the direction where the pseudo-gradient points downhill
        dir.iter_mut().zip(&pseudo).filter(|(d, p)| **d * **p >= 0.0).for_each(|(d, _)| *d = 0.0);
        if dot(&pseudo, &dir) >= 0.0 {
            memory.clear();
            dir.iter_mut().zip(&pseudo).zip(&precond).for_each(|((d, g), p)| *d = -g * p);
        }
        ensure_finite(&dir, SOLVER, "step", it)?;
        let kkt = norm_inf(&pseudo);
        if kkt <= limits.tol && norm_inf(&dir) <= limits.tol * norm_inf(&theta).max(1.0) {
            reason = StopReason::Tolerance;
            break;
        }
        let mut found = None;
        let mut alpha = 1.0;
        for _ in 0..MAX_HALVINGS {
            for j in 0..k {
                let t = theta[j] + alpha * dir[j];
                // the orthant of θ, or of the step from zero; crossing it stops at zero
                let sign = if theta[j] != 0.0 { theta[j] } else { -pseudo[j] };
                trial[j] = if lambda[j] > 0.0 && t * sign <= 0.0 { 0.0 } else { t };
            }
            let ft = obj.value_grad(&trial, &mut t_grad) + weighted_l1(lambda, &trial);
            let decrease: f64 = pseudo.iter().zip(trial.iter().zip(&theta)).map(|(p, (t, x))| p * (t - x)).sum();
            // sufficient decrease, or at rounding level a smaller kkt violation
            if ft <= f + ARMIJO * decrease
                || (ft <= f + 1e-12 * f.abs() && kkt_violation(&trial, &t_grad, lambda) < kkt)
            {
                found = Some(ft);
                break;
            }
            alpha *= 0.5;
        }
        let Some(ft) = found else {
            reason = limits.stalled(kkt);
            break;
        };
        ensure_finite(&t_grad, SOLVER, "gradient", it)?;
        memory.push(&theta, &trial, &grad, &t_grad);
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut t_grad);
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}

/// the minimum-norm subgradient of `f(θ) + Σⱼ λⱼ|θⱼ|` given `grad = ∇f(θ)`.
fn pseudo_gradient(theta: &[f64], grad: &[f64], lambda: &[f64], out: &mut [f64]) {
    for (((o, &w), &g), &l) in out.iter_mut().zip(theta).zip(grad).zip(lambda) {
        *o = min_norm_subgradient(w, g, l);
    }
}
