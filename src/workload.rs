//! Seeded, deterministic generators of realistic chat traffic, client and
//! server events.
//!
//! The benchmarks and the command line's `gen` subcommand feed these bytes to
//! decoders, so the traffic follows what real chat clients send ("In the
//! field" in the protocol notes), not only the spec's table:
//!
//! - messages of realistic lengths, with non-ASCII text (é, ü, 日本語, emoji),
//!   escaped quotes, backslashes and newlines;
//! - strings escaped the way different JSON libraries escape them: most
//!   clients write UTF-8 as is, others write `\uXXXX` escapes (surrogate
//!   pairs for emoji), escape `<`, `>` and `&` as `\u003c` and so on, or
//!   escape `/` as `\/`;
//! - `msg_id` as `<chatId>:<n>` or as a UUID, `form_request_id` sometimes a
//!   JSON number, extra `party_id` and numeric `timestamp` fields, and the
//!   `"event"` key not always first;
//! - WebRTC signaling whose `data` is an ICE candidate object, an SDP offer or
//!   answer of 2 to 6 KB dense with `\r\n` escapes, or a plain string.
//!
//! Server traffic ([`Workload::Server`], [`Workload::History`]) follows what
//! real servers send rather than the docs' examples:
//!
//! - whole chats: queued (`ewt` often `""`), the scenario joins and greets,
//!   an agent joins, messages, typing, delivery and read receipts, forms,
//!   files, a CRM case, WebRTC calls (`OFFER_CALL` with a multi-kilobyte
//!   SDP, ICE candidates, `END_CALL`), and an end: the agent leaves, or
//!   inactivity warnings then a timeout;
//! - each server's own shape: most sort keys alphabetically (so `"event"` is
//!   rarely first), some write `"event"` first; `timestamp` is Unix seconds
//!   as a quoted string, or a number on some servers, now and then absent;
//! - upper-case UUID party ids, small even decimal `msg_id`s for the
//!   server's messages and odd ones for the client's, `form_request_id` a
//!   string or an integer;
//! - in history, the client's own events carry `party_id` equal to the chat
//!   id and a `timestamp`, in the server's shape.
//!
//! Output is compact JSON: no whitespace outside strings. The same workload,
//! event count and seed give the same bytes on every platform: the generator
//! uses its own 64-bit PRNG (splitmix64) and nothing that depends on pointer
//! width, endianness or hashing. For the line-delimited workloads, the
//! output for `n` events is a prefix of the output for more events.
//!
//! ```
//! use chatwire::workload::{self, Workload};
//!
//! let bytes = workload::generate(Workload::Typing, 3, 7);
//! assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 3);
//! assert_eq!(bytes, workload::generate(Workload::Typing, 3, 7));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

/// Which traffic to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    /// Mixed chat traffic, one event per line: about 45% messages, 30%
    /// typing and not-typing runs, 8% signaling, 7% form data, 6% files and
    /// 4% end or disconnect.
    Mixed,
    /// A typing storm, one event per line: only `chat_session_typing` and
    /// `chat_session_not_typing`, occasionally with a `party_id`.
    Typing,
    /// Signaling-heavy traffic, one event per line: mostly SDP offers and
    /// answers and ICE candidates, a few messages and typing events.
    Signaling,
    /// API envelopes `{"events":[...]}` of 1 to 50 mixed events, one envelope
    /// per line.
    Envelope,
    /// Server traffic, one event per line, in the shapes real servers send
    /// (see the module documentation): chats that are queued,
    /// joined by the scenario and an agent, talk (messages, typing, receipts,
    /// forms, files, WebRTC signaling) and end.
    Server,
    /// Get Chat History answers, one `{"events":[...]}` envelope per line,
    /// each holding one chat in order: the client's events (messages, form
    /// answers, files, page navigation, its end) among the server's.
    History,
}

impl Workload {
    /// Every workload, in the order the benchmarks report them.
    pub const ALL: [Workload; 6] = [
        Workload::Mixed,
        Workload::Typing,
        Workload::Signaling,
        Workload::Envelope,
        Workload::Server,
        Workload::History,
    ];

    /// The workloads of client events, the ones
    /// [`chatwire::from_slice`](crate::from_slice) reads.
    pub const CLIENT: [Workload; 4] = [
        Workload::Mixed,
        Workload::Typing,
        Workload::Signaling,
        Workload::Envelope,
    ];

    /// The workload's name: `"mixed"`, `"typing"`, `"signaling"`,
    /// `"envelope"`, `"server"` or `"history"`; [`FromStr`] parses it back.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Workload::Mixed => "mixed",
            Workload::Typing => "typing",
            Workload::Signaling => "signaling",
            Workload::Envelope => "envelope",
            Workload::Server => "server",
            Workload::History => "history",
        }
    }

    /// Whether each line is a `{"events":[...]}` envelope rather than one
    /// event.
    #[must_use]
    pub fn is_enveloped(self) -> bool {
        matches!(self, Workload::Envelope | Workload::History)
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = UnknownWorkload;

    /// Parses a workload's [`name`](Workload::name), ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Workload::ALL
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownWorkload {
                name: String::from(s),
            })
    }
}

/// The error of parsing a [`Workload`] from a name that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWorkload {
    name: String,
}

impl UnknownWorkload {
    /// The name that was not recognised.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownWorkload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown workload {:?} (expected mixed, typing, signaling, envelope, server or history)",
            self.name
        )
    }
}

impl core::error::Error for UnknownWorkload {}

/// Appends `events` events of `workload`, generated from `seed`, to `out`.
///
/// [`Workload::Mixed`], [`Workload::Typing`], [`Workload::Signaling`] and
/// [`Workload::Server`] write one compact JSON object per line;
/// [`Workload::Envelope`] writes one `{"events":[...]}` envelope of 1 to 50
/// events per line and [`Workload::History`] one envelope per chat, `events`
/// counting the events inside all envelopes (the last envelope may be
/// smaller). Every line ends in `\n`; zero events write nothing.
pub fn write(workload: Workload, events: usize, seed: u64, out: &mut Vec<u8>) {
    let mut g = Gen::new(seed, workload);
    match workload {
        Workload::Envelope => {
            let mut left = events;
            while left > 0 {
                let size = g.envelope_size().min(left);
                out.extend_from_slice(b"{\"events\":[");
                for i in 0..size {
                    if i > 0 {
                        out.push(b',');
                    }
                    g.mixed(out);
                }
                out.extend_from_slice(b"]}\n");
                left -= size;
            }
        }
        Workload::History => {
            let mut left = events;
            while left > 0 {
                out.extend_from_slice(b"{\"events\":[");
                let mut first = true;
                while left > 0 {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    left -= 1;
                    if g.server_event(out, true) {
                        break;
                    }
                }
                out.extend_from_slice(b"]}\n");
            }
        }
        Workload::Mixed | Workload::Typing | Workload::Signaling | Workload::Server => {
            for _ in 0..events {
                match workload {
                    Workload::Typing => g.typing_storm(out),
                    Workload::Signaling => g.signaling_heavy(out),
                    Workload::Server => {
                        g.server_event(out, false);
                    }
                    _ => g.mixed(out),
                }
                out.push(b'\n');
            }
        }
    }
}

/// Same as [`write()`], into a new `Vec`.
#[must_use]
pub fn generate(workload: Workload, events: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write(workload, events, seed, &mut out);
    out
}

// ---------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (Lemire's multiply-shift; the bias is negligible).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------
// Text helpers

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]));
}

fn push_u64(s: &mut String, n: u64) {
    for &b in decimal(n, &mut [0; 20]) {
        s.push(char::from(b));
    }
}

/// `n` zero-padded to `width` digits.
fn push_padded(s: &mut String, n: u64, width: usize) {
    let mut buf = [0; 20];
    let digits = decimal(n, &mut buf);
    for _ in digits.len()..width {
        s.push('0');
    }
    for &b in digits {
        s.push(char::from(b));
    }
}

fn push_hex(s: &mut String, v: u64, digits: u32, upper: bool) {
    let table = if upper { HEX_UPPER } else { HEX_LOWER };
    for i in (0..digits).rev() {
        s.push(char::from(table[((v >> (4 * i)) & 0xF) as usize]));
    }
}

fn push_token(s: &mut String, rng: &mut Rng, len: u64, alphabet: &[u8]) {
    for _ in 0..len {
        s.push(char::from(rng.pick(alphabet)));
    }
}

/// A version 4 UUID, `8-4-4-4-12` hex digits.
fn push_uuid(s: &mut String, rng: &mut Rng, upper: bool) {
    let hi = (rng.next() & !0xF000) | 0x4000;
    let lo = (rng.next() & !(0xC << 60)) | (0x8 << 60);
    push_hex(s, hi >> 32, 8, upper);
    s.push('-');
    push_hex(s, hi >> 16, 4, upper);
    s.push('-');
    push_hex(s, hi, 4, upper);
    s.push('-');
    push_hex(s, lo >> 48, 4, upper);
    s.push('-');
    push_hex(s, lo, 12, upper);
}

// ---------------------------------------------------------------------------
// JSON strings, escaped the way different client libraries escape them

/// How a client's JSON library escapes strings.
#[derive(Clone, Copy, Default)]
struct Style {
    /// `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`… (Go's encoding/json).
    html: bool,
    /// Also `=` and `'` (Gson).
    gson: bool,
    /// Non-ASCII as `\uXXXX`, surrogate pairs beyond the BMP (Python's
    /// `ensure_ascii`, PHP's `json_encode`).
    ascii: bool,
    /// Upper-case hex digits in `\u` escapes.
    upper: bool,
    /// `/` as `\/` (PHP).
    slash: bool,
}

impl Style {
    /// JavaScript's `JSON.stringify`, serde_json: only what must be escaped.
    const PLAIN: Style = Style {
        html: false,
        gson: false,
        ascii: false,
        upper: false,
        slash: false,
    };

    fn pick(rng: &mut Rng) -> Style {
        let p = Style::PLAIN;
        match rng.below(100) {
            0..64 => p,
            64..74 => Style { html: true, ..p },
            74..80 => Style {
                html: true,
                gson: true,
                ..p
            },
            80..92 => Style { ascii: true, ..p },
            92..97 => Style {
                ascii: true,
                slash: true,
                ..p
            },
            _ => Style {
                ascii: true,
                upper: true,
                ..p
            },
        }
    }
}

fn put_unit(out: &mut Vec<u8>, unit: u16, upper: bool) {
    let table = if upper { HEX_UPPER } else { HEX_LOWER };
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(table[usize::from((unit >> shift) & 0xF)]);
    }
}

/// Writes `s` as a JSON string literal.
fn put_str(out: &mut Vec<u8>, s: &str, style: Style) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let short: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '\u{8}' => b"\\b",
            '\u{c}' => b"\\f",
            '/' if style.slash => b"\\/",
            _ => b"",
        };
        let unicode = c < ' '
            || (style.html && matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}'))
            || (style.gson && matches!(c, '=' | '\''))
            || (style.ascii && !c.is_ascii());
        if short.is_empty() && !unicode {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + c.len_utf8();
        if short.is_empty() {
            for unit in c.encode_utf16(&mut [0; 2]).iter() {
                put_unit(out, *unit, style.upper);
            }
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

// ---------------------------------------------------------------------------
// Corpora

const SHORT: &[&str] = &[
    "hi",
    "Hello!",
    "hello?",
    "ok",
    "ok 👍",
    "thanks",
    "Thank you!",
    "yes",
    "no",
    "yes please",
    "one moment",
    "sure",
    "what?",
    "Great, thanks 🙏",
    "any update?",
    "👍",
    "ok, I'll wait",
    "Perfect!",
    "Gracias 😊",
    "Danke!",
    "merci",
    "はい",
    "got it",
    "sorry, typo",
    "That works for me.",
    "nope, still broken",
    "Bye!",
];

const SENTENCES: &[&str] = &[
    "Hello, I need help with my order.",
    "I ordered a pair of headphones last week and they still haven't arrived.",
    "My order number is A-10423, placed on 11/18.",
    "The tracking page says \"label created\" but nothing has moved since Monday.",
    "Can you check if the package was shipped to the right address?",
    "I was charged twice for the same subscription & I'd like a refund for one of them.",
    "The app shows <Error 502> when I try to log in.",
    "I tried resetting my password but the link in the email doesn't work.",
    "Here is the link: https://shop.example.com/orders/A-10423?ref=mail&lang=en",
    "My invoice is saved at C:\\Users\\anna\\Downloads\\invoice_2024-11.pdf",
    "Could you send a copy of the receipt to jane.doe@example.com?",
    "I'm on the 'Premium' plan, billed monthly.",
    "Is it possible to change the delivery date to Friday?",
    "The total should be 49.99 EUR, not 59.99 EUR.",
    "I'd rate the product 5/5 if it actually worked 😅",
    "Bonjour, je n'ai pas reçu ma commande, pouvez-vous vérifier ?",
    "Guten Tag, die Lieferung ist überfällig und ich würde gern wissen, wo mein Paket ist.",
    "Können Sie mir bitte die Rechnung noch einmal schicken? Danke schön!",
    "¿Dónde está mi pedido? Lo compré hace dos semanas.",
    "注文した商品がまだ届いていません。確認していただけますか？",
    "日本語で対応していただけますか。",
    "Здравствуйте, у меня проблема с оплатой картой.",
    "我的订单还没有发货，请帮我查一下。",
    "Olá! Gostaria de cancelar a minha assinatura, por favor.",
    "Thanks so much for your help today! 🎉",
    "My family 👨‍👩‍👧 loves it, but the charger is broken.",
    "Shipping to 🇩🇪 should be free, right?",
    "Café, naïve, résumé — sorry, testing my new keyboard.",
    "The name on the card is Zoe\u{308} Brontë.",
    "Line one of the address\nLine two: Apt. 4B",
    "Steps I tried:\n1. restart\n2. reinstall\n3. clear the cache",
    "From the export: ID\tName\tQty",
    "It says: {\"error\":\"invalid_token\",\"code\":401}",
    "I can't upload the photo, it's too large (12 MB).",
    "Ok, I'll try that now and let you know.",
    "Still not working, same error as before.",
    "Could I speak to a supervisor please?",
    "My account id is 88231-XQ and my postcode is 10115.",
    "The coupon code SAVE=20 was rejected at checkout.",
    "I'm using Chrome 131 on Windows 11, if that helps.",
    "The \"Submit\" button is greyed out on the last step.",
    "Please don't close the chat, I'm still looking for the number.",
];

const EMOJI: &[&str] = &["😊", "🙏", "👍", "😅", "🎉", "❤️", "😡", "🤔"];

const FORM_NAMES: &[&str] = &[
    "survey",
    "pre_chat",
    "contact_info",
    "callback_request",
    "csat",
    "address_change",
    "order_lookup",
    "Kundenzufriedenheit",
];

const FORM_FIELDS: [&str; 16] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "order_number",
    "account_id",
    "rating",
    "comment",
    "country",
    "city",
    "postal_code",
    "street",
    "preferred_contact",
    "consent",
    "language",
    "callback_time",
];

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "José",
    "Jürgen",
    "Zoë",
    "Chloé",
    "太郎",
    "Ольга",
    "Mohammed",
    "Siobhán",
    "Li",
    "Emma",
];
const LAST_NAMES: &[&str] = &[
    "Müller",
    "García",
    "O'Brien",
    "田中",
    "Nguyễn",
    "Smith",
    "Kowalski",
    "van der Berg",
    "Øvergård",
];
const MAIL_USERS: &[&str] = &["jane.doe", "m.mueller", "jose+orders", "tanaka.taro", "a_b"];
const MAIL_HOSTS: &[&str] = &["example.com", "example.org", "mail.example.net"];
const COUNTRIES: &[&str] = &[
    "DE",
    "Deutschland",
    "United States",
    "日本",
    "España",
    "Österreich",
    "France",
];
const CITIES: &[&str] = &[
    "Berlin",
    "München",
    "Zürich",
    "São Paulo",
    "東京",
    "New York",
    "Kraków",
];
const STREETS: &[&str] = &[
    "Hauptstraße 12",
    "221B Baker Street",
    "Calle de Alcalá 48, 3º izq.",
    "1600 Amphitheatre Pkwy, Bldg. \"C\"",
    "Rue de l'Église 7",
];
const LANGUAGES: &[&str] = &["de-DE", "en-US", "fr-FR", "ja-JP", "es-ES"];

const IMAGE_NAMES: &[&str] = &[
    "IMG_20241125_143012.jpg",
    "screenshot 2024-11-25 at 14.30.12.png",
    "фото.jpg",
    "error.png",
];
const ATTACHMENT_NAMES: &[&str] = &[
    "invoice_2024-11.pdf",
    "Kündigung.docx",
    "log (1).txt",
    "order-A-10423.pdf",
];

const SIGNALING_TOKENS: &[&str] = &[
    "bye",
    "hangup",
    "renegotiate",
    "ice-restart",
    "mute:audio",
    "unmute:audio",
    "camera:off",
];

const AUDIO_EXTMAP: &[&str] = &[
    "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "4 urn:ietf:params:rtp-hdrext:sdes:mid",
];

const AUDIO_CODECS: &[&str] = &[
    "a=rtpmap:111 opus/48000/2",
    "a=rtcp-fb:111 transport-cc",
    "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=rtpmap:63 red/48000/2",
    "a=fmtp:63 111/111",
    "a=rtpmap:9 G722/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:13 CN/8000",
    "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000",
];

const VIDEO_EXTMAP: &[&str] = &[
    "14 urn:ietf:params:rtp-hdrext:toffset",
    "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "13 urn:3gpp:video-orientation",
    "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
    "6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type",
    "7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing",
    "8 http://www.webrtc.org/experiments/rtp-hdrext/color-space",
    "4 urn:ietf:params:rtp-hdrext:sdes:mid",
    "10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
];

/// Video codecs in Chrome's order: payload type, its RTX payload type, name,
/// format parameters.
const VIDEO_CODECS: &[(u64, u64, &str, &str)] = &[
    (96, 97, "VP8", ""),
    (98, 99, "VP9", "profile-id=0"),
    (100, 101, "VP9", "profile-id=2"),
    (
        102,
        103,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
    ),
    (
        104,
        105,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
    ),
    (
        106,
        107,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    ),
    (
        108,
        109,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
    ),
    (
        127,
        125,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
    ),
    (
        39,
        40,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f",
    ),
    (45, 46, "AV1", "level-idx=5;profile=0;tier=0"),
    (
        112,
        113,
        "H264",
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f",
    ),
];

const VIDEO_FEEDBACK: &[&str] = &["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"];

// ---------------------------------------------------------------------------
// One event under construction

/// A field whose value is already serialized in `EventBuf::vals`.
struct Slot {
    key: &'static str,
    start: usize,
    end: usize,
}

/// The fields of the event being generated, so the `"event"` key can go
/// anywhere among them.
struct EventBuf {
    style: Style,
    vals: Vec<u8>,
    fields: Vec<Slot>,
}

impl EventBuf {
    fn str_field(&mut self, key: &'static str, text: &str) {
        let start = self.vals.len();
        put_str(&mut self.vals, text, self.style);
        self.close(key, start);
    }

    fn num_field(&mut self, key: &'static str, n: u64) {
        let start = self.vals.len();
        put_u64(&mut self.vals, n);
        self.close(key, start);
    }

    /// Ends a field whose value was written to `vals` from `start` on.
    fn close(&mut self, key: &'static str, start: usize) {
        let end = self.vals.len();
        self.fields.push(Slot { key, start, end });
    }

    /// Writes the event with its `"event"` key at field position `at`.
    fn finish(&self, out: &mut Vec<u8>, name: &str, at: usize) {
        out.push(b'{');
        for i in 0..=self.fields.len() {
            if i == at {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"event\":");
                put_str(out, name, self.style);
            }
            if let Some(slot) = self.fields.get(i) {
                if i > 0 || at == 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(slot.key.as_bytes());
                out.extend_from_slice(b"\":");
                out.extend_from_slice(&self.vals[slot.start..slot.end]);
            }
        }
        out.push(b'}');
    }
}

impl EventBuf {
    /// Writes the fields as one object the way a server does: keys sorted
    /// alphabetically, or `"event"` (if any) first and the rest in the order
    /// they were added.
    fn finish_server(&self, out: &mut Vec<u8>, name: Option<&str>, sorted: bool) {
        let mut order: [usize; 16] = [0; 16];
        let n = self.fields.len().min(order.len());
        for (i, slot) in order.iter_mut().enumerate().take(n) {
            *slot = i;
        }
        if sorted {
            order[..n].sort_unstable_by_key(|&i| self.fields[i].key);
        }
        out.push(b'{');
        let mut event_pending = name;
        let mut comma = false;
        let put_event = |out: &mut Vec<u8>, comma: &mut bool, name: &str| {
            if *comma {
                out.push(b',');
            }
            out.extend_from_slice(b"\"event\":");
            put_str(out, name, self.style);
            *comma = true;
        };
        for &i in &order[..n] {
            let slot = &self.fields[i];
            if let Some(name) = event_pending
                && (!sorted || slot.key > "event")
            {
                put_event(out, &mut comma, name);
                event_pending = None;
            }
            if comma {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(slot.key.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(&self.vals[slot.start..slot.end]);
            comma = true;
        }
        if let Some(name) = event_pending {
            put_event(out, &mut comma, name);
        }
        out.push(b'}');
    }
}

// ---------------------------------------------------------------------------
// The generator

/// One chat session of one client.
struct Session {
    chat_id: String,
    /// This client writes UUID message ids rather than `<chatId>:<n>`.
    uuid_ids: bool,
    /// Its UUIDs are upper-case (as iOS's `NSUUID` writes them).
    upper_ids: bool,
    msg_no: u64,
    party_id: String,
    agent_id: String,
    ufrag: String,
    pwd: String,
    fingerprint: String,
}

impl Session {
    fn new(rng: &mut Rng) -> Session {
        let mut chat_id = String::new();
        if rng.percent(50) {
            push_uuid(&mut chat_id, rng, false);
        } else {
            let digits = rng.range(6, 12) as u32;
            push_hex(&mut chat_id, rng.next(), digits, false);
        }
        let mut party_id = String::new();
        if rng.percent(60) {
            push_hex(&mut party_id, rng.next(), 16, true);
            push_hex(&mut party_id, rng.next(), 16, true);
        } else {
            push_uuid(&mut party_id, rng, false);
        }
        let mut agent_id = String::new();
        if rng.percent(50) {
            agent_id.push_str("agent-");
            push_u64(&mut agent_id, rng.range(1, 250));
        } else {
            push_hex(&mut agent_id, rng.next(), 16, true);
            push_hex(&mut agent_id, rng.next(), 16, true);
        }
        let mut ufrag = String::new();
        push_token(&mut ufrag, rng, 4, BASE64);
        let mut pwd = String::new();
        push_token(&mut pwd, rng, 24, BASE64);
        let mut fingerprint = String::from("sha-256 ");
        for i in 0..32 {
            if i > 0 {
                fingerprint.push(':');
            }
            push_hex(&mut fingerprint, rng.next(), 2, true);
        }
        Session {
            chat_id,
            uuid_ids: rng.percent(40),
            upper_ids: rng.percent(25),
            msg_no: rng.range(1, 3),
            party_id,
            agent_id,
            ufrag,
            pwd,
            fingerprint,
        }
    }
}

struct Gen {
    rng: Rng,
    ev: EventBuf,
    session: Session,
    /// Milliseconds since the Unix epoch, for `timestamp` fields.
    clock: u64,
    /// Typing events still to come in the current burst.
    burst_left: u64,
    /// Whether the last typing event said the user is typing.
    typing: bool,
    /// Scratch text.
    a: String,
    b: String,
    /// Scratch JSON, for signaling data sent as a string.
    inner: Vec<u8>,
    /// The chat of the server workloads.
    chat: Chat,
    /// The signaling `data` object under construction.
    data: EventBuf,
}

impl Gen {
    fn new(seed: u64, workload: Workload) -> Gen {
        // Different workloads with the same seed should not share a prefix
        // of random choices.
        let mut rng = Rng(seed ^ (workload as u64).wrapping_mul(0xA076_1D64_78BD_642F));
        let clock = 1_732_550_400_000 + rng.below(30 * 86_400_000);
        let session = Session::new(&mut rng);
        // Only the server workloads draw a chat, so the client workloads'
        // bytes stay what they were.
        let chat = if matches!(workload, Workload::Server | Workload::History) {
            Chat::new(&mut rng)
        } else {
            Chat::default()
        };
        Gen {
            rng,
            ev: EventBuf {
                style: Style::PLAIN,
                vals: Vec::new(),
                fields: Vec::new(),
            },
            session,
            clock,
            burst_left: 0,
            typing: false,
            a: String::new(),
            b: String::new(),
            inner: Vec::new(),
            chat,
            data: EventBuf {
                style: Style::PLAIN,
                vals: Vec::new(),
                fields: Vec::new(),
            },
        }
    }

    fn begin(&mut self) {
        self.ev.vals.clear();
        self.ev.fields.clear();
        self.ev.style = Style::pick(&mut self.rng);
        self.clock += self.rng.range(40, 12_000);
    }

    /// Adds the extra fields real clients send, places the `"event"` key and
    /// writes the event.
    fn finish(&mut self, out: &mut Vec<u8>, name: &str, party_pct: u64, timestamp_pct: u64) {
        if self.rng.percent(party_pct) {
            self.ev.str_field("party_id", &self.session.party_id);
        }
        if self.rng.percent(timestamp_pct) {
            self.ev.num_field("timestamp", self.clock);
        }
        let n = self.ev.fields.len() as u64;
        let at = if n == 0 || self.rng.percent(80) {
            0
        } else if n == 1 || self.rng.percent(50) {
            n
        } else {
            self.rng.range(1, n - 1)
        };
        self.ev.finish(out, name, at as usize);
    }

    fn msg_id(&mut self) {
        self.a.clear();
        if self.session.uuid_ids {
            push_uuid(&mut self.a, &mut self.rng, self.session.upper_ids);
        } else {
            self.a.push_str(&self.session.chat_id);
            self.a.push(':');
            push_u64(&mut self.a, self.session.msg_no);
        }
        self.session.msg_no += 1;
        self.ev.str_field("msg_id", &self.a);
    }

    // --- workloads -------------------------------------------------------

    fn mixed(&mut self, out: &mut Vec<u8>) {
        if self.burst_left > 0 {
            self.burst_left -= 1;
            return self.typing_event(out, 10, 15);
        }
        // Per mille of fresh choices. A typing burst averages 2.5 events, so
        // 146 of them make about 30% of all events; the other weights keep
        // the 45 : 8 : 7 : 6 : 4 proportions among the rest.
        match self.rng.below(1000) {
            0..146 => {
                self.typing = false;
                self.burst_left = self.rng.range(0, 3);
                self.typing_event(out, 10, 15);
            }
            146..695 => self.message(out),
            695..793 => self.signaling(out, 55, 30),
            793..878 => self.form_data(out),
            878..951 => self.file(out),
            _ => self.end(out),
        }
    }

    fn typing_storm(&mut self, out: &mut Vec<u8>) {
        self.ev.vals.clear();
        self.ev.fields.clear();
        self.ev.style = Style::PLAIN;
        // Mostly alternating; some clients repeat "typing" while the user
        // keeps typing.
        self.typing = !self.typing || self.rng.percent(15);
        let name = if self.typing {
            "chat_session_typing"
        } else {
            "chat_session_not_typing"
        };
        if self.rng.percent(3) {
            self.ev.str_field("party_id", &self.session.party_id);
        }
        let at = if self.rng.percent(50) { 0 } else { 1 };
        self.ev.finish(out, name, at.min(self.ev.fields.len()));
    }

    fn signaling_heavy(&mut self, out: &mut Vec<u8>) {
        match self.rng.below(100) {
            0..88 => self.signaling(out, 50, 42),
            88..96 => self.message(out),
            _ => {
                self.typing = false;
                self.typing_event(out, 10, 15);
            }
        }
    }

    fn envelope_size(&mut self) -> usize {
        let size = match self.rng.below(100) {
            0..50 => self.rng.range(1, 5),
            50..80 => self.rng.range(6, 20),
            _ => self.rng.range(21, 50),
        };
        size as usize
    }

    // --- events ----------------------------------------------------------

    fn typing_event(&mut self, out: &mut Vec<u8>, party_pct: u64, timestamp_pct: u64) {
        self.begin();
        self.typing = !self.typing || self.rng.percent(10);
        let name = if self.typing {
            "chat_session_typing"
        } else {
            "chat_session_not_typing"
        };
        self.finish(out, name, party_pct, timestamp_pct);
    }

    fn message(&mut self, out: &mut Vec<u8>) {
        self.begin();
        self.msg_id();
        self.b.clear();
        let r = self.rng.below(100);
        if r < 30 {
            self.b.push_str(self.rng.pick(SHORT));
        } else {
            let sentences = if r < 80 {
                self.rng.range(1, 2)
            } else {
                self.rng.range(3, 7)
            };
            let count = SENTENCES.len() as u64;
            let mut previous = count;
            for i in 0..sentences {
                if i > 0 {
                    self.b.push_str(match self.rng.below(100) {
                        0..88 => " ",
                        88..97 => "\n",
                        _ => "\n\n",
                    });
                }
                // No sentence twice in a row.
                let mut next = self.rng.below(count);
                if next == previous {
                    next = (next + 1) % count;
                }
                previous = next;
                self.b.push_str(SENTENCES[next as usize]);
            }
        }
        if self.rng.percent(8) {
            self.b.push(' ');
            self.b.push_str(self.rng.pick(EMOJI));
        }
        self.ev.str_field("msg", &self.b);
        self.finish(out, "chat_session_message", 15, 25);
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        self.begin();
        let name = if self.rng.percent(55) {
            "chat_session_end"
        } else {
            "chat_session_disconnect"
        };
        self.finish(out, name, 15, 25);
        self.session = Session::new(&mut self.rng);
        self.typing = false;
    }

    fn file(&mut self, out: &mut Vec<u8>) {
        self.begin();
        self.msg_id();
        let image = self.rng.percent(60);
        self.ev
            .str_field("file_type", if image { "image" } else { "attachment" });
        self.a.clear();
        match self.rng.below(10) {
            0..4 => push_uuid(&mut self.a, &mut self.rng, false),
            4..7 => {
                self.a.push_str("f-");
                push_u64(&mut self.a, self.rng.range(1000, 999_999));
            }
            _ => {
                self.a.push_str("upl_");
                push_token(&mut self.a, &mut self.rng, 24, ALNUM);
            }
        }
        self.ev.str_field("file_id", &self.a);
        if self.rng.percent(25) {
            let names = if image { IMAGE_NAMES } else { ATTACHMENT_NAMES };
            self.ev.str_field("file_name", self.rng.pick(names));
        }
        self.finish(out, "chat_session_file", 15, 25);
    }

    fn form_data(&mut self, out: &mut Vec<u8>) {
        self.begin();
        let start = self.ev.vals.len();
        match self.rng.below(10) {
            0..3 => put_u64(&mut self.ev.vals, self.rng.range(1, 99_999)),
            3..7 => {
                self.a.clear();
                push_u64(&mut self.a, self.rng.range(1, 99_999));
                put_str(&mut self.ev.vals, &self.a, self.ev.style);
            }
            _ => {
                self.a.clear();
                push_uuid(&mut self.a, &mut self.rng, false);
                put_str(&mut self.ev.vals, &self.a, self.ev.style);
            }
        }
        self.ev.close("form_request_id", start);
        self.ev.str_field("form_name", self.rng.pick(FORM_NAMES));

        // A few to a dozen distinct fields: a partial Fisher-Yates shuffle.
        let mut order: [u8; FORM_FIELDS.len()] = [0; FORM_FIELDS.len()];
        for (i, slot) in order.iter_mut().enumerate() {
            *slot = i as u8;
        }
        let count = self.rng.range(2, 12) as usize;
        let start = self.ev.vals.len();
        self.ev.vals.push(b'{');
        for i in 0..count {
            let j = i + self.rng.below((order.len() - i) as u64) as usize;
            order.swap(i, j);
            let field = usize::from(order[i]);
            if i > 0 {
                self.ev.vals.push(b',');
            }
            put_str(&mut self.ev.vals, FORM_FIELDS[field], self.ev.style);
            self.ev.vals.push(b':');
            self.form_value(field);
        }
        self.ev.vals.push(b'}');
        self.ev.close("data", start);
        self.finish(out, "chat_session_form_data", 15, 25);
    }

    /// Writes the value of form field `FORM_FIELDS[field]` to the event.
    fn form_value(&mut self, field: usize) {
        let rng = &mut self.rng;
        let s = &mut self.a;
        s.clear();
        match FORM_FIELDS[field] {
            "first_name" => s.push_str(rng.pick(FIRST_NAMES)),
            "last_name" => s.push_str(rng.pick(LAST_NAMES)),
            "email" => {
                s.push_str(rng.pick(MAIL_USERS));
                s.push('@');
                s.push_str(rng.pick(MAIL_HOSTS));
            }
            "phone" => {
                if rng.percent(50) {
                    s.push_str("+49 30 ");
                    push_u64(s, rng.range(1_000_000, 99_999_999));
                } else {
                    s.push_str("(555) 010-");
                    push_padded(s, rng.below(10_000), 4);
                }
            }
            "order_number" => {
                if rng.percent(20) {
                    return put_u64(&mut self.ev.vals, rng.range(100_000, 999_999));
                }
                s.push_str("A-");
                push_u64(s, rng.range(10_000, 99_999));
            }
            "account_id" => {
                push_u64(s, rng.range(10_000, 99_999));
                s.push('-');
                push_token(s, rng, 2, &ALNUM[..26]);
            }
            "rating" => {
                if rng.percent(50) {
                    return put_u64(&mut self.ev.vals, rng.range(1, 5));
                }
                push_u64(s, rng.range(1, 5));
            }
            "comment" => {
                s.push_str(rng.pick(SENTENCES));
                if rng.percent(40) {
                    s.push(' ');
                    s.push_str(rng.pick(SENTENCES));
                }
            }
            "country" => s.push_str(rng.pick(COUNTRIES)),
            "city" => s.push_str(rng.pick(CITIES)),
            "postal_code" => push_padded(s, rng.below(100_000), 5),
            "street" => s.push_str(rng.pick(STREETS)),
            "preferred_contact" => s.push_str(rng.pick(&["email", "phone", "chat"])),
            "consent" => {
                let yes = rng.percent(70);
                if rng.percent(60) {
                    let literal: &[u8] = if yes { b"true" } else { b"false" };
                    return self.ev.vals.extend_from_slice(literal);
                }
                s.push_str(if yes { "yes" } else { "no" });
            }
            "language" => s.push_str(rng.pick(LANGUAGES)),
            _ => {
                // callback_time, ISO 8601 with an offset.
                s.push_str("2024-");
                push_padded(s, rng.range(1, 12), 2);
                s.push('-');
                push_padded(s, rng.range(1, 28), 2);
                s.push('T');
                push_padded(s, rng.range(8, 19), 2);
                s.push_str(rng.pick(&[":00:00", ":15:00", ":30:00", ":45:00"]));
                s.push_str(rng.pick(&["+01:00", "Z", "-05:00", "+09:00"]));
            }
        }
        put_str(&mut self.ev.vals, &self.a, self.ev.style);
    }

    /// A `chat_session_signaling` event: `candidate_pct` percent ICE
    /// candidates, `sdp_pct` percent SDP offers or answers, the rest with a
    /// string `data`.
    fn signaling(&mut self, out: &mut Vec<u8>, candidate_pct: u64, sdp_pct: u64) {
        self.begin();
        self.msg_id();
        self.ev
            .str_field("destination_party_id", &self.session.agent_id);
        let start = self.ev.vals.len();
        let r = self.rng.below(100);
        if r < candidate_pct {
            let mut vals = core::mem::take(&mut self.ev.vals);
            self.candidate_json(&mut vals, self.ev.style);
            self.ev.vals = vals;
        } else if r < candidate_pct + sdp_pct {
            let mut vals = core::mem::take(&mut self.ev.vals);
            self.sdp_json(&mut vals, self.ev.style);
            self.ev.vals = vals;
        } else if self.rng.percent(60) {
            // The signaling message stringified, as many clients send it:
            // JSON inside a JSON string, every escape escaped again.
            let mut inner = core::mem::take(&mut self.inner);
            inner.clear();
            if self.rng.percent(70) {
                self.candidate_json(&mut inner, Style::PLAIN);
            } else {
                self.sdp_json(&mut inner, Style::PLAIN);
            }
            if let Ok(text) = core::str::from_utf8(&inner) {
                put_str(&mut self.ev.vals, text, self.ev.style);
            }
            self.inner = inner;
        } else {
            put_str(
                &mut self.ev.vals,
                self.rng.pick(SIGNALING_TOKENS),
                self.ev.style,
            );
        }
        self.ev.close("data", start);
        self.finish(out, "chat_session_signaling", 10, 20);
    }

    /// `{"candidate":"candidate:…","sdpMid":"0","sdpMLineIndex":0}`.
    fn candidate_json(&mut self, out: &mut Vec<u8>, style: Style) {
        self.a.clear();
        // Now and then the empty end-of-candidates candidate.
        if !self.rng.percent(3) {
            self.a.push_str("candidate:");
            let component = if self.rng.percent(85) { 1 } else { 2 };
            candidate(&mut self.a, &mut self.rng, &self.session.ufrag, component);
        }
        let line = self.rng.below(2);
        out.extend_from_slice(b"{\"candidate\":");
        put_str(out, &self.a, style);
        out.extend_from_slice(b",\"sdpMid\":");
        put_str(out, if line == 0 { "0" } else { "1" }, style);
        out.extend_from_slice(b",\"sdpMLineIndex\":");
        put_u64(out, line);
        if self.rng.percent(30) {
            out.extend_from_slice(b",\"usernameFragment\":");
            put_str(out, &self.session.ufrag, style);
        }
        out.push(b'}');
    }

    /// `{"type":"offer","sdp":"v=0\r\n…"}`, or an answer.
    fn sdp_json(&mut self, out: &mut Vec<u8>, style: Style) {
        let offer = self.rng.percent(55);
        self.a.clear();
        sdp(&mut self.a, &mut self.rng, &self.session, offer);
        let kind = if offer { "offer" } else { "answer" };
        if self.rng.percent(85) {
            out.extend_from_slice(b"{\"type\":");
            put_str(out, kind, style);
            out.extend_from_slice(b",\"sdp\":");
            put_str(out, &self.a, style);
        } else {
            out.extend_from_slice(b"{\"sdp\":");
            put_str(out, &self.a, style);
            out.extend_from_slice(b",\"type\":");
            put_str(out, kind, style);
        }
        out.push(b'}');
    }
}

// ---------------------------------------------------------------------------
// Server traffic

const AGENT_SHORT: &[&str] = &[
    "Sure!",
    "One moment please.",
    "Of course.",
    "You're welcome!",
    "Done ✅",
    "Got it, thanks.",
    "Let me check.",
    "Perfect 👍",
    "Bitte sehr!",
    "D'accord.",
    "少々お待ちください。",
    "Still there?",
];

const AGENT_SENTENCES: &[&str] = &[
    "Thank you for contacting Example Support, my name is Anna. How can I help you today?",
    "Let me check that for you, one moment please.",
    "I can see your order A-10423 was shipped on 11/20 via DHL.",
    "Could you please confirm the email address on the account?",
    "I've issued a refund of 59.99 EUR; it will show up in 3–5 business days.",
    "Please try clearing your browser cache (Settings > Privacy > \"Clear browsing data\") and log in again.",
    "Here is the tracking link: https://track.example.com/?id=00340434161094042557&lang=en",
    "Vielen Dank für Ihre Geduld! Ich habe die Rechnung erneut an Ihre E-Mail-Adresse gesendet.",
    "Désolé pour le retard, votre colis est en cours de livraison.",
    "ご不便をおかけして申し訳ありません。確認いたします。",
    "Is there anything else I can help you with? 😊",
    "Steps:\n1. Open the app\n2. Tap \"Account\"\n3. Choose 'Reset password'",
    "The log files are in C:\\ProgramData\\Example\\logs, could you attach the newest one?",
    "Thanks for chatting with us today. Have a great day!",
    "I'm transferring you to our billing team, they can change the plan for you.",
    "The coupon <SAVE20> expired on 11/30, but I can apply a 10% discount instead.",
    "Your new password must have at least 12 characters & one digit.",
    "¡Claro! Le envío el enlace para cambiar la dirección de entrega.",
    "Я проверила ваш заказ, он будет доставлен завтра.",
    "I have escalated this to our technical team (ticket #88231); you'll get an email within 24 hours.",
];

const GREETINGS: &[&str] = &[
    "Please wait for the next available agent",
    "Thank you for contacting us. An agent will be with you shortly.",
    "All our agents are busy; your estimated wait time is 2 minutes.",
    "Willkommen! Ein Mitarbeiter ist gleich für Sie da.",
];

const WARNINGS: &[&str] = &[
    "Are you still there?",
    "This chat will close in 2 minutes due to inactivity.",
    "Êtes-vous toujours là ?",
];

const TIMEOUTS: &[&str] = &[
    "Your session has expired due to inactivity.",
    "The chat was closed because we did not hear from you.",
];

const PAGES: &[(&str, &str)] = &[
    ("https://shop.example.com/cart", "Your cart"),
    (
        "https://shop.example.com/orders/A-10423?ref=chat",
        "Order A-10423 – Details",
    ),
    (
        "https://shop.example.com/help/returns#label",
        "Returns & refunds",
    ),
    (
        "https://shop.example.com/de/konto",
        "Mein Konto – Übersicht",
    ),
];

/// How the chat ends.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Ending {
    /// The agent leaves and the server completes the session.
    #[default]
    Agent,
    /// The client sends `chat_session_end` (seen in history only).
    Client,
    /// The client goes quiet: warnings, then the inactivity timeout.
    Inactive,
}

/// One chat as the server sees it, and the shape its server writes.
#[derive(Default)]
struct Chat {
    chat_id: String,
    scenario_id: String,
    agent_id: String,
    agent_first: &'static str,
    agent_last: &'static str,
    /// Keys sorted alphabetically (else `"event"` first).
    sorted: bool,
    /// `timestamp` as a JSON number rather than a quoted one.
    numeric_time: bool,
    /// Messages carry `"channel":"web"`.
    channel: bool,
    form_numeric: bool,
    style: Style,
    /// The server's next message id (even) and the client's (odd).
    server_no: u64,
    client_no: u64,
    /// Where the chat is: 0 to 4 opening, 5 talking, 6 on closing.
    phase: u8,
    /// Events of talk left.
    talk: u64,
    ending: Ending,
    agent_typing: bool,
    in_call: bool,
    /// A `chat_session_form_show` the client answers next (history).
    form: Option<(u64, &'static str)>,
}

impl Chat {
    fn new(rng: &mut Rng) -> Chat {
        let mut chat_id = String::new();
        push_uuid(&mut chat_id, rng, false);
        let mut scenario_id = String::new();
        push_uuid(&mut scenario_id, rng, true);
        let mut agent_id = String::new();
        push_uuid(&mut agent_id, rng, true);
        let p = Style::PLAIN;
        let style = match rng.below(10) {
            0..7 => p,
            7..9 => Style { ascii: true, ..p },
            _ => Style { html: true, ..p },
        };
        Chat {
            chat_id,
            scenario_id,
            agent_id,
            agent_first: rng.pick(FIRST_NAMES),
            agent_last: rng.pick(LAST_NAMES),
            sorted: rng.percent(70),
            numeric_time: rng.percent(15),
            channel: rng.percent(30),
            form_numeric: rng.percent(30),
            style,
            server_no: 0,
            client_no: 1,
            phase: 0,
            talk: rng.range(6, 60),
            ending: match rng.below(100) {
                0..55 => Ending::Agent,
                55..80 => Ending::Client,
                _ => Ending::Inactive,
            },
            agent_typing: false,
            in_call: false,
            form: None,
        }
    }
}

impl Gen {
    /// Writes the next event of the chat, as a server writes it (`history`:
    /// the chat's history, the client's events included). Returns whether
    /// the chat ended with it; the next event starts a new one.
    fn server_event(&mut self, out: &mut Vec<u8>, history: bool) -> bool {
        self.ev.vals.clear();
        self.ev.fields.clear();
        self.ev.style = self.chat.style;
        self.clock += self.rng.range(300, 20_000);
        let mut step = self.chat.phase;
        if step == 5 && self.chat.talk == 0 && self.chat.form.is_none() {
            step = 6;
        }
        if step != 5 {
            self.chat.phase = step + 1;
        }
        let ended = step == 8;
        let name = match step {
            0 => self.status("queued"),
            1 => {
                let id = core::mem::take(&mut self.chat.scenario_id);
                let name = self.party_joined(&id, "scenario");
                self.chat.scenario_id = id;
                name
            }
            2 => {
                let id = core::mem::take(&mut self.chat.scenario_id);
                self.b.clear();
                self.b.push_str(self.rng.pick(GREETINGS));
                let name = self.server_message(&id, false);
                self.chat.scenario_id = id;
                name
            }
            3 => self.status("connected"),
            4 => {
                let id = core::mem::take(&mut self.chat.agent_id);
                let name = self.party_joined(&id, "internal");
                self.chat.agent_id = id;
                name
            }
            5 => {
                self.chat.talk = self.chat.talk.saturating_sub(1);
                self.talk(history)
            }
            _ => self.closing(step - 6, history),
        };
        let name = if name.is_empty() {
            // The client's own end, written in its place.
            "chat_session_end"
        } else {
            name
        };
        self.ev.finish_server(out, Some(name), self.chat.sorted);
        if ended {
            self.chat = Chat::new(&mut self.rng);
            self.session = Session::new(&mut self.rng);
        }
        ended
    }

    /// One of the three events that end the chat.
    fn closing(&mut self, step: u8, history: bool) -> &'static str {
        let ending = match self.chat.ending {
            Ending::Client if !history => Ending::Agent,
            other => other,
        };
        match (ending, step) {
            (Ending::Inactive, 0 | 1) => {
                self.opt_text("msg", WARNINGS, 90);
                self.time();
                "chat_session_timeout_warning"
            }
            (Ending::Inactive, 2) => {
                self.opt_text("msg", TIMEOUTS, 80);
                self.time();
                "chat_session_inactivity_timeout"
            }
            (Ending::Client, 0) => {
                self.ev.str_field("party_id", &self.chat.chat_id);
                self.time();
                ""
            }
            (Ending::Agent, 0) | (Ending::Client, 1) => {
                self.ev.str_field("party_id", &self.chat.agent_id);
                if self.rng.percent(50) {
                    self.ev.str_field("type", "internal");
                }
                self.time();
                "chat_session_party_left"
            }
            (Ending::Agent, 1) => self.status("completed"),
            _ => "chat_session_ended",
        }
    }

    /// A `timestamp`: Unix seconds, quoted or (on some servers) a number;
    /// now and then absent.
    fn time(&mut self) {
        if self.rng.percent(4) {
            return;
        }
        let seconds = self.clock / 1000;
        if self.chat.numeric_time {
            self.ev.num_field("timestamp", seconds);
        } else {
            self.a.clear();
            push_u64(&mut self.a, seconds);
            self.ev.str_field("timestamp", &self.a);
        }
    }

    /// A text field from `texts`, present `percent` percent of the time.
    fn opt_text(&mut self, key: &'static str, texts: &[&str], percent: u64) {
        if self.rng.percent(percent) {
            self.ev.str_field(key, self.rng.pick(texts));
        }
    }

    fn status(&mut self, state: &'static str) -> &'static str {
        self.ev.str_field("state", state);
        if state == "queued" {
            match self.rng.below(100) {
                0..40 => self.ev.str_field("ewt", ""),
                40..85 => {
                    self.a.clear();
                    push_u64(&mut self.a, self.rng.range(5, 600));
                    self.ev.str_field("ewt", &self.a);
                }
                85..90 => self.ev.num_field("ewt", self.rng.range(5, 600)),
                _ => {}
            }
        } else if self.chat.sorted {
            self.ev.str_field("ewt", "");
        }
        if self.rng.percent(20) {
            self.time();
        }
        "chat_session_status"
    }

    fn party_joined(&mut self, party_id: &str, kind: &'static str) -> &'static str {
        self.ev.str_field("party_id", party_id);
        if kind == "scenario" {
            if self.rng.percent(60) {
                self.ev.str_field("display_name", "Virtual Assistant");
            }
        } else {
            let (first, last) = (self.chat.agent_first, self.chat.agent_last);
            if self.rng.percent(90) {
                self.ev.str_field("first_name", first);
                self.ev.str_field("last_name", last);
            }
            self.a.clear();
            self.a.push_str(first);
            if self.rng.percent(50) {
                self.a.push(' ');
                self.a.push_str(last);
            }
            self.ev.str_field("display_name", &self.a);
        }
        self.ev.str_field("type", kind);
        self.time();
        "chat_session_party_joined"
    }

    /// Fills `b` with a message from `short` or from one to `most`
    /// sentences of `sentences`.
    fn message_text(&mut self, short: &[&str], sentences: &[&str], most: u64) {
        self.b.clear();
        if self.rng.percent(30) {
            self.b.push_str(self.rng.pick(short));
            return;
        }
        let count = sentences.len() as u64;
        let mut previous = count;
        for i in 0..self.rng.range(1, most) {
            if i > 0 {
                self.b
                    .push_str(if self.rng.percent(85) { " " } else { "\n" });
            }
            let mut next = self.rng.below(count);
            if next == previous {
                next = (next + 1) % count;
            }
            previous = next;
            self.b.push_str(sentences[next as usize]);
        }
    }

    fn server_msg_id(&mut self) {
        self.a.clear();
        push_u64(&mut self.a, self.chat.server_no);
        self.chat.server_no += 2;
        self.ev.str_field("msg_id", &self.a);
    }

    fn client_msg_id(&mut self) {
        self.a.clear();
        push_u64(&mut self.a, self.chat.client_no);
        self.chat.client_no += 2;
        self.ev.str_field("msg_id", &self.a);
    }

    /// A `chat_session_message` of `b` from `party_id`, the client's if
    /// `client`.
    fn server_message(&mut self, party_id: &str, client: bool) -> &'static str {
        if client {
            self.client_msg_id();
        } else {
            self.server_msg_id();
        }
        self.ev.str_field("party_id", party_id);
        self.ev.str_field("msg", &self.b);
        if self.chat.channel {
            self.ev.str_field("channel", "web");
        }
        self.time();
        "chat_session_message"
    }

    /// One event of the conversation.
    fn talk(&mut self, history: bool) -> &'static str {
        if let Some((id, form_name)) = self.chat.form.take() {
            return self.form_answer(id, form_name);
        }
        let r = self.rng.below(1000);
        let r = if history {
            match r {
                0..330 => {
                    self.message_text(SHORT, SENTENCES, 3);
                    let id = core::mem::take(&mut self.chat.chat_id);
                    let name = self.server_message(&id, true);
                    self.chat.chat_id = id;
                    return name;
                }
                330..370 => {
                    let (page, title) = self.rng.pick(PAGES);
                    self.client_msg_id();
                    self.ev.str_field("page", page);
                    self.ev.str_field("title", title);
                    self.ev.str_field("party_id", &self.chat.chat_id);
                    self.time();
                    return "chat_session_navigation";
                }
                // Typing is not kept in history.
                370..590 => 300,
                other => other,
            }
        } else {
            r
        };
        match r {
            0..220 => {
                self.chat.agent_typing = !self.chat.agent_typing || self.rng.percent(10);
                if self.rng.percent(97) {
                    self.ev.str_field("party_id", &self.chat.agent_id);
                }
                if self.chat.agent_typing {
                    "chat_session_typing"
                } else {
                    "chat_session_not_typing"
                }
            }
            220..560 | 900.. => {
                self.chat.agent_typing = false;
                self.message_text(AGENT_SHORT, AGENT_SENTENCES, 3);
                let id = core::mem::take(&mut self.chat.agent_id);
                let name = self.server_message(&id, false);
                self.chat.agent_id = id;
                name
            }
            560..680 => self.receipt(history),
            680..720 => self.form_show(history),
            720..760 => self.server_file(history),
            760..840 => self.server_signaling(),
            840..880 => {
                self.opt_text("msg", WARNINGS, 90);
                self.time();
                "chat_session_timeout_warning"
            }
            _ => {
                self.a.clear();
                push_padded(&mut self.a, self.rng.range(1, 99_999), 8);
                self.ev.str_field("case_id", &self.a);
                self.time();
                "chat_session_case_set"
            }
        }
    }

    /// A delivery or read receipt: the agent's of a client message, or in
    /// history also the client's of an agent message.
    fn receipt(&mut self, history: bool) -> &'static str {
        let client = history && self.rng.percent(40);
        if !history {
            // The client's messages are not in server traffic, but it sent
            // the one this receipt is for.
            self.chat.client_no += 2;
        }
        let (newest, party) = if client {
            (self.chat.server_no, &self.chat.chat_id)
        } else {
            (self.chat.client_no, &self.chat.agent_id)
        };
        // The newest message or the one before it, keeping the parity.
        let back = 2 * self.rng.range(1, 2);
        let id = if newest > back {
            newest - back
        } else {
            newest % 2
        };
        self.a.clear();
        push_u64(&mut self.a, id);
        // The v2 docs write `ref_msg_id`, the SDKs `msg_id`.
        let key = if client || self.rng.percent(30) {
            "ref_msg_id"
        } else {
            "msg_id"
        };
        self.ev.str_field(key, &self.a);
        if !client || self.rng.percent(80) {
            self.ev.str_field("party_id", party);
        }
        self.time();
        if self.rng.percent(60) {
            "chat_session_message_delivered"
        } else {
            "chat_session_message_read"
        }
    }

    fn form_request_id(&mut self, id: u64) {
        if self.chat.form_numeric {
            self.ev.num_field("form_request_id", id);
        } else {
            self.a.clear();
            push_u64(&mut self.a, id);
            self.ev.str_field("form_request_id", &self.a);
        }
    }

    fn form_show(&mut self, history: bool) -> &'static str {
        let id = self.rng.range(1, 999);
        self.form_request_id(id);
        // `""` asks the client for the next typed message.
        let form_name = if self.rng.percent(10) {
            ""
        } else {
            self.rng.pick(FORM_NAMES)
        };
        self.ev.str_field("form_name", form_name);
        match self.rng.below(10) {
            0..5 => self.ev.str_field("form_timeout", "300"),
            5..7 => self
                .ev
                .num_field("form_timeout", self.rng.pick(&[60, 120, 300])),
            _ => {}
        }
        if self.chat.channel {
            self.ev.str_field("channel", "web");
        }
        self.time();
        if history {
            self.chat.form = Some((id, form_name));
        }
        "chat_session_form_show"
    }

    /// The client's `chat_session_form_data` answering form `id`, as history
    /// keeps it.
    fn form_answer(&mut self, id: u64, form_name: &'static str) -> &'static str {
        self.form_request_id(id);
        self.ev.str_field("form_name", form_name);
        let start = self.ev.vals.len();
        if form_name.is_empty() {
            self.message_text(SHORT, SENTENCES, 1);
            self.ev.vals.extend_from_slice(b"{\"text\":");
            put_str(&mut self.ev.vals, &self.b, self.ev.style);
            self.ev.vals.push(b'}');
        } else {
            let mut order: [u8; FORM_FIELDS.len()] = [0; FORM_FIELDS.len()];
            for (i, slot) in order.iter_mut().enumerate() {
                *slot = i as u8;
            }
            let count = self.rng.range(2, 8) as usize;
            self.ev.vals.push(b'{');
            for i in 0..count {
                let j = i + self.rng.below((order.len() - i) as u64) as usize;
                order.swap(i, j);
                let field = usize::from(order[i]);
                if i > 0 {
                    self.ev.vals.push(b',');
                }
                put_str(&mut self.ev.vals, FORM_FIELDS[field], self.ev.style);
                self.ev.vals.push(b':');
                self.form_value(field);
            }
            self.ev.vals.push(b'}');
        }
        self.ev.close("data", start);
        self.ev.str_field("party_id", &self.chat.chat_id);
        self.time();
        "chat_session_form_data"
    }

    fn server_file(&mut self, history: bool) -> &'static str {
        let client = history && self.rng.percent(50);
        if client {
            self.client_msg_id();
            self.ev.str_field("party_id", &self.chat.chat_id);
        } else {
            self.server_msg_id();
            // Some servers leave the sender out.
            if self.rng.percent(95) {
                self.ev.str_field("party_id", &self.chat.agent_id);
            }
        }
        self.a.clear();
        push_uuid(&mut self.a, &mut self.rng, false);
        self.ev.str_field("file_id", &self.a);
        let image = self.rng.percent(50);
        self.ev
            .str_field("file_type", if image { "image" } else { "attachment" });
        if self.rng.percent(90) {
            let names = if image { IMAGE_NAMES } else { ATTACHMENT_NAMES };
            self.ev.str_field("file_name", self.rng.pick(names));
        }
        self.time();
        "chat_session_file"
    }

    /// A WebRTC message from the agent: an offer (with a multi-kilobyte
    /// SDP) or a rejection, then ICE candidates until the call ends.
    fn server_signaling(&mut self) -> &'static str {
        self.ev.str_field("party_id", &self.chat.agent_id);
        if self.rng.percent(30) {
            self.server_msg_id();
        }
        let d = &mut self.data;
        d.vals.clear();
        d.fields.clear();
        d.style = self.chat.style;
        let kind = if !self.chat.in_call {
            if self.rng.percent(80) {
                self.chat.in_call = true;
                let start = d.vals.len();
                d.vals.extend_from_slice(if self.rng.percent(40) {
                    b"true"
                } else {
                    b"false"
                });
                d.close("offerVideo", start);
                self.a.clear();
                sdp(&mut self.a, &mut self.rng, &self.session, true);
                d.str_field("sdp", &self.a);
                "OFFER_CALL"
            } else {
                d.num_field("reason_code", self.rng.pick(&[486, 603]));
                d.str_field("reason", "TBD");
                "CALL_REJECTED"
            }
        } else if self.rng.percent(75) {
            self.a.clear();
            self.a.push_str("candidate:");
            candidate(&mut self.a, &mut self.rng, &self.session.ufrag, 1);
            d.str_field("candidate", &self.a);
            let line = self.rng.below(2);
            d.str_field("sdpMid", if line == 0 { "0" } else { "1" });
            if self.rng.percent(70) {
                d.num_field("sdpMLineIndex", line);
            } else {
                d.str_field("sdpMLineIndex", if line == 0 { "0" } else { "1" });
            }
            "ICE_CANDIDATE"
        } else {
            self.chat.in_call = false;
            "END_CALL"
        };
        d.str_field("type", kind);
        let start = self.ev.vals.len();
        self.data
            .finish_server(&mut self.ev.vals, None, self.chat.sorted);
        self.ev.close("data", start);
        self.time();
        "chat_session_signaling"
    }
}

// ---------------------------------------------------------------------------
// WebRTC

/// An ICE candidate in SDP syntax, without the `candidate:` prefix.
fn candidate(s: &mut String, rng: &mut Rng, ufrag: &str, component: u64) {
    push_u64(s, rng.range(100_000_000, 4_294_967_295));
    s.push(' ');
    push_u64(s, component);
    let kind = rng.below(100);
    let tcp = (50..60).contains(&kind);
    s.push_str(if tcp { " tcp " } else { " udp " });
    let priority: u64 = match kind {
        0..50 => 2_122_260_223,
        50..60 => 1_518_280_447,
        60..85 => 1_686_052_607,
        _ => 41_885_439,
    };
    push_u64(s, priority + 1 - component);
    s.push(' ');
    match kind {
        0..20 => {
            push_uuid(s, rng, false);
            s.push_str(".local");
        }
        20..60 => private_ip(s, rng),
        60..85 => {
            s.push_str(rng.pick(&["203.0.113.", "198.51.100."]));
            push_u64(s, rng.range(1, 254));
        }
        _ => {
            s.push_str("192.0.2.");
            push_u64(s, rng.range(1, 254));
        }
    }
    let port = rng.range(49_152, 65_535);
    s.push(' ');
    push_u64(s, if tcp { 9 } else { port });
    s.push_str(match kind {
        0..60 => " typ host",
        60..85 => " typ srflx raddr ",
        _ => " typ relay raddr ",
    });
    if kind >= 60 {
        private_ip(s, rng);
        s.push_str(" rport ");
        push_u64(s, port);
    }
    if tcp {
        s.push_str(" tcptype active");
    }
    s.push_str(" generation 0 ufrag ");
    s.push_str(ufrag);
    s.push_str(" network-id ");
    push_u64(s, rng.range(1, 3));
    if rng.percent(60) {
        s.push_str(" network-cost ");
        push_u64(s, rng.pick(&[10, 50, 999]));
    }
}

fn private_ip(s: &mut String, rng: &mut Rng) {
    if rng.percent(50) {
        s.push_str("10.0.");
        push_u64(s, rng.below(4));
    } else {
        s.push_str("192.168.");
        push_u64(s, rng.below(3));
    }
    s.push('.');
    push_u64(s, rng.range(2, 254));
}

fn line(s: &mut String, text: &str) {
    s.push_str(text);
    s.push_str("\r\n");
}

/// A Chrome-style session description: audio, usually video, 2 to 6 KB.
fn sdp(s: &mut String, rng: &mut Rng, session: &Session, offer: bool) {
    let video = rng.percent(75);
    // Without trickle ICE the candidates are in the description.
    let trickle = video && rng.percent(70);
    let mut stream = String::new();
    push_token(&mut stream, rng, 36, ALNUM);

    s.push_str("v=0\r\no=- ");
    push_u64(
        s,
        rng.range(1_000_000_000_000_000_000, 9_223_372_036_854_775_807),
    );
    s.push(' ');
    push_u64(s, rng.range(2, 4));
    line(s, " IN IP4 127.0.0.1");
    line(s, "s=-");
    line(s, "t=0 0");
    line(
        s,
        if video {
            "a=group:BUNDLE 0 1"
        } else {
            "a=group:BUNDLE 0"
        },
    );
    line(s, "a=extmap-allow-mixed");
    s.push_str("a=msid-semantic: WMS ");
    line(s, &stream);

    // Audio.
    line(s, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
    line(s, "c=IN IP4 0.0.0.0");
    line(s, "a=rtcp:9 IN IP4 0.0.0.0");
    let candidates = if trickle { 0 } else { rng.range(2, 5) };
    for _ in 0..candidates {
        s.push_str("a=candidate:");
        candidate(s, rng, &session.ufrag, 1);
        s.push_str("\r\n");
    }
    media_common(s, rng, session, offer, "0", AUDIO_EXTMAP, &stream);
    for codec in AUDIO_CODECS {
        line(s, codec);
    }
    ssrc(s, rng, &stream);
    if !video {
        // An audio-only description gathered without trickle carries every
        // candidate: host, TCP, server-reflexive and relay, for both IP
        // versions, which is what makes it multi-kilobyte.
        let target = rng.range(2_100, 2_700) as usize;
        while s.len() < target {
            s.push_str("a=candidate:");
            candidate(s, rng, &session.ufrag, 1);
            s.push_str("\r\n");
        }
        line(s, "a=end-of-candidates");
        return;
    }

    // Video: an offer lists many codecs, an answer the few it accepts.
    let codecs = if offer {
        rng.range(3, VIDEO_CODECS.len() as u64 - 1)
    } else {
        rng.range(1, 3)
    } as usize;
    s.push_str("m=video 9 UDP/TLS/RTP/SAVPF");
    for &(pt, rtx, _, _) in &VIDEO_CODECS[..codecs] {
        s.push(' ');
        push_u64(s, pt);
        s.push(' ');
        push_u64(s, rtx);
    }
    line(s, " 116 117 118");
    line(s, "c=IN IP4 0.0.0.0");
    line(s, "a=rtcp:9 IN IP4 0.0.0.0");
    media_common(s, rng, session, offer, "1", VIDEO_EXTMAP, &stream);
    line(s, "a=rtcp-rsize");
    for &(pt, rtx, name, fmtp) in &VIDEO_CODECS[..codecs] {
        s.push_str("a=rtpmap:");
        push_u64(s, pt);
        s.push(' ');
        s.push_str(name);
        line(s, "/90000");
        for feedback in VIDEO_FEEDBACK {
            s.push_str("a=rtcp-fb:");
            push_u64(s, pt);
            s.push(' ');
            line(s, feedback);
        }
        if !fmtp.is_empty() {
            s.push_str("a=fmtp:");
            push_u64(s, pt);
            s.push(' ');
            line(s, fmtp);
        }
        s.push_str("a=rtpmap:");
        push_u64(s, rtx);
        line(s, " rtx/90000");
        s.push_str("a=fmtp:");
        push_u64(s, rtx);
        s.push_str(" apt=");
        push_u64(s, pt);
        s.push_str("\r\n");
    }
    line(s, "a=rtpmap:116 red/90000");
    line(s, "a=rtpmap:117 rtx/90000");
    line(s, "a=fmtp:117 apt=116");
    line(s, "a=rtpmap:118 ulpfec/90000");
    let (primary, repair) = (rng.next() as u32, rng.next() as u32);
    s.push_str("a=ssrc-group:FID ");
    push_u64(s, u64::from(primary));
    s.push(' ');
    push_u64(s, u64::from(repair));
    s.push_str("\r\n");
    ssrc(s, rng, &stream);
}

/// The transport and direction lines every media section has.
fn media_common(
    s: &mut String,
    rng: &mut Rng,
    session: &Session,
    offer: bool,
    mid: &str,
    extmap: &[&str],
    stream: &str,
) {
    s.push_str("a=ice-ufrag:");
    line(s, &session.ufrag);
    s.push_str("a=ice-pwd:");
    line(s, &session.pwd);
    line(s, "a=ice-options:trickle");
    s.push_str("a=fingerprint:");
    line(s, &session.fingerprint);
    line(
        s,
        if offer {
            "a=setup:actpass"
        } else {
            "a=setup:active"
        },
    );
    s.push_str("a=mid:");
    line(s, mid);
    for entry in extmap {
        s.push_str("a=extmap:");
        line(s, entry);
    }
    line(s, "a=sendrecv");
    s.push_str("a=msid:");
    s.push_str(stream);
    s.push(' ');
    push_uuid(s, rng, false);
    s.push_str("\r\n");
    line(s, "a=rtcp-mux");
}

/// `a=ssrc:` lines naming the stream's synchronisation source.
fn ssrc(s: &mut String, rng: &mut Rng, stream: &str) {
    let ssrc = u64::from(rng.next() as u32);
    let mut cname = String::new();
    push_token(&mut cname, rng, 16, BASE64);
    s.push_str("a=ssrc:");
    push_u64(s, ssrc);
    s.push_str(" cname:");
    line(s, &cname);
    s.push_str("a=ssrc:");
    push_u64(s, ssrc);
    s.push_str(" msid:");
    s.push_str(stream);
    s.push(' ');
    push_uuid(s, rng, false);
    s.push_str("\r\n");
}
