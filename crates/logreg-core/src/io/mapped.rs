//! files viewed in place: mapped read-only into memory, never copied (unix; elsewhere files are
//! read). float64 values (little-endian machines) for npy, text for csv.
//!
//! the file must not shrink while it is mapped: reading a page past its new end is a bus error
//! (as for any program that maps files). float64 values are checked finite once, when mapped.

use std::fs::File;
use std::ops::Range;

/// the first `len` bytes of a file, mapped read-only.
struct Mapping {
    base: *mut std::ffi::c_void,
    len: usize,
}

// SAFETY: the mapping is read-only and private to its owner: shared references to it from any
// thread only read memory that nothing writes
unsafe impl Send for Mapping {}
// SAFETY: as above
unsafe impl Sync for Mapping {}

impl Mapping {
    /// the first `len > 0` bytes of `file`, their pages brought in as they are first read;
    /// `None` where files are not mapped or the file is shorter. (not `MAP_POPULATE`: that
    /// brings every page in on the mapping thread alone; first reads on all threads fault in
    /// parallel. 1M × 100 features, mapped and checked finite on 2 zen 3 cores, medians of
    /// seven: 83–95 against 108–110 ms.)
    fn of(file: &File, len: usize) -> Option<Mapping> {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let file_len = usize::try_from(file.metadata().ok()?.len()).ok()?;
            if len == 0 || file_len < len {
                return None;
            }
            // SAFETY: a new read-only private mapping of an open file, of its own length; the
            // kernel chooses the address, so no memory of this process is replaced
            let base = unsafe {
                libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0)
            };
            (base != libc::MAP_FAILED).then_some(Mapping { base, len })
        }
        #[cfg(not(unix))]
        {
            let _ = (file, len);
            None
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `len` bytes are mapped at `base` as long as `self` lives, and never written
        unsafe { std::slice::from_raw_parts(self.base.cast::<u8>(), self.len) }
    }

    /// the whole pages inside `range` (offsets into the mapping) given to `madvise` with
    /// `advice` (a hint: its failure changes nothing that is read).
    #[cfg(target_os = "linux")]
    fn advise(&self, range: Range<usize>, advice: i32) {
        let base = self.base as usize;
        let end = range.end.min(self.len);
        // SAFETY: addresses inside the mapping; the advice asked for here only changes when
        // pages are read from the file, never what they hold (the mapping is read-only and
        // private, so a dropped page is read again the same)
        unsafe { super::memory::advise_inside(base + range.start..base + end, super::memory::page_size(), advice) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: the mapping made in `of`, unmapped once; no view of it outlives its owner
        unsafe {
            libc::munmap(self.base, self.len);
        }
    }
}

/// `len` float64 values of a file, mapped read-only.
pub struct MappedValues {
    map: Mapping,
    /// the first value's byte in the mapping, a multiple of 8
    offset: usize,
    len: usize,
}

impl MappedValues {
    /// the `len` little-endian float64 values starting `offset` bytes into `file`, mapped; `None`
    /// where values cannot be viewed in place (not unix or not little-endian, no values, an offset not a
    /// multiple of 8, a file too short, or a kernel that refuses the mapping): read them instead.
    pub fn map(file: &File, offset: usize, len: usize) -> Option<MappedValues> {
        if cfg!(target_endian = "big") || !offset.is_multiple_of(8) || len == 0 {
            return None;
        }
        let bytes = len.checked_mul(8)?.checked_add(offset)?;
        Some(MappedValues { map: Mapping::of(file, bytes)?, offset, len })
    }

    /// the values.
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: `len` values lie inside the mapping from `offset`, 8-byte aligned (mappings
        // start on a page), little-endian as this machine; they live as long as `self`
        unsafe { std::slice::from_raw_parts(self.map.bytes().as_ptr().add(self.offset).cast::<f64>(), self.len) }
    }
}

impl std::fmt::Debug for MappedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedValues").field("len", &self.len).finish()
    }
}

/// the text of a whole file, mapped read-only; its pages come into memory as they are read
/// (or when asked for by [`MappedText::bring_in`]) and leave it when [`MappedText::let_go`].
pub(crate) struct MappedText {
    map: Mapping,
}

impl MappedText {
    /// `file`'s text; `None` for an empty file or where files are not mapped (read it instead).
    pub fn map(file: &File) -> Option<MappedText> {
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        Some(MappedText { map: Mapping::of(file, len)? })
    }

    /// the text.
    pub fn as_bytes(&self) -> &[u8] {
        self.map.bytes()
    }

    /// where `part`, a slice of [`MappedText::as_bytes`], starts in the text.
    pub fn offset_of(&self, part: &[u8]) -> usize {
        let start = (part.as_ptr() as usize).wrapping_sub(self.map.base as usize);
        debug_assert!(start.saturating_add(part.len()) <= self.map.len, "a slice of the mapped text");
        start
    }

    /// bring the pages of `range` into memory now, in one call (before they are scanned).
    pub fn bring_in(&self, range: Range<usize>) {
        #[cfg(target_os = "linux")]
        self.map.advise(range, libc::MADV_POPULATE_READ);
        #[cfg(not(target_os = "linux"))]
        let _ = range;
    }

    /// the pages wholly inside `part` (a slice of [`MappedText::as_bytes`]) are not read again:
    /// they leave this process's memory (read again from the file should they be).
    pub fn let_go(&self, part: &[u8]) {
        #[cfg(target_os = "linux")]
        {
            let start = self.offset_of(part);
            self.map.advise(start..start + part.len(), libc::MADV_DONTNEED);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = part;
    }
}

#[cfg(all(test, unix, target_endian = "little"))]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn maps_the_values_at_their_offset_or_declines() {
        let dir = std::env::temp_dir().join(format!("logreg-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("values.bin");
        let values: Vec<f64> = (0..1000).map(|i| i as f64 * 0.5 - 3.0).collect();
        let mut file = File::create(&path).unwrap();
        file.write_all(&[7u8; 16]).unwrap();
        for v in &values {
            file.write_all(&v.to_le_bytes()).unwrap();
        }
        drop(file);
        let file = File::open(&path).unwrap();
        let mapped = MappedValues::map(&file, 16, 1000).expect("mapped");
        assert_eq!(mapped.as_slice(), &values[..]);
        assert_eq!(MappedValues::map(&file, 16, 10).expect("a prefix").as_slice(), &values[..10]);
        // misaligned, too long, empty
        assert!(MappedValues::map(&file, 12, 10).is_none());
        assert!(MappedValues::map(&file, 16, 1001).is_none());
        assert!(MappedValues::map(&file, 16, 0).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
