//! Shared fixtures: valid client events of every shape the spec and the
//! field produce, each with the fields it must decode to, written by hand.
//!
//! Each integration test file that needs them declares `mod common;`; not
//! every file uses every helper.
#![allow(dead_code)]

use chatwire::workload::{self, Workload};
use chatwire::{ClientEvent, EventKind, FileType, Id, IdValue, Raw, Text, ValueKind};

/// The seed of every workload the tests generate.
pub const SEED: u64 = 0x00C0_FFEE;

/// An id as the event must decode it.
#[derive(Clone, Debug)]
pub enum WantId {
    /// A JSON string, unescaped.
    Str(String),
    /// A JSON integer.
    Int(i128),
}

/// The decoded event, written by hand.
#[derive(Clone, Debug)]
pub enum Want {
    Message {
        msg_id: WantId,
        msg: String,
    },
    Typing,
    NotTyping,
    FormData {
        form_request_id: WantId,
        form_name: String,
        /// Each entry in input order: the unescaped key and the value's
        /// compact JSON text.
        data: Vec<(String, String)>,
    },
    End,
    Disconnect,
    Signaling {
        msg_id: WantId,
        destination_party_id: WantId,
        /// The value's compact JSON text (escapes kept as written).
        data: String,
    },
    File {
        msg_id: WantId,
        file_type: FileType,
        file_id: WantId,
    },
    /// The raw value is the whole input object, less surrounding whitespace.
    Unknown {
        name: String,
    },
}

/// A valid event and what it decodes to.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: &'static str,
    pub json: Vec<u8>,
    pub want: Want,
}

impl Fixture {
    /// The input as text (every fixture is UTF-8).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.json).expect("fixtures are UTF-8")
    }

    /// The length of the input up to and including the event's closing
    /// brace (trailing whitespace left out).
    pub fn end(&self) -> usize {
        self.text().trim_end_matches([' ', '\t', '\n', '\r']).len()
    }

    /// The event object, without the whitespace around it.
    pub fn object(&self) -> &str {
        self.text().trim_matches([' ', '\t', '\n', '\r'])
    }

    /// Whether some raw value of the event holds a number that serde_json
    /// reads as a float (anything but an integer that fits `i64` or `u64`).
    pub fn raw_holds_float(&self) -> bool {
        let value: serde_json::Value = serde_json::from_slice(&self.json).expect("valid JSON");
        let raw_part = match &self.want {
            Want::Unknown { .. } => Some(&value),
            Want::Signaling { .. } | Want::FormData { .. } => value.get("data"),
            _ => None,
        };
        raw_part.is_some_and(holds_float)
    }
}

fn holds_float(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(items) => items.iter().any(holds_float),
        serde_json::Value::Object(map) => map.values().any(holds_float),
        _ => false,
    }
}

pub fn s(text: &str) -> WantId {
    WantId::Str(text.to_owned())
}

pub fn int(n: i128) -> WantId {
    WantId::Int(n)
}

fn fx(name: &'static str, json: impl Into<Vec<u8>>, want: Want) -> Fixture {
    Fixture {
        name,
        json: json.into(),
        want,
    }
}

fn message(msg_id: WantId, msg: &str) -> Want {
    Want::Message {
        msg_id,
        msg: msg.to_owned(),
    }
}

fn form(form_request_id: WantId, form_name: &str, data: &[(&str, &str)]) -> Want {
    Want::FormData {
        form_request_id,
        form_name: form_name.to_owned(),
        data: data
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    }
}

fn signaling(msg_id: WantId, destination_party_id: WantId, data: &str) -> Want {
    Want::Signaling {
        msg_id,
        destination_party_id,
        data: data.to_owned(),
    }
}

fn file(msg_id: WantId, file_type: FileType, file_id: WantId) -> Want {
    Want::File {
        msg_id,
        file_type,
        file_id,
    }
}

fn unknown(name: &str) -> Want {
    Want::Unknown {
        name: name.to_owned(),
    }
}

/// The eight examples of the spec, verbatim, one per event.
pub fn spec_examples() -> Vec<Fixture> {
    vec![
        fx(
            "spec message",
            r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello, I need help with my order"}"#,
            message(s("4f1c2a:7"), "Hello, I need help with my order"),
        ),
        fx(
            "spec typing",
            r#"{"event":"chat_session_typing"}"#,
            Want::Typing,
        ),
        fx(
            "spec not typing",
            r#"{"event":"chat_session_not_typing"}"#,
            Want::NotTyping,
        ),
        fx(
            "spec form data",
            r#"{"event":"chat_session_form_data","form_request_id":"12","form_name":"survey","data":{"param1":"value1"}}"#,
            form(s("12"), "survey", &[("param1", r#""value1""#)]),
        ),
        fx("spec end", r#"{"event":"chat_session_end"}"#, Want::End),
        fx(
            "spec disconnect",
            r#"{"event":"chat_session_disconnect"}"#,
            Want::Disconnect,
        ),
        fx(
            "spec signaling",
            r#"{"event":"chat_session_signaling","msg_id":"4f1c2a:8","destination_party_id":"agent-31","data":"<signaling message>"}"#,
            signaling(s("4f1c2a:8"), s("agent-31"), r#""<signaling message>""#),
        ),
        fx(
            "spec file",
            r#"{"event":"chat_session_file","msg_id":"4f1c2a:9","file_type":"image","file_id":"f-5521"}"#,
            file(s("4f1c2a:9"), FileType::Image, s("f-5521")),
        ),
    ]
}

/// An SDP offer as WebRTC writes it, in JSON (`\r\n` escaped).
pub const SDP_OFFER: &str = r#"{"type":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:8hhY\r\na=ice-pwd:asd88fgpdd777uzjYhagZg\r\na=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"}"#;

/// An ICE candidate object.
pub const ICE_CANDIDATE: &str = r#"{"candidate":"candidate:842163049 1 udp 1677729535 192.0.2.17 50234 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag 8hhY network-cost 999","sdpMid":"0","sdpMLineIndex":0}"#;

/// The twelve fields of the big form, in order.
pub const TWELVE_FIELDS: [(&str, &str); 12] = [
    ("first_name", "Anna"),
    ("last_name", "Müller"),
    ("email", "anna.mueller@example.com"),
    ("phone", "+49 30 1234567"),
    ("order_number", "A-10423"),
    ("rating", "5"),
    ("comment", "Fast and friendly"),
    ("country", "Deutschland"),
    ("city", "München"),
    ("postal_code", "80331"),
    ("preferred_contact", "email"),
    ("consent", "yes"),
];

/// The control characters U+0000..U+001F, each as a `\u00XX` escape.
pub fn escaped_controls() -> String {
    (0u32..0x20).map(|c| format!("\\u{c:04x}")).collect()
}

/// The control characters U+0000..U+001F themselves.
pub fn controls() -> String {
    (0u32..0x20).filter_map(char::from_u32).collect()
}

/// Every shape real clients send ("In the field"), and the corners of JSON
/// an event may hold.
pub fn field_shapes() -> Vec<Fixture> {
    let mut out = vec![
        // --- ids -----------------------------------------------------------
        fx(
            "uuid msg_id",
            r#"{"event":"chat_session_message","msg_id":"3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091","msg":"hi"}"#,
            message(s("3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091"), "hi"),
        ),
        fx(
            "numeric form_request_id",
            r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"param1":"value1"}}"#,
            form(int(12), "survey", &[("param1", r#""value1""#)]),
        ),
        fx(
            "negative msg_id",
            r#"{"event":"chat_session_message","msg_id":-42,"msg":"negative id"}"#,
            message(int(-42), "negative id"),
        ),
        fx(
            "zero msg_id",
            r#"{"event":"chat_session_message","msg_id":0,"msg":"zero id"}"#,
            message(int(0), "zero id"),
        ),
        fx(
            "u64::MAX msg_id",
            r#"{"event":"chat_session_message","msg_id":18446744073709551615,"msg":"u64 max"}"#,
            message(int(u64::MAX.into()), "u64 max"),
        ),
        fx(
            "i64::MAX + 1 msg_id",
            r#"{"event":"chat_session_message","msg_id":9223372036854775808,"msg":"past i64"}"#,
            message(int(9_223_372_036_854_775_808), "past i64"),
        ),
        fx(
            "i64::MAX msg_id",
            r#"{"event":"chat_session_message","msg_id":9223372036854775807,"msg":"i64 max"}"#,
            message(int(i64::MAX.into()), "i64 max"),
        ),
        fx(
            "i64::MIN msg_id",
            r#"{"event":"chat_session_message","msg_id":-9223372036854775808,"msg":"i64 min"}"#,
            message(int(i64::MIN.into()), "i64 min"),
        ),
        fx(
            "numeric file_id and attachment",
            r#"{"event":"chat_session_file","msg_id":"4f1c2a:12","file_type":"attachment","file_id":5521}"#,
            file(s("4f1c2a:12"), FileType::Attachment, int(5521)),
        ),
        fx(
            "numeric signaling ids",
            r#"{"event":"chat_session_signaling","msg_id":8,"destination_party_id":-31,"data":"bye"}"#,
            signaling(int(8), int(-31), r#""bye""#),
        ),
        fx(
            "empty strings",
            r#"{"event":"chat_session_message","msg_id":"","msg":""}"#,
            message(s(""), ""),
        ),
        fx(
            "escaped string id",
            r#"{"event":"chat_session_message","msg_id":"id\"with\\escapes\u0021","msg":"x"}"#,
            message(s("id\"with\\escapes!"), "x"),
        ),
        // --- signaling data ------------------------------------------------
        fx(
            "signaling SDP offer object",
            format!(
                r#"{{"event":"chat_session_signaling","msg_id":"c0ffee:3","destination_party_id":"agent-31","data":{SDP_OFFER}}}"#
            ),
            signaling(s("c0ffee:3"), s("agent-31"), SDP_OFFER),
        ),
        fx(
            "signaling ICE candidate object",
            format!(
                r#"{{"event":"chat_session_signaling","msg_id":"c0ffee:4","destination_party_id":"agent-31","data":{ICE_CANDIDATE}}}"#
            ),
            signaling(s("c0ffee:4"), s("agent-31"), ICE_CANDIDATE),
        ),
        fx(
            "signaling data array",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":[1,"two",{"three":3},[],null,true]}"#,
            signaling(s("m"), s("p"), r#"[1,"two",{"three":3},[],null,true]"#),
        ),
        fx(
            "signaling data integer",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":42}"#,
            signaling(s("m"), s("p"), "42"),
        ),
        fx(
            "signaling data float",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":-1.5e-3}"#,
            signaling(s("m"), s("p"), "-1.5e-3"),
        ),
        fx(
            "signaling data negative zero",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":-0}"#,
            signaling(s("m"), s("p"), "-0"),
        ),
        fx(
            "signaling data true",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":true}"#,
            signaling(s("m"), s("p"), "true"),
        ),
        fx(
            "signaling data false",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":false}"#,
            signaling(s("m"), s("p"), "false"),
        ),
        fx(
            "signaling data null",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":null}"#,
            signaling(s("m"), s("p"), "null"),
        ),
        fx(
            "signaling data escaped string",
            r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":"mute\u003aaudio \/ \"now\""}"#,
            signaling(s("m"), s("p"), r#""mute\u003aaudio \/ \"now\"""#),
        ),
        fx(
            "signaling data with whitespace",
            "{\"event\":\"chat_session_signaling\",\"msg_id\":\"m\",\"destination_party_id\":\"p\",\"data\":{ \"type\" : \"answer\" ,\n\t\"sdp\" : \"v=0\\r\\n a b \" , \"list\" : [ 1 , 2 , { } , [ ] ] }\r\n}",
            signaling(
                s("m"),
                s("p"),
                r#"{"type":"answer","sdp":"v=0\r\n a b ","list":[1,2,{},[]]}"#,
            ),
        ),
        fx(
            "signaling event last, data first",
            r#"{"data":{"sdpMid":"1","sdpMLineIndex":1,"candidate":""},"destination_party_id":"agent-7","msg_id":"c0ffee:5","event":"chat_session_signaling"}"#,
            signaling(
                s("c0ffee:5"),
                s("agent-7"),
                r#"{"sdpMid":"1","sdpMLineIndex":1,"candidate":""}"#,
            ),
        ),
        // --- extra fields --------------------------------------------------
        fx(
            "party_id and timestamp",
            r#"{"event":"chat_session_message","msg_id":"4f1c2a:10","msg":"with extras","party_id":"p-77","timestamp":1700000000123}"#,
            message(s("4f1c2a:10"), "with extras"),
        ),
        fx(
            "extra fields with nested values",
            r#"{"event":"chat_session_typing","party_id":"p-77","meta":{"client":{"name":"web","version":[3,13,0]},"flags":[true,false,null],"ratio":0.75,"note":"a \"quoted\" \u003cnote\u003e"},"timestamp":1.7e12}"#,
            Want::Typing,
        ),
        fx(
            "extra numbers serde_json reads as floats",
            r#"{"event":"chat_session_end","big":18446744073709551616,"small":-9223372036854775809,"huge":1.7976931348623157e308,"tiny":1e-400,"negzero":-0.0}"#,
            Want::End,
        ),
        fx(
            "keys that look like known keys",
            r#"{"event":"chat_session_message","msg_idx":1,"msg_id":"real","msgs":[],"ms":0,"msg":"real msg","events":5,"Event":"chat_session_end","data":{}}"#,
            message(s("real"), "real msg"),
        ),
        fx(
            "extra fields on typing and not typing",
            r#"{"party_id":"p-1","event":"chat_session_not_typing","timestamp":1700000000999}"#,
            Want::NotTyping,
        ),
        // --- event not first -----------------------------------------------
        fx(
            "event last",
            r#"{"msg_id":"4f1c2a:11","msg":"event last","event":"chat_session_message"}"#,
            message(s("4f1c2a:11"), "event last"),
        ),
        fx(
            "event in the middle",
            r#"{"form_name":"survey","event":"chat_session_form_data","data":{"q":"a"},"form_request_id":"fr-1"}"#,
            form(s("fr-1"), "survey", &[("q", r#""a""#)]),
        ),
        fx(
            "file event last",
            r#"{"file_id":"f-9","file_type":"image","msg_id":"m-9","event":"chat_session_file"}"#,
            file(s("m-9"), FileType::Image, s("f-9")),
        ),
        // --- escapes -------------------------------------------------------
        fx(
            "html-safe escapes",
            r#"{"event":"chat_session_message","msg_id":"e1","msg":"\u003cb\u003ebold\u003c/b\u003e \u0026 a\u003db \u0027q\u0027"}"#,
            message(s("e1"), "<b>bold</b> & a=b 'q'"),
        ),
        fx(
            "non-ASCII as \\u escapes with a surrogate pair",
            r#"{"event":"chat_session_message","msg_id":"e2","msg":"caf\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00!"}"#,
            message(s("e2"), "café 日本語 😀!"),
        ),
        fx(
            "upper-case hex escapes",
            r#"{"event":"chat_session_message","msg_id":"e3","msg":"caf\u00E9 \uD83D\uDE00 \u00C9"}"#,
            message(s("e3"), "café 😀 É"),
        ),
        fx(
            "short escapes",
            r#"{"event":"chat_session_message","msg_id":"e4","msg":"q\"b\\s\/b\bf\fn\nr\rt\t."}"#,
            message(s("e4"), "q\"b\\s/b\u{8}f\u{c}n\nr\rt\t."),
        ),
        fx(
            "escapes at both ends",
            r#"{"event":"chat_session_message","msg_id":"e5","msg":"\n middle \ud83c\udf89"}"#,
            message(s("e5"), "\n middle 🎉"),
        ),
        fx(
            "raw UTF-8 text",
            r#"{"event":"chat_session_message","msg_id":"u1","msg":"café 日本語 😀 Grüße Ω"}"#,
            message(s("u1"), "café 日本語 😀 Grüße Ω"),
        ),
        fx(
            "DEL and U+2028 unescaped",
            "{\"event\":\"chat_session_message\",\"msg_id\":\"u2\",\"msg\":\"a\u{7f}b\u{2028}c\u{2029}\"}",
            message(s("u2"), "a\u{7f}b\u{2028}c\u{2029}"),
        ),
        fx(
            "escaped DEL, U+2028 and the BMP's last",
            r#"{"event":"chat_session_message","msg_id":"u3","msg":"\u007f\u2028\uffff\u0080"}"#,
            message(s("u3"), "\u{7f}\u{2028}\u{ffff}\u{80}"),
        ),
        fx(
            "all control characters escaped",
            format!(
                r#"{{"event":"chat_session_message","msg_id":"c1","msg":"{}"}}"#,
                escaped_controls()
            ),
            message(s("c1"), &controls()),
        ),
        fx(
            "escaped event name",
            r#"{"event":"chat_session_typ\u0069ng"}"#,
            Want::Typing,
        ),
        fx(
            "escaped keys",
            r#"{"\u0065vent":"chat_session_message","\u006dsg_id":"k1","m\u0073g":"escaped keys"}"#,
            message(s("k1"), "escaped keys"),
        ),
        fx(
            "escaped file_type",
            r#"{"event":"chat_session_file","msg_id":"f:1","file_type":"im\u0061ge","file_id":"f\/1"}"#,
            file(s("f:1"), FileType::Image, s("f/1")),
        ),
        fx(
            "long message",
            format!(
                r#"{{"event":"chat_session_message","msg_id":"long","msg":"{}"}}"#,
                "0123456789 abcdé\\n".repeat(600)
            ),
            message(s("long"), &"0123456789 abcdé\n".repeat(600)),
        ),
        // --- form data -----------------------------------------------------
        fx(
            "empty form data",
            r#"{"event":"chat_session_form_data","form_request_id":"13","form_name":"empty","data":{}}"#,
            form(s("13"), "empty", &[]),
        ),
        fx(
            "form data with twelve fields",
            format!(
                r#"{{"event":"chat_session_form_data","form_request_id":"14","form_name":"contact_info","data":{{{}}}}}"#,
                TWELVE_FIELDS
                    .iter()
                    .map(|(k, v)| format!(r#""{k}":"{v}""#))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Want::FormData {
                form_request_id: s("14"),
                form_name: "contact_info".to_owned(),
                data: TWELVE_FIELDS
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), format!("\"{v}\"")))
                    .collect(),
            },
        ),
        fx(
            "form data with non-string values",
            r#"{"event":"chat_session_form_data","form_request_id":15,"form_name":"csat","data":{"score":5,"agree":true,"comment":null,"tags":["a","b"],"address":{"city":"Köln","zip":"50667"},"ratio":0.5,"neg":-7}}"#,
            form(
                int(15),
                "csat",
                &[
                    ("score", "5"),
                    ("agree", "true"),
                    ("comment", "null"),
                    ("tags", r#"["a","b"]"#),
                    ("address", r#"{"city":"Köln","zip":"50667"}"#),
                    ("ratio", "0.5"),
                    ("neg", "-7"),
                ],
            ),
        ),
        fx(
            "form data with repeated keys",
            r#"{"event":"chat_session_form_data","form_request_id":"16","form_name":"survey","data":{"choice":"a","other":"x","choice":"b"}}"#,
            form(
                s("16"),
                "survey",
                &[
                    ("choice", r#""a""#),
                    ("other", r#""x""#),
                    ("choice", r#""b""#),
                ],
            ),
        ),
        fx(
            "form data with escaped keys and values",
            r#"{"event":"chat_session_form_data","form_request_id":"17","form_name":"Kundenzufriedenheit","data":{"na\u006de":"Ann \u0026 Bob","\u00e9t\u00e9":"summer"}}"#,
            form(
                s("17"),
                "Kundenzufriedenheit",
                &[("name", r#""Ann \u0026 Bob""#), ("été", r#""summer""#)],
            ),
        ),
        fx(
            "form data with whitespace",
            "{\"event\":\"chat_session_form_data\",\"form_request_id\":\"18\",\"form_name\":\"s\",\"data\":{ \"a\" : 1 ,\n \"b\" : [ true , \"x y\" ] }}",
            form(s("18"), "s", &[("a", "1"), ("b", r#"[true,"x y"]"#)]),
        ),
        // --- unknown events ------------------------------------------------
        fx(
            "unknown delivered receipt",
            r#"{"event":"chat_session_cobrowsing_requested","msg_id":"4f1c2a:7","timestamp":1700000000456}"#,
            unknown("chat_session_cobrowsing_requested"),
        ),
        fx(
            "unknown read receipt with whitespace and nesting",
            "{ \"event\" : \"chat_session_cobrowsing_ended\" ,\n  \"msg_ids\" : [ \"4f1c2a:7\" , \"4f1c2a:8\" ] ,\n  \"meta\" : { \"by\" : \"agent-31\", \"at\": 1.5e9 }\n}",
            unknown("chat_session_cobrowsing_ended"),
        ),
        fx(
            "unknown escaped name",
            r#"{"event":"chat_session_\u0063obrowse_start","url":"https:\/\/example.com\/"}"#,
            unknown("chat_session_cobrowse_start"),
        ),
        fx(
            "unknown event last",
            r#"{"msg_id":1.5,"msg":7,"event":"chat_session_reaction"}"#,
            unknown("chat_session_reaction"),
        ),
        fx(
            "unknown name differing only in case",
            r#"{"event":"Chat_Session_Typing"}"#,
            unknown("Chat_Session_Typing"),
        ),
        fx(
            "unknown bare prefix",
            r#"{"event":"chat_session_"}"#,
            unknown("chat_session_"),
        ),
        fx("unknown empty name", r#"{"event":""}"#, unknown("")),
        fx(
            "unknown with repeated fields",
            r#"{"event":"x_custom","a":1,"a":[2],"msg":"m","msg":"n"}"#,
            unknown("x_custom"),
        ),
        // --- whitespace ----------------------------------------------------
        fx(
            "whitespace everywhere JSON allows",
            " \t\r\n{ \t\r\n\"event\" \n:\r \"chat_session_message\" \t,\n \"msg_id\"\t:\t7\n,\n\"msg\" : \"spaced out\" ,\"x\" : [ 1 , { \"y\" : null } ] \r\n} \n\t",
            message(int(7), "spaced out"),
        ),
        fx(
            "pretty-printed",
            "{\n  \"event\": \"chat_session_form_data\",\n  \"form_request_id\": \"19\",\n  \"form_name\": \"survey\",\n  \"data\": {\n    \"param1\": \"value1\",\n    \"param2\": [\n      1,\n      2\n    ]\n  }\n}\n",
            form(
                s("19"),
                "survey",
                &[("param1", r#""value1""#), ("param2", "[1,2]")],
            ),
        ),
        fx(
            "empty object value and array value",
            r#"{"event":"chat_session_end","o":{},"a":[],"s":"","n":0}"#,
            Want::End,
        ),
        // --- repeats of fields the event does not use ------------------------
        fx(
            "typing with a repeated msg_id",
            r#"{"event":"chat_session_typing","msg_id":"a","msg_id":"b"}"#,
            Want::Typing,
        ),
        fx(
            "message with repeated data and file_id",
            r#"{"event":"chat_session_message","msg_id":"d1","data":1,"msg":"x","data":{},"file_id":1,"file_id":2}"#,
            message(s("d1"), "x"),
        ),
        fx(
            "file with repeated msg and form_name",
            r#"{"event":"chat_session_file","msg":"a","msg_id":"d2","msg":"b","file_type":"image","form_name":"x","form_name":"y","file_id":"f"}"#,
            file(s("d2"), FileType::Image, s("f")),
        ),
        fx(
            "signaling with repeated file_type",
            r#"{"event":"chat_session_signaling","file_type":"video","msg_id":"d3","file_type":3,"destination_party_id":"p","data":"x"}"#,
            signaling(s("d3"), s("p"), r#""x""#),
        ),
        fx(
            "form data with repeated msg_id and destination_party_id",
            r#"{"event":"chat_session_form_data","msg_id":1,"msg_id":2,"form_request_id":"d4","form_name":"f","destination_party_id":"a","destination_party_id":"b","data":{}}"#,
            form(s("d4"), "f", &[]),
        ),
    ];
    out.push(fx(
        "126 nested arrays in an extra field",
        format!(
            r#"{{"event":"chat_session_typing","deep":{}{}}}"#,
            "[".repeat(126),
            "]".repeat(126)
        ),
        Want::Typing,
    ));
    out.push(fx(
        "126 nested objects as signaling data",
        format!(
            r#"{{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"p","data":{}1{}}}"#,
            r#"{"a":"#.repeat(126),
            "}".repeat(126)
        ),
        signaling(
            s("m"),
            s("p"),
            &format!("{}1{}", r#"{"a":"#.repeat(126), "}".repeat(126)),
        ),
    ));
    out
}

/// Every fixture: the spec's examples, then the field shapes.
pub fn all() -> Vec<Fixture> {
    let mut all = spec_examples();
    all.extend(field_shapes());
    all
}

/// The fixture named `name`.
pub fn named(name: &str) -> Fixture {
    all()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture named {name:?}"))
}

/// `json` without the whitespace outside its strings.
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The JSON type a compact value's first byte announces.
pub fn kind_of(compact: &str) -> ValueKind {
    match compact.as_bytes()[0] {
        b'{' => ValueKind::Object,
        b'[' => ValueKind::Array,
        b'"' => ValueKind::String,
        b't' | b'f' => ValueKind::Bool,
        b'n' => ValueKind::Null,
        _ => ValueKind::Number,
    }
}

/// Checks a text field through every accessor.
pub fn check_text(text: &Text<'_>, want: &str, what: &str) {
    assert!(*text == *want, "{what}: == {want:?}, got {text:?}");
    assert!(text.eq_str(want), "{what}: eq_str");
    assert_eq!(text.to_cow(), want, "{what}: to_cow");
    assert_eq!(text.to_string(), want, "{what}: Display");
    assert_eq!(text.unescaped_len(), want.len(), "{what}: unescaped_len");
    assert!(text.chars().eq(want.chars()), "{what}: chars");
    let mut buf = vec![0u8; want.len()];
    assert_eq!(
        text.unescape_into(&mut buf),
        Ok(want),
        "{what}: unescape_into"
    );
    if !want.is_empty() {
        let mut short = vec![0u8; want.len() - 1];
        assert_eq!(
            text.unescape_into(&mut short).map(str::len),
            Err(chatwire::BufferTooSmall { needed: want.len() }),
            "{what}: unescape_into a short buffer"
        );
    }
    let escaped = text.raw().contains('\\');
    assert_eq!(text.is_escaped(), escaped, "{what}: is_escaped");
    assert_eq!(
        text.as_str(),
        if escaped { None } else { Some(want) },
        "{what}: as_str"
    );
    let mut longer = want.to_owned();
    longer.push('x');
    assert!(!text.eq_str(&longer), "{what}: eq_str of a longer string");
    if let Some(shorter) = want.char_indices().last().map(|(i, _)| &want[..i]) {
        assert!(!text.eq_str(shorter), "{what}: eq_str of a shorter string");
    }
}

/// Checks an id field through every accessor.
pub fn check_id(id: &Id<'_>, want: &WantId, what: &str) {
    match want {
        WantId::Str(want) => {
            let IdValue::Str(text) = id.value() else {
                panic!("{what}: expected a string id, got {id:?}");
            };
            check_text(&text, want, what);
            assert!(!id.is_int(), "{what}: is_int");
            assert_eq!(id.as_u64(), None, "{what}: as_u64");
            assert_eq!(id.as_i64(), None, "{what}: as_i64");
            assert!(id.as_text().is_some_and(|t| t == *want.as_str()));
            assert!(*id == *want.as_str(), "{what}: == str");
            assert_eq!(id.to_string(), *want, "{what}: Display");
        }
        WantId::Int(n) => {
            let digits = n.to_string();
            assert_eq!(id.value(), IdValue::Int(&digits), "{what}: value");
            assert!(id.is_int(), "{what}: is_int");
            assert_eq!(id.as_u64(), u64::try_from(*n).ok(), "{what}: as_u64");
            assert_eq!(id.as_i64(), i64::try_from(*n).ok(), "{what}: as_i64");
            assert!(id.as_text().is_none(), "{what}: as_text");
            assert!(*id == *digits.as_str(), "{what}: == digits");
            assert_eq!(id.to_string(), digits, "{what}: Display");
        }
    }
}

/// Checks a raw value: its compact text, its kind, and that it is a slice of
/// the input.
pub fn check_raw(raw: &Raw<'_>, input: &str, want_compact: &str, what: &str) {
    assert_eq!(raw.to_string(), want_compact, "{what}: compact text");
    assert_eq!(raw.kind(), kind_of(want_compact), "{what}: kind");
    assert_eq!(compact(raw.get()), want_compact, "{what}: get()");
    assert!(
        input.contains(raw.get()),
        "{what}: get() is the input's text"
    );
    assert_eq!(
        raw.is_compact(),
        raw.get() == want_compact,
        "{what}: compact"
    );
}

/// Checks that `event` is what `fixture` says, field by field.
pub fn check(fixture: &Fixture, event: &ClientEvent<'_>) {
    let input = fixture.text();
    let name = fixture.name;
    match (&fixture.want, event) {
        (
            Want::Message { msg_id, msg },
            ClientEvent::Message {
                msg_id: id,
                msg: m,
                channel: None,
            },
        ) => {
            check_id(id, msg_id, &format!("{name}: msg_id"));
            check_text(m, msg, &format!("{name}: msg"));
        }
        (Want::Typing, ClientEvent::Typing { msg: None })
        | (Want::NotTyping, ClientEvent::NotTyping)
        | (Want::End, ClientEvent::End)
        | (Want::Disconnect, ClientEvent::Disconnect) => {}
        (
            Want::FormData {
                form_request_id,
                form_name,
                data,
            },
            ClientEvent::FormData {
                form_request_id: id,
                form_name: fname,
                data: d,
            },
        ) => {
            check_id(id, form_request_id, &format!("{name}: form_request_id"));
            check_text(fname, form_name, &format!("{name}: form_name"));
            assert_eq!(d.len(), data.len(), "{name}: data.len()");
            assert_eq!(d.is_empty(), data.is_empty(), "{name}: data.is_empty()");
            let got: Vec<(String, String)> = d
                .entries()
                .map(|(k, v)| (k.to_cow().into_owned(), v.to_string()))
                .collect();
            assert_eq!(&got, data, "{name}: data.entries()");
            for (key, _) in data {
                let last = &data
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .expect("present")
                    .1;
                let value = d.get(key).unwrap_or_else(|| panic!("{name}: get({key:?})"));
                assert_eq!(value.to_string(), *last, "{name}: data.get({key:?})");
            }
            assert!(
                d.get("no such field").is_none(),
                "{name}: get of a missing key"
            );
            let mut want_object = String::from("{");
            for (i, (key, value)) in data.iter().enumerate() {
                if i > 0 {
                    want_object.push(',');
                }
                want_object.push_str(&serde_json::to_string(key).expect("a key"));
                want_object.push(':');
                want_object.push_str(value);
            }
            want_object.push('}');
            let raw = d.raw();
            assert_eq!(raw.kind(), ValueKind::Object, "{name}: data kind");
            assert!(
                input.contains(raw.get()),
                "{name}: data is the input's text"
            );
            // Keys written back as serde_json escapes them may differ from
            // the input's spelling; compare the structure instead.
            let got: serde_json::Value = serde_json::from_str(raw.get()).expect("valid");
            let want: serde_json::Value = serde_json::from_str(&want_object).expect("valid");
            assert_eq!(got, want, "{name}: data as a whole");
        }
        (
            Want::Signaling {
                msg_id,
                destination_party_id,
                data,
            },
            ClientEvent::Signaling {
                msg_id: id,
                destination_party_id: dest,
                data: d,
            },
        ) => {
            check_id(id, msg_id, &format!("{name}: msg_id"));
            check_id(
                dest,
                destination_party_id,
                &format!("{name}: destination_party_id"),
            );
            check_raw(d, input, data, &format!("{name}: data"));
        }
        (
            Want::File {
                msg_id,
                file_type,
                file_id,
            },
            ClientEvent::File {
                msg_id: id,
                file_type: ft,
                file_id: fid,
                file_name: None,
            },
        ) => {
            check_id(id, msg_id, &format!("{name}: msg_id"));
            assert_eq!(ft, file_type, "{name}: file_type");
            check_id(fid, file_id, &format!("{name}: file_id"));
        }
        (Want::Unknown { name: want_name }, ClientEvent::Unknown { name: n, raw }) => {
            check_text(n, want_name, &format!("{name}: name"));
            let object = fixture.object();
            assert_eq!(raw.get(), object, "{name}: raw is the whole object");
            check_raw(raw, input, &compact(object), &format!("{name}: raw"));
        }
        (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
    }
    let want_kind = match fixture.want {
        Want::Message { .. } => EventKind::Message,
        Want::Typing => EventKind::Typing,
        Want::NotTyping => EventKind::NotTyping,
        Want::FormData { .. } => EventKind::FormData,
        Want::End => EventKind::End,
        Want::Disconnect => EventKind::Disconnect,
        Want::Signaling { .. } => EventKind::Signaling,
        Want::File { .. } => EventKind::File,
        Want::Unknown { .. } => EventKind::Unknown,
    };
    assert_eq!(event.kind(), want_kind, "{name}: kind()");
}

/// `count` events of `workload`, generated from [`SEED`].
pub fn workload_bytes(workload: Workload, count: usize) -> Vec<u8> {
    workload::generate(workload, count, SEED)
}

/// The lines of a workload's output, without their newlines.
pub fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .collect()
}

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    events: Vec<&'a serde_json::value::RawValue>,
}

/// The events inside one `{"events":[...]}` envelope, as slices of it.
pub fn envelope_events(envelope: &[u8]) -> Vec<&[u8]> {
    let envelope: Envelope<'_> = serde_json::from_slice(envelope).expect("an envelope");
    envelope
        .events
        .into_iter()
        .map(|raw| raw.get().as_bytes())
        .collect()
}

/// Every single event of `count` events of `workload`: its lines, or for
/// the enveloped workloads ([`Workload::Envelope`], [`Workload::History`])
/// the events inside their envelopes.
pub fn workload_events(workload: Workload, count: usize) -> Vec<Vec<u8>> {
    let bytes = workload_bytes(workload, count);
    let mut events = Vec::new();
    for line in lines(&bytes) {
        if workload.is_enveloped() {
            events.extend(envelope_events(line).into_iter().map(<[u8]>::to_vec));
        } else {
            events.push(line.to_vec());
        }
    }
    events
}
