//! the rust side of the peer comparison (`benches/compare/run.py` drives it).
//!
//! - `kernels DATA.npy [BACKEND]`: the machine's streaming-read bandwidth over X and every backend's fused
//!   loss-and-gradient pass over the same X, on 1 and 2 threads (json lines on stdout); with a
//!   libsvm file (`.svm`) the same over its csr arrays (values, column indices, row offsets)
//! - `linfa DATA.npy L2 OUT.json` and `smartcore DATA.npy L2 OUT.json`: fit the peer
//!   library on the same data and objective; writes coefficients, intercept and fit seconds
//! - `linfa-multi …` and `smartcore-multi …` (same arguments): the multinomial fits of the peers
//!   (labels `0..K`); writes K × d coefficients, K intercepts and fit seconds
//! - `parse DATA.{svm,csv,npy,parquet}`: seconds and MB/s of reading a file into its matrix (best of 3),
//!   the matrix's bytes (`csr_bytes`: csr arrays or dense X), the process's resident memory
//!   before and its peak during the first read (json line)
//! - `in-cache N D [BACKEND]`: every backend's fused loss-and-gradient pass on one thread over
//!   `N × D` generated rows small enough to stay in cache (1000 × 100 fits a 1 MB l2), repeated:
//!   the pass's compute cost in nanoseconds a row, without the memory system (json lines)
//! - `pass-parts DATA.npy`: the reference backend's fused pass taken apart on 1 and 2 threads,
//!   each part against a read of X timed just before it: `X·w` alone, `X·w` then `Xᵀ·r` on each
//!   eight rows (no losses), and the whole pass (json lines): which part memory does not hide
//! - `softmax-kernels DATA.npy [BACKEND]`: the multinomial value-and-gradient pass (`X·W`, softmax, `Xᵀ·R`)
//!   of every backend on 1 and 2 threads, against the machine's streaming-read bandwidth and its
//!   measured fma throughput (json lines)
//!
//! every fit maps logreg's objective `mean logloss + l2/2·‖w‖²` (intercept unpenalised) onto the
//! peer's own: both linfa-logistic and smartcore minimise `Σ logloss + α/2·‖w‖²`, so `α = n·l2`
//! (for K classes `Σ −log p_{i,yᵢ} + α/2·‖W‖²_F` over all K classes: the same map).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use logreg::internals::BlockWorkspace;
use logreg::view::Selection;
use logreg::{BackendKind, Dataset, Design};
use serde_json::json;

fn main() -> Result<()> {
    logreg::simd::checked_level()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["kernels", data] => kernels(Path::new(data), None),
        ["kernels", data, only] => kernels(Path::new(data), Some(only)),
        ["linfa", data, l2, out] => linfa_fit(Path::new(data), l2.parse().context("l2")?, Path::new(out)),
        ["smartcore", data, l2, out] => {
            smartcore_fit(Path::new(data), l2.parse().context("l2")?, Path::new(out), false)
        }
        ["linfa-multi", data, l2, out] => linfa_multi(Path::new(data), l2.parse().context("l2")?, Path::new(out)),
        ["smartcore-multi", data, l2, out] => {
            smartcore_fit(Path::new(data), l2.parse().context("l2")?, Path::new(out), true)
        }
        ["softmax-kernels", data] => softmax_kernels(Path::new(data), None),
        ["softmax-kernels", data, only] => softmax_kernels(Path::new(data), Some(only)),
        ["pass-parts", data] => pass_parts(Path::new(data)),
        ["in-cache", n, d] => in_cache(n.parse().context("N")?, d.parse().context("D")?, None),
        ["in-cache", n, d, only] => in_cache(n.parse().context("N")?, d.parse().context("D")?, Some(only)),
        ["parse", data] => parse(Path::new(data)),
        _ => bail!(
            "usage: logreg-compare kernels DATA.npy [BACKEND] | in-cache N D [BACKEND] | parse DATA.{{svm,csv,npy,parquet}} | pass-parts DATA.npy | {{linfa,smartcore}}[-multi] DATA.npy L2 OUT.json | softmax-kernels DATA.npy [BACKEND]"
        ),
    }
}

fn load(path: &Path) -> Result<Dataset> {
    let loaded = match path.extension().and_then(|e| e.to_str()) {
        Some("svm") => logreg::io::read_libsvm(path, None, Some("1")),
        Some("csv") => logreg::io::read_csv(path, &Default::default()),
        Some("parquet") => logreg::io::parquet::read_parquet(path, &Default::default()),
        _ => logreg::io::read_npy(path, Some("1")),
    };
    Ok(loaded.with_context(|| format!("cannot read {}", path.display()))?.dataset)
}

/// data with labels `0..K` (K > 2), numbered in ascending order.
fn load_classes(path: &Path) -> Result<Dataset> {
    let loaded = logreg::io::read_npy(path, None).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(loaded.dataset)
}

/// the simd level the kernels run at (`LOGREG_SIMD` caps it; `avx512, rows avx2` where the
/// binary row kernels run narrower), as recorded with every figure.
fn simd() -> String {
    logreg::simd::describe()
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

/// how fast a data file becomes its matrix, and the peak memory of doing so against the matrix's size.
fn parse(path: &Path) -> Result<()> {
    let baseline = status_bytes("VmRSS:");
    let file_bytes = std::fs::metadata(path)?.len() as f64;
    let mut best = f64::INFINITY;
    let mut csr_bytes = 0.0;
    // the peak of the first read, in the fresh process (as the command line reads a file): later
    // reads find memory the allocator kept from the one before
    let mut peak = 0.0;
    for _ in 0..3 {
        let mut data = None;
        best = best.min(seconds(|| data = Some(load(path))));
        let data = data.expect("loaded")?;
        csr_bytes = match data.features() {
            Design::Sparse(x) => (x.nnz() * 12 + (x.n_rows() + 1) * 8) as f64,
            Design::Dense(x) => (x.n_rows() * x.n_cols() * 8) as f64,
        };
        if peak == 0.0 {
            peak = status_bytes("VmHWM:");
        }
    }
    println!(
        "{}",
        json!({"op": "parse", "file_bytes": file_bytes, "seconds": best, "mb_per_s": file_bytes / best / 1e6,
               "csr_bytes": csr_bytes, "peak_rss_bytes": peak, "baseline_rss_bytes": baseline,
               "threads": rayon::current_num_threads()})
    );
    Ok(())
}

/// a memory figure of this process from /proc/self/status (`VmRSS:` resident now, `VmHWM:` its
/// peak), in bytes; 0 where there is no such file.
fn status_bytes(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb * 1024.0)
}

/// a plain streaming read of the csr arrays, rows in parallel blocks: the sum of squares of the
/// values plus the sum of the column indices and row offsets.
fn read_csr(x: logreg::CsrRef<'_>) -> f64 {
    use rayon::prelude::*;
    let n = x.n_rows();
    (0..n.div_ceil(4096))
        .into_par_iter()
        .map(|b| {
            let rows = x.slice_rows(b * 4096..((b + 1) * 4096).min(n));
            let (start, end) = (rows.indptr()[0], rows.indptr()[rows.n_rows()]);
            let v = &rows.values()[start..end];
            let squares = logreg::internals::widest(
                #[inline(always)]
                || logreg::numerics::dot(v, v),
            );
            let indices: u64 = rows.indices()[start..end].iter().map(|&j| u64::from(j)).sum();
            let offsets: usize = rows.indptr().iter().sum();
            squares + indices as f64 + offsets as f64
        })
        .sum()
}

/// every repeat times the plain read and then each backend's pass back to back, so each
/// backend's fraction of the bandwidth is a ratio of neighbouring timings (the machine's
/// bandwidth drifts from second to second when it is shared); medians over the repeats.
fn kernels(path: &Path, only: Option<&str>) -> Result<()> {
    let ds = load(path)?;
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let bytes = match ds.features() {
        Design::Dense(_) => (n * d * 8) as f64,
        Design::Sparse(x) => (x.nnz() * 12 + (n + 1) * 8) as f64,
    };
    let read_all = || match ds.features() {
        Design::Dense(x) => read_sum(black_box(x.data())),
        Design::Sparse(x) => read_csr(black_box(x)),
    };
    let w: Vec<f64> = (0..d).map(|j| 0.01 * (j as f64).sin()).collect();
    let kinds: Vec<BackendKind> =
        BackendKind::ALL.iter().copied().filter(|k| only.is_none_or(|o| o == k.name())).collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        let mut workspaces: Vec<_> =
            kinds.iter().map(|_| (BlockWorkspace::new(ds.features(), n), vec![0.0; d])).collect();
        let (mut read, mut times, mut ratios) = (vec![], vec![vec![]; kinds.len()], vec![vec![]; kinds.len()]);
        for repeat in 0..12 {
            let r = seconds(|| {
                black_box(pool.install(read_all));
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
                json!({"op": op, "backend": backend, "threads": threads, "n": n, "d": d, "simd": simd(),
                       "sparse": ds.is_sparse(), "bytes": bytes,
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

/// the reference backend's fused pass taken apart: the two products over every row in blocks of
/// 4096 rows in parallel (the pass itself takes its own blocks), each part timed right after a
/// plain read of X; medians of 11 repeats (after one to warm up) of the time and of the read's
/// time over it.
fn pass_parts(path: &Path) -> Result<()> {
    use logreg::backend::reference;
    use logreg::{DenseRows, ReferenceBackend, Rows};
    use rayon::prelude::*;
    const BLOCK: usize = 4096;
    const GROUP: usize = 8;
    let ds = load(path)?;
    let Design::Dense(x) = ds.features() else { bail!("pass-parts takes dense rows (an npy file)") };
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let w: Vec<f64> = (0..d).map(|j| 0.01 * (j as f64).sin()).collect();
    let rows = |r: std::ops::Range<usize>| Rows::Dense(DenseRows::new(x, Selection::Range(r)));
    let block = |b: usize| b * BLOCK..((b + 1) * BLOCK).min(n);
    let logits = || -> f64 {
        (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map_init(
                || vec![0.0; BLOCK],
                |z, b| {
                    let r = block(b);
                    let m = r.len();
                    reference::linear_predictor(&rows(r), &w, 0.1, &mut z[..m]);
                    z[0]
                },
            )
            .sum()
    };
    let products = || -> f64 {
        (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map_init(
                || (vec![0.0; GROUP], vec![0.0; d]),
                |(z, g), b| {
                    let r = block(b);
                    for from in r.clone().step_by(GROUP) {
                        let group = from..(from + GROUP).min(r.end);
                        let m = group.len();
                        reference::linear_predictor(&rows(group.clone()), &w, 0.1, &mut z[..m]);
                        z.iter_mut().for_each(|v| *v *= 1e-3);
                        reference::add_xt_times(&rows(group), &z[..m], g);
                    }
                    g[0]
                },
            )
            .sum()
    };
    let (mut ws, mut g) = (BlockWorkspace::new(ds.features(), n), vec![0.0; d]);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        let (mut read, mut times, mut ratios) = (vec![], vec![vec![]; 3], vec![vec![]; 3]);
        for repeat in 0..12 {
            for part in 0..3 {
                let r = seconds(|| {
                    black_box(pool.install(|| read_sum(black_box(x.data()))));
                });
                let t = seconds(|| match part {
                    0 => {
                        black_box(pool.install(logits));
                    }
                    1 => {
                        black_box(pool.install(products));
                    }
                    _ => {
                        black_box(pool.install(|| {
                            ws.loss_grad(&ReferenceBackend, ds.as_ref(), &Selection::Range(0..n), &w, 0.1, &mut g)
                        }));
                    }
                });
                if repeat > 0 {
                    read.push(r);
                    times[part].push(t);
                    ratios[part].push(r / t);
                }
            }
        }
        let line = |op: &str, s: f64, fraction: f64| {
            println!(
                "{}",
                json!({"op": op, "backend": "reference", "threads": threads, "n": n, "d": d, "simd": simd(),
                       "seconds": s, "fraction_of_read": fraction})
            );
        };
        line("read", median(read), 1.0);
        for (part, op) in ["logits", "logits_then_gradient", "loss_grad"].into_iter().enumerate() {
            line(op, median(times[part].clone()), median(ratios[part].clone()));
        }
    }
    Ok(())
}

/// the fused pass over `n × d` generated rows on one thread, repeated for about 0.2 s five times:
/// the best time a row, per backend.
fn in_cache(n: usize, d: usize, only: Option<&str>) -> Result<()> {
    let ds = logreg::synthetic::Synthetic { n_rows: n, n_cols: d, n_informative: d.div_ceil(2), ..Default::default() }
        .generate()?;
    let w: Vec<f64> = (0..d).map(|j| 0.01 * (j as f64).sin()).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    for kind in BackendKind::ALL.iter().copied().filter(|k| only.is_none_or(|o| o == k.name())) {
        let (mut ws, mut g) = (BlockWorkspace::new(ds.features(), n), vec![0.0; d]);
        let mut pass = || {
            black_box(ws.loss_grad(kind.backend(), ds.as_ref(), &Selection::Range(0..n), black_box(&w), 0.1, &mut g));
        };
        let once = pool.install(|| seconds(&mut pass)).max(1e-7);
        let reps = ((0.2 / once) as usize).clamp(1, 1_000_000);
        let best = (0..5)
            .map(|_| pool.install(|| seconds(|| (0..reps).for_each(|_| pass()))) / reps as f64)
            .fold(f64::INFINITY, f64::min);
        println!(
            "{}",
            json!({"op": "loss_grad_in_cache", "backend": kind.name(), "threads": 1, "n": n, "d": d, "simd": simd(),
                   "ns_per_row": best / n as f64 * 1e9})
        );
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

fn write_multi(out: &Path, coef: Vec<Vec<f64>>, intercepts: Vec<f64>, fit_seconds: f64) -> Result<()> {
    let body = json!({"coefficients": coef, "intercepts": intercepts, "fit_seconds": fit_seconds});
    std::fs::write(out, body.to_string()).with_context(|| format!("cannot write {}", out.display()))
}

fn linfa_multi(path: &Path, l2: f64, out: &Path) -> Result<()> {
    use linfa::prelude::*;
    let ds = load_classes(path)?;
    let (n, d) = (ds.n_rows(), ds.n_cols());
    let y: ndarray::Array1<usize> = ds.labels().iter().map(|&v| v as usize).collect();
    let x = ndarray::Array2::from_shape_vec((n, d), ds.into_features())?;
    let start = Instant::now();
    // linfa's default gradient tolerance; 1000 iterations as for two classes
    let fitted = linfa_logistic::MultiLogisticRegression::default()
        .alpha(n as f64 * l2)
        .max_iterations(1000)
        .fit(&linfa::Dataset::new(x, y))?;
    let seconds = start.elapsed().as_secs_f64();
    // classes are sorted: column c of the d × K parameters is class c
    let classes = fitted.classes().to_vec();
    anyhow::ensure!(classes.iter().enumerate().all(|(c, &v)| c == v), "linfa numbered the classes {classes:?}");
    let w = fitted.params();
    let coef = (0..classes.len()).map(|c| (0..d).map(|j| w[(j, c)]).collect()).collect();
    write_multi(out, coef, fitted.intercept().to_vec(), seconds)
}

/// smartcore's fit: one coefficient row for two classes (class 1 modelled), K rows otherwise.
fn smartcore_fit(path: &Path, l2: f64, out: &Path, multi: bool) -> Result<()> {
    use smartcore::linalg::basic::arrays::Array;
    use smartcore::linalg::basic::matrix::DenseMatrix;
    use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
    let ds = if multi { load_classes(path)? } else { load(path)? };
    let (n, d, k) = (ds.n_rows(), ds.n_cols(), ds.n_classes());
    let y: Vec<i32> = ds.labels().iter().map(|&v| v as i32).collect();
    let x = DenseMatrix::new(n, d, ds.into_features(), false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = Instant::now();
    let params = LogisticRegressionParameters::default().with_alpha(n as f64 * l2);
    let fitted = LogisticRegression::fit(&x, &y, params).map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    // classes are sorted: row c of the coefficients is class c (class 1 when there are two)
    let row = |c: usize| (0..d).map(|j| *fitted.coefficients().get((c, j))).collect::<Vec<f64>>();
    if multi {
        let intercepts = (0..k).map(|c| *fitted.intercept().get((c, 0))).collect();
        write_multi(out, (0..k).map(row).collect(), intercepts, seconds)
    } else {
        write_result(out, row(0), *fitted.intercept().get((0, 0)), seconds)
    }
}

/// flops per second of independent fused multiply-adds on `threads` threads, each thread in its
/// registers (the widest simd the cpu has): the machine's fma throughput.
fn fma_throughput(pool: &rayon::ThreadPool, threads: usize) -> f64 {
    use rayon::prelude::*;
    const LANES: usize = 8;
    const CHAINS: usize = 12;
    const ITERS: usize = 20_000_000;
    let run = |seed: f64| {
        logreg::internals::widest(
            #[inline(always)]
            || {
                let mut acc = [[seed; LANES]; CHAINS];
                let (m, c) = (black_box(0.999_999_9), black_box(1e-9));
                for _ in 0..ITERS {
                    for a in acc.iter_mut() {
                        for v in a.iter_mut() {
                            *v = v.mul_add(m, c);
                        }
                    }
                }
                acc.iter().flatten().sum::<f64>()
            },
        )
    };
    let flops = (2 * LANES * CHAINS * ITERS * threads) as f64;
    let times: Vec<f64> = (0..5)
        .map(|_| {
            seconds(|| {
                black_box(pool.install(|| (0..threads).into_par_iter().map(|t| run(t as f64)).sum::<f64>()));
            })
        })
        .collect();
    // interference on a shared machine only slows a run: the fastest is the capability
    flops / times.iter().copied().fold(f64::INFINITY, f64::min)
}

/// the multinomial pass (value and gradient, all rows) of each backend, timed back to back with
/// a plain read of X as in `kernels`; its lower bound is the larger of the read time and the
/// products' `4·n·d·K` flops at the measured fma throughput, and `fraction` is that bound over
/// the pass's time.
fn softmax_kernels(path: &Path, only: Option<&str>) -> Result<()> {
    use logreg::{ColumnStats, Penalty, SoftmaxObjective};
    let ds = load_classes(path)?;
    let (n, d, k) = (ds.n_rows(), ds.n_cols(), ds.n_classes());
    let bytes = (n * d * 8) as f64;
    let flops = 4.0 * (n * d * k) as f64;
    let stats = ColumnStats::of(ds.as_ref());
    let penalty = Penalty::new(1.0 / n as f64, 0.0)?;
    let theta: Vec<f64> = (0..k * (d + 1)).map(|j| 0.01 * (j as f64).sin()).collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        let fma = fma_throughput(&pool, threads);
        let kinds: Vec<BackendKind> =
            BackendKind::ALL.iter().copied().filter(|k| only.is_none_or(|o| o == k.name())).collect();
        let mut objectives: Vec<_> = kinds
            .iter()
            .map(|kind| {
                SoftmaxObjective::new(kind.backend(), ds.as_ref(), k, false, penalty, stats.standardizer.clone(), false)
            })
            .collect::<Result<_, _>>()?;
        let mut grad = vec![0.0; theta.len()];
        let (mut read, mut times, mut ratios) =
            (vec![], vec![vec![]; objectives.len()], vec![vec![]; objectives.len()]);
        for repeat in 0..16 {
            let r = seconds(|| {
                black_box(pool.install(|| read_sum(black_box(ds.dense_features().unwrap().data()))));
            });
            for (b, obj) in objectives.iter_mut().enumerate() {
                let t = seconds(|| {
                    black_box(pool.install(|| obj.smooth_value_grad(black_box(&theta), &mut grad)));
                });
                if repeat > 0 {
                    times[b].push(t);
                    ratios[b].push(r.max(flops / fma) / t);
                }
            }
            if repeat > 0 {
                read.push(r);
            }
        }
        let read = median(read);
        let binds = if read >= flops / fma { "read" } else { "fma" };
        println!(
            "{}",
            json!({"op": "read", "backend": "memory", "threads": threads, "n": n, "d": d, "k": k, "simd": simd(),
                   "seconds": read, "gbps": bytes / read / 1e9, "gflops": 0.0, "fraction": 1.0, "binds": binds})
        );
        println!(
            "{}",
            json!({"op": "fma", "backend": "registers", "threads": threads, "n": n, "d": d, "k": k, "simd": simd(),
                   "seconds": flops / fma, "gbps": 0.0, "gflops": fma / 1e9, "fraction": 1.0, "binds": binds})
        );
        for (b, kind) in kinds.iter().enumerate() {
            let t = median(times[b].clone());
            println!(
                "{}",
                json!({"op": "softmax_pass", "backend": kind.name(), "threads": threads, "n": n, "d": d, "k": k, "simd": simd(),
                       "seconds": t, "gbps": bytes / t / 1e9, "gflops": flops / t / 1e9,
                       "fraction": median(ratios[b].clone()), "binds": binds})
            );
        }
    }
    Ok(())
}
