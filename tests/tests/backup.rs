//! The backup drill: back a desk up, wipe it, restore it from the backup file and the
//! recovery passphrase alone, and carry on syncing; bad backups and wrong passphrases change
//! nothing.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::{Backend, Desk, Hub, PASSPHRASE, TOWNSHIP, registration_args, text};

const NAME: &str = "韦金凤";
const ID: &str = "450721199203154523";
const PHONE: &str = "13907715566";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn backup_wipe_restore_drill() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let mut numbers = Vec::new();
    for _ in 0..3 {
        numbers.push(clerk.register(NAME, ID, PHONE));
    }
    clerk.sync();
    let safe = tempfile::tempdir().unwrap();
    let file = safe.path().join("desk.tbk");
    let file_arg = file.to_str().unwrap();
    // The whole desk in one file: a clerk may not take it, the desk's administrator may.
    let refused = clerk.fails(&["backup", "--out", file_arg]);
    assert!(refused.contains("受理人员无权备份本机数据"), "{refused}");
    assert!(!file.exists());
    clerk.assign(&hub, "周敏", "admin");
    let said = clerk.ok_as("周敏", &["backup", "--out", file_arg]);
    assert!(said.contains("3 cases"), "{said}");
    let bytes = std::fs::read(&file).unwrap();
    tongban_e2e::canary::assert_absent(&[file.as_path()], &[NAME, ID, PHONE]);
    assert!(
        !contains(&bytes, b"SQLite format 3"),
        "the database copy is not encrypted"
    );

    // The desk is lost: its folder is gone.
    std::fs::remove_dir_all(clerk.path()).unwrap();
    let refused = clerk.run_with_passphrase(&["restore", "--from", file_arg], "not the passphrase");
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("recovery passphrase is wrong"),
        "{}",
        text(&refused.stderr)
    );
    assert!(
        !clerk.path().join("profile.json").exists() && !clerk.path().join("cases.db").exists(),
        "a refused restore left files behind"
    );
    // A cut-off backup and a file that is not a backup are refused too.
    let cut = safe.path().join("cut.tbk");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let refused = clerk.run(&["restore", "--from", cut.to_str().unwrap()]);
    assert!(
        text(&refused.stderr).contains("cut short"),
        "{}",
        text(&refused.stderr)
    );
    let foreign = safe.path().join("photo.jpg");
    std::fs::write(&foreign, b"\xff\xd8\xff\xe0 not a backup").unwrap();
    let refused = clerk.run(&["restore", "--from", foreign.to_str().unwrap()]);
    assert!(
        text(&refused.stderr).contains("not a Tongban backup"),
        "{}",
        text(&refused.stderr)
    );

    let restored = clerk.run_with_passphrase(&["restore", "--from", file_arg], PASSPHRASE);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert!(text(&restored.stdout).contains("restored 3 cases"));
    assert_eq!(clerk.ok(&["check"]).trim(), "ok");
    let listed: Vec<String> = clerk
        .list()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    for number in &numbers {
        assert!(listed.contains(number), "{number} missing after restore");
    }
    // The restored desk carries on: its trail verifies and the hub accepts its sync.
    clerk.sync();
    let verified = clerk.ok(&["audit", "verify"]);
    assert!(verified.contains("consistent"), "{verified}");
    let again = clerk.run_with_passphrase(&["restore", "--from", file_arg], PASSPHRASE);
    assert!(
        text(&again.stderr).contains("already holds a profile"),
        "{}",
        text(&again.stderr)
    );

    // Work goes on and reaches the hub; then the same, now older, backup is restored. The
    // restored desk knows it: it registers nothing until its first sync has read back from the
    // hub what it did after the backup, and then gives no number twice.
    clerk.ok(&["case", "show", &numbers[0]]);
    let later = clerk.register(NAME, ID, PHONE);
    clerk.sync();
    std::fs::remove_dir_all(clerk.path()).unwrap();
    let restored = clerk.run_with_passphrase(&["restore", "--from", file_arg], PASSPHRASE);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let waiting = clerk.fails(&registration_args(NAME, ID, PHONE));
    assert!(
        waiting.contains("sync once with the hub") && waiting.contains("先与中心同步"),
        "{waiting}"
    );
    let synced = clerk.ok(&["sync"]);
    assert!(synced.contains("read back from the hub"), "{synced}");
    let verified = clerk.ok(&["audit", "verify"]);
    assert!(verified.contains("consistent"), "{verified}");
    let listed = clerk.list();
    assert!(
        listed.iter().any(|c| c["number"] == later.as_str()),
        "{later} did not come back from the hub"
    );
    let next = clerk.register(NAME, ID, PHONE);
    assert_ne!(next, later, "a number was given twice after the restore");
    clerk.sync();
    let verified = clerk.ok(&["audit", "verify"]);
    assert!(verified.contains("consistent"), "{verified}");
}

#[test]
fn a_revoked_desk_wipes_its_data_on_next_contact() {
    let hub = Hub::start(Backend::Sqlite);
    let lost = Desk::enroll(&hub, TOWNSHIP, "李明");
    lost.register(NAME, ID, PHONE);
    lost.sync();
    hub.revoke_device_of(TOWNSHIP, "李明");
    let refused = lost.fails(&["sync"]);
    assert!(
        refused.contains("revoked") && refused.contains("本机数据已清除"),
        "{refused}"
    );
    assert!(
        !lost.path().exists(),
        "the revoked desk's folder is still there"
    );
    // Nothing is left to open, and no keyring entry waits for it.
    let gone = lost.fails(&["check"]);
    assert!(gone.contains("no profile"), "{gone}");
}

#[test]
fn a_desk_lost_without_a_backup_comes_back_from_the_hub() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = clerk.register(NAME, ID, PHONE);
    clerk.attach_scan(&number);
    clerk.sync();
    let before = clerk.pages(&number);
    let show_before = clerk.show_whole(&number);

    // The disk dies: no folder, no backup. The clerk enrols a new machine with a new code.
    std::fs::remove_dir_all(clerk.path()).unwrap();
    let again = Desk::enroll(&hub, TOWNSHIP, "李明");
    again.sync();
    assert_eq!(
        again.show_whole(&number)["applicant"],
        show_before["applicant"]
    );
    let pages = again.pages(&number);
    assert!(before[0]["sha256"].is_string(), "{before:?}");
    assert_eq!(pages[0]["sha256"], before[0]["sha256"]);
    assert_eq!(pages[0]["present"], true, "the page's bytes came back too");
    let out = tempfile::tempdir().unwrap();
    again.ok(&[
        "case",
        "pages",
        &number,
        "--export",
        out.path().to_str().unwrap(),
    ]);
    let exported: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert_eq!(exported.len(), 1);
    // The new desk gives new numbers under its own serial; its trail verifies.
    let next = again.register(NAME, ID, PHONE);
    assert_ne!(next, number);
    again.sync();
    assert!(again.ok(&["audit", "verify"]).contains("consistent"));
}
