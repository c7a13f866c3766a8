//! The stream layer on a generated workload, for counting instructions per
//! event under callgrind, or for timing: the bare `chatwire::from_slice`
//! loop over the lines, the slice iterator, and the incremental decoder fed
//! 4 KB chunks (owned events, or events borrowed from its buffer, or
//! borrowed from the input as it grows in place), each consuming events as
//! `benches/codec.rs` does.
//!
//! ```text
//! cargo build --release --example stream_instructions
//! valgrind --tool=callgrind --toggle-collect='stream_instructions::run_*' \
//!     target/release/examples/stream_instructions typing 20000 slice
//! target/release/examples/stream_instructions mixed 50000 time
//! ```
//!
//! Modes, each one run of the measured region (`run_*`): `bare`, `slice`,
//! `incremental`, `borrowed`, `in_place`, and `copy` (only the copies
//! `borrowed` makes into its buffer); and `time`, all of them interleaved,
//! best of 60 runs each. `CHUNK=n` gives `in_place` its input `n` bytes at
//! a time instead of 4096: with one chunk as large as the input, what is
//! left over the slice is the decoder's cost per event, the rest its cost
//! per chunk.

use chatwire::stream::{self, Config, Framing};
use chatwire::workload::{self, Workload};

/// Every line through `chatwire::from_slice`.
#[inline(never)]
fn run_bare(lines: &[&[u8]]) -> usize {
    for line in lines {
        std::hint::black_box(chatwire::from_slice(line).unwrap());
    }
    lines.len()
}

/// The slice iterator over the whole input.
#[inline(never)]
fn run_slice(bytes: &[u8], framing: Framing) -> usize {
    let mut n = 0;
    for item in stream::events_with(bytes, framing, Config::new()) {
        std::hint::black_box(item.unwrap());
        n += 1;
    }
    n
}

/// The incremental decoder, fed 4 KB chunks.
#[inline(never)]
fn run_incremental(bytes: &[u8], framing: Framing, buf: &mut bytes::BytesMut) -> usize {
    let mut decoder = stream::Decoder::new(framing);
    let mut n = 0;
    for chunk in bytes.chunks(4096) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode(buf) {
            std::hint::black_box(item.unwrap());
            n += 1;
        }
    }
    while let Some(item) = decoder.decode_eof(buf) {
        std::hint::black_box(item.unwrap());
        n += 1;
    }
    n
}

/// The incremental decoder, fed 4 KB chunks, its events borrowed from the
/// buffer.
#[inline(never)]
fn run_borrowed(bytes: &[u8], framing: Framing, buf: &mut bytes::BytesMut) -> usize {
    let mut decoder = stream::Decoder::new(framing);
    let mut n = 0;
    for chunk in bytes.chunks(4096) {
        decoder.release(buf);
        buf.extend_from_slice(chunk);
        while let Some(item) = decoder.decode_borrowed(buf) {
            std::hint::black_box(item.unwrap());
            n += 1;
        }
    }
    while let Some(item) = decoder.decode_borrowed_eof(buf) {
        std::hint::black_box(item.unwrap());
        n += 1;
    }
    decoder.release(buf);
    n
}

/// The copies [`run_borrowed`] makes, and nothing else: each 4 KB chunk
/// appended to the buffer, which is emptied before the next one.
#[inline(never)]
fn run_copy(bytes: &[u8], buf: &mut bytes::BytesMut) -> usize {
    let mut n = 0;
    for chunk in bytes.chunks(4096) {
        buf.clear();
        buf.extend_from_slice(chunk);
        n += std::hint::black_box(&buf[..]).len();
    }
    buf.clear();
    n
}

/// The incremental decoder, its events borrowed, given the input 4 KB more
/// at a time where it lies: the bytes arrive in place (as a read into the
/// buffer puts them), so the decoder's own cost shows without a copy.
#[inline(never)]
fn run_in_place(bytes: &[u8], framing: Framing) -> usize {
    let mut decoder = stream::Decoder::new(framing);
    let mut n = 0;
    let mut end = 0;
    let step: usize = std::env::var("CHUNK").map_or(4096, |s| s.parse().unwrap());
    while end < bytes.len() {
        end = (end + step).min(bytes.len());
        while let Some(item) = decoder.decode_borrowed(&bytes[..end]) {
            std::hint::black_box(item.unwrap());
            n += 1;
        }
    }
    while let Some(item) = decoder.decode_borrowed_eof(bytes) {
        std::hint::black_box(item.unwrap());
        n += 1;
    }
    n
}

fn main() {
    let mut args = std::env::args().skip(1);
    let workload: Workload = args
        .next()
        .unwrap_or_else(|| "typing".into())
        .parse()
        .expect("a workload: mixed, typing, signaling or envelope");
    let events: usize = args.next().map_or(20_000, |n| n.parse().expect("a count"));
    let mode = args.next().unwrap_or_else(|| "slice".into());
    let bytes = workload::generate(workload, events, 2024);
    let framing = if workload == Workload::Envelope {
        Framing::Envelope
    } else {
        Framing::Ndjson
    };
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut buf = bytes::BytesMut::with_capacity(64 * 1024);
    let decoded = match mode.as_str() {
        "bare" => run_bare(&lines),
        "slice" => run_slice(&bytes, framing),
        "incremental" => run_incremental(&bytes, framing, &mut buf),
        "borrowed" => run_borrowed(&bytes, framing, &mut buf),
        "in_place" => run_in_place(&bytes, framing),
        "copy" => run_copy(&bytes, &mut buf),
        "time" => {
            let bare = framing == Framing::Ndjson;
            let mut best = [u128::MAX; 6];
            for _ in 0..60 {
                if bare {
                    let t = std::time::Instant::now();
                    std::hint::black_box(run_bare(&lines));
                    best[0] = best[0].min(t.elapsed().as_nanos());
                }
                let t = std::time::Instant::now();
                std::hint::black_box(run_slice(&bytes, framing));
                best[1] = best[1].min(t.elapsed().as_nanos());
                let t = std::time::Instant::now();
                std::hint::black_box(run_incremental(&bytes, framing, &mut buf));
                best[2] = best[2].min(t.elapsed().as_nanos());
                let t = std::time::Instant::now();
                std::hint::black_box(run_borrowed(&bytes, framing, &mut buf));
                best[3] = best[3].min(t.elapsed().as_nanos());
                let t = std::time::Instant::now();
                std::hint::black_box(run_in_place(&bytes, framing));
                best[4] = best[4].min(t.elapsed().as_nanos());
                let t = std::time::Instant::now();
                std::hint::black_box(run_copy(&bytes, &mut buf));
                best[5] = best[5].min(t.elapsed().as_nanos());
            }
            let ms = |ns: u128| ns as f64 / 1e6;
            if bare {
                print!("bare {:.3} ms, ", ms(best[0]));
            }
            print!(
                "copies alone {:.3} ms ({:.2}x), ",
                ms(best[5]),
                best[5] as f64 / best[1] as f64
            );
            println!(
                "{workload}: slice {:.3} ms, incremental {:.3} ms ({:.2}x), borrowed {:.3} ms ({:.2}x), in place {:.3} ms ({:.2}x)",
                ms(best[1]),
                ms(best[2]),
                best[2] as f64 / best[1] as f64,
                ms(best[3]),
                best[3] as f64 / best[1] as f64,
                ms(best[4]),
                best[4] as f64 / best[1] as f64
            );
            return;
        }
        other => panic!("unknown mode {other}"),
    };
    println!("{workload} {mode}: {decoded} events, {} bytes", bytes.len());
}
