//! writing output files atomically: a temp file beside the target, synced, then renamed over it,
//! so a failure never leaves a half-written or clobbered file.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// write `path` through `fill`, atomically.
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".logreg-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file in {}", path.display(), dir.display()))?;
    // a replaced file keeps its permissions; a new one gets the usual rw-r--r--
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms =
            std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        std::fs::set_permissions(tmp.path(), perms)
            .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    }
    let mut w = BufWriter::new(tmp);
    fill(&mut w).and_then(|()| w.flush()).with_context(|| format!("{}: cannot write", path.display()))?;
    let tmp =
        w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("{}: cannot sync", path.display()))?;
    // after ctrl-c nothing replaces the file (the temp file is removed as it drops)
    crate::interrupt::check()?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("{}: cannot replace the file", path.display()))?;
    Ok(())
}

/// print `text` to standard output; a closed pipe (`logreg … | head`) ends output quietly.
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}
