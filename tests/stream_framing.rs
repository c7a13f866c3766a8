//! Framing behaviour: detection, positions, recovery, writers.
#![cfg(feature = "alloc")]

use bytes::BytesMut;
use chatwire::stream::{self, Config, Decoder, Framing, StreamError, StreamErrorKind, Unit};
use chatwire::{ClientEvent, ErrorKind, Field};

const TYPING: &str = r#"{"event":"chat_session_typing"}"#;
const END: &str = r#"{"event":"chat_session_end"}"#;

/// A short description of each item, for comparisons.
fn items(input: &[u8], framing: Framing, config: Config) -> Vec<String> {
    stream::events_with(input, framing, config)
        .map(|item| match item {
            Ok(event) => format!("{:?}", event.kind()),
            Err(e) => describe(&e),
        })
        .collect()
}

fn describe(e: &StreamError) -> String {
    format!(
        "{:?} {:?} @{} {}:{}",
        e.kind(),
        e.unit(),
        e.offset(),
        e.line(),
        e.column()
    )
}

/// The same through the incremental decoder, one byte at a time.
fn items_incremental(input: &[u8], framing: Framing, config: Config) -> Vec<String> {
    let mut decoder = Decoder::with_config(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut push = |item: Result<chatwire::OwnedEvent, StreamError>| {
        out.push(match item {
            Ok(event) => format!("{:?}", event.kind()),
            Err(e) => describe(&e),
        })
    };
    for &b in input {
        buf.extend_from_slice(&[b]);
        while let Some(item) = decoder.decode(&mut buf) {
            push(item);
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        push(item);
    }
    assert!(buf.is_empty());
    out
}

fn check(input: &str, framing: Framing, expected: &[&str]) {
    let config = Config::new();
    let got = items(input.as_bytes(), framing, config);
    assert_eq!(got, expected, "slice, {input:?}");
    let got = items_incremental(input.as_bytes(), framing, config);
    assert_eq!(got, expected, "incremental, {input:?}");
}

#[test]
fn auto_detects_each_framing() {
    let cases = [
        (format!("{TYPING}\n{END}\n"), Framing::Ndjson),
        (TYPING.to_string(), Framing::Ndjson),
        (format!("  \n{TYPING}\r\n{END}"), Framing::Ndjson),
        (format!("{TYPING}{END}"), Framing::Concatenated),
        (format!("{TYPING} \t{END}"), Framing::Concatenated),
        (
            "{\n \"event\": \"chat_session_typing\"\n}{\"event\":\"chat_session_end\"}".to_string(),
            Framing::Concatenated,
        ),
        (
            format!("{{\"events\":[{TYPING},{END}]}}"),
            Framing::Envelope,
        ),
        (
            format!("{{ \"events\" :\n [{TYPING},{END}]}}"),
            Framing::Envelope,
        ),
        (
            format!("{{\"chat_id\":\"c1\",\"events\":[{TYPING},{END}]}}"),
            Framing::Envelope,
        ),
    ];
    for (input, framing) in cases {
        let mut events = stream::events(input.as_bytes());
        assert_eq!(
            events.next().unwrap().unwrap(),
            ClientEvent::Typing { msg: None },
            "{input}"
        );
        assert_eq!(events.framing(), framing, "{input}");
        assert_eq!(
            events.next().map(|e| e.unwrap()),
            (input.len() > TYPING.len() + 1).then_some(ClientEvent::End),
            "{input}"
        );
        assert!(events.next().is_none());
        let got = items_incremental(input.as_bytes(), Framing::Auto, Config::new());
        assert_eq!(got, items(input.as_bytes(), Framing::Auto, Config::new()));
    }
    // Not an object first: NDJSON, each line reported.
    check(
        "[1]\n{\"event\":\"chat_session_end\"}\n",
        Framing::Auto,
        &["Event(ExpectedObject) Line(1) @0 1:1", "End"],
    );
}

#[test]
fn auto_reads_an_events_array_first_as_an_envelope_even_beside_an_event_key() {
    // Rule 2 decides at `{"events":[`, before the rest of the object is
    // seen: its `"event"` key is then reported, not silently skipped as an
    // envelope's other members are, and the envelopes go on.
    let input = format!(
        "{{\"events\":[{END}],{}\n{{\"events\":[{END}]}}\n",
        &TYPING[1..]
    );
    let mut events = stream::events(input.as_bytes());
    assert_eq!(events.next().unwrap().unwrap(), ClientEvent::End);
    let e = events.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), StreamErrorKind::EventKeyInEnvelope);
    assert_eq!(&input[e.offset() as usize..][..8], "\"event\":");
    assert_eq!(events.framing(), Framing::Envelope);
    check(
        &input,
        Framing::Auto,
        &["End", "EventKeyInEnvelope Envelope(0) @41 1:42", "End"],
    );
    check(
        &input,
        Framing::Envelope,
        &["End", "EventKeyInEnvelope Envelope(0) @41 1:42", "End"],
    );
    // Read as envelopes, the NDJSON lines after it are one error each.
    let input = format!("{{\"events\":[],{}\n{END}\n", &TYPING[1..]);
    check(
        &input,
        Framing::Auto,
        &[
            "EventKeyInEnvelope Envelope(0) @13 1:14",
            "EventKeyInEnvelope Envelope(1) @45 2:2",
        ],
    );
    // Rule 4 follows the whole first value: an `"events"` array that is
    // not its first member, beside an `"event"` key, makes it an event.
    let input = format!("{{\"x\":1,\"events\":[],{}\n{END}\n", &TYPING[1..]);
    let mut events = stream::events(input.as_bytes());
    assert_eq!(
        events.next().unwrap().unwrap(),
        ClientEvent::Typing { msg: None }
    );
    assert_eq!(events.framing(), Framing::Ndjson);
    check(&input, Framing::Auto, &["Typing", "End"]);
}

#[test]
fn ndjson_reports_bad_lines_and_goes_on() {
    let input = format!(
        "{TYPING}\n\
         {{\"event\":\"chat_session_message\",\"msg\":\"hi\"}}\n\
         \n\
         {{\"event\":\"chat_session_typ\n\
         {TYPING} x\n\
         not json\n\
         {{\"event\":\n\
         {END}"
    );
    check(
        &input,
        Framing::Ndjson,
        &[
            "Typing",
            "Event(MissingField(MsgId)) Line(2) @74 2:43",
            "Event(ControlCharacter) Line(4) @103 4:27",
            "Event(TrailingCharacters) Line(5) @136 5:33",
            "Event(ExpectedObject) Line(6) @138 6:1",
            "Truncated Line(7) @156 7:10",
            "End",
        ],
    );
}

#[test]
fn envelope_reports_bad_elements_and_goes_on() {
    let input = format!(
        "{{\"events\":[{TYPING},{{\"event\":\"chat_session_message\"}},42,{{\"event\":tru}},{END}],\"more\":1}}\n\
         {{\"seq\":2,\"events\":[]}}\n{{}}"
    );
    check(
        &input,
        Framing::Envelope,
        &[
            "Typing",
            "Event(MissingField(MsgId)) Element { envelope: 0, index: 1 } @74 1:75",
            "Event(ExpectedObject) Element { envelope: 0, index: 2 } @76 1:77",
            "Event(InvalidLiteral) Element { envelope: 0, index: 3 } @88 1:89",
            "End",
            "MissingEvents Envelope(2) @156 3:2",
        ],
    );
}

#[test]
fn envelope_resynchronises_at_the_next_line_starting_with_a_brace() {
    let input = format!(
        "{{\"events\":[{TYPING} {TYPING}]}}\n\
         {{\"events\":[{{\"event\":\"chat_session_message\",\"msg_id\":\"1\",\"msg\":\"cut\n\
         {{\"events\":[{END}]}}\n\
         {{\"events\":[{TYPING}"
    );
    check(
        &input,
        Framing::Envelope,
        &[
            "Typing",
            "Framing(ExpectedCommaOrBracket) Envelope(0) @43 1:44",
            "Framing(ControlCharacter) Element { envelope: 1, index: 0 } @143 2:67",
            "End",
            "Typing",
            "Truncated Envelope(3) @228 4:43",
        ],
    );
}

#[test]
fn concatenated_values_recover_by_structure() {
    let input = format!(
        "{TYPING}{{\"event\":\"chat_session_file\",\"a\":[1,]}}\"x\"{END}  ]junk\n{TYPING}"
    );
    check(
        &input,
        Framing::Concatenated,
        &[
            "Typing",
            "Event(TrailingComma) Value(1) @67 1:68",
            "Event(ExpectedObject) Value(2) @69 1:70",
            "End",
            "Framing(ExpectedValue) Value(4) @102 1:103",
            "Typing",
        ],
    );
}

#[test]
fn oversize_events_are_reported_once_and_skipped() {
    let big = format!(
        r#"{{"event":"chat_session_message","msg_id":"1","msg":"{}"}}"#,
        "a".repeat(100)
    );
    let config = Config::new().max_event_len(64);
    for framing in [Framing::Ndjson, Framing::Concatenated] {
        let input = format!("{TYPING}\n{big}\n{END}\n");
        let expected = vec![
            "Typing".to_string(),
            format!(
                "TooLarge {:?} @32 2:1",
                if framing == Framing::Ndjson {
                    Unit::Line(2)
                } else {
                    Unit::Value(1)
                }
            ),
            "End".to_string(),
        ];
        assert_eq!(items(input.as_bytes(), framing, config), expected);
        assert_eq!(
            items_incremental(input.as_bytes(), framing, config),
            expected
        );
    }
    let input = format!("{{\"events\":[{TYPING},{big},{END}]}}");
    let expected = [
        "Typing",
        "TooLarge Element { envelope: 0, index: 1 } @43 1:44",
        "End",
    ];
    assert_eq!(items(input.as_bytes(), Framing::Envelope, config), expected);
    assert_eq!(
        items_incremental(input.as_bytes(), Framing::Envelope, config),
        expected
    );
}

#[test]
fn error_messages_name_the_unit_and_position() {
    let input = format!(
        "{{\"events\":[{TYPING},{{\"event\":\"chat_session_file\",\"msg_id\":1,\"file_type\":\"pdf\",\"file_id\":\"f\"}}]}}"
    );
    let err = stream::events(input.as_bytes())
        .nth(1)
        .unwrap()
        .unwrap_err();
    assert_eq!(
        err.kind(),
        StreamErrorKind::Event(ErrorKind::InvalidFileType)
    );
    assert_eq!(
        err.to_string(),
        "invalid event: invalid `file_type`: expected \"image\" or \"attachment\" in element 1 of envelope 0, at byte 95 (line 1, column 96)"
    );
    let input = b"{\"event\":\"chat_session_message\",\"msg\":1,\"msg_id\":\"x\"}\n";
    let err = stream::events(input).next().unwrap().unwrap_err();
    assert_eq!(
        err.kind().error_kind().and_then(|k| k.field()),
        Some(Field::Msg)
    );
}

#[test]
fn writers_round_trip() {
    let events = [
        ClientEvent::Typing { msg: None },
        ClientEvent::End,
        ClientEvent::Disconnect,
    ];
    let mut out = Vec::new();
    stream::write_envelope(&events, &mut out);
    out.push(b'\n');
    stream::write_envelope(&events[..1], &mut out);
    let back: Vec<_> = stream::events(&out).map(Result::unwrap).collect();
    assert_eq!(back, [&events[..], &events[..1]].concat());

    let mut buf = BytesMut::new();
    for event in &events {
        stream::write_ndjson(event, &mut buf);
    }
    let back: Vec<_> = stream::events_with(&buf, Framing::Ndjson, Config::new())
        .map(Result::unwrap)
        .collect();
    assert_eq!(back, events);
}

#[test]
fn owned_events_are_send_sync_static_and_rebuild_their_view() {
    fn assert_traits<T: Send + Sync + 'static + Clone>() {}
    assert_traits::<chatwire::OwnedEvent>();
    let input = concat!(
        r#"{"events":[{"msg":"caf\u00e9","event":"chat_session_message","msg_id":"m\"1"},"#,
        r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"a": [1, 2]}},"#,
        r#"{"event":"chat_session_signaling","msg_id":"m2","destination_party_id":-3,"data":{"type":"offer"}},"#,
        r#"{"event":"chat_session_file","msg_id":"m3","file_type":"attachment","file_id":"f9"},"#,
        r#"{"event":"chat_session_receipt","msg_id":"m4","extra":[true]},"#,
        r#"{"event":"chat_session_not_typing"},{"event":"chat_session_disconnect"}]}"#,
    );
    let borrowed: Vec<_> = stream::events(input.as_bytes())
        .map(Result::unwrap)
        .collect();
    let mut decoder = Decoder::new(Framing::Auto);
    let mut buf = BytesMut::from(input.as_bytes());
    let mut owned = Vec::new();
    while let Some(item) = decoder.decode_eof(&mut buf) {
        owned.push(item.unwrap());
    }
    assert_eq!(owned.len(), borrowed.len());
    for (o, b) in owned.iter().zip(&borrowed) {
        assert_eq!(o.event(), *b);
        assert_eq!(o.kind(), b.kind());
        assert_eq!(o.event().to_vec(), b.to_vec());
        assert_eq!(chatwire::from_slice(o.as_bytes()).unwrap(), *b);
    }
}
