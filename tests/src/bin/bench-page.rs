//! The citizen's query page under load: 200 clients at once on loopback, each on its own
//! kept-alive TLS connection pinned to the hub's key, asking for one case's page (number and
//! query code in the address, as a receipt's QR code gives them) as fast as answers come;
//! against the hub's `/healthz` (one database ping) asked the same way in the same run.
//! Requests per second and the 99th percentile of latency. Run through `scripts/bench-page`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::time::{Duration, Instant};
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};
use tongban_sync::endpoint::HEALTH_PATH;

const CLIENTS: usize = 200;
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);

struct Load {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn client(hub: &Hub) -> reqwest::Client {
    let fingerprint = tongban_trust::Fingerprint::parse(&hub.fingerprint()).unwrap();
    let tls = tongban_trust::client_config(tongban_trust::Pins::new(fingerprint, None)).unwrap();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_max_idle_per_host(1)
        .build()
        .unwrap()
}

/// Every client asks for `url` in a loop; latencies counted after the warm-up only.
async fn load(hub: &Hub, url: &str, expect: &str) -> Load {
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, url, expect) = (client(hub), url.to_string(), expect.to_string());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while start.elapsed() < WARM_UP + MEASURE {
                    let asked = Instant::now();
                    let body = client.get(&url).send().await.unwrap().text().await.unwrap();
                    assert!(body.contains(&expect), "unexpected answer: {body:.200}");
                    if asked.duration_since(start) >= WARM_UP {
                        latencies.push(asked.elapsed());
                    }
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1e3;
    Load {
        per_second: all.len() as f64 / MEASURE.as_secs_f64(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

#[tokio::main]
async fn main() {
    // 200 clients share one address: the per-peer limits are raised for the run.
    let hub = Hub::start_with(
        Backend::Sqlite,
        &[
            "--max-connections-per-peer",
            "1024",
            "--open-requests-per-minute",
            "100000000",
        ],
    );
    let (hub, url) = tokio::task::spawn_blocking(move || {
        let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
        let number = desk.ok(&[
            "case",
            "register",
            "--item",
            "YL01",
            "--name",
            "覃秀梅",
            "--id-number",
            "450721198806152311",
            "--received",
            "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
        ]);
        let shown: serde_json::Value =
            serde_json::from_str(&desk.ok(&["case", "show", &number, "--json"])).unwrap();
        desk.ok(&["sync"]);
        (hub, shown["query_url"].as_str().unwrap().to_string())
    })
    .await
    .unwrap();
    let health = load(&hub, &format!("{}{HEALTH_PATH}", hub.url()), "ok").await;
    let page = load(&hub, &url, "办理进度").await;
    println!(
        "\nThe citizen's page under load, {CLIENTS} clients on loopback over TLS (release build)"
    );
    println!("| route | requests/s | p50 (ms) | p99 (ms) |");
    println!("|---|---|---|---|");
    for (name, l) in [
        ("/healthz (baseline)", &health),
        ("/query (a case's page)", &page),
    ] {
        println!(
            "| {name} | {:.0} | {:.1} | {:.1} |",
            l.per_second, l.p50_ms, l.p99_ms
        );
    }
    println!(
        "row\tcitizen page, {CLIENTS} clients: requests/s\t/healthz, same run\t{:.0}\t{:.0}\t{:.2}\t—",
        health.per_second,
        page.per_second,
        page.per_second / health.per_second
    );
    println!(
        "row\tcitizen page, {CLIENTS} clients: p99 latency (ms)\t/healthz, same run\t{:.1}\t{:.1}\t{:.2}\t—",
        health.p99_ms,
        page.p99_ms,
        page.p99_ms / health.p99_ms
    );
}
