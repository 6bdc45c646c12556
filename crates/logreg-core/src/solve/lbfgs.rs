//! limited-memory bfgs with the robust wolfe line search.

use std::ops::ControlFlow;

use super::line_search::wolfe;
use super::record;
use super::smooth::Smooth;
use crate::error::Result;
use crate::model::StopReason;
use crate::numerics::{dot, norm2};
use crate::outcome::{Limits, Outcome, ensure_finite};
use crate::train::Observer;

const SOLVER: &str = "lbfgs";

/// correction pairs kept.
const MEMORY: usize = 10;

/// minimise the smooth objective (no l1) by l-bfgs from `theta`.
pub fn lbfgs<S: Smooth + ?Sized>(
    obj: &mut S,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let k = theta.len();
    let mut grad = vec![0.0; k];
    let (mut trial, mut t_grad, mut dir) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let (mut s_new, mut y_new) = (vec![0.0; k], vec![0.0; k]);
    let mut s_mem = vec![vec![0.0; k]; MEMORY];
    let mut y_mem = vec![vec![0.0; k]; MEMORY];
    let mut rho = [0.0; MEMORY];
    let mut alpha_buf = [0.0; MEMORY];
    let (mut stored, mut newest) = (0usize, 0usize);
    let precond = obj.inverse_diagonal(&theta);
    let mut f = obj.value_grad(&theta, &mut grad);
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        // two-loop recursion: dir = −H·grad
        dir.iter_mut().zip(&grad).for_each(|(d, g)| *d = -g);
        for m in 0..stored {
            let i = (newest + MEMORY - m) % MEMORY;
            alpha_buf[i] = rho[i] * dot(&s_mem[i], &dir);
            dir.iter_mut().zip(&y_mem[i]).for_each(|(d, y)| *d -= alpha_buf[i] * y);
        }
        // initial matrix γ·D⁻¹, γ fitted to the newest pair (1 before there is one)
        let gamma = if stored > 0 {
            let (s, y) = (&s_mem[newest], &y_mem[newest]);
            dot(s, y) / y.iter().zip(&precond).map(|(y, p)| y * y * p).sum::<f64>()
        } else {
            1.0
        };
        dir.iter_mut().zip(&precond).for_each(|(d, p)| *d *= gamma * p);
        for m in (0..stored).rev() {
            let i = (newest + MEMORY - m) % MEMORY;
            let beta = rho[i] * dot(&y_mem[i], &dir);
            dir.iter_mut().zip(&s_mem[i]).for_each(|(d, s)| *d += (alpha_buf[i] - beta) * s);
        }
        let mut d0 = dot(&grad, &dir);
        if d0.is_nan() || d0 >= 0.0 {
            // not a descent direction (rounding in the memory): restart from steepest descent
            stored = 0;
            dir.iter_mut().zip(&grad).zip(&precond).for_each(|((d, g), p)| *d = -g * p);
            d0 = dot(&grad, &dir);
        }
        ensure_finite(&dir, SOLVER, "step", it)?;
        if limits.converged(&grad, &dir, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
        let alpha0 = 1.0;
        let mut phi = |alpha: f64| {
            trial.iter_mut().zip(theta.iter().zip(&dir)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let ft = obj.value_grad(&trial, &mut t_grad);
            (ft, dot(&t_grad, &dir))
        };
        let (found, last) = wolfe(&mut phi, f, d0, alpha0);
        let Some(step) = found else {
            reason = StopReason::NoProgress;
            break;
        };
        if step.alpha != last {
            phi(step.alpha);
        }
        ensure_finite(&t_grad, SOLVER, "gradient", it)?;
        // new correction pair; skipped when curvature is not positive
        for j in 0..k {
            s_new[j] = trial[j] - theta[j];
            y_new[j] = t_grad[j] - grad[j];
        }
        let sy = dot(&s_new, &y_new);
        if sy > 1e-12 * norm2(&s_new) * norm2(&y_new) {
            let slot = if stored == 0 { newest } else { (newest + 1) % MEMORY };
            s_mem[slot].copy_from_slice(&s_new);
            y_mem[slot].copy_from_slice(&y_new);
            rho[slot] = 1.0 / sy;
            newest = slot;
            stored = (stored + 1).min(MEMORY);
        }
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut t_grad);
        f = step.value;
        if record(obj, &mut history, it, limits.max_iter, f, step.alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}
