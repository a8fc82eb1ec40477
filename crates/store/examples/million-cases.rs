//! A desk with a million cases: every case registered through `Store::register` (its own
//! transaction, document, audit event), in a real profile (SQLCipher, key in the keyring).
//! Save times, ID-number lookups and list pages are measured at 10,000 cases (the baseline)
//! and again at the end, in the same run, the way the desk's window asks for them (a page is
//! the rows and the total count). At the end, 2,000 more saves with SQLite copying its
//! write-ahead log back inside the saves, as it does by default, are the baseline for the
//! store's background copy. Last, a supervisor's dashboard over every case (the figures of the
//! whole period, by item) beside one SQL `count(*)` of the same cases. Prints three tables.
//!
//! Run: `scripts/with-keyring cargo run --release -p tongban-store --example million-cases`
//! (`-- 200000` for a smaller desk).
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tongban_domain::identity::with_resident_check;
use tongban_domain::session::Session;
use tongban_domain::{ApplicantKind, Catalogue, Registration, Role, SecurityPolicy, TownshipCode};
use tongban_store::keys::SecretKey;
use tongban_store::{CaseFilter, Enrollment, Profile, Store};
use tongban_sync::person;
use tongban_sync::wire::{Directory, DirectoryUser};

const BASELINE: u32 = 10_000;
/// Saves timed before each measuring point, lookups and pages asked at it.
const SAMPLES: u32 = 2_000;
/// Fewer than the 9,999 a desk may number in one day.
const CASES_PER_DAY: u32 = 4_000;
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "覃", "韦", "蒙", "梁"];
const GIVEN: [&str; 8] = [
    "秀英", "国强", "丽华", "建军", "桂兰", "志明", "海燕", "德胜",
];

/// A distinct, valid resident ID for every `i` below 25 million.
fn resident_id(i: u32) -> String {
    let day = i % 25_536;
    let (year, month, dom) = (1930 + day / 336, day / 28 % 12 + 1, day % 28 + 1);
    with_resident_check(&format!(
        "450721{year:04}{month:02}{dom:02}{:03}",
        i / 25_536
    ))
    .unwrap()
}

fn registration(catalogue: &Catalogue, i: u32) -> Registration {
    let item = catalogue
        .items
        .iter()
        .filter(|i| i.applicant == ApplicantKind::Person)
        .nth(i as usize % 3)
        .unwrap();
    Registration {
        item: item.code.clone(),
        name: format!("{}{}", SURNAMES[i as usize % 8], GIVEN[i as usize / 8 % 8]),
        id_number: resident_id(i),
        id_type: Default::default(),
        agent: None,
        phone: Some(format!("139{:08}", i)),
        address: Some(format!(
            "檀圩镇{}村{}号",
            GIVEN[i as usize % 8],
            i % 300 + 1
        )),
        received: item
            .materials
            .iter()
            .take(1)
            .map(|m| m.code.clone())
            .collect(),
    }
}

fn clerk_key() -> tongban_domain::Secret {
    tongban_domain::Secret::new([7; 32])
}

fn desk(dir: &std::path::Path) -> Store {
    let mut store = Profile::at(dir)
        .create("bench recovery passphrase 2026")
        .unwrap();
    let key = person::signing_key(&clerk_key());
    let sealed = person::seal(&key, "450721101", "李明", "window-pass-2026").unwrap();
    let directory = Directory {
        users: vec![DirectoryUser {
            name: "李明".into(),
            role: Role::Clerk,
            public_key: Some(hex::encode(key.verifying_key().to_bytes())),
            sealed_key: Some(sealed.to_text()),
            totp_secret: None,
            must_change: false,
        }],
        devices: Vec::new(),
        policy: SecurityPolicy::default(),
        calendar: None,
        catalogues: Vec::new(),
    };
    let enrollment = Enrollment {
        hub_url: "http://127.0.0.1:1".into(),
        device_id: "0d0e0f".into(),
        device_serial: 1,
        township: TownshipCode::parse("450721101").unwrap(),
        township_name: "檀圩镇".into(),
        user: "李明".into(),
        hub_audit_key: hex::encode([0u8; 32]),
        hub_key: "TEST".into(),
        hub_certificate: Vec::new(),
    };
    store
        .record_enrollment(&enrollment, &SecretKey::random().unwrap(), &directory)
        .unwrap();
    store
}

struct Point {
    cases: u32,
    save: Vec<Duration>,
    lookup: Vec<Duration>,
    page: Vec<Duration>,
    file_mib: f64,
}

fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort();
    values[((values.len() - 1) as f64 * p) as usize]
}

/// Lookups of IDs spread over every case so far, and pages spread over the first 200.
fn measure(store: &Store, cases: u32, save: Vec<Duration>, file: &std::path::Path) -> Point {
    let page_filter = |offset| CaseFilter {
        limit: Some(50),
        offset,
        ..CaseFilter::default()
    };
    let mut lookup = Vec::new();
    for k in 0..SAMPLES {
        let filter = CaseFilter {
            query: Some(resident_id((k * 7_919 + 13) % cases)),
            ..page_filter(0)
        };
        let started = Instant::now();
        let total = store.count(&filter).unwrap();
        let found = store.list(&filter).unwrap();
        lookup.push(started.elapsed());
        assert_eq!((total, found.len()), (1, 1));
    }
    let mut page = Vec::new();
    for k in 0..SAMPLES / 10 {
        let filter = page_filter(k % 200 * 50);
        let started = Instant::now();
        let total = store.count(&filter).unwrap();
        let rows = store.list(&filter).unwrap();
        page.push(started.elapsed());
        assert_eq!((total, rows.len()), (u64::from(cases), 50));
    }
    let file_mib = std::fs::metadata(file).unwrap().len() as f64 / 1_048_576.0;
    Point {
        cases,
        save,
        lookup,
        page,
        file_mib,
    }
}

fn main() {
    let total: u32 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |n| n.parse().unwrap());
    assert!(total > BASELINE);
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let mut store = desk(dir.path());
    let catalogue = Catalogue::builtin();
    let session = Session {
        user: "李明".into(),
        role: Role::Clerk,
        last_use_ms: 0,
        key: clerk_key(),
    };
    let first_day =
        tongban_store::china_now() - time::Duration::days(i64::from(total / CASES_PER_DAY + 1));
    let at = |i: u32| -> OffsetDateTime {
        first_day
            + time::Duration::milliseconds(i64::from(i) * 86_400_000 / i64::from(CASES_PER_DAY))
    };
    let mut points = Vec::new();
    let mut save = Vec::new();
    let started = Instant::now();
    for i in 0..total {
        let registration = registration(catalogue, i);
        let began = Instant::now();
        store.register(registration, &session, at(i)).unwrap();
        let took = began.elapsed();
        let cases = i + 1;
        let next_point = if cases <= BASELINE { BASELINE } else { total };
        if next_point - cases < SAMPLES {
            save.push(took);
        }
        if cases == next_point {
            points.push(measure(
                &store,
                cases,
                std::mem::take(&mut save),
                &dir.path().join("cases.db"),
            ));
        }
        if cases % 50_000 == 0 {
            eprintln!(
                "{cases} cases registered, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let fill = started.elapsed();
    // The baseline for the write-ahead log's copying: the same desk, SQLite left to copy the
    // log back inside whichever save crosses 1,000 pages.
    store.checkpoint_inside_saves().unwrap();
    let mut inline = Vec::new();
    for i in total..total + SAMPLES {
        let registration = registration(catalogue, i);
        let began = Instant::now();
        store.register(registration, &session, at(i)).unwrap();
        inline.push(began.elapsed());
    }
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    let [base, full] = &mut points[..] else {
        unreachable!()
    };
    println!(
        "| real store, release build | {} cases (baseline) | {} cases | ratio |",
        base.cases, full.cases
    );
    println!("|---|---|---|---|");
    let (base_cases, full_cases) = (base.cases, full.cases);
    let row = |baseline: &str, name: &str, a: Duration, b: Duration| {
        println!(
            "| {name} (ms) | {} | {} | {:.2} |",
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
        let goal = if name.starts_with("ID") && name.ends_with("p99") {
            "< 20 ms"
        } else if name.starts_with("case save p99") {
            "< 10 ms"
        } else {
            ""
        };
        // The one-table summary of scripts/bench.
        println!(
            "row\tstore with {full_cases} cases: {name} (ms)\t{baseline}\t{}\t{}\t{:.2}\t{goal}",
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
    };
    let by_size = format!("{base_cases} cases");
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        row(
            &by_size,
            &format!("case save {name}, last {SAMPLES}"),
            percentile(&mut base.save, p),
            percentile(&mut full.save, p),
        );
    }
    for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &by_size,
            &format!("ID-number lookup {name}"),
            percentile(&mut base.lookup, p),
            percentile(&mut full.lookup, p),
        );
    }
    for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &by_size,
            &format!("list page of 50 + total {name}"),
            percentile(&mut base.page, p),
            percentile(&mut full.page, p),
        );
    }
    println!(
        "| database file (MiB) | {:.0} | {:.0} | {:.2} |",
        base.file_mib,
        full.file_mib,
        full.file_mib / base.file_mib
    );
    println!();
    println!(
        "| at {full_cases} cases, {SAMPLES} saves | log copied back inside saves (SQLite's default, baseline) | copied back beside them | ratio |"
    );
    println!("|---|---|---|---|");
    for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
        row(
            "log copied back inside saves",
            &format!("case save {name}"),
            percentile(&mut inline, p),
            percentile(&mut full.save, p),
        );
    }
    figures(&mut store, total + SAMPLES);
    eprintln!(
        "registered {total} cases in {:.0} s ({:.2} ms a case)",
        fill.as_secs_f64(),
        fill.as_secs_f64() * 1000.0 / f64::from(total)
    );
}

/// The dashboard a supervisor opens (the whole period, by item: rows read, facts parsed,
/// figures computed) beside counting the same cases with one SQL `count(*)`, median of 3.
fn figures(store: &mut Store, cases: u32) {
    let supervisor = Session {
        user: "张华".into(),
        role: Role::Supervisor,
        last_use_ms: 0,
        key: clerk_key(),
    };
    let now = tongban_store::china_now();
    let query =
        tongban_domain::figures::Query::parse(Some("2000-01-01"), None, Some("item"), now.date())
            .unwrap();
    let median = |mut runs: Vec<f64>| {
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    let (mut count, mut report) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let began = Instant::now();
        let n = store.count(&CaseFilter::default()).unwrap();
        count.push(began.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(n, u64::from(cases));
        let began = Instant::now();
        let figures = store.report(&supervisor, &query, now).unwrap();
        report.push(began.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(figures.total.received, u64::from(cases));
    }
    let (count, report) = (median(count), median(report));
    println!();
    println!("| desk with {cases} cases, median of 3 | ms | × count(*) |");
    println!("|---|---|---|");
    println!("| SQL count(*) of the same cases (baseline) | {count:.1} | 1 |");
    println!(
        "| supervisor's dashboard by item (read, parse, compute) | {report:.1} | {:.1} |",
        report / count
    );
    println!(
        "row\tdesk dashboard, {cases} cases (ms)\tSQL count(*) of the same cases\t{count:.1}\t{report:.1}\t{:.1}\t",
        report / count
    );
}
