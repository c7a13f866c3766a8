//! A whole chat both ways through the tokio codecs over a socket on
//! 127.0.0.1: the client side (`ClientCodec`) writes client events and
//! reads server events, the server side (`ServerCodec`) the reverse. Each
//! side keeps the history of what it sent and received, as owned events;
//! both end with the same history, the script's, in order and byte for
//! byte (each event's canonical form). Once per framing that a live peer can use (not `Auto`, which waits
//! for the byte after the first event).
#![cfg(feature = "tokio")]

use bytes::Bytes;
use chatwire::codec::{ClientCodec, ServerCodec};
use chatwire::stream::Framing;
use chatwire::{ClientEvent, OwnedEvent, Server, ServerEvent, ServerKind};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

/// Who says what, in the canonical form each side's writer writes.
#[derive(Clone, Copy, Debug)]
enum Line {
    Client(&'static str),
    Server(&'static str),
}

use Line::{Client as C, Server as S};

/// The chat: runs of lines by the same side are sent together.
const CHAT: &[Line] = &[
    S(r#"{"event":"chat_session_status","state":"queued","ewt":"30"}"#),
    C(r#"{"event":"chat_session_message","msg_id":"c1","msg":"Hello, my order is late"}"#),
    C(r#"{"event":"chat_session_typing"}"#),
    S(
        r#"{"event":"chat_session_party_joined","party_id":"a7","first_name":"Ann","display_name":"Ann (support)","type":"internal","timestamp":1700000000}"#,
    ),
    S(r#"{"event":"chat_session_typing","party_id":"a7"}"#),
    S(
        r#"{"event":"chat_session_message","msg_id":"s1","party_id":"a7","msg":"Hi! Which order is it?","timestamp":1700000004}"#,
    ),
    C(r#"{"event":"chat_session_not_typing"}"#),
    C(r#"{"event":"chat_session_message_read","ref_msg_id":"s1"}"#),
    C(
        r#"{"event":"chat_session_message","msg_id":"c2","msg":"Order 42: \"caf\u00e9\" \u65e5\u672c\n(second line)"}"#,
    ),
    S(r#"{"event":"chat_session_message_delivered","ref_msg_id":"c2","party_id":"a7"}"#),
    S(
        r#"{"event":"chat_session_form_show","form_request_id":7,"form_name":"address","form_timeout":120}"#,
    ),
    C(
        r#"{"event":"chat_session_form_data","form_request_id":7,"form_name":"address","data":{"street":"Main St 1","zip":"12345","floors":[1,2]}}"#,
    ),
    C(
        r#"{"event":"chat_session_file","msg_id":"c3","file_type":"image","file_id":"f-9","file_name":"receipt.png"}"#,
    ),
    C(r#"{"event":"chat_session_location","latitude":52.52,"longitude":13.405}"#),
    S(
        r#"{"event":"chat_session_file","party_id":"a7","msg_id":"s2","file_id":"f-10","file_type":"attachment","file_name":"label.pdf"}"#,
    ),
    // An event of a later API version: kept whole as `Unknown`.
    S(r#"{"event":"chat_session_survey","questions":[{"q":"Happy?"}]}"#),
    S(r#"{"event":"chat_session_timeout_warning","msg":"Are you still there?"}"#),
    C(r#"{"event":"chat_session_message","msg_id":"c4","msg":"Yes, all good. Thanks!"}"#),
    S(r#"{"event":"chat_session_party_left","party_id":"a7","type":"internal"}"#),
    C(r#"{"event":"chat_session_end"}"#),
    S(r#"{"event":"chat_session_ended"}"#),
    C(r#"{"event":"chat_session_disconnect"}"#),
];

/// One entry of a side's history.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    Client(OwnedEvent),
    Server(OwnedEvent<Server>),
}

impl Said {
    /// The line as an owned event, in the canonical form its side's writer
    /// writes.
    fn of(line: Line) -> Said {
        match line {
            Line::Client(json) => {
                let owned = OwnedEvent::decode(Bytes::from_static(json.as_bytes())).unwrap();
                Said::Client(OwnedEvent::from_event(&owned.event()))
            }
            Line::Server(json) => {
                let owned =
                    OwnedEvent::<Server>::from_bytes(Bytes::from_static(json.as_bytes())).unwrap();
                Said::Server(OwnedEvent::from_event(&owned.event()))
            }
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Said::Client(event) => event.as_bytes(),
            Said::Server(event) => event.as_bytes(),
        }
    }
}

/// The runs of lines said by one side in a row.
fn runs() -> Vec<&'static [Line]> {
    CHAT.chunk_by(|a, b| matches!((a, b), (C(_), C(_)) | (S(_), S(_))))
        .collect()
}

/// The client: writes its runs as borrowed `ClientEvent`s (in one envelope
/// per run for `Envelope`), reads the server's, checking each.
async fn client(socket: TcpStream, framing: Framing) -> Vec<Said> {
    let mut framed = Framed::new(socket, ClientCodec::new(framing));
    let mut history = Vec::new();
    for run in runs() {
        if let C(_) = run[0] {
            let events: Vec<ClientEvent<'static>> = run
                .iter()
                .map(|line| match line {
                    C(json) => chatwire::from_slice(json.as_bytes()).unwrap(),
                    S(_) => unreachable!(),
                })
                .collect();
            if framing == Framing::Envelope {
                framed.send(&events[..]).await.unwrap();
            } else {
                for event in &events {
                    framed.feed(event).await.unwrap();
                }
                SinkExt::<&ClientEvent<'_>>::flush(&mut framed)
                    .await
                    .unwrap();
            }
            history.extend(
                events
                    .iter()
                    .map(|e| Said::Client(OwnedEvent::from_event(e))),
            );
        } else {
            for line in run {
                let S(json) = line else { unreachable!() };
                let event = framed.next().await.expect("the server hung up").unwrap();
                let event = event.unwrap_or_else(|e| panic!("{json}: {e}"));
                assert_eq!(event, ServerEvent::from_slice(json.as_bytes()).unwrap());
                history.push(Said::Server(event));
            }
        }
    }
    // The client ends the conversation: the server reads the end of input.
    let mut socket = framed.into_inner();
    tokio::io::AsyncWriteExt::shutdown(&mut socket)
        .await
        .unwrap();
    history
}

/// The server: writes its runs as `OwnedEvent<Server>`s (a slice of them
/// per run for `Envelope`), reads the client's, checking each.
async fn server(socket: TcpStream, framing: Framing) -> Vec<Said> {
    let mut framed = Framed::new(socket, ServerCodec::new(framing));
    let mut history = Vec::new();
    for run in runs() {
        if let S(_) = run[0] {
            let events: Vec<OwnedEvent<Server>> = run
                .iter()
                .map(|line| match Said::of(*line) {
                    Said::Server(event) => event,
                    Said::Client(_) => unreachable!(),
                })
                .collect();
            if framing == Framing::Envelope {
                framed.send(&events[..]).await.unwrap();
            } else {
                for event in &events {
                    framed.feed(event).await.unwrap();
                }
                SinkExt::<&OwnedEvent<Server>>::flush(&mut framed)
                    .await
                    .unwrap();
            }
            history.extend(events.into_iter().map(Said::Server));
        } else {
            for line in run {
                let C(json) = line else { unreachable!() };
                let event = framed.next().await.expect("the client hung up").unwrap();
                let event = event.unwrap_or_else(|e| panic!("{json}: {e}"));
                assert_eq!(event, chatwire::from_slice(json.as_bytes()).unwrap());
                history.push(Said::Client(event));
            }
        }
    }
    assert!(framed.next().await.is_none(), "nothing after the chat");
    history
}

async fn chat(framing: Framing) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        server(socket, framing).await
    });
    let socket = TcpStream::connect(addr).await.unwrap();
    let client_history = client(socket, framing).await;
    let server_history = server.await.unwrap();

    let script: Vec<Said> = CHAT.iter().map(|line| Said::of(*line)).collect();
    assert_eq!(client_history, server_history, "{framing:?}");
    assert_eq!(client_history, script, "{framing:?}");
    // Byte for byte: each side's writer wrote the canonical form, which is
    // what the script holds, and what arrived is what was written.
    for (said, want) in client_history.iter().zip(&script) {
        assert_eq!(said.bytes(), want.bytes(), "{framing:?}");
    }
    for (said, want) in server_history.iter().zip(&script) {
        assert_eq!(said.bytes(), want.bytes(), "{framing:?}");
    }
    let unknown = server_history
        .iter()
        .filter(|said| matches!(said, Said::Server(event) if event.kind() == ServerKind::Unknown));
    assert_eq!(unknown.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_chat_over_tcp_as_ndjson() {
    chat(Framing::Ndjson).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_chat_over_tcp_in_envelopes() {
    chat(Framing::Envelope).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_chat_over_tcp_as_concatenated_values() {
    chat(Framing::Concatenated).await;
}
