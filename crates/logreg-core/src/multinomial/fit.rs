//! fitting the multinomial model: checks, the solver, and from its outcome to a
//! [`MultinomialModel`] with the identification checks and inference of unpenalised fits.

use std::time::Instant;

use super::curvature::product_sample_rows;
use super::{MultinomialModel, SoftmaxObjective, newton};
use crate::backend::Backend;
use crate::dataset::{DataRef, Dataset};
use crate::error::{Error, Result};
use crate::fitted::{collinear, identify, raw_covariance};
use crate::model::Inference;
use crate::objective::Penalty;
use crate::objective::{kkt_violation, weighted_l1};
use crate::outcome::{Limits, Outcome, ensure_finite};
use crate::scaler::ColumnStats;
use crate::solve::lbfgs::lbfgs_from;
use crate::solve::{ClassWeight, Solver, ValidFitParams, newton_cg, owl_qn};
use crate::train::Observer;
use crate::view::Selection;

/// a row whose label's probability is within this of 1 counts as fitted perfectly.
const PERFECT_LOSS: f64 = 3e-7;

/// seconds per row and class of a value-and-gradient pass (the softmax).
const ROW: f64 = 2.0e-9;
/// seconds per feature value and class of a pass (the two products).
const VALUE: f64 = 0.5e-9;
/// seconds per row and hessian entry of the class-pair grams.
const GRAM: f64 = 0.03e-9;
/// seconds per flop of the cholesky factorisation.
const CHOL: f64 = 0.5e-9;

/// the concrete solver `auto` stands for on a multinomial fit of `n_rows × n_cols` with
/// `stored` class blocks and `penalty`, by estimated time:
/// - newton (`cd`, proximal newton, with an l1 penalty): about 8 iterations of a — possibly
///   sampled — hessian of `pairs·(d+1)²` per row and a cholesky of `P³/3`;
/// - newton-cg (smooth only): about 12 passes, each with about 10 products over the sample of
///   its hessian–vector products (every row when there are few);
/// - l-bfgs (`owl-qn` with an l1 penalty): about 60 passes.
///
/// newton is taken while it costs at most [`Solver::NEWTON_SLACK_SECONDS`] more than the
/// cheapest of the others; beyond it, `sparse` data take newton-cg without an l1 penalty (as the
/// binary model's `auto`: the dense estimates overcount their products; 200k × 47k sparse, 3
/// classes, one thread: l-bfgs 24.5 s, newton-cg 9.4 s).
pub fn multinomial_solver(
    solver: Solver,
    n_rows: usize,
    n_cols: usize,
    sparse: bool,
    stored: usize,
    penalty: Penalty,
) -> Solver {
    if solver != Solver::Auto {
        return solver;
    }
    let (n, q) = (n_rows as f64, (n_cols + 1) as f64);
    let k = stored as f64;
    let p = k * q;
    let pass = n * (ROW * k + VALUE * q * k);
    let hessian_rows = crate::solve::hessian_sample_rows(n_rows, stored * (n_cols + 1)).map_or(n, |m| m as f64);
    let newton = 8.0 * (pass + hessian_rows * k * (k + 1.0) / 2.0 * q * q * GRAM + p * p * p / 3.0 * CHOL);
    let product_rows = product_sample_rows(n_rows, stored * (n_cols + 1)).map_or(n, |m| m as f64);
    let newton_cg = 12.0 * (pass + 10.0 * product_rows * VALUE * q * k);
    let lbfgs = 60.0 * pass;
    let l1 = penalty.l1() > 0.0;
    let others = if l1 { lbfgs } else { lbfgs.min(newton_cg) };
    match (newton <= others + Solver::NEWTON_SLACK_SECONDS, l1) {
        (true, false) => Solver::Newton,
        (true, true) => Solver::Cd,
        (false, true) => Solver::OwlQn,
        (false, false) if sparse || newton_cg < lbfgs => Solver::NewtonCg,
        (false, false) => Solver::Lbfgs,
    }
}

impl ValidFitParams {
    /// fit the multinomial model to `data` (labels `0..K`) with `backend`, reporting each
    /// iteration to `observer`.
    ///
    /// penalised fits use the symmetric parametrisation (every class has coefficients, all
    /// penalised, as scikit-learn and glmnet); unpenalised fits hold class 0 as the reference
    /// (as statsmodels' `MNLogit`) and get per-class inference. constant columns get
    /// coefficient 0 (an error naming them when unpenalised).
    pub fn fit_multinomial<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        observer: &mut dyn Observer,
    ) -> Result<MultinomialModel> {
        let start = Instant::now();
        let penalty = self.penalty();
        let reference = penalty == Penalty::none();
        let stored = data.n_classes() - usize::from(reference);
        let (n, d, sparse) = (data.n_rows(), data.n_cols(), data.is_sparse());
        let solver = multinomial_solver(self.params().solver, n, d, sparse, stored, penalty);
        self.with_softmax_objective(backend, data, None, solver, |obj| {
            let theta0 = initial_theta(obj);
            let outcome = self.run_multinomial(obj, solver, theta0, observer)?;
            self.finish_multinomial(obj, outcome, solver, start, data)
        })
    }

    /// `f` of the multinomial objective of `data` under these settings (weights, checks,
    /// scaling; a reference class when unpenalised), as `solver` needs it; `rows` weighs each
    /// row's sample weight (0 leaves a row out: a cross-validation fold without a copy).
    pub(crate) fn with_softmax_objective<B: Backend + ?Sized, R>(
        &self,
        backend: &B,
        data: &Dataset,
        rows: Option<&[f64]>,
        solver: Solver,
        f: impl FnOnce(&mut SoftmaxObjective<'_, B>) -> Result<R>,
    ) -> Result<R> {
        let p = self.params();
        if !p.fit_intercept {
            return Err(Error::param("fit_intercept", "the multinomial model always fits its intercepts"));
        }
        if p.solver == Solver::DualCd {
            return Err(Error::param(
                "solver",
                format!("{} fits two-class models; use newton-cg or lbfgs for more classes", p.solver),
            ));
        }
        let penalty = self.penalty();
        let reference = penalty == Penalty::none();
        let exact = !matches!(solver, Solver::Sgd | Solver::Gd);
        let all = data.as_ref();
        let kept = rows.map(|r| all.weights_times(r));
        let base = DataRef { weights: kept.as_deref().or(all.weights), ..all };
        let weights = class_weights(base, data.n_classes(), p.class_weight)?;
        let data_ref = DataRef { weights: weights.as_deref().or(base.weights), ..base };
        let stats = ColumnStats::of(data_ref);
        stats.check_magnitudes(|j| data.feature_name(j))?;
        if reference {
            stats.check_not_constant(|j| data.feature_name(j))?;
        }
        // the trainer steps on the raw features (standardised ones when asked), as the binary one
        let scaling =
            if exact || p.standardize { stats.standardizer } else { stats.standardizer.identity_with_constant() };
        let mut obj =
            SoftmaxObjective::new(backend, data_ref, data.n_classes(), reference, penalty, scaling, p.standardize)?;
        f(&mut obj)
    }

    /// `solver` run on `obj` from `theta0`.
    pub(crate) fn run_multinomial<B: Backend + ?Sized>(
        &self,
        obj: &mut SoftmaxObjective<'_, B>,
        solver: Solver,
        theta0: Vec<f64>,
        observer: &mut dyn Observer,
    ) -> Result<Outcome> {
        let p = self.params();
        let limits = |default| Limits { tol: p.tol, max_iter: p.max_iter.unwrap_or(default) };
        match solver {
            Solver::Lbfgs => {
                let (l2, mut kept) = (obj.l2_diagonal(), obj.kept_memory.take());
                let outcome = lbfgs_from(obj, theta0, limits(10_000), observer, &mut kept, &l2);
                obj.kept_memory = kept;
                outcome
            }
            Solver::OwlQn => {
                let lambda = obj.l1_strengths();
                owl_qn(obj, theta0, &lambda, limits(10_000), observer)
            }
            Solver::NewtonCg => newton_cg(obj, theta0, limits(1_000), observer),
            Solver::Sgd | Solver::Gd => p.trainer(solver)?.run(obj, observer),
            // newton, or proximal newton (`cd`) when there is an l1 penalty
            _ => newton(obj, theta0, limits(100), observer),
        }
    }

    /// the model of a solver's outcome.
    pub(crate) fn finish_multinomial<B: Backend + ?Sized>(
        &self,
        obj: &mut SoftmaxObjective<'_, B>,
        outcome: Outcome,
        solver: Solver,
        start: Instant,
        data: &Dataset,
    ) -> Result<MultinomialModel> {
        let exact = !matches!(solver, Solver::Sgd | Solver::Gd);
        let mut model = finish(obj, outcome, solver.name(), start, data.shared_feature_names(), exact)?;
        if self.params().standardize {
            model.standardization = Some(obj.scaling().clone());
        }
        Ok(model)
    }
}

/// sample weights with class weighting applied (`None` when unchanged); an error naming a class
/// without weight.
fn class_weights(data: DataRef<'_>, n_classes: usize, class_weight: ClassWeight) -> Result<Option<Vec<f64>>> {
    let totals = data.class_totals(n_classes);
    if let Some(c) = totals.iter().position(|&t| !(t > 0.0)) {
        return Err(Error::InvalidData(format!("class {c} has no rows (or no weight): every class needs some")));
    }
    Ok(match class_weight {
        ClassWeight::None => None,
        ClassWeight::Balanced => {
            let total: f64 = totals.iter().sum();
            let k = n_classes as f64;
            Some((0..data.y.len()).map(|i| data.weight(i) * total / (k * totals[data.y[i] as usize])).collect())
        }
    })
}

/// the intercept-only optimum: `b'_c = log π_c` (less their mean, or less `log π₀` with a
/// reference class), `W' = 0`.
pub(crate) fn initial_theta<B: Backend + ?Sized>(obj: &SoftmaxObjective<'_, B>) -> Vec<f64> {
    let data = obj.data();
    let mut share = vec![0.0; obj.n_classes()];
    for i in 0..obj.n_rows() {
        share[data.y[i] as usize] += data.weight(i);
    }
    let logs: Vec<f64> = share.iter().map(|s| (s / obj.total_weight()).ln()).collect();
    let shift = if obj.reference() { logs[0] } else { logs.iter().sum::<f64>() / logs.len() as f64 };
    let q = obj.n_features() + 1;
    let mut theta = vec![0.0; obj.n_params()];
    for (c, block) in theta.chunks_exact_mut(q).enumerate() {
        block[0] = logs[c + usize::from(obj.reference())] - shift;
    }
    theta
}

/// build the model and its report from a solver's outcome; unpenalised fits of the exact
/// solvers (`exact`) are checked for separation and collinearity and get per-class inference.
fn finish<B: Backend + ?Sized>(
    obj: &mut SoftmaxObjective<'_, B>,
    mut outcome: Outcome,
    solver: &'static str,
    start: Instant,
    names: std::sync::Arc<[String]>,
    exact: bool,
) -> Result<MultinomialModel> {
    let theta = std::mem::take(&mut outcome.theta);
    let at = outcome.iterations;
    let p = theta.len();
    let q = obj.n_features() + 1;
    ensure_finite(&theta, solver, "coefficients", at)?;
    let mut raw = vec![0.0; p];
    obj.to_raw(&theta, &mut raw);
    ensure_finite(&raw, solver, "coefficients on the original scale", at)?;
    let mut grad = vec![0.0; p];
    let mut inference = None;
    let smooth = if exact && obj.reference() {
        let mut hess = vec![0.0; p * p];
        let n = obj.n_rows();
        let smooth = obj.value_grad_hess(&Selection::Range(0..n), &theta, &mut grad, &mut hess);
        ensure_finite(&hess, solver, "hessian", at)?;
        match identify(&hess, p) {
            Ok(inv) => {
                let cov = raw_covariance(obj.scaling(), &inv, 1.0 / obj.total_weight());
                let tables = (0..p / q)
                    .map(|c| {
                        let block: Vec<f64> = (0..q)
                            .flat_map(|r| (0..q).map(move |s| (r, s)))
                            .map(|(r, s)| cov[(c * q + r) * p + c * q + s])
                            .collect();
                        Inference::new(&raw[c * q..(c + 1) * q], block, &names)
                    })
                    .collect();
                inference = Some(tables);
            }
            Err(unidentified) => return Err(not_identified(obj, &raw, &unidentified, &names)),
        }
        smooth
    } else {
        obj.smooth_value_grad(&theta, &mut grad)
    };
    ensure_finite(&[smooth], solver, "objective", at)?;
    ensure_finite(&grad, solver, "gradient", at)?;
    let lambda = obj.l1_strengths();
    let l1 = weighted_l1(&lambda, &theta);
    let report =
        outcome.report(solver, obj.backend().name(), smooth + l1, kkt_violation(&theta, &grad, &lambda), start);
    let d = q - 1;
    let mut intercepts = Vec::with_capacity(obj.n_classes());
    let mut coefficients = Vec::with_capacity(obj.n_classes());
    if obj.reference() {
        intercepts.push(0.0);
        coefficients.push(vec![0.0; d]);
    }
    for block in raw.chunks_exact(q) {
        intercepts.push(block[0]);
        coefficients.push(block[1..].to_vec());
    }
    if !obj.reference() {
        // the symmetric intercepts are defined up to a common shift: report them centred
        let mean = intercepts.iter().sum::<f64>() / intercepts.len() as f64;
        intercepts.iter_mut().for_each(|b| *b -= mean);
    }
    Ok(MultinomialModel {
        intercepts,
        coefficients,
        reference_class: obj.reference(),
        feature_names: names,
        report,
        inference,
        standardization: None,
    })
}

/// the error for an unpenalised fit whose hessian is (nearly) singular along `unidentified`
/// parameters: separation when rows are fitted with probability 1 (to rounding), collinear
/// columns otherwise.
fn not_identified<B: Backend + ?Sized>(
    obj: &SoftmaxObjective<'_, B>,
    raw: &[f64],
    unidentified: &[usize],
    names: &[String],
) -> Error {
    let data = obj.data();
    let q = obj.n_features() + 1;
    let mut blocks = vec![0.0; q];
    blocks.extend_from_slice(raw);
    let k = obj.n_classes();
    let mut z = vec![0.0; obj.n_rows() * k];
    super::model::class_decision_values(obj.backend(), data.x, &blocks, &mut z);
    let weighted = (0..obj.n_rows()).filter(|&i| data.weight(i) > 0.0);
    let rows = weighted.clone().count();
    let perfect = weighted
        .filter(|&i| {
            let zi = &z[i * k..(i + 1) * k];
            let top = zi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = top + zi.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
            lse - zi[data.y[i] as usize] < PERFECT_LOSS
        })
        .count();
    if perfect > 0 {
        return Error::Separation { perfect, rows };
    }
    let mut columns: Vec<String> = unidentified
        .iter()
        .map(|&j| if j % q == 0 { "intercept".to_string() } else { names[j % q - 1].clone() })
        .collect();
    columns.dedup();
    columns.sort();
    columns.dedup();
    collinear(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `auto`'s choices at the shapes measured on the Zen 3 EPYC (2026-11-25, 2 threads unless
    /// said): 1M × 20 × 5 newton 0.49 s, newton-cg 0.50, l-bfgs 0.99; 1M × 100 × 10 newton-cg
    /// 2.0, l-bfgs 8.5, newton (sampled, 50k rows) 10.7; 60k × 100 × 10 (too few rows to sample)
    /// l-bfgs 0.71–0.77, newton-cg 9.6 before 9a9fa86 and 0.55 since (its cost estimate, fitted
    /// before, now overstates it: l-bfgs is still taken); 200k × 47k sparse, 3 classes, one
    /// thread: newton-cg 5.7, l-bfgs 20.1.
    #[test]
    fn auto_picks_by_penalty_and_estimated_cost() {
        let ridge = Penalty::new(1e-6, 0.0).unwrap();
        let lasso = Penalty::new(1e-6, 1e-3).unwrap();
        let pick = |n, d, sparse, k, penalty| multinomial_solver(Solver::Auto, n, d, sparse, k, penalty);
        assert_eq!(pick(150, 4, false, 3, ridge), Solver::Newton);
        assert_eq!(pick(1_000_000, 20, false, 5, ridge), Solver::Newton);
        assert_eq!(pick(1_000_000, 20, false, 5, lasso), Solver::Cd);
        assert_eq!(pick(1_000_000, 100, false, 10, ridge), Solver::NewtonCg);
        assert_eq!(pick(1_000_000, 100, false, 10, lasso), Solver::OwlQn);
        assert_eq!(pick(60_000, 100, false, 10, ridge), Solver::Lbfgs);
        assert_eq!(pick(200_000, 47_000, true, 3, ridge), Solver::NewtonCg);
        assert_eq!(pick(200_000, 47_000, true, 3, lasso), Solver::OwlQn);
        // a forced solver is kept
        assert_eq!(multinomial_solver(Solver::Lbfgs, 1_000_000, 100, false, 10, ridge), Solver::Lbfgs);
    }
}
