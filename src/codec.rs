//! tokio-util [`Decoder`] and [`Encoder`] for the stream framings, for
//! `FramedRead` and `FramedWrite` (feature `tokio`).
//!
//! `FramedRead` ends a stream after its decoder returns an error, so a bad
//! event travels as an item: the codec's `Item` is
//! `Result<OwnedEvent, StreamError>`, and its `Error` (`io::Error`) is left
//! for I/O. At the end of the input, a final event cut short is reported
//! once, then the stream ends.
//!
//! ```
//! use chatwire::codec::EventCodec;
//! use chatwire::stream::Framing;
//! use chatwire::ClientEvent;
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::{FramedRead, FramedWrite};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut out = FramedWrite::new(Vec::new(), EventCodec::new(Framing::Ndjson));
//! out.send(ClientEvent::Typing { msg: None }).await?;
//! out.send(ClientEvent::End).await?;
//! let bytes = out.into_inner();
//!
//! let mut events = FramedRead::new(&bytes[..], EventCodec::new(Framing::Auto));
//! assert_eq!(events.next().await.unwrap()?.unwrap(), ClientEvent::Typing { msg: None });
//! assert_eq!(events.next().await.unwrap()?.unwrap(), ClientEvent::End);
//! assert!(events.next().await.is_none());
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

use std::io;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::owned::OwnedEvent;
use crate::protocol::ClientEvent;
use crate::stream::{self, Config, EnvelopeWriter, Framing, StreamError};

/// A tokio-util codec for client events in one [`Framing`].
///
/// Decoding follows [`stream::Decoder`] (which it wraps): any framing,
/// [`Framing::Auto`] included, with a bound on one event's size.
///
/// Encoding writes:
/// - [`Framing::Ndjson`] (and [`Framing::Auto`]): each event and `\n`;
/// - [`Framing::Envelope`]: one envelope per item, `{"events":[...]}` and
///   `\n`, holding the item's event (or every event of a slice item);
/// - [`Framing::Concatenated`]: each event, with nothing between them.
#[derive(Clone, Debug)]
pub struct EventCodec {
    decoder: stream::Decoder,
    encode_as: Framing,
}

impl EventCodec {
    /// A codec for `framing`, with the default [`Config`].
    pub fn new(framing: Framing) -> Self {
        EventCodec::with_config(framing, Config::new())
    }

    /// A codec for `framing`, with `config`.
    pub fn with_config(framing: Framing, config: Config) -> Self {
        EventCodec {
            decoder: stream::Decoder::with_config(framing, config),
            encode_as: framing,
        }
    }

    /// The framing the decoder uses: the one asked for, or the one
    /// [`Framing::Auto`] detected (`Auto` until then).
    pub fn framing(&self) -> Framing {
        self.decoder.framing()
    }

    /// The decoder inside.
    pub fn decoder(&self) -> &stream::Decoder {
        &self.decoder
    }

    fn encode_events<'a, 'e: 'a>(
        &self,
        events: impl IntoIterator<Item = ClientEvent<'e>>,
        dst: &mut BytesMut,
    ) {
        match self.encode_as {
            Framing::Envelope => {
                let mut writer = EnvelopeWriter::new(&mut *dst);
                for event in events {
                    writer.push(&event);
                }
                writer.finish();
                dst.extend_from_slice(b"\n");
            }
            Framing::Concatenated => {
                for event in events {
                    event.write_to_buf(dst);
                }
            }
            _ => {
                for event in events {
                    stream::write_ndjson(&event, dst);
                }
            }
        }
    }
}

impl Default for EventCodec {
    /// [`Framing::Auto`] with the default [`Config`].
    fn default() -> Self {
        EventCodec::new(Framing::Auto)
    }
}

impl Decoder for EventCodec {
    type Item = Result<OwnedEvent, StreamError>;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, io::Error> {
        Ok(self.decoder.decode(src))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, io::Error> {
        Ok(self.decoder.decode_eof(src))
    }
}

impl<'a> Encoder<ClientEvent<'a>> for EventCodec {
    type Error = io::Error;

    fn encode(&mut self, event: ClientEvent<'a>, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([event], dst);
        Ok(())
    }
}

impl<'a> Encoder<&ClientEvent<'a>> for EventCodec {
    type Error = io::Error;

    fn encode(&mut self, event: &ClientEvent<'a>, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([*event], dst);
        Ok(())
    }
}

impl Encoder<OwnedEvent> for EventCodec {
    type Error = io::Error;

    fn encode(&mut self, event: OwnedEvent, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([event.event()], dst);
        Ok(())
    }
}

impl Encoder<&OwnedEvent> for EventCodec {
    type Error = io::Error;

    fn encode(&mut self, event: &OwnedEvent, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([event.event()], dst);
        Ok(())
    }
}

impl<'a> Encoder<&[ClientEvent<'a>]> for EventCodec {
    type Error = io::Error;

    /// Encodes every event; [`Framing::Envelope`] puts them in one envelope.
    fn encode(&mut self, events: &[ClientEvent<'a>], dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events(events.iter().copied(), dst);
        Ok(())
    }
}

impl Encoder<&[OwnedEvent]> for EventCodec {
    type Error = io::Error;

    /// Encodes every event; [`Framing::Envelope`] puts them in one envelope.
    fn encode(&mut self, events: &[OwnedEvent], dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events(events.iter().map(OwnedEvent::event), dst);
        Ok(())
    }
}
