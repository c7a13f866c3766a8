//! What real clients send ("In the field"), decoded field by field.
#![cfg(feature = "std")]

mod common;

use chatwire::{ClientEvent, FileType, IdValue, Status, ValueKind};

fn decode(input: &str) -> ClientEvent<'_> {
    chatwire::from_slice(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn every_fixture_decodes_to_its_hand_written_fields() {
    for fixture in common::all() {
        let event =
            chatwire::from_slice(&fixture.json).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        common::check(&fixture, &event);
    }
}

#[test]
fn every_fixture_parses_to_the_same_event_as_from_slice() {
    for fixture in common::all() {
        let whole = chatwire::from_slice(&fixture.json).expect("valid");
        match chatwire::parse(&fixture.json) {
            Ok(Status::Complete((event, used))) => {
                assert_eq!(event, whole, "{}", fixture.name);
                assert_eq!(used, fixture.end(), "{}", fixture.name);
            }
            other => panic!("{}: {other:?}", fixture.name),
        }
    }
}

#[test]
fn uuid_msg_id_is_a_string_id() {
    let input = r#"{"event":"chat_session_message","msg_id":"3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091","msg":"hi"}"#;
    let ClientEvent::Message { msg_id, msg, .. } = decode(input) else {
        panic!()
    };
    assert!(msg_id == "3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091");
    assert!(!msg_id.is_int());
    assert_eq!(
        msg_id.as_text().and_then(|t| t.as_str()),
        Some("3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091")
    );
    assert_eq!(msg.as_str(), Some("hi"));
}

#[test]
fn numeric_form_request_id_keeps_its_integer() {
    let input = r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"param1":"value1"}}"#;
    let ClientEvent::FormData {
        form_request_id,
        form_name,
        data,
    } = decode(input)
    else {
        panic!()
    };
    assert!(form_request_id.is_int());
    assert_eq!(form_request_id.value(), IdValue::Int("12"));
    assert_eq!(form_request_id.as_u64(), Some(12));
    assert_eq!(form_request_id.as_i64(), Some(12));
    assert!(form_request_id.as_text().is_none());
    assert!(form_request_id == "12");
    assert_eq!(form_request_id.to_string(), "12");
    assert_eq!(form_name.as_str(), Some("survey"));
    assert_eq!(data.len(), 1);
}

#[test]
fn numeric_id_differs_from_the_same_digits_as_a_string() {
    let a = decode(r#"{"event":"chat_session_message","msg_id":12,"msg":"x"}"#);
    let b = decode(r#"{"event":"chat_session_message","msg_id":"12","msg":"x"}"#);
    assert_ne!(a, b, "the writer must know which came in");
}

#[test]
fn integer_ids_of_both_signs_and_the_extremes_decode() {
    // (digits, as_u64, as_i64)
    let cases: [(&str, Option<u64>, Option<i64>); 7] = [
        ("0", Some(0), Some(0)),
        ("-1", None, Some(-1)),
        ("-42", None, Some(-42)),
        ("9223372036854775807", Some(i64::MAX as u64), Some(i64::MAX)),
        ("9223372036854775808", Some(1 << 63), None),
        ("18446744073709551615", Some(u64::MAX), None),
        ("-9223372036854775808", None, Some(i64::MIN)),
    ];
    for (digits, as_u64, as_i64) in cases {
        let input = format!(
            r#"{{"event":"chat_session_file","msg_id":{digits},"file_type":"attachment","file_id":{digits}}}"#
        );
        let ClientEvent::File {
            msg_id, file_id, ..
        } = decode(&input)
        else {
            panic!("{input}")
        };
        for id in [msg_id, file_id] {
            assert!(id.is_int(), "{digits}");
            assert_eq!(id.value(), IdValue::Int(digits), "{digits}");
            assert_eq!(id.as_u64(), as_u64, "{digits}");
            assert_eq!(id.as_i64(), as_i64, "{digits}");
        }
    }
}

#[test]
fn signaling_data_as_sdp_offer_object_is_kept_whole() {
    let input = format!(
        r#"{{"event":"chat_session_signaling","msg_id":"c0ffee:3","destination_party_id":"agent-31","data":{}}}"#,
        common::SDP_OFFER
    );
    let ClientEvent::Signaling {
        msg_id,
        destination_party_id,
        data,
    } = decode(&input)
    else {
        panic!()
    };
    assert!(msg_id == "c0ffee:3");
    assert!(destination_party_id == "agent-31");
    assert_eq!(data.kind(), ValueKind::Object);
    assert_eq!(data.get(), common::SDP_OFFER);
    let entries: Vec<_> = data.entries().expect("an object").collect();
    assert_eq!(entries.len(), 2);
    assert!(entries[0].0 == "type");
    assert!(entries[0].1.as_text().is_some_and(|t| t == "offer"));
    assert!(entries[1].0 == "sdp");
    let sdp = entries[1].1.as_text().expect("a string");
    assert!(sdp.is_escaped());
    let sdp = sdp.to_cow();
    assert!(sdp.starts_with("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"));
    assert!(sdp.ends_with("a=rtpmap:111 opus/48000/2\r\n"));
    assert_eq!(sdp.matches("\r\n").count(), 16);
}

#[test]
fn signaling_data_as_ice_candidate_object_keeps_its_number() {
    let input = format!(
        r#"{{"event":"chat_session_signaling","msg_id":"c0ffee:4","destination_party_id":"agent-31","data":{}}}"#,
        common::ICE_CANDIDATE
    );
    let ClientEvent::Signaling { data, .. } = decode(&input) else {
        panic!()
    };
    assert_eq!(data.get(), common::ICE_CANDIDATE);
    let entries: Vec<_> = data.entries().expect("an object").collect();
    let keys: Vec<_> = entries.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(keys, ["candidate", "sdpMid", "sdpMLineIndex"]);
    assert!(entries[0].1.as_text().is_some_and(|t| {
        t.as_str()
            .is_some_and(|c| c.starts_with("candidate:842163049 1 udp"))
    }));
    assert_eq!(entries[1].1.get(), r#""0""#);
    assert_eq!(entries[1].1.kind(), ValueKind::String);
    assert_eq!(entries[2].1.get(), "0");
    assert_eq!(entries[2].1.kind(), ValueKind::Number);
}

#[test]
fn signaling_data_of_every_json_type_is_kept() {
    let cases = [
        (r#""offer""#, ValueKind::String),
        (r#"{"type":"offer"}"#, ValueKind::Object),
        (r#"[1,"two",{"three":3},[],null,true]"#, ValueKind::Array),
        ("42", ValueKind::Number),
        ("-1.5e-3", ValueKind::Number),
        ("-0", ValueKind::Number),
        ("true", ValueKind::Bool),
        ("false", ValueKind::Bool),
        ("null", ValueKind::Null),
    ];
    for (value, kind) in cases {
        for spacing in ["", " ", "\n\t"] {
            let input = format!(
                r#"{{"event":"chat_session_signaling","data":{spacing}{value}{spacing},"msg_id":"m","destination_party_id":"p"}}"#
            );
            let ClientEvent::Signaling { data, .. } = decode(&input) else {
                panic!("{input}")
            };
            assert_eq!(data.get(), value, "{input}");
            assert_eq!(data.kind(), kind, "{input}");
            assert!(data.is_compact(), "{input}");
        }
    }
}

#[test]
fn signaling_data_with_whitespace_compacts_outside_strings_only() {
    let data_text =
        "{ \"type\" : \"answer\" ,\n\t\"sdp\" : \"v=0\\r\\n a b \" , \"list\" : [ 1 , 2 ] }";
    let input = format!(
        r#"{{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":{data_text}}}"#
    );
    let ClientEvent::Signaling { data, .. } = decode(&input) else {
        panic!()
    };
    assert_eq!(data.get(), data_text);
    assert!(!data.is_compact());
    assert_eq!(
        data.to_string(),
        r#"{"type":"answer","sdp":"v=0\r\n a b ","list":[1,2]}"#
    );
    let list = data
        .entries()
        .expect("object")
        .find(|(k, _)| k == "list")
        .expect("list")
        .1;
    let elements: Vec<_> = list.elements().expect("array").map(|e| e.get()).collect();
    assert_eq!(elements, ["1", "2"]);
    let same = chatwire::Raw::from_json(r#"{"type":"answer","sdp":"v=0\r\n a b ","list":[1,2]}"#)
        .expect("valid");
    assert_eq!(data, same, "equality ignores whitespace outside strings");
}

#[test]
fn extra_party_id_and_numeric_timestamp_are_skipped() {
    let input = r#"{"event":"chat_session_message","msg_id":"4f1c2a:10","msg":"with extras","party_id":"p-77","timestamp":1700000000123}"#;
    let ClientEvent::Message { msg_id, msg, .. } = decode(input) else {
        panic!()
    };
    assert!(msg_id == "4f1c2a:10");
    assert_eq!(msg.as_str(), Some("with extras"));
    let typing =
        decode(r#"{"party_id":"p-1","event":"chat_session_typing","timestamp":1700000000999}"#);
    assert_eq!(typing, ClientEvent::Typing { msg: None });
}

#[test]
fn html_safe_escapes_decode() {
    let input = r#"{"event":"chat_session_message","msg_id":"e1","msg":"\u003cb\u003ebold\u003c/b\u003e \u0026 a\u003db \u0027q\u0027"}"#;
    let ClientEvent::Message { msg, .. } = decode(input) else {
        panic!()
    };
    assert_eq!(msg.as_str(), None);
    assert_eq!(
        msg.raw(),
        r#"\u003cb\u003ebold\u003c/b\u003e \u0026 a\u003db \u0027q\u0027"#
    );
    assert!(msg == "<b>bold</b> & a=b 'q'");
    assert_eq!(msg.to_cow(), "<b>bold</b> & a=b 'q'");
    let mut buf = [0u8; 64];
    assert_eq!(msg.unescape_into(&mut buf), Ok("<b>bold</b> & a=b 'q'"));
}

#[test]
fn non_ascii_escapes_and_surrogate_pair_decode() {
    let input = r#"{"event":"chat_session_message","msg_id":"e2","msg":"caf\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00!"}"#;
    let ClientEvent::Message { msg, .. } = decode(input) else {
        panic!()
    };
    assert!(msg == "café 日本語 😀!");
    assert_eq!(msg.to_cow(), "café 日本語 😀!");
    assert_eq!(msg.unescaped_len(), "café 日本語 😀!".len());
    assert_eq!(msg.chars().filter(|&c| c == '😀').count(), 1);
    let pieces: Vec<_> = msg.pieces().collect();
    assert!(pieces.contains(&chatwire::Piece::Char('😀')));
    assert!(pieces.contains(&chatwire::Piece::Char('é')));
}

#[test]
fn event_key_need_not_come_first() {
    let last =
        decode(r#"{"msg_id":"4f1c2a:11","msg":"event last","event":"chat_session_message"}"#);
    let ClientEvent::Message { msg_id, msg, .. } = last else {
        panic!()
    };
    assert!(msg_id == "4f1c2a:11" && msg == "event last");
    let middle = decode(
        r#"{"form_name":"survey","event":"chat_session_form_data","data":{"q":"a"},"form_request_id":"fr-1"}"#,
    );
    let ClientEvent::FormData {
        form_request_id,
        form_name,
        data,
    } = middle
    else {
        panic!()
    };
    assert!(form_request_id == "fr-1" && form_name == "survey");
    assert_eq!(data.raw().get(), r#"{"q":"a"}"#);
}

#[test]
fn unknown_event_is_kept_whole_with_its_name() {
    let input = r#"{"event":"chat_session_cobrowsing_requested","msg_id":"4f1c2a:7","timestamp":1700000000456}"#;
    let event = decode(input);
    assert_eq!(event.kind(), chatwire::EventKind::Unknown);
    let ClientEvent::Unknown { name, raw } = event else {
        panic!()
    };
    assert_eq!(name.as_str(), Some("chat_session_cobrowsing_requested"));
    assert_eq!(raw.get(), input);
    assert_eq!(raw.kind(), ValueKind::Object);
    assert!(raw.is_compact());
    let keys: Vec<_> = raw
        .entries()
        .expect("object")
        .map(|(k, _)| k.to_string())
        .collect();
    assert_eq!(keys, ["event", "msg_id", "timestamp"]);
}

#[test]
fn unknown_event_with_whitespace_keeps_its_bytes_and_surrounding_whitespace_is_not_part_of_it() {
    let object =
        "{ \"event\" : \"chat_session_cobrowsing_ended\" ,\n  \"msg_ids\" : [ \"4f1c2a:7\" ] }";
    let input = format!(" \n{object}\r\n");
    let ClientEvent::Unknown { name, raw } = decode(&input) else {
        panic!()
    };
    assert!(name == "chat_session_cobrowsing_ended");
    assert_eq!(raw.get(), object);
    assert!(!raw.is_compact());
    assert_eq!(
        raw.to_string(),
        r#"{"event":"chat_session_cobrowsing_ended","msg_ids":["4f1c2a:7"]}"#
    );
}

#[test]
fn unknown_event_name_with_escapes_is_unescaped_on_demand() {
    let input = r#"{"event":"chat_session_\u0063obrowse_start"}"#;
    let ClientEvent::Unknown { name, raw } = decode(input) else {
        panic!()
    };
    assert_eq!(name.as_str(), None);
    assert_eq!(name.raw(), r#"chat_session_\u0063obrowse_start"#);
    assert!(name == "chat_session_cobrowse_start");
    assert_eq!(raw.get(), input);
}

#[test]
fn escaped_event_name_and_keys_name_known_events_and_fields() {
    assert_eq!(
        decode(r#"{"event":"chat_session_typ\u0069ng"}"#),
        ClientEvent::Typing { msg: None }
    );
    assert_eq!(
        decode(r#"{"\u0065vent":"\u0063hat_session_end"}"#),
        ClientEvent::End
    );
    let ClientEvent::Message { msg_id, msg, .. } =
        decode(r#"{"event":"chat_session_message","\u006dsg_id":"k1","m\u0073g":"escaped keys"}"#)
    else {
        panic!()
    };
    assert!(msg_id == "k1" && msg == "escaped keys");
    let ClientEvent::File { file_type, .. } = decode(
        r#"{"event":"chat_session_file","msg_id":"f:1","file_type":"\u0061ttachment","file_id":"f"}"#,
    ) else {
        panic!()
    };
    assert_eq!(file_type, FileType::Attachment);
}

#[test]
fn form_data_empty_has_no_entries() {
    let ClientEvent::FormData { data, .. } = decode(
        r#"{"event":"chat_session_form_data","form_request_id":"13","form_name":"empty","data":{}}"#,
    ) else {
        panic!()
    };
    assert!(data.is_empty());
    assert_eq!(data.len(), 0);
    assert_eq!(data.entries().count(), 0);
    assert!(data.get("anything").is_none());
    let ClientEvent::FormData { data, .. } = decode(
        r#"{"event":"chat_session_form_data","form_request_id":"13","form_name":"empty","data":{ 	}}"#,
    ) else {
        panic!()
    };
    assert!(data.is_empty());
}

#[test]
fn form_data_with_twelve_fields_lists_them_in_order() {
    let fixture = common::named("form data with twelve fields");
    let ClientEvent::FormData { data, .. } = chatwire::from_slice(&fixture.json).expect("valid")
    else {
        panic!()
    };
    assert_eq!(data.len(), 12);
    let got: Vec<(String, String)> = data
        .entries()
        .map(|(k, v)| (k.to_string(), v.as_text().expect("string").to_string()))
        .collect();
    let want: Vec<(String, String)> = common::TWELVE_FIELDS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(got, want);
    for (key, value) in common::TWELVE_FIELDS {
        assert!(
            data.get(key)
                .and_then(|v| v.as_text())
                .is_some_and(|t| t == value)
        );
    }
}

#[test]
fn form_data_keeps_non_string_values() {
    let input = r#"{"event":"chat_session_form_data","form_request_id":15,"form_name":"csat","data":{"score":5,"agree":true,"comment":null,"tags":["a","b"],"address":{"city":"Köln","zip":"50667"},"ratio":0.5}}"#;
    let ClientEvent::FormData { data, .. } = decode(input) else {
        panic!()
    };
    let get = |key: &str| data.get(key).unwrap_or_else(|| panic!("{key}"));
    assert_eq!(
        (get("score").get(), get("score").kind()),
        ("5", ValueKind::Number)
    );
    assert_eq!(
        (get("agree").get(), get("agree").kind()),
        ("true", ValueKind::Bool)
    );
    assert_eq!(
        (get("comment").get(), get("comment").kind()),
        ("null", ValueKind::Null)
    );
    assert_eq!(get("tags").kind(), ValueKind::Array);
    assert_eq!(get("tags").elements().expect("array").count(), 2);
    let address = get("address");
    assert_eq!(address.kind(), ValueKind::Object);
    let city = address
        .entries()
        .expect("object")
        .find(|(k, _)| k == "city")
        .expect("city")
        .1;
    assert_eq!(city.as_text().and_then(|t| t.as_str()), Some("Köln"));
    assert_eq!(get("ratio").get(), "0.5");
    assert_eq!(data.len(), 6);
}

#[test]
fn form_data_with_repeated_keys_lists_each_and_get_returns_the_last() {
    let input = r#"{"event":"chat_session_form_data","form_request_id":"16","form_name":"survey","data":{"choice":"a","other":"x","choice":"b"}}"#;
    let ClientEvent::FormData { data, .. } = decode(input) else {
        panic!()
    };
    assert_eq!(data.len(), 3);
    let values: Vec<_> = data
        .entries()
        .filter(|(k, _)| k == "choice")
        .map(|(_, v)| v.get())
        .collect();
    assert_eq!(values, [r#""a""#, r#""b""#]);
    assert_eq!(data.get("choice").map(|v| v.get()), Some(r#""b""#));
}

#[test]
fn form_data_get_matches_escaped_keys() {
    let input = r#"{"event":"chat_session_form_data","form_request_id":"17","form_name":"f","data":{"na\u006de":"Ann","\u00e9t\u00e9":"summer"}}"#;
    let ClientEvent::FormData { data, .. } = decode(input) else {
        panic!()
    };
    assert_eq!(data.get("name").map(|v| v.get()), Some(r#""Ann""#));
    assert_eq!(data.get("été").map(|v| v.get()), Some(r#""summer""#));
    assert!(data.get(r"na\u006de").is_none(), "keys compare unescaped");
}

#[test]
fn whitespace_everywhere_json_allows_is_accepted() {
    let input = " \t\r\n{ \t\r\n\"event\" \n:\r \"chat_session_message\" \t,\n \"msg_id\"\t:\t7\n,\n\"msg\" : \"spaced out\" \r\n} \n\t";
    let ClientEvent::Message { msg_id, msg, .. } = decode(input) else {
        panic!()
    };
    assert_eq!(msg_id.as_u64(), Some(7));
    assert_eq!(msg.as_str(), Some("spaced out"));
}

#[test]
fn file_type_attachment_and_numeric_file_id_decode() {
    let input = r#"{"event":"chat_session_file","msg_id":"4f1c2a:12","file_type":"attachment","file_id":5521}"#;
    let ClientEvent::File {
        msg_id,
        file_type,
        file_id,
        ..
    } = decode(input)
    else {
        panic!()
    };
    assert!(msg_id == "4f1c2a:12");
    assert_eq!(file_type, FileType::Attachment);
    assert_eq!(file_id.as_u64(), Some(5521));
}

#[test]
fn decoded_fields_borrow_from_the_input() {
    let input = r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"borrowed"}"#;
    let ClientEvent::Message { msg, .. } = decode(input) else {
        panic!()
    };
    let s = msg.as_str().expect("no escapes");
    let range = input.as_bytes().as_ptr_range();
    assert!(range.contains(&s.as_ptr()), "msg points into the input");
}

#[cfg(target_pointer_width = "64")]
#[test]
fn client_event_fits_in_64_bytes() {
    assert!(size_of::<ClientEvent<'_>>() <= 64);
}
