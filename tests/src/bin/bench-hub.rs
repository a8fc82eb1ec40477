//! Hub ingest: how many new cases a real hub process takes in per second when many devices
//! sync at once, against one device syncing alone (the baseline) in the same run. Each
//! simulated device is enrolled at the hub like a desk, holds its new cases as Automerge
//! documents in memory, and runs the desk's sync protocol (manifest, then rounds of batched
//! sync messages, every request signed) through `HubClient`; documents are made before the
//! clock starts. The devices run in this process, on the same two cores as the hub. The same
//! ingest against a hub serving plain HTTP on loopback is the baseline for what TLS costs, and a
//! real desk's `tongban sync` of one corrected case times a round trip each way. Run through
//! `scripts/bench-hub`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::collections::HashMap;
use std::time::{Duration, Instant};
use tongban_e2e::sim::{Replica, SimDevice, settle};
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};

const DEVICES: usize = 48;
const CASES_PER_DEVICE: u32 = 100;
const BASELINE_CASES: u32 = 1000;
/// Each figure is the median of this many rounds, each with new cases on the same devices.
const ROUNDS: u32 = 3;
/// Alternating rounds of plain HTTP and TLS, for the cost of TLS.
const TLS_ROUNDS: u32 = 7;
/// Enrolling dozens of devices from one address in a minute is the bench's doing, not an attack.
const ENROL_FREELY: &[&str] = &["--enrolments-per-minute", "1000"];

fn run_device(sim: &SimDevice, mut docs: HashMap<String, Replica>) -> usize {
    let manifest = sim.manifest(&mut docs);
    assert_eq!(manifest.differing.len(), docs.len());
    settle(&sim.client, &mut docs)
}

/// One round: each device makes `cases` new cases (not timed), then all sync at once, one
/// thread each. Returns case syncs per second.
fn ingest(devices: &[SimDevice], round: u32, cases: u32) -> f64 {
    let first = round * cases + 1;
    let work: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(n, sim)| (sim, sim.register(first..=first + cases - 1, n as u32)))
        .collect();
    let started = Instant::now();
    let settled: usize = std::thread::scope(|s| {
        let handles: Vec<_> = work
            .into_iter()
            .map(|(sim, docs)| s.spawn(move || run_device(sim, docs)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let time: Duration = started.elapsed();
    assert_eq!(settled, devices.len() * cases as usize);
    settled as f64 / time.as_secs_f64()
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Median seconds of a desk's `tongban sync` after one correction (a fresh process each time:
/// TLS handshake, directory, manifest, one sync round, the audit trail).
fn desk_round_trip(hub: &Hub) -> f64 {
    let desk = Desk::enroll(hub, TOWNSHIP, "李明");
    let number = desk.register("覃秀梅", "450721198806152311", "13812345678");
    desk.sync();
    let mut times: Vec<f64> = (0..15)
        .map(|i| {
            desk.set(&number, "phone", &format!("1390000{i:04}"));
            let started = Instant::now();
            desk.sync();
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn new_backend(postgres: bool) -> Backend {
    if postgres {
        Backend::Postgres(tongban_e2e::postgres_database().unwrap())
    } else {
        Backend::Sqlite
    }
}

/// TLS against plain HTTP on loopback, each on a hub of its own and a database of its own, both
/// running; their rounds alternate, so a drift of the machine touches both alike.
fn tls_cost(postgres: bool, name: &str) {
    let hubs: Vec<(Hub, Vec<SimDevice>)> = [true, false]
        .into_iter()
        .map(|plain| {
            let mut serve = ENROL_FREELY.to_vec();
            if plain {
                serve.push("--insecure-loopback");
            }
            let hub = Hub::start_with(new_backend(postgres), &serve);
            let devices = (1..=DEVICES)
                .map(|n| SimDevice::enroll(&hub, TOWNSHIP, &format!("办事员{n:03}")))
                .collect();
            (hub, devices)
        })
        .collect();
    let mut rates = [Vec::new(), Vec::new()];
    for round in 0..TLS_ROUNDS {
        for (i, (_, devices)) in hubs.iter().enumerate() {
            rates[i].push(ingest(devices, round, CASES_PER_DEVICE));
        }
    }
    let trips: Vec<f64> = hubs.iter().map(|(hub, _)| desk_round_trip(hub)).collect();
    let [plain, tls] = rates.map(median);
    println!(
        "| {name}: {DEVICES} devices at once, case syncs/s, median of {TLS_ROUNDS} | {plain:.0} | {tls:.0} | {:.2} |",
        plain / tls
    );
    println!(
        "| {name}: a desk's `tongban sync` of one correction, median of 15, ms | {:.0} | {:.0} | {:.2} |",
        trips[0] * 1000.0,
        trips[1] * 1000.0,
        trips[1] / trips[0]
    );
    println!(
        "row\thub ingest over TLS ({name}): case syncs/s\tplain HTTP on loopback\t{plain:.0}\t{tls:.0}\t{:.2}\t≤ 1.15× (time)",
        plain / tls
    );
    println!(
        "row\tdesk sync round trip over TLS ({name}): ms\tplain HTTP on loopback\t{:.0}\t{:.0}\t{:.2}\t—",
        trips[0] * 1000.0,
        trips[1] * 1000.0,
        trips[1] / trips[0]
    );
}

fn main() {
    let postgres = std::env::var("TONGBAN_TEST_POSTGRES_URL").is_ok();
    let mut backends = vec![("SQLite", Backend::Sqlite)];
    if postgres {
        backends.push(("PostgreSQL", new_backend(true)));
    }
    println!(
        "| hub database, median of {ROUNDS} | 1 device, {BASELINE_CASES} cases (baseline) | {DEVICES} devices × {CASES_PER_DEVICE} cases at once | ratio |"
    );
    println!("|---|---|---|---|");
    for (name, backend) in backends {
        let hub = Hub::start_with(backend, ENROL_FREELY);
        eprintln!("{name}: enrolling {} devices", DEVICES + 1);
        let alone = [SimDevice::enroll(&hub, TOWNSHIP, "办事员000")];
        let many: Vec<SimDevice> = (1..=DEVICES)
            .map(|n| SimDevice::enroll(&hub, TOWNSHIP, &format!("办事员{n:03}")))
            .collect();
        let (mut base, mut rate) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            base.push(ingest(&alone, round, BASELINE_CASES));
            rate.push(ingest(&many, round, CASES_PER_DEVICE));
        }
        let (base, rate) = (median(base), median(rate));
        println!(
            "| {name}: case syncs per second | {base:.0} | {rate:.0} | {:.2} |",
            rate / base
        );
        println!(
            "row\thub ingest ({name}), {DEVICES} devices at once: case syncs/s\t1 device alone\t{base:.0}\t{rate:.0}\t{:.2}\t≥ 400/s",
            rate / base
        );
    }
    println!();
    println!("| what | plain HTTP on loopback (baseline) | TLS | TLS costs (time ratio) |");
    println!("|---|---|---|---|");
    tls_cost(false, "SQLite");
    if postgres {
        tls_cost(true, "PostgreSQL");
    }
}
