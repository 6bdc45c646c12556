//! ctrl-c: the first asks the work to stop and no file is written after it; the second ends the
//! process at once (a model being written then stays a hidden temp file, never a partial model).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// the error of work stopped by ctrl-c.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted (ctrl-c): no file was written")
    }
}

impl std::error::Error for Interrupted {}

/// listen for ctrl-c; without a handler it keeps its default (the process ends).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping… (ctrl-c again to quit at once)");
    });
}

/// whether ctrl-c was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// [`Interrupted`] when ctrl-c was pressed.
pub fn check() -> Result<(), Interrupted> {
    if interrupted() { Err(Interrupted) } else { Ok(()) }
}
