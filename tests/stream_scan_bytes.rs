//! Acceptance 2: the incremental decoder examines each byte a small
//! constant number of times however the input is chunked. Fed one byte at a
//! time, a 1 MiB stream costs at most 4 MiB of examined bytes (boundary
//! scans, decoding, and line counting all included), not the quadratic
//! cost of re-decoding a straddling event from its start on every chunk.
#![cfg(feature = "alloc")]

use bytes::BytesMut;
use chatwire::stream::{Config, Decoder, Framing};

const MIB: usize = 1 << 20;

/// Feeds `input` one byte at a time; returns (events, errors, bytes
/// examined / input length).
fn byte_at_a_time(input: &[u8], framing: Framing, config: Config) -> (usize, usize, f64) {
    let mut decoder = Decoder::with_config(framing, config);
    let mut buf = BytesMut::with_capacity(4096);
    let (mut events, mut errors) = (0, 0);
    let mut count = |item: Result<chatwire::OwnedEvent, _>| match item {
        Ok(_) => events += 1,
        Err(_) => errors += 1,
    };
    for &b in input {
        buf.extend_from_slice(&[b]);
        while let Some(item) = decoder.decode(&mut buf) {
            count(item);
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        count(item);
    }
    let stats = decoder.stats();
    let ratio = stats.total() as f64 / input.len() as f64;
    eprintln!(
        "{framing:?}: {} bytes, examined {:.3}x (scanned {}, parsed {}, counted {})",
        input.len(),
        ratio,
        stats.scanned,
        stats.parsed,
        stats.counted
    );
    (events, errors, ratio)
}

fn message(i: usize, text_len: usize) -> String {
    format!(
        r#"{{"event":"chat_session_message","msg_id":"4f1c2a:{i}","msg":"{}\u00e9\n"}}"#,
        "h".repeat(text_len)
    )
}

/// About 1 MiB of events, each written by `write`.
fn many(mut write: impl FnMut(&mut String, usize)) -> (String, usize) {
    let mut out = String::new();
    let mut n = 0;
    while out.len() < MIB {
        write(&mut out, n);
        n += 1;
    }
    (out, n)
}

#[test]
fn envelope_of_many_events_fed_byte_by_byte_is_examined_at_most_four_times() {
    let (body, n) = many(|out, i| {
        out.push_str(if i == 0 { "{\"events\":[" } else { "," });
        out.push_str(&message(i, i % 50));
    });
    let body = body + "]}";
    let (events, errors, ratio) = byte_at_a_time(body.as_bytes(), Framing::Auto, Config::new());
    assert_eq!((events, errors), (n, 0));
    assert!(ratio <= 4.0, "{ratio}");
}

#[test]
fn one_huge_event_in_an_envelope_fed_byte_by_byte_is_examined_at_most_four_times() {
    let body = format!("{{\"events\":[{}]}}", message(1, MIB));
    let config = Config::new().max_event_len(2 * MIB);
    let (events, errors, ratio) = byte_at_a_time(body.as_bytes(), Framing::Envelope, config);
    assert_eq!((events, errors), (1, 0));
    assert!(ratio <= 4.0, "{ratio}");
}

/// NDJSON at most twice: each new byte is searched once, from the end of
/// the new bytes, for the last line feed, and a line is decoded once, after
/// its feed has come.
#[test]
fn ndjson_fed_byte_by_byte_is_examined_at_most_twice_and_concatenated_four_times() {
    for (framing, bound) in [(Framing::Ndjson, 2.0), (Framing::Concatenated, 4.0)] {
        let (log, n) = many(|out, i| {
            out.push_str(&message(i, i % 50));
            out.push('\n');
        });
        let (events, errors, ratio) = byte_at_a_time(log.as_bytes(), framing, Config::new());
        assert_eq!((events, errors), (n, 0));
        assert!(ratio <= bound, "{framing:?} {ratio}");

        let line = message(1, MIB) + "\n";
        let config = Config::new().max_event_len(2 * MIB);
        let (events, errors, ratio) = byte_at_a_time(line.as_bytes(), framing, config);
        assert_eq!((events, errors), (1, 0));
        assert!(ratio <= bound, "{framing:?} {ratio}");
    }
}

#[test]
fn a_line_cut_by_a_chunk_end_is_not_searched_again_for_its_line_feed() {
    // Equal lines, in chunks that end inside a line but for a few. Each
    // chunk is searched from its end back to its last line feed, which
    // passes over the head of the line it cuts; once the next chunk has
    // come, that search has found a line feed after the line, so the line
    // is decoded at once and its tail is never searched: the scans cover
    // the heads, about half of the cut lines' bytes. Searching the cut
    // lines for their feeds as well would examine all of their bytes.
    let line = message(1, 60) + "\n";
    let log = line.repeat(2000);
    let chunk = 1000;
    assert_ne!(chunk % line.len(), 0);
    let mut decoder = Decoder::new(Framing::Ndjson);
    let mut buf = BytesMut::new();
    let mut events = 0;
    for part in log.as_bytes().chunks(chunk) {
        buf.extend_from_slice(part);
        while let Some(item) = decoder.decode(&mut buf) {
            item.unwrap();
            events += 1;
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buf) {
        item.unwrap();
        events += 1;
    }
    assert_eq!(events, 2000);
    let cut = (chunk..log.len())
        .step_by(chunk)
        .filter(|&end| end % line.len() != 0)
        .count();
    assert!(cut > 100, "{cut}");
    let scanned = decoder.stats().scanned;
    eprintln!("{scanned} bytes scanned for {cut} cut lines");
    assert!(
        4 * scanned < 3 * (cut * line.len()) as u64,
        "{scanned} bytes scanned for {cut} cut lines of {} bytes",
        line.len()
    );
}
