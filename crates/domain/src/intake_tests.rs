//! Intake as the law has it: a refusal at intake (不予受理) and the clock of an application no
//! one answered in time (视为受理).

use crate::calendar::{WorkCalendar, china_date};
use crate::case::{CaseEvent, CaseStatus, EventKind};
use crate::clock::{deemed_accepted, standing};
use crate::role::{Action, Role};
use crate::workflow::{Denied, RefusalGround, Request, Rules, check_event, deadline};
use crate::workflow_tests::{MONDAY_MS, act, case, reason, rules, step};
use time::macros::date;

fn refusing(ground: Option<RefusalGround>, why: Option<&str>, refer_to: Option<&str>) -> Request {
    Request {
        reason: why.map(str::to_string),
        ground,
        refer_to: refer_to.map(str::to_string),
        ..Request::default()
    }
}

#[test]
fn a_refusal_at_intake_states_its_ground_its_reasons_and_for_another_organs_matter_that_organ() {
    let mut c = case("DB01", &["ID_CARD"]);
    let out_of_scope = Some(RefusalGround::OutOfScope);
    let clerk = act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RefuseIntake,
        refusing(out_of_scope, Some("户籍不在本镇"), Some("灵山县民政局")),
    );
    assert_eq!(clerk, Err(Denied::Role(Role::Clerk, Action::RefuseIntake)));
    for (request, denied) in [
        (refusing(None, Some("理由"), None), Denied::GroundRequired),
        (
            refusing(out_of_scope, None, Some("灵山县民政局")),
            Denied::ReasonRequired(Action::RefuseIntake),
        ),
        (
            refusing(out_of_scope, Some("户籍不在本镇"), Some("  ")),
            Denied::ReferralRequired,
        ),
    ] {
        assert_eq!(
            act(
                &mut c,
                "张华",
                Role::Supervisor,
                Action::RefuseIntake,
                request
            ),
            Err(denied)
        );
    }
    let refused = act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::RefuseIntake,
        refusing(out_of_scope, Some("户籍不在本镇"), Some("灵山县民政局")),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::IntakeRefused);
    assert_eq!(refused.refer_to.as_deref(), Some("灵山县民政局"));
    // Final: nothing moves it again, and it never had a clock.
    let again = act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Accept,
        Request::default(),
    );
    assert_eq!(
        again,
        Err(Denied::State(Action::Accept, CaseStatus::IntakeRefused))
    );
    assert_eq!(deadline(&c, WorkCalendar::builtin()), None);

    // An accepted application is decided, not refused at intake.
    let mut accepted = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    step(&mut accepted, "张华", Role::Supervisor, Action::Accept);
    let late = act(
        &mut accepted,
        "张华",
        Role::Supervisor,
        Action::RefuseIntake,
        refusing(Some(RefusalGround::NotRequired), Some("无需办理"), None),
    );
    assert_eq!(
        late,
        Err(Denied::State(Action::RefuseIntake, CaseStatus::Accepted))
    );
}

#[test]
fn the_hub_holds_a_refusal_at_intake_to_what_its_author_wrote() {
    let seen = case("DB01", &["ID_CARD"]);
    let honest = CaseEvent {
        id: "1@desk".into(),
        kind: EventKind::IntakeRefused,
        by: "张华".into(),
        from: Some(CaseStatus::Registered),
        to: Some(CaseStatus::IntakeRefused),
        reason: Some("户籍不在本镇".into()),
        ground: Some(RefusalGround::OutOfScope),
        refer_to: Some("灵山县民政局".into()),
        ..CaseEvent::default()
    };
    let hub = Rules {
        item: crate::Catalogue::builtin().item("DB01"),
        ..rules(2)
    };
    assert_eq!(check_event(&seen, &honest, Role::Supervisor, &hub), Ok(()));
    let without_referral = CaseEvent {
        refer_to: None,
        ..honest.clone()
    };
    assert_eq!(
        check_event(&seen, &without_referral, Role::Supervisor, &hub),
        Err(Denied::ReferralRequired)
    );
    assert_eq!(
        check_event(&seen, &honest, Role::Field, &hub),
        Err(Denied::Role(Role::Field, Action::RefuseIntake))
    );
}

#[test]
fn an_application_no_one_answered_in_five_working_days_counts_as_accepted_on_receipt() {
    let calendar = WorkCalendar::builtin();
    // Registered on Monday 2026-11-16; the notice limit ends five working days later.
    let c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    assert_eq!(china_date(MONDAY_MS), date!(2026 - 11 - 16));
    let within = standing(&c, calendar, date!(2026 - 11 - 23));
    assert_eq!((within.deadline, within.deemed_accepted), (None, false));
    let after = standing(&c, calendar, date!(2026 - 11 - 24));
    assert!(after.deemed_accepted);
    // YL01 promises 5 working days, counted from registration: due Monday 2026-11-23, so the
    // deemed case is already late on the day it is deemed accepted.
    assert_eq!(after.deadline, Some(date!(2026 - 11 - 23)));
    assert_eq!(after.flag, Some(crate::DeadlineFlag::Red));

    // Accepted after the limit: the clock still runs from registration.
    let mut late = c.clone();
    late.events.push(CaseEvent {
        id: "9@desk".into(),
        at_ms: MONDAY_MS + 10 * 86_400_000,
        kind: EventKind::Accepted,
        by: "张华".into(),
        from: Some(CaseStatus::Registered),
        to: Some(CaseStatus::Accepted),
        ..CaseEvent::default()
    });
    late.refold();
    assert!(deemed_accepted(&late, calendar, date!(2026 - 11 - 30)));
    assert_eq!(deadline(&late, calendar), Some(date!(2026 - 11 - 23)));

    // Accepted in time: from acceptance. Returned in time: never deemed, and no clock until
    // acceptance, while the applicant supplies what was missing.
    let mut in_time = c.clone();
    step(&mut in_time, "张华", Role::Supervisor, Action::Accept);
    assert!(!deemed_accepted(&in_time, calendar, date!(2026 - 12 - 30)));
    let mut returned = case("YL01", &["ID_CARD"]);
    act(
        &mut returned,
        "李明",
        Role::Clerk,
        Action::Return,
        reason("缺材料"),
    )
    .unwrap();
    assert!(!deemed_accepted(&returned, calendar, date!(2026 - 12 - 30)));
    assert_eq!(
        standing(&returned, calendar, date!(2026 - 12 - 30)).deadline,
        None
    );
}

#[test]
fn an_extension_adds_its_working_days_once_with_a_reason() {
    let calendar = WorkCalendar::builtin();
    let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    let extend = |days: Option<u16>, why: Option<&str>| Request {
        days,
        reason: why.map(str::to_string),
        ..Request::default()
    };
    // Not before acceptance: there is no promise yet to move.
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Extend,
            extend(Some(5), Some("需实地核查"))
        ),
        Err(Denied::State(Action::Extend, CaseStatus::Registered))
    );
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    let promised = deadline(&c, calendar).unwrap();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Extend,
            extend(Some(5), Some("需实地核查"))
        ),
        Err(Denied::Role(Role::Clerk, Action::Extend))
    );
    for days in [None, Some(0), Some(11)] {
        assert_eq!(
            act(
                &mut c,
                "张华",
                Role::Supervisor,
                Action::Extend,
                extend(days, Some("需实地核查"))
            ),
            Err(Denied::ExtensionOutOfRange)
        );
    }
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Extend,
            extend(Some(5), None)
        ),
        Err(Denied::ReasonRequired(Action::Extend))
    );
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Extend,
        extend(Some(5), Some("需实地核查")),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(
        deadline(&c, calendar),
        Some(calendar.add_working_days(promised, 5))
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Extend,
            extend(Some(2), Some("再次核查"))
        ),
        Err(Denied::AlreadyExtended)
    );
    // The hub plans the same: an extension claiming other days than its author planned is not
    // the one it checks.
    let seen = {
        let mut before = c.clone();
        before.events.pop();
        before.refold();
        before
    };
    let written = c.events.last().unwrap().clone();
    let hub = Rules {
        item: crate::Catalogue::builtin().item("YL01"),
        ..rules(1)
    };
    assert_eq!(check_event(&seen, &written, Role::Supervisor, &hub), Ok(()));
    let stretched = CaseEvent {
        days: Some(30),
        ..written
    };
    assert_eq!(
        check_event(&seen, &stretched, Role::Supervisor, &hub),
        Err(Denied::ExtensionOutOfRange)
    );
}

#[test]
fn a_case_deemed_accepted_has_its_facts_fixed_and_is_corrected_like_an_accepted_one() {
    let calendar = WorkCalendar::builtin();
    let c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    // Registered Monday 2026-11-16: the notice limit is Monday 2026-11-23.
    assert!(!crate::workflow::facts_fixed(
        &c,
        calendar,
        date!(2026 - 11 - 23)
    ));
    assert!(crate::workflow::facts_fixed(
        &c,
        calendar,
        date!(2026 - 11 - 24)
    ));
    let correcting = |today| {
        let rules = Rules { today, ..rules(1) };
        crate::workflow::plan(
            &c,
            "张华",
            Role::Supervisor,
            Action::Correct,
            &reason("与户口簿核对"),
            &rules,
        )
    };
    assert_eq!(
        correcting(date!(2026 - 11 - 23)).map(|p| p.kind),
        Err(Denied::State(Action::Correct, CaseStatus::Registered))
    );
    assert_eq!(
        correcting(date!(2026 - 11 - 24)).map(|p| p.kind),
        Ok(EventKind::Corrected)
    );
}

#[test]
fn a_notice_gives_a_date_and_a_supplement_may_come_in_parts() {
    let mut c = case("YL01", &["ID_CARD"]);
    let far = Request {
        due: Some(date!(2027 - 02 - 01)),
        ..Request::default()
    };
    assert_eq!(
        act(&mut c, "李明", Role::Clerk, Action::Return, far),
        Err(Denied::NoticeDeadlineOutOfRange)
    );
    // Unless the window sets a date, thirty days from the notice (rules' today: 2026-11-18).
    let notice = act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::Return,
        Request::default(),
    )
    .unwrap();
    assert_eq!(notice.due.as_deref(), Some("2026-12-18"));
    assert_eq!(notice.missing, ["HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    let bringing = |codes: &[&str]| Request {
        missing: codes.iter().map(|c| c.to_string()).collect(),
        ..Request::default()
    };
    assert!(matches!(
        act(&mut c, "李明", Role::Clerk, Action::Supplement, bringing(&["ID_CARD"])),
        Err(Denied::NotAwaited(name)) if name == "居民身份证"
    ));
    let part = act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::Supplement,
        bringing(&["household_register"]),
    )
    .unwrap();
    assert_eq!(
        part.to,
        Some(CaseStatus::SupplementRequested),
        "still waiting"
    );
    assert_eq!(crate::materials::awaited(&c), ["ENROL_FORM"]);
    // The hub does not take a partial supplement written as the complete one.
    let (seen, written) = {
        let mut before = c.clone();
        let last = before.events.pop().unwrap();
        before.refold();
        (before, last)
    };
    let claimed = CaseEvent {
        to: Some(CaseStatus::Supplemented),
        ..written
    };
    assert!(matches!(
        check_event(&seen, &claimed, Role::Clerk, &rules(1)),
        Err(Denied::BadMove(..))
    ));
    let rest = act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::Supplement,
        Request::default(),
    )
    .unwrap();
    assert_eq!(rest.missing, ["ENROL_FORM"]);
    assert_eq!(c.status, CaseStatus::Supplemented);
    assert!(crate::materials::awaited(&c).is_empty());
}

/// 告知承诺: the applicant's signed commitment stands in for a proof the catalogue allows it
/// for, the case is accepted on it, and the organ checks it within its limit.
#[test]
fn a_commitment_stands_in_for_a_proof_until_it_is_checked() {
    use crate::case::MaterialStatus;
    use crate::clock::{COMMITMENT_CHECK_WORKING_DAYS, commitment_check_due};
    use crate::paper::PaperKind;
    let status = |c: &crate::Case, code: &str| {
        c.materials
            .iter()
            .find(|m| m.code == code)
            .map(|m| m.status)
    };
    let commit = |codes: &[&str]| Request {
        missing: codes.iter().map(|c| c.to_string()).collect(),
        ..reason("本人承诺家庭困难情况属实")
    };
    let mut c = case("JZ01", &["ID_CARD", "APPLICATION"]);
    assert_eq!(
        act(&mut c, "李明", Role::Clerk, Action::Commit, commit(&[])),
        Err(Denied::PaperMissing(PaperKind::Commitment))
    );
    // The signed letter scanned onto its paper, as the desk records it.
    let signed = |c: &mut crate::Case| {
        c.papers = vec![crate::Paper {
            kind: PaperKind::Commitment,
            pages: vec![crate::PageRef {
                sha256: "cd".repeat(32),
                bytes: 900,
                mime: "image/png".into(),
                width: 100,
                height: 140,
            }],
        }];
        c.events.push(CaseEvent {
            id: format!("{}@scan", c.events.len()),
            at_ms: MONDAY_MS + 30_000,
            kind: EventKind::PagesAttached,
            by: "李明".into(),
            paper: Some(PaperKind::Commitment),
            ..CaseEvent::default()
        });
    };
    signed(&mut c);
    // Only a missing material the catalogue lets a commitment stand in for.
    assert!(matches!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Commit,
            commit(&["ID_CARD"])
        ),
        Err(Denied::NotCommittable(_))
    ));
    act(&mut c, "李明", Role::Clerk, Action::Commit, commit(&[])).unwrap();
    assert_eq!(
        status(&c, "HARDSHIP_PROOF"),
        Some(MaterialStatus::Committed)
    );
    assert_eq!(
        commitment_check_due(&c, WorkCalendar::builtin()),
        None,
        "not accepted yet"
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::CheckCommitment,
            reason("已核实")
        ),
        Err(Denied::State(
            Action::CheckCommitment,
            CaseStatus::Registered
        ))
    );
    // Accepted on the commitment: nothing is outstanding, and the check falls due.
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    let accepted = china_date(c.accepted_at_ms.unwrap());
    assert_eq!(
        commitment_check_due(&c, WorkCalendar::builtin()),
        Some(WorkCalendar::builtin().add_working_days(accepted, COMMITMENT_CHECK_WORKING_DAYS))
    );
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::CheckCommitment,
            reason("已核实")
        ),
        Err(Denied::Role(Role::Clerk, Action::CheckCommitment))
    );
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::CheckCommitment,
            Request::default()
        ),
        Err(Denied::ReasonRequired(Action::CheckCommitment))
    );
    // Unchecked, the case is decided but not closed.
    step(&mut c, "张华", Role::Supervisor, Action::Approve);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Complete,
            Request::default()
        ),
        Err(Denied::CommitmentUnchecked)
    );
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::CheckCommitment,
        reason("经村委会核实，困难情况属实"),
    )
    .unwrap();
    assert_eq!(status(&c, "HARDSHIP_PROOF"), Some(MaterialStatus::Verified));
    assert_eq!(commitment_check_due(&c, WorkCalendar::builtin()), None);
    step(&mut c, "李明", Role::Clerk, Action::Complete);

    // Found untrue: the proof is missing again and nothing is decided without it; a notice
    // never names a material that is not missing, and each commitment has its own letter.
    let mut untrue = case("JZ01", &["ID_CARD", "APPLICATION"]);
    assert!(matches!(
        act(
            &mut untrue,
            "李明",
            Role::Clerk,
            Action::Return,
            commit(&["ID_CARD"])
        ),
        Err(Denied::NotMissing(_))
    ));
    signed(&mut untrue);
    act(
        &mut untrue,
        "李明",
        Role::Clerk,
        Action::Commit,
        commit(&[]),
    )
    .unwrap();
    // Where two proofs allow a commitment, the second needs a letter of its own.
    let mut both = crate::Catalogue::builtin().item("JZ01").unwrap().clone();
    for m in &mut both.materials {
        m.commitment |= m.code == "APPLICATION";
    }
    let two = Rules {
        item: Some(&both),
        ..rules(1)
    };
    let mut twice = case("JZ01", &["ID_CARD"]);
    signed(&mut twice);
    let first = crate::workflow::plan(
        &twice,
        "李明",
        Role::Clerk,
        Action::Commit,
        &commit(&["HARDSHIP_PROOF"]),
        &two,
    )
    .unwrap();
    crate::workflow_tests::record(&mut twice, &first, "李明");
    let again = commit(&["APPLICATION"]);
    assert_eq!(
        crate::workflow::plan(&twice, "李明", Role::Clerk, Action::Commit, &again, &two),
        Err(Denied::PaperMissing(PaperKind::Commitment))
    );
    signed(&mut twice);
    assert!(
        crate::workflow::plan(&twice, "李明", Role::Clerk, Action::Commit, &again, &two).is_ok()
    );
    step(&mut untrue, "张华", Role::Supervisor, Action::Accept);
    act(
        &mut untrue,
        "张华",
        Role::Supervisor,
        Action::BreakCommitment,
        reason("经核实，申请人家庭有稳定收入，承诺不实"),
    )
    .unwrap();
    assert_eq!(
        status(&untrue, "HARDSHIP_PROOF"),
        Some(MaterialStatus::Missing)
    );
    assert!(matches!(
        act(
            &mut untrue,
            "张华",
            Role::Supervisor,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::MaterialsOutstanding(_))
    ));
    // A commitment for a pension enrolment's household register is not allowed, raw either.
    let pension = case("YL01", &["ID_CARD", "ENROL_FORM"]);
    let raw = CaseEvent {
        kind: EventKind::Committed,
        by: "李明".into(),
        missing: vec!["HOUSEHOLD_REGISTER".into()],
        ..CaseEvent::default()
    };
    let yl01 = Rules {
        item: crate::Catalogue::builtin().item("YL01"),
        ..rules(1)
    };
    assert!(matches!(
        check_event(&pension, &raw, Role::Clerk, &yl01),
        Err(Denied::NotCommittable(_))
    ));
}
