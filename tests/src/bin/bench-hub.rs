//! Hub ingest: how many new cases a real hub process takes in per second when many devices
//! sync at once, against one device syncing alone (the baseline) in the same run. Each
//! simulated device is enrolled at the hub like a desk, holds its new cases as Automerge
//! documents in memory, and runs the desk's sync protocol (manifest, then rounds of batched
//! sync messages, every request signed) through `HubClient`; documents are made before the
//! clock starts. The devices run in this process, on the same two cores as the hub. Run
//! through `scripts/bench-hub`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::collections::HashMap;
use std::time::{Duration, Instant};
use tongban_client::HubClient;
use tongban_domain::case::Desk as CaseDesk;
use tongban_domain::{CaseNumber, Catalogue, Registration, TownshipCode};
use tongban_e2e::{Backend, Hub, PASSWORD, TOWNSHIP};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc::{self, heads_digest};
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::peer;
use tongban_sync::wire::{
    DocDigest, DocMessage, MAX_DOCS_PER_BATCH, ManifestRequest, ManifestResponse, SyncBatch,
};

const DEVICES: usize = 48;
const CASES_PER_DEVICE: u32 = 100;
const BASELINE_CASES: u32 = 400;

struct Device {
    client: HubClient,
    docs: Vec<(String, AutoCommit)>,
}

fn enroll(hub: &Hub, n: usize, cases: u32) -> Device {
    let user = format!("办事员{n:03}");
    hub.add_user(TOWNSHIP, &user, "clerk");
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    let key = SigningKey::from_bytes(&seed);
    let code = hub.enroll_code(TOWNSHIP);
    let answer = tongban_client::enroll(hub.url(), &code, &user, PASSWORD, "bench", &key).unwrap();
    let township = TownshipCode::parse(TOWNSHIP).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let today = now.date();
    let desk = CaseDesk {
        township: &township,
        clerk: &user,
        device: &answer.device_id,
        now_ms: now.unix_timestamp() * 1000,
        today,
    };
    let catalogue = Catalogue::builtin();
    let docs = (1..=cases)
        .map(|seq| {
            let number = CaseNumber::new(&township, today, answer.device_serial, seq).unwrap();
            let i = n as u32 * 10_000 + seq;
            let case = Registration {
                item: "YL01".into(),
                name: format!("申请人{}", ["甲", "乙", "丙", "丁"][seq as usize % 4]),
                id_number: resident_id(i),
                phone: Some(format!("139{i:08}")),
                address: Some(format!("檀圩镇檀圩村{}号", seq % 300 + 1)),
                received: vec!["ID_CARD".into()],
            }
            .into_case(catalogue, number, &desk)
            .unwrap();
            let doc = case_doc::create(&case, &answer.device_id).unwrap();
            (case.number.as_str().to_string(), doc)
        })
        .collect();
    let client = HubClient::new(hub.url(), TOWNSHIP, &answer.device_id, key).unwrap();
    Device { client, docs }
}

fn resident_id(i: u32) -> String {
    tongban_domain::identity::with_resident_check(&format!(
        "4507211980{:02}{:02}{:03}",
        i / 28 % 12 + 1,
        i % 28 + 1,
        i % 1000
    ))
    .unwrap()
}

/// Runs the sync rounds for every document of a device, as `tongban_client::sync` does.
fn settle(client: &HubClient, docs: &mut HashMap<String, (AutoCommit, State)>) -> usize {
    let ids: Vec<String> = docs.keys().cloned().collect();
    for chunk in ids.chunks(MAX_DOCS_PER_BATCH) {
        for _ in 0..8 {
            let messages: Vec<DocMessage> = chunk
                .iter()
                .filter_map(|id| {
                    let (doc, state) = docs.get_mut(id)?;
                    peer::generate(doc, state).map(|message| DocMessage {
                        doc_id: id.clone(),
                        message,
                    })
                })
                .collect();
            if messages.is_empty() {
                break;
            }
            let replies: SyncBatch = client.call("sync", &SyncBatch { messages }).unwrap().answer;
            for reply in replies.messages {
                let (doc, state) = docs.get_mut(&reply.doc_id).unwrap();
                peer::receive(doc, state, &reply.message).unwrap();
            }
        }
    }
    docs.values_mut()
        .map(|(doc, state)| usize::from(peer::in_sync(doc, state)))
        .sum()
}

fn run_device(device: Device) -> usize {
    let client = device.client;
    let mut docs: HashMap<String, (AutoCommit, State)> = device
        .docs
        .into_iter()
        .map(|(id, doc)| (id, (doc, State::new())))
        .collect();
    let digests: Vec<DocDigest> = docs
        .iter_mut()
        .map(|(id, (doc, _))| DocDigest {
            doc_id: id.clone(),
            digest: heads_digest(&doc.get_heads()),
        })
        .collect();
    let manifest: ManifestResponse = client
        .call(
            "manifest",
            &ManifestRequest {
                cursor: 0,
                docs: digests,
            },
        )
        .unwrap()
        .answer;
    assert_eq!(manifest.differing.len(), docs.len());
    settle(&client, &mut docs)
}

/// Syncs every device at once, one thread each; returns cases settled and the wall time.
fn ingest(devices: Vec<Device>) -> (usize, Duration) {
    let started = Instant::now();
    let settled = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .into_iter()
            .map(|d| s.spawn(move || run_device(d)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (settled, started.elapsed())
}

fn main() {
    let mut backends = vec![("SQLite", Backend::Sqlite)];
    if let Some(url) = tongban_e2e::postgres_database() {
        backends.push(("PostgreSQL", Backend::Postgres(url)));
    }
    println!(
        "| hub database | 1 device, {BASELINE_CASES} cases (baseline) | {DEVICES} devices × {CASES_PER_DEVICE} cases at once | ratio |"
    );
    println!("|---|---|---|---|");
    for (name, backend) in backends {
        let hub = Hub::start(backend);
        let alone = vec![enroll(&hub, 0, BASELINE_CASES)];
        let (base_cases, base_time) = ingest(alone);
        assert_eq!(base_cases, BASELINE_CASES as usize);
        eprintln!("{name}: enrolling {DEVICES} devices");
        let many: Vec<Device> = (1..=DEVICES)
            .map(|n| enroll(&hub, n, CASES_PER_DEVICE))
            .collect();
        let (cases, time) = ingest(many);
        assert_eq!(cases, DEVICES * CASES_PER_DEVICE as usize);
        let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "| {name}: case syncs per second | {:.0} | {:.0} | {:.2} |",
            rate(base_cases, base_time),
            rate(cases, time),
            rate(cases, time) / rate(base_cases, base_time)
        );
    }
}
