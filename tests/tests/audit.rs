//! The audit trail end to end: desks' events reach the hub's Merkle log, both sides verify,
//! tampering at the hub is found at its position, a hub that forgets history is caught by the
//! desks, and an older copy of a desk's database is caught when it opens, and by the hub.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, postgres_database, text};

fn hub_verify(hub: &Hub) -> (bool, String) {
    let out = hub.admin_output(&["audit", "verify"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.success(), all)
}

fn scenario(backend: Backend) {
    let mut hub = Hub::start(backend);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = clerk.register("覃秀梅", "450721198806152311", "13812345678");
    clerk.ok(&["case", "show", &number]);
    let report = clerk.sync();
    assert!(
        report["audit_events_sent"].as_u64().unwrap() >= 4,
        "{report}"
    );
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number, "--reason", "材料齐全"]);
    supervisor.sync();

    // The supervisor reads who saw and changed the case; the clerk may not.
    let log = supervisor.ok(&["audit", "log", "--case", &number, "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&log).unwrap();
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap().to_string(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        seen.contains(&("张华".into(), "transition".into())),
        "{seen:?}"
    );
    let refused = clerk.fails(&["audit", "log", "--case", &number]);
    assert!(refused.contains("无权查看审计记录"), "{refused}");

    // Both sides verify.
    for desk in [&clerk, &supervisor] {
        let out = desk.ok(&["audit", "verify"]);
        assert!(out.contains("consistent"), "{out}");
    }
    let (ok, out) = hub_verify(&hub);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("{TOWNSHIP}: ")), "{out}");

    // The newest entries removed together with the hub's own checkpoints for them: the
    // checkpoints desks handed back as verified still name the longer log. (Each sync hands
    // back the one the desk verified before.)
    clerk.sync();
    supervisor.sync();
    let (ok, out) = hub_verify(&hub);
    assert!(ok, "{out}");
    let entries: u64 = out
        .split(&format!("{TOWNSHIP}: "))
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let cut = entries - 2;
    hub.tamper(&format!(
        "DELETE FROM audit_log WHERE township = '{TOWNSHIP}' AND position >= {cut};
         DELETE FROM audit_checkpoints WHERE township = '{TOWNSHIP}' AND size > {cut};"
    ));
    let (ok, out) = hub_verify(&hub);
    assert!(!ok, "a shortened log verified: {out}");
    assert!(
        out.contains(&format!("position {cut}")) && out.contains("entries were removed"),
        "{out}"
    );

    // An edited entry at the hub is found at its position.
    hub.tamper(&format!(
        "UPDATE audit_log SET signature = bytes WHERE township = '{TOWNSHIP}' AND position = 3"
    ));
    let (ok, out) = hub_verify(&hub);
    assert!(!ok, "{out}");
    assert!(
        out.contains("position 3") && out.contains("signature"),
        "{out}"
    );

    // The hub forgets its whole log: every desk that saw it notices on its next contact.
    hub.tamper(&format!(
        "DELETE FROM audit_log WHERE township = '{TOWNSHIP}';
         DELETE FROM audit_checkpoints WHERE township = '{TOWNSHIP}';"
    ));
    hub.restart();
    let refused = clerk.fails(&["sync"]);
    assert!(
        refused.contains("history was removed") && refused.contains("历史记录被删除"),
        "{refused}"
    );
    let refused = supervisor.fails(&["audit", "verify"]);
    assert!(refused.contains("history was removed"), "{refused}");
}

#[test]
fn the_trail_reaches_the_sqlite_hub_and_tampering_is_found() {
    scenario(Backend::Sqlite);
}

#[test]
fn the_trail_reaches_the_postgres_hub_and_tampering_is_found() {
    if let Some(url) = postgres_database() {
        scenario(Backend::Postgres(url));
    }
}

#[test]
fn an_older_copy_of_the_database_is_caught_at_open_and_by_the_hub() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    clerk.register("覃秀梅", "450721198806152311", "13812345678");
    clerk.sync();
    let db = clerk.path().join("cases.db");
    let saved = std::fs::read(&db).unwrap();
    let number = clerk.register("覃秀梅", "450721198806152311", "13812345678");
    clerk.ok(&["case", "show", &number]);
    clerk.sync();

    // The older file put back in place while the desk is closed.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(clerk.path().join(format!("cases.db{suffix}")));
    }
    std::fs::write(&db, saved).unwrap();
    // Offline: this machine's keyring recorded a later head of the trail than the file holds.
    for command in [vec!["check"], vec!["sync"], vec!["case", "list"]] {
        let refused = clerk.fails(&command);
        assert!(
            refused.contains("older than this machine's record") && refused.contains("旧副本"),
            "{command:?}: {refused}"
        );
    }
    // A machine that never kept that record (its keyring rolled back as well): the hub, which
    // logged more of this desk's trail, refuses the sync.
    clerk.forget_trail_record();
    let refused = clerk.fails(&["sync"]);
    assert!(
        refused.contains("older than the hub's record") && refused.contains("旧副本"),
        "{refused}"
    );
}

#[test]
fn retention_is_enforced_at_the_command_line() {
    let hub = Hub::start(Backend::Sqlite);
    let admin = Desk::enroll_as(&hub, TOWNSHIP, "周敏", "admin");
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let ten_days_ago = (tongban_store::china_now() - time::Duration::days(10)).date();
    let refused = admin.fails(&["audit", "prune", "--before", &ten_days_ago.to_string()]);
    assert!(
        refused.contains("kept at least 180 days") && refused.contains("至少保留180天"),
        "{refused}"
    );
    let refused = clerk.fails(&["audit", "prune", "--before", "2020-01-01"]);
    assert!(refused.contains("may not"), "{refused}");
    let bad = admin.fails(&["audit", "prune", "--before", "2020-13-01"]);
    assert!(bad.contains("2026-11-21"), "{bad}");
    // Everything here is younger than the period: nothing goes, and the trail still verifies.
    let said = admin.ok(&["audit", "prune", "--before", "2020-01-01"]);
    assert!(said.contains("removed 0"), "{said}");
    admin.sync();
    let verified = admin.ok(&["audit", "verify"]);
    assert!(verified.contains("consistent"), "{verified}");
}
