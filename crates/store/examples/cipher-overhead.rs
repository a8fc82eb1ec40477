//! SQLCipher against plain SQLite on the desk's save/lookup workload, same build, same file
//! system, same statements and the store's settings (WAL, synchronous=FULL, a 32 MiB page
//! cache): each save its own transaction writing a
//! case row and its ~2 KB document; lookups by ID number and a 50-row list page. Prints a
//! table. Run: `cargo run --release -p tongban-store --example cipher-overhead`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use rusqlite::{Connection, params};
use std::time::{Duration, Instant};

const CASES: usize = 20_000;
const LOOKUPS: usize = 20_000;

struct Figures {
    save: Vec<Duration>,
    lookup: Duration,
    list: Duration,
}

fn run(path: &std::path::Path, key: Option<&str>) -> Figures {
    let conn = Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
            .unwrap();
        let pragma = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap_or_default()
        };
        eprintln!(
            "SQLCipher {}, {}, memory security {}",
            pragma("cipher_version"),
            pragma("cipher_provider"),
            pragma("cipher_memory_security")
        );
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768;
         CREATE TABLE cases (number TEXT PRIMARY KEY, applicant_name TEXT NOT NULL,
             id_number TEXT NOT NULL, status TEXT NOT NULL, updated_at_ms INTEGER NOT NULL);
         CREATE INDEX cases_by_id_number ON cases (id_number);
         CREATE INDEX cases_by_updated ON cases (updated_at_ms);
         CREATE TABLE documents (number TEXT PRIMARY KEY, doc BLOB NOT NULL);",
    )
    .unwrap();
    let doc: Vec<u8> = (0..2048u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let id = |i: usize| format!("450721{:08}{:04}", 19_500_101 + i % 500, i % 10_000);
    let mut save = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let started = Instant::now();
        let tx = conn.unchecked_transaction().unwrap();
        let number = format!("450721101-20261122-001-{i:06}");
        tx.execute(
            "INSERT INTO cases VALUES (?1, ?2, ?3, 'registered', ?4)",
            params![number, format!("申请人{i}"), id(i), i as i64],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO documents VALUES (?1, ?2)",
            params![number, doc],
        )
        .unwrap();
        tx.commit().unwrap();
        save.push(started.elapsed());
    }
    let started = Instant::now();
    let mut found = 0;
    for i in 0..LOOKUPS {
        let mut stmt = conn
            .prepare_cached("SELECT number FROM cases WHERE id_number = ?1")
            .unwrap();
        found += stmt
            .query_map([id(i * 7919 % CASES)], |r| r.get::<_, String>(0))
            .unwrap()
            .count();
    }
    let lookup = started.elapsed() / LOOKUPS as u32;
    assert!(found >= LOOKUPS);
    let started = Instant::now();
    for page in 0..200 {
        let mut stmt = conn
            .prepare_cached(
                "SELECT number, applicant_name, status FROM cases
                 ORDER BY updated_at_ms DESC LIMIT 50 OFFSET ?1",
            )
            .unwrap();
        assert_eq!(
            stmt.query_map([page * 50], |r| r.get::<_, String>(0))
                .unwrap()
                .count(),
            50
        );
    }
    let list = started.elapsed() / 200;
    Figures { save, lookup, list }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn main() {
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let key = "2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c";
    let plain = run(&dir.path().join("plain.db"), None);
    let cipher = run(&dir.path().join("cipher.db"), Some(key));
    println!("| {CASES} saves, {LOOKUPS} lookups | plain SQLite (baseline) | SQLCipher | ratio |");
    println!("|---|---|---|---|");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    let (mut p, mut c) = (plain.save.clone(), cipher.save.clone());
    p.sort();
    c.sort();
    let total = |v: &[Duration]| ms(v.iter().sum::<Duration>());
    rows.push(("all saves (ms)", total(&p), total(&c)));
    rows.push((
        "save p50 (ms)",
        ms(percentile(&p, 0.5)),
        ms(percentile(&c, 0.5)),
    ));
    rows.push((
        "save p99 (ms)",
        ms(percentile(&p, 0.99)),
        ms(percentile(&c, 0.99)),
    ));
    rows.push(("ID lookup (ms)", ms(plain.lookup), ms(cipher.lookup)));
    rows.push(("list page of 50 (ms)", ms(plain.list), ms(cipher.list)));
    for (name, base, enc) in rows {
        println!("| {name} | {base:.3} | {enc:.3} | {:.2} |", enc / base);
    }
    // The one-table summary of scripts/bench.
    let (base, enc) = (total(&p), total(&c));
    println!(
        "row\tSQLCipher: {CASES} saves (ms)\tplain SQLite\t{base:.0}\t{enc:.0}\t{:.2}\t≤ 1.15×",
        enc / base
    );
    let (base, enc) = (ms(plain.lookup), ms(cipher.lookup));
    println!(
        "row\tSQLCipher: ID lookup (ms)\tplain SQLite\t{base:.3}\t{enc:.3}\t{:.2}\t≤ 1.15×",
        enc / base
    );
}
