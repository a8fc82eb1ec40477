//! A year's batch passes the transfer checks; a 档号 given twice, a 件号 missing, and a package
//! that is not the one listed each fail exactly their own batch check.

use super::*;
use crate::inspect::tests::{contents_files, package_with, trust};

/// A batch of packages numbered `items`, with its transfer list.
fn batch(items: &[u16]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::test_case::finished_case();
    for (i, item) in items.iter().enumerate() {
        package_with(
            dir.path(),
            &format!("package-{i}"),
            &format!("Z109-2026-D30-RS-{item:04}"),
            contents_files(&case),
        );
    }
    let list = transfer_list(dir.path(), "450721101", 2026, "2027-01-05T09:00:00+08:00").unwrap();
    std::fs::write(
        dir.path().join(TRANSFER_LIST),
        serde_json::to_vec_pretty(&list).unwrap(),
    )
    .unwrap();
    dir
}

fn failing(rows: &[Row]) -> Vec<(String, String)> {
    rows.iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| (r.check.clone(), r.detail.clone()))
        .collect()
}

#[test]
fn a_years_batch_passes_the_transfer_checks() {
    let dir = batch(&[1, 2, 3]);
    let rows = check_batch(dir.path(), Stage::Yj, &trust());
    assert_eq!(failing(&rows), []);
    for check in [
        "duplicate-code",
        "numbering",
        "transfer-list-count",
        "transfer-list-digests",
    ] {
        let row = rows.iter().find(|r| r.check == check).unwrap();
        assert_eq!(row.outcome, Outcome::Pass, "{check}");
    }
    let list: TransferList =
        serde_json::from_slice(&std::fs::read(dir.path().join(TRANSFER_LIST)).unwrap()).unwrap();
    assert_eq!(list.count, 3);
    assert_eq!(
        list.bytes,
        list.packages.iter().map(|p| p.bytes).sum::<u64>()
    );
}

#[test]
fn a_code_given_twice_fails_only_the_duplicate_check() {
    let dir = batch(&[1, 2, 2]);
    let failed = failing(&check_batch(dir.path(), Stage::Yj, &trust()));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "duplicate-code");
    assert!(failed[0].1.contains("Z109-2026-D30-RS-0002"));
    assert!(failed[0].1.contains("package-1/data/metadata.xml"));
}

#[test]
fn a_gap_in_the_item_numbers_fails_only_the_numbering_check() {
    let dir = batch(&[1, 2, 4]);
    let failed = failing(&check_batch(dir.path(), Stage::Yj, &trust()));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "numbering");
    assert!(failed[0].1.contains("Z109-2026-D30-RS-0003"));
}

#[test]
fn a_package_swapped_after_listing_fails_the_lists_digests() {
    let dir = batch(&[1, 2]);
    let other = tempfile::tempdir().unwrap();
    let case = crate::test_case::finished_case();
    let mut files = contents_files(&case);
    files.pop();
    let swapped = package_with(other.path(), "package-1", "Z109-2026-D30-RS-0002", files);
    std::fs::remove_dir_all(dir.path().join("package-1")).unwrap();
    std::fs::rename(swapped, dir.path().join("package-1")).unwrap();
    let failed = failing(&check_batch(dir.path(), Stage::Yj, &trust()));
    let checks: Vec<&str> = failed.iter().map(|f| f.0.as_str()).collect();
    assert!(checks.contains(&"transfer-list-digests"), "{failed:?}");
    assert!(failed.iter().any(|f| f.1.contains("package-1/")));
}
