//! a 64-bit hash of numeric data at memory speed, the same for any thread count: what a model
//! file records to name the data it was fitted on.

use rayon::prelude::*;

/// values per block: blocks are hashed on all threads, each by four independent lanes, and
/// combined in order.
const BLOCK: usize = 1 << 16;

/// the lanes' starting values.
const LANES: [u64; 4] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];

/// a running hash of slices of words, added in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContentHash(u64);

/// a value hashed as its 64 bits.
pub trait HashWord: Copy + Sync {
    /// the bits hashed.
    fn bits(self) -> u64;
}

impl HashWord for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl HashWord for usize {
    fn bits(self) -> u64 {
        self as u64
    }
}

impl HashWord for u32 {
    fn bits(self) -> u64 {
        u64::from(self)
    }
}

impl ContentHash {
    /// the hash so far, to be stored or continued with [`ContentHash::continuing`].
    pub fn value(self) -> u64 {
        self.0
    }

    /// a hash continuing from the value `state` of an earlier one.
    pub fn continuing(state: u64) -> Self {
        ContentHash(state)
    }

    /// the hash with `values` added.
    pub fn add<T: HashWord>(&mut self, values: &[T]) {
        let blocks: Vec<u64> = values.par_chunks(BLOCK).map(|b| block(b)).collect();
        self.add_blocks(&blocks, values.len());
    }

    /// the hash with `values` added, and the position of the first value that is not finite —
    /// one read of the values for both.
    pub(crate) fn add_checking_finite(&mut self, values: &[f64]) -> Option<usize> {
        let blocks: Vec<(u64, bool)> = values.par_chunks(BLOCK).map(finite_block).collect();
        if let Some(b) = blocks.iter().position(|&(_, finite)| !finite) {
            let start = b * BLOCK;
            return values[start..].iter().position(|v| !v.is_finite()).map(|k| start + k);
        }
        let hashes: Vec<u64> = blocks.into_iter().map(|(h, _)| h).collect();
        self.add_blocks(&hashes, values.len());
        None
    }

    fn add_blocks(&mut self, blocks: &[u64], len: usize) {
        for &b in blocks {
            self.0 = mix(self.0 ^ b);
        }
        self.0 = mix(self.0 ^ len as u64);
    }
}

/// one lane's step.
#[inline(always)]
fn step(lane: u64, word: u64) -> u64 {
    (lane ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(31)
}

fn block<T: HashWord>(values: &[T]) -> u64 {
    lanes_of(values, |_| ())
}

/// [`block`] of `values` and whether every one is finite (its exponent bits not all set).
fn finite_block(values: &[f64]) -> (u64, bool) {
    const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
    let mut finite = true;
    let hash = lanes_of(values, |bits| finite &= bits & EXPONENT != EXPONENT);
    (hash, finite)
}

/// the four lanes over `values` in quads, folded into one word; each value's bits also go to
/// `see`.
#[inline(always)]
fn lanes_of<T: HashWord>(values: &[T], mut see: impl FnMut(u64)) -> u64 {
    let mut lanes = LANES;
    let mut quads = values.chunks_exact(4);
    for q in &mut quads {
        for (lane, &v) in lanes.iter_mut().zip(q) {
            see(v.bits());
            *lane = step(*lane, v.bits());
        }
    }
    for (lane, &v) in lanes.iter_mut().zip(quads.remainder()) {
        see(v.bits());
        *lane = step(*lane, v.bits());
    }
    lanes.iter().fold(0, |h, &l| mix(h ^ l))
}

fn mix(h: u64) -> u64 {
    (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9).rotate_left(23)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize) -> Vec<f64> {
        (0..n).map(|i| (i as f64 * 0.37).sin() * 1e3).collect()
    }

    #[test]
    fn checking_finite_hashes_as_add_does() {
        // sizes around the block and the quad: remainders of every length
        for n in [0, 1, 3, 4, 5, BLOCK - 1, BLOCK, BLOCK + 3, 3 * BLOCK + 2] {
            let x = values(n);
            let (mut a, mut b) = (ContentHash::default(), ContentHash::default());
            a.add(&x);
            assert_eq!(b.add_checking_finite(&x), None, "n = {n}");
            assert_eq!(a, b, "n = {n}");
        }
    }

    #[test]
    fn checking_finite_finds_the_first_bad_value() {
        let mut x = values(3 * BLOCK + 7);
        for (pos, bad) in [(3 * BLOCK + 5, f64::NAN), (BLOCK + 2, f64::INFINITY), (1, f64::NEG_INFINITY)] {
            x[pos] = bad;
            assert_eq!(ContentHash::default().add_checking_finite(&x), Some(pos));
        }
        // the largest finite values are finite
        let y = vec![f64::MAX, f64::MIN, f64::MIN_POSITIVE, -0.0, 5e-324];
        assert_eq!(ContentHash::default().add_checking_finite(&y), None);
    }

    #[test]
    fn the_hash_depends_on_every_value_order_and_length() {
        let x = values(2 * BLOCK + 1);
        let of = |v: &[f64]| {
            let mut h = ContentHash::default();
            h.add(v);
            h.value()
        };
        let base = of(&x);
        for pos in [0, 5, BLOCK, 2 * BLOCK] {
            let mut y = x.clone();
            y[pos] = -y[pos] + 1.0;
            assert_ne!(of(&y), base, "value {pos}");
        }
        let mut swapped = x.clone();
        swapped.swap(0, BLOCK);
        assert_ne!(of(&swapped), base);
        assert_ne!(of(&x[..x.len() - 1]), base);
        // added in two parts continues the same as resumed from the stored value
        let mut whole = ContentHash::default();
        whole.add(&x);
        whole.add(&[1usize, 2]);
        let mut part = ContentHash::default();
        part.add(&x);
        let mut resumed = ContentHash::continuing(part.value());
        resumed.add(&[1usize, 2]);
        assert_eq!(whole, resumed);
    }
}
