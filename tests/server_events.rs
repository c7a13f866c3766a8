//! The server events and the later client events of
//! `shared/spec/server-events.md`: every example and every "In the field"
//! shape, field by field, and each held to the reference serde model.

use chatwire::reference::{ReferenceEvent, ReferenceServerEvent};
use chatwire::{
    ClientEvent, ErrorKind, EventKind, Expected, Field, FileType, ScalarValue, ServerEvent,
    ServerKind,
};

/// Decodes `input` as a server event, and checks it against the reference
/// model: serde_json reads the same value, the writer writes serde_json's
/// bytes, and the written bytes decode to the same event.
fn server(input: &str) -> ServerEvent<'_> {
    let event =
        ServerEvent::from_slice(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
    let oracle: ReferenceServerEvent = serde_json::from_str(input).unwrap();
    assert_eq!(ReferenceServerEvent::from(&event), oracle, "{input}");
    // Raw JSON is kept as it came by the model built from the event (the
    // one serde_json read holds it as a `Value`, with its keys sorted).
    let written = event.to_vec();
    let model = ReferenceServerEvent::from(&event);
    assert_eq!(written, serde_json::to_vec(&model).unwrap(), "{input}");
    assert_eq!(
        ServerEvent::from_slice(&written).unwrap(),
        event,
        "{input}: decode(write)"
    );
    event
}

/// [`server`] for client events.
fn client(input: &str) -> ClientEvent<'_> {
    let event = chatwire::from_slice(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
    let oracle: ReferenceEvent = serde_json::from_str(input).unwrap();
    assert_eq!(ReferenceEvent::from(&event), oracle, "{input}");
    let written = event.to_vec();
    let model = ReferenceEvent::from(&event);
    assert_eq!(written, serde_json::to_vec(&model).unwrap(), "{input}");
    assert_eq!(chatwire::from_slice(&written).unwrap(), event);
    event
}

/// A formatted input that lives as long as the test.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

const AGENT: &str = "80A8248D-69D7-4DA2-8074-6139AA191D7E";

#[test]
fn sizes_are_as_documented() {
    if cfg!(target_pointer_width = "64") {
        assert_eq!(size_of::<ClientEvent<'_>>(), 64);
        assert_eq!(size_of::<ServerEvent<'_>>(), 104);
    }
}

#[test]
fn status_keeps_state_and_ewt_as_they_came() {
    let ServerEvent::Status {
        state,
        ewt,
        timestamp,
    } = server(r#"{"event":"chat_session_status","state":"queued","ewt":"45"}"#)
    else {
        panic!()
    };
    assert!(state == "queued");
    assert!(matches!(ewt.unwrap().value(), ScalarValue::Str(t) if t == "45"));
    assert!(timestamp.is_none());
    // In the field: keys sorted, an empty ewt, a state beyond the five.
    let ServerEvent::Status { state, ewt, .. } =
        server(r#"{"event":"chat_session_status","ewt":"","state":"ivr"}"#)
    else {
        panic!()
    };
    assert!(state == "ivr");
    assert!(ewt.unwrap() == "");
    // An integer ewt (Android's Request Chat) is kept as a number.
    let ServerEvent::Status { ewt, .. } =
        server(r#"{"ewt":30,"event":"chat_session_status","state":"queued"}"#)
    else {
        panic!()
    };
    assert!(matches!(ewt.unwrap().value(), ScalarValue::Num("30")));
}

#[test]
fn ended_and_party_events() {
    assert!(matches!(
        server(r#"{"event":"chat_session_ended"}"#),
        ServerEvent::Ended
    ));
    let input = format!(
        r#"{{"event":"chat_session_party_joined","party_id":"{AGENT}","first_name":"Ann","last_name":"Lee","display_name":"Ann Lee","type":"internal","timestamp":"1614718750"}}"#
    );
    let ServerEvent::PartyJoined {
        party_id,
        first_name,
        last_name,
        display_name,
        party_type,
        timestamp,
    } = server(&input)
    else {
        panic!()
    };
    assert!(party_id == AGENT);
    assert!(first_name.unwrap() == "Ann" && last_name.unwrap() == "Lee");
    assert!(display_name.unwrap() == "Ann Lee");
    assert!(party_type == "internal");
    let timestamp = timestamp.unwrap();
    assert!(!timestamp.is_number());
    assert_eq!(timestamp.as_i64(), Some(1_614_718_750));
    // Names are optional; `type` is not.
    let ServerEvent::PartyJoined { first_name, .. } =
        server(r#"{"event":"chat_session_party_joined","party_id":"p","type":"scenario"}"#)
    else {
        panic!()
    };
    assert!(first_name.is_none());
    let err = ServerEvent::from_slice(br#"{"event":"chat_session_party_joined","party_id":"p"}"#)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::Type));
    // party_left, with the `type` real servers send.
    let ServerEvent::PartyLeft {
        party_id,
        party_type,
        timestamp,
    } = server(leak(format!(
        r#"{{"event":"chat_session_party_left","party_id":"{AGENT}","type":"internal","timestamp":"1614718900"}}"#
    )))
    else {
        panic!()
    };
    assert!(party_id == AGENT && party_type.unwrap() == "internal");
    assert!(timestamp.unwrap() == "1614718900");
}

#[test]
fn message_keeps_channel_and_a_numeric_timestamp() {
    let ServerEvent::Message {
        msg_id,
        party_id,
        msg,
        channel,
        timestamp,
    } = server(
        r#"{"channel":"web","event":"chat_session_message","msg":"Please wait","msg_id":"0","party_id":"7215D0DA-D272-499C-9CF3-9F1A322F42CB","timestamp":1614718748}"#,
    )
    else {
        panic!()
    };
    assert!(msg_id == "0" && msg == "Please wait");
    assert!(party_id == "7215D0DA-D272-499C-9CF3-9F1A322F42CB");
    assert!(channel.unwrap() == "web");
    assert!(matches!(
        timestamp.unwrap().value(),
        ScalarValue::Num("1614718748")
    ));
    // A null optional field is absent, and is not written.
    let event = server(
        r#"{"event":"chat_session_message","msg_id":"1","party_id":"p","msg":"x","channel":null}"#,
    );
    assert_eq!(
        event.to_vec(),
        br#"{"event":"chat_session_message","msg_id":"1","party_id":"p","msg":"x"}"#
    );
}

#[test]
fn typing_form_show_and_file() {
    let ServerEvent::Typing { party_id } = server(leak(format!(
        r#"{{"event":"chat_session_typing","party_id":"{AGENT}"}}"#
    ))) else {
        panic!()
    };
    assert!(party_id.unwrap() == AGENT);
    assert!(matches!(
        server(r#"{"event":"chat_session_not_typing"}"#),
        ServerEvent::NotTyping { party_id: None }
    ));
    let ServerEvent::FormShow {
        form_request_id,
        form_name,
        form_timeout,
        ..
    } = server(
        r#"{"event":"chat_session_form_show","form_request_id":"12","form_name":"survey","form_timeout":"300","timestamp":"1614719100"}"#,
    )
    else {
        panic!()
    };
    assert!(form_request_id == "12" && form_name == "survey");
    assert!(form_timeout.unwrap() == "300");
    // Android's integers, and the empty form name.
    let ServerEvent::FormShow {
        form_request_id,
        form_name,
        form_timeout,
        ..
    } = server(
        r#"{"event":"chat_session_form_show","form_request_id":12,"form_name":"","form_timeout":300}"#,
    )
    else {
        panic!()
    };
    assert_eq!(form_request_id.as_u64(), Some(12));
    assert!(form_name == "");
    assert!(form_timeout.unwrap().is_number());
    let ServerEvent::File {
        party_id,
        msg_id,
        file_id,
        file_type,
        file_name,
        timestamp,
    } = server(
        r#"{"event":"chat_session_file","msg_id":"4","party_id":"FA713225-A136-4EE4-AF5A-467019A84D67","file_id":"6fdadd52-df9e-44bb-af08-6e4cb3b7eb81","file_type":"attachment","file_name":"report.pdf","timestamp":"1614739612"}"#,
    )
    else {
        panic!()
    };
    assert!(party_id.unwrap() == "FA713225-A136-4EE4-AF5A-467019A84D67");
    assert!(msg_id == "4" && file_id == "6fdadd52-df9e-44bb-af08-6e4cb3b7eb81");
    assert_eq!(file_type, FileType::Attachment);
    assert!(file_name.unwrap() == "report.pdf" && timestamp.is_some());
    // Without party_id (the Java SDK reads session_id instead).
    assert!(matches!(
        server(
            r#"{"event":"chat_session_file","msg_id":"4","file_id":"f","file_type":"image","session_id":"s"}"#
        ),
        ServerEvent::File { party_id: None, .. }
    ));
}

#[test]
fn signaling_and_timeouts() {
    let ServerEvent::Signaling {
        party_id,
        msg_id,
        data,
        timestamp,
    } = server(leak(format!(
        r#"{{"event":"chat_session_signaling","party_id":"{AGENT}","data":{{"type":"OFFER_CALL","offerVideo":false,"sdp":"v=0\r\n..."}},"timestamp":"1614719000"}}"#
    )))
    else {
        panic!()
    };
    assert!(party_id.unwrap() == AGENT && msg_id.is_none() && timestamp.is_some());
    assert_eq!(
        data.get(),
        r#"{"type":"OFFER_CALL","offerVideo":false,"sdp":"v=0\r\n..."}"#
    );
    let ServerEvent::TimeoutWarning { msg, .. } = server(
        r#"{"event":"chat_session_timeout_warning","msg":"Are you still there?","timestamp":"1614719300"}"#,
    ) else {
        panic!()
    };
    assert!(msg.unwrap() == "Are you still there?");
    assert!(matches!(
        server(r#"{"event":"chat_session_inactivity_timeout","timestamp":"1614719600"}"#),
        ServerEvent::InactivityTimeout { msg: None, .. }
    ));
}

#[test]
fn later_server_events() {
    // Receipts: msg_id (SDKs) and ref_msg_id (v2 docs), kept apart.
    let ServerEvent::MessageDelivered {
        msg_id, ref_msg_id, ..
    } = server(leak(format!(
        r#"{{"event":"chat_session_message_delivered","msg_id":"3","party_id":"{AGENT}","timestamp":"1614718800"}}"#
    )))
    else {
        panic!()
    };
    assert!(msg_id.unwrap() == "3" && ref_msg_id.is_none());
    let ServerEvent::MessageRead {
        msg_id, ref_msg_id, ..
    } = server(r#"{"event":"chat_session_message_read","ref_msg_id":"3"}"#)
    else {
        panic!()
    };
    assert!(msg_id.is_none() && ref_msg_id.unwrap() == "3");
    let ServerEvent::CaseSet { case_id, .. } = server(
        r#"{"event":"chat_session_case_set","case_id":"00001234","timestamp":"1614718760"}"#,
    ) else {
        panic!()
    };
    assert!(case_id.unwrap() == "00001234");
    let ServerEvent::Location {
        latitude,
        longitude,
        url,
        ..
    } = server(leak(format!(
        r#"{{"event":"chat_session_location","party_id":"{AGENT}","latitude":37.7749,"longitude":-122.4194,"timestamp":"1614718810"}}"#
    )))
    else {
        panic!()
    };
    assert_eq!(latitude.as_f64(), Some(37.7749));
    assert_eq!(longitude.as_f64(), Some(-122.4194));
    assert!(url.is_none());
    // iOS sends the coordinates as strings.
    let ServerEvent::Location { latitude, .. } =
        server(r#"{"event":"chat_session_location","latitude":"37.7749","longitude":"-122.4194"}"#)
    else {
        panic!()
    };
    assert!(matches!(latitude.value(), ScalarValue::Str(_)));
    let ServerEvent::Info { service_name } =
        server(r#"{"event":"chat_session_info","service_name":"Support"}"#)
    else {
        panic!()
    };
    assert!(service_name == "Support");
    let ServerEvent::SecureFormShow {
        form_request_id,
        form_id,
        form_name,
    } = server(
        r#"{"event":"chat_session_secure_form_show","form_request_id":"15","form_id":"3","form_name":"payment"}"#,
    )
    else {
        panic!()
    };
    assert!(form_request_id == "15" && form_id == "3" && form_name.unwrap() == "payment");
    // Co-browsing names are known only as names: kept whole.
    let event = server(r#"{"event":"chat_session_cobrowsing_started","x":1}"#);
    assert_eq!(event.kind(), ServerKind::Unknown);
}

#[test]
fn later_client_events_and_extra_fields() {
    let ClientEvent::MessageDelivered { ref_msg_id, msg_id } =
        client(r#"{"event":"chat_session_message_delivered","ref_msg_id":"4"}"#)
    else {
        panic!()
    };
    assert!(ref_msg_id.unwrap() == "4" && msg_id.is_none());
    let ClientEvent::MessageRead { ref_msg_id, msg_id } =
        client(r#"{"event":"chat_session_message_read","msg_id":"4"}"#)
    else {
        panic!()
    };
    assert!(ref_msg_id.is_none() && msg_id.unwrap() == "4");
    let ClientEvent::Location {
        msg_id,
        latitude,
        longitude,
    } = client(
        r#"{"event":"chat_session_location","msg_id":"7","latitude":37.7749,"longitude":-122.4194}"#,
    )
    else {
        panic!()
    };
    assert!(msg_id.unwrap() == "7");
    assert!(latitude == "37.7749" && longitude == "-122.4194");
    let ClientEvent::Navigation {
        msg_id,
        page,
        title,
    } = client(
        r#"{"event":"chat_session_navigation","msg_id":"9","page":"https://shop.example.com/cart","title":"Your cart"}"#,
    )
    else {
        panic!()
    };
    assert!(msg_id.unwrap() == "9" && page == "https://shop.example.com/cart");
    assert!(title.unwrap() == "Your cart");
    let ClientEvent::SecureFormData {
        form_request_id,
        form_name,
        data,
    } = client(
        r#"{"event":"chat_session_secure_form_data","form_request_id":"15","form_name":"payment","data":{"card":"4111..."}}"#,
    )
    else {
        panic!()
    };
    assert!(form_request_id == "15" && form_name == "payment");
    assert!(data.get("card").unwrap().as_text().unwrap() == "4111...");
    let ClientEvent::SecureFormCancel {
        form_request_id,
        form_name,
    } = client(
        r#"{"event":"chat_session_secure_form_cancel","form_request_id":"15","form_name":"payment"}"#,
    )
    else {
        panic!()
    };
    assert!(form_request_id == "15" && form_name == "payment");
    // The extra fields of the original events.
    let ClientEvent::Typing { msg } =
        client(r#"{"event":"chat_session_typing","msg":"I would like to"}"#)
    else {
        panic!()
    };
    assert!(msg.unwrap() == "I would like to");
    let ClientEvent::Message { channel, .. } =
        client(r#"{"event":"chat_session_message","msg_id":"1","msg":"hi","channel":"web"}"#)
    else {
        panic!()
    };
    assert!(channel.unwrap() == "web");
    let ClientEvent::File { file_name, .. } = client(
        r#"{"event":"chat_session_file","msg_id":"1","file_type":"image","file_id":"f","file_name":"cat.png"}"#,
    ) else {
        panic!()
    };
    assert!(file_name.unwrap() == "cat.png");
}

#[test]
fn new_fields_are_type_checked_like_the_derive() {
    for (input, field, expected) in [
        (
            r#"{"event":"chat_session_typing","msg":1}"#,
            Field::Msg,
            Expected::String,
        ),
        (
            r#"{"event":"chat_session_location","latitude":true,"longitude":1}"#,
            Field::Latitude,
            Expected::StringOrNumber,
        ),
        (
            r#"{"event":"chat_session_message_read","ref_msg_id":1.5}"#,
            Field::RefMsgId,
            Expected::StringOrInteger,
        ),
    ] {
        let err = chatwire::from_slice(input.as_bytes()).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidType { field, expected },
            "{input}"
        );
        assert!(
            serde_json::from_str::<ReferenceEvent>(input).is_err(),
            "{input}"
        );
    }
}

#[test]
fn kinds_name_every_event_of_the_table() {
    for schema in chatwire::protocol::CLIENT_EVENTS {
        let kind = EventKind::from_name(schema.name).unwrap();
        assert_eq!(kind.name(), schema.name);
    }
    for schema in chatwire::protocol::SERVER_EVENTS {
        let kind = ServerKind::from_name(schema.name).unwrap();
        assert_eq!(kind.name(), schema.name);
    }
    assert_eq!(
        chatwire::protocol::SERVER_EVENTS.len(),
        ServerKind::ALL.len() - 1
    );
    assert_eq!(ServerKind::ALL.len(), 19);
    assert_eq!(EventKind::ALL.len(), 15);
}

/// The README's table of one direction's events, from the protocol table.
fn readme_table(schema: &[chatwire::protocol::EventSchema], unknown: &str) -> String {
    use chatwire::protocol::FieldType;
    let mut out = String::from("| `event` | variant | fields |\n|---|---|---|\n");
    for event in schema {
        let fields: Vec<String> = event
            .fields
            .iter()
            .map(|f| {
                let ty = match f.ty {
                    FieldType::Text => "Text",
                    FieldType::Id => "Id",
                    FieldType::Scalar => "Scalar",
                    FieldType::Raw => "Raw",
                    FieldType::Form => "FormFields",
                    FieldType::FileType => "FileType",
                    _ => "?",
                };
                let ty = if f.required {
                    ty.to_string()
                } else {
                    format!("Option<{ty}>")
                };
                if f.rust_name == f.field.name() {
                    format!("`{}: {ty}`", f.rust_name)
                } else {
                    format!("`{}: {ty}` (key `{}`)", f.rust_name, f.field.name())
                }
            })
            .collect();
        let fields = if fields.is_empty() {
            " ".to_string()
        } else {
            format!(" {} ", fields.join(", "))
        };
        out += &format!("| `{}` | `{}` |{fields}|\n", event.name, event.variant);
    }
    out += &format!("| anything else | `Unknown` | {unknown} |\n");
    out
}

#[test]
fn readme_lists_every_event_of_both_directions_with_its_fields() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let unknown = "`name: Text`, `raw: Raw` (the whole event, kept)";
    for (side, schema) in [
        ("client", chatwire::protocol::CLIENT_EVENTS),
        ("server", chatwire::protocol::SERVER_EVENTS),
    ] {
        let table = readme_table(schema, unknown);
        assert!(
            readme.contains(&table),
            "the README's {side} table is out of date; it should read:\n\n{table}"
        );
    }
}
