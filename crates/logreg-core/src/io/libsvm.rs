//! libsvm / svmlight text: `label [qid:q] index:value …` per line, increasing indices, read
//! straight into compressed sparse rows, lines parsed in parallel.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::{LabelCollector, LoadedData};
use crate::csr::CsrMatrix;
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// how a file numbers its columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IndexBase {
    /// 0-based when some index is 0, else 1-based (the libsvm convention; scikit-learn's
    /// `zero_based="auto"`)
    #[default]
    Auto,
    /// the first column is 0
    Zero,
    /// the first column is 1
    One,
}

/// read the libsvm file at `path`; `n_features` fixes the width (default: the largest index).
pub fn read_libsvm(path: &Path, n_features: Option<usize>, positive: Option<&str>) -> Result<LoadedData> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    read_libsvm_from(file, path, n_features, positive)
}

/// read libsvm text from `reader` (1-based unless an index is 0); `path` names it in errors.
pub fn read_libsvm_from<R: Read>(
    reader: R,
    path: &Path,
    n_features: Option<usize>,
    positive: Option<&str>,
) -> Result<LoadedData> {
    read_libsvm_with(reader, path, n_features, IndexBase::Auto, positive)
}

/// the widest data read: every column has a name, a coefficient and per-column statistics.
pub const MAX_COLUMNS: usize = 1 << 26;

/// bytes per parallel parse chunk (cut at line ends).
const CHUNK_BYTES: usize = 1 << 20;

/// one chunk's rows: labels (as text), row lengths, column indices as written, values, and the
/// number of lines it spans.
#[derive(Default)]
struct Chunk<'t> {
    labels: Vec<&'t str>,
    row_lengths: Vec<u32>,
    indices: Vec<u64>,
    values: Vec<f64>,
    lines: usize,
}

/// a parse error at a line of a chunk (counted from the chunk's start) and token.
struct ChunkError {
    line: usize,
    column: Option<usize>,
    message: String,
}

/// read libsvm text from `reader` with column numbering `base`; `path` names it in errors.
pub fn read_libsvm_with<R: Read>(
    mut reader: R,
    path: &Path,
    n_features: Option<usize>,
    base: IndexBase,
    positive: Option<&str>,
) -> Result<LoadedData> {
    let mut text = Vec::new();
    reader.read_to_end(&mut text).map_err(|source| Error::Io { path: path.into(), source })?;
    let text = std::str::from_utf8(&text).map_err(|e| {
        let line = text[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Parse { path: path.into(), line: Some(line as u64), column: None, message: "not utf-8 text".into() }
    })?;
    let chunks: Vec<&str> = split_lines(text, CHUNK_BYTES);
    let parsed: Vec<std::result::Result<Chunk<'_>, ChunkError>> = chunks.par_iter().map(|c| parse_chunk(c)).collect();
    // lines before each chunk, for error messages
    let mut first_line = 1;
    let mut lowest = u64::MAX;
    let mut highest = 0u64;
    let (mut nnz, mut rows) = (0usize, 0usize);
    for c in parsed.iter().flatten() {
        nnz += c.values.len();
        rows += c.row_lengths.len();
    }
    let mut indptr = Vec::with_capacity(rows + 1);
    indptr.push(0usize);
    let mut indices: Vec<u32> = Vec::with_capacity(nnz);
    let mut values: Vec<f64> = Vec::with_capacity(nnz);
    let mut labels = LabelCollector::default();
    let mut row_lines: Vec<(usize, usize)> = Vec::new(); // (row where a chunk starts, its first line)
    for r in parsed {
        let c = r.map_err(|e| Error::Parse {
            path: path.into(),
            line: Some((first_line + e.line) as u64),
            column: e.column.map(|k| k.to_string()),
            message: e.message,
        })?;
        row_lines.push((indptr.len() - 1, first_line));
        for l in &c.labels {
            labels.push(l);
        }
        for &len in &c.row_lengths {
            indptr.push(indptr[indptr.len() - 1] + len as usize);
        }
        for &j in &c.indices {
            lowest = lowest.min(j);
            highest = highest.max(j);
        }
        indices.extend(c.indices.iter().map(|&j| j as u32));
        values.extend_from_slice(&c.values);
        first_line += c.lines;
    }
    if indptr.len() == 1 {
        return Err(Error::Parse { path: path.into(), line: None, column: None, message: "no data rows".into() });
    }
    let zero_based = match base {
        IndexBase::Auto => lowest == 0,
        IndexBase::Zero => true,
        IndexBase::One => {
            if lowest == 0 {
                let (row, _) = find_row(&indptr, &indices, |j| j == 0);
                return Err(Error::Parse {
                    path: path.into(),
                    line: Some(line_of(&row_lines, text, row) as u64),
                    column: None,
                    message: "indices are 1-based, found 0".into(),
                });
            }
            false
        }
    };
    if !zero_based {
        indices.iter_mut().for_each(|j| *j -= 1);
    }
    let width = if indices.is_empty() { 0 } else { (highest + u64::from(zero_based)) as usize };
    if width > MAX_COLUMNS {
        let (row, _) = find_row(&indptr, &indices, |j| j as usize >= MAX_COLUMNS);
        return Err(Error::Parse {
            path: path.into(),
            line: Some(line_of(&row_lines, text, row) as u64),
            column: None,
            message: format!("index {highest} is beyond the widest supported data, {MAX_COLUMNS} columns"),
        });
    }
    let d = n_features.unwrap_or(width).max(1);
    if d > MAX_COLUMNS {
        return Err(Error::param("n_features", format!("at most {MAX_COLUMNS} columns are supported, got {d}")));
    }
    if width > d {
        let (row, j) = find_row(&indptr, &indices, |j| j as usize >= d);
        return Err(Error::Parse {
            path: path.into(),
            line: Some(line_of(&row_lines, text, row) as u64),
            column: None,
            message: format!("index {} exceeds the {d} features expected", u64::from(j) + u64::from(!zero_based)),
        });
    }
    let x = CsrMatrix::new(indptr, indices, values, d)?;
    let (y, classes) = labels.finish("label", positive).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: Some("label".into()),
        message: e.to_string(),
    })?;
    let names = (1..=d).map(|j| format!("f{j}")).collect();
    let dataset = Dataset::sparse(x, y, classes.len())?.with_feature_names(names)?;
    Ok(LoadedData { dataset, target: "label".into(), classes })
}

/// the first row holding a column index that `matches`, and that index (0-based).
fn find_row(indptr: &[usize], indices: &[u32], matches: impl Fn(u32) -> bool) -> (usize, u32) {
    let k = indices.iter().position(|&j| matches(j)).unwrap_or(0);
    (indptr.partition_point(|&p| p <= k) - 1, indices[k])
}

/// the 1-based line of data row `row`, counted from the first line of its chunk (blank and
/// comment lines included; only called for an error message).
fn line_of(row_lines: &[(usize, usize)], text: &str, row: usize) -> usize {
    let c = row_lines.partition_point(|&(r, _)| r <= row) - 1;
    let (mut data_row, first) = row_lines[c];
    let mut line = 1;
    for raw in text.split_terminator('\n') {
        if line >= first && !raw.split('#').next().unwrap_or("").trim().is_empty() {
            if data_row == row {
                return line;
            }
            data_row += 1;
        }
        line += 1;
    }
    line
}

/// `text` cut into pieces of about `bytes`, each ending at a line end.
fn split_lines(text: &str, bytes: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + bytes).min(text.len());
        while end < text.len() && text.as_bytes()[end - 1] != b'\n' {
            end += 1;
        }
        out.push(&text[start..end]);
        start = end;
    }
    out
}

/// parse the lines of `text`.
fn parse_chunk(text: &str) -> std::result::Result<Chunk<'_>, ChunkError> {
    let mut c = Chunk::default();
    for (line, raw) in text.split_terminator('\n').enumerate() {
        c.lines += 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let err = |column: Option<usize>, message: String| ChunkError { line, column, message };
        let mut tokens = content.split_ascii_whitespace();
        let label = tokens.next().expect("non-empty line has a token");
        if label.contains(':') {
            return Err(err(None, format!("expected a label first, found `{label}`")));
        }
        c.labels.push(label);
        let start = c.indices.len();
        let mut last: Option<u64> = None;
        for (k, token) in tokens.enumerate() {
            let column = Some(k + 2);
            let (idx, value) =
                token.split_once(':').ok_or_else(|| err(column, format!("expected `index:value`, found `{token}`")))?;
            if idx == "qid" {
                continue;
            }
            let idx: u64 = idx
                .parse()
                .map_err(|_| err(column, format!("expected a non-negative integer index, found `{idx}`")))?;
            if idx > u64::from(u32::MAX) {
                return Err(err(column, format!("index {idx} exceeds the largest supported, {}", u32::MAX)));
            }
            if let Some(l) = last.filter(|&l| idx <= l) {
                return Err(err(column, format!("indices must increase, found {idx} after {l}")));
            }
            let value: f64 = match value.parse() {
                Ok(v) if f64::is_finite(v) => v,
                _ => return Err(err(column, format!("expected a finite number, found `{value}`"))),
            };
            last = Some(idx);
            c.indices.push(idx);
            c.values.push(value);
        }
        c.row_lengths.push((c.indices.len() - start) as u32);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<LoadedData> {
        read_libsvm_from(text.as_bytes(), Path::new("t.svm"), None, None)
    }

    #[test]
    fn reads_sparse_rows_and_maps_labels() {
        let d = read("+1 1:0.5 3:2\n-1 qid:3 2:1 # comment\n\n+1 3:-1\n").unwrap();
        assert!(d.dataset.is_sparse());
        assert_eq!(d.dataset.to_dense().into_features(), &[0.5, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0, 1.0]);
        assert_eq!(d.classes.positive(), "1");
        assert_eq!(d.dataset.feature_names()[2], "f3");
    }

    #[test]
    fn errors_name_line_and_token() {
        let e = read("1 1:1\n0 2:1 1:3\n").unwrap_err().to_string();
        assert_eq!(e, "t.svm, line 2, column 3: indices must increase, found 1 after 2");
        let one = |t: &str| read_libsvm_with(t.as_bytes(), Path::new("t.svm"), None, IndexBase::One, None);
        let e = one("1 1:1\n0 0:1\n").unwrap_err().to_string();
        assert!(e.contains("line 2: indices are 1-based, found 0"), "{e}");
        let e = read("1 1:nan\n0 1:1\n").unwrap_err().to_string();
        assert!(e.contains("expected a finite number, found `nan`"), "{e}");
        let e = read("1 1:1 x\n").unwrap_err().to_string();
        assert!(e.contains("expected `index:value`, found `x`"), "{e}");
        let e = read("1 4294967296:1\n0 1:1\n").unwrap_err().to_string();
        assert!(e.contains("line 1, column 2: index 4294967296 exceeds"), "{e}");
        // a wide file is read sparse; beyond the supported width it is an error naming the line
        let wide = read("1 1:1 3000000:1\n0 1:1\n").unwrap();
        assert_eq!((wide.dataset.n_cols(), wide.dataset.features().nnz()), (3_000_000, 3));
        let e = read("1 1:1\n0 1:1 3000000000:1\n").unwrap_err().to_string();
        assert!(e.contains("line 2: index 3000000000 is beyond the widest supported data"), "{e}");
        let e = read_libsvm_from("1 1:1\n\n# c\n0 5:1\n".as_bytes(), Path::new("t.svm"), Some(4), None).unwrap_err();
        assert!(e.to_string().contains("line 4: index 5 exceeds the 4 features expected"), "{e}");
        let e = read("1 1:1\n1 2:1\n").unwrap_err().to_string();
        assert!(e.contains("at least two classes (at most 255), found 1"), "{e}");
    }

    #[test]
    fn zero_based_files_are_detected_and_chunks_keep_line_numbers() {
        let d = read("1 0:2 2:1\n0 1:1\n").unwrap();
        assert_eq!(d.dataset.to_dense().into_features(), &[2.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        // many chunks: the error's line counts every line before it
        let mut text = String::new();
        for i in 0..200_000 {
            text.push_str(&format!("{} 1:{} 7:0.25\n", i % 2, i));
        }
        text.push_str("1 3:x\n");
        let e = read(&text).unwrap_err().to_string();
        assert!(e.contains("line 200001, column 2: expected a finite number, found `x`"), "{e}");
        text.truncate(text.len() - "1 3:x\n".len());
        let d = read(&text).unwrap();
        assert_eq!((d.dataset.n_rows(), d.dataset.n_cols(), d.dataset.features().nnz()), (200_000, 7, 400_000));
    }
}
