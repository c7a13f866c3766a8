//! The chat server example (`examples/chat_server/`), started in-process on
//! an ephemeral port of 127.0.0.1 and driven over HTTP by hyper's client:
//! a whole chat, history byte for byte, every bad-input answer, the bounds.
#![cfg(feature = "serde")]

#[path = "../examples/chat_server/app.rs"]
#[allow(dead_code)]
mod app;

use std::net::SocketAddr;
use std::time::Duration;

use app::{Codec, Config};
use bytes::Bytes;
use chatwire::reference::ReferenceEvent;
use chatwire::{Server, ServerEvent, ServerKind};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::net::{TcpListener, TcpStream};

const CHATS: &str = "/clientweb/api/v1/chats";

/// Settings for tests: small bounds; a long poll wait, which no test waits
/// out (a poll is answered as soon as the agent has spoken).
fn config(codec: Codec) -> Config {
    Config {
        codec,
        poll_wait: Duration::from_secs(20),
        max_body: 4096,
        history_bytes: 64 * 1024,
        max_chats: 100,
        idle_expiry: Duration::from_secs(600),
    }
}

/// Starts a server on 127.0.0.1, port chosen by the system.
async fn start(config: Config) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app::serve(listener, config));
    addr
}

/// One request on a new HTTP/1.1 connection: the status and the body.
async fn call(addr: SocketAddr, method: Method, path: &str, body: &[u8]) -> (StatusCode, Bytes) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

async fn request_chat(addr: SocketAddr) -> String {
    let (status, body) = call(addr, Method::POST, CHATS, b"{}").await;
    assert_eq!(status, StatusCode::OK);
    json(&body)["chat_id"].as_str().unwrap().to_owned()
}

async fn send(addr: SocketAddr, chat: &str, body: &[u8]) -> (StatusCode, Bytes) {
    call(addr, Method::POST, &format!("{CHATS}/{chat}/events"), body).await
}

async fn poll(addr: SocketAddr, chat: &str) -> Vec<String> {
    let (status, body) = call(addr, Method::GET, &format!("{CHATS}/{chat}/events"), b"").await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    elements(&body)
}

async fn history(addr: SocketAddr, chat: &str) -> Bytes {
    let (status, body) = call(addr, Method::GET, &format!("{CHATS}/{chat}/history"), b"").await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    body
}

async fn stats(addr: SocketAddr) -> Value {
    let (status, body) = call(addr, Method::GET, "/stats", b"").await;
    assert_eq!(status, StatusCode::OK);
    json(&body)
}

/// The elements of an envelope, each as its exact bytes.
fn elements(envelope: &[u8]) -> Vec<String> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        events: Vec<&'a RawValue>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(envelope)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(envelope)));
    envelope.events.iter().map(|e| e.get().to_owned()).collect()
}

/// An envelope of `events`, written as a client might (spaces after the
/// commas).
fn envelope(events: &[&str]) -> Vec<u8> {
    format!("{{\"events\":[{}]}}", events.join(", ")).into_bytes()
}

fn kinds(events: &[String]) -> Vec<ServerKind> {
    events
        .iter()
        .map(|e| ServerEvent::from_slice(e.as_bytes()).unwrap().kind())
        .collect()
}

/// The server's `chat_session_message` text.
fn text_of(event: &str) -> String {
    let owned = chatwire::OwnedEvent::<Server>::from_bytes(Bytes::from(event.to_owned())).unwrap();
    match owned.event() {
        ServerEvent::Message { msg, .. } => msg.to_cow().into_owned(),
        other => panic!("not a message: {other:?}"),
    }
}

/// What the server stores of a client's event: its bytes as sent
/// (chatwire), or serde_json's writing of the reference model (serde).
fn stored(codec: Codec, sent: &str) -> String {
    match codec {
        Codec::Chatwire => sent.to_owned(),
        Codec::Serde => {
            let event: ReferenceEvent = serde_json::from_str(sent).unwrap();
            serde_json::to_string(&event).unwrap()
        }
    }
}

/// A whole chat, as a client plays it; the history must then hold every
/// event of both directions in order, the client's as stored.
async fn play_a_whole_chat(codec: Codec) {
    let addr = start(config(codec)).await;
    let chat = request_chat(addr).await;
    let mut expected: Vec<String> = Vec::new();
    let mut sent_count = 0;

    // The agent greets the new chat.
    let greeting = poll(addr, &chat).await;
    assert_eq!(
        kinds(&greeting),
        [
            ServerKind::Status,
            ServerKind::PartyJoined,
            ServerKind::Message
        ]
    );
    expected.extend(greeting);

    // Typing, then a message with escapes, keys in another order and extra
    // fields, an event of a later version, then not typing.
    let batch = [
        r#"{"event":"chat_session_typing","msg":"My ord"}"#,
        r#"{ "msg" : "My order \"42\" is late \u00e9\ud83d\ude00\nsecond line", "msg_id":"c:1", "event":"chat_session_message", "timestamp":1700000000 }"#,
        r#"{"event":"chat_session_cobrowsing_requested","session":{"id":[1,2]}}"#,
        r#"{"event":"chat_session_not_typing"}"#,
    ];
    let (status, body) = send(addr, &chat, &envelope(&batch)).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::OK, &br#"{"events":[]}"#[..])
    );
    expected.extend(batch.iter().map(|e| stored(codec, e)));
    sent_count += batch.len();
    let replies = poll(addr, &chat).await;
    assert_eq!(kinds(&replies), [ServerKind::Typing, ServerKind::Message]);
    assert_eq!(text_of(&replies[1]), "Thanks, I got your message.");
    expected.extend(replies);

    // Asked for a form, the agent shows one.
    let batch =
        [r#"{"event":"chat_session_message","msg_id":"c:3","msg":"Can I fill in a FORM?"}"#];
    assert_eq!(send(addr, &chat, &envelope(&batch)).await.0, StatusCode::OK);
    expected.extend(batch.iter().map(|e| stored(codec, e)));
    sent_count += batch.len();
    let replies = poll(addr, &chat).await;
    assert_eq!(
        kinds(&replies),
        [
            ServerKind::Typing,
            ServerKind::Message,
            ServerKind::FormShow
        ]
    );
    let ServerEvent::FormShow {
        form_request_id,
        form_name,
        ..
    } = ServerEvent::from_slice(replies[2].as_bytes()).unwrap()
    else {
        unreachable!()
    };
    let form_id = form_request_id.as_u64().unwrap();
    assert!(form_name == "contact");
    expected.extend(replies);

    // An answer naming another form is kept, and the agent says so.
    let wrong = format!(
        r#"{{"event":"chat_session_form_data","form_request_id":{},"form_name":"contact","data":{{"email":"a@b.c"}}}}"#,
        form_id + 1
    );
    assert_eq!(
        send(addr, &chat, &envelope(&[&wrong])).await.0,
        StatusCode::OK
    );
    expected.push(stored(codec, &wrong));
    sent_count += 1;
    let replies = poll(addr, &chat).await;
    assert_eq!(kinds(&replies), [ServerKind::Typing, ServerKind::Message]);
    assert_eq!(
        text_of(&replies[1]),
        "That answer is not for the form I showed."
    );
    expected.extend(replies);

    // The answer to the form shown (its id echoed as a string), a file,
    // and a read receipt.
    let answer = format!(
        r#"{{"data":{{"email":"ann@example.com","zip":"12345","floors":[1, 2]}},"event":"chat_session_form_data","form_name":"contact","form_request_id":"{form_id}"}}"#
    );
    let batch = [
        answer.as_str(),
        r#"{"event":"chat_session_file","msg_id":"c:5","file_type":"image","file_id":"f-9","file_name":"receipt.png"}"#,
        r#"{"event":"chat_session_message_read","ref_msg_id":"4"}"#,
    ];
    assert_eq!(send(addr, &chat, &envelope(&batch)).await.0, StatusCode::OK);
    expected.extend(batch.iter().map(|e| stored(codec, e)));
    sent_count += batch.len();
    let replies = poll(addr, &chat).await;
    assert_eq!(kinds(&replies), [ServerKind::Typing, ServerKind::Message]);
    assert_eq!(text_of(&replies[1]), "Thanks, your form has been received.");
    expected.extend(replies);

    // The client ends the chat; the agent leaves and ends it.
    let batch = [r#"{"event":"chat_session_end"}"#];
    assert_eq!(send(addr, &chat, &envelope(&batch)).await.0, StatusCode::OK);
    expected.extend(batch.iter().map(|e| stored(codec, e)));
    sent_count += batch.len();
    let replies = poll(addr, &chat).await;
    assert_eq!(kinds(&replies), [ServerKind::PartyLeft, ServerKind::Ended]);
    expected.extend(replies);

    // Every event, both directions, in order, byte for byte.
    let history = history(addr, &chat).await;
    assert_eq!(elements(&history), expected);
    // The history envelope is the stored bytes joined, nothing else.
    assert_eq!(
        history,
        format!("{{\"events\":[{}]}}", expected.join(",")).into_bytes()
    );

    let stats = stats(addr).await;
    assert_eq!(stats["codec"], codec.name());
    assert_eq!(stats["events_accepted"], sent_count);
    assert_eq!(stats["requests_rejected"], 0);
}

#[tokio::test]
async fn a_whole_chat_is_in_history_byte_for_byte_as_sent() {
    play_a_whole_chat(Codec::Chatwire).await;
}

#[tokio::test]
async fn a_whole_chat_plays_the_same_with_serde() {
    play_a_whole_chat(Codec::Serde).await;
}

/// A chat whose greeting has been read, and its history.
async fn chat_with_history(addr: SocketAddr) -> (String, Bytes) {
    let chat = request_chat(addr).await;
    poll(addr, &chat).await;
    let first = [r#"{"event":"chat_session_message","msg_id":"1","msg":"hello"}"#];
    assert_eq!(send(addr, &chat, &envelope(&first)).await.0, StatusCode::OK);
    poll(addr, &chat).await;
    let before = history(addr, &chat).await;
    (chat, before)
}

#[tokio::test]
async fn an_envelope_with_bad_events_is_refused_whole_naming_each() {
    for codec in [Codec::Chatwire, Codec::Serde] {
        let addr = start(config(codec)).await;
        let (chat, before) = chat_with_history(addr).await;
        let elements = [
            r#"{"event":"chat_session_message","msg_id":"2","msg":"kept? no"}"#,
            r#"{"event":"chat_session_message","msg":"no id"}"#,
            r#"{"event":"chat_session_end"}"#,
            r#"[1,2]"#,
            r#"{"event":"chat_session_file","msg_id":"3","file_type":"video","file_id":"f"}"#,
        ];
        let body = envelope(&elements);
        let (status, answer) = send(addr, &chat, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{codec}");
        let answer = json(&answer);
        assert_eq!(answer["error"], "invalid_events");
        assert_eq!(answer["errors_total"], 3);
        let errors = answer["errors"].as_array().unwrap();
        let indexes: Vec<_> = errors
            .iter()
            .map(|e| e["index"].as_u64().unwrap())
            .collect();
        assert_eq!(indexes, [1, 3, 4], "{codec}");
        for error in errors {
            // The offset lies within the element it names.
            let index = error["index"].as_u64().unwrap() as usize;
            let element = elements[index];
            let start = body
                .windows(element.len())
                .position(|w| w == element.as_bytes())
                .unwrap();
            let offset = error["offset"].as_u64().unwrap() as usize;
            assert!(
                (start..=start + element.len()).contains(&offset),
                "{codec}: offset {offset} outside element {index} at {start}"
            );
            assert!(!error["problem"].as_str().unwrap().is_empty());
        }
        if codec == Codec::Chatwire {
            assert_eq!(
                errors[0]["problem"],
                "invalid event: missing field `msg_id`"
            );
        }
        // Nothing of the request was stored: not the good message, not the
        // end, and the agent did not answer.
        assert_eq!(history(addr, &chat).await, before, "{codec}");
        let stats = stats(addr).await;
        assert_eq!(stats["requests_rejected"], 1);
        // The chat goes on.
        let next = [r#"{"event":"chat_session_typing"}"#];
        assert_eq!(send(addr, &chat, &envelope(&next)).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_body_that_is_not_one_envelope_is_refused() {
    for codec in [Codec::Chatwire, Codec::Serde] {
        let addr = start(config(codec)).await;
        let (chat, before) = chat_with_history(addr).await;
        for body in [
            &b""[..],
            b"   ",
            br#"{"events":[{"event":"chat_session_typing"}"#,
            br#"{"events":{"event":"chat_session_typing"}}"#,
            br#"{"event":"chat_session_typing"}"#,
            br#"{"events":[]} {"events":[{"event":"chat_session_end"}]}"#,
            b"\xff\xfe",
        ] {
            let (status, answer) = send(addr, &chat, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{codec}: {body:?}");
            let answer = json(&answer);
            assert_eq!(answer["error"], "invalid_events");
            let errors = answer["errors"].as_array().unwrap();
            assert!(!errors.is_empty());
            assert!(
                errors
                    .iter()
                    .all(|e| e["offset"].as_u64().unwrap() <= body.len() as u64)
            );
        }
        assert_eq!(history(addr, &chat).await, before, "{codec}");
    }
}

#[tokio::test]
async fn a_body_over_the_bound_gets_413() {
    let addr = start(config(Codec::Chatwire)).await;
    let (chat, before) = chat_with_history(addr).await;
    let long = "x".repeat(5000);
    let event = format!(r#"{{"event":"chat_session_message","msg_id":"9","msg":"{long}"}}"#);
    let (status, answer) = send(addr, &chat, &envelope(&[&event])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let answer = json(&answer);
    assert_eq!(answer["error"], "body_too_large");
    assert_eq!(answer["message"], "the body is larger than 4096 bytes");
    assert_eq!(history(addr, &chat).await, before);
    // A body of exactly the bound is read.
    let fill = 4096 - envelope(&[r#"{"event":"chat_session_typing","msg":""}"#]).len();
    let event = format!(
        r#"{{"event":"chat_session_typing","msg":"{}"}}"#,
        "y".repeat(fill)
    );
    let body = envelope(&[&event]);
    assert_eq!(body.len(), 4096);
    assert_eq!(send(addr, &chat, &body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_chat_gets_404() {
    let addr = start(config(Codec::Chatwire)).await;
    let body = envelope(&[r#"{"event":"chat_session_typing"}"#]);
    for (method, path, body) in [
        (
            Method::POST,
            format!("{CHATS}/no-such-chat/events"),
            &body[..],
        ),
        (Method::GET, format!("{CHATS}/no-such-chat/events"), b""),
        (Method::GET, format!("{CHATS}/no-such-chat/history"), b""),
    ] {
        let (status, answer) = call(addr, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let answer = json(&answer);
        assert_eq!(answer["error"], "unknown_chat");
        assert_eq!(answer["message"], "no chat with id \"no-such-chat\"");
    }
}

#[tokio::test]
async fn a_second_concurrent_long_poll_gets_400() {
    let addr = start(config(Codec::Chatwire)).await;
    let (chat, before) = chat_with_history(addr).await;
    // The first poll waits: nothing is new.
    let first = tokio::spawn({
        let chat = chat.clone();
        async move { poll(addr, &chat).await }
    });
    let mut waiting = false;
    for _ in 0..500 {
        if stats(addr).await["polls_waiting"] == 1 {
            waiting = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(waiting, "the first poll never waited");
    let (status, answer) = call(addr, Method::GET, &format!("{CHATS}/{chat}/events"), b"").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&answer)["error"], "poll_in_progress");
    assert_eq!(history(addr, &chat).await, before);
    // The first poll is answered when the agent speaks.
    let message = [r#"{"event":"chat_session_message","msg_id":"2","msg":"still there?"}"#];
    assert_eq!(
        send(addr, &chat, &envelope(&message)).await.0,
        StatusCode::OK
    );
    let replies = first.await.unwrap();
    assert_eq!(kinds(&replies), [ServerKind::Typing, ServerKind::Message]);
    // And the chat can be polled again.
    assert_eq!(stats(addr).await["polls_waiting"], 0);
}

#[tokio::test]
async fn an_ended_chat_refuses_more_events_with_409() {
    let addr = start(config(Codec::Chatwire)).await;
    let chat = request_chat(addr).await;
    let end = envelope(&[r#"{"event":"chat_session_end"}"#]);
    assert_eq!(send(addr, &chat, &end).await.0, StatusCode::OK);
    let before = history(addr, &chat).await;
    let (status, answer) = send(
        addr,
        &chat,
        &envelope(&[r#"{"event":"chat_session_typing"}"#]),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(json(&answer)["error"], "chat_ended");
    assert_eq!(history(addr, &chat).await, before);
    // A poll on an ended chat does not wait.
    let events = poll(addr, &chat).await;
    assert_eq!(kinds(&events).last(), Some(&ServerKind::Ended));
    assert_eq!(poll(addr, &chat).await, Vec::<String>::new());
}

#[tokio::test]
async fn history_keeps_the_newest_events_within_its_bound() {
    let mut config = config(Codec::Chatwire);
    config.max_body = 1024;
    config.history_bytes = 4096;
    let addr = start(config).await;
    let chat = request_chat(addr).await;
    let mut last = String::new();
    for i in 0..100 {
        last = format!(
            r#"{{"event":"chat_session_message","msg_id":"m{i}","msg":"message number {i}"}}"#
        );
        let typing = r#"{"event":"chat_session_typing","msg":"typing"}"#;
        assert_eq!(
            send(addr, &chat, &envelope(&[typing, &last])).await.0,
            StatusCode::OK
        );
    }
    let history = history(addr, &chat).await;
    assert!(history.len() <= 4096, "{} bytes of history", history.len());
    let events = elements(&history);
    // The oldest went first: the last message and the agent's answer to
    // it are the newest, the greeting is gone.
    let at = events.iter().position(|e| *e == last).unwrap();
    assert_eq!(
        kinds(&events[at + 1..]),
        [ServerKind::Typing, ServerKind::Message]
    );
    assert!(!events.iter().any(|e| e.contains("chat_session_status")));
    assert!(events.len() < 100);
}

#[tokio::test]
async fn the_number_of_chats_is_bounded() {
    let mut config = config(Codec::Chatwire);
    config.max_chats = 2;
    let addr = start(config).await;
    request_chat(addr).await;
    request_chat(addr).await;
    let (status, answer) = call(addr, Method::POST, CHATS, b"{}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&answer)["error"], "too_many_chats");
    assert_eq!(stats(addr).await["chats"], 2);
}

#[tokio::test]
async fn idle_chats_expire() {
    let mut config = config(Codec::Chatwire);
    config.max_chats = 1;
    config.idle_expiry = Duration::from_millis(50);
    let addr = start(config).await;
    let chat = request_chat(addr).await;
    // Well past the expiry.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, _) = call(addr, Method::GET, &format!("{CHATS}/{chat}/history"), b"").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Its place is free again.
    request_chat(addr).await;
    assert!(stats(addr).await["chats_expired"].as_u64().unwrap() >= 1);
}
