//! the `Backend` trait: the hot operations over a block of rows, and the pure-rust reference.
//!
//! a backend overrides what its library does faster; everything else falls back to the
//! default methods, which call the reference kernels in [`reference`].

use crate::dataset::DataRef;
use crate::view::{Rows, Selection};

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
}

/// numeric operations of logistic regression over blocks of rows.
///
/// every method takes a block small enough to stay in cache (the caller chooses it),
/// never single elements; `Send + Sync` so blocks can be processed in parallel.
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

    /// stable logistic function in place.
    fn sigmoid_in_place(&self, z: &mut [f64]) {
        reference::sigmoid_in_place(z)
    }

    /// weighted gram `out ← out + Xᵀ·diag(h)·X` of the rows of `x` (`d × d`, row-major, both
    /// triangles); `h ≥ 0`, `scratch.len() ≥ x.n_rows() · x.n_cols()` for the backend's own use.
    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let _ = scratch;
        reference::add_weighted_gram(x, h, out)
    }

    /// dot product of one row with `w`.
    #[inline(always)]
    fn row_dot(&self, x: &[f64], w: &[f64]) -> f64 {
        crate::numerics::dot(x, w)
    }

    /// `g ← g + a·x` for one row `x`.
    #[inline(always)]
    fn row_axpy(&self, a: f64, x: &[f64], g: &mut [f64]) {
        crate::numerics::axpy(a, x, g)
    }

    /// loss and gradient of the rows `rows` of `data` in one pass over their features:
    /// returns the weighted loss, residual and weight sums and adds `Xᵀ(s∘(p − y))` to `g`.
    ///
    /// `scratch.len() == rows.len()`. each row is read from memory once: its logit
    /// ([`Backend::row_dot`]) and its share of the gradient ([`Backend::row_axpy`]) are computed
    /// back to back while the row is in l1 cache.
    fn loss_grad_block(
        &self,
        data: DataRef<'_>,
        rows: &Selection<'_>,
        w: &[f64],
        b: f64,
        scratch: &mut [f64],
        g: &mut [f64],
    ) -> BlockSums {
        let _ = scratch;
        let x = data.rows(rows.clone());
        // compiled for the widest simd the cpu has (avx2 / avx-512), chosen at run time
        pulp::Arch::new().dispatch(
            #[inline(always)]
            || {
                let mut sums = BlockSums::default();
                for k in 0..x.n_rows() {
                    let i = rows.index(k);
                    let row = x.row(k);
                    let z = b + self.row_dot(row, w);
                    let sr = sums.add_row(data.y[i], data.weight(i), z);
                    self.row_axpy(sr, row, g);
                }
                sums
            },
        )
    }
}

/// the pure-rust backend: every operation is the reference kernel.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceBackend;

impl Backend for ReferenceBackend {
    fn name(&self) -> &'static str {
        "reference"
    }
}

/// reference kernels: plain loops in index order, used by the default methods.
pub mod reference {
    use crate::numerics::{axpy, dot, sigmoid};
    use crate::view::Rows;

    /// `z ← X·w + b`.
    pub fn linear_predictor(x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        for (zi, row) in z.iter_mut().zip(x.iter()) {
            *zi = b + dot(row, w);
        }
    }

    /// `g ← g + Xᵀ·r`.
    pub fn add_xt_times(x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        for (&ri, row) in r.iter().zip(x.iter()) {
            axpy(ri, row, g);
        }
    }

    /// `out ← out + Xᵀ·diag(h)·X`, lower triangle accumulated then mirrored.
    pub fn add_weighted_gram(x: &Rows<'_>, h: &[f64], out: &mut [f64]) {
        let d = x.n_cols();
        for (&hi, row) in h.iter().zip(x.iter()) {
            for a in 0..d {
                let ha = hi * row[a];
                let out_row = &mut out[a * d..a * d + a + 1];
                for (o, xb) in out_row.iter_mut().zip(row) {
                    *o += ha * xb;
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                out[b * d + a] = out[a * d + b];
            }
        }
    }

    /// stable logistic function in place.
    pub fn sigmoid_in_place(z: &mut [f64]) {
        for v in z {
            *v = sigmoid(*v);
        }
    }
}
