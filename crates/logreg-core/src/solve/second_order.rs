//! state shared by the second-order solvers (newton, proximal newton): the iterate with its
//! gradient and hessian, and the backtracking step along a direction.

use crate::backend::Backend;
use crate::objective::Objective;

/// halvings of the step before a direction is given up.
const MAX_HALVINGS: usize = 40;

/// θ', the smooth part's gradient and hessian there, and buffers for a trial point.
pub(crate) struct SecondOrderState {
    pub theta: Vec<f64>,
    pub grad: Vec<f64>,
    pub hess: Vec<f64>,
    trial: Vec<f64>,
    t_grad: Vec<f64>,
    t_hess: Vec<f64>,
}

impl SecondOrderState {
    /// the state at `theta`, and the smooth objective's value there.
    pub fn new<B: Backend + ?Sized>(obj: &mut Objective<'_, B>, theta: Vec<f64>) -> (Self, f64) {
        let k = theta.len();
        let mut s = SecondOrderState {
            theta,
            grad: vec![0.0; k],
            hess: vec![0.0; k * k],
            trial: vec![0.0; k],
            t_grad: vec![0.0; k],
            t_hess: vec![0.0; k * k],
        };
        let f = obj.smooth_value_grad_hess(&s.theta, &mut s.grad, &mut s.hess);
        (s, f)
    }

    /// try `θ + α·dir` for `α = 1, ½, …`, valuing each trial as the smooth part plus `extra(trial)`;
    /// the first trial with a finite value that `accept(value, α, trial, trial gradient)` takes
    /// becomes the state, and `(value, α)` is returned. `None` when no step was accepted.
    pub fn backtrack<B: Backend + ?Sized>(
        &mut self,
        obj: &mut Objective<'_, B>,
        dir: &[f64],
        extra: impl Fn(&[f64]) -> f64,
        accept: impl Fn(f64, f64, &[f64], &[f64]) -> bool,
    ) -> Option<(f64, f64)> {
        let mut alpha = 1.0;
        for _ in 0..MAX_HALVINGS {
            self.trial.iter_mut().zip(self.theta.iter().zip(dir)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let value =
                obj.smooth_value_grad_hess(&self.trial, &mut self.t_grad, &mut self.t_hess) + extra(&self.trial);
            if value.is_finite() && accept(value, alpha, &self.trial, &self.t_grad) {
                std::mem::swap(&mut self.theta, &mut self.trial);
                std::mem::swap(&mut self.grad, &mut self.t_grad);
                std::mem::swap(&mut self.hess, &mut self.t_hess);
                return Some((value, alpha));
            }
            alpha *= 0.5;
        }
        None
    }
}
