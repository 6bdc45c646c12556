//! the fitted model, the report of how its fit went and its inference table: plain data,
//! no dependency on the solvers.

mod inference;
mod report;

pub use inference::{Inference, Term};
pub use report::{FitReport, HistoryPoint, StopReason};

use crate::backend::ReferenceBackend;
use crate::blocks::decision_values;
use crate::error::{Error, Result};
use crate::numerics::sigmoid;
use crate::view::Design;

/// a fitted logistic regression: `P(y = 1 | x) = σ(intercept + x·coefficients)`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Model {
    /// intercept `b`
    pub intercept: f64,
    /// coefficients `w`, one per feature
    pub coefficients: Vec<f64>,
    /// feature names, in coefficient order
    pub feature_names: std::sync::Arc<[String]>,
    /// how the fit went
    pub report: FitReport,
    /// standard errors, z, p and confidence intervals (unpenalised fits only)
    pub inference: Option<Inference>,
    /// the standardisation statistics, when the penalty was measured on standardised features
    pub standardization: Option<crate::scaler::Standardizer>,
}

impl Model {
    fn check(&self, x: &Design<'_>) -> Result<()> {
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
    pub fn decision_function<'a>(&self, x: impl Into<Design<'a>>) -> Result<Vec<f64>> {
        let x = x.into();
        self.check(&x)?;
        let mut z = vec![0.0; x.n_rows()];
        decision_values(&ReferenceBackend, x, &self.coefficients, self.intercept, &mut z);
        Ok(z)
    }

    /// probability of class 1 for every row.
    pub fn predict_proba<'a>(&self, x: impl Into<Design<'a>>) -> Result<Vec<f64>> {
        let mut z = self.decision_function(x)?;
        z.iter_mut().for_each(|v| *v = sigmoid(*v));
        Ok(z)
    }

    /// label (0 or 1) of every row: 1 where the probability is at least `threshold`.
    pub fn predict<'a>(&self, x: impl Into<Design<'a>>, threshold: f64) -> Result<Vec<f64>> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::param("threshold", format!("must lie in (0, 1), got {threshold}")));
        }
        Ok(self.predict_proba(x)?.into_iter().map(|p| f64::from(u8::from(p >= threshold))).collect())
    }
}
