//! sparse (csr) data: every solver on every backend fits the same model from sparse storage as
//! from dense storage of the same data; the hessian–vector product behind newton-cg matches
//! finite differences of the gradient; fits without intercept agree across solvers; sparse fits
//! are bit-identical for any thread count.

mod common;

use common::{assert_same_optimum, backends, datasets, max_abs, model_theta as theta, with_zeros};
use logreg::{Dataset, FitParams, Model, Objective, Penalty, ReferenceBackend, Silent, Solver, Standardizer};
use proptest::prelude::*;

fn all_backends() -> Vec<&'static dyn logreg::Backend> {
    backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]).collect()
}

fn fit(data: &Dataset, params: &FitParams, backend: &dyn logreg::Backend) -> Model {
    params.clone().check().unwrap().fit(backend, data, &mut Silent).unwrap()
}

/// usable binary data: enough rows, both classes, moderate scales, a third of the entries zero.
fn usable(data: &Dataset, seed: u64) -> Option<Dataset> {
    let x = data.dense_features().unwrap();
    let ok = data.n_rows() >= 10
        && data.class_weights().0 > 0.0
        && data.class_weights().1 > 0.0
        && x.data().iter().all(|v| v.abs() < 1e4);
    ok.then(|| with_zeros(data, seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// each exact solver on each backend, from csr storage, reaches the optimum newton finds on
    /// the dense storage (the reference backend): objective to 1e-10 relative, coefficients to
    /// 1e-6 of the largest (the tolerances of `exact_solvers_agree`: both fits converge to a
    /// scaled gradient of 1e-10, and sparse and dense products differ only in rounding).
    #[test]
    fn sparse_storage_fits_the_dense_optimum(data in datasets(300, 10), seed in any::<u64>(), log_l2 in -4.0f64..-1.0, standardize in any::<bool>(), intercept in any::<bool>()) {
        let Some(data) = usable(&data, seed) else { return Ok(()) };
        let sparse = data.to_sparse();
        let base = FitParams { l2: 10f64.powf(log_l2), standardize, fit_intercept: intercept, tol: 1e-10, ..FitParams::default() };
        let reference = fit(&data, &FitParams { solver: Solver::Newton, ..base.clone() }, &ReferenceBackend);
        prop_assert!(reference.report.converged, "{:?}", reference.report);
        if !intercept {
            prop_assert_eq!(reference.intercept, 0.0);
        }
        for backend in all_backends() {
            // (dual-cd is held to the same optimum on text-like data, its domain, below: on raw
            // features of scale 1e3 its dual is ill-conditioned — `a·C` ~ ‖x‖²/(l2·n) — and
            // crawls, as LIBLINEAR's -s 7 does)
            for solver in [Solver::Newton, Solver::Lbfgs, Solver::NewtonCg, Solver::Cd] {
                let m = fit(&sparse, &FitParams { solver, max_iter: Some(100_000), ..base.clone() }, backend);
                assert_same_optimum(&m, &reference, &format!("{solver} on sparse {} (intercept {intercept})", backend.name()));
            }
        }
    }

    /// `H·v` from two passes over the rows equals the central difference of the gradient along
    /// `v`: `(∇J(θ + εv) − ∇J(θ − εv)) / 2ε`, whose error is `O(ε²·‖∇³J‖) + O(ε_mach/ε)`; with
    /// ε = 1e-5 both are below 1e-7 of the scale `‖H‖·‖v‖` at these magnitudes.
    #[test]
    fn hessian_vector_products_match_finite_differences(data in datasets(200, 8), seed in any::<u64>(), sparse in any::<bool>(), intercept in any::<bool>()) {
        let Some(data) = usable(&data, seed) else { return Ok(()) };
        let data = if sparse { data.to_sparse() } else { data };
        let stats = Standardizer::fit(&data);
        let scaling = if intercept { stats } else { stats.uncentred() };
        let mut obj = Objective::with_scaling(&ReferenceBackend, data.as_ref(), Penalty::new(1e-2, 0.0).unwrap(), scaling, false).unwrap();
        if !intercept {
            obj = obj.without_intercept().unwrap();
        }
        let k = data.n_cols() + 1;
        let mut rng = logreg::rng::Rng::new(seed);
        let mut t: Vec<f64> = (0..k).map(|_| 0.5 * rng.normal()).collect();
        let v: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        if !intercept {
            t[0] = 0.0;
        }
        let mut g = vec![0.0; k];
        obj.smooth_value_grad(&t, &mut g);
        obj.keep_curvature();
        let mut hv = vec![0.0; k];
        obj.hess_vec(&v, &mut hv);
        let eps = 1e-5;
        let (mut up, mut down) = (vec![0.0; k], vec![0.0; k]);
        let tp: Vec<f64> = t.iter().zip(&v).map(|(a, b)| a + eps * b).collect();
        let tm: Vec<f64> = t.iter().zip(&v).map(|(a, b)| a - eps * b).collect();
        obj.smooth_value_grad(&tp, &mut up);
        obj.smooth_value_grad(&tm, &mut down);
        let scale = max_abs(&hv).max(1e-3) * max_abs(&v);
        for j in 0..k {
            let fd = (up[j] - down[j]) / (2.0 * eps);
            prop_assert!((hv[j] - fd).abs() <= 1e-6 * scale, "(Hv)[{j}] = {} vs finite difference {fd}", hv[j]);
        }
        if !intercept {
            prop_assert_eq!(hv[0], 0.0);
        }
    }
}

/// dual-cd on generated text-like data (l2-normalised tf-idf rows, wider than long), every
/// backend, penalty on either scale, with sample weights or not, from csr and dense storage:
/// the optimum newton-cg finds (objective to 1e-10, coefficients to 1e-6 of the largest, as
/// `sparse_storage_fits_the_dense_optimum`).
#[test]
fn dual_cd_reaches_the_optimum_on_text_like_data() {
    use logreg::synthetic_text::SparseText;
    let data =
        SparseText { n_rows: 400, n_cols: 1500, nnz_per_row: 30, seed: 5, ..SparseText::default() }.generate().unwrap();
    let n = data.n_rows();
    let weighted = data.clone().with_weights((0..n).map(|i| 0.5 + (i % 3) as f64).collect()).unwrap();
    for (data, what) in [(&data, "unweighted"), (&weighted, "weighted")] {
        for standardize in [false, true] {
            let base =
                FitParams { l2: 1.0 / n as f64, standardize, fit_intercept: false, tol: 1e-10, ..FitParams::default() };
            let reference = fit(data, &FitParams { solver: Solver::NewtonCg, ..base.clone() }, &ReferenceBackend);
            for backend in all_backends() {
                for storage in [data.clone(), data.to_dense()] {
                    let m = fit(&storage, &FitParams { solver: Solver::DualCd, ..base.clone() }, backend);
                    let label = format!(
                        "dual-cd on {} ({what}, standardize {standardize}, sparse {})",
                        backend.name(),
                        storage.is_sparse()
                    );
                    assert_same_optimum(&m, &reference, &label);
                }
            }
        }
    }
}

/// dual-cd on text-like data wider than its cached width (its columns renumbered by frequency):
/// the optimum newton-cg finds, penalty on either scale, as above.
#[test]
fn dual_cd_reaches_the_optimum_with_renumbered_columns() {
    use logreg::synthetic_text::SparseText;
    let data = SparseText { n_rows: 300, n_cols: 100_000, nnz_per_row: 40, seed: 9, ..SparseText::default() }
        .generate()
        .unwrap();
    let n = data.n_rows();
    for standardize in [false, true] {
        let base =
            FitParams { l2: 1.0 / n as f64, standardize, fit_intercept: false, tol: 1e-10, ..FitParams::default() };
        let reference = fit(&data, &FitParams { solver: Solver::NewtonCg, ..base.clone() }, &ReferenceBackend);
        let m = fit(&data, &FitParams { solver: Solver::DualCd, ..base.clone() }, &ReferenceBackend);
        assert_same_optimum(&m, &reference, &format!("dual-cd, 100k columns, standardize {standardize}"));
    }
}

/// a sparse fit is bit-for-bit the same on 1 and 2 threads, with every exact solver (owl-qn
/// with an l1 penalty).
#[test]
fn sparse_fits_do_not_depend_on_thread_count() {
    let data = with_zeros(&common::k_classes(3000, 40, 2, 5), 3).to_sparse();
    for solver in [Solver::Newton, Solver::Lbfgs, Solver::NewtonCg, Solver::OwlQn, Solver::DualCd] {
        let l1 = if solver == Solver::OwlQn { 1e-3 } else { 0.0 };
        let fit_intercept = solver != Solver::DualCd;
        let params = FitParams { solver, l2: 1e-3, l1, fit_intercept, ..FitParams::default() };
        let models: Vec<Model> = [1, 2]
            .iter()
            .map(|&t| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                pool.install(|| fit(&data, &params, &ReferenceBackend))
            })
            .collect();
        assert_eq!(theta(&models[0]), theta(&models[1]), "{solver}");
    }
}

/// `auto` picks newton-cg for sparse data too wide for newton's hessian, and newton-cg, l-bfgs
/// and newton agree there (a model newton can still afford at this width); without intercept
/// and with more columns than rows it picks dual-cd, which lands on the same optimum.
#[test]
fn auto_uses_newton_cg_on_wide_sparse_data() {
    // text-like rows: dual-cd converges; raw gaussian columns: its dual crawls, and after its
    // sweeps newton-cg finishes from its point — the same optimum either way
    let text = logreg::synthetic_text::SparseText { n_rows: 300, n_cols: 1000, nnz_per_row: 20, ..Default::default() }
        .generate()
        .unwrap();
    let raw = with_zeros(&common::k_classes(300, 400, 2, 4), 2).to_sparse();
    for (data, solver) in [(&text, "dual-cd"), (&raw, "dual-cd, then newton-cg")] {
        let base = FitParams { l2: 1e-2, fit_intercept: false, tol: 1e-10, ..FitParams::default() };
        assert_eq!(base.clone().check().unwrap().solver_for(data), Solver::DualCd);
        let auto = fit(data, &base, &ReferenceBackend);
        let newton = fit(data, &FitParams { solver: Solver::NewtonCg, ..base.clone() }, &ReferenceBackend);
        assert_eq!(auto.report.solver, solver);
        assert!(auto.report.converged, "{:?}", auto.report);
        let diff = theta(&auto).iter().zip(theta(&newton)).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(diff <= 1e-6 * max_abs(&theta(&newton)), "{solver} vs newton-cg: {diff:e}");
    }
    let e = FitParams { solver: Solver::DualCd, l2: 1e-2, ..FitParams::default() }.check().unwrap_err().to_string();
    assert!(e.contains("dual-cd") && e.contains("without intercept"), "{e}");
    assert_eq!(Solver::Auto.resolve_for(677_000, 47_000, true, Penalty::new(1e-6, 0.0).unwrap()), Solver::NewtonCg);
    assert_eq!(Solver::Auto.resolve_for(677_000, 47_000, false, Penalty::new(1e-6, 0.0).unwrap()), Solver::Lbfgs);
    let data = with_zeros(&common::k_classes(2000, 300, 2, 9), 1).to_sparse();
    let base = FitParams { l2: 1e-3, tol: 1e-10, ..FitParams::default() };
    assert_eq!(base.clone().check().unwrap().solver_for(&data), Solver::Newton);
    let cg = fit(&data, &FitParams { solver: Solver::NewtonCg, ..base.clone() }, &ReferenceBackend);
    let newton = fit(&data, &FitParams { solver: Solver::Newton, ..base }, &ReferenceBackend);
    assert!(cg.report.converged && newton.report.converged, "{:?}\n{:?}", cg.report, newton.report);
    let diff = theta(&cg).iter().zip(theta(&newton)).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(diff <= 1e-6 * max_abs(&theta(&newton)), "newton-cg vs newton: {diff:e}");
}

/// scikit-learn's `LogisticRegression` on the same csr matrix (tests/fixtures/sklearn_sparse.json,
/// made by make_sparse_fixtures.py: newton-cg for l2, saga for l1, each at tol 1e-12 and verified
/// there by its gradient or kkt norm ≤ 1e-9): with and without intercept, every solver for the
/// penalty on every backend, coefficients to 1e-6 of the largest (our fits stop at a scaled
/// gradient of 1e-10; the optimum moves by about that over the smallest curvature).
#[test]
fn sparse_fits_match_scikit_learn() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/fixtures/sklearn_sparse.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = fixture["n_features"].as_u64().unwrap() as usize;
    let data = logreg::io::read_libsvm(&root.join(fixture["data"].as_str().unwrap()), Some(d), None).unwrap().dataset;
    assert!(data.is_sparse());
    for case in fixture["cases"].as_array().unwrap() {
        let number = |k: &str| case[k].as_f64().unwrap();
        let (l2, l1) = (number("l2"), number("l1"));
        let intercept = case["fit_intercept"].as_bool().unwrap();
        let want: Vec<f64> = std::iter::once(number("intercept"))
            .chain(case["coefficients"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
            .collect();
        let solvers: &[Solver] = if l1 > 0.0 {
            &[Solver::Auto, Solver::OwlQn, Solver::Cd]
        } else {
            &[Solver::Auto, Solver::NewtonCg, Solver::Lbfgs, Solver::Newton, Solver::DualCd]
        };
        for backend in all_backends() {
            for &solver in solvers.iter().filter(|&&s| !(intercept && s == Solver::DualCd)) {
                let params = FitParams { solver, l2, l1, fit_intercept: intercept, tol: 1e-10, ..FitParams::default() };
                let m = fit(&data, &params, backend);
                let what = format!("{solver} on {} (l2 {l2}, l1 {l1}, intercept {intercept})", backend.name());
                assert!(m.report.converged, "{what}: {:?}", m.report);
                let got = theta(&m);
                let scale = max_abs(&want);
                let worst = got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0.0, f64::max);
                assert!(worst <= 1e-6 * scale, "{what}: coefficients differ by {worst:e} (largest {scale})");
                if l1 > 0.0 {
                    let zeros = |t: &[f64]| t[1..].iter().filter(|v| **v == 0.0).count();
                    assert_eq!(zeros(&got), zeros(&want), "{what}: the same number of exact zeros");
                }
            }
        }
    }
}

/// scipy's `save_npz` (compressed, zip64 headers) with labels in a `.npy` reads the same data as
/// the libsvm file it was made from (make_sparse_fixtures.py).
#[test]
fn scipy_npz_reads_the_same_data_as_libsvm() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let npz =
        logreg::io::npz::read_npz(&root.join("text_300x800.npz"), &root.join("text_300x800_labels.npy"), None).unwrap();
    let svm = logreg::io::read_libsvm(&root.join("text_300x800.svm"), Some(800), None).unwrap();
    assert_eq!(npz.dataset, svm.dataset);
    assert_eq!(npz.classes, svm.classes);
}
