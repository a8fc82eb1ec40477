//! Retention on a real SQLCipher store: nothing younger than the retention period and nothing
//! the hub has not logged is removed, and the kept trail still verifies from its anchor.
#![allow(clippy::unwrap_used)]

use crate::test_desk::{PASSWORD, desk, session};
use crate::{RetentionError, StoreError};
use time::{Duration, OffsetDateTime};
use tongban_audit::{ChainProblem, Checkpoint};
use tongban_domain::{Denied, SecurityPolicy};
use tongban_sync::ed25519_dalek::SigningKey;

#[test]
fn only_old_logged_events_are_removed_and_the_rest_verifies_from_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    // The enrolment (event 0) is from the clock; sign-ins 1..=10 a minute apart after it.
    let base = crate::now_ms(OffsetDateTime::now_utc()) + 60_000;
    let at = |minute: i64| base + minute * 60_000;
    for m in 0..10 {
        store.sign_in("李明", PASSWORD, None, at(m)).unwrap();
    }
    let admin = session("周敏");
    let now = crate::china_now() + Duration::days(400);

    let refused = store.prune_audit(&session("张华"), at(5), now);
    assert!(matches!(refused, Err(StoreError::Denied(Denied::Role(..)))));
    let recent = crate::now_ms(now - Duration::days(100));
    match store.prune_audit(&admin, recent, now).unwrap() {
        Err(RetentionError::TooRecent(day)) => {
            assert_eq!(day, (now - Duration::days(180)).date().to_string());
        }
        other => panic!("{other:?}"),
    }
    // Events 0..=5 are older than minute 5, but the hub has logged only 0..=3.
    let checkpoint = |size| {
        Checkpoint {
            township: "450721101".into(),
            size,
            root: "00".repeat(32),
            at_ms: at(30),
        }
        .sign(&SigningKey::from_bytes(&[7; 32]))
    };
    store
        .acknowledge_audit(0, &[0, 1, 2, 3], &checkpoint(4))
        .unwrap();
    match store.prune_audit(&admin, at(5), now).unwrap() {
        Err(RetentionError::NotLogged(seq)) => assert_eq!(seq, 4),
        other => panic!("{other:?}"),
    }
    // Enrolment, ten sign-ins and the supervisor's refused attempt.
    assert_eq!(store.verify_trail(None).unwrap().unwrap().events, 12);

    store
        .acknowledge_audit(4, &[4, 5, 6, 7], &checkpoint(8))
        .unwrap();
    assert_eq!(store.prune_audit(&admin, at(5), now).unwrap().unwrap(), 6);
    // Events 6..=11 stay, and the prune itself is recorded after them.
    let trail = store.verify_trail(None).unwrap().unwrap();
    assert_eq!(trail.events, 7);
    assert_eq!(store.prune_audit(&admin, at(5), now).unwrap().unwrap(), 0);

    // The kept trail is checked from the anchor: removing its first event is found.
    store
        .conn
        .execute("DELETE FROM audit_events WHERE seq = 6", [])
        .unwrap();
    let err = store.verify_trail(None).unwrap().unwrap_err();
    assert_eq!(err.position, 0);
    assert_eq!(
        err.problem,
        ChainProblem::OutOfSequence {
            expected: 6,
            found: 7
        }
    );
}
