//! standardisation to zero mean and unit variance, and the map back to the original scale.

use std::ops::Range;

use rayon::prelude::*;

use crate::dataset::{DataRef, Dataset};
use crate::error::{Error, Result};
use crate::view::{CsrRef, MatrixRef};

/// rows per parallel chunk of the statistics pass (fixed, so sums do not depend on threads).
const CHUNK_ROWS: usize = 16_384;
/// rows per tile: a tile is read twice, from l1 cache the second time.
const TILE_ROWS: usize = 16;

/// columns whose largest magnitude exceeds this cannot be fitted: squares and products of two
/// features would overflow (f64 ends at 1.8e308; a sum of 1e6 squares of 1e150 is 1e306).
pub const MAX_MAGNITUDE: f64 = 1e150;
/// columns whose largest nonzero magnitude is below this cannot be fitted: their squares fall
/// below the normal range of f64 and lose all precision.
pub const MIN_MAGNITUDE: f64 = 1e-150;

/// weight, weighted column means and sums of squared deviations of a set of rows, and the
/// largest magnitude of each column.
struct Moments {
    weight: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    max_abs: Vec<f64>,
}

impl Moments {
    fn empty(d: usize) -> Self {
        Moments { weight: 0.0, mean: vec![0.0; d], m2: vec![0.0; d], max_abs: vec![0.0; d] }
    }

    /// the moments of the rows `rows` of dense `x` with weights of `r` (replacing these; the
    /// magnitudes accumulate).
    #[inline(always)]
    fn of_rows(&mut self, r: DataRef<'_>, x: MatrixRef<'_>, rows: Range<usize>) {
        self.weight = rows.clone().map(|i| r.weight(i)).sum();
        self.mean.fill(0.0);
        self.m2.fill(0.0);
        // Σ sᵢxᵢ / W: one rounding of the sum, so a constant column's mean is its value; the
        // magnitudes in the same read of each row
        for i in rows.clone() {
            let s = r.weight(i);
            for ((m, mean), &xj) in self.max_abs.iter_mut().zip(&mut self.mean).zip(x.row(i)) {
                *m = m.max(xj.abs());
                *mean += s * xj;
            }
        }
        if self.weight <= 0.0 {
            self.mean.fill(0.0);
            return;
        }
        self.mean.iter_mut().for_each(|m| *m /= self.weight);
        for i in rows {
            let s = r.weight(i);
            for ((v, &xj), &mj) in self.m2.iter_mut().zip(x.row(i)).zip(&self.mean) {
                *v += s * (xj - mj) * (xj - mj);
            }
        }
    }

    /// add the rows of `other`.
    #[inline(always)]
    fn merge(&mut self, other: &Moments) {
        for (m, &o) in self.max_abs.iter_mut().zip(&other.max_abs) {
            *m = m.max(o);
        }
        if other.weight <= 0.0 {
            return;
        }
        let total = self.weight + other.weight;
        let (share, cross) = (other.weight / total, self.weight * other.weight / total);
        for ((m, v), (&om, &ov)) in self.mean.iter_mut().zip(&mut self.m2).zip(other.mean.iter().zip(&other.m2)) {
            let delta = om - *m;
            *m += delta * share;
            *v += ov + delta * delta * cross;
        }
        self.weight = total;
    }
}

/// the moments of sparse rows, two passes over their stored entries (means, then squared
/// deviations: a column's absent entries are zeros, `μ²` each), each column's sums taken in row
/// order, so the same for any thread count.
fn sparse_moments(r: DataRef<'_>, x: CsrRef<'_>) -> Moments {
    let (n, d) = (x.n_rows(), x.n_cols());
    let weight: f64 = (0..n).map(|i| r.weight(i)).sum();
    let mut m = Moments::empty(d);
    m.weight = weight;
    // Σ sᵢ over the rows that store column j
    let mut present = vec![0.0; d];
    // columns in as many ranges as threads, each range's sums accumulated in row order by one
    // task straight into the result: the same sums for any thread count, and no per-task
    // copies of d-long accumulators (on wide data, their page faults would cost more than the
    // sums)
    let width = d.div_ceil(rayon::current_num_threads().max(1)).max(1);
    let in_range = |i: usize, lo: usize, len: usize| row_in_columns(x, i, lo, len);
    m.mean
        .par_chunks_mut(width)
        .zip(present.par_chunks_mut(width))
        .zip(m.max_abs.par_chunks_mut(width))
        .enumerate()
        .for_each(|(part, ((mean, present), max_abs))| {
            let lo = part * width;
            for i in 0..n {
                let s = r.weight(i);
                for (j, &v) in in_range(i, lo, mean.len()) {
                    mean[j] += s * v;
                    present[j] += s;
                    max_abs[j] = max_abs[j].max(v.abs());
                }
            }
            mean.iter_mut().for_each(|v| *v = if weight > 0.0 { *v / weight } else { 0.0 });
        });
    let mean = &m.mean;
    m.m2.par_chunks_mut(width).zip(present.par_chunks(width)).enumerate().for_each(|(part, (m2, present))| {
        let lo = part * width;
        for i in 0..n {
            let s = r.weight(i);
            for (j, &v) in in_range(i, lo, m2.len()) {
                let dev = v - mean[lo + j];
                m2[j] += s * dev * dev;
            }
        }
        // the rows that do not store column j hold 0: each adds s·mean²
        for (j, v) in m2.iter_mut().enumerate() {
            let absent = (weight - present[j]).max(0.0);
            *v += absent * mean[lo + j] * mean[lo + j];
        }
    });
    m
}

/// the entries of row `i` of `x` in the columns `lo..lo + len`, as (column − `lo`, value).
fn row_in_columns(x: CsrRef<'_>, i: usize, lo: usize, len: usize) -> impl Iterator<Item = (usize, &f64)> {
    let (cols, vals) = x.row(i);
    let start = cols.partition_point(|&c| (c as usize) < lo);
    let end = start + cols[start..].partition_point(|&c| (c as usize) < lo + len);
    cols[start..end].iter().map(move |&c| c as usize - lo).zip(&vals[start..end])
}

/// per-column mean and standard deviation (weighted when the data has weights).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Standardizer {
    /// column means
    pub mean: Vec<f64>,
    /// column standard deviations (1 for constant columns)
    pub scale: Vec<f64>,
    /// columns that are constant (or constant to rounding) over the rows with positive weight:
    /// solvers hold their coefficients at exactly 0
    pub constant: Vec<bool>,
}

/// per-column statistics of a dataset: the standardisation and each column's largest magnitude.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnStats {
    /// means, standard deviations and constant columns
    pub standardizer: Standardizer,
    /// largest absolute value of each column (over every row, weighted or not)
    pub max_abs: Vec<f64>,
}

impl ColumnStats {
    /// statistics of the columns of borrowed data, in one parallel pass; the same for any thread
    /// count.
    ///
    /// rows go in tiles small enough for l1 cache, each tile two-pass (mean, then squared
    /// deviations from it) for accuracy; tiles, then chunks, are merged in row order by the
    /// pairwise update of chan, golub & leveque.
    pub fn of(r: DataRef<'_>) -> Self {
        let (n, d) = (r.x.n_rows(), r.x.n_cols());
        let total = match r.x.as_dense() {
            Some(x) => {
                // compiled for the cpu's simd (no fused multiply-adds are formed: the same sums)
                let chunks: Vec<Moments> = (0..n.div_ceil(CHUNK_ROWS))
                    .into_par_iter()
                    .map(|c| {
                        crate::simd::widest(
                            #[inline(always)]
                            || {
                                let mut acc = Moments::empty(d);
                                let mut tile = Moments::empty(d);
                                let end = ((c + 1) * CHUNK_ROWS).min(n);
                                for start in (c * CHUNK_ROWS..end).step_by(TILE_ROWS) {
                                    tile.of_rows(r, x, start..(start + TILE_ROWS).min(end));
                                    acc.merge(&tile);
                                }
                                acc
                            },
                        )
                    })
                    .collect();
                let mut total = Moments::empty(d);
                for c in &chunks {
                    total.merge(c);
                }
                total
            }
            None => sparse_moments(r, r.x.as_sparse().expect("dense or sparse")),
        };
        let rows = n as f64;
        let constant: Vec<bool> = total
            .m2
            .iter()
            .zip(&total.mean)
            .map(|(&m2, &mean)| {
                let var = if total.weight > 0.0 { m2 / total.weight } else { 0.0 };
                is_constant(var, mean, rows)
            })
            .collect();
        let scale =
            total.m2.iter().zip(&constant).map(|(&m2, &c)| if c { 1.0 } else { (m2 / total.weight).sqrt() }).collect();
        ColumnStats { standardizer: Standardizer { mean: total.mean, scale, constant }, max_abs: total.max_abs }
    }

    /// the statistics of a fit without intercept: the uncentred scaling
    /// ([`Standardizer::uncentred`] of [`ColumnStats::of`]'s, to rounding) and the magnitudes;
    /// on sparse rows in one pass over the stored values, as a root mean square needs no mean.
    /// the same for any thread count.
    pub fn uncentred_of(r: DataRef<'_>) -> Self {
        let Some(x) = r.x.as_sparse() else {
            let stats = ColumnStats::of(r);
            return ColumnStats { standardizer: stats.standardizer.uncentred(), max_abs: stats.max_abs };
        };
        let (n, d) = (x.n_rows(), x.n_cols());
        let weight: f64 = (0..n).map(|i| r.weight(i)).sum();
        // each column's Σ sᵢxᵢⱼ² and largest magnitude side by side (one cache miss for both);
        // columns in as many ranges as threads, each range's sums taken in row order by one task
        let mut sums = vec![[0.0f64; 2]; d];
        let width = d.div_ceil(rayon::current_num_threads().max(1)).max(1);
        sums.par_chunks_mut(width).enumerate().for_each(|(part, sums)| {
            for i in 0..n {
                let s = r.weight(i);
                for (j, &v) in row_in_columns(x, i, part * width, sums.len()) {
                    let [squares, max_abs] = &mut sums[j];
                    *squares += s * v * v;
                    *max_abs = max_abs.max(v.abs());
                }
            }
        });
        let root_mean_squares =
            sums.iter().map(|&[squares, _]| if weight > 0.0 { (squares / weight).sqrt() } else { 0.0 }).collect();
        ColumnStats {
            standardizer: Standardizer::dividing_by(root_mean_squares),
            max_abs: sums.iter().map(|&[_, max_abs]| max_abs).collect(),
        }
    }

    /// [`ColumnStats::check_magnitudes`] of the columns of `r` without their statistics when
    /// every magnitude is in range: sparse values are checked in one pass, and the column of a
    /// value out of range is then found by the statistics.
    pub fn check_magnitudes_of(r: DataRef<'_>, name: impl Fn(usize) -> String) -> Result<()> {
        if let Some(x) = r.x.as_sparse() {
            let (lo, hi) = (x.indptr()[0], x.indptr()[x.n_rows()]);
            let fits = x.values()[lo..hi].par_iter().all(|v| {
                let m = v.abs();
                m <= MAX_MAGNITUDE && (m == 0.0 || m >= MIN_MAGNITUDE)
            });
            if fits {
                return Ok(());
            }
        }
        ColumnStats::uncentred_of(r).check_magnitudes(name)
    }

    /// an [`Error::Collinearity`] naming the columns that are constant over the rows with
    /// positive weight, if any: without a penalty their coefficients are not identified;
    /// `name` gives the name of column `j`.
    pub fn check_not_constant(&self, name: impl Fn(usize) -> String) -> Result<()> {
        let constant: Vec<String> =
            (0..self.max_abs.len()).filter(|&j| self.standardizer.constant[j]).map(name).collect();
        if constant.is_empty() {
            return Ok(());
        }
        Err(Error::Collinearity {
            columns: constant,
            reason: "constant over the rows with positive weight (duplicating the intercept)".into(),
        })
    }

    /// an error naming the first column whose magnitude is outside what can be fitted
    /// ([`MIN_MAGNITUDE`] to [`MAX_MAGNITUDE`]); `name` gives the name of column `j`.
    pub fn check_magnitudes(&self, name: impl Fn(usize) -> String) -> Result<()> {
        for (j, &m) in self.max_abs.iter().enumerate() {
            let name = || name(j);
            if m > MAX_MAGNITUDE {
                return Err(Error::InvalidColumn {
                    column: name(),
                    reason: format!(
                        "values up to {m:e} in magnitude; beyond {MAX_MAGNITUDE:e} squares and products of features \
                         overflow: rescale the column (divide it by a power of ten)"
                    ),
                });
            }
            if m > 0.0 && m < MIN_MAGNITUDE {
                return Err(Error::InvalidColumn {
                    column: name(),
                    reason: format!(
                        "its largest value is {m:e} in magnitude; below {MIN_MAGNITUDE:e} squares of features lose \
                         all precision: rescale the column (multiply it by a power of ten)"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// whether a column of weighted variance `var` and mean `mean` over `n` rows is constant to
/// rounding: `var ≤ n·ε·var + (n·ε·|mean|)²`, the error bound of the variance of a constant
/// column computed in floating point (scikit-learn's `_is_constant_feature` test).
fn is_constant(var: f64, mean: f64, n: f64) -> bool {
    let eps = f64::EPSILON;
    !(var > n * eps * var + (n * eps * mean).powi(2))
}

impl Standardizer {
    /// statistics of the columns of `data`.
    pub fn fit(data: &Dataset) -> Self {
        Self::from_data(data.as_ref())
    }

    /// weighted statistics of the columns of borrowed data (see [`ColumnStats::of`]).
    pub fn from_data(r: DataRef<'_>) -> Self {
        ColumnStats::of(r).standardizer
    }

    /// the identity: zero means, unit scales, no constant columns.
    pub fn identity(n_cols: usize) -> Self {
        Standardizer { mean: vec![0.0; n_cols], scale: vec![1.0; n_cols], constant: vec![false; n_cols] }
    }

    /// the scaling without centring, for fits without intercept: each column divided by its
    /// root mean square; only all-zero columns are held at 0 (a constant non-zero column is then
    /// an ordinary feature).
    pub fn uncentred(&self) -> Self {
        Self::dividing_by(
            (0..self.mean.len())
                .map(|j| {
                    let var = if self.constant[j] { 0.0 } else { self.scale[j] * self.scale[j] };
                    (var + self.mean[j] * self.mean[j]).sqrt()
                })
                .collect(),
        )
    }

    /// the scaling that divides each column by `scale` without centring; columns of scale 0
    /// are held at 0.
    fn dividing_by(scale: Vec<f64>) -> Self {
        Standardizer {
            mean: vec![0.0; scale.len()],
            constant: scale.iter().map(|&s| !(s > 0.0)).collect(),
            scale: scale.iter().map(|&s| if s > 0.0 { s } else { 1.0 }).collect(),
        }
    }

    /// the statistics of the columns `cols`, in that order.
    pub fn select_columns(&self, cols: &[usize]) -> Self {
        Standardizer {
            mean: cols.iter().map(|&j| self.mean[j]).collect(),
            scale: cols.iter().map(|&j| self.scale[j]).collect(),
            constant: cols.iter().map(|&j| self.constant[j]).collect(),
        }
    }

    /// the identity scaling that still holds the coefficients of these columns at 0.
    pub fn identity_with_constant(&self) -> Self {
        Standardizer { constant: self.constant.clone(), ..Self::identity(self.mean.len()) }
    }

    /// raw parameters `[b, w…]` of one block `[b', w'…]` in the scaled features:
    /// `wⱼ = w'ⱼ/σⱼ` (exactly 0 for constant columns), `b = b' − Σ μⱼwⱼ`.
    pub fn block_to_raw(&self, theta: &[f64], raw: &mut [f64]) {
        let mut b = theta[0];
        for j in 0..self.mean.len() {
            let w = if self.constant[j] { 0.0 } else { theta[1 + j] / self.scale[j] };
            raw[1 + j] = w;
            b -= self.mean[j] * w;
        }
        raw[0] = b;
    }

    /// a standardised dense copy of `data` (constant columns become zeros).
    pub fn transform(&self, data: &Dataset) -> Dataset {
        let mut features = data.to_dense().into_features();
        for row in features.chunks_exact_mut(data.n_cols()) {
            for (((v, m), s), &c) in row.iter_mut().zip(&self.mean).zip(&self.scale).zip(&self.constant) {
                // a constant column becomes exactly zero, not rounding noise around it
                *v = if c { 0.0 } else { (*v - m) / s };
            }
        }
        let out = Dataset::with_classes(features, data.n_cols(), data.labels().to_vec(), data.n_classes())
            .and_then(|d| d.with_feature_names(data.feature_names().to_vec()))
            .expect("standardising finite data keeps it valid");
        match data.weights() {
            Some(w) => out.with_weights(w.to_vec()).expect("weights were valid"),
            None => out,
        }
    }

    /// `(intercept, coefficients)` on the original scale from those fitted on standardised data.
    pub fn to_original(&self, intercept: f64, coefficients: &[f64]) -> (f64, Vec<f64>) {
        let w: Vec<f64> = coefficients.iter().zip(&self.scale).map(|(c, s)| c / s).collect();
        let b = intercept - w.iter().zip(&self.mean).map(|(wj, m)| wj * m).sum::<f64>();
        (b, w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// weighted mean and standard deviation of column `j`, two plain passes.
    fn naive(x: &[f64], d: usize, w: &[f64], j: usize) -> (f64, f64) {
        let total: f64 = w.iter().sum();
        let mean = x.chunks(d).zip(w).map(|(r, s)| s * r[j]).sum::<f64>() / total;
        let var = x.chunks(d).zip(w).map(|(r, s)| s * (r[j] - mean).powi(2)).sum::<f64>() / total;
        (mean, var.sqrt())
    }

    #[test]
    fn merged_tiles_match_two_plain_passes() {
        // several chunks and a ragged last tile; an offset of 1e6 against unit spread, zero weights
        let (n, d) = (2 * CHUNK_ROWS + 1001, 3);
        let mut rng = Rng::new(3);
        let x: Vec<f64> = (0..n * d).map(|k| [0.0, 1e6, -5.0][k % d] + rng.normal()).collect();
        let w: Vec<f64> = (0..n).map(|i| if i % 7 == 0 { 0.0 } else { 0.5 + rng.uniform() }).collect();
        let labels: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let data = Dataset::new(x.clone(), d, labels).unwrap().with_weights(w.clone()).unwrap();
        let s = Standardizer::fit(&data);
        for j in 0..d {
            let (mean, sd) = naive(&x, d, &w, j);
            assert!((s.mean[j] - mean).abs() <= 1e-12 * mean.abs().max(1.0), "mean {j}: {} vs {mean}", s.mean[j]);
            assert!((s.scale[j] - sd).abs() <= 1e-9 * sd, "sd {j}: {} vs {sd}", s.scale[j]);
        }
    }

    #[test]
    fn uncentred_statistics_of_sparse_rows_are_the_centred_ones_uncentred() {
        // ragged sparse rows, zero and fractional weights, an all-zero column, a column stored
        // only in zero-weight rows, a column constant where stored, and a huge magnitude
        let (n, d) = (500, 9);
        let mut rng = Rng::new(4);
        let x: Vec<f64> = (0..n * d)
            .map(|k| {
                let (i, j) = (k / d, k % d);
                match j {
                    0 => 0.0,
                    1 => [0.0, 2.5][usize::from(i % 5 == 0)],
                    2 => [0.0, rng.normal()][usize::from(i % 7 == 0)],
                    3 => [0.0, 0.3][usize::from(i % 3 == 0)],
                    4 => 1e100 * rng.normal(),
                    _ if rng.uniform() < 0.3 => rng.normal(),
                    _ => 0.0,
                }
            })
            .collect();
        let w: Vec<f64> = (0..n).map(|i| if i % 7 == 0 { 0.0 } else { 0.5 + rng.uniform() }).collect();
        let labels: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let dense = Dataset::new(x, d, labels).unwrap().with_weights(w).unwrap();
        let sparse = dense.to_sparse();
        let expected = ColumnStats::of(dense.as_ref());
        let expected = expected.standardizer.uncentred();
        let got = ColumnStats::uncentred_of(sparse.as_ref());
        assert_eq!(got.max_abs, ColumnStats::of(dense.as_ref()).max_abs);
        assert_eq!(got.standardizer.mean, vec![0.0; d]);
        assert_eq!(got.standardizer.constant, expected.constant);
        assert_eq!(got.standardizer.constant[..3], [true, false, true], "all zero, stored, only in weight-0 rows");
        for j in 0..d {
            let (a, b) = (got.standardizer.scale[j], expected.scale[j]);
            assert!((a - b).abs() <= 1e-14 * b, "column {j}: {a} vs {b}");
        }
        // dense rows take the centred statistics' way
        assert_eq!(ColumnStats::uncentred_of(dense.as_ref()).standardizer, expected);
    }

    #[test]
    fn magnitudes_are_checked_without_statistics_and_name_their_column() {
        let x = vec![1.0, 0.0, 0.0, 2.0, 0.5, 0.0, 0.0, -3.0, 0.0];
        let sparse = |x: Vec<f64>| Dataset::new(x, 3, vec![0.0, 1.0, 0.0]).unwrap().to_sparse();
        let names = |j: usize| ["a", "b", "c"][j].to_string();
        ColumnStats::check_magnitudes_of(sparse(x.clone()).as_ref(), names).unwrap();
        for (bad, what) in [(3e200, "3e200"), (-1e-200, "1e-200")] {
            let mut x = x.clone();
            x[5] = bad;
            let e = ColumnStats::check_magnitudes_of(sparse(x.clone()).as_ref(), names).unwrap_err().to_string();
            assert!(e.contains("column `c`") && e.contains(what), "{e}");
            let dense = Dataset::new(x, 3, vec![0.0, 1.0, 0.0]).unwrap();
            let e = ColumnStats::check_magnitudes_of(dense.as_ref(), names).unwrap_err().to_string();
            assert!(e.contains("column `c`") && e.contains(what), "{e}");
        }
    }

    #[test]
    fn constant_columns_get_unit_scale() {
        let data = Dataset::new(vec![2.0, 1.0, 2.0, 3.0, 2.0, 5.0], 2, vec![0.0, 1.0, 0.0]).unwrap();
        let s = Standardizer::fit(&data);
        assert_eq!((s.mean[0], s.scale[0], s.constant[0]), (2.0, 1.0, true));
        assert!(!s.constant[1]);
        assert!((s.mean[1] - 3.0).abs() < 1e-15 && (s.scale[1] - (8.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn columns_constant_to_rounding_are_constant_at_every_size_and_weighting() {
        // 0.1 and 1/3 are not sums of few powers of two: Σ(wᵢ/W)·xᵢ is an ulp off for most n,
        // which the old `var > 0` test took for spread (scale ~4e-17)
        let mut rng = Rng::new(11);
        for n in [3, 7, 569, 1000, 16_411, CHUNK_ROWS + 17] {
            for weighted in [false, true] {
                let x: Vec<f64> = (0..n).flat_map(|i| [0.1, 1.0 / 3.0, 1e6 + 0.1, i as f64]).collect();
                let labels = (0..n).map(|i| (i % 2) as f64).collect();
                let mut data = Dataset::new(x, 4, labels).unwrap();
                if weighted {
                    data = data.with_weights((0..n).map(|_| rng.uniform() * 3.0).collect()).unwrap();
                }
                let s = Standardizer::fit(&data);
                assert_eq!(s.constant, [true, true, true, false], "n = {n}, weighted = {weighted}");
                assert_eq!(&s.scale[..3], &[1.0; 3]);
                let t = s.transform(&data);
                assert!(
                    t.dense_features().unwrap().data().chunks(4).all(|r| r[..3] == [0.0; 3]),
                    "constant columns → 0"
                );
            }
        }
    }

    #[test]
    fn a_column_with_tiny_true_spread_is_not_constant() {
        // spread 1e-9 around 1: far above the rounding of the variance
        let n = 1000;
        let x: Vec<f64> = (0..n).map(|i| 1.0 + 1e-9 * (i % 2) as f64).collect();
        let data = Dataset::new(x, 1, (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect()).unwrap();
        let s = Standardizer::fit(&data);
        assert!(!s.constant[0] && (s.scale[0] - 0.5e-9).abs() < 1e-15, "{s:?}");
    }

    #[test]
    fn magnitudes_outside_the_fittable_range_name_their_column() {
        let x = vec![1.0, 1e200, 2.0, -3e200, 3.0, 0.0];
        let data = Dataset::new(x, 2, vec![0.0, 1.0, 0.0]).unwrap();
        let stats = ColumnStats::of(data.as_ref());
        assert_eq!(stats.max_abs, [3.0, 3e200]);
        let e = stats.check_magnitudes(|j| ["a", "huge"][j].into()).unwrap_err().to_string();
        assert!(e.contains("column `huge`") && e.contains("3e200"), "{e}");
        let tiny = Dataset::new(vec![1e-200, 0.0, -2e-200], 1, vec![0.0, 1.0, 0.0]).unwrap();
        let e = ColumnStats::of(tiny.as_ref()).check_magnitudes(|_| "t".into()).unwrap_err().to_string();
        assert!(e.contains("column `t`"), "{e}");
        let fine = Dataset::new(vec![1e140, 0.0, 1e-140], 1, vec![0.0, 1.0, 0.0]).unwrap();
        ColumnStats::of(fine.as_ref()).check_magnitudes(|_| "f".into()).unwrap();
    }
}
