//! progress reporting: the library prints nothing, an observer decides what to show.

use std::ops::ControlFlow;

/// state of training after one epoch (or iteration).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// epoch or iteration, from 1
    pub epoch: usize,
    /// the limit on epochs or iterations
    pub max_epochs: usize,
    /// objective on the training data
    pub objective: f64,
    /// mean log-loss on the training data
    pub log_loss: f64,
    /// training accuracy: at threshold 0.5, or of the most probable class (more than two classes)
    pub accuracy: f64,
    /// learning rate used last (0 for solvers without one)
    pub learning_rate: f64,
}

/// receives training progress; may stop training early.
pub trait Observer {
    /// called after every epoch or iteration; `Break` stops training.
    fn on_epoch(&mut self, progress: &Progress) -> ControlFlow<()>;
}

/// an observer that ignores progress.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {
    fn on_epoch(&mut self, _: &Progress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// receives the points of a regularisation path or a cross-validation as they are fitted
/// (folds run on several threads at once); may stop the work.
pub trait PointObserver: Sync {
    /// called when `fold` (0 for a path on all rows) has fitted penalty number `point`, counted
    /// from 0 in path order; `Break` stops the work with [`crate::Error::Stopped`].
    fn on_point(&self, fold: usize, point: usize) -> ControlFlow<()>;
}

impl PointObserver for Silent {
    fn on_point(&self, _: usize, _: usize) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<F: FnMut(&Progress)> Observer for F {
    fn on_epoch(&mut self, progress: &Progress) -> ControlFlow<()> {
        self(progress);
        ControlFlow::Continue(())
    }
}
