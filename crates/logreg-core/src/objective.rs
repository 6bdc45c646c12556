//! the objective `J(b, w) = (1/Σsᵢ) Σ sᵢ·logloss(yᵢ, σ(b + xᵢ·w)) + l2/2·‖w‖² + l1·‖w‖₁`.
//!
//! parameters travel as one vector `θ = [b, w₁, …, w_d]`; the intercept `b` is never penalised.
//! scikit-learn's `C` maps to `l2 = 1/(C·n)` for unit weights; statsmodels' `Logit` is `l2 = l1 = 0`.

use crate::backend::Backend;
use crate::blocks::{BlockWorkspace, EvalSums, HessianWorkspace};
use crate::dataset::DataRef;
use crate::error::{Error, Result};
use crate::scaler::Standardizer;
use crate::view::Selection;

/// penalty strengths, checked finite and non-negative.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Penalty {
    l2: f64,
    l1: f64,
}

impl Penalty {
    /// penalty `l2/2·‖w‖² + l1·‖w‖₁`.
    pub fn new(l2: f64, l1: f64) -> Result<Self> {
        for (name, v) in [("l2", l2), ("l1", l1)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::param(name, format!("must be a finite number ≥ 0, got {v}")));
            }
        }
        Ok(Penalty { l2, l1 })
    }

    /// no penalty (maximum likelihood).
    pub fn none() -> Self {
        Penalty::default()
    }

    /// ridge strength.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// lasso strength.
    pub fn l1(&self) -> f64 {
        self.l1
    }

    /// penalty value at coefficients `w` (intercept excluded).
    pub fn value(&self, w: &[f64]) -> f64 {
        let mut v = 0.0;
        if self.l2 > 0.0 {
            v += 0.5 * self.l2 * w.iter().map(|x| x * x).sum::<f64>();
        }
        if self.l1 > 0.0 {
            v += self.l1 * w.iter().map(|x| x.abs()).sum::<f64>();
        }
        v
    }
}

/// the l1 term `Σ λⱼ·|wⱼ|` of `θ = [b, w…]` with per-coefficient strengths `l1` (intercept excluded).
pub fn l1_term(l1: &[f64], theta: &[f64]) -> f64 {
    weighted_l1(l1, &theta[1..])
}

/// value, mean log-loss and accuracy of a full evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// the objective `J` (loss + penalty)
    pub objective: f64,
    /// weighted mean log-loss
    pub log_loss: f64,
    /// weighted fraction of rows classified right: at threshold 0.5, or by the most probable
    /// class (more than two classes)
    pub accuracy: f64,
}

/// the objective over a dataset, evaluated by a backend with preallocated buffers.
///
/// the coefficients of the scaling's constant columns are held at exactly 0: they carry no
/// information beyond the intercept, so their gradient is 0 and their hessian row a unit vector.
///
/// solvers see the parameters `θ' = [b', w'…]` of the centred and scaled features
/// `(xⱼ − μⱼ)/σⱼ`, which are well conditioned whatever the raw scales; the backend still reads
/// the raw features (no copy): `wⱼ = w'ⱼ/σⱼ`, `b = b' − Σ μⱼwⱼ`. the penalty is measured either on
/// `w'` (standardised fits, glmnet's convention) or on the raw `w`, through per-coordinate factors.
/// with the identity scaling (`μ = 0`, `σ = 1`) θ' is θ exactly.
#[derive(Debug)]
pub struct Objective<'a, B: Backend + ?Sized> {
    backend: &'a B,
    data: DataRef<'a>,
    penalty: Penalty,
    scaling: Standardizer,
    l2_weight: Vec<f64>,
    l1_weight: Vec<f64>,
    penalize_scaled: bool,
    workspace: BlockWorkspace,
    hessian: Option<HessianWorkspace>,
    raw: Vec<f64>,
    raw_grad: Vec<f64>,
    total_weight: f64,
    last_pass: (f64, f64),
    column_max_abs: Vec<f64>,
    intercept: bool,
    curvature: Vec<f64>,
    direction: Vec<f64>,
    products: Vec<f64>,
    last_full: LastFullPass,
    /// the rows of the second-order solvers' hessian sample, drawn once per objective (they
    /// depend on the data and weights alone): a path's points share them
    pub(crate) hessian_rows: Option<crate::solve::hessian::SampleRows>,
    /// the last hessian estimated from that sample, kept for the next fit on this objective (a
    /// path's next point starts with it)
    pub(crate) last_sampled_hessian: Option<crate::solve::hessian::SampledHessian>,
    /// the l-bfgs pairs of the last fit on this objective, kept for the next (a path's next
    /// point starts with them)
    pub(crate) kept_memory: Option<crate::solve::lbfgs::Memory>,
    /// a cross-validation fold's passes over every row, combined with the other folds' (its
    /// number there): the same sums, the matrix read once for all folds. the per-row values of
    /// such a pass are not kept ([`Objective::keep_curvature`] needs its own passes).
    pub(crate) shared_passes: Option<(&'a crate::solve::FoldPasses<'a, B>, usize)>,
}

/// the data part of the last pass over every row — mean loss and the gradient without the l2
/// term — and its θ', valid while no other pass has run: a pass asked for again at the same θ'
/// under another penalty (a path's next point starts where the last one ended) costs no pass.
#[derive(Debug, Default)]
struct LastFullPass {
    valid: bool,
    theta: Vec<f64>,
    loss: f64,
    grad: Vec<f64>,
}

impl<'a, B: Backend + ?Sized> Objective<'a, B> {
    /// objective of `data` with `penalty`, computed by `backend`, in the raw parameters.
    pub fn new(backend: &'a B, data: DataRef<'a>, penalty: Penalty) -> Result<Self> {
        let d = data.x.n_cols();
        Self::with_scaling(backend, data, penalty, Standardizer::identity(d), false)
    }

    /// objective in the parameters of the features scaled by `scaling`; the penalty applies to
    /// the scaled coefficients when `penalize_scaled`, else to the raw ones.
    pub fn with_scaling(
        backend: &'a B,
        data: DataRef<'a>,
        penalty: Penalty,
        scaling: Standardizer,
        penalize_scaled: bool,
    ) -> Result<Self> {
        let (n, d) = (data.x.n_rows(), data.x.n_cols());
        let Weights { total_weight, l2_weight, l1_weight } = checked_weights(data, penalty, &scaling, penalize_scaled)?;
        Ok(Objective {
            backend,
            data,
            penalty,
            scaling,
            l2_weight,
            l1_weight,
            penalize_scaled,
            workspace: BlockWorkspace::new(data.x, n),
            hessian: None,
            raw: vec![0.0; d + 1],
            raw_grad: vec![0.0; d],
            total_weight,
            last_pass: (f64::NAN, f64::NAN),
            column_max_abs: vec![f64::INFINITY; d],
            intercept: true,
            curvature: Vec::new(),
            direction: vec![0.0; d + 1],
            products: vec![0.0; d],
            last_full: LastFullPass::default(),
            hessian_rows: None,
            last_sampled_hessian: None,
            kept_memory: None,
            shared_passes: None,
        })
    }

    /// the same objective without an intercept: `b` is held at 0 (θ'₀ must start at 0, its
    /// gradient and hessian row are zero and unit). the scaling must not centre (`μ = 0`), as
    /// centring moves the intercept.
    pub fn without_intercept(mut self) -> Result<Self> {
        if self.scaling.mean.iter().any(|&m| m != 0.0) {
            return Err(Error::param("fit_intercept", "a fit without intercept cannot centre the features"));
        }
        self.intercept = false;
        Ok(self)
    }

    /// the same objective with another penalty (measured on the same coefficients).
    pub fn set_penalty(&mut self, penalty: Penalty) -> Result<()> {
        let w = checked_weights(self.data, penalty, &self.scaling, self.penalize_scaled)?;
        (self.penalty, self.l2_weight, self.l1_weight) = (penalty, w.l2_weight, w.l1_weight);
        Ok(())
    }

    /// the same objective (penalty, scaling, intercept) restricted to the columns `cols` of
    /// this one's features, whose rows and columns `data` holds: its θ' is `[θ'₀, θ'_cols…]`,
    /// the coefficients of the other columns held at 0.
    pub(crate) fn on_columns<'b>(&self, data: DataRef<'b>, cols: &[usize]) -> Result<Objective<'b, B>>
    where
        'a: 'b,
    {
        let scaling = self.scaling.select_columns(cols);
        let mut obj = Objective::with_scaling(self.backend, data, self.penalty, scaling, self.penalize_scaled)?
            .with_column_max_abs(cols.iter().map(|&j| self.column_max_abs[j]).collect());
        obj.intercept = self.intercept;
        Ok(obj)
    }

    /// whether the intercept is fitted.
    pub fn fits_intercept(&self) -> bool {
        self.intercept
    }

    /// the same objective told each column's largest magnitude (see [`crate::ColumnStats`]), which
    /// lets the hessian sampling skip columns that cannot hold outlying rows.
    pub fn with_column_max_abs(mut self, max_abs: Vec<f64>) -> Self {
        assert_eq!(max_abs.len(), self.n_features(), "one magnitude per column");
        self.column_max_abs = max_abs;
        self
    }

    /// each column's largest magnitude (infinite when not told).
    pub fn column_max_abs(&self) -> &[f64] {
        &self.column_max_abs
    }

    /// number of features `d` (θ has `d + 1` entries).
    pub fn n_features(&self) -> usize {
        self.data.x.n_cols()
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.data.x.n_rows()
    }

    /// the penalty.
    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// whether the penalty is on the scaled coefficients θ' (else on the raw ones).
    pub(crate) fn penalizes_scaled(&self) -> bool {
        self.penalize_scaled
    }

    /// the l1 strength of each coefficient of θ' (intercept excluded).
    pub fn l1_weights(&self) -> &[f64] {
        &self.l1_weight
    }

    /// the l2 strength of each coefficient of θ' (intercept excluded).
    pub fn l2_weights(&self) -> &[f64] {
        &self.l2_weight
    }

    /// the backend.
    pub fn backend(&self) -> &'a B {
        self.backend
    }

    /// the data.
    pub fn data(&self) -> DataRef<'a> {
        self.data
    }

    /// the feature scaling that defines θ'.
    pub fn scaling(&self) -> &Standardizer {
        &self.scaling
    }

    /// total sample weight.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// raw parameters `[b, w…]` of θ' (constant columns get exactly 0).
    pub fn to_raw(&self, theta: &[f64], raw: &mut [f64]) {
        self.scaling.block_to_raw(theta, raw);
    }

    /// θ' of raw parameters `[b, w…]`.
    pub fn from_raw(&self, raw: &[f64], theta: &mut [f64]) {
        let mut b = raw[0];
        for j in 0..self.n_features() {
            theta[1 + j] = raw[1 + j] * self.scaling.scale[j];
            b += self.scaling.mean[j] * raw[1 + j];
        }
        theta[0] = b;
    }

    /// the l2 strength of each coordinate of θ' (0 for the intercept).
    pub(crate) fn l2_diagonal(&self) -> Vec<f64> {
        std::iter::once(0.0).chain(self.l2_weight.iter().copied()).collect()
    }

    /// penalty value at θ'.
    pub fn penalty_value(&self, theta: &[f64]) -> f64 {
        let l2: f64 = theta[1..].iter().zip(&self.l2_weight).map(|(x, f)| f * x * x).sum();
        0.5 * l2 + l1_term(&self.l1_weight, theta)
    }

    /// smooth part (loss + l2 term) over all rows and its gradient into `grad`.
    pub fn smooth_value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.n_rows();
        self.batch_value_grad(&Selection::Range(0..n), theta, grad)
    }

    /// smooth part over the rows `sel` alone (normalised by their own weight), gradient into `grad`.
    pub fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        let full = sel.len() == self.data.x.n_rows();
        let l2: f64 = theta[1..].iter().zip(&self.l2_weight).map(|(x, f)| f * x * x).sum();
        let last = &mut self.last_full;
        if full && last.valid && last.theta == theta {
            grad.copy_from_slice(&last.grad);
            add_l2_gradient(&self.scaling, &self.l2_weight, theta, grad);
            return last.loss + 0.5 * l2;
        }
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let gw = &mut self.raw_grad[..];
        let sums = match self.shared_passes {
            Some((passes, fold)) if full => passes.loss_grad(fold, &raw[1..], raw[0], gw),
            _ => self.workspace.loss_grad(self.backend, self.data, sel, &raw[1..], raw[0], gw),
        };
        self.raw = raw;
        let scale = if sums.weight > 0.0 { 1.0 / sums.weight } else { 0.0 };
        if full {
            self.last_pass = (sums.loss * scale, sums.correct * scale);
        }
        grad[0] = sums.residual * scale;
        grad[1..].copy_from_slice(gw);
        scale_block_data_gradient(&self.scaling, scale, grad);
        if !self.intercept {
            grad[0] = 0.0;
        }
        let last = &mut self.last_full;
        last.valid = full;
        if full {
            last.theta.clear();
            last.theta.extend_from_slice(theta);
            last.grad.clear();
            last.grad.extend_from_slice(grad);
            last.loss = sums.loss * scale;
        }
        add_l2_gradient(&self.scaling, &self.l2_weight, theta, grad);
        sums.loss * scale + 0.5 * l2
    }

    /// keep the curvatures `sᵢ·pᵢ(1 − pᵢ)` of every row at the θ' of the last
    /// [`Objective::smooth_value_grad`] (read off its residuals, no pass over the features), for
    /// [`Objective::hess_vec`].
    pub fn keep_curvature(&mut self) {
        assert!(self.shared_passes.is_none(), "a combined pass keeps no per-row values");
        let n = self.n_rows();
        let residuals = self.workspace.row_values(n);
        self.curvature.resize(n, 0.0);
        let data = self.data;
        for (i, (c, &r)) in self.curvature.iter_mut().zip(residuals).enumerate() {
            let s = data.weight(i);
            // q = p − y, so p(1 − p) = q(1 − q) when y = 0 and −q(1 + q) when y = 1: accurate
            // however close p is to its label
            *c = if s > 0.0 {
                let q = r / s;
                s * if data.y[i] == 1.0 { -q * (1.0 + q) } else { q * (1.0 - q) }
            } else {
                0.0
            };
        }
    }

    /// the diagonal of the hessian of the smooth part at the θ' of the last
    /// [`Objective::keep_curvature`], into `out` (a preconditioner): one pass over the features.
    pub fn hess_diagonal(&mut self, out: &mut [f64]) {
        assert_eq!(self.curvature.len(), self.n_rows(), "keep_curvature before hess_diagonal");
        self.last_full.valid = false;
        let d = self.n_features();
        let (mut linear, mut squares) = (vec![0.0; d], vec![0.0; d]);
        let total = self.workspace.weighted_column_sums(self.data, &self.curvature, &mut linear, &mut squares);
        let (inv_w, s) = (1.0 / self.total_weight, &self.scaling);
        out[0] = if self.intercept { total * inv_w } else { 1.0 };
        for j in 0..d {
            // Σ hᵢ((xᵢⱼ − μⱼ)/σⱼ)² / W + l2ⱼ; 1 for a column held at 0
            out[1 + j] = if s.constant[j] {
                1.0
            } else {
                let m = s.mean[j];
                (squares[j] - 2.0 * m * linear[j] + m * m * total) * inv_w / (s.scale[j] * s.scale[j])
                    + self.l2_weight[j]
            };
        }
        // rounding (or a row-less column without penalty) must not make the preconditioner singular
        out.iter_mut().filter(|v| !(**v > 0.0)).for_each(|v| *v = 1.0);
    }

    /// the hessian of the smooth part at the θ' of the last [`Objective::keep_curvature`] times
    /// `v` (in θ'), into `out`: two passes over the features, no `d × d` matrix.
    pub fn hess_vec(&mut self, v: &[f64], out: &mut [f64]) {
        assert_eq!(self.curvature.len(), self.n_rows(), "keep_curvature before hess_vec");
        self.last_full.valid = false;
        let mut dir = std::mem::take(&mut self.direction);
        self.scaling.block_to_raw(v, &mut dir);
        let hb = self.workspace.weighted_products(
            self.backend,
            self.data,
            &self.curvature,
            &dir[1..],
            dir[0],
            &mut self.products,
        );
        self.direction = dir;
        let inv_w = 1.0 / self.total_weight;
        out[0] = hb * inv_w;
        out[1..].copy_from_slice(&self.products);
        scale_block_gradient(&self.scaling, &self.l2_weight, v, inv_w, out);
        if !self.intercept {
            out[0] = 0.0;
        }
    }

    /// smooth part, its gradient and its hessian (`(d+1)²`, row-major, intercept first) at θ'.
    pub fn smooth_value_grad_hess(&mut self, theta: &[f64], grad: &mut [f64], hess: &mut [f64]) -> f64 {
        let n = self.n_rows();
        self.batch_value_grad_hess(&Selection::Range(0..n), theta, grad, hess)
    }

    /// smooth part, gradient and hessian over the rows `sel` alone (normalised by their own
    /// weight, so a random sample of rows estimates the full hessian); `0` and zeros when the
    /// rows carry no weight.
    pub fn batch_value_grad_hess(
        &mut self,
        sel: &Selection<'_>,
        theta: &[f64],
        grad: &mut [f64],
        hess: &mut [f64],
    ) -> f64 {
        let (n, d) = (self.n_rows(), self.n_features());
        self.last_full.valid = false;
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let ws = self.hessian.get_or_insert_with(|| HessianWorkspace::new(d, n));
        let sums = ws.loss_grad_hess(self.backend, self.data, sel, &raw[1..], raw[0], &mut grad[1..], hess);
        self.raw = raw;
        let inv_w = if sums.weight > 0.0 { 1.0 / sums.weight } else { 0.0 };
        if sel.len() == n {
            self.last_pass = (sums.loss * inv_w, sums.correct * inv_w);
        }
        grad[0] = sums.residual * inv_w;
        self.scale_gradient(theta, inv_w, grad);
        scale_hessian(&self.scaling, &self.l2_weight, inv_w, hess);
        if !self.intercept {
            // the intercept held at 0: a unit row and column, no coupling
            let k = d + 1;
            grad[0] = 0.0;
            for j in 0..k {
                hess[j] = 0.0;
                hess[j * k] = 0.0;
            }
            hess[0] = 1.0;
        }
        let l2: f64 = theta[1..].iter().zip(&self.l2_weight).map(|(x, f)| f * x * x).sum();
        sums.loss * inv_w + 0.5 * l2
    }

    /// the gradient in θ' from the raw sums `grad[1..] = Xᵀ(s∘(p − y))` and the intercept's
    /// `grad[0]` (already divided by the weight): `(gⱼ/W − μⱼ·g₀)/σⱼ + l2ⱼ·θ'ⱼ`, 0 for constant
    /// columns.
    fn scale_gradient(&self, theta: &[f64], inv_w: f64, grad: &mut [f64]) {
        scale_block_gradient(&self.scaling, &self.l2_weight, theta, inv_w, grad);
    }

    /// mean log-loss and accuracy of the last full pass of `smooth_value_grad(_hess)`.
    pub fn last_pass(&self) -> (f64, f64) {
        self.last_pass
    }

    /// full objective (with the l1 term), mean log-loss and accuracy at θ'.
    pub fn evaluate(&mut self, theta: &[f64]) -> Evaluation {
        self.last_full.valid = false;
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let n = self.n_rows();
        let s: EvalSums = self.workspace.evaluate(self.backend, self.data, &Selection::Range(0..n), &raw[1..], raw[0]);
        self.raw = raw;
        let log_loss = s.loss / s.weight;
        Evaluation { objective: log_loss + self.penalty_value(theta), log_loss, accuracy: s.correct / s.weight }
    }

    /// full objective at θ'.
    pub fn value(&mut self, theta: &[f64]) -> f64 {
        self.evaluate(theta).objective
    }
}

/// total sample weight and per-column penalty strengths of an objective, checked.
pub(crate) struct Weights {
    /// `Σ sᵢ`
    pub total_weight: f64,
    /// l2 strength of each scaled coefficient
    pub l2_weight: Vec<f64>,
    /// l1 strength of each scaled coefficient
    pub l1_weight: Vec<f64>,
}

/// the checks every objective makes of its data and scaling (rows, one statistic per column, a
/// positive finite total weight), and the strengths of `penalty` on the coefficients of the
/// features scaled by `scaling`: as given when `penalize_scaled`, else `l2/σⱼ²` and `l1/σⱼ`.
pub(crate) fn checked_weights(
    data: DataRef<'_>,
    penalty: Penalty,
    scaling: &Standardizer,
    penalize_scaled: bool,
) -> Result<Weights> {
    let (n, d) = (data.x.n_rows(), data.x.n_cols());
    if n == 0 {
        return Err(Error::InvalidData("no rows to fit".into()));
    }
    if scaling.mean.len() != d || scaling.scale.len() != d || scaling.constant.len() != d {
        return Err(Error::DimensionMismatch { what: "scaling statistics", expected: d, found: scaling.mean.len() });
    }
    let total_weight = data.weights.map_or(n as f64, |s| s.iter().sum());
    if !(total_weight > 0.0 && total_weight.is_finite()) {
        return Err(Error::InvalidData("sample weights must have a positive finite sum".into()));
    }
    let factor = |power: i32| -> Vec<f64> {
        scaling.scale.iter().map(|s| if penalize_scaled { 1.0 } else { s.powi(-power) }).collect()
    };
    let l2_weight = factor(2).into_iter().map(|f| f * penalty.l2).collect();
    let l1_weight = factor(1).into_iter().map(|f| f * penalty.l1).collect();
    Ok(Weights { total_weight, l2_weight, l1_weight })
}

/// one block's gradient in θ' from the raw sums `grad[1..] = Xᵀ(s∘(p − y))` and the intercept's
/// `grad[0]` (already divided by the weight): `(gⱼ/W − μⱼ·g₀)/σⱼ + l2ⱼ·θ'ⱼ`, 0 for constant
/// columns.
pub(crate) fn scale_block_gradient(s: &Standardizer, l2_weight: &[f64], theta: &[f64], inv_w: f64, grad: &mut [f64]) {
    for j in 0..s.mean.len() {
        grad[1 + j] = if s.constant[j] {
            0.0
        } else {
            (grad[1 + j] * inv_w - s.mean[j] * grad[0]) / s.scale[j] + l2_weight[j] * theta[1 + j]
        };
    }
}

/// [`scale_block_gradient`] without the l2 term: `(gⱼ/W − μⱼ·g₀)/σⱼ`, 0 for constant columns.
fn scale_block_data_gradient(s: &Standardizer, inv_w: f64, grad: &mut [f64]) {
    for j in 0..s.mean.len() {
        grad[1 + j] = if s.constant[j] { 0.0 } else { (grad[1 + j] * inv_w - s.mean[j] * grad[0]) / s.scale[j] };
    }
}

/// add the l2 term's gradient `l2ⱼ·θ'ⱼ` to a block's `grad`, but for constant columns: the two
/// together are [`scale_block_gradient`], to the bit.
fn add_l2_gradient(s: &Standardizer, l2_weight: &[f64], theta: &[f64], grad: &mut [f64]) {
    for j in 0..s.mean.len() {
        if !s.constant[j] {
            grad[1 + j] += l2_weight[j] * theta[1 + j];
        }
    }
}

/// `H' = Aᵀ·(H/W)·A + diag(l2)` for θ = A·θ', parameters in blocks `[b, w…]` of `d + 1` (one
/// block for the binary model, one per class for the multinomial; `A` one scaling block per
/// parameter block): columns, then rows. a constant column's coefficients are held at 0: unit
/// rows and columns, no coupling.
pub(crate) fn scale_hessian(s: &Standardizer, l2_weight: &[f64], inv_w: f64, hess: &mut [f64]) {
    let d = s.mean.len();
    let q = d + 1;
    let p = hess.len().isqrt();
    hess.iter_mut().for_each(|v| *v *= inv_w);
    for row in hess.chunks_exact_mut(p) {
        for blk in row.chunks_exact_mut(q) {
            let h0 = blk[0];
            for j in 0..d {
                blk[1 + j] = (blk[1 + j] - s.mean[j] * h0) / s.scale[j];
            }
        }
    }
    for cb in 0..p / q {
        for j in 0..d {
            for c in 0..p {
                let v = (hess[(cb * q + 1 + j) * p + c] - s.mean[j] * hess[(cb * q) * p + c]) / s.scale[j];
                hess[(cb * q + 1 + j) * p + c] = v;
            }
            hess[(cb * q + 1 + j) * p + cb * q + 1 + j] += l2_weight[j];
        }
    }
    for cb in 0..p / q {
        for j in (0..d).filter(|&j| s.constant[j]) {
            let r = cb * q + 1 + j;
            for c in 0..p {
                hess[r * p + c] = 0.0;
                hess[c * p + r] = 0.0;
            }
            hess[r * p + r] = 1.0;
        }
    }
}

/// `Σⱼ λⱼ·|θⱼ|`, one strength per parameter.
pub fn weighted_l1(lambda: &[f64], theta: &[f64]) -> f64 {
    lambda.iter().zip(theta).map(|(l, t)| l * t.abs()).sum()
}

/// max-norm of the minimum-norm subgradient of `J` at `θ = [b, w…]` given the smooth gradient
/// `grad = [∂b, ∂w…]` and each coefficient's l1 strength: the gradient norm where `l1 = 0`,
/// the kkt violation otherwise. NaN when any entry is NaN.
pub fn optimality_violation(theta: &[f64], grad: &[f64], l1: &[f64]) -> f64 {
    max_nan(grad[0].abs(), kkt_violation(&theta[1..], &grad[1..], l1))
}

/// max-norm of the minimum-norm subgradient of `f(θ) + Σⱼ λⱼ|θⱼ|` given the gradient of `f`,
/// one strength per parameter (0: smooth). NaN when any entry is NaN.
pub fn kkt_violation(theta: &[f64], grad: &[f64], lambda: &[f64]) -> f64 {
    let mut worst = 0.0;
    for ((&wj, &gj), &l1) in theta.iter().zip(grad).zip(lambda) {
        worst = max_nan(worst, min_norm_subgradient(wj, gj, l1).abs());
    }
    worst
}

/// the element of least magnitude of the subdifferential of `f(w) + λ|w|` at `w`, given
/// `g = f'(w)`: `g` where `λ = 0` (NaN stays NaN), `g + λ·sign(w)` where `w ≠ 0`, else `g` moved
/// toward 0 by `λ` and clipped there.
pub fn min_norm_subgradient(w: f64, g: f64, lambda: f64) -> f64 {
    if lambda == 0.0 {
        g
    } else if w != 0.0 {
        g + lambda * w.signum()
    } else if g + lambda < 0.0 {
        g + lambda
    } else if g - lambda > 0.0 {
        g - lambda
    } else {
        0.0
    }
}

/// the larger of `a` and `b`, NaN if either is NaN (`f64::max` drops NaN).
#[inline]
pub fn max_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}
