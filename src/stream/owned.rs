//! The iterator over the events of a whole `Bytes`, each an owned event
//! that shares the buffer.

use core::iter::FusedIterator;
use core::marker::PhantomData;

use bytes::Bytes;

use super::core::{Core, Fast, Step};
use super::{Config, Framing, StreamError};
use crate::owned::{Layout, OwnedEvent};
use crate::side::{Client, Side};

/// The events of a complete stream held in a [`Bytes`] (an HTTP request
/// body, a message off a queue), each yielded as an [`OwnedEvent`] whose
/// bytes are a slice of that `Bytes`: no copy, no re-encoding.
///
/// It runs the engine of the slice iterator ([`super::Events`]) over the
/// whole input and yields the same events and errors, in the same order;
/// each event then owns its bytes, `Send + 'static`, as the incremental
/// [`super::Decoder`]'s do. Unlike the decoder, it needs no `BytesMut`:
/// turning a shared `Bytes` into one may copy it. As with the decoder, an
/// event without fields written the one shortest way
/// (`{"event":"chat_session_end"}` and the like) gets static bytes equal to
/// its own and does not hold on to the buffer.
///
/// An event keeps the whole buffer alive (a reference count) as long as it
/// lives: a server that keeps a few small events of a large body keeps the
/// body.
///
/// ```
/// use bytes::Bytes;
/// use chatwire::stream::{Config, Framing, OwnedEvents};
/// use chatwire::ClientEvent;
///
/// let body = Bytes::from_static(
///     br#"{"events":[{"event":"chat_session_message","msg_id":"1","msg":"hi"},{"event":"chat_session_end"}]}"#,
/// );
/// let mut events = OwnedEvents::with_config(body.clone(), Framing::Envelope, Config::new());
/// let message = events.next().unwrap()?;
/// assert_eq!(message.as_bytes(), br#"{"event":"chat_session_message","msg_id":"1","msg":"hi"}"#);
/// // The event's bytes lie in the body's buffer.
/// assert_eq!(message.as_bytes().as_ptr(), body[11..].as_ptr());
/// assert_eq!(events.next().unwrap()?.event(), ClientEvent::End);
/// assert!(events.next().is_none());
/// assert_eq!(events.envelopes(), 1);
/// # Ok::<(), chatwire::stream::StreamError>(())
/// ```
///
/// The server's events, the same way, as `OwnedEvents<Server>`:
///
/// ```
/// use bytes::Bytes;
/// use chatwire::stream::{Config, Framing, OwnedEvents};
/// use chatwire::{Server, ServerKind};
///
/// let body = Bytes::from_static(br#"{"events":[{"event":"chat_session_status","state":"queued"}]}"#);
/// let events = OwnedEvents::<Server>::with(body, Framing::Auto, Config::new());
/// let kinds: Vec<_> = events.map(|e| e.map(|e| e.kind())).collect();
/// assert_eq!(kinds, [Ok(ServerKind::Status)]);
/// ```
#[derive(Clone, Debug)]
pub struct OwnedEvents<S: Side = Client> {
    input: Bytes,
    core: Core,
    side: PhantomData<S>,
}

impl OwnedEvents {
    /// The client events of `input`, a complete stream in any framing
    /// ([`Framing::Auto`], default limits).
    pub fn new(input: Bytes) -> Self {
        OwnedEvents::with(input, Framing::Auto, Config::new())
    }

    /// The client events of `input` in the given framing, with the given
    /// limits: [`OwnedEvents::with`] for client events.
    pub fn with_config(input: Bytes, framing: Framing, config: Config) -> Self {
        OwnedEvents::with(input, framing, config)
    }
}

impl<S: Side> OwnedEvents<S> {
    /// The events of side `S` in `input`, a complete stream, in the given
    /// framing, with the given limits.
    pub fn with(input: Bytes, framing: Framing, config: Config) -> Self {
        OwnedEvents {
            input,
            core: Core::new(framing, config, false),
            side: PhantomData,
        }
    }

    /// The framing in use: the one asked for, or the one [`Framing::Auto`]
    /// detected (`Auto` until the first item has been read).
    pub fn framing(&self) -> Framing {
        self.core.framing()
    }

    /// How many bytes of the input have been consumed.
    pub fn offset(&self) -> usize {
        self.core.offset() as usize
    }

    /// How many envelopes have begun so far, for [`Framing::Envelope`] (0
    /// for the other framings). Once the iterator is exhausted, a body that
    /// must be exactly one envelope is one when this is 1.
    pub fn envelopes(&self) -> u64 {
        self.core.envelopes()
    }

    /// The input.
    pub fn input(&self) -> &Bytes {
        &self.input
    }

    /// The owned event at `input[start..end]`, decoded there as `event`.
    #[inline(always)]
    fn owned(input: &Bytes, event: &S::Event<'_>, start: usize, end: usize) -> OwnedEvent<S> {
        let Some(bytes) = input.get(start..end) else {
            return OwnedEvent::from_event(event);
        };
        match Layout::of::<S>(event, bytes) {
            Some(layout) => match layout.canonical::<S>(bytes) {
                Some(canonical) => OwnedEvent::from_parts(Bytes::from_static(canonical), layout),
                None => OwnedEvent::from_parts(input.slice(start..end), layout),
            },
            // Never: the event's fields lie in its bytes. Should they not,
            // the event is decoded again from its slice, or else written.
            None => OwnedEvent::from_bytes(input.slice(start..end))
                .unwrap_or_else(|_| OwnedEvent::from_event(event)),
        }
    }
}

impl<S: Side> Iterator for OwnedEvents<S> {
    type Item = Result<OwnedEvent<S>, StreamError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let OwnedEvents { input, core, .. } = self;
        match core.fast::<S, false>(input, true) {
            Fast::Event(event, start, end) => {
                return Some(Ok(Self::owned(input, &event, start, end)));
            }
            // Written the one shortest way: its static bytes, without
            // looking at its own again.
            Fast::Unit(event, start, end) => {
                return Some(Ok(match Layout::shortest::<S>(&event) {
                    Some((layout, bytes)) => {
                        OwnedEvent::from_parts(Bytes::from_static(bytes), layout)
                    }
                    None => Self::owned(input, &event, start, end),
                }));
            }
            Fast::Pending | Fast::Done => return None,
            Fast::Slow => {}
        }
        match core.dispatch::<S>(input, true) {
            Step::Event(event, start, end) => Some(Ok(Self::owned(input, &event, start, end))),
            Step::Error(e) => Some(Err(e)),
            Step::Pending | Step::Done => None,
        }
    }
}

impl<S: Side> FusedIterator for OwnedEvents<S> {}
