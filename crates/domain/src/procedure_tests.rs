//! The procedure after acceptance: 中止 and its resumption (the clock stands still), 终止办理 by
//! the organ, and 送达 of the result.

use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseEvent, CaseStatus, EventKind};
use crate::clock::{standing, suspended_days};
use crate::delivery::{Delivery, DeliveryMethod};
use crate::role::{Action, Role};
use crate::workflow::{Denied, Request, Rules, check_event, deadline, is_final};
use crate::workflow_tests::{act, case, reason, rules, step};
use time::macros::date;

const DAY_MS: i64 = 86_400_000;

fn accepted() -> Case {
    let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    c
}

/// Moves the last event to `days` calendar days after registration, as if written then.
fn dated(c: &mut Case, days: i64) {
    let at = c.created_at_ms + days * DAY_MS;
    if let Some(event) = c.events.last_mut() {
        event.at_ms = at;
    }
    c.refold();
}

/// The case as the last event's author saw it, and that event: what the hub checks.
fn last_written(c: &Case) -> (Case, CaseEvent) {
    let mut before = c.clone();
    let event = before.events.pop().unwrap();
    before.refold();
    (before, event)
}

/// The case holds one scanned page of `kind`, signed.
fn scanned(c: &mut Case, kind: crate::PaperKind) {
    c.papers = vec![crate::Paper {
        kind,
        pages: vec![crate::PageRef {
            sha256: "ab".repeat(32),
            bytes: 1000,
            mime: "image/png".into(),
            width: 100,
            height: 100,
        }],
    }];
}

fn hub_rules() -> Rules<'static> {
    Rules {
        item: crate::Catalogue::builtin().item("YL01"),
        ..rules(1)
    }
}

#[test]
fn a_suspension_stops_the_clock_and_the_resumption_restarts_it_where_it_stood() {
    let calendar = WorkCalendar::builtin();
    let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Suspend,
            reason("现场核查")
        ),
        Err(Denied::State(Action::Suspend, CaseStatus::Registered))
    );
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    step(&mut c, "李明", Role::Clerk, Action::HandOver);
    let promised = deadline(&c, calendar).unwrap();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Suspend,
            reason("现场核查")
        ),
        Err(Denied::Role(Role::Clerk, Action::Suspend))
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Suspend,
            Request::default()
        ),
        Err(Denied::ReasonRequired(Action::Suspend))
    );
    // Suspended on Wednesday 2026-11-18.
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Suspend,
        reason("入户核查家庭经济状况"),
    )
    .unwrap();
    dated(&mut c, 2);
    assert_eq!(c.status, CaseStatus::Suspended);
    let today = date!(2026 - 12 - 30);
    let suspended = standing(&c, calendar, today);
    assert_eq!(suspended.flag, None, "a suspended case is never overdue");
    for action in [
        Action::Approve,
        Action::Reject,
        Action::Extend,
        Action::Suspend,
    ] {
        assert_eq!(
            act(&mut c, "张华", Role::Supervisor, action, reason("理由")),
            Err(Denied::State(action, CaseStatus::Suspended))
        );
    }
    // Resumed on Wednesday 2026-11-25: Thursday to Wednesday is five working days not counted.
    step(&mut c, "张华", Role::Supervisor, Action::Resume);
    dated(&mut c, 9);
    assert_eq!(
        c.status,
        CaseStatus::UnderReview,
        "back where it was suspended"
    );
    assert_eq!(suspended_days(&c, calendar), 5);
    assert_eq!(
        deadline(&c, calendar),
        Some(calendar.add_working_days(promised, 5))
    );
    assert!(standing(&c, calendar, today).flag.is_some());
    // The hub plans the resumption too: one claiming another state is not the one it checks.
    let (seen, written) = last_written(&c);
    assert_eq!(
        check_event(&seen, &written, Role::Supervisor, &hub_rules()),
        Ok(())
    );
    let elsewhere = CaseEvent {
        to: Some(CaseStatus::Approved),
        ..written
    };
    assert!(matches!(
        check_event(&seen, &elsewhere, Role::Supervisor, &hub_rules()),
        Err(Denied::BadMove(..))
    ));
    step(&mut c, "张华", Role::Supervisor, Action::Approve);
    assert_eq!(c.status, CaseStatus::Approved);
}

#[test]
fn the_organ_terminates_with_its_reason_and_the_case_ends_there() {
    let mut c = accepted();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Terminate,
            reason("申请人死亡")
        ),
        Err(Denied::Role(Role::Clerk, Action::Terminate))
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Terminate,
            Request::default()
        ),
        Err(Denied::ReasonRequired(Action::Terminate))
    );
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Terminate,
        reason("申请人死亡"),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Terminated);
    assert!(is_final(c.status));
    assert!(
        Action::Terminate.is_decision(),
        "a termination is sealed like a decision"
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::State(Action::Approve, CaseStatus::Terminated))
    );
}

fn delivering(method: DeliveryMethod, recipient: &str, tracking: Option<&str>) -> Request {
    Request {
        delivery: Some(Delivery {
            method,
            recipient: recipient.into(),
            tracking: tracking.map(str::to_string),
        }),
        ..Request::default()
    }
}

#[test]
fn a_result_is_delivered_once_with_its_proof_and_the_applicant_as_default_recipient() {
    let mut c = accepted();
    let by_window = delivering(DeliveryMethod::Window, " ", None);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Deliver,
            by_window.clone()
        ),
        Err(Denied::State(Action::Deliver, CaseStatus::Accepted))
    );
    let calendar = WorkCalendar::builtin();
    assert_eq!(
        crate::clock::delivery_due(&c, calendar),
        None,
        "nothing decided yet"
    );
    step(&mut c, "张华", Role::Supervisor, Action::Approve);
    // Decided Monday 2026-11-16: ten working days on is Monday 2026-11-30.
    assert_eq!(
        crate::clock::delivery_due(&c, calendar),
        Some(date!(2026 - 11 - 30))
    );
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Deliver,
            Request::default()
        ),
        Err(Denied::MethodRequired)
    );
    for method in [DeliveryMethod::Post, DeliveryMethod::Electronic] {
        assert_eq!(
            act(
                &mut c,
                "李明",
                Role::Clerk,
                Action::Deliver,
                delivering(method, "", Some(" "))
            ),
            Err(Denied::TrackingRequired(method))
        );
    }
    let long = "9".repeat(101);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Deliver,
            delivering(DeliveryMethod::Post, "", Some(&long))
        ),
        Err(Denied::DeliveryTooLong)
    );
    // At the window the signed receipt is scanned first.
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Deliver,
            by_window.clone()
        ),
        Err(Denied::PaperMissing(crate::PaperKind::DeliveryReceipt))
    );
    scanned(&mut c, crate::PaperKind::DeliveryReceipt);
    let planned = act(&mut c, "李明", Role::Clerk, Action::Deliver, by_window).unwrap();
    assert_eq!(
        planned.delivery,
        Some(Delivery {
            method: DeliveryMethod::Window,
            recipient: "王秀英".into(),
            tracking: None,
        })
    );
    assert_eq!(
        (planned.from, planned.to),
        (None, None),
        "delivery moves nothing"
    );
    assert_eq!(c.status, CaseStatus::Approved);
    assert_eq!(c.events.last().unwrap().kind, EventKind::Delivered);
    assert_eq!(crate::clock::delivery_due(&c, calendar), None, "delivered");
    // What the hub plans from the event is what it records; a delivery by post without a
    // tracking number is not.
    let (seen, written) = last_written(&c);
    assert_eq!(
        check_event(&seen, &written, Role::Clerk, &hub_rules()),
        Ok(())
    );
    let mut other = written.clone();
    other.delivery.as_mut().unwrap().method = DeliveryMethod::Post;
    assert_eq!(
        check_event(&seen, &other, Role::Clerk, &hub_rules()),
        Err(Denied::TrackingRequired(DeliveryMethod::Post))
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Deliver,
            delivering(DeliveryMethod::Post, "王秀英", Some("EMS1"))
        ),
        Err(Denied::AlreadyDelivered)
    );
    // A field laptop does not deliver.
    assert!(!Role::Field.may(Action::Deliver));
}

#[test]
fn an_applicant_withdraws_in_writing() {
    let mut c = accepted();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Withdraw,
            reason("申请人要求撤回")
        ),
        Err(Denied::PaperMissing(crate::PaperKind::WithdrawalRequest))
    );
    scanned(&mut c, crate::PaperKind::WithdrawalRequest);
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::Withdraw,
        reason("申请人要求撤回"),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Withdrawn);
}

#[test]
fn a_paper_is_attached_in_any_state_by_whoever_may_edit_but_carries_no_material() {
    let mut c = accepted();
    step(&mut c, "张华", Role::Supervisor, Action::Approve);
    step(&mut c, "李明", Role::Clerk, Action::Complete);
    let attached = CaseEvent {
        kind: EventKind::PagesAttached,
        by: "李明".into(),
        paper: Some(crate::PaperKind::DeliveryReceipt),
        ..CaseEvent::default()
    };
    assert!(crate::workflow::is_final(c.status));
    assert_eq!(
        check_event(&c, &attached, Role::Clerk, &hub_rules()),
        Ok(())
    );
    let smuggled = CaseEvent {
        missing: vec!["ID_CARD".into()],
        ..attached.clone()
    };
    assert!(matches!(
        check_event(&c, &smuggled, Role::Clerk, &hub_rules()),
        Err(Denied::BadMove(..))
    ));
    assert_eq!(
        check_event(&c, &attached, Role::Admin, &hub_rules()),
        Err(Denied::Role(Role::Admin, Action::Edit))
    );
}

#[test]
fn an_agent_applies_in_a_stated_capacity_and_an_entrusted_one_shows_the_power_of_attorney() {
    use crate::case::{AgentForm, ApplicantError, Registration, RegistrationError};
    let township = crate::TownshipCode::parse("450721101").unwrap();
    let number = crate::CaseNumber::new(&township, date!(2026 - 11 - 16), 1, 9).unwrap();
    let desk = crate::Desk {
        township: &township,
        clerk: "李明",
        device: "dev-a",
        now_ms: crate::workflow_tests::MONDAY_MS,
        today: date!(2026 - 11 - 16),
    };
    let agent = AgentForm {
        name: "韦国强".into(),
        id_type: crate::IdType::Resident,
        id_number: "11010519491231002X".into(),
        relation: Some(crate::AgentRelation::Entrusted),
    };
    let application = Registration {
        item: "YL01".into(),
        name: "王秀英".into(),
        id_number: "450721198806152311".into(),
        received: vec![
            "ID_CARD".into(),
            "HOUSEHOLD_REGISTER".into(),
            "ENROL_FORM".into(),
        ],
        agent: Some(agent.clone()),
        ..Default::default()
    };
    let unrelated = Registration {
        agent: Some(AgentForm {
            relation: None,
            ..agent.clone()
        }),
        ..application.clone()
    };
    assert_eq!(
        unrelated.validate(crate::Catalogue::builtin(), desk.today),
        Err(RegistrationError::Applicant(
            ApplicantError::AgentRelationMissing
        ))
    );
    let misnumbered = Registration {
        agent: Some(AgentForm {
            id_number: "11010519491231002Y".into(),
            ..agent.clone()
        }),
        ..application.clone()
    };
    let message = misnumbered
        .validate(crate::Catalogue::builtin(), desk.today)
        .unwrap_err()
        .to_string();
    assert!(message.contains("代办人：身份证号码校验码"), "{message}");
    let mut c = application
        .into_case(crate::Catalogue::builtin(), number, &desk)
        .unwrap();
    let registered = c.applicant.agent.clone().unwrap();
    assert_eq!(registered.id.masked(), "110105********002X");
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Accept,
            Request::default()
        ),
        Err(Denied::PaperMissing(crate::PaperKind::PowerOfAttorney))
    );
    scanned(&mut c, crate::PaperKind::PowerOfAttorney);
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(c.status, CaseStatus::Accepted);
}

#[test]
fn a_resumption_is_not_an_acceptance_and_keeps_the_approvals_given_before() {
    // Suspended straight from acceptance: resuming leads back to "accepted", but the
    // acceptance that counts (and the promise running from it) stays the first one.
    let mut c = accepted();
    let accepted_at = c.accepted_at_ms;
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Suspend,
        reason("现场核查"),
    )
    .unwrap();
    dated(&mut c, 2);
    step(&mut c, "张华", Role::Supervisor, Action::Resume);
    dated(&mut c, 9);
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(c.accepted_at_ms, accepted_at);

    // A two-level item the county decides: the first level's approval still counts after the
    // county suspends it, so the same officer cannot give the second.
    let mut c = crate::workflow_tests::subsistence();
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    crate::workflow_tests::reported(&mut c);
    step(&mut c, "周敏", Role::County, Action::Approve);
    act(
        &mut c,
        "韦东",
        Role::County,
        Action::Suspend,
        reason("公示"),
    )
    .unwrap();
    // While the county holds it, suspended or not, the township neither resumes nor decides.
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Resume,
            Request::default()
        ),
        Err(Denied::AtCounty)
    );
    step(&mut c, "韦东", Role::County, Action::Resume);
    assert_eq!(c.status, CaseStatus::Forwarded);
    assert_eq!(
        act(
            &mut c,
            "周敏",
            Role::County,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::SameApprover("周敏".into()))
    );
    step(&mut c, "韦东", Role::County, Action::Approve);
    assert_eq!(c.status, CaseStatus::Approved);
}

#[test]
fn what_only_a_delivery_or_an_extension_records_stays_off_other_events() {
    let c = accepted();
    let edit = CaseEvent {
        kind: EventKind::FieldChanged,
        by: "李明".into(),
        detail: "changed phone".into(),
        ..CaseEvent::default()
    };
    assert_eq!(check_event(&c, &edit, Role::Clerk, &hub_rules()), Ok(()));
    let posing = CaseEvent {
        delivery: Some(Delivery {
            method: DeliveryMethod::Post,
            recipient: "王秀英".into(),
            tracking: Some("EMS1".into()),
        }),
        ..edit.clone()
    };
    assert!(matches!(
        check_event(&c, &posing, Role::Clerk, &hub_rules()),
        Err(Denied::BadMove(..))
    ));
    let stretched = CaseEvent {
        days: Some(10),
        ..edit
    };
    assert!(matches!(
        check_event(&c, &stretched, Role::Clerk, &hub_rules()),
        Err(Denied::BadMove(..))
    ));
}
