//! The engine of `decode`, `check` and `stats`: decodes an input with
//! chatwire's stream decoders and hands what it found, in input order and in
//! pieces of bounded size, to the [`Report`].
//!
//! Three paths, chosen by [`run`]:
//!
//! - **A mapped NDJSON file on several threads** ([`parallel`]): cut into
//!   chunks of a few megabytes at line feeds; each chunk is decoded on a
//!   rayon worker into a [`Chunk`] (its output bytes, its errors, its
//!   counts), and the main thread hands the chunks to the report in input
//!   order. An NDJSON line is decoded the same wherever the stream starts,
//!   so a chunk's items are the whole input's items; only the positions of
//!   its errors are relative to the chunk, and are moved to the whole input
//!   before they are reported ([`Diag::rebase`]). At most a few chunks per
//!   thread are in flight, so memory stays bounded.
//! - **Any other mapped file, or one thread** ([`sequential`]): one pass of
//!   `stream::events_with` over the whole input, the reference the parallel
//!   path is tested against.
//! - **Standard input and pipes** ([`streaming`]): 64 KiB reads appended to
//!   a `BytesMut` fed to the incremental `stream::Decoder`, which keeps at
//!   most about one event plus one read; its events are borrowed from the
//!   buffer, or owned when their sizes are counted (`stats`).

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use bytes::BytesMut;
use chatwire::Event;
use chatwire::stream::{
    self, Config, Decoder, Events, Framing, StreamError, StreamErrorKind, Unit,
};

use crate::Failure;
use crate::input::{Input, Pager, Source};
use crate::report::Report;
use crate::side::{self, Direction};

/// Bytes of input per chunk on the parallel path.
pub const DEFAULT_CHUNK: usize = 4 << 20;

/// The sequential paths hand over what they have at least this often: every
/// this many bytes of output, or of input consumed.
const FLUSH_OUT: usize = 1 << 20;
const FLUSH_IN: u64 = 4 << 20;

/// Bytes per read on the streaming path.
const READ_SIZE: usize = 64 << 10;

/// Chunks in flight (being decoded, or decoded and waiting for their turn)
/// per thread on the parallel path.
const IN_FLIGHT_PER_THREAD: usize = 3;

/// What to write for each good event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// Nothing (`check`, `stats`).
    Nothing,
    /// The event in canonical form and a line feed.
    Ndjson,
    /// `,` and the event in canonical form: an envelope's element, the
    /// [`Report`] writing the envelope around the elements and dropping the
    /// first comma.
    Envelope,
}

/// What to do with an input.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// The framing asked for.
    pub framing: Framing,
    /// The decoder's limits.
    pub config: Config,
    /// What to write for each good event.
    pub emit: Emit,
    /// Whether to measure each event's size as it came (`stats`).
    pub sizes: bool,
    /// Threads for a mapped NDJSON file; 1 decodes on the main thread.
    pub threads: usize,
    /// Bytes per chunk on the parallel path.
    pub chunk_size: usize,
}

/// Counts of what was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Good events.
    pub events: u64,
    /// Bad events and other stream errors.
    pub errors: u64,
    /// Good events per kind, at [`Direction::index`] of the side read.
    pub kinds: [u64; side::KINDS],
    /// The sum of the good events' sizes as they came (when measured).
    pub bytes: u64,
    /// The largest good event's size as it came (when measured).
    pub largest: u64,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            events: 0,
            errors: 0,
            kinds: [0; side::KINDS],
            bytes: 0,
            largest: 0,
        }
    }
}

impl Tally {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.events += other.events;
        self.errors += other.errors;
        for (mine, theirs) in self.kinds.iter_mut().zip(other.kinds) {
            *mine += theirs;
        }
        self.bytes += other.bytes;
        self.largest = self.largest.max(other.largest);
    }
}

/// A stream error, with its position in the whole input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diag {
    /// What went wrong.
    pub kind: StreamErrorKind,
    /// The unit it belongs to.
    pub unit: Unit,
    /// The byte offset, from 0.
    pub offset: u64,
    /// The line, from 1.
    pub line: u64,
    /// The column in bytes, from 1.
    pub column: u64,
}

impl From<&StreamError> for Diag {
    fn from(e: &StreamError) -> Diag {
        Diag {
            kind: e.kind(),
            unit: e.unit(),
            offset: e.offset(),
            line: e.line(),
            column: e.column(),
        }
    }
}

impl Diag {
    /// Moves an error found in a chunk of NDJSON that starts at byte
    /// `start` of the whole input, after `lines_before` line feeds, to its
    /// place in the whole input. A chunk starts at the start of a line, so
    /// columns stay as they are.
    fn rebase(&mut self, start: u64, lines_before: u64) {
        self.offset += start;
        self.line += lines_before;
        if let Unit::Line(n) = self.unit {
            self.unit = Unit::Line(n + lines_before);
        }
    }
}

/// What a stretch of the input decoded to: output bytes, errors and counts.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The output of [`Emit`] for its good events.
    pub out: Vec<u8>,
    /// Its errors, in input order.
    pub diags: Vec<Diag>,
    /// Its counts.
    pub tally: Tally,
}

impl Chunk {
    fn with_capacity(out: usize) -> Chunk {
        Chunk {
            out: Vec::with_capacity(out),
            ..Chunk::default()
        }
    }

    /// Files one good event; `size` is its length as it came, if measured.
    #[inline]
    fn event<S: Direction>(&mut self, emit: Emit, event: &S::Event<'_>, size: Option<usize>) {
        self.tally.events += 1;
        self.tally.kinds[S::index(event.event_kind())] += 1;
        if let Some(size) = size {
            self.tally.bytes += size as u64;
            self.tally.largest = self.tally.largest.max(size as u64);
        }
        match emit {
            Emit::Nothing => {}
            Emit::Ndjson => stream::write_ndjson(event, &mut self.out),
            Emit::Envelope => {
                self.out.push(b',');
                // The event's compact JSON, without the line feed.
                stream::write_ndjson(event, &mut self.out);
                self.out.pop();
            }
        }
    }

    /// Files one error.
    fn error(&mut self, e: &StreamError) {
        self.tally.errors += 1;
        self.diags.push(Diag::from(e));
    }

    /// Empties the chunk, keeping its allocations.
    pub fn clear(&mut self) {
        self.out.clear();
        self.diags.clear();
        self.tally = Tally::default();
    }
}

/// Decodes `input` as `job` says, handing every item to `report` in input
/// order.
pub fn run<S: Direction>(input: &mut Input, job: &Job, report: &mut Report) -> Result<(), Failure> {
    match &mut input.source {
        Source::Mapped(map) => {
            let data = map.as_deref().unwrap_or_default();
            let mut pager = Pager::new(map.as_ref());
            let framing = detect::<S>(data, job);
            report.set_framing(framing);
            if threads_used(Some(data.len() as u64), framing, job) > 1 {
                parallel::<S>(data, job, report, &mut pager)
            } else {
                sequential::<S>(data, framing, job, report, &mut pager)
            }
        }
        Source::Stream(reader) => streaming::<S>(reader, &input.name, job, report),
    }
}

/// The threads that decode an input of `len` bytes (`None`: a stream) in
/// `framing`: `job.threads` for a mapped NDJSON file of more than one chunk,
/// else one.
pub fn threads_used(len: Option<u64>, framing: Framing, job: &Job) -> usize {
    match len {
        Some(len) if framing == Framing::Ndjson && len > job.chunk_size as u64 => job.threads,
        _ => 1,
    }
}

/// The framing of `data`: the one asked for, or the one `Auto` settles on
/// after the first item.
fn detect<S: Direction>(data: &[u8], job: &Job) -> Framing {
    if job.framing != Framing::Auto {
        return job.framing;
    }
    let mut probe = Events::<S>::with(data, Framing::Auto, job.config);
    probe.next();
    match probe.framing() {
        // Nothing to decode: any framing yields nothing.
        Framing::Auto => Framing::Ndjson,
        framing => framing,
    }
}

/// The bytes of the event that ends the `consumed` stretch of input, which
/// holds whatever the decoder passed over before it: whitespace, an
/// envelope's `,`, or, before an envelope's first element, the end of the
/// previous envelope and the head of this one.
fn event_bytes<S: Direction>(consumed: &[u8], framing: Framing) -> &[u8] {
    let s = consumed.trim_ascii();
    if framing != Framing::Envelope {
        return s;
    }
    if let Some(rest) = s.strip_prefix(b",") {
        return rest.trim_ascii_start();
    }
    // The first element: the event is the suffix that decodes whole,
    // starting at a `{` after the envelope's own.
    memchr::memchr_iter(b'{', s)
        .skip(1)
        .map(|i| &s[i..])
        .find(|tail| S::whole(tail))
        .unwrap_or(s)
}

/// Decodes `data` in `framing` into `chunk`, calling `flush` whenever the
/// chunk has grown past the thresholds (never, with `usize::MAX` and
/// `u64::MAX`) and at the end, with the input consumed so far.
fn decode_slice<S: Direction, F>(
    data: &[u8],
    framing: Framing,
    job: &Job,
    chunk: &mut Chunk,
    (flush_out, flush_in): (usize, u64),
    mut flush: F,
) -> Result<(), Failure>
where
    F: FnMut(&mut Chunk, u64) -> Result<(), Failure>,
{
    let mut items = Events::<S>::with(data, framing, job.config);
    let mut before = 0;
    let mut flushed = 0;
    while let Some(item) = items.next() {
        let after = items.offset();
        match item {
            Ok(event) => {
                let size = job
                    .sizes
                    .then(|| event_bytes::<S>(&data[before..after], items.framing()).len());
                chunk.event::<S>(job.emit, &event, size);
            }
            Err(e) => chunk.error(&e),
        }
        before = after;
        if chunk.out.len() >= flush_out || (after - flushed) as u64 >= flush_in {
            flush(chunk, after as u64)?;
            flushed = after;
        }
    }
    flush(chunk, data.len() as u64)
}

/// One pass over the whole of `data`.
fn sequential<S: Direction>(
    data: &[u8],
    framing: Framing,
    job: &Job,
    report: &mut Report,
    pager: &mut Pager<'_>,
) -> Result<(), Failure> {
    let mut chunk = Chunk::with_capacity(FLUSH_OUT + FLUSH_OUT / 2);
    decode_slice::<S, _>(
        data,
        framing,
        job,
        &mut chunk,
        (FLUSH_OUT, FLUSH_IN),
        |chunk, consumed| {
            report.take(chunk, consumed)?;
            pager.passed(consumed as usize);
            Ok(())
        },
    )
}

/// The chunks of `data`: `size` bytes each, extended to the next line feed.
fn chunk_ranges(data: &[u8], size: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let cut = start.saturating_add(size).min(data.len());
        let end = memchr::memchr(b'\n', &data[cut..]).map_or(data.len(), |k| cut + k + 1);
        let range = start..end;
        start = end;
        Some(range)
    })
}

/// Line feeds in `data[..to]`, counted lazily: only the error positions of
/// the parallel path need them, so a file without errors is never counted.
struct LineFeeds<'a> {
    data: &'a [u8],
    at: usize,
    count: u64,
}

impl LineFeeds<'_> {
    fn before(&mut self, to: usize) -> u64 {
        self.count += memchr::memchr_iter(b'\n', &self.data[self.at..to]).count() as u64;
        self.at = to;
        self.count
    }
}

/// A decoded chunk, or the panic of the worker that decoded it.
type Done = std::thread::Result<Result<Chunk, Failure>>;

/// An NDJSON file on `job.threads` rayon workers, handed to the report in
/// input order.
fn parallel<S: Direction>(
    data: &[u8],
    job: &Job,
    report: &mut Report,
    pager: &mut Pager<'_>,
) -> Result<(), Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.threads)
        .thread_name(|i| format!("chatwire-decode-{i}"))
        .build()
        .map_err(|e| Failure::Io("starting threads".into(), io::Error::other(e)))?;
    let window = job.threads * IN_FLIGHT_PER_THREAD;
    let mut ranges = chunk_ranges(data, job.chunk_size);
    let mut lines = LineFeeds {
        data,
        at: 0,
        count: 0,
    };
    // The main thread is not one of the pool's: it hands out chunks, waits
    // for them and writes them in order while the workers decode.
    pool.in_place_scope_fifo(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<(usize, Done)>();
        let mut spawned = 0;
        let mut written = 0;
        // The ranges of the chunks spawned and not yet written, in order, and
        // the chunks decoded ahead of their turn.
        let mut pending: VecDeque<Range<usize>> = VecDeque::new();
        let mut waiting: BTreeMap<usize, Chunk> = BTreeMap::new();
        loop {
            while spawned - written < window {
                let Some(range) = ranges.next() else { break };
                let done_tx = done_tx.clone();
                let bytes = &data[range.clone()];
                pending.push_back(range);
                let index = spawned;
                scope.spawn_fifo(move |_| {
                    let done = panic::catch_unwind(AssertUnwindSafe(|| {
                        let mut chunk = Chunk::with_capacity(match job.emit {
                            Emit::Nothing => 0,
                            _ => bytes.len() + bytes.len() / 4,
                        });
                        decode_slice::<S, _>(
                            bytes,
                            Framing::Ndjson,
                            job,
                            &mut chunk,
                            (usize::MAX, u64::MAX),
                            |_, _| Ok(()),
                        )
                        .map(|()| chunk)
                    }));
                    // The receiver is gone only if the main thread stopped
                    // on an error; the chunk is then not needed.
                    let _ = done_tx.send((index, done));
                });
                spawned += 1;
            }
            if written == spawned {
                return Ok(());
            }
            let (index, done) = done_rx
                .recv()
                .expect("every spawned chunk sends its result");
            let chunk = match done {
                Ok(result) => result?,
                Err(panic) => panic::resume_unwind(panic),
            };
            waiting.insert(index, chunk);
            while let Some(mut chunk) = waiting.remove(&written) {
                let range = pending.pop_front().expect("a range per chunk");
                if !chunk.diags.is_empty() {
                    let lines_before = lines.before(range.start);
                    for diag in &mut chunk.diags {
                        diag.rebase(range.start as u64, lines_before);
                    }
                }
                report.take(&mut chunk, range.end as u64)?;
                pager.passed(range.end);
                written += 1;
            }
        }
    })
}

/// Standard input or a pipe, through the incremental decoder.
fn streaming<S: Direction>(
    reader: &mut dyn Read,
    name: &str,
    job: &Job,
    report: &mut Report,
) -> Result<(), Failure> {
    let mut decoder = Decoder::<S>::with(job.framing, job.config);
    let mut buf = BytesMut::with_capacity(2 * READ_SIZE);
    let mut chunk = Chunk::with_capacity(2 * READ_SIZE);
    let mut consumed = 0u64;
    let mut framing = Framing::Auto;
    loop {
        // What the borrowed events below left behind.
        decoder.release(&mut buf);
        let filled = buf.len();
        buf.resize(filled + READ_SIZE, 0);
        let n = loop {
            match reader.read(&mut buf[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Failure::Io(name.to_string(), e)),
            }
        };
        buf.truncate(filled + n);
        consumed += n as u64;
        let eof = n == 0;
        if job.sizes {
            // Owned events, which know their bytes.
            loop {
                let item = if eof {
                    decoder.decode_eof(&mut buf)
                } else {
                    decoder.decode(&mut buf)
                };
                match item {
                    Some(Ok(owned)) => {
                        let size = owned.as_bytes().len();
                        chunk.event::<S>(job.emit, &owned.event(), Some(size));
                    }
                    Some(Err(e)) => chunk.error(&e),
                    None => break,
                }
            }
        } else {
            // Events borrowed from the buffer: nothing split off it.
            loop {
                let item = if eof {
                    decoder.decode_borrowed_eof(&buf)
                } else {
                    decoder.decode_borrowed(&buf)
                };
                match item {
                    Some(Ok(event)) => chunk.event::<S>(job.emit, &event, None),
                    Some(Err(e)) => chunk.error(&e),
                    None => break,
                }
            }
        }
        if framing != decoder.framing() {
            framing = decoder.framing();
            report.set_framing(framing);
        }
        report.take(&mut chunk, consumed)?;
        if eof {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatwire::Client;

    #[test]
    fn chunks_end_at_line_feeds_and_cover_the_input() {
        let data = b"aaaa\nbb\n\ncccccccc\nd";
        let ranges: Vec<_> = chunk_ranges(data, 3).collect();
        assert_eq!(ranges, [0..5, 5..9, 9..18, 18..19]);
        let whole: Vec<_> = chunk_ranges(data, 100).map(|r| (r.start, r.end)).collect();
        assert_eq!(whole, vec![(0, 19)]);
        assert_eq!(chunk_ranges(b"", 3).count(), 0);
    }

    #[test]
    fn event_bytes_skip_separators_and_envelope_heads() {
        let typing = br#"{"event":"chat_session_typing"}"#;
        assert_eq!(
            event_bytes::<Client>(b"\n\n {\"a\":1} \r\n", Framing::Ndjson),
            b"{\"a\":1}"
        );
        assert_eq!(
            event_bytes::<Client>(br#" , {"event":"chat_session_typing"}"#, Framing::Envelope),
            typing
        );
        assert_eq!(
            event_bytes::<Client>(
                br#"]}
{"meta":{"x":[1]},"events":[ {"event":"chat_session_typing"}"#,
                Framing::Envelope
            ),
            typing
        );
    }
}
