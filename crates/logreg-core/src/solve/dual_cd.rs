//! `dual-cd`: coordinate descent on the dual of l2-penalised logistic regression without
//! intercept (Yu, Huang & Lin 2011; LIBLINEAR's `-s 7`), for data with more columns than rows.
//!
//! in the scaled parameters `v = √λ ⊙ θ'` (λ the penalty of each coordinate of θ') the objective
//! is `Σᵢ Cᵢ·log(1 + exp(−yᵢ·x̂ᵢ·v)) + ½‖v‖²` with `Cᵢ = sᵢ/Σs` and `x̂ᵢⱼ = xᵢⱼ/(σⱼ√λⱼ)`; its dual
//! has one variable per row, `0 ≤ αᵢ ≤ Cᵢ`, and `v = Σ αᵢyᵢx̂ᵢ`. each sweep visits the rows in a
//! seeded random order and solves each one-variable sub-problem by a safeguarded newton method on
//! the sub-problem's own log terms; a sweep costs one pass over the rows, sequential (so the
//! result does not depend on the thread count). the solver stops on the same test as the others
//! — scaled gradient and step within the tolerance — so after a sweep whose step is small enough
//! the primal gradient is taken by a full pass; only those sweeps enter the history.

use std::ops::ControlFlow;

use super::record;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::StopReason;
use crate::objective::Objective;
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::rng::Rng;
use crate::train::Observer;
use crate::view::Design;

const SOLVER: &str = "dual-cd";
/// newton steps per sub-problem at most.
const MAX_INNER: usize = 100;
/// a newton step that would leave the interval shrinks the point by this factor instead.
const SHRINK: f64 = 0.1;

/// minimise the objective (l2 penalty, no intercept, no l1) by dual coordinate descent.
pub fn dual_cd<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let (n, d) = (obj.n_rows(), obj.n_features());
    let data = obj.data();
    let (scaling, l2) = (obj.scaling(), obj.l2_weights());
    // x̂ᵢⱼ = xᵢⱼ·f[j]; the solver keeps u = f ⊙ v, so that x̂ᵢ·v = xᵢ·u, and θ'ⱼ = σⱼ·uⱼ
    let f: Vec<f64> = (0..d)
        .map(|j| if scaling.constant[j] || !(l2[j] > 0.0) { 0.0 } else { 1.0 / (scaling.scale[j] * l2[j].sqrt()) })
        .collect();
    let f2: Vec<f64> = f.iter().map(|f| f * f).collect();
    let sigma: Vec<f64> = (0..d).map(|j| if f[j] == 0.0 { 0.0 } else { scaling.scale[j] }).collect();
    let total = obj.total_weight();
    let c: Vec<f64> = (0..n).map(|i| data.weight(i) / total).collect();
    let y: Vec<f64> = data.y.iter().map(|&v| if v == 1.0 { 1.0 } else { -1.0 }).collect();
    let rows = Rows { x: data.x, f2: &f2 };
    let qii: Vec<f64> = (0..n).map(|i| rows.squared_norm(i)).collect();
    // α and C − α, both kept to avoid cancellation near either end
    let mut alpha: Vec<f64> = c.iter().map(|&ci| (1e-3 * ci).min(1e-8)).collect();
    let mut rest: Vec<f64> = c.iter().zip(&alpha).map(|(ci, a)| ci - a).collect();
    let mut u = vec![0.0; d];
    for i in 0..n {
        rows.add_to(i, alpha[i] * y[i], &mut u);
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| c[i] > 0.0).collect();
    let mut rng = Rng::new(0);
    let mut inner_tol = 1e-2;
    let inner_tol_min = limits.tol.min(1e-8);
    let (mut theta, mut previous, mut step) = (vec![0.0; d + 1], vec![0.0; d + 1], vec![0.0; d + 1]);
    let mut grad = vec![0.0; d + 1];
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    let mut sweeps = 0;
    for it in 1..=limits.max_iter {
        sweeps = it;
        rng.shuffle(&mut order);
        let mut newton_steps = 0;
        for &i in &order {
            let (a, b) = (qii[i], y[i] * rows.dot(i, &u));
            let ci = c[i];
            // minimise over z = the smaller-gradient end's variable: z·log z + (C − z)·log(C − z)
            // + ½a(z − z₀)² + sign·b·(z − z₀), from the side where it is not near C
            let (lower_first, z0) =
                if 0.5 * a * (rest[i] - alpha[i]) + b < 0.0 { (false, rest[i]) } else { (true, alpha[i]) };
            let sign = if lower_first { 1.0 } else { -1.0 };
            let mut z = if ci - z0 < 0.5 * ci { SHRINK * z0 } else { z0 };
            let mut gp = a * (z - z0) + sign * b + (z / (ci - z)).ln();
            let mut steps = 0;
            while steps < MAX_INNER && gp.abs() >= inner_tol {
                let gpp = a + ci / (ci - z) / z;
                let next = z - gp / gpp;
                z = if next <= 0.0 { z * SHRINK } else { next };
                gp = a * (z - z0) + sign * b + (z / (ci - z)).ln();
                steps += 1;
            }
            newton_steps += steps;
            if steps > 0 {
                let (new_alpha, new_rest) = if lower_first { (z, ci - z) } else { (ci - z, z) };
                rows.add_to(i, (new_alpha - alpha[i]) * y[i], &mut u);
                (alpha[i], rest[i]) = (new_alpha, new_rest);
            }
        }
        if newton_steps <= n / 10 {
            inner_tol = (0.1 * inner_tol).max(inner_tol_min);
        }
        std::mem::swap(&mut previous, &mut theta);
        theta[0] = 0.0;
        theta[1..].iter_mut().zip(u.iter().zip(&sigma)).for_each(|(t, (u, s))| *t = u * s);
        step.iter_mut().zip(theta.iter().zip(&previous)).for_each(|(s, (a, b))| *s = a - b);
        // a step beyond the tolerance fails the stopping test whatever the gradient: no pass
        if norm_inf(&step) > limits.tol * norm_inf(&theta).max(1.0) && it < limits.max_iter {
            continue;
        }
        let value = obj.smooth_value_grad(&theta, &mut grad);
        ensure_finite(&grad, SOLVER, "gradient", it)?;
        if record(obj, &mut history, it, limits.max_iter, value, 1.0, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
        if limits.converged(&grad, &step, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
    }
    Ok(Outcome { theta, iterations: sweeps, reason, history })
}

/// the rows of the design matrix, and the squares of the column factors `f`.
struct Rows<'a> {
    x: Design<'a>,
    f2: &'a [f64],
}

impl Rows<'_> {
    /// `xᵢ·u` (= `x̂ᵢ·v`).
    fn dot(&self, i: usize, u: &[f64]) -> f64 {
        match self.x {
            Design::Dense(x) => x.row(i).iter().zip(u).map(|(x, u)| x * u).sum(),
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                cols.iter().zip(vals).map(|(&j, x)| x * u[j as usize]).sum()
            }
        }
    }

    /// `u ← u + a·f ⊙ x̂ᵢ` (= `f ⊙ (v + a·x̂ᵢ)`).
    fn add_to(&self, i: usize, a: f64, u: &mut [f64]) {
        match self.x {
            Design::Dense(x) => {
                u.iter_mut().zip(x.row(i).iter().zip(self.f2)).for_each(|(u, (x, f2))| *u += a * x * f2);
            }
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                for (&j, x) in cols.iter().zip(vals) {
                    u[j as usize] += a * x * self.f2[j as usize];
                }
            }
        }
    }

    /// `‖x̂ᵢ‖²`.
    fn squared_norm(&self, i: usize) -> f64 {
        match self.x {
            Design::Dense(x) => x.row(i).iter().zip(self.f2).map(|(x, f2)| x * x * f2).sum(),
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                cols.iter().zip(vals).map(|(&j, x)| x * x * self.f2[j as usize]).sum()
            }
        }
    }
}
