//! The iterator over the events of a whole slice.

use core::iter::FusedIterator;

use super::core::{Core, Fast, Step};
use super::{Config, Framing, StreamError};
use crate::protocol::ClientEvent;

/// The events of a whole slice, borrowed from it; see [`events`].
///
/// It allocates nothing: each event is decoded in place and its fields
/// borrow the slice.
#[derive(Clone, Debug)]
pub struct Events<'a> {
    input: &'a [u8],
    core: Core,
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
    events_with(input, Framing::Auto, Config::new())
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
    Events {
        input,
        core: Core::new(framing, config, false),
    }
}

impl Events<'_> {
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

impl<'a> Iterator for Events<'a> {
    type Item = Result<ClientEvent<'a>, StreamError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The fast path converts straight to the item, apart from the rest.
        match self.core.fast::<false>(self.input, true) {
            Fast::Event(event, _, _) => return Some(Ok(event)),
            Fast::Unit(event, _, _) => return Some(Ok(event)),
            Fast::Pending | Fast::Done => return None,
            Fast::Slow => {}
        }
        match self.core.dispatch(self.input, true) {
            Step::Event(event, _, _) => Some(Ok(event)),
            Step::Error(e) => Some(Err(e)),
            Step::Pending | Step::Done => None,
        }
    }
}

impl FusedIterator for Events<'_> {}
