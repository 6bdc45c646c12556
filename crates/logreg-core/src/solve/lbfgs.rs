//! limited-memory bfgs with the robust wolfe line search.

use std::ops::ControlFlow;

use super::line_search::wolfe;
use super::record;
use super::smooth::Smooth;
use crate::error::Result;
use crate::model::StopReason;
use crate::numerics::{dot, norm2};
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::train::Observer;

const SOLVER: &str = "lbfgs";

/// correction pairs kept.
const MEMORY: usize = 10;

/// the last [`MEMORY`] correction pairs `(s, y)` and the two-loop recursion over them.
#[derive(Debug)]
pub(crate) struct Memory {
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    rho: [f64; MEMORY],
    alpha: [f64; MEMORY],
    stored: usize,
    newest: usize,
    s_new: Vec<f64>,
    y_new: Vec<f64>,
    /// the l2 strength of each coordinate that the stored `y` include
    l2: Vec<f64>,
}

impl Memory {
    /// empty memory for `k` parameters.
    pub(crate) fn new(k: usize) -> Self {
        Memory {
            s: vec![vec![0.0; k]; MEMORY],
            y: vec![vec![0.0; k]; MEMORY],
            rho: [0.0; MEMORY],
            alpha: [0.0; MEMORY],
            stored: 0,
            newest: 0,
            s_new: vec![0.0; k],
            y_new: vec![0.0; k],
            l2: vec![0.0; k],
        }
    }

    /// the pairs of an earlier fit of the same data under another penalty (a path's previous
    /// point), made pairs of this one's: the change of l2 strength `Δ` added to each `y`
    /// (`y + Δ∘s`, exact for the penalty's part of the gradient); pairs left without positive
    /// curvature are dropped.
    pub(crate) fn carry_to(&mut self, l2: &[f64]) {
        let (mut s_all, mut y_all) = (std::mem::take(&mut self.s), std::mem::take(&mut self.y));
        let (mut s_kept, mut y_kept) = (Vec::with_capacity(MEMORY), Vec::with_capacity(MEMORY));
        // oldest first, so that the kept pairs keep their order
        for m in (0..self.stored).rev() {
            let i = (self.newest + MEMORY - m) % MEMORY;
            let (s, y) = (&s_all[i], &mut y_all[i]);
            y.iter_mut().zip(s).zip(l2.iter().zip(&self.l2)).for_each(|((y, s), (new, old))| *y += (new - old) * s);
            let sy = dot(s, y);
            if sy > 1e-12 * norm2(s) * norm2(y) {
                self.rho[s_kept.len()] = 1.0 / sy;
                s_kept.push(std::mem::take(&mut s_all[i]));
                y_kept.push(std::mem::take(&mut y_all[i]));
            }
        }
        self.stored = s_kept.len();
        self.newest = self.stored.saturating_sub(1);
        // the free slots: the buffers not kept
        s_kept.extend(s_all.into_iter().filter(|v| !v.is_empty()));
        y_kept.extend(y_all.into_iter().filter(|v| !v.is_empty()));
        (self.s, self.y) = (s_kept, y_kept);
        self.l2.copy_from_slice(l2);
    }

    /// forget every pair.
    pub(crate) fn clear(&mut self) {
        self.stored = 0;
    }

    /// `dir ← −H·v`, `H` the inverse-hessian approximation whose initial matrix is `γ·D`,
    /// `D = precond`, `γ` fitted to the newest pair (1 before there is one).
    pub(crate) fn direction(&mut self, v: &[f64], precond: &[f64], dir: &mut [f64]) {
        dir.iter_mut().zip(v).for_each(|(d, g)| *d = -g);
        for m in 0..self.stored {
            let i = (self.newest + MEMORY - m) % MEMORY;
            self.alpha[i] = self.rho[i] * dot(&self.s[i], dir);
            dir.iter_mut().zip(&self.y[i]).for_each(|(d, y)| *d -= self.alpha[i] * y);
        }
        let gamma = if self.stored > 0 {
            let (s, y) = (&self.s[self.newest], &self.y[self.newest]);
            dot(s, y) / y.iter().zip(precond).map(|(y, p)| y * y * p).sum::<f64>()
        } else {
            1.0
        };
        dir.iter_mut().zip(precond).for_each(|(d, p)| *d *= gamma * p);
        for m in (0..self.stored).rev() {
            let i = (self.newest + MEMORY - m) % MEMORY;
            let beta = self.rho[i] * dot(&self.y[i], dir);
            dir.iter_mut().zip(&self.s[i]).for_each(|(d, s)| *d += (self.alpha[i] - beta) * s);
        }
    }

    /// record the pair `(θ_new − θ, g_new − g)`; skipped when its curvature is not positive.
    pub(crate) fn push(&mut self, theta: &[f64], theta_new: &[f64], grad: &[f64], grad_new: &[f64]) {
        for j in 0..theta.len() {
            self.s_new[j] = theta_new[j] - theta[j];
            self.y_new[j] = grad_new[j] - grad[j];
        }
        let sy = dot(&self.s_new, &self.y_new);
        if sy > 1e-12 * norm2(&self.s_new) * norm2(&self.y_new) {
            let slot = if self.stored == 0 { self.newest } else { (self.newest + 1) % MEMORY };
            self.s[slot].copy_from_slice(&self.s_new);
            self.y[slot].copy_from_slice(&self.y_new);
            self.rho[slot] = 1.0 / sy;
            self.newest = slot;
            self.stored = (self.stored + 1).min(MEMORY);
        }
    }
}

/// minimise the smooth objective (no l1) by l-bfgs from `theta`.
pub fn lbfgs<S: Smooth + ?Sized>(
    obj: &mut S,
    theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let l2 = vec![0.0; theta.len()];
    lbfgs_from(obj, theta, limits, observer, &mut None, &l2)
}

/// [`lbfgs`] starting with the pairs in `kept` (those an earlier fit of the same data under
/// another penalty left there: a path's previous point), `l2` the strength of the objective's
/// l2 term on each coordinate (0 for intercepts); its own pairs are left in `kept`. at the
/// path's next point the first steps are then nearly newton's, where a fit started without
/// pairs takes a few steps to learn the curvature again.
pub(crate) fn lbfgs_from<S: Smooth + ?Sized>(
    obj: &mut S,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
    kept: &mut Option<Memory>,
    l2: &[f64],
) -> Result<Outcome> {
    let k = theta.len();
    let mut grad = vec![0.0; k];
    let (mut trial, mut t_grad, mut dir) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let memory = kept.get_or_insert_with(|| Memory::new(k));
    if memory.l2.len() == k {
        memory.carry_to(l2);
    } else {
        *memory = Memory::new(k);
        memory.l2.copy_from_slice(l2);
    }
    let precond = obj.inverse_diagonal(&theta);
    let mut f = obj.value_grad(&theta, &mut grad);
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        memory.direction(&grad, &precond, &mut dir);
        let mut d0 = dot(&grad, &dir);
        if d0.is_nan() || d0 >= 0.0 {
            // not a descent direction (rounding in the memory): restart from steepest descent
            memory.clear();
            dir.iter_mut().zip(&grad).zip(&precond).for_each(|((d, g), p)| *d = -g * p);
            d0 = dot(&grad, &dir);
        }
        ensure_finite(&dir, SOLVER, "step", it)?;
        if limits.converged(&grad, &dir, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
        let alpha0 = 1.0;
        let mut phi = |alpha: f64| {
            trial.iter_mut().zip(theta.iter().zip(&dir)).for_each(|(t, (x, d))| *t = x + alpha * d);
            let ft = obj.value_grad(&trial, &mut t_grad);
            (ft, dot(&t_grad, &dir))
        };
        let (found, last) = wolfe(&mut phi, f, d0, alpha0);
        let Some(step) = found else {
            reason = limits.stalled(norm_inf(&grad));
            break;
        };
        if step.alpha != last {
            phi(step.alpha);
        }
        ensure_finite(&t_grad, SOLVER, "gradient", it)?;
        memory.push(&theta, &trial, &grad, &t_grad);
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut t_grad);
        f = step.value;
        if record(obj, &mut history, it, limits.max_iter, f, step.alpha, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(A + diag(l2))·v` for the symmetric `a` (`k × k`, row-major).
    fn curvature_times(a: &[f64], l2: &[f64], v: &[f64]) -> Vec<f64> {
        let k = v.len();
        (0..k).map(|i| dot(&a[i * k..(i + 1) * k], v) + l2[i] * v[i]).collect()
    }

    /// pairs of a quadratic under one l2 penalty, carried to another, are the pairs the new
    /// penalty gives (to rounding), newest last; a pair the change leaves without positive
    /// curvature is dropped and the others keep their order.
    #[test]
    fn carried_pairs_are_those_of_the_new_penalty() {
        let k = 3;
        let a = [2.0, 0.5, 0.0, 0.5, 1.0, 0.2, 0.0, 0.2, 0.5];
        let (old, new) = ([0.0, 0.3, 0.3], [0.0, 0.1, 0.05]);
        let steps = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.2, -0.3, 1.0]];
        let mut memory = Memory::new(k);
        memory.l2.copy_from_slice(&old);
        let zero = vec![0.0; k];
        for s in &steps {
            memory.push(&zero, s, &zero, &curvature_times(&a, &old, s));
        }
        memory.carry_to(&new);
        assert_eq!(memory.stored, 3);
        for (m, s) in steps.iter().enumerate() {
            let slot = (memory.newest + MEMORY - (steps.len() - 1 - m)) % MEMORY;
            assert_eq!(&memory.s[slot][..], &s[..]);
            for (got, want) in memory.y[slot].iter().zip(curvature_times(&a, &new, s)) {
                assert!((got - want).abs() <= 1e-15, "pair {m}: {got} vs {want}");
            }
            assert!((memory.rho[slot] * dot(s, &curvature_times(&a, &new, s)) - 1.0).abs() <= 1e-15);
        }
        // a penalty whose change cancels the curvature along the third coordinate
        let along = [0.0, 0.0, 1.0];
        let mut memory = Memory::new(k);
        memory.l2.copy_from_slice(&old);
        for s in [&steps[0], &along, &steps[1]] {
            memory.push(&zero, s, &zero, &curvature_times(&a, &old, s));
        }
        memory.carry_to(&[0.0, 0.3, -0.5]);
        assert_eq!(memory.stored, 2);
        let (oldest, newest) = ((memory.newest + MEMORY - 1) % MEMORY, memory.newest);
        assert_eq!((&memory.s[oldest][..], &memory.s[newest][..]), (&steps[0][..], &steps[1][..]));
        assert!(memory.s.iter().chain(&memory.y).all(|v| v.len() == k), "every slot keeps its buffer");
    }
}
