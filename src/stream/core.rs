//! The framing engine that the slice iterator and the incremental decoder
//! share, so that they cannot disagree.
//!
//! [`Core::step`] looks at a buffer that holds the stream from some offset
//! (`base`) on, and at a flag saying whether the input ends there; it
//! returns one item, or says that it needs more input. Everything before
//! `pos` is consumed: the incremental decoder drops it ([`Core::release`]),
//! the slice iterator simply moves on. Progress inside the unit that starts
//! at `pos` (how far a scan got) is kept in the state, relative to `pos`, so
//! that bytes are examined once however the input is chunked.
//!
//! The happy path is fused: the decoder ([`parse`]) runs in place at the
//! start of each unit, and the framing only checks what follows. Only when
//! an event is not complete in the buffer (or is bad) does a boundary scan
//! ([`ValueEnd`], or a line-feed search) run, resumably, before the event is
//! decoded once.

use memchr::{memchr, memchr_iter, memrchr};

use super::{Config, Framing, StreamError, StreamErrorKind, Unit};
use crate::decode::{Status, parse};
use crate::error::{Error, ErrorKind};
use crate::event::ClientEvent;
use crate::scan::{Boundary, Cursor, EnvelopeProbe, Probe, Stop, ValueEnd, is_ws, starts_value};
use crate::text::Text;

/// One item, or why there is none.
// Only the incremental decoder (feature `alloc`) reads the event's range.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
pub(crate) enum Step<'a> {
    /// An event, whose bytes are `buf[start..end]`.
    Event(ClientEvent<'a>, usize, usize),
    /// An error; the stream goes on.
    Error(StreamError),
    /// More input is needed (never when the input is complete).
    Pending,
    /// The input is complete and has no more items.
    Done,
}

/// Bytes examined, for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// By boundary scans, line-feed searches and whitespace skipping.
    pub(crate) scanned: u64,
    /// Handed to the decoder.
    pub(crate) parsed: u64,
    /// Counted for line numbers as they were dropped.
    pub(crate) counted: u64,
}

/// What a value being scanned is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Task {
    /// An element of an envelope's `"events"` array.
    Element,
    /// A value of a concatenated stream.
    Concat,
    /// The value of an envelope member other than `"events"`.
    Member,
    /// An envelope member's key.
    Key,
    /// The first value of an `Auto` stream, to classify it.
    First,
}

/// Where the engine is. Positions are relative to `Core::pos`.
#[derive(Clone, Copy, Debug)]
enum State {
    /// `Auto`, before the first value.
    Start,
    /// `Auto`: matching `{"events":[` at `pos`; `seen` bytes examined.
    Probe { probe: EnvelopeProbe, seen: usize },
    /// `Auto`: the first value ends at `end`; looking at what follows.
    FirstAfter { end: usize, seen: usize },
    /// NDJSON: at the start of a line (or of blank space).
    LineStart,
    /// NDJSON: the line at `pos` has no line feed in its first `seen` bytes.
    Line { seen: usize },
    /// NDJSON: dropping a line too long to keep.
    LineDiscard,
    /// Envelope: between envelopes.
    Top,
    /// Envelope: a key or the closing brace is next.
    Members { first: bool },
    /// Envelope: after a key, a `:` is next.
    AfterKey { events: bool },
    /// Envelope: after `:`, the member's value is next.
    AfterColon { events: bool },
    /// Envelope: after a member, `,` or `}` is next.
    AfterMember,
    /// Envelope: inside `"events"`, an element (or `]`) is next.
    Elements { first: bool },
    /// Envelope: after an element, `,` or `]` is next.
    AfterElement,
    /// Concatenated values: between values.
    ConcatTop,
    /// A value at `pos`, being followed to its end.
    Value {
        task: Task,
        scan: ValueEnd,
        seen: usize,
        /// The decoder has not been tried in place yet.
        fresh: bool,
    },
    /// Dropping the rest of a value too large to keep.
    Discard { task: Task, scan: ValueEnd },
    /// Skipping to the next line that begins with `{`.
    Resync { line_start: bool },
    /// The input is complete.
    Done,
}

/// Line numbers, counted lazily: the line of byte `pos` and the stream
/// offset where it starts.
#[derive(Clone, Copy, Debug)]
struct LineMemo {
    pos: usize,
    line: u64,
    line_start: u64,
}

impl LineMemo {
    /// Moves to index `to` of `buf`, counting line feeds; returns the number
    /// of bytes looked at.
    fn advance(&mut self, buf: &[u8], to: usize, base: u64) -> u64 {
        let Some(bytes) = buf.get(self.pos..to) else {
            return 0;
        };
        let feeds = memchr_iter(b'\n', bytes).count();
        if feeds > 0 {
            self.line += feeds as u64;
            let last = memrchr(b'\n', bytes).unwrap_or(0);
            self.line_start = base + (self.pos + last + 1) as u64;
        }
        self.pos = to;
        bytes.len() as u64
    }

    /// Line and column of index `at`.
    fn position(&self, buf: &[u8], at: usize, base: u64) -> (u64, u64) {
        let mut memo = *self;
        memo.advance(buf, at, base);
        let offset = base + at as u64;
        (memo.line, offset.saturating_sub(memo.line_start) + 1)
    }
}

/// The framing engine.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    max: usize,
    framing: Framing,
    state: State,
    /// The stream offset of `buf[0]`.
    base: u64,
    /// Everything before this index of `buf` is consumed.
    pos: usize,
    memo: LineMemo,
    /// Envelopes started, elements started in the current one, values
    /// started.
    envelopes: u64,
    elements: u64,
    values: u64,
    saw_events: bool,
    stats: Stats,
}

/// Whether `bytes` holds a line feed: eight bytes at a time, without
/// branches per word, cheaper than a `memchr` call on the short slice of one
/// event.
#[inline(always)]
fn has_line_feed(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    #[inline(always)]
    fn zero_lanes(chunk: &[u8]) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (LO * u64::from(b'\n'));
        x.wrapping_sub(LO) & !x & HI
    }
    if bytes.len() < 8 {
        return bytes.contains(&b'\n');
    }
    let chunks = bytes.chunks_exact(8);
    // The last, overlapping word covers the remainder.
    let last = zero_lanes(&bytes[bytes.len() - 8..]);
    chunks.fold(last, |acc, chunk| acc | zero_lanes(chunk)) != 0
}

/// Whether `token` (a lexed string with its quotes) spells `name`.
fn key_is(token: &[u8], escaped: bool, name: &str) -> bool {
    if !escaped {
        return token.get(1..token.len().saturating_sub(1)) == Some(name.as_bytes());
    }
    core::str::from_utf8(token).is_ok_and(|s| Text::from_lexed(s, true).eq_str(name))
}

/// Whether the complete object `obj` holds a top-level `"events"` key whose
/// value is an array, and no `"event"` key.
fn holds_events_array(obj: &[u8]) -> bool {
    let walk = || -> Result<bool, Stop> {
        let mut c = Cursor::at(obj, 1);
        let mut ws = false;
        let mut found = false;
        loop {
            if c.next_token(&mut ws)? != b'"' {
                return Ok(false);
            }
            let start = c.pos();
            let escaped = c.string()?;
            let key = &obj[start..c.pos()];
            if key_is(key, escaped, "event") {
                return Ok(false);
            }
            let events = key_is(key, escaped, "events");
            if c.next_token(&mut ws)? != b':' {
                return Ok(false);
            }
            c.bump();
            c.skip_ws();
            found |= events && c.peek() == Some(b'[');
            c.skip_value(1)?;
            match c.next_token(&mut ws)? {
                b',' => c.bump(),
                b'}' => return Ok(found),
                _ => return Ok(false),
            }
        }
    };
    walk().unwrap_or(false)
}

impl Core {
    pub(crate) fn new(framing: Framing, config: Config) -> Self {
        Core {
            max: config.event_limit(),
            framing,
            state: Self::initial(framing),
            base: 0,
            pos: 0,
            memo: LineMemo {
                pos: 0,
                line: 1,
                line_start: 0,
            },
            envelopes: 0,
            elements: 0,
            values: 0,
            saw_events: false,
            stats: Stats::default(),
        }
    }

    fn initial(framing: Framing) -> State {
        match framing {
            Framing::Auto => State::Start,
            Framing::Ndjson => State::LineStart,
            Framing::Envelope => State::Top,
            Framing::Concatenated => State::ConcatTop,
        }
    }

    /// The framing in use: `Auto` until it is resolved.
    pub(crate) fn framing(&self) -> Framing {
        self.framing
    }

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn stats(&self) -> Stats {
        self.stats
    }

    /// The stream offset of the first byte not consumed.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Forgets the consumed bytes, which the caller then drops from the
    /// front of its buffer; returns how many.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn release(&mut self, buf: &[u8]) -> usize {
        let n = self.pos;
        self.stats.counted += self.memo.advance(buf, n, self.base);
        self.memo.pos = 0;
        self.base += n as u64;
        self.pos = 0;
        n
    }

    fn resolve(&mut self, framing: Framing) {
        self.framing = framing;
        self.state = Self::initial(framing);
    }

    fn error(&mut self, buf: &[u8], kind: StreamErrorKind, at: usize, unit: Unit) -> StreamError {
        let anchor = self.pos.min(at);
        self.stats.counted += self.memo.advance(buf, anchor, self.base);
        let (line, column) = self.memo.position(buf, at, self.base);
        StreamError {
            kind,
            unit,
            offset: self.base + at as u64,
            line,
            column,
        }
    }

    /// The NDJSON line of `pos`.
    fn line_unit(&mut self, buf: &[u8]) -> Unit {
        self.stats.counted += self.memo.advance(buf, self.pos, self.base);
        Unit::Line(self.memo.line)
    }

    fn unit(&self, task: Task) -> Unit {
        match task {
            Task::Element => Unit::Element {
                envelope: self.envelopes.saturating_sub(1),
                index: self.elements.saturating_sub(1),
            },
            Task::Concat => Unit::Value(self.values.saturating_sub(1)),
            Task::Member | Task::Key | Task::First => {
                Unit::Envelope(self.envelopes.saturating_sub(1))
            }
        }
    }

    fn after(task: Task) -> State {
        match task {
            Task::Element => State::AfterElement,
            Task::Concat => State::ConcatTop,
            Task::Member => State::AfterMember,
            Task::Key | Task::First => State::AfterKey { events: false },
        }
    }

    #[inline]
    fn parse_counted<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Status<(ClientEvent<'a>, usize)>, Error> {
        let result = parse(input);
        self.stats.parsed += match &result {
            Ok(Status::Complete((_, n))) => *n,
            Ok(Status::Partial) => input.len(),
            Err(e) => e.offset() + 1,
        } as u64;
        result
    }

    /// Skips whitespace at `pos`; returns the next byte.
    #[inline]
    fn skip_ws(&mut self, buf: &[u8]) -> Option<u8> {
        let start = self.pos;
        let mut i = start;
        let found = loop {
            match buf.get(i) {
                Some(&b) if is_ws(b) => i += 1,
                other => break other.copied(),
            }
        };
        self.pos = i;
        self.stats.scanned += (i - start) as u64;
        found
    }

    /// The end of the buffer outside a unit.
    fn end_of_input<'a>(&mut self, buf: &[u8], eof: bool) -> Step<'a> {
        if eof {
            self.pos = buf.len();
            self.state = State::Done;
            Step::Done
        } else {
            Step::Pending
        }
    }

    /// The end of the input inside an envelope's structure.
    fn truncated_envelope<'a>(&mut self, buf: &[u8], eof: bool) -> Step<'a> {
        if !eof {
            return Step::Pending;
        }
        let unit = Unit::Envelope(self.envelopes.saturating_sub(1));
        let e = self.error(buf, StreamErrorKind::Truncated, buf.len(), unit);
        self.pos = buf.len();
        self.state = State::Done;
        Step::Error(e)
    }

    /// A broken structure at `at`: reports it and resynchronises.
    fn framing_error<'a>(
        &mut self,
        buf: &[u8],
        kind: ErrorKind,
        at: usize,
        unit: Unit,
    ) -> Step<'a> {
        let e = self.error(buf, StreamErrorKind::Framing(kind), at, unit);
        self.pos = at;
        self.state = State::Resync { line_start: false };
        Step::Error(e)
    }

    /// Decodes the next item from `buf`, which holds the stream from the
    /// last released offset on; `eof` says the input ends with `buf`.
    #[inline]
    pub(crate) fn step<'a>(&mut self, buf: &'a [u8], eof: bool) -> Step<'a> {
        loop {
            let step = match self.state {
                State::Start => self.start(buf, eof),
                State::Probe { probe, seen } => self.probe(buf, eof, probe, seen),
                State::FirstAfter { end, seen } => self.first_after(buf, eof, end, seen),
                State::LineStart => self.line_start(buf, eof),
                State::Line { seen } => self.line(buf, eof, seen),
                State::LineDiscard => self.line_discard(buf, eof),
                State::Top => self.top(buf, eof),
                State::Members { first } => self.members(buf, eof, first),
                State::AfterKey { events } => self.after_key(buf, eof, events),
                State::AfterColon { events } => self.after_colon(buf, eof, events),
                State::AfterMember => self.after_member(buf, eof),
                State::Elements { first } => self.elements(buf, eof, first),
                State::AfterElement => self.after_element(buf, eof),
                State::ConcatTop => self.concat_top(buf, eof),
                State::Value {
                    task,
                    scan,
                    seen,
                    fresh,
                } => self.value(buf, eof, task, scan, seen, fresh),
                State::Discard { task, scan } => self.discard(buf, eof, task, scan),
                State::Resync { line_start } => self.resync(buf, eof, line_start),
                State::Done => {
                    self.pos = buf.len();
                    Some(Step::Done)
                }
            };
            if let Some(step) = step {
                return step;
            }
        }
    }

    // ---- Auto ---------------------------------------------------------

    fn start<'a>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => return Some(self.end_of_input(buf, eof)),
            Some(b'{') => {
                self.state = State::Probe {
                    probe: EnvelopeProbe::new(),
                    seen: 0,
                }
            }
            Some(_) => self.resolve(Framing::Ndjson),
        }
        None
    }

    fn probe<'a>(
        &mut self,
        buf: &[u8],
        eof: bool,
        mut probe: EnvelopeProbe,
        seen: usize,
    ) -> Option<Step<'a>> {
        let q = self.pos;
        let limit_end = buf.len().min(q.saturating_add(self.max).saturating_add(1));
        let from = q + seen;
        let found = probe.scan(&buf[..limit_end], from);
        self.stats.scanned += limit_end.saturating_sub(from) as u64;
        let first_value = State::Value {
            task: Task::First,
            scan: ValueEnd::new(),
            seen: 0,
            fresh: false,
        };
        match found {
            Probe::Envelope => self.resolve(Framing::Envelope),
            Probe::Other => self.state = first_value,
            Probe::More if eof || limit_end - q > self.max => self.state = first_value,
            Probe::More => {
                self.state = State::Probe {
                    probe,
                    seen: limit_end - q,
                };
                return Some(Step::Pending);
            }
        }
        None
    }

    /// The first value of an `Auto` stream ends at `e`.
    fn classify(&mut self, buf: &[u8], e: usize) {
        let q = self.pos;
        if e - q > self.max {
            return self.resolve(Framing::Ndjson);
        }
        let first = &buf[q..e];
        self.stats.scanned += 2 * first.len() as u64;
        if first[0] == b'{' && holds_events_array(first) {
            self.resolve(Framing::Envelope);
        } else if memchr(b'\n', first).is_some() {
            self.resolve(Framing::Concatenated);
        } else {
            self.state = State::FirstAfter {
                end: e - q,
                seen: 0,
            };
        }
    }

    fn first_after<'a>(
        &mut self,
        buf: &[u8],
        eof: bool,
        end: usize,
        seen: usize,
    ) -> Option<Step<'a>> {
        let q = self.pos;
        let mut t = q + end + seen;
        let framing = loop {
            if t - q > self.max {
                break Framing::Ndjson;
            }
            match buf.get(t) {
                Some(b' ' | b'\t' | b'\r') => t += 1,
                Some(b'{') => break Framing::Concatenated,
                Some(_) => break Framing::Ndjson,
                None if eof => break Framing::Ndjson,
                None => {
                    self.stats.scanned += (t - q - end - seen) as u64;
                    self.state = State::FirstAfter {
                        end,
                        seen: t - q - end,
                    };
                    return Some(Step::Pending);
                }
            }
        };
        self.stats.scanned += (t - q - end - seen) as u64;
        self.resolve(framing);
        None
    }

    // ---- NDJSON -------------------------------------------------------

    #[inline(always)]
    fn line_start<'a>(&mut self, buf: &'a [u8], eof: bool) -> Option<Step<'a>> {
        if self.skip_ws(buf).is_none() {
            return Some(self.end_of_input(buf, eof));
        }
        let q = self.pos;
        // Fused: decode in place, then check that the line ends there.
        if let Ok(Status::Complete((event, n))) = self.parse_counted(&buf[q..]) {
            let end = q + n;
            if !has_line_feed(&buf[q..end]) {
                let mut t = end;
                while let Some(b' ' | b'\t' | b'\r') = buf.get(t) {
                    t += 1;
                }
                // The event's bytes, checked for a line feed, and the blanks.
                self.stats.scanned += (t - q) as u64;
                match buf.get(t) {
                    Some(b'\n') if t - q <= self.max => {
                        self.pos = t + 1;
                        return Some(Step::Event(event, q, end));
                    }
                    None if eof && t - q <= self.max => {
                        self.pos = t;
                        return Some(Step::Event(event, q, end));
                    }
                    None if !eof => {
                        self.state = State::Line { seen: t - q };
                        return Some(Step::Pending);
                    }
                    _ => {}
                }
            }
        }
        self.state = State::Line { seen: 0 };
        None
    }

    fn line<'a>(&mut self, buf: &'a [u8], eof: bool, seen: usize) -> Option<Step<'a>> {
        let q = self.pos;
        let from = q + seen;
        // `get`: a caller that shrank its buffer between calls gets wrong
        // items, not a panic.
        let found = memchr(b'\n', buf.get(from..).unwrap_or_default());
        self.stats.scanned += found.map_or(buf.len().saturating_sub(from), |k| k + 1) as u64;
        if let Some(k) = found {
            return Some(self.finish_line(buf, q, from + k, true));
        }
        if eof {
            return Some(self.finish_line(buf, q, buf.len(), false));
        }
        if buf.len() - q > self.max {
            let unit = self.line_unit(buf);
            let e = self.error(buf, StreamErrorKind::TooLarge, q, unit);
            self.pos = buf.len();
            self.state = State::LineDiscard;
            return Some(Step::Error(e));
        }
        self.state = State::Line {
            seen: buf.len() - q,
        };
        Some(Step::Pending)
    }

    /// The line at `q` ends at `k` (its line feed, or the end of the input).
    fn finish_line<'a>(&mut self, buf: &'a [u8], q: usize, k: usize, feed: bool) -> Step<'a> {
        let next = if feed { k + 1 } else { k };
        let unit = self.line_unit(buf);
        let step = if k - q > self.max {
            Step::Error(self.error(buf, StreamErrorKind::TooLarge, q, unit))
        } else {
            match self.parse_counted(&buf[q..next]) {
                Ok(Status::Complete((event, n))) => {
                    let trailing = buf
                        .get(q + n..k)
                        .unwrap_or_default()
                        .iter()
                        .position(|b| !matches!(b, b' ' | b'\t' | b'\r'));
                    match trailing {
                        None => Step::Event(event, q, q + n),
                        Some(j) => {
                            let kind = StreamErrorKind::Event(ErrorKind::TrailingCharacters);
                            Step::Error(self.error(buf, kind, q + n + j, unit))
                        }
                    }
                }
                Ok(Status::Partial) => {
                    Step::Error(self.error(buf, StreamErrorKind::Truncated, k, unit))
                }
                Err(e) => {
                    let kind = StreamErrorKind::Event(e.kind());
                    Step::Error(self.error(buf, kind, q + e.offset(), unit))
                }
            }
        };
        self.pos = next;
        self.state = State::LineStart;
        step
    }

    fn line_discard<'a>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a>> {
        let found = memchr(b'\n', &buf[self.pos..]);
        self.stats.scanned += found.map_or(buf.len() - self.pos, |k| k + 1) as u64;
        match found {
            Some(k) => {
                self.pos += k + 1;
                self.state = State::LineStart;
                None
            }
            None => {
                self.pos = buf.len();
                Some(self.end_of_input(buf, eof))
            }
        }
    }

    // ---- Envelopes ----------------------------------------------------

    fn top<'a>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.end_of_input(buf, eof)),
            Some(b'{') => {
                self.envelopes += 1;
                self.elements = 0;
                self.saw_events = false;
                self.pos += 1;
                self.state = State::Members { first: true };
                None
            }
            Some(_) => {
                let unit = Unit::Envelope(self.envelopes);
                Some(self.framing_error(buf, ErrorKind::ExpectedObject, self.pos, unit))
            }
        }
    }

    fn envelope_unit(&self) -> Unit {
        Unit::Envelope(self.envelopes.saturating_sub(1))
    }

    /// At the envelope's closing brace.
    fn end_envelope<'a>(&mut self, buf: &[u8], check: bool) -> Option<Step<'a>> {
        let at = self.pos;
        let step = (check && !self.saw_events).then(|| {
            let unit = self.envelope_unit();
            Step::Error(self.error(buf, StreamErrorKind::MissingEvents, at, unit))
        });
        self.pos = at + 1;
        self.state = State::Top;
        step
    }

    fn members<'a>(&mut self, buf: &[u8], eof: bool, first: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b'"') => {
                self.state = State::Value {
                    task: Task::Key,
                    scan: ValueEnd::new(),
                    seen: 0,
                    fresh: false,
                };
                None
            }
            Some(b'}') if first => self.end_envelope(buf, true),
            Some(b'}') => {
                let unit = self.envelope_unit();
                let kind = StreamErrorKind::Envelope(ErrorKind::TrailingComma);
                let e = self.error(buf, kind, self.pos, unit);
                self.end_envelope(buf, false);
                Some(Step::Error(e))
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedKey, self.pos, unit))
            }
        }
    }

    fn after_key<'a>(&mut self, buf: &[u8], eof: bool, events: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b':') => {
                self.pos += 1;
                self.state = State::AfterColon { events };
                None
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedColon, self.pos, unit))
            }
        }
    }

    fn after_colon<'a>(&mut self, buf: &[u8], eof: bool, events: bool) -> Option<Step<'a>> {
        let b = match self.skip_ws(buf) {
            None => return Some(self.truncated_envelope(buf, eof)),
            Some(b) => b,
        };
        if events {
            self.saw_events = true;
            if b == b'[' {
                self.pos += 1;
                self.state = State::Elements { first: true };
                return None;
            }
        }
        self.state = State::Value {
            task: Task::Member,
            scan: ValueEnd::new(),
            seen: 0,
            fresh: false,
        };
        if events {
            let unit = self.envelope_unit();
            return Some(Step::Error(self.error(
                buf,
                StreamErrorKind::EventsNotArray,
                self.pos,
                unit,
            )));
        }
        None
    }

    fn after_member<'a>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b',') => {
                self.pos += 1;
                self.state = State::Members { first: false };
                None
            }
            Some(b'}') => self.end_envelope(buf, true),
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedCommaOrBrace, self.pos, unit))
            }
        }
    }

    fn elements<'a>(&mut self, buf: &'a [u8], eof: bool, first: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b']') => {
                let step = (!first).then(|| {
                    let unit = self.envelope_unit();
                    let kind = StreamErrorKind::Envelope(ErrorKind::TrailingComma);
                    Step::Error(self.error(buf, kind, self.pos, unit))
                });
                self.pos += 1;
                self.state = State::AfterMember;
                step
            }
            Some(b) if starts_value(b) => {
                self.elements += 1;
                self.value(buf, eof, Task::Element, ValueEnd::new(), 0, true)
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedValue, self.pos, unit))
            }
        }
    }

    fn after_element<'a>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b',') => {
                self.pos += 1;
                self.state = State::Elements { first: false };
                None
            }
            Some(b']') => {
                self.pos += 1;
                self.state = State::AfterMember;
                None
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedCommaOrBracket, self.pos, unit))
            }
        }
    }

    // ---- Concatenated values -------------------------------------------

    fn concat_top<'a>(&mut self, buf: &'a [u8], eof: bool) -> Option<Step<'a>> {
        match self.skip_ws(buf) {
            None => Some(self.end_of_input(buf, eof)),
            Some(b) if starts_value(b) => {
                self.values += 1;
                self.value(buf, eof, Task::Concat, ValueEnd::new(), 0, true)
            }
            Some(_) => {
                let unit = Unit::Value(self.values);
                Some(self.framing_error(buf, ErrorKind::ExpectedValue, self.pos, unit))
            }
        }
    }

    // ---- Values (elements, concatenated values, members, keys) ---------

    fn value<'a>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
        mut scan: ValueEnd,
        seen: usize,
        fresh: bool,
    ) -> Option<Step<'a>> {
        let q = self.pos;
        if fresh {
            // Fused: decode in place; the framing then checks what follows.
            if let Ok(Status::Complete((event, n))) = self.parse_counted(&buf[q..]) {
                self.state = Self::after(task);
                if n > self.max {
                    let unit = self.unit(task);
                    let e = self.error(buf, StreamErrorKind::TooLarge, q, unit);
                    self.pos = q + n;
                    return Some(Step::Error(e));
                }
                self.pos = q + n;
                return Some(Step::Event(event, q, q + n));
            }
        }
        let limit_end = buf.len().min(q.saturating_add(self.max).saturating_add(1));
        let from = q + seen;
        let found = scan.scan(&buf[..limit_end], from);
        self.stats.scanned += match found {
            Boundary::End(i) | Boundary::Broken(i) => i.saturating_sub(from),
            Boundary::More => limit_end.saturating_sub(from),
        } as u64;
        match found {
            Boundary::End(e) => self.finish_value(buf, task, e),
            Boundary::Broken(b) => self.broken_value(buf, task, b),
            Boundary::More if task == Task::First && (eof || limit_end - q > self.max) => {
                self.resolve(Framing::Ndjson);
                None
            }
            Boundary::More if limit_end - q > self.max => {
                let unit = self.unit(task);
                let e = self.error(buf, StreamErrorKind::TooLarge, q, unit);
                self.pos = limit_end;
                self.state = State::Discard { task, scan };
                Some(Step::Error(e))
            }
            Boundary::More if eof => {
                let unit = self.unit(task);
                let e = self.error(buf, StreamErrorKind::Truncated, buf.len(), unit);
                self.pos = buf.len();
                self.state = State::Done;
                Some(Step::Error(e))
            }
            Boundary::More => {
                self.state = State::Value {
                    task,
                    scan,
                    seen: limit_end - q,
                    fresh: false,
                };
                Some(Step::Pending)
            }
        }
    }

    /// The value at `pos` ends at `e`.
    fn finish_value<'a>(&mut self, buf: &'a [u8], task: Task, e: usize) -> Option<Step<'a>> {
        let q = self.pos;
        let unit = self.unit(task);
        let step = match task {
            Task::First => {
                self.classify(buf, e);
                return None;
            }
            Task::Element | Task::Concat => {
                if e - q > self.max {
                    Some(Step::Error(self.error(
                        buf,
                        StreamErrorKind::TooLarge,
                        q,
                        unit,
                    )))
                } else {
                    Some(match self.parse_counted(&buf[q..e]) {
                        Ok(Status::Complete((event, n))) if n == e - q => Step::Event(event, q, e),
                        Ok(Status::Complete((_, n))) => {
                            let kind = StreamErrorKind::Event(ErrorKind::TrailingCharacters);
                            Step::Error(self.error(buf, kind, q + n, unit))
                        }
                        Ok(Status::Partial) => {
                            let kind = StreamErrorKind::Event(ErrorKind::UnexpectedEof);
                            Step::Error(self.error(buf, kind, e, unit))
                        }
                        Err(err) => {
                            let kind = StreamErrorKind::Event(err.kind());
                            Step::Error(self.error(buf, kind, q + err.offset(), unit))
                        }
                    })
                }
            }
            Task::Member | Task::Key => {
                let mut c = Cursor::at(buf, q);
                let lexed = if task == Task::Key {
                    c.string()
                } else {
                    c.skip_value(1).map(|_| false)
                };
                self.stats.scanned += (e - q) as u64;
                let problem = match lexed {
                    Ok(_) if c.pos() != e => Some((ErrorKind::TrailingCharacters, c.pos())),
                    Ok(escaped) => {
                        if task == Task::Key {
                            let events = key_is(&buf[q..e], escaped, "events");
                            self.pos = e;
                            self.state = State::AfterKey { events };
                            return None;
                        }
                        None
                    }
                    Err(Stop::Fail(err)) => Some((err.kind(), err.offset())),
                    Err(Stop::Partial) => Some((ErrorKind::UnexpectedEof, e)),
                };
                problem.map(|(kind, at)| {
                    Step::Error(self.error(buf, StreamErrorKind::Envelope(kind), at, unit))
                })
            }
        };
        self.pos = e;
        self.state = Self::after(task);
        step
    }

    /// The structure of the value at `pos` breaks at `b`.
    fn broken_value<'a>(&mut self, buf: &[u8], task: Task, b: usize) -> Option<Step<'a>> {
        let q = self.pos;
        let unit = self.unit(task);
        let input = &buf[..=b];
        let (kind, at) = match task {
            Task::First => {
                self.resolve(Framing::Ndjson);
                return None;
            }
            Task::Element | Task::Concat => match self.parse_counted(&input[q..]) {
                Err(err) => (err.kind(), q + err.offset()),
                Ok(_) => (ErrorKind::ExpectedValue, b),
            },
            Task::Member | Task::Key => {
                let mut c = Cursor::at(input, q);
                let lexed = if task == Task::Key {
                    c.string().map(|_| ())
                } else {
                    c.skip_value(1).map(|_| ())
                };
                match lexed {
                    Err(Stop::Fail(err)) => (err.kind(), err.offset()),
                    _ => (ErrorKind::ExpectedValue, b),
                }
            }
        };
        let e = self.error(buf, StreamErrorKind::Framing(kind), at, unit);
        self.pos = b;
        self.state = State::Resync { line_start: false };
        Some(Step::Error(e))
    }

    fn discard<'a>(
        &mut self,
        buf: &[u8],
        eof: bool,
        task: Task,
        mut scan: ValueEnd,
    ) -> Option<Step<'a>> {
        let from = self.pos;
        let found = scan.scan(buf, from);
        match found {
            Boundary::End(e) => {
                self.stats.scanned += (e - from) as u64;
                self.pos = e;
                self.state = Self::after(task);
                None
            }
            Boundary::Broken(b) => {
                self.stats.scanned += (b - from) as u64;
                self.pos = b;
                self.state = State::Resync { line_start: false };
                None
            }
            Boundary::More => {
                self.stats.scanned += (buf.len() - from) as u64;
                self.pos = buf.len();
                self.state = State::Discard { task, scan };
                Some(self.end_of_input(buf, eof))
            }
        }
    }

    fn resync<'a>(&mut self, buf: &[u8], eof: bool, mut line_start: bool) -> Option<Step<'a>> {
        loop {
            if line_start {
                match buf.get(self.pos) {
                    None => break,
                    Some(b'{') => {
                        self.state = Self::initial(self.framing);
                        return None;
                    }
                    Some(b'\n') => self.pos += 1,
                    Some(_) => line_start = false,
                }
                self.stats.scanned += 1;
            } else {
                let found = memchr(b'\n', &buf[self.pos..]);
                self.stats.scanned += found.map_or(buf.len() - self.pos, |k| k + 1) as u64;
                match found {
                    Some(k) => {
                        self.pos += k + 1;
                        line_start = true;
                    }
                    None => {
                        self.pos = buf.len();
                        break;
                    }
                }
            }
        }
        self.state = State::Resync { line_start };
        Some(self.end_of_input(buf, eof))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_line_feed_agrees_with_a_bytewise_search() {
        let mut bytes = [b'a'; 40];
        for len in 0..=bytes.len() {
            assert!(!has_line_feed(&bytes[..len]));
            for at in 0..len {
                bytes[at] = b'\n';
                assert!(has_line_feed(&bytes[..len]), "{len} {at}");
                // Bytes next to a line feed's value are not one.
                bytes[at] = b'\n' + 1;
                assert!(!has_line_feed(&bytes[..len]), "{len} {at}");
                bytes[at] = b'\n' - 1;
                assert!(!has_line_feed(&bytes[..len]), "{len} {at}");
                bytes[at] = b'a';
            }
        }
    }

    #[test]
    fn envelope_detection_looks_at_top_level_keys_only() {
        assert!(holds_events_array(br#"{"seq":1,"events":[]}"#));
        assert!(holds_events_array(
            br#"{ "a" : {"events":1}, "ev\u0065nts" : [ {} ] }"#
        ));
        assert!(!holds_events_array(br#"{"a":{"events":[]}}"#));
        assert!(!holds_events_array(br#"{"events":{}}"#));
        assert!(!holds_events_array(br#"{"events":[],"event":"x"}"#));
        assert!(!holds_events_array(br#"{"events":[],}"#));
        assert!(!holds_events_array(b"{}"));
    }
}
