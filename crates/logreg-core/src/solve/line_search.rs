//! a line search that does not fail on a descent direction.
//!
//! it looks for a step satisfying the strong wolfe conditions, and also accepts the
//! approximate wolfe conditions of hager & zhang, which stay usable when the objective's
//! change is below its rounding error (near the optimum, at tight tolerances). failing both,
//! any step that strictly decreased the objective is returned; only a search that never
//! decreased it reports failure (the solver then stops at rounding level, it does not panic).

/// sufficient-decrease constant.
const C1: f64 = 1e-4;
/// curvature constant (loose, as for quasi-newton methods).
const C2: f64 = 0.9;
/// evaluations before the search gives up.
const MAX_EVALS: usize = 40;

/// a step the search accepted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// step length
    pub alpha: f64,
    /// objective at the step
    pub value: f64,
    /// whether (approximate) wolfe conditions hold, so curvature information is reliable
    pub wolfe: bool,
}

/// search along a direction whose directional derivative at 0 is `d0 < 0`, from `f0`.
///
/// `phi(alpha)` evaluates the objective and its directional derivative at `alpha`; the solver
/// keeps the state of the last call, so the caller must re-evaluate if the returned step is
/// not the last one tried (see [`Step`] and the returned `last_alpha`).
pub fn wolfe<F>(mut phi: F, f0: f64, d0: f64, alpha0: f64) -> (Option<Step>, f64)
where
    F: FnMut(f64) -> (f64, f64),
{
    debug_assert!(d0 < 0.0);
    let eps = 1e-12 * f0.abs().max(1e-300);
    let accept = |f: f64, d: f64, alpha: f64| {
        let armijo = f <= f0 + C1 * alpha * d0;
        let approx = f <= f0 + eps && d <= (2.0 * C1 - 1.0) * d0 && d >= C2 * d0;
        (armijo && d.abs() <= -C2 * d0) || approx
    };
    let (mut lo, mut f_lo, mut d_lo) = (0.0, f0, d0);
    let mut hi: Option<f64> = None;
    let mut best: Option<Step> = None;
    let mut alpha = alpha0;
    let mut last = alpha;
    for _ in 0..MAX_EVALS {
        let (f, d) = phi(alpha);
        last = alpha;
        if f.is_finite() && f < best.map_or(f0, |b| b.value) {
            best = Some(Step { alpha, value: f, wolfe: false });
        }
        if f.is_finite() && accept(f, d, alpha) {
            return (Some(Step { alpha, value: f, wolfe: true }), last);
        }
        let sufficient = f.is_finite() && f <= f0 + C1 * alpha * d0 && f <= f_lo;
        if !sufficient {
            hi = Some(alpha);
        } else if d >= 0.0 {
            hi = Some(lo);
            (lo, f_lo, d_lo) = (alpha, f, d);
        } else {
            (lo, f_lo, d_lo) = (alpha, f, d);
        }
        alpha = match hi {
            None => alpha * 2.0,
            Some(h) => {
                // quadratic interpolation from lo's value and slope, safeguarded into the bracket
                let (a, b) = (lo.min(h), lo.max(h));
                let width = b - a;
                let q = if f.is_finite() && alpha != lo {
                    let denom = 2.0 * (f - f_lo - d_lo * (alpha - lo));
                    if denom > 0.0 { lo - d_lo * (alpha - lo) * (alpha - lo) / denom } else { f64::NAN }
                } else {
                    f64::NAN
                };
                if q.is_finite() && q > a + 0.1 * width && q < b - 0.1 * width { q } else { a + 0.5 * width }
            }
        };
        if hi.is_some_and(|h| (h - lo).abs() <= 1e-16 * lo.abs().max(1e-16)) {
            break;
        }
    }
    (best, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_wolfe_step_on_a_quadratic() {
        // φ(α) = (α − 3)², φ'(0) = −6
        let (step, _) = wolfe(|a| ((a - 3.0f64).powi(2), 2.0 * (a - 3.0)), 9.0, -6.0, 1.0);
        let step = step.unwrap();
        assert!(step.wolfe && step.value < 9.0 && step.alpha > 0.0);
    }

    #[test]
    fn shrinks_from_an_overlong_first_step_and_survives_infinities() {
        let phi = |a: f64| if a > 10.0 { (f64::INFINITY, f64::NAN) } else { ((a - 0.01).powi(2), 2.0 * (a - 0.01)) };
        let (step, _) = wolfe(phi, 1e-4, -0.02, 1000.0);
        let step = step.unwrap();
        assert!(step.value < 1e-4 && step.alpha < 0.02, "{step:?}");
    }

    #[test]
    fn reports_failure_only_without_any_decrease() {
        let (step, _) = wolfe(|_| (1.0, -1.0), 1.0, -1.0, 1.0);
        assert!(step.is_none());
    }
}
