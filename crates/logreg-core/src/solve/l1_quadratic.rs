//! the subproblem of proximal newton: minimise the quadratic model plus the l1 term,
//! `q(u) = gᵀ(u − θ) + ½(u − θ)ᵀH(u − θ) + Σⱼ λⱼ|uⱼ|` (intercept unpenalised), over `u`.
//!
//! a few sweeps of coordinate descent with soft-thresholding guess the active set and its
//! signs; then the feature-sign search of lee, battle, raina & ng (2007) finds the exact
//! minimiser: on the signed active set the model is a plain quadratic, solved by cholesky; a
//! discrete line search over the points where a coefficient changes sign keeps the best one
//! (coefficients reaching zero leave the set); coordinates at zero whose model gradient exceeds
//! their λ join it. every step lowers `q`, and each round ends at the exact minimiser on its
//! set, where coordinate descent alone crawls along the nearly singular directions of
//! correlated features.

// coordinates index several parallel vectors (θ, Δ, g, hΔ, signs) at once
#![allow(clippy::needless_range_loop)]

use crate::linalg::{cholesky_in_place, cholesky_solve};
use crate::objective::kkt_violation;

/// coordinate-descent sweeps before the feature-sign search.
const SWEEPS: usize = 4;
/// rounds of the feature-sign search (activations) at most.
const MAX_ROUNDS: usize = 200;

/// buffers of the subproblem solver for `k` parameters.
#[derive(Debug)]
pub(crate) struct L1Quadratic {
    h_delta: Vec<f64>,
    u: Vec<f64>,
    model_grad: Vec<f64>,
    sign: Vec<f64>,
    active: Vec<usize>,
    reduced: Vec<f64>,
    reduced_copy: Vec<f64>,
    rhs: Vec<f64>,
    candidate: Vec<f64>,
    trial: Vec<f64>,
    h_trial: Vec<f64>,
    best: Vec<f64>,
    h_best: Vec<f64>,
    crossings: Vec<f64>,
}

/// the model's data: hessian `h` (`k × k`, row-major, positive semi-definite), gradient `g`,
/// the current point `theta` and the l1 strength `lambda` of each parameter (0 for intercepts).
pub(crate) struct Model<'a> {
    pub h: &'a [f64],
    pub g: &'a [f64],
    pub theta: &'a [f64],
    pub lambda: &'a [f64],
}

impl Model<'_> {
    fn k(&self) -> usize {
        self.g.len()
    }

    /// λ of parameter `j`.
    fn lambda(&self, j: usize) -> f64 {
        self.lambda[j]
    }

    /// `q(θ + Δ) − q(θ)` given `hΔ = H·Δ`.
    fn change(&self, delta: &[f64], h_delta: &[f64]) -> f64 {
        let mut v = 0.0;
        for j in 0..self.k() {
            v += delta[j] * (self.g[j] + 0.5 * h_delta[j]);
            v += self.lambda(j) * ((self.theta[j] + delta[j]).abs() - self.theta[j].abs());
        }
        v
    }

    /// `out ← H·v`.
    fn times(&self, v: &[f64], out: &mut [f64]) {
        let k = self.k();
        for (i, o) in out.iter_mut().enumerate() {
            *o = crate::numerics::dot(&self.h[i * k..(i + 1) * k], v);
        }
    }
}

impl L1Quadratic {
    /// buffers for `k` parameters.
    pub fn new(k: usize) -> Self {
        L1Quadratic {
            h_delta: vec![0.0; k],
            u: vec![0.0; k],
            model_grad: vec![0.0; k],
            sign: vec![0.0; k],
            active: Vec::with_capacity(k),
            reduced: vec![0.0; k * k],
            reduced_copy: vec![0.0; k * k],
            rhs: vec![0.0; k],
            candidate: vec![0.0; k],
            trial: vec![0.0; k],
            h_trial: vec![0.0; k],
            best: vec![0.0; k],
            h_best: vec![0.0; k],
            crossings: Vec::with_capacity(k + 1),
        }
    }

    /// the step `Δ = u − θ` to the model's minimiser (to a kkt violation of at most `tol`) into
    /// `delta`; returns the violation reached.
    pub fn solve(&mut self, m: &Model<'_>, tol: f64, delta: &mut [f64]) -> f64 {
        let k = m.k();
        delta.fill(0.0);
        self.h_delta.fill(0.0);
        self.sweeps(m, delta);
        for j in 0..k {
            let u = m.theta[j] + delta[j];
            self.sign[j] = if m.lambda(j) == 0.0 || u == 0.0 { 0.0 } else { u.signum() };
        }
        let mut violation = self.violation(m, delta);
        let mut last_value = m.change(delta, &self.h_delta);
        for _ in 0..MAX_ROUNDS {
            if violation <= tol {
                break;
            }
            // coordinates at zero whose model gradient exceeds their λ join, against the gradient
            for j in 0..k {
                let (lambda, mg) = (m.lambda(j), self.model_grad[j]);
                if lambda > 0.0 && self.u[j] == 0.0 && mg.abs() > lambda {
                    self.sign[j] = -mg.signum();
                }
            }
            // feature-sign steps until the point is the minimiser on its signed set
            for _ in 0..=k {
                if !self.feature_sign_step(m, delta) {
                    break;
                }
            }
            violation = self.violation(m, delta);
            let value = m.change(delta, &self.h_delta);
            if !(value < last_value) {
                break; // no further decrease: the minimiser to rounding
            }
            last_value = value;
        }
        violation
    }

    /// kkt violation of the model at `θ + Δ` (fills `u` and `model_grad`).
    fn violation(&mut self, m: &Model<'_>, delta: &[f64]) -> f64 {
        for j in 0..m.k() {
            self.u[j] = m.theta[j] + delta[j];
            self.model_grad[j] = m.g[j] + self.h_delta[j];
        }
        kkt_violation(&self.u, &self.model_grad, m.lambda)
    }

    /// cyclic coordinate descent with soft-thresholding, keeping `hΔ` up to date.
    fn sweeps(&mut self, m: &Model<'_>, delta: &mut [f64]) {
        let k = m.k();
        for _ in 0..SWEEPS {
            for j in 0..k {
                let a = m.h[j * k + j];
                if !(a > 0.0) {
                    continue;
                }
                let u = m.theta[j] + delta[j];
                let target = u - (m.g[j] + self.h_delta[j]) / a;
                let change = soft_threshold(target, m.lambda(j) / a) - u;
                if change != 0.0 {
                    delta[j] += change;
                    for (hd, h) in self.h_delta.iter_mut().zip(&m.h[j * k..(j + 1) * k]) {
                        *hd += change * h;
                    }
                }
            }
        }
    }

    /// one feature-sign step: the exact minimiser `Δ*` of the quadratic on the signed set (free
    /// and signed coordinates; the others at `u = 0`), then the best of `Δ*` and of the points
    /// on the way where a signed coordinate reaches zero (which then leaves the set). `true` when
    /// the point moved to a crossing (the set changed: another step is due), `false` when it
    /// reached `Δ*` or could not improve.
    fn feature_sign_step(&mut self, m: &Model<'_>, delta: &mut [f64]) -> bool {
        let k = m.k();
        self.active.clear();
        self.active.extend((0..k).filter(|&j| m.lambda(j) == 0.0 || self.sign[j] != 0.0));
        let na = self.active.len();
        // H_AA·Δ_A = −g_A − λ_A∘σ_A + H_AĀ·θ_Ā   (Δ_Ā = −θ_Ā puts the others at u = 0)
        for (r, &i) in self.active.iter().enumerate() {
            let mut v = -m.g[i] - m.lambda(i) * self.sign[i];
            for j in 0..k {
                if m.lambda(j) > 0.0 && self.sign[j] == 0.0 {
                    v += m.h[i * k + j] * m.theta[j];
                }
            }
            self.rhs[r] = v;
            for (c, &j) in self.active.iter().enumerate() {
                self.reduced[r * na + c] = m.h[i * k + j];
            }
        }
        if !solve_spd(&mut self.reduced[..na * na], &mut self.reduced_copy[..na * na], &mut self.rhs[..na], na) {
            return false;
        }
        for j in 0..k {
            self.candidate[j] = -m.theta[j];
        }
        for (r, &i) in self.active.iter().enumerate() {
            self.candidate[i] = self.rhs[r];
        }
        // the points on [Δ, Δ*] where a signed coordinate reaches zero, and Δ* itself
        self.crossings.clear();
        for &j in &self.active {
            let (u, u_star) = (m.theta[j] + delta[j], m.theta[j] + self.candidate[j]);
            if m.lambda(j) > 0.0 && u != 0.0 && u_star.signum() != u.signum() {
                self.crossings.push(u / (u - u_star));
            }
        }
        self.crossings.push(1.0);
        let mut best_value = m.change(delta, &self.h_delta);
        let mut best_t = None;
        for c in 0..self.crossings.len() {
            let t = self.crossings[c];
            for j in 0..k {
                let v = delta[j] + t * (self.candidate[j] - delta[j]);
                // a coordinate that crosses here lands exactly on zero
                let u = m.theta[j] + v;
                self.trial[j] = if m.lambda(j) > 0.0 && t < 1.0 && u.abs() <= 1e-15 * m.theta[j].abs().max(1.0) {
                    -m.theta[j]
                } else {
                    v
                };
            }
            m.times(&self.trial, &mut self.h_trial);
            let value = m.change(&self.trial, &self.h_trial);
            if value < best_value {
                best_value = value;
                best_t = Some(t);
                self.best.copy_from_slice(&self.trial);
                self.h_best.copy_from_slice(&self.h_trial);
            }
        }
        let Some(t) = best_t else {
            return false;
        };
        delta.copy_from_slice(&self.best);
        self.h_delta.copy_from_slice(&self.h_best);
        for j in 0..k {
            if m.lambda(j) > 0.0 {
                let u = m.theta[j] + delta[j];
                self.sign[j] = if u == 0.0 { 0.0 } else { u.signum() };
            }
        }
        t < 1.0
    }
}

/// solve `a·x = b` in place for a symmetric positive semi-definite `a` (`n × n`, overwritten by
/// its factor; `copy` is scratch), adding the smallest ridge in `1e-13·scale … 1e-5·scale` that
/// a collinear set needs; `false` when none helps.
fn solve_spd(a: &mut [f64], copy: &mut [f64], b: &mut [f64], n: usize) -> bool {
    let scale = (0..n).map(|j| a[j * n + j].abs()).fold(f64::MIN_POSITIVE, f64::max);
    copy.copy_from_slice(a);
    let mut ridge = 0.0;
    while !cholesky_in_place(a, n) {
        ridge = if ridge == 0.0 { 1e-13 * scale } else { ridge * 100.0 };
        if ridge > 1e-5 * scale {
            return false;
        }
        a.copy_from_slice(copy);
        for j in 0..n {
            a[j * n + j] += ridge;
        }
    }
    cholesky_solve(a, n, b);
    b.iter().all(|v| v.is_finite())
}

/// `sign(x)·max(|x| − t, 0)`.
fn soft_threshold(x: f64, t: f64) -> f64 {
    if t == 0.0 { x } else { x.signum() * (x.abs() - t).max(0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// q at θ + Δ minus q at θ, straight from the definition.
    fn q(m: &Model<'_>, delta: &[f64]) -> f64 {
        let k = m.k();
        let mut hd = vec![0.0; k];
        for i in 0..k {
            hd[i] = (0..k).map(|j| m.h[i * k + j] * delta[j]).sum();
        }
        m.change(delta, &hd)
    }

    #[test]
    fn reaches_the_exact_minimiser_on_nearly_collinear_problems() {
        // a gram of 30 rows of 12 columns where column 11 = column 10 + 1e-3·noise (condition
        // number ~1e6), and a lasso strength that leaves some coordinates at zero
        let (n, k) = (30, 12);
        let mut rng = Rng::new(5);
        let mut x = vec![0.0; n * k];
        for i in 0..n {
            x[i * k] = 1.0;
            for j in 1..k - 1 {
                x[i * k + j] = rng.normal();
            }
            x[i * k + k - 1] = x[i * k + k - 2] + 1e-3 * rng.normal();
        }
        let mut h = vec![0.0; k * k];
        for i in 0..n {
            for a in 0..k {
                for b in 0..k {
                    h[a * k + b] += x[i * k + a] * x[i * k + b] / n as f64;
                }
            }
        }
        let g: Vec<f64> = (0..k).map(|_| 0.5 * rng.normal()).collect();
        let theta: Vec<f64> = (0..k).map(|j| if j % 3 == 0 { 0.0 } else { rng.normal() }).collect();
        let lambda: Vec<f64> = (0..k).map(|j| if j == 0 { 0.0 } else { 1.0 }).collect();
        let m = Model { h: &h, g: &g, theta: &theta, lambda: &lambda };
        let mut solver = L1Quadratic::new(k);
        let mut delta = vec![0.0; k];
        // condition number ~1e6: the model gradient is exact to about ε·cond ≈ 2e-10
        let violation = solver.solve(&m, 1e-9, &mut delta);
        assert!(violation <= 1e-9, "kkt violation {violation:e}");
        let u: Vec<f64> = theta.iter().zip(&delta).map(|(t, d)| t + d).collect();
        assert!(u[1..].contains(&0.0), "some exact zeros: {u:?}");
        // no coordinate move lowers q (the minimiser of a convex function)
        let best = q(&m, &delta);
        for j in 0..k {
            for step in [1e-6, -1e-6] {
                let mut d = delta.clone();
                d[j] += step;
                assert!(q(&m, &d) >= best - 1e-15, "coordinate {j} by {step}");
            }
        }
    }

    #[test]
    fn without_l1_it_is_the_newton_step() {
        let h = [4.0, 1.0, 1.0, 3.0];
        let g = [1.0, 2.0];
        let theta = [0.5, -0.5];
        let m = Model { h: &h, g: &g, theta: &theta, lambda: &[0.0, 0.0] };
        let mut delta = [0.0; 2];
        L1Quadratic::new(2).solve(&m, 1e-14, &mut delta);
        // H·Δ = −g: Δ = −[[3, −1], [−1, 4]]·g / 11
        let expected = [-(3.0 * 1.0 - 2.0) / 11.0, -(-1.0 + 4.0 * 2.0) / 11.0];
        assert!((delta[0] - expected[0]).abs() < 1e-15 && (delta[1] - expected[1]).abs() < 1e-15, "{delta:?}");
    }
}
