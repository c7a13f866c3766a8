//! `differential`: chatwire against serde_json into the reference model
//! (acceptance and value; see `check_differential` in `fuzz/checks.rs`),
//! and against simd-json for plain JSON validity.
//!
//! simd-json reads JSON with rules of its own (no nesting limit, exact
//! float parsing, integers beyond 64 bits only with `big-int-as-float`), so
//! only what is truly implied is asserted: whatever chatwire accepts is a
//! JSON document that simd-json's `to_borrowed_value` accepts too, once
//! each number whose exact value overflows an `f64` is set aside. Those
//! simd-json rejects, while serde_json's own rounding accepts some of them
//! (`1.79769313486231597e308`), and chatwire with it. Each one simd-json
//! stops at (found by `checks::overflowing_number_at`) is replaced by a `0`
//! padded with spaces, and the rest of the document is checked again. The
//! converse does not hold (simd-json accepts any JSON value, nests deeper,
//! and does not know what an event is).
#![no_main]

use libfuzzer_sys::fuzz_target;
use simd_json::ErrorType;

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if checks::fuzz_differential(data) {
        let mut patched = data.to_vec();
        loop {
            // simd-json parses in place, so it needs its own copy.
            let mut copy = patched.clone();
            let Err(e) = simd_json::to_borrowed_value(&mut copy) else {
                break;
            };
            let at = e.index();
            let overflowing = matches!(e.error(), ErrorType::InvalidNumber)
                .then(|| checks::overflowing_number_at(&patched, at))
                .flatten();
            let Some(len) = overflowing else {
                panic!(
                    "chatwire accepts {} but simd-json rejects it: {e}",
                    checks::show(data)
                );
            };
            patched[at] = b'0';
            patched[at + 1..at + len].fill(b' ');
        }
    }
});
