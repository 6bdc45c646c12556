//! the text report: metrics, confusion matrix, convergence, coefficients.

use logreg::FitReport;
use logreg::io::Classes;
use logreg::metrics::{ConfusionMatrix, log_loss, roc_auc};
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

/// the convergence line.
pub fn convergence(r: &FitReport) -> String {
    format!(
        "convergence: {} on {}, {} iterations, objective {:.10}, gradient norm {:.2e}, {}{} ({:.3} s)\n",
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
