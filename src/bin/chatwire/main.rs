//! `chatwire`, the command-line tool of the chatwire crate (feature `cli`).
//!
//! - `decode`, `check` and `stats` read a stream of events in any framing,
//!   of the side `--side` names (a client's events, the server's, or a
//!   chat's history of both, [`side`]), and share one engine ([`run`]),
//!   generic over that side: a mapped file of NDJSON is cut
//!   at line boundaries and decoded on all cores, its output written in input
//!   order, byte for byte what one thread writes; any other mapped file is
//!   decoded in one pass; standard input (and pipes) go through the
//!   incremental `stream::Decoder` in a bounded window.
//! - `gen` writes the benchmark workloads of `chatwire::workload`.
//! - `bench` decodes the same bytes with chatwire and with serde_json, in
//!   interleaved repetitions, and prints both throughputs and their ratio.
//!
//! Only the codec is hand-written: clap parses the arguments, indicatif draws
//! the progress bar, rayon runs the workers and memmap2 maps the files.

use std::io;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use chatwire::stream::{Config, Framing};
use chatwire::workload::Workload;
use chatwire::{Client, History, Server};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod bench;
mod generate;
mod input;
mod progress;
mod report;
mod run;
mod side;
mod stats;

/// The plain serde models the benches measure chatwire against; `bench`
/// uses the owned ones.
#[allow(dead_code)]
#[path = "../../../benches/peers/mod.rs"]
mod peers;

const EXIT_STATUS: &str = "\
Exit status:
  0  every event was good (or the command does not validate)
  1  some event was bad (decode, check and stats)
  2  usage error, or an input or output error

A closed standard output (`chatwire decode big.ndjson | head`) ends the run
quietly, with the status of what was read so far.";

/// Decode, validate, count, generate and benchmark streams of Bright Pattern
/// chat events (client events, server events, chat histories).
#[derive(Parser, Debug)]
#[command(name = "chatwire", version, after_help = EXIT_STATUS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode a stream; write each good event in canonical form to stdout,
    /// each bad one as an error line to stderr
    #[command(long_about = "\
Decode a stream of events (client events by default; `--side server` for the
server's, `--side history` for a chat's history of both) and write each good
event to stdout in
canonical form (compact, the spec's field order, strings escaped as serde_json
escapes them; an event of an unknown kind is written as it came), one per
line, or all of them in one envelope with `--to envelope`.

Each bad event is one line on stderr, and decoding goes on:

  FILE:LINE:COLUMN: byte OFFSET: MESSAGE

FILE is `-` for standard input; LINE and COLUMN (in bytes, from 1) are those of
OFFSET, the byte (from 0) where the problem was found; for an envelope, the
position is inside the bad element.")]
    Decode(DecodeArgs),
    /// Validate a stream: print the error lines and `N events, M errors`,
    /// all on stderr
    #[command(long_about = "\
Validate a stream of events (of the `--side` given) as `decode` does, without
writing the
events: print each bad event's error line (the format of `decode`) and then
the one-line summary `N events, M errors`, all on stderr, so that `check`
prints exactly what `decode >/dev/null` prints, plus the summary.")]
    Check(CheckArgs),
    /// Count events per kind, their sizes, errors, and the decode throughput
    #[command(long_about = "\
Decode a stream and print on stdout the number of events of each kind, the
total and largest event size (the event's bytes as they came), the number of
errors (list them with `check`), and the decode throughput (MB = 10^6 bytes,
over the whole input, on the threads used).")]
    Stats(StatsArgs),
    /// Write a generated benchmark workload (chatwire::workload)
    Gen(GenArgs),
    /// Decode with chatwire and with serde_json side by side and print both
    /// throughputs and their ratio
    #[command(long_about = "\
Decode the same bytes with chatwire (`chatwire::stream::events`, borrowed
events) and with serde_json (an owned `#[serde(tag = \"event\")]` enum, the plain
model of benches/peers), in interleaved repetitions, and print the median
MB/s and events/s of each and the ratio of the medians.

Without FILE, the embedded workloads: mixed (20,000 events), typing (50,000),
signaling (2,000) and envelope (10,000), seed 2024. Build with --release.")]
    Bench(BenchArgs),
}

/// The input of `decode`, `check` and `stats`.
#[derive(Args, Debug)]
struct InputArgs {
    /// The input; `-` for standard input
    #[arg(value_name = "FILE", default_value = "-")]
    file: PathBuf,

    /// How the events are laid out; detected from the first bytes by default
    #[arg(long, value_enum, value_name = "FRAMING", default_value_t = FramingArg::Auto)]
    framing: FramingArg,

    /// Whose events the stream holds
    #[arg(long, value_enum, value_name = "SIDE", default_value_t = SideArg::Client)]
    side: SideArg,

    /// Threads decoding an NDJSON file [default: one per core]; 1 decodes
    /// the whole input in one pass on the main thread
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,

    /// The largest event accepted, in bytes; longer ones are errors
    #[arg(long, value_name = "BYTES", default_value_t = Config::DEFAULT_MAX_EVENT_LEN)]
    max_event_len: usize,

    /// Bytes per chunk of a file decoded on several threads (cut at the
    /// next line feed)
    #[arg(long, value_name = "BYTES", default_value_t = run::DEFAULT_CHUNK, hide = true)]
    chunk_size: usize,
}

#[derive(Args, Debug)]
struct DecodeArgs {
    #[command(flatten)]
    input: InputArgs,

    /// How to write the events: one per line, or one envelope
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = OutputArg::Ndjson)]
    to: OutputArg,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args, Debug)]
struct StatsArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args, Debug)]
struct GenArgs {
    /// The traffic to generate
    #[arg(long, value_enum, default_value_t = WorkloadArg::Mixed)]
    workload: WorkloadArg,

    /// How many events (for `envelope` and `history`, the events inside all
    /// envelopes)
    #[arg(long, value_name = "N")]
    events: usize,

    /// The seed: the same workload, count and seed give the same bytes
    #[arg(long, value_name = "S", default_value_t = 2024)]
    seed: u64,

    /// Write to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// A file to decode instead of the embedded workloads
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,

    /// How the file's events are laid out; detected by default
    #[arg(long, value_enum, value_name = "FRAMING", default_value_t = FramingArg::Auto)]
    framing: FramingArg,

    /// Timed samples per decoder and input, interleaved
    #[arg(long, value_name = "N", default_value = "11")]
    samples: NonZeroUsize,

    /// The least time one sample runs, in milliseconds (whole passes over
    /// the input, repeated)
    #[arg(long, value_name = "MS", default_value_t = 80)]
    min_time_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FramingArg {
    /// Detect the framing from the first bytes
    Auto,
    /// One event per line
    Ndjson,
    /// `{"events":[...]}` envelopes
    Envelope,
    /// JSON values back to back
    #[value(alias = "concatenated")]
    Concat,
}

impl From<FramingArg> for Framing {
    fn from(arg: FramingArg) -> Framing {
        match arg {
            FramingArg::Auto => Framing::Auto,
            FramingArg::Ndjson => Framing::Ndjson,
            FramingArg::Envelope => Framing::Envelope,
            FramingArg::Concat => Framing::Concatenated,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SideArg {
    /// Client events (what a client sends)
    Client,
    /// Server events (what the server sends)
    Server,
    /// A chat's history: both directions mixed, each event in its direction
    /// by its name (and, for names both send, by its `party_id`)
    History,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputArg {
    /// One event per line
    Ndjson,
    /// One `{"events":[...]}` envelope holding every event, and a line feed
    Envelope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WorkloadArg {
    /// Mixed chat traffic, one event per line
    Mixed,
    /// A typing storm, one event per line
    Typing,
    /// Signaling-heavy traffic (SDP, ICE), one event per line
    Signaling,
    /// Envelopes of 1 to 50 mixed events, one per line
    Envelope,
    /// Server events of whole chats (status, joins, messages, receipts,
    /// forms, files, signaling), one per line, in real servers' shapes
    Server,
    /// Get Chat History answers: one envelope per chat, client and server
    /// events in order
    History,
}

impl From<WorkloadArg> for Workload {
    fn from(arg: WorkloadArg) -> Workload {
        match arg {
            WorkloadArg::Mixed => Workload::Mixed,
            WorkloadArg::Typing => Workload::Typing,
            WorkloadArg::Signaling => Workload::Signaling,
            WorkloadArg::Envelope => Workload::Envelope,
            WorkloadArg::Server => Workload::Server,
            WorkloadArg::History => Workload::History,
        }
    }
}

impl InputArgs {
    fn job(&self, emit: run::Emit, sizes: bool) -> run::Job {
        let threads = self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
            NonZeroUsize::get,
        );
        run::Job {
            framing: self.framing.into(),
            config: Config::new().max_event_len(self.max_event_len),
            emit,
            sizes,
            threads,
            chunk_size: self.chunk_size.max(1),
        }
    }
}

/// Why a command stopped early.
#[derive(Debug)]
enum Failure {
    /// Reading or writing failed; the message says what.
    Io(String, io::Error),
    /// Standard output was closed by its reader.
    ClosedOutput,
}

impl Failure {
    fn io(what: impl Into<String>) -> impl FnOnce(io::Error) -> Failure {
        let what = what.into();
        move |e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Failure::ClosedOutput
            } else {
                Failure::Io(what, e)
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Whether a validating command met a bad event, also when it stopped
    // early because its reader closed standard output.
    let mut bad = false;
    let result = match cli.command {
        Command::Decode(args) => {
            let emit = match args.to {
                OutputArg::Ndjson => run::Emit::Ndjson,
                OutputArg::Envelope => run::Emit::Envelope,
            };
            run_input(&args.input, emit, report::Mode::Decode, &mut bad)
        }
        Command::Check(args) => run_input(
            &args.input,
            run::Emit::Nothing,
            report::Mode::Check,
            &mut bad,
        ),
        Command::Stats(args) => run_input(
            &args.input,
            run::Emit::Nothing,
            report::Mode::Stats,
            &mut bad,
        ),
        Command::Gen(args) => generate::run(&args),
        Command::Bench(args) => bench::run(&args),
    };
    match result {
        Ok(()) | Err(Failure::ClosedOutput) if bad => ExitCode::from(1),
        Ok(()) | Err(Failure::ClosedOutput) => ExitCode::SUCCESS,
        Err(Failure::Io(what, e)) => {
            eprintln!("chatwire: {what}: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs `decode`, `check` or `stats` over one input, for the side it
/// names; sets `bad` when it meets a bad event.
fn run_input(
    args: &InputArgs,
    emit: run::Emit,
    mode: report::Mode,
    bad: &mut bool,
) -> Result<(), Failure> {
    match args.side {
        SideArg::Client => run_side::<Client>(args, emit, mode, bad),
        SideArg::Server => run_side::<Server>(args, emit, mode, bad),
        SideArg::History => run_side::<History>(args, emit, mode, bad),
    }
}

/// [`run_input`] for the events of side `S`.
fn run_side<S: side::Direction>(
    args: &InputArgs,
    emit: run::Emit,
    mode: report::Mode,
    bad: &mut bool,
) -> Result<(), Failure> {
    let mut input =
        input::open(&args.file).map_err(Failure::io(args.file.display().to_string()))?;
    let job = args.job(emit, mode == report::Mode::Stats);
    let mut report = report::Report::new(&input, &job, mode);
    let outcome = run::run::<S>(&mut input, &job, &mut report);
    *bad = report.tally().errors > 0;
    outcome?;
    let summary = report.finish()?;
    if mode == report::Mode::Stats {
        stats::print::<S>(&input, &job, &summary).map_err(Failure::io("standard output"))?;
    }
    Ok(())
}
