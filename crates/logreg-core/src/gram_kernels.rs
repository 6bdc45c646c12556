//! the weighted gram `Xᵀ·diag(h)·X` of dense rows, the reference backend's hessian product:
//! its lower triangle in register tiles (four output rows × a few vectors of output columns),
//! each tile summed over a block of rows before it is added to the output, compiled for the
//! widest simd the cpu has.

use crate::numerics::madd;
use crate::simd::Level;
use crate::view::DenseRows;

/// rows whose products a tile sums in registers before adding them to the output.
const BLOCK: usize = 64;
/// output rows per tile.
const TA: usize = 4;

/// the lower triangle (diagonal included) of `out ← out + Xᵀ·diag(h)·X` (`d × d`, row-major);
/// entries above the diagonal receive partial sums too, for the caller to overwrite with the
/// mirror of the lower triangle. `h` of any sign.
pub(crate) fn add_weighted_gram_lower(x: &DenseRows<'_>, h: &[f64], out: &mut [f64]) {
    at_level(crate::simd::level(), x, h, out)
}

/// [`add_weighted_gram_lower`] compiled for `level`, which the cpu must offer.
fn at_level(level: Level, x: &DenseRows<'_>, h: &[f64], out: &mut [f64]) {
    match level {
        // avx-512: four rows × two vectors of eight columns (8 of 32 registers)
        // SAFETY: the caller's level is one the cpu offers
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { x86::avx512(x, h, out) },
        // avx2: four rows × two vectors of four (8 of 16)
        // SAFETY: as above
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { x86::avx2(x, h, out) },
        _ => blocks::<8, false>(x, h, out),
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::blocks;
    use crate::view::DenseRows;

    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    pub(super) unsafe fn avx512(x: &DenseRows<'_>, h: &[f64], out: &mut [f64]) {
        blocks::<16, true>(x, h, out)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2(x: &DenseRows<'_>, h: &[f64], out: &mut [f64]) {
        blocks::<8, true>(x, h, out)
    }
}

/// the lower triangle by tiles of [`TA`] rows × `TB` columns, block of rows by block.
#[inline(always)]
fn blocks<const TB: usize, const FUSED: bool>(x: &DenseRows<'_>, h: &[f64], out: &mut [f64]) {
    let (n, d) = (x.n_rows(), x.n_cols());
    for start in (0..n).step_by(BLOCK) {
        let rows = start..(start + BLOCK).min(n);
        for a0 in (0..d).step_by(TA) {
            let a_end = (a0 + TA).min(d);
            // columns 0..a_end: whole tiles (they may run past the diagonal, up to d), then the
            // rest as tiles one column wide
            let mut b0 = 0;
            while b0 < a_end && b0 + TB <= d {
                tile::<TB, FUSED>(x, h, rows.clone(), a0, a_end, b0, out);
                b0 += TB;
            }
            for b in b0..a_end {
                tile::<1, FUSED>(x, h, rows.clone(), a0, a_end, b, out);
            }
        }
    }
}

/// `out[a][b0..b0 + TB] += Σᵢ hᵢ·xᵢₐ·xᵢ[b0..b0 + TB]` for `a` in `a0..a_end`, `i` in `rows`, in
/// registers.
#[inline(always)]
fn tile<const TB: usize, const FUSED: bool>(
    x: &DenseRows<'_>,
    h: &[f64],
    rows: std::ops::Range<usize>,
    a0: usize,
    a_end: usize,
    b0: usize,
    out: &mut [f64],
) {
    let d = x.n_cols();
    let mut acc = [[0.0f64; TB]; TA];
    for i in rows {
        let row = x.row(i);
        let xb: &[f64; TB] = row[b0..b0 + TB].try_into().expect("TB columns");
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // rows past d (the last tile of rows) weigh 0 and are never added to `out`
            let c = if a0 + r < a_end { h[i] * row[a0 + r] } else { 0.0 };
            for (s, &v) in acc_r.iter_mut().zip(xb) {
                *s = madd::<FUSED>(c, v, *s);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate().take(a_end - a0) {
        let o = &mut out[(a0 + r) * d + b0..(a0 + r) * d + b0 + TB];
        for (o, s) in o.iter_mut().zip(acc_r) {
            *o += s;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dataset::Dataset;
    use crate::rng::Rng;
    use crate::simd::Level;
    use crate::view::Selection;

    /// the tiled lower triangle equals the row-by-row sums to rounding, for every width (whole
    /// tiles, partial ones, columns left over), block remainder and sign of the weights, at
    /// every simd level the cpu has.
    #[test]
    fn the_tiled_gram_is_the_sum_of_rank_one_updates() {
        let mut rng = Rng::new(7);
        for d in (1..=40).chain([63, 100, 131]) {
            let n = 1 + (d * 37) % 150;
            let x: Vec<f64> = (0..n * d).map(|_| rng.uniform() * 4.0 - 2.0).collect();
            let h: Vec<f64> = (0..n).map(|_| rng.uniform() * 2.0 - 0.5).collect();
            let data = Dataset::new(x.clone(), d, vec![0.0; n]).unwrap();
            let rows = data.as_ref().rows(Selection::Range(0..n));
            let crate::view::Rows::Dense(dense) = rows else { unreachable!() };
            for level in [Level::Avx512, Level::Avx2, Level::Baseline] {
                if !crate::simd::cpu_offers(level) {
                    continue;
                }
                let mut got = vec![1.0; d * d];
                super::at_level(level, &dense, &h, &mut got);
                for a in 0..d {
                    for b in 0..=a {
                        let (want, scale) = (0..n).fold((1.0, 1.0), |(s, m), i| {
                            let t = h[i] * x[i * d + a] * x[i * d + b];
                            (s + t, m + t.abs())
                        });
                        let g = got[a * d + b];
                        assert!((g - want).abs() <= 1e-14 * scale, "{level}, d = {d}, ({a}, {b}): {g} vs {want}");
                    }
                }
            }
        }
    }
}
