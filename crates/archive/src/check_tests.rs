//! A package passes every check; each mutation makes its own checks fail, naming the file.

use super::*;
use crate::{BagInfo, Payload, write_bag};

fn package() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("450721101-20261121-001-0007");
    let info = BagInfo {
        source_organization: "灵山县民政局".into(),
        external_identifier: "450721101-20261121-001-0007".into(),
        group_identifier: "450721101-2026".into(),
        bagging_date: "2026-12-07".into(),
    };
    let payload = vec![
        Payload {
            path: "metadata.xml".into(),
            bytes: "<电子文件封装包/>".as_bytes().to_vec(),
        },
        Payload {
            path: "scans/page-1.jpg".into(),
            bytes: vec![0xff, 0xd8, 0xff, 1, 2, 3],
        },
        Payload {
            path: "scans/page-2.jpg".into(),
            bytes: vec![0xff, 0xd8, 0xff, 4, 5, 6, 7],
        },
    ];
    write_bag(&bag, &info, &payload).unwrap();
    (dir, bag)
}

/// The checks that failed, with their details.
fn failures(bag: &std::path::Path) -> Vec<(String, String)> {
    check_fixity(bag)
        .into_iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| (f.check, f.detail))
        .collect()
}

fn checks(failed: &[(String, String)]) -> Vec<&str> {
    failed.iter().map(|(c, _)| c.as_str()).collect()
}

#[test]
fn a_written_package_passes_every_check() {
    let (_dir, bag) = package();
    let findings = check_fixity(&bag);
    assert_eq!(findings.len(), 7);
    assert!(
        findings.iter().all(|f| f.outcome == Outcome::Pass),
        "{findings:?}"
    );
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    // 24 bytes of metadata (seven CJK characters and the tag's marks) and 6 + 7 of scans.
    assert!(info.contains("Payload-Oxum: 37.3"), "{info}");
    let sm3 = std::fs::read_to_string(bag.join("manifest-sm3.txt")).unwrap();
    assert_eq!(sm3.lines().count(), 3);
}

/// bagit-python (PyPI; `scripts/install-deps` puts it in /opt/tongban-checkers) validates the
/// bag's SHA-256 manifests: an independent reader agrees the bag is whole, and that a flipped byte
/// is not.
#[test]
fn bagit_python_validates_the_bag() {
    let validate = |bag: &std::path::Path| {
        std::process::Command::new("/opt/tongban-checkers/bin/python")
            .args(["-m", "bagit", "--validate"])
            .arg(bag)
            .output()
            .expect("bagit-python (scripts/install-deps)")
    };
    // A finished case's whole package (receipt, six scans, JSON, record, audit extract) too.
    let whole = tempfile::tempdir().unwrap();
    let out = validate(&crate::inspect::tests::package(whole.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_dir, bag) = package();
    let out = validate(&bag);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scan = bag.join("data/scans/page-1.jpg");
    let mut bytes = std::fs::read(&scan).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&scan, bytes).unwrap();
    let out = validate(&bag);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("page-1.jpg"));
}

#[test]
fn a_flipped_byte_in_a_scan_fails_both_payload_manifests_naming_it() {
    let (_dir, bag) = package();
    let scan = bag.join("data/scans/page-2.jpg");
    let mut bytes = std::fs::read(&scan).unwrap();
    bytes[4] ^= 1;
    std::fs::write(&scan, bytes).unwrap();
    let failed = failures(&bag);
    assert_eq!(checks(&failed), ["manifest-sha256", "manifest-sm3"]);
    assert!(
        failed
            .iter()
            .all(|(_, d)| d.contains("data/scans/page-2.jpg"))
    );
}

#[test]
fn a_deleted_file_fails_the_manifests_and_the_count() {
    let (_dir, bag) = package();
    std::fs::remove_file(bag.join("data/scans/page-1.jpg")).unwrap();
    let failed = failures(&bag);
    assert_eq!(
        checks(&failed),
        ["manifest-sha256", "manifest-sm3", "payload-oxum"]
    );
    assert!(
        failed[0].1.contains("data/scans/page-1.jpg is listed"),
        "{failed:?}"
    );
}

#[test]
fn a_stray_or_hidden_file_fails_only_the_stray_check() {
    let (_dir, bag) = package();
    std::fs::write(bag.join("notes.txt"), "x").unwrap();
    let failed = failures(&bag);
    assert_eq!(checks(&failed), ["stray-files"]);
    assert!(failed[0].1.contains("notes.txt"));

    let (_dir, bag) = package();
    std::fs::write(bag.join("data/scans/.hidden"), "x").unwrap();
    let failed = failures(&bag);
    assert!(checks(&failed).contains(&"stray-files"), "{failed:?}");
    assert!(failed.iter().any(|(_, d)| d.contains("data/scans/.hidden")));
}

/// bagit-python ignores SM3 manifests; this checker does not.
#[test]
fn a_tampered_sm3_manifest_is_caught_while_the_sha256_one_is_intact() {
    let (_dir, bag) = package();
    let path = bag.join("manifest-sm3.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.chars().next().unwrap();
    let other = if first == '0' { '1' } else { '0' };
    std::fs::write(&path, format!("{other}{}", &text[1..])).unwrap();
    let failed = failures(&bag);
    assert_eq!(
        checks(&failed),
        ["manifest-sm3", "tagmanifest-sha256", "tagmanifest-sm3"]
    );
    assert!(
        failed[1].1.contains("manifest-sm3.txt does not match"),
        "{failed:?}"
    );
}

#[test]
fn payload_paths_that_leave_the_bag_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let info = BagInfo {
        source_organization: String::new(),
        external_identifier: String::new(),
        group_identifier: String::new(),
        bagging_date: String::new(),
    };
    for path in [
        "../x",
        "/etc/passwd",
        "a//b",
        ".hidden",
        "a\\b",
        "scan 1.jpg",
    ] {
        let payload = [Payload {
            path: path.into(),
            bytes: Vec::new(),
        }];
        let bag = dir.path().join("bag");
        assert!(
            matches!(
                write_bag(&bag, &info, &payload),
                Err(crate::ArchiveError::Path(_))
            ),
            "{path}"
        );
    }
    let full = dir.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("x"), "x").unwrap();
    assert!(matches!(
        write_bag(&full, &info, &[]),
        Err(crate::ArchiveError::NotEmpty(_))
    ));
}
