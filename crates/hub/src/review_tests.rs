//! The 4 roles × every move matrix at the hub: each move, written correctly (planned by the desk's
//! own planner, signed with its author's key, sealed by the sending device when a decision) in
//! the name of a person of each role, is taken exactly when that role may take it; and the same
//! move with another person's signature, or from a desk its author does not work at, never is.
#![allow(clippy::unwrap_used)]

use crate::db::Device;
use crate::review::{Person, Township, check_change};
use std::borrow::Cow;
use tongban_domain::workflow::{self, Request, Rules};
use tongban_domain::{
    Action, Case, CaseNumber, Catalogue, Desk, Registration, Role, Secret, Text, TownshipCode,
    WorkCalendar,
};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::{case_doc, decision, person};

const DEVICE: &str = "0d0e0f";
const PEOPLE: [(&str, Role); 4] = [
    ("李明", Role::Clerk),
    ("张华", Role::Supervisor),
    ("黄勇", Role::Field),
    ("周敏", Role::Admin),
];

fn key(name: &str) -> Secret {
    let i = PEOPLE.iter().position(|(n, _)| *n == name).unwrap();
    Secret::new([i as u8 + 1; 32])
}

fn device_key() -> Secret {
    Secret::new([9; 32])
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn township() -> Township {
    let people = PEOPLE
        .iter()
        .map(|(name, role)| {
            let public = person::signing_key(&key(name)).verifying_key();
            let person = Person {
                roles: vec![(0, *role)],
                role_now: *role,
                disabled_at: None,
                keys: vec![(0, public)],
                desks: vec![(DEVICE.to_string(), 0, None)],
            };
            (name.to_string(), person)
        })
        .collect();
    Township {
        code: "450721101".into(),
        people,
        calendar: Cow::Borrowed(WorkCalendar::builtin()),
        catalogues: tongban_domain::Catalogues::shipped().clone(),
        now_ms: now_ms(),
    }
}

fn sender() -> Device {
    let public = person::signing_key(&device_key()).verifying_key();
    Device {
        id: DEVICE.into(),
        township: "450721101".into(),
        serial: 1,
        public_key: hex::encode(public.to_bytes()),
        user: "黄勇".into(),
        label: String::new(),
        revoked: false,
        enrolled_at: 0,
    }
}

fn rules(case: &Case) -> Rules<'static> {
    Rules {
        levels: 1,
        item: Catalogue::builtin().item(&case.item_code),
        today: tongban_domain::calendar::china_date(now_ms()),
        calendar: WorkCalendar::builtin(),
    }
}

fn request() -> Request {
    Request {
        reason: Some("经核实".into()),
        assignee: Some("张华".into()),
        ..Request::default()
    }
}

/// The first role that may take `action`, and one of its people.
fn planner(action: Action) -> (&'static str, Role) {
    PEOPLE.into_iter().find(|(_, r)| r.may(action)).unwrap()
}

/// Writes `action` by `by` on the document as a desk does: planned by `planner` (a role that
/// may take it), signed with `signer`'s key.
fn write(doc: &mut AutoCommit, action: Action, by: &str, planner: Role, signer: &str) {
    let case = case_doc::read(doc).unwrap();
    let planned = workflow::plan(&case, by, planner, action, &request(), &rules(&case)).unwrap();
    let mut event = planned.into_event(now_ms(), by, DEVICE);
    if action.is_decision() {
        let seal_key = person::signing_key(&device_key());
        event.seal = Some(decision::seal(doc, case.number.as_str(), &event, &seal_key));
    }
    case_doc::apply_event(doc, &event, &key(signer)).unwrap();
}

/// A case the field worker registered with the household register missing, taken along the
/// path to where `action` may start.
fn case_before(action: Action) -> AutoCommit {
    let today = tongban_domain::calendar::china_date(now_ms());
    let township = TownshipCode::parse("450721101").unwrap();
    let desk = Desk {
        township: &township,
        clerk: "黄勇",
        device: DEVICE,
        now_ms: now_ms() - 60_000,
        today,
    };
    let case = Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        id_type: Default::default(),
        agent: None,
        phone: None,
        address: None,
        received: vec!["ID_CARD".into(), "ENROL_FORM".into()],
    }
    .into_case(
        Catalogue::builtin(),
        CaseNumber::new(&township, today, 1, 1).unwrap(),
        &desk,
    )
    .unwrap();
    let mut doc = case_doc::create(&case, DEVICE, &key("黄勇")).unwrap();
    // An applicant withdraws in writing: the window scans the request first.
    if action == Action::Withdraw {
        let scanned = tongban_domain::CaseEvent {
            at_ms: now_ms() - 30_000,
            kind: tongban_domain::EventKind::PagesAttached,
            by: "李明".into(),
            device: DEVICE.into(),
            paper: Some(tongban_domain::PaperKind::WithdrawalRequest),
            ..tongban_domain::CaseEvent::default()
        };
        let page = tongban_domain::PageRef {
            sha256: "ab".repeat(32),
            bytes: 1000,
            mime: "image/jpeg".into(),
            width: 100,
            height: 100,
        };
        let paper = tongban_domain::PaperKind::WithdrawalRequest;
        case_doc::attach_paper(&mut doc, paper, &[page], &scanned, &key("李明")).unwrap();
    }
    let path = [
        (Action::Return, "李明", Role::Clerk),
        (Action::Supplement, "李明", Role::Clerk),
        (Action::Accept, "张华", Role::Supervisor),
        (Action::HandOver, "李明", Role::Clerk),
        (Action::Approve, "张华", Role::Supervisor),
    ];
    // Where an honest desk could take the action: the first state on the path that allows it.
    let (who, role) = planner(action);
    let allowed = |doc: &AutoCommit| {
        let case = case_doc::read(doc).unwrap();
        workflow::plan(&case, who, role, action, &request(), &rules(&case)).is_ok()
    };
    for (step, by, role) in path {
        if allowed(&doc) {
            break;
        }
        write(&mut doc, step, by, role, by);
    }
    assert!(allowed(&doc), "{action}");
    doc
}

/// What the hub says of `action` by `by`, signed by `signer`, judged by `township`'s people.
fn judged(action: Action, by: &str, signer: &str, township: &Township) -> Result<(), Text> {
    let mut doc = case_before(action);
    let before = case_doc::read(&doc).unwrap();
    let before_heads = doc.get_heads();
    // Planned by a role that may take it: the event is what an honest desk would write.
    write(&mut doc, action, by, planner(action).1, signer);
    let after = case_doc::read(&doc).unwrap();
    check_change(
        Some(&before),
        &after,
        &mut doc,
        &before_heads,
        &sender(),
        township,
    )
}

#[test]
fn every_role_and_move_at_the_hub() {
    let moves = [
        Action::Return,
        Action::Supplement,
        Action::Accept,
        Action::HandOver,
        Action::Approve,
        Action::Reject,
        Action::Complete,
        Action::Withdraw,
        Action::Reassign,
    ];
    let people = township();
    for action in moves {
        for (by, role) in PEOPLE {
            let outcome = judged(action, by, by, &people);
            assert_eq!(
                outcome.is_ok(),
                role.may(action),
                "{role} {action}: {outcome:?}"
            );
            if let Err(refusal) = outcome {
                assert!(refusal.zh.contains("无权"), "{role} {action}: {refusal}");
            }
        }
        // Taken by one who may, but signed by someone else: refused whoever signed.
        let (by, _) = planner(action);
        let other = PEOPLE.iter().find(|(n, _)| *n != by).unwrap().0;
        let refusal = judged(action, by, other, &people).unwrap_err();
        assert!(
            refusal.zh.contains("本人对其内容的签名"),
            "{action}: {refusal}"
        );
        // From a desk its author was taken off before the move.
        let mut moved = township();
        if let Some(p) = moved.people.get_mut(by) {
            p.desks = vec![(DEVICE.to_string(), 0, Some(1))];
        }
        let refusal = judged(action, by, by, &moved).unwrap_err();
        assert!(
            refusal.zh.contains("未被分配到发送此记录的设备"),
            "{action}: {refusal}"
        );
    }
}

#[test]
fn an_event_is_judged_by_the_key_its_author_held_then() {
    let old = person::signing_key(&Secret::new([1; 32])).verifying_key();
    let new = person::signing_key(&Secret::new([2; 32])).verifying_key();
    let person = Person {
        roles: vec![(100, Role::Clerk)],
        role_now: Role::Clerk,
        disabled_at: None,
        keys: vec![(100, old), (200, new)],
        desks: vec![(DEVICE.to_string(), 100, None)],
    };
    // History typed in before the account existed is the first key's; a reset's key holds from
    // the reset on, and the old key signs nothing dated after it.
    assert_eq!(person.key_at(50), Some(&old));
    assert_eq!(person.key_at(150), Some(&old));
    assert_eq!(person.key_at(200), Some(&new));
    assert_eq!(person.key_at(10_000), Some(&new));
}
