//! plain decimal numbers as text files write them (`-0.54962798111550781`, `3.25e-3`) read to the
//! correctly rounded `f64` quickly: digits eight at a time, then the exact product of the
//! significand with a 128-bit power of five (eisel & lemire's method, lemire 2021, "number parsing
//! at a gigabyte per second"). anything else — more than 19 digits, exponents whose power of five
//! is not held exactly here, `inf`, `.5` — is declined, for the general parser to read.

/// the smallest and largest decimal exponents `q` (value `w·10^q`) read here: the range in which
/// the 128-bit powers of five below decide every rounding (lemire 2021, section 8).
const MIN_Q: i32 = -27;
const MAX_Q: i32 = 55;

/// `5^q` for `q` in `MIN_Q..=MAX_Q`, normalised to 128 bits (top bit set) as `(high, low)`
/// halves: exact for `q ≥ 0`; for `q < 0`, `⌊2^b / 5^−q⌋ + 1` with `b` chosen for 128 bits.
static POWERS_OF_FIVE: [(u64, u64); (MAX_Q - MIN_Q + 1) as usize] = powers_of_five();

const fn powers_of_five() -> [(u64, u64); (MAX_Q - MIN_Q + 1) as usize] {
    let mut table = [(0u64, 0u64); (MAX_Q - MIN_Q + 1) as usize];
    let mut q = MIN_Q;
    while q <= MAX_Q {
        let value: u128 = if q >= 0 {
            let mut p: u128 = 1;
            let mut k = 0;
            while k < q {
                p *= 5;
                k += 1;
            }
            p << p.leading_zeros()
        } else {
            // 5^−q < 2^64 for −q ≤ 27; b = bits(5^−q) + 127 puts the quotient in [2^127, 2^128)
            let mut p: u128 = 1;
            let mut k = 0;
            while k < -q {
                p *= 5;
                k += 1;
            }
            let b = (128 - p.leading_zeros()) + 127;
            // long division of 2^b by p, one bit at a time
            let (mut rest, mut quotient): (u128, u128) = (1, 0);
            let mut i = 0;
            while i < b {
                rest <<= 1;
                quotient <<= 1;
                if rest >= p {
                    rest -= p;
                    quotient |= 1;
                }
                i += 1;
            }
            quotient + 1
        };
        table[(q - MIN_Q) as usize] = ((value >> 64) as u64, value as u64);
        q += 1;
    }
    table
}

/// `10^k` for the exact small powers.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// whether the eight bytes (little-endian) are all ascii digits.
#[inline(always)]
fn eight_digits(v: u64) -> bool {
    non_digits(v) == 0
}

/// the value of eight ascii digits (little-endian: the first digit in the lowest byte).
#[inline(always)]
fn eight_digits_value(v: u64) -> u64 {
    // neighbouring digits to pairs (each in a 16-bit lane), then pairs to the whole by two
    // multiplies that add the scaled lanes into the top 32 bits
    let v = v - 0x3030_3030_3030_3030;
    let v = (v * 10) + (v >> 8);
    let low = (v & 0x0000_00FF_0000_00FF).wrapping_mul(1_000_000 << 32 | 100);
    let high = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(10_000 << 32 | 1);
    u64::from((low.wrapping_add(high) >> 32) as u32)
}

/// a plain decimal number at the start of `text`: `[-+]digits[.digits][(e|E)[-+]digits]` with at
/// most 19 significant digits (and a digit before any point); its correctly rounded value and length.
/// `None` for anything else, and where the value is not decided here (the caller then uses a
/// general parser, which gives the same value wherever both read a number).
#[inline]
pub fn parse_plain(text: &[u8]) -> Option<(f64, usize)> {
    parse_fixed(text).or_else(|| parse_digits(text))
}

/// the finite number at the start of `text` and its length (at least one byte): plain decimals
/// by [`parse_plain`], every other form by a general correctly rounding parser; `None` when
/// `text` starts with no number, or with one that is not finite (`inf`, `nan`, `1e400`).
#[inline(always)]
pub fn parse_prefix(text: &[u8]) -> Option<(f64, usize)> {
    match parse_fixed(text) {
        Some(read) => Some(read),
        None => parse_other_prefix(text),
    }
}

/// [`parse_prefix`] for the numbers [`parse_fixed`] declines (kept out of line: the common
/// shape's path stays short where it is inlined).
#[inline(never)]
fn parse_other_prefix(text: &[u8]) -> Option<(f64, usize)> {
    parse_digits(text)
        .or_else(|| fast_float2::parse_partial::<f64, _>(text).ok())
        .filter(|&(v, n)| v.is_finite() && n > 0)
}

/// `text`, all of it, as a number: plain decimals by [`parse_plain`], every other form (`inf`,
/// `1.5e400`, long significands) by a general correctly rounding parser; `None` when it is not a
/// number.
pub fn parse_whole(text: &[u8]) -> Option<f64> {
    match parse_plain(text) {
        Some((v, n)) if n == text.len() => Some(v),
        _ => fast_float2::parse::<f64, _>(text).ok(),
    }
}

/// bytes that are not ascii digits, marked by their top bit; exact up to the first one (carries
/// and borrows only move upwards, from bytes that are digits and make none).
#[inline(always)]
fn non_digits(v: u64) -> u64 {
    let above = v.wrapping_add(0x4646_4646_4646_4646);
    let below = v.wrapping_sub(0x3030_3030_3030_3030);
    (above | below) & 0x8080_8080_8080_8080
}

/// eight ascii zeros.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// the lowest `n ≤ 8` bytes set.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
#[inline(always)]
fn low_bytes(n: u32) -> u64 {
    ((1u128 << (8 * n)) - 1) as u64
}

/// the eight bytes at `at`.
#[inline(always)]
fn load(text: &[u8; 40], at: usize) -> u64 {
    u64::from_le_bytes(text[at..at + 8].try_into().expect("eight bytes"))
}

/// `10^k` for `k ≤ 8`.
const TENS: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// [`parse_plain`] for the common shape `[-]d.ddd…` (1–3 digits before the point, 1–19 after,
/// no exponent) without a branch that depends on the digits: one scan marks the digits among
/// the 32 bytes after the sign (so the point and the end are found at once), the fraction's
/// first sixteen digits are summed in one vector, and the value is `w·10^−q` for
/// `q = max(16, len)` (fractions of at most eight digits: `(int·10^8 + digits) / 10^8`, exact
/// operands). `None` for another shape (or fewer than 40 bytes left).
#[inline(always)]
fn parse_fixed(text: &[u8]) -> Option<(f64, usize)> {
    let t: &[u8; 40] = text.get(..40)?.try_into().ok()?;
    let negative = t[0] == b'-';
    let i = usize::from(negative);
    // bit k: byte i + k is a digit
    let digits = digit_bits(t, i) | digit_bits(t, i + 16) << 16;
    let whole = (!digits).trailing_zeros();
    if whole == 0 || whole > 3 || t[i + whole as usize] != b'.' {
        return None;
    }
    // the fraction's digits (at most 31 − whole are marked: a longer run is declined below)
    let len = (!(digits >> (whole + 1))).trailing_zeros();
    let f = i + whole as usize + 1;
    let end = f + len as usize;
    if len == 0 || t[end] | 0x20 == b'e' {
        return None;
    }
    let int_value = up_to_three_digits(load(t, i), whole);
    let significant = if int_value == 0 { 0 } else { whole } + len.max(16);
    if significant > 19 {
        return None;
    }
    // the first sixteen fraction digits (zeros past the end), as two eights, and the rest (0
    // to 3 digits)
    let (first8, second8) = sixteen_digits(t, f, len.min(16));
    let magnitude = if len <= 8 {
        // short: int·10^8 + first8 < 2^53, both it and 10^8 exact, so one rounding (clinger)
        (int_value * 100_000_000 + first8) as f64 / 1e8
    } else {
        let extra = len.saturating_sub(16);
        let w = (int_value * 10_000_000_000_000_000 + first8 * 100_000_000 + second8) * TENS[extra as usize]
            + up_to_three_digits(load(t, f + 16), extra);
        if w == 0 { 0.0 } else { eisel_lemire(w, -(len.max(16) as i32))? }
    };
    // the sign without a branch (half the numbers of a centred column are negative)
    Some((f64::from_bits(magnitude.to_bits() | u64::from(negative) << 63), end))
}

/// the value of the first `n ≤ 3` bytes of `v` (little-endian, text order), ascii digits.
#[inline(always)]
fn up_to_three_digits(v: u64, n: u32) -> u64 {
    // the n digits moved to the top of the low three bytes, zeros in front of them
    let d = (v.wrapping_sub(ZEROS) << (8 * (3 - n))) & 0x00FF_FFFF;
    // (10·d0 + d1)·10 + d2
    ((d * 10 + (d >> 8)) & 0xFF) * 10 + (d >> 16)
}

/// the ascii digits among the sixteen bytes at `at`: bit k set when byte `at + k` is one.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
#[inline(always)]
fn digit_bits_scalar(text: &[u8; 40], at: usize) -> u32 {
    text[at..at + 16].iter().enumerate().fold(0, |bits, (k, b)| bits | u32::from(b.is_ascii_digit()) << k)
}

/// [`digit_bits_scalar`] in one 16-byte vector (sse2, which every x86-64 cpu has).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn digit_bits(text: &[u8; 40], at: usize) -> u32 {
    use std::arch::x86_64::*;
    let bytes: &[u8; 16] = text[at..at + 16].try_into().expect("sixteen bytes");
    // SAFETY: sse2 is part of the x86-64 baseline; the load reads the sixteen bytes borrowed above
    unsafe {
        let d = _mm_sub_epi8(_mm_loadu_si128(bytes.as_ptr().cast()), _mm_set1_epi8(b'0' as i8));
        // a digit's byte is 0..=9 after the subtraction, any other byte larger (unsigned)
        let nine = _mm_set1_epi8(9);
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, nine), nine)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn digit_bits(text: &[u8; 40], at: usize) -> u32 {
    digit_bits_scalar(text, at)
}

/// the value of the first `n ≤ 16` bytes at `at` (ascii digits) followed by zeros to sixteen
/// digits, as its first and second eight digits.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
#[inline(always)]
fn sixteen_digits_scalar(text: &[u8; 40], at: usize, n: u32) -> (u64, u64) {
    let kept = |b: u64, n: u32| {
        let keep = low_bytes(n);
        (b & keep) | (ZEROS & !keep)
    };
    (
        eight_digits_value(kept(load(text, at), n.min(8))),
        eight_digits_value(kept(load(text, at + 8), n.clamp(8, 16) - 8)),
    )
}

/// byte masks keeping the first `n ≤ 16` of sixteen bytes.
#[cfg(target_arch = "x86_64")]
static FIRST_BYTES: [[u8; 16]; 17] = {
    let mut masks = [[0u8; 16]; 17];
    let mut n = 0;
    while n <= 16 {
        let mut k = 0;
        while k < n {
            masks[n][k] = 0xFF;
            k += 1;
        }
        n += 1;
    }
    masks
};

/// [`sixteen_digits_scalar`] in one 16-byte vector: the digits' pairwise sums at once, in about
/// half the instructions.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sixteen_digits(text: &[u8; 40], at: usize, n: u32) -> (u64, u64) {
    use std::arch::x86_64::*;
    let bytes: &[u8; 16] = text[at..at + 16].try_into().expect("sixteen bytes");
    let keep: &[u8; 16] = &FIRST_BYTES[n as usize];
    // SAFETY: sse2 is part of the x86-64 baseline; the loads read the sixteen bytes borrowed above
    let both = unsafe {
        let d = _mm_sub_epi8(_mm_loadu_si128(bytes.as_ptr().cast()), _mm_set1_epi8(b'0' as i8));
        // bytes from the n-th on taken as zeros
        let d = _mm_and_si128(d, _mm_loadu_si128(keep.as_ptr().cast()));
        // digit pairs (10·a + b), then fours, then eights, each step a multiply-add of 16-bit lanes
        let zero = _mm_setzero_si128();
        let pair = _mm_set1_epi32(0x0001_000A);
        let pairs = _mm_packs_epi32(
            _mm_madd_epi16(_mm_unpacklo_epi8(d, zero), pair),
            _mm_madd_epi16(_mm_unpackhi_epi8(d, zero), pair),
        );
        let fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x0001_0064));
        let eights = _mm_madd_epi16(_mm_packs_epi32(fours, fours), _mm_set1_epi32(0x0001_2710));
        _mm_cvtsi128_si64(eights) as u64
    };
    (both & 0xFFFF_FFFF, both >> 32)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn sixteen_digits(text: &[u8; 40], at: usize, n: u32) -> (u64, u64) {
    sixteen_digits_scalar(text, at, n)
}

/// [`parse_plain`] digit by digit (eight at a time after the point).
#[inline]
fn parse_digits(text: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let negative = match text.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut w: u64 = 0;
    let start = i;
    while let Some(&b) = text.get(i)
        && b.is_ascii_digit()
    {
        w = w.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        i += 1;
    }
    let whole = i - start;
    if whole == 0 {
        return None;
    }
    // significant digits: those from the first nonzero one (zeros before it add nothing to w)
    let mut significant = if w == 0 { 0 } else { whole };
    let mut fraction = 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        let from = i;
        if w == 0 {
            while text.get(i) == Some(&b'0') {
                i += 1;
            }
        }
        let first = i;
        while let Some(chunk) = text.get(i..i + 8) {
            let v = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if !eight_digits(v) {
                break;
            }
            w = w.wrapping_mul(100_000_000).wrapping_add(eight_digits_value(v));
            i += 8;
        }
        while let Some(&b) = text.get(i)
            && b.is_ascii_digit()
        {
            w = w.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            i += 1;
        }
        fraction = i - from;
        significant += i - first;
    }
    if significant > 19 {
        return None; // w may have wrapped; the general parser reads long significands
    }
    let mut q = -(fraction as i32);
    if let Some(b'e' | b'E') = text.get(i) {
        i += 1;
        let minus = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let (from, mut e) = (i, 0i32);
        while let Some(&b) = text.get(i)
            && b.is_ascii_digit()
            && i - from < 4
        {
            e = e * 10 + i32::from(b - b'0');
            i += 1;
        }
        if i == from || text.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        q += if minus { -e } else { e };
    }
    let magnitude = to_f64(w, q)?;
    Some((if negative { -magnitude } else { magnitude }, i))
}

/// `w·10^q` correctly rounded (to nearest, ties to even), for `q` in `MIN_Q..=MAX_Q`.
#[inline(always)]
fn to_f64(w: u64, q: i32) -> Option<f64> {
    if w == 0 {
        return Some(0.0);
    }
    // both exact: one rounding (clinger's fast path)
    if w <= 1 << 53 && (-22..=22).contains(&q) {
        let v = w as f64;
        return Some(if q < 0 { v / POWERS_OF_TEN[-q as usize] } else { v * POWERS_OF_TEN[q as usize] });
    }
    eisel_lemire(w, q)
}

/// [`to_f64`] for `w > 0` by the 128-bit product alone (no fast path: where `w` is as often
/// above `2^53` as below, as for [`parse_fixed`]'s sixteen-digit significands of numbers below 1,
/// the branch between the two guesses wrong too often to pay).
#[inline(always)]
fn eisel_lemire(w: u64, q: i32) -> Option<f64> {
    if !(MIN_Q..=MAX_Q).contains(&q) {
        return None;
    }
    let zeros = w.leading_zeros();
    let w = w << zeros;
    // the top bits of w·5^q: one 64 × 64 product, a second when the first leaves the 55 bits
    // needed in doubt
    let (high5, low5) = POWERS_OF_FIVE[(q - MIN_Q) as usize];
    let first = u128::from(w) * u128::from(high5);
    let (mut lo, mut hi) = (first as u64, (first >> 64) as u64);
    const DOUBT: u64 = u64::MAX >> 55;
    if hi & DOUBT == DOUBT {
        let second_hi = ((u128::from(w) * u128::from(low5)) >> 64) as u64;
        let (sum, carry) = lo.overflowing_add(second_hi);
        lo = sum;
        hi += u64::from(carry);
    }
    // (within MIN_Q..=MAX_Q a product still in doubt is decided: lemire 2021, section 8)
    let upper = (hi >> 63) as i32;
    let shift = upper + 64 - 52 - 3;
    let mut mantissa = hi >> shift;
    // binary exponent of the result, biased: ⌊log2(10^q)⌋ + 63 by a fixed-point multiply
    let mut power2 = ((q.wrapping_mul(152_170 + 65_536) >> 16) + 63) + upper - zeros as i32 + 1023;
    if power2 <= 0 {
        return None; // subnormal: not within this range of q, but never guessed
    }
    // exactly halfway between two doubles: ties to even
    if lo <= 1 && (-4..=23).contains(&q) && mantissa & 3 == 1 && (mantissa << shift) == hi {
        mantissa &= !1;
    }
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if mantissa >= 2 << 52 {
        mantissa = 1 << 52;
        power2 += 1;
    }
    mantissa &= !(1 << 52);
    if power2 >= 0x7FF {
        return None;
    }
    Some(f64::from_bits(mantissa | (power2 as u64) << 52))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn std_parse(text: &str) -> f64 {
        text.parse().expect("a number")
    }

    /// the value and the bytes read, checked against the standard library's parse.
    fn agrees(text: &str) {
        if let Some((v, n)) = parse_plain(text.as_bytes()) {
            let read = &text[..n];
            assert_eq!(v.to_bits(), std_parse(read).to_bits(), "{text:?} read as {read:?}: {v:e}");
        }
    }

    /// both readers on random `[-]d.ddd…` texts (as files write them, with what follows a field):
    /// the same value and length as each other and as the standard library.
    #[test]
    fn the_branch_free_reader_matches_the_digit_reader() {
        let mut rng = Rng::new(19);
        let mut fixed = 0;
        for _ in 0..300_000 {
            let mut text = String::new();
            if rng.next_u64().is_multiple_of(2) {
                text.push('-');
            }
            let whole = 1 + rng.below(4) as usize;
            let fraction = rng.below(22) as usize;
            let zeros = rng.below(4) as usize;
            for k in 0..whole {
                text.push(if k == 0 && rng.below(3) == 0 { '0' } else { char::from(b'0' + rng.below(10) as u8) });
            }
            text.push('.');
            for k in 0..fraction {
                text.push(if k < zeros { '0' } else { char::from(b'0' + rng.below(10) as u8) });
            }
            text += [",1.5,2.25,3.125,4.0625,5,6,7,8,9,10,11,12,13,14,15", "\n", "e-3,", "x"][rng.below(4) as usize];
            let bytes = text.as_bytes();
            let general = parse_digits(bytes);
            if let Some(got) = parse_fixed(bytes) {
                fixed += 1;
                assert_eq!(Some(got), general, "{text}");
                let read = &text[..got.1];
                assert_eq!(got.0.to_bits(), std_parse(read).to_bits(), "{text}");
            }
            assert_eq!(parse_plain(bytes).map(|(v, n)| (v.to_bits(), n)), general.map(|(v, n)| (v.to_bits(), n)));
        }
        assert!(fixed > 30_000, "the branch-free reader read {fixed}");
    }

    /// the vector readers of sixteen bytes give the scalar ones' digit marks and values on
    /// digit runs of every length followed by every kind of byte, and the short reader the
    /// value of up to three digits.
    #[test]
    fn sixteen_digits_at_once_match_the_scalar_reader() {
        let mut rng = Rng::new(23);
        for _ in 0..200_000 {
            let n = rng.below(17) as usize;
            let mut bytes = [0u8; 40];
            for (k, b) in bytes.iter_mut().enumerate() {
                *b = if k < n { b'0' + rng.below(10) as u8 } else { rng.below(256) as u8 };
            }
            let marks = digit_bits(&bytes, 0);
            assert_eq!(marks, digit_bits_scalar(&bytes, 0), "{bytes:?}");
            let count = marks.trailing_ones();
            assert!(count as usize >= n);
            let cut = rng.below(u64::from(count) + 1) as u32;
            let (first, second) = sixteen_digits(&bytes, 0, cut);
            assert_eq!((first, second), sixteen_digits_scalar(&bytes, 0, cut), "{bytes:?}");
            let value = first * 100_000_000 + second;
            let digits = &bytes[..cut as usize];
            let expected = digits.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0')) * 10u64.pow(16 - cut);
            assert_eq!(value, expected, "{bytes:?}");
            let short = cut.min(3);
            let expected = digits[..short as usize].iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            assert_eq!(up_to_three_digits(load(&bytes, 0), short), expected, "{bytes:?}");
        }
    }

    #[test]
    fn eight_digits_at_once_match_one_at_a_time() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let digits: Vec<u8> = (0..8).map(|_| b'0' + (rng.next_u64() % 10) as u8).collect();
            let v = u64::from_le_bytes(digits.clone().try_into().unwrap());
            assert!(eight_digits(v));
            let expected = digits.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            assert_eq!(eight_digits_value(v), expected);
        }
        for bad in [b"1234567a", b"/2345678", b"12:45678", b"1234 678"] {
            assert!(!eight_digits(u64::from_le_bytes(*bad)));
        }
    }

    #[test]
    fn the_powers_of_five_bound_the_exact_values() {
        // q ≥ 0: 5^q itself, shifted; q < 0: the 128-bit ceiling-like reciprocal, checked by
        // multiplying back: (c − 1)·5^−q < 2^b ≤ c·5^−q, in 64-bit limbs
        for q in MIN_Q..=MAX_Q {
            let (hi, lo) = POWERS_OF_FIVE[(q - MIN_Q) as usize];
            let c = (u128::from(hi) << 64) | u128::from(lo);
            assert_eq!(c >> 127, 1, "normalised at q = {q}");
            if q >= 0 {
                let p = 5u128.pow(q as u32);
                assert_eq!(c >> c.trailing_zeros(), p >> p.trailing_zeros(), "5^{q}");
            } else {
                let p = 5u64.pow((-q) as u32);
                let b = (64 - p.leading_zeros()) + 127;
                // c·p as 192 bits: (c_hi·p)·2^64 + c_lo·p
                let product = |c: u128| {
                    let low = u128::from(c as u64) * u128::from(p);
                    // c·p = high·2^64 + (low mod 2^64): the high part
                    u128::from((c >> 64) as u64) * u128::from(p) + (low >> 64)
                };
                // 2^b = (2^(b − 64))·2^64 + 0
                let target = 1u128 << (b - 64);
                assert!(product(c) >= target, "c·p ≥ 2^b at {q}");
                assert!(product(c - 1) < target, "(c − 1)·p < 2^b at {q}");
            }
        }
    }

    #[test]
    fn numbers_written_with_seventeen_digits_read_back_exactly() {
        let mut rng = Rng::new(11);
        for _ in 0..200_000 {
            // magnitudes from 1e-9 to 1e18, both signs, as `{:.16e}` and as plain `{}`
            let e = (rng.next_u64() % 28) as i32 - 9;
            let x = (rng.uniform() + 0.5) * 10f64.powi(e) * if rng.next_u64().is_multiple_of(2) { 1.0 } else { -1.0 };
            for text in [format!("{x:.16e}"), format!("{x}"), format!("{x:.17}"), format!("{x:.3}")] {
                agrees(&text);
            }
            let (v, n) = parse_plain(format!("{x:.16e}").as_bytes()).expect("17 digits are read here");
            assert_eq!((v.to_bits(), n), (x.to_bits(), format!("{x:.16e}").len()));
        }
    }

    #[test]
    fn random_digit_strings_round_as_the_standard_library() {
        let mut rng = Rng::new(13);
        for _ in 0..500_000 {
            let digits = 1 + (rng.next_u64() % 19) as usize;
            let point = (rng.next_u64() % (digits as u64 + 1)) as usize;
            let mut text = String::new();
            if rng.next_u64().is_multiple_of(3) {
                text.push('-');
            }
            for k in 0..digits {
                if k == point && k > 0 {
                    text.push('.');
                }
                text.push((b'0' + (rng.next_u64() % 10) as u8) as char);
            }
            if rng.next_u64().is_multiple_of(2) {
                text += &format!("e{}", (rng.next_u64() % 90) as i32 - 45);
            }
            agrees(&text);
        }
    }

    #[test]
    fn halfway_cases_round_to_even() {
        // odd integers above 2^53 lie halfway between two doubles (or nearer one): every one of
        // them, scaled by powers of ten within the exact range, against the standard library
        let mut rng = Rng::new(17);
        for _ in 0..100_000 {
            let w = (1u64 << 53) + 2 * (rng.next_u64() % (1 << 40)) + 1;
            let scale = (rng.next_u64() % 30) as i32 - 5;
            for text in [format!("{w}"), format!("{w}e{scale}"), format!("{w}.0e{scale}")] {
                agrees(&text);
            }
        }
        for text in ["9007199254740993", "9007199254740995", "18014398509481987", "1.8014398509481985e3"] {
            let (v, _) = parse_plain(text.as_bytes()).expect("read here");
            assert_eq!(v.to_bits(), std_parse(text).to_bits(), "{text}");
        }
    }

    #[test]
    fn other_forms_are_declined_or_read_in_part() {
        for text in ["", "-", ".5", "inf", "nan", "1e", "1e+", "1e12345", "12345678901234567890", "1.5e-400", "+"] {
            match parse_plain(text.as_bytes()) {
                None => {}
                Some((v, n)) => assert_eq!(v.to_bits(), std_parse(&text[..n]).to_bits(), "{text}"),
            }
        }
        assert_eq!(parse_plain(b"1.5,2"), Some((1.5, 3)));
        assert_eq!(parse_plain(b"-0.0\n"), Some((-0.0, 4)));
        assert_eq!(parse_plain(b"5."), Some((5.0, 2)));
        assert_eq!(parse_plain(b"2e3x"), Some((2000.0, 3)));
        assert!(parse_plain(b"1e12345").is_none());
        for (text, value) in
            [("1.5", Some(1.5)), ("inf", Some(f64::INFINITY)), ("1e400", Some(f64::INFINITY)), ("1.5x", None)]
        {
            assert_eq!(parse_whole(text.as_bytes()), value, "{text}");
        }
        assert!(parse_plain(b"12345678901234567890").is_none());
        // zeros before the first nonzero digit are not counted
        assert_eq!(parse_plain(b"0.0099995896115697303"), Some((std_parse("0.0099995896115697303"), 21)));
        assert_eq!(parse_plain(b"-000.000000000000000000001234"), Some((-1.234e-21, 29)));
    }
}
