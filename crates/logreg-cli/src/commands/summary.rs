//! `logreg summary`.

use anyhow::Result;

use crate::args::SummaryArgs;
use crate::model_file::{InferenceRow, ModelFile};
use crate::output::emit;

/// print the coefficient table (one per class of a multinomial model).
pub fn run(a: SummaryArgs) -> Result<()> {
    let m = ModelFile::load(&a.model)?;
    let t = &m.training;
    let c = &m.convergence;
    let classes = match (m.binary(), &m.multinomial) {
        (Some(b), _) => format!("positive class `{}`", b.positive_class),
        (None, Some(mn)) => format!(
            "{} classes {}{}",
            mn.classes.len(),
            mn.classes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            if mn.reference_class { format!(", reference class `{}`", mn.classes[0]) } else { String::new() }
        ),
        (None, None) => unreachable!("a loaded model file is binary or multinomial"),
    };
    let mut out = format!(
        "logreg model ({}): target `{}` ({classes}), {} features, trained on {} ({} rows)\n",
        a.model.display(),
        m.target,
        m.features.len(),
        t.data,
        m.data_fingerprint.rows
    );
    out += &format!(
        "solver {} on {}{}, l2 {}, l1 {}{}: {} after {} iterations, objective {:.10}, gradient norm {:.2e}, {:.3} s\n",
        c.solver,
        c.backend,
        if t.simd.is_empty() { String::new() } else { format!(" ({})", t.simd) },
        t.l2,
        t.l1,
        if t.standardize { " (standardised)" } else { "" },
        if c.converged { "converged" } else { "NOT converged" },
        c.iterations,
        c.objective,
        c.gradient_norm,
        c.fit_seconds
    );
    let width = m.features.iter().map(String::len).max().unwrap_or(9).max(9);
    const NO_INFERENCE: &str = "(standard errors need an unpenalised fit (l2 = l1 = 0) with an exact solver)\n";
    match (m.binary(), &m.multinomial) {
        (Some(b), _) => match &m.inference {
            Some(rows) => out += &table(rows, width),
            None => {
                out += &plain(&m.features, b.intercept, b.coefficients, width);
                out += NO_INFERENCE;
            }
        },
        (None, Some(mn)) => {
            let first = usize::from(mn.reference_class);
            if mn.reference_class {
                out += &format!("class `{}`: the reference (coefficients 0)\n", mn.classes[0]);
            }
            for k in first..mn.classes.len() {
                let against =
                    if mn.reference_class { format!(" (log-odds against `{}`)", mn.classes[0]) } else { String::new() };
                out += &format!("class `{}`{against}:\n", mn.classes[k]);
                match &mn.inference {
                    Some(tables) => out += &table(&tables[k - first], width),
                    None => out += &plain(&m.features, mn.intercepts[k], &mn.coefficients[k], width),
                }
            }
            if mn.inference.is_none() {
                out += NO_INFERENCE;
            }
        }
        (None, None) => unreachable!("a loaded model file is binary or multinomial"),
    }
    emit(&out)?;
    Ok(())
}

/// the inference table.
fn table(rows: &[InferenceRow], width: usize) -> String {
    let mut out = format!(
        "{:<width$}  {:>13}  {:>11}  {:>8}  {:>8}  {:>12}  {:>12}\n",
        "term", "coef", "std err", "z", "P>|z|", "[0.025", "0.975]"
    );
    for r in rows {
        out += &format!(
            "{:<width$}  {:>13.6}  {:>11.6}  {:>8.3}  {:>8.4}  {:>12.6}  {:>12.6}\n",
            r.name, r.coefficient, r.std_error, r.z, r.p_value, r.ci_low, r.ci_high
        );
    }
    out
}

/// coefficients without inference.
fn plain(features: &[String], intercept: f64, coefficients: &[f64], width: usize) -> String {
    let mut out = format!("{:<width$}  {:>13}\n", "term", "coef");
    out += &format!("{:<width$}  {:>13.6}\n", "intercept", intercept);
    for (name, c) in features.iter().zip(coefficients) {
        out += &format!("{name:<width$}  {c:>13.6}\n");
    }
    out
}
