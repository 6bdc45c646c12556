//! the passes of a cross-validation's folds, combined: each fold's path runs on its own thread,
//! and its full passes over the rows (loss and gradient at its point, under its row weights) are
//! handed to one server, which waits until every fold fitting at the moment has asked for one and
//! then reads the stored matrix once for all of them. on dense rows the folds' points are the
//! columns of one matrix, so a tile's logits and gradients are one matrix product each (the
//! backend's class kernels), always with a column for every fold; on sparse rows each block of
//! rows goes through every fold's own pass while it is in cache. either way a fold's sums and
//! gradient do not depend on which passes were combined, so neither on timing nor on the thread
//! count; they equal those of its own pass to rounding (sparse rows: to the bit).

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::backend::{Backend, BlockSums};
use crate::blocks::{BlockWorkspace, PassJob};
use crate::dataset::DataRef;
use crate::view::{Design, Selection};

/// what the folds and the server share.
#[derive(Debug)]
struct State {
    /// each fold's row weights while it fits (`None` before and after)
    weights: Vec<Option<Arc<Vec<f64>>>>,
    /// folds fitting at the moment: the server waits for a request from each
    active: usize,
    /// folds whose thread has ended
    ended: usize,
    /// each fold's point `(w, b)` (raw parameters) while its request waits
    points: Vec<(Vec<f64>, f64)>,
    /// the folds whose requests wait
    asked: Vec<bool>,
    /// how many requests wait
    pending: usize,
    /// each fold's sums once its pass ran
    results: Vec<Option<BlockSums>>,
    /// each fold's gradient once its pass ran (read with its sums)
    grads: Vec<Vec<f64>>,
    /// the server's pass panicked: the folds waiting for it panic too (instead of waiting on)
    failed: bool,
}

/// the combined passes over the rows of one dataset for `folds` folds.
#[derive(Debug)]
pub(crate) struct FoldPasses<'c, B: ?Sized> {
    backend: &'c B,
    x: Design<'c>,
    y: &'c [f64],
    folds: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// a fold taking part while it is alive (see [`FoldPasses::join`]).
#[derive(Debug)]
pub(crate) struct Joined<'p, 'c, B: ?Sized> {
    passes: &'p FoldPasses<'c, B>,
    fold: usize,
}

/// a fold's thread, counted as ended when this is dropped (see [`FoldPasses::thread`]).
#[derive(Debug)]
pub(crate) struct FoldThread<'p, 'c, B: ?Sized> {
    passes: &'p FoldPasses<'c, B>,
}

impl<'c, B: Backend + ?Sized> FoldPasses<'c, B> {
    /// passes over the features `x` with labels `y` for `folds` fold threads.
    pub fn new(backend: &'c B, x: Design<'c>, y: &'c [f64], folds: usize) -> Self {
        let d = x.n_cols();
        // every buffer a pass needs, made once: a pass allocates nothing of the features' width
        let state = State {
            weights: vec![None; folds],
            active: 0,
            ended: 0,
            points: vec![(vec![0.0; d], 0.0); folds],
            asked: vec![false; folds],
            pending: 0,
            results: vec![None; folds],
            grads: vec![vec![0.0; d]; folds],
            failed: false,
        };
        FoldPasses { backend, x, y, folds, state: Mutex::new(state), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // a fold that panicked leaves the state consistent (every change is one assignment)
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// the guard of a fold's thread: the server stops once every thread has dropped its guard.
    pub fn thread(&self) -> FoldThread<'_, 'c, B> {
        FoldThread { passes: self }
    }

    /// fold `fold` fits with row weights `weights` until the guard is dropped: the server waits
    /// for its requests.
    pub fn join(&self, fold: usize, weights: Vec<f64>) -> Joined<'_, 'c, B> {
        let mut st = self.lock();
        st.weights[fold] = Some(Arc::new(weights));
        st.active += 1;
        Joined { passes: self, fold }
    }

    /// fold `fold`'s loss sums at `(w, b)` over every row, `Xᵀ(s∘(p − y))` into `grad` (as
    /// [`BlockWorkspace::loss_grad`] over every row); blocks until the server has run it.
    pub fn loss_grad(&self, fold: usize, w: &[f64], b: f64, grad: &mut [f64]) -> BlockSums {
        let mut st = self.lock();
        st.points[fold].0.copy_from_slice(w);
        st.points[fold].1 = b;
        st.asked[fold] = true;
        st.pending += 1;
        self.changed.notify_all();
        loop {
            if let Some(sums) = st.results[fold].take() {
                grad.copy_from_slice(&st.grads[fold]);
                return sums;
            }
            assert!(!st.failed, "the combined pass of the folds failed");
            st = self.wait(st);
        }
    }

    /// run the folds' passes until every fold thread has ended: each time every fold fitting
    /// has asked for a pass, one combined pass.
    ///
    /// on dense rows the pass takes every fold's point as a column of one matrix, the folds that
    /// did not ask at their last point (or 0 before their first), so its products always have the
    /// same shape ([`BlockWorkspace::loss_grad_columns`]): a fold's result does not depend on
    /// which folds asked with it. on sparse rows each fold's own pass, block by block
    /// ([`BlockWorkspace::loss_grad_jobs`]).
    pub fn serve(&self) {
        let mut ws = BlockWorkspace::for_jobs(self.x, self.folds);
        let columns = matches!(self.x, Design::Dense(_));
        let d = self.x.n_cols();
        // the server's own copies of the points, gradients and sums, made once
        let mut points: Vec<(Vec<f64>, f64)> = vec![(vec![0.0; d], 0.0); self.folds];
        let mut grads: Vec<Vec<f64>> = vec![vec![0.0; d]; self.folds];
        let mut sums = vec![BlockSums::default(); self.folds];
        let (mut batch, mut folds, mut weights) =
            (Vec::with_capacity(self.folds), Vec::with_capacity(self.folds), Vec::with_capacity(self.folds));
        let mut st = self.lock();
        loop {
            if st.ended == self.folds && st.pending == 0 {
                return;
            }
            if st.pending == 0 || st.pending < st.active {
                st = self.wait(st);
                continue;
            }
            // the folds that asked, in fold order, their points copied out
            batch.clear();
            for (f, point) in points.iter_mut().enumerate() {
                if std::mem::take(&mut st.asked[f]) {
                    batch.push(f);
                    point.0.copy_from_slice(&st.points[f].0);
                    point.1 = st.points[f].1;
                }
            }
            st.pending = 0;
            // the folds whose passes run: every fold on dense rows, else those that asked
            folds.clear();
            if columns {
                folds.extend(0..self.folds);
            } else {
                folds.extend_from_slice(&batch);
            }
            weights.clear();
            weights.extend(folds.iter().map(|&f| st.weights[f].clone()));
            drop(st);
            let jobs: Vec<PassJob<'_>> = folds
                .iter()
                .zip(&weights)
                .map(|(&f, s): (&usize, &Option<Arc<Vec<f64>>>)| PassJob {
                    weights: s.as_deref().map(Vec::as_slice),
                    w: &points[f].0,
                    b: points[f].1,
                })
                .collect();
            let mut views: Vec<&mut [f64]> = grads[..jobs.len()].iter_mut().map(Vec::as_mut_slice).collect();
            let data = DataRef { x: self.x, y: self.y, weights: None };
            let all = Selection::Range(0..self.x.n_rows());
            let sums = &mut sums[..jobs.len()];
            let pass = || {
                if columns {
                    ws.loss_grad_columns(self.backend, data, &all, &jobs, &mut views, sums)
                } else {
                    ws.loss_grad_jobs(self.backend, data, &all, &jobs, &mut views, sums)
                }
            };
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(pass)) {
                Ok(()) => {}
                Err(panic) => {
                    // wake the waiting folds (they panic in turn) before unwinding
                    self.lock().failed = true;
                    self.changed.notify_all();
                    std::panic::resume_unwind(panic);
                }
            }
            st = self.lock();
            for &f in &batch {
                let job = folds.iter().position(|&g| g == f).expect("every fold that asked has a job");
                st.results[f] = Some(sums[job]);
                st.grads[f].copy_from_slice(&grads[job]);
            }
            self.changed.notify_all();
        }
    }
}

impl<B: ?Sized> Drop for Joined<'_, '_, B> {
    fn drop(&mut self) {
        let mut st = self.passes.state.lock().unwrap_or_else(|e| e.into_inner());
        st.weights[self.fold] = None;
        st.active -= 1;
        self.passes.changed.notify_all();
    }
}

impl<B: ?Sized> Drop for FoldThread<'_, '_, B> {
    fn drop(&mut self) {
        let mut st = self.passes.state.lock().unwrap_or_else(|e| e.into_inner());
        st.ended += 1;
        self.passes.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::super::Solver;
    use super::*;
    use crate::backend::ReferenceBackend;
    use crate::solve::{FitParams, Scoring, penalty_grid};
    use crate::synthetic::Synthetic;
    use crate::train::Silent;
    use std::ops::ControlFlow;

    /// a combined pass gives each job the sums and gradient of its own pass: bit for bit job by
    /// job, to rounding as the columns of one matrix — and there bit for bit whatever the other
    /// columns hold.
    #[test]
    fn combined_jobs_equal_their_own_passes() {
        let data = Synthetic { n_rows: 3000, n_cols: 7, seed: 2, ..Synthetic::default() }.generate().unwrap();
        let n = data.n_rows();
        let weights: Vec<Vec<f64>> =
            (0..3).map(|f| (0..n).map(|i| if i % 3 == f { 0.0 } else { 1.0 + (i % 5) as f64 }).collect()).collect();
        let points: Vec<Vec<f64>> = (0..3).map(|f| (0..7).map(|j| 0.1 * (j + f) as f64 - 0.3).collect()).collect();
        let x = data.features();
        let mut ws = BlockWorkspace::for_jobs(x, 3);
        let jobs: Vec<PassJob<'_>> =
            (0..3).map(|f| PassJob { weights: Some(&weights[f]), w: &points[f], b: 0.2 * f as f64 }).collect();
        let mut grads = vec![vec![0.0; 7]; 3];
        let mut views: Vec<&mut [f64]> = grads.iter_mut().map(Vec::as_mut_slice).collect();
        let data_ref = DataRef { weights: None, ..data.as_ref() };
        let mut sums = vec![BlockSums::default(); 3];
        ws.loss_grad_jobs(&ReferenceBackend, data_ref, &Selection::Range(0..n), &jobs, &mut views, &mut sums);
        for f in 0..3 {
            let mut own = BlockWorkspace::new(x, n);
            let mut g = vec![0.0; 7];
            let r = DataRef { weights: Some(&weights[f]), ..data.as_ref() };
            let s = own.loss_grad(&ReferenceBackend, r, &Selection::Range(0..n), &points[f], 0.2 * f as f64, &mut g);
            assert_eq!(s, sums[f], "fold {f}");
            assert_eq!(g, grads[f], "fold {f}");
        }
        let columns = |jobs: &[PassJob<'_>]| {
            let mut ws = BlockWorkspace::for_jobs(x, 3);
            let mut grads = vec![vec![0.0; 7]; 3];
            let mut views: Vec<&mut [f64]> = grads.iter_mut().map(Vec::as_mut_slice).collect();
            let mut sums = vec![BlockSums::default(); 3];
            ws.loss_grad_columns(&ReferenceBackend, data_ref, &Selection::Range(0..n), jobs, &mut views, &mut sums);
            (sums, grads)
        };
        let (col_sums, col_grads) = columns(&jobs);
        let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= 1e-12 * scale.max(1.0);
        for f in 0..3 {
            let (a, b) = (col_sums[f], sums[f]);
            assert!(
                close(a.loss, b.loss, b.loss) && close(a.residual, b.residual, b.weight),
                "fold {f}: {a:?} vs {b:?}"
            );
            assert_eq!((a.weight, a.correct), (b.weight, b.correct), "fold {f}");
            for (p, q) in col_grads[f].iter().zip(&grads[f]) {
                assert!(close(*p, *q, b.weight), "fold {f}: gradient {p} vs {q}");
            }
        }
        // the middle job at another point and unweighted: the others' results do not move
        let other = vec![1.5; 7];
        let changed = [jobs[0], PassJob { weights: None, w: &other, b: -2.0 }, jobs[2]];
        let (again_sums, again_grads) = columns(&changed);
        for f in [0, 2] {
            assert_eq!(again_sums[f], col_sums[f], "fold {f}");
            assert_eq!(again_grads[f], col_grads[f], "fold {f}");
        }
        assert_ne!(again_sums[1], col_sums[1]);
    }

    /// a cross-validation (folds on threads, passes combined) scores each fold as its path
    /// fitted alone does (to rounding: the combined passes multiply matrices), for every solver
    /// that combines.
    #[test]
    fn combined_folds_score_as_paths_fitted_alone() {
        let data = Synthetic { n_rows: 4000, n_cols: 6, seed: 9, ..Synthetic::default() }.generate().unwrap();
        let folds: Vec<Vec<usize>> = (0..4).map(|f| (0..data.n_rows()).filter(|i| i % 4 == f).collect()).collect();
        for (solver, l1_ratio) in [(Solver::Newton, 0.0), (Solver::Lbfgs, 0.0), (Solver::Cd, 1.0)] {
            let params = FitParams { solver, ..FitParams::default() }.check().unwrap();
            let top = params.lambda_max(&ReferenceBackend, &data, l1_ratio).unwrap();
            let grid = penalty_grid(top, 1e-3, 5, l1_ratio).unwrap();
            let cv = params
                .cross_validate_folds(&ReferenceBackend, &data, &grid, folds.clone(), Scoring::LogLoss, &Silent)
                .unwrap();
            for (f, held_out) in folds.iter().enumerate() {
                let mut rows = vec![1.0; data.n_rows()];
                held_out.iter().for_each(|&i| rows[i] = 0.0);
                let alone = params.path_on(
                    &ReferenceBackend,
                    &data,
                    Some(&rows),
                    &grid,
                    &mut |_| ControlFlow::Continue(()),
                    None,
                );
                let test = data.select_rows(held_out);
                for (k, m) in alone.unwrap().iter().enumerate() {
                    let z = m.decision_function(test.features()).unwrap();
                    let score = crate::metrics::log_loss(test.labels(), &z);
                    let got = cv.scores[f][k];
                    assert!((got - score).abs() <= 1e-9 * score, "{solver}, fold {f}, point {k}: {got} vs {score}");
                }
            }
        }
    }
}
