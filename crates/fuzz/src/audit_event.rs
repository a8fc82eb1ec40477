//! A device's audit events as the hub receives them in a push and a desk reads them back from
//! the township log: CBOR events, signed, chained.

use tongban_audit::{AuditEvent, Head, SignedEvent, verify_chain};

pub fn check(data: &[u8]) {
    // The bytes of one event, as stored verbatim: reading them must be stable.
    let single = SignedEvent {
        bytes: data.to_vec(),
        signature: vec![0; 64],
    };
    if let Ok(event) = single.event() {
        let mut bytes = Vec::new();
        ciborium::into_writer(&event, &mut bytes).expect("encoding into memory");
        let again: AuditEvent =
            ciborium::from_reader(bytes.as_slice()).expect("a re-encoded event decodes");
        assert_eq!(again, event, "an event changed in a round trip");
    }
    // A list of signed events, as a push carries them.
    if let Ok(events) = ciborium::from_reader::<Vec<SignedEvent>, _>(data) {
        check_trail(&events);
    }
}

/// Checks a trail against the harness's key, from the beginning and against a recorded end.
pub fn check_trail(events: &[SignedEvent]) {
    let key = crate::signing_key().verifying_key();
    let Ok(head) = verify_chain(crate::DEVICE, &key, None, events, None) else {
        return;
    };
    let last = events.last().map(|e| Head {
        seq: e.event().map(|e| e.seq).expect("an accepted event reads"),
        hash: e.hash(),
    });
    assert_eq!(head, last, "an accepted trail's head is not its last event");
    for signed in events {
        // Only the harness's key signs: an accepted event is exactly what was signed, so the
        // fields a supervisor reads are the signed ones.
        let event = signed.event().expect("an accepted event reads");
        assert_eq!(
            event.sign(&crate::signing_key()).bytes,
            signed.bytes,
            "an accepted event is not the encoding that was signed"
        );
    }
    if let Some(end) = head {
        let forked = Head {
            seq: end.seq,
            hash: [0xAB; 32],
        };
        assert!(
            verify_chain(crate::DEVICE, &key, None, events, Some(forked)).is_err(),
            "a trail ending elsewhere than the recorded head was accepted"
        );
        let longer = Head {
            seq: end.seq + 1,
            hash: end.hash,
        };
        assert!(
            verify_chain(crate::DEVICE, &key, None, events, Some(longer)).is_err(),
            "a trail shorter than the recorded head was accepted"
        );
    }
}
