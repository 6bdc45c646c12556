//! the rust side of the peer comparison (`benches/compare/run.py` drives it).
//!
//! - `kernels DATA.npy [BACKEND]`: the machine's streaming-read bandwidth over X and every backend's fused
//!   loss-and-gradient pass over the same X, on 1 and 2 threads (json lines on stdout)
//! - `linfa DATA.npy L2 OUT.json` and `smartcore DATA.npy L2 OUT.json`: fit the peer
//!   library on the same data and objective; writes coefficients, intercept and fit seconds
//!
//! every fit maps logreg's objective `mean logloss + l2/2·‖w‖²` (intercept unpenalised) onto the
//! peer's own: both linfa-logistic and smartcore minimise `Σ logloss + α/2·‖w‖²`, so `α = n·l2`.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use logreg::internals::BlockWorkspace;
use logreg::view::Selection;
use logreg::{BackendKind, Dataset};
use serde_json::json;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["kernels", data] => kernels(Path::new(data), None),
        ["kernels", data, only] => kernels(Path::new(data), Some(only)),
        ["linfa", data, l2, out] => linfa_fit(Path::new(data), l2.parse().context("l2")?, Path::new(out)),
        ["smartcore", data, l2, out] => smartcore_fit(Path::new(data), l2.parse().context("l2")?, Path::new(out)),
        _ => bail!(
            "usage: logreg-compare kernels DATA.npy [BACKEND] | linfa DATA.npy L2 OUT.json | smartcore DATA.npy L2 OUT.json"
        ),
    }
}

fn load(path: &Path) -> Result<Dataset> {
    let loaded = logreg::io::read_npy(path, Some("1")).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(loaded.dataset)
}

fn seconds(f: impl FnOnce()) -> f64 {
    let s = Instant::now();
    f();
    s.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// sum of squares of every value, blocks in parallel: a plain streaming read of X.
fn read_sum(x: &[f64]) -> f64 {
    use rayon::prelude::*;
    x.par_chunks(1 << 16)
        .map(|c| {
            logreg::internals::widest(
                #[inline(always)]
                || logreg::numerics::dot(c, c),
            )
        })
        .sum()
}

/// every repeat times the plain read and then each backend's pass back to back, so each
/// backend's fraction of the bandwidth is a ratio of neighbouring timings (the machine's
/// bandwidth drifts from second to second when it is shared); medians over the repeats.
fn kernels(path: &Path, only: Option<&str>) -> Result<()> {
    let ds = load(path)?;
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let bytes = (n * d * 8) as f64;
    let w: Vec<f64> = (0..d).map(|j| 0.01 * (j as f64).sin()).collect();
    let kinds: Vec<BackendKind> =
        BackendKind::ALL.iter().copied().filter(|k| only.is_none_or(|o| o == k.name())).collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        let mut workspaces: Vec<_> = kinds.iter().map(|_| (BlockWorkspace::new(d, n), vec![0.0; d])).collect();
        let (mut read, mut times, mut ratios) = (vec![], vec![vec![]; kinds.len()], vec![vec![]; kinds.len()]);
        for repeat in 0..12 {
            let r = seconds(|| {
                black_box(pool.install(|| read_sum(black_box(ds.features().data()))));
            });
            for (k, (kind, (ws, g))) in kinds.iter().zip(&mut workspaces).enumerate() {
                let t = seconds(|| {
                    black_box(pool.install(|| {
                        ws.loss_grad(kind.backend(), ds.as_ref(), &Selection::Range(0..n), black_box(&w), 0.1, g)
                    }));
                });
                // the first round warms caches, page tables and thread pools
                if repeat > 0 {
                    times[k].push(t);
                    ratios[k].push(r / t);
                }
            }
            if repeat > 0 {
                read.push(r);
            }
        }
        let line = |op: &str, backend: &str, s: f64, fraction: f64| {
            println!(
                "{}",
                json!({"op": op, "backend": backend, "threads": threads, "n": n, "d": d,
                       "seconds": s, "gbps": bytes / s / 1e9, "fraction_of_read": fraction})
            );
        };
        line("read", "memory", median(read), 1.0);
        for (k, kind) in kinds.iter().enumerate() {
            line("loss_grad", kind.name(), median(times[k].clone()), median(ratios[k].clone()));
        }
    }
    Ok(())
}

fn write_result(out: &Path, coef: Vec<f64>, intercept: f64, fit_seconds: f64) -> Result<()> {
    let body = json!({"coefficients": coef, "intercept": intercept, "fit_seconds": fit_seconds});
    std::fs::write(out, body.to_string()).with_context(|| format!("cannot write {}", out.display()))
}

fn linfa_fit(path: &Path, l2: f64, out: &Path) -> Result<()> {
    use linfa::prelude::*;
    let ds = load(path)?;
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let y: ndarray::Array1<usize> = ds.labels().iter().map(|&v| v as usize).collect();
    let x = ndarray::Array2::from_shape_vec((n, d), ds.into_features())?;
    let start = Instant::now();
    let fitted = linfa_logistic::LogisticRegression::default()
        .alpha(n as f64 * l2)
        // linfa's default gradient tolerance (1e-4, on its summed objective); 1000 iterations
        // instead of its default 100, so a slow start does not cut it off short of the optimum
        .max_iterations(1000)
        .fit(&linfa::Dataset::new(x, y))?;
    let seconds = start.elapsed().as_secs_f64();
    // linfa models the larger-numbered class as positive unless told otherwise; flip if needed
    let sign = if fitted.labels().pos.class == 1 { 1.0 } else { -1.0 };
    let coef = fitted.params().iter().map(|c| sign * c).collect();
    write_result(out, coef, sign * fitted.intercept(), seconds)
}

fn smartcore_fit(path: &Path, l2: f64, out: &Path) -> Result<()> {
    use smartcore::linalg::basic::arrays::Array;
    use smartcore::linalg::basic::matrix::DenseMatrix;
    use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
    let ds = load(path)?;
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let y: Vec<i32> = ds.labels().iter().map(|&v| v as i32).collect();
    let x = DenseMatrix::new(n, d, ds.into_features(), false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = Instant::now();
    let params = LogisticRegressionParameters::default().with_alpha(n as f64 * l2);
    let fitted = LogisticRegression::fit(&x, &y, params).map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    // classes are sorted, so index 1 (class 1) is the modelled one
    let coef = (0..d).map(|j| *fitted.coefficients().get((0, j))).collect();
    write_result(out, coef, *fitted.intercept().get((0, 0)), seconds)
}
