//! `decode`: chatwire never panics on any bytes; errors lie within the
//! input; `parse` agrees with `from_slice` and with itself on every prefix.
//! See `check_decode` in `fuzz/checks.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::fuzz_decode(data));
