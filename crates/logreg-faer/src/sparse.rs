//! a block of consecutive csr rows as a faer `SparseRowMatRef`.

use std::cell::RefCell;

use faer::sparse::{SparseRowMatRef, SymbolicSparseRowMatRef};
use logreg_core::view::Rows;

thread_local! {
    /// the block's row offsets as faer's index type (u32, the type of the column indices),
    /// rebased to the block's first value; reused from block to block on each thread.
    static OFFSETS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// `f` applied to the rows `x` as a faer csr view of the same column indices and values, when
/// they are consecutive csr rows with fewer than 2³¹ values; `None` otherwise (dense or
/// scattered rows: the caller's other path serves them).
pub(crate) fn with_csr<R>(x: &Rows<'_>, f: impl FnOnce(SparseRowMatRef<'_, u32, f64>) -> R) -> Option<R> {
    let Rows::Sparse(rows) = x else { return None };
    let csr = rows.as_contiguous()?;
    let indptr = csr.indptr();
    let (start, end) = (indptr[0], indptr[indptr.len() - 1]);
    // faer keeps indices below the signed maximum of the index type
    if end - start > i32::MAX as usize || csr.n_cols() > i32::MAX as usize {
        return None;
    }
    OFFSETS.with_borrow_mut(|offsets| {
        offsets.clear();
        offsets.extend(indptr.iter().map(|&p| (p - start) as u32));
        // SAFETY: `CsrRef` guarantees what faer's type assumes: offsets non-decreasing and
        // ending at the slice's length, each row's column indices strictly increasing and
        // below `n_cols`.
        let symbolic = unsafe {
            SymbolicSparseRowMatRef::new_unchecked(
                csr.n_rows(),
                csr.n_cols(),
                offsets,
                None,
                &csr.indices()[start..end],
            )
        };
        Some(f(SparseRowMatRef::new(symbolic, &csr.values()[start..end])))
    })
}
