//! every backend — the three libraries' and the reference (our simd kernels) — computes the
//! same products, gram and loss/gradient as plain scalar loops written here, on contiguous
//! rows (the libraries' own kernels) and on scattered rows (a shuffled minibatch), from dense
//! storage (contiguous, and rows apart in their buffer as a mapped npy file's features) and from
//! sparse (csr) storage of the same data (about a third of its entries zero), every case.
//!
//! tolerance: a sum of n products computed in any order differs from the exact sum by at most
//! `n·ε·Σ|terms|` (ε = 2⁻⁵³); with n ≤ 400 that is below 5e-14 of `Σ|terms|`, so the backends
//! must agree to 1e-12 relative to that condition-aware scale (plain relative error is
//! meaningless where the sum cancels to near zero). the loss and residual here use std's
//! `exp` / `ln_1p`, so they also check our vectorised `exp` / `log1p` (≤ 3 ulp).

mod common;

use common::{assert_close, backends, datasets, probe_theta, with_zeros};
use logreg::numerics::{loss_and_residual, sigmoid};
use logreg::view::{Design, MatrixRef, Rows, Selection};
use logreg::{Backend, BlockSums, DataRef, Dataset, ReferenceBackend, SoftmaxSums};
use proptest::prelude::*;

const TOL: f64 = 1e-12;

/// every backend, the reference included.
fn all_backends() -> Vec<&'static dyn Backend> {
    backends().into_iter().chain([&ReferenceBackend as &dyn Backend]).collect()
}

/// the row selections every case runs on: contiguous, and scattered (a fixed permutation).
fn selections(n: usize, index: &mut Vec<usize>) -> [Selection<'_>; 2] {
    *index = (0..n).map(|i| (i * 7919 + 3) % n).collect();
    if n.is_multiple_of(7919) {
        *index = (0..n).rev().collect();
    }
    [Selection::Range(0..n), Selection::Indices(index)]
}

/// one storage of a case's data: a dataset, or its dense rows apart in a buffer of their own.
struct Storage {
    data: Dataset,
    /// each row followed by a nan that no backend may read (as a mapped npy file's features,
    /// each row followed by its label)
    spaced: Option<Vec<f64>>,
}

impl Storage {
    fn as_ref(&self) -> DataRef<'_> {
        let data = self.data.as_ref();
        match &self.spaced {
            Some(buf) => {
                let (n, d) = (self.data.n_rows(), self.data.n_cols());
                let x = MatrixRef::with_row_stride(buf, n, d, d + 1).expect("rows d + 1 apart");
                DataRef { x: Design::Dense(x), ..data }
            }
            None => data,
        }
    }

    fn features(&self) -> Design<'_> {
        self.as_ref().x
    }
}

/// the same data stored dense, dense with its rows apart, and sparse.
fn storages(data: &Dataset) -> [(Storage, &'static str); 3] {
    let x = data.dense_features().unwrap();
    let mut spaced: Vec<f64> = x.rows().flat_map(|row| row.iter().copied().chain([f64::NAN])).collect();
    spaced.pop();
    [
        (Storage { data: data.clone(), spaced: None }, "dense"),
        (Storage { data: data.clone(), spaced: Some(spaced) }, "dense rows apart"),
        (Storage { data: data.to_sparse(), spaced: None }, "sparse"),
    ]
}

fn abs_dot(x: &[f64], w: &[f64]) -> f64 {
    x.iter().zip(w).map(|(a, b)| (a * b).abs()).sum()
}

/// log-loss and residual with std's transcendental functions.
fn plain_loss_and_residual(y: f64, z: f64) -> (f64, f64) {
    let loss = z.max(0.0) - y * z + (-z.abs()).exp().ln_1p();
    let p = if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { z.exp() / (1.0 + z.exp()) };
    (loss, p - y)
}

/// plain loops: the loss sums and `Xᵀ(s∘(p − y))` of the rows `sel`.
fn plain_loss_grad(data: &Dataset, sel: &Selection<'_>, w: &[f64], b: f64) -> (BlockSums, Vec<f64>) {
    let r = data.as_ref();
    let mut sums = BlockSums::default();
    let mut g = vec![0.0; w.len()];
    for k in 0..sel.len() {
        let i = sel.index(k);
        let row = r.x.as_dense().unwrap().row(i);
        let z = b + row.iter().zip(w).map(|(a, c)| a * c).sum::<f64>();
        let (loss, res) = plain_loss_and_residual(r.y[i], z);
        let s = r.weight(i);
        sums.loss += s * loss;
        sums.residual += s * res;
        sums.weight += s;
        for (gj, xj) in g.iter_mut().zip(row) {
            *gj += s * res * xj;
        }
    }
    (sums, g)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dot_kernels_agree(data in datasets(400, 40), seed in any::<u64>()) {
        let data = with_zeros(&data, seed);
        let theta = probe_theta(&data, seed);
        let (b, w) = (theta[0], &theta[1..]);
        let (n, d) = (data.n_rows(), data.n_cols());
        let mut index = Vec::new();
        for sel in selections(n, &mut index) {
            let rows = logreg::DenseRows::new(data.dense_features().unwrap(), sel.clone());
            let r: Vec<f64> = (0..n).map(|k| ((k as f64) * 0.37).sin()).collect();
            // plain loops: z = Xw + b, g = 1 + Xᵀr, with their condition scales
            let (mut expected_g, mut col_scale) = (vec![1.0; d], vec![1.0; d]);
            for (row, rk) in rows.iter().zip(&r) {
                for j in 0..d {
                    expected_g[j] += rk * row[j];
                    col_scale[j] += (rk * row[j]).abs();
                }
            }
            for ((stored, storage), backend) in storages(&data).iter().flat_map(|s| all_backends().into_iter().map(move |b| (s, b))) {
                let x = Rows::new(stored.features(), sel.clone());
                let what = |s: &str| format!("{} {storage} {s} ({})", backend.name(), if matches!(sel, Selection::Range(_)) { "contiguous" } else { "scattered" });
                // gradient kernel: accumulates into a non-zero g (adds, never overwrites)
                let mut g = vec![1.0; d];
                backend.add_xt_times(&x, &r, &mut g);
                for j in 0..d {
                    assert_close(g[j], expected_g[j], col_scale[j], TOL, &what(&format!("(g + Xᵀr)[{j}]")));
                }
                let mut z = vec![f64::NAN; n];
                backend.linear_predictor(&x, w, b, &mut z);
                for (k, zk) in z.iter().enumerate() {
                    let row = rows.row(k);
                    let exact = b + row.iter().zip(w).map(|(a, c)| a * c).sum::<f64>();
                    assert_close(*zk, exact, b.abs() + abs_dot(row, w), TOL, &what(&format!("z[{k}]")));
                }
            }
        }
    }

    #[test]
    fn weighted_gram_agrees(data in datasets(300, 30), seed in any::<u64>()) {
        let data = with_zeros(&data, seed);
        let (n, d) = (data.n_rows(), data.n_cols());
        let mut rng = logreg::rng::Rng::new(seed);
        let h: Vec<f64> = (0..n).map(|_| 0.25 * rng.uniform()).collect();
        let start: Vec<f64> = (0..d * d).map(|k| ((k / d) * (k % d)) as f64).collect(); // symmetric
        let mut index = Vec::new();
        for sel in selections(n, &mut index) {
            let rows = logreg::DenseRows::new(data.dense_features().unwrap(), sel.clone());
            // plain loops, and the condition scale of entry (a, b): |start| + Σ h |x_a x_b|
            let mut expected = start.clone();
            let mut scale: Vec<f64> = start.iter().map(|v| v.abs()).collect();
            for (row, hi) in rows.iter().zip(&h) {
                for a in 0..d {
                    for c in 0..d {
                        expected[a * d + c] += hi * row[a] * row[c];
                        scale[a * d + c] += hi * (row[a] * row[c]).abs();
                    }
                }
            }
            let mut scratch = vec![f64::NAN; n * d];
            for ((stored, storage), backend) in storages(&data).iter().flat_map(|s| all_backends().into_iter().map(move |b| (s, b))) {
                let x = Rows::new(stored.features(), sel.clone());
                let mut out = start.clone();
                backend.add_weighted_gram(&x, &h, &mut scratch, &mut out);
                for k in 0..d * d {
                    assert_close(out[k], expected[k], scale[k], TOL, &format!("{} {storage} gram[{}, {}]", backend.name(), k / d, k % d));
                }
            }
        }
    }

    /// the stable sigmoid against independent formulas: `1/(1 + e⁻ᶻ)` where that is accurate
    /// (|z| ≤ 40, relative error a few ulp), `eᶻ/(1 + eᶻ)` in the lower tail down to underflow,
    /// and the symmetry `σ(z) + σ(−z) = 1` everywhere.
    #[test]
    fn sigmoid_matches_independent_formulas(z in -1e300f64..1e300, small in -40f64..40.0, tail in -745f64..-40.0) {
        let naive = 1.0 / (1.0 + (-small).exp());
        assert_close(sigmoid(small), naive, naive, 1e-15, &format!("sigmoid({small})"));
        let lower = tail.exp() / (1.0 + tail.exp());
        assert_close(sigmoid(tail), lower, lower, 1e-14, &format!("sigmoid({tail})"));
        let (p, q) = (sigmoid(z), sigmoid(-z));
        prop_assert!((0.0..=1.0).contains(&p) && (p + q - 1.0).abs() <= 2.0 * f64::EPSILON, "sigmoid({z}) = {p}, {q}");
    }

    #[test]
    fn loss_and_gradient_agree(data in datasets(400, 40), seed in any::<u64>(), weighted in any::<bool>()) {
        let n = data.n_rows();
        let d = data.n_cols();
        let data = if weighted { data.with_weights((0..n).map(|i| 0.5 + (i % 3) as f64).collect()).unwrap() } else { data };
        let data = with_zeros(&data, seed);
        let theta = probe_theta(&data, seed);
        let (b, w) = (theta[0], &theta[1..]);
        let mut index = Vec::new();
        for sel in selections(n, &mut index) {
            let (expected, expected_g) = plain_loss_grad(&data, &sel, w, b);
            // condition scales: Σ s|loss|, Σ s|r|, and per column Σ |s r x_j| (|r| ≤ 1)
            let rows = logreg::DenseRows::new(data.dense_features().unwrap(), sel.clone());
            let mut col_scale = vec![0.0; d];
            for k in 0..n {
                let s = data.as_ref().weight(sel.index(k));
                for (c, x) in col_scale.iter_mut().zip(rows.row(k)) { *c += s * x.abs(); }
            }
            let mut scratch = vec![0.0; n];
            for ((stored, storage), backend) in storages(&data).iter().flat_map(|s| all_backends().into_iter().map(move |b| (s, b))) {
                let mut g = vec![0.0; d];
                let got: BlockSums = backend.loss_grad_block(stored.as_ref(), &sel, w, b, &mut scratch, &mut g);
                let name = format!("{} {storage}", backend.name());
                assert_close(got.loss, expected.loss, expected.loss.abs() + 1e-300, TOL, &format!("{name} loss"));
                assert_close(got.residual, expected.residual, expected.weight, TOL, &format!("{name} residual"));
                assert_eq!(got.weight, expected.weight);
                for j in 0..d {
                    assert_close(g[j], expected_g[j], col_scale[j], TOL, &format!("{name} grad[{j}]"));
                }
            }
        }
    }

    #[test]
    fn kernels_stay_finite_for_extreme_logits_and_weights(z in prop_oneof![-1e300f64..1e300, -800f64..800.0], y in 0u8..2, mag in 1f64..290.0) {
        let y = f64::from(y);
        let (loss, r) = loss_and_residual(y, z);
        prop_assert!(loss.is_finite() && loss >= 0.0 && r.is_finite() && r.abs() <= 1.0, "loss {loss} r {r} at z {z}");
        prop_assert!((0.0..=1.0).contains(&sigmoid(z)));
        // extreme weights: |w| = 10^mag with features up to 1e4 keeps z finite, loss and gradient finite
        let x = vec![1e4, -3.0, 0.5, 1e-3];
        let data = logreg::Dataset::new(x, 4, vec![y]).unwrap();
        let w = [10f64.powf(mag), -(10f64.powf(mag)), 1.0, 10f64.powf(mag)];
        for backend in all_backends() {
            let mut g = vec![0.0; 4];
            let mut scratch = [0.0];
            let s = backend.loss_grad_block(data.as_ref(), &Selection::Range(0..1), &w, -1e300, &mut scratch, &mut g);
            prop_assert!(s.loss.is_finite() && s.residual.is_finite() && g.iter().all(|v| v.is_finite()), "{}: {s:?} {g:?}", backend.name());
        }
    }

    /// the k-class products `Z = X·W + 1·bᵀ` and `G + Xᵀ·R` (one gemm each in the libraries,
    /// on strided class-block views) against plain loops, contiguous and scattered rows.
    #[test]
    fn class_kernels_agree(data in datasets(300, 30), seed in any::<u64>(), k in 1usize..7) {
        let data = with_zeros(&data, seed);
        let (n, d) = (data.n_rows(), data.n_cols());
        let coefs: Vec<f64> = (0..k).flat_map(|c| probe_theta(&data, seed.wrapping_add(c as u64))).collect();
        let r: Vec<f64> = (0..n * k).map(|t| ((t as f64) * 0.37).sin()).collect();
        let mut index = Vec::new();
        for sel in selections(n, &mut index) {
            let rows = logreg::DenseRows::new(data.dense_features().unwrap(), sel.clone());
            for ((stored, storage), backend) in storages(&data).iter().flat_map(|s| all_backends().into_iter().map(move |b| (s, b))) {
                let kind = format!("{storage} {}", if matches!(sel, Selection::Range(_)) { "contiguous" } else { "scattered" });
                let x = Rows::new(stored.features(), sel.clone());
                let mut z = vec![f64::NAN; n * k];
                backend.class_logits(&x, &coefs, &mut z);
                let mut g: Vec<f64> = (0..k * (d + 1)).map(|t| t as f64).collect();
                backend.add_xt_times_classes(&x, &r, &mut g);
                for c in 0..k {
                    let block = &coefs[c * (d + 1)..(c + 1) * (d + 1)];
                    for i in 0..n {
                        let row = rows.row(i);
                        let exact = block[0] + row.iter().zip(&block[1..]).map(|(a, w)| a * w).sum::<f64>();
                        let scale = block[0].abs() + abs_dot(row, &block[1..]);
                        assert_close(z[c * n + i], exact, scale, TOL, &format!("{} {kind} z[{i}, {c}]", backend.name()));
                    }
                    let at = c * (d + 1);
                    prop_assert_eq!(g[at], at as f64, "the intercept entry is left untouched");
                    for j in 0..d {
                        let (mut exact, mut scale) = ((at + 1 + j) as f64, (at + 1 + j) as f64);
                        for i in 0..n {
                            exact += r[c * n + i] * rows.row(i)[j];
                            scale += (r[c * n + i] * rows.row(i)[j]).abs();
                        }
                        assert_close(g[at + 1 + j], exact, scale, TOL, &format!("{} {kind} g[{c}, {j}]", backend.name()));
                    }
                }
            }
        }
    }

    /// the fused softmax pass against plain loops with std's `exp` / `ln`: loss, weight and
    /// the gradient `[1 X]ᵀ(s∘(P − Y))` of every class block, with and without a reference class.
    #[test]
    fn softmax_loss_and_gradient_agree(data in datasets(300, 20), seed in any::<u64>(), k in 3usize..6, reference in any::<bool>()) {
        let (n, d) = (data.n_rows(), data.n_cols());
        let labels: Vec<f64> = (0..n).map(|i| ((i * 31 + seed as usize % 7) % k) as f64).collect();
        let weights: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
        let data = Dataset::with_classes(data.dense_features().unwrap().data().to_vec(), d, labels, k).unwrap().with_weights(weights).unwrap();
        let data = with_zeros(&data, seed);
        let stored = k - usize::from(reference);
        let coefs: Vec<f64> = (0..stored).flat_map(|c| probe_theta(&data, seed.wrapping_add(c as u64))).collect();
        let r = data.as_ref();
        let mut index = Vec::new();
        for sel in selections(n, &mut index) {
            let mut loss = 0.0;
            let mut expected_g = vec![0.0; stored * (d + 1)];
            let mut scale = vec![0.0; stored * (d + 1)];
            for t in 0..sel.len() {
                let i = sel.index(t);
                let row = r.x.as_dense().unwrap().row(i);
                let mut logits: Vec<f64> = if reference { vec![0.0] } else { vec![] };
                for block in coefs.chunks(d + 1) {
                    logits.push(block[0] + row.iter().zip(&block[1..]).map(|(a, w)| a * w).sum::<f64>());
                }
                let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lse = top + logits.iter().map(|l| (l - top).exp()).sum::<f64>().ln();
                let s = r.weight(i);
                loss += s * (lse - logits[r.y[i] as usize]);
                for c in 0..stored {
                    let class = c + usize::from(reference);
                    let res = s * ((logits[class] - lse).exp() - f64::from(u8::from(r.y[i] as usize == class)));
                    expected_g[c * (d + 1)] += res;
                    scale[c * (d + 1)] += res.abs();
                    for j in 0..d {
                        expected_g[c * (d + 1) + 1 + j] += res * row[j];
                        scale[c * (d + 1) + 1 + j] += (res * row[j]).abs();
                    }
                }
            }
            let mut scratch = vec![0.0; 256 * stored];
            for ((kept, storage), backend) in storages(&data).iter().flat_map(|s| all_backends().into_iter().map(move |b| (s, b))) {
                let mut g = vec![0.0; stored * (d + 1)];
                let got: SoftmaxSums = backend.softmax_loss_grad_block(kept.as_ref(), &sel, &coefs, reference, &mut scratch, &mut g);
                let name = format!("{} {storage}", backend.name());
                assert_close(got.loss, loss, loss.abs() + 1e-300, TOL, &format!("{name} softmax loss"));
                for (t, (gv, ev)) in g.iter().zip(&expected_g).enumerate() {
                    assert_close(*gv, *ev, scale[t] + 1e-300, TOL, &format!("{name} softmax grad[{t}]"));
                }
            }
        }
    }
}
