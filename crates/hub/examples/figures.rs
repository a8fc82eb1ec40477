//! The county page's figures with 1,000,000 cases in 20 townships, on the embedded store (a
//! real SQLCipher file opened with the hub's storage key): the county's report by township
//! (the rows read, their facts parsed, the figures computed) and its red list, each beside one
//! SQL `count(*)` over the same rows in the same run. The cases' facts are generated (receipt
//! over three months, a quarter returned for materials, most decided, some late or open) and
//! written as the hub writes them.
//!
//! Run: `cargo run --release -p tongban-hub --example figures` (`-- 100000` for fewer cases).
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::time::Instant;
use tongban_domain::case::{CaseEvent, CaseStatus, EventKind};
use tongban_domain::figures::{CaseFacts, Query};
use tongban_hub::facts_db::FactsDb;
use tongban_hub::keys::KeyDir;
use tongban_hub::service::Limits;
use tongban_hub::service::figures::Scope;
use tongban_hub::{Hub, PageStore, SqliteDb};

const TOWNSHIPS: u32 = 20;
const DAY_MS: i64 = 86_400_000;
/// 2026-09-01 09:00 China time.
const START_MS: i64 = 1_788_224_400_000;

fn event(kind: EventKind, at_ms: i64, to: CaseStatus) -> CaseEvent {
    CaseEvent {
        id: format!("{}-{at_ms}", kind.as_str()),
        at_ms,
        kind,
        by: "张华".into(),
        to: Some(to),
        ..CaseEvent::default()
    }
}

fn facts(i: u32) -> CaseFacts {
    let township = format!("450721{:03}", 101 + i % TOWNSHIPS);
    let received = START_MS + i64::from(i % 90) * DAY_MS;
    let mut events = Vec::new();
    let mut at = received;
    if i.is_multiple_of(4) {
        events.push(event(
            EventKind::Returned,
            at,
            CaseStatus::SupplementRequested,
        ));
        at += 3 * DAY_MS;
        events.push(event(EventKind::Supplemented, at, CaseStatus::Supplemented));
    }
    events.push(event(EventKind::Accepted, at, CaseStatus::Accepted));
    let accepted = at;
    match i % 10 {
        0..=6 => events.push(event(
            EventKind::Approved,
            at + i64::from(i % 9) * DAY_MS,
            CaseStatus::Approved,
        )),
        7 => events.push(event(
            EventKind::Rejected,
            at + 2 * DAY_MS,
            CaseStatus::Rejected,
        )),
        _ => {}
    }
    CaseFacts {
        number: format!("{township}-{:08}", i),
        township,
        item_code: format!("YL{:02}", i % 12),
        item_name: format!("事项{}", i % 12),
        clerk: format!("收件人{}", i % 60),
        created_at_ms: received,
        accepted_at_ms: Some(accepted),
        status: events
            .last()
            .and_then(|e| e.to)
            .unwrap_or(CaseStatus::Registered),
        promised_days: 5 + (i % 3) as u16 * 5,
        events,
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cases: u32 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |n| n.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let keys = KeyDir::locate(&data, None).unwrap();
    let storage = keys.storage_key(true).unwrap();
    let path = data.join("hub.db");
    let db = SqliteDb::open(&path, &storage.sqlcipher()).unwrap();
    let tls = keys.tls(None, true, &[]).unwrap();
    let pages = PageStore::on_disk(&data).unwrap();
    let hub = Hub::open(db.clone(), storage, &keys, &tls, pages, Limits::default())
        .await
        .unwrap();

    let started = Instant::now();
    let mut rows = Vec::new();
    for i in 0..cases {
        let f = facts(i);
        let json = serde_json::to_string(&f).unwrap();
        rows.push((f.township, f.number, Some(json)));
        if rows.len() == 10_000 {
            db.put_facts(std::mem::take(&mut rows)).await.unwrap();
        }
    }
    db.put_facts(rows).await.unwrap();
    eprintln!(
        "{cases} cases' facts written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let query = Query::parse(
        Some("2026-09-01"),
        Some("2026-11-30"),
        Some("township"),
        time::macros::date!(2026 - 12 - 07),
    )
    .unwrap();
    let scope = Scope::County("450721".into());
    let (mut count_runs, mut report_runs, mut red_runs) = (Vec::new(), Vec::new(), Vec::new());
    let mut total = 0;
    for _ in 0..3 {
        let t = Instant::now();
        total = db.count_facts("450721").await.unwrap();
        count_runs.push(ms(t));
        let t = Instant::now();
        let report = hub.report(&scope, &query).await.unwrap();
        report_runs.push(ms(t));
        assert_eq!(report.total.received, u64::from(cases));
        assert_eq!(report.groups.len(), TOWNSHIPS as usize);
        let t = Instant::now();
        let red = hub
            .red_cases(&scope, time::macros::date!(2026 - 12 - 07))
            .await
            .unwrap();
        red_runs.push(ms(t));
        assert!(!red.is_empty());
    }
    assert_eq!(total, u64::from(cases));
    let (count, report, red) = (median(count_runs), median(report_runs), median(red_runs));
    println!("| hub, {cases} cases in {TOWNSHIPS} townships, median of 3 | ms | × count(*) |");
    println!("|---|---|---|");
    println!("| SQL count(*) of the same rows (baseline) | {count:.1} | 1 |");
    println!(
        "| county report by township (read, parse, compute) | {report:.1} | {:.1} |",
        report / count
    );
    println!(
        "| red list of open cases past their date | {red:.1} | {:.1} |",
        red / count
    );
    println!(
        "row\thub county report, {cases} cases (ms)\tSQL count(*) of the same rows\t{count:.1}\t{report:.1}\t{:.1}\t",
        report / count
    );
}
