//! reading labelled data from files.

pub mod categories;
pub mod csv;
pub mod decimal;
mod labels;
pub mod libsvm;
pub(crate) mod mapped;
pub(crate) mod memory;
pub mod npy;
pub mod npz;
#[cfg(feature = "parquet")]
pub mod parquet;
mod windows;

pub use self::categories::{CategoricalColumn, UnknownLevel};
pub use self::csv::{
    CsvOptions, DEFAULT_NA_VALUES, Missing, read_csv, read_csv_features, read_csv_features_at, read_csv_reporting,
};
pub use labels::{Classes, LabelCollector};
pub use libsvm::read_libsvm;
pub use npy::{read_npy, read_npy_features, read_npy_unlabelled, write_npy};

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
    /// the feature columns read as categories (csv), coded as dummy columns
    pub categories: Vec<CategoricalColumn>,
    /// the file's columns that the features come from, in order, when categories make them
    /// differ from the feature names (else empty)
    pub columns: Vec<String>,
}

impl LoadedData {
    /// data of a file with positional columns and a `label` target (libsvm, npy, npz).
    pub fn labelled_positional(dataset: Dataset, classes: Classes) -> Self {
        LoadedData {
            dataset,
            target: "label".into(),
            classes,
            dropped_rows: 0,
            categories: Vec::new(),
            columns: Vec::new(),
        }
    }
}
