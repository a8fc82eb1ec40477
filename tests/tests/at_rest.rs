//! What a lost laptop gives away (nothing in plain bytes) and what a lost keyring costs
//! (nothing, with the recovery passphrase). Uses the real Secret Service.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Command;
use tongban_e2e::{Backend, Desk, Hub, PASSPHRASE, TOWNSHIP};

fn keyring_account(desk: &Desk) -> String {
    let key_file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(desk.path().join("profile.json")).unwrap())
            .unwrap();
    key_file["keyring_account"].as_str().unwrap().to_string()
}

fn secret_tool(args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let mut child = Command::new("secret-tool")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success(), "secret-tool {args:?}");
}

#[test]
fn profile_files_hold_no_personal_data_in_plain_bytes() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = desk.register("覃秀梅", "450721198806152311", "13812345678");
    desk.set(&number, "phone", "13987654321");
    desk.set(&number, "name", "覃秀梅娟");
    desk.sync();

    let scanned = tongban_e2e::canary::assert_absent(
        &[desk.root()],
        &[
            "覃秀梅",
            "450721198806152311",
            "13812345678",
            "13987654321",
            "金鸡村",
        ],
    );
    assert!(scanned >= 2, "expected the database and key file");
    assert_eq!(desk.ok(&["check"]), "ok");
}

#[test]
fn a_lost_or_changed_keyring_entry_fails_closed_until_recovery() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = desk.register("覃秀梅", "450721198806152311", "13812345678");
    let account = keyring_account(&desk);
    let db_before = std::fs::read(desk.path().join("cases.db")).unwrap();

    secret_tool(&["clear", "service", "tongban", "username", &account], None);
    let refusal = desk.fails(&["case", "list"]);
    assert!(refusal.contains("not in the system keyring"), "{refusal}");
    assert!(refusal.contains("recover"), "{refusal}");
    assert!(refusal.contains("恢复口令"), "{refusal}");
    let refusal = desk.fails(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "韦国强",
        "--id-number",
        "11010519491231002X",
    ]);
    assert!(refusal.contains("not in the system keyring"), "{refusal}");

    // Someone puts another key in the keyring: still refused, never an empty database.
    secret_tool(
        &[
            "store",
            "--label",
            "replaced",
            "service",
            "tongban",
            "username",
            &account,
            "target",
            "default",
            "application",
            "rust-keyring",
        ],
        Some("a-different-secret"),
    );
    let refusal = desk.fails(&["case", "list"]);
    assert!(refusal.contains("different key"), "{refusal}");
    assert_eq!(
        std::fs::read(desk.path().join("cases.db")).unwrap(),
        db_before
    );

    let wrong = desk.run(&["recover"]);
    assert!(
        wrong.status.success(),
        "recover with the right passphrase from the environment"
    );
    let cases = desk.list();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["number"], number.as_str());

    // A wrong passphrase changes nothing.
    let out = desk.run_with_passphrase(&["recover"], &format!("{PASSPHRASE}-wrong"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("recovery passphrase is wrong"));
    assert_eq!(desk.list().len(), 1);
}
