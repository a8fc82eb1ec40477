//! A hub's township log under attack: 1,000 random deletions, reorderings and edits, each
//! reported no later than the first entry it touched.

use crate::chain::*;
use crate::log::*;
use crate::log_verify::*;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOWNSHIP: &str = "450721101";

struct Hub {
    key: SigningKey,
    devices: Vec<(String, SigningKey)>,
    entries: Vec<LoggedEvent>,
    checkpoints: Vec<SignedCheckpoint>,
}

/// Three desks pushing in turns; the hub signs a checkpoint after every push.
fn hub(rng: &mut StdRng, n: usize) -> Hub {
    let key = SigningKey::from_bytes(&[42; 32]);
    let devices: Vec<(String, SigningKey)> = (0..3u8)
        .map(|d| (format!("desk-{d}"), SigningKey::from_bytes(&[d + 1; 32])))
        .collect();
    let mut heads: Vec<Option<Head>> = vec![None; devices.len()];
    let mut tree = MerkleLog::new();
    let mut entries = Vec::new();
    let mut checkpoints = Vec::new();
    while entries.len() < n {
        let d = rng.random_range(0..devices.len());
        for _ in 0..rng.random_range(1..5) {
            let mut event = next_event(heads[d], &devices[d].0, entries.len() as i64);
            event.user = "张华".into();
            event.object = format!("case-{}", entries.len());
            let signed = event.sign(&devices[d].1);
            heads[d] = Some(Head {
                seq: event.seq,
                hash: signed.hash(),
            });
            tree.push(signed.hash());
            entries.push(LoggedEvent {
                position: entries.len() as u64,
                hash: signed.hash().to_vec(),
                event: signed,
            });
        }
        checkpoints.push(
            Checkpoint {
                township: TOWNSHIP.into(),
                size: tree.len(),
                root: hex::encode(tree.root()),
                at_ms: 0,
            }
            .sign(&key),
        );
    }
    Hub {
        key,
        devices,
        entries,
        checkpoints,
    }
}

fn check(hub: &Hub, entries: &[LoggedEvent]) -> Result<LogReport, LogBreak> {
    let keys: Vec<(String, VerifyingKey)> = hub
        .devices
        .iter()
        .map(|(id, k)| (id.clone(), k.verifying_key()))
        .collect();
    verify_log(
        TOWNSHIP,
        entries.iter().cloned(),
        |id| keys.iter().find(|(d, _)| d == id).map(|(_, k)| *k),
        &hub.key.verifying_key(),
        &hub.checkpoints,
    )
}

fn renumber(entries: &mut [LoggedEvent]) {
    for (i, e) in entries.iter_mut().enumerate() {
        e.position = i as u64;
    }
}

#[test]
fn an_honest_log_verifies() {
    let mut rng = StdRng::seed_from_u64(1);
    let hub = hub(&mut rng, 200);
    let report = check(&hub, &hub.entries).unwrap();
    assert_eq!(report.entries, hub.entries.len() as u64);
    assert_eq!(report.devices, 3);
}

#[test]
fn a_thousand_random_mutations_of_the_hub_log_are_each_reported() {
    let mut rng = StdRng::seed_from_u64(9162);
    let hub = hub(&mut rng, 150);
    let n = hub.entries.len();
    // The checkpoint range an entry falls in: a mutation only a root can reveal is reported at
    // the range's first entry.
    let range_start = |i: usize| {
        hub.checkpoints
            .iter()
            .map(|c| c.checkpoint.size as usize)
            .filter(|s| *s <= i)
            .max()
            .unwrap_or(0) as u64
    };
    let mut exact = 0;
    for round in 0..1_000 {
        let mut entries = hub.entries.clone();
        let i = rng.random_range(0..n);
        let mut j = rng.random_range(0..n);
        while j == i {
            j = rng.random_range(0..n);
        }
        let kind = rng.random_range(0..6);
        let first = match kind {
            // Deleted as an SQL DELETE would: the positions keep their gap.
            0 => {
                entries.remove(i);
                i
            }
            // Deleted and the positions closed up.
            1 => {
                entries.remove(i);
                renumber(&mut entries);
                i
            }
            2 => {
                entries.swap(i, j);
                renumber(&mut entries);
                i.min(j)
            }
            // An edited event, its stored hash left as it was.
            3 => {
                let at = rng.random_range(0..entries[i].event.bytes.len());
                entries[i].event.bytes[at] ^= 1 << rng.random_range(0..8);
                i
            }
            // An edited event with its hash recomputed: the signature gives it away.
            4 => {
                let mut event = entries[i].event.event().unwrap();
                event.user = "王五".into();
                let mut bytes = Vec::new();
                ciborium::into_writer(&event, &mut bytes).unwrap();
                entries[i].event.bytes = bytes;
                entries[i].hash = entries[i].event.hash().to_vec();
                i
            }
            // Events cut off the end.
            _ => {
                entries.truncate(i);
                i
            }
        };
        let err = check(&hub, &entries).expect_err(&format!(
            "round {round}: mutation {kind} at {i} went unnoticed"
        ));
        let first = first as u64;
        assert!(
            err.position == first
                || (matches!(
                    err.problem,
                    LogProblem::Root { .. } | LogProblem::Short { .. }
                ) && err.position >= range_start(first as usize)
                    && err.position <= first),
            "round {round}: mutation {kind} at {first} reported as {err}"
        );
        exact += u32::from(err.position == first);
    }
    // Most mutations break a chain or a hash exactly where they were made.
    assert!(
        exact > 600,
        "only {exact} of 1,000 reported at their exact position"
    );
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut hub = hub(&mut rng, 20);
    let forged = hub.checkpoints[0]
        .checkpoint
        .clone()
        .sign(&SigningKey::from_bytes(&[7; 32]));
    hub.checkpoints.push(forged);
    let err = check(&hub, &hub.entries).unwrap_err();
    assert_eq!(err.problem, LogProblem::Checkpoint);
}

#[test]
fn a_cases_extract_proves_its_events_offline_and_nothing_else() {
    let mut rng = StdRng::seed_from_u64(21);
    let hub = hub(&mut rng, 40);
    let mut tree = MerkleLog::new();
    for entry in &hub.entries {
        tree.push(entry.event.hash());
    }
    let checkpoint = hub.checkpoints.last().unwrap().clone();
    let picked: Vec<(u64, SignedEvent)> = [3u64, 17, 39]
        .iter()
        .map(|&p| (p, hub.entries[p as usize].event.clone()))
        .collect();
    let extract = crate::Extract::build(&tree, checkpoint.clone(), &picked).unwrap();
    let key = hub.key.verifying_key();
    let events = extract.verify(&key, TOWNSHIP).unwrap();
    assert_eq!(
        events
            .iter()
            .map(|(p, e)| (*p, e.object.as_str()))
            .collect::<Vec<_>>(),
        [(3, "case-3"), (17, "case-17"), (39, "case-39")]
    );
    // Round trip through its JSON, as the package keeps it.
    let json = serde_json::to_string(&extract).unwrap();
    let read: crate::Extract = serde_json::from_str(&json).unwrap();
    assert_eq!(read, extract);

    // An event moved to another position, an edited event, another hub's checkpoint, another
    // township: each refused.
    let mut moved = extract.clone();
    moved.entries[1].position = 18;
    assert!(
        moved
            .verify(&key, TOWNSHIP)
            .unwrap_err()
            .contains("log entry 18")
    );
    let mut edited = extract.clone();
    edited.entries[0].event.replace_range(10..12, "00");
    assert!(edited.verify(&key, TOWNSHIP).is_err());
    let stranger = SigningKey::from_bytes(&[9; 32]).verifying_key();
    assert!(extract.verify(&stranger, TOWNSHIP).is_err());
    assert!(extract.verify(&key, "450721102").is_err());
    // A tree that is not the checkpoint's gives no extract.
    tree.push([0; 32]);
    assert!(crate::Extract::build(&tree, checkpoint, &picked).is_none());
}
