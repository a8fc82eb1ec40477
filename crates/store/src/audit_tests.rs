//! The audit trail on a real SQLCipher store: what gets recorded, who may read it, and a
//! changed or removed row found at its position.
#![allow(clippy::unwrap_used)]

use crate::test_desk::{PASSWORD, desk, session};
use crate::{DocKind, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;
use tongban_audit::ChainProblem;
use tongban_domain::{Action, Denied, Move, Registration, SecurityPolicy};

const NOW: OffsetDateTime = datetime!(2026-11-16 10:00 +8);

fn registration() -> Registration {
    Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        phone: Some("13907711234".into()),
        received: vec![
            "ID_CARD".into(),
            "HOUSEHOLD_REGISTER".into(),
            "ENROL_FORM".into(),
        ],
        ..Default::default()
    }
}

#[test]
fn every_access_is_recorded_and_a_supervisor_reads_who_saw_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let clerk = session("李明");
    let boss = session("张华");
    store.sign_in("李明", PASSWORD, None, 1).unwrap();
    assert!(store.sign_in("李明", "wrong", None, 2).is_err());
    let case = store.register(registration(), &clerk, NOW).unwrap();
    let number = case.number.to_string();
    store.view(&clerk, &number, NOW).unwrap();
    store
        .print_document(&clerk, &number, DocKind::Intake, NOW)
        .unwrap();
    let accept = Move::Accept {
        deferred: Vec::new(),
        commitment: Some("核实无误".into()),
        due: None,
    };
    store.act(&boss, &number, &accept, NOW).unwrap();
    let approve = Move::Approve {
        reason: Some("核实无误".into()),
    };
    store.act(&boss, &number, &approve, NOW).unwrap();
    // The field user may not see a case that is not theirs; the refusal is audited too.
    assert!(store.view(&session("黄勇"), &number, NOW).is_err());
    let (id, phone) = store.unmask(&boss, &number, NOW).unwrap();
    assert_eq!(id, "450721198806152311");
    assert_eq!(phone.as_deref(), Some("13907711234"));

    // Only supervisors read the trail of a case.
    assert!(matches!(
        store.case_audit(&clerk, &number, NOW),
        Err(StoreError::Denied(Denied::Role(_, Action::ReadAudit)))
    ));
    let rows = store.case_audit(&boss, &number, NOW).unwrap();
    let seen: Vec<(&str, &str, bool)> = rows
        .iter()
        .rev()
        .map(|r| (r.user.as_str(), r.action.as_str(), r.refused))
        .collect();
    assert_eq!(
        seen,
        [
            ("李明", "register", false),
            ("李明", "view", false),
            ("李明", "view", false),
            ("李明", "print", false),
            ("张华", "transition", false),
            ("张华", "decision", false),
            ("黄勇", "view", true),
            ("张华", "unmask", false),
            ("李明", "view", true),
            ("张华", "view", false),
        ]
    );
    assert_eq!(rows[0].detail, "read_audit");
    // No personal data in any event.
    let all = store.audit_rows(None, 1_000).unwrap();
    let text = format!("{all:?}");
    assert!(!text.contains("450721198806152311") && !text.contains("覃秀梅"));
    assert!(all.iter().any(|r| r.action == "sign_in" && r.refused));
    assert!(
        all.iter()
            .any(|r| r.action == "key" && r.detail == "enrolled")
    );
    let report = store.verify_trail(None).unwrap().unwrap();
    assert_eq!(report.events, all.len() as u64);
}

#[test]
fn a_changed_or_removed_row_is_found_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    for t in 0..20 {
        store.sign_in("李明", PASSWORD, None, t).unwrap();
    }
    let head = store.audit_head().unwrap().unwrap();
    store.verify_trail(Some(head)).unwrap().unwrap();

    // An edited event: its signature no longer matches.
    let bytes: Vec<u8> = store
        .conn
        .query_row("SELECT bytes FROM audit_events WHERE seq = 7", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut edited = bytes.clone();
    let at = edited.len() - 3;
    edited[at] ^= 1;
    store
        .conn
        .execute(
            "UPDATE audit_events SET bytes = ?1 WHERE seq = 7",
            [&edited],
        )
        .unwrap();
    let err = store.verify_trail(Some(head)).unwrap().unwrap_err();
    // Events are numbered from 0 (the enrolment), so the row's sequence number is its position.
    assert_eq!(err.position, 7);
    store
        .conn
        .execute("UPDATE audit_events SET bytes = ?1 WHERE seq = 7", [&bytes])
        .unwrap();

    // A removed event: the next one is out of sequence.
    store
        .conn
        .execute("DELETE FROM audit_events WHERE seq = 12", [])
        .unwrap();
    let err = store.verify_trail(Some(head)).unwrap().unwrap_err();
    assert_eq!(err.position, 12);
    assert_eq!(
        err.problem,
        ChainProblem::OutOfSequence {
            expected: 12,
            found: 13
        }
    );

    // Events cut off the end are found only against a head kept elsewhere.
    store
        .conn
        .execute("DELETE FROM audit_events WHERE seq >= 12", [])
        .unwrap();
    assert!(store.verify_trail(None).unwrap().is_ok());
    let err = store.verify_trail(Some(head)).unwrap().unwrap_err();
    assert_eq!(err.problem, ChainProblem::Truncated { expected: 21 });
}
