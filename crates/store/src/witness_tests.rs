//! The keyring's record of the trail head, against a real SQLCipher file and the real Secret
//! Service (run inside scripts/with-keyring).
#![allow(clippy::unwrap_used)]

use crate::StoreError;
use crate::keys::SecretKey;
use crate::test_desk::{PASSWORD, desk};
use crate::witness::Witness;
use tongban_domain::SecurityPolicy;

#[test]
fn the_recorded_head_follows_each_change_and_refuses_an_older_or_other_file() {
    let dir = tempfile::tempdir().unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let profile_id = hex::encode(SecretKey::random().unwrap().expose());
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let witness = Witness::for_profile(&profile_id).unwrap();
    assert_eq!(witness.load().unwrap(), None);
    witness.check(&store.conn).unwrap();
    let enrolled = witness.load().unwrap().unwrap();
    assert_eq!(Some(enrolled), store.audit_head().unwrap());
    store.witness = Some(witness);

    store.sign_in("李明", PASSWORD, None, 1).unwrap();
    assert!(store.sign_in("李明", "wrong", None, 2).is_err());
    let witness = store.witness.take().unwrap();
    // Moments after the last write, the new head waits; it is written at the latest on close.
    assert_eq!(witness.load().unwrap(), Some(enrolled));
    witness.flush();
    let recorded = witness.load().unwrap().unwrap();
    assert_eq!(
        recorded.seq,
        enrolled.seq + 2,
        "the record follows the events"
    );
    assert_eq!(Some(recorded), store.audit_head().unwrap());
    witness.check(&store.conn).unwrap();

    // Another file of the same desk: shorter, then as long but with other events.
    let mut other = desk(other_dir.path(), SecurityPolicy::default());
    match witness.check(&other.conn) {
        Err(StoreError::RolledBack { database, recorded }) => {
            assert_eq!((database, recorded), (enrolled.seq + 1, enrolled.seq + 3));
        }
        other => panic!("expected a rollback, got {other:?}"),
    }
    other.sign_in("李明", PASSWORD, None, 1).unwrap();
    other.sign_in("李明", PASSWORD, None, 2).unwrap();
    assert!(matches!(
        witness.check(&other.conn),
        Err(StoreError::TrailForked(seq)) if seq == recorded.seq
    ));
    // Longer than the record is fine: the record may lag a crash behind the file.
    store.sign_in("李明", PASSWORD, None, 3).unwrap();
    witness.check(&store.conn).unwrap();
    witness.delete().unwrap();
    assert_eq!(witness.load().unwrap(), None);
}
