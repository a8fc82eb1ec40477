//! The service workflow across desks and the hub: roles enforced by the hub on what it receives,
//! signed decisions, and two offline decisions that become a conflict a supervisor resolves.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_domain::workflow::action_of;
use tongban_domain::{CaseEvent, CaseStatus, EventKind};
use tongban_e2e::device::RawDevice;
use tongban_e2e::{Backend, Clock, Desk, Hub, TOWNSHIP, text};
use tongban_sync::{case_doc, decision};

fn register(desk: &Desk, received: &str) -> String {
    desk.ok(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--received",
        received,
    ])
}

/// A move forged raw by an enrolled device, below any desk's rules: `event` (dated now unless
/// it says otherwise) written on the hub's copy of the case as the forger's device, sealed with
/// its key when a decision, and signed with the key of the person it names when the forger holds
/// it (else with the key of the person it enrolled as). Returns the hub's refusal.
fn forged(forger: &RawDevice, number: &str, mut event: CaseEvent) -> String {
    let (mut doc, mut state) = forger.pull(number);
    if event.at_ms == 0 {
        event.at_ms = now_ms() + forger.ahead_secs * 1000;
    }
    event.device = forger.id.clone();
    if action_of(&event.kind).is_some_and(|a| a.is_decision()) {
        event.seal = Some(decision::seal(&mut doc, number, &event, forger.key()));
    }
    let key = forger.person_key(&event.by).unwrap_or(&forger.person);
    case_doc::apply_event(&mut doc, &event, key).unwrap();
    let answer = forger
        .sync_doc(number, &mut doc, &mut state)
        .expect_err("the hub must refuse a forged move");
    assert_eq!(answer.status, 403);
    answer.message()
}

/// An event of `kind` by `by` from one status to another, for forging.
fn move_by(by: &str, kind: EventKind, from: CaseStatus, to: CaseStatus) -> CaseEvent {
    CaseEvent {
        kind,
        by: by.into(),
        from: Some(from),
        to: Some(to),
        ..CaseEvent::default()
    }
}

// The procedure after acceptance: 中止, 延期, 终止办理 and 送达.
#[path = "workflow/procedure.rs"]
mod procedure;
// Intake as the law has it: the catalogue a case is registered under, 不予受理, corrections.
#[path = "workflow/intake.rs"]
mod intake;
// 上报: the county decides what the township reports, and the window delivers it.
#[path = "workflow/county.rs"]
mod county;
// The working-day calendar: statutory holidays, published schedules, provisional dates.
#[path = "workflow/calendar.rs"]
mod calendar;
// Supervision figures: the report in every form, and who may read it.
#[path = "workflow/figures.rs"]
mod figures;
// The county's supervision page in a real browser.
#[path = "workflow/supervision_page.rs"]
mod supervision_page;
// Sharing with departments, and the citizen's query page in a real browser.
#[path = "workflow/sharing.rs"]
mod sharing;
// 好差评: the applicant's rating on the page, a 差评's rectification on a desk, the figures.
#[path = "workflow/evaluation.rs"]
mod evaluation;

#[test]
fn a_field_desk_cannot_approve_even_by_forging_the_change() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let field = Desk::enroll_as(&hub, TOWNSHIP, "黄勇", "field");
    let number = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    supervisor.sync();
    field.sync();

    let refused = field.fails(&["case", "approve", &number]);
    assert!(refused.contains("外勤人员无权批准"), "{refused}");
    let recorded = field.ok(&["refusals", "--json"]);
    assert!(recorded.contains("\"approve\""), "{recorded}");

    // The same approval forged below the desk's rules: a correctly sealed change, sent to the
    // hub by an enrolled field device. The hub checks the author's role and refuses it.
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "黄勇", "field");
    let (mut doc, mut state) = forger.pull(&number);
    let case = case_doc::read(&doc).unwrap();
    assert_eq!(case.status, CaseStatus::Accepted);
    let mut approval = CaseEvent {
        at_ms: now_ms(),
        kind: EventKind::Approved,
        by: "黄勇".into(),
        device: forger.id.clone(),
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::Approved),
        ..CaseEvent::default()
    };
    approval.seal = Some(decision::seal(&mut doc, &number, &approval, forger.key()));
    case_doc::apply_event(&mut doc, &approval, &forger.person).unwrap();
    let answer = forger
        .sync_doc(&number, &mut doc, &mut state)
        .expect_err("the hub must refuse a field staff approval");
    assert_eq!(answer.status, 403);
    assert!(
        answer.message().contains("外勤人员无权批准"),
        "{}",
        answer.message()
    );

    // Claiming another device in the event is refused as well.
    let (mut doc, mut state) = forger.pull(&number);
    let mut edit = approval.clone();
    edit.kind = EventKind::Withdrawn;
    edit.by = "黄勇".into();
    edit.device = "someone-else".into();
    edit.seal = None;
    case_doc::apply_event(&mut doc, &edit, &forger.person).unwrap();
    let answer = forger.sync_doc(&number, &mut doc, &mut state).unwrap_err();
    assert_eq!(answer.status, 403);

    // The field desk holds nothing of the supervisor's: its directory names its own person
    // only, and even knowing 张华's password it cannot sign in as them.
    let directory = forger.directory();
    let names: Vec<&str> = directory.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["黄勇"]);
    let as_supervisor = field.command(Some("张华"), &["queue"]).output().unwrap();
    assert!(!as_supervisor.status.success());
    assert!(text(&as_supervisor.stderr).contains("用户名或密码错误"));
    // An approval in the supervisor's name from the field device: refused, for the desk is not
    // theirs, and, once the operator assigns them there, for want of their own signature.
    let in_their_name = || CaseEvent {
        device: forger.id.clone(),
        ..move_by(
            "张华",
            EventKind::Approved,
            CaseStatus::Accepted,
            CaseStatus::Approved,
        )
    };
    let refused = forged(&forger, &number, in_their_name());
    assert!(
        refused.contains("张华未被分配到发送此记录的设备"),
        "{refused}"
    );
    hub.add_user(TOWNSHIP, "张华", "supervisor");
    hub.admin(&["user", "assign", "--user", "张华", "--device", &forger.id]);
    let refused = forged(&forger, &number, in_their_name());
    assert!(
        refused.contains("记录没有张华本人对其内容的签名"),
        "{refused}"
    );

    // Nothing reached the other desks.
    clerk.sync();
    assert_eq!(clerk.show(&number)["status"], "accepted");
}

#[test]
fn two_offline_decisions_become_a_conflict_that_one_resolution_settles() {
    let mut hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let first = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let second = Desk::enroll_as(&hub, TOWNSHIP, "陈刚", "supervisor");

    // Intake with a one-time notice: every missing material at once, never a second time.
    let number = register(&clerk, "ID_CARD");
    let notice = clerk.ok(&["case", "return", &number, "--json"]);
    let notice: serde_json::Value = serde_json::from_str(&notice).unwrap();
    assert_eq!(notice["status"], "supplement_requested");
    let missing = notice["events"][1]["missing"].clone();
    assert_eq!(
        missing,
        serde_json::json!(["HOUSEHOLD_REGISTER", "ENROL_FORM"])
    );
    let queues: serde_json::Value = serde_json::from_str(&clerk.ok(&["queue", "--json"])).unwrap();
    assert_eq!(queues["returned"][0]["number"], number.as_str());
    clerk.ok(&["case", "supplement", &number]);
    let again = clerk.fails(&["case", "return", &number]);
    assert!(again.contains("不能退回补正"), "{again}");
    let accept = clerk.fails(&["case", "accept", &number]);
    assert!(accept.contains("受理人员无权受理"), "{accept}");
    clerk.sync();

    first.sync();
    first.ok(&["case", "accept", &number]);
    let accepted = first.show(&number);
    assert!(accepted["deadline"].as_str().is_some_and(|d| d.len() == 10));
    assert_eq!(accepted["flag"], "green");
    first.sync();
    second.sync();
    let awaiting: serde_json::Value =
        serde_json::from_str(&second.ok(&["queue", "--json"])).unwrap();
    assert_eq!(awaiting["awaiting_decision"][0]["number"], number.as_str());

    // The link is down; both supervisors decide.
    hub.stop();
    first.ok(&["case", "approve", &number]);
    let no_reason = second.fails(&["case", "reject", &number]);
    assert!(no_reason.contains("理由"), "{no_reason}");
    second.ok(&["case", "reject", &number, "--reason", "家庭收入超过标准"]);
    hub.restart();
    for desk in [&first, &second, &first, &clerk] {
        desk.sync();
    }
    for desk in [&first, &second, &clerk] {
        let shown = desk.show(&number);
        assert_eq!(
            shown["status"], "accepted",
            "no decision stands while they conflict"
        );
        let options = shown["conflict"]["options"].as_array().unwrap().clone();
        let outcomes: Vec<&str> = options
            .iter()
            .map(|o| o["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(outcomes.len(), 2, "{shown}");
        assert!(outcomes.contains(&"approved") && outcomes.contains(&"rejected"));
    }
    let blocked = clerk.fails(&["case", "complete", &number]);
    assert!(blocked.contains("冲突"), "{blocked}");

    second.ok(&[
        "case",
        "resolve",
        &number,
        "--outcome",
        "approve",
        "--reason",
        "复核后收入符合标准",
    ]);
    for desk in [&second, &first, &clerk, &second] {
        desk.sync();
    }
    let settled = first.show(&number);
    assert_eq!(settled["status"], "approved");
    assert!(settled["conflict"].is_null());
    assert_eq!(second.show(&number), settled);
    assert_eq!(clerk.show(&number)["status"], "approved");
    // Every decision's seal verifies against its device's key, on every desk.
    let seals = settled["seals"].as_array().unwrap();
    assert_eq!(seals.len(), 3);
    assert!(seals.iter().all(|s| s["verified"] == true), "{settled}");
    clerk.ok(&["case", "complete", &number]);
}

#[test]
fn the_hub_plans_every_move_again_on_what_its_author_saw() {
    let clock = Clock::new();
    let hub = Hub::start_on(Backend::Sqlite, &clock);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let township = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let county = Desk::enroll_as(&hub, COUNTY, "周敏", "county");
    let number = accepted_subsistence(&clerk, &township);
    // 低保 is the county's to decide: the township reports it up with its opinion.
    let decides = township.fails(&["case", "approve", &number]);
    assert!(decides.contains("灵山县民政局决定"), "{decides}");
    // Checked, visited and publicised for seven days first.
    let today = days_ahead(0);
    for (step, extra) in [
        ("income_check", &[][..]),
        ("home_visit", &[][..]),
        (
            "publicity",
            &["--from", &today, "--household", "2", "--amount", "480"][..],
        ),
    ] {
        let mut args = vec![
            "case",
            "step",
            &number,
            "--step",
            step,
            "--reason",
            "已核实",
        ];
        args.extend(extra);
        township.ok(&args);
    }
    clock.set_days_ahead(7);
    township.ok(&[
        "case",
        "forward",
        &number,
        "--reason",
        "经入户调查，情况属实",
    ]);
    township.sync();

    // The township deciding the county's case, forged below the desk's planner.
    use CaseStatus::{Accepted, Approved, Forwarded, Rejected};
    let mut forger = RawDevice::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    forger.ahead_secs = 7 * 86_400;
    let at_county = forged(
        &forger,
        &number,
        move_by("张华", EventKind::Approved, Forwarded, Approved),
    );
    assert!(at_county.contains("已上报县级部门"), "{at_county}");

    // The first county level, then the same officer's second forged by an enrolled county desk.
    county.sync();
    county.ok(&["case", "approve", &number]);
    let twice = county.fails(&["case", "approve", &number]);
    assert!(twice.contains("已审批过上一级"), "{twice}");
    county.sync();
    let mut county_forger = RawDevice::enroll_as(&hub, COUNTY, "周敏", "county");
    county_forger.ahead_secs = 7 * 86_400;
    assert_eq!(
        case_doc::read(&county_forger.pull(&number).0)
            .unwrap()
            .status,
        Forwarded
    );
    let again = forged(
        &county_forger,
        &number,
        move_by("周敏", EventKind::Approved, Forwarded, Approved),
    );
    assert!(again.contains("已审批过上一级"), "{again}");
    // A rejection written after the first approval that claims to start from "accepted".
    let late = CaseEvent {
        reason: Some("收入超标".into()),
        ..move_by("周敏", EventKind::Rejected, Accepted, Rejected)
    };
    let late = forged(&county_forger, &number, late);
    assert!(late.contains("作者所见"), "{late}");

    // Nothing of either reached another desk; the second level by another officer stands, and
    // the result comes back down to the window.
    county.assign(&hub, "韦东", "county");
    let shown = county.show(&number);
    assert_eq!(shown["status"], "forwarded", "{shown}");
    county.ok_as("韦东", &["case", "approve", &number]);
    county.sync();
    clerk.sync();
    assert_eq!(clerk.show(&number)["status"], "approved");
}

/// The county's own unit: its officers' accounts and desks.
const COUNTY: &str = "450721000";

#[test]
fn a_county_desk_sees_only_what_was_reported_up() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.sync();
    // The county's officers belong to the county: no township account shares a name with them,
    // and no township account is made a county officer.
    let taken = hub
        .admin_command(&["user", "add", "--role", "county", "--name", "李明"])
        .env("TONGBAN_PASSWORD", tongban_e2e::PASSWORD)
        .output()
        .unwrap();
    assert!(
        text(&taken.stderr).contains("同一县内"),
        "{}",
        text(&taken.stderr)
    );
    let promoted = hub.admin_output(&[
        "user",
        "role",
        "--township",
        TOWNSHIP,
        "--user",
        "李明",
        "--role",
        "county",
    ]);
    assert!(
        text(&promoted.stderr).contains("乡镇账户不能改为县级审批人员"),
        "{}",
        text(&promoted.stderr)
    );
    let county = RawDevice::enroll_as(&hub, COUNTY, "周敏", "county");
    // A case the township never reported stays out of the county's reach, named or not.
    let listed = county
        .post(
            &county.township,
            "manifest",
            tongban_sync::wire::encode(&tongban_sync::wire::ManifestRequest {
                cursor: 0,
                docs: Vec::new(),
            }),
        )
        .decode::<tongban_sync::wire::ManifestResponse>();
    assert!(listed.changed.is_empty(), "{:?}", listed.changed);
    let mut doc = tongban_sync::automerge::AutoCommit::new();
    let mut state = tongban_sync::automerge::sync::State::new();
    let refused = county
        .sync_doc(&number, &mut doc, &mut state)
        .expect_err("a case not reported up");
    assert_eq!(refused.status, 403);
    assert!(
        refused.message().contains("未上报县级部门"),
        "{}",
        refused.message()
    );
    // Nor its scans, even by their digest.
    clerk.attach_scan(&number);
    clerk.sync();
    let pages: serde_json::Value =
        serde_json::from_str(&clerk.ok(&["case", "pages", &number, "--json"])).unwrap();
    let sha = pages[0]["sha256"]
        .as_str()
        .expect("a scanned page")
        .to_string();
    let fetch = |device: &RawDevice| {
        device.post(
            &device.township,
            "pages/get",
            tongban_sync::wire::encode(&tongban_sync::wire::PageFetch {
                sha256: sha.clone(),
                index: 0,
            }),
        )
    };
    assert_eq!(fetch(&RawDevice::enroll(&hub, TOWNSHIP)).status, 200);
    let hidden = fetch(&county);
    assert_eq!(hidden.status, 404, "{}", hidden.message());
}

/// The date `days` from today at the window (China Standard Time), as the CLI takes it.
fn days_ahead(days: i64) -> String {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    tongban_domain::calendar::date_text(today + time::Duration::days(days))
}

#[test]
fn no_acceptance_without_the_materials_or_a_recorded_deferral_and_no_approval_before_they_arrive() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = register(&clerk, "ID_CARD,ENROL_FORM");
    let other = register(&clerk, "ID_CARD");
    clerk.sync();
    supervisor.sync();

    let refused = supervisor.fails(&["case", "accept", &number]);
    assert!(refused.contains("尚缺材料：户口簿"), "{refused}");
    let refused = supervisor.fails(&["case", "accept", &other, "--defer", "ENROL_FORM"]);
    assert!(
        refused.contains("不在事项目录允许容缺受理的范围内"),
        "{refused}"
    );
    let due = days_ahead(7);
    let accept = [
        "case",
        "accept",
        number.as_str(),
        "--defer",
        "HOUSEHOLD_REGISTER",
    ];
    let refused = supervisor.fails(&[&accept[..], &["--due", &due]].concat());
    assert!(refused.contains("承诺"), "{refused}");
    let bad_date = ["--commitment", "一周内补交", "--due", "2026-13-01"];
    let refused = supervisor.fails(&[&accept[..], &bad_date].concat());
    assert!(refused.contains("不是有效日期"), "{refused}");
    let commitment = ["--commitment", "申请人承诺一周内补交户口簿复印件"];
    supervisor.ok(&[&accept[..], &commitment, &["--due", &due]].concat());
    let shown = supervisor.show(&number);
    assert_eq!(shown["status"], "accepted");
    assert_eq!(shown["materials_due"], due.as_str(), "{shown}");
    let queues: serde_json::Value =
        serde_json::from_str(&supervisor.ok(&["queue", "--json"])).unwrap();
    assert_eq!(
        queues["awaiting_decision"][0]["materials_due"],
        due.as_str()
    );
    let refused = supervisor.fails(&["case", "approve", &number]);
    assert!(refused.contains("尚有材料未收到（户口簿）"), "{refused}");
    supervisor.sync();

    // The same two moves forged raw by an enrolled supervisor's device: refused by the hub.
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "陈刚", "supervisor");
    use CaseStatus::{Accepted, Approved, Registered};
    let early = forged(
        &forger,
        &number,
        move_by("陈刚", EventKind::Approved, Accepted, Approved),
    );
    assert!(early.contains("尚有材料未收到"), "{early}");
    let incomplete = forged(
        &forger,
        &other,
        move_by("陈刚", EventKind::Accepted, Registered, Accepted),
    );
    assert!(incomplete.contains("尚缺材料"), "{incomplete}");

    // The household register arrives: the case stays accepted and may now be approved.
    clerk.sync();
    assert_eq!(clerk.show(&other)["status"], "registered");
    clerk.ok(&["case", "supplement", &number]);
    let shown = clerk.show(&number);
    assert_eq!(shown["status"], "accepted");
    assert!(shown["materials_due"].is_null(), "{shown}");
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "approve", &number]);
    supervisor.sync();
    clerk.sync();
    assert_eq!(clerk.show(&number)["status"], "approved");
}

#[test]
fn disabling_and_role_changes_bind_every_desk_and_the_hub_with_a_record_of_who() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    let later = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.sync();
    supervisor.sync();
    // Offline, before the operator acts: this acceptance stands.
    supervisor.ok(&["case", "accept", &number]);
    // A device that holds 张华's and 李明's keys, for forging in their names below.
    let mut forger = RawDevice::enroll_as(&hub, TOWNSHIP, "陈刚", "supervisor");
    forger.also_as(&hub, "张华", "supervisor");
    forger.also_as(&hub, "李明", "clerk");
    let account = ["--township", TOWNSHIP, "--user", "张华"];
    let said = hub.admin(&[&["user", "disable"][..], &account].concat());
    assert!(said.contains("disabled"), "{said}");
    let missing = hub.admin_output(&[
        "user",
        "disable",
        "--township",
        TOWNSHIP,
        "--user",
        "无此人",
    ]);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("没有用户无此人"));
    supervisor.sync();
    clerk.sync();
    assert_eq!(clerk.show(&number)["status"], "accepted");
    // The desk has the new directory: the disabled account no longer signs in there.
    let refused = supervisor.fails(&["case", "accept", &later]);
    assert!(refused.contains("用户名或密码错误"), "{refused}");

    // A forged event in the disabled person's name, dated after the disable, is refused.
    use CaseStatus::{Accepted, Approved, Registered};
    let acceptance = CaseEvent {
        at_ms: now_ms(),
        ..move_by("张华", EventKind::Accepted, Registered, Accepted)
    };
    let refused = forged(&forger, &later, acceptance);
    assert!(refused.contains("已停用"), "{refused}");
    // Nor may a case be handed to the disabled account.
    let handed = CaseEvent {
        at_ms: now_ms(),
        kind: EventKind::Reassigned,
        by: "陈刚".into(),
        assignee: Some("张华".into()),
        ..CaseEvent::default()
    };
    let refused = forged(&forger, &later, handed);
    assert!(refused.contains("张华不是本乡镇的在用账户"), "{refused}");
    // Nor dated an hour before what its author had already seen.
    let backdated = CaseEvent {
        at_ms: now_ms() - 3_600_000,
        ..move_by("陈刚", EventKind::Accepted, Registered, Accepted)
    };
    let refused = forged(&forger, &later, backdated);
    assert!(
        refused.contains("记录时间早于其所依据的办件记录"),
        "{refused}"
    );

    // Enabled again, the account works after the desk's next sync.
    hub.admin(&[&["user", "enable"][..], &account].concat());
    supervisor.sync();
    supervisor.ok(&["case", "accept", &later]);
    supervisor.sync();

    // A clerk made supervisor: a move dated before the change is judged by the old role.
    let before_change = now_ms();
    std::thread::sleep(std::time::Duration::from_millis(20));
    hub.admin(&[
        "user",
        "role",
        "--township",
        TOWNSHIP,
        "--user",
        "李明",
        "--role",
        "supervisor",
    ]);
    let approval = CaseEvent {
        at_ms: before_change,
        ..move_by("李明", EventKind::Approved, Accepted, Approved)
    };
    let refused = forged(&forger, &number, approval);
    assert!(refused.contains("受理人员无权批准"), "{refused}");
    clerk.sync();
    clerk.ok(&["case", "approve", &number]);
    clerk.sync();
    assert_eq!(clerk.show(&number)["status"], "approved");

    // The operator reads who did what to which account.
    let history: serde_json::Value =
        serde_json::from_str(&hub.admin(&["user", "history", "--township", TOWNSHIP, "--json"]))
            .unwrap();
    let changes: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["user"].as_str().unwrap().into(),
                c["change"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("张华", "disabled"),
        ("张华", "enabled"),
        ("李明", "role"),
        ("李明", "added"),
    ] {
        assert!(
            changes.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing from {history}"
        );
    }
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["operator"].as_str().unwrap().is_empty())
    );
}

#[test]
fn a_desk_says_which_device_it_is_and_the_hub_lists_it_so() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    desk.sync();
    let status: serde_json::Value = serde_json::from_str(&desk.ok(&["status", "--json"])).unwrap();
    assert_eq!(status["township"], TOWNSHIP);
    assert_eq!(status["hub"], hub.url());
    assert_eq!(status["hub_key"], hub.fingerprint().as_str());
    let devices: serde_json::Value =
        serde_json::from_str(&hub.admin(&["device", "list", "--township", TOWNSHIP, "--json"]))
            .unwrap();
    let listed = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == status["device"])
        .unwrap_or_else(|| panic!("{status} not in {devices}"));
    assert_eq!(listed["user"], "张华");
    assert_eq!(listed["revoked"], false);
    // The version it runs, as it said at its last sync.
    assert_eq!(listed["version"], env!("CARGO_PKG_VERSION"), "{listed}");
    assert!(listed["last_sync_ms"].as_i64().unwrap() > 0, "{listed}");
    let text = hub.admin(&["device", "list", "--township", TOWNSHIP]);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    // A desk that says something else than a version is refused, and nothing of it shown.
    let raw = RawDevice::enroll(&hub, TOWNSHIP);
    for said in ["0.1.0\n\x1b[2Jpwned", &"9".repeat(41)] {
        let request = tongban_sync::wire::DirectoryRequest {
            digest: None,
            version: Some(said.to_string()),
        };
        let answer = raw.post(TOWNSHIP, "directory", tongban_sync::wire::encode(&request));
        assert_eq!(answer.status, 400, "{}", answer.message());
        assert!(answer.message().contains("版本号"), "{}", answer.message());
    }
    let text = hub.admin(&["device", "list", "--township", TOWNSHIP]);
    assert!(!text.contains("pwned"), "{text}");
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A complete 低保 application (30 working days) registered by `clerk` and accepted by
/// `supervisor`.
fn accepted_subsistence(clerk: &Desk, supervisor: &Desk) -> String {
    let number = clerk.ok(&[
        "case",
        "register",
        "--item",
        "DB01",
        "--name",
        "韦国强",
        "--id-number",
        "450721198806152311",
        "--address",
        "檀圩镇金鸡村六队",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,APPLICATION,INCOME_STATEMENT,CHECK_AUTHORISATION",
    ]);
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    number
}

/// A clerk's desk registers a complete application and a supervisor's desk accepts it.
fn accepted_case(hub: &Hub) -> (Desk, Desk, String) {
    let clerk = Desk::enroll(hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(hub, TOWNSHIP, "张华", "supervisor");
    let number = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    supervisor.ok(&["case", "accept", &number]);
    (clerk, supervisor, number)
}

#[path = "workflow/archive.rs"]
mod archive;
