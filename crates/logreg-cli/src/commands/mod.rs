//! one module per subcommand.

pub mod evaluate;
pub mod generate;
pub mod plot;
pub mod predict;
pub mod summary;
pub mod train;

use logreg::multinomial::class_decision_values;
use logreg::softmax::softmax_in_place;
use logreg::view::MatrixRef;
use logreg::{ReferenceBackend, decision_values};

use crate::model_file::{BinaryPart, MultinomialPart};

/// decision values of a binary model on row-major features in model order.
fn decisions(model: BinaryPart<'_>, x: &[f64], rows: usize) -> Vec<f64> {
    let m = MatrixRef::new(x, rows, model.coefficients.len()).expect("loaded with the model's columns");
    let mut z = vec![0.0; rows];
    decision_values(&ReferenceBackend, m, model.coefficients, model.intercept, &mut z);
    z
}

/// class probabilities (row-major `rows × K`) of a multinomial model on row-major features in
/// model order.
fn class_probabilities(model: &MultinomialPart, x: &[f64], rows: usize) -> Vec<f64> {
    let d = model.coefficients.first().map_or(0, Vec::len);
    let m = MatrixRef::new(x, rows, d).expect("loaded with the model's columns");
    let blocks: Vec<f64> = model
        .intercepts
        .iter()
        .zip(&model.coefficients)
        .flat_map(|(b, w)| std::iter::once(*b).chain(w.iter().copied()))
        .collect();
    let k = model.classes.len();
    let mut p = vec![0.0; rows * k];
    class_decision_values(&ReferenceBackend, m, &blocks, &mut p);
    p.chunks_exact_mut(k).for_each(softmax_in_place);
    p
}

/// the binary model's threshold: `--threshold`, 0.5 by default; an error for a multinomial model,
/// whose label is its most probable class.
pub(crate) fn binary_threshold(threshold: Option<f64>, multinomial: bool) -> anyhow::Result<f64> {
    match threshold {
        Some(_) if multinomial => anyhow::bail!(
            "--threshold applies to two-class models only: a multinomial model predicts its most probable class"
        ),
        t => Ok(t.unwrap_or(0.5)),
    }
}
