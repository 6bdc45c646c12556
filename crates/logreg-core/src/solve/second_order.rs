//! state shared by the second-order solvers (newton, proximal newton): the iterate with its
//! gradient and hessian (exact, or from the stratified sample of [`super::hessian`], with the
//! switch to the exact one when the sample stalls; a sample's estimate corrected after each step by
//! the exact gradients), and the backtracking step along a direction.

use super::hessian::{HessianSource, SampledHessian};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::outcome::{ensure_finite, norm_inf};

/// a sampled hessian is kept for the next step while the last full step cut the gradient's
/// max-norm at least by this factor.
const KEEP_HESSIAN_PROGRESS: f64 = 0.1;
/// halvings of the step before a direction is given up.
const MAX_HALVINGS: usize = 40;
/// consecutive shortened steps after which a sampled hessian is replaced by the exact one.
const MAX_SHORT_STEPS: usize = 3;
/// iterations after which a sampled hessian is replaced by the exact one (sampled newton
/// normally converges in 10–15).
const MAX_SAMPLED_ITERATIONS: usize = 30;

/// θ', the smooth part's gradient and hessian there, and buffers for a trial point.
pub(crate) struct SecondOrderState {
    pub theta: Vec<f64>,
    pub grad: Vec<f64>,
    /// the hessian at `theta`: the full-data one, or (after [`SecondOrderState::refresh_hessian`])
    /// the sample's estimate
    pub hess: Vec<f64>,
    source: HessianSource,
    full_hessian: bool,
    /// `hess` is the estimate remembered from an earlier fit on the objective, not one made here
    recalled: bool,
    /// `hess` is the sample's estimate at `theta` itself, made since the last accepted step
    sampled_here: bool,
    short_steps: usize,
    /// `|g|∞` after the last accepted step over `|g|∞` before it (∞ before the first step)
    progress: f64,
    trial: Vec<f64>,
    t_grad: Vec<f64>,
    t_hess: Vec<f64>,
    /// scratch of the secant update: `s`, `y` and `B·s`
    work: Vec<f64>,
}

impl SecondOrderState {
    /// the state at `theta` and the smooth objective's value there; an error when that is not
    /// finite. with the exact hessian every trial costs a pass with the hessian; with a sampled
    /// one, a value-and-gradient pass only.
    pub fn new<B: Backend + ?Sized>(
        obj: &mut Objective<'_, B>,
        theta: Vec<f64>,
        solver: &'static str,
    ) -> Result<(Self, f64)> {
        let k = theta.len();
        let source = HessianSource::for_objective(obj);
        let full_hessian = !source.is_sampled();
        let mut s = SecondOrderState {
            theta,
            grad: vec![0.0; k],
            hess: vec![0.0; k * k],
            source,
            full_hessian,
            recalled: false,
            sampled_here: false,
            short_steps: 0,
            progress: f64::INFINITY,
            trial: vec![0.0; k],
            t_grad: vec![0.0; k],
            t_hess: vec![0.0; if full_hessian { k * k } else { 0 }],
            work: vec![0.0; 3 * k],
        };
        let f = s.evaluate_at(obj, false);
        ensure_finite(&[f], solver, "objective", 0)?;
        ensure_finite(&s.grad, solver, "gradient", 0)?;
        Ok((s, f))
    }

    /// make `hess` the hessian at `theta` for iteration `iteration`: the sample's estimate, or
    /// the exact one once the sample stalled (several shortened steps, too many iterations) or
    /// carries no weight. the exact hessian is already in place after every accepted step.
    pub fn refresh_hessian<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>, iteration: usize) {
        if !self.source.is_sampled() {
            return;
        }
        let stalled = self.short_steps >= MAX_SHORT_STEPS || iteration > MAX_SAMPLED_ITERATIONS;
        // the last sampled hessian still serves while full steps keep cutting the gradient
        // tenfold or more: it is an estimate either way, and resampling costs a pass over the
        // sample
        if iteration > 1 && !stalled && self.short_steps == 0 && self.progress <= KEEP_HESSIAN_PROGRESS {
            return;
        }
        // an estimate made at this very point (a recalled one's direction led nowhere and was
        // replaced): sampling again would give the same matrix
        if self.sampled_here && !stalled {
            return;
        }
        // a fit's first step takes the last estimate of an earlier fit on this objective (a
        // path's previous point, nearby): kept while it serves as above, replaced when not
        self.recalled = iteration == 1 && SampledHessian::recall(obj, &mut self.hess);
        if self.recalled {
            return;
        }
        self.sample_or_switch(obj, stalled);
    }

    /// the sample's estimate at `theta` into `hess` (remembered for later fits), or the exact
    /// hessian from now on when `stalled` or the sample carries no weight.
    fn sample_or_switch<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>, stalled: bool) {
        self.recalled = false;
        if stalled || !self.source.sampled_at(obj, &self.theta, &mut self.hess) {
            self.switch_to_full_hessian(obj);
        } else {
            SampledHessian::remember(obj, &self.hess);
            self.sampled_here = true;
        }
    }

    /// measure the last step's progress as `ratio` (an optimality measure after the step over
    /// before it) instead of the gradient's max-norm: for objectives whose gradient does not
    /// vanish at the optimum (an l1 term).
    pub fn set_progress(&mut self, ratio: f64) {
        self.progress = ratio;
    }

    /// after a direction led nowhere: `true` when the hessian was a sample, which is then
    /// replaced by a fresh estimate at `theta` when it was a remembered one, else by the exact
    /// one (retry the iteration); `false` when it was exact already.
    pub fn abandon_sample<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>) -> bool {
        if self.recalled {
            self.sample_or_switch(obj, false);
            return true;
        }
        let sampled = self.source.is_sampled();
        if sampled {
            self.switch_to_full_hessian(obj);
        }
        sampled
    }

    /// from now on the full-data hessian, starting with the one at the current point.
    fn switch_to_full_hessian<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>) {
        self.source.use_exact();
        if !self.full_hessian {
            self.full_hessian = true;
            self.t_hess = vec![0.0; self.hess.len()];
            self.evaluate_at(obj, false);
        }
    }

    /// the smooth value at `theta` (`trial` when `at_trial`), with gradient (and full hessian) into
    /// the matching buffers.
    fn evaluate_at<B: Backend + ?Sized>(&mut self, obj: &mut Objective<'_, B>, at_trial: bool) -> f64 {
        let (theta, grad, hess) = if at_trial {
            (&self.trial, &mut self.t_grad, &mut self.t_hess)
        } else {
            (&self.theta, &mut self.grad, &mut self.hess)
        };
        if self.full_hessian {
            obj.smooth_value_grad_hess(theta, grad, hess)
        } else {
            obj.smooth_value_grad(theta, grad)
        }
    }

    /// try `θ + α·dir` for `α = 1, ½, …`, valuing each trial as the smooth part plus `extra(trial)`;
    /// the first trial with a finite value and gradient that `accept(value, α, trial, trial
    /// gradient)` takes becomes the state, and `(value, α)` is returned. `Ok(None)` when no step
    /// was accepted; an error when every trial was non-finite (a step into overflow, however
    /// short: not a rounding-level stop).
    pub fn backtrack<B: Backend + ?Sized>(
        &mut self,
        obj: &mut Objective<'_, B>,
        dir: &[f64],
        extra: impl Fn(&[f64]) -> f64,
        accept: impl Fn(f64, f64, &[f64], &[f64]) -> bool,
        solver: &'static str,
        iteration: usize,
    ) -> Result<Option<(f64, f64)>> {
        ensure_finite(dir, solver, "step", iteration)?;
        let mut alpha = 1.0;
        let mut any_finite = false;
        for _ in 0..MAX_HALVINGS {
            self.trial.iter_mut().zip(self.theta.iter().zip(dir)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let value = self.evaluate_at(obj, true) + extra(&self.trial);
            let finite = value.is_finite() && self.t_grad.iter().all(|g| g.is_finite());
            any_finite |= finite;
            if finite && accept(value, alpha, &self.trial, &self.t_grad) {
                self.progress = norm_inf(&self.t_grad) / norm_inf(&self.grad);
                if !self.full_hessian {
                    // the estimate corrected along the step by the exact gradients, and kept
                    // for a later fit as corrected
                    secant_update(&mut self.hess, &self.trial, &self.theta, &self.t_grad, &self.grad, &mut self.work);
                    SampledHessian::remember(obj, &self.hess);
                }
                std::mem::swap(&mut self.theta, &mut self.trial);
                std::mem::swap(&mut self.grad, &mut self.t_grad);
                self.sampled_here = false;
                if self.full_hessian {
                    std::mem::swap(&mut self.hess, &mut self.t_hess);
                }
                self.short_steps = if alpha < 1.0 { self.short_steps + 1 } else { 0 };
                return Ok(Some((value, alpha)));
            }
            alpha *= 0.5;
        }
        if any_finite {
            Ok(None)
        } else {
            Err(Error::NonFinite { solver, what: "objective along the step", iteration })
        }
    }
}

/// the bfgs update of the hessian estimate `b` (`k × k`, row-major) by the step from `theta` to
/// `next` and the change of the exact gradient from `grad` to `next_grad`: afterwards `b·s = y`
/// along the step just taken, so the sample's error along the directions the iteration moves in
/// is corrected by exact information (the update keeps `b` symmetric positive definite; it is
/// skipped when the curvature `sᵀy` is not clearly positive); `work` holds `3·k` values of scratch.
pub(crate) fn secant_update(
    b: &mut [f64],
    next: &[f64],
    theta: &[f64],
    next_grad: &[f64],
    grad: &[f64],
    work: &mut [f64],
) {
    let k = theta.len();
    let (s, rest) = work.split_at_mut(k);
    let (y, bs) = rest.split_at_mut(k);
    for j in 0..k {
        s[j] = next[j] - theta[j];
        y[j] = next_grad[j] - grad[j];
    }
    for (i, v) in bs.iter_mut().enumerate() {
        *v = crate::numerics::dot(&b[i * k..(i + 1) * k], s);
    }
    let (sy, sbs) = (crate::numerics::dot(s, y), crate::numerics::dot(s, bs));
    let scale = (crate::numerics::dot(s, s) * crate::numerics::dot(y, y)).sqrt();
    if !(sy > 1e-10 * scale && sbs > 0.0) {
        return;
    }
    for i in 0..k {
        for j in 0..k {
            b[i * k + j] += y[i] * y[j] / sy - bs[i] * bs[j] / sbs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secant_update;
    use crate::numerics::dot;

    fn times(b: &[f64], v: &[f64]) -> Vec<f64> {
        let k = v.len();
        (0..k).map(|i| dot(&b[i * k..(i + 1) * k], v)).collect()
    }

    /// after the update the estimate maps the step onto the gradient's change, stays symmetric
    /// and positive definite (a cholesky factor exists), and a step without positive curvature
    /// leaves it alone.
    #[test]
    fn the_secant_update_matches_the_step_and_keeps_the_estimate_definite() {
        let k = 3;
        // the true hessian h and a wrong estimate b of it
        let h = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let mut b = [2.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 1.0];
        let (theta, next) = ([0.1, -0.2, 0.3], [0.4, 0.1, -0.5]);
        let s: Vec<f64> = next.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let (grad, mut next_grad) = (vec![0.3, 0.1, -0.2], vec![0.0; k]);
        let hs = times(&h, &s);
        next_grad.iter_mut().enumerate().for_each(|(j, g)| *g = grad[j] + hs[j]);
        let mut work = vec![0.0; 3 * k];
        secant_update(&mut b, &next, &theta, &next_grad, &grad, &mut work);
        for (got, want) in times(&b, &s).iter().zip(&hs) {
            assert!((got - want).abs() <= 1e-13 * want.abs().max(1.0), "{got} vs {want}");
        }
        for i in 0..k {
            for j in 0..k {
                assert!((b[i * k + j] - b[j * k + i]).abs() <= 1e-15, "not symmetric at {i}, {j}");
            }
        }
        let mut factor = b;
        assert!(crate::linalg::cholesky_in_place(&mut factor, k), "still positive definite");
        // a change of gradient against the step: no update
        let before = b;
        let away: Vec<f64> = grad.iter().zip(&hs).map(|(g, d)| g - d).collect();
        secant_update(&mut b, &next, &theta, &away, &grad, &mut work);
        assert_eq!(b, before);
    }
}
