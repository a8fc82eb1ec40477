//! Each document is checked with poppler, as a reader of the printed file would: it renders,
//! its Chinese text extracts intact, its font is an embedded subset, and it stays small.
#![allow(clippy::unwrap_used)]

use super::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use time::macros::{date, datetime};
use tongban_domain::{
    Applicant, ApplicantId, CaseNumber, CaseStatus, MaterialState, MaterialStatus, Mobile, PageRef,
    ResidentId, TownshipCode,
};

const ID: &str = "11010519491231002X";

fn case() -> Case {
    let township = TownshipCode::parse("450721101").unwrap();
    let material = |code: &str, name: &str, status, pages: usize| MaterialState {
        code: code.into(),
        name: name.into(),
        status,
        pages: (0..pages)
            .map(|i| PageRef {
                sha256: format!("{i:064x}"),
                bytes: 1000,
                mime: "image/jpeg".into(),
                width: 2480,
                height: 3508,
            })
            .collect(),
    };
    Case {
        number: CaseNumber::new(&township, date!(2026 - 11 - 20), 1, 7).unwrap(),
        township,
        item_code: "DB01".into(),
        item_name: "最低生活保障申请".into(),
        promised_days: 20,
        catalogue_version: 2,
        query_hash: None,
        applicant: Applicant {
            name: "王秀英".into(),
            id: ApplicantId::Resident(ResidentId::parse(ID, date!(2026 - 11 - 20)).unwrap()),
            agent: None,
            phone: Some(Mobile::parse("13812345678").unwrap()),
            address: None,
        },
        materials: vec![
            material("ID", "居民身份证", MaterialStatus::Received, 2),
            material("HK", "户口簿", MaterialStatus::Received, 0),
            material("SR", "家庭收入证明", MaterialStatus::Missing, 0),
        ],
        papers: Vec::new(),
        status: CaseStatus::Accepted,
        clerk: "李明".into(),
        created_at_ms: 1_763_600_000_000,
        updated_at_ms: 1_763_600_000_000,
        events: Vec::new(),
        assignee: None,
        conflict: None,
        accepted_at_ms: None,
        materials_due: None,
    }
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (apt: poppler-utils) cannot run: {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Writes the PDF where it can be looked at, checks it with poppler and returns its text.
fn check(name: &str, pdf: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/print");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let file = path.to_str().unwrap();
    assert!(pdf.len() < 200 * 1024, "{name} is {} bytes", pdf.len());

    let fonts = poppler("pdffonts", &[file]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{name} has no fonts:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID: the three yes/no columns come before the id.
        let flags = &cols[cols.len() - 5..cols.len() - 2];
        assert_eq!(
            flags,
            ["yes", "yes", "yes"],
            "{name}: font not an embedded subset: {row}"
        );
        assert!(
            cols[0].as_bytes()[6] == b'+',
            "{name}: subset tag missing: {row}"
        );
    }
    let png = dir.join(name);
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            "-singlefile",
            file,
            png.to_str().unwrap(),
        ],
    );
    let rendered = Path::new(&format!("{}.png", png.display()))
        .metadata()
        .unwrap();
    assert!(rendered.len() > 5_000, "{name} rendered nearly blank");
    poppler("pdftotext", &["-layout", file, "-"])
}

/// Checks a PDF/A rendition as an archivist would: qpdf finds the file sound, every font is
/// embedded, the XMP names PDF/A-2b and the catalogue has an sRGB output intent. Returns its
/// text, checked with poppler as any paper is.
fn check_pdf_a(name: &str, pdf: &[u8]) -> String {
    let text = check(name, pdf);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/print");
    let file = dir.join(format!("{name}.pdf"));
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&file)
        .output()
        .expect("qpdf (apt: qpdf) cannot run");
    assert!(
        qpdf.status.success(),
        "{name}: qpdf --check failed: {}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
    let xmp = poppler("pdfinfo", &["-meta", file.to_str().unwrap()]);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>") || xmp.contains("pdfaid:part=\"2\""),
        "{name}: XMP lacks the PDF/A part:\n{xmp}"
    );
    assert!(
        xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || xmp.contains("pdfaid:conformance=\"B\""),
        "{name}: XMP lacks the PDF/A conformance level:\n{xmp}"
    );
    let plain = dir.join(format!("{name}-qdf.pdf"));
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&file)
        .arg(&plain)
        .status()
        .unwrap();
    assert!(status.success());
    let body = String::from_utf8_lossy(&std::fs::read(&plain).unwrap()).to_string();
    assert!(
        body.contains("/OutputIntents") && body.contains("/GTS_PDFA1"),
        "{name}: no PDF/A output intent"
    );
    assert!(!body.contains("/Encrypt"), "{name} is encrypted");
    text
}

/// Renders the page as a scanner would see it and reads the QR code back.
fn read_qr(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/print");
    let pdf = dir.join(format!("{name}.pdf"));
    let out = dir.join(format!("{name}-150dpi"));
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-gray",
            "-r",
            "150",
            "-singlefile",
            pdf.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let page = image::open(format!("{}.png", out.display()))
        .unwrap()
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(page);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "{name}: expected one QR code");
    grids[0].decode().unwrap().1
}

/// A query code as the registering desk keeps it.
const QUERY: &str = "7KQ2-M9XD";
/// The hub's query page for that code, as the desk gives it to the receipt.
const QUERY_URL: &str =
    "https://hub.example:8443/query?case=450721101-20261121-3-0001&code=7KQ2-M9XD";

#[test]
fn the_receipt_carries_what_the_applicant_needs_and_masks_the_id() {
    let mut case = case();
    // A proof the applicant's signed commitment stands in for is not a material received.
    case.materials.push(MaterialState {
        code: "KN".into(),
        name: "困难情况证明材料".into(),
        status: MaterialStatus::Committed,
        pages: Vec::new(),
    });
    let paper = receipt(&Receipt {
        case: &case,
        reprint: false,
        township: "檀圩镇",
        printed: date!(2026 - 11 - 21),
        query: Some(QUERY),
        query_url: Some(QUERY_URL),
    })
    .unwrap();
    let text = check("receipt", &paper.pdf().unwrap());
    // The archives keep the same paper as PDF/A, which must read the same.
    let archival = paper.pdf_a(datetime!(2026-11-21 09:30 +8)).unwrap();
    let archived_text = check_pdf_a("receipt-pdfa", &archival);
    assert_eq!(
        archived_text.split_whitespace().collect::<Vec<_>>(),
        text.split_whitespace().collect::<Vec<_>>()
    );
    assert_eq!(read_qr("receipt-pdfa"), QUERY_URL);
    for expected in [
        "檀圩镇便民服务中心",
        "收件凭证",
        "不表示已经受理",
        case.number.as_str(),
        "最低生活保障申请（DB01）",
        "王秀英",
        "110105********002X",
        "138****5678",
        "李明",
        "受理之日起20个工作日内办结",
        "居民身份证（扫描2份）",
        "户口簿",
        "尚缺材料：家庭收入证明",
        "告知承诺：困难情况证明材料",
        QUERY,
    ] {
        assert!(
            text.contains(expected),
            "receipt lacks {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains(ID), "the full ID number is printed");
    assert!(
        !text.contains("3. 困难情况证明材料"),
        "a commitment is listed as a material received"
    );
    // A phone that scans it opens the case's progress at the hub.
    assert_eq!(read_qr("receipt"), QUERY_URL);
    assert!(
        !text.contains("13812345678"),
        "the full phone number is printed"
    );
}

#[test]
fn the_acceptance_notice_dates_the_acceptance_and_says_what_the_applicant_promised() {
    let mut case = case();
    case.materials[1].status = MaterialStatus::Deferred;
    case.materials[2].status = MaterialStatus::Received;
    case.materials_due = Some("2026-11-27".into());
    case.events.push(tongban_domain::CaseEvent {
        kind: tongban_domain::EventKind::Accepted,
        reason: Some("申请人承诺11月27日前补交户口簿复印件".into()),
        missing: vec!["HK".into()],
        due: Some("2026-11-27".into()),
        ..Default::default()
    });
    // Printed again away from the registering desk: no code, and the receipt says where to ask.
    let pdf = receipt(&Receipt {
        case: &case,
        reprint: true,
        township: "檀圩镇",
        printed: date!(2026 - 11 - 21),
        query: None,
        query_url: None,
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text = check("receipt-reprinted", &pdf);
    assert!(text.contains("查询码仅在登记窗口打印"), "{text}");
    assert!(text.contains("补打"), "{text}");
    assert!(!text.contains(QUERY), "{text}");
    let pdf = acceptance(&Acceptance {
        case: &case,
        township: "檀圩镇",
        organ: "灵山县民政局",
        number: case.number.document_number("灵山县民政局", "受", 2026),
        accepted: date!(2026 - 11 - 20),
        deemed: false,
        promised: Some(date!(2026 - 12 - 18)),
        provisional: false,
        reprint: false,
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text: String = check("acceptance-deferred", &pdf)
        .split_whitespace()
        .collect();
    for expected in [
        "灵山县民政局",
        "受理通知书",
        "受〔2026〕",
        "本机关决定自2026年11月20日起受理",
        "2026年12月18日前（20个工作日）",
        "容缺受理材料：户口簿，申请人承诺于2026年11月27日前补交",
        "承诺内容：申请人承诺11月27日前补交户口簿复印件",
    ] {
        assert!(
            text.contains(expected),
            "receipt lacks {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains("暂按法定节假日推算"), "{text}");
    // A promised date in a year whose holiday schedule is not yet published says so.
    let provisional = acceptance(&Acceptance {
        case: &case,
        township: "檀圩镇",
        organ: "灵山县民政局",
        number: case.number.document_number("灵山县民政局", "受", 2026),
        accepted: date!(2026 - 12 - 10),
        deemed: false,
        promised: Some(date!(2027 - 01 - 08)),
        provisional: true,
        reprint: false,
    })
    .unwrap()
    .pdf()
    .unwrap();
    let provisional: String = check("acceptance-provisional", &provisional)
        .split_whitespace()
        .collect();
    assert!(provisional.contains("2027年1月8日前"), "{provisional}");
    assert!(
        provisional.contains("节假日安排尚未公布，暂按法定节假日推算"),
        "{provisional}"
    );
    assert!(!text.contains(ID), "the full ID number is printed");
    let deemed = acceptance(&Acceptance {
        case: &case,
        township: "檀圩镇",
        organ: "灵山县民政局",
        number: case.number.document_number("灵山县民政局", "受", 2026),
        accepted: date!(2025 - 11 - 20),
        deemed: true,
        promised: None,
        provisional: false,
        reprint: false,
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text: String = check("acceptance-deemed", &deemed)
        .split_whitespace()
        .collect();
    assert!(text.contains("依法自2025年11月20日起即为受理"), "{text}");
}

#[test]
fn the_notice_lists_every_missing_material_with_its_requirement_the_date_and_the_law() {
    let case = case();
    let licence = Notice {
        case: &case,
        reprint: false,
        township: "檀圩镇",
        missing: vec![
            ("家庭收入证明".into(), "村（居）委会出具，加盖公章".into()),
            ("银行账户".into(), "本人一类银行卡复印件".into()),
        ],
        reason: Some("收入证明缺少公章".into()),
        clerk: "李明".into(),
        date: date!(2026 - 11 - 21),
        due: Some(date!(2026 - 12 - 21)),
        licence: true,
    };
    let pdf = notice(&licence).unwrap().pdf().unwrap();
    let text: String = check("notice", &pdf).split_whitespace().collect();
    for expected in [
        "一次性告知书",
        "1.家庭收入证明",
        "要求：村（居）委会出具，加盖公章",
        "2.银行账户",
        "收入证明缺少公章",
        "行政许可法》第三十二条",
        "2026年11月21日",
        "请于2026年12月21日前补正上列材料",
        "视为撤回申请",
        "申请人签收",
    ] {
        assert!(
            text.contains(expected),
            "notice lacks {expected:?}:\n{text}"
        );
    }
    // A benefit's notice does not cite the licensing law.
    let pdf = notice(&Notice {
        licence: false,
        ..licence
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text = check("notice-benefit", &pdf);
    assert!(!text.contains("行政许可法"), "{text}");
    assert!(text.contains("补齐后即予受理"), "{text}");
}

#[test]
fn decisions_are_worded_by_item_kind_in_the_organs_name_with_number_basis_and_appeal() {
    let case = case();
    let appeal = tongban_domain::AppealOrgans {
        government: "灵山县人民政府".into(),
        court: "灵山县人民法院".into(),
    };
    let household = [tongban_domain::assistance::Member {
        name: "韦小明".into(),
        relation: "长子".into(),
    }];
    let granted = Decision {
        case: &case,
        reprint: false,
        township: "檀圩镇",
        organ: "灵山县民政局",
        number: case.number.document_number("灵山县民政局", "决", 2026),
        kind: tongban_domain::ItemKind::Benefit,
        basis: vec!["《社会救助暂行办法》第十一条".into()],
        appeal: Some(&appeal),
        approved: true,
        reason: Some("家庭人均收入低于当地标准".into()),
        supervisors: vec!["张华".into(), "陈刚".into()],
        benefit: Some((520, date!(2026 - 12 - 01))),
        household: &household,
        date: date!(2026 - 11 - 25),
        fingerprint: "3f9a0c7e1b2d4f65".into(),
    };
    let approved = decision(&granted).unwrap().pdf().unwrap();
    let text: String = check("decision-approved", &approved)
        .split_whitespace()
        .collect();
    for expected in [
        "灵山县民政局",
        "给付决定书",
        "灵山县民政局决〔2026〕450721101-20261120-001-0007号",
        "决定予以给付",
        "《社会救助暂行办法》第十一条",
        "张华、陈刚",
        "每月520元，自2026年12月起按月发放",
        "保障对象：王秀英（申请人）、韦小明（长子）",
        "3f9a0c7e1b2d4f65",
        "灵山县民政局（印章）",
    ] {
        assert!(
            text.contains(expected),
            "decision lacks {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("行政复议"),
        "a granted benefit has no appeal note"
    );
    assert!(!text.contains("补打"), "an original is not a reprint");
    assert!(!text.contains("行政许可"), "a benefit is not a licence");
    let refused = decision(&Decision {
        approved: false,
        reason: Some("家庭收入超过标准".into()),
        reprint: true,
        kind: tongban_domain::ItemKind::Licence,
        ..granted
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text: String = check("decision-refused", &refused)
        .split_whitespace()
        .collect();
    for expected in [
        "不予行政许可决定书",
        "决定不予行政许可",
        "六十日内向灵山县人民政府申请行政复议",
        "六个月内向灵山县人民法院提起行政诉讼",
        "补打",
    ] {
        assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
    }
    assert!(!text.contains("保障金额"), "a refusal pays nothing");
}

#[test]
fn a_refusal_at_intake_is_issued_by_the_organ_with_its_ground_referral_and_appeal_routes() {
    let case = case();
    let appeal = tongban_domain::AppealOrgans {
        government: "灵山县人民政府".into(),
        court: "灵山县人民法院".into(),
    };
    let pdf = intake_refusal(&IntakeRefusal {
        case: &case,
        number: case.number.document_number("灵山县民政局", "不受", 2026),
        reprint: false,
        township: "檀圩镇",
        organ: "灵山县民政局",
        ground: "申请事项不属于本机关职权范围",
        reason: "申请人户籍不在本县",
        refer_to: Some("浦北县民政局"),
        basis: vec!["《社会救助暂行办法》第二章".into()],
        appeal: Some(&appeal),
        decided_by: "张华",
        date: date!(2026 - 11 - 21),
        fingerprint: "0123456789abcdef".into(),
    })
    .unwrap()
    .pdf()
    .unwrap();
    let text: String = check("intake-refusal", &pdf).split_whitespace().collect();
    for expected in [
        "灵山县民政局",
        "不予受理决定书",
        "110105********002X",
        "决定不予受理",
        "请向浦北县民政局提出申请",
        "《社会救助暂行办法》第二章",
        "六十日内向灵山县人民政府申请行政复议",
        "六个月内向灵山县人民法院提起行政诉讼",
        "0123456789abcdef",
        "灵山县民政局不受〔2026〕450721101-20261120-001-0007号",
        "灵山县民政局（印章）",
    ] {
        assert!(text.contains(expected), "lacks {expected}:\n{text}");
    }
    // A benefit is not a licence: the letter does not cite the licensing law.
    assert!(!text.contains("行政许可法"), "{text}");
    assert!(!text.contains(ID), "the full ID number is printed");
}

#[test]
fn suspension_and_extension_notices_tell_the_applicant_how_the_clock_changed() {
    let case = case();
    let notice = |change, deadline| ClockNotice {
        case: &case,
        number: case
            .number
            .document_number("灵山县人力资源和社会保障局", "中", 2026),
        reprint: false,
        township: "檀圩镇",
        organ: "灵山县人力资源和社会保障局",
        change,
        reason: "需入户核查家庭经济状况",
        by: "张华",
        date: date!(2026 - 11 - 23),
        deadline,
        basis: vec!["《中华人民共和国行政许可法》第四十二条".into()],
    };
    let pdf = clock_notice(&notice(ClockChange::Suspension, None))
        .unwrap()
        .pdf()
        .unwrap();
    let text: String = check("suspension", &pdf).split_whitespace().collect();
    for expected in [
        "中止办理告知书",
        "灵山县人力资源和社会保障局",
        "因需入户核查家庭经济状况",
        "自2026年11月23日起中止办理",
        "中止期间不计入办理期限",
    ] {
        assert!(text.contains(expected), "lacks {expected}:\n{text}");
    }
    assert!(!text.contains("办结期限"), "{text}");
    let pdf = clock_notice(&notice(
        ClockChange::Extension { days: 5 },
        Some(date!(2026 - 12 - 14)),
    ))
    .unwrap()
    .pdf()
    .unwrap();
    let text: String = check("extension", &pdf).split_whitespace().collect();
    for expected in [
        "延长办理期限告知书",
        "办理期限延长5个工作日",
        "2026年12月14日前",
        "第四十二条",
        "批准人：张华",
    ] {
        assert!(text.contains(expected), "lacks {expected}:\n{text}");
    }
    assert!(!text.contains(ID), "the full ID number is printed");
}

/// A report by clerk with more clerks than a page holds runs onto a second page, its table
/// heading repeated; the workbook opens as a zip with both sheets.
#[test]
fn the_supervision_report_runs_over_pages_and_into_a_workbook() {
    use tongban_domain::figures::{CaseFacts, Query, Report};
    let calendar = tongban_domain::WorkCalendar::builtin();
    let facts: Vec<CaseFacts> = (0..60)
        .map(|n| {
            let mut case = case();
            case.clerk = format!("收件人{n:02}");
            let mut facts = CaseFacts::of(&case);
            // Every third applicant rated the service, well.
            if n % 3 == 0 {
                facts.events.push(tongban_domain::CaseEvent {
                    at_ms: case.created_at_ms + 86_400_000,
                    kind: tongban_domain::EventKind::Rated,
                    rating: Some(tongban_domain::rating::Rating {
                        level: tongban_domain::rating::Satisfaction::Satisfied,
                        reason: None,
                        comment: None,
                    }),
                    ..tongban_domain::CaseEvent::default()
                });
            }
            facts
        })
        .collect();
    // The sample case was received on 20 November 2025.
    let query = Query::parse(
        Some("2025-11-01"),
        Some("2025-11-30"),
        Some("clerk"),
        date!(2026 - 12 - 07),
    )
    .unwrap();
    let report = Report::of(&facts, calendar, &query);
    assert_eq!(report.groups.len(), 60);
    let pdf = report_pdf(&report, "檀圩镇").unwrap();
    let text = check("report", &pdf);
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/print/report.pdf");
    let info = poppler("pdfinfo", &[file.to_str().unwrap()]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 2")),
        "{info}"
    );
    let words: String = text.split_whitespace().collect();
    assert!(words.contains("檀圩镇政务服务监察报表"), "{words}");
    assert!(
        words.contains("统计期间：2025年11月1日至2025年11月30日"),
        "{words}"
    );
    assert!(words.contains("收件人59"), "{words}");
    assert!(words.contains("好差评：评价20件，好评率100.00%"), "{words}");
    assert_eq!(
        words.matches("收件人收件受理").count(),
        2,
        "heading on each page"
    );
    let xlsx = report_xlsx(&report, "檀圩镇").unwrap();
    assert_eq!(&xlsx[..2], b"PK");
}
