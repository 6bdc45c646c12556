//! borrowed views of the design matrix, dense (row-major) or sparse (csr): a whole matrix, and a
//! selection of its rows.

use std::ops::Range;

/// row-major matrix borrowed from a buffer: row `i` is the `n_cols` values from `i · row_stride`
/// (`row_stride = n_cols` when contiguous; larger for the features of a file whose rows also hold
/// a label, viewed in place).
#[derive(Clone, Copy, Debug)]
pub struct MatrixRef<'a> {
    data: &'a [f64],
    n_rows: usize,
    n_cols: usize,
    row_stride: usize,
}

impl<'a> MatrixRef<'a> {
    /// view `data` as `n_rows × n_cols`, row-major and contiguous; `None` if the sizes disagree.
    pub fn new(data: &'a [f64], n_rows: usize, n_cols: usize) -> Option<Self> {
        (n_rows.checked_mul(n_cols) == Some(data.len())).then_some(MatrixRef {
            data,
            n_rows,
            n_cols,
            row_stride: n_cols,
        })
    }

    /// view `data` as `n_rows × n_cols`, row-major with rows `row_stride ≥ n_cols` values apart;
    /// `data` runs from the first row's first value to the last row's last. `None` if the sizes
    /// disagree.
    pub fn with_row_stride(data: &'a [f64], n_rows: usize, n_cols: usize, row_stride: usize) -> Option<Self> {
        let ok = row_stride >= n_cols && Some(data.len()) == span(n_rows, n_cols, row_stride);
        ok.then_some(MatrixRef { data, n_rows, n_cols, row_stride })
    }

    /// the buffer the rows lie in, from the first row's first value to the last row's last
    /// (with the values between rows when [`MatrixRef::row_stride`] exceeds the width).
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    /// the row-major values, when the rows are contiguous.
    pub fn as_slice(&self) -> Option<&'a [f64]> {
        self.is_contiguous().then_some(self.data)
    }

    /// whether the rows follow each other with nothing between them.
    pub fn is_contiguous(&self) -> bool {
        self.row_stride == self.n_cols || self.n_rows <= 1
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// values from one row's start to the next's.
    pub fn row_stride(&self) -> usize {
        self.row_stride
    }

    /// row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        let start = i * self.row_stride;
        &self.data[start..start + self.n_cols]
    }

    /// iterator over the rows.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &'a [f64]> + 'a {
        let m = *self;
        (0..m.n_rows).map(move |i| m.row(i))
    }

    /// the consecutive rows `range`, still a view.
    pub fn slice_rows(&self, range: Range<usize>) -> MatrixRef<'a> {
        assert!(range.start <= range.end && range.end <= self.n_rows, "rows {range:?} of {}", self.n_rows);
        let start = (range.start * self.row_stride).min(self.data.len());
        let len = span(range.len(), self.n_cols, self.row_stride).expect("rows inside the matrix");
        MatrixRef { data: &self.data[start..start + len], n_rows: range.len(), ..*self }
    }
}

/// values from the first row's first to the last row's last, `None` on overflow.
pub(crate) fn span(n_rows: usize, n_cols: usize, row_stride: usize) -> Option<usize> {
    match n_rows {
        0 => Some(0),
        n => (n - 1).checked_mul(row_stride)?.checked_add(n_cols),
    }
}

/// which rows of a matrix take part in a computation.
#[derive(Clone, Debug)]
pub enum Selection<'a> {
    /// consecutive rows.
    Range(Range<usize>),
    /// arbitrary rows by index (a shuffled minibatch).
    Indices(&'a [usize]),
}

impl<'a> Selection<'a> {
    /// number of selected rows.
    pub fn len(&self) -> usize {
        match self {
            Selection::Range(r) => r.len(),
            Selection::Indices(ix) => ix.len(),
        }
    }

    /// whether no row is selected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// the `k`-th selected row's index in the matrix.
    #[inline]
    pub fn index(&self, k: usize) -> usize {
        match self {
            Selection::Range(r) => r.start + k,
            Selection::Indices(ix) => ix[k],
        }
    }

    /// the selected rows `sub` (positions within this selection).
    pub fn sub(&self, sub: Range<usize>) -> Selection<'a> {
        match self {
            Selection::Range(r) => Selection::Range(r.start + sub.start..r.start + sub.end),
            Selection::Indices(ix) => Selection::Indices(&ix[sub]),
        }
    }
}

/// compressed sparse rows borrowed from three buffers: row `i` holds the columns
/// `indices[indptr[i]..indptr[i + 1]]` (strictly increasing) with values `values[…]`.
///
/// `indptr` holds absolute offsets into `indices` and `values`, so a range of rows is a view too
/// (its `indptr` need not start at 0).
#[derive(Clone, Copy, Debug)]
pub struct CsrRef<'a> {
    indptr: &'a [usize],
    indices: &'a [u32],
    values: &'a [f64],
    n_cols: usize,
}

impl<'a> CsrRef<'a> {
    /// view the buffers as `indptr.len() − 1` rows of `n_cols` columns; `None` unless `indptr`
    /// is non-decreasing within `indices` (= `values` length) and each row's column indices are
    /// strictly increasing and below `n_cols`.
    pub fn new(indptr: &'a [usize], indices: &'a [u32], values: &'a [f64], n_cols: usize) -> Option<Self> {
        let ok = !indptr.is_empty()
            && indices.len() == values.len()
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indptr[indptr.len() - 1] <= indices.len()
            && indptr.windows(2).all(|w| {
                let cols = &indices[w[0]..w[1]];
                cols.windows(2).all(|c| c[0] < c[1]) && cols.last().is_none_or(|&c| (c as usize) < n_cols)
            });
        ok.then_some(CsrRef { indptr, indices, values, n_cols })
    }

    /// the view of buffers the caller has already checked as [`CsrRef::new`] does.
    pub(crate) fn new_unchecked(indptr: &'a [usize], indices: &'a [u32], values: &'a [f64], n_cols: usize) -> Self {
        debug_assert!(CsrRef::new(indptr, indices, values, n_cols).is_some());
        CsrRef { indptr, indices, values, n_cols }
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// number of stored entries of these rows.
    pub fn nnz(&self) -> usize {
        self.indptr[self.indptr.len() - 1] - self.indptr[0]
    }

    /// row offsets (absolute, `n_rows + 1` of them).
    pub fn indptr(&self) -> &'a [usize] {
        self.indptr
    }

    /// column indices of the whole buffer (index with [`CsrRef::indptr`]).
    pub fn indices(&self) -> &'a [u32] {
        self.indices
    }

    /// values of the whole buffer (index with [`CsrRef::indptr`]).
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// row `i`: its column indices and values.
    #[inline]
    pub fn row(&self, i: usize) -> (&'a [u32], &'a [f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// the consecutive rows `range`, still a view.
    pub fn slice_rows(&self, range: Range<usize>) -> CsrRef<'a> {
        CsrRef { indptr: &self.indptr[range.start..=range.end], ..*self }
    }
}

/// the design matrix, dense or sparse.
#[derive(Clone, Copy, Debug)]
pub enum Design<'a> {
    /// row-major dense
    Dense(MatrixRef<'a>),
    /// compressed sparse rows
    Sparse(CsrRef<'a>),
}

impl<'a> Design<'a> {
    /// number of rows.
    pub fn n_rows(&self) -> usize {
        match self {
            Design::Dense(m) => m.n_rows(),
            Design::Sparse(m) => m.n_rows(),
        }
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        match self {
            Design::Dense(m) => m.n_cols(),
            Design::Sparse(m) => m.n_cols(),
        }
    }

    /// stored entries: `n_rows · n_cols` when dense.
    pub fn nnz(&self) -> usize {
        match self {
            Design::Dense(m) => m.n_rows() * m.n_cols(),
            Design::Sparse(m) => m.nnz(),
        }
    }

    /// the dense matrix, if dense.
    pub fn as_dense(&self) -> Option<MatrixRef<'a>> {
        match self {
            Design::Dense(m) => Some(*m),
            Design::Sparse(_) => None,
        }
    }

    /// the sparse matrix, if sparse.
    pub fn as_sparse(&self) -> Option<CsrRef<'a>> {
        match self {
            Design::Dense(_) => None,
            Design::Sparse(m) => Some(*m),
        }
    }

    /// the consecutive rows `range`, still a view.
    pub fn slice_rows(&self, range: Range<usize>) -> Design<'a> {
        match self {
            Design::Dense(m) => Design::Dense(m.slice_rows(range)),
            Design::Sparse(m) => Design::Sparse(m.slice_rows(range)),
        }
    }

    /// entry `(i, j)` (0 where a sparse row stores none).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self {
            Design::Dense(m) => m.row(i)[j],
            Design::Sparse(m) => {
                let (cols, vals) = m.row(i);
                cols.binary_search(&(j as u32)).map_or(0.0, |k| vals[k])
            }
        }
    }

    /// row `i` written densely into `out` (`n_cols` long).
    pub fn row_into(&self, i: usize, out: &mut [f64]) {
        match self {
            Design::Dense(m) => out.copy_from_slice(m.row(i)),
            Design::Sparse(m) => {
                out.fill(0.0);
                let (cols, vals) = m.row(i);
                for (&c, &v) in cols.iter().zip(vals) {
                    out[c as usize] = v;
                }
            }
        }
    }
}

impl<'a> From<MatrixRef<'a>> for Design<'a> {
    fn from(m: MatrixRef<'a>) -> Self {
        Design::Dense(m)
    }
}

impl<'a> From<CsrRef<'a>> for Design<'a> {
    fn from(m: CsrRef<'a>) -> Self {
        Design::Sparse(m)
    }
}

/// a selection of rows of a row-major matrix, viewed without copying.
#[derive(Clone, Debug)]
pub struct DenseRows<'a> {
    matrix: MatrixRef<'a>,
    selection: Selection<'a>,
}

impl<'a> DenseRows<'a> {
    /// the rows `selection` of `matrix`.
    pub fn new(matrix: MatrixRef<'a>, selection: Selection<'a>) -> Self {
        DenseRows { matrix, selection }
    }

    /// every row of `matrix`.
    pub fn all(matrix: MatrixRef<'a>) -> Self {
        let n = matrix.n_rows();
        DenseRows { matrix, selection: Selection::Range(0..n) }
    }

    /// number of selected rows.
    pub fn n_rows(&self) -> usize {
        self.selection.len()
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.matrix.n_cols()
    }

    /// the `k`-th selected row.
    #[inline]
    pub fn row(&self, k: usize) -> &'a [f64] {
        self.matrix.row(self.selection.index(k))
    }

    /// the row a pass over the selection reads `k`-th, looking past its end: the `k`-th selected
    /// row, or for a range the matrix row `k` places past its start (rows beyond the range
    /// included, while the matrix has them). `None` beyond both.
    #[inline]
    pub fn ahead_row(&self, k: usize) -> Option<&'a [f64]> {
        match &self.selection {
            Selection::Range(r) => (r.start + k < self.matrix.n_rows()).then(|| self.matrix.row(r.start + k)),
            Selection::Indices(ix) => ix.get(k).map(|&i| self.matrix.row(i)),
        }
    }

    /// the selected rows as one row-major matrix view, when they are consecutive.
    pub fn as_contiguous(&self) -> Option<MatrixRef<'a>> {
        match &self.selection {
            Selection::Range(r) => Some(self.matrix.slice_rows(r.clone())),
            Selection::Indices(_) => None,
        }
    }

    /// iterator over the selected rows.
    pub fn iter(&self) -> impl Iterator<Item = &'a [f64]> + '_ {
        (0..self.n_rows()).map(|k| self.row(k))
    }
}

/// a selection of rows of a csr matrix, viewed without copying.
#[derive(Clone, Debug)]
pub struct SparseRows<'a> {
    matrix: CsrRef<'a>,
    selection: Selection<'a>,
}

impl<'a> SparseRows<'a> {
    /// the rows `selection` of `matrix`.
    pub fn new(matrix: CsrRef<'a>, selection: Selection<'a>) -> Self {
        SparseRows { matrix, selection }
    }

    /// number of selected rows.
    pub fn n_rows(&self) -> usize {
        self.selection.len()
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.matrix.n_cols()
    }

    /// the `k`-th selected row: column indices and values.
    #[inline]
    pub fn row(&self, k: usize) -> (&'a [u32], &'a [f64]) {
        self.matrix.row(self.selection.index(k))
    }

    /// the selected rows as one csr view, when they are consecutive.
    pub fn as_contiguous(&self) -> Option<CsrRef<'a>> {
        match &self.selection {
            Selection::Range(r) => Some(self.matrix.slice_rows(r.clone())),
            Selection::Indices(_) => None,
        }
    }
}

/// a selection of rows of the design matrix, dense or sparse, viewed without copying: what every
/// [`crate::Backend`] operation takes.
#[derive(Clone, Debug)]
pub enum Rows<'a> {
    /// rows of a dense matrix
    Dense(DenseRows<'a>),
    /// rows of a csr matrix
    Sparse(SparseRows<'a>),
}

impl<'a> Rows<'a> {
    /// the rows `selection` of `matrix`.
    pub fn new(matrix: impl Into<Design<'a>>, selection: Selection<'a>) -> Self {
        match matrix.into() {
            Design::Dense(m) => Rows::Dense(DenseRows::new(m, selection)),
            Design::Sparse(m) => Rows::Sparse(SparseRows::new(m, selection)),
        }
    }

    /// every row of `matrix`.
    pub fn all(matrix: impl Into<Design<'a>>) -> Self {
        let matrix = matrix.into();
        let n = matrix.n_rows();
        Rows::new(matrix, Selection::Range(0..n))
    }

    /// number of selected rows.
    pub fn n_rows(&self) -> usize {
        match self {
            Rows::Dense(r) => r.n_rows(),
            Rows::Sparse(r) => r.n_rows(),
        }
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        match self {
            Rows::Dense(r) => r.n_cols(),
            Rows::Sparse(r) => r.n_cols(),
        }
    }

    /// the selected rows `sub` (positions within this selection), still a view.
    pub fn sub(&self, sub: Range<usize>) -> Rows<'a> {
        match self {
            Rows::Dense(r) => Rows::Dense(DenseRows::new(r.matrix, r.selection.sub(sub))),
            Rows::Sparse(r) => Rows::Sparse(SparseRows::new(r.matrix, r.selection.sub(sub))),
        }
    }

    /// the selected rows as one dense row-major view, when they are dense and consecutive.
    pub fn as_contiguous(&self) -> Option<MatrixRef<'a>> {
        match self {
            Rows::Dense(r) => r.as_contiguous(),
            Rows::Sparse(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rows apart in their buffer: each row its own values, ranges of rows (empty ones at either
    /// end too) still views, and buffers of the wrong length refused.
    #[test]
    fn rows_apart_are_viewed_in_place() {
        let buf: Vec<f64> = (0..14).map(f64::from).collect(); // rows of 3, 5 apart: 0..3, 5..8, 10..13
        assert!(MatrixRef::with_row_stride(&buf, 3, 3, 5).is_none(), "one value too many");
        assert!(MatrixRef::with_row_stride(&buf[..13], 3, 3, 2).is_none(), "stride below the width");
        let m = MatrixRef::with_row_stride(&buf[..13], 3, 3, 5).unwrap();
        assert_eq!(m.rows().collect::<Vec<_>>(), [&buf[0..3], &buf[5..8], &buf[10..13]]);
        assert!(!m.is_contiguous() && m.as_slice().is_none());
        let tail = m.slice_rows(1..3);
        assert_eq!((tail.n_rows(), tail.row(1), tail.data().len()), (2, &buf[10..13], 8));
        assert_eq!(m.slice_rows(3..3).n_rows(), 0);
        assert_eq!(m.slice_rows(0..0).rows().count(), 0);
        assert_eq!(m.slice_rows(2..3).as_slice(), Some(&buf[10..13]), "one row is contiguous");
        assert_eq!(MatrixRef::new(&buf[..12], 4, 3).unwrap().slice_rows(4..4).n_rows(), 0);
    }

    /// a range looks past its end into the matrix, a list of indices only along itself.
    #[test]
    fn rows_ahead_follow_the_order_a_pass_reads_them_in() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let m = MatrixRef::new(&x, 5, 2).unwrap();
        let range = DenseRows::new(m, Selection::Range(1..3));
        assert_eq!(range.ahead_row(0), Some(&x[2..4]));
        assert_eq!(range.ahead_row(3), Some(&x[8..10]));
        assert_eq!(range.ahead_row(4), None);
        let picked = [4, 0];
        let indices = DenseRows::new(m, Selection::Indices(&picked));
        assert_eq!(indices.ahead_row(0), Some(&x[8..10]));
        assert_eq!(indices.ahead_row(1), Some(&x[0..2]));
        assert_eq!(indices.ahead_row(2), None);
    }
}
