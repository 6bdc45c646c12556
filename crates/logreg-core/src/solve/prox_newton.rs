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
use crate::backend::Backend;
use crate::model::StopReason;
use crate::objective::Objective;
use crate::train::{Observer, optimality_violation};

/// coordinate-descent sweeps per quadratic model at most.
const MAX_SWEEPS: usize = 1000;
/// step halvings before giving up on a direction.
const MAX_HALVINGS: usize = 40;

/// minimise the full objective (l1 included) from `theta`.
pub fn prox_newton<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Outcome {
    let k = theta.len();
    let l1: Vec<f64> = obj.l1_weights().to_vec();
    let l1_value = |t: &[f64]| -> f64 { t[1..].iter().zip(&l1).map(|(w, l)| l * w.abs()).sum() };
    let (mut grad, mut hess) = (vec![0.0; k], vec![0.0; k * k]);
    let (mut t_grad, mut t_hess) = (vec![0.0; k], vec![0.0; k * k]);
    let (mut delta, mut h_delta, mut trial) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut f = obj.smooth_value_grad_hess(&theta, &mut grad, &mut hess) + l1_value(&theta);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        let kkt = optimality_violation(&theta, &grad, &l1);
        // coordinate descent on the quadratic model, in the variable u = θ + Δ
        delta.fill(0.0);
        h_delta.fill(0.0);
        let inner_tol = 1e-3 * kkt.min(1.0);
        for _ in 0..MAX_SWEEPS {
            let mut largest = 0.0f64;
            for j in 0..k {
                let a = hess[j * k + j];
                if a <= 0.0 {
                    continue;
                }
                let u = theta[j] + delta[j];
                let target = u - (grad[j] + h_delta[j]) / a;
                let new_u = if j == 0 { target } else { soft_threshold(target, l1[j - 1] / a) };
                let change = new_u - u;
                if change != 0.0 {
                    delta[j] += change;
                    for (hd, h) in h_delta.iter_mut().zip(&hess[j * k..(j + 1) * k]) {
                        *hd += change * h;
                    }
                    largest = largest.max(change.abs() * a.sqrt());
                }
            }
            if largest <= inner_tol {
                break;
            }
        }
        if kkt <= limits.tol && norm_inf(&delta) <= limits.tol * norm_inf(&theta).max(1.0) {
            reason = StopReason::Tolerance;
            break;
        }
        // predicted decrease of the full objective along Δ (negative for a descent direction)
        let predicted: f64 = grad.iter().zip(&delta).map(|(g, d)| g * d).sum::<f64>()
            + (1..k).map(|j| l1[j - 1] * ((theta[j] + delta[j]).abs() - theta[j].abs())).sum::<f64>();
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            trial.iter_mut().zip(theta.iter().zip(&delta)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let ft = obj.smooth_value_grad_hess(&trial, &mut t_grad, &mut t_hess) + l1_value(&trial);
            let rounding = ft <= f + 1e-12 * f.abs() && optimality_violation(&trial, &t_grad, &l1) < kkt;
            if ft.is_finite() && (ft <= f + 1e-4 * alpha * predicted.min(0.0) || rounding) {
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

/// `sign(x)·max(|x| − t, 0)`.
fn soft_threshold(x: f64, t: f64) -> f64 {
    x.signum() * (x.abs() - t).max(0.0)
}
