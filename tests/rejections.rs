//! Every way an input can fail to be an event: the error kind, the field
//! where there is one, and the exact byte offset.
//!
//! Offsets are worked out by hand, mostly as the position of a marker that
//! occurs once in the input. The conventions they pin: a bad token is
//! reported at its first byte (a literal, an escape's backslash, a UTF-8
//! sequence's lead byte, a number too large), a malformed number at the byte
//! that breaks the grammar, a missing separator at the byte found instead, a
//! missing field or `event` at the object's closing brace, a value of the
//! wrong type at the value, and a repeated key at the repeat's opening quote.
#![cfg(feature = "std")]

use chatwire::{Error, ErrorKind, Expected, Field, Status};
use serde_json::Value;

/// The offset of `marker` in `input`, which must hold it exactly once.
#[track_caller]
fn at(input: &str, marker: &str) -> usize {
    assert_eq!(input.matches(marker).count(), 1, "{marker:?} in {input:?}");
    input.find(marker).expect("present")
}

/// Asserts that `input` is rejected with `kind` at `offset`, by `from_slice`
/// and by `parse` alike, and that serde_json agrees whether the input is
/// well-formed JSON.
#[track_caller]
fn rejects(input: impl AsRef<[u8]>, kind: ErrorKind, offset: usize) -> Error {
    let input = input.as_ref();
    let shown = String::from_utf8_lossy(input);
    let err = match chatwire::from_slice(input) {
        Ok(event) => panic!("accepted {shown:?} as {event:?}"),
        Err(err) => err,
    };
    assert_eq!(
        (err.kind(), err.offset()),
        (kind, offset),
        "input {shown:?}"
    );
    assert!(err.offset() <= input.len());
    assert_eq!(err.field(), kind.field());
    match kind {
        ErrorKind::UnexpectedEof => {
            assert_eq!(chatwire::parse(input), Ok(Status::Partial), "{shown:?}");
        }
        ErrorKind::TrailingCharacters => {
            assert!(
                matches!(chatwire::parse(input), Ok(Status::Complete(_))),
                "{shown:?}"
            );
        }
        _ => assert_eq!(chatwire::parse(input), Err(err), "parse of {shown:?}"),
    }
    // serde_json agrees that the input is or is not well-formed JSON (an
    // input that is not an object may still be JSON).
    if kind != ErrorKind::ExpectedObject {
        let json = serde_json::from_slice::<Value>(input);
        assert_eq!(
            json.is_ok(),
            !kind.is_syntax(),
            "serde_json on {shown:?}: {json:?}"
        );
    }
    err
}

const TYPING: &str = r#"{"event":"chat_session_typing""#;

#[test]
fn truncated_input_is_unexpected_eof_at_its_end() {
    let inputs: [&[u8]; 11] = [
        b"",
        b" \n\t",
        b"{",
        br#"{"event":"chat_session_typing""#,
        br#"{"event":"chat_session_typing","#,
        br#"{"event":"chat_session_message","msg_id":12"#,
        br#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hel"#,
        br#"{"event":"chat_session_message","msg_id":"a","msg":"\u00"#,
        br#"{"event":"chat_session_message","msg_id":"a","msg":"\ud83d"#,
        b"{\"event\":\"chat_session_message\",\"msg_id\":\"a\",\"msg\":\"caf\xc3",
        br#"{"event":"x","deep":[[[{"a":tru"#,
    ];
    for input in inputs {
        rejects(input, ErrorKind::UnexpectedEof, input.len());
    }
}

#[test]
fn rejects_input_that_is_not_an_object() {
    rejects(r#"["chat_session_typing"]"#, ErrorKind::ExpectedObject, 0);
    rejects(r#"  "chat_session_typing""#, ErrorKind::ExpectedObject, 2);
    rejects("null", ErrorKind::ExpectedObject, 0);
    rejects("42", ErrorKind::ExpectedObject, 0);
    rejects("}", ErrorKind::ExpectedObject, 0);
    // A byte-order mark and a form feed are not JSON whitespace.
    rejects(
        "\u{feff}{\"event\":\"chat_session_end\"}",
        ErrorKind::ExpectedObject,
        0,
    );
    rejects(
        "\n\u{c}{\"event\":\"chat_session_end\"}",
        ErrorKind::ExpectedObject,
        1,
    );
}

#[test]
fn rejects_missing_value_as_expected_value() {
    rejects(r#"{"event":}"#, ErrorKind::ExpectedValue, 9);
    let input = format!(r#"{TYPING},"x":]}}"#);
    rejects(&input, ErrorKind::ExpectedValue, at(&input, "]"));
    let input = format!(r#"{TYPING},"x":[1,,2]}}"#);
    rejects(&input, ErrorKind::ExpectedValue, at(&input, ",,") + 1);
    let input = format!(r#"{TYPING},"x":[}}"#);
    rejects(&input, ErrorKind::ExpectedValue, at(&input, "[") + 1);
    for bad in ["+1", ".5", "'a'", "True", "NaN", "undefined"] {
        let input = format!(r#"{TYPING},"x":{bad}}}"#);
        rejects(&input, ErrorKind::ExpectedValue, at(&input, bad));
    }
    let input = r#"{"event":"chat_session_message","msg_id":,"msg":"x"}"#;
    rejects(input, ErrorKind::ExpectedValue, at(input, ":,") + 1);
}

#[test]
fn rejects_non_string_key_as_expected_key() {
    rejects("{5:1}", ErrorKind::ExpectedKey, 1);
    rejects(r#"{'event':"chat_session_end"}"#, ErrorKind::ExpectedKey, 1);
    rejects(r#"{event:"chat_session_end"}"#, ErrorKind::ExpectedKey, 1);
    let input = format!("{TYPING},5:1}}");
    rejects(&input, ErrorKind::ExpectedKey, at(&input, "5"));
    let input = format!("{TYPING},,\"x\":1}}");
    rejects(&input, ErrorKind::ExpectedKey, at(&input, ",,") + 1);
    let input = format!(r#"{TYPING},"o":{{1:2}}}}"#);
    rejects(&input, ErrorKind::ExpectedKey, at(&input, "1"));
    let input = format!(r#"{TYPING},"o":{{"a":1,b:2}}}}"#);
    rejects(&input, ErrorKind::ExpectedKey, at(&input, "b:"));
}

#[test]
fn rejects_missing_colon_as_expected_colon() {
    rejects(
        r#"{"event" "chat_session_end"}"#,
        ErrorKind::ExpectedColon,
        9,
    );
    rejects(r#"{"event"}"#, ErrorKind::ExpectedColon, 8);
    rejects(
        r#"{"event"="chat_session_end"}"#,
        ErrorKind::ExpectedColon,
        8,
    );
    let input = format!(r#"{TYPING},"o":{{"a" 1}}}}"#);
    rejects(&input, ErrorKind::ExpectedColon, at(&input, "1"));
    let input = r#"{"event":"chat_session_message","msg_id","msg":"x"}"#;
    rejects(input, ErrorKind::ExpectedColon, at(input, r#","msg""#));
}

#[test]
fn rejects_missing_comma_in_object_as_expected_comma_or_brace() {
    let input = format!(r#"{TYPING} "x":1}}"#);
    rejects(
        &input,
        ErrorKind::ExpectedCommaOrBrace,
        at(&input, r#""x""#),
    );
    let input = format!("{TYPING}]");
    rejects(&input, ErrorKind::ExpectedCommaOrBrace, TYPING.len());
    let input = format!(r#"{TYPING},"o":{{"a":1 "b":2}}}}"#);
    rejects(
        &input,
        ErrorKind::ExpectedCommaOrBrace,
        at(&input, r#""b""#),
    );
    let input = format!(r#"{TYPING},"o":{{"a":1]}}"#);
    rejects(&input, ErrorKind::ExpectedCommaOrBrace, at(&input, "]"));
    let input = r#"{"event":"chat_session_message","msg_id":12 "msg":"x"}"#;
    rejects(
        input,
        ErrorKind::ExpectedCommaOrBrace,
        at(input, r#""msg""#),
    );
    let input = r#"{"event":"chat_session_message","msg_id":"12":"msg"}"#;
    rejects(
        input,
        ErrorKind::ExpectedCommaOrBrace,
        at(input, r#":"msg""#),
    );
}

#[test]
fn rejects_missing_comma_in_array_as_expected_comma_or_bracket() {
    let input = format!(r#"{TYPING},"a":[1 2]}}"#);
    rejects(&input, ErrorKind::ExpectedCommaOrBracket, at(&input, "2"));
    let input = format!(r#"{TYPING},"a":[1}}"#);
    rejects(
        &input,
        ErrorKind::ExpectedCommaOrBracket,
        at(&input, "1}") + 1,
    );
    let input = format!(r#"{TYPING},"a":["x":1]}}"#);
    rejects(&input, ErrorKind::ExpectedCommaOrBracket, at(&input, ":1"));
    let input = r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":[[]"x"]}"#;
    rejects(
        input,
        ErrorKind::ExpectedCommaOrBracket,
        at(input, r#""x""#),
    );
}

#[test]
fn rejects_trailing_comma_at_the_closing_bracket() {
    let input = format!("{TYPING},}}");
    rejects(&input, ErrorKind::TrailingComma, TYPING.len() + 1);
    let input = format!("{TYPING}, \n\t}}");
    rejects(&input, ErrorKind::TrailingComma, at(&input, "}"));
    let input = format!(r#"{TYPING},"a":[1,]}}"#);
    rejects(&input, ErrorKind::TrailingComma, at(&input, "]"));
    let input = format!(r#"{TYPING},"a":[1, ]}}"#);
    rejects(&input, ErrorKind::TrailingComma, at(&input, "]"));
    let input = format!(r#"{TYPING},"o":{{"a":1,}}}}"#);
    rejects(&input, ErrorKind::TrailingComma, at(&input, ",}") + 1);
    let input = r#"{"event":"chat_session_form_data","form_request_id":"1","form_name":"f","data":{"a":"b",}}"#;
    rejects(input, ErrorKind::TrailingComma, at(input, ",}") + 1);
}

#[test]
fn rejects_misspelt_literals_at_their_first_byte() {
    for bad in ["tru}", "t}", "nul,", "nulL}", "fals3}", "fa1se}"] {
        let input = format!(r#"{TYPING},"x":{bad}"#);
        rejects(&input, ErrorKind::InvalidLiteral, at(&input, bad));
    }
    let input = format!(r#"{TYPING},"x":[true,truth]}}"#);
    rejects(&input, ErrorKind::InvalidLiteral, at(&input, "truth"));
    let input =
        r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":nul}"#;
    rejects(input, ErrorKind::InvalidLiteral, at(input, "nul}"));
    let input = r#"{"event":"chat_session_message","msg_id":"m","msg":fals}"#;
    rejects(input, ErrorKind::InvalidLiteral, at(input, "fals}"));
}

#[test]
fn rejects_malformed_numbers_at_the_byte_that_breaks_the_grammar() {
    // (number, marker whose first byte is the offending one)
    let cases = [
        ("-}", "}"),
        ("-a}", "a}"),
        ("1.}", "}"),
        ("1.e5}", "e5"),
        ("1e}", "}"),
        ("1e+}", "}"),
        ("1E-x}", "x"),
        ("-.5}", ".5"),
    ];
    for (number, marker) in cases {
        let input = format!(r#"{TYPING},"x":{number}"#);
        let offset = TYPING.len() + r#","x":"#.len() + number.find(marker).expect("marker");
        rejects(&input, ErrorKind::InvalidNumber, offset);
    }
    let input = r#"{"event":"chat_session_message","msg_id":1.x,"msg":"a"}"#;
    rejects(input, ErrorKind::InvalidNumber, at(input, "x,"));
}

#[test]
fn rejects_leading_zero_as_invalid_number() {
    // `01` is ErrorKind::InvalidNumber's own example, and serde_json's
    // verdict: a second digit after a leading zero breaks the grammar there.
    for number in ["01", "-01", "00", "012.5"] {
        let input = format!(r#"{TYPING},"x":{number}}}"#);
        let offset = TYPING.len() + r#","x":"#.len() + number.find('0').expect("zero") + 1;
        rejects(&input, ErrorKind::InvalidNumber, offset);
    }
    let input = r#"{"event":"chat_session_message","msg_id":007,"msg":"bond"}"#;
    rejects(input, ErrorKind::InvalidNumber, at(input, "07"));
}

#[test]
fn rejects_numbers_beyond_f64_at_their_first_byte() {
    let long = format!("1{}", "0".repeat(309));
    for number in [
        "1e309",
        "-1e309",
        "0.1e310",
        "2e308",
        "1e99999999999999999999",
        &long,
    ] {
        let input = format!(r#"{TYPING},"x":{number}}}"#);
        rejects(&input, ErrorKind::NumberOutOfRange, TYPING.len() + 5);
    }
    // Out of range before it is of the wrong type.
    let input = r#"{"event":"chat_session_message","msg_id":1e400,"msg":"a"}"#;
    rejects(input, ErrorKind::NumberOutOfRange, at(input, "1e400"));
    let input = r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":[1,2,-9e999]}"#;
    rejects(input, ErrorKind::NumberOutOfRange, at(input, "-9e999"));
}

#[test]
fn number_range_matches_serde_json_at_the_edges() {
    let long_ok = format!("1{}", "0".repeat(308));
    let long_fraction = format!("0.{}1e300", "0".repeat(400));
    let long_bad = format!("{}e-10", "9".repeat(330));
    let numbers = [
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1.797693134862316e308",
        "-1.7976931348623157e308",
        "17976931348623157e292",
        "1e308",
        "10e307",
        "1e-400",
        "0e99999999999999999999",
        "1e-99999999999999999999",
        "0.0000001e314",
        &long_ok,
        &long_fraction,
        &long_bad,
    ];
    for number in numbers {
        let input = format!(r#"{TYPING},"x":{number}}}"#);
        let ours = chatwire::from_slice(input.as_bytes()).map(|_| ());
        let theirs = serde_json::from_str::<Value>(&input).map(|_| ());
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{number}: {ours:?} vs {theirs:?}"
        );
        if let Err(e) = ours {
            assert_eq!(
                (e.kind(), e.offset()),
                (ErrorKind::NumberOutOfRange, TYPING.len() + 5)
            );
        }
    }
}

#[test]
fn rejects_raw_control_characters_in_strings_at_the_character() {
    for control in ['\0', '\t', '\n', '\r', '\u{1}', '\u{1f}'] {
        let input =
            format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"a{control}b"}}"#);
        rejects(&input, ErrorKind::ControlCharacter, at(&input, "\"a") + 2);
    }
    rejects(
        "{\"ev\u{1}ent\":\"chat_session_end\"}",
        ErrorKind::ControlCharacter,
        4,
    );
    let input = "{\"event\":\"chat_session_cobrowsing_ended\",\"note\":\"x\ty\"}";
    rejects(input, ErrorKind::ControlCharacter, at(input, "\t"));
    let input = "{\"event\":\"chat_session_form_data\",\"form_request_id\":\"1\",\"form_name\":\"f\",\"data\":{\"k\":\"\n\"}}";
    rejects(input, ErrorKind::ControlCharacter, at(input, "\n"));
}

#[test]
fn rejects_unknown_escapes_at_the_backslash() {
    for escape in [r"\x41", r"\a", r"\'", r"\U0041", r"\0", r"\ ", r"\v"] {
        let input =
            format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"ok{escape}"}}"#);
        rejects(&input, ErrorKind::InvalidEscape, at(&input, escape));
    }
    let input = r#"{"ev\ent":"chat_session_end"}"#;
    rejects(input, ErrorKind::InvalidEscape, 4);
    let input = r#"{"event":"chat_session_typing","x":["\q"]}"#;
    rejects(input, ErrorKind::InvalidEscape, at(input, r"\q"));
}

#[test]
fn rejects_bad_unicode_escapes_at_the_backslash() {
    for escape in [r"\u12G4", r"\u-123", r"\u 123", r"\uZZZZ"] {
        let input =
            format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"ok{escape}"}}"#);
        rejects(&input, ErrorKind::InvalidUnicodeEscape, at(&input, escape));
    }
    let input = r#"{"event":"chat_session_message","msg_id":"m","msg":"\u00"}"#;
    rejects(input, ErrorKind::InvalidUnicodeEscape, at(input, r"\u00"));
    // A bad escape after a high surrogate is reported at its own backslash.
    let input = r#"{"event":"chat_session_message","msg_id":"m","msg":"\ud83d\u12x4"}"#;
    rejects(input, ErrorKind::InvalidUnicodeEscape, at(input, r"\u12x4"));
}

#[test]
fn rejects_lone_surrogates_at_the_first_backslash() {
    for text in [
        r"\ud800",
        r"\udc00",
        r"\ud800\u0041",
        r"\ud800x",
        r"\ud800\n",
        r"\ud83d\ud83d",
        r"\ude00\ud83d",
        r"\uDBFF",
    ] {
        let input = format!(r#"{{"event":"chat_session_message","msg_id":"m","msg":"<{text}>"}}"#);
        rejects(&input, ErrorKind::LoneSurrogate, at(&input, "<") + 1);
    }
    let input = r#"{"event":"chat_session_typing","x\udfff":1}"#;
    rejects(input, ErrorKind::LoneSurrogate, at(input, r"\udfff"));
    let input = r#"{"event":"chat_session_form_data","form_request_id":"1","form_name":"f","data":{"k":"\ud800"}}"#;
    rejects(input, ErrorKind::LoneSurrogate, at(input, r"\ud800"));
}

#[test]
fn rejects_invalid_utf8_at_the_lead_byte() {
    let bad: [&[u8]; 9] = [
        b"\xff",
        b"\x80",
        b"\xc3\x28",
        b"\xc0\xaf",
        b"\xe0\x80\x80",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf8\x88\x80\x80\x80",
        b"\xe6\x97",
    ];
    for bytes in bad {
        let mut input = br#"{"event":"chat_session_message","msg_id":"m","msg":"ok "#.to_vec();
        let offset = input.len();
        input.extend_from_slice(bytes);
        input.extend_from_slice(br#"""#);
        input.push(b'}');
        rejects(&input, ErrorKind::InvalidUtf8, offset);
    }
    let mut input = br#"{"event":"chat_session_typing",""#.to_vec();
    let offset = input.len();
    input.extend_from_slice(b"\xc3\xa9\xe9\":1}");
    rejects(&input, ErrorKind::InvalidUtf8, offset + 2);
}

/// `{"event":"chat_session_typing","x":` and `depth` nested arrays, closed;
/// the offset of the first `[`.
fn nested_arrays(depth: usize) -> (String, usize) {
    let head = format!(r#"{TYPING},"x":"#);
    let start = head.len();
    (
        format!("{head}{}{}}}", "[".repeat(depth), "]".repeat(depth)),
        start,
    )
}

#[test]
fn accepts_126_nested_arrays_inside_the_event_and_rejects_127() {
    let (ok, _) = nested_arrays(126);
    assert!(chatwire::from_slice(ok.as_bytes()).is_ok());
    assert!(
        serde_json::from_str::<Value>(&ok).is_ok(),
        "serde_json agrees"
    );
    let (deep, start) = nested_arrays(127);
    // The 127th `[` is the 128th container, the event's object included.
    rejects(&deep, ErrorKind::DepthLimitExceeded, start + 126);
}

#[test]
fn accepts_126_nested_objects_inside_the_event_and_rejects_127() {
    let nest = |depth: usize| {
        format!(
            r#"{{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":{}0{}}}"#,
            r#"{"a":"#.repeat(depth),
            "}".repeat(depth)
        )
    };
    let ok = nest(126);
    assert!(chatwire::from_slice(ok.as_bytes()).is_ok());
    assert!(
        serde_json::from_str::<Value>(&ok).is_ok(),
        "serde_json agrees"
    );
    let deep = nest(127);
    let start = at(&deep, r#""data":"#) + 7;
    rejects(&deep, ErrorKind::DepthLimitExceeded, start + 126 * 5);
}

#[test]
fn depth_limit_counts_arrays_and_objects_alike() {
    // 63 `[{"k":` pairs is 126 containers; one more `[` is the 128th.
    let build = |pairs: usize, extra: &str| {
        format!(
            r#"{TYPING},"x":{}{extra}{}}}"#,
            r#"[{"k":"#.repeat(pairs),
            "}]".repeat(pairs)
        )
    };
    let ok = build(63, "0");
    assert!(chatwire::from_slice(ok.as_bytes()).is_ok());
    assert!(serde_json::from_str::<Value>(&ok).is_ok());
    let deep = build(63, "[0]");
    rejects(&deep, ErrorKind::DepthLimitExceeded, at(&deep, "[0]"));
}

#[test]
fn megabyte_of_open_brackets_is_rejected_without_overflowing_the_stack() {
    // A small stack: a recursive descent over a million levels would
    // overflow it long before the end.
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(|| {
            for (head, open) in [
                (format!(r#"{TYPING},"x":"#), "["),
                (format!(r#"{TYPING},"x":"#), r#"{"a":"#),
                (
                    r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":"#
                        .to_owned(),
                    "[",
                ),
                (
                    r#"{"event":"chat_session_form_data","form_request_id":"1","form_name":"f","data":"#
                        .to_owned(),
                    r#"{"a":"#,
                ),
            ] {
                let mut input = head.clone().into_bytes();
                while input.len() < (1 << 20) {
                    input.extend_from_slice(open.as_bytes());
                }
                let expected = head.len() + 126 * open.len();
                let err = chatwire::from_slice(&input).expect_err("too deep");
                assert_eq!((err.kind(), err.offset()), (ErrorKind::DepthLimitExceeded, expected));
                let err = chatwire::parse(&input).expect_err("too deep, not partial");
                assert_eq!((err.kind(), err.offset()), (ErrorKind::DepthLimitExceeded, expected));
            }
        })
        .expect("spawn");
    handle.join().expect("no stack overflow");
    // serde_json stops there too.
    let (deep, _) = nested_arrays(1 << 20);
    assert!(serde_json::from_str::<Value>(&deep).is_err());
}

#[test]
fn rejects_anything_but_whitespace_after_the_object() {
    let end = r#"{"event":"chat_session_end"}"#;
    assert_eq!(end.len(), 28);
    for (suffix, offset) in [
        (" x", 29),
        (r#"{"event":"chat_session_end"}"#, 28),
        ("\n\n{}", 30),
        ("\u{c}", 28),
        (" \u{a0}", 29),
        ("\0", 28),
        (",", 28),
        ("}", 28),
        ("\r\n\t ]", 32),
        ("\u{feff}", 28),
    ] {
        rejects(
            format!("{end}{suffix}"),
            ErrorKind::TrailingCharacters,
            offset,
        );
    }
    for suffix in [" ", "\t", "\r\n", "\n\n \t\r"] {
        assert!(chatwire::from_slice(format!("{end}{suffix}").as_bytes()).is_ok());
    }
}

#[test]
fn parse_leaves_trailing_bytes_to_the_caller() {
    let input = b"{\"event\":\"chat_session_end\"} garbage";
    assert_eq!(
        chatwire::parse(input),
        Ok(Status::Complete((chatwire::ClientEvent::End, 28)))
    );
}

#[test]
fn rejects_object_without_event_at_its_closing_brace() {
    rejects("{}", ErrorKind::MissingEvent, 1);
    rejects("{ \n}", ErrorKind::MissingEvent, 3);
    for input in [
        r#"{"msg_id":"1","msg":"x"}"#,
        r#"{"Event":"chat_session_typing"}"#,
        r#"{"event ":"chat_session_typing"}"#,
        r#"{"events":[{"event":"chat_session_typing"}]}"#,
        r#"{"type":"chat_session_typing","data":{"event":"chat_session_end"}}"#,
    ] {
        let err = rejects(input, ErrorKind::MissingEvent, input.len() - 1);
        assert_eq!(err.field(), Some(Field::Event));
    }
}

#[test]
fn rejects_event_that_is_not_a_string() {
    let kind = ErrorKind::InvalidType {
        field: Field::Event,
        expected: Expected::String,
    };
    for value in [
        "5",
        "null",
        "true",
        r#"["chat_session_typing"]"#,
        r#"{"name":"chat_session_typing"}"#,
        "1.5",
    ] {
        let input = format!(r#"{{"msg":"x","event":{value},"msg_id":"m"}}"#);
        let err = rejects(&input, kind, at(&input, value));
        assert_eq!(err.field(), Some(Field::Event));
    }
}

/// Each event with all its required fields, valid, in spec order.
const REQUIRED: [(&str, &[(Field, &str)]); 4] = [
    (
        "chat_session_message",
        &[(Field::MsgId, r#""m""#), (Field::Msg, r#""x""#)],
    ),
    (
        "chat_session_form_data",
        &[
            (Field::FormRequestId, r#""r""#),
            (Field::FormName, r#""f""#),
            (Field::Data, "{}"),
        ],
    ),
    (
        "chat_session_signaling",
        &[
            (Field::MsgId, r#""m""#),
            (Field::DestinationPartyId, r#""p""#),
            (Field::Data, r#""d""#),
        ],
    ),
    (
        "chat_session_file",
        &[
            (Field::MsgId, r#""m""#),
            (Field::FileType, r#""image""#),
            (Field::FileId, r#""f""#),
        ],
    ),
];

/// The event `name` with `fields`, one of them given `replace` as its value
/// (or left out when `replace` is `None`), and an extra field last.
fn event_with(
    name: &str,
    fields: &[(Field, &str)],
    target: Field,
    replace: Option<&str>,
) -> String {
    let mut out = format!(r#"{{"event":"{name}""#);
    for &(field, value) in fields {
        let value = if field == target {
            match replace {
                Some(v) => v,
                None => continue,
            }
        } else {
            value
        };
        out.push_str(&format!(r#","{}":{value}"#, field.name()));
    }
    out.push_str(r#","party_id":"p-1"}"#);
    out
}

#[test]
fn rejects_each_missing_required_field_at_the_closing_brace() {
    let mut cases = 0;
    for (name, fields) in REQUIRED {
        for &(field, _) in fields {
            let input = event_with(name, fields, field, None);
            let err = rejects(&input, ErrorKind::MissingField(field), input.len() - 1);
            assert_eq!(err.field(), Some(field));
            // Whitespace before the brace does not move the offset off it.
            let spaced = format!("{} \n}}", &input[..input.len() - 1]);
            rejects(&spaced, ErrorKind::MissingField(field), spaced.len() - 1);
            cases += 1;
        }
    }
    assert_eq!(cases, 11);
}

#[test]
fn rejects_ids_that_are_not_strings_or_integers() {
    let bad = [
        "1.5",
        "-0",
        "0.0",
        "1e2",
        "1E2",
        "18446744073709551616",
        "-9223372036854775809",
        "true",
        "false",
        "null",
        r#"{"id":1}"#,
        "[1]",
    ];
    let id_fields = [
        Field::MsgId,
        Field::FormRequestId,
        Field::DestinationPartyId,
        Field::FileId,
    ];
    let mut cases = 0;
    for (name, fields) in REQUIRED {
        for &(field, _) in fields.iter().filter(|(f, _)| id_fields.contains(f)) {
            for value in bad {
                let input = event_with(name, fields, field, Some(value));
                let kind = ErrorKind::InvalidType {
                    field,
                    expected: Expected::StringOrInteger,
                };
                let offset =
                    at(&input, &format!(r#""{}":"#, field.name())) + field.name().len() + 3;
                rejects(&input, kind, offset);
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 6 * bad.len());
}

#[test]
fn rejects_text_fields_that_are_not_strings() {
    let bad = [
        "1",
        "-1.5",
        "null",
        "true",
        "[]",
        r#"["x"]"#,
        "{}",
        r#"{"x":"y"}"#,
    ];
    let mut cases = 0;
    for (name, fields) in REQUIRED {
        for &(field, _) in fields
            .iter()
            .filter(|(f, _)| matches!(f, Field::Msg | Field::FormName | Field::FileType))
        {
            for value in bad {
                let input = event_with(name, fields, field, Some(value));
                let kind = ErrorKind::InvalidType {
                    field,
                    expected: Expected::String,
                };
                let offset =
                    at(&input, &format!(r#""{}":"#, field.name())) + field.name().len() + 3;
                rejects(&input, kind, offset);
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 3 * bad.len());
}

#[test]
fn rejects_form_data_that_is_not_an_object() {
    let fields = REQUIRED[1].1;
    for value in [
        "[]",
        r#"["param1","value1"]"#,
        r#""param1=value1""#,
        r#""{}""#,
        "1",
        "null",
        "true",
    ] {
        let input = event_with("chat_session_form_data", fields, Field::Data, Some(value));
        let kind = ErrorKind::InvalidType {
            field: Field::Data,
            expected: Expected::Object,
        };
        rejects(&input, kind, at(&input, r#""data":"#) + 7);
    }
}

#[test]
fn rejects_file_type_other_than_image_or_attachment() {
    let fields = REQUIRED[3].1;
    for value in [
        r#""video""#,
        r#""Image""#,
        r#""IMAGE""#,
        r#""image ""#,
        r#""""#,
        r#""imag""#,
        r#""attachments""#,
        r#""\u0069mage\u0000""#,
    ] {
        let input = event_with("chat_session_file", fields, Field::FileType, Some(value));
        let err = rejects(&input, ErrorKind::InvalidFileType, at(&input, value));
        assert_eq!(err.field(), Some(Field::FileType));
    }
}

#[test]
fn rejects_duplicate_event_at_the_repeat() {
    let repeat = r#""event":"chat_session_typing"}"#;
    let input = format!("{TYPING},{repeat}");
    rejects(
        &input,
        ErrorKind::DuplicateField(Field::Event),
        TYPING.len() + 1,
    );
    for input in [
        r#"{"event":"chat_session_end","msg":"x","event":"chat_session_end"}"#,
        r#"{"event":"x_custom","a":1,"event":"x_custom"}"#,
        r#"{"event":"chat_session_typing","event":5}"#,
    ] {
        let repeat = input.rfind(r#""event""#).expect("two");
        let err = rejects(input, ErrorKind::DuplicateField(Field::Event), repeat);
        assert_eq!(err.field(), Some(Field::Event));
    }
    let input = r#"{"event":"chat_session_typing","\u0065vent":"chat_session_typing"}"#;
    rejects(
        input,
        ErrorKind::DuplicateField(Field::Event),
        at(input, r#""\u0065vent""#),
    );
}

#[test]
fn rejects_duplicate_fields_of_each_event_at_the_repeat() {
    let mut cases = 0;
    for (name, fields) in REQUIRED {
        for &(field, value) in fields {
            let once = event_with(name, fields, field, Some(value));
            let (head, tail) = once.split_at(once.len() - 1);
            let input = format!(r#"{head},"{}":{value}{tail}"#, field.name());
            let key = format!(r#","{}":"#, field.name());
            let repeat = input.rfind(&key).expect("repeat") + 1;
            let err = rejects(&input, ErrorKind::DuplicateField(field), repeat);
            assert_eq!(err.field(), Some(field));
            cases += 1;
        }
    }
    assert_eq!(cases, 11);
    // A repeat spelt with an escape is the same key.
    let input = r#"{"event":"chat_session_message","msg_id":"1","msg":"a","m\u0073g":"b"}"#;
    rejects(
        input,
        ErrorKind::DuplicateField(Field::Msg),
        at(input, r#""m\u0073g""#),
    );
}

/// serde's derive, the way a user would write it, for the duplicate checks.
#[derive(serde::Deserialize)]
#[serde(tag = "event")]
#[allow(dead_code)]
enum Derived {
    #[serde(rename = "chat_session_message")]
    Message { msg_id: Value, msg: String },
    #[serde(rename = "chat_session_typing")]
    Typing,
    #[serde(rename = "chat_session_form_data")]
    FormData {
        form_request_id: Value,
        form_name: String,
        data: serde_json::Map<String, Value>,
    },
    #[serde(rename = "chat_session_end")]
    End,
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        msg_id: Value,
        destination_party_id: Value,
        data: Value,
    },
    #[serde(rename = "chat_session_file")]
    File {
        msg_id: Value,
        file_type: String,
        file_id: Value,
    },
}

#[test]
fn accepts_duplicates_of_fields_the_event_does_not_use() {
    for input in [
        r#"{"event":"chat_session_typing","msg_id":"a","msg_id":"b"}"#,
        r#"{"event":"chat_session_end","msg_id":1,"msg_id":"x","data":[],"data":{}}"#,
        r#"{"event":"chat_session_message","msg_id":"d1","data":1,"msg":"x","data":{}}"#,
        r#"{"event":"chat_session_file","msg":"a","msg_id":"d2","msg":"b","file_type":"image","file_id":"f"}"#,
        r#"{"event":"chat_session_signaling","file_type":"video","msg_id":"d3","file_type":3,"destination_party_id":"p","data":"x"}"#,
        r#"{"event":"chat_session_form_data","msg_id":1,"msg_id":2,"form_request_id":"d4","form_name":"f","data":{}}"#,
        r#"{"event":"chat_session_message","msg_id":"d5","msg":"x","party_id":"a","party_id":"b"}"#,
    ] {
        assert!(
            chatwire::from_slice(input.as_bytes()).is_ok(),
            "chatwire rejects {input}"
        );
        assert!(
            serde_json::from_str::<Derived>(input).is_ok(),
            "serde's derive rejects {input}"
        );
    }
}

#[test]
fn serde_derive_rejects_the_duplicates_chatwire_rejects() {
    for (name, fields) in REQUIRED {
        for &(field, value) in fields {
            let once = event_with(name, fields, field, Some(value));
            assert!(serde_json::from_str::<Derived>(&once).is_ok(), "{once}");
            let (head, tail) = once.split_at(once.len() - 1);
            let input = format!(r#"{head},"{}":{value}{tail}"#, field.name());
            assert!(serde_json::from_str::<Derived>(&input).is_err(), "{input}");
            assert!(chatwire::from_slice(input.as_bytes()).is_err(), "{input}");
        }
    }
    let input = r#"{"event":"chat_session_typing","event":"chat_session_typing"}"#;
    assert!(serde_json::from_str::<Derived>(input).is_err());
}

#[test]
fn error_position_counts_lines_and_byte_columns() {
    let input =
        "{\n  \"event\": \"chat_session_message\",\n  \"msg\": \"x\",\n  \"msg_id\": 1.5\n}";
    let err = chatwire::from_slice(input.as_bytes()).expect_err("float id");
    let pos = err.position(input.as_bytes());
    assert_eq!((pos.line, pos.column), (4, 13));
    assert_eq!(pos.to_string(), "4:13");

    // The column counts bytes: "café" is five.
    let input =
        "{\n  \"event\": \"chat_session_message\",\n  \"msg\": \"café\", \"msg_id\": true\n}";
    let err = chatwire::from_slice(input.as_bytes()).expect_err("bool id");
    let pos = err.position(input.as_bytes());
    assert_eq!((pos.line, pos.column), (3, 29));

    // A carriage return is a byte of the line like any other.
    let input = "{\r\n\"event\":5\r\n}";
    let err = chatwire::from_slice(input.as_bytes()).expect_err("number event");
    let pos = err.position(input.as_bytes());
    assert_eq!((pos.line, pos.column), (2, 9));

    // An error on the first line.
    let input = br#"{"event":"chat_session_typing",}"#;
    let pos = chatwire::from_slice(input)
        .expect_err("comma")
        .position(input);
    assert_eq!((pos.line, pos.column), (1, 32));

    // The end of the input, after a newline.
    let input = b"{\"event\":\n";
    let err = chatwire::from_slice(input).expect_err("eof");
    let pos = err.position(input);
    assert_eq!((pos.line, pos.column), (2, 1));

    // A missing field on the closing brace of a pretty-printed event.
    let input = "{\n  \"event\": \"chat_session_file\",\n  \"msg_id\": \"m\",\n  \"file_type\": \"image\"\n}\n";
    let err = chatwire::from_slice(input.as_bytes()).expect_err("no file_id");
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::FileId));
    let pos = err.position(input.as_bytes());
    assert_eq!((pos.line, pos.column), (5, 1));
}

#[test]
fn error_display_names_the_problem_and_the_offset() {
    let cases: [(&str, &[&str]); 5] = [
        (
            r#"{"event":"chat_session_message","msg_id":"1","msg":"a","msg":"b"}"#,
            &["duplicate", "`msg`"],
        ),
        (
            r#"{"event":"chat_session_message","msg_id":1.5,"msg":"a"}"#,
            &["`msg_id`", "string", "integer"],
        ),
        (
            r#"{"event":"chat_session_file","msg_id":"m","file_type":"image"}"#,
            &["missing", "`file_id`"],
        ),
        (r#"{"event":"chat_session_typing",}"#, &["trailing comma"]),
        (
            r#"{"event":"chat_session_typing","x":"\ud800"}"#,
            &["surrogate"],
        ),
    ];
    for (input, words) in cases {
        let err = chatwire::from_slice(input.as_bytes()).expect_err(input);
        let text = err.to_string();
        for word in words {
            assert!(text.contains(word), "{text:?} lacks {word:?}");
        }
        assert!(
            text.ends_with(&format!("at byte {}", err.offset())),
            "{text:?}"
        );
    }
    let err = chatwire::from_slice(br#"{"event":"chat_session_typing",}"#).expect_err("comma");
    assert!(err.to_string().ends_with("at byte 31"));
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().contains("31"));
}

#[test]
fn syntax_errors_and_schema_errors_are_told_apart() {
    let syntax = [
        ErrorKind::UnexpectedEof,
        ErrorKind::ExpectedObject,
        ErrorKind::ExpectedValue,
        ErrorKind::ExpectedKey,
        ErrorKind::ExpectedColon,
        ErrorKind::ExpectedCommaOrBrace,
        ErrorKind::ExpectedCommaOrBracket,
        ErrorKind::TrailingComma,
        ErrorKind::InvalidLiteral,
        ErrorKind::InvalidNumber,
        ErrorKind::NumberOutOfRange,
        ErrorKind::ControlCharacter,
        ErrorKind::InvalidEscape,
        ErrorKind::InvalidUnicodeEscape,
        ErrorKind::LoneSurrogate,
        ErrorKind::InvalidUtf8,
        ErrorKind::DepthLimitExceeded,
        ErrorKind::TrailingCharacters,
    ];
    for kind in syntax {
        assert!(kind.is_syntax(), "{kind:?}");
        assert_eq!(kind.field(), None, "{kind:?}");
    }
    let schema = [
        ErrorKind::MissingEvent,
        ErrorKind::MissingField(Field::Msg),
        ErrorKind::DuplicateField(Field::Event),
        ErrorKind::InvalidType {
            field: Field::Data,
            expected: Expected::Object,
        },
        ErrorKind::InvalidFileType,
    ];
    for kind in schema {
        assert!(!kind.is_syntax(), "{kind:?}");
        assert!(kind.field().is_some(), "{kind:?}");
    }
}
