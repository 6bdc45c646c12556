//! what every solver hands back, the limits they share, and their checks for non-finite values.

use crate::error::{Error, Result};
use crate::model::{FitReport, HistoryPoint, StopReason};

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
        self.converged_norms(norm_inf(grad), norm_inf(step), norm_inf(theta))
    }

    /// [`Limits::converged`] from the max-norms of the gradient, the step and θ.
    pub fn converged_norms(&self, grad: f64, step: f64, theta: f64) -> bool {
        grad <= self.tol && step <= self.tol * theta.max(1.0)
    }

    /// why a solver stops when no step decreases the objective any further at a point whose
    /// gradient (or kkt violation) max-norm is `grad`: the tolerance when the gradient test is
    /// met there — the step test then cannot be, as no step is left to take — else
    /// [`StopReason::NoProgress`].
    pub fn stalled(&self, grad: f64) -> StopReason {
        if grad <= self.tol { StopReason::Tolerance } else { StopReason::NoProgress }
    }
}

/// max-norm; NaN when any entry is NaN (so a NaN gradient never counts as converged).
pub fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| crate::objective::max_nan(m, x.abs()))
}

/// `Ok` when every value is finite, else the [`Error::NonFinite`] naming `what` and where.
pub fn ensure_finite(values: &[f64], solver: &'static str, what: &'static str, iteration: usize) -> Result<()> {
    if values.iter().all(|v| v.is_finite()) { Ok(()) } else { Err(Error::NonFinite { solver, what, iteration }) }
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

impl Outcome {
    /// the report of the fit that produced this outcome (its history moved in), given the final
    /// objective and gradient (or kkt) norm; `start` is when the fit began.
    pub(crate) fn report(
        self,
        solver: &str,
        backend: &str,
        objective: f64,
        gradient_norm: f64,
        start: std::time::Instant,
    ) -> FitReport {
        FitReport {
            solver: solver.into(),
            backend: backend.into(),
            iterations: self.iterations,
            objective,
            gradient_norm,
            converged: self.reason == StopReason::Tolerance,
            reason: self.reason,
            fit_seconds: start.elapsed().as_secs_f64(),
            history: self.history,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_is_never_small() {
        assert!(norm_inf(&[1.0, f64::NAN, 2.0]).is_nan());
        assert!(norm_inf(&[f64::NAN, 0.0]).is_nan());
        assert_eq!(norm_inf(&[1.0, -3.0]), 3.0);
        let limits = Limits { tol: 1e-8, max_iter: 10 };
        assert!(!limits.converged(&[0.0, f64::NAN], &[0.0, 0.0], &[0.0, 0.0]));
        assert!(!limits.converged(&[0.0, 0.0], &[f64::NAN, 0.0], &[0.0, 0.0]));
        assert!(ensure_finite(&[1.0, f64::INFINITY], "newton", "gradient", 3).is_err());
    }
}
