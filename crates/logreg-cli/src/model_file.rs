//! the model file: versioned json, written atomically (temp file in the same folder + rename).

use std::path::Path;

use anyhow::{Context, Result, bail};
use logreg::{Dataset, Inference, Model};
use serde::{Deserialize, Serialize};

/// the `format` field of every model file.
pub const FORMAT: &str = "logreg-model";
/// the newest format version this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 1;

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
    /// the class modelled as 0
    pub negative_class: String,
    /// the class modelled as 1
    pub positive_class: String,
    /// feature names, in coefficient order
    pub features: Vec<String>,
    /// coefficients on the original feature scale
    pub coefficients: Vec<f64>,
    /// intercept on the original feature scale
    pub intercept: f64,
    /// standardisation statistics, when the penalty was measured on standardised features
    pub standardization: Option<Standardization>,
    /// how the model was trained
    pub training: TrainingConfig,
    /// how the fit went
    pub convergence: Convergence,
    /// objective and accuracy after each iteration or epoch
    pub loss_history: Vec<HistoryEntry>,
    /// coefficient table with standard errors (unpenalised exact fits)
    pub inference: Option<Vec<InferenceRow>>,
    /// which data it was trained on
    pub data_fingerprint: Fingerprint,
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
    /// ridge strength
    pub l2: f64,
    /// lasso strength
    pub l1: f64,
    /// penalty on standardised features
    pub standardize: bool,
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
    /// fingerprint of `data`.
    pub fn of(data: &Dataset) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for v in data.features().data().iter().chain(data.labels()) {
            h = (h ^ v.to_bits()).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
        }
        Fingerprint { rows: data.n_rows(), columns: data.n_cols(), hash: format!("{h:016x}") }
    }
}

impl ModelFile {
    /// the file contents for a fitted model.
    pub fn new(
        model: &Model,
        target: &str,
        classes: &logreg::io::Classes,
        training: TrainingConfig,
        data: &Dataset,
    ) -> Self {
        let r = &model.report;
        ModelFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            logreg_version: env!("CARGO_PKG_VERSION").into(),
            target: target.into(),
            negative_class: classes.negative().to_string(),
            positive_class: classes.positive().to_string(),
            features: model.feature_names.clone(),
            coefficients: model.coefficients.clone(),
            intercept: model.intercept,
            standardization: model
                .standardization
                .as_ref()
                .map(|s| Standardization { mean: s.mean.clone(), scale: s.scale.clone() }),
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
            inference: model.inference.as_ref().map(inference_rows),
            data_fingerprint: Fingerprint::of(data),
        }
    }

    /// write to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::output::write_atomic(path, |w| {
            serde_json::to_writer_pretty(&mut *w, self)?;
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
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
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
        if file.features.len() != file.coefficients.len() {
            bail!(
                "{}: malformed model file: {} features but {} coefficients",
                path.display(),
                file.features.len(),
                file.coefficients.len()
            );
        }
        if !file.intercept.is_finite() || file.coefficients.iter().any(|c| !c.is_finite()) {
            bail!("{}: malformed model file: non-finite coefficients", path.display());
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
        let mut seeds: Vec<Vec<u8>> =
            ["fixtures/model_spector.json", "malformed/newer_model.json", "malformed/garbage_model.json"]
                .iter()
                .map(|f| std::fs::read(Path::new(root).join(f)).unwrap())
                .collect();
        seeds.push(seeds[0].iter().copied().filter(|&b| b != b' ' && b != b'\n').collect());
        let report = mutate::fuzz("model", &seeds, mutate::iterations(20_000), 4, |bytes| {
            let Ok(text) = std::str::from_utf8(bytes) else { return false };
            match ModelFile::parse(text, Path::new("fuzz.json")) {
                Ok(m) => {
                    assert_eq!(m.features.len(), m.coefficients.len());
                    assert!(m.intercept.is_finite() && m.coefficients.iter().all(|c| c.is_finite()));
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
