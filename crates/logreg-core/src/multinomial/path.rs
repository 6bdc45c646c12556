//! regularisation paths of the multinomial model: penalised fits (the symmetric
//! parametrisation) at a sequence of penalties, each started from the previous solution.

use std::ops::ControlFlow;
use std::time::Instant;

use super::fit::initial_theta;
use super::{MultinomialModel, multinomial_solver};
use crate::backend::Backend;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::objective::Penalty;
use crate::solve::{Solver, ValidFitParams, check_l1_ratio, largest_penalised_gradient, on_path_point, walk_path};
use crate::train::{PointObserver, Silent};

impl ValidFitParams {
    /// the smallest penalty `λ` at which every coefficient of a multinomial elastic net with
    /// mixing `l1_ratio` is 0: `max |∂L/∂w_cj| / l1_ratio` over classes and features at the
    /// intercept-only fit (glmnet's grouped-free multinomial λ_max); for `l1_ratio = 0` the same
    /// with [`RIDGE_L1_SHARE`](crate::solve::RIDGE_L1_SHARE).
    pub fn multinomial_lambda_max<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        l1_ratio: f64,
    ) -> Result<f64> {
        check_l1_ratio(l1_ratio)?;
        let unit = self.with_penalty(Penalty::new(0.0, 1.0)?);
        unit.with_softmax_objective(backend, data, None, Solver::Lbfgs, |obj| {
            let factors = obj.l1_strengths();
            obj.set_penalty(Penalty::none())?;
            let theta = initial_theta(obj);
            let mut grad = vec![0.0; theta.len()];
            obj.smooth_value_grad(&theta, &mut grad);
            largest_penalised_gradient(&grad, &factors, l1_ratio)
        })
    }

    /// multinomial models at each of `penalties` (all > 0, largest first), each fit started from
    /// the previous one's solution and converged to the same tolerance as a single fit; the
    /// solver is these settings' choice for the first penalty (`sgd` and `gd` are refused).
    /// `observer` hears of each point (as fold 0) and may stop the path.
    pub fn fit_multinomial_path<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        penalties: &[Penalty],
        observer: &dyn PointObserver,
    ) -> Result<Vec<MultinomialModel>> {
        self.multinomial_path_on(backend, data, None, penalties, &mut on_path_point(observer, penalties.len()))
    }

    /// [`ValidFitParams::fit_multinomial_path`] on the rows weighed by `rows` (0: left out),
    /// `on_point` called with each point's number after its fit.
    pub(crate) fn multinomial_path_on<B: Backend + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        rows: Option<&[f64]>,
        penalties: &[Penalty],
        on_point: &mut dyn FnMut(usize) -> ControlFlow<Error>,
    ) -> Result<Vec<MultinomialModel>> {
        let Some(&first) = penalties.first() else { return Ok(Vec::new()) };
        if penalties.iter().any(|&p| p == Penalty::none()) {
            return Err(Error::param("penalties", "a multinomial path fits penalised models: every penalty > 0"));
        }
        let (n, d, k) = (data.n_rows(), data.n_cols(), data.n_classes());
        let solver = match multinomial_solver(self.params().solver, n, d, data.is_sparse(), k, first) {
            Solver::Sgd | Solver::Gd => {
                return Err(Error::param("solver", "a path needs an exact solver (sgd and gd stop early)"));
            }
            s => s,
        };
        if penalties.iter().any(|p| p.l1() > 0.0) && solver == Solver::Lbfgs {
            return Err(Error::param("solver", format!("{solver} needs a smooth objective; the path has l1 > 0")));
        }
        let at = |penalty: Penalty| self.with_penalty(penalty);
        at(first).with_softmax_objective(backend, data, rows, solver, |obj| {
            let theta = initial_theta(obj);
            walk_path(penalties, theta, on_point, |penalty, start| {
                let began = Instant::now();
                obj.set_penalty(penalty)?;
                let point = at(penalty);
                let outcome = point.run_multinomial(obj, solver, start, &mut Silent)?;
                let theta = outcome.theta.clone();
                Ok((point.finish_multinomial(obj, outcome, solver, began, data)?, theta))
            })
        })
    }
}
