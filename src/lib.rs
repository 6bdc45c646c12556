//! logistic regression on pluggable numeric backends.
//!
//! the core (dataset, objective, trainers, metrics, model) is re-exported from `logreg-core`;
//! each backend is compiled in by its cargo feature (`faer`, `ndarray`, `nalgebra`) and can be
//! chosen at run time by name through [`BackendKind`].
//!
//! ```
//! use logreg::{BackendKind, Dataset, SgdParams, Silent};
//!
//! // two features, four rows, labels in {0, 1}
//! let data = Dataset::new(vec![0.0, 1.0, 1.0, 0.5, 2.0, 2.5, 3.0, 3.5], 2, vec![0.0, 0.0, 1.0, 1.0])?;
//! let backend = BackendKind::default().backend();
//! let params = SgdParams { l2: 0.01, ..SgdParams::full_batch(0.5) }.check()?;
//! let model = params.fit(backend, &data, &mut Silent)?;
//! let p = model.predict_proba(data.features())?;
//! assert!(p[0] < 0.5 && p[3] > 0.5);
//! # Ok::<(), logreg::Error>(())
//! ```
#![warn(missing_docs)]

mod backend_kind;

pub use backend_kind::{BackendKind, UnknownBackend};
pub use logreg_core::*;

#[cfg(feature = "faer")]
pub use logreg_faer::{FaerBackend, dataset_from_mat};
#[cfg(feature = "nalgebra")]
pub use logreg_nalgebra::{NalgebraBackend, dataset_from_matrix};
#[cfg(feature = "ndarray")]
pub use logreg_ndarray::{NdarrayBackend, dataset_from_array, dataset_from_view};

/// the README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
