//! The iterator over the events of a whole slice.

use core::iter::FusedIterator;
use core::marker::PhantomData;

use super::core::{Core, Fast, Step};
use super::{Config, Framing, StreamError};
use crate::side::{Client, Side};

/// The events of a whole slice, borrowed from it: the client's events
/// (see [`events`]), or those of another [`Side`] (see [`Events::new`]).
///
/// It allocates nothing: each event is decoded in place and its fields
/// borrow the slice.
#[derive(Clone, Debug)]
pub struct Events<'a, S: Side = Client> {
    input: &'a [u8],
    core: Core,
    side: PhantomData<S>,
}

/// The events of `input`, a complete stream in any framing
/// ([`Framing::Auto`], default limits).
///
/// Each item is an event or an error; an error never ends the iteration while
/// more events can be found (see the [module docs](crate::stream) for how
/// each framing recovers).
///
/// ```
/// use chatwire::ClientEvent;
/// use chatwire::stream::{self, Framing};
///
/// let body = br#"{"events":[{"event":"chat_session_typing"},{"event":"chat_session_end"}]}"#;
/// let mut events = stream::events(body);
/// assert_eq!(events.next(), Some(Ok(ClientEvent::Typing { msg: None })));
/// assert_eq!(events.framing(), Framing::Envelope);
/// assert_eq!(events.next(), Some(Ok(ClientEvent::End)));
/// assert_eq!(events.next(), None);
/// ```
pub fn events(input: &[u8]) -> Events<'_> {
    Events::new(input)
}

/// The events of `input` in the given framing, with the given limits.
///
/// ```
/// use chatwire::stream::{self, Config, Framing, StreamErrorKind, Unit};
///
/// let log = b"{\"event\":\"chat_session_typing\"}\n\n{\"event\":\n{\"event\":\"chat_session_end\"}\r\n";
/// let items: Vec<_> = stream::events_with(log, Framing::Ndjson, Config::new()).collect();
/// assert_eq!(items.len(), 3);
/// let err = items[1].unwrap_err();
/// assert_eq!((err.kind(), err.unit()), (StreamErrorKind::Truncated, Unit::Line(3)));
/// assert!(items[2].is_ok());
/// ```
pub fn events_with(input: &[u8], framing: Framing, config: Config) -> Events<'_> {
    Events::with(input, framing, config)
}

impl<'a, S: Side> Events<'a, S> {
    /// The events of side `S` in `input`, a complete stream in any framing
    /// ([`Framing::Auto`], default limits): [`events`] for any side.
    ///
    /// ```
    /// use chatwire::stream::Events;
    /// use chatwire::{Server, ServerEvent};
    ///
    /// let body = br#"{"events":[{"event":"chat_session_typing","party_id":"7"},{"event":"chat_session_ended"}]}"#;
    /// let mut events = Events::<Server>::new(body);
    /// assert!(matches!(events.next(), Some(Ok(ServerEvent::Typing { party_id: Some(_) }))));
    /// assert_eq!(events.next(), Some(Ok(ServerEvent::Ended)));
    /// assert_eq!(events.next(), None);
    /// ```
    pub fn new(input: &'a [u8]) -> Self {
        Events::with(input, Framing::Auto, Config::new())
    }

    /// The events of side `S` in `input`, in the given framing, with the
    /// given limits: [`events_with`] for any side.
    pub fn with(input: &'a [u8], framing: Framing, config: Config) -> Self {
        Events {
            input,
            core: Core::new(framing, config, false),
            side: PhantomData,
        }
    }
}

impl<S: Side> Events<'_, S> {
    /// The framing in use: the one asked for, or the one [`Framing::Auto`]
    /// detected (`Auto` until the first item has been read).
    pub fn framing(&self) -> Framing {
        self.core.framing()
    }

    /// How many bytes of the input have been consumed.
    pub fn offset(&self) -> usize {
        self.core.offset() as usize
    }
}

impl<'a, S: Side> Iterator for Events<'a, S> {
    type Item = Result<S::Event<'a>, StreamError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The fast path converts straight to the item, apart from the rest.
        match self.core.fast::<S, false>(self.input, true) {
            Fast::Event(event, _, _) => return Some(Ok(event)),
            Fast::Unit(event, _, _) => return Some(Ok(S::shorten(event))),
            Fast::Pending | Fast::Done => return None,
            Fast::Slow => {}
        }
        match self.core.dispatch::<S>(self.input, true) {
            Step::Event(event, _, _) => Some(Ok(event)),
            Step::Error(e) => Some(Err(e)),
            Step::Pending | Step::Done => None,
        }
    }
}

impl<S: Side> FusedIterator for Events<'_, S> {}
