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

use std::borrow::Cow;
use std::ops::ControlFlow;

use super::record;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::StopReason;
use crate::objective::{Objective, max_nan};
use crate::outcome::{Limits, Outcome, ensure_finite, norm_inf};
use crate::rng::Rng;
use crate::train::Observer;
use crate::view::{Design, MatrixRef};
use rayon::prelude::*;

const SOLVER: &str = "dual-cd";
/// newton steps per sub-problem at most.
const MAX_INNER: usize = 100;
/// a newton step that would leave the interval shrinks the point by this factor instead.
const SHRINK: f64 = 0.1;
/// at most this many columns (a 512 KB `u`, within a core's l2 cache) are not renumbered: the
/// copy of the column indices would buy nothing.
const CACHED_COLUMNS: usize = 1 << 16;

/// minimise the objective (l2 penalty, no intercept, no l1) by dual coordinate descent.
pub fn dual_cd<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    limits: Limits,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let (n, d) = (obj.n_rows(), obj.n_features());
    let data = obj.data();
    let (scaling, l2) = (obj.scaling(), obj.l2_weights());
    // x̂ᵢⱼ = xᵢⱼ·fⱼ with fⱼ = 1/(σⱼ√λⱼ) (0 for a column held at 0); the solver keeps u = f ⊙ v,
    // so that x̂ᵢ·v = xᵢ·u, and θ'ⱼ = σⱼ·uⱼ
    let sigma: Vec<f64> =
        (0..d).map(|j| if scaling.constant[j] || !(l2[j] > 0.0) { 0.0 } else { scaling.scale[j] }).collect();
    // f² = 1/(σ²λ) is the reciprocal of the penalty on the raw coefficient: one number for every
    // column when the penalty is on the raw coefficients (the uncentred scaling of a fit without
    // intercept holds only all-zero columns at 0, so their factor is never used)
    let penalty = obj.penalty().l2();
    let f2 = if !obj.penalizes_scaled() && penalty > 0.0 {
        Factors::Same(1.0 / penalty)
    } else {
        Factors::Each((0..d).map(|j| if sigma[j] == 0.0 { 0.0 } else { 1.0 / (sigma[j] * sigma[j] * l2[j]) }).collect())
    };
    let total = obj.total_weight();
    let c: Vec<f64> = (0..n).map(|i| data.weight(i) / total).collect();
    let y: Vec<f64> = data.y.iter().map(|&v| if v == 1.0 { 1.0 } else { -1.0 }).collect();
    let rows = Rows::new(data.x, f2);
    // α and C − α, both kept to avoid cancellation near either end
    let mut alpha: Vec<f64> = c.iter().map(|&ci| (1e-3 * ci).min(1e-8)).collect();
    let mut rest: Vec<f64> = c.iter().zip(&alpha).map(|(ci, a)| ci - a).collect();
    let mut u = vec![0.0; d];
    let qii: Vec<f64> = (0..n).map(|i| rows.squared_norm_adding(i, alpha[i] * y[i], &mut u)).collect();
    let mut order: Vec<usize> = (0..n).filter(|&i| c[i] > 0.0).collect();
    let mut rng = Rng::new(0);
    let mut inner_tol = 1e-2;
    let inner_tol_min = limits.tol.min(1e-8);
    // θ' without intercept in the solver's column order (the step is taken there, its norms
    // do not depend on the order), and in the objective's order for the full passes
    let sigma_k: Vec<f64> = (0..d).map(|k| sigma[rows.original(k)]).collect();
    let mut theta_k = vec![0.0; d];
    let (mut theta, mut grad) = (vec![0.0; d + 1], vec![0.0; d + 1]);
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
        let (mut step_norm, mut theta_norm) = (0.0, 0.0);
        for ((t, &u), &sigma) in theta_k.iter_mut().zip(&u).zip(&sigma_k) {
            let next = u * sigma;
            step_norm = max_nan(step_norm, (next - *t).abs());
            theta_norm = max_nan(theta_norm, next.abs());
            *t = next;
        }
        // a step beyond the tolerance fails the stopping test whatever the gradient: no pass
        if step_norm > limits.tol * theta_norm.max(1.0) && it < limits.max_iter {
            continue;
        }
        for (k, &t) in theta_k.iter().enumerate() {
            theta[1 + rows.original(k)] = t;
        }
        let value = obj.smooth_value_grad(&theta, &mut grad);
        ensure_finite(&grad, SOLVER, "gradient", it)?;
        if record(obj, &mut history, it, limits.max_iter, value, 1.0, observer) == ControlFlow::Break(()) {
            reason = StopReason::Interrupted;
            break;
        }
        if limits.converged_norms(norm_inf(&grad), step_norm, theta_norm) {
            reason = StopReason::Tolerance;
            break;
        }
    }
    Ok(Outcome { theta, iterations: sweeps, reason, history })
}

/// the squares of the column factors `f`.
enum Factors {
    /// the same for every column
    Same(f64),
    /// one per column
    Each(Vec<f64>),
}

/// the rows of the design matrix and the column factors, in the solver's column order: sparse
/// columns too many for `u` to stay in a core's cache renumbered by how many rows store them,
/// most first, so that the coordinates the sweeps touch most share cache lines (on wide
/// text-like data the frequent columns are a small part of `u` scattered over all of it).
struct Rows<'a> {
    x: Stored<'a>,
    f2: Factors,
}

/// the design matrix as the solver reads it.
enum Stored<'a> {
    Dense(MatrixRef<'a>),
    /// row offsets (absolute, as `x`'s), the columns from the first row's offset on (`x`'s or
    /// renumbered), values from there, and the original column of each renumbered one (none
    /// when not renumbered)
    Sparse {
        indptr: &'a [usize],
        cols: Cow<'a, [u32]>,
        vals: &'a [f64],
        original: Option<Vec<u32>>,
    },
}

impl<'a> Rows<'a> {
    /// the rows of `x` with column factors `f2` (in `x`'s order).
    fn new(x: Design<'a>, f2: Factors) -> Self {
        match x {
            Design::Dense(x) => Rows { x: Stored::Dense(x), f2 },
            Design::Sparse(x) => {
                let indptr = x.indptr();
                let (lo, hi) = (indptr[0], indptr[indptr.len() - 1]);
                let (cols, vals) = (&x.indices()[lo..hi], &x.values()[lo..hi]);
                if x.n_cols() <= CACHED_COLUMNS {
                    return Rows { x: Stored::Sparse { indptr, cols: Cow::Borrowed(cols), vals, original: None }, f2 };
                }
                let (rank, original) = by_frequency(cols, x.n_cols());
                let cols = cols.par_iter().map(|&j| rank[j as usize]).collect();
                let f2 = match f2 {
                    Factors::Each(f2) => Factors::Each(original.iter().map(|&j| f2[j as usize]).collect()),
                    same => same,
                };
                Rows { x: Stored::Sparse { indptr, cols: Cow::Owned(cols), vals, original: Some(original) }, f2 }
            }
        }
    }

    /// the original column of the solver's column `k`.
    fn original(&self, k: usize) -> usize {
        match &self.x {
            Stored::Dense(_) => k,
            Stored::Sparse { original, .. } => original.as_ref().map_or(k, |o| o[k] as usize),
        }
    }

    /// row `i` of a sparse design: its (renumbered) columns and values.
    #[inline]
    fn sparse_row<'b>(indptr: &[usize], cols: &'b [u32], vals: &'b [f64], i: usize) -> (&'b [u32], &'b [f64]) {
        let (a, b) = (indptr[i] - indptr[0], indptr[i + 1] - indptr[0]);
        (&cols[a..b], &vals[a..b])
    }

    /// `xᵢ·u` (= `x̂ᵢ·v`).
    #[inline]
    fn dot(&self, i: usize, u: &[f64]) -> f64 {
        match &self.x {
            Stored::Dense(x) => x.row(i).iter().zip(u).map(|(x, u)| x * u).sum(),
            Stored::Sparse { indptr, cols, vals, .. } => {
                let (cols, vals) = Self::sparse_row(indptr, cols, vals, i);
                // four running sums: the scattered loads of `u` overlap instead of queueing
                // behind one chain of additions
                let mut sums = [0.0; 4];
                let (head, tail) = (cols.chunks_exact(4), vals.chunks_exact(4));
                let (rest_cols, rest_vals) = (head.remainder(), tail.remainder());
                for (j, x) in head.zip(tail) {
                    for k in 0..4 {
                        sums[k] += x[k] * u[j[k] as usize];
                    }
                }
                for (&j, x) in rest_cols.iter().zip(rest_vals) {
                    sums[0] += x * u[j as usize];
                }
                (sums[0] + sums[1]) + (sums[2] + sums[3])
            }
        }
    }

    /// `u ← u + a·f ⊙ x̂ᵢ` (= `f ⊙ (v + a·x̂ᵢ)`).
    #[inline]
    fn add_to(&self, i: usize, a: f64, u: &mut [f64]) {
        match (&self.x, &self.f2) {
            (Stored::Dense(x), Factors::Same(f2)) => {
                let a = a * f2;
                u.iter_mut().zip(x.row(i)).for_each(|(u, x)| *u += a * x);
            }
            (Stored::Dense(x), Factors::Each(f2)) => {
                u.iter_mut().zip(x.row(i).iter().zip(f2)).for_each(|(u, (x, f2))| *u += a * x * f2);
            }
            (Stored::Sparse { indptr, cols, vals, .. }, Factors::Same(f2)) => {
                let a = a * f2;
                let (cols, vals) = Self::sparse_row(indptr, cols, vals, i);
                cols.iter().zip(vals).for_each(|(&j, x)| u[j as usize] += a * x);
            }
            (Stored::Sparse { indptr, cols, vals, .. }, Factors::Each(f2)) => {
                let (cols, vals) = Self::sparse_row(indptr, cols, vals, i);
                cols.iter().zip(vals).for_each(|(&j, x)| u[j as usize] += a * x * f2[j as usize]);
            }
        }
    }

    /// `‖x̂ᵢ‖²`, adding `a·f ⊙ x̂ᵢ` to `u` on the way.
    fn squared_norm_adding(&self, i: usize, a: f64, u: &mut [f64]) -> f64 {
        self.add_to(i, a, u);
        let f2 = |j: usize| match &self.f2 {
            Factors::Same(f2) => *f2,
            Factors::Each(f2) => f2[j],
        };
        match &self.x {
            Stored::Dense(x) => x.row(i).iter().enumerate().map(|(j, x)| x * x * f2(j)).sum(),
            Stored::Sparse { indptr, cols, vals, .. } => {
                let (cols, vals) = Self::sparse_row(indptr, cols, vals, i);
                cols.iter().zip(vals).map(|(&j, x)| x * x * f2(j as usize)).sum()
            }
        }
    }
}

/// the columns `0..d` ordered by how many of `indices` name them, most first (ties by column):
/// each column's rank, and the column of each rank.
fn by_frequency(indices: &[u32], d: usize) -> (Vec<u32>, Vec<u32>) {
    let mut count = vec![0u32; d];
    for &j in indices {
        count[j as usize] += 1;
    }
    let most = count.iter().copied().max().unwrap_or(0) as usize;
    // counting sort, descending: first rank of each count
    let mut first = vec![0usize; most + 2];
    for &c in &count {
        first[most - c as usize + 1] += 1;
    }
    for k in 1..first.len() {
        first[k] += first[k - 1];
    }
    let mut original = vec![0u32; d];
    let mut rank = vec![0u32; d];
    for (j, &c) in count.iter().enumerate() {
        let slot = &mut first[most - c as usize];
        (original[*slot], rank[j]) = (j as u32, *slot as u32);
        *slot += 1;
    }
    (rank, original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_ranked_by_frequency_then_by_column() {
        let indices = [3, 1, 3, 0, 3, 1, 5, 0];
        let (rank, original) = by_frequency(&indices, 7);
        // counts: 0 → 2, 1 → 2, 3 → 3, 5 → 1, and 2, 4, 6 never stored
        assert_eq!(original, [3, 0, 1, 5, 2, 4, 6]);
        assert!((0..7).all(|r| rank[original[r] as usize] as usize == r), "rank inverts original");
        assert_eq!(by_frequency(&[], 2), (vec![0, 1], vec![0, 1]));
    }
}
