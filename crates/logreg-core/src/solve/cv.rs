//! k-fold cross-validation of a regularisation path: stratified, seeded folds taken as row
//! weights of the one stored matrix (a held-out row weighs 0: no copy), the folds' paths fitted
//! in parallel, and the penalty chosen by the best mean score or by the one-standard-error rule.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{FoldPasses, ValidFitParams};
use crate::backend::Backend;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::metrics::{log_loss, roc_auc};
use crate::objective::Penalty;
use crate::train::PointObserver;
use crate::view::{Rows, Selection};

/// the most folds fitted at once, each on its own thread, in a cross-validation of a binary
/// model (more are fitted in waves of this many): each holds its own objective's buffers.
const MAX_FOLD_THREADS: usize = 10;

/// how held-out rows are scored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scoring {
    /// mean log-loss (lower is better)
    #[default]
    LogLoss,
    /// area under the ROC curve (higher is better)
    RocAuc,
    /// share of rows classified right at probability 0.5 (higher is better)
    Accuracy,
}

impl Scoring {
    /// whether a higher score is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Scoring::LogLoss)
    }

    /// the score of a multinomial model's logits `z` (column-major, `y.len()` rows × `k`
    /// classes) for labels `y`: mean log-loss, accuracy of the most probable class, or the
    /// macro-averaged one-vs-rest ROC AUC of the class probabilities (scikit-learn's
    /// `roc_auc_ovr`).
    fn score_classes(self, y: &[f64], z: &[f64], k: usize) -> f64 {
        let m = y.len();
        // the class probabilities only for ROC AUC
        let mut p = vec![0.0; if self == Scoring::RocAuc { m * k } else { 0 }];
        let mut loss = 0.0;
        let mut correct = 0usize;
        let mut row = vec![0.0; k];
        for i in 0..m {
            row.iter_mut().enumerate().for_each(|(c, v)| *v = z[c * m + i]);
            let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = row.iter().map(|v| (v - top).exp()).sum();
            loss += top + sum.ln() - row[y[i] as usize];
            correct += usize::from(crate::multinomial::argmax(&row) == y[i]);
            if !p.is_empty() {
                for c in 0..k {
                    p[c * m + i] = (row[c] - top).exp() / sum;
                }
            }
        }
        match self {
            Scoring::LogLoss => loss / m as f64,
            Scoring::Accuracy => correct as f64 / m as f64,
            Scoring::RocAuc => {
                let total: f64 = (0..k)
                    .map(|c| {
                        let is_c: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v == c as f64))).collect();
                        roc_auc(&is_c, &p[c * m..(c + 1) * m]).unwrap_or(f64::NAN)
                    })
                    .sum();
                total / k as f64
            }
        }
    }

    /// the score of decisions `z` for labels `y`.
    fn score(self, y: &[f64], z: &[f64]) -> f64 {
        match self {
            Scoring::LogLoss => log_loss(y, z),
            Scoring::RocAuc => roc_auc(y, z).unwrap_or(f64::NAN),
            Scoring::Accuracy => {
                y.iter().zip(z).filter(|&(&y, &z)| (z >= 0.0) == (y == 1.0)).count() as f64 / y.len() as f64
            }
        }
    }
}

/// how to cross-validate.
#[derive(Clone, Debug, PartialEq)]
pub struct CvParams {
    /// number of folds (at least 2)
    pub folds: usize,
    /// times the folds are drawn anew (each with its own seed)
    pub repeats: usize,
    /// seed of the first drawing
    pub seed: u64,
    /// how held-out rows are scored
    pub scoring: Scoring,
}

impl Default for CvParams {
    fn default() -> Self {
        CvParams { folds: 5, repeats: 1, seed: 0, scoring: Scoring::LogLoss }
    }
}

/// the scores of a cross-validated path.
#[derive(Clone, Debug, PartialEq)]
pub struct CvResult {
    /// the penalties, in path order
    pub penalties: Vec<Penalty>,
    /// the held-out rows of each fold (repeats one after another), ascending
    pub folds: Vec<Vec<usize>>,
    /// `scores[f][k]`: fold `f`'s held-out score at penalty `k`
    pub scores: Vec<Vec<f64>>,
    /// mean score of each penalty over the folds
    pub mean: Vec<f64>,
    /// standard error of that mean (sample standard deviation / √folds)
    pub std_error: Vec<f64>,
    /// the penalty with the best mean score
    pub best: usize,
    /// the largest penalty whose mean is within one standard error of the best (the 1-SE rule)
    pub one_se: usize,
}

/// the folds of a fold number per row (as scikit-learn's `PredefinedSplit`): fold `f` holds out
/// the rows numbered `f`; numbers that no row has make no fold.
pub fn folds_of_ids(ids: &[usize]) -> Vec<Vec<usize>> {
    let mut folds: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, &f) in ids.iter().enumerate() {
        folds.entry(f).or_default().push(i);
    }
    folds.into_values().collect()
}

/// stratified folds of `labels` (classes `0..n_classes`): each class's rows shuffled by `seed`
/// and dealt round the folds, so every fold holds each class in about its overall share. returns
/// each fold's held-out rows, ascending.
pub fn stratified_folds(labels: &[f64], n_classes: usize, folds: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
    if folds < 2 {
        return Err(Error::param("folds", format!("at least 2 folds are needed, got {folds}")));
    }
    let mut rng = crate::rng::Rng::new(seed);
    let mut out = vec![Vec::new(); folds];
    let mut next = 0;
    for class in 0..n_classes {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class as f64).collect();
        if rows.len() < folds {
            return Err(Error::InvalidData(format!(
                "class {class} has {} rows, fewer than the {folds} folds: every fold needs each class",
                rows.len()
            )));
        }
        rng.shuffle(&mut rows);
        for i in rows {
            out[next].push(i);
            next = (next + 1) % folds;
        }
    }
    out.iter_mut().for_each(|f| f.sort_unstable());
    Ok(out)
}

impl ValidFitParams {
    /// cross-validates the path of `penalties` (largest first) on stratified folds drawn by
    /// `cv`: on each fold's training rows a warm-started path, each point scored on the fold's
    /// held-out rows; folds run in parallel and the result is the same for any number of threads.
    /// a binary model's folds each run on a thread of their own, their passes over the rows
    /// combined into one read of the matrix and run by the calling thread (in its rayon pool);
    /// the folds' other parallel work goes to rayon's global pool.
    /// `observer` hears of each (fold, point) fitted and may stop the work.
    pub fn cross_validate<B: Backend + Sync + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        penalties: &[Penalty],
        cv: &CvParams,
        observer: &dyn PointObserver,
    ) -> Result<CvResult> {
        if cv.repeats == 0 {
            return Err(Error::param("repeats", "must be at least 1"));
        }
        let mut folds = Vec::with_capacity(cv.folds * cv.repeats);
        for r in 0..cv.repeats {
            let seed = cv.seed.wrapping_add(r as u64);
            folds.extend(stratified_folds(data.labels(), data.n_classes(), cv.folds, seed)?);
        }
        self.cross_validate_folds(backend, data, penalties, folds, cv.scoring, observer)
    }

    /// [`ValidFitParams::cross_validate`] on given folds: each the held-out rows of one fit
    /// (any rows; a row may be held out by several folds, as in repeated folds).
    pub fn cross_validate_folds<B: Backend + Sync + ?Sized>(
        &self,
        backend: &B,
        data: &Dataset,
        penalties: &[Penalty],
        mut folds: Vec<Vec<usize>>,
        scoring: Scoring,
        observer: &dyn PointObserver,
    ) -> Result<CvResult> {
        if penalties.is_empty() {
            return Err(Error::param("penalties", "a cross-validation needs at least one penalty"));
        }
        if folds.len() < 2 {
            return Err(Error::param("folds", format!("at least 2 folds are needed, got {}", folds.len())));
        }
        let mut totals = vec![0usize; data.n_classes()];
        data.labels().iter().for_each(|&y| totals[y as usize] += 1);
        for (f, fold) in folds.iter_mut().enumerate() {
            fold.sort_unstable();
            fold.dedup();
            if fold.is_empty() || fold.len() == data.n_rows() {
                return Err(Error::InvalidData(format!(
                    "fold {f} holds out {} of the {} rows: a fold needs rows to hold out and rows to fit",
                    fold.len(),
                    data.n_rows()
                )));
            }
            if let Some(&i) = fold.last().filter(|&&i| i >= data.n_rows()) {
                return Err(Error::InvalidData(format!(
                    "fold {f} names row {i}, past the data's {} rows",
                    data.n_rows()
                )));
            }
            // every class among the rows fitted, and (for ROC AUC) among the rows scored
            let mut held = vec![0usize; data.n_classes()];
            fold.iter().for_each(|&i| held[data.labels()[i] as usize] += 1);
            if let Some(c) = (0..held.len()).find(|&c| held[c] == totals[c]) {
                return Err(Error::InvalidData(format!(
                    "fold {f} holds out every row of class {c}: its fit would have none"
                )));
            }
            if let Some(c) = (0..held.len()).find(|&c| held[c] == 0).filter(|_| scoring == Scoring::RocAuc) {
                return Err(Error::InvalidData(format!(
                    "fold {f} holds out no row of class {c}: ROC AUC needs every class among the scored rows"
                )));
            }
        }
        let x = data.features();
        let (done, total) = (AtomicUsize::new(0), folds.len() * penalties.len());
        // fold f's held-out scores along the path, its full passes combined through `shared`
        let fold_scores = |f: usize, held_out: &[usize], shared: Option<(&FoldPasses<'_, B>, usize)>| {
            let mut weights = vec![1.0; data.n_rows()];
            held_out.iter().for_each(|&i| weights[i] = 0.0);
            let mut on_point = |k| {
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                observer.on_point(f, k).map_break(|()| Error::Stopped { done, total })
            };
            let y: Vec<f64> = held_out.iter().map(|&i| data.labels()[i]).collect();
            // the held-out rows' decisions, as a row selection of the stored matrix (dense or
            // sparse), by the backend's own kernels
            let rows = Rows::new(x, Selection::Indices(held_out));
            // each model as class blocks `[b, w…]` (one for a binary model, K for a multinomial)
            let (blocks, classes): (Vec<Vec<f64>>, usize) = if data.n_classes() == 2 {
                let models = self.path_on(backend, data, Some(&weights), penalties, &mut on_point, shared)?;
                let block = |m: &crate::model::Model| [&[m.intercept][..], &m.coefficients].concat();
                (models.iter().map(block).collect(), 1)
            } else {
                let models = self.multinomial_path_on(backend, data, Some(&weights), penalties, &mut on_point)?;
                (models.iter().map(|m| m.class_blocks()).collect(), data.n_classes())
            };
            Ok(held_out_scores(backend, &rows, &y, scoring, &blocks, classes))
        };
        let scores: Vec<Vec<f64>> = if data.n_classes() == 2 {
            // binary folds: a thread each (at most MAX_FOLD_THREADS at a time), their passes
            // combined (see `fold_passes`), served by this thread (in the caller's pool)
            let mut scores = Vec::with_capacity(folds.len());
            for (wave, group) in folds.chunks(MAX_FOLD_THREADS).enumerate() {
                let passes = FoldPasses::new(backend, x, data.labels(), group.len());
                let got: Vec<Result<Vec<f64>>> = std::thread::scope(|scope| {
                    let threads: Vec<_> = group
                        .iter()
                        .enumerate()
                        .map(|(g, held_out)| {
                            let (passes, fold_scores) = (&passes, &fold_scores);
                            let fold = wave * MAX_FOLD_THREADS + g;
                            std::thread::Builder::new()
                                .spawn_scoped(scope, move || {
                                    let _thread = passes.thread();
                                    fold_scores(fold, held_out, Some((passes, g)))
                                })
                                .map_err(|e| {
                                    // a thread that never ran has ended for the server
                                    drop(passes.thread());
                                    Error::Thread(e)
                                })
                        })
                        .collect();
                    passes.serve();
                    threads.into_iter().map(|t| t?.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
                });
                scores.extend(got);
            }
            scores.into_iter().collect::<Result<_>>()?
        } else {
            folds.par_iter().enumerate().map(|(f, held_out)| fold_scores(f, held_out, None)).collect::<Result<_>>()?
        };
        let k = penalties.len();
        let n = scores.len() as f64;
        let mean: Vec<f64> = (0..k).map(|j| scores.iter().map(|s| s[j]).sum::<f64>() / n).collect();
        let std_error: Vec<f64> = (0..k)
            .map(|j| {
                let var = scores.iter().map(|s| (s[j] - mean[j]).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
                (var / n).sqrt()
            })
            .collect();
        let sign = if scoring.higher_is_better() { 1.0 } else { -1.0 };
        let best = (0..k).fold(0, |b, j| if sign * mean[j] > sign * mean[b] { j } else { b });
        // penalties run from the largest down: the first within one standard error of the best
        let one_se = (0..=best).find(|&j| sign * (mean[best] - mean[j]) <= std_error[best]).unwrap_or(best);
        Ok(CvResult { penalties: penalties.to_vec(), folds, scores, mean, std_error, best, one_se })
    }
}

/// logits held at once while scoring a fold's models (32 MB).
const SCORED_LOGITS: usize = 1 << 22;

/// the score on `rows` (labels `y`) of each model, given as `classes` class blocks: the logits of
/// as many models as [`SCORED_LOGITS`] allows in one product, so that the held-out rows are read
/// once for them rather than once a model.
fn held_out_scores<B: Backend + ?Sized>(
    backend: &B,
    rows: &Rows<'_>,
    y: &[f64],
    scoring: Scoring,
    models: &[Vec<f64>],
    classes: usize,
) -> Vec<f64> {
    let m = y.len();
    let per_product = (SCORED_LOGITS / (m * classes).max(1)).clamp(1, models.len().max(1));
    let mut z = vec![0.0; m * classes * per_product];
    let mut coefs = Vec::new();
    let mut scores = Vec::with_capacity(models.len());
    for group in models.chunks(per_product) {
        coefs.clear();
        group.iter().for_each(|b| coefs.extend_from_slice(b));
        let z = &mut z[..m * classes * group.len()];
        backend.class_logits(rows, &coefs, z);
        scores.extend(
            z.chunks_exact(m * classes)
                .map(|z| if classes == 1 { scoring.score(y, z) } else { scoring.score_classes(y, z, classes) }),
        );
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_disjoint_and_cover_every_row() {
        let labels: Vec<f64> = (0..103).map(|i| f64::from(u8::from(i % 4 == 0))).collect();
        let folds = stratified_folds(&labels, 2, 5, 7).unwrap();
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        for f in &folds {
            let positives = f.iter().filter(|&&i| labels[i] == 1.0).count();
            assert!((5..=6).contains(&positives), "{positives}");
            assert!((20..=21).contains(&f.len()));
        }
        assert_eq!(folds, stratified_folds(&labels, 2, 5, 7).unwrap());
        assert_ne!(folds, stratified_folds(&labels, 2, 5, 8).unwrap());
        assert!(stratified_folds(&labels, 2, 1, 7).is_err());
        assert!(stratified_folds(&labels[..8], 2, 5, 7).is_err());
    }
}
