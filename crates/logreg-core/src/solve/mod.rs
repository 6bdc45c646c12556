//! fitting: choose a solver, set up the objective, run, and report.
//!
//! every solver works in the parameters of internally centred and scaled features (see
//! [`Objective`]), so raw data on wildly different scales converge as well as standardised data;
//! `standardize` only decides whether the penalty is measured on the standardised coefficients
//! (glmnet's convention) or on the raw ones. coefficients are always reported on the original scale.

mod cost;
mod cv;
mod dual_cd;
mod fold_passes;
pub(crate) mod hessian;
mod l1_quadratic;
pub(crate) mod lbfgs;
mod line_search;
mod newton;
mod newton_cg;
mod owl_qn;
mod path;
mod prox_newton;
mod screening;
mod second_order;
mod smooth;
mod working_set;

use std::fmt;
use std::ops::ControlFlow;
use std::str::FromStr;
use std::time::Instant;

pub use cost::{lbfgs_seconds, newton_seconds};
pub use cv::{CvParams, CvResult, Scoring, folds_of_ids, stratified_folds};
pub use dual_cd::dual_cd;
pub(crate) use fold_passes::FoldPasses;
pub use hessian::{HESSIAN_ROWS_PER_COEFFICIENT, hessian_sample_rows};
pub(crate) use hessian::{regularised_cholesky, sample_indices, sample_rows};
pub(crate) use l1_quadratic::{L1Quadratic, Model as L1Model};
pub use lbfgs::lbfgs;
use lbfgs::lbfgs_from;
pub use line_search::{Step, wolfe};
pub use newton::newton;
pub use newton_cg::{HessianProducts, newton_cg};
pub use owl_qn::owl_qn;
pub use path::{RIDGE_L1_SHARE, penalty_grid};
pub(crate) use path::{check_l1_ratio, largest_penalised_gradient, on_path_point, walk_path};
pub use prox_newton::prox_newton;
pub(crate) use prox_newton::strictly_convex;
pub(crate) use second_order::secant_update;
pub use smooth::Smooth;

pub use crate::model::{Inference, Term};
pub use crate::outcome::{Limits, Outcome};

use crate::backend::Backend;
use crate::dataset::{DataRef, Dataset};
use crate::error::{Error, Result};
use crate::fitted::finish;
use crate::model::{HistoryPoint, Model, StopReason};
use crate::objective::{Objective, Penalty};
use crate::scaler::{ColumnStats, Standardizer};
use crate::train::{Observer, Progress, SgdParams, ValidSgdParams};

/// the optimisation method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Solver {
    /// without intercept, with an l2 penalty alone and at least as many columns as rows:
    /// `dual-cd` (then `newton-cg` if it has not converged after 200 sweeps). otherwise, when
    /// `newton`'s estimated time is at most l-bfgs's plus a tenth of a second (see
    /// [`newton_seconds`], [`lbfgs_seconds`]): `newton`, or `cd` when `l1 > 0`; else `owl-qn` when
    /// `l1 > 0`, `newton-cg` on sparse data, `lbfgs` on dense data
    #[default]
    Auto,
    /// newton / irls with a cholesky solve; on many rows the hessian is estimated from a fixed
    /// stratified sample of them (see [`hessian_sample_rows`]), value and gradient stay exact
    Newton,
    /// limited-memory bfgs
    Lbfgs,
    /// truncated newton in a trust region (conjugate gradients on hessian–vector products, as
    /// LIBLINEAR's primal solver): no `d × d` hessian, for wide and sparse data and K-class fits
    /// with many coefficients (there, on many rows, the products come from a fixed sample of
    /// them while value and gradient stay exact)
    NewtonCg,
    /// proximal newton with an exact l1 subproblem solve (l1 and elastic net)
    Cd,
    /// orthant-wise l-bfgs (l1 and elastic net without a `d × d` hessian: wide and sparse data)
    OwlQn,
    /// coordinate descent on the dual (LIBLINEAR's `-s 7`): l2 penalty, no intercept, for data
    /// with more columns than rows
    DualCd,
    /// minibatch stochastic gradient descent
    Sgd,
    /// full-batch gradient descent
    Gd,
}

impl Solver {
    /// seconds by which newton's estimate may exceed l-bfgs's and still be chosen: below that,
    /// newton's exactness (quadratic convergence, no ill-conditioning stall) wins.
    pub const NEWTON_SLACK_SECONDS: f64 = 0.1;

    /// every solver, in the order of their names in help texts.
    pub const ALL: [Solver; 9] = [
        Solver::Auto,
        Solver::Newton,
        Solver::Lbfgs,
        Solver::NewtonCg,
        Solver::Cd,
        Solver::OwlQn,
        Solver::DualCd,
        Solver::Sgd,
        Solver::Gd,
    ];

    /// the concrete solver `auto` stands for on dense `n_rows` × `n_cols` data with `penalty`.
    pub fn resolve(self, n_rows: usize, n_cols: usize, penalty: Penalty) -> Solver {
        self.resolve_for(n_rows, n_cols, false, penalty)
    }

    /// the concrete solver `auto` stands for on `n_rows` × `n_cols` data, `sparse` or dense,
    /// with `penalty`.
    pub fn resolve_for(self, n_rows: usize, n_cols: usize, sparse: bool, penalty: Penalty) -> Solver {
        let l1 = penalty.l1() > 0.0;
        match self {
            Solver::Auto
                if newton_seconds(n_rows, n_cols) <= lbfgs_seconds(n_rows, n_cols) + Self::NEWTON_SLACK_SECONDS =>
            {
                if l1 { Solver::Cd } else { Solver::Newton }
            }
            Solver::Auto if l1 => Solver::OwlQn,
            Solver::Auto if sparse => Solver::NewtonCg,
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
            Solver::NewtonCg => "newton-cg",
            Solver::Cd => "cd",
            Solver::OwlQn => "owl-qn",
            Solver::DualCd => "dual-cd",
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

/// sweeps of `dual-cd` chosen by `auto` before it hands over to `newton-cg`.
const AUTO_DUAL_SWEEPS: usize = 200;

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
    /// fit an intercept (when `false` it is held at 0, as LIBLINEAR's default objective)
    pub fit_intercept: bool,
    /// class weighting, on top of sample weights
    pub class_weight: ClassWeight,
    /// exact solvers stop when the scaled gradient (or kkt violation) max-norm is at most this
    pub tol: f64,
    /// iteration limit of exact solvers (default: newton and cd 100, lbfgs 10 000)
    pub max_iter: Option<usize>,
    /// settings of `sgd` / `gd` (their `l2`, `l1` are taken from here)
    pub sgd: SgdParams,
    /// strong-rule screening of the l1 and elastic-net points of binary paths and
    /// cross-validation: each point fitted on the features the rule keeps, then checked on the
    /// others (the same optimum; single fits and multinomial paths are not screened)
    pub screening: bool,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            solver: Solver::Auto,
            l2: 0.0,
            l1: 0.0,
            standardize: false,
            fit_intercept: true,
            class_weight: ClassWeight::None,
            tol: 1e-8,
            max_iter: None,
            sgd: SgdParams::default(),
            screening: true,
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
    /// the checked trainer settings of `sgd` / `gd` (`gd`: every batch the whole data) with
    /// this fit's penalty.
    pub(crate) fn trainer(&self, solver: Solver) -> Result<ValidSgdParams> {
        let batch_size = if solver == Solver::Gd { None } else { self.sgd.batch_size };
        SgdParams { l2: self.l2, l1: self.l1, batch_size, ..self.sgd.clone() }.check()
    }

    /// validate every setting.
    pub fn check(self) -> Result<ValidFitParams> {
        let penalty = Penalty::new(self.l2, self.l1)?;
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::param("tol", format!("must be a finite number > 0, got {}", self.tol)));
        }
        if self.max_iter == Some(0) {
            return Err(Error::param("max_iter", "must be at least 1"));
        }
        if matches!(self.solver, Solver::Newton | Solver::Lbfgs | Solver::NewtonCg) && penalty.l1() > 0.0 {
            return Err(Error::param(
                "solver",
                format!("{} needs a smooth objective; use cd or owl-qn for l1 > 0", self.solver),
            ));
        }
        if self.solver == Solver::DualCd && !(penalty.l1() == 0.0 && penalty.l2() > 0.0 && !self.fit_intercept) {
            return Err(Error::param(
                "solver",
                "dual-cd fits an l2 penalty (l2 > 0, no l1) without intercept (LIBLINEAR's -s 7): set \
                 fit_intercept = false (--no-intercept)",
            ));
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

    /// the same settings with `penalty` (checked already: it is a [`Penalty`]).
    pub(crate) fn with_penalty(&self, penalty: Penalty) -> ValidFitParams {
        ValidFitParams { penalty, params: FitParams { l2: penalty.l2(), l1: penalty.l1(), ..self.params.clone() } }
    }

    /// the solver a (binary) fit of `data` runs: the one asked for, or what `auto` stands for.
    pub fn solver_for(&self, data: &Dataset) -> Solver {
        let p = &self.params;
        match p.solver {
            // no intercept, an l2 penalty and more columns than rows: the dual has fewer variables
            Solver::Auto
                if !p.fit_intercept
                    && self.penalty.l1() == 0.0
                    && self.penalty.l2() > 0.0
                    && data.n_cols() >= data.n_rows() =>
            {
                Solver::DualCd
            }
            other => other.resolve_for(data.n_rows(), data.n_cols(), data.is_sparse(), self.penalty),
        }
    }

    /// fit `data` with `backend`, reporting each iteration or epoch to `observer`.
    ///
    /// constant columns get coefficient 0 (an unpenalised fit names them in an
    /// [`Error::Collinearity`]); a column whose magnitude cannot be fitted is an
    /// [`Error::InvalidColumn`] before any work.
    pub fn fit<B: Backend + ?Sized>(&self, backend: &B, data: &Dataset, observer: &mut dyn Observer) -> Result<Model> {
        let start = Instant::now();
        let solver = self.solver_for(data);
        // dual-cd's sweeps run on one thread (their order is the result): with two or more, a
        // core is free for the names while they run (a parallel solver would share its cores
        // with them: newton-cg on news20-like data, 1.18 → 1.30 s)
        let spare_core = solver == Solver::DualCd && rayon::current_num_threads() > 1;
        data.with_names_made_meanwhile(spare_core, || {
            self.with_objective(backend, data, None, solver, |obj| {
                let theta0 = initial_theta(obj);
                let (outcome, name) = self.run(obj, solver, theta0, observer)?;
                self.finish(obj, outcome, name, start, data, solver)
            })
        })
    }

    /// `f` of the objective of `data` under these settings (weights, column checks, internal
    /// scaling, intercept), as `solver` needs it; `rows` weighs each row's sample weight (0 leaves
    /// a row out: a cross-validation fold without a copy).
    pub(crate) fn with_objective<B: Backend + ?Sized, R>(
        &self,
        backend: &B,
        data: &Dataset,
        rows: Option<&[f64]>,
        solver: Solver,
        f: impl FnOnce(&mut Objective<'_, B>) -> Result<R>,
    ) -> Result<R> {
        self.with_fold_objective(backend, data, rows, solver, None, f)
    }

    /// [`ValidFitParams::with_objective`], its full passes combined with other folds' through
    /// `shared` (the passes and this fold's number there) when given.
    pub(crate) fn with_fold_objective<B: Backend + ?Sized, R>(
        &self,
        backend: &B,
        data: &Dataset,
        rows: Option<&[f64]>,
        solver: Solver,
        shared: Option<(&FoldPasses<'_, B>, usize)>,
        f: impl FnOnce(&mut Objective<'_, B>) -> Result<R>,
    ) -> Result<R> {
        if data.n_classes() != 2 {
            return Err(Error::InvalidData(format!(
                "the data have {} classes: fit them with the multinomial model (`fit_multinomial`)",
                data.n_classes()
            )));
        }
        let p = &self.params;
        let all = data.as_ref();
        let kept = rows.map(|r| all.weights_times(r));
        let base = DataRef { weights: kept.as_deref().or(all.weights), ..all };
        let weights = class_weights(base, p.class_weight)?;
        let data_ref = DataRef { weights: weights.as_deref().or(base.weights), ..base };
        let exact = !matches!(solver, Solver::Sgd | Solver::Gd);
        let name = |j| data.feature_name(j);
        let mut obj = if solver == Solver::DualCd && !p.standardize {
            // dual-cd with the penalty on the raw coefficients has no use for a scaling (the
            // penalty alone scales its coordinates): no per-column statistics, which on wide
            // data cost as much as its sweeps
            ColumnStats::check_magnitudes_of(data_ref, name)?;
            let identity = Standardizer::identity(data.n_cols());
            Objective::with_scaling(backend, data_ref, self.penalty, identity, false)?
        } else {
            // a fit without intercept scales without centring (centring moves the intercept)
            let uncentred = !p.fit_intercept && (exact || p.standardize);
            let stats = if uncentred { ColumnStats::uncentred_of(data_ref) } else { ColumnStats::of(data_ref) };
            stats.check_magnitudes(name)?;
            if self.penalty == Penalty::none() && p.fit_intercept {
                stats.check_not_constant(name)?;
            }
            let scaling =
                if exact || p.standardize { stats.standardizer } else { stats.standardizer.identity_with_constant() };
            Objective::with_scaling(backend, data_ref, self.penalty, scaling, p.standardize)?
                .with_column_max_abs(stats.max_abs)
        };
        if !p.fit_intercept {
            obj = obj.without_intercept()?;
        }
        // the fold takes part in the combined passes while its objective lives
        let _joined = shared.map(|(passes, fold)| {
            obj.shared_passes = Some((passes, fold));
            passes.join(fold, data_ref.weights.map_or_else(|| vec![1.0; data.n_rows()], <[f64]>::to_vec))
        });
        f(&mut obj)
    }

    /// `solver` run on `obj` from `theta0`: its outcome and the name it reports.
    pub(crate) fn run<B: Backend + ?Sized>(
        &self,
        obj: &mut Objective<'_, B>,
        solver: Solver,
        theta0: Vec<f64>,
        observer: &mut dyn Observer,
    ) -> Result<(Outcome, &'static str)> {
        let p = &self.params;
        let limits = |default| Limits { tol: p.tol, max_iter: p.max_iter.unwrap_or(default) };
        let mut solver_name = solver.name();
        let outcome = match solver {
            Solver::Newton => newton(obj, theta0, limits(100), observer)?,
            Solver::Lbfgs => {
                let (l2, mut kept) = (obj.l2_diagonal(), obj.kept_memory.take());
                let outcome = lbfgs_from(obj, theta0, limits(10_000), observer, &mut kept, &l2);
                obj.kept_memory = kept;
                outcome?
            }
            Solver::NewtonCg => newton_cg(obj, theta0, limits(1_000), observer)?,
            Solver::Cd => prox_newton(obj, theta0, limits(100), observer)?,
            Solver::OwlQn => {
                let lambda: Vec<f64> = std::iter::once(0.0).chain(obj.l1_weights().iter().copied()).collect();
                owl_qn(obj, theta0, &lambda, limits(10_000), observer)?
            }
            // picked by `auto`: a dual that does not converge in its sweeps (badly scaled rows make
            // it ill-conditioned, as LIBLINEAR's) hands its point to newton-cg
            Solver::DualCd if p.solver == Solver::Auto => {
                let dual = dual_cd(obj, limits(AUTO_DUAL_SWEEPS), observer)?;
                if dual.reason == StopReason::Tolerance {
                    dual
                } else {
                    solver_name = "dual-cd, then newton-cg";
                    newton_cg(obj, dual.theta, limits(1_000), observer)?
                }
            }
            Solver::DualCd => dual_cd(obj, limits(1_000), observer)?,
            Solver::Sgd | Solver::Gd => p.trainer(solver)?.run(obj, observer)?,
            Solver::Auto => unreachable!("resolved before"),
        };
        Ok((outcome, solver_name))
    }

    /// the model of a solver's outcome.
    fn finish<B: Backend + ?Sized>(
        &self,
        obj: &mut Objective<'_, B>,
        outcome: Outcome,
        name: &'static str,
        start: Instant,
        data: &Dataset,
        solver: Solver,
    ) -> Result<Model> {
        let exact = !matches!(solver, Solver::Sgd | Solver::Gd);
        let mut model = finish(obj, outcome, name, start, data.shared_feature_names(), exact)?;
        if self.params.standardize {
            model.standardization = Some(obj.scaling().clone());
        }
        Ok(model)
    }
}

/// sample weights with class weighting applied (`None` when unchanged); an error when a class
/// has no weight.
fn class_weights(data: DataRef<'_>, class_weight: ClassWeight) -> Result<Option<Vec<f64>>> {
    let totals = data.class_totals(2);
    let (neg, pos) = (totals[0], totals[1]);
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
            Some((0..data.y.len()).map(|i| data.weight(i) * factor[usize::from(data.y[i] == 1.0)]).collect())
        }
    })
}

/// start at the intercept-only optimum: `b' = logit(weighted positive share)`, `w' = 0`.
pub(crate) fn initial_theta<B: Backend + ?Sized>(obj: &Objective<'_, B>) -> Vec<f64> {
    let data = obj.data();
    let positive: f64 = (0..obj.n_rows()).filter(|&i| data.y[i] == 1.0).map(|i| data.weight(i)).sum();
    let share = positive / obj.total_weight();
    let mut theta = vec![0.0; obj.n_features() + 1];
    if obj.fits_intercept() {
        theta[0] = (share / (1.0 - share)).ln();
    }
    theta
}

/// push a history point and tell the observer; `alpha` is the step length taken.
pub(crate) fn record<S: Smooth + ?Sized>(
    obj: &S,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_picks_by_penalty_and_estimated_cost() {
        let ridge = Penalty::new(1e-6, 0.0).unwrap();
        let lasso = Penalty::new(0.0, 1e-3).unwrap();
        assert_eq!(Solver::Auto.resolve(1_000_000, 100, lasso), Solver::Cd);
        assert_eq!(Solver::Auto.resolve(1000, 20, lasso), Solver::Cd);
        assert_eq!(Solver::Auto.resolve(10_000, 2000, lasso), Solver::OwlQn);
        assert_eq!(Solver::Auto.resolve_for(677_000, 47_000, true, lasso), Solver::OwlQn);
        assert_eq!(Solver::Auto.resolve(1000, 20, ridge), Solver::Newton);
        // small problems: newton is exact and costs milliseconds, whatever the width
        assert_eq!(Solver::Auto.resolve(5800, 85, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1000, 100, ridge), Solver::Newton);
        // 1M rows: the hessian is sampled; newton pays up to about 200 features (measured
        // crossover between 128 and 256), l-bfgs beyond
        assert_eq!(Solver::Auto.resolve(1_000_000, 20, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1_000_000, 100, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1_000_000, 128, ridge), Solver::Newton);
        assert_eq!(Solver::Auto.resolve(1_000_000, 256, ridge), Solver::Lbfgs);
        // wide data with too few rows to sample: the exact (d+1)² hessian per row is too costly
        assert_eq!(Solver::Auto.resolve(300_000, 300, ridge), Solver::Lbfgs);
        assert_eq!(Solver::Auto.resolve(10_000, 2000, ridge), Solver::Lbfgs);
        assert_eq!(Solver::Newton.resolve(10, 1000, ridge), Solver::Newton);
    }
}
