//! The writer is serde_json's, byte for byte: every event written by
//! chatwire equals serde_json's serialization of the reference model, reads
//! back as the same event, and every writer entry point agrees.
#![cfg(all(feature = "serde", feature = "std"))]

mod common;

use std::io;

use chatwire::reference::ReferenceEvent;
use chatwire::workload::Workload;
use chatwire::{BufferTooSmall, ClientEvent};

/// Writes `event` through every entry point, checks they agree, and returns
/// the bytes.
#[track_caller]
fn written(event: &ClientEvent<'_>, what: &str) -> Vec<u8> {
    let bytes = event.to_vec();
    assert_eq!(event.encoded_len(), bytes.len(), "{what}: encoded_len");

    let mut appended = b"before\n".to_vec();
    event.write_to_vec(&mut appended);
    assert_eq!(&appended[..7], b"before\n", "{what}: write_to_vec keeps");
    assert_eq!(&appended[7..], &bytes[..], "{what}: write_to_vec");

    let mut buf = bytes::BytesMut::new();
    event.write_to_buf(&mut buf);
    assert_eq!(&buf[..], &bytes[..], "{what}: write_to_buf");

    let mut io_out = Vec::new();
    event.write_to(&mut io_out).expect("a Vec does not fail");
    assert_eq!(io_out, bytes, "{what}: write_to");

    let mut trickle = Trickle(Vec::new());
    event
        .write_to(&mut trickle)
        .expect("short writes are retried");
    assert_eq!(trickle.0, bytes, "{what}: write_to in short writes");

    let mut exact = vec![0u8; bytes.len()];
    assert_eq!(event.write_to_slice(&mut exact), Ok(bytes.len()), "{what}");
    assert_eq!(exact, bytes, "{what}: write_to_slice");

    let mut roomy = vec![0xAAu8; bytes.len() + 16];
    assert_eq!(event.write_to_slice(&mut roomy), Ok(bytes.len()), "{what}");
    assert_eq!(&roomy[..bytes.len()], &bytes[..], "{what}: write_to_slice");
    assert!(
        roomy[bytes.len()..].iter().all(|&b| b == 0xAA),
        "{what}: tail"
    );

    for short in [bytes.len() - 1, bytes.len() / 2, 0] {
        let mut small = vec![0u8; short];
        assert_eq!(
            event.write_to_slice(&mut small),
            Err(BufferTooSmall {
                needed: bytes.len()
            }),
            "{what}: write_to_slice into {short} bytes"
        );
    }
    bytes
}

/// An `io::Write` that takes at most 7 bytes per call.
struct Trickle(Vec<u8>);

impl io::Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(7);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Checks one valid input against the reference model.
#[track_caller]
fn matches_reference(input: &[u8], what: &str) {
    let event = chatwire::from_slice(input).unwrap_or_else(|e| panic!("{what}: {e}"));
    let reference = ReferenceEvent::from(&event);

    let bytes = written(&event, what);
    let serde_bytes = serde_json::to_vec(&reference).expect("serializable");
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&serde_bytes),
        "{what}: writer vs serde_json"
    );

    let again = chatwire::from_slice(&bytes).unwrap_or_else(|e| panic!("{what}: rereading: {e}"));
    assert_eq!(
        again, event,
        "{what}: written bytes decode to the same event"
    );
    assert_eq!(again.to_vec(), bytes, "{what}: writing is idempotent");

    let oracle: ReferenceEvent =
        serde_json::from_slice(input).unwrap_or_else(|e| panic!("{what}: serde rejects: {e}"));
    assert_eq!(oracle, reference, "{what}: serde's reading vs chatwire's");
}

#[test]
fn writer_matches_serde_json_for_every_fixture() {
    for fixture in common::all() {
        matches_reference(&fixture.json, fixture.name);
    }
}

fn workload_matches_reference(workload: Workload) {
    for (i, input) in common::workload_events(workload, 2000).iter().enumerate() {
        matches_reference(input, &format!("{workload} event {i}"));
    }
}

#[test]
fn writer_matches_serde_json_for_mixed_workload() {
    workload_matches_reference(Workload::Mixed);
}

#[test]
fn writer_matches_serde_json_for_typing_workload() {
    workload_matches_reference(Workload::Typing);
}

#[test]
fn writer_matches_serde_json_for_signaling_workload() {
    workload_matches_reference(Workload::Signaling);
}

#[test]
fn writer_matches_serde_json_for_envelope_workload() {
    workload_matches_reference(Workload::Envelope);
}

/// `msg` spelt as `json_text` (the content of a JSON string), written out.
fn message_with(json_text: &str) -> Vec<u8> {
    let input = format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"{json_text}"}}"#);
    let event = chatwire::from_slice(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
    written(&event, &input)
}

/// What serde_json writes for a message holding `text`.
fn serde_message(text: &str) -> Vec<u8> {
    let quoted = serde_json::to_string(text).expect("a string");
    format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":{quoted}}}"#).into_bytes()
}

#[test]
fn every_control_character_is_escaped_as_serde_json_does() {
    for c in 0u32..0x20 {
        let text = char::from_u32(c).expect("a char").to_string();
        for spelling in [format!("\\u{c:04x}"), format!("\\u{c:04X}")] {
            assert_eq!(
                String::from_utf8_lossy(&message_with(&spelling)),
                String::from_utf8_lossy(&serde_message(&text)),
                "U+{c:04X} spelt {spelling}"
            );
        }
    }
    for (short, c) in [
        ("\\b", '\u{8}'),
        ("\\f", '\u{c}'),
        ("\\n", '\n'),
        ("\\r", '\r'),
        ("\\t", '\t'),
    ] {
        assert_eq!(
            message_with(short),
            serde_message(&c.to_string()),
            "{short}"
        );
    }
}

#[test]
fn quote_backslash_slash_del_and_line_separators_are_written_as_serde_json_does() {
    let cases = [
        (r#"\""#, "\""),
        (r"\u0022", "\""),
        (r"\\", "\\"),
        (r"\u005c", "\\"),
        (r"\/", "/"),
        (r"\u002f", "/"),
        (r"\u007f", "\u{7f}"),
        ("\u{7f}", "\u{7f}"),
        (r"\u2028", "\u{2028}"),
        (r"\u2029", "\u{2029}"),
        ("\u{2028}", "\u{2028}"),
        (r"\u00e9", "é"),
        ("é", "é"),
        (r"\u65e5\u672c", "日本"),
        (r"\ud83d\ude00", "😀"),
        (r"\uD83D\uDE00", "😀"),
        ("😀", "😀"),
        (r"\u003c\u003e\u0026\u003d\u0027", "<>&='"),
        (r"\ufffd\uffff", "\u{fffd}\u{ffff}"),
        (r"\udbff\udfff", "\u{10ffff}"),
    ];
    for (spelling, text) in cases {
        assert_eq!(
            String::from_utf8_lossy(&message_with(spelling)),
            String::from_utf8_lossy(&serde_message(text)),
            "{spelling}"
        );
    }
}

#[test]
fn string_of_every_escape_kind_is_byte_identical_to_serde_json() {
    let mut spelling = common::escaped_controls();
    let mut text = common::controls();
    for (s, t) in [
        (r#"\""#, "\""),
        (r"\\", "\\"),
        (r"\/", "/"),
        (r"\u007f", "\u{7f}"),
        (r"\u2028", "\u{2028}"),
        (" plain ", " plain "),
        (r"caf\u00e9 ", "café "),
        ("Grüße ", "Grüße "),
        (r"\ud83d\ude00", "😀"),
        (r"\b\f\n\r\t", "\u{8}\u{c}\n\r\t"),
    ] {
        spelling.push_str(s);
        text.push_str(t);
    }
    assert_eq!(message_with(&spelling), serde_message(&text));
    let expected = serde_json::to_string(&text).expect("a string");
    let input = format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"{spelling}"}}"#);
    let ClientEvent::Message { msg, .. } = chatwire::from_slice(input.as_bytes()).expect("valid")
    else {
        panic!()
    };
    assert_eq!(msg.to_cow(), text);
    assert_eq!(serde_json::to_string(&msg).expect("Serialize"), expected);
}

#[test]
fn escaped_ids_and_names_are_written_as_serde_json_does() {
    let input = r#"{"event":"chat_session_file","msg_id":"a\u0022b\/c\u0001","file_type":"im\u0061ge","file_id":"\ud83d\udcce\u00e9"}"#;
    let event = chatwire::from_slice(input.as_bytes()).expect("valid");
    let expected = format!(
        r#"{{"event":"chat_session_file","msg_id":{},"file_type":"image","file_id":{}}}"#,
        serde_json::to_string("a\"b/c\u{1}").expect("str"),
        serde_json::to_string("📎é").expect("str"),
    );
    assert_eq!(
        String::from_utf8(written(&event, input)).expect("UTF-8"),
        expected
    );
    matches_reference(input.as_bytes(), input);
}

#[test]
fn raw_values_are_written_less_whitespace_and_otherwise_as_they_came() {
    let input = "{ \"event\" : \"chat_session_signaling\" , \"data\" : { \"b\" : [ 1.50 , \"x y\\/\" ] , \"a\" : -0 } , \"msg_id\" : 1 , \"destination_party_id\" : \"p\" }";
    let event = chatwire::from_slice(input.as_bytes()).expect("valid");
    assert_eq!(
        String::from_utf8(written(&event, input)).expect("UTF-8"),
        r#"{"event":"chat_session_signaling","msg_id":1,"destination_party_id":"p","data":{"b":[1.50,"x y\/"],"a":-0}}"#
    );
    matches_reference(input.as_bytes(), input);
}

#[test]
fn unknown_event_is_written_back_whole_less_whitespace() {
    let input = "\n{ \"event\" : \"chat_session_cobrowsing_ended\", \"msg_ids\" : [ \"a\", \"b\" ],\t\"at\": 1.0E3 }\n";
    let event = chatwire::from_slice(input.as_bytes()).expect("valid");
    assert_eq!(
        String::from_utf8(written(&event, input)).expect("UTF-8"),
        r#"{"event":"chat_session_cobrowsing_ended","msg_ids":["a","b"],"at":1.0E3}"#
    );
    matches_reference(input.as_bytes(), input);
}

#[test]
fn write_to_reports_the_writers_error() {
    struct Broken;
    impl io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("broken pipe"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let fixture = common::named("signaling SDP offer object");
    let event = chatwire::from_slice(&fixture.json).expect("valid");
    let err = event.write_to(Broken).expect_err("the writer fails");
    assert_eq!(err.to_string(), "broken pipe");
    assert!(ClientEvent::End.write_to(Broken).is_err());
}

/// Whether any raw value of `event` holds a number serde_json reads as a
/// float (the `Serialize` impl writes those through `f64`).
fn raw_holds_float(event: &ClientEvent<'_>) -> bool {
    fn holds(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => n.is_f64(),
            serde_json::Value::Array(items) => items.iter().any(holds),
            serde_json::Value::Object(map) => map.values().any(holds),
            _ => false,
        }
    }
    let raw = match event {
        ClientEvent::Signaling { data, .. } => *data,
        ClientEvent::FormData { data, .. } => data.raw(),
        ClientEvent::Unknown { raw, .. } => *raw,
        _ => return false,
    };
    holds(&serde_json::from_str(raw.get()).expect("valid JSON"))
}

#[test]
fn serialize_impl_reads_back_as_the_writers_value_and_matches_it_without_raw_values() {
    let mut inputs: Vec<(String, Vec<u8>)> = common::all()
        .into_iter()
        .map(|f| (f.name.to_owned(), f.json))
        .collect();
    for workload in Workload::CLIENT {
        for (i, input) in common::workload_events(workload, 500)
            .into_iter()
            .enumerate()
        {
            inputs.push((format!("{workload} event {i}"), input));
        }
    }
    let mut checked = 0;
    let mut differ = Vec::new();
    for (what, input) in &inputs {
        let event = chatwire::from_slice(input).expect("valid");
        if raw_holds_float(&event) {
            continue;
        }
        let via_serde = serde_json::to_vec(&event).expect("serializable");
        let via_writer = event.to_vec();
        // Raw values go through the serializer's own escaping, so only the
        // value must agree for them; without raw values, the bytes.
        let has_raw = matches!(
            event,
            ClientEvent::Signaling { .. }
                | ClientEvent::FormData { .. }
                | ClientEvent::Unknown { .. }
        );
        let same = if has_raw {
            serde_json::from_slice::<serde_json::Value>(&via_serde).expect("json")
                == serde_json::from_slice::<serde_json::Value>(&via_writer).expect("json")
        } else {
            via_serde == via_writer
        };
        if !same {
            differ.push(format!(
                "{what}:\n  Serialize: {}\n  writer:    {}",
                String::from_utf8_lossy(&via_serde),
                String::from_utf8_lossy(&via_writer)
            ));
        }
        checked += 1;
    }
    assert!(checked > 1500, "{checked}");
    assert!(
        differ.is_empty(),
        "{} of {checked} events differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// Damaged copies of `input`: each of a few bytes replaced or removed.
fn damaged(input: &[u8], seed: usize) -> Vec<Vec<u8>> {
    const BAD: [u8; 12] = [
        b'"', b'\\', 0, 0xff, b'}', b']', b',', b'x', b'1', b'{', b' ', b'-',
    ];
    let mut out = Vec::new();
    for j in 0..8 {
        let at = (seed * 31 + j * 97 + 5) % input.len();
        for &b in &BAD {
            let mut copy = input.to_vec();
            copy[at] = b;
            out.push(copy);
        }
        let mut cut = input.to_vec();
        cut.remove(at);
        out.push(cut);
        out.push(input[..at].to_vec());
    }
    out
}

#[test]
fn reference_model_agrees_on_acceptance_of_damaged_fixtures() {
    let mut checked = 0;
    let mut rejected = 0;
    for (n, fixture) in common::all().iter().enumerate() {
        for input in damaged(&fixture.json, n) {
            let ours = chatwire::from_slice(&input);
            let theirs = serde_json::from_slice::<ReferenceEvent>(&input);
            let shown = String::from_utf8_lossy(&input);
            match (&ours, &theirs) {
                (Ok(event), Ok(reference)) => {
                    assert_eq!(ReferenceEvent::from(event), *reference, "{shown}");
                }
                (Err(_), Err(_)) => rejected += 1,
                _ => panic!(
                    "{}: chatwire {ours:?} but serde {theirs:?} on {shown:?}",
                    fixture.name
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 5000 && rejected > 2500, "{checked} {rejected}");
}

#[test]
fn reference_model_agrees_on_the_depth_limit() {
    for (depth, accepted) in [(126, true), (127, false)] {
        let input = format!(
            r#"{{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(
            chatwire::from_slice(input.as_bytes()).is_ok(),
            accepted,
            "{depth}"
        );
        assert_eq!(
            serde_json::from_str::<ReferenceEvent>(&input).is_ok(),
            accepted,
            "{depth}"
        );
    }
}
