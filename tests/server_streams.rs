//! The stream layer on the server's events: `OwnedEvent<Server>` decodes
//! every server event, and over NDJSON and envelope streams of random
//! server events (any spelling, a few bad ones among them) the slice
//! iterator and the incremental decoder, fed random chunks down to one
//! byte, yield the same events and errors. `CHATWIRE_PROPTEST_MULTIPLIER`
//! multiplies the case count (256), as in the other equivalence suites;
//! `PROPTEST_CASES` sets it.
#![cfg(feature = "alloc")]

#[allow(dead_code)]
mod strategies;

use bytes::{Bytes, BytesMut};
use chatwire::protocol::SERVER_EVENTS;
use chatwire::stream::{Config, Decoder, Events, Framing, StreamError, StreamErrorKind};
use chatwire::{ErrorKind, Field, OwnedEvent, Server, ServerEvent, ServerKind};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256 * strategies::multiplier())
}

/// One item of a stream, by value: an event's canonical bytes and kind, or
/// an error.
#[derive(Debug, PartialEq)]
enum Item {
    Event(Vec<u8>, ServerKind),
    Error(StreamError),
}

fn item(item: Result<ServerEvent<'_>, StreamError>) -> Item {
    match item {
        Ok(event) => Item::Event(event.to_vec(), event.kind()),
        Err(e) => Item::Error(e),
    }
}

fn from_slice(input: &[u8], framing: Framing) -> Vec<Item> {
    Events::<Server>::with(input, framing, Config::new())
        .map(item)
        .collect()
}

/// Whether `input` starts `{ "events" : [` (whitespace skipped), where
/// [`Framing::Auto`] decides on envelopes at once (its rule 2).
fn opens_envelope(input: &[u8]) -> bool {
    let mut rest = input;
    for token in [&b"{"[..], b"\"events\"", b":", b"["] {
        while let [b' ' | b'\t' | b'\n' | b'\r', after @ ..] = rest {
            rest = after;
        }
        match rest.strip_prefix(token) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    true
}

fn owned(item: Result<OwnedEvent<Server>, StreamError>) -> Item {
    match item {
        Ok(owned) => {
            // The owned view equals a fresh decode of its own bytes.
            let again = OwnedEvent::<Server>::from_bytes(owned.bytes().clone()).unwrap();
            assert_eq!(owned, again);
            assert_eq!(
                owned.event(),
                ServerEvent::from_slice(owned.as_bytes()).unwrap()
            );
            Item::Event(owned.event().to_vec(), owned.kind())
        }
        Err(e) => Item::Error(e),
    }
}

fn incremental(input: &[u8], framing: Framing, sizes: &[usize]) -> Vec<Item> {
    let mut decoder = Decoder::<Server>::with(framing, Config::new());
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let n = sizes[i % sizes.len()].min(input.len() - at);
        i += 1;
        buf.extend_from_slice(&input[at..at + n]);
        at += n;
        while let Some(item) = decoder.decode(&mut buf) {
            out.push(owned(item));
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        out.push(owned(item));
    }
    assert!(buf.is_empty());
    out
}

/// Server events that are not valid, each with the error it gets.
const BAD: &[(&str, ErrorKind)] = &[
    (
        r#"{"event":"chat_session_status"}"#,
        ErrorKind::MissingField(Field::State),
    ),
    (
        r#"{"event":"chat_session_message","msg_id":"1","msg":"hi"}"#,
        ErrorKind::MissingField(Field::PartyId),
    ),
    (
        r#"{"event":"chat_session_ended","x":[1,}"#,
        ErrorKind::ExpectedValue,
    ),
];

/// A piece of a stream: a rendering of a random server event, or (one in
/// eight) a bad one whose structure is sound (so that it is skipped
/// exactly, in an envelope too).
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        7 => (strategies::event_of(SERVER_EVENTS), strategies::style())
            .prop_map(|(event, style)| strategies::render(&event, &style)),
        1 => prop::sample::select(&BAD[..2]).prop_map(|(bad, _)| bad.as_bytes().to_vec()),
    ]
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        1 => Just(vec![1]),
        3 => prop::collection::vec(1usize..64, 1..16),
    ]
}

/// The stream of `pieces` in `framing`: NDJSON keeps the pieces that hold
/// no line feed; envelopes hold four pieces each.
fn stream(framing: Framing, pieces: &[Vec<u8>]) -> (Vec<u8>, Vec<&[u8]>) {
    let mut out = Vec::new();
    let mut kept = Vec::new();
    match framing {
        Framing::Ndjson => {
            for piece in pieces.iter().filter(|p| !p.contains(&b'\n')) {
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\r\n");
                kept.push(&piece[..]);
            }
        }
        _ => {
            for group in pieces.chunks(4) {
                out.extend_from_slice(b"{\"events\":[");
                for (i, piece) in group.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b",\n ");
                    }
                    out.extend_from_slice(piece);
                    kept.push(&piece[..]);
                }
                out.extend_from_slice(b"]}\n");
            }
        }
    }
    (out, kept)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn slice_iterator_and_decoder_yield_the_same_server_events(
        envelope in any::<bool>(),
        auto in any::<bool>(),
        pieces in prop::collection::vec(piece(), 0..12),
        sizes in chunk_sizes(),
    ) {
        let written = if envelope { Framing::Envelope } else { Framing::Ndjson };
        let (input, kept) = stream(written, &pieces);
        // Every valid piece comes out as the event it is, in order; every
        // bad one as an error.
        let expected: Vec<Option<Vec<u8>>> = kept
            .iter()
            .map(|p| ServerEvent::from_slice(p).ok().map(|e| e.to_vec()))
            .collect();
        let whole = from_slice(&input, written);
        let got: Vec<Option<Vec<u8>>> = whole
            .iter()
            .map(|item| match item {
                Item::Event(bytes, _) => Some(bytes.clone()),
                Item::Error(_) => None,
            })
            .collect();
        prop_assert_eq!(&got, &expected, "input {:?}", String::from_utf8_lossy(&input));
        let chunked = incremental(&input, written, &sizes);
        prop_assert_eq!(&chunked, &whole, "input {:?}", String::from_utf8_lossy(&input));
        if auto {
            // `Auto` detects the framing written, except where its rule 2
            // applies: an NDJSON stream whose first event starts with an
            // `"events"` array is read as envelopes. Either way it yields
            // what the framing it detected yields, whole or in chunks.
            let mut events = Events::<Server>::with(&input, Framing::Auto, Config::new());
            let detected_whole: Vec<Item> = events.by_ref().map(item).collect();
            let detected = events.framing();
            if !input.is_empty() {
                let misread = written == Framing::Ndjson && opens_envelope(&input);
                let want = if misread { Framing::Envelope } else { written };
                prop_assert_eq!(detected, want, "input {:?}", String::from_utf8_lossy(&input));
                // The first event's own `"event"` key is then reported.
                let reported = detected_whole.iter().any(|item| {
                    matches!(item, Item::Error(e) if e.kind() == StreamErrorKind::EventKeyInEnvelope)
                });
                prop_assert_eq!(reported, misread, "input {:?}", String::from_utf8_lossy(&input));
            }
            if detected != Framing::Auto {
                prop_assert_eq!(&detected_whole, &from_slice(&input, detected));
            }
            let chunked = incremental(&input, Framing::Auto, &sizes);
            prop_assert_eq!(&chunked, &detected_whole, "input {:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn owned_server_events_decode_any_spelling(
        event in strategies::event_of(SERVER_EVENTS),
        style in strategies::style(),
    ) {
        let bytes = strategies::render(&event, &style);
        let borrowed = ServerEvent::from_slice(&bytes).unwrap();
        let mut spaced = b" \n".to_vec();
        spaced.extend_from_slice(&bytes);
        spaced.extend_from_slice(b"\t");
        let owned = OwnedEvent::<Server>::from_bytes(Bytes::from(spaced)).unwrap();
        prop_assert_eq!(owned.as_bytes(), bytes.trim_ascii());
        prop_assert_eq!(owned.event(), borrowed);
        prop_assert_eq!(owned.kind(), borrowed.kind());
        prop_assert_eq!(&owned, &OwnedEvent::from_event(&borrowed));
        let copy = OwnedEvent::from_event(&borrowed);
        prop_assert_eq!(copy.as_bytes(), &borrowed.to_vec()[..]);
    }
}

#[test]
fn bad_server_events_are_reported_and_the_stream_goes_on() {
    let mut input = Vec::new();
    for (bad, _) in BAD {
        input.extend_from_slice(bad.as_bytes());
        input.extend_from_slice(b"\n{\"event\":\"chat_session_typing\",\"party_id\":7}\n");
    }
    let items: Vec<_> = Events::<Server>::with(&input, Framing::Ndjson, Config::new()).collect();
    assert_eq!(items.len(), 2 * BAD.len());
    for (pair, (_, kind)) in items.chunks(2).zip(BAD) {
        assert_eq!(pair[0].unwrap_err().kind(), StreamErrorKind::Event(*kind));
        let ServerEvent::Typing { party_id: Some(id) } = pair[1].unwrap() else {
            panic!("{:?}", pair[1]);
        };
        assert_eq!(id.as_u64(), Some(7));
    }
    assert_eq!(
        incremental(&input, Framing::Auto, &[5]),
        from_slice(&input, Framing::Ndjson)
    );
}

#[test]
fn owned_server_events_keep_their_side() {
    let bytes = Bytes::from_static(br#"{"event":"chat_session_party_joined","party_id":"a1","type":"internal","display_name":"Ann"}"#);
    let owned = OwnedEvent::<Server>::from_bytes(bytes.clone()).unwrap();
    assert_eq!(owned.kind(), ServerKind::PartyJoined);
    let ServerEvent::PartyJoined {
        display_name,
        party_type,
        ..
    } = owned.event()
    else {
        panic!("{owned:?}");
    };
    assert!(display_name.unwrap() == "Ann" && party_type == "internal");
    assert_eq!(ServerEvent::from(&owned), owned.event());
    // Not a client event: as one, it is unknown.
    let client = OwnedEvent::<chatwire::Client>::from_bytes(bytes).unwrap();
    assert_eq!(client.kind(), chatwire::EventKind::Unknown);
}
