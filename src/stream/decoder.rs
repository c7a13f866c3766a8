//! The incremental decoder over a `BytesMut` that chunks are appended to.

use bytes::{Buf, BytesMut};

use super::core::{Core, Step};
use super::{Config, Framing, StreamError};
use crate::owned::{Layout, OwnedEvent};

/// An incremental decoder: append chunks of any size to a [`BytesMut`] and
/// call [`Decoder::decode`] until it returns `None`; call
/// [`Decoder::decode_eof`] when the input has ended.
///
/// Each event is yielded as soon as its last byte has arrived (for NDJSON,
/// its line feed; with [`Framing::Auto`], the first event waits for the
/// byte after it), as an [`OwnedEvent`] split out of the buffer without
/// copying. Consumed and skipped bytes are dropped from the front of the
/// buffer as they are passed, so the buffer holds at most about one event
/// (bounded by [`Config::max_event_len`]) plus the last chunk.
///
/// An event that straddles chunks is not decoded again on every chunk: a
/// resumable boundary scan looks at each new byte once until the event's end
/// has arrived, and the event is then decoded once. Each byte is examined a
/// small constant number of times however the input is chunked.
///
/// This is the engine of the tokio codec (`chatwire::codec`, feature
/// `tokio`), and yields exactly what [`super::events`] yields over the
/// whole input.
///
/// ```
/// use bytes::BytesMut;
/// use chatwire::{ClientEvent, stream::{Decoder, Framing}};
///
/// let mut decoder = Decoder::new(Framing::Ndjson);
/// let mut buf = BytesMut::new();
/// buf.extend_from_slice(b"{\"event\":\"chat_session_typ");
/// assert!(decoder.decode(&mut buf).is_none());
/// buf.extend_from_slice(b"ing\"}\n{\"event\":");
/// let typing = decoder.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(typing.event(), ClientEvent::Typing);
/// assert!(decoder.decode(&mut buf).is_none());
/// assert_eq!(&buf[..], b"{\"event\":");
/// // The input ends inside an event: reported once.
/// let err = decoder.decode_eof(&mut buf).unwrap().unwrap_err();
/// assert_eq!(err.offset(), 41);
/// assert!(decoder.decode_eof(&mut buf).is_none());
/// assert!(buf.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Decoder {
    core: Core,
}

/// Bytes a [`Decoder`] has examined, for tests of its complexity.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Examined by boundary scans, line-feed searches and whitespace skips.
    pub scanned: u64,
    /// Handed to the event decoder.
    pub parsed: u64,
    /// Counted for line numbers as they were dropped.
    pub counted: u64,
}

impl ScanStats {
    /// All bytes examined.
    pub fn total(&self) -> u64 {
        self.scanned + self.parsed + self.counted
    }
}

impl Decoder {
    /// A decoder for `framing`, with the default [`Config`].
    pub fn new(framing: Framing) -> Self {
        Decoder::with_config(framing, Config::new())
    }

    /// A decoder for `framing`, with `config`.
    pub fn with_config(framing: Framing, config: Config) -> Self {
        Decoder {
            core: Core::new(framing, config),
        }
    }

    /// The framing in use: the one asked for, or the one [`Framing::Auto`]
    /// detected (`Auto` until then).
    pub fn framing(&self) -> Framing {
        self.core.framing()
    }

    /// The stream offset of `buf[0]`: how many bytes have been consumed and
    /// dropped from the buffer.
    pub fn offset(&self) -> u64 {
        self.core.offset()
    }

    /// Bytes examined so far.
    #[doc(hidden)]
    pub fn stats(&self) -> ScanStats {
        let s = self.core.stats();
        ScanStats {
            scanned: s.scanned,
            parsed: s.parsed,
            counted: s.counted,
        }
    }

    /// The next event or error from `buf`, or `None` when more input is
    /// needed. Consumed bytes are removed from the front of `buf`.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<Result<OwnedEvent, StreamError>> {
        self.run(buf, false)
    }

    /// Like [`Decoder::decode`], at the end of the input: what is left is
    /// decoded as complete, a final event cut short is reported once (as
    /// [`super::StreamErrorKind::Truncated`]), and then `None` is returned
    /// with `buf` empty.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Option<Result<OwnedEvent, StreamError>> {
        self.run(buf, true)
    }

    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Option<Result<OwnedEvent, StreamError>> {
        let (item, start, end) = match self.core.step(&buf[..], eof) {
            Step::Event(event, start, end) => {
                // The event borrows `buf[start..end]`; its layout does not.
                let layout = Layout::of(&event, &buf[start..end]);
                (layout.map(Ok), start, end)
            }
            Step::Error(e) => (Some(Err(e)), 0, 0),
            Step::Pending | Step::Done => (None, 0, 0),
        };
        let consumed = self.core.release(&buf[..]);
        match item {
            Some(Ok(layout)) => {
                buf.advance(start);
                let bytes = buf.split_to(end - start).freeze();
                buf.advance(consumed - end);
                Some(Ok(OwnedEvent::from_parts(bytes, layout)))
            }
            // The event's fields always lie in its bytes; should they not,
            // decode them again rather than lose the event.
            None if end > start => {
                buf.advance(start);
                let bytes = buf.split_to(end - start).freeze();
                buf.advance(consumed - end);
                OwnedEvent::decode(bytes).ok().map(Ok)
            }
            Some(Err(e)) => {
                buf.advance(consumed);
                Some(Err(e))
            }
            None => {
                buf.advance(consumed);
                None
            }
        }
    }
}
