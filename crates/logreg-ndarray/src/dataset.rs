//! datasets from ndarray arrays.

use logreg_core::{Dataset, Result};
use ndarray::{Array2, ArrayView1, ArrayView2};

/// a dataset of the rows of `x` and the class indices `y` (0/1, or `0, …, K − 1`): `x` copied
/// once into the dataset's row-major buffer, whatever its layout.
pub fn dataset_from_view(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<Dataset> {
    let d = x.ncols();
    let values: Vec<f64> = match x.as_slice() {
        Some(rows) => rows.to_vec(),
        None => x.iter().copied().collect(), // logical (row-major) order
    };
    Dataset::with_class_labels(values, d, y.to_vec())
}

/// a dataset of the rows of `x` and the class indices `y`: an array in standard (c, row-major)
/// layout becomes the dataset's buffer without a copy; any other layout is copied once.
pub fn dataset_from_array(x: Array2<f64>, y: Vec<f64>) -> Result<Dataset> {
    if !x.is_standard_layout() {
        return dataset_from_view(x.view(), ArrayView1::from(&y));
    }
    let d = x.ncols();
    let (values, offset) = x.into_raw_vec_and_offset();
    match offset {
        Some(0) | None => Dataset::with_class_labels(values, d, y),
        Some(k) => Dataset::with_class_labels(values[k..].to_vec(), d, y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, ShapeBuilder};

    #[test]
    fn every_layout_gives_the_rows() {
        let rows = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = Array1::from(vec![0.0, 1.0, 2.0]);
        let expected = Dataset::with_classes(rows.clone(), 2, y.to_vec(), 3).unwrap();
        let c = Array2::from_shape_vec((3, 2), rows.clone()).unwrap();
        let f = Array2::from_shape_vec((3, 2).f(), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]).unwrap();
        assert_eq!(dataset_from_view(c.view(), y.view()).unwrap(), expected);
        assert_eq!(dataset_from_view(f.view(), y.view()).unwrap(), expected);
        assert_eq!(dataset_from_array(f, y.to_vec()).unwrap(), expected);
        let ptr = c.as_ptr();
        let d = dataset_from_array(c, y.to_vec()).unwrap();
        assert_eq!(d, expected);
        assert_eq!(d.dense_features().unwrap().data().as_ptr(), ptr, "standard layout: no copy");
        let wide = Array2::from_shape_vec((3, 4), (0..12).map(f64::from).collect()).unwrap();
        let strided = wide.slice(ndarray::s![.., 1..3]);
        let d = dataset_from_view(strided, y.view()).unwrap();
        assert_eq!(d.dense_features().unwrap().data(), &[1.0, 2.0, 5.0, 6.0, 9.0, 10.0]);
        assert!(dataset_from_view(c_view_nan().view(), y.view()).is_err());
    }

    fn c_view_nan() -> Array2<f64> {
        Array2::from_shape_vec((3, 1), vec![0.0, f64::NAN, 1.0]).unwrap()
    }
}
