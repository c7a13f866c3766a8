//! Borrowed field values: strings still in their escaped form, ids that are
//! strings or integers, and raw validated JSON.
//!
//! Each is one or two words that point into the decoded input. Nothing here
//! allocates unless a method's name says it returns an owned value.

use core::fmt;

use crate::error::{Error, ErrorKind};
use crate::scan::{Cursor, Stop};

pub(crate) use crate::trusted::validated_str;

/// One piece of a string's unescaped text: a run copied from the input, or a
/// character an escape stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text that appears in the input as it is.
    Run(&'a str),
    /// The character of one escape (`\n`, `\u00e9`, a surrogate pair...).
    Char(char),
}

/// The pieces of a string's escaped content, in order. See [`Text::pieces`].
#[derive(Clone, Debug)]
pub struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    #[inline]
    fn next(&mut self) -> Option<Piece<'a>> {
        let bytes = self.rest.as_bytes();
        if bytes.is_empty() {
            return None;
        }
        if bytes[0] != b'\\' {
            let end = memchr::memchr(b'\\', bytes).unwrap_or(bytes.len());
            let (run, rest) = self.rest.split_at(end);
            self.rest = rest;
            return Some(Piece::Run(run));
        }
        let (c, used) = decode_escape(bytes);
        self.rest = &self.rest[used..];
        Some(Piece::Char(c))
    }
}

/// Decodes the escape at the start of `bytes`, which the lexer validated.
/// Returns the character and the escape's length.
#[inline]
fn decode_escape(bytes: &[u8]) -> (char, usize) {
    let c = match bytes.get(1) {
        Some(b'n') => '\n',
        Some(b't') => '\t',
        Some(b'r') => '\r',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'u') => {
            let unit = hex4(bytes, 2);
            if (0xD800..0xDC00).contains(&unit) {
                let low = hex4(bytes, 8);
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                return (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 12);
            }
            return (
                char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER),
                6,
            );
        }
        Some(&b) => b as char,
        None => char::REPLACEMENT_CHARACTER,
    };
    (c, 2)
}

#[inline]
fn hex4(bytes: &[u8], at: usize) -> u32 {
    let mut v = 0;
    for k in 0..4 {
        let d = match bytes.get(at + k) {
            Some(&b @ b'0'..=b'9') => b - b'0',
            Some(&b @ b'a'..=b'f') => b - b'a' + 10,
            Some(&b @ b'A'..=b'F') => b - b'A' + 10,
            _ => 0,
        };
        v = (v << 4) | u32::from(d);
    }
    v
}

/// The buffer given to [`Text::unescape_into`] is too small; `needed` bytes
/// would fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferTooSmall {
    /// The number of bytes the unescaped text needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: {} bytes needed", self.needed)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BufferTooSmall {}

/// A JSON string borrowed from the input, still in its escaped form.
///
/// Most strings hold no escape; for them [`Text::as_str`] is free. Otherwise
/// the text is unescaped on demand: into a caller's buffer, into a `Cow`, as
/// [`Pieces`], or compared with a `&str` piece by piece, all without
/// allocating.
///
/// ```
/// let event = chatwire::from_slice(br#"{"event":"chat_session_message","msg_id":"1","msg":"caf\u00e9 \"ok\""}"#)?;
/// let chatwire::ClientEvent::Message { msg, .. } = event else { unreachable!() };
/// assert_eq!(msg.as_str(), None); // it holds escapes
/// assert_eq!(msg.raw(), r#"caf\u00e9 \"ok\""#);
/// assert!(msg == "café \"ok\"");
/// let mut buf = [0u8; 64];
/// assert_eq!(msg.unescape_into(&mut buf).unwrap(), "café \"ok\"");
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Text<'a> {
    // The string token as it appears in the input, with its opening quote,
    // and with its closing quote too when (and only when) it holds an escape.
    // Content without escapes never holds a `"`, so the encoding is
    // unambiguous and the flag costs no space.
    token: &'a str,
}

impl<'a> Text<'a> {
    /// Builds a text from its token encoding (see the field comment).
    #[inline(always)]
    pub(crate) const fn from_token(token: &'a str) -> Self {
        Text { token }
    }

    /// The token encoding (see the field comment).
    #[inline(always)]
    pub(crate) const fn token(&self) -> &'a str {
        self.token
    }

    /// A text from a JSON string token, quotes included, as it would appear
    /// in JSON (escapes allowed); the token is validated.
    ///
    /// ```
    /// let t = chatwire::Text::from_json(r#""line\nbreak""#).unwrap();
    /// assert!(t == "line\nbreak");
    /// assert!(chatwire::Text::from_json(r#""bad\x""#).is_err());
    /// assert!(chatwire::Text::from_json("no quotes").is_err());
    /// ```
    pub fn from_json(token: &'a str) -> Result<Self, Error> {
        let mut cursor = Cursor::new(token.as_bytes());
        if cursor.peek() != Some(b'"') {
            return Err(Error::new(ErrorKind::ExpectedValue, 0));
        }
        let escaped = match cursor.string() {
            Ok(escaped) => escaped,
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Partial) => return Err(Error::new(ErrorKind::UnexpectedEof, token.len())),
        };
        if cursor.pos() != token.len() {
            return Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos()));
        }
        Ok(Text::from_lexed(token, escaped))
    }

    /// Builds a text from a complete string token (both quotes) that the
    /// lexer validated, keeping the closing quote only when it is escaped.
    #[inline(always)]
    pub(crate) fn from_lexed(token: &'a str, escaped: bool) -> Self {
        if escaped {
            Text { token }
        } else {
            Text {
                token: &token[..token.len() - 1],
            }
        }
    }

    /// The content between the quotes, as written in the input (escapes
    /// included).
    #[inline]
    pub fn raw(&self) -> &'a str {
        let t = self.token;
        if self.is_escaped() {
            &t[1..t.len() - 1]
        } else {
            &t[1..]
        }
    }

    /// Whether the content holds at least one escape.
    #[inline(always)]
    pub fn is_escaped(&self) -> bool {
        let t = self.token.as_bytes();
        t.len() >= 2 && t[t.len() - 1] == b'"'
    }

    /// The text itself, when it holds no escape.
    #[inline]
    pub fn as_str(&self) -> Option<&'a str> {
        if self.is_escaped() {
            None
        } else {
            Some(self.raw())
        }
    }

    /// The unescaped text, piece by piece.
    ///
    /// ```
    /// use chatwire::{Piece, Text};
    /// let t = Text::from_json(r#""a\tb""#).unwrap();
    /// let pieces: Vec<_> = t.pieces().collect();
    /// assert_eq!(pieces, [Piece::Run("a"), Piece::Char('\t'), Piece::Run("b")]);
    /// ```
    #[inline]
    pub fn pieces(&self) -> Pieces<'a> {
        Pieces { rest: self.raw() }
    }

    /// The unescaped text, character by character.
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        self.pieces().flat_map(|p| {
            let (run, c) = match p {
                Piece::Run(s) => (s, None),
                Piece::Char(c) => ("", Some(c)),
            };
            run.chars().chain(c)
        })
    }

    /// The length in bytes of the unescaped text.
    pub fn unescaped_len(&self) -> usize {
        if !self.is_escaped() {
            return self.raw().len();
        }
        self.pieces()
            .map(|p| match p {
                Piece::Run(s) => s.len(),
                Piece::Char(c) => c.len_utf8(),
            })
            .sum()
    }

    /// Unescapes into `buf` and returns the text there.
    pub fn unescape_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, BufferTooSmall> {
        let needed = self.unescaped_len();
        if needed > buf.len() {
            return Err(BufferTooSmall { needed });
        }
        let mut n = 0;
        for p in self.pieces() {
            n += match p {
                Piece::Run(s) => {
                    buf[n..n + s.len()].copy_from_slice(s.as_bytes());
                    s.len()
                }
                Piece::Char(c) => c.encode_utf8(&mut buf[n..]).len(),
            };
        }
        // Every piece is a `str`, so their concatenation is UTF-8.
        Ok(core::str::from_utf8(&buf[..n]).unwrap_or_default())
    }

    /// The unescaped text, borrowed when it holds no escape.
    #[cfg(feature = "alloc")]
    pub fn to_cow(&self) -> alloc::borrow::Cow<'a, str> {
        match self.as_str() {
            Some(s) => alloc::borrow::Cow::Borrowed(s),
            None => {
                let mut s = alloc::string::String::with_capacity(self.raw().len());
                self.push_to(&mut s);
                alloc::borrow::Cow::Owned(s)
            }
        }
    }

    /// Appends the unescaped text to `out`.
    #[cfg(feature = "alloc")]
    pub fn push_to(&self, out: &mut alloc::string::String) {
        for p in self.pieces() {
            match p {
                Piece::Run(s) => out.push_str(s),
                Piece::Char(c) => out.push(c),
            }
        }
    }

    /// Whether the unescaped text equals `s`, without allocating.
    pub fn eq_str(&self, s: &str) -> bool {
        if !self.is_escaped() {
            return self.raw() == s;
        }
        let mut rest = s.as_bytes();
        for p in self.pieces() {
            let mut tmp = [0u8; 4];
            let bytes = match p {
                Piece::Run(r) => r.as_bytes(),
                Piece::Char(c) => c.encode_utf8(&mut tmp).as_bytes(),
            };
            match rest.strip_prefix(bytes) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_str(), other.as_str()) {
            (Some(a), Some(b)) => a == b,
            (Some(a), None) => other.eq_str(a),
            (None, Some(b)) => self.eq_str(b),
            (None, None) => self.raw() == other.raw() || self.chars().eq(other.chars()),
        }
    }
}

impl Eq for Text<'_> {}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for Text<'_> {
    /// Writes the unescaped text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in self.pieces() {
            match p {
                Piece::Run(s) => f.write_str(s)?,
                Piece::Char(c) => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.raw())
    }
}

/// An id field (`msg_id`, `form_request_id`, `file_id`,
/// `destination_party_id`): a JSON string or a JSON integer, remembering
/// which, so that the writer emits what came in.
///
/// An integer id is one serde_json reads as `u64` or `i64`.
///
/// ```
/// use chatwire::{ClientEvent, IdValue};
/// let event = chatwire::from_slice(br#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{}}"#)?;
/// let ClientEvent::FormData { form_request_id, .. } = event else { unreachable!() };
/// assert_eq!(form_request_id.as_u64(), Some(12));
/// assert!(matches!(form_request_id.value(), IdValue::Int("12")));
/// assert_eq!(form_request_id.to_string(), "12");
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Id<'a> {
    // A string id: its `Text` token (it starts with `"`). An integer id: its
    // digits (they start with `-` or a digit).
    token: &'a str,
}

/// What an [`Id`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdValue<'a> {
    /// A JSON string.
    Str(Text<'a>),
    /// A JSON integer, as its digits (with a leading `-` when negative).
    Int(&'a str),
}

impl<'a> Id<'a> {
    /// A string id.
    #[inline(always)]
    pub const fn from_text(text: Text<'a>) -> Self {
        Id {
            token: text.token(),
        }
    }

    /// An integer id from lexed digits.
    #[inline(always)]
    pub(crate) const fn from_int_digits(digits: &'a str) -> Self {
        Id { token: digits }
    }

    /// An id from a JSON token: a string with its quotes, or an integer that
    /// fits `i64` or `u64`; validated.
    ///
    /// ```
    /// assert!(chatwire::Id::from_json("42").unwrap().is_int());
    /// assert!(!chatwire::Id::from_json(r#""42""#).unwrap().is_int());
    /// assert!(chatwire::Id::from_json("4.2").is_err());
    /// ```
    pub fn from_json(token: &'a str) -> Result<Self, Error> {
        match token.as_bytes().first() {
            Some(b'"') => Text::from_json(token).map(Id::from_text),
            Some(b'-' | b'0'..=b'9') => {
                let mut cursor = Cursor::new(token.as_bytes());
                match cursor.number_to_end() {
                    Ok(n) if n.int && cursor.pos() == token.len() => Ok(Id { token }),
                    // A float, or an integer out of range.
                    Ok(_) if cursor.pos() == token.len() => {
                        Err(Error::new(ErrorKind::InvalidNumber, 0))
                    }
                    Ok(_) => Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos())),
                    Err(Stop::Fail(e)) => Err(e),
                    Err(Stop::Partial) => Err(Error::new(ErrorKind::UnexpectedEof, token.len())),
                }
            }
            _ => Err(Error::new(ErrorKind::ExpectedValue, 0)),
        }
    }

    /// What the id holds.
    #[inline]
    pub fn value(&self) -> IdValue<'a> {
        if self.token.as_bytes().first() == Some(&b'"') {
            IdValue::Str(Text::from_token(self.token))
        } else {
            IdValue::Int(self.token)
        }
    }

    /// Whether the id arrived as a JSON integer.
    #[inline]
    pub fn is_int(&self) -> bool {
        matches!(self.value(), IdValue::Int(_))
    }

    /// The id's text, when it arrived as a string.
    #[inline]
    pub fn as_text(&self) -> Option<Text<'a>> {
        match self.value() {
            IdValue::Str(t) => Some(t),
            IdValue::Int(_) => None,
        }
    }

    /// The id's value, when it arrived as a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self.value() {
            IdValue::Int(d) => d.parse().ok(),
            IdValue::Str(_) => None,
        }
    }

    /// The id's value, when it arrived as an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value() {
            IdValue::Int(d) => d.parse().ok(),
            IdValue::Str(_) => None,
        }
    }
}

impl PartialEq for Id<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl Eq for Id<'_> {}

impl PartialEq<str> for Id<'_> {
    /// A string id equals its unescaped text; an integer id its digits.
    fn eq(&self, other: &str) -> bool {
        match self.value() {
            IdValue::Str(t) => t.eq_str(other),
            IdValue::Int(d) => d == other,
        }
    }
}

impl PartialEq<&str> for Id<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Id<'_> {
    /// Writes the unescaped text of a string id, or an integer id's digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            IdValue::Str(t) => fmt::Display::fmt(&t, f),
            IdValue::Int(d) => f.write_str(d),
        }
    }
}

impl fmt::Debug for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            IdValue::Str(t) => fmt::Debug::fmt(&t, f),
            IdValue::Int(d) => f.write_str(d),
        }
    }
}

/// A value that arrives as a JSON string or as a JSON number (`timestamp`,
/// `form_timeout`, `latitude`, ...), kept in the form it came in, so that
/// writing it back gives what was read.
///
/// ```
/// use chatwire::{ScalarValue, ServerEvent};
/// let event = ServerEvent::from_slice(
///     br#"{"event":"chat_session_location","latitude":"37.7749","longitude":-122.4194}"#,
/// )?;
/// let ServerEvent::Location { latitude, longitude, .. } = event else { unreachable!() };
/// assert!(matches!(latitude.value(), ScalarValue::Str(t) if t == "37.7749"));
/// assert!(matches!(longitude.value(), ScalarValue::Num("-122.4194")));
/// assert_eq!(latitude.as_f64(), Some(37.7749));
/// assert_eq!(longitude.as_f64(), Some(-122.4194));
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Scalar<'a> {
    // A string: its `Text` token (it starts with `"`). A number: its JSON
    // spelling (it starts with `-` or a digit).
    token: &'a str,
}

/// What a [`Scalar`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarValue<'a> {
    /// A JSON string.
    Str(Text<'a>),
    /// A JSON number, spelled as it came (`1614718748`, `-122.4194`, `1e3`).
    Num(&'a str),
}

impl<'a> Scalar<'a> {
    /// A string scalar.
    #[inline(always)]
    pub const fn from_text(text: Text<'a>) -> Self {
        Scalar {
            token: text.token(),
        }
    }

    /// A number scalar from lexed digits.
    #[inline(always)]
    pub(crate) const fn from_number(digits: &'a str) -> Self {
        Scalar { token: digits }
    }

    /// The token encoding (see the field comment).
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub(crate) const fn token(&self) -> &'a str {
        self.token
    }

    /// A scalar from a JSON token: a string with its quotes, or a number
    /// serde_json can read; validated.
    ///
    /// ```
    /// assert!(chatwire::Scalar::from_json("1.5e3").unwrap().is_number());
    /// assert!(!chatwire::Scalar::from_json(r#""1614718748""#).unwrap().is_number());
    /// assert!(chatwire::Scalar::from_json("true").is_err());
    /// ```
    pub fn from_json(token: &'a str) -> Result<Self, Error> {
        match token.as_bytes().first() {
            Some(b'"') => Text::from_json(token).map(Scalar::from_text),
            Some(b'-' | b'0'..=b'9') => {
                let mut cursor = Cursor::new(token.as_bytes());
                match cursor.number_to_end() {
                    Ok(_) if cursor.pos() == token.len() => Ok(Scalar { token }),
                    Ok(_) => Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos())),
                    Err(Stop::Fail(e)) => Err(e),
                    Err(Stop::Partial) => Err(Error::new(ErrorKind::UnexpectedEof, token.len())),
                }
            }
            _ => Err(Error::new(ErrorKind::ExpectedValue, 0)),
        }
    }

    /// What the scalar holds.
    #[inline]
    pub fn value(&self) -> ScalarValue<'a> {
        if self.token.as_bytes().first() == Some(&b'"') {
            ScalarValue::Str(Text::from_token(self.token))
        } else {
            ScalarValue::Num(self.token)
        }
    }

    /// Whether the scalar arrived as a JSON number.
    #[inline]
    pub fn is_number(&self) -> bool {
        matches!(self.value(), ScalarValue::Num(_))
    }

    /// The scalar's text, when it arrived as a string.
    #[inline]
    pub fn as_text(&self) -> Option<Text<'a>> {
        match self.value() {
            ScalarValue::Str(t) => Some(t),
            ScalarValue::Num(_) => None,
        }
    }

    /// The value as an integer, from a number or from a string of decimal
    /// digits (`"1614718748"`, as servers send `timestamp`).
    pub fn as_i64(&self) -> Option<i64> {
        match self.value() {
            ScalarValue::Num(d) => d.parse().ok(),
            ScalarValue::Str(t) => t.as_str()?.parse().ok(),
        }
    }

    /// The value as a float, from a number or from a string holding one
    /// (`"37.7749"`, as some clients send `latitude`).
    pub fn as_f64(&self) -> Option<f64> {
        match self.value() {
            ScalarValue::Num(d) => d.parse().ok(),
            ScalarValue::Str(t) => t.as_str()?.parse().ok(),
        }
    }
}

impl PartialEq for Scalar<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl Eq for Scalar<'_> {}

impl PartialEq<str> for Scalar<'_> {
    /// A string scalar equals its unescaped text; a number its spelling.
    fn eq(&self, other: &str) -> bool {
        match self.value() {
            ScalarValue::Str(t) => t.eq_str(other),
            ScalarValue::Num(d) => d == other,
        }
    }
}

impl PartialEq<&str> for Scalar<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Scalar<'_> {
    /// Writes a string scalar's unescaped text, or a number's spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            ScalarValue::Str(t) => fmt::Display::fmt(&t, f),
            ScalarValue::Num(d) => f.write_str(d),
        }
    }
}

impl fmt::Debug for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            ScalarValue::Str(t) => fmt::Debug::fmt(&t, f),
            ScalarValue::Num(d) => f.write_str(d),
        }
    }
}
