//! chatwire against serde_json, simd-json and sonic-rs, decoding and
//! encoding the same generated workloads in the same run.
//!
//! The stream groups (`stream/...`) read whole inputs with the slice
//! iterator (borrowed events) and `OwnedEvents` (owned events), and the
//! incremental decoder fed 4 KB chunks, its events owned (`decode`) or
//! borrowed from its buffer (`decode_borrowed`); the chunks are copied into
//! the decoder's buffer, as a server's reads copy them, or (`in_place`)
//! arrive where they lie, which leaves the decoder's own cost.
//!
//! The client workloads decode with `chatwire::from_slice`; the server
//! workload (`decode/server`, `encode/server`) with `ServerEvent::from_slice`
//! against a plain serde model of server events (`peers::OwnedServerEvent`).
//!
//! `cargo bench --bench codec` runs every group; `CHATWIRE_BENCH_QUICK=1`
//! shortens each measurement for a run of a few minutes.
//!
//! `CHATWIRE_BENCH_MIXED_EVENTS=N` sets how many events the mixed workload
//! has (10,000 unless set), to see how the decoders' times depend on it:
//! criterion decodes the same events over and over, and on a few thousand
//! of them the CPU learns the branches their bytes take, which real
//! traffic never repeats. The figures quoted are from 10,000.

use std::hint::black_box;
use std::time::Duration;

use chatwire::stream::{self, Config, Framing};
use chatwire::workload::{self, Workload};
use chatwire::{ClientEvent, ServerEvent};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

#[allow(dead_code)]
mod peers;
use peers::{CowEnvelope, CowEvent, CowServerEvent, OwnedEnvelope, OwnedEvent, OwnedServerEvent};

const SEED: u64 = 2024;

/// The benchmark input: a workload and its lines (one event or one
/// envelope per line).
struct Input {
    bytes: Vec<u8>,
    lines: Vec<(usize, usize)>,
}

impl Input {
    fn new(workload: Workload, events: usize) -> Input {
        let bytes = workload::generate(workload, events, SEED);
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &bytes) {
            lines.push((start, end));
            start = end + 1;
        }
        Input { bytes, lines }
    }

    fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().map(|&(s, e)| &self.bytes[s..e])
    }
}

fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, input: &Input) {
    group.throughput(Throughput::Bytes(input.bytes.len() as u64));
    if std::env::var_os("CHATWIRE_BENCH_QUICK").is_some() {
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(1));
    }
}

fn workloads() -> [(Workload, usize); 3] {
    let mixed = std::env::var("CHATWIRE_BENCH_MIXED_EVENTS").map_or(10_000, |n| {
        n.parse()
            .expect("CHATWIRE_BENCH_MIXED_EVENTS: a number of events")
    });
    [
        (Workload::Mixed, mixed),
        (Workload::Typing, 50_000),
        (Workload::Signaling, 1_000),
    ]
}

/// One decode group: chatwire (`$ours`, a function of a line) and the
/// peers, serde_json and sonic-rs into the owned (`$Owned`) and borrowed
/// (`$Cow`) serde models, simd-json into the owned model and its tape, on
/// the same lines.
macro_rules! decode_group {
    ($c:expr, $name:expr, $input:expr, $ours:expr, $Owned:ty, $Cow:ty) => {{
        let input: &Input = $input;
        let mut group = $c.benchmark_group($name);
        configure(&mut group, input);
        group.bench_function("chatwire", |b| {
            b.iter(|| {
                for line in input.lines() {
                    black_box($ours(line).unwrap());
                }
            })
        });
        group.bench_function("serde_json_owned", |b| {
            b.iter(|| {
                for line in input.lines() {
                    black_box(serde_json::from_slice::<$Owned>(line).unwrap());
                }
            })
        });
        group.bench_function("serde_json_cow", |b| {
            b.iter(|| {
                for line in input.lines() {
                    black_box(serde_json::from_slice::<$Cow>(line).unwrap());
                }
            })
        });
        group.bench_function("sonic_rs_cow", |b| {
            b.iter(|| {
                for line in input.lines() {
                    black_box(sonic_rs::from_slice::<$Cow>(line).unwrap());
                }
            })
        });
        let mut scratch = Vec::new();
        let mut buffers = simd_json::Buffers::new(64 * 1024);
        group.bench_function("simd_json_owned", |b| {
            b.iter(|| {
                for line in input.lines() {
                    scratch.clear();
                    scratch.extend_from_slice(line);
                    black_box(
                        simd_json::serde::from_slice_with_buffers::<$Owned>(
                            &mut scratch,
                            &mut buffers,
                        )
                        .unwrap(),
                    );
                }
            })
        });
        group.bench_function("simd_json_tape", |b| {
            b.iter(|| {
                for line in input.lines() {
                    scratch.clear();
                    scratch.extend_from_slice(line);
                    let tape = simd_json::to_tape_with_buffers(&mut scratch, &mut buffers).unwrap();
                    black_box(tape.as_value());
                }
            })
        });
        group.finish();
    }};
}

fn decode(c: &mut Criterion) {
    for (workload, events) in workloads() {
        let input = Input::new(workload, events);
        decode_group!(
            c,
            format!("decode/{}", workload.name()),
            &input,
            chatwire::from_slice,
            OwnedEvent,
            CowEvent<'_>
        );
    }
}

fn decode_envelopes(c: &mut Criterion) {
    let input = Input::new(Workload::Envelope, 10_000);
    let mut group = c.benchmark_group("decode/envelope");
    configure(&mut group, &input);
    group.bench_function("chatwire", |b| {
        b.iter(|| {
            for item in stream::events_with(&input.bytes, Framing::Envelope, Config::new()) {
                black_box(item.unwrap());
            }
        })
    });
    group.bench_function("serde_json_owned", |b| {
        b.iter(|| {
            for line in input.lines() {
                black_box(serde_json::from_slice::<OwnedEnvelope>(line).unwrap());
            }
        })
    });
    group.bench_function("serde_json_cow", |b| {
        b.iter(|| {
            for line in input.lines() {
                black_box(serde_json::from_slice::<CowEnvelope<'_>>(line).unwrap());
            }
        })
    });
    group.bench_function("sonic_rs_cow", |b| {
        b.iter(|| {
            for line in input.lines() {
                black_box(sonic_rs::from_slice::<CowEnvelope<'_>>(line).unwrap());
            }
        })
    });
    group.finish();
}

/// The server workload, so many events that it is about as many bytes as
/// the mixed client workload's 10,000.
const SERVER_EVENTS: usize = 10_000;

fn decode_server(c: &mut Criterion) {
    let input = Input::new(Workload::Server, SERVER_EVENTS);
    decode_group!(
        c,
        "decode/server",
        &input,
        ServerEvent::from_slice,
        OwnedServerEvent,
        CowServerEvent<'_>
    );
}

/// One encode group: chatwire writing `ours` (with `write`, each event's
/// `write_to_vec`) against serde_json and sonic-rs writing the same events
/// in the serde model, `owned`.
fn encode_group<E, O: serde::Serialize>(
    c: &mut Criterion,
    name: &str,
    input: &Input,
    (ours, write): (&[E], impl Fn(&E, &mut Vec<u8>)),
    owned: &[O],
) {
    let mut out = Vec::with_capacity(input.bytes.len() * 2);
    let mut group = c.benchmark_group(name);
    configure(&mut group, input);
    group.bench_function("chatwire", |b| {
        b.iter(|| {
            out.clear();
            for event in ours {
                write(event, &mut out);
            }
            black_box(out.len())
        })
    });
    group.bench_function("serde_json", |b| {
        b.iter(|| {
            out.clear();
            for event in owned {
                serde_json::to_writer(&mut out, event).unwrap();
            }
            black_box(out.len())
        })
    });
    group.bench_function("sonic_rs", |b| {
        b.iter(|| {
            out.clear();
            for event in owned {
                sonic_rs::to_writer(&mut out, event).unwrap();
            }
            black_box(out.len())
        })
    });
    group.finish();
}

fn encode_server(c: &mut Criterion) {
    let input = Input::new(Workload::Server, SERVER_EVENTS);
    let ours: Vec<ServerEvent<'_>> = input
        .lines()
        .map(|l| ServerEvent::from_slice(l).unwrap())
        .collect();
    let owned: Vec<OwnedServerEvent> = input
        .lines()
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert!(
        !owned.iter().any(|e| matches!(e, OwnedServerEvent::Unknown)),
        "the serde model knows every event of the workload"
    );
    encode_group(
        c,
        "encode/server",
        &input,
        (&ours, ServerEvent::write_to_vec),
        &owned,
    );
}

fn encode(c: &mut Criterion) {
    for (workload, events) in workloads() {
        let input = Input::new(workload, events);
        let ours: Vec<_> = input
            .lines()
            .map(|l| chatwire::from_slice(l).unwrap())
            .collect();
        let owned: Vec<OwnedEvent> = input
            .lines()
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        encode_group(
            c,
            &format!("encode/{}", workload.name()),
            &input,
            (&ours, ClientEvent::write_to_vec),
            &owned,
        );
    }
}

/// The whole-slice iterator against the incremental decoder fed 4 KB chunks.
fn streams(c: &mut Criterion) {
    for (workload, events, framing) in [
        (Workload::Mixed, 10_000, Framing::Ndjson),
        (Workload::Typing, 50_000, Framing::Ndjson),
        (Workload::Envelope, 10_000, Framing::Envelope),
    ] {
        let input = Input::new(workload, events);
        let mut group = c.benchmark_group(format!("stream/{}", workload.name()));
        configure(&mut group, &input);
        group.bench_function("slice", |b| {
            b.iter(|| {
                for item in stream::events_with(&input.bytes, framing, Config::new()) {
                    black_box(item.unwrap());
                }
            })
        });
        // The same owned events as the incremental decoder's, from the whole
        // input at once: what chunking alone costs.
        let whole = bytes::Bytes::copy_from_slice(&input.bytes);
        group.bench_function("owned_slice", |b| {
            b.iter(|| {
                for item in stream::OwnedEvents::with_config(whole.clone(), framing, Config::new())
                {
                    black_box(item.unwrap());
                }
            })
        });
        group.bench_function("incremental_4k", |b| {
            let mut buf = bytes::BytesMut::with_capacity(64 * 1024);
            b.iter(|| {
                let mut decoder = stream::Decoder::new(framing);
                for chunk in input.bytes.chunks(4096) {
                    buf.extend_from_slice(chunk);
                    while let Some(item) = decoder.decode(&mut buf) {
                        black_box(item.unwrap());
                    }
                }
                while let Some(item) = decoder.decode_eof(&mut buf) {
                    black_box(item.unwrap());
                }
            })
        });
        // The same chunks, events borrowed from the buffer: no reference
        // counts, no copies of the events.
        group.bench_function("incremental_4k_borrowed", |b| {
            let mut buf = bytes::BytesMut::with_capacity(64 * 1024);
            b.iter(|| {
                let mut decoder = stream::Decoder::new(framing);
                for chunk in input.bytes.chunks(4096) {
                    decoder.release(&mut buf);
                    buf.extend_from_slice(chunk);
                    while let Some(item) = decoder.decode_borrowed(&buf) {
                        black_box(item.unwrap());
                    }
                }
                while let Some(item) = decoder.decode_borrowed_eof(&buf) {
                    black_box(item.unwrap());
                }
                decoder.release(&mut buf);
            })
        });
        // The same chunks arriving in place, as a read into a buffer puts
        // them: the input grows 4 KB at a time and is never copied, so this
        // is the decoder's own cost of taking the input in pieces.
        group.bench_function("incremental_4k_in_place", |b| {
            b.iter(|| {
                let mut decoder = stream::Decoder::new(framing);
                let mut end = 0;
                while end < input.bytes.len() {
                    end = (end + 4096).min(input.bytes.len());
                    while let Some(item) = decoder.decode_borrowed(&input.bytes[..end]) {
                        black_box(item.unwrap());
                    }
                }
                while let Some(item) = decoder.decode_borrowed_eof(&input.bytes) {
                    black_box(item.unwrap());
                }
            })
        });
        group.finish();
    }
}

criterion_group!(
    benches,
    decode,
    decode_server,
    decode_envelopes,
    encode,
    encode_server,
    streams
);
criterion_main!(benches);
