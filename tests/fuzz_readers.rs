//! the csv, libsvm, npy (with the label column, and features alone), npz and parquet readers on
//! mutated inputs: an error or a dataset, never a panic, a hang or an abort. 20,000 inputs per
//! reader in the suite (5,000 for the npy features alone and for parquet, each written to a
//! file; a quarter of the csv inputs also read from a file, mapped, as from the bytes);
//! `LOGREG_FUZZ_ITERATIONS=1000000 cargo test --release --test fuzz_readers` for the long run.

#[path = "common/mutate.rs"]
mod mutate;

use std::path::Path;

use logreg::io::csv::{read_csv, read_csv_from};
use logreg::io::libsvm::read_libsvm_from;
use logreg::io::npy::{read_npy_from, write_npy};
use logreg::io::{CsvOptions, LoadedData};
use logreg::synthetic::Synthetic;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// inputs per reader in the test suite.
const SUITE_ITERATIONS: usize = 20_000;

/// the first `lines` lines of every file in `dir` ending in one of `extensions`.
fn seed_files(dir: &str, extensions: &[&str], lines: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if extensions.iter().any(|e| p.to_string_lossy().ends_with(e)) {
            let text = std::fs::read(&p).unwrap();
            let mut cut = 0;
            for _ in 0..lines {
                match text[cut..].iter().position(|&b| b == b'\n') {
                    Some(i) => cut += i + 1,
                    None => {
                        cut = text.len();
                        break;
                    }
                }
            }
            out.push(text[..cut].to_vec());
        }
    }
    out
}

/// `true` when the reader returned a dataset whose values are all finite, `false` on an error.
fn accepted(result: logreg::Result<LoadedData>) -> bool {
    match result {
        Ok(loaded) => {
            let d = &loaded.dataset;
            let values = match d.features() {
                logreg::Design::Dense(x) => x.data(),
                logreg::Design::Sparse(x) => x.values(),
            };
            assert!(values.iter().all(|v| v.is_finite()), "a non-finite feature was accepted");
            let k = d.n_classes();
            assert_eq!(loaded.classes.len(), k, "one class value per label");
            assert!(d.labels().iter().all(|&y| y >= 0.0 && y < k as f64 && y.fract() == 0.0));
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

#[test]
fn csv_reader_survives_mutated_input() {
    let mut seeds = seed_files("data", &[".csv"], 12);
    seeds.extend(seed_files("tests/malformed", &[".csv"], 12));
    let options = [
        CsvOptions::default(),
        CsvOptions { target: Some("diagnosis".into()), ..CsvOptions::default() },
        CsvOptions { features: Some(vec!["x".into(), "mean_radius".into()]), ..CsvOptions::default() },
    ];
    // a quarter of the inputs also written out and read from the file (viewed in place): the
    // same dataset or the same error as from the bytes
    let dir = std::env::temp_dir().join(format!("logreg-fuzz-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fuzz.csv");
    let report = mutate::fuzz("csv", &seeds, mutate::iterations(SUITE_ITERATIONS), 1, |bytes| {
        let opts = &options[bytes.len() % options.len()];
        let read = read_csv_from(bytes, &file, opts);
        if bytes.len() % 4 == 0 {
            std::fs::write(&file, bytes).unwrap();
            match (&read, &read_csv(&file, opts)) {
                (Ok(a), Ok(b)) => {
                    let bits = |d: &logreg::Dataset| {
                        d.features().as_dense().unwrap().data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                    };
                    assert_eq!(bits(&a.dataset), bits(&b.dataset));
                    assert_eq!((a.dataset.labels(), &a.classes), (b.dataset.labels(), &b.classes));
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("from the bytes {:?}, from the file {:?}", a.as_ref().err(), b.as_ref().err()),
            }
        }
        accepted(read)
    });
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}

#[test]
fn libsvm_reader_survives_mutated_input() {
    let mut seeds = seed_files("tests/malformed", &[".svm"], 12);
    seeds.push(b"1 1:0.5 3:2\n0 2:1e-3 3:-1\n1 1:1 2:2 3:3\n0 qid:4 1:0.25\n".to_vec());
    seeds.push(b"+1 1:1 7:1 # comment\n-1 2:1\n".to_vec());
    let report = mutate::fuzz("libsvm", &seeds, mutate::iterations(SUITE_ITERATIONS), 2, |bytes| {
        let width = if bytes.len() % 2 == 0 { None } else { Some(5) };
        accepted(read_libsvm_from(bytes, Path::new("fuzz.svm"), width, None))
    });
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}

#[test]
fn npy_reader_survives_mutated_input() {
    let mut seeds = Vec::new();
    for (n, d) in [(5, 2), (3, 1), (1, 4)] {
        let data =
            Synthetic { n_rows: n, n_cols: d, n_informative: 1, seed: 3, ..Synthetic::default() }.generate().unwrap();
        let mut bytes = Vec::new();
        write_npy(&data, &mut bytes).unwrap();
        seeds.push(bytes);
    }
    let report = mutate::fuzz("npy", &seeds, mutate::iterations(SUITE_ITERATIONS), 3, |bytes| {
        accepted(read_npy_from(bytes, Path::new("fuzz.npy"), None))
    });
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}

/// features alone (mapped in place where the layout allows, else read) with a label file: each
/// mutated file is written out, since the mapped reader reads files, not bytes.
#[test]
fn npy_features_reader_survives_mutated_input() {
    let dir = std::env::temp_dir().join(format!("logreg-fuzz-npy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (features, labels) = (dir.join("fuzz.npy"), dir.join("labels.txt"));
    let mut seeds = Vec::new();
    for (n, d) in [(5, 2), (1, 4)] {
        let data =
            Synthetic { n_rows: n, n_cols: d, n_informative: 1, seed: 5, ..Synthetic::default() }.generate().unwrap();
        let mut bytes = Vec::new();
        logreg::io::npy::write_npy_features(&data, &mut bytes).unwrap();
        seeds.push(bytes);
    }
    // labels for 5 rows: a file of another row count is an error, not a panic
    std::fs::write(&labels, "0\n1\n1\n0\n1\n").unwrap();
    let report = mutate::fuzz("npy features", &seeds, mutate::iterations(SUITE_ITERATIONS / 4), 6, |bytes| {
        std::fs::write(&features, bytes).unwrap();
        let unlabelled = logreg::io::read_npy_unlabelled(&features);
        if let Ok(d) = &unlabelled {
            assert!(d.features().as_dense().unwrap().data().iter().all(|v| v.is_finite()));
        }
        accepted(logreg::io::read_npy_features(&features, &labels, None))
    });
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}

#[test]
fn npz_reader_survives_mutated_input() {
    let seeds: Vec<Vec<u8>> = ["tests/fixtures/small_stored.npz", "tests/fixtures/text_300x800.npz"]
        .iter()
        .map(|f| std::fs::read(Path::new(ROOT).join(f)).unwrap())
        .collect();
    let report = mutate::fuzz("npz", &seeds, mutate::iterations(SUITE_ITERATIONS), 4, |bytes| {
        match logreg::io::npz::parse_npz_csr(bytes, Path::new("fuzz.npz")) {
            Ok(x) => {
                assert!(x.view().values().iter().all(|v| v.is_finite()), "a non-finite value was accepted");
                true
            }
            Err(e) => {
                assert!(e.to_string().starts_with("fuzz.npz"), "{e}");
                false
            }
        }
    });
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}

/// parquet files (features, a text target, a text category column, nulls, two row groups)
/// mutated and read from a file, with the target and as features alone.
#[cfg(feature = "parquet")]
#[test]
fn parquet_reader_survives_mutated_input() {
    use logreg::io::parquet::{read_parquet, read_parquet_features, write_parquet};
    let dir = std::env::temp_dir().join(format!("logreg-fuzz-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fuzz.parquet");
    let mut seeds = Vec::new();
    for (n, d) in [(5, 2), (3, 1)] {
        let data =
            Synthetic { n_rows: n, n_cols: d, n_informative: 1, seed: 7, ..Synthetic::default() }.generate().unwrap();
        let mut bytes = Vec::new();
        write_parquet(&data, &["no".to_string(), "yes".to_string()], &mut bytes).unwrap();
        seeds.push(bytes);
    }
    seeds.push(std::fs::read(Path::new(ROOT).join("tests/fixtures/mixed.parquet")).unwrap());
    let options = [
        CsvOptions::default(),
        CsvOptions { target: Some("y".into()), missing: logreg::io::Missing::Drop, ..CsvOptions::default() },
    ];
    let report = mutate::fuzz("parquet", &seeds, mutate::iterations(SUITE_ITERATIONS / 4), 8, |bytes| {
        std::fs::write(&file, bytes).unwrap();
        let opts = &options[bytes.len() % options.len()];
        if let Ok((values, rows, names)) = read_parquet_features(&file, opts) {
            assert_eq!(values.len(), rows * names.len());
            assert!(values.iter().all(|v| v.is_finite()), "a non-finite feature was accepted");
        }
        accepted(read_parquet(&file, opts))
    });
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(report.accepted > 0 && report.rejected > 0, "{report:?}");
}
