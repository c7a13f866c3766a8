//! Strategies for the equivalence suite: events as JSON values the suite
//! renders itself, canonically (as serde_json writes them) or in any other
//! spelling JSON allows, and mutations of those renderings. The events come
//! from the protocol table's schema (`chatwire::protocol`), so every event
//! of the table, of either direction, is generated with no code here.

use chatwire::Field;
use chatwire::protocol::{CLIENT_EVENTS, EventSchema, FieldType};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestRunner};

/// A JSON value. Numbers are kept as their text; `Raw` is written verbatim
/// (it holds deliberately odd or invalid text such as a lone surrogate).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string, unescaped; the renderer escapes it.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object; keys unescaped, repeats allowed.
    Obj(Vec<(String, Json)>),
    /// Text written as it is.
    Raw(String),
}

/// The known event names of the client direction, from the protocol table.
pub fn known() -> Vec<&'static str> {
    CLIENT_EVENTS.iter().map(|e| e.name).collect()
}

/// Every key chatwire knows, from the protocol table.
pub fn fields() -> Vec<&'static str> {
    Field::ALL.iter().map(|f| f.name()).collect()
}

/// A client event as members of a JSON object.
#[derive(Clone, Debug)]
pub struct Event {
    /// The `"event"` value, unescaped.
    pub name: String,
    /// The event's own fields in the spec's order; for an unknown event, its
    /// members (other than `"event"`), all part of the event.
    pub fields: Vec<(String, Json)>,
    /// Members a known event does not use (never `"event"` nor one of its
    /// own fields); it ignores them. Empty for an unknown event.
    pub extras: Vec<(String, Json)>,
    /// Whether the name is one of the table's (of the direction it was
    /// made for).
    pub known: bool,
}

impl Event {
    /// Whether the name is one of the table's.
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// Whether a known event holds a raw JSON field (`data`).
    pub fn has_raw_field(&self) -> bool {
        self.fields.iter().any(|(k, _)| k == "data")
    }

    /// The members of the canonical rendering: `"event"` first, then the
    /// fields in order.
    pub fn canonical_members(&self) -> Vec<(String, Json)> {
        let mut members = vec![("event".to_string(), Json::Str(self.name.clone()))];
        members.extend(self.fields.iter().cloned());
        members
    }

    /// Every member, extras included.
    pub fn all_members(&self) -> Vec<(String, Json)> {
        let mut members = self.canonical_members();
        members.extend(self.extras.iter().cloned());
        members
    }
}

// ---------------------------------------------------------------------------
// Values

const TRICKY: &[char] = &[
    '"',
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\u{8}',
    '\u{c}',
    '\0',
    '\u{1}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{a0}',
    'é',
    'ü',
    'ß',
    '日',
    '本',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{fffd}',
    '\u{ffff}',
    '\u{d7ff}',
    '\u{e000}',
    '😀',
    '\u{1f1ea}',
    '\u{10000}',
    '\u{10ffff}',
    '<',
    '>',
    '&',
    '=',
    '\'',
    ' ',
    'a',
    'Z',
    '0',
    ':',
    '{',
    '}',
    '[',
    ']',
    ',',
];

/// Any Unicode scalar, biased towards the ones JSON escapes or that need
/// care: control characters, quotes, backslashes, characters beyond the BMP.
pub fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(TRICKY),
        3 => any::<char>(),
        3 => (b' '..=b'~').prop_map(char::from),
    ]
}

/// Any string, mostly short.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => vec(any_char(), 0..20).prop_map(String::from_iter),
        1 => vec(any_char(), 0..300).prop_map(String::from_iter),
    ]
}

/// An object key: any string or a name that means something somewhere.
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(),
        2 => select(&[
            "party_id", "timestamp", "type", "sdp", "candidate", "sdpMid", "sdpMLineIndex",
            "param1", "msg", "msg_id", "data", "event", "file_type", "file_id", "form_name",
            "form_request_id", "destination_party_id", "", "events",
        ][..])
        .prop_map(String::from),
    ]
}

/// A valid JSON number within serde_json's range, in any spelling.
pub fn number() -> impl Strategy<Value = String> {
    // Finite by construction: a filter would reject the infinities and NaNs
    // of `any::<f64>()`, one draw in ten, and use up the reject budget.
    use proptest::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    let finite = POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO;
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (0u32..1000).prop_map(|n| n.to_string()),
        finite.prop_map(|f| format!("{f:?}")),
        finite.prop_map(|f| format!("{f:e}")),
        finite.prop_map(|f| format!("{f:E}")),
        "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,20})?([eE]\\+?[0-9]{1,2}|[eE]-[0-9]{1,4})?",
        select(
            &[
                "0",
                "-0",
                "-0.0",
                "0.0",
                "1E+2",
                "1e-400",
                "0e99999999999",
                "18446744073709551616",
                "-9223372036854775809",
                "1.7976931348623157e308",
                "-1.7976931348623157e308",
                "4.9e-324",
                "2.5e-324",
                "123456789012345678901234567890",
                "1e308",
                "0.1",
                "5e-1",
            ][..]
        )
        .prop_map(String::from),
    ]
}

/// Any JSON value, nested at most a few levels.
pub fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number().prop_map(Json::Num),
        text().prop_map(Json::Str),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Json::Arr),
            vec((key(), inner), 0..6).prop_map(Json::Obj),
        ]
    })
}

/// An id: a string, or an integer that serde_json reads as `u64` or `i64`
/// (non-negative ones and negative ones, the extremes included).
pub fn id() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => text().prop_map(Json::Str),
        2 => (select(&["", "4f1c2a:", "f-", "agent-"][..]), any::<u32>())
            .prop_map(|(p, n)| Json::Str(format!("{p}{n}"))),
        2 => any::<u64>().prop_map(|n| Json::Num(n.to_string())),
        2 => (i64::MIN..0).prop_map(|n| Json::Num(n.to_string())),
        1 => select(&[
            "0", "1", "-1", "18446744073709551615", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808",
        ][..])
        .prop_map(|n| Json::Num(n.to_string())),
    ]
}

fn form_value() -> impl Strategy<Value = Json> {
    prop_oneof![4 => text().prop_map(Json::Str), 1 => json()]
}

fn signaling_data() -> impl Strategy<Value = Json> {
    prop_oneof![
        2 => text().prop_map(Json::Str),
        1 => text().prop_map(|sdp| Json::Obj(vec![
            ("type".into(), Json::Str("offer".into())),
            ("sdp".into(), Json::Str(format!("v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\n{sdp}\r\n"))),
        ])),
        1 => (text(), 0u8..4).prop_map(|(c, line)| Json::Obj(vec![
            ("candidate".into(), Json::Str(c)),
            ("sdpMid".into(), Json::Str(line.to_string())),
            ("sdpMLineIndex".into(), Json::Num(line.to_string())),
        ])),
        3 => json(),
    ]
}

/// A string or a number (`timestamp`, `latitude`, ...).
pub fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        2 => text().prop_map(Json::Str),
        1 => any::<u32>().prop_map(|n| Json::Str(n.to_string())),
        2 => number().prop_map(Json::Num),
    ]
}

/// A value of a table field type.
fn value_of(ty: FieldType) -> BoxedStrategy<Json> {
    match ty {
        FieldType::Text => text().prop_map(Json::Str).boxed(),
        FieldType::Id => id().boxed(),
        FieldType::Scalar => scalar().boxed(),
        FieldType::Raw => signaling_data().boxed(),
        FieldType::Form => vec((key(), form_value()), 0..=50)
            .prop_map(Json::Obj)
            .boxed(),
        FieldType::FileType => select(&["image", "attachment"][..])
            .prop_map(|t| Json::Str(t.to_string()))
            .boxed(),
        other => panic!("no strategy for {other:?}"),
    }
}

/// The fields of one event of the schema: each required field, and each
/// optional one present or absent.
fn fields_of(event: &'static EventSchema) -> BoxedStrategy<Vec<(String, Json)>> {
    let fields: Vec<BoxedStrategy<Option<(String, Json)>>> = event
        .fields
        .iter()
        .map(|f| {
            let key = f.field.name().to_string();
            let value = value_of(f.ty).prop_map(move |v| Some((key.clone(), v)));
            if f.required {
                value.boxed()
            } else {
                prop_oneof![1 => Just(None), 2 => value].boxed()
            }
        })
        .collect();
    fields
        .prop_map(|fields| fields.into_iter().flatten().collect())
        .boxed()
}

/// A name that is none of `known`.
pub fn unknown_name_of(known: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z_]{0,16}".prop_map(|s| format!("chat_session_{s}")),
        2 => text(),
        1 => select(&[
            "chat_session_", "Chat_session_typing", "chat_session_typing ", "chat_session_typingx",
            "chat_session_message\u{0}", "chat_session_cobrowsing_ended", "unknown", "",
            "chat_session_form_show", "chat_session_status",
        ][..])
        .prop_map(String::from),
    ]
    .prop_filter("not a known name", move |s| !known.contains(&s.as_str()))
}

/// A name that is none of the client direction's.
pub fn unknown_name() -> impl Strategy<Value = String> {
    unknown_name_of(known())
}

/// Any client event, every variant, with extra members a known event ignores.
pub fn event() -> impl Strategy<Value = Event> {
    event_of(CLIENT_EVENTS)
}

/// Any event of `schema`, every variant, with extra members a known event
/// ignores, or an event of a name the schema does not know.
pub fn event_of(schema: &'static [EventSchema]) -> impl Strategy<Value = Event> {
    let known: Vec<&'static str> = schema.iter().map(|e| e.name).collect();
    let known_body = (0..schema.len()).prop_flat_map(move |i| {
        let event = &schema[i];
        fields_of(event).prop_map(move |fields| (event.name.to_string(), fields, true))
    });
    let unknown_body = (unknown_name_of(known), vec((key(), json()), 0..6))
        .prop_map(|(name, fields)| (name, fields, false));
    let body = prop_oneof![6 => known_body, 1 => unknown_body];
    (body, vec((key(), json()), 0..4)).prop_map(move |((name, fields, known), extras)| {
        if known {
            // An event's own keys, present or not, are never extras.
            let own: Vec<&str> = schema
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.fields.iter().map(|f| f.field.name()).collect())
                .unwrap_or_default();
            let extras = extras
                .into_iter()
                .filter(|(k, _)| k != "event" && !own.contains(&k.as_str()))
                .collect();
            Event {
                name,
                fields,
                extras,
                known,
            }
        } else {
            // All members of an unknown event are its own: keep the keys
            // unique, so that any order of them is the same JSON value.
            let mut seen = vec!["event".to_string()];
            let mut unique = Vec::new();
            for (k, v) in fields.into_iter().chain(extras) {
                if !seen.contains(&k) {
                    seen.push(k.clone());
                    unique.push((k, v));
                }
            }
            Event {
                name,
                fields: unique,
                extras: Vec::new(),
                known,
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Rendering

/// splitmix64, so a rendering is a function of its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u8) -> bool {
        self.below(100) < usize::from(p)
    }
}

/// How to spell an event other than canonically.
#[derive(Clone, Debug)]
pub struct Style {
    /// Percent of token boundaries that get whitespace.
    pub ws: u8,
    /// Percent of characters written as an escape when they need none.
    pub escape: u8,
    /// Whether members come in a random order.
    pub shuffle: bool,
    /// Whether a known event's extra members are written.
    pub extras: bool,
    /// Seeds every choice.
    pub seed: u64,
}

/// Any spelling.
pub fn style() -> impl Strategy<Value = Style> {
    (
        select(&[0u8, 10, 50, 100][..]),
        select(&[0u8, 5, 30, 100][..]),
        any::<bool>(),
        prop_oneof![3 => Just(true), 1 => Just(false)],
        any::<u64>(),
    )
        .prop_map(|(ws, escape, shuffle, extras, seed)| Style {
            ws,
            escape,
            shuffle,
            extras,
            seed,
        })
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Writes `s` as serde_json does: `\"`, `\\`, the five short escapes,
/// `\u00XX` in lowercase for the other control characters, all else as
/// UTF-8.
pub fn canonical_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                let b = c as usize;
                out.extend_from_slice(b"\\u00");
                out.push(HEX_LOWER[b >> 4]);
                out.push(HEX_LOWER[b & 15]);
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

fn canonical_value(value: &Json, out: &mut Vec<u8>) {
    match value {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Json::Num(n) | Json::Raw(n) => out.extend_from_slice(n.as_bytes()),
        Json::Str(s) => canonical_string(s, out),
        Json::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_value(item, out);
            }
            out.push(b']');
        }
        Json::Obj(members) => canonical_object(members, out),
    }
}

fn canonical_object(members: &[(String, Json)], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        canonical_string(k, out);
        out.push(b':');
        canonical_value(v, out);
    }
    out.push(b'}');
}

/// The event as serde_json writes the reference model: compact, `"event"`
/// first, fields in the spec's order; a known event without its extras.
pub fn canonical(event: &Event) -> Vec<u8> {
    let mut out = Vec::new();
    canonical_object(&event.canonical_members(), &mut out);
    out
}

/// Renders any members in a style.
pub fn render_members(members: &[(String, Json)], style: &Style) -> Vec<u8> {
    let mut r = Renderer {
        out: Vec::new(),
        rng: Rng(style.seed),
        style: style.clone(),
    };
    let mut members: Vec<&(String, Json)> = members.iter().collect();
    if style.shuffle {
        for i in (1..members.len()).rev() {
            let j = r.rng.below(i + 1);
            members.swap(i, j);
        }
    }
    r.ws();
    r.object(&members);
    r.ws();
    r.out
}

/// The event spelt in a style: the same event, other bytes.
pub fn render(event: &Event, style: &Style) -> Vec<u8> {
    let members = if style.extras {
        event.all_members()
    } else {
        event.canonical_members()
    };
    render_members(&members, style)
}

struct Renderer {
    out: Vec<u8>,
    rng: Rng,
    style: Style,
}

impl Renderer {
    fn ws(&mut self) {
        if self.style.ws > 0 && self.rng.percent(self.style.ws) {
            const WS: [&[u8]; 7] = [b" ", b"\n", b"\t", b"\r", b"\r\n", b"  ", b"\n    "];
            for _ in 0..=self.rng.below(2) {
                let w = WS[self.rng.below(WS.len())];
                self.out.extend_from_slice(w);
            }
        }
    }

    fn hex4(&mut self, unit: u32) {
        let upper = self.rng.percent(50);
        for shift in [12, 8, 4, 0] {
            let d = ((unit >> shift) & 15) as usize;
            // Mixed case, digit by digit, now and then.
            let table = if self.rng.percent(10) ^ upper {
                HEX_UPPER
            } else {
                HEX_LOWER
            };
            self.out.push(table[d]);
        }
    }

    fn u_escape(&mut self, c: char) {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            self.out.extend_from_slice(b"\\u");
            self.hex4(u32::from(*unit));
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        for c in s.chars() {
            let short: Option<&[u8]> = match c {
                '"' => Some(b"\\\""),
                '\\' => Some(b"\\\\"),
                '/' => Some(b"\\/"),
                '\u{8}' => Some(b"\\b"),
                '\u{c}' => Some(b"\\f"),
                '\n' => Some(b"\\n"),
                '\r' => Some(b"\\r"),
                '\t' => Some(b"\\t"),
                _ => None,
            };
            let must = c == '"' || c == '\\' || (c as u32) < 0x20;
            if !must && !self.rng.percent(self.style.escape) {
                self.out
                    .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            match short {
                Some(short) if self.rng.percent(70) => self.out.extend_from_slice(short),
                _ => self.u_escape(c),
            }
        }
        self.out.push(b'"');
    }

    fn value(&mut self, value: &Json) {
        match value {
            Json::Null => self.out.extend_from_slice(b"null"),
            Json::Bool(b) => self
                .out
                .extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Num(n) | Json::Raw(n) => self.out.extend_from_slice(n.as_bytes()),
            Json::Str(s) => self.string(s),
            Json::Arr(items) => {
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    self.ws();
                    if i > 0 {
                        self.out.push(b',');
                        self.ws();
                    }
                    self.value(item);
                }
                self.ws();
                self.out.push(b']');
            }
            Json::Obj(members) => {
                let members: Vec<&(String, Json)> = members.iter().collect();
                self.object(&members);
            }
        }
    }

    fn object(&mut self, members: &[&(String, Json)]) {
        self.out.push(b'{');
        for (i, (k, v)) in members.iter().enumerate() {
            self.ws();
            if i > 0 {
                self.out.push(b',');
                self.ws();
            }
            self.string(k);
            self.ws();
            self.out.push(b':');
            self.ws();
            self.value(v);
        }
        self.ws();
        self.out.push(b'}');
    }
}

// ---------------------------------------------------------------------------
// Mutations

/// Numbers at and beyond the edges of what serde_json reads, and numbers
/// that break the grammar.
pub const SPECIAL_NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "-0",
    "-0.0",
    "0",
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775808",
    "-9223372036854775809",
    "9223372036854775808",
    "1.7976931348623157e308",
    "1.7976931348623158e308",
    "1.7976931348623159e308",
    "1.8e308",
    "2e308",
    "4.9e-324",
    "2.4e-324",
    "1e-400",
    "0e99999999999999999999",
    "1e99999999999999999999",
    "1e-99999999999999999999",
    "123456789012345678901234567890e280",
    "0.0000000000000000000000000001e330",
    "01",
    "1.",
    "-",
    ".5",
    "+1",
    "1e",
    "1e+",
    "0x10",
    "NaN",
    "Infinity",
    "1.0",
    "1E2",
    "-01",
];

/// Strings with lone surrogates and broken `\u` escapes, next to valid
/// pairs.
pub const ODD_STRINGS: &[&str] = &[
    r#""\ud800""#,
    r#""\udc00""#,
    r#""a\ud800\u0041""#,
    r#""\ud800x""#,
    r#""\uD83D""#,
    r#""\ud800\ud800""#,
    r#""\udbff\udfff""#,
    r#""\ud83d\ude00""#,
    r#""\uDBFF\uDFFF""#,
    r#""\u12""#,
    r#""\uzzzz""#,
    r#""\ud800\""#,
    r#""\ud800\u""#,
    r#""\x""#,
    r#""\'""#,
    "\"\u{7f}\"",
    "\"\t\"",
];

/// A change to an event's members before rendering.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Writes a member again (with another value when given) at a position.
    Duplicate(Index, Option<Json>, Index),
    /// Leaves a member out.
    Remove(Index),
    /// Gives a member another value.
    Replace(Index, Json),
    /// Gives a member another key.
    Rename(Index, String),
    /// Sets `"event"` to another name.
    Name(String),
    /// Gives a member a special number.
    Number(Index, &'static str),
    /// Gives a member an odd string.
    OddString(Index, &'static str),
    /// Gives a member a value nested `depth` levels (arrays or objects).
    Deep(Index, usize, bool),
    /// Adds a member.
    Add(String, Json),
}

/// Any edit.
pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => (any::<Index>(), proptest::option::of(json()), any::<Index>())
            .prop_map(|(i, v, at)| Edit::Duplicate(i, v, at)),
        1 => any::<Index>().prop_map(Edit::Remove),
        2 => (any::<Index>(), json()).prop_map(|(i, v)| Edit::Replace(i, v)),
        1 => (any::<Index>(), select(fields()).prop_map(String::from)).prop_map(|(i, k)| Edit::Rename(i, k)),
        1 => prop_oneof![select(known()).prop_map(String::from), unknown_name()].prop_map(Edit::Name),
        2 => (any::<Index>(), select(SPECIAL_NUMBERS)).prop_map(|(i, n)| Edit::Number(i, n)),
        2 => (any::<Index>(), select(ODD_STRINGS)).prop_map(|(i, s)| Edit::OddString(i, s)),
        1 => (any::<Index>(), 120usize..=130, any::<bool>()).prop_map(|(i, d, o)| Edit::Deep(i, d, o)),
        1 => (select(fields()).prop_map(String::from), json()).prop_map(|(k, v)| Edit::Add(k, v)),
    ]
}

/// A value nested `depth` levels deep.
pub fn nested(depth: usize, objects: bool) -> Json {
    let (open, close) = if objects {
        ("{\"k\":", "}")
    } else {
        ("[", "]")
    };
    let mut text = open.repeat(depth);
    text.push_str(if objects { "0" } else { "" });
    text.push_str(&close.repeat(depth));
    Json::Raw(text)
}

/// Applies edits to members.
pub fn apply_edits(members: &mut Vec<(String, Json)>, edits: &[Edit]) {
    for edit in edits {
        let n = members.len();
        match edit {
            Edit::Add(k, v) => members.push((k.clone(), v.clone())),
            Edit::Name(name) => {
                if let Some(m) = members.iter_mut().find(|(k, _)| k == "event") {
                    m.1 = Json::Str(name.clone());
                }
            }
            _ if n == 0 => {}
            Edit::Duplicate(i, v, at) => {
                let (k, old) = members[i.index(n)].clone();
                let member = (k, v.clone().unwrap_or(old));
                members.insert(at.index(n + 1), member);
            }
            Edit::Remove(i) => {
                members.remove(i.index(n));
            }
            Edit::Replace(i, v) => members[i.index(n)].1 = v.clone(),
            Edit::Rename(i, k) => members[i.index(n)].0 = k.clone(),
            Edit::Number(i, num) => members[i.index(n)].1 = Json::Raw(num.to_string()),
            Edit::OddString(i, s) => members[i.index(n)].1 = Json::Raw(s.to_string()),
            Edit::Deep(i, depth, objects) => members[i.index(n)].1 = nested(*depth, *objects),
        }
    }
}

/// Bytes the byte-level mutations insert: JSON's structural characters,
/// invalid UTF-8, control bytes, and tokens that change meaning.
pub const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b" ",
    b"\n",
    b"\x0c",
    b"\x00",
    b"\x1f",
    b"\x7f",
    b"\x80",
    b"\xbf",
    b"\xc0\xaf",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf5",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xc3\xa9",
    b"null",
    b"1e400",
    b"-0",
    b"0",
    b"\\ud800",
    b"\\u",
    b"\\u00e9",
    b"\"event\":",
    b",\"msg\":\"x\"",
    b"\"chat_session_typing\"",
];

/// A change to rendered bytes.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// XORs a byte with a non-zero mask.
    Flip(Index, u8),
    /// Cuts the input at a position.
    Truncate(Index),
    /// Inserts a token.
    Insert(Index, &'static [u8]),
    /// Deletes up to 4 bytes.
    Delete(Index, u8),
    /// Replaces up to 4 bytes with a token.
    Replace(Index, u8, &'static [u8]),
}

/// Any byte-level mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        3 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        1 => (any::<Index>(), 1u8..=4).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<Index>(), 1u8..=4, select(TOKENS)).prop_map(|(i, n, t)| Mutation::Replace(i, n, t)),
    ]
}

/// Applies mutations to bytes.
pub fn apply_mutations(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        let n = bytes.len();
        match m {
            Mutation::Insert(at, token) => {
                let at = at.index(n + 1);
                bytes.splice(at..at, token.iter().copied());
            }
            _ if n == 0 => {}
            Mutation::Flip(at, mask) => bytes[at.index(n)] ^= mask,
            Mutation::Truncate(at) => bytes.truncate(at.index(n)),
            Mutation::Delete(at, len) => {
                let at = at.index(n);
                let end = (at + usize::from(*len)).min(n);
                bytes.drain(at..end);
            }
            Mutation::Replace(at, len, token) => {
                let at = at.index(n);
                let end = (at + usize::from(*len)).min(n);
                bytes.splice(at..end, token.iter().copied());
            }
        }
    }
}

/// A rendered event after edits and mutations, at least one of them.
pub fn mutated() -> impl Strategy<Value = (Event, Style, Vec<Edit>, Vec<Mutation>)> {
    mutated_of(CLIENT_EVENTS)
}

/// [`mutated`] over the events of `schema`.
pub fn mutated_of(
    schema: &'static [EventSchema],
) -> impl Strategy<Value = (Event, Style, Vec<Edit>, Vec<Mutation>)> {
    (
        event_of(schema),
        style(),
        vec(edit(), 0..3),
        vec(mutation(), 0..3),
    )
        .prop_filter("at least one change", |(_, _, e, m)| {
            !e.is_empty() || !m.is_empty()
        })
}

/// The bytes of a [`mutated`] case.
pub fn mutated_bytes(event: &Event, style: &Style, edits: &[Edit], muts: &[Mutation]) -> Vec<u8> {
    let mut members = if style.extras {
        event.all_members()
    } else {
        event.canonical_members()
    };
    apply_edits(&mut members, edits);
    let mut bytes = render_members(&members, style);
    apply_mutations(&mut bytes, muts);
    bytes
}

/// `CHATWIRE_PROPTEST_MULTIPLIER`, default 1: how many times the base case
/// counts of the equivalence suites to run.
pub fn multiplier() -> u32 {
    std::env::var("CHATWIRE_PROPTEST_MULTIPLIER")
        .ok()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(1)
}

/// Runs `test` on `base × multiplier` cases of `strategy`, and prints how
/// many and how long.
pub fn check<S: Strategy>(
    name: &str,
    base: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let multiplier = multiplier();
    let cases = base * multiplier;
    // The budget of rejected cases (filters, `prop_assume!`) is for the whole
    // run: it grows with the cases, or a large multiplier aborts the run.
    let defaults = Config::default();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        max_local_rejects: defaults.max_local_rejects * multiplier,
        max_global_rejects: defaults.max_global_rejects * multiplier,
        ..defaults
    });
    let start = std::time::Instant::now();
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    eprintln!("{name}: {cases} cases in {:.1?}", start.elapsed());
}
