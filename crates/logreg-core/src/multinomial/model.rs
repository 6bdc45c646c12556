//! the fitted multinomial model: `P(y = c | x) = softmax(b + x·W)_c`.

use rayon::prelude::*;

use crate::backend::{Backend, ReferenceBackend};
use crate::blocks::prediction_block_rows;
use crate::error::{Error, Result};
use crate::metrics::MulticlassMetrics;
use crate::model::{FitReport, Inference};
use crate::softmax::softmax_in_place;
use crate::view::{Design, Rows, Selection};

/// rows per chunk of [`MultinomialModel::metrics`]: large enough for every thread, small next to
/// the data.
const METRICS_CHUNK_ROWS: usize = 1 << 16;

/// a fitted multinomial (softmax) logistic regression over `K ≥ 2` classes.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MultinomialModel {
    /// intercept of each class `b_c`
    pub intercepts: Vec<f64>,
    /// coefficients of each class `w_c` (one vector of `d` per class)
    pub coefficients: Vec<Vec<f64>>,
    /// whether class 0 is the reference class (an unpenalised fit): its intercept and
    /// coefficients are 0 by construction, the others are log-odds against it
    pub reference_class: bool,
    /// feature names, in coefficient order
    pub feature_names: std::sync::Arc<[String]>,
    /// how the fit went
    pub report: FitReport,
    /// standard errors, z, p and intervals of each non-reference class (unpenalised fits only;
    /// entry `c − 1` is class `c`)
    pub inference: Option<Vec<Inference>>,
    /// the standardisation statistics, when the penalty was measured on standardised features
    pub standardization: Option<crate::scaler::Standardizer>,
}

impl MultinomialModel {
    /// number of classes `K`.
    pub fn n_classes(&self) -> usize {
        self.intercepts.len()
    }

    /// number of features `d`.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// the parameters in class blocks `[b_c, w_c…]`.
    pub fn class_blocks(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.n_classes() * (self.n_features() + 1));
        for (b, w) in self.intercepts.iter().zip(&self.coefficients) {
            out.push(*b);
            out.extend_from_slice(w);
        }
        out
    }

    /// logits `b + x·W` of every row: row-major `rows × K`.
    pub fn decision_function<'a>(&self, x: impl Into<Design<'a>>) -> Result<Vec<f64>> {
        let x = x.into();
        if x.n_cols() != self.n_features() {
            return Err(Error::DimensionMismatch {
                what: "feature columns",
                expected: self.n_features(),
                found: x.n_cols(),
            });
        }
        let mut z = vec![0.0; x.n_rows() * self.n_classes()];
        class_decision_values(&ReferenceBackend, x, &self.class_blocks(), &mut z);
        Ok(z)
    }

    /// class probabilities of every row: row-major `rows × K`, each row summing to 1.
    pub fn predict_proba<'a>(&self, x: impl Into<Design<'a>>) -> Result<Vec<f64>> {
        let mut z = self.decision_function(x)?;
        z.chunks_exact_mut(self.n_classes()).for_each(softmax_in_place);
        Ok(z)
    }

    /// accuracy, log-loss and the confusion matrix on the rows of `x` with class labels `y`
    /// (`0..K`), computed in chunks of rows: never holds the probabilities of every row.
    pub fn metrics<'a>(&self, x: impl Into<Design<'a>>, y: &[f64]) -> Result<MulticlassMetrics> {
        let x = x.into();
        if y.len() != x.n_rows() {
            return Err(Error::DimensionMismatch { what: "labels", expected: x.n_rows(), found: y.len() });
        }
        let mut metrics = MulticlassMetrics::empty(self.n_classes());
        for start in (0..x.n_rows()).step_by(METRICS_CHUNK_ROWS) {
            let end = (start + METRICS_CHUNK_ROWS).min(x.n_rows());
            metrics.add(&y[start..end], &self.predict_proba(x.slice_rows(start..end))?);
        }
        Ok(metrics)
    }

    /// the most probable class (index `0..K`) of every row; ties go to the lower index.
    pub fn predict<'a>(&self, x: impl Into<Design<'a>>) -> Result<Vec<f64>> {
        let z = self.decision_function(x)?;
        Ok(z.chunks_exact(self.n_classes()).map(argmax).collect())
    }
}

/// index of the largest value (the first of equals) as `f64`.
pub fn argmax(v: &[f64]) -> f64 {
    let mut best = 0;
    for (c, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = c;
        }
    }
    best as f64
}

/// logits of every row of `x` for the class blocks `coefs` into `out` (row-major
/// `rows × classes`), block-parallel.
pub fn class_decision_values<'a, B: Backend + ?Sized>(
    backend: &B,
    x: impl Into<Design<'a>>,
    coefs: &[f64],
    out: &mut [f64],
) {
    let x = x.into();
    let k = coefs.len() / (x.n_cols() + 1);
    assert_eq!(out.len(), x.n_rows() * k, "output holds rows × classes");
    let br = prediction_block_rows(x);
    // one column-major tile buffer per worker, not per block
    out.par_chunks_mut(br * k.max(1)).enumerate().for_each_init(
        || vec![0.0; br * k],
        |tile, (blk, o)| {
            let start = blk * br;
            let m = o.len() / k;
            let z = &mut tile[..m * k];
            backend.class_logits(&Rows::new(x, Selection::Range(start..start + m)), coefs, z);
            for i in 0..m {
                for c in 0..k {
                    o[i * k + c] = z[c * m + i];
                }
            }
        },
    );
}
