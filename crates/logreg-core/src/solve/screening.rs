//! strong-rule screening of an l1 / elastic-net path (tibshirani, bien, friedman, hastie, simon,
//! taylor & tibshirani 2012): each point is fitted on the features the sequential strong rule
//! keeps and every feature already nonzero, copied into a [`WorkingSet`]; one pass over all
//! features then checks the kkt conditions of the rest at the solution, and any feature whose
//! gradient exceeds its l1 strength joins the set for another fit. so a point is the same
//! optimum as an unscreened fit, to the same tolerance, and no feature is wrongly held at zero.

use super::hessian::{SampleRows, SampledHessian};
use super::working_set::WorkingSet;
use super::{Solver, ValidFitParams};
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{HistoryPoint, StopReason};
use crate::objective::Objective;
use crate::outcome::Outcome;
use crate::train::Silent;

/// share of the features above which a point is fitted on all of them: the copy costs a pass
/// (and first touches of its memory) that the working set's cheaper passes repay only when it is
/// small (measured on a 1M × 100 path: sets of 30–55 % of the columns made it slower).
const MAX_SCREENED_SHARE: f64 = 0.25;

/// the strong rule's state along a path: the last point's l1 strength and its working set.
#[derive(Debug, Default)]
pub(crate) struct Screening {
    previous_l1: Option<f64>,
    set: Option<WorkingSet>,
    /// the hessian sample of the working set (it depends on the set's rows and columns alone)
    hessian_rows: Option<SampleRows>,
    /// the last hessian estimated from it, for the next point's first step
    last_sampled_hessian: Option<SampledHessian>,
    /// fits the kkt check sent back with more features
    refits: usize,
}

impl Screening {
    /// the fit of `obj` (at its penalty, `l1 > 0`) from the previous point's solution `theta`
    /// with `solver`, screened; the outcome is on all features.
    pub fn fit_point<B: Backend + ?Sized>(
        &mut self,
        params: &ValidFitParams,
        obj: &mut Objective<'_, B>,
        solver: Solver,
        mut theta: Vec<f64>,
    ) -> Result<(Outcome, &'static str)> {
        let d = obj.n_features();
        let l1_now = obj.penalty().l1();
        let l1: Vec<f64> = obj.l1_weights().to_vec();
        // the previous point ended with a pass at `theta`: this one is free
        let mut grad = vec![0.0; d + 1];
        obj.smooth_value_grad(&theta, &mut grad);
        // the sequential strong rule: |gⱼ| ≥ 2λⱼ − λⱼ_previous (the first point's "previous"
        // is the penalty at which `theta` would be optimal with every coefficient 0)
        let ratio = match self.previous_l1 {
            Some(previous) => previous / l1_now,
            None => (0..d).filter(|&j| l1[j] > 0.0).map(|j| grad[1 + j].abs() / l1[j]).fold(0.0, f64::max),
        };
        self.previous_l1 = Some(l1_now);
        let mut strong: Vec<bool> =
            (0..d).map(|j| theta[1 + j] != 0.0 || grad[1 + j].abs() >= l1[j] * (2.0 - ratio)).collect();
        let mut done = Outcome { theta: Vec::new(), iterations: 0, reason: StopReason::Tolerance, history: Vec::new() };
        let mut name = solver.name();
        loop {
            let cols: Vec<usize> = (0..d).filter(|&j| strong[j]).collect();
            let intercept_only = cols.is_empty() && grad[0].abs() <= params.params().tol;
            if cols.len() as f64 > MAX_SCREENED_SHARE * d as f64 || (cols.is_empty() && !intercept_only) {
                // most features are strong: fit them all, no kkt check needed
                let (outcome, full_name) = params.run(obj, solver, theta, &mut Silent)?;
                append(&mut done, outcome);
                return Ok((done, full_name));
            }
            // (every coefficient staying 0 with the intercept optimal needs no fit)
            if !intercept_only {
                let outcome = self.fit_on(params, obj, solver, &theta, cols, &mut name)?;
                let fitted = self.set.as_ref().expect("fit_on made it").cols();
                scatter(&outcome.theta, fitted, &mut theta);
                fitted.iter().for_each(|&j| strong[j] = true);
                append(&mut done, outcome);
                obj.smooth_value_grad(&theta, &mut grad);
            }
            // the kkt check of the features left out: at zero, |gⱼ| ≤ λⱼ
            let violators: Vec<usize> = (0..d).filter(|&j| !strong[j] && grad[1 + j].abs() > l1[j]).collect();
            violators.iter().for_each(|&j| strong[j] = true);
            if violators.is_empty() {
                done.theta = theta;
                return Ok((done, name));
            }
            self.refits += 1;
        }
    }

    /// the fit on the working set of `cols` (the last one when it holds them all) from the
    /// restriction of `theta`.
    fn fit_on<B: Backend + ?Sized>(
        &mut self,
        params: &ValidFitParams,
        obj: &Objective<'_, B>,
        solver: Solver,
        theta: &[f64],
        cols: Vec<usize>,
        name: &mut &'static str,
    ) -> Result<Outcome> {
        let covered = self.set.as_ref().is_some_and(|set| includes(set.cols(), &cols));
        if !covered {
            let room = (MAX_SCREENED_SHARE * obj.n_features() as f64) as usize;
            self.set = Some(WorkingSet::new(obj.data(), cols, room, self.set.take()));
            self.hessian_rows = None;
            self.last_sampled_hessian = None;
        }
        let set = self.set.as_ref().expect("made above");
        let full = obj.data();
        let mut sub = obj.on_columns(set.data(full), set.cols())?;
        sub.hessian_rows = self.hessian_rows.take();
        sub.last_sampled_hessian = self.last_sampled_hessian.take();
        let start: Vec<f64> = std::iter::once(theta[0]).chain(set.cols().iter().map(|&j| theta[1 + j])).collect();
        let (outcome, sub_name) = params.run(&mut sub, solver, start, &mut Silent)?;
        self.hessian_rows = sub.hessian_rows.take();
        self.last_sampled_hessian = sub.last_sampled_hessian.take();
        *name = sub_name;
        Ok(outcome)
    }
}

/// whether the ascending `set` holds every entry of the ascending `wanted`.
fn includes(set: &[usize], wanted: &[usize]) -> bool {
    let mut it = set.iter();
    wanted.iter().all(|w| it.by_ref().any(|s| s == w))
}

/// `theta ← [sub₀, sub at cols, 0 elsewhere]`.
fn scatter(sub: &[f64], cols: &[usize], theta: &mut [f64]) {
    theta.fill(0.0);
    theta[0] = sub[0];
    for (&j, &v) in cols.iter().zip(&sub[1..]) {
        theta[1 + j] = v;
    }
}

/// add a round's iterations and history to `done`; its reason is the last round's.
fn append(done: &mut Outcome, round: Outcome) {
    let offset = done.iterations;
    done.history.extend(round.history.into_iter().map(|h| HistoryPoint { iteration: h.iteration + offset, ..h }));
    done.iterations += round.iterations;
    done.reason = round.reason;
    done.theta = round.theta;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ReferenceBackend;
    use crate::solve::{FitParams, initial_theta};
    use crate::synthetic::Synthetic;

    /// a strong rule told a previous penalty far below the present one keeps almost nothing:
    /// the kkt check must bring back every feature the optimum needs, to the unscreened optimum.
    #[test]
    fn the_kkt_check_restores_what_a_wrong_rule_drops() {
        let data = Synthetic { n_rows: 800, n_cols: 120, n_informative: 10, seed: 5, ..Synthetic::default() }
            .generate()
            .unwrap();
        for solver in [Solver::Cd, Solver::OwlQn] {
            let top = FitParams::default().check().unwrap().lambda_max(&ReferenceBackend, &data, 1.0).unwrap();
            let l1 = 0.3 * top;
            let params = FitParams { solver, l1, ..FitParams::default() }.check().unwrap();
            let fit = |screened: bool| {
                params
                    .with_objective(&ReferenceBackend, &data, None, solver, |obj| {
                        let theta = initial_theta(obj);
                        if screened {
                            let mut s = Screening { previous_l1: Some(0.2 * l1), ..Screening::default() };
                            let (outcome, _) = s.fit_point(&params, obj, solver, theta)?;
                            assert!(s.refits > 0, "the rule kept every feature needed");
                            Ok((obj.value(&outcome.theta), outcome.theta))
                        } else {
                            let (outcome, _) = params.run(obj, solver, theta, &mut Silent)?;
                            Ok((obj.value(&outcome.theta), outcome.theta))
                        }
                    })
                    .unwrap()
            };
            let ((fa, wa), (fb, wb)) = (fit(true), fit(false));
            assert!((fa - fb).abs() <= 1e-10 * fb, "{solver}: {fa} vs {fb}");
            let zeros = |w: &[f64]| w.iter().map(|&v| v == 0.0).collect::<Vec<_>>();
            assert_eq!(zeros(&wa), zeros(&wb), "{solver}");
            assert!(wa[1..].iter().filter(|&&w| w != 0.0).count() >= 5);
        }
    }

    #[test]
    fn inclusion_of_ascending_sets() {
        assert!(includes(&[1, 3, 5, 8], &[3, 8]));
        assert!(includes(&[1, 3], &[]));
        assert!(!includes(&[1, 3, 5], &[2]));
        assert!(!includes(&[1, 3], &[3, 4]));
    }
}
