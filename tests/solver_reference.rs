//! every exact solver on every backend reproduces published statsmodels results (spector) and
//! scikit-learn reference fits (tests/fixtures/sklearn_reference.json, made by make_fixtures.py).

mod common;

use common::backends;
use logreg::io::{CsvOptions, read_csv};
use logreg::{Dataset, FitParams, Model, ReferenceBackend, Silent, Solver};

fn load(path: &str, target: &str) -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    read_csv(&path, &CsvOptions { target: Some(target.into()), ..Default::default() }).unwrap().dataset
}

fn all_backends() -> Vec<&'static dyn logreg::Backend> {
    backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]).collect()
}

fn fit(data: &Dataset, params: FitParams, backend: &dyn logreg::Backend) -> Model {
    let m = params.clone().check().unwrap().fit(backend, data, &mut Silent).unwrap();
    assert!(m.report.converged, "{params:?} on {}: {:?}", backend.name(), m.report);
    m
}

/// statsmodels `Logit(GRADE, [1, GPA, TUCE, PSI]).fit()`, from data/README.md: the published
/// figures have 6 decimals, so a coefficient may also differ by their rounding (5e-7).
#[test]
fn spector_matches_statsmodels() {
    let data = load("data/spector.csv", "GRADE");
    let coef: [f64; 4] = [-13.021347, 2.826113, 0.095158, 2.378688];
    let se = [4.931324, 1.262941, 0.141554, 1.064564];
    for backend in all_backends() {
        for solver in [Solver::Auto, Solver::Newton, Solver::Lbfgs, Solver::Cd] {
            let m = fit(&data, FitParams { solver, ..FitParams::default() }, backend);
            let what = format!("{solver} on {}", backend.name());
            let got: Vec<f64> = std::iter::once(m.intercept).chain(m.coefficients.iter().copied()).collect();
            for (j, (g, c)) in got.iter().zip(coef).enumerate() {
                let tol = (1e-6 * c).abs().max(5e-7);
                assert!((g - c).abs() <= tol, "{what}: coefficient {j}: {g} vs {c}");
            }
            let inf = m.inference.as_ref().expect("unpenalised fits carry inference");
            for (term, s) in inf.terms.iter().zip(se) {
                assert!(
                    (term.std_error - s).abs() <= 1e-4 * s,
                    "{what}: std error of {}: {} vs {s}",
                    term.name,
                    term.std_error
                );
            }
            assert!((m.report.objective * 32.0 - 12.889634).abs() < 1e-6, "{what}: log-likelihood");
        }
    }
}

/// scikit-learn `LogisticRegression(C = 1/(l2·n))` references, to 1e-6 relative per coefficient.
///
/// one exception, measured and documented: l-bfgs on raw-scale breast cancer. there the raw-scale
/// penalty barely constrains the near-collinear radius / perimeter / area directions (hessian
/// eigenvalues ~1e-8 in the scaled parameters), and l-bfgs's curvature estimate cannot resolve
/// them: it reaches the optimal objective to 1e-10 but the coefficients only to ~1e-5
/// (scikit-learn's own lbfgs is 2e-4 off on this case). `auto` picks newton there, which is exact.
#[test]
fn l2_fits_match_scikit_learn() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sklearn_reference.json")).unwrap();
    let fixtures: serde_json::Value = serde_json::from_str(&text).unwrap();
    for case in fixtures["cases"].as_array().unwrap() {
        let path = case["data"].as_str().unwrap();
        let data = load(path, case["target"].as_str().unwrap());
        let l2 = case["l2"].as_f64().unwrap();
        let standardize = case["standardize"].as_bool().unwrap();
        let expected: Vec<f64> = std::iter::once(case["intercept"].as_f64().unwrap())
            .chain(case["coefficients"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
            .collect();
        let ill_conditioned = path.contains("breast_cancer") && !standardize;
        let reference_objective = {
            let penalty = logreg::Penalty::new(l2, 0.0).unwrap();
            let scaling = logreg::Standardizer::fit(&data);
            let mut obj =
                logreg::Objective::with_scaling(&ReferenceBackend, data.as_ref(), penalty, scaling, standardize)
                    .unwrap();
            let mut theta = vec![0.0; expected.len()];
            obj.from_raw(&expected, &mut theta);
            obj.value(&theta)
        };
        for backend in all_backends() {
            for solver in [Solver::Auto, Solver::Newton, Solver::Lbfgs, Solver::Cd] {
                let m = fit(&data, FitParams { solver, l2, standardize, ..FitParams::default() }, backend);
                let what = format!("{path} l2={l2} standardize={standardize}, {solver} on {}", backend.name());
                let got: Vec<f64> = std::iter::once(m.intercept).chain(m.coefficients.iter().copied()).collect();
                let worst = got.iter().zip(&expected).map(|(a, b)| ((a - b) / b).abs()).fold(0.0, f64::max);
                let rel_objective = (m.report.objective - reference_objective).abs() / reference_objective;
                assert!(rel_objective <= 1e-10, "{what}: objective {} vs {reference_objective}", m.report.objective);
                let tol = if ill_conditioned && solver == Solver::Lbfgs { 1e-4 } else { 1e-6 };
                assert!(worst <= tol, "{what}: worst relative coefficient error {worst:e}");
            }
        }
    }
}
