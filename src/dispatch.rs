//! Key and event-name dispatch: a perfect hash over a fixed set of names,
//! built at compile time.
//!
//! A name is recognised where it lies, from the byte after its opening
//! quote, without scanning it as a string first: it is read eight bytes at a
//! time up to its closing quote (found in each word with a few bit
//! operations), the words are hashed, and the one candidate the hash gives
//! is compared word for word. A name written with an escape, or one the
//! table does not hold, is not recognised, and the caller lexes the string
//! the general way. The hash's seed is searched for when the table is built
//! (a `const`), so names that cannot be told apart fail the build rather
//! than a lookup.

/// Buckets in a table: indexed by the hash's top byte.
const BUCKETS: usize = 256;

/// An empty bucket.
const EMPTY: u8 = u8::MAX;

/// Words a name's suffix and its closing quote may take: suffixes of up to
/// 23 bytes.
const WORDS: usize = 3;

/// Bytes of `"` in every lane.
const QUOTES: u64 = 0x2222_2222_2222_2222;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A perfect-hash table over up to 255 names: a prefix they all share (up
/// to 16 bytes: `chat_session_` for event names) and suffixes of up to 31
/// bytes.
pub(crate) struct NameTable<const N: usize> {
    /// The length of the shared prefix.
    prefix: usize,
    /// The prefix, zero-padded, as little-endian words, and the mask of its
    /// bytes in each.
    prefix_words: [u64; 2],
    prefix_masks: [u64; 2],
    /// Each name's suffix and its closing quote, zero-padded, as
    /// little-endian words.
    words: [[u64; WORDS]; N],
    buckets: [u8; BUCKETS],
    seed: u64,
}

/// The length of the prefix all of `names` share, up to 16 bytes.
const fn shared_prefix(names: &[&str]) -> usize {
    if names.is_empty() {
        return 0;
    }
    let first = names[0].as_bytes();
    let mut len = 0;
    while len < 16 && len < first.len() {
        let mut i = 1;
        while i < names.len() {
            let name = names[i].as_bytes();
            if len >= name.len() || name[len] != first[len] {
                return len;
            }
            i += 1;
        }
        len += 1;
    }
    // A whole name is never the prefix: its suffix would be empty.
    if len == first.len() { len - 1 } else { len }
}

/// Mixes one word into the hash.
#[inline(always)]
const fn mix(h: u64, word: u64) -> u64 {
    (h ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The hash's bucket.
#[inline(always)]
const fn bucket_of(h: u64) -> usize {
    (h >> 56) as usize
}

/// `name` from byte `skip` on and a closing quote, zero-padded, as
/// little-endian words.
const fn padded(name: &str, skip: usize) -> [u64; WORDS] {
    let bytes = name.as_bytes();
    assert!(
        bytes.len() - skip < WORDS * 8,
        "a name longer than the table takes"
    );
    let mut words = [0u64; WORDS];
    let mut i = skip;
    while i <= bytes.len() {
        let byte = if i < bytes.len() { bytes[i] } else { b'"' };
        assert!(byte != b'"' || i == bytes.len(), "a name with a quote");
        words[(i - skip) / 8] |= (byte as u64) << (8 * ((i - skip) % 8));
        i += 1;
    }
    words
}

/// The hash of a name's words under `seed`, as `find` computes it: the
/// words up to the one holding the closing quote.
const fn hash_words(words: &[u64; WORDS], seed: u64) -> u64 {
    let mut h = seed;
    let mut i = 0;
    while i < WORDS {
        h = mix(h, words[i]);
        let x = words[i] ^ QUOTES;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        i += 1;
    }
    h
}

/// Whether `input` starts with `expected`, a constant of at least eight
/// bytes once inlined: compared eight bytes at a time, the last word
/// overlapping the one before, with no call and no loop left.
#[inline(always)]
pub(crate) fn starts_with_const(input: &[u8], expected: &'static [u8]) -> bool {
    let n = expected.len();
    if n < 8 || input.len() < n {
        return input.starts_with(expected);
    }
    let mut diff = 0;
    let mut i = 0;
    while i + 8 < n {
        diff |= word_at(input, i) ^ word_at(expected, i);
        i += 8;
    }
    diff |= word_at(input, n - 8) ^ word_at(expected, n - 8);
    diff == 0
}

/// Eight bytes of `input` from `at`, as a little-endian word, zero-padded
/// past the end of the input.
#[inline(always)]
fn word_at(input: &[u8], at: usize) -> u64 {
    match input.get(at..at + 8) {
        Some(bytes) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(bytes);
            u64::from_le_bytes(word)
        }
        // Fewer than eight bytes left: the input's last eight, shifted so
        // that those from `at` come first (no copy of a variable length).
        None if input.len() >= 8 && at < input.len() => {
            let mut word = [0u8; 8];
            word.copy_from_slice(&input[input.len() - 8..]);
            u64::from_le_bytes(word) >> (8 * (8 - (input.len() - at)))
        }
        None => {
            let mut word = 0;
            for (i, &b) in input.get(at..).unwrap_or_default().iter().enumerate() {
                word |= u64::from(b) << (8 * i);
            }
            word
        }
    }
}

impl<const N: usize> NameTable<N> {
    /// Builds the table, looking for a seed under which no two names share a
    /// bucket; panics (at compile time, in a `const`) if there is none.
    pub(crate) const fn new(names: [&'static str; N]) -> Self {
        assert!(N < EMPTY as usize, "too many names for one table");
        let prefix = shared_prefix(&names);
        let mut prefix_words = [0u64; 2];
        let mut prefix_masks = [0u64; 2];
        if N > 0 {
            let first = names[0].as_bytes();
            let mut i = 0;
            while i < prefix {
                prefix_words[i / 8] |= (first[i] as u64) << (8 * (i % 8));
                prefix_masks[i / 8] |= 0xff << (8 * (i % 8));
                i += 1;
            }
        }
        let mut words = [[0u64; WORDS]; N];
        let mut i = 0;
        while i < N {
            words[i] = padded(names[i], prefix);
            i += 1;
        }
        let mut seed = 1;
        while seed < 1 << 16 {
            if let Some(buckets) = Self::fill(&words, seed) {
                return NameTable {
                    prefix,
                    prefix_words,
                    prefix_masks,
                    words,
                    buckets,
                    seed,
                };
            }
            seed += 1;
        }
        panic!("no seed separates the names")
    }

    /// The buckets under `seed`, if no two names share one.
    const fn fill(words: &[[u64; WORDS]; N], seed: u64) -> Option<[u8; BUCKETS]> {
        let mut buckets = [EMPTY; BUCKETS];
        let mut i = 0;
        while i < N {
            let b = bucket_of(hash_words(&words[i], seed));
            if buckets[b] != EMPTY {
                return None;
            }
            buckets[b] = i as u8;
            i += 1;
        }
        Some(buckets)
    }

    /// Recognises a name of the table written without escapes in `input`
    /// from `at` (the byte after its opening quote): its index and the
    /// offset after its closing quote.
    #[inline(always)]
    pub(crate) fn find_at(&self, input: &[u8], at: usize) -> Option<(usize, usize)> {
        if self.prefix > 0 {
            // The shared prefix, in (at most) two masked word compares.
            let differs = (word_at(input, at) ^ self.prefix_words[0]) & self.prefix_masks[0]
                | (word_at(input, at + 8) ^ self.prefix_words[1]) & self.prefix_masks[1];
            if differs != 0 || input.len() < at + self.prefix {
                return None;
            }
        }
        let at = at + self.prefix;
        if at >= input.len() {
            return None;
        }
        // Word by word up to the one holding the closing quote, each
        // mixed into the hash; the one candidate the hash gives is then
        // compared with the words read (zero past the quote), in registers.
        let w0 = word_at(input, at);
        if let Some((w0, quote)) = Self::up_to_quote(w0) {
            return self.check(mix(self.seed, w0), [w0, 0, 0], at + quote + 1);
        }
        let h = mix(self.seed, w0);
        if at + 8 >= input.len() {
            return None;
        }
        let w1 = word_at(input, at + 8);
        if let Some((w1, quote)) = Self::up_to_quote(w1) {
            return self.check(mix(h, w1), [w0, w1, 0], at + 8 + quote + 1);
        }
        let h = mix(h, w1);
        if at + 16 >= input.len() {
            return None;
        }
        let w2 = word_at(input, at + 16);
        let (w2, quote) = Self::up_to_quote(w2)?;
        self.check(mix(h, w2), [w0, w1, w2], at + 16 + quote + 1)
    }

    /// `word` up to and with its first quote (the bytes after it cleared),
    /// and the quote's index in it; `None` when it holds no quote.
    #[inline(always)]
    fn up_to_quote(word: u64) -> Option<(u64, usize)> {
        let x = word ^ QUOTES;
        // The lowest flagged byte is the first quote (the ones above it may
        // be false).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found == 0 {
            return None;
        }
        let quote = (found.trailing_zeros() / 8) as usize;
        Some((word & (u64::MAX >> (56 - 8 * quote)), quote))
    }

    /// The name whose hash is `h` when its words are `words`: its index and
    /// `end`.
    #[inline(always)]
    fn check(&self, h: u64, words: [u64; WORDS], end: usize) -> Option<(usize, usize)> {
        let index = usize::from(self.buckets[bucket_of(h)]);
        let candidate = self.words.get(index)?;
        // Word for word, without a call: any difference shows.
        let diff =
            (candidate[0] ^ words[0]) | (candidate[1] ^ words[1]) | (candidate[2] ^ words[2]);
        (diff == 0).then_some((index, end))
    }

    /// The index of `name`, if it is one of the table's.
    #[inline]
    pub(crate) fn find(&self, name: &[u8]) -> Option<usize> {
        if name.len() >= 16 + WORDS * 8 {
            return None;
        }
        let mut quoted = [0u8; 16 + WORDS * 8];
        quoted[..name.len()].copy_from_slice(name);
        quoted[name.len()] = b'"';
        match self.find_at(&quoted[..=name.len()], 0) {
            Some((index, end)) if end == name.len() + 1 => Some(index),
            _ => None,
        }
    }

    /// The index of `name`, in a `const` context: a linear search.
    pub(crate) const fn position(&self, name: &str) -> Option<usize> {
        if name.len() <= self.prefix || name.len() - self.prefix >= WORDS * 8 {
            return None;
        }
        let bytes = name.as_bytes();
        let mut i = 0;
        while i < self.prefix {
            if (self.prefix_words[i / 8] >> (8 * (i % 8))) as u8 != bytes[i] {
                return None;
            }
            i += 1;
        }
        let words = padded(name, self.prefix);
        let mut i = 0;
        while i < N {
            let mut w = 0;
            while w < WORDS && self.words[i][w] == words[w] {
                w += 1;
            }
            if w == WORDS {
                return Some(i);
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    const NAMES: [&str; 6] = [
        "msg",
        "msg_id",
        "data",
        "event",
        "destination_party_id",
        "first_name_and_others",
    ];
    const TABLE: NameTable<6> = NameTable::new(NAMES);
    const EVENTS: [&str; 4] = [
        "chat_session_end",
        "chat_session_secure_form_cancel",
        "chat_session_message",
        "chat_session_message_read",
    ];
    const PREFIXED: NameTable<4> = NameTable::new(EVENTS);

    #[test]
    fn a_shared_prefix_is_checked_then_skipped() {
        assert_eq!(PREFIXED.prefix, 13);
        assert_eq!(TABLE.prefix, 0);
        for (i, name) in EVENTS.iter().enumerate() {
            assert_eq!(PREFIXED.find(name.as_bytes()), Some(i), "{name}");
            assert_eq!(PREFIXED.position(name), Some(i));
            let input = format!("\"{name}\"}}");
            assert_eq!(
                PREFIXED.find_at(input.as_bytes(), 1),
                Some((i, name.len() + 2))
            );
        }
        for other in [
            "chat_session_",
            "chat_session",
            "Chat_session_end",
            "chat_sessionXend",
            "chat_session_en",
            "chat_session_message_",
            "chat_session_message_reads",
            "chat_xession_end",
        ] {
            assert_eq!(PREFIXED.find(other.as_bytes()), None, "{other}");
            assert_eq!(PREFIXED.position(other), None, "{other}");
        }
    }

    #[test]
    fn finds_every_name_and_nothing_else() {
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(TABLE.find(name.as_bytes()), Some(i), "{name}");
            assert_eq!(TABLE.position(name), Some(i));
        }
        for other in [
            "",
            "m",
            "msg_",
            "msgid",
            "Data",
            "events",
            "evenT",
            "msg\\",
            "destination_party_i",
            "destination_party_idd",
            "first_name_and_other",
        ] {
            assert_eq!(TABLE.find(other.as_bytes()), None, "{other}");
            assert_eq!(TABLE.position(other), None);
        }
    }

    #[test]
    fn finds_a_name_where_it_lies_whatever_follows_it() {
        for (i, name) in NAMES.iter().enumerate() {
            for tail in ["", "\":1}", "\"}", "\" , \"msg\":\"x\"}"] {
                let input = format!("{{\"{name}{tail}");
                let found = TABLE.find_at(input.as_bytes(), 2);
                if tail.is_empty() {
                    // No closing quote: not recognised.
                    assert_eq!(found, None, "{input}");
                } else {
                    assert_eq!(found, Some((i, 2 + name.len() + 1)), "{input}");
                }
            }
        }
        // An escape, a longer name, a name cut short: not recognised.
        for input in [
            r#"{"ms\u0067":1}"#,
            r#"{"msg_idx":1}"#,
            r#"{"ms"#,
            r#"{"data\"":1}"#,
        ] {
            assert_eq!(TABLE.find_at(input.as_bytes(), 2), None, "{input}");
        }
    }
}
