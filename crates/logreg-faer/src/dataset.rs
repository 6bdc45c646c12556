//! datasets from faer matrices.

use faer::MatRef;
use logreg_core::{Dataset, Result};

/// a dataset of the rows of `x` and the class indices `y` (0/1, or `0, …, K − 1`): `x` copied
/// once into the dataset's row-major buffer (a faer matrix is column-major, or strided, so it
/// cannot serve as that buffer; a row-major view is copied row by row).
pub fn dataset_from_mat(x: MatRef<'_, f64>, y: &[f64]) -> Result<Dataset> {
    let (n, d) = (x.nrows(), x.ncols());
    let mut values = vec![0.0; n * d];
    if x.col_stride() == 1 {
        for (i, row) in values.chunks_exact_mut(d.max(1)).enumerate() {
            row.iter_mut().zip(x.row(i).iter()).for_each(|(v, &e)| *v = e);
        }
    } else {
        for j in 0..d {
            for (i, &e) in x.col(j).iter().enumerate() {
                values[i * d + j] = e;
            }
        }
    }
    Dataset::with_class_labels(values, d, y.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn column_major_and_row_major_matrices_give_the_rows() {
        let rows = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [1.0, 0.0, 1.0];
        let expected = Dataset::new(rows.to_vec(), 2, y.to_vec()).unwrap();
        let m = Mat::from_fn(3, 2, |i, j| rows[i * 2 + j]);
        assert_eq!(dataset_from_mat(m.as_ref(), &y).unwrap(), expected);
        let row_major = MatRef::from_row_major_slice(&rows, 3, 2);
        assert_eq!(dataset_from_mat(row_major, &y).unwrap(), expected);
        assert_eq!(dataset_from_mat(m.as_ref().subrows(0, 2), &y[..2]).unwrap().n_rows(), 2);
        assert!(dataset_from_mat(m.as_ref(), &y[..2]).is_err());
    }
}
