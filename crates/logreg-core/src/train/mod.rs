//! trainers: minibatch sgd / full-batch gradient descent, and the pieces they share.

pub mod observer;
pub mod schedule;
pub mod sgd;

pub use observer::{Observer, Progress, Silent};
pub use schedule::LearningRate;
pub use sgd::{SgdParams, ValidSgdParams};

/// max-norm of the minimum-norm subgradient of `J` at `θ = [b, w…]` given the smooth gradient
/// `grad = [∂b, ∂w…]` and each coefficient's l1 strength: the gradient norm where `l1 = 0`,
/// the kkt violation otherwise.
pub fn optimality_violation(theta: &[f64], grad: &[f64], l1: &[f64]) -> f64 {
    let mut worst = grad[0].abs();
    for ((&wj, &gj), &l1) in theta[1..].iter().zip(&grad[1..]).zip(l1) {
        let v = if l1 == 0.0 {
            gj.abs()
        } else if wj != 0.0 {
            (gj + l1 * wj.signum()).abs()
        } else {
            (gj.abs() - l1).max(0.0)
        };
        worst = worst.max(v);
    }
    worst
}
