//! float64 values of a file viewed in place: the file mapped read-only into memory, never
//! copied (unix, little-endian; elsewhere files are read).
//!
//! the file must not shrink while it is mapped: reading a page past its new end is a bus error
//! (as for any program that maps files). its values are checked finite once, when mapped.

use std::fs::File;

/// `len` float64 values of a file, mapped read-only.
pub struct MappedValues {
    /// the mapping: the whole file from its start
    base: *mut std::ffi::c_void,
    map_len: usize,
    /// the first value, inside the mapping, 8-byte aligned
    values: *const f64,
    len: usize,
}

// SAFETY: the mapping is read-only and private to this value: shared references to it from
// any thread only read memory that nothing writes
unsafe impl Send for MappedValues {}
// SAFETY: as above
unsafe impl Sync for MappedValues {}

impl MappedValues {
    /// the `len` little-endian float64 values starting `offset` bytes into `file`, mapped; `None`
    /// where values cannot be viewed in place (not unix or not little-endian, no values, an offset not a
    /// multiple of 8, a file too short, or a kernel that refuses the mapping): read them instead.
    pub fn map(file: &File, offset: usize, len: usize) -> Option<MappedValues> {
        #[cfg(all(unix, target_endian = "little"))]
        {
            use std::os::unix::io::AsRawFd;
            let bytes = len.checked_mul(8)?.checked_add(offset)?;
            let file_len = usize::try_from(file.metadata().ok()?.len()).ok()?;
            if !offset.is_multiple_of(8) || file_len < bytes || len == 0 {
                return None;
            }
            #[cfg(target_os = "linux")]
            let flags = libc::MAP_PRIVATE | libc::MAP_POPULATE;
            #[cfg(not(target_os = "linux"))]
            let flags = libc::MAP_PRIVATE;
            // SAFETY: a new read-only private mapping of an open file, of its own length; the
            // kernel chooses the address, so no memory of this process is replaced
            let base = unsafe { libc::mmap(std::ptr::null_mut(), bytes, libc::PROT_READ, flags, file.as_raw_fd(), 0) };
            if base == libc::MAP_FAILED {
                return None;
            }
            // SAFETY: `offset < bytes`, inside the mapping; mappings start on a page, so the
            // values are 8-byte aligned as `offset` is
            let values = unsafe { base.cast::<u8>().add(offset) }.cast::<f64>();
            Some(MappedValues { base, map_len: bytes, values, len })
        }
        #[cfg(not(all(unix, target_endian = "little")))]
        {
            let _ = (file, offset, len);
            None
        }
    }

    /// the values.
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: `len` aligned values lie inside the mapping, which lives as long as `self`
        // and is never written
        unsafe { std::slice::from_raw_parts(self.values, self.len) }
    }
}

impl Drop for MappedValues {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: the mapping made in `map`, unmapped once; no view of it outlives `self`
        unsafe {
            libc::munmap(self.base, self.map_len);
        }
    }
}

impl std::fmt::Debug for MappedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedValues").field("len", &self.len).finish()
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
