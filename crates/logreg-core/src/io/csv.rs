//! csv with a header row, parsed straight into the dataset's f64 buffer.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// what to do with a row that has a missing value in a column the read uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Missing {
    /// an error naming the line and column (the default)
    #[default]
    Error,
    /// drop the row (R's `na.omit`); [`LoadedData::dropped_rows`] counts them
    Drop,
}

/// the texts read as missing by default: `NA`, `NaN`, the empty field and `?`.
pub const DEFAULT_NA_VALUES: [&str; 4] = ["NA", "NaN", "", "?"];

/// how to read a csv file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// target column (default: the last column)
    pub target: Option<String>,
    /// feature columns in order (default: every column but the target)
    pub features: Option<Vec<String>>,
    /// class value modelled as 1 (default: the larger of the two)
    pub positive: Option<String>,
    /// field delimiter
    pub delimiter: u8,
    /// rows with a missing value in a used column: an error, or dropped
    pub missing: Missing,
    /// the texts (after trimming) that mean a missing value
    pub na_values: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            target: None,
            features: None,
            positive: None,
            delimiter: b',',
            missing: Missing::Error,
            na_values: DEFAULT_NA_VALUES.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// read the csv file at `path`.
pub fn read_csv(path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    let file = File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    read_csv_from(file, path, options)
}

/// read csv text from `reader`; `path` names it in errors.
pub fn read_csv_from<R: Read>(reader: R, path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    let table = read_table(reader, path, options, true)?;
    let (labels, target) = table.labels.expect("a labelled read collects labels");
    let (y, classes) = labels.finish(&target, options.positive.as_deref()).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: Some(target.clone()),
        message: e.to_string(),
    })?;
    let dataset =
        Dataset::with_classes(table.values, table.names.len(), y, classes.len())?.with_feature_names(table.names)?;
    Ok(LoadedData { dataset, target, classes, dropped_rows: table.dropped })
}

/// feature columns of a csv file without labels (for prediction): row-major values, row count
/// and the column names; `options.features` selects and orders the columns. every row is kept
/// (one prediction per input line): a missing value is an error whatever `options.missing` says.
pub fn read_csv_features<R: Read>(
    reader: R,
    path: &Path,
    options: &CsvOptions,
) -> Result<(Vec<f64>, usize, Vec<String>)> {
    let options = CsvOptions { missing: Missing::Error, ..options.clone() };
    let table = read_table(reader, path, &options, false)?;
    let rows = table.values.len() / table.names.len();
    Ok((table.values, rows, table.names))
}

struct Table {
    values: Vec<f64>,
    names: Vec<String>,
    labels: Option<(LabelCollector, String)>,
    dropped: usize,
}

fn read_table<R: Read>(reader: R, path: &Path, options: &CsvOptions, labelled: bool) -> Result<Table> {
    let err = |line: Option<u64>, column: Option<String>, message: String| Error::Parse {
        path: path.into(),
        line,
        column,
        message,
    };
    let mut rdr = ::csv::ReaderBuilder::new().delimiter(options.delimiter).has_headers(true).from_reader(reader);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(err(Some(1), None, "empty file: expected a header row naming the columns".into()));
    }
    let find = |name: &str, role: &'static str| {
        header.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
            path: path.into(),
            column: name.into(),
            role,
            available: header.clone(),
        })
    };
    let target = if labelled {
        let name = options.target.clone().unwrap_or_else(|| header.last().cloned().unwrap_or_default());
        if header.iter().filter(|h| **h == name).count() > 1 {
            return Err(err(Some(1), Some(name), "duplicate column name".into()));
        }
        Some((find(&name, "--target")?, name))
    } else {
        None
    };
    let features: Vec<usize> = match &options.features {
        Some(names) => names.iter().map(|n| find(n, "--features")).collect::<Result<_>>()?,
        None => (0..header.len()).filter(|&j| Some(j) != target.as_ref().map(|t| t.0)).collect(),
    };
    if features.is_empty() {
        return Err(err(Some(1), None, "no feature columns: the file has only the target column".into()));
    }
    if let Some((t, name)) = &target
        && features.contains(t)
    {
        return Err(err(Some(1), Some(name.clone()), "the target column cannot also be a feature".into()));
    }
    for (k, &j) in features.iter().enumerate() {
        if header[j].is_empty() {
            return Err(err(Some(1), Some(format!("{}", j + 1)), "feature column has an empty name".into()));
        }
        if let Some(&dup) = features[..k].iter().find(|&&i| header[i] == header[j]) {
            return Err(err(
                Some(1),
                Some(header[j].clone()),
                format!("duplicate column name (columns {} and {})", dup + 1, j + 1),
            ));
        }
    }

    let mut values = Vec::new();
    let mut labels = LabelCollector::default();
    let mut record = ::csv::ByteRecord::new();
    let (mut rows, mut dropped) = (0usize, 0usize);
    let numeric_na = options.na_values.iter().any(|na| na.parse::<f64>().is_ok_and(f64::is_finite));
    let is_na = |field: &[u8]| {
        std::str::from_utf8(field).is_ok_and(|t| options.na_values.iter().any(|na| na.as_str() == t.trim()))
    };
    let missing = |line: Option<u64>, column: &str, field: &[u8]| {
        let shown = String::from_utf8_lossy(field).trim().to_string();
        let shown = if shown.is_empty() { "an empty value".to_string() } else { format!("`{shown}`") };
        err(
            line,
            Some(column.to_string()),
            format!("missing value ({shown}); --missing drop drops the rows that have one (R's na.omit)"),
        )
    };
    while rdr.read_byte_record(&mut record).map_err(|e| csv_error(path, e))? {
        let line = record.position().map(|p| p.line());
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue; // blank line
        }
        // the common row: every feature a finite number (which no missing-value text is, unless
        // one is written as a number: `numeric_na`) and the target present; parsed once, without
        // the missing-value scan
        let start = values.len();
        let plain = !numeric_na
            && !target.as_ref().is_some_and(|(t, _)| is_na(&record[*t]))
            && features.iter().all(|&j| parse_number(&record[j]).map(|v| values.push(v)).is_ok());
        if !plain {
            values.truncate(start);
            let used = features.iter().chain(target.as_ref().map(|t| &t.0));
            if let Some(&j) = used.clone().find(|&&j| is_na(&record[j])) {
                match options.missing {
                    Missing::Drop => {
                        dropped += 1;
                        continue;
                    }
                    Missing::Error => return Err(missing(line, &header[j], &record[j])),
                }
            }
            for &j in &features {
                values.push(parse_number(&record[j]).map_err(|found| {
                    err(line, Some(header[j].clone()), format!("expected a finite number, found {found}"))
                })?);
            }
        }
        if let Some((t, name)) = &target {
            let value = std::str::from_utf8(&record[*t])
                .map_err(|_| err(line, Some(name.clone()), "target is not valid UTF-8".into()))?;
            if value.trim().is_empty() {
                return Err(err(line, Some(name.clone()), "empty target value".into()));
            }
            labels.push(value);
        }
        rows += 1;
    }
    if rows == 0 {
        let why = if dropped > 0 { format!(" (all {dropped} had a missing value)") } else { String::new() };
        return Err(err(None, None, format!("the header has no data rows below it{why}")));
    }
    Ok(Table {
        values,
        names: features.iter().map(|&j| header[j].clone()).collect(),
        labels: target.map(|(_, name)| (labels, name)),
        dropped,
    })
}

/// a finite f64, or a description of what was found instead.
fn parse_number(field: &[u8]) -> std::result::Result<f64, String> {
    let text = std::str::from_utf8(field).map_err(|_| "bytes that are not UTF-8".to_string())?.trim();
    if text.is_empty() {
        return Err("an empty value".into());
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{text}`")),
    }
}

fn csv_error(path: &Path, e: ::csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        ::csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        ::csv::ErrorKind::Utf8 { .. } => "header is not valid UTF-8".into(),
        _ => e.to_string(),
    };
    match e.into_kind() {
        ::csv::ErrorKind::Io(source) => Error::Io { path: path.into(), source },
        _ => Error::Parse { path: path.into(), line, column: None, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<LoadedData> {
        read_csv_from(text.as_bytes(), Path::new("t.csv"), options)
    }

    #[test]
    fn reads_quoted_crlf_bom_and_ignores_unselected_text() {
        let text = "\u{feff}\"\",a,\"b\",y\r\nr1,1.5,2,yes\r\nr2,\"3\",-4e1,no\r\n";
        let d = read(
            text,
            &CsvOptions {
                features: Some(vec!["a".into(), "b".into()]),
                target: Some("y".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &[1.5, 2.0, 3.0, -40.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0]);
        assert_eq!(d.classes.positive(), "yes");
        assert_eq!(d.dataset.feature_names(), &["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn errors_name_line_and_column() {
        let o = CsvOptions::default();
        let e = read("a,b,y\n1,2,0\n3,NA,1\n", &o).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv, line 3, column b: missing value (`NA`); --missing drop drops the rows that have one (R's na.omit)"
        );
        let e = read("a,b,y\n1,,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 2, column b: missing value (an empty value)"), "{e}");
        let e = read("a,b,y\n1,x,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 2, column b: expected a finite number, found `x`"), "{e}");
        let e = read("a,b,y\n1,inf,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("found `inf`"), "{e}");
        let e = read("a,b,y\n1,2,0\n1,2\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("2 fields, the header has 3"), "{e}");
        let e = read("a,a,y\n1,2,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("column a: duplicate column name"), "{e}");
        let e = read("a,b,y\n", &o).unwrap_err().to_string();
        assert!(e.contains("no data rows"), "{e}");
        let drop = CsvOptions { missing: Missing::Drop, ..o.clone() };
        let e = read("a,b,y\nNA,1,0\n", &drop).unwrap_err().to_string();
        assert!(e.contains("no data rows below it (all 1 had a missing value)"), "{e}");
        let e = read("", &o).unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = read("a,y\n1,0\n2,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("at least two classes (at most 255), found 1: `0`"), "{e}");
        let e = read("a,y\n1,0\n", &CsvOptions { target: Some("z".into()), ..o.clone() }).unwrap_err().to_string();
        assert!(e.contains("no column named `z` (--target)"), "{e}");
        let (x, rows, names) = read_csv_features(
            "b,a\n1,2\n3,4\n".as_bytes(),
            Path::new("t.csv"),
            &CsvOptions { features: Some(vec!["a".into()]), ..o },
        )
        .unwrap();
        assert_eq!((x, rows, names), (vec![2.0, 4.0], 2, vec!["a".to_string()]));
    }

    #[test]
    fn missing_values_drop_rows_in_used_columns_only() {
        let text = "a,b,note,y\n1,2,,yes\n?,3,x,no\n4,NaN,x,yes\n5,6,x,\n7,8,x,no\n9, NA ,x,no\n";
        let o = CsvOptions {
            features: Some(vec!["a".into(), "b".into()]),
            target: Some("y".into()),
            missing: Missing::Drop,
            ..Default::default()
        };
        // the empty `note` of row 1 is not used; rows 2-4 and 6 miss a used value
        let d = read(text, &o).unwrap();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &[1.0, 2.0, 7.0, 8.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0]);
        assert_eq!(d.dropped_rows, 4);
        // other texts as missing: `?` is then an ordinary (bad) number
        let custom = CsvOptions { na_values: vec!["-".into()], ..o.clone() };
        let e = read("a,b,y\n1,-,0\n2,?,1\n", &custom).unwrap_err().to_string();
        assert!(e.contains("line 3, column b: expected a finite number, found `?`"), "{e}");
        // a number as the missing-value code (-999): rows holding it are dropped, not parsed
        let coded = CsvOptions { na_values: vec!["-999".into()], ..o.clone() };
        let d = read("a,b,y\n1,-999,0\n2,3,1\n-999,4,1\n5,6,0\n", &coded).unwrap();
        assert_eq!((d.dataset.dense_features().unwrap().data(), d.dropped_rows), (&[2.0, 3.0, 5.0, 6.0][..], 2));
        // prediction keeps every row: a missing value is an error whatever the setting
        let e = read_csv_features("a,b\n1,NA\n".as_bytes(), Path::new("t.csv"), &o).unwrap_err().to_string();
        assert!(e.contains("line 2, column b: missing value"), "{e}");
    }
}
