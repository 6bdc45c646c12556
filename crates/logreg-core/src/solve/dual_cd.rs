//! `dual-cd`: coordinate descent on the dual of l2-penalised logistic regression without
//! intercept (Yu, Huang & Lin 2011; LIBLINEAR's `-s 7`), for data with more columns than rows.
//!
//! in the scaled parameters `v = √λ ⊙ θ'` (λ the penalty of each coordinate of θ') the objective
//! is `Σᵢ Cᵢ·log(1 + exp(−yᵢ·x̂ᵢ·v)) + ½‖v‖²` with `Cᵢ = sᵢ/Σs` and `x̂ᵢⱼ = xᵢⱼ/(σⱼ√λⱼ)`; its dual
//! has one variable per row, `0 ≤ αᵢ ≤ Cᵢ`, and `v = Σ αᵢyᵢx̂ᵢ`. each sweep visits the rows in a
//! seeded random order and solves each one-variable sub-problem by a safeguarded newton method on
//! the sub-problem's own log terms; a sweep costs one pass over the rows, sequential (so the
//! result does not depend on the thread count). after each sweep the primal gradient is taken by
//! a full pass: the solver stops on the same scaled-gradient tolerance as the others.

use std::ops::ControlFlow;

use super::record;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::StopReason;
use crate::objective::Objective;
use crate::outcome::{Limits, Outcome, ensure_finite};
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
    // x̂ᵢⱼ = xᵢⱼ·f[j]; θ'ⱼ = vⱼ·g[j]
    let f: Vec<f64> = (0..d)
        .map(|j| if scaling.constant[j] || !(l2[j] > 0.0) { 0.0 } else { 1.0 / (scaling.scale[j] * l2[j].sqrt()) })
        .collect();
    let g: Vec<f64> = (0..d).map(|j| if f[j] == 0.0 { 0.0 } else { 1.0 / l2[j].sqrt() }).collect();
    let total = obj.total_weight();
    let c: Vec<f64> = (0..n).map(|i| data.weight(i) / total).collect();
    let y: Vec<f64> = data.y.iter().map(|&v| if v == 1.0 { 1.0 } else { -1.0 }).collect();
    let rows = Rows { x: data.x, f: &f };
    let qii: Vec<f64> = (0..n).map(|i| rows.squared_norm(i)).collect();
    // α and C − α, both kept to avoid cancellation near either end
    let mut alpha: Vec<f64> = c.iter().map(|&ci| (1e-3 * ci).min(1e-8)).collect();
    let mut rest: Vec<f64> = c.iter().zip(&alpha).map(|(ci, a)| ci - a).collect();
    let mut v = vec![0.0; d];
    for i in 0..n {
        rows.add_to(i, alpha[i] * y[i], &mut v);
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| c[i] > 0.0).collect();
    let mut rng = Rng::new(0);
    let mut inner_tol = 1e-2;
    let inner_tol_min = limits.tol.min(1e-8);
    let (mut theta, mut previous, mut step) = (vec![0.0; d + 1], vec![0.0; d + 1], vec![0.0; d + 1]);
    let mut grad = vec![0.0; d + 1];
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    for it in 1..=limits.max_iter {
        rng.shuffle(&mut order);
        let mut newton_steps = 0;
        for &i in &order {
            let (a, b) = (qii[i], y[i] * rows.dot(i, &v));
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
                rows.add_to(i, (new_alpha - alpha[i]) * y[i], &mut v);
                (alpha[i], rest[i]) = (new_alpha, new_rest);
            }
        }
        if newton_steps <= n / 10 {
            inner_tol = (0.1 * inner_tol).max(inner_tol_min);
        }
        std::mem::swap(&mut previous, &mut theta);
        theta[0] = 0.0;
        theta[1..].iter_mut().zip(v.iter().zip(&g)).for_each(|(t, (v, g))| *t = v * g);
        let value = obj.smooth_value_grad(&theta, &mut grad);
        ensure_finite(&grad, SOLVER, "gradient", it)?;
        step.iter_mut().zip(theta.iter().zip(&previous)).for_each(|(s, (a, b))| *s = a - b);
        if record(obj, &mut history, it, limits.max_iter, value, 1.0, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
        if limits.converged(&grad, &step, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}

/// the rows of the design matrix with each column scaled by `f`.
struct Rows<'a> {
    x: Design<'a>,
    f: &'a [f64],
}

impl Rows<'_> {
    /// `x̂ᵢ·v`.
    fn dot(&self, i: usize, v: &[f64]) -> f64 {
        match self.x {
            Design::Dense(x) => x.row(i).iter().zip(self.f).zip(v).map(|((x, f), v)| x * f * v).sum(),
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                cols.iter().zip(vals).map(|(&j, x)| x * self.f[j as usize] * v[j as usize]).sum()
            }
        }
    }

    /// `v ← v + a·x̂ᵢ`.
    fn add_to(&self, i: usize, a: f64, v: &mut [f64]) {
        match self.x {
            Design::Dense(x) => {
                v.iter_mut().zip(x.row(i).iter().zip(self.f)).for_each(|(v, (x, f))| *v += a * x * f);
            }
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                for (&j, x) in cols.iter().zip(vals) {
                    v[j as usize] += a * x * self.f[j as usize];
                }
            }
        }
    }

    /// `‖x̂ᵢ‖²`.
    fn squared_norm(&self, i: usize) -> f64 {
        match self.x {
            Design::Dense(x) => x.row(i).iter().zip(self.f).map(|(x, f)| (x * f) * (x * f)).sum(),
            Design::Sparse(x) => {
                let (cols, vals) = x.row(i);
                cols.iter().zip(vals).map(|(&j, x)| (x * self.f[j as usize]).powi(2)).sum()
            }
        }
    }
}
