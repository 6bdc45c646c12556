//! text categories: dummy coding as statsmodels' formulas (patsy) do it, checked against a
//! statsmodels fit on a public dataset with a text column (tests/fixtures/statsmodels_fair.json,
//! made by make_category_fixtures.py).

mod common;

use common::backends;
use logreg::io::{CsvOptions, read_csv};
use logreg::{FitParams, ReferenceBackend, Silent, Solver};

/// `affair ~ occupation + C(occupation_husb) + …` on Fair's data: `occupation` is text (read as
/// categories by itself), `occupation_husb` holds codes 1-6 (named as categorical). both fits
/// are unpenalised maximum likelihood converged to gradient norms near 1e-12, so coefficients
/// and standard errors agree to far better than the 1e-6 relative tolerance used here.
#[test]
fn fair_matches_statsmodels_formula_fit() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/statsmodels_fair.json")).unwrap())
            .unwrap();
    let options =
        CsvOptions { target: Some("affair".into()), categorical: vec!["occupation_husb".into()], ..Default::default() };
    let loaded = read_csv(&root.join("data/fair.csv"), &options).unwrap();
    let names = loaded.dataset.feature_names().to_vec();
    assert_eq!(
        names[..6],
        [
            "occupation[T.managerial]",
            "occupation[T.professional]",
            "occupation[T.skilled]",
            "occupation[T.student]",
            "occupation[T.white-collar]",
            "occupation_husb[T.2]"
        ]
    );
    assert_eq!(loaded.categories[0].levels[0], "farming");
    assert_eq!(loaded.dataset.n_rows(), fixture["n"].as_u64().unwrap() as usize);
    let coef = fixture["coefficients"].as_object().unwrap();
    let se = fixture["std_errors"].as_object().unwrap();
    assert_eq!(coef.len(), names.len() + 1);
    let all: Vec<&dyn logreg::Backend> =
        backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]).collect();
    for backend in all {
        for solver in [Solver::Auto, Solver::Newton, Solver::Lbfgs] {
            let params = FitParams { solver, tol: 1e-10, ..FitParams::default() }.check().unwrap();
            let m = params.fit(backend, &loaded.dataset, &mut Silent).unwrap();
            let what = format!("{solver} on {}", backend.name());
            let inference = m.inference.as_ref().expect("unpenalised fits carry inference");
            for term in &inference.terms {
                let (c, s) = (coef[&term.name].as_f64().unwrap(), se[&term.name].as_f64().unwrap());
                assert!(
                    (term.coefficient - c).abs() <= 1e-6 * c.abs() + 1e-9,
                    "{what}: {} {} vs {c}",
                    term.name,
                    term.coefficient
                );
                assert!(
                    (term.std_error - s).abs() <= 1e-6 * s,
                    "{what}: se of {} {} vs {s}",
                    term.name,
                    term.std_error
                );
            }
        }
    }
}
