//! An event that owns its bytes: a [`Bytes`] plus the decoded layout.

use core::fmt;

use bytes::Bytes;

use crate::decode::{Status, parse};
use crate::error::{Error, ErrorKind};
use crate::event::{ClientEvent, EventKind, FileType};
use crate::raw::{FormFields, Raw};
use crate::scan::Cursor;
use crate::text::{Id, IdValue, Text};

/// Where one field's token lies in the event's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The span of `s`, which must lie inside `base`.
    fn of(s: &str, base: &[u8]) -> Option<Span> {
        let start = (s.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
        let end = start.checked_add(s.len())?;
        if end > base.len() {
            return None;
        }
        Some(Span {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }

    /// The span's text. The layout is only built from tokens the decoder
    /// validated, so the conversion succeeds; `fallback` keeps this total.
    fn get<'a>(self, bytes: &'a [u8], fallback: &'static str) -> &'a str {
        bytes
            .get(self.start as usize..self.end as usize)
            .and_then(|b| core::str::from_utf8(b).ok())
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

fn text_span(text: &Text<'_>, base: &[u8]) -> Option<Span> {
    Span::of(text.token(), base)
}

fn id_span(id: &Id<'_>, base: &[u8]) -> Option<Span> {
    match id.value() {
        IdValue::Str(text) => text_span(&text, base),
        IdValue::Int(digits) => Span::of(digits, base),
    }
}

/// The decoded layout of one event: its kind and where each field's token
/// lies in its bytes, so the borrowed view can be rebuilt without parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    Message {
        msg_id: Span,
        msg: Span,
    },
    Typing,
    NotTyping,
    FormData {
        form_request_id: Span,
        form_name: Span,
        data: Span,
        compact: bool,
    },
    End,
    Disconnect,
    Signaling {
        msg_id: Span,
        destination_party_id: Span,
        data: Span,
        compact: bool,
    },
    File {
        msg_id: Span,
        file_type: FileType,
        file_id: Span,
    },
    Unknown {
        name: Span,
        raw: Span,
        compact: bool,
    },
}

impl Layout {
    /// The layout of `event`, whose fields borrow `base`; `None` if one does
    /// not (or `base` is 4 GiB or more).
    pub(crate) fn of(event: &ClientEvent<'_>, base: &[u8]) -> Option<Layout> {
        Some(match event {
            ClientEvent::Message { msg_id, msg } => Layout::Message {
                msg_id: id_span(msg_id, base)?,
                msg: text_span(msg, base)?,
            },
            ClientEvent::Typing => Layout::Typing,
            ClientEvent::NotTyping => Layout::NotTyping,
            ClientEvent::FormData {
                form_request_id,
                form_name,
                data,
            } => Layout::FormData {
                form_request_id: id_span(form_request_id, base)?,
                form_name: text_span(form_name, base)?,
                data: Span::of(data.raw().get(), base)?,
                compact: data.raw().is_compact(),
            },
            ClientEvent::End => Layout::End,
            ClientEvent::Disconnect => Layout::Disconnect,
            ClientEvent::Signaling {
                msg_id,
                destination_party_id,
                data,
            } => Layout::Signaling {
                msg_id: id_span(msg_id, base)?,
                destination_party_id: id_span(destination_party_id, base)?,
                data: Span::of(data.get(), base)?,
                compact: data.is_compact(),
            },
            ClientEvent::File {
                msg_id,
                file_type,
                file_id,
            } => Layout::File {
                msg_id: id_span(msg_id, base)?,
                file_type: *file_type,
                file_id: id_span(file_id, base)?,
            },
            ClientEvent::Unknown { name, raw } => Layout::Unknown {
                name: text_span(name, base)?,
                raw: Span::of(raw.get(), base)?,
                compact: raw.is_compact(),
            },
        })
    }

    /// Rebuilds the borrowed event over `bytes`, the bytes the layout was
    /// taken from.
    pub(crate) fn event(self, bytes: &[u8]) -> ClientEvent<'_> {
        match self {
            Layout::Message { msg_id, msg } => ClientEvent::Message {
                msg_id: msg_id.id(bytes),
                msg: msg.text(bytes),
            },
            Layout::Typing => ClientEvent::Typing,
            Layout::NotTyping => ClientEvent::NotTyping,
            Layout::FormData {
                form_request_id,
                form_name,
                data,
                compact,
            } => {
                let raw = data.raw(bytes, compact);
                // `data` was an object when decoded, so this is `Some`.
                match FormFields::new(raw) {
                    Some(data) => ClientEvent::FormData {
                        form_request_id: form_request_id.id(bytes),
                        form_name: form_name.text(bytes),
                        data,
                    },
                    None => ClientEvent::Unknown {
                        name: Text::from_token("\""),
                        raw,
                    },
                }
            }
            Layout::End => ClientEvent::End,
            Layout::Disconnect => ClientEvent::Disconnect,
            Layout::Signaling {
                msg_id,
                destination_party_id,
                data,
                compact,
            } => ClientEvent::Signaling {
                msg_id: msg_id.id(bytes),
                destination_party_id: destination_party_id.id(bytes),
                data: data.raw(bytes, compact),
            },
            Layout::File {
                msg_id,
                file_type,
                file_id,
            } => ClientEvent::File {
                msg_id: msg_id.id(bytes),
                file_type,
                file_id: file_id.id(bytes),
            },
            Layout::Unknown { name, raw, compact } => ClientEvent::Unknown {
                name: name.text(bytes),
                raw: raw.raw(bytes, compact),
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
            layout: Layout::End,
        })
    }

    /// The borrowed view of the event, rebuilt from the stored layout
    /// without parsing (each field's bytes are checked to be UTF-8, which
    /// the decoder already ensured).
    #[inline]
    pub fn event(&self) -> ClientEvent<'_> {
        self.layout.event(&self.bytes)
    }

    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self.layout {
            Layout::Message { .. } => EventKind::Message,
            Layout::Typing => EventKind::Typing,
            Layout::NotTyping => EventKind::NotTyping,
            Layout::FormData { .. } => EventKind::FormData,
            Layout::End => EventKind::End,
            Layout::Disconnect => EventKind::Disconnect,
            Layout::Signaling { .. } => EventKind::Signaling,
            Layout::File { .. } => EventKind::File,
            Layout::Unknown { .. } => EventKind::Unknown,
        }
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
