//! libsvm / svmlight text: `label index:value …` per line, 1-based increasing indices, densified.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::{LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// read the libsvm file at `path`; `n_features` fixes the width (default: the largest index).
pub fn read_libsvm(path: &Path, n_features: Option<usize>, positive: Option<&str>) -> Result<LoadedData> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    read_libsvm_from(file, path, n_features, positive)
}

/// dense matrices up to this many cells (128 MB) and columns are built whatever their sparsity.
const MAX_DENSE_CELLS_UNCHECKED: usize = 1 << 24;
/// see [`MAX_DENSE_CELLS_UNCHECKED`] (each column also gets a name).
const MAX_COLUMNS_UNCHECKED: usize = 1 << 20;
/// beyond that, a file with fewer than one stored value per this many cells is refused.
const SPARSITY_LIMIT: usize = 1000;

/// read libsvm text from `reader`; `path` names it in errors.
pub fn read_libsvm_from<R: Read>(
    reader: R,
    path: &Path,
    n_features: Option<usize>,
    positive: Option<&str>,
) -> Result<LoadedData> {
    let err = |line: usize, column: Option<String>, message: String| Error::Parse {
        path: path.into(),
        line: Some(line as u64),
        column,
        message,
    };
    let mut labels = LabelCollector::default();
    let mut entries: Vec<(u32, f64)> = Vec::new();
    let mut row_ends = Vec::new();
    let mut width = 0usize;
    let mut text = String::new();
    let mut reader = BufReader::new(reader);
    let mut line_no = 0;
    loop {
        text.clear();
        let read = reader.read_line(&mut text).map_err(|source| Error::Io { path: path.into(), source })?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let content = text.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let mut tokens = content.split_ascii_whitespace();
        let label = tokens.next().expect("non-empty line has a token");
        if label.contains(':') {
            return Err(err(line_no, None, format!("expected a label first, found `{label}`")));
        }
        labels.push(label);
        let mut last = 0usize;
        for (k, token) in tokens.enumerate() {
            let column = || Some(format!("{}", k + 2));
            let (idx, value) = token
                .split_once(':')
                .ok_or_else(|| err(line_no, column(), format!("expected `index:value`, found `{token}`")))?;
            let idx: usize = idx
                .parse()
                .map_err(|_| err(line_no, column(), format!("expected a positive integer index, found `{idx}`")))?;
            if idx == 0 {
                return Err(err(line_no, column(), "indices are 1-based, found 0".into()));
            }
            if idx > u32::MAX as usize {
                return Err(err(line_no, column(), format!("index {idx} exceeds the largest supported, {}", u32::MAX)));
            }
            if idx <= last {
                return Err(err(line_no, column(), format!("indices must increase, found {idx} after {last}")));
            }
            if let Some(d) = n_features.filter(|&d| idx > d) {
                return Err(err(line_no, column(), format!("index {idx} exceeds the {d} features expected")));
            }
            let value: f64 = match value.parse() {
                Ok(v) if f64::is_finite(v) => v,
                _ => return Err(err(line_no, column(), format!("expected a finite number, found `{value}`"))),
            };
            last = idx;
            width = width.max(idx);
            entries.push((idx as u32 - 1, value));
        }
        row_ends.push(entries.len());
    }
    if row_ends.is_empty() {
        return Err(Error::Parse { path: path.into(), line: None, column: None, message: "no data rows".into() });
    }
    let d = n_features.unwrap_or(width).max(1);
    let n = row_ends.len();
    let too_large = || Error::Parse {
        path: path.into(),
        line: None,
        column: None,
        message: format!("{n} rows × {d} columns are too many to hold as a dense matrix on this machine"),
    };
    let cells = n.checked_mul(d).ok_or_else(too_large)?;
    // a very sparse file would be mostly zeros as a dense matrix: refuse before allocating
    // (a width far beyond the entries is a typo or a sparse dataset, not a dense one)
    let large = cells > MAX_DENSE_CELLS_UNCHECKED || d > MAX_COLUMNS_UNCHECKED;
    if large && cells / SPARSITY_LIMIT > entries.len() + n {
        return Err(Error::Parse {
            path: path.into(),
            line: None,
            column: None,
            message: format!(
                "{n} rows × {d} columns hold {} nonzero values: as a dense matrix that is {:.1} GB of mostly \
                 zeros; sparse training is not supported yet (pass --n-features if the width is wrong)",
                entries.len(),
                cells as f64 * 8e-9
            ),
        });
    }
    let mut x: Vec<f64> = Vec::new();
    x.try_reserve_exact(cells).map_err(|_| too_large())?;
    x.resize(cells, 0.0);
    let mut start = 0;
    for (i, &end) in row_ends.iter().enumerate() {
        for &(j, v) in &entries[start..end] {
            x[i * d + j as usize] = v;
        }
        start = end;
    }
    let (y, classes) = labels.finish("label", positive).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: Some("label".into()),
        message: e.to_string(),
    })?;
    let names = (1..=d).map(|j| format!("f{j}")).collect();
    let dataset = Dataset::with_classes(x, d, y, classes.len())?.with_feature_names(names)?;
    Ok(LoadedData { dataset, target: "label".into(), classes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<LoadedData> {
        read_libsvm_from(text.as_bytes(), Path::new("t.svm"), None, None)
    }

    #[test]
    fn densifies_and_maps_labels() {
        let d = read("+1 1:0.5 3:2\n-1 2:1 # comment\n\n+1 3:-1\n").unwrap();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &[0.5, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0, 1.0]);
        assert_eq!(d.classes.positive(), "1");
        assert_eq!(d.dataset.feature_names()[2], "f3");
    }

    #[test]
    fn errors_name_line_and_token() {
        let e = read("1 1:1\n0 2:1 1:3\n").unwrap_err().to_string();
        assert_eq!(e, "t.svm, line 2, column 3: indices must increase, found 1 after 2");
        let e = read("1 0:1\n").unwrap_err().to_string();
        assert!(e.contains("line 1, column 2: indices are 1-based"), "{e}");
        let e = read("1 1:nan\n0 1:1\n").unwrap_err().to_string();
        assert!(e.contains("expected a finite number, found `nan`"), "{e}");
        let e = read("1 1:1 x\n").unwrap_err().to_string();
        assert!(e.contains("expected `index:value`, found `x`"), "{e}");
        let e = read("1 4294967296:1\n0 1:1\n").unwrap_err().to_string();
        assert!(e.contains("line 1, column 2: index 4294967296 exceeds"), "{e}");
        let e = read("1 1:1 3000000000:1\n0 1:1\n").unwrap_err().to_string();
        assert!(e.contains("2 rows × 3000000000 columns hold 3 nonzero values") && e.contains("48.0 GB"), "{e}");
        let e = read("1 1:1\n1 2:1\n").unwrap_err().to_string();
        assert!(e.contains("at least two classes (at most 255), found 1"), "{e}");
    }
}
