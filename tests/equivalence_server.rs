//! chatwire ≡ serde_json for server events, by the same property tests as
//! the client events (`tests/equivalence.rs`): the events come from the
//! protocol table's server schema, the oracle is serde_json into
//! `chatwire::reference::ReferenceServerEvent`.
//!
//! - (a) `server_writer_bytes_equal_serde_json`
//! - (b) `server_decoding_any_rendering_equals_serde_json`
//! - (c) `server_decode_of_write_is_identity`
//! - (d) `server_mutated_inputs_are_accepted_and_rejected_alike`
//!
//! `CHATWIRE_PROPTEST_MULTIPLIER` (default 1) multiplies the case counts.
#![cfg(feature = "serde")]

#[allow(dead_code)]
mod strategies;

#[allow(dead_code)]
#[path = "../fuzz/checks.rs"]
mod checks;

use std::sync::atomic::{AtomicUsize, Ordering};

use chatwire::ServerEvent;
use chatwire::protocol::SERVER_EVENTS;
use chatwire::reference::ReferenceServerEvent;
use proptest::prelude::*;

use checks::{Servers, show};
use strategies::{Event, Style, check};

fn decode_ok<'a>(bytes: &'a [u8], what: &str) -> Result<ServerEvent<'a>, TestCaseError> {
    ServerEvent::from_slice(bytes).map_err(|e| {
        TestCaseError::fail(format!("chatwire rejects the {what} {}: {e}", show(bytes)))
    })
}

fn oracle(bytes: &[u8]) -> Result<ReferenceServerEvent, TestCaseError> {
    serde_json::from_slice(bytes)
        .map_err(|e| TestCaseError::fail(format!("serde_json rejects {}: {e}", show(bytes))))
}

fn events() -> impl Strategy<Value = (Event, Style)> {
    (strategies::event_of(SERVER_EVENTS), strategies::style())
}

#[test]
fn server_writer_bytes_equal_serde_json() {
    check(
        "server_writer_bytes_equal_serde_json",
        400,
        events(),
        |(event, style)| {
            let canonical = strategies::canonical(&event);
            let decoded = decode_ok(&canonical, "canonical rendering")?;
            let written = decoded.to_vec();
            prop_assert_eq!(&written, &canonical, "{}", show(&canonical));
            let serde = serde_json::to_vec(&ReferenceServerEvent::from(&decoded)).unwrap();
            prop_assert_eq!(&written, &serde, "{}", show(&canonical));
            let rendering = strategies::render(&event, &style);
            let decoded = decode_ok(&rendering, "rendering")?;
            let serde = serde_json::to_vec(&ReferenceServerEvent::from(&decoded)).unwrap();
            prop_assert_eq!(&decoded.to_vec(), &serde, "{}", show(&rendering));
            // From the owned model, as serde_json wrote it.
            let owned = oracle(&rendering)?;
            let mut buf = Vec::new();
            let back = owned
                .to_server_event(&mut buf)
                .map_err(|e| TestCaseError::fail(format!("to_server_event: {e}")))?;
            prop_assert_eq!(back.to_vec(), serde_json::to_vec(&owned).unwrap());
            Ok(())
        },
    );
}

#[test]
fn server_decoding_any_rendering_equals_serde_json() {
    check(
        "server_decoding_any_rendering_equals_serde_json",
        400,
        events(),
        |(event, style)| {
            let rendering = strategies::render(&event, &style);
            let ours = ReferenceServerEvent::from(&decode_ok(&rendering, "rendering")?);
            prop_assert_eq!(&ours, &oracle(&rendering)?, "{}", show(&rendering));
            let canonical = strategies::canonical(&event);
            let expected =
                ReferenceServerEvent::from(&decode_ok(&canonical, "canonical rendering")?);
            prop_assert_eq!(&ours, &expected, "{}", show(&rendering));
            Ok(())
        },
    );
}

#[test]
fn server_decode_of_write_is_identity() {
    check(
        "server_decode_of_write_is_identity",
        400,
        events(),
        |(event, style)| {
            let rendering = strategies::render(&event, &style);
            let decoded = decode_ok(&rendering, "rendering")?;
            let again = decode_ok(&decoded.to_vec(), "writer's output")?.to_vec();
            prop_assert_eq!(again, decoded.to_vec(), "{}", show(&rendering));
            checks::check_roundtrip_of::<Servers>(&rendering);
            checks::check_decode_of::<Servers>(&rendering);
            Ok(())
        },
    );
}

#[test]
fn server_mutated_inputs_are_accepted_and_rejected_alike() {
    let accepted = AtomicUsize::new(0);
    let rejected = AtomicUsize::new(0);
    check(
        "server_mutated_inputs_are_accepted_and_rejected_alike",
        1200,
        strategies::mutated_of(SERVER_EVENTS),
        |(event, style, edits, mutations)| {
            let bytes = strategies::mutated_bytes(&event, &style, &edits, &mutations);
            if checks::check_differential_of::<Servers>(&bytes) {
                accepted.fetch_add(1, Ordering::Relaxed);
            } else {
                rejected.fetch_add(1, Ordering::Relaxed);
            }
            checks::check_decode_of::<Servers>(&bytes);
            Ok(())
        },
    );
    let (accepted, rejected) = (accepted.into_inner(), rejected.into_inner());
    eprintln!("  both accepted {accepted}, both rejected {rejected}");
    assert!(
        accepted * 20 > accepted + rejected,
        "too few accepted cases"
    );
    assert!(rejected * 5 > accepted + rejected, "too few rejected cases");
}
