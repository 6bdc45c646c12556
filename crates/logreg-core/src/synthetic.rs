//! seeded synthetic classification data for tests, benchmarks and demos.

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::numerics::sigmoid;
use crate::rng::Rng;

/// how to generate a synthetic dataset.
///
/// features are gaussian, column `j` scaled by a factor drawn log-uniformly in `[1, max_scale]`;
/// the first `n_informative` columns carry a random true coefficient, the rest none; labels are
/// drawn from the logistic model, whose logits are multiplied by `separation` (large values give
/// near-separable data); the intercept shifts the positive share towards `positive_fraction`.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthetic {
    /// rows
    pub n_rows: usize,
    /// feature columns
    pub n_cols: usize,
    /// columns with a non-zero true coefficient
    pub n_informative: usize,
    /// largest column scale (1 keeps every column at unit scale)
    pub max_scale: f64,
    /// multiplier of the true logits
    pub separation: f64,
    /// target share of positive labels, in (0, 1)
    pub positive_fraction: f64,
    /// seed of the whole dataset
    pub seed: u64,
}

impl Default for Synthetic {
    fn default() -> Self {
        Synthetic {
            n_rows: 1000,
            n_cols: 10,
            n_informative: 5,
            max_scale: 1.0,
            separation: 1.0,
            positive_fraction: 0.5,
            seed: 0,
        }
    }
}

impl Synthetic {
    /// the dataset, with feature names `x0, x1, …`.
    pub fn generate(&self) -> Result<Dataset> {
        Ok(self.generate_with_truth()?.0)
    }

    /// the dataset and the true `(intercept, coefficients)` that generated its labels.
    pub fn generate_with_truth(&self) -> Result<(Dataset, f64, Vec<f64>)> {
        if self.n_rows == 0 || self.n_cols == 0 {
            return Err(Error::param("samples/features", "need at least one row and one column"));
        }
        if self.n_informative > self.n_cols {
            return Err(Error::param(
                "informative",
                format!("must be at most the feature count {}, got {}", self.n_cols, self.n_informative),
            ));
        }
        if !(self.max_scale.is_finite() && self.max_scale >= 1.0) {
            return Err(Error::param("max_scale", format!("must be a finite number ≥ 1, got {}", self.max_scale)));
        }
        if !(self.separation.is_finite() && self.separation >= 0.0) {
            return Err(Error::param("separation", format!("must be a finite number ≥ 0, got {}", self.separation)));
        }
        if !(self.positive_fraction > 0.0 && self.positive_fraction < 1.0) {
            return Err(Error::param(
                "positive_fraction",
                format!("must lie in (0, 1), got {}", self.positive_fraction),
            ));
        }
        let mut rng = Rng::new(self.seed);
        let d = self.n_cols;
        let scale: Vec<f64> = (0..d).map(|_| self.max_scale.powf(rng.uniform())).collect();
        let inform = (self.n_informative as f64).max(1.0).sqrt();
        let w: Vec<f64> =
            (0..d).map(|j| if j < self.n_informative { rng.normal() * 2.0 / inform / scale[j] } else { 0.0 }).collect();
        let b = (self.positive_fraction / (1.0 - self.positive_fraction)).ln();
        let mut x = Vec::with_capacity(self.n_rows * d);
        let mut y = Vec::with_capacity(self.n_rows);
        for _ in 0..self.n_rows {
            let start = x.len();
            x.extend(scale.iter().map(|s| rng.normal() * s));
            let z = b + crate::numerics::dot(&x[start..], &w);
            y.push(f64::from(u8::from(rng.uniform() < sigmoid(self.separation * z))));
        }
        let w_true = w.iter().map(|v| v * self.separation).collect();
        Ok((Dataset::new(x, d, y)?, b * self.separation, w_true))
    }
}
