//! helpers shared by the integration tests.
#![allow(dead_code)]

use logreg::synthetic::Synthetic;
use logreg::{Backend, BackendKind, Dataset};
use proptest::prelude::*;

/// `make_classification` data with `k` classes: `d` features, half of them (rounded up)
/// informative, one redundant, a cluster per class.
pub fn k_classes(n: usize, d: usize, k: usize, seed: u64) -> Dataset {
    logreg::synthetic::MakeClassification {
        n_samples: n,
        n_features: d,
        n_informative: d.div_ceil(2),
        n_redundant: 1,
        n_classes: k,
        n_clusters_per_class: 1,
        seed,
        ..Default::default()
    }
    .generate()
    .unwrap()
}

/// every compiled-in backend except the reference (which they are compared against).
pub fn backends() -> Vec<&'static dyn Backend> {
    BackendKind::ALL.iter().filter(|k| **k != BackendKind::Reference).map(|k| k.backend()).collect()
}

/// generated datasets: random size, feature scale up to 1e4, class balance, near-separable cases.
pub fn datasets(max_rows: usize, max_cols: usize) -> impl Strategy<Value = Dataset> {
    (
        1..=max_rows,
        1..=max_cols,
        0u64..1_000_000,
        0.0f64..4.0,
        prop_oneof![Just(0.5), 0.05f64..0.95],
        prop_oneof![Just(1.0), Just(50.0), 0.0f64..5.0],
    )
        .prop_map(|(n, d, seed, log_scale, positive_fraction, separation)| {
            Synthetic {
                n_rows: n,
                n_cols: d,
                n_informative: d.div_ceil(2),
                max_scale: 10f64.powf(log_scale),
                separation,
                positive_fraction,
                seed,
            }
            .generate()
            .expect("valid generator settings")
        })
}

/// the data with about a third of its feature entries set to 0 (a pattern of `seed`), so that its
/// sparse storage skips real entries; labels, classes, weights and names kept.
pub fn with_zeros(data: &Dataset, seed: u64) -> Dataset {
    let d = data.n_cols();
    let x: Vec<f64> = data
        .dense_features()
        .unwrap()
        .data()
        .iter()
        .enumerate()
        .map(
            |(t, &v)| if (t as u64).wrapping_mul(2_654_435_761).wrapping_add(seed).is_multiple_of(3) { 0.0 } else { v },
        )
        .collect();
    let out = Dataset::with_classes(x, d, data.labels().to_vec(), data.n_classes()).unwrap();
    let out = match data.weights() {
        Some(w) => out.with_weights(w.to_vec()).unwrap(),
        None => out,
    };
    out.with_feature_names(data.feature_names().to_vec()).unwrap()
}

/// `[b, w…]` of a fitted model.
pub fn model_theta(m: &logreg::Model) -> Vec<f64> {
    std::iter::once(m.intercept).chain(m.coefficients.iter().copied()).collect()
}

/// `m` converged to the optimum of `reference`: objective to 1e-10 relative, coefficients to
/// 1e-6 of the largest (a non-informative feature's coefficient is near zero, so
/// per-coefficient relative error is not meaningful).
pub fn assert_same_optimum(m: &logreg::Model, reference: &logreg::Model, what: &str) {
    assert!(m.report.converged, "{what}: {:?}", m.report);
    let rel = (m.report.objective - reference.report.objective).abs() / reference.report.objective;
    assert!(rel <= 1e-10, "{what}: objective {} vs {}", m.report.objective, reference.report.objective);
    let expected = model_theta(reference);
    let diff = model_theta(m).iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(diff <= 1e-6 * max_abs(&expected), "{what}: coefficients differ by {diff:e}");
}

/// `|a − b| ≤ tol · scale`, with a message naming the context.
pub fn assert_close(a: f64, b: f64, scale: f64, tol: f64, what: &str) {
    assert!(a.is_finite() && b.is_finite(), "{what}: non-finite {a} vs {b}");
    assert!(
        (a - b).abs() <= tol * scale,
        "{what}: {a} vs {b} differ by {:e}, allowed {:e}",
        (a - b).abs(),
        tol * scale
    );
}

/// max-norm of a slice.
pub fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// the weight vector `[b, w…]` the tests probe with: random, of moderate size for the data's scale.
pub fn probe_theta(data: &Dataset, seed: u64) -> Vec<f64> {
    let mut rng = logreg::rng::Rng::new(seed);
    let x = data.dense_features().unwrap();
    let mut theta = vec![rng.normal()];
    for j in 0..data.n_cols() {
        let col_max = (0..data.n_rows()).map(|i| x.row(i)[j].abs()).fold(1e-3, f64::max);
        theta.push(rng.normal() / col_max);
    }
    theta
}
