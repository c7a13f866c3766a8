//! The crate's only `unsafe` code, fenced here and measured worth it.
//!
//! - [`string_block`]: the string scan, sixteen bytes at a time with SSE2
//!   on x86-64 (always present there, so no runtime detection). One signed
//!   compare flags both the bytes below 0x20 and those at or above 0x80; a
//!   short last block is read anchored at the input's end. The safe
//!   word-at-a-time (SWAR) and byte-at-a-time scans in `scan.rs` are the
//!   twins: other targets use them, and the tests check every version agrees
//!   with the bytewise one at every position.
//! - [`wide_chunks`]: long ASCII strings with escapes (SDP), 64 bytes at a
//!   time with AVX2, detected at run time (with the `std` feature): each
//!   chunk's backslashes are checked against the bytes after them at once.
//!   Its scalar twin, `scan::wide_chunks_scalar`, is compared with it from
//!   every start; without AVX2 the 16-byte blocks do the work.
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

/// A long string's run in 64-byte chunks with AVX2, when the CPU has it
/// (detected at run time, which needs the standard library): where the
/// 16-byte blocks take over, or `None` without AVX2. See
/// `scan::wide_chunks_scalar`, its twin, for what it does.
#[inline(always)]
pub(crate) fn wide_chunks(buf: &[u8], i: usize, first_escape: &mut usize) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, as just checked.
            return Some(unsafe { avx2::wide_chunks(buf, i, first_escape) });
        }
    }
    let _ = (buf, i, first_escape);
    None
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
mod avx2 {
    use core::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };

    /// The two 32-byte halves of a 64-bit mask.
    #[inline(always)]
    fn join(lo: i32, hi: i32) -> u64 {
        u64::from(lo as u32) | (u64::from(hi as u32) << 32)
    }

    /// `scan::wide_chunks_scalar` with AVX2: each chunk's masks in four
    /// 32-byte compares (two more for the bytes after backslashes).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn wide_chunks(buf: &[u8], mut i: usize, first_escape: &mut usize) -> usize {
        let quote = _mm256_set1_epi8(b'"' as i8);
        let backslash = _mm256_set1_epi8(b'\\' as i8);
        let space = _mm256_set1_epi8(0x20);
        let r = _mm256_set1_epi8(b'r' as i8);
        let n = _mm256_set1_epi8(b'n' as i8);
        while i + 65 <= buf.len() {
            // SAFETY: `i + 65 <= buf.len()`, so the 64 bytes from `i` and
            // the 64 from `i + 1` lie in `buf`; `loadu` needs no alignment.
            let (a, b, c, d) = unsafe {
                let p = buf.as_ptr().add(i);
                (
                    _mm256_loadu_si256(p.cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(1).cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(33).cast::<__m256i>()),
                )
            };
            let bs = join(
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(a, backslash)),
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(b, backslash)),
            );
            // Signed: 0x80..=0xFF are negative, so below 0x20 too.
            let other = join(
                _mm256_movemask_epi8(_mm256_or_si256(
                    _mm256_cmpeq_epi8(a, quote),
                    _mm256_cmpgt_epi8(space, a),
                )),
                _mm256_movemask_epi8(_mm256_or_si256(
                    _mm256_cmpeq_epi8(b, quote),
                    _mm256_cmpgt_epi8(space, b),
                )),
            );
            let escapable = |v: __m256i| {
                _mm256_movemask_epi8(_mm256_or_si256(
                    _mm256_or_si256(_mm256_cmpeq_epi8(v, r), _mm256_cmpeq_epi8(v, n)),
                    _mm256_cmpeq_epi8(v, quote),
                ))
            };
            let common = || join(escapable(c), escapable(d));
            match crate::scan::chunk_step(i, bs, other, common, first_escape) {
                Ok(next) => i = next,
                Err(at) => return at,
            }
        }
        i
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

    #[test]
    fn validated_str_returns_the_same_text() {
        let text = "plain, é, 日本語, 😀";
        assert_eq!(super::validated_str(text.as_bytes(), 0), Ok(text));
    }
}
