//! `logreg path`: fits along a grid of penalties, warm-started from the largest down.

use std::io::Write;

use anyhow::{Context, Result, bail};
use logreg::io::LoadedData;
use logreg::metrics::{accuracy, log_loss};
use logreg::solve::penalty_grid;
use logreg::{ClassWeight, FitParams, Model, Penalty, ValidFitParams};

use super::path_figures::CoefficientPath;
use crate::args::{PathArgs, PathSpec};
use crate::data::load_labelled;
use crate::figure::{is_svg, render};
use crate::interrupt::Interrupted;
use crate::output::{emit, write_atomic};
use crate::progress::PointBar;

/// what a path or a cross-validation works on.
pub(super) struct Setup {
    pub loaded: LoadedData,
    pub source: String,
    pub params: ValidFitParams,
    /// the penalties, largest first, and their strengths λ
    pub penalties: Vec<Penalty>,
    pub lambdas: Vec<f64>,
    pub pool: rayon::ThreadPool,
    pub threads: usize,
}

/// the data, the fit settings and the penalties of `a`.
pub(super) fn setup(a: &PathSpec) -> Result<Setup> {
    let (loaded, source) = load_labelled(&a.data.input, a.data.labelled(), true)?;
    if loaded.dataset.n_classes() != 2 {
        bail!(
            "{source}: paths and cross-validation fit binary models; the target has {} classes",
            loaded.classes.len()
        );
    }
    let params = FitParams {
        solver: a.fit.solver,
        l2: 0.0,
        l1: 0.0,
        standardize: a.fit.standardize,
        fit_intercept: !a.fit.no_intercept,
        class_weight: if a.fit.balanced { ClassWeight::Balanced } else { ClassWeight::None },
        tol: a.fit.tol,
        max_iter: a.fit.max_iter.map(|m| m as usize),
        ..FitParams::default()
    }
    .check()?;
    let threads = a.fit.threads.map_or_else(rayon::current_num_threads, |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("cannot start worker threads")?;
    let r = a.l1_ratio;
    let lambdas: Vec<f64> = match &a.lambdas {
        Some(l) => {
            let mut l = l.clone();
            l.sort_by(|x, y| y.total_cmp(x));
            l
        }
        None => {
            let top = pool.install(|| params.lambda_max(a.fit.backend.backend(), &loaded.dataset, r))?;
            let grid = penalty_grid(top, a.lambda_ratio, a.n_lambdas as usize, r)?;
            grid.iter().map(|p| p.l1() + p.l2()).collect()
        }
    };
    let penalties = lambdas.iter().map(|&l| Penalty::new((1.0 - r) * l, r * l)).collect::<logreg::Result<_>>()?;
    Ok(Setup { loaded, source, params, penalties, lambdas, pool, threads })
}

/// the result of a path or cross-validation, its stop by ctrl-c as [`Interrupted`].
pub(super) fn stopped<T>(result: logreg::Result<T>) -> Result<T> {
    match result {
        Err(logreg::Error::Stopped { .. }) => Err(Interrupted.into()),
        other => Ok(other?),
    }
}

/// fit the path and print (and write) every point.
pub fn run(a: PathArgs) -> Result<()> {
    if let Some(plot) = &a.plot {
        is_svg(plot)?;
    }
    let s = setup(&a.spec)?;
    let data = &s.loaded.dataset;
    let backend = a.spec.fit.backend.backend();
    let bar = PointBar::new("path", 1, s.penalties.len(), a.spec.quiet);
    let start = std::time::Instant::now();
    let models = s.pool.install(|| s.params.fit_path(backend, data, &s.penalties, &bar));
    let seconds = start.elapsed().as_secs_f64();
    bar.finish();
    let models = stopped(models)?;
    let mut out = format!(
        "path: {}: {} rows × {} features, l1 ratio {}, {} penalties from {:.6e} down\n{:>14} {:>14} {:>14} {:>14} {:>8} {:>9} {:>9} {:>6}\n",
        s.source,
        data.n_rows(),
        data.n_cols(),
        a.spec.l1_ratio,
        s.lambdas.len(),
        s.lambdas[0],
        "lambda",
        "l2",
        "l1",
        "objective",
        "nonzero",
        "log-loss",
        "accuracy",
        "iter"
    );
    let rows: Vec<[f64; 7]> =
        models.iter().zip(&s.lambdas).zip(&s.penalties).map(|((m, &l), &p)| point(m, l, p, data)).collect();
    for (r, m) in rows.iter().zip(&models) {
        out += &format!(
            "{:>14.6e} {:>14.6e} {:>14.6e} {:>14.10} {:>8} {:>9.4} {:>9.4} {:>6}\n",
            r[0], r[1], r[2], r[3], r[4] as usize, r[5], r[6], m.report.iterations
        );
    }
    out += &format!("time: path {seconds:.3} s ({} penalties, {} threads)\n", s.penalties.len(), s.threads);
    emit(&out)?;
    if let Some(path) = &a.output {
        write_atomic(path, |w: &mut dyn Write| {
            let names: Vec<String> = data.feature_names().iter().map(|n| super::csv_field(n)).collect();
            writeln!(w, "lambda,l2,l1,objective,nonzero,log_loss,accuracy,intercept,{}", names.join(","))?;
            for (r, m) in rows.iter().zip(&models) {
                let values: Vec<String> =
                    r.iter().chain([&m.intercept]).chain(&m.coefficients).map(f64::to_string).collect();
                writeln!(w, "{}", values.join(","))?;
            }
            Ok(())
        })?;
        emit(&format!("path written to {}\n", path.display()))?;
    }
    if let Some(plot) = &a.plot {
        let figure = CoefficientPath {
            lambdas: &s.lambdas,
            names: data.feature_names(),
            // on standardised features' scale when the penalty was (as glmnet's plots)
            coefficients: models
                .iter()
                .map(|m| match &m.standardization {
                    Some(st) => m.coefficients.iter().zip(&st.scale).map(|(w, s)| w * s).collect(),
                    None => m.coefficients.clone(),
                })
                .collect(),
            standardized: a.spec.fit.standardize,
        };
        render(&figure, plot)?;
        emit(&format!("coefficient path drawn to {}\n", plot.display()))?;
    }
    Ok(())
}

/// a point's λ, l2, l1, objective, non-zero coefficients, training log-loss and accuracy.
fn point(m: &Model, lambda: f64, p: Penalty, data: &logreg::Dataset) -> [f64; 7] {
    let z = m.decision_function(data.features()).unwrap_or_default();
    let predicted: Vec<f64> = z.iter().map(|&v| f64::from(u8::from(v >= 0.0))).collect();
    let nonzero = m.coefficients.iter().filter(|&&w| w != 0.0).count() as f64;
    [
        lambda,
        p.l2(),
        p.l1(),
        m.report.objective,
        nonzero,
        log_loss(data.labels(), &z),
        accuracy(data.labels(), &predicted),
    ]
}
