//! 上报 through the command line and the hub: a 残疾人证 the township accepts and reports up, the
//! county's officer decides on the county's own desk, and the result comes back to the window,
//! which delivers it under the county organ's name.

use super::COUNTY;
use super::procedure::printed;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};

#[test]
fn the_county_decides_a_reported_case_and_the_window_delivers_its_decision() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let county = Desk::enroll_as(&hub, COUNTY, "周敏", "county");
    let number = clerk.ok(&[
        "case",
        "register",
        "--item",
        "CJ01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,PHOTO,ASSESSMENT_FORM",
    ]);
    let own = super::register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    clerk.attach_scan(&number);
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    // 5 of the 20 promised working days are the township's, to report it up.
    let accepted = supervisor.show(&number);
    assert!(
        accepted["forward_due"]
            .as_str()
            .is_some_and(|d| d < accepted["deadline"].as_str().unwrap()),
        "{accepted}"
    );
    let decides = supervisor.fails(&["case", "approve", &number]);
    assert!(decides.contains("灵山县残疾人联合会决定"), "{decides}");
    // Before the report the county desk has nothing of the township's.
    county.sync();
    assert_eq!(county.show_status(&number), None);
    supervisor.ok(&["case", "forward", &number, "--reason", "材料齐全，同意上报"]);
    let reported = supervisor.show(&number);
    assert_eq!(reported["status"], "forwarded");
    assert_eq!(reported["forward_due"], serde_json::Value::Null);
    let waits = supervisor.fails(&["case", "reject", &number, "--reason", "不符合"]);
    assert!(waits.contains("已上报县级部门"), "{waits}");
    supervisor.sync();

    // At the county: the reported case and nothing else; sent back once, reported again.
    county.sync();
    assert_eq!(county.show(&number)["status"], "forwarded");
    assert_eq!(county.show_status(&own), None, "a case never reported");
    // The scans of the reported case came with it.
    let pages: serde_json::Value =
        serde_json::from_str(&county.ok(&["case", "pages", &number, "--json"])).unwrap();
    assert_eq!(pages[0]["present"], true, "{pages}");
    county.ok(&[
        "case",
        "send-back",
        &number,
        "--reason",
        "请补充评定医院意见",
    ]);
    county.sync();
    supervisor.sync();
    let back = supervisor.show(&number);
    assert_eq!(back["status"], "accepted", "{back}");
    supervisor.ok(&["case", "forward", &number]);
    supervisor.sync();
    county.sync();
    county.ok(&[
        "case",
        "reject",
        &number,
        "--reason",
        "经评定，肢体功能障碍未达到残疾等级标准",
    ]);
    assert_eq!(county.show(&number)["seals"][0]["verified"], true);
    county.sync();

    // Back at the window: the county's decision, sealed by the county's desk, verifies here;
    // the letter is the county organ's, with its number, basis and appeal routes.
    clerk.sync();
    let decided = clerk.show(&number);
    assert_eq!(decided["status"], "rejected", "{decided}");
    assert_eq!(decided["deciding_organ"], "灵山县残疾人联合会");
    assert_eq!(decided["seals"][0]["verified"], true, "{decided}");
    let letter = printed(&clerk, &number, "decision");
    for words in [
        "灵山县残疾人联合会",
        "灵山县残疾人联合会决〔",
        &format!("〕{number}号"),
        "《中华人民共和国残疾人保障法》",
        "经评定，肢体功能障碍未达到残疾等级标准",
        "经乡镇人民政府审核上报，本机关审查，不符合确认条件",
        "六十日内向灵山县人民政府申请行政复议",
        "六个月内向灵山县人民法院提起行政诉讼",
    ] {
        assert!(letter.contains(words), "{words} missing in {letter}");
    }
    let by_county = county.fails(&["case", "deliver", &number, "--method", "post"]);
    assert!(by_county.contains("无权送达"), "{by_county}");
    clerk.ok(&[
        "case",
        "deliver",
        &number,
        "--method",
        "post",
        "--tracking",
        "EMS9876543210CN",
    ]);
    clerk.sync();
    county.sync();
    assert_eq!(county.show(&number)["delivered"]["method"], "post");
}

/// The 低保 template through the command line and the hub, on a clock the test moves: the
/// income check, the home visit on the field laptop, a 7-day 公示 printed without ID numbers
/// with one objection, the report held back until the 公示 ends (also against a forged raw
/// report), then the county's two officers.
#[test]
fn a_subsistence_case_goes_through_the_whole_template_on_a_moved_clock() {
    use super::{forged, move_by};
    use tongban_domain::{CaseStatus, EventKind};
    use tongban_e2e::Clock;
    use tongban_e2e::device::RawDevice;
    let clock = Clock::new();
    let hub = Hub::start_on(Backend::Sqlite, &clock);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let field = Desk::enroll_as(&hub, TOWNSHIP, "黄勇", "field");
    let county = Desk::enroll_as(&hub, COUNTY, "周敏", "county");
    let number = super::accepted_subsistence(&clerk, &supervisor);
    let early = supervisor.fails(&["case", "forward", &number]);
    assert!(
        early.contains("上报前尚须完成：家庭经济状况核对、入户调查、公示"),
        "{early}"
    );
    supervisor.ok(&[
        "case",
        "step",
        &number,
        "--step",
        "income_check",
        "--reason",
        "经核对，家庭无机动车辆、无商品房，存款低于规定标准",
    ]);
    // (A desk reassigns to the accounts it knows: the field worker works there too.)
    supervisor.assign(&hub, "黄勇", "field");
    supervisor.ok(&["case", "reassign", &number, "--to", "黄勇"]);
    supervisor.sync();

    // On the field laptop: the home visit and the 公示 posted in the village, synced later.
    field.sync();
    field.ok(&[
        "case",
        "step",
        &number,
        "--step",
        "home_visit",
        "--reason",
        "二人入户：家中三口人，户主患慢性病，无劳动能力",
        "--member",
        "韦秀兰:配偶",
        "--member",
        "韦小明:长子",
    ]);
    let today = super::days_ahead(0);
    let no_size = field.fails(&[
        "case",
        "step",
        &number,
        "--step",
        "publicity",
        "--from",
        &today,
    ]);
    assert!(no_size.contains("家庭人口"), "{no_size}");
    field.ok(&[
        "case",
        "step",
        &number,
        "--step",
        "publicity",
        "--from",
        &today,
        "--household",
        "3",
        "--amount",
        "520",
        "--reason",
        "在金鸡村村务公开栏公示",
    ]);
    field.sync();
    let list = printed(&field, &number, "publicity");
    for words in [
        "最低生活保障申请审核公示",
        "韦国强",
        "檀圩镇金鸡村六队",
        "3人",
        "每月520元",
        &format!(
            "公示期自{}至{}",
            super::procedure::official(&today),
            super::procedure::official(&super::days_ahead(6))
        ),
        "灵山县民政局",
    ] {
        assert!(list.contains(words), "{words} missing in {list}");
    }
    for never in ["450721198806152311", "2311", "****", "证件号码："] {
        assert!(!list.contains(never), "the 公示 shows {never}: {list}");
    }

    // While the 公示 runs the report waits, at the desk and at the hub.
    supervisor.sync();
    let running = supervisor.fails(&["case", "forward", &number]);
    assert!(
        running.contains(&format!("公示期至{}", super::days_ahead(6))),
        "{running}"
    );
    let forger = RawDevice::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let raw = forged(
        &forger,
        &number,
        move_by(
            "张华",
            EventKind::Forwarded,
            CaseStatus::Accepted,
            CaseStatus::Forwarded,
        ),
    );
    assert!(raw.contains("公示期至"), "{raw}");

    // Three days on, a neighbour objects; a week on, the 公示 is over and the case goes up.
    clock.set_days_ahead(3);
    supervisor.ok(&[
        "case",
        "step",
        &number,
        "--step",
        "objection",
        "--reason",
        "村民反映其子在外务工；经核实为季节性务工，收入已计入",
    ]);
    assert!(
        supervisor
            .fails(&["case", "forward", &number])
            .contains("公示期至")
    );
    clock.set_days_ahead(7);
    supervisor.ok(&[
        "case",
        "forward",
        &number,
        "--reason",
        "经审核，情况属实，同意上报",
    ]);
    supervisor.sync();
    county.sync();
    county.ok(&["case", "approve", &number]);
    county.assign(&hub, "韦东", "county");
    county.ok_as("韦东", &["case", "approve", &number]);
    county.sync();
    clerk.sync();
    let decided = clerk.show(&number);
    assert_eq!(decided["status"], "approved", "{decided}");
    let steps: Vec<&str> = decided["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["income_check", "home_visit", "publicity", "objection"]
    );
    // The benefit granted pays what the 公示 proposed, from the next month.
    let letter = printed(&clerk, &number, "decision");
    assert!(letter.contains("每月520元，自"), "{letter}");
    assert!(
        letter.contains("保障对象：韦国强（申请人）、韦秀兰（配偶）、韦小明（长子）"),
        "{letter}"
    );
    assert!(letter.contains("经乡镇人民政府审核上报"), "{letter}");
}
