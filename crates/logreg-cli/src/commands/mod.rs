//! one module per subcommand.

pub mod cv;
pub mod evaluate;
pub mod generate;
pub mod path;
mod path_figures;
pub mod plot;
pub mod predict;
pub mod summary;
pub mod train;

use logreg::multinomial::class_decision_values;
use logreg::softmax::softmax_in_place;
use logreg::view::Design;
use logreg::{ReferenceBackend, decision_values};

use crate::model_file::{BinaryPart, MultinomialPart};

/// a csv field, quoted when it holds a delimiter, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// decision values of a binary model on features in model order (dense or sparse).
fn decisions(model: BinaryPart<'_>, x: Design<'_>) -> Vec<f64> {
    let mut z = vec![0.0; x.n_rows()];
    decision_values(&ReferenceBackend, x, model.coefficients, model.intercept, &mut z);
    z
}

/// class probabilities (row-major `rows × K`) of a multinomial model on features in model order
/// (dense or sparse).
fn class_probabilities(model: &MultinomialPart, x: Design<'_>) -> Vec<f64> {
    let rows = x.n_rows();
    let blocks: Vec<f64> = model
        .intercepts
        .iter()
        .zip(&model.coefficients)
        .flat_map(|(b, w)| std::iter::once(*b).chain(w.iter().copied()))
        .collect();
    let k = model.classes.len();
    let mut p = vec![0.0; rows * k];
    class_decision_values(&ReferenceBackend, x, &blocks, &mut p);
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
