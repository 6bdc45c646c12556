//! more than two classes: the multinomial (softmax) model, its objective, its newton solver and
//! its fit (l-bfgs is shared with the binary model through [`crate::solve::Smooth`]).

mod curvature;
mod fit;
mod model;
mod newton;
mod objective;
mod path;

pub use fit::multinomial_solver;
pub use model::{MultinomialModel, argmax, class_decision_values};
pub use newton::newton;
pub use objective::SoftmaxObjective;
