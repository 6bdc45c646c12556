//! classification metrics: accuracy, log-loss, roc auc, confusion matrix; their multiclass
//! counterparts (k × k confusion matrix, macro-averaged precision, recall and f1).

use crate::numerics::{fold_lanes, loss_and_residual_with};

/// counts of a binary confusion matrix (positive class = label 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// true positives
    pub tp: usize,
    /// false positives
    pub fp: usize,
    /// true negatives
    pub tn: usize,
    /// false negatives
    pub fn_: usize,
}

impl ConfusionMatrix {
    /// confusion matrix of predicted labels against true labels (both in {0, 1}).
    pub fn new(y_true: &[f64], y_pred: &[f64]) -> Self {
        let mut m = ConfusionMatrix::default();
        for (&t, &p) in y_true.iter().zip(y_pred) {
            match (t == 1.0, p == 1.0) {
                (true, true) => m.tp += 1,
                (false, true) => m.fp += 1,
                (false, false) => m.tn += 1,
                (true, false) => m.fn_ += 1,
            }
        }
        m
    }

    /// fraction classified right.
    pub fn accuracy(&self) -> f64 {
        (self.tp + self.tn) as f64 / (self.tp + self.tn + self.fp + self.fn_) as f64
    }

    /// `tp / (tp + fp)`, `None` when nothing was predicted positive.
    pub fn precision(&self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }

    /// `tp / (tp + fn)`, `None` when there are no positives.
    pub fn recall(&self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }

    /// harmonic mean of precision and recall.
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        (p + r > 0.0).then(|| 2.0 * p * r / (p + r))
    }
}

/// metrics of `K`-class predictions: the confusion matrix, accuracy and log-loss, macro averages;
/// built at once ([`MulticlassMetrics::new`]) or chunk by chunk ([`MulticlassMetrics::add`]).
#[derive(Clone, Debug, PartialEq)]
pub struct MulticlassMetrics {
    /// `confusion[t][p]`: rows of true class `t` predicted as class `p`
    pub confusion: Vec<Vec<usize>>,
    /// `Σ −log p_{i,yᵢ}` over the rows so far
    loss_sum: f64,
}

impl MulticlassMetrics {
    /// metrics of class labels `y_true` (`0..k`) given row-major `rows × k` probabilities
    /// `proba`; each row's prediction is its most probable class (the first of ties).
    pub fn new(y_true: &[f64], proba: &[f64], k: usize) -> Self {
        let mut m = Self::empty(k);
        m.add(y_true, proba);
        m
    }

    /// metrics of no rows yet, over `k` classes.
    pub fn empty(k: usize) -> Self {
        MulticlassMetrics { confusion: vec![vec![0usize; k]; k], loss_sum: 0.0 }
    }

    /// account for more rows: labels `y_true` and their row-major probabilities `proba`.
    pub fn add(&mut self, y_true: &[f64], proba: &[f64]) {
        let k = self.confusion.len();
        for (&t, p) in y_true.iter().zip(proba.chunks_exact(k)) {
            let predicted = crate::multinomial::argmax(p) as usize;
            self.confusion[t as usize][predicted] += 1;
            // −log p, with p floored at the smallest positive double so a certain miss is finite
            self.loss_sum -= p[t as usize].max(f64::MIN_POSITIVE).ln();
        }
    }

    /// number of rows accounted for.
    pub fn rows(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    /// fraction classified right.
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.confusion.len()).map(|c| self.confusion[c][c]).sum();
        right as f64 / self.rows() as f64
    }

    /// mean `−log p_{i,yᵢ}`.
    pub fn log_loss(&self) -> f64 {
        self.loss_sum / self.rows() as f64
    }

    /// precision of class `c`: `None` when nothing was predicted as `c`.
    pub fn precision(&self, c: usize) -> Option<f64> {
        let predicted: usize = self.confusion.iter().map(|row| row[c]).sum();
        (predicted > 0).then(|| self.confusion[c][c] as f64 / predicted as f64)
    }

    /// recall of class `c`: `None` when class `c` has no rows.
    pub fn recall(&self, c: usize) -> Option<f64> {
        let actual: usize = self.confusion[c].iter().sum();
        (actual > 0).then(|| self.confusion[c][c] as f64 / actual as f64)
    }

    /// f1 of class `c` (0 when precision or recall is undefined or both are 0, as scikit-learn's
    /// `zero_division=0`).
    pub fn f1(&self, c: usize) -> f64 {
        match (self.precision(c), self.recall(c)) {
            (Some(p), Some(r)) if p + r > 0.0 => 2.0 * p * r / (p + r),
            _ => 0.0,
        }
    }

    /// macro averages `(precision, recall, f1)` over the classes (undefined values count 0).
    pub fn macro_averages(&self) -> (f64, f64, f64) {
        let k = self.confusion.len() as f64;
        let sum = |f: &dyn Fn(usize) -> f64| (0..self.confusion.len()).map(f).sum::<f64>() / k;
        (sum(&|c| self.precision(c).unwrap_or(0.0)), sum(&|c| self.recall(c).unwrap_or(0.0)), sum(&|c| self.f1(c)))
    }
}

/// fraction of equal labels.
pub fn accuracy(y_true: &[f64], y_pred: &[f64]) -> f64 {
    ConfusionMatrix::new(y_true, y_pred).accuracy()
}

/// mean log-loss of labels given decision values (logits), stable for any finite logit.
pub fn log_loss(y_true: &[f64], decision: &[f64]) -> f64 {
    let n = y_true.len().min(decision.len());
    let sum = if crate::simd::fused() {
        lane_sum::<true>(&y_true[..n], &decision[..n])
    } else {
        lane_sum::<false>(&y_true[..n], &decision[..n])
    };
    sum / y_true.len() as f64
}

/// `Σ` log-loss over equally long `y` and `z`, eight rows at a time in eight fixed lanes (one
/// avx-512 vector), compiled for the widest simd (`FUSED` where that has fma).
fn lane_sum<const FUSED: bool>(y: &[f64], z: &[f64]) -> f64 {
    crate::simd::widest(
        #[inline(always)]
        || {
            let mut lanes = [0.0f64; 8];
            let whole = y.len() / 8 * 8;
            for (y8, z8) in y[..whole].chunks_exact(8).zip(z[..whole].chunks_exact(8)) {
                for l in 0..8 {
                    lanes[l] += loss_and_residual_with::<FUSED>(y8[l], z8[l]).0;
                }
            }
            for (l, (&y, &z)) in y[whole..].iter().zip(&z[whole..]).enumerate() {
                lanes[l] += loss_and_residual_with::<FUSED>(y, z).0;
            }
            fold_lanes(lanes)
        },
    )
}

/// area under the roc curve of `scores` for labels `y_true` (ties count one half);
/// `None` when only one class is present.
pub fn roc_auc(y_true: &[f64], scores: &[f64]) -> Option<f64> {
    // the scores of the positives and of the negatives, each sorted (as keys in score order)
    let n = y_true.len().min(scores.len());
    let n_pos = y_true[..n].iter().filter(|&&y| y == 1.0).count();
    let (mut pos, mut neg) = (Vec::with_capacity(n_pos), Vec::with_capacity(n - n_pos));
    for (&y, &s) in y_true.iter().zip(scores) {
        if y == 1.0 { pos.push(order_key(s)) } else { neg.push(order_key(s)) }
    }
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    rayon::join(|| pos.sort_unstable(), || neg.sort_unstable());
    // mann–whitney: per positive, the negatives scored below it, and half those scored the same
    // (twice that count, summed exactly in integers)
    let (mut below, mut upto, mut twice) = (0usize, 0usize, 0u64);
    for &p in &pos {
        while below < neg.len() && neg[below] < p {
            below += 1;
        }
        upto = upto.max(below);
        while upto < neg.len() && neg[upto] == p {
            upto += 1;
        }
        twice += (below + upto) as u64;
    }
    Some(twice as f64 / 2.0 / (pos.len() as f64 * neg.len() as f64))
}

/// a key of `s` (not NaN) whose unsigned order is the order of the numbers (`-0.0` and `0.0` one
/// key).
fn order_key(s: f64) -> u64 {
    let bits = (s + 0.0).to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_is_the_share_of_pairs_ranked_right() {
        // against the definition, pair by pair, on scores with many ties (and -0.0 = 0.0)
        let mut rng = crate::rng::Rng::new(5);
        for n in [2, 3, 10, 101, 1000] {
            let y: Vec<f64> = (0..n).map(|_| f64::from(u8::from(rng.uniform() < 0.3))).collect();
            let z: Vec<f64> = (0..n)
                .map(|i| {
                    if i % 7 == 0 {
                        -0.0
                    } else if i % 11 == 0 {
                        0.0
                    } else {
                        (rng.normal() * 3.0).round()
                    }
                })
                .collect();
            let (mut right, mut pairs) = (0.0, 0.0);
            for (a, (&ya, &za)) in y.iter().zip(&z).enumerate() {
                for (&yb, &zb) in y.iter().zip(&z).skip(a + 1) {
                    if ya != yb {
                        let (p, q) = if ya == 1.0 { (za, zb) } else { (zb, za) };
                        right += if p > q {
                            1.0
                        } else if p == q {
                            0.5
                        } else {
                            0.0
                        };
                        pairs += 1.0;
                    }
                }
            }
            let want = if pairs > 0.0 { Some(right / pairs) } else { None };
            assert_eq!(roc_auc(&y, &z), want, "n = {n}");
        }
    }

    #[test]
    fn auc_counts_pairs_and_ties() {
        assert_eq!(roc_auc(&[0., 0., 1., 1.], &[0.1, 0.4, 0.35, 0.8]), Some(0.75));
        assert_eq!(roc_auc(&[0., 1.], &[0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[1., 1.], &[0.5, 0.7]), None);
        assert_eq!(roc_auc(&[1., 0., 1.], &[3.0, 1.0, 2.0]), Some(1.0));
    }

    #[test]
    fn confusion_matrix_and_ratios() {
        let m = ConfusionMatrix::new(&[1., 1., 0., 0., 1.], &[1., 0., 0., 1., 1.]);
        assert_eq!(m, ConfusionMatrix { tp: 2, fp: 1, tn: 1, fn_: 1 });
        assert_eq!(m.accuracy(), 0.6);
        assert_eq!(m.precision(), Some(2.0 / 3.0));
        assert_eq!(m.recall(), Some(2.0 / 3.0));
    }

    #[test]
    fn log_loss_in_lanes_is_the_mean_of_the_pointwise_losses() {
        let mut rng = crate::rng::Rng::new(5);
        for n in (1..20).chain([1001]) {
            let y: Vec<f64> = (0..n).map(|_| f64::from(u8::from(rng.normal() > 0.0))).collect();
            let z: Vec<f64> = (0..n).map(|_| 30.0 * rng.normal()).collect();
            let want = y.iter().zip(&z).map(|(&y, &z)| crate::numerics::log_loss(y, z)).sum::<f64>() / n as f64;
            let got = log_loss(&y, &z);
            assert!((got - want).abs() <= 1e-14 * want, "n={n}: {got} vs {want}");
        }
    }

    #[test]
    fn log_loss_of_confident_mistake_is_large_but_finite() {
        let l = log_loss(&[1.0], &[-800.0]);
        assert_eq!(l, 800.0);
    }

    #[test]
    fn multiclass_metrics_by_hand() {
        // three classes, six rows: predictions 0, 1, 1, 2, 2, 0 for truths 0, 0, 1, 1, 2, 2
        let y = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        let p = [0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25];
        let m = MulticlassMetrics::new(&y, &p, 3);
        assert_eq!(m.confusion, vec![vec![1, 1, 0], vec![0, 1, 1], vec![1, 0, 1]]);
        assert_eq!(m.accuracy(), 0.5);
        let want = -(0.7f64.ln() + 0.3f64.ln() + 0.8f64.ln() + 0.3f64.ln() + 0.8f64.ln() + 0.25f64.ln()) / 6.0;
        assert!((m.log_loss() - want).abs() < 1e-14);
        // chunk by chunk: the same
        let mut chunked = MulticlassMetrics::empty(3);
        chunked.add(&y[..2], &p[..6]);
        chunked.add(&y[2..], &p[6..]);
        assert_eq!(chunked, m);
        assert_eq!((m.precision(0), m.recall(0), m.f1(0)), (Some(0.5), Some(0.5), 0.5));
        let (mp, mr, mf) = m.macro_averages();
        assert!((mp - 0.5).abs() < 1e-15 && (mr - 0.5).abs() < 1e-15 && (mf - 0.5).abs() < 1e-15);
    }
}
