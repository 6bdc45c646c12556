//! where the second-order solvers' hessian comes from: every row, or on many rows a fixed
//! stratified sample of them (sub-sampled newton, byrd et al. 2011; roosta-khorasani &
//! mahoney 2019), and its regularised cholesky factor.
//!
//! a uniform sample misses the few rows that carry a rare column (an indicator with three ones
//! in 400k rows): its sampled hessian is then singular along that column and newton stalls.
//! so the sample has two strata: every *heavy* row — one whose scaled value
//! `((xᵢⱼ − μⱼ)/σⱼ)²` in some column exceeds [`HEAVY_SHARE`] of the sample size, i.e. a row
//! a uniform sample of that size would hold fewer than ten rows like — taken with its own weight,
//! and a uniform random sample of the other rows standing for all of them. since every scaled
//! column has `Σ x'² = W`, at most `W / τ` rows are heavy in a column: a bounded stratum.

use rayon::prelude::*;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::linalg::cholesky_in_place;
use crate::objective::Objective;
use crate::rng::Rng;
use crate::view::Selection;

/// rows per coefficient in the hessian sample.
pub const HESSIAN_ROWS_PER_COEFFICIENT: usize = 1000;
/// fewest rows of a hessian sample.
const MIN_HESSIAN_ROWS: usize = 20_000;
/// a sample is taken only when the data have at least this many times its rows.
const MIN_SAMPLING_RATIO: usize = 4;
/// seed of the hessian sample (fixed: a fit does not depend on any other seed).
const HESSIAN_SEED: u64 = 0x4e45_5754_4f4e;
/// a row is heavy when a scaled squared value exceeds this fraction of the sample size.
const HEAVY_SHARE: f64 = 0.1;
/// rows per parallel chunk of the heavy-row scan (fixed: the result does not depend on threads).
const SCAN_CHUNK_ROWS: usize = 16_384;
/// ridge attempts of [`regularised_cholesky`]: `μ` from `1e-12·scale` up to `1e6·scale`.
const MAX_RIDGE_ATTEMPTS: usize = 19;

/// rows of the hessian sample for `n_rows` rows and `k` coefficients; `None` when the exact
/// hessian is used (the sample would not be much smaller than the data).
pub fn hessian_sample_rows(n_rows: usize, k: usize) -> Option<usize> {
    sample_rows(n_rows, k, HESSIAN_ROWS_PER_COEFFICIENT)
}

/// rows of a sample of `per_coefficient` rows for each of `k` coefficients (at least
/// [`MIN_HESSIAN_ROWS`]) out of `n_rows`; `None` when the data have fewer than
/// [`MIN_SAMPLING_RATIO`] times that.
pub(crate) fn sample_rows(n_rows: usize, k: usize, per_coefficient: usize) -> Option<usize> {
    let m = (per_coefficient * k).max(MIN_HESSIAN_ROWS);
    (n_rows >= MIN_SAMPLING_RATIO * m).then_some(m)
}

/// `m` distinct indices out of `0..n`, ascending, uniformly at random (selection sampling,
/// knuth's algorithm s).
pub(crate) fn sample_indices(n: usize, m: usize, rng: &mut Rng) -> Vec<usize> {
    let mut out = Vec::with_capacity(m);
    for i in 0..n {
        if out.len() == m {
            break;
        }
        if (rng.below((n - i) as u64) as usize) < m - out.len() {
            out.push(i);
        }
    }
    out
}

/// turn ranks among the rows not in `skipped` (both ascending) into row indices.
fn skip_rows(ranks: &mut [usize], skipped: &[usize]) {
    let mut h = 0;
    for r in ranks.iter_mut() {
        // the r-th row not skipped: pass the skipped rows at or below it
        while h < skipped.len() && skipped[h] <= *r + h {
            h += 1;
        }
        *r += h;
    }
}

/// the rows of a hessian sample: its two strata.
#[derive(Clone, Debug)]
pub(crate) struct SampleRows {
    /// heavy rows, ascending, taken with their own weight
    heavy: Vec<usize>,
    /// their share of the total weight
    heavy_share: f64,
    /// a uniform sample of the other rows, ascending
    random: Vec<usize>,
}

impl SampleRows {
    /// the sample of `m` rows of `obj`'s data.
    fn draw<B: Backend + ?Sized>(obj: &Objective<'_, B>, m: usize) -> Self {
        let heavy = heavy_rows(obj, HEAVY_SHARE * m as f64);
        let data = obj.data();
        let heavy_weight: f64 = heavy.iter().map(|&i| data.weight(i)).sum();
        // the random stratum: a uniform sample of the rows that are not heavy
        let rest = obj.n_rows() - heavy.len();
        let mut random = sample_indices(rest, m.min(rest), &mut Rng::new(HESSIAN_SEED));
        skip_rows(&mut random, &heavy);
        SampleRows { heavy_share: heavy_weight / obj.total_weight(), heavy, random }
    }
}

/// a hessian estimated from the sample, with the l2 strengths it includes: another fit on the
/// same objective (a path's next point) starts from it, its l2 terms swapped for its own.
#[derive(Clone, Debug)]
pub(crate) struct SampledHessian {
    hess: Vec<f64>,
    l2_weight: Vec<f64>,
}

impl SampledHessian {
    /// the estimate `hess` of `obj`'s hessian at its present penalty.
    pub fn remember<B: Backend + ?Sized>(obj: &mut Objective<'_, B>, hess: &[f64]) {
        let mut kept = obj.last_sampled_hessian.take().unwrap_or(SampledHessian { hess: vec![], l2_weight: vec![] });
        kept.hess.clear();
        kept.hess.extend_from_slice(hess);
        kept.l2_weight.clear();
        kept.l2_weight.extend_from_slice(obj.l2_weights());
        obj.last_sampled_hessian = Some(kept);
    }

    /// the remembered estimate, its l2 terms those of `obj`'s present penalty, into `hess`;
    /// `false` (and `hess` untouched) when none of `hess`'s size is remembered.
    pub fn recall<B: Backend + ?Sized>(obj: &Objective<'_, B>, hess: &mut [f64]) -> bool {
        let Some(kept) = obj.last_sampled_hessian.as_ref().filter(|kept| kept.hess.len() == hess.len()) else {
            return false;
        };
        let (k, d) = (hess.len().isqrt(), obj.n_features());
        hess.copy_from_slice(&kept.hess);
        // the l2 term of coefficient j sits on the diagonal at 1 + j (a constant column's row is
        // a unit one whatever the penalty)
        let constant = &obj.scaling().constant;
        for (j, (new, old)) in obj.l2_weights().iter().zip(&kept.l2_weight).enumerate().take(d) {
            if !constant[j] {
                hess[(1 + j) * k + 1 + j] += new - old;
            }
        }
        true
    }
}

/// the two strata of a hessian sample and the buffers of its estimate.
#[derive(Debug)]
struct Strata {
    rows: SampleRows,
    /// the random stratum's hessian (the heavy one goes straight to the caller's buffer)
    hess: Vec<f64>,
    grad: Vec<f64>,
}

/// the hessian of a second-order solver: exact, or estimated from a fixed stratified sample.
#[derive(Debug)]
pub(crate) struct HessianSource {
    sample: Option<Strata>,
}

impl HessianSource {
    /// the exact hessian, or a sample when the data have many rows (see [`hessian_sample_rows`]);
    /// the sample's rows are drawn once per objective.
    pub fn for_objective<B: Backend + ?Sized>(obj: &mut Objective<'_, B>) -> Self {
        let (n, k) = (obj.n_rows(), obj.n_features() + 1);
        let Some(m) = hessian_sample_rows(n, k) else {
            return HessianSource { sample: None };
        };
        let rows = match &obj.hessian_rows {
            Some(rows) => rows.clone(),
            None => obj.hessian_rows.insert(SampleRows::draw(obj, m)).clone(),
        };
        HessianSource { sample: Some(Strata { rows, hess: vec![0.0; k * k], grad: vec![0.0; k] }) }
    }

    /// whether the hessian is estimated from a sample.
    pub fn is_sampled(&self) -> bool {
        self.sample.is_some()
    }

    /// from now on, the exact hessian.
    pub fn use_exact(&mut self) {
        self.sample = None;
    }

    /// the sampled hessian at θ' into `hess`; `false` (and `hess` untouched) when the sample
    /// carries no weight, so that the caller uses the exact one.
    pub fn sampled_at<B: Backend + ?Sized>(
        &mut self,
        obj: &mut Objective<'_, B>,
        theta: &[f64],
        hess: &mut [f64],
    ) -> bool {
        let Some(s) = self.sample.as_mut() else {
            return false;
        };
        let data = obj.data();
        let random_weight: f64 = s.rows.random.iter().map(|&i| data.weight(i)).sum();
        if !(random_weight > 0.0) {
            return false;
        }
        // each stratum's hessian is normalised by its own weight, so the estimate is the
        // weight-share mix; the l2 terms, identical in both, mix back to themselves
        obj.batch_value_grad_hess(&Selection::Indices(&s.rows.random), theta, &mut s.grad, &mut s.hess);
        if s.rows.heavy_share > 0.0 {
            obj.batch_value_grad_hess(&Selection::Indices(&s.rows.heavy), theta, &mut s.grad, hess);
            let a = s.rows.heavy_share;
            hess.iter_mut().zip(&s.hess).for_each(|(h, r)| *h = a * *h + (1.0 - a) * r);
        } else {
            hess.copy_from_slice(&s.hess);
        }
        true
    }
}

/// rows with a scaled squared value above `tau` in some non-constant column, ascending. columns
/// whose largest magnitude rules that out are not read.
fn heavy_rows<B: Backend + ?Sized>(obj: &Objective<'_, B>, tau: f64) -> Vec<usize> {
    let s = obj.scaling();
    let limit = tau.sqrt();
    let columns: Vec<usize> = (0..obj.n_features())
        .filter(|&j| !s.constant[j] && (obj.column_max_abs()[j] + s.mean[j].abs()) > limit * s.scale[j])
        .collect();
    if columns.is_empty() {
        return Vec::new();
    }
    let x = obj.data().x;
    let n = x.n_rows();
    let chunks: Vec<Vec<usize>> = (0..n.div_ceil(SCAN_CHUNK_ROWS))
        .into_par_iter()
        .map(|c| {
            (c * SCAN_CHUNK_ROWS..((c + 1) * SCAN_CHUNK_ROWS).min(n))
                .filter(|&i| columns.iter().any(|&j| (x.get(i, j) - s.mean[j]).abs() > limit * s.scale[j]))
                .collect()
        })
        .collect();
    chunks.concat()
}

/// cholesky factor of `h + μ·I` into `factor`, with the smallest `μ ∈ {0, 1e-12·scale,
/// 1e-11·scale, …, 1e6·scale}` that makes it positive definite (`scale` the largest diagonal
/// entry). an error when `h` holds a non-finite value or no ridge in that range helps.
pub(crate) fn regularised_cholesky(
    h: &[f64],
    k: usize,
    factor: &mut [f64],
    solver: &'static str,
    iteration: usize,
) -> Result<()> {
    crate::outcome::ensure_finite(h, solver, "hessian", iteration)?;
    let scale = (0..k).map(|j| h[j * k + j].abs()).fold(f64::MIN_POSITIVE, f64::max);
    let mut mu = 0.0;
    for _ in 0..=MAX_RIDGE_ATTEMPTS {
        factor.copy_from_slice(h);
        for j in 0..k {
            factor[j * k + j] += mu;
        }
        if cholesky_in_place(factor, k) {
            return Ok(());
        }
        mu = if mu == 0.0 { 1e-12 * scale } else { mu * 10.0 };
    }
    Err(Error::Diverged(format!(
        "{solver}: the hessian at iteration {iteration} is not positive definite even with a ridge of {:e}",
        mu / 10.0
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_ascending_and_cover_the_range() {
        let mut rng = Rng::new(7);
        let s = sample_indices(1000, 100, &mut rng);
        assert_eq!(s.len(), 100);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(*s.last().unwrap() < 1000);
        // roughly uniform: each half holds between 30 and 70 of the 100
        let low = s.iter().filter(|&&i| i < 500).count();
        assert!((30..=70).contains(&low), "{low} of 100 in the lower half");
        assert_eq!(sample_indices(10, 10, &mut rng), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn the_random_stratum_skips_the_heavy_rows() {
        let heavy = [0usize, 2, 3, 7];
        let mut random: Vec<usize> = (0..6).collect();
        skip_rows(&mut random, &heavy);
        assert_eq!(random, [1, 4, 5, 6, 8, 9]);
    }

    #[test]
    fn small_data_use_the_exact_hessian() {
        assert_eq!(hessian_sample_rows(50_000, 21), None);
        assert_eq!(hessian_sample_rows(1_000_000, 101), Some(101_000));
        assert_eq!(hessian_sample_rows(1_000_000, 21), Some(21_000));
    }

    #[test]
    fn the_sample_holds_every_row_of_a_rare_indicator_and_no_normal_row_twice() {
        use crate::backend::ReferenceBackend;
        use crate::dataset::Dataset;
        use crate::objective::Penalty;
        use crate::scaler::ColumnStats;
        // 100k rows: two normal columns and an indicator with three ones
        let n = 100_000;
        let mut rng = Rng::new(3);
        let ones = [17, 50_001, 99_998];
        let x: Vec<f64> =
            (0..n).flat_map(|i| [rng.normal(), rng.normal(), f64::from(u8::from(ones.contains(&i)))]).collect();
        let y = (0..n).map(|i| (i % 2) as f64).collect();
        let data = Dataset::new(x, 3, y).unwrap();
        let stats = ColumnStats::of(data.as_ref());
        let obj = Objective::with_scaling(&ReferenceBackend, data.as_ref(), Penalty::none(), stats.standardizer, false)
            .unwrap()
            .with_column_max_abs(stats.max_abs);
        let mut obj = obj;
        let source = HessianSource::for_objective(&mut obj);
        let strata = &source.sample.as_ref().expect("100k rows, 4 coefficients: sampled").rows;
        assert_eq!(strata.heavy, ones);
        assert_eq!(strata.random.len(), MIN_HESSIAN_ROWS);
        assert!(strata.random.windows(2).all(|w| w[0] < w[1]));
        assert!(strata.random.iter().all(|i| !ones.contains(i)), "heavy rows are not sampled again");
        assert!((strata.heavy_share - 3.0 / n as f64).abs() < 1e-18);
    }

    /// a remembered estimate recalled under another penalty equals the estimate made afresh
    /// under it at the same point: per-coefficient l2 strengths (raw coefficients penalised, so
    /// 1/σⱼ² apart) swapped on the diagonal, a constant column's unit row untouched.
    #[test]
    fn a_recalled_hessian_is_the_fresh_one_under_the_new_penalty() {
        use crate::backend::ReferenceBackend;
        use crate::dataset::Dataset;
        use crate::objective::Penalty;
        use crate::scaler::ColumnStats;
        let n = 100_000;
        let mut rng = Rng::new(5);
        let x: Vec<f64> = (0..n).flat_map(|_| [3.0 * rng.normal() + 1.0, 0.2 * rng.normal(), 7.0]).collect();
        let y = (0..n).map(|_| f64::from(u8::from(rng.uniform() < 0.3))).collect();
        let data = Dataset::new(x, 3, y).unwrap();
        let stats = ColumnStats::of(data.as_ref());
        let penalty = |l2| Penalty::new(l2, 0.0).unwrap();
        let mut obj =
            Objective::with_scaling(&ReferenceBackend, data.as_ref(), penalty(0.3), stats.standardizer, false).unwrap();
        let theta = [0.2, -0.4, 0.9, 0.0];
        let mut source = HessianSource::for_objective(&mut obj);
        let mut before = vec![0.0; 16];
        assert!(source.sampled_at(&mut obj, &theta, &mut before), "100k rows, 4 coefficients: sampled");
        SampledHessian::remember(&mut obj, &before);
        obj.set_penalty(penalty(0.002)).unwrap();
        let (mut recalled, mut fresh) = (vec![0.0; 16], vec![0.0; 16]);
        assert!(SampledHessian::recall(&obj, &mut recalled));
        assert!(source.sampled_at(&mut obj, &theta, &mut fresh));
        assert_ne!(before, fresh, "the penalty is on the diagonal");
        for (a, b) in recalled.iter().zip(&fresh) {
            assert!((a - b).abs() <= 1e-13 * b.abs().max(1.0), "{recalled:?} vs {fresh:?}");
        }
        assert_eq!(recalled[15], 1.0, "the constant column's row is a unit one");
        assert!(!SampledHessian::recall(&obj, &mut [0.0; 9]), "another size is not recalled");
    }

    #[test]
    fn the_ridge_is_bounded_and_non_finite_hessians_are_errors() {
        let mut f = [0.0; 4];
        regularised_cholesky(&[1.0, 2.0, 2.0, 1.0], 2, &mut f, "t", 1).unwrap(); // a ridge fixes it
        let e = regularised_cholesky(&[1.0, f64::NAN, f64::NAN, 1.0], 2, &mut f, "t", 3).unwrap_err();
        assert!(matches!(e, Error::NonFinite { what: "hessian", iteration: 3, .. }), "{e}");
        // no ridge up to 1e6·scale makes this definite: an error, not a hang
        assert!(regularised_cholesky(&[1.0, 1e10, 1e10, 1.0], 2, &mut f, "t", 1).is_err());
    }
}
