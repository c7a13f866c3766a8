//! Acceptance 6: tokio-util's own codec edge cases (its `tests/codecs.rs`
//! for `LinesCodec`: max length, underrun, bursts, big burst, newline
//! between decodes, repeated discard, underrun twice, encoder), replayed
//! against our codec in each framing, plus the end of input.
#![cfg(feature = "tokio")]

use bytes::{BufMut, BytesMut};
use chatwire::codec::EventCodec;
use chatwire::stream::{Config, Framing, StreamErrorKind, Unit};
use chatwire::{ClientEvent, ErrorKind, OwnedEvent};
use futures_util::{SinkExt, StreamExt};
use tokio_util::codec::{Decoder, Encoder, FramedRead, FramedWrite};

const TYPING: &[u8] = br#"{"event":"chat_session_typing"}"#; // 31 bytes
const END: &[u8] = br#"{"event":"chat_session_end"}"#; // 28 bytes
const LONG: &[u8] = br#"{"event":"chat_session_message","msg_id":"m","msg":"too long"}"#;

type Item = Option<Result<OwnedEvent, chatwire::stream::StreamError>>;

fn codec(framing: Framing, max: usize) -> EventCodec {
    EventCodec::with_config(framing, Config::new().max_event_len(max))
}

fn decode(codec: &mut EventCodec, buf: &mut BytesMut) -> Item {
    codec
        .decode(buf)
        .expect("the codec's Error is for I/O only")
}

fn decode_eof(codec: &mut EventCodec, buf: &mut BytesMut) -> Item {
    codec
        .decode_eof(buf)
        .expect("the codec's Error is for I/O only")
}

#[track_caller]
fn event(item: Item) -> ClientEvent<'static> {
    match item {
        Some(Ok(event)) if event.event() == ClientEvent::Typing { msg: None } => {
            ClientEvent::Typing { msg: None }
        }
        Some(Ok(event)) if event.event() == ClientEvent::End => ClientEvent::End,
        other => panic!("expected typing or end, got {other:?}"),
    }
}

#[track_caller]
fn error(item: Item) -> StreamErrorKind {
    match item {
        Some(Err(e)) => e.kind(),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn ndjson_decoder() {
    let mut codec = codec(Framing::Ndjson, 1 << 20);
    let buf = &mut BytesMut::new();
    buf.put_slice(TYPING);
    buf.put_slice(b"\n");
    buf.put_slice(END);
    buf.put_slice(b"\r\n\r\n \n");
    buf.put_slice(TYPING);
    buf.put_slice(b"\n\r");
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
    assert_eq!(event(decode(&mut codec, buf)), ClientEvent::End);
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
    assert!(decode(&mut codec, buf).is_none());
    // A lone `\r` at the end is blank.
    assert!(decode_eof(&mut codec, buf).is_none());
    assert!(buf.is_empty());
}

#[test]
fn ndjson_decoder_invalid_utf8_is_an_item_not_the_end() {
    let mut codec = codec(Framing::Ndjson, 1 << 20);
    let buf = &mut BytesMut::new();
    buf.put_slice(b"{\"event\":\"\xc3\x28\"}");
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(b"\n");
    assert_eq!(
        error(decode(&mut codec, buf)),
        StreamErrorKind::Event(ErrorKind::InvalidUtf8)
    );
    buf.put_slice(END);
    buf.put_slice(b"\n");
    assert_eq!(event(decode(&mut codec, buf)), ClientEvent::End);
}

#[test]
fn ndjson_decoder_max_length() {
    const MAX: usize = 31;
    let mut codec = codec(Framing::Ndjson, MAX);
    let buf = &mut BytesMut::new();
    buf.put_slice(LONG);
    buf.put_slice(b"\n");
    buf.put_slice(TYPING);
    buf.put_slice(b"\n");
    buf.put_slice(LONG);
    buf.put_slice(b"\r\n");
    buf.put_slice(END);
    buf.put_slice(b"\n\r\n\r");

    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    assert_eq!(event(decode(&mut codec, buf)), ClientEvent::End);
    assert!(decode(&mut codec, buf).is_none());
    assert!(decode_eof(&mut codec, buf).is_none());

    // An event exactly at the bound, then one byte over it: the second is
    // reported as soon as the bound is passed, without its line feed.
    let mut codec = self::codec(Framing::Ndjson, MAX);
    buf.put_slice(TYPING);
    buf.put_slice(b"\n");
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
    buf.put_slice(TYPING);
    buf.put_slice(b" ");
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(b"x");
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    assert!(buf.is_empty(), "discarded bytes are dropped");
}

#[test]
fn ndjson_decoder_max_length_underrun() {
    let mut codec = codec(Framing::Ndjson, 31);
    let buf = &mut BytesMut::new();
    buf.put_slice(&LONG[..20]);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(&LONG[20..40]);
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    buf.put_slice(&LONG[40..]);
    buf.put_slice(b"\n");
    assert!(decode(&mut codec, buf).is_none());

    buf.put_slice(TYPING);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(b"\n");
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
}

#[test]
fn ndjson_decoder_max_length_bursts() {
    let mut codec = codec(Framing::Ndjson, 40);
    let buf = &mut BytesMut::new();
    buf.put_slice(&LONG[..20]);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(&LONG[20..40]);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(&LONG[40..]);
    buf.put_slice(b"\n");
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
}

#[test]
fn ndjson_decoder_max_length_big_burst() {
    let mut codec = codec(Framing::Ndjson, 40);
    let buf = &mut BytesMut::new();
    buf.put_slice(&LONG[..20]);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(&LONG[20..]);
    buf.put_slice(b"\n");
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
}

#[test]
fn ndjson_decoder_max_length_newline_between_decodes() {
    let mut codec = codec(Framing::Ndjson, TYPING.len());
    let buf = &mut BytesMut::new();
    buf.put_slice(TYPING);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(b"\n");
    buf.put_slice(&END[..5]);
    assert_eq!(
        event(decode(&mut codec, buf)),
        ClientEvent::Typing { msg: None }
    );
}

// tokio-rs/tokio#1483: discarding must not report the same line again.
#[test]
fn ndjson_decoder_discard_repeat() {
    let mut codec = codec(Framing::Ndjson, 1);
    let buf = &mut BytesMut::new();
    buf.put_slice(b"aa");
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    for _ in 0..3 {
        buf.put_slice(b"a");
        assert!(decode(&mut codec, buf).is_none());
    }
    buf.put_slice(b"\n{}\n");
    // `{}` is two bytes, over the bound of one: reported, once.
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    assert!(decode(&mut codec, buf).is_none());
}

// tokio-rs/tokio#3555: after an underrun, later calls still find the next
// line.
#[test]
fn ndjson_decoder_max_length_underrun_twice() {
    let mut codec = codec(Framing::Ndjson, 35);
    let buf = &mut BytesMut::new();
    buf.put_slice(&LONG[..20]);
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(&LONG[20..40]);
    assert_eq!(error(decode(&mut codec, buf)), StreamErrorKind::TooLarge);
    buf.put_slice(b"aaaaaaaaaaaaaaaaaaaaaaa");
    assert!(decode(&mut codec, buf).is_none());
    buf.put_slice(b"ong\"}\n");
    buf.put_slice(END);
    buf.put_slice(b"\n");
    assert_eq!(event(decode(&mut codec, buf)), ClientEvent::End);
}

/// The same cases for values whose end is found by following their
/// structure: envelopes and concatenated values.
#[test]
fn value_framings_max_length_underrun_bursts_and_discard_repeat() {
    for framing in [Framing::Envelope, Framing::Concatenated] {
        let (open, sep): (&[u8], &[u8]) = match framing {
            Framing::Envelope => (b"{\"events\":[", b","),
            _ => (b"", b" "),
        };
        // Underrun, then over the bound, then the rest arrives: one error.
        let mut codec = codec(framing, 40);
        let buf = &mut BytesMut::new();
        buf.put_slice(open);
        buf.put_slice(&LONG[..20]);
        assert!(decode(&mut codec, buf).is_none(), "{framing:?}");
        buf.put_slice(&LONG[20..]);
        assert_eq!(
            error(decode(&mut codec, buf)),
            StreamErrorKind::TooLarge,
            "{framing:?}"
        );
        assert!(decode(&mut codec, buf).is_none(), "{framing:?}");
        assert!(buf.is_empty(), "{framing:?}: discarded bytes are dropped");
        // Discarding goes on chunk after chunk without reporting again.
        buf.put_slice(sep);
        buf.put_slice(&LONG[..45]);
        assert_eq!(
            error(decode(&mut codec, buf)),
            StreamErrorKind::TooLarge,
            "{framing:?}"
        );
        for &b in &LONG[45..] {
            buf.put_slice(&[b]);
            assert!(decode(&mut codec, buf).is_none(), "{framing:?}");
        }
        // Then the next event is delivered as soon as its last byte arrives.
        buf.put_slice(sep);
        buf.put_slice(TYPING);
        assert_eq!(
            event(decode(&mut codec, buf)),
            ClientEvent::Typing { msg: None },
            "{framing:?}"
        );
        if framing == Framing::Envelope {
            buf.put_slice(b"]}");
        }
        assert!(decode(&mut codec, buf).is_none(), "{framing:?}");
        assert!(decode_eof(&mut codec, buf).is_none(), "{framing:?}");
    }
}

#[test]
fn decode_eof_reports_a_truncated_final_event_once() {
    for framing in [
        Framing::Ndjson,
        Framing::Envelope,
        Framing::Concatenated,
        Framing::Auto,
    ] {
        let mut codec = codec(framing, 1 << 20);
        let buf = &mut BytesMut::new();
        if framing == Framing::Envelope {
            buf.put_slice(b"{\"events\":[");
        }
        buf.put_slice(&TYPING[..10]);
        assert!(decode(&mut codec, buf).is_none(), "{framing:?}");
        let e = match decode_eof(&mut codec, buf) {
            Some(Err(e)) => e,
            other => panic!("{framing:?}: {other:?}"),
        };
        assert_eq!(e.kind(), StreamErrorKind::Truncated, "{framing:?}");
        assert!(decode_eof(&mut codec, buf).is_none(), "{framing:?}");
        assert!(decode_eof(&mut codec, buf).is_none(), "{framing:?}");
        assert!(buf.is_empty(), "{framing:?}");
    }
    // An envelope cut between elements says so.
    let mut codec = codec(Framing::Auto, 1 << 20);
    let buf = &mut BytesMut::from(&b"{\"events\":[{\"event\":\"chat_session_end\"},"[..]);
    assert_eq!(event(decode(&mut codec, buf)), ClientEvent::End);
    let e = decode_eof(&mut codec, buf).unwrap().unwrap_err();
    assert_eq!(
        (e.kind(), e.unit(), e.offset()),
        (StreamErrorKind::Truncated, Unit::Envelope(0), 40)
    );
    assert_eq!(
        e.to_string(),
        "input ends inside the envelope in envelope 0, at byte 40 (line 1, column 41)"
    );
    assert!(decode_eof(&mut codec, buf).is_none());
}

#[tokio::test]
async fn framed_read_ends_after_a_truncated_final_event_without_io_error() {
    let input = b"{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_session_mess";
    let mut items = FramedRead::new(&input[..], EventCodec::default());
    assert_eq!(
        items.next().await.unwrap().unwrap().unwrap(),
        ClientEvent::Typing { msg: None }
    );
    let e = items.next().await.unwrap().unwrap().unwrap_err();
    assert_eq!(
        (e.kind(), e.unit(), e.offset()),
        (StreamErrorKind::Truncated, Unit::Line(2), 59)
    );
    assert_eq!(
        e.to_string(),
        "the line ends inside the event in line 2, at byte 59 (line 2, column 28)"
    );
    assert!(items.next().await.is_none());
}

#[test]
fn encoders() {
    let events = [ClientEvent::Typing { msg: None }, ClientEvent::End];
    let mut codec = EventCodec::new(Framing::Ndjson);
    let mut buf = BytesMut::new();
    codec
        .encode(ClientEvent::Typing { msg: None }, &mut buf)
        .unwrap();
    assert_eq!(&buf[..], b"{\"event\":\"chat_session_typing\"}\n");
    codec.encode(&ClientEvent::End, &mut buf).unwrap();
    assert_eq!(
        &buf[..],
        b"{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_session_end\"}\n"
    );

    let mut codec = EventCodec::new(Framing::Envelope);
    let mut buf = BytesMut::new();
    codec.encode(&events[..], &mut buf).unwrap();
    codec.encode(ClientEvent::End, &mut buf).unwrap();
    assert_eq!(
        &buf[..],
        &b"{\"events\":[{\"event\":\"chat_session_typing\"},{\"event\":\"chat_session_end\"}]}\n{\"events\":[{\"event\":\"chat_session_end\"}]}\n"[..]
    );

    let mut codec = EventCodec::new(Framing::Concatenated);
    let mut buf = BytesMut::new();
    let owned: Vec<OwnedEvent> = events.iter().map(OwnedEvent::from_event).collect();
    codec.encode(&owned[..], &mut buf).unwrap();
    codec.encode(&owned[0], &mut buf).unwrap();
    codec.encode(owned[1].clone(), &mut buf).unwrap();
    assert_eq!(
        &buf[..],
        &b"{\"event\":\"chat_session_typing\"}{\"event\":\"chat_session_end\"}{\"event\":\"chat_session_typing\"}{\"event\":\"chat_session_end\"}"[..]
    );
}

#[tokio::test]
async fn framed_write_then_framed_read_round_trips_in_every_framing() {
    let events = [
        ClientEvent::Typing { msg: None },
        chatwire::from_slice(
            br#"{"event":"chat_session_message","msg_id":"a:1","msg":"caf\u00e9"}"#,
        )
        .unwrap(),
        ClientEvent::End,
    ];
    for framing in [Framing::Ndjson, Framing::Envelope, Framing::Concatenated] {
        let mut sink = FramedWrite::new(Vec::new(), EventCodec::new(framing));
        for event in &events {
            sink.send(event).await.unwrap();
        }
        let bytes = sink.into_inner();
        let mut items = FramedRead::new(&bytes[..], EventCodec::new(Framing::Auto));
        for event in &events {
            assert_eq!(
                items.next().await.unwrap().unwrap().unwrap(),
                *event,
                "{framing:?}"
            );
        }
        assert!(items.next().await.is_none(), "{framing:?}");
        assert_eq!(items.decoder().framing(), framing);
    }
}
