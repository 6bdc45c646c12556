//! end-to-end tests of the `logreg` binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use logreg::io::{CsvOptions, read_csv};
use logreg::{FitParams, ReferenceBackend, Silent};
use predicates::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(name: &str) -> String {
    root().join("data").join(name).display().to_string()
}

fn malformed(name: &str) -> String {
    root().join("tests/malformed").join(name).display().to_string()
}

fn logreg() -> Command {
    Command::cargo_bin("logreg").expect("binary builds")
}

#[test]
fn train_without_data_uses_the_bundled_set_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    logreg()
        .current_dir(dir.path())
        .args(["train", "--quiet"])
        .assert()
        .success()
        .stderr(predicate::str::contains("bundled breast-cancer data"))
        .stdout(predicate::str::contains("train: 569 rows"))
        .stdout(predicate::str::contains("converged: tolerance reached"))
        .stdout(predicate::str::contains("worst_concavity"));
}

#[test]
fn train_reports_test_metrics_and_writes_a_versioned_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    logreg()
        .args(["train", "-q", "--test-fraction", "0.25", "--seed", "3", "--standardize", "--l2", "1e-2"])
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("train: 427 rows"))
        .stdout(predicate::str::contains("test: 142 rows"))
        .stdout(predicate::str::contains("actual \\ predicted"));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["format"], "logreg-model");
    assert_eq!(m["format_version"], 3);
    assert_eq!(m["target"], "diagnosis");
    assert_eq!(m["positive_class"], "malignant");
    assert_eq!(m["features"].as_array().unwrap().len(), 30);
    assert_eq!(m["coefficients"].as_array().unwrap().len(), 30);
    assert!(m["standardization"]["mean"].is_array());
    assert_eq!(m["training"]["seed"], 3);
    assert_eq!(m["training"]["test_fraction"], 0.25);
    assert!(m["convergence"]["fit_seconds"].as_f64().unwrap() >= 0.0);
    assert!(!m["loss_history"].as_array().unwrap().is_empty());
    assert_eq!(m["data_fingerprint"]["rows"], 427);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&model).unwrap().permissions().mode() & 0o777, 0o644);
    }
}

/// train → predict → evaluate through the binary agrees with the library.
#[test]
fn round_trip_matches_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let preds = dir.path().join("p.csv");
    let bc = data("breast_cancer.csv");
    logreg().args(["train", "-q", "--l2", "1e-3", "--data", &bc]).arg("--model-out").arg(&model).assert().success();
    logreg().args(["predict", "--data", &bc]).arg("--model").arg(&model).arg("--output").arg(&preds).assert().success();

    let loaded = read_csv(bc.as_ref(), &CsvOptions::default()).unwrap();
    let lib = FitParams { l2: 1e-3, ..FitParams::default() }
        .check()
        .unwrap()
        .fit(&ReferenceBackend, &loaded.dataset, &mut Silent)
        .unwrap();
    let expected = lib.predict_proba(loaded.dataset.features()).unwrap();
    let text = std::fs::read_to_string(&preds).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("probability,label"));
    let mut correct = 0;
    for (line, (p, y)) in lines.zip(expected.iter().zip(loaded.dataset.labels())) {
        let (prob, label) = line.split_once(',').unwrap();
        let prob: f64 = prob.parse().unwrap();
        assert!((prob - p).abs() <= 1e-9, "{prob} vs {p}");
        assert_eq!(label, if prob >= 0.5 { "malignant" } else { "benign" });
        correct += usize::from((prob >= 0.5) == (*y == 1.0));
    }
    let accuracy = correct as f64 / 569.0;
    logreg()
        .args(["evaluate", "--data", &bc])
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("accuracy {accuracy:.4}")));
}

#[test]
fn summary_prints_the_statsmodels_table() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    logreg()
        .args(["train", "-q", "--l2", "0", "--data", &data("spector.csv")])
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    logreg()
        .arg("summary")
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("intercept     -13.021347     4.931324"))
        .stdout(predicate::str::contains("GPA             2.826113     1.262941"))
        .stdout(predicate::str::contains("P>|z|"));
}

#[test]
fn generate_then_train_in_both_formats_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [("g.csv", "csv"), ("g.svm", "libsvm")] {
        let out = dir.path().join(name);
        logreg()
            .args([
                "generate",
                "--samples",
                "300",
                "--features",
                "5",
                "--informative",
                "3",
                "--seed",
                "1",
                "--format",
                format,
            ])
            .arg("--output")
            .arg(&out)
            .assert()
            .success();
        let model = dir.path().join(format!("{name}.json"));
        logreg()
            .args(["train", "-q", "--l2", "1e-2"])
            .arg("--data")
            .arg(&out)
            .arg("--model-out")
            .arg(&model)
            .assert()
            .success()
            .stdout(predicate::str::contains("300 rows × 5 features"));
        for ext in ["png", "svg"] {
            let image = dir.path().join(format!("{name}.{ext}"));
            logreg()
                .arg("plot")
                .arg("--model")
                .arg(&model)
                .arg("--data")
                .arg(&out)
                .arg("--output")
                .arg(&image)
                .assert()
                .success();
            let bytes = std::fs::read(&image).unwrap();
            if ext == "png" {
                assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            } else {
                assert!(String::from_utf8_lossy(&bytes).contains("<svg"));
            }
        }
    }
    // sgd with a loss history, and the same seed gives the same file twice
    let g = dir.path().join("g.csv");
    let run = |m: &Path| {
        logreg()
            .args([
                "train",
                "-q",
                "--solver",
                "sgd",
                "--standardize",
                "--epochs",
                "20",
                "--seed",
                "5",
                "--threads",
                "2",
            ])
            .arg("--data")
            .arg(&g)
            .arg("--model-out")
            .arg(m)
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(m).unwrap()).unwrap();
        (v["coefficients"].clone(), v["loss_history"].as_array().unwrap().len())
    };
    let (a, n) = run(&dir.path().join("s1.json"));
    let (b, _) = run(&dir.path().join("s2.json"));
    assert_eq!(a, b);
    assert!(n >= 2);
}

#[test]
fn features_select_columns_and_ignore_unselected_text() {
    logreg()
        .args(["train", "-q", "--l2", "0.1", "--features", "a,b", "--target", "y", "--positive", "yes"])
        .args(["--data", &malformed("r_export.csv")])
        .assert()
        .success()
        .stdout(predicate::str::contains("positive class `yes`"));
}

/// every malformed input: a message naming file, line and column (or flag), and exit code 1.
#[test]
fn malformed_inputs_get_clear_errors() {
    let cases: &[(&str, &[&str])] = &[
        ("empty.csv", &["empty.csv", "empty file: expected a header row"]),
        ("header_only.csv", &["header_only.csv", "no data rows"]),
        ("ragged.csv", &["ragged.csv, line 3", "row has 2 fields, the header has 3"]),
        ("text_in_numeric.csv", &["line 2, column b: the column holds numbers and text (`abc`): --na-values abc"]),
        ("empty_value.csv", &["line 3, column b: missing value (an empty value); --missing drop"]),
        ("na_value.csv", &["line 3, column b: missing value (`NA`); --missing drop"]),
        ("nan_value.csv", &["line 2, column b: missing value (`NaN`); --missing drop"]),
        ("inf_value.csv", &["line 3, column b: expected a finite number, found `-inf`"]),
        ("duplicate_columns.csv", &["line 1, column a: duplicate column name (columns 1 and 2)"]),
        ("one_class.csv", &["column y", "target `y` must hold at least two classes (at most 255), found 1: `0`"]),
        ("decreasing_index.svm", &["decreasing_index.svm, line 2, column 3: indices must increase, found 1 after 2"]),
        ("negative_index.svm", &["line 1, column 2: expected a non-negative integer index, found `-1`"]),
        ("bad_value.svm", &["line 2, column 2: expected a finite number, found `x`"]),
        ("decoder_panic.parquet", &["decoder_panic.parquet: not a valid parquet file: its decoder failed"]),
    ];
    for (file, needles) in cases {
        let assert = logreg().args(["train", "-q", "--data", &malformed(file)]).assert().code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.starts_with("error: "), "{file}: {stderr}");
        for needle in *needles {
            assert!(stderr.contains(needle), "{file}: expected `{needle}` in: {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
    logreg()
        .args(["train", "--data", "/no/such/file.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/no/such/file.csv: cannot open"));
    let bc = data("breast_cancer.csv");
    logreg()
        .args(["train", "--data", &bc, "--features", "mean_radius,zz"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no column named `zz` (--features); the columns are: mean_radius"));
    logreg()
        .args(["train", "--data", &bc, "--target", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no column named `nope` (--target)"));
    logreg()
        .args(["train", "--data", &bc, "--positive", "maybe"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`maybe` is not a class of target `diagnosis`"));
    logreg()
        .args(["train", "--data", &bc, "--l2", "0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("separable").and(predicate::str::contains("add a penalty")));
}

/// invalid flag values are usage errors: exit 2, the flag named.
#[test]
fn invalid_flags_exit_with_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--l2", "-1"], "--l2"),
        (&["--l2", "nan"], "--l2"),
        (&["--l1", "-0.5"], "--l1"),
        (&["--batch-size", "0"], "--batch-size"),
        (&["--test-fraction", "1.5"], "--test-fraction"),
        (&["--test-fraction", "0"], "--test-fraction"),
        (&["--solver", "magic"], "expected one of auto, newton, lbfgs, newton-cg, cd, owl-qn, dual-cd, sgd, gd"),
        (&["--backend", "blas"], "unknown backend `blas`"),
        (&["--learning-rate", "0"], "--learning-rate"),
        (&["--epochs", "0"], "--epochs"),
        (&["--solver", "newton", "--l1", "0.1"], "use cd or owl-qn for l1 > 0"),
    ];
    for (args, needle) in cases {
        logreg().arg("train").args(*args).assert().code(2).stderr(predicate::str::contains(*needle));
    }
}

#[test]
fn a_failed_run_leaves_the_existing_model_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, "previous model").unwrap();
    logreg()
        .args(["train", "-q", "--data", &malformed("na_value.csv")])
        .arg("--model-out")
        .arg(&model)
        .assert()
        .code(1);
    logreg()
        .args(["train", "-q", "--l2", "0", "--data", &data("breast_cancer.csv")])
        .arg("--model-out")
        .arg(&model)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "previous model");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[test]
fn model_and_prediction_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    logreg()
        .args(["summary", "--model", &malformed("newer_model.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("model format version 99 is newer than this logreg"));
    logreg()
        .args(["summary", "--model", &malformed("garbage_model.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a logreg model (invalid JSON)"));
    let model = dir.path().join("m.json");
    logreg().args(["train", "-q", "--data", &data("spector.csv")]).arg("--model-out").arg(&model).assert().success();
    let partial = dir.path().join("partial.csv");
    std::fs::write(&partial, "GPA,PSI\n3.0,1\n").unwrap();
    logreg()
        .arg("predict")
        .arg("--model")
        .arg(&model)
        .arg("--data")
        .arg(&partial)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the model's feature `TUCE` is missing from the data"));
    // unlabelled data predicts fine, rows in input order, on standard output
    let unlabelled = dir.path().join("u.csv");
    std::fs::write(&unlabelled, "TUCE,PSI,GPA\n20,0,2.0\n25,1,3.9\n").unwrap();
    let out = logreg().arg("predict").arg("--model").arg(&model).arg("--data").arg(&unlabelled).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[1].ends_with(",0") && rows[2].ends_with(",1"), "{text}");
}

#[test]
fn npy_data_trains_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("g.npy");
    logreg()
        .args(["generate", "--samples", "400", "--features", "4", "--seed", "2", "--format", "npy"])
        .arg("--output")
        .arg(&npy)
        .assert()
        .success();
    let model = dir.path().join("m.json");
    logreg()
        .args(["train", "-q", "--test-fraction", "0.2"])
        .arg("--data")
        .arg(&npy)
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("400 rows × 4 features"));
    let out = logreg().arg("predict").arg("--model").arg(&model).arg("--data").arg(&npy).assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).lines().count(), 401);
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"\x93NUMPY garbage").unwrap();
    logreg()
        .args(["train", "-q"])
        .arg("--data")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.npy: not a .npy file"));
}

/// numpy users' `np.save("x.npy", X)`, `np.save("y.npy", y)`: features alone with `--labels`
/// give the model the combined file gives, and predict reads an array as wide as the model.
#[test]
fn npy_features_with_their_labels_train_like_the_combined_file() {
    let dir = tempfile::tempdir().unwrap();
    let combined = dir.path().join("g.npy");
    logreg()
        .args(["generate", "--samples", "400", "--features", "4", "--seed", "2", "--format", "npy", "--output"])
        .arg(&combined)
        .assert()
        .success();
    let loaded = logreg::io::read_npy(&combined, None).unwrap();
    let features = dir.path().join("x.npy");
    logreg::io::npy::write_npy_features(&loaded.dataset, std::fs::File::create(&features).unwrap()).unwrap();
    let labels = dir.path().join("y.txt");
    let text: String =
        loaded.dataset.labels().iter().map(|&y| format!("{}\n", loaded.classes.values[y as usize])).collect();
    std::fs::write(&labels, text).unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    logreg().args(["train", "-q", "--data"]).arg(&combined).arg("--model-out").arg(&a).assert().success();
    logreg()
        .args(["train", "-q", "--data"])
        .arg(&features)
        .arg("--labels")
        .arg(&labels)
        .arg("--model-out")
        .arg(&b)
        .assert()
        .success()
        .stdout(predicate::str::contains("400 rows × 4 features"));
    let coefficients = |path: &Path| {
        let model: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        (model["coefficients"].clone(), model["intercept"].clone())
    };
    assert_eq!(coefficients(&a), coefficients(&b));
    let predict = |data: &Path| {
        let out = logreg().arg("predict").arg("--model").arg(&b).arg("--data").arg(data).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    };
    let (from_features, from_combined) = (predict(&features), predict(&combined));
    assert_eq!(from_features.lines().count(), 401);
    assert_eq!(from_features, from_combined);
    logreg()
        .args(["train", "-q", "--data", &data("spector.csv"), "--labels"])
        .arg(&labels)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--labels applies to .npz and .npy data"));
}

/// more than two classes: train fits the multinomial model (anes96, statsmodels' published
/// coefficients), predict writes one probability column per class, evaluate and summary read it
/// back and plot draws its class regions; `--positive` says why it does not apply.
#[test]
fn multinomial_train_predict_evaluate_summary() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("anes.json");
    let anes = data("anes96.csv");
    logreg()
        .args(["train", "-q", "--data", &anes, "--target", "PID", "--l2", "0", "--model-out"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("7 classes (multinomial model, reference class `0`)"))
        .stdout(predicate::str::contains("macro precision"))
        .stdout(predicate::str::contains("converged: tolerance reached"));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["format_version"], 3);
    assert_eq!(m["multinomial"]["classes"].as_array().unwrap().len(), 7);
    // statsmodels MNLogit: PID=6 selfLR coefficient 2.070080 (se 0.143409)
    let w = m["multinomial"]["coefficients"][6][1].as_f64().unwrap();
    assert!((w - 2.070080).abs() < 1e-6, "{w}");
    let predicted = logreg().args(["predict", "--data", &anes, "--model"]).arg(&model).assert().success();
    let text = String::from_utf8_lossy(&predicted.get_output().stdout).to_string();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "p_0,p_1,p_2,p_3,p_4,p_5,p_6,label");
    let first: Vec<f64> = lines.next().unwrap().split(',').take(7).map(|v| v.parse().unwrap()).collect();
    assert!((first.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(text.lines().count(), 945);
    logreg()
        .args(["evaluate", "--data", &anes, "--model"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("944 rows  accuracy 0.3941"));
    logreg()
        .args(["summary", "--model"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("class `6` (log-odds against `0`)"))
        .stdout(predicate::str::contains("selfLR          2.070080     0.143409"));
    logreg()
        .args(["train", "-q", "--data", &anes, "--target", "PID", "--positive", "3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("7 classes").and(predicate::str::contains("no positive class")));
    // the label of a multinomial model is its most probable class: a threshold is an error
    for command in ["predict", "evaluate"] {
        logreg()
            .args([command, "--data", &anes, "--threshold", "0.3", "--model"])
            .arg(&model)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("--threshold applies to two-class models only"));
    }
    // the minibatch trainer fits K classes too
    logreg()
        .args(["train", "-q", "--data", &data("iris.csv"), "--target", "species", "--solver", "sgd"])
        .args(["--epochs", "300", "--learning-rate", "0.05"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 classes (multinomial model)"))
        .stdout(predicate::str::contains("convergence: sgd on"));
    // plot: the class regions of the two largest effects, every class in the legend
    let svg = dir.path().join("p.svg");
    logreg().args(["plot", "--data", &anes, "--output"]).arg(&svg).arg("--model").arg(&model).assert().success();
    let drawing = std::fs::read_to_string(&svg).unwrap();
    assert!(drawing.contains("class regions"), "the multinomial caption");
    assert!((0..7).all(|c| drawing.contains(&format!("\n{c}\n</text>"))), "a legend entry per class");
    // the version-1 binary model file of an earlier release still loads
    logreg()
        .args(["summary", "--model"])
        .arg(root().join("tests/fixtures/model_spector.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("positive class"));
}

#[test]
fn the_simd_level_can_be_capped_and_is_recorded() {
    logreg()
        .env("LOGREG_SIMD", "sse9")
        .args(["train", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("LOGREG_SIMD").and(predicate::str::contains("`sse9` is not a simd level")));
    // every level this cpu offers fits the bundled data to the same optimum (the kernels sum in
    // different orders and with or without fused multiply-adds: equal to rounding, not bits)
    let widest = logreg::simd::checked_level().expect("LOGREG_SIMD unset or valid in the test environment");
    let levels: Vec<&str> = match widest.name() {
        "avx512" => vec!["avx512", "avx2", "scalar"],
        "avx2" => vec!["avx2", "scalar"],
        _ => vec!["scalar"],
    };
    if widest.name() != "avx512" {
        logreg()
            .env("LOGREG_SIMD", "avx512")
            .args(["train", "-q"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("asks for avx512, but this cpu offers at most"));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut objectives = vec![];
    for level in levels {
        let model = dir.path().join(format!("{level}.json"));
        logreg()
            .env("LOGREG_SIMD", level)
            .args(["train", "-q", "--standardize", "--l2", "1e-3", "--tol", "1e-10", "--model-out"])
            .arg(&model)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("({level}")));
        let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        // the level, then where the row kernels run narrower (zen 4 and 5: `avx512, rows avx2`)
        let recorded = m["training"]["simd"].as_str().unwrap();
        assert!(recorded == level || recorded.starts_with(&format!("{level}, rows ")), "{recorded} at {level}");
        objectives.push(m["convergence"]["objective"].as_f64().unwrap());
    }
    for o in &objectives {
        assert!((o - objectives[0]).abs() <= 1e-12 * objectives[0].abs(), "objectives {objectives:?}");
    }
}

#[test]
fn generate_takes_the_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [("g.npy", &b"\x93NUMPY"[..]), ("g.svm", &b"-1 "[..]), ("g.csv", &b"x0,x1,"[..])] {
        let path = dir.path().join(name);
        logreg()
            .args(["generate", "--samples", "20", "--features", "3", "--seed", "4", "--output"])
            .arg(&path)
            .assert()
            .success();
        let bytes = std::fs::read(&path).unwrap();
        let head = &bytes[..starts.len()];
        assert!(head == starts || (name == "g.svm" && head == b"+1 "), "{name} starts with {head:?}");
    }
}

/// sparse libsvm data is trained without densifying (two hundred thousand columns would be
/// 1.6 gb per 1000 rows dense), with newton-cg and without intercept; `predict` and `evaluate`
/// read a narrower test file at the model's width, and `--n-features` below the data's is an
/// error naming the line.
#[test]
fn sparse_libsvm_data_trains_predicts_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = (dir.path().join("train.svm"), dir.path().join("test.svm"));
    let mut text = String::new();
    for i in 0..400u64 {
        let (a, b) = (1 + i % 50, 100_000 + i % 7);
        let y = if (i % 50) < 25 { "+1" } else { "-1" };
        text.push_str(&format!("{y} {a}:1 {b}:0.5\n"));
    }
    text.push_str("-1 200000:1\n");
    std::fs::write(&train, &text).unwrap();
    std::fs::write(&test, "+1 3:1\n-1 40:1 100002:0.5\n").unwrap();
    let model = dir.path().join("m.json");
    let out = logreg()
        .args(["train", "-q", "--no-intercept", "--solver", "newton-cg", "--data"])
        .arg(&train)
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    let report = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(report.contains("401 rows × 200000 features"), "{report}");
    assert!(report.contains("newton-cg") && report.contains("converged: tolerance reached"), "{report}");
    // positional names stored as their count, the mostly-zero coefficients as their non-zeros
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["positional_features"], 200_000);
    assert!(m.get("features").is_none() && m.get("coefficients").is_none(), "{m}");
    let indices = m["sparse_coefficients"]["indices"].as_array().unwrap();
    assert_eq!((indices.len(), &indices[0], &indices[57]), (58, &serde_json::json!(0), &serde_json::json!(199_999)));
    let predictions = logreg().args(["predict", "--model"]).arg(&model).arg("--data").arg(&test).assert().success();
    let lines: Vec<String> =
        String::from_utf8_lossy(&predictions.get_output().stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].ends_with(",1") && lines[2].ends_with(",-1"), "{lines:?}");
    logreg()
        .args(["evaluate", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&test)
        .assert()
        .success()
        .stdout(predicate::str::contains("accuracy 1.0000"));
    logreg()
        .args(["train", "-q", "--n-features", "150000", "--data"])
        .arg(&train)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 401: index 200000 exceeds the 150000 features expected"));
    // data wider than the model: an error that names the flag, or columns past the model's ignored
    let wide = dir.path().join("wide.svm");
    std::fs::write(&wide, "+1 3:1 250000:7\n-1 40:1\n").unwrap();
    logreg()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&wide)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "line 1: index 250000 exceeds the 200000 features expected (the model's width)",
        ))
        .stderr(predicate::str::contains("--n-features"));
    let predictions = logreg()
        .args(["predict", "--n-features", "300000", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&wide)
        .assert()
        .success()
        .stderr(predicate::str::contains("300000 columns read against 200000"));
    let lines: Vec<String> =
        String::from_utf8_lossy(&predictions.get_output().stdout).lines().map(str::to_string).collect();
    assert!(lines[1].ends_with(",1") && lines[2].ends_with(",-1"), "{lines:?}");
}

#[test]
fn generated_sparse_text_data_trains_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("text.svm");
    logreg()
        .args(["generate", "--sparse", "--samples", "3000", "--features", "20000", "--nnz-per-row", "30", "--output"])
        .arg(&data)
        .assert()
        .success()
        .stderr(predicate::str::contains("3000 rows × 20000 features (1000 informative,"));
    let model = dir.path().join("m.json");
    let out = logreg()
        .args(["train", "--no-intercept", "--l2", "1e-3", "--n-features", "20000", "--data"])
        .arg(&data)
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    let report = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(report.contains("3000 rows × 20000 features") && report.contains("dual-cd"), "{report}");
    let accuracy: f64 = report.split("accuracy ").nth(1).unwrap()[..6].parse().unwrap();
    assert!(accuracy > 0.8, "{report}");
    logreg()
        .args(["generate", "--sparse", "--samples", "10", "--features", "10", "--output"])
        .arg(dir.path().join("x.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--sparse data is written as libsvm"));
}

#[test]
fn scipy_npz_with_a_label_file_trains_like_its_libsvm_copy() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("tests/fixtures");
    let train = |args: &[&str], out: &Path| {
        logreg().args(["train", "-q", "--no-intercept"]).args(args).arg("--model-out").arg(out).assert().success();
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(out).unwrap()).unwrap()
    };
    let npz = fixtures.join("text_300x800.npz");
    let from_npz = train(
        &["--data", npz.to_str().unwrap(), "--labels", fixtures.join("text_300x800_labels.npy").to_str().unwrap()],
        &dir.path().join("npz.json"),
    );
    let svm = fixtures.join("text_300x800.svm");
    let from_svm = train(&["--data", svm.to_str().unwrap(), "--n-features", "800"], &dir.path().join("svm.json"));
    assert_eq!(from_npz["data_fingerprint"], from_svm["data_fingerprint"]);
    assert_eq!(from_npz["sparse_coefficients"], from_svm["sparse_coefficients"]);
    assert_eq!(from_npz["coefficients"], from_svm["coefficients"]);
    let predictions = |data: &Path| {
        let out =
            logreg().args(["predict", "--model"]).arg(dir.path().join("npz.json")).arg("--data").arg(data).assert();
        String::from_utf8_lossy(&out.success().get_output().stdout).to_string()
    };
    assert_eq!(predictions(&npz), predictions(&svm));
    logreg()
        .args(["train", "--data"])
        .arg(&npz)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--labels is required with .npz data"));
}

#[test]
fn missing_values_are_an_error_or_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("na.csv");
    let mut text = String::from("a,b,y\n");
    for i in 0..60 {
        let b = match i {
            7 => "NA".to_string(),
            11 => String::new(),
            13 => "-".to_string(),
            _ => format!("{}", (i * 7 % 11) as f64 / 3.0),
        };
        text.push_str(&format!("{},{b},{}\n", i % 5, u8::from(i % 3 == 0)));
    }
    std::fs::write(&data, &text).unwrap();
    // `-` makes the column hold numbers and text until --na-values names it
    logreg().args(["train", "--missing", "drop", "--data"]).arg(&data).assert().code(1).stderr(
        predicate::str::contains("line 15, column b: the column holds numbers and text (`-`): --na-values - reads"),
    );
    logreg()
        .args(["train", "--na-values", "NA,,-", "--data"])
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 9, column b: missing value (`NA`); --missing drop drops the rows"));
    let model = dir.path().join("m.json");
    let out = logreg()
        .args(["train", "--missing", "drop", "--na-values", "NA,,-", "--data"])
        .arg(&data)
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains("3 rows with a missing value dropped (--missing drop), 57 remain"));
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("57 rows × 2 features"));
    logreg()
        .args(["predict", "--missing", "drop", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--missing drop does not apply"));
}

#[test]
fn text_categories_train_predict_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("fair.json");
    logreg()
        .args(["train", "-q", "--target", "affair", "--categorical", "occupation_husb", "--l2", "0", "--data"])
        .arg(data("fair.csv"))
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(file["format_version"], 4);
    assert_eq!(file["categorical"][0]["levels"][0], "farming");
    let summary = logreg().args(["summary", "--model"]).arg(&model).assert().success();
    let text = String::from_utf8_lossy(&summary.get_output().stdout).to_string();
    let row = text.lines().find(|l| l.starts_with("occupation[T.managerial]")).expect(&text);
    assert!(row.contains(" 0.66395") && row.contains(" 0.11913"), "{row}");
    // new data: columns in another order, an unseen level on the second row
    let new = dir.path().join("new.csv");
    let columns = "educ,religious,children,yrs_married,age,rate_marriage,occupation_husb,occupation";
    std::fs::write(
        &new,
        format!("{columns}\n14,2,1,6,32,4,3,farming\n14,2,1,6,32,4,3,astronaut\n14,2,1,6,32,4,3,farming\n"),
    )
    .unwrap();
    logreg()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&new)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "line 3, column occupation: level `astronaut` was not seen in training (levels: farming, managerial, professional, skilled, student, white-collar); --unknown-level ignore",
        ));
    let out = logreg()
        .args(["predict", "--unknown-level", "ignore", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&new)
        .assert()
        .success();
    let lines: Vec<String> = String::from_utf8_lossy(&out.get_output().stdout).lines().map(str::to_string).collect();
    // ignored: coded as the reference level, so the same prediction as the farming rows
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2], lines[1]);
    assert_eq!(lines[3], lines[1]);
    logreg()
        .args(["predict", "--categorical", "educ", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&new)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--categorical applies to train"));
    // a model without categories stays readable by version-3 readers
    let plain = dir.path().join("plain.json");
    logreg().args(["train", "-q", "--model-out"]).arg(&plain).assert().success();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plain).unwrap()).unwrap();
    assert_eq!(file["format_version"], 3);
}

#[test]
fn parquet_generates_trains_predicts_with_categories() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("g.parquet");
    logreg().args(["generate", "--samples", "3000", "--features", "4", "--output"]).arg(&data).assert().success();
    let model = dir.path().join("m.json");
    let out = logreg().args(["train", "--data"]).arg(&data).arg("--model-out").arg(&model).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("3000 rows × 4 features, target `y`"));
    let out = logreg().args(["predict", "--model"]).arg(&model).arg("--data").arg(&data).assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).lines().count(), 3001);
    // the same model from the same data as csv
    let csv = dir.path().join("g.csv");
    logreg().args(["generate", "--samples", "3000", "--features", "4", "--output"]).arg(&csv).assert().success();
    let csv_model = dir.path().join("c.json");
    logreg().args(["train", "-q", "--data"]).arg(&csv).arg("--model-out").arg(&csv_model).assert().success();
    let coefficients = |path: &std::path::Path| {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["coefficients"].clone()
    };
    assert_eq!(coefficients(&model), coefficients(&csv_model));
    logreg()
        .args(["train", "--data"])
        .arg(dir.path().join("m.json"))
        .args(["--format", "parquet"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a parquet file"));
}

#[test]
fn path_and_cross_validation() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("path.csv");
    let out = logreg()
        .args(["path", "--standardize", "--l1-ratio", "1", "--n-lambdas", "5", "--output"])
        .arg(&csv)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("5 penalties from"), "{text}");
    let written = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("lambda,l2,l1,objective,nonzero,log_loss,accuracy,iterations,intercept,mean_radius"));
    // the top of a lasso path has no non-zero coefficient
    assert_eq!(lines[1].split(',').nth(4), Some("0"));
    // without screening: the same points (objective and non-zeros to the printed digits)
    let plain = dir.path().join("plain.csv");
    logreg()
        .args(["path", "--quiet", "--standardize", "--l1-ratio", "1", "--n-lambdas", "5", "--no-screening", "--output"])
        .arg(&plain)
        .assert()
        .success();
    let columns = |text: &str| -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').skip(3).take(2).map(|v| v.chars().take(10).collect()).collect()).collect()
    };
    assert_eq!(columns(&std::fs::read_to_string(&plain).unwrap()), columns(&written));
    let model = dir.path().join("cv.json");
    let out = logreg()
        .args(["cv", "--standardize", "--n-lambdas", "6", "--folds", "3", "--choose", "1se", "--scoring", "roc-auc"])
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("chosen (1-se rule)") && text.contains("1-se"), "{text}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let cv = &file["cross_validation"];
    assert_eq!((cv["folds"].as_u64(), cv["scoring"].as_str()), (Some(3), Some("roc-auc")));
    assert_eq!(cv["chosen"], cv["one_se"]);
    let lambdas = cv["lambdas"].as_array().unwrap();
    let chosen = lambdas[cv["chosen"].as_u64().unwrap() as usize].as_f64().unwrap();
    assert_eq!(file["training"]["l2"].as_f64(), Some(chosen));
    logreg().args(["summary", "--model"]).arg(&model).assert().success();
    // the figures: the coefficient path and the cv curve, as svg and png
    let (svg, png) = (dir.path().join("path.svg"), dir.path().join("cv.png"));
    logreg().args(["path", "--quiet", "--l1-ratio", "1", "--n-lambdas", "5", "--plot"]).arg(&svg).assert().success();
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.starts_with("<svg") && drawn.contains("coefficient path") && drawn.contains("<polyline"));
    logreg().args(["cv", "--quiet", "--n-lambdas", "5", "--folds", "3", "--plot"]).arg(&png).assert().success();
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    logreg()
        .args(["cv", "--plot", "curve.pdf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("curve.pdf: a plot must end in .png or .svg"));
    logreg().args(["cv", "--l1-ratio", "2"]).assert().code(2);
    logreg()
        .args(["path", "--solver", "sgd"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a path needs an exact solver"));
}

/// ctrl-c during a cross-validation stops it: exit 130, and neither the model nor a temp file is
/// left in the folder.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_work_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("big.npy");
    logreg()
        .args(["generate", "--samples", "200000", "--features", "20", "--seed", "1", "--format", "npy", "--output"])
        .arg(&npy)
        .assert()
        .success();
    let model = dir.path().join("model.json");
    // 10 folds × 100 penalties at 200k rows: tens of seconds, far more than the wait below
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("logreg"))
        .args(["cv", "--quiet", "--folds", "10", "--n-lambdas", "100", "--data"])
        .arg(&npy)
        .arg("--model-out")
        .arg(&model)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted (ctrl-c): no file was written"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("big.npy")]);
}

/// `logreg cv --fold-ids` on scikit-learn's folds and grid reproduces `LogisticRegressionCV`'s
/// per-fold held-out log-losses (1e-6 relative: both sides converge every point tightly) and its
/// choice (tests/fixtures/sklearn_cv.json, made by make_cv_fixture.py); a fold file that does not
/// fit the data is an error naming it.
#[test]
fn cv_on_given_folds_reproduces_scikit_learn() {
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/sklearn_cv.json")).unwrap()).unwrap();
    let lambdas: Vec<String> =
        fixture["l2"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap().to_string()).collect();
    let folds = root().join("tests/fixtures/iris_vv_folds.txt");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("cv.json");
    let base = |cmd: &mut Command| {
        cmd.args(["cv", "--quiet", "--target", "species", "--positive", "virginica", "--data"])
            .arg(data("iris_versicolor_virginica.csv"))
            .arg("--lambdas")
            .arg(lambdas.join(","));
    };
    let mut cmd = logreg();
    base(&mut cmd);
    cmd.arg("--fold-ids").arg(&folds).arg("--tol").arg("1e-10").arg("--model-out").arg(&model).assert().success();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let cv = &file["cross_validation"];
    let want = &fixture["scorings"]["log-loss"];
    assert_eq!(cv["best"], want["chosen"]);
    assert_eq!(cv["folds"].as_u64(), Some(5));
    let theirs = want["scores"].as_array().unwrap();
    for (f, (mine, theirs)) in cv["scores"].as_array().unwrap().iter().zip(theirs).enumerate() {
        for (k, (a, b)) in mine.as_array().unwrap().iter().zip(theirs.as_array().unwrap()).enumerate() {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-6 * b, "fold {f}, penalty {k}: {a} vs {b}");
        }
    }
    // a fold file of the wrong length, and one with a non-number
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "0\n1\n").unwrap();
    let mut cmd = logreg();
    base(&mut cmd);
    cmd.arg("--fold-ids").arg(&short).assert().code(1).stderr(predicate::str::contains("2 fold numbers for 100 rows"));
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "0\n1\nx\n").unwrap();
    let mut cmd = logreg();
    base(&mut cmd);
    cmd.arg("--fold-ids")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.txt, line 3: expected a fold number"));
    let mut cmd = logreg();
    base(&mut cmd);
    cmd.arg("--fold-ids").arg(&bad).args(["--folds", "3"]).assert().code(2);
    // -1: a row never held out (PredefinedSplit); comments and blank lines skipped
    let some = dir.path().join("some.txt");
    let ids = std::fs::read_to_string(&folds).unwrap();
    let edited: Vec<String> = ids
        .lines()
        .enumerate()
        .map(|(i, l)| if i < 10 { "-1 # always fitted".into() } else { l.to_string() })
        .collect();
    std::fs::write(&some, format!("# fold of each row\n\n{}\n", edited.join("\n"))).unwrap();
    let model = dir.path().join("some.json");
    let mut cmd = logreg();
    base(&mut cmd);
    cmd.arg("--fold-ids").arg(&some).arg("--model-out").arg(&model).assert().success();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(file["cross_validation"]["folds"].as_u64(), Some(5));
}

/// K classes: `path` writes per-class intercepts and coefficients, `cv` refits the multinomial
/// model at the chosen penalty and its file loads for `predict`.
#[test]
fn path_and_cross_validation_with_three_classes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("path.csv");
    let iris = data("iris.csv");
    logreg()
        .args(["path", "--quiet", "--standardize", "--l1-ratio", "1", "--n-lambdas", "4", "--target", "species"])
        .args(["--data", &iris, "--output"])
        .arg(&csv)
        .assert()
        .success();
    let written = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = written.lines().next().unwrap().split(',').collect();
    assert_eq!(header[8..11], ["intercept[setosa]", "intercept[versicolor]", "intercept[virginica]"]);
    assert_eq!(header[11], "sepal_length[setosa]");
    assert_eq!(header.len(), 8 + 3 + 3 * 4);
    // the top of a lasso path: every coefficient 0
    let first: Vec<f64> = written.lines().nth(1).unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    assert!(first[11..].iter().all(|&w| w == 0.0), "{first:?}");
    let model = dir.path().join("cv.json");
    let out = logreg()
        .args(["cv", "--quiet", "--standardize", "--n-lambdas", "6", "--folds", "3", "--target", "species"])
        .args(["--data", &iris, "--model-out"])
        .arg(&model)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("3 folds") && text.contains("chosen (best mean)") && text.contains("virginica"), "{text}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(file["multinomial"]["classes"].as_array().unwrap().len(), 3);
    assert_eq!(file["cross_validation"]["scores"].as_array().unwrap().len(), 3);
    logreg().args(["predict", "--data", &iris, "--model"]).arg(&model).assert().success();
}
