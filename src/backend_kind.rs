//! choosing a backend by name at run time.

use std::fmt;
use std::str::FromStr;

use logreg_core::{Backend, ReferenceBackend};

/// a backend compiled into this build, selectable by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// faer (feature `faer`)
    #[cfg(feature = "faer")]
    Faer,
    /// ndarray (feature `ndarray`)
    #[cfg(feature = "ndarray")]
    Ndarray,
    /// nalgebra (feature `nalgebra`)
    #[cfg(feature = "nalgebra")]
    Nalgebra,
    /// plain rust loops, always available
    Reference,
}

impl BackendKind {
    /// every backend compiled into this build: the reference (the default) first, then the
    /// libraries.
    pub const ALL: &'static [BackendKind] = &[
        BackendKind::Reference,
        #[cfg(feature = "faer")]
        BackendKind::Faer,
        #[cfg(feature = "ndarray")]
        BackendKind::Ndarray,
        #[cfg(feature = "nalgebra")]
        BackendKind::Nalgebra,
    ];

    /// the backend itself.
    pub fn backend(self) -> &'static dyn Backend {
        match self {
            #[cfg(feature = "faer")]
            BackendKind::Faer => &logreg_faer::FaerBackend,
            #[cfg(feature = "ndarray")]
            BackendKind::Ndarray => &logreg_ndarray::NdarrayBackend,
            #[cfg(feature = "nalgebra")]
            BackendKind::Nalgebra => &logreg_nalgebra::NalgebraBackend,
            BackendKind::Reference => &ReferenceBackend,
        }
    }

    /// the name used by `FromStr` and `Display`.
    pub fn name(self) -> &'static str {
        self.backend().name()
    }
}

impl Default for BackendKind {
    /// the reference backend: its own simd kernels fit as fast as the libraries' or faster on the
    /// shapes measured (dense and sparse, binary and multinomial; README, "Choosing a backend").
    fn default() -> Self {
        BackendKind::Reference
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// a backend name that is unknown or not compiled into this build.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend `{name}`{hint}; available in this build: {available}")]
pub struct UnknownBackend {
    name: String,
    hint: String,
    available: String,
}

impl FromStr for BackendKind {
    type Err = UnknownBackend;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        if let Some(kind) = BackendKind::ALL.iter().find(|k| k.name() == wanted) {
            return Ok(*kind);
        }
        let known = ["faer", "ndarray", "nalgebra"].contains(&wanted.as_str());
        Err(UnknownBackend {
            name: s.to_string(),
            hint: if known { format!(" (not compiled in: enable cargo feature `{wanted}`)") } else { String::new() },
            available: BackendKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &k in BackendKind::ALL {
            assert_eq!(k.to_string().parse::<BackendKind>(), Ok(k));
        }
        assert_eq!("Reference".parse::<BackendKind>(), Ok(BackendKind::Reference));
        let e = "blas".parse::<BackendKind>().unwrap_err().to_string();
        assert!(e.starts_with("unknown backend `blas`; available in this build: "), "{e}");
    }
}
