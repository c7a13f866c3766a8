//! The two directions of the chat API, and history that mixes them, as
//! types: what lets the stream layer, the owned event and the tokio codec
//! work on the events of any.

use core::fmt::{Debug, Display};
use core::hash::Hash;

use crate::decode::Decode;
#[cfg(doc)]
use crate::history::{History, HistoryEvent, HistoryKind};
use crate::protocol::{ClientEvent, EventKind, ServerEvent, ServerKind};
use crate::raw::Raw;
use crate::text::Text;
use crate::write::Encode;

/// The owned layout of an event (feature `alloc`); nothing without it.
#[cfg(feature = "alloc")]
pub(crate) trait Layout<'a, K>: crate::owned::Spanned<'a, Kind = K> {}
#[cfg(feature = "alloc")]
impl<'a, K, T: crate::owned::Spanned<'a, Kind = K>> Layout<'a, K> for T {}
#[cfg(not(feature = "alloc"))]
pub(crate) trait Layout<'a, K> {}
#[cfg(not(feature = "alloc"))]
impl<K, T> Layout<'_, K> for T {}

/// What generic code needs of a side beyond its public items. Being
/// crate-private, it also seals [`Side`].
pub(crate) trait Hooks {
    /// An unknown event: what an owned event whose layout does not fit its
    /// bytes (never) gives rather than panic.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    fn unknown<'a>(name: Text<'a>, raw: Raw<'a>) -> <Self as Side>::Event<'a>
    where
        Self: Side;

    /// The event at a shorter lifetime (the events are covariant in it).
    fn shorten<'a, 'b: 'a>(event: <Self as Side>::Event<'b>) -> <Self as Side>::Event<'a>
    where
        Self: Side;
}

/// One direction of the chat API: [`Client`] (the events a client sends)
/// or [`Server`] (the events the server sends); or [`History`] (a Get Chat
/// History answer, both directions mixed).
///
/// The stream layer ([`stream::Events`](crate::stream::Events),
/// [`stream::Decoder`](crate::stream::Decoder)), the owned event
/// ([`OwnedEvent`](crate::OwnedEvent)) and the tokio codec
/// (`chatwire::codec::Codec`) take a side as a type parameter, [`Client`] by
/// default. The trait is sealed: these three are its only implementations.
///
/// Generic code is written over `S: Side` and uses `S::Event<'a>`; each use
/// is compiled for the one event type, so it costs what code written for
/// that type costs.
///
/// ```
/// use chatwire::stream::{Events, Framing};
/// use chatwire::{Server, ServerEvent, Side};
///
/// /// Counts the events of one direction in an NDJSON log.
/// fn count<S: Side>(log: &[u8]) -> usize {
///     Events::<S>::with(log, Framing::Ndjson, Default::default())
///         .filter(Result::is_ok)
///         .count()
/// }
///
/// let log = b"{\"event\":\"chat_session_status\"}\n{\"event\":\"chat_session_ended\"}\n";
/// // A server's status needs a `state`.
/// assert_eq!(count::<Server>(log), 1);
/// // To a client's eyes, both are events of names it does not know.
/// assert_eq!(count::<chatwire::Client>(log), 2);
/// let mut events = Events::<Server>::new(log);
/// assert!(events.next().unwrap().is_err());
/// assert_eq!(events.next(), Some(Ok(ServerEvent::Ended)));
/// ```
#[allow(private_bounds)]
pub trait Side: Hooks + Copy + Debug + Eq + Hash + Send + Sync + Unpin + 'static {
    /// The side's borrowed event: [`ClientEvent`], [`ServerEvent`] or
    /// [`HistoryEvent`].
    type Event<'a>: Event<Side = Self>
        + Decode<'a>
        + Layout<'a, Self::Kind>
        + Copy
        + Debug
        + Eq
        + Send
        + Sync;

    /// The kind of the side's events: [`EventKind`], [`ServerKind`] or
    /// [`HistoryKind`].
    type Kind: Copy + Debug + Display + Eq + Hash + Ord + Send + Sync + Unpin + 'static;
}

/// An event of one side: [`ClientEvent`], [`ServerEvent`] or
/// [`HistoryEvent`] (sealed). The stream writers
/// ([`stream::write_ndjson`](crate::stream::write_ndjson),
/// [`stream::EnvelopeWriter`](crate::stream::EnvelopeWriter)) take any.
#[allow(private_bounds)]
pub trait Event: Encode + Copy + Debug {
    /// The side that sends it.
    type Side: Side;

    /// The event's kind.
    fn event_kind(&self) -> <Self::Side as Side>::Kind;
}

/// The client's side: the events a client sends to the server,
/// [`ClientEvent`], of kind [`EventKind`].
///
/// A type, never a value: it names the side in type parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {}

/// The server's side: the events the server sends to a client,
/// [`ServerEvent`], of kind [`ServerKind`].
///
/// A type, never a value: it names the side in type parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Server {}

impl Side for Client {
    type Event<'a> = ClientEvent<'a>;
    type Kind = EventKind;
}

impl Hooks for Client {
    #[inline(always)]
    fn unknown<'a>(name: Text<'a>, raw: Raw<'a>) -> ClientEvent<'a> {
        ClientEvent::Unknown { name, raw }
    }

    #[inline(always)]
    fn shorten<'a, 'b: 'a>(event: ClientEvent<'b>) -> ClientEvent<'a> {
        event
    }
}

impl Side for Server {
    type Event<'a> = ServerEvent<'a>;
    type Kind = ServerKind;
}

impl Hooks for Server {
    #[inline(always)]
    fn unknown<'a>(name: Text<'a>, raw: Raw<'a>) -> ServerEvent<'a> {
        ServerEvent::Unknown { name, raw }
    }

    #[inline(always)]
    fn shorten<'a, 'b: 'a>(event: ServerEvent<'b>) -> ServerEvent<'a> {
        event
    }
}

impl Event for ClientEvent<'_> {
    type Side = Client;

    #[inline(always)]
    fn event_kind(&self) -> EventKind {
        self.kind()
    }
}

impl Event for ServerEvent<'_> {
    type Side = Server;

    #[inline(always)]
    fn event_kind(&self) -> ServerKind {
        self.kind()
    }
}
