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

/// JSON whitespace: space, tab, line feed, carriage return.
#[inline(always)]
pub(crate) const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Flags, in the high bit of each byte lane, the bytes of `w` that end a run
/// of plain string content: `"`, `\`, a control byte or a non-ASCII byte.
///
/// Lanes above the first flagged one may be flagged falsely (a borrow
/// propagates upwards), so only the lowest flag is meaningful. `w` must come
/// from `u64::from_le_bytes`, which puts the first byte in the lowest lane on
/// every target.
#[inline(always)]
const fn special_lanes(w: u64) -> u64 {
    let quote = w ^ (LO * b'"' as u64);
    let backslash = w ^ (LO * b'\\' as u64);
    let zero_quote = quote.wrapping_sub(LO) & !quote;
    let zero_backslash = backslash.wrapping_sub(LO) & !backslash;
    let control = w.wrapping_sub(LO * 0x20) & !w;
    (zero_quote | zero_backslash | control | w) & HI
}

/// Whether `b` ends a run of plain string content.
#[inline(always)]
const fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20 || b >= 0x80
}

/// The index of the first byte at or after `i` that ends a run of plain
/// string content, or `buf.len()`.
#[inline(always)]
pub(crate) fn find_special(buf: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = buf.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let lanes = special_lanes(u64::from_le_bytes(word));
        if lanes != 0 {
            return i + (lanes.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = buf.get(i) {
        if is_special(b) {
            return i;
        }
        i += 1;
    }
    i
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
    #[inline]
    pub(crate) fn string(&mut self) -> Lex<bool> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        let buf = self.buf;
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            i = find_special(buf, i);
            let Some(&b) = buf.get(i) else {
                return Err(Stop::Partial);
            };
            match b {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    i = escape_at(buf, i)?;
                }
                0x00..=0x1f => return fail(ErrorKind::ControlCharacter, i),
                _ => i = utf8_char(buf, i)?,
            }
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
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                i += 1;
                while let Some(b'0'..=b'9') = buf.get(i) {
                    i += 1;
                }
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
            while let Some(b'0'..=b'9') = buf.get(i) {
                i += 1;
            }
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
    #[inline]
    pub(crate) fn key(&mut self, ws: &mut bool) -> Lex<bool> {
        let escaped = self.string()?;
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
    pub(crate) fn skip_value(&mut self, depth: usize) -> Lex<bool> {
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

/// Validates the escape whose backslash is at `at`; returns the index after it.
#[inline]
pub(crate) fn escape_at(buf: &[u8], at: usize) -> Lex<usize> {
    match buf.get(at + 1) {
        None => Err(Stop::Partial),
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => {
            let unit = hex4(buf, at)?;
            match unit {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by `\u` and a low one.
                    let next = at + 6;
                    match (buf.get(next), buf.get(next + 1)) {
                        (None, _) | (Some(b'\\'), None) => Err(Stop::Partial),
                        (Some(b'\\'), Some(b'u')) => match hex4(buf, next)? {
                            0xDC00..=0xDFFF => Ok(next + 6),
                            _ => fail(ErrorKind::LoneSurrogate, at),
                        },
                        _ => fail(ErrorKind::LoneSurrogate, at),
                    }
                }
                0xDC00..=0xDFFF => fail(ErrorKind::LoneSurrogate, at),
                _ => Ok(at + 6),
            }
        }
        Some(_) => fail(ErrorKind::InvalidEscape, at),
    }
}

/// Validates the multi-byte UTF-8 character whose lead byte is at `at`;
/// returns the index after it.
#[inline]
fn utf8_char(buf: &[u8], at: usize) -> Lex<usize> {
    let lead = buf[at];
    // The range of the second byte, and how many bytes follow the lead.
    let (lo, hi, len) = match lead {
        0xC2..=0xDF => (0x80, 0xBF, 1),
        0xE0 => (0xA0, 0xBF, 2),
        0xE1..=0xEC | 0xEE..=0xEF => (0x80, 0xBF, 2),
        0xED => (0x80, 0x9F, 2),
        0xF0 => (0x90, 0xBF, 3),
        0xF1..=0xF3 => (0x80, 0xBF, 3),
        0xF4 => (0x80, 0x8F, 3),
        _ => return fail(ErrorKind::InvalidUtf8, at),
    };
    for k in 1..=len {
        let Some(&b) = buf.get(at + k) else {
            return Err(Stop::Partial);
        };
        let (lo, hi) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
        if b < lo || b > hi {
            return fail(ErrorKind::InvalidUtf8, at);
        }
    }
    Ok(at + 1 + len)
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
    fn special_lanes_finds_first_special_byte_in_every_lane() {
        for lane in 0..8 {
            for special in [b'"', b'\\', 0x00, 0x1f, 0x80, 0xff] {
                let mut bytes = *b"abcdefgh";
                bytes[lane] = special;
                assert_eq!(find_special(&bytes, 0), lane, "{special:#x} in lane {lane}");
            }
        }
        assert_eq!(find_special(b"abcdefgh ~\x7f", 0), 11);
    }

    #[test]
    fn find_special_agrees_with_bytewise_search() {
        let mut bytes = [b'a'; 40];
        for i in 0..40 {
            for special in [b'"', b'\\', 0x05, 0xC3] {
                bytes[i] = special;
                for start in 0..=i {
                    assert_eq!(find_special(&bytes, start), i);
                }
                bytes[i] = b'a';
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
