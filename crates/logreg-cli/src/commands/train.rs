//! `logreg train`.

use anyhow::Result;
use logreg::io::{CategoricalColumn, Classes};
use logreg::multinomial::multinomial_solver;
use logreg::solve::Solver;
use logreg::{Dataset, FitParams, LearningRate, SgdParams, ValidFitParams};

use crate::args::TrainArgs;
use crate::data::load_labelled;
use crate::model_file::{ModelFile, TrainingConfig};
use crate::output::emit;
use crate::progress::BarObserver;
use crate::report::{Metrics, class_coefficients, coefficients, convergence, render_multiclass};

/// coefficients listed in the report.
const LISTED: usize = 20;

/// fit, report, and save the model when asked.
pub fn run(a: TrainArgs) -> Result<()> {
    let (loaded, source) = load_labelled(&a.data.input, a.data.labelled(), true)?;
    if a.data.input.data.is_none() {
        eprintln!(
            "no --data given: training on the bundled breast-cancer data (569 rows, 30 features, target `diagnosis`)"
        );
    }
    let classes = loaded.classes.clone();
    let (train, test) = match a.test_fraction {
        Some(f) => {
            let (train, test) = loaded.dataset.split_stratified(f, a.seed)?;
            (train, Some(test))
        }
        None => (loaded.dataset, None),
    };
    let l2 = a.l2.unwrap_or(if a.l1 > 0.0 { 0.0 } else { 1.0 / train.n_rows() as f64 });
    let params = FitParams {
        sgd: SgdParams {
            batch_size: Some(a.batch_size as usize),
            max_epochs: a.epochs as usize,
            learning_rate: LearningRate::Constant(a.learning_rate),
            seed: a.seed,
            ..SgdParams::default()
        },
        ..a.fit.params(l2, a.l1)
    }
    .check()?;
    let (pool, threads) = a.fit.pool()?;
    let training = TrainingConfig {
        epochs: a.epochs,
        batch_size: a.batch_size,
        learning_rate: a.learning_rate,
        seed: a.seed,
        test_fraction: a.test_fraction,
        ..a.fit.training(l2, a.l1, threads, source.clone())
    };
    if train.n_classes() > 2 {
        let fit = Fit { params: &params, pool: &pool, train: &train, test: test.as_ref(), source: &source, l2 };
        return train_multinomial(&a, fit, &loaded.target, &classes, training, (&loaded.columns, &loaded.categories));
    }
    let solver = params.solver_for(&train);
    let mut bar = progress_bar(&a, solver);
    let fitted = pool.install(|| params.fit(a.fit.backend.backend(), &train, &mut bar));
    bar.finish();
    crate::interrupt::check()?;
    let model = fitted?;

    let mut out = format!(
        "data: {source}: {} rows × {} features, target `{}`, positive class `{}`\npenalty: l2 {l2:.6e}{}, l1 {}{}\n",
        train.n_rows() + test.as_ref().map_or(0, |t| t.n_rows()),
        train.n_cols(),
        loaded.target,
        classes.positive(),
        penalty_note(&a, l2),
        a.l1,
        standardized_note(&a)
    );
    let z = model.decision_function(train.features())?;
    out += &Metrics::new(train.labels(), &z, 0.5).render("train", &classes);
    if let Some(test) = &test {
        let z = model.decision_function(test.features())?;
        out += &Metrics::new(test.labels(), &z, 0.5).render("test", &classes);
    }
    out += &convergence(&model.report, &logreg::simd::describe());
    out += &coefficients(&model.feature_names, &model.coefficients, model.intercept, LISTED);
    if model.inference.is_some() {
        out += "standard errors, z, p and 95% intervals: `logreg summary --model <model file>`\n";
    }
    emit(&out)?;

    match &a.model_out {
        Some(path) => {
            ModelFile::new(&model, &loaded.target, &classes, training, &train)
                .with_categories(&loaded.columns, &loaded.categories)
                .save(path)?;
            emit(&format!("model written to {}\n", path.display()))?;
        }
        None => eprintln!("(the model was not saved: add --model-out PATH)"),
    }
    Ok(())
}

/// the progress bar of a fit by `solver`.
fn progress_bar(a: &TrainArgs, solver: Solver) -> BarObserver {
    BarObserver::for_solver("training", solver, a.fit.max_iter, a.epochs, a.quiet)
}

/// ", default 1/n …" when the penalty was not given.
fn penalty_note(a: &TrainArgs, l2: f64) -> &'static str {
    if a.l2.is_none() && l2 > 0.0 { " (default 1/n, scikit-learn's C = 1)" } else { "" }
}

/// ", on standardised features" when asked.
fn standardized_note(a: &TrainArgs) -> &'static str {
    if a.fit.standardize { ", on standardised features" } else { "" }
}

/// what a multinomial fit needs from `run`.
struct Fit<'a> {
    params: &'a ValidFitParams,
    pool: &'a rayon::ThreadPool,
    train: &'a Dataset,
    test: Option<&'a Dataset>,
    source: &'a str,
    l2: f64,
}

/// fit, report and save a multinomial model (more than two classes).
fn train_multinomial(
    a: &TrainArgs,
    fit: Fit<'_>,
    target: &str,
    classes: &Classes,
    training: TrainingConfig,
    (columns, categories): (&[String], &[CategoricalColumn]),
) -> Result<()> {
    let Fit { params, pool, train, test, source, l2 } = fit;
    let stored = train.n_classes() - usize::from(params.penalty() == logreg::Penalty::none());
    let (n, d, sparse) = (train.n_rows(), train.n_cols(), train.is_sparse());
    let solver = multinomial_solver(params.params().solver, n, d, sparse, stored, params.penalty());
    let mut bar = progress_bar(a, solver);
    let fitted = pool.install(|| params.fit_multinomial(a.fit.backend.backend(), train, &mut bar));
    bar.finish();
    crate::interrupt::check()?;
    let model = fitted?;
    let k = classes.len();
    let mut out = format!(
        "data: {source}: {} rows × {} features, target `{target}`, {k} classes (multinomial model{})\npenalty: l2 {l2:.6e}{}, l1 {}{}\n",
        train.n_rows() + test.map_or(0, |t| t.n_rows()),
        train.n_cols(),
        if model.reference_class { format!(", reference class `{}`", classes.values[0]) } else { String::new() },
        penalty_note(a, l2),
        a.l1,
        standardized_note(a)
    );
    for (title, data) in std::iter::once(("train", train)).chain(test.map(|t| ("test", t))) {
        out += &render_multiclass(&model.metrics(data.features(), data.labels())?, title, &classes.values);
    }
    out += &convergence(&model.report, &logreg::simd::describe());
    out += &class_coefficients(&model, classes, LISTED);
    if model.inference.is_some() {
        out += "standard errors, z, p and 95% intervals: `logreg summary --model <model file>`\n";
    }
    emit(&out)?;
    match &a.model_out {
        Some(path) => {
            ModelFile::multinomial(&model, target, classes, training, train)
                .with_categories(columns, categories)
                .save(path)?;
            emit(&format!("model written to {}\n", path.display()))?;
        }
        None => eprintln!("(the model was not saved: add --model-out PATH)"),
    }
    Ok(())
}
