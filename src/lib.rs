#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod declare;
mod dispatch;

mod decode;
mod error;
mod event;
mod history;
mod number;
pub mod protocol;
mod raw;
mod scan;
mod side;
mod text;
mod trusted;
// The wide string run: its only lanes need AVX2, detected at run time
// (`std`); the tests also run it with its bytewise twin.
#[cfg(any(test, all(target_arch = "x86_64", feature = "std")))]
mod wide;
mod write;

#[cfg(feature = "alloc")]
pub mod workload;

pub use decode::{Status, from_slice, parse};
pub use error::{Error, ErrorKind, Expected, Position};
pub use event::FileType;
pub use history::{History, HistoryEvent, HistoryKind};
pub use protocol::{ClientEvent, EventKind, Field, ServerEvent, ServerKind};
pub use raw::{CompactRuns, Elements, Entries, FormFields, Raw, ValueKind};
pub use side::{Client, Event, Server, Side};
pub use text::{BufferTooSmall, Id, IdValue, Piece, Pieces, Scalar, ScalarValue, Text};

#[cfg(feature = "serde")]
#[path = "serde.rs"]
pub mod reference;

pub mod stream;

#[cfg(feature = "alloc")]
mod owned;
#[cfg(feature = "alloc")]
pub use owned::OwnedEvent;

#[cfg(feature = "tokio")]
pub mod codec;
