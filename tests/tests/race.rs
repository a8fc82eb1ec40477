//! Two desks correcting the same cases at the same moment: the hub writes each sync request in
//! one transaction, and a case another request stored in between is applied again on top of
//! it. Neither desk's corrections may be lost, on either hub database.

use std::collections::HashMap;
use std::thread;

use tongban_domain::{CaseField, FieldEdit};
use tongban_e2e::sim::{Replica, SimDevice, settle};
use tongban_e2e::{Backend, Hub, TOWNSHIP, postgres_database};
use tongban_sync::case_doc;

const CASES: u32 = 30;
const MAX_ROUNDS: u32 = 30;

fn edit_all(device: &SimDevice, docs: &mut HashMap<String, Replica>, edit: &FieldEdit, at_ms: i64) {
    for (doc, _) in docs.values_mut() {
        device.correct(doc, edit, at_ms);
    }
}

fn corrections_at_once_are_all_kept(backend: Backend) {
    let hub = Hub::start(backend);
    let first = SimDevice::enroll(&hub, TOWNSHIP, "李明");
    let second = SimDevice::enroll(&hub, TOWNSHIP, "韦春梅");
    let mut mine = first.register(1..=CASES, 1);
    assert_eq!(settle(&first.client, &mut mine), CASES as usize);
    let mut theirs = second.fetch_list();
    assert_eq!(theirs.len(), CASES as usize);
    assert_eq!(settle(&second.client, &mut theirs), CASES as usize);

    let mut raced = 0;
    let mut rounds = 0;
    let base_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    // Until the hub has had to apply a case again a few times (it logs each).
    while raced < 3 {
        rounds += 1;
        assert!(
            rounds <= MAX_ROUNDS,
            "no write race in {MAX_ROUNDS} rounds of simultaneous syncs"
        );
        let at = base_ms + i64::from(rounds) * 1000;
        let phone = FieldEdit::new(CaseField::Phone, &format!("1390000{rounds:04}"))
            .expect("a valid phone number");
        let address = FieldEdit::new(CaseField::Address, &format!("檀圩镇第{rounds}组"))
            .expect("a valid address");
        edit_all(&first, &mut mine, &phone, at);
        edit_all(&second, &mut theirs, &address, at);
        thread::scope(|s| {
            s.spawn(|| settle(&first.client, &mut mine));
            s.spawn(|| settle(&second.client, &mut theirs));
        });
        raced = hub.log().matches("stored by another request first").count();
    }
    // Each side catches up on what the other's last round brought.
    settle(&first.client, &mut mine);
    settle(&second.client, &mut theirs);
    assert_eq!(settle(&first.client, &mut mine), CASES as usize);

    let phone = format!("1390000{rounds:04}");
    let address = format!("檀圩镇第{rounds}组");
    // A third desk sees what the hub kept.
    let third = SimDevice::enroll(&hub, TOWNSHIP, "蒙德胜");
    let mut kept = third.fetch_list();
    assert_eq!(settle(&third.client, &mut kept), CASES as usize);
    for (id, (doc, _)) in &mut kept {
        let case = case_doc::read(doc).expect("a readable case");
        assert_eq!(
            case.applicant.phone.as_ref().map(|p| p.as_str()),
            Some(phone.as_str()),
            "{id}"
        );
        assert_eq!(
            case.applicant.address.as_deref(),
            Some(address.as_str()),
            "{id}"
        );
        let corrections = case
            .events
            .iter()
            .filter(|e| e.kind == tongban_domain::EventKind::FieldChanged)
            .count();
        assert_eq!(
            corrections,
            2 * rounds as usize,
            "{id}: every correction kept"
        );
        for replica in [&mut mine, &mut theirs] {
            let (other, _) = replica.get_mut(id).expect("every case on both desks");
            assert_eq!(other.get_heads(), doc.get_heads(), "{id} converged");
        }
    }
}

#[test]
fn corrections_at_once_are_all_kept_by_the_sqlite_hub() {
    corrections_at_once_are_all_kept(Backend::Sqlite);
}

#[test]
fn corrections_at_once_are_all_kept_by_the_postgres_hub() {
    if let Some(url) = postgres_database() {
        corrections_at_once_are_all_kept(Backend::Postgres(url));
    }
}
