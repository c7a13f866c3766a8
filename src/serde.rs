//! The reference model: owned events with serde derives, the oracle that
//! chatwire is proven equivalent to (feature `serde`).
//!
//! [`ReferenceEvent`] is what a careful user would write with serde: an enum
//! internally tagged on `"event"`, one variant per event, the spec's fields
//! in the spec's order. It differs from a plain derive only where chatwire
//! deliberately does, and each difference is written here, in one place:
//!
//! - **Ids** are a string or an integer ([`RefId`], untagged), and keep which.
//! - **Raw JSON** (signaling `data`, form `data`, an unknown event) is kept as
//!   compact JSON text ([`RefJson`]) and written back as it came, less
//!   whitespace; two raw values are equal when serde_json reads them as equal
//!   `Value`s. A plain `serde_json::Value` field would re-serialize with
//!   sorted keys and re-formatted numbers.
//! - **Unknown event names** are accepted as [`ReferenceEvent::Unknown`],
//!   holding the name and the whole event, instead of failing.
//! - **Only objects** are events. serde's internally tagged enums also accept
//!   an array `["chat_session_typing"]`; chatwire does not, nor does this model.
//! - **`file_type` is a string.** A derived enum also accepts serde's map
//!   form of a unit variant, `{"image":null}`; chatwire does not, nor does
//!   this model.
//!
//! With the derive's own rules otherwise: unknown fields are ignored, a
//! repeated `"event"` key or a repeated field of the event is an error, and
//! every value in the object must be JSON that serde_json can read into a
//! `Value` (numbers within `f64` range, surrogates paired, nesting at most
//! 127 deep).

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::event::{ClientEvent, EventKind, FileType};
use crate::raw::{FormFields, Raw, ValueKind};
use crate::text::{Id, IdValue, Text};

/// An id in the reference model: a string or an integer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RefId {
    /// A JSON string.
    Str(String),
    /// A non-negative JSON integer.
    U64(u64),
    /// A negative JSON integer.
    I64(i64),
}

/// JSON text kept compact; equal to another when serde_json reads both as
/// equal `Value`s.
///
/// It keeps the `Value` serde_json read as well as the text: serde_json's
/// default float parsing is not correctly rounded, so printing a float and
/// reading it back may give a neighbouring `f64`, and values are compared as
/// first read.
#[derive(Clone)]
pub struct RefJson {
    raw: Box<RawValue>,
    value: serde_json::Value,
}

impl RefJson {
    /// Validated JSON text, compacted (whitespace outside strings dropped;
    /// nothing else changes).
    pub fn new(json: &str) -> Result<RefJson, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        // serde_json validated it; drop the whitespace outside strings.
        let compact =
            Raw::from_lexed(json.trim_matches(crate::scan::is_ws_char), false).to_string();
        Ok(RefJson {
            raw: RawValue::from_string(compact)?,
            value,
        })
    }

    /// The compact JSON text.
    pub fn get(&self) -> &str {
        self.raw.get()
    }

    /// The value serde_json read.
    pub fn value(&self) -> &serde_json::Value {
        &self.value
    }
}

impl PartialEq for RefJson {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl fmt::Debug for RefJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RefJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RefJson {
    /// Reads any value (through serde's buffered content, as an internally
    /// tagged enum must) and keeps serde_json's compact rendering of it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = serde_json::to_string(&value).map_err(D::Error::custom)?;
        let raw = RawValue::from_string(text).map_err(D::Error::custom)?;
        Ok(RefJson { raw, value })
    }
}

/// Form `data` in the reference model: a JSON object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RefForm(pub RefJson);

impl<'de> Deserialize<'de> for RefForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = RefJson::deserialize(deserializer)?;
        if !json.value().is_object() {
            return Err(D::Error::invalid_type(
                serde::de::Unexpected::Other("a non-object"),
                &"a JSON object",
            ));
        }
        Ok(RefForm(json))
    }
}

/// `file_type` in the reference model: the string `"image"` or
/// `"attachment"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefFileType {
    /// `"image"`
    Image,
    /// `"attachment"`
    Attachment,
}

impl<'de> Deserialize<'de> for RefFileType {
    /// Only from a string: a derived enum would also take serde's map form
    /// of a unit variant, `{"image":null}`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = alloc::borrow::Cow::<str>::deserialize(deserializer)?;
        match &*name {
            "image" => Ok(RefFileType::Image),
            "attachment" => Ok(RefFileType::Attachment),
            other => Err(D::Error::unknown_variant(other, &["image", "attachment"])),
        }
    }
}

/// A client event in the reference model: owned, serde-derived.
///
/// Use it with serde_json: `serde_json::from_slice::<ReferenceEvent>` and
/// `serde_json::to_vec`. (Raw JSON fields serialize through serde_json's
/// `RawValue`, which other serializers do not understand.)
///
/// ```
/// use chatwire::reference::ReferenceEvent;
///
/// let input = br#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello"}"#;
/// let oracle: ReferenceEvent = serde_json::from_slice(input).unwrap();
/// let event = chatwire::from_slice(input).unwrap();
/// assert_eq!(ReferenceEvent::from(&event), oracle);
/// assert_eq!(event.to_vec(), serde_json::to_vec(&oracle).unwrap());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "event")]
pub enum ReferenceEvent {
    /// `chat_session_message`
    #[serde(rename = "chat_session_message")]
    Message {
        /// The message id.
        msg_id: RefId,
        /// The text.
        msg: String,
    },
    /// `chat_session_typing`
    #[serde(rename = "chat_session_typing")]
    Typing,
    /// `chat_session_not_typing`
    #[serde(rename = "chat_session_not_typing")]
    NotTyping,
    /// `chat_session_form_data`
    #[serde(rename = "chat_session_form_data")]
    FormData {
        /// The form request's id.
        form_request_id: RefId,
        /// The form's name.
        form_name: String,
        /// The form's fields.
        data: RefForm,
    },
    /// `chat_session_end`
    #[serde(rename = "chat_session_end")]
    End,
    /// `chat_session_disconnect`
    #[serde(rename = "chat_session_disconnect")]
    Disconnect,
    /// `chat_session_signaling`
    #[serde(rename = "chat_session_signaling")]
    Signaling {
        /// The message id.
        msg_id: RefId,
        /// The agent's party id.
        destination_party_id: RefId,
        /// The payload.
        data: RefJson,
    },
    /// `chat_session_file`
    #[serde(rename = "chat_session_file")]
    File {
        /// The message id.
        msg_id: RefId,
        /// `image` or `attachment`.
        file_type: RefFileType,
        /// The upload's id.
        file_id: RefId,
    },
    /// An event name chatwire does not know, with the whole event.
    #[serde(skip)]
    Unknown {
        /// The `"event"` value.
        name: String,
        /// The whole event.
        raw: RefJson,
    },
}

/// The `"event"` key alone, with the derive's rules for it: present once,
/// a string.
#[derive(Deserialize)]
struct Tag {
    event: String,
}

impl<'de> Deserialize<'de> for ReferenceEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let json = raw.get();
        if !json.starts_with('{') {
            return Err(D::Error::invalid_type(
                serde::de::Unexpected::Other("a non-object"),
                &"an event object",
            ));
        }
        let tag: Tag = serde_json::from_str(json).map_err(D::Error::custom)?;
        if EventKind::from_name(&tag.event).is_some() {
            let mut de = serde_json::Deserializer::from_str(json);
            ReferenceEvent::deserialize(&mut de).map_err(D::Error::custom)
        } else {
            let raw = RefJson::new(json).map_err(D::Error::custom)?;
            Ok(ReferenceEvent::Unknown {
                name: tag.event,
                raw,
            })
        }
    }
}

impl Serialize for ReferenceEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReferenceEvent::Unknown { raw, .. } => raw.serialize(serializer),
            _ => ReferenceEvent::serialize(self, serializer),
        }
    }
}

impl ReferenceEvent {
    /// Writes the event with serde_json into `buf` and decodes it back as a
    /// borrowed [`ClientEvent`].
    ///
    /// ```
    /// use chatwire::reference::{RefId, ReferenceEvent};
    /// let owned = ReferenceEvent::Message { msg_id: RefId::U64(7), msg: "a \"quote\"".into() };
    /// let mut buf = Vec::new();
    /// let event = owned.to_client_event(&mut buf).unwrap();
    /// assert_eq!(ReferenceEvent::from(&event), owned);
    /// ```
    pub fn to_client_event<'b>(
        &self,
        buf: &'b mut Vec<u8>,
    ) -> Result<ClientEvent<'b>, crate::Error> {
        // Serializing owned strings and validated raw JSON cannot fail; an
        // empty buffer would be reported by the decoder.
        *buf = serde_json::to_vec(self).unwrap_or_default();
        crate::from_slice(buf)
    }
}

fn ref_text(text: &Text<'_>) -> String {
    text.to_cow().into_owned()
}

fn ref_id(id: &Id<'_>) -> RefId {
    match id.value() {
        IdValue::Str(text) => RefId::Str(ref_text(&text)),
        IdValue::Int(digits) => match digits.parse::<u64>() {
            Ok(n) => RefId::U64(n),
            Err(_) => RefId::I64(digits.parse().unwrap_or_default()),
        },
    }
}

fn ref_json(raw: &Raw<'_>) -> RefJson {
    let compact = raw.to_string();
    // `raw` was validated as serde_json reads it, so both reads succeed.
    let value = serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
    let raw = RawValue::from_string(compact).unwrap_or_else(|_| {
        RawValue::from_string("null".to_owned()).unwrap_or_else(|_| unreachable!())
    });
    RefJson { raw, value }
}

impl From<&ClientEvent<'_>> for ReferenceEvent {
    fn from(event: &ClientEvent<'_>) -> ReferenceEvent {
        match event {
            ClientEvent::Message { msg_id, msg } => ReferenceEvent::Message {
                msg_id: ref_id(msg_id),
                msg: ref_text(msg),
            },
            ClientEvent::Typing => ReferenceEvent::Typing,
            ClientEvent::NotTyping => ReferenceEvent::NotTyping,
            ClientEvent::FormData {
                form_request_id,
                form_name,
                data,
            } => ReferenceEvent::FormData {
                form_request_id: ref_id(form_request_id),
                form_name: ref_text(form_name),
                data: RefForm(ref_json(&data.raw())),
            },
            ClientEvent::End => ReferenceEvent::End,
            ClientEvent::Disconnect => ReferenceEvent::Disconnect,
            ClientEvent::Signaling {
                msg_id,
                destination_party_id,
                data,
            } => ReferenceEvent::Signaling {
                msg_id: ref_id(msg_id),
                destination_party_id: ref_id(destination_party_id),
                data: ref_json(data),
            },
            ClientEvent::File {
                msg_id,
                file_type,
                file_id,
            } => ReferenceEvent::File {
                msg_id: ref_id(msg_id),
                file_type: match file_type {
                    FileType::Image => RefFileType::Image,
                    FileType::Attachment => RefFileType::Attachment,
                },
                file_id: ref_id(file_id),
            },
            ClientEvent::Unknown { name, raw } => ReferenceEvent::Unknown {
                name: ref_text(name),
                raw: ref_json(raw),
            },
        }
    }
}

impl From<ClientEvent<'_>> for ReferenceEvent {
    fn from(event: ClientEvent<'_>) -> ReferenceEvent {
        ReferenceEvent::from(&event)
    }
}

/// Serializes as the unescaped string.
impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(s) => serializer.serialize_str(s),
            None => serializer.serialize_str(&self.to_cow()),
        }
    }
}

/// Serializes a string id as a string and an integer id as an integer.
impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value() {
            IdValue::Str(text) => text.serialize(serializer),
            IdValue::Int(digits) => match digits.parse::<u64>() {
                Ok(n) => serializer.serialize_u64(n),
                Err(_) => serializer.serialize_i64(digits.parse().map_err(S::Error::custom)?),
            },
        }
    }
}

/// Serializes the value's structure: objects as maps (keys in input order,
/// repeats included), arrays as sequences, integers that fit as `u64` or
/// `i64`, other numbers as `f64`.
impl Serialize for Raw<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.kind() {
            ValueKind::Object => {
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in self.entries().into_iter().flatten() {
                    map.serialize_entry(&key, &value)?;
                }
                map.end()
            }
            ValueKind::Array => {
                let mut seq = serializer.serialize_seq(None)?;
                for value in self.elements().into_iter().flatten() {
                    seq.serialize_element(&value)?;
                }
                seq.end()
            }
            ValueKind::String => match self.as_text() {
                Some(text) => text.serialize(serializer),
                None => serializer.serialize_unit(),
            },
            ValueKind::Bool => serializer.serialize_bool(self.get() == "true"),
            ValueKind::Null => serializer.serialize_unit(),
            ValueKind::Number => {
                let n = self.get();
                if let Ok(u) = n.parse::<u64>() {
                    serializer.serialize_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    serializer.serialize_i64(i)
                } else {
                    serializer.serialize_f64(n.parse().map_err(S::Error::custom)?)
                }
            }
        }
    }
}

/// Serializes as the object it holds.
impl Serialize for FormFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

/// Serializes with the reference model's shape (internally tagged on
/// `"event"`, the spec's field order; an unknown event as its raw object).
///
/// Raw values (signaling and form `data`, unknown events) go through the
/// serializer as maps, sequences, strings and numbers, so their strings are
/// escaped and their numbers formatted the serializer's way; the writer
/// ([`ClientEvent::write_to_vec`]) keeps them as they came. With serde_json
/// both read back as the same value.
///
/// ```
/// let event = chatwire::from_slice(br#"{"msg":"hi","event":"chat_session_message","msg_id":1}"#).unwrap();
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     r#"{"event":"chat_session_message","msg_id":1,"msg":"hi"}"#,
/// );
/// ```
impl Serialize for ClientEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = self.kind();
        if let ClientEvent::Unknown { raw, .. } = self {
            return raw.serialize(serializer);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("event", kind.name())?;
        match self {
            ClientEvent::Message { msg_id, msg } => {
                map.serialize_entry("msg_id", msg_id)?;
                map.serialize_entry("msg", msg)?;
            }
            ClientEvent::FormData {
                form_request_id,
                form_name,
                data,
            } => {
                map.serialize_entry("form_request_id", form_request_id)?;
                map.serialize_entry("form_name", form_name)?;
                map.serialize_entry("data", data)?;
            }
            ClientEvent::Signaling {
                msg_id,
                destination_party_id,
                data,
            } => {
                map.serialize_entry("msg_id", msg_id)?;
                map.serialize_entry("destination_party_id", destination_party_id)?;
                map.serialize_entry("data", data)?;
            }
            ClientEvent::File {
                msg_id,
                file_type,
                file_id,
            } => {
                map.serialize_entry("msg_id", msg_id)?;
                map.serialize_entry("file_type", file_type.name())?;
                map.serialize_entry("file_id", file_id)?;
            }
            _ => {}
        }
        map.end()
    }
}
