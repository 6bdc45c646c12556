//! the working set of a screened fit: the chosen columns of the rows that carry weight, copied
//! once into a matrix of their own, so that the passes of the fit read only them (the stored
//! matrix is row-major: a pass over a few of its columns would still read every row whole).

use rayon::prelude::*;

use crate::csr::CsrMatrix;
use crate::dataset::DataRef;
use crate::view::{Design, MatrixRef};

/// rows per parallel block of the dense copy.
const BLOCK_ROWS: usize = 4096;

/// the copied features.
#[derive(Debug)]
enum Copied {
    /// row-major, `rows × cols`
    Dense(Vec<f64>),
    /// compressed sparse rows
    Sparse(CsrMatrix),
}

/// the columns `cols` of the rows with positive weight of some data, with those rows' labels and
/// weights when rows were left out.
#[derive(Debug)]
pub(crate) struct WorkingSet {
    cols: Vec<usize>,
    n_rows: usize,
    features: Copied,
    /// the kept rows' labels and weights; `None` when every row is kept (the data's own serve)
    kept: Option<(Vec<f64>, Vec<f64>)>,
}

impl WorkingSet {
    /// the columns `cols` (ascending) of the rows of `data` that weigh more than 0, in the
    /// memory of `old` (a dense copy reuses its buffer: fresh memory costs page faults); a
    /// dense copy's buffer has room for `room_cols` columns (so that a set that grows along a
    /// path keeps its memory).
    pub fn new(data: DataRef<'_>, cols: Vec<usize>, room_cols: usize, old: Option<WorkingSet>) -> Self {
        let buffer = match old.map(|o| o.features) {
            Some(Copied::Dense(v)) => v,
            _ => Vec::new(),
        };
        let n = data.x.n_rows();
        let rows = data.weighted_rows();
        let rows = rows.as_deref();
        let features = match data.x {
            Design::Dense(x) => Copied::Dense(dense_columns(x, rows, &cols, room_cols, buffer)),
            Design::Sparse(x) => Copied::Sparse(CsrMatrix::select(x, rows, &cols)),
        };
        let kept = rows.map(|rows| {
            let y = rows.iter().map(|&i| data.y[i]).collect();
            let s = rows.iter().map(|&i| data.weight(i)).collect();
            (y, s)
        });
        WorkingSet { n_rows: rows.map_or(n, <[usize]>::len), cols, features, kept }
    }

    /// the columns of the full data, ascending.
    pub fn cols(&self) -> &[usize] {
        &self.cols
    }

    /// the working set as data, its labels and weights those of `full` (the data it was copied
    /// from) unless rows were left out.
    pub fn data<'s>(&'s self, full: DataRef<'s>) -> DataRef<'s> {
        let x = match &self.features {
            Copied::Dense(v) => Design::Dense(
                MatrixRef::new(v, self.n_rows, self.cols.len()).expect("the copy holds rows × cols values"),
            ),
            Copied::Sparse(m) => Design::Sparse(m.view()),
        };
        match &self.kept {
            Some((y, s)) => DataRef { x, y, weights: Some(s) },
            None => DataRef { x, ..full },
        }
    }
}

/// the row-major copy of the columns `cols` of the rows `rows` (every row when `None`) of `x`,
/// in `out`'s memory when it has room, else in a new buffer with room for `room_cols` columns.
fn dense_columns(
    x: MatrixRef<'_>,
    rows: Option<&[usize]>,
    cols: &[usize],
    room_cols: usize,
    mut out: Vec<f64>,
) -> Vec<f64> {
    let k = cols.len();
    let m = rows.map_or(x.n_rows(), <[usize]>::len);
    // new memory in 4 KiB pages, first written on all threads below (not advised huge pages and
    // zeroed on one thread first: on the zen 3 vm of 2026-11-24 the kernel's zeroing of huge
    // pages was the slowest part of filling a new matrix, see io/parquet.rs)
    out.clear();
    if out.capacity() < m * k {
        out = Vec::with_capacity(m * room_cols.max(k));
    }
    if k > 0 {
        let spare = &mut out.spare_capacity_mut()[..m * k];
        spare.par_chunks_mut(BLOCK_ROWS * k).enumerate().for_each(|(b, block)| {
            for (r, dst) in block.chunks_exact_mut(k).enumerate() {
                let r = b * BLOCK_ROWS + r;
                let src = x.row(rows.map_or(r, |rows| rows[r]));
                for (o, &j) in dst.iter_mut().zip(cols) {
                    o.write(src[j]);
                }
            }
        });
    }
    // SAFETY: each of the m·k values was written above (none when k = 0)
    unsafe { out.set_len(m * k) };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;

    #[test]
    fn dense_and_sparse_copies_hold_the_chosen_rows_and_columns() {
        let x: Vec<f64> = (0..5 * 4).map(|v| if v % 3 == 0 { 0.0 } else { v as f64 }).collect();
        let data = Dataset::new(x.clone(), 4, vec![0.0, 1.0, 0.0, 1.0, 1.0])
            .unwrap()
            .with_weights(vec![1.0, 0.0, 2.0, 0.5, 0.0])
            .unwrap();
        let cols = vec![1, 3];
        let expected_rows = [0, 2, 3];
        for d in [data.clone(), data.to_sparse()] {
            let set = WorkingSet::new(d.as_ref(), cols.clone(), 2, None);
            let r = set.data(d.as_ref());
            assert_eq!((r.x.n_rows(), r.x.n_cols()), (3, 2));
            for (k, &i) in expected_rows.iter().enumerate() {
                for (c, &j) in cols.iter().enumerate() {
                    assert_eq!(r.x.get(k, c), x[i * 4 + j]);
                }
                assert_eq!(r.y[k], d.labels()[i]);
                assert_eq!(r.weight(k), d.weights().unwrap()[i]);
            }
        }
        // every row weighs: the data's own labels and weights
        let plain = Dataset::new(x, 4, vec![0.0, 1.0, 0.0, 1.0, 1.0]).unwrap();
        let set = WorkingSet::new(plain.as_ref(), cols, 3, None);
        let r = set.data(plain.as_ref());
        assert_eq!(r.x.n_rows(), 5);
        assert!(r.weights.is_none() && std::ptr::eq(r.y, plain.labels()));
    }
}
