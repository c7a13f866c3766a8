//! One JSON object to one event of either direction, in a single pass.
//!
//! The object's members come in any order and the `"event"` key may come
//! last, so the decoder files each known key's value into a slot as it lexes
//! it, validates everything else as it skips it, and only at the closing
//! brace decides which event it has read and whether its fields are right.
//! Nothing is allocated: the slots live on the stack and the event borrows
//! the input.

use crate::dispatch::starts_with_const;
use crate::error::{Error, ErrorKind, Expected};
use crate::event::FileType;
use crate::protocol::ClientEvent;
use crate::protocol::Field;
use crate::raw::{FormFields, Raw};
use crate::scan::{Cursor, Lex, Stop, fail, is_ws};
use crate::text::{Id, Scalar, Text, validated_str};

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
/// assert_eq!(event, ClientEvent::Typing { msg: None });
/// assert_eq!(used, 31);
/// assert_eq!(chatwire::parse(&input[used..])?, Status::Partial);
/// # Ok::<(), chatwire::Error>(())
/// ```
#[inline]
pub fn parse(input: &[u8]) -> Result<Status<(ClientEvent<'_>, usize)>, Error> {
    parse_as(input)
}

/// [`parse`] into any event type.
#[inline]
pub(crate) fn parse_as<'a, E: Decode<'a>>(input: &'a [u8]) -> Result<Status<(E, usize)>, Error> {
    match decode_object::<E, true>(input) {
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
#[inline]
pub fn from_slice(input: &[u8]) -> Result<ClientEvent<'_>, Error> {
    from_slice_as(input)
}

/// [`from_slice`] into any event type.
///
/// The commonest input of all, an event without fields written the one
/// shortest way and nothing else (`{"event":"chat_session_typing"}`), is
/// matched where this is inlined: a call, and the result passed back
/// through memory, would cost as much as the match.
#[inline(always)]
pub(crate) fn from_slice_as<'a, E: Decode<'a>>(input: &'a [u8]) -> Result<E, Error> {
    if let Some((event, used)) = E::unit_at(input, 0)
        && used == input.len()
    {
        return Ok(event);
    }
    from_slice_general(input)
}

/// [`from_slice_as`] for any input.
#[inline(never)]
fn from_slice_general<'a, E: Decode<'a>>(input: &'a [u8]) -> Result<E, Error> {
    match decode_object::<E, false>(input) {
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

/// An event type the decoder builds: made by the protocol table's macros
/// for [`ClientEvent`] and `ServerEvent`, and written by hand for
/// `HistoryEvent`, which hands each event to one of those two.
pub(crate) trait Decode<'a>: Sized {
    /// The event's kind.
    type Kind: Copy;

    /// The kind of an event name's `Unknown`.
    const UNKNOWN: Self::Kind;

    /// The known kind named `name` (unescaped).
    fn kind_of(name: &[u8]) -> Option<Self::Kind>;

    /// A known name written without escapes in `input` from `at` (the byte
    /// after its opening quote): its kind and the offset after it.
    fn sniff_name(input: &[u8], at: usize) -> Option<(Self::Kind, usize)>;

    /// Checks the fields of an event of `kind` and builds it.
    fn build(kind: Self::Kind, fields: &Fields<'_, 'a>) -> Result<Self, Error>;

    /// An event whose fields are all optional written exactly
    /// `{"event":"<name>"}` at `at`, and the offset after it.
    fn unit_at(input: &[u8], at: usize) -> Option<(Self, usize)>;

    /// The slot table: one slot for each field up to the last one the
    /// side's events have ([`slots_for`]). Keys past it are skipped like
    /// unknown ones, and the table cleared for each object is that much
    /// smaller.
    type Slots: SlotTable;

    /// The number of slots in [`Self::Slots`].
    #[cfg(test)]
    fn slots() -> usize {
        Self::Slots::empty().as_ref().len()
    }
}

/// A table of slots, one per field from the first: `[Slot; N]`.
pub(crate) trait SlotTable: AsRef<[Slot]> + AsMut<[Slot]> {
    /// Every slot empty.
    fn empty() -> Self;
}

impl<const N: usize> SlotTable for [Slot; N] {
    #[inline(always)]
    fn empty() -> Self {
        [EMPTY; N]
    }
}

/// The slots a side whose events are `schema` needs: one past the
/// greatest field its events have (`"event"` included).
pub(crate) const fn slots_for(schema: &[crate::protocol::EventSchema]) -> usize {
    let mut n = Field::Event as usize + 1;
    let mut e = 0;
    while e < schema.len() {
        let fields = schema[e].fields;
        let mut f = 0;
        while f < fields.len() {
            let needed = fields[f].field as usize + 1;
            if needed > n {
                n = needed;
            }
            f += 1;
        }
        e += 1;
    }
    n
}

/// A field type of the protocol table, as the decoder reads it from a slot.
pub(crate) trait FieldValue<'a>: Sized {
    /// The value of `field`, reporting a missing or mistyped value.
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error>;

    /// The value of an absent field: `None` (an error) for a required one.
    fn absent() -> Option<Self>;
}

/// How a slot's value was lexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Absent,
    Str,
    /// A string holding an escape.
    StrEscaped,
    /// An integer serde_json reads as `u64` or `i64`.
    Int,
    /// Any other number.
    Float,
    Null,
    Object,
    /// An object with whitespace outside its strings.
    ObjectWs,
    /// An array, `true` or `false`.
    Other,
    /// An array with whitespace outside its strings.
    OtherWs,
}

/// One known key's first value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    start: u32,
    end: u32,
    kind: Kind,
}

const EMPTY: Slot = Slot {
    start: 0,
    end: 0,
    kind: Kind::Absent,
};

/// One slot per key of the protocol table: the most a side's table holds.
pub(crate) const SLOTS: usize = Field::COUNT;

const _: () = assert!(SLOTS <= 64, "the repeat mask holds one bit per field");

/// The commonest start of an object's first member, up to its value's
/// opening quote.
const EVENT_KEY: &[u8] = b"\"event\":\"";

/// The longest object the decoder takes: its offsets are kept in `u32`s.
const MAX_LEN: usize = u32::MAX as usize;

/// The longest content that can unescape to a name worth matching: known
/// keys are at most 20 bytes and event names at most 31.
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
    if !escaped {
        return Field::from_key_bytes(&input[start + 1..end - 1]);
    }
    key_field_escaped(input, start, end)
}

#[cold]
fn key_field_escaped(input: &[u8], start: usize, end: usize) -> Option<Field> {
    let token = validated_str(&input[start..end], start).ok()?;
    let mut buf = [0u8; NAME_BUF];
    Field::from_key_bytes(unescape_name(token, &mut buf)?)
}

/// Lexes the object at the start of `input` and files its known keys;
/// with `UNIT`, first tries the templates of the events without fields
/// (callers that have tried them already pass `false`).
#[inline(always)]
fn decode_object<'a, E: Decode<'a>, const UNIT: bool>(input: &'a [u8]) -> Lex<(E, usize)> {
    decode_object_ws::<E, false, UNIT>(input, &mut false)
}

/// [`decode_object`] for the stream layer, which also learns (with `WS`),
/// in `has_ws`, whether the object (from its `{` to its `}`) holds
/// whitespace outside its strings: when it does not, it holds no line feed
/// (strings cannot hold a raw one).
#[inline(always)]
pub(crate) fn decode_object_ws<'a, E: Decode<'a>, const WS: bool, const UNIT: bool>(
    input: &'a [u8],
    has_ws: &mut bool,
) -> Lex<(E, usize)> {
    if input.len() > MAX_LEN {
        return decode_huge::<E, WS>(input, has_ws);
    }
    let mut c = Cursor::new(input);
    c.skip_ws();
    let object_start = c.pos();
    match c.peek_more()? {
        b'{' => c.bump(),
        _ => return fail(ErrorKind::ExpectedObject, object_start),
    }
    // The commonest layout of all, `{"event":"chat_session_typing"}` and the
    // other events without fields, matched whole.
    if UNIT && let Some(done) = E::unit_at(input, object_start) {
        if WS {
            *has_ws = false;
        }
        return Ok(done);
    }
    decode_members::<E, WS>(input, object_start, has_ws)
}

/// The object at `object_start`, past its `{`, member by member.
#[inline(never)]
fn decode_members<'a, E: Decode<'a>, const WS: bool>(
    input: &'a [u8],
    object_start: usize,
    has_ws: &mut bool,
) -> Lex<(E, usize)> {
    let mut c = Cursor::at(input, object_start + 1);
    // Whether the object holds whitespace outside strings.
    let mut ws = false;
    let mut table = E::Slots::empty();
    let slots = table.as_mut();
    // The known fields seen more than once.
    let mut repeated = 0u64;
    // The event's kind, when its name was recognised while lexing.
    let mut known = None;
    let mut next = c.next_token(&mut ws)?;
    if next != b'}' {
        loop {
            if next != b'"' {
                return fail(ErrorKind::ExpectedKey, c.pos());
            }
            let key_start = c.pos();
            // The commonest first member starts `{"event":"`: its key, the
            // colon and the value's quote in one compare.
            let field = if key_start == object_start + 1
                && starts_with_const(&input[key_start..], EVENT_KEY)
            {
                c = Cursor::at(input, key_start + EVENT_KEY.len() - 1);
                Some(Field::Event)
            } else {
                let field = match Field::sniff(input, key_start + 1) {
                    Some((field, end)) => {
                        c = Cursor::at(input, end);
                        Some(field)
                    }
                    None => {
                        let escaped = c.string()?;
                        key_field(input, key_start, c.pos(), escaped)
                    }
                };
                // The compact layout, `":` and the value at once; else the
                // general way.
                if let Some(&[b':', value]) = input.get(c.pos()..c.pos() + 2)
                    && !is_ws(value)
                {
                    c.bump();
                } else {
                    if c.next_token(&mut ws)? != b':' {
                        return fail(ErrorKind::ExpectedColon, c.pos());
                    }
                    c.bump();
                    ws |= c.skip_ws();
                }
                field
            };
            match field {
                Some(field) if (field as usize) < slots.len() => {
                    let start = c.pos();
                    let kind = match c.peek_more()? {
                        b'"' if field == Field::Event && known.is_none() => {
                            match E::sniff_name(input, start + 1) {
                                Some((kind, end)) => {
                                    known = Some(kind);
                                    c = Cursor::at(input, end);
                                    Kind::Str
                                }
                                None if c.string()? => Kind::StrEscaped,
                                None => {
                                    known = E::kind_of(&input[start + 1..c.pos() - 1]);
                                    Kind::Str
                                }
                            }
                        }
                        b'"' => {
                            if c.string()? {
                                Kind::StrEscaped
                            } else {
                                Kind::Str
                            }
                        }
                        b'-' | b'0'..=b'9' => {
                            if c.number()?.int {
                                Kind::Int
                            } else {
                                Kind::Float
                            }
                        }
                        b'{' => {
                            let inner = c.skip_value(1)?;
                            ws |= inner;
                            if inner { Kind::ObjectWs } else { Kind::Object }
                        }
                        b'n' => {
                            c.skip_value(1)?;
                            Kind::Null
                        }
                        _ => {
                            let inner = c.skip_value(1)?;
                            ws |= inner;
                            if inner { Kind::OtherWs } else { Kind::Other }
                        }
                    };
                    let slot = &mut slots[field as usize];
                    if slot.kind == Kind::Absent {
                        // Both fit: the input is at most `MAX_LEN` long.
                        *slot = Slot {
                            start: start as u32,
                            end: c.pos() as u32,
                            kind,
                        };
                    } else {
                        repeated |= 1 << field as u32;
                    }
                }
                _ => ws |= c.skip_value(1)?,
            }
            // The compact layout, `,"`: the next key at once.
            if let Some(b",\"") = input.get(c.pos()..c.pos() + 2) {
                c.bump();
                next = b'"';
                continue;
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
        slots: &*slots,
        repeated,
        start: object_start,
        close,
        compact: !ws,
    };
    let event = fields.event::<E>(known).map_err(Stop::Fail)?;
    if WS {
        *has_ws = ws;
    }
    Ok((event, end))
}

/// An input longer than [`MAX_LEN`]: the object must end within it.
#[cold]
fn decode_huge<'a, E: Decode<'a>, const WS: bool>(
    input: &'a [u8],
    has_ws: &mut bool,
) -> Lex<(E, usize)> {
    match decode_object_ws::<E, WS, true>(&input[..MAX_LEN], has_ws) {
        Err(Stop::Partial) => fail(ErrorKind::EventTooLarge, MAX_LEN),
        done => done,
    }
}

/// The filed slots of one object, turned into an event.
pub(crate) struct Fields<'s, 'a> {
    input: &'a [u8],
    slots: &'s [Slot],
    repeated: u64,
    /// The offset of the opening brace.
    start: usize,
    /// The offset of the closing brace, where missing fields are reported.
    close: usize,
    /// Whether the object holds no whitespace outside its strings.
    compact: bool,
}

impl<'a> Fields<'_, 'a> {
    /// The slot of `field`; an empty one for a field past the side's
    /// table, which no event of the side has.
    #[inline(always)]
    fn slot(&self, field: Field) -> &Slot {
        self.slots.get(field as usize).unwrap_or(&EMPTY)
    }

    #[inline(always)]
    fn str_at(&self, start: u32, end: u32) -> Result<&'a str, Error> {
        let (start, end) = (start as usize, end as usize);
        validated_str(&self.input[start..end], start)
    }

    /// Rejects a repeat of `field`.
    #[inline(always)]
    pub(crate) fn no_repeat(&self, field: Field) -> Result<(), Error> {
        if self.repeated & (1 << field as u32) == 0 {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::DuplicateField(field),
            self.repeat_offset(field),
        ))
    }

    /// Where the second `field` key of the object starts: the object is
    /// lexed again, on this error path only.
    #[cold]
    fn repeat_offset(&self, field: Field) -> usize {
        let mut c = Cursor::at(self.input, self.start + 1);
        let mut seen = false;
        let mut ws = false;
        while let Ok(b'"') = c.next_token(&mut ws) {
            let key_start = c.pos();
            let Ok(escaped) = c.string() else { break };
            if key_field(self.input, key_start, c.pos(), escaped) == Some(field) {
                if seen {
                    return key_start;
                }
                seen = true;
            }
            if c.next_token(&mut ws) != Ok(b':') {
                break;
            }
            c.bump();
            c.skip_ws();
            if c.skip_value(1).is_err() {
                break;
            }
            if c.next_token(&mut ws) != Ok(b',') {
                break;
            }
            c.bump();
        }
        self.start
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
        Error::new(
            ErrorKind::InvalidType { field, expected },
            slot.start as usize,
        )
    }

    /// The text a string slot holds: its token cut from the input as
    /// [`Text`] keeps it (the closing quote only when the string holds an
    /// escape), so no `str` is sliced twice.
    #[inline(always)]
    fn text_at(&self, slot: &Slot) -> Result<Text<'a>, Error> {
        let end = slot.end - u32::from(slot.kind == Kind::Str);
        self.str_at(slot.start, end).map(Text::from_token)
    }

    #[inline(always)]
    fn text(&self, field: Field) -> Result<Text<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Str | Kind::StrEscaped => self.text_at(slot),
            _ => Err(Self::wrong_type(slot, field, Expected::String)),
        }
    }

    #[inline(always)]
    fn id(&self, field: Field) -> Result<Id<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Str | Kind::StrEscaped => self.text_at(slot).map(Id::from_text),
            Kind::Int => Ok(Id::from_int_digits(self.str_at(slot.start, slot.end)?)),
            _ => Err(Self::wrong_type(slot, field, Expected::StringOrInteger)),
        }
    }

    #[inline(always)]
    fn scalar(&self, field: Field) -> Result<Scalar<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Str | Kind::StrEscaped => self.text_at(slot).map(Scalar::from_text),
            Kind::Int | Kind::Float => Ok(Scalar::from_number(self.str_at(slot.start, slot.end)?)),
            _ => Err(Self::wrong_type(slot, field, Expected::StringOrNumber)),
        }
    }

    #[inline(always)]
    fn raw(&self, field: Field) -> Result<Raw<'a>, Error> {
        let slot = self.present(field)?;
        let compact = !matches!(slot.kind, Kind::ObjectWs | Kind::OtherWs);
        Ok(Raw::from_lexed(self.str_at(slot.start, slot.end)?, compact))
    }

    #[inline(always)]
    fn form(&self, field: Field) -> Result<FormFields<'a>, Error> {
        let slot = self.present(field)?;
        match slot.kind {
            Kind::Object | Kind::ObjectWs => {
                let raw = self.raw(field)?;
                FormFields::new(raw).ok_or_else(|| Self::wrong_type(slot, field, Expected::Object))
            }
            _ => Err(Self::wrong_type(slot, field, Expected::Object)),
        }
    }

    #[inline(always)]
    fn file_type(&self, field: Field) -> Result<FileType, Error> {
        let text = self.text(field)?;
        if text.eq_str("image") {
            Ok(FileType::Image)
        } else if text.eq_str("attachment") {
            Ok(FileType::Attachment)
        } else {
            Err(Error::new(
                ErrorKind::InvalidFileType,
                self.slot(field).start as usize,
            ))
        }
    }

    /// Whether `field` is absent or `null`: an optional field's `None`.
    #[inline(always)]
    fn is_none(&self, field: Field) -> bool {
        matches!(self.slot(field).kind, Kind::Absent | Kind::Null)
    }

    /// The event's name and the whole object, for an unknown event.
    #[inline(always)]
    pub(crate) fn unknown_parts(&self) -> Result<(Text<'a>, Raw<'a>), Error> {
        // `event` checked that the name is a string.
        let name = self.text_at(self.slot(Field::Event))?;
        let raw = Raw::from_lexed(
            validated_str(&self.input[self.start..=self.close], self.start)?,
            self.compact,
        );
        Ok((name, raw))
    }

    /// Decides which event the object is and builds it.
    #[inline(always)]
    fn event<E: Decode<'a>>(&self, known: Option<E::Kind>) -> Result<E, Error> {
        let event = self.slot(Field::Event);
        match event.kind {
            Kind::Absent => return Err(Error::new(ErrorKind::MissingEvent, self.close)),
            Kind::Str | Kind::StrEscaped => {}
            _ => return Err(Self::wrong_type(event, Field::Event, Expected::String)),
        }
        self.no_repeat(Field::Event)?;
        let kind = match known {
            Some(kind) => kind,
            None if event.kind == Kind::StrEscaped => {
                let token = self.str_at(event.start, event.end)?;
                let mut buf = [0u8; NAME_BUF];
                unescape_name(token, &mut buf)
                    .and_then(E::kind_of)
                    .unwrap_or(E::UNKNOWN)
            }
            // An unescaped name was looked up while lexing.
            None => E::UNKNOWN,
        };
        E::build(kind, self)
    }
}

impl<'a> FieldValue<'a> for Text<'a> {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.text(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a> FieldValue<'a> for Id<'a> {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.id(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a> FieldValue<'a> for Scalar<'a> {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.scalar(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a> FieldValue<'a> for Raw<'a> {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.raw(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a> FieldValue<'a> for FormFields<'a> {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.form(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a> FieldValue<'a> for FileType {
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        fields.file_type(field)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        None
    }
}

impl<'a, T: FieldValue<'a>> FieldValue<'a> for Option<T> {
    /// Absent or `null` is `None`, as serde reads an `Option`.
    #[inline(always)]
    fn from_slot(fields: &Fields<'_, 'a>, field: Field) -> Result<Self, Error> {
        if fields.is_none(field) {
            return Ok(None);
        }
        T::from_slot(fields, field).map(Some)
    }

    #[inline(always)]
    fn absent() -> Option<Self> {
        Some(None)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::borrow::ToOwned;
    use std::string::String;
    use std::vec::Vec;

    use super::*;
    use crate::protocol::{CLIENT_EVENTS, EventSchema, SERVER_EVENTS};
    use crate::side::{Client, Server, Side};

    /// `unit_at` against the general decoder on `{"event":"<name>"}` for
    /// every event of one side, and on the same template followed by more
    /// bytes, cut short, or ended with a comma.
    fn unit_templates<S: Side>(schema: &[EventSchema]) -> usize {
        let mut matched = 0;
        for event in schema {
            let template = ["{\"event\":\"", event.name, "\"}"].concat();
            let n = template.len();
            let input = [template.as_bytes(), b"\n{"].concat();
            let all_optional = event.fields.iter().all(|f| !f.required);
            match S::Event::unit_at(&input, 0) {
                Some((unit, end)) => {
                    assert!(all_optional, "{} has a required field", event.name);
                    assert_eq!(end, n, "{}", event.name);
                    let general = decode_members::<S::Event<'_>, false>(&input[..n], 0, &mut false);
                    assert_eq!(general, Ok((unit, n)), "{}", event.name);
                    matched += 1;
                }
                None => assert!(!all_optional, "{} was not matched", event.name),
            }
            // Cut short, or ended with a comma: not the template.
            for cut in 0..n {
                assert!(
                    S::Event::unit_at(&input[..cut], 0).is_none(),
                    "{} cut at {cut}",
                    event.name
                );
            }
            let mut changed: Vec<u8> = template.into_bytes();
            changed[n - 1] = b',';
            assert!(
                S::Event::unit_at(&changed, 0).is_none(),
                "{} with a comma",
                event.name
            );
        }
        matched
    }

    /// `from_slice_as`, whose inlined part matches the templates, against
    /// the general path alone, around every template of one side.
    fn from_slice_agrees_with_the_general_path<S: Side>(schema: &[EventSchema]) -> usize {
        let mut checked = 0;
        for event in schema {
            let template = ["{\"event\":\"", event.name, "\"}"].concat();
            for input in [
                template.clone(),
                [" ", &template].concat(),
                [&template, "\n"].concat(),
                [&template, " x"].concat(),
                [&template, "{}"].concat(),
                template[..template.len() - 1].to_owned(),
            ] {
                let input = input.as_bytes();
                assert_eq!(
                    from_slice_as::<S::Event<'_>>(input),
                    from_slice_general::<S::Event<'_>>(input),
                    "{}",
                    String::from_utf8_lossy(input)
                );
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn from_slice_gives_what_the_general_path_gives_around_every_template() {
        assert!(from_slice_agrees_with_the_general_path::<Client>(CLIENT_EVENTS) >= 6 * 6);
        assert!(from_slice_agrees_with_the_general_path::<Server>(SERVER_EVENTS) >= 6 * 6);
    }

    #[test]
    fn each_side_files_every_field_of_its_events_and_the_client_fewer() {
        for (schema, slots) in [
            (CLIENT_EVENTS, <Client as Side>::Event::<'_>::slots()),
            (SERVER_EVENTS, <Server as Side>::Event::<'_>::slots()),
        ] {
            for event in schema {
                for field in event.fields {
                    assert!((field.field as usize) < slots, "{}", event.name);
                }
            }
        }
        // The client's table stops before the server-only fields.
        let client = <Client as Side>::Event::<'_>::slots();
        assert!(client < SLOTS);
        assert!((Field::State as usize) >= client);
    }

    #[test]
    fn keys_past_the_clients_table_are_validated_and_skipped() {
        let input =
            br#"{"event":"chat_session_message","state":1,"msg_id":"1","state":[],"msg":"a"}"#;
        let event = crate::from_slice(input).unwrap();
        assert_eq!(event.kind(), crate::EventKind::Message);
        // Skipped, but still checked.
        let bad = br#"{"event":"chat_session_message","msg_id":"1","msg":"a","state":01}"#;
        let err = crate::from_slice(bad).unwrap_err();
        assert_eq!(err.offset(), 64);
        // Exactly as a key no side knows, of the same length, is.
        let unknown = br#"{"event":"chat_session_message","msg_id":"1","msg":"a","zzzzz":01}"#;
        assert_eq!(err, crate::from_slice(unknown).unwrap_err());
        // The server files the same key.
        let server = br#"{"event":"chat_session_status","state":"queued","state":"x"}"#;
        let err = crate::ServerEvent::from_slice(server).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateField(Field::State));
    }

    #[test]
    fn unit_templates_match_exactly_the_events_with_only_optional_fields() {
        let expected = |schema: &[EventSchema]| {
            schema
                .iter()
                .filter(|e| e.fields.iter().all(|f| !f.required))
                .count()
        };
        let client = unit_templates::<Client>(CLIENT_EVENTS);
        assert_eq!(client, expected(CLIENT_EVENTS));
        let server = unit_templates::<Server>(SERVER_EVENTS);
        assert_eq!(server, expected(SERVER_EVENTS));
        // Typing, not typing, end, disconnect and the two receipts.
        assert!(client >= 6);
    }
}
