//! ndarray backend for logreg.
//!
//! a row-major block is viewed, without copying, as an `ArrayView2`; `X·w` is ndarray's
//! matrix–vector product, and `Xᵀ·r` is accumulated row by row with `scaled_add`
//! (ndarray's own `x.t().dot(r)` walks a strided view and is several times slower without blas).
//! a block of csr rows is viewed, without copying, as a sprs `CsMatView`, and `X·w`, `Xᵀ·r` are
//! sprs's sparse matrix–vector products, one per class for the K-class forms.
//!
//! [`dataset_from_view`] and [`dataset_from_array`] make a dataset of an ndarray matrix.
#![warn(missing_docs)]

mod dataset;
mod sparse;

pub use dataset::{dataset_from_array, dataset_from_view};

use logreg_core::Backend;
use logreg_core::view::{MatrixRef, Rows};
use ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, ShapeBuilder};
use sparse::csr_view;
use sprs::prod::{mul_acc_mat_vec_csc, mul_acc_mat_vec_csr};

/// the rows of `m` as an ndarray view, in place (row stride included).
fn mat(m: MatrixRef<'_>) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((m.n_rows(), m.n_cols()).strides((m.row_stride(), 1)), m.data())
        .expect("rows inside their buffer")
}

/// logreg backend computing with ndarray's kernels.
#[derive(Clone, Copy, Debug, Default)]
pub struct NdarrayBackend;

impl Backend for NdarrayBackend {
    fn name(&self) -> &'static str {
        "ndarray"
    }

    fn linear_predictor(&self, x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        let wv = ArrayView1::from(w);
        match x.as_contiguous() {
            Some(m) => {
                let xm = mat(m);
                z.fill(b);
                general_mat_vec_mul(1.0, &xm, &wv, 1.0, &mut ArrayViewMut1::from(z));
            }
            None => match x {
                Rows::Dense(x) => {
                    for (zi, row) in z.iter_mut().zip(x.iter()) {
                        *zi = b + ArrayView1::from(row).dot(&wv);
                    }
                }
                Rows::Sparse(_) => match csr_view(x) {
                    Some(xs) => {
                        z.fill(b);
                        mul_acc_mat_vec_csr(xs, w, z);
                    }
                    None => logreg_core::backend::reference::linear_predictor(x, w, b, z),
                },
            },
        }
    }

    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Rows::Dense(x) = x else {
            match csr_view(x) {
                Some(xs) => mul_acc_mat_vec_csc(xs.transpose_view(), r, g),
                None => logreg_core::backend::reference::add_xt_times(x, r, g),
            }
            return;
        };
        let mut gv = ArrayViewMut1::from(g);
        for (&ri, row) in r.iter().zip(x.iter()) {
            gv.scaled_add(ri, &ArrayView1::from(row));
        }
    }

    fn class_logits(&self, x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            let Some(xs) = csr_view(x) else {
                return logreg_core::backend::reference::class_logits(x, coefs, z);
            };
            let (n, d) = (x.n_rows(), x.n_cols());
            logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
            for (w, zc) in coefs.chunks_exact(d + 1).zip(z.chunks_exact_mut(n)) {
                mul_acc_mat_vec_csr(xs.view(), &w[1..], zc);
            }
            return;
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = coefs.len() / (d + 1);
        logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
        let xm = mat(m);
        let w = ArrayView2::from_shape((d, k).strides((1, d + 1)), &coefs[1..]).expect("class blocks of d + 1");
        let mut zm = ArrayViewMut2::from_shape((n, k).f(), &mut z[..n * k]).expect("z holds rows × classes");
        general_mat_mul(1.0, &xm, &w, 1.0, &mut zm);
    }

    fn add_xt_times_classes(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            let Some(xs) = csr_view(x) else {
                return logreg_core::backend::reference::add_xt_times_classes(x, r, g);
            };
            let (n, d) = (x.n_rows(), x.n_cols());
            for (gc, rc) in g.chunks_exact_mut(d + 1).zip(r.chunks_exact(n)) {
                mul_acc_mat_vec_csc(xs.transpose_view(), rc, &mut gc[1..]);
            }
            return;
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = g.len() / (d + 1);
        let xm = mat(m);
        let rm = ArrayView2::from_shape((n, k).f(), &r[..n * k]).expect("r holds rows × classes");
        let mut gm = ArrayViewMut2::from_shape((d, k).strides((1, d + 1)), &mut g[1..]).expect("class blocks of d + 1");
        general_mat_mul(1.0, &xm.t(), &rm, 1.0, &mut gm);
    }

    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_weighted_gram(x, h, out);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let xm = mat(m);
        let mut y = ArrayViewMut2::from_shape((n, d), &mut scratch[..n * d]).expect("scratch holds the block");
        for ((mut yr, xr), &hi) in y.rows_mut().into_iter().zip(xm.rows()).zip(h) {
            yr.zip_mut_with(&xr, |a, b| *a = hi * b);
        }
        let mut o = ArrayViewMut2::from_shape((d, d), out).expect("output is d × d");
        general_mat_mul(1.0, &xm.t(), &y, 1.0, &mut o);
    }
}
