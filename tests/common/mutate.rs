//! a seeded byte-mutation fuzzer for the file readers: mutated copies of valid and malformed
//! seed files, fed to a reader that must return (an error or a value) without panicking.
//! deterministic for a seed; the iteration count comes from `LOGREG_FUZZ_ITERATIONS`.
#![allow(dead_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// bytes that matter to the formats: separators, quotes, signs, exponents, digits, json and
/// npy punctuation, invalid utf-8.
const INTERESTING: &[u8] = b",;:\n\r\t \"'-+.eE0123456789{}[]()#<>|\\nNaIif\x00\xff\x80\xef\xbb\xbf";
/// tokens that break numbers: overflow, nan, huge indices, extreme shapes.
const TOKENS: &[&str] = &[
    "1e400",
    "-1e400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e-400",
    "-0",
    "18446744073709551616",
    "4294967296",
    "9999999999",
    "0",
    "-1",
    "1e308",
    "0x10",
    "1_000",
    "",
    "\"",
    "\"\"",
    "(1000000000000, 3)",
    "(3,)",
    "(0, 2)",
    "'<f4'",
    "'>f8'",
    "True",
    "null",
    "[]",
    "{}",
    "1:1e999",
    "0:1",
    "99999999999:1",
    ":",
];

/// a small deterministic generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// one to eight random edits of `seed` (flips, interesting bytes, token insertions, deletions,
/// duplications, splices from `other`, truncation).
pub fn mutate(seed: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(9) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => v.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                // replace a run of digits / a token at `at` with it
                let end = (at..v.len()).find(|&i| !v[i].is_ascii_alphanumeric() && v[i] != b'.').unwrap_or(v.len());
                v.splice(at..end.max(at), t.iter().copied());
            }
            4 if !v.is_empty() => {
                let len = 1 + rng.below(16.min(v.len() - at.min(v.len() - 1)));
                let i = at.min(v.len() - 1);
                v.drain(i..(i + len).min(v.len()));
            }
            5 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                let len = 1 + rng.below(64);
                let chunk: Vec<u8> = v[i..(i + len).min(v.len())].to_vec();
                v.splice(i..i, chunk);
            }
            6 if !other.is_empty() => {
                let i = rng.below(other.len());
                let len = 1 + rng.below(64);
                v.splice(at..at, other[i..(i + len).min(other.len())].iter().copied());
            }
            7 => v.truncate(at),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
        }
    }
    v
}

/// what a fuzzing run saw.
#[derive(Debug, Default)]
pub struct Report {
    pub inputs: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub slowest: Duration,
}

/// iterations per reader: `LOGREG_FUZZ_ITERATIONS`, else `default`.
pub fn iterations(default: usize) -> usize {
    std::env::var("LOGREG_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// feed `iterations` mutated seeds to `read` (`Ok(true)` accepted, `Ok(false)` rejected with an
/// error); a panic fails with the input that caused it (written to the temp dir).
pub fn fuzz(name: &str, seeds: &[Vec<u8>], iterations: usize, seed: u64, read: impl Fn(&[u8]) -> bool) -> Report {
    let mut rng = Rng::new(seed);
    let mut report = Report::default();
    for k in 0..iterations {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let input = if k < seeds.len() { seeds[k].clone() } else { mutate(a, b, &mut rng) };
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| read(&input)));
        report.slowest = report.slowest.max(start.elapsed());
        match result {
            Ok(true) => report.accepted += 1,
            Ok(false) => report.rejected += 1,
            Err(_) => {
                let path = std::env::temp_dir().join(format!("logreg-fuzz-{name}-{k}.bin"));
                std::fs::write(&path, &input).ok();
                panic!("{name}: input {k} panicked the reader; saved to {}", path.display());
            }
        }
        report.inputs += 1;
    }
    eprintln!("fuzz {name}: {report:?}");
    report
}
