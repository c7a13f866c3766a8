//! tokio-util [`Decoder`] and [`Encoder`] for the stream framings, for
//! `FramedRead`, `FramedWrite` and `Framed` (feature `tokio`).
//!
//! A [`Codec`] decodes the events of one [`Side`] and encodes those of a
//! side (the same or the other):
//!
//! - [`ServerCodec`], on a server: decodes [`ClientEvent`]s, encodes
//!   [`ServerEvent`]s;
//! - [`ClientCodec`], on a client: decodes server events, encodes client
//!   events;
//! - [`EventCodec`]: client events both ways (a proxy, a log reader or
//!   writer);
//! - `Codec<History, _>`: decodes a chat's history, both directions mixed
//!   ([`HistoryEvent`]s).
//!
//! `FramedRead` ends a stream after its decoder returns an error, so a bad
//! event travels as an item: the codec's `Item` is
//! `Result<OwnedEvent<In>, StreamError>`, and its `Error` (`io::Error`) is
//! left for I/O. At the end of the input, a final event cut short is
//! reported once, then the stream ends.
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
//!
//! Both ends of a chat, over any `AsyncRead + AsyncWrite` (here an
//! in-memory pipe; `tokio::net::TcpStream` alike):
//!
//! ```
//! use chatwire::codec::{ClientCodec, ServerCodec};
//! use chatwire::stream::Framing;
//! use chatwire::{ClientEvent, ServerEvent};
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::Framed;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let (client_io, server_io) = tokio::io::duplex(4096);
//! let mut client = Framed::new(client_io, ClientCodec::new(Framing::Ndjson));
//! let mut server = Framed::new(server_io, ServerCodec::new(Framing::Ndjson));
//!
//! client.send(ClientEvent::End).await?;
//! assert_eq!(server.next().await.unwrap()?.unwrap(), ClientEvent::End);
//! server.send(ServerEvent::Ended).await?;
//! assert_eq!(client.next().await.unwrap()?.unwrap(), ServerEvent::Ended);
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

use core::marker::PhantomData;
use std::io;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::history::{History, HistoryEvent};
use crate::owned::OwnedEvent;
use crate::protocol::{ClientEvent, ServerEvent};
use crate::side::{Client, Event, Server, Side};
use crate::stream::{self, Config, EnvelopeWriter, Framing, StreamError};

/// A tokio-util codec in one [`Framing`] that decodes the events of side
/// `In` and encodes those of side `Out`; see [`ServerCodec`],
/// [`ClientCodec`] and [`EventCodec`].
///
/// Decoding follows [`stream::Decoder`] (which it wraps): any framing,
/// [`Framing::Auto`] included, with a bound on one event's size. The items
/// are [`OwnedEvent<In>`]s (or errors).
///
/// Encoding takes an event of `Out`, borrowed ([`ClientEvent`] or
/// [`ServerEvent`], by value or by reference) or owned
/// ([`OwnedEvent<Out>`]), or a slice of either, and writes:
/// - [`Framing::Ndjson`] (and [`Framing::Auto`]): each event and `\n`;
/// - [`Framing::Envelope`]: one envelope per item, `{"events":[...]}` and
///   `\n`, holding the item's event (or every event of a slice item);
/// - [`Framing::Concatenated`]: each event, with nothing between them.
#[derive(Clone, Debug)]
pub struct Codec<In: Side, Out: Side> {
    decoder: stream::Decoder<In>,
    encode_as: Framing,
    out: PhantomData<Out>,
}

/// The codec of a server: decodes [`ClientEvent`]s, encodes
/// [`ServerEvent`]s.
pub type ServerCodec = Codec<Client, Server>;

/// The codec of a client: decodes [`ServerEvent`]s,
/// encodes [`ClientEvent`]s.
pub type ClientCodec = Codec<Server, Client>;

/// A codec of client events both ways: decodes and encodes
/// [`ClientEvent`]s.
pub type EventCodec = Codec<Client, Client>;

impl<In: Side, Out: Side> Codec<In, Out> {
    /// A codec for `framing`, with the default [`Config`].
    pub fn new(framing: Framing) -> Self {
        Codec::with_config(framing, Config::new())
    }

    /// A codec for `framing`, with `config`.
    pub fn with_config(framing: Framing, config: Config) -> Self {
        Codec {
            decoder: stream::Decoder::with(framing, config),
            encode_as: framing,
            out: PhantomData,
        }
    }

    /// The framing the decoder uses: the one asked for, or the one
    /// [`Framing::Auto`] detected (`Auto` until then).
    pub fn framing(&self) -> Framing {
        self.decoder.framing()
    }

    /// The decoder inside.
    pub fn decoder(&self) -> &stream::Decoder<In> {
        &self.decoder
    }

    #[inline]
    fn encode_events<E: Event<Side = Out>>(
        &self,
        events: impl IntoIterator<Item = E>,
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
                    crate::write::write_to_buf(&event, dst);
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

impl<In: Side, Out: Side> Default for Codec<In, Out> {
    /// [`Framing::Auto`] with the default [`Config`].
    fn default() -> Self {
        Codec::new(Framing::Auto)
    }
}

impl<In: Side, Out: Side> Decoder for Codec<In, Out> {
    type Item = Result<OwnedEvent<In>, StreamError>;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, io::Error> {
        Ok(self.decoder.decode(src))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, io::Error> {
        Ok(self.decoder.decode_eof(src))
    }
}

/// The borrowed events of one side, by value and by reference. (A blanket
/// impl over `E: Event` for both would overlap, as far as coherence knows.)
macro_rules! encode_borrowed {
    ($Side:ty, $Event:ident) => {
        impl<'a, In: Side> Encoder<$Event<'a>> for Codec<In, $Side> {
            type Error = io::Error;

            fn encode(&mut self, event: $Event<'a>, dst: &mut BytesMut) -> Result<(), io::Error> {
                self.encode_events([event], dst);
                Ok(())
            }
        }

        impl<'a, In: Side> Encoder<&$Event<'a>> for Codec<In, $Side> {
            type Error = io::Error;

            fn encode(&mut self, event: &$Event<'a>, dst: &mut BytesMut) -> Result<(), io::Error> {
                self.encode_events([*event], dst);
                Ok(())
            }
        }
    };
}

encode_borrowed!(Client, ClientEvent);
encode_borrowed!(Server, ServerEvent);
encode_borrowed!(History, HistoryEvent);

impl<In: Side, Out: Side> Encoder<OwnedEvent<Out>> for Codec<In, Out> {
    type Error = io::Error;

    fn encode(&mut self, event: OwnedEvent<Out>, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([event.event()], dst);
        Ok(())
    }
}

impl<In: Side, Out: Side> Encoder<&OwnedEvent<Out>> for Codec<In, Out> {
    type Error = io::Error;

    fn encode(&mut self, event: &OwnedEvent<Out>, dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events([event.event()], dst);
        Ok(())
    }
}

impl<In: Side, Out: Side, E: Event<Side = Out>> Encoder<&[E]> for Codec<In, Out> {
    type Error = io::Error;

    /// Encodes every event; [`Framing::Envelope`] puts them in one envelope.
    fn encode(&mut self, events: &[E], dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events(events.iter().copied(), dst);
        Ok(())
    }
}

impl<In: Side, Out: Side> Encoder<&[OwnedEvent<Out>]> for Codec<In, Out> {
    type Error = io::Error;

    /// Encodes every event; [`Framing::Envelope`] puts them in one envelope.
    fn encode(&mut self, events: &[OwnedEvent<Out>], dst: &mut BytesMut) -> Result<(), io::Error> {
        self.encode_events(events.iter().map(OwnedEvent::event), dst);
        Ok(())
    }
}
