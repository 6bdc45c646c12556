//! the training set: features stored once (dense row-major, or sparse rows), labels, optional
//! weights.
//!
//! labels are class indices `0, 1, …, K − 1` stored as `f64`: `{0, 1}` for the binary model,
//! `K > 2` classes for the multinomial one.

use std::sync::Arc;

use rayon::prelude::*;

use crate::backend::MAX_TILE_ROWS;
use crate::content_hash::ContentHash;
use crate::csr::CsrMatrix;
use crate::error::{Error, Result};
use crate::io::mapped::MappedValues;
use crate::view::{Design, MatrixRef, Rows, Selection};

/// the stored features of a dataset.
#[derive(Clone, Debug)]
enum Features {
    /// one contiguous row-major buffer
    Dense(Vec<f64>),
    /// a file's values viewed in place: row-major, rows `row_stride` values apart (more than
    /// the width when each row also holds its label), with their [`ContentHash`] value, taken
    /// while they were checked finite
    Mapped { values: Arc<MappedValues>, row_stride: usize, hash: u64 },
    /// compressed sparse rows
    Sparse(CsrMatrix),
}

impl Features {
    /// the row-major view of `n_rows × n_cols` features, when dense.
    fn dense_view(&self, n_rows: usize, n_cols: usize) -> Option<MatrixRef<'_>> {
        let view = match self {
            Features::Dense(x) => MatrixRef::new(x, n_rows, n_cols),
            Features::Mapped { values, row_stride, .. } => strided(values, n_rows, n_cols, *row_stride),
            Features::Sparse(_) => return None,
        };
        Some(view.expect("sizes checked at construction"))
    }
}

/// the first `n_rows` rows of `n_cols` of `values`, rows `row_stride` apart; `None` if they do
/// not fit.
fn strided(values: &MappedValues, n_rows: usize, n_cols: usize, row_stride: usize) -> Option<MatrixRef<'_>> {
    let span = crate::view::span(n_rows, n_cols, row_stride)?;
    MatrixRef::with_row_stride(values.as_slice().get(..span)?, n_rows, n_cols, row_stride)
}

/// a labelled dataset: features stored once (one row-major buffer, in memory or a file's values
/// viewed in place, or compressed sparse rows), class labels
/// `0, …, K − 1` (`{0, 1}` when binary), optional non-negative sample weights, and feature names.
#[derive(Clone, Debug)]
pub struct Dataset {
    features: Features,
    n_rows: usize,
    n_cols: usize,
    labels: Vec<f64>,
    n_classes: usize,
    weights: Option<Vec<f64>>,
    feature_names: FeatureNames,
}

/// a dataset's feature names: given, or positional (`x0, x1, …` or `f1, f2, …`), which are made
/// only when first asked for — a file with a million columns is read without a million names.
#[derive(Clone, Debug)]
struct FeatureNames {
    /// number of columns
    count: usize,
    /// positional names: `{prefix}{first}`, `{prefix}{first + 1}`, …
    prefix: &'static str,
    first: usize,
    /// the names, once given or made
    names: std::sync::OnceLock<Arc<[String]>>,
}

/// features from which a fit may make their names on a thread of their own while it runs (see
/// [`Dataset::with_names_made_meanwhile`]).
const NAMES_MADE_MEANWHILE: usize = 1 << 16;

/// equal when the values are: features stored in memory or mapped from a file alike.
impl PartialEq for Dataset {
    fn eq(&self, other: &Self) -> bool {
        let features = match (&self.features, &other.features) {
            (Features::Sparse(a), Features::Sparse(b)) => a == b,
            (a, b) => {
                let shape = (self.n_rows, self.n_cols);
                (shape == (other.n_rows, other.n_cols))
                    && match (a.dense_view(shape.0, shape.1), b.dense_view(shape.0, shape.1)) {
                        (Some(a), Some(b)) => a.rows().eq(b.rows()),
                        _ => false,
                    }
            }
        };
        features
            && (self.n_rows, self.n_cols, self.n_classes) == (other.n_rows, other.n_cols, other.n_classes)
            && self.labels == other.labels
            && self.weights == other.weights
            && self.feature_names == other.feature_names
    }
}

impl PartialEq for FeatureNames {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl FeatureNames {
    fn positional(count: usize, prefix: &'static str, first: usize) -> Self {
        FeatureNames { count, prefix, first, names: std::sync::OnceLock::new() }
    }

    fn given(names: Vec<String>) -> Self {
        FeatureNames { count: names.len(), prefix: "", first: 0, names: std::sync::OnceLock::from(Arc::from(names)) }
    }

    fn get(&self) -> &Arc<[String]> {
        let (prefix, first) = (self.prefix, self.first);
        // in parallel: a text-like dataset has millions of columns
        self.names.get_or_init(|| {
            let names: Vec<String> =
                (first..first + self.count).into_par_iter().map(|j| positional(prefix, j)).collect();
            names.into()
        })
    }

    /// the name of column `j`, without making the others.
    fn name(&self, j: usize) -> String {
        match self.names.get() {
            Some(names) => names[j].clone(),
            None => positional(self.prefix, self.first + j),
        }
    }
}

/// the position of the first value of `values` that is not finite, found by all threads.
fn first_not_finite(values: &[f64]) -> Option<usize> {
    const BLOCK: usize = 1 << 16;
    let block = values.par_chunks(BLOCK).position_first(|c| !crate::numerics::all_finite(c))?;
    values.iter().skip(block * BLOCK).position(|v| !v.is_finite()).map(|k| block * BLOCK + k)
}

/// `{prefix}{j}`.
fn positional(prefix: &str, j: usize) -> String {
    let mut digits = [0u8; 20];
    let (mut k, mut rest) = (digits.len(), j);
    loop {
        k -= 1;
        digits[k] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut name = String::with_capacity(prefix.len() + digits.len() - k);
    name.push_str(prefix);
    name.extend(digits[k..].iter().map(|&b| char::from(b)));
    name
}

/// borrowed features, labels and weights of a dataset.
#[derive(Clone, Copy, Debug)]
pub struct DataRef<'a> {
    /// features, dense or sparse
    pub x: Design<'a>,
    /// class labels `0, …, K − 1` (`{0, 1}` when binary)
    pub y: &'a [f64],
    /// sample weights, `None` meaning all ones
    pub weights: Option<&'a [f64]>,
}

impl<'a> DataRef<'a> {
    /// weight of row `i`.
    #[inline]
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |s| s[i])
    }

    /// total sample weight of each class `0, …, n_classes − 1`.
    pub fn class_totals(&self, n_classes: usize) -> Vec<f64> {
        let mut totals = vec![0.0; n_classes];
        for (i, &y) in self.y.iter().enumerate() {
            totals[y as usize] += self.weight(i);
        }
        totals
    }

    /// each row's sample weight times its factor in `rows` (0 leaves a row out: a
    /// cross-validation fold without a copy).
    pub(crate) fn weights_times(&self, rows: &[f64]) -> Vec<f64> {
        (0..self.y.len()).map(|i| self.weight(i) * rows[i]).collect()
    }

    /// the rows that weigh more than 0, ascending; `None` when every row does (a
    /// cross-validation fold's training rows, where the others weigh 0).
    pub(crate) fn weighted_rows(&self) -> Option<Vec<usize>> {
        self.weights.filter(|w| w.contains(&0.0)).map(|w| (0..w.len()).filter(|&i| w[i] > 0.0).collect())
    }

    /// the rows `selection` of the features.
    pub fn rows(&self, selection: Selection<'a>) -> Rows<'a> {
        Rows::new(self.x, selection)
    }

    /// labels and weights of the rows `selection` (a tile: at most [`MAX_TILE_ROWS`]), in its
    /// order: borrowed from the data for consecutive rows, else gathered into `y` and `s`.
    #[inline]
    pub fn tile_labels_and_weights<'s>(
        &self,
        selection: &Selection<'_>,
        y: &'s mut [f64; MAX_TILE_ROWS],
        s: &'s mut [f64; MAX_TILE_ROWS],
    ) -> (&'s [f64], &'s [f64])
    where
        'a: 's,
    {
        const ONES: [f64; MAX_TILE_ROWS] = [1.0; MAX_TILE_ROWS];
        let m = selection.len();
        match selection {
            Selection::Range(r) => (&self.y[r.clone()], self.weights.map_or(&ONES[..m], |w| &w[r.clone()])),
            Selection::Indices(_) => {
                self.labels_and_weights(selection, &mut y[..m], &mut s[..m]);
                (&y[..m], &s[..m])
            }
        }
    }

    /// labels and weights of the rows `selection`, in its order, into `y` and `s`
    /// (`y.len() == s.len() == selection.len()`).
    #[inline]
    pub fn labels_and_weights(&self, selection: &Selection<'_>, y: &mut [f64], s: &mut [f64]) {
        // by the kind of selection and of weights once, not per row (a tile's rows are few, and
        // this runs once per tile of every pass)
        match (selection, self.weights) {
            (Selection::Range(r), weights) => {
                let r = r.start..r.start + y.len();
                y.copy_from_slice(&self.y[r.clone()]);
                match weights {
                    Some(w) => s.copy_from_slice(&w[r]),
                    None => s.fill(1.0),
                }
            }
            (Selection::Indices(ix), Some(w)) => {
                for ((yk, sk), &i) in y.iter_mut().zip(s.iter_mut()).zip(*ix) {
                    (*yk, *sk) = (self.y[i], w[i]);
                }
            }
            (Selection::Indices(ix), None) => {
                for (yk, &i) in y.iter_mut().zip(*ix) {
                    *yk = self.y[i];
                }
                s.fill(1.0);
            }
        }
    }
}

/// the most classes a dataset may have.
pub const MAX_CLASSES: usize = 255;

impl Dataset {
    /// dataset from row-major `features` with `n_cols` columns and `labels` in {0, 1}.
    ///
    /// every feature must be finite; names default to `x0, x1, …`.
    pub fn new(features: Vec<f64>, n_cols: usize, labels: Vec<f64>) -> Result<Self> {
        Self::with_classes(features, n_cols, labels, 2)
    }

    /// dataset whose classes are numbered by `labels` themselves: class indices `0, …, K − 1`
    /// with `K` the largest label + 1 (at least 2).
    pub fn with_class_labels(features: Vec<f64>, n_cols: usize, labels: Vec<f64>) -> Result<Self> {
        let top = labels.iter().copied().fold(1.0f64, f64::max);
        if !(top.is_finite() && top.fract() == 0.0 && top < MAX_CLASSES as f64) {
            return Err(Error::InvalidData(format!(
                "labels must be class indices 0, 1, … below {MAX_CLASSES}, found {top}"
            )));
        }
        Self::with_classes(features, n_cols, labels, top as usize + 1)
    }

    /// dataset of `n_classes ≥ 2` classes: `labels` are class indices `0, …, n_classes − 1`.
    pub fn with_classes(features: Vec<f64>, n_cols: usize, labels: Vec<f64>, n_classes: usize) -> Result<Self> {
        Self::dense(features, n_cols, labels, n_classes, true)
    }

    /// [`Dataset::with_classes`] of features a reader has already checked finite as it wrote
    /// them (no second pass over them).
    pub(crate) fn with_classes_of_finite(
        features: Vec<f64>,
        n_cols: usize,
        labels: Vec<f64>,
        n_classes: usize,
    ) -> Result<Self> {
        debug_assert!(features.iter().all(|v| v.is_finite()), "a reader let a value that is not finite through");
        Self::dense(features, n_cols, labels, n_classes, false)
    }

    fn dense(features: Vec<f64>, n_cols: usize, labels: Vec<f64>, n_classes: usize, scan: bool) -> Result<Self> {
        if n_cols == 0 {
            return Err(Error::InvalidData("a dataset needs at least one feature column".into()));
        }
        if !features.len().is_multiple_of(n_cols) {
            return Err(Error::DimensionMismatch {
                what: "feature buffer length (a multiple of the column count)",
                expected: features.len().div_ceil(n_cols) * n_cols,
                found: features.len(),
            });
        }
        if scan && let Some(pos) = first_not_finite(&features) {
            return Err(Error::InvalidValue {
                what: "features",
                row: pos / n_cols,
                column: pos % n_cols,
                reason: format!("{} is not a finite number", features[pos]),
            });
        }
        let n_rows = features.len() / n_cols;
        Self::checked(Features::Dense(features), n_rows, n_cols, labels, n_classes)
    }

    /// dataset of `n_classes` classes whose row-major features are a file's values mapped in
    /// place: each row's first `n_cols` of every `row_stride` values (the rest of a row, such as
    /// its label, is not a feature). they are checked finite (the first that is not: an error
    /// naming `path`, its row and column).
    pub(crate) fn mapped(
        features: MappedValues,
        n_cols: usize,
        row_stride: usize,
        labels: Vec<f64>,
        n_classes: usize,
        path: &std::path::Path,
    ) -> Result<Self> {
        let len = features.as_slice().len();
        if n_cols == 0 || row_stride < n_cols || !len.is_multiple_of(row_stride) {
            return Err(Error::InvalidData(format!("{}: not a whole number of rows", path.display())));
        }
        let n_rows = len / row_stride;
        let view = strided(&features, n_rows, n_cols, row_stride).expect("whole rows");
        // the check and the hash a model file records in one read of the file's pages
        let mut hash = ContentHash::default();
        if let Some((row, column)) = hash.add_rows_checking_finite(view) {
            return Err(Error::InvalidValue {
                what: "features",
                row,
                column,
                reason: format!("{} in {} is not a finite number", view.row(row)[column], path.display()),
            });
        }
        let features = Features::Mapped { values: Arc::new(features), row_stride, hash: hash.value() };
        Self::checked(features, n_rows, n_cols, labels, n_classes)
    }

    /// the [`ContentHash`] value of the features' bits (dense: the row-major values; sparse: the
    /// row offsets, column indices and values), the same for any thread count; a mapped file's
    /// was taken when it was read.
    pub fn features_hash(&self) -> u64 {
        let mut h = ContentHash::default();
        match &self.features {
            Features::Mapped { hash, .. } => return *hash,
            Features::Dense(x) => h.add(x),
            Features::Sparse(x) => {
                let x = x.view();
                h.add(x.indptr());
                h.add(x.indices());
                h.add(x.values());
            }
        }
        h.value()
    }

    /// whether the features are a file's values viewed in place (mapped), not a copy.
    pub fn is_mapped(&self) -> bool {
        matches!(self.features, Features::Mapped { .. })
    }

    /// dataset of sparse features (checked finite by [`CsrMatrix::new`]) and `n_classes ≥ 2`
    /// classes.
    pub fn sparse(features: CsrMatrix, labels: Vec<f64>, n_classes: usize) -> Result<Self> {
        let (n_rows, n_cols) = (features.n_rows(), features.n_cols());
        if n_cols == 0 {
            return Err(Error::InvalidData("a dataset needs at least one feature column".into()));
        }
        Self::checked(Features::Sparse(features), n_rows, n_cols, labels, n_classes)
    }

    fn checked(features: Features, n_rows: usize, n_cols: usize, labels: Vec<f64>, n_classes: usize) -> Result<Self> {
        if !(2..=MAX_CLASSES).contains(&n_classes) {
            return Err(Error::param("n_classes", format!("must lie in 2..={MAX_CLASSES}, got {n_classes}")));
        }
        if labels.len() != n_rows {
            return Err(Error::DimensionMismatch { what: "labels", expected: n_rows, found: labels.len() });
        }
        let top = (n_classes - 1) as f64;
        if let Some(row) = labels.iter().position(|&v| !(v >= 0.0 && v <= top && v.fract() == 0.0)) {
            return Err(Error::InvalidValue {
                what: "labels",
                row,
                column: 0,
                reason: if n_classes == 2 {
                    format!("{} is not a label in {{0, 1}}", labels[row])
                } else {
                    format!("{} is not a class index in 0..{n_classes}", labels[row])
                },
            });
        }
        let feature_names = FeatureNames::positional(n_cols, "x", 0);
        Ok(Dataset { features, n_rows, n_cols, labels, n_classes, weights: None, feature_names })
    }

    /// the same data with sample weights (finite, non-negative, positive total).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        if weights.len() != self.n_rows {
            return Err(Error::DimensionMismatch { what: "weights", expected: self.n_rows, found: weights.len() });
        }
        if let Some(row) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::InvalidValue {
                what: "weights",
                row,
                column: 0,
                reason: format!("{} is not a finite non-negative weight", weights[row]),
            });
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(Error::InvalidData("sample weights sum to zero".into()));
        }
        self.weights = Some(weights);
        Ok(self)
    }

    /// the same data with feature names (one per column, distinct).
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        if names.len() != self.n_cols {
            return Err(Error::DimensionMismatch { what: "feature names", expected: self.n_cols, found: names.len() });
        }
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::InvalidData(format!("duplicate feature name `{}`", w[0])));
        }
        self.feature_names = FeatureNames::given(names);
        Ok(self)
    }

    /// the same data with the positional feature names `f1, f2, …` (of libsvm, npy and npz
    /// columns), distinct by construction.
    pub fn with_positional_names(mut self) -> Self {
        self.feature_names = FeatureNames::positional(self.n_cols, "f", 1);
        self
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// number of feature columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// the features, dense or sparse.
    pub fn features(&self) -> Design<'_> {
        match &self.features {
            Features::Sparse(x) => Design::Sparse(x.view()),
            dense => Design::Dense(dense.dense_view(self.n_rows, self.n_cols).expect("dense")),
        }
    }

    /// whether the features are stored sparse.
    pub fn is_sparse(&self) -> bool {
        matches!(self.features, Features::Sparse(_))
    }

    /// the features as a row-major view, when stored dense.
    pub fn dense_features(&self) -> Option<MatrixRef<'_>> {
        self.features().as_dense()
    }

    /// the row-major feature buffer, taken out of the dataset (sparse features written densely).
    pub fn into_features(self) -> Vec<f64> {
        match self.features {
            Features::Dense(x) => x,
            Features::Mapped { .. } => {
                let x = self.dense_features().expect("dense");
                x.as_slice().map_or_else(|| x.rows().flatten().copied().collect(), <[f64]>::to_vec)
            }
            Features::Sparse(x) => x.to_dense(),
        }
    }

    /// the same sparse data with `n_cols` columns (features past `n_cols` dropped, new columns
    /// empty), feature names `f1, f2, …`: the width of positional (libsvm) data set to a
    /// model's. an error for dense data.
    pub fn with_n_cols(self, n_cols: usize) -> Result<Dataset> {
        let Features::Sparse(x) = self.features else {
            return Err(Error::param("n_features", "only sparse data can change width"));
        };
        if n_cols == 0 {
            return Err(Error::param("n_features", "a dataset needs at least one feature column"));
        }
        Ok(Dataset { features: Features::Sparse(x.resized(n_cols)?), n_cols, ..self }.with_positional_names())
    }

    /// the same data with its features stored sparse (a dense dataset's nonzeros).
    pub fn to_sparse(&self) -> Dataset {
        let features = match &self.features {
            Features::Sparse(x) => Features::Sparse(x.clone()),
            dense => Features::Sparse(
                CsrMatrix::from_dense(dense.dense_view(self.n_rows, self.n_cols).expect("dense"))
                    .expect("checked finite at construction"),
            ),
        };
        Dataset { features, ..self.clone_without_features() }
    }

    /// the same data with its features stored dense.
    pub fn to_dense(&self) -> Dataset {
        let features = match &self.features {
            Features::Dense(x) => Features::Dense(x.clone()),
            mapped @ Features::Mapped { .. } => mapped.clone(),
            Features::Sparse(x) => Features::Dense(x.to_dense()),
        };
        Dataset { features, ..self.clone_without_features() }
    }

    fn clone_without_features(&self) -> Dataset {
        Dataset {
            features: Features::Dense(Vec::new()),
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            labels: self.labels.clone(),
            n_classes: self.n_classes,
            weights: self.weights.clone(),
            feature_names: self.feature_names.clone(),
        }
    }

    /// class labels `0, …, K − 1` (`{0, 1}` when binary).
    pub fn labels(&self) -> &[f64] {
        &self.labels
    }

    /// number of classes `K` (2 for binary data).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// sample weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// feature names, one per column.
    pub fn feature_names(&self) -> &[String] {
        self.feature_names.get()
    }

    /// the feature names, shared (a model keeps them without a copy).
    pub fn shared_feature_names(&self) -> Arc<[String]> {
        Arc::clone(self.feature_names.get())
    }

    /// `f()`, the feature names made meanwhile on a thread of their own when `spare_core` (the
    /// caller's work leaves one of its threads' cores free) and the names are many and not made
    /// yet: a fitted model takes them at its end, and a text-like dataset has millions (1.35M:
    /// 35 ms on two threads, twice that on one). the thread is not one of rayon's, so it never
    /// runs inside a worker's wait; should the model ask for the names first, they are made
    /// there as before and this thread's are dropped.
    pub(crate) fn with_names_made_meanwhile<R>(&self, spare_core: bool, f: impl FnOnce() -> R) -> R {
        if !spare_core || self.n_cols < NAMES_MADE_MEANWHILE || self.feature_names.names.get().is_some() {
            return f();
        }
        std::thread::scope(|scope| {
            // no thread to be had: the names are made when the model asks, as without this
            let _ = std::thread::Builder::new().spawn_scoped(scope, || {
                let names = &self.feature_names;
                let made: Vec<String> = (0..names.count).map(|j| positional(names.prefix, names.first + j)).collect();
                // already made (by the model, meanwhile): these are the same names
                let _ = names.names.set(made.into());
            });
            f()
        })
    }

    /// the name of feature `j` (made alone when the names have not been asked for yet).
    pub fn feature_name(&self, j: usize) -> String {
        self.feature_names.name(j)
    }

    /// features, labels and weights as one borrowed bundle.
    pub fn as_ref(&self) -> DataRef<'_> {
        DataRef { x: self.features(), y: &self.labels, weights: self.weights() }
    }

    /// total sample weight of each class, `(negatives, positives)` (of classes 0 and 1).
    pub fn class_weights(&self) -> (f64, f64) {
        let totals = self.class_totals();
        (totals[0], totals[1])
    }

    /// total sample weight of each class `0, …, K − 1`.
    pub fn class_totals(&self) -> Vec<f64> {
        self.as_ref().class_totals(self.n_classes)
    }

    /// a new dataset holding the rows `indices` in that order (features copied once).
    pub fn select_rows(&self, indices: &[usize]) -> Dataset {
        let features = match &self.features {
            Features::Dense(_) | Features::Mapped { .. } => {
                let x = self.dense_features().expect("dense");
                let mut features = Vec::with_capacity(indices.len() * self.n_cols);
                for &i in indices {
                    features.extend_from_slice(x.row(i));
                }
                Features::Dense(features)
            }
            Features::Sparse(x) => Features::Sparse(x.select_rows(indices)),
        };
        Dataset {
            features,
            n_rows: indices.len(),
            n_cols: self.n_cols,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            n_classes: self.n_classes,
            weights: self.weights.as_ref().map(|w| indices.iter().map(|&i| w[i]).collect()),
            feature_names: self.feature_names.clone(),
        }
    }

    /// a seeded split that keeps each class's proportion: `(train, test)`, with about
    /// `test_fraction` of each class in `test`, each part in original row order.
    pub fn split_stratified(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(Error::param("test_fraction", format!("must lie in (0, 1), got {test_fraction}")));
        }
        let mut rng = crate::rng::Rng::new(seed);
        let mut train = Vec::with_capacity(self.n_rows);
        let mut test = Vec::new();
        for class in 0..self.n_classes {
            let mut idx: Vec<usize> = (0..self.n_rows).filter(|&i| self.labels[i] == class as f64).collect();
            rng.shuffle(&mut idx);
            let n_test = ((idx.len() as f64) * test_fraction).round() as usize;
            let n_test = n_test.min(idx.len().saturating_sub(1)).max(usize::from(idx.len() > 1));
            test.extend_from_slice(&idx[..n_test]);
            train.extend_from_slice(&idx[n_test..]);
        }
        train.sort_unstable();
        test.sort_unstable();
        Ok((self.select_rows(&train), self.select_rows(&test)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Dataset {
        Dataset::new((0..20).map(f64::from).collect(), 2, vec![0., 1., 0., 1., 0., 1., 0., 1., 1., 1.]).unwrap()
    }

    #[test]
    fn positional_names_are_made_when_first_asked_for() {
        let d = toy();
        assert!(d.feature_names.names.get().is_none(), "no names made by the constructor");
        assert_eq!(d.feature_names(), ["x0", "x1"]);
        let f = toy().with_positional_names();
        assert!(f.feature_names.names.get().is_none());
        assert_eq!(f.feature_names(), ["f1", "f2"]);
        // equal names compare equal however they were made
        let named = toy().with_feature_names(vec!["f1".into(), "f2".into()]).unwrap();
        assert_eq!(named, toy().with_positional_names());
        assert_ne!(named, toy());
    }

    #[test]
    fn one_name_is_made_alone_and_agrees_with_all_of_them() {
        let d = Dataset::new(vec![0.0; 2 * 1234], 1234, vec![0.0, 1.0]).unwrap().with_positional_names();
        assert_eq!(
            (d.feature_name(0), d.feature_name(9), d.feature_name(1233)),
            ("f1".into(), "f10".into(), "f1234".into())
        );
        assert!(d.feature_names.names.get().is_none(), "one name made without the others");
        let all = d.feature_names();
        assert!((0..1234).all(|j| all[j] == format!("f{}", j + 1) && d.feature_name(j) == all[j]));
        assert_eq!(positional("x", usize::MAX), format!("x{}", usize::MAX));
    }

    /// names made on their own thread while `f` runs are the names made on demand, whether the
    /// thread or `f` (asking for them at once, or at its end) makes them first, and nothing is
    /// made without a spare core or for few columns.
    #[test]
    fn names_made_meanwhile_are_the_names_made_on_demand() {
        let wide = || {
            let x = CsrMatrix::new(
                vec![0, 1, 2],
                vec![0, NAMES_MADE_MEANWHILE as u32],
                vec![1.0, 2.0],
                NAMES_MADE_MEANWHILE + 7,
            );
            Dataset::sparse(x.unwrap(), vec![0.0, 1.0], 2).unwrap().with_positional_names()
        };
        let want = wide().feature_names().to_vec();
        assert_eq!((want[0].as_str(), want.last().unwrap().as_str()), ("f1", "f65543"));
        for ask_at_once in [true, false] {
            let d = wide();
            let got = d.with_names_made_meanwhile(true, || {
                if ask_at_once {
                    d.feature_names().to_vec()
                } else {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    d.shared_feature_names().to_vec()
                }
            });
            assert_eq!(got, want);
            assert_eq!(d.feature_names(), want);
        }
        let d = wide();
        d.with_names_made_meanwhile(false, || ());
        assert!(d.feature_names.names.get().is_none(), "no spare core: nothing made");
        let narrow = toy();
        narrow.with_names_made_meanwhile(true, || ());
        assert!(narrow.feature_names.names.get().is_none(), "few columns: nothing made");
    }

    #[test]
    fn rejects_bad_values_with_their_position() {
        let err = Dataset::new(vec![1.0, f64::NAN, 3.0, 4.0], 2, vec![0.0, 1.0]).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { row: 0, column: 1, .. }), "{err}");
        let err = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, 2.0]).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { what: "labels", row: 1, .. }), "{err}");
        let err = toy().with_weights(vec![1.0; 9]).unwrap_err();
        assert!(matches!(err, Error::DimensionMismatch { .. }));
        let err = toy().with_weights(vec![-1.0; 10]).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { what: "weights", row: 0, .. }));
        let err = toy().with_feature_names(vec!["a".into(), "a".into()]).unwrap_err();
        assert!(err.to_string().contains("duplicate feature name `a`"));
        let err = Dataset::with_classes(vec![1.0, 2.0], 1, vec![0.0, 3.0], 3).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { what: "labels", row: 1, .. }), "{err}");
        assert!(Dataset::with_classes(vec![1.0, 2.0], 1, vec![0.0, 1.5], 3).is_err());
        assert!(Dataset::with_classes(vec![1.0, 2.0], 1, vec![0.0, 1.0], 1).is_err());
    }

    #[test]
    fn stratified_split_keeps_every_class() {
        let labels: Vec<f64> = (0..30).map(|i| f64::from(i % 3)).collect();
        let d = Dataset::with_classes((0..30).map(f64::from).collect(), 1, labels, 3).unwrap();
        let (train, test) = d.split_stratified(0.2, 1).unwrap();
        assert_eq!(test.class_totals(), vec![2.0, 2.0, 2.0]);
        assert_eq!(train.class_totals(), vec![8.0, 8.0, 8.0]);
        assert_eq!(train.n_classes(), 3);
    }

    #[test]
    fn stratified_split_keeps_classes_and_partitions_rows() {
        let d = toy();
        let (train, test) = d.split_stratified(0.3, 5).unwrap();
        assert_eq!(train.n_rows() + test.n_rows(), 10);
        assert!(test.labels().contains(&0.0) && test.labels().contains(&1.0));
        let (a, b) = (train.dense_features().unwrap(), test.dense_features().unwrap());
        let mut all: Vec<f64> = a.data().iter().chain(b.data()).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..20).map(f64::from).collect::<Vec<_>>());
        assert_eq!(d.split_stratified(0.3, 5).unwrap().1, test, "same seed, same split");
        assert!(d.split_stratified(1.0, 5).is_err());
    }
}
