//! the owned compressed-sparse-row matrix: values `f64`, column indices `u32`, row offsets.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::view::{CsrRef, MatrixRef};

/// a sparse matrix in compressed sparse rows, checked at construction: row offsets
/// non-decreasing from 0, each row's column indices strictly increasing and below `n_cols`,
/// every value finite.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrMatrix {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    n_cols: usize,
}

impl CsrMatrix {
    /// the matrix of `indptr.len() − 1` rows and `n_cols` columns; an error naming the first
    /// row (and column) that breaks a rule above.
    pub fn new(indptr: Vec<usize>, indices: Vec<u32>, values: Vec<f64>, n_cols: usize) -> Result<Self> {
        if n_cols > u32::MAX as usize + 1 {
            return Err(Error::param("n_cols", format!("at most {} columns fit u32 indices, got {n_cols}", u32::MAX)));
        }
        if indptr.first() != Some(&0) {
            return Err(Error::InvalidData("csr row offsets must start at 0".into()));
        }
        if indices.len() != values.len() {
            return Err(Error::DimensionMismatch { what: "csr values", expected: indices.len(), found: values.len() });
        }
        if indptr[indptr.len() - 1] != indices.len() {
            return Err(Error::DimensionMismatch {
                what: "csr row offsets' last entry (the number of stored values)",
                expected: indices.len(),
                found: indptr[indptr.len() - 1],
            });
        }
        for (row, w) in indptr.windows(2).enumerate() {
            if w[0] > w[1] {
                return Err(Error::InvalidData(format!("csr row offsets decrease at row {row}")));
            }
            let (cols, vals) = (&indices[w[0]..w[1]], &values[w[0]..w[1]]);
            for (k, (&c, &v)) in cols.iter().zip(vals).enumerate() {
                let column = c as usize;
                if column >= n_cols {
                    return Err(Error::InvalidValue {
                        what: "features",
                        row,
                        column,
                        reason: format!("column index {column} is outside the {n_cols} columns"),
                    });
                }
                if k > 0 && cols[k - 1] >= c {
                    return Err(Error::InvalidValue {
                        what: "features",
                        row,
                        column,
                        reason: "column indices must be strictly increasing within a row".into(),
                    });
                }
                if !v.is_finite() {
                    return Err(Error::InvalidValue {
                        what: "features",
                        row,
                        column,
                        reason: format!("{v} is not a finite number"),
                    });
                }
            }
        }
        Ok(CsrMatrix { indptr, indices, values, n_cols })
    }

    /// the nonzero entries of a dense row-major matrix.
    pub fn from_dense(x: MatrixRef<'_>) -> Result<Self> {
        let mut indptr = Vec::with_capacity(x.n_rows() + 1);
        let (mut indices, mut values) = (Vec::new(), Vec::new());
        indptr.push(0);
        for i in 0..x.n_rows() {
            for (j, &v) in x.row(i).iter().enumerate().filter(|(_, v)| **v != 0.0) {
                indices.push(j as u32);
                values.push(v);
            }
            indptr.push(indices.len());
        }
        CsrMatrix::new(indptr, indices, values, x.n_cols())
    }

    /// the borrowed view.
    pub fn view(&self) -> CsrRef<'_> {
        CsrRef::new_unchecked(&self.indptr, &self.indices, &self.values, self.n_cols)
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// number of stored entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// the same matrix with `n_cols` columns: stored values in columns `n_cols` and beyond are
    /// dropped, new columns are empty.
    pub fn resized(mut self, n_cols: usize) -> Result<Self> {
        if n_cols > u32::MAX as usize + 1 {
            return Err(Error::param("n_cols", format!("at most {} columns fit u32 indices, got {n_cols}", u32::MAX)));
        }
        if n_cols < self.n_cols {
            let mut kept = 0;
            for i in 0..self.n_rows() {
                let (start, end) = (self.indptr[i], self.indptr[i + 1]);
                self.indptr[i] = kept;
                for k in start..end {
                    if (self.indices[k] as usize) < n_cols {
                        self.indices[kept] = self.indices[k];
                        self.values[kept] = self.values[k];
                        kept += 1;
                    }
                }
            }
            let n = self.n_rows();
            self.indptr[n] = kept;
            self.indices.truncate(kept);
            self.values.truncate(kept);
        }
        self.n_cols = n_cols;
        Ok(self)
    }

    /// a new matrix of the rows `rows` in that order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix {
        let x = self.view();
        let nnz = rows.iter().map(|&i| x.row(i).0.len()).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let (mut indices, mut values) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
        indptr.push(0);
        for &i in rows {
            let (c, v) = x.row(i);
            indices.extend_from_slice(c);
            values.extend_from_slice(v);
            indptr.push(indices.len());
        }
        CsrMatrix { indptr, indices, values, n_cols: self.n_cols }
    }

    /// a new matrix of the entries of `x` in the rows `rows` (every row when `None`), in that
    /// order, and the columns `cols` (ascending), renumbered `0, 1, …` in that order; rows go
    /// in parallel blocks.
    pub(crate) fn select(x: CsrRef<'_>, rows: Option<&[usize]>, cols: &[usize]) -> CsrMatrix {
        const BLOCK_ROWS: usize = 8192;
        let mut map = vec![u32::MAX; x.n_cols()];
        for (new, &j) in cols.iter().enumerate() {
            map[j] = new as u32;
        }
        let m = rows.map_or(x.n_rows(), <[usize]>::len);
        let row = |r: usize| x.row(rows.map_or(r, |rows| rows[r]));
        let blocks: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = (0..m.div_ceil(BLOCK_ROWS))
            .into_par_iter()
            .map(|b| {
                let range = b * BLOCK_ROWS..((b + 1) * BLOCK_ROWS).min(m);
                let (mut ends, mut indices, mut values) = (Vec::with_capacity(range.len()), Vec::new(), Vec::new());
                for r in range {
                    let (c, v) = row(r);
                    for (&j, &value) in c.iter().zip(v) {
                        let new = map[j as usize];
                        if new != u32::MAX {
                            indices.push(new);
                            values.push(value);
                        }
                    }
                    ends.push(indices.len());
                }
                (ends, indices, values)
            })
            .collect();
        let nnz = blocks.iter().map(|b| b.1.len()).sum();
        let mut indptr = Vec::with_capacity(m + 1);
        let (mut indices, mut values) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
        indptr.push(0);
        for (ends, c, v) in blocks {
            let offset = indices.len();
            indptr.extend(ends.iter().map(|e| e + offset));
            indices.extend_from_slice(&c);
            values.extend_from_slice(&v);
        }
        CsrMatrix { indptr, indices, values, n_cols: cols.len() }
    }

    /// the dense row-major copy (`n_rows · n_cols` values).
    pub fn to_dense(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.n_rows() * self.n_cols];
        for (i, row) in out.chunks_exact_mut(self.n_cols.max(1)).enumerate().take(self.n_rows()) {
            let (c, v) = self.view().row(i);
            for (&j, &x) in c.iter().zip(v) {
                row[j as usize] = x;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construction_names_what_is_wrong() {
        let err = CsrMatrix::new(vec![0, 2], vec![1, 1], vec![1.0, 2.0], 3).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { row: 0, column: 1, .. }), "{err}");
        let err = CsrMatrix::new(vec![0, 1, 2], vec![0, 5], vec![1.0, 2.0], 3).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { row: 1, column: 5, .. }), "{err}");
        let err = CsrMatrix::new(vec![0, 1], vec![2], vec![f64::NAN], 3).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { row: 0, column: 2, .. }), "{err}");
        assert!(CsrMatrix::new(vec![0, 2, 1], vec![0, 1], vec![1.0, 1.0], 3).is_err());
        assert!(CsrMatrix::new(vec![1], vec![], vec![], 3).is_err());
    }

    #[test]
    fn dense_round_trip_and_row_selection() {
        let dense = [0.0, 1.5, 0.0, -2.0, 0.0, 0.0, 0.0, 3.0, 4.0];
        let m = CsrMatrix::from_dense(MatrixRef::new(&dense, 3, 3).unwrap()).unwrap();
        assert_eq!((m.n_rows(), m.n_cols(), m.nnz()), (3, 3, 4));
        assert_eq!(m.to_dense(), dense);
        let s = m.select_rows(&[2, 0]);
        assert_eq!(s.to_dense(), [0.0, 3.0, 4.0, 0.0, 1.5, 0.0]);
        let v = m.view().slice_rows(1..3);
        assert_eq!((v.n_rows(), v.nnz(), v.row(1)), (2, 3, (&[1u32, 2][..], &[3.0, 4.0][..])));
        let narrow = m.clone().resized(2).unwrap();
        assert_eq!((narrow.n_cols(), narrow.nnz()), (2, 3));
        assert_eq!(narrow.to_dense(), [0.0, 1.5, -2.0, 0.0, 0.0, 3.0]);
        let wide = m.resized(5).unwrap();
        assert_eq!((wide.n_cols(), wide.nnz()), (5, 4));
        assert_eq!(&wide.to_dense()[..5], [0.0, 1.5, 0.0, 0.0, 0.0]);
    }
}
