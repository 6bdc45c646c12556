//! command-line arguments (clap derive). invalid flag values are rejected here, with exit code 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use logreg::{BackendKind, Solver};

/// logistic regression: train, predict, evaluate, generate data, plot and summarise models.
#[derive(Debug, Parser)]
#[command(name = "logreg", version, about, propagate_version = true)]
pub struct Cli {
    /// what to do
    #[command(subcommand)]
    pub command: Command,
}

/// the subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// fit a model and report training (and test) metrics
    Train(TrainArgs),
    /// write the probability and label of every row
    Predict(PredictArgs),
    /// report a model's metrics on labelled data
    Evaluate(EvaluateArgs),
    /// write synthetic classification data (like scikit-learn's make_classification)
    Generate(GenerateArgs),
    /// draw the decision boundary, probability contours and training-loss curve
    Plot(PlotArgs),
    /// print a model's coefficient table (with standard errors, z, p and 95% CI when available)
    Summary(SummaryArgs),
    /// fit a regularisation path: a grid of penalties from the largest down, warm-started
    Path(PathArgs),
    /// choose the penalty by k-fold cross-validation of the path, refit on all rows, save the model
    Cv(CvArgs),
}

/// the penalties and fits of a regularisation path.
#[derive(Debug, Args)]
pub struct PathSpec {
    #[command(flatten)]
    pub data: LabelledArgs,
    #[command(flatten)]
    pub fit: FitArgs,
    /// elastic-net mixing: l1 = ratio·λ, l2 = (1 − ratio)·λ (0: ridge, 1: lasso)
    #[arg(long, default_value_t = 0.0, value_parser = parse_unit, allow_negative_numbers = true)]
    pub l1_ratio: f64,
    /// number of penalties, from λ_max down to λ_max · --lambda-ratio (geometric)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..=1000))]
    pub n_lambdas: u64,
    /// smallest penalty as a fraction of λ_max
    #[arg(long, default_value_t = 1e-4, value_parser = parse_fraction, allow_negative_numbers = true)]
    pub lambda_ratio: f64,
    /// explicit penalties λ instead of the grid (comma-separated, fitted from the largest down)
    #[arg(long, value_delimiter = ',', value_parser = parse_positive, allow_negative_numbers = true)]
    pub lambdas: Option<Vec<f64>>,
    /// fit every l1 point on all features (default: strong-rule screening, checked on the rest)
    #[arg(long)]
    pub no_screening: bool,
    /// print only the report, no progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

/// `logreg path`.
#[derive(Debug, Args)]
pub struct PathArgs {
    #[command(flatten)]
    pub spec: PathSpec,
    /// write every point (penalty, objective, non-zeros, training metrics, coefficients) as csv
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// draw the coefficient path (each coefficient against log λ) to this .png or .svg
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// how held-out rows are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScoringArg {
    /// mean log-loss
    LogLoss,
    /// area under the roc curve
    RocAuc,
    /// accuracy at probability 0.5
    Accuracy,
}

/// which penalty cross-validation chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Choice {
    /// the best mean score
    Best,
    /// the largest penalty within one standard error of the best (the 1-SE rule)
    #[value(name = "1se")]
    OneSe,
}

/// `logreg cv`.
#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    pub spec: PathSpec,
    /// number of folds (stratified)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=100))]
    pub folds: u64,
    /// the folds as given: a text file with the fold number (0, 1, …) of each row, one per line,
    /// -1 for a row never held out (scikit-learn's PredefinedSplit), instead of drawing
    /// stratified folds
    #[arg(long, conflicts_with_all = ["folds", "repeats", "seed"])]
    pub fold_ids: Option<PathBuf>,
    /// times the folds are drawn anew
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub repeats: u64,
    /// seed of the folds
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// score of held-out rows
    #[arg(long, value_enum, default_value_t = ScoringArg::LogLoss)]
    pub scoring: ScoringArg,
    /// the penalty refitted on all rows
    #[arg(long, value_enum, default_value_t = Choice::Best)]
    pub choose: Choice,
    /// draw the cross-validation curve (mean score ± standard error against log λ, both choices
    /// marked) to this .png or .svg
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// write the refitted model here (json, atomically; it records the cross-validation)
    #[arg(long)]
    pub model_out: Option<PathBuf>,
}

/// data file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// comma-separated values with a header row
    Csv,
    /// libsvm / svmlight: `label index:value …`
    Libsvm,
    /// numpy .npy: one 2-d float64 array, rows × (features + label), label last; or rows ×
    /// features with the labels from --labels (viewed in place, not copied)
    Npy,
    /// scipy.sparse.save_npz of a csr matrix (features only: labels from --labels)
    Npz,
    /// apache parquet: named columns as in csv (text columns are categories, nulls missing values)
    Parquet,
}

/// what to do with a row that has a missing value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MissingValues {
    /// an error naming the file, line and column
    Error,
    /// leave the row out and say how many were
    Drop,
}

/// what to do with a category level the model did not see in training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnknownLevels {
    /// an error naming the file, line, column and level
    Error,
    /// code it as the reference level: all its dummy columns 0 (scikit-learn's handle_unknown="ignore")
    Ignore,
}

/// where labelled data comes from and how to read it.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// data file (default for train: the bundled breast-cancer data)
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// file format (default: from the extension: .npy, .npz, .svm/.libsvm/.txt for libsvm, else csv)
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// field delimiter of csv files
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// a missing value (see --na-values) in a column the command uses: an error, or drop the row
    /// (R's na.omit; csv data; predict keeps every row)
    #[arg(long, value_enum, default_value_t = MissingValues::Error)]
    pub missing: MissingValues,
    /// the csv texts that mean a missing value, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = logreg::io::DEFAULT_NA_VALUES.map(String::from))]
    pub na_values: Vec<String>,
    /// csv columns to read as categories (dummy-coded) although they hold numbers, e.g. codes 1, 2, 3
    /// (train; a column holding text is one anyway, and a model fixes its own)
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// a category level the model did not see in training: an error, or coded as the reference level
    #[arg(long, value_enum, default_value_t = UnknownLevels::Error)]
    pub unknown_level: UnknownLevels,
    /// labels of .npz data, or of .npy data that holds features only: a 1-d .npy array or text
    /// with one label per line
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// width of libsvm or .npz data (train: default its largest index, so that train and test files
    /// agree; with a model: default the model's, and columns past the model's are ignored)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub n_features: Option<u64>,
}

/// labelled data and the columns to read from it.
#[derive(Debug, Args)]
pub struct LabelledArgs {
    #[command(flatten)]
    pub input: DataArgs,
    /// target column (default: the last column)
    #[arg(long)]
    pub target: Option<String>,
    /// feature columns, comma-separated (default: every column but the target)
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// class value modelled as 1 (default: the larger value in sorted order)
    #[arg(long)]
    pub positive: Option<String>,
}

/// how the model is fitted, whatever its penalty.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// measure the penalty on standardised features (coefficients are reported on the original scale)
    #[arg(long)]
    pub standardize: bool,
    /// hold the intercept at 0 (LIBLINEAR's default objective; binary models)
    #[arg(long)]
    pub no_intercept: bool,
    /// balance the classes' total weight
    #[arg(long)]
    pub balanced: bool,
    /// optimisation method: auto, newton, lbfgs, newton-cg, cd, owl-qn, dual-cd, sgd, gd (path and
    /// cv: an exact one)
    #[arg(long, default_value = "auto", value_parser = parse_solver)]
    pub solver: Solver,
    /// numeric backend
    #[arg(long, default_value_t = BackendKind::default(), value_parser = parse_backend)]
    pub backend: BackendKind,
    /// convergence tolerance of exact solvers (scaled gradient / kkt max-norm)
    #[arg(long, default_value_t = 1e-8, value_parser = parse_positive, allow_negative_numbers = true)]
    pub tol: f64,
    /// iteration limit of exact solvers
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_iter: Option<u64>,
    /// worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
}

/// `logreg train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: LabelledArgs,
    #[command(flatten)]
    pub fit: FitArgs,
    /// hold out this fraction of rows (stratified, seeded) and report test metrics too
    #[arg(long, value_parser = parse_fraction, allow_negative_numbers = true)]
    pub test_fraction: Option<f64>,
    /// ridge penalty strength l2 (scikit-learn's C = 1/(l2·n)); default 1/n, scikit-learn's C = 1
    /// (0 when --l1 is given); --l2 0 fits the unpenalised maximum likelihood, with standard errors
    #[arg(long, value_parser = parse_penalty, allow_negative_numbers = true)]
    pub l2: Option<f64>,
    /// lasso penalty strength l1
    #[arg(long, default_value_t = 0.0, value_parser = parse_penalty, allow_negative_numbers = true)]
    pub l1: f64,
    /// epochs of sgd / gd
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub epochs: u64,
    /// minibatch size of sgd
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    /// learning rate of sgd / gd
    #[arg(long, default_value_t = 0.1, value_parser = parse_positive, allow_negative_numbers = true)]
    pub learning_rate: f64,
    /// seed of the split and of sgd's shuffles
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// write the model here (json, written atomically)
    #[arg(long)]
    pub model_out: Option<PathBuf>,
    /// print only the report, no progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

/// `logreg predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// model file written by `logreg train`
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub input: DataArgs,
    /// write the predictions here (default: standard output)
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// probability at or above which a row gets the positive label (two-class models only;
    /// default 0.5)
    #[arg(long, value_parser = parse_fraction)]
    pub threshold: Option<f64>,
}

/// `logreg evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// model file written by `logreg train`
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub input: DataArgs,
    /// target column (default: the model's)
    #[arg(long)]
    pub target: Option<String>,
    /// probability at or above which a row gets the positive label (two-class models only;
    /// default 0.5)
    #[arg(long, value_parser = parse_fraction)]
    pub threshold: Option<f64>,
}

/// `logreg generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// rows
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..))]
    pub samples: u64,
    /// feature columns
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub features: u64,
    /// informative columns (default: min(features, max(2, features / 5)); with --sparse the
    /// planted non-zero coefficients per class, default max(1, features / 20))
    #[arg(long)]
    pub informative: Option<u64>,
    /// sparse text-like data (power-law column frequencies, l2-normalised rows, a planted sparse
    /// model), written as libsvm
    #[arg(long)]
    pub sparse: bool,
    /// mean stored values per row of --sparse data
    #[arg(long, default_value_t = 75, value_parser = clap::value_parser!(u64).range(1..))]
    pub nnz_per_row: u64,
    /// redundant columns (linear combinations of the informative ones)
    #[arg(long, default_value_t = 0)]
    pub redundant: u64,
    /// classes (more than 2: a multinomial target)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(2..=255))]
    pub classes: u64,
    /// class separation (half the hypercube side; with --sparse, the planted coefficients'
    /// standard deviation over 10)
    #[arg(long, default_value_t = 1.0, value_parser = parse_positive, allow_negative_numbers = true)]
    pub class_sep: f64,
    /// fraction of labels assigned at random
    #[arg(long, default_value_t = 0.01, value_parser = parse_unit_interval, allow_negative_numbers = true)]
    pub flip_y: f64,
    /// seed
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// output format (default: from the output file's extension, csv when it names none)
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// output file
    #[arg(long)]
    pub output: PathBuf,
}

/// `logreg plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// model file written by `logreg train`
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub input: DataArgs,
    /// output image: .png or .svg
    #[arg(long)]
    pub output: PathBuf,
    /// feature on the x axis (default: the largest coefficient on the standardised scale)
    #[arg(long)]
    pub x: Option<String>,
    /// feature on the y axis (default: the second largest)
    #[arg(long)]
    pub y: Option<String>,
}

/// `logreg summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// model file written by `logreg train`
    #[arg(long)]
    pub model: PathBuf,
}

fn parse_f64(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() { Ok(v) } else { Err(format!("`{s}` is not a finite number")) }
}

fn parse_penalty(s: &str) -> Result<f64, String> {
    let v = parse_f64(s)?;
    if v >= 0.0 { Ok(v) } else { Err(format!("must be ≥ 0, got {v}")) }
}

fn parse_positive(s: &str) -> Result<f64, String> {
    let v = parse_f64(s)?;
    if v > 0.0 { Ok(v) } else { Err(format!("must be > 0, got {v}")) }
}

fn parse_unit(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a number in [0, 1], got `{s}`")),
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let v = parse_f64(s)?;
    if v > 0.0 && v < 1.0 { Ok(v) } else { Err(format!("must lie strictly between 0 and 1, got {v}")) }
}

fn parse_unit_interval(s: &str) -> Result<f64, String> {
    let v = parse_f64(s)?;
    if (0.0..=1.0).contains(&v) { Ok(v) } else { Err(format!("must lie in [0, 1], got {v}")) }
}

fn parse_solver(s: &str) -> Result<Solver, String> {
    s.parse().map_err(|e: logreg::Error| e.to_string())
}

fn parse_backend(s: &str) -> Result<BackendKind, String> {
    s.parse().map_err(|e: logreg::UnknownBackend| e.to_string())
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ if s == "\\t" || s == "tab" => Ok(b'\t'),
        _ => Err(format!("must be one ASCII character (or `tab`), got `{s}`")),
    }
}
