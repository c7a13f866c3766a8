//! `stream`: a stream of events decodes the same however it is cut into
//! chunks: `chatwire::parse` re-run from each event's start as bytes
//! arrive, and the stream API's incremental decoder against its slice
//! iterator, in the framing the input picks, for each side (client events,
//! server events, a history of both); and no framing loses a line, an
//! element or a value. See `check_stream` in `fuzz/checks.rs` for the
//! input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check_stream(data));
