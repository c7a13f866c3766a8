//! Raw JSON values: validated bytes kept as they came.
//!
//! Signaling `data` may be any JSON value, form `data` is an object of
//! fields, and an event of an unknown kind is kept whole. All three are a
//! [`Raw`]: the value's exact slice of the input, validated, plus whether it
//! holds whitespace outside its strings (the writer drops that whitespace, and
//! skips the check when there is none).

use core::fmt;

use crate::error::{Error, ErrorKind};
use crate::scan::{Cursor, Stop};
use crate::text::Text;

/// The JSON type of a [`Raw`] value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A validated JSON value borrowed from the input, as it came.
///
/// Equality ignores whitespace outside strings and nothing else: key order,
/// escapes and the spelling of numbers count.
///
/// ```
/// use chatwire::{ClientEvent, ValueKind};
/// let event = chatwire::from_slice(br#"{"event":"chat_session_signaling","msg_id":"m1","destination_party_id":"a7","data":{"type":"offer","sdp":"v=0\r\n"}}"#)?;
/// let ClientEvent::Signaling { data, .. } = event else { unreachable!() };
/// assert_eq!(data.kind(), ValueKind::Object);
/// assert_eq!(data.get(), r#"{"type":"offer","sdp":"v=0\r\n"}"#);
/// let (key, value) = data.entries().unwrap().next().unwrap();
/// assert!(key == "type" && value.as_text().unwrap() == "offer");
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Raw<'a> {
    json: &'a str,
    compact: bool,
}

impl<'a> Raw<'a> {
    /// A raw value the lexer validated.
    #[inline(always)]
    pub(crate) const fn from_lexed(json: &'a str, compact: bool) -> Self {
        Raw { json, compact }
    }

    /// A raw value from JSON text, validated as a field value would be
    /// (surrounding whitespace is not allowed).
    ///
    /// ```
    /// let raw = chatwire::Raw::from_json(r#"{"a": [1, 2]}"#).unwrap();
    /// assert!(!raw.is_compact());
    /// assert!(chatwire::Raw::from_json("[1,]").is_err());
    /// ```
    pub fn from_json(json: &'a str) -> Result<Self, Error> {
        let mut cursor = Cursor::new(json.as_bytes());
        let lexed = match cursor.peek() {
            Some(b'-' | b'0'..=b'9') => cursor.number_to_end().map(|_| false),
            _ => cursor.skip_value(1),
        };
        let ws = match lexed {
            Ok(ws) => ws,
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Partial) => return Err(Error::new(ErrorKind::UnexpectedEof, json.len())),
        };
        if cursor.pos() != json.len() {
            return Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos()));
        }
        Ok(Raw::from_lexed(json, !ws))
    }

    /// The value's JSON text, exactly as it came.
    #[inline(always)]
    pub const fn get(&self) -> &'a str {
        self.json
    }

    /// Whether the value holds no whitespace outside its strings.
    #[inline(always)]
    pub const fn is_compact(&self) -> bool {
        self.compact
    }

    /// The value's JSON type.
    pub fn kind(&self) -> ValueKind {
        match self.json.as_bytes().first() {
            Some(b'{') => ValueKind::Object,
            Some(b'[') => ValueKind::Array,
            Some(b'"') => ValueKind::String,
            Some(b't' | b'f') => ValueKind::Bool,
            Some(b'n') => ValueKind::Null,
            _ => ValueKind::Number,
        }
    }

    /// The string, when the value is one.
    pub fn as_text(&self) -> Option<Text<'a>> {
        if self.kind() != ValueKind::String {
            return None;
        }
        let escaped = memchr::memchr(b'\\', self.json.as_bytes()).is_some();
        Some(Text::from_lexed(self.json, escaped))
    }

    /// The object's entries in input order (duplicates included), when the
    /// value is an object.
    pub fn entries(&self) -> Option<Entries<'a>> {
        (self.kind() == ValueKind::Object).then_some(Entries {
            json: self.json,
            pos: 1,
        })
    }

    /// The elements of the array, when the value is one.
    pub fn elements(&self) -> Option<Elements<'a>> {
        (self.kind() == ValueKind::Array).then_some(Elements {
            json: self.json,
            pos: 1,
        })
    }

    /// The value's bytes with the whitespace outside strings left out, in
    /// runs: the pieces concatenate to the compact JSON text.
    pub fn compact_runs(&self) -> CompactRuns<'a> {
        CompactRuns {
            rest: self.json.as_bytes(),
            done: false,
            whole: self.compact,
        }
    }
}

impl PartialEq for Raw<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.compact && other.compact {
            return self.json == other.json;
        }
        let mut a = self.compact_runs().flat_map(|r| r.iter().copied());
        let mut b = other.compact_runs().flat_map(|r| r.iter().copied());
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (x, y) if x == y => {}
                _ => return false,
            }
        }
    }
}

impl Eq for Raw<'_> {}

impl fmt::Debug for Raw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json)
    }
}

impl fmt::Display for Raw<'_> {
    /// Writes the compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for run in self.compact_runs() {
            // Runs split only at ASCII whitespace, so each is UTF-8.
            f.write_str(core::str::from_utf8(run).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

/// The runs of a value's compact text; see [`Raw::compact_runs`].
#[derive(Clone, Debug)]
pub struct CompactRuns<'a> {
    rest: &'a [u8],
    done: bool,
    whole: bool,
}

impl<'a> Iterator for CompactRuns<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        if self.whole {
            self.done = true;
            return Some(self.rest);
        }
        // Skip whitespace, then take bytes up to the next whitespace outside
        // a string. The value is validated, so strings are well formed.
        let bytes = self.rest;
        let mut i = 0;
        while i < bytes.len() && crate::scan::is_ws(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i += 1;
                    loop {
                        match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                            Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                            Some(k) => {
                                i += k + 1;
                                break;
                            }
                            None => {
                                i = bytes.len();
                                break;
                            }
                        }
                    }
                }
                b if crate::scan::is_ws(b) => break,
                _ => i += 1,
            }
        }
        let i = i.min(bytes.len());
        self.rest = &bytes[i..];
        if start == i {
            self.done = true;
            return None;
        }
        Some(&bytes[start..i])
    }
}

/// The entries of an object; see [`Raw::entries`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    json: &'a str,
    pos: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Text<'a>, Raw<'a>);

    fn next(&mut self) -> Option<(Text<'a>, Raw<'a>)> {
        let (mut cursor, b) = next_item(self.json, self.pos)?;
        if b != b'"' {
            self.pos = self.json.len();
            return None;
        }
        let key_start = cursor.pos();
        let escaped = cursor.string().ok()?;
        let key = Text::from_lexed(self.json.get(key_start..cursor.pos())?, escaped);
        if cursor.next_token(&mut false).ok()? != b':' {
            return None;
        }
        cursor.bump();
        cursor.skip_ws();
        let value = raw_value(self.json, &mut cursor)?;
        self.pos = cursor.pos();
        Some((key, value))
    }
}

/// Moves past whitespace and a `,` to the next member or element of a
/// validated container, from `pos`; returns the cursor there and its byte.
fn next_item(json: &str, pos: usize) -> Option<(Cursor<'_>, u8)> {
    let mut cursor = Cursor::at(json.as_bytes(), pos);
    let mut ws = false;
    let mut b = cursor.next_token(&mut ws).ok()?;
    if b == b',' {
        cursor.bump();
        b = cursor.next_token(&mut ws).ok()?;
    }
    Some((cursor, b))
}

/// The validated value at the cursor, which moves past it.
fn raw_value<'a>(json: &'a str, cursor: &mut Cursor<'_>) -> Option<Raw<'a>> {
    let start = cursor.pos();
    let ws = cursor.skip_value(1).ok()?;
    Some(Raw::from_lexed(json.get(start..cursor.pos())?, !ws))
}

/// The elements of an array; see [`Raw::elements`].
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    json: &'a str,
    pos: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Raw<'a>;

    fn next(&mut self) -> Option<Raw<'a>> {
        let (mut cursor, b) = next_item(self.json, self.pos)?;
        if b == b']' {
            self.pos = self.json.len();
            return None;
        }
        let value = raw_value(self.json, &mut cursor)?;
        self.pos = cursor.pos();
        Some(value)
    }
}

/// Form `data`: a JSON object of form fields.
///
/// ```
/// use chatwire::ClientEvent;
/// let event = chatwire::from_slice(br#"{"event":"chat_session_form_data","form_request_id":"12","form_name":"survey","data":{"param1":"value1","score":5}}"#)?;
/// let ClientEvent::FormData { data, .. } = event else { unreachable!() };
/// assert_eq!(data.len(), 2);
/// assert!(data.get("param1").unwrap().as_text().unwrap() == "value1");
/// assert_eq!(data.get("score").unwrap().get(), "5");
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FormFields<'a> {
    raw: Raw<'a>,
}

impl<'a> FormFields<'a> {
    /// Form fields from a raw value, when it is an object.
    pub fn new(raw: Raw<'a>) -> Option<Self> {
        (raw.kind() == ValueKind::Object).then_some(FormFields { raw })
    }

    /// The object as a raw value.
    #[inline(always)]
    pub const fn raw(&self) -> Raw<'a> {
        self.raw
    }

    /// The fields in input order (a repeated key appears each time).
    pub fn entries(&self) -> Entries<'a> {
        Entries {
            json: self.raw.json,
            pos: 1,
        }
    }

    /// The value of the last field named `key` (serde_json's choice when a
    /// key repeats).
    pub fn get(&self, key: &str) -> Option<Raw<'a>> {
        self.entries()
            .filter(|(k, _)| k.eq_str(key))
            .map(|(_, v)| v)
            .last()
    }

    /// The number of entries, repeated keys counted each time.
    pub fn len(&self) -> usize {
        self.entries().count()
    }

    /// Whether the object is `{}`.
    pub fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }
}

impl fmt::Debug for FormFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}
