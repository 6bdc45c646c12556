//! standard errors, z-values, p-values and confidence intervals of an unpenalised fit
//! (the table of statsmodels' `Logit.summary()`).

/// two-sided 97.5 % normal quantile.
const Z_975: f64 = 1.959_963_984_540_054;

/// inference on one term (the intercept or a coefficient), on the original feature scale.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Term {
    /// `"intercept"` or the feature name
    pub name: String,
    /// estimate
    pub coefficient: f64,
    /// standard error from the inverse hessian
    pub std_error: f64,
    /// `coefficient / std_error`
    pub z: f64,
    /// two-sided p-value of `z` under the standard normal
    pub p_value: f64,
    /// lower end of the 95 % confidence interval
    pub ci_low: f64,
    /// upper end of the 95 % confidence interval
    pub ci_high: f64,
}

/// the inference table of a fit, intercept first.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Inference {
    /// one row per term
    pub terms: Vec<Term>,
    /// covariance of `[b, w…]` (row-major, `(d+1)²`)
    pub covariance: Vec<f64>,
}

impl Inference {
    /// table for estimates `theta = [b, w…]` with covariance `cov`, terms named by `names`.
    pub fn new(theta: &[f64], covariance: Vec<f64>, names: &[String]) -> Self {
        let k = theta.len();
        let terms = (0..k)
            .map(|j| {
                let (coefficient, std_error) = (theta[j], covariance[j * k + j].max(0.0).sqrt());
                let z = coefficient / std_error;
                Term {
                    name: if j == 0 { "intercept".into() } else { names[j - 1].clone() },
                    coefficient,
                    std_error,
                    z,
                    p_value: libm::erfc(z.abs() / std::f64::consts::SQRT_2),
                    ci_low: coefficient - Z_975 * std_error,
                    ci_high: coefficient + Z_975 * std_error,
                }
            })
            .collect();
        Inference { terms, covariance }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_and_intervals_follow_the_normal() {
        let inf = Inference::new(&[1.959_963_984_540_054, 0.0], vec![1.0, 0.0, 0.0, 4.0], &["x".into()]);
        let t = &inf.terms[0];
        assert!((t.p_value - 0.05).abs() < 1e-15, "{}", t.p_value);
        assert!(t.ci_low.abs() < 1e-15);
        assert_eq!(inf.terms[1].std_error, 2.0);
        assert_eq!(inf.terms[1].p_value, 1.0);
        assert_eq!(inf.terms[1].name, "x");
    }
}
