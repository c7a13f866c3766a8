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

use crate::event::FileType;
use crate::raw::{FormFields, Raw};
use crate::text::{BufferTooSmall, Id, IdValue, Piece, Scalar, ScalarValue, Text};

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

/// An event the writer writes: made by the protocol table's macros.
pub(crate) trait Encode {
    /// Writes the event as compact JSON.
    fn put<O: Out>(&self, out: &mut O);
}

/// A field type of the protocol table, as the writer writes it.
pub(crate) trait WriteValue {
    /// Writes the value.
    fn put_value<O: Out>(&self, out: &mut O);

    /// Writes `prefix` (`,"key":`) and the value, or nothing for an absent
    /// optional field (serde's `skip_serializing_if`).
    #[inline(always)]
    fn put_field<O: Out>(&self, prefix: &[u8], out: &mut O) {
        out.put(prefix);
        self.put_value(out);
    }
}

impl WriteValue for Text<'_> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        put_text(self, out);
    }
}

impl WriteValue for Id<'_> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        put_id(self, out);
    }
}

impl WriteValue for Scalar<'_> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        match self.value() {
            ScalarValue::Str(text) => put_text(&text, out),
            ScalarValue::Num(digits) => out.put(digits.as_bytes()),
        }
    }
}

impl WriteValue for Raw<'_> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        put_raw(self, out);
    }
}

impl WriteValue for FormFields<'_> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        put_raw(&self.raw(), out);
    }
}

impl WriteValue for FileType {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        out.put(match self {
            FileType::Image => b"\"image\"",
            FileType::Attachment => b"\"attachment\"",
        });
    }
}

impl<T: WriteValue> WriteValue for Option<T> {
    #[inline(always)]
    fn put_value<O: Out>(&self, out: &mut O) {
        match self {
            Some(value) => value.put_value(out),
            None => out.put(b"null"),
        }
    }

    #[inline(always)]
    fn put_field<O: Out>(&self, prefix: &[u8], out: &mut O) {
        if let Some(value) = self {
            value.put_field(prefix, out);
        }
    }
}

/// The number of bytes `event` writes.
#[inline]
pub(crate) fn encoded_len<E: Encode>(event: &E) -> usize {
    let mut count = Count(0);
    event.put(&mut count);
    count.0
}

/// Writes `event` into `buf`.
pub(crate) fn write_to_slice<E: Encode>(
    event: &E,
    buf: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    let mut out = SliceOut { buf, len: 0 };
    event.put(&mut out);
    if out.len > out.buf.len() {
        return Err(BufferTooSmall { needed: out.len });
    }
    Ok(out.len)
}

/// Appends `event` to `out`.
#[cfg(feature = "alloc")]
#[inline]
pub(crate) fn write_to_vec<E: Encode>(event: &E, out: &mut alloc::vec::Vec<u8>) {
    event.put(out);
}

/// `event` in a new `Vec`.
#[cfg(feature = "alloc")]
pub(crate) fn to_vec<E: Encode>(event: &E) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec::Vec::with_capacity(encoded_len(event));
    event.put(&mut out);
    out
}

/// Writes `event` into a `BufMut`.
#[cfg(feature = "alloc")]
#[inline]
pub(crate) fn write_to_buf<E: Encode, B: bytes::BufMut + ?Sized>(event: &E, buf: &mut B) {
    event.put(&mut BufOut(buf));
}

/// Writes `event` to an `io::Write`.
#[cfg(feature = "std")]
pub(crate) fn write_to<E: Encode, W: std::io::Write>(event: &E, writer: W) -> std::io::Result<()> {
    let mut out = IoOut {
        writer,
        buf: [0; 512],
        len: 0,
        error: None,
    };
    event.put(&mut out);
    out.flush_buf();
    match out.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The writing methods of an event type (for both directions).
macro_rules! writer_methods {
    ($Event:ident) => {
        impl $Event<'_> {
            /// The number of bytes the event's compact JSON takes.
            #[inline]
            pub fn encoded_len(&self) -> usize {
                $crate::write::encoded_len(self)
            }

            /// Writes the event as compact JSON into `buf`; returns the number
            /// of bytes written, or how many were needed. Needs no allocator.
            ///
            /// The bytes are exactly what serde_json writes for the same event
            /// in the reference model.
            pub fn write_to_slice(&self, buf: &mut [u8]) -> Result<usize, $crate::BufferTooSmall> {
                $crate::write::write_to_slice(self, buf)
            }

            /// Appends the event as compact JSON to `out`.
            #[cfg(feature = "alloc")]
            #[inline]
            pub fn write_to_vec(&self, out: &mut alloc::vec::Vec<u8>) {
                $crate::write::write_to_vec(self, out)
            }

            /// The event as compact JSON in a new `Vec`.
            #[cfg(feature = "alloc")]
            #[allow(clippy::wrong_self_convention)]
            pub fn to_vec(&self) -> alloc::vec::Vec<u8> {
                $crate::write::to_vec(self)
            }

            /// Writes the event as compact JSON into a `bytes::BufMut`.
            #[cfg(feature = "alloc")]
            #[inline]
            pub fn write_to_buf<B: bytes::BufMut + ?Sized>(&self, buf: &mut B) {
                $crate::write::write_to_buf(self, buf)
            }

            /// Writes the event as compact JSON to an `io::Write`, in writes
            /// of up to 512 bytes gathered on the stack.
            #[cfg(feature = "std")]
            pub fn write_to<W: std::io::Write>(&self, writer: W) -> std::io::Result<()> {
                $crate::write::write_to(self, writer)
            }
        }
    };
}

pub(crate) use writer_methods;
