//! the `Backend` trait: the hot operations over a block of rows, and the pure-rust reference.
//!
//! a backend overrides what its library does faster; everything else falls back to the
//! default methods, which call the reference kernels in [`reference`](mod@reference).

use crate::dataset::DataRef;
use crate::numerics::sum;
use crate::softmax::SoftmaxSums;
use crate::view::{Design, Rows, Selection};

/// sums over one block of rows, produced by [`Backend::loss_grad_block`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockSums {
    /// `Σ sᵢ·logloss(yᵢ, zᵢ)`
    pub loss: f64,
    /// `Σ sᵢ·(σ(zᵢ) − yᵢ)`: the intercept's gradient
    pub residual: f64,
    /// `Σ sᵢ`
    pub weight: f64,
    /// `Σ sᵢ·[the prediction at threshold 0.5 is right]`
    pub correct: f64,
}

impl BlockSums {
    /// account for one row with label `y`, weight `s` and logit `z`; returns its weighted
    /// residual `s·(σ(z) − y)`.
    #[inline(always)]
    pub fn add_row(&mut self, y: f64, s: f64, z: f64) -> f64 {
        let (loss, r) = crate::numerics::loss_and_residual(y, z);
        self.loss += s * loss;
        self.residual += s * r;
        self.weight += s;
        if (z >= 0.0) == (y == 1.0) {
            self.correct += s;
        }
        s * r
    }

    /// account for a tile of rows with labels `y`, weights `s` and logits `z` (at most
    /// [`MAX_TILE_ROWS`]); `z` is overwritten with the weighted residuals `s·(σ(z) − y)`.
    /// each row's values are [`BlockSums::add_row`]'s, the tile's summed in eight fixed lanes
    /// ([`crate::numerics::sum`]) before they are added.
    #[inline(always)]
    pub fn add_tile(&mut self, y: &[f64], s: &[f64], z: &mut [f64]) {
        self.add_tile_with::<false>(&mut TileRows::default(), y, s, z)
    }

    /// [`BlockSums::add_tile`], its `exp` and `log` polynomials in fused multiply-adds where
    /// the simd level has them (for code inside [`crate::simd::widest`]; equal to it, and to
    /// [`BlockSums::add_row`], to rounding, not bit for bit), the tile's per-row values kept in
    /// `rows`, the caller's for all its tiles.
    #[inline(always)]
    pub(crate) fn add_tile_at_level(&mut self, rows: &mut TileRows, y: &[f64], s: &[f64], z: &mut [f64]) {
        if crate::simd::fused() {
            self.add_tile_with::<true>(rows, y, s, z);
        } else {
            self.add_tile_with::<false>(rows, y, s, z);
        }
    }

    #[inline(always)]
    fn add_tile_with<const FUSED: bool>(&mut self, rows: &mut TileRows, y: &[f64], s: &[f64], z: &mut [f64]) {
        let m = z.len();
        assert!(m <= MAX_TILE_ROWS && y.len() == m && s.len() == m, "tile of at most {MAX_TILE_ROWS} rows");
        rows.account::<FUSED>(0, y, s, z);
        self.add_accounted(rows, s, z);
    }

    /// add the rows of `tile`, `s` their weights and `r` their weighted residuals: each
    /// quantity's rows in eight fixed lanes ([`sum`]: vectorised, where one running sum a row
    /// was a chain of dependent additions), the tile's total then added to the running sums.
    #[inline(always)]
    fn add_accounted(&mut self, tile: &TileRows, s: &[f64], r: &[f64]) {
        let m = r.len();
        self.loss += sum(&tile.loss[..m]);
        self.residual += sum(r);
        self.weight += sum(&s[..m]);
        self.correct += sum(&tile.correct[..m]);
    }
}

/// each row's weighted loss and weighted right prediction in a tile, kept until they are summed
/// in row order; every row of a tile is accounted before it is summed, so one is never cleared.
pub(crate) struct TileRows {
    loss: [f64; MAX_TILE_ROWS],
    correct: [f64; MAX_TILE_ROWS],
}

impl Default for TileRows {
    fn default() -> Self {
        TileRows { loss: [0.0; MAX_TILE_ROWS], correct: [0.0; MAX_TILE_ROWS] }
    }
}

impl TileRows {
    /// the rows `from..from + z.len()` of the tile, labels `y`, weights `s` and logits `z` (each
    /// slice starting at that row); `z` is overwritten with the weighted residuals.
    #[inline(always)]
    fn account<const FUSED: bool>(&mut self, from: usize, y: &[f64], s: &[f64], z: &mut [f64]) {
        let m = z.len();
        let (loss, correct) = (&mut self.loss[from..from + m], &mut self.correct[from..from + m]);
        let (y, s) = (&y[..m], &s[..m]);
        // eight rows at a time with the count known to the compiler: whole vectors, no masked
        // loads and stores (avx2's are slow on some cpus), then the rows left
        let whole = m - m % ACCOUNT_ROWS;
        for k in (0..whole).step_by(ACCOUNT_ROWS) {
            let r = k..k + ACCOUNT_ROWS;
            account_rows::<FUSED, ACCOUNT_ROWS>(
                (&mut loss[r.clone()]).try_into().expect("a whole group"),
                (&mut correct[r.clone()]).try_into().expect("a whole group"),
                y[r.clone()].try_into().expect("a whole group"),
                s[r.clone()].try_into().expect("a whole group"),
                (&mut z[r]).try_into().expect("a whole group"),
            );
        }
        for k in whole..m {
            let [l, c, r] = account_row::<FUSED>(y[k], s[k], z[k]);
            (loss[k], correct[k], z[k]) = (l, c, r);
        }
    }
}

/// rows [`TileRows::account`] takes at a time: the lanes of an avx-512 vector of doubles.
const ACCOUNT_ROWS: usize = 8;

/// [`TileRows::account`] of `N` rows: each row's weighted loss, weighted right prediction and
/// weighted residual (in `z`), row by row without dependencies, so this loop vectorises,
/// transcendentals included.
#[inline(always)]
fn account_rows<const FUSED: bool, const N: usize>(
    loss: &mut [f64; N],
    correct: &mut [f64; N],
    y: &[f64; N],
    s: &[f64; N],
    z: &mut [f64; N],
) {
    for k in 0..N {
        let [l, c, r] = account_row::<FUSED>(y[k], s[k], z[k]);
        (loss[k], correct[k], z[k]) = (l, c, r);
    }
}

/// a row's weighted loss, weighted right prediction and weighted residual, from its label `y`,
/// weight `s` and logit `z`.
#[inline(always)]
fn account_row<const FUSED: bool>(y: f64, s: f64, z: f64) -> [f64; 3] {
    let (l, r) = crate::numerics::loss_and_residual_with::<FUSED>(y, z);
    [s * l, if (z >= 0.0) == (y == 1.0) { s } else { 0.0 }, s * r]
}

/// numeric operations of logistic regression over blocks of rows.
///
/// every method takes a block small enough to stay in cache (the caller chooses it),
/// never single elements; `Send + Sync` so blocks can be processed in parallel.
///
/// the binary model has one coefficient vector `w` and an intercept `b`; the multinomial model
/// has one block `[b_c, w_c…]` of `d + 1` per stored class, laid out one after the other
/// (*class blocks*), and its per-row quantities are column-major `rows × classes` tiles, so
/// that `Z = X·W` and `Xᵀ·R` are one matrix–matrix product each.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// short lowercase name (`"faer"`, `"ndarray"`, …).
    fn name(&self) -> &'static str;

    /// linear predictor `z ← X·w + b` for the rows of `x`; `z.len() == x.n_rows()`.
    fn linear_predictor(&self, x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        reference::linear_predictor(x, w, b, z)
    }

    /// gradient kernel `g ← g + Xᵀ·r` for the rows of `x`; `r.len() == x.n_rows()`.
    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        reference::add_xt_times(x, r, g)
    }

    /// weighted gram `out ← out + Xᵀ·diag(h)·X` of the rows of `x` (`d × d`, row-major, both
    /// triangles); `h` of any sign (the multinomial hessian's off-diagonal class blocks have
    /// negative weights), `scratch.len() ≥ x.n_rows() · x.n_cols()` for the backend's own use.
    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let _ = scratch;
        reference::add_weighted_gram(x, h, out)
    }

    /// logits of several classes `Z ← X·W + 1·bᵀ` for the rows of `x`: `coefs` holds class blocks
    /// `[b_c, w_c…]` of `d + 1`; `z` is column-major `rows × classes` (class `c` at
    /// `z[c·rows..(c+1)·rows]`).
    fn class_logits(&self, x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        reference::class_logits(x, coefs, z)
    }

    /// gradient kernel of several classes `G ← G + Xᵀ·R`: `r` column-major `rows × classes` as
    /// in [`Backend::class_logits`], `g` in class blocks of `d + 1` whose first (intercept) entry
    /// is left untouched.
    fn add_xt_times_classes(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        reference::add_xt_times_classes(x, r, g)
    }

    /// [`Backend::add_xt_times_classes`] that also brings `ahead` (the features the pass reads
    /// next) into cache while it runs; by default the product alone.
    fn add_xt_times_classes_ahead(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64], ahead: &[f64]) {
        let _ = ahead;
        self.add_xt_times_classes(x, r, g)
    }

    /// multinomial loss and gradient of the rows `rows` of `data` (labels are class indices) in
    /// one pass over their features: returns the weighted loss, weight and accuracy sums and adds
    /// the gradient `[1 X]ᵀ·(s∘(P − Y))` to `g` (class blocks, as `coefs`).
    ///
    /// `reference`: class 0's logit is held at 0 and `coefs` holds blocks of classes `1, …, K − 1`.
    /// `scratch.len() ≥` [`MAX_TILE_ROWS`] `·` classes stored. tiles as in
    /// [`Backend::loss_grad_block`]: logits by [`Backend::class_logits`], softmax row by row,
    /// gradient by [`Backend::add_xt_times_classes`] while the tile is in cache.
    #[allow(clippy::too_many_arguments)]
    fn softmax_loss_grad_block(
        &self,
        data: DataRef<'_>,
        rows: &Selection<'_>,
        coefs: &[f64],
        reference: bool,
        scratch: &mut [f64],
        g: &mut [f64],
    ) -> SoftmaxSums {
        softmax_tiles(self, data, rows, coefs, reference, scratch, Some(g))
    }

    /// loss and gradient of the rows `rows` of `data` in one pass over their features:
    /// returns the weighted loss, residual and weight sums and adds `Xᵀ(s∘(p − y))` to `g`.
    ///
    /// `scratch.len() ≥ rows.len()`, left holding each row's weighted residual `sᵢ(σ(zᵢ) − yᵢ)` in
    /// selection order (newton-cg reads its curvatures off them). each row is read from memory once: rows are taken in tiles
    /// small enough for l1 cache ([`tile_rows`]); a tile's logits come from
    /// [`Backend::linear_predictor`], its losses and residuals are summed row by row in order, and
    /// its share of the gradient is added by [`Backend::add_xt_times`] while the tile is still in
    /// cache.
    fn loss_grad_block(
        &self,
        data: DataRef<'_>,
        rows: &Selection<'_>,
        w: &[f64],
        b: f64,
        scratch: &mut [f64],
        g: &mut [f64],
    ) -> BlockSums {
        let mut tile = TileRows::default();
        loss_grad_tiles(
            data,
            rows,
            scratch,
            #[inline(always)]
            |x, y, s, z, sums| separate_products(self, x, w, b, y, s, z, sums, &mut tile, g),
        )
    }
}

/// a tile of [`Backend::loss_grad_block`] by the backend's two products: `z ← X·w + b`, the
/// tile's sums (turning `z` into residuals), then `g ← g + Xᵀ·z`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn separate_products<B: Backend + ?Sized>(
    backend: &B,
    x: &Rows<'_>,
    w: &[f64],
    b: f64,
    y: &[f64],
    s: &[f64],
    z: &mut [f64],
    sums: &mut BlockSums,
    tile: &mut TileRows,
    g: &mut [f64],
) {
    backend.linear_predictor(x, w, b, z);
    sums.add_tile_at_level(tile, y, s, z);
    backend.add_xt_times(x, z, g);
}

/// the tile loop of [`Backend::loss_grad_block`] and of the evaluation pass
/// ([`crate::blocks::BlockWorkspace::evaluate`]): `tile(x, y, s, z, sums)` for each tile of the
/// rows (features, labels, weights, the tile's part of `scratch`) must leave the tile's weighted
/// residuals in `z`, its sums added to `sums` and its share of the gradient added; compiled for
/// the widest simd the cpu has (`tile` must be `#[inline(always)]` to be compiled so too).
#[inline(always)]
pub(crate) fn loss_grad_tiles(
    data: DataRef<'_>,
    rows: &Selection<'_>,
    scratch: &mut [f64],
    tile: impl FnMut(&Rows<'_>, &[f64], &[f64], &mut [f64], &mut BlockSums),
) -> BlockSums {
    loss_grad_tiles_at(crate::simd::level(), data, rows, scratch, tile)
}

/// [`loss_grad_tiles`] compiled for the simd level `level` (or the cpu's, when narrower).
#[inline(always)]
pub(crate) fn loss_grad_tiles_at(
    level: crate::simd::Level,
    data: DataRef<'_>,
    rows: &Selection<'_>,
    scratch: &mut [f64],
    mut tile: impl FnMut(&Rows<'_>, &[f64], &[f64], &mut [f64], &mut BlockSums),
) -> BlockSums {
    crate::simd::at(
        level,
        #[inline(always)]
        || {
            let mut sums = BlockSums::default();
            let (mut y, mut s) = ([0.0; MAX_TILE_ROWS], [0.0; MAX_TILE_ROWS]);
            let step = tile_rows_of(data.x);
            let mut start = 0;
            while start < rows.len() {
                let end = (start + step).min(rows.len());
                let selection = rows.sub(start..end);
                let x = data.rows(selection.clone());
                let (y, s) = data.tile_labels_and_weights(&selection, &mut y, &mut s);
                tile(&x, y, s, &mut scratch[start..end], &mut sums);
                start = end;
            }
            sums
        },
    )
}

/// the tile loop of [`Backend::softmax_loss_grad_block`]; without `g`, the loss sums alone (no
/// gradient product), as an evaluation needs.
pub(crate) fn softmax_tiles<B: Backend + ?Sized>(
    backend: &B,
    data: DataRef<'_>,
    rows: &Selection<'_>,
    coefs: &[f64],
    reference: bool,
    scratch: &mut [f64],
    mut g: Option<&mut [f64]>,
) -> SoftmaxSums {
    crate::simd::widest(
        #[inline(always)]
        || {
            let d = data.x.n_cols();
            let stored = coefs.len() / (d + 1);
            let fused = crate::simd::fused();
            let mut sums = SoftmaxSums::default();
            let (mut y, mut s) = ([0.0; MAX_TILE_ROWS], [0.0; MAX_TILE_ROWS]);
            // the classes' residual sums, on the stack: no allocation per block
            let mut intercepts = [0.0; crate::dataset::MAX_CLASSES];
            let intercepts = &mut intercepts[..stored];
            let step = match data.x {
                Design::Dense(_) => class_tile_rows(d),
                Design::Sparse(_) => MAX_TILE_ROWS,
            };
            let mut start = 0;
            while start < rows.len() {
                let end = (start + step).min(rows.len());
                let m = end - start;
                let tile = rows.sub(start..end);
                let x = data.rows(tile.clone());
                let z = &mut scratch[..m * stored];
                let (y, s) = data.tile_labels_and_weights(&tile, &mut y, &mut s);
                backend.class_logits(&x, coefs, z);
                if fused {
                    sums.add_tile_fused(y, s, z, reference, intercepts);
                } else {
                    sums.add_tile(y, s, z, reference, intercepts);
                }
                if let Some(g) = g.as_deref_mut() {
                    // the next tile's features, when they are one slice of the matrix
                    let next = rows.sub(end..(end + step).min(rows.len()));
                    let ahead = data.rows(next).as_contiguous().map_or(&[][..], |m| m.data());
                    backend.add_xt_times_classes_ahead(&x, z, g, ahead);
                }
                start = end;
            }
            if let Some(g) = g {
                for (c, r) in intercepts.iter().enumerate() {
                    g[c * (d + 1)] += r;
                }
            }
            sums
        },
    )
}

/// rows per tile of the fused loss-and-gradient pass for `n_cols` columns: about 32 kb of
/// features, so a tile stays in l1 (or at worst l2) cache between its two products (a function
/// of `n_cols` only). measured at 1M × 100 on 2 threads: 4 kb tiles 48 % of the read bandwidth,
/// 16 kb 74 %, 32 kb 81 %, 64–128 kb 77–80 % (reference backend).
pub fn tile_rows(n_cols: usize) -> usize {
    (32 * 1024 / (8 * n_cols.max(1))).clamp(4, MAX_TILE_ROWS)
}

/// rows per tile of the fused binary pass over `x`: [`tile_rows`] of its width when dense; the
/// largest tile when sparse (a sparse row is short whatever the width).
pub fn tile_rows_of(x: Design<'_>) -> usize {
    match x {
        Design::Dense(m) => tile_rows(m.n_cols()),
        Design::Sparse(_) => MAX_TILE_ROWS,
    }
}

/// rows per tile of the fused multinomial pass for `n_cols` columns: about 256 kb of features
/// (l2 cache), at most [`MAX_TILE_ROWS`]. with several classes the two products are
/// matrix–matrix products, whose fixed cost per call needs taller tiles than the binary pass's
/// matrix–vector ones (a function of `n_cols` only).
pub fn class_tile_rows(n_cols: usize) -> usize {
    (256 * 1024 / (8 * n_cols.max(1))).clamp(4, MAX_TILE_ROWS)
}

/// the largest tile [`tile_rows`] returns.
pub const MAX_TILE_ROWS: usize = 256;

/// the pure-rust backend: every operation is the reference kernel.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceBackend;

impl Backend for ReferenceBackend {
    fn name(&self) -> &'static str {
        "reference"
    }

    /// dense rows in groups of eight (see the crate's `row_kernels`), each group's logits, losses
    /// and share of the gradient taken while its rows are in l1 cache: every row is read from
    /// memory once, in order. the sums, residuals and gradient are the default method's to the
    /// bit.
    fn loss_grad_block(
        &self,
        data: DataRef<'_>,
        rows: &Selection<'_>,
        w: &[f64],
        b: f64,
        scratch: &mut [f64],
        g: &mut [f64],
    ) -> BlockSums {
        // every row of a tile is accounted before it is summed: no need to clear it per tile
        let mut tile = TileRows::default();
        // at the row kernels' level: the losses between the products as wide as they are
        loss_grad_tiles_at(
            crate::simd::row_level(),
            data,
            rows,
            scratch,
            #[inline(always)]
            |x, y, s, z, sums| match x {
                Rows::Dense(dense) if crate::simd::fused() => {
                    crate::row_kernels::fused_pass(
                        dense,
                        w,
                        b,
                        z,
                        g,
                        #[inline(always)]
                        |k, zq| tile.account::<true>(k, &y[k..], &s[k..], zq),
                    );
                    sums.add_accounted(&tile, s, z);
                }
                _ => separate_products(self, x, w, b, y, s, z, sums, &mut tile, g),
            },
        )
    }

    fn add_xt_times_classes_ahead(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64], ahead: &[f64]) {
        match x {
            Rows::Dense(x) => crate::class_kernels::add_xt_times_classes_ahead(x, r, g, ahead),
            Rows::Sparse(_) => self.add_xt_times_classes(x, r, g),
        }
    }
}

/// reference kernels: plain loops in index order, used by the default methods; dense rows go to
/// the explicit simd kernels, sparse rows to the loops over their stored entries.
pub mod reference {
    use crate::sparse_kernels as sparse;
    use crate::view::Rows;

    /// `z ← X·w + b`.
    pub fn linear_predictor(x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        match x {
            Rows::Dense(x) => crate::row_kernels::linear_predictor(x, w, b, z),
            Rows::Sparse(x) => sparse::linear_predictor(x, w, b, z),
        }
    }

    /// `g ← g + Xᵀ·r`.
    pub fn add_xt_times(x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        match x {
            Rows::Dense(x) => crate::row_kernels::add_xt_times(x, r, g),
            Rows::Sparse(x) => sparse::add_xt_times(x, r, g),
        }
    }

    /// `Z ← 1·bᵀ`: each class's column of the column-major `z` (`rows` per column) set to its
    /// intercept, the first entry of its block of `coefs` (blocks of `n_cols + 1`); a backend
    /// then adds `X·W` with its own product.
    pub fn fill_class_intercepts(coefs: &[f64], n_cols: usize, rows: usize, z: &mut [f64]) {
        for (zc, block) in z.chunks_exact_mut(rows.max(1)).zip(coefs.chunks_exact(n_cols + 1)) {
            zc.fill(block[0]);
        }
    }

    /// `Z ← X·W + 1·bᵀ` (see [`crate::Backend::class_logits`]).
    pub fn class_logits(x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        match x {
            Rows::Dense(x) => crate::class_kernels::class_logits(x, coefs, z),
            Rows::Sparse(x) => sparse::class_logits(x, coefs, z),
        }
    }

    /// `G ← G + Xᵀ·R` (see [`crate::Backend::add_xt_times_classes`]).
    pub fn add_xt_times_classes(x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        match x {
            Rows::Dense(x) => crate::class_kernels::add_xt_times_classes(x, r, g),
            Rows::Sparse(x) => sparse::add_xt_times_classes(x, r, g),
        }
    }

    /// `out ← out + Xᵀ·diag(h)·X`, lower triangle accumulated then mirrored.
    pub fn add_weighted_gram(x: &Rows<'_>, h: &[f64], out: &mut [f64]) {
        let d = x.n_cols();
        match x {
            Rows::Dense(x) => crate::gram_kernels::add_weighted_gram_lower(x, h, out),
            Rows::Sparse(x) => sparse::add_weighted_gram_lower(x, h, out),
        }
        for a in 0..d {
            for b in 0..a {
                out[b * d + a] = out[a * d + b];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;

    /// the reference kernels through the default tile loop.
    #[derive(Debug)]
    struct Unfused;

    impl Backend for Unfused {
        fn name(&self) -> &'static str {
            "unfused"
        }
    }

    /// the reference backend's fused pass gives the default method's sums, residuals and
    /// gradient to the bit: every tile remainder (widths whose tiles are not a multiple of the
    /// group), weighted and unweighted, consecutive and scattered rows, and logits large enough
    /// to saturate.
    #[test]
    fn the_fused_pass_is_the_default_tile_loop() {
        let mut rng = crate::rng::Rng::new(21);
        for d in [1, 7, 100, 333] {
            let n = 301;
            let x: Vec<f64> = (0..n * d).map(|i| rng.normal() * if i % 97 == 0 { 60.0 } else { 1.0 }).collect();
            let y: Vec<f64> = (0..n).map(|_| (rng.uniform() < 0.4) as u8 as f64).collect();
            let weights: Vec<f64> = (0..n).map(|_| rng.uniform() * 2.0).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let plain = Dataset::new(x, d, y).unwrap();
            let weighted = plain.clone().with_weights(weights).unwrap();
            let shuffled: Vec<usize> = (0..n).map(|i| (37 * i + 5) % n).collect();
            for data in [&plain, &weighted] {
                for rows in [Selection::Range(0..n), Selection::Range(3..n - 2), Selection::Indices(&shuffled)] {
                    let run = |backend: &dyn Backend| {
                        let (mut scratch, mut g) = (vec![0.0; n], vec![0.25; d]);
                        let sums = backend.loss_grad_block(data.as_ref(), &rows, &w, -0.2, &mut scratch, &mut g);
                        (sums, scratch, g)
                    };
                    let (fused, unfused) = (run(&ReferenceBackend), run(&Unfused));
                    assert_eq!(fused.0, unfused.0, "d={d}: sums");
                    assert!(
                        fused.1.iter().zip(&unfused.1).all(|(a, b)| a.to_bits() == b.to_bits()),
                        "d={d}: residuals"
                    );
                    assert!(fused.2.iter().zip(&unfused.2).all(|(a, b)| a.to_bits() == b.to_bits()), "d={d}: gradient");
                }
            }
        }
    }

    #[test]
    fn a_tile_is_accounted_exactly_as_its_rows_one_by_one() {
        let m = 37;
        let y: Vec<f64> = (0..m).map(|k| (k % 3 == 0) as u8 as f64).collect();
        let s: Vec<f64> = (0..m).map(|k| 0.5 + (k % 4) as f64).collect();
        let z0: Vec<f64> = (0..m).map(|k| (k as f64 - 18.0) * 2.7 + if k == 5 { 800.0 } else { 0.0 }).collect();
        // each row alone, then its values summed in the documented order (eight fixed lanes)
        let rows: Vec<(BlockSums, f64)> = (0..m)
            .map(|k| {
                let mut one = BlockSums::default();
                let r = one.add_row(y[k], s[k], z0[k]);
                (one, r)
            })
            .collect();
        let of = |f: fn(&BlockSums) -> f64| sum(&rows.iter().map(|(one, _)| f(one)).collect::<Vec<_>>());
        let expected = BlockSums {
            loss: of(|b| b.loss),
            residual: of(|b| b.residual),
            weight: of(|b| b.weight),
            correct: of(|b| b.correct),
        };
        let mut tile = BlockSums::default();
        let mut z = z0.clone();
        tile.add_tile(&y, &s, &mut z);
        assert_eq!(tile, expected);
        assert_eq!(z, rows.iter().map(|(_, r)| *r).collect::<Vec<_>>());
        // a running sum over the rows differs from it by rounding alone
        let running: f64 = rows.iter().map(|(one, _)| one.loss).sum();
        assert!((running - tile.loss).abs() <= 1e-14 * running.abs());
    }
}
