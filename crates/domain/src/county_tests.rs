//! 上报: an item the county decides goes up from the township and its result comes back down;
//! each level acts only where the case is.

use crate::case::CaseStatus;
use crate::delivery::{Delivery, DeliveryMethod};
use crate::role::{Action, Role};
use crate::workflow::{Denied, Request};
use crate::workflow_tests::{act, case, reason, step};

const CJ01_COMPLETE: [&str; 4] = ["ID_CARD", "HOUSEHOLD_REGISTER", "PHOTO", "ASSESSMENT_FORM"];

#[test]
fn the_county_decides_what_the_township_reports_and_the_window_delivers_it() {
    let mut c = case("CJ01", &CJ01_COMPLETE);
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    let accepted_at = c.accepted_at_ms;
    // The township does not decide a 残疾人证, and a county officer waits for the report.
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::CountyDecides("灵山县残疾人联合会".into()))
    );
    assert_eq!(
        act(
            &mut c,
            "周敏",
            Role::County,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::NotAtCounty)
    );
    act(
        &mut c,
        "张华",
        Role::Supervisor,
        Action::Forward,
        reason("情况属实，同意上报"),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Forwarded);
    // Nobody at the window decides, ends or sends back a case the county holds.
    for (user, role, action, why) in [
        ("张华", Role::Supervisor, Action::Reject, Denied::AtCounty),
        (
            "张华",
            Role::Supervisor,
            Action::Terminate,
            Denied::AtCounty,
        ),
        (
            "张华",
            Role::Supervisor,
            Action::SendBack,
            Denied::Role(Role::Supervisor, Action::SendBack),
        ),
        (
            "李明",
            Role::Clerk,
            Action::Complete,
            Denied::State(Action::Complete, CaseStatus::Forwarded),
        ),
    ] {
        assert_eq!(
            act(&mut c, user, role, action, reason("理由")),
            Err(why),
            "{action}"
        );
    }
    // Sent back with the reason, it is accepted as before: the acceptance date stays.
    assert_eq!(
        act(
            &mut c,
            "周敏",
            Role::County,
            Action::SendBack,
            Request::default()
        ),
        Err(Denied::ReasonRequired(Action::SendBack))
    );
    act(
        &mut c,
        "周敏",
        Role::County,
        Action::SendBack,
        reason("缺少评定医院意见"),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Accepted);
    assert_eq!(c.accepted_at_ms, accepted_at);
    assert_eq!(
        act(
            &mut c,
            "周敏",
            Role::County,
            Action::Approve,
            Request::default()
        ),
        Err(Denied::NotAtCounty)
    );
    step(&mut c, "张华", Role::Supervisor, Action::Forward);
    act(
        &mut c,
        "周敏",
        Role::County,
        Action::Reject,
        reason("评定结果不符合残疾标准"),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Rejected);
    // The result is the window's to finish and deliver; the county does neither.
    let by_post = Request {
        delivery: Some(Delivery {
            method: DeliveryMethod::Post,
            recipient: String::new(),
            tracking: Some("EMS1".into()),
        }),
        ..Request::default()
    };
    assert_eq!(
        act(
            &mut c,
            "周敏",
            Role::County,
            Action::Deliver,
            by_post.clone()
        ),
        Err(Denied::Role(Role::County, Action::Deliver))
    );
    act(&mut c, "李明", Role::Clerk, Action::Deliver, by_post).unwrap();
    step(&mut c, "李明", Role::Clerk, Action::Complete);
    assert_eq!(c.status, CaseStatus::Completed);
}

#[test]
fn only_a_county_item_with_its_materials_goes_up() {
    // A birth registration is the township's own: nothing to report.
    let mut own = case("SY01", &["ID_CARD", "MARRIAGE_CERT"]);
    step(&mut own, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(
        act(
            &mut own,
            "张华",
            Role::Supervisor,
            Action::Forward,
            Request::default()
        ),
        Err(Denied::NotCountyItem)
    );
    // Reported only from acceptance on, and never by the window's clerk.
    let mut c = case("CJ01", &CJ01_COMPLETE);
    assert!(matches!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Forward,
            Request::default()
        ),
        Err(Denied::State(Action::Forward, CaseStatus::Registered))
    ));
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    assert_eq!(
        act(
            &mut c,
            "李明",
            Role::Clerk,
            Action::Forward,
            Request::default()
        ),
        Err(Denied::Role(Role::Clerk, Action::Forward))
    );
    // Under 容缺, what was deferred arrives before the report goes up.
    let mut deferred = case(
        "CJ01",
        &["ID_CARD", "HOUSEHOLD_REGISTER", "ASSESSMENT_FORM"],
    );
    let photo_later = Request {
        deferred: vec!["PHOTO".into()],
        reason: Some("三日内补交照片".into()),
        due: Some(time::macros::date!(2026 - 11 - 20)),
        ..Request::default()
    };
    act(
        &mut deferred,
        "张华",
        Role::Supervisor,
        Action::Accept,
        photo_later,
    )
    .unwrap();
    assert!(matches!(
        act(&mut deferred, "张华", Role::Supervisor, Action::Forward, Request::default()),
        Err(Denied::MaterialsOutstanding(names)) if names.contains("照片")
    ));
    let photo = Request {
        missing: vec!["PHOTO".into()],
        ..Request::default()
    };
    act(
        &mut deferred,
        "李明",
        Role::Clerk,
        Action::Supplement,
        photo,
    )
    .unwrap();
    step(&mut deferred, "张华", Role::Supervisor, Action::Forward);
    assert_eq!(deferred.status, CaseStatus::Forwarded);
}

/// A township move written on a state from before the report collides with the report: the
/// county settles it, never the township, and a resolution is no new acceptance.
#[test]
fn a_conflict_across_the_report_is_the_countys_to_settle() {
    use crate::workflow::plan;
    use crate::workflow_tests::{record, rules};
    let mut c = case("CJ01", &CJ01_COMPLETE);
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    let accepted_at = c.accepted_at_ms;
    let before_report = c.clone();
    step(&mut c, "张华", Role::Supervisor, Action::Forward);
    act(
        &mut c,
        "周敏",
        Role::County,
        Action::Approve,
        reason("符合条件"),
    )
    .unwrap();
    // An offline township desk suspends the case as it last saw it, accepted.
    let item = crate::catalogue::Catalogue::builtin().item("CJ01");
    let old = crate::workflow::Rules { item, ..rules(1) };
    let stale = plan(
        &before_report,
        "陈刚",
        Role::Supervisor,
        Action::Suspend,
        &reason("现场核查"),
        &old,
    )
    .unwrap();
    record(&mut c, &stale, "陈刚");
    assert!(
        c.conflict.is_some(),
        "the report and the suspension collide"
    );
    let settle = |outcome| Request {
        outcome: Some(outcome),
        ..reason("以县级部门决定为准")
    };
    assert_eq!(
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Resolve,
            settle(CaseStatus::Suspended)
        ),
        Err(Denied::AtCounty)
    );
    act(
        &mut c,
        "周敏",
        Role::County,
        Action::Resolve,
        settle(CaseStatus::Forwarded),
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::Forwarded);
    assert_eq!(
        c.accepted_at_ms, accepted_at,
        "a resolution is no new acceptance"
    );
    // A township's own conflict stays the township's.
    let mut own = case("CJ01", &CJ01_COMPLETE);
    step(&mut own, "张华", Role::Supervisor, Action::Accept);
    let accepted = own.clone();
    step(&mut own, "李明", Role::Clerk, Action::HandOver);
    let suspended = plan(
        &accepted,
        "陈刚",
        Role::Supervisor,
        Action::Suspend,
        &reason("现场核查"),
        &old,
    )
    .unwrap();
    record(&mut own, &suspended, "陈刚");
    assert!(own.conflict.is_some());
    assert_eq!(
        act(
            &mut own,
            "周敏",
            Role::County,
            Action::Resolve,
            settle(CaseStatus::Suspended)
        ),
        Err(Denied::NotAtCounty)
    );
    act(
        &mut own,
        "张华",
        Role::Supervisor,
        Action::Resolve,
        settle(CaseStatus::Suspended),
    )
    .unwrap();
    // Settled on the suspension, it resumes where the two moves started.
    assert_eq!(own.status, CaseStatus::Suspended);
    step(&mut own, "张华", Role::Supervisor, Action::Resume);
    assert_eq!(own.status, CaseStatus::Accepted);
}

/// The promise is split between the levels: the township reports up within its share, the
/// county keeps the rest; a catalogue giving a share to a township's item is refused.
#[test]
fn the_township_reports_up_within_its_share_of_the_promise() {
    use crate::calendar::WorkCalendar;
    use crate::catalogue::{Catalogue, CatalogueError};
    use crate::clock::{deadline, forward_due};
    use time::macros::date;
    let catalogue = Catalogue::builtin();
    let item = catalogue.item("CJ01");
    assert_eq!(item.and_then(|i| i.county_days), Some(15));
    let calendar = WorkCalendar::builtin();
    let mut c = case("CJ01", &CJ01_COMPLETE);
    assert_eq!(forward_due(&c, item, calendar), None, "not accepted yet");
    step(&mut c, "张华", Role::Supervisor, Action::Accept);
    // Accepted Monday 16 November: 5 of the 20 working days are the township's.
    assert_eq!(forward_due(&c, item, calendar), Some(date!(2026 - 11 - 23)));
    assert_eq!(deadline(&c, calendar), Some(date!(2026 - 12 - 14)));
    step(&mut c, "张华", Role::Supervisor, Action::Forward);
    assert_eq!(forward_due(&c, item, calendar), None, "reported");
    // Sent back, the township's date is its own again.
    act(
        &mut c,
        "周敏",
        Role::County,
        Action::SendBack,
        reason("补充评定意见"),
    )
    .unwrap();
    assert_eq!(forward_due(&c, item, calendar), Some(date!(2026 - 11 - 23)));

    let mut township_share = catalogue.clone();
    township_share.version += 1;
    let sy01 = township_share
        .items
        .iter_mut()
        .find(|i| i.code == "SY01")
        .unwrap();
    sy01.county_days = Some(1);
    assert!(
        matches!(township_share.check(), Err(CatalogueError::CountyShare(code)) if code == "SY01")
    );
}
