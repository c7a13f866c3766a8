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

use crate::event::FileType;
use crate::protocol::{ClientEvent, ServerEvent};
use crate::raw::{FormFields, Raw, ValueKind};
use crate::text::{Id, IdValue, Scalar, ScalarValue, Text};

pub use crate::protocol::{ReferenceEvent, ReferenceServerEvent};

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

/// Whether a reference value is an absent optional field, which serde
/// does not write (`skip_serializing_if`).
pub trait Absent {
    /// `true` for `None`.
    fn absent(&self) -> bool {
        false
    }
}

impl Absent for String {}
impl Absent for RefId {}
impl Absent for RefScalar {}
impl Absent for RefJson {}
impl Absent for RefForm {}
impl Absent for RefFileType {}
impl Absent for Text<'_> {}
impl Absent for Id<'_> {}
impl Absent for Scalar<'_> {}
impl Absent for Raw<'_> {}
impl Absent for FormFields<'_> {}
impl Absent for FileType {}
impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

/// Whether `value` is an absent optional field.
pub fn absent<T: Absent>(value: &T) -> bool {
    value.absent()
}

/// A string or a number, as the reference model holds a `Scalar` field
/// (`timestamp`, `latitude`, ...): the number's spelling is kept for
/// writing, and two numbers are equal when serde_json reads them as equal.
#[derive(Clone, Debug, PartialEq)]
pub enum RefScalar {
    /// A JSON string.
    Str(String),
    /// A JSON number.
    Num(RefJson),
}

impl Serialize for RefScalar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RefScalar::Str(s) => serializer.serialize_str(s),
            RefScalar::Num(n) => n.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RefScalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Ok(RefScalar::Str(s)),
            value @ serde_json::Value::Number(_) => {
                let text = serde_json::to_string(&value).map_err(D::Error::custom)?;
                let raw = RawValue::from_string(text).map_err(D::Error::custom)?;
                Ok(RefScalar::Num(RefJson { raw, value }))
            }
            _ => Err(D::Error::invalid_type(
                serde::de::Unexpected::Other("a value other than a string or a number"),
                &"a string or a number",
            )),
        }
    }
}

/// A borrowed field value's reference-model form.
pub trait ToReference {
    /// The owned form.
    type Reference;
    /// Converts.
    fn to_reference(&self) -> Self::Reference;
}

impl ToReference for Text<'_> {
    type Reference = String;
    fn to_reference(&self) -> String {
        self.to_cow().into_owned()
    }
}

impl ToReference for Id<'_> {
    type Reference = RefId;
    fn to_reference(&self) -> RefId {
        match self.value() {
            IdValue::Str(text) => RefId::Str(text.to_reference()),
            IdValue::Int(digits) => match digits.parse::<u64>() {
                Ok(n) => RefId::U64(n),
                Err(_) => RefId::I64(digits.parse().unwrap_or_default()),
            },
        }
    }
}

impl ToReference for Scalar<'_> {
    type Reference = RefScalar;
    fn to_reference(&self) -> RefScalar {
        match self.value() {
            ScalarValue::Str(text) => RefScalar::Str(text.to_reference()),
            ScalarValue::Num(digits) => RefScalar::Num(ref_json(digits, digits)),
        }
    }
}

impl ToReference for Raw<'_> {
    type Reference = RefJson;
    fn to_reference(&self) -> RefJson {
        ref_json(&self.to_string(), self.get())
    }
}

impl ToReference for FormFields<'_> {
    type Reference = RefForm;
    fn to_reference(&self) -> RefForm {
        RefForm(self.raw().to_reference())
    }
}

impl ToReference for FileType {
    type Reference = RefFileType;
    fn to_reference(&self) -> RefFileType {
        match self {
            FileType::Image => RefFileType::Image,
            FileType::Attachment => RefFileType::Attachment,
        }
    }
}

impl<T: ToReference> ToReference for Option<T> {
    type Reference = Option<T::Reference>;
    fn to_reference(&self) -> Self::Reference {
        self.as_ref().map(T::to_reference)
    }
}

/// A `RefJson` from compact text and the JSON it was made from (both
/// validated as serde_json reads them, so both reads succeed).
fn ref_json(compact: &str, json: &str) -> RefJson {
    let value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    let raw = RawValue::from_string(compact.to_owned()).unwrap_or_else(|_| {
        RawValue::from_string("null".to_owned()).unwrap_or_else(|_| unreachable!())
    });
    RefJson { raw, value }
}

#[derive(Deserialize)]
struct Tag {
    event: String,
}

/// The reference models' `Deserialize`: objects only; a known name through
/// the derived model (`known`), another kept whole.
pub(crate) fn deserialize_tagged<'de, D, T>(
    deserializer: D,
    is_known: impl Fn(&str) -> bool,
    known: impl FnOnce(&str) -> Result<T, serde_json::Error>,
    unknown: impl FnOnce(String, RefJson) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    let json = raw.get();
    if !json.starts_with('{') {
        return Err(D::Error::invalid_type(
            serde::de::Unexpected::Other("a non-object"),
            &"an event object",
        ));
    }
    let tag: Tag = serde_json::from_str(json).map_err(D::Error::custom)?;
    if is_known(&tag.event) {
        known(json).map_err(D::Error::custom)
    } else {
        let raw = RefJson::new(json).map_err(D::Error::custom)?;
        Ok(unknown(tag.event, raw))
    }
}

impl ReferenceEvent {
    /// Writes the event with serde_json into `buf` and decodes it back as a
    /// borrowed [`ClientEvent`].
    ///
    /// ```
    /// use chatwire::reference::{RefId, ReferenceEvent};
    /// let owned = ReferenceEvent::Message {
    ///     msg_id: RefId::U64(7),
    ///     msg: "a \"quote\"".into(),
    ///     channel: None,
    /// };
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

impl ReferenceServerEvent {
    /// Writes the event with serde_json into `buf` and decodes it back as a
    /// borrowed [`ServerEvent`].
    pub fn to_server_event<'b>(
        &self,
        buf: &'b mut Vec<u8>,
    ) -> Result<ServerEvent<'b>, crate::Error> {
        *buf = serde_json::to_vec(self).unwrap_or_default();
        ServerEvent::from_slice(buf)
    }
}

/// Serializes as the string it holds or the number as it came.
impl Serialize for Scalar<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value() {
            ScalarValue::Str(text) => text.serialize(serializer),
            ScalarValue::Num(digits) => Raw::from_lexed(digits, true).serialize(serializer),
        }
    }
}

/// Serializes as its name, `"image"` or `"attachment"`.
impl Serialize for FileType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
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
