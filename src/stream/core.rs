//! The framing engine that the slice iterator and the incremental decoder
//! share, so that they cannot disagree.
//!
//! [`Core::fast`] and [`Core::dispatch`] look at a buffer that holds the
//! stream from some offset (`base`) on, and at a flag saying whether the
//! input ends there; together they return one item, or say that more input
//! is needed. Everything before `pos` is consumed: the incremental decoder
//! drops it ([`Core::release`]), the slice iterator simply moves on.
//! Progress inside the unit that starts at `pos` (how far a scan got) is
//! kept in the state, relative to `pos`, so that bytes are examined a small
//! constant number of times however the input is chunked.
//!
//! The happy path is fused and kept apart from the state machine:
//! [`Core::fast`] runs the decoder ([`decode_object_ws`]) in place at the
//! start of each unit where one event follows another, and the framing only
//! checks what follows (for NDJSON, whether the event held whitespace tells
//! whether it can hold a line feed at all). Only when an event is not
//! complete in the buffer (or is bad) does [`Core::dispatch`] take over: a
//! boundary scan ([`ValueEnd`], or a line-feed search) runs, resumably,
//! before the event is decoded once; or, incrementally, an object cut short
//! is decoded again once the bytes at hand have doubled (see
//! [`Core::retry`]).

use memchr::{memchr, memchr_iter, memchr2_iter, memrchr, memrchr3};

use super::{Config, Framing, StreamError, StreamErrorKind, Unit};
use crate::decode::{Decode, Status, decode_object_ws, parse_as};
use crate::error::{Error, ErrorKind};
use crate::scan::{
    Boundary, Cursor, EnvelopeProbe, Lex, Probe, Stop, ValueEnd, is_ws, starts_value,
};
use crate::side::Side;
use crate::text::Text;

/// One item, or why there is none.
// Only the incremental decoder (feature `alloc`) reads the event's range.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
pub(crate) enum Step<'a, S: Side> {
    /// An event, whose bytes are `buf[start..end]`.
    Event(S::Event<'a>, usize, usize),
    /// An error; the stream goes on.
    Error(StreamError),
    /// More input is needed (never when the input is complete).
    Pending,
    /// The input is complete and has no more items.
    Done,
}

/// What a fast path found: an event, or that the general path is needed.
pub(crate) enum Fast<'a, S: Side> {
    /// An event, whose bytes are `buf[start..end]`.
    Event(S::Event<'a>, usize, usize),
    /// An event without fields written the one shortest way,
    /// `{"event":"chat_session_typing"}` and the like, in `buf[start..end]`.
    /// Apart from [`Fast::Event`] so that callers build it from its kind
    /// alone, never moving a whole event around.
    Unit(S::Event<'static>, usize, usize),
    /// More input is needed (never when the input is complete).
    Pending,
    /// The input is complete and has no more items.
    Done,
    /// Anything else: [`Core::dispatch`] goes on from the state left.
    Slow,
}

impl<'a, S: Side> Fast<'a, S> {
    /// The item for the general path: `None` for [`Fast::Slow`].
    #[inline(always)]
    fn into_step(self) -> Option<Step<'a, S>> {
        match self {
            Fast::Event(event, start, end) => Some(Step::Event(event, start, end)),
            Fast::Unit(event, start, end) => Some(Step::Event(S::shorten(event), start, end)),
            Fast::Pending => Some(Step::Pending),
            Fast::Done => Some(Step::Done),
            Fast::Slow => None,
        }
    }
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
    },
    /// Incrementally, an object at `pos` (within the bound) not complete
    /// when last looked at; see [`Core::retry`].
    Retry {
        task: Task,
        parsed: usize,
        seen: usize,
    },
    /// A complete event at `pos`, `len` bytes long, larger than the bound.
    Oversized { task: Task, len: usize },
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
        let Some(bytes) = buf.get(self.pos..to).filter(|b| !b.is_empty()) else {
            return 0;
        };
        // A short span (the structure between two envelopes' events, say)
        // costs less walked once than set up for two searches.
        let (feeds, last) = if bytes.len() <= 32 {
            let mut feeds = 0;
            let mut last = 0;
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' {
                    feeds += 1;
                    last = i;
                }
            }
            (feeds, last)
        } else {
            let feeds = memchr_iter(b'\n', bytes).count();
            (feeds, memrchr(b'\n', bytes).unwrap_or(0))
        };
        if feeds > 0 {
            self.line += feeds as u64;
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

/// Where the last line feed, and the last `}`, `]` or line feed, of the
/// buffer are, for the incremental decoder: an NDJSON line that starts after
/// the first cannot be complete yet, nor can an object that starts after the
/// second, so they are not decoded in place (only to be found cut short).
/// Indices into the buffer: it was searched up to `*_seen` (from the end of
/// what was new, so mostly only a little way), and what was found is at
/// `*_end - 1` (nothing if `*_end` is 0). `close_opens` counts the `{` and
/// `[` from `close_end` to `close_seen`, found by the same search: at least
/// as many as an object after `close_end` opened.
#[derive(Clone, Copy, Debug, Default)]
struct Tail {
    feed_seen: usize,
    feed_end: usize,
    close_seen: usize,
    close_end: usize,
    close_opens: usize,
}

/// The last `}`, `]` or line feed of `bytes`, and how many `{` and `[`
/// follow it (in all of `bytes` when there is none): one pass from the end
/// with AVX2 where the CPU has it, else a search for the one and a count of
/// the others.
#[inline(always)]
fn last_close(bytes: &[u8]) -> (Option<usize>, usize) {
    crate::trusted::last_close(bytes).unwrap_or_else(|| last_close_searched(bytes))
}

/// [`last_close`] without AVX2: a search from the end, then a count.
fn last_close_searched(bytes: &[u8]) -> (Option<usize>, usize) {
    let found = memrchr3(b'}', b']', b'\n', bytes);
    let after = &bytes[found.map_or(0, |k| k + 1)..];
    (found, memchr2_iter(b'{', b'[', after).count())
}

/// [`last_close`] a byte at a time: the twin that the AVX2 version is
/// tested against (and which it uses on inputs shorter than its block).
#[cfg(any(test, all(target_arch = "x86_64", feature = "std")))]
pub(crate) fn last_close_bytewise(bytes: &[u8]) -> (Option<usize>, usize) {
    let mut opens = 0;
    for (i, &b) in bytes.iter().enumerate().rev() {
        match b {
            b'}' | b']' | b'\n' => return (Some(i), opens),
            b'{' | b'[' => opens += 1,
            _ => {}
        }
    }
    (None, opens)
}

/// Brackets a value may open, its own included, before [`ValueEnd`] finds
/// its structure broken (its depth limit is 128).
const OPEN_LIMIT: usize = 128;

/// The framing engine.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    /// Driven by the incremental decoder: [`Core::dispatch`] then decodes
    /// as [`Core::fast`] does with `INC`.
    incremental: bool,
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
    /// Whether the current envelope has had its `"events"` key, or an
    /// `"event"` key reported: either way no `MissingEvents` at its end,
    /// so that an event misread as an envelope is one error, not two.
    saw_events: bool,
    tail: Tail,
    /// For the incremental decoder: the buffer's length at the last call,
    /// less what was released since. Every index kept lies below it, so a
    /// buffer at least this long is one they are all valid in.
    watermark: usize,
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
    /// An engine for `framing`; `incremental` for the incremental decoder
    /// (see [`Core::fast`]).
    pub(crate) fn new(framing: Framing, config: Config, incremental: bool) -> Self {
        Core {
            incremental,
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
            tail: Tail::default(),
            watermark: 0,
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

    /// How many envelopes have begun (their `{` read).
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn envelopes(&self) -> u64 {
        self.envelopes
    }

    /// The stream offset of the buffer's first byte: everything before it
    /// was released.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn base(&self) -> u64 {
        self.base
    }

    /// Notes the incremental decoder's buffer length, first recovering if
    /// the buffer is shorter than at the last call, less what was released:
    /// its caller cut bytes the decoder had seen.
    #[inline(always)]
    fn guard(&mut self, len: usize) {
        if len < self.watermark {
            self.shrunk(len);
        }
        self.watermark = len;
    }

    /// The buffer lost bytes the decoder had seen: the items from here on
    /// are wrong, but no index points past the buffer's end. The decoder
    /// skips to the next line that begins with `{`, as after a broken
    /// structure.
    #[cold]
    fn shrunk(&mut self, len: usize) {
        self.pos = self.pos.min(len);
        self.memo.pos = self.memo.pos.min(self.pos);
        self.tail = Tail::default();
        if !matches!(self.state, State::Done) {
            self.state = State::Resync { line_start: false };
        }
    }

    /// Forgets the consumed bytes, which the caller then drops from the
    /// front of its buffer; returns how many.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn release(&mut self, buf: &[u8]) -> usize {
        let n = self.pos;
        self.watermark = self.watermark.saturating_sub(n);
        self.stats.counted += self.memo.advance(buf, n, self.base);
        self.memo.pos = 0;
        self.base += n as u64;
        self.pos = 0;
        let t = &mut self.tail;
        t.feed_seen = t.feed_seen.saturating_sub(n);
        t.feed_end = t.feed_end.saturating_sub(n);
        t.close_seen = t.close_seen.saturating_sub(n);
        t.close_end = t.close_end.saturating_sub(n);
        n
    }

    /// Whether a line feed follows index `q` of `buf` (the buffer's new
    /// bytes are searched from the end, up to the last one).
    #[inline(always)]
    fn feed_after(&mut self, buf: &[u8], q: usize) -> bool {
        // One already known to follow settles it, without a search.
        if q < self.tail.feed_end {
            return true;
        }
        let t = &mut self.tail;
        if let Some(new) = buf.get(t.feed_seen..).filter(|new| !new.is_empty()) {
            let found = memrchr(b'\n', new);
            if let Some(k) = found {
                t.feed_end = t.feed_seen + k + 1;
            }
            self.stats.scanned += (new.len() - found.unwrap_or(0)) as u64;
            t.feed_seen = buf.len();
        }
        q < self.tail.feed_end
    }

    /// Whether a `}`, `]` or line feed follows index `q` of `buf`, as
    /// [`Core::feed_after`]: when none does, an object at `q` has not ended
    /// and its structure has not broken (unless it opened too many
    /// brackets: at most `tail.close_opens`, the search's count).
    #[inline(always)]
    fn close_after(&mut self, buf: &[u8], q: usize) -> bool {
        if q < self.tail.close_end {
            return true;
        }
        let t = &mut self.tail;
        if let Some(new) = buf.get(t.close_seen..).filter(|new| !new.is_empty()) {
            let (found, opens) = last_close(new);
            match found {
                Some(k) => {
                    t.close_end = t.close_seen + k + 1;
                    t.close_opens = opens;
                }
                None => t.close_opens = t.close_opens.saturating_add(opens),
            }
            self.stats.scanned += (new.len() - found.unwrap_or(0)) as u64;
            t.close_seen = buf.len();
        }
        q < self.tail.close_end
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
    fn parse_counted<'a, S: Side>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Status<(S::Event<'a>, usize)>, Error> {
        let result = parse_as::<S::Event<'a>>(input);
        self.stats.parsed += match &result {
            Ok(Status::Complete((_, n))) => *n,
            Ok(Status::Partial) => input.len(),
            Err(e) => e.offset() + 1,
        } as u64;
        result
    }

    /// The decoder's own first fast path, inline: an event without fields
    /// written exactly `{"event":"chat_session_typing"}` at `q`, and its
    /// length. `Decode::unit_at` looks at one byte of the name before any
    /// template, so the other events go on at once.
    #[inline(always)]
    fn unit_at<S: Side>(&mut self, buf: &[u8], q: usize) -> Option<(S::Event<'static>, usize)> {
        if let Some((event, end)) = S::Event::<'static>::unit_at(buf, q) {
            self.stats.parsed += (end - q) as u64;
            return Some((event, end - q));
        }
        None
    }

    /// Decodes the event at `buf[q..]` for a fast path (past
    /// [`Core::unit_at`]): the event and the bytes it used, and in `ws`
    /// whether it holds whitespace (and so perhaps a line feed). Otherwise
    /// why not: cut short, or an error (for the general path to report).
    #[inline(always)]
    fn decode_at<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        q: usize,
        ws: &mut bool,
    ) -> Lex<(S::Event<'a>, usize)> {
        let input = &buf[q..];
        // The templates of the events without fields were tried first.
        let result = decode_object_ws::<S::Event<'a>, true, false>(input, ws);
        self.stats.parsed += match &result {
            Ok(done) => done.1,
            Err(Stop::Partial) => input.len(),
            Err(Stop::Fail(e)) => e.offset() + 1,
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
    fn end_of_input<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Step<'a, S> {
        if eof {
            self.pos = buf.len();
            self.state = State::Done;
            Step::Done
        } else {
            Step::Pending
        }
    }

    /// The end of the input inside an envelope's structure.
    fn truncated_envelope<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Step<'a, S> {
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
    fn framing_error<'a, S: Side>(
        &mut self,
        buf: &[u8],
        kind: ErrorKind,
        at: usize,
        unit: Unit,
    ) -> Step<'a, S> {
        let e = self.error(buf, StreamErrorKind::Framing(kind), at, unit);
        self.pos = at;
        self.state = State::Resync { line_start: false };
        Step::Error(e)
    }

    /// Decodes the next item from `buf`, which holds the stream from the
    /// last released offset on; `eof` says the input ends with `buf`.
    ///
    /// This is the fast path: the next event when it follows the previous
    /// one the common way (an NDJSON line start, an envelope after an
    /// element, between concatenated values), decoded in place. On
    /// [`Fast::Slow`], [`Core::dispatch`] must be called next, the general
    /// state machine, which goes on from where this left off: nothing is
    /// decoded twice.
    ///
    /// With `INC`, for the incremental decoder: line numbers are kept up to
    /// date as lines are read (it releases the bytes read after each item),
    /// and an event that cannot be complete yet (see [`Tail`]) is not decoded
    /// in place.
    #[inline(always)]
    pub(crate) fn fast<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
    ) -> Fast<'a, S> {
        if INC {
            self.guard(buf.len());
        }
        // Tests rather than a jump table: one state at a time is hot.
        if let State::LineStart = self.state {
            return self.line_start::<S, INC>(buf, eof);
        }
        if let State::AfterElement = self.state {
            return self.next_element::<S, INC>(buf, eof);
        }
        match self.state {
            State::ConcatTop => self.next_value::<S, INC>(buf, eof),
            // A line that waits for its line feed is looked at again as a
            // line just begun: the search of the new bytes from their end
            // settles whether a feed has come after it (then it is decoded
            // in place at once) or not (then it waits on, its new bytes not
            // searched a second time). Anything unusual about it, blanks or
            // an error, sends it on to `line`.
            State::Line { .. } if INC => {
                self.state = State::LineStart;
                self.line_start::<S, INC>(buf, eof)
            }
            State::Retry { task, parsed, seen } if INC => self.retry(buf, eof, task, parsed, seen),
            _ => Fast::Slow,
        }
    }

    /// The general state machine, one transition at a time until an item.
    #[inline(never)]
    pub(crate) fn dispatch<'a, S: Side>(&mut self, buf: &'a [u8], eof: bool) -> Step<'a, S> {
        if self.incremental {
            self.guard(buf.len());
        }
        loop {
            let step = match self.state {
                State::Start => self.start(buf, eof),
                State::Probe { probe, seen } => self.probe(buf, eof, probe, seen),
                State::FirstAfter { end, seen } => self.first_after(buf, eof, end, seen),
                State::LineStart => self.line_start::<S, false>(buf, eof).into_step(),
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
                State::Value { task, scan, seen } => self.value(buf, eof, task, scan, seen),
                State::Retry { task, parsed, seen } => {
                    self.retry(buf, eof, task, parsed, seen).into_step()
                }
                State::Oversized { task, len } => {
                    let unit = self.unit(task);
                    self.state = Self::after(task);
                    let e = self.error(buf, StreamErrorKind::TooLarge, self.pos, unit);
                    self.pos += len;
                    Some(Step::Error(e))
                }
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

    fn start<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a, S>> {
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

    fn probe<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        mut probe: EnvelopeProbe,
        seen: usize,
    ) -> Option<Step<'a, S>> {
        let q = self.pos;
        let limit_end = buf.len().min(q.saturating_add(self.max).saturating_add(1));
        let from = q + seen;
        let found = probe.scan(&buf[..limit_end], from);
        self.stats.scanned += limit_end.saturating_sub(from) as u64;
        let first_value = State::Value {
            task: Task::First,
            scan: ValueEnd::new(),
            seen: 0,
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

    fn first_after<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        end: usize,
        seen: usize,
    ) -> Option<Step<'a, S>> {
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

    /// With `INC` (the incremental decoder), the line memo follows the lines
    /// the fast path reads (so that [`Core::release`] need not count them
    /// again), and a line not complete yet is not decoded in place.
    #[inline(always)]
    fn line_start<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
    ) -> Fast<'a, S> {
        if self.skip_ws(buf).is_none() {
            return match self.end_of_input::<S>(buf, eof) {
                Step::Done => Fast::Done,
                _ => Fast::Pending,
            };
        }
        let q = self.pos;
        if INC && !eof && !self.feed_after(buf, q) && buf.len() - q <= self.max {
            // No line feed has arrived: what `line` would find out, without
            // going there.
            self.state = State::Line {
                seen: buf.len() - q,
            };
            return Fast::Pending;
        }
        // Fused: decode in place, then check that the line ends there; the
        // commonest case is the line feed right after the event.
        if let Some((event, n)) = self.unit_at::<S>(buf, q) {
            let end = q + n;
            if let Some(b'\n') = buf.get(end)
                && n <= self.max
            {
                if INC {
                    self.passed_line_feed(q, end);
                }
                self.pos = end + 1;
                return Fast::Unit(event, q, end);
            }
            return self.line_end::<S, INC>(buf, eof, S::shorten(event), n, false);
        }
        let mut ws = false;
        match self.decode_at::<S>(buf, q, &mut ws) {
            Ok((event, n)) => {
                let end = q + n;
                if let Some(b'\n') = buf.get(end)
                    && !ws
                    && n <= self.max
                {
                    if INC {
                        self.passed_line_feed(q, end);
                    }
                    self.pos = end + 1;
                    return Fast::Event(event, q, end);
                }
                self.line_end::<S, INC>(buf, eof, event, n, ws)
            }
            Err(_) => {
                self.state = State::Line { seen: 0 };
                Fast::Slow
            }
        }
    }

    /// The event at `pos`, `n` bytes long (holding whitespace if `ws`), is
    /// followed by something other than a line feed: blanks before it, or
    /// the end of the buffer, or something else.
    #[inline(always)]
    fn line_end<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        event: S::Event<'a>,
        n: usize,
        ws: bool,
    ) -> Fast<'a, S> {
        let q = self.pos;
        let end = q + n;
        // A line feed can only hide in whitespace outside strings.
        debug_assert!(ws || !has_line_feed(&buf[q..end]));
        if !ws || !has_line_feed(&buf[q..end]) {
            let mut t = end;
            while let Some(b' ' | b'\t' | b'\r') = buf.get(t) {
                t += 1;
            }
            // The blanks, and the event's bytes if checked for a line feed.
            self.stats.scanned += (t - end + if ws { n } else { 0 }) as u64;
            match buf.get(t) {
                Some(b'\n') if t - q <= self.max => {
                    if INC {
                        self.passed_line_feed(q, t);
                    }
                    self.pos = t + 1;
                    return Fast::Event(event, q, end);
                }
                None if eof && t - q <= self.max => {
                    self.pos = t;
                    return Fast::Event(event, q, end);
                }
                None if !eof => {
                    self.state = State::Line { seen: t - q };
                    return Fast::Pending;
                }
                _ => {}
            }
        }
        self.state = State::Line { seen: 0 };
        Fast::Slow
    }

    /// The line at `q` ends at the line feed at `lf`, the only one in
    /// `q..=lf`: when the line memo stands at `q`, it moves past it without
    /// counting.
    #[inline(always)]
    fn passed_line_feed(&mut self, q: usize, lf: usize) {
        if self.memo.pos == q {
            self.memo.pos = lf + 1;
            self.memo.line += 1;
            self.memo.line_start = self.base + (lf + 1) as u64;
        }
    }

    fn line<'a, S: Side>(&mut self, buf: &'a [u8], eof: bool, seen: usize) -> Option<Step<'a, S>> {
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
    fn finish_line<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        q: usize,
        k: usize,
        feed: bool,
    ) -> Step<'a, S> {
        let next = if feed { k + 1 } else { k };
        let unit = self.line_unit(buf);
        let step = if k - q > self.max {
            Step::Error(self.error(buf, StreamErrorKind::TooLarge, q, unit))
        } else {
            match self.parse_counted::<S>(&buf[q..next]) {
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
        // The line's only line feed is its last byte.
        if feed && self.incremental {
            self.passed_line_feed(q, k);
        }
        self.pos = next;
        self.state = State::LineStart;
        step
    }

    fn line_discard<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a, S>> {
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

    fn top<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a, S>> {
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
    fn end_envelope<'a, S: Side>(&mut self, buf: &[u8], check: bool) -> Option<Step<'a, S>> {
        let at = self.pos;
        let step = (check && !self.saw_events).then(|| {
            let unit = self.envelope_unit();
            Step::Error(self.error(buf, StreamErrorKind::MissingEvents, at, unit))
        });
        self.pos = at + 1;
        self.state = State::Top;
        step
    }

    fn members<'a, S: Side>(&mut self, buf: &[u8], eof: bool, first: bool) -> Option<Step<'a, S>> {
        match self.skip_ws(buf) {
            None => Some(self.truncated_envelope(buf, eof)),
            Some(b'"') => {
                self.state = State::Value {
                    task: Task::Key,
                    scan: ValueEnd::new(),
                    seen: 0,
                };
                None
            }
            Some(b'}') if first => self.end_envelope(buf, true),
            Some(b'}') => {
                let unit = self.envelope_unit();
                let kind = StreamErrorKind::Envelope(ErrorKind::TrailingComma);
                let e = self.error(buf, kind, self.pos, unit);
                self.end_envelope::<S>(buf, false);
                Some(Step::Error(e))
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedKey, self.pos, unit))
            }
        }
    }

    fn after_key<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        events: bool,
    ) -> Option<Step<'a, S>> {
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

    fn after_colon<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        events: bool,
    ) -> Option<Step<'a, S>> {
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

    fn after_member<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a, S>> {
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

    fn elements<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        first: bool,
    ) -> Option<Step<'a, S>> {
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
                self.value_in_place(buf, eof, Task::Element)
            }
            Some(_) => {
                let unit = self.envelope_unit();
                Some(self.framing_error(buf, ErrorKind::ExpectedValue, self.pos, unit))
            }
        }
    }

    fn after_element<'a, S: Side>(&mut self, buf: &[u8], eof: bool) -> Option<Step<'a, S>> {
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

    fn concat_top<'a, S: Side>(&mut self, buf: &'a [u8], eof: bool) -> Option<Step<'a, S>> {
        match self.skip_ws(buf) {
            None => Some(self.end_of_input(buf, eof)),
            Some(b) if starts_value(b) => {
                self.values += 1;
                self.value_in_place(buf, eof, Task::Concat)
            }
            Some(_) => {
                let unit = Unit::Value(self.values);
                Some(self.framing_error(buf, ErrorKind::ExpectedValue, self.pos, unit))
            }
        }
    }

    // ---- Values (elements, concatenated values, members, keys) ---------

    /// Envelope, after an element: the next element, when `,` and an object
    /// follow. [`Fast::Slow`] leaves the rest to the general path.
    #[inline(always)]
    fn next_element<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
    ) -> Fast<'a, S> {
        let comma = self.pos;
        if self.skip_ws(buf) != Some(b',') {
            return Fast::Slow;
        }
        // The line memo moves past a `,` right after the element.
        if INC && self.memo.pos == comma && self.pos == comma {
            self.memo.pos = comma + 1;
        }
        self.pos += 1;
        self.state = State::Elements { first: false };
        if self.skip_ws(buf) != Some(b'{') {
            return Fast::Slow;
        }
        self.elements += 1;
        self.value_fast::<S, INC>(buf, eof, Task::Element)
    }

    /// Concatenated values, between values: the next value, when it starts
    /// here. [`Fast::Slow`] leaves the rest to the general path.
    #[inline(always)]
    fn next_value<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
    ) -> Fast<'a, S> {
        match self.skip_ws(buf) {
            Some(b) if starts_value(b) => {
                self.values += 1;
                self.value_fast::<S, INC>(buf, eof, Task::Concat)
            }
            _ => Fast::Slow,
        }
    }

    /// Fused: decodes the value at `pos` in place; the framing then checks
    /// what follows. Otherwise [`Fast::Slow`], with the state set to report
    /// an event that is too large or to scan a value that is not an event;
    /// or, with `INC`, [`Fast::Pending`] for an object not complete yet (see
    /// [`Core::retry`]).
    #[inline(always)]
    fn value_fast<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
    ) -> Fast<'a, S> {
        let q = self.pos;
        if let Some(unit) = self.unit_value::<S, INC>(buf, task) {
            return unit;
        }
        let have = buf.len() - q;
        // An object that has not ended yet (and is sound so far) waits, not
        // decoded, for what a scan for its end would wait for.
        if INC && !eof && !self.close_after(buf, q) && buf[q] == b'{' && have <= self.max {
            // The search's count bounds the brackets opened from `q` (those
            // in strings count too).
            if self.tail.close_opens <= OPEN_LIMIT {
                self.state = State::Retry {
                    task,
                    parsed: 0,
                    seen: have,
                };
                return Fast::Pending;
            }
        }
        self.attempt::<S, INC>(buf, eof, task)
    }

    /// An event without fields written the one shortest way at `pos`.
    #[inline(always)]
    fn unit_value<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &[u8],
        task: Task,
    ) -> Option<Fast<'a, S>> {
        let q = self.pos;
        let (event, n) = self.unit_at::<S>(buf, q).filter(|&(_, n)| n <= self.max)?;
        self.state = Self::after(task);
        self.pos = q + n;
        if INC && self.memo.pos == q {
            self.memo.pos = q + n;
        }
        Some(Fast::Unit(event, q, q + n))
    }

    /// Decodes the value at `pos` in place (past [`Core::unit_value`]), for
    /// [`Core::value_fast`] and [`Core::retry`].
    #[inline(always)]
    fn attempt<'a, S: Side, const INC: bool>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
    ) -> Fast<'a, S> {
        let q = self.pos;
        let have = buf.len() - q;
        let mut ws = false;
        let (event, n) = match self.decode_at::<S>(buf, q, &mut ws) {
            Ok(done) => done,
            // Cut short: decoded again once more bytes have come.
            Err(Stop::Partial) if INC && !eof && have <= self.max => {
                self.state = State::Retry {
                    task,
                    parsed: have,
                    seen: have,
                };
                return Fast::Pending;
            }
            Err(_) => {
                self.state = State::Value {
                    task,
                    scan: ValueEnd::new(),
                    seen: 0,
                };
                return Fast::Slow;
            }
        };
        if n > self.max {
            self.state = State::Oversized { task, len: n };
            return Fast::Slow;
        }
        self.state = Self::after(task);
        self.pos = q + n;
        // Without whitespace, the event holds no line feed. The line memo
        // catches up with the event first when it lags behind (after an
        // envelope's start, say), so that it goes on following the events
        // rather than leaving them all to be counted on release.
        if INC && !ws {
            if self.memo.pos < q {
                self.stats.counted += self.memo.advance(buf, q, self.base);
            }
            if self.memo.pos == q {
                self.memo.pos = q + n;
            }
        }
        Fast::Event(event, q, q + n)
    }

    /// An object at `pos` not complete when last looked at (with `seen`
    /// bytes at hand), looked at again now that more bytes have come.
    ///
    /// While it has not been decoded yet (`parsed` is 0), no `}`, `]` or line
    /// feed has come after its start, and it opened at most [`OPEN_LIMIT`]
    /// brackets (bounded by the count of [`Core::close_after`]'s search), it
    /// has not ended and its structure has not broken: it waits. Otherwise
    /// it is decoded in place again, `parsed` being the bytes the last
    /// attempt covered (0 if none), but to keep the work linear however the
    /// input is chunked, only when they have at least doubled; else (and at
    /// the end of the input, or past the size bound, or on an error) it is
    /// scanned for its end from its start, as any value. Either way the
    /// items, and when they come, are those of the scan: a structure that
    /// breaks also fails to decode, at or before the byte where it breaks,
    /// and a value that decodes cut short has not ended.
    #[inline(always)]
    fn retry<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
        parsed: usize,
        seen: usize,
    ) -> Fast<'a, S> {
        let q = self.pos;
        // (A caller that shrank its buffer gets the scan, not a panic.)
        let have = buf.len().checked_sub(q).unwrap_or(usize::MAX);
        if have == seen && !eof {
            return Fast::Pending;
        }
        if !eof && have <= self.max {
            if parsed == 0
                && have > seen
                && !self.close_after(buf, q)
                && self.tail.close_opens <= OPEN_LIMIT
            {
                self.state = State::Retry {
                    task,
                    parsed: 0,
                    seen: have,
                };
                return Fast::Pending;
            }
            if have >= 2 * parsed {
                if let Some(unit) = self.unit_value::<S, true>(buf, task) {
                    return unit;
                }
                return self.attempt::<S, true>(buf, eof, task);
            }
        }
        self.state = State::Value {
            task,
            scan: ValueEnd::new(),
            seen: 0,
        };
        Fast::Slow
    }

    /// [`Core::value_fast`] for the general path.
    #[inline]
    fn value_in_place<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
    ) -> Option<Step<'a, S>> {
        let fast = if self.incremental {
            self.value_fast::<S, true>(buf, eof, task)
        } else {
            self.value_fast::<S, false>(buf, eof, task)
        };
        fast.into_step()
    }

    fn value<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        task: Task,
        mut scan: ValueEnd,
        seen: usize,
    ) -> Option<Step<'a, S>> {
        let q = self.pos;
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
                };
                Some(Step::Pending)
            }
        }
    }

    /// The value at `pos` ends at `e`.
    fn finish_value<'a, S: Side>(
        &mut self,
        buf: &'a [u8],
        task: Task,
        e: usize,
    ) -> Option<Step<'a, S>> {
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
                    Some(match self.parse_counted::<S>(&buf[q..e]) {
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
                            let key = &buf[q..e];
                            let events = key_is(key, escaped, "events");
                            self.pos = e;
                            self.state = State::AfterKey { events };
                            // An object with an `"event"` key is an event
                            // (as `holds_events_array` decides for `Auto`).
                            if !key_is(key, escaped, "event") {
                                return None;
                            }
                            self.saw_events = true;
                            let kind = StreamErrorKind::EventKeyInEnvelope;
                            return Some(Step::Error(self.error(buf, kind, q, unit)));
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
    fn broken_value<'a, S: Side>(
        &mut self,
        buf: &[u8],
        task: Task,
        b: usize,
    ) -> Option<Step<'a, S>> {
        let q = self.pos;
        let unit = self.unit(task);
        let input = &buf[..=b];
        let (kind, at) = match task {
            Task::First => {
                self.resolve(Framing::Ndjson);
                return None;
            }
            Task::Element | Task::Concat => match self.parse_counted::<S>(&input[q..]) {
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

    fn discard<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        task: Task,
        mut scan: ValueEnd,
    ) -> Option<Step<'a, S>> {
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

    fn resync<'a, S: Side>(
        &mut self,
        buf: &[u8],
        eof: bool,
        mut line_start: bool,
    ) -> Option<Step<'a, S>> {
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

    /// The search that tells the incremental decoder whether an object can
    /// have ended, as it runs (with AVX2 where the CPU has it) and with
    /// `memchr`, against a walk back a byte at a time.
    #[test]
    fn the_last_close_search_agrees_with_a_walk_back() {
        use crate::wide::tests::{bracket_bytes, xorshift};
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let mut found = [0; 5];
        let cases = if cfg!(miri) { 30 } else { 20_000 };
        for case in 0..cases {
            let len = (next() % 300) as usize;
            let bytes = bracket_bytes(&mut next, len, [0, 8, 64][case % 3]);
            let want = last_close_bytewise(&bytes);
            assert_eq!(last_close(&bytes), want, "{bytes:x?}");
            assert_eq!(last_close_searched(&bytes), want, "{bytes:x?}");
            // Closing bytes found in every chunk of a long input, or none.
            if len >= 64 {
                let chunk = want.0.map_or(len, |k| (len - 1 - k) / 64);
                found[chunk.min(4)] += 1;
            }
        }
        assert!(cfg!(miri) || found.iter().all(|&n| n > 100), "{found:?}");
        assert_eq!(last_close_bytewise(b"{[x}{\"{\"["), (Some(3), 3));
        assert_eq!(last_close_bytewise(b"a{[\n"), (Some(3), 0));
        assert_eq!(last_close_bytewise(b"{[{"), (None, 3));
    }

    /// Line numbers counted in short steps (walked) and long ones
    /// (searched) agree with a count of the whole.
    #[test]
    fn line_memo_counts_alike_in_short_and_long_steps() {
        use crate::wide::tests::{bracket_bytes, xorshift};
        let mut next = xorshift(0xBB67_AE85_84CA_A73B);
        let buf = bracket_bytes(&mut next, 2000, 1000);
        let whole = buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let last = buf.iter().rposition(|&b| b == b'\n').unwrap();
        for step in [1, 7, 31, 32, 33, 64, 500] {
            let mut memo = LineMemo {
                pos: 0,
                line: 1,
                line_start: 0,
            };
            let mut looked = 0;
            while memo.pos < buf.len() {
                looked += memo.advance(&buf, (memo.pos + step).min(buf.len()), 100);
            }
            assert_eq!(looked, buf.len() as u64, "step {step}");
            assert_eq!(memo.line, 1 + whole, "step {step}");
            assert_eq!(memo.line_start, 100 + last as u64 + 1, "step {step}");
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
