//! Acceptance 5: events sent over a TCP socket on 127.0.0.1 in random-sized
//! writes, read with `FramedRead` and the codec: every event and every
//! error arrives, in order, at its position: one million events as NDJSON,
//! and one million in envelopes.
#![cfg(feature = "tokio")]

use chatwire::ClientEvent;
use chatwire::codec::EventCodec;
use chatwire::stream::{Framing, StreamErrorKind, Unit};
use chatwire::{ErrorKind, Field};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::FramedRead;

const EVENTS: u64 = 1_000_000;

/// What line `i` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Message,
    Typing,
    /// A well-formed object that lacks `msg`.
    MissingMsg,
    /// Not JSON.
    Junk,
}

fn kind(i: u64) -> Kind {
    match i % 1000 {
        999 => Kind::MissingMsg,
        500 => Kind::Junk,
        n if n % 7 == 3 => Kind::Typing,
        _ => Kind::Message,
    }
}

fn write_item(i: u64, out: &mut Vec<u8>) {
    use std::io::Write;
    match kind(i) {
        Kind::Message => write!(
            out,
            r#"{{"event":"chat_session_message","msg_id":{i},"msg":"hello \u00e9 {i}"}}"#
        ),
        Kind::Typing => write!(out, r#"{{"event":"chat_session_typing"}}"#),
        Kind::MissingMsg => write!(out, r#"{{"event":"chat_session_message","msg_id":"{i}"}}"#),
        Kind::Junk => write!(out, "?junk {i}"),
    }
    .unwrap();
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Appends what the writer sends for item `i`: the item, with the
/// framing's bytes around it. Returns where the item starts in `out` and
/// its length.
fn write_framed(framing: Framing, i: u64, n: u64, out: &mut Vec<u8>) -> (usize, usize) {
    if framing == Framing::Envelope {
        // Envelopes of 100 events, one per line.
        out.extend_from_slice(if i.is_multiple_of(100) {
            b"{\"events\":["
        } else {
            b","
        });
    }
    let start = out.len();
    write_item(i, out);
    let len = out.len() - start;
    if framing != Framing::Envelope {
        out.push(b'\n');
    } else if i % 100 == 99 || i == n - 1 {
        out.extend_from_slice(b"]}\n");
    }
    (start, len)
}

/// Writes the stream in random-sized writes.
async fn send(mut socket: TcpStream, framing: Framing, n: u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pending = Vec::with_capacity(1 << 16);
    let mut i = 0;
    while i < n {
        while pending.len() < 1 << 15 && i < n {
            write_framed(framing, i, n, &mut pending);
            i += 1;
        }
        let mut at = 0;
        while at < pending.len() {
            let size = (1 + rng.next() % 3000) as usize;
            let end = (at + size).min(pending.len());
            socket.write_all(&pending[at..end]).await.unwrap();
            at = end;
        }
        pending.clear();
    }
    socket.shutdown().await.unwrap();
}

async fn check(framing: Framing) {
    let n = EVENTS;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let writer = tokio::spawn(async move {
        let socket = TcpStream::connect(addr).await.unwrap();
        send(socket, framing, n).await;
    });
    let (socket, _) = listener.accept().await.unwrap();
    let mut items = FramedRead::new(socket, EventCodec::new(Framing::Auto));

    // The stream offset of the next byte, tracked as the writer wrote.
    let mut offset = 0u64;
    let mut framed = Vec::new();
    let (mut events, mut errors) = (0u64, 0u64);
    let mut i = 0;
    while i < n {
        framed.clear();
        let (at, len) = write_framed(framing, i, n, &mut framed);
        let start = offset + at as u64;
        offset += framed.len() as u64;
        let unit = match framing {
            Framing::Envelope => Unit::Element {
                envelope: i / 100,
                index: i % 100,
            },
            _ => Unit::Line(i + 1),
        };

        let item = items
            .next()
            .await
            .expect("stream ended early")
            .expect("I/O error");
        match (kind(i), item) {
            (Kind::Message, Ok(event)) => {
                let ClientEvent::Message { msg_id, msg, .. } = event.event() else {
                    panic!("item {i}: {event:?}");
                };
                assert_eq!(msg_id.as_u64(), Some(i), "item {i}");
                assert!(msg == format!("hello é {i}").as_str(), "item {i}");
                events += 1;
            }
            (Kind::Typing, Ok(event)) => {
                assert_eq!(event.event(), ClientEvent::Typing { msg: None }, "item {i}");
                events += 1;
            }
            (Kind::MissingMsg, Err(e)) => {
                let kind = StreamErrorKind::Event(ErrorKind::MissingField(Field::Msg));
                // Reported at the closing brace.
                assert_eq!(
                    (e.kind(), e.unit(), e.offset()),
                    (kind, unit, start + len as u64 - 1),
                    "item {i}"
                );
                errors += 1;
            }
            (Kind::Junk, Err(e)) if framing == Framing::Ndjson => {
                let kind = StreamErrorKind::Event(ErrorKind::ExpectedObject);
                assert_eq!(
                    (e.kind(), e.unit(), e.offset()),
                    (kind, unit, start),
                    "item {i}"
                );
                assert_eq!((e.line(), e.column()), (i + 1, 1), "item {i}");
                errors += 1;
            }
            (Kind::Junk, Err(e)) => {
                // Not a value: the envelope is broken. The decoder skips to
                // the next line that starts with `{`: the next envelope.
                let kind = StreamErrorKind::Framing(ErrorKind::ExpectedValue);
                assert_eq!(
                    (e.kind(), e.offset(), e.line()),
                    (kind, start, i / 100 + 1),
                    "item {i}"
                );
                errors += 1;
                i += 1;
                while i % 100 != 0 && i < n {
                    framed.clear();
                    write_framed(framing, i, n, &mut framed);
                    offset += framed.len() as u64;
                    i += 1;
                }
                continue;
            }
            (k, other) => panic!("item {i} ({k:?}): {other:?}"),
        }
        i += 1;
    }
    assert!(items.next().await.is_none());
    writer.await.unwrap();
    eprintln!("{framing:?}: {events} events and {errors} errors checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_over_tcp_delivers_every_event_and_error_in_place() {
    check(Framing::Ndjson).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envelopes_over_tcp_deliver_every_event_and_error_in_place() {
    check(Framing::Envelope).await;
}
