//! large buffers filled by a reader.

use std::mem::MaybeUninit;

/// asks the kernel to back `buf`, a large buffer not yet touched, with huge pages where it
/// can (linux; elsewhere nothing): filling it then takes one page fault per 2 MiB instead of one
/// per 4 KiB. only advice: the buffer is the same either way.
pub(crate) fn advise_huge_pages<T>(buf: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = buf.as_mut_ptr() as usize;
        let end = start + std::mem::size_of_val(buf);
        let first = start.next_multiple_of(HUGE);
        if end >= first + HUGE {
            let len = (end - first) / HUGE * HUGE;
            // SAFETY: [first, first + len) lies inside `buf`, memory this process owns; madvise
            // with MADV_HUGEPAGE changes how it is backed, never its contents or validity
            unsafe {
                libc::madvise(first as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
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
        let page = page_size();
        let start = buf.as_mut_ptr() as usize;
        let (first, end) = (start.next_multiple_of(page), (start + std::mem::size_of_val(buf)) / page * page);
        if first < end {
            // SAFETY: [first, end) lies inside `buf`, memory this process owns; populating it
            // changes how it is backed, never its contents or validity
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_POPULATE_WRITE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// the size of a memory page (4 KiB on x86-64, up to 64 KiB elsewhere): advice is given on
/// whole pages.
#[cfg(target_os = "linux")]
pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf only reads a system value
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}
