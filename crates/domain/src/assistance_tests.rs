//! The assistance procedure (低保, 特困) before 上报: the income check, the home visit, the
//! 7-day 公示 and its objections, each held by the desk's planner and again at the hub.

use crate::case::{CaseStatus, EventKind};
use crate::role::{Action, Role};
use crate::workflow::{Denied, Request};
use crate::workflow::{Planned, Rules};
use crate::workflow_tests::{act, case, reason, rules, step};

/// A 低保 case's rules on `today` (the item's steps and two county levels).
fn on(today: time::Date) -> Rules<'static> {
    Rules {
        item: crate::catalogue::Catalogue::builtin().item("DB01"),
        today,
        ..rules(2)
    }
}

/// The township supervisor's report up on `today`, as planned.
fn report(c: &crate::Case, today: time::Date) -> Result<Planned, Denied> {
    crate::workflow::plan(
        c,
        "张华",
        Role::Supervisor,
        Action::Forward,
        &Request::default(),
        &on(today),
    )
}
/// The 低保 template: 核对, 入户调查 (on the field laptop), a 7-day 公示 with an objection, and
/// only then 上报; each rule also holds against a raw event.
#[test]
fn a_subsistence_case_is_checked_visited_and_publicised_before_it_goes_up() {
    use crate::assistance::{Publicity, StepKind};
    use crate::case::CaseEvent;
    use crate::workflow::check_event;
    use crate::workflow_tests::record;
    use time::macros::date;
    let found = |step: StepKind, text: &str| Request {
        step: Some(step),
        ..reason(text)
    };
    let posted = |from: &str, household: u8| Request {
        step: Some(StepKind::Publicity),
        publicity: Some(Publicity {
            from: from.into(),
            household,
            monthly_yuan: 450,
        }),
        ..reason("在金鸡村村务公开栏公示")
    };
    // A pension enrolment has no such procedure.
    let mut pension = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    step(&mut pension, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(
        act(
            &mut pension,
            "李明",
            Role::Clerk,
            Action::RecordStep,
            found(StepKind::HomeVisit, "走访")
        ),
        Err(Denied::NoSteps)
    );

    let mut c = crate::workflow_tests::subsistence();
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Forward,
            Request::default()
        ),
        Err(Denied::StepsMissing(
            "家庭经济状况核对、入户调查、公示".into()
        ))
    );
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::RecordStep,
            reason("核对")
        ),
        Err(Denied::StepRequired)
    );
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        found(StepKind::IncomeCheck, "无车辆房产"),
    )
    .unwrap();
    // The home visit on the field laptop, once the case is the field worker's.
    let members = vec![
        crate::assistance::Member::parse("韦秀兰:配偶").unwrap(),
        crate::assistance::Member::parse("韦小明：长子").unwrap(),
    ];
    assert!(crate::assistance::Member::parse("韦小明").is_err());
    assert!(crate::assistance::Member::parse("韦小明:").is_err());
    let visit = Request {
        members: members.clone(),
        ..found(StepKind::HomeVisit, "二人入户，家中三口人，一人患病")
    };
    assert_eq!(
        act(
            &mut c,
            "黄勇",
            Role::Field,
            Action::RecordStep,
            visit.clone()
        ),
        Err(Denied::NotOwnCase)
    );
    let to_field = Request {
        assignee: Some("黄勇".into()),
        ..Request::default()
    };
    act(&mut c, "张华", Role::Supervisor, Action::Reassign, to_field).unwrap();
    act(&mut c, "黄勇", Role::Field, Action::RecordStep, visit).unwrap();
    assert_eq!(crate::assistance::household(&c), members.as_slice());
    // Only a home visit lists the household, and only as names with their relation.
    let listed_elsewhere = Request {
        members: members.clone(),
        ..found(StepKind::IncomeCheck, "核对")
    };
    assert_eq!(
        act(
            &mut c,
            "黄勇",
            Role::Field,
            Action::RecordStep,
            listed_elsewhere
        ),
        Err(Denied::MemberDetails)
    );
    // A household beyond what a 公示 can list, or a name with a control character, is refused.
    let crowd = Request {
        members: vec![members[0].clone(); usize::from(crate::assistance::MAX_HOUSEHOLD) + 1],
        ..found(StepKind::HomeVisit, "复访")
    };
    assert_eq!(
        act(&mut c, "黄勇", Role::Field, Action::RecordStep, crowd),
        Err(Denied::MemberDetails)
    );
    assert!(crate::assistance::Member::parse("韦\u{7}小明:长子").is_err());
    let unrelated = Request {
        members: vec![crate::assistance::Member {
            name: "韦小明".into(),
            relation: String::new(),
        }],
        ..found(StepKind::HomeVisit, "复访")
    };
    assert_eq!(
        act(&mut c, "黄勇", Role::Field, Action::RecordStep, unrelated),
        Err(Denied::MemberDetails)
    );
    // What a 公示 posts is its own: before registration, an empty household, or on another
    // step, it is refused; an objection answers a 公示.
    assert_eq!(
        act(
            &mut c,
            "黄勇",
            Role::Field,
            Action::RecordStep,
            found(StepKind::Objection, "邻居反映")
        ),
        Err(Denied::NoPublicity)
    );
    for bad in [
        posted("2026-11-15", 3),
        posted("2026-11-16", 0),
        posted("2026-11-19", 3),
    ] {
        assert_eq!(
            act(&mut c, "黄勇", Role::Field, Action::RecordStep, bad),
            Err(Denied::PublicityDetails)
        );
    }
    let visit_with_amount = Request {
        step: Some(StepKind::HomeVisit),
        ..posted("2026-11-16", 3)
    };
    assert_eq!(
        act(
            &mut c,
            "黄勇",
            Role::Field,
            Action::RecordStep,
            visit_with_amount
        ),
        Err(Denied::PublicityDetails)
    );
    act(
        &mut c,
        "黄勇",
        Role::Field,
        Action::RecordStep,
        posted("2026-11-16", 3),
    )
    .unwrap();
    act(
        &mut c,
        "黄勇",
        Role::Field,
        Action::RecordStep,
        found(
            StepKind::Objection,
            "邻居反映其有务工收入，经核实为临时务工，已计入",
        ),
    )
    .unwrap();
    assert_eq!(
        crate::assistance::publicity(&c).unwrap().last_day(),
        Some(date!(2026 - 11 - 22))
    );

    // Seven days on a controlled clock: still running on the 22nd, over on the 23rd.
    assert_eq!(
        report(&c, date!(2026 - 11 - 22)),
        Err(Denied::PublicityRunning("2026-11-22".into()))
    );
    // The same report written raw on the 20th is refused at the hub as well.
    let early = CaseEvent {
        kind: EventKind::Forwarded,
        by: "张华".into(),
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::Forwarded),
        ..CaseEvent::default()
    };
    assert_eq!(
        check_event(&c, &early, Role::Supervisor, &on(date!(2026 - 11 - 20))),
        Err(Denied::PublicityRunning("2026-11-22".into()))
    );
    // A step event carrying a 公示's details it does not plan is refused raw too.
    let smuggled = CaseEvent {
        kind: EventKind::StepRecorded,
        by: "李明".into(),
        reason: Some("核对".into()),
        step: Some(StepKind::IncomeCheck),
        publicity: Some(Publicity {
            from: "2026-11-16".into(),
            household: 3,
            monthly_yuan: 9000,
        }),
        ..CaseEvent::default()
    };
    assert_eq!(
        check_event(&c, &smuggled, Role::Clerk, &on(date!(2026 - 11 - 20))),
        Err(Denied::PublicityDetails)
    );
    let planned = report(&c, date!(2026 - 11 - 23)).unwrap();
    record(&mut c, &planned, "张华");
    assert_eq!(c.status, CaseStatus::Forwarded);
}

/// A 公示 cannot be dated back to end early: it follows the acceptance, the investigation and
/// any 公示 before it, and a step recorded after it needs a new one.
#[test]
fn a_publicity_cannot_be_backdated_or_outrun() {
    use crate::assistance::{Publicity, StepKind};
    use time::macros::date;
    const DAY_MS: i64 = 86_400_000;
    let posted = |from: &str| Request {
        step: Some(StepKind::Publicity),
        publicity: Some(Publicity {
            from: from.into(),
            household: 2,
            monthly_yuan: 400,
        }),
        ..reason("公示")
    };
    let found = |s| Request {
        step: Some(s),
        ..reason("已核实")
    };
    let mut c = crate::workflow_tests::subsistence();
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        found(StepKind::IncomeCheck),
    )
    .unwrap();
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        found(StepKind::HomeVisit),
    )
    .unwrap();
    // The home visit was on the 17th: a 公示 from the 16th would publish before it.
    let last = c.events.len() - 1;
    c.events[last].at_ms += DAY_MS;
    c.refold();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::RecordStep,
            posted("2026-11-16")
        ),
        Err(Denied::PublicityDetails)
    );
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        posted("2026-11-17"),
    )
    .unwrap();
    // Posted again, it cannot start earlier than the one running.
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        posted("2026-11-18"),
    )
    .unwrap();
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::RecordStep,
            posted("2026-11-17")
        ),
        Err(Denied::PublicityDetails)
    );
    assert_eq!(
        report(&c, date!(2026 - 11 - 24)),
        Err(Denied::PublicityRunning("2026-11-24".into()))
    );
    // A second home visit after the 公示 began: what goes up must be published again.
    act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::RecordStep,
        found(StepKind::HomeVisit),
    )
    .unwrap();
    let last = c.events.len() - 1;
    c.events[last].at_ms += 3 * DAY_MS;
    c.refold();
    assert_eq!(
        report(&c, date!(2026 - 11 - 26)),
        Err(Denied::StepsMissing("公示".into()))
    );
}
