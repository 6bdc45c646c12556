//! standardisation to zero mean and unit variance, and the map back to the original scale.

use std::ops::Range;

use rayon::prelude::*;

use crate::dataset::{DataRef, Dataset};

/// rows per parallel chunk of the statistics pass (fixed, so sums do not depend on threads).
const CHUNK_ROWS: usize = 16_384;
/// rows per tile: a tile is read twice, from l1 cache the second time.
const TILE_ROWS: usize = 16;

/// weight, weighted column means and sums of squared deviations of a set of rows.
struct Moments {
    weight: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    fn empty(d: usize) -> Self {
        Moments { weight: 0.0, mean: vec![0.0; d], m2: vec![0.0; d] }
    }

    /// the moments of the rows `rows` of `r` (replacing these).
    fn of_rows(&mut self, r: DataRef<'_>, rows: Range<usize>) {
        self.weight = rows.clone().map(|i| r.weight(i)).sum();
        self.mean.fill(0.0);
        self.m2.fill(0.0);
        if self.weight <= 0.0 {
            return;
        }
        for i in rows.clone() {
            crate::numerics::axpy(r.weight(i) / self.weight, r.x.row(i), &mut self.mean);
        }
        for i in rows {
            let s = r.weight(i);
            for ((v, &xj), &mj) in self.m2.iter_mut().zip(r.x.row(i)).zip(&self.mean) {
                *v += s * (xj - mj) * (xj - mj);
            }
        }
    }

    /// add the rows of `other`.
    fn merge(&mut self, other: &Moments) {
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

/// per-column mean and standard deviation (weighted when the data has weights).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// column means
    pub mean: Vec<f64>,
    /// column standard deviations (1 for constant columns)
    pub scale: Vec<f64>,
}

impl Standardizer {
    /// statistics of the columns of `data`.
    pub fn fit(data: &Dataset) -> Self {
        Self::from_data(data.as_ref())
    }

    /// weighted statistics of the columns of borrowed data, in one parallel pass; the same for
    /// any thread count.
    ///
    /// rows go in tiles small enough for l1 cache, each tile two-pass (mean, then squared
    /// deviations from it) for accuracy; tiles, then chunks, are merged in row order by the
    /// pairwise update of chan, golub & leveque.
    pub fn from_data(r: DataRef<'_>) -> Self {
        let (n, d) = (r.x.n_rows(), r.x.n_cols());
        let chunks: Vec<Moments> = (0..n.div_ceil(CHUNK_ROWS))
            .into_par_iter()
            .map(|c| {
                let mut acc = Moments::empty(d);
                let mut tile = Moments::empty(d);
                let end = ((c + 1) * CHUNK_ROWS).min(n);
                for start in (c * CHUNK_ROWS..end).step_by(TILE_ROWS) {
                    tile.of_rows(r, start..(start + TILE_ROWS).min(end));
                    acc.merge(&tile);
                }
                acc
            })
            .collect();
        let mut total = Moments::empty(d);
        for c in &chunks {
            total.merge(c);
        }
        let scale = total
            .m2
            .iter()
            .map(|&m2| {
                let var = if total.weight > 0.0 { m2 / total.weight } else { 0.0 };
                if var > 0.0 { var.sqrt() } else { 1.0 }
            })
            .collect();
        Standardizer { mean: total.mean, scale }
    }

    /// the identity: zero means, unit scales.
    pub fn identity(n_cols: usize) -> Self {
        Standardizer { mean: vec![0.0; n_cols], scale: vec![1.0; n_cols] }
    }

    /// a standardised copy of `data`.
    pub fn transform(&self, data: &Dataset) -> Dataset {
        let mut features = data.features().data().to_vec();
        for row in features.chunks_exact_mut(data.n_cols()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
        let out = Dataset::new(features, data.n_cols(), data.labels().to_vec())
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
    fn constant_columns_get_unit_scale() {
        let data = Dataset::new(vec![2.0, 1.0, 2.0, 3.0, 2.0, 5.0], 2, vec![0.0, 1.0, 0.0]).unwrap();
        let s = Standardizer::fit(&data);
        assert_eq!((s.mean[0], s.scale[0]), (2.0, 1.0));
        assert!((s.mean[1] - 3.0).abs() < 1e-15 && (s.scale[1] - (8.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }
}
