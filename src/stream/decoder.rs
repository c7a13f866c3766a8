//! The incremental decoder over a `BytesMut` that chunks are appended to.

use core::marker::PhantomData;

use bytes::{Buf, Bytes, BytesMut};

use super::core::{Core, Fast, Step};
use super::{Config, Framing, StreamError};
use crate::owned::{Layout, OwnedEvent};
use crate::side::{Client, Side};

/// An incremental decoder: append chunks of any size to a [`BytesMut`] and
/// call [`Decoder::decode`] until it returns `None`; call
/// [`Decoder::decode_eof`] when the input has ended.
///
/// It decodes the events of one [`Side`]: a client's by default
/// ([`Decoder::new`]), the server's as `Decoder<Server>`, or a history's
/// as `Decoder<History>` (made with [`Decoder::with`] or [`Default`]).
///
/// Each event is yielded as soon as its last byte has arrived (for NDJSON,
/// its line feed; with [`Framing::Auto`], the first event waits for the
/// byte after it), as an [`OwnedEvent`] split out of the buffer without
/// copying. Consumed and skipped bytes are dropped from the front of the
/// buffer as they are passed, so the buffer holds at most about one event
/// (bounded by [`Config::max_event_len`]) plus the last chunk. An event
/// without fields written the one shortest way
/// (`{"event":"chat_session_typing"}` and the like) gets static bytes, equal
/// to its own, and leaves the buffer alone: its bytes are dropped with the
/// next event split out, error, or `None`. Whenever `decode` returns `None`,
/// `buf` holds exactly the bytes not consumed yet.
///
/// [`Decoder::decode_borrowed`] yields the same items with the events
/// borrowed from the buffer instead, leaving the buffer alone until
/// [`Decoder::release`]; released before each chunk is appended, the buffer
/// is bounded the same way.
///
/// Complete events are decoded in place, as by the slice iterator. An event
/// that straddles chunks is not decoded again on every chunk: an NDJSON
/// line waits for its line feed (found looking at each new byte once), an
/// object for a `}` and for the bytes at hand to double, or else a
/// resumable boundary scan follows it to its end, before it is decoded.
/// Each byte is examined a small constant number of times however the input
/// is chunked.
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
/// assert_eq!(typing.event(), ClientEvent::Typing { msg: None });
/// assert!(decoder.decode(&mut buf).is_none());
/// assert_eq!(&buf[..], b"{\"event\":");
/// // The input ends inside an event: reported once.
/// let err = decoder.decode_eof(&mut buf).unwrap().unwrap_err();
/// assert_eq!(err.offset(), 41);
/// assert!(decoder.decode_eof(&mut buf).is_none());
/// assert!(buf.is_empty());
/// ```
///
/// The server's events, the same way:
///
/// ```
/// use bytes::BytesMut;
/// use chatwire::stream::{Config, Decoder, Framing};
/// use chatwire::{Server, ServerEvent};
///
/// let mut decoder = Decoder::<Server>::with(Framing::Envelope, Config::new());
/// let mut buf = BytesMut::from(&br#"{"events":[{"event":"chat_session_ended"}"#[..]);
/// assert_eq!(decoder.decode(&mut buf).unwrap()?.event(), ServerEvent::Ended);
/// # Ok::<(), chatwire::stream::StreamError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Decoder<S: Side = Client> {
    core: Core,
    side: PhantomData<S>,
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
    /// A decoder of client events for `framing`, with the default
    /// [`Config`].
    pub fn new(framing: Framing) -> Self {
        Decoder::with_config(framing, Config::new())
    }

    /// A decoder of client events for `framing`, with `config`:
    /// [`Decoder::with`] for client events.
    pub fn with_config(framing: Framing, config: Config) -> Self {
        Decoder::with(framing, config)
    }
}

impl<S: Side> Default for Decoder<S> {
    /// [`Framing::Auto`] with the default [`Config`].
    fn default() -> Self {
        Decoder::with(Framing::Auto, Config::new())
    }
}

impl<S: Side> Decoder<S> {
    /// A decoder of the events of side `S` for `framing`, with `config`.
    pub fn with(framing: Framing, config: Config) -> Self {
        Decoder {
            core: Core::new(framing, config, true),
            side: PhantomData,
        }
    }

    /// The framing in use: the one asked for, or the one [`Framing::Auto`]
    /// detected (`Auto` until then).
    pub fn framing(&self) -> Framing {
        self.core.framing()
    }

    /// The stream offset of `buf[0]`: how many bytes have been consumed and
    /// dropped from the buffer (after `None`, all those consumed).
    pub fn offset(&self) -> u64 {
        self.core.base()
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
    /// needed. Consumed bytes are removed from the front of `buf` (see the
    /// type's documentation for when).
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<Result<OwnedEvent<S>, StreamError>> {
        self.run(buf, false)
    }

    /// Like [`Decoder::decode`], at the end of the input: what is left is
    /// decoded as complete, a final event cut short is reported once (as
    /// [`super::StreamErrorKind::Truncated`]), and then `None` is returned
    /// with `buf` empty.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Option<Result<OwnedEvent<S>, StreamError>> {
        self.run(buf, true)
    }

    /// Like [`Decoder::decode`], but the event borrows from `buf`, as the
    /// slice iterator's do: no reference counts, nothing copied, whatever
    /// the event. `buf` is not touched; the bytes consumed stay in it until
    /// [`Decoder::release`] drops them, which callers do before appending
    /// the next chunk (or never, keeping the whole input).
    ///
    /// `buf` is the buffer as it stands: the bytes the decoder has seen,
    /// followed by any appended since. Between calls it may only grow at
    /// the back or be released; given anything else, the decoder yields
    /// wrong items, never a panic. Calls of [`Decoder::decode`] and of this
    /// may be mixed on one buffer.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use chatwire::{ClientEvent, stream::{Decoder, Framing}};
    ///
    /// let mut decoder = Decoder::new(Framing::Ndjson);
    /// let mut buf = BytesMut::new();
    /// let mut msgs = Vec::new();
    /// for chunk in [&b"{\"event\":\"chat_session_message\",\"msg_id\":\"1\",\"ms"[..], b"g\":\"hi\"}\n"] {
    ///     decoder.release(&mut buf);
    ///     buf.extend_from_slice(chunk);
    ///     while let Some(item) = decoder.decode_borrowed(&buf) {
    ///         if let ClientEvent::Message { msg, .. } = item? {
    ///             msgs.push(msg.to_string());
    ///         }
    ///     }
    /// }
    /// assert_eq!(msgs, ["hi"]);
    /// assert!(decoder.decode_borrowed_eof(&buf).is_none());
    /// decoder.release(&mut buf);
    /// assert!(buf.is_empty());
    /// # Ok::<(), chatwire::stream::StreamError>(())
    /// ```
    #[inline]
    pub fn decode_borrowed<'b>(
        &mut self,
        buf: &'b [u8],
    ) -> Option<Result<S::Event<'b>, StreamError>> {
        self.run_borrowed(buf, false)
    }

    /// Like [`Decoder::decode_borrowed`], at the end of the input, as
    /// [`Decoder::decode_eof`]: after the last item, `None`, and
    /// [`Decoder::release`] then empties the buffer.
    pub fn decode_borrowed_eof<'b>(
        &mut self,
        buf: &'b [u8],
    ) -> Option<Result<S::Event<'b>, StreamError>> {
        self.run_borrowed(buf, true)
    }

    /// Drops the bytes consumed so far from the front of `buf` (after
    /// [`Decoder::decode_borrowed`]); returns how many. (Never more than
    /// `buf` holds, should its caller have cut it.)
    pub fn release(&mut self, buf: &mut BytesMut) -> usize {
        let consumed = self.core.release(&buf[..]).min(buf.len());
        buf.advance(consumed);
        consumed
    }

    #[inline(always)]
    fn run_borrowed<'b>(
        &mut self,
        buf: &'b [u8],
        eof: bool,
    ) -> Option<Result<S::Event<'b>, StreamError>> {
        match self.core.fast::<S, true>(buf, eof) {
            Fast::Event(event, _, _) => Some(Ok(event)),
            Fast::Unit(event, _, _) => Some(Ok(S::shorten(event))),
            Fast::Pending | Fast::Done => None,
            Fast::Slow => self.slow_borrowed(buf, eof),
        }
    }

    /// The general path of [`Decoder::decode_borrowed`].
    #[inline(never)]
    fn slow_borrowed<'b>(
        &mut self,
        buf: &'b [u8],
        eof: bool,
    ) -> Option<Result<S::Event<'b>, StreamError>> {
        match self.core.dispatch::<S>(buf, eof) {
            Step::Event(event, _, _) => Some(Ok(event)),
            Step::Error(e) => Some(Err(e)),
            Step::Pending | Step::Done => None,
        }
    }

    #[inline(always)]
    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Option<Result<OwnedEvent<S>, StreamError>> {
        // The fast path, apart: an event following the previous one. The
        // owned event is put together in one place, from its parts.
        let (bytes, layout) = match self.core.fast::<S, true>(&buf[..], eof) {
            Fast::Event(event, start, end) => match Layout::of::<S>(&event, &buf[start..end]) {
                Some(layout) => match layout.canonical::<S>(&buf[start..end]) {
                    // Static bytes: the buffer need not be touched now.
                    Some(bytes) => (Bytes::from_static(bytes), layout),
                    None => (self.split(buf, start, end), layout),
                },
                None => return self.redecode(buf, start, end),
            },
            // Static bytes, whatever the event: the buffer is not touched.
            Fast::Unit(event, start, end) => return self.unit(buf, &event, start, end),
            Fast::Pending | Fast::Done => return self.released(buf, None),
            Fast::Slow => return self.slow(buf, eof),
        };
        Some(Ok(OwnedEvent::from_parts(bytes, layout)))
    }

    /// The event without fields at `buf[start..end]`, written the one
    /// shortest way: static bytes, the buffer is not touched.
    #[inline(never)]
    fn unit(
        &mut self,
        buf: &mut BytesMut,
        event: &S::Event<'_>,
        start: usize,
        end: usize,
    ) -> Option<Result<OwnedEvent<S>, StreamError>> {
        match Layout::shortest::<S>(event) {
            Some((layout, bytes)) => {
                debug_assert_eq!(bytes, &buf[start..end]);
                Some(Ok(OwnedEvent::from_parts(
                    Bytes::from_static(bytes),
                    layout,
                )))
            }
            None => self.redecode(buf, start, end),
        }
    }

    /// The general path, after the fast one found no event.
    #[inline(never)]
    fn slow(
        &mut self,
        buf: &mut BytesMut,
        eof: bool,
    ) -> Option<Result<OwnedEvent<S>, StreamError>> {
        match self.core.dispatch::<S>(&buf[..], eof) {
            Step::Event(event, start, end) => match Layout::of::<S>(&event, &buf[start..end]) {
                Some(layout) => {
                    let bytes = match layout.canonical::<S>(&buf[start..end]) {
                        Some(bytes) => Bytes::from_static(bytes),
                        None => self.split(buf, start, end),
                    };
                    Some(Ok(OwnedEvent::from_parts(bytes, layout)))
                }
                None => self.redecode(buf, start, end),
            },
            Step::Error(e) => self.released(buf, Some(Err(e))),
            Step::Pending | Step::Done => self.released(buf, None),
        }
    }

    /// Drops the bytes consumed from `buf`, then hands out `item`.
    #[inline(never)]
    fn released(
        &mut self,
        buf: &mut BytesMut,
        item: Option<Result<OwnedEvent<S>, StreamError>>,
    ) -> Option<Result<OwnedEvent<S>, StreamError>> {
        self.release(buf);
        item
    }

    /// Splits the bytes of the event at `buf[start..end]` off the buffer,
    /// dropping those consumed before and after it.
    #[inline(never)]
    fn split(&mut self, buf: &mut BytesMut, start: usize, end: usize) -> Bytes {
        let consumed = self.core.release(&buf[..]);
        let mut bytes = buf.split_to(end).freeze();
        bytes.advance(start);
        buf.advance(consumed - end);
        bytes
    }

    /// The event at `buf[start..end]`, decoded again: its fields always lie
    /// in its bytes, so never, but should they not, the event is not lost.
    #[cold]
    fn redecode(
        &mut self,
        buf: &mut BytesMut,
        start: usize,
        end: usize,
    ) -> Option<Result<OwnedEvent<S>, StreamError>> {
        let bytes = self.split(buf, start, end);
        OwnedEvent::from_bytes(bytes).ok().map(Ok)
    }
}
