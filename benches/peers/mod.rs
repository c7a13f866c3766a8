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

/// A string or a number, as a careful user reads `timestamp`, `ewt`,
/// `form_timeout` and the like: untagged, keeping which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OwnedScalar {
    Str(String),
    U64(u64),
    I64(i64),
    F64(f64),
}

/// Server events as a careful user would derive them: internally tagged on
/// `"event"`, owned, every field a server may leave out an `Option`
/// (skipped when writing, as the servers do), ids and timestamps untagged
/// string-or-number types, signaling `data` a `serde_json::Value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum OwnedServerEvent {
    #[serde(rename = "chat_session_status")]
    Status {
        state: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ewt: Option<OwnedScalar>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_ended")]
    Ended,
    #[serde(rename = "chat_session_party_joined")]
    PartyJoined {
        party_id: OwnedId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        #[serde(rename = "type")]
        party_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_party_left")]
    PartyLeft {
        party_id: OwnedId,
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        party_type: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_message")]
    Message {
        msg_id: OwnedId,
        party_id: OwnedId,
        msg: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_typing")]
    Typing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
    },
    #[serde(rename = "chat_session_not_typing")]
    NotTyping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
    },
    #[serde(rename = "chat_session_form_show")]
    FormShow {
        form_request_id: OwnedId,
        form_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        form_timeout: Option<OwnedScalar>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_file")]
    File {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
        msg_id: OwnedId,
        file_id: OwnedId,
        file_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg_id: Option<OwnedId>,
        data: serde_json::Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_timeout_warning")]
    TimeoutWarning {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_inactivity_timeout")]
    InactivityTimeout {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_message_delivered")]
    MessageDelivered {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ref_msg_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_message_read")]
    MessageRead {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ref_msg_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(rename = "chat_session_case_set")]
    CaseSet {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_id: Option<OwnedId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<OwnedScalar>,
    },
    #[serde(other)]
    Unknown,
}

/// A string or a number that borrows its string when it can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CowScalar<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    U64(u64),
    I64(i64),
    F64(f64),
}

/// The server enum borrowing its strings with `Cow` where serde can (the
/// internally tagged enum buffers its content first, which is where the
/// borrowing mostly stops).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum CowServerEvent<'a> {
    #[serde(rename = "chat_session_status")]
    Status {
        #[serde(borrow)]
        state: Cow<'a, str>,
        #[serde(borrow, default)]
        ewt: Option<CowScalar<'a>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_ended")]
    Ended,
    #[serde(rename = "chat_session_party_joined")]
    PartyJoined {
        #[serde(borrow)]
        party_id: CowId<'a>,
        #[serde(borrow, default)]
        first_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        last_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        display_name: Option<Cow<'a, str>>,
        #[serde(borrow, rename = "type")]
        party_type: Cow<'a, str>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_party_left")]
    PartyLeft {
        #[serde(borrow)]
        party_id: CowId<'a>,
        #[serde(borrow, rename = "type", default)]
        party_type: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_message")]
    Message {
        #[serde(borrow)]
        msg_id: CowId<'a>,
        #[serde(borrow)]
        party_id: CowId<'a>,
        #[serde(borrow)]
        msg: Cow<'a, str>,
        #[serde(borrow, default)]
        channel: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_typing")]
    Typing {
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
    },
    #[serde(rename = "chat_session_not_typing")]
    NotTyping {
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
    },
    #[serde(rename = "chat_session_form_show")]
    FormShow {
        #[serde(borrow)]
        form_request_id: CowId<'a>,
        #[serde(borrow)]
        form_name: Cow<'a, str>,
        #[serde(borrow, default)]
        form_timeout: Option<CowScalar<'a>>,
        #[serde(borrow, default)]
        channel: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_file")]
    File {
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
        #[serde(borrow)]
        msg_id: CowId<'a>,
        #[serde(borrow)]
        file_id: CowId<'a>,
        #[serde(borrow)]
        file_type: Cow<'a, str>,
        #[serde(borrow, default)]
        file_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        msg_id: Option<CowId<'a>>,
        data: serde_json::Value,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_timeout_warning")]
    TimeoutWarning {
        #[serde(borrow, default)]
        msg: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_inactivity_timeout")]
    InactivityTimeout {
        #[serde(borrow, default)]
        msg: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_message_delivered")]
    MessageDelivered {
        #[serde(borrow, default)]
        msg_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        ref_msg_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_message_read")]
    MessageRead {
        #[serde(borrow, default)]
        msg_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        ref_msg_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        party_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(rename = "chat_session_case_set")]
    CaseSet {
        #[serde(borrow, default)]
        case_id: Option<CowId<'a>>,
        #[serde(borrow, default)]
        timestamp: Option<CowScalar<'a>>,
    },
    #[serde(other)]
    Unknown,
}
