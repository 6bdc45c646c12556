//! truncated newton in a trust region (LIBLINEAR's primal solver; Lin, Weng & Keerthi 2008):
//! each step solves the newton system by conjugate gradients on hessian–vector products,
//! preconditioned by the hessian's diagonal and stopped inside the trust region (measured in the
//! preconditioner's norm, as Hsia, Chiang & Lin 2018), so the `d × d` hessian is never formed and
//! `d` may be in the millions. the objective supplies the products ([`HessianProducts`]): the
//! binary model's over every row, the multinomial model's over a fixed sample of the rows when
//! there are many (then the conjugate gradients stop at a fixed relative residual).

use std::ops::ControlFlow;

use super::record;
use super::smooth::Smooth;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::StopReason;
use crate::numerics::{dot, norm2};
use crate::objective::Objective;
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::train::Observer;

const SOLVER: &str = "newton-cg";

/// the curvature products truncated newton needs, on top of value and gradient.
pub trait HessianProducts: Smooth {
    /// keep what the products need at θ', the point of the last value-and-gradient pass.
    fn keep_curvature(&mut self, theta: &[f64]);

    /// the hessian's diagonal at the kept θ' into `out` (the preconditioner).
    fn hess_diagonal(&mut self, out: &mut [f64]);

    /// `out ← H·v` at the kept θ'.
    fn hess_vec(&mut self, v: &[f64], out: &mut [f64]);

    /// remove from `v` its component in a subspace where the objective is known and smallest
    /// at 0 (the solver steps in the complement, and a start is moved to that minimum); by
    /// default none.
    fn project(&self, v: &mut [f64]) {
        let _ = v;
    }

    /// the relative residual below which solving the newton system more closely gains nothing
    /// (the error of a sampled hessian); by default 0: the forcing term tends to 0 and the
    /// convergence is superlinear.
    fn forcing_floor(&self) -> f64 {
        0.0
    }
}

impl<B: Backend + ?Sized> HessianProducts for Objective<'_, B> {
    fn keep_curvature(&mut self, _theta: &[f64]) {
        Objective::keep_curvature(self)
    }

    fn hess_diagonal(&mut self, out: &mut [f64]) {
        Objective::hess_diagonal(self, out)
    }

    fn hess_vec(&mut self, v: &[f64], out: &mut [f64]) {
        Objective::hess_vec(self, v, out)
    }
}

/// ratio of actual to predicted decrease below which a step is rejected / the region shrinks /
/// it grows (`η₀, η₁, η₂` of the paper).
const ETA: [f64; 3] = [1e-4, 0.25, 0.75];
/// trust-region scaling factors `σ₁, σ₂, σ₃`.
const SIGMA: [f64; 3] = [0.25, 0.5, 4.0];
/// the conjugate gradients stop when the residual is below `min(FORCING, √‖g‖)·‖g‖` (an inexact
/// newton forcing term that tends to 0: superlinear convergence near the optimum), but never
/// below `FORCING` times [`tol_floor`].
const FORCING: f64 = 0.1;

/// relative size of a predicted decrease below which the objective's rounding swamps it.
const VALUE_PRECISION: f64 = 1e-13;
/// consecutive rejected steps below that precision after which the solver stops.
const MAX_STALLED: usize = 5;

/// minimise a smooth objective (no l1) by trust-region newton-cg from `theta`.
pub fn newton_cg<S: HessianProducts + ?Sized>(
    obj: &mut S,
    mut theta: Vec<f64>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let k = theta.len();
    let mut grad = vec![0.0; k];
    let mut cg = Cg::new(k);
    obj.project(&mut theta);
    let (mut trial, mut t_grad) = (vec![0.0; k], vec![0.0; k]);
    let mut f = obj.value_grad(&theta, &mut grad);
    ensure_finite(&[f], SOLVER, "objective", 0)?;
    ensure_finite(&grad, SOLVER, "gradient", 0)?;
    obj.keep_curvature(&theta);
    obj.hess_diagonal(&mut cg.m);
    let mut delta = m_norm(&grad, &cg.m, -1.0);
    let mut history = Vec::new();
    let mut reason = StopReason::MaxIterations;
    let (mut it, mut stalled) = (0, 0);
    while it < limits.max_iter {
        let gnorm = norm2(&grad);
        let tol = (FORCING.min(gnorm.sqrt()).max(obj.forcing_floor()) * gnorm).max(FORCING * tol_floor(&grad, limits));
        cg.solve(obj, &grad, delta, tol);
        ensure_finite(&cg.s, SOLVER, "step", it + 1)?;
        if limits.converged(&grad, &cg.s, &theta) {
            reason = StopReason::Tolerance;
            break;
        }
        it += 1;
        trial.iter_mut().zip(theta.iter().zip(&cg.s)).for_each(|(t, (x, s))| *t = x + s);
        let f_new = obj.value_grad(&trial, &mut t_grad);
        let gs = dot(&grad, &cg.s);
        // predicted decrease −(gᵀs + ½sᵀHs), with Hs = −g − r from the conjugate gradients
        let predicted = -0.5 * (gs - dot(&cg.s, &cg.r));
        let actual = f - f_new;
        let snorm = m_norm(&cg.s, &cg.m, 1.0);
        if it == 1 {
            delta = delta.min(snorm);
        }
        let alpha = if f_new - f - gs <= 0.0 { SIGMA[2] } else { SIGMA[0].max(-0.5 * (gs / (f_new - f - gs))) };
        delta = if !(actual >= ETA[0] * predicted) {
            (alpha.max(SIGMA[0]) * snorm).min(SIGMA[1] * delta)
        } else if actual < ETA[1] * predicted {
            (SIGMA[0] * delta).max((alpha * snorm).min(SIGMA[1] * delta))
        } else if actual < ETA[2] * predicted {
            (SIGMA[0] * delta).max((alpha * snorm).min(SIGMA[2] * delta))
        } else {
            delta.max((alpha * snorm).min(SIGMA[2] * delta))
        };
        // below the rounding of f the values cannot judge a step: the gradient's norm does
        let judged_by_value = predicted > VALUE_PRECISION * f.abs();
        let accept = if judged_by_value { actual > ETA[0] * predicted } else { norm2(&t_grad) < gnorm };
        if accept && f_new.is_finite() {
            ensure_finite(&t_grad, SOLVER, "gradient", it)?;
            std::mem::swap(&mut theta, &mut trial);
            std::mem::swap(&mut grad, &mut t_grad);
            f = f_new;
            obj.keep_curvature(&theta);
            obj.hess_diagonal(&mut cg.m);
            if record(obj, &mut history, it, limits.max_iter, f, 1.0, observer) == ControlFlow::Break(()) {
                reason = StopReason::Interrupted;
                break;
            }
        }
        // nothing left to gain at this precision: steps too small to change f are rejected by
        // the gradient too, several times in a row
        stalled = if !accept && !judged_by_value { stalled + 1 } else { 0 };
        if stalled >= MAX_STALLED || !(delta > 0.0) {
            reason = limits.stalled(norm_inf(&grad));
            break;
        }
    }
    Ok(Outcome { theta, iterations: history.len(), reason, history })
}

/// the smallest residual worth a conjugate-gradient solve's products, over [`FORCING`]: the
/// gradient tolerance while the gradient is above it (a residual a tenth of it leaves a next
/// gradient within it), then the gradient's own norm (the step is then wanted only for the
/// step test: a tenth of its residual estimates it well enough). without it the forcing term
/// `√‖g‖·‖g‖` asks for residuals rounding cannot reach (1e-20 at ‖g‖ = 1e-14: every one of the
/// `k` products of a solve, 8 s of a 9 s fit at 60k × 100 × 10).
fn tol_floor(grad: &[f64], limits: Limits) -> f64 {
    if norm_inf(grad) > limits.tol { limits.tol } else { norm2(grad) }
}

/// `√(Σ mⱼ^p·vⱼ²)`: the norm of `v` in the metric `diag(m)^p`, `p` = ±1.
fn m_norm(v: &[f64], m: &[f64], p: f64) -> f64 {
    debug_assert!(p == 1.0 || p == -1.0);
    let squares: f64 = if p > 0.0 {
        v.iter().zip(m).map(|(v, m)| m * v * v).sum()
    } else {
        v.iter().zip(m).map(|(v, m)| v * v / m).sum()
    };
    squares.sqrt()
}

/// `Σ mⱼ·aⱼ·bⱼ`.
fn m_dot(a: &[f64], b: &[f64], m: &[f64]) -> f64 {
    a.iter().zip(b).zip(m).map(|((a, b), m)| m * a * b).sum()
}

/// buffers of the preconditioned steihaug conjugate gradients: step `s`, residual
/// `r = −g − H·s`, preconditioned residual `z = M⁻¹r`, direction and its product with the
/// hessian, and the preconditioner `M` (the hessian's diagonal).
struct Cg {
    s: Vec<f64>,
    r: Vec<f64>,
    z: Vec<f64>,
    d: Vec<f64>,
    hd: Vec<f64>,
    m: Vec<f64>,
}

impl Cg {
    fn new(k: usize) -> Self {
        let v = || vec![0.0; k];
        Cg { s: v(), r: v(), z: v(), d: v(), hd: v(), m: vec![1.0; k] }
    }

    /// approximately minimise `gᵀs + ½sᵀHs` over `‖s‖_M ≤ delta`: preconditioned conjugate
    /// gradients until the residual is below `tol` or the step reaches the boundary (or at most
    /// `k` steps).
    fn solve<S: HessianProducts + ?Sized>(&mut self, obj: &mut S, g: &[f64], delta: f64, tol: f64) {
        let Cg { s, r, z, d, hd, m } = self;
        s.fill(0.0);
        r.iter_mut().zip(g).for_each(|(r, g)| *r = -g);
        z.iter_mut().zip(r.iter().zip(m.iter())).for_each(|(z, (r, m))| *z = r / m);
        obj.project(z);
        d.copy_from_slice(z);
        let mut rz = dot(r, z);
        for _ in 0..s.len() {
            if norm2(r) <= tol {
                break;
            }
            obj.hess_vec(d, hd);
            let dhd = dot(d, hd);
            if !(dhd > 0.0) {
                // no curvature along d: go to the boundary
                Self::to_boundary(s, r, d, hd, m, delta);
                break;
            }
            let alpha = rz / dhd;
            s.iter_mut().zip(d.iter()).for_each(|(s, d)| *s += alpha * d);
            if m_norm(s, m, 1.0) > delta {
                s.iter_mut().zip(d.iter()).for_each(|(s, d)| *s -= alpha * d);
                Self::to_boundary(s, r, d, hd, m, delta);
                break;
            }
            r.iter_mut().zip(hd.iter()).for_each(|(r, h)| *r -= alpha * h);
            z.iter_mut().zip(r.iter().zip(m.iter())).for_each(|(z, (r, m))| *z = r / m);
            obj.project(z);
            let rz_new = dot(r, z);
            let beta = rz_new / rz;
            d.iter_mut().zip(z.iter()).for_each(|(d, z)| *d = z + beta * *d);
            rz = rz_new;
        }
    }

    /// `s ← s + τ·d` with `τ ≥ 0` such that `‖s‖_M = delta`, and the residual updated with it.
    fn to_boundary(s: &mut [f64], r: &mut [f64], d: &[f64], hd: &[f64], m: &[f64], delta: f64) {
        let (sd, dd, ss) = (m_dot(s, d, m), m_dot(d, d, m), m_dot(s, s, m));
        let rad = (sd * sd + dd * (delta * delta - ss)).max(0.0).sqrt();
        let tau =
            if dd > 0.0 { if sd >= 0.0 { (delta * delta - ss) / (sd + rad) } else { (rad - sd) / dd } } else { 0.0 };
        s.iter_mut().zip(d).for_each(|(s, d)| *s += tau * d);
        r.iter_mut().zip(hd).for_each(|(r, h)| *r -= tau * h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Silent;

    /// `½θᵀAθ − bᵀθ` with `A = D + c·uuᵀ` (`D` spread over three orders of magnitude, so the
    /// diagonal preconditioner leaves work to the conjugate gradients), counting its products.
    struct Quadratic {
        d: Vec<f64>,
        u: Vec<f64>,
        c: f64,
        /// products since the last kept point: the last solve's, at the end
        since_kept: usize,
    }

    impl Quadratic {
        fn new(k: usize) -> Self {
            let d = (0..k).map(|j| 10f64.powf(3.0 * j as f64 / (k - 1) as f64)).collect();
            let u = (0..k).map(|j| 1.0 + (j % 3) as f64).collect();
            Quadratic { d, u, c: 50.0, since_kept: 0 }
        }

        fn times(&self, v: &[f64], out: &mut [f64]) {
            let uv = self.c * dot(&self.u, v);
            out.iter_mut().enumerate().for_each(|(j, o)| *o = self.d[j] * v[j] + uv * self.u[j]);
        }

        /// `A⁻¹·1` by sherman–morrison.
        fn minimiser(&self) -> Vec<f64> {
            let dinv_b: Vec<f64> = self.d.iter().map(|d| 1.0 / d).collect();
            let dinv_u: Vec<f64> = self.u.iter().zip(&self.d).map(|(u, d)| u / d).collect();
            let t = self.c * dot(&self.u, &dinv_b) / (1.0 + self.c * dot(&self.u, &dinv_u));
            dinv_b.iter().zip(&dinv_u).map(|(a, b)| a - t * b).collect()
        }
    }

    impl Smooth for Quadratic {
        fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
            self.times(theta, grad);
            let value = 0.5 * dot(theta, grad) - theta.iter().sum::<f64>();
            grad.iter_mut().for_each(|g| *g -= 1.0);
            value
        }

        fn inverse_diagonal(&self, _theta: &[f64]) -> Vec<f64> {
            self.d.iter().zip(&self.u).map(|(d, u)| 1.0 / (d + self.c * u * u)).collect()
        }

        fn last_pass(&self) -> (f64, f64) {
            (0.0, 0.0)
        }
    }

    impl HessianProducts for Quadratic {
        fn keep_curvature(&mut self, _theta: &[f64]) {
            self.since_kept = 0;
        }

        fn hess_diagonal(&mut self, out: &mut [f64]) {
            out.iter_mut().enumerate().for_each(|(j, o)| *o = self.d[j] + self.c * self.u[j] * self.u[j]);
        }

        fn hess_vec(&mut self, v: &[f64], out: &mut [f64]) {
            self.since_kept += 1;
            self.times(v, out);
        }
    }

    /// the last solve, at a gradient already within the tolerance, stops at a tenth of it: the
    /// fit lands on the minimiser and that solve takes 28 products here (asked for `√‖g‖·‖g‖`
    /// = 1e-15 at ‖g‖ = 1e-10 it took 120; at 60k × 100 × 10 such a solve ran all 1010).
    #[test]
    fn solves_near_the_optimum_stop_where_rounding_allows() {
        let k = 200;
        let mut q = Quadratic::new(k);
        let limits = Limits { tol: 1e-10, max_iter: 50 };
        let out = newton_cg(&mut q, vec![0.0; k], limits, &mut Silent).unwrap();
        assert_eq!(out.reason, StopReason::Tolerance);
        let want = q.minimiser();
        let worst = out.theta.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 1e-9, "θ off the minimiser by {worst:e}");
        assert!(q.since_kept < k / 4, "the last solve took {} products", q.since_kept);
    }
}
