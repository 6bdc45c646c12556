//! from the shared fit flags to the library's fit settings, the worker pool and the model
//! file's training record (`train`, `path` and `cv` alike).

use anyhow::{Context, Result};
use logreg::{ClassWeight, FitParams};

use crate::args::FitArgs;
use crate::model_file::TrainingConfig;

impl FitArgs {
    /// the fit settings of these flags with penalty `l2`, `l1` (sgd settings at their defaults).
    pub fn params(&self, l2: f64, l1: f64) -> FitParams {
        FitParams {
            solver: self.solver,
            l2,
            l1,
            standardize: self.standardize,
            fit_intercept: !self.no_intercept,
            class_weight: if self.balanced { ClassWeight::Balanced } else { ClassWeight::None },
            tol: self.tol,
            max_iter: self.max_iter.map(|m| m as usize),
            ..FitParams::default()
        }
    }

    /// the worker pool of `--threads` (default: all cores) and its size. rayon's global pool
    /// gets the same size: the library runs a cross-validation's folds on threads of their own,
    /// whose parallel work goes to the global pool.
    pub fn pool(&self) -> Result<(rayon::ThreadPool, usize)> {
        let threads = self.threads.map_or_else(rayon::current_num_threads, |t| t as usize);
        // (already built when a command asks twice: it has this size then)
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
        let pool =
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("cannot start worker threads")?;
        Ok((pool, threads))
    }

    /// the model file's record of a fit by these flags at `l2`, `l1` on `threads` threads of
    /// the data `data` (no sgd settings, no split, seed 0).
    pub fn training(&self, l2: f64, l1: f64, threads: usize, data: String) -> TrainingConfig {
        TrainingConfig {
            solver: self.solver.to_string(),
            backend: self.backend.to_string(),
            simd: logreg::simd::describe(),
            l2,
            l1,
            standardize: self.standardize,
            fit_intercept: !self.no_intercept,
            balanced: self.balanced,
            tol: self.tol,
            max_iter: self.max_iter,
            epochs: 0,
            batch_size: 0,
            learning_rate: 0.0,
            seed: 0,
            threads,
            test_fraction: None,
            data,
        }
    }
}
