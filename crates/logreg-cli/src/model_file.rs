//! the model file: versioned json, written atomically (temp file in the same folder + rename).

use std::path::Path;

use anyhow::{Context, Result, bail};
use logreg::content_hash::ContentHash;
use logreg::io::CategoricalColumn;
use logreg::{Dataset, Inference, Model, MultinomialModel};
use serde::{Deserialize, Serialize};

/// the `format` field of every model file.
pub const FORMAT: &str = "logreg-model";
/// the newest format version this build reads and the one it writes (2: multinomial models;
/// 3: positional feature names and mostly-zero coefficients stored compactly; version 1 and 2
/// files still load).
pub const FORMAT_VERSION: u32 = 4;
/// the version written for a model without category columns, so that readers of version 3 read it
const FORMAT_VERSION_WITHOUT_CATEGORIES: u32 = 3;

/// everything a model file holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// always [`FORMAT`]
    pub format: String,
    /// [`FORMAT_VERSION`] when written
    pub format_version: u32,
    /// version of logreg that wrote it
    pub logreg_version: String,
    /// target column
    pub target: String,
    /// the class modelled as 0 (binary models)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_class: Option<String>,
    /// the class modelled as 1 (binary models)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_class: Option<String>,
    /// feature names, in coefficient order (in the file: absent when positional)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// in the file only: the number of positional features `f1, f2, …` (libsvm, npy data),
    /// written instead of their names
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positional_features: Option<usize>,
    /// the data columns the features come from, in order, when category columns make them differ
    /// from `features` (format version 4)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// the columns read as categories, with their levels (the first the reference), coded as the
    /// dummy features `column[T.level]` (format version 4)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categorical: Vec<CategoricalFile>,
    /// coefficients on the original feature scale (binary models; in the file: absent when
    /// stored sparse)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coefficients: Vec<f64>,
    /// in the file only: the non-zero coefficients, when most are zero (l1 fits)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse_coefficients: Option<SparseCoefficients>,
    /// intercept on the original feature scale (binary models)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<f64>,
    /// the classes and coefficients of a multinomial model (more than two classes)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multinomial: Option<MultinomialPart>,
    /// standardisation statistics, when the penalty was measured on standardised features
    pub standardization: Option<Standardization>,
    /// how the model was trained
    pub training: TrainingConfig,
    /// how the fit went
    pub convergence: Convergence,
    /// objective and accuracy after each iteration or epoch
    pub loss_history: Vec<HistoryEntry>,
    /// coefficient table with standard errors (unpenalised exact fits of binary models)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<Vec<InferenceRow>>,
    /// which data it was trained on
    pub data_fingerprint: Fingerprint,
    /// the cross-validation that chose the penalty (`logreg cv`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_validation: Option<CrossValidation>,
}

/// how `logreg cv` chose a model's penalty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// folds
    pub folds: u64,
    /// times the folds were drawn
    pub repeats: u64,
    /// seed of the folds
    pub seed: u64,
    /// score of held-out rows (`log-loss`, `roc-auc`, `accuracy`)
    pub scoring: String,
    /// elastic-net mixing: l1 = ratio·λ, l2 = (1 − ratio)·λ
    pub l1_ratio: f64,
    /// the penalties λ, largest first
    pub lambdas: Vec<f64>,
    /// mean held-out score of each
    pub mean: Vec<f64>,
    /// its standard error
    pub std_error: Vec<f64>,
    /// index of the best mean
    pub best: usize,
    /// index the 1-SE rule chooses
    pub one_se: usize,
    /// index of the penalty the model was fitted at
    pub chosen: usize,
    /// each fold's held-out score at each penalty (`scores[fold][penalty]`)
    #[serde(default)]
    pub scores: Vec<Vec<f64>>,
    /// the file of fold numbers per row, when the folds were given rather than drawn
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fold_ids: Option<String>,
}

/// a category column and its levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoricalFile {
    /// the column's name
    pub column: String,
    /// its levels in sorted order; the first is the reference level
    pub levels: Vec<String>,
}

/// a multinomial model's classes and coefficients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultinomialPart {
    /// class values, in label order
    pub classes: Vec<String>,
    /// whether the first class is the reference (unpenalised fits): its coefficients are 0
    pub reference_class: bool,
    /// intercept of each class
    pub intercepts: Vec<f64>,
    /// coefficients of each class on the original feature scale, in feature order (in the
    /// file: absent when stored sparse)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coefficients: Vec<Vec<f64>>,
    /// in the file only: each class's non-zero coefficients, when most are zero (l1 fits)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse_coefficients: Option<Vec<SparseCoefficients>>,
    /// coefficient table of each non-reference class (unpenalised fits)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<Vec<Vec<InferenceRow>>>,
}

/// the non-zero entries of a coefficient vector: 0-based feature positions, increasing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparseCoefficients {
    /// positions of the non-zero coefficients
    pub indices: Vec<usize>,
    /// their values
    pub values: Vec<f64>,
}

impl SparseCoefficients {
    /// the non-zero entries of `w`, when they are at most a quarter of a vector of at least 64.
    fn of(w: &[f64]) -> Option<Self> {
        let nonzero = w.iter().filter(|&&c| c != 0.0).count();
        (w.len() >= 64 && 4 * nonzero <= w.len()).then(|| SparseCoefficients {
            indices: (0..w.len()).filter(|&j| w[j] != 0.0).collect(),
            values: w.iter().copied().filter(|&c| c != 0.0).collect(),
        })
    }

    /// the dense vector of `d` entries; an error message when the entries do not fit it.
    fn expand(&self, d: usize) -> std::result::Result<Vec<f64>, String> {
        if self.indices.len() != self.values.len() {
            return Err(format!("{} sparse indices but {} values", self.indices.len(), self.values.len()));
        }
        if self.indices.windows(2).any(|w| w[0] >= w[1]) || self.indices.last().is_some_and(|&j| j >= d) {
            return Err(format!("sparse coefficient indices must increase and lie below the {d} features"));
        }
        let mut w = vec![0.0; d];
        self.indices.iter().zip(&self.values).for_each(|(&j, &v)| w[j] = v);
        Ok(w)
    }
}

/// whether `names` are `f1, f2, …` in order.
fn positional(names: &[String]) -> bool {
    names.iter().enumerate().all(|(j, n)| n.strip_prefix('f').and_then(|k| k.parse::<usize>().ok()) == Some(j + 1))
}

/// the parameters of a binary model file.
#[derive(Clone, Copy, Debug)]
pub struct BinaryPart<'a> {
    /// the class modelled as 0
    pub negative_class: &'a str,
    /// the class modelled as 1
    pub positive_class: &'a str,
    /// coefficients on the original feature scale
    pub coefficients: &'a [f64],
    /// intercept on the original feature scale
    pub intercept: f64,
}

/// column means and scales.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// means
    pub mean: Vec<f64>,
    /// standard deviations
    pub scale: Vec<f64>,
}

/// the training settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    /// solver asked for
    pub solver: String,
    /// backend
    pub backend: String,
    /// simd level the kernels ran at (`avx512`, `avx2`, `scalar`; `avx512, rows avx2` where the
    /// dense binary row kernels ran narrower; empty in older files)
    #[serde(default)]
    pub simd: String,
    /// ridge strength
    pub l2: f64,
    /// lasso strength
    pub l1: f64,
    /// penalty on standardised features
    pub standardize: bool,
    /// whether an intercept was fitted (absent in older files: it was)
    #[serde(default = "yes")]
    pub fit_intercept: bool,
    /// balanced class weights
    pub balanced: bool,
    /// tolerance of exact solvers
    pub tol: f64,
    /// iteration limit of exact solvers
    pub max_iter: Option<u64>,
    /// sgd / gd epochs
    pub epochs: u64,
    /// sgd batch size
    pub batch_size: u64,
    /// sgd / gd learning rate
    pub learning_rate: f64,
    /// seed of split and shuffles
    pub seed: u64,
    /// worker threads used
    pub threads: usize,
    /// held-out fraction, if any
    pub test_fraction: Option<f64>,
    /// training data path, or `bundled:breast_cancer.csv`
    pub data: String,
}

/// the convergence report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    /// solver that ran
    pub solver: String,
    /// backend that ran
    pub backend: String,
    /// iterations or epochs
    pub iterations: usize,
    /// final objective
    pub objective: f64,
    /// final scaled gradient (or kkt) max-norm
    pub gradient_norm: f64,
    /// whether the tolerance was met
    pub converged: bool,
    /// why the solver stopped
    pub reason: String,
    /// wall time of the fit
    pub fit_seconds: f64,
}

/// one point of the loss history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// iteration or epoch
    pub iteration: usize,
    /// objective
    pub objective: f64,
    /// training accuracy
    pub accuracy: f64,
}

/// one row of the coefficient table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InferenceRow {
    /// term name
    pub name: String,
    /// estimate
    pub coefficient: f64,
    /// standard error
    pub std_error: f64,
    /// z-value
    pub z: f64,
    /// two-sided p-value
    pub p_value: f64,
    /// 95% interval, lower end
    pub ci_low: f64,
    /// 95% interval, upper end
    pub ci_high: f64,
}

/// rows, columns and a hash of the training features and labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// rows
    pub rows: usize,
    /// feature columns
    pub columns: usize,
    /// 64-bit hash of the feature and label bits, hex
    pub hash: String,
}

impl Fingerprint {
    /// fingerprint of `data`: its features' hash continued by the labels.
    pub fn of(data: &Dataset) -> Self {
        let mut h = ContentHash::continuing(data.features_hash());
        h.add(data.labels());
        Fingerprint { rows: data.n_rows(), columns: data.n_cols(), hash: format!("{:016x}", h.value()) }
    }
}

impl ModelFile {
    /// the file contents for a fitted binary model.
    pub fn new(
        model: &Model,
        target: &str,
        classes: &logreg::io::Classes,
        training: TrainingConfig,
        data: &Dataset,
    ) -> Self {
        ModelFile {
            negative_class: Some(classes.negative().to_string()),
            positive_class: Some(classes.positive().to_string()),
            coefficients: model.coefficients.clone(),
            intercept: Some(model.intercept),
            inference: model.inference.as_ref().map(inference_rows),
            ..Self::common(&model.report, &model.feature_names, model.standardization.as_ref(), target, training, data)
        }
    }

    /// with the data's category columns (`columns`: the data columns the features come from).
    pub fn with_categories(mut self, columns: &[String], categories: &[CategoricalColumn]) -> Self {
        if !categories.is_empty() {
            self.columns = columns.to_vec();
            self.categorical = categories
                .iter()
                .map(|c| CategoricalFile { column: c.name.clone(), levels: c.levels.clone() })
                .collect();
        }
        self
    }

    /// with the cross-validation that chose its penalty.
    pub fn with_cross_validation(mut self, record: CrossValidation) -> Self {
        self.cross_validation = Some(record);
        self
    }

    /// the data columns to read for this model, and the category columns' levels (`Some`,
    /// possibly empty: the coding is the model's, not inferred from the data).
    pub fn coding(&self) -> (Vec<String>, Vec<CategoricalColumn>) {
        let categories =
            self.categorical.iter().map(|c| CategoricalColumn { name: c.column.clone(), levels: c.levels.clone() });
        let columns = if self.columns.is_empty() { self.features.clone() } else { self.columns.clone() };
        (columns, categories.collect())
    }

    /// the file contents for a fitted multinomial model.
    pub fn multinomial(
        model: &MultinomialModel,
        target: &str,
        classes: &logreg::io::Classes,
        training: TrainingConfig,
        data: &Dataset,
    ) -> Self {
        ModelFile {
            multinomial: Some(MultinomialPart {
                classes: classes.values.clone(),
                reference_class: model.reference_class,
                intercepts: model.intercepts.clone(),
                coefficients: model.coefficients.clone(),
                sparse_coefficients: None,
                inference: model.inference.as_ref().map(|tables| tables.iter().map(inference_rows).collect()),
            }),
            ..Self::common(&model.report, &model.feature_names, model.standardization.as_ref(), target, training, data)
        }
    }

    /// the binary model's parameters (`None` for a multinomial model).
    pub fn binary(&self) -> Option<BinaryPart<'_>> {
        Some(BinaryPart {
            negative_class: self.negative_class.as_deref()?,
            positive_class: self.positive_class.as_deref()?,
            coefficients: &self.coefficients,
            intercept: self.intercept?,
        })
    }

    /// the fields every model file has.
    fn common(
        r: &logreg::FitReport,
        features: &[String],
        standardization: Option<&logreg::Standardizer>,
        target: &str,
        training: TrainingConfig,
        data: &Dataset,
    ) -> Self {
        ModelFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            logreg_version: env!("CARGO_PKG_VERSION").into(),
            target: target.into(),
            negative_class: None,
            positive_class: None,
            features: features.to_vec(),
            positional_features: None,
            columns: Vec::new(),
            categorical: Vec::new(),
            coefficients: Vec::new(),
            sparse_coefficients: None,
            intercept: None,
            multinomial: None,
            standardization: standardization.map(|s| Standardization { mean: s.mean.clone(), scale: s.scale.clone() }),
            training,
            convergence: Convergence {
                solver: r.solver.clone(),
                backend: r.backend.clone(),
                iterations: r.iterations,
                objective: r.objective,
                gradient_norm: r.gradient_norm,
                converged: r.converged,
                reason: r.reason.to_string(),
                fit_seconds: r.fit_seconds,
            },
            loss_history: r
                .history
                .iter()
                .map(|h| HistoryEntry { iteration: h.iteration, objective: h.objective, accuracy: h.accuracy })
                .collect(),
            inference: None,
            data_fingerprint: Fingerprint::of(data),
            cross_validation: None,
        }
    }

    /// the form written to files: positional names as their count, mostly-zero coefficients as
    /// their non-zero entries.
    fn compact(self) -> Self {
        let mut file = self;
        if file.categorical.is_empty() {
            file.format_version = FORMAT_VERSION_WITHOUT_CATEGORIES;
        }
        if file.features.len() >= 64 && positional(&file.features) {
            file.positional_features = Some(file.features.len());
            file.features = Vec::new();
        }
        if let Some(sparse) = SparseCoefficients::of(&file.coefficients) {
            file.sparse_coefficients = Some(sparse);
            file.coefficients = Vec::new();
        }
        if let Some(m) = &mut file.multinomial {
            let sparse: Option<Vec<_>> = m.coefficients.iter().map(|w| SparseCoefficients::of(w)).collect();
            if let Some(sparse) = sparse.filter(|s| !s.is_empty()) {
                m.sparse_coefficients = Some(sparse);
                m.coefficients = Vec::new();
            }
        }
        file
    }

    /// the in-memory form of a file's contents: names and coefficients in full.
    fn expanded(mut self) -> std::result::Result<Self, String> {
        if !self.categorical.is_empty() {
            // the columns and levels must give exactly the features
            let (columns, categories) = self.coding();
            let names: Vec<String> = columns
                .iter()
                .flat_map(|name| match categories.iter().find(|c| c.name == *name) {
                    Some(c) => c.dummy_names().collect(),
                    None => vec![name.clone()],
                })
                .collect();
            if names != self.features {
                return Err("`columns` and `categorical` do not give the model's `features`".into());
            }
        }
        if let Some(d) = self.positional_features.take() {
            if !self.features.is_empty() {
                return Err("both `features` and `positional_features`".into());
            }
            if d > logreg::io::libsvm::MAX_COLUMNS {
                return Err(format!(
                    "{d} positional features, more than the {} supported",
                    logreg::io::libsvm::MAX_COLUMNS
                ));
            }
            self.features = (1..=d).map(|j| format!("f{j}")).collect();
        }
        let d = self.features.len();
        if let Some(sparse) = self.sparse_coefficients.take() {
            if !self.coefficients.is_empty() {
                return Err("both `coefficients` and `sparse_coefficients`".into());
            }
            self.coefficients = sparse.expand(d)?;
        }
        if let Some(m) = &mut self.multinomial
            && let Some(sparse) = m.sparse_coefficients.take()
        {
            if !m.coefficients.is_empty() {
                return Err("both multinomial `coefficients` and `sparse_coefficients`".into());
            }
            m.coefficients = sparse.iter().map(|s| s.expand(d)).collect::<std::result::Result<_, _>>()?;
        }
        Ok(self)
    }

    /// write to `path` atomically (consumed: the compact form is made in place, without a copy).
    pub fn save(self, path: &Path) -> Result<()> {
        let file = self.compact();
        crate::output::write_atomic(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &file)?;
            std::io::Write::write_all(w, b"\n")
        })
    }

    /// read and check a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the model", path.display()))?;
        Self::parse(&text, path)
    }

    /// check and parse the text of a model file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(text)
            .with_context(|| format!("{}: not a logreg model (invalid JSON)", path.display()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            bail!("{}: not a logreg model (the `format` field is not \"{FORMAT}\")", path.display());
        }
        let version = value.get("format_version").and_then(|v| v.as_u64());
        match version {
            Some(v) if (1..=u64::from(FORMAT_VERSION)).contains(&v) => {}
            Some(v) if v > u64::from(FORMAT_VERSION) => bail!(
                "{}: model format version {v} is newer than this logreg ({}) reads (version {FORMAT_VERSION}); upgrade logreg",
                path.display(),
                env!("CARGO_PKG_VERSION")
            ),
            Some(v) => {
                bail!("{}: unknown model format version {v} (this logreg reads {FORMAT_VERSION})", path.display())
            }
            None => bail!("{}: the model has no `format_version`", path.display()),
        }
        let file: ModelFile =
            serde_json::from_value(value).with_context(|| format!("{}: malformed model file", path.display()))?;
        let malformed = |what: String| anyhow::anyhow!("{}: malformed model file: {what}", path.display());
        let file = file.expanded().map_err(malformed)?;
        let d = file.features.len();
        let finite = |v: &[f64]| v.iter().all(|c| c.is_finite());
        match (&file.multinomial, file.binary()) {
            (None, Some(b)) => {
                if b.coefficients.len() != d {
                    return Err(malformed(format!("{d} features but {} coefficients", b.coefficients.len())));
                }
                if !b.intercept.is_finite() || !finite(b.coefficients) {
                    return Err(malformed("non-finite coefficients".into()));
                }
            }
            (Some(m), None) if file.coefficients.is_empty() && file.inference.is_none() => {
                let k = m.classes.len();
                if k < 2 || m.intercepts.len() != k || m.coefficients.len() != k {
                    return Err(malformed(format!(
                        "{k} classes, {} intercepts and {} coefficient vectors",
                        m.intercepts.len(),
                        m.coefficients.len()
                    )));
                }
                if let Some(c) = m.coefficients.iter().position(|w| w.len() != d) {
                    return Err(malformed(format!(
                        "{d} features but {} coefficients for class {c}",
                        m.coefficients[c].len()
                    )));
                }
                if !finite(&m.intercepts) || !m.coefficients.iter().all(|w| finite(w)) {
                    return Err(malformed("non-finite coefficients".into()));
                }
            }
            _ => {
                return Err(malformed(
                    "expected either a binary model (negative_class, positive_class, coefficients, intercept) or a \
                     `multinomial` section"
                        .into(),
                ));
            }
        }
        Ok(file)
    }
}

fn inference_rows(inf: &Inference) -> Vec<InferenceRow> {
    inf.terms
        .iter()
        .map(|t| InferenceRow {
            name: t.name.clone(),
            coefficient: t.coefficient,
            std_error: t.std_error,
            z: t.z,
            p_value: t.p_value,
            ci_low: t.ci_low,
            ci_high: t.ci_high,
        })
        .collect()
}

/// serde's default for flags that older files lack and that were always on.
fn yes() -> bool {
    true
}

#[cfg(test)]
#[path = "../../../tests/common/mutate.rs"]
mod mutate;

#[cfg(test)]
mod fuzz {
    //! the model loader on mutated model files: an error or a model, never a panic.
    use std::path::Path;

    use super::ModelFile;
    use super::mutate;

    #[test]
    fn loader_survives_mutated_model_files() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests");
        let mut seeds: Vec<Vec<u8>> = [
            "fixtures/model_spector.json",
            "fixtures/model_anes96.json",
            "fixtures/model_sparse.json",
            "malformed/newer_model.json",
            "malformed/garbage_model.json",
        ]
        .iter()
        .map(|f| std::fs::read(Path::new(root).join(f)).unwrap())
        .collect();
        seeds.push(seeds[0].iter().copied().filter(|&b| b != b' ' && b != b'\n').collect());
        let report = mutate::fuzz("model", &seeds, mutate::iterations(20_000), 4, |bytes| {
            let Ok(text) = std::str::from_utf8(bytes) else { return false };
            match ModelFile::parse(text, Path::new("fuzz.json")) {
                Ok(m) => {
                    match (m.binary(), &m.multinomial) {
                        (Some(b), None) => {
                            assert_eq!(m.features.len(), b.coefficients.len());
                            assert!(b.intercept.is_finite() && b.coefficients.iter().all(|c| c.is_finite()));
                        }
                        (None, Some(mn)) => {
                            assert_eq!(mn.intercepts.len(), mn.classes.len());
                            assert!(mn.coefficients.iter().all(|w| w.len() == m.features.len()));
                        }
                        other => panic!("accepted a model that is neither binary nor multinomial: {other:?}"),
                    }
                    true
                }
                Err(e) => {
                    assert!(e.to_string().starts_with("fuzz.json"), "{e}");
                    false
                }
            }
        });
        assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
    }
}
