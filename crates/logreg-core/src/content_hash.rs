//! a 64-bit hash of numeric data at memory speed, the same for any thread count: what a model
//! file records to name the data it was fitted on.

use rayon::prelude::*;

use crate::view::MatrixRef;

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

    /// the hash with the values of `m`'s rows added in row order (as [`ContentHash::add`] of
    /// them copied out), and the row and column of the first value that is not finite — one
    /// read of the values for both, rows apart in their buffer or not.
    pub(crate) fn add_rows_checking_finite(&mut self, m: MatrixRef<'_>) -> Option<(usize, usize)> {
        let d = m.n_cols();
        if let Some(values) = m.as_slice() {
            return self.add_checking_finite(values).map(|k| (k / d, k % d));
        }
        let len = m.n_rows() * d;
        let blocks: Vec<(u64, bool)> = (0..len.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| rows_finite_block(m, b * BLOCK..((b + 1) * BLOCK).min(len)))
            .collect();
        if let Some(b) = blocks.iter().position(|&(_, finite)| !finite) {
            return (b * BLOCK / d..m.n_rows())
                .find_map(|i| m.row(i).iter().position(|v| !v.is_finite()).map(|j| (i, j)));
        }
        let hashes: Vec<u64> = blocks.into_iter().map(|(h, _)| h).collect();
        self.add_blocks(&hashes, len);
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
    let mut lanes = Lanes::default();
    lanes.feed(values, &mut |_| ());
    lanes.finish()
}

/// bits of a float64 whose exponent bits are all set: an infinity or a nan.
const EXPONENT: u64 = 0x7ff0_0000_0000_0000;

/// [`block`] of `values` and whether every one is finite (its exponent bits not all set).
fn finite_block(values: &[f64]) -> (u64, bool) {
    let mut finite = true;
    let mut lanes = Lanes::default();
    lanes.feed(values, &mut |bits| finite &= bits & EXPONENT != EXPONENT);
    (lanes.finish(), finite)
}

/// [`finite_block`] of the values `range` of `m`'s rows taken in row order (what
/// [`finite_block`] of those values copied out would give).
fn rows_finite_block(m: MatrixRef<'_>, range: std::ops::Range<usize>) -> (u64, bool) {
    let d = m.n_cols();
    let mut finite = true;
    let mut lanes = Lanes::default();
    let mut p = range.start;
    while p < range.end {
        let (i, j) = (p / d, p % d);
        let take = (d - j).min(range.end - p);
        lanes.feed(&m.row(i)[j..j + take], &mut |bits| finite &= bits & EXPONENT != EXPONENT);
        p += take;
    }
    (lanes.finish(), finite)
}

/// four lanes, the `t`-th value of a block going to lane `t mod 4`.
struct Lanes {
    lanes: [u64; 4],
    /// the lane of the next value
    next: usize,
}

impl Default for Lanes {
    fn default() -> Self {
        Lanes { lanes: LANES, next: 0 }
    }
}

impl Lanes {
    /// the lanes with `values` added in order; each value's bits also go to `see`.
    #[inline(always)]
    fn feed<T: HashWord>(&mut self, values: &[T], see: &mut impl FnMut(u64)) {
        let head = ((4 - self.next) % 4).min(values.len());
        let (head, rest) = values.split_at(head);
        let mut quads = rest.chunks_exact(4);
        self.feed_one_by_one(head, see);
        for q in &mut quads {
            for (lane, &v) in self.lanes.iter_mut().zip(q) {
                see(v.bits());
                *lane = step(*lane, v.bits());
            }
        }
        self.feed_one_by_one(quads.remainder(), see);
    }

    #[inline(always)]
    fn feed_one_by_one<T: HashWord>(&mut self, values: &[T], see: &mut impl FnMut(u64)) {
        for &v in values {
            see(v.bits());
            self.lanes[self.next] = step(self.lanes[self.next], v.bits());
            self.next = (self.next + 1) % 4;
        }
    }

    /// the lanes folded into one word.
    fn finish(self) -> u64 {
        self.lanes.iter().fold(0, |h, &l| mix(h ^ l))
    }
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

    /// rows apart in their buffer (a label between them) hash as their values copied out do, at
    /// widths that do and do not divide the block; the first bad value found is a feature's,
    /// never a value between rows.
    #[test]
    fn rows_apart_hash_as_their_values_copied_out() {
        for (n, d, stride) in
            [(1, 3, 5), (7, 3, 4), (BLOCK / 3 + 5, 3, 4), (3 * BLOCK / 100 + 1, 100, 101), (40_000, 7, 9)]
        {
            let mut buf = values(n * stride);
            buf.truncate((n - 1) * stride + d);
            let m = MatrixRef::with_row_stride(&buf, n, d, stride).unwrap();
            let copied: Vec<f64> = m.rows().flatten().copied().collect();
            let (mut a, mut b) = (ContentHash::default(), ContentHash::default());
            a.add(&copied);
            assert_eq!(b.add_rows_checking_finite(m), None, "{n} × {d}");
            assert_eq!(a, b, "{n} × {d} every {stride}");
            let mut c = ContentHash::default();
            assert_eq!(c.add_rows_checking_finite(MatrixRef::new(&copied, n, d).unwrap()), None);
            assert_eq!(a, c, "contiguous");
        }
        let (n, d, stride) = (40_000, 7, 8);
        let mut buf = values(n * stride);
        buf.truncate((n - 1) * stride + d);
        buf[3 * stride + d] = f64::NAN; // between rows 3 and 4: not a feature
        let at = |buf: &[f64]| {
            ContentHash::default().add_rows_checking_finite(MatrixRef::with_row_stride(buf, n, d, stride).unwrap())
        };
        assert_eq!(at(&buf), None);
        buf[30_000 * stride + 2] = f64::INFINITY;
        assert_eq!(at(&buf), Some((30_000, 2)));
        buf[9_000 * stride + 6] = f64::NAN;
        assert_eq!(at(&buf), Some((9_000, 6)));
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
