//! kernel throughput of every compiled-in backend: linear predictor, sigmoid, and the fused
//! loss-and-gradient pass, over an (n, d) grid, on 1 and 2 threads. throughput is the bytes of
//! X read, so criterion reports GB/s.
//!
//! `cargo bench --bench ops --all-features` (set `LOGREG_BENCH_FULL=1` for the 1M-row sizes;
//! `LOGREG_SIMD=avx2` or `scalar` to measure the narrower kernels; the level is in every name).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use logreg::decision_values;
use logreg::internals::BlockWorkspace;
use logreg::synthetic::Synthetic;
use logreg::view::Selection;
use logreg::{BackendKind, Dataset};

fn grid() -> Vec<(usize, usize)> {
    let mut g = vec![(10_000, 10), (100_000, 100)];
    if std::env::var_os("LOGREG_BENCH_FULL").is_some() {
        g.extend([(1_000_000, 20), (1_000_000, 100)]);
    }
    g
}

fn data(n: usize, d: usize) -> Dataset {
    Synthetic { n_rows: n, n_cols: d, n_informative: d / 2, seed: 1, ..Synthetic::default() }
        .generate()
        .expect("valid sizes")
}

/// sum of every value, read block-parallel: the bandwidth every kernel is measured against.
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

fn ops(c: &mut Criterion) {
    for (n, d) in grid() {
        let ds = data(n, d);
        let w: Vec<f64> = (0..d).map(|j| 0.01 * (j as f64).sin()).collect();
        let bytes = (n * d * 8) as u64;
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
            // the level, and the row kernels' where narrower (`avx512-rows-avx2`)
            let simd = logreg::simd::describe().replace(", ", "-").replace(' ', "-");
            let mut group = c.benchmark_group(format!("ops/{n}x{d}/{threads}t/{simd}"));
            group.throughput(Throughput::Bytes(bytes));
            group.sample_size(10);
            // the floor: a plain streaming read of X (8 accumulators per block, blocks in parallel)
            group.bench_function(BenchmarkId::new("read", "memory"), |b| {
                b.iter(|| pool.install(|| read_sum(black_box(ds.dense_features().unwrap().data()))))
            });
            for &kind in BackendKind::ALL {
                let backend = kind.backend();
                let mut z = vec![0.0; n];
                group.bench_function(BenchmarkId::new("dot", kind), |b| {
                    b.iter(|| pool.install(|| decision_values(backend, ds.features(), black_box(&w), 0.1, &mut z)))
                });
                let mut ws = BlockWorkspace::new(ds.features(), n);
                let mut g = vec![0.0; d];
                group.bench_function(BenchmarkId::new("loss_grad", kind), |b| {
                    b.iter(|| {
                        pool.install(|| {
                            ws.loss_grad(backend, ds.as_ref(), &Selection::Range(0..n), black_box(&w), 0.1, &mut g)
                        })
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, ops);
criterion_main!(benches);
