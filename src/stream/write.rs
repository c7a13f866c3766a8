//! Stream writers: NDJSON lines and API envelopes.

use bytes::BufMut;

use crate::owned::OwnedEvent;
use crate::side::{Event, Side};

/// Writes `event`, a [`ClientEvent`](crate::ClientEvent) or a
/// [`ServerEvent`](crate::ServerEvent), as one NDJSON line: its compact
/// JSON and `\n`.
///
/// `out` is any [`BufMut`], a `Vec<u8>` or a `BytesMut` among them.
///
/// ```
/// let mut out = Vec::new();
/// chatwire::stream::write_ndjson(&chatwire::ClientEvent::Typing { msg: None }, &mut out);
/// chatwire::stream::write_ndjson(&chatwire::ServerEvent::Ended, &mut out);
/// assert_eq!(out, b"{\"event\":\"chat_session_typing\"}\n{\"event\":\"chat_session_ended\"}\n");
/// ```
pub fn write_ndjson<E: Event, B: BufMut + ?Sized>(event: &E, out: &mut B) {
    crate::write::write_to_buf(event, &mut *out);
    out.put_u8(b'\n');
}

/// Writes one envelope, `{"events":[...]}`, holding `events` (client or
/// server events).
///
/// ```
/// use chatwire::ClientEvent;
/// let mut out = Vec::new();
/// chatwire::stream::write_envelope(&[ClientEvent::Typing { msg: None }, ClientEvent::End], &mut out);
/// assert_eq!(out, br#"{"events":[{"event":"chat_session_typing"},{"event":"chat_session_end"}]}"#);
/// ```
pub fn write_envelope<'e, E, B, I>(events: I, out: &mut B)
where
    E: Event + 'e,
    B: BufMut + ?Sized,
    I: IntoIterator<Item = &'e E>,
{
    let mut writer = EnvelopeWriter::new(&mut *out);
    for event in events {
        writer.push(event);
    }
    writer.finish();
}

/// Writes an envelope event by event: `{"events":[` when created, the events
/// (client or server events) separated by `,`, and `]}` when finished.
///
/// ```
/// use bytes::BytesMut;
/// use chatwire::{ClientEvent, stream::EnvelopeWriter};
///
/// let mut writer = EnvelopeWriter::new(BytesMut::new());
/// writer.push(&ClientEvent::NotTyping);
/// writer.push(&ClientEvent::Disconnect);
/// assert_eq!(writer.len(), 2);
/// let out = writer.finish();
/// assert_eq!(&out[..], br#"{"events":[{"event":"chat_session_not_typing"},{"event":"chat_session_disconnect"}]}"#);
/// ```
#[derive(Debug)]
pub struct EnvelopeWriter<B: BufMut> {
    out: B,
    len: usize,
}

impl<B: BufMut> EnvelopeWriter<B> {
    /// Starts an envelope in `out`.
    pub fn new(mut out: B) -> Self {
        out.put_slice(br#"{"events":["#);
        EnvelopeWriter { out, len: 0 }
    }

    /// Appends one event.
    pub fn push<E: Event>(&mut self, event: &E) {
        if self.len > 0 {
            self.out.put_u8(b',');
        }
        crate::write::write_to_buf(event, &mut self.out);
        self.len += 1;
    }

    /// Appends an owned event's bytes as they arrived, without writing the
    /// event again: the decoder checked them, so the envelope stays valid
    /// JSON, and a server answers a client's events byte for byte as it
    /// sent them. Events of both sides may share one envelope (Get Chat
    /// History).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use chatwire::stream::EnvelopeWriter;
    /// use chatwire::{OwnedEvent, Server, ServerEvent};
    ///
    /// let sent = OwnedEvent::decode(Bytes::from_static(br#"{ "msg":"caf\u00e9", "msg_id":1, "event":"chat_session_message" }"#))?;
    /// let mut writer = EnvelopeWriter::new(Vec::new());
    /// writer.push_owned(&sent);
    /// writer.push_owned(&OwnedEvent::<Server>::from_event(&ServerEvent::Ended));
    /// assert_eq!(
    ///     writer.finish(),
    ///     br#"{"events":[{ "msg":"caf\u00e9", "msg_id":1, "event":"chat_session_message" },{"event":"chat_session_ended"}]}"#,
    /// );
    /// # Ok::<(), chatwire::Error>(())
    /// ```
    pub fn push_owned<S: Side>(&mut self, event: &OwnedEvent<S>) {
        if self.len > 0 {
            self.out.put_u8(b',');
        }
        self.out.put_slice(event.as_bytes());
        self.len += 1;
    }

    /// The number of events written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Closes the envelope and returns the output.
    pub fn finish(mut self) -> B {
        self.out.put_slice(b"]}");
        self.out
    }
}
