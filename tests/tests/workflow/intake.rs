//! Intake as the law and the county have it: the catalogue version a case keeps, its query
//! code's hash, 不予受理 with its letter, and the correction of an accepted applicant's name.

use super::{accepted_case, forged, move_by, now_ms, register};
use tongban_domain::{CaseEvent, CaseStatus, EventKind};
use tongban_e2e::device::RawDevice;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, failure, text};
use tongban_sync::case_doc;

/// A catalogue version the county publishes after this program was built: the shipped list with
/// YL01 promised in 3 working days and a higher version.
fn next_catalogue(version: u32) -> tongban_domain::Catalogue {
    let mut next = tongban_domain::Catalogue::builtin().clone();
    next.version = version;
    let yl01 = next.items.iter_mut().find(|i| i.code == "YL01").unwrap();
    yl01.promised_days = 3;
    next
}

#[test]
fn a_published_catalogue_reaches_the_desks_and_each_case_keeps_the_version_it_was_registered_under()
{
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll_as(&hub, TOWNSHIP, "李明", "clerk");
    let before = register(&desk, "ID_CARD");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    std::fs::write(&file, serde_json::to_vec(&next_catalogue(4)).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let said = hub.admin(&["catalogue", "set", "--file", file]);
    assert!(said.contains("第4版"), "{said}");
    // The same version again, or an older one, is refused and changes nothing.
    let again = hub.admin_output(&["catalogue", "set", "--file", file]);
    let again = failure(&again);
    assert!(again.contains("不比现行版本4新"), "{again}");
    let listed: serde_json::Value =
        serde_json::from_str(&hub.admin(&["catalogue", "list", "--json"])).unwrap();
    let versions: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].clone())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);

    desk.ok(&["sync"]);
    let catalog: serde_json::Value =
        serde_json::from_str(&desk.ok(&["catalog", "--json"])).unwrap();
    let yl01 = catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "YL01")
        .unwrap();
    assert_eq!(yl01["promised_days"], 3);
    let after = register(&desk, "ID_CARD");
    desk.ok(&["sync"]);

    let show = |number: &str| -> serde_json::Value {
        serde_json::from_str(&desk.ok(&["case", "show", number, "--json"])).unwrap()
    };
    let (old, new) = (show(&before), show(&after));
    assert_eq!(
        (
            old["catalogue_version"].clone(),
            old["promised_days"].clone()
        ),
        (3.into(), 5.into())
    );
    assert_eq!(
        (
            new["catalogue_version"].clone(),
            new["promised_days"].clone()
        ),
        (4.into(), 3.into())
    );
    assert_eq!(new["deciding_organ"], "灵山县人力资源和社会保障局");

    // A registration claiming a version the hub never published is refused, nothing kept.
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let township = tongban_domain::TownshipCode::parse(TOWNSHIP).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let number = tongban_domain::CaseNumber::new(&township, today, forger.serial, 1).unwrap();
    let mut case = tongban_domain::Registration {
        item: "YL01".into(),
        name: "韦建军".into(),
        id_number: "450721199001010011".into(),
        received: vec!["ID_CARD".into()],
        ..Default::default()
    }
    .into_case(
        &next_catalogue(9),
        number.clone(),
        &tongban_domain::Desk {
            township: &township,
            clerk: "王芳",
            device: &forger.id,
            now_ms: now_ms(),
            today,
        },
    )
    .unwrap();
    case.catalogue_version = 9;
    let mut doc = case_doc::create(&case, &forger.id, &forger.person).unwrap();
    let refused = forger
        .sync_doc(number.as_str(), &mut doc, &mut Default::default())
        .expect_err("the hub must refuse an unknown catalogue");
    assert_eq!(refused.status, 403, "{}", refused.message());
    assert!(refused.message().contains("第9版"), "{}", refused.message());
    let listed = desk.ok(&["sync", "--json"]);
    assert!(
        !desk
            .ok(&["case", "list", "--json"])
            .contains(number.as_str()),
        "{listed}"
    );
}

/// What a case was registered as stays so: a desk that rewrites the catalogue version or the
/// query code's hash afterwards is refused, and the hub's copy keeps the registered ones.
#[test]
fn the_catalogue_version_and_query_hash_of_a_case_cannot_be_rewritten() {
    use tongban_sync::automerge::ROOT;
    use tongban_sync::automerge::transaction::Transactable;
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll_as(&hub, TOWNSHIP, "李明", "clerk");
    let number = register(&desk, "ID_CARD");
    desk.ok(&["sync"]);
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    for (key, value) in [
        ("catalogue_version", 1u64.into()),
        ("query_hash", "0".repeat(64).into()),
    ] {
        let (mut doc, mut state) = forger.pull(&number);
        let value: tongban_sync::automerge::ScalarValue = value;
        doc.put(ROOT, key, value).unwrap();
        let refused = forger
            .sync_doc(&number, &mut doc, &mut state)
            .expect_err("a rewritten registration must be refused");
        assert_eq!(refused.status, 403, "{key}: {}", refused.message());
        assert!(
            refused.message().contains("登记信息不可更改"),
            "{}",
            refused.message()
        );
    }
    let (doc, _) = forger.pull(&number);
    let case = case_doc::read(&doc).unwrap();
    assert_eq!(case.catalogue_version, 3);
    assert!(case.query_hash.is_some_and(|h| h != "0".repeat(64)));
}

/// 不予受理 as the window does it, the letter it prints, and the same move forged by a clerk's
/// device refused at the hub.
#[test]
fn a_refusal_at_intake_is_a_supervisors_sealed_decision_with_its_letter() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = register(&clerk, "ID_CARD");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);

    // A forged refusal from a clerk's device is refused, nothing stored.
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let refused = forged(
        &forger,
        &number,
        CaseEvent {
            reason: Some("户籍不在本镇".into()),
            ground: Some(tongban_domain::workflow::RefusalGround::NotEligible),
            ..move_by(
                "王芳",
                EventKind::IntakeRefused,
                CaseStatus::Registered,
                CaseStatus::IntakeRefused,
            )
        },
    );
    assert!(refused.contains("无权不予受理"), "{refused}");

    let refuse = |extra: &[&str]| {
        let mut args = vec![
            "case",
            "refuse-intake",
            number.as_str(),
            "--reason",
            "户籍不在本镇",
        ];
        args.extend_from_slice(extra);
        supervisor.run(&args)
    };
    let no_ground = refuse(&[]);
    let no_ground = failure(&no_ground);
    assert!(no_ground.contains("理由类别"), "{no_ground}");
    let no_organ = refuse(&["--reason-code", "out_of_scope"]);
    let no_organ = failure(&no_organ);
    assert!(
        no_organ.contains("须告知申请人向哪一机关申请"),
        "{no_organ}"
    );
    let done = refuse(&[
        "--reason-code",
        "out_of_scope",
        "--refer-to",
        "某县人力资源和社会保障局",
    ]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let shown: serde_json::Value =
        serde_json::from_str(&supervisor.ok(&["case", "show", &number, "--json"])).unwrap();
    assert_eq!(shown["status"], "intake_refused");

    let letter = supervisor.path().join("refusal.pdf");
    let letter = letter.to_str().unwrap();
    supervisor.ok(&[
        "case", "print", &number, "--doc", "refusal", "--out", letter,
    ]);
    let read = std::process::Command::new("pdftotext")
        .args([letter, "-"])
        .output()
        .unwrap();
    let words: String = text(&read.stdout).split_whitespace().collect();
    for expected in [
        "不予受理决定书",
        "灵山县人力资源和社会保障局",
        "申请事项不属于本机关职权范围",
        "户籍不在本镇",
        "请向某县人力资源和社会保障局提出申请",
        "六十日内向灵山县人民政府申请行政复议",
        "六个月内向灵山县人民法院提起行政诉讼",
    ] {
        assert!(
            words.contains(expected),
            "the letter lacks {expected}:\n{words}"
        );
    }
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    let at_clerk: serde_json::Value =
        serde_json::from_str(&clerk.ok(&["case", "show", &number, "--json"])).unwrap();
    assert_eq!(at_clerk["status"], "intake_refused");
}

/// After acceptance the applicant's name changes only by a supervisor's recorded correction:
/// the clerk's desk refuses the edit, a clerk's device forging it raw is refused by the hub, and
/// the supervisor's correction reaches the other desk with its reason.
#[test]
fn an_accepted_applicants_name_changes_only_by_a_supervisors_correction() {
    let hub = Hub::start(Backend::Sqlite);
    let (clerk, supervisor, number) = accepted_case(&hub);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);

    let set = clerk.run(&[
        "case",
        "set",
        &number,
        "--field",
        "name",
        "--value",
        "覃秀美",
    ]);
    let set = failure(&set);
    assert!(set.contains("case correct"), "{set}");

    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let (mut doc, mut state) = forger.pull(&number);
    let event = CaseEvent {
        at_ms: now_ms(),
        kind: EventKind::FieldChanged,
        by: "王芳".into(),
        device: forger.id.clone(),
        detail: "changed name".into(),
        ..CaseEvent::default()
    };
    let edit = tongban_domain::FieldEdit::new(tongban_domain::CaseField::Name, "覃秀美").unwrap();
    case_doc::apply_field_edit(&mut doc, &edit, &event, &forger.person).unwrap();
    let refused = forger
        .sync_doc(&number, &mut doc, &mut state)
        .expect_err("a raw rename after acceptance must be refused");
    assert!(
        refused.message().contains("审批人员的更正记录"),
        "{}",
        refused.message()
    );
    // Calling the same rename a correction does not help a clerk's device either.
    let (mut doc, mut state) = forger.pull(&number);
    let posing = CaseEvent {
        kind: EventKind::Corrected,
        reason: Some("笔误".into()),
        detail: "corrected name".into(),
        ..event
    };
    case_doc::apply_field_edit(&mut doc, &edit, &posing, &forger.person).unwrap();
    let refused = forger
        .sync_doc(&number, &mut doc, &mut state)
        .expect_err("a clerk's correction must be refused");
    assert!(
        refused.message().contains("无权更正申请人信息"),
        "{}",
        refused.message()
    );

    let no_reason = supervisor.run(&[
        "case",
        "correct",
        &number,
        "--field",
        "name",
        "--value",
        "覃秀美",
        "--reason",
        " ",
    ]);
    assert!(!no_reason.status.success());
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
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    let shown: serde_json::Value =
        serde_json::from_str(&clerk.ok(&["case", "show", &number, "--json"])).unwrap();
    assert_eq!(shown["applicant"]["name"], "覃秀美");
    let last = shown["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].clone(), last["by"].clone()),
        ("corrected".into(), "张华".into())
    );
    assert_eq!(last["reason"], "与户口簿核对，原登记有误");
}

/// Someone applies for the applicant: the agent's capacity and number are recorded (masked in
/// every view), an entrusted agent's case is accepted only once the power of attorney is
/// scanned, and the other desk reads the agent too.
#[test]
fn an_entrusted_agent_applies_with_a_power_of_attorney() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let register = |relation: Option<&str>, agent_id: &str| {
        let mut args = vec![
            "case",
            "register",
            "--item",
            "YL01",
            "--name",
            "覃秀梅",
            "--id-number",
            "450721198806152311",
            "--received",
            "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
            "--agent-name",
            "韦国强",
            "--agent-id-number",
            agent_id,
        ];
        if let Some(relation) = relation {
            args.extend(["--agent-relation", relation]);
        }
        clerk.run(&args)
    };
    let unrelated = register(None, "11010519491231002X");
    let unrelated = failure(&unrelated);
    assert!(unrelated.contains("agent-relation"), "{unrelated}");
    let misnumbered = register(Some("entrusted"), "11010519491231002Y");
    let misnumbered = failure(&misnumbered);
    assert!(
        misnumbered.contains("代办人：身份证号码校验码"),
        "{misnumbered}"
    );
    let done = register(Some("entrusted"), "11010519491231002X");
    assert!(done.status.success(), "{}", text(&done.stderr));
    let number = text(&done.stdout).trim().to_string();
    let shown = clerk.ok(&["case", "show", &number, "--json"]);
    assert!(!shown.contains("11010519491231002X"), "{shown}");
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    let refused = supervisor.fails(&["case", "accept", &number]);
    assert!(
        refused.contains("请先扫描附上经签字的授权委托书"),
        "{refused}"
    );
    let letter = clerk.path().join("attorney.pdf");
    clerk.ok(&[
        "case",
        "print",
        &number,
        "--doc",
        "intake",
        "--out",
        letter.to_str().unwrap(),
    ]);
    // Any scanned page will do as the signed paper here: the rule is that one is held.
    clerk.ok(&[
        "case",
        "attach",
        &number,
        "--paper",
        "power_of_attorney",
        letter.to_str().unwrap(),
    ]);
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    supervisor.ok(&["case", "accept", &number]);
    let at_supervisor: serde_json::Value =
        serde_json::from_str(&supervisor.ok(&["case", "show", &number, "--json"])).unwrap();
    let agent = &at_supervisor["applicant"]["agent"];
    assert_eq!(agent["name"], "韦国强");
    assert_eq!(agent["relation"], "entrusted");
    assert_eq!(agent["id"]["number"], "110105********002X");
    let words: String = text(
        &std::process::Command::new("pdftotext")
            .args([letter.to_str().unwrap(), "-"])
            .output()
            .unwrap()
            .stdout,
    )
    .split_whitespace()
    .collect();
    assert!(words.contains("代办人：韦国强（受托人"), "{words}");
    assert!(!words.contains("11010519491231002X"), "{words}");
}

/// 告知承诺 through the command line and the hub: the applicant's signed commitment stands in
/// for a proof of hardship, the case is accepted on it, and a supervisor checks it later; a
/// forged commitment for a material the catalogue does not allow it for is refused.
#[test]
fn a_commitment_stands_in_for_a_proof_until_a_supervisor_checks_it() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = clerk.ok(&[
        "case",
        "register",
        "--item",
        "JZ01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--received",
        "ID_CARD,APPLICATION",
    ]);
    let unsigned = clerk.fails(&["case", "commit", &number]);
    assert!(unsigned.contains("告知承诺书"), "{unsigned}");
    let letter = super::procedure::scanned_sheet(&clerk.path(), "commitment.jpg");
    let letter = letter.to_str().unwrap();
    let not_allowed = clerk.fails(&[
        "case",
        "commit",
        &number,
        "--missing",
        "ID_CARD",
        "--request",
        letter,
    ]);
    assert!(not_allowed.contains("不能以告知承诺代替"), "{not_allowed}");
    clerk.ok(&[
        "case",
        "commit",
        &number,
        "--reason",
        "申请人承诺困难情况属实",
    ]);
    let committed = clerk.show(&number);
    let hardship = committed["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "HARDSHIP_PROOF")
        .unwrap()
        .clone();
    assert_eq!(hardship["status"], "committed", "{committed}");
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    assert!(supervisor.show(&number)["commitment_check_due"].is_string());
    supervisor.sync();
    clerk.sync();
    let by_clerk = clerk.fails(&["case", "check-commitment", &number, "--reason", "已核实"]);
    assert!(by_clerk.contains("无权核查承诺"), "{by_clerk}");

    // A clerk's device forging a commitment for a second application's ID card is refused.
    let other = register(&clerk, "ENROL_FORM");
    clerk.sync();
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let forged = forged(
        &forger,
        &other,
        CaseEvent {
            kind: EventKind::Committed,
            by: "王芳".into(),
            missing: vec!["ID_CARD".into()],
            ..CaseEvent::default()
        },
    );
    assert!(forged.contains("不能以告知承诺代替"), "{forged}");

    // Decided on the commitment, but not closed before it is checked.
    supervisor.ok(&["case", "approve", &number]);
    let unchecked = supervisor.fails(&["case", "complete", &number]);
    assert!(unchecked.contains("核查后方可办结"), "{unchecked}");
    supervisor.ok(&[
        "case",
        "check-commitment",
        &number,
        "--reason",
        "经村委会核实，困难情况属实",
    ]);
    supervisor.sync();
    clerk.sync();
    let checked = clerk.show(&number);
    let hardship = checked["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "HARDSHIP_PROOF")
        .unwrap()
        .clone();
    assert_eq!(hardship["status"], "verified", "{checked}");
    assert_eq!(checked["commitment_check_due"], serde_json::Value::Null);
    clerk.ok(&["case", "complete", &number]);
}
