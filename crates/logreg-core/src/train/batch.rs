//! what the minibatch trainer needs from an objective: the binary and the multinomial one.

use crate::backend::Backend;
use crate::multinomial::SoftmaxObjective;
use crate::objective::{Evaluation, Objective};
use crate::view::Selection;

/// an objective of θ' that gives its smooth part's value and gradient over any selection of
/// rows (a minibatch) and a full evaluation once per epoch.
pub trait BatchObjective {
    /// number of rows.
    fn n_rows(&self) -> usize;

    /// length of θ'.
    fn n_params(&self) -> usize;

    /// the l1 strength of every parameter of θ' (0 for intercepts).
    fn l1_strengths(&self) -> Vec<f64>;

    /// smooth part over the rows `sel` (normalised by their own weight), gradient into `grad`.
    fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64;

    /// full objective, mean log-loss and accuracy over every row.
    fn evaluate(&mut self, theta: &[f64]) -> Evaluation;
}

impl<B: Backend + ?Sized> BatchObjective for Objective<'_, B> {
    fn n_rows(&self) -> usize {
        Objective::n_rows(self)
    }

    fn n_params(&self) -> usize {
        self.n_features() + 1
    }

    fn l1_strengths(&self) -> Vec<f64> {
        std::iter::once(0.0).chain(self.l1_weights().iter().copied()).collect()
    }

    fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        Objective::batch_value_grad(self, sel, theta, grad)
    }

    fn evaluate(&mut self, theta: &[f64]) -> Evaluation {
        Objective::evaluate(self, theta)
    }
}

impl<B: Backend + ?Sized> BatchObjective for SoftmaxObjective<'_, B> {
    fn n_rows(&self) -> usize {
        SoftmaxObjective::n_rows(self)
    }

    fn n_params(&self) -> usize {
        SoftmaxObjective::n_params(self)
    }

    fn l1_strengths(&self) -> Vec<f64> {
        SoftmaxObjective::l1_strengths(self)
    }

    fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        SoftmaxObjective::batch_value_grad(self, sel, theta, grad)
    }

    fn evaluate(&mut self, theta: &[f64]) -> Evaluation {
        SoftmaxObjective::evaluate(self, theta)
    }
}
