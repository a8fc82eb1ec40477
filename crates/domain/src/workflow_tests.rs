use crate::calendar::WorkCalendar;
use crate::case::{
    Case, CaseEvent, CaseNumber, CaseStatus, Desk, EventKind, MaterialStatus, Registration,
};
use crate::catalogue::Catalogue;
use crate::role::{Action, Role};
use crate::township::TownshipCode;
use crate::workflow::{Denied, Planned, Request, Rules, check_event, deadline, fold, plan};
use time::macros::date;

// 2026-11-16 09:00 China Standard Time, a Monday.
pub(crate) const MONDAY_MS: i64 = 1_794_790_800_000;

pub(crate) fn case(item: &str, received: &[&str]) -> Case {
    let township = TownshipCode::parse("450721101").unwrap();
    let number = CaseNumber::new(&township, date!(2026 - 11 - 16), 1, 1).unwrap();
    let desk = Desk {
        township: &township,
        clerk: "李明",
        device: "dev-a",
        now_ms: MONDAY_MS,
        today: date!(2026 - 11 - 16),
    };
    Registration {
        item: item.into(),
        name: "王秀英".into(),
        id_number: "450721198806152311".into(),
        received: received.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
    .into_case(Catalogue::builtin(), number, &desk)
    .unwrap()
}

pub(crate) fn rules(levels: u8) -> Rules<'static> {
    Rules {
        levels,
        item: None,
        today: date!(2026 - 11 - 18),
        calendar: WorkCalendar::builtin(),
    }
}

/// Plans and records an action as a desk would, giving the event a fresh id.
pub(crate) fn act(
    case: &mut Case,
    user: &str,
    role: Role,
    action: Action,
    request: Request,
) -> Result<Planned, Denied> {
    let levels = Catalogue::builtin()
        .item(&case.item_code)
        .unwrap()
        .approval_levels;
    let rules = Rules {
        item: Catalogue::builtin().item(&case.item_code),
        ..rules(levels)
    };
    let planned = plan(case, user, role, action, &request, &rules)?;
    record(case, &planned, user);
    Ok(planned)
}

/// An action with nothing typed beside it, expected to be allowed.
pub(crate) fn step(case: &mut Case, user: &str, role: Role, action: Action) {
    act(case, user, role, action, Request::default()).unwrap();
}

pub(crate) fn record(case: &mut Case, planned: &Planned, user: &str) {
    let n = case.events.len();
    case.events.push(CaseEvent {
        id: format!("{n}@test"),
        at_ms: MONDAY_MS + n as i64 * 60_000,
        kind: planned.kind.clone(),
        by: user.into(),
        device: "dev".into(),
        from: planned.from,
        to: planned.to,
        reason: planned.reason.clone(),
        missing: planned.missing.clone(),
        assignee: planned.assignee.clone(),
        resolves: planned.resolves.clone(),
        due: planned.due.clone(),
        ground: planned.ground,
        refer_to: planned.refer_to.clone(),
        days: planned.days,
        delivery: planned.delivery.clone(),
        step: planned.step,
        publicity: planned.publicity.clone(),
        members: planned.members.clone(),
        grant: planned.grant.clone(),
        rectification: planned.rectification.clone(),
        ..CaseEvent::default()
    });
    let event = case.events.last().unwrap().clone();
    if let Some(status) = event.material_effect() {
        for m in &mut case.materials {
            if event.missing.contains(&m.code) {
                m.status = status;
            }
        }
    }
    case.refold();
}

/// A 低保 application with every material brought.
pub(crate) fn subsistence() -> Case {
    case(
        "DB01",
        &[
            "ID_CARD",
            "HOUSEHOLD_REGISTER",
            "APPLICATION",
            "INCOME_STATEMENT",
            "CHECK_AUTHORISATION",
        ],
    )
}

/// Records a 低保 case's investigation (核对, 入户调查, a 公示 from its registration day) and
/// reports it up once the 公示 is over.
pub(crate) fn reported(c: &mut Case) {
    use crate::assistance::{Publicity, StepKind};
    for step in [StepKind::IncomeCheck, StepKind::HomeVisit] {
        let found = Request {
            step: Some(step),
            ..reason("与申请情况一致")
        };
        act(c, "李明", Role::Clerk, Action::RecordStep, found).unwrap();
    }
    let posted = Request {
        step: Some(StepKind::Publicity),
        publicity: Some(Publicity {
            from: "2026-11-16".into(),
            household: 3,
            monthly_yuan: 450,
        }),
        ..reason("在金鸡村村务公开栏公示")
    };
    act(c, "李明", Role::Clerk, Action::RecordStep, posted).unwrap();
    let after = Rules {
        item: Catalogue::builtin().item(&c.item_code),
        today: date!(2026 - 11 - 23),
        ..rules(levels_of(c))
    };
    let planned = plan(
        c,
        "张华",
        Role::Supervisor,
        Action::Forward,
        &Request::default(),
        &after,
    );
    record(c, &planned.unwrap(), "张华");
}

fn levels_of(c: &Case) -> u8 {
    Catalogue::builtin()
        .item(&c.item_code)
        .map_or(1, |i| i.approval_levels)
}

pub(crate) fn reason(text: &str) -> Request {
    Request {
        reason: Some(text.into()),
        ..Request::default()
    }
}

#[test]
fn the_whole_path_with_one_notice_and_a_deadline() {
    let mut c = case("YL01", &["ID_CARD"]);
    let notice = act(
        &mut c,
        "李明",
        Role::Clerk,
        Action::Return,
        Request::default(),
    )
    .unwrap();
    assert_eq!(notice.missing, ["HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    assert_eq!(c.status, CaseStatus::SupplementRequested);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Return,
            Request::default()
        ),
        Err(Denied::State(
            Action::Return,
            CaseStatus::SupplementRequested
        ))
    );
    step(&mut c, "李明", Role::Clerk, Action::Supplement);
    // Back at the window with everything: the notice was given, never a second one.
    assert_eq!(
        plan(
            &c,
            "李明",
            Role::Clerk,
            Action::Accept,
            &Request::default(),
            &rules(1)
        ),
        Err(Denied::Role(Role::Clerk, Action::Accept))
    );
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(
        deadline(&c, WorkCalendar::builtin()),
        // Accepted on Monday 16 November, 5 working days.
        Some(date!(2026 - 11 - 23))
    );
    step(&mut c, "李明", Role::Clerk, Action::HandOver);
    step(&mut c, "张华", Role::Supervisor, Action::Approve);
    assert_eq!(c.status, CaseStatus::Approved);
    step(&mut c, "李明", Role::Clerk, Action::Complete);
    assert_eq!(c.status, CaseStatus::Completed);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Withdraw,
            Request::default()
        ),
        Err(Denied::State(Action::Withdraw, CaseStatus::Completed))
    );
}

#[test]
fn the_notice_is_given_once_and_within_five_working_days() {
    let mut c = case("YL01", &["ID_CARD"]);
    let late = Rules {
        today: date!(2026 - 11 - 24),
        ..rules(1)
    };
    let message = plan(
        &c,
        "李明",
        Role::Clerk,
        Action::Return,
        &Request::default(),
        &late,
    )
    .unwrap_err()
    .to_string();
    assert!(message.contains("2026-11-23"), "{message}");
    let unknown = Request {
        missing: vec!["PASSPORT".into()],
        ..Request::default()
    };
    assert_eq!(
        act(&mut c, "李明", Role::Clerk, Action::Return, unknown),
        Err(Denied::UnknownMaterial("PASSPORT".into()))
    );
    let complete = case("YB01", &["ID_CARD", "HOUSEHOLD_REGISTER"]);
    assert_eq!(
        plan(
            &complete,
            "李明",
            Role::Clerk,
            Action::Return,
            &Request::default(),
            &rules(1)
        ),
        Err(Denied::NothingMissing)
    );
}

#[test]
fn concurrent_approve_and_reject_become_a_conflict_that_a_resolution_settles() {
    let mut base = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    step(&mut base, "张华", Role::Supervisor, Action::Accept);
    let (mut a, mut b) = (base.clone(), base.clone());
    step(&mut a, "张华", Role::Supervisor, Action::Approve);
    step(&mut a, "李明", Role::Clerk, Action::Complete);
    act(
        &mut b,
        "陈刚",
        Role::Supervisor,
        Action::Reject,
        reason("收入超标"),
    )
    .unwrap();
    // The merged timeline holds both branches, in a list order every replica agrees on.
    let mut merged = a.clone();
    let mut reject = b.events.last().unwrap().clone();
    reject.id = "99@b".into();
    merged.events.push(reject);
    merged.refold();
    let conflict = merged.conflict.clone().expect("a conflict");
    assert_eq!(merged.status, CaseStatus::Accepted);
    assert_eq!(conflict.from, CaseStatus::Accepted);
    let outcomes: Vec<_> = conflict.options.iter().map(|o| o.outcome).collect();
    assert_eq!(outcomes, [CaseStatus::Approved, CaseStatus::Rejected]);
    assert_eq!(
        act(
            &mut merged,
            "李明",
            Role::Clerk,
            Action::Complete,
            Request::default()
        ),
        Err(Denied::Conflict)
    );
    assert_eq!(
        act(
            &mut merged,
            "陈刚",
            Role::Supervisor,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::Conflict)
    );
    let resolve = Request {
        outcome: Some(CaseStatus::Approved),
        ..reason("复核后批准")
    };
    let planned = act(
        &mut merged,
        "陈刚",
        Role::Supervisor,
        Action::Resolve,
        resolve,
    )
    .unwrap();
    assert_eq!(planned.resolves.len(), 2);
    assert_eq!(merged.status, CaseStatus::Approved);
    assert!(merged.conflict.is_none());
    assert_eq!(
        fold(&merged.events).accepted_at_ms,
        Some(base.events[1].at_ms)
    );
}

#[test]
fn the_same_move_made_twice_offline_is_not_a_conflict() {
    let mut a = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    let mut b = a.clone();
    step(&mut a, "张华", Role::Supervisor, Action::Accept);
    step(&mut b, "陈刚", Role::Supervisor, Action::Accept);
    let mut twin = b.events.last().unwrap().clone();
    twin.id = "9@b".into();
    a.events.push(twin);
    a.refold();
    assert_eq!(a.status, CaseStatus::Accepted);
    assert!(a.conflict.is_none());
}

#[test]
fn two_level_items_need_two_different_supervisors() {
    let mut c = subsistence();
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    // 低保 is the county's to decide: its two levels approve there, after the township reports.
    reported(&mut c);
    step(&mut c, "周敏", Role::County, Action::Approve);
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
fn field_staff_keep_to_their_own_cases_and_never_decide() {
    let mut c = case("YL01", &["ID_CARD"]);
    assert_eq!(
        act(
            &mut c,
            "黄勇",
            Role::Field,
            Action::Supplement,
            Request::default()
        ),
        Err(Denied::NotOwnCase)
    );
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Field,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::Role(Role::Field, Action::Approve))
    );
    let to_field = Request {
        assignee: Some("黄勇".into()),
        ..Request::default()
    };
    act(&mut c, "张华", Role::Supervisor, Action::Reassign, to_field).unwrap();
    assert_eq!(c.assignee.as_deref(), Some("黄勇"));
    assert!(c.belongs_to("黄勇"));
    let message = Denied::Role(Role::Field, Action::Approve).to_string();
    assert!(message.contains("外勤人员无权批准"), "{message}");
}

/// An event as a desk would record it for `planned`, without adding it to any case.
fn event_for(case: &Case, planned: &Planned, user: &str) -> CaseEvent {
    let mut copy = case.clone();
    record(&mut copy, planned, user);
    copy.events.pop().unwrap()
}

fn levels(case: &Case) -> u8 {
    Catalogue::builtin()
        .item(&case.item_code)
        .unwrap()
        .approval_levels
}

#[test]
fn the_hub_refuses_events_that_claim_impossible_moves_or_wrong_roles() {
    let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    let planned = plan(
        &c,
        "张华",
        Role::Supervisor,
        Action::Approve,
        &Request::default(),
        &rules(1),
    )
    .unwrap();
    let approve = event_for(&c, &planned, "张华");
    assert_eq!(
        check_event(&c, &approve, Role::Supervisor, &rules(1)),
        Ok(())
    );
    assert_eq!(
        check_event(&c, &approve, Role::Field, &rules(1)),
        Err(Denied::Role(Role::Field, Action::Approve))
    );
    use CaseStatus::*;
    let forged = |from, to, kind: EventKind| CaseEvent {
        from,
        to,
        kind,
        ..approve.clone()
    };
    for (event, why) in [
        (
            forged(Some(Registered), Some(Approved), EventKind::Approved),
            "a leap from registered",
        ),
        (
            forged(Some(Accepted), Some(Completed), EventKind::Approved),
            "a made-up target",
        ),
        (forged(None, None, EventKind::Other), "an unknown kind"),
        (
            forged(Some(Accepted), Some(Approved), EventKind::Rejected),
            "a rejection without a reason",
        ),
    ] {
        assert!(
            check_event(&c, &event, Role::Supervisor, &rules(1)).is_err(),
            "{why} was let through"
        );
    }
    let message = check_event(
        &c,
        &forged(Some(Registered), Some(Approved), EventKind::Approved),
        Role::Supervisor,
        &rules(1),
    )
    .unwrap_err()
    .to_string();
    assert!(message.contains("作者所见"), "{message}");
}

#[test]
fn the_hub_holds_levels_order_and_the_notice_limit_as_the_desk_does() {
    let mut c = subsistence();
    let two = Rules {
        item: Catalogue::builtin().item("DB01"),
        ..rules(levels(&c))
    };
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    // The township deciding the county's item, written raw past the desk's planner.
    let township_decides = CaseEvent {
        id: "9@raw".into(),
        kind: EventKind::Approved,
        by: "张华".into(),
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::UnderReview),
        ..CaseEvent::default()
    };
    assert_eq!(
        check_event(&c, &township_decides, Role::Supervisor, &two),
        Err(Denied::CountyDecides("灵山县民政局".into()))
    );
    // A county account acting before the township reported the case.
    assert_eq!(
        check_event(&c, &township_decides, Role::County, &two),
        Err(Denied::NotAtCounty)
    );
    reported(&mut c);
    step(&mut c, "周敏", Role::County, Action::Approve);
    // The second level by the county officer who gave the first.
    let again = CaseEvent {
        from: Some(CaseStatus::Forwarded),
        to: Some(CaseStatus::Approved),
        ..c.events.last().unwrap().clone()
    };
    assert_eq!(
        check_event(&c, &again, Role::County, &two),
        Err(Denied::SameApprover("周敏".into()))
    );
    // The township sending itself the case back, or rejecting it while the county has it.
    let sent_back = CaseEvent {
        kind: EventKind::SentBack,
        by: "张华".into(),
        from: Some(CaseStatus::Forwarded),
        to: Some(CaseStatus::Accepted),
        reason: Some("补充调查".into()),
        ..CaseEvent::default()
    };
    assert_eq!(
        check_event(&c, &sent_back, Role::Supervisor, &two),
        Err(Denied::Role(Role::Supervisor, Action::SendBack))
    );
    // Claiming one approval finishes a two-level item.
    let mut first_only = case("DB01", &["ID_CARD"]);
    first_only.materials = c.materials.clone();
    step(&mut first_only, "张华", Role::Supervisor, Action::Accept);
    reported(&mut first_only);
    let short = CaseEvent {
        from: Some(CaseStatus::Forwarded),
        to: Some(CaseStatus::Approved),
        by: "周敏".into(),
        kind: EventKind::Approved,
        ..CaseEvent::default()
    };
    assert!(matches!(
        check_event(&first_only, &short, Role::County, &two),
        Err(Denied::BadMove(..))
    ));
    // A move written after the first approval that claims to start from "accepted".
    let late = CaseEvent {
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::Rejected),
        by: "韦东".into(),
        kind: EventKind::Rejected,
        reason: Some("收入超标".into()),
        ..CaseEvent::default()
    };
    assert!(matches!(
        check_event(&c, &late, Role::County, &two),
        Err(Denied::BadMove(..))
    ));
    // The notice limit counts from registration to the event's own date.
    let fresh = case("YL01", &["ID_CARD"]);
    let notice = plan(
        &fresh,
        "李明",
        Role::Clerk,
        Action::Return,
        &Request::default(),
        &rules(1),
    )
    .unwrap();
    let notice = event_for(&fresh, &notice, "李明");
    assert_eq!(check_event(&fresh, &notice, Role::Clerk, &rules(1)), Ok(()));
    let late_rules = Rules {
        today: date!(2026 - 11 - 30),
        ..rules(1)
    };
    assert!(matches!(
        check_event(&fresh, &notice, Role::Clerk, &late_rules),
        Err(Denied::NoticeOverdue(_))
    ));
}

#[test]
fn a_return_and_an_acceptance_made_offline_are_settled_on_one_of_them() {
    let mut base = case("YL01", &["ID_CARD", "ENROL_FORM"]);
    let mut accepted = base.clone();
    step(&mut base, "李明", Role::Clerk, Action::Return);
    // The other desk accepts at once, the household register deferred (容缺受理).
    act(
        &mut accepted,
        "张华",
        Role::Supervisor,
        Action::Accept,
        deferring(&["HOUSEHOLD_REGISTER"], date!(2026 - 11 - 25)),
    )
    .unwrap();
    let mut acceptance = accepted.events.last().unwrap().clone();
    acceptance.id = "9@b".into();
    base.events.push(acceptance);
    base.refold();
    assert_eq!(base.status, CaseStatus::Registered);
    assert!(base.conflict.is_some());
    let approve = Request {
        outcome: Some(CaseStatus::Approved),
        ..reason("复核")
    };
    assert_eq!(
        act(
            &mut base,
            "张华",
            Role::Supervisor,
            Action::Resolve,
            approve
        ),
        Err(Denied::NoOutcome("supplement_requested, accepted".into()))
    );
    let accept = Request {
        outcome: Some(CaseStatus::Accepted),
        ..reason("材料已齐，直接受理")
    };
    let conflicted = base.clone();
    act(&mut base, "张华", Role::Supervisor, Action::Resolve, accept).unwrap();
    assert_eq!(base.status, CaseStatus::Accepted);
    // The hub accepts that resolution for the conflicted case, and no made-up outcome.
    let mut resolution = base.events.last().unwrap().clone();
    assert_eq!(
        check_event(&conflicted, &resolution, Role::Supervisor, &rules(1)),
        Ok(())
    );
    resolution.to = Some(CaseStatus::Completed);
    assert!(check_event(&conflicted, &resolution, Role::Supervisor, &rules(1)).is_err());
    assert!(base.accepted_at_ms.is_some());
}

fn deferring(codes: &[&str], due: time::Date) -> Request {
    Request {
        deferred: codes.iter().map(|c| c.to_string()).collect(),
        due: Some(due),
        ..reason("申请人承诺一周内补交户口簿")
    }
}

#[test]
fn a_case_is_accepted_only_with_every_material_or_under_a_recorded_deferral() {
    let items = Catalogue::builtin();
    let mut c = case("YL01", &["ID_CARD"]);
    // Accepting with materials missing names them.
    let refused = act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Accept,
        Request::default(),
    )
    .unwrap_err();
    assert_eq!(
        refused,
        Denied::MaterialsMissing("户口簿、城乡居民基本养老保险参保登记表".into())
    );
    assert!(
        refused.to_string().contains("尚缺材料：户口簿"),
        "{refused}"
    );
    // The enrolment form is what the case rests on: the catalogue does not let it wait.
    let not_allowed = act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Accept,
        deferring(&["HOUSEHOLD_REGISTER", "ENROL_FORM"], date!(2026 - 11 - 25)),
    );
    assert!(
        matches!(&not_allowed, Err(Denied::NotDeferrable(name)) if name.contains("参保登记表")),
        "{not_allowed:?}"
    );
    let mut c = case("YL01", &["ID_CARD", "ENROL_FORM"]);
    let bare = Request {
        reason: None,
        ..deferring(&["HOUSEHOLD_REGISTER"], date!(2026 - 11 - 25))
    };
    assert_eq!(
        act(&mut c, "张华", Role::Supervisor, Action::Accept, bare),
        Err(Denied::CommitmentRequired)
    );
    for due in [date!(2026 - 11 - 18), date!(2026 - 12 - 19)] {
        assert_eq!(
            act(
                &mut c,
                "张华",
                Role::Supervisor,
                Action::Accept,
                deferring(&["HOUSEHOLD_REGISTER"], due)
            ),
            Err(Denied::DeadlineOutOfRange)
        );
    }
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Accept,
            deferring(&["ID_CARD", "HOUSEHOLD_REGISTER"], date!(2026 - 11 - 25))
        ),
        Err(Denied::NotMissing("居民身份证".into()))
    );
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Accept,
        deferring(&["HOUSEHOLD_REGISTER"], date!(2026 - 11 - 25)),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(c.materials[1].status, MaterialStatus::Deferred);
    assert_eq!(c.materials_due.as_deref(), Some("2026-11-25"));
    // No approval while a material is outstanding; the hub plans the same refusal.
    let approve = act(
        &mut c,
        "陈刚",
        Role::Supervisor,
        Action::Approve,
        Request::default(),
    );
    assert_eq!(approve, Err(Denied::MaterialsOutstanding("户口簿".into())));
    let forged = CaseEvent {
        id: "99@forger".into(),
        kind: EventKind::Approved,
        by: "陈刚".into(),
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::Approved),
        ..CaseEvent::default()
    };
    let hub_rules = Rules {
        item: items.item("YL01"),
        ..rules(1)
    };
    assert_eq!(
        check_event(&c, &forged, Role::Supervisor, &hub_rules),
        Err(Denied::MaterialsOutstanding("户口簿".into()))
    );
    // The deferred material arrives; the case stays accepted, its deadline kept, and may now
    // be approved.
    let deadline_before = deadline(&c, WorkCalendar::builtin());
    step(&mut c, "李明", Role::Clerk, Action::Supplement);
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(c.materials[1].status, MaterialStatus::Received);
    assert_eq!(c.materials_due, None);
    assert_eq!(deadline(&c, WorkCalendar::builtin()), deadline_before);
    step(&mut c, "陈刚", Role::Supervisor, Action::Approve);
    assert_eq!(c.status, CaseStatus::Approved);
}

#[test]
fn a_material_the_list_marks_optional_holds_up_neither_acceptance_nor_approval() {
    let mut item = Catalogue::builtin().item("YL01").unwrap().clone();
    item.materials[1].required = false;
    let mut c = case("YL01", &["ID_CARD", "ENROL_FORM"]);
    let rules = Rules {
        item: Some(&item),
        ..rules(1)
    };
    let accepted = plan(
        &c,
        "张华",
        Role::Supervisor,
        Action::Accept,
        &Request::default(),
        &rules,
    )
    .unwrap();
    record(&mut c, &accepted, "张华");
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(c.materials[1].status, MaterialStatus::Missing);
    plan(
        &c,
        "陈刚",
        Role::Supervisor,
        Action::Approve,
        &Request::default(),
        &rules,
    )
    .unwrap();
    // A required one still does, named.
    let strict = Rules {
        item: Catalogue::builtin().item("YL01"),
        ..rules
    };
    assert_eq!(
        plan(
            &c,
            "陈刚",
            Role::Supervisor,
            Action::Approve,
            &Request::default(),
            &strict
        ),
        Err(Denied::MaterialsOutstanding("户口簿".into()))
    );
}
