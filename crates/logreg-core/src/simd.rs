//! run-time choice of the widest simd instruction set the cpu offers.
//!
//! the hot loops are plain rust written to vectorise; [`widest`] runs them inside a function
//! compiled for avx-512 or avx2 + fma when the cpu has them, and as baseline code otherwise.
//! the environment variable [`SIMD_VAR`] (`avx512`, `avx2` or `scalar`) caps the level, so the
//! narrower kernels can be measured and tested on a wider cpu; it is read once per process.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

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

impl Level {
    /// the name [`SIMD_VAR`] takes: `avx512`, `avx2` or `scalar`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Avx512 => "avx512",
            Level::Avx2 => "avx2",
            Level::Baseline => "scalar",
        }
    }

    /// wider levels rank higher.
    fn rank(self) -> u8 {
        match self {
            Level::Baseline => 1,
            Level::Avx2 => 2,
            Level::Avx512 => 3,
        }
    }

    fn from_rank(rank: u8) -> Level {
        match rank {
            3 => Level::Avx512,
            2 => Level::Avx2,
            _ => Level::Baseline,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// the environment variable that caps the simd level: `avx512`, `avx2` or `scalar`.
pub const SIMD_VAR: &str = "LOGREG_SIMD";

/// the level the hot loops run at: the widest the cpu offers, capped by [`SIMD_VAR`] when it is
/// set (an invalid or unsupported value is ignored here; [`checked_level`] reports it). decided
/// once, then cached; code chosen by it may use every feature the level names.
#[inline(always)]
pub fn level() -> Level {
    static CHOSEN: AtomicU8 = AtomicU8::new(0);
    cached(&CHOSEN, || checked_level().unwrap_or_else(|_| detected()))
}

/// the level in `chosen` (a rank, 0 until decided), or `decide()`'s, then kept there.
#[inline(always)]
fn cached(chosen: &AtomicU8, decide: impl FnOnce() -> Level) -> Level {
    match chosen.load(Ordering::Relaxed) {
        0 => {
            let level = decide();
            chosen.store(level.rank(), Ordering::Relaxed);
            level
        }
        rank => Level::from_rank(rank),
    }
}

/// the level [`level`] runs at, or an error naming [`SIMD_VAR`] when its value is not a level's
/// name or asks for a level this cpu lacks.
pub fn checked_level() -> Result<Level> {
    let cpu = detected();
    let Ok(value) = std::env::var(SIMD_VAR) else { return Ok(cpu) };
    let wanted = match value.trim().to_ascii_lowercase().as_str() {
        "" => return Ok(cpu),
        "avx512" | "avx-512" => Level::Avx512,
        "avx2" => Level::Avx2,
        "scalar" | "baseline" | "none" => Level::Baseline,
        _ => {
            return Err(Error::param(SIMD_VAR, format!("`{value}` is not a simd level; use avx512, avx2 or scalar")));
        }
    };
    if wanted.rank() > cpu.rank() {
        return Err(Error::param(SIMD_VAR, format!("asks for {wanted}, but this cpu offers at most {cpu}")));
    }
    Ok(wanted)
}

/// whether the cpu offers `level` (whatever [`SIMD_VAR`] says): the kernels of each level are
/// tested wherever the cpu can run them.
#[cfg(test)]
pub(crate) fn cpu_offers(level: Level) -> bool {
    detected().rank() >= level.rank()
}

/// the widest [`Level`] the cpu offers (detected once, then cached by std).
fn detected() -> Level {
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

/// whether code that [`widest`] runs is compiled for fused multiply-adds (avx2 and avx-512
/// are): where it is, `f64::mul_add` is one instruction; elsewhere a library call.
#[inline(always)]
pub(crate) fn fused() -> bool {
    level() != Level::Baseline
}

/// the level the dense binary row kernels (`X·w`, `Xᵀr` and the fused loss-and-gradient pass
/// around them) run at: [`level`], but avx2 where that is avx-512 on an amd zen 4 or zen 5 cpu,
/// where the 256-bit kernels were measured the faster ones (1M × 100 from memory). zen 4
/// (family 19h, 512-bit operations as two 256-bit halves): one thread 55 → 46 ms a pass, l-bfgs
/// fits 6–9 % sooner. zen 5 (family 1ah, full 512-bit units): the fused pass at
/// 64 → 81–83 % of the read bandwidth on one thread, 66 → 86–88 % on two. decided once, then cached.
#[inline(always)]
pub fn row_level() -> Level {
    static CHOSEN: AtomicU8 = AtomicU8::new(0);
    cached(&CHOSEN, || match level() {
        Level::Avx512 if prefers_256_bit_rows() => Level::Avx2,
        level => level,
    })
}

/// the levels the kernels run at, as recorded with a fit: [`level`]'s name, followed by
/// `, rows avx2` where [`row_level`] is narrower.
pub fn describe() -> String {
    let (all, rows) = (level(), row_level());
    if rows == all { all.to_string() } else { format!("{all}, rows {rows}") }
}

/// whether the cpu is one where the 256-bit row kernels beat the 512-bit ones: amd's zen 4
/// (family 19h; zen 3, the same family, has no avx-512 at all) and zen 5 (family 1ah).
fn prefers_256_bit_rows() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::__cpuid;
        // SAFETY: cpuid exists on every x86-64 cpu (a safe function in newer rust)
        #[allow(unused_unsafe)]
        let (vendor, signature) = unsafe { (__cpuid(0), __cpuid(1).eax) };
        let amd = (vendor.ebx, vendor.edx, vendor.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163);
        let base = (signature >> 8) & 0xf;
        let family = if base == 0xf { base + ((signature >> 20) & 0xff) } else { base };
        amd && (family == 0x19 || family == 0x1a)
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// runs `f` compiled for the simd [`level`]; `f` must be `#[inline(always)]` for its
/// body to be compiled that way.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    at(level(), f)
}

/// runs `f` compiled for `wanted`, or for [`level`] when that is narrower; `f` must be
/// `#[inline(always)]` for its body to be compiled that way.
#[inline(always)]
pub fn at<R>(wanted: Level, f: impl FnOnce() -> R) -> R {
    let cpu = level();
    match if wanted.rank() <= cpu.rank() { wanted } else { cpu } {
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
    use super::Level;

    #[test]
    fn names_and_ranks_round_trip() {
        for level in [Level::Avx512, Level::Avx2, Level::Baseline] {
            assert_eq!(Level::from_rank(level.rank()), level);
        }
        assert_eq!(Level::Baseline.to_string(), "scalar");
    }
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
