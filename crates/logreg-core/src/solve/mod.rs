//! fitting: choose a solver, set up the objective, run, and report.
//!
//! every solver works in the parameters of internally centred and scaled features (see
//! [`Objective`]), so raw data on wildly different scales converge as well as standardised data;
//! `standardize` only decides whether the penalty is measured on the standardised coefficients
//! (glmnet's convention) or on the raw ones. coefficients are always reported on the original scale.

mod inference;
mod lbfgs;
mod line_search;
mod newton;
mod outcome;
mod prox_newton;
mod second_order;

use std::fmt;
use std::ops::ControlFlow;
use std::str::FromStr;
use std::time::Instant;

pub use inference::{Inference, Term};
pub use lbfgs::lbfgs;
pub use line_search::{Step, wolfe};
pub use newton::{HESSIAN_ROWS_PER_COEFFICIENT, hessian_sample_rows, newton};
pub use outcome::{Limits, Outcome};
pub use prox_newton::prox_newton;

use crate::backend::Backend;
use crate::dataset::{DataRef, Dataset};
use crate::error::{Error, Result};
use crate::linalg::{cholesky_in_place, spd_inverse};
use crate::model::{FitReport, HistoryPoint, Model, StopReason};
use crate::objective::{Objective, Penalty, l1_term};
use crate::scaler::Standardizer;
use crate::train::{Observer, Progress, SgdParams, optimality_violation};

/// the optimisation method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Solver {
    /// `cd` when `l1 > 0`; else `newton` up to [`Solver::NEWTON_MAX_FEATURES`] features (up to
    /// [`Solver::SAMPLED_NEWTON_MAX_FEATURES`] when its hessian is taken from a sample of the
    /// rows), `lbfgs` beyond
    #[default]
    Auto,
    /// newton / irls with a cholesky solve; on many rows the hessian is estimated from a fixed
    /// random sample of them (see [`hessian_sample_rows`]), value and gradient stay exact
    Newton,
    /// limited-memory bfgs
    Lbfgs,
    /// proximal newton with coordinate descent (l1 and elastic net)
    Cd,
    /// minibatch stochastic gradient descent
    Sgd,
    /// full-batch gradient descent
    Gd,
}

impl Solver {
    /// features up to which `auto` picks newton with the exact hessian (its (d+1)² hessian
    /// pass is then cheap).
    pub const NEWTON_MAX_FEATURES: usize = 64;
    /// features up to which `auto` picks newton when its hessian comes from a sample of the rows
    /// (the sample's gram grows as d³: at 1M rows, 2 threads, newton 1.56 s vs lbfgs 2.85 s with
    /// 128 features, but 11.1 s vs 3.1 s with 256).
    pub const SAMPLED_NEWTON_MAX_FEATURES: usize = 128;

    /// every solver, in the order of their names in help texts.
    pub const ALL: [Solver; 6] = [Solver::Auto, Solver::Newton, Solver::Lbfgs, Solver::Cd, Solver::Sgd, Solver::Gd];

    /// the concrete solver `auto` stands for on `n_rows` × `n_cols` data with `penalty`.
    pub fn resolve(self, n_rows: usize, n_cols: usize, penalty: Penalty) -> Solver {
        let sampled = hessian_sample_rows(n_rows, n_cols + 1).is_some();
        match self {
            Solver::Auto if penalty.l1() > 0.0 => Solver::Cd,
            Solver::Auto if n_cols <= Self::NEWTON_MAX_FEATURES => Solver::Newton,
            Solver::Auto if sampled && n_cols <= Self::SAMPLED_NEWTON_MAX_FEATURES => Solver::Newton,
            Solver::Auto => Solver::Lbfgs,
            other => other,
        }
    }

    /// lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Auto => "auto",
            Solver::Newton => "newton",
            Solver::Lbfgs => "lbfgs",
            Solver::Cd => "cd",
            Solver::Sgd => "sgd",
            Solver::Gd => "gd",
        }
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Solver {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Solver::ALL.into_iter().find(|v| v.name() == wanted).ok_or_else(|| {
            let names: Vec<_> = Solver::ALL.iter().map(|v| v.name()).collect();
            Error::param("solver", format!("unknown solver `{s}`; expected one of {}", names.join(", ")))
        })
    }
}

/// how rows are weighted by class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClassWeight {
    /// sample weights as given
    #[default]
    None,
    /// each class's total weight made equal (scikit-learn's `balanced`: `W / (2·W_class)`)
    Balanced,
}

/// settings of a fit, unchecked; [`FitParams::check`] turns them into [`ValidFitParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct FitParams {
    /// the method
    pub solver: Solver,
    /// ridge strength
    pub l2: f64,
    /// lasso strength
    pub l1: f64,
    /// penalise (and report convergence of) the standardised coefficients
    pub standardize: bool,
    /// class weighting, on top of sample weights
    pub class_weight: ClassWeight,
    /// exact solvers stop when the scaled gradient (or kkt violation) max-norm is at most this
    pub tol: f64,
    /// iteration limit of exact solvers (default: newton and cd 100, lbfgs 10 000)
    pub max_iter: Option<usize>,
    /// settings of `sgd` / `gd` (their `l2`, `l1` are taken from here)
    pub sgd: SgdParams,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            solver: Solver::Auto,
            l2: 0.0,
            l1: 0.0,
            standardize: false,
            class_weight: ClassWeight::None,
            tol: 1e-8,
            max_iter: None,
            sgd: SgdParams::default(),
        }
    }
}

/// fit settings that passed [`FitParams::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct ValidFitParams {
    params: FitParams,
    penalty: Penalty,
}

impl FitParams {
    /// validate every setting.
    pub fn check(self) -> Result<ValidFitParams> {
        let penalty = Penalty::new(self.l2, self.l1)?;
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::param("tol", format!("must be a finite number > 0, got {}", self.tol)));
        }
        if self.max_iter == Some(0) {
            return Err(Error::param("max_iter", "must be at least 1"));
        }
        if matches!(self.solver, Solver::Newton | Solver::Lbfgs) && penalty.l1() > 0.0 {
            return Err(Error::param("solver", format!("{} needs a smooth objective; use cd for l1 > 0", self.solver)));
        }
        SgdParams { l2: self.l2, l1: self.l1, ..self.sgd.clone() }.check()?;
        Ok(ValidFitParams { params: self, penalty })
    }
}

impl ValidFitParams {
    /// the checked settings.
    pub fn params(&self) -> &FitParams {
        &self.params
    }

    /// the penalty.
    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// fit `data` with `backend`, reporting each iteration or epoch to `observer`.
    pub fn fit<B: Backend + ?Sized>(&self, backend: &B, data: &Dataset, observer: &mut dyn Observer) -> Result<Model> {
        let start = Instant::now();
        let p = &self.params;
        let solver = p.solver.resolve(data.n_rows(), data.n_cols(), self.penalty);
        let weights = class_weights(data, p.class_weight)?;
        let data_ref = DataRef { weights: weights.as_deref().or(data.weights()), ..data.as_ref() };
        let exact = !matches!(solver, Solver::Sgd | Solver::Gd);
        let scaling = if exact || p.standardize {
            Standardizer::from_data(data_ref)
        } else {
            Standardizer::identity(data.n_cols())
        };
        let mut obj = Objective::with_scaling(backend, data_ref, self.penalty, scaling, p.standardize)?;
        let theta0 = initial_theta(&obj);
        let limits = |default| Limits { tol: p.tol, max_iter: p.max_iter.unwrap_or(default) };
        let outcome = match solver {
            Solver::Newton => newton(&mut obj, theta0, limits(100), observer),
            Solver::Lbfgs => lbfgs(&mut obj, theta0, limits(10_000), observer),
            Solver::Cd => prox_newton(&mut obj, theta0, limits(100), observer),
            Solver::Sgd | Solver::Gd => {
                let batch_size = if solver == Solver::Gd { None } else { p.sgd.batch_size };
                let sgd = SgdParams { l2: p.l2, l1: p.l1, batch_size, ..p.sgd.clone() }.check()?;
                sgd.run(&mut obj, observer)?
            }
            Solver::Auto => unreachable!("resolved above"),
        };
        let mut model = finish(&mut obj, outcome, solver.name(), start, data.feature_names(), exact)?;
        if p.standardize {
            model.standardization = Some(obj.scaling().clone());
        }
        Ok(model)
    }
}

/// sample weights with class weighting applied (`None` when unchanged); an error when a class
/// has no weight.
fn class_weights(data: &Dataset, class_weight: ClassWeight) -> Result<Option<Vec<f64>>> {
    let (neg, pos) = data.class_weights();
    if neg <= 0.0 || pos <= 0.0 {
        let missing = if pos <= 0.0 { "positive (1)" } else { "negative (0)" };
        return Err(Error::InvalidData(format!(
            "only one class present: no rows (or no weight) of the {missing} class"
        )));
    }
    Ok(match class_weight {
        ClassWeight::None => None,
        ClassWeight::Balanced => {
            let total = neg + pos;
            let factor = [total / (2.0 * neg), total / (2.0 * pos)];
            let r = data.as_ref();
            Some((0..data.n_rows()).map(|i| r.weight(i) * factor[usize::from(r.y[i] == 1.0)]).collect())
        }
    })
}

/// start at the intercept-only optimum: `b' = logit(weighted positive share)`, `w' = 0`.
fn initial_theta<B: Backend + ?Sized>(obj: &Objective<'_, B>) -> Vec<f64> {
    let data = obj.data();
    let positive: f64 = (0..obj.n_rows()).filter(|&i| data.y[i] == 1.0).map(|i| data.weight(i)).sum();
    let share = positive / obj.total_weight();
    let mut theta = vec![0.0; obj.n_features() + 1];
    theta[0] = (share / (1.0 - share)).ln();
    theta
}

/// push a history point and tell the observer; `alpha` is the step length taken.
pub(crate) fn record<B: Backend + ?Sized>(
    obj: &Objective<'_, B>,
    history: &mut Vec<HistoryPoint>,
    iteration: usize,
    max_iter: usize,
    objective: f64,
    alpha: f64,
    observer: &mut dyn Observer,
) -> ControlFlow<()> {
    let (log_loss, accuracy) = obj.last_pass();
    history.push(HistoryPoint { iteration, objective, accuracy });
    observer.on_epoch(&Progress {
        epoch: iteration,
        max_epochs: max_iter,
        objective,
        log_loss,
        accuracy,
        learning_rate: alpha,
    })
}

/// cholesky factor of `h + μ·I` with the smallest `μ ∈ {0, 1e-12·scale, 1e-11·scale, …}` that
/// makes it positive definite.
pub(crate) fn regularised_cholesky(h: &[f64], k: usize, factor: &mut [f64]) {
    let scale = (0..k).map(|j| h[j * k + j].abs()).fold(f64::MIN_POSITIVE, f64::max);
    let mut mu = 0.0;
    loop {
        factor.copy_from_slice(h);
        for j in 0..k {
            factor[j * k + j] += mu;
        }
        if cholesky_in_place(factor, k) {
            return;
        }
        mu = if mu == 0.0 { 1e-12 * scale } else { mu * 10.0 };
    }
}

/// standardised-scale variance beyond which an unpenalised coefficient counts as not identified.
const MAX_SCALED_VARIANCE: f64 = 1e8;
/// |logit| beyond which a row counts as fitted (numerically) perfectly.
const EXTREME_LOGIT: f64 = 15.0;

/// build the model and its report from a solver's outcome; unpenalised fits of the exact
/// solvers (`exact`) are checked for separation and collinearity and get the inference table.
pub(crate) fn finish<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    outcome: Outcome,
    solver: &str,
    start: Instant,
    names: &[String],
    exact: bool,
) -> Result<Model> {
    let k = outcome.theta.len();
    let theta = outcome.theta;
    let mut raw = vec![0.0; k];
    obj.to_raw(&theta, &mut raw);
    if raw.iter().any(|v| !v.is_finite()) {
        return Err(Error::Diverged(format!("{solver} produced non-finite coefficients")));
    }
    let mut grad = vec![0.0; k];
    let mut inference = None;
    // one last pass gives the gradient and the smooth value; the objective adds the l1 term
    let smooth = if exact && obj.penalty() == Penalty::none() {
        let mut hess = vec![0.0; k * k];
        let smooth = obj.smooth_value_grad_hess(&theta, &mut grad, &mut hess);
        let inverse = spd_inverse(&hess, k);
        let worst = inverse.as_ref().map_or(f64::INFINITY, |inv| (1..k).map(|j| inv[j * k + j]).fold(0.0, f64::max));
        if worst.is_nan() || worst > MAX_SCALED_VARIANCE {
            return Err(not_identified(obj, &raw));
        }
        let cov = raw_covariance(obj, &inverse.expect("checked above"), 1.0 / obj.total_weight());
        inference = Some(Inference::new(&raw, cov, names));
        smooth
    } else {
        obj.smooth_value_grad(&theta, &mut grad)
    };
    let gradient_norm = optimality_violation(&theta, &grad, obj.l1_weights());
    let report = FitReport {
        solver: solver.into(),
        backend: obj.backend().name().into(),
        iterations: outcome.iterations,
        objective: smooth + l1_term(obj.l1_weights(), &theta),
        gradient_norm,
        converged: outcome.reason == StopReason::Tolerance,
        reason: outcome.reason,
        fit_seconds: start.elapsed().as_secs_f64(),
        history: outcome.history,
    };
    Ok(Model {
        intercept: raw[0],
        coefficients: raw[1..].to_vec(),
        feature_names: names.to_vec(),
        report,
        inference,
        standardization: None,
    })
}

/// the error for an unpenalised fit whose hessian is (nearly) singular: separation when rows
/// are fitted with extreme probabilities on the right side, collinear or constant features otherwise.
fn not_identified<B: Backend + ?Sized>(obj: &Objective<'_, B>, raw: &[f64]) -> Error {
    let data = obj.data();
    let mut z = vec![0.0; obj.n_rows()];
    crate::blocks::decision_values(obj.backend(), data.x, &raw[1..], raw[0], &mut z);
    let perfect = (0..z.len())
        .filter(|&i| data.weight(i) > 0.0 && z[i].abs() > EXTREME_LOGIT && (z[i] > 0.0) == (data.y[i] == 1.0))
        .count();
    if perfect > 0 {
        Error::Separation(format!(
            "the classes are (quasi-)separable: {perfect} of {} rows are predicted perfectly, so the unpenalised \
             maximum-likelihood coefficients do not exist (they grow without bound); add a penalty, e.g. l2 = 1e-4",
            z.len()
        ))
    } else {
        Error::Separation(
            "the unpenalised coefficients are not identified: the hessian is singular (collinear or constant \
             feature columns); drop the redundant columns or add a penalty, e.g. l2 = 1e-4"
                .into(),
        )
    }
}

/// covariance of the raw parameters `A·(H'⁻¹·c)·Aᵀ`, where `θ = A·θ'`.
fn raw_covariance<B: Backend + ?Sized>(obj: &Objective<'_, B>, scaled_inverse: &[f64], c: f64) -> Vec<f64> {
    let k = obj.n_features() + 1;
    let s = obj.scaling();
    // rows of A: a₀ = [1, −μ₁/σ₁, …], aⱼ = eⱼ/σⱼ
    let apply_a = |v: &[f64], out: &mut [f64]| {
        out[0] = v[0] - (1..k).map(|j| s.mean[j - 1] / s.scale[j - 1] * v[j]).sum::<f64>();
        for j in 1..k {
            out[j] = v[j] / s.scale[j - 1];
        }
    };
    // M = A·C' column by column, then A·Mᵀ row by row (C' symmetric)
    let mut m = vec![0.0; k * k];
    let (mut col, mut out) = (vec![0.0; k], vec![0.0; k]);
    for c_idx in 0..k {
        for r in 0..k {
            col[r] = scaled_inverse[r * k + c_idx] * c;
        }
        apply_a(&col, &mut out);
        for r in 0..k {
            m[r * k + c_idx] = out[r];
        }
    }
    let mut cov = vec![0.0; k * k];
    for r in 0..k {
        apply_a(&m[r * k..(r + 1) * k], &mut out);
        cov[r * k..(r + 1) * k].copy_from_slice(&out);
    }
    cov
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_picks_by_penalty_width_and_whether_the_hessian_is_sampled() {
        let ridge = Penalty::new(1e-6, 0.0).unwrap();
        let lasso = Penalty::new(0.0, 1e-3).unwrap();
        assert_eq!(Solver::Auto.resolve(1_000_000, 100, lasso), Solver::Cd);
        assert_eq!(Solver::Auto.resolve(1000, 20, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1000, 100, ridge), Solver::Lbfgs);
        // 1M rows: the hessian is sampled up to 128 features (sample 1000·(d+1) ≤ n/4)
        assert_eq!(Solver::Auto.resolve(1_000_000, 100, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1_000_000, 128, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1_000_000, 129, ridge), Solver::Lbfgs);
        // too few rows for a sample at 100 features: exact hessian too costly, lbfgs
        assert_eq!(Solver::Auto.resolve(300_000, 100, ridge), Solver::Lbfgs);
        assert_eq!(Solver::Newton.resolve(10, 1000, ridge), Solver::Newton);
    }
}
