//! Acceptance 4: a counting global allocator. The slice iterator makes no
//! allocation at all over thousands of events, in every framing; the
//! incremental decoder's allocations do not grow with the number of events,
//! and with its events borrowed from a buffer large enough it makes none.
#![cfg(feature = "alloc")]
// A global allocator cannot be written without `unsafe`; it only counts.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::BytesMut;
use chatwire::stream::{self, Config, Decoder, Framing};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted: only the test's own,
    /// not those of the harness's other threads (whose waits on a busy
    /// machine may fall within a counted stretch). Constant-initialised
    /// and without a destructor, so reading it never allocates.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: defers to `System`, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}

const EVENTS: [&str; 5] = [
    r#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello, I need help \u00e9"}"#,
    r#"{"event":"chat_session_typing"}"#,
    r#"{"event":"chat_session_form_data","form_request_id":12,"form_name":"survey","data":{"param1":"value1"}}"#,
    r#"{"event":"chat_session_signaling","msg_id":"m","destination_party_id":"a7","data":{"type":"offer","sdp":"v=0\r\n"}}"#,
    r#"{"event":"chat_session_message","msg":"no id"}"#,
];

fn stream_of(framing: Framing, n: usize) -> Vec<u8> {
    let mut out = String::new();
    match framing {
        Framing::Envelope => {
            // Envelopes of 100 events, one per line.
            for i in 0..n {
                out.push_str(if i % 100 == 0 { "{\"events\":[" } else { "," });
                out.push_str(EVENTS[i % EVENTS.len()]);
                if i % 100 == 99 || i == n - 1 {
                    out.push_str("]}\n");
                }
            }
        }
        _ => {
            for i in 0..n {
                out.push_str(EVENTS[i % EVENTS.len()]);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

/// Allocations made while decoding `input` incrementally in 4 KiB chunks.
fn incremental_allocations(input: &[u8], framing: Framing) -> (usize, usize) {
    let before = allocations();
    let mut decoder = Decoder::with_config(framing, Config::new());
    let mut buf = BytesMut::with_capacity(16 * 1024);
    let mut items = 0;
    for chunk in input.chunks(4096) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode(&mut buf) {
            // Each event is looked at and dropped, as a server would.
            if let Ok(event) = item {
                std::hint::black_box(event.event());
            }
            items += 1;
        }
    }
    while decoder.decode_eof(&mut buf).is_some() {
        items += 1;
    }
    (allocations() - before, items)
}

/// Allocations made while decoding `input` in 4 KiB chunks with the events
/// borrowed from a buffer made beforehand, released after each chunk.
fn borrowed_allocations(input: &[u8], framing: Framing) -> (usize, usize) {
    let mut buf = BytesMut::with_capacity(16 * 1024);
    let before = allocations();
    let mut decoder = Decoder::with_config(framing, Config::new());
    let mut items = 0;
    for chunk in input.chunks(4096) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode_borrowed(&buf) {
            std::hint::black_box(item.ok());
            items += 1;
        }
        decoder.release(&mut buf);
    }
    while decoder.decode_borrowed_eof(&buf).is_some() {
        items += 1;
    }
    (allocations() - before, items)
}

// One test, so that no other test allocates while this one counts.
#[test]
fn slice_iterator_never_allocates_and_decoder_allocations_do_not_grow() {
    COUNTED.with(|counted| counted.set(true));
    for framing in [Framing::Ndjson, Framing::Envelope, Framing::Concatenated] {
        let input = stream_of(framing, 5000);
        // A first pass, so that one-time lazy initialisation elsewhere (CPU
        // feature detection, say) is not counted.
        for item in stream::events(&input) {
            std::hint::black_box(item.ok());
        }
        for asked in [framing, Framing::Auto] {
            let before = allocations();
            let mut events = 0;
            let mut errors = 0;
            for item in stream::events_with(&input, asked, Config::new()) {
                match item {
                    Ok(event) => {
                        std::hint::black_box(event);
                        events += 1;
                    }
                    Err(e) => {
                        std::hint::black_box(e);
                        errors += 1;
                    }
                }
            }
            let made = allocations() - before;
            assert_eq!((events, errors), (4000, 1000), "{framing:?}");
            assert_eq!(made, 0, "{framing:?} ({asked:?}): {made} allocations");
        }

        let (small, small_items) = incremental_allocations(&stream_of(framing, 1000), framing);
        let (large, large_items) = incremental_allocations(&stream_of(framing, 10_000), framing);
        eprintln!("{framing:?}: {small} allocations for 1,000 events, {large} for 10,000");
        assert_eq!((small_items, large_items), (1000, 10_000));
        assert!(large <= small + 2, "{framing:?}: {small} vs {large}");
        assert!(large <= 8, "{framing:?}: {large}");

        // Borrowed events in a buffer that is large enough: none at all.
        let (made, items) = borrowed_allocations(&stream_of(framing, 10_000), framing);
        assert_eq!(items, 10_000, "{framing:?}");
        assert_eq!(
            made, 0,
            "{framing:?}: {made} allocations with borrowed events"
        );
    }
}
