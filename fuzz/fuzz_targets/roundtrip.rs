//! `roundtrip`: decode → write → decode is the identity and the written
//! bytes are serde_json's. See `check_roundtrip` in `fuzz/checks.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::fuzz_roundtrip(data));
