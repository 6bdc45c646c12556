//! nalgebra backend for logreg.
//!
//! a row-major block of `n` rows and `d` columns is viewed, without copying, as the
//! column-major `d × n` matrix `Xᵀ`; `X·w` is then `gemv_tr` and `Xᵀ·r` is `gemv`, both over
//! unit-stride columns (nalgebra's gemv on row-strided views is avoided, see nalgebra#1616).
//!
//! csr rows are served by logreg's reference sparse kernels: nalgebra-sparse 0.11 has only owned
//! matrices with `usize` indices (no borrowed view), so using it would copy every block.
//!
//! [`dataset_from_matrix`] makes a dataset of a nalgebra matrix.
#![warn(missing_docs)]

mod dataset;

pub use dataset::dataset_from_matrix;

use logreg_core::Backend;
use logreg_core::view::{MatrixRef, Rows};
use nalgebra::{DMatrixView, DMatrixViewMut, DVectorView, DVectorViewMut, Dyn, U1};

/// the rows of `m` as the column-major `d × n` view `Xᵀ`, in place: row stride 1, each row of
/// `m` a column (gemv on a view with row stride > 1 is unsound in nalgebra 0.35, issue 1616).
fn transposed(m: MatrixRef<'_>) -> DMatrixView<'_, f64> {
    DMatrixView::from_slice_with_strides_generic(m.data(), Dyn(m.n_cols()), Dyn(m.n_rows()), U1, Dyn(m.row_stride()))
}

/// logreg backend computing with nalgebra's blas-like kernels.
#[derive(Clone, Copy, Debug, Default)]
pub struct NalgebraBackend;

impl Backend for NalgebraBackend {
    fn name(&self) -> &'static str {
        "nalgebra"
    }

    fn linear_predictor(&self, x: &Rows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
        let d = x.n_cols();
        let wv = DVectorView::from_slice(w, d);
        match x.as_contiguous() {
            Some(m) => {
                let xt = transposed(m);
                z.fill(b);
                DVectorViewMut::from_slice(z, m.n_rows()).gemv_tr(1.0, &xt, &wv, 1.0);
            }
            None => match x {
                Rows::Dense(x) => {
                    for (zi, row) in z.iter_mut().zip(x.iter()) {
                        *zi = b + DVectorView::from_slice(row, d).dot(&wv);
                    }
                }
                Rows::Sparse(_) => logreg_core::backend::reference::linear_predictor(x, w, b, z),
            },
        }
    }

    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let d = x.n_cols();
        let mut gv = DVectorViewMut::from_slice(g, d);
        match x.as_contiguous() {
            Some(m) => {
                let xt = transposed(m);
                gv.gemv(1.0, &xt, &DVectorView::from_slice(r, m.n_rows()), 1.0);
            }
            None => match x {
                Rows::Dense(x) => {
                    for (&ri, row) in r.iter().zip(x.iter()) {
                        gv.axpy(ri, &DVectorView::from_slice(row, d), 1.0);
                    }
                }
                Rows::Sparse(_) => logreg_core::backend::reference::add_xt_times(x, r, gv.as_mut_slice()),
            },
        }
    }

    fn class_logits(&self, x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::class_logits(x, coefs, z);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = coefs.len() / (d + 1);
        logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
        // Z = (Xᵀ)ᵀ·W with Xᵀ the column-major view of the row-major rows (row stride 1)
        let xt = transposed(m);
        let w = DMatrixView::from_slice_with_strides(&coefs[1..], d, k, 1, d + 1);
        DMatrixViewMut::from_slice(&mut z[..n * k], n, k).gemm_tr(1.0, &xt, &w, 1.0);
    }

    fn add_xt_times_classes(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_xt_times_classes(x, r, g);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = g.len() / (d + 1);
        let xt = transposed(m);
        let rm = DMatrixView::from_slice(&r[..n * k], n, k);
        DMatrixViewMut::from_slice_with_strides_mut(&mut g[1..], d, k, 1, d + 1).gemm(1.0, &xt, &rm, 1.0);
    }

    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_weighted_gram(x, h, out);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        // diag(h)·X stored column-major (n × d), so Xᵀ (a d × n view) times it is a plain gemm
        let y = &mut scratch[..n * d];
        for (i, (xr, &hi)) in m.rows().zip(h).enumerate() {
            for (j, v) in xr.iter().enumerate() {
                y[j * n + i] = hi * v;
            }
        }
        let xt = transposed(m);
        let ym = DMatrixView::from_slice(&*y, n, d);
        DMatrixViewMut::from_slice(out, d, d).gemm(1.0, &xt, &ym, 1.0);
    }
}
