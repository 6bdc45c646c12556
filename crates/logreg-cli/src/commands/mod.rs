//! one module per subcommand.

pub mod evaluate;
pub mod generate;
pub mod plot;
pub mod predict;
pub mod summary;
pub mod train;

use logreg::view::MatrixRef;
use logreg::{ReferenceBackend, decision_values};

use crate::model_file::ModelFile;

/// decision values of the model on row-major features in model order.
fn decisions(model: &ModelFile, x: &[f64], rows: usize) -> Vec<f64> {
    let m = MatrixRef::new(x, rows, model.features.len()).expect("loaded with the model's columns");
    let mut z = vec![0.0; rows];
    decision_values(&ReferenceBackend, m, &model.coefficients, model.intercept, &mut z);
    z
}
