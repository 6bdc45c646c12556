//! the multinomial hessian without forming it, for truncated newton (`newton-cg`): the softmax
//! probabilities of a fixed uniform sample of rows at one θ', kept for hessian–vector products
//! `H·v = [1 X]ᵀ·(s∘(P∘U − P∘(P·u)))/W + l2∘v` with `U = [1 X]·V` (two products over the
//! sample's rows) and for the hessian's diagonal (the preconditioner). on wide K-class data the
//! `(d+1)K`-square hessian costs many passes to form where a product over a sample costs a
//! fraction of one (sub-sampled newton-cg: byrd, chin, neveitt & nocedal 2011); value and
//! gradient stay exact, so the iteration still stops only at the exact optimum.

use rayon::prelude::*;

use super::SoftmaxObjective;
use crate::backend::{Backend, MAX_TILE_ROWS, class_tile_rows};
use crate::blocks::add_weighted_row;
use crate::dataset::MAX_CLASSES;
use crate::rng::Rng;
use crate::view::{Design, Selection};

/// rows per coefficient in the sample of the hessian–vector products (1M × 100, 10 classes, 2
/// threads: 25 / 50 / 100 took 2.07–2.19 / 2.01–2.08 / 3.3 s, 14 / 11 / 11 iterations).
const ROWS_PER_COEFFICIENT: usize = 50;
/// the conjugate gradients' relative residual on a sampled hessian: its own error is of this
/// order (a 1M × 100, 10-class fit: 141 → 81 products, 10 → 11 iterations).
pub(crate) const SAMPLED_FORCING: f64 = 0.1;
/// seed of the sample (fixed: a fit does not depend on any other seed).
const SEED: u64 = 0x4e43_4753_414d_504c;

/// rows of the hessian–vector sample for `n_rows` rows and `k` coefficients (at least 20k, as
/// newton's hessian sample); `None` when every row is used (the sample would not be much
/// smaller than the data).
pub(crate) fn product_sample_rows(n_rows: usize, k: usize) -> Option<usize> {
    crate::solve::sample_rows(n_rows, k, ROWS_PER_COEFFICIENT)
}

/// rows per tile of a product over `x`: the pass's tiles.
fn tile_rows(x: Design<'_>) -> usize {
    match x {
        Design::Dense(m) => class_tile_rows(m.n_cols()),
        Design::Sparse(_) => MAX_TILE_ROWS,
    }
}

/// the probabilities of the stored classes on a sample of rows at the θ' of the last
/// [`SampledCurvature::keep`], and the buffers of the products over it.
#[derive(Debug)]
pub(crate) struct SampledCurvature {
    /// the sample (ascending), or every row
    rows: Option<Vec<usize>>,
    /// rows per parallel part (a function of the shape alone: sums do not depend on threads)
    part_rows: usize,
    /// per position, tile by tile: the tile's `rows × stored` probabilities, column-major
    probs: Vec<f64>,
    /// each position's sample weight `sᵢ`
    weights: Vec<f64>,
    /// `Σ sᵢ` over the sample
    total: f64,
    /// one class-block vector (or diagonal sums) per part
    partials: Vec<f64>,
    /// one tile's logits per part
    scratch: Vec<f64>,
    /// a direction on the raw scale
    raw: Vec<f64>,
}

impl SampledCurvature {
    /// buffers for `obj`, its sample drawn among the rows that carry weight (a cross-validation
    /// fold's training rows; rows of weight 0 add nothing to a product, and a sample of only
    /// such rows would give `0/0`).
    pub(crate) fn new<B: Backend + ?Sized>(obj: &SoftmaxObjective<'_, B>, part_rows: usize) -> Self {
        let (n, p) = (obj.n_rows(), obj.n_params());
        let weighted = obj.data().weighted_rows();
        let pool = weighted.as_ref().map_or(n, Vec::len);
        let rows = product_sample_rows(pool, p).map(|m| {
            let drawn = crate::solve::sample_indices(pool, m, &mut Rng::new(SEED));
            match &weighted {
                // ascending positions among ascending rows: ascending rows
                Some(rows) => drawn.iter().map(|&k| rows[k]).collect(),
                None => drawn,
            }
        });
        let len = rows.as_ref().map_or(n, Vec::len);
        let (stored, d) = (obj.stored_classes(), obj.n_features());
        let parts = len.div_ceil(part_rows).max(1);
        SampledCurvature {
            rows,
            part_rows,
            probs: vec![0.0; len * stored],
            weights: vec![0.0; len],
            total: 0.0,
            // the diagonal's per-class sums (2d + 1) outnumber a product's class block (d + 1)
            partials: vec![0.0; parts * stored * (2 * d + 1)],
            scratch: vec![0.0; parts * MAX_TILE_ROWS * stored],
            raw: vec![0.0; p],
        }
    }

    /// whether the products come from a sample of the rows (not every row).
    pub(crate) fn sampled(&self) -> bool {
        self.rows.is_some()
    }

    /// the probabilities of the sample's rows at θ'.
    pub(crate) fn keep<B: Backend + ?Sized>(&mut self, obj: &SoftmaxObjective<'_, B>, theta: &[f64]) {
        obj.to_raw(theta, &mut self.raw);
        let (backend, data, reference) = (obj.backend(), obj.data(), obj.reference());
        let stored = obj.stored_classes();
        let step = tile_rows(data.x);
        let part = self.part_rows;
        let sel = selection(&self.rows, self.weights.len());
        let (len, raw) = (sel.len(), &self.raw);
        self.probs.par_chunks_mut(part * stored).zip(self.weights.par_chunks_mut(part)).enumerate().for_each(
            |(k, (probs, weights))| {
                let sub = sel.sub(k * part..(k * part + part).min(len));
                let (mut y, mut s) = ([0.0; MAX_TILE_ROWS], [0.0; MAX_TILE_ROWS]);
                for start in (0..sub.len()).step_by(step) {
                    let end = (start + step).min(sub.len());
                    let m = end - start;
                    let tile = sub.sub(start..end);
                    let (_, sw) = data.tile_labels_and_weights(&tile, &mut y, &mut s);
                    weights[start..end].copy_from_slice(sw);
                    let z = &mut probs[start * stored..end * stored];
                    backend.class_logits(&data.rows(tile), raw, z);
                    softmax_columns(z, m, reference);
                }
            },
        );
        self.total = self.weights.iter().sum();
    }

    /// `out ← H·v` at the kept θ' (`v` and `out` in θ').
    pub(crate) fn hess_vec<B: Backend + ?Sized>(&mut self, obj: &SoftmaxObjective<'_, B>, v: &[f64], out: &mut [f64]) {
        obj.to_raw(v, &mut self.raw);
        let (backend, data) = (obj.backend(), obj.data());
        let (stored, q) = (obj.stored_classes(), obj.n_features() + 1);
        let p = stored * q;
        let step = tile_rows(data.x);
        let part = self.part_rows;
        let sel = selection(&self.rows, self.weights.len());
        let len = sel.len();
        let parts = len.div_ceil(part).max(1);
        let (raw, probs, weights) = (&self.raw, &self.probs, &self.weights);
        let zstride = MAX_TILE_ROWS * stored;
        self.partials[..parts * p].par_chunks_mut(p).zip(self.scratch.par_chunks_mut(zstride)).enumerate().for_each(
            |(k, (slot, z))| {
                slot.fill(0.0);
                let sub = sel.sub(k * part..(k * part + part).min(len));
                for start in (0..sub.len()).step_by(step) {
                    let end = (start + step).min(sub.len());
                    let m = end - start;
                    let x = data.rows(sub.sub(start..end));
                    let at = k * part + start;
                    let pt = &probs[at * stored..(at + m) * stored];
                    let st = &weights[at..at + m];
                    let z = &mut z[..m * stored];
                    backend.class_logits(&x, raw, z);
                    // rᵢ꜀ = sᵢ·pᵢ꜀·(uᵢ꜀ − Σ_b pᵢ_b·uᵢ_b)
                    for i in 0..m {
                        let mean: f64 = (0..stored).map(|c| pt[c * m + i] * z[c * m + i]).sum();
                        for c in 0..stored {
                            let r = st[i] * pt[c * m + i] * (z[c * m + i] - mean);
                            z[c * m + i] = r;
                            slot[c * q] += r;
                        }
                    }
                    backend.add_xt_times_classes(&x, z, slot);
                }
            },
        );
        out.fill(0.0);
        for slot in self.partials[..parts * p].chunks_exact(p) {
            out.iter_mut().zip(slot).for_each(|(o, s)| *o += s);
        }
        obj.scale_gradient(v, 1.0 / self.total, out);
    }

    /// the hessian's diagonal at the kept θ' into `out` (θ' coordinates): per class and column
    /// `Σ sᵢ·pᵢ꜀(1 − pᵢ꜀)·x'ᵢⱼ²/W + l2ⱼ`; 1 for a column held at 0 or without curvature.
    pub(crate) fn hess_diagonal<B: Backend + ?Sized>(&mut self, obj: &SoftmaxObjective<'_, B>, out: &mut [f64]) {
        let data = obj.data();
        let (stored, d) = (obj.stored_classes(), obj.n_features());
        let q = d + 1;
        let stride = stored * (2 * d + 1);
        let step = tile_rows(data.x);
        let part = self.part_rows;
        let sel = selection(&self.rows, self.weights.len());
        let len = sel.len();
        let parts = len.div_ceil(part).max(1);
        let (probs, weights) = (&self.probs, &self.weights);
        self.partials[..parts * stride].par_chunks_mut(stride).enumerate().for_each(|(k, slot)| {
            slot.fill(0.0);
            let sub = sel.sub(k * part..(k * part + part).min(len));
            for start in (0..sub.len()).step_by(step) {
                let end = (start + step).min(sub.len());
                let m = end - start;
                let at = k * part + start;
                let pt = &probs[at * stored..(at + m) * stored];
                for i in 0..m {
                    let row = sub.index(start + i);
                    for c in 0..stored {
                        let pc = pt[c * m + i];
                        let h = weights[at + i] * pc * (1.0 - pc);
                        let block = &mut slot[c * (2 * d + 1)..(c + 1) * (2 * d + 1)];
                        block[0] += h;
                        let (lin, sq) = block[1..].split_at_mut(d);
                        add_weighted_row(data.x, row, h, lin, sq);
                    }
                }
            }
        });
        let inv_w = 1.0 / self.total;
        let s = obj.scaling();
        let l2 = obj.l2_weights();
        for c in 0..stored {
            let (mut h, mut lin, mut sq) = (0.0, vec![0.0; d], vec![0.0; d]);
            for slot in self.partials[..parts * stride].chunks_exact(stride) {
                let block = &slot[c * (2 * d + 1)..(c + 1) * (2 * d + 1)];
                h += block[0];
                lin.iter_mut().zip(&block[1..1 + d]).for_each(|(a, b)| *a += b);
                sq.iter_mut().zip(&block[1 + d..]).for_each(|(a, b)| *a += b);
            }
            let o = &mut out[c * q..(c + 1) * q];
            o[0] = h * inv_w;
            for j in 0..d {
                o[1 + j] = if s.constant[j] {
                    1.0
                } else {
                    let m = s.mean[j];
                    (sq[j] - 2.0 * m * lin[j] + m * m * h) * inv_w / (s.scale[j] * s.scale[j]) + l2[j]
                };
            }
        }
        out.iter_mut().filter(|v| !(**v > 0.0)).for_each(|v| *v = 1.0);
    }
}

/// the sample's rows: `rows`, or all `n`.
fn selection(rows: &Option<Vec<usize>>, n: usize) -> Selection<'_> {
    match rows {
        Some(rows) => Selection::Indices(rows),
        None => Selection::Range(0..n),
    }
}

/// a tile's logits (`rows × stored`, column-major) into the stored classes' probabilities, row
/// by row (max-shifted, with class 0's logit 0 when it is the `reference`).
fn softmax_columns(z: &mut [f64], m: usize, reference: bool) {
    let stored = z.len() / m.max(1);
    let offset = usize::from(reference);
    let mut row = [0.0; MAX_CLASSES + 1];
    for i in 0..m {
        let row = &mut row[..stored + offset];
        row[0] = 0.0;
        for c in 0..stored {
            row[c + offset] = z[c * m + i];
        }
        crate::softmax::softmax_in_place(row);
        for c in 0..stored {
            z[c * m + i] = row[c + offset];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multinomial::objective::tests::{data, objective};
    use crate::solve::HessianProducts;

    /// `H·v` from [`SampledCurvature`] against the hessian that
    /// [`SoftmaxObjective::value_grad_hess`] forms over the same rows (every row when there are
    /// few, else the sample), and the diagonal against its diagonal: the same sums in another
    /// order, so 1e-12 relative to the largest entry.
    #[test]
    fn products_and_diagonal_match_the_formed_hessian() {
        for (n, reference, l2) in [(400, true, 0.0), (400, false, 0.03), (90_000, false, 1e-3)] {
            let data = data(n);
            let mut obj = objective(&data, reference, l2);
            let p = obj.n_params();
            assert_eq!(product_sample_rows(n, p).is_some(), n > 80_000, "{n} rows: sampled");
            let theta: Vec<f64> = (0..p).map(|j| ((j * 5 % 7) as f64 - 3.0) * 0.2).collect();
            obj.keep_curvature(&theta);
            let curvature = obj.curvature.take().unwrap();
            let rows = curvature.rows.clone();
            obj.curvature = Some(curvature);
            let sel = match &rows {
                Some(r) => Selection::Indices(r),
                None => Selection::Range(0..n),
            };
            let (mut g, mut h) = (vec![0.0; p], vec![0.0; p * p]);
            obj.value_grad_hess(&sel, &theta, &mut g, &mut h);
            let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let mut diagonal = vec![0.0; p];
            obj.hess_diagonal(&mut diagonal);
            for j in 0..p {
                assert!((diagonal[j] - h[j * p + j]).abs() <= 1e-12 * scale, "{n} rows: diagonal {j}");
            }
            let mut out = vec![0.0; p];
            for seed in 0..3 {
                let v: Vec<f64> = (0..p).map(|j| (((j + seed) * 11 % 13) as f64 - 6.0) / 6.0).collect();
                obj.hess_vec(&v, &mut out);
                for i in 0..p {
                    let want: f64 = (0..p).map(|j| h[i * p + j] * v[j]).sum();
                    assert!(
                        (out[i] - want).abs() <= 1e-12 * scale * p as f64,
                        "{n} rows: (H·v)[{i}] {} vs {want}",
                        out[i]
                    );
                }
            }
        }
    }

    /// rows of weight 0 (a cross-validation fold's held-out rows) are never drawn: with weight
    /// on nine rows in ten the sample holds only weighted rows and its products match the
    /// hessian formed over those rows; with weight on a few rows, too few to sample, the
    /// products use every row (before, a sample could hold none of them: `0/0`).
    #[test]
    fn the_sample_is_drawn_among_the_rows_that_carry_weight() {
        let n = 200_000;
        for (every, sampled) in [(10, true), (500, false)] {
            let w: Vec<f64> = (0..n).map(|i| if (i % every == 0) == sampled { 0.0 } else { 1.0 }).collect();
            let data = data(n).with_weights(w.clone()).unwrap();
            let mut obj = objective(&data, false, 1e-3);
            let p = obj.n_params();
            let theta: Vec<f64> = (0..p).map(|j| ((j * 5 % 7) as f64 - 3.0) * 0.2).collect();
            obj.keep_curvature(&theta);
            let rows = obj.curvature.as_ref().unwrap().rows.clone();
            assert_eq!(rows.is_some(), sampled, "1 row in {every}");
            if let Some(rows) = &rows {
                assert!(rows.iter().all(|&i| w[i] > 0.0) && rows.is_sorted(), "weighted rows, ascending");
            }
            let sel = rows.as_deref().map_or(Selection::Range(0..n), Selection::Indices);
            let (mut g, mut h) = (vec![0.0; p], vec![0.0; p * p]);
            obj.value_grad_hess(&sel, &theta, &mut g, &mut h);
            let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(scale.is_finite() && scale > 0.0);
            let v: Vec<f64> = (0..p).map(|j| ((j * 11 % 13) as f64 - 6.0) / 6.0).collect();
            let mut out = vec![0.0; p];
            obj.hess_vec(&v, &mut out);
            for i in 0..p {
                let want: f64 = (0..p).map(|j| h[i * p + j] * v[j]).sum();
                assert!((out[i] - want).abs() <= 1e-12 * scale * p as f64, "(H·v)[{i}] {} vs {want}", out[i]);
            }
        }
    }

    /// the symmetric model's projection centres every coordinate over the classes, and the
    /// hessian has no component along what it removes beyond the l2 term (`H·u = l2∘u` for a
    /// vector `u` equal in every class block).
    #[test]
    fn the_projection_removes_the_directions_only_the_penalty_sees() {
        let data = data(400);
        let mut obj = objective(&data, false, 0.03);
        let (p, q) = (obj.n_params(), 5);
        let theta: Vec<f64> = (0..p).map(|j| ((j * 3 % 5) as f64 - 2.0) * 0.3).collect();
        obj.keep_curvature(&theta);
        let block = [0.7, -1.0, 0.4, 2.0, -0.3];
        let u: Vec<f64> = block.iter().copied().cycle().take(p).collect();
        let mut out = vec![0.0; p];
        obj.hess_vec(&u, &mut out);
        let l2_diagonal = obj.l2_diagonal();
        for j in 0..p {
            assert!((out[j] - l2_diagonal[j] * u[j]).abs() <= 1e-13, "(H·u)[{j}] {} vs l2·u", out[j]);
        }
        let mut v = u.clone();
        obj.project(&mut v);
        assert!(v.iter().all(|x| x.abs() <= 1e-15), "a vector equal in every block projects to 0");
        let mut w: Vec<f64> = (0..p).map(|j| j as f64).collect();
        obj.project(&mut w);
        for j in 0..q {
            let sum: f64 = (0..3).map(|c| w[c * q + j]).sum();
            assert!(sum.abs() <= 1e-12, "coordinate {j} sums to {sum} over the classes");
        }
    }
}
