//! classification metrics: accuracy, log-loss, roc auc, confusion matrix.

use crate::numerics::log_loss as pointwise_log_loss;

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

/// fraction of equal labels.
pub fn accuracy(y_true: &[f64], y_pred: &[f64]) -> f64 {
    ConfusionMatrix::new(y_true, y_pred).accuracy()
}

/// mean log-loss of labels given decision values (logits), stable for any finite logit.
pub fn log_loss(y_true: &[f64], decision: &[f64]) -> f64 {
    let sum: f64 = y_true.iter().zip(decision).map(|(&y, &z)| pointwise_log_loss(y, z)).sum();
    sum / y_true.len() as f64
}

/// area under the roc curve of `scores` for labels `y_true` (ties count one half);
/// `None` when only one class is present.
pub fn roc_auc(y_true: &[f64], scores: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let n_pos = y_true.iter().filter(|&&y| y == 1.0).count();
    let n_neg = y_true.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    // mann–whitney: sum of positive ranks, tied scores sharing their average rank
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg_rank * order[i..=j].iter().filter(|&&k| y_true[k] == 1.0).count() as f64;
        i = j + 1;
    }
    let (p, n) = (n_pos as f64, n_neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn log_loss_of_confident_mistake_is_large_but_finite() {
        let l = log_loss(&[1.0], &[-800.0]);
        assert_eq!(l, 800.0);
    }
}
