//! What a careful user would write with serde, to measure chatwire against:
//! an owned internally tagged enum, and one that borrows with `Cow`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An id as serde would read it: a string or an integer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OwnedId {
    Str(String),
    U64(u64),
    I64(i64),
}

/// `#[serde(tag = "event")]` over owned `String`s and `serde_json::Value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum OwnedEvent {
    #[serde(rename = "chat_session_message")]
    Message { msg_id: OwnedId, msg: String },
    #[serde(rename = "chat_session_typing")]
    Typing,
    #[serde(rename = "chat_session_not_typing")]
    NotTyping,
    #[serde(rename = "chat_session_form_data")]
    FormData {
        form_request_id: OwnedId,
        form_name: String,
        data: BTreeMap<String, serde_json::Value>,
    },
    #[serde(rename = "chat_session_end")]
    End,
    #[serde(rename = "chat_session_disconnect")]
    Disconnect,
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        msg_id: OwnedId,
        destination_party_id: OwnedId,
        data: serde_json::Value,
    },
    #[serde(rename = "chat_session_file")]
    File {
        msg_id: OwnedId,
        file_type: String,
        file_id: OwnedId,
    },
    #[serde(other)]
    Unknown,
}

/// An id that borrows when it can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CowId<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    U64(u64),
    I64(i64),
}

/// The same enum borrowing its strings with `Cow` where serde can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum CowEvent<'a> {
    #[serde(rename = "chat_session_message")]
    Message {
        #[serde(borrow)]
        msg_id: CowId<'a>,
        #[serde(borrow)]
        msg: Cow<'a, str>,
    },
    #[serde(rename = "chat_session_typing")]
    Typing,
    #[serde(rename = "chat_session_not_typing")]
    NotTyping,
    #[serde(rename = "chat_session_form_data")]
    FormData {
        #[serde(borrow)]
        form_request_id: CowId<'a>,
        #[serde(borrow)]
        form_name: Cow<'a, str>,
        data: BTreeMap<String, serde_json::Value>,
    },
    #[serde(rename = "chat_session_end")]
    End,
    #[serde(rename = "chat_session_disconnect")]
    Disconnect,
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        #[serde(borrow)]
        msg_id: CowId<'a>,
        #[serde(borrow)]
        destination_party_id: CowId<'a>,
        data: serde_json::Value,
    },
    #[serde(rename = "chat_session_file")]
    File {
        #[serde(borrow)]
        msg_id: CowId<'a>,
        #[serde(borrow)]
        file_type: Cow<'a, str>,
        #[serde(borrow)]
        file_id: CowId<'a>,
    },
    #[serde(other)]
    Unknown,
}

/// The API envelope with owned events.
#[derive(Debug, Deserialize)]
pub struct OwnedEnvelope {
    pub events: Vec<OwnedEvent>,
}

/// The API envelope with borrowing events.
#[derive(Debug, Deserialize)]
pub struct CowEnvelope<'a> {
    #[serde(borrow)]
    pub events: Vec<CowEvent<'a>>,
}
