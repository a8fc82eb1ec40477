//! The storage contract, one suite for both stores: what each method keeps and reads, and the
//! atomic steps the services rely on. Runs on an embedded SQLCipher file and, when the test
//! command started one, on a real PostgreSQL server over TLS.
#![allow(clippy::unwrap_used)]

use crate::account_db::{AccountChange, ChangeKind, NewSecret};
use crate::archive_db::{ArchiveEvent, ArchiveRow};
use crate::audit_db::NewLogEntry;
use crate::db::{DocWrite, HubDb, HubUser, NewDevice, Redeemed, SyncedDoc};
use crate::session_db::WebSession;
use crate::upload_db::UploadChunk;
use crate::{PgDb, SqliteDb};

const T: &str = "450721101";

fn device(id: &str) -> NewDevice {
    NewDevice {
        id: id.into(),
        public_key: format!("{id:0>64}"),
        user: "李明".into(),
        label: "desk".into(),
        enrolled_at: 1,
    }
}

fn write(bytes: &[u8], expected: Option<i64>, pages: &[&str]) -> Option<DocWrite> {
    Some(DocWrite {
        bytes: bytes.to_vec(),
        digest: hex::encode(bytes),
        expected,
        pages: pages.iter().map(|p| p.to_string()).collect(),
        facts: Some(format!("{{\"bytes\":\"{}\"}}", hex::encode(bytes))),
        applicant: Some(format!("tag-{}", bytes.len())),
    })
}

async fn contract<D: HubDb>(db: D) {
    // Townships and codes.
    assert!(db.add_township(T, "檀圩镇").await.unwrap());
    assert!(!db.add_township(T, "again").await.unwrap());
    assert_eq!(db.township(T).await.unwrap().unwrap().name, "檀圩镇");
    db.add_enroll_code(T, "code-a", 100).await.unwrap();
    db.add_enroll_code(T, "code-b", 100).await.unwrap();
    let code = db.enroll_code("code-a").await.unwrap().unwrap();
    assert_eq!(
        (code.township.as_str(), code.used, code.failures),
        (T, false, 0)
    );
    assert_eq!(db.count_code_failure("code-a").await.unwrap(), 1);
    assert_eq!(db.count_code_failure("code-a").await.unwrap(), 2);
    assert_eq!(db.count_code_failure("no-such").await.unwrap(), 0);
    let Redeemed::Enrolled(first) = db
        .redeem_enroll_code("code-a", device("d1"), 999)
        .await
        .unwrap()
    else {
        panic!("first redeem");
    };
    assert_eq!((first.serial, first.township.as_str()), (1, T));
    assert_eq!(
        db.redeem_enroll_code("code-a", device("d2"), 999)
            .await
            .unwrap(),
        Redeemed::CodeGone
    );
    assert!(db.enroll_code("code-a").await.unwrap().unwrap().used);
    assert_eq!(
        db.redeem_enroll_code("code-b", device("d2"), 1)
            .await
            .unwrap(),
        Redeemed::NoSerial
    );
    db.burn_enroll_code("code-b").await.unwrap();
    assert_eq!(
        db.redeem_enroll_code("code-b", device("d2"), 999)
            .await
            .unwrap(),
        Redeemed::CodeGone
    );

    // Accounts, settings, devices, nonces.
    let user = HubUser {
        name: "王芳".into(),
        role: "clerk".into(),
        public_key: Some("pk0".into()),
        sealed_key: Some("sealed0".into()),
        must_change: false,
        totp_secret: None,
        created_at: 1,
        disabled_at: None,
    };
    assert!(db.add_user(T, user.clone()).await.unwrap());
    assert!(!db.add_user(T, user).await.unwrap());
    // Every change to an account is applied and kept, with who made it.
    let change = |kind, role: Option<&str>, at_ms| AccountChange {
        name: "王芳".into(),
        at_ms,
        kind,
        role: role.map(str::to_string),
        operator: "ops".into(),
        device: None,
        secret: None,
    };
    for (kind, role, at) in [
        (ChangeKind::Added, Some("clerk"), 10),
        (ChangeKind::Role, Some("supervisor"), 20),
        (ChangeKind::Disabled, None, 30),
    ] {
        assert!(db.change_account(T, change(kind, role, at)).await.unwrap());
    }
    let nobody = AccountChange {
        name: "无此人".into(),
        ..change(ChangeKind::Disabled, None, 40)
    };
    assert!(!db.change_account(T, nobody).await.unwrap());
    let row = &db.users(T).await.unwrap()[0];
    assert_eq!(
        (row.role.as_str(), row.disabled_at),
        ("supervisor", Some(30))
    );
    let kept = db.account_changes(T).await.unwrap();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(kept[1], change(ChangeKind::Role, Some("supervisor"), 20));
    assert!(
        db.change_account(T, change(ChangeKind::Enabled, None, 50))
            .await
            .unwrap()
    );
    assert_eq!(db.users(T).await.unwrap()[0].disabled_at, None);
    // Keys: a reset brings a new key to be changed at next sign-in; a new sealing of the current
    // key replaces the kept one only when newer.
    let key = |public: &str, sealed: &str| {
        Some(NewSecret::Key {
            public_key: public.into(),
            sealed_key: sealed.into(),
        })
    };
    let reset = AccountChange {
        secret: key("pk1", "sealed1"),
        ..change(ChangeKind::PasswordReset, None, 60)
    };
    assert!(db.change_account(T, reset).await.unwrap());
    let row = db.users(T).await.unwrap()[0].clone();
    assert_eq!(
        (
            row.public_key.as_deref(),
            row.sealed_key.as_deref(),
            row.must_change
        ),
        (Some("pk1"), Some("sealed1"), true)
    );
    let keys = db.person_keys(T).await.unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!((keys[0].public_key.as_str(), keys[0].from_ms), ("pk1", 60));
    for (public, at, taken) in [("pk1", 55, false), ("pk0", 70, false), ("pk1", 70, true)] {
        let changed = AccountChange {
            secret: key(public, "sealed2"),
            ..change(ChangeKind::PasswordChanged, None, at)
        };
        assert_eq!(
            db.change_account(T, changed).await.unwrap(),
            taken,
            "{public} {at}"
        );
    }
    let row = db.users(T).await.unwrap()[0].clone();
    assert_eq!(
        (row.sealed_key.as_deref(), row.must_change),
        (Some("sealed2"), false)
    );
    // Assignments: from when, to when; unassigning what is not assigned changes nothing.
    let desk = |kind, at| AccountChange {
        device: Some("d1".into()),
        ..change(kind, None, at)
    };
    assert!(
        !db.change_account(T, desk(ChangeKind::Unassigned, 75))
            .await
            .unwrap()
    );
    assert!(
        db.change_account(T, desk(ChangeKind::Assigned, 80))
            .await
            .unwrap()
    );
    assert!(
        db.change_account(T, desk(ChangeKind::Unassigned, 90))
            .await
            .unwrap()
    );
    let assignments = db.assignments(T).await.unwrap();
    assert_eq!(
        assignments
            .iter()
            .map(|a| (a.name.as_str(), a.device.as_str(), a.from_ms, a.until_ms))
            .collect::<Vec<_>>(),
        vec![("王芳", "d1", 80, Some(90))]
    );
    let totp = AccountChange {
        secret: Some(NewSecret::Totp("sealed-totp".into())),
        ..change(ChangeKind::TotpReset, None, 95)
    };
    assert!(db.change_account(T, totp).await.unwrap());
    assert_eq!(
        db.users(T).await.unwrap()[0].totp_secret.as_deref(),
        Some("sealed-totp")
    );
    let kept = db.account_changes(T).await.unwrap();
    assert_eq!(kept.last().map(|c| c.kind), Some(ChangeKind::TotpReset));
    assert!(
        kept.iter()
            .any(|c| c.kind == ChangeKind::Assigned && c.device.as_deref() == Some("d1"))
    );
    db.set_totp_secret(T, "王芳", Some("sealed")).await.unwrap();
    assert_eq!(
        db.users(T).await.unwrap()[0].totp_secret.as_deref(),
        Some("sealed")
    );
    db.put_setting(T, "k", "v1").await.unwrap();
    db.put_setting(T, "k", "v2").await.unwrap();
    assert_eq!(db.setting(T, "k").await.unwrap().as_deref(), Some("v2"));
    db.delete_setting(T, "k").await.unwrap();
    assert_eq!(db.setting(T, "k").await.unwrap(), None);
    assert!(db.revoke_device("d1").await.unwrap());
    assert!(!db.revoke_device("nope").await.unwrap());
    assert!(db.device("d1").await.unwrap().unwrap().revoked);
    assert_eq!(db.devices(T).await.unwrap().len(), 1);
    // The version a desk says it runs, the last one said.
    assert!(db.desk_versions(T).await.unwrap().is_empty());
    db.note_desk_version("d1", "0.1.0", 10).await.unwrap();
    db.note_desk_version("d1", "0.2.0", 20).await.unwrap();
    let versions = db.desk_versions(T).await.unwrap();
    assert_eq!(versions["d1"], ("0.2.0".to_string(), 20));
    assert!(db.desk_versions("450721102").await.unwrap().is_empty());
    assert!(db.remember_nonce("d1", "n1", 100, 10).await.unwrap());
    assert!(!db.remember_nonce("d1", "n1", 100, 10).await.unwrap());
    // Expired nonces are forgotten.
    assert!(db.remember_nonce("d1", "n1", 300, 200).await.unwrap());

    // Documents, the change feed and the pages cases reference.
    let doc = "450721101-20261121-001-0001";
    let moved = db
        .put_synced(
            "d1",
            vec![SyncedDoc {
                township: T.into(),
                doc_id: doc.into(),
                shared_with: None,
                write: write(b"one", None, &["p1"]),
                state: Some(b"s".to_vec()),
            }],
        )
        .await
        .unwrap();
    assert!(moved.is_empty());
    let stored = db.doc(T, doc).await.unwrap().unwrap();
    assert_eq!(
        (stored.bytes.as_slice(), stored.version),
        (b"one".as_slice(), 1)
    );
    // A write expecting an older version is left out, sync state and all.
    let moved = db
        .put_synced(
            "d2",
            vec![SyncedDoc {
                township: T.into(),
                doc_id: doc.into(),
                shared_with: None,
                write: write(b"two", None, &[]),
                state: Some(b"x".to_vec()),
            }],
        )
        .await
        .unwrap();
    assert_eq!(moved, [doc.to_string()]);
    assert_eq!(db.sync_state("d2", doc).await.unwrap(), None);
    db.put_synced(
        "d1",
        vec![SyncedDoc {
            township: T.into(),
            doc_id: doc.into(),
            shared_with: None,
            write: write(b"two", Some(1), &["p2"]),
            state: Some(b"t".to_vec()),
        }],
    )
    .await
    .unwrap();
    assert_eq!(db.doc(T, doc).await.unwrap().unwrap().version, 2);
    assert_eq!(db.sync_state("d1", doc).await.unwrap().unwrap(), b"t");
    let (changed, head) = db.changed_since(T, 0).await.unwrap();
    assert_eq!((changed.len(), head), (1, 2));
    let (changed, _) = db.changed_since(T, 2).await.unwrap();
    assert!(changed.is_empty());
    assert_eq!(
        db.digests(T, &[doc.into()]).await.unwrap()[doc],
        hex::encode(b"two")
    );
    assert!(db.page_referenced(T, "p1").await.unwrap());
    assert!(db.page_referenced(T, "p2").await.unwrap());
    assert!(!db.page_referenced("450721102", "p1").await.unwrap());
    db.reseal_doc(T, doc, b"sealed".to_vec()).await.unwrap();
    let stored = db.doc(T, doc).await.unwrap().unwrap();
    assert_eq!(
        (stored.bytes.as_slice(), stored.version),
        (b"sealed".as_slice(), 2)
    );
    assert_eq!(
        db.doc_keys().await.unwrap(),
        [(T.to_string(), doc.to_string())]
    );
    // A change the hub makes itself (a rating from the query page) moves the feed on and
    // leaves every device's sync state as it was.
    let moved = db
        .put_synced(
            "hub-450721101",
            vec![SyncedDoc {
                township: T.into(),
                doc_id: doc.into(),
                shared_with: None,
                write: write(b"rated", Some(2), &[]),
                state: None,
            }],
        )
        .await
        .unwrap();
    assert!(moved.is_empty());
    assert_eq!(db.doc(T, doc).await.unwrap().unwrap().version, 3);
    assert_eq!(db.sync_state("hub-450721101", doc).await.unwrap(), None);
    assert_eq!(db.sync_state("d1", doc).await.unwrap().unwrap(), b"t");
    let (changed, head) = db.changed_since(T, 2).await.unwrap();
    assert_eq!((changed.len(), head), (1, 3));

    // Uploads in progress and request counts.
    for index in [0, 1] {
        db.put_upload_chunk(UploadChunk {
            township: T.into(),
            sha256: "p1".into(),
            index,
            device: "d1".into(),
            size: 10,
            data: vec![index as u8; 5],
            at: 100,
        })
        .await
        .unwrap();
    }
    assert_eq!(db.upload_chunks(T, "p1").await.unwrap(), [0, 1]);
    assert_eq!(
        db.upload_chunk(T, "p1", 1).await.unwrap().unwrap(),
        vec![1; 5]
    );
    assert_eq!(db.staged_bytes("d1").await.unwrap(), 10);
    assert_eq!(db.expire_uploads(100).await.unwrap(), 0);
    assert_eq!(db.expire_uploads(101).await.unwrap(), 2);
    assert_eq!(db.staged_bytes("d1").await.unwrap(), 0);
    assert_eq!(db.count_request("enroll:1.2.3.4", 60).await.unwrap(), 1);
    assert_eq!(db.count_request("enroll:1.2.3.4", 60).await.unwrap(), 2);
    assert_eq!(db.count_request("enroll:1.2.3.4", 120).await.unwrap(), 1);
    // Reading a count counts nothing, and an older window reads as empty.
    assert_eq!(db.request_count("enroll:1.2.3.4", 120).await.unwrap(), 1);
    assert_eq!(db.request_count("enroll:1.2.3.4", 120).await.unwrap(), 1);
    assert_eq!(db.request_count("enroll:1.2.3.4", 60).await.unwrap(), 0);
    assert_eq!(db.request_count("nobody", 120).await.unwrap(), 0);
    db.forget_request_counts(200).await.unwrap();
    assert_eq!(db.count_request("enroll:1.2.3.4", 120).await.unwrap(), 1);

    // The audit log: appends in order, only from the expected count.
    let entry = |seq: u64| NewLogEntry {
        seq,
        hash: vec![seq as u8; 32],
        bytes: vec![1],
        signature: vec![2],
    };
    assert_eq!(
        db.append_audit(T, "d1", 0, vec![entry(0), entry(1)])
            .await
            .unwrap(),
        Some(vec![0, 1])
    );
    assert_eq!(
        db.append_audit(T, "d1", 0, vec![entry(0)]).await.unwrap(),
        None
    );
    assert_eq!(db.audit_head("d1").await.unwrap().unwrap().0, 2);
    assert_eq!(db.audit_event_at("d1", 1).await.unwrap().unwrap().0, 1);
    assert_eq!(db.audit_leaves(T, 1).await.unwrap().len(), 1);
    assert_eq!(db.audit_entries(T, 0, 1).await.unwrap().len(), 1);
    db.put_audit_checkpoint(T, 2, "first").await.unwrap();
    db.put_audit_checkpoint(T, 2, "second").await.unwrap();
    assert_eq!(db.audit_checkpoints(T).await.unwrap(), ["first"]);
    db.put_witnessed(T, "d1", 2, "w").await.unwrap();
    db.put_witnessed(T, "d1", 2, "w again").await.unwrap();
    assert_eq!(db.witnessed(T).await.unwrap(), ["w"]);
    assert_eq!(db.township_codes().await.unwrap(), [T]);

    // A case reported up is shared with the county's unit: each change moves the unit's own
    // feed on, and the unit sees that case and no other of the township.
    const UNIT: &str = "450721000";
    assert!(db.add_township(UNIT, "灵山县").await.unwrap());
    let other = "450721101-20261121-001-0002";
    db.put_synced(
        "d1",
        vec![
            SyncedDoc {
                township: T.into(),
                doc_id: doc.into(),
                shared_with: Some(UNIT.into()),
                write: write(b"three", Some(3), &["p3"]),
                state: Some(b"u".to_vec()),
            },
            SyncedDoc {
                township: T.into(),
                doc_id: other.into(),
                shared_with: None,
                write: write(b"own", None, &["p4"]),
                state: Some(b"v".to_vec()),
            },
        ],
    )
    .await
    .unwrap();
    let (shared, unit_head) = db.changed_since(UNIT, 0).await.unwrap();
    assert_eq!(
        (shared.len(), shared[0].doc_id.as_str(), unit_head),
        (1, doc, 1)
    );
    let seen = db.digests(UNIT, &[doc.into(), other.into()]).await.unwrap();
    assert_eq!(seen.keys().collect::<Vec<_>>(), [&doc.to_string()]);
    assert!(db.changed_since(UNIT, 1).await.unwrap().0.is_empty());
    assert!(db.page_referenced(UNIT, "p3").await.unwrap());
    assert!(!db.page_referenced(UNIT, "p4").await.unwrap());
    let (own, head) = db.changed_since(T, 3).await.unwrap();
    assert_eq!((own.len(), head), (2, 5));
    // Each written document's facts are kept beside it, read by a township's or a county's
    // prefix; a document written without them is listed until its facts (or none) are kept.
    let mut facts = db.case_facts(T).await.unwrap();
    facts.sort();
    assert_eq!(
        facts,
        [
            format!("{{\"bytes\":\"{}\"}}", hex::encode(b"own")),
            format!("{{\"bytes\":\"{}\"}}", hex::encode(b"three")),
        ]
    );
    assert_eq!(db.case_facts("450721").await.unwrap().len(), 2);
    assert_eq!(db.count_facts("450721").await.unwrap(), 2);
    assert!(db.case_facts("450722").await.unwrap().is_empty());
    assert!(db.case_facts("450721102").await.unwrap().is_empty());
    assert!(db.docs_without_facts().await.unwrap().is_empty());
    let bare = "450721101-20261121-001-0003";
    let mut unread = write(b"bare", None, &[]);
    if let Some(w) = unread.as_mut() {
        w.facts = None;
    }
    db.put_synced(
        "d1",
        vec![SyncedDoc {
            township: T.into(),
            doc_id: bare.into(),
            shared_with: None,
            write: unread,
            state: Some(b"w".to_vec()),
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        db.docs_without_facts().await.unwrap(),
        [(T.to_string(), bare.to_string())]
    );
    // Read and found not a case: kept as none, not listed again, not counted.
    db.put_facts(vec![(T.into(), bare.into(), None)])
        .await
        .unwrap();
    assert!(db.docs_without_facts().await.unwrap().is_empty());
    assert_eq!(db.case_facts(T).await.unwrap().len(), 2);
    db.put_facts(vec![(T.into(), bare.into(), Some("{}".into()))])
        .await
        .unwrap();
    assert!(db.docs_without_facts().await.unwrap().is_empty());
    assert_eq!(db.case_facts(T).await.unwrap().len(), 3);
    // Officers' web sessions: found by hash until they expire, then gone; dropped on sign-out.
    let session = WebSession {
        unit: UNIT.into(),
        name: "周敏".into(),
        public_key: "ab".repeat(32),
        expires_at: 1_000,
    };
    db.put_web_session("h1", session.clone()).await.unwrap();
    db.put_web_session("h2", session.clone()).await.unwrap();
    assert_eq!(db.web_session("h1", 999).await.unwrap(), Some(session));
    assert_eq!(db.web_session("h1", 1_000).await.unwrap(), None, "expired");
    assert_eq!(db.web_session("nope", 0).await.unwrap(), None);
    db.drop_web_session("h1").await.unwrap();
    assert_eq!(db.web_session("h1", 0).await.unwrap(), None);
    db.expire_web_sessions(1_000).await.unwrap();
    assert_eq!(db.web_session("h2", 0).await.unwrap(), None);
    // The archive register: 档号 and case numbers unique, 件号 counted per batch, events kept.
    let archived = |case: &str, item: u16| ArchiveRow {
        case_number: case.into(),
        township: T.into(),
        code: format!("Z450721-2026-D30-RS-{item:04}"),
        batch: "Z450721-2026-D30-RS".into(),
        item,
        year: 2026,
        retention: "D30".into(),
        object: "ab".repeat(32),
        bytes: 1234,
        archived_at_ms: 5,
    };
    assert_eq!(
        db.last_archive_item("Z450721-2026-D30-RS").await.unwrap(),
        0
    );
    assert!(db.put_archive(archived("c1", 1)).await.unwrap());
    assert!(
        !db.put_archive(archived("c1", 2)).await.unwrap(),
        "case archived twice"
    );
    assert!(
        !db.put_archive(archived("c2", 1)).await.unwrap(),
        "档号 given twice"
    );
    assert!(db.put_archive(archived("c2", 2)).await.unwrap());
    assert_eq!(
        db.last_archive_item("Z450721-2026-D30-RS").await.unwrap(),
        2
    );
    assert_eq!(db.archive_row("c2").await.unwrap(), Some(archived("c2", 2)));
    assert_eq!(db.archive_rows(T).await.unwrap().len(), 2);
    assert!(db.archive_rows("450721102").await.unwrap().is_empty());
    let event = ArchiveEvent {
        case_number: "c1".into(),
        at_ms: 9,
        kind: "fixity".into(),
        outcome: "fail".into(),
        detail: "flipped".into(),
        report: Some("{}".into()),
    };
    db.add_archive_event(event.clone()).await.unwrap();
    assert_eq!(db.archive_events("c1").await.unwrap(), vec![event]);
    assert!(db.archive_events("c2").await.unwrap().is_empty());

    // Departments: added once, disabled once (the first time stands), listed in code order.
    use crate::sharing_db::{CaseAccess, Department};
    let dept = |code: &str| Department {
        code: code.into(),
        name: "灵山县民政局".into(),
        kind: "MZ".into(),
        public_key: "ab".repeat(32),
        added_at_ms: 5,
        disabled_at_ms: None,
    };
    assert!(db.add_department(&dept("MZ01")).await.unwrap());
    assert!(!db.add_department(&dept("MZ01")).await.unwrap());
    assert!(db.add_department(&dept("CL01")).await.unwrap());
    assert!(db.disable_department("MZ01", 7).await.unwrap());
    assert!(db.disable_department("MZ01", 9).await.unwrap());
    assert!(!db.disable_department("XX", 9).await.unwrap());
    let listed = db.departments().await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["CL01", "MZ01"]
    );
    assert_eq!(
        db.department("MZ01").await.unwrap().unwrap().disabled_at_ms,
        Some(7)
    );
    assert_eq!(db.department("nobody").await.unwrap(), None);
    // A case's uses in log order; a grant counts only its releases.
    let access = |position: u64, grant: Option<&str>, released: bool| CaseAccess {
        case_number: "c1".into(),
        township: T.into(),
        position,
        grant_id: grant.map(str::to_owned),
        released,
    };
    for a in [
        access(9, Some("g1"), true),
        access(3, None, false),
        access(12, Some("g1"), false),
        access(14, Some("g1"), true),
    ] {
        db.add_case_access(&a).await.unwrap();
    }
    assert!(db.add_case_access(&access(3, None, true)).await.is_err());
    let positions: Vec<u64> = db
        .case_accesses("c1")
        .await
        .unwrap()
        .iter()
        .map(|a| a.position)
        .collect();
    assert_eq!(positions, [3, 9, 12, 14]);
    assert!(db.case_accesses("c2").await.unwrap().is_empty());
    assert_eq!(db.grant_uses("g1").await.unwrap(), 2);
    // Every stored case is found under its applicant's tag, and under no other.
    let mut tagged = Vec::new();
    for len in 0..64 {
        tagged.extend(db.cases_of_applicant(&format!("tag-{len}")).await.unwrap());
    }
    assert!(!tagged.is_empty());
    assert!(
        tagged
            .iter()
            .all(|(township, _)| township.starts_with("450721"))
    );
    assert!(db.cases_of_applicant("tag-none").await.unwrap().is_empty());
    assert_eq!(db.grant_uses("g2").await.unwrap(), 0);
    assert!(db.database_bytes().await.unwrap() > 0);
    db.ping().await.unwrap();
}

#[tokio::test]
async fn the_embedded_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    contract(SqliteDb::open(&path, &[7u8; 32]).unwrap()).await;
    // The file is encrypted: it opens with its key only.
    assert!(SqliteDb::open(&path, &[8u8; 32]).is_err());
    assert!(
        !std::fs::read(&path)
            .unwrap()
            .windows(6)
            .any(|w| w == "檀圩镇".as_bytes())
    );
    SqliteDb::open(&path, &[7u8; 32]).unwrap();
}

#[tokio::test]
async fn a_plain_database_from_an_older_hub_is_encrypted_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    {
        let plain = rusqlite::Connection::open(&path).unwrap();
        // As the earlier runner left it: the first step applied, counted in user_version.
        plain
            .execute_batch(crate::migrations::SQLITE[0].sql)
            .unwrap();
        plain
            .execute_batch(
                "INSERT INTO townships (code, name) VALUES ('450721101', '檀圩镇');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
    }
    assert!(SqliteDb::needs_new_key(&path));
    let db = SqliteDb::open(&path, &[7u8; 32]).unwrap();
    assert_eq!(db.township(T).await.unwrap().unwrap().name, "檀圩镇");
    assert!(!SqliteDb::needs_new_key(&path));
    assert!(
        !std::fs::read(&path)
            .unwrap()
            .starts_with(b"SQLite format 3")
    );
}

#[tokio::test]
async fn postgresql_keeps_the_contract() {
    let (Ok(url), Ok(admin)) = (
        std::env::var("TONGBAN_TEST_POSTGRES_URL"),
        std::env::var("TONGBAN_TEST_POSTGRES_ADMIN"),
    ) else {
        assert!(
            std::env::var("TONGBAN_REQUIRE_POSTGRES").is_err(),
            "TONGBAN_REQUIRE_POSTGRES is set but no server was started"
        );
        eprintln!("skipped: no PostgreSQL server");
        return;
    };
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    let name = format!("tongban_contract_{}", hex::encode(suffix));
    let (client, connection) =
        tokio_postgres::connect(&format!("{admin} dbname=postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    let (address, options) = url.split_once('?').unwrap();
    let base = address.rsplit_once('/').unwrap().0;
    let db = PgDb::connect(&format!("{base}/{name}?{options}"))
        .await
        .unwrap();
    contract(db).await;
}
