//! the multinomial model: published statsmodels `MNLogit` results (anes96), agreement of every
//! solver and backend, the two-class case against the binary model, and its error cases.

mod common;

use common::{backends, k_classes};
use logreg::io::{CsvOptions, read_csv};
use logreg::synthetic::MakeClassification;
use logreg::{Dataset, Error, FitParams, MultinomialModel, ReferenceBackend, Silent, Solver};

fn load(path: &str, target: &str) -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    read_csv(&path, &CsvOptions { target: Some(target.into()), ..Default::default() }).unwrap().dataset
}

fn all_backends() -> Vec<&'static dyn logreg::Backend> {
    backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]).collect()
}

fn fit(data: &Dataset, params: FitParams, backend: &dyn logreg::Backend) -> MultinomialModel {
    let m = params.clone().check().unwrap().fit_multinomial(backend, data, &mut Silent).unwrap();
    assert!(m.report.converged, "{params:?} on {}: {:?}", backend.name(), m.report);
    m
}

/// statsmodels `MNLogit(PID, add_constant(X))` on anes96, from data/README.md: coefficients to
/// the published 6 decimals (the figures' rounding, 5e-7, or 1e-6 relative), standard errors to
/// 1e-4 relative, log-likelihood to 1e-6.
#[test]
fn anes96_matches_statsmodels_mnlogit() {
    let data = load("data/anes96.csv", "PID");
    assert_eq!(data.n_classes(), 7);
    #[rustfmt::skip]
    let coef: [[f64; 6]; 6] = [
        [-0.373402, -2.250913, -3.665584, -7.613843, -7.060478, -12.105751],
        [-0.011536, -0.088751, -0.105967, -0.091557, -0.093285, -0.140881],
        [0.297714, 0.391669, 0.573451, 1.278772, 1.346962, 2.070080],
        [-0.024945, -0.022898, -0.014851, -0.008681, -0.017904, -0.009433],
        [0.082491, 0.181043, -0.007152, 0.199828, 0.216939, 0.321926],
        [0.005197, 0.047874, 0.057575, 0.084498, 0.080958, 0.108894],
    ];
    #[rustfmt::skip]
    let se: [[f64; 6]; 6] = [
        [0.629838, 0.763190, 1.156541, 0.957581, 0.844364, 1.059955],
        [0.034282, 0.039162, 0.057038, 0.043790, 0.039352, 0.042138],
        [0.093627, 0.108239, 0.158548, 0.128897, 0.117186, 0.143409],
        [0.006525, 0.007914, 0.011331, 0.008419, 0.007611, 0.008134],
        [0.073587, 0.085289, 0.126291, 0.094125, 0.085007, 0.091098],
        [0.017634, 0.022281, 0.033614, 0.026196, 0.022976, 0.025301],
    ];
    for backend in all_backends() {
        for solver in [Solver::Auto, Solver::Newton, Solver::NewtonCg, Solver::Lbfgs] {
            let m = fit(&data, FitParams { solver, tol: 1e-10, ..FitParams::default() }, backend);
            let what = format!("{solver} on {}", backend.name());
            assert!(m.reference_class);
            assert_eq!(m.intercepts[0], 0.0);
            let inference = m.inference.as_ref().expect("unpenalised fits carry inference");
            for c in 1..7 {
                let got: Vec<f64> = std::iter::once(m.intercepts[c]).chain(m.coefficients[c].iter().copied()).collect();
                for (term, g) in got.iter().enumerate() {
                    let want = coef[term][c - 1];
                    let tol = (1e-6 * want).abs().max(5e-7);
                    assert!((g - want).abs() <= tol, "{what}: class {c} term {term}: {g} vs {want}");
                    let s = inference[c - 1].terms[term].std_error;
                    let want_se = se[term][c - 1];
                    assert!(
                        (s - want_se).abs() <= 1e-4 * want_se,
                        "{what}: se class {c} term {term}: {s} vs {want_se}"
                    );
                }
            }
            let log_likelihood = -m.report.objective * 944.0;
            assert!((log_likelihood + 1461.922747).abs() < 1e-6, "{what}: log-likelihood {log_likelihood}");
        }
    }
}

/// every solver on every backend, on dense and (newton-cg, lbfgs) sparse storage of the same
/// data, reaches the same optimum: objective to 1e-10 relative and probabilities to 1e-8 (the
/// tolerance 1e-10 on the scaled gradient bounds the distance to the optimum by about tol /
/// smallest curvature).
#[test]
fn every_solver_and_backend_lands_on_the_same_optimum() {
    let data = k_classes(3000, 8, 5, 11);
    let x = data.dense_features().unwrap();
    let sigmas: Vec<f64> = (0..8)
        .map(|j| {
            let mean = (0..3000).map(|i| x.row(i)[j]).sum::<f64>() / 3000.0;
            ((0..3000).map(|i| (x.row(i)[j] - mean).powi(2)).sum::<f64>() / 3000.0).sqrt()
        })
        .collect();
    for (l2, standardize) in [(1e-3, false), (1e-2, true)] {
        let reference = fit(
            &data,
            FitParams { solver: Solver::Newton, l2, standardize, tol: 1e-11, ..FitParams::default() },
            &ReferenceBackend,
        );
        let p_ref = reference.predict_proba(data.features()).unwrap();
        let sparse = data.to_sparse();
        let runs = [
            (Solver::Auto, &data),
            (Solver::Newton, &data),
            (Solver::NewtonCg, &data),
            (Solver::Lbfgs, &data),
            (Solver::NewtonCg, &sparse),
            (Solver::Lbfgs, &sparse),
        ];
        for backend in all_backends() {
            for (solver, storage) in runs {
                let params = FitParams { solver, l2, standardize, tol: 1e-10, ..FitParams::default() };
                let m = fit(storage, params, backend);
                let what = format!(
                    "l2 {l2} standardize {standardize}: {solver} on {} (sparse {})",
                    backend.name(),
                    storage.is_sparse()
                );
                let rel = (m.report.objective - reference.report.objective).abs() / reference.report.objective;
                assert!(rel <= 1e-10, "{what}: objective {} vs {}", m.report.objective, reference.report.objective);
                let p = m.predict_proba(data.features()).unwrap();
                let worst = p.iter().zip(&p_ref).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                assert!(worst <= 1e-8, "{what}: probabilities differ by {worst:e}");
                // symmetric parametrisation: the l2 optimum's coefficients sum to 0 over classes.
                // the solvers work on θ_cj = σⱼ·w_cj (exact solvers scale every column); the
                // data part of the gradient sums to 0 over classes, so Σ_c ∂/∂θ_cj is
                // l2·Σ_c w_cj / σⱼ (penalty on w) or l2·Σ_c θ_cj (on θ, --standardize), and a
                // stop at gradient max-norm ≤ tol bounds |Σ_c w_cj| by K·tol·σⱼ/l2 or
                // K·tol/(l2·σⱼ)
                for (j, sigma) in sigmas.iter().enumerate() {
                    let sum: f64 = m.coefficients.iter().map(|w| w[j]).sum();
                    let scale = if standardize { 1.0 / sigma } else { *sigma };
                    let bound = 5.0 * 1e-10 / l2 * scale;
                    assert!(sum.abs() <= bound * (1.0 + 1e-6), "{what}: Σ_c w_c{j} = {sum} (bound {bound:e})");
                }
            }
        }
    }
}

/// with two classes the multinomial model is the binary one: `w = w₁ − w₀`, `b = b₁ − b₀`, and
/// the symmetric penalty `l2/2·(‖w₀‖² + ‖w₁‖²)` equals the binary `l2/4·‖w‖²` (half the strength).
#[test]
fn two_classes_equal_the_binary_model_with_half_the_penalty() {
    let data = MakeClassification {
        n_samples: 2000,
        n_features: 6,
        n_informative: 4,
        n_redundant: 0,
        seed: 5,
        ..Default::default()
    }
    .generate()
    .unwrap();
    for backend in all_backends() {
        for l2 in [0.0, 1e-2] {
            let mn = fit(&data, FitParams { l2, tol: 1e-11, ..FitParams::default() }, backend);
            let binary = FitParams { l2: l2 / 2.0, tol: 1e-11, ..FitParams::default() }
                .check()
                .unwrap()
                .fit(backend, &data, &mut Silent)
                .unwrap();
            let b = mn.intercepts[1] - mn.intercepts[0];
            assert!(
                (b - binary.intercept).abs() <= 1e-8 * binary.intercept.abs().max(1.0),
                "{b} vs {}",
                binary.intercept
            );
            for j in 0..6 {
                let w = mn.coefficients[1][j] - mn.coefficients[0][j];
                let want = binary.coefficients[j];
                assert!((w - want).abs() <= 1e-8 * want.abs().max(1.0), "l2 {l2}: w{j} {w} vs {want}");
            }
            if l2 == 0.0 {
                // the reference-class fit's standard errors are the binary model's
                let (a, b) = (&mn.inference.as_ref().unwrap()[0], binary.inference.as_ref().unwrap());
                for (ta, tb) in a.terms.iter().zip(&b.terms) {
                    assert!((ta.std_error - tb.std_error).abs() <= 1e-7 * tb.std_error, "{ta:?} vs {tb:?}");
                }
            }
        }
    }
}

/// elastic net: with two classes the symmetric fit with `(l2, l1)` is the binary fit with
/// `(l2/2, l1)` (the l2 part splits `w = w₁ − w₀` evenly, and then `|w₀| + |w₁| = |w|`); with
/// five classes every backend reaches the same objective and a kkt violation within tolerance,
/// with coefficients exactly zero.
#[test]
fn elastic_net_matches_the_binary_model_and_satisfies_kkt() {
    let two = MakeClassification {
        n_samples: 2000,
        n_features: 8,
        n_informative: 3,
        n_redundant: 0,
        seed: 9,
        ..Default::default()
    }
    .generate()
    .unwrap();
    let (l2, l1) = (1e-2, 2e-2);
    for backend in all_backends() {
        let mn = fit(&two, FitParams { l2, l1, tol: 1e-10, ..FitParams::default() }, backend);
        assert_eq!(mn.report.solver, "cd");
        let binary = FitParams { l2: l2 / 2.0, l1, tol: 1e-10, ..FitParams::default() }
            .check()
            .unwrap()
            .fit(backend, &two, &mut Silent)
            .unwrap();
        for j in 0..8 {
            let w = mn.coefficients[1][j] - mn.coefficients[0][j];
            let want = binary.coefficients[j];
            assert!((w - want).abs() <= 1e-8 * want.abs().max(1.0), "{}: w{j} {w} vs {want}", backend.name());
            assert_eq!(w == 0.0, want == 0.0, "{}: the same zeros (w{j})", backend.name());
        }
    }
    let data = k_classes(3000, 10, 5, 4);
    let reference = fit(&data, FitParams { l2: 1e-3, l1: 5e-3, tol: 1e-10, ..FitParams::default() }, &ReferenceBackend);
    let zeros = reference.coefficients.iter().flatten().filter(|w| **w == 0.0).count();
    assert!(zeros > 5, "an l1 fit has exact zeros: {zeros}");
    let sparse = data.to_sparse();
    for backend in all_backends() {
        for (solver, storage) in [(Solver::Auto, &data), (Solver::OwlQn, &data), (Solver::OwlQn, &sparse)] {
            let m = fit(storage, FitParams { solver, l2: 1e-3, l1: 5e-3, tol: 1e-10, ..FitParams::default() }, backend);
            let what = format!("{solver} on {} (sparse {})", backend.name(), storage.is_sparse());
            assert!(m.report.gradient_norm <= 1e-10, "{what}: kkt {}", m.report.gradient_norm);
            let rel = (m.report.objective - reference.report.objective).abs() / reference.report.objective;
            assert!(rel <= 1e-10, "{what}: objective {} vs {}", m.report.objective, reference.report.objective);
        }
    }
}

/// separation, collinearity and a missing class are errors that name the cause.
#[test]
fn unidentified_fits_are_errors_that_name_the_cause() {
    // class 2 sits apart from the others along x0: separable
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..90 {
        let c = i % 3;
        x.extend([if c == 2 { 10.0 + (i % 7) as f64 } else { (i % 5) as f64 }, ((i * 7) % 11) as f64]);
        y.push(c as f64);
    }
    let sep = Dataset::with_classes(x.clone(), 2, y.clone(), 3).unwrap();
    let err = FitParams::default().check().unwrap().fit_multinomial(&ReferenceBackend, &sep, &mut Silent).unwrap_err();
    assert!(matches!(err, Error::Separation { .. }), "{err}");
    // a column duplicating another
    let mut x2 = Vec::new();
    for (i, row) in x.chunks(2).enumerate() {
        x2.extend([row[1] + (i % 3) as f64 * 0.5, row[1] * 2.0, (i % 4) as f64]);
    }
    let y2: Vec<f64> = (0..90).map(|i| ((i * 5 + i / 7) % 3) as f64).collect();
    let mut x3 = x2.clone();
    for row in x3.chunks_mut(3) {
        row[0] = row[1] * 0.5; // x0 = x1 / 2
    }
    let col = Dataset::with_classes(x3, 3, y2.clone(), 3).unwrap();
    let err = FitParams::default().check().unwrap().fit_multinomial(&ReferenceBackend, &col, &mut Silent).unwrap_err();
    assert!(matches!(&err, Error::Collinearity { columns, .. } if !columns.is_empty()), "{err}");
    // no rows of class 1 (among 3)
    let y4: Vec<f64> = (0..90).map(|i| if i % 2 == 0 { 0.0 } else { 2.0 }).collect();
    let missing = Dataset::with_classes(x2, 3, y4, 3).unwrap();
    let err = FitParams { l2: 0.1, ..FitParams::default() }
        .check()
        .unwrap()
        .fit_multinomial(&ReferenceBackend, &missing, &mut Silent)
        .unwrap_err();
    assert!(err.to_string().contains("class 1 has no rows"), "{err}");
    // the binary fit refuses more than two classes
    let err = FitParams::default().check().unwrap().fit(&ReferenceBackend, &col, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("3 classes"), "{err}");
}

/// scikit-learn 1.9 multinomial `LogisticRegression(C = 1/(l2·n), solver="newton-cholesky",
/// tol=1e-12)` on iris, wine and digits (tests/fixtures/sklearn_multinomial.json, made by
/// make_multinomial_fixtures.py; intercepts centred, as ours): every coefficient within 1e-6 of
/// the largest (relative), probabilities within 1e-6. digits has pixels that are 0 in every
/// image: their coefficients are exactly 0 on both sides.
#[test]
fn iris_wine_digits_match_scikit_learn() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sklearn_multinomial.json"))
        .unwrap();
    let fixtures: serde_json::Value = serde_json::from_str(&text).unwrap();
    let floats =
        |v: &serde_json::Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect() };
    for case in fixtures["cases"].as_array().unwrap() {
        let path = case["data"].as_str().unwrap();
        let data = load(path, case["target"].as_str().unwrap());
        let l2 = case["l2"].as_f64().unwrap();
        let intercepts = floats(&case["intercepts"]);
        let coefs: Vec<Vec<f64>> = case["coefficients"].as_array().unwrap().iter().map(floats).collect();
        let scale = coefs.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let first: Vec<Vec<f64>> = case["first_probabilities"].as_array().unwrap().iter().map(floats).collect();
        for backend in all_backends() {
            for solver in [Solver::Auto, Solver::Newton, Solver::NewtonCg, Solver::Lbfgs] {
                let m = fit(&data, FitParams { solver, l2, tol: 1e-10, ..FitParams::default() }, backend);
                let what = format!("{path} l2={l2}: {solver} on {}", backend.name());
                for (c, (w, want)) in m.coefficients.iter().zip(&coefs).enumerate() {
                    for (j, (a, b)) in w.iter().zip(want).enumerate() {
                        assert!((a - b).abs() <= 1e-6 * scale, "{what}: class {c} coefficient {j}: {a} vs {b}");
                        assert_eq!(*b == 0.0, *a == 0.0, "{what}: zero coefficients agree (class {c}, {j})");
                    }
                    let (a, b) = (m.intercepts[c], intercepts[c]);
                    assert!((a - b).abs() <= 1e-6 * scale.max(1.0), "{what}: intercept {c}: {a} vs {b}");
                }
                let p = m.predict_proba(data.features()).unwrap();
                let k = data.n_classes();
                for (i, row) in first.iter().enumerate() {
                    for c in 0..k {
                        assert!(
                            (p[i * k + c] - row[c]).abs() <= 1e-6,
                            "{what}: p[{i}, {c}] {} vs {}",
                            p[i * k + c],
                            row[c]
                        );
                    }
                }
            }
        }
    }
}

/// balanced class weights are the sample weights `W / (K·W_c)` (scikit-learn's `balanced`).
#[test]
fn balanced_classes_equal_explicit_weights() {
    let data = MakeClassification {
        n_samples: 1500,
        n_features: 5,
        n_informative: 4,
        n_redundant: 0,
        n_classes: 3,
        n_clusters_per_class: 1,
        seed: 8,
        ..Default::default()
    }
    .generate()
    .unwrap();
    // unbalance: drop two thirds of class 2
    let keep: Vec<usize> = (0..1500).filter(|&i| data.labels()[i] != 2.0 || i % 3 == 0).collect();
    let data = data.select_rows(&keep);
    let totals = data.class_totals();
    let n: f64 = totals.iter().sum();
    let weights: Vec<f64> = data.labels().iter().map(|&y| n / (3.0 * totals[y as usize])).collect();
    let weighted = data.clone().with_weights(weights).unwrap();
    let params = FitParams { l2: 1e-3, tol: 1e-11, ..FitParams::default() };
    let balanced =
        fit(&data, FitParams { class_weight: logreg::ClassWeight::Balanced, ..params.clone() }, &ReferenceBackend);
    let explicit = fit(&weighted, params, &ReferenceBackend);
    for (a, b) in balanced.coefficients.iter().flatten().zip(explicit.coefficients.iter().flatten()) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }
}

/// the fit does not depend on the number of threads: blocks and their partial sums are fixed by
/// the data's shape, so 1, 2 and 3 threads give the same model bit for bit (newton, lbfgs, and
/// newton-cg on enough rows that its hessian–vector products come from a sample).
#[test]
fn fits_do_not_depend_on_the_thread_count() {
    let small = k_classes(20_000, 12, 5, 21);
    let sampled = k_classes(100_000, 6, 4, 22);
    for (solver, data) in [(Solver::Newton, &small), (Solver::Lbfgs, &small), (Solver::NewtonCg, &sampled)] {
        let params = FitParams { solver, l2: 1e-4, ..FitParams::default() };
        let models: Vec<MultinomialModel> = [1, 2, 3]
            .iter()
            .map(|&t| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                pool.install(|| fit(data, params.clone(), &ReferenceBackend))
            })
            .collect();
        for m in &models[1..] {
            assert_eq!(m.coefficients, models[0].coefficients, "{solver}");
            assert_eq!(m.intercepts, models[0].intercepts, "{solver}");
        }
    }
}

/// on 100k rows newton-cg's hessian–vector products come from a sample of 20k rows while value
/// and gradient stay exact: it stops at the same optimum as newton (objective 1e-10 relative,
/// probabilities 1e-8, as every solver above), with and without a reference class.
#[test]
fn sampled_newton_cg_lands_on_the_newton_optimum() {
    let data = MakeClassification {
        n_samples: 100_000,
        n_features: 6,
        n_informative: 3,
        n_redundant: 0,
        n_classes: 4,
        n_clusters_per_class: 1,
        seed: 23,
        ..Default::default()
    }
    .generate()
    .unwrap();
    for l2 in [0.0, 1e-5] {
        let at = |solver| FitParams { solver, l2, tol: 1e-10, ..FitParams::default() };
        let newton = fit(&data, at(Solver::Newton), &ReferenceBackend);
        let cg = fit(&data, at(Solver::NewtonCg), &ReferenceBackend);
        assert_eq!(cg.report.solver, "newton-cg");
        let rel = (cg.report.objective - newton.report.objective).abs() / newton.report.objective;
        assert!(rel <= 1e-10, "l2 {l2}: objective {} vs {}", cg.report.objective, newton.report.objective);
        let (a, b) = (cg.predict_proba(data.features()).unwrap(), newton.predict_proba(data.features()).unwrap());
        let worst = a.iter().zip(&b).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 1e-8, "l2 {l2}: probabilities differ by {worst:e}");
    }
}
