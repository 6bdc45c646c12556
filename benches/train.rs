//! time to converge for every compiled-in backend × solver, on standardised
//! make_classification data with l2 = 1/n (scikit-learn's C = 1), 2 threads.
//!
//! `cargo bench -p logreg --bench train --all-features` (set `LOGREG_BENCH_FULL=1` for 1M rows).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use logreg::synthetic::MakeClassification;
use logreg::{BackendKind, Dataset, FitParams, LearningRate, SgdParams, Silent, Solver};

fn grid() -> Vec<(usize, usize)> {
    let mut g = vec![(10_000, 10), (100_000, 100)];
    if std::env::var_os("LOGREG_BENCH_FULL").is_some() {
        g.extend([(1_000_000, 20), (1_000_000, 100)]);
    }
    g
}

fn data(n: usize, d: usize) -> Dataset {
    let raw = MakeClassification {
        n_samples: n,
        n_features: d,
        n_informative: (d / 2).max(2),
        seed: 1,
        ..Default::default()
    }
    .generate()
    .expect("valid sizes");
    logreg::Standardizer::fit(&raw).transform(&raw)
}

fn train(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("thread pool");
    for (n, d) in grid() {
        let ds = data(n, d);
        let mut group = c.benchmark_group(format!("train/{n}x{d}/2t"));
        group.sample_size(10);
        group.throughput(Throughput::Bytes((n * d * 8) as u64));
        let mut solvers = vec![Solver::Newton, Solver::Lbfgs, Solver::Cd];
        if n <= 100_000 {
            solvers.push(Solver::Sgd); // 10 epochs: a fixed amount of work, not convergence
        }
        for &kind in BackendKind::ALL {
            for &solver in &solvers {
                let params = FitParams {
                    solver,
                    l2: 1.0 / n as f64,
                    sgd: SgdParams {
                        batch_size: Some(256),
                        max_epochs: 10,
                        learning_rate: LearningRate::InverseScaling { eta0: 0.5, power: 0.5 },
                        ..SgdParams::default()
                    },
                    ..FitParams::default()
                }
                .check()
                .expect("valid settings");
                group.bench_function(BenchmarkId::new(solver.name(), kind), |b| {
                    b.iter(|| pool.install(|| params.fit(kind.backend(), &ds, &mut Silent).expect("fit")))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, train);
criterion_main!(benches);
