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
