//! Where decoded chunks go, in input order: events to stdout, error lines to
//! stderr, counts into a tally, progress to the bar.

use std::fmt::Write as _;
use std::io::{self, StdoutLock, Write};
use std::time::{Duration, Instant};

use chatwire::stream::Framing;
use indicatif::ProgressBar;

use crate::Failure;
use crate::input::{Input, Source};
use crate::progress;
use crate::run::{Chunk, Diag, Emit, Job, Tally};

/// Which command the report serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Events to stdout, error lines to stderr.
    Decode,
    /// Error lines and the summary line to stderr.
    Check,
    /// Counts only; `stats` prints them at the end.
    Stats,
}

/// What a run found, for `stats`.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// The counts.
    pub tally: Tally,
    /// The framing used (detected, or asked for).
    pub framing: Framing,
    /// Bytes of input read.
    pub bytes: u64,
    /// From the start of decoding to its end.
    pub elapsed: Duration,
}

/// The ordered consumer of decoded chunks.
pub struct Report {
    name: String,
    mode: Mode,
    emit: Emit,
    out: StdoutLock<'static>,
    /// The envelope's head is written, and whether an element follows it.
    envelope_open: bool,
    envelope_elements: bool,
    tally: Tally,
    framing: Framing,
    consumed: u64,
    lines: String,
    bar: ProgressBar,
    started: Instant,
}

/// Writes one error line: `FILE:LINE:COLUMN: byte OFFSET: MESSAGE`.
pub fn format_diag(out: &mut String, name: &str, diag: &Diag) {
    let _ = writeln!(
        out,
        "{name}:{}:{}: byte {}: {} in {}",
        diag.line, diag.column, diag.offset, diag.kind, diag.unit
    );
}

impl Report {
    /// A report on `input` for `mode`.
    pub fn new(input: &Input, job: &Job, mode: Mode) -> Report {
        let stdin = matches!(input.source, Source::Stream(_)) && input.name == "-";
        Report {
            name: input.name.clone(),
            mode,
            emit: job.emit,
            out: io::stdout().lock(),
            envelope_open: false,
            envelope_elements: false,
            tally: Tally::default(),
            framing: job.framing,
            consumed: 0,
            lines: String::new(),
            bar: progress::bar(input.len(), stdin),
            started: Instant::now(),
        }
    }

    /// Records the framing in use.
    pub fn set_framing(&mut self, framing: Framing) {
        self.framing = framing;
    }

    /// The counts so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Takes the next chunk, `consumed` being the input read up to its end,
    /// and empties it.
    pub fn take(&mut self, chunk: &mut Chunk, consumed: u64) -> Result<(), Failure> {
        self.tally.add(&chunk.tally);
        self.consumed = consumed;
        if self.emit == Emit::Envelope && !self.envelope_open {
            self.write_out(br#"{"events":["#)?;
            self.envelope_open = true;
        }
        if !chunk.out.is_empty() {
            let mut out = &chunk.out[..];
            if self.emit == Emit::Envelope && !self.envelope_elements {
                // Each element comes with a `,` before it; the first needs none.
                out = &out[1..];
                self.envelope_elements = true;
            }
            self.write_out(out)?;
        }
        if !chunk.diags.is_empty() && self.mode != Mode::Stats {
            self.lines.clear();
            for diag in &chunk.diags {
                format_diag(&mut self.lines, &self.name, diag);
            }
            let lines = self.lines.as_bytes();
            self.bar
                .suspend(|| io::stderr().lock().write_all(lines))
                .map_err(Failure::io("standard error"))?;
        }
        chunk.clear();
        self.bar.set_position(consumed);
        Ok(())
    }

    fn write_out(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let out = &mut self.out;
        self.bar
            .suspend(|| out.write_all(bytes))
            .map_err(Failure::io("standard output"))
    }

    /// Ends the output (the envelope's end, the summary line of `check`).
    pub fn finish(mut self) -> Result<Summary, Failure> {
        let elapsed = self.started.elapsed();
        self.bar.finish_and_clear();
        if self.emit == Emit::Envelope {
            if !self.envelope_open {
                self.write_out(br#"{"events":["#)?;
            }
            self.write_out(b"]}\n")?;
        }
        self.out.flush().map_err(Failure::io("standard output"))?;
        if self.mode == Mode::Check {
            let t = &self.tally;
            let plural = |n: u64, one: &'static str, many: &'static str| {
                if n == 1 { one } else { many }
            };
            eprintln!(
                "{} {}, {} {}",
                t.events,
                plural(t.events, "event", "events"),
                t.errors,
                plural(t.errors, "error", "errors"),
            );
        }
        Ok(Summary {
            tally: self.tally,
            framing: self.framing,
            bytes: self.consumed,
            elapsed,
        })
    }
}
