//! the two products of a block of rows with vectors, `z ← X·w + b` and `g ← g + Xᵀ·r`, and the
//! fused pass that does both while a group of rows is in l1 cache, with explicit avx-512 / avx2
//! kernels on x86-64 (plain loops elsewhere).
//!
//! `X·w` takes one row at a time (four accumulators), so the rows are read as one sequential
//! stream: measured on a zen 4 epyc (1M × 100, from memory) a row at a time runs at the read's
//! speed where two or four rows side by side (streams 8·d bytes apart) ran at 40–60 % of it
//! (eight side by side, one accumulator each, tried again 2026-11-23: 10 % faster on rows in
//! cache, twice as slow from memory, and with rows requested ahead no faster than one at a time;
//! two rows sharing each load of `w`, eight fma chains, tried on a zen 3 epyc with avx2
//! 2026-11-24: 5 % faster in cache, 2–4 % slower from memory).
//! `Xᵀ·r` takes rows eight at a time (then four, then one), each slice of `g` loaded and stored
//! once per eight rows (at 1M × 100, one thread, from memory: 37–39 → 35.6–36.5 ms a pass
//! against four rows, the same sums to the bit). a
//! row's logit depends only on the row and `w`, and the sums only on the rows' order, never on
//! the thread count.

use crate::numerics::{axpy, dot};
use crate::simd::{Level, row_level};
use crate::view::DenseRows;

/// the simd kernels of one instruction set; a value exists only where the cpu has it.
trait Kernels: Copy {
    /// the dot product of `row` with `w` (the row at least `w.len()` long).
    fn dot(self, row: &[f64], w: &[f64]) -> f64;
    /// `g ← g + Σ rᵢ·rowsᵢ` (each row at least `g.len()` long) for `R` (4 or 8) rows, added four
    /// at a time in order: eight rows give, to the bit, what their two fours give one after
    /// the other.
    fn axpy<const R: usize>(self, rows: [&[f64]; R], r: [f64; R], g: &mut [f64]);
}

/// plain loops, for cpus without avx2.
#[derive(Clone, Copy)]
struct Scalar;

impl Kernels for Scalar {
    #[inline(always)]
    fn dot(self, row: &[f64], w: &[f64]) -> f64 {
        dot(&row[..w.len()], w)
    }

    #[inline(always)]
    fn axpy<const R: usize>(self, rows: [&[f64]; R], r: [f64; R], g: &mut [f64]) {
        for (row, ri) in rows.into_iter().zip(r) {
            axpy(ri, row, g);
        }
    }
}

/// `$body` with `$k` bound to the [`Kernels`] of the instruction set the row kernels run at
/// ([`row_level`]).
macro_rules! with_kernels {
    ($k:ident => $body:expr) => {
        match row_level() {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => {
                // SAFETY: `row_level` is at most `level`, which checked the cpu has avx-512f
                let $k = unsafe { x86::Avx512::new() };
                $body
            }
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => {
                // SAFETY: `row_level` is at most `level`, which checked the cpu has avx2 and fma
                let $k = unsafe { x86::Avx2::new() };
                $body
            }
            _ => {
                let $k = Scalar;
                $body
            }
        }
    };
}

/// `g ← g + Xᵀ·r` for the rows of `x`.
pub fn add_xt_times(x: &DenseRows<'_>, r: &[f64], g: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), r.len());
    with_kernels!(k => add_xt_times_with(k, x, r, g, 0))
}

/// `g ← g + Σₖ rₖ·xₖ` over the rows `k ≥ from` of `x` with the kernels `k`.
#[inline(always)]
fn add_xt_times_with(k: impl Kernels, x: &DenseRows<'_>, r: &[f64], g: &mut [f64], from: usize) {
    let mut i = from;
    while i + 8 <= r.len() {
        k.axpy::<8>(std::array::from_fn(|q| x.row(i + q)), std::array::from_fn(|q| r[i + q]), g);
        i += 8;
    }
    if i + 4 <= r.len() {
        k.axpy::<4>(std::array::from_fn(|q| x.row(i + q)), std::array::from_fn(|q| r[i + q]), g);
        i += 4;
    }
    for (row, &ri) in r.iter().enumerate().skip(i) {
        axpy(ri, x.row(row), g);
    }
}

/// `z ← X·w + b` for the rows of `x`.
pub fn linear_predictor(x: &DenseRows<'_>, w: &[f64], b: f64, z: &mut [f64]) {
    debug_assert_eq!(x.n_rows(), z.len());
    with_kernels!(k => rows_logits(k, x, 0, w, b, z))
}

/// `z ← X·w + b` for the rows `from..from + z.len()` of `x`, one row at a time; rows of at
/// least [`AHEAD_MIN_COLS`] values also ask for the row about [`AHEAD_BYTES`] further on to be
/// brought into l2 cache.
#[inline(always)]
fn rows_logits(k: impl Kernels, x: &DenseRows<'_>, from: usize, w: &[f64], b: f64, z: &mut [f64]) {
    let d = x.n_cols();
    let ahead = if d >= AHEAD_MIN_COLS { AHEAD_BYTES.div_ceil(8 * d) } else { 0 };
    for (i, zi) in z.iter_mut().enumerate() {
        if ahead > 0
            && let Some(row) = x.ahead_row(from + i + ahead)
        {
            crate::ahead::request_all(row);
        }
        *zi = b + k.dot(x.row(from + i), w);
    }
}

/// how far ahead of the row being read the row kernels request rows into l2 cache. the
/// hardware's own prefetch follows one sequential stream, but from too close: at 1M × 100 on a
/// zen 4 epyc (one thread, 2026-11-23) the fused pass took 45–47 ms without the requests, 38–39
/// ms with them 8–32 rows (6–25 kb) ahead, and 61 ms at 4 rows.
const AHEAD_BYTES: usize = 12 * 1024;

/// rows narrower than this are not requested ahead: their pass is bound by its work per row,
/// which the requests add to (at 1M × 20, one thread: 16.1 → 17.0 ms).
const AHEAD_MIN_COLS: usize = 32;

/// the fused pass over the rows of `x`, in groups of [`GROUP`]: `z ← X·w + b` for the group,
/// then `residuals(k, z)` turns the group's logits (rows `k..`) into the residuals `r`, then
/// `g ← g + Xᵀ·r` while the group's rows are still in l1 cache. so each row is read from memory
/// once, in order. `z` ends holding every row's residual; the logits are those of
/// [`linear_predictor`] to the bit, the gradient that of [`add_xt_times`] on the residuals.
#[inline(always)]
pub(crate) fn fused_pass(
    x: &DenseRows<'_>,
    w: &[f64],
    b: f64,
    z: &mut [f64],
    g: &mut [f64],
    mut residuals: impl FnMut(usize, &mut [f64]),
) {
    debug_assert_eq!(x.n_rows(), z.len());
    with_kernels!(k => {
        let n = z.len();
        for from in (0..n).step_by(GROUP) {
            let m = GROUP.min(n - from);
            rows_logits(k, x, from, w, b, &mut z[from..from + m]);
            residuals(from, &mut z[from..from + m]);
            add_xt_times_with(k, x, &z[..from + m], g, from);
        }
    })
}

/// rows per group of [`fused_pass`]: a multiple of four, few enough that the group stays in l1
/// cache between its two products, and as many as an avx-512 vector has lanes, so the group's
/// losses and residuals are computed as one vector.
const GROUP: usize = 8;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Kernels;
    use std::arch::x86_64::*;

    /// the avx-512 kernels.
    #[derive(Clone, Copy)]
    pub(super) struct Avx512(());

    impl Avx512 {
        /// SAFETY: the cpu must have avx-512f.
        pub(super) unsafe fn new() -> Self {
            Avx512(())
        }
    }

    impl Kernels for Avx512 {
        #[inline(always)]
        fn dot(self, row: &[f64], w: &[f64]) -> f64 {
            // SAFETY: an `Avx512` exists only where the cpu has avx-512f
            unsafe { dot_avx512(row, w) }
        }

        #[inline(always)]
        fn axpy<const R: usize>(self, rows: [&[f64]; R], r: [f64; R], g: &mut [f64]) {
            // SAFETY: as above
            unsafe { axpy_avx512(rows, r, g) }
        }
    }

    /// the avx2 + fma kernels.
    #[derive(Clone, Copy)]
    pub(super) struct Avx2(());

    impl Avx2 {
        /// SAFETY: the cpu must have avx2 and fma.
        pub(super) unsafe fn new() -> Self {
            Avx2(())
        }
    }

    impl Kernels for Avx2 {
        #[inline(always)]
        fn dot(self, row: &[f64], w: &[f64]) -> f64 {
            // SAFETY: an `Avx2` exists only where the cpu has avx2 and fma
            unsafe { dot_avx2(row, w) }
        }

        #[inline(always)]
        fn axpy<const R: usize>(self, rows: [&[f64]; R], r: [f64; R], g: &mut [f64]) {
            // SAFETY: as above
            unsafe { axpy_avx2(rows, r, g) }
        }
    }

    /// the row's dot product with `w` (the row at least `w.len()` long): four accumulators of
    /// eight lanes, summed pairwise.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn dot_avx512(row: &[f64], w: &[f64]) -> f64 {
        let d = w.len();
        assert!(row.len() >= d);
        let (wp, xp) = (w.as_ptr(), row.as_ptr());
        let mut acc = [_mm512_setzero_pd(); 4];
        let mut j = 0;
        // SAFETY (every load): j + 32 ≤ d, j + 8 ≤ d, or masked to the j..d left; the row is ≥ d long
        unsafe {
            while j + 32 <= d {
                for (a, acc) in acc.iter_mut().enumerate() {
                    let o = j + 8 * a;
                    *acc = _mm512_fmadd_pd(_mm512_loadu_pd(xp.add(o)), _mm512_loadu_pd(wp.add(o)), *acc);
                }
                j += 32;
            }
            let mut a = 0;
            while j + 8 <= d {
                acc[a] = _mm512_fmadd_pd(_mm512_loadu_pd(xp.add(j)), _mm512_loadu_pd(wp.add(j)), acc[a]);
                a += 1;
                j += 8;
            }
            if j < d {
                let mask: __mmask8 = (1u8 << (d - j)) - 1;
                let (xv, wv) = (_mm512_maskz_loadu_pd(mask, xp.add(j)), _mm512_maskz_loadu_pd(mask, wp.add(j)));
                acc[3] = _mm512_fmadd_pd(xv, wv, acc[3]);
            }
        }
        let s = _mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3]));
        let quarter = _mm256_add_pd(_mm512_castpd512_pd256(s), _mm512_extractf64x4_pd::<1>(s));
        let half = _mm_add_pd(_mm256_castpd256_pd128(quarter), _mm256_extractf128_pd::<1>(quarter));
        _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)))
    }

    /// `g ← g + Σ rᵢ·rowsᵢ` (each row at least `g.len()` long): each slice of `g` loaded and
    /// stored once, its rows' terms added in order by fma.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn axpy_avx512<const R: usize>(rows: [&[f64]; R], r: [f64; R], g: &mut [f64]) {
        let d = g.len();
        assert!(rows.iter().all(|row| row.len() >= d));
        let (gp, xp) = (g.as_mut_ptr(), rows.map(|row| row.as_ptr()));
        let rv = r.map(|v| _mm512_set1_pd(v));
        let mut j = 0;
        // SAFETY (every access): j + 8 ≤ d, or masked to the j..d left; rows are ≥ d long
        unsafe {
            while j + 8 <= d {
                let mut acc = _mm512_loadu_pd(gp.add(j));
                for i in 0..R {
                    acc = _mm512_fmadd_pd(_mm512_loadu_pd(xp[i].add(j)), rv[i], acc);
                }
                _mm512_storeu_pd(gp.add(j), acc);
                j += 8;
            }
            if j < d {
                let mask: __mmask8 = (1u8 << (d - j)) - 1;
                let mut acc = _mm512_maskz_loadu_pd(mask, gp.add(j));
                for i in 0..R {
                    acc = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(mask, xp[i].add(j)), rv[i], acc);
                }
                _mm512_mask_storeu_pd(gp.add(j), mask, acc);
            }
        }
    }
    /// `g ← g + Σ rᵢ·rowsᵢ` (each row at least `g.len()` long): each slice of `g` loaded and
    /// stored once, its rows' terms added in order by fma; the last `d mod 4` entries in
    /// plain arithmetic, four rows at a time.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn axpy_avx2<const R: usize>(rows: [&[f64]; R], r: [f64; R], g: &mut [f64]) {
        const { assert!(R.is_multiple_of(4), "rows four at a time") };
        let d = g.len();
        assert!(rows.iter().all(|row| row.len() >= d));
        let (gp, xp) = (g.as_mut_ptr(), rows.map(|row| row.as_ptr()));
        let rv = r.map(|v| _mm256_set1_pd(v));
        let mut j = 0;
        // SAFETY (every access): j + 4 ≤ d; the scalar tail reads j..d
        unsafe {
            while j + 4 <= d {
                let mut acc = _mm256_loadu_pd(gp.add(j));
                for i in 0..R {
                    acc = _mm256_fmadd_pd(_mm256_loadu_pd(xp[i].add(j)), rv[i], acc);
                }
                _mm256_storeu_pd(gp.add(j), acc);
                j += 4;
            }
        }
        for (jj, gj) in g.iter_mut().enumerate().skip(j) {
            for q in (0..R).step_by(4) {
                let t = |i: usize| r[q + i] * rows[q + i][jj];
                *gj += ((t(0) + t(1)) + t(2)) + t(3);
            }
        }
    }
    /// the row's dot product with `w` (the row at least `w.len()` long): four accumulators of
    /// four lanes, summed pairwise, then the scalar tail.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot_avx2(row: &[f64], w: &[f64]) -> f64 {
        let d = w.len();
        assert!(row.len() >= d);
        let (wp, xp) = (w.as_ptr(), row.as_ptr());
        let mut acc = [_mm256_setzero_pd(); 4];
        let mut j = 0;
        // SAFETY (every load): j + 16 ≤ d or j + 4 ≤ d; the scalar tail reads j..d
        unsafe {
            while j + 16 <= d {
                for (a, acc) in acc.iter_mut().enumerate() {
                    let o = j + 4 * a;
                    *acc = _mm256_fmadd_pd(_mm256_loadu_pd(xp.add(o)), _mm256_loadu_pd(wp.add(o)), *acc);
                }
                j += 16;
            }
            let mut a = 0;
            while j + 4 <= d {
                acc[a] = _mm256_fmadd_pd(_mm256_loadu_pd(xp.add(j)), _mm256_loadu_pd(wp.add(j)), acc[a]);
                a += 1;
                j += 4;
            }
        }
        let s = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
        let half = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd::<1>(s));
        let tail: f64 = row[j..d].iter().zip(&w[j..]).map(|(a, b)| a * b).sum();
        _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half))) + tail
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
        add_xt_times_with(Scalar, &DenseRows::all(m), &[1.0, 0.0, 0.0, 0.0, 2.0], &mut g, 0);
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

    /// the fused pass equals its three steps one after the other, to the bit: the logits of
    /// `linear_predictor`, the residuals made of them (the callback is handed each group once,
    /// in order, with its first row's index), and `add_xt_times` on them; every group remainder,
    /// scattered rows too.
    #[test]
    fn the_fused_pass_is_its_three_steps() {
        let mut rng = Rng::new(15);
        for d in [1, 3, 8, 13, 100] {
            let n = 27;
            let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let m = MatrixRef::new(&x, n, d).unwrap();
            let shuffled: Vec<usize> = (0..n).map(|i| (7 * i + 3) % n).collect();
            let residual = |k: usize, z: f64| 0.25 * z.tanh() - 0.01 * k as f64;
            for rows in 0..=n {
                for sel in [Selection::Range(0..rows), Selection::Indices(&shuffled[..rows])] {
                    let view = DenseRows::new(m, sel);
                    let g0: Vec<f64> = (0..d).map(|j| 0.5 * j as f64).collect();
                    let mut z = vec![0.0; rows];
                    linear_predictor(&view, &w, -0.3, &mut z);
                    let r: Vec<f64> = z.iter().enumerate().map(|(k, &zk)| residual(k, zk)).collect();
                    let mut g = g0.clone();
                    add_xt_times(&view, &r, &mut g);

                    let (mut fz, mut fg, mut next) = (vec![0.0; rows], g0.clone(), 0);
                    fused_pass(&view, &w, -0.3, &mut fz, &mut fg, |k, zq| {
                        assert_eq!(k, next, "groups in order, each once");
                        next += zq.len();
                        for (i, zi) in zq.iter_mut().enumerate() {
                            assert_eq!(zi.to_bits(), z[k + i].to_bits(), "d={d} rows={rows}: logit {}", k + i);
                            *zi = residual(k + i, *zi);
                        }
                    });
                    assert_eq!(next, rows);
                    assert_eq!(fz, r, "d={d} rows={rows}: residuals");
                    assert_eq!(fg, g, "d={d} rows={rows}: gradient");
                }
            }
        }
    }

    /// the kernel of cpus without avx2 is the plain dot product over the first `d` values.
    #[test]
    fn scalar_dots_are_the_plain_dot_products() {
        let mut rng = Rng::new(16);
        let d = 5;
        let x: Vec<Vec<f64>> = (0..4).map(|_| (0..d + 2).map(|_| rng.normal()).collect()).collect();
        let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
        for row in &x {
            assert_eq!(Scalar.dot(row, &w), dot(&row[..d], &w));
        }
    }

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
    use super::{Kernels, x86};
    use crate::numerics::dot;
    use crate::rng::Rng;

    /// `dot` and `axpy` (four and eight rows) against scalar sums for widths 1–40, 63, 95 and
    /// 100 (every remainder of the 32-, 16-, 8- and 4-wide loops), to 1e-14·Σ|terms| (fma and
    /// summation order differ); rows longer than `w` (only their first `d` values count); eight
    /// rows give what their two fours give, to the bit.
    fn check(k: impl Kernels, seed: u64) {
        let mut rng = Rng::new(seed);
        for d in (1..=40).chain([63, 95, 100]) {
            // each row with three more values than `w`, which must not be read into its sum
            let x: Vec<Vec<f64>> =
                (0..8).map(|_| (0..d).map(|_| rng.normal()).chain([f64::NAN; 3]).collect()).collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let rows: [&[f64]; 4] = std::array::from_fn(|i| &x[i][..]);
            let scale = |row: &[f64]| row.iter().zip(&w).map(|(a, b)| (a * b).abs()).sum::<f64>();
            for row in rows {
                assert!((k.dot(row, &w) - dot(&row[..d], &w)).abs() <= 1e-14 * scale(row), "d={d}");
            }
            let r = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 3.0, -0.125];
            let eight: [&[f64]; 8] = std::array::from_fn(|i| &x[i][..]);
            let mut g = w.clone();
            k.axpy::<8>(eight, r, &mut g);
            for j in 0..d {
                let exact = w[j] + (0..8).map(|i| r[i] * x[i][j]).sum::<f64>();
                let s = w[j].abs() + (0..8).map(|i| (r[i] * x[i][j]).abs()).sum::<f64>();
                assert!((g[j] - exact).abs() <= 1e-14 * s, "d={d} j={j}");
            }
            let mut fours = w.clone();
            k.axpy::<4>([eight[0], eight[1], eight[2], eight[3]], [r[0], r[1], r[2], r[3]], &mut fours);
            k.axpy::<4>([eight[4], eight[5], eight[6], eight[7]], [r[4], r[5], r[6], r[7]], &mut fours);
            assert_eq!(g, fours, "d={d}: eight rows are their two fours, to the bit");
        }
    }

    #[test]
    fn avx2_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx2) {
            eprintln!("skipped: this cpu has no avx2 + fma");
            return;
        }
        // SAFETY: just checked
        check(unsafe { x86::Avx2::new() }, 13);
    }

    #[test]
    fn avx512_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx512) {
            eprintln!("skipped: this cpu has no avx-512");
            return;
        }
        // SAFETY: just checked
        check(unsafe { x86::Avx512::new() }, 14);
    }
}
