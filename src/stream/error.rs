//! Errors of the stream decoders: what went wrong, in which unit, and where.

use core::fmt;

use crate::error::ErrorKind;

/// What went wrong in a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamErrorKind {
    /// The unit (NDJSON line, envelope element, value) is not a valid event:
    /// the decoder's error. It was skipped; the stream goes on with the next
    /// unit.
    Event(ErrorKind),
    /// The unit is longer than [`crate::stream::Config::max_event_len`]. It
    /// was skipped without being buffered.
    TooLarge,
    /// The input (or, for NDJSON, the line) ended inside an event or an
    /// envelope. The offset is where it ended.
    Truncated,
    /// The structure of the stream is broken (an envelope whose tokens are
    /// wrong, a value whose strings and brackets cannot be followed): the
    /// decoder skipped to the next line that begins with `{`. The kind is
    /// the JSON syntax error found.
    Framing(ErrorKind),
    /// The envelope's own JSON is invalid where its structure could still be
    /// followed (an invalid member value or key, a trailing comma), so the
    /// envelope goes on.
    Envelope(ErrorKind),
    /// An envelope has no `"events"` key (nor an `"event"` key, which is
    /// [`StreamErrorKind::EventKeyInEnvelope`]).
    MissingEvents,
    /// An envelope's `"events"` value is not an array; it was skipped.
    EventsNotArray,
    /// An envelope holds an `"event"` key, as an event does: the object was
    /// an event, not an envelope. This happens when [`Framing::Auto`]
    /// meets an event whose first member is an `"events"` array (it decides
    /// on envelopes there, by its rule 2), or when an explicit envelope
    /// framing is given events. The offset is the key's; its value was
    /// skipped, and the envelope goes on. An object so reported is not
    /// also reported as [`StreamErrorKind::MissingEvents`].
    ///
    /// [`Framing::Auto`]: crate::stream::Framing::Auto
    EventKeyInEnvelope,
}

impl StreamErrorKind {
    /// The decoder's error kind, for [`StreamErrorKind::Event`],
    /// [`StreamErrorKind::Framing`] and [`StreamErrorKind::Envelope`].
    pub const fn error_kind(self) -> Option<ErrorKind> {
        match self {
            StreamErrorKind::Event(k)
            | StreamErrorKind::Framing(k)
            | StreamErrorKind::Envelope(k) => Some(k),
            _ => None,
        }
    }

    /// Whether the decoder skipped input to resynchronise (the structure was
    /// broken), as opposed to skipping exactly the bad unit.
    pub const fn resynchronised(self) -> bool {
        matches!(self, StreamErrorKind::Framing(_))
    }
}

impl fmt::Display for StreamErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamErrorKind::Event(kind) => write!(f, "invalid event: {kind}"),
            StreamErrorKind::TooLarge => f.write_str("event larger than the size limit"),
            StreamErrorKind::Truncated => f.write_str("input ends inside the event"),
            StreamErrorKind::Framing(kind) => {
                write!(
                    f,
                    "broken stream structure ({kind}), skipped to the next line starting with `{{`"
                )
            }
            StreamErrorKind::Envelope(kind) => write!(f, "invalid envelope: {kind}"),
            StreamErrorKind::MissingEvents => f.write_str("envelope without an `events` key"),
            StreamErrorKind::EventsNotArray => f.write_str("envelope `events` is not an array"),
            StreamErrorKind::EventKeyInEnvelope => {
                f.write_str("envelope holds an `event` key: it is an event, not an envelope")
            }
        }
    }
}

/// The unit of a stream an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unit {
    /// An NDJSON line, numbered from 1.
    Line(u64),
    /// An element of an envelope's `"events"` array: the envelope's index in
    /// the stream and the element's index in the array, both from 0.
    Element {
        /// The envelope, from 0.
        envelope: u64,
        /// The element in its envelope's array, from 0.
        index: u64,
    },
    /// An envelope's own structure (outside its elements), from 0.
    Envelope(u64),
    /// A value of a [`crate::stream::Framing::Concatenated`] stream, from 0.
    Value(u64),
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Line(n) => write!(f, "line {n}"),
            Unit::Element { envelope, index } => {
                write!(f, "element {index} of envelope {envelope}")
            }
            Unit::Envelope(n) => write!(f, "envelope {n}"),
            Unit::Value(n) => write!(f, "value {n}"),
        }
    }
}

/// An error in a stream: what, in which unit, and where.
///
/// The offset counts bytes from the start of the whole stream (across every
/// chunk fed to a [`crate::stream::Decoder`]). Line and column count from 1;
/// the column counts bytes, as [`crate::Position`] does.
///
/// ```
/// use chatwire::stream::{self, StreamErrorKind, Unit};
/// use chatwire::{ErrorKind, Field};
///
/// let input = b"{\"event\":\"chat_session_end\"}\n{\"event\":\"chat_session_message\",\"msg\":\"hi\"}\n";
/// let mut items = stream::events(input);
/// assert!(items.next().unwrap().is_ok());
/// let err = items.next().unwrap().unwrap_err();
/// assert_eq!(err.kind(), StreamErrorKind::Event(ErrorKind::MissingField(Field::MsgId)));
/// assert_eq!(err.unit(), Unit::Line(2));
/// assert_eq!((err.offset(), err.line(), err.column()), (71, 2, 43));
/// assert_eq!(
///     err.to_string(),
///     "invalid event: missing field `msg_id` in line 2, at byte 71 (line 2, column 43)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamError {
    pub(crate) kind: StreamErrorKind,
    pub(crate) unit: Unit,
    pub(crate) offset: u64,
    pub(crate) line: u64,
    pub(crate) column: u64,
}

impl StreamError {
    /// What went wrong.
    pub const fn kind(&self) -> StreamErrorKind {
        self.kind
    }

    /// The unit the error belongs to.
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// The byte offset in the whole stream where the problem was found.
    pub const fn offset(&self) -> u64 {
        self.offset
    }

    /// The line of [`StreamError::offset`], from 1.
    pub const fn line(&self) -> u64 {
        self.line
    }

    /// The column of [`StreamError::offset`] in bytes, from 1.
    pub const fn column(&self) -> u64 {
        self.column
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.unit) {
            (StreamErrorKind::Truncated, Unit::Line(_)) => {
                f.write_str("the line ends inside the event")?
            }
            (StreamErrorKind::Truncated, Unit::Envelope(_)) => {
                f.write_str("input ends inside the envelope")?
            }
            (kind, _) => write!(f, "{kind}")?,
        }
        write!(
            f,
            " in {}, at byte {} (line {}, column {})",
            self.unit, self.offset, self.line, self.column
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for StreamError {}
