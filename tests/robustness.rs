//! every valid table fits: the cases of issue 10, each of which failed before (constant column,
//! rare indicator under a sampled hessian, extreme magnitudes, NaN taken for convergence,
//! `auto` choosing l-bfgs where newton is exact and cheap, l1 on correlated columns).

mod common;

use common::backends;
use logreg::io::{CsvOptions, read_csv};
use logreg::rng::Rng;
use logreg::synthetic::MakeClassification;
use logreg::view::Rows;
use logreg::{Backend, Dataset, Error, FitParams, Model, ReferenceBackend, Silent, Solver, StopReason};

fn all_backends() -> Vec<&'static dyn Backend> {
    backends().into_iter().chain([&ReferenceBackend as &dyn Backend]).collect()
}

fn fit(data: &Dataset, params: FitParams, backend: &dyn Backend) -> logreg::Result<Model> {
    params.check()?.fit(backend, data, &mut Silent)
}

/// `[b, w…]` of a model.
fn theta(m: &Model) -> Vec<f64> {
    std::iter::once(m.intercept).chain(m.coefficients.iter().copied()).collect()
}

/// largest difference relative to the largest coefficient.
fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

fn breast_cancer() -> Dataset {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/breast_cancer.csv");
    read_csv(path.as_ref(), &CsvOptions::default()).unwrap().dataset
}

/// `data` with one more column (named `name`) from `value(row, row's features)`.
fn with_column(data: &Dataset, name: &str, value: impl Fn(usize, &[f64]) -> f64) -> Dataset {
    let d = data.n_cols();
    let x: Vec<f64> = data
        .dense_features()
        .unwrap()
        .data()
        .chunks(d)
        .enumerate()
        .flat_map(|(i, r)| r.iter().copied().chain([value(i, r)]))
        .collect();
    let mut names = data.feature_names().to_vec();
    names.push(name.into());
    Dataset::new(x, d + 1, data.labels().to_vec()).unwrap().with_feature_names(names).unwrap()
}

/// a constant column (1.0, and 0.1 whose mean is an ulp off for most n) gets coefficient exactly 0,
/// and the other coefficients are those of the fit without it (before: 100 newton iterations,
/// "not converged"; with standardisation, accuracy 0.63).
#[test]
fn a_constant_column_is_held_at_zero_and_changes_nothing_else() {
    let base = breast_cancer();
    for value in [1.0, 0.1, -3.7e5] {
        let data = with_column(&base, "const", |_, _| value);
        for standardize in [false, true] {
            let params = FitParams { l2: 1.0 / base.n_rows() as f64, standardize, ..FitParams::default() };
            let without = fit(&base, params.clone(), &ReferenceBackend).unwrap();
            for backend in all_backends() {
                for solver in [Solver::Auto, Solver::Newton, Solver::Lbfgs, Solver::Cd] {
                    let p = FitParams { solver, ..params.clone() };
                    let m = fit(&data, p, backend).unwrap();
                    let what = format!("{value}, standardize {standardize}, {solver} on {}", backend.name());
                    assert!(m.report.converged, "{what}: {:?}", m.report.reason);
                    assert_eq!(m.coefficients[30], 0.0, "{what}");
                    let d = rel_diff(&theta(&m)[..31], &theta(&without));
                    assert!(d < 1e-6, "{what}: coefficients differ by {d:e}");
                }
            }
        }
        // unpenalised: the column is named
        let e = fit(&data, FitParams::default(), &ReferenceBackend).unwrap_err();
        assert!(matches!(&e, Error::Collinearity { columns, .. } if columns == &["const"]), "{e}");
    }
}

/// 400k rows, 10 normal features and an indicator with three ones (labels 1, 0, 1), unpenalised:
/// the sampled-hessian newton reaches the exact optimum (before: "no further decrease" after 0
/// iterations, indicator coefficient off by 100 %).
#[test]
fn a_rare_indicator_does_not_stall_the_sampled_hessian() {
    let n = 400_000;
    let mut rng = Rng::new(0);
    let beta: Vec<f64> = (0..10).map(|_| 0.5 * rng.normal()).collect();
    let ones = [123_457, 200_001, 377_777];
    let mut x = Vec::with_capacity(n * 11);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let row: Vec<f64> = (0..10).map(|_| rng.normal()).collect();
        let z: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>() - 0.3;
        let label = match ones.iter().position(|&o| o == i) {
            Some(k) => [1.0, 0.0, 1.0][k],
            None => f64::from(u8::from(rng.uniform() < logreg::numerics::sigmoid(z))),
        };
        x.extend(row);
        x.push(f64::from(u8::from(ones.contains(&i))));
        y.push(label);
    }
    let data = Dataset::new(x, 11, y).unwrap();
    assert!(logreg::solve::hessian_sample_rows(n, 12).is_some(), "the test must exercise the sampled hessian");
    let exact =
        fit(&data, FitParams { solver: Solver::Lbfgs, tol: 1e-10, ..FitParams::default() }, &ReferenceBackend).unwrap();
    for backend in all_backends() {
        let m = fit(&data, FitParams::default(), backend).unwrap();
        assert_eq!(m.report.solver, "newton");
        assert!(m.report.converged && m.report.iterations <= 20, "{}: {:?}", backend.name(), m.report);
        let d = rel_diff(&theta(&m), &theta(&exact));
        assert!(d < 1e-6, "{}: {d:e} from the l-bfgs optimum", backend.name());
        // the indicator's coefficient and standard error are finite and sensible (two of three ones positive)
        let se = m.inference.as_ref().unwrap().terms[11].std_error;
        assert!(m.coefficients[10].is_finite() && se > 0.5 && se < 5.0, "coef {} se {se}", m.coefficients[10]);
    }
}

/// a column of magnitude 1e200 is a clear error naming it, at once (before: the process hung).
#[test]
fn extreme_magnitudes_are_an_error_naming_the_column() {
    let base = breast_cancer();
    for (name, factor) in [("huge", 1e200), ("tiny", 1e-200)] {
        let data = with_column(&base, name, |_, r| r[0] * factor);
        for solver in [Solver::Auto, Solver::Lbfgs, Solver::Cd, Solver::Sgd] {
            let e = fit(&data, FitParams { solver, l2: 1e-3, ..FitParams::default() }, &ReferenceBackend).unwrap_err();
            assert!(matches!(&e, Error::InvalidColumn { column, .. } if column == name), "{solver}: {e}");
        }
    }
    // large but fittable magnitudes fit, to the same model as the rescaled column
    let scaled = with_column(&base, "big", |_, r| r[0] * 1e140);
    let plain = with_column(&base, "big", |_, r| r[0]);
    let params = FitParams { l2: 1e-3, standardize: true, ..FitParams::default() };
    let a = fit(&scaled, params.clone(), &ReferenceBackend).unwrap();
    let b = fit(&plain, params, &ReferenceBackend).unwrap();
    assert!(a.report.converged);
    assert!((a.coefficients[30] * 1e140 - b.coefficients[30]).abs() <= 1e-6 * b.coefficients[30].abs());
}

/// a backend whose logits turn NaN after its first few calls (as an overflow would).
#[derive(Debug)]
struct PoisonedBackend {
    calls: std::sync::atomic::AtomicUsize,
    healthy_calls: usize,
}

impl Backend for PoisonedBackend {
    fn name(&self) -> &'static str {
        "poisoned"
    }

    fn linear_predictor(&self, x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        ReferenceBackend.linear_predictor(x, w, b, z);
        if self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= self.healthy_calls {
            z[0] = f64::NAN;
        }
    }
}

/// NaN logits are detected and end the fit with an error: never "converged", never a NaN
/// model (before: the NaN loss counted as 0 and the NaN gradient norm as converged).
#[test]
fn nan_anywhere_is_an_error_never_convergence() {
    let data = breast_cancer();
    for solver in [Solver::Newton, Solver::Lbfgs, Solver::Cd, Solver::Gd, Solver::Sgd] {
        for healthy_calls in [0, 3, 9] {
            let backend = PoisonedBackend { calls: 0.into(), healthy_calls };
            let params = FitParams {
                solver,
                l2: 1e-3,
                l1: if solver == Solver::Cd { 1e-4 } else { 0.0 },
                ..FitParams::default()
            };
            match fit(&data, params, &backend) {
                Err(Error::NonFinite { .. } | Error::Diverged(_)) => {}
                Err(e) => panic!("{solver} after {healthy_calls} calls: unexpected error {e}"),
                Ok(m) => panic!(
                    "{solver} after {healthy_calls} calls: a model ({:?}, converged {})",
                    m.coefficients.first(),
                    m.report.converged
                ),
            }
        }
    }
}

/// 5,800 × 85 correlated columns on mixed scales with l2 = 0.1: `auto` picks newton (an 85 × 85
/// hessian per iteration costs milliseconds) and lands on its exact optimum (before: l-bfgs,
/// 1.5e-5 from it).
#[test]
fn auto_picks_newton_where_it_is_cheap_and_exact() {
    let (n, d) = (5800, 85);
    let mut rng = Rng::new(9);
    let scales: Vec<f64> = (0..d).map(|_| (rng.uniform() * 6.0 - 3.0).exp()).collect();
    let mut x = vec![0.0; n * d];
    let mut y = vec![0.0; n];
    for i in 0..n {
        let common = rng.normal();
        let mut z = 0.0;
        for j in 0..d {
            let v = 0.8 * common + 0.6 * rng.normal();
            x[i * d + j] = v * scales[j];
            z += if j % 3 == 0 { 0.3 * v } else { -0.1 * v };
        }
        y[i] = f64::from(u8::from(rng.uniform() < logreg::numerics::sigmoid(z)));
    }
    let data = Dataset::new(x, d, y).unwrap();
    let auto = fit(&data, FitParams { l2: 0.1, ..FitParams::default() }, &ReferenceBackend).unwrap();
    assert_eq!(auto.report.solver, "newton");
    let exact = fit(
        &data,
        FitParams { l2: 0.1, solver: Solver::Newton, tol: 1e-12, ..FitParams::default() },
        &ReferenceBackend,
    )
    .unwrap();
    assert!(rel_diff(&theta(&auto), &theta(&exact)) < 1e-8);
}

/// l1 with a weak penalty on columns that include exact linear combinations (make_classification's
/// redundant features): `cd` reaches kkt ≤ tol within its iteration limit (before: 100
/// iterations, kkt 1.5e-7, 25× the time of the l2 fit at 1M × 100).
#[test]
fn l1_on_collinear_columns_converges() {
    let data = MakeClassification {
        n_samples: 20_000,
        n_features: 30,
        n_informative: 15,
        n_redundant: 3,
        seed: 2,
        ..Default::default()
    }
    .generate()
    .unwrap();
    for backend in all_backends() {
        for l1 in [1e-6, 1e-4, 1e-2] {
            let m = fit(&data, FitParams { l1, ..FitParams::default() }, backend).unwrap();
            assert!(
                m.report.converged && m.report.iterations <= 20,
                "{} l1 {l1}: {:?} after {}",
                backend.name(),
                m.report.reason,
                m.report.iterations
            );
            assert!(m.report.gradient_norm <= 1e-8);
        }
    }
    // the strongest penalty leaves exact zeros
    let m = fit(&data, FitParams { l1: 1e-2, ..FitParams::default() }, &ReferenceBackend).unwrap();
    assert!(m.coefficients.contains(&0.0));
    assert_ne!(m.report.reason, StopReason::MaxIterations);
}
