//! Decodes a generated workload line by line, for counting instructions per
//! event under callgrind (see `scripts/instructions.sh`).
//!
//! `cargo run --release --example instructions -- mixed 20000` prints the
//! number of events decoded; only `decode_all` (client workloads, through
//! `chatwire::from_slice`) and `decode_all_server` (the server workload,
//! through `ServerEvent::from_slice`) are meant to be measured.
//!
//! A third argument keeps only the client events of one kind, in the order
//! generated, to split a workload's count by kind:
//! `... -- mixed 20000 chat_session_message`.
//!
//! `... -- line '<event>' 1000` decodes one given client event that many
//! times instead, to see what a field, a key or a string costs: the count
//! of one line against the count of the same line with one thing changed.

use chatwire::ServerEvent;
use chatwire::workload::{self, Workload};

/// The measured region for client events: every line through
/// `chatwire::from_slice`.
#[inline(never)]
fn decode_all(lines: &[&[u8]]) -> usize {
    lines
        .iter()
        .filter(|line| chatwire::from_slice(std::hint::black_box(line)).is_ok())
        .count()
}

/// The measured region for server events: every line through
/// `ServerEvent::from_slice`.
#[inline(never)]
fn decode_all_server(lines: &[&[u8]]) -> usize {
    lines
        .iter()
        .filter(|line| ServerEvent::from_slice(std::hint::black_box(line)).is_ok())
        .count()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_else(|| "mixed".into());
    if first == "line" {
        let line = args.next().expect("an event after `line`");
        let times: usize = args.next().map_or(1_000, |n| n.parse().expect("a count"));
        let lines = vec![line.as_bytes(); times];
        println!("line: {} of {times} decoded", decode_all(&lines));
        return;
    }
    let workload: Workload = first
        .parse()
        .expect("a workload: mixed, typing, signaling, envelope or server, or `line`");
    let events: usize = args.next().map_or(20_000, |n| n.parse().expect("a count"));
    let bytes = workload::generate(workload, events, 2024);
    let kind = args.next();
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter(|l| {
            kind.as_deref().is_none_or(|kind| {
                chatwire::from_slice(l).is_ok_and(|event| event.kind().name() == kind)
            })
        })
        .collect();
    let decoded = if workload == Workload::Server {
        decode_all_server(&lines)
    } else {
        decode_all(&lines)
    };
    println!(
        "{workload}: {decoded} of {} lines decoded, {} bytes",
        lines.len(),
        bytes.len()
    );
}
