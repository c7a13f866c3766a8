//! Replays the committed fuzz corpora on stable: every file under
//! `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` goes through the
//! same check the cargo fuzz target `<target>` runs (`fuzz/checks.rs`), so
//! plain `cargo test --all-features` covers them.
#![cfg(feature = "serde")]

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../fuzz/checks.rs"]
mod checks;

/// The files of `fuzz/<kind>/<target>/`, sorted; none if the folder is absent.
fn corpus(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading a corpus folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every seed of `target`, and on its regressions too when
/// `regressions` is set; reports every failing file, not only the first.
fn replay(target: &str, regressions: bool, check: fn(&[u8])) {
    let seeds = corpus("seeds", target);
    assert!(!seeds.is_empty(), "no seeds for the `{target}` target");
    let mut files = seeds;
    if regressions {
        files.extend(corpus("regressions", target));
    }
    let mut failures = Vec::new();
    for path in &files {
        let data = fs::read(path).expect("reading a corpus file");
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus file(s) of `{target}` fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn decode_corpus_replays() {
    replay("decode", true, checks::fuzz_decode);
}

#[test]
fn differential_corpus_replays() {
    replay("differential", true, |data| {
        checks::fuzz_differential(data);
    });
}

#[test]
fn roundtrip_corpus_replays() {
    replay("roundtrip", true, checks::fuzz_roundtrip);
}

#[test]
fn stream_corpus_replays() {
    replay("stream", true, checks::check_stream);
}

/// Every seed of every target is checked by every single-input check too:
/// the checks must hold on any bytes, whichever target found them.
#[test]
fn every_seed_passes_every_input_check() {
    for target in ["decode", "differential", "roundtrip"] {
        replay(target, false, |data| {
            checks::fuzz_decode(data);
            checks::fuzz_differential(data);
            checks::fuzz_roundtrip(data);
        });
    }
}

/// The `differential` target sets aside, from its simd-json check, exactly
/// the numbers whose exact value overflows an `f64`: those serde_json may
/// still accept by its own rounding, and simd-json rejects.
#[test]
fn only_numbers_past_the_largest_f64_are_set_aside_from_the_simd_json_check() {
    let cases: [(&[u8], usize, Option<usize>); 12] = [
        // Past f64::MAX by more than half a unit in the last place: serde_json
        // accepts these as f64::MAX, simd-json rejects them.
        (b"[1.79769313486231597e308]", 1, Some(23)),
        (b"{\"a\":-1.79769313486231597e308}", 5, Some(24)),
        (b"179769313486231597e291,", 0, Some(22)),
        (b"1e400", 0, Some(5)),
        (b"-2E+308 ", 0, Some(7)),
        // The largest finite values and those that round down to them.
        (b"1.7976931348623157e308", 0, None),
        (b"1.797693134862315799e308", 0, None),
        // Small, zero, or tiny: finite.
        (b"0e99999999999", 0, None),
        (b"1e-400", 0, None),
        // Not a number at that offset, or not a whole one.
        (b"\"1e400\"", 0, None),
        (b"1.e400", 0, None),
        (b"1e+", 0, None),
    ];
    for (data, at, expected) in cases {
        assert_eq!(
            checks::overflowing_number_at(data, at),
            expected,
            "{}",
            checks::show(data)
        );
    }
}
