//! seeded sparse text-like data (bag of words): the stand-in for rcv1 / news20 in tests,
//! benchmarks and CI.

use crate::csr::CsrMatrix;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::softmax::softmax_in_place;

/// how to generate sparse text-like data.
///
/// each row is a "document": its length is log-normal around `nnz_per_row`, its terms are drawn
/// from a power law over the columns (column frequencies ∝ rank^−`zipf`, ranks scattered over
/// the column indices), each occurrence counts uniform in [0.1, 1.1), repeated terms are merged,
/// a term's value is weighted by its inverse document frequency (`1 − ln q`, `q` the expected
/// share of rows holding it) and each row is scaled to unit l2 norm: tf-idf. a planted model of `n_informative` non-zero
/// coefficients per class (normal, scaled by `strength`) draws the labels from the logistic
/// (softmax) model; a fraction `flip_y` of labels is then reassigned at random.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseText {
    /// rows
    pub n_rows: usize,
    /// columns (vocabulary size)
    pub n_cols: usize,
    /// mean stored values per row, before repeated terms merge
    pub nnz_per_row: usize,
    /// exponent of the power law of column frequencies
    pub zipf: f64,
    /// columns with a non-zero true coefficient (per class)
    pub n_informative: usize,
    /// standard deviation of the true coefficients
    pub strength: f64,
    /// classes (2: binary labels 0 / 1)
    pub n_classes: usize,
    /// fraction of labels assigned at random
    pub flip_y: f64,
    /// seed of the whole dataset
    pub seed: u64,
}

impl Default for SparseText {
    fn default() -> Self {
        SparseText {
            n_rows: 1000,
            n_cols: 10_000,
            nnz_per_row: 50,
            zipf: 1.1,
            n_informative: 500,
            strength: 10.0,
            n_classes: 2,
            flip_y: 0.05,
            seed: 0,
        }
    }
}

impl SparseText {
    /// the dataset (sparse storage), with feature names `f1, f2, …`.
    pub fn generate(&self) -> Result<Dataset> {
        self.check()?;
        let (n, d, k) = (self.n_rows, self.n_cols, self.n_classes);
        let mut rng = Rng::new(self.seed);
        // cumulative term frequencies by rank; rank r is column `column_of[r]`
        let mut cumulative: Vec<f64> = (1..=d).map(|r| (r as f64).powf(-self.zipf)).collect();
        let mut total = 0.0;
        for c in &mut cumulative {
            total += *c;
            *c = total;
        }
        // smooth inverse document frequency of each rank, from its expected document frequency
        let idf: Vec<f64> = (0..d)
            .map(|r| {
                let p = (cumulative[r] - if r > 0 { cumulative[r - 1] } else { 0.0 }) / total;
                let q = -(self.nnz_per_row as f64 * (-p).ln_1p()).exp_m1();
                1.0 - q.ln()
            })
            .collect();
        let mut column_of: Vec<u32> = (0..d as u32).collect();
        rng.shuffle(&mut column_of);
        // planted model: per class, `n_informative` columns chosen uniformly
        let mut coefficients = vec![0.0; d * k];
        let mut columns: Vec<usize> = (0..d).collect();
        for c in 0..k {
            rng.shuffle(&mut columns);
            for &j in &columns[..self.n_informative] {
                coefficients[j * k + c] = self.strength * rng.normal();
            }
        }
        let mut indptr = Vec::with_capacity(n + 1);
        indptr.push(0);
        let mut indices: Vec<u32> = Vec::with_capacity(n * self.nnz_per_row);
        let mut values: Vec<f64> = Vec::with_capacity(n * self.nnz_per_row);
        let mut labels = Vec::with_capacity(n);
        let mut terms: Vec<(u32, f64)> = Vec::new();
        let mut logits = vec![0.0; k];
        for _ in 0..n {
            let length = (self.nnz_per_row as f64 * (0.5 * rng.normal() - 0.125).exp()).round().max(1.0) as usize;
            terms.clear();
            for _ in 0..length {
                let u = rng.uniform() * total;
                let rank = cumulative.partition_point(|&c| c <= u).min(d - 1);
                terms.push((column_of[rank], (0.1 + rng.uniform()) * idf[rank]));
            }
            terms.sort_unstable_by_key(|t| t.0);
            let start = indices.len();
            for &(j, v) in &terms {
                if indices.len() > start && indices.last() == Some(&j) {
                    *values.last_mut().expect("a value per index") += v;
                } else {
                    indices.push(j);
                    values.push(v);
                }
            }
            let norm = values[start..].iter().map(|v| v * v).sum::<f64>().sqrt();
            values[start..].iter_mut().for_each(|v| *v /= norm);
            indptr.push(indices.len());
            logits.iter_mut().for_each(|z| *z = 0.0);
            for (&j, &v) in indices[start..].iter().zip(&values[start..]) {
                let w = &coefficients[j as usize * k..(j as usize + 1) * k];
                logits.iter_mut().zip(w).for_each(|(z, w)| *z += v * w);
            }
            let label = if k == 2 {
                usize::from(rng.uniform() < crate::numerics::sigmoid(logits[1] - logits[0]))
            } else {
                softmax_in_place(&mut logits);
                sample_class(&logits, rng.uniform())
            };
            let label = if rng.uniform() < self.flip_y { rng.below(k as u64) as usize } else { label };
            labels.push(label as f64);
        }
        let csr = CsrMatrix::new(indptr, indices, values, d)?;
        Ok(Dataset::sparse(csr, labels, k)?.with_positional_names())
    }

    fn check(&self) -> Result<()> {
        if self.n_rows < 2 || self.n_cols == 0 || self.nnz_per_row == 0 {
            return Err(Error::param("samples/features", "need at least two rows, one column and one value per row"));
        }
        if self.n_cols > u32::MAX as usize {
            return Err(Error::param("features", format!("at most {} columns, got {}", u32::MAX, self.n_cols)));
        }
        if self.n_informative > self.n_cols {
            return Err(Error::param(
                "informative",
                format!("must be at most the feature count {}, got {}", self.n_cols, self.n_informative),
            ));
        }
        if !(2..=crate::dataset::MAX_CLASSES).contains(&self.n_classes) {
            return Err(Error::param(
                "classes",
                format!("must lie in 2..={}, got {}", crate::dataset::MAX_CLASSES, self.n_classes),
            ));
        }
        let checks = [
            ("zipf", self.zipf, self.zipf.is_finite() && self.zipf >= 0.0, "a finite number ≥ 0"),
            ("strength", self.strength, self.strength.is_finite() && self.strength >= 0.0, "a finite number ≥ 0"),
            ("flip_y", self.flip_y, (0.0..=1.0).contains(&self.flip_y), "in [0, 1]"),
        ];
        match checks.iter().find(|c| !c.2) {
            Some((name, value, _, rule)) => Err(Error::param(name, format!("must be {rule}, got {value}"))),
            None => Ok(()),
        }
    }
}

/// the class drawn from the probabilities `p` by the uniform number `u`.
fn sample_class(p: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (c, pc) in p.iter().enumerate() {
        acc += pc;
        if u < acc {
            return c;
        }
    }
    p.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_unit_norm_power_law_and_seeded() {
        let p = SparseText { n_rows: 2000, n_cols: 5000, nnz_per_row: 40, ..Default::default() };
        let data = p.generate().unwrap();
        let x = data.features().as_sparse().unwrap();
        assert_eq!((data.n_rows(), data.n_cols()), (2000, 5000));
        let per_row = x.nnz() as f64 / 2000.0;
        assert!((25.0..45.0).contains(&per_row), "{per_row}");
        for i in 0..data.n_rows() {
            let (_, v) = x.row(i);
            let norm = v.iter().map(|v| v * v).sum::<f64>();
            assert!((norm - 1.0).abs() < 1e-12, "row {i}: {norm}");
        }
        // power law: the most frequent tenth of the columns holds most of the values
        let mut counts = vec![0usize; 5000];
        x.indices().iter().for_each(|&j| counts[j as usize] += 1);
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let head: usize = counts[..500].iter().sum();
        assert!(head as f64 > 0.6 * x.nnz() as f64, "{head} of {}", x.nnz());
        let positives = data.labels().iter().sum::<f64>();
        assert!((500.0..1500.0).contains(&positives), "{positives}");
        assert_eq!(data, p.generate().unwrap());
        assert_ne!(data, SparseText { seed: 1, ..p.clone() }.generate().unwrap());
        let three = SparseText { n_classes: 3, ..p.clone() }.generate().unwrap();
        assert_eq!(three.n_classes(), 3);
        assert!(three.class_totals().iter().all(|&t| t > 40.0), "{:?}", three.class_totals());
        let e = SparseText { flip_y: 2.0, ..p }.generate().unwrap_err().to_string();
        assert!(e.contains("flip_y") && e.contains("[0, 1]"), "{e}");
    }
}
