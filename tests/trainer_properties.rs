//! properties of the objective and the sgd / gd trainer, for every compiled-in backend.

mod common;

use common::{assert_close, backends, datasets, k_classes, max_abs, probe_theta};
use logreg::synthetic::Synthetic;
use logreg::{Dataset, LearningRate, Objective, Penalty, ReferenceBackend, SgdParams, Silent};
use proptest::prelude::*;

/// a step size that keeps sgd contractive: 1 / (max row ‖x‖² / 4 + 1) (the logistic loss
/// has curvature at most ‖x‖²/4 per row; the +1 covers the intercept).
fn safe_eta(data: &Dataset) -> f64 {
    let x = data.dense_features().unwrap();
    let max_sq = (0..data.n_rows()).map(|i| x.row(i).iter().map(|v| v * v).sum::<f64>()).fold(0.0, f64::max);
    1.0 / (max_sq / 4.0 + 1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// the same sgd run (seed, batches, schedule) on each backend gives the same coefficients to
    /// 1e-8 relative: per-step differences are rounding (≤ 1e-15 relative), and a contractive
    /// step size keeps them from growing over the ≤ 2000 steps run here.
    #[test]
    fn sgd_agrees_across_backends(data in datasets(300, 12), seed in any::<u64>(), batch in 1usize..64, l2 in prop_oneof![Just(0.0), 1e-4f64..1e-1]) {
        let eta = safe_eta(&data);
        let params = SgdParams {
            batch_size: Some(batch), max_epochs: 8, seed, l2, tol: 0.0, n_iter_no_change: 100,
            learning_rate: LearningRate::InverseScaling { eta0: eta, power: 0.25 }, ..SgdParams::default()
        }.check().unwrap();
        let reference = params.fit(&ReferenceBackend, &data, &mut Silent).unwrap();
        let mut ref_theta = vec![reference.intercept];
        ref_theta.extend(&reference.coefficients);
        let scale = max_abs(&ref_theta).max(1e-3);
        for backend in backends() {
            let m = params.fit(backend, &data, &mut Silent).unwrap();
            assert_close(m.intercept, reference.intercept, scale, 1e-8, &format!("{} intercept", backend.name()));
            for (j, (a, b)) in m.coefficients.iter().zip(&reference.coefficients).enumerate() {
                assert_close(*a, *b, scale, 1e-8, &format!("{} w[{j}]", backend.name()));
            }
        }
    }

    /// the analytic gradient of the smooth objective matches central differences.
    ///
    /// with step hⱼ = 1e-5 / cⱼ (cⱼ = 1 + max |xᵢⱼ|), truncation error is ≤ hⱼ²·cⱼ³/6 ≈ 2e-11·cⱼ
    /// and rounding ≈ ε·J/hⱼ ≈ 1e-11·cⱼ; the gradient itself is at most cⱼ, so 1e-7·cⱼ is a safe bound.
    #[test]
    fn gradient_matches_finite_differences(data in datasets(200, 8), seed in any::<u64>(), l2 in prop_oneof![Just(0.0), 1e-3f64..1.0]) {
        let theta = probe_theta(&data, seed);
        let x = data.dense_features().unwrap();
        let mut c = vec![1.0];
        c.extend((0..data.n_cols()).map(|j| 1.0 + (0..data.n_rows()).map(|i| x.row(i)[j].abs()).fold(0.0, f64::max)));
        for backend in backends() {
            let mut obj = Objective::new(backend, data.as_ref(), Penalty::new(l2, 0.0).unwrap()).unwrap();
            let mut grad = vec![0.0; theta.len()];
            let mut scratch = vec![0.0; theta.len()];
            obj.smooth_value_grad(&theta, &mut grad);
            for j in 0..theta.len() {
                let h = 1e-5 / c[j];
                let mut t = theta.clone();
                t[j] += h;
                let up = obj.smooth_value_grad(&t, &mut scratch);
                t[j] -= 2.0 * h;
                let down = obj.smooth_value_grad(&t, &mut scratch);
                let fd = (up - down) / (2.0 * h);
                assert_close(grad[j], fd, c[j] * (1.0 + l2 * theta[j].abs()), 1e-7, &format!("{} ∂θ[{j}]", backend.name()));
            }
        }
    }
}

/// training gives bit-for-bit the same model with 1, 2 and 8 rayon threads, for full-batch gd
/// and shuffled minibatches that span several blocks.
#[test]
fn results_do_not_depend_on_thread_count() {
    let data =
        Synthetic { n_rows: 30_000, n_cols: 4, n_informative: 3, seed: 11, ..Synthetic::default() }.generate().unwrap();
    let runs = [
        SgdParams { max_epochs: 15, tol: 0.0, ..SgdParams::full_batch(1.0) },
        SgdParams { batch_size: Some(12_000), max_epochs: 5, seed: 3, ..SgdParams::default() },
    ];
    for backend in backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]) {
        for params in &runs {
            let params = params.clone().check().unwrap();
            let fit_with = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| params.fit(backend, &data, &mut Silent).unwrap())
            };
            let one = fit_with(1);
            for threads in [2, 8] {
                let many = fit_with(threads);
                assert_eq!(
                    one.intercept.to_bits(),
                    many.intercept.to_bits(),
                    "{} intercept, {threads} threads",
                    backend.name()
                );
                assert_eq!(one.coefficients, many.coefficients, "{} coefficients, {threads} threads", backend.name());
                let h1: Vec<u64> = one.report.history.iter().map(|h| h.objective.to_bits()).collect();
                let hn: Vec<u64> = many.report.history.iter().map(|h| h.objective.to_bits()).collect();
                assert_eq!(h1, hn, "{} loss history, {threads} threads", backend.name());
            }
        }
    }
}

/// newton's method written out here, independently of the library: the l2-penalised optimum.
fn newton_optimum(data: &Dataset, l2: f64) -> Vec<f64> {
    let (n, d) = (data.n_rows(), data.n_cols());
    let x = data.dense_features().unwrap();
    let row = |i: usize| -> Vec<f64> { std::iter::once(1.0).chain(x.row(i).iter().copied()).collect() };
    let mut theta = vec![0.0; d + 1];
    for _ in 0..50 {
        let mut g = vec![0.0; d + 1];
        let mut h = vec![vec![0.0; d + 1]; d + 1];
        for i in 0..n {
            let xi = row(i);
            let z: f64 = xi.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for a in 0..=d {
                g[a] += (p - data.labels()[i]) * xi[a] / n as f64;
                for b in 0..=d {
                    h[a][b] += p * (1.0 - p) * xi[a] * xi[b] / n as f64;
                }
            }
        }
        for a in 1..=d {
            g[a] += l2 * theta[a];
            h[a][a] += l2;
        }
        // solve h·step = g by gaussian elimination with partial pivoting
        let mut m: Vec<Vec<f64>> = h.iter().zip(&g).map(|(r, gi)| r.iter().copied().chain([*gi]).collect()).collect();
        for c in 0..=d {
            let p = (c..=d).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())).unwrap();
            m.swap(c, p);
            let (top, below) = m.split_at_mut(c + 1);
            let pivot = &top[c];
            for row in below {
                let f = row[c] / pivot[c];
                for (a, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                    *a -= f * p;
                }
            }
        }
        let mut step = vec![0.0; d + 1];
        for r in (0..=d).rev() {
            step[r] = (m[r][d + 1] - (r + 1..=d).map(|k| m[r][k] * step[k]).sum::<f64>()) / m[r][r];
        }
        theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
    }
    theta
}

/// full-batch gradient descent with step 1/L converges linearly to the penalised optimum;
/// after enough epochs it matches an independent newton solve to 1e-6 relative.
#[test]
fn gradient_descent_reaches_the_newton_optimum() {
    let data =
        Synthetic { n_rows: 400, n_cols: 3, n_informative: 3, seed: 5, ..Synthetic::default() }.generate().unwrap();
    let l2 = 0.05;
    let expected = newton_optimum(&data, l2);
    // the smooth objective is L-smooth with L ≤ ¼·λmax([1 X]ᵀ[1 X]/n) + l2, and λmax ≤ the trace
    let x = data.dense_features().unwrap();
    let trace = 1.0 + x.data().iter().map(|v| v * v).sum::<f64>() / data.n_rows() as f64;
    let eta = 1.0 / (0.25 * trace + l2);
    for backend in backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]) {
        let params =
            SgdParams { max_epochs: 20_000, tol: 1e-15, n_iter_no_change: 3, l2, ..SgdParams::full_batch(eta) }
                .check()
                .unwrap();
        let m = params.fit(backend, &data, &mut Silent).unwrap();
        let mut got = vec![m.intercept];
        got.extend(&m.coefficients);
        let scale = max_abs(&expected);
        for j in 0..got.len() {
            assert_close(
                got[j],
                expected[j],
                scale,
                1e-6,
                &format!("{} θ[{j}] after {} epochs", backend.name(), m.report.iterations),
            );
        }
        assert!(m.report.gradient_norm < 1e-6, "{}: gradient norm {}", backend.name(), m.report.gradient_norm);
    }
}

/// a step size far too large is reported as divergence naming the learning rate, never as a fit.
#[test]
fn too_large_a_learning_rate_is_an_error() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/spector.csv");
    let data = logreg::io::read_csv(path.as_ref(), &Default::default()).unwrap().dataset;
    let err = SgdParams { max_epochs: 200, ..SgdParams::full_batch(10.0) }
        .check()
        .unwrap()
        .fit(&ReferenceBackend, &data, &mut Silent)
        .unwrap_err();
    assert!(matches!(err, logreg::Error::Diverged(_)), "{err}");
    assert!(err.to_string().contains("lower the learning rate"), "{err}");
}

// ---- more than two classes -------------------------------------------------------------

/// the trainer on a two-class multinomial model is the binary trainer: the class blocks' gradients
/// are opposite, so `w₁ − w₀` takes the binary step with twice the rate and half the l2 penalty
/// (`(w₁−w₀)' = (w₁−w₀) − η(2g + l2·(w₁−w₀))`), and unpenalised (class 0 the reference) `w₁`
/// takes the binary step itself. same batches, so the runs agree to rounding (1e-8 relative,
/// the contractive step keeping per-step differences of 1e-15 from growing).
#[test]
fn two_class_sgd_is_the_binary_sgd() {
    let data = k_classes(600, 5, 2, 4);
    let eta = safe_eta(&data);
    for backend in backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]) {
        for (l2, batch) in [(0.0, Some(16)), (1e-2, Some(50)), (1e-2, None)] {
            let run = |eta: f64, l2: f64| SgdParams {
                batch_size: batch,
                max_epochs: 6,
                seed: 9,
                l2,
                tol: 0.0,
                n_iter_no_change: 100,
                learning_rate: LearningRate::Constant(eta),
                ..SgdParams::default()
            };
            let solver = if batch.is_some() { logreg::Solver::Sgd } else { logreg::Solver::Gd };
            let mn_eta = if l2 == 0.0 { eta } else { eta / 2.0 };
            let fit = logreg::FitParams { solver, l2, sgd: run(mn_eta, l2), ..Default::default() };
            let mn = fit.check().unwrap().fit_multinomial(backend, &data, &mut Silent).unwrap();
            let binary = run(eta, l2 / 2.0).check().unwrap().fit(backend, &data, &mut Silent).unwrap();
            let mut got = vec![mn.intercepts[1] - mn.intercepts[0]];
            got.extend(mn.coefficients[1].iter().zip(&mn.coefficients[0]).map(|(a, b)| a - b));
            let mut want = vec![binary.intercept];
            want.extend(&binary.coefficients);
            let scale = max_abs(&want).max(1e-3);
            for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_close(*g, *w, scale, 1e-8, &format!("{} l2 {l2} batch {batch:?}: θ[{j}]", backend.name()));
            }
            assert_eq!(mn.report.iterations, binary.report.iterations);
        }
    }
}

/// full-batch gradient descent on five classes converges to the multinomial optimum that
/// newton finds (itself held to scikit-learn and statsmodels in tests/multinomial.rs): with step
/// 1/L, L = ½·trace([1 X]ᵀ[1 X]/n) + l2 bounding the curvature (the softmax's class covariance
/// has eigenvalues ≤ ½), run until the objective stops decreasing (20 epochs without a decrease:
/// its rounding floor), 1e-6 relative; probabilities within 1e-7.
#[test]
fn multinomial_gradient_descent_reaches_the_newton_optimum() {
    let data = k_classes(500, 5, 5, 8);
    let l2 = 0.05;
    let exact = logreg::FitParams { solver: logreg::Solver::Newton, l2, tol: 1e-12, ..Default::default() }
        .check()
        .unwrap()
        .fit_multinomial(&ReferenceBackend, &data, &mut Silent)
        .unwrap();
    let x = data.dense_features().unwrap();
    let trace = 1.0 + x.data().iter().map(|v| v * v).sum::<f64>() / data.n_rows() as f64;
    let eta = 1.0 / (0.5 * trace + l2);
    let want: Vec<f64> = exact.intercepts.iter().chain(exact.coefficients.iter().flatten()).copied().collect();
    let p_want = exact.predict_proba(x).unwrap();
    for backend in backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]) {
        let sgd = SgdParams { max_epochs: 20_000, tol: 0.0, n_iter_no_change: 20, ..SgdParams::full_batch(eta) };
        let params = logreg::FitParams { solver: logreg::Solver::Gd, l2, sgd, ..Default::default() };
        let m = params.check().unwrap().fit_multinomial(backend, &data, &mut Silent).unwrap();
        // the symmetric intercepts are reported centred, as the exact fit's
        let got: Vec<f64> = m.intercepts.iter().chain(m.coefficients.iter().flatten()).copied().collect();
        let scale = max_abs(&want);
        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
            let what = format!("{} θ[{j}] after {} epochs", backend.name(), m.report.iterations);
            assert_close(*g, *w, scale, 1e-6, &what);
        }
        let p = m.predict_proba(x).unwrap();
        let worst = p.iter().zip(&p_want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 1e-7, "{}: probabilities differ by {worst:e}", backend.name());
    }
}

/// the K-class trainer gives bit-for-bit the same model with 1, 2 and 8 threads: full-batch gd
/// and shuffled minibatches spanning several blocks (block partials added in block order).
#[test]
fn multinomial_training_does_not_depend_on_thread_count() {
    let data = k_classes(30_000, 6, 4, 12);
    let runs = [
        (logreg::Solver::Gd, SgdParams { max_epochs: 10, tol: 0.0, ..SgdParams::full_batch(0.5) }),
        (logreg::Solver::Sgd, SgdParams { batch_size: Some(9_000), max_epochs: 4, seed: 3, ..SgdParams::default() }),
    ];
    for backend in backends().into_iter().chain([&ReferenceBackend as &dyn logreg::Backend]) {
        for (solver, sgd) in &runs {
            let params = logreg::FitParams { solver: *solver, l2: 1e-3, sgd: sgd.clone(), ..Default::default() }
                .check()
                .unwrap();
            let fit_with = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| params.fit_multinomial(backend, &data, &mut Silent).unwrap())
            };
            let one = fit_with(1);
            for threads in [2, 8] {
                let many = fit_with(threads);
                let what = format!("{solver} on {}, {threads} threads", backend.name());
                assert_eq!(one.intercepts, many.intercepts, "{what}");
                assert_eq!(one.coefficients, many.coefficients, "{what}");
                let h1: Vec<u64> = one.report.history.iter().map(|h| h.objective.to_bits()).collect();
                let hn: Vec<u64> = many.report.history.iter().map(|h| h.objective.to_bits()).collect();
                assert_eq!(h1, hn, "{what}: loss history");
            }
        }
    }
}
