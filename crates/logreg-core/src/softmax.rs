//! the softmax of several classes: stable log-probabilities, and the loss and residual sums of
//! a tile of rows (the multinomial counterpart of [`crate::BlockSums`]).
//!
//! logits are column-major `rows × classes` (class `c`'s logits at `z[c·rows..(c+1)·rows]`). with a
//! *reference class*, the first class's logit is held at 0 and not stored: `z` then has `K − 1`
//! columns for classes `1, …, K − 1`.

use crate::backend::MAX_TILE_ROWS;
use crate::numerics::{exp_normal_with, fold_lanes, ln_at_least_one_with, sum};

/// sums over a block of rows of the multinomial model.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SoftmaxSums {
    /// `Σ sᵢ·(−log p_{i,yᵢ})`
    pub loss: f64,
    /// `Σ sᵢ`
    pub weight: f64,
    /// `Σ sᵢ·[the most probable class is yᵢ]`
    pub correct: f64,
}

impl SoftmaxSums {
    /// add another block's sums.
    pub fn add(&mut self, other: &SoftmaxSums) {
        self.loss += other.loss;
        self.weight += other.weight;
        self.correct += other.correct;
    }

    /// account for a tile of `m ≤` [`MAX_TILE_ROWS`] rows with class labels `y`, weights `s` and
    /// logits `z` (column-major `m × stored classes`); `z` is overwritten with the weighted
    /// residuals `sᵢ·(p_{ic} − [yᵢ = c])` of the stored classes, and each stored class's residual
    /// sum is added to `residual_sums`. `reference`: class 0's logit is 0 and not stored.
    ///
    /// every row's log-probabilities are `z − max − log Σ exp(z − max)`: finite for any finite
    /// logits. the sums are added in eight fixed lanes of rows (see [`crate::numerics::sum`]).
    #[inline(always)]
    pub fn add_tile(&mut self, y: &[f64], s: &[f64], z: &mut [f64], reference: bool, residual_sums: &mut [f64]) {
        self.add_tile_with::<false>(y, s, z, reference, residual_sums)
    }

    /// [`SoftmaxSums::add_tile`] with the `exp` and `log` polynomials in fused multiply-adds: for
    /// code compiled for fma (inside [`crate::simd::widest`] at avx2 or avx-512); equal to it to
    /// rounding, not bit for bit.
    #[inline(always)]
    pub(crate) fn add_tile_fused(&mut self, y: &[f64], s: &[f64], z: &mut [f64], reference: bool, sums: &mut [f64]) {
        self.add_tile_with::<true>(y, s, z, reference, sums)
    }

    #[inline(always)]
    fn add_tile_with<const FUSED: bool>(
        &mut self,
        y: &[f64],
        s: &[f64],
        z: &mut [f64],
        reference: bool,
        residual_sums: &mut [f64],
    ) {
        let m = y.len();
        assert!(
            m <= MAX_TILE_ROWS && s.len() == m && z.len().is_multiple_of(m.max(1)),
            "tile of at most {MAX_TILE_ROWS} rows"
        );
        if m == 0 {
            return;
        }
        let offset = usize::from(reference);
        // per row: the largest logit and its class (class 0 at logit 0 under a reference class)
        let mut top = [0.0f64; MAX_TILE_ROWS];
        let mut arg = [0.0f64; MAX_TILE_ROWS];
        let init = if reference { 0.0 } else { f64::NEG_INFINITY };
        // eight rows at a time in registers (a select in place in memory would compile to masked
        // stores, slow on amd's zen), then the rest one by one
        let whole = m / 8 * 8;
        for first in (0..whole).step_by(8) {
            let (t, a) = largest::<8>(z, m, first, init, offset);
            top[first..first + 8].copy_from_slice(&t);
            arg[first..first + 8].copy_from_slice(&a);
        }
        for i in whole..m {
            let ([t], [a]) = largest::<1>(z, m, i, init, offset);
            (top[i], arg[i]) = (t, a);
        }
        // the label's logit, then z ← exp(z − max) and its row sums (one exp per entry)
        let mut total = [0.0f64; MAX_TILE_ROWS];
        let mut label_logit = [0.0f64; MAX_TILE_ROWS];
        if reference {
            for (t, &v) in total[..m].iter_mut().zip(&top[..m]) {
                *t = exp_normal_with::<FUSED>(-v);
            }
        }
        for (c, zc) in z.chunks_exact_mut(m).enumerate() {
            let class = (c + offset) as f64;
            for i in 0..m {
                label_logit[i] += if y[i] == class { zc[i] } else { 0.0 };
                let e = exp_normal_with::<FUSED>(zc[i] - top[i]);
                zc[i] = e;
                total[i] += e;
            }
        }
        // loss = log Σ exp(z − max) + max − z_label; accuracy. row by row without dependencies
        // (this loop vectorises, the logarithm included), then summed in eight fixed lanes
        let mut weight_over_total = [0.0f64; MAX_TILE_ROWS];
        let mut loss = [0.0f64; MAX_TILE_ROWS];
        let mut correct = [0.0f64; MAX_TILE_ROWS];
        for i in 0..m {
            weight_over_total[i] = s[i] / total[i];
            loss[i] = s[i] * (ln_at_least_one_with::<FUSED>(total[i]) + top[i] - label_logit[i]);
            correct[i] = if arg[i] == y[i] { s[i] } else { 0.0 };
        }
        self.loss += sum(&loss[..m]);
        self.weight += sum(s);
        self.correct += sum(&correct[..m]);
        // residuals of the stored classes: e·(sᵢ/Σe) − sᵢ·[yᵢ = c], summed in eight fixed lanes
        for (c, zc) in z.chunks_exact_mut(m).enumerate() {
            let class = (c + offset) as f64;
            let mut lanes = [0.0f64; 8];
            let mut add_rows = |zk: &mut [f64], sk: &[f64], yk: &[f64], tk: &[f64]| {
                for l in 0..zk.len() {
                    // the weight read whatever the label (a select, not a branch)
                    let weight = sk[l];
                    let r = zk[l] * tk[l] - if yk[l] == class { weight } else { 0.0 };
                    zk[l] = r;
                    lanes[l] += r;
                }
            };
            // whole groups of eight rows (fixed width: one vector each), then the rest
            let whole = m / 8 * 8;
            let (zw, zr) = zc.split_at_mut(whole);
            for (k, zk) in zw.chunks_exact_mut(8).enumerate() {
                let rows = 8 * k..8 * k + 8;
                let zk: &mut [f64; 8] = zk.try_into().expect("eight rows");
                add_rows(zk, &s[rows.clone()], &y[rows.clone()], &weight_over_total[rows]);
            }
            add_rows(zr, &s[whole..m], &y[whole..m], &weight_over_total[whole..m]);
            residual_sums[c] += fold_lanes(lanes);
        }
    }
}

/// the largest logit and its class (as a number) of the `W` rows from `first` of the column-major
/// logits `z` (`m` rows a column, classes numbered from `offset`), starting from `init` (class 0).
/// `!(v ≤ top)` also takes a NaN logit, so it propagates into the loss.
#[inline(always)]
fn largest<const W: usize>(z: &[f64], m: usize, first: usize, init: f64, offset: usize) -> ([f64; W], [f64; W]) {
    let (mut top, mut arg) = ([init; W], [0.0f64; W]);
    for (c, zc) in z.chunks_exact(m).enumerate() {
        let class = (c + offset) as f64;
        let v: &[f64; W] = zc[first..first + W].try_into().expect("W rows");
        for l in 0..W {
            let take = !(v[l] <= top[l]);
            top[l] = if take { v[l] } else { top[l] };
            arg[l] = if take { class } else { arg[l] };
        }
    }
    (top, arg)
}

/// class probabilities of one row from its `K` logits (all classes), in place; stable for any
/// finite logits.
pub fn softmax_in_place(z: &mut [f64]) {
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for v in z.iter_mut() {
        *v = (*v - top).exp();
        total += *v;
    }
    z.iter_mut().for_each(|v| *v /= total);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// the tile's sums and residuals against a direct computation with `ln` of probabilities
    /// computed in a different way (logits shifted by the label's logit).
    #[test]
    fn a_tile_matches_the_definition_for_any_finite_logits() {
        let (m, k) = (7, 4);
        let y: Vec<f64> = (0..m).map(|i| (i % k) as f64).collect();
        let s: Vec<f64> = (0..m).map(|i| 0.5 + i as f64).collect();
        let z0: Vec<f64> =
            (0..m * k).map(|j| ((j * 37 % 11) as f64 - 5.0) * if j == 9 { 300.0 } else { 1.3 }).collect();
        for reference in [false, true] {
            let stored = if reference { k - 1 } else { k };
            let mut z = z0[..m * stored].to_vec();
            let mut sums = SoftmaxSums::default();
            let mut rsum = vec![0.0; stored];
            sums.add_tile(&y, &s, &mut z, reference, &mut rsum);
            let (mut loss, mut weight) = (0.0, 0.0);
            for i in 0..m {
                let logits: Vec<f64> = (0..k)
                    .map(|c| if reference { if c == 0 { 0.0 } else { z0[(c - 1) * m + i] } } else { z0[c * m + i] })
                    .collect();
                let yl = logits[y[i] as usize];
                let nll: f64 = logits.iter().map(|l| (l - yl).exp()).sum::<f64>().ln();
                loss += s[i] * nll;
                weight += s[i];
                let mut p = logits.clone();
                softmax_in_place(&mut p);
                for c in 0..stored {
                    let class = c + usize::from(reference);
                    let expected = s[i] * (p[class] - f64::from(u8::from(y[i] as usize == class)));
                    assert!((z[c * m + i] - expected).abs() <= 1e-15 * s[i], "row {i} class {class}");
                }
            }
            assert!((sums.loss - loss).abs() <= 1e-13 * loss, "{} vs {loss}", sums.loss);
            assert_eq!(sums.weight, weight);
            // each class's residual sum: the column's sum, to rounding (its order is fixed)
            for (c, got) in rsum.iter().enumerate() {
                let column = &z[c * m..(c + 1) * m];
                let scale: f64 = column.iter().map(|v| v.abs()).sum();
                assert!((got - column.iter().sum::<f64>()).abs() <= 1e-15 * scale, "class {c}");
            }
        }
    }

    #[test]
    fn a_nan_logit_is_never_a_finite_loss() {
        let mut sums = SoftmaxSums::default();
        let mut z = vec![1.0, f64::NAN];
        sums.add_tile(&[0.0], &[1.0], &mut z, false, &mut [0.0, 0.0]);
        assert!(sums.loss.is_nan());
    }
}
