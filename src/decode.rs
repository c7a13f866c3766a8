//! One JSON object to one [`ClientEvent`], in a single pass.
//!
//! The object's members come in any order and the `"event"` key may come
//! last, so the decoder files each known key's value into a slot as it lexes
//! it, validates everything else as it skips it, and only at the closing
//! brace decides which event it has read and whether its fields are right.
//! Nothing is allocated: the slots live on the stack and the event borrows
//! the input.

use crate::error::{Error, ErrorKind, Expected, Field};
use crate::event::{ClientEvent, EventKind, FileType};
use crate::raw::{FormFields, Raw};
use crate::scan::{Cursor, Lex, Stop, fail};
use crate::text::{Id, Text, validated_str};

/// Whether an input held a whole event.
///
/// As in httparse, running out of input is not an error: `Partial` says the
/// bytes so far are a valid beginning of an event and more are needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The input held a whole value.
    Complete(T),
    /// The input ended before the value did; nothing in it was wrong.
    Partial,
}

impl<T> Status<T> {
    /// Whether this is `Complete`.
    pub const fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// Whether this is `Partial`.
    pub const fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }

    /// The value, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }
}

/// Decodes the event at the start of `input`, which may hold more bytes
/// after it.
///
/// Leading whitespace is skipped. On success returns the event and the
/// number of bytes it used (up to and including its closing brace). If the
/// input ends before the event does, and nothing so far is wrong, returns
/// [`Status::Partial`]: every strict prefix of a valid event is `Partial`.
///
/// ```
/// use chatwire::{ClientEvent, Status};
///
/// let input = b"{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_";
/// let Status::Complete((event, used)) = chatwire::parse(input)? else { panic!() };
/// assert_eq!(event, ClientEvent::Typing);
/// assert_eq!(used, 31);
/// assert_eq!(chatwire::parse(&input[used..])?, Status::Partial);
/// # Ok::<(), chatwire::Error>(())
/// ```
pub fn parse(input: &[u8]) -> Result<Status<(ClientEvent<'_>, usize)>, Error> {
    match decode_object(input) {
        Ok(done) => Ok(Status::Complete(done)),
        Err(Stop::Partial) => Ok(Status::Partial),
        Err(Stop::Fail(e)) => Err(e),
    }
}

/// Decodes one event that makes up the whole of `input` (whitespace around
/// it allowed).
///
/// ```
/// use chatwire::{ClientEvent, ErrorKind};
///
/// let event = chatwire::from_slice(b" {\"event\":\"chat_session_end\"}\n")?;
/// assert_eq!(event, ClientEvent::End);
///
/// let err = chatwire::from_slice(b"{\"event\":\"chat_session_end\"} x").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::TrailingCharacters, 29));
/// let err = chatwire::from_slice(b"{\"event\":").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::UnexpectedEof, 9));
/// # Ok::<(), chatwire::Error>(())
/// ```
pub fn from_slice(input: &[u8]) -> Result<ClientEvent<'_>, Error> {
    match decode_object(input) {
        Ok((event, used)) => {
            let mut cursor = Cursor::at(input, used);
            cursor.skip_ws();
            if cursor.pos() != input.len() {
                return Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos()));
            }
            Ok(event)
        }
        Err(Stop::Partial) => Err(Error::new(ErrorKind::UnexpectedEof, input.len())),
        Err(Stop::Fail(e)) => Err(e),
    }
}

/// How a slot's value was lexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Absent,
    Str {
        escaped: bool,
    },
    /// An integer serde_json reads as `u64` or `i64`.
    Int,
    Object {
        compact: bool,
    },
    /// Any other value: a float, an array, a literal.
    Other {
        compact: bool,
    },
}

/// One known key's first value, and where a repeat of the key was found.
#[derive(Clone, Copy, Debug)]
struct Slot {
    start: usize,
    end: usize,
    kind: Kind,
    repeat: Option<usize>,
}

const EMPTY: Slot = Slot {
    start: 0,
    end: 0,
    kind: Kind::Absent,
    repeat: None,
};

const SLOTS: usize = 9;

#[inline(always)]
const fn slot_index(field: Field) -> usize {
    field as usize
}

/// The known field a key names, if any. `key` is the key's content.
#[inline(always)]
fn field_of(key: &[u8]) -> Option<Field> {
    Some(match key.len() {
        3 if key == b"msg" => Field::Msg,
        4 if key == b"data" => Field::Data,
        5 if key == b"event" => Field::Event,
        6 if key == b"msg_id" => Field::MsgId,
        7 if key == b"file_id" => Field::FileId,
        9 if key == b"form_name" => Field::FormName,
        9 if key == b"file_type" => Field::FileType,
        15 if key == b"form_request_id" => Field::FormRequestId,
        20 if key == b"destination_party_id" => Field::DestinationPartyId,
        _ => return None,
    })
}

/// The longest content that can unescape to a name worth matching: known
/// keys are at most 20 bytes and event names at most 24.
const NAME_BUF: usize = 32;

/// Unescapes a short escaped string's content (`token` with both quotes)
/// into `buf`; `None` when it is too long to be a name chatwire knows.
#[cold]
fn unescape_name<'b>(token: &str, buf: &'b mut [u8; NAME_BUF]) -> Option<&'b [u8]> {
    let text = Text::from_lexed(token, true);
    text.unescape_into(buf).ok().map(str::as_bytes)
}

/// The field a key token (both quotes) names, unescaping if needed.
#[inline(always)]
fn key_field(input: &[u8], start: usize, end: usize, escaped: bool) -> Option<Field> {
    let content = &input[start + 1..end - 1];
    if !escaped {
        return field_of(content);
    }
    let token = validated_str(&input[start..end], start).ok()?;
    let mut buf = [0u8; NAME_BUF];
    field_of(unescape_name(token, &mut buf)?)
}

/// Recognises a known key written without escapes, its quote at `at`,
/// without scanning it as a string: returns the field and the offset after
/// its closing quote. Anything else goes through the full string scan.
#[inline(always)]
fn sniff_key(input: &[u8], at: usize) -> Option<(Field, usize)> {
    let key = input.get(at + 1..)?;
    let (field, len) = match *key.first()? {
        b'e' if key.starts_with(b"event\"") => (Field::Event, 6),
        b'm' if key.starts_with(b"msg\"") => (Field::Msg, 4),
        b'm' if key.starts_with(b"msg_id\"") => (Field::MsgId, 7),
        b'd' if key.starts_with(b"data\"") => (Field::Data, 5),
        b'd' if key.starts_with(b"destination_party_id\"") => (Field::DestinationPartyId, 21),
        b'f' if key.starts_with(b"file_id\"") => (Field::FileId, 8),
        b'f' if key.starts_with(b"file_type\"") => (Field::FileType, 10),
        b'f' if key.starts_with(b"form_name\"") => (Field::FormName, 10),
        b'f' if key.starts_with(b"form_request_id\"") => (Field::FormRequestId, 16),
        _ => return None,
    };
    Some((field, at + 1 + len))
}

/// Recognises a known event name written without escapes, its quote at
/// `at`: returns the kind and the offset after the closing quote.
#[inline(always)]
fn sniff_event(input: &[u8], at: usize) -> Option<(EventKind, usize)> {
    let tail = input.get(at..)?.strip_prefix(b"\"chat_session_")?;
    let (kind, len) = match *tail.first()? {
        b'm' if tail.starts_with(b"message\"") => (EventKind::Message, 8),
        b't' if tail.starts_with(b"typing\"") => (EventKind::Typing, 7),
        b'n' if tail.starts_with(b"not_typing\"") => (EventKind::NotTyping, 11),
        b'f' if tail.starts_with(b"form_data\"") => (EventKind::FormData, 10),
        b'f' if tail.starts_with(b"file\"") => (EventKind::File, 5),
        b'e' if tail.starts_with(b"end\"") => (EventKind::End, 4),
        b'd' if tail.starts_with(b"disconnect\"") => (EventKind::Disconnect, 11),
        b's' if tail.starts_with(b"signaling\"") => (EventKind::Signaling, 10),
        _ => return None,
    };
    Some((kind, at + 14 + len))
}

/// Matches an event that is exactly `{"event":"<name>"}` for one of the
/// events without fields, its brace at `at`.
#[inline(always)]
pub(crate) fn unit_event(input: &[u8], at: usize) -> Option<(ClientEvent<'static>, usize)> {
    if input.get(at + 1..at + 9)? != b"\"event\":" {
        return None;
    }
    let (kind, end) = sniff_event(input, at + 9)?;
    if input.get(end) != Some(&b'}') {
        return None;
    }
    let event = match kind {
        EventKind::Typing => ClientEvent::Typing,
        EventKind::NotTyping => ClientEvent::NotTyping,
        EventKind::End => ClientEvent::End,
        EventKind::Disconnect => ClientEvent::Disconnect,
        _ => return None,
    };
    Some((event, end + 1))
}

/// Lexes the object at the start of `input` and files its known keys.
#[inline(always)]
fn decode_object(input: &[u8]) -> Lex<(ClientEvent<'_>, usize)> {
    decode_object_ws::<false>(input, &mut false)
}

/// [`decode_object`] for the stream layer, which also learns (with `WS`),
/// in `has_ws`, whether the object (from its `{` to its `}`) holds
/// whitespace outside its strings: when it does not, it holds no line feed
/// (strings cannot hold a raw one).
#[inline]
pub(crate) fn decode_object_ws<'a, const WS: bool>(
    input: &'a [u8],
    has_ws: &mut bool,
) -> Lex<(ClientEvent<'a>, usize)> {
    let mut c = Cursor::new(input);
    c.skip_ws();
    let object_start = c.pos();
    match c.peek_more()? {
        b'{' => c.bump(),
        _ => return fail(ErrorKind::ExpectedObject, object_start),
    }
    // The commonest layout of all, `{"event":"chat_session_typing"}` and the
    // other events without fields, matched whole.
    if let Some(done) = unit_event(input, object_start) {
        if WS {
            *has_ws = false;
        }
        return Ok(done);
    }
    // Whether the object holds whitespace outside strings.
    let mut ws = false;
    let mut slots = [EMPTY; SLOTS];
    // The event's kind, when its name was recognised while lexing.
    let mut known = None;
    let mut next = c.next_token(&mut ws)?;
    if next != b'}' {
        loop {
            if next != b'"' {
                return fail(ErrorKind::ExpectedKey, c.pos());
            }
            let key_start = c.pos();
            let field = match sniff_key(input, key_start) {
                Some((field, end)) => {
                    c = Cursor::at(input, end);
                    Some(field)
                }
                None => {
                    let escaped = c.string()?;
                    key_field(input, key_start, c.pos(), escaped)
                }
            };
            if c.next_token(&mut ws)? != b':' {
                return fail(ErrorKind::ExpectedColon, c.pos());
            }
            c.bump();
            ws |= c.skip_ws();
            match field {
                None => ws |= c.skip_value(1)?,
                Some(field) => {
                    let start = c.pos();
                    let kind = match c.peek_more()? {
                        b'"' if field == Field::Event && known.is_none() => {
                            match sniff_event(input, start) {
                                Some((kind, end)) => {
                                    known = Some(kind);
                                    c = Cursor::at(input, end);
                                    Kind::Str { escaped: false }
                                }
                                None => Kind::Str {
                                    escaped: c.string()?,
                                },
                            }
                        }
                        b'"' => Kind::Str {
                            escaped: c.string()?,
                        },
                        b'-' | b'0'..=b'9' => {
                            if c.number()?.int {
                                Kind::Int
                            } else {
                                Kind::Other { compact: true }
                            }
                        }
                        b'{' => {
                            let inner = c.skip_value(1)?;
                            ws |= inner;
                            Kind::Object { compact: !inner }
                        }
                        _ => {
                            let inner = c.skip_value(1)?;
                            ws |= inner;
                            Kind::Other { compact: !inner }
                        }
                    };
                    let slot = &mut slots[slot_index(field)];
                    if slot.kind == Kind::Absent {
                        *slot = Slot {
                            start,
                            end: c.pos(),
                            kind,
                            repeat: None,
                        };
                    } else if slot.repeat.is_none() {
                        slot.repeat = Some(key_start);
                    }
                }
            }
            match c.next_token(&mut ws)? {
                b',' => {
                    c.bump();
                    next = c.next_token(&mut ws)?;
                    if next == b'}' {
                        return fail(ErrorKind::TrailingComma, c.pos());
                    }
                }
                b'}' => break,
                _ => return fail(ErrorKind::ExpectedCommaOrBrace, c.pos()),
            }
        }
    }
    let close = c.pos();
    c.bump();
    let end = c.pos();
    let fields = Fields {
        input,
        slots: &slots,
        close,
    };
    let event = fields
        .build(known, object_start, end, !ws)
        .map_err(Stop::Fail)?;
    if WS {
        *has_ws = ws;
    }
    Ok((event, end))
}

/// The filed slots of one object, turned into an event.
struct Fields<'s, 'a> {
    input: &'a [u8],
    slots: &'s [Slot; SLOTS],
    /// The offset of the closing brace, where missing fields are reported.
    close: usize,
}

impl<'a> Fields<'_, 'a> {
    #[inline(always)]
    fn slot(&self, field: Field) -> &Slot {
        &self.slots[slot_index(field)]
    }

    #[inline(always)]
    fn str_at(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        validated_str(&self.input[start..end], start)
    }

    /// Rejects a repeat of any of `fields`.
    #[inline(always)]
    fn no_repeats(&self, fields: &[Field]) -> Result<(), Error> {
        for &field in fields {
            if let Some(at) = self.slot(field).repeat {
                return Err(Error::new(ErrorKind::DuplicateField(field), at));
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn present(&self, field: Field) -> Result<&Slot, Error> {
        let slot = self.slot(field);
        match slot.kind {
            Kind::Absent => Err(Error::new(ErrorKind::MissingField(field), self.close)),
            _ => Ok(slot),
        }
    }

    #[inline(always)]
    fn wrong_type(slot: &Slot, field: Field, expected: Expected) -> Error {
        Error::new(ErrorKind::InvalidType { field, expected }, slot.start)
    }

    #[inline(always)]
    fn text(&self, field: Field) -> Result<Text<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Str { escaped } => Ok(Text::from_lexed(
                self.str_at(slot.start, slot.end)?,
                escaped,
            )),
            _ => Err(Self::wrong_type(slot, field, Expected::String)),
        }
    }

    #[inline(always)]
    fn id(&self, field: Field) -> Result<Id<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Str { escaped } => Ok(Id::from_text(Text::from_lexed(
                self.str_at(slot.start, slot.end)?,
                escaped,
            ))),
            Kind::Int => Ok(Id::from_int_digits(self.str_at(slot.start, slot.end)?)),
            _ => Err(Self::wrong_type(slot, field, Expected::StringOrInteger)),
        }
    }

    #[inline(always)]
    fn raw(&self, field: Field) -> Result<Raw<'a>, Error> {
        let slot = self.present(field)?;
        let compact = match slot.kind {
            Kind::Object { compact } | Kind::Other { compact } => compact,
            _ => true,
        };
        Ok(Raw::from_lexed(self.str_at(slot.start, slot.end)?, compact))
    }

    #[inline(always)]
    fn form(&self, field: Field) -> Result<FormFields<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Object { .. } => {
                let raw = self.raw(field)?;
                FormFields::new(raw).ok_or_else(|| Self::wrong_type(slot, field, Expected::Object))
            }
            _ => Err(Self::wrong_type(slot, field, Expected::Object)),
        }
    }

    #[inline(always)]
    fn file_type(&self, field: Field) -> Result<FileType, Error> {
        let text = self.text(field)?;
        let slot = self.slot(field);
        if text.eq_str("image") {
            Ok(FileType::Image)
        } else if text.eq_str("attachment") {
            Ok(FileType::Attachment)
        } else {
            Err(Error::new(ErrorKind::InvalidFileType, slot.start))
        }
    }

    /// Decides which event the object is and builds it.
    #[inline(always)]
    fn build(
        &self,
        known: Option<EventKind>,
        start: usize,
        end: usize,
        compact: bool,
    ) -> Result<ClientEvent<'a>, Error> {
        use Field::*;
        let event = self.slot(Event);
        let escaped = match event.kind {
            Kind::Absent => return Err(Error::new(ErrorKind::MissingEvent, self.close)),
            Kind::Str { escaped } => escaped,
            _ => return Err(Self::wrong_type(event, Event, Expected::String)),
        };
        self.no_repeats(&[Event])?;
        let kind = if known.is_some() {
            known
        } else if escaped {
            let token = self.str_at(event.start, event.end)?;
            let mut buf = [0u8; NAME_BUF];
            unescape_name(token, &mut buf).and_then(EventKind::from_name_bytes)
        } else {
            EventKind::from_name_bytes(&self.input[event.start + 1..event.end - 1])
        };
        Ok(match kind {
            Some(EventKind::Message) => {
                self.no_repeats(&[MsgId, Msg])?;
                ClientEvent::Message {
                    msg_id: self.id(MsgId)?,
                    msg: self.text(Msg)?,
                }
            }
            Some(EventKind::Typing) => ClientEvent::Typing,
            Some(EventKind::NotTyping) => ClientEvent::NotTyping,
            Some(EventKind::FormData) => {
                self.no_repeats(&[FormRequestId, FormName, Data])?;
                ClientEvent::FormData {
                    form_request_id: self.id(FormRequestId)?,
                    form_name: self.text(FormName)?,
                    data: self.form(Data)?,
                }
            }
            Some(EventKind::End) => ClientEvent::End,
            Some(EventKind::Disconnect) => ClientEvent::Disconnect,
            Some(EventKind::Signaling) => {
                self.no_repeats(&[MsgId, DestinationPartyId, Data])?;
                ClientEvent::Signaling {
                    msg_id: self.id(MsgId)?,
                    destination_party_id: self.id(DestinationPartyId)?,
                    data: self.raw(Data)?,
                }
            }
            Some(EventKind::File) => {
                self.no_repeats(&[MsgId, FileType, FileId])?;
                ClientEvent::File {
                    msg_id: self.id(MsgId)?,
                    file_type: self.file_type(FileType)?,
                    file_id: self.id(FileId)?,
                }
            }
            Some(EventKind::Unknown) | None => ClientEvent::Unknown {
                name: Text::from_lexed(self.str_at(event.start, event.end)?, escaped),
                raw: Raw::from_lexed(self.str_at(start, end)?, compact),
            },
        })
    }
}
