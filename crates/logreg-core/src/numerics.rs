//! numerically stable scalar kernels: sigmoid, softplus, log-loss.
//!
//! every function here is finite for every finite input: none forms `exp(z)` for a
//! positive `z` or takes `log` of a probability.

/// logistic function `1 / (1 + e^{-z})`, accurate in both tails.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    let e = (-z.abs()).exp();
    if z >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) }
}

/// `log(1 + e^z)`, finite for every finite `z`.
#[inline]
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// binary cross-entropy `-[y log σ(z) + (1-y) log(1-σ(z))]` of a label `y ∈ [0, 1]` at logit `z`.
#[inline]
pub fn log_loss(y: f64, z: f64) -> f64 {
    loss_and_residual(y, z).0
}

/// log-loss and residual `σ(z) - y` at logit `z`, sharing one exponential; both NaN when `z` is
/// not finite.
///
/// branch-free (selects, not jumps), so a loop over it vectorises.
#[inline(always)]
pub fn loss_and_residual(y: f64, z: f64) -> (f64, f64) {
    loss_and_residual_with::<false>(y, z)
}

/// [`loss_and_residual`], its polynomials by fused multiply-adds when `FUSED` (see [`madd`]).
#[inline(always)]
pub(crate) fn loss_and_residual_with<const FUSED: bool>(y: f64, z: f64) -> (f64, f64) {
    let e = exp_nonpositive_with::<FUSED>(-z.abs());
    let tail = log1p_unit_with::<FUSED>(e);
    // softplus(z) = max(z,0) + tail, softplus(-z) = max(-z,0) + tail
    // `0·z` is 0 for finite z and NaN for NaN or ±inf, which `max` and the clamp in
    // `exp_nonpositive` would otherwise turn into a perfect fit (loss 0)
    let poison = 0.0 * z;
    let loss = (1.0 - y) * z.max(0.0) + y * (-z).max(0.0) + tail + poison;
    let p = if z >= 0.0 { 1.0 } else { e } / (1.0 + e);
    (loss, p - y + poison)
}

/// adding then subtracting `1.5·2⁵²` rounds a double below 2⁵¹ in magnitude to an integer
/// (ties to even), which the sum also holds in its low mantissa bits.
const ROUNDER: f64 = 6755399441055744.0;

/// fdlibm's split of ln 2 into a head with trailing zeros (`n·LN2_HI` is exact for
/// `|n| < 2²⁰`) and the rest.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// `x = n·ln 2 + r` with `n` integral and `|r| ≤ ln2/2`: `n + ROUNDER` (which holds `n` in its
/// low bits, as [`pow2_integral`] reads them), `n` and `r`, by fused multiply-adds when `FUSED`.
#[inline(always)]
fn reduce_by_ln2<const FUSED: bool>(x: f64) -> (f64, f64, f64) {
    let shifted = madd::<FUSED>(x, std::f64::consts::LOG2_E, ROUNDER);
    let n = shifted - ROUNDER;
    // x − n·LN2_HI is exact
    let r = madd::<FUSED>(-n, LN2_LO, madd::<FUSED>(-n, LN2_HI, x));
    (shifted, n, r)
}

/// `2ⁿ` for an integral `n ∈ [-1022, 1023]`, built from its bits.
#[inline(always)]
fn pow2_integral(n: f64) -> f64 {
    // low bits of n + ROUNDER hold 2⁵¹ + n; shifted into the exponent field, + 1023 is the bias
    f64::from_bits((n + ROUNDER).to_bits().wrapping_add(1023) << 52)
}

/// `a·b + c`: one fused multiply-add when `FUSED` (an instruction only in code compiled for
/// fma, as inside [`crate::simd::widest`] at avx2 or avx-512; a library call elsewhere), else
/// a product and a sum.
#[inline(always)]
pub(crate) fn madd<const FUSED: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FUSED { a.mul_add(b, c) } else { a * b + c }
}

/// `Σ c[k]·xᵏ` by estrin's scheme (neighbouring coefficients paired with `x`, the pairs with
/// `x²`, then `x⁴`, …): as many operations as horner's rule, but a dependency chain logarithmic
/// in the degree, so vectorised loops over many values are not held up by its latency.
#[inline(always)]
fn estrin<const FUSED: bool, const N: usize>(x: f64, mut c: [f64; N]) -> f64 {
    let (mut len, mut power) = (N, x);
    while len > 1 {
        let half = len.div_ceil(2);
        for i in 0..half {
            c[i] = if 2 * i + 1 < len { madd::<FUSED>(c[2 * i + 1], power, c[2 * i]) } else { c[2 * i] };
        }
        len = half;
        power *= power;
    }
    c[0]
}

/// `eˣ` for `x ≤ 0`, to about 1 ulp, with gradual underflow; branch-free so loops vectorise.
#[inline(always)]
pub fn exp_nonpositive(x: f64) -> f64 {
    exp_nonpositive_with::<false>(x)
}

/// [`exp_nonpositive`], its polynomial by fused multiply-adds when `FUSED` (see [`madd`]).
#[inline(always)]
pub(crate) fn exp_nonpositive_with<const FUSED: bool>(x: f64) -> f64 {
    // the reduction unfused whatever FUSED: the binary losses keep the rounding they have had
    let (_, n, r) = reduce_by_ln2::<false>(x.max(-746.0));
    let q = exp_polynomial::<FUSED>(r);
    // 2ⁿ in two halves, so results below 2⁻¹⁰²² round once, as subnormals
    let h = (n * 0.5 + ROUNDER) - ROUNDER;
    q * pow2_integral(h) * pow2_integral(n - h)
}

/// `eˣ` for `x ≤ 0`, to about 1 ulp, and 0 where `eˣ` is below the normal range
/// (`x < −708.39`, as a softmax term next to the row's largest, `e⁰ = 1`, adds nothing); cheaper
/// than [`exp_nonpositive`]; NaN for NaN; branch-free so loops vectorise.
#[inline(always)]
pub fn exp_nonpositive_normal(x: f64) -> f64 {
    exp_normal_with::<false>(x)
}

/// [`exp_nonpositive_normal`], its polynomial by fused multiply-adds when `FUSED` (see
/// [`madd`]).
#[inline(always)]
pub(crate) fn exp_normal_with<const FUSED: bool>(x: f64) -> f64 {
    const LOWEST: f64 = -708.39;
    // a select, not `max`: a NaN passes on through the reduction and the polynomial
    let below = x < LOWEST;
    let (scale, q) = exp_reduced::<FUSED>(if below { LOWEST } else { x });
    let e = q * scale;
    if below { 0.0 } else { e }
}

/// `2ⁿ` and `eʳ` with `x = n·ln 2 + r`, `|r| ≤ ln2/2`, for `x ∈ [−1022·ln 2, 0]`.
#[inline(always)]
fn exp_reduced<const FUSED: bool>(x: f64) -> (f64, f64) {
    let (shifted, _, r) = reduce_by_ln2::<FUSED>(x);
    // 2ⁿ from the bits of n + ROUNDER already at hand (as `pow2_integral` builds it)
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    (scale, exp_polynomial::<FUSED>(r))
}

/// `eʳ` for `|r| ≤ ln2/2`: its taylor series to r¹³, truncated below 5e-18 relative.
#[inline(always)]
fn exp_polynomial<const FUSED: bool>(r: f64) -> f64 {
    estrin::<FUSED, 14>(
        r,
        [
            1.0,
            1.0,
            0.5,
            1.0 / 6.0,
            1.0 / 24.0,
            1.0 / 120.0,
            1.0 / 720.0,
            1.0 / 5040.0,
            1.0 / 40320.0,
            1.0 / 362880.0,
            1.0 / 3628800.0,
            1.0 / 39916800.0,
            1.0 / 479001600.0,
            1.0 / 6227020800.0,
        ],
    )
}

/// `log(1 + e)` for `e ∈ [0, 1]`, to about 2 ulp; branch-free so loops vectorise.
#[inline(always)]
pub fn log1p_unit(e: f64) -> f64 {
    log1p_unit_with::<false>(e)
}

/// [`log1p_unit`], its series by fused multiply-adds when `FUSED` (see [`madd`]).
#[inline(always)]
pub(crate) fn log1p_unit_with<const FUSED: bool>(e: f64) -> f64 {
    // log(1 + e) = log a + 2·atanh(u), u = (1 + e − a)/(1 + e + a), a = 1 below e = ¼, else
    // a = 3/2 (where e − ½ is exact): |u| ≤ 1/7, so the odd series in u converges as 0.0204ᵏ
    const LN_3_2_HI: f64 = 0.405_465_108_108_164_4;
    const LN_3_2_LO: f64 = -2.8811380259626426e-18;
    let upper = e >= 0.25;
    let u = if upper { e - 0.5 } else { e } / (e + if upper { 2.5 } else { 2.0 });
    let u2 = u * u;
    // the three leading terms by horner's rule (they carry the rounding), the rest by estrin's
    let tail = estrin::<FUSED, 7>(u2, const { atanh_tail::<7>() });
    let q = u2 * madd::<FUSED>(u2, madd::<FUSED>(u2, tail, 1.0 / 5.0), 1.0 / 3.0);
    let (hi, lo) = if upper { (LN_3_2_HI, LN_3_2_LO) } else { (0.0, 0.0) };
    hi + (2.0 * u + madd::<FUSED>(2.0 * u, q, lo))
}

/// `1/(2k + 7)` for `k = 0..N`: the atanh series' coefficients after its first three, fixed at
/// compile time.
const fn atanh_tail<const N: usize>() -> [f64; N] {
    let mut c = [0.0; N];
    let mut k = 0;
    while k < N {
        c[k] = 1.0 / (2 * k + 7) as f64;
        k += 1;
    }
    c
}

/// `log t` for `t ≥ 1` (a softmax row's `Σ exp(z − max)`), to a few ulp; branch-free so loops
/// vectorise (`ln` is a library call per value); NaN when `t` is NaN or infinite.
#[inline(always)]
pub fn ln_at_least_one(t: f64) -> f64 {
    ln_at_least_one_with::<false>(t)
}

/// [`ln_at_least_one`], its series by fused multiply-adds when `FUSED` (see [`madd`]).
#[inline(always)]
pub(crate) fn ln_at_least_one_with<const FUSED: bool>(t: f64) -> f64 {
    // t = 2ᵉ·m with m ∈ [√½, √2): log t = e·ln 2 + 2·atanh(u), u = (m − 1)/(m + 1), |u| ≤ 0.172
    let bits = t.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let above = m > std::f64::consts::SQRT_2;
    m = if above { 0.5 * m } else { m };
    e = if above { e + 1.0 } else { e };
    let f = m - 1.0;
    let u = f / (2.0 + f);
    let u2 = u * u;
    // the odd series in u converges as 0.03ᵏ: ten terms after the first, the three leading ones by
    // horner's rule (they carry the rounding), the rest by estrin's
    let tail = estrin::<FUSED, 8>(u2, const { atanh_tail::<8>() });
    let q = u2 * madd::<FUSED>(u2, madd::<FUSED>(u2, tail, 1.0 / 5.0), 1.0 / 3.0);
    // `0·t` is 0 for finite t and NaN otherwise
    e * LN2_HI + (2.0 * u + madd::<FUSED>(2.0 * u, q, e * LN2_LO)) + 0.0 * t
}

/// curvature `σ(z)·(1 − σ(z))` of the log-loss at logit `z`, without cancellation; branch-free;
/// NaN when `z` is not finite.
#[inline(always)]
pub fn curvature(z: f64) -> f64 {
    let e = exp_nonpositive(-z.abs());
    e / ((1.0 + e) * (1.0 + e)) + 0.0 * z
}

/// `x · w`, with eight interleaved partial sums combined in a fixed order (so it vectorises
/// and is the same on every run and thread count).
#[inline(always)]
pub fn dot(x: &[f64], w: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), w.len());
    let mut acc = [0.0; 8];
    let (xc, wc) = (x.chunks_exact(8), w.chunks_exact(8));
    let (xr, wr) = (xc.remainder(), wc.remainder());
    for (a, b) in xc.zip(wc) {
        for k in 0..8 {
            acc[k] += a[k] * b[k];
        }
    }
    let tail: f64 = xr.iter().zip(wr).map(|(a, b)| a * b).sum();
    fold_lanes(acc) + tail
}

/// `Σ v`, with eight interleaved partial sums (value `i` in lane `i mod 8`) combined by
/// [`fold_lanes`]: vectorises, the same on every run and thread count.
#[inline(always)]
pub fn sum(v: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let chunks = v.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    for (a, t) in acc.iter_mut().zip(tail) {
        *a += t;
    }
    fold_lanes(acc)
}

/// the sum of eight partial sums, in a fixed pairwise order.
#[inline(always)]
pub fn fold_lanes(acc: [f64; 8]) -> f64 {
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// whether every value of `values` is finite (neither infinite nor NaN); vectorised in runs of
/// 256, stopping at the first run with one that is not.
pub(crate) fn all_finite(values: &[f64]) -> bool {
    values.chunks(256).all(|c| c.iter().fold(true, |ok, v| ok & v.is_finite()))
}

/// `y ← y + a·x`.
#[inline(always)]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// euclidean norm, scaled against overflow.
pub fn norm2(v: &[f64]) -> f64 {
    let scale = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale * v.iter().map(|x| (x / scale).powi(2)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_logits_give_nan_never_a_perfect_fit() {
        for z in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for y in [0.0, 1.0] {
                let (loss, r) = loss_and_residual(y, z);
                assert!(loss.is_nan() && r.is_nan(), "z = {z}, y = {y}: ({loss}, {r})");
            }
            assert!(curvature(z).is_nan());
        }
        // the largest finite logits stay finite
        for z in [f64::MAX, -f64::MAX, 745.0, -746.0] {
            let (loss, r) = loss_and_residual(1.0, z);
            assert!(loss.is_finite() && r.is_finite() && curvature(z).is_finite(), "z = {z}");
        }
    }

    #[test]
    fn sigmoid_tails_are_exact_limits_and_finite() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1e300), 1.0);
        assert_eq!(sigmoid(-1e300), 0.0);
        assert!((sigmoid(-745.0) - 5e-324).abs() <= 5e-324);
        assert!((sigmoid(3.0) + sigmoid(-3.0) - 1.0).abs() <= f64::EPSILON);
    }

    #[test]
    fn log_loss_matches_naive_form_where_naive_is_accurate() {
        for z in [-5.0f64, -0.3, 0.0, 0.7, 4.0] {
            let p: f64 = 1.0 / (1.0 + (-z).exp());
            assert!((log_loss(1.0, z) + p.ln()).abs() < 1e-14);
            assert!((log_loss(0.0, z) + (1.0 - p).ln()).abs() < 1e-14);
        }
    }

    #[test]
    fn log_loss_is_relatively_accurate_in_the_tail() {
        // exact: log(1 + e^-40) = e^-40 (to 1e-17 relative)
        let l = log_loss(1.0, 40.0);
        assert!((l - (-40.0f64).exp()).abs() <= 1e-15 * l);
        assert_eq!(log_loss(0.0, 1e300), 1e300);
        assert_eq!(log_loss(1.0, -1e300), 1e300);
        assert_eq!(log_loss(1.0, 1e300), 0.0);
    }

    /// distance in units in the last place, through the ordered bit patterns of positive doubles.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn exp_nonpositive_matches_std_to_an_ulp_or_two() {
        let mut worst = 0;
        for k in 0..200_000 {
            let x = -(k as f64) * 746.0 / 200_000.0;
            worst = worst.max(ulps(exp_nonpositive(x), x.exp()));
        }
        for x in [0.0, -1e-300, -1e-20, -0.5 * std::f64::consts::LN_2, -708.5, -745.1] {
            worst = worst.max(ulps(exp_nonpositive(x), x.exp()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert_eq!(exp_nonpositive(-1e300), 0.0);
        assert_eq!(exp_nonpositive(0.0), 1.0);
        // the fused form, subnormal results included
        let mut worst = 0;
        for k in 0..20_000 {
            let x = -(k as f64) * 746.0 / 20_000.0;
            worst = worst.max(ulps(exp_nonpositive_with::<true>(x), x.exp()));
        }
        assert!(worst <= 2, "fused: worst error {worst} ulp");
    }

    #[test]
    fn exp_nonpositive_normal_matches_std_and_flushes_below_the_normal_range() {
        let mut worst = 0;
        for k in 0..200_000 {
            let x = -(k as f64) * 708.39 / 200_000.0;
            worst = worst.max(ulps(exp_nonpositive_normal(x), x.exp()));
        }
        for x in [0.0, -1e-300, -1e-20, -0.5 * std::f64::consts::LN_2, -708.0, -708.39] {
            worst = worst.max(ulps(exp_nonpositive_normal(x), x.exp()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert!(exp_nonpositive_normal(-708.39) >= f64::MIN_POSITIVE);
        for x in [-708.4, -745.1, -1e300, f64::NEG_INFINITY] {
            assert_eq!(exp_nonpositive_normal(x), 0.0, "{x}");
        }
        assert!(exp_nonpositive_normal(f64::NAN).is_nan());
        // the fused form: the same accuracy, the same flush
        let mut worst = 0;
        for k in 0..20_000 {
            let x = -(k as f64) * 708.39 / 20_000.0;
            worst = worst.max(ulps(exp_normal_with::<true>(x), x.exp()));
        }
        assert!(worst <= 2, "fused: worst error {worst} ulp");
        assert_eq!(exp_normal_with::<true>(-708.4), 0.0);
        assert!(exp_normal_with::<true>(f64::NAN).is_nan());
    }

    #[test]
    fn log1p_unit_matches_std_to_a_few_ulp() {
        let mut worst = 0;
        for k in 0..=200_000 {
            let e = k as f64 / 200_000.0;
            worst = worst.max(ulps(log1p_unit(e), e.ln_1p()));
        }
        for e in [1e-300, 5e-324, 1e-17, 1e-9, 0.3333, 1.0] {
            worst = worst.max(ulps(log1p_unit(e), e.ln_1p()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        let mut worst = 0;
        for k in 0..=20_000 {
            let e = k as f64 / 20_000.0;
            worst = worst.max(ulps(log1p_unit_with::<true>(e), e.ln_1p()));
        }
        assert!(worst <= 2, "fused: worst error {worst} ulp");
    }

    #[test]
    fn ln_at_least_one_matches_std_to_a_few_ulp() {
        let mut worst = 0;
        for k in 0..200_000 {
            let t = 1.0 + k as f64 * 0.001_37;
            worst = worst.max(ulps(ln_at_least_one(t), t.ln()));
        }
        for t in [1.0, 2.0, 1.0 + f64::EPSILON, 2.0 - f64::EPSILON, 255.0, 1e300] {
            worst = worst.max(ulps(ln_at_least_one(t), t.ln()));
        }
        assert!(worst <= 4, "worst {worst} ulp");
        assert!(ln_at_least_one(f64::NAN).is_nan() && ln_at_least_one(f64::INFINITY).is_nan());
        // the fused form
        let mut worst = 0;
        for k in 0..20_000 {
            let t = 1.0 + k as f64 * 0.0137;
            worst = worst.max(ulps(ln_at_least_one_with::<true>(t), t.ln()));
        }
        assert!(worst <= 4, "fused: worst {worst} ulp");
        assert!(ln_at_least_one_with::<true>(f64::NAN).is_nan());
    }

    #[test]
    fn norm2_survives_huge_entries() {
        assert_eq!(norm2(&[3e300, 4e300]), 5e300);
        assert_eq!(norm2(&[0.0, 0.0]), 0.0);
    }
}
