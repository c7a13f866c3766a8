//! Strings lexed 64 bytes at a time: the logic of the wide string run,
//! apart from how a chunk's masks are computed.
//!
//! A chunk of 64 bytes becomes bit masks (quotes, backslashes, and bytes
//! below 0x20 or above 0x7f); which bytes are escaped follows from the
//! backslashes alone ([`escaped_bytes`], by the parity of each run of
//! backslashes), so the closing quote is the first quote not escaped, found
//! with no branch per escape; a `\u` escape's four hex digits are checked
//! by masks too, unless it may be half of a surrogate pair (its first digit
//! a `d`), which is checked with its other half. UTF-8 is checked for the
//! whole chunk by three nibble lookups per byte (the tables below;
//! `utf8_error` applies them to one byte in the tests), the method of
//! Keiser and Lemire ("Validating UTF-8 in less than one instruction per
//! byte", 2021), which flags each byte that breaks a character, so only the
//! flags up to the closing quote count.
//!
//! The run only ever says where a string that is valid ends, or that it
//! cannot say: anything wrong or unusual (a control byte, a bad escape or
//! character, the end of the input) sends the string to the 16-byte blocks
//! of `scan.rs`, which name the problem and its position. The AVX2 version
//! of the masks is in `trusted.rs`; `Bytewise` (in tests) computes them byte
//! by byte with the same tables, and the tests compare the two, and both
//! with the blocks.

use crate::scan::escape_at;

/// The masks of one 64-byte chunk: bit `k` for the chunk's byte `k`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    /// `"` bytes.
    pub(crate) quote: u64,
    /// `\` bytes.
    pub(crate) backslash: u64,
    /// Bytes below 0x20 or at or above 0x80 (one signed compare).
    pub(crate) unusual: u64,
}

impl Masks {
    /// The masks from byte `by` of the chunk on, as if it started there.
    #[inline(always)]
    fn from(self, by: u32) -> Masks {
        Masks {
            quote: self.quote >> by,
            backslash: self.backslash >> by,
            unusual: self.unusual >> by,
        }
    }
}

/// What a run carries from one chunk to the next.
struct Carry {
    /// 1 when the chunk's first byte is escaped by the last one before it.
    escaped: u64,
    /// Whether any of the last three bytes before the chunk may be
    /// non-ASCII (a character may go on into the chunk).
    high_tail: bool,
    /// Where the last `\u` escape checked ends: the second half of a
    /// surrogate pair is checked with the first.
    unicode_done: usize,
    /// Whether the string holds a backslash so far.
    any_escape: bool,
}

/// The bytes escaped by the backslashes `backslash` of a chunk, given
/// `carry` (1 when the chunk's first byte is escaped); `carry` becomes 1
/// when the next chunk's first byte is.
///
/// Of a run of backslashes, the first, third, ... escape the byte after
/// them, so the byte after the run is escaped exactly when the run is odd.
/// Adding a run's first bit to the run carries to the bit after it; runs
/// that start on even bits and on odd bits are added separately, and the
/// parity of where the carry lands gives the run's. Only the bytes after
/// runs are flagged, not the escaped backslashes inside runs (`\\` is
/// always a valid escape).
#[inline(always)]
pub(crate) fn escaped_bytes(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let escaped_in = *carry;
    // A backslash escaped from the chunk before escapes nothing itself.
    let backslash = backslash & !escaped_in;
    let starts = backslash & !(backslash << 1);
    let even_ends = backslash.wrapping_add(starts & EVEN) & !backslash;
    let (odd_sum, overflow) = backslash.overflowing_add(starts & !EVEN);
    let odd_ends = odd_sum & !backslash;
    *carry = u64::from(overflow);
    (even_ends & !EVEN) | (odd_ends & EVEN) | escaped_in
}

/// Bits of the UTF-8 checks: each flags one way two bytes (a byte and the
/// one before it) can break a character.
const TOO_SHORT: u8 = 1 << 0;
const TOO_LONG: u8 = 1 << 1;
const OVERLONG_3: u8 = 1 << 2;
const TOO_LARGE: u8 = 1 << 3;
const SURROGATE: u8 = 1 << 4;
const OVERLONG_2: u8 = 1 << 5;
const TOO_LARGE_1000: u8 = 1 << 6;
const OVERLONG_4: u8 = 1 << 6;
const TWO_CONTS: u8 = 1 << 7;
const CARRY: u8 = TOO_SHORT | TOO_LONG | TWO_CONTS;

/// The checks a byte's high nibble can fail as the first of two bytes.
pub(crate) const BYTE_1_HIGH: [u8; 16] = [
    // 0xxx xxxx: ASCII, then a continuation byte is one too many.
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    // 10xx xxxx: a continuation byte.
    TWO_CONTS,
    TWO_CONTS,
    TWO_CONTS,
    TWO_CONTS,
    // 1100 xxxx, 1101 xxxx: a lead of two bytes (C0 and C1 overlong).
    TOO_SHORT | OVERLONG_2,
    TOO_SHORT,
    // 1110 xxxx: a lead of three.
    TOO_SHORT | OVERLONG_3 | SURROGATE,
    // 1111 xxxx: a lead of four, or no lead at all.
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,
];

/// The checks a byte's low nibble can fail as the first of two bytes.
pub(crate) const BYTE_1_LOW: [u8; 16] = [
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
    CARRY | OVERLONG_2,
    CARRY,
    CARRY,
    CARRY | TOO_LARGE,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
];

/// The checks a byte's high nibble can fail as the second of two bytes.
pub(crate) const BYTE_2_HIGH: [u8; 16] = [
    // ASCII after a lead: the character is cut short.
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    // 1000 xxxx, 1001 xxxx, 101x xxxx: continuation bytes, by the second
    // byte's range each lead allows.
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    // A lead after a lead: the first is cut short.
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
];

/// The UTF-8 check of byte `cur` after `prev1`, `prev2` and `prev3` (the
/// three before it): nonzero when `cur` breaks a character. A byte that
/// must be the third or fourth of a character (after a lead of three or
/// four) must be a continuation; the lookups flag two continuations in a
/// row, so the two cancel exactly when they agree.
#[cfg(test)]
pub(crate) const fn utf8_error(prev3: u8, prev2: u8, prev1: u8, cur: u8) -> u8 {
    let special = BYTE_1_HIGH[(prev1 >> 4) as usize]
        & BYTE_1_LOW[(prev1 & 15) as usize]
        & BYTE_2_HIGH[(cur >> 4) as usize];
    let must_continue =
        (prev2.saturating_sub(0xe0 - 0x80) | prev3.saturating_sub(0xf0 - 0x80)) & 0x80;
    special ^ must_continue
}

/// How a chunk's masks are computed: with AVX2 (`trusted.rs`) or byte by
/// byte ([`Bytewise`], the twin).
pub(crate) trait Lanes {
    /// A chunk as the masks are computed from it.
    type Chunk: Copy;
    /// A chunk of ASCII bytes, before the first.
    fn ascii(&self) -> Self::Chunk;
    /// A chunk that ends with `bytes`, as the one before another.
    fn before(&self, bytes: &[u8; 32]) -> Self::Chunk;
    /// The chunk of `bytes` and its masks.
    fn load(&self, bytes: &[u8; 64]) -> (Self::Chunk, Masks);
    /// The chunk's bytes below 0x20.
    fn control(&self, chunk: Self::Chunk) -> u64;
    /// The chunk's `r`, `n` and `"` bytes, the commonest escaped bytes.
    fn common(&self, chunk: Self::Chunk) -> u64;
    /// The chunk's bytes that a backslash may escape: `"`, `\\`, `/`, `b`,
    /// `f`, `n`, `r`, `t` and `u`.
    fn escapable(&self, chunk: Self::Chunk) -> u64;
    /// The chunk's `u` bytes.
    fn unicode(&self, chunk: Self::Chunk) -> u64;
    /// The chunk's hex digits: `0` to `9`, `a` to `f`, `A` to `F`.
    fn hex(&self, chunk: Self::Chunk) -> u64;
    /// The chunk's `d` and `D` bytes (a `\u` escape that starts with one
    /// may be half of a surrogate pair).
    fn dee(&self, chunk: Self::Chunk) -> u64;
    /// The bytes of `cur` that break a character, after the chunk `prev`
    /// (only its last three bytes count).
    fn utf8(&self, prev: Self::Chunk, cur: Self::Chunk) -> u64;
}

/// The wide run over the string whose content goes on at `start`: where it
/// ends (the index after its closing quote) and whether it holds an escape,
/// or `None` when the 16-byte blocks must decide. `start` must follow an
/// ASCII byte that escapes nothing (the opening quote, or plain text).
///
/// Fewer than 64 bytes from the end of the input, the last 64 bytes are
/// read and their masks shifted to start where the run is (with the 32
/// bytes before them for the UTF-8 check); in an input shorter than 96
/// bytes, the rest is copied, padded with spaces.
#[inline(always)]
pub(crate) fn string_run<L: Lanes>(lanes: &L, buf: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut carry = Carry {
        escaped: 0,
        high_tail: false,
        unicode_done: start,
        any_escape: false,
    };
    let mut prev = lanes.ascii();
    let mut i = start;
    while i + 64 <= buf.len() {
        let (chunk, m) = lanes.load(buf[i..i + 64].try_into().ok()?);
        if let Some(end) = step(lanes, buf, i, (prev, chunk), m, 0, &mut carry)? {
            return Some((end, carry.any_escape));
        }
        carry.high_tail = m.unusual >> 61 != 0;
        prev = chunk;
        i += 64;
    }
    let (utf8_prev, chunk, m, shift) = tail(lanes, buf, i, prev)?;
    // Past the last bytes, the string goes on past the input: `None`.
    let end = step(
        lanes,
        buf,
        i,
        (utf8_prev, chunk),
        m.from(shift),
        shift,
        &mut carry,
    )??;
    Some((end, carry.any_escape))
}

/// One chunk of [`string_run`] (`chunk`, after `prev`), its masks `m`
/// shifted by `shift` to start at `i`: where the string ends, if it does
/// here (`Some(None)` when it goes on), or `None` when the blocks must
/// decide.
#[inline(always)]
fn step<L: Lanes>(
    lanes: &L,
    buf: &[u8],
    i: usize,
    (prev, chunk): (L::Chunk, L::Chunk),
    m: Masks,
    shift: u32,
    carry: &mut Carry,
) -> Option<Option<usize>> {
    let escaped = if m.backslash | carry.escaped == 0 {
        0
    } else if m.backslash & ((m.backslash << 1) | carry.escaped) == 0 {
        // No backslash escaped: each escapes the byte after it.
        let escaped = (m.backslash << 1) | carry.escaped;
        carry.escaped = m.backslash >> 63;
        escaped
    } else {
        escaped_bytes(m.backslash, &mut carry.escaped)
    };
    let ends = m.quote & !escaped;
    // The string's bytes in this chunk: before its closing quote, and with
    // it.
    let (within, through) = if ends == 0 {
        (u64::MAX, u64::MAX)
    } else {
        let q = ends.trailing_zeros();
        ((1 << q) - 1, u64::MAX >> (63 - q))
    };
    let escaped = escaped & within;
    // Escaped bytes other than `r`, `n` and `"`: any escape at all, and a
    // `\u` one checked whole (with its other half, for a surrogate pair).
    if escaped != 0 && escaped & !(lanes.common(chunk) >> shift) != 0 {
        if escaped & !(lanes.escapable(chunk) >> shift) != 0 {
            return None;
        }
        let mut unicode = escaped & (lanes.unicode(chunk) >> shift);
        if unicode != 0 {
            // Escapes whose four digits are hex and in the chunk, and whose
            // first is not `d` (so not half of a surrogate pair), are whole
            // as they stand: text in another script escaped character by
            // character takes no branch per character. The rest (pairs,
            // escapes cut by the chunk's end, bad digits) are checked one
            // by one.
            let hex = lanes.hex(chunk) >> shift;
            let whole = unicode
                & (hex >> 1)
                & (hex >> 2)
                & (hex >> 3)
                & (hex >> 4)
                & !(lanes.dee(chunk) >> shift >> 1);
            unicode &= !whole;
        }
        while unicode != 0 {
            let backslash = i + unicode.trailing_zeros() as usize - 1;
            if backslash >= carry.unicode_done {
                carry.unicode_done = escape_at(buf, backslash).ok()?;
            }
            unicode &= unicode - 1;
        }
    }
    carry.any_escape |= m.backslash & within != 0;
    if m.unusual & through != 0 || carry.high_tail {
        if (lanes.control(chunk) >> shift) & within != 0 {
            return None;
        }
        if (lanes.utf8(prev, chunk) >> shift) & through != 0 {
            return None;
        }
    }
    Some((ends != 0).then(|| i + (64 - through.leading_zeros()) as usize))
}

/// The chunk for the run at `i`, fewer than 64 bytes from the end of
/// `buf` (and not at it): the chunk before it as far as the UTF-8 check
/// needs it, the chunk, its masks, and how far into it `i` is. That is the
/// last 64 bytes, after the 32 before them; in an input shorter than 96
/// bytes, the rest padded with spaces, after `prev`.
#[inline(always)]
fn tail<L: Lanes>(
    lanes: &L,
    buf: &[u8],
    i: usize,
    prev: L::Chunk,
) -> Option<(L::Chunk, L::Chunk, Masks, u32)> {
    let rest = buf.get(i..).filter(|rest| !rest.is_empty())?;
    match buf.len().checked_sub(96) {
        Some(before) => {
            let last = before + 32;
            let (chunk, m) = lanes.load(buf[last..].try_into().ok()?);
            let utf8_prev = lanes.before(buf[before..last].try_into().ok()?);
            Some((utf8_prev, chunk, m, (i - last) as u32))
        }
        None => {
            let mut padded = [b' '; 64];
            padded[..rest.len()].copy_from_slice(rest);
            let (chunk, m) = lanes.load(&padded);
            Some((prev, chunk, m, 0))
        }
    }
}

/// The masks computed byte by byte, with the same tables: the twin of the
/// AVX2 version in `trusted.rs`, which the tests compare with it.
#[cfg(test)]
pub(crate) struct Bytewise;

#[cfg(test)]
impl Bytewise {
    fn mask(bytes: &[u8; 64], f: impl Fn(u8) -> bool) -> u64 {
        let mut m = 0;
        for (k, &b) in bytes.iter().enumerate() {
            m |= u64::from(f(b)) << k;
        }
        m
    }
}

#[cfg(test)]
impl Lanes for Bytewise {
    type Chunk = [u8; 64];

    fn ascii(&self) -> [u8; 64] {
        [0; 64]
    }

    fn before(&self, bytes: &[u8; 32]) -> [u8; 64] {
        let mut chunk = [0; 64];
        chunk[32..].copy_from_slice(bytes);
        chunk
    }

    fn load(&self, bytes: &[u8; 64]) -> ([u8; 64], Masks) {
        let m = Masks {
            quote: Self::mask(bytes, |b| b == b'"'),
            backslash: Self::mask(bytes, |b| b == b'\\'),
            unusual: Self::mask(bytes, |b| !(0x20..0x80).contains(&b)),
        };
        (*bytes, m)
    }

    fn control(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| b < 0x20)
    }

    fn common(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| matches!(b, b'r' | b'n' | b'"'))
    }

    fn escapable(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| b"\"\\/bfnrtu".contains(&b))
    }

    fn unicode(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| b == b'u')
    }

    fn hex(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| b.is_ascii_hexdigit())
    }

    fn dee(&self, chunk: [u8; 64]) -> u64 {
        Self::mask(&chunk, |b| b == b'd' || b == b'D')
    }

    fn utf8(&self, prev: [u8; 64], cur: [u8; 64]) -> u64 {
        utf8_errors_scalar(&prev, &cur)
    }
}

/// The bytes of `cur` that break a character, after the chunk `prev`.
#[cfg(test)]
pub(crate) fn utf8_errors_scalar(prev: &[u8; 64], cur: &[u8; 64]) -> u64 {
    let at = |k: isize| {
        if k < 0 {
            prev[(64 + k) as usize]
        } else {
            cur[k as usize]
        }
    };
    let mut m = 0;
    for k in 0..64isize {
        let e = utf8_error(at(k - 3), at(k - 2), at(k - 1), at(k));
        m |= u64::from(e != 0) << k;
    }
    m
}

#[cfg(test)]
pub(crate) mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// `len` bytes for the search of the last closing byte: brackets, line
    /// feeds and their near misses (bytes a bit away from them) among
    /// others, dense in the first `dense` bytes and sparse after.
    pub(crate) fn bracket_bytes(
        next: &mut impl FnMut() -> u64,
        len: usize,
        dense: usize,
    ) -> Vec<u8> {
        (0..len)
            .map(|i| {
                let r = next();
                let pick = if i < dense { r % 8 } else { r % 256 };
                match pick {
                    0..=5 => b"{}[]\n{"[pick as usize],
                    6 => [0x5b ^ 0x80, 0x7d ^ 0x01, 0x0a ^ 0x20, 0xfb][(r >> 8) as usize % 4],
                    7..=127 => b'a',
                    _ => (r >> 16) as u8,
                }
            })
            .collect()
    }

    /// Whether each byte is escaped, walking the bytes one by one.
    fn escaped_walk(bytes: &[u8]) -> Vec<bool> {
        let mut escaping = false;
        bytes
            .iter()
            .map(|&b| {
                let escaped = escaping;
                escaping = !escaping && b == b'\\';
                escaped
            })
            .collect()
    }

    #[test]
    fn escaped_bytes_agree_with_a_walk_across_chunks() {
        let mut next = xorshift(0x853C_49E6_748F_EA9B);
        let cases = if cfg!(miri) { 20 } else { 4000 };
        for _ in 0..cases {
            // Long runs of backslashes, across chunk ends.
            let density = next() % 4;
            let chunks = 1 + (next() % 4) as usize;
            let bytes: Vec<u8> = (0..64 * chunks)
                .map(|_| match next() % 8 {
                    k if k <= density + 3 => b'\\',
                    4..=6 => b'"',
                    _ => b'a',
                })
                .collect();
            let want = escaped_walk(&bytes);
            let mut carry = 0;
            for (c, chunk) in bytes.chunks(64).enumerate() {
                let backslash = chunk
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (k, &b)| m | (u64::from(b == b'\\') << k));
                let escaped = escaped_bytes(backslash, &mut carry);
                for (k, &b) in chunk.iter().enumerate() {
                    // Escaped backslashes inside runs are not flagged, but
                    // one escaped from the chunk before is.
                    if b != b'\\' || k == 0 {
                        assert_eq!(
                            escaped >> k & 1 == 1,
                            want[64 * c + k],
                            "byte {k} of chunk {c} in {:?}",
                            core::str::from_utf8(&bytes)
                        );
                    }
                }
            }
        }
    }

    /// Whether the lookups pass the string content `s`, closed by a quote.
    fn utf8_passes(s: &[u8]) -> bool {
        let mut bytes = Vec::from(&b"\0\0\0\""[..]);
        bytes.extend_from_slice(s);
        bytes.push(b'"');
        (3..bytes.len())
            .all(|k| utf8_error(bytes[k - 3], bytes[k - 2], bytes[k - 1], bytes[k]) == 0)
    }

    #[test]
    fn utf8_lookups_pass_exactly_what_core_accepts() {
        let same = |s: &[u8]| {
            assert_eq!(utf8_passes(s), core::str::from_utf8(s).is_ok(), "{s:x?}");
        };
        // The edges of each range a byte of a character may fall in.
        let edges: &[u8] = &[
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
            0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
        ];
        // Under Miri (which is here for the memory model, not the tables),
        // a few of them only.
        let (all, edges): (Vec<u8>, &[u8]) = if cfg!(miri) {
            (
                std::vec![0x41, 0x80, 0xc2, 0xe0, 0xed, 0xf0, 0xf4],
                &[0x41, 0x80, 0xbf, 0xc2],
            )
        } else {
            ((0..=255).collect(), edges)
        };
        let mut checked = 0;
        for &a in &all {
            same(&[a]);
            // Every pair; every first byte before the edges.
            for &b in &all {
                same(&[a, b]);
            }
            for &b in edges {
                for &c in edges {
                    same(&[a, b, c]);
                }
            }
        }
        for &a in edges {
            for &b in edges {
                for &c in edges {
                    for &d in edges {
                        same(&[a, b, c, d]);
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, edges.len().pow(4));
    }

    /// A string's content built of pieces: text, escapes, characters of
    /// other scripts, and now and then something wrong.
    pub(crate) fn string_body(next: &mut impl FnMut() -> u64, len: usize, bad: u64) -> Vec<u8> {
        const GOOD: [&[u8]; 18] = [
            b"a=mid:0",
            b" the quick brown fox",
            b"\\r\\n",
            b"\\\"",
            b"\\\\",
            b"\\/",
            b"\\t\\b\\f",
            b"\\u00e9",
            b"\\ud83c\\udf89",
            b"\\u4e2d\\u6587\\uFF01",
            b"\\uD7FF\\udBFF\\uDFFF",
            b"\\\\\\\\\\\"",
            "é".as_bytes(),
            "日本語".as_bytes(),
            "🎉".as_bytes(),
            "Здравствуйте".as_bytes(),
            b"\x7f",
            b"x",
        ];
        const BAD: [&[u8]; 14] = [
            b"\\q",
            b"\\u12G4",
            b"\\ud83c",
            b"\\udf89",
            b"\\ud83c\\u0041",
            b"\\u00g9",
            b"\\uDC00",
            b"\x01",
            b"\x1f",
            b"\xff",
            b"\x80",
            b"\xe2\x82",
            b"\xc0\x80",
            b"\xed\xa0\x80",
        ];
        pieces(next, len, bad, &GOOD, &BAD)
    }

    /// At least `len` bytes of pieces drawn at random, each from `rare`
    /// with a chance of `rare_in_1024` in 1024, else from `common`.
    pub(crate) fn pieces(
        next: &mut impl FnMut() -> u64,
        len: usize,
        rare_in_1024: u64,
        common: &[&[u8]],
        rare: &[&[u8]],
    ) -> Vec<u8> {
        let mut body = Vec::new();
        while body.len() < len {
            let r = next();
            let from = if r % 1024 < rare_in_1024 {
                rare
            } else {
                common
            };
            body.extend_from_slice(from[(r >> 10) as usize % from.len()]);
        }
        body
    }

    /// Every mask the run takes of the chunk `bytes` after the chunk
    /// `prev`: quotes, backslashes, unusual bytes, control bytes, common and
    /// all escapable bytes, `u` bytes, hex digits, `d` bytes, UTF-8 breaks.
    #[inline(always)]
    pub(crate) fn all_masks<L: Lanes>(lanes: &L, bytes: &[u8; 64], prev: &[u8; 64]) -> [u64; 10] {
        let (chunk, m) = lanes.load(bytes);
        let (before, _) = lanes.load(prev);
        [
            m.quote,
            m.backslash,
            m.unusual,
            lanes.control(chunk),
            lanes.common(chunk),
            lanes.escapable(chunk),
            lanes.unicode(chunk),
            lanes.hex(chunk),
            lanes.dee(chunk),
            lanes.utf8(before, chunk),
        ]
    }

    /// The wide run, byte by byte, against the 16-byte blocks on strings of
    /// every kind, at every length around the chunk and tail bounds: where
    /// it says anything, it says what the blocks say, and on every valid
    /// string it says something (it defers only on errors and the end of
    /// the input).
    #[test]
    fn the_run_agrees_with_the_blocks_and_defers_only_on_errors_and_ends() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let cases = if cfg!(miri) { 30 } else { 20_000 };
        let (mut valid, mut invalid) = (0, 0);
        for case in 0..cases {
            let bad = [0, 0, 8, 64][case % 4];
            let len = (next() % 300) as usize;
            let body = string_body(&mut next, len, bad);
            let mut input = Vec::from(&b"{\"k\":"[..(next() % 6) as usize]);
            input.push(b'"');
            let start = input.len();
            input.extend_from_slice(&body);
            input.push(b'"');
            input.extend_from_slice(&b",\"n\":\"\xc3\xa9\"}"[..(next() % 11) as usize]);
            // Sometimes cut short, inside the string or after it.
            if next().is_multiple_of(4) {
                input.truncate(start + (next() as usize) % (input.len() - start + 1));
            }
            let blocks = crate::scan::string_blocks(&input, start);
            let run = string_run(&Bytewise, &input, start);
            match (run, &blocks) {
                (Some(done), Ok(want)) => {
                    assert_eq!(done, *want, "{:?}", String::from_utf8_lossy(&input))
                }
                (None, Ok(_)) => panic!(
                    "deferred a valid string: {:?}",
                    String::from_utf8_lossy(&input)
                ),
                (Some(done), Err(e)) => panic!("{done:?} where the blocks say {e:?}: {input:x?}"),
                (None, Err(_)) => {}
            }
            if blocks.is_ok() {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(
            valid > cases / 3 && invalid > cases / 10,
            "{valid} valid, {invalid} not"
        );
    }
}
