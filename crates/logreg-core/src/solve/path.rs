//! regularisation paths: fits at a sequence of penalties, each started from the previous
//! solution (glmnet's warm starts), on one objective set up once.

use std::ops::ControlFlow;
use std::time::Instant;

use super::screening::Screening;
use super::{FoldPasses, Smooth, Solver, ValidFitParams, initial_theta};
use crate::backend::Backend;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::objective::Penalty;
use crate::train::{PointObserver, Silent};

/// the upper end of an l2-only path, as glmnet: λ_max computed as if 0.1 % of the penalty were l1.
pub const RIDGE_L1_SHARE: f64 = 1e-3;

/// a geometric grid of `n` penalties `λ_k` from `lambda_max` down to `lambda_max · ratio`, each
/// split into `l1 = l1_ratio · λ` and `l2 = (1 − l1_ratio) · λ` (glmnet's elastic-net mixing).
pub fn penalty_grid(lambda_max: f64, ratio: f64, n: usize, l1_ratio: f64) -> Result<Vec<Penalty>> {
    if !(lambda_max.is_finite() && lambda_max > 0.0) {
        return Err(Error::param("lambda_max", format!("must be a finite number > 0, got {lambda_max}")));
    }
    if !(ratio > 0.0 && ratio < 1.0) {
        return Err(Error::param("ratio", format!("must lie in (0, 1), got {ratio}")));
    }
    if n < 2 {
        return Err(Error::param("n", format!("a path needs at least 2 penalties, got {n}")));
    }
    check_l1_ratio(l1_ratio)?;
    (0..n)
        .map(|k| {
            let lambda = lambda_max * ratio.powf(k as f64 / (n - 1) as f64);
            Penalty::new((1.0 - l1_ratio) * lambda, l1_ratio * lambda)
        })
        .collect()
}

/// an error unless the elastic-net mixing lies in [0, 1].
pub(crate) fn check_l1_ratio(l1_ratio: f64) -> Result<()> {
    if (0.0..=1.0).contains(&l1_ratio) {
        Ok(())
    } else {
        Err(Error::param("l1_ratio", format!("must lie in [0, 1], got {l1_ratio}")))
    }
}

/// `max_j |g_j| / f_j` over the penalised coefficients (`f_j > 0`), as the `λ` of an elastic net
/// with mixing `l1_ratio` (for ridge, [`RIDGE_L1_SHARE`]); an error when every gradient is 0.
pub(crate) fn largest_penalised_gradient(grad: &[f64], factors: &[f64], l1_ratio: f64) -> Result<f64> {
    let top = grad.iter().zip(factors).filter(|(_, f)| **f > 0.0).map(|(g, f)| g.abs() / f).fold(0.0, f64::max);
    if top == 0.0 {
        return Err(Error::InvalidData("no feature is related to the target: every gradient is 0".into()));
    }
    Ok(top / l1_ratio.max(RIDGE_L1_SHARE))
}

/// `observer` as the callback of a path's points (fold 0 of `total` points).
pub(crate) fn on_path_point(
    observer: &dyn PointObserver,
    total: usize,
) -> impl FnMut(usize) -> ControlFlow<Error> + '_ {
    move |k| observer.on_point(0, k).map_break(|()| Error::Stopped { done: k + 1, total })
}

/// the warm-started walk down `penalties` from `theta`: `fit(penalty, start)` gives each point's
/// model and solution, which starts the next point; `on_point` hears of each and may stop.
pub(crate) fn walk_path<M>(
    penalties: &[Penalty],
    mut theta: Vec<f64>,
    on_point: &mut dyn FnMut(usize) -> ControlFlow<Error>,
    mut fit: impl FnMut(Penalty, Vec<f64>) -> Result<(M, Vec<f64>)>,
) -> Result<Vec<M>> {
    let mut models = Vec::with_capacity(penalties.len());
    for (k, &penalty) in penalties.iter().enumerate() {
        let (model, solution) = fit(penalty, theta)?;
        theta = solution;
        models.push(model);
        if let ControlFlow::Break(e) = on_point(k) {
            return Err(e);
        }
    }
    Ok(models)
}

impl ValidFitParams {
    /// the smallest penalty `λ` at which every coefficient of an elastic net with mixing
    /// `l1_ratio` (`l1 = l1_ratio · λ`) is 0: `max_j |∂L/∂w_j| / l1_ratio` at the intercept-only
    /// fit, with the gradient measured on the coefficients the penalty applies to (standardised
    /// ones when `standardize`). for `l1_ratio = 0` (ridge, where no finite penalty zeroes the
    /// coefficients) the same with [`RIDGE_L1_SHARE`], glmnet's upper end.
    pub fn lambda_max<B: Backend + ?Sized>(&self, backend: &B, data: &Dataset, l1_ratio: f64) -> Result<f64> {
        check_l1_ratio(l1_ratio)?;
        // set up with unit l1 strengths (a penalised objective: constant columns are fine), which
        // give each coefficient's penalty factor (1, or 1/σⱼ on raw coefficients)
        let unit = self.with_penalty(Penalty::new(0.0, 1.0)?);
        unit.with_objective(backend, data, None, Solver::Lbfgs, |obj| {
            let factors = obj.l1_weights().to_vec();
            obj.set_penalty(Penalty::none())?;
            let theta = initial_theta(obj);
            let mut grad: Vec<f64> = vec![0.0; theta.len()];
            obj.value_grad(&theta, &mut grad);
            largest_penalised_gradient(&grad[1..], &factors, l1_ratio)
        })
    }

    /// models at each of `penalties` in order (a path runs from the largest down), each fit
    /// started from the previous one's solution (and its curvature: newton's hessian estimate,
    /// l-bfgs's pairs) and converged to the same tolerance as a single fit; the solver is these
    /// settings' choice for the first penalty, but for `auto`'s `newton-cg` and `dual-cd` (wide
    /// or sparse data), whose place l-bfgs takes (a `dual-cd` asked for, which cannot start from
    /// a point, becomes `newton-cg`; `sgd` and `gd` are refused). `observer` hears of each point
    /// (as fold 0) and may stop the path.
    pub fn fit_path<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        penalties: &[Penalty],
        observer: &dyn PointObserver,
    ) -> Result<Vec<Model>> {
        self.path_on(backend, data, None, penalties, &mut on_path_point(observer, penalties.len()), None)
    }

    /// [`ValidFitParams::fit_path`] on the rows weighed by `rows` (0: left out), `on_point`
    /// called with each point's number after its fit; the full passes combined with other
    /// folds' through `shared` when given (but for `newton-cg`, which keeps per-row values).
    pub(crate) fn path_on<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        rows: Option<&[f64]>,
        penalties: &[Penalty],
        on_point: &mut dyn FnMut(usize) -> ControlFlow<Error>,
        shared: Option<(&FoldPasses<'_, B>, usize)>,
    ) -> Result<Vec<Model>> {
        let Some(&first) = penalties.first() else { return Ok(Vec::new()) };
        let at = |penalty: Penalty| self.with_penalty(penalty);
        let auto = self.params().solver == Solver::Auto;
        let solver = match at(first).solver_for(data) {
            Solver::Sgd | Solver::Gd => {
                return Err(Error::param("solver", "a path needs an exact solver (sgd and gd stop early)"));
            }
            // warm-started points are a few l-bfgs steps each, where newton-cg's inner
            // conjugate gradients cost many passes (rcv1-like 200k × 47k, 20 ridge points: 1.3 s
            // against 10.4 s)
            Solver::NewtonCg | Solver::DualCd if auto => Solver::Lbfgs,
            Solver::DualCd => Solver::NewtonCg,
            s => s,
        };
        if penalties.iter().any(|p| p.l1() > 0.0) && matches!(solver, Solver::Newton | Solver::Lbfgs | Solver::NewtonCg)
        {
            return Err(Error::param("solver", format!("{solver} needs a smooth objective; the path has l1 > 0")));
        }
        let shared = shared.filter(|_| solver != Solver::NewtonCg);
        at(first).with_fold_objective(backend, data, rows, solver, shared, |obj| {
            let theta = initial_theta(obj);
            let mut screening = Screening::default();
            walk_path(penalties, theta, on_point, |penalty, start| {
                let began = Instant::now();
                obj.set_penalty(penalty)?;
                let point = at(penalty);
                let (outcome, name) = if self.params().screening && penalty.l1() > 0.0 {
                    screening.fit_point(&point, obj, solver, start)?
                } else {
                    point.run(obj, solver, start, &mut Silent)?
                };
                let theta = outcome.theta.clone();
                Ok((point.finish(obj, outcome, name, began, data, solver)?, theta))
            })
        })
    }
}
