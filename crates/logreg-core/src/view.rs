//! borrowed views of the design matrix: a whole matrix, and a selection of its rows.

use std::ops::Range;

/// row-major matrix borrowed from a contiguous buffer.
#[derive(Clone, Copy, Debug)]
pub struct MatrixRef<'a> {
    data: &'a [f64],
    n_rows: usize,
    n_cols: usize,
}

impl<'a> MatrixRef<'a> {
    /// view `data` as `n_rows × n_cols`, row-major; `None` if the sizes disagree.
    pub fn new(data: &'a [f64], n_rows: usize, n_cols: usize) -> Option<Self> {
        (n_rows.checked_mul(n_cols) == Some(data.len())).then_some(MatrixRef { data, n_rows, n_cols })
    }

    /// the row-major buffer.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    /// number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// the consecutive rows `range`, still a view.
    pub fn slice_rows(&self, range: Range<usize>) -> MatrixRef<'a> {
        MatrixRef {
            data: &self.data[range.start * self.n_cols..range.end * self.n_cols],
            n_rows: range.len(),
            n_cols: self.n_cols,
        }
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

/// a selection of rows of a row-major matrix, viewed without copying.
#[derive(Clone, Debug)]
pub struct Rows<'a> {
    matrix: MatrixRef<'a>,
    selection: Selection<'a>,
}

impl<'a> Rows<'a> {
    /// the rows `selection` of `matrix`.
    pub fn new(matrix: MatrixRef<'a>, selection: Selection<'a>) -> Self {
        Rows { matrix, selection }
    }

    /// every row of `matrix`.
    pub fn all(matrix: MatrixRef<'a>) -> Self {
        let n = matrix.n_rows();
        Rows { matrix, selection: Selection::Range(0..n) }
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
