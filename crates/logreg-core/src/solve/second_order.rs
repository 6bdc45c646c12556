//! state shared by the second-order solvers (newton, proximal newton): the iterate with its
//! gradient and hessian, and the backtracking step along a direction.

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::outcome::ensure_finite;

/// halvings of the step before a direction is given up.
const MAX_HALVINGS: usize = 40;

/// θ', the smooth part's gradient and hessian there, and buffers for a trial point.
pub(crate) struct SecondOrderState {
    pub theta: Vec<f64>,
    pub grad: Vec<f64>,
    /// the full-data hessian at `theta`; left to the caller when the state was made by
    /// [`SecondOrderState::without_hessian`]
    pub hess: Vec<f64>,
    full_hessian: bool,
    trial: Vec<f64>,
    t_grad: Vec<f64>,
    t_hess: Vec<f64>,
}

impl SecondOrderState {
    /// the state at `theta` with the full-data hessian (every trial then costs a pass with the
    /// hessian), and the smooth objective's value there; an error when that is not finite.
    pub fn new<B: Backend + ?Sized>(
        obj: &mut Objective<'_, B>,
        theta: Vec<f64>,
        solver: &'static str,
    ) -> Result<(Self, f64)> {
        Self::make(obj, theta, true, solver)
    }

    /// the state at `theta` without the full hessian, which the caller estimates itself (every
    /// trial then costs a value-and-gradient pass only), and the smooth objective's value there.
    pub fn without_hessian<B: Backend + ?Sized>(
        obj: &mut Objective<'_, B>,
        theta: Vec<f64>,
        solver: &'static str,
    ) -> Result<(Self, f64)> {
        Self::make(obj, theta, false, solver)
    }

    fn make<B: Backend + ?Sized>(
        obj: &mut Objective<'_, B>,
        theta: Vec<f64>,
        full_hessian: bool,
        solver: &'static str,
    ) -> Result<(Self, f64)> {
        let k = theta.len();
        let mut s = SecondOrderState {
            theta,
            grad: vec![0.0; k],
            hess: vec![0.0; k * k],
            full_hessian,
            trial: vec![0.0; k],
            t_grad: vec![0.0; k],
            t_hess: vec![0.0; if full_hessian { k * k } else { 0 }],
        };
        let f = s.evaluate_at(obj, false);
        ensure_finite(&[f], solver, "objective", 0)?;
        ensure_finite(&s.grad, solver, "gradient", 0)?;
        Ok((s, f))
    }

    /// from now on the full-data hessian, starting with the one at the current point.
    pub fn switch_to_full_hessian<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>) {
        if !self.full_hessian {
            self.full_hessian = true;
            self.t_hess = vec![0.0; self.hess.len()];
            self.evaluate_at(obj, false);
        }
    }

    /// the smooth value at `theta` (`trial` when `at_trial`), with gradient (and full hessian) into
    /// the matching buffers.
    fn evaluate_at<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>, at_trial: bool) -> f64 {
        let (theta, grad, hess) = if at_trial {
            (&self.trial, &mut self.t_grad, &mut self.t_hess)
        } else {
            (&self.theta, &mut self.grad, &mut self.hess)
        };
        if self.full_hessian {
            obj.smooth_value_grad_hess(theta, grad, hess)
        } else {
            obj.smooth_value_grad(theta, grad)
        }
    }

    /// try `θ + α·dir` for `α = 1, ½, …`, valuing each trial as the smooth part plus `extra(trial)`;
    /// the first trial with a finite value and gradient that `accept(value, α, trial, trial
    /// gradient)` takes becomes the state, and `(value, α)` is returned. `Ok(None)` when no step
    /// was accepted; an error when every trial was non-finite (a step into overflow, however
    /// short: not a rounding-level stop).
    pub fn backtrack<B: Backend + ?Sized>(
        &mut self,
        obj: &mut Objective<'_, B>,
        dir: &[f64],
        extra: impl Fn(&[f64]) -> f64,
        accept: impl Fn(f64, f64, &[f64], &[f64]) -> bool,
        solver: &'static str,
        iteration: usize,
    ) -> Result<Option<(f64, f64)>> {
        ensure_finite(dir, solver, "step", iteration)?;
        let mut alpha = 1.0;
        let mut any_finite = false;
        for _ in 0..MAX_HALVINGS {
            self.trial.iter_mut().zip(self.theta.iter().zip(dir)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let value = self.evaluate_at(obj, true) + extra(&self.trial);
            let finite = value.is_finite() && self.t_grad.iter().all(|g| g.is_finite());
            any_finite |= finite;
            if finite && accept(value, alpha, &self.trial, &self.t_grad) {
                std::mem::swap(&mut self.theta, &mut self.trial);
                std::mem::swap(&mut self.grad, &mut self.t_grad);
                if self.full_hessian {
                    std::mem::swap(&mut self.hess, &mut self.t_hess);
                }
                return Ok(Some((value, alpha)));
            }
            alpha *= 0.5;
        }
        if any_finite {
            Ok(None)
        } else {
            Err(Error::NonFinite { solver, what: "objective along the step", iteration })
        }
    }
}
