//! A finished case's package passes every decided item at all three stages; then a corpus of
//! mutations, each failing exactly the probe that owns it, with a message naming the file.
//! Mutations a forger would cover up are covered up: the bag is re-bagged around them, so only
//! the probe meant to see through the cover can fail.

use super::*;
use crate::check::Outcome;
use crate::metadata::signed_object;
use crate::{BagInfo, Contents, PackageFile, Payload, build, write_bag};
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};
use tongban_audit::{AuditAction, Checkpoint, Extract, MerkleLog, SignedEvent, next_event};
use tongban_domain::Role;
use tongban_domain::archival::ArchivalCode;

const TOWNSHIP: &str = "450721101";

pub(crate) fn hub_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn desk_key() -> SigningKey {
    SigningKey::from_bytes(&[5; 32])
}

/// A scan as a scanner gives it: a real JPEG, different for each page.
fn scan(page: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(120, 170, |x, y| {
        image::Rgb([(x as u8).wrapping_mul(page), y as u8, page * 20])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    bytes.into_inner()
}

/// The township log with the case's four events among other cases', and its extract.
fn extract(case: &tongban_domain::Case) -> Extract {
    let device = SigningKey::from_bytes(&[1; 32]);
    let mut log = MerkleLog::new();
    let mut head = None;
    let mut ours = Vec::new();
    for i in 0..12u64 {
        let mut event = next_event(head, "d1", 1_795_000_000_000 + i as i64);
        event.user = "李明".into();
        event.action = AuditAction::Transition;
        event.object = if i % 3 == 0 {
            case.number.as_str().to_string()
        } else {
            format!("other-{i}")
        };
        let signed: SignedEvent = event.sign(&device);
        head = Some(tongban_audit::Head {
            seq: event.seq,
            hash: signed.hash(),
        });
        log.push(signed.hash());
        if i % 3 == 0 {
            ours.push((i, signed));
        }
    }
    let checkpoint = Checkpoint {
        township: TOWNSHIP.into(),
        size: log.len(),
        root: hex::encode(log.root()),
        at_ms: 1_795_500_000_000,
    }
    .sign(&hub_key());
    Extract::build(&log, checkpoint, &ours).unwrap()
}

pub(crate) fn contents_files(case: &tongban_domain::Case) -> Vec<PackageFile> {
    let receipt = tongban_print::receipt(&tongban_print::Receipt {
        case,
        township: "檀圩镇",
        printed: time::macros::date!(2026 - 11 - 20),
        query: None,
        query_url: None,
        reprint: false,
    })
    .unwrap()
    .pdf_a(time::macros::datetime!(2026-11-20 09:00 +8))
    .unwrap();
    let mut files = vec![PackageFile {
        path: "documents/receipt.pdf".into(),
        format: "PDF/A-2b".into(),
        bytes: receipt,
    }];
    files.extend((1..=6).map(|n| PackageFile {
        path: format!("scans/page-{n}.jpg"),
        format: "JPEG".into(),
        bytes: scan(n),
    }));
    files.push(PackageFile {
        path: "case.json".into(),
        format: "JSON".into(),
        bytes: serde_json::to_vec_pretty(case).unwrap(),
    });
    files
}

/// Builds a package of the finished case with `files` into `dir`/`name`.
pub(crate) fn package_with(dir: &Path, name: &str, code: &str, files: Vec<PackageFile>) -> PathBuf {
    let case = crate::test_case::finished_case();
    let bag = dir.join(name);
    build(
        &bag,
        Contents {
            case: &case,
            code: &ArchivalCode::parse(code).unwrap(),
            organ: "灵山县人力资源和社会保障局",
            township_name: "檀圩镇",
            legal_basis: &["《社会保险法》第二十条".to_string()],
            roles: &[
                ("李明".into(), Role::Clerk),
                ("张华".into(), Role::Supervisor),
            ],
            files,
            created: "2026-12-07T10:00:00+08:00",
            bagging_date: "2026-12-07",
            extract: &extract(&case),
            signer: "灵山县政务服务中心",
            key: &hub_key(),
        },
    )
    .unwrap();
    bag
}

pub(crate) fn package(dir: &Path) -> PathBuf {
    let case = crate::test_case::finished_case();
    package_with(
        dir,
        "package",
        "Z109-2026-D30-RS-0001",
        contents_files(&case),
    )
}

pub(crate) fn trust() -> Trust {
    Trust {
        signers: vec![hub_key().verifying_key(), desk_key().verifying_key()],
        hub: Some(hub_key().verifying_key()),
        other_codes: None,
        fonds: Some("Z109".into()),
        year: 2026,
        scanner: None,
    }
}

fn failing(rows: &[Row]) -> Vec<(String, String, String)> {
    rows.iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| (r.code.clone(), r.check.clone(), r.detail.clone()))
        .collect()
}

/// Re-bags the bag around its current payload, as a forger covering a change would.
fn rebag(bag: &Path) {
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap()
            .to_string()
    };
    let info = BagInfo {
        source_organization: field("Source-Organization"),
        external_identifier: field("External-Identifier"),
        group_identifier: field("Bag-Group-Identifier"),
        bagging_date: field("Bagging-Date"),
    };
    let mut payload = Vec::new();
    let data = bag.join("data");
    let mut stack = vec![data.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                payload.push(Payload {
                    path: entry
                        .path()
                        .strip_prefix(&data)
                        .unwrap()
                        .to_string_lossy()
                        .to_string(),
                    bytes: std::fs::read(entry.path()).unwrap(),
                });
            }
        }
    }
    std::fs::remove_dir_all(bag).unwrap();
    write_bag(bag, &info, &payload).unwrap();
}

#[test]
fn a_finished_case_passes_every_decided_item_at_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    let bag = package(dir.path());
    for stage in Stage::ALL {
        let rows = check_package(&bag, stage, &trust());
        assert_eq!(failing(&rows), [], "{stage:?}");
        // Every item of the stage has a row, and NA always says why.
        for item in ITEMS.iter().filter(|i| i.applies(stage)) {
            assert!(
                rows.iter().any(|r| r.code == item.code(stage)),
                "{} has no row",
                item.code(stage)
            );
        }
        assert!(
            rows.iter()
                .all(|r| r.outcome != Outcome::Na || !r.detail.is_empty())
        );
        let passed = rows.iter().filter(|r| r.outcome == Outcome::Pass).count();
        assert!(passed >= 20, "{stage:?}: only {passed} rows decided");
    }
    let gd = check_package(&bag, Stage::Gd, &trust());
    // Kept where it can be read: the table an operator sees.
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/archive");
    std::fs::create_dir_all(&out).unwrap();
    let report = crate::Report::new(
        "package".into(),
        Stage::Gd,
        "2026-12-07T10:00:00+08:00".into(),
        gd.clone(),
    );
    std::fs::write(out.join("report-gd.txt"), report.text()).unwrap();
    let row = |check: &str| gd.iter().find(|r| r.check == check).unwrap().code.clone();
    assert_eq!(row("record-signature"), "GD-1-1");
    assert_eq!(row("audit-complete"), "GD-2-5");
    let bc = check_package(&bag, Stage::Bc, &trust());
    assert_eq!(
        bc.iter()
            .find(|r| r.check == "record-signature")
            .unwrap()
            .code,
        "BC-1-16"
    );
}

/// Applies `mutate` to a fresh package and returns the failing rows at `stage`.
fn mutated(stage: Stage, mutate: impl FnOnce(&Path)) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let bag = package(dir.path());
    mutate(&bag);
    failing(&check_package(&bag, stage, &trust()))
}

fn only(failed: &[(String, String, String)], check: &str, naming: &str) {
    assert_eq!(
        failed.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        [check],
        "{failed:#?}"
    );
    assert!(failed[0].2.contains(naming), "{failed:#?}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_flipped_byte_in_a_scan_fails_only_the_digests() {
    let failed = mutated(Stage::Bc, |bag| {
        let path = bag.join("data/scans/page-3.jpg");
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(path, bytes).unwrap();
    });
    only(&failed, "payload-digests", "data/scans/page-3.jpg");
    assert!(
        failed[0].2.contains("manifest-sm3.txt") && failed[0].2.contains("manifest-sha256.txt")
    );
}

#[test]
fn a_deleted_scan_is_missed_by_the_signed_record() {
    let failed = mutated(Stage::Gd, |bag| {
        std::fs::remove_file(bag.join("data/scans/page-6.jpg")).unwrap();
        rebag(bag);
    });
    only(&failed, "present", "data/scans/page-6.jpg");
}

#[test]
fn a_stray_or_hidden_file_fails_only_the_stray_check() {
    let failed = mutated(Stage::Gd, |bag| {
        std::fs::write(bag.join(".hidden"), b"x").unwrap();
    });
    only(&failed, "stray-files", ".hidden");
}

#[test]
fn an_edited_metadata_value_breaks_only_the_signature() {
    let failed = mutated(Stage::Gd, |bag| {
        edit(&bag.join("data/metadata.xml"), "（覃秀梅）", "（覃秀兰）");
        rebag(bag);
    });
    only(&failed, "record-signature", "data/metadata.xml");
}

#[test]
fn a_record_signed_by_a_stranger_is_refused() {
    let failed = mutated(Stage::Bc, |bag| {
        let path = bag.join("data/metadata.xml");
        let xml = std::fs::read_to_string(&path).unwrap();
        let start = xml.find("<被签名对象>").unwrap();
        let end = xml.find("</被签名对象>").unwrap() + "</被签名对象>".len();
        let stranger = SigningKey::from_bytes(&[66; 32]);
        let forged = crate::metadata::package_xml(
            &xml[start..end],
            "灵山县政务服务中心",
            "2026-12-07T10:00:00+08:00",
            &stranger,
        )
        .unwrap();
        std::fs::write(&path, forged).unwrap();
        rebag(bag);
    });
    only(&failed, "record-signature", "does not trust");
    let _ = signed_object;
}

#[test]
fn a_removed_audit_event_is_missed_by_the_record() {
    let failed = mutated(Stage::Gd, |bag| {
        let path = bag.join("data/audit.json");
        let mut extract: Extract = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        extract.entries.remove(1);
        std::fs::write(&path, serde_json::to_vec_pretty(&extract).unwrap()).unwrap();
        rebag(bag);
    });
    only(&failed, "audit-complete", "data/audit.json: logged event 3");
}

#[test]
fn a_non_utf8_record_fails_only_its_readability() {
    let failed = mutated(Stage::Gd, |bag| {
        let path = bag.join("data/metadata.xml");
        let mut bytes = std::fs::read(&path).unwrap();
        // Two bytes that are no UTF-8 where 覃 was, as re-encoding into GBK leaves them.
        let at = bytes.windows(3).position(|w| w == "覃".as_bytes()).unwrap();
        bytes.splice(at..at + 3, [0xf1, 0xfb]);
        std::fs::write(&path, bytes).unwrap();
        rebag(bag);
    });
    only(&failed, "record-readable", "metadata.xml is not UTF-8");
}

#[test]
fn a_tampered_sm3_manifest_is_caught_while_the_sha256_one_holds() {
    let failed = mutated(Stage::Yj, |bag| {
        let path = bag.join("manifest-sm3.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap().to_string();
        let (digest, file) = first.split_once("  ").unwrap();
        let flipped: String = digest
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    if c == '0' { '1' } else { '0' }
                } else {
                    c
                }
            })
            .collect();
        std::fs::write(
            &path,
            text.replacen(&first, &format!("{flipped}  {file}"), 1),
        )
        .unwrap();
        // The forger also fixes the tag manifests, so only the payload's SM3 can tell.
        let tags = |name: &str, algorithm: crate::Algorithm| {
            let listed: String = [
                "bagit.txt",
                "bag-info.txt",
                "manifest-sha256.txt",
                "manifest-sm3.txt",
            ]
            .iter()
            .map(|t| {
                format!(
                    "{}  {t}\n",
                    algorithm.hex(&std::fs::read(bag.join(t)).unwrap())
                )
            })
            .collect();
            std::fs::write(bag.join(name), listed).unwrap();
        };
        tags("tagmanifest-sha256.txt", crate::Algorithm::Sha256);
        tags("tagmanifest-sm3.txt", crate::Algorithm::Sm3);
    });
    only(&failed, "payload-digests", "manifest-sm3.txt");
    assert!(!failed[0].2.contains("manifest-sha256.txt"), "{failed:?}");
}

#[test]
fn an_encrypted_pdf_fails_only_format_compliance() {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::test_case::finished_case();
    let mut files = contents_files(&case);
    let plain = dir.path().join("plain.pdf");
    let locked = dir.path().join("locked.pdf");
    std::fs::write(&plain, &files[0].bytes).unwrap();
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", "user", "owner", "256", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .expect("qpdf (apt: qpdf) cannot run");
    assert!(status.success());
    files[0].bytes = std::fs::read(&locked).unwrap();
    let bag = package_with(dir.path(), "package", "Z109-2026-D30-RS-0001", files);
    only(
        &failing(&check_package(&bag, Stage::Gd, &trust())),
        "format-compliance",
        "data/documents/receipt.pdf is encrypted",
    );
}

#[test]
fn an_executable_named_as_a_scan_fails_only_the_security_check() {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::test_case::finished_case();
    let mut files = contents_files(&case);
    files[2].bytes = std::fs::read("/bin/true").unwrap();
    let bag = package_with(dir.path(), "package", "Z109-2026-D30-RS-0001", files);
    only(
        &failing(&check_package(&bag, Stage::Gd, &trust())),
        "executables",
        "data/scans/page-2.jpg is an executable",
    );
}

#[test]
fn a_planted_huge_file_is_refused_without_reading_it() {
    let failed = mutated(Stage::Bc, |bag| {
        // Sparse (no disk is used); hashing five gibibytes would stall the check.
        let file = std::fs::File::options()
            .write(true)
            .open(bag.join("data/scans/page-4.jpg"))
            .unwrap();
        file.set_len(5 << 30).unwrap();
    });
    let checks: Vec<&str> = failed.iter().map(|f| f.1.as_str()).collect();
    assert!(checks.contains(&"payload-digests"), "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|f| f.2.contains("data/scans/page-4.jpg is 5368709120 bytes")),
        "{failed:?}"
    );
}
