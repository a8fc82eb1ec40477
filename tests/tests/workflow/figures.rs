//! The supervision figures through the command line: a supervisor's report as JSON, as an .xlsx
//! a real reader opens (openpyxl) with the same numbers, and as a PDF with Chinese text; the
//! cases behind a figure; a clerk refused; and an open case turning overdue on a moved clock.

use super::register;
use tongban_e2e::{Backend, Clock, Desk, Hub, TOWNSHIP, text};

/// The workbook's first sheet's total row and headings, read by openpyxl (Debian's package).
pub(super) fn workbook(path: &str) -> serde_json::Value {
    let script = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
total = book["汇总"]
print(json.dumps({
    "sheets": book.sheetnames,
    "title": total["A1"].value,
    "headings": [c.value for c in total[3]],
    "total": [c.value for c in total[4]],
    "groups": [[c.value for c in row] for row in book["分组"].iter_rows(min_row=2)] if "分组" in book.sheetnames else [],
}, ensure_ascii=False))
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script, path])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_supervisor_reports_the_figures_in_every_form_and_a_clerk_cannot() {
    let clock = Clock::new();
    let hub = Hub::start_on(Backend::Sqlite, &clock);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let complete = "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM";
    let spot = register(&clerk, complete);
    let open = register(&clerk, complete);
    let ended = register(&clerk, complete);
    let returned = register(&clerk, "ID_CARD");
    clerk.ok(&["case", "return", &returned]);
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &spot]);
    supervisor.ok(&["case", "approve", &spot]);
    supervisor.ok(&["case", "accept", &open]);
    supervisor.ok(&["case", "accept", &ended]);
    supervisor.ok(&["case", "terminate", &ended, "--reason", "申请人死亡"]);

    let today = super::days_ahead(0);
    let period = ["--from", &today, "--to", &today];
    let report = |desk: &Desk, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["report", "--json"];
        args.extend_from_slice(&period);
        args.extend_from_slice(extra);
        serde_json::from_str(&desk.ok(&args)).unwrap()
    };
    let json = report(&supervisor, &["--by", "clerk"]);
    let total = &json["total"];
    for (figure, expected) in [
        ("received", 4),
        ("accepted", 3),
        ("decided", 1),
        ("decided_on_time", 1),
        ("overdue", 0),
        ("first_time", 1),
        ("on_the_spot", 1),
        ("returned", 1),
        ("terminated", 1),
    ] {
        assert_eq!(total[figure], expected, "{figure}: {json}");
    }
    assert_eq!(total["completion_rate"], 0.3333);
    assert_eq!(json["groups"][0]["key"], "李明");

    // The hub computes the same figures from what the desks sent, across its townships.
    supervisor.sync();
    let county: serde_json::Value = serde_json::from_str(&hub.admin(&[
        "report", "--json", "--from", &today, "--to", &today, "--by", "township",
    ]))
    .unwrap();
    assert_eq!(county["total"], json["total"], "{county}");
    assert_eq!(county["groups"][0]["key"], TOWNSHIP);
    assert_eq!(county["groups"][0]["label"], "檀圩镇");
    assert_eq!(county["groups"][0]["figures"], json["total"]);
    let behind = hub.admin(&[
        "report",
        "--from",
        &today,
        "--to",
        &today,
        "--cases",
        "on_the_spot",
    ]);
    assert_eq!(behind, spot);
    let wrong = hub.admin_output(&["report", "--by", "street"]);
    assert!(!wrong.status.success());
    assert!(text(&wrong.stderr).contains("不能按“street”分组"));

    // The cases behind a figure.
    let behind: Vec<serde_json::Value> = serde_json::from_str(&supervisor.ok(&[
        "report", "--from", &today, "--to", &today, "--cases", "returned", "--json",
    ]))
    .unwrap();
    assert_eq!(behind.len(), 1);
    assert_eq!(behind[0]["number"], returned.as_str());
    let unknown = supervisor.fails(&["report", "--cases", "speed"]);
    assert!(unknown.contains("未知的统计项"), "{unknown}");
    let backwards = supervisor.fails(&["report", "--from", "2026-12-31", "--to", "2026-12-01"]);
    assert!(backwards.contains("结束日期早于开始日期"), "{backwards}");

    // The workbook and the PDF hold the same numbers.
    let xlsx = supervisor.path().join("report.xlsx");
    let pdf = supervisor.path().join("report.pdf");
    let (xlsx, pdf) = (xlsx.to_str().unwrap(), pdf.to_str().unwrap());
    supervisor.ok(&[
        "report", "--from", &today, "--to", &today, "--by", "clerk", "--xlsx", xlsx, "--pdf", pdf,
    ]);
    let book = workbook(xlsx);
    assert_eq!(book["sheets"], serde_json::json!(["汇总", "分组"]));
    assert!(book["title"].as_str().unwrap().contains("政务服务监察报表"));
    let headings = book["headings"].as_array().unwrap();
    for (figure, heading) in [
        ("received", "收件"),
        ("accepted", "受理"),
        ("decided", "办结"),
        ("returned", "补正"),
    ] {
        let column = headings.iter().position(|h| h == heading).unwrap();
        assert_eq!(book["total"][column], total[figure], "{heading}");
    }
    let rate = headings.iter().position(|h| h == "办结率").unwrap();
    assert_eq!(book["total"][rate], total["completion_rate"]);
    assert_eq!(book["groups"][0][0], "李明");
    let read = std::process::Command::new("pdftotext")
        .args([pdf, "-"])
        .output()
        .unwrap();
    let words: String = text(&read.stdout).split_whitespace().collect();
    assert!(words.contains("政务服务监察报表"), "{words}");
    assert!(words.contains("办结：1件，办结率33.33%"), "{words}");
    assert!(words.contains("李明"), "{words}");

    // A clerk sees no figures, and the refusal is recorded.
    let refused = clerk.fails(&["report"]);
    assert!(refused.contains("查看监察统计"), "{refused}");
    assert!(clerk.ok(&["refusals", "--json"]).contains("read_figures"));

    // Ten days on, the accepted case is past its promise (5 working days): overdue while open.
    clock.set_days_ahead(10);
    let later = super::days_ahead(10);
    let json: serde_json::Value = serde_json::from_str(
        &supervisor.ok(&["report", "--json", "--from", &today, "--to", &later]),
    )
    .unwrap();
    assert_eq!(json["total"]["overdue"], 1, "{json}");
    assert_eq!(json["total"]["overdue_open"], 1, "{json}");
    assert_eq!(json["total"]["overdue_rate"], 0.3333);
    let county: serde_json::Value =
        serde_json::from_str(&hub.admin(&["report", "--json", "--from", &today, "--to", &later]))
            .unwrap();
    assert_eq!(county["total"], json["total"]);
}
