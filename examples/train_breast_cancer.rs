//! train on the bundled breast-cancer data: stratified split, standardise, minibatch sgd,
//! loss and accuracy every 10 epochs, then test metrics and a few predictions.
//!
//! `cargo run --release -p logreg --example train_breast_cancer -- [backend]`

use std::path::Path;

use logreg::io::{CsvOptions, read_csv};
use logreg::metrics::{ConfusionMatrix, log_loss, roc_auc};
use logreg::{BackendKind, LearningRate, Progress, SgdParams, Standardizer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend: BackendKind = match std::env::args().nth(1) {
        Some(name) => name.parse()?,
        None => BackendKind::default(),
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/breast_cancer.csv");
    let loaded = read_csv(&path, &CsvOptions { target: Some("diagnosis".into()), ..Default::default() })?;
    let (train, test) = loaded.dataset.split_stratified(0.25, 42)?;
    println!(
        "{}: {} rows × {} features, positive class `{}`; {} train / {} test; backend {backend}",
        path.display(),
        loaded.dataset.n_rows(),
        loaded.dataset.n_cols(),
        loaded.classes.positive(),
        train.n_rows(),
        test.n_rows()
    );

    let scaler = Standardizer::fit(&train);
    let (train_std, test_std) = (scaler.transform(&train), scaler.transform(&test));
    let params = SgdParams {
        batch_size: Some(32),
        max_epochs: 200,
        learning_rate: LearningRate::InverseScaling { eta0: 0.5, power: 0.25 },
        l2: 1e-3,
        seed: 7,
        ..SgdParams::default()
    }
    .check()?;
    let mut every_10 = |p: &Progress| {
        if p.epoch == 1 || p.epoch.is_multiple_of(10) {
            println!(
                "epoch {:>4}  objective {:.6}  log-loss {:.6}  accuracy {:.4}",
                p.epoch, p.objective, p.log_loss, p.accuracy
            );
        }
    };
    let model = params.fit(backend.backend(), &train_std, &mut every_10)?;
    let r = &model.report;
    println!(
        "{} on {}: {} epochs, objective {:.6}, gradient norm {:.2e}, {} ({:.3} s)",
        r.solver, r.backend, r.iterations, r.objective, r.gradient_norm, r.reason, r.fit_seconds
    );

    let z = model.decision_function(test_std.features())?;
    let pred = model.predict(test_std.features(), 0.5)?;
    let cm = ConfusionMatrix::new(test_std.labels(), &pred);
    println!(
        "test: accuracy {:.4}  log-loss {:.4}  roc auc {:.4}  confusion tp {} fp {} tn {} fn {}",
        cm.accuracy(),
        log_loss(test_std.labels(), &z),
        roc_auc(test_std.labels(), &z).unwrap_or(f64::NAN),
        cm.tp,
        cm.fp,
        cm.tn,
        cm.fn_
    );
    let proba = model.predict_proba(test_std.features())?;
    for (i, p) in proba.iter().take(5).enumerate() {
        let label = if *p >= 0.5 { loaded.classes.positive() } else { loaded.classes.negative() };
        println!("test row {i}: P({}) = {p:.4} → {label}", loaded.classes.positive());
    }
    let (b, w) = scaler.to_original(model.intercept, &model.coefficients);
    let top = w.iter().zip(train.feature_names()).max_by(|a, c| a.0.abs().total_cmp(&c.0.abs())).expect("features");
    println!("original scale: intercept {b:.4}, largest coefficient {} = {:.4}", top.1, top.0);
    Ok(())
}
