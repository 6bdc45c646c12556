//! `logreg path`: fits along a grid of penalties, warm-started from the largest down.

use std::io::Write;

use anyhow::Result;
use logreg::io::{Classes, LoadedData};
use logreg::metrics::{accuracy, log_loss};
use logreg::solve::penalty_grid;
use logreg::{Dataset, FitParams, Model, MultinomialModel, Penalty, ValidFitParams};

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
    let params = FitParams { screening: !a.no_screening, ..a.fit.params(0.0, 0.0) }.check()?;
    let (pool, threads) = a.fit.pool()?;
    let r = a.l1_ratio;
    let lambdas: Vec<f64> = match &a.lambdas {
        Some(l) => {
            let mut l = l.clone();
            l.sort_by(|x, y| y.total_cmp(x));
            l
        }
        None => {
            let (backend, data) = (a.fit.backend.backend(), &loaded.dataset);
            let top = pool.install(|| {
                if data.n_classes() == 2 {
                    params.lambda_max(backend, data, r)
                } else {
                    params.multinomial_lambda_max(backend, data, r)
                }
            })?;
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
    let points = s.pool.install(|| -> logreg::Result<Vec<PathPoint>> {
        if data.n_classes() == 2 {
            let models = s.params.fit_path(backend, data, &s.penalties, &bar)?;
            Ok(models.iter().map(|m| PathPoint::binary(m, data)).collect())
        } else {
            let models = s.params.fit_multinomial_path(backend, data, &s.penalties, &bar)?;
            models.iter().map(|m| PathPoint::multinomial(m, data)).collect()
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    bar.finish();
    let points = stopped(points)?;
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
    for ((p, l), pen) in points.iter().zip(&s.lambdas).zip(&s.penalties) {
        out += &format!(
            "{l:>14.6e} {:>14.6e} {:>14.6e} {:>14.10} {:>8} {:>9.4} {:>9.4} {:>6}\n",
            pen.l2(),
            pen.l1(),
            p.objective,
            p.nonzero,
            p.log_loss,
            p.accuracy,
            p.iterations
        );
    }
    out += &format!("time: path {seconds:.3} s ({} penalties, {} threads)\n", s.penalties.len(), s.threads);
    emit(&out)?;
    let (intercepts, names) = coefficient_names(data.feature_names(), &s.loaded.classes);
    if let Some(path) = &a.output {
        write_atomic(path, |w: &mut dyn Write| {
            let header: Vec<String> = intercepts.iter().chain(&names).map(|n| super::csv_field(n)).collect();
            writeln!(w, "lambda,l2,l1,objective,nonzero,log_loss,accuracy,iterations,{}", header.join(","))?;
            for ((p, l), pen) in points.iter().zip(&s.lambdas).zip(&s.penalties) {
                let head = [*l, pen.l2(), pen.l1(), p.objective, p.nonzero as f64, p.log_loss, p.accuracy];
                let values: Vec<String> = head
                    .iter()
                    .map(f64::to_string)
                    .chain([p.iterations.to_string()])
                    .chain(p.intercepts.iter().chain(&p.coefficients).map(f64::to_string))
                    .collect();
                writeln!(w, "{}", values.join(","))?;
            }
            Ok(())
        })?;
        emit(&format!("path written to {}\n", path.display()))?;
    }
    if let Some(plot) = &a.plot {
        let figure = CoefficientPath {
            lambdas: &s.lambdas,
            names: &names,
            coefficients: points.iter().map(|p| p.plotted.clone()).collect(),
            standardized: a.spec.fit.standardize,
        };
        render(&figure, plot)?;
        emit(&format!("coefficient path drawn to {}\n", plot.display()))?;
    }
    Ok(())
}

/// what the path reports of one point.
struct PathPoint {
    objective: f64,
    /// non-zero coefficients (over every class)
    nonzero: usize,
    /// training log-loss and accuracy
    log_loss: f64,
    accuracy: f64,
    iterations: usize,
    /// one intercept, or one per class
    intercepts: Vec<f64>,
    /// the coefficients (class after class)
    coefficients: Vec<f64>,
    /// the coefficients as drawn: of standardised features when the penalty was (glmnet's plots)
    plotted: Vec<f64>,
}

impl PathPoint {
    fn binary(m: &Model, data: &Dataset) -> Self {
        let z = m.decision_function(data.features()).unwrap_or_default();
        let predicted: Vec<f64> = z.iter().map(|&v| f64::from(u8::from(v >= 0.0))).collect();
        PathPoint {
            objective: m.report.objective,
            nonzero: m.coefficients.iter().filter(|&&w| w != 0.0).count(),
            log_loss: log_loss(data.labels(), &z),
            accuracy: accuracy(data.labels(), &predicted),
            iterations: m.report.iterations,
            intercepts: vec![m.intercept],
            coefficients: m.coefficients.clone(),
            plotted: standardized(&m.coefficients, m.standardization.as_ref()),
        }
    }

    fn multinomial(m: &MultinomialModel, data: &Dataset) -> logreg::Result<Self> {
        let metrics = m.metrics(data.features(), data.labels())?;
        let coefficients = m.coefficients.concat();
        Ok(PathPoint {
            objective: m.report.objective,
            nonzero: coefficients.iter().filter(|&&w| w != 0.0).count(),
            log_loss: metrics.log_loss(),
            accuracy: metrics.accuracy(),
            iterations: m.report.iterations,
            intercepts: m.intercepts.clone(),
            plotted: m.coefficients.iter().flat_map(|w| standardized(w, m.standardization.as_ref())).collect(),
            coefficients,
        })
    }
}

/// `w` on the standardised features' scale (`w·σ`) when there is a standardisation.
fn standardized(w: &[f64], st: Option<&logreg::Standardizer>) -> Vec<f64> {
    match st {
        Some(st) => w.iter().zip(&st.scale).map(|(w, s)| w * s).collect(),
        None => w.to_vec(),
    }
}

/// the names of the intercepts and coefficients of a path's points: `intercept` and the
/// features, or per class `intercept[c]` and `feature[c]`.
fn coefficient_names(features: &[String], classes: &Classes) -> (Vec<String>, Vec<String>) {
    if classes.len() == 2 {
        return (vec!["intercept".into()], features.to_vec());
    }
    let intercepts = classes.values.iter().map(|c| format!("intercept[{c}]")).collect();
    let names = classes.values.iter().flat_map(|c| features.iter().map(move |f| format!("{f}[{c}]"))).collect();
    (intercepts, names)
}
