//! cross-validation against scikit-learn's `LogisticRegressionCV` on the same folds and grid
//! (tests/fixtures/sklearn_cv.json, made by make_cv_fixture.py): per-fold held-out scores and the
//! chosen penalty, for each scoring, on every backend.

mod common;

use logreg::io::{CsvOptions, read_csv};
use logreg::solve::{Scoring, folds_of_ids};
use logreg::{Backend, FitParams, Penalty, ReferenceBackend, Silent};

fn fixture() -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/sklearn_cv.json")).unwrap()).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// both sides fit every point to gradient norms near 1e-10 (scikit-learn: newton-cholesky at
/// tol 1e-12, its own lbfgs agreeing to 1e-6), so held-out log-losses agree to far better than
/// 1e-6 relative; ROC AUC and accuracy are counts of ordered pairs and of rows, equal exactly
/// unless a held-out row sits within rounding of a tie (none does here).
#[test]
fn per_fold_scores_and_choice_match_logistic_regression_cv() {
    let f = fixture();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = CsvOptions {
        target: Some(f["target"].as_str().unwrap().into()),
        positive: Some(f["positive"].as_str().unwrap().into()),
        ..Default::default()
    };
    let data = read_csv(&root.join(f["data"].as_str().unwrap()), &options).unwrap().dataset;
    let ids: Vec<usize> = std::fs::read_to_string(root.join(f["folds_file"].as_str().unwrap()))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let folds = folds_of_ids(&ids);
    assert_eq!(folds.len(), 5);
    // scikit-learn's Cs ascend: logreg's path runs from the largest penalty down, the same order
    let l2 = numbers(&f["l2"]);
    let grid: Vec<Penalty> = l2.iter().map(|&l| Penalty::new(l, 0.0).unwrap()).collect();
    let params = FitParams { tol: 1e-10, ..FitParams::default() }.check().unwrap();
    let backends: Vec<&dyn Backend> =
        common::backends().into_iter().chain([&ReferenceBackend as &dyn Backend]).collect();
    for (name, scoring) in
        [("log-loss", Scoring::LogLoss), ("roc-auc", Scoring::RocAuc), ("accuracy", Scoring::Accuracy)]
    {
        let want = &f["scorings"][name];
        for &backend in &backends {
            let got = params.cross_validate_folds(backend, &data, &grid, folds.clone(), scoring, &Silent).unwrap();
            for (fold, (mine, theirs)) in got.scores.iter().zip(want["scores"].as_array().unwrap()).enumerate() {
                for (k, (a, b)) in mine.iter().zip(numbers(theirs)).enumerate() {
                    let tol = if scoring == Scoring::LogLoss { 1e-6 * b } else { 1e-12 };
                    assert!((a - b).abs() <= tol, "{name} on {}: fold {fold}, C #{k}: {a} vs {b}", backend.name());
                }
            }
            assert_eq!(got.best, want["chosen"].as_u64().unwrap() as usize, "{name} on {}", backend.name());
        }
    }
}

/// scikit-learn refits at the chosen `C` on all 100 rows, i.e. at `l2 = 1 / (C · 100)`: logreg's
/// fit at that penalty has its coefficients (to 1e-6 relative, both converged tightly).
#[test]
fn the_refit_at_the_chosen_c_is_scikit_learns() {
    let f = fixture();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let options =
        CsvOptions { target: Some("species".into()), positive: Some("virginica".into()), ..Default::default() };
    let data = read_csv(&root.join("data/iris_versicolor_virginica.csv"), &options).unwrap().dataset;
    let want = &f["scorings"]["log-loss"];
    let c = want["chosen_C"].as_f64().unwrap();
    let model = FitParams { l2: 1.0 / (c * data.n_rows() as f64), tol: 1e-10, ..FitParams::default() }
        .check()
        .unwrap()
        .fit(&ReferenceBackend, &data, &mut Silent)
        .unwrap();
    let theirs = numbers(&want["coefficients"]);
    for (a, b) in model.coefficients.iter().zip(&theirs) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-3), "{a} vs {b}");
    }
    let b = want["intercept"].as_f64().unwrap();
    assert!((model.intercept - b).abs() <= 1e-6 * b.abs(), "{} vs {b}", model.intercept);
}
