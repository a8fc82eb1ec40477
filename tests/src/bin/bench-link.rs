//! A week offline caught up over a poor link: a desk with 500 new cases, 2,000 corrections and
//! some scanned pages syncs with a real hub process across an emulated 256 kbit/s line with a
//! 300 ms round trip and 2% loss ([`PoorLink`]), once undisturbed and once with the connection
//! cut twice. Baselines from the same run: the bytes divided by the line's rate, and the same
//! bytes sent as one plain TCP transfer over the same line. Run as root through
//! `scripts/bench-link`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tongban_e2e::link::{HUB_IP, LinkShape, PoorLink};
use tongban_e2e::proxy::Proxy;
use tongban_e2e::{Backend, Desk, Hub, OTHER_TOWNSHIP, TOWNSHIP};

const CASES: &str = "500";
const EDITS: &str = "2000";
const PAGES: usize = 12;

struct CatchUp {
    up: u64,
    down: u64,
    wall: Duration,
    syncs: u32,
    /// Requests to the hub, each at least one round trip.
    requests: u64,
    cuts: u64,
    audit: u64,
    pages: u64,
    page_bytes_resent: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("sink") {
        return sink(&args[2]);
    }
    let shape = LinkShape::township();
    let link = match PoorLink::start(shape, 7) {
        Ok(link) => link,
        Err(e) => {
            eprintln!(
                "bench-link needs root (a network namespace and TUN devices) / 需要 root 权限：{e}"
            );
            std::process::exit(1);
        }
    };
    let hub = Hub::start_in_netns(Backend::Sqlite, link.netns(), HUB_IP);

    let clean = catch_up(&hub, TOWNSHIP, "李明", &[]);
    // Cut where a third and two thirds of the undisturbed run's upload had gone.
    let faulty = catch_up(
        &hub,
        OTHER_TOWNSHIP,
        "韦春梅",
        &[clean.up / 3, clean.up * 2 / 3],
    );
    let plain = plain_tcp(&link, clean.up, clean.down);

    let rate = shape.bytes_per_second();
    println!(
        "\nA week offline: {CASES} new cases, {EDITS} corrections, {PAGES} scanned pages; link {} kbit/s each way, {} ms round trip, {}% loss each way",
        shape.rate_bits_per_second / 1000,
        shape.one_way_delay.as_millis() * 2,
        shape.loss * 100.0
    );
    println!(
        "| catch-up | bytes on the link (both ways) | of which audit / pages | bytes / bandwidth (s) | plain TCP, same bytes (s) | wall time (s) | wall / (bytes / bandwidth) | syncs | requests |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, run) in [("undisturbed", &clean), ("two connection drops", &faulty)] {
        let bytes = run.up + run.down;
        let ideal = bytes as f64 / rate;
        println!(
            "| {name} ({} cuts) | {bytes} | {} / {} | {ideal:.1} | {plain:.1} | {:.1} | {:.2} | {} | {} |",
            run.cuts,
            run.audit,
            run.pages,
            run.wall.as_secs_f64(),
            run.wall.as_secs_f64() / ideal,
            run.syncs,
            run.requests
        );
    }
    let resent = (faulty.up + faulty.down).saturating_sub(clean.up + clean.down);
    println!(
        "\nbytes re-sent after the drops: {resent} (the cut run's bytes less the undisturbed run's; pages re-sent by the desk's count: {})",
        faulty.page_bytes_resent
    );
    for (name, stats) in [("desk → hub", link.up()), ("hub → desk", link.down())] {
        use std::sync::atomic::Ordering::Relaxed;
        println!(
            "link {name}: {} packets ({} bytes) delivered, {} lost at random, {} dropped by the full queue",
            stats.packets.load(Relaxed),
            stats.bytes.load(Relaxed),
            stats.lost.load(Relaxed),
            stats.overflowed.load(Relaxed)
        );
    }
    let ideal = (clean.up + clean.down) as f64 / rate;
    println!(
        "row\tweek-offline catch-up wall time (s), 2 drops\tbytes / bandwidth\t{ideal:.1}\t{:.1}\t{:.2}\t≤ 1.3×",
        faulty.wall.as_secs_f64(),
        faulty.wall.as_secs_f64() / ideal
    );
    println!(
        "row\tweek-offline catch-up: bytes re-sent after 2 drops\tbytes undisturbed\t{}\t{resent}\t{:.3}\t",
        clean.up + clean.down,
        resent as f64 / (clean.up + clean.down) as f64
    );
}

/// One desk's week: enrolled through a relay that can cut its connections, cases and pages
/// made offline, then synced until nothing is left to move. Only the syncs are timed.
fn catch_up(hub: &Hub, township: &str, user: &str, cuts_at: &[u64]) -> CatchUp {
    let relay = Proxy::start(hub.url());
    let desk = Desk::enroll_at(hub, relay.url(), township, user, "clerk");
    desk.ok(&[
        "demo-cases",
        "--count",
        CASES,
        "--edits",
        EDITS,
        "--seed",
        "7",
    ]);
    let numbers: Vec<String> = desk
        .list()
        .iter()
        .take(PAGES)
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    for (k, number) in numbers.iter().enumerate() {
        let scan = desk.path().join(format!("scan-{k}.jpg"));
        paperwork(k as u32).save(&scan).unwrap();
        desk.ok(&[
            "case",
            "attach",
            number,
            "--material",
            "ID_CARD",
            scan.to_str().unwrap(),
        ]);
    }

    let (up0, down0) = (relay.bytes_up(), relay.bytes_down());
    let start = Instant::now();
    let (mut syncs, mut requests) = (0, 0);
    let (mut audit, mut pages, mut page_bytes_resent) = (0, 0, 0);
    thread::scope(|scope| {
        scope.spawn(|| {
            for (k, at) in cuts_at.iter().enumerate() {
                relay.cut_when_up_passes(up0 + at);
                while relay.cuts() <= k as u64 {
                    thread::sleep(Duration::from_millis(20));
                }
            }
        });
        loop {
            let report = desk.sync();
            syncs += 1;
            requests += report["requests"].as_u64().unwrap();
            audit += report["audit_bytes"].as_u64().unwrap();
            pages += report["page_bytes_up"].as_u64().unwrap();
            page_bytes_resent += report["page_bytes_resent"].as_u64().unwrap();
            if report["unsettled"] == 0 && report["pages_pending"] == 0 {
                break;
            }
            assert!(
                syncs < 5,
                "still not caught up after {syncs} syncs: {report}"
            );
        }
    });
    CatchUp {
        up: relay.bytes_up() - up0,
        down: relay.bytes_down() - down0,
        wall: start.elapsed(),
        syncs,
        requests,
        cuts: relay.cuts(),
        audit,
        pages,
        page_bytes_resent,
    }
}

/// A scanned form: dark lines of "text" on off-white paper with scanner noise, different for
/// each `k` so that no two pages are the same blob. (Pages with little noise came out of the
/// import as JPEGs that zstd still halves, which real scans are not.)
fn paperwork(k: u32) -> image::RgbImage {
    image::RgbImage::from_fn(827, 1169, |x, y| {
        let noise =
            ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ k.wrapping_mul(31)) % 23) as u8;
        let line = y % 28 < 14 && y > 120 && (x + k * 13) % 97 < 80 && x > 60 && x < 767;
        let ink = if line { 40 } else { 235 };
        image::Rgb([ink + noise / 2, ink + noise / 2, ink + noise])
    })
}

/// The same bytes as one plain TCP transfer over the same link: `up` bytes to a sink in the
/// hub's namespace, then `down` bytes back. Returns seconds.
fn plain_tcp(link: &PoorLink, up: u64, down: u64) -> f64 {
    let mut sink = Command::new("ip")
        .args(["netns", "exec", link.netns()])
        .arg(std::env::current_exe().unwrap())
        .args(["sink", &format!("{HUB_IP}:0")])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sink.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let start = Instant::now();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(&down.to_be_bytes()).unwrap();
    // Incompressible, as the sync's compressed bodies are.
    let block: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut left = up;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        stream.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let received = std::io::copy(&mut stream, &mut std::io::sink()).unwrap();
    assert_eq!(received, down, "the sink sent back what was asked");
    let seconds = start.elapsed().as_secs_f64();
    let _ = sink.wait();
    seconds
}

/// Inside the hub's namespace: takes one connection, reads what it is sent and answers with as
/// many bytes as the first eight ask for.
fn sink(listen: &str) {
    let listener = TcpListener::bind(listen).unwrap();
    println!("listening on {}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    let (mut stream, _) = listener.accept().unwrap();
    let mut asked = [0u8; 8];
    stream.read_exact(&mut asked).unwrap();
    std::io::copy(&mut stream, &mut std::io::sink()).unwrap();
    let mut left = u64::from_be_bytes(asked);
    let block = vec![0x5au8; 65_536];
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        stream.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
}
