//! Flipped bytes are found and never handed out as data: in the desk's database file (cases,
//! scans and the audit trail all live in it) and in a scan stored at the hub. (Edited audit
//! events are covered by the audit tests: 1,000 mutations in the unit tests, an edited hub
//! entry end to end.)
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, text};

const PAGE: usize = 4096;

#[test]
fn a_flipped_byte_anywhere_in_the_database_is_found_and_nothing_wrong_is_read() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let mut numbers = Vec::new();
    for (name, id) in [
        ("覃秀梅", "450721198806152311"),
        ("韦国强", "11010519491231002X"),
    ] {
        numbers.push(desk.register(name, id, "13812345678"));
    }
    desk.attach_scan(&numbers[0]);
    let baseline = tempfile::tempdir().unwrap();
    desk.ok(&[
        "case",
        "pages",
        &numbers[0],
        "--export",
        baseline.path().to_str().unwrap(),
    ]);
    let stored_scan = std::fs::read_dir(baseline.path())
        .unwrap()
        .map(|f| std::fs::read(f.unwrap().path()).unwrap())
        .next()
        .unwrap();
    let shown: Vec<String> = numbers
        .iter()
        .map(|n| desk.ok(&["case", "show", n, "--json", "--unmask"]))
        .collect();
    let db = desk.path().join("cases.db");
    // The last command closed the database; its write-ahead log is folded in and gone.
    assert!(!desk.path().join("cases.db-wal").exists());
    let original = std::fs::read(&db).unwrap();
    assert_eq!(original.len() % PAGE, 0);
    let pages = original.len() / PAGE;
    assert!(pages > 10, "only {pages} pages");

    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for page in 0..pages {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = page * PAGE + (seed as usize % PAGE);
        let mut tampered = original.clone();
        tampered[at] ^= 1 << (seed % 8);
        std::fs::write(&db, &tampered).unwrap();

        let check = desk.run(&["check"]);
        assert!(
            !check.status.success(),
            "a flipped bit at byte {at} (page {page}) passed the check"
        );
        for (number, before) in numbers.iter().zip(&shown) {
            let output = desk.run(&["case", "show", number, "--json", "--unmask"]);
            if output.status.success() {
                assert_eq!(
                    &text(&output.stdout).trim().to_string(),
                    before,
                    "byte {at} (page {page}): {number} read back different"
                );
            }
        }
        let export = tempfile::tempdir().unwrap();
        let exported = desk.run(&[
            "case",
            "pages",
            &numbers[0],
            "--export",
            export.path().to_str().unwrap(),
        ]);
        if exported.status.success() {
            for file in std::fs::read_dir(export.path()).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                assert!(
                    bytes == stored_scan,
                    "byte {at}: a damaged scan was exported"
                );
            }
        }
        // Each trial starts again from the same file; reads may have moved the keyring's
        // record of the trail on, which would refuse the original as an older copy.
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(desk.path().join(format!("cases.db{suffix}")));
        }
        std::fs::write(&db, &original).unwrap();
        desk.forget_trail_record();
    }
    assert_eq!(desk.ok(&["check"]), "ok");
}

#[test]
fn a_flipped_byte_in_a_scan_at_the_hub_never_reaches_a_desk() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = clerk.register("覃秀梅", "450721198806152311", "13812345678");
    clerk.attach_scan(&number);
    clerk.sync();
    let pages = clerk.pages(&number);
    let sha = pages[0]["sha256"].as_str().unwrap().to_string();
    let stored = find(&hub.data_dir().join("pages"), &sha).expect("the page on the hub's disk");
    let good = std::fs::read(&stored).unwrap();
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x40;
    std::fs::write(&stored, &bad).unwrap();

    let other = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let report = other.sync();
    assert_eq!(report["pages_pending"], 1, "{report}");
    assert_eq!(
        other.pages(&number)[0]["present"],
        false,
        "a damaged page was kept"
    );
    let export = tempfile::tempdir().unwrap();
    let refused = other.fails(&[
        "case",
        "pages",
        &number,
        "--export",
        export.path().to_str().unwrap(),
    ]);
    assert!(refused.contains("not on this desk yet"), "{refused}");
    assert_eq!(std::fs::read_dir(export.path()).unwrap().count(), 0);

    // Once the hub's copy is good again, the next sync fetches it.
    std::fs::write(&stored, &good).unwrap();
    let report = other.sync();
    assert_eq!(report["pages_pending"], 0, "{report}");
    assert_eq!(other.pages(&number)[0]["present"], true);
}

fn find(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}
