//! Acceptance 1: for random streams of valid and invalid events in each
//! framing, cut into random chunks (down to one byte), the incremental
//! decoder yields exactly the events and errors the slice iterator yields,
//! in order: event values, error kinds, units, stream offsets, lines and
//! columns; and so do its events borrowed from the buffer.
//! `CHATWIRE_PROPTEST_MULTIPLIER` multiplies the case count (1024);
//! `PROPTEST_CASES` sets it.
#![cfg(feature = "alloc")]

use bytes::BytesMut;
use chatwire::stream::{self, Config, Decoder, Framing, StreamError};
use chatwire::{ClientEvent, OwnedEvent};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn cases() -> u32 {
    let multiplier: u32 = std::env::var("CHATWIRE_PROPTEST_MULTIPLIER")
        .ok()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(1);
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024 * multiplier)
}

/// Text for string fields: plain, escaped, non-ASCII.
fn content() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 :-]{0,12}",
        Just(r#"caf\u00e9 \"q\" \\ \n\ud83d\ude00"#.to_string()),
        Just("é日本".to_string()),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        content().prop_map(|s| format!("\"{s}\"")),
        (0u64..1_000_000).prop_map(|n| n.to_string()),
        Just("-42".to_string()),
    ]
}

/// One unit of a stream: a valid event, an invalid one, or junk.
fn piece() -> impl Strategy<Value = String> {
    let valid = prop_oneof![
        (id(), content()).prop_map(|(i, m)| format!(
            r#"{{"event":"chat_session_message","msg_id":{i},"msg":"{m}"}}"#
        )),
        (content(), id()).prop_map(|(m, i)| format!(
            r#"{{ "msg" : "{m}", "party_id":"p1", "timestamp":1.5e3, "event":"chat_session_message", "msg_id":{i} }}"#
        )),
        Just(r#"{"event":"chat_session_typing"}"#.to_string()),
        Just(r#"{"event":"chat_session_not_typing"}"#.to_string()),
        Just(r#"{"event":"chat_session_end"}"#.to_string()),
        Just(r#"{"event":"chat_session_disconnect"}"#.to_string()),
        (id(), content()).prop_map(|(i, s)| format!(
            r#"{{"event":"chat_session_form_data","form_request_id":{i},"form_name":"survey","data":{{"p":"{s}","n":[1, 2,{{"x":null}}]}}}}"#
        )),
        (id(), id()).prop_map(|(a, b)| format!(
            r#"{{"event":"chat_session_signaling","msg_id":{a},"destination_party_id":{b},"data":{{"type":"offer","sdp":"v=0\r\n"}}}}"#
        )),
        (id(), id()).prop_map(|(a, b)| format!(
            r#"{{"event":"chat_session_file","msg_id":{a},"file_type":"image","file_id":{b}}}"#
        )),
        content().prop_map(|s| format!(r#"{{"event":"chat_session_receipt","msg_id":"{s}","extra":[true,false]}}"#)),
        Just("{\n  \"event\": \"chat_session_typing\"\n}".to_string()),
        (50usize..300).prop_map(|n| format!(
            r#"{{"event":"chat_session_message","msg_id":"big","msg":"{}"}}"#,
            "x".repeat(n)
        )),
    ];
    let invalid = prop_oneof![
        Just(r#"{"event":"chat_session_message","msg":"x"}"#.to_string()),
        Just(r#"{"event":1}"#.to_string()),
        Just(
            r#"{"event":"chat_session_file","msg_id":"m","file_type":"pdf","file_id":"f"}"#
                .to_string()
        ),
        Just(r#"{"event":"chat_session_typing","event":"chat_session_end"}"#.to_string()),
        Just("[1,2]".to_string()),
        Just("\"str\"".to_string()),
        Just("42".to_string()),
        Just("null".to_string()),
        Just(r#"{"event":"chat_session_typing",}"#.to_string()),
        Just(r#"{"event":"chat_session_typing""#.to_string()),
        Just(r#"{"a":"unterminated"#.to_string()),
        Just(r#"{"a":[}"#.to_string()),
        Just(r#"{"event":tru}"#.to_string()),
        Just(r#"{"event":"chat_session_typing","n":01}"#.to_string()),
        Just("{\"msg\":\"line\nbreak\"}".to_string()),
        Just("xyz".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(format!(
            r#"{{"event":"chat_session_typing","d":{}{}}}"#,
            "[".repeat(130),
            "]".repeat(130)
        )),
    ];
    prop_oneof![3 => valid, 1 => invalid]
}

fn separator(framing: Framing) -> BoxedStrategy<String> {
    match framing {
        Framing::Ndjson => prop_oneof![
            4 => Just("\n".to_string()),
            1 => Just("\r\n".to_string()),
            1 => Just("\n \n\t\n".to_string()),
        ]
        .boxed(),
        Framing::Envelope => prop_oneof![
            4 => Just(",".to_string()),
            1 => Just(" ,\n  ".to_string()),
        ]
        .boxed(),
        _ => prop_oneof![
            2 => Just(String::new()),
            1 => Just(" ".to_string()),
            1 => Just("\n".to_string()),
        ]
        .boxed(),
    }
}

#[derive(Clone, Debug)]
enum Corruption {
    Insert(usize, u8),
    Truncate(usize),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        (
            any::<usize>(),
            prop::sample::select(b"{}[]\"\\\n,: a".to_vec())
        )
            .prop_map(|(at, b)| Corruption::Insert(at, b)),
        any::<usize>().prop_map(Corruption::Truncate),
    ]
}

/// Builds a stream: the framing it is written in, and its bytes.
fn stream_strategy() -> impl Strategy<Value = (Framing, Vec<u8>, Vec<usize>)> {
    prop_oneof![
        Just(Framing::Ndjson),
        Just(Framing::Envelope),
        Just(Framing::Concatenated)
    ]
    .prop_flat_map(|framing| {
        let groups = prop::collection::vec(
            prop::collection::vec((piece(), separator(framing)), 0..6),
            1..4,
        );
        let extra = prop::bool::weighted(0.3);
        let corruptions = prop::collection::vec(corruption(), 0..3);
        let between = prop::sample::select(vec!["\n", "\n\n", " ", "\r\n"]);
        (Just(framing), groups, extra, corruptions, between)
    })
    .prop_map(|(framing, groups, extra, corruptions, between)| {
        let mut out = String::new();
        let lens = groups.iter().flatten().map(|(p, _)| p.len()).collect();
        for (g, group) in groups.iter().enumerate() {
            match framing {
                Framing::Envelope => {
                    if g > 0 {
                        out.push_str(between);
                    }
                    out.push_str(if extra {
                        "{\"seq\":[1,{\"a\":\"b\"}], \"events\":["
                    } else {
                        "{\"events\":["
                    });
                    for (i, (piece, sep)) in group.iter().enumerate() {
                        if i > 0 {
                            out.push_str(sep);
                        }
                        out.push_str(piece);
                    }
                    out.push_str("]}");
                }
                _ => {
                    for (piece, sep) in group {
                        out.push_str(piece);
                        out.push_str(sep);
                    }
                }
            }
        }
        let mut bytes = out.into_bytes();
        for c in corruptions {
            match c {
                Corruption::Insert(at, b) => {
                    let at = at % (bytes.len() + 1);
                    bytes.insert(at, b);
                }
                Corruption::Truncate(at) => {
                    let at = at % (bytes.len() + 1);
                    bytes.truncate(at);
                }
            }
        }
        (framing, bytes, lens)
    })
}

#[derive(Debug, PartialEq)]
enum Item {
    Event(Vec<u8>),
    Error(StreamError),
}

fn from_slice(input: &[u8], framing: Framing, config: Config) -> Vec<Item> {
    stream::events_with(input, framing, config)
        .map(|item| match item {
            Ok(event) => Item::Event(event.to_vec()),
            Err(e) => Item::Error(e),
        })
        .collect()
}

/// `input` in chunks of the given sizes, cycled.
fn chunks<'i>(input: &'i [u8], sizes: &'i [usize]) -> impl Iterator<Item = &'i [u8]> {
    let mut at = 0;
    sizes.iter().cycle().map_while(move |&size| {
        let size = size.max(1);
        let chunk = input.get(at..(at + size).min(input.len()))?;
        at += size;
        (!chunk.is_empty()).then_some(chunk)
    })
}

/// Checks that the buffer holds at most about one event and a chunk.
fn assert_bounded(buf: &BytesMut, config: Config, chunk: &[u8]) {
    assert!(
        buf.len() <= config.event_limit() + 2 * chunk.len() + 64,
        "buffer {} too large",
        buf.len()
    );
}

fn incremental(input: &[u8], framing: Framing, config: Config, sizes: &[usize]) -> Vec<Item> {
    let mut decoder = Decoder::with_config(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut push = |item: Result<OwnedEvent, StreamError>| {
        out.push(match item {
            Ok(event) => {
                // The owned view equals a fresh decode of its own bytes.
                let again: ClientEvent<'_> = chatwire::from_slice(event.as_bytes()).unwrap();
                assert_eq!(event.event(), again);
                Item::Event(event.event().to_vec())
            }
            Err(e) => Item::Error(e),
        })
    };
    for chunk in chunks(input, sizes) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode(&mut buf) {
            push(item);
        }
        assert_bounded(&buf, config, chunk);
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        push(item);
    }
    assert!(buf.is_empty());
    out
}

/// As [`incremental`], with events borrowed from the buffer
/// (`Decoder::decode_borrowed`), the consumed bytes released after each
/// chunk: what is left is bounded as the owned decoder's buffer is.
fn incremental_borrowed(
    input: &[u8],
    framing: Framing,
    config: Config,
    sizes: &[usize],
) -> Vec<Item> {
    let mut decoder = Decoder::with_config(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let item = |item: Result<ClientEvent<'_>, StreamError>| match item {
        Ok(event) => Item::Event(event.to_vec()),
        Err(e) => Item::Error(e),
    };
    let mut fed = 0;
    for chunk in chunks(input, sizes) {
        buf.extend_from_slice(chunk);
        fed += chunk.len();
        while let Some(next) = decoder.decode_borrowed(&buf) {
            out.push(item(next));
        }
        decoder.release(&mut buf);
        assert_eq!(decoder.offset(), (fed - buf.len()) as u64);
        assert_bounded(&buf, config, chunk);
    }
    while let Some(next) = decoder.decode_borrowed_eof(&buf) {
        out.push(item(next));
    }
    decoder.release(&mut buf);
    assert!(buf.is_empty(), "{} bytes left after the end", buf.len());
    assert_eq!(decoder.offset(), input.len() as u64);
    out
}

/// As [`incremental`], each call owned or borrowed as `owned` says (cycled),
/// the consumed bytes released before each chunk: the two kinds of call
/// share one buffer.
fn incremental_mixed(
    input: &[u8],
    framing: Framing,
    config: Config,
    sizes: &[usize],
    owned: &[bool],
) -> Vec<Item> {
    let mut decoder = Decoder::with_config(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut calls = owned.iter().cycle();
    let mut next = |decoder: &mut Decoder, buf: &mut BytesMut, eof: bool| {
        let item = if *calls.next().unwrap() {
            let item = if eof {
                decoder.decode_eof(buf)
            } else {
                decoder.decode(buf)
            };
            item.map(|item| item.map(|event| event.event().to_vec()))
        } else {
            let item = if eof {
                decoder.decode_borrowed_eof(buf)
            } else {
                decoder.decode_borrowed(buf)
            };
            item.map(|item| item.map(|event| event.to_vec()))
        };
        item.map(|item| match item {
            Ok(bytes) => Item::Event(bytes),
            Err(e) => Item::Error(e),
        })
    };
    for chunk in chunks(input, sizes) {
        decoder.release(&mut buf);
        buf.extend_from_slice(chunk);
        while let Some(item) = next(&mut decoder, &mut buf, false) {
            out.push(item);
        }
    }
    while let Some(item) = next(&mut decoder, &mut buf, true) {
        out.push(item);
    }
    decoder.release(&mut buf);
    assert!(buf.is_empty(), "{} bytes left after the end", buf.len());
    out
}

/// What a caller may do to the decoder and its buffer, right or wrong.
#[derive(Clone, Debug)]
enum Op {
    Append(Vec<u8>),
    Decode,
    DecodeEof,
    Borrowed,
    BorrowedEof,
    Release,
    Truncate(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => piece().prop_map(|p| Op::Append(format!("{p}\n").into_bytes())),
        1 => prop::collection::vec(any::<u8>(), 0..8).prop_map(Op::Append),
        2 => Just(Op::Decode),
        1 => Just(Op::DecodeEof),
        2 => Just(Op::Borrowed),
        1 => Just(Op::BorrowedEof),
        1 => Just(Op::Release),
        1 => (0usize..64).prop_map(Op::Truncate),
    ]
}

#[derive(Clone, Debug)]
enum Limit {
    None,
    Fixed(usize),
    Piece(prop::sample::Index, isize),
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        1 => Just(vec![1]),
        3 => prop::collection::vec(1usize..48, 1..16),
    ]
}

proptest! {
    // Saved failures live beside this file, in
    // `stream_equivalence.proptest-regressions`, and are replayed first.
    // (The default looks for `lib.rs` or `main.rs` above the test, finds
    // none under `tests/`, warns, and falls back to this.)
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_decoder_matches_slice_iterator(
        (written, input, lens) in stream_strategy(),
        auto in any::<bool>(),
        limit in prop_oneof![
            Just(Limit::None),
            (16usize..400).prop_map(Limit::Fixed),
            (any::<prop::sample::Index>(), -1isize..=1).prop_map(|(i, d)| Limit::Piece(i, d)),
        ],
        sizes in chunk_sizes(),
        owned in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let framing = if auto { Framing::Auto } else { written };
        // Limits right at a piece's length exercise the boundary cases.
        let limit = match limit {
            Limit::None => usize::MAX,
            Limit::Fixed(n) => n,
            Limit::Piece(_, _) if lens.is_empty() => usize::MAX,
            Limit::Piece(i, d) => lens[i.index(lens.len())].saturating_add_signed(d).max(1),
        };
        let config = Config::new().max_event_len(limit);
        let whole = from_slice(&input, framing, config);
        let chunked = incremental(&input, framing, config, &sizes);
        prop_assert_eq!(&chunked, &whole, "input {:?}", String::from_utf8_lossy(&input));
        let borrowed = incremental_borrowed(&input, framing, config, &sizes);
        prop_assert_eq!(&borrowed, &whole, "borrowed, input {:?}", String::from_utf8_lossy(&input));
        let mixed = incremental_mixed(&input, framing, config, &sizes, &owned);
        prop_assert_eq!(&mixed, &whole, "mixed calls {:?}, input {:?}", owned, String::from_utf8_lossy(&input));
    }

    /// A caller that shrinks its buffer between calls, or hands the
    /// decoder bytes it did not see, gets wrong items but never a panic,
    /// and the decoder ends.
    #[test]
    fn any_sequence_of_calls_and_buffer_changes_never_panics(
        framing in prop_oneof![Just(Framing::Auto), Just(Framing::Ndjson), Just(Framing::Envelope), Just(Framing::Concatenated)],
        ops in prop::collection::vec(op(), 0..40),
    ) {
        let mut decoder = Decoder::with_config(framing, Config::new().max_event_len(256));
        let mut buf = BytesMut::new();
        for op in ops {
            match op {
                Op::Append(bytes) => buf.extend_from_slice(&bytes),
                Op::Decode => drop(decoder.decode(&mut buf)),
                Op::DecodeEof => drop(decoder.decode_eof(&mut buf)),
                Op::Borrowed => drop(decoder.decode_borrowed(&buf)),
                Op::BorrowedEof => drop(decoder.decode_borrowed_eof(&buf)),
                Op::Release => {
                    let before = buf.len();
                    let n = decoder.release(&mut buf);
                    prop_assert_eq!(buf.len(), before - n);
                }
                Op::Truncate(n) => buf.truncate(n.min(buf.len())),
            }
        }
        // However it was left, the end of the input ends the items.
        let mut left = 0;
        while decoder.decode_borrowed_eof(&buf).is_some() {
            left += 1;
            prop_assert!(left <= buf.len() + 2, "no end after {} items", left);
        }
    }

    #[test]
    fn valid_streams_yield_exactly_their_events(
        framing in prop_oneof![Just(Framing::Ndjson), Just(Framing::Envelope), Just(Framing::Concatenated)],
        events in prop::collection::vec(piece(), 0..10),
    ) {
        // Keep the valid, single-line events, and write them in the framing.
        let valid: Vec<&String> = events
            .iter()
            .filter(|e| !e.contains('\n') && chatwire::from_slice(e.as_bytes()).is_ok())
            .collect();
        let input = match framing {
            Framing::Envelope => format!("{{\"events\":[{}]}}", valid.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
            Framing::Ndjson => valid.iter().map(|s| format!("{s}\n")).collect(),
            _ => valid.iter().map(|s| s.as_str()).collect(),
        };
        let expected: Vec<Vec<u8>> = valid.iter().map(|e| chatwire::from_slice(e.as_bytes()).unwrap().to_vec()).collect();
        for f in [framing, Framing::Auto] {
            let got: Vec<Vec<u8>> = stream::events_with(input.as_bytes(), f, Config::new())
                .map(|item| item.map(|e| e.to_vec()))
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&got, &expected);
        }
    }
}
