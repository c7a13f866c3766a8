//! The writer: events as compact JSON, byte for byte what serde_json writes
//! for the reference model.
//!
//! Field names and event names are written as pre-escaped literals, in the
//! spec's field order (the order of the reference model's declaration, which
//! serde follows). A string without escapes in the input needs none in the
//! output (the lexer rejected control characters, and a `"` or `\` would have
//! been an escape), so it is copied in one go; a string with escapes is
//! unescaped and escaped again the way serde_json does: `\"`, `\\`, the five
//! short forms `\b \f \n \r \t`, `\u00XX` (lowercase hex) for the other
//! control characters, and everything else as UTF-8. Raw values are copied
//! less the whitespace outside their strings.

use crate::event::ClientEvent;
use crate::raw::Raw;
use crate::text::{BufferTooSmall, Id, IdValue, Piece, Text};

/// Where the writer puts bytes.
pub(crate) trait Out {
    fn put(&mut self, bytes: &[u8]);
}

#[cfg(feature = "alloc")]
impl Out for alloc::vec::Vec<u8> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Counts bytes.
struct Count(usize);

impl Out for Count {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Fills a slice; remembers how much was wanted when it is too small.
struct SliceOut<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl Out for SliceOut<'_> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }
}

#[cfg(feature = "alloc")]
struct BufOut<'b, B: bytes::BufMut + ?Sized>(&'b mut B);

#[cfg(feature = "alloc")]
impl<B: bytes::BufMut + ?Sized> Out for BufOut<'_, B> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.0.put_slice(bytes);
    }
}

/// Gathers small writes into a stack buffer before handing them to an
/// `io::Write`, and keeps the first error.
#[cfg(feature = "std")]
struct IoOut<W: std::io::Write> {
    writer: W,
    buf: [u8; 512],
    len: usize,
    error: Option<std::io::Error>,
}

#[cfg(feature = "std")]
impl<W: std::io::Write> IoOut<W> {
    fn flush_buf(&mut self) {
        if self.error.is_none()
            && self.len > 0
            && let Err(e) = self.writer.write_all(&self.buf[..self.len])
        {
            self.error = Some(e);
        }
        self.len = 0;
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write> Out for IoOut<W> {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.flush_buf();
            if bytes.len() > self.buf.len() {
                if self.error.is_none()
                    && let Err(e) = self.writer.write_all(bytes)
                {
                    self.error = Some(e);
                }
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// serde_json's escape for each byte below 0x20, and for `"` and `\`:
/// 0 for none, `u` for `\u00XX`, else the character after the backslash.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes one character the way serde_json escapes it.
#[inline]
fn put_char<O: Out>(c: char, out: &mut O) {
    let mut utf8 = [0u8; 4];
    let bytes = c.encode_utf8(&mut utf8).as_bytes();
    let escape = if bytes.len() == 1 {
        ESCAPE[bytes[0] as usize]
    } else {
        0
    };
    match escape {
        0 => out.put(bytes),
        b'u' => {
            let b = bytes[0];
            out.put(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        }
        short => out.put(&[b'\\', short]),
    }
}

/// Writes a string with its quotes.
#[inline]
pub(crate) fn put_text<O: Out>(text: &Text<'_>, out: &mut O) {
    if !text.is_escaped() {
        // The token is the opening quote and the content.
        out.put(text.token().as_bytes());
        out.put(b"\"");
        return;
    }
    out.put(b"\"");
    for piece in text.pieces() {
        match piece {
            Piece::Run(run) => out.put(run.as_bytes()),
            Piece::Char(c) => put_char(c, out),
        }
    }
    out.put(b"\"");
}

#[inline]
fn put_id<O: Out>(id: &Id<'_>, out: &mut O) {
    match id.value() {
        IdValue::Str(text) => put_text(&text, out),
        IdValue::Int(digits) => out.put(digits.as_bytes()),
    }
}

#[inline]
pub(crate) fn put_raw<O: Out>(raw: &Raw<'_>, out: &mut O) {
    if raw.is_compact() {
        out.put(raw.get().as_bytes());
    } else {
        for run in raw.compact_runs() {
            out.put(run);
        }
    }
}

/// Writes `event` as compact JSON.
pub(crate) fn put_event<O: Out>(event: &ClientEvent<'_>, out: &mut O) {
    match event {
        ClientEvent::Message { msg_id, msg } => {
            out.put(br#"{"event":"chat_session_message","msg_id":"#);
            put_id(msg_id, out);
            out.put(br#","msg":"#);
            put_text(msg, out);
            out.put(b"}");
        }
        ClientEvent::Typing => out.put(br#"{"event":"chat_session_typing"}"#),
        ClientEvent::NotTyping => out.put(br#"{"event":"chat_session_not_typing"}"#),
        ClientEvent::FormData {
            form_request_id,
            form_name,
            data,
        } => {
            out.put(br#"{"event":"chat_session_form_data","form_request_id":"#);
            put_id(form_request_id, out);
            out.put(br#","form_name":"#);
            put_text(form_name, out);
            out.put(br#","data":"#);
            put_raw(&data.raw(), out);
            out.put(b"}");
        }
        ClientEvent::End => out.put(br#"{"event":"chat_session_end"}"#),
        ClientEvent::Disconnect => out.put(br#"{"event":"chat_session_disconnect"}"#),
        ClientEvent::Signaling {
            msg_id,
            destination_party_id,
            data,
        } => {
            out.put(br#"{"event":"chat_session_signaling","msg_id":"#);
            put_id(msg_id, out);
            out.put(br#","destination_party_id":"#);
            put_id(destination_party_id, out);
            out.put(br#","data":"#);
            put_raw(data, out);
            out.put(b"}");
        }
        ClientEvent::File {
            msg_id,
            file_type,
            file_id,
        } => {
            out.put(br#"{"event":"chat_session_file","msg_id":"#);
            put_id(msg_id, out);
            out.put(br#","file_type":""#);
            out.put(file_type.name().as_bytes());
            out.put(br#"","file_id":"#);
            put_id(file_id, out);
            out.put(b"}");
        }
        ClientEvent::Unknown { raw, .. } => put_raw(raw, out),
    }
}

impl ClientEvent<'_> {
    /// The number of bytes [`ClientEvent::write_to_slice`] writes.
    pub fn encoded_len(&self) -> usize {
        let mut count = Count(0);
        put_event(self, &mut count);
        count.0
    }

    /// Writes the event as compact JSON into `buf`; returns the number of
    /// bytes written. Needs no allocator.
    ///
    /// ```
    /// let event = chatwire::ClientEvent::Typing;
    /// let mut buf = [0u8; 64];
    /// let n = event.write_to_slice(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], br#"{"event":"chat_session_typing"}"#);
    /// assert_eq!(event.write_to_slice(&mut [0u8; 8]).unwrap_err().needed, n);
    /// ```
    pub fn write_to_slice(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let mut out = SliceOut { buf, len: 0 };
        put_event(self, &mut out);
        if out.len > out.buf.len() {
            return Err(BufferTooSmall { needed: out.len });
        }
        Ok(out.len)
    }

    /// Appends the event as compact JSON to `out`.
    ///
    /// The bytes are exactly what serde_json writes for the same event in the
    /// reference model.
    ///
    /// ```
    /// let input = br#"{ "msg": "caf\u00e9 \/ \u0001", "event": "chat_session_message", "msg_id": 7 }"#;
    /// let event = chatwire::from_slice(input)?;
    /// let mut out = Vec::new();
    /// event.write_to_vec(&mut out);
    /// assert_eq!(out, r#"{"event":"chat_session_message","msg_id":7,"msg":"café / \u0001"}"#.as_bytes());
    /// # Ok::<(), chatwire::Error>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn write_to_vec(&self, out: &mut alloc::vec::Vec<u8>) {
        put_event(self, out);
    }

    /// The event as compact JSON in a new `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec::Vec::with_capacity(self.encoded_len());
        put_event(self, &mut out);
        out
    }

    /// Writes the event as compact JSON into a `bytes::BufMut`.
    ///
    /// ```
    /// let mut buf = bytes::BytesMut::new();
    /// chatwire::ClientEvent::End.write_to_buf(&mut buf);
    /// assert_eq!(&buf[..], br#"{"event":"chat_session_end"}"#);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn write_to_buf<B: bytes::BufMut + ?Sized>(&self, buf: &mut B) {
        put_event(self, &mut BufOut(buf));
    }

    /// Writes the event as compact JSON to an `io::Write`, in writes of up to
    /// 512 bytes gathered on the stack.
    #[cfg(feature = "std")]
    pub fn write_to<W: std::io::Write>(&self, writer: W) -> std::io::Result<()> {
        let mut out = IoOut {
            writer,
            buf: [0; 512],
            len: 0,
            error: None,
        };
        put_event(self, &mut out);
        out.flush_buf();
        match out.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
