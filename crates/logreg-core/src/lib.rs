//! core of logreg: the [`Backend`] trait, the [`Dataset`], the objective, trainers,
//! metrics and the fitted [`Model`].
//!
//! backends live in their own crates (`logreg-nalgebra`, `logreg-ndarray`, `logreg-faer`);
//! [`ReferenceBackend`] here is the plain-rust baseline they are tested against.
#![warn(missing_docs)]

pub mod backend;
pub mod blocks;
pub mod dataset;
pub mod error;
pub mod io;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod numerics;
pub mod objective;
pub mod rng;
pub mod row_kernels;
pub mod scaler;
pub mod simd;
pub mod solve;
pub mod synthetic;
pub mod train;
pub mod view;

pub use backend::{Backend, BlockSums, ReferenceBackend};
pub use dataset::{DataRef, Dataset};
pub use error::{Error, Result};
pub use model::{FitReport, HistoryPoint, Model, StopReason};
pub use objective::{Evaluation, Objective, Penalty};
pub use scaler::Standardizer;
pub use solve::{ClassWeight, FitParams, Inference, Solver, Term, ValidFitParams};
pub use train::{LearningRate, Observer, Progress, SgdParams, Silent, ValidSgdParams};
pub use view::{MatrixRef, Rows, Selection};
