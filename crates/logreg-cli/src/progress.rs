//! progress bars through the library's observers: a fit's iterations or epochs, and the (fold, penalty)
//! fits of a path or cross-validation; both stop the work once ctrl-c was pressed.

use std::ops::ControlFlow;

use indicatif::{ProgressBar, ProgressStyle};
use logreg::solve::Solver;
use logreg::{Observer, PointObserver, Progress};

use crate::interrupt::interrupted;

/// `Break` once ctrl-c was pressed.
fn go_on() -> ControlFlow<()> {
    if interrupted() { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
}

/// draws epochs / iterations on standard error (nothing when it is not a terminal).
pub struct BarObserver {
    bar: ProgressBar,
}

impl BarObserver {
    /// the bar of a fit by `solver` labelled `prefix`: `epochs` of sgd / gd, else iterations up
    /// to the limit (`max_iter`, or the solver's default); hidden when `quiet`.
    pub fn for_solver(prefix: &'static str, solver: Solver, max_iter: Option<u64>, epochs: u64, quiet: bool) -> Self {
        let (max, unit) = match solver {
            Solver::Sgd | Solver::Gd => (epochs, "epochs"),
            Solver::Lbfgs | Solver::OwlQn => (max_iter.unwrap_or(10_000), "iterations"),
            Solver::NewtonCg | Solver::DualCd => (max_iter.unwrap_or(1_000), "iterations"),
            _ => (max_iter.unwrap_or(100), "iterations"),
        };
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(max) };
        bar.set_style(
            ProgressStyle::with_template(&format!("{{prefix}} {{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}"))
                .expect("valid template"),
        );
        bar.set_prefix(prefix);
        BarObserver { bar }
    }

    /// remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for BarObserver {
    fn on_epoch(&mut self, p: &Progress) -> ControlFlow<()> {
        self.bar.set_position(p.epoch as u64);
        self.bar.set_message(format!("objective {:.6}  accuracy {:.4}", p.objective, p.accuracy));
        go_on()
    }
}

/// draws the (fold, penalty) fits of a path or cross-validation on standard error.
pub struct PointBar {
    bar: ProgressBar,
}

impl PointBar {
    /// a bar of `folds × points` fits labelled `prefix`, hidden when `quiet`.
    pub fn new(prefix: &'static str, folds: usize, points: usize, quiet: bool) -> Self {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new((folds * points) as u64) };
        bar.set_style(
            ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} fits ({msg})  {elapsed} / ~{duration}")
                .expect("valid template"),
        );
        bar.set_prefix(prefix);
        bar.set_message(format!("{folds} × {points} penalties"));
        PointBar { bar }
    }

    /// remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl PointObserver for PointBar {
    fn on_point(&self, _: usize, _: usize) -> ControlFlow<()> {
        self.bar.inc(1);
        go_on()
    }
}
