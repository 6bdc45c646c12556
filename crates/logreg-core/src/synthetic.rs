//! seeded synthetic classification data for tests, benchmarks and demos.

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::numerics::sigmoid;
use crate::rng::Rng;

/// how to generate a synthetic dataset.
///
/// features are gaussian, column `j` scaled by a factor drawn log-uniformly in `[1, max_scale]`;
/// the first `n_informative` columns carry a random true coefficient, the rest none; labels are
/// drawn from the logistic model, whose logits are multiplied by `separation` (large values give
/// near-separable data); the intercept shifts the positive share towards `positive_fraction`.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthetic {
    /// rows
    pub n_rows: usize,
    /// feature columns
    pub n_cols: usize,
    /// columns with a non-zero true coefficient
    pub n_informative: usize,
    /// largest column scale (1 keeps every column at unit scale)
    pub max_scale: f64,
    /// multiplier of the true logits
    pub separation: f64,
    /// target share of positive labels, in (0, 1)
    pub positive_fraction: f64,
    /// seed of the whole dataset
    pub seed: u64,
}

impl Default for Synthetic {
    fn default() -> Self {
        Synthetic {
            n_rows: 1000,
            n_cols: 10,
            n_informative: 5,
            max_scale: 1.0,
            separation: 1.0,
            positive_fraction: 0.5,
            seed: 0,
        }
    }
}

impl Synthetic {
    /// the dataset, with feature names `x0, x1, …`.
    pub fn generate(&self) -> Result<Dataset> {
        Ok(self.generate_with_truth()?.0)
    }

    /// the dataset and the true `(intercept, coefficients)` that generated its labels.
    pub fn generate_with_truth(&self) -> Result<(Dataset, f64, Vec<f64>)> {
        if self.n_rows == 0 || self.n_cols == 0 {
            return Err(Error::param("samples/features", "need at least one row and one column"));
        }
        if self.n_informative > self.n_cols {
            return Err(Error::param(
                "informative",
                format!("must be at most the feature count {}, got {}", self.n_cols, self.n_informative),
            ));
        }
        if !(self.max_scale.is_finite() && self.max_scale >= 1.0) {
            return Err(Error::param("max_scale", format!("must be a finite number ≥ 1, got {}", self.max_scale)));
        }
        if !(self.separation.is_finite() && self.separation >= 0.0) {
            return Err(Error::param("separation", format!("must be a finite number ≥ 0, got {}", self.separation)));
        }
        if !(self.positive_fraction > 0.0 && self.positive_fraction < 1.0) {
            return Err(Error::param(
                "positive_fraction",
                format!("must lie in (0, 1), got {}", self.positive_fraction),
            ));
        }
        let mut rng = Rng::new(self.seed);
        let d = self.n_cols;
        let scale: Vec<f64> = (0..d).map(|_| self.max_scale.powf(rng.uniform())).collect();
        let inform = (self.n_informative as f64).max(1.0).sqrt();
        let w: Vec<f64> =
            (0..d).map(|j| if j < self.n_informative { rng.normal() * 2.0 / inform / scale[j] } else { 0.0 }).collect();
        let b = (self.positive_fraction / (1.0 - self.positive_fraction)).ln();
        let mut x = Vec::with_capacity(self.n_rows * d);
        let mut y = Vec::with_capacity(self.n_rows);
        for _ in 0..self.n_rows {
            let start = x.len();
            x.extend(scale.iter().map(|s| rng.normal() * s));
            let z = b + crate::numerics::dot(&x[start..], &w);
            y.push(f64::from(u8::from(rng.uniform() < sigmoid(self.separation * z))));
        }
        let w_true = w.iter().map(|v| v * self.separation).collect();
        Ok((Dataset::new(x, d, y)?, b * self.separation, w_true))
    }
}

/// data like scikit-learn's `make_classification` (`n_classes` classes): gaussian clusters around
/// vertices of a hypercube in the informative subspace, each stretched by a random linear map;
/// redundant features are random linear combinations of the informative ones; the rest is
/// gaussian noise; a fraction `flip_y` of labels is reassigned at random. informative columns
/// come first, then redundant, then noise (no column shuffle).
#[derive(Clone, Debug, PartialEq)]
pub struct MakeClassification {
    /// rows
    pub n_samples: usize,
    /// total feature columns
    pub n_features: usize,
    /// informative columns (at least 2)
    pub n_informative: usize,
    /// redundant columns
    pub n_redundant: usize,
    /// classes (2 or more)
    pub n_classes: usize,
    /// clusters per class
    pub n_clusters_per_class: usize,
    /// half the side of the hypercube: larger separates the classes more
    pub class_sep: f64,
    /// fraction of labels assigned at random
    pub flip_y: f64,
    /// seed
    pub seed: u64,
}

impl Default for MakeClassification {
    fn default() -> Self {
        MakeClassification {
            n_samples: 100,
            n_features: 20,
            n_informative: 2,
            n_redundant: 2,
            n_classes: 2,
            n_clusters_per_class: 2,
            class_sep: 1.0,
            flip_y: 0.01,
            seed: 0,
        }
    }
}

impl MakeClassification {
    /// the dataset, with feature names `x0, x1, …`.
    pub fn generate(&self) -> Result<Dataset> {
        let (n, d, k) = (self.n_samples, self.n_features, self.n_informative);
        if n < 2 || d == 0 {
            return Err(Error::param("samples", "need at least 2 rows and 1 feature"));
        }
        if k < 2 || k + self.n_redundant > d {
            return Err(Error::param(
                "informative",
                format!(
                    "need 2 ≤ informative and informative + redundant ≤ features ({d}), got {k} + {}",
                    self.n_redundant
                ),
            ));
        }
        let n_classes = self.n_classes;
        if !(2..=crate::dataset::MAX_CLASSES).contains(&n_classes) {
            return Err(Error::param(
                "classes",
                format!("must lie in 2..={}, got {n_classes}", crate::dataset::MAX_CLASSES),
            ));
        }
        let clusters = n_classes * self.n_clusters_per_class.max(1);
        if k < 63 && (1u64 << k) < clusters as u64 {
            return Err(Error::param("informative", format!("2^informative must be at least {clusters} clusters")));
        }
        if !(self.flip_y.is_finite() && (0.0..=1.0).contains(&self.flip_y)) {
            return Err(Error::param("flip_y", format!("must lie in [0, 1], got {}", self.flip_y)));
        }
        let mut rng = Rng::new(self.seed);
        // distinct hypercube vertices as centroids
        let mut vertices: Vec<u64> = Vec::with_capacity(clusters);
        while vertices.len() < clusters {
            let v = if k < 64 { rng.next_u64() & ((1u64 << k) - 1).max(1) } else { rng.next_u64() };
            if !vertices.contains(&v) {
                vertices.push(v);
            }
        }
        let centroid = |c: usize, j: usize| {
            let bit = if j < 64 { (vertices[c] >> j) & 1 } else { rng_bit(vertices[c], j) };
            if bit == 1 { self.class_sep } else { -self.class_sep }
        };
        let maps: Vec<Vec<f64>> =
            (0..clusters).map(|_| (0..k * k).map(|_| 2.0 * rng.uniform() - 1.0).collect()).collect();
        let redundant: Vec<f64> = (0..k * self.n_redundant).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        let mut x = vec![0.0; n * d];
        let mut y = vec![0.0; n];
        let mut z = vec![0.0; k];
        for i in 0..n {
            let c = i * clusters / n; // equal-sized clusters, then shuffled below
            y[i] = (c % n_classes) as f64;
            z.iter_mut().for_each(|v| *v = rng.normal());
            let row = &mut x[i * d..(i + 1) * d];
            for a in 0..k {
                row[a] = centroid(c, a) + (0..k).map(|b| z[b] * maps[c][b * k + a]).sum::<f64>();
            }
            for r in 0..self.n_redundant {
                row[k + r] = (0..k).map(|a| row[a] * redundant[a * self.n_redundant + r]).sum();
            }
            for v in &mut row[k + self.n_redundant..] {
                *v = rng.normal();
            }
            if rng.uniform() < self.flip_y {
                y[i] = (rng.below(n_classes as u64)) as f64;
            }
        }
        // shuffle rows so clusters interleave
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let mut xs = Vec::with_capacity(n * d);
        for &i in &order {
            xs.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        let ys = order.iter().map(|&i| y[i]).collect();
        Dataset::with_classes(xs, d, ys, n_classes)
    }
}

/// a pseudo-random bit of vertex `v` for dimensions past 64.
fn rng_bit(v: u64, j: usize) -> u64 {
    Rng::new(v ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64() & 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_classification_shapes_balance_and_seed() {
        let p = MakeClassification { n_samples: 1000, n_features: 10, n_informative: 3, seed: 4, ..Default::default() };
        let d = p.generate().unwrap();
        assert_eq!((d.n_rows(), d.n_cols()), (1000, 10));
        let pos = d.labels().iter().sum::<f64>();
        assert!((400.0..600.0).contains(&pos), "{pos}");
        assert_eq!(d, p.generate().unwrap());
        assert_ne!(d, MakeClassification { seed: 5, ..p.clone() }.generate().unwrap());
        let bad = MakeClassification { n_informative: 9, ..p }.generate().unwrap_err().to_string();
        assert!(bad.contains("informative"), "{bad}");
        let p =
            MakeClassification { n_samples: 900, n_features: 6, n_informative: 4, n_classes: 3, ..Default::default() };
        let d = p.generate().unwrap();
        assert_eq!(d.n_classes(), 3);
        assert!(d.class_totals().iter().all(|&t| (250.0..350.0).contains(&t)), "{:?}", d.class_totals());
    }
}
