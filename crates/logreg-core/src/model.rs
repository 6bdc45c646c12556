//! the fitted model and the report of how its fit went.

use crate::backend::ReferenceBackend;
use crate::blocks::decision_values;
use crate::error::{Error, Result};
use crate::numerics::sigmoid;
use crate::view::MatrixRef;

/// why a solver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// the convergence tolerance was met
    Tolerance,
    /// the iteration or epoch limit was reached first
    MaxIterations,
    /// the observer asked to stop
    Interrupted,
    /// no step decreased the objective any further (it is flat to rounding error)
    NoProgress,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::Tolerance => "tolerance reached",
            StopReason::MaxIterations => "iteration limit reached",
            StopReason::Interrupted => "interrupted",
            StopReason::NoProgress => "no further decrease possible (rounding level)",
        })
    }
}

/// one point of the training history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryPoint {
    /// epoch (or iteration) number, from 1
    pub iteration: usize,
    /// objective `J` on the training data
    pub objective: f64,
    /// training accuracy at threshold 0.5
    pub accuracy: f64,
}

/// how a fit went: stored with every model.
#[derive(Clone, Debug, PartialEq)]
pub struct FitReport {
    /// solver name
    pub solver: String,
    /// backend name
    pub backend: String,
    /// epochs or iterations run
    pub iterations: usize,
    /// final objective
    pub objective: f64,
    /// final gradient norm (max-norm; for l1 fits, the kkt violation)
    pub gradient_norm: f64,
    /// whether the tolerance was met
    pub converged: bool,
    /// why the solver stopped
    pub reason: StopReason,
    /// wall time of the fit in seconds
    pub fit_seconds: f64,
    /// objective and accuracy after each epoch or iteration
    pub history: Vec<HistoryPoint>,
}

/// a fitted logistic regression: `P(y = 1 | x) = σ(intercept + x·coefficients)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// intercept `b`
    pub intercept: f64,
    /// coefficients `w`, one per feature
    pub coefficients: Vec<f64>,
    /// feature names, in coefficient order
    pub feature_names: Vec<String>,
    /// how the fit went
    pub report: FitReport,
    /// standard errors, z, p and confidence intervals (unpenalised fits only)
    pub inference: Option<crate::solve::Inference>,
    /// the standardisation statistics, when the penalty was measured on standardised features
    pub standardization: Option<crate::scaler::Standardizer>,
}

impl Model {
    fn check(&self, x: &MatrixRef<'_>) -> Result<()> {
        if x.n_cols() != self.coefficients.len() {
            return Err(Error::DimensionMismatch {
                what: "feature columns",
                expected: self.coefficients.len(),
                found: x.n_cols(),
            });
        }
        Ok(())
    }

    /// decision values (logits) `b + x·w` of every row.
    pub fn decision_function(&self, x: MatrixRef<'_>) -> Result<Vec<f64>> {
        self.check(&x)?;
        let mut z = vec![0.0; x.n_rows()];
        decision_values(&ReferenceBackend, x, &self.coefficients, self.intercept, &mut z);
        Ok(z)
    }

    /// probability of class 1 for every row.
    pub fn predict_proba(&self, x: MatrixRef<'_>) -> Result<Vec<f64>> {
        let mut z = self.decision_function(x)?;
        z.iter_mut().for_each(|v| *v = sigmoid(*v));
        Ok(z)
    }

    /// label (0 or 1) of every row: 1 where the probability is at least `threshold`.
    pub fn predict(&self, x: MatrixRef<'_>, threshold: f64) -> Result<Vec<f64>> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::param("threshold", format!("must lie in (0, 1), got {threshold}")));
        }
        Ok(self.predict_proba(x)?.into_iter().map(|p| f64::from(u8::from(p >= threshold))).collect())
    }
}
