//! Get Chat History: client and server events mixed in one stream, each
//! decoded into its direction by its name (and, for the names both sides
//! send, by its fields).
//!
//! History is a third [`Side`]: [`History`], whose event is a
//! [`HistoryEvent`] (a [`ClientEvent`] or a [`ServerEvent`]) and whose kind
//! is a [`HistoryKind`]. So the slice iterator
//! ([`stream::Events::<History>`](crate::stream::Events)), the incremental
//! decoder ([`stream::Decoder::<History>`](crate::stream::Decoder)), the
//! owned event (`OwnedEvent<History>`) and the tokio codec read history with
//! no code of their own.
//!
//! The decoder reads an object once, as it reads any event: the `"event"`
//! name is looked up in one table of every name of both directions (a
//! perfect hash, like each side's own), which says which direction sends
//! it, and the fields are checked at the closing brace against the one form
//! the direction rule ([`HistoryEvent`]) picks.

use core::fmt;

use crate::decode::{Decode, FieldValue, Fields, Status};
use crate::dispatch::NameTable;
use crate::error::Error;
use crate::protocol::{ClientEvent, EventKind, Field, ServerEvent, ServerKind};
use crate::raw::Raw;
use crate::side::{Event, Hooks, Side};
use crate::text::{Id, Text};
use crate::write::{Encode, Out};

/// The side of Get Chat History: events of both directions in one stream,
/// [`HistoryEvent`], of kind [`HistoryKind`].
///
/// A type, never a value: it names the side in type parameters.
///
/// ```
/// use chatwire::stream::Events;
/// use chatwire::{ClientEvent, History, HistoryEvent, ServerEvent};
///
/// let body = br#"{"events":[{"event":"chat_session_status","state":"connected"},{"event":"chat_session_end"}]}"#;
/// let events: Vec<_> = Events::<History>::new(body).collect::<Result<_, _>>()?;
/// assert!(matches!(events[0], HistoryEvent::Server(ServerEvent::Status { .. })));
/// assert_eq!(events[1], HistoryEvent::Client(ClientEvent::End));
/// # Ok::<(), chatwire::stream::StreamError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum History {}

/// An event of a Get Chat History answer: a client's event or the server's,
/// borrowed from the bytes it was decoded from.
///
/// # The direction rule
///
/// - A name only clients send (`chat_session_form_data`, `_end`,
///   `_disconnect`, `_navigation`, `_secure_form_data`,
///   `_secure_form_cancel`) is a [`HistoryEvent::Client`] event.
/// - A name only the server sends (`chat_session_status`, `_ended`,
///   `_party_joined`, ...) is a [`HistoryEvent::Server`] event.
/// - A name both send (`chat_session_message`, `_typing`, `_not_typing`,
///   `_file`, `_signaling`, `_message_delivered`, `_message_read`,
///   `_location`) is the server's form when the event carries a `party_id`
///   (not `null`), which names the party that produced it (the server's
///   message requires it); otherwise it is the client's form: the client's
///   own events echoed in history may come without one. The form chosen is
///   then checked as that direction checks it (a server message without
///   `msg` is an error, not a client event).
/// - A name neither sends is the server's
///   [`ServerEvent::Unknown`](crate::ServerEvent::Unknown), kept whole:
///   history is the server's answer, and the names that keep appearing
///   (co-browsing) are the server's. A [`HistoryKind::Client`] of
///   [`EventKind::Unknown`] is never decoded.
///
/// Decoding is the one pass every event takes, without allocating: the name
/// is looked up once, in one table of both directions' names. On 64-bit
/// targets it is 104 bytes, as a [`ServerEvent`] is (a test asserts it).
///
/// The writer writes a `HistoryEvent` exactly as its inner event is
/// written, so a decoded event written and decoded again lands in the same
/// direction (the server's form keeps its `party_id`).
///
/// ```
/// use chatwire::{ClientEvent, HistoryEvent, ServerEvent};
///
/// // The same name, both directions.
/// let theirs = br#"{"event":"chat_session_message","msg_id":"0","party_id":"7215D0DA","msg":"Hi"}"#;
/// let mine = br#"{"event":"chat_session_message","msg_id":"1","msg":"Hello"}"#;
/// let HistoryEvent::Server(ServerEvent::Message { party_id, .. }) = HistoryEvent::from_slice(theirs)? else {
///     unreachable!()
/// };
/// assert!(party_id == "7215D0DA");
/// let event = HistoryEvent::from_slice(mine)?;
/// assert!(matches!(event, HistoryEvent::Client(ClientEvent::Message { .. })));
/// // Written as its inner event is.
/// assert_eq!(event.to_vec(), mine);
///
/// // Names of one direction only.
/// assert_eq!(HistoryEvent::from_slice(br#"{"event":"chat_session_ended"}"#)?, ServerEvent::Ended.into());
/// assert_eq!(HistoryEvent::from_slice(br#"{"event":"chat_session_end"}"#)?, ClientEvent::End.into());
///
/// // An unknown name is the server's.
/// let event = HistoryEvent::from_slice(br#"{"event":"chat_session_cobrowsing_started"}"#)?;
/// assert!(matches!(event, HistoryEvent::Server(ServerEvent::Unknown { .. })));
/// # Ok::<(), chatwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryEvent<'a> {
    /// An event a client sent (its own, echoed in history).
    Client(ClientEvent<'a>),
    /// An event the server sent.
    Server(ServerEvent<'a>),
}

/// The kind of a [`HistoryEvent`]: its direction and the kind within it.
///
/// ```
/// use chatwire::{EventKind, HistoryKind, ServerKind};
///
/// let kind = HistoryKind::Server(ServerKind::Message);
/// assert_eq!(kind.name(), "chat_session_message");
/// assert_eq!(kind.to_string(), "chat_session_message");
/// assert!(kind.is_server());
/// assert_eq!(HistoryKind::ALL[kind.index()], kind);
/// assert_eq!(HistoryKind::ALL[HistoryKind::Client(EventKind::End).index()], HistoryKind::Client(EventKind::End));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HistoryKind {
    /// A kind of client event.
    Client(EventKind),
    /// A kind of server event.
    Server(ServerKind),
}

/// Client kinds, `Unknown` included.
const CLIENT_KINDS: usize = EventKind::ALL.len();
/// Server kinds, `Unknown` included.
const SERVER_KINDS: usize = ServerKind::ALL.len();

/// Every history kind: the client's in their order, then the server's.
const ALL_KINDS: [HistoryKind; CLIENT_KINDS + SERVER_KINDS] = {
    let mut all = [HistoryKind::Server(ServerKind::Unknown); CLIENT_KINDS + SERVER_KINDS];
    let mut i = 0;
    while i < CLIENT_KINDS {
        all[i] = HistoryKind::Client(EventKind::ALL[i]);
        i += 1;
    }
    let mut j = 0;
    while j < SERVER_KINDS {
        all[CLIENT_KINDS + j] = HistoryKind::Server(ServerKind::ALL[j]);
        j += 1;
    }
    all
};

impl HistoryKind {
    /// Every kind: each [`EventKind`] as [`HistoryKind::Client`], in
    /// [`EventKind::ALL`]'s order, then each [`ServerKind`] as
    /// [`HistoryKind::Server`], in [`ServerKind::ALL`]'s order.
    pub const ALL: &'static [HistoryKind] = &ALL_KINDS;

    /// The `"event"` value of a known kind; `"unknown"` for either
    /// direction's `Unknown`.
    pub const fn name(self) -> &'static str {
        match self {
            HistoryKind::Client(kind) => kind.name(),
            HistoryKind::Server(kind) => kind.name(),
        }
    }

    /// The kind's place in [`Self::ALL`].
    pub const fn index(self) -> usize {
        match self {
            HistoryKind::Client(kind) => kind.index(),
            HistoryKind::Server(kind) => CLIENT_KINDS + kind.index(),
        }
    }

    /// Whether it is a kind of client event.
    pub const fn is_client(self) -> bool {
        matches!(self, HistoryKind::Client(_))
    }

    /// Whether it is a kind of server event.
    pub const fn is_server(self) -> bool {
        matches!(self, HistoryKind::Server(_))
    }
}

impl fmt::Display for HistoryKind {
    /// The kind's name, as [`HistoryKind::name`] gives it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'a> HistoryEvent<'a> {
    /// The event's kind.
    pub const fn kind(&self) -> HistoryKind {
        match self {
            HistoryEvent::Client(event) => HistoryKind::Client(event.kind()),
            HistoryEvent::Server(event) => HistoryKind::Server(event.kind()),
        }
    }

    /// The client's event, if it is one.
    pub const fn client(&self) -> Option<&ClientEvent<'a>> {
        match self {
            HistoryEvent::Client(event) => Some(event),
            HistoryEvent::Server(_) => None,
        }
    }

    /// The server's event, if it is one.
    pub const fn server(&self) -> Option<&ServerEvent<'a>> {
        match self {
            HistoryEvent::Server(event) => Some(event),
            HistoryEvent::Client(_) => None,
        }
    }

    /// Decodes the event at the start of `input`, which may hold more bytes
    /// after it: the event and the bytes it used, or
    /// [`Status::Partial`] when the input ends before the event does (see
    /// [`crate::parse`]).
    #[inline]
    pub fn parse(input: &'a [u8]) -> Result<Status<(HistoryEvent<'a>, usize)>, Error> {
        crate::decode::parse_as(input)
    }

    /// Decodes one event that makes up the whole of `input` (whitespace
    /// around it allowed; see [`crate::from_slice`]).
    #[inline]
    pub fn from_slice(input: &'a [u8]) -> Result<HistoryEvent<'a>, Error> {
        crate::decode::from_slice_as(input)
    }
}

impl<'a> From<ClientEvent<'a>> for HistoryEvent<'a> {
    fn from(event: ClientEvent<'a>) -> Self {
        HistoryEvent::Client(event)
    }
}

impl<'a> From<ServerEvent<'a>> for HistoryEvent<'a> {
    fn from(event: ServerEvent<'a>) -> Self {
        HistoryEvent::Server(event)
    }
}

/// What an event name is to each direction: the decoder's kind for
/// history, before the fields say which form a shared name takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Named {
    client: Option<EventKind>,
    server: Option<ServerKind>,
}

/// Whether two names are equal, in a `const` context.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The client's kind of the server's `kind`'s name, if clients send it.
const fn client_twin(kind: ServerKind) -> Option<EventKind> {
    let mut i = 0;
    while i < CLIENT_KINDS - 1 {
        if same(EventKind::ALL[i].name(), kind.name()) {
            return Some(EventKind::ALL[i]);
        }
        i += 1;
    }
    None
}

/// The server's kind of the client's `kind`'s name, if the server sends it.
const fn server_twin(kind: EventKind) -> Option<ServerKind> {
    let mut i = 0;
    while i < SERVER_KINDS - 1 {
        if same(ServerKind::ALL[i].name(), kind.name()) {
            return Some(ServerKind::ALL[i]);
        }
        i += 1;
    }
    None
}

/// Distinct known names of both directions.
const NAME_COUNT: usize = {
    let mut count = SERVER_KINDS - 1;
    let mut i = 0;
    while i < CLIENT_KINDS - 1 {
        if server_twin(EventKind::ALL[i]).is_none() {
            count += 1;
        }
        i += 1;
    }
    count
};

/// Each known name of both directions: the server's names (with their
/// client twins), then the names only clients send.
const NAMED: [Named; NAME_COUNT] = {
    let mut named = [Named {
        client: None,
        server: None,
    }; NAME_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < SERVER_KINDS - 1 {
        let server = ServerKind::ALL[i];
        named[n] = Named {
            client: client_twin(server),
            server: Some(server),
        };
        n += 1;
        i += 1;
    }
    let mut j = 0;
    while j < CLIENT_KINDS - 1 {
        let client = EventKind::ALL[j];
        if server_twin(client).is_none() {
            named[n] = Named {
                client: Some(client),
                server: None,
            };
            n += 1;
        }
        j += 1;
    }
    named
};

/// The names of [`NAMED`], in its order.
const NAMES: [&str; NAME_COUNT] = {
    let mut names = [""; NAME_COUNT];
    let mut i = 0;
    while i < NAME_COUNT {
        names[i] = match (NAMED[i].server, NAMED[i].client) {
            (Some(server), _) => server.name(),
            (None, Some(client)) => client.name(),
            (None, None) => "",
        };
        i += 1;
    }
    names
};

/// Whether clients send the server kind of each index too.
const SENT_BY_CLIENTS: [bool; SERVER_KINDS] = {
    let mut shared = [false; SERVER_KINDS];
    let mut i = 0;
    while i < SERVER_KINDS - 1 {
        shared[i] = client_twin(ServerKind::ALL[i]).is_some();
        i += 1;
    }
    shared
};

/// The name dispatch of both directions.
const TABLE: NameTable<NAME_COUNT> = NameTable::new(NAMES);

/// An unknown name.
const UNKNOWN: Named = Named {
    client: None,
    server: None,
};

/// Whether an event carries a `party_id` (present and not `null`): what
/// makes a name both directions send the server's form. A `party_id` of the
/// wrong type counts, so that the server's form reports it.
#[inline(always)]
fn carries_party_id(fields: &Fields<'_, '_>) -> bool {
    !matches!(
        <Option<Id<'_>> as FieldValue<'_>>::from_slot(fields, Field::PartyId),
        Ok(None)
    )
}

impl<'a> Decode<'a> for HistoryEvent<'a> {
    type Kind = Named;

    const UNKNOWN: Named = UNKNOWN;

    /// Every field: a history holds both sides' events, and `party_id`
    /// tells them apart.
    type Slots = [crate::decode::Slot; crate::decode::SLOTS];

    #[inline(always)]
    fn kind_of(name: &[u8]) -> Option<Named> {
        NAMED.get(TABLE.find(name)?).copied()
    }

    #[inline(always)]
    fn sniff_name(input: &[u8], at: usize) -> Option<(Named, usize)> {
        let (index, end) = TABLE.find_at(input, at)?;
        Some((*NAMED.get(index)?, end))
    }

    #[inline(always)]
    fn build(named: Named, fields: &Fields<'_, 'a>) -> Result<Self, Error> {
        let server = match named {
            Named {
                client: Some(client),
                server: Some(_),
            } if !carries_party_id(fields) => {
                return ClientEvent::build(client, fields).map(HistoryEvent::Client);
            }
            Named {
                client: Some(client),
                server: None,
            } => return ClientEvent::build(client, fields).map(HistoryEvent::Client),
            Named {
                server: Some(server),
                ..
            } => server,
            Named { server: None, .. } => ServerKind::Unknown,
        };
        ServerEvent::build(server, fields).map(HistoryEvent::Server)
    }

    #[inline(always)]
    fn unit_at(input: &[u8], at: usize) -> Option<(Self, usize)> {
        // Without fields, a shared name carries no `party_id`: the client's.
        if let Some((event, end)) = ClientEvent::unit_at(input, at) {
            return Some((HistoryEvent::Client(event), end));
        }
        // A name clients send too is never the server's here, even where
        // the client's form needs fields this event lacks.
        let (event, end) = ServerEvent::unit_at(input, at)?;
        (!SENT_BY_CLIENTS[event.kind().index()]).then_some((HistoryEvent::Server(event), end))
    }
}

impl Encode for HistoryEvent<'_> {
    #[inline]
    fn put<O: Out>(&self, out: &mut O) {
        match self {
            HistoryEvent::Client(event) => event.put(out),
            HistoryEvent::Server(event) => event.put(out),
        }
    }
}

crate::write::writer_methods!(HistoryEvent);

impl Side for History {
    type Event<'a> = HistoryEvent<'a>;
    type Kind = HistoryKind;
}

impl Hooks for History {
    #[inline(always)]
    fn unknown<'a>(name: Text<'a>, raw: Raw<'a>) -> HistoryEvent<'a> {
        HistoryEvent::Server(ServerEvent::Unknown { name, raw })
    }

    #[inline(always)]
    fn shorten<'a, 'b: 'a>(event: HistoryEvent<'b>) -> HistoryEvent<'a> {
        event
    }
}

impl Event for HistoryEvent<'_> {
    type Side = History;

    #[inline(always)]
    fn event_kind(&self) -> HistoryKind {
        self.kind()
    }
}

/// The owned layout of history events (feature `alloc`).
#[cfg(feature = "alloc")]
mod layout {
    use super::*;
    use crate::owned::{Layout, Spanned};

    impl<'a> Spanned<'a> for HistoryEvent<'a> {
        type Kind = HistoryKind;

        /// The inner event's layout, its kind index that of [`HistoryKind::ALL`].
        fn layout(&self, base: &[u8]) -> Option<Layout> {
            match self {
                HistoryEvent::Client(event) => event.layout(base),
                HistoryEvent::Server(event) => Some(
                    event
                        .layout(base)?
                        .with_kind_index(HistoryKind::Server(event.kind()).index()),
                ),
            }
        }

        fn from_layout(layout: &Layout, bytes: &'a [u8]) -> Option<Self> {
            let index = layout.kind_index();
            if index < CLIENT_KINDS {
                ClientEvent::from_layout(layout, bytes).map(HistoryEvent::Client)
            } else {
                let layout = layout.with_kind_index(index - CLIENT_KINDS);
                ServerEvent::from_layout(&layout, bytes).map(HistoryEvent::Server)
            }
        }

        fn kind_of_layout(layout: &Layout) -> HistoryKind {
            HistoryKind::ALL
                .get(layout.kind_index())
                .copied()
                .unwrap_or(HistoryKind::Server(ServerKind::Unknown))
        }

        #[inline(always)]
        fn kind_index(kind: HistoryKind) -> usize {
            kind.index()
        }

        fn shortest(kind: HistoryKind) -> Option<&'static [u8]> {
            match kind {
                HistoryKind::Client(kind) => ClientEvent::shortest(kind),
                HistoryKind::Server(kind) => ServerEvent::shortest(kind),
            }
        }
    }
}

/// Serializes as the inner event does.
#[cfg(feature = "serde")]
impl serde::Serialize for HistoryEvent<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            HistoryEvent::Client(event) => event.serialize(serializer),
            HistoryEvent::Server(event) => event.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_table_holds_each_name_of_both_directions_once() {
        for &kind in &EventKind::ALL[..CLIENT_KINDS - 1] {
            let named = HistoryEvent::kind_of(kind.name().as_bytes()).unwrap();
            assert_eq!(named.client, Some(kind));
            assert_eq!(
                named.server.map(ServerKind::name),
                server_twin(kind).map(ServerKind::name)
            );
        }
        for &kind in &ServerKind::ALL[..SERVER_KINDS - 1] {
            let named = HistoryEvent::kind_of(kind.name().as_bytes()).unwrap();
            assert_eq!(named.server, Some(kind));
        }
        let shared = NAMED
            .iter()
            .filter(|n| n.client.is_some() && n.server.is_some())
            .count();
        assert_eq!(shared, 8);
        assert_eq!(NAME_COUNT, CLIENT_KINDS - 1 + SERVER_KINDS - 1 - shared);
        assert_eq!(
            HistoryEvent::kind_of(b"chat_session_cobrowsing_started"),
            None
        );
    }

    #[test]
    fn every_kind_is_at_its_index() {
        for (i, kind) in HistoryKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        assert!(
            HistoryKind::ALL.len() < 0xff,
            "the owned layout keeps the index in a byte"
        );
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn the_layout_of_each_direction_keeps_its_kind() {
        use crate::owned::{Layout, Spanned};
        for &kind in HistoryKind::ALL {
            assert_eq!(
                HistoryEvent::kind_of_layout(&Layout::new(kind.index())),
                kind
            );
        }
        let bytes = br#"{"event":"chat_session_ended"}"#;
        let event = HistoryEvent::from_slice(bytes).unwrap();
        let layout = event.layout(bytes).unwrap();
        assert_eq!(HistoryEvent::from_layout(&layout, bytes), Some(event));
        assert_eq!(
            HistoryEvent::kind_of_layout(&Layout::new(0xff)),
            HistoryKind::Server(ServerKind::Unknown)
        );
    }
}
