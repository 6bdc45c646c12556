//! core of logreg: the [`Backend`] trait, the [`Dataset`], the objective, trainers,
//! metrics and the fitted [`Model`].
//!
//! backends live in their own crates (`logreg-nalgebra`, `logreg-ndarray`, `logreg-faer`);
//! [`ReferenceBackend`] here is the plain-rust baseline they are tested against.
#![warn(missing_docs)]
// `!(a > b)` is how this crate says "not greater, or NaN": the negation is the point
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod backend;
pub mod content_hash;
pub mod csr;
pub mod dataset;
pub mod error;
pub mod io;
pub mod metrics;
pub mod model;
pub mod multinomial;
pub mod numerics;
pub mod objective;
pub mod rng;
pub mod scaler;
pub mod simd;
pub mod softmax;
pub mod solve;
pub mod synthetic;
pub mod synthetic_text;
pub mod train;
pub mod view;

mod ahead;
mod blocks;
mod class_kernels;
mod fitted;
mod gram_kernels;
mod linalg;
mod outcome;
mod row_kernels;
mod sparse_kernels;

pub use backend::{Backend, BlockSums, ReferenceBackend};
pub use blocks::decision_values;
pub use csr::CsrMatrix;
pub use dataset::{DataRef, Dataset};
pub use error::{Error, Result};
pub use model::{FitReport, HistoryPoint, Inference, Model, StopReason, Term};
pub use multinomial::{MultinomialModel, SoftmaxObjective};
pub use objective::{Evaluation, Objective, Penalty};
pub use outcome::{Limits, Outcome};
pub use scaler::{ColumnStats, Standardizer};
pub use softmax::SoftmaxSums;
pub use solve::{ClassWeight, FitParams, Solver, ValidFitParams};
pub use train::{LearningRate, Observer, PointObserver, Progress, SgdParams, Silent, ValidSgdParams};
pub use view::{CsrRef, DenseRows, Design, MatrixRef, Rows, Selection, SparseRows};

/// internals the benchmarks and the peer-comparison harness time directly; not part of the
/// api and free to change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::blocks::{BlockWorkspace, EvalSums};
    pub use crate::simd::{Level, level, widest};
}
