//! The data model: [`ClientEvent`] and its kinds. It knows nothing of parsing
//! or writing.

use core::fmt;

use crate::raw::{FormFields, Raw};
use crate::text::{Id, Text};

/// `file_type` of a `chat_session_file` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// `"image"`
    Image,
    /// `"attachment"`
    Attachment,
}

impl FileType {
    /// The value as it appears in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            FileType::Image => "image",
            FileType::Attachment => "attachment",
        }
    }
}

/// The kind of a [`ClientEvent`], without its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// `chat_session_message`
    Message,
    /// `chat_session_typing`
    Typing,
    /// `chat_session_not_typing`
    NotTyping,
    /// `chat_session_form_data`
    FormData,
    /// `chat_session_end`
    End,
    /// `chat_session_disconnect`
    Disconnect,
    /// `chat_session_signaling`
    Signaling,
    /// `chat_session_file`
    File,
    /// An event name chatwire does not know.
    Unknown,
}

impl EventKind {
    /// Every kind, in the spec's order, [`EventKind::Unknown`] last.
    pub const ALL: [EventKind; 9] = [
        EventKind::Message,
        EventKind::Typing,
        EventKind::NotTyping,
        EventKind::FormData,
        EventKind::End,
        EventKind::Disconnect,
        EventKind::Signaling,
        EventKind::File,
        EventKind::Unknown,
    ];

    /// The `"event"` value of a known kind; `"unknown"` for
    /// [`EventKind::Unknown`].
    ///
    /// ```
    /// assert_eq!(chatwire::EventKind::NotTyping.name(), "chat_session_not_typing");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::Message => "chat_session_message",
            EventKind::Typing => "chat_session_typing",
            EventKind::NotTyping => "chat_session_not_typing",
            EventKind::FormData => "chat_session_form_data",
            EventKind::End => "chat_session_end",
            EventKind::Disconnect => "chat_session_disconnect",
            EventKind::Signaling => "chat_session_signaling",
            EventKind::File => "chat_session_file",
            EventKind::Unknown => "unknown",
        }
    }

    /// The known kind named `name` (the unescaped `"event"` value).
    ///
    /// ```
    /// use chatwire::EventKind;
    /// assert_eq!(EventKind::from_name("chat_session_end"), Some(EventKind::End));
    /// assert_eq!(EventKind::from_name("chat_session_message_read"), None);
    /// ```
    #[inline]
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::from_name_bytes(name.as_bytes())
    }

    /// [`EventKind::from_name`] on bytes.
    #[inline]
    pub(crate) fn from_name_bytes(name: &[u8]) -> Option<EventKind> {
        let suffix = name.strip_prefix(b"chat_session_")?;
        Some(match suffix {
            b"message" => EventKind::Message,
            b"typing" => EventKind::Typing,
            b"not_typing" => EventKind::NotTyping,
            b"form_data" => EventKind::FormData,
            b"end" => EventKind::End,
            b"disconnect" => EventKind::Disconnect,
            b"signaling" => EventKind::Signaling,
            b"file" => EventKind::File,
            _ => return None,
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A client event of the Mobile/Web API, borrowed from the bytes it was
/// decoded from.
///
/// It owns nothing on the heap: every field is a slice of the input
/// ([`Text`], [`Id`], [`Raw`], [`FormFields`]). On 64-bit targets it is 56
/// bytes (a test asserts at most 64).
///
/// Fields the spec does not list (`party_id`, `timestamp`, ...) are
/// validated and skipped. An event whose name chatwire does not know is kept
/// whole as [`ClientEvent::Unknown`], so a server can log or forward it.
///
/// ```
/// use chatwire::ClientEvent;
///
/// let input = br#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello"}"#;
/// match chatwire::from_slice(input)? {
///     ClientEvent::Message { msg_id, msg } => {
///         assert!(msg_id == "4f1c2a:7");
///         assert_eq!(msg.as_str(), Some("Hello"));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// `chat_session_message`: a new chat message.
    Message {
        /// Unique per message; `<chatId>:<n>` in the spec, often a UUID.
        msg_id: Id<'a>,
        /// The text.
        msg: Text<'a>,
    },
    /// `chat_session_typing`: the user started typing.
    Typing,
    /// `chat_session_not_typing`: the user stopped typing.
    NotTyping,
    /// `chat_session_form_data`: answers a server's `chat_session_form_show`.
    FormData {
        /// The id from the `chat_session_form_show` event.
        form_request_id: Id<'a>,
        /// The form's name.
        form_name: Text<'a>,
        /// The form's fields, an object.
        data: FormFields<'a>,
    },
    /// `chat_session_end`: ends the chat session.
    End,
    /// `chat_session_disconnect`: ends the conversation, keeps the session.
    Disconnect,
    /// `chat_session_signaling`: WebRTC signaling addressed to a party.
    Signaling {
        /// The message id.
        msg_id: Id<'a>,
        /// The agent's party id.
        destination_party_id: Id<'a>,
        /// The signaling payload: a string in the spec, an object (an SDP
        /// offer, an ICE candidate) in the field; any JSON value is kept.
        data: Raw<'a>,
    },
    /// `chat_session_file`: the client uploaded a file.
    File {
        /// The message id.
        msg_id: Id<'a>,
        /// `image` or `attachment`.
        file_type: FileType,
        /// Names the upload.
        file_id: Id<'a>,
    },
    /// An event whose name chatwire does not know (a later API version's,
    /// say), kept whole.
    Unknown {
        /// The `"event"` value.
        name: Text<'a>,
        /// The whole event object, as it came.
        raw: Raw<'a>,
    },
}

impl<'a> ClientEvent<'a> {
    /// The event's kind.
    pub const fn kind(&self) -> EventKind {
        match self {
            ClientEvent::Message { .. } => EventKind::Message,
            ClientEvent::Typing => EventKind::Typing,
            ClientEvent::NotTyping => EventKind::NotTyping,
            ClientEvent::FormData { .. } => EventKind::FormData,
            ClientEvent::End => EventKind::End,
            ClientEvent::Disconnect => EventKind::Disconnect,
            ClientEvent::Signaling { .. } => EventKind::Signaling,
            ClientEvent::File { .. } => EventKind::File,
            ClientEvent::Unknown { .. } => EventKind::Unknown,
        }
    }
}
