//! the multinomial objective `J(B, W) = (1/Σsᵢ) Σ sᵢ·(−log p_{i,yᵢ}) + l2/2·‖W‖²_F + l1·‖W‖₁` with
//! `pᵢ = softmax(b + xᵢ·W)`, intercepts never penalised.
//!
//! parameters travel in class blocks `θ = [b_c, w_c1, …, w_cd]` (see [`crate::Backend`]); with a
//! reference class (unpenalised fits) class 0's block is fixed at 0 and not stored. as in the
//! binary [`crate::Objective`], solvers see the parameters θ' of centred and scaled features,
//! block by block, while the backend reads the raw features.

use crate::backend::{Backend, MAX_TILE_ROWS, softmax_tiles};
use crate::blocks::{block_rows_of, contiguous_block, run_parts};
use crate::dataset::DataRef;
use crate::error::{Error, Result};
use crate::objective::{Evaluation, Penalty, Weights, checked_weights, scale_block_gradient, scale_hessian};
use crate::scaler::Standardizer;
use crate::softmax::SoftmaxSums;
use crate::solve::HessianProducts;
use crate::view::Selection;

use super::curvature::{SAMPLED_FORCING, SampledCurvature};

/// head of a gradient slot: loss, weight, correct.
const HEAD: usize = 3;

/// the multinomial objective over a dataset, evaluated by a backend with preallocated buffers.
#[derive(Debug)]
pub struct SoftmaxObjective<'a, B: Backend + ?Sized> {
    backend: &'a B,
    data: DataRef<'a>,
    n_classes: usize,
    reference: bool,
    penalty: Penalty,
    scaling: Standardizer,
    l2_weight: Vec<f64>,
    l1_weight: Vec<f64>,
    penalize_scaled: bool,
    total_weight: f64,
    block_rows: usize,
    partials: Vec<f64>,
    scratch: Vec<f64>,
    raw: Vec<f64>,
    last_pass: (f64, f64),
    /// the l-bfgs pairs of the last fit on this objective, kept for the next (a path's next
    /// point starts with them)
    pub(crate) kept_memory: Option<crate::solve::lbfgs::Memory>,
    /// the sampled curvature newton-cg's hessian–vector products read
    pub(super) curvature: Option<SampledCurvature>,
}

impl<'a, B: Backend + ?Sized> SoftmaxObjective<'a, B> {
    /// objective of `data` (labels `0..n_classes`) with `penalty`, in the parameters of the
    /// features scaled by `scaling` (the penalty on the scaled coefficients when
    /// `penalize_scaled`); `reference` holds class 0's block at 0.
    pub fn new(
        backend: &'a B,
        data: DataRef<'a>,
        n_classes: usize,
        reference: bool,
        penalty: Penalty,
        scaling: Standardizer,
        penalize_scaled: bool,
    ) -> Result<Self> {
        let (n, d) = (data.x.n_rows(), data.x.n_cols());
        let Weights { total_weight, l2_weight, l1_weight } = checked_weights(data, penalty, &scaling, penalize_scaled)?;
        if n_classes < 2 {
            return Err(Error::param("n_classes", format!("needs at least 2 classes, got {n_classes}")));
        }
        let stored = n_classes - usize::from(reference);
        // at least 256 rows per stored class, so the blocks' partial gradients (one class-block
        // vector each, added up serially) stay under 1/256 of the features they sum whatever K
        // and d (at 1M × 100 × 10, 2 threads, 16 rows per class made the pass 25 % slower); on
        // sparse rows the binary pass's blocks, at most `MAX_SPARSE_BLOCKS` (200k × 47k, 3
        // classes: 261 → 64 partial gradients of 141k values when that rule came in)
        let block_rows = block_rows_of(data.x).max(256 * stored);
        let n_blocks = n.div_ceil(block_rows).max(1);
        Ok(SoftmaxObjective {
            backend,
            data,
            n_classes,
            reference,
            penalty,
            l2_weight,
            l1_weight,
            penalize_scaled,
            scaling,
            total_weight,
            block_rows,
            partials: vec![0.0; n_blocks * (HEAD + stored * (d + 1))],
            scratch: vec![0.0; n_blocks * MAX_TILE_ROWS * stored],
            raw: vec![0.0; stored * (d + 1)],
            last_pass: (f64::NAN, f64::NAN),
            kept_memory: None,
            curvature: None,
        })
    }

    /// number of features `d`.
    pub fn n_features(&self) -> usize {
        self.data.x.n_cols()
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.data.x.n_rows()
    }

    /// number of classes `K`.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// whether class 0 is the reference class (its block held at 0, not stored).
    pub fn reference(&self) -> bool {
        self.reference
    }

    /// number of class blocks in θ: `K`, or `K − 1` with a reference class.
    pub fn stored_classes(&self) -> usize {
        self.n_classes - usize::from(self.reference)
    }

    /// length of θ.
    pub fn n_params(&self) -> usize {
        self.stored_classes() * (self.n_features() + 1)
    }

    /// the penalty.
    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// the same objective with another penalty (measured on the same coefficients); a fit with a
    /// reference class stays unpenalised.
    pub fn set_penalty(&mut self, penalty: Penalty) -> Result<()> {
        if self.reference && penalty != Penalty::none() {
            return Err(Error::param("penalty", "a fit with a reference class is unpenalised"));
        }
        let w = checked_weights(self.data, penalty, &self.scaling, self.penalize_scaled)?;
        (self.penalty, self.l2_weight, self.l1_weight) = (penalty, w.l2_weight, w.l1_weight);
        Ok(())
    }

    /// the l2 strength of each feature's coefficients in θ' (every class alike).
    pub fn l2_weights(&self) -> &[f64] {
        &self.l2_weight
    }

    /// the l2 strength of each coordinate of θ' (class blocks; 0 for the intercepts).
    pub(crate) fn l2_diagonal(&self) -> Vec<f64> {
        let block = std::iter::once(0.0).chain(self.l2_weight.iter().copied());
        block.cycle().take(self.stored_classes() * (self.n_features() + 1)).collect()
    }

    /// the l1 strength of each feature's coefficients in θ' (every class alike).
    pub fn l1_weights(&self) -> &[f64] {
        &self.l1_weight
    }

    /// the l1 strength of every parameter of θ' (0 for the intercepts).
    pub fn l1_strengths(&self) -> Vec<f64> {
        let per_block = std::iter::once(0.0).chain(self.l1_weight.iter().copied());
        per_block.cycle().take(self.n_params()).collect()
    }

    /// the backend.
    pub fn backend(&self) -> &'a B {
        self.backend
    }

    /// the data.
    pub fn data(&self) -> DataRef<'a> {
        self.data
    }

    /// the feature scaling that defines θ'.
    pub fn scaling(&self) -> &Standardizer {
        &self.scaling
    }

    /// total sample weight.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// mean log-loss and accuracy of the last full pass.
    pub fn last_pass(&self) -> (f64, f64) {
        self.last_pass
    }

    /// raw class blocks of θ' (constant columns get exactly 0).
    pub fn to_raw(&self, theta: &[f64], raw: &mut [f64]) {
        let q = self.n_features() + 1;
        for (t, r) in theta.chunks_exact(q).zip(raw.chunks_exact_mut(q)) {
            self.scaling.block_to_raw(t, r);
        }
    }

    /// penalty value at θ' (l2 and l1 over every stored block, intercepts excluded).
    pub fn penalty_value(&self, theta: &[f64]) -> f64 {
        let d = self.n_features();
        let mut v = 0.0;
        for t in theta.chunks_exact(d + 1) {
            for ((w, l2), l1) in t[1..].iter().zip(&self.l2_weight).zip(&self.l1_weight) {
                v += 0.5 * l2 * w * w + l1 * w.abs();
            }
        }
        v
    }

    /// the l2 part of [`SoftmaxObjective::penalty_value`].
    fn l2_value(&self, theta: &[f64]) -> f64 {
        let d = self.n_features();
        theta
            .chunks_exact(d + 1)
            .map(|t| t[1..].iter().zip(&self.l2_weight).map(|(w, l)| l * w * w).sum::<f64>())
            .sum::<f64>()
            * 0.5
    }

    /// smooth part (loss + l2 term) over all rows and its gradient into `grad`.
    pub fn smooth_value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.n_rows();
        self.batch_value_grad(&Selection::Range(0..n), theta, grad)
    }

    /// smooth part over the rows `sel` alone (normalised by their own weight), gradient into
    /// `grad`; `0` and a zero loss gradient when the rows carry no weight.
    pub fn batch_value_grad(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let sums = self.raw_loss_grad(sel, &raw, grad);
        self.raw = raw;
        let inv_w = if sums.weight > 0.0 { 1.0 / sums.weight } else { 0.0 };
        if sel.len() == self.n_rows() {
            self.last_pass = (sums.loss * inv_w, sums.correct * inv_w);
        }
        self.scale_gradient(theta, inv_w, grad);
        sums.loss * inv_w + self.l2_value(theta)
    }

    /// full objective (with the l1 term), mean log-loss and accuracy (most probable class) at
    /// θ', from a pass that computes no gradient.
    pub fn evaluate(&mut self, theta: &[f64]) -> Evaluation {
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let n = self.n_rows();
        let (br, stored) = (self.block_rows, self.stored_classes());
        let parts = n.div_ceil(br);
        let sstride = MAX_TILE_ROWS * stored;
        let (backend, data, reference) = (self.backend, self.data, self.reference);
        let raw_ref = &raw;
        run_parts(
            &Selection::Range(0..n),
            br,
            &mut self.partials[..parts * HEAD],
            HEAD,
            &mut self.scratch[..parts * sstride],
            sstride,
            |sub, slot, z| {
                let sums = softmax_tiles(backend, data, &sub, raw_ref, reference, z, None);
                slot.copy_from_slice(&[sums.loss, sums.weight, sums.correct]);
            },
        );
        self.raw = raw;
        let mut total = SoftmaxSums::default();
        for slot in self.partials[..parts * HEAD].chunks_exact(HEAD) {
            total.add(&SoftmaxSums { loss: slot[0], weight: slot[1], correct: slot[2] });
        }
        let log_loss = total.loss / total.weight;
        Evaluation { objective: log_loss + self.penalty_value(theta), log_loss, accuracy: total.correct / total.weight }
    }

    /// loss sums over the rows `sel` and the raw gradient `[1 X]ᵀ(s∘(P − Y))` (class blocks) at
    /// raw parameters.
    fn raw_loss_grad(&mut self, sel: &Selection<'_>, raw: &[f64], grad: &mut [f64]) -> SoftmaxSums {
        let stride = HEAD + raw.len();
        let br = self.block_rows;
        let parts = sel.len().div_ceil(br);
        let sstride = MAX_TILE_ROWS * self.stored_classes();
        let (backend, data, reference) = (self.backend, self.data, self.reference);
        run_parts(
            sel,
            br,
            &mut self.partials[..parts * stride],
            stride,
            &mut self.scratch[..parts * sstride],
            sstride,
            |sub, slot, z| {
                let (head, g) = slot.split_at_mut(HEAD);
                g.fill(0.0);
                let s = backend.softmax_loss_grad_block(data, &sub, raw, reference, z, g);
                head.copy_from_slice(&[s.loss, s.weight, s.correct]);
            },
        );
        grad.fill(0.0);
        let mut total = SoftmaxSums::default();
        for slot in self.partials[..parts * stride].chunks_exact(stride) {
            total.add(&SoftmaxSums { loss: slot[0], weight: slot[1], correct: slot[2] });
            grad.iter_mut().zip(&slot[HEAD..]).for_each(|(g, p)| *g += p);
        }
        total
    }

    /// the gradient in θ' from raw sums (divided by the weight `1/inv_w`), block by block, with
    /// the l2 term; 0 for constant columns.
    pub(super) fn scale_gradient(&self, theta: &[f64], inv_w: f64, grad: &mut [f64]) {
        let q = self.n_features() + 1;
        for (g, t) in grad.chunks_exact_mut(q).zip(theta.chunks_exact(q)) {
            g[0] *= inv_w;
            scale_block_gradient(&self.scaling, &self.l2_weight, t, inv_w, g);
        }
    }

    /// smooth part, gradient and hessian (`P × P` row-major, `P` = θ's length) over the rows
    /// `sel` (normalised by their own weight, so a sample of rows estimates the full hessian).
    pub fn value_grad_hess(&mut self, sel: &Selection<'_>, theta: &[f64], grad: &mut [f64], hess: &mut [f64]) -> f64 {
        let d = self.n_features();
        let q = d + 1;
        let stored = self.stored_classes();
        let p = stored * q;
        let mut raw = std::mem::take(&mut self.raw);
        self.to_raw(theta, &mut raw);
        let pairs = stored * (stored + 1) / 2;
        // chunks of whole blocks: a function of the selection's length and the shape alone
        let br = self.block_rows;
        let chunk_rows = (sel.len().div_ceil(16).max(4 * p)).div_ceil(br) * br;
        let parts = sel.len().div_ceil(chunk_rows).max(1);
        let stride = HEAD + p + pairs * q * q;
        let sstride = br * (stored + 3 + 2 * d);
        let mut partials = vec![0.0; parts * stride];
        let mut scratch = vec![0.0; parts * sstride];
        let (backend, data, reference) = (self.backend, self.data, self.reference);
        let raw_ref = &raw;
        run_parts(sel, chunk_rows, &mut partials, stride, &mut scratch, sstride, |chunk, slot, scratch| {
            // compiled for the widest simd the cpu has: the softmax (fused polynomials where that has
            // fma) and the hessian weights vectorise
            crate::simd::widest(
                #[inline(always)]
                || {
                    let fused = crate::simd::fused();
                    slot.fill(0.0);
                    let (head, rest) = slot.split_at_mut(HEAD);
                    let (g, h) = rest.split_at_mut(p);
                    let (z, rest) = scratch.split_at_mut(br * stored);
                    let (y, rest) = rest.split_at_mut(br);
                    let (s, rest) = rest.split_at_mut(br);
                    let (gathered, rest) = rest.split_at_mut(br * d);
                    let (weights, rest) = rest.split_at_mut(br);
                    let gram_scratch = &mut rest[..br * d];
                    // per chunk, not per block: a dozen chunks per pass
                    let mut probs = vec![0.0; br * stored];
                    let mut intercepts = vec![0.0; stored];
                    let (mut xw, mut gram) = (vec![0.0; d], vec![0.0; d * d]);
                    for start in (0..chunk.len()).step_by(br) {
                        let block = chunk.sub(start..(start + br).min(chunk.len()));
                        let m = block.len();
                        let rows = contiguous_block(data, &block, &mut *gathered);
                        data.labels_and_weights(&block, &mut y[..m], &mut s[..m]);
                        let z = &mut z[..m * stored];
                        let mut sums = SoftmaxSums::default();
                        intercepts.fill(0.0);
                        for t in (0..m).step_by(MAX_TILE_ROWS) {
                            let e = (t + MAX_TILE_ROWS).min(m);
                            let mt = e - t;
                            let x = rows.sub(t..e);
                            let zt = &mut z[t * stored..e * stored];
                            backend.class_logits(&x, raw_ref, zt);
                            // probabilities of the stored classes, then residuals (the tile call overwrites z)
                            let pt = &mut probs[t * stored..e * stored];
                            pt.copy_from_slice(zt);
                            if fused {
                                sums.add_tile_fused(&y[t..e], &s[t..e], zt, reference, &mut intercepts);
                            } else {
                                sums.add_tile(&y[t..e], &s[t..e], zt, reference, &mut intercepts);
                            }
                            for c in 0..stored {
                                for i in 0..mt {
                                    let onehot = f64::from(u8::from(y[t + i] as usize == c + usize::from(reference)));
                                    pt[c * mt + i] =
                                        if s[t + i] > 0.0 { zt[c * mt + i] / s[t + i] + onehot } else { 0.0 };
                                }
                            }
                            backend.add_xt_times_classes(&x, zt, g);
                        }
                        head[0] += sums.loss;
                        head[1] += sums.weight;
                        head[2] += sums.correct;
                        for (c, r) in intercepts.iter().enumerate() {
                            g[c * q] += r;
                        }
                        // hessian blocks (a, b), a ≤ b: Σ sᵢ·p_ia·(δ_ab − p_ib)·[1 xᵢ][1 xᵢ]ᵀ
                        let mut pair = 0;
                        for a in 0..stored {
                            for b in a..stored {
                                let hb = &mut h[pair * q * q..(pair + 1) * q * q];
                                for t in (0..m).step_by(MAX_TILE_ROWS) {
                                    let e = (t + MAX_TILE_ROWS).min(m);
                                    let mt = e - t;
                                    let pt = &probs[t * stored..e * stored];
                                    for i in 0..mt {
                                        let (pa, pb) = (pt[a * mt + i], pt[b * mt + i]);
                                        weights[t + i] = s[t + i] * pa * (f64::from(u8::from(a == b)) - pb);
                                    }
                                }
                                let w = &weights[..m];
                                hb[0] += w.iter().sum::<f64>();
                                xw.fill(0.0);
                                backend.add_xt_times(&rows, w, &mut xw);
                                for j in 0..d {
                                    hb[1 + j] += xw[j];
                                }
                                gram.fill(0.0);
                                backend.add_weighted_gram(&rows, w, gram_scratch, &mut gram);
                                for r in 0..d {
                                    for c in 0..d {
                                        hb[(1 + r) * q + 1 + c] += gram[r * d + c];
                                    }
                                }
                                pair += 1;
                            }
                        }
                    }
                },
            )
        });
        self.raw = raw;
        let mut total = SoftmaxSums::default();
        grad.fill(0.0);
        hess.fill(0.0);
        for slot in partials.chunks_exact(stride) {
            total.add(&SoftmaxSums { loss: slot[0], weight: slot[1], correct: slot[2] });
            grad.iter_mut().zip(&slot[HEAD..HEAD + p]).for_each(|(g, v)| *g += v);
            let mut pair = 0;
            for a in 0..stored {
                for b in a..stored {
                    let hb = &slot[HEAD + p + pair * q * q..HEAD + p + (pair + 1) * q * q];
                    for r in 0..q {
                        for c in 0..q {
                            // the first row and column of a block were accumulated once: mirror them
                            let v = if r == 0 {
                                hb[c]
                            } else if c == 0 {
                                hb[r]
                            } else {
                                hb[r * q + c]
                            };
                            hess[(a * q + r) * p + b * q + c] += v;
                        }
                    }
                    pair += 1;
                }
            }
        }
        // lower blocks mirror the upper ones
        for a in 0..stored {
            for b in 0..a {
                for r in 0..q {
                    for c in 0..q {
                        hess[(a * q + r) * p + b * q + c] = hess[(b * q + c) * p + a * q + r];
                    }
                }
            }
        }
        let inv_w = if total.weight > 0.0 { 1.0 / total.weight } else { 0.0 };
        if sel.len() == self.n_rows() {
            self.last_pass = (total.loss * inv_w, total.correct * inv_w);
        }
        self.scale_gradient(theta, inv_w, grad);
        scale_hessian(&self.scaling, &self.l2_weight, inv_w, hess);
        total.loss * inv_w + self.l2_value(theta)
    }
}

impl<B: Backend + ?Sized> HessianProducts for SoftmaxObjective<'_, B> {
    /// the probabilities of a fixed sample of rows (every row when there are few) at θ': one
    /// product over the sample.
    fn keep_curvature(&mut self, theta: &[f64]) {
        let mut curvature = self.curvature.take().unwrap_or_else(|| SampledCurvature::new(self, self.block_rows));
        curvature.keep(self, theta);
        self.curvature = Some(curvature);
    }

    fn hess_diagonal(&mut self, out: &mut [f64]) {
        let mut curvature = self.curvature.take().expect("keep_curvature before hess_diagonal");
        curvature.hess_diagonal(self, out);
        self.curvature = Some(curvature);
    }

    fn hess_vec(&mut self, v: &[f64], out: &mut [f64]) {
        let mut curvature = self.curvature.take().expect("keep_curvature before hess_vec");
        curvature.hess_vec(self, v, out);
        self.curvature = Some(curvature);
    }

    /// [`SAMPLED_FORCING`] when the kept curvature is a sample's.
    fn forcing_floor(&self) -> f64 {
        if self.curvature.as_ref().is_some_and(SampledCurvature::sampled) { SAMPLED_FORCING } else { 0.0 }
    }

    /// without a reference class, adding one vector to every class's block changes no
    /// probability: there the objective is the l2 term alone (flat for the intercepts), smallest
    /// at 0, so each coordinate is centred over the classes.
    fn project(&self, v: &mut [f64]) {
        if !self.reference {
            let q = self.n_features() + 1;
            let k = v.len() / q;
            for j in 0..q {
                let mean = (0..k).map(|c| v[c * q + j]).sum::<f64>() / k as f64;
                (0..k).for_each(|c| v[c * q + j] -= mean);
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::backend::ReferenceBackend;
    use crate::scaler::ColumnStats;
    use crate::synthetic::MakeClassification;

    /// `n` rows of 3 classes and 4 features, columns shifted and scaled (so the scaling map
    /// θ' → θ is not the identity) and rows weighted.
    pub(in crate::multinomial) fn data(n: usize) -> crate::Dataset {
        let raw = MakeClassification {
            n_samples: n,
            n_features: 4,
            n_informative: 3,
            n_redundant: 0,
            n_classes: 3,
            seed: 3,
            ..Default::default()
        }
        .generate()
        .unwrap();
        // shifted and scaled columns, so the scaling map θ' → θ is not the identity
        let x: Vec<f64> = raw
            .dense_features()
            .unwrap()
            .data()
            .iter()
            .enumerate()
            .map(|(k, v)| v * (1 + k % 4) as f64 + 3.0)
            .collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 5) as f64 * 0.3).collect();
        crate::Dataset::with_classes(x, 4, raw.labels().to_vec(), 3).unwrap().with_weights(w).unwrap()
    }

    /// the 3-class objective of `data` on the reference backend, its features standardised,
    /// with a `reference` class or not and the ridge `l2`.
    pub(in crate::multinomial) fn objective(
        data: &crate::Dataset,
        reference: bool,
        l2: f64,
    ) -> SoftmaxObjective<'_, ReferenceBackend> {
        let stats = ColumnStats::of(data.as_ref());
        let penalty = Penalty::new(l2, 0.0).unwrap();
        SoftmaxObjective::new(&ReferenceBackend, data.as_ref(), 3, reference, penalty, stats.standardizer, false)
            .unwrap()
    }

    /// the gradient and hessian agree with central differences of the value (and of the
    /// gradient), in the scaled parameters, with and without a reference class and penalty.
    /// step 1e-5: central-difference error O(h²·f''') ≈ 1e-10 plus rounding 1e-16/h ≈ 1e-11,
    /// so 1e-7 relative to the largest entry is a margin of 100.
    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let data = data(300);
        for (reference, l2) in [(true, 0.0), (false, 0.05)] {
            let mut obj = objective(&data, reference, l2);
            let p = obj.n_params();
            let theta: Vec<f64> = (0..p).map(|j| ((j * 7 % 5) as f64 - 2.0) * 0.3).collect();
            let (mut g, mut g2) = (vec![0.0; p], vec![0.0; p]);
            let mut h = vec![0.0; p * p];
            let f = obj.smooth_value_grad(&theta, &mut g);
            let f2 = obj.value_grad_hess(&Selection::Range(0..300), &theta, &mut g2, &mut h);
            assert!((f - f2).abs() <= 1e-14 * f.abs(), "{f} vs {f2}");
            let eps = 1e-5;
            let g_scale = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let h_scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let (mut gp, mut gm) = (vec![0.0; p], vec![0.0; p]);
            for j in 0..p {
                let mut t = theta.clone();
                t[j] += eps;
                let fp = obj.smooth_value_grad(&t, &mut gp);
                t[j] -= 2.0 * eps;
                let fm = obj.smooth_value_grad(&t, &mut gm);
                let fd = (fp - fm) / (2.0 * eps);
                assert!((fd - g[j]).abs() <= 1e-7 * g_scale, "reference {reference}: ∂{j}: {fd} vs {}", g[j]);
                assert!((g[j] - g2[j]).abs() <= 1e-13 * g_scale);
                for i in 0..p {
                    let fd = (gp[i] - gm[i]) / (2.0 * eps);
                    assert!(
                        (fd - h[i * p + j]).abs() <= 1e-7 * h_scale,
                        "reference {reference}: ∂²{i},{j}: {fd} vs {}",
                        h[i * p + j]
                    );
                }
            }
        }
    }
}
