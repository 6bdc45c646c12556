//! reading labelled data from files.

pub mod csv;
mod labels;
pub mod libsvm;
pub mod npy;
pub mod npz;

pub use self::csv::{CsvOptions, DEFAULT_NA_VALUES, Missing, read_csv, read_csv_features};
pub use labels::{Classes, LabelCollector};
pub use libsvm::read_libsvm;
pub use npy::{read_npy, write_npy};

use crate::dataset::Dataset;

/// a dataset read from a file, with what is needed to map predictions back to its labels.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedData {
    /// the data, labels mapped to {0, 1}
    pub dataset: Dataset,
    /// name of the target column
    pub target: String,
    /// the two class values as they appear in the file
    pub classes: Classes,
    /// rows left out for a missing value (csv read with [`csv::Missing::Drop`])
    pub dropped_rows: usize,
}
