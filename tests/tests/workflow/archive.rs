//! `tongban archive check` as an operator runs it: on a machine with no profile nothing is
//! trusted, so a package's signature and audit proofs fail while everything else about it is
//! judged; on an enrolled desk a package signed by a key the township does not know fails its
//! signature, and the report is signed by the desk. Bad arguments are refused in both languages.

use tongban_archive::{Contents, PackageFile, build};
use tongban_audit::{Checkpoint, Extract, MerkleLog, next_event};
use tongban_domain::archival::ArchivalCode;
use tongban_domain::{Case, CaseNumber, Catalogue, Desk as DeskFacts, Registration, TownshipCode};
use tongban_e2e::{Desk, Hub, TOWNSHIP};
use tongban_sync::ed25519_dalek::SigningKey;

fn case() -> Case {
    let township = TownshipCode::parse(TOWNSHIP).unwrap();
    let today = time::macros::date!(2026 - 11 - 20);
    let mut case = Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        received: vec!["ID_CARD".into()],
        ..Default::default()
    }
    .into_case(
        Catalogue::builtin(),
        CaseNumber::new(&township, today, 1, 7).unwrap(),
        &DeskFacts {
            township: &township,
            clerk: "李明",
            device: "d1",
            now_ms: 1_795_000_000_000,
            today,
        },
    )
    .unwrap();
    case.events[0].id = "e1".into();
    let mut done = case.events[0].clone();
    done.id = "e2".into();
    done.kind = tongban_domain::EventKind::Withdrawn;
    done.from = Some(tongban_domain::CaseStatus::Registered);
    done.to = Some(tongban_domain::CaseStatus::Withdrawn);
    case.events.push(done);
    case.status = tongban_domain::CaseStatus::Withdrawn;
    case
}

/// A package of a withdrawn case, signed (record and checkpoint) by `key`.
fn package(dir: &std::path::Path, key: &SigningKey) -> std::path::PathBuf {
    let case = case();
    let mut log = MerkleLog::new();
    let mut event = next_event(None, "d1", 1);
    event.object = case.number.as_str().to_string();
    let signed = event.sign(&SigningKey::from_bytes(&[1; 32]));
    log.push(signed.hash());
    let checkpoint = Checkpoint {
        township: TOWNSHIP.into(),
        size: 1,
        root: hex::encode(log.root()),
        at_ms: 2,
    }
    .sign(key);
    let extract = Extract::build(&log, checkpoint, &[(0, signed)]).unwrap();
    let mut scan = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(40, 60, image::Rgb([200, 200, 190]))
        .write_to(&mut scan, image::ImageFormat::Jpeg)
        .unwrap();
    let bag = dir.join("package");
    build(
        &bag,
        Contents {
            case: &case,
            code: &ArchivalCode::parse("Z109-2026-D10-RS-0001").unwrap(),
            organ: "灵山县人力资源和社会保障局",
            township_name: "檀圩镇",
            legal_basis: &[],
            roles: &[],
            files: vec![
                PackageFile {
                    path: "scans/page-1.jpg".into(),
                    format: "JPEG".into(),
                    bytes: scan.into_inner(),
                },
                PackageFile {
                    path: "case.json".into(),
                    format: "JSON".into(),
                    bytes: serde_json::to_vec(&case).unwrap(),
                },
            ],
            created: "2026-12-07T10:00:00+08:00",
            bagging_date: "2026-12-07",
            extract: &extract,
            signer: "somebody",
            key,
        },
    )
    .unwrap();
    bag
}

fn failing_checks(report: &serde_json::Value) -> Vec<String> {
    let mut failing: Vec<String> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "FAIL")
        .map(|r| r["check"].as_str().unwrap().to_string())
        .collect();
    failing.sort();
    failing
}

#[test]
fn a_package_is_checked_against_what_the_machine_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let stranger = SigningKey::from_bytes(&[77; 32]);
    let bag = package(dir.path(), &stranger);
    let bag_arg = bag.to_str().unwrap();

    // No profile: nothing is trusted; the rest of the package is judged and holds.
    let bare = Desk::unenrolled();
    let out = bare.run(&["archive", "check", bag_arg, "--json"]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        failing_checks(&report),
        ["audit-complete", "audit-proofs", "record-signature"]
    );
    assert_eq!(report["signer"], serde_json::Value::Null);
    assert!(report["passed"].as_u64().unwrap() >= 20, "{report}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("检测不合格"));
    let text = bare.run(&["archive", "check", bag_arg, "--stage", "bc"]);
    let table = String::from_utf8_lossy(&text.stdout);
    assert!(table.contains("BC-1-16"), "{table}");
    assert!(
        table.contains("does not trust") || table.contains("no hub key"),
        "{table}"
    );

    // An enrolled desk knows its hub and township: the stranger's signature still fails, and
    // the report is signed by the desk.
    let hub = Hub::start(tongban_e2e::Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let out = desk.run(&["archive", "check", bag_arg, "--stage", "yj", "--json"]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(failing_checks(&report).contains(&"record-signature".to_string()));
    assert!(
        report["signer"].as_str().unwrap().contains("檀圩镇"),
        "{report}"
    );
    assert!(
        report["rows"][0]["code"]
            .as_str()
            .unwrap()
            .starts_with("YJ-")
    );

    // Bad arguments change nothing and say why, in both languages.
    let out = bare.run(&["archive", "check", bag_arg, "--stage", "xx"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("unknown stage") && said.contains("未知的检测环节")
    );
    let not_a_package = bag.join("bagit.txt");
    let out = bare.run(&["archive", "check", not_a_package.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("不是档案包"),
        "{said}"
    );
}
