//! The hub loses power in the middle of sync requests: it is killed with SIGKILL at random
//! moments while a desk sends a batch of new and corrected cases, and started again on the same
//! data. The desk's sync retries across the restart and must end settled; at the end another
//! desk pulls every case, each identical to the first desk's copy, and the hub's SQLite file
//! passes its integrity check. `TONGBAN_HUB_KILLS` sets how many kills per backend.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::process::Stdio;
use std::time::Duration;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, postgres_database, text};

fn kills() -> u32 {
    std::env::var("TONGBAN_HUB_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

fn hub_killed_mid_sync(backend: Backend) {
    let sqlite = matches!(backend, Backend::Sqlite);
    let mut hub = Hub::start(backend);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let reader = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let mut dice = StdRng::seed_from_u64(0x7b_2026);
    let mut mid_request = 0;
    for round in 0..kills() {
        clerk.ok(&[
            "demo-cases",
            "--count",
            "25",
            "--edits",
            "50",
            "--seed",
            &round.to_string(),
        ]);
        let mut sync = clerk
            .command(clerk.user(), &["sync", "--json", "--attempts", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(dice.random_range(0..400)));
        if sync.try_wait().unwrap().is_none() {
            mid_request += 1;
        }
        hub.restart();
        let output = sync.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "round {round}: sync across the hub's restart failed: {}",
            text(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        if report["unsettled"] != 0 {
            // A round cut between two requests leaves documents for the next sync.
            let again = clerk.sync();
            assert_eq!(again["unsettled"], 0, "round {round}: {again}");
        }
    }
    eprintln!(
        "{mid_request} of {} kills fell while the desk was syncing",
        kills()
    );
    assert!(
        mid_request * 2 >= kills(),
        "only {mid_request} of {} kills fell while the desk was syncing",
        kills()
    );

    let by_number = |mut list: Vec<serde_json::Value>| {
        list.sort_by_key(|c| c["number"].as_str().unwrap().to_string());
        list
    };
    let cases = by_number(clerk.list());
    assert_eq!(cases.len() as u32, 25 * kills());
    let pulled = reader.sync();
    assert_eq!(pulled["unsettled"], 0, "{pulled}");
    // The list rows carry each case's last change time, so every last correction is compared;
    // a sample is compared whole.
    assert_eq!(by_number(reader.list()), cases);
    for case in cases.iter().step_by(10) {
        let number = case["number"].as_str().unwrap();
        assert_eq!(
            reader.show_whole(number),
            clerk.show_whole(number),
            "{number} differs at the other desk"
        );
    }
    if sqlite {
        hub.stop();
        let path = hub.data_dir().join("hub.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}

#[test]
fn the_sqlite_hub_killed_mid_sync_loses_nothing() {
    hub_killed_mid_sync(Backend::Sqlite);
}

#[test]
fn the_postgres_hub_killed_mid_sync_loses_nothing() {
    if let Some(url) = postgres_database() {
        hub_killed_mid_sync(Backend::Postgres(url));
    }
}
