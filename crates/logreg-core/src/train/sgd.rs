//! minibatch stochastic gradient descent; full-batch gradient descent is `batch_size = n`.

use std::ops::ControlFlow;
use std::time::Instant;

use super::batch::BatchObjective;
use super::observer::{Observer, Progress};
use super::schedule::LearningRate;
use crate::backend::Backend;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::model::{HistoryPoint, Model, StopReason};
use crate::objective::{Objective, Penalty};
use crate::outcome::Outcome;
use crate::rng::Rng;
use crate::scaler::ColumnStats;
use crate::view::Selection;

/// settings of minibatch sgd, unchecked; [`SgdParams::check`] turns them into [`ValidSgdParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct SgdParams {
    /// rows per minibatch; `None` means every row (full-batch gradient descent)
    pub batch_size: Option<usize>,
    /// epoch limit
    pub max_epochs: usize,
    /// step-size schedule
    pub learning_rate: LearningRate,
    /// reshuffle the rows before every epoch
    pub shuffle: bool,
    /// seed of the shuffle
    pub seed: u64,
    /// stop once the objective improved by less than `tol·max(1, |J|)` for `n_iter_no_change` epochs
    pub tol: f64,
    /// epochs without sufficient improvement before stopping
    pub n_iter_no_change: usize,
    /// ridge strength
    pub l2: f64,
    /// lasso strength (applied by a proximal step)
    pub l1: f64,
}

impl Default for SgdParams {
    fn default() -> Self {
        SgdParams {
            batch_size: Some(32),
            max_epochs: 100,
            learning_rate: LearningRate::default(),
            shuffle: true,
            seed: 0,
            tol: 1e-6,
            n_iter_no_change: 5,
            l2: 0.0,
            l1: 0.0,
        }
    }
}

/// sgd settings that passed [`SgdParams::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct ValidSgdParams {
    params: SgdParams,
    penalty: Penalty,
}

impl SgdParams {
    /// full-batch gradient descent with a constant step `eta`.
    pub fn full_batch(eta: f64) -> Self {
        SgdParams { batch_size: None, shuffle: false, learning_rate: LearningRate::Constant(eta), ..Self::default() }
    }

    /// validate every setting.
    pub fn check(self) -> Result<ValidSgdParams> {
        if self.batch_size == Some(0) {
            return Err(Error::param("batch_size", "must be at least 1"));
        }
        if self.max_epochs == 0 {
            return Err(Error::param("epochs", "must be at least 1"));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::param("tol", format!("must be a finite number ≥ 0, got {}", self.tol)));
        }
        if self.n_iter_no_change == 0 {
            return Err(Error::param("n_iter_no_change", "must be at least 1"));
        }
        self.learning_rate.check()?;
        let penalty = Penalty::new(self.l2, self.l1)?;
        Ok(ValidSgdParams { params: self, penalty })
    }
}

impl ValidSgdParams {
    /// the checked settings.
    pub fn params(&self) -> &SgdParams {
        &self.params
    }

    /// fit `data` with `backend` on the raw features, reporting each epoch to `observer`;
    /// constant columns keep coefficient 0.
    pub fn fit<B: Backend + ?Sized>(&self, backend: &B, data: &Dataset, observer: &mut dyn Observer) -> Result<Model> {
        let start = Instant::now();
        let stats = ColumnStats::of(data.as_ref());
        stats.check_magnitudes(|j| data.feature_name(j))?;
        let scaling = stats.standardizer.identity_with_constant();
        let mut objective = Objective::with_scaling(backend, data.as_ref(), self.penalty, scaling, false)?;
        let outcome = self.run(&mut objective, observer)?;
        crate::fitted::finish(
            &mut objective,
            outcome,
            self.solver_name(data.n_rows()),
            start,
            data.shared_feature_names(),
            false,
        )
    }

    /// "gd" when every batch is the whole data, else "sgd".
    pub fn solver_name(&self, n_rows: usize) -> &'static str {
        if self.params.batch_size.is_none_or(|b| b >= n_rows) { "gd" } else { "sgd" }
    }

    /// run sgd on `objective` (binary or multinomial) from θ' = 0.
    pub fn run<O: BatchObjective + ?Sized>(&self, objective: &mut O, observer: &mut dyn Observer) -> Result<Outcome> {
        let p = &self.params;
        let n = objective.n_rows();
        let batch = p.batch_size.unwrap_or(n).min(n);
        let shuffle = p.shuffle && batch < n;
        let l1 = objective.l1_strengths();
        let has_l1 = l1.iter().any(|&v| v > 0.0);

        let mut theta = vec![0.0; objective.n_params()];
        let mut grad = vec![0.0; theta.len()];
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = Rng::new(p.seed);
        let mut history = Vec::with_capacity(p.max_epochs.min(10_000));
        let mut best = f64::INFINITY;
        let mut stale = 0;
        let mut step = 0usize;
        let mut reason = StopReason::MaxIterations;
        let mut eta = p.learning_rate.at(0);
        let initial = objective.evaluate(&theta).objective;

        for epoch in 1..=p.max_epochs {
            if shuffle {
                rng.shuffle(&mut order);
            }
            for start in (0..n).step_by(batch) {
                let end = (start + batch).min(n);
                let sel = if shuffle { Selection::Indices(&order[start..end]) } else { Selection::Range(start..end) };
                objective.batch_value_grad(&sel, &theta, &mut grad);
                eta = p.learning_rate.at(step);
                for (t, g) in theta.iter_mut().zip(&grad) {
                    *t -= eta * g;
                }
                if has_l1 {
                    for (w, l) in theta.iter_mut().zip(&l1) {
                        *w = w.signum() * (w.abs() - eta * l).max(0.0);
                    }
                }
                step += 1;
            }
            let eval = objective.evaluate(&theta);
            if !eval.objective.is_finite() || theta.iter().any(|t| !t.is_finite()) {
                return Err(Error::Diverged(format!(
                    "the objective became {} at epoch {epoch}; lower the learning rate (now {eta})",
                    eval.objective
                )));
            }
            history.push(HistoryPoint { iteration: epoch, objective: eval.objective, accuracy: eval.accuracy });
            let progress = Progress {
                epoch,
                max_epochs: p.max_epochs,
                objective: eval.objective,
                log_loss: eval.log_loss,
                accuracy: eval.accuracy,
                learning_rate: eta,
            };
            if observer.on_epoch(&progress) == ControlFlow::Break(()) {
                reason = StopReason::Interrupted;
                break;
            }
            if eval.objective > best - p.tol * best.abs().max(1.0) {
                stale += 1;
            } else {
                stale = 0;
            }
            best = best.min(eval.objective);
            if stale >= p.n_iter_no_change {
                reason = StopReason::Tolerance;
                break;
            }
        }
        // sgd noise can end slightly above the start on noise-only data; divergence is far above it
        let last = history.last().map_or(initial, |h| h.objective);
        if last > 1.5 * initial {
            return Err(Error::Diverged(format!(
                "the objective rose from {initial} at the start to {last}; lower the learning rate (now {eta})"
            )));
        }
        Ok(Outcome { iterations: history.len(), theta, reason, history })
    }
}
