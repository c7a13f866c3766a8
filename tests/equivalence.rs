//! chatwire ≡ serde_json, by property tests.
//!
//! The oracle is `serde_json` with the reference model
//! (`chatwire::reference::ReferenceEvent`); every deliberate difference
//! from a plain serde derive is built into that model and listed in its
//! module doc. Nothing here adds an exception of its own.
//!
//! - (a) `writer_bytes_equal_serde_json`: chatwire's writer and serde_json
//!   write the same bytes for any event.
//! - (b) `decoding_any_rendering_equals_serde_json`: any spelling of any
//!   event (whitespace, key order, escapes, extra members) decodes to the
//!   value serde_json reads, and to the same event as the canonical one.
//! - (c) `decode_of_write_is_identity`: decode(write(e)) == e.
//! - (d) `mutated_inputs_are_accepted_and_rejected_alike`: on broken and
//!   edited inputs, both accept or both reject, and agree on the value.
//! - `prefixes_and_errors_are_consistent_on_mutated_inputs`: the `decode`
//!   fuzz check (prefixes are `Partial`, errors are final) on the same cases.
//!
//! Case counts are kept so that the file runs in well under a minute in a
//! debug build; `CHATWIRE_PROPTEST_MULTIPLIER` (default 1) multiplies them.
#![cfg(feature = "serde")]

mod strategies;

#[allow(dead_code)]
#[path = "../fuzz/checks.rs"]
mod checks;

use std::sync::atomic::{AtomicUsize, Ordering};

use chatwire::reference::{RefId, ReferenceEvent};
use chatwire::{ClientEvent, ErrorKind};
use proptest::prelude::*;

use checks::show;
use strategies::{Event, Style, check};

/// The value serde_json reads into the reference model, or its error.
fn oracle(bytes: &[u8]) -> Result<ReferenceEvent, serde_json::Error> {
    serde_json::from_slice(bytes)
}

fn decode_ok<'a>(bytes: &'a [u8], what: &str) -> Result<ClientEvent<'a>, TestCaseError> {
    chatwire::from_slice(bytes).map_err(|e| {
        TestCaseError::fail(format!("chatwire rejects the {what} {}: {e}", show(bytes)))
    })
}

#[test]
fn writer_bytes_equal_serde_json() {
    check(
        "writer_bytes_equal_serde_json",
        400,
        (strategies::event(), strategies::style()),
        |(event, style): (Event, Style)| {
            // The canonical rendering is serde_json's: the writer gives it back.
            let canonical = strategies::canonical(&event);
            let decoded = decode_ok(&canonical, "canonical rendering")?;
            let written = decoded.to_vec();
            prop_assert_eq!(&written, &canonical, "{}", show(&canonical));
            let serde = serde_json::to_vec(&ReferenceEvent::from(&decoded)).unwrap();
            prop_assert_eq!(&written, &serde, "{}", show(&canonical));

            // Any other rendering: the writer normalizes exactly as
            // serde_json writes the reference model.
            let rendering = strategies::render(&event, &style);
            let decoded = decode_ok(&rendering, "rendering")?;
            let written = decoded.to_vec();
            let serde = serde_json::to_vec(&ReferenceEvent::from(&decoded)).unwrap();
            prop_assert_eq!(&written, &serde, "{}", show(&rendering));
            if event.is_known() && !event.has_raw_field() {
                // Without raw JSON, nothing of the spelling survives.
                prop_assert_eq!(&written, &canonical, "{}", show(&rendering));
            }

            // From the owned model: serde_json writes it, chatwire reads it
            // and writes the same bytes again.
            let owned = oracle(&rendering).map_err(|e| {
                TestCaseError::fail(format!("serde_json rejects {}: {e}", show(&rendering)))
            })?;
            let mut buf = Vec::new();
            let from_owned = owned
                .to_client_event(&mut buf)
                .map_err(|e| TestCaseError::fail(format!("to_client_event: {e}")))?;
            let written = from_owned.to_vec();
            prop_assert_eq!(&written, &serde_json::to_vec(&owned).unwrap());
            Ok(())
        },
    );
}

#[test]
fn decoding_any_rendering_equals_serde_json() {
    check(
        "decoding_any_rendering_equals_serde_json",
        400,
        (strategies::event(), strategies::style()),
        |(event, style): (Event, Style)| {
            let rendering = strategies::render(&event, &style);
            let ours = decode_ok(&rendering, "rendering")?;
            let theirs = oracle(&rendering).map_err(|e| {
                TestCaseError::fail(format!("serde_json rejects {}: {e}", show(&rendering)))
            })?;
            let ours = ReferenceEvent::from(&ours);
            prop_assert_eq!(&ours, &theirs, "{}", show(&rendering));
            // The rendering is the same event as the canonical one.
            let canonical = strategies::canonical(&event);
            let expected = ReferenceEvent::from(&decode_ok(&canonical, "canonical rendering")?);
            prop_assert_eq!(&ours, &expected, "{}", show(&rendering));
            Ok(())
        },
    );
}

#[test]
fn decode_of_write_is_identity() {
    check(
        "decode_of_write_is_identity",
        400,
        (strategies::event(), strategies::style()),
        |(event, style): (Event, Style)| {
            let rendering = strategies::render(&event, &style);
            let decoded = decode_ok(&rendering, "rendering")?;
            let written = decoded.to_vec();
            let again = decode_ok(&written, "writer's output")?;
            prop_assert_eq!(again, decoded, "{}", show(&rendering));
            // The same through the owned model.
            let owned = ReferenceEvent::from(&decoded);
            let mut buf = Vec::new();
            let back = owned
                .to_client_event(&mut buf)
                .map_err(|e| TestCaseError::fail(format!("to_client_event: {e}")))?;
            prop_assert_eq!(back, decoded, "{}", show(&rendering));
            checks::check_roundtrip(&rendering);
            Ok(())
        },
    );
}

#[test]
fn mutated_inputs_are_accepted_and_rejected_alike() {
    let accepted = AtomicUsize::new(0);
    let rejected = AtomicUsize::new(0);
    check(
        "mutated_inputs_are_accepted_and_rejected_alike",
        1200,
        strategies::mutated(),
        |(event, style, edits, mutations)| {
            let bytes = strategies::mutated_bytes(&event, &style, &edits, &mutations);
            let ours = chatwire::from_slice(&bytes);
            let theirs = oracle(&bytes);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(&ReferenceEvent::from(a), b, "{}", show(&bytes));
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
                (Err(_), Err(_)) => {
                    rejected.fetch_add(1, Ordering::Relaxed);
                }
                _ => prop_assert!(
                    false,
                    "acceptance differs on {}: chatwire {:?}, serde_json {:?}",
                    show(&bytes),
                    ours,
                    theirs
                ),
            }
            // The same comparison as the fuzz target, with its checks of
            // error classes against plain JSON.
            checks::check_differential(&bytes);
            Ok(())
        },
    );
    let (accepted, rejected) = (accepted.into_inner(), rejected.into_inner());
    eprintln!("  both accepted {accepted}, both rejected {rejected}");
    // Both sides of the line must be exercised, or the property says little.
    assert!(
        accepted * 20 > accepted + rejected,
        "too few accepted cases"
    );
    assert!(rejected * 5 > accepted + rejected, "too few rejected cases");
}

#[test]
fn prefixes_and_errors_are_consistent_on_mutated_inputs() {
    check(
        "prefixes_and_errors_are_consistent_on_mutated_inputs",
        300,
        strategies::mutated(),
        |(event, style, edits, mutations)| {
            let bytes = strategies::mutated_bytes(&event, &style, &edits, &mutations);
            checks::check_decode(&bytes);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Pinned cases

/// Both accept or both reject, and agree on the value.
fn agree(input: &[u8]) {
    checks::check_differential(input);
    checks::check_decode(input);
    checks::check_roundtrip(input);
}

fn accepted(input: &str) -> ReferenceEvent {
    agree(input.as_bytes());
    ReferenceEvent::from(&chatwire::from_slice(input.as_bytes()).unwrap())
}

fn rejected(input: &str) -> ErrorKind {
    agree(input.as_bytes());
    chatwire::from_slice(input.as_bytes()).unwrap_err().kind()
}

#[test]
fn integer_ids_at_the_edges_of_u64_and_i64() {
    let msg = |id: &str| format!(r#"{{"event":"chat_session_message","msg_id":{id},"msg":"x"}}"#);
    let id_of = |e: ReferenceEvent| match e {
        ReferenceEvent::Message { msg_id, .. } => msg_id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        id_of(accepted(&msg("18446744073709551615"))),
        RefId::U64(u64::MAX)
    );
    assert_eq!(
        id_of(accepted(&msg("-9223372036854775808"))),
        RefId::I64(i64::MIN)
    );
    assert_eq!(id_of(accepted(&msg("0"))), RefId::U64(0));
    for bad in [
        "18446744073709551616",
        "-9223372036854775809",
        "-0",
        "1.0",
        "1e2",
        "-0.0",
    ] {
        assert!(
            matches!(rejected(&msg(bad)), ErrorKind::InvalidType { .. }),
            "{bad}"
        );
    }
}

#[test]
fn numbers_at_the_edges_of_f64_are_judged_alike() {
    for n in strategies::SPECIAL_NUMBERS {
        agree(format!(r#"{{"event":"chat_session_typing","x":{n}}}"#).as_bytes());
        agree(format!(r#"{{"event":"chat_session_what","x":[{n}]}}"#).as_bytes());
        agree(
            format!(
                r#"{{"event":"chat_session_signaling","msg_id":1,"destination_party_id":2,"data":{n}}}"#
            )
            .as_bytes(),
        );
    }
}

#[test]
fn odd_strings_are_judged_alike() {
    for s in strategies::ODD_STRINGS {
        agree(format!(r#"{{"event":"chat_session_message","msg_id":"1","msg":{s}}}"#).as_bytes());
        agree(format!(r#"{{"event":"chat_session_typing",{s}:1}}"#).as_bytes());
        agree(format!(r#"{{"event":"chat_session_other","x":{s}}}"#).as_bytes());
    }
}

#[test]
fn nesting_up_to_127_levels_is_accepted_alike() {
    let signaling = |depth: usize| {
        let data = strategies::nested(depth, false);
        let strategies::Json::Raw(data) = data else {
            unreachable!()
        };
        format!(
            r#"{{"event":"chat_session_signaling","msg_id":1,"destination_party_id":2,"data":{data}}}"#
        )
    };
    // The event's own object counts: 126 levels inside it make 127.
    accepted(&signaling(126));
    assert_eq!(rejected(&signaling(127)), ErrorKind::DepthLimitExceeded);
    let form = |depth: usize| {
        let strategies::Json::Raw(inner) = strategies::nested(depth - 1, true) else {
            unreachable!()
        };
        format!(
            r#"{{"event":"chat_session_form_data","form_request_id":1,"form_name":"f","data":{{"a":{inner}}}}}"#
        )
    };
    accepted(&form(126));
    assert_eq!(rejected(&form(127)), ErrorKind::DepthLimitExceeded);
}

#[test]
fn repeated_keys_follow_the_derive() {
    // Repeats of keys the event does not use are ignored...
    accepted(r#"{"event":"chat_session_typing","party_id":1,"party_id":2}"#);
    accepted(r#"{"event":"chat_session_message","msg_id":"1","msg":"x","data":1,"data":[]}"#);
    // ...repeats of its own fields and of "event" are errors, however spelt.
    rejected(r#"{"event":"chat_session_message","msg_id":"1","msg":"x","m\u0073g":"y"}"#);
    rejected(r#"{"event":"chat_session_typing","msg":"a","msg":"b"}"#);
    rejected(r#"{"event":"chat_session_end","\u0065vent":"chat_session_end"}"#);
    rejected(r#"{"event":"chat_session_whatever","event":"chat_session_whatever"}"#);
    // Inside raw JSON, the last of repeated keys wins for serde_json.
    accepted(
        r#"{"event":"chat_session_form_data","form_request_id":"1","form_name":"a","data":{"a":1,"a":2}}"#,
    );
}

#[test]
fn wrong_types_are_rejected_alike() {
    for (field, value) in [
        ("msg", "1"),
        ("msg", "null"),
        ("msg", "{}"),
        ("msg_id", "true"),
        ("msg_id", "[]"),
    ] {
        let input = format!(
            r#"{{"event":"chat_session_message","msg_id":"1","msg":"x","{field}":{value}}}"#
        );
        // A repeat, so also a duplicate: rejected either way.
        rejected(&input);
        let input = r#"{"event":"chat_session_message","msg_id":"1","msg":"x"}"#.replace(
            &format!(r#""{field}":"#),
            &format!(r#""{field}":{value},"old":"#),
        );
        rejected(&input);
    }
    rejected(r#"{"event":"chat_session_file","msg_id":"1","file_type":"video","file_id":"2"}"#);
    rejected(r#"{"event":"chat_session_file","msg_id":"1","file_type":"Image","file_id":"2"}"#);
    accepted(
        r#"{"event":"chat_session_file","msg_id":"1","file_type":"im\u0061ge","file_id":"2"}"#,
    );
    rejected(
        r#"{"event":"chat_session_form_data","form_request_id":"1","form_name":"a","data":"x"}"#,
    );
    rejected(r#"{"event":7}"#);
    rejected(r#"["chat_session_typing"]"#);
    rejected(r#"{"msg_id":"1","msg":"x"}"#);
}

#[test]
fn whitespace_is_only_what_json_allows() {
    accepted(" \t\r\n{ \"event\" : \"chat_session_end\" } \n");
    // Form feed, vertical tab, NBSP and a byte order mark are not JSON
    // whitespace.
    for ws in ["\x0c", "\x0b", "\u{a0}", "\u{feff}"] {
        rejected(&format!("{ws}{{\"event\":\"chat_session_end\"}}"));
        rejected(&format!("{{\"event\":\"chat_session_end\"}}{ws}"));
    }
}

#[test]
fn escaped_event_names_and_keys_are_recognised() {
    assert_eq!(
        accepted(r#"{"\u0065vent":"chat_session_\u0074yping","m\u0073g":"hi"}"#),
        ReferenceEvent::Typing {
            msg: Some("hi".into())
        }
    );
    assert_eq!(
        rejected(r#"{"\u0065vent":"chat_session_\u0074yping","m\u0073g":1}"#),
        ErrorKind::InvalidType {
            field: chatwire::Field::Msg,
            expected: chatwire::Expected::String
        }
    );
    assert!(matches!(
        accepted(r#"{"event":"chat_session_typing\u0000"}"#),
        ReferenceEvent::Unknown { .. }
    ));
}

// Discrepancies this suite found, pinned now that src/ is fixed.

/// serde's derive reads a unit enum variant from its map form too:
/// `"file_type":{"image":null}` (or `{"attachment":{}}`) was `Image` for a
/// derived `RefFileType`, while chatwire demands a string. The reference
/// model now takes `file_type` only from a string (a listed difference from
/// a plain derive), so both reject it.
#[test]
fn file_type_as_single_key_map_is_rejected_alike() {
    for input in [
        r#"{"event":"chat_session_file","msg_id":"1","file_type":{"image":null},"file_id":"2"}"#,
        r#"{"event":"chat_session_file","msg_id":"1","file_type":{"attachment":{}},"file_id":"2"}"#,
    ] {
        assert!(
            matches!(rejected(input), ErrorKind::InvalidType { .. }),
            "{input}"
        );
    }
}

/// 126 levels inside an unknown event (127 with the event's own object) is
/// within serde_json's limit, and chatwire accepts it; the reference model
/// used to reject it (it validated the whole event as a field value, one
/// level deeper). 127 inside is rejected by both.
#[test]
fn unknown_event_nested_127_levels_is_accepted_alike() {
    let deep = |n: usize| {
        format!(
            r#"{{"event":"x_unknown","a":{}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    assert!(matches!(
        accepted(&deep(126)),
        ReferenceEvent::Unknown { .. }
    ));
    assert_eq!(rejected(&deep(127)), ErrorKind::DepthLimitExceeded);
}

/// serde_json (without `float_roundtrip`) reads `5.281343706953277e-18` as
/// an `f64` one ulp off the exact value and prints it as
/// `5.2813437069532775e-18`, which it reads back as yet another `f64`. The
/// reference model used to compare raw JSON by reading its printed text
/// again, so the same input decoded by chatwire and by serde_json compared
/// unequal; it now compares the values as first read.
#[test]
fn float_in_raw_json_compares_equal_to_itself() {
    accepted(
        r#"{"event":"chat_session_signaling","msg_id":1,"destination_party_id":2,"data":5.281343706953277e-18}"#,
    );
    accepted(
        r#"{"event":"chat_session_form_data","form_request_id":1,"form_name":"f","data":{"x":[4.2918275702026834E231]}}"#,
    );
}
