//! The chat endpoints of the Mobile/Web API on axum, with a built-in agent.
//!
//! - `POST /clientweb/api/v1/chats` (Request Chat) answers `{"chat_id":"..."}`;
//!   the agent greets the new chat (`chat_session_status`,
//!   `chat_session_party_joined`).
//! - `POST /clientweb/api/v1/chats/{chat_id}/events` (Send Events) decodes
//!   the `{"events":[...]}` body and stores each event, all or nothing; the
//!   agent answers; the answer is `{"events":[]}` (the agent's events come
//!   through Get New Chat Events).
//! - `GET /clientweb/api/v1/chats/{chat_id}/events` (Get New Chat Events) is a
//!   long poll: the server events not delivered yet, waiting up to
//!   [`Config::poll_wait`] for some. A second poll on a chat while one waits
//!   is refused with 400, as the vendor's server does.
//! - `GET /clientweb/api/v1/chats/{chat_id}/history` (Get Chat History):
//!   every event of the chat, both directions, in order, in one envelope.
//! - `GET /stats`: counters, for the load script.
//!
//! With [`Codec::Chatwire`], a Send Events body is decoded straight from
//! the request's `Bytes` ([`chatwire::stream::OwnedEvents`]): each stored
//! event is a slice of the body, neither copied nor written again, and
//! history and long polls write the stored bytes into one envelope
//! ([`EnvelopeWriter::push_owned`]); the agent's events are written by
//! chatwire's writer. With [`Codec::Serde`], the same endpoints go through
//! serde_json and the reference model: the body is deserialized into
//! `ReferenceEvent`s and each is serialized again to be stored.
//!
//! Bad input never reaches a chat: an envelope with any bad event is
//! refused whole (400, each bad element named), a body over
//! [`Config::max_body`] gets 413, an unknown chat 404. Memory is bounded:
//! each chat's history ([`Config::history_bytes`]), the number of chats
//! ([`Config::max_chats`]), and chats idle for [`Config::idle_expiry`] are
//! dropped.
//!
//! `Authorization` and the `tenantUrl` query parameter are accepted and not
//! checked.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::BytesMut;
use chatwire::reference::{RefId, RefScalar, ReferenceEvent, ReferenceServerEvent};
use chatwire::stream::{self, EnvelopeWriter, Framing, OwnedEvents, StreamError, Unit};
use chatwire::{ClientEvent, Id, OwnedEvent, Scalar, Server, ServerEvent, Text};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use tokio::sync::Notify;

/// Which code reads and writes the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// chatwire: zero-copy decoding, events stored as they arrived.
    Chatwire,
    /// serde_json on the reference model: events deserialized, then
    /// serialized again to be stored.
    Serde,
}

impl Codec {
    /// The codec's name on the command line: `chatwire` or `serde`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Chatwire => "chatwire",
            Codec::Serde => "serde",
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Codec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "chatwire" => Ok(Codec::Chatwire),
            "serde" => Ok(Codec::Serde),
            other => Err(format!(
                "unknown codec {other:?} (expected chatwire or serde)"
            )),
        }
    }
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Which code reads and writes the events.
    pub codec: Codec,
    /// How long Get New Chat Events waits for new events before it answers
    /// an empty envelope.
    pub poll_wait: Duration,
    /// The largest Send Events body, in bytes; a larger one gets 413.
    pub max_body: usize,
    /// The bound on one chat's history, in bytes: the bodies its client
    /// events share plus the agent's events. The oldest events are dropped
    /// past it. Raised to [`Config::max_body`] if below it.
    pub history_bytes: usize,
    /// The most chats at once; Request Chat answers 503 past it.
    pub max_chats: usize,
    /// A chat nobody has asked about for this long is dropped.
    pub idle_expiry: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            codec: Codec::Chatwire,
            poll_wait: Duration::from_secs(10),
            max_body: 1 << 20,
            history_bytes: 4 << 20,
            max_chats: 10_000,
            idle_expiry: Duration::from_secs(300),
        }
    }
}

/// The server's state: the chats and the counters.
pub struct App {
    config: Config,
    chats: Mutex<HashMap<String, Arc<Chat>>>,
    ids: RandomState,
    next_chat: AtomicU64,
    started: Instant,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    requests_accepted: AtomicU64,
    requests_rejected: AtomicU64,
    events_accepted: AtomicU64,
    bytes_accepted: AtomicU64,
    chats_created: AtomicU64,
    chats_expired: AtomicU64,
    /// Get New Chat Events requests waiting now.
    polls_waiting: AtomicU64,
}

/// One chat: its history, the agent's events not yet delivered, the agent.
struct Chat {
    state: Mutex<ChatState>,
    /// Woken when the agent adds events.
    notify: Notify,
    /// Whether a Get New Chat Events request is waiting.
    polling: AtomicBool,
    /// Milliseconds since the app started, at the last request.
    last_active: AtomicU64,
}

struct ChatState {
    history: VecDeque<Entry>,
    history_charge: usize,
    /// The agent's events not delivered yet, bounded like the history.
    outbox: VecDeque<Stored>,
    outbox_charge: usize,
    agent: Agent,
}

/// A stored event and the bytes it holds on to.
struct Entry {
    event: Stored,
    charge: usize,
}

/// An event as stored.
#[derive(Clone)]
enum Stored {
    /// A client's event, its bytes a slice of the request body.
    Client(OwnedEvent),
    /// The agent's event, written by chatwire.
    Server(OwnedEvent<Server>),
    /// An event written by serde_json (either side).
    Json(Bytes),
}

impl Stored {
    fn len(&self) -> usize {
        match self {
            Stored::Client(e) => e.as_bytes().len(),
            Stored::Server(e) => e.as_bytes().len(),
            Stored::Json(b) => b.len(),
        }
    }
}

/// What the agent needs to know of a client's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Said {
    /// A message; whether it asks for a form (it says "form").
    Message { asks_form: bool },
    /// A form's answer, and the `form_request_id` it names when that is a
    /// number (or a string of one).
    FormData { request_id: Option<u64> },
    /// `chat_session_end`.
    End,
    /// Anything else: the agent says nothing.
    Other,
}

/// One bad element of a refused envelope.
#[derive(Clone, Debug)]
struct Problem {
    /// The element's index in `"events"`, or `None` for the envelope.
    index: Option<u64>,
    /// The byte offset in the body where the problem was found.
    offset: u64,
    /// What is wrong.
    problem: String,
}

/// At most this many problems are listed in a 400 answer.
const MAX_PROBLEMS: usize = 100;

const EMPTY_ENVELOPE: &[u8] = br#"{"events":[]}"#;

impl App {
    /// A server with no chats yet.
    pub fn new(mut config: Config) -> Arc<App> {
        config.history_bytes = config.history_bytes.max(config.max_body);
        Arc::new(App {
            config,
            chats: Mutex::new(HashMap::new()),
            ids: RandomState::new(),
            next_chat: AtomicU64::new(0),
            started: Instant::now(),
            stats: Stats::default(),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn idle_ms(&self) -> u64 {
        u64::try_from(self.config.idle_expiry.as_millis()).unwrap_or(u64::MAX)
    }

    fn chats(&self) -> MutexGuard<'_, HashMap<String, Arc<Chat>>> {
        self.chats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new chat id: 128 bits from a per-process random hasher over a
    /// counter (unique, not guessable in practice, not cryptographic).
    fn new_chat_id(&self) -> String {
        let n = self.next_chat.fetch_add(1, Ordering::Relaxed);
        let a = self.ids.hash_one(n);
        let b = self.ids.hash_one(!n);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// The chat `id`, if it exists and has not expired; it counts as active
    /// from now.
    fn chat(&self, id: &str) -> Result<Arc<Chat>, Box<Response>> {
        let now = self.now_ms();
        let mut chats = self.chats();
        match chats.get(id) {
            Some(chat) if !chat.expired(now, self.idle_ms()) => {
                chat.last_active.store(now, Ordering::Relaxed);
                Ok(Arc::clone(chat))
            }
            Some(_) => {
                chats.remove(id);
                self.stats.chats_expired.fetch_add(1, Ordering::Relaxed);
                Err(Box::new(unknown_chat(id)))
            }
            None => Err(Box::new(unknown_chat(id))),
        }
    }

    /// Drops the chats idle for longer than the expiry; returns how many.
    pub fn sweep(&self) -> usize {
        let now = self.now_ms();
        let idle = self.idle_ms();
        let mut chats = self.chats();
        let before = chats.len();
        chats.retain(|_, chat| !chat.expired(now, idle));
        let dropped = before - chats.len();
        self.stats
            .chats_expired
            .fetch_add(dropped as u64, Ordering::Relaxed);
        dropped
    }

    fn stats_json(&self) -> serde_json::Value {
        let s = &self.stats;
        json!({
            "codec": self.config.codec.name(),
            "chats": self.chats().len(),
            "chats_created": s.chats_created.load(Ordering::Relaxed),
            "chats_expired": s.chats_expired.load(Ordering::Relaxed),
            "requests_accepted": s.requests_accepted.load(Ordering::Relaxed),
            "requests_rejected": s.requests_rejected.load(Ordering::Relaxed),
            "events_accepted": s.events_accepted.load(Ordering::Relaxed),
            "bytes_accepted": s.bytes_accepted.load(Ordering::Relaxed),
            "polls_waiting": s.polls_waiting.load(Ordering::Relaxed),
        })
    }

    fn rejected(&self, response: Response) -> Response {
        self.stats.requests_rejected.fetch_add(1, Ordering::Relaxed);
        response
    }
}

impl Chat {
    fn new(now_ms: u64) -> Chat {
        Chat {
            state: Mutex::new(ChatState {
                history: VecDeque::new(),
                history_charge: 0,
                outbox: VecDeque::new(),
                outbox_charge: 0,
                agent: Agent::default(),
            }),
            notify: Notify::new(),
            polling: AtomicBool::new(false),
            last_active: AtomicU64::new(now_ms),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ChatState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, now_ms: u64, idle_ms: u64) -> bool {
        !self.polling.load(Ordering::Acquire)
            && now_ms.saturating_sub(self.last_active.load(Ordering::Relaxed)) > idle_ms
    }
}

impl ChatState {
    /// Appends `event` to the history, holding on to `charge` bytes, then
    /// drops the oldest events past the bound.
    fn record(&mut self, event: Stored, charge: usize, bound: usize) {
        self.history_charge += charge;
        self.history.push_back(Entry { event, charge });
        while self.history_charge > bound {
            let Some(old) = self.history.pop_front() else {
                break;
            };
            self.history_charge -= old.charge;
        }
    }

    /// Records the agent's `event` and queues it for the next poll.
    fn say(&mut self, event: Stored, bound: usize) {
        let len = event.len();
        self.outbox_charge += len;
        self.outbox.push_back(event.clone());
        while self.outbox_charge > bound {
            let Some(old) = self.outbox.pop_front() else {
                break;
            };
            self.outbox_charge -= old.len();
        }
        self.record(event, len, bound);
    }
}

// ---------------------------------------------------------------------------
// The agent

/// The agent's party id.
const AGENT_ID: &str = "80A8248D-69D7-4DA2-8074-6139AA191D7E";

// The agent's texts: JSON strings without escapes, written as they are.
const GREETING: &str = "Hello! I am Ann. How can I help?";
const THANKS: &str = "Thanks, I got your message.";
const FORM_PLEASE: &str = "Please fill in this form.";
const FORM_THANKS: &str = "Thanks, your form has been received.";
const FORM_MISMATCH: &str = "That answer is not for the form I showed.";
const FORM_NAME: &str = "contact";
const FORM_NAME_JSON: &str = "\"contact\"";

/// The agent's state in one chat.
#[derive(Debug, Default)]
struct Agent {
    /// The agent's messages so far (its `msg_id`s are even: 2, 4, ...).
    messages: u64,
    /// Forms shown so far (their `form_request_id`s are 1, 2, ...).
    forms: u64,
    /// The form waiting for an answer.
    pending_form: Option<u64>,
    /// The chat has ended: the agent says nothing more, and Send Events
    /// answers 409.
    ended: bool,
}

/// An event the agent sends, before a codec writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reply {
    Status,
    Joined,
    Typing,
    Message { msg_id: u64, text: &'static str },
    FormShow { form_request_id: u64 },
    Left,
    Ended,
}

impl Agent {
    fn greet(&mut self, out: &mut Vec<Reply>) {
        out.push(Reply::Status);
        out.push(Reply::Joined);
        self.message(GREETING, out);
    }

    fn message(&mut self, text: &'static str, out: &mut Vec<Reply>) {
        self.messages += 1;
        out.push(Reply::Message {
            msg_id: self.messages * 2,
            text,
        });
    }

    /// The agent's answer to one client event.
    fn hear(&mut self, said: Said, out: &mut Vec<Reply>) {
        if self.ended {
            return;
        }
        match said {
            Said::Message { asks_form } => {
                out.push(Reply::Typing);
                if asks_form {
                    self.message(FORM_PLEASE, out);
                    self.forms += 1;
                    self.pending_form = Some(self.forms);
                    out.push(Reply::FormShow {
                        form_request_id: self.forms,
                    });
                } else {
                    self.message(THANKS, out);
                }
            }
            Said::FormData { request_id } => {
                out.push(Reply::Typing);
                match self.pending_form {
                    Some(pending) if request_id == Some(pending) => {
                        self.pending_form = None;
                        self.message(FORM_THANKS, out);
                    }
                    _ => self.message(FORM_MISMATCH, out),
                }
            }
            Said::End => {
                self.ended = true;
                out.push(Reply::Left);
                out.push(Reply::Ended);
            }
            Said::Other => {}
        }
    }
}

/// Unix seconds, as real servers send `timestamp`.
fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a message asks for a form.
fn asks_form(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"form"))
}

/// A form id a client echoed: a number, or a string holding one.
fn form_id_of_text(text: &str) -> Option<u64> {
    text.parse().ok()
}

// ---------------------------------------------------------------------------
// chatwire

/// What the agent needs of a decoded client event.
fn said_of(event: &ClientEvent<'_>) -> Said {
    match event {
        ClientEvent::Message { msg, .. } => Said::Message {
            asks_form: match msg.as_str() {
                Some(s) => asks_form(s),
                None => asks_form(&msg.to_cow()),
            },
        },
        ClientEvent::FormData {
            form_request_id, ..
        } => Said::FormData {
            request_id: form_request_id.as_u64().or_else(|| {
                form_request_id
                    .as_text()
                    .and_then(|t| form_id_of_text(&t.to_cow()))
            }),
        },
        ClientEvent::End => Said::End,
        _ => Said::Other,
    }
}

/// Decodes a Send Events body: every event, or every problem.
fn decode_chatwire(body: Bytes, max_event: usize) -> Result<Vec<(Stored, Said)>, Vec<Problem>> {
    let len = body.len();
    let config = stream::Config::new().max_event_len(max_event);
    let mut events = OwnedEvents::with_config(body, Framing::Envelope, config);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut extra_envelope = None;
    while let Some(item) = events.next() {
        if events.envelopes() > 1 && extra_envelope.is_none() {
            extra_envelope = Some(events.offset() as u64);
        }
        match item {
            Ok(event) if bad.is_empty() => {
                let said = said_of(&event.event());
                good.push((Stored::Client(event), said));
            }
            Ok(_) => {}
            Err(e) => {
                good.clear();
                bad.push(problem_of(&e));
            }
        }
    }
    match events.envelopes() {
        1 => {}
        0 => bad.push(Problem {
            index: None,
            offset: len as u64,
            problem: "expected an envelope {\"events\":[...]}".into(),
        }),
        n => bad.push(Problem {
            index: None,
            offset: extra_envelope.unwrap_or(len as u64),
            problem: format!("{n} envelopes in one body; Send Events takes one"),
        }),
    }
    if bad.is_empty() { Ok(good) } else { Err(bad) }
}

fn problem_of(e: &StreamError) -> Problem {
    Problem {
        index: match e.unit() {
            Unit::Element { index, .. } => Some(index),
            _ => None,
        },
        offset: e.offset(),
        problem: e.kind().to_string(),
    }
}

/// The agent's event, written by chatwire's writer.
fn write_chatwire(reply: Reply, timestamp: u64) -> Result<OwnedEvent<Server>, chatwire::Error> {
    let ts = format!("\"{timestamp}\"");
    let ts = Some(Scalar::from_json(&ts)?);
    let agent = format!("\"{AGENT_ID}\"");
    let agent = Id::from_json(&agent)?;
    let event = match reply {
        Reply::Status => ServerEvent::Status {
            state: Text::from_json("\"connected\"")?,
            ewt: None,
            timestamp: ts,
        },
        Reply::Joined => ServerEvent::PartyJoined {
            party_id: agent,
            first_name: Some(Text::from_json("\"Ann\"")?),
            last_name: None,
            display_name: Some(Text::from_json("\"Ann (support)\"")?),
            party_type: Text::from_json("\"internal\"")?,
            timestamp: ts,
        },
        Reply::Typing => ServerEvent::Typing {
            party_id: Some(agent),
        },
        Reply::Message { msg_id, text } => {
            let id = format!("\"{msg_id}\"");
            let text = format!("\"{text}\"");
            let event = ServerEvent::Message {
                msg_id: Id::from_json(&id)?,
                party_id: agent,
                msg: Text::from_json(&text)?,
                channel: None,
                timestamp: ts,
            };
            return Ok(OwnedEvent::from_event(&event));
        }
        Reply::FormShow { form_request_id } => {
            let id = form_request_id.to_string();
            let event = ServerEvent::FormShow {
                form_request_id: Id::from_json(&id)?,
                form_name: Text::from_json(FORM_NAME_JSON)?,
                form_timeout: Some(Scalar::from_json("300")?),
                channel: None,
                timestamp: ts,
            };
            return Ok(OwnedEvent::from_event(&event));
        }
        Reply::Left => ServerEvent::PartyLeft {
            party_id: agent,
            party_type: Some(Text::from_json("\"internal\"")?),
            timestamp: ts,
        },
        Reply::Ended => ServerEvent::Ended,
    };
    Ok(OwnedEvent::from_event(&event))
}

// ---------------------------------------------------------------------------
// serde

#[derive(Deserialize)]
struct Envelope {
    events: Vec<ReferenceEvent>,
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

fn said_of_reference(event: &ReferenceEvent) -> Said {
    match event {
        ReferenceEvent::Message { msg, .. } => Said::Message {
            asks_form: asks_form(msg),
        },
        ReferenceEvent::FormData {
            form_request_id, ..
        } => Said::FormData {
            request_id: match form_request_id {
                RefId::U64(n) => Some(*n),
                RefId::I64(_) => None,
                RefId::Str(s) => form_id_of_text(s),
            },
        },
        ReferenceEvent::End => Said::End,
        _ => Said::Other,
    }
}

/// Decodes a Send Events body with serde_json into the reference model,
/// and serializes each event again to store it.
fn decode_serde(body: &[u8]) -> Result<Vec<(Stored, Said)>, Vec<Problem>> {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(e) => return Err(diagnose_serde(body, &e)),
    };
    let mut good = Vec::with_capacity(envelope.events.len());
    let mut bad = Vec::new();
    for (i, event) in envelope.events.iter().enumerate() {
        match serde_json::to_vec(event) {
            Ok(bytes) => good.push((Stored::Json(Bytes::from(bytes)), said_of_reference(event))),
            Err(e) => bad.push(Problem {
                index: Some(i as u64),
                offset: 0,
                problem: format!("cannot be written again: {e}"),
            }),
        }
    }
    if bad.is_empty() { Ok(good) } else { Err(bad) }
}

/// Names the bad elements of a body serde_json refused: the envelope's own
/// error, or each element's.
fn diagnose_serde(body: &[u8], error: &serde_json::Error) -> Vec<Problem> {
    let envelope: RawEnvelope<'_> = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(e) => {
            return vec![Problem {
                index: None,
                offset: offset_of(body, e.line(), e.column()) as u64,
                problem: e.to_string(),
            }];
        }
    };
    let mut bad = Vec::new();
    for (i, raw) in envelope.events.iter().enumerate() {
        if let Err(e) = serde_json::from_str::<ReferenceEvent>(raw.get()) {
            let start = (raw.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
            let within = offset_of(raw.get().as_bytes(), e.line(), e.column());
            bad.push(Problem {
                index: Some(i as u64),
                offset: (start + within) as u64,
                problem: e.to_string(),
            });
        }
    }
    if bad.is_empty() {
        bad.push(Problem {
            index: None,
            offset: offset_of(body, error.line(), error.column()) as u64,
            problem: error.to_string(),
        });
    }
    bad
}

/// The byte offset of serde_json's line and column (both from 1) in `text`.
fn offset_of(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            Some(at) => start += at + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

/// The agent's event, written by serde_json from the reference model.
fn write_serde(reply: Reply, timestamp: u64) -> Result<Bytes, serde_json::Error> {
    let ts = Some(RefScalar::Str(timestamp.to_string()));
    let agent = || RefId::Str(AGENT_ID.to_owned());
    let event = match reply {
        Reply::Status => ReferenceServerEvent::Status {
            state: "connected".to_owned(),
            ewt: None,
            timestamp: ts,
        },
        Reply::Joined => ReferenceServerEvent::PartyJoined {
            party_id: agent(),
            first_name: Some("Ann".to_owned()),
            last_name: None,
            display_name: Some("Ann (support)".to_owned()),
            party_type: "internal".to_owned(),
            timestamp: ts,
        },
        Reply::Typing => ReferenceServerEvent::Typing {
            party_id: Some(agent()),
        },
        Reply::Message { msg_id, text } => ReferenceServerEvent::Message {
            msg_id: RefId::Str(msg_id.to_string()),
            party_id: agent(),
            msg: text.to_owned(),
            channel: None,
            timestamp: ts,
        },
        Reply::FormShow { form_request_id } => ReferenceServerEvent::FormShow {
            form_request_id: RefId::U64(form_request_id),
            form_name: FORM_NAME.to_owned(),
            form_timeout: serde_json::from_str("300").ok(),
            channel: None,
            timestamp: ts,
        },
        Reply::Left => ReferenceServerEvent::PartyLeft {
            party_id: agent(),
            party_type: Some("internal".to_owned()),
            timestamp: ts,
        },
        Reply::Ended => ReferenceServerEvent::Ended,
    };
    serde_json::to_vec(&event).map(Bytes::from)
}

// ---------------------------------------------------------------------------
// Both

impl App {
    /// Writes the agent's replies with the server's codec and stores them.
    fn say(&self, state: &mut ChatState, replies: &[Reply]) {
        let timestamp = unix_seconds();
        let bound = self.config.history_bytes;
        for &reply in replies {
            let event = match self.config.codec {
                Codec::Chatwire => write_chatwire(reply, timestamp)
                    .map(Stored::Server)
                    .map_err(|e| e.to_string()),
                Codec::Serde => write_serde(reply, timestamp)
                    .map(Stored::Json)
                    .map_err(|e| e.to_string()),
            };
            match event {
                Ok(event) => state.say(event, bound),
                // The agent's own texts and numbers: never.
                Err(e) => eprintln!("chat_server: the agent's {reply:?} was not written: {e}"),
            }
        }
    }

    /// The events in one envelope, written by the server's codec: the
    /// stored bytes as they are.
    fn envelope<'a>(&self, events: impl Iterator<Item = &'a Stored> + Clone) -> Bytes {
        let len: usize = events.clone().map(|e| e.len() + 1).sum::<usize>() + 16;
        let mut writer = EnvelopeWriter::new(BytesMut::with_capacity(len));
        let mut json = Vec::new();
        for event in events {
            match event {
                Stored::Client(e) => writer.push_owned(e),
                Stored::Server(e) => writer.push_owned(e),
                Stored::Json(bytes) => json.push(bytes),
            }
        }
        if json.is_empty() {
            return writer.finish().freeze();
        }
        // serde: the stored JSON texts, joined.
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(br#"{"events":["#);
        for (i, bytes) in json.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(bytes);
        }
        out.extend_from_slice(b"]}");
        Bytes::from(out)
    }
}

// ---------------------------------------------------------------------------
// HTTP

/// The routes, over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/clientweb/api/v1/chats", post(request_chat))
        .route(
            "/clientweb/api/v1/chats/{chat_id}/events",
            post(send_events).get(get_new_events),
        )
        .route("/clientweb/api/v1/chats/{chat_id}/history", get(history))
        .route("/stats", get(stats))
        .fallback(not_found)
        .with_state(app)
}

/// Serves `config`'s chats on `listener` until the process ends, dropping
/// idle chats as they expire.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    let app = App::new(config);
    let sweeper = Arc::downgrade(&app);
    let period = (app.config.idle_expiry / 2).max(Duration::from_millis(10));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            match sweeper.upgrade() {
                Some(app) => {
                    app.sweep();
                }
                None => break,
            }
        }
    });
    axum::serve(listener, router(app)).await
}

fn json_response(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

fn error_response(status: StatusCode, error: &str, message: String) -> Response {
    let body = json!({ "error": error, "message": message });
    json_response(status, serde_json::to_vec(&body).unwrap_or_default())
}

fn unknown_chat(id: &str) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "unknown_chat",
        format!("no chat with id {id:?}"),
    )
}

async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint".to_owned(),
    )
}

async fn stats(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&app.stats_json()).unwrap_or_default(),
    )
}

/// Request Chat: a new chat, greeted by the agent. The request's body
/// (the visitor's details) is not read.
async fn request_chat(State(app): State<Arc<App>>) -> Response {
    let chat = Arc::new(Chat::new(app.now_ms()));
    let id = app.new_chat_id();
    {
        let mut chats = app.chats();
        if chats.len() >= app.config.max_chats {
            let (now, idle) = (app.now_ms(), app.idle_ms());
            let before = chats.len();
            chats.retain(|_, chat| !chat.expired(now, idle));
            let dropped = (before - chats.len()) as u64;
            app.stats
                .chats_expired
                .fetch_add(dropped, Ordering::Relaxed);
        }
        if chats.len() >= app.config.max_chats {
            drop(chats);
            return app.rejected(error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_chats",
                format!(
                    "{} chats are open, the most this server holds",
                    app.config.max_chats
                ),
            ));
        }
        let mut state = chat.lock();
        let mut replies = Vec::new();
        state.agent.greet(&mut replies);
        app.say(&mut state, &replies);
        drop(state);
        chats.insert(id.clone(), chat);
    }
    app.stats.chats_created.fetch_add(1, Ordering::Relaxed);
    let body = json!({ "chat_id": id });
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// Reads a body of at most `limit` bytes; one that arrives in one piece is
/// not copied.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Box<Response>> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(Box::new(error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {limit} bytes"),
        ))),
        Err(e) => Err(Box::new(error_response(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            format!("the body could not be read: {e}"),
        ))),
    }
}

/// Send Events: every event of the envelope is stored, or none.
async fn send_events(
    State(app): State<Arc<App>>,
    Path(chat_id): Path<String>,
    body: Body,
) -> Response {
    let chat = match app.chat(&chat_id) {
        Ok(chat) => chat,
        Err(response) => return app.rejected(*response),
    };
    let body = match read_body(body, app.config.max_body).await {
        Ok(body) => body,
        Err(response) => return app.rejected(*response),
    };
    let body_len = body.len();
    let decoded = match app.config.codec {
        Codec::Chatwire => decode_chatwire(body, app.config.max_body),
        Codec::Serde => decode_serde(&body),
    };
    let events = match decoded {
        Ok(events) => events,
        Err(problems) => return app.rejected(invalid_events(&problems)),
    };
    let count = events.len();
    {
        let mut state = chat.lock();
        if state.agent.ended {
            drop(state);
            return app.rejected(error_response(
                StatusCode::CONFLICT,
                "chat_ended",
                "the chat has ended".to_owned(),
            ));
        }
        let bound = app.config.history_bytes;
        // The body's bytes are charged to its last event: the buffer lives
        // as long as any of its events does, and they leave in order.
        let mut charged = 0;
        let mut replies = Vec::new();
        for (i, (event, said)) in events.into_iter().enumerate() {
            let charge = match app.config.codec {
                Codec::Chatwire if i + 1 == count => body_len.saturating_sub(charged),
                _ => event.len(),
            };
            charged += charge;
            state.record(event, charge, bound);
            state.agent.hear(said, &mut replies);
        }
        app.say(&mut state, &replies);
        if !replies.is_empty() {
            chat.notify.notify_waiters();
        }
    }
    let stats = &app.stats;
    stats.requests_accepted.fetch_add(1, Ordering::Relaxed);
    stats
        .events_accepted
        .fetch_add(count as u64, Ordering::Relaxed);
    stats
        .bytes_accepted
        .fetch_add(body_len as u64, Ordering::Relaxed);
    json_response(StatusCode::OK, Bytes::from_static(EMPTY_ENVELOPE))
}

/// The 400 answer to an envelope with bad events.
fn invalid_events(problems: &[Problem]) -> Response {
    let errors: Vec<_> = problems
        .iter()
        .take(MAX_PROBLEMS)
        .map(|p| json!({ "index": p.index, "offset": p.offset, "problem": p.problem }))
        .collect();
    let body = json!({
        "error": "invalid_events",
        "message": format!(
            "{} bad element(s) in the envelope; nothing of this request was stored",
            problems.len()
        ),
        "errors": errors,
        "errors_total": problems.len(),
    });
    json_response(
        StatusCode::BAD_REQUEST,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// Marks a chat's long poll over when the request ends, answered or not.
struct PollGuard<'a> {
    chat: &'a Chat,
    app: &'a App,
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.chat
            .last_active
            .store(self.app.now_ms(), Ordering::Relaxed);
        self.chat.polling.store(false, Ordering::Release);
        self.app.stats.polls_waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Get New Chat Events: the agent's events not delivered yet, waiting up
/// to the configured time for some.
async fn get_new_events(State(app): State<Arc<App>>, Path(chat_id): Path<String>) -> Response {
    let chat = match app.chat(&chat_id) {
        Ok(chat) => chat,
        Err(response) => return app.rejected(*response),
    };
    if chat.polling.swap(true, Ordering::AcqRel) {
        return app.rejected(error_response(
            StatusCode::BAD_REQUEST,
            "poll_in_progress",
            "another Get New Chat Events request is waiting on this chat".to_owned(),
        ));
    }
    app.stats.polls_waiting.fetch_add(1, Ordering::Relaxed);
    let _guard = PollGuard {
        chat: &chat,
        app: &app,
    };
    let deadline = tokio::time::Instant::now() + app.config.poll_wait;
    loop {
        // Registered before the check, so an event added after it wakes us.
        let mut notified = std::pin::pin!(chat.notify.notified());
        notified.as_mut().enable();
        {
            let mut state = chat.lock();
            if !state.outbox.is_empty() || state.agent.ended {
                let events: Vec<Stored> = state.outbox.drain(..).collect();
                state.outbox_charge = 0;
                drop(state);
                return json_response(StatusCode::OK, app.envelope(events.iter()));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return json_response(StatusCode::OK, Bytes::from_static(EMPTY_ENVELOPE));
        }
    }
}

/// Get Chat History: every event of the chat still held, both directions,
/// in order.
async fn history(State(app): State<Arc<App>>, Path(chat_id): Path<String>) -> Response {
    let chat = match app.chat(&chat_id) {
        Ok(chat) => chat,
        Err(response) => return app.rejected(*response),
    };
    let state = chat.lock();
    let body = app.envelope(state.history.iter().map(|entry| &entry.event));
    drop(state);
    json_response(StatusCode::OK, body)
}
