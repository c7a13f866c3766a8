//! Acceptance 3: 100 MB of one endless line (NDJSON), of one endless string
//! inside an envelope, and of one endless value back to back, go through the
//! incremental decoder in 64 KiB chunks with the buffer never holding twice
//! the size bound; the oversize event is reported once and the good event
//! after it is delivered.
#![cfg(feature = "alloc")]

use bytes::BytesMut;
use chatwire::ClientEvent;
use chatwire::stream::{Config, Decoder, Framing, StreamErrorKind, Unit};

const TOTAL: usize = 100_000_000;
const CHUNK: usize = 64 * 1024;

/// Feeds `head`, then `TOTAL` bytes of `filler`, then `tail`, in 64 KiB
/// chunks; returns the items and the largest buffer seen.
fn run(
    framing: Framing,
    head: &[u8],
    filler: u8,
    tail: &[u8],
) -> (
    Vec<Result<chatwire::OwnedEvent, chatwire::stream::StreamError>>,
    usize,
) {
    let mut decoder = Decoder::with_config(framing, Config::new());
    let mut buf = BytesMut::with_capacity(2 * CHUNK);
    let mut items = Vec::new();
    let mut peak = 0;
    let chunk = vec![filler; CHUNK];
    let mut feed = |bytes: &[u8], buf: &mut BytesMut, items: &mut Vec<_>| {
        buf.extend_from_slice(bytes);
        peak = peak.max(buf.len());
        while let Some(item) = decoder.decode(buf) {
            items.push(item);
        }
    };
    feed(head, &mut buf, &mut items);
    let mut sent = 0;
    while sent < TOTAL {
        let n = CHUNK.min(TOTAL - sent);
        feed(&chunk[..n], &mut buf, &mut items);
        sent += n;
    }
    feed(tail, &mut buf, &mut items);
    while let Some(item) = decoder.decode_eof(&mut buf) {
        items.push(item);
    }
    assert!(buf.is_empty());
    (items, peak)
}

fn check(
    items: &[Result<chatwire::OwnedEvent, chatwire::stream::StreamError>],
    unit: Unit,
    peak: usize,
) {
    let bound = Config::new().event_limit();
    eprintln!(
        "{unit:?}: peak buffer {peak} bytes ({:.3} x bound)",
        peak as f64 / bound as f64
    );
    assert!(peak < 2 * bound, "peak buffer {peak}");
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap().event(),
        ClientEvent::Typing { msg: None }
    );
    let err = items[1].as_ref().unwrap_err();
    assert_eq!((err.kind(), err.unit()), (StreamErrorKind::TooLarge, unit));
    assert_eq!(items[2].as_ref().unwrap().event(), ClientEvent::End);
}

#[test]
fn endless_ndjson_line_is_skipped_in_bounded_memory() {
    let head = b"{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_session_message\",\"msg_id\":\"1\",\"msg\":\"";
    let tail = b"\"}\n{\"event\":\"chat_session_end\"}\n";
    let (items, peak) = run(Framing::Auto, head, b'a', tail);
    check(&items, Unit::Line(2), peak);
    assert_eq!(items[1].as_ref().unwrap_err().offset(), 32);
}

#[test]
fn endless_string_in_an_envelope_is_skipped_in_bounded_memory() {
    let head = b"{\"events\":[{\"event\":\"chat_session_typing\"},{\"event\":\"chat_session_message\",\"msg_id\":\"1\",\"msg\":\"";
    let tail = b"\"},{\"event\":\"chat_session_end\"}]}";
    let (items, peak) = run(Framing::Auto, head, b'b', tail);
    check(
        &items,
        Unit::Element {
            envelope: 0,
            index: 1,
        },
        peak,
    );
}

#[test]
fn endless_array_between_concatenated_values_is_skipped_in_bounded_memory() {
    let head = b"{\"event\":\"chat_session_typing\"}{\"event\":\"x\",\"data\":[";
    let tail = b"1]}{\"event\":\"chat_session_end\"}";
    let (items, peak) = run(Framing::Concatenated, head, b' ', tail);
    check(&items, Unit::Value(1), peak);
}
