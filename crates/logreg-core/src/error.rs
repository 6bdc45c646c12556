//! the error type of logreg-core.

use std::path::PathBuf;

/// everything that can go wrong in logreg-core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// a parameter is outside its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// parameter name, as the user spells it
        name: &'static str,
        /// what was expected
        reason: String,
    },
    /// two inputs that must agree in size do not.
    #[error("dimension mismatch: {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// which quantity
        what: &'static str,
        /// expected size
        expected: usize,
        /// actual size
        found: usize,
    },
    /// a value in the data is not usable (not finite, not a label, negative weight, ...).
    #[error("invalid value in {what} at row {row}, column {column}: {reason}")]
    InvalidValue {
        /// which array: features, labels or weights
        what: &'static str,
        /// 0-based row
        row: usize,
        /// 0-based column
        column: usize,
        /// what is wrong
        reason: String,
    },
    /// the data cannot be fitted as given (one class, no rows, zero total weight, ...).
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// the fit left the finite range (learning rate too large, or separable data without penalty).
    #[error("training diverged: {0}")]
    Diverged(String),
    /// the unpenalised estimate does not exist: the classes are (quasi-)separable.
    #[error(
        "the classes are (quasi-)separable: {perfect} of {rows} rows are predicted perfectly, so the unpenalised \
         maximum-likelihood coefficients do not exist (they grow without bound); add a penalty, e.g. l2 = 1e-4"
    )]
    Separation {
        /// rows fitted with a probability within ~3e-7 of their label
        perfect: usize,
        /// rows with positive weight
        rows: usize,
    },
    /// the unpenalised estimate is not unique: constant or collinear feature columns.
    #[error(
        "the unpenalised coefficients are not identified: {} `{}` {} {reason}; drop the redundant columns or add \
         a penalty, e.g. l2 = 1e-4",
        if columns.len() == 1 { "column" } else { "columns" },
        columns.join("`, `"),
        if columns.len() == 1 { "is" } else { "are" }
    )]
    Collinearity {
        /// the columns involved (`intercept` for the intercept)
        columns: Vec<String>,
        /// what is wrong with them
        reason: String,
    },
    /// a solver met a non-finite value (overflow, or invalid data that slipped through).
    #[error("{solver}: the {what} became non-finite at iteration {iteration}; the fit was stopped")]
    NonFinite {
        /// solver name
        solver: &'static str,
        /// which quantity (objective, gradient, hessian, step)
        what: &'static str,
        /// iteration where it first appeared (0: at the start)
        iteration: usize,
    },
    /// a feature column cannot be used as it is.
    #[error("column `{column}`: {reason}")]
    InvalidColumn {
        /// column name
        column: String,
        /// what is wrong and what to do
        reason: String,
    },
    /// a problem while reading a data file, located by line (1-based, header is line 1) and column.
    #[error("{}{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    Parse {
        /// file being read
        path: PathBuf,
        /// 1-based line number, when known
        line: Option<u64>,
        /// column name (or 1-based index), when known
        column: Option<String>,
        /// what was expected
        message: String,
    },
    /// a column named by the caller is not in the file's header.
    #[error("{}, line 1: no column named `{column}` ({role}); the columns are: {}", path.display(), available.join(", "))]
    MissingColumn {
        /// file being read
        path: PathBuf,
        /// the column asked for
        column: String,
        /// what asked for it (a flag name, such as `--features`)
        role: &'static str,
        /// the header's columns
        available: Vec<String>,
    },
    /// an observer asked to stop a path or cross-validation before its end.
    #[error("stopped by the observer after {done} of {total} fits")]
    Stopped {
        /// fits completed
        done: usize,
        /// fits the work had
        total: usize,
    },
    /// the system would not start a thread (a cross-validation's folds run on threads).
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
    /// an i/o failure on a named file.
    #[error("{}: {source}", path.display())]
    Io {
        /// file involved
        path: PathBuf,
        /// underlying error
        source: std::io::Error,
    },
}

/// result alias of logreg-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// shorthand for [`Error::InvalidParameter`].
    pub fn param(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { name, reason: reason.into() }
    }
}
