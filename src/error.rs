//! Decoding errors: a `Copy` kind plus a byte offset.
//!
//! An [`Error`] is two words and costs nothing to build. Line and column are
//! not tracked while decoding; [`Error::position`] computes them from the input
//! when asked, the way serde_json does, but only on the error path.

use core::fmt;

pub use crate::protocol::Field;

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a field's value should have been, in [`ErrorKind::InvalidType`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A JSON string.
    String,
    /// A JSON string or a JSON integer that fits `i64` or `u64`.
    StringOrInteger,
    /// A JSON object.
    Object,
    /// A JSON string or a JSON number.
    StringOrNumber,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::String => "a string",
            Expected::StringOrInteger => "a string or an integer",
            Expected::Object => "an object",
            Expected::StringOrNumber => "a string or a number",
        })
    }
}

/// What went wrong. Syntax errors name the malformed token; the others name
/// the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended inside the event. Only the complete-input calls
    /// ([`crate::from_slice`]) report this; [`crate::parse`] says
    /// [`crate::Status::Partial`] instead.
    UnexpectedEof,
    /// The event is not a JSON object (it starts with another byte).
    ExpectedObject,
    /// A JSON value was expected here.
    ExpectedValue,
    /// An object key (a string) was expected here.
    ExpectedKey,
    /// A `:` was expected after an object key.
    ExpectedColon,
    /// A `,` or `}` was expected after an object member.
    ExpectedCommaOrBrace,
    /// A `,` or `]` was expected after an array element.
    ExpectedCommaOrBracket,
    /// A `,` was followed by `}` or `]`.
    TrailingComma,
    /// A literal that is not `true`, `false` or `null`.
    InvalidLiteral,
    /// A number that breaks the JSON grammar (`01`, `1.`, `-`, `1e`).
    InvalidNumber,
    /// A number too large for an `f64` (serde_json rejects these too).
    NumberOutOfRange,
    /// A control character (U+0000 to U+001F) inside a string.
    ControlCharacter,
    /// A backslash followed by something other than `"\/bfnrtu`.
    InvalidEscape,
    /// `\u` not followed by four hexadecimal digits.
    InvalidUnicodeEscape,
    /// A `\uD800`-`\uDFFF` escape that is not part of a surrogate pair.
    LoneSurrogate,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// Arrays and objects nested deeper than 127 levels (the event's own
    /// object included), serde_json's limit.
    DepthLimitExceeded,
    /// Something other than whitespace after the event.
    TrailingCharacters,
    /// The object has no `"event"` key.
    MissingEvent,
    /// A required field of the event is missing.
    MissingField(Field),
    /// A key appears twice among `"event"` and the fields the event uses.
    DuplicateField(Field),
    /// A field's value has the wrong JSON type (for `"event"`: not a string).
    InvalidType {
        /// The field.
        field: Field,
        /// What it should have been.
        expected: Expected,
    },
    /// `"file_type"` is a string other than `"image"` or `"attachment"`.
    InvalidFileType,
    /// The event does not end within its first 4 GiB (4,294,967,295
    /// bytes), the most the decoder takes; the offset is where it stopped.
    EventTooLarge,
}

impl ErrorKind {
    /// The field the error is about, if any.
    pub const fn field(self) -> Option<Field> {
        match self {
            ErrorKind::MissingEvent => Some(Field::Event),
            ErrorKind::MissingField(f) | ErrorKind::DuplicateField(f) => Some(f),
            ErrorKind::InvalidType { field, .. } => Some(field),
            ErrorKind::InvalidFileType => Some(Field::FileType),
            _ => None,
        }
    }

    /// Whether this is a JSON syntax error, as opposed to well-formed JSON that
    /// is not a valid event.
    pub const fn is_syntax(self) -> bool {
        !matches!(
            self,
            ErrorKind::MissingEvent
                | ErrorKind::MissingField(_)
                | ErrorKind::DuplicateField(_)
                | ErrorKind::InvalidType { .. }
                | ErrorKind::InvalidFileType
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::UnexpectedEof => f.write_str("input ends inside the event"),
            ErrorKind::ExpectedObject => f.write_str("expected a JSON object"),
            ErrorKind::ExpectedValue => f.write_str("expected a JSON value"),
            ErrorKind::ExpectedKey => f.write_str("expected an object key (a string)"),
            ErrorKind::ExpectedColon => f.write_str("expected `:`"),
            ErrorKind::ExpectedCommaOrBrace => f.write_str("expected `,` or `}`"),
            ErrorKind::ExpectedCommaOrBracket => f.write_str("expected `,` or `]`"),
            ErrorKind::TrailingComma => f.write_str("trailing comma"),
            ErrorKind::InvalidLiteral => f.write_str("invalid literal"),
            ErrorKind::InvalidNumber => f.write_str("invalid number"),
            ErrorKind::NumberOutOfRange => f.write_str("number out of range"),
            ErrorKind::ControlCharacter => f.write_str("control character in a string"),
            ErrorKind::InvalidEscape => f.write_str("invalid escape"),
            ErrorKind::InvalidUnicodeEscape => f.write_str("invalid \\u escape"),
            ErrorKind::LoneSurrogate => f.write_str("lone surrogate in a \\u escape"),
            ErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            ErrorKind::DepthLimitExceeded => f.write_str("nesting deeper than 127 levels"),
            ErrorKind::TrailingCharacters => f.write_str("trailing characters after the event"),
            ErrorKind::MissingEvent => f.write_str("missing field `event`"),
            ErrorKind::MissingField(field) => write!(f, "missing field `{field}`"),
            ErrorKind::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            ErrorKind::InvalidType { field, expected } => {
                write!(f, "invalid type for `{field}`: expected {expected}")
            }
            ErrorKind::InvalidFileType => {
                f.write_str("invalid `file_type`: expected \"image\" or \"attachment\"")
            }
            ErrorKind::EventTooLarge => f.write_str("event larger than 4 GiB"),
        }
    }
}

/// A decoding error: what went wrong and the byte offset where it was found.
///
/// The offset counts bytes from the start of the slice that was decoded and
/// always lies within it (`offset <= input.len()`; it equals the length only
/// for [`ErrorKind::UnexpectedEof`]).
///
/// ```
/// use chatwire::{ErrorKind, Field};
///
/// let input = br#"{"event":"chat_session_message","msg":"hi"}"#;
/// let err = chatwire::from_slice(input).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MissingField(Field::MsgId));
/// assert_eq!(err.offset(), input.len() - 1); // the closing brace
/// assert_eq!(err.to_string(), "missing field `msg_id` at byte 42");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    /// Builds an error of `kind` at byte `offset`.
    pub const fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset in the decoded slice where the problem was found.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The field the error is about, if any.
    pub const fn field(&self) -> Option<Field> {
        self.kind.field()
    }

    /// The same error with its offset moved by `base` bytes, for errors found
    /// in a slice that starts `base` bytes into a larger input.
    pub const fn shifted(self, base: usize) -> Error {
        Error {
            kind: self.kind,
            offset: self.offset + base,
        }
    }

    /// Line and column of the error in `input`, which must be the slice the
    /// error came from (or the larger input after [`Error::shifted`]).
    ///
    /// Computed on demand, in one pass over the input up to the offset.
    ///
    /// ```
    /// let input = b"{\"event\":\n  \"chat_session_typing\",\n  ]";
    /// let err = chatwire::from_slice(input).unwrap_err();
    /// let pos = err.position(input);
    /// assert_eq!((pos.line, pos.column), (3, 3));
    /// ```
    #[cold]
    pub fn position(&self, input: &[u8]) -> Position {
        Position::of(input, self.offset)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// A line and column in an input, both counted from 1.
///
/// Lines are separated by `\n`. The column counts **bytes** from the start of
/// the line (as serde_json's does), so a multi-byte UTF-8 character advances
/// it by its length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in bytes, from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `input` (an offset past the end is
    /// clamped to the end).
    ///
    /// ```
    /// let pos = chatwire::Position::of(b"ab\ncd", 4);
    /// assert_eq!((pos.line, pos.column), (2, 2));
    /// ```
    #[cold]
    pub fn of(input: &[u8], offset: usize) -> Position {
        let before = &input[..offset.min(input.len())];
        let line = 1 + memchr::memchr_iter(b'\n', before).count();
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        Position {
            line,
            column: before.len() - line_start + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}
