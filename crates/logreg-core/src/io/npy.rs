//! numpy `.npy`: one 2-d float64 array in c order, `n × (d + 1)`, the last column the label.
//! a file in numpy's native layout (little-endian `<f8`, c order) on a little-endian unix
//! machine is mapped and its features viewed in place, rows `d + 1` values apart, with the labels
//! copied out; where it cannot be mapped, it is read straight into the dataset's buffer by all
//! threads at once, each reading its rows' bytes at their offset; other inputs value by value.
//!
//! or features alone, `n × d`, with the labels in a file of their own ([`read_npy_features`]):
//! in the native layout viewed in place too, the file mapped into memory, never copied.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::{Classes, LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// read the npy file at `path`; `positive` names the label value modelled as 1 (default: the larger).
pub fn read_npy(path: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    #[cfg(unix)]
    if let Some(data) = parallel::read(&file, path, positive)? {
        return Ok(data);
    }
    read_npy_from(file, path, positive)
}

/// read npy bytes from `reader`; `path` names it in errors.
pub fn read_npy_from<R: Read>(reader: R, path: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let err = |message: String| Error::Parse { path: path.into(), line: None, column: None, message };
    let npy = npyz::NpyFile::new(BufReader::new(reader)).map_err(|e| err(format!("not a .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    if shape.len() != 2 || shape[1] < 2 || shape[0] == 0 {
        return Err(err(format!("expected a 2-d array of rows × (features + label), found shape {shape:?}")));
    }
    if npy.order() != npyz::Order::C {
        return Err(err("expected c (row-major) order, found fortran order".into()));
    }
    let (n, width) = (shape[0] as usize, shape[1] as usize);
    let d = width - 1;
    let values = npy.data::<f64>().map_err(|e| err(format!("expected float64 values ('<f8'): {e}")))?;
    // the header's shape is a claim until the values arrive: reserve it fallibly
    let too_large = || err(format!("the header's shape {shape:?} is larger than this machine's memory"));
    let mut x: Vec<f64> = Vec::new();
    x.try_reserve_exact(n.checked_mul(d).ok_or_else(too_large)?).map_err(|_| too_large())?;
    let mut y: Vec<f64> = Vec::new();
    for (k, v) in values.enumerate() {
        let v = v.map_err(|e| err(format!("cannot read value {k}: {e}")))?;
        let (row, col) = (k / width, k % width);
        if !v.is_finite() {
            return Err(not_finite(path, row, col, v));
        }
        if col < d {
            x.push(v);
        } else {
            y.push(v);
        }
    }
    finish(x, d, &y, path, positive)
}

/// the features in the npy at `path` — a 2-d float64 array, rows × features, every column a
/// feature — with the labels in `labels` (a 1-d `.npy` or one label per line, as for `.npz`);
/// `positive` names the label value modelled as 1 (default: the larger). a file in numpy's
/// native layout (little-endian `<f8`, c order) on a little-endian unix machine is mapped and
/// its values viewed in place, checked finite by all threads ([`Dataset::is_mapped`]); other
/// inputs are read value by value.
pub fn read_npy_features(path: &Path, labels: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let mut classes = None;
    let dataset = features_with_labels(path, |n| {
        let (y, c) = super::npz::read_labels_for(labels, n, path, positive)?;
        let k = c.len();
        classes = Some(c);
        Ok((y, k))
    })?;
    Ok(LoadedData::labelled_positional(dataset, classes.expect("labels read")))
}

/// the features in the npy at `path` (rows × features, as [`read_npy_features`], mapped where
/// it maps them) for prediction: the dataset's labels are all 0, standing for unknown ones.
pub fn read_npy_unlabelled(path: &Path) -> Result<Dataset> {
    features_with_labels(path, |n| Ok((vec![0.0; n], 2)))
}

/// the shape of the array in the npy at `path`, from its header.
pub fn npy_shape(path: &Path) -> Result<Vec<u64>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    let npy = npyz::NpyFile::new(BufReader::new(file)).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: None,
        message: format!("not a .npy file: {e}"),
    })?;
    Ok(npy.shape().to_vec())
}

/// the dataset of the features in the npy at `path` and the labels (class indices) and number
/// of classes `labels(rows)` gives.
fn features_with_labels(path: &Path, labels: impl FnOnce(usize) -> Result<(Vec<f64>, usize)>) -> Result<Dataset> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    let mapped = native_layout(&file, path)?.and_then(|(offset, n, d)| {
        let values = crate::io::mapped::MappedValues::map(&file, usize::try_from(offset).ok()?, n.checked_mul(d)?)?;
        Some((values, n, d))
    });
    let dataset = match mapped {
        Some((values, n, d)) => {
            let (y, k) = labels(n)?;
            Dataset::mapped(values, d, d, y, k, path)?
        }
        None => {
            let (values, n, d) = read_all_values(file, path)?;
            if let Some(k) = values.iter().position(|v| !v.is_finite()) {
                return Err(not_finite(path, k / d, k % d, values[k]));
            }
            let (y, k) = labels(n)?;
            Dataset::with_classes_of_finite(values, d, y, k)?
        }
    };
    Ok(dataset.with_positional_names())
}

/// every value of the 2-d float64 array in the npy `reader` (`path` names it in errors), row by
/// row, with its shape.
fn read_all_values<R: Read>(reader: R, path: &Path) -> Result<(Vec<f64>, usize, usize)> {
    let err = |message: String| Error::Parse { path: path.into(), line: None, column: None, message };
    let npy = npyz::NpyFile::new(BufReader::new(reader)).map_err(|e| err(format!("not a .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    if shape.len() != 2 || shape[1] == 0 || shape[0] == 0 {
        return Err(err(format!("expected a 2-d array of rows × features, found shape {shape:?}")));
    }
    if npy.order() != npyz::Order::C {
        return Err(err("expected c (row-major) order, found fortran order".into()));
    }
    let (n, d) = (shape[0] as usize, shape[1] as usize);
    let too_large = || err(format!("the header's shape {shape:?} is larger than this machine's memory"));
    let mut x: Vec<f64> = Vec::new();
    x.try_reserve_exact(n.checked_mul(d).ok_or_else(too_large)?).map_err(|_| too_large())?;
    for (k, v) in npy.data::<f64>().map_err(|e| err(format!("expected float64 values ('<f8'): {e}")))?.enumerate() {
        x.push(v.map_err(|e| err(format!("cannot read value {k}: {e}")))?);
    }
    if x.len() != n * d {
        return Err(err(format!("{} values for the shape {shape:?}", x.len())));
    }
    Ok((x, n, d))
}

/// the data's byte offset, rows and columns of the npy `file` when it is in numpy's native
/// layout (little-endian `<f8`, c order, 2-d, every value present, a version 1–3 header); `None`
/// otherwise (read value by value then: that read says what is wrong, if anything).
fn native_layout(file: &std::fs::File, path: &Path) -> Result<Option<(u64, usize, usize)>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let io = |source| Error::Io { path: path.into(), source };
        let mut head = [0u8; 12];
        if file.read_exact_at(&mut head, 0).is_err() || &head[..6] != b"\x93NUMPY" {
            return Ok(None);
        }
        let offset = match head[6] {
            1 => 10 + u64::from(u16::from_le_bytes([head[8], head[9]])),
            2 | 3 => 12 + u64::from(u32::from_le_bytes([head[8], head[9], head[10], head[11]])),
            _ => return Ok(None),
        };
        let mut header = vec![0u8; offset as usize];
        file.read_exact_at(&mut header, 0).map_err(io)?;
        let Ok(npy) = npyz::NpyFile::new(&header[..]) else { return Ok(None) };
        let little_f8 = matches!(npy.dtype(), npyz::DType::Plain(t) if t.to_string() == "<f8");
        let shape = npy.shape().to_vec();
        if !little_f8 || npy.order() != npyz::Order::C || shape.len() != 2 || shape[1] == 0 || shape[0] == 0 {
            return Ok(None);
        }
        let (n, width) = (shape[0] as usize, shape[1] as usize);
        let len = file.metadata().map_err(io)?.len();
        if (len - offset.min(len)) / 8 != (n as u64).saturating_mul(width as u64) {
            return Ok(None); // truncated or padded
        }
        Ok(Some((offset, n, width)))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        Ok(None)
    }
}

/// the error for a value that is not a finite number.
fn not_finite(path: &Path, row: usize, column: usize, v: f64) -> Error {
    Error::InvalidValue {
        what: "features",
        row,
        column,
        reason: format!("{} in {} is not a finite number", v, path.display()),
    }
}

/// the dataset of features `x` (`d` columns) and label values `y`.
fn finish(x: Vec<f64>, d: usize, y: &[f64], path: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let (y, classes) = labels_of(y, path, positive)?;
    let dataset = Dataset::with_classes_of_finite(x, d, y, classes.len())?.with_positional_names();
    Ok(LoadedData::labelled_positional(dataset, classes))
}

/// the class indices and classes of label values `y` (finite), as a text column's would be.
fn labels_of(y: &[f64], path: &Path, positive: Option<&str>) -> Result<(Vec<f64>, Classes)> {
    let mut labels = LabelCollector::default();
    labels.push_numbers(y);
    labels.finish("label", positive).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

#[cfg(unix)]
mod parallel {
    //! native-layout files read at their offsets by all threads. (mapping the file and copying
    //! its rows from the mapping instead, tried 2026-11-24 on zen 3 at 1M × 100: 0.24–0.26
    //! against 0.22–0.25 s, and the mapped pages counted in the peak rss, twice x's size.)

    use std::fs::File;
    use std::os::unix::fs::FileExt;
    use std::path::Path;

    use rayon::prelude::*;

    use super::{finish, labels_of, native_layout, not_finite};
    use crate::dataset::Dataset;
    use crate::error::{Error, Result};
    use crate::io::LoadedData;
    use crate::io::mapped::MappedValues;

    /// bytes each thread reads at a time.
    const BLOCK_BYTES: usize = 4 << 20;

    /// the data, or `None` when the file is not `<f8` in c order with a version 1-3 header
    /// (read value by value then): mapped and viewed in place, or where it cannot be mapped
    /// read into memory.
    pub fn read(file: &File, path: &Path, positive: Option<&str>) -> Result<Option<LoadedData>> {
        let Some((offset, n, width)) = native_layout(file, path)? else { return Ok(None) };
        if width < 2 {
            return Ok(None); // the value-by-value read says what is wrong
        }
        match usize::try_from(offset).ok().and_then(|o| MappedValues::map(file, o, n.checked_mul(width)?)) {
            Some(values) => in_place(values, width - 1, path, positive).map(Some),
            None => copied(file, path, positive, (offset, n, width)).map(Some),
        }
    }

    /// the data of the native-layout file at `offset` of `n` rows of `width` values, read into
    /// memory by all threads.
    pub(super) fn copied(
        file: &File,
        path: &Path,
        positive: Option<&str>,
        (offset, n, width): (u64, usize, usize),
    ) -> Result<LoadedData> {
        let io = |source| Error::Io { path: path.into(), source };
        let d = width - 1;
        let shape = [n, width];
        let mut x: Vec<f64> = Vec::new();
        let too_large = || Error::Parse {
            path: path.into(),
            line: None,
            column: None,
            message: format!("the header's shape {shape:?} is larger than this machine's memory"),
        };
        x.try_reserve_exact(n.checked_mul(d).ok_or_else(too_large)?).map_err(|_| too_large())?;
        let mut y = vec![0.0; n];
        let rows_per_block = (BLOCK_BYTES / (width * 8)).max(1);
        // every block's outcome, so that the first bad value in file order is the one reported
        // written in place by the threads (the memory's first touch, so also its zeroing by the
        // kernel, is shared between them), not zeroed first
        crate::io::memory::advise_huge_pages(&mut x.spare_capacity_mut()[..n * d]);
        let outcomes: Vec<Result<()>> = x.spare_capacity_mut()[..n * d]
            .par_chunks_mut(rows_per_block * d)
            .zip(y.par_chunks_mut(rows_per_block))
            .enumerate()
            .map_init(Vec::new, |bytes: &mut Vec<u8>, (b, (xs, ys))| -> Result<()> {
                let first = b * rows_per_block;
                bytes.resize(ys.len() * width * 8, 0);
                file.read_exact_at(bytes, offset + (first * width * 8) as u64).map_err(io)?;
                for (i, ((row, label), raw)) in
                    xs.chunks_exact_mut(d).zip(ys.iter_mut()).zip(bytes.chunks_exact(width * 8)).enumerate()
                {
                    let value = |j: usize| f64::from_le_bytes(raw[j * 8..j * 8 + 8].try_into().expect("8 bytes"));
                    let mut finite = true;
                    for (j, v) in row.iter_mut().enumerate() {
                        let x = value(j);
                        v.write(x);
                        finite &= x.is_finite();
                    }
                    *label = value(d);
                    if !finite || !label.is_finite() {
                        let j = (0..=d).find(|&j| !value(j).is_finite()).expect("a value that is not finite");
                        return Err(not_finite(path, first + i, j, value(j)));
                    }
                }
                Ok(())
            })
            .collect();
        outcomes.into_iter().collect::<Result<()>>()?;
        // SAFETY: every block succeeded, so each of the first n·d values was written above
        unsafe { x.set_len(n * d) };
        finish(x, d, &y, path, positive)
    }

    /// the data of a mapped file of rows of `d` features and a label: the features viewed in
    /// place, the labels copied out.
    fn in_place(values: MappedValues, d: usize, path: &Path, positive: Option<&str>) -> Result<LoadedData> {
        let width = d + 1;
        let all = values.as_slice();
        // by all threads: their reads bring the file's pages in
        let y: Vec<f64> = all.par_chunks_exact(width).map(|row| row[d]).collect();
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            // the first value in file order that is not finite: a feature of a row up to i, or
            // row i's label
            let (row, col) = (0..=i)
                .find_map(|r| all[r * width..r * width + d].iter().position(|v| !v.is_finite()).map(|j| (r, j)))
                .unwrap_or((i, d));
            return Err(not_finite(path, row, col, all[row * width + col]));
        }
        let (y, classes) = labels_of(&y, path, positive)?;
        let dataset = Dataset::mapped(values, d, width, y, classes.len(), path)?.with_positional_names();
        Ok(LoadedData::labelled_positional(dataset, classes))
    }
}

/// write the features of `data` alone as npy (rows × features), as numpy's `np.save` of a
/// float64 matrix: read back with its labels by [`read_npy_features`].
pub fn write_npy_features<W: Write>(data: &Dataset, writer: W) -> std::io::Result<()> {
    write_rows(data, writer, false)
}

/// write `data` as npy (features, then the label — the class index — as the last column).
pub fn write_npy<W: Write>(data: &Dataset, writer: W) -> std::io::Result<()> {
    write_rows(data, writer, true)
}

/// write the rows of `data` as an npy matrix of float64: each row's features, then its label
/// when `with_label`.
fn write_rows<W: Write>(data: &Dataset, writer: W, with_label: bool) -> std::io::Result<()> {
    use npyz::WriterBuilder;
    let (n, d) = (data.n_rows() as u64, data.n_cols() as u64);
    let width = d + u64::from(with_label);
    let mut w =
        npyz::WriteOptions::new().default_dtype().shape(&[n, width]).writer(BufWriter::new(writer)).begin_nd()?;
    let x = data.features();
    let mut row = vec![0.0; data.n_cols()];
    for (i, &label) in data.labels().iter().enumerate() {
        x.row_into(i, &mut row);
        w.extend(row.iter().copied())?;
        if with_label {
            w.push(&label)?;
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_npy() {
        let d = Dataset::new(vec![1.0, -2.5, 3.0, 4.0, 0.0, 1e-300], 2, vec![1.0, 0.0, 1.0]).unwrap();
        let mut bytes = Vec::new();
        write_npy(&d, &mut bytes).unwrap();
        let back = read_npy_from(bytes.as_slice(), Path::new("t.npy"), None).unwrap();
        assert_eq!(back.dataset.dense_features().unwrap().data(), d.dense_features().unwrap().data());
        assert_eq!(back.dataset.labels(), d.labels());
        assert_eq!(back.classes.positive(), "1");
    }

    #[test]
    fn rejects_wrong_shapes_and_bad_values() {
        let e = read_npy_from(&b"not npy"[..], Path::new("t.npy"), None).unwrap_err().to_string();
        assert!(e.contains("t.npy") && e.contains("not a .npy file"), "{e}");
        let one = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, 0.0]).unwrap();
        let mut bytes = Vec::new();
        write_npy(&one, &mut bytes).unwrap();
        let e = read_npy_from(bytes.as_slice(), Path::new("t.npy"), None).unwrap_err().to_string();
        assert!(e.contains("two classes"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_mapped_or_read_in_parallel_blocks_as_value_by_value() {
        let dir = std::env::temp_dir().join(format!("logreg-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (n, d) = (3000, 7);
        let x: Vec<f64> = (0..n * d).map(|k| (k as f64 * 0.37).sin() * 1e3).collect();
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let path = dir.join("a.npy");
        let data = Dataset::new(x.clone(), d, y.clone()).unwrap();
        write_npy(&data, std::fs::File::create(&path).unwrap()).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let layout = native_layout(&file, &path).unwrap().expect("native layout");
        let mapped = parallel::read(&file, &path, None).unwrap().expect("native layout: mapped");
        let read = parallel::copied(&file, &path, None, layout).unwrap();
        let slow = read_npy_from(std::fs::File::open(&path).unwrap(), &path, None).unwrap();
        assert_eq!(mapped, slow);
        assert_eq!(read, slow);
        assert!(mapped.dataset.is_mapped() && !read.dataset.is_mapped());
        // the features in place, rows d + 1 apart, are the matrix; their hash the copy's
        let view = mapped.dataset.dense_features().unwrap();
        assert_eq!((view.row_stride(), view.as_slice().is_none()), (d + 1, true));
        assert_eq!(view.rows().flatten().copied().collect::<Vec<_>>(), x);
        assert_eq!(read.dataset.dense_features().unwrap().data(), &x[..]);
        assert_eq!(mapped.dataset.features_hash(), data.features_hash());
        assert_eq!(read.dataset.features_hash(), data.features_hash());
        assert_eq!(mapped.dataset.clone().into_features(), x);
        drop((mapped, read)); // the file is rewritten below: no mapping of it may be read then
        // the first value that is not finite, in file order, is the one reported: a feature
        // before a label, a label before a later feature
        let bytes = std::fs::read(&path).unwrap();
        let offset = bytes.len() - n * (d + 1) * 8;
        for (bad, (row, col)) in [
            (vec![(2900, 1, f64::INFINITY), (2500, 3, f64::NAN), (2600, d, f64::NAN)], (2500, 3)),
            (vec![(2900, 1, f64::INFINITY), (2400, d, f64::NAN)], (2400, d)),
            (vec![(2900, 1, f64::INFINITY), (2400, d - 1, f64::NAN), (2400, d, f64::NAN)], (2400, d - 1)),
        ] {
            let mut bytes = bytes.clone();
            for (row, col, v) in bad {
                let at = offset + (row * (d + 1) + col) * 8;
                bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
            }
            std::fs::write(&path, bytes).unwrap();
            let e = read_npy(&path, None).unwrap_err().to_string();
            assert!(e.contains(&format!("row {row}")) && e.contains(&format!("column {col}")), "{e}");
            let file = std::fs::File::open(&path).unwrap();
            let e = parallel::copied(&file, &path, None, layout).unwrap_err().to_string();
            assert!(e.contains(&format!("row {row}")) && e.contains(&format!("column {col}")), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// an npy file (version 1.0) of `n × d` values in `descr` (`<f8` or `>f8`), c order.
    fn raw_npy(path: &Path, descr: &str, n: usize, d: usize, values: &[f64]) {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({n}, {d}), }}");
        // magic, version, header length, dict, spaces and a newline to a multiple of 64 bytes
        let len = (10 + dict.len() + 1).next_multiple_of(64) - 10;
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(len as u16).to_le_bytes());
        bytes.extend_from_slice(dict.as_bytes());
        bytes.resize(10 + len - 1, b' ');
        bytes.push(b'\n');
        for v in values {
            bytes.extend_from_slice(&if descr == "<f8" { v.to_le_bytes() } else { v.to_be_bytes() });
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn features_alone_with_their_labels_are_mapped_or_read_the_same() {
        let dir = std::env::temp_dir().join(format!("logreg-npy-features-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (n, d) = (3000, 7);
        let x: Vec<f64> = (0..n * d).map(|k| (k as f64 * 0.37).sin() * 1e3).collect();
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let combined = dir.join("xy.npy");
        write_npy(&Dataset::new(x.clone(), d, y.clone()).unwrap(), std::fs::File::create(&combined).unwrap()).unwrap();
        let expected = read_npy(&combined, None).unwrap();
        let labels = dir.join("y.txt");
        std::fs::write(&labels, y.iter().map(|v| format!("{v}\n")).collect::<String>()).unwrap();
        for descr in ["<f8", ">f8"] {
            let path = dir.join("x.npy");
            raw_npy(&path, descr, n, d, &x);
            let got = read_npy_features(&path, &labels, None).unwrap();
            assert_eq!(got, expected, "{descr}");
            // the hash taken while a mapped file is checked is the one of the values in memory
            assert_eq!(got.dataset.features_hash(), expected.dataset.features_hash(), "{descr}");
            // numpy's native layout is viewed in place, others read
            assert_eq!(got.dataset.is_mapped(), cfg!(all(unix, target_endian = "little")) && descr == "<f8");
            let unlabelled = read_npy_unlabelled(&path).unwrap();
            assert_eq!(unlabelled.dense_features().unwrap().data(), &x[..]);
            assert!(unlabelled.labels().iter().all(|&v| v == 0.0));
            // the first value that is not finite, in file order, named by row and column
            let mut bad = x.clone();
            bad[2900 * d + 1] = f64::INFINITY;
            bad[2500 * d + 3] = f64::NAN;
            raw_npy(&path, descr, n, d, &bad);
            let e = read_npy_features(&path, &labels, None).unwrap_err().to_string();
            assert!(e.contains("row 2500") && e.contains("column 3") && e.contains("x.npy"), "{descr}: {e}");
        }
        // as numpy (and `write_npy_features`) writes it: viewed in place
        let written = dir.join("w.npy");
        write_npy_features(&expected.dataset, std::fs::File::create(&written).unwrap()).unwrap();
        let got = read_npy_features(&written, &labels, None).unwrap();
        assert_eq!(got, expected);
        assert_eq!(got.dataset.is_mapped(), cfg!(all(unix, target_endian = "little")));
        // a label for every row
        let path = dir.join("x.npy");
        raw_npy(&path, "<f8", n, d, &x);
        std::fs::write(&labels, "0\n1\n").unwrap();
        let e = read_npy_features(&path, &labels, None).unwrap_err().to_string();
        assert!(e.contains("2 labels for the 3000 rows"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
