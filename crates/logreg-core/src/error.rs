//! the error type of logreg-core.

use std::path::PathBuf;

/// everything that can go wrong in logreg-core.
#[derive(Debug, thiserror::Error)]
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
    /// the unpenalised estimate does not exist or is not unique (separation, collinearity).
    #[error("{0}")]
    Separation(String),
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
