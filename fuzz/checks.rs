//! The checks each fuzz target runs on one input, in one place.
//!
//! The fuzz targets (`fuzz/fuzz_targets/*.rs`) include this file with
//! `#[path]`, and so do `tests/fuzz_corpus.rs`, which replays the committed
//! seed corpora and regressions on stable, and `tests/equivalence.rs`. Every
//! check panics, naming the input, when a property fails; none of them
//! depends on anything but chatwire (feature `serde`) and serde_json.
//!
//! The oracle is `serde_json::from_slice::<ReferenceEvent>`. The deliberate
//! differences from a plain serde derive are built into the reference model
//! (see its module doc); these checks add no exception of their own.

use bytes::{Bytes, BytesMut};
use chatwire::reference::ReferenceEvent;
use chatwire::stream::{Config, Decoder, Events, Framing, StreamError};
use chatwire::{
    BufferTooSmall, Client, ClientEvent, Error, ErrorKind, History, HistoryEvent, Id, IdValue,
    OwnedEvent, Raw, Server, ServerEvent, Side, Status, Text, ValueKind,
};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// Bytes as an escaped byte-string literal, for failure messages.
pub fn show(data: &[u8]) -> String {
    format!("b\"{}\"", data.escape_ascii())
}

/// The length of the JSON number that starts at `at` in `data`, when its
/// exact value lies beyond the largest `f64` (a correctly rounded parse
/// gives an infinity); `None` for any other number, or if no number starts
/// there.
///
/// serde_json, without its `float_roundtrip` feature, rounds such a number
/// its own way and accepts some of those just past `f64::MAX`
/// (`1.79769313486231597e308`), and chatwire accepts what serde_json
/// accepts; simd-json parses them exactly and rejects them. The
/// `differential` target uses this to tell that one difference from any
/// other simd-json rejection.
pub fn overflowing_number_at(data: &[u8], at: usize) -> Option<usize> {
    fn digits(data: &[u8], mut i: usize) -> usize {
        while data.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }
    let mut i = at + usize::from(data.get(at) == Some(&b'-'));
    i = match data.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(data, i + 1),
        _ => return None,
    };
    if data.get(i) == Some(&b'.') {
        let end = digits(data, i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if let Some(b'e' | b'E') = data.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = data.get(i) {
            i += 1;
        }
        let end = digits(data, i);
        if end == i {
            return None;
        }
        i = end;
    }
    let text = std::str::from_utf8(&data[at..i]).ok()?;
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_infinite())
        .map(|_| i - at)
}

/// JSON whitespace, as serde_json and chatwire skip it.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The prefix lengths the prefix checks try: all of them for short inputs,
/// else a spread plus the neighbourhood of the interesting offsets.
fn prefix_lengths(len: usize, near: &[usize]) -> Vec<usize> {
    if len <= 160 {
        return (0..=len).collect();
    }
    let mut out: Vec<usize> = (0..=len).step_by(len / 64 + 1).collect();
    out.extend(0..16);
    out.extend(len.saturating_sub(16)..=len);
    for &at in near {
        out.extend(at.saturating_sub(8)..=(at + 8).min(len));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// `decode`: chatwire never panics; an error's offset lies within the
/// input (at its end only for `UnexpectedEof`); `parse` and `from_slice`
/// agree; every strict prefix of a complete event is `Partial`, an error is
/// final (no continuation of the input changes it), and a complete event
/// stays complete whatever follows it. An accepted event's accessors and
/// writers are exercised.
pub fn check_decode(data: &[u8]) {
    let whole = chatwire::from_slice(data);
    if let Err(e) = &whole {
        check_error(data, e);
    }
    let status = chatwire::parse(data);
    match &status {
        Ok(Status::Complete((event, used))) => {
            let used = *used;
            assert!(
                used > 0 && used <= data.len() && data[used - 1] == b'}',
                "parse used {used} bytes of {}",
                show(data)
            );
            let ws = data[used..].iter().take_while(|&&b| is_ws(b)).count();
            if used + ws == data.len() {
                assert_eq!(whole.as_ref(), Ok(event), "from_slice of {}", show(data));
            } else {
                assert_eq!(
                    whole,
                    Err(Error::new(ErrorKind::TrailingCharacters, used + ws)),
                    "from_slice of {}",
                    show(data)
                );
            }
            assert_eq!(
                chatwire::from_slice(&data[..used]).as_ref(),
                Ok(event),
                "from_slice of the used part of {}",
                show(data)
            );
        }
        Ok(Status::Partial) => assert_eq!(
            whole,
            Err(Error::new(ErrorKind::UnexpectedEof, data.len())),
            "from_slice of {} (parse says Partial)",
            show(data)
        ),
        Err(e) => {
            check_error(data, e);
            assert!(
                !matches!(
                    e.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::TrailingCharacters
                ),
                "parse of {} reported {e:?}",
                show(data)
            );
            assert_eq!(whole, Err(*e), "from_slice and parse of {}", show(data));
        }
    }
    let near = match &status {
        Ok(Status::Complete((_, used))) => vec![*used],
        Err(e) => vec![e.offset()],
        Ok(Status::Partial) => vec![],
    };
    for k in prefix_lengths(data.len(), &near) {
        let prefix = chatwire::parse(&data[..k]);
        let consistent = match (&status, &prefix) {
            (_, Ok(Status::Partial)) => match &status {
                Ok(Status::Complete((_, used))) => k < *used,
                _ => true,
            },
            (Ok(Status::Complete(a)), Ok(Status::Complete(b))) => a == b,
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        assert!(
            consistent,
            "parse of the {k}-byte prefix of {} gave {prefix:?}, of the whole {status:?}",
            show(data)
        );
    }
    if let Ok(event) = &whole {
        exercise_event(event);
    }
}

fn check_error(data: &[u8], e: &Error) {
    if e.kind() == ErrorKind::UnexpectedEof {
        assert_eq!(e.offset(), data.len(), "{e:?} on {}", show(data));
    } else {
        assert!(e.offset() < data.len(), "{e:?} on {}", show(data));
    }
    let position = e.position(data);
    assert!(position.line >= 1 && position.column >= 1);
    let _ = e.to_string();
}

/// Every accessor and writer of an accepted event: no panics, and the
/// different ways of reading the same thing agree.
fn exercise_event(event: &ClientEvent<'_>) {
    let bytes = event.to_vec();
    assert_eq!(bytes.len(), event.encoded_len());
    let mut buf = vec![0u8; bytes.len()];
    assert_eq!(event.write_to_slice(&mut buf), Ok(bytes.len()));
    assert_eq!(buf, bytes);
    assert_eq!(
        event.write_to_slice(&mut buf[..bytes.len() - 1]),
        Err(BufferTooSmall {
            needed: bytes.len()
        })
    );
    let mut io = Vec::new();
    event.write_to(&mut io).expect("writing to a Vec");
    assert_eq!(io, bytes);
    let mut out = Vec::new();
    event.write_to_buf(&mut out);
    assert_eq!(out, bytes);
    let mut out = b"prefix".to_vec();
    event.write_to_vec(&mut out);
    assert_eq!(&out[6..], &bytes[..]);
    let _ = format!("{event:?} {}", event.kind());
    match event {
        ClientEvent::Message { msg_id, msg, .. } => {
            exercise_id(msg_id);
            exercise_text(msg);
        }
        ClientEvent::FormData {
            form_request_id,
            form_name,
            data,
        } => {
            exercise_id(form_request_id);
            exercise_text(form_name);
            assert_eq!(data.raw().kind(), ValueKind::Object);
            exercise_raw(&data.raw());
            let entries: Vec<_> = data.entries().collect();
            assert_eq!(entries.len(), data.len());
            assert_eq!(data.is_empty(), entries.is_empty());
            for (key, _) in &entries {
                let last = entries.iter().rev().find(|(k, _)| k == key).map(|e| e.1);
                assert_eq!(data.get(&key.to_cow()), last);
            }
        }
        ClientEvent::Signaling {
            msg_id,
            destination_party_id,
            data,
        } => {
            exercise_id(msg_id);
            exercise_id(destination_party_id);
            exercise_raw(data);
        }
        ClientEvent::File {
            msg_id, file_id, ..
        } => {
            exercise_id(msg_id);
            exercise_id(file_id);
        }
        ClientEvent::Unknown { name, raw } => {
            exercise_text(name);
            assert_eq!(raw.kind(), ValueKind::Object);
            // The whole event sits one level higher than a field value, so
            // `Raw::from_json` (which validates as a field value) is not
            // used on it; its parts are checked instead.
            for (key, value) in raw.entries().into_iter().flatten() {
                exercise_text(&key);
                exercise_raw(&value);
            }
            let compact = raw.to_string();
            assert_eq!(
                serde_json::from_str::<Value>(&compact).ok(),
                serde_json::from_str::<Value>(raw.get()).ok()
            );
        }
        _ => {}
    }
}

fn exercise_text(text: &Text<'_>) {
    let owned = text.to_cow();
    assert_eq!(text.unescaped_len(), owned.len());
    assert!(text.eq_str(&owned));
    assert!(*text == *owned);
    assert_eq!(text.chars().collect::<String>(), owned);
    assert_eq!(text.to_string(), owned);
    let mut buf = vec![0u8; owned.len()];
    assert_eq!(text.unescape_into(&mut buf), Ok(&*owned));
    if !owned.is_empty() {
        assert!(text.unescape_into(&mut buf[..owned.len() - 1]).is_err());
    }
    if let Some(plain) = text.as_str() {
        assert_eq!(plain, owned);
        assert!(!text.is_escaped());
    }
    let token = format!("\"{}\"", text.raw());
    assert_eq!(Text::from_json(&token).as_ref(), Ok(text));
    let _ = format!("{text:?}");
}

fn exercise_id(id: &Id<'_>) {
    match id.value() {
        IdValue::Str(text) => {
            exercise_text(&text);
            assert!(!id.is_int());
            assert_eq!(id.as_text(), Some(text));
            assert_eq!(id.as_u64(), None);
            let token = format!("\"{}\"", text.raw());
            assert_eq!(Id::from_json(&token).as_ref(), Ok(id));
        }
        IdValue::Int(digits) => {
            assert!(id.is_int());
            assert_eq!(id.as_u64(), digits.parse().ok());
            assert_eq!(id.as_i64(), digits.parse().ok());
            assert!(id.as_u64().is_some() || id.as_i64().is_some(), "{digits}");
            assert_eq!(Id::from_json(digits).as_ref(), Ok(id));
            assert!(*id == *digits);
        }
    }
    let _ = format!("{id} {id:?}");
}

fn exercise_raw(raw: &Raw<'_>) {
    assert_eq!(Raw::from_json(raw.get()).as_ref(), Ok(raw));
    let compact = raw.to_string();
    let runs: Vec<u8> = raw.compact_runs().flatten().copied().collect();
    assert_eq!(runs, compact.as_bytes());
    if raw.is_compact() {
        assert_eq!(compact, raw.get());
    }
    let as_written = serde_json::from_str::<Value>(raw.get()).expect("a raw value is JSON");
    assert_eq!(
        serde_json::from_str::<Value>(&compact).ok(),
        Some(as_written)
    );
    match raw.kind() {
        ValueKind::Object => {
            for (key, value) in raw.entries().into_iter().flatten() {
                exercise_text(&key);
                exercise_raw(&value);
            }
        }
        ValueKind::Array => {
            for value in raw.elements().into_iter().flatten() {
                exercise_raw(&value);
            }
        }
        ValueKind::String => exercise_text(&raw.as_text().expect("a string")),
        _ => assert!(raw.as_text().is_none()),
    }
}

/// The first JSON value in `data`, as serde_json's stream reads it.
fn first_value(data: &[u8]) -> Option<Result<Value, serde_json::Error>> {
    serde_json::Deserializer::from_slice(data)
        .into_iter::<Value>()
        .next()
}

/// `differential`: chatwire accepts exactly what serde_json accepts into
/// the reference model, and then the values are equal. Also checks
/// chatwire's split of errors into syntax and event errors against plain
/// JSON (`serde_json::Value`), as `ErrorKind::is_syntax` documents it.
///
/// Returns whether chatwire accepted the input.
pub fn check_differential(data: &[u8]) -> bool {
    let ours = chatwire::from_slice(data);
    let oracle = serde_json::from_slice::<ReferenceEvent>(data);
    match (&ours, &oracle) {
        (Ok(event), Ok(reference)) => assert_eq!(
            ReferenceEvent::from(event),
            *reference,
            "values differ on {}",
            show(data)
        ),
        (Err(_), Err(_)) => {}
        _ => panic!(
            "acceptance differs on {}: chatwire {ours:?}, serde_json {oracle:?}",
            show(data)
        ),
    }
    let json = serde_json::from_slice::<Value>(data);
    match &ours {
        Ok(_) => assert!(
            matches!(json, Ok(Value::Object(_))),
            "chatwire accepts {} but it is not a JSON object: {json:?}",
            show(data)
        ),
        Err(e) => match e.kind() {
            ErrorKind::ExpectedObject => assert!(
                !matches!(first_value(data), Some(Ok(Value::Object(_)))),
                "chatwire says {e:?} but {} starts with an object",
                show(data)
            ),
            ErrorKind::TrailingCharacters => {
                assert!(
                    matches!(first_value(data), Some(Ok(Value::Object(_)))),
                    "chatwire says {e:?} but {} does not start with an object",
                    show(data)
                );
                assert!(json.is_err(), "chatwire says {e:?} on {}", show(data));
            }
            kind if kind.is_syntax() => assert!(
                json.is_err(),
                "chatwire says {e:?} but serde_json reads {} as JSON",
                show(data)
            ),
            _ => assert!(
                matches!(first_value(data), Some(Ok(Value::Object(_)))),
                "chatwire says {e:?} (not a syntax error) but {} does not start with a JSON object: {:?}",
                show(data),
                first_value(data)
            ),
        },
    }
    ours.is_ok()
}

/// `roundtrip`: for an accepted input, decode → write → decode is the
/// identity, writing is idempotent, and the bytes are serde_json's for the
/// reference model, which reads them back as the same event.
pub fn check_roundtrip(data: &[u8]) {
    let Ok(event) = chatwire::from_slice(data) else {
        return;
    };
    let written = event.to_vec();
    let again = chatwire::from_slice(&written)
        .unwrap_or_else(|e| panic!("chatwire rejects its own output {} ({e})", show(&written)));
    assert_eq!(again, event, "decode(write(e)) != e for {}", show(data));
    assert_eq!(again.to_vec(), written, "writing {} twice", show(data));
    let reference = ReferenceEvent::from(&event);
    let serde_bytes = serde_json::to_vec(&reference).expect("serializing the reference model");
    assert_eq!(
        written,
        serde_bytes,
        "chatwire and serde_json write {} differently",
        show(data)
    );
    let read_back: ReferenceEvent = serde_json::from_slice(&written).unwrap_or_else(|e| {
        panic!(
            "serde_json rejects chatwire's output {} ({e})",
            show(&written)
        )
    });
    assert_eq!(read_back, reference, "serde_json reads {}", show(&written));
    let mut buf = Vec::new();
    let owned_back = reference
        .to_client_event(&mut buf)
        .unwrap_or_else(|e| panic!("to_client_event of {} failed: {e}", show(data)));
    assert_eq!(owned_back, event, "to_client_event of {}", show(data));
    if !writes_numbers_or_raw_json(&event) {
        // Without raw JSON or numbers kept as they came, `Serialize for
        // ClientEvent` writes the same bytes (those are re-serialized
        // structurally).
        let via_serde = serde_json::to_vec(&event).expect("serializing a ClientEvent");
        assert_eq!(
            via_serde,
            written,
            "Serialize for ClientEvent on {}",
            show(data)
        );
    }
}

/// What a stream of events decoded to: each event (as written bytes) or
/// error (offset in the whole stream), and how the stream ended.
#[derive(Debug, PartialEq, Eq)]
pub struct StreamOutcome {
    /// The events and errors, in order.
    pub items: Vec<Result<Vec<u8>, Error>>,
    /// How the stream ended.
    pub end: StreamEnd,
}

/// How a stream ended.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// At an event boundary (nothing but whitespace left).
    Clean,
    /// Inside an event that starts at this offset.
    Partial(usize),
    /// After an error, before the newline that would resynchronise.
    Skipping,
}

/// Decodes back-to-back events (any whitespace between them) from a stream
/// that arrives in chunks of the given lengths (all at once when `chunks`
/// is empty). After an error it skips to the next newline. Each time bytes
/// arrive it re-parses from the start of the pending event with
/// `chatwire::parse`, so the result must not depend on the chunking.
pub fn decode_stream(stream: &[u8], chunks: &[usize]) -> StreamOutcome {
    let mut items = Vec::new();
    let mut pos = 0;
    let mut skipping = false;
    let mut avail = 0;
    let mut next_chunk = 0;
    while avail < stream.len() {
        avail = if chunks.is_empty() {
            stream.len()
        } else {
            let len = chunks[next_chunk % chunks.len()].max(1);
            next_chunk += 1;
            (avail + len).min(stream.len())
        };
        // Only `stream[..avail]` has arrived.
        loop {
            if skipping {
                match stream[pos..avail].iter().position(|&b| b == b'\n') {
                    Some(nl) => {
                        pos += nl + 1;
                        skipping = false;
                    }
                    None => {
                        pos = avail;
                        break;
                    }
                }
            }
            match chatwire::parse(&stream[pos..avail]) {
                Ok(Status::Complete((event, used))) => {
                    items.push(Ok(event.to_vec()));
                    pos += used;
                }
                Ok(Status::Partial) => break,
                Err(e) => {
                    let e = e.shifted(pos);
                    items.push(Err(e));
                    pos = e.offset();
                    skipping = true;
                }
            }
        }
    }
    let end = if skipping {
        StreamEnd::Skipping
    } else if stream[pos..].iter().all(|&b| is_ws(b)) {
        StreamEnd::Clean
    } else {
        StreamEnd::Partial(pos + stream[pos..].iter().take_while(|&&b| is_ws(b)).count())
    };
    StreamOutcome { items, end }
}

/// What the stream API made of a stream: each event (as written bytes) or
/// error, in order.
pub type StreamItems = Vec<Result<Vec<u8>, StreamError>>;

/// The most items a stream of `len` bytes can yield: more means a loop.
fn item_cap(len: usize) -> usize {
    2 * len + 8
}

/// An event of any side as the writer writes it.
fn written<E: chatwire::Event>(event: &E) -> Vec<u8> {
    let mut out = Vec::new();
    chatwire::stream::write_ndjson(event, &mut out);
    out.pop();
    out
}

/// The stream API's slice iterator over the whole stream, reading the
/// events of side `S`.
pub fn stream_slice_items<S: Side>(stream: &[u8], framing: Framing, config: Config) -> StreamItems {
    let cap = item_cap(stream.len());
    let items: StreamItems = Events::<S>::with(stream, framing, config)
        .take(cap + 1)
        .map(|item| item.map(|event| written(&event)))
        .collect();
    assert!(
        items.len() <= cap,
        "the slice iterator does not end on {}",
        show(stream)
    );
    items
}

/// `stream` cut into chunks of the given lengths (cycled; all at once when
/// `chunks` is empty).
fn chunked<'s>(stream: &'s [u8], chunks: &'s [usize]) -> impl Iterator<Item = &'s [u8]> {
    let mut fed = 0;
    let mut next_chunk = 0;
    core::iter::from_fn(move || {
        if fed >= stream.len() {
            return None;
        }
        let len = if chunks.is_empty() {
            stream.len()
        } else {
            chunks[next_chunk % chunks.len()].max(1)
        };
        next_chunk += 1;
        let start = fed;
        fed = (fed + len).min(stream.len());
        Some(&stream[start..fed])
    })
}

/// Collects a decoder's items, each event as written, stopping a decoder
/// that would not end.
struct Collect<'s> {
    stream: &'s [u8],
    cap: usize,
    items: StreamItems,
}

impl<'s> Collect<'s> {
    fn new(stream: &'s [u8]) -> Self {
        Collect {
            stream,
            cap: item_cap(stream.len()),
            items: StreamItems::new(),
        }
    }

    fn push(&mut self, item: Result<Vec<u8>, StreamError>) {
        self.items.push(item);
        assert!(
            self.items.len() <= self.cap,
            "the decoder does not end on {}",
            show(self.stream)
        );
    }
}

/// The stream API's incremental decoder of side `S`, fed the stream in
/// chunks of the given lengths (see [`chunked`]).
pub fn stream_decoder_items<S: Side>(
    stream: &[u8],
    framing: Framing,
    config: Config,
    chunks: &[usize],
) -> StreamItems {
    let mut decoder = Decoder::<S>::with(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Collect::new(stream);
    let written_owned =
        |item: Result<OwnedEvent<S>, StreamError>| item.map(|e| written(&e.event()));
    for chunk in chunked(stream, chunks) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode(&mut buf) {
            out.push(written_owned(item));
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        out.push(written_owned(item));
    }
    out.items
}

/// As [`stream_decoder_items`], with the events borrowed from the buffer
/// (`Decoder::decode_borrowed`) and the consumed bytes released after each
/// chunk.
pub fn stream_borrowed_items<S: Side>(
    stream: &[u8],
    framing: Framing,
    config: Config,
    chunks: &[usize],
) -> StreamItems {
    let mut decoder = Decoder::<S>::with(framing, config);
    let mut buf = BytesMut::new();
    let mut out = Collect::new(stream);
    for chunk in chunked(stream, chunks) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode_borrowed(&buf) {
            out.push(item.map(|event| written(&event)));
        }
        decoder.release(&mut buf);
    }
    while let Some(item) = decoder.decode_borrowed_eof(&buf) {
        out.push(item.map(|event| written(&event)));
    }
    decoder.release(&mut buf);
    assert!(
        buf.is_empty(),
        "bytes left after the end of {}",
        show(stream)
    );
    out.items
}

/// `stream`: decoding a stream of events gives the same events, errors and
/// end however the stream is cut into chunks, both with `chatwire::parse`
/// re-run from each event's start as bytes arrive, and with the stream API,
/// whose incremental decoder must yield what its slice iterator yields.
///
/// The stream API is checked for each side: the client's events, the
/// server's, and a history of both (whose events must also be what their
/// direction's own decoder reads from their written bytes). Read as NDJSON,
/// as envelopes or as values back to back (asked for, or detected), it
/// must also lose nothing: one item per line, element or value, each good
/// one its event.
///
/// Input layout: the first byte's low four bits say how many chunk lengths
/// follow (one byte each, a length of `b % 64 + 1`, cycled), bits 4 and 5
/// choose the framing (auto, NDJSON, envelope, concatenated), and bit 6 a
/// small event size limit (100 bytes); the rest is the stream.
pub fn check_stream(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(head & 0x0f).min(rest.len());
    let (lens, stream) = rest.split_at(n);
    let chunks: Vec<usize> = lens.iter().map(|&b| usize::from(b % 64) + 1).collect();

    let whole = decode_stream(stream, &[]);
    let chunked = decode_stream(stream, &chunks);
    assert_eq!(
        chunked,
        whole,
        "chunks {chunks:?} of {} decode differently",
        show(stream)
    );
    if stream.len() <= 512 {
        let bytewise = decode_stream(stream, &[1]);
        assert_eq!(
            bytewise,
            whole,
            "byte by byte, {} decodes differently",
            show(stream)
        );
    }
    // Each event is what `from_slice` reads from its own bytes.
    for item in whole.items.iter().flatten() {
        let event = chatwire::from_slice(item).expect("a written event decodes");
        assert_eq!(&event.to_vec(), item);
    }

    let framing = match (head >> 4) & 3 {
        0 => Framing::Auto,
        1 => Framing::Ndjson,
        2 => Framing::Envelope,
        _ => Framing::Concatenated,
    };
    let config = if head & 0x40 != 0 {
        Config::new().max_event_len(100)
    } else {
        Config::new()
    };
    check_stream_side::<Client>(stream, framing, config, &chunks);
    check_stream_side::<Server>(stream, framing, config, &chunks);
    let history = check_stream_side::<History>(stream, framing, config, &chunks);
    for item in history.iter().flatten() {
        let event = HistoryEvent::from_slice(item).expect("a written event decodes");
        let direct = match event {
            HistoryEvent::Client(_) => chatwire::from_slice(item).map(|e| e.to_vec()),
            HistoryEvent::Server(_) => ServerEvent::from_slice(item).map(|e| e.to_vec()),
        };
        assert_eq!(
            direct.as_ref(),
            Ok(item),
            "a history event is not its direction's own: {}",
            show(item)
        );
    }
}

/// The stream API over `stream` reading side `S`: the incremental decoder
/// over the given chunks, its events owned or borrowed (and owned byte by
/// byte, for short streams), yields what
/// the slice iterator yields, each event written decodes alone to itself,
/// and no framing loses a unit. Returns the slice iterator's items.
fn check_stream_side<S: Side>(
    stream: &[u8],
    framing: Framing,
    config: Config,
    chunks: &[usize],
) -> StreamItems {
    let side = core::any::type_name::<S>();
    let slice = stream_slice_items::<S>(stream, framing, config);
    let decoded = stream_decoder_items::<S>(stream, framing, config, chunks);
    assert_eq!(
        decoded,
        slice,
        "{side}, {framing:?}, chunks {chunks:?}: the decoder and the slice iterator differ on {}",
        show(stream)
    );
    let borrowed = stream_borrowed_items::<S>(stream, framing, config, chunks);
    assert_eq!(
        borrowed,
        slice,
        "{side}, {framing:?}, chunks {chunks:?}: borrowed events and the slice iterator differ on {}",
        show(stream)
    );
    if stream.len() <= 512 {
        let bytewise = stream_decoder_items::<S>(stream, framing, config, &[1]);
        assert_eq!(
            bytewise,
            slice,
            "{side}, {framing:?}, byte by byte: the decoder and the slice iterator differ on {}",
            show(stream)
        );
    }
    for item in slice.iter().flatten() {
        let event = OwnedEvent::<S>::from_bytes(Bytes::copy_from_slice(item))
            .expect("a written event decodes");
        assert_eq!(&written(&event.event()), item, "{side}");
    }
    match detected::<S>(stream, framing, config) {
        Framing::Ndjson => check_ndjson_lines::<S>(stream, config, &slice),
        Framing::Envelope => check_envelope_elements::<S>(stream, config, &slice),
        Framing::Concatenated => check_concatenated_values::<S>(stream, config, &slice),
        _ => {}
    }
    slice
}

/// Envelopes lose no element: when serde_json reads `stream` as objects
/// back to back, each with one `"events"` array and no `"event"` key
/// (envelopes about which the framing has nothing to report), each element
/// is one item, and an element within the size limit that holds one event
/// is that event.
fn check_envelope_elements<S: Side>(stream: &[u8], config: Config, slice: &StreamItems) {
    // An element nested deeper than the framing's limit (128 levels, the
    // envelope's own two aside) counts as broken structure: the stream
    // resynchronises, as documented, and elements are lost.
    if nesting(stream) > 2 + 128 {
        return;
    }
    let mut elements = Vec::new();
    for envelope in serde_json::Deserializer::from_slice(stream).into_iter::<Envelope<'_>>() {
        match envelope {
            Ok(Envelope {
                elements: Some(found),
                plain: true,
            }) => elements.extend(found),
            _ => return,
        }
    }
    let elements: Vec<&[u8]> = elements.iter().map(|e| e.get().as_bytes()).collect();
    check_units::<S>("envelope element", &elements, stream, config, slice);
}

/// Values back to back lose none: when serde_json reads `stream` as
/// objects back to back, each is one item, and one within the size limit
/// that holds an event is that event.
fn check_concatenated_values<S: Side>(stream: &[u8], config: Config, slice: &StreamItems) {
    // Past the framing's depth limit, as for envelopes.
    if nesting(stream) > 128 {
        return;
    }
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_slice(stream).into_iter::<&RawValue>() {
        match value {
            Ok(value) if value.get().starts_with('{') => values.push(value.get().as_bytes()),
            _ => return,
        }
    }
    check_units::<S>("value", &values, stream, config, slice);
}

/// The deepest nesting of brackets outside strings in `bytes`.
fn nesting(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// An envelope as serde_json reads it: its `"events"` array's elements, and
/// whether it has exactly one such array and no `"event"` key.
struct Envelope<'a> {
    elements: Option<Vec<&'a RawValue>>,
    plain: bool,
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Envelope<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an envelope")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
                let mut envelope = Envelope {
                    elements: None,
                    plain: true,
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "events" => {
                            let value: &'de RawValue = map.next_value()?;
                            let array = serde_json::from_str::<Vec<&'de RawValue>>(value.get());
                            envelope.plain &= envelope.elements.is_none() && array.is_ok();
                            envelope.elements = array.ok();
                        }
                        key => {
                            envelope.plain &= key != "event";
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(envelope)
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// The framing the slice iterator reads `stream` in: `framing`, or the one
/// [`Framing::Auto`] detects.
fn detected<S: Side>(stream: &[u8], framing: Framing, config: Config) -> Framing {
    if framing != Framing::Auto {
        return framing;
    }
    let mut events = Events::<S>::with(stream, framing, config);
    events.by_ref().take(item_cap(stream.len())).for_each(drop);
    events.framing()
}

/// NDJSON loses no line: each line that is not blank is one item, and a
/// line within the size limit that holds one event is that event.
fn check_ndjson_lines<S: Side>(stream: &[u8], config: Config, slice: &StreamItems) {
    let lines: Vec<&[u8]> = stream
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')))
        .collect();
    check_units::<S>("NDJSON line", &lines, stream, config, slice);
}

/// The items of a stream read unit by unit (`units`, each a line, an
/// element or a value, `what` says which): one item per unit, and a unit
/// within the size limit that holds one event is that event.
fn check_units<S: Side>(
    what: &str,
    units: &[&[u8]],
    stream: &[u8],
    config: Config,
    slice: &StreamItems,
) {
    let side = core::any::type_name::<S>();
    assert_eq!(
        slice.len(),
        units.len(),
        "{side}: {} items for {} units ({what}s) of {}",
        slice.len(),
        units.len(),
        show(stream)
    );
    for (unit, item) in units.iter().zip(slice) {
        if unit.len() > config.event_limit() {
            continue;
        }
        if let Ok(event) = OwnedEvent::<S>::from_bytes(Bytes::copy_from_slice(unit)) {
            assert_eq!(
                item.as_ref().ok(),
                Some(&written(&event.event())),
                "{side}: the {what} {} is not its event",
                show(unit)
            );
        }
    }
}

/// Whether `event` is unknown or its kind has a field the writer keeps as it
/// came and `Serialize` writes structurally: raw JSON, a form, a scalar.
fn writes_numbers_or_raw_json(event: &ClientEvent<'_>) -> bool {
    use chatwire::protocol::{CLIENT_EVENTS, FieldType};
    let name = event.kind().name();
    CLIENT_EVENTS
        .iter()
        .find(|e| e.name == name)
        .is_none_or(|e| {
            e.fields
                .iter()
                .any(|f| matches!(f.ty, FieldType::Raw | FieldType::Form | FieldType::Scalar))
        })
}

// ---------------------------------------------------------------------------
// Both directions

/// One direction of the protocol, for the checks that hold for both.
pub trait Direction {
    /// The borrowed event.
    type Event<'a>: PartialEq + std::fmt::Debug;
    /// The reference model.
    type Reference: PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned;
    /// Decodes a whole input.
    fn from_slice(data: &[u8]) -> Result<Self::Event<'_>, Error>;
    /// Decodes the event at the start of an input.
    fn parse(data: &[u8]) -> Result<Status<(Self::Event<'_>, usize)>, Error>;
    /// The writer's bytes.
    fn to_vec(event: &Self::Event<'_>) -> Vec<u8>;
    /// The reference model of an event.
    fn reference(event: &Self::Event<'_>) -> Self::Reference;
}

/// Client events.
#[allow(dead_code)]
pub struct Clients;
/// Server events.
pub struct Servers;

impl Direction for Clients {
    type Event<'a> = ClientEvent<'a>;
    type Reference = ReferenceEvent;
    fn from_slice(data: &[u8]) -> Result<ClientEvent<'_>, Error> {
        chatwire::from_slice(data)
    }
    fn parse(data: &[u8]) -> Result<Status<(ClientEvent<'_>, usize)>, Error> {
        chatwire::parse(data)
    }
    fn to_vec(event: &ClientEvent<'_>) -> Vec<u8> {
        event.to_vec()
    }
    fn reference(event: &ClientEvent<'_>) -> ReferenceEvent {
        ReferenceEvent::from(event)
    }
}

impl Direction for Servers {
    type Event<'a> = chatwire::ServerEvent<'a>;
    type Reference = chatwire::reference::ReferenceServerEvent;
    fn from_slice(data: &[u8]) -> Result<chatwire::ServerEvent<'_>, Error> {
        chatwire::ServerEvent::from_slice(data)
    }
    fn parse(data: &[u8]) -> Result<Status<(chatwire::ServerEvent<'_>, usize)>, Error> {
        chatwire::ServerEvent::parse(data)
    }
    fn to_vec(event: &chatwire::ServerEvent<'_>) -> Vec<u8> {
        event.to_vec()
    }
    fn reference(event: &chatwire::ServerEvent<'_>) -> Self::Reference {
        Self::Reference::from(event)
    }
}

/// `differential` for direction `D`: acceptance and value against
/// serde_json into `D`'s reference model. Returns whether chatwire
/// accepted the input.
pub fn check_differential_of<D: Direction>(data: &[u8]) -> bool {
    let ours = D::from_slice(data);
    let oracle = serde_json::from_slice::<D::Reference>(data);
    match (&ours, &oracle) {
        (Ok(event), Ok(reference)) => assert_eq!(
            D::reference(event),
            *reference,
            "values differ on {}",
            show(data)
        ),
        (Err(e), Err(_)) => check_error(data, e),
        _ => panic!(
            "acceptance differs on {}: chatwire {ours:?}, serde_json {oracle:?}",
            show(data)
        ),
    }
    ours.is_ok()
}

/// `roundtrip` for direction `D`: decode → write → decode is the identity,
/// and the bytes are serde_json's for the reference model, which reads them
/// back as the same value.
pub fn check_roundtrip_of<D: Direction>(data: &[u8]) {
    let Ok(event) = D::from_slice(data) else {
        return;
    };
    let written = D::to_vec(&event);
    let again = D::from_slice(&written)
        .unwrap_or_else(|e| panic!("chatwire rejects its own output {} ({e})", show(&written)));
    let reference = D::reference(&event);
    assert_eq!(
        D::reference(&again),
        reference,
        "decode(write(e)) != e for {}",
        show(data)
    );
    assert_eq!(D::to_vec(&again), written, "writing {} twice", show(data));
    let serde_bytes = serde_json::to_vec(&reference).expect("serializing the reference model");
    assert_eq!(
        written,
        serde_bytes,
        "chatwire and serde_json write {} differently",
        show(data)
    );
    let read_back: D::Reference = serde_json::from_slice(&written).unwrap_or_else(|e| {
        panic!(
            "serde_json rejects chatwire's output {} ({e})",
            show(&written)
        )
    });
    assert_eq!(read_back, reference, "serde_json reads {}", show(&written));
}

/// `decode` for direction `D`: `parse` and `from_slice` agree, errors lie
/// inside the input, and every strict prefix of an event is `Partial`.
pub fn check_decode_of<D: Direction>(data: &[u8]) {
    let whole = D::from_slice(data);
    if let Err(e) = &whole {
        check_error(data, e);
    }
    match D::parse(data) {
        Ok(Status::Complete((event, used))) => {
            assert!(
                used > 0 && used <= data.len(),
                "parse used {used} of {}",
                show(data)
            );
            assert_eq!(
                D::from_slice(&data[..used]).as_ref(),
                Ok(&event),
                "from_slice of the used part of {}",
                show(data)
            );
            for k in prefix_lengths(used, &[]) {
                if k < used {
                    assert!(
                        matches!(D::parse(&data[..k]), Ok(Status::Partial)),
                        "the {k}-byte prefix of {} is not Partial",
                        show(data)
                    );
                }
            }
        }
        Ok(Status::Partial) => assert_eq!(
            whole.err().map(|e| e.kind()),
            Some(ErrorKind::UnexpectedEof),
            "{}",
            show(data)
        ),
        Err(e) => {
            check_error(data, &e);
            assert_eq!(
                whole.err(),
                Some(e),
                "from_slice and parse of {}",
                show(data)
            );
        }
    }
}

/// The `decode` target: both directions.
pub fn fuzz_decode(data: &[u8]) {
    check_decode(data);
    check_decode_of::<Servers>(data);
}

/// Whether `data` holds serde_json's private `RawValue` token as a string
/// (its `\u` escapes of ASCII undone). With the `raw_value` feature,
/// serde_json reads an object whose key is that token as a `RawValue`
/// rather than as the object it is, so neither `Value` nor the reference
/// model reads such JSON as JSON: the input lies outside what serde_json
/// can be an oracle for. chatwire reads it as any other object.
pub fn holds_serde_raw_value_token(data: &[u8]) -> bool {
    const TOKEN: &[u8] = b"$serde_json::private::RawValue";
    let mut plain = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'\\' && data.get(i + 1) == Some(&b'u') {
            let unit = data
                .get(i + 2..i + 6)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u32::from_str_radix(hex, 16).ok());
            if let Some(unit @ 0..=0x7f) = unit {
                plain.push(unit as u8);
                i += 6;
                continue;
            }
        }
        plain.push(data[i]);
        i += 1;
    }
    plain.windows(TOKEN.len()).any(|w| w == TOKEN)
}

/// The `differential` target: both directions; whether chatwire accepted
/// the input as either. Inputs serde_json cannot read as JSON
/// ([`holds_serde_raw_value_token`]) are only decoded.
pub fn fuzz_differential(data: &[u8]) -> bool {
    if holds_serde_raw_value_token(data) {
        return chatwire::from_slice(data).is_ok()
            || chatwire::ServerEvent::from_slice(data).is_ok();
    }
    let client = check_differential(data);
    let server = check_differential_of::<Servers>(data);
    client || server
}

/// The `roundtrip` target: both directions (serde_json's bytes compared
/// only where serde_json can read the input, see
/// [`holds_serde_raw_value_token`]).
pub fn fuzz_roundtrip(data: &[u8]) {
    if holds_serde_raw_value_token(data) {
        if let Ok(event) = chatwire::from_slice(data) {
            let written = event.to_vec();
            let again = chatwire::from_slice(&written).expect("chatwire reads its own output");
            assert_eq!(again, event, "decode(write(e)) != e for {}", show(data));
        }
        return;
    }
    check_roundtrip(data);
    check_roundtrip_of::<Servers>(data);
}
