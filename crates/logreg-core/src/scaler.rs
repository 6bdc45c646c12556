//! standardisation to zero mean and unit variance, and the map back to the original scale.

use crate::dataset::{DataRef, Dataset};

/// per-column mean and standard deviation (weighted when the data has weights).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// column means
    pub mean: Vec<f64>,
    /// column standard deviations (1 for constant columns)
    pub scale: Vec<f64>,
}

impl Standardizer {
    /// statistics of the columns of `data` (two-pass, for accuracy).
    pub fn fit(data: &Dataset) -> Self {
        Self::from_data(data.as_ref())
    }

    /// weighted statistics of the columns of borrowed data.
    pub fn from_data(r: DataRef<'_>) -> Self {
        let (x, n, d) = (r.x, r.x.n_rows(), r.x.n_cols());
        let total: f64 = (0..n).map(|i| r.weight(i)).sum();
        let mut mean = vec![0.0; d];
        for i in 0..n {
            crate::numerics::axpy(r.weight(i) / total, x.row(i), &mut mean);
        }
        let mut var = vec![0.0; d];
        for i in 0..n {
            let s = r.weight(i) / total;
            for ((v, &xj), &mj) in var.iter_mut().zip(x.row(i)).zip(&mean) {
                *v += s * (xj - mj) * (xj - mj);
            }
        }
        let scale = var.into_iter().map(|v| if v > 0.0 { v.sqrt() } else { 1.0 }).collect();
        Standardizer { mean, scale }
    }

    /// the identity: zero means, unit scales.
    pub fn identity(n_cols: usize) -> Self {
        Standardizer { mean: vec![0.0; n_cols], scale: vec![1.0; n_cols] }
    }

    /// a standardised copy of `data`.
    pub fn transform(&self, data: &Dataset) -> Dataset {
        let mut features = data.features().data().to_vec();
        for row in features.chunks_exact_mut(data.n_cols()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
        let out = Dataset::new(features, data.n_cols(), data.labels().to_vec())
            .and_then(|d| d.with_feature_names(data.feature_names().to_vec()))
            .expect("standardising finite data keeps it valid");
        match data.weights() {
            Some(w) => out.with_weights(w.to_vec()).expect("weights were valid"),
            None => out,
        }
    }

    /// `(intercept, coefficients)` on the original scale from those fitted on standardised data.
    pub fn to_original(&self, intercept: f64, coefficients: &[f64]) -> (f64, Vec<f64>) {
        let w: Vec<f64> = coefficients.iter().zip(&self.scale).map(|(c, s)| c / s).collect();
        let b = intercept - w.iter().zip(&self.mean).map(|(wj, m)| wj * m).sum::<f64>();
        (b, w)
    }
}
