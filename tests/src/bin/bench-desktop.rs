//! Desktop measurements in a release build: cold start to the sign-in screen, time to open
//! the case list, and memory, for a desk with 10,000 cases against an empty desk (the baseline)
//! measured in the same run. Run through `scripts/bench-desktop`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::time::{Duration, Instant};
use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, PASSWORD, TOWNSHIP};

const RUNS: usize = 3;

struct Sample {
    start: Duration,
    list: Duration,
    rss_kib: u64,
    pss_kib: u64,
}

/// A `Name:  123 kB` line's number.
fn kib(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0)
}

/// Memory of the app and its WebKit helper processes: resident (RSS), and proportional (PSS:
/// pages shared between them, and with the rest of the system, counted once in all).
fn memory_kib() -> (u64, u64) {
    let (mut rss, mut pss) = (0, 0);
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let path = entry.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        let comm = comm.trim();
        if comm == "tongban-desktop"
            || comm.starts_with("WebKitWebProces")
            || comm.starts_with("WebKitNetworkPr")
        {
            let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
            rss += kib(&status, "VmRSS:");
            let rollup = std::fs::read_to_string(path.join("smaps_rollup")).unwrap_or_default();
            pss += kib(&rollup, "Pss:");
        }
    }
    (rss, pss)
}

async fn measure(desk: &Desk, cases: u32) -> Sample {
    let started = Instant::now();
    let w = Window::launch(&desk.path()).await;
    w.find("#signin-form").await;
    let start = started.elapsed();
    w.sign_in("李明", PASSWORD).await;
    w.find("#item-search").await;
    let opened = Instant::now();
    w.click("#nav-cases").await;
    let total = format!("共 {cases} 件");
    w.wait_text("#cases-total", |t| t == total).await;
    if cases > 0 {
        w.find("tr.row").await;
    }
    let list = opened.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss_kib, pss_kib) = memory_kib();
    w.close().await;
    Sample {
        start,
        list,
        rss_kib,
        pss_kib,
    }
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes = [0u32, 10_000];
    let hub = Hub::start(Backend::Sqlite);
    let mut rows = Vec::new();
    for cases in sizes {
        let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
        if cases > 0 {
            let seeded = Instant::now();
            desk.ok(&["demo-cases", "--count", &cases.to_string()]);
            eprintln!(
                "seeded {cases} cases in {:.1} s",
                seeded.elapsed().as_secs_f64()
            );
        }
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            samples.push(measure(&desk, cases).await);
        }
        rows.push((
            median(samples.iter().map(|s| s.start).collect()),
            median(samples.iter().map(|s| s.list).collect()),
            median(samples.iter().map(|s| s.rss_kib).collect()),
            median(samples.iter().map(|s| s.pss_kib).collect()),
        ));
    }
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    println!("| desktop, release build, median of {RUNS} | empty desk (baseline) | 10,000 cases |");
    println!("|---|---|---|");
    println!(
        "| cold start to the sign-in screen (ms) | {} | {} |",
        ms(rows[0].0),
        ms(rows[1].0)
    );
    println!(
        "| open the case list (ms) | {} | {} |",
        ms(rows[0].1),
        ms(rows[1].1)
    );
    println!(
        "| memory, app + WebKit processes (RSS, MiB) | {:.0} | {:.0} |",
        rows[0].2 as f64 / 1024.0,
        rows[1].2 as f64 / 1024.0
    );
    println!(
        "| memory, app + WebKit processes (PSS, MiB) | {:.0} | {:.0} |",
        rows[0].3 as f64 / 1024.0,
        rows[1].3 as f64 / 1024.0
    );
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    println!(
        "row\tdesktop cold start to sign-in (ms), 10,000 cases\tempty desk\t{}\t{}\t{:.2}\t",
        ms(rows[0].0),
        ms(rows[1].0),
        ratio(rows[0].0, rows[1].0)
    );
    println!(
        "row\tdesktop: open the case list (ms), 10,000 cases\tempty desk\t{}\t{}\t{:.2}\t",
        ms(rows[0].1),
        ms(rows[1].1),
        ratio(rows[0].1, rows[1].1)
    );
}
