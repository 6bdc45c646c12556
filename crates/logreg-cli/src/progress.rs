//! a progress bar that follows training through the library's observer.

use std::ops::ControlFlow;

use indicatif::{ProgressBar, ProgressStyle};
use logreg::{Observer, Progress};

/// draws epochs / iterations on standard error (nothing when it is not a terminal).
pub struct BarObserver {
    bar: ProgressBar,
}

impl BarObserver {
    /// a bar of `max` steps, hidden when `quiet`.
    pub fn new(max: u64, unit: &str, quiet: bool) -> Self {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(max) };
        bar.set_style(
            ProgressStyle::with_template(&format!("{{prefix}} {{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}"))
                .expect("valid template"),
        );
        bar.set_prefix("training");
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
        ControlFlow::Continue(())
    }
}
