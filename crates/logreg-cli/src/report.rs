//! the text report: metrics, confusion matrix, convergence, coefficients.

use logreg::FitReport;
use logreg::io::Classes;
use logreg::metrics::{ConfusionMatrix, MulticlassMetrics, log_loss, roc_auc};
use logreg::numerics::sigmoid;

/// metrics of predictions on labelled rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// rows scored
    pub rows: usize,
    /// fraction right at the threshold
    pub accuracy: f64,
    /// mean log-loss
    pub log_loss: f64,
    /// roc auc (`None` with one class)
    pub roc_auc: Option<f64>,
    /// confusion matrix at the threshold
    pub confusion: ConfusionMatrix,
}

impl Metrics {
    /// metrics of decision values `z` against labels `y` at probability `threshold`.
    pub fn new(y: &[f64], z: &[f64], threshold: f64) -> Self {
        let pred: Vec<f64> = z.iter().map(|&v| f64::from(u8::from(sigmoid(v) >= threshold))).collect();
        let confusion = ConfusionMatrix::new(y, &pred);
        Metrics {
            rows: y.len(),
            accuracy: confusion.accuracy(),
            log_loss: log_loss(y, z),
            roc_auc: roc_auc(y, z),
            confusion,
        }
    }

    /// the metrics block, titled `title`.
    pub fn render(&self, title: &str, classes: &Classes) -> String {
        let c = &self.confusion;
        let auc = self.roc_auc.map_or("n/a".into(), |a| format!("{a:.4}"));
        let head = "actual \\ predicted";
        let label = head.chars().count().max(classes.negative().len()).max(classes.positive().len());
        let width = classes.negative().len().max(classes.positive().len()).max(6);
        let row = |a: &str, b: String, c: String| format!("  {a:<label$}  {b:>width$}  {c:>width$}\n");
        let mut out = format!(
            "{title}: {} rows  accuracy {:.4}  log-loss {:.4}  ROC AUC {auc}\n",
            self.rows, self.accuracy, self.log_loss
        );
        out += &row(head, classes.negative().to_string(), classes.positive().to_string());
        out += &row(classes.negative(), c.tn.to_string(), c.fp.to_string());
        out += &row(classes.positive(), c.fn_.to_string(), c.tp.to_string());
        out
    }
}

/// the metrics block of a multinomial model, titled `title`: accuracy, log-loss, macro-averaged
/// precision / recall / f1, per-class figures and the k × k confusion matrix.
pub fn render_multiclass(m: &MulticlassMetrics, title: &str, classes: &[String]) -> String {
    let rows = m.rows();
    let (p, r, f) = m.macro_averages();
    let mut out = format!(
        "{title}: {rows} rows  accuracy {:.4}  log-loss {:.4}  macro precision {p:.4}  recall {r:.4}  F1 {f:.4}\n",
        m.accuracy(),
        m.log_loss()
    );
    let head = "actual \\ predicted";
    let label = classes.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(head.chars().count());
    let width = classes.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(6);
    out += &format!("  {head:<label$}");
    for c in classes {
        out += &format!("  {c:>width$}");
    }
    out += "   precision  recall      F1\n";
    for (t, row) in m.confusion.iter().enumerate() {
        out += &format!("  {:<label$}", classes[t]);
        for v in row {
            out += &format!("  {v:>width$}");
        }
        let fmt = |v: Option<f64>| v.map_or("     n/a".into(), |v| format!("{v:>8.4}"));
        out += &format!("   {}  {}  {:>6.4}\n", fmt(m.precision(t)), fmt(m.recall(t)), m.f1(t));
    }
    out
}

/// the convergence line; `simd` the level the kernels ran at.
pub fn convergence(r: &FitReport, simd: &str) -> String {
    format!(
        "convergence: {} on {} ({simd}), {} iterations, objective {:.10}, gradient norm {:.2e}, {}{} ({:.3} s)\n",
        r.solver,
        r.backend,
        r.iterations,
        r.objective,
        r.gradient_norm,
        if r.converged { "converged: " } else { "NOT converged: " },
        r.reason,
        r.fit_seconds
    )
}

/// coefficients by decreasing magnitude (at most `limit`), intercept first.
pub fn coefficients(names: &[String], coefficients: &[f64], intercept: f64, limit: usize) -> String {
    let mut order: Vec<usize> = (0..coefficients.len()).collect();
    order.sort_by(|&a, &b| coefficients[b].abs().total_cmp(&coefficients[a].abs()));
    let width = names.iter().map(String::len).max().unwrap_or(9).max(9);
    let mut out =
        format!("coefficients (original scale, by magnitude):\n  {:<width$}  {intercept:>14.6e}\n", "intercept");
    for &j in order.iter().take(limit) {
        out += &format!("  {:<width$}  {:>14.6e}\n", names[j], coefficients[j]);
    }
    if order.len() > limit {
        out += &format!("  … {} more\n", order.len() - limit);
    }
    let zeros = coefficients.iter().filter(|c| **c == 0.0).count();
    if zeros > 0 {
        out += &format!("  ({zeros} coefficients are exactly zero)\n");
    }
    out
}

/// a multinomial model's coefficients: one column per class, rows the intercept and the
/// features with the largest effect across classes (at most `limit`).
pub fn class_coefficients(model: &logreg::MultinomialModel, classes: &Classes, limit: usize) -> String {
    let d = model.feature_names.len();
    let effect = |j: usize| model.coefficients.iter().map(|w| w[j].abs()).fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| effect(b).total_cmp(&effect(a)));
    let width = model.feature_names.iter().map(String::len).max().unwrap_or(9).max(9);
    let col = classes.values.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(13);
    let mut out = format!("coefficients (original scale, by largest magnitude over classes):\n  {:<width$}", "class");
    for c in &classes.values {
        out += &format!("  {c:>col$}");
    }
    out += &format!("\n  {:<width$}", "intercept");
    for b in &model.intercepts {
        out += &format!("  {b:>col$.6e}");
    }
    out += "\n";
    for &j in order.iter().take(limit) {
        out += &format!("  {:<width$}", model.feature_names[j]);
        for w in &model.coefficients {
            out += &format!("  {:>col$.6e}", w[j]);
        }
        out += "\n";
    }
    if d > limit {
        out += &format!("  … {} more\n", d - limit);
    }
    out
}
