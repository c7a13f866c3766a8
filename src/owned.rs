//! An event that owns its bytes: a [`Bytes`] plus the decoded layout.

use core::fmt;
use core::marker::PhantomData;

use bytes::Bytes;

use crate::decode::{Status, parse_as};
use crate::error::{Error, ErrorKind};
use crate::event::FileType;
use crate::history::{History, HistoryEvent};
use crate::protocol::{ClientEvent, ServerEvent};
use crate::raw::{FormFields, Raw};
use crate::scan::Cursor;
use crate::side::{Client, Event, Server, Side};
use crate::text::{Id, IdValue, Scalar, Text, validated_str};

/// Where one field's token lies in the event's bytes: `start << 32 | end`.
/// `0` is an absent optional field (a token never starts at 0: the event's
/// `{` is there); `1` and `2` are the two file types, which need no bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span(u64);

const NONE: Span = Span(0);

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

    /// The bytes of the span, as the token they were when it was taken.
    #[inline(always)]
    fn get(self, bytes: &[u8]) -> Option<&str> {
        let (start, end) = ((self.0 >> 32) as usize, self.0 as u32 as usize);
        bytes
            .get(start..end)
            .and_then(|b| validated_str(b, start).ok())
    }
}

/// One field's place in the bytes, and a flag: whether a raw value is
/// compact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    span: Span,
    flag: bool,
}

impl Part {
    #[inline(always)]
    fn of(s: &str, base: &[u8]) -> Option<Part> {
        Some(Part {
            span: Span::of(s, base)?,
            flag: false,
        })
    }
}

/// A field type of the protocol table, as the owned layout keeps it.
pub(crate) trait SpanValue<'a>: Sized {
    /// Where the value lies in `base`, the event's bytes.
    fn span(&self, base: &[u8]) -> Option<Part>;
    /// The value again, from the event's bytes.
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self>;
}

impl<'a> SpanValue<'a> for Text<'a> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        Part::of(self.token(), base)
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        Some(Text::from_token(part.span.get(bytes)?))
    }
}

impl<'a> SpanValue<'a> for Id<'a> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        match self.value() {
            IdValue::Str(text) => text.span(base),
            IdValue::Int(digits) => Part::of(digits, base),
        }
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        let token = part.span.get(bytes)?;
        Some(if token.starts_with('"') {
            Id::from_text(Text::from_token(token))
        } else {
            Id::from_int_digits(token)
        })
    }
}

impl<'a> SpanValue<'a> for Scalar<'a> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        Part::of(self.token(), base)
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        let token = part.span.get(bytes)?;
        Some(if token.starts_with('"') {
            Scalar::from_text(Text::from_token(token))
        } else {
            Scalar::from_number(token)
        })
    }
}

impl<'a> SpanValue<'a> for Raw<'a> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        Some(Part {
            span: Span::of(self.get(), base)?,
            flag: self.is_compact(),
        })
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        Some(Raw::from_lexed(part.span.get(bytes)?, part.flag))
    }
}

impl<'a> SpanValue<'a> for FormFields<'a> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        self.raw().span(base)
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        FormFields::new(Raw::from_span(part, bytes)?)
    }
}

impl<'a> SpanValue<'a> for FileType {
    #[inline(always)]
    fn span(&self, _: &[u8]) -> Option<Part> {
        let span = match self {
            FileType::Image => Span(1),
            FileType::Attachment => Span(2),
        };
        Some(Part { span, flag: false })
    }
    #[inline(always)]
    fn from_span(part: Part, _: &'a [u8]) -> Option<Self> {
        match part.span {
            Span(1) => Some(FileType::Image),
            Span(2) => Some(FileType::Attachment),
            _ => None,
        }
    }
}

impl<'a, T: SpanValue<'a>> SpanValue<'a> for Option<T> {
    #[inline(always)]
    fn span(&self, base: &[u8]) -> Option<Part> {
        match self {
            Some(value) => value.span(base),
            None => Some(Part {
                span: NONE,
                flag: false,
            }),
        }
    }
    #[inline(always)]
    fn from_span(part: Part, bytes: &'a [u8]) -> Option<Self> {
        if part.span == NONE {
            return Some(None);
        }
        T::from_span(part, bytes).map(Some)
    }
}

/// The most fields an event of the protocol table has (a test checks it).
pub(crate) const MAX_FIELDS: usize = 6;

/// An event type whose owned form is its bytes plus a [`Layout`]: made by
/// the protocol table's macros.
pub(crate) trait Spanned<'a>: Sized {
    /// The event's kind.
    type Kind: Copy;
    /// The event's layout in `base`, its bytes.
    fn layout(&self, base: &[u8]) -> Option<Layout>;
    /// The event again, from its layout and bytes.
    fn from_layout(layout: &Layout, bytes: &'a [u8]) -> Option<Self>;
    /// The kind a layout holds.
    fn kind_of_layout(layout: &Layout) -> Self::Kind;
    /// The shortest form of an event of `kind` without fields, if its
    /// fields are all optional: `{"event":"<name>"}`.
    fn shortest(kind: Self::Kind) -> Option<&'static [u8]>;
    /// The index of `kind` in its `ALL`, as a layout keeps it.
    fn kind_index(kind: Self::Kind) -> usize;
}

/// A decoded event's shape, without the bytes: its kind and where each of
/// its fields lies, in the table's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The kind's index in its `ALL`, and (from bit 8) one flag per field.
    head: u32,
    parts: [Span; MAX_FIELDS],
}

impl Layout {
    /// An empty layout of the kind at `index`.
    #[inline(always)]
    pub(crate) const fn new(index: usize) -> Layout {
        Layout {
            head: index as u32 & 0xff,
            parts: [NONE; MAX_FIELDS],
        }
    }

    /// Sets field `at`.
    #[inline(always)]
    pub(crate) fn set(&mut self, at: usize, part: Part) {
        if let Some(span) = self.parts.get_mut(at) {
            *span = part.span;
            if part.flag {
                self.head |= 1 << (8 + at);
            }
        }
    }

    /// Field `at`.
    #[inline(always)]
    pub(crate) fn get(&self, at: usize) -> Part {
        Part {
            span: self.parts.get(at).copied().unwrap_or(NONE),
            flag: self.head & (1 << (8 + at)) != 0,
        }
    }

    /// The kind's index.
    #[inline(always)]
    pub(crate) fn kind_index(&self) -> usize {
        (self.head & 0xff) as usize
    }

    /// The same layout with the kind at `index` (of another side's `ALL`
    /// that holds the same events: history's, for one direction's).
    #[inline(always)]
    pub(crate) const fn with_kind_index(mut self, index: usize) -> Layout {
        self.head = (self.head & !0xff) | (index as u32 & 0xff);
        self
    }

    /// A layout of no kind, whose event is always the fallback of
    /// [`Layout::event`].
    const UNFIT: Layout = Layout::new(0xff);

    /// The layout of `event` in `base`.
    #[inline(always)]
    pub(crate) fn of<S: Side>(event: &S::Event<'_>, base: &[u8]) -> Option<Layout> {
        event.layout(base)
    }

    /// The event's kind.
    #[inline(always)]
    pub(crate) fn kind<S: Side>(self) -> S::Kind {
        S::Event::kind_of_layout(&self)
    }

    /// Static bytes equal to `bytes`, when `bytes` are the event's one
    /// shortest form (a field-less event as `{"event":"<name>"}`).
    #[inline(always)]
    pub(crate) fn canonical<S: Side>(self, bytes: &[u8]) -> Option<&'static [u8]> {
        let canonical = S::Event::shortest(self.kind::<S>())?;
        if canonical.len() != bytes.len() || self.parts != [NONE; MAX_FIELDS] {
            return None;
        }
        debug_assert_eq!(canonical, bytes);
        Some(canonical)
    }

    /// The layout and static bytes of an event that has no field, written
    /// the shortest way.
    ///
    /// `event` has no field: it is one that `Decode::unit_at` matched, so
    /// its layout is its kind's alone and need not be worked out field by
    /// field.
    #[inline(always)]
    pub(crate) fn shortest<S: Side>(event: &S::Event<'_>) -> Option<(Layout, &'static [u8])> {
        let kind = event.event_kind();
        let bytes = S::Event::shortest(kind)?;
        let layout = Layout::new(S::Event::kind_index(kind));
        debug_assert_eq!(event.layout(&[]), Some(layout));
        Some((layout, bytes))
    }

    /// The event, from its bytes.
    pub(crate) fn event<S: Side>(self, bytes: &[u8]) -> S::Event<'_> {
        S::Event::from_layout(&self, bytes)
            .unwrap_or_else(|| S::unknown(Text::from_token("\""), Raw::from_lexed("null", true)))
    }
}

/// An event that owns its bytes: `Send + Sync + 'static`, cheap to clone
/// (a reference count), and zero-copy out of a stream buffer. `S` is the
/// [`Side`] that sends it: a [`ClientEvent`] by default, or a
/// [`ServerEvent`] as `OwnedEvent<Server>`.
///
/// It holds the event's JSON bytes, exactly as they arrived, and the layout
/// the decoder found (where each field lies), so [`OwnedEvent::event`]
/// gives the borrowed event back without parsing again.
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
///     let ClientEvent::Message { msg_id, msg, .. } = copy.event() else { unreachable!() };
///     assert_eq!(msg_id.as_u64(), Some(7));
///     assert!(msg == "hi");
/// })
/// .join()
/// .unwrap();
/// assert_eq!(owned.as_bytes(), br#"{"event":"chat_session_message","msg_id":7,"msg":"hi"}"#);
/// # Ok::<(), chatwire::Error>(())
/// ```
///
/// The server's events, the same way:
///
/// ```
/// use bytes::Bytes;
/// use chatwire::{OwnedEvent, Server, ServerEvent, ServerKind};
///
/// let owned = OwnedEvent::<Server>::from_bytes(Bytes::from_static(
///     br#"{"event":"chat_session_status","state":"queued","ewt":"30"}"#,
/// ))?;
/// assert_eq!(owned.kind(), ServerKind::Status);
/// let ServerEvent::Status { state, ewt, .. } = owned.event() else { unreachable!() };
/// assert!(state == "queued" && ewt.is_some());
/// assert_eq!(OwnedEvent::from_event(&ServerEvent::Ended).as_bytes(), br#"{"event":"chat_session_ended"}"#);
/// # Ok::<(), chatwire::Error>(())
/// ```
pub struct OwnedEvent<S: Side = Client> {
    bytes: Bytes,
    layout: Layout,
    side: PhantomData<S>,
}

impl OwnedEvent {
    /// Decodes the one client event that makes up `bytes` (whitespace
    /// around it allowed), keeping a zero-copy slice of `bytes`:
    /// [`OwnedEvent::from_bytes`] for client events.
    ///
    /// Errors are those of [`crate::from_slice`]. An event of 4 GiB or more
    /// is not supported: it is reported as [`ErrorKind::UnexpectedEof`] at
    /// byte 4 GiB - 1.
    pub fn decode(bytes: Bytes) -> Result<OwnedEvent, Error> {
        OwnedEvent::from_bytes(bytes)
    }
}

impl<S: Side> OwnedEvent<S> {
    #[inline(always)]
    pub(crate) fn from_parts(bytes: Bytes, layout: Layout) -> Self {
        OwnedEvent {
            bytes,
            layout,
            side: PhantomData,
        }
    }

    /// Decodes the one event of side `S` that makes up `bytes` (whitespace
    /// around it allowed), keeping a zero-copy slice of `bytes`.
    ///
    /// Errors are those of [`crate::from_slice`] (and
    /// [`ServerEvent::from_slice`]). An event of 4 GiB or more is not
    /// supported: it is reported as [`ErrorKind::UnexpectedEof`] at byte
    /// 4 GiB - 1.
    pub fn from_bytes(bytes: Bytes) -> Result<Self, Error> {
        const MAX: usize = u32::MAX as usize;
        let input = &bytes[..bytes.len().min(MAX)];
        let (event, used) = match parse_as::<S::Event<'_>>(input)? {
            Status::Complete(done) => done,
            Status::Partial => return Err(Error::new(ErrorKind::UnexpectedEof, input.len())),
        };
        let mut cursor = Cursor::at(&bytes, used);
        cursor.skip_ws();
        if cursor.pos() != bytes.len() {
            return Err(Error::new(ErrorKind::TrailingCharacters, cursor.pos()));
        }
        let start = used - event_len(input, used);
        let layout = Layout::of::<S>(&event, &input[start..used])
            .ok_or(Error::new(ErrorKind::UnexpectedEof, input.len()))?;
        Ok(OwnedEvent::from_parts(bytes.slice(start..used), layout))
    }

    /// An owned copy of a borrowed event, written compactly (as
    /// [`ClientEvent::write_to_vec`] writes it) into new bytes. Its side is
    /// the event's.
    ///
    /// ```
    /// let owned = chatwire::OwnedEvent::from_event(&chatwire::ClientEvent::End);
    /// assert_eq!(owned.as_bytes(), br#"{"event":"chat_session_end"}"#);
    /// ```
    pub fn from_event<E: Event<Side = S>>(event: &E) -> Self {
        let bytes = Bytes::from(crate::write::to_vec(event));
        // The writer's output decodes to the same event; should it ever
        // not, the owned event is an unknown one, rather than a panic.
        OwnedEvent::from_bytes(bytes)
            .unwrap_or_else(|_| OwnedEvent::from_parts(Bytes::new(), Layout::UNFIT))
    }

    /// The borrowed view of the event, rebuilt from the stored layout
    /// without parsing (nor checking again that the fields are UTF-8, which
    /// the decoder ensured).
    #[inline]
    pub fn event(&self) -> S::Event<'_> {
        self.layout.event::<S>(&self.bytes)
    }

    /// The event's kind.
    pub fn kind(&self) -> S::Kind {
        self.layout.kind::<S>()
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

impl<S: Side> Clone for OwnedEvent<S> {
    fn clone(&self) -> Self {
        OwnedEvent::from_parts(self.bytes.clone(), self.layout)
    }
}

impl<S: Side> PartialEq for OwnedEvent<S> {
    fn eq(&self, other: &Self) -> bool {
        self.event() == other.event()
    }
}

impl<S: Side> Eq for OwnedEvent<S> {}

impl PartialEq<ClientEvent<'_>> for OwnedEvent<Client> {
    fn eq(&self, other: &ClientEvent<'_>) -> bool {
        self.event() == *other
    }
}

impl PartialEq<ServerEvent<'_>> for OwnedEvent<Server> {
    fn eq(&self, other: &ServerEvent<'_>) -> bool {
        self.event() == *other
    }
}

impl PartialEq<HistoryEvent<'_>> for OwnedEvent<History> {
    fn eq(&self, other: &HistoryEvent<'_>) -> bool {
        self.event() == *other
    }
}

impl<S: Side> fmt::Debug for OwnedEvent<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.event(), f)
    }
}

impl<'a> From<&'a OwnedEvent<Client>> for ClientEvent<'a> {
    fn from(owned: &'a OwnedEvent<Client>) -> Self {
        owned.event()
    }
}

impl<'a> From<&'a OwnedEvent<Server>> for ServerEvent<'a> {
    fn from(owned: &'a OwnedEvent<Server>) -> Self {
        owned.event()
    }
}

impl<'a> From<&'a OwnedEvent<History>> for HistoryEvent<'a> {
    fn from(owned: &'a OwnedEvent<History>) -> Self {
        owned.event()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::protocol::{EventKind, ServerKind};

    #[test]
    fn layout_keeps_every_kind() {
        for &kind in EventKind::ALL {
            assert_eq!(Layout::new(kind.index()).kind::<Client>(), kind);
        }
        for &kind in ServerKind::ALL {
            assert_eq!(Layout::new(kind.index()).kind::<Server>(), kind);
        }
        assert_eq!(Layout::UNFIT.kind::<Server>(), ServerKind::Unknown);
    }

    #[test]
    fn an_unfit_layout_gives_an_unknown_event() {
        let event = Layout::UNFIT.event::<Server>(b"{}");
        assert_eq!(event.kind(), ServerKind::Unknown);
        assert_eq!(
            Layout::UNFIT.event::<Client>(b"").kind(),
            EventKind::Unknown
        );
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
            let layout = Layout::of::<Client>(&event, line).unwrap();
            assert_eq!(layout.canonical::<Client>(line), Some(line));
        }
        for line in [
            &br#"{"event":"chat_session_typing"}"#[..],
            br#"{"event":"chat_session_ended"}"#,
            br#"{"event":"chat_session_case_set"}"#,
        ] {
            let event = crate::ServerEvent::from_slice(line).unwrap();
            let layout = Layout::of::<Server>(&event, line).unwrap();
            assert_eq!(layout.canonical::<Server>(line), Some(line));
        }
        let spaced = br#"{"event": "chat_session_end"}"#;
        let event = crate::from_slice(spaced).unwrap();
        assert_eq!(
            Layout::of::<Client>(&event, spaced)
                .unwrap()
                .canonical::<Client>(spaced),
            None
        );
    }
}
