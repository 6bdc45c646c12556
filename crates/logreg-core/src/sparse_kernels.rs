//! the products of a block of csr rows with one coefficient vector or with class blocks:
//! `X·w + b`, `Xᵀ·r`, `X·W + 1·bᵀ`, `Xᵀ·R` and the weighted gram, as plain loops over the stored
//! entries in row order (the reference the backends' sparse products are tested against).

use crate::view::SparseRows;

/// `Σ vⱼ·w[cⱼ]` over one row's stored entries, in four lanes (a fixed order).
#[inline(always)]
fn sparse_dot(cols: &[u32], vals: &[f64], w: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (cq, cr) = cols.as_chunks::<4>();
    let (vq, vr) = vals.as_chunks::<4>();
    for (c, v) in cq.iter().zip(vq) {
        for l in 0..4 {
            acc[l] += v[l] * w[c[l] as usize];
        }
    }
    for (l, (&c, &v)) in cr.iter().zip(vr).enumerate() {
        acc[l] += v * w[c as usize];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `z ← X·w + b`.
pub fn linear_predictor(x: &SparseRows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), z.len());
    for (k, zk) in z.iter_mut().enumerate() {
        let (cols, vals) = x.row(k);
        *zk = b + sparse_dot(cols, vals, w);
    }
}

/// `g ← g + Xᵀ·r`.
pub fn add_xt_times(x: &SparseRows<'_>, r: &[f64], g: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), r.len());
    for (k, &rk) in r.iter().enumerate() {
        if rk == 0.0 {
            continue;
        }
        let (cols, vals) = x.row(k);
        for (&c, &v) in cols.iter().zip(vals) {
            g[c as usize] += rk * v;
        }
    }
}

/// `Z ← X·W + 1·bᵀ`: `coefs` in class blocks `[b_c, w_c…]` of `d + 1`, `z` column-major
/// `rows × classes`.
pub fn class_logits(x: &SparseRows<'_>, coefs: &[f64], z: &mut [f64]) {
    let (m, q) = (x.n_rows(), x.n_cols() + 1);
    for (c, zc) in z.chunks_exact_mut(m.max(1)).enumerate().take(coefs.len() / q) {
        let block = &coefs[c * q..(c + 1) * q];
        linear_predictor(x, &block[1..], block[0], zc);
    }
}

/// `G ← G + Xᵀ·R`: `r` column-major `rows × classes`, `g` in class blocks of `d + 1` whose
/// intercept entry is left untouched.
pub fn add_xt_times_classes(x: &SparseRows<'_>, r: &[f64], g: &mut [f64]) {
    let (m, q) = (x.n_rows(), x.n_cols() + 1);
    for (rc, block) in r.chunks_exact(m.max(1)).zip(g.chunks_exact_mut(q)) {
        add_xt_times(x, rc, &mut block[1..]);
    }
}

/// the lower triangle (diagonal included) of `out ← out + Xᵀ·diag(h)·X` (`d × d`, row-major);
/// the caller mirrors it.
pub fn add_weighted_gram_lower(x: &SparseRows<'_>, h: &[f64], out: &mut [f64]) {
    let d = x.n_cols();
    for (k, &hk) in h.iter().enumerate() {
        let (cols, vals) = x.row(k);
        for (&a, &va) in cols.iter().zip(vals) {
            let ha = hk * va;
            let row = &mut out[a as usize * d..(a as usize + 1) * d];
            for (&b, &vb) in cols.iter().zip(vals).take_while(|(b, _)| **b <= a) {
                row[b as usize] += ha * vb;
            }
        }
    }
}
