//! An event that owns its bytes: a [`Bytes`] plus the decoded layout.

use core::fmt;

use bytes::Bytes;

use crate::decode::{Status, parse};
use crate::error::{Error, ErrorKind};
use crate::event::{ClientEvent, EventKind, FileType};
use crate::raw::{FormFields, Raw};
use crate::scan::Cursor;
use crate::text::{Id, IdValue, Text, validated_str};

/// Where one field's token lies in the event's bytes: `start << 32 | end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span(u64);

impl Span {
    /// The span of `s`, which must lie inside `base`.
    #[inline(always)]
    fn of(s: &str, base: &[u8]) -> Option<Span> {
        let start = (s.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
        let end = start.checked_add(s.len())?;
        if end > base.len() {
            return None;
        }
        let (start, end) = (u32::try_from(start).ok()?, u32::try_from(end).ok()?);
        Some(Span(u64::from(start) << 32 | u64::from(end)))
    }

    /// The span's text. The layout is only built from tokens the decoder
    /// validated, in the very bytes it is then applied to (an `OwnedEvent`'s
    /// bytes never change), so they are UTF-8 and the range is in bounds;
    /// `fallback` keeps this total.
    #[inline(always)]
    fn get<'a>(self, bytes: &'a [u8], fallback: &'static str) -> &'a str {
        let (start, end) = ((self.0 >> 32) as usize, self.0 as u32 as usize);
        bytes
            .get(start..end)
            .and_then(|b| validated_str(b, start).ok())
            .unwrap_or(fallback)
    }

    fn text(self, bytes: &[u8]) -> Text<'_> {
        Text::from_token(self.get(bytes, "\""))
    }

    fn id(self, bytes: &[u8]) -> Id<'_> {
        let token = self.get(bytes, "\"");
        if token.starts_with('"') {
            Id::from_text(Text::from_token(token))
        } else {
            Id::from_int_digits(token)
        }
    }

    fn raw(self, bytes: &[u8], compact: bool) -> Raw<'_> {
        Raw::from_lexed(self.get(bytes, "null"), compact)
    }
}

#[inline(always)]
fn text_span(text: &Text<'_>, base: &[u8]) -> Option<Span> {
    Span::of(text.token(), base)
}

#[inline(always)]
fn id_span(id: &Id<'_>, base: &[u8]) -> Option<Span> {
    match id.value() {
        IdValue::Str(text) => text_span(&text, base),
        IdValue::Int(digits) => Span::of(digits, base),
    }
}

/// The decoded layout of one event: its kind and where each field's token
/// lies in its bytes, so the borrowed view can be rebuilt without parsing.
///
/// Plain words rather than an enum of spans: it is put together in
/// registers and stored a word at a time, where the enum was stored byte,
/// flag and span apart and then copied whole (measured a few per cent
/// faster to hand out, per event, from the incremental decoder).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The kind (`EventKind as u8`); bit 8: the raw value is compact; bit 9:
    /// the file type is an attachment.
    head: u64,
    /// The fields' spans, in the variant's field order (0 when unused).
    a: Span,
    b: Span,
    c: Span,
}

/// The one shortest spelling of an event without fields.
#[inline(always)]
const fn shortest(kind: EventKind) -> Option<&'static [u8]> {
    Some(match kind {
        EventKind::Typing => br#"{"event":"chat_session_typing"}"#,
        EventKind::NotTyping => br#"{"event":"chat_session_not_typing"}"#,
        EventKind::End => br#"{"event":"chat_session_end"}"#,
        EventKind::Disconnect => br#"{"event":"chat_session_disconnect"}"#,
        _ => return None,
    })
}

const COMPACT: u64 = 1 << 8;
const ATTACHMENT: u64 = 1 << 9;
const NONE: Span = Span(0);

impl Layout {
    #[inline(always)]
    const fn new(kind: EventKind, flags: u64, a: Span, b: Span, c: Span) -> Layout {
        Layout {
            head: kind as u64 | flags,
            a,
            b,
            c,
        }
    }

    #[inline(always)]
    const fn unit(kind: EventKind) -> Layout {
        Layout::new(kind, 0, NONE, NONE, NONE)
    }

    /// The layout of `event`, whose fields borrow `base`; `None` if one does
    /// not (or `base` is 4 GiB or more).
    #[inline(always)]
    pub(crate) fn of(event: &ClientEvent<'_>, base: &[u8]) -> Option<Layout> {
        let compact = |yes: bool| if yes { COMPACT } else { 0 };
        Some(match event {
            ClientEvent::Message { msg_id, msg } => Layout::new(
                EventKind::Message,
                0,
                id_span(msg_id, base)?,
                text_span(msg, base)?,
                NONE,
            ),
            ClientEvent::Typing => Layout::unit(EventKind::Typing),
            ClientEvent::NotTyping => Layout::unit(EventKind::NotTyping),
            ClientEvent::FormData {
                form_request_id,
                form_name,
                data,
            } => Layout::new(
                EventKind::FormData,
                compact(data.raw().is_compact()),
                id_span(form_request_id, base)?,
                text_span(form_name, base)?,
                Span::of(data.raw().get(), base)?,
            ),
            ClientEvent::End => Layout::unit(EventKind::End),
            ClientEvent::Disconnect => Layout::unit(EventKind::Disconnect),
            ClientEvent::Signaling {
                msg_id,
                destination_party_id,
                data,
            } => Layout::new(
                EventKind::Signaling,
                compact(data.is_compact()),
                id_span(msg_id, base)?,
                id_span(destination_party_id, base)?,
                Span::of(data.get(), base)?,
            ),
            ClientEvent::File {
                msg_id,
                file_type,
                file_id,
            } => Layout::new(
                EventKind::File,
                match file_type {
                    FileType::Image => 0,
                    FileType::Attachment => ATTACHMENT,
                },
                id_span(msg_id, base)?,
                id_span(file_id, base)?,
                NONE,
            ),
            ClientEvent::Unknown { name, raw } => Layout::new(
                EventKind::Unknown,
                compact(raw.is_compact()),
                text_span(name, base)?,
                Span::of(raw.get(), base)?,
                NONE,
            ),
        })
    }

    /// The event's kind.
    #[inline(always)]
    pub(crate) fn kind(self) -> EventKind {
        // `head` holds a kind's index, so this is never `Unknown` by default.
        EventKind::ALL
            .get(usize::from(self.head as u8))
            .copied()
            .unwrap_or(EventKind::Unknown)
    }

    #[inline(always)]
    fn compact(self) -> bool {
        self.head & COMPACT != 0
    }

    /// Static bytes equal to `bytes`, the event's own, for an event without
    /// fields written the one shortest way: `{"event":"chat_session_typing"}`
    /// and the like. Any other spelling (whitespace, an escape, another
    /// member) is longer, so comparing lengths is enough.
    #[inline(always)]
    pub(crate) fn canonical(self, bytes: &[u8]) -> Option<&'static [u8]> {
        let canonical = shortest(self.kind())?;
        if canonical.len() != bytes.len() {
            return None;
        }
        debug_assert_eq!(canonical, bytes);
        Some(canonical)
    }

    /// The layout and the bytes of `event`, an event without fields that
    /// the decoder matched written the one shortest way (see
    /// [`Layout::canonical`]); `None` for any other event.
    #[inline(always)]
    pub(crate) fn shortest(event: &ClientEvent<'_>) -> Option<(Layout, &'static [u8])> {
        let kind = match event {
            ClientEvent::Typing => EventKind::Typing,
            ClientEvent::NotTyping => EventKind::NotTyping,
            ClientEvent::End => EventKind::End,
            ClientEvent::Disconnect => EventKind::Disconnect,
            _ => return None,
        };
        Some((Layout::unit(kind), shortest(kind)?))
    }

    /// Rebuilds the borrowed event over `bytes`, the bytes the layout was
    /// taken from.
    pub(crate) fn event(self, bytes: &[u8]) -> ClientEvent<'_> {
        let Layout { a, b, c, .. } = self;
        match self.kind() {
            EventKind::Message => ClientEvent::Message {
                msg_id: a.id(bytes),
                msg: b.text(bytes),
            },
            EventKind::Typing => ClientEvent::Typing,
            EventKind::NotTyping => ClientEvent::NotTyping,
            EventKind::FormData => {
                let raw = c.raw(bytes, self.compact());
                // `data` was an object when decoded, so this is `Some`.
                match FormFields::new(raw) {
                    Some(data) => ClientEvent::FormData {
                        form_request_id: a.id(bytes),
                        form_name: b.text(bytes),
                        data,
                    },
                    None => ClientEvent::Unknown {
                        name: Text::from_token("\""),
                        raw,
                    },
                }
            }
            EventKind::End => ClientEvent::End,
            EventKind::Disconnect => ClientEvent::Disconnect,
            EventKind::Signaling => ClientEvent::Signaling {
                msg_id: a.id(bytes),
                destination_party_id: b.id(bytes),
                data: c.raw(bytes, self.compact()),
            },
            EventKind::File => ClientEvent::File {
                msg_id: a.id(bytes),
                file_type: if self.head & ATTACHMENT != 0 {
                    FileType::Attachment
                } else {
                    FileType::Image
                },
                file_id: b.id(bytes),
            },
            EventKind::Unknown => ClientEvent::Unknown {
                name: a.text(bytes),
                raw: b.raw(bytes, self.compact()),
            },
        }
    }
}

/// A client event that owns its bytes: `Send + Sync + 'static`, cheap to
/// clone (a reference count), and zero-copy out of a stream buffer.
///
/// It holds the event's JSON bytes, exactly as they arrived, and the layout
/// the decoder found (where each field lies), so [`OwnedEvent::event`]
/// gives the borrowed [`ClientEvent`] back without parsing again.
///
/// ```
/// use bytes::Bytes;
/// use chatwire::{ClientEvent, OwnedEvent};
///
/// let owned = OwnedEvent::decode(Bytes::from_static(
///     br#" {"event":"chat_session_message","msg_id":7,"msg":"hi"} "#,
/// ))?;
/// let copy = owned.clone(); // no copy of the bytes
/// std::thread::spawn(move || {
///     let ClientEvent::Message { msg_id, msg } = copy.event() else { unreachable!() };
///     assert_eq!(msg_id.as_u64(), Some(7));
///     assert!(msg == "hi");
/// })
/// .join()
/// .unwrap();
/// assert_eq!(owned.as_bytes(), br#"{"event":"chat_session_message","msg_id":7,"msg":"hi"}"#);
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone)]
pub struct OwnedEvent {
    bytes: Bytes,
    layout: Layout,
}

impl OwnedEvent {
    pub(crate) fn from_parts(bytes: Bytes, layout: Layout) -> Self {
        OwnedEvent { bytes, layout }
    }

    /// Decodes the one event that makes up `bytes` (whitespace around it
    /// allowed), keeping a zero-copy slice of `bytes`.
    ///
    /// Errors are those of [`crate::from_slice`]. An event of 4 GiB or more
    /// is not supported: it is reported as [`ErrorKind::UnexpectedEof`] at
    /// byte 4 GiB - 1.
    pub fn decode(bytes: Bytes) -> Result<OwnedEvent, Error> {
        const MAX: usize = u32::MAX as usize;
        let input = &bytes[..bytes.len().min(MAX)];
        let (event, used) = match parse(input)? {
            Status::Complete(done) => done,
            Status::Partial => return Err(Error::new(ErrorKind::UnexpectedEof, input.len())),
        };
        let mut cursor = Cursor::at(&bytes, used);
        cursor.skip_ws();
        if cursor.pos() != bytes.len() {
            return Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos()));
        }
        let start = used - event_len(input, used);
        let layout = Layout::of(&event, &input[start..used])
            .ok_or(Error::new(ErrorKind::UnexpectedEof, input.len()))?;
        Ok(OwnedEvent {
            bytes: bytes.slice(start..used),
            layout,
        })
    }

    /// An owned copy of a borrowed event, written compactly (as
    /// [`ClientEvent::write_to_vec`] writes it) into new bytes.
    ///
    /// ```
    /// let owned = chatwire::OwnedEvent::from_event(&chatwire::ClientEvent::End);
    /// assert_eq!(owned.as_bytes(), br#"{"event":"chat_session_end"}"#);
    /// ```
    pub fn from_event(event: &ClientEvent<'_>) -> OwnedEvent {
        let bytes = Bytes::from(event.to_vec());
        // The writer's output decodes to the same event; keep an `End` if it
        // ever did not, rather than panic.
        OwnedEvent::decode(bytes).unwrap_or_else(|_| OwnedEvent {
            bytes: Bytes::from_static(br#"{"event":"chat_session_end"}"#),
            layout: Layout::unit(EventKind::End),
        })
    }

    /// The borrowed view of the event, rebuilt from the stored layout
    /// without parsing (nor checking again that the fields are UTF-8, which
    /// the decoder ensured).
    #[inline]
    pub fn event(&self) -> ClientEvent<'_> {
        self.layout.event(&self.bytes)
    }

    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        self.layout.kind()
    }

    /// The event's JSON bytes as they arrived, from its `{` to its `}`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The event's JSON bytes, shared.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The event's JSON bytes, shared.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

/// The length of the event that `parse` found ending at `used`: `used`
/// less the leading whitespace.
fn event_len(input: &[u8], used: usize) -> usize {
    let mut cursor = Cursor::new(input);
    cursor.skip_ws();
    used - cursor.pos()
}

impl PartialEq for OwnedEvent {
    fn eq(&self, other: &Self) -> bool {
        self.event() == other.event()
    }
}

impl Eq for OwnedEvent {}

impl PartialEq<ClientEvent<'_>> for OwnedEvent {
    fn eq(&self, other: &ClientEvent<'_>) -> bool {
        self.event() == *other
    }
}

impl fmt::Debug for OwnedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.event(), f)
    }
}

impl<'a> From<&'a OwnedEvent> for ClientEvent<'a> {
    fn from(owned: &'a OwnedEvent) -> Self {
        owned.event()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_keeps_every_kind() {
        for kind in EventKind::ALL {
            assert_eq!(Layout::unit(kind).kind(), kind);
        }
    }

    #[test]
    fn canonical_bytes_are_the_events_own() {
        for line in [
            &br#"{"event":"chat_session_typing"}"#[..],
            br#"{"event":"chat_session_not_typing"}"#,
            br#"{"event":"chat_session_end"}"#,
            br#"{"event":"chat_session_disconnect"}"#,
        ] {
            let event = crate::from_slice(line).unwrap();
            let layout = Layout::of(&event, line).unwrap();
            assert_eq!(layout.canonical(line), Some(line));
        }
        let spaced = br#"{"event": "chat_session_end"}"#;
        let event = crate::from_slice(spaced).unwrap();
        assert_eq!(Layout::of(&event, spaced).unwrap().canonical(spaced), None);
    }
}
