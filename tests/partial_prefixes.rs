//! Truncation is not an error (httparse's `partial_permutations`): every
//! strict prefix of a valid event is `Status::Partial`, the whole event is
//! `Complete` with `used` just past its closing brace, whatever follows.
#![cfg(feature = "std")]

mod common;

use chatwire::workload::Workload;
use chatwire::{ClientEvent, ErrorKind, Status};

/// The number of events of each workload the prefix tests walk.
const EVENTS: usize = 2000;

/// Asserts that every strict prefix of `input[..end]` is `Partial` and that
/// `input[..end]` itself is `Complete` with `used == end`.
#[track_caller]
fn assert_prefixes_partial<'a>(input: &'a [u8], end: usize, what: &str) -> ClientEvent<'a> {
    for k in 0..end {
        if !matches!(chatwire::parse(&input[..k]), Ok(Status::Partial)) {
            panic!(
                "{what}: prefix of {k} bytes {:?} is {:?}, not Partial",
                String::from_utf8_lossy(&input[..k]),
                chatwire::parse(&input[..k])
            );
        }
    }
    match chatwire::parse(&input[..end]) {
        Ok(Status::Complete((event, used))) => {
            assert_eq!(used, end, "{what}: used");
            event
        }
        other => panic!("{what}: whole event is {other:?}"),
    }
}

#[test]
fn prefix_of_every_fixture_is_partial_and_the_whole_is_complete() {
    for fixture in common::all() {
        let end = fixture.end();
        let event = assert_prefixes_partial(&fixture.json, end, fixture.name);
        common::check(&fixture, &event);
        // Trailing whitespace is not the event's.
        for k in end..=fixture.json.len() {
            match chatwire::parse(&fixture.json[..k]) {
                Ok(Status::Complete((_, used))) => assert_eq!(used, end, "{}", fixture.name),
                other => panic!("{}: {other:?}", fixture.name),
            }
        }
    }
}

#[test]
fn prefix_of_every_fixture_is_unexpected_eof_for_from_slice() {
    for fixture in common::all() {
        for k in 0..fixture.end() {
            let err = chatwire::from_slice(&fixture.json[..k]).expect_err(fixture.name);
            assert_eq!(
                (err.kind(), err.offset()),
                (ErrorKind::UnexpectedEof, k),
                "{}: prefix of {k} bytes",
                fixture.name
            );
        }
    }
}

#[test]
fn used_points_just_past_the_closing_brace_whatever_follows() {
    let suffixes: [&[u8]; 11] = [
        b"\n",
        b" ",
        b"\r\n{\"event\":\"chat_session_end\"}\n",
        b"{\"event\":\"chat_session_end\"}",
        b"x",
        b"}",
        b"]",
        b",",
        b"\xff\xfe",
        b"\0",
        b"{\"event\":",
    ];
    for fixture in common::all() {
        let end = fixture.end();
        let whole = chatwire::from_slice(&fixture.json).expect("valid");
        for suffix in suffixes {
            let mut input = fixture.json[..end].to_vec();
            input.extend_from_slice(suffix);
            match chatwire::parse(&input) {
                Ok(Status::Complete((event, used))) => {
                    assert_eq!(used, end, "{} + {suffix:?}", fixture.name);
                    assert_eq!(input[used - 1], b'}');
                    assert_eq!(event, whole, "{} + {suffix:?}", fixture.name);
                }
                other => panic!("{} + {suffix:?}: {other:?}", fixture.name),
            }
        }
    }
}

#[test]
fn events_back_to_back_parse_one_after_another() {
    // JSON values back to back, as a TCP transport may carry them: with no
    // separator, and with whitespace between.
    let fixtures = common::all();
    for separator in [&b""[..], b"\n", b" \r\n\t"] {
        let mut stream = Vec::new();
        let mut ends = Vec::new();
        for fixture in &fixtures {
            stream.extend_from_slice(&fixture.json[..fixture.end()]);
            ends.push(stream.len());
            stream.extend_from_slice(separator);
        }
        let mut pos = 0;
        for (fixture, &end) in fixtures.iter().zip(&ends) {
            let Ok(Status::Complete((event, used))) = chatwire::parse(&stream[pos..]) else {
                panic!("{} did not parse at {pos}", fixture.name)
            };
            assert_eq!(pos + used, end, "{}", fixture.name);
            common::check(fixture, &event);
            pos += used;
        }
        assert!(stream[pos..].iter().all(u8::is_ascii_whitespace));
        assert_eq!(chatwire::parse(&stream[pos..]), Ok(Status::Partial));
    }
}

#[test]
fn workload_stream_parses_line_after_line() {
    for workload in [Workload::Mixed, Workload::Typing, Workload::Signaling] {
        let bytes = common::workload_bytes(workload, EVENTS);
        let mut pos = 0;
        let mut count = 0;
        while pos < bytes.len() {
            match chatwire::parse(&bytes[pos..]) {
                Ok(Status::Complete((event, used))) => {
                    let end = pos + used;
                    assert_eq!(bytes[end - 1], b'}', "{workload} event {count}");
                    assert_eq!(bytes[end], b'\n', "{workload} event {count}");
                    let line_start = pos + usize::from(count > 0);
                    let line = chatwire::from_slice(&bytes[line_start..end]).expect("valid line");
                    assert_eq!(event, line);
                    pos = end;
                    count += 1;
                }
                Ok(Status::Partial) => {
                    assert_eq!(
                        &bytes[pos..],
                        b"\n",
                        "{workload}: only the last newline is left"
                    );
                    break;
                }
                Err(e) => panic!("{workload} event {count}: {e}"),
            }
        }
        assert_eq!(count, EVENTS, "{workload}");
    }
}

fn check_workload_prefixes(workload: Workload, lines: std::ops::Range<usize>) {
    let events = common::workload_events(workload, EVENTS);
    assert!(
        events.len() >= lines.end,
        "{workload}: {} events",
        events.len()
    );
    let first = lines.start;
    for (i, event) in events[lines].iter().enumerate() {
        let what = format!("{workload} event {}", first + i);
        let decoded = assert_prefixes_partial(event, event.len(), &what);
        assert_eq!(Ok(decoded), chatwire::from_slice(event), "{what}");
    }
}

#[test]
fn prefix_of_every_mixed_workload_event_is_partial() {
    check_workload_prefixes(Workload::Mixed, 0..EVENTS);
}

#[test]
fn prefix_of_every_typing_workload_event_is_partial() {
    check_workload_prefixes(Workload::Typing, 0..EVENTS);
}

#[test]
fn prefix_of_every_envelope_workload_event_is_partial() {
    check_workload_prefixes(Workload::Envelope, 0..EVENTS);
}

// The signaling workload's SDP lines are 2 to 7 KB, so walking all their
// prefixes is quadratic; Cargo.toml builds the crate optimised under test
// (`[profile.dev.package.chatwire]`) so that all of them fit in seconds.
#[test]
fn prefix_of_every_signaling_workload_event_is_partial() {
    check_workload_prefixes(Workload::Signaling, 0..EVENTS);
}

#[test]
fn prefix_of_an_envelope_is_partial_and_the_whole_lacks_event() {
    // An envelope is an object, not an event: chatwire cannot know that
    // before its closing brace.
    let bytes = common::workload_bytes(Workload::Envelope, 60);
    for line in common::lines(&bytes).into_iter().take(2) {
        for k in 0..line.len() {
            assert_eq!(chatwire::parse(&line[..k]), Ok(Status::Partial), "{k}");
        }
        let err = chatwire::parse(line).expect_err("no event key");
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::MissingEvent, line.len() - 1)
        );
    }
}
