//! trainers: minibatch sgd / full-batch gradient descent, and the pieces they share.

pub mod batch;
pub mod observer;
pub mod schedule;
pub mod sgd;

pub use batch::BatchObjective;
pub use observer::{Observer, PointObserver, Progress, Silent};
pub use schedule::LearningRate;
pub use sgd::{SgdParams, ValidSgdParams};

pub use crate::objective::optimality_violation;
