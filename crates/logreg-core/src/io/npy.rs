//! numpy `.npy`: one 2-d float64 array in c order, `n × (d + 1)`, the last column the label.
//! read straight into the dataset's buffer (peak memory ≈ the features' size).

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::{LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// read the npy file at `path`; `positive` names the label value modelled as 1 (default: the larger).
pub fn read_npy(path: &Path, positive: Option<&str>) -> Result<LoadedData> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
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
    let mut labels = LabelCollector::default();
    let (mut last_label, mut last_text) = (f64::NAN, String::new());
    for (k, v) in values.enumerate() {
        let v = v.map_err(|e| err(format!("cannot read value {k}: {e}")))?;
        let (row, col) = (k / width, k % width);
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                what: "features",
                row,
                column: col,
                reason: format!("{} in {} is not a finite number", v, path.display()),
            });
        }
        if col < d {
            x.push(v);
        } else {
            // labels come in runs: format a value only when it changes
            if v != last_label {
                (last_label, last_text) = (v, format!("{v}"));
            }
            labels.push(&last_text);
        }
    }
    let (y, classes) = labels.finish("label", positive).map_err(|e| err(e.to_string()))?;
    let dataset = Dataset::with_classes(x, d, y, classes.len())?.with_positional_names();
    Ok(LoadedData::labelled_positional(dataset, classes))
}

/// write `data` as npy (features, then the label — the class index — as the last column).
pub fn write_npy<W: Write>(data: &Dataset, writer: W) -> std::io::Result<()> {
    use npyz::WriterBuilder;
    let (n, d) = (data.n_rows() as u64, data.n_cols() as u64);
    let mut w =
        npyz::WriteOptions::new().default_dtype().shape(&[n, d + 1]).writer(BufWriter::new(writer)).begin_nd()?;
    let x = data.features();
    let mut row = vec![0.0; data.n_cols()];
    for (i, &label) in data.labels().iter().enumerate() {
        x.row_into(i, &mut row);
        w.extend(row.iter().copied())?;
        w.push(&label)?;
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
}
