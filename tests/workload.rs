//! The benchmark workloads: valid JSON, exact event counts, determinism, and
//! the real-client shapes the benchmarks rely on.
#![cfg(feature = "alloc")]

use std::fmt;

use chatwire::workload::{self, Workload};
use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

const EVENT_NAMES: [&str; 8] = [
    "chat_session_message",
    "chat_session_typing",
    "chat_session_not_typing",
    "chat_session_form_data",
    "chat_session_end",
    "chat_session_disconnect",
    "chat_session_signaling",
    "chat_session_file",
];

/// The lines of `bytes`, each without its `\n`; fails if a line is empty or
/// the output does not end in a newline.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.is_empty() {
        return Vec::new();
    }
    assert!(bytes.ends_with(b"\n"), "output must end in a newline");
    let lines: Vec<&[u8]> = bytes[..bytes.len() - 1].split(|&b| b == b'\n').collect();
    for line in &lines {
        assert!(!line.is_empty(), "empty line");
    }
    lines
}

fn parse(line: &[u8]) -> Value {
    serde_json::from_slice(line).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}) in line {:?}",
            String::from_utf8_lossy(line)
        )
    })
}

/// Every event of a workload's output, looking inside envelopes.
fn events(workload: Workload, bytes: &[u8]) -> Vec<Value> {
    let mut events = Vec::new();
    for line in lines(bytes) {
        let value = parse(line);
        if workload.is_enveloped() {
            let object = value.as_object().expect("an envelope is an object");
            assert_eq!(object.len(), 1, "an envelope has only `events`");
            let inner = object["events"].as_array().expect("`events` is an array");
            events.extend(inner.iter().cloned());
        } else {
            events.push(value);
        }
    }
    events
}

/// The events of every line of a line-delimited workload, with their raw
/// bytes.
fn raw_events(bytes: &[u8]) -> Vec<(&[u8], Value)> {
    lines(bytes)
        .into_iter()
        .map(|line| (line, parse(line)))
        .collect()
}

fn name(event: &Value) -> &str {
    event["event"].as_str().expect("`event` is a string")
}

/// The first key of a JSON object, as written (serde_json's `Value` sorts
/// its keys, so it cannot tell).
struct FirstKey(Option<String>);

impl<'de> Deserialize<'de> for FirstKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstKeyVisitor;
        impl<'de> Visitor<'de> for FirstKeyVisitor {
            type Value = FirstKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FirstKey, A::Error> {
                let first = map.next_key::<String>()?;
                if first.is_some() {
                    map.next_value::<IgnoredAny>()?;
                }
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(FirstKey(first))
            }
        }
        deserializer.deserialize_map(FirstKeyVisitor)
    }
}

fn first_key(line: &[u8]) -> Option<String> {
    serde_json::from_slice::<FirstKey>(line).unwrap().0
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// FNV-1a, to pin outputs without storing them.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn every_line_of_every_workload_is_valid_json() {
    for workload in Workload::ALL {
        let bytes = workload::generate(workload, 3_000, 11);
        for line in lines(&bytes) {
            assert!(parse(line).is_object(), "{workload}: not an object");
        }
    }
}

#[test]
fn every_workload_emits_exactly_the_requested_number_of_events() {
    for workload in Workload::ALL {
        for count in [1, 2, 49, 50, 51, 777, 2_000] {
            let bytes = workload::generate(workload, count, 5);
            assert_eq!(events(workload, &bytes).len(), count, "{workload}");
        }
    }
}

#[test]
fn line_delimited_workloads_write_one_event_per_line() {
    for workload in [
        Workload::Mixed,
        Workload::Typing,
        Workload::Signaling,
        Workload::Server,
    ] {
        let bytes = workload::generate(workload, 500, 9);
        assert_eq!(lines(&bytes).len(), 500, "{workload}");
    }
}

#[test]
fn zero_events_write_nothing() {
    for workload in Workload::ALL {
        assert!(workload::generate(workload, 0, 1).is_empty(), "{workload}");
    }
}

#[test]
fn write_appends_to_what_the_buffer_holds() {
    let mut out = b"kept\n".to_vec();
    workload::write(Workload::Mixed, 10, 3, &mut out);
    assert!(out.starts_with(b"kept\n"));
    assert_eq!(&out[5..], workload::generate(Workload::Mixed, 10, 3));
}

#[test]
fn same_seed_gives_identical_bytes() {
    for workload in Workload::ALL {
        let a = workload::generate(workload, 1_000, 42);
        let b = workload::generate(workload, 1_000, 42);
        assert_eq!(a, b, "{workload}");
    }
}

#[test]
fn different_seeds_give_different_bytes() {
    for workload in Workload::ALL {
        let a = workload::generate(workload, 1_000, 42);
        let b = workload::generate(workload, 1_000, 43);
        assert_ne!(a, b, "{workload}");
    }
}

#[test]
fn fewer_events_give_a_prefix_of_more_events() {
    for workload in [
        Workload::Mixed,
        Workload::Typing,
        Workload::Signaling,
        Workload::Server,
    ] {
        let short = workload::generate(workload, 300, 8);
        let long = workload::generate(workload, 1_000, 8);
        assert!(long.starts_with(&short), "{workload}");
    }
}

/// The generator uses no platform-dependent state, so these hashes hold on
/// every target. A deliberate change to the generator changes them: update
/// them then, and note that benchmark results before and after are not
/// comparable.
#[test]
fn output_for_a_fixed_seed_is_pinned() {
    let hashes: Vec<(Workload, u64)> = Workload::ALL
        .into_iter()
        .map(|w| (w, fnv1a(&workload::generate(w, 2_000, 2024))))
        .collect();
    assert_eq!(
        hashes,
        [
            (Workload::Mixed, PINNED[0]),
            (Workload::Typing, PINNED[1]),
            (Workload::Signaling, PINNED[2]),
            (Workload::Envelope, PINNED[3]),
            (Workload::Server, PINNED[4]),
            (Workload::History, PINNED[5]),
        ]
    );
}

const PINNED: [u64; 6] = [
    5727614871509117113,
    13062768532040946692,
    17283555446537206263,
    4076757974517780559,
    11476690286531483728,
    12565286142379872219,
];

#[test]
fn mixed_traffic_contains_all_eight_event_names() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let events = events(Workload::Mixed, &bytes);
    for expected in EVENT_NAMES {
        assert!(
            events.iter().any(|e| name(e) == expected),
            "no {expected} event"
        );
    }
    for event in &events {
        assert!(EVENT_NAMES.contains(&name(event)), "unexpected {event}");
    }
}

#[test]
fn mixed_traffic_has_roughly_the_intended_proportions() {
    let bytes = workload::generate(Workload::Mixed, 20_000, 1);
    let events = events(Workload::Mixed, &bytes);
    let share = |names: &[&str]| {
        let n = events.iter().filter(|e| names.contains(&name(e))).count();
        n as f64 * 100.0 / events.len() as f64
    };
    let expected: [(&[&str], f64); 6] = [
        (&["chat_session_message"], 45.0),
        (&["chat_session_typing", "chat_session_not_typing"], 30.0),
        (&["chat_session_signaling"], 8.0),
        (&["chat_session_form_data"], 7.0),
        (&["chat_session_file"], 6.0),
        (&["chat_session_end", "chat_session_disconnect"], 4.0),
    ];
    for (names, percent) in expected {
        let actual = share(names);
        assert!(
            (actual - percent).abs() <= percent * 0.2 + 0.5,
            "{names:?}: {actual:.1}% instead of about {percent}%"
        );
    }
}

#[test]
fn mixed_traffic_contains_non_ascii_text_and_unicode_escapes() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let text = std::str::from_utf8(&bytes).expect("output is UTF-8");
    assert!(!text.is_ascii(), "no raw non-ASCII text");
    assert!(text.contains("\\u"), "no \\u escape");
    let lower = text.to_ascii_lowercase();
    assert!(lower.contains("\\ud83d\\u"), "no escaped surrogate pair");
    assert!(lower.contains("\\u003c"), "no HTML-safe escape of `<`");
    assert!(text.contains("\\\""), "no escaped quote");
    assert!(text.contains("\\\\"), "no escaped backslash");
    assert!(text.contains("\\n"), "no escaped newline");
}

#[test]
fn mixed_traffic_messages_range_from_a_few_words_to_hundreds_of_characters() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let lengths: Vec<usize> = events(Workload::Mixed, &bytes)
        .iter()
        .filter_map(|e| e.get("msg").and_then(Value::as_str))
        .map(|m| m.chars().count())
        .collect();
    assert!(lengths.iter().any(|&n| n <= 12), "no short message");
    assert!(lengths.iter().any(|&n| n >= 300), "no long message");
    assert!(lengths.iter().all(|&n| n <= 1_000), "message too long");
}

#[test]
fn mixed_traffic_puts_the_event_key_elsewhere_than_first_sometimes() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let lines = lines(&bytes);
    let not_first = lines
        .iter()
        .filter(|line| first_key(line).as_deref() != Some("event"))
        .count();
    assert!(not_first > 0, "`event` is always first");
    assert!(not_first < lines.len() / 2, "`event` is rarely first");
}

#[test]
fn mixed_traffic_has_numeric_and_string_form_request_ids() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let ids: Vec<Value> = events(Workload::Mixed, &bytes)
        .iter()
        .filter_map(|e| e.get("form_request_id").cloned())
        .collect();
    assert!(ids.iter().any(Value::is_u64), "no numeric form_request_id");
    assert!(
        ids.iter().any(Value::is_string),
        "no string form_request_id"
    );
}

#[test]
fn mixed_traffic_has_both_msg_id_shapes_and_extra_fields() {
    let bytes = workload::generate(Workload::Mixed, 2_000, 1);
    let events = events(Workload::Mixed, &bytes);
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| e.get("msg_id").and_then(Value::as_str))
        .collect();
    let is_uuid = |id: &str| id.len() == 36 && id.matches('-').count() == 4;
    assert!(ids.iter().any(|id| is_uuid(id)), "no UUID msg_id");
    assert!(
        ids.iter().any(|id| id
            .rsplit_once(':')
            .is_some_and(|(_, n)| n.parse::<u64>().is_ok())),
        "no <chatId>:<n> msg_id"
    );
    assert!(events.iter().any(|e| e["party_id"].is_string()));
    assert!(events.iter().any(|e| e["timestamp"].is_u64()));
}

#[test]
fn every_event_has_its_required_fields_with_the_protocol_types() {
    let (mut form_values, mut form_strings) = (0, 0);
    for workload in Workload::CLIENT {
        let bytes = workload::generate(workload, 3_000, 17);
        for event in events(workload, &bytes) {
            let string = |key: &str| {
                assert!(event[key].is_string(), "{key} not a string in {event}");
            };
            match name(&event) {
                "chat_session_message" => {
                    string("msg_id");
                    string("msg");
                }
                "chat_session_form_data" => {
                    let id = &event["form_request_id"];
                    assert!(id.is_string() || id.is_u64(), "form_request_id in {event}");
                    string("form_name");
                    let data = event["data"].as_object().expect("form data is an object");
                    assert!((2..=12).contains(&data.len()), "{} form fields", data.len());
                    form_values += data.len();
                    form_strings += data.values().filter(|v| v.is_string()).count();
                }
                "chat_session_signaling" => {
                    string("msg_id");
                    string("destination_party_id");
                    let data = &event["data"];
                    assert!(data.is_string() || data.is_object(), "signaling data");
                }
                "chat_session_file" => {
                    string("msg_id");
                    string("file_id");
                    let file_type = event["file_type"].as_str();
                    assert!(matches!(file_type, Some("image" | "attachment")));
                }
                "chat_session_typing"
                | "chat_session_not_typing"
                | "chat_session_end"
                | "chat_session_disconnect" => {}
                other => panic!("unknown event {other}"),
            }
        }
    }
    assert!(
        form_strings * 10 >= form_values * 8,
        "form values are mostly strings: {form_strings} of {form_values}"
    );
}

#[test]
fn output_has_no_whitespace_outside_strings() {
    for workload in Workload::ALL {
        let bytes = workload::generate(workload, 1_000, 4);
        let (mut in_string, mut escaped) = (false, false);
        for b in bytes.into_iter().filter(|&b| b != b'\n') {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                assert!(
                    !b.is_ascii_whitespace(),
                    "{workload}: whitespace outside strings"
                );
                in_string = b == b'"';
            }
        }
    }
}

#[test]
fn typing_storm_holds_only_typing_and_not_typing_events() {
    let bytes = workload::generate(Workload::Typing, 5_000, 1);
    let events = raw_events(&bytes);
    let mut with_party = 0;
    for (line, event) in &events {
        assert!(matches!(
            name(event),
            "chat_session_typing" | "chat_session_not_typing"
        ));
        let object = event.as_object().unwrap();
        match object.len() {
            1 => {}
            2 => {
                assert!(object["party_id"].is_string());
                with_party += 1;
            }
            n => panic!("{n} fields"),
        }
        assert!(line.len() <= 100, "typing events are tiny");
    }
    assert!(with_party > 0, "no party_id");
    assert!(with_party < events.len() / 10, "party_id only occasionally");
    for kind in ["chat_session_typing", "chat_session_not_typing"] {
        assert!(events.iter().any(|(_, e)| name(e) == kind), "no {kind}");
    }
}

#[test]
fn signaling_is_mostly_sdp_and_ice_candidates_with_a_few_messages() {
    let bytes = workload::generate(Workload::Signaling, 2_000, 1);
    let events = events(Workload::Signaling, &bytes);
    let data = |e: &Value| e.get("data").cloned().unwrap_or(Value::Null);
    let sdp = events.iter().filter(|e| data(e)["sdp"].is_string()).count();
    let candidates = events
        .iter()
        .filter(|e| data(e)["candidate"].is_string())
        .count();
    let messages = events
        .iter()
        .filter(|e| name(e) == "chat_session_message")
        .count();
    assert!(sdp + candidates > events.len() * 7 / 10);
    assert!(sdp > events.len() / 4 && candidates > events.len() / 4);
    assert!(messages > 0 && messages < events.len() / 5);
    assert!(events.iter().any(|e| data(e).is_string()), "no string data");
}

#[test]
fn signaling_has_crlf_escapes_and_events_over_2_kb() {
    let bytes = workload::generate(Workload::Signaling, 1_000, 1);
    assert!(contains(&bytes, b"\\r\\n"), "no \\r\\n escape");
    let big = lines(&bytes).iter().filter(|l| l.len() > 2_048).count();
    assert!(big > 100, "only {big} events over 2 KB");
}

#[test]
fn sdp_offers_and_answers_are_2_to_6_kb_of_realistic_lines() {
    let bytes = workload::generate(Workload::Signaling, 2_000, 1);
    let mut kinds = Vec::new();
    for event in events(Workload::Signaling, &bytes) {
        let Some(sdp) = event["data"]["sdp"].as_str() else {
            continue;
        };
        assert!(
            (2_048..=6_144).contains(&sdp.len()),
            "SDP of {} bytes",
            sdp.len()
        );
        assert!(sdp.starts_with("v=0\r\no=- "));
        assert!(sdp.ends_with("\r\n"));
        for line in sdp.split_terminator("\r\n") {
            assert!(line.len() >= 3 && line.as_bytes()[1] == b'=', "{line:?}");
        }
        for needle in [
            "\r\nm=audio ",
            "\r\na=rtpmap:111 opus/48000/2\r\n",
            "\r\na=fmtp:",
            "\r\na=fingerprint:sha-256 ",
            "\r\na=ice-ufrag:",
        ] {
            assert!(sdp.contains(needle), "no {needle:?}");
        }
        kinds.push(event["data"]["type"].as_str().unwrap().to_owned());
    }
    assert!(kinds.iter().any(|k| k == "offer"));
    assert!(kinds.iter().any(|k| k == "answer"));
    assert!(contains(&bytes, b"\\r\\nm=video "));
    assert!(contains(&bytes, b"\\r\\na=candidate:"));
}

#[test]
fn envelopes_hold_between_1_and_50_events() {
    let bytes = workload::generate(Workload::Envelope, 5_000, 1);
    let mut sizes = Vec::new();
    for line in lines(&bytes) {
        assert!(line.starts_with(b"{\"events\":[") && line.ends_with(b"]}"));
        let size = parse(line)["events"].as_array().unwrap().len();
        assert!((1..=50).contains(&size), "envelope of {size} events");
        sizes.push(size);
    }
    assert!(sizes.contains(&1), "no single-event envelope");
    assert!(sizes.iter().any(|&n| n > 30), "no large envelope");
}

#[test]
fn workload_names_round_trip_through_from_str() {
    for workload in Workload::ALL {
        assert_eq!(workload.name().parse::<Workload>(), Ok(workload));
        assert_eq!(workload.to_string(), workload.name());
    }
    assert_eq!("Mixed".parse::<Workload>(), Ok(Workload::Mixed));
}

#[test]
fn unknown_workload_names_are_rejected_with_the_name() {
    let err = "storm".parse::<Workload>().unwrap_err();
    assert_eq!(err.name(), "storm");
    let message = err.to_string();
    assert!(
        message.contains("storm") && message.contains("mixed"),
        "{message}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_seed_and_count_give_valid_json_with_exactly_that_many_events(
        seed in any::<u64>(),
        count in 0usize..300,
        index in 0usize..Workload::ALL.len(),
    ) {
        let workload = Workload::ALL[index];
        let bytes = workload::generate(workload, count, seed);
        prop_assert_eq!(events(workload, &bytes).len(), count);
        prop_assert_eq!(bytes, workload::generate(workload, count, seed));
    }
}

// ---- server traffic -------------------------------------------------------

/// Every server event name the server workload sends.
const SERVER_NAMES: [&str; 15] = [
    "chat_session_status",
    "chat_session_ended",
    "chat_session_party_joined",
    "chat_session_party_left",
    "chat_session_message",
    "chat_session_typing",
    "chat_session_not_typing",
    "chat_session_form_show",
    "chat_session_file",
    "chat_session_signaling",
    "chat_session_timeout_warning",
    "chat_session_inactivity_timeout",
    "chat_session_message_delivered",
    "chat_session_message_read",
    "chat_session_case_set",
];

fn is_upper_uuid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('A'..='F').contains(&c),
        })
}

#[cfg(feature = "serde")]
#[test]
fn every_server_line_decodes_as_a_known_server_event_equal_to_serde_json() {
    use chatwire::reference::ReferenceServerEvent;
    use chatwire::{ServerEvent, ServerKind};

    for seed in [1, 2024] {
        let bytes = workload::generate(Workload::Server, 5_000, seed);
        for (i, line) in lines(&bytes).into_iter().enumerate() {
            let what = || format!("line {i}: {}", String::from_utf8_lossy(line));
            let event =
                ServerEvent::from_slice(line).unwrap_or_else(|e| panic!("{e} in {}", what()));
            assert_ne!(event.kind(), ServerKind::Unknown, "{}", what());
            let oracle: ReferenceServerEvent =
                serde_json::from_slice(line).unwrap_or_else(|e| panic!("{e} in {}", what()));
            assert_eq!(ReferenceServerEvent::from(&event), oracle, "{}", what());
        }
    }
}

#[test]
fn server_traffic_has_every_server_event_in_real_servers_shapes() {
    let bytes = workload::generate(Workload::Server, 5_000, 1);
    let events = raw_events(&bytes);
    for expected in SERVER_NAMES {
        assert!(
            events.iter().any(|(_, e)| name(e) == expected),
            "no {expected}"
        );
    }
    let count = |f: &dyn Fn(&Value) -> bool| events.iter().filter(|(_, e)| f(e)).count();
    let messages = count(&|e| name(e) == "chat_session_message");
    let typing = count(&|e| name(e).ends_with("typing"));
    assert!(messages > events.len() / 4, "{messages} messages");
    assert!(typing > events.len() / 10, "{typing} typing events");

    // Timestamps: Unix seconds, mostly quoted, sometimes numbers.
    let quoted = count(&|e| {
        e["timestamp"]
            .as_str()
            .is_some_and(|t| t.len() == 10 && t.bytes().all(|b| b.is_ascii_digit()))
    });
    let numeric = count(&|e| e["timestamp"].as_u64().is_some_and(|t| t < 10_000_000_000));
    let with_time = count(&|e| e.get("timestamp").is_some());
    assert_eq!(quoted + numeric, with_time, "timestamps are Unix seconds");
    assert!(
        numeric > 0 && numeric < quoted,
        "{numeric} numeric, {quoted} quoted"
    );

    // Messages carry who sent them and when; some carry a channel.
    for (_, e) in &events {
        if name(e) == "chat_session_message" {
            assert!(is_upper_uuid(e["party_id"].as_str().unwrap()), "{e}");
            let id: u64 = e["msg_id"].as_str().unwrap().parse().unwrap();
            assert_eq!(id % 2, 0, "server message ids are even: {e}");
        }
    }
    assert!(count(&|e| e["channel"] == "web") > 0, "no channel");
    assert!(count(&|e| e["ewt"] == "") > 0, "no empty ewt");
    assert!(
        count(&|e| name(e) == "chat_session_message" && e.get("timestamp").is_some())
            > messages / 2
    );

    // Form requests as strings and integers; files with names; SDP offers.
    assert!(count(&|e| e["form_request_id"].is_string()) > 0);
    assert!(count(&|e| e["form_request_id"].is_u64()) > 0);
    assert!(count(&|e| e["file_name"].is_string()) > 0);
    assert!(count(&|e| e["data"]["type"] == "OFFER_CALL" && e["data"]["sdp"].is_string()) > 0);
    assert!(count(&|e| e["data"]["type"] == "ICE_CANDIDATE") > 0);

    // Sorted keys put `"event"` after `case_id`, `channel`, `data`,
    // `display_name`; other servers write it first.
    let not_first = events
        .iter()
        .filter(|(line, _)| first_key(line).as_deref() != Some("event"))
        .count();
    assert!(not_first > events.len() / 20, "`event` nearly always first");

    // Non-ASCII text, raw and escaped, and escaped quotes and newlines.
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(!text.is_ascii());
    assert!(text.contains("\\u00"));
    assert!(text.contains("\\\"") && text.contains("\\n") && text.contains("\\\\"));
}

// ---- history --------------------------------------------------------------

/// Decodes one element of a history answer by its name: as a server event
/// if the server table has the name, else as a client event; either way a
/// known kind, equal to serde_json's reading. Returns whether it was a
/// client event.
#[cfg(feature = "serde")]
fn decode_history_element(element: &[u8], what: &str) -> bool {
    use chatwire::reference::{ReferenceEvent, ReferenceServerEvent};
    use chatwire::{EventKind, ServerEvent, ServerKind};

    let name = name(&parse(element)).to_owned();
    if ServerKind::from_name(&name).is_some() {
        let event = ServerEvent::from_slice(element).unwrap_or_else(|e| panic!("{e}: {what}"));
        assert_ne!(event.kind(), ServerKind::Unknown, "{what}");
        let oracle: ReferenceServerEvent = serde_json::from_slice(element).unwrap();
        assert_eq!(ReferenceServerEvent::from(&event), oracle, "{what}");
        false
    } else {
        assert!(
            EventKind::from_name(&name).is_some(),
            "{name} in no table: {what}"
        );
        let event = chatwire::from_slice(element).unwrap_or_else(|e| panic!("{e}: {what}"));
        assert_ne!(event.kind(), EventKind::Unknown, "{what}");
        let oracle: ReferenceEvent = serde_json::from_slice(element).unwrap();
        assert_eq!(ReferenceEvent::from(&event), oracle, "{what}");
        true
    }
}

#[cfg(feature = "serde")]
#[test]
fn every_history_element_decodes_by_its_name_in_one_direction_or_the_other() {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        events: Vec<&'a serde_json::value::RawValue>,
    }
    let bytes = workload::generate(Workload::History, 5_000, 1);
    let (mut client, mut server) = (0, 0);
    for (i, line) in lines(&bytes).into_iter().enumerate() {
        let envelope: Envelope<'_> = serde_json::from_slice(line).unwrap();
        for (j, raw) in envelope.events.iter().enumerate() {
            let what = format!("envelope {i} event {j}: {}", raw.get());
            if decode_history_element(raw.get().as_bytes(), &what) {
                client += 1;
            } else {
                server += 1;
            }
        }
    }
    assert_eq!(client + server, 5_000);
    assert!(
        client > 100 && server > client,
        "{client} client, {server} server"
    );
}

#[test]
fn each_history_answer_is_one_chat_in_order() {
    let bytes = workload::generate(Workload::History, 5_000, 1);
    let lines = lines(&bytes);
    assert!(lines.len() > 20, "{} chats", lines.len());
    let mut names = Vec::new();
    for line in &lines {
        assert!(line.starts_with(b"{\"events\":[") && line.ends_with(b"]}"));
        let value = parse(line);
        let events = value["events"].as_array().unwrap();
        // Opened by the queue, closed once.
        let first = &events[0];
        assert_eq!(name(first), "chat_session_status");
        assert_eq!(first["state"], "queued");
        // The client's own messages carry the chat id (one per chat) as
        // party id and odd ids, the server's even ones.
        let mut client_ids = Vec::new();
        let mut last_time = 0;
        for event in events {
            names.push(name(event).to_owned());
            if let Some(t) = event.get("timestamp") {
                let t = t.as_u64().or_else(|| t.as_str()?.parse().ok()).unwrap();
                assert!(t >= last_time, "time runs backwards in {event}");
                last_time = t;
            }
            if name(event) == "chat_session_message" {
                let id: u64 = event["msg_id"].as_str().unwrap().parse().unwrap();
                let party = event["party_id"].as_str().unwrap();
                if is_upper_uuid(party) {
                    assert_eq!(id % 2, 0, "{event}");
                } else {
                    assert_eq!(id % 2, 1, "{event}");
                    client_ids.push(party.to_owned());
                }
            }
        }
        client_ids.dedup();
        assert!(client_ids.len() <= 1, "two clients in one chat");
    }
    for expected in [
        "chat_session_form_data",
        "chat_session_navigation",
        "chat_session_end",
        "chat_session_form_show",
        "chat_session_party_joined",
        "chat_session_ended",
        "chat_session_inactivity_timeout",
    ] {
        assert!(names.iter().any(|n| n == expected), "no {expected}");
    }
    assert!(!names.iter().any(|n| n.ends_with("typing")), "typing kept");
}

#[test]
fn server_and_history_are_parsed_by_name() {
    assert_eq!("server".parse::<Workload>(), Ok(Workload::Server));
    assert_eq!("History".parse::<Workload>(), Ok(Workload::History));
    assert!(Workload::History.is_enveloped() && !Workload::Server.is_enveloped());
}
