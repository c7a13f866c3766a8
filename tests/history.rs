//! The history reader: a Get Chat History envelope mixing every event of
//! both directions, each landing in its direction with its fields; the
//! direction rule for the names both sides send; the incremental decoder
//! against the slice iterator over any chunking; no allocation in the slice
//! iterator; owned events that round-trip.
#![cfg(feature = "alloc")]
// A global allocator cannot be written without `unsafe`; it only counts.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::{Bytes, BytesMut};
use chatwire::stream::{self, Config, Decoder, Events, Framing, StreamError, StreamErrorKind};
use chatwire::workload::{self, Workload};
use chatwire::{
    ClientEvent, ErrorKind, EventKind, Field, History, HistoryEvent, HistoryKind, OwnedEvent,
    ServerEvent, ServerKind,
};
use proptest::prelude::*;

struct Counting;

thread_local! {
    /// Allocations made by this thread: tests run in parallel, and only the
    /// thread under test counts.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the slot may be gone while the thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: defers to `System`, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// The direction an event must land in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Client,
    Server,
}

/// Every event of both specs' examples (`client-events.md`,
/// `server-events.md`), with the direction history must give it.
const SPEC: &[(Dir, &str)] = &[
    // The client's 3.13 events.
    (
        Dir::Client,
        r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello, I need help with my order"}"#,
    ),
    (Dir::Client, r#"{"event":"chat_session_typing"}"#),
    (Dir::Client, r#"{"event":"chat_session_not_typing"}"#),
    (
        Dir::Client,
        r#"{"event":"chat_session_form_data","form_request_id":"12","form_name":"survey","data":{"param1":"value1"}}"#,
    ),
    (Dir::Client, r#"{"event":"chat_session_end"}"#),
    (Dir::Client, r#"{"event":"chat_session_disconnect"}"#),
    (
        Dir::Client,
        r#"{"event":"chat_session_signaling","msg_id":"4f1c2a:8","destination_party_id":"agent-31","data":"<signaling message>"}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_file","msg_id":"4f1c2a:9","file_type":"image","file_id":"f-5521"}"#,
    ),
    // The client's later events.
    (
        Dir::Client,
        r#"{"event":"chat_session_message_delivered","ref_msg_id":"4"}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_message_read","ref_msg_id":"4"}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_location","msg_id":"7","latitude":37.7749,"longitude":-122.4194}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_navigation","msg_id":"9","page":"https://shop.example.com/cart","title":"Your cart"}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_secure_form_data","form_request_id":"15","form_name":"payment","data":{"card":"4111..."}}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_secure_form_cancel","form_request_id":"15","form_name":"payment"}"#,
    ),
    (
        Dir::Client,
        r#"{"event":"chat_session_typing","msg":"I would like to"}"#,
    ),
    // The server's 3.13 events.
    (
        Dir::Server,
        r#"{"event":"chat_session_status","state":"queued","ewt":"45"}"#,
    ),
    (Dir::Server, r#"{"event":"chat_session_ended"}"#),
    (
        Dir::Server,
        r#"{"event":"chat_session_party_joined","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","first_name":"Ann","last_name":"Lee","display_name":"Ann Lee","type":"internal","timestamp":"1614718750"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_party_left","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","timestamp":"1614718900"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_message","msg_id":"0","party_id":"7215D0DA-D272-499C-9CF3-9F1A322F42CB","msg":"Please wait for the next available agent","timestamp":"1614718748"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_typing","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_not_typing","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_form_show","form_request_id":"12","form_name":"survey","form_timeout":"300","timestamp":"1614719100"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_file","msg_id":"4","party_id":"FA713225-A136-4EE4-AF5A-467019A84D67","file_id":"6fdadd52-df9e-44bb-af08-6e4cb3b7eb81","file_type":"attachment","file_name":"report.pdf","timestamp":"1614739612"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_signaling","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","data":{"type":"OFFER_CALL","offerVideo":false,"sdp":"v=0\r\n..."},"timestamp":"1614719000"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_timeout_warning","msg":"Are you still there?","timestamp":"1614719300"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_inactivity_timeout","msg":"Your session has expired due to inactivity.","timestamp":"1614719600"}"#,
    ),
    // The server's later events.
    (
        Dir::Server,
        r#"{"event":"chat_session_message_delivered","msg_id":"3","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","timestamp":"1614718800"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_message_read","msg_id":"3","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","timestamp":"1614718805"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_case_set","case_id":"00001234","timestamp":"1614718760"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_location","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","latitude":37.7749,"longitude":-122.4194,"timestamp":"1614718810"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_info","service_name":"Support"}"#,
    ),
    (
        Dir::Server,
        r#"{"event":"chat_session_secure_form_show","form_request_id":"15","form_id":"3","form_name":"payment"}"#,
    ),
    // A name neither direction knows: the server's unknown.
    (
        Dir::Server,
        r#"{"event":"chat_session_cobrowsing_requested","party_id":"80A8248D"}"#,
    ),
];

/// One envelope holding every event of [`SPEC`], in order.
fn spec_envelope() -> Vec<u8> {
    let mut out = br#"{"events":["#.to_vec();
    for (i, (_, event)) in SPEC.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(event.as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

/// What the direction's own decoder reads from `event`.
fn in_direction(dir: Dir, event: &str) -> HistoryEvent<'_> {
    match dir {
        Dir::Client => HistoryEvent::Client(chatwire::from_slice(event.as_bytes()).unwrap()),
        Dir::Server => HistoryEvent::Server(ServerEvent::from_slice(event.as_bytes()).unwrap()),
    }
}

#[test]
fn every_spec_event_of_a_mixed_envelope_lands_in_its_direction_with_its_fields() {
    let body = spec_envelope();
    let events: Vec<HistoryEvent<'_>> = stream::Events::<History>::new(&body)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events.len(), SPEC.len());
    for (event, &(dir, line)) in events.iter().zip(SPEC) {
        assert_eq!(*event, in_direction(dir, line), "{line}");
        assert_eq!(event.kind().is_client(), dir == Dir::Client, "{line}");
        assert_eq!(HistoryEvent::from_slice(line.as_bytes()).unwrap(), *event);
    }
    // Every kind of both directions but the client's unknown is there.
    for kind in HistoryKind::ALL {
        let expected = *kind != HistoryKind::Client(EventKind::Unknown);
        assert_eq!(
            events.iter().any(|e| e.kind() == *kind),
            expected,
            "{kind:?}"
        );
    }
    // A few fields, read through the history event.
    let HistoryEvent::Server(ServerEvent::Message { party_id, msg, .. }) = events[19] else {
        panic!("{:?}", events[19])
    };
    assert!(party_id == "7215D0DA-D272-499C-9CF3-9F1A322F42CB");
    assert!(msg == "Please wait for the next available agent");
    let HistoryEvent::Client(ClientEvent::Message { msg_id, .. }) = events[0] else {
        panic!("{:?}", events[0])
    };
    assert!(msg_id == "4f1c2a:7");
    let HistoryEvent::Client(ClientEvent::Typing { msg: Some(msg) }) = events[14] else {
        panic!("{:?}", events[14])
    };
    assert!(msg == "I would like to");
    let HistoryEvent::Server(ServerEvent::Unknown { name, .. }) = events[SPEC.len() - 1] else {
        panic!("{:?}", events[SPEC.len() - 1])
    };
    assert!(name == "chat_session_cobrowsing_requested");
}

/// Each name both directions send, and fields that make it valid in both
/// forms (a `party_id` is added or not).
const SHARED: &[(&str, &str)] = &[
    ("chat_session_message", r#""msg_id":"5","msg":"hi""#),
    ("chat_session_typing", r#""msg":"hel""#),
    ("chat_session_not_typing", ""),
    (
        "chat_session_file",
        r#""msg_id":"5","file_type":"image","file_id":"f""#,
    ),
    (
        "chat_session_signaling",
        r#""msg_id":"5","destination_party_id":"d","data":{"type":"END_CALL"}"#,
    ),
    ("chat_session_message_delivered", r#""ref_msg_id":"4""#),
    ("chat_session_message_read", r#""msg_id":"4""#),
    ("chat_session_location", r#""latitude":1.5,"longitude":"2""#),
];

fn object(name: &str, fields: &str, party: Option<&str>) -> String {
    let mut out = format!(r#"{{"event":"{name}""#);
    for part in [fields, party.unwrap_or("")] {
        if !part.is_empty() {
            out.push(',');
            out.push_str(part);
        }
    }
    out.push('}');
    out
}

#[test]
fn a_shared_name_with_a_party_id_is_the_servers_and_without_one_the_clients() {
    assert_eq!(SHARED.len(), 8);
    for &(name, fields) in SHARED {
        let without = object(name, fields, None);
        let event = HistoryEvent::from_slice(without.as_bytes()).unwrap();
        assert_eq!(event, in_direction(Dir::Client, &without), "{without}");

        let null = object(name, fields, Some(r#""party_id":null"#));
        let event = HistoryEvent::from_slice(null.as_bytes()).unwrap();
        assert_eq!(event, in_direction(Dir::Client, &null), "{null}");

        for party in [r#""party_id":"P-1""#, r#""party_id":17"#] {
            let with = object(name, fields, Some(party));
            let event = HistoryEvent::from_slice(with.as_bytes()).unwrap();
            assert_eq!(event, in_direction(Dir::Server, &with), "{with}");
            // `party_id` first, `"event"` last: the same.
            let reordered = format!(
                r#"{{{party}{}{fields},"event":"{name}"}}"#,
                if fields.is_empty() { "" } else { "," }
            );
            assert_eq!(
                HistoryEvent::from_slice(reordered.as_bytes()).unwrap(),
                event,
                "{reordered}"
            );
        }
    }
}

#[test]
fn the_chosen_form_is_checked_as_its_direction_checks_it() {
    // The server's message needs `msg`: with a party id, no client fallback.
    let err = HistoryEvent::from_slice(
        br#"{"event":"chat_session_message","msg_id":"0","party_id":"P"}"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::Msg));
    // The client's message needs `msg_id`, which the server's form too needs.
    let err =
        HistoryEvent::from_slice(br#"{"event":"chat_session_message","msg":"x"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::MsgId));
    // The client's signaling needs a destination; with a party id the
    // server's form does not.
    let err =
        HistoryEvent::from_slice(br#"{"event":"chat_session_signaling","data":"x"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::MsgId));
    assert!(matches!(
        HistoryEvent::from_slice(
            br#"{"event":"chat_session_signaling","data":"x","party_id":"P"}"#
        ),
        Ok(HistoryEvent::Server(ServerEvent::Signaling { .. }))
    ));
    // A `party_id` of the wrong type is the server's, and its error.
    let err = HistoryEvent::from_slice(br#"{"event":"chat_session_typing","party_id":true}"#)
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::InvalidType {
            field: Field::PartyId,
            ..
        }
    ));
    // A repeated `party_id` is the server's error; a client's form ignores it.
    let err = HistoryEvent::from_slice(
        br#"{"event":"chat_session_typing","party_id":"a","party_id":"b"}"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateField(Field::PartyId));
    // A name of one direction ignores `party_id` as that direction does.
    assert_eq!(
        HistoryEvent::from_slice(br#"{"event":"chat_session_end","party_id":"P"}"#).unwrap(),
        HistoryEvent::Client(ClientEvent::End)
    );
}

#[test]
fn escaped_names_land_as_the_plain_ones() {
    let plain =
        HistoryEvent::from_slice(br#"{"event":"chat_session_ended","party_id":"P"}"#).unwrap();
    let escaped =
        HistoryEvent::from_slice(br#"{"event":"chat_session_end\u0065d","party_id":"P"}"#).unwrap();
    assert_eq!(escaped, plain);
    let shared = HistoryEvent::from_slice(
        br#"{"event":"chat_session_\u006dessage","msg_id":"1","msg":"m","party_id":"P"}"#,
    )
    .unwrap();
    assert_eq!(shared.kind(), HistoryKind::Server(ServerKind::Message));
    let client = HistoryEvent::from_slice(br#"{"event":"chat_session_\u0065nd"}"#).unwrap();
    assert_eq!(client, HistoryEvent::Client(ClientEvent::End));
}

#[test]
fn parse_is_partial_on_every_strict_prefix_of_a_history_event() {
    for &(_, line) in SPEC {
        let bytes = line.as_bytes();
        for n in 0..bytes.len() {
            assert!(
                HistoryEvent::parse(&bytes[..n]).unwrap().is_partial(),
                "{n} bytes of {line}"
            );
        }
        let done = HistoryEvent::parse(bytes).unwrap().complete().unwrap();
        assert_eq!(done.1, bytes.len());
    }
}

/// A history with bad elements among good ones, in envelopes one per line.
fn history_with_errors() -> Vec<u8> {
    let mut out = spec_envelope();
    out.extend_from_slice(b"\n");
    out.extend_from_slice(
        br#"{"events":[{"event":"chat_session_message","party_id":"P","msg_id":"0"},{"event":"chat_session_typing"} , 7, {"event":"chat_session_ended"}]}"#,
    );
    out.extend_from_slice(b"\n");
    out.extend_from_slice(&workload::generate(Workload::History, 60, 11));
    out
}

type Items = Vec<Result<Vec<u8>, StreamError>>;

fn slice_items(input: &[u8], framing: Framing) -> Items {
    Events::<History>::with(input, framing, Config::new())
        .map(|item| item.map(|event| event.to_vec()))
        .collect()
}

fn decoder_items(input: &[u8], framing: Framing, chunks: &[usize]) -> Items {
    let mut decoder = Decoder::<History>::with(framing, Config::new());
    let mut buf = BytesMut::new();
    let mut items = Items::new();
    let mut fed = 0;
    let mut next = 0;
    while fed < input.len() {
        let len = chunks[next % chunks.len()].max(1);
        next += 1;
        let end = (fed + len).min(input.len());
        buf.extend_from_slice(&input[fed..end]);
        fed = end;
        while let Some(item) = decoder.decode(&mut buf) {
            items.push(item.map(|owned| owned.event().to_vec()));
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        items.push(item.map(|owned| owned.event().to_vec()));
    }
    items
}

#[test]
fn the_slice_iterator_reports_bad_elements_and_goes_on() {
    let input = history_with_errors();
    let items = slice_items(&input, Framing::Auto);
    let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0].kind(),
        StreamErrorKind::Event(ErrorKind::MissingField(Field::Msg))
    );
    assert_eq!(
        errors[1].kind(),
        StreamErrorKind::Event(ErrorKind::ExpectedObject)
    );
    assert!(items.len() > SPEC.len() + 60);
}

#[test]
fn the_decoder_equals_the_slice_iterator_in_even_chunks_of_every_size() {
    let input = history_with_errors();
    for framing in [Framing::Auto, Framing::Envelope] {
        let slice = slice_items(&input, framing);
        for size in (1..=64).chain([100, 1000, 4096, input.len()]) {
            assert_eq!(
                decoder_items(&input, framing, &[size]),
                slice,
                "{framing:?}, chunks of {size}"
            );
        }
    }
}

#[test]
fn the_decoder_equals_the_slice_iterator_over_ndjson_history() {
    let mut input = Vec::new();
    for &(_, line) in SPEC {
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(b"\r\n");
    }
    input.extend_from_slice(b"{\"event\":\"chat_session_message\",\"party_id\":1}\n");
    let slice = slice_items(&input, Framing::Ndjson);
    assert_eq!(slice.iter().filter(|i| i.is_err()).count(), 1);
    for size in 1..=40 {
        assert_eq!(decoder_items(&input, Framing::Ndjson, &[size]), slice);
        assert_eq!(decoder_items(&input, Framing::Auto, &[size]), slice);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_decoder_equals_the_slice_iterator_over_any_chunking(
        chunks in proptest::collection::vec(1usize..300, 1..12),
    ) {
        let input = history_with_errors();
        let slice = slice_items(&input, Framing::Auto);
        prop_assert_eq!(decoder_items(&input, Framing::Auto, &chunks), slice);
    }
}

#[test]
fn the_slice_iterator_allocates_nothing_over_a_history() {
    let mut input = history_with_errors();
    input.extend_from_slice(&workload::generate(Workload::History, 3000, 5));
    let mut kinds = [0usize; 64];
    let mut errors = 0;
    let before = allocations();
    for item in Events::<History>::with(&input, Framing::Auto, Config::new()) {
        match item {
            Ok(event) => kinds[event.kind().index()] += 1,
            Err(_) => errors += 1,
        }
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "allocations while iterating");
    assert_eq!(errors, 2);
    let clients: usize = HistoryKind::ALL
        .iter()
        .filter(|k| k.is_client())
        .map(|k| kinds[k.index()])
        .sum();
    let servers: usize = HistoryKind::ALL
        .iter()
        .filter(|k| k.is_server())
        .map(|k| kinds[k.index()])
        .sum();
    // The spec's fifteen client events, and the workload's client-only
    // events (form answers); the rest of the workload is the server's form.
    assert!(clients > 15 && servers > 2000, "{clients} {servers}");
}

#[test]
fn owned_history_events_round_trip() {
    for &(dir, line) in SPEC {
        let owned =
            OwnedEvent::<History>::from_bytes(Bytes::copy_from_slice(line.as_bytes())).unwrap();
        let event = owned.event();
        assert_eq!(event, in_direction(dir, line), "{line}");
        assert_eq!(owned.kind(), event.kind());
        assert_eq!(owned, event);
        assert_eq!(owned.as_bytes(), line.as_bytes());
        // From the event, through the writer, and back: same direction.
        let copy = OwnedEvent::from_event(&event);
        assert_eq!(copy.event(), event, "{line}");
        assert_eq!(copy.as_bytes(), event.to_vec());
        // The writer writes it as its inner event.
        let inner = match event {
            HistoryEvent::Client(e) => e.to_vec(),
            HistoryEvent::Server(e) => e.to_vec(),
        };
        assert_eq!(event.to_vec(), inner);
        let mut buf = [0u8; 512];
        let n = event.write_to_slice(&mut buf).unwrap();
        assert_eq!(&buf[..n], &inner[..]);
        assert_eq!(event.encoded_len(), n);
        let back = HistoryEvent::from(&copy);
        assert_eq!(back, event);
    }
}

#[test]
fn decoded_owned_events_equal_the_slice_iterators_borrowed_ones() {
    let input = history_with_errors();
    let borrowed: Vec<_> = Events::<History>::new(&input).collect();
    let mut decoder = Decoder::<History>::default();
    let mut buf = BytesMut::from(&input[..]);
    let mut owned = Vec::new();
    while let Some(item) = decoder.decode_eof(&mut buf) {
        owned.push(item);
    }
    assert_eq!(owned.len(), borrowed.len());
    for (o, b) in owned.iter().zip(&borrowed) {
        match (o, b) {
            (Ok(o), Ok(b)) => {
                assert_eq!(o, b);
                assert_eq!(o.kind(), b.kind());
                // The event's bytes decode alone to the same event.
                assert_eq!(HistoryEvent::from_slice(o.as_bytes()).unwrap(), *b);
            }
            (Err(o), Err(b)) => assert_eq!(o, b),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_history_event_takes_no_more_room_than_a_server_event() {
    if cfg!(target_pointer_width = "64") {
        assert_eq!(std::mem::size_of::<HistoryEvent<'_>>(), 104);
        assert_eq!(std::mem::size_of::<ServerEvent<'_>>(), 104);
    }
}
