//! a block of consecutive csr rows as a sprs matrix view (sprs: the sparse companion of ndarray).

use logreg_core::view::Rows;
use sprs::{CompressedStorage, CsMatViewI};

/// the rows `x` as a sprs csr view of the same offsets, column indices and values, when they are
/// consecutive csr rows; `None` otherwise (dense or scattered rows).
pub(crate) fn csr_view<'a>(x: &Rows<'a>) -> Option<CsMatViewI<'a, f64, u32, usize>> {
    let Rows::Sparse(rows) = x else { return None };
    let csr = rows.as_contiguous()?;
    let indptr = csr.indptr();
    let (start, end) = (indptr[0], indptr[indptr.len() - 1]);
    // SAFETY: `CsrRef` guarantees sprs's compressed structure: offsets non-decreasing (sprs
    // reads them relative to the first, as here the block's values), each row's column indices
    // strictly increasing and below `n_cols`.
    Some(unsafe {
        CsMatViewI::new_unchecked(
            CompressedStorage::CSR,
            (csr.n_rows(), csr.n_cols()),
            indptr,
            &csr.indices()[start..end],
            &csr.values()[start..end],
        )
    })
}
