//! `bench`: chatwire and serde_json decoding the same bytes in the same run.
//!
//! Each decoder makes whole passes over an input; a sample repeats passes
//! for at least `--min-time-ms` and gives one pass's time. Samples of the
//! two decoders alternate (which one goes first alternates too), so that a
//! change in the machine's speed during the run touches both alike; the
//! table shows the medians and the ratio of the medians.

use std::hint::black_box;
use std::io::{self, IsTerminal};
use std::path::Path;
use std::time::{Duration, Instant};

use chatwire::stream::{self, Config, Framing};
use chatwire::workload::{self, Workload};
use indicatif::{ProgressBar, ProgressStyle};

use crate::peers::{OwnedEnvelope, OwnedEvent};
use crate::stats::{framing_name, thousands};
use crate::{BenchArgs, Failure};

/// The embedded workloads: the README's main job decodes these.
const WORKLOADS: [(Workload, usize); 4] = [
    (Workload::Mixed, 20_000),
    (Workload::Typing, 50_000),
    (Workload::Signaling, 2_000),
    (Workload::Envelope, 10_000),
];
const SEED: u64 = 2024;

/// One input to decode.
struct Case {
    name: String,
    bytes: Vec<u8>,
    framing: Framing,
}

/// What one pass found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Count {
    events: u64,
    errors: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Contender {
    Chatwire,
    SerdeJson,
}

impl Contender {
    /// One pass over `case`.
    fn pass(self, case: &Case) -> Count {
        match self {
            Contender::Chatwire => chatwire_pass(&case.bytes, case.framing),
            Contender::SerdeJson => serde_json_pass(&case.bytes, case.framing),
        }
    }
}

/// chatwire's stream iterator over the whole input.
fn chatwire_pass(data: &[u8], framing: Framing) -> Count {
    let mut count = Count::default();
    for item in stream::events_with(data, framing, Config::new()) {
        match item {
            Ok(event) => {
                black_box(&event);
                count.events += 1;
            }
            Err(e) => {
                black_box(e);
                count.errors += 1;
            }
        }
    }
    count
}

/// serde_json as a careful user would drive it: each line into the owned
/// enum; envelopes and concatenated values through its stream deserializer
/// (which stops at the first error).
fn serde_json_pass(data: &[u8], framing: Framing) -> Count {
    let mut count = Count::default();
    match framing {
        Framing::Envelope => {
            for envelope in serde_json::Deserializer::from_slice(data).into_iter::<OwnedEnvelope>()
            {
                match envelope {
                    Ok(envelope) => {
                        count.events += envelope.events.len() as u64;
                        black_box(envelope);
                    }
                    Err(_) => {
                        count.errors += 1;
                        break;
                    }
                }
            }
        }
        Framing::Concatenated => {
            for event in serde_json::Deserializer::from_slice(data).into_iter::<OwnedEvent>() {
                match event {
                    Ok(event) => {
                        black_box(event);
                        count.events += 1;
                    }
                    Err(_) => {
                        count.errors += 1;
                        break;
                    }
                }
            }
        }
        _ => {
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\n', data).chain(Some(data.len()));
            for end in ends {
                let line = &data[start..end];
                start = end + 1;
                if line.trim_ascii().is_empty() {
                    continue;
                }
                match serde_json::from_slice::<OwnedEvent>(line) {
                    Ok(event) => {
                        black_box(event);
                        count.events += 1;
                    }
                    Err(_) => count.errors += 1,
                }
            }
        }
    }
    count
}

/// The framing `Auto` settles on for `data`.
fn detect(data: &[u8], framing: Framing) -> Framing {
    if framing != Framing::Auto {
        return framing;
    }
    let mut probe = stream::events(data);
    probe.next();
    match probe.framing() {
        Framing::Auto => Framing::Ndjson,
        framing => framing,
    }
}

fn cases(args: &BenchArgs) -> Result<Vec<Case>, Failure> {
    Ok(match &args.file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(Failure::io(path.display().to_string()))?;
            vec![Case {
                name: file_name(path),
                framing: detect(&bytes, args.framing.into()),
                bytes,
            }]
        }
        None => WORKLOADS
            .iter()
            .map(|&(workload, events)| {
                let bytes = workload::generate(workload, events, SEED);
                Case {
                    name: workload.name().to_string(),
                    framing: detect(&bytes, Framing::Auto),
                    bytes,
                }
            })
            .collect(),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The timings of one decoder on one case.
struct Series {
    passes_per_sample: u32,
    per_pass: Vec<Duration>,
    count: Count,
}

impl Series {
    /// A warm-up pass, which also sets how many passes make one sample.
    fn calibrate(contender: Contender, case: &Case, min_time: Duration) -> Series {
        let start = Instant::now();
        let count = contender.pass(case);
        let once = start.elapsed().max(Duration::from_micros(1));
        let passes = (min_time.as_secs_f64() / once.as_secs_f64()).ceil();
        Series {
            passes_per_sample: passes.clamp(1.0, 1e6) as u32,
            per_pass: Vec::new(),
            count,
        }
    }

    fn sample(&mut self, contender: Contender, case: &Case) {
        let start = Instant::now();
        for _ in 0..self.passes_per_sample {
            black_box(contender.pass(black_box(case)));
        }
        self.per_pass.push(start.elapsed() / self.passes_per_sample);
    }

    fn median(&self) -> Duration {
        let mut sorted = self.per_pass.clone();
        sorted.sort();
        let n = sorted.len();
        if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        }
    }
}

/// Runs the benchmark and prints its table.
pub fn run(args: &BenchArgs) -> Result<(), Failure> {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; its numbers mean little (cargo run --release --features cli -- bench)"
        );
    }
    let cases = cases(args)?;
    let samples = args.samples.get();
    let min_time = Duration::from_millis(args.min_time_ms);
    let contenders = [Contender::Chatwire, Contender::SerdeJson];

    let bar = if io::stderr().is_terminal() {
        ProgressBar::new((samples * cases.len()) as u64).with_style(
            ProgressStyle::with_template("measuring {wide_bar} {pos}/{len} samples")
                .expect("a valid template"),
        )
    } else {
        ProgressBar::hidden()
    };
    let mut series: Vec<[Series; 2]> = cases
        .iter()
        .map(|case| contenders.map(|c| Series::calibrate(c, case, min_time)))
        .collect();
    for round in 0..samples {
        for (case, pair) in cases.iter().zip(&mut series) {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                pair[i].sample(contenders[i], case);
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();

    println!("chatwire bench: the same bytes decoded by chatwire and by serde_json, interleaved");
    println!("  chatwire     chatwire::stream::events_with over the whole input, borrowed events");
    println!(
        "  serde_json   serde_json::from_slice per line into the owned #[serde(tag = \"event\")]"
    );
    println!("               enum of benches/peers (envelopes: its stream deserializer)");
    println!(
        "  median of {samples} samples per decoder and input, each >= {} ms; MB = 10^6 bytes",
        args.min_time_ms
    );
    println!();
    println!(
        "{:<12} {:<9} {:>9} {:>10} | {:>13} {:>10} | {:>15} {:>10} | {:>6}",
        "input",
        "framing",
        "size",
        "events",
        "chatwire MB/s",
        "Mevents/s",
        "serde_json MB/s",
        "Mevents/s",
        "ratio"
    );
    let mut log_ratio_sum = 0.0;
    let mut notes = Vec::new();
    for (case, [ours, theirs]) in cases.iter().zip(&series) {
        let mb = case.bytes.len() as f64 / 1e6;
        let (t_ours, t_theirs) = (ours.median().as_secs_f64(), theirs.median().as_secs_f64());
        let ratio = t_theirs / t_ours;
        log_ratio_sum += ratio.ln();
        println!(
            "{:<12} {:<9} {:>6.2} MB {:>10} | {:>13.1} {:>10.2} | {:>15.1} {:>10.2} | {:>5.2}x",
            case.name,
            framing_name(case.framing),
            mb,
            thousands(ours.count.events),
            mb / t_ours,
            ours.count.events as f64 / t_ours / 1e6,
            mb / t_theirs,
            theirs.count.events as f64 / t_theirs / 1e6,
            ratio,
        );
        if ours.count != theirs.count {
            notes.push(format!(
                "note: on {}, chatwire found {} events and {} errors, serde_json {} events and {} errors",
                case.name,
                ours.count.events,
                ours.count.errors,
                theirs.count.events,
                theirs.count.errors
            ));
        }
    }
    if cases.len() > 1 {
        println!(
            "{:<12} {:>103.2}x",
            "geometric mean",
            (log_ratio_sum / cases.len() as f64).exp()
        );
    }
    for note in notes {
        println!("{note}");
    }
    Ok(())
}
