use super::*;
use tongban_domain::archival::Retention;
use tongban_domain::{CaseEvent, CaseStatus, EventKind};

fn case() -> Case {
    let mut case = crate::test_case::case("DB01");
    case.events.push(CaseEvent {
        id: "e2".into(),
        at_ms: 1_795_000_100_000,
        kind: EventKind::Rejected,
        by: "张华".into(),
        device: "d2".into(),
        from: Some(CaseStatus::Accepted),
        to: Some(CaseStatus::Rejected),
        reason: Some("家庭收入<当地标准 & 有车辆".into()),
        ..CaseEvent::default()
    });
    case
}

fn signed(case: &Case) -> String {
    let code = ArchivalCode::parse("Z109-2026-D30-MZ-0007").unwrap();
    assert_eq!(code.retention, Retention::Years30);
    let files = [FileEntry {
        path: "decision.pdf".into(),
        format: "PDF/A-2b".into(),
        bytes: 1234,
        sha256: "ab".repeat(32),
        sm3: "cd".repeat(32),
    }];
    let roles = [
        ("李明".to_string(), Role::Clerk),
        ("张华".to_string(), Role::Supervisor),
    ];
    let basis = ["《社会救助暂行办法》第十一条".to_string()];
    let record = Record {
        case,
        code: &code,
        organ: "灵山县民政局",
        township_name: "檀圩镇",
        legal_basis: &basis,
        roles: &roles,
        files: &files,
        created: "2026-12-07T10:00:00+08:00",
        audit: &AuditRef {
            township: "450721101".into(),
            size: 40,
            positions: vec![3, 17],
        },
    };
    signed_object(&record).unwrap()
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

#[test]
fn the_record_names_its_elements_as_the_standards_do_and_escapes_what_it_quotes() {
    let object = signed(&case());
    for element in [
        "<聚合层次>件</聚合层次>",
        "<电子文件号>450721101-20261120-001-0007</电子文件号>",
        "<档号全文>Z109-2026-D30-MZ-0007</档号全文>",
        "<保管期限>30年</保管期限>",
        "<题名>最低生活保障申请（覃秀梅）</题名>",
        "<数字摘要 算法=\"SM3\">",
        "<业务行为>不予批准</业务行为>",
        "<行为依据>《社会救助暂行办法》第十一条</行为依据>",
        "<个人职位>审批人员</个人职位>",
    ] {
        assert!(object.contains(element), "{element} missing:\n{object}");
    }
    assert!(
        object.contains("家庭收入&lt;当地标准 &amp; 有车辆"),
        "{object}"
    );
    // Well formed: an XML reader goes through the whole package.
    let xml = package_xml(
        &object,
        "灵山县政务服务中心平台",
        "2026-12-07T10:00:00+08:00",
        &key(),
    )
    .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut depth = 0i32;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(_) => depth += 1,
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
}

#[test]
fn the_signature_holds_only_over_the_record_as_signed_and_by_a_trusted_key() {
    let object = signed(&case());
    let xml = package_xml(&object, "hub", "2026-12-07T10:00:00+08:00", &key()).unwrap();
    let trusted = [key().verifying_key()];
    assert_eq!(signature_holds(&xml, &trusted), Ok(()));
    let edited = xml.replace("覃秀梅", "覃秀兰");
    assert!(
        signature_holds(&edited, &trusted)
            .unwrap_err()
            .en
            .contains("does not hold")
    );
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let forged = package_xml(&object, "hub", "2026-12-07T10:00:00+08:00", &stranger).unwrap();
    assert!(
        signature_holds(&forged, &trusted)
            .unwrap_err()
            .en
            .contains("does not trust")
    );
    assert!(signature_holds("<x/>", &trusted).is_err());
}
