//! large buffers filled by a reader.

use std::mem::MaybeUninit;

/// asks the kernel to back `buf`, a large buffer not yet touched, with huge pages where it
/// can (linux; elsewhere nothing): filling it then takes one page fault per 2 MiB instead of one
/// per 4 KiB. only advice: the buffer is the same either way.
pub(crate) fn advise_huge_pages<T>(buf: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        let start = buf.as_mut_ptr() as usize;
        // SAFETY: `buf` is memory this process owns; MADV_HUGEPAGE changes how it is backed,
        // never its contents or validity
        unsafe { advise_inside(start..start + std::mem::size_of_val(buf), 2 << 20, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// asks the kernel to bring in the pages wholly inside `buf`, a buffer about to be written, in
/// one call (linux 5.14+; elsewhere, or on older kernels, nothing): instead of one page fault per
/// 4 KiB as it is written. only advice: the buffer is the same either way.
pub(crate) fn bring_in_for_writing<T>(buf: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        let start = buf.as_mut_ptr() as usize;
        // SAFETY: `buf` is memory this process owns; populating it changes how it is backed,
        // never its contents or validity
        unsafe { advise_inside(start..start + std::mem::size_of_val(buf), page_size(), libc::MADV_POPULATE_WRITE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// `madvise` with `advice` on the whole `unit`-sized blocks (pages, or huge pages) inside the
/// addresses `range`; nothing when none fits. only advice: its failure is ignored.
///
/// # Safety
/// `range` lies in memory this process has mapped, and `advice` does not change what that
/// memory holds as the process sees it.
#[cfg(target_os = "linux")]
pub(crate) unsafe fn advise_inside(range: std::ops::Range<usize>, unit: usize, advice: i32) {
    let (first, end) = (range.start.next_multiple_of(unit), range.end / unit * unit);
    if first < end {
        // SAFETY: whole blocks inside `range`, which the caller vouches for
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, advice);
        }
    }
}

/// the size of a memory page (4 KiB on x86-64, up to 64 KiB elsewhere): advice is given on
/// whole pages.
#[cfg(target_os = "linux")]
pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf only reads a system value
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}
