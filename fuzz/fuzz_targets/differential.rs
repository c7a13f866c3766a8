//! `differential`: chatwire against serde_json into the reference model
//! (acceptance and value; see `check_differential` in `fuzz/checks.rs`),
//! and against simd-json for plain JSON validity.
//!
//! simd-json reads JSON with rules of its own (no nesting limit, exact
//! float parsing, integers beyond 64 bits only with `big-int-as-float`), so
//! only what is truly implied is asserted: whatever chatwire accepts is a
//! JSON document that simd-json's `to_borrowed_value` accepts too. The
//! converse does not hold (simd-json accepts any JSON value, nests deeper,
//! and does not know what an event is).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if checks::fuzz_differential(data) {
        // simd-json parses in place, so it needs its own copy.
        let mut copy = data.to_vec();
        if let Err(e) = simd_json::to_borrowed_value(&mut copy) {
            panic!(
                "chatwire accepts {} but simd-json rejects it: {e}",
                checks::show(data)
            );
        }
    }
});
