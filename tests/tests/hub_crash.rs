//! The hub loses power in the middle of sync requests: it is killed with SIGKILL at a random
//! moment after it has answered a desk's manifest, while the desk's sync batch of new and
//! corrected cases and its audit events follow, and started again on the same data. The desk's sync retries across the restart and must end settled; at the end another
//! desk pulls every case, each identical to the first desk's copy, and the hub's SQLite file
//! passes its integrity check. `TONGBAN_HUB_KILLS` sets how many kills per backend.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, postgres_database, text};

fn kills() -> u32 {
    std::env::var("TONGBAN_HUB_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

/// How many manifests the hub has answered so far.
fn manifests(hub: &Hub) -> usize {
    hub.log().matches("\"message\":\"manifest\"").count()
}

/// Waits until the hub has answered more than `before` manifests; returns when it saw that.
fn manifest_read(hub: &Hub, before: usize) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    while manifests(hub) <= before {
        assert!(
            Instant::now() < deadline,
            "the desk's sync never reached the hub"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    Instant::now()
}

fn hub_killed_mid_sync(backend: Backend) {
    let sqlite = matches!(backend, Backend::Sqlite);
    let mut hub = Hub::start(backend);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let reader = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let mut dice = StdRng::seed_from_u64(0x7b_2026);
    let kills = kills();
    let week = |seed: u32| {
        clerk.ok(&[
            "demo-cases",
            "--count",
            "25",
            "--edits",
            "50",
            "--seed",
            &seed.to_string(),
        ])
    };
    let spawn_sync = || {
        clerk
            .command(clerk.user(), &["sync", "--json", "--attempts", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // How long an undisturbed sync of one round's work goes on after the hub has read its
    // manifest, so that the kills fall inside the requests that follow, however fast the build.
    week(kills);
    let mut sync = spawn_sync();
    let start = manifest_read(&hub, manifests(&hub));
    assert!(sync.wait().unwrap().success());
    let span = (start.elapsed().as_millis() as u64).max(1);
    let mut while_syncing = 0;
    for round in 0..kills {
        week(round);
        let before = manifests(&hub);
        let mut sync = spawn_sync();
        manifest_read(&hub, before);
        std::thread::sleep(Duration::from_millis(
            dice.random_range(0..span * 3 / 4 + 1),
        ));
        if sync.try_wait().unwrap().is_none() {
            while_syncing += 1;
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
    eprintln!("{while_syncing} of {kills} kills fell after the manifest, before the sync ended");
    assert!(
        while_syncing * 2 >= kills,
        "only {while_syncing} of {kills} kills fell after the manifest, before the sync ended"
    );

    let by_number = |mut list: Vec<serde_json::Value>| {
        list.sort_by_key(|c| c["number"].as_str().unwrap().to_string());
        list
    };
    let cases = by_number(clerk.list());
    assert_eq!(cases.len() as u32, 25 * (kills + 1));
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
        let conn = hub.sqlite();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let pages: Vec<String> = conn
            .prepare("PRAGMA cipher_integrity_check")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(pages.is_empty(), "{pages:?}");
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
