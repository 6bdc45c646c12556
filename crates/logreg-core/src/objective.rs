//! the objective `J(b, w) = (1/Σsᵢ) Σ sᵢ·logloss(yᵢ, σ(b + xᵢ·w)) + l2/2·‖w‖² + l1·‖w‖₁`.
//!
//! parameters travel as one vector `θ = [b, w₁, …, w_d]`; the intercept `b` is never penalised.
//! scikit-learn's `C` maps to `l2 = 1/(C·n)` for unit weights; statsmodels' `Logit` is `l2 = l1 = 0`.

use crate::backend::Backend;
use crate::blocks::{BlockWorkspace, EvalSums};
use crate::dataset::DataRef;
use crate::error::{Error, Result};
use crate::view::Selection;

/// penalty strengths, checked finite and non-negative.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Penalty {
    l2: f64,
    l1: f64,
}

impl Penalty {
    /// penalty `l2/2·‖w‖² + l1·‖w‖₁`.
    pub fn new(l2: f64, l1: f64) -> Result<Self> {
        for (name, v) in [("l2", l2), ("l1", l1)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::param(name, format!("must be a finite number ≥ 0, got {v}")));
            }
        }
        Ok(Penalty { l2, l1 })
    }

    /// no penalty (maximum likelihood).
    pub fn none() -> Self {
        Penalty::default()
    }

    /// ridge strength.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// lasso strength.
    pub fn l1(&self) -> f64 {
        self.l1
    }

    /// penalty value at coefficients `w` (intercept excluded).
    pub fn value(&self, w: &[f64]) -> f64 {
        let mut v = 0.0;
        if self.l2 > 0.0 {
            v += 0.5 * self.l2 * w.iter().map(|x| x * x).sum::<f64>();
        }
        if self.l1 > 0.0 {
            v += self.l1 * w.iter().map(|x| x.abs()).sum::<f64>();
        }
        v
    }
}

/// value, mean log-loss and accuracy of a full evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// the objective `J` (loss + penalty)
    pub objective: f64,
    /// weighted mean log-loss
    pub log_loss: f64,
    /// weighted fraction of rows classified right at threshold 0.5
    pub accuracy: f64,
}

/// the objective over a dataset, evaluated by a backend with preallocated buffers.
#[derive(Debug)]
pub struct Objective<'a, B: Backend + ?Sized> {
    backend: &'a B,
    data: DataRef<'a>,
    penalty: Penalty,
    workspace: BlockWorkspace,
    total_weight: f64,
}

impl<'a, B: Backend + ?Sized> Objective<'a, B> {
    /// objective of `data` with `penalty`, computed by `backend`.
    pub fn new(backend: &'a B, data: DataRef<'a>, penalty: Penalty) -> Result<Self> {
        let n = data.x.n_rows();
        if n == 0 {
            return Err(Error::InvalidData("no rows to fit".into()));
        }
        let total_weight = data.weights.map_or(n as f64, |s| s.iter().sum());
        if !(total_weight > 0.0 && total_weight.is_finite()) {
            return Err(Error::InvalidData("sample weights must have a positive finite sum".into()));
        }
        Ok(Objective { backend, data, penalty, workspace: BlockWorkspace::new(data.x.n_cols(), n), total_weight })
    }

    /// number of features `d` (θ has `d + 1` entries).
    pub fn n_features(&self) -> usize {
        self.data.x.n_cols()
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.data.x.n_rows()
    }

    /// the penalty.
    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// the backend.
    pub fn backend(&self) -> &'a B {
        self.backend
    }

    /// the data.
    pub fn data(&self) -> DataRef<'a> {
        self.data
    }

    /// smooth part (loss + l2 term) over all rows and its gradient into `grad`.
    pub fn smooth_value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.n_rows();
        self.batch_value_grad(&Selection::Range(0..n), theta, grad)
    }

    /// smooth part over the rows `sel` alone (normalised by their own weight), gradient into `grad`.
    pub fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        let (b, w) = theta.split_first().expect("θ holds the intercept");
        let (gb, gw) = grad.split_first_mut().expect("gradient holds the intercept");
        let sums = self.workspace.loss_grad(self.backend, self.data, sel, w, *b, gw);
        let scale = if sums.weight > 0.0 { 1.0 / sums.weight } else { 0.0 };
        *gb = sums.residual * scale;
        let l2 = self.penalty.l2;
        for (g, wj) in gw.iter_mut().zip(w) {
            *g = *g * scale + l2 * wj;
        }
        sums.loss * scale + 0.5 * l2 * w.iter().map(|x| x * x).sum::<f64>()
    }

    /// full objective (with the l1 term), mean log-loss and accuracy at `θ`.
    pub fn evaluate(&mut self, theta: &[f64]) -> Evaluation {
        let (b, w) = theta.split_first().expect("θ holds the intercept");
        let n = self.n_rows();
        let s: EvalSums = self.workspace.evaluate(self.backend, self.data, &Selection::Range(0..n), w, *b);
        let log_loss = s.loss / s.weight;
        Evaluation { objective: log_loss + self.penalty.value(w), log_loss, accuracy: s.correct / s.weight }
    }

    /// full objective at `θ`.
    pub fn value(&mut self, theta: &[f64]) -> f64 {
        self.evaluate(theta).objective
    }

    /// total sample weight.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }
}
