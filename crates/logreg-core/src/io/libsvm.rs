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

/// bytes of text read and parsed at a time: the text held besides the growing csr arrays.
const WINDOW_BYTES: usize = 16 << 20;

/// one chunk's rows: labels (as text), row lengths, column indices as written, values, the
/// number of lines it spans, and where its lowest and highest indices are.
#[derive(Default)]
struct Chunk<'t> {
    labels: Vec<&'t str>,
    row_lengths: Vec<u32>,
    indices: Vec<u32>,
    values: Vec<f64>,
    lines: usize,
    /// the chunk's highest index and the line (from the chunk's start) where it first occurs
    highest: Option<(u32, usize)>,
    /// the line (from the chunk's start) of the first index 0
    first_zero: Option<usize>,
}

/// a parse error at a line of a chunk (counted from the chunk's start) and token.
struct ChunkError {
    line: usize,
    column: Option<usize>,
    message: String,
}

/// read libsvm text from `reader` with column numbering `base`; `path` names it in errors.
///
/// the text is read in windows of 16 MB, each parsed in parallel and appended to the csr
/// arrays, so that peak memory is the csr arrays plus one window.
pub fn read_libsvm_with<R: Read>(
    reader: R,
    path: &Path,
    n_features: Option<usize>,
    base: IndexBase,
    positive: Option<&str>,
) -> Result<LoadedData> {
    read_windows(reader, path, n_features, base, positive, WINDOW_BYTES)
}

/// [`read_libsvm_with`] in windows of `window` bytes.
fn read_windows<R: Read>(
    mut reader: R,
    path: &Path,
    n_features: Option<usize>,
    base: IndexBase,
    positive: Option<&str>,
    window: usize,
) -> Result<LoadedData> {
    let parse_error = |line: usize, column: Option<usize>, message: String| Error::Parse {
        path: path.into(),
        line: Some(line as u64),
        column: column.map(|k| k.to_string()),
        message,
    };
    let mut indptr = vec![0usize];
    let (mut indices, mut values): (Vec<u32>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut labels = LabelCollector::default();
    // lines before the window, the highest index and its line, the first index 0's line
    let mut first_line = 1;
    let mut highest: Option<(u32, usize)> = None;
    let mut first_zero: Option<usize> = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    // the file's size, when `path` is the file read: after the first window the csr arrays are
    // reserved for the whole file at that window's density, so they never grow by doubling (a
    // doubling copies and can leave twice the arrays resident); only a hint
    let mut size_hint = std::fs::metadata(path).ok().map(|m| m.len() as f64);
    let mut consumed = 0usize;
    while !eof {
        // fill the window; a line longer than it widens the window until the line ends
        let mut want = buf.len() + window;
        let cut = loop {
            let missing = (want - buf.len()) as u64;
            // exactly the window: left to itself the buffer would double past it
            buf.reserve_exact(missing as usize);
            let got = reader
                .by_ref()
                .take(missing)
                .read_to_end(&mut buf)
                .map_err(|source| Error::Io { path: path.into(), source })?;
            eof = (got as u64) < missing;
            match buf.iter().rposition(|&b| b == b'\n') {
                _ if eof => break buf.len(),
                Some(k) => break k + 1,
                None => want += window,
            }
        };
        let text = std::str::from_utf8(&buf[..cut]).map_err(|e| {
            let line = first_line + buf[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            parse_error(line, None, "not utf-8 text".into())
        })?;
        let chunks: Vec<&str> = split_lines(text, CHUNK_BYTES);
        let parsed: Vec<std::result::Result<Chunk<'_>, ChunkError>> =
            chunks.par_iter().map(|c| parse_chunk(c)).collect();
        for r in parsed {
            let c = r.map_err(|e| parse_error(first_line + e.line, e.column, e.message))?;
            c.labels.iter().for_each(|l| labels.push(l));
            for &len in &c.row_lengths {
                indptr.push(indptr[indptr.len() - 1] + len as usize);
            }
            indices.extend_from_slice(&c.indices);
            values.extend_from_slice(&c.values);
            if let Some((j, line)) = c.highest.filter(|&(j, _)| highest.is_none_or(|(h, _)| j > h)) {
                highest = Some((j, first_line + line));
            }
            first_zero = first_zero.or(c.first_zero.map(|line| first_line + line));
            first_line += c.lines;
        }
        consumed += cut;
        if let Some(size) = size_hint.take()
            && size > consumed as f64
        {
            let scale = 1.02 * size / consumed as f64;
            indices.reserve_exact((indices.len() as f64 * scale) as usize - indices.len());
            values.reserve_exact((values.len() as f64 * scale) as usize - values.len());
            indptr.reserve_exact((indptr.len() as f64 * scale) as usize - indptr.len());
        }
        buf.drain(..cut);
    }
    if indptr.len() == 1 {
        return Err(Error::Parse { path: path.into(), line: None, column: None, message: "no data rows".into() });
    }
    let zero_based = match (base, first_zero) {
        (IndexBase::Auto, zero) => zero.is_some(),
        (IndexBase::Zero, _) => true,
        (IndexBase::One, Some(line)) => return Err(parse_error(line, None, "indices are 1-based, found 0".into())),
        (IndexBase::One, None) => false,
    };
    if !zero_based {
        indices.iter_mut().for_each(|j| *j -= 1);
    }
    let (top, top_line) = highest.unwrap_or((0, 0));
    let width = if indices.is_empty() { 0 } else { top as usize + usize::from(zero_based) };
    if width > MAX_COLUMNS {
        return Err(parse_error(
            top_line,
            None,
            format!("index {top} is beyond the widest supported data, {MAX_COLUMNS} columns"),
        ));
    }
    let d = n_features.unwrap_or(width).max(1);
    if d > MAX_COLUMNS {
        return Err(Error::param("n_features", format!("at most {MAX_COLUMNS} columns are supported, got {d}")));
    }
    if width > d {
        return Err(parse_error(top_line, None, format!("index {top} exceeds the {d} features expected")));
    }
    let x = CsrMatrix::new(indptr, indices, values, d)?;
    let (y, classes) = labels.finish("label", positive).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: Some("label".into()),
        message: e.to_string(),
    })?;
    let dataset = Dataset::sparse(x, y, classes.len())?.with_positional_names();
    Ok(LoadedData::labelled_positional(dataset, classes))
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
            let idx = idx as u32;
            if idx == 0 && c.first_zero.is_none() {
                c.first_zero = Some(line);
            }
            if c.highest.is_none_or(|(h, _)| idx > h) {
                c.highest = Some((idx, line));
            }
            let value: f64 = match crate::io::decimal::parse_whole(value.as_bytes()) {
                Some(v) if f64::is_finite(v) => v,
                _ => return Err(err(column, format!("expected a finite number, found `{value}`"))),
            };
            last = Some(u64::from(idx));
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

    #[test]
    fn small_windows_read_the_same_data_and_lines() {
        let mut text = String::from("# a comment\n");
        for i in 0..300 {
            let long: String = (1..=40).map(|j| format!(" {}:{}", j * 3 + i % 2, j)).collect();
            text.push_str(&format!("{}{}\n", i % 2, if i % 7 == 0 { long } else { format!(" {}:1.5", i % 5 + 1) }));
        }
        let whole = read(&text).unwrap();
        for window in [16, 64, 1000] {
            let small = |t: &str| read_windows(t.as_bytes(), Path::new("t.svm"), None, IndexBase::Auto, None, window);
            assert_eq!(small(&text).unwrap(), whole, "window {window}");
            let bad = format!("{text}1 2:1 1:1\n");
            let e = small(&bad).unwrap_err().to_string();
            assert!(e.contains("line 302, column 3: indices must increase"), "window {window}: {e}");
            // the highest index, 121, first appears in row 7 (line 9)
            let one = read_windows(text.as_bytes(), Path::new("t.svm"), Some(50), IndexBase::One, None, window);
            let e = one.unwrap_err().to_string();
            assert!(e.contains("line 9: index 121 exceeds the 50 features"), "window {window}: {e}");
        }
    }
}
