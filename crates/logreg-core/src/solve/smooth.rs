//! the smooth objectives the quasi-newton solver minimises: the binary and the multinomial one.

use crate::backend::Backend;
use crate::multinomial::SoftmaxObjective;
use crate::objective::Objective;

/// a smooth objective of θ' with the pass statistics solvers report.
pub trait Smooth {
    /// value and gradient (into `grad`) at θ'.
    fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64;

    /// the inverse of the hessian's diagonal at the start θ' (intercepts only): a
    /// preconditioner that evens out coordinates whose penalty strengths differ by orders of
    /// magnitude, which plain l-bfgs converges on only slowly.
    fn inverse_diagonal(&self, theta: &[f64]) -> Vec<f64>;

    /// mean log-loss and accuracy of the last full pass.
    fn last_pass(&self) -> (f64, f64);
}

impl<B: Backend + ?Sized> Smooth for Objective<'_, B> {
    fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.smooth_value_grad(theta, grad)
    }

    /// `p̄(1 − p̄) + l2ⱼ`, exact at `w' = 0` because every scaled column has unit weighted variance.
    fn inverse_diagonal(&self, theta: &[f64]) -> Vec<f64> {
        let p = crate::numerics::sigmoid(theta[0]);
        let curvature = (p * (1.0 - p)).max(1e-12);
        std::iter::once(1.0 / curvature).chain(self.l2_weights().iter().map(|l| 1.0 / (curvature + l))).collect()
    }

    fn last_pass(&self) -> (f64, f64) {
        Objective::last_pass(self)
    }
}

impl<B: Backend + ?Sized> Smooth for SoftmaxObjective<'_, B> {
    fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.smooth_value_grad(theta, grad)
    }

    /// class by class `p̄_c(1 − p̄_c) + l2ⱼ`, with `p̄` the softmax of the intercepts: exact at
    /// `W' = 0` for the same reason as the binary model's.
    fn inverse_diagonal(&self, theta: &[f64]) -> Vec<f64> {
        let q = self.n_features() + 1;
        let mut logits: Vec<f64> = theta.chunks_exact(q).map(|t| t[0]).collect();
        if self.reference() {
            logits.insert(0, 0.0);
        }
        crate::softmax::softmax_in_place(&mut logits);
        let offset = usize::from(self.reference());
        let mut out = Vec::with_capacity(theta.len());
        for c in 0..self.stored_classes() {
            let p = logits[c + offset];
            let curvature = (p * (1.0 - p)).max(1e-12);
            out.push(1.0 / curvature);
            out.extend(self.l2_weights().iter().map(|l| 1.0 / (curvature + l)));
        }
        out
    }

    fn last_pass(&self) -> (f64, f64) {
        SoftmaxObjective::last_pass(self)
    }
}
