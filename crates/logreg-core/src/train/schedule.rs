//! learning-rate schedules for gradient descent.

use crate::error::{Error, Result};

/// step size as a function of the step count `t` (from 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LearningRate {
    /// `η` at every step
    Constant(f64),
    /// `η₀ / (t + 1)^power` (scikit-learn's `invscaling`)
    InverseScaling {
        /// initial rate
        eta0: f64,
        /// decay exponent
        power: f64,
    },
}

impl LearningRate {
    /// step size at step `t`.
    #[inline]
    pub fn at(&self, t: usize) -> f64 {
        match *self {
            LearningRate::Constant(eta) => eta,
            LearningRate::InverseScaling { eta0, power } => eta0 / ((t + 1) as f64).powf(power),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        let (eta, power) = match *self {
            LearningRate::Constant(eta) => (eta, 0.0),
            LearningRate::InverseScaling { eta0, power } => (eta0, power),
        };
        if !(eta.is_finite() && eta > 0.0) {
            return Err(Error::param("learning_rate", format!("must be a finite number > 0, got {eta}")));
        }
        if !(power.is_finite() && power >= 0.0) {
            return Err(Error::param("power_t", format!("must be a finite number ≥ 0, got {power}")));
        }
        Ok(())
    }
}

impl Default for LearningRate {
    fn default() -> Self {
        LearningRate::Constant(0.1)
    }
}
