//! The procedure after acceptance through the command line and the hub: 中止 and its
//! resumption, 延期 with its notice, 终止办理, and 送达 of the result. Forged raw moves by
//! enrolled devices are refused by the hub for the same rules the desks obey.

use super::{accepted_case, forged, move_by};
use tongban_domain::{CaseEvent, CaseStatus, Delivery, DeliveryMethod, EventKind};
use tongban_e2e::device::RawDevice;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, failure, text};

/// A YYYY-MM-DD date as documents print it (2026年12月18日).
pub(super) fn official(date: &str) -> String {
    tongban_domain::calendar::official_date(tongban_domain::calendar::parse_date(date).unwrap())
}

/// The words of a printed document, whitespace removed (pdftotext breaks lines anywhere).
pub(super) fn printed(desk: &Desk, number: &str, doc: &str) -> String {
    let out = desk.path().join(format!("{doc}.pdf"));
    let out = out.to_str().unwrap();
    desk.ok(&["case", "print", number, "--doc", doc, "--out", out]);
    let read = std::process::Command::new("pdftotext")
        .args([out, "-"])
        .output()
        .unwrap();
    text(&read.stdout).split_whitespace().collect()
}

/// 延期 through the command line: a supervisor extends once, the promised date moves by those
/// working days on every desk, the notice tells the applicant, and a second extension is refused.
#[test]
fn an_extension_moves_the_promised_date_once_on_every_desk() {
    let hub = Hub::start(Backend::Sqlite);
    let (clerk, supervisor, number) = accepted_case(&hub);
    let deadline =
        |desk: &Desk| -> String { desk.show(&number)["deadline"].as_str().unwrap().to_string() };
    let promised = deadline(&supervisor);
    // Accepted today: the acceptance notice says so in the organ's name with the promise.
    let notice = printed(&supervisor, &number, "acceptance");
    for expected in [
        "灵山县人力资源和社会保障局".to_string(),
        "受理通知书".into(),
        format!("受〔{}〕{number}号", &number[10..14]),
        "申请材料齐全、符合法定形式，本机关决定自".into(),
        format!("{}前", official(&promised)),
    ] {
        assert!(notice.contains(&expected), "lacks {expected}:\n{notice}");
    }
    let registered = super::register(&clerk, "ID_CARD");
    let early = clerk.fails(&[
        "case",
        "print",
        &registered,
        "--doc",
        "acceptance",
        "--out",
        "/dev/null",
    ]);
    assert!(early.contains("尚未受理"), "{early}");
    let none_yet = supervisor.fails(&[
        "case",
        "print",
        &number,
        "--doc",
        "extension",
        "--out",
        "/dev/null",
    ]);
    assert!(none_yet.contains("没有延长办理期限告知书"), "{none_yet}");
    let too_long = supervisor.fails(&[
        "case",
        "extend",
        &number,
        "--days",
        "11",
        "--reason",
        "需实地核查",
    ]);
    assert!(too_long.contains("1至10个工作日"), "{too_long}");
    supervisor.ok(&[
        "case",
        "extend",
        &number,
        "--days",
        "5",
        "--reason",
        "需入户调查核实",
    ]);
    let extended = deadline(&supervisor);
    let calendar = tongban_domain::WorkCalendar::builtin();
    let from = tongban_domain::calendar::parse_date(&promised).unwrap();
    assert_eq!(
        extended,
        tongban_domain::calendar::date_text(calendar.add_working_days(from, 5))
    );
    let notice = printed(&supervisor, &number, "extension");
    for expected in [
        "延长办理期限告知书".to_string(),
        "因需入户调查核实".into(),
        "办理期限延长5个工作日".into(),
        format!("{}前", official(&extended)),
        "批准人：张华".into(),
    ] {
        assert!(notice.contains(&expected), "lacks {expected}:\n{notice}");
    }
    let again = supervisor.fails(&[
        "case",
        "extend",
        &number,
        "--days",
        "2",
        "--reason",
        "再次核查",
    ]);
    assert!(again.contains("只能延长一次"), "{again}");
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    assert_eq!(deadline(&clerk), extended);
}

/// 中止 stops the clock and the notice says so; a clerk's device cannot forge a suspension or
/// resume one, nor a resumption to another state than the one suspended; the supervisor's
/// resumption brings the case back under review and the promise runs again.
#[test]
fn a_suspension_stops_the_clock_until_the_supervisor_resumes() {
    let hub = Hub::start(Backend::Sqlite);
    let (clerk, supervisor, number) = accepted_case(&hub);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    clerk.ok(&["case", "hand-over", &number]);
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let refused = forged(
        &forger,
        &number,
        CaseEvent {
            reason: Some("现场核查".into()),
            ..move_by(
                "王芳",
                EventKind::Suspended,
                CaseStatus::UnderReview,
                CaseStatus::Suspended,
            )
        },
    );
    assert!(refused.contains("无权中止办理"), "{refused}");

    let no_reason = supervisor.fails(&["case", "suspend", &number]);
    assert!(no_reason.contains("中止办理须填写理由"), "{no_reason}");
    supervisor.ok(&[
        "case",
        "suspend",
        &number,
        "--reason",
        "需对申请人所在村开展现场核查",
    ]);
    let suspended = supervisor.show(&number);
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(
        suspended["flag"],
        serde_json::Value::Null,
        "a stopped clock is never overdue"
    );
    let approve = supervisor.fails(&["case", "approve", &number]);
    assert!(approve.contains("中止办理"), "{approve}");
    let notice = printed(&supervisor, &number, "suspension");
    for expected in [
        "中止办理告知书",
        "因需对申请人所在村开展现场核查",
        "中止期间不计入办理期限",
    ] {
        assert!(notice.contains(expected), "lacks {expected}:\n{notice}");
    }
    supervisor.ok(&["sync"]);

    // A resumption leads back to the state suspended, whoever writes it: a supervisor's own
    // device claiming it leads to an approval is refused.
    let boss = RawDevice::enroll_as(&hub, TOWNSHIP, "韦强", "supervisor");
    let refused = forged(
        &boss,
        &number,
        move_by(
            "韦强",
            EventKind::Resumed,
            CaseStatus::Suspended,
            CaseStatus::Approved,
        ),
    );
    assert!(refused.contains("suspended→approved"), "{refused}");

    supervisor.ok(&["case", "resume", &number]);
    let resumed = supervisor.show(&number);
    assert_eq!(resumed["status"], "under_review");
    assert_eq!(
        resumed["suspended_days"], 0,
        "resumed the day it was suspended"
    );
    assert!(resumed["flag"].is_string(), "the clock runs again");
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    let at_clerk = clerk.show(&number);
    assert_eq!(at_clerk["status"], "under_review");
    let kinds: Vec<&str> = at_clerk["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.ends_with(&["suspended", "resumed"]), "{kinds:?}");
}

/// 送达: the window records how the decision reached the applicant, once; every desk shows it;
/// a forged delivery by post without a tracking number is refused by the hub. 终止办理 ends a
/// case under the organ's seal.
#[test]
fn a_decision_is_delivered_once_with_its_proof_and_an_organ_terminates_another_case() {
    let hub = Hub::start(Backend::Sqlite);
    let (clerk, supervisor, number) = accepted_case(&hub);
    let early = supervisor.fails(&["case", "deliver", &number, "--method", "window"]);
    assert!(early.contains("不能送达"), "{early}");
    supervisor.ok(&["case", "approve", &number]);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    assert!(
        clerk.show(&number)["delivery_due"].is_string(),
        "decided: the days to deliver run"
    );

    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let refused = forged(
        &forger,
        &number,
        CaseEvent {
            kind: EventKind::Delivered,
            by: "王芳".into(),
            delivery: Some(Delivery {
                method: DeliveryMethod::Post,
                recipient: "覃秀梅".into(),
                tracking: None,
            }),
            ..CaseEvent::default()
        },
    );
    assert!(refused.contains("邮件单号"), "{refused}");

    let unknown = clerk.fails(&["case", "deliver", &number, "--method", "pigeon"]);
    assert!(unknown.contains("未知的送达方式"), "{unknown}");
    let untracked = clerk.fails(&["case", "deliver", &number, "--method", "post"]);
    assert!(untracked.contains("邮寄送达须记录邮件单号"), "{untracked}");
    clerk.ok(&[
        "case",
        "deliver",
        &number,
        "--method",
        "post",
        "--tracking",
        "EMS1234567890CN",
    ]);
    let twice = clerk.fails(&["case", "deliver", &number, "--method", "window"]);
    assert!(twice.contains("已送达"), "{twice}");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let delivered = &supervisor.show(&number)["delivered"];
    assert_eq!(delivered["method"], "post");
    assert_eq!(delivered["tracking"], "EMS1234567890CN");
    assert_eq!(delivered["recipient"], "覃秀梅", "the applicant by default");
    assert_eq!(
        supervisor.show(&number)["delivery_due"],
        serde_json::Value::Null
    );

    // Another application the organ ends: sealed, final, and the clerk cannot do it.
    let other = super::register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    let by_clerk = clerk.fails(&["case", "terminate", &other, "--reason", "申请人死亡"]);
    assert!(by_clerk.contains("无权终止办理"), "{by_clerk}");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    supervisor.ok(&["case", "terminate", &other, "--reason", "申请人死亡"]);
    let ended = supervisor.show(&other);
    assert_eq!(ended["status"], "terminated");
    assert_eq!(ended["seals"][0]["verified"], true);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    assert_eq!(clerk.show(&other)["status"], "terminated");
}

/// A passport holder registers with the passport's rule and every desk reads the case; a wrong
/// resident ID still fails with its rule named, and a passport number offered as a resident ID
/// is refused by the resident ID's rule.
#[test]
fn a_passport_holder_is_registered_with_the_passport_type() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let register = |id_type: &str, number: &str| {
        clerk.run(&[
            "case",
            "register",
            "--item",
            "YL01",
            "--name",
            "JOHN SMITH",
            "--id-type",
            id_type,
            "--id-number",
            number,
            "--received",
            "ID_CARD",
        ])
    };
    let wrong = register("resident", "450721198806152312");
    let wrong = failure(&wrong);
    assert!(wrong.contains("校验码应为1"), "{wrong}");
    let as_resident = register("resident", "E12345678");
    let as_resident = failure(&as_resident);
    assert!(as_resident.contains("身份证号码应为18位"), "{as_resident}");
    let bad_passport = register("passport", "E1234-5678");
    let bad_passport = failure(&bad_passport);
    assert!(
        bad_passport.contains("护照号码应为5至17位字母和数字"),
        "{bad_passport}"
    );
    let unknown = register("visa", "E12345678");
    let unknown = failure(&unknown);
    assert!(unknown.contains("未知的证件类型"), "{unknown}");
    let done = register("passport", "e12345678");
    assert!(done.status.success(), "{}", text(&done.stderr));
    let number = text(&done.stdout).trim().to_string();
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let at_supervisor = supervisor.show(&number);
    assert_eq!(at_supervisor["applicant"]["id"]["kind"], "passport");
    assert_eq!(at_supervisor["applicant"]["id"]["number"], "E*******8");
    let listed = supervisor.ok(&["case", "show", &number]);
    assert!(listed.contains("护照"), "{listed}");
}

/// A decision prints what was decided: in the deciding organ's name with its number, from the
/// state its seal recorded, so a correction made afterwards does not change it; a second print
/// says 补打 and the seal still verifies.
#[test]
fn a_reprinted_decision_says_so_and_still_shows_what_was_decided() {
    let hub = Hub::start(Backend::Sqlite);
    let (_clerk, supervisor, number) = accepted_case(&hub);
    supervisor.ok(&["case", "approve", &number]);
    let first = printed(&supervisor, &number, "decision");
    for expected in [
        "灵山县人力资源和社会保障局".to_string(),
        "办理结果告知书".into(),
        // The year the case was registered, which its number carries.
        format!("决〔{}〕{number}号", &number[10..14]),
        "申请人：覃秀梅".into(),
        "《中华人民共和国社会保险法》第二十条".into(),
    ] {
        assert!(first.contains(&expected), "lacks {expected}:\n{first}");
    }
    assert!(!first.contains("补打"), "{first}");
    supervisor.ok(&[
        "case",
        "correct",
        &number,
        "--field",
        "name",
        "--value",
        "覃秀美",
        "--reason",
        "与户口簿核对，原登记有误",
    ]);
    let again = printed(&supervisor, &number, "decision");
    assert!(again.contains("补打"), "{again}");
    assert!(again.contains("申请人：覃秀梅"), "as decided:\n{again}");
    assert!(!again.contains("覃秀美"), "{again}");
    let case = supervisor.show(&number);
    assert_eq!(case["applicant"]["name"], "覃秀美");
    assert_eq!(case["seals"][0]["verified"], true);
}

/// The one-time notice gives its date and prints it with the consequence; the materials may
/// come in parts, and the hub refuses a partial supplement written as the complete one.
#[test]
fn a_notice_gives_its_date_and_the_materials_may_come_in_parts() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = super::register(&clerk, "ID_CARD");
    let far = clerk.fails(&["case", "return", &number, "--due", "2099-01-01"]);
    assert!(far.contains("补正期限须在明天至60天之内"), "{far}");
    clerk.ok(&["case", "return", &number]);
    let notice = printed(&clerk, &number, "notice");
    let due = clerk.show(&number)["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["due"]
        .as_str()
        .unwrap()
        .to_string();
    for expected in [
        format!("请于{}前补正上列材料", official(&due)),
        "视为撤回申请".into(),
        "申请人签收".into(),
    ] {
        assert!(notice.contains(&expected), "lacks {expected}:\n{notice}");
    }
    // A benefit or a service is not a licence: the notice does not cite the licensing law.
    assert!(!notice.contains("行政许可法"), "{notice}");
    clerk.ok(&["sync"]);

    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let refused = forged(
        &forger,
        &number,
        CaseEvent {
            missing: vec!["HOUSEHOLD_REGISTER".into()],
            ..move_by(
                "王芳",
                EventKind::Supplemented,
                CaseStatus::SupplementRequested,
                CaseStatus::Supplemented,
            )
        },
    );
    assert!(
        refused.contains("supplement_requested→supplemented"),
        "{refused}"
    );

    let part = clerk.ok(&[
        "case",
        "supplement",
        &number,
        "--brought",
        "household_register",
    ]);
    assert!(part.contains("supplement_requested"), "{part}");
    let again = clerk.fails(&[
        "case",
        "supplement",
        &number,
        "--brought",
        "HOUSEHOLD_REGISTER",
    ]);
    assert!(
        again.contains("不在一次性告知书尚待补正的材料之中"),
        "{again}"
    );
    let rest = clerk.ok(&["case", "supplement", &number]);
    assert!(rest.contains("supplemented"), "{rest}");
    clerk.ok(&["sync"]);
}

/// A small scanned sheet, as a JPEG.
pub(super) fn scanned_sheet(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let sheet = image::RgbImage::from_fn(600, 800, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 200])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&sheet)
        .unwrap();
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

/// The applicant withdraws in writing and a result handed over at the window rests on the
/// signed receipt: each move is refused until its paper is scanned, the paper reaches the other
/// desk with its pages, and the receipt is kept even after the case ended.
#[test]
fn a_withdrawal_and_a_window_delivery_rest_on_their_signed_papers() {
    let hub = Hub::start(Backend::Sqlite);
    let (clerk, supervisor, number) = accepted_case(&hub);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    let unwritten = clerk.fails(&["case", "withdraw", &number, "--reason", "申请人要求撤回"]);
    assert!(
        unwritten.contains("请先扫描附上经签字的撤回申请书"),
        "{unwritten}"
    );
    let request = scanned_sheet(&clerk.path(), "withdrawal.jpg");
    let request = request.to_str().unwrap();
    let done = clerk.ok(&[
        "case",
        "withdraw",
        &number,
        "--reason",
        "申请人要求撤回",
        "--request",
        request,
    ]);
    assert!(done.contains("withdrawn"), "{done}");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let withdrawn = supervisor.show(&number);
    assert_eq!(withdrawn["status"], "withdrawn");
    let papers = withdrawn["papers"].as_array().unwrap();
    let request_paper = papers
        .iter()
        .find(|p| p["kind"] == "withdrawal_request")
        .unwrap();
    assert_eq!(request_paper["pages"].as_array().unwrap().len(), 1);
    let listed = supervisor.ok(&["case", "pages", &number]);
    assert!(listed.contains("withdrawal_request"), "{listed}");

    // A decision handed over at the window: the receipt first, then the delivery; a case that
    // ended still takes its receipt.
    let other = super::register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    supervisor.ok(&["case", "accept", &other]);
    supervisor.ok(&["case", "approve", &other]);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    clerk.ok(&["case", "complete", &other]);
    let unsigned = clerk.fails(&["case", "deliver", &other, "--method", "window"]);
    assert!(
        unsigned.contains("请先扫描附上经签字的送达回证"),
        "{unsigned}"
    );
    let receipt = scanned_sheet(&clerk.path(), "receipt.jpg");
    clerk.ok(&[
        "case",
        "deliver",
        &other,
        "--method",
        "window",
        "--receipt",
        receipt.to_str().unwrap(),
    ]);
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let delivered = supervisor.show(&other);
    assert_eq!(delivered["status"], "completed");
    assert_eq!(delivered["delivered"]["method"], "window");
}

/// A dishonest supervisor's desk sends three changes at once: one with no event marks the
/// missing materials received, one accepts the case on that state, one marks them missing
/// again. The request as a whole changes no material, but the hub judges each change and
/// refuses the first.
#[test]
fn an_eventless_change_cannot_prepare_a_state_a_later_change_is_judged_on() {
    use tongban_sync::automerge::{ObjType, ROOT, ReadDoc, Value, transaction::Transactable};
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = super::register(&clerk, "ID_CARD");
    clerk.ok(&["sync"]);
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "韦强", "supervisor");
    let (mut doc, mut state) = forger.pull(&number);
    let set_all = |doc: &mut tongban_sync::automerge::AutoCommit, status: &str| {
        let Some((Value::Object(ObjType::List), materials)) = doc.get(ROOT, "materials").unwrap()
        else {
            panic!("no materials list");
        };
        // The first (the ID card) was received at registration; the others were not.
        for i in 1..doc.length(&materials) {
            let Some((_, m)) = doc.get(&materials, i).unwrap() else {
                panic!("no material {i}");
            };
            doc.put(&m, "status", status).unwrap();
        }
        doc.commit();
    };
    set_all(&mut doc, "received");
    let accepted = CaseEvent {
        at_ms: super::now_ms(),
        device: forger.id.clone(),
        ..move_by(
            "韦强",
            EventKind::Accepted,
            CaseStatus::Registered,
            CaseStatus::Accepted,
        )
    };
    tongban_sync::case_doc::apply_event(&mut doc, &accepted, &forger.person).unwrap();
    set_all(&mut doc, "missing");
    let refused = forger
        .sync_doc(&number, &mut doc, &mut state)
        .expect_err("a change with no event must not prepare an acceptance");
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .message()
            .contains("changed status without a supplement"),
        "{}",
        refused.message()
    );
    assert_eq!(clerk.show(&number)["status"], "registered");
}
