//! ndarray backend for logreg.
//!
//! a row-major block is viewed, without copying, as an `ArrayView2`; `X·w` is ndarray's
//! matrix–vector product, and `Xᵀ·r` is accumulated row by row with `scaled_add`
//! (ndarray's own `x.t().dot(r)` walks a strided view and is several times slower without blas).
#![warn(missing_docs)]

use logreg_core::Backend;
use logreg_core::view::Rows;
use ndarray::linalg::general_mat_vec_mul;
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1};

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
            None => {
                for (zi, row) in z.iter_mut().zip(x.iter()) {
                    *zi = b + ArrayView1::from(row).dot(&wv);
                }
            }
        }
    }

    fn add_xt_times(&self, x: &Rows<'_>, r: &[f64], g: &mut [f64]) {
        let mut gv = ArrayViewMut1::from(g);
        for (&ri, row) in r.iter().zip(x.iter()) {
            gv.scaled_add(ri, &ArrayView1::from(row));
        }
    }
}
