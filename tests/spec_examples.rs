//! The spec's example of each event ("The eight events"), decoded field by
//! field.
#![cfg(feature = "std")]

mod common;

use chatwire::{ClientEvent, EventKind, FileType, IdValue, Status, ValueKind};

fn decode(input: &str) -> ClientEvent<'_> {
    chatwire::from_slice(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn spec_message_example_decodes_every_field() {
    let input = r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello, I need help with my order"}"#;
    let ClientEvent::Message { msg_id, msg, .. } = decode(input) else {
        panic!("not a message")
    };
    assert!(msg_id == "4f1c2a:7");
    assert!(!msg_id.is_int());
    assert_eq!(msg_id.as_u64(), None);
    let IdValue::Str(id_text) = msg_id.value() else {
        panic!("msg_id is a string")
    };
    assert_eq!(id_text.as_str(), Some("4f1c2a:7"));
    assert_eq!(msg.as_str(), Some("Hello, I need help with my order"));
    assert!(msg == "Hello, I need help with my order");
    assert_eq!(msg.to_cow(), "Hello, I need help with my order");
    assert!(matches!(msg.to_cow(), std::borrow::Cow::Borrowed(_)));
}

#[test]
fn spec_typing_example_decodes() {
    let event = decode(r#"{"event":"chat_session_typing"}"#);
    assert_eq!(event, ClientEvent::Typing { msg: None });
    assert_eq!(event.kind(), EventKind::Typing);
}

#[test]
fn spec_not_typing_example_decodes() {
    let event = decode(r#"{"event":"chat_session_not_typing"}"#);
    assert_eq!(event, ClientEvent::NotTyping);
    assert_eq!(event.kind(), EventKind::NotTyping);
}

#[test]
fn spec_form_data_example_decodes_every_field() {
    let input = r#"{"event":"chat_session_form_data","form_request_id":"12","form_name":"survey","data":{"param1":"value1"}}"#;
    let ClientEvent::FormData {
        form_request_id,
        form_name,
        data,
    } = decode(input)
    else {
        panic!("not form data")
    };
    assert!(form_request_id == "12");
    assert!(!form_request_id.is_int());
    assert_eq!(
        form_request_id.as_u64(),
        None,
        "a string id is not a number"
    );
    assert_eq!(form_name.as_str(), Some("survey"));
    assert_eq!(data.len(), 1);
    assert!(!data.is_empty());
    assert_eq!(data.raw().get(), r#"{"param1":"value1"}"#);
    let entries: Vec<_> = data.entries().collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0.as_str(), Some("param1"));
    assert_eq!(entries[0].1.get(), r#""value1""#);
    let value = data.get("param1").expect("param1");
    assert_eq!(value.kind(), ValueKind::String);
    assert!(value.as_text().is_some_and(|t| t == "value1"));
    assert!(data.get("param2").is_none());
}

#[test]
fn spec_end_example_decodes() {
    let event = decode(r#"{"event":"chat_session_end"}"#);
    assert_eq!(event, ClientEvent::End);
    assert_eq!(event.kind(), EventKind::End);
}

#[test]
fn spec_disconnect_example_decodes() {
    let event = decode(r#"{"event":"chat_session_disconnect"}"#);
    assert_eq!(event, ClientEvent::Disconnect);
    assert_eq!(event.kind(), EventKind::Disconnect);
}

#[test]
fn spec_signaling_example_decodes_every_field() {
    let input = r#"{"event":"chat_session_signaling","msg_id":"4f1c2a:8","destination_party_id":"agent-31","data":"<signaling message>"}"#;
    let ClientEvent::Signaling {
        msg_id,
        destination_party_id,
        data,
    } = decode(input)
    else {
        panic!("not signaling")
    };
    assert!(msg_id == "4f1c2a:8");
    assert!(destination_party_id == "agent-31");
    assert!(!destination_party_id.is_int());
    assert_eq!(data.kind(), ValueKind::String);
    assert_eq!(data.get(), r#""<signaling message>""#);
    assert!(data.as_text().is_some_and(|t| t == "<signaling message>"));
    assert!(data.entries().is_none());
    assert!(data.is_compact());
}

#[test]
fn spec_file_example_decodes_every_field() {
    let input = r#"{"event":"chat_session_file","msg_id":"4f1c2a:9","file_type":"image","file_id":"f-5521"}"#;
    let ClientEvent::File {
        msg_id,
        file_type,
        file_id,
        ..
    } = decode(input)
    else {
        panic!("not a file")
    };
    assert!(msg_id == "4f1c2a:9");
    assert_eq!(file_type, FileType::Image);
    assert_eq!(file_type.name(), "image");
    assert!(file_id == "f-5521");
    assert_eq!(file_id.as_text().and_then(|t| t.as_str()), Some("f-5521"));
}

#[test]
fn spec_examples_decode_to_their_hand_written_fields() {
    let examples = common::spec_examples();
    assert_eq!(examples.len(), 8, "one example per event");
    for fixture in &examples {
        let event =
            chatwire::from_slice(&fixture.json).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        common::check(fixture, &event);
    }
}

#[test]
fn spec_examples_cover_every_kind_of_3_13_once() {
    let kinds: Vec<EventKind> = common::spec_examples()
        .iter()
        .map(|f| chatwire::from_slice(&f.json).expect("valid").kind())
        .collect();
    // The eight events of the 3.13 spec come first in the table, in the
    // spec's order; the later ones follow (tests/later_events.rs).
    let known: Vec<EventKind> = EventKind::ALL[..8].to_vec();
    assert_eq!(kinds, known);
    for kind in known {
        assert!(EventKind::from_name(kind.name()) == Some(kind));
    }
}

#[test]
fn spec_examples_newline_delimited_parse_one_after_another() {
    // The log/queue framing of "How events travel": one event per line.
    let mut stream = Vec::new();
    for fixture in common::spec_examples() {
        stream.extend_from_slice(&fixture.json);
        stream.push(b'\n');
    }
    let mut rest = &stream[..];
    let mut kinds = Vec::new();
    while !rest.iter().all(|b| b.is_ascii_whitespace()) {
        let Ok(Status::Complete((event, used))) = chatwire::parse(rest) else {
            panic!("line {} did not parse", kinds.len() + 1)
        };
        assert_eq!(rest[used - 1], b'}');
        assert_eq!(rest[used], b'\n');
        kinds.push(event.kind());
        rest = &rest[used..];
    }
    assert_eq!(kinds.len(), 8);
}
