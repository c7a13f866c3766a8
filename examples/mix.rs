//! What unpredictable traffic costs the decoder: the mixed workload timed
//! in the order it was generated; the same lines grouped by event kind
//! (stable, so each kind keeps its own order); and its first 1,000 lines
//! over and over, as many lines in all. The first two decode the same
//! bytes, line by line through `chatwire::from_slice`, the lines laid out
//! one after another in memory either way; what differs is only how often
//! the kind changes from one event to the next, and so how well the CPU
//! predicts the decoder's branches. The third takes about as much memory,
//! but its lines repeat, so the CPU learns the branches each one takes: what
//! is left is the decoder's time when no branch on the bytes is
//! mispredicted, or nearly.
//!
//! ```text
//! cargo run --release --example mix -- 10000
//! cargo run --release --example mix -- 60000 kinds
//! ```
//!
//! Prints the best of 100 interleaved runs of each, and their ratios to
//! the lines as generated. With `kinds`, then the same split by event kind
//! (messages also by what their text holds: `\u` escapes, other escapes,
//! non-ASCII, none of those): each kind's lines as generated against its
//! first 300 repeated to as many lines, best of 60 each, and what the gap
//! between the two adds to an event of the whole mix.

use chatwire::workload::{self, Workload};

/// How many of the first lines the third layout repeats.
const REPEATED: usize = 1_000;

/// How many of each kind's first lines `kinds` repeats.
const REPEATED_OF_KIND: usize = 300;

/// Every line through `chatwire::from_slice`.
#[inline(never)]
fn run(lines: &[&[u8]]) -> usize {
    lines
        .iter()
        .filter(|line| chatwire::from_slice(std::hint::black_box(line)).is_ok())
        .count()
}

/// `lines` laid out in one buffer in the order `order` gives.
fn laid_out(lines: &[&[u8]], order: &[usize]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for &i in order {
        bytes.extend_from_slice(lines[i]);
        bytes.push(b'\n');
    }
    bytes
}

/// The best time of `runs` interleaved runs of each of `sets`, in ns.
fn best_of(runs: usize, sets: &[&[&[u8]]]) -> Vec<u128> {
    let mut best = vec![u128::MAX; sets.len()];
    for _ in 0..runs {
        for (b, lines) in best.iter_mut().zip(sets) {
            let t = std::time::Instant::now();
            std::hint::black_box(run(lines));
            *b = (*b).min(t.elapsed().as_nanos());
        }
    }
    best
}

/// The group of a line for `kinds`: its event kind, and for a message what
/// its text holds.
fn group(line: &[u8], kind: chatwire::EventKind) -> String {
    if kind != chatwire::EventKind::Message {
        return format!("{kind:?}");
    }
    let has = |s: &[u8]| line.windows(s.len()).any(|w| w == s);
    let text = if has(b"\\u") {
        "\\u escapes"
    } else if has(b"\\") {
        "other escapes"
    } else if !line.is_ascii() {
        "non-ASCII"
    } else {
        "plain"
    };
    format!("Message, {text}")
}

/// Each group's lines as generated against its first ones repeated.
fn by_kind(lines: &[&[u8]], kinds: &[chatwire::EventKind]) {
    let mut groups: std::collections::BTreeMap<String, Vec<&[u8]>> = Default::default();
    for (line, &kind) in lines.iter().zip(kinds) {
        groups.entry(group(line, kind)).or_default().push(line);
    }
    println!(
        "kind                     lines  bytes  as generated  repeated    gap  gap per event of the mix"
    );
    for (name, lines_of_kind) in &groups {
        // Both laid out one after another, as many lines and about as much
        // memory each.
        let order: Vec<usize> = (0..lines_of_kind.len()).collect();
        let first: Vec<usize> = order.iter().map(|i| i % REPEATED_OF_KIND).collect();
        let (generated, repeated) = (
            laid_out(lines_of_kind, &order),
            laid_out(lines_of_kind, &first),
        );
        let (fresh, again) = (lines_of(&generated), lines_of(&repeated));
        let best = best_of(60, &[&fresh, &again]);
        let per = |ns: u128| ns as f64 / fresh.len() as f64;
        let bytes: usize = fresh.iter().map(|l| l.len()).sum();
        let gap = per(best[0]) - per(best[1]);
        println!(
            "{name:24} {:6} {:6} {:10.1} ns {:6.1} ns {:6.1} {:9.1} ns",
            fresh.len(),
            bytes / fresh.len(),
            per(best[0]),
            per(best[1]),
            gap,
            gap * fresh.len() as f64 / lines.len() as f64,
        );
    }
}

/// The non-empty lines of `bytes`.
fn lines_of(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |n| n.parse().expect("a count"));
    let generated = workload::generate(Workload::Mixed, events, 2024);
    let lines = lines_of(&generated);
    let kinds: Vec<_> = lines
        .iter()
        .map(|line| chatwire::from_slice(line).expect("a valid event").kind())
        .collect();
    let mut order: Vec<usize> = (0..lines.len()).collect();
    let as_generated = laid_out(&lines, &order);
    order.sort_by_key(|&i| kinds[i] as usize);
    let grouped = laid_out(&lines, &order);
    let first: Vec<usize> = (0..lines.len()).map(|i| i % REPEATED).collect();
    let repeated = laid_out(&lines, &first);
    let (mixed, sorted, again) = (
        lines_of(&as_generated),
        lines_of(&grouped),
        lines_of(&repeated),
    );
    assert_eq!(run(&mixed), run(&sorted));
    assert_eq!(run(&again), again.len());

    let best = best_of(100, &[&mixed, &sorted, &again]);
    let ms = |ns: u128| ns as f64 / 1e6;
    let ratio = |ns: u128| ns as f64 / best[0] as f64;
    println!(
        "mixed, {} events, {} bytes: as generated {:.3} ms; grouped by kind {:.3} ms ({:.2}); \
         the first {} repeated, {} bytes, {:.3} ms ({:.2})",
        lines.len(),
        generated.len(),
        ms(best[0]),
        ms(best[1]),
        ratio(best[1]),
        REPEATED.min(lines.len()),
        repeated.len(),
        ms(best[2]),
        ratio(best[2]),
    );
    if std::env::args().nth(2).as_deref() == Some("kinds") {
        by_kind(&lines, &kinds);
    }
}
