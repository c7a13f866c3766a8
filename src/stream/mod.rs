//! Streams of events: three framings, detection of which one a stream uses,
//! an iterator over a whole slice, an incremental decoder fed chunk by
//! chunk, and writers.
//!
//! # Framings
//!
//! - [`Framing::Ndjson`]: one event per line, lines ending in `\n` (a `\r`
//!   before it, and spaces or tabs around the event, are allowed); blank
//!   lines are skipped. A line is the unit: an event may not span lines.
//! - [`Framing::Envelope`]: the API envelope `{"events":[ ... ]}`, the body
//!   of the Send Events request and of the server's responses. Other
//!   top-level keys are allowed, validated and skipped. Several envelopes may
//!   follow one another, with whitespace between them.
//! - [`Framing::Concatenated`]: JSON values back to back, whitespace optional
//!   between them.
//! - [`Framing::Auto`] detects one of the three from the first bytes, once
//!   (see [`Framing::Auto`] for the rule).
//!
//! # Errors and recovery
//!
//! A bad event never ends a stream that can go on. Every problem is an item
//! of the stream, a [`StreamError`] that says what went wrong, in which
//! [`Unit`] (NDJSON line, envelope element, value) and where (byte offset in
//! the whole stream, line and column); the next item is the next good event.
//!
//! - **NDJSON**: a bad line is reported and the next line is read.
//! - **Envelopes and concatenated values**: the end of each value is found by
//!   following its structure (strings and brackets). A value whose structure
//!   can be followed but that is not a valid event (a well-formed object that
//!   is not an event, a value that is not an object, a bad literal or
//!   number) is reported and skipped, and the next element is read. When the
//!   structure cannot be followed (a line feed inside a string, a closing
//!   bracket of the wrong kind, a missing `,` between elements...), the
//!   error is a [`StreamErrorKind::Framing`] error and the decoder
//!   **resynchronises at the next line that begins with `{`** (in its first
//!   column), reading an envelope (or a value) from there. Envelopes written
//!   one per line, compact or pretty-printed with indented elements, resume
//!   at the next envelope.
//! - **Size limit**: an event (an NDJSON line, an envelope element, a value)
//!   longer than [`Config::max_event_len`] is reported once as
//!   [`StreamErrorKind::TooLarge`] and skipped: to the next line feed for
//!   NDJSON, to the end of the value (found by following its structure, or
//!   else at the next line that begins with `{`) for the other framings. The
//!   incremental [`Decoder`] drops skipped bytes as they arrive, so its
//!   buffer never holds much more than the limit.
//! - **The end of the input** inside an event or an envelope is reported
//!   once as [`StreamErrorKind::Truncated`].
//!
//! The slice iterator ([`events`]) and the incremental [`Decoder`] yield the
//! same events and the same errors, however the input is chunked; the
//! decoder's events are owned ([`Decoder::decode`]) or borrowed from its
//! buffer ([`Decoder::decode_borrowed`]).
//!
//! # Sides
//!
//! A stream holds the events of one [`Side`](crate::Side): a client's
//! ([`ClientEvent`](crate::ClientEvent)s, the default), the server's
//! ([`ServerEvent`](crate::ServerEvent)s), or a chat's history, both mixed
//! ([`HistoryEvent`](crate::HistoryEvent)s, each in its direction by its
//! name). [`events`], [`events_with`] and [`Decoder::new`] read client
//! events; [`Events::<Server>`](Events::new) and
//! [`Decoder::<Server>`](Decoder::with) read the server's, and
//! `Events::<History>` and `Decoder::<History>` a history; the writers
//! write any.
//!
//! ```
//! use chatwire::stream::{self, Events};
//! use chatwire::{Server, ServerEvent};
//!
//! let mut log = Vec::new();
//! stream::write_ndjson(&ServerEvent::Typing { party_id: None }, &mut log);
//! stream::write_ndjson(&ServerEvent::Ended, &mut log);
//! let events: Vec<_> = Events::<Server>::new(&log).collect::<Result<_, _>>()?;
//! assert_eq!(events, [ServerEvent::Typing { party_id: None }, ServerEvent::Ended]);
//! # Ok::<(), chatwire::stream::StreamError>(())
//! ```

mod core;
mod error;
mod slice;

#[cfg(feature = "alloc")]
mod decoder;
#[cfg(feature = "alloc")]
mod owned;
#[cfg(feature = "alloc")]
mod write;

#[cfg(any(test, all(target_arch = "x86_64", feature = "std")))]
pub(crate) use self::core::last_close_bytewise;
pub use self::error::{StreamError, StreamErrorKind, Unit};
pub use self::slice::{Events, events, events_with};

#[cfg(feature = "alloc")]
pub use self::decoder::{Decoder, ScanStats};
#[cfg(feature = "alloc")]
pub use self::owned::OwnedEvents;
#[cfg(feature = "alloc")]
pub use self::write::{EnvelopeWriter, write_envelope, write_ndjson};

/// How events are laid out in a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Framing {
    /// Detect the framing from the first bytes, once. The rule, on the
    /// stream with its leading whitespace skipped:
    ///
    /// 1. If it does not start with `{`, it is [`Framing::Ndjson`] (each
    ///    line is then reported as what it is).
    /// 2. If it starts `{ "events" : [` (whitespace allowed between the
    ///    tokens, the key unescaped), it is [`Framing::Envelope`], decided
    ///    as soon as those bytes arrive. (Should that object turn out to
    ///    hold an `"event"` key, an event written with an `"events"` array
    ///    first, the key is reported as
    ///    [`StreamErrorKind::EventKeyInEnvelope`].)
    /// 3. Otherwise the first value is followed to its end (its structure:
    ///    strings and brackets). If it cannot be (the input ends, the
    ///    structure breaks, or it is longer than the size limit), the stream
    ///    is [`Framing::Ndjson`].
    /// 4. If the first value is an object that holds a top-level `"events"`
    ///    key whose value is an array and no `"event"` key, it is
    ///    [`Framing::Envelope`].
    /// 5. If the first value spans lines, it is [`Framing::Concatenated`].
    /// 6. Otherwise the first byte after it other than a space, tab or
    ///    carriage return decides: `{` means [`Framing::Concatenated`]; a
    ///    line feed, the end of the input, or anything else means
    ///    [`Framing::Ndjson`].
    ///
    /// So with `Auto` the first event is delivered when the byte after it
    /// (or the end of the input) arrives. A peer that sends one compact
    /// event and then waits for an answer should be read with an explicit
    /// framing.
    #[default]
    Auto,
    /// Newline-delimited JSON: one event per line.
    Ndjson,
    /// `{"events":[ ... ]}` envelopes, one or several in a row.
    Envelope,
    /// JSON values back to back.
    Concatenated,
}

/// Limits on what a stream decoder accepts, with chained setters.
///
/// ```
/// use chatwire::stream::Config;
/// let config = Config::new().max_event_len(64 * 1024);
/// assert_eq!(config.event_limit(), 65536);
/// assert_eq!(Config::default().event_limit(), Config::DEFAULT_MAX_EVENT_LEN);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    max_event_len: usize,
}

impl Config {
    /// The default bound on one event's size: 1 MiB.
    pub const DEFAULT_MAX_EVENT_LEN: usize = 1 << 20;

    /// The largest bound that can be set: 4 GiB - 2 (events are stored with
    /// 32-bit offsets).
    pub const MAX_EVENT_LEN_LIMIT: usize = u32::MAX as usize - 1;

    /// The default limits.
    pub const fn new() -> Self {
        Config {
            max_event_len: Self::DEFAULT_MAX_EVENT_LEN,
        }
    }

    /// Sets the bound on one event's size in bytes: an NDJSON line (from its
    /// first byte other than whitespace, up to its line feed), an envelope
    /// element, or a value. Longer events are reported as
    /// [`StreamErrorKind::TooLarge`] and skipped. Values above
    /// [`Config::MAX_EVENT_LEN_LIMIT`] are clamped to it.
    pub const fn max_event_len(mut self, len: usize) -> Self {
        self.max_event_len = if len > Self::MAX_EVENT_LEN_LIMIT {
            Self::MAX_EVENT_LEN_LIMIT
        } else {
            len
        };
        self
    }

    /// The bound on one event's size in bytes.
    pub const fn event_limit(&self) -> usize {
        self.max_event_len
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}
