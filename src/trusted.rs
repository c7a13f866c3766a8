//! The crate's only `unsafe` code, fenced here and measured worth it.
//!
//! - [`string_block`]: the string scan, sixteen bytes at a time with SSE2
//!   on x86-64 (always present there, so no runtime detection). One signed
//!   compare flags both the bytes below 0x20 and those at or above 0x80; a
//!   short last block is read anchored at the input's end. The safe
//!   word-at-a-time (SWAR) and byte-at-a-time scans in `scan.rs` are the
//!   twins: other targets use them, and the tests check every version agrees
//!   with the bytewise one at every position.
//! - [`string_run`]: the wide string run of `wide.rs` with AVX2, detected at
//!   run time (with the `std` feature): each 64-byte chunk's quotes,
//!   backslashes and unusual bytes in 32-byte compares, its UTF-8 checked
//!   by three `_mm256_shuffle_epi8` nibble lookups per half. The lanes are
//!   reached only through `Avx2`, a token made where AVX2 is known to be
//!   present; `wide::Bytewise`, their twin, computes every mask byte by
//!   byte, and the tests compare the two mask by mask and run by run.
//! - [`last_close`]: for the incremental decoder, the last `}`, `]` or line
//!   feed of the bytes just arrived and the `{` and `[` after it, one pass
//!   of 64-byte chunks from the end with AVX2 (detected at run time, with
//!   the `std` feature). `stream::core::last_close_bytewise` is its twin,
//!   compared with it on random bytes of every length.
//! - [`validated_str`]: `&str` from bytes the lexer has already validated as
//!   UTF-8, without a second pass over them.
//!
//! All run under Miri in CI (`cargo +nightly miri test --lib`), on x86-64
//! (once more built with AVX2 for the string tests) and on big-endian s390x
//! (where the scalar twin is used).
#![allow(unsafe_code)]

use crate::error::{Error, ErrorKind};

/// The special bytes of the block of up to sixteen bytes at `at`, plus the
/// end of the input: bit `k` is set when `buf[at + k]` is special (`"`, `\\`,
/// a control or a non-ASCII byte), and when `at + k == buf.len()`, so a
/// string scan meets the end of the input as one more special position.
/// A block of sixteen full bytes has no end bit; `at` is at most
/// `buf.len()`.
#[inline(always)]
pub(crate) fn string_block(buf: &[u8], at: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::string_block(buf, at)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::string_block_swar(buf, at)
    }
}

/// The sixteen bytes at `at`, which must all lie in `buf`, as two masks
/// (bit `k` for `buf[at + k]`): the backslashes, and the other special bytes
/// (`"`, control and non-ASCII bytes).
#[inline(always)]
pub(crate) fn string_masks(buf: &[u8], at: usize) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::string_masks(buf, at)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::string_masks_swar(buf, at)
    }
}

/// The sixteen bytes at `at`, which must all lie in `buf`, as a mask of
/// those that are `r`, `n` or `"`: the commonest bytes after a backslash
/// (SDP's `\r\n`, an escaped quote).
#[inline(always)]
pub(crate) fn common_escapes(buf: &[u8], at: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::common_escapes(buf, at)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::common_escapes_swar(buf, at)
    }
}

/// The byte classes of the 16 bytes at `at` for checking UTF-8 a block at
/// a time; `at + 16` must be within `buf`.
#[inline(always)]
pub(crate) fn utf8_classes(buf: &[u8], at: usize) -> crate::scan::Utf8Classes {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::utf8_classes(buf, at)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::utf8_classes_scalar(buf, at)
    }
}

/// The wide string run (`wide::string_run`) with AVX2, when the CPU has it
/// (detected at run time, which needs the standard library): where the
/// string from `start` ends and whether it holds an escape, or `None` when
/// the 16-byte blocks must decide (and always without AVX2).
#[inline(always)]
pub(crate) fn string_run(buf: &[u8], start: usize) -> Option<(usize, bool)> {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, as just checked.
            return unsafe { avx2::string_run(buf, start) };
        }
    }
    let _ = (buf, start);
    None
}

/// The last `}`, `]` or line feed of `bytes`, and how many `{` and `[`
/// follow it (in all of `bytes` when there is none), with AVX2 when the CPU
/// has it (detected at run time, which needs the standard library); `None`
/// without. See `stream::core::last_close_bytewise`, its twin.
#[inline(always)]
pub(crate) fn last_close(bytes: &[u8]) -> Option<(Option<usize>, usize)> {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, as just checked.
            return Some(unsafe { avx2::last_close(bytes) });
        }
    }
    let _ = bytes;
    None
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
mod avx2 {
    use core::arch::x86_64::{
        __m256i, _mm_loadu_si128, _mm256_alignr_epi8, _mm256_and_si256,
        _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_max_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_permute2x128_si256,
        _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
        _mm256_subs_epu8, _mm256_xor_si256,
    };

    use crate::wide::{self, BYTE_1_HIGH, BYTE_1_LOW, BYTE_2_HIGH, Masks};

    /// The two 32-byte halves of a 64-bit mask.
    #[inline(always)]
    fn join(lo: i32, hi: i32) -> u64 {
        u64::from(lo as u32) | (u64::from(hi as u32) << 32)
    }

    /// `wide::string_run` with each chunk's masks in 32-byte compares and
    /// its UTF-8 checked by nibble lookups (`_mm256_shuffle_epi8`).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn string_run(buf: &[u8], start: usize) -> Option<(usize, bool)> {
        // SAFETY: the CPU has AVX2, as the caller promises.
        wide::string_run(&unsafe { Avx2::new() }, buf, start)
    }

    /// `stream::core::last_close_bytewise` 64 bytes at a time from the end:
    /// a chunk's closing bytes and opening brackets as two masks, the
    /// brackets counted until a chunk holds a closing byte. A first chunk
    /// shorter than 64 bytes is read as the input's first 64, its bits
    /// already counted masked off; an input shorter than that is walked.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn last_close(bytes: &[u8]) -> (Option<usize>, usize) {
        if bytes.len() < 64 {
            return crate::stream::last_close_bytewise(bytes);
        }
        // SAFETY: the CPU has AVX2, as the caller promises.
        let lanes = unsafe { Avx2::new() };
        let mut opens = 0;
        let mut end = bytes.len();
        loop {
            // The chunk of the 64 bytes before `end`, or the first 64 with
            // those from `end` on (already counted) left out.
            let (at, keep) = match end.checked_sub(64) {
                Some(at) => (at, u64::MAX),
                None => (0, (1u64 << end) - 1),
            };
            // SAFETY: `at + 64 <= bytes.len()` (`end <= bytes.len()`, and
            // `bytes` holds at least 64 bytes); `loadu` needs no alignment.
            let (lo, hi) = unsafe {
                let p = bytes.as_ptr().add(at);
                (
                    _mm256_loadu_si256(p.cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
                )
            };
            let (close_lo, open_lo) = lanes.brackets(lo);
            let (close_hi, open_hi) = lanes.brackets(hi);
            let close = join(close_lo, close_hi) & keep;
            let open = join(open_lo, open_hi) & keep;
            if close != 0 {
                let k = 63 - close.leading_zeros();
                let after = open.checked_shr(k + 1).unwrap_or(0);
                return (Some(at + k as usize), opens + after.count_ones() as usize);
            }
            opens += open.count_ones() as usize;
            if at == 0 {
                return (None, opens);
            }
            end = at;
        }
    }

    /// Every mask of the chunk `bytes` after the chunk `prev`, as the lanes
    /// below compute them: quotes, backslashes, unusual bytes, control
    /// bytes, common and all escapable bytes, `u` bytes, hex digits, `d`
    /// bytes, UTF-8 breaks.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2.
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn lanes_for_tests(bytes: &[u8; 64], prev: &[u8; 64]) -> [u64; 10] {
        // SAFETY: the CPU has AVX2, as the caller promises.
        wide::tests::all_masks(&unsafe { Avx2::new() }, bytes, prev)
    }

    /// Proof that the CPU has AVX2: the only way to the lanes below.
    struct Avx2(());

    /// A 64-byte chunk as two 32-byte halves.
    type Halves = (__m256i, __m256i);

    impl Avx2 {
        /// # Safety
        ///
        /// The CPU must have AVX2.
        #[inline(always)]
        unsafe fn new() -> Self {
            Avx2(())
        }

        /// `b` in every byte.
        #[inline(always)]
        fn set(&self, b: u8) -> __m256i {
            // SAFETY: an `Avx2` exists only where the CPU has AVX2
            // (`Avx2::new`).
            unsafe { _mm256_set1_epi8(b as i8) }
        }

        /// The bytes of `v` equal to any of `bytes`, as a 32-bit mask.
        #[inline(always)]
        fn any_of(&self, v: __m256i, bytes: &[u8]) -> i32 {
            // SAFETY: `self` proves the CPU has AVX2.
            unsafe {
                let mut hits = _mm256_cmpeq_epi8(v, self.set(bytes[0]));
                for &b in &bytes[1..] {
                    hits = _mm256_or_si256(hits, _mm256_cmpeq_epi8(v, self.set(b)));
                }
                _mm256_movemask_epi8(hits)
            }
        }

        /// The hex digits of `v` (`0`-`9`, `a`-`f`, `A`-`F`), as a 32-bit
        /// mask.
        #[inline(always)]
        fn hex_half(&self, v: __m256i) -> i32 {
            // SAFETY: `self` proves the CPU has AVX2.
            unsafe {
                // Signed compares: 0x80..=0xFF are negative, below both
                // ranges. Setting bit 5 folds `A`-`F` (and only them) onto
                // `a`-`f`.
                let folded = _mm256_or_si256(v, self.set(0x20));
                let digit = _mm256_and_si256(
                    _mm256_cmpgt_epi8(v, self.set(b'0' - 1)),
                    _mm256_cmpgt_epi8(self.set(b'9' + 1), v),
                );
                let letter = _mm256_and_si256(
                    _mm256_cmpgt_epi8(folded, self.set(b'a' - 1)),
                    _mm256_cmpgt_epi8(self.set(b'f' + 1), folded),
                );
                _mm256_movemask_epi8(_mm256_or_si256(digit, letter))
            }
        }

        /// The bytes of `v` that close a structure or a line (`}`, `]`, line
        /// feed), and those that open one (`{`, `[`), as 32-bit masks.
        #[inline(always)]
        fn brackets(&self, v: __m256i) -> (i32, i32) {
            // SAFETY: `self` proves the CPU has AVX2.
            unsafe {
                // `}` and `]`, as `{` and `[`, differ only in bit 5.
                let folded = _mm256_or_si256(v, self.set(0x20));
                let close = _mm256_or_si256(
                    _mm256_cmpeq_epi8(folded, self.set(b'}')),
                    _mm256_cmpeq_epi8(v, self.set(b'\n')),
                );
                let open = _mm256_cmpeq_epi8(folded, self.set(b'{'));
                (_mm256_movemask_epi8(close), _mm256_movemask_epi8(open))
            }
        }

        /// `wide::utf8_error` for the 32 bytes of `cur` after those of `prev`:
        /// the bytes that break a character, as a 32-bit mask.
        #[inline(always)]
        fn utf8_half(&self, prev: __m256i, cur: __m256i) -> i32 {
            // SAFETY: `self` proves the CPU has AVX2; each table holds
            // sixteen bytes, and `loadu` needs no alignment.
            unsafe {
                let table =
                    |t: &[u8; 16]| _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast()));
                let nibble = self.set(0x0f);
                let high = |v: __m256i| _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
                let before = _mm256_permute2x128_si256::<0x21>(prev, cur);
                let prev1 = _mm256_alignr_epi8::<15>(cur, before);
                let prev2 = _mm256_alignr_epi8::<14>(cur, before);
                let prev3 = _mm256_alignr_epi8::<13>(cur, before);
                let special = _mm256_and_si256(
                    _mm256_and_si256(
                        _mm256_shuffle_epi8(table(&BYTE_1_HIGH), high(prev1)),
                        _mm256_shuffle_epi8(table(&BYTE_1_LOW), _mm256_and_si256(prev1, nibble)),
                    ),
                    _mm256_shuffle_epi8(table(&BYTE_2_HIGH), high(cur)),
                );
                let must_continue = _mm256_and_si256(
                    _mm256_or_si256(
                        _mm256_subs_epu8(prev2, self.set(0xe0 - 0x80)),
                        _mm256_subs_epu8(prev3, self.set(0xf0 - 0x80)),
                    ),
                    self.set(0x80),
                );
                let fine = _mm256_cmpeq_epi8(
                    _mm256_xor_si256(special, must_continue),
                    _mm256_setzero_si256(),
                );
                !_mm256_movemask_epi8(fine)
            }
        }
    }

    impl wide::Lanes for Avx2 {
        type Chunk = Halves;

        #[inline(always)]
        fn ascii(&self) -> Halves {
            // SAFETY: `self` proves the CPU has AVX2.
            unsafe { (_mm256_setzero_si256(), _mm256_setzero_si256()) }
        }

        #[inline(always)]
        fn before(&self, bytes: &[u8; 32]) -> Halves {
            // SAFETY: `self` proves the CPU has AVX2; `bytes` holds 32
            // bytes, and `loadu` needs no alignment.
            unsafe {
                (
                    _mm256_setzero_si256(),
                    _mm256_loadu_si256(bytes.as_ptr().cast::<__m256i>()),
                )
            }
        }

        #[inline(always)]
        fn load(&self, bytes: &[u8; 64]) -> (Halves, Masks) {
            // SAFETY: `self` proves the CPU has AVX2; `bytes` holds 64
            // bytes, the 32 from its start and the 32 after, and `loadu`
            // needs no alignment.
            unsafe {
                let p = bytes.as_ptr();
                let lo = _mm256_loadu_si256(p.cast::<__m256i>());
                let hi = _mm256_loadu_si256(p.add(32).cast::<__m256i>());
                // Signed: 0x80..=0xFF are negative, so below 0x20 too.
                let unusual = |v| _mm256_movemask_epi8(_mm256_cmpgt_epi8(self.set(0x20), v));
                let masks = Masks {
                    quote: join(self.any_of(lo, b"\""), self.any_of(hi, b"\"")),
                    backslash: join(self.any_of(lo, b"\\"), self.any_of(hi, b"\\")),
                    unusual: join(unusual(lo), unusual(hi)),
                };
                ((lo, hi), masks)
            }
        }

        #[inline(always)]
        fn control(&self, (lo, hi): Halves) -> u64 {
            // SAFETY: `self` proves the CPU has AVX2.
            let control = |v| unsafe {
                let below_space = self.set(0x1f);
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(
                    _mm256_max_epu8(v, below_space),
                    below_space,
                ))
            };
            join(control(lo), control(hi))
        }

        #[inline(always)]
        fn common(&self, (lo, hi): Halves) -> u64 {
            join(self.any_of(lo, b"rn\""), self.any_of(hi, b"rn\""))
        }

        #[inline(always)]
        fn escapable(&self, (lo, hi): Halves) -> u64 {
            let escapable = b"\"\\/bfnrtu";
            join(self.any_of(lo, escapable), self.any_of(hi, escapable))
        }

        #[inline(always)]
        fn unicode(&self, (lo, hi): Halves) -> u64 {
            join(self.any_of(lo, b"u"), self.any_of(hi, b"u"))
        }

        #[inline(always)]
        fn hex(&self, (lo, hi): Halves) -> u64 {
            join(self.hex_half(lo), self.hex_half(hi))
        }

        #[inline(always)]
        fn dee(&self, (lo, hi): Halves) -> u64 {
            join(self.any_of(lo, b"dD"), self.any_of(hi, b"dD"))
        }

        #[inline(always)]
        fn utf8(&self, (_, prev): Halves, (lo, hi): Halves) -> u64 {
            join(self.utf8_half(prev, lo), self.utf8_half(lo, hi))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// Loads `buf[at..at + 16]`; the caller checked `at + 16 <= buf.len()`.
    #[inline(always)]
    fn load16(buf: &[u8], at: usize) -> __m128i {
        assert!(at + 16 <= buf.len());
        // SAFETY: `at + 16 <= buf.len()` was just asserted (the caller's
        // check makes the assertion free), so the sixteen bytes read lie
        // inside `buf`; `loadu` needs no alignment; SSE2 is part of the
        // x86-64 baseline, so every x86-64 CPU has it.
        unsafe { _mm_loadu_si128(buf.as_ptr().add(at).cast::<__m128i>()) }
    }

    /// A bit per byte, set for `"`, `\\`, control and non-ASCII bytes.
    #[inline(always)]
    fn special_mask(v: __m128i) -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline; these operate on
        // registers only.
        unsafe {
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Signed: 0x80..=0xFF are negative, so below 0x20 too.
            let control_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            _mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(quote, backslash),
                control_or_high,
            )) as u32
        }
    }

    #[inline(always)]
    pub(super) fn string_masks(buf: &[u8], at: usize) -> (u32, u32) {
        let v = load16(buf, at);
        // SAFETY: SSE2 is part of the x86-64 baseline; these operate on
        // registers only.
        unsafe {
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Signed: 0x80..=0xFF are negative, so below 0x20 too.
            let control_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            (
                _mm_movemask_epi8(backslash) as u32,
                _mm_movemask_epi8(_mm_or_si128(quote, control_or_high)) as u32,
            )
        }
    }

    #[inline(always)]
    pub(super) fn common_escapes(buf: &[u8], at: usize) -> u32 {
        let v = load16(buf, at);
        // SAFETY: SSE2 is part of the x86-64 baseline; these operate on
        // registers only.
        unsafe {
            let r = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'r' as i8));
            let n = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'n' as i8));
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(r, n), quote)) as u32
        }
    }

    /// The bytes from `lo` to `hi` (both at least 0x80: negative as signed
    /// bytes, in the same order).
    #[inline(always)]
    fn within(v: __m128i, lo: u8, hi: u8) -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline; these operate on
        // registers only.
        unsafe {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(lo.wrapping_sub(1) as i8)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(hi.wrapping_add(1) as i8)),
            )
        }
    }

    #[inline(always)]
    pub(super) fn utf8_classes(buf: &[u8], at: usize) -> crate::scan::Utf8Classes {
        let v = load16(buf, at);
        let mask = |x: __m128i| {
            // SAFETY: SSE2 is part of the x86-64 baseline; this operates on
            // registers only.
            unsafe { _mm_movemask_epi8(x) as u32 }
        };
        // SAFETY: SSE2 is part of the x86-64 baseline; these operate on
        // registers only.
        let (cont, cont_low, lead3, lead4) = unsafe {
            let e0_ed = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0xE0_u8 as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0xED_u8 as i8)),
            );
            (
                _mm_cmplt_epi8(v, _mm_set1_epi8(0xC0_u8 as i8)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x90_u8 as i8)),
                _mm_andnot_si128(e0_ed, within(v, 0xE0, 0xEF)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0xF0_u8 as i8)),
            )
        };
        crate::scan::Utf8Classes {
            high: mask(v),
            cont: mask(cont),
            cont_low: mask(cont_low),
            lead2: mask(within(v, 0xC2, 0xDF)),
            lead3: mask(lead3),
            lead4: mask(lead4),
        }
    }

    #[inline(always)]
    pub(super) fn string_block(buf: &[u8], at: usize) -> u32 {
        let len = buf.len();
        if at + 16 <= len {
            return special_mask(load16(buf, at));
        }
        tail_block(buf, at)
    }

    /// The last, short block of the input: read the last sixteen bytes of
    /// the input and drop the lanes before `at`.
    #[inline(always)]
    fn tail_block(buf: &[u8], at: usize) -> u32 {
        let len = buf.len();
        let at = at.min(len);
        let end = 1u32 << (len - at);
        if len < 16 {
            return crate::scan::string_block_swar(buf, at);
        }
        let base = len - 16;
        (special_mask(load16(buf, base)) >> (at - base)) | end
    }
}

/// `&str` from bytes that the lexer validated as UTF-8.
///
/// Every caller passes a slice the lexer has scanned in full with
/// `scan::Cursor` (a string token, a raw value, a whole event): outside
/// strings the lexer accepts only ASCII, and inside strings it checks each
/// non-ASCII character (`scan::utf8_char`). Debug builds check again.
#[inline(always)]
pub(crate) fn validated_str(bytes: &[u8], offset: usize) -> Result<&str, Error> {
    if cfg!(debug_assertions) && core::str::from_utf8(bytes).is_err() {
        return Err(Error::new(ErrorKind::InvalidUtf8, offset));
    }
    // SAFETY: the bytes were validated as UTF-8 by the lexer, as above;
    // the fuzz targets and property tests check the lexer's UTF-8 verdict
    // against `core::str::from_utf8` and serde_json.
    Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
}

#[cfg(test)]
mod tests {
    use crate::scan::{common_escapes_scalar, string_block_scalar, string_masks_scalar};

    #[test]
    fn simd_masks_agree_with_scalar_masks_at_every_position() {
        let max = if cfg!(miri) { 20 } else { 40 };
        for len in 16..max {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff] {
                    let mut bytes = [b'a'; 40];
                    bytes[at] = special;
                    let buf = &bytes[..len];
                    for start in 0..=len - 16 {
                        assert_eq!(
                            super::string_masks(buf, start),
                            string_masks_scalar(buf, start),
                            "{special:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn simd_common_escapes_agree_with_scalar_at_every_position() {
        let max = if cfg!(miri) { 20 } else { 40 };
        for len in 16..max {
            for at in 0..len {
                for byte in [b'r', b'n', b'"', b'\\', b't', b'q', 0x00, 0x80, 0xff] {
                    let mut bytes = [b'a'; 40];
                    bytes[at] = byte;
                    let buf = &bytes[..len];
                    for start in 0..=len - 16 {
                        assert_eq!(
                            super::common_escapes(buf, start),
                            common_escapes_scalar(buf, start),
                            "{byte:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn simd_block_agrees_with_scalar_block_at_every_position() {
        let max = if cfg!(miri) { 20 } else { 40 };
        for len in 0..max {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff] {
                    let mut bytes = [b'a'; 40];
                    bytes[at] = special;
                    let buf = &bytes[..len];
                    for start in 0..=len {
                        assert_eq!(
                            super::string_block(buf, start),
                            string_block_scalar(buf, start),
                            "{special:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn simd_utf8_classes_agree_with_scalar_for_every_byte_at_every_position() {
        let step = if cfg!(miri) { 17 } else { 1 };
        for at in 0..16 {
            for byte in (0..=255u8).step_by(step) {
                let mut bytes = [b'a'; 20];
                bytes[at] = byte;
                bytes[(at + 5) % 16] = 0x80 | (byte >> 2);
                for start in 0..=4 {
                    assert_eq!(
                        super::utf8_classes(&bytes, start),
                        crate::scan::utf8_classes_scalar(&bytes, start),
                        "{byte:#x} at {at}, from {start}"
                    );
                }
            }
        }
    }

    /// The AVX2 lanes of the wide run against the bytewise ones, mask by
    /// mask, on chunks of any bytes and of string-like text.
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    #[test]
    fn avx2_lanes_agree_with_bytewise_lanes() {
        use crate::wide::Bytewise;
        use crate::wide::tests::{all_masks, string_body, xorshift};
        if !has_avx2() {
            return;
        }
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let cases = if cfg!(miri) { 8 } else { 20_000 };
        for case in 0..cases {
            let mut chunks = [[0u8; 64]; 2];
            for chunk in &mut chunks {
                if case % 2 == 0 {
                    chunk.iter_mut().for_each(|b| *b = next() as u8);
                } else {
                    let body = string_body(&mut next, 64, 16);
                    chunk.copy_from_slice(&body[..64]);
                }
            }
            let [prev, bytes] = chunks;
            // SAFETY: the CPU has AVX2, as just checked.
            let simd = unsafe { super::avx2::lanes_for_tests(&bytes, &prev) };
            let scalar = all_masks(&Bytewise, &bytes, &prev);
            assert_eq!(simd, scalar, "{prev:x?} then {bytes:x?}");
        }
    }

    /// The wide run with AVX2 against the bytewise run, from the start of
    /// strings of every kind and length.
    #[test]
    fn avx2_run_agrees_with_the_bytewise_run() {
        use crate::wide::tests::{string_body, xorshift};
        use crate::wide::{Bytewise, string_run as run};
        let mut next = xorshift(0xD1B5_4A32_D192_ED03);
        let cases = if cfg!(miri) { 12 } else { 20_000 };
        let mut compared = 0;
        for case in 0..cases {
            let len = (next() % 300) as usize;
            let mut input = std::vec::Vec::from(&b"[\""[..]);
            input.extend_from_slice(&string_body(&mut next, len, [0, 16][case % 2]));
            input.extend_from_slice(b"\"]");
            let scalar = run(&Bytewise, &input, 2);
            match super::string_run(&input, 2) {
                Some(simd) => {
                    assert_eq!(Some(simd), scalar, "{input:x?}");
                    compared += 1;
                }
                None => assert!(!has_avx2() || scalar.is_none(), "{input:x?}"),
            }
        }
        // Without AVX2 the run always defers to the blocks.
        assert_eq!(compared > 0, has_avx2());
    }

    /// The search for the last closing byte with AVX2 against the walk back
    /// a byte at a time, on inputs of every length around its chunks.
    #[test]
    fn avx2_last_close_agrees_with_the_bytewise_walk() {
        use crate::stream::last_close_bytewise;
        use crate::wide::tests::{bracket_bytes, xorshift};
        let mut next = xorshift(0x6A09_E667_F3BC_C909);
        let cases = if cfg!(miri) { 24 } else { 20_000 };
        let mut compared = 0;
        for case in 0..cases {
            let len = (next() % 200) as usize;
            let bytes = bracket_bytes(&mut next, len, [0, 8, 64][case % 3]);
            if let Some(simd) = super::last_close(&bytes) {
                assert_eq!(simd, last_close_bytewise(&bytes), "{bytes:x?}");
                compared += 1;
            }
        }
        assert_eq!(compared > 0, has_avx2());
    }

    fn has_avx2() -> bool {
        #[cfg(all(target_arch = "x86_64", feature = "std"))]
        {
            std::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(all(target_arch = "x86_64", feature = "std")))]
        {
            false
        }
    }

    #[test]
    fn validated_str_returns_the_same_text() {
        let text = "plain, é, 日本語, 😀";
        assert_eq!(super::validated_str(text.as_bytes(), 0), Ok(text));
    }
}
