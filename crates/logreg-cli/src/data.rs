//! loading data files for the commands: format detection, the bundled dataset, load progress.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use logreg::io::csv::read_csv_from;
use logreg::io::libsvm::read_libsvm_from;
use logreg::io::npy::{npy_shape, read_npy, read_npy_features, read_npy_unlabelled};
use logreg::io::npz::{read_npz, read_npz_csr};
use logreg::io::{
    CategoricalColumn, CsvOptions, LoadedData, Missing, UnknownLevel, read_csv_features_at, read_csv_reporting,
};
use logreg::{CsrMatrix, Dataset, Design, MatrixRef};

use crate::args::{DataArgs, Format, LabelledArgs, MissingValues, UnknownLevels};

/// the bundled breast-cancer data, embedded so `train` works from any directory.
const BUNDLED: &str = include_str!("../../../data/breast_cancer.csv");
/// how the bundled data is named in messages and model files.
pub const BUNDLED_NAME: &str = "bundled:breast_cancer.csv";

/// the format of `path`: the flag if given, else by extension.
pub fn format_of(path: &Path, explicit: Option<Format>) -> Format {
    explicit.unwrap_or_else(|| match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
        Some(e) if matches!(e.as_str(), "svm" | "libsvm" | "svmlight" | "txt") => Format::Libsvm,
        Some(e) if e == "npy" => Format::Npy,
        Some(e) if e == "npz" => Format::Npz,
        Some(e) if e == "parquet" || e == "pq" => Format::Parquet,
        _ => Format::Csv,
    })
}

/// what to read from a labelled file.
pub struct Labelled<'a> {
    /// target column (csv)
    pub target: Option<String>,
    /// feature columns (csv)
    pub features: Option<Vec<String>>,
    /// positive class
    pub positive: Option<&'a str>,
    /// the model's number of features (libsvm data are read at this width)
    pub width: Option<usize>,
    /// the model's category columns (csv): the coding is then the model's, not inferred
    pub levels: Option<Vec<CategoricalColumn>>,
}

impl LabelledArgs {
    /// what to read for a new model: the columns given, the coding inferred.
    pub fn labelled(&self) -> Labelled<'_> {
        Labelled {
            target: self.target.clone(),
            features: self.features.clone(),
            positive: self.positive.as_deref(),
            width: None,
            levels: None,
        }
    }
}

/// labelled data from `--data`, or the bundled data when `bundled_default` and no file is given;
/// returns the data and a name for it.
pub fn load_labelled(input: &DataArgs, spec: Labelled<'_>, bundled_default: bool) -> Result<(LoadedData, String)> {
    if spec.levels.is_some() && !input.categorical.is_empty() {
        bail!("--categorical applies to train: the model fixes which columns are categories");
    }
    let options = CsvOptions {
        target: spec.target,
        features: spec.features,
        positive: spec.positive.map(str::to_string),
        delimiter: input.delimiter,
        missing: match input.missing {
            MissingValues::Error => Missing::Error,
            MissingValues::Drop => Missing::Drop,
        },
        na_values: input.na_values.clone(),
        categorical: input.categorical.clone(),
        levels: spec.levels,
        unknown_level: unknown_level(input),
    };
    let Some(path) = &input.data else {
        if !bundled_default {
            bail!("--data is required");
        }
        let data = read_csv_from(BUNDLED.as_bytes(), Path::new(BUNDLED_NAME), &options)?;
        return Ok((data, BUNDLED_NAME.into()));
    };
    let format = format_of(path, input.format);
    if !input.categorical.is_empty() && !matches!(format, Format::Csv | Format::Parquet) {
        bail!("--categorical applies to csv and parquet data (columns of this format are numbers)");
    }
    if format == Format::Npz {
        let labels =
            input.labels.as_ref().context("--labels is required with .npz data (save_npz stores no labels)")?;
        let mut data = read_npz(path, labels, spec.positive)?;
        let width = spec.width.or(input.n_features.map(|d| d as usize));
        data.dataset = fit_width(data.dataset, path, input, width)?;
        return Ok((data, path.display().to_string()));
    }
    if input.labels.is_some() && !matches!(format, Format::Npz | Format::Npy) {
        bail!("--labels applies to .npz and .npy data (the labels of this format are in the file)");
    }
    if format == Format::Npy {
        let data = match &input.labels {
            Some(labels) => read_npy_features(path, labels, spec.positive)?,
            None => read_npy(path, spec.positive)?,
        };
        return Ok((data, path.display().to_string()));
    }
    if format == Format::Parquet {
        return Ok((note_dropped(parquet::read(path, &options)?, path), path.display().to_string()));
    }
    let data = match format {
        Format::Csv => {
            let bar = loading_bar(path)?;
            note_dropped(read_csv_reporting(path, &options, &mut |done| bar.set_position(done))?, path)
        }
        Format::Libsvm => read_libsvm_for(open_with_progress(path)?, path, input, spec.width, spec.positive)?,
        Format::Npy | Format::Npz | Format::Parquet => unreachable!("read above"),
    };
    Ok((data, path.display().to_string()))
}

/// `data`, after a note on the rows it dropped for a missing value.
fn note_dropped(data: LoadedData, path: &Path) -> LoadedData {
    if data.dropped_rows > 0 {
        eprintln!(
            "note: {}: {} rows with a missing value dropped (--missing drop), {} remain",
            path.display(),
            data.dropped_rows,
            data.dataset.n_rows()
        );
    }
    data
}

/// parquet input, when this logreg was built with it.
mod parquet {
    use std::path::Path;

    use anyhow::Result;
    use logreg::io::{CsvOptions, LoadedData};

    /// labelled data.
    pub fn read(path: &Path, options: &CsvOptions) -> Result<LoadedData> {
        #[cfg(feature = "parquet")]
        return Ok(logreg::io::parquet::read_parquet(path, options)?);
        #[cfg(not(feature = "parquet"))]
        unavailable(path, options)
    }

    /// features for prediction: values, rows, names.
    pub fn features(path: &Path, options: &CsvOptions) -> Result<(Vec<f64>, usize, Vec<String>)> {
        #[cfg(feature = "parquet")]
        return Ok(logreg::io::parquet::read_parquet_features(path, options)?);
        #[cfg(not(feature = "parquet"))]
        unavailable(path, options)
    }

    #[cfg(not(feature = "parquet"))]
    fn unavailable<T>(path: &Path, _: &CsvOptions) -> Result<T> {
        anyhow::bail!("{}: this logreg was built without parquet (cargo feature `parquet`)", path.display())
    }
}

/// feature values read for prediction: a csv's columns (dense, row-major), or a whole dataset
/// (libsvm: sparse; npy: dense) whose labels are not used.
pub enum Features {
    /// row-major values of `rows` rows and `cols` columns
    Dense {
        /// the values
        values: Vec<f64>,
        /// rows
        rows: usize,
        /// columns
        cols: usize,
    },
    /// a loaded dataset's features
    Data(Dataset),
    /// sparse features
    Sparse(CsrMatrix),
}

impl Features {
    /// the design matrix.
    pub fn design(&self) -> Design<'_> {
        match self {
            Features::Dense { values, rows, cols } => {
                Design::Dense(MatrixRef::new(values, *rows, *cols).expect("rows × cols values"))
            }
            Features::Data(d) => d.features(),
            Features::Sparse(x) => Design::Sparse(x.view()),
        }
    }
}

fn unknown_level(input: &DataArgs) -> UnknownLevel {
    match input.unknown_level {
        UnknownLevels::Error => UnknownLevel::Error,
        UnknownLevels::Ignore => UnknownLevel::Ignore,
    }
}

/// the features of `--data` for a model whose features are `features`, read from the data
/// `columns` (in that order; category columns coded with the model's `levels`), labels ignored.
pub fn load_features(
    input: &DataArgs,
    features: &[String],
    columns: &[String],
    levels: &[CategoricalColumn],
) -> Result<Features> {
    if !input.categorical.is_empty() {
        bail!("--categorical applies to train: the model fixes which columns are categories");
    }
    let path = input.data.as_ref().context("--data is required")?;
    let format = format_of(path, input.format);
    if !matches!(format, Format::Csv | Format::Parquet) {
        let expected: Vec<String> = (1..=features.len()).map(|j| format!("f{j}")).collect();
        if features != expected.as_slice() {
            bail!(
                "{}: columns of this format are positional (f1, f2, …) but the model's features are named {}",
                path.display(),
                features.join(", ")
            );
        }
    }
    if format == Format::Npz {
        let x = read_npz_csr(path)?;
        let d = features.len();
        let x = match x.n_cols() {
            n if n == d => x,
            n => {
                width_differs(path, input, n, d)?;
                x.resized(d)?
            }
        };
        return Ok(Features::Sparse(x));
    }
    if format == Format::Parquet {
        return named_features(input, path, false, features, columns, levels);
    }
    match format {
        Format::Csv => named_features(input, path, true, features, columns, levels),
        Format::Npz | Format::Parquet => unreachable!("read above"),
        format @ (Format::Libsvm | Format::Npy) => {
            let data = match format {
                Format::Libsvm => read_libsvm_for(open_with_progress(path)?, path, input, Some(features.len()), None)?,
                // an array as wide as the model has features alone (mapped in place); one column
                // wider, the label last
                _ if npy_shape(path)?.get(1) == Some(&(features.len() as u64)) => {
                    return Ok(Features::Data(read_npy_unlabelled(path)?));
                }
                _ => read_npy(path, None)?,
            };
            if data.dataset.n_cols() != features.len() {
                bail!(
                    "{}: {} feature columns, the model has {}",
                    path.display(),
                    data.dataset.n_cols(),
                    features.len()
                );
            }
            Ok(Features::Data(data.dataset))
        }
    }
}

/// the features of a file with named columns (csv when `csv`, else parquet).
fn named_features(
    input: &DataArgs,
    path: &Path,
    csv: bool,
    features: &[String],
    columns: &[String],
    levels: &[CategoricalColumn],
) -> Result<Features> {
    if input.missing == MissingValues::Drop {
        bail!(
            "predict writes a line for every input row: --missing drop does not apply (fill the missing values first)"
        );
    }
    let options = CsvOptions {
        features: Some(columns.to_vec()),
        delimiter: input.delimiter,
        na_values: input.na_values.clone(),
        levels: Some(levels.to_vec()),
        unknown_level: unknown_level(input),
        ..Default::default()
    };
    let read = if csv {
        let bar = loading_bar(path)?;
        read_csv_features_at(path, &options, &mut |done| bar.set_position(done)).map_err(anyhow::Error::from)
    } else {
        parquet::features(path, &options)
    };
    let (x, rows, names) = read.map_err(|e| match e.downcast::<logreg::Error>() {
        Ok(logreg::Error::MissingColumn { column, .. }) => {
            anyhow::anyhow!("{}: the model's feature `{column}` is missing from the data", path.display())
        }
        Ok(other) => other.into(),
        Err(other) => other,
    })?;
    if names != features {
        bail!(
            "{}: the data's features {} are not the model's {}",
            path.display(),
            names.join(", "),
            features.join(", ")
        );
    }
    Ok(Features::Dense { values: x, rows, cols: features.len() })
}

/// libsvm data at the width `--n-features` gives (else the model's, else the file's), then set
/// to the model's width: columns past it ignored, with a note.
fn read_libsvm_for(
    reader: impl Read,
    path: &Path,
    input: &DataArgs,
    model_width: Option<usize>,
    positive: Option<&str>,
) -> Result<LoadedData> {
    let width = input.n_features.map(|d| d as usize);
    let mut data = read_libsvm_from(reader, path, width.or(model_width), positive).map_err(|e| match model_width {
        Some(_) if width.is_none() && e.to_string().contains("features expected") => anyhow::anyhow!(
            "{e} (the model's width); --n-features N reads a wider file and ignores the columns past the model's"
        ),
        _ => e.into(),
    })?;
    data.dataset = fit_width(data.dataset, path, input, model_width)?;
    Ok(data)
}

/// positional data set to `width` (the model's, else `--n-features`): columns past it ignored,
/// new ones empty.
fn fit_width(data: Dataset, path: &Path, input: &DataArgs, width: Option<usize>) -> Result<Dataset> {
    match width {
        Some(d) if d != data.n_cols() => {
            width_differs(path, input, data.n_cols(), d)?;
            Ok(data.with_n_cols(d)?)
        }
        _ => Ok(data),
    }
}

/// `n` columns of data read for a model (or `--n-features`) of `d`: an error for .npz data without
/// `--n-features`, else a note when columns are dropped.
fn width_differs(path: &Path, input: &DataArgs, n: usize, d: usize) -> Result<()> {
    if input.n_features.is_none() && format_of(path, input.format) == Format::Npz {
        bail!(
            "{}: {n} feature columns, the model has {d}; --n-features N reads it anyway (columns past the model's ignored)",
            path.display()
        );
    }
    if n > d {
        eprintln!("note: {}: {n} columns read against {d}: the columns past {d} are ignored", path.display());
    }
    Ok(())
}

/// the file at `path`, read through a byte progress bar (see [`loading_bar`]).
fn open_with_progress(path: &Path) -> Result<Box<dyn Read + Send>> {
    let bar = loading_bar(path)?;
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    Ok(if bar.is_hidden() { Box::new(file) } else { Box::new(bar.wrap_read(file)) })
}

/// a progress bar over the bytes of the file at `path`: drawn only on a terminal, for large
/// files (hidden otherwise); an error when the file cannot be opened.
fn loading_bar(path: &Path) -> Result<ProgressBar> {
    let len =
        File::open(path).and_then(|f| f.metadata()).with_context(|| format!("{}: cannot open", path.display()))?.len();
    if len < 64 << 20 {
        return Ok(ProgressBar::hidden());
    }
    Ok(ProgressBar::new(len).with_style(
        ProgressStyle::with_template("loading {bytes}/{total_bytes} {wide_bar} {eta}").expect("valid template"),
    ))
}
