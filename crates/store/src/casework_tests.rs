//! Every (role, action) pair against a real SQLCipher store; sign-in lockout and one-time codes
//! with a clock the test controls; work queues and deadline flags.
#![allow(clippy::unwrap_used)]

use crate::cases::{load_doc, save_doc};
use crate::test_desk::{self, PASSWORD, desk, session};
use crate::{Store, StoreError};
use rusqlite::TransactionBehavior;
use time::OffsetDateTime;
use time::macros::datetime;
use tongban_domain::role::{ACTIONS, ROLES};
use tongban_domain::session::{PasswordError, Session};
use tongban_domain::{
    Action, CaseEvent, CaseField, CaseStatus, DeadlineFlag, Denied, EventKind, FieldEdit, Move,
    PaperKind, Registration, Request, Role, SecurityPolicy, SignInError, WorkCalendar,
};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::case_doc;

const NOW: OffsetDateTime = datetime!(2026-11-16 10:00 +8);
const MINUTE: i64 = 60_000;

fn registration() -> Registration {
    Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        received: vec![
            "ID_CARD".into(),
            "HOUSEHOLD_REGISTER".into(),
            "ENROL_FORM".into(),
        ],
        ..Default::default()
    }
}

/// An application with materials missing, for a one-time notice.
fn incomplete() -> Registration {
    Registration {
        received: vec!["ID_CARD".into()],
        ..registration()
    }
}

fn request() -> Request {
    Request {
        reason: Some("核实无误".into()),
        assignee: Some("李明".into()),
        outcome: Some(CaseStatus::Approved),
        ground: Some(tongban_domain::workflow::RefusalGround::NotEligible),
        days: Some(5),
        step: Some(tongban_domain::assistance::StepKind::HomeVisit),
        delivery: Some(tongban_domain::Delivery {
            method: tongban_domain::DeliveryMethod::Window,
            recipient: String::new(),
            tracking: None,
        }),
        grant: Some(tongban_domain::sharing::GrantTerms {
            department: "MZ01".into(),
            resources: vec![tongban_domain::sharing::Resource::Package],
            until: "2026-12-31".into(),
            uses: 2,
        }),
        rectification: Some(tongban_domain::rating::Rectification {
            follow_up: "电话回访，申请人认可".into(),
            action: "窗口增设导办员".into(),
        }),
        ..Request::default()
    }
}

fn the_move(action: Action) -> Move {
    Move::new(action, request()).unwrap()
}

fn act(store: &mut Store, user: &str, number: &str, action: Action) {
    store
        .act(&session(user), number, &the_move(action), NOW)
        .unwrap();
}

/// Two supervisors' offline decisions on one case, as a merge delivers them.
fn conflicting(store: &mut Store, number: &str) {
    delivered(store, number, |doc| {
        let mut other = doc.fork();
        for (d, kind, to, by) in [
            (&mut *doc, EventKind::Approved, CaseStatus::Approved, "张华"),
            (
                &mut other,
                EventKind::Rejected,
                CaseStatus::Rejected,
                "陈刚",
            ),
        ] {
            let event = CaseEvent {
                at_ms: 1,
                kind,
                by: by.into(),
                device: "0d0e0f".into(),
                from: Some(CaseStatus::Accepted),
                to: Some(to),
                reason: Some("离线决定".into()),
                ..CaseEvent::default()
            };
            case_doc::apply_event(d, &event, &test_desk::person_key(by)).unwrap();
        }
        doc.merge(&mut other).unwrap();
    });
}

/// A change made to a case's document outside this desk (another desk, the hub), stored as a
/// sync stores it.
fn delivered(store: &mut Store, number: &str, change: impl FnOnce(&mut AutoCommit)) {
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    let mut doc = load_doc(&tx, number).unwrap().unwrap();
    let before = doc.get_heads();
    change(&mut doc);
    save_doc(
        &tx,
        WorkCalendar::builtin(),
        number,
        &mut doc,
        Some(&before),
    )
    .unwrap();
    tx.commit().unwrap();
}

/// A case registered by the field user (so field staff own it), in a state where `action` is
/// possible for whoever may take it.
fn prepared(store: &mut Store, action: Action) -> String {
    let application = match action {
        Action::Return | Action::Supplement => incomplete(),
        // Only an item the county decides is reported up.
        Action::Forward => Registration {
            item: "YL02".into(),
            received: ["ID_CARD", "HOUSEHOLD_REGISTER", "BANK_CARD", "BENEFIT_FORM"]
                .map(String::from)
                .to_vec(),
            ..registration()
        },
        // Only an assistance item has steps to record.
        Action::RecordStep => Registration {
            item: "DB01".into(),
            received: [
                "ID_CARD",
                "HOUSEHOLD_REGISTER",
                "APPLICATION",
                "INCOME_STATEMENT",
                "CHECK_AUTHORISATION",
            ]
            .map(String::from)
            .to_vec(),
            ..registration()
        },
        // A commitment stands in for a proof of hardship.
        Action::Commit | Action::CheckCommitment | Action::BreakCommitment => Registration {
            item: "JZ01".into(),
            received: ["ID_CARD", "APPLICATION"].map(String::from).to_vec(),
            ..registration()
        },
        _ => registration(),
    };
    let case = store.register(application, &session("黄勇"), NOW).unwrap();
    let number = case.number.to_string();
    match action {
        Action::Supplement => act(store, "李明", &number, Action::Return),
        Action::HandOver
        | Action::Approve
        | Action::Reject
        | Action::Correct
        | Action::Forward
        | Action::RecordStep
        | Action::Extend
        | Action::Suspend => act(store, "张华", &number, Action::Accept),
        Action::Resume => {
            act(store, "张华", &number, Action::Accept);
            act(store, "张华", &number, Action::Suspend);
        }
        Action::Withdraw => {
            let request = crate::pages_tests::page(7);
            store
                .attach_paper(
                    &number,
                    PaperKind::WithdrawalRequest,
                    &[request],
                    &session("李明"),
                    NOW,
                )
                .unwrap();
        }
        Action::Deliver => {
            let receipt = crate::pages_tests::page(8);
            store
                .attach_paper(
                    &number,
                    PaperKind::DeliveryReceipt,
                    &[receipt],
                    &session("李明"),
                    NOW,
                )
                .unwrap();
            act(store, "张华", &number, Action::Accept);
            act(store, "张华", &number, Action::Approve);
        }
        Action::Commit | Action::CheckCommitment | Action::BreakCommitment => {
            let letter = crate::pages_tests::page(9);
            store
                .attach_paper(
                    &number,
                    PaperKind::Commitment,
                    &[letter],
                    &session("李明"),
                    NOW,
                )
                .unwrap();
            if action != Action::Commit {
                act(store, "李明", &number, Action::Commit);
                act(store, "张华", &number, Action::Accept);
            }
        }
        Action::Complete => {
            act(store, "张华", &number, Action::Accept);
            act(store, "张华", &number, Action::Approve);
        }
        Action::Resolve => {
            act(store, "张华", &number, Action::Accept);
            conflicting(store, &number);
        }
        Action::Rectify => {
            act(store, "张华", &number, Action::Accept);
            act(store, "张华", &number, Action::Approve);
            rated_badly(store, &number);
        }
        _ => {}
    }
    number
}

/// The applicant's 差评 as the hub writes it and a sync delivers it.
fn rated_badly(store: &mut Store, number: &str) {
    use tongban_domain::rating::{BadReason, Rating, Satisfaction, plan_rating};
    delivered(store, number, |doc| {
        let case = case_doc::read(doc).unwrap();
        let rating = Rating::checked(Satisfaction::Dissatisfied, Some(BadReason::TooSlow), None);
        let calendar = WorkCalendar::builtin();
        let at = case.updated_at_ms + 60_000;
        let event = plan_rating(&case, rating.unwrap(), at, "hub-450721101", calendar, 5).unwrap();
        case_doc::record_hub_event(doc, "hub-450721101", &event).unwrap();
    });
}

fn digest(store: &Store, number: &str) -> String {
    store
        .conn
        .query_row(
            "SELECT digest FROM cases WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

fn attempt(
    store: &mut Store,
    who: &Session,
    action: Action,
    number: &str,
) -> Result<(), StoreError> {
    match action {
        Action::Register => store.register(registration(), who, NOW).map(drop),
        Action::Edit => {
            let edit = FieldEdit::new(CaseField::Address, "檀圩镇新村").unwrap();
            store.set_field(number, &edit, who, NOW).map(drop)
        }
        Action::Correct => {
            let edit = FieldEdit::new(CaseField::Name, "覃秀梅").unwrap();
            store
                .correct_field(number, &edit, "身份证复印件核对有误", who, NOW)
                .map(drop)
        }
        Action::View => store.view(who, number, NOW).map(drop),
        Action::ReadAudit => store.case_audit(who, number, NOW).map(drop),
        Action::Unmask => store.unmask(who, number, NOW).map(drop),
        Action::PruneAudit => store.prune_audit(who, 0, NOW).map(drop),
        Action::ConfigureDesk => store.change_hub_url(who, "https://hub.example:8470", NOW),
        _ => store.act(who, number, &the_move(action), NOW).map(drop),
    }
}

#[test]
fn every_role_and_action() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let users = [
        ("李明", Role::Clerk),
        ("张华", Role::Supervisor),
        ("黄勇", Role::Field),
        ("周敏", Role::Admin),
    ];
    // The table covers every role a township's desk has; a county officer acts only on cases
    // reported up, tried at the county step (domain county_tests, e2e workflow county).
    let township_roles: Vec<Role> = ROLES.into_iter().filter(|r| !r.is_county()).collect();
    assert_eq!(users.map(|(_, role)| role).to_vec(), township_roles);
    let mut checked = 0;
    for (user, role) in users {
        // Accounts are managed at the hub; a backup is a whole profile's act, tried on real
        // profiles by the backup drill (tests/tests/backup.rs) for an administrator and a clerk;
        // the figures are the whole desk's, tried by the report tests (figures_tests.rs).
        for action in ACTIONS.into_iter().filter(|a| {
            !matches!(
                a,
                Action::ManageUsers | Action::Backup | Action::ReadFigures
            )
        }) {
            let number = prepared(&mut store, action);
            let before = digest(&store, &number);
            let refusals = store.refusals().unwrap().len();
            let outcome = attempt(&mut store, &session(user), action, &number);
            if role.may(action) {
                assert!(outcome.is_ok(), "{role} {action}: {outcome:?}");
                if action == Action::ConfigureDesk {
                    let recorded = store.enrollment().unwrap().hub_url;
                    assert_eq!(recorded, "https://hub.example:8470");
                }
                if !matches!(
                    action,
                    Action::View
                        | Action::Register
                        | Action::ReadAudit
                        | Action::Unmask
                        | Action::PruneAudit
                        | Action::ConfigureDesk
                ) {
                    assert_ne!(
                        digest(&store, &number),
                        before,
                        "{role} {action} changed nothing"
                    );
                }
            } else {
                let message = match outcome {
                    Err(StoreError::Denied(Denied::Role(r, a))) if r == role && a == action => {
                        StoreError::Denied(Denied::Role(r, a)).to_string()
                    }
                    other => panic!("{role} {action}: expected a refusal, got {other:?}"),
                };
                assert!(message.contains(role.label_zh()) && message.contains(action.label_zh()));
                assert_eq!(
                    digest(&store, &number),
                    before,
                    "{role} {action} changed the case"
                );
                let recorded = store.refusals().unwrap();
                assert_eq!(recorded.len(), refusals + 1, "{role} {action} not recorded");
                let last = recorded.last().unwrap();
                assert_eq!(
                    (last.user.as_str(), last.action.as_str()),
                    (user, action.as_str())
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * (ACTIONS.len() - 3));
}

#[test]
fn field_staff_see_only_their_own_cases() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let theirs = store
        .register(registration(), &session("李明"), NOW)
        .unwrap();
    let field = session("黄勇");
    assert!(matches!(
        store.view(&field, theirs.number.as_str(), NOW),
        Err(StoreError::Denied(Denied::NotOwnCase))
    ));
    let edit = FieldEdit::new(CaseField::Phone, "13900139000").unwrap();
    assert!(
        store
            .set_field(theirs.number.as_str(), &edit, &field, NOW)
            .is_err()
    );
    // Reassigned to them, it is theirs to work on.
    let to_field = Move::Reassign {
        to: "黄勇".into(),
        reason: None,
    };
    store
        .act(&session("张华"), theirs.number.as_str(), &to_field, NOW)
        .unwrap();
    store
        .set_field(theirs.number.as_str(), &edit, &field, NOW)
        .unwrap();
    assert_eq!(store.queues(&field, NOW.date()).unwrap().mine.len(), 1);
}

#[test]
fn lockout_and_release_on_a_controlled_clock() {
    let dir = tempfile::tempdir().unwrap();
    let policy = SecurityPolicy {
        max_failures: 3,
        lockout_minutes: 15,
        ..SecurityPolicy::default()
    };
    let mut store = desk(dir.path(), policy);
    let t = 1_800_000_000_000;
    assert!(matches!(
        store.sign_in("李明", "wrong-pass-1", None, t),
        Err(StoreError::SignIn(SignInError::Wrong(2)))
    ));
    assert!(
        store
            .sign_in("李明", "wrong-pass-2", None, t + MINUTE)
            .is_err()
    );
    assert!(matches!(
        store.sign_in("李明", "wrong-pass-3", None, t + 2 * MINUTE),
        Err(StoreError::SignIn(SignInError::Locked(15)))
    ));
    // Locked: even the right password is refused, and other users are not affected.
    assert!(matches!(
        store.sign_in("李明", PASSWORD, None, t + 10 * MINUTE),
        Err(StoreError::SignIn(SignInError::Locked(7)))
    ));
    store
        .sign_in("张华", PASSWORD, None, t + 10 * MINUTE)
        .unwrap();
    // A directory refresh from the hub does not lift the lock.
    store
        .replace_directory(&crate::test_desk::directory(policy))
        .unwrap();
    assert!(
        store
            .sign_in("李明", PASSWORD, None, t + 16 * MINUTE)
            .is_err()
    );
    let session = store
        .sign_in("李明", PASSWORD, None, t + 17 * MINUTE + 1)
        .unwrap();
    assert_eq!(session.role, Role::Clerk);
    let refused = store.refusals().unwrap();
    assert_eq!(refused.iter().filter(|r| r.action == "sign_in").count(), 5);
    assert!(matches!(
        store.sign_in("无此人", PASSWORD, None, t),
        Err(StoreError::SignIn(SignInError::Wrong(_)))
    ));
}

#[test]
fn accounts_with_a_one_time_code_need_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let mut directory = crate::test_desk::directory(SecurityPolicy::default());
    // A fixed secret, so the wrong code below is wrong at every step the check accepts.
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string();
    directory.users[1].totp_secret = Some(secret.clone());
    store.replace_directory(&directory).unwrap();
    let t = 1_800_000_000_000;
    assert!(matches!(
        store.sign_in("张华", PASSWORD, None, t),
        Err(StoreError::SignIn(SignInError::CodeRequired))
    ));
    let code = tongban_sync::totp::code_at(&secret, 1_800_000_000).unwrap();
    let wrong = "000000";
    for step in [-30, 0, 30] {
        assert_ne!(
            tongban_sync::totp::code_at(&secret, (1_800_000_000 + step) as u64).unwrap(),
            wrong
        );
    }
    assert!(matches!(
        store.sign_in("张华", PASSWORD, Some(wrong), t),
        Err(StoreError::SignIn(SignInError::WrongCode))
    ));
    store.sign_in("张华", PASSWORD, Some(&code), t).unwrap();
}

#[test]
fn deadlines_turn_yellow_then_red_and_fill_the_queues() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let number = prepared(&mut store, Action::Approve);
    let supervisor = session("张华");
    // Accepted Monday 16 November, 5 working days: due Monday 23 November.
    let view = store.view(&supervisor, &number, NOW).unwrap();
    assert_eq!(
        tongban_domain::workflow::deadline(&view, &store.calendar().unwrap())
            .map(tongban_domain::calendar::date_text),
        Some("2026-11-23".to_string())
    );
    let on = |day| store.queues(&supervisor, day).unwrap();
    let green = on(time::macros::date!(2026 - 11 - 17));
    assert_eq!(green.awaiting_decision.len(), 1);
    assert_eq!(green.awaiting_decision[0].flag, Some(DeadlineFlag::Green));
    assert!(green.due.is_empty());
    let yellow = on(time::macros::date!(2026 - 11 - 19));
    assert_eq!(yellow.due.len(), 1);
    assert_eq!(yellow.due[0].flag, Some(DeadlineFlag::Yellow));
    let red = on(time::macros::date!(2026 - 11 - 24));
    assert_eq!(red.due[0].flag, Some(DeadlineFlag::Red));
    // A decision stops the clock.
    act(&mut store, "张华", &number, Action::Approve);
    let after = store
        .queues(&supervisor, time::macros::date!(2026 - 11 - 24))
        .unwrap();
    assert!(after.due.is_empty());
}

#[test]
fn search_finds_a_case_by_number_id_number_or_the_start_of_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let clerk = session("李明");
    let first = store.register(registration(), &clerk, NOW).unwrap();
    let other = Registration {
        name: "韦建军".into(),
        id_number: "450721199001010011".into(),
        ..registration()
    };
    store.register(other, &clerk, NOW).unwrap();
    let found = |text: &str| -> Vec<String> {
        let filter = crate::CaseFilter {
            query: Some(text.into()),
            ..Default::default()
        };
        let names: Vec<String> = store
            .list(&filter)
            .unwrap()
            .into_iter()
            .map(|c| c.applicant_name)
            .collect();
        assert_eq!(store.count(&filter).unwrap(), names.len() as u64);
        names
    };
    assert_eq!(found(first.number.as_str()), ["覃秀梅"]);
    assert_eq!(found("450721198806152311"), ["覃秀梅"]);
    assert_eq!(found("450721199001010011"), ["韦建军"]);
    assert_eq!(found("韦"), ["韦建军"]);
    assert_eq!(found("覃秀"), ["覃秀梅"]);
    assert!(
        found("秀梅").is_empty(),
        "names match from their start only"
    );
    // Pattern characters are taken out, never interpreted.
    assert!(found("覃*梅").is_empty());
    assert!(found("韦?军").is_empty());
    assert_eq!(found("[韦"), ["韦建军"]);

    // Through the desk's one search: a whole ID number is recorded (masked), a name is not,
    // and field staff see only their own cases.
    let searches = |store: &Store| {
        store
            .audit_rows(None, 1000)
            .unwrap()
            .into_iter()
            .filter(|r| r.detail.starts_with("search by identity number"))
            .map(|r| (r.user, r.detail))
            .collect::<Vec<_>>()
    };
    let query = |text: &str| crate::CaseFilter {
        query: Some(text.into()),
        ..Default::default()
    };
    let hit = store.search(&clerk, query("韦建"), NOW).unwrap();
    assert_eq!(hit.total, 1);
    assert!(searches(&store).is_empty());
    let hit = store
        .search(&clerk, query("450721198806152311"), NOW)
        .unwrap();
    assert_eq!(hit.cases[0].applicant_name, "覃秀梅");
    let recorded = searches(&store);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].0, "李明");
    assert!(
        !recorded[0].1.contains("450721198806152311"),
        "{recorded:?}"
    );
    assert!(recorded[0].1.contains("450721********2311"), "{recorded:?}");
    let field = store
        .search(&session("黄勇"), query("450721198806152311"), NOW)
        .unwrap();
    assert_eq!(field.total, 0, "field staff find only their own cases");
    let admin = store.search(&session("周敏"), query("韦"), NOW);
    assert!(matches!(admin, Err(StoreError::Denied(_))), "{admin:?}");
}

#[test]
fn a_new_password_seals_the_same_key_again_and_waits_for_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let policy = SecurityPolicy::default();
    let mut store = desk(dir.path(), policy);
    let t = 1_800_000_000_000;
    let new = "Li-ming-window-2027";
    // A guessable password is refused with the reason, and nothing changes.
    let weak = store.change_password("李明", PASSWORD, None, "password123", t);
    assert!(
        matches!(
            weak,
            Err(StoreError::Password(PasswordError::Guessable(..)))
        ),
        "{weak:?}"
    );
    assert!(store.pending_rekeys().unwrap().is_empty());
    assert!(matches!(
        store.change_password("李明", "not-the-password", None, new, t),
        Err(StoreError::SignIn(SignInError::Wrong(_)))
    ));
    store
        .change_password("李明", PASSWORD, None, new, t)
        .unwrap();
    assert!(store.sign_in("李明", PASSWORD, None, t).is_err());
    let session = store.sign_in("李明", new, None, t).unwrap();
    // The same key: what the person signs still verifies against the key the hub knows.
    assert_eq!(session.key, test_desk::person_key("李明"));
    let pending = store.pending_rekeys().unwrap();
    assert_eq!(pending.len(), 1);
    let public = tongban_sync::person::signing_key(&session.key).verifying_key();
    assert!(pending[0].verify(test_desk::TOWNSHIP, &public));
    // Until the hub takes it, a directory refresh keeps the new password.
    store
        .replace_directory(&test_desk::directory(policy))
        .unwrap();
    store.sign_in("李明", new, None, t).unwrap();
    // Once the hub has answered, the hub's directory decides.
    store.settle_rekey(&pending[0]).unwrap();
    store
        .replace_directory(&test_desk::directory(policy))
        .unwrap();
    store.sign_in("李明", PASSWORD, None, t).unwrap();
}

#[test]
fn a_reset_password_opens_nothing_but_a_change_and_keyless_accounts_are_told_why() {
    let dir = tempfile::tempdir().unwrap();
    let policy = SecurityPolicy::default();
    let mut store = desk(dir.path(), policy);
    let mut directory = test_desk::directory(policy);
    directory.users[0].must_change = true;
    directory.users[1].public_key = None;
    directory.users[1].sealed_key = None;
    store.replace_directory(&directory).unwrap();
    let t = 1_800_000_000_000;
    assert!(matches!(
        store.sign_in("李明", PASSWORD, None, t),
        Err(StoreError::SignIn(SignInError::MustChange))
    ));
    assert!(matches!(
        store.sign_in("张华", PASSWORD, None, t),
        Err(StoreError::SignIn(SignInError::NoPersonKey))
    ));
    store
        .change_password("李明", PASSWORD, None, "Li-ming-own-choice-9", t)
        .unwrap();
    assert_eq!(
        store
            .sign_in("李明", "Li-ming-own-choice-9", None, t)
            .unwrap()
            .user,
        "李明"
    );
}

#[test]
fn a_draft_is_its_typists_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = desk(dir.path(), SecurityPolicy::default());
    let (clerk, other) = (session("李明"), session("张华"));
    store
        .save_draft(&clerk, "intake", r#"{"name":"覃秀梅"}"#)
        .unwrap();
    assert_eq!(store.draft(&other, "intake").unwrap(), None);
    store.save_draft(&other, "intake", "{}").unwrap();
    assert_eq!(
        store.draft(&clerk, "intake").unwrap().as_deref(),
        Some(r#"{"name":"覃秀梅"}"#)
    );
    store.save_draft(&clerk, "intake", "").unwrap();
    assert_eq!(store.draft(&clerk, "intake").unwrap(), None);
    assert_eq!(
        store.draft(&other, "intake").unwrap().as_deref(),
        Some("{}")
    );
}

#[test]
fn an_accepted_applicants_name_is_corrected_only_by_a_supervisor_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let number = prepared(&mut store, Action::Correct);
    let renamed = FieldEdit::new(CaseField::Name, "覃秀美").unwrap();
    let before = digest(&store, &number);
    let clerk = store.set_field(&number, &renamed, &session("李明"), NOW);
    assert!(
        matches!(clerk, Err(StoreError::Denied(Denied::FactsLocked))),
        "{clerk:?}"
    );
    let supervisor = store.set_field(&number, &renamed, &session("张华"), NOW);
    assert!(
        matches!(supervisor, Err(StoreError::Denied(_))),
        "{supervisor:?}"
    );
    let by_clerk = store.correct_field(&number, &renamed, "笔误", &session("李明"), NOW);
    assert!(
        matches!(
            by_clerk,
            Err(StoreError::Denied(Denied::Role(
                Role::Clerk,
                Action::Correct
            )))
        ),
        "{by_clerk:?}"
    );
    let bare = store.correct_field(&number, &renamed, "  ", &session("张华"), NOW);
    assert!(
        matches!(
            bare,
            Err(StoreError::Denied(Denied::ReasonRequired(Action::Correct)))
        ),
        "{bare:?}"
    );
    assert_eq!(
        digest(&store, &number),
        before,
        "a refusal changed the case"
    );
    // Contact details stay the clerk's to keep current.
    let phone = FieldEdit::new(CaseField::Phone, "13907712345").unwrap();
    store
        .set_field(&number, &phone, &session("李明"), NOW)
        .unwrap();
    let case = store
        .correct_field(
            &number,
            &renamed,
            "与户口簿核对，原登记有误",
            &session("张华"),
            NOW,
        )
        .unwrap();
    assert_eq!(case.applicant.name, "覃秀美");
    let line = case.events.last().unwrap();
    assert_eq!(line.kind, EventKind::Corrected);
    assert_eq!(line.reason.as_deref(), Some("与户口簿核对，原登记有误"));
    assert_eq!(line.by, "张华");
}
