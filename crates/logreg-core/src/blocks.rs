//! deterministic block-parallel passes over the rows of a dataset.
//!
//! rows are cut into cache-sized blocks whose size depends only on the column count; each
//! block writes its own partial sums, and the partials are added in block order. the result
//! is therefore bit-for-bit the same for any number of rayon threads.

use rayon::prelude::*;

use crate::backend::{Backend, BlockSums, MAX_TILE_ROWS, TileRows, loss_grad_tiles};
use crate::dataset::DataRef;
use crate::view::{Design, MatrixRef, Rows, Selection};

/// bytes of features per block: enough that a block's fixed costs (a task, a partial sum to
/// combine in order) are small next to streaming its rows, few enough that even modest data makes
/// many blocks for the threads. (512 KB against 128 KB, four interleaved experiments on zen 3:
/// the fused pass at 1M × 100 never slower, 0–7 % faster; no change at 1M × 20 or in the
/// K-class pass.)
const BLOCK_BYTES: usize = 512 * 1024;

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
    /// the jobs' points as class blocks, for [`BlockWorkspace::loss_grad_columns`]
    coefs: Vec<f64>,
}

/// one job of [`BlockWorkspace::loss_grad_jobs`]: the weights of the rows (`None`: all ones) and
/// the point `(w, b)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PassJob<'j> {
    pub weights: Option<&'j [f64]>,
    pub w: &'j [f64],
    pub b: f64,
}

/// head of a gradient slot: loss, residual, weight, correct.
const HEAD: usize = 4;
/// an evaluation slot: loss, weight, correct.
const EVAL_STRIDE: usize = 3;
/// gradient entries a thread sums over the blocks' partials at a time (32 KB of the result).
const REDUCE_CHUNK: usize = 4096;
/// partial values from which the blocks' partial gradients are summed on all threads.
const PARALLEL_REDUCE_VALUES: usize = 1 << 20;

impl BlockWorkspace {
    /// buffers for passes over at most `capacity` rows of `x` (blocks by [`block_rows_of`]).
    pub fn new(x: Design<'_>, capacity: usize) -> Self {
        let n_cols = x.n_cols();
        let block_rows = block_rows_of(x);
        let n_blocks = capacity.div_ceil(block_rows).max(1);
        BlockWorkspace {
            n_cols,
            block_rows,
            partials: vec![0.0; n_blocks * (n_cols + HEAD)],
            scratch: vec![0.0; capacity.max(1)],
            coefs: Vec::new(),
        }
    }

    /// buffers for [`BlockWorkspace::loss_grad_jobs`] of up to `jobs` jobs at once over every
    /// row of `x`.
    pub(crate) fn for_jobs(x: Design<'_>, jobs: usize) -> Self {
        let mut ws = BlockWorkspace::new(x, x.n_rows());
        let n_blocks = x.n_rows().div_ceil(ws.block_rows).max(1);
        ws.partials = vec![0.0; n_blocks * jobs.max(1) * (ws.n_cols + HEAD)];
        ws
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
        let job = PassJob { weights: data.weights, w, b };
        let mut sums = [BlockSums::default()];
        self.loss_grad_jobs(backend, DataRef { weights: None, ..data }, sel, &[job], &mut [g], &mut sums);
        sums[0]
    }

    /// [`BlockWorkspace::loss_grad`] of each of `jobs` (its own weights and point) into the
    /// gradient and sums of the same index, the rows `sel` of `data` (whose weights are
    /// ignored) read once for all of them: each block of rows goes through every job while it
    /// is in cache. each job's sums and gradient are those of its own pass to the bit. the
    /// workspace must have room for the jobs (see [`BlockWorkspace::for_jobs`]).
    pub(crate) fn loss_grad_jobs<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        sel: &Selection<'_>,
        jobs: &[PassJob<'_>],
        grads: &mut [&mut [f64]],
        totals: &mut [BlockSums],
    ) {
        let d = self.n_cols;
        let stride = d + HEAD;
        let width = jobs.len() * stride;
        self.for_each_block(sel, width, |sub, slots, z| {
            for (job, slot) in jobs.iter().zip(slots.chunks_exact_mut(stride)) {
                let (head, grad) = slot.split_at_mut(HEAD);
                grad.fill(0.0);
                let job_data = DataRef { weights: job.weights, ..data };
                let s = backend.loss_grad_block(job_data, &sub, job.w, job.b, z, grad);
                head.copy_from_slice(&[s.loss, s.residual, s.weight, s.correct]);
            }
        });
        self.add_job_partials(sel.len(), jobs.len(), grads, totals);
    }

    /// the jobs' sums and gradients from the blocks' partials of a pass over `len` rows, added
    /// in block order.
    fn add_job_partials(&self, len: usize, jobs: usize, grads: &mut [&mut [f64]], totals: &mut [BlockSums]) {
        let stride = self.n_cols + HEAD;
        let width = jobs * stride;
        let partials = self.partials_for(len, width);
        totals.fill(BlockSums::default());
        for block in partials.chunks_exact(width) {
            for (total, slot) in totals.iter_mut().zip(block.chunks_exact(stride)) {
                total.loss += slot[0];
                total.residual += slot[1];
                total.weight += slot[2];
                total.correct += slot[3];
            }
        }
        // each gradient entry sums its blocks in block order, so the entries can be cut into
        // chunks summed on all threads: wide sparse data have `d`-long partials of many blocks
        let blocks = partials.len() / width.max(1);
        for (job, g) in grads.iter_mut().enumerate() {
            let add_chunk = |(c, chunk): (usize, &mut [f64])| {
                let at = job * stride + HEAD + c * REDUCE_CHUNK;
                chunk.fill(0.0);
                for block in partials.chunks_exact(width) {
                    for (gj, pj) in chunk.iter_mut().zip(&block[at..]) {
                        *gj += pj;
                    }
                }
            };
            if blocks * g.len() >= PARALLEL_REDUCE_VALUES {
                g.par_chunks_mut(REDUCE_CHUNK).enumerate().for_each(add_chunk);
            } else {
                g.chunks_mut(REDUCE_CHUNK).enumerate().for_each(add_chunk);
            }
        }
    }

    /// [`BlockWorkspace::loss_grad_jobs`] over dense rows with the jobs' points as the columns of
    /// one matrix `W`: a tile's logits are one product `X·W` and its gradients one product
    /// `Xᵀ·R` (the backend's class kernels, [`Backend::class_logits`] and
    /// [`Backend::add_xt_times_classes`]). a job's sums and gradient depend on its own point and
    /// weights and on the number of jobs (the shape of the products), not on the other jobs'
    /// points or weights; they equal its own pass's to rounding.
    pub(crate) fn loss_grad_columns<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        sel: &Selection<'_>,
        jobs: &[PassJob<'_>],
        grads: &mut [&mut [f64]],
        totals: &mut [BlockSums],
    ) {
        let d = self.n_cols;
        let (k, q) = (jobs.len(), d + 1);
        let stride = d + HEAD;
        let width = k * stride;
        self.coefs.clear();
        for job in jobs {
            self.coefs.push(job.b);
            self.coefs.extend_from_slice(job.w);
        }
        let coefs = &self.coefs[..];
        let br = self.block_rows;
        let parts = sel.len().div_ceil(br);
        let step = crate::backend::class_tile_rows(d).min(br);
        // a part's scratch (`k·(step + q)` values) is larger than the workspace's per-block
        // slice for wide data, so it lives with the thread instead (the slice unused)
        let unused = &mut self.scratch[..parts];
        run_parts(sel, br, &mut self.partials[..parts * width], width, unused, 1, |sub, slots, _| {
            slots.fill(0.0);
            COLUMNS_SCRATCH.with_borrow_mut(|scratch| {
                // the tile's logits (then residuals), one column per job, and the gradients' class
                // blocks; every value is written before it is read
                scratch.resize(scratch.len().max(k * step + k * q), 0.0);
                let (z, gb) = scratch.split_at_mut(k * step);
                let gb = &mut gb[..k * q];
                gb.fill(0.0);
                columns_block(backend, data, &sub, coefs, jobs, step, z, gb, slots);
                for (slot, block) in slots.chunks_exact_mut(stride).zip(gb.chunks_exact(q)) {
                    slot[HEAD..].copy_from_slice(&block[1..]);
                }
            });
        });
        self.add_job_partials(sel.len(), jobs.len(), grads, totals);
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
        self.for_each_block(sel, EVAL_STRIDE, |sub, slot, z| {
            // the fused pass's tiles and loss accounting without its gradient: its loss to the
            // bit when the logits are the same
            let mut tile = TileRows::default();
            let s = loss_grad_tiles(
                data,
                &sub,
                z,
                #[inline(always)]
                |x, y, s, z, sums| {
                    backend.linear_predictor(x, w, b, z);
                    sums.add_tile_at_level(&mut tile, y, s, z);
                },
            );
            slot.copy_from_slice(&[s.loss, s.weight, s.correct]);
        });
        let mut total = EvalSums::default();
        for slot in self.partials_for(sel.len(), EVAL_STRIDE).chunks_exact(EVAL_STRIDE) {
            total.loss += slot[0];
            total.weight += slot[1];
            total.correct += slot[2];
        }
        total
    }

    /// the per-row values the last pass left: after [`BlockWorkspace::loss_grad`], the weighted
    /// residuals `sᵢ(σ(zᵢ) − yᵢ)` of its first `len` selected rows, in selection order.
    pub fn row_values(&self, len: usize) -> &[f64] {
        &self.scratch[..len]
    }

    /// `Xᵀ·(h∘(X·v + c))` over every row of `data` into `out`; returns `Σ hᵢ(xᵢ·v + c)` (the
    /// intercept's share). with curvatures `h`, a hessian–vector product.
    pub fn weighted_products<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        h: &[f64],
        v: &[f64],
        c: f64,
        out: &mut [f64],
    ) -> f64 {
        let d = self.n_cols;
        let stride = d + 1;
        let sel = Selection::Range(0..data.x.n_rows());
        self.for_each_block(&sel, stride, |sub, slot, z| {
            let (head, grad) = slot.split_at_mut(1);
            grad.fill(0.0);
            let x = data.rows(sub.clone());
            backend.linear_predictor(&x, v, c, z);
            let mut sum = 0.0;
            for (zk, k) in z.iter_mut().zip(sub.index(0)..) {
                *zk *= h[k];
                sum += *zk;
            }
            head[0] = sum;
            backend.add_xt_times(&x, z, grad);
        });
        out.fill(0.0);
        let mut total = 0.0;
        for slot in self.partials_for(sel.len(), stride).chunks_exact(stride) {
            total += slot[0];
            for (o, p) in out.iter_mut().zip(&slot[1..]) {
                *o += p;
            }
        }
        total
    }

    /// per column `Σ hᵢxᵢⱼ` into `linear` and `Σ hᵢxᵢⱼ²` into `squares`, over every row of
    /// `data`; returns `Σ hᵢ` (the hessian's diagonal before scaling, with curvatures `h`).
    pub fn weighted_column_sums(
        &mut self,
        data: DataRef<'_>,
        h: &[f64],
        linear: &mut [f64],
        squares: &mut [f64],
    ) -> f64 {
        let d = self.n_cols;
        let stride = 2 * d + 1;
        let sel = Selection::Range(0..data.x.n_rows());
        let parts = sel.len().div_ceil(self.block_rows);
        // two d-vectors per block: the workspace's partials hold one, so these get their own
        let mut partials = vec![0.0; parts * stride];
        run_parts(&sel, self.block_rows, &mut partials, stride, &mut self.scratch[..parts], 1, |sub, slot, _| {
            let (head, rest) = slot.split_at_mut(1);
            let (lin, sq) = rest.split_at_mut(d);
            for k in 0..sub.len() {
                let i = sub.index(k);
                let hi = h[i];
                head[0] += hi;
                add_weighted_row(data.x, i, hi, lin, sq);
            }
        });
        linear.fill(0.0);
        squares.fill(0.0);
        let mut total = 0.0;
        for slot in partials.chunks_exact(stride) {
            total += slot[0];
            for j in 0..d {
                linear[j] += slot[1 + j];
                squares[j] += slot[1 + d + j];
            }
        }
        total
    }

    fn partials_for(&self, len: usize, stride: usize) -> &[f64] {
        &self.partials[..len.div_ceil(self.block_rows) * stride]
    }

    /// run `f(block selection, its partial slot, its scratch)` over the blocks of `sel`.
    fn for_each_block<F>(&mut self, sel: &Selection<'_>, stride: usize, f: F)
    where
        F: Fn(Selection<'_>, &mut [f64], &mut [f64]) + Sync,
    {
        let len = sel.len();
        assert!(len <= self.scratch.len(), "selection of {len} rows exceeds the workspace capacity");
        let br = self.block_rows;
        let parts = len.div_ceil(br);
        run_parts(sel, br, &mut self.partials[..parts * stride], stride, &mut self.scratch[..len], br, f);
    }
}

thread_local! {
    /// per thread: the scratch of [`BlockWorkspace::loss_grad_columns`]' blocks, kept between passes.
    static COLUMNS_SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// one block `sub` of [`BlockWorkspace::loss_grad_columns`], tile by tile (`step` rows): the
/// jobs' logits into `z` (column-major, a column per job), each column's sums added to the
/// job's slot head and the column turned into its residuals, the gradients added to `gb`
/// (class blocks of `d + 1`, intercept entries untouched).
#[allow(clippy::too_many_arguments)]
fn columns_block<B: Backend + ?Sized>(
    backend: &B,
    data: DataRef<'_>,
    sub: &Selection<'_>,
    coefs: &[f64],
    jobs: &[PassJob<'_>],
    step: usize,
    z: &mut [f64],
    gb: &mut [f64],
    slots: &mut [f64],
) {
    let (m, k, stride) = (sub.len(), jobs.len(), data.x.n_cols() + HEAD);
    crate::simd::widest(
        #[inline(always)]
        || {
            let (mut y, mut s) = ([0.0; MAX_TILE_ROWS], [0.0; MAX_TILE_ROWS]);
            let mut rows = TileRows::default();
            let mut start = 0;
            while start < m {
                let end = (start + step).min(m);
                let t = end - start;
                let tile = sub.sub(start..end);
                let x = data.rows(tile.clone());
                let zt = &mut z[..t * k];
                backend.class_logits(&x, coefs, zt);
                for ((job, zc), slot) in jobs.iter().zip(zt.chunks_exact_mut(t)).zip(slots.chunks_exact_mut(stride)) {
                    let job_data = DataRef { weights: job.weights, ..data };
                    let (y, s) = job_data.tile_labels_and_weights(&tile, &mut y, &mut s);
                    let mut sums = BlockSums::default();
                    sums.add_tile_at_level(&mut rows, y, s, zc);
                    slot[0] += sums.loss;
                    slot[1] += sums.residual;
                    slot[2] += sums.weight;
                    slot[3] += sums.correct;
                }
                // the next tile's features (the next block's where this one ends) requested
                // meanwhile, when they are one slice of the matrix
                let next = match sub {
                    Selection::Range(r) => r.start + end..(r.start + end + step).min(data.x.n_rows()),
                    Selection::Indices(_) => 0..0,
                };
                let ahead = data.rows(Selection::Range(next)).as_contiguous().map_or(&[][..], |a| a.data());
                backend.add_xt_times_classes_ahead(&x, zt, gb, ahead);
                start = end;
            }
        },
    );
}

/// `lin += h·xᵢ` and `sq += h·xᵢ²` (element-wise) for row `i` of `x`.
#[inline]
pub(crate) fn add_weighted_row(x: Design<'_>, i: usize, h: f64, lin: &mut [f64], sq: &mut [f64]) {
    match x {
        Design::Dense(x) => {
            for ((l, s), &v) in lin.iter_mut().zip(sq.iter_mut()).zip(x.row(i)) {
                *l += h * v;
                *s += h * v * v;
            }
        }
        Design::Sparse(x) => {
            let (cols, vals) = x.row(i);
            for (&c, &v) in cols.iter().zip(vals) {
                lin[c as usize] += h * v;
                sq[c as usize] += h * v * v;
            }
        }
    }
}

/// run `f(part selection, its partial slot, its scratch)` over consecutive parts of `part_rows`
/// rows of `sel`; parallel when there is more than one part. the k-th part always gets the
/// k-th slot, so sums taken over the slots in order do not depend on the thread count.
pub(crate) fn run_parts<F>(
    sel: &Selection<'_>,
    part_rows: usize,
    partials: &mut [f64],
    stride: usize,
    scratch: &mut [f64],
    scratch_stride: usize,
    f: F,
) where
    F: Fn(Selection<'_>, &mut [f64], &mut [f64]) + Sync,
{
    let len = sel.len();
    let run = |(k, (slot, z)): (usize, (&mut [f64], &mut [f64]))| {
        f(sel.sub(k * part_rows..(k * part_rows + part_rows).min(len)), slot, z)
    };
    if len <= part_rows {
        partials.chunks_mut(stride).zip(scratch.chunks_mut(scratch_stride)).enumerate().for_each(run);
    } else {
        partials.par_chunks_mut(stride).zip(scratch.par_chunks_mut(scratch_stride)).enumerate().for_each(run);
    }
}

/// chunks the hessian pass is split into at least, when the data have a block of rows per chunk
/// (a function of the capacity, never of the thread count).
const MIN_HESSIAN_CHUNKS: usize = 16;

/// preallocated buffers for the newton pass: loss, gradient and hessian over up to `capacity` rows.
///
/// rows are grouped into chunks of whole blocks; each chunk accumulates its blocks in order into
/// one partial hessian, and chunk partials are added in chunk order. the chunk size depends only
/// on the column count and the number of rows summed (see [`HessianWorkspace::chunk_rows`]), so
/// the pass runs on every thread at any width and the same on any thread count.
#[derive(Clone, Debug)]
pub struct HessianWorkspace {
    n_cols: usize,
    block_rows: usize,
    memory_rows: usize,
    min_rows: usize,
    partials: Vec<f64>,
    scratch: Vec<f64>,
}

impl HessianWorkspace {
    /// buffers for passes over at most `capacity` rows of `n_cols` columns.
    pub fn new(n_cols: usize, capacity: usize) -> Self {
        let d = n_cols.max(1);
        let block_rows = block_rows(d);
        let whole_blocks = |rows: usize| rows.div_ceil(block_rows) * block_rows;
        let mut ws = HessianWorkspace {
            n_cols: d,
            block_rows,
            memory_rows: whole_blocks(16_384usize.max(4 * d * d)),
            min_rows: whole_blocks(4 * d),
            partials: Vec::new(),
            scratch: Vec::new(),
        };
        // the most chunks any selection up to `capacity` rows is cut into (+1 for rounding)
        let chunks = capacity.div_ceil(ws.chunk_rows(capacity)) + 1;
        ws.partials = vec![0.0; chunks * Self::stride(d)];
        ws.scratch = vec![0.0; chunks * Self::scratch_stride(d, block_rows)];
        ws
    }

    /// rows per chunk of a pass over `len` rows: about two bytes of partial hessian per row
    /// (`4d²` rows), but at least [`MIN_HESSIAN_CHUNKS`] chunks where chunks of `4d` rows
    /// allow it (partials then take at most a quarter of the bytes of the rows they sum; at
    /// 1M × 500 the first rule alone gives one chunk: one thread). whole blocks; a function of
    /// `len` and the width only.
    fn chunk_rows(&self, len: usize) -> usize {
        let by_parallelism = len.div_ceil(MIN_HESSIAN_CHUNKS).div_ceil(self.block_rows) * self.block_rows;
        self.memory_rows.min(by_parallelism.max(self.min_rows))
    }

    fn stride(d: usize) -> usize {
        5 + 2 * d + d * d
    }

    /// per chunk: logits, curvatures, labels, weights, the gathered rows of a scattered block,
    /// and the backend's gram scratch.
    fn scratch_stride(d: usize, block_rows: usize) -> usize {
        block_rows * (4 + 2 * d)
    }

    /// loss sums over the rows `sel` at `(w, b)`; `g` ← `Xᵀ(s∘(p − y))` and `hess` ← the
    /// `(d+1) × (d+1)` matrix `[1 X]ᵀ·diag(s∘p∘(1−p))·[1 X]` (intercept first, row-major).
    #[allow(clippy::too_many_arguments)]
    pub fn loss_grad_hess<B: Backend + ?Sized>(
        &mut self,
        backend: &B,
        data: DataRef<'_>,
        sel: &Selection<'_>,
        w: &[f64],
        b: f64,
        g: &mut [f64],
        hess: &mut [f64],
    ) -> BlockSums {
        let d = self.n_cols;
        let (br, stride, sstride) = (self.block_rows, Self::stride(d), Self::scratch_stride(d, self.block_rows));
        let chunk_rows = self.chunk_rows(sel.len());
        let parts = sel.len().div_ceil(chunk_rows);
        assert!(parts * stride <= self.partials.len(), "selection exceeds the workspace capacity");
        run_parts(
            sel,
            chunk_rows,
            &mut self.partials[..parts * stride],
            stride,
            &mut self.scratch[..parts * sstride],
            sstride,
            |chunk, slot, scratch| {
                slot.fill(0.0);
                let (head, rest) = slot.split_at_mut(5);
                let (gs, rest) = rest.split_at_mut(d);
                let (hx, gram) = rest.split_at_mut(d);
                let (r, rest) = scratch.split_at_mut(br);
                let (h, rest) = rest.split_at_mut(br);
                let (y, rest) = rest.split_at_mut(br);
                let (s, rest) = rest.split_at_mut(br);
                let (gathered, gram_scratch) = rest.split_at_mut(br * d);
                for start in (0..chunk.len()).step_by(br) {
                    let block = chunk.sub(start..(start + br).min(chunk.len()));
                    let m = block.len();
                    let rows = contiguous_block(data, &block, &mut *gathered);
                    data.labels_and_weights(&block, &mut y[..m], &mut s[..m]);
                    backend.linear_predictor(&rows, w, b, &mut r[..m]);
                    // vectorised (widest simd): curvatures, then losses and residuals tile by tile
                    let sums = crate::simd::widest(
                        #[inline(always)]
                        || {
                            for ((hk, &rk), &sk) in h[..m].iter_mut().zip(&r[..m]).zip(&s[..m]) {
                                *hk = sk * crate::numerics::curvature(rk);
                            }
                            let (mut sums, mut tile) = (BlockSums::default(), TileRows::default());
                            for ((rt, yt), st) in r[..m]
                                .chunks_mut(MAX_TILE_ROWS)
                                .zip(y[..m].chunks(MAX_TILE_ROWS))
                                .zip(s[..m].chunks(MAX_TILE_ROWS))
                            {
                                sums.add_tile_at_level(&mut tile, yt, st, rt);
                            }
                            sums
                        },
                    );
                    head[0] += sums.loss;
                    head[1] += sums.residual;
                    head[2] += sums.weight;
                    head[3] += h[..m].iter().sum::<f64>();
                    head[4] += sums.correct;
                    backend.add_xt_times(&rows, &r[..m], gs);
                    backend.add_xt_times(&rows, &h[..m], hx);
                    backend.add_weighted_gram(&rows, &h[..m], gram_scratch, gram);
                }
            },
        );
        g.fill(0.0);
        hess.fill(0.0);
        let k = d + 1;
        let mut total = BlockSums::default();
        for slot in self.partials[..parts * stride].chunks_exact(stride) {
            total.loss += slot[0];
            total.residual += slot[1];
            total.weight += slot[2];
            total.correct += slot[4];
            hess[0] += slot[3];
            for j in 0..d {
                g[j] += slot[5 + j];
                hess[1 + j] += slot[5 + d + j];
            }
            let gram = &slot[5 + 2 * d..];
            for a in 0..d {
                for (hb, gv) in hess[(1 + a) * k + 1..(2 + a) * k].iter_mut().zip(&gram[a * d..(a + 1) * d]) {
                    *hb += gv;
                }
            }
        }
        for j in 1..k {
            hess[j * k] = hess[j];
        }
        total
    }
}

/// the rows `block` of `data` as the backends' matrix kernels like them: a range of rows is
/// viewed in place, a scattered block (a hessian sample) of dense rows is copied once into
/// `gathered` (at least `block.len() · d` long) so that they are contiguous; sparse rows are
/// viewed as they are.
pub(crate) fn contiguous_block<'g>(data: DataRef<'g>, block: &Selection<'g>, gathered: &'g mut [f64]) -> Rows<'g> {
    match (data.x, block) {
        (Design::Dense(x), Selection::Indices(ix)) => {
            let (m, d) = (block.len(), x.n_cols());
            for (dst, &i) in gathered.chunks_exact_mut(d).zip(ix.iter()) {
                dst.copy_from_slice(x.row(i));
            }
            Rows::all(MatrixRef::new(&gathered[..m * d], m, d).expect("m·d elements"))
        }
        (x, Selection::Range(r)) => Rows::all(x.slice_rows(r.clone())),
        (x, sel) => Rows::new(x, sel.clone()),
    }
}

/// rows per block of a pass over `x` (a function of its shape alone): [`block_rows`] of its width
/// when dense; when sparse, enough rows that a block's share of the products outweighs zeroing
/// and adding up its partial `d`-vector ([`SPARSE_ENTRIES_PER_COLUMN`] stored entries per
/// column), at most [`MAX_SPARSE_BLOCKS`] blocks and at least [`MIN_SPARSE_BLOCKS`].
pub fn block_rows_of(x: Design<'_>) -> usize {
    match x {
        Design::Dense(m) => block_rows(m.n_cols()),
        Design::Sparse(m) => {
            let n = m.n_rows().max(1);
            let per_row = (m.nnz() as f64 / n as f64).max(1.0);
            let for_work = ((SPARSE_ENTRIES_PER_COLUMN * m.n_cols()) as f64 / per_row).ceil() as usize;
            for_work.max(n.div_ceil(MAX_SPARSE_BLOCKS)).min(n.div_ceil(MIN_SPARSE_BLOCKS)).max(16)
        }
    }
}

/// the most blocks a pass over sparse rows is cut into: each holds a partial gradient of `d`
/// values.
pub const MAX_SPARSE_BLOCKS: usize = 64;
/// the fewest blocks a pass over sparse rows is cut into (when it has rows enough), so that
/// two threads share it however wide the data.
const MIN_SPARSE_BLOCKS: usize = 2;
/// stored entries a block of sparse rows holds at least per column of the data: at rcv1's shape
/// (200k × 47k, 52 a row) 28 blocks instead of 64, the pass on two threads 7.4–7.9 → 6.7–6.9 ms
/// (zen 5, 2026-11-25).
const SPARSE_ENTRIES_PER_COLUMN: usize = 8;

/// decision values `X·w + b` of every row of `x` into `out`, block-parallel.
pub fn decision_values<'a, B: Backend + ?Sized>(
    backend: &B,
    x: impl Into<Design<'a>>,
    w: &[f64],
    b: f64,
    out: &mut [f64],
) {
    let x = x.into();
    assert_eq!(out.len(), x.n_rows(), "output length must equal the row count");
    let br = prediction_block_rows(x);
    out.par_chunks_mut(br).enumerate().for_each(|(k, z)| {
        let start = k * br;
        backend.linear_predictor(&Rows::new(x, Selection::Range(start..start + z.len())), w, b, z);
    });
}

/// rows per block of a prediction pass (no partial sums): [`block_rows`] when dense, about
/// [`BLOCK_BYTES`] of stored entries when sparse.
pub(crate) fn prediction_block_rows(x: Design<'_>) -> usize {
    match x {
        Design::Dense(m) => block_rows(m.n_cols()),
        Design::Sparse(m) => {
            let per_row = (m.nnz() as f64 / m.n_rows().max(1) as f64).max(1.0);
            ((BLOCK_BYTES as f64 / (12.0 * per_row)) as usize).clamp(16, 8192)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ReferenceBackend;
    use crate::dataset::Dataset;

    /// an evaluation's loss, weight and right predictions are those of the loss-and-gradient
    /// pass at the same point to the bit (a value from either is the same number), over several blocks,
    /// weighted, scattered rows too; and its loss is the row-by-row log-loss to rounding.
    #[test]
    fn evaluate_is_the_pass_without_its_gradient() {
        let mut rng = crate::rng::Rng::new(31);
        for d in [3, 20, 100] {
            let n = 9_001;
            let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
            let y: Vec<f64> = (0..n).map(|_| (rng.uniform() < 0.3) as u8 as f64).collect();
            let weights: Vec<f64> = (0..n).map(|_| 0.5 + rng.uniform()).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let data = Dataset::new(x, d, y).unwrap().with_weights(weights).unwrap();
            let shuffled: Vec<usize> = (0..n).map(|i| (4_099 * i + 11) % n).collect();
            let mut ws = BlockWorkspace::new(data.features(), n);
            for sel in [Selection::Range(0..n), Selection::Range(17..n - 5), Selection::Indices(&shuffled)] {
                let mut g = vec![0.0; d];
                let pass = ws.loss_grad(&ReferenceBackend, data.as_ref(), &sel, &w, 0.3, &mut g);
                let eval = ws.evaluate(&ReferenceBackend, data.as_ref(), &sel, &w, 0.3);
                assert_eq!((eval.loss, eval.weight, eval.correct), (pass.loss, pass.weight, pass.correct), "d={d}");
                let rows: f64 = (0..sel.len())
                    .map(|k| {
                        let i = sel.index(k);
                        let z = 0.3 + crate::numerics::dot(data.dense_features().unwrap().row(i), &w);
                        data.weights().unwrap()[i] * crate::numerics::log_loss(data.as_ref().y[i], z)
                    })
                    .sum();
                assert!((eval.loss - rows).abs() <= 1e-12 * rows, "d={d}: {} vs {rows}", eval.loss);
            }
        }
    }

    /// the hessian pass is cut into at least 16 chunks at any width with rows for them (before:
    /// one chunk at 1M × 500, so one thread), and its partials stay at most a quarter of the
    /// bytes of the rows they sum.
    #[test]
    fn hessian_chunks_keep_every_thread_busy_at_any_width() {
        for (n, d) in [(1_000_000, 500), (1_000_000, 100), (200_000, 1000), (101_000, 100), (50_000, 20)] {
            let ws = HessianWorkspace::new(d, n);
            let chunk = ws.chunk_rows(n);
            let chunks = n.div_ceil(chunk);
            assert!(chunks >= MIN_HESSIAN_CHUNKS, "{n} × {d}: {chunks} chunks");
            assert!(chunks * (d * d) <= n * d / 4 + d * d, "{n} × {d}: partials of {chunks} chunks");
            assert!(chunks * HessianWorkspace::stride(d) <= ws.partials.len());
        }
        // few rows, wide: chunks of at least 4d rows (memory), not 16
        let ws = HessianWorkspace::new(2000, 10_000);
        assert!(10_000usize.div_ceil(ws.chunk_rows(10_000)) <= 2);
    }
}
