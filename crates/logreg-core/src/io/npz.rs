//! scipy's sparse `.npz` (`scipy.sparse.save_npz` of a csr matrix): a zip archive, stored or
//! deflated, zip64 or not, of the npy arrays `format` (`csr`), `shape`, `indptr`, `indices` and
//! `data`. the labels come from a separate file ([`read_label_file`]): save_npz holds none.

use std::io::Read;
use std::path::Path;

use super::{Classes, LabelCollector, LoadedData};
use crate::csr::CsrMatrix;
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// the csr matrix in the `.npz` file at `path`; rows with unsorted or repeated column indices
/// (allowed by scipy) are sorted and their repeats summed, as scipy's `sum_duplicates`.
pub fn read_npz_csr(path: &Path) -> Result<CsrMatrix> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.into(), source })?;
    parse_npz_csr(&bytes, path)
}

/// the csr matrix of `.npz` bytes; `path` names them in errors.
pub fn parse_npz_csr(bytes: &[u8], path: &Path) -> Result<CsrMatrix> {
    let err = |message: String| Error::Parse { path: path.into(), line: None, column: None, message };
    let archive = Zip::new(bytes).map_err(|m| err(format!("not a .npz (zip) file: {m}")))?;
    let member = |name: &str| -> Result<Vec<u8>> {
        archive.member(&format!("{name}.npy")).map_err(|m| err(format!("`{name}`: {m}")))
    };
    let format = member("format")?;
    let format = npy_values(&format, "format").map_err(err)?;
    match format {
        Values::Text(f) if f == "csr" => {}
        Values::Text(f) => {
            return Err(err(format!("a {f} matrix; logreg reads csr (convert with `.tocsr()` before save_npz)")));
        }
        _ => return Err(err("`format` is not a string".into())),
    }
    let integers = |name: &str| -> Result<Vec<i64>> {
        match npy_values(&member(name)?, name).map_err(err)? {
            Values::Integers(v) => Ok(v),
            _ => Err(err(format!("`{name}` is not an integer array"))),
        }
    };
    let shape = integers("shape")?;
    let [n_rows, n_cols] = shape[..] else {
        return Err(err(format!("`shape` has {} entries, expected 2", shape.len())));
    };
    let indptr = integers("indptr")?;
    let indices = integers("indices")?;
    let values = match npy_values(&member("data")?, "data").map_err(err)? {
        Values::Floats(v) => v,
        Values::Integers(v) => v.into_iter().map(|x| x as f64).collect(),
        Values::Text(_) => return Err(err("`data` holds text, expected numbers".into())),
    };
    if n_rows < 0 || n_cols < 0 || indptr.len() as i64 != n_rows + 1 {
        return Err(err(format!("shape ({n_rows}, {n_cols}) but {} row offsets", indptr.len())));
    }
    if indices.len() != values.len() {
        return Err(err(format!("{} column indices but {} values", indices.len(), values.len())));
    }
    if let Some(k) = indices.iter().position(|&j| !(0..n_cols).contains(&j)) {
        return Err(err(format!("column index {} (entry {k}) outside the shape's {n_cols} columns", indices[k])));
    }
    let ok_offsets = indptr.first() == Some(&0)
        && indptr.last() == Some(&(indices.len() as i64))
        && indptr.windows(2).all(|w| w[0] <= w[1]);
    if !ok_offsets {
        return Err(err("row offsets must rise from 0 to the number of values".into()));
    }
    let (indptr, indices, values) = canonical(&indptr, &indices, values);
    CsrMatrix::new(indptr, indices, values, n_cols as usize).map_err(|e| err(e.to_string()))
}

/// rows with strictly increasing column indices: each row sorted, repeats summed.
fn canonical(indptr: &[i64], indices: &[i64], values: Vec<f64>) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let sorted = indptr.windows(2).all(|w| indices[w[0] as usize..w[1] as usize].windows(2).all(|p| p[0] < p[1]));
    if sorted {
        return (indptr.iter().map(|&p| p as usize).collect(), indices.iter().map(|&j| j as u32).collect(), values);
    }
    let (mut out_ptr, mut out_idx, mut out_val) = (vec![0], Vec::with_capacity(indices.len()), Vec::new());
    out_val.reserve(values.len());
    let mut row: Vec<(i64, f64)> = Vec::new();
    for w in indptr.windows(2) {
        row.clear();
        row.extend((w[0] as usize..w[1] as usize).map(|k| (indices[k], values[k])));
        row.sort_by_key(|e| e.0);
        let start = out_idx.len();
        for &(j, v) in &row {
            if out_idx.len() > start && out_idx.last() == Some(&(j as u32)) {
                *out_val.last_mut().expect("a value per index") += v;
            } else {
                out_idx.push(j as u32);
                out_val.push(v);
            }
        }
        out_ptr.push(out_idx.len());
    }
    (out_ptr, out_idx, out_val)
}

/// the features in the `.npz` at `path` with labels from `labels` (see [`read_label_file`]);
/// `positive` names the label value modelled as 1 (default: the larger).
pub fn read_npz(path: &Path, labels: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let x = read_npz_csr(path)?;
    let (y, classes) = read_labels_for(labels, x.n_rows(), path, positive)?;
    let dataset = Dataset::sparse(x, y, classes.len())?.with_positional_names();
    Ok(LoadedData::labelled_positional(dataset, classes))
}

/// the labels in `labels` (see [`read_label_file`]) of the `n_rows` rows of the data at `path`,
/// as class indices; `positive` names the label value modelled as 1 (default: the larger).
pub(crate) fn read_labels_for(
    labels: &Path,
    n_rows: usize,
    path: &Path,
    positive: Option<&str>,
) -> Result<(Vec<f64>, Classes)> {
    let bytes = std::fs::read(labels).map_err(|source| Error::Io { path: labels.into(), source })?;
    let mut collector = LabelCollector::default();
    // numbers (one label a row, few distinct): each distinct value written out and compared once
    let numbers = if bytes.starts_with(b"\x93NUMPY") {
        let err = |message: String| Error::Parse { path: labels.into(), line: None, column: None, message };
        match npy_values(&bytes, "labels").map_err(err)? {
            Values::Floats(v) => Some(collector.push_numbers(&v)),
            Values::Integers(v) => Some(collector.push_distinct(&v, |&x| x as u64, |x| x.to_string())),
            Values::Text(_) => None,
        }
    } else {
        None
    };
    let count = match numbers {
        Some(count) => count,
        None => {
            let raw = label_values(bytes, labels)?;
            raw.iter().for_each(|v| collector.push(v));
            raw.len()
        }
    };
    if count != n_rows {
        return Err(Error::Parse {
            path: labels.into(),
            line: None,
            column: None,
            message: format!("{count} labels for the {n_rows} rows of {}", path.display()),
        });
    }
    collector.finish("label", positive).map_err(|e| Error::Parse {
        path: labels.into(),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

/// the labels in `path`: a 1-d `.npy` array (numbers or strings), else text with one label per
/// line (blank lines skipped).
pub fn read_label_file(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.into(), source })?;
    label_values(bytes, path)
}

/// [`read_label_file`] of the file's `bytes`.
fn label_values(bytes: Vec<u8>, path: &Path) -> Result<Vec<String>> {
    let err = |message: String| Error::Parse { path: path.into(), line: None, column: None, message };
    if bytes.starts_with(b"\x93NUMPY") {
        return Ok(match npy_values(&bytes, "labels").map_err(err)? {
            Values::Floats(v) => v.iter().map(|x| x.to_string()).collect(),
            Values::Integers(v) => v.iter().map(|x| x.to_string()).collect(),
            Values::Text(t) => vec![t],
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| err("labels: neither a .npy file nor utf-8 text".into()))?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// the values of a 1-d (or 0-d) npy array.
enum Values {
    Floats(Vec<f64>),
    Integers(Vec<i64>),
    Text(String),
}

/// the values of the npy array in `bytes`: float32/64, (unsigned) integers or bools, or a
/// 0-d string (`format`); an error message otherwise.
fn npy_values(bytes: &[u8], name: &str) -> std::result::Result<Values, String> {
    let npy = npyz::NpyFile::new(bytes).map_err(|e| format!("not a .npy array: {e}"))?;
    if npy.shape().len() > 1 {
        return Err(format!("`{name}` has shape {:?}, expected one dimension", npy.shape()));
    }
    let npyz::DType::Plain(ty) = npy.dtype() else {
        return Err(format!("`{name}` has a structured dtype"));
    };
    let bad = |e: std::io::Error| format!("`{name}`: {e}");
    let size = ty.size_field();
    Ok(match (ty.type_char(), size) {
        (npyz::TypeChar::Float, 8) => Values::Floats(npy.into_vec::<f64>().map_err(bad)?),
        (npyz::TypeChar::Float, 4) => {
            Values::Floats(npy.into_vec::<f32>().map_err(bad)?.into_iter().map(f64::from).collect())
        }
        (npyz::TypeChar::Int, 8) => Values::Integers(npy.into_vec::<i64>().map_err(bad)?),
        (npyz::TypeChar::Int, 4) => {
            Values::Integers(npy.into_vec::<i32>().map_err(bad)?.into_iter().map(i64::from).collect())
        }
        (npyz::TypeChar::Uint, 4) => {
            Values::Integers(npy.into_vec::<u32>().map_err(bad)?.into_iter().map(i64::from).collect())
        }
        (npyz::TypeChar::Uint, 1) | (npyz::TypeChar::Bool, 1) => {
            Values::Integers(npy.into_vec::<u8>().map_err(bad)?.into_iter().map(i64::from).collect())
        }
        (npyz::TypeChar::ByteStr, _) => {
            let v = npy.into_vec::<Vec<u8>>().map_err(bad)?;
            Values::Text(String::from_utf8_lossy(&v.concat()).into_owned())
        }
        (npyz::TypeChar::UnicodeStr, _) => Values::Text(npy.into_vec::<String>().map_err(bad)?.concat()),
        _ => return Err(format!("`{name}` has dtype '{}', expected numbers", ty)),
    })
}

/// a zip archive in memory: its central directory, members read by name.
struct Zip<'a> {
    bytes: &'a [u8],
    members: Vec<Member>,
}

/// a central directory entry.
struct Member {
    name: String,
    method: u16,
    crc: u32,
    packed: u64,
    size: u64,
    local: u64,
}

const END_OF_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const DIRECTORY_ENTRY: u32 = 0x0201_4b50;
const LOCAL_HEADER: u32 = 0x0403_4b50;

/// little-endian integers at offsets of a byte slice, `None` past its end.
fn le(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(width)?)?;
    Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

impl<'a> Zip<'a> {
    fn new(bytes: &'a [u8]) -> std::result::Result<Self, String> {
        let truncated = || "truncated".to_string();
        // the end-of-directory record: 22 bytes plus a comment of at most 65535
        let lowest = bytes.len().saturating_sub(22 + 65_535);
        let end = (lowest..=bytes.len().saturating_sub(22))
            .rev()
            .find(|&i| le(bytes, i, 4) == Some(u64::from(END_OF_DIRECTORY)))
            .ok_or("no end-of-directory record")?;
        let mut entries = le(bytes, end + 10, 2).ok_or_else(truncated)?;
        let mut offset = le(bytes, end + 16, 4).ok_or_else(truncated)?;
        if (entries == 0xFFFF || offset == 0xFFFF_FFFF) && end >= 20 {
            let locator = end - 20;
            if le(bytes, locator, 4) == Some(u64::from(ZIP64_LOCATOR)) {
                let at = le(bytes, locator + 8, 8).ok_or_else(truncated)? as usize;
                if le(bytes, at, 4) != Some(u64::from(ZIP64_END)) {
                    return Err("bad zip64 end-of-directory record".into());
                }
                entries = le(bytes, at + 32, 8).ok_or_else(truncated)?;
                offset = le(bytes, at + 48, 8).ok_or_else(truncated)?;
            }
        }
        let mut members = Vec::new();
        let mut at = usize::try_from(offset).map_err(|_| truncated())?;
        for _ in 0..entries.min(1 << 16) {
            if le(bytes, at, 4) != Some(u64::from(DIRECTORY_ENTRY)) {
                return Err("bad central directory entry".into());
            }
            let field = |off: usize, width: usize| le(bytes, at + off, width).ok_or_else(truncated);
            let method = field(10, 2)? as u16;
            let crc = field(16, 4)? as u32;
            let (mut packed, mut size) = (field(20, 4)?, field(24, 4)?);
            let (name_len, extra_len, comment_len) =
                (field(28, 2)? as usize, field(30, 2)? as usize, field(32, 2)? as usize);
            let mut local = field(42, 4)?;
            let name = bytes.get(at + 46..at + 46 + name_len).ok_or_else(truncated)?;
            // zip64 extra field: the sizes and offset that overflowed 32 bits, in this order
            let mut extra = at + 46 + name_len;
            let extra_end = extra + extra_len;
            while extra + 4 <= extra_end {
                let (id, len) =
                    (le(bytes, extra, 2).ok_or_else(truncated)?, le(bytes, extra + 2, 2).ok_or_else(truncated)?);
                if id == 1 {
                    let mut k = extra + 4;
                    for v in [&mut size, &mut packed, &mut local] {
                        if *v == 0xFFFF_FFFF {
                            *v = le(bytes, k, 8).ok_or_else(truncated)?;
                            k += 8;
                        }
                    }
                }
                extra += 4 + len as usize;
            }
            let name = String::from_utf8_lossy(name).into_owned();
            members.push(Member { name, method, crc, packed, size, local });
            at = extra_end + comment_len;
        }
        Ok(Zip { bytes, members })
    }

    /// the uncompressed bytes of member `name`.
    fn member(&self, name: &str) -> std::result::Result<Vec<u8>, String> {
        let m =
            self.members.iter().find(|m| m.name == name).ok_or_else(|| format!("no member {name} in the archive"))?;
        let (method, packed, size) = (m.method, m.packed, m.size);
        let truncated = || format!("{name} is truncated");
        let local = usize::try_from(m.local).map_err(|_| truncated())?;
        if le(self.bytes, local, 4) != Some(u64::from(LOCAL_HEADER)) {
            return Err(format!("bad local header of {name}"));
        }
        let skip = 30
            + le(self.bytes, local + 26, 2).ok_or_else(truncated)? as usize
            + le(self.bytes, local + 28, 2).ok_or_else(truncated)? as usize;
        let start = local + skip;
        let data = usize::try_from(packed).ok().and_then(|p| self.bytes.get(start..start.checked_add(p)?));
        let data = data.ok_or_else(truncated)?;
        // the declared size is a claim: reserve it fallibly, then read what is there
        let mut out = Vec::new();
        out.try_reserve_exact(usize::try_from(size).unwrap_or(usize::MAX).min(1 << 34))
            .map_err(|_| format!("{name}: declared size {size} does not fit in memory"))?;
        match method {
            0 => out.extend_from_slice(data),
            8 => {
                flate2::read::DeflateDecoder::new(data).read_to_end(&mut out).map_err(|e| format!("{name}: {e}"))?;
            }
            m => return Err(format!("{name}: compression method {m} (logreg reads stored and deflated members)")),
        }
        if out.len() as u64 != size {
            return Err(format!("{name}: {} bytes, the directory says {size}", out.len()));
        }
        let mut crc = flate2::Crc::new();
        crc.update(&out);
        if crc.sum() != m.crc {
            return Err(format!("{name}: checksum mismatch (a damaged file)"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// a zip of `members`, stored (method 0), without zip64.
    fn zip(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let (mut out, mut directory) = (Vec::new(), Vec::new());
        for (name, data) in members {
            let offset = out.len() as u32;
            let header = |sig: u32, central: bool| {
                let mut h = sig.to_le_bytes().to_vec();
                if central {
                    h.extend([20, 0]);
                }
                h.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                let mut crc = flate2::Crc::new();
                crc.update(data);
                h.extend(crc.sum().to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend([0, 0]);
                if central {
                    h.extend([0; 10]);
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(header(LOCAL_HEADER, false));
            out.extend(data);
            directory.extend(header(DIRECTORY_ENTRY, true));
        }
        let start = out.len() as u32;
        out.extend(&directory);
        out.extend(END_OF_DIRECTORY.to_le_bytes());
        out.extend([0, 0, 0, 0]);
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((directory.len() as u32).to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    fn npy<T: npyz::AutoSerialize + Clone>(values: &[T]) -> Vec<u8> {
        use npyz::WriterBuilder;
        let mut bytes = Vec::new();
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[values.len() as u64])
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        w.extend(values.iter().cloned()).unwrap();
        w.finish().unwrap();
        bytes
    }

    fn csr_npz(format: &str, indptr: &[i64], indices: &[i32], data: &[f64], shape: [i64; 2]) -> Vec<u8> {
        let format = {
            use npyz::WriterBuilder;
            let mut bytes = Vec::new();
            let mut w = npyz::WriteOptions::new()
                .dtype(npyz::DType::Plain("|S3".parse().unwrap()))
                .shape(&[])
                .writer(&mut bytes)
                .begin_nd()
                .unwrap();
            w.push(&format.as_bytes().to_vec()).unwrap();
            w.finish().unwrap();
            bytes
        };
        zip(&[
            ("format.npy", format),
            ("shape.npy", npy(&shape)),
            ("indptr.npy", npy(indptr)),
            ("indices.npy", npy(indices)),
            ("data.npy", npy(data)),
        ])
    }

    #[test]
    fn reads_csr_and_sorts_rows_as_scipy() {
        let bytes = csr_npz("csr", &[0, 2, 2, 5], &[3, 1, 0, 2, 0], &[1.0, 2.0, 3.0, 4.0, 5.0], [3, 4]);
        let x = parse_npz_csr(&bytes, Path::new("t.npz")).unwrap();
        assert_eq!((x.n_rows(), x.n_cols(), x.nnz()), (3, 4, 4));
        assert_eq!(x.to_dense(), [0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 8.0, 0.0, 4.0, 0.0]);
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let e = |bytes: &[u8]| parse_npz_csr(bytes, Path::new("t.npz")).unwrap_err().to_string();
        assert!(e(b"not a zip").contains("t.npz: not a .npz (zip) file"), "{}", e(b"not a zip"));
        let csc = csr_npz("csc", &[0, 1], &[0], &[1.0], [1, 1]);
        assert!(e(&csc).contains("a csc matrix; logreg reads csr"), "{}", e(&csc));
        let outside = csr_npz("csr", &[0, 1], &[5], &[1.0], [1, 2]);
        assert!(e(&outside).contains("column index 5"), "{}", e(&outside));
        let offsets = csr_npz("csr", &[0, 2], &[0], &[1.0], [1, 2]);
        assert!(e(&offsets).contains("row offsets"), "{}", e(&offsets));
        let nan = csr_npz("csr", &[0, 1], &[0], &[f64::NAN], [1, 2]);
        assert!(e(&nan).contains("t.npz"), "{}", e(&nan));
        let mut cut = csr_npz("csr", &[0, 1], &[0], &[1.0], [1, 2]);
        cut.truncate(cut.len() - 30);
        assert!(e(&cut).contains("t.npz"), "{}", e(&cut));
    }
}
