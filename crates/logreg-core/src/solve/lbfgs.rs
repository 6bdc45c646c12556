//! limited-memory bfgs with the robust wolfe line search.

use std::ops::ControlFlow;

use super::line_search::wolfe;
use super::record;
use super::smooth::Smooth;
use crate::error::Result;
use crate::model::StopReason;
use crate::numerics::{dot, norm2};
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::train::Observer;

const SOLVER: &str = "lbfgs";

/// correction pairs kept.
const MEMORY: usize = 10;

/// the last [`MEMORY`] correction pairs `(s, y)` and the two-loop recursion over them.
pub(crate) struct Memory {
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    rho: [f64; MEMORY],
    alpha: [f64; MEMORY],
    stored: usize,
    newest: usize,
    s_new: Vec<f64>,
    y_new: Vec<f64>,
}

impl Memory {
    /// empty memory for `k` parameters.
    pub(crate) fn new(k: usize) -> Self {
        Memory {
            s: vec![vec![0.0; k]; MEMORY],
            y: vec![vec![0.0; k]; MEMORY],
            rho: [0.0; MEMORY],
            alpha: [0.0; MEMORY],
            stored: 0,
            newest: 0,
            s_new: vec![0.0; k],
            y_new: vec![0.0; k],
        }
    }

    /// forget every pair.
    pub(crate) fn clear(&mut self) {
        self.stored = 0;
    }

    /// `dir ← −H·v`, `H` the inverse-hessian approximation whose initial matrix is `γ·D`,
    /// `D = precond`, `γ` fitted to the newest pair (1 before there is one).
    pub(crate) fn direction(&mut self, v: &[f64], precond: &[f64], dir: &mut [f64]) {
        dir.iter_mut().zip(v).for_each(|(d, g)| *d = -g);
        for m in 0..self.stored {
            let i = (self.newest + MEMORY - m) % MEMORY;
            self.alpha[i] = self.rho[i] * dot(&self.s[i], dir);
            dir.iter_mut().zip(&self.y[i]).for_each(|(d, y)| *d -= self.alpha[i] * y);
        }
        let gamma = if self.stored > 0 {
            let (s, y) = (&self.s[self.newest], &self.y[self.newest]);
            dot(s, y) / y.iter().zip(precond).map(|(y, p)| y * y * p).sum::<f64>()
        } else {
            1.0
        };
        dir.iter_mut().zip(precond).for_each(|(d, p)| *d *= gamma * p);
        for m in (0..self.stored).rev() {
            let i = (self.newest + MEMORY - m) % MEMORY;
            let beta = self.rho[i] * dot(&self.y[i], dir);
            dir.iter_mut().zip(&self.s[i]).for_each(|(d, s)| *d += (self.alpha[i] - beta) * s);
        }
    }

    /// record the pair `(θ_new − θ, g_new − g)`; skipped when its curvature is not positive.
    pub(crate) fn push(&mut self, theta: &[f64], theta_new: &[f64], grad: &[f64], grad_new: &[f64]) {
        for j in 0..theta.len() {
            self.s_new[j] = theta_new[j] - theta[j];
            self.y_new[j] = grad_new[j] - grad[j];
        }
        let sy = dot(&self.s_new, &self.y_new);
        if sy > 1e-12 * norm2(&self.s_new) * norm2(&self.y_new) {
            let slot = if self.stored == 0 { self.newest } else { (self.newest + 1) % MEMORY };
            self.s[slot].copy_from_slice(&self.s_new);
            self.y[slot].copy_from_slice(&self.y_new);
            self.rho[slot] = 1.0 / sy;
            self.newest = slot;
            self.stored = (self.stored + 1).min(MEMORY);
        }
    }
}

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
    let mut memory = Memory::new(k);
    let precond = obj.inverse_diagonal(&theta);
    let mut f = obj.value_grad(&theta, &mut grad);
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        memory.direction(&grad, &precond, &mut dir);
        let mut d0 = dot(&grad, &dir);
        if d0.is_nan() || d0 >= 0.0 {
            // not a descent direction (rounding in the memory): restart from steepest descent
            memory.clear();
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
            reason = limits.stalled(norm_inf(&grad));
            break;
        };
        if step.alpha != last {
            phi(step.alpha);
        }
        ensure_finite(&t_grad, SOLVER, "gradient", it)?;
        memory.push(&theta, &trial, &grad, &t_grad);
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
