//! 上报 through the command line and the hub: a 残疾人证 the township accepts and reports up, the
//! county's officer decides on the county's own desk, and the result comes back to the window,
//! which delivers it under the county organ's name.

use super::COUNTY;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, text};

fn shown(desk: &Desk, number: &str) -> serde_json::Value {
    serde_json::from_str(&desk.ok(&["case", "show", number, "--json"])).unwrap()
}

/// The words of a printed document, whitespace removed (pdftotext breaks lines anywhere).
fn printed(desk: &Desk, number: &str, doc: &str) -> String {
    let out = desk.path().join(format!("{doc}.pdf"));
    let out = out.to_str().unwrap();
    desk.ok(&["case", "print", number, "--doc", doc, "--out", out]);
    let read = std::process::Command::new("pdftotext")
        .args([out, "-"])
        .output()
        .unwrap();
    text(&read.stdout).split_whitespace().collect()
}

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
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    let decides = supervisor.fails(&["case", "approve", &number]);
    assert!(decides.contains("灵山县残疾人联合会决定"), "{decides}");
    // Before the report the county desk has nothing of the township's.
    county.sync();
    assert_eq!(county.show_status(&number), None);
    supervisor.ok(&["case", "forward", &number, "--reason", "材料齐全，同意上报"]);
    assert_eq!(shown(&supervisor, &number)["status"], "forwarded");
    let waits = supervisor.fails(&["case", "reject", &number, "--reason", "不符合"]);
    assert!(waits.contains("已上报县级部门"), "{waits}");
    supervisor.sync();

    // At the county: the reported case and nothing else; sent back once, reported again.
    county.sync();
    assert_eq!(shown(&county, &number)["status"], "forwarded");
    assert_eq!(county.show_status(&own), None, "a case never reported");
    county.ok(&[
        "case",
        "send-back",
        &number,
        "--reason",
        "请补充评定医院意见",
    ]);
    county.sync();
    supervisor.sync();
    let back = shown(&supervisor, &number);
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
    assert_eq!(shown(&county, &number)["seals"][0]["verified"], true);
    county.sync();

    // Back at the window: the county's decision, sealed by the county's desk, verifies here;
    // the letter is the county organ's, with its number, basis and appeal routes.
    clerk.sync();
    let decided = shown(&clerk, &number);
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
    assert_eq!(shown(&county, &number)["delivered"]["method"], "post");
}
