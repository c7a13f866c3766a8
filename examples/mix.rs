//! What unpredictable traffic costs the decoder: the mixed workload timed
//! in the order it was generated; the same lines grouped by event kind
//! (stable, so each kind keeps its own order); and its first 1,000 lines
//! over and over, as many lines in all. The first two decode the same
//! bytes, line by line through `chatwire::from_slice`, the lines laid out
//! one after another in memory either way; what differs is only how often
//! the kind changes from one event to the next, and so how well the CPU
//! predicts the decoder's branches. The third takes as much memory, but
//! its lines repeat, so the CPU learns the branches each one takes: what
//! is left is the decoder's time when no branch on the bytes is
//! mispredicted, or nearly.
//!
//! ```text
//! cargo run --release --example mix -- 10000
//! ```
//!
//! Prints the best of 100 interleaved runs of each, and their ratios to
//! the lines as generated.

use chatwire::workload::{self, Workload};

/// How many of the first lines the third layout repeats.
const REPEATED: usize = 1_000;

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

    let mut best = [u128::MAX; 3];
    for _ in 0..100 {
        for (b, lines) in best.iter_mut().zip([&mixed, &sorted, &again]) {
            let t = std::time::Instant::now();
            std::hint::black_box(run(lines));
            *b = (*b).min(t.elapsed().as_nanos());
        }
    }
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
}
