//! Decoding never allocates, nor do the accessors that borrow.
//!
//! A counting global allocator counts the allocations made on the test's
//! thread while a flag is up. Every input is built before the flag goes up;
//! inside, only decoding and borrowing accessors run, and their results are
//! folded into plain counters that are checked after the flag is down. The
//! file holds a single test so that nothing else runs while it counts.
#![cfg(feature = "std")]
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use chatwire::workload::Workload;
use chatwire::{ClientEvent, Id, Raw, Status, Text};

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note_allocation() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments; the
// counting touches only an atomic and a const-initialised thread local,
// neither of which allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Counts the bytes formatted into it, storing nothing.
struct Sink(usize);

impl fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// What the counted region saw, checked once counting has stopped.
#[derive(Default, Debug)]
struct Tally {
    complete: usize,
    /// Inputs that decoded as server events.
    server_complete: usize,
    partial: usize,
    errors: usize,
    fields: usize,
    escaped_texts: usize,
    entries: usize,
    /// Accessors that disagreed with each other (must stay 0).
    mismatches: usize,
    bytes_seen: usize,
}

fn text(t: &Text<'_>, scratch: &mut [u8], tally: &mut Tally) {
    tally.fields += 1;
    let len = t.unescaped_len();
    match t.as_str() {
        Some(s) => {
            tally.mismatches += usize::from(!t.eq_str(s) || s.len() != len);
        }
        None => {
            tally.escaped_texts += 1;
            match t.unescape_into(scratch) {
                Ok(s) => {
                    tally.mismatches += usize::from(s.len() != len || !t.eq_str(s));
                    tally.mismatches += usize::from(t.chars().count() != s.chars().count());
                }
                Err(too_small) => tally.mismatches += usize::from(too_small.needed != len),
            }
        }
    }
    tally.mismatches += usize::from(t.eq_str("\u{0}never\u{0}"));
    let mut sink = Sink(0);
    let _ = write!(sink, "{t}");
    tally.mismatches += usize::from(sink.0 != len);
    tally.bytes_seen += t.raw().len() + t.pieces().count();
}

fn id(i: &Id<'_>, scratch: &mut [u8], tally: &mut Tally) {
    match i.value() {
        chatwire::IdValue::Str(t) => text(&t, scratch, tally),
        chatwire::IdValue::Int(digits) => {
            tally.fields += 1;
            let known = i.as_u64().is_some() || i.as_i64().is_some();
            tally.mismatches += usize::from(!known || !i.is_int() || !i.eq(digits));
        }
    }
    let mut sink = Sink(0);
    let _ = write!(sink, "{i}");
    tally.bytes_seen += sink.0;
}

fn raw(r: &Raw<'_>, scratch: &mut [u8], tally: &mut Tally, depth: usize) {
    tally.fields += 1;
    tally.bytes_seen += r.get().len() + usize::from(r.is_compact());
    let mut sink = Sink(0);
    let _ = write!(sink, "{r}");
    let runs: usize = r.compact_runs().map(<[u8]>::len).sum();
    tally.mismatches += usize::from(sink.0 != runs || runs > r.get().len());
    if let Some(t) = r.as_text() {
        text(&t, scratch, tally);
    }
    if depth > 2 {
        return;
    }
    if let Some(entries) = r.entries() {
        for (key, value) in entries {
            tally.entries += 1;
            text(&key, scratch, tally);
            raw(&value, scratch, tally, depth + 1);
        }
    }
    if let Some(elements) = r.elements() {
        for value in elements {
            tally.entries += 1;
            raw(&value, scratch, tally, depth + 1);
        }
    }
    tally.mismatches += usize::from(chatwire::Raw::from_json(r.get()) != Ok(*r));
}

fn event(e: &ClientEvent<'_>, scratch: &mut [u8], tally: &mut Tally) {
    match e {
        ClientEvent::Message { msg_id, msg, .. } => {
            id(msg_id, scratch, tally);
            text(msg, scratch, tally);
        }
        ClientEvent::FormData {
            form_request_id,
            form_name,
            data,
        } => {
            id(form_request_id, scratch, tally);
            text(form_name, scratch, tally);
            let len = data.len();
            tally.mismatches += usize::from(data.entries().count() != len);
            tally.mismatches += usize::from(data.is_empty() != (len == 0));
            for (key, value) in data.entries() {
                tally.entries += 1;
                let last = key.as_str().and_then(|k| data.get(k));
                tally.mismatches += usize::from(key.as_str().is_some() && last.is_none());
                raw(&value, scratch, tally, 1);
            }
            raw(&data.raw(), scratch, tally, 3);
        }
        ClientEvent::Signaling {
            msg_id,
            destination_party_id,
            data,
        } => {
            id(msg_id, scratch, tally);
            id(destination_party_id, scratch, tally);
            raw(data, scratch, tally, 0);
        }
        ClientEvent::File {
            msg_id,
            file_type,
            file_id,
            ..
        } => {
            id(msg_id, scratch, tally);
            tally.bytes_seen += file_type.name().len();
            id(file_id, scratch, tally);
        }
        ClientEvent::Unknown { name, raw: r } => {
            text(name, scratch, tally);
            raw(r, scratch, tally, 1);
        }
        _ => {}
    }
    tally.bytes_seen += e.kind().name().len();
    let len = e.encoded_len();
    match e.write_to_slice(scratch) {
        Ok(n) => tally.mismatches += usize::from(n != len),
        Err(too_small) => tally.mismatches += usize::from(too_small.needed != len),
    }
    match e.write_to_slice(&mut scratch[..len / 2]) {
        Ok(_) => tally.mismatches += usize::from(len > 0),
        Err(too_small) => tally.mismatches += usize::from(too_small.needed != len),
    }
    tally.mismatches += usize::from(black_box(*e) != *e);
}

/// Server events: decoding, the writer into a slice, `parse`.
fn decode_server(input: &[u8], scratch: &mut [u8], tally: &mut Tally) {
    match chatwire::ServerEvent::from_slice(input) {
        Ok(e) => {
            tally.server_complete += 1;
            let len = e.encoded_len();
            match e.write_to_slice(scratch) {
                Ok(n) => tally.mismatches += usize::from(n != len),
                Err(too_small) => tally.mismatches += usize::from(too_small.needed != len),
            }
            tally.bytes_seen += e.kind().name().len();
        }
        Err(err) => tally.bytes_seen += err.offset(),
    }
    if let Ok(Status::Complete((e, used))) = chatwire::ServerEvent::parse(input) {
        tally.mismatches += usize::from(used > input.len());
        tally.bytes_seen += e.encoded_len();
    }
}

fn decode(input: &[u8], scratch: &mut [u8], tally: &mut Tally) {
    decode_server(input, scratch, tally);
    match chatwire::from_slice(input) {
        Ok(e) => {
            tally.complete += 1;
            event(&e, scratch, tally);
        }
        Err(err) => {
            tally.errors += 1;
            let pos = err.position(input);
            let mut sink = Sink(0);
            let _ = write!(sink, "{err} ({pos}, {:?}, {:?})", err.kind(), err.field());
            tally.bytes_seen += sink.0 + err.offset() + usize::from(err.kind().is_syntax());
        }
    }
    match chatwire::parse(input) {
        Ok(Status::Complete((e, used))) => {
            tally.mismatches += usize::from(used > input.len());
            tally.bytes_seen += e.encoded_len();
        }
        Ok(Status::Partial) => tally.partial += 1,
        Err(err) => tally.bytes_seen += err.offset(),
    }
}

/// Inputs that are not events, built from `valid` by deterministic damage.
fn damaged(valid: &[Vec<u8>], out: &mut Vec<Vec<u8>>) {
    const BAD: [u8; 10] = [b'"', b'\\', 0, 0xff, b'}', b']', b',', b'x', b'1', b'{'];
    for (n, input) in valid.iter().enumerate() {
        let len = input.len();
        for j in 0..6 {
            let at = (n * 31 + j * 97 + 5) % len;
            for &b in &BAD {
                let mut copy = input.clone();
                copy[at] = b;
                out.push(copy);
            }
            let mut cut = input.clone();
            cut.remove(at);
            out.push(cut);
        }
        out.push(input[..len / 2].to_vec());
    }
}

#[test]
fn decoding_and_borrowing_accessors_never_allocate() {
    // Everything is built before counting starts.
    let mut fixtures: Vec<Vec<u8>> = common::all().into_iter().map(|f| f.json).collect();
    fixtures.extend(SERVER_EXAMPLES.iter().map(|e| e.as_bytes().to_vec()));
    let mut valid = fixtures.clone();
    for (workload, count) in [
        (Workload::Mixed, 2000),
        (Workload::Typing, 2000),
        (Workload::Signaling, 500),
        (Workload::Envelope, 2000),
        (Workload::Server, 2000),
        (Workload::History, 2000),
    ] {
        valid.extend(common::workload_events(workload, count));
    }
    let mut workload_output = Vec::new();
    for workload in Workload::ALL {
        workload_output.push(common::workload_bytes(workload, 1000));
    }
    let mut invalid = Vec::new();
    damaged(&valid[..fixtures.len() + 400], &mut invalid);
    let mut deep = br#"{"event":"chat_session_typing","x":"#.to_vec();
    deep.resize(1 << 20, b'[');
    invalid.push(deep);
    let mut scratch = vec![0u8; 1 << 16];
    let mut tally = Tally::default();
    let mut lines_seen = 0;

    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));

    for input in &valid {
        decode(input, &mut scratch, &mut tally);
    }
    for input in &invalid {
        decode(input, &mut scratch, &mut tally);
    }
    for fixture in &fixtures {
        for k in 0..fixture.len() {
            decode(&fixture[..k], &mut scratch, &mut tally);
        }
    }
    for bytes in &workload_output {
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            lines_seen += 1;
            decode(line, &mut scratch, &mut tally);
        }
    }
    for input in &valid {
        if let Ok(ClientEvent::Signaling { data, .. }) = chatwire::from_slice(input) {
            let again = chatwire::Raw::from_json(data.get());
            tally.mismatches += usize::from(again != Ok(data));
        }
    }

    COUNTING.with(|c| c.set(false));
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);

    assert_eq!(allocations, 0, "allocations while decoding; {tally:?}");
    assert_eq!(tally.mismatches, 0, "{tally:?}");
    assert!(valid.len() > 6000, "{}", valid.len());
    assert!(tally.complete > 8000, "{tally:?}");
    // Every server example, whole, in the valid inputs and in the damaged
    // ones that stay valid.
    assert!(tally.server_complete > SERVER_EXAMPLES.len(), "{tally:?}");
    assert!(tally.errors > 20_000, "{tally:?}");
    assert!(tally.partial > 10_000, "{tally:?}");
    assert!(tally.escaped_texts > 1000, "{tally:?}");
    assert!(tally.entries > 10_000, "{tally:?}");
    // A thousand lines of each line-delimited workload (mixed, typing,
    // signaling, server), and the enveloped ones' envelopes.
    let envelopes =
        common::lines(&workload_output[3]).len() + common::lines(&workload_output[5]).len();
    assert_eq!(lines_seen, 4000 + envelopes);
    black_box(tally.bytes_seen);
}

/// The server events of `shared/spec/server-events.md`, one of each kind.
const SERVER_EXAMPLES: &[&str] = &[
    r#"{"event":"chat_session_status","state":"queued","ewt":"45"}"#,
    r#"{"event":"chat_session_ended"}"#,
    r#"{"event":"chat_session_party_joined","party_id":"80A8248D-69D7-4DA2-8074-6139AA191D7E","first_name":"Ann","last_name":"Lee","display_name":"Ann Lee","type":"internal","timestamp":"1614718750"}"#,
    r#"{"event":"chat_session_party_left","party_id":"80A8248D","timestamp":"1614718900"}"#,
    r#"{"event":"chat_session_message","msg_id":"0","party_id":"7215D0DA","msg":"Please wait","timestamp":1614718748}"#,
    r#"{"event":"chat_session_typing","party_id":"80A8248D"}"#,
    r#"{"event":"chat_session_not_typing","party_id":"80A8248D"}"#,
    r#"{"event":"chat_session_form_show","form_request_id":12,"form_name":"survey","form_timeout":"300","timestamp":"1614719100"}"#,
    r#"{"event":"chat_session_file","msg_id":"4","party_id":"FA713225","file_id":"6fdadd52","file_type":"attachment","file_name":"report.pdf","timestamp":"1614739612"}"#,
    r#"{"event":"chat_session_signaling","party_id":"80A8248D","data":{"type":"OFFER_CALL","offerVideo":false,"sdp":"v=0\r\n..."},"timestamp":"1614719000"}"#,
    r#"{"event":"chat_session_timeout_warning","msg":"Are you still there?","timestamp":"1614719300"}"#,
    r#"{"event":"chat_session_inactivity_timeout","msg":"Your session has expired due to inactivity."}"#,
    r#"{"event":"chat_session_message_delivered","msg_id":"3","party_id":"80A8248D","timestamp":"1614718800"}"#,
    r#"{"event":"chat_session_message_read","ref_msg_id":"3"}"#,
    r#"{"event":"chat_session_case_set","case_id":"00001234","timestamp":"1614718760"}"#,
    r#"{"event":"chat_session_location","party_id":"80A8248D","latitude":37.7749,"longitude":"-122.4194"}"#,
    r#"{"event":"chat_session_info","service_name":"Support"}"#,
    r#"{"event":"chat_session_secure_form_show","form_request_id":"15","form_id":"3","form_name":"payment"}"#,
];
