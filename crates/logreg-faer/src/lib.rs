//! faer backend for logreg.
//!
//! a row-major block is viewed, without copying, as a faer `MatRef`, and a block of csr rows as
//! a faer `SparseRowMatRef` over the same column indices and values; `X·w`, `Xᵀ·r` and their
//! K-class forms are faer's dense and sparse–dense matrix products, run with `Par::Seq`, since
//! logreg already parallelises over blocks with rayon (faer's own default would spread every
//! small product over all threads again).
//!
//! [`dataset_from_mat`] makes a dataset of a faer matrix.
#![warn(missing_docs)]

mod dataset;
mod sparse;

pub use dataset::dataset_from_mat;

use faer::linalg::matmul::matmul;
use faer::sparse::linalg::matmul::{dense_sparse_matmul, sparse_dense_matmul};
use faer::{Accum, ColMut, ColRef, MatMut, MatRef, Par};
use logreg_core::Backend;
use logreg_core::view::{MatrixRef, Rows};
use sparse::with_csr;

/// the rows of `m` as a faer matrix, in place (row stride included).
fn mat(m: MatrixRef<'_>) -> MatRef<'_, f64> {
    MatRef::from_row_major_slice_with_stride(m.data(), m.n_rows(), m.n_cols(), m.row_stride())
}

/// logreg backend computing with faer's simd kernels.
#[derive(Clone, Copy, Debug, Default)]
pub struct FaerBackend;

impl Backend for FaerBackend {
    fn name(&self) -> &'static str {
        "faer"
    }

    fn linear_predictor(&self, x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        let wc = ColRef::from_slice(w);
        match x.as_contiguous() {
            Some(m) => {
                let xm = mat(m);
                z.fill(b);
                matmul(ColMut::from_slice_mut(z).as_mat_mut(), Accum::Add, xm, wc.as_mat(), 1.0, Par::Seq);
            }
            // scattered rows (a shuffled minibatch): per-row products are shorter than faer's
            // per-call dispatch, so the reference loops serve them
            None => {
                let done = with_csr(x, |xs| {
                    z.fill(b);
                    sparse_dense_matmul(
                        ColMut::from_slice_mut(z).as_mat_mut(),
                        Accum::Add,
                        xs,
                        wc.as_mat(),
                        1.0,
                        Par::Seq,
                    );
                });
                if done.is_none() {
                    logreg_core::backend::reference::linear_predictor(x, w, b, z);
                }
            }
        }
    }

    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        match x.as_contiguous() {
            Some(m) => {
                let xm = mat(m);
                let gc = ColMut::from_slice_mut(g);
                matmul(gc.as_mat_mut(), Accum::Add, xm.transpose(), ColRef::from_slice(r).as_mat(), 1.0, Par::Seq);
            }
            None => {
                // gᵀ += rᵀ·X
                let done = with_csr(x, |xs| {
                    let gt = ColMut::from_slice_mut(&mut *g).as_mat_mut().transpose_mut();
                    dense_sparse_matmul(gt, Accum::Add, ColRef::from_slice(r).as_mat().transpose(), xs, 1.0, Par::Seq);
                });
                if done.is_none() {
                    logreg_core::backend::reference::add_xt_times(x, r, g);
                }
            }
        }
    }

    fn class_logits(&self, x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            let (n, d) = (x.n_rows(), x.n_cols());
            let k = coefs.len() / (d + 1);
            let done = with_csr(x, |xs| {
                logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
                let w = MatRef::from_column_major_slice_with_stride(&coefs[1..], d, k, d + 1);
                let zm = MatMut::from_column_major_slice_mut(&mut z[..n * k], n, k);
                sparse_dense_matmul(zm, Accum::Add, xs, w, 1.0, Par::Seq);
            });
            if done.is_none() {
                logreg_core::backend::reference::class_logits(x, coefs, z);
            }
            return;
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = coefs.len() / (d + 1);
        logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
        let xm = mat(m);
        let w = MatRef::from_column_major_slice_with_stride(&coefs[1..], d, k, d + 1);
        matmul(MatMut::from_column_major_slice_mut(&mut z[..n * k], n, k), Accum::Add, xm, w, 1.0, Par::Seq);
    }

    fn add_xt_times_classes(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            let (n, d) = (x.n_rows(), x.n_cols());
            let k = g.len() / (d + 1);
            // Gᵀ += Rᵀ·X
            let done = with_csr(x, |xs| {
                let rt = MatRef::from_column_major_slice(&r[..n * k], n, k).transpose();
                let gt = MatMut::from_column_major_slice_with_stride_mut(&mut g[1..], d, k, d + 1).transpose_mut();
                dense_sparse_matmul(gt, Accum::Add, rt, xs, 1.0, Par::Seq);
            });
            if done.is_none() {
                logreg_core::backend::reference::add_xt_times_classes(x, r, g);
            }
            return;
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = g.len() / (d + 1);
        let xm = mat(m);
        let rm = MatRef::from_column_major_slice(&r[..n * k], n, k);
        let gm = MatMut::from_column_major_slice_with_stride_mut(&mut g[1..], d, k, d + 1);
        matmul(gm, Accum::Add, xm.transpose(), rm, 1.0, Par::Seq);
    }

    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_weighted_gram(x, h, out);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let y = &mut scratch[..n * d];
        for ((yr, xr), &hi) in y.chunks_exact_mut(d).zip(m.rows()).zip(h) {
            yr.iter_mut().zip(xr).for_each(|(a, b)| *a = hi * b);
        }
        let xm = mat(m);
        let ym = MatRef::from_row_major_slice(&*y, n, d);
        matmul(MatMut::from_row_major_slice_mut(out, d, d), Accum::Add, xm.transpose(), ym, 1.0, Par::Seq);
    }
}
