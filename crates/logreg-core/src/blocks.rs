//! deterministic block-parallel passes over the rows of a dataset.
//!
//! rows are cut into cache-sized blocks whose size depends only on the column count; each
//! block writes its own partial sums, and the partials are added in block order. the result
//! is therefore bit-for-bit the same for any number of rayon threads.

use rayon::prelude::*;

use crate::backend::{Backend, BlockSums};
use crate::dataset::DataRef;
use crate::view::{MatrixRef, Rows, Selection};

/// bytes of features per block: fits comfortably in a per-core l2 cache.
const BLOCK_BYTES: usize = 128 * 1024;

/// rows per block for `n_cols` columns (a function of the column count alone).
pub fn block_rows(n_cols: usize) -> usize {
    (BLOCK_BYTES / (8 * n_cols.max(1))).clamp(16, 8192)
}

/// sums of a prediction pass, produced by [`BlockWorkspace::evaluate`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EvalSums {
    /// `Σ sᵢ·logloss`
    pub loss: f64,
    /// `Σ sᵢ`
    pub weight: f64,
    /// `Σ sᵢ·[prediction at 0.5 is right]`
    pub correct: f64,
}

/// preallocated buffers for block-parallel passes over up to `capacity` rows.
#[derive(Clone, Debug)]
pub struct BlockWorkspace {
    n_cols: usize,
    block_rows: usize,
    partials: Vec<f64>,
    scratch: Vec<f64>,
}

const HEAD: usize = 3;

impl BlockWorkspace {
    /// buffers for passes over at most `capacity` rows of `n_cols` columns.
    pub fn new(n_cols: usize, capacity: usize) -> Self {
        let block_rows = block_rows(n_cols);
        let n_blocks = capacity.div_ceil(block_rows).max(1);
        BlockWorkspace {
            n_cols,
            block_rows,
            partials: vec![0.0; n_blocks * (n_cols + HEAD)],
            scratch: vec![0.0; capacity.max(1)],
        }
    }

    /// rows per block.
    pub fn block_rows(&self) -> usize {
        self.block_rows
    }

    /// loss sums over the rows `sel` of `data` at `(w, b)`; `g` is overwritten with `Xᵀ(s∘(p − y))`.
    pub fn loss_grad<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        sel: &Selection<'_>,
        w: &[f64],
        b: f64,
        g: &mut [f64],
    ) -> BlockSums {
        let d = self.n_cols;
        let stride = d + HEAD;
        self.for_each_block(sel, stride, |sub, slot, z| {
            let (head, grad) = slot.split_at_mut(HEAD);
            grad.fill(0.0);
            let s = backend.loss_grad_block(data, &sub, w, b, z, grad);
            head.copy_from_slice(&[s.loss, s.residual, s.weight]);
        });
        g.fill(0.0);
        let mut total = BlockSums::default();
        for slot in self.partials_for(sel.len(), stride).chunks_exact(stride) {
            total.loss += slot[0];
            total.residual += slot[1];
            total.weight += slot[2];
            for (gj, pj) in g.iter_mut().zip(&slot[HEAD..]) {
                *gj += pj;
            }
        }
        total
    }

    /// loss, weight and weighted count of right predictions over the rows `sel` of `data`.
    pub fn evaluate<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        sel: &Selection<'_>,
        w: &[f64],
        b: f64,
    ) -> EvalSums {
        self.for_each_block(sel, HEAD, |sub, slot, z| {
            backend.linear_predictor(&data.rows(sub.clone()), w, b, z);
            let mut s = EvalSums::default();
            for (k, &zk) in z.iter().enumerate() {
                let i = sub.index(k);
                let (wi, yi) = (data.weight(i), data.y[i]);
                s.loss += wi * crate::numerics::log_loss(yi, zk);
                s.weight += wi;
                if (zk >= 0.0) == (yi == 1.0) {
                    s.correct += wi;
                }
            }
            slot.copy_from_slice(&[s.loss, s.weight, s.correct]);
        });
        let mut total = EvalSums::default();
        for slot in self.partials_for(sel.len(), HEAD).chunks_exact(HEAD) {
            total.loss += slot[0];
            total.weight += slot[1];
            total.correct += slot[2];
        }
        total
    }

    fn partials_for(&self, len: usize, stride: usize) -> &[f64] {
        &self.partials[..len.div_ceil(self.block_rows) * stride]
    }

    /// run `f(block selection, its partial slot, its scratch)` over the blocks of `sel`,
    /// in parallel when there is more than one block.
    fn for_each_block<F>(&mut self, sel: &Selection<'_>, stride: usize, f: F)
    where
        F: Fn(Selection<'_>, &mut [f64], &mut [f64]) + Sync,
    {
        let len = sel.len();
        assert!(len <= self.scratch.len(), "selection of {len} rows exceeds the workspace capacity");
        let br = self.block_rows;
        let n_blocks = len.div_ceil(br);
        let partials = &mut self.partials[..n_blocks * stride];
        let scratch = &mut self.scratch[..len];
        let run =
            |(k, (slot, z)): (usize, (&mut [f64], &mut [f64]))| f(sel.sub(k * br..(k * br + br).min(len)), slot, z);
        if n_blocks <= 1 {
            partials.chunks_mut(stride).zip(scratch.chunks_mut(br)).enumerate().for_each(run);
        } else {
            partials.par_chunks_mut(stride).zip(scratch.par_chunks_mut(br)).enumerate().for_each(run);
        }
    }
}

/// decision values `X·w + b` of every row of `x` into `out`, block-parallel.
pub fn decision_values<B: Backend + ?Sized>(backend: &B, x: MatrixRef<'_>, w: &[f64], b: f64, out: &mut [f64]) {
    assert_eq!(out.len(), x.n_rows(), "output length must equal the row count");
    let br = block_rows(x.n_cols());
    out.par_chunks_mut(br).enumerate().for_each(|(k, z)| {
        let start = k * br;
        backend.linear_predictor(&Rows::new(x, Selection::Range(start..start + z.len())), w, b, z);
    });
}
