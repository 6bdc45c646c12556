//! `logreg cv`: the penalty chosen by k-fold cross-validation of the path, refitted on all rows.

use std::path::Path;

use anyhow::{Context, Result, bail};
use logreg::multinomial::multinomial_solver;
use logreg::solve::{CvParams, Scoring, folds_of_ids};
use logreg::{FitParams, Penalty};

use super::path::{Setup, setup, stopped};
use super::path_figures::CvCurve;
use crate::args::{Choice, CvArgs, ScoringArg};
use crate::figure::{is_svg, render};
use crate::interrupt;
use crate::model_file::{CrossValidation, ModelFile, TrainingConfig};
use crate::output::emit;
use crate::progress::{BarObserver, PointBar};
use crate::report::{Metrics, class_coefficients, coefficients, convergence, render_multiclass};

/// coefficients listed in the report.
const LISTED: usize = 20;

/// cross-validate, report the curve and both choices, refit at the chosen penalty, save.
pub fn run(a: CvArgs) -> Result<()> {
    if let Some(plot) = &a.plot {
        is_svg(plot)?;
    }
    let s = setup(&a.spec)?;
    let data = &s.loaded.dataset;
    let backend = a.spec.fit.backend.backend();
    let (scoring, name) = match a.scoring {
        ScoringArg::LogLoss => (Scoring::LogLoss, "log-loss"),
        ScoringArg::RocAuc => (Scoring::RocAuc, "roc-auc"),
        ScoringArg::Accuracy => (Scoring::Accuracy, "accuracy"),
    };
    let given = a.fold_ids.as_ref().map(|p| read_fold_ids(p, data.n_rows())).transpose()?;
    let n_folds = given.as_ref().map_or(a.folds as usize * a.repeats as usize, Vec::len);
    let bar = PointBar::new("cv", n_folds, s.penalties.len(), a.spec.quiet);
    let start = std::time::Instant::now();
    let result = s.pool.install(|| match given {
        Some(folds) => s.params.cross_validate_folds(backend, data, &s.penalties, folds, scoring, &bar),
        None => {
            let cv = CvParams { folds: a.folds as usize, repeats: a.repeats as usize, seed: a.seed, scoring };
            s.params.cross_validate(backend, data, &s.penalties, &cv, &bar)
        }
    });
    bar.finish();
    let result = stopped(result)?;
    let cv_seconds = start.elapsed().as_secs_f64();
    let chosen = match a.choose {
        Choice::Best => result.best,
        Choice::OneSe => result.one_se,
    };
    let folds = match &a.fold_ids {
        Some(path) => format!("{} folds from {}", n_folds, path.display()),
        None => format!("{} folds × {} (seed {})", a.folds, a.repeats, a.seed),
    };
    let mut out = format!(
        "cv: {}: {} rows × {} features, {folds}, l1 ratio {}, scored by {name}\n{:>14} {:>12} {:>12}\n",
        s.source,
        data.n_rows(),
        data.n_cols(),
        a.spec.l1_ratio,
        "lambda",
        "mean",
        "std error"
    );
    for (k, l) in s.lambdas.iter().enumerate() {
        let mark = match (k == result.best, k == result.one_se) {
            (true, true) => "  best, 1-se",
            (true, false) => "  best",
            (false, true) => "  1-se",
            _ => "",
        };
        out += &format!("{l:>14.6e} {:>12.6} {:>12.6}{mark}\n", result.mean[k], result.std_error[k]);
    }
    if result.best + 1 == s.penalties.len() && a.spec.lambdas.is_none() {
        out +=
            "note: the best mean is at the grid's smallest penalty: a smaller --lambda-ratio may find a better one\n";
    }
    if let Some(plot) = &a.plot {
        let figure = CvCurve {
            folds: folds.clone(),
            score: name,
            lambdas: &s.lambdas,
            mean: &result.mean,
            std_error: &result.std_error,
            best: result.best,
            one_se: result.one_se,
        };
        render(&figure, plot)?;
    }
    let penalty = s.penalties[chosen];
    out += &format!(
        "chosen ({}): lambda {:.6e} (l2 {:.6e}, l1 {:.6e}); refitted on all rows\n",
        if a.choose == Choice::Best { "best mean" } else { "1-se rule" },
        s.lambdas[chosen],
        penalty.l2(),
        penalty.l1()
    );
    let params = FitParams { l2: penalty.l2(), l1: penalty.l1(), ..s.params.params().clone() }.check()?;
    let classes = &s.loaded.classes;
    let refit_start = std::time::Instant::now();
    let (file, report) = if data.n_classes() == 2 {
        let mut bar = BarObserver::for_solver("refit", params.solver_for(data), a.spec.fit.max_iter, 0, a.spec.quiet);
        let model = s.pool.install(|| params.fit(backend, data, &mut bar));
        bar.finish();
        interrupt::check()?;
        let model = model?;
        let z = model.decision_function(data.features())?;
        out += &Metrics::new(data.labels(), &z, 0.5).render("train", classes);
        let listed = coefficients(&model.feature_names, &model.coefficients, model.intercept, LISTED);
        (ModelFile::new(&model, &s.loaded.target, classes, training(&a, &s, penalty), data), (model.report, listed))
    } else {
        let (n, d, k) = (data.n_rows(), data.n_cols(), data.n_classes());
        let solver = multinomial_solver(params.params().solver, n, d, data.is_sparse(), k, penalty);
        let mut bar = BarObserver::for_solver("refit", solver, a.spec.fit.max_iter, 0, a.spec.quiet);
        let model = s.pool.install(|| params.fit_multinomial(backend, data, &mut bar));
        bar.finish();
        interrupt::check()?;
        let model = model?;
        out += &render_multiclass(&model.metrics(data.features(), data.labels())?, "train", &classes.values);
        let listed = class_coefficients(&model, classes, LISTED);
        let file = ModelFile::multinomial(&model, &s.loaded.target, classes, training(&a, &s, penalty), data);
        (file, (model.report, listed))
    };
    let refit_seconds = refit_start.elapsed().as_secs_f64();
    out += &convergence(&report.0, &logreg::simd::describe());
    out += &format!(
        "time: cross-validation {cv_seconds:.3} s ({n_folds} folds × {} penalties, {} threads), refit {refit_seconds:.3} s\n",
        s.penalties.len(),
        s.threads
    );
    out += &report.1;
    emit(&out)?;
    if let Some(path) = &a.model_out {
        let spec = &a.spec;
        let given = a.fold_ids.is_some();
        let record = CrossValidation {
            folds: if given { n_folds as u64 } else { a.folds },
            repeats: if given { 1 } else { a.repeats },
            seed: a.seed,
            scoring: name.into(),
            l1_ratio: spec.l1_ratio,
            lambdas: s.lambdas.clone(),
            mean: result.mean.clone(),
            std_error: result.std_error.clone(),
            best: result.best,
            one_se: result.one_se,
            chosen,
            scores: result.scores.clone(),
            fold_ids: a.fold_ids.as_ref().map(|p| p.display().to_string()),
        };
        file.with_categories(&s.loaded.columns, &s.loaded.categories).with_cross_validation(record).save(path)?;
        emit(&format!("model written to {}\n", path.display()))?;
    }
    if let Some(plot) = &a.plot {
        emit(&format!("cross-validation curve drawn to {}\n", plot.display()))?;
    }
    Ok(())
}

/// how the refitted model was trained, for its file.
fn training(a: &CvArgs, s: &Setup, penalty: Penalty) -> TrainingConfig {
    TrainingConfig { seed: a.seed, ..a.spec.fit.training(penalty.l2(), penalty.l1(), s.threads, s.source.clone()) }
}

/// the folds of a file of fold numbers, one per row of the data's `n_rows` (blank lines and
/// `#` comments skipped; `-1`: a row never held out, as in scikit-learn's `PredefinedSplit`).
fn read_fold_ids(path: &Path, n_rows: usize) -> Result<Vec<Vec<usize>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the fold numbers", path.display()))?;
    let (mut rows, mut ids) = (0usize, Vec::with_capacity(n_rows));
    for (line, raw) in text.lines().enumerate() {
        let field = raw.split('#').next().unwrap_or("").trim();
        if field.is_empty() {
            continue;
        }
        match field.parse::<i64>() {
            Ok(-1) => {}
            Ok(id) if id >= 0 => ids.push((id as usize, rows)),
            _ => bail!(
                "{}, line {}: expected a fold number (0, 1, …, or -1 for a row never held out), found `{field}`",
                path.display(),
                line + 1
            ),
        }
        rows += 1;
    }
    if rows != n_rows {
        bail!(
            "{}: {rows} fold numbers for {n_rows} rows of data (one per row, in the data's order, after any dropped rows)",
            path.display()
        );
    }
    // fold numbers of the rows held out, in row order
    let (numbers, held): (Vec<usize>, Vec<usize>) = ids.into_iter().unzip();
    let folds: Vec<Vec<usize>> =
        folds_of_ids(&numbers).into_iter().map(|f| f.into_iter().map(|k| held[k]).collect()).collect();
    if folds.len() < 2 {
        bail!("{}: fewer than 2 folds; cross-validation needs at least 2", path.display());
    }
    Ok(folds)
}
