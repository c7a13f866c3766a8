//! The crate's only `unsafe` code, fenced here and measured worth it.
//!
//! - [`special_block`] and [`find_quote_escape_or_control`]: the string
//!   scan, sixteen bytes at a time with SSE2 on x86-64 (always present there,
//!   so no runtime detection). One signed compare flags both the bytes below
//!   0x20 and those at or above 0x80. The safe word-at-a-time (SWAR) and
//!   byte-at-a-time scans in `scan.rs` are the twins: other targets use them,
//!   and the tests check every version agrees with the bytewise one at every
//!   position.
//! - [`validated_str`]: `&str` from bytes the lexer has already validated as
//!   UTF-8, without a second pass over them.
//!
//! Both run under Miri in CI (`cargo +nightly miri test --lib`), on x86-64
//! and on big-endian s390x (where the scalar twin is used).
#![allow(unsafe_code)]

use crate::error::{Error, ErrorKind};

/// The special bytes of the block of up to sixteen bytes at `at`: a mask
/// with bit `k` set when `buf[at + k]` is special, and the block's length
/// (`min(16, buf.len() - at)`, 0 at the end of the input).
#[inline(always)]
pub(crate) fn special_block(buf: &[u8], at: usize) -> (u32, usize) {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::special_block(buf, at)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::special_block_swar(buf, at)
    }
}

/// The index of the first `"`, `\` or control byte at or after `i` (non-ASCII
/// bytes pass), or `buf.len()`.
#[inline(always)]
pub(crate) fn find_quote_escape_or_control(buf: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::find_quote_escape_or_control(buf, i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::scan::find_quote_escape_or_control_scalar(buf, i)
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };

    /// Loads `buf[at..at + 16]`, or `None` when fewer than sixteen bytes are
    /// left.
    #[inline(always)]
    fn load(buf: &[u8], at: usize) -> Option<__m128i> {
        if at > buf.len() || buf.len() - at < 16 {
            return None;
        }
        // SAFETY: `at + 16 <= buf.len()` was just checked, so the sixteen
        // bytes read lie inside `buf`; `loadu` needs no alignment; SSE2 is
        // part of the x86-64 baseline, so every x86-64 CPU has it.
        Some(unsafe { _mm_loadu_si128(buf.as_ptr().add(at).cast::<__m128i>()) })
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

    /// A bit per byte, set for `"`, `\\` and bytes below 0x20.
    #[inline(always)]
    fn structural_mask(v: __m128i) -> u32 {
        // SAFETY: as in `special_mask`.
        unsafe {
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Unsigned `v <= 0x1f`: the larger of the two is 0x1f.
            let limit = _mm_set1_epi8(0x1f);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
        }
    }

    #[inline(always)]
    pub(super) fn special_block(buf: &[u8], at: usize) -> (u32, usize) {
        let len = buf.len();
        if let Some(v) = load(buf, at) {
            return (special_mask(v), 16);
        }
        if at >= len {
            return (0, 0);
        }
        // Fewer than sixteen bytes remain: read the last sixteen of the
        // input and drop the lanes before `at`.
        if let Some(base) = len.checked_sub(16)
            && let Some(v) = load(buf, base)
        {
            return (special_mask(v) >> (at - base), len - at);
        }
        crate::scan::special_block_swar(buf, at)
    }

    #[inline(always)]
    pub(super) fn find_quote_escape_or_control(buf: &[u8], mut i: usize) -> usize {
        while let Some(v) = load(buf, i) {
            let mask = structural_mask(v);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
        crate::scan::find_quote_escape_or_control_scalar(buf, i)
    }
}

/// `&str` from bytes that the lexer validated as UTF-8.
///
/// Every caller passes a slice the lexer has scanned in full with
/// `scan::Cursor` (a string token, a raw value, a whole event): outside
/// strings the lexer accepts only ASCII, and inside strings it checks each
/// run of non-ASCII text with `core::str::from_utf8` (`scan::utf8_run`). Debug builds check again.
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
    use crate::scan::{find_quote_escape_or_control_scalar, special_block_scalar};

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
                            super::special_block(buf, start),
                            special_block_scalar(buf, start),
                            "{special:#x} at {at}, len {len}, from {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn structural_scan_agrees_with_scalar_twin() {
        let max = if cfg!(miri) { 20 } else { 40 };
        for len in 0..max {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x80] {
                    let mut bytes = [0xC3u8; 40];
                    bytes[at] = special;
                    let buf = &bytes[..len];
                    for start in 0..=len {
                        assert_eq!(
                            super::find_quote_escape_or_control(buf, start),
                            find_quote_escape_or_control_scalar(buf, start),
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn validated_str_returns_the_same_text() {
        let text = "plain, é, 日本語, 😀";
        assert_eq!(super::validated_str(text.as_bytes(), 0), Ok(text));
    }
}
