//! regularisation paths: every warm-started point is the cold fit at its penalty.

mod common;

use logreg::io::{CsvOptions, read_csv};
use logreg::solve::penalty_grid;
use logreg::{Dataset, FitParams, ReferenceBackend, Silent, Solver};

fn breast_cancer() -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/breast_cancer.csv");
    read_csv(&path, &CsvOptions::default()).unwrap().dataset
}

/// the path's models against cold fits at each penalty: objectives to 1e-10 relative (both are
/// converged to the same gradient tolerance, so they differ by far less), and for l1 the same
/// zero coefficients.
fn check_path(data: &Dataset, base: FitParams, l1_ratio: f64) {
    let params = base.clone().check().unwrap();
    let lambda_max = params.lambda_max(&ReferenceBackend, data, l1_ratio).unwrap();
    let grid = penalty_grid(lambda_max, 1e-3, 12, l1_ratio).unwrap();
    let path = params.fit_path(&ReferenceBackend, data, &grid, &Silent).unwrap();
    assert_eq!(path.len(), grid.len());
    for (model, penalty) in path.iter().zip(&grid) {
        let cold = FitParams { l2: penalty.l2(), l1: penalty.l1(), ..base.clone() }
            .check()
            .unwrap()
            .fit(&ReferenceBackend, data, &mut Silent)
            .unwrap();
        assert!(model.report.converged, "{penalty:?}: {:?}", model.report);
        let (a, b) = (model.report.objective, cold.report.objective);
        assert!((a - b).abs() <= 1e-10 * b.abs(), "{penalty:?}: path {a} vs cold {b}");
        if l1_ratio > 0.0 {
            let zeros = |w: &[f64]| w.iter().map(|&v| v == 0.0).collect::<Vec<_>>();
            assert_eq!(zeros(&model.coefficients), zeros(&cold.coefficients), "{penalty:?}: active sets");
        }
    }
    // from the top of the path down: the first point is the intercept-only model for l1
    if l1_ratio == 1.0 {
        assert!(path[0].coefficients.iter().all(|&w| w == 0.0));
        assert!(path[1].coefficients.iter().any(|&w| w != 0.0));
    }
}

#[test]
fn ridge_path_points_are_the_cold_fits() {
    let data = breast_cancer();
    check_path(&data, FitParams { standardize: true, ..FitParams::default() }, 0.0);
}

#[test]
fn lasso_and_elastic_net_paths_are_the_cold_fits() {
    let data = breast_cancer();
    for solver in [Solver::Cd, Solver::OwlQn] {
        check_path(&data, FitParams { solver, standardize: true, ..FitParams::default() }, 1.0);
        check_path(&data, FitParams { solver, ..FitParams::default() }, 0.5);
    }
}

/// 100k rows: every fit's hessian is estimated from a sample, and each point after the first
/// starts from the previous point's estimate (its l2 terms swapped): still the cold fits, for
/// newton (ridge, raw and standardised penalties) and proximal newton (l1 screened and not).
#[test]
fn paths_with_sampled_hessians_are_the_cold_fits() {
    let data = common::k_classes(100_000, 6, 2, 11);
    check_path(&data, FitParams { solver: Solver::Newton, ..FitParams::default() }, 0.0);
    check_path(&data, FitParams { solver: Solver::Newton, standardize: true, ..FitParams::default() }, 0.0);
    check_path(&data, FitParams { solver: Solver::Cd, standardize: true, ..FitParams::default() }, 1.0);
    check_path(&data, FitParams { solver: Solver::Cd, screening: false, ..FitParams::default() }, 0.5);
}

/// wide data with a sparse truth (8 of 200 features), where the strong rule keeps few
/// features at most points: screened points are the cold fits and the unscreened points, and
/// so are the screened folds of cross-validation (rows left out of the working set).
#[test]
fn screened_lasso_paths_and_folds_are_the_unscreened_ones() {
    use logreg::solve::CvParams;
    use logreg::synthetic::Synthetic;
    let dense =
        Synthetic { n_rows: 1000, n_cols: 200, n_informative: 8, seed: 11, ..Synthetic::default() }.generate().unwrap();
    for data in [dense.clone(), dense.to_sparse()] {
        for solver in [Solver::Cd, Solver::OwlQn] {
            let base = FitParams { solver, standardize: true, ..FitParams::default() };
            if !data.is_sparse() {
                check_path(&data, base.clone(), 1.0);
            }
            let (screened, plain) =
                (base.clone().check().unwrap(), FitParams { screening: false, ..base }.check().unwrap());
            let top = screened.lambda_max(&ReferenceBackend, &data, 0.8).unwrap();
            let grid = penalty_grid(top, 0.03, 8, 0.8).unwrap();
            let a = screened.fit_path(&ReferenceBackend, &data, &grid, &Silent).unwrap();
            let b = plain.fit_path(&ReferenceBackend, &data, &grid, &Silent).unwrap();
            for (x, y) in a.iter().zip(&b) {
                let (fa, fb) = (x.report.objective, y.report.objective);
                assert!((fa - fb).abs() <= 1e-10 * fb, "{solver}: {fa} vs {fb}");
                let zeros = |w: &[f64]| w.iter().map(|&v| v == 0.0).collect::<Vec<_>>();
                assert_eq!(zeros(&x.coefficients), zeros(&y.coefficients), "{solver}: active sets");
            }
            // most of the path has fewer nonzeros than a quarter of the features, where points are
            // fitted on working sets
            assert!(a.iter().filter(|m| m.coefficients.iter().filter(|&&w| w != 0.0).count() < 50).count() >= 5);
            let cv = CvParams { folds: 3, ..CvParams::default() };
            let ra = screened.cross_validate(&ReferenceBackend, &data, &grid, &cv, &Silent).unwrap();
            let rb = plain.cross_validate(&ReferenceBackend, &data, &grid, &cv, &Silent).unwrap();
            for (fa, fb) in ra.scores.iter().flatten().zip(rb.scores.iter().flatten()) {
                assert!((fa - fb).abs() <= 1e-7 * fb, "{solver}: fold score {fa} vs {fb}");
            }
        }
    }
}

#[test]
fn lambda_max_is_where_the_lasso_starts() {
    let data = breast_cancer();
    let params = FitParams { standardize: true, ..FitParams::default() }.check().unwrap();
    let top = params.lambda_max(&ReferenceBackend, &data, 1.0).unwrap();
    let fit = |l1: f64| {
        FitParams { l1, l2: 0.0, standardize: true, solver: Solver::Cd, ..FitParams::default() }
            .check()
            .unwrap()
            .fit(&ReferenceBackend, &data, &mut Silent)
            .unwrap()
    };
    assert!(fit(top * 1.0001).coefficients.iter().all(|&w| w == 0.0));
    assert_eq!(fit(top * 0.98).coefficients.iter().filter(|&&w| w != 0.0).count(), 1);
    // a grid runs geometrically from the top down, split by the mixing
    let grid = penalty_grid(2.0, 0.01, 3, 0.25).unwrap();
    let lambdas: Vec<f64> = grid.iter().map(|p| p.l1() + p.l2()).collect();
    assert!((lambdas[0] - 2.0).abs() < 1e-15 && (lambdas[1] - 0.2).abs() < 1e-15 && (lambdas[2] - 0.02).abs() < 1e-15);
    assert!((grid[0].l1() - 0.5).abs() < 1e-15);
    assert!(penalty_grid(1.0, 1.5, 3, 0.5).is_err());
}

/// cross-validation scores are those of models fitted on explicitly copied folds, and do not
/// depend on the thread count.
#[test]
fn cross_validation_scores_are_those_of_copied_folds() {
    use logreg::solve::{CvParams, Scoring};
    let data = breast_cancer();
    let base = FitParams { standardize: true, ..FitParams::default() };
    let params = base.clone().check().unwrap();
    let grid = penalty_grid(params.lambda_max(&ReferenceBackend, &data, 0.0).unwrap(), 1e-4, 6, 0.0).unwrap();
    let cv = CvParams { folds: 4, repeats: 1, seed: 3, scoring: Scoring::LogLoss };
    let result = params.cross_validate(&ReferenceBackend, &data, &grid, &cv, &Silent).unwrap();
    assert_eq!(result.folds.len(), 4);
    for (f, held_out) in result.folds.iter().enumerate() {
        let train: Vec<usize> = (0..data.n_rows()).filter(|i| held_out.binary_search(i).is_err()).collect();
        let (train, test) = (data.select_rows(&train), data.select_rows(held_out));
        for (k, penalty) in grid.iter().enumerate() {
            let m = FitParams { l2: penalty.l2(), l1: penalty.l1(), ..base.clone() }
                .check()
                .unwrap()
                .fit(&ReferenceBackend, &train, &mut Silent)
                .unwrap();
            let z = m.decision_function(test.features()).unwrap();
            let score = logreg::metrics::log_loss(test.labels(), &z);
            let got = result.scores[f][k];
            assert!((got - score).abs() <= 1e-7 * score, "fold {f}, penalty {k}: {got} vs {score}");
        }
    }
    // the choice: best mean, and the 1-SE rule at or before it (a larger penalty)
    assert!(result.one_se <= result.best);
    assert!(result.mean.iter().all(|&m| m >= result.mean[result.best]));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let again = one.install(|| params.cross_validate(&ReferenceBackend, &data, &grid, &cv, &Silent)).unwrap();
    assert_eq!(again, result);
    // on every backend: the folds' combined passes (their points as the columns of one matrix
    // product) give the same result on one thread as on many, and the reference's to rounding
    for backend in common::backends() {
        let many = params.cross_validate(backend, &data, &grid, &cv, &Silent).unwrap();
        let alone = one.install(|| params.cross_validate(backend, &data, &grid, &cv, &Silent)).unwrap();
        assert_eq!(alone, many, "{}", backend.name());
        for (a, b) in many.mean.iter().zip(&result.mean) {
            assert!((a - b).abs() <= 1e-9 * b, "{}: {a} vs {b}", backend.name());
        }
    }
    let auc = CvParams { scoring: Scoring::RocAuc, ..cv };
    let by_auc = params.cross_validate(&ReferenceBackend, &data, &grid, &auc, &Silent).unwrap();
    assert!(by_auc.mean.iter().all(|&a| a > 0.9 && a <= 1.0));
}

/// on sparse rows, a path and its cross-validation give what the same data stored densely give
/// (to rounding: the sparse and dense products sum in different orders), on every backend.
#[test]
fn sparse_paths_and_folds_equal_dense_ones() {
    use logreg::solve::CvParams;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text_300x800.svm");
    let sparse = logreg::io::read_libsvm(&path, Some(800), None).unwrap().dataset;
    let dense = sparse.to_dense();
    let params = FitParams::default().check().unwrap();
    let top = params.lambda_max(&ReferenceBackend, &sparse, 0.0).unwrap();
    assert!((top - params.lambda_max(&ReferenceBackend, &dense, 0.0).unwrap()).abs() <= 1e-12 * top);
    let grid = penalty_grid(top, 1e-3, 5, 0.0).unwrap();
    let cv = CvParams { folds: 3, ..CvParams::default() };
    let reference = params.cross_validate(&ReferenceBackend, &dense, &grid, &cv, &Silent).unwrap();
    let backends: Vec<&dyn logreg::Backend> =
        common::backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]).collect();
    for backend in backends {
        let got = params.cross_validate(backend, &sparse, &grid, &cv, &Silent).unwrap();
        assert_eq!((got.best, got.one_se), (reference.best, reference.one_se), "{}", backend.name());
        for (a, b) in got.mean.iter().zip(&reference.mean) {
            assert!((a - b).abs() <= 1e-8 * b, "{}: {a} vs {b}", backend.name());
        }
    }
}

/// the observer hears of every (fold, point) fit once, and stopping it stops the work with
/// `Error::Stopped`.
#[test]
fn observers_hear_every_point_and_can_stop() {
    use std::ops::ControlFlow;
    use std::sync::Mutex;

    use logreg::solve::CvParams;
    use logreg::{Error, PointObserver};

    struct Record(Mutex<Vec<(usize, usize)>>, usize);
    impl PointObserver for Record {
        fn on_point(&self, fold: usize, point: usize) -> ControlFlow<()> {
            let mut seen = self.0.lock().unwrap();
            seen.push((fold, point));
            if seen.len() >= self.1 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        }
    }
    let data = breast_cancer();
    let params = FitParams { standardize: true, ..FitParams::default() }.check().unwrap();
    let grid = penalty_grid(params.lambda_max(&ReferenceBackend, &data, 0.0).unwrap(), 1e-2, 4, 0.0).unwrap();
    let cv = CvParams { folds: 3, ..CvParams::default() };
    let all = Record(Mutex::new(Vec::new()), usize::MAX);
    params.cross_validate(&ReferenceBackend, &data, &grid, &cv, &all).unwrap();
    let seen = all.0.into_inner().unwrap();
    // each fold's points arrive in path order, every fold's once
    for f in 0..3 {
        let points: Vec<usize> = seen.iter().filter(|p| p.0 == f).map(|p| p.1).collect();
        assert_eq!(points, vec![0, 1, 2, 3], "fold {f}");
    }
    assert_eq!(seen.len(), 12);
    let stop = Record(Mutex::new(Vec::new()), 2);
    match params.fit_path(&ReferenceBackend, &data, &grid, &stop) {
        Err(Error::Stopped { done: 2, total: 4 }) => {}
        other => panic!("expected a stop after 2 of 4 points, got {other:?}"),
    }
    assert_eq!(stop.0.into_inner().unwrap(), vec![(0, 0), (0, 1)]);
    let stop = Record(Mutex::new(Vec::new()), 1);
    assert!(matches!(
        params.cross_validate(&ReferenceBackend, &data, &grid, &cv, &stop),
        Err(Error::Stopped { total: 12, .. })
    ));
}

fn iris() -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/iris.csv");
    read_csv(&path, &CsvOptions { target: Some("species".into()), ..Default::default() }).unwrap().dataset
}

/// K classes: each point of a multinomial path (ridge, lasso by `cd` and `owl-qn`, elastic net) is
/// the cold multinomial fit at its penalty (objective 1e-10 relative, the same zeros), and the
/// lasso path starts with every coefficient 0 at λ_max and some non-zero just below it.
#[test]
fn multinomial_path_points_are_the_cold_fits() {
    let data = iris();
    assert_eq!(data.n_classes(), 3);
    for (solver, l1_ratio) in [(Solver::Auto, 0.0), (Solver::Cd, 1.0), (Solver::OwlQn, 1.0), (Solver::Auto, 0.5)] {
        let base = FitParams { solver, standardize: true, ..FitParams::default() };
        let params = base.clone().check().unwrap();
        let top = params.multinomial_lambda_max(&ReferenceBackend, &data, l1_ratio).unwrap();
        let grid = penalty_grid(top, 1e-3, 8, l1_ratio).unwrap();
        let path = params.fit_multinomial_path(&ReferenceBackend, &data, &grid, &Silent).unwrap();
        for (model, penalty) in path.iter().zip(&grid) {
            let cold = FitParams { l2: penalty.l2(), l1: penalty.l1(), ..base.clone() }
                .check()
                .unwrap()
                .fit_multinomial(&ReferenceBackend, &data, &mut Silent)
                .unwrap();
            assert!(model.report.converged, "{solver} {penalty:?}: {:?}", model.report);
            let (a, b) = (model.report.objective, cold.report.objective);
            assert!((a - b).abs() <= 1e-10 * b.abs(), "{solver} {penalty:?}: path {a} vs cold {b}");
            let zeros =
                |m: &logreg::MultinomialModel| m.coefficients.concat().iter().map(|&v| v == 0.0).collect::<Vec<_>>();
            assert_eq!(zeros(model), zeros(&cold), "{solver} {penalty:?}: active sets");
        }
        if l1_ratio == 1.0 {
            assert!(path[0].coefficients.concat().iter().all(|&w| w == 0.0));
            assert!(path[1].coefficients.concat().iter().any(|&w| w != 0.0));
        }
    }
}

/// K classes: cross-validation scores (log-loss, accuracy, one-vs-rest ROC AUC) are those of
/// multinomial models fitted on explicitly copied folds.
#[test]
fn multinomial_cross_validation_scores_are_those_of_copied_folds() {
    use logreg::solve::{CvParams, Scoring};
    let data = iris();
    let base = FitParams { standardize: true, ..FitParams::default() };
    let params = base.clone().check().unwrap();
    let top = params.multinomial_lambda_max(&ReferenceBackend, &data, 0.0).unwrap();
    let grid = penalty_grid(top, 1e-4, 5, 0.0).unwrap();
    for scoring in [Scoring::LogLoss, Scoring::Accuracy, Scoring::RocAuc] {
        let cv = CvParams { folds: 3, repeats: 1, seed: 1, scoring };
        let result = params.cross_validate(&ReferenceBackend, &data, &grid, &cv, &Silent).unwrap();
        for (f, held_out) in result.folds.iter().enumerate() {
            // every class in every fold, in its share (50 rows each: 16 or 17 per fold)
            for c in 0..3 {
                let n = held_out.iter().filter(|&&i| data.labels()[i] == c as f64).count();
                assert!((16..=17).contains(&n), "fold {f}, class {c}: {n}");
            }
            let train: Vec<usize> = (0..data.n_rows()).filter(|i| held_out.binary_search(i).is_err()).collect();
            let (train, test) = (data.select_rows(&train), data.select_rows(held_out));
            for (k, penalty) in grid.iter().enumerate() {
                let m = FitParams { l2: penalty.l2(), l1: penalty.l1(), ..base.clone() }
                    .check()
                    .unwrap()
                    .fit_multinomial(&ReferenceBackend, &train, &mut Silent)
                    .unwrap();
                let metrics = m.metrics(test.features(), test.labels()).unwrap();
                let want = match scoring {
                    Scoring::LogLoss => metrics.log_loss(),
                    Scoring::Accuracy => metrics.accuracy(),
                    Scoring::RocAuc => {
                        let p = m.predict_proba(test.features()).unwrap();
                        let aucs: Vec<f64> = (0..3)
                            .map(|c| {
                                let is_c: Vec<f64> =
                                    test.labels().iter().map(|&y| f64::from(u8::from(y == c as f64))).collect();
                                let pc: Vec<f64> = p.chunks_exact(3).map(|r| r[c]).collect();
                                logreg::metrics::roc_auc(&is_c, &pc).unwrap()
                            })
                            .collect();
                        aucs.iter().sum::<f64>() / 3.0
                    }
                };
                let got = result.scores[f][k];
                assert!(
                    (got - want).abs() <= 1e-7 * want.abs().max(1e-3),
                    "{scoring:?} fold {f}, penalty {k}: {got} vs {want}"
                );
            }
        }
    }
}

/// given folds that cannot be fitted or scored are errors naming the fold, not NaN scores.
#[test]
fn given_folds_are_checked() {
    use logreg::solve::{Scoring, folds_of_ids};
    let data = breast_cancer();
    let params = FitParams { standardize: true, ..FitParams::default() }.check().unwrap();
    let grid = penalty_grid(params.lambda_max(&ReferenceBackend, &data, 0.0).unwrap(), 1e-2, 3, 0.0).unwrap();
    let run = |folds: Vec<Vec<usize>>, scoring| {
        params.cross_validate_folds(&ReferenceBackend, &data, &grid, folds, scoring, &Silent).unwrap_err().to_string()
    };
    // fold numbers need not be consecutive; a huge one is fine
    assert_eq!(folds_of_ids(&[7, usize::MAX, 7, 0]), vec![vec![3], vec![0, 2], vec![1]]);
    let positives: Vec<usize> = (0..data.n_rows()).filter(|&i| data.labels()[i] == 1.0).collect();
    let negatives: Vec<usize> = (0..data.n_rows()).filter(|&i| data.labels()[i] == 0.0).collect();
    let e = run(vec![positives.clone(), negatives[..10].to_vec()], Scoring::LogLoss);
    assert!(e.contains("fold 0 holds out every row of class 1"), "{e}");
    let e = run(vec![positives[..10].to_vec(), negatives[..10].to_vec()], Scoring::RocAuc);
    assert!(e.contains("fold 0 holds out no row of class 0"), "{e}");
    let e = run(vec![vec![0, 1], vec![data.n_rows()]], Scoring::LogLoss);
    assert!(e.contains("fold 1 names row 569"), "{e}");
    // the same folds scored by log-loss are fine
    params
        .cross_validate_folds(
            &ReferenceBackend,
            &data,
            &grid,
            vec![positives[..10].to_vec(), negatives[..10].to_vec()],
            Scoring::LogLoss,
            &Silent,
        )
        .unwrap();
}
