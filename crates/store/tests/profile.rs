//! A real SQLCipher file and the real Secret Service (run inside scripts/with-keyring).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::Path;
use time::macros::datetime;
use tongban_domain::session::Session;
use tongban_domain::{CaseField, FieldEdit, Registration, Role, SecurityPolicy, TownshipCode};
use tongban_store::keys::SecretKey;
use tongban_store::{CaseFilter, Enrollment, Profile, StoreError};
use tongban_sync::wire::{Directory, DirectoryUser};

const PASSPHRASE: &str = "檀圩镇恢复口令-2026";

fn enrolled(dir: &Path) -> Profile {
    let profile = Profile::at(dir);
    let mut store = profile.create(PASSPHRASE).unwrap();
    let enrollment = Enrollment {
        hub_url: "http://127.0.0.1:1".into(),
        device_id: "dev-test".into(),
        device_serial: 3,
        township: TownshipCode::parse("450721101").unwrap(),
        township_name: "檀圩镇".into(),
        user: "李明".into(),
        hub_audit_key: "00".repeat(32),
        hub_key: "TEST".into(),
        hub_certificate: Vec::new(),
    };
    let directory = Directory {
        users: vec![DirectoryUser {
            name: "李明".into(),
            role: Role::Clerk,
            public_key: None,
            sealed_key: None,
            totp_secret: None,
            must_change: false,
        }],
        devices: Vec::new(),
        policy: SecurityPolicy::default(),
        calendar: None,
        catalogues: Vec::new(),
    };
    store
        .record_enrollment(&enrollment, &SecretKey::random().unwrap(), &directory)
        .unwrap();
    profile
}

fn clerk() -> Session {
    Session {
        user: "李明".into(),
        role: Role::Clerk,
        last_use_ms: 0,
        key: tongban_domain::Secret::new([3; 32]),
    }
}

fn registration(name: &str, id: &str) -> Registration {
    Registration {
        item: "DB01".into(),
        name: name.into(),
        id_number: id.into(),
        id_type: Default::default(),
        agent: None,
        phone: Some("13812345678".into()),
        address: Some("檀圩镇金鸡村".into()),
        received: vec!["ID_CARD".into()],
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn cases_persist_encrypted_and_numbers_never_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let profile = enrolled(dir.path());
    let now = datetime!(2026-11-21 10:00 +8);
    let first = {
        let mut store = profile.open().unwrap();
        let case = store
            .register(registration("覃秀梅", "450721198806152311"), &clerk(), now)
            .unwrap();
        assert_eq!(case.number.as_str(), "450721101-20261121-003-0001");
        let rejected = store.register(registration("覃秀梅", "450721198806152312"), &clerk(), now);
        assert!(matches!(rejected, Err(StoreError::Registration(_))));
        store
            .set_field(
                case.number.as_str(),
                &FieldEdit::new(CaseField::Address, "檀圩镇新村").unwrap(),
                &clerk(),
                now,
            )
            .unwrap();
        case
    };
    // A new process, the same file: the case is there and the next number follows on.
    let mut store = profile.open().unwrap();
    let back = store.case(first.number.as_str()).unwrap();
    assert_eq!(back.applicant.address.as_deref(), Some("檀圩镇新村"));
    assert_eq!(back.events.len(), 2);
    let second = store
        .register(registration("韦国强", "11010519491231002X"), &clerk(), now)
        .unwrap();
    assert_eq!(second.number.as_str(), "450721101-20261121-003-0002");
    let found = store
        .list(&CaseFilter {
            query: Some("韦".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let by_id = store
        .list(&CaseFilter {
            query: Some("450721198806152311".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_id[0].number, first.number.as_str());
    assert!(store.integrity_problems().unwrap().is_empty());

    // While open, the write-ahead log holds the latest pages: it must be ciphertext too.
    assert!(dir.path().join("cases.db-wal").exists());
    assert_no_plaintext(dir.path());
    drop(store);
    assert_no_plaintext(dir.path());
}

fn assert_no_plaintext(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [
            "覃秀梅",
            "450721198806152311",
            "13812345678",
            "韦国强",
            "金鸡村",
        ] {
            assert!(
                !contains(&bytes, secret),
                "{secret} in plain bytes of {}",
                path.display()
            );
        }
    }
}

#[test]
fn lost_keyring_entry_fails_closed_and_recovery_restores_access() {
    let dir = tempfile::tempdir().unwrap();
    let profile = enrolled(dir.path());
    profile
        .open()
        .unwrap()
        .register(
            registration("覃秀梅", "450721198806152311"),
            &clerk(),
            datetime!(2026-11-21 10:00 +8),
        )
        .unwrap();
    profile.forget_keyring_entry().unwrap();
    let err = profile.open().err().unwrap();
    assert!(matches!(err, StoreError::KeyringEntryMissing));
    assert!(err.to_string().contains("recover"), "{err}");
    assert!(matches!(
        profile.recover("not the passphrase"),
        Err(StoreError::WrongPassphrase)
    ));
    let store = profile.recover(PASSPHRASE).unwrap();
    assert_eq!(store.list(&CaseFilter::default()).unwrap().len(), 1);
    drop(store);
    assert_eq!(
        profile
            .open()
            .unwrap()
            .list(&CaseFilter::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn never_creates_over_or_without_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let profile = enrolled(dir.path());
    assert!(matches!(
        profile.create(PASSPHRASE),
        Err(StoreError::ProfileExists(_))
    ));
    std::fs::rename(profile.database_path(), dir.path().join("moved.db")).unwrap();
    assert!(matches!(profile.open(), Err(StoreError::DatabaseMissing)));
    assert!(!profile.database_path().exists());

    // A database from another profile under this key file cannot be decrypted.
    let other = tempfile::tempdir().unwrap();
    let other_profile = enrolled(other.path());
    std::fs::copy(other_profile.database_path(), profile.database_path()).unwrap();
    assert!(matches!(profile.open(), Err(StoreError::Undecryptable)));

    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Profile::at(empty.path()).open(),
        Err(StoreError::NoProfile(_))
    ));
}
