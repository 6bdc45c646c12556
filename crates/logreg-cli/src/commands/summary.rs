//! `logreg summary`.

use anyhow::Result;

use crate::args::SummaryArgs;
use crate::model_file::ModelFile;
use crate::output::emit;

/// print the coefficient table.
pub fn run(a: SummaryArgs) -> Result<()> {
    let m = ModelFile::load(&a.model)?;
    let t = &m.training;
    let c = &m.convergence;
    let mut out = format!(
        "logreg model ({}): target `{}` (positive class `{}`), {} features, trained on {} ({} rows)\n",
        a.model.display(),
        m.target,
        m.positive_class,
        m.features.len(),
        t.data,
        m.data_fingerprint.rows
    );
    out += &format!(
        "solver {} on {}, l2 {}, l1 {}{}: {} after {} iterations, objective {:.10}, gradient norm {:.2e}, {:.3} s\n",
        c.solver,
        c.backend,
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
    match &m.inference {
        Some(rows) => {
            out += &format!(
                "{:<width$}  {:>13}  {:>11}  {:>8}  {:>8}  {:>12}  {:>12}\n",
                "term", "coef", "std err", "z", "P>|z|", "[0.025", "0.975]"
            );
            for r in rows {
                out += &format!(
                    "{:<width$}  {:>13.6}  {:>11.6}  {:>8.3}  {:>8.4}  {:>12.6}  {:>12.6}\n",
                    r.name, r.coefficient, r.std_error, r.z, r.p_value, r.ci_low, r.ci_high
                );
            }
        }
        None => {
            out += &format!("{:<width$}  {:>13}\n", "term", "coef");
            out += &format!("{:<width$}  {:>13.6}\n", "intercept", m.intercept);
            for (name, c) in m.features.iter().zip(&m.coefficients) {
                out += &format!("{name:<width$}  {c:>13.6}\n");
            }
            out += "(standard errors need an unpenalised fit (l2 = l1 = 0) with newton, lbfgs or cd)\n";
        }
    }
    emit(&out)?;
    Ok(())
}
