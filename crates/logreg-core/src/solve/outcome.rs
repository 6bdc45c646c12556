//! what every solver hands back, and the limits they share.

use crate::model::{HistoryPoint, StopReason};

/// tolerance and iteration limit of an exact solver.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// stop when the scaled gradient max-norm is at most this, and so is the solver's own
    /// estimate of the remaining step relative to `max(1, ‖θ'‖∞)`
    pub tol: f64,
    /// iteration limit
    pub max_iter: usize,
}

impl Limits {
    /// whether gradient `grad` and the step the solver would take next, `step`, meet the tolerance at `theta`.
    pub fn converged(&self, grad: &[f64], step: &[f64], theta: &[f64]) -> bool {
        norm_inf(grad) <= self.tol && norm_inf(step) <= self.tol * norm_inf(theta).max(1.0)
    }
}

/// max-norm.
pub fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// the solver's result in the scaled parameters θ'.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// final θ'
    pub theta: Vec<f64>,
    /// iterations (or epochs) run
    pub iterations: usize,
    /// why it stopped
    pub reason: StopReason,
    /// objective and accuracy after each iteration
    pub history: Vec<HistoryPoint>,
}
