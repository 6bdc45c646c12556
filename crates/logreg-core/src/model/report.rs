//! how a fit went: stop reason, history and the report stored with every model.

/// why a solver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StopReason {
    /// the convergence tolerance was met (or its gradient test, at a point no step improves)
    Tolerance,
    /// the iteration or epoch limit was reached first
    MaxIterations,
    /// the observer asked to stop
    Interrupted,
    /// no step decreased the objective any further (it is flat to rounding error)
    NoProgress,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::Tolerance => "tolerance reached",
            StopReason::MaxIterations => "iteration limit reached",
            StopReason::Interrupted => "interrupted",
            StopReason::NoProgress => "no further decrease possible (rounding level)",
        })
    }
}

/// one point of the training history.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HistoryPoint {
    /// epoch (or iteration) number, from 1
    pub iteration: usize,
    /// objective `J` on the training data
    pub objective: f64,
    /// training accuracy at threshold 0.5
    pub accuracy: f64,
}

/// how a fit went: stored with every model.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FitReport {
    /// solver name
    pub solver: String,
    /// backend name
    pub backend: String,
    /// epochs or iterations run
    pub iterations: usize,
    /// final objective
    pub objective: f64,
    /// final gradient norm (max-norm; for l1 fits, the kkt violation)
    pub gradient_norm: f64,
    /// whether the tolerance was met
    pub converged: bool,
    /// why the solver stopped
    pub reason: StopReason,
    /// wall time of the fit in seconds
    pub fit_seconds: f64,
    /// objective and accuracy after each epoch or iteration
    pub history: Vec<HistoryPoint>,
}
