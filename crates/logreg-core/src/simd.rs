//! run-time choice of the widest simd instruction set the cpu offers.
//!
//! the hot loops are plain rust written to vectorise; [`widest`] runs them inside a function
//! compiled for avx-512 or avx2 + fma when the cpu has them (checked once, then cached by std),
//! and as baseline code otherwise.

/// the instruction sets the hot loops can be compiled for, widest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// avx-512 (f, dq, vl) with avx2 and fma
    Avx512,
    /// avx2 with fma
    Avx2,
    /// the target's baseline
    Baseline,
}

/// the widest [`Level`] the cpu offers (detected once, then cached by std); code chosen by it
/// may use every feature the level names.
#[inline(always)]
pub fn level() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

/// runs `f` compiled for the widest simd the cpu offers; `f` must be `#[inline(always)]` for its
/// body to be compiled that way.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    match level() {
        // SAFETY: `level` checked that the cpu supports every feature the function is compiled for
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { x86::avx512(f) },
        // SAFETY: as above
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { x86::avx2(f) },
        _ => f(),
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    pub(super) unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_the_closure_once_and_returns_its_value() {
        let mut calls = 0;
        let v = super::widest(|| {
            calls += 1;
            21 * 2
        });
        assert_eq!((v, calls), (42, 1));
    }
}
