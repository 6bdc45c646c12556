//! from a solver's outcome to a [`Model`]: the last pass, the identification checks of an
//! unpenalised fit (separation, collinearity) and its inference table.

use std::time::Instant;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::linalg::{dependent_columns, spd_inverse};
use crate::model::{Inference, Model};
use crate::objective::{Objective, Penalty, l1_term, optimality_violation};
use crate::outcome::{Outcome, ensure_finite};
use crate::scaler::Standardizer;

/// the most parameters an unpenalised fit gets the inference table (and its identification
/// checks) for: its hessian has the square of this many entries (200 mb).
pub(crate) const MAX_INFERENCE_PARAMETERS: usize = 5000;
/// standardised-scale variance beyond which an unpenalised coefficient counts as not identified.
const MAX_SCALED_VARIANCE: f64 = 1e8;
/// |logit| beyond which a row counts as fitted (numerically) perfectly.
const EXTREME_LOGIT: f64 = 15.0;
/// a cholesky pivot below this fraction of its diagonal entry marks a column dependent on the
/// columns before it (the square of `1/√MAX_SCALED_VARIANCE`'s order, with margin).
const DEPENDENT_PIVOT: f64 = 1e-9;

/// build the model and its report from a solver's outcome; unpenalised fits of the exact
/// solvers (`exact`) are checked for separation and collinearity and get the inference table.
pub(crate) fn finish<B: Backend + ?Sized>(
    obj: &mut Objective<'_, B>,
    mut outcome: Outcome,
    solver: &'static str,
    start: Instant,
    names: std::sync::Arc<[String]>,
    exact: bool,
) -> Result<Model> {
    let k = outcome.theta.len();
    let theta = std::mem::take(&mut outcome.theta);
    let at = outcome.iterations;
    ensure_finite(&theta, solver, "coefficients", at)?;
    let mut raw = vec![0.0; k];
    obj.to_raw(&theta, &mut raw);
    ensure_finite(&raw, solver, "coefficients on the original scale", at)?;
    let mut grad = vec![0.0; k];
    let mut inference = None;
    // one last pass gives the gradient and the smooth value; the objective adds the l1 term.
    // inference needs the (d+1)² hessian and an intercept (its scaled parametrisation)
    let smooth = if exact && obj.penalty() == Penalty::none() && obj.fits_intercept() && k <= MAX_INFERENCE_PARAMETERS {
        let mut hess = vec![0.0; k * k];
        let smooth = obj.smooth_value_grad_hess(&theta, &mut grad, &mut hess);
        ensure_finite(&hess, solver, "hessian", at)?;
        match identify(&hess, k) {
            Ok(inv) => {
                let cov = raw_covariance(obj.scaling(), &inv, 1.0 / obj.total_weight());
                inference = Some(Inference::new(&raw, cov, &names));
            }
            Err(unidentified) => return Err(not_identified(obj, &raw, &unidentified, &names)),
        }
        smooth
    } else {
        obj.smooth_value_grad(&theta, &mut grad)
    };
    ensure_finite(&[smooth], solver, "objective", at)?;
    ensure_finite(&grad, solver, "gradient", at)?;
    let gradient_norm = optimality_violation(&theta, &grad, obj.l1_weights());
    let report =
        outcome.report(solver, obj.backend().name(), smooth + l1_term(obj.l1_weights(), &theta), gradient_norm, start);
    Ok(Model {
        intercept: raw[0],
        coefficients: raw[1..].to_vec(),
        feature_names: names,
        report,
        inference,
        standardization: None,
    })
}

/// the error for an unpenalised fit whose hessian is (nearly) singular along `unidentified`:
/// separation when rows are fitted with extreme probabilities on the right side, collinear
/// columns otherwise.
fn not_identified<B: Backend + ?Sized>(
    obj: &Objective<'_, B>,
    raw: &[f64],
    unidentified: &[usize],
    names: &[String],
) -> Error {
    let data = obj.data();
    let mut z = vec![0.0; obj.n_rows()];
    crate::blocks::decision_values(obj.backend(), data.x, &raw[1..], raw[0], &mut z);
    let weighted = (0..z.len()).filter(|&i| data.weight(i) > 0.0);
    let rows = weighted.clone().count();
    let perfect = weighted.filter(|&i| z[i].abs() > EXTREME_LOGIT && (z[i] > 0.0) == (data.y[i] == 1.0)).count();
    if perfect > 0 {
        return Error::Separation { perfect, rows };
    }
    let columns =
        unidentified.iter().map(|&j| if j == 0 { "intercept".to_string() } else { names[j - 1].clone() }).collect();
    collinear(columns)
}

/// the inverse of an unpenalised fit's hessian in the scaled parameters (`p × p`), or the
/// parameters along which it is (nearly) singular: a scaled variance beyond
/// `MAX_SCALED_VARIANCE`, or a dependent column of its cholesky factorisation.
pub(crate) fn identify(hess: &[f64], p: usize) -> std::result::Result<Vec<f64>, Vec<usize>> {
    let inverse = spd_inverse(hess, p);
    let unidentified: Vec<usize> = match &inverse {
        Some(inv) => (0..p).filter(|&j| !(inv[j * p + j] <= MAX_SCALED_VARIANCE)).collect(),
        None => dependent_columns(hess, p, DEPENDENT_PIVOT),
    };
    match inverse {
        Some(inv) if unidentified.is_empty() => Ok(inv),
        None if unidentified.is_empty() => Err((0..p).collect()),
        _ => Err(unidentified),
    }
}

/// the error for columns (or the intercept) on which an unpenalised fit is not identified.
pub(crate) fn collinear(columns: Vec<String>) -> Error {
    Error::Collinearity {
        columns,
        reason: "linearly dependent, to rounding, on the intercept and the other columns (the hessian is singular \
                 along them)"
            .into(),
    }
}

/// covariance of the raw parameters `A·(H'⁻¹·c)·Aᵀ`, where `θ = A·θ'`: parameters in blocks
/// `[b, w…]` of `d + 1` (one for the binary model, one per class for the multinomial), `A` one
/// scaling block per parameter block.
pub(crate) fn raw_covariance(s: &Standardizer, scaled_inverse: &[f64], c: f64) -> Vec<f64> {
    let p = scaled_inverse.len().isqrt();
    let d = s.mean.len();
    let q = d + 1;
    // rows of each block of A: a₀ = [1, −μ₁/σ₁, …], aⱼ = eⱼ/σⱼ
    let apply_a = |v: &[f64], out: &mut [f64]| {
        for (vb, ob) in v.chunks_exact(q).zip(out.chunks_exact_mut(q)) {
            ob[0] = vb[0] - (0..d).map(|j| s.mean[j] / s.scale[j] * vb[1 + j]).sum::<f64>();
            for j in 0..d {
                ob[1 + j] = vb[1 + j] / s.scale[j];
            }
        }
    };
    // M = A·C' column by column, then A·Mᵀ row by row (C' symmetric)
    let mut m = vec![0.0; p * p];
    let (mut col, mut out) = (vec![0.0; p], vec![0.0; p]);
    for ci in 0..p {
        for r in 0..p {
            col[r] = scaled_inverse[r * p + ci] * c;
        }
        apply_a(&col, &mut out);
        for r in 0..p {
            m[r * p + ci] = out[r];
        }
    }
    let mut cov = vec![0.0; p * p];
    for r in 0..p {
        apply_a(&m[r * p..(r + 1) * p], &mut out);
        cov[r * p..(r + 1) * p].copy_from_slice(&out);
    }
    cov
}
