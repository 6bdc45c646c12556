//! datasets from nalgebra matrices.

use logreg_core::{Dataset, Result};
use nalgebra::DMatrixView;

/// a dataset of the rows of `x` and the class indices `y` (0/1, or `0, …, K − 1`): `x` copied
/// once into the dataset's row-major buffer (nalgebra matrices are column-major, so none can
/// serve as that buffer).
pub fn dataset_from_matrix(x: DMatrixView<'_, f64>, y: &[f64]) -> Result<Dataset> {
    let (n, d) = (x.nrows(), x.ncols());
    let mut values = vec![0.0; n * d];
    for (j, column) in x.column_iter().enumerate() {
        for (i, &e) in column.iter().enumerate() {
            values[i * d + j] = e;
        }
    }
    Dataset::with_class_labels(values, d, y.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn matrices_and_views_give_the_rows() {
        let rows = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [1.0, 0.0, 1.0];
        let expected = Dataset::new(rows.to_vec(), 2, y.to_vec()).unwrap();
        let m = DMatrix::from_row_slice(3, 2, &rows);
        assert_eq!(dataset_from_matrix(m.as_view(), &y).unwrap(), expected);
        let wide = DMatrix::from_fn(3, 4, |i, j| if j == 0 || j == 3 { -1.0 } else { rows[i * 2 + j - 1] });
        assert_eq!(dataset_from_matrix(wide.view((0, 1), (3, 2)), &y).unwrap(), expected);
        assert!(dataset_from_matrix(m.as_view(), &[0.5, 1.0, 0.0]).is_err());
    }
}
