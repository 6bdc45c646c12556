//! the two products of a block of rows with vectors, `z ← X·w + b` and `g ← g + Xᵀ·r`, with
//! explicit avx-512 / avx2 kernels on x86-64 (plain loops elsewhere).
//!
//! rows go four at a time. for `X·w` each row has two accumulators, so eight independent
//! chains of fused multiply-adds keep both fma units busy (the compiler, left to itself, packs
//! such loops across rows with shuffles); a row's value depends only on the row and `w` (a short
//! last group is padded with a repeated row). for `Xᵀ·r` each slice of `g` is loaded and stored
//! once per four rows. results depend on the rows' order only, never on the thread count.

use crate::numerics::{axpy, dot};
use crate::simd::{Level, level};
use crate::view::DenseRows;

/// `g ← g + Xᵀ·r` for the rows of `x`.
pub fn add_xt_times(x: &DenseRows<'_>, r: &[f64], g: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), r.len());
    let done = simd_quads(x, r, g);
    axpy_rows(x, r, g, done);
}

/// `g ← g + Xᵀ·r` over the leading groups of four rows with the widest simd kernel the cpu
/// has; the number of rows done (0 without one).
fn simd_quads(x: &DenseRows<'_>, r: &[f64], g: &mut [f64]) -> usize {
    let quads = r.len() / 4;
    let quad = |q: usize| {
        let k = 4 * q;
        ([x.row(k), x.row(k + 1), x.row(k + 2), x.row(k + 3)], [r[k], r[k + 1], r[k + 2], r[k + 3]])
    };
    match level() {
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => {
            for q in 0..quads {
                let (rows, rq) = quad(q);
                // SAFETY: `level` checked the cpu has avx-512f
                unsafe { x86::axpy4_avx512(rows, rq, g) };
            }
            4 * quads
        }
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => {
            for q in 0..quads {
                let (rows, rq) = quad(q);
                // SAFETY: `level` checked the cpu has avx2 and fma
                unsafe { x86::axpy4_avx2(rows, rq, g) };
            }
            4 * quads
        }
        _ => {
            let _ = (quad, g);
            0
        }
    }
}

/// `g ← g + rₖ·xₖ` for the rows `k ≥ from`, one at a time.
fn axpy_rows(x: &DenseRows<'_>, r: &[f64], g: &mut [f64], from: usize) {
    for (k, &rk) in r.iter().enumerate().skip(from) {
        axpy(rk, x.row(k), g);
    }
}

/// `z ← X·w + b` for the rows of `x`.
pub fn linear_predictor(x: &DenseRows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), z.len());
    match level() {
        // SAFETY: `level` checked the cpu has avx-512f
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => each_quad(x, w, b, z, |rows| unsafe { x86::dot4_avx512(rows, w) }),
        // SAFETY: `level` checked the cpu has avx2 and fma
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => each_quad(x, w, b, z, |rows| unsafe { x86::dot4_avx2(rows, w) }),
        _ => {
            for (k, zk) in z.iter_mut().enumerate() {
                *zk = b + dot(x.row(k), w);
            }
        }
    }
}

/// `z[k] = b + dot4(rows k..k+4)[..]`, the last group padded with its final row.
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn each_quad(x: &DenseRows<'_>, w: &[f64], b: f64, z: &mut [f64], dot4: impl Fn([&[f64]; 4]) -> [f64; 4]) {
    let n = z.len();
    for (q, zq) in z.chunks_mut(4).enumerate() {
        let k = 4 * q;
        let row = |i: usize| x.row((k + i).min(n - 1));
        let v = dot4([row(0), row(1), row(2), row(3)]);
        for (zi, vi) in zq.iter_mut().zip(v) {
            *zi = b + vi;
        }
        debug_assert!(x.row(k).len() == w.len());
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// the four rows' dot products with `w` (each row at least `w.len()` long).
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn dot4_avx512(rows: [&[f64]; 4], w: &[f64]) -> [f64; 4] {
        let d = w.len();
        assert!(rows.iter().all(|r| r.len() >= d));
        let (wp, xp) = (w.as_ptr(), rows.map(|r| r.as_ptr()));
        let mut lo = [_mm512_setzero_pd(); 4];
        let mut hi = [_mm512_setzero_pd(); 4];
        let mut j = 0;
        // SAFETY (every load): j + 16 ≤ d, j + 8 ≤ d, or masked to the j..d left; rows are ≥ d long
        unsafe {
            while j + 16 <= d {
                let (w0, w1) = (_mm512_loadu_pd(wp.add(j)), _mm512_loadu_pd(wp.add(j + 8)));
                for r in 0..4 {
                    lo[r] = _mm512_fmadd_pd(_mm512_loadu_pd(xp[r].add(j)), w0, lo[r]);
                    hi[r] = _mm512_fmadd_pd(_mm512_loadu_pd(xp[r].add(j + 8)), w1, hi[r]);
                }
                j += 16;
            }
            if j + 8 <= d {
                let w0 = _mm512_loadu_pd(wp.add(j));
                for r in 0..4 {
                    lo[r] = _mm512_fmadd_pd(_mm512_loadu_pd(xp[r].add(j)), w0, lo[r]);
                }
                j += 8;
            }
            if j < d {
                let mask: __mmask8 = (1u8 << (d - j)) - 1;
                let w0 = _mm512_maskz_loadu_pd(mask, wp.add(j));
                for r in 0..4 {
                    hi[r] = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(mask, xp[r].add(j)), w0, hi[r]);
                }
            }
        }
        // the four rows' lanes summed at once: neighbouring lanes of two rows interleaved, then
        // even 128-bit lanes plus odd ones, twice; each row summed the same way wherever it stands
        use crate::class_kernels::avx512::{halves, pairs};
        let s: [__m512d; 4] = std::array::from_fn(|r| _mm512_add_pd(lo[r], hi[r]));
        let quarters = halves(pairs(s[0], s[1]), pairs(s[2], s[3]));
        let mut out = [0.0; 4];
        // SAFETY: `out` holds four values
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), _mm512_castpd512_pd256(halves(quarters, quarters))) };
        out
    }

    /// `g ← g + Σ rᵢ·rowsᵢ` (each row at least `g.len()` long).
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn axpy4_avx512(rows: [&[f64]; 4], r: [f64; 4], g: &mut [f64]) {
        let d = g.len();
        assert!(rows.iter().all(|row| row.len() >= d));
        let (gp, xp) = (g.as_mut_ptr(), rows.map(|row| row.as_ptr()));
        let rv = r.map(|v| _mm512_set1_pd(v));
        let mut j = 0;
        // SAFETY (every access): j + 8 ≤ d, or masked to the j..d left; rows are ≥ d long
        unsafe {
            while j + 8 <= d {
                let mut acc = _mm512_loadu_pd(gp.add(j));
                for i in 0..4 {
                    acc = _mm512_fmadd_pd(_mm512_loadu_pd(xp[i].add(j)), rv[i], acc);
                }
                _mm512_storeu_pd(gp.add(j), acc);
                j += 8;
            }
            if j < d {
                let mask: __mmask8 = (1u8 << (d - j)) - 1;
                let mut acc = _mm512_maskz_loadu_pd(mask, gp.add(j));
                for i in 0..4 {
                    acc = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(mask, xp[i].add(j)), rv[i], acc);
                }
                _mm512_mask_storeu_pd(gp.add(j), mask, acc);
            }
        }
    }

    /// `g ← g + Σ rᵢ·rowsᵢ` (each row at least `g.len()` long).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn axpy4_avx2(rows: [&[f64]; 4], r: [f64; 4], g: &mut [f64]) {
        let d = g.len();
        assert!(rows.iter().all(|row| row.len() >= d));
        let (gp, xp) = (g.as_mut_ptr(), rows.map(|row| row.as_ptr()));
        let rv = r.map(|v| _mm256_set1_pd(v));
        let mut j = 0;
        // SAFETY (every access): j + 4 ≤ d; the scalar tail reads j..d
        unsafe {
            while j + 4 <= d {
                let mut acc = _mm256_loadu_pd(gp.add(j));
                for i in 0..4 {
                    acc = _mm256_fmadd_pd(_mm256_loadu_pd(xp[i].add(j)), rv[i], acc);
                }
                _mm256_storeu_pd(gp.add(j), acc);
                j += 4;
            }
        }
        for (jj, gj) in g.iter_mut().enumerate().skip(j) {
            *gj += ((r[0] * rows[0][jj] + r[1] * rows[1][jj]) + r[2] * rows[2][jj]) + r[3] * rows[3][jj];
        }
    }

    /// the four rows' dot products with `w` (each row at least `w.len()` long).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot4_avx2(rows: [&[f64]; 4], w: &[f64]) -> [f64; 4] {
        let d = w.len();
        assert!(rows.iter().all(|r| r.len() >= d));
        let (wp, xp) = (w.as_ptr(), rows.map(|r| r.as_ptr()));
        let mut lo = [_mm256_setzero_pd(); 4];
        let mut hi = [_mm256_setzero_pd(); 4];
        let mut j = 0;
        // SAFETY (every load): j + 8 ≤ d; the scalar tail reads j..d
        unsafe {
            while j + 8 <= d {
                let (w0, w1) = (_mm256_loadu_pd(wp.add(j)), _mm256_loadu_pd(wp.add(j + 4)));
                for r in 0..4 {
                    lo[r] = _mm256_fmadd_pd(_mm256_loadu_pd(xp[r].add(j)), w0, lo[r]);
                    hi[r] = _mm256_fmadd_pd(_mm256_loadu_pd(xp[r].add(j + 4)), w1, hi[r]);
                }
                j += 8;
            }
        }
        std::array::from_fn(|r| {
            let mut lanes = [0.0; 4];
            // SAFETY: `lanes` holds four f64
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), _mm256_add_pd(lo[r], hi[r])) };
            let tail: f64 = rows[r][j..d].iter().zip(&w[j..]).map(|(a, b)| a * b).sum();
            (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]) + tail
        })
    }
}

#[cfg(test)]
mod tests {
    /// the scalar path (cpus without avx2) adds every row exactly once.
    #[test]
    fn scalar_rows_are_added_once() {
        let x: Vec<f64> = (0..5 * 3).map(|v| v as f64).collect();
        let m = MatrixRef::new(&x, 5, 3).unwrap();
        let mut g = vec![1.0; 3];
        axpy_rows(&DenseRows::all(m), &[1.0, 0.0, 0.0, 0.0, 2.0], &mut g, 0);
        assert_eq!(g, vec![1.0 + 24.0, 2.0 + 26.0, 3.0 + 28.0]);
    }

    /// `g + Xᵀr` agrees with one axpy per row to rounding, for every width and row count.
    #[test]
    fn add_xt_times_matches_row_by_row_axpys() {
        let mut rng = Rng::new(12);
        for d in (1..=40).chain([100]) {
            let n = 11;
            let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
            let r: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let m = MatrixRef::new(&x, n, d).unwrap();
            for rows in 0..=n {
                let g0: Vec<f64> = (0..d).map(|j| j as f64).collect();
                let mut g = g0.clone();
                add_xt_times(&DenseRows::new(m, Selection::Range(0..rows)), &r[..rows], &mut g);
                for j in 0..d {
                    let (mut exact, mut scale) = (g0[j], g0[j].abs());
                    for (k, rk) in r[..rows].iter().enumerate() {
                        exact += rk * m.row(k)[j];
                        scale += (rk * m.row(k)[j]).abs();
                    }
                    assert!((g[j] - exact).abs() <= 1e-14 * scale.max(1e-300), "d={d} rows={rows} j={j}");
                }
            }
        }
    }

    use super::*;
    use crate::rng::Rng;
    use crate::view::{MatrixRef, Selection};

    /// every width from 1 to 40 and 100, every group remainder, scattered rows too: the
    /// kernels agree with the scalar sum to rounding (fma and summation order differ, so not bit
    /// for bit), bounded by 1e-14·Σ|xⱼ·wⱼ|; a row's value does not depend on its group.
    #[test]
    fn match_the_scalar_dot_products() {
        let mut rng = Rng::new(11);
        for d in (1..=40).chain([100]) {
            let n = 11;
            let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let m = MatrixRef::new(&x, n, d).unwrap();
            for rows in 0..=n {
                let mut z = vec![0.0; rows];
                linear_predictor(&DenseRows::new(m, Selection::Range(0..rows)), &w, 0.5, &mut z);
                for (k, zk) in z.iter().enumerate() {
                    let row = m.row(k);
                    let scale: f64 = row.iter().zip(&w).map(|(a, b)| (a * b).abs()).sum::<f64>() + 0.5;
                    let exact = 0.5 + dot(row, &w);
                    assert!((zk - exact).abs() <= 1e-14 * scale, "d={d} rows={rows} k={k}: {zk} vs {exact}");
                }
                if rows == n {
                    let idx: Vec<usize> = (0..n).rev().collect();
                    let mut zr = vec![0.0; n];
                    linear_predictor(&DenseRows::new(m, Selection::Indices(&idx)), &w, 0.5, &mut zr);
                    assert!(zr.iter().rev().zip(&z).all(|(a, b)| a == b), "d={d}: a row's value moved with its group");
                }
            }
        }
    }
}

/// the avx-512 and avx2 kernels checked directly against scalar sums (an avx-512 cpu never
/// dispatches to the avx2 ones, and the dispatch would hide a missing avx-512 path).
#[cfg(all(test, target_arch = "x86_64"))]
mod simd_kernel_tests {
    use super::x86;
    use crate::numerics::dot;
    use crate::rng::Rng;

    type Dot4 = unsafe fn([&[f64]; 4], &[f64]) -> [f64; 4];
    type Axpy4 = unsafe fn([&[f64]; 4], [f64; 4], &mut [f64]);

    /// `dot4` and `axpy4` against scalar sums for widths 1–40 and 100 (every remainder of the
    /// 16-, 8- and 4-wide loops), to 1e-14·Σ|terms| (fma and summation order differ).
    fn check(dot4: Dot4, axpy4: Axpy4, seed: u64) {
        let mut rng = Rng::new(seed);
        for d in (1..=40).chain([100]) {
            let x: Vec<Vec<f64>> = (0..4).map(|_| (0..d).map(|_| rng.normal()).collect()).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let rows = [&x[0][..], &x[1][..], &x[2][..], &x[3][..]];
            let scale = |row: &[f64]| row.iter().zip(&w).map(|(a, b)| (a * b).abs()).sum::<f64>();
            // SAFETY: the callers checked the cpu features of the kernels
            let z = unsafe { dot4(rows, &w) };
            for (zi, row) in z.iter().zip(rows) {
                assert!((zi - dot(row, &w)).abs() <= 1e-14 * scale(row), "d={d}");
            }
            let r = [0.5, -1.0, 2.0, 0.25];
            let mut g = w.clone();
            // SAFETY: as above
            unsafe { axpy4(rows, r, &mut g) };
            for j in 0..d {
                let exact = w[j] + (0..4).map(|i| r[i] * x[i][j]).sum::<f64>();
                let s = w[j].abs() + (0..4).map(|i| (r[i] * x[i][j]).abs()).sum::<f64>();
                assert!((g[j] - exact).abs() <= 1e-14 * s, "d={d} j={j}");
            }
        }
    }

    #[test]
    fn avx2_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx2) {
            eprintln!("skipped: this cpu has no avx2 + fma");
            return;
        }
        check(x86::dot4_avx2, x86::axpy4_avx2, 13);
    }

    #[test]
    fn avx512_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx512) {
            eprintln!("skipped: this cpu has no avx-512");
            return;
        }
        check(x86::dot4_avx512, x86::axpy4_avx512, 14);
    }
}
