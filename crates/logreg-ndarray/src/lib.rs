//! ndarray backend for logreg.
//!
//! a row-major block is viewed, without copying, as an `ArrayView2`; `X·w` is ndarray's
//! matrix–vector product, and `Xᵀ·r` is accumulated row by row with `scaled_add`
//! (ndarray's own `x.t().dot(r)` walks a strided view and is several times slower without blas).
#![warn(missing_docs)]

use logreg_core::Backend;
use logreg_core::view::Rows;
use ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, ShapeBuilder};

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
                let xm =
                    ArrayView2::from_shape((m.n_rows(), m.n_cols()), m.data()).expect("block shape matches its buffer");
                z.fill(b);
                general_mat_vec_mul(1.0, &xm, &wv, 1.0, &mut ArrayViewMut1::from(z));
            }
            None => match x {
                Rows::Dense(x) => {
                    for (zi, row) in z.iter_mut().zip(x.iter()) {
                        *zi = b + ArrayView1::from(row).dot(&wv);
                    }
                }
                Rows::Sparse(_) => logreg_core::backend::reference::linear_predictor(x, w, b, z),
            },
        }
    }

    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Rows::Dense(x) = x else {
            return logreg_core::backend::reference::add_xt_times(x, r, g);
        };
        let mut gv = ArrayViewMut1::from(g);
        for (&ri, row) in r.iter().zip(x.iter()) {
            gv.scaled_add(ri, &ArrayView1::from(row));
        }
    }

    fn class_logits(&self, x: &Rows<'_>, coefs: &[f64], z: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::class_logits(x, coefs, z);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = coefs.len() / (d + 1);
        logreg_core::backend::reference::fill_class_intercepts(coefs, d, n, z);
        let xm = ArrayView2::from_shape((n, d), m.data()).expect("block shape matches its buffer");
        let w = ArrayView2::from_shape((d, k).strides((1, d + 1)), &coefs[1..]).expect("class blocks of d + 1");
        let mut zm = ArrayViewMut2::from_shape((n, k).f(), &mut z[..n * k]).expect("z holds rows × classes");
        general_mat_mul(1.0, &xm, &w, 1.0, &mut zm);
    }

    fn add_xt_times_classes(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_xt_times_classes(x, r, g);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let k = g.len() / (d + 1);
        let xm = ArrayView2::from_shape((n, d), m.data()).expect("block shape matches its buffer");
        let rm = ArrayView2::from_shape((n, k).f(), &r[..n * k]).expect("r holds rows × classes");
        let mut gm = ArrayViewMut2::from_shape((d, k).strides((1, d + 1)), &mut g[1..]).expect("class blocks of d + 1");
        general_mat_mul(1.0, &xm.t(), &rm, 1.0, &mut gm);
    }

    fn add_weighted_gram(&self, x: &Rows<'_>, h: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        let Some(m) = x.as_contiguous() else {
            return logreg_core::backend::reference::add_weighted_gram(x, h, out);
        };
        let (n, d) = (m.n_rows(), m.n_cols());
        let xm = ArrayView2::from_shape((n, d), m.data()).expect("block shape matches its buffer");
        let mut y = ArrayViewMut2::from_shape((n, d), &mut scratch[..n * d]).expect("scratch holds the block");
        for ((mut yr, xr), &hi) in y.rows_mut().into_iter().zip(xm.rows()).zip(h) {
            yr.zip_mut_with(&xr, |a, b| *a = hi * b);
        }
        let mut o = ArrayViewMut2::from_shape((d, d), out).expect("output is d × d");
        general_mat_mul(1.0, &xm.t(), &y, 1.0, &mut o);
    }
}
