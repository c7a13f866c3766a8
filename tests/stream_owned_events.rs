//! `stream::OwnedEvents`: the events of a whole `Bytes` as owned events
//! that share its buffer, the same items as the slice iterator's; and
//! `EnvelopeWriter::push_owned`, which writes them back as they came.

use bytes::Bytes;
use chatwire::stream::{self, Config, EnvelopeWriter, Framing, OwnedEvents};
use chatwire::workload::{self, Workload};
use chatwire::{OwnedEvent, Server, ServerEvent};

/// Whether `inner` lies inside `outer`'s memory.
fn lies_in(inner: &[u8], outer: &[u8]) -> bool {
    let (start, end) = (
        outer.as_ptr() as usize,
        outer.as_ptr() as usize + outer.len(),
    );
    let at = inner.as_ptr() as usize;
    at >= start && at + inner.len() <= end
}

#[test]
fn yields_the_slice_iterators_events_and_errors_sharing_the_buffer() {
    let mut input = workload::generate(Workload::Envelope, 2_000, 11);
    // A bad element, a truncated event and an unknown event among them.
    input.extend_from_slice(
        br#"{"events":[{"event":"chat_session_message","msg":"no id"},7,{"event":"chat_session_later","x":[1]}]}"#,
    );
    input.extend_from_slice(b"\n{\"events\":[{\"event\":\"chat_session_typing\"");
    let bytes = Bytes::from(input);
    let config = Config::new();
    let expected: Vec<_> = stream::events_with(&bytes, Framing::Envelope, config).collect();
    let owned: Vec<_> =
        OwnedEvents::with_config(bytes.clone(), Framing::Envelope, config).collect();
    assert_eq!(owned.len(), expected.len());
    let mut shared = 0;
    for (owned, expected) in owned.iter().zip(&expected) {
        match (owned, expected) {
            (Ok(owned), Ok(expected)) => {
                assert_eq!(owned.event(), *expected);
                let from_bytes = OwnedEvent::decode(owned.bytes().clone()).unwrap();
                assert_eq!(from_bytes.event(), *expected);
                if lies_in(owned.as_bytes(), &bytes) {
                    shared += 1;
                } else {
                    // Only an event without fields written the one
                    // shortest way gets static bytes: its own.
                    let shortest = OwnedEvent::from_event(expected);
                    assert_eq!(
                        owned.as_bytes(),
                        shortest.as_bytes(),
                        "{owned:?} was copied"
                    );
                    assert!(owned.as_bytes().len() < 40, "{owned:?} was copied");
                }
            }
            (Err(owned), Err(expected)) => assert_eq!(owned, expected),
            (owned, expected) => panic!("{owned:?} where the slice iterator gave {expected:?}"),
        }
    }
    assert!(shared > 1_000, "only {shared} events share the buffer");
    assert_eq!(
        owned.iter().filter(|item| item.is_err()).count(),
        3,
        "the missing id, the number and the truncation"
    );
}

#[test]
fn counts_the_envelopes_of_a_body() {
    let count = |body: &'static [u8]| {
        let mut events =
            OwnedEvents::with_config(Bytes::from_static(body), Framing::Envelope, Config::new());
        events.by_ref().for_each(drop);
        events.envelopes()
    };
    assert_eq!(count(b""), 0);
    assert_eq!(count(b" \n"), 0);
    assert_eq!(count(br#"{"events":[]}"#), 1);
    assert_eq!(
        count(br#"{"tenant":"x","events":[{"event":"chat_session_end"}]} "#),
        1
    );
    assert_eq!(count(br#"{"events":[]} {"events":[]}"#), 2);
}

#[test]
fn reads_server_events_too() {
    let body = Bytes::from(workload::generate(Workload::History, 300, 3));
    let owned: Vec<OwnedEvent<Server>> =
        OwnedEvents::<Server>::with(body.clone(), Framing::Envelope, Config::new())
            .collect::<Result<_, _>>()
            .unwrap();
    let borrowed: Vec<ServerEvent<'_>> =
        stream::Events::<Server>::with(&body, Framing::Envelope, Config::new())
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(owned.len(), 300);
    assert!(owned.iter().zip(&borrowed).all(|(o, b)| o.event() == *b));
}

#[test]
fn push_owned_writes_the_bytes_as_they_came() {
    let body = Bytes::from_static(
        br#"{"events":[ {"msg":"caf\u00e9","event":"chat_session_message","msg_id":9} , {"event":"chat_session_typing"}]}"#,
    );
    let events: Vec<OwnedEvent> = OwnedEvents::new(body).collect::<Result<_, _>>().unwrap();
    let mut writer = EnvelopeWriter::new(Vec::new());
    for event in &events {
        writer.push_owned(event);
    }
    writer.push_owned(&OwnedEvent::<Server>::from_event(&ServerEvent::Ended));
    assert_eq!(writer.len(), 3);
    let out = writer.finish();
    assert_eq!(
        out,
        br#"{"events":[{"msg":"caf\u00e9","event":"chat_session_message","msg_id":9},{"event":"chat_session_typing"},{"event":"chat_session_ended"}]}"#
    );
    // What it wrote reads back as the same events.
    let again: Vec<_> = stream::events(&out)
        .take(2)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(again, [events[0].event(), events[1].event()]);
}
