//! choose the lasso penalty of the bundled breast-cancer data by 5-fold cross-validation of a
//! warm-started path, then refit on every row at the choice and list the features it keeps.
//!
//! `cargo run --release -p logreg --example choose_penalty`

use std::path::Path;

use logreg::io::{CsvOptions, read_csv};
use logreg::solve::{CvParams, Scoring, penalty_grid};
use logreg::{BackendKind, FitParams, Silent};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/breast_cancer.csv");
    let data = read_csv(&path, &CsvOptions { target: Some("diagnosis".into()), ..Default::default() })?.dataset;
    let backend = BackendKind::default().backend();
    // the penalty on standardised coefficients, as glmnet
    let base = FitParams { standardize: true, ..FitParams::default() };
    let params = base.clone().check()?;
    // lasso (l1 ratio 1): 30 penalties from the smallest that zeroes every coefficient down
    let top = params.lambda_max(backend, &data, 1.0)?;
    let grid = penalty_grid(top, 1e-3, 30, 1.0)?;
    let cv = CvParams { folds: 5, repeats: 1, seed: 0, scoring: Scoring::LogLoss };
    let result = params.cross_validate(backend, &data, &grid, &cv, &Silent)?;
    for (k, p) in grid.iter().enumerate() {
        let mark = if k == result.best {
            "  <- best"
        } else if k == result.one_se {
            "  <- 1-SE"
        } else {
            ""
        };
        println!("l1 {:10.4e}  held-out log-loss {:.4} ± {:.4}{mark}", p.l1(), result.mean[k], result.std_error[k]);
    }
    // the 1-SE rule: the sparsest model within one standard error of the best
    let chosen = grid[result.one_se];
    let model = FitParams { l1: chosen.l1(), l2: chosen.l2(), ..base }.check()?.fit(backend, &data, &mut Silent)?;
    let kept: Vec<&str> = model
        .feature_names
        .iter()
        .zip(&model.coefficients)
        .filter(|(_, w)| **w != 0.0)
        .map(|(n, _)| n.as_str())
        .collect();
    println!(
        "refitted at l1 {:.4e}: {} of {} features kept: {}",
        chosen.l1(),
        kept.len(),
        data.n_cols(),
        kept.join(", ")
    );
    Ok(())
}
