//! `cd`: proximal newton for l1 / elastic-net penalties, with coordinate descent on the
//! quadratic model (the scheme of glmnet and newglmnet).
//!
//! each outer iteration forms the gradient and hessian of the smooth part in one block-parallel
//! pass over the data, then minimises `gᵀΔ + ½ΔᵀHΔ + Σ λⱼ|wⱼ + Δⱼ|` by cyclic coordinate
//! descent on the small `(d+1)²` matrix (soft-thresholding gives exact zeros), and takes the
//! longest step `θ + αΔ`, `α = 1, ½, …`, with sufficient decrease of the full objective.

use std::ops::ControlFlow;

use super::outcome::{Limits, Outcome, norm_inf};
use super::record;
use super::second_order::SecondOrderState;
use crate::backend::Backend;
use crate::model::StopReason;
use crate::objective::{Objective, l1_term};
use crate::train::{Observer, optimality_violation};

/// coordinate-descent sweeps per quadratic model at most.
const MAX_SWEEPS: usize = 1000;

/// minimise the full objective (l1 included) from `theta`.
pub fn prox_newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Outcome {
    let k = theta.len();
    let l1: Vec<f64> = obj.l1_weights().to_vec();
    let l1_value = |t: &[f64]| l1_term(&l1, t);
    let (mut st, f0) = SecondOrderState::new(obj, theta);
    let mut f = f0 + l1_value(&st.theta);
    let (mut delta, mut h_delta) = (vec![0.0; k], vec![0.0; k]);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        let kkt = optimality_violation(&st.theta, &st.grad, &l1);
        // coordinate descent on the quadratic model, in the variable u = θ + Δ
        delta.fill(0.0);
        h_delta.fill(0.0);
        let inner_tol = 1e-3 * kkt.min(1.0);
        for _ in 0..MAX_SWEEPS {
            let mut largest = 0.0f64;
            for j in 0..k {
                let a = st.hess[j * k + j];
                if a <= 0.0 {
                    continue;
                }
                let u = st.theta[j] + delta[j];
                let target = u - (st.grad[j] + h_delta[j]) / a;
                let new_u = if j == 0 { target } else { soft_threshold(target, l1[j - 1] / a) };
                let change = new_u - u;
                if change != 0.0 {
                    delta[j] += change;
                    for (hd, h) in h_delta.iter_mut().zip(&st.hess[j * k..(j + 1) * k]) {
                        *hd += change * h;
                    }
                    largest = largest.max(change.abs() * a.sqrt());
                }
            }
            if largest <= inner_tol {
                break;
            }
        }
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
        let Some((ft, alpha)) = st.backtrack(obj, &delta, l1_value, accept) else {
            reason = StopReason::NoProgress;
            break;
        };
        f = ft;
        if record(obj, &mut history, it, limits.max_iter, f, alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Outcome { theta: st.theta, iterations: history.len(), reason, history }
}

/// `sign(x)·max(|x| − t, 0)`.
fn soft_threshold(x: f64, t: f64) -> f64 {
    x.signum() * (x.abs() - t).max(0.0)
}
