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

/// Runs a checker program (qpdf, pdffonts, bagit-python) and returns its output, failing the
/// test when it cannot run.
fn tool(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot run (scripts/install-deps): {e}"))
}

#[test]
fn a_finished_case_with_six_pages_exports_a_package_that_passes_every_stage() {
    let hub = Hub::start(tongban_e2e::Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = clerk.ok(&[
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
    ]);
    let scans: Vec<String> = (0..6u32)
        .map(|page| {
            let path = clerk.path().join(format!("page-{page}.jpg"));
            image::RgbImage::from_fn(300, 420, |x, y| {
                image::Rgb([
                    (x * (page + 2) % 251) as u8,
                    (y * 3 % 241) as u8,
                    (page * 40) as u8,
                ])
            })
            .save(&path)
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let mut attach = vec!["case", "attach", &number, "--material", "ID_CARD"];
    attach.extend(scans.iter().map(String::as_str));
    clerk.ok(&attach);

    // Not finished: nothing is archived.
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let early = clerk.fails(&["archive", "export", &number, "--out", out_arg]);
    assert!(
        early.contains("尚未办结") && early.contains("not finished"),
        "{early}"
    );

    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    supervisor.ok(&["case", "accept", &number]);
    supervisor.ok(&["case", "approve", &number]);
    supervisor.ok(&["sync"]);
    clerk.ok(&["sync"]);
    clerk.ok(&["case", "complete", &number]);
    clerk.ok(&["sync"]);

    let exported: serde_json::Value = serde_json::from_str(
        &clerk.ok(&["archive", "export", &number, "--out", out_arg, "--json"]),
    )
    .unwrap();
    let bag = out.path().join(&number);
    let code = exported["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("Z450721-"), "{code}");
    assert!(code.ends_with("-0001"), "{code}");

    // Every stage passes, on the desk that built it and on another desk of the township.
    for (desk, stage) in [(&clerk, "gd"), (&supervisor, "yj"), (&supervisor, "bc")] {
        let out = desk.run(&[
            "archive",
            "check",
            bag.to_str().unwrap(),
            "--stage",
            stage,
            "--json",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{stage}: {:#?}",
            report["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["outcome"] == "FAIL")
                .collect::<Vec<_>>()
        );
        assert_eq!(report["failed"], 0);
        assert!(report["signature"].is_string());
    }
    let scans_in = std::fs::read_dir(bag.join("data/scans")).unwrap().count();
    assert_eq!(scans_in, 6);

    // The papers are PDF/A with their fonts embedded, and qpdf finds them sound.
    let documents: Vec<std::path::PathBuf> = std::fs::read_dir(bag.join("data/documents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let names: Vec<String> = documents
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for expected in ["intake.pdf", "acceptance.pdf", "decision.pdf"] {
        assert!(names.contains(&expected.to_string()), "{names:?}");
    }
    for pdf in &documents {
        let check = tool("qpdf", &["--check".as_ref(), pdf.as_os_str()]);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        let fonts = String::from_utf8(tool("pdffonts", &[pdf.as_os_str()]).stdout).unwrap();
        for row in fonts.lines().skip(2) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cols[cols.len() - 5], "yes", "{}: {row}", pdf.display());
        }
        let meta = String::from_utf8(tool("pdfinfo", &["-meta".as_ref(), pdf.as_os_str()]).stdout)
            .unwrap();
        assert!(meta.contains("pdfaid:part"), "{}", pdf.display());
    }
    // The archived receipt keeps no query code.
    let receipt = String::from_utf8(
        tool(
            "pdftotext",
            &[
                bag.join("data/documents/intake.pdf").as_os_str(),
                "-".as_ref(),
            ],
        )
        .stdout,
    )
    .unwrap();
    assert!(receipt.contains("查询码仅在登记窗口打印"), "{receipt}");

    // bagit-python validates the bag's SHA-256 manifest.
    let bagit = tool(
        "/opt/tongban-checkers/bin/python",
        &[
            "-m".as_ref(),
            "bagit".as_ref(),
            "--validate".as_ref(),
            bag.as_os_str(),
        ],
    );
    assert!(
        bagit.status.success(),
        "{}",
        String::from_utf8_lossy(&bagit.stderr)
    );

    // Exported again, the case keeps its 档号.
    let again = tempfile::tempdir().unwrap();
    let second: serde_json::Value = serde_json::from_str(&clerk.ok(&[
        "archive",
        "export",
        &number,
        "--out",
        again.path().to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(second["code"], code.as_str());

    // A flipped byte in a scan fails the check, naming the file.
    let scan = std::fs::read_dir(bag.join("data/scans"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&scan).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&scan, bytes).unwrap();
    let out = clerk.run(&["archive", "check", bag.to_str().unwrap(), "--stage", "bc"]);
    assert!(!out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    let name = scan.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("BC-1-14") && l.contains("FAIL") && l.contains(&name)),
        "{table}"
    );
}

/// A finished case through the hub's archives: two cases finished (one with six pages) are
/// archived by the hub from its own copies, get consecutive 档号, pass the fixity audit; a
/// township's year is written as a transfer batch that passes the 移交 checks on the hub and on
/// a desk; a flipped byte in a stored package fails the next audit, which logs it; packages
/// come due for appraisal only once their retention period has run out.
#[test]
fn the_hub_archives_finished_cases_audits_them_and_hands_a_year_over() {
    hub_archives(tongban_e2e::Backend::Sqlite, None);
}

/// The same on PostgreSQL with the packages in S3, when the test command started both.
#[test]
fn the_hub_archives_on_postgresql_with_packages_in_s3() {
    if let (Some(url), Some(bucket)) = (tongban_e2e::postgres_database(), tongban_e2e::s3_bucket())
    {
        hub_archives(tongban_e2e::Backend::Postgres(url), Some(bucket));
    }
}

/// Flips one byte in the middle of a stored object, on disk or in the S3 bucket.
fn flip_stored(hub: &Hub, bucket: Option<&tongban_e2e::S3Bucket>, key: &str) {
    let flip = |mut bytes: Vec<u8>| {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        bytes
    };
    match bucket {
        None => {
            let path = hub.data_dir().join("pages").join(key);
            std::fs::write(&path, flip(std::fs::read(&path).unwrap())).unwrap();
        }
        Some(b) => {
            use object_store::{ObjectStoreExt, PutPayload, path::Path};
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(&b.bucket)
                .with_endpoint(&b.endpoint)
                .with_allow_http(true)
                .with_region("us-east-1")
                .with_virtual_hosted_style_request(false)
                .build()
                .unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let path = Path::from(key);
                let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
                store
                    .put(&path, PutPayload::from(flip(bytes.to_vec())))
                    .await
                    .unwrap();
            });
        }
    }
}

fn hub_archives(backend: tongban_e2e::Backend, bucket: Option<tongban_e2e::S3Bucket>) {
    let hub = Hub::start_with_pages(backend, bucket.clone());
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let register = |name: &str| {
        clerk.ok(&[
            "case",
            "register",
            "--item",
            "YL01",
            "--name",
            name,
            "--id-number",
            "450721198806152311",
            "--received",
            "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
        ])
    };
    let first = register("覃秀梅");
    let second = register("韦国强");
    let scans: Vec<String> = (0..6u32)
        .map(|page| {
            let path = clerk.path().join(format!("scan-{page}.jpg"));
            image::RgbImage::from_fn(200, 280, |x, y| {
                image::Rgb([(x * (page + 3) % 251) as u8, (y * 5 % 241) as u8, 90])
            })
            .save(&path)
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let mut attach = vec!["case", "attach", &first, "--material", "ID_CARD"];
    attach.extend(scans.iter().map(String::as_str));
    clerk.ok(&attach);
    clerk.ok(&["sync"]);
    supervisor.ok(&["sync"]);
    for number in [&first, &second] {
        supervisor.ok(&["case", "accept", number]);
        supervisor.ok(&["case", "approve", number]);
        supervisor.ok(&["case", "complete", number]);
    }
    supervisor.ok(&["sync"]);

    let run: serde_json::Value =
        serde_json::from_str(&hub.admin(&["archive", "run", "--json"])).unwrap();
    assert_eq!(run["archived"].as_array().unwrap().len(), 2, "{run}");
    let list: serde_json::Value =
        serde_json::from_str(&hub.admin(&["archive", "list", "--json"])).unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let year = tongban_domain::calendar::china_date(super::now_ms()).year();
    assert_eq!(
        codes,
        [
            format!("Z450721-{year}-D30-RS101-0001"),
            format!("Z450721-{year}-D30-RS101-0002")
        ]
    );
    // A second run finds nothing new.
    let again: serde_json::Value =
        serde_json::from_str(&hub.admin(&["archive", "run", "--json"])).unwrap();
    assert!(again["archived"].as_array().unwrap().is_empty(), "{again}");

    let audit: serde_json::Value =
        serde_json::from_str(&hub.admin(&["archive", "fixity", "--json"])).unwrap();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["passed"] == true),
        "{audit}"
    );

    // The year handed over: the batch passes the transfer checks at the hub and on a desk.
    let out = tempfile::tempdir().unwrap();
    let batch = out.path().join("batch");
    let year_arg = year.to_string();
    let report: serde_json::Value = serde_json::from_str(&hub.admin(&[
        "archive",
        "transfer",
        "--township",
        TOWNSHIP,
        "--year",
        &year_arg,
        "--out",
        batch.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["check"] == "numbering" && r["outcome"] == "PASS")
    );
    let scans_archived = std::fs::read_dir(batch.join(&first).join("data/scans"))
        .unwrap()
        .count();
    assert_eq!(scans_archived, 6);
    let on_desk = supervisor.run(&["archive", "check", batch.to_str().unwrap(), "--stage", "yj"]);
    assert!(
        on_desk.status.success(),
        "{}",
        String::from_utf8_lossy(&on_desk.stdout)
    );

    // The desk's export is now the hub's package, byte for byte what the hub archived.
    let exports = tempfile::tempdir().unwrap();
    let exported: serde_json::Value = serde_json::from_str(&clerk.ok(&[
        "archive",
        "export",
        &first,
        "--out",
        exports.path().to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(exported["built_by"], "hub", "{exported}");
    assert_eq!(exported["code"], codes[0]);
    let downloaded = exports.path().join(&first);
    assert_eq!(
        std::fs::read(downloaded.join("data/metadata.xml")).unwrap(),
        std::fs::read(batch.join(&first).join("data/metadata.xml")).unwrap()
    );
    let checked = clerk.run(&[
        "archive",
        "check",
        downloaded.to_str().unwrap(),
        "--stage",
        "bc",
    ]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    // A device of another township, or of this one asking under another's path, gets nothing.
    let outsider = tongban_e2e::device::RawDevice::enroll(&hub, tongban_e2e::OTHER_TOWNSHIP);
    let ask = |township: &str| {
        let body = tongban_sync::wire::encode(&tongban_sync::wire::ArchiveFetch {
            case: first.clone(),
            index: 0,
        });
        outsider.post(township, "archives/get", body)
    };
    assert_eq!(ask(tongban_e2e::OTHER_TOWNSHIP).status, 404);
    assert_ne!(ask(TOWNSHIP).status, 200);

    // Due for appraisal only after 30 years from the year after archiving.
    let due = |on: &str| -> usize {
        let listed: serde_json::Value =
            serde_json::from_str(&hub.admin(&["archive", "due", "--on", on, "--json"])).unwrap();
        listed.as_array().unwrap().len()
    };
    assert_eq!(due(&format!("{}-12-31", year + 30)), 0);
    assert_eq!(due(&format!("{}-01-01", year + 31)), 2);

    // A flipped byte in the stored (sealed) package of the first case.
    let object = list[0]["object"].as_str().unwrap();
    let key = format!("{TOWNSHIP}/archives/{}/{object}", &object[..2]);
    flip_stored(&hub, bucket.as_ref(), &key);
    let failed = hub.admin_output(&["archive", "fixity"]);
    assert!(!failed.status.success());
    let said = String::from_utf8_lossy(&failed.stdout);
    assert!(said.contains("FAIL") && said.contains(codes[0]), "{said}");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("未通过长期保存检测"));
    let log: serde_json::Value =
        serde_json::from_str(&hub.admin(&["archive", "log", "--case", &first, "--json"])).unwrap();
    let kinds: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("archived", "pass"),
            ("fixity", "pass"),
            ("transfer", "pass"),
            ("fixity", "fail")
        ]
    );
}
