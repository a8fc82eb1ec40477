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
use tongban_e2e::sim::{Replica, SimDevice, settle};
use tongban_e2e::{Backend, Hub, TOWNSHIP};

const DEVICES: usize = 48;
const CASES_PER_DEVICE: u32 = 100;
const BASELINE_CASES: u32 = 1000;
/// Each figure is the median of this many rounds, each with new cases on the same devices.
const ROUNDS: u32 = 3;

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

fn main() {
    let mut backends = vec![("SQLite", Backend::Sqlite)];
    if let Some(url) = tongban_e2e::postgres_database() {
        backends.push(("PostgreSQL", Backend::Postgres(url)));
    }
    println!(
        "| hub database, median of {ROUNDS} | 1 device, {BASELINE_CASES} cases (baseline) | {DEVICES} devices × {CASES_PER_DEVICE} cases at once | ratio |"
    );
    println!("|---|---|---|---|");
    for (name, backend) in backends {
        let hub = Hub::start(backend);
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
}
