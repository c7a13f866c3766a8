//! The one lexer: a cursor over a byte slice.
//!
//! It validates JSON to RFC 8259 as serde_json reads it (strings, escapes,
//! surrogate pairs, UTF-8, the number grammar and serde_json's number range,
//! nesting up to [`MAX_DEPTH`]) without allocating and without recursion.
//!
//! Every function distinguishes input that is wrong from input that merely
//! stops early: the first gives [`Stop::Fail`], the second [`Stop::Partial`],
//! which is never an error (the httparse discipline). A prefix of valid JSON
//! is always `Partial`.

use crate::error::{Error, ErrorKind};
use crate::number;

/// Why the lexer stopped before the end of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The input ended; more bytes may complete the token.
    Partial,
    /// The input is wrong, whatever follows.
    Fail(Error),
}

/// A lexer result.
pub(crate) type Lex<T> = Result<T, Stop>;

/// The deepest nesting of arrays and objects that serde_json accepts, the
/// event's own object included.
pub(crate) const MAX_DEPTH: usize = 127;

#[cold]
pub(crate) fn fail<T>(kind: ErrorKind, offset: usize) -> Lex<T> {
    Err(Stop::Fail(Error::new(kind, offset)))
}

/// [`is_ws`] for `str::trim_matches`.
#[cfg(feature = "serde")]
pub(crate) fn is_ws_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// JSON whitespace: space, tab, line feed, carriage return.
#[inline(always)]
pub(crate) const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `b` ends a run of plain string content: `"`, `\\`, a control
/// byte or a non-ASCII byte.
#[inline(always)]
pub(crate) const fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20 || b >= 0x80
}

pub(crate) use crate::trusted::{common_escapes, string_block, string_masks, utf8_classes};

/// [`string_block`] byte by byte: the reference the faster versions are
/// tested against.
#[inline]
pub(crate) fn string_block_scalar(buf: &[u8], at: usize) -> u32 {
    let at = at.min(buf.len());
    let block = &buf[at..];
    let mut mask = 0;
    for (k, &b) in block.iter().take(16).enumerate() {
        mask |= u32::from(is_special(b)) << k;
    }
    if block.len() < 16 {
        mask |= 1 << block.len();
    }
    mask
}

/// [`string_masks`] byte by byte: the reference the faster versions are
/// tested against.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(crate) fn string_masks_scalar(buf: &[u8], at: usize) -> (u32, u32) {
    let (mut backslash, mut other) = (0, 0);
    for (k, &b) in buf[at..at + 16].iter().enumerate() {
        if b == b'\\' {
            backslash |= 1 << k;
        } else if is_special(b) {
            other |= 1 << k;
        }
    }
    (backslash, other)
}

/// [`common_escapes`] byte by byte: the reference the faster versions are
/// tested against.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(crate) fn common_escapes_scalar(buf: &[u8], at: usize) -> u32 {
    let mut mask = 0;
    for (k, &b) in buf[at..at + 16].iter().enumerate() {
        mask |= u32::from(matches!(b, b'r' | b'n' | b'"')) << k;
    }
    mask
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each lane of `x` set exactly where the lane is zero.
/// Adding 0x7f to a lane's low seven bits never carries into the next lane,
/// so, unlike the classic `(x - LO) & !x`, every lane's answer is exact.
#[inline(always)]
const fn zero_lanes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x) & HI
}

/// Lanes of `word` (a `u64::from_le_bytes` word, so the lane order is the
/// byte order on every target, big-endian included) with their high bit
/// set: the backslashes, and the other special bytes.
#[inline(always)]
const fn special_lanes(word: u64) -> (u64, u64) {
    let quote = zero_lanes(word ^ (LO * b'"' as u64));
    let backslash = zero_lanes(word ^ (LO * b'\\' as u64));
    // Below 0x20: the low seven bits plus 0x60 stay below 0x80, and the high
    // bit is clear.
    let control = !(((word & LOW7) + LO * 0x60) | word) & HI;
    (backslash, quote | control | (word & HI))
}

/// Eight flags, one bit per lane (the first byte lowest), from the lanes'
/// high bits.
#[inline(always)]
const fn gather(lanes: u64) -> u32 {
    ((lanes >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// The eight bytes at `at + k`, if all are in `buf`.
#[inline(always)]
fn word_at(buf: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = buf.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// [`string_block_scalar`] eight bytes at a time (SWAR): the portable twin
/// of the SIMD block scan in `trusted.rs`, and what targets without SSE2 use.
#[inline(always)]
pub(crate) fn string_block_swar(buf: &[u8], at: usize) -> u32 {
    match (word_at(buf, at), word_at(buf, at + 8)) {
        (Some(a), Some(b)) => {
            let ((a1, a2), (b1, b2)) = (special_lanes(a), special_lanes(b));
            gather(a1 | a2) | (gather(b1 | b2) << 8)
        }
        _ => string_block_scalar(buf, at),
    }
}

/// [`string_masks_scalar`] eight bytes at a time, the twin of the SIMD
/// version.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub(crate) fn string_masks_swar(buf: &[u8], at: usize) -> (u32, u32) {
    match (word_at(buf, at), word_at(buf, at + 8)) {
        (Some(a), Some(b)) => {
            let ((a1, a2), (b1, b2)) = (special_lanes(a), special_lanes(b));
            (
                gather(a1) | (gather(b1) << 8),
                gather(a2) | (gather(b2) << 8),
            )
        }
        _ => string_masks_scalar(buf, at),
    }
}

/// [`common_escapes`] eight bytes at a time, the twin of the SIMD version.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub(crate) fn common_escapes_swar(buf: &[u8], at: usize) -> u32 {
    let lanes = |word: u64| {
        zero_lanes(word ^ (LO * u64::from(b'r')))
            | zero_lanes(word ^ (LO * u64::from(b'n')))
            | zero_lanes(word ^ (LO * u64::from(b'"')))
    };
    match (word_at(buf, at), word_at(buf, at + 8)) {
        (Some(a), Some(b)) => gather(lanes(a)) | (gather(lanes(b)) << 8),
        _ => common_escapes_scalar(buf, at),
    }
}

/// The classes of the bytes of a 16-byte block that UTF-8 is checked by,
/// one bit per byte (the first byte lowest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Utf8Classes {
    /// Non-ASCII bytes.
    pub(crate) high: u32,
    /// Continuation bytes, 0x80 to 0xBF.
    pub(crate) cont: u32,
    /// Continuation bytes 0x80 to 0x8F, which may not follow 0xF0.
    pub(crate) cont_low: u32,
    /// Leads of two-byte characters, 0xC2 to 0xDF.
    pub(crate) lead2: u32,
    /// Leads of three-byte characters whose second byte may be any
    /// continuation byte: 0xE1 to 0xEF but 0xED.
    pub(crate) lead3: u32,
    /// 0xF0, the lead of the four-byte characters (emoji among them) whose
    /// second byte is 0x90 or above.
    pub(crate) lead4: u32,
}

/// [`Utf8Classes`] byte by byte: the reference the SIMD version is tested
/// against, and what other targets use.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn utf8_classes_scalar(buf: &[u8], at: usize) -> Utf8Classes {
    let mut c = Utf8Classes {
        high: 0,
        cont: 0,
        cont_low: 0,
        lead2: 0,
        lead3: 0,
        lead4: 0,
    };
    for (k, &b) in buf[at..at + 16].iter().enumerate() {
        let bit = |flag: bool| u32::from(flag) << k;
        c.high |= bit(b >= 0x80);
        c.cont |= bit(matches!(b, 0x80..=0xBF));
        c.cont_low |= bit(matches!(b, 0x80..=0x8F));
        c.lead2 |= bit(matches!(b, 0xC2..=0xDF));
        c.lead3 |= bit(matches!(b, 0xE1..=0xEC | 0xEE..=0xEF));
        c.lead4 |= bit(b == 0xF0);
    }
    c
}

/// How much of a block, from its start up to `limit` bytes (at most 16),
/// is whole, valid UTF-8 characters, by the block's byte classes: `limit`,
/// or, when a character runs past the block's end (`limit` 16), the offset
/// of its lead. `None` when a character is wrong, cut inside the block, or
/// of a kind the classes leave to [`utf8_char`] (leads 0xE0, 0xED and 0xF1
/// to 0xF4).
///
/// Every continuation byte must be exactly where a lead asks for one: two
/// characters whose continuation bytes would overlap put a lead where the
/// first needs a continuation byte, so the two sets differ.
#[inline(always)]
pub(crate) fn utf8_prefix(c: Utf8Classes, limit: u32) -> Option<u32> {
    debug_assert!(limit <= 16);
    let within = (1u32 << limit) - 1;
    let leads = c.lead2 | c.lead3 | c.lead4;
    let unknown = c.high & !(c.cont | leads);
    let low_after_f0 = (c.lead4 << 1) & c.cont_low;
    let needed = (leads << 1) | ((c.lead3 | c.lead4) << 2) | (c.lead4 << 3);
    if (unknown | low_after_f0 | (needed ^ c.cont)) & within != 0 {
        return None;
    }
    if needed & !within == 0 {
        return Some(limit);
    }
    if limit < 16 {
        return None;
    }
    // The character that runs past the end is the last one.
    Some(31 - (leads & within).leading_zeros())
}

/// The non-ASCII text of the block at `i`, whose special bytes not yet
/// visited are `other` (the lowest a non-ASCII byte), checked at once: the
/// special bytes left (a closing quote, a control byte), or where the string
/// goes on past a character that runs into the next block. `None` when the
/// block's text must be visited character by character.
#[inline(never)]
fn utf8_block(buf: &[u8], i: usize, other: u32) -> Option<Result<u32, usize>> {
    let classes = utf8_classes(buf, i);
    let limit = (other & !classes.high).trailing_zeros().min(16);
    match utf8_prefix(classes, limit)? {
        n if n == limit => Some(Ok(other & !((1u32 << limit) - 1))),
        n => Some(Err(i + n as usize)),
    }
}

/// Whether at least four bits of `bits` are set.
#[inline(always)]
const fn at_least_four(bits: u32) -> bool {
    let fewer = bits & bits.wrapping_sub(1);
    let fewer = fewer & fewer.wrapping_sub(1);
    let fewer = fewer & fewer.wrapping_sub(1);
    fewer != 0
}

/// The bytes that may follow a backslash as a one-character escape.
const SIMPLE_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let chars = *b"\"\\/bfnrt";
    let mut k = 0;
    while k < chars.len() {
        table[chars[k] as usize] = true;
        k += 1;
    }
    table
};

/// The rest of [`Cursor::string`], from the block at `i` (which follows
/// plain ASCII text or the opening quote): the index after the closing
/// quote, and whether the string holds an escape.
///
/// With AVX2, the wide run (`wide.rs`) takes the string 64 bytes at a
/// time, escapes and UTF-8 checked for a whole chunk at once with few
/// branches; where it cannot say (anything wrong, the end of the input),
/// and on other CPUs, the 16-byte blocks ([`string_blocks`]) do the work
/// and name any problem.
#[inline(never)]
fn string_special(buf: &[u8], i: usize) -> Lex<(usize, bool)> {
    if let Some(done) = crate::trusted::string_run(buf, i) {
        return Ok(done);
    }
    string_blocks(buf, i)
}

/// [`string_special`] sixteen bytes at a time: the index after the
/// closing quote, and whether the string holds an escape.
///
/// A block whose backslashes all start one-character escapes (SDP has a
/// `\r\n` every forty bytes or so) is checked whole: each escaped byte
/// is looked up, escaped quotes are dropped from the block's special
/// bytes, and only what is left (the closing quote, non-ASCII text) is
/// visited. Any other block goes special byte by special byte.
#[inline(always)]
pub(crate) fn string_blocks(buf: &[u8], mut i: usize) -> Lex<(usize, bool)> {
    // Where the first escape is; the string holds one if it ends after.
    let mut first_escape = usize::MAX;
    'blocks: loop {
        if i + 16 > buf.len() {
            match special_by_special(buf, i, string_block(buf, i), &mut first_escape)? {
                Step::Next(next) => i = next,
                Step::End(end) => {
                    return Ok((end, first_escape < end));
                }
            }
            continue;
        }
        let (backslash, mut other) = string_masks(buf, i);
        if backslash | other == 0 {
            i += 16;
            continue;
        }
        // Past the block: 16, or 17 when its last byte is a backslash.
        let mut next = 16;
        if backslash != 0 {
            // When no backslash follows another, each escapes the next
            // byte, which must make a one-character escape. Most of those
            // are `\r`, `\n` and `\"`, checked for the whole block at once
            // (a backslash there is never followed by another); the rest
            // one by one.
            let escapes = backslash << 1;
            let mut simple = i + 16 < buf.len();
            let mut rest = if simple && backslash & !common_escapes(buf, i + 1) == 0 {
                0
            } else {
                simple &= backslash & escapes == 0;
                escapes
            };
            while simple && rest != 0 {
                simple = SIMPLE_ESCAPE[usize::from(buf[i + rest.trailing_zeros() as usize])];
                rest &= rest - 1;
            }
            if !simple {
                match special_by_special(buf, i, backslash | other, &mut first_escape)? {
                    Step::Next(after) => i = after,
                    Step::End(end) => {
                        return Ok((end, first_escape < end));
                    }
                }
                continue;
            }
            first_escape = first_escape.min(i + backslash.trailing_zeros() as usize);
            other &= !escapes;
            next += (escapes >> 16) as usize;
        }
        while other != 0 {
            let k = i + other.trailing_zeros() as usize;
            match buf[k] {
                b'"' => {
                    return Ok((k + 1, first_escape < k));
                }
                0x00..=0x1f => return fail(ErrorKind::ControlCharacter, k),
                // Text in another script: the block's characters checked
                // together, without a branch per character.
                _ if at_least_four(other)
                    && let Some(checked) = utf8_block(buf, i, other) =>
                {
                    match checked {
                        Ok(left) => other = left,
                        Err(on) => {
                            i = on;
                            continue 'blocks;
                        }
                    }
                }
                _ => {
                    let skip = utf8_char(buf, k)? - i;
                    if skip >= 16 {
                        i += skip;
                        continue 'blocks;
                    }
                    other &= !0u32 << skip;
                }
            }
        }
        i += next;
    }
}

/// Where [`special_by_special`] left a block.
enum Step {
    /// The string goes on at this index.
    Next(usize),
    /// The string ended just before this index.
    End(usize),
}

/// Visits the special bytes `mask` of the block at `i` one by one (the end of
/// the input flagged as one more), without reloading the block after an
/// escape or a multi-byte character.
#[inline(always)]
fn special_by_special(buf: &[u8], i: usize, mut mask: u32, first_escape: &mut usize) -> Lex<Step> {
    while mask != 0 {
        let k = i + mask.trailing_zeros() as usize;
        let after = match buf.get(k) {
            Some(b'"') => return Ok(Step::End(k + 1)),
            Some(b'\\') => {
                *first_escape = (*first_escape).min(k);
                escape_at(buf, k)?
            }
            Some(0x00..=0x1f) => return fail(ErrorKind::ControlCharacter, k),
            Some(_) => utf8_char(buf, k)?,
            None => return Err(Stop::Partial),
        };
        let skip = after - i;
        if skip >= 16 {
            return Ok(Step::Next(after));
        }
        mask &= !0u32 << skip;
    }
    Ok(Step::Next(i + 16))
}

/// What the lexer learnt about a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NumberInfo {
    /// An integer that serde_json reads as `u64` or `i64` (not `-0`, which it
    /// reads as a float, nor one too large for both).
    pub(crate) int: bool,
}

/// A cursor over `buf` at byte `pos`.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    #[inline]
    pub(crate) const fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    /// The current offset.
    #[inline(always)]
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    /// A cursor at byte `pos` of `buf`.
    #[inline]
    pub(crate) const fn at(buf: &'a [u8], pos: usize) -> Self {
        Cursor { buf, pos }
    }

    /// The byte at the cursor, if any.
    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// The byte at the cursor, or `Partial` at the end of the input.
    #[inline(always)]
    pub(crate) fn peek_more(&self) -> Lex<u8> {
        self.peek().ok_or(Stop::Partial)
    }

    /// Moves past one byte.
    #[inline(always)]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Skips whitespace; returns whether there was any.
    #[inline(always)]
    pub(crate) fn skip_ws(&mut self) -> bool {
        match self.peek() {
            Some(b) if is_ws(b) => {}
            _ => return false,
        }
        self.pos += 1;
        while let Some(b) = self.peek() {
            if !is_ws(b) {
                break;
            }
            self.pos += 1;
        }
        true
    }

    /// Skips whitespace, then returns the next byte (or `Partial`).
    #[inline(always)]
    pub(crate) fn next_token(&mut self, ws: &mut bool) -> Lex<u8> {
        *ws |= self.skip_ws();
        self.peek_more()
    }

    /// Lexes a string whose opening quote is at the cursor; leaves the cursor
    /// after the closing quote. Returns whether the string holds an escape.
    ///
    /// Most strings are plain ASCII up to their closing quote: this loop
    /// handles them with few registers and no calls, and hands the rest (an
    /// escape, a non-ASCII byte, a control byte, the end of the input) to
    /// [`string_special`]. Always inlined: left to the compiler, it was
    /// called out of line from one place in the server events' member loop
    /// (about 120 instructions more per event, 5 % more time).
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Lex<bool> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        let buf = self.buf;
        let mut i = self.pos + 1;
        loop {
            let mask = string_block(buf, i);
            if mask != 0 {
                let k = i + mask.trailing_zeros() as usize;
                if buf.get(k) == Some(&b'"') {
                    self.pos = k + 1;
                    return Ok(false);
                }
                let (end, escaped) = string_special(buf, i)?;
                self.pos = end;
                return Ok(escaped);
            }
            i += 16;
        }
    }

    /// Lexes a number whose first byte (`-` or a digit) is at the cursor.
    ///
    /// A number is never complete at the end of the input (more digits may
    /// follow), so the end of the input is `Partial`.
    #[inline]
    pub(crate) fn number(&mut self) -> Lex<NumberInfo> {
        self.number_until(false)
    }

    /// Lexes a number that ends the input, for a standalone value.
    pub(crate) fn number_to_end(&mut self) -> Lex<NumberInfo> {
        self.number_until(true)
    }

    #[inline(always)]
    fn number_until(&mut self, end_is_final: bool) -> Lex<NumberInfo> {
        let buf = self.buf;
        let start = self.pos;
        let mut i = start;
        let negative = buf.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        match buf.get(i) {
            None => return Err(Stop::Partial),
            Some(b'0') => {
                i += 1;
                // One leading zero at most.
                if let Some(b'0'..=b'9') = buf.get(i) {
                    return fail(ErrorKind::InvalidNumber, i);
                }
            }
            Some(b'1'..=b'9') => {
                i += 1;
                i = skip_digits(buf, i);
            }
            Some(_) => return fail(ErrorKind::InvalidNumber, i),
        }
        let int_digits = i - int_start;
        let mut int = true;
        // The decimal magnitude bound used to decide whether serde_json's
        // range check could fail; see `number`.
        let mut magnitude = int_digits as u64;
        if buf.get(i) == Some(&b'.') {
            int = false;
            i += 1;
            match buf.get(i) {
                None => return Err(Stop::Partial),
                Some(b'0'..=b'9') => i += 1,
                Some(_) => return fail(ErrorKind::InvalidNumber, i),
            }
            i = skip_digits(buf, i);
        }
        if let Some(b'e' | b'E') = buf.get(i) {
            int = false;
            i += 1;
            let mut positive = true;
            match buf.get(i) {
                Some(b'+') => i += 1,
                Some(b'-') => {
                    positive = false;
                    i += 1;
                }
                _ => {}
            }
            let exp_start = i;
            match buf.get(i) {
                None => return Err(Stop::Partial),
                Some(b'0'..=b'9') => {}
                Some(_) => return fail(ErrorKind::InvalidNumber, i),
            }
            let mut exp: u64 = 0;
            while let Some(&c @ b'0'..=b'9') = buf.get(i) {
                exp = exp.saturating_mul(10).saturating_add(u64::from(c - b'0'));
                i += 1;
            }
            if positive {
                magnitude = magnitude.saturating_add(exp);
            } else if i - exp_start > 9 {
                // A huge negative exponent can still overflow i32 in
                // serde_json's arithmetic; let the exact check decide.
                magnitude = u64::MAX;
            }
        }
        if i == buf.len() && !end_is_final {
            return Err(Stop::Partial);
        }
        if magnitude > 300 && number::out_of_range(&buf[start..i]) {
            return fail(ErrorKind::NumberOutOfRange, start);
        }
        if int {
            int = if negative {
                // serde_json reads `-0` as a float, and -2^63 is the
                // smallest i64.
                int_fits(&buf[int_start..i], b"9223372036854775808") && buf[int_start] != b'0'
            } else {
                int_fits(&buf[int_start..i], b"18446744073709551615")
            };
        }
        self.pos = i;
        Ok(NumberInfo { int })
    }

    /// Lexes `true`, `false` or `null` whose first byte is at the cursor.
    #[inline]
    fn literal(&mut self) -> Lex<()> {
        let word: &[u8] = match self.buf[self.pos] {
            b't' => b"true",
            b'f' => b"false",
            _ => b"null",
        };
        let rest = &self.buf[self.pos..];
        let n = word.len().min(rest.len());
        if rest[..n] != word[..n] {
            return fail(ErrorKind::InvalidLiteral, self.pos);
        }
        if n < word.len() {
            return Err(Stop::Partial);
        }
        self.pos += word.len();
        Ok(())
    }

    /// Lexes an object key: a string at the cursor, then whitespace and a
    /// colon, then whitespace up to the value.
    #[inline(always)]
    pub(crate) fn key(&mut self, ws: &mut bool) -> Lex<bool> {
        let escaped = self.string()?;
        // The compact layout, `":` and the value at once.
        if let Some(&[b':', value]) = self.buf.get(self.pos..self.pos + 2)
            && !is_ws(value)
        {
            self.pos += 1;
            return Ok(escaped);
        }
        if self.next_token(ws)? != b':' {
            return fail(ErrorKind::ExpectedColon, self.pos);
        }
        self.pos += 1;
        *ws |= self.skip_ws();
        Ok(escaped)
    }

    /// Validates and skips any JSON value at the cursor, without recursion.
    ///
    /// `depth` is the number of arrays and objects that enclose the value.
    /// Returns whether the value holds whitespace outside its strings.
    ///
    /// Inlined into the caller around an out-of-line call that takes and
    /// returns the position by value, so the caller's cursor never has its
    /// address taken and can live in registers too.
    #[inline(always)]
    pub(crate) fn skip_value(&mut self, depth: usize) -> Lex<bool> {
        let (pos, ws) = skip_value_from(self.buf, self.pos, depth)?;
        self.pos = pos;
        Ok(ws)
    }

    #[inline(always)]
    fn skip_value_here(&mut self, depth: usize) -> Lex<bool> {
        let mut ws = false;
        // One bit per open container, the innermost lowest: 1 for an object.
        let mut stack: u128 = 0;
        let mut open = 0usize;
        loop {
            // A value starts at the cursor.
            match self.peek_more()? {
                b'"' => {
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                b't' | b'f' | b'n' => self.literal()?,
                c @ (b'{' | b'[') => {
                    if depth + open + 1 > MAX_DEPTH {
                        return fail(ErrorKind::DepthLimitExceeded, self.pos);
                    }
                    let object = c == b'{';
                    stack = (stack << 1) | u128::from(object);
                    open += 1;
                    self.pos += 1;
                    let next = self.next_token(&mut ws)?;
                    if next == if object { b'}' } else { b']' } {
                        self.pos += 1;
                        stack >>= 1;
                        open -= 1;
                    } else if object {
                        if next != b'"' {
                            return fail(ErrorKind::ExpectedKey, self.pos);
                        }
                        self.key(&mut ws)?;
                        continue;
                    } else {
                        continue;
                    }
                }
                _ => return fail(ErrorKind::ExpectedValue, self.pos),
            }
            // A value ended: close containers until one goes on.
            loop {
                if open == 0 {
                    return Ok(ws);
                }
                let object = stack & 1 == 1;
                // The compact layout, `,"` in an object: the next key at once.
                if object && self.buf.get(self.pos..self.pos + 2) == Some(b",\"") {
                    self.pos += 1;
                    self.key(&mut ws)?;
                    break;
                }
                match self.next_token(&mut ws)? {
                    b',' => {
                        self.pos += 1;
                        let next = self.next_token(&mut ws)?;
                        if object {
                            if next != b'"' {
                                let kind = if next == b'}' {
                                    ErrorKind::TrailingComma
                                } else {
                                    ErrorKind::ExpectedKey
                                };
                                return fail(kind, self.pos);
                            }
                            self.key(&mut ws)?;
                        } else if next == b']' {
                            return fail(ErrorKind::TrailingComma, self.pos);
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => {
                        let kind = if object {
                            ErrorKind::ExpectedCommaOrBrace
                        } else {
                            ErrorKind::ExpectedCommaOrBracket
                        };
                        return fail(kind, self.pos);
                    }
                }
                self.pos += 1;
                stack >>= 1;
                open -= 1;
            }
        }
    }
}

/// The index of the first byte at or after `i` that is not an ASCII digit
/// (or `buf.len()`), eight bytes at a time while eight remain.
#[inline(always)]
fn skip_digits(buf: &[u8], mut i: usize) -> usize {
    while let Some(word) = word_at(buf, i) {
        // A lane is a digit when its high nibble is 3 both as it is and
        // after adding 6 (0x3A..=0x3F become 0x40..=0x45). A carry out of a
        // lane (from 0xFA and above, not a digit) only disturbs later lanes.
        let high = word & (LO * 0xF0);
        let shifted = word.wrapping_add(LO * 0x06) & (LO * 0xF0);
        let wrong = (high ^ (LO * 0x30)) | (shifted ^ (LO * 0x30));
        if wrong != 0 {
            // `word` is little-endian, so the first byte is the lowest lane.
            return i + (wrong.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    skip_digits_scalar(buf, i)
}

/// [`skip_digits`] byte by byte: its tail, and the reference it is tested
/// against.
#[inline(always)]
fn skip_digits_scalar(buf: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = buf.get(i) {
        i += 1;
    }
    i
}

/// [`Cursor::skip_value`] by value: the position after the value at `pos`,
/// and whether it holds whitespace outside its strings.
#[inline(never)]
fn skip_value_from(buf: &[u8], pos: usize, depth: usize) -> Lex<(usize, bool)> {
    // On a cursor of its own, so the position can live in a register.
    let mut cursor = Cursor::at(buf, pos);
    let ws = cursor.skip_value_here(depth)?;
    Ok((cursor.pos, ws))
}

/// Whether the digits `digits` (no sign, no leading zero unless alone) are at
/// most `max`, written in decimal.
#[inline]
fn int_fits(digits: &[u8], max: &[u8]) -> bool {
    digits.len() < max.len() || (digits.len() == max.len() && digits <= max)
}

/// The value of an ASCII hex digit.
#[inline]
const fn hex(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u16),
        b'a'..=b'f' => Some((b - b'a' + 10) as u16),
        b'A'..=b'F' => Some((b - b'A' + 10) as u16),
        _ => None,
    }
}

/// Reads the four hex digits of a `\u` escape whose backslash is at `at`.
#[inline]
fn hex4(buf: &[u8], at: usize) -> Lex<u16> {
    let mut value = 0u16;
    for k in 0..4 {
        let Some(&b) = buf.get(at + 2 + k) else {
            return Err(Stop::Partial);
        };
        match hex(b) {
            Some(d) => value = (value << 4) | d,
            None => return fail(ErrorKind::InvalidUnicodeEscape, at),
        }
    }
    Ok(value)
}

/// The value of each byte as a hex digit, or 0xFF.
const HEX: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(d) = hex(b as u8) {
            table[b] = d as u8;
        }
        b += 1;
    }
    table
};

/// [`hex4`] with one table look-up per digit, when all four digits are
/// present and valid; `None` sends anything else to [`hex4`], which says
/// what is wrong.
#[inline(always)]
fn quick_hex4(buf: &[u8], at: usize) -> Option<u16> {
    let digits: &[u8; 4] = buf.get(at + 2..at + 6)?.try_into().ok()?;
    let [a, b, c, d] = digits.map(|x| HEX[usize::from(x)]);
    if (a | b | c | d) & 0xF0 != 0 {
        return None;
    }
    Some((u16::from(a) << 12) | (u16::from(b) << 8) | (u16::from(c) << 4) | u16::from(d))
}

/// Validates the escape whose backslash is at `at`; returns the index after it.
#[inline(always)]
pub(crate) fn escape_at(buf: &[u8], at: usize) -> Lex<usize> {
    match buf.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => unicode_escape(buf, at),
        Some(_) => fail(ErrorKind::InvalidEscape, at),
        None => Err(Stop::Partial),
    }
}

/// Validates the `\u` escape whose backslash is at `at`, with the low half
/// that must follow a high surrogate; returns the index after it.
#[inline(never)]
fn unicode_escape(buf: &[u8], at: usize) -> Lex<usize> {
    let unit = match quick_hex4(buf, at) {
        Some(unit) => unit,
        None => hex4(buf, at)?,
    };
    match unit {
        0xD800..=0xDBFF => {
            // A high surrogate must be followed by `\u` and a low one.
            let next = at + 6;
            match (buf.get(next), buf.get(next + 1)) {
                (None, _) | (Some(b'\\'), None) => Err(Stop::Partial),
                (Some(b'\\'), Some(b'u')) => {
                    match quick_hex4(buf, next).map_or_else(|| hex4(buf, next), Ok)? {
                        0xDC00..=0xDFFF => Ok(next + 6),
                        _ => fail(ErrorKind::LoneSurrogate, at),
                    }
                }
                _ => fail(ErrorKind::LoneSurrogate, at),
            }
        }
        0xDC00..=0xDFFF => fail(ErrorKind::LoneSurrogate, at),
        _ => Ok(at + 6),
    }
}

/// Validates the UTF-8 character whose first byte, non-ASCII, is at `at`;
/// returns the index after it. Like `core::str::from_utf8`, a character
/// that is a valid beginning cut by the end of the input may be completed
/// (`Partial`), and anything else wrong is reported at its first byte.
#[inline(always)]
fn utf8_char(buf: &[u8], at: usize) -> Lex<usize> {
    // The width, and the range of the second byte (narrower than a plain
    // continuation byte after E0, ED, F0 and F4: no overlong forms, no
    // surrogates, nothing above U+10FFFF).
    let lead = buf[at];
    if let 0xC2..=0xDF = lead {
        return match buf.get(at + 1) {
            Some(0x80..=0xBF) => Ok(at + 2),
            Some(_) => fail(ErrorKind::InvalidUtf8, at),
            None => Err(Stop::Partial),
        };
    }
    let (width, lo, hi) = match lead {
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xF0 => (4, 0x90, 0xBF),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        _ => return fail(ErrorKind::InvalidUtf8, at),
    };
    match buf.get(at + 1) {
        None => return Err(Stop::Partial),
        Some(&b) if b < lo || b > hi => return fail(ErrorKind::InvalidUtf8, at),
        Some(_) => {}
    }
    for k in 2..width {
        match buf.get(at + k) {
            None => return Err(Stop::Partial),
            Some(&b) if !(0x80..=0xBF).contains(&b) => return fail(ErrorKind::InvalidUtf8, at),
            Some(_) => {}
        }
    }
    Ok(at + width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_value(input: &[u8]) -> Lex<usize> {
        let mut c = Cursor::new(input);
        c.skip_value(0)?;
        Ok(c.pos())
    }

    #[test]
    fn swar_block_agrees_with_bytewise_block_in_every_lane() {
        let max = if cfg!(miri) { 18 } else { 40 };
        for len in 0..max {
            for at in 0..len {
                for special in [
                    b'"', b'\\', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff, b'!', b'#',
                ] {
                    let mut bytes = [b'a'; 40];
                    bytes[at] = special;
                    // A second special byte further on, to catch flags that
                    // leak between lanes.
                    if at + 3 < len {
                        bytes[at + 3] = b'"';
                    }
                    let buf = &bytes[..len];
                    for start in 0..=len {
                        assert_eq!(
                            string_block_swar(buf, start),
                            string_block_scalar(buf, start),
                            "{special:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn swar_masks_agree_with_bytewise_masks_in_every_lane() {
        let max = if cfg!(miri) { 20 } else { 40 };
        for len in 16..max {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff] {
                    let mut bytes = [b'a'; 40];
                    bytes[at] = special;
                    if at + 3 < len {
                        bytes[at + 3] = b'\\';
                    }
                    let buf = &bytes[..len];
                    for start in 0..=len - 16 {
                        assert_eq!(
                            string_masks_swar(buf, start),
                            string_masks_scalar(buf, start),
                            "{special:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn swar_common_escapes_agree_with_bytewise_in_every_lane() {
        // Every byte value in every lane, beside an `r` three lanes on: a
        // lane's answer must not leak into its neighbours.
        let lanes = if cfg!(miri) { 4 } else { 16 };
        for at in 0..lanes {
            for byte in 0..=255u8 {
                let mut bytes = [b'a'; 24];
                bytes[at] = byte;
                bytes[at + 3] = b'r';
                for start in 0..=bytes.len() - 16 {
                    assert_eq!(
                        common_escapes_swar(&bytes, start),
                        common_escapes_scalar(&bytes, start),
                        "{byte:#x} at {at}, from {start}"
                    );
                }
            }
        }
    }

    #[test]
    fn swar_digit_skip_agrees_with_bytewise_skip() {
        let all: [u8; 256] = core::array::from_fn(|k| k as u8);
        let few = [0x00, 0x2f, 0x30, 0x39, 0x3a, 0x3f, 0xb0, 0xf9, 0xfa, 0xff];
        let values: &[u8] = if cfg!(miri) { &few } else { &all };
        for &b in values {
            for len in 0..20 {
                for at in 0..len {
                    let mut bytes = [b'7'; 20];
                    bytes[at] = b;
                    let buf = &bytes[..len];
                    for start in 0..=len {
                        assert_eq!(
                            skip_digits(buf, start),
                            skip_digits_scalar(buf, start),
                            "{b:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn swar_lanes_flag_every_byte_value_exactly() {
        for b in 0..=255u8 {
            let mut bytes = [b'a'; 16];
            bytes[5] = b;
            bytes[12] = b;
            let expect = if is_special(b) {
                (1 << 5) | (1 << 12)
            } else {
                0
            };
            assert_eq!(string_block_swar(&bytes, 0), expect, "{b:#x}");
        }
    }

    /// Pieces of text, valid and not, that string bodies are built from.
    const PIECES: &[&[u8]] = &[
        b"a",
        b"word ",
        "é".as_bytes(),
        "Ж".as_bytes(),
        "ß".as_bytes(),
        "日".as_bytes(),
        "本".as_bytes(),
        "😀".as_bytes(),
        "\u{800}".as_bytes(),
        "\u{D7FF}".as_bytes(),
        "\u{10FFFF}".as_bytes(),
        "\u{40000}".as_bytes(),
        b"\xC0\x80",
        b"\xC1\xBF",
        b"\xC2",
        b"\xE0\x80\x80",
        b"\xE0\xA0",
        b"\xED\xA0\x80",
        b"\xE1\x80",
        b"\xF0\x80\x80\x80",
        b"\xF0\x90\x80",
        b"\xF4\x90\x80\x80",
        b"\xF5\x80\x80\x80",
        b"\x80",
        b"\xBF",
        b"\xFF",
    ];

    /// Bodies of several blocks, mostly valid text in other scripts
    /// (checked a block at a time) with a wrong or rare piece now and then,
    /// at every alignment: the lexer's verdict must be
    /// `core::str::from_utf8`'s, error offset included.
    #[test]
    fn long_strings_agree_with_core_on_utf8() {
        let cases = if cfg!(miri) { 200 } else { 40_000 };
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut wrong = 0;
        for _ in 0..cases {
            let mut body = std::vec::Vec::new();
            let len = 16 + (next() % 48) as usize;
            while body.len() < len {
                let r = next();
                let piece = if r % 8 == 0 {
                    PIECES[(r >> 8) as usize % PIECES.len()]
                } else {
                    PIECES[2 + (r >> 8) as usize % 6]
                };
                body.extend_from_slice(piece);
            }
            let input = [&b"\""[..], &body, b"\""].concat();
            let want = match core::str::from_utf8(&body) {
                Ok(_) => Ok(false),
                Err(e) => {
                    wrong += 1;
                    Err(Stop::Fail(Error::new(
                        ErrorKind::InvalidUtf8,
                        1 + e.valid_up_to(),
                    )))
                }
            };
            let mut cursor = Cursor::new(&input);
            assert_eq!(cursor.string(), want, "{input:x?}");
            if want.is_ok() {
                assert_eq!(cursor.pos(), input.len());
            }
        }
        // Both verdicts were put to the test.
        assert!(wrong > cases / 10 && wrong < cases - cases / 10, "{wrong}");
    }

    /// Every sequence of up to four bytes after a quote: the lexer's verdict
    /// on the string must be `core::str::from_utf8`'s, error offset and
    /// incomplete endings included. Safe scalar code throughout, and too
    /// many cases for Miri.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn utf8_characters_agree_with_core() {
        let interesting: [u8; 24] = [
            0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
            0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
        ];
        let mut buf = [0u8; 6];
        buf[0] = b'"';
        for &a in interesting.iter() {
            for &b in interesting.iter() {
                for &c in interesting.iter() {
                    for &d in &interesting[..] {
                        buf[1..5].copy_from_slice(&[a, b, c, d]);
                        buf[5] = b'"';
                        for end in 2..=6 {
                            let input = &buf[..end];
                            let got = Cursor::new(input).string().map(|_| ());
                            let body = &input[1..];
                            let body = body.strip_suffix(b"\"").unwrap_or(body);
                            let closed = input.len() == 6;
                            let want = match core::str::from_utf8(body) {
                                Ok(_) if closed => Ok(()),
                                Ok(_) => Err(Stop::Partial),
                                Err(e) if e.error_len().is_none() && !closed => Err(Stop::Partial),
                                Err(e) => Err(Stop::Fail(Error::new(
                                    ErrorKind::InvalidUtf8,
                                    1 + e.valid_up_to(),
                                ))),
                            };
                            // A quote or control byte inside ends or fails
                            // the string before UTF-8 matters.
                            if body.iter().any(|&x| x < 0x20 || x == b'"' || x == b'\\') {
                                continue;
                            }
                            assert_eq!(got, want, "{input:x?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn string_reports_escapes() {
        let mut c = Cursor::new(br#""plain" "#);
        assert_eq!(c.string(), Ok(false));
        assert_eq!(c.pos(), 7);
        let mut c = Cursor::new(br#""a\nb\u00e9\ud83d\ude00""#);
        assert_eq!(c.string(), Ok(true));
    }

    /// A bytewise string lexer for the tests: the end and whether the
    /// string holds an escape, or the offset of a bad escape.
    fn reference_string(s: &[u8]) -> Result<(usize, bool), usize> {
        let (mut i, mut escaped) = (1, false);
        loop {
            match s[i] {
                b'"' => return Ok((i + 1, escaped)),
                b'\\' => {
                    escaped = true;
                    match s[i + 1] {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                        b'u' if s[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) => i += 6,
                        _ => return Err(i),
                    }
                }
                _ => i += 1,
            }
        }
    }

    /// A long string body of `len` bytes or more: SDP-like text, `\r\n`
    /// and escaped quotes, and now and then another escape, a backslash
    /// pair or non-ASCII text (`rare` in 256 pieces).
    fn long_body(next: &mut impl FnMut() -> u64, len: usize, rare: u64) -> std::vec::Vec<u8> {
        const COMMON: [&[u8]; 5] = [b"a=mid:0", b"\\r\\n", b"\\\"", b" 9 UDP/TLS", b"x"];
        const RARE: [&[u8]; 6] = [
            b"\\t",
            b"\\\\",
            b"\\/",
            b"\\u0041",
            "é".as_bytes(),
            b"\\r\\",
        ];
        crate::wide::tests::pieces(next, len, rare * 4, &COMMON, &RARE)
    }

    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// Long strings of escapes, lexed by the wide run where the CPU has
    /// AVX2, agree with the bytewise lexer: where they end, whether they hold
    /// an escape, and where a bad escape is.
    #[test]
    fn long_escaped_strings_agree_with_a_bytewise_lexer() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let cases = if cfg!(miri) { 12 } else { 3000 };
        for case in 0..cases {
            let len = 16 + (next() % 300) as usize;
            let mut body = long_body(&mut next, len, case % 3 * 4);
            // Now and then a bad escape, or a quote that ends the string
            // early, never inside a character (the reference knows no UTF-8).
            let mut at = (next() as usize) % body.len();
            while at < body.len() && (0x80..0xc0).contains(&body[at]) {
                at += 1;
            }
            match next() % 8 {
                0 => body.insert(at, b'"'),
                1 => drop(body.splice(at..at, *b"\\q")),
                _ => {}
            }
            let mut s = alloc::vec![b'"'];
            s.extend_from_slice(&body);
            s.extend_from_slice(b"\"  , \"next\": \"a\\\"b\" }");
            let mut c = Cursor::new(&s);
            let got = match c.string() {
                Ok(escaped) => Ok((c.pos(), escaped)),
                Err(Stop::Fail(e))
                    if matches!(
                        e.kind(),
                        ErrorKind::InvalidEscape | ErrorKind::InvalidUnicodeEscape
                    ) =>
                {
                    Err(e.offset())
                }
                Err(other) => panic!("{other:?} on {:?}", core::str::from_utf8(&s)),
            };
            // The reference stops at non-ASCII text as at any other byte.
            assert_eq!(got, reference_string(&s), "{:?}", core::str::from_utf8(&s));
        }
    }

    #[test]
    fn escapes_agree_with_a_bytewise_lexer_wherever_blocks_cut_them() {
        let escapes: [&[u8]; 10] = [
            b"\\r\\n",
            b"\\\"",
            b"\\\\",
            b"\\\\\\\"",
            b"\\t",
            b"\\/",
            b"\\u0041",
            b"\\q",
            b"\\r\\q",
            b"\\\\r",
        ];
        let max = if cfg!(miri) { 20 } else { 48 };
        for first in escapes {
            for second in escapes {
                for at in 0..max {
                    for gap in [0, 1, 3, 15] {
                        let mut s = alloc::vec![b'"'];
                        s.extend(core::iter::repeat_n(b'a', at));
                        s.extend_from_slice(first);
                        s.extend(core::iter::repeat_n(b'b', gap));
                        s.extend_from_slice(second);
                        s.extend_from_slice(b"c\"   ,\"next\"");
                        let mut c = Cursor::new(&s);
                        let got = match c.string() {
                            Ok(escaped) => Ok((c.pos(), escaped)),
                            Err(Stop::Fail(e)) => {
                                assert_eq!(e.kind(), ErrorKind::InvalidEscape);
                                Err(e.offset())
                            }
                            Err(Stop::Partial) => panic!("partial: {s:?}"),
                        };
                        assert_eq!(got, reference_string(&s), "{:?}", core::str::from_utf8(&s));
                    }
                }
            }
        }
    }

    #[test]
    fn lone_surrogates_are_rejected() {
        for s in [
            &br#""\ud800""#[..],
            br#""\udc00""#,
            br#""\ud800\u0041""#,
            br#""\ud800x""#,
        ] {
            let mut c = Cursor::new(s);
            assert!(
                matches!(c.string(), Err(Stop::Fail(e)) if e.kind() == ErrorKind::LoneSurrogate)
            );
        }
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for good in ["0 ", "-0 ", "12 ", "1.5 ", "1e5 ", "1E+5 ", "-1.25e-3 "] {
            assert!(lex_value(good.as_bytes()).is_ok(), "{good}");
        }
        for bad in ["- ", "-a", "1. ", "1.e", "1e ", "1e+ ", ".5", "+1"] {
            assert!(
                matches!(lex_value(bad.as_bytes()), Err(Stop::Fail(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn integer_ids_follow_serde_json_ranges() {
        let int = |s: &str| Cursor::new(s.as_bytes()).number().map(|n| n.int);
        assert_eq!(int("18446744073709551615 "), Ok(true));
        assert_eq!(int("18446744073709551616 "), Ok(false));
        assert_eq!(int("-9223372036854775808 "), Ok(true));
        assert_eq!(int("-9223372036854775809 "), Ok(false));
        assert_eq!(int("-0 "), Ok(false));
        assert_eq!(int("0 "), Ok(true));
        assert_eq!(int("1.0 "), Ok(false));
    }

    #[test]
    fn deep_nesting_stops_at_the_limit_without_recursion() {
        let deep = [b'['; 1 << 20];
        let err = lex_value(&deep).unwrap_err();
        assert_eq!(
            err,
            Stop::Fail(Error::new(ErrorKind::DepthLimitExceeded, MAX_DEPTH))
        );
    }

    #[test]
    fn prefixes_of_values_are_partial() {
        let value = br#"{"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude00y",{}],"b":"\u00e9"}"#;
        for end in 0..value.len() {
            assert_eq!(lex_value(&value[..end]), Err(Stop::Partial), "{end}");
        }
        assert_eq!(lex_value(value), Ok(value.len()));
    }
}

// ---------------------------------------------------------------------------
// Resumable boundary scanning, for the stream framing (`src/stream/`).
//
// The lexer above validates; the scanners below only follow structure, so
// that a stream decoder fed chunk by chunk can find where a value ends by
// looking at each new byte once, remembering its state between chunks, and
// then hand the whole value to the decoder a single time. They never fail:
// they report the end of a value, that more input is needed, or that the
// structure cannot be followed (`Broken`).
// ---------------------------------------------------------------------------

/// Where a [`ValueEnd`] scan stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Boundary {
    /// The value ends before this index (its last byte is at `index - 1`).
    End(usize),
    /// Every byte given was examined and the value goes on.
    More,
    /// The structure cannot be followed at this index: a line feed inside a
    /// string, a closing bracket of the wrong kind, nesting deeper than the
    /// scanner tracks, or a byte that cannot start a value.
    Broken(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Region {
    /// Before the value's first byte.
    Start,
    /// Inside a container, outside strings.
    Outside,
    /// Inside a string.
    InString,
    /// Inside a string, right after a backslash.
    Escape,
    /// Inside a top-level number or literal.
    Scalar,
}

/// The deepest nesting [`ValueEnd`] follows: one bit per level in a `u128`.
const SCAN_DEPTH: u8 = 128;

/// A resumable scanner that finds where one JSON value ends.
///
/// It tracks only whether it is inside a string (and right after a
/// backslash), and a stack of the open brackets, so its state is a few
/// words. Feed it the same buffer, grown, with the index of the first byte
/// it has not seen; it looks at each byte once. It does not validate: the
/// value it delimits is then decoded (and validated) in one go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueEnd {
    region: Region,
    depth: u8,
    /// One bit per open container, the innermost lowest: 1 for an object.
    stack: u128,
}

/// Bytes that may continue a top-level number or literal.
#[inline(always)]
const fn is_scalar_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'-' | b'.')
}

/// Whether `b` can start a JSON value.
#[inline(always)]
pub(crate) const fn starts_value(b: u8) -> bool {
    matches!(
        b,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

impl ValueEnd {
    /// A scanner before the value's first byte.
    pub(crate) const fn new() -> Self {
        ValueEnd {
            region: Region::Start,
            depth: 0,
            stack: 0,
        }
    }

    /// Scans `buf[from..]`, where `from` is the first byte this scanner has
    /// not examined yet (the value's first byte on the first call).
    pub(crate) fn scan(&mut self, buf: &[u8], mut i: usize) -> Boundary {
        loop {
            match self.region {
                Region::Start => {
                    let Some(&b) = buf.get(i) else {
                        return Boundary::More;
                    };
                    match b {
                        b'{' | b'[' => {
                            self.stack = u128::from(b == b'{');
                            self.depth = 1;
                            self.region = Region::Outside;
                        }
                        b'"' => self.region = Region::InString,
                        _ if starts_value(b) => self.region = Region::Scalar,
                        _ => return Boundary::Broken(i),
                    }
                    i += 1;
                }
                Region::Scalar => {
                    while let Some(&b) = buf.get(i) {
                        if !is_scalar_byte(b) {
                            return Boundary::End(i);
                        }
                        i += 1;
                    }
                    return Boundary::More;
                }
                Region::InString => {
                    let Some(rest) = buf.get(i..) else {
                        return Boundary::More;
                    };
                    let Some(k) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                        return Boundary::More;
                    };
                    let j = i + k;
                    match buf[j] {
                        b'"' => {
                            if self.depth == 0 {
                                return Boundary::End(j + 1);
                            }
                            self.region = Region::Outside;
                        }
                        b'\\' => self.region = Region::Escape,
                        _ => return Boundary::Broken(j),
                    }
                    i = j + 1;
                }
                Region::Escape => {
                    let Some(&b) = buf.get(i) else {
                        return Boundary::More;
                    };
                    if b == b'\n' {
                        return Boundary::Broken(i);
                    }
                    self.region = Region::InString;
                    i += 1;
                }
                Region::Outside => {
                    while let Some(&b) = buf.get(i) {
                        match b {
                            b'"' => break,
                            b'{' | b'[' => {
                                if self.depth == SCAN_DEPTH {
                                    return Boundary::Broken(i);
                                }
                                self.stack = (self.stack << 1) | u128::from(b == b'{');
                                self.depth += 1;
                            }
                            b'}' | b']' => {
                                if (self.stack & 1 == 1) != (b == b'}') {
                                    return Boundary::Broken(i);
                                }
                                self.stack >>= 1;
                                self.depth -= 1;
                                if self.depth == 0 {
                                    return Boundary::End(i + 1);
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    if i >= buf.len() {
                        return Boundary::More;
                    }
                    // At a quote.
                    self.region = Region::InString;
                    i += 1;
                }
            }
        }
    }
}

/// What an [`EnvelopeProbe`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// The input starts `{ "events": [` (whitespace allowed between tokens).
    Envelope,
    /// It does not.
    Other,
    /// Every byte given was examined; more are needed to tell.
    More,
}

/// A resumable matcher for the start of an API envelope, `{"events":[`,
/// with any whitespace between the tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EnvelopeProbe {
    /// 0: expects `{`; 1: whitespace or `"`; 2..=7: `events` matched up to
    /// `stage - 2` bytes; 8: the closing `"`; 9: whitespace or `:`;
    /// 10: whitespace or `[`.
    stage: u8,
}

impl EnvelopeProbe {
    /// A probe before the first byte.
    pub(crate) const fn new() -> Self {
        EnvelopeProbe { stage: 0 }
    }

    /// Examines `buf[from..]`, where `from` is the first byte not yet seen.
    pub(crate) fn scan(&mut self, buf: &[u8], from: usize) -> Probe {
        const KEY: &[u8; 6] = b"events";
        for &b in buf.get(from..).unwrap_or_default() {
            let ok = match self.stage {
                0 => b == b'{',
                1 | 9 | 10 if is_ws(b) => continue,
                1 => b == b'"',
                2..=7 => b == KEY[usize::from(self.stage - 2)],
                8 => b == b'"',
                9 => b == b':',
                _ => {
                    return if b == b'[' {
                        Probe::Envelope
                    } else {
                        Probe::Other
                    };
                }
            };
            if !ok {
                return Probe::Other;
            }
            self.stage += 1;
        }
        Probe::More
    }
}

#[cfg(test)]
mod boundary_tests {
    use super::*;

    /// Scans `input` fed in pieces of `step` bytes.
    fn chunked(input: &[u8], step: usize) -> Boundary {
        let mut scanner = ValueEnd::new();
        let mut from = 0;
        let mut end = 0;
        while end < input.len() {
            end = (end + step).min(input.len());
            match scanner.scan(&input[..end], from) {
                Boundary::More => from = end,
                done => return done,
            }
        }
        Boundary::More
    }

    #[test]
    fn finds_the_end_of_valid_values_however_chunked() {
        let values: [&[u8]; 6] = [
            br#"{"a":[1,{"b":"]}\"{"}],"c":"\\"} "#,
            br#"[[],{},"x"]"#,
            br#""str\"ing" "#,
            b"-12.5e3,",
            b"true]",
            br#"{"event":"chat_session_typing"}{"#,
        ];
        for value in values {
            let mut c = Cursor::new(value);
            let expected = match value[0] {
                b'-' | b't' => {
                    // Scalars end at the delimiter.
                    value.iter().position(|&b| b == b',' || b == b']').unwrap()
                }
                _ => {
                    c.skip_value(0).unwrap();
                    c.pos()
                }
            };
            for step in 1..=value.len() {
                assert_eq!(
                    chunked(value, step),
                    Boundary::End(expected),
                    "{step} {value:?}"
                );
            }
        }
    }

    #[test]
    fn reports_structure_it_cannot_follow() {
        assert_eq!(chunked(b"{\"a\n\":1}", 3), Boundary::Broken(3));
        assert_eq!(chunked(b"{\"a\":[}", 2), Boundary::Broken(6));
        assert_eq!(chunked(b",", 1), Boundary::Broken(0));
        let deep = [b'['; 200];
        assert_eq!(chunked(&deep, 7), Boundary::Broken(128));
        assert_eq!(chunked(b"{\"a\":\"xx", 1), Boundary::More);
    }

    #[test]
    fn probe_matches_envelope_starts_only() {
        let probe = |input: &[u8]| {
            let mut p = EnvelopeProbe::new();
            let mut last = Probe::More;
            for i in 0..input.len() {
                last = p.scan(&input[..=i], i);
                if last != Probe::More {
                    break;
                }
            }
            last
        };
        assert_eq!(probe(b"{\"events\":["), Probe::Envelope);
        assert_eq!(probe(b"{ \n\"events\" :\t[ "), Probe::Envelope);
        assert_eq!(probe(b"{\"events\":{"), Probe::Other);
        assert_eq!(probe(b"{\"event\":\""), Probe::Other);
        assert_eq!(probe(b"{\"eve"), Probe::More);
        assert_eq!(probe(b"[\"events\""), Probe::Other);
    }
}
