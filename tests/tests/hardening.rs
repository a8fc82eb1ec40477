//! The hub tried as an attacker would: a relay recording every byte, an impostor with a key of
//! its own, forged revocations, stalled and piled-up connections, guessed enrolment passwords,
//! uploads nobody asked for; and what an operator relies on: keys rotated, backups restored, two
//! hub processes on one database, the configuration file.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::io::{Read, Write};
use std::time::{Duration, Instant};
use tongban_e2e::device::RawDevice;
use tongban_e2e::hostile::{FakeHub, ForgedRevocation, Impostor};
use tongban_e2e::proxy::Proxy;
use tongban_e2e::{
    Backend, Desk, Hub, PASSWORD, TOWNSHIP, bin, canary, enroll_args, postgres_database,
    registration_args, s3_bucket, text,
};
use tongban_sync::wire::{self, ManifestRequest, PageChunk};

const NAME: &str = "覃秀梅";
const ID_NUMBER: &str = "450721198806152311";
const PHONE: &str = "13812345678";

#[test]
fn a_relay_on_the_path_learns_nothing_and_an_impostor_gets_nothing() {
    let hub = Hub::start(Backend::Sqlite);
    let relay = Proxy::recording(hub.url());
    let clerk = Desk::enroll_at(&hub, relay.url(), TOWNSHIP, "李明", "clerk");
    // A second factor's secret travels to the desks its person works at, in the directory.
    let secret = hub.add_user_with_totp(TOWNSHIP, "张华", "supervisor");
    clerk.assign(&hub, "张华", "supervisor");
    let number = clerk.register(NAME, ID_NUMBER, PHONE);
    clerk.attach_scan(&number);
    clerk.sync();
    let reader = Desk::enroll_at(&hub, relay.url(), TOWNSHIP, "黄丽", "clerk");
    reader.sync();
    assert_eq!(reader.pages(&number)[0]["present"], true);

    let capture = relay.capture();
    assert!(
        capture.len() > 50_000,
        "only {} bytes relayed",
        capture.len()
    );
    // TLS records from the first byte: a handshake, then application data.
    assert_eq!(capture[0], 0x16, "the first byte is not a TLS handshake");
    let secrets = [NAME, ID_NUMBER, PHONE, PASSWORD, secret.as_str()];
    assert_eq!(canary::found_in(&capture, &secrets), None);

    // Nor does the hub keep any of it readable: data, database log, pages, keys, its log.
    let scanned = canary::assert_absent(
        &[&hub.data_dir(), &hub.key_dir(), &hub.log_path()],
        &[NAME, ID_NUMBER, PHONE, secret.as_str(), "檀圩镇金鸡村"],
    );
    assert!(scanned >= 6, "only {scanned} files");

    // Someone takes over the path with a key of their own: refused, nothing sent.
    let impostor = Impostor::start();
    relay.redirect(impostor.url());
    let refusal = clerk.fails(&["sync", "--attempts", "1"]);
    assert!(refusal.contains(&hub.fingerprint()), "{refusal}");
    assert!(refusal.contains(&impostor.key.fingerprint()), "{refusal}");
    assert!(refusal.contains("Nothing was sent"), "{refusal}");
    // Enrolling through it: the password never leaves, the code stays good.
    let code = hub.enroll_code(TOWNSHIP);
    let newcomer = Desk::unenrolled();
    let refusal = newcomer.fails(&[
        "enroll",
        "--hub",
        impostor.url(),
        "--code",
        &code,
        "--user",
        "李明",
    ]);
    assert!(refusal.contains(&hub.fingerprint()), "{refusal}");
    assert_eq!(impostor.received(), 0);
    assert!(!newcomer.path().exists());
    newcomer.ok(&enroll_args(&hub, &code, "李明"));

    // Plain HTTP to another machine is refused before anything is sent.
    let far = Desk::unenrolled();
    let refusal = far.fails(&[
        "enroll",
        "--hub",
        "http://192.0.2.7:8470",
        "--code",
        &code,
        "--user",
        "李明",
    ]);
    assert!(
        refusal.contains("http:// to this machine only"),
        "{refusal}"
    );
}

#[test]
fn a_forged_revocation_deletes_nothing_and_a_genuine_one_only_the_desks_own_files() {
    // Plain HTTP on this machine, where anyone local could answer in the hub's place.
    let hub = Hub::start_with(Backend::Sqlite, &["--insecure-loopback"]);
    assert!(hub.url().starts_with("http://127.0.0.1:"), "{}", hub.url());
    let relay = Proxy::start(hub.url());
    let desk = Desk::enroll_at(&hub, relay.url(), TOWNSHIP, "李明", "clerk");
    let number = desk.register(NAME, ID_NUMBER, PHONE);
    let prints = desk.path().join("prints");
    std::fs::create_dir_all(&prints).unwrap();
    let printed = prints.join(format!("{number}-receipt.pdf"));
    desk.ok(&[
        "case",
        "print",
        &number,
        "--doc",
        "receipt",
        "--out",
        &printed.display().to_string(),
    ]);
    // Someone else's files, in the profile folder, among the prints and beside the folder.
    let theirs = [
        desk.path().join("notes.txt"),
        prints.join("minutes.pdf"),
        desk.root().join("beside.txt"),
    ];
    for file in &theirs {
        std::fs::write(file, "not the desk's").unwrap();
    }

    for forged in [ForgedRevocation::Unsigned, ForgedRevocation::OtherKey] {
        let fake = FakeHub::start(forged, TOWNSHIP);
        relay.redirect(fake.url());
        let output = desk.run(&["sync", "--attempts", "1"]);
        assert!(!output.status.success());
        let said = text(&output.stderr);
        assert!(said.contains("nothing was deleted"), "{said}");
        assert!(said.contains("was ignored"), "{said}");
        assert!(
            !fake.requests.lock().unwrap().is_empty(),
            "the forger was never asked"
        );
        assert_eq!(desk.list().len(), 1, "the desk lost its cases");
        assert!(printed.exists());
    }

    relay.redirect(hub.url());
    hub.revoke_device_of(TOWNSHIP, "李明");
    let said = desk.fails(&["sync"]);
    assert!(said.contains("wiped"), "{said}");
    for own in ["profile.json", "cases.db"] {
        assert!(!desk.path().join(own).exists(), "{own} is still there");
    }
    assert!(!printed.exists());
    for file in &theirs {
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            "not the desk's",
            "{}",
            file.display()
        );
    }
}

#[test]
fn enrolment_into_a_folder_holding_other_files_is_refused_and_spends_nothing() {
    let hub = Hub::start(Backend::Sqlite);
    hub.add_user(TOWNSHIP, "李明", "clerk");
    let desk = Desk::unenrolled();
    std::fs::create_dir_all(desk.path()).unwrap();
    std::fs::write(desk.path().join("thesis.docx"), "years of work").unwrap();
    let code = hub.enroll_code(TOWNSHIP);
    let refusal = desk.fails(&enroll_args(&hub, &code, "李明"));
    assert!(refusal.contains("holds other files"), "{refusal}");
    assert_eq!(
        std::fs::read_to_string(desk.path().join("thesis.docx")).unwrap(),
        "years of work"
    );
    std::fs::remove_file(desk.path().join("thesis.docx")).unwrap();
    desk.ok(&enroll_args(&hub, &code, "李明"));
}

/// A TLS connection to the hub from `source` (any 127/8 address), pinned like a desk's.
fn tls_from(
    runtime: &tokio::runtime::Runtime,
    source: std::net::Ipv4Addr,
    hub: &Hub,
    fingerprint: &str,
) -> tongban_trust::rustls::StreamOwned<tongban_trust::rustls::ClientConnection, std::net::TcpStream>
{
    let tcp = tcp_from(runtime, source, hub);
    let pins = tongban_trust::Pins::new(
        tongban_trust::Fingerprint::parse(fingerprint).unwrap(),
        None,
    );
    let config = std::sync::Arc::new(tongban_trust::client_config(pins).unwrap());
    let name = tongban_trust::rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let connection = tongban_trust::rustls::ClientConnection::new(config, name).unwrap();
    let mut tls = tongban_trust::rustls::StreamOwned::new(connection, tcp);
    tls.conn.complete_io(&mut tls.sock).unwrap();
    tls
}

fn tcp_from(
    runtime: &tokio::runtime::Runtime,
    source: std::net::Ipv4Addr,
    hub: &Hub,
) -> std::net::TcpStream {
    let target: std::net::SocketAddr = hub.url().split_once("://").unwrap().1.parse().unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind((source, 0).into()).unwrap();
        socket.connect(target).await.unwrap()
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// Whether the hub closed the connection: it reads to its end (or is reset) within `wait`.
fn closed(stream: &mut impl Read, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn stalled_connections_cost_little_and_are_closed_after_the_time_out() {
    let hub = Hub::start_with(
        Backend::Sqlite,
        &["--header-timeout-secs", "4", "--body-timeout-secs", "4"],
    );
    let fingerprint = hub.fingerprint();
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    desk.register(NAME, ID_NUMBER, PHONE);
    desk.sync();
    let idle = hub.resident_bytes();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut stalled = Vec::new();
    for i in 0..200u32 {
        // Each from its own address, as from many machines: no per-peer cap saves the hub.
        let source = std::net::Ipv4Addr::new(127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8);
        let mut tls = tls_from(&runtime, source, &hub, &fingerprint);
        let request = if i % 2 == 0 {
            // Half the headers, then nothing.
            b"POST /v1/enroll HTTP/1.1\r\nhost: hub\r\ncontent-le".to_vec()
        } else {
            // Whole headers announcing 16,000 bytes, then half of them.
            let mut r = b"POST /v1/enroll HTTP/1.1\r\nhost: hub\r\ncontent-type: application/octet-stream\r\ncontent-length: 16000\r\n\r\n".to_vec();
            r.extend(vec![b'x'; 8_000]);
            r
        };
        tls.write_all(&request).unwrap();
        tls.flush().unwrap();
        stalled.push(tls);
    }
    // Meanwhile a real desk's work goes through.
    let started = Instant::now();
    desk.register("韦国强", "11010519491231002X", "13900001111");
    let report = desk.sync();
    assert_eq!(report["docs_up"], 1);
    let busy = hub.resident_bytes();
    assert!(
        busy < idle + 64 * 1024 * 1024,
        "the hub grew from {idle} to {busy} bytes holding 200 stalled connections"
    );
    eprintln!(
        "hub memory: {} KiB idle, {} KiB with 200 stalled connections; a desk's sync meanwhile took {:?}",
        idle / 1024,
        busy / 1024,
        started.elapsed()
    );

    // After the time-out every stalled connection is closed by the hub.
    std::thread::sleep(Duration::from_secs(5));
    for tls in &mut stalled {
        tls.sock
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        assert!(
            closed(tls, Duration::from_secs(3)),
            "a stalled connection is still open"
        );
    }

    // One peer holding more than its share: the surplus is closed at once.
    let crowd: Vec<std::net::TcpStream> = (0..70)
        .map(|_| tcp_from(&runtime, std::net::Ipv4Addr::new(127, 0, 9, 9), &hub))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // Looked at all at once, long before the handshake time-out closes the others.
    let cut = crowd
        .iter()
        .filter(|s| {
            s.set_nonblocking(true).unwrap();
            matches!((&mut &**s).read(&mut [0u8; 16]), Ok(0))
        })
        .count();
    assert_eq!(cut, 6, "64 connections per peer, then refused");
    assert!(hub.log().contains("too many connections from this peer"));
}

#[test]
fn the_sixth_wrong_password_burns_the_code_and_unknown_names_cost_the_same() {
    let hub = Hub::start_with(Backend::Sqlite, &["--enrolments-per-minute", "1000"]);
    hub.add_user(TOWNSHIP, "李明", "clerk");
    let try_enrol = |code: &str, user: &str, password: &str| {
        let key = tongban_sync::ed25519_dalek::SigningKey::from_bytes(&rand::random());
        let code = tongban_trust::EnrolmentCode::parse(code).unwrap();
        let started = Instant::now();
        let outcome = tongban_client::enroll(hub.url(), &code, user, password, "guess", &key);
        (
            outcome.err().map(|e| e.to_string()).unwrap_or_default(),
            started.elapsed(),
        )
    };
    let code = hub.enroll_code(TOWNSHIP);
    for attempt in 1..=5 {
        let (said, _) = try_enrol(&code, "李明", "wrong-password-1");
        assert!(
            said.contains(&format!("{} tries left", 6 - attempt)),
            "{attempt}: {said}"
        );
    }
    let (said, _) = try_enrol(&code, "李明", "wrong-password-1");
    assert!(said.contains("now spent"), "{said}");
    let (said, _) = try_enrol(&code, "李明", PASSWORD);
    assert!(said.contains("unknown, used or expired"), "{said}");

    // Wrong password for a real account against no such account: the same work. Counted in the
    // hub's own CPU time (not wall time), so other tests loading the machine do not blur it.
    let pid = hub.pid().expect("hub process");
    let cpu_ticks = || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
        let fields: Vec<u64> = stat[stat.rfind(')').unwrap() + 2..]
            .split(' ')
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        fields[11] + fields[12]
    };
    // In blocks, so the clock's 10 ms ticks round once per block rather than once per try.
    let mut spent = [0u64; 2];
    for _ in 0..2 {
        for (i, user) in ["李明", "无此人"].into_iter().enumerate() {
            let before = cpu_ticks();
            for round in 0..20 {
                let code = hub.enroll_code(TOWNSHIP);
                let (said, _) = try_enrol(&code, user, "wrong-password-1");
                assert!(said.contains("password"), "{round}: {said}");
            }
            spent[i] += cpu_ticks() - before;
        }
    }
    let [known, unknown] = spent;
    eprintln!("hub CPU for 40 refusals: known name {known} ticks, unknown name {unknown} ticks");
    let gap = known.abs_diff(unknown) as f64 / known.max(unknown).max(1) as f64;
    assert!(
        gap <= 0.25,
        "known {known} vs unknown {unknown} ticks: {:.0}% apart",
        gap * 100.0
    );

    // A peer that keeps trying is slowed to the configured rate.
    let strict = Hub::start_with(Backend::Sqlite, &["--enrolments-per-minute", "3"]);
    let code = strict.enroll_code(TOWNSHIP);
    let refused = (0..6)
        .map(|_| {
            let key = tongban_sync::ed25519_dalek::SigningKey::from_bytes(&rand::random());
            let code = tongban_trust::EnrolmentCode::parse(&code).unwrap();
            tongban_client::enroll(strict.url(), &code, "李明", "x", "guess", &key)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        })
        .filter(|said| said.contains("too many requests"))
        .count();
    assert!(refused >= 1, "no attempt was slowed");
}

/// A scan of noise: it keeps its size through JPEG re-encoding, several chunks' worth.
fn big_scan(path: &std::path::Path) {
    let mut seed = 7u32;
    image::RgbImage::from_fn(1600, 2200, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8])
    })
    .save(path)
    .unwrap();
}

#[test]
fn page_chunks_need_a_case_that_references_them_and_a_desk_stays_within_its_quota() {
    let hub = Hub::start_with(Backend::Sqlite, &["--staging-quota-kib", "300"]);
    let raw = RawDevice::enroll(&hub, TOWNSHIP);
    let chunk = PageChunk {
        sha256: "ab".repeat(32),
        size: 1000,
        index: 0,
        data: vec![1; 1000],
    };
    let answer = raw.post(TOWNSHIP, "pages/put", wire::encode(&chunk));
    assert_eq!(answer.status, 403, "{}", answer.message());
    assert!(
        answer.message().contains("references"),
        "{}",
        answer.message()
    );

    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = desk.register(NAME, ID_NUMBER, PHONE);
    let scan = desk.root().join("big.png");
    big_scan(&scan);
    desk.ok(&[
        "case",
        "attach",
        &number,
        "--material",
        "ID_CARD",
        &scan.display().to_string(),
    ]);
    let bytes = desk.pages(&number)[0]["bytes"].as_u64().unwrap();
    assert!(bytes > 600 * 1024, "the scan is only {bytes} bytes");
    let refusal = desk.fails(&["sync", "--attempts", "1"]);
    assert!(refusal.contains("unfinished uploads"), "{refusal}");
    assert!(hub.log().contains("\"reason\":\"forbidden\""));

    // The operator sees it all in the metrics (answered to this machine only).
    let metrics = raw.get("/metrics");
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(
        text.contains("tongban_hub_refusals_total{reason=\"forbidden\"}"),
        "{text}"
    );
    assert!(text.contains("tongban_hub_database_bytes"), "{text}");
}

#[test]
fn a_hub_backup_taken_while_serving_restores_into_an_empty_folder() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = desk.register(NAME, ID_NUMBER, PHONE);
    desk.attach_scan(&number);
    desk.sync();
    let folder = tempfile::tempdir().unwrap();
    let backup = folder.path().join("hub-backup.tar");
    let said = hub.admin(&["backup", "--out", &backup.display().to_string()]);
    assert!(said.contains("1 pages"), "{said}");
    assert!(
        canary::found_in(&std::fs::read(&backup).unwrap(), &[NAME, ID_NUMBER, PHONE]).is_none()
    );

    // Into a folder holding something: refused. A damaged copy: refused, nothing put in place.
    let restore = |data: &std::path::Path, from: &std::path::Path| {
        std::process::Command::new(bin("tongban-hub"))
            .args(["restore", "--data-dir", &data.display().to_string()])
            .args(["--key-dir", &hub.key_dir().display().to_string()])
            .args(["--from", &from.display().to_string()])
            .output()
            .unwrap()
    };
    let busy = folder.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("x"), "x").unwrap();
    let out = restore(&busy, &backup);
    assert!(
        text(&out.stderr).contains("not empty"),
        "{}",
        text(&out.stderr)
    );
    let mut damaged = std::fs::read(&backup).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x40;
    let damaged_file = folder.path().join("damaged.tar");
    std::fs::write(&damaged_file, damaged).unwrap();
    let fresh = folder.path().join("fresh");
    let out = restore(&fresh, &damaged_file);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not a usable hub backup"),
        "{}",
        text(&out.stderr)
    );
    assert!(!fresh.exists());

    // The drill: the old hub is gone, the restored one serves a new desk everything.
    let restored = hub.restored(&backup);
    let mut hub = hub;
    hub.stop();
    let newcomer = Desk::enroll(&restored, TOWNSHIP, "王芳");
    newcomer.sync();
    assert_eq!(newcomer.show_whole(&number), desk.show_whole(&number));
    let pages = newcomer.pages(&number);
    assert_eq!(pages[0]["sha256"], desk.pages(&number)[0]["sha256"]);
    assert_eq!(pages[0]["present"], true);
    restored.admin(&["audit", "verify"]);
}

#[test]
fn desks_move_to_the_hubs_next_key_announced_under_the_current_one() {
    let mut hub = Hub::start(Backend::Sqlite);
    let old = hub.fingerprint();
    let moving = Desk::enroll(&hub, TOWNSHIP, "李明");
    let absent = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let said = hub.admin(&["key", "rotate"]);
    let next = hub.admin(&["key", "show"]);
    assert!(next.contains("next "), "{next}");
    assert!(said.contains("announced"), "{said}");
    hub.restart();
    moving.sync();
    hub.admin(&["key", "promote"]);
    hub.restart();
    let new = hub.fingerprint();
    assert_ne!(old, new);
    moving.register(NAME, ID_NUMBER, PHONE);
    assert_eq!(moving.sync()["docs_up"], 1);
    moving.sync();
    // A desk that missed the announcement refuses the new key, saying which and what to do.
    let refusal = absent.fails(&["sync", "--attempts", "1"]);
    assert!(
        refusal.contains(&old) && refusal.contains(&new),
        "{refusal}"
    );
    assert!(refusal.contains("enrol this desk again"), "{refusal}");
    // New enrolments pin the new key.
    let late = Desk::enroll(&hub, TOWNSHIP, "黄丽");
    assert_eq!(late.sync()["docs_down"], 1);
}

#[test]
fn two_hub_processes_on_one_database_serve_one_county() {
    let (Some(url), Some(bucket)) = (postgres_database(), s3_bucket()) else {
        return;
    };
    let first = Hub::start_with_pages(Backend::Postgres(url), Some(bucket));
    let second = first.start_beside();
    let link = Proxy::start(first.url());
    let clerk = Desk::enroll_at(&first, link.url(), TOWNSHIP, "李明", "clerk");
    let mut numbers: Vec<String> = Vec::new();
    for round in 0..4 {
        link.redirect(if round % 2 == 0 {
            first.url()
        } else {
            second.url()
        });
        let number = clerk.ok(&registration_args(NAME, ID_NUMBER, PHONE));
        if round < 2 {
            clerk.attach_scan(&number);
        }
        if let Some(earlier) = numbers.last() {
            clerk.set(earlier, "phone", &format!("1390000{round:04}"));
        }
        numbers.push(number);
        let report = clerk.sync();
        assert_eq!(report["unsettled"], 0, "{report}");
    }
    // An upload cut at one process resumes at the other: uploads live in the database.
    let number = clerk.ok(&registration_args("韦国强", "11010519491231002X", PHONE));
    let scan = clerk.root().join("big.png");
    big_scan(&scan);
    clerk.ok(&[
        "case",
        "attach",
        &number,
        "--material",
        "ID_CARD",
        &scan.display().to_string(),
    ]);
    link.redirect(first.url());
    link.cut_when_up_passes(link.bytes_up() + 400 * 1024);
    let _ = clerk.run(&["sync", "--attempts", "1"]);
    link.redirect(second.url());
    let report = clerk.sync();
    assert_eq!(report["pages_pending"], 0, "{report}");
    numbers.push(number);

    let reader = Desk::enroll(&second, TOWNSHIP, "黄丽");
    reader.sync();
    for number in &numbers {
        assert_eq!(
            reader.show_whole(number),
            clerk.show_whole(number),
            "{number}"
        );
        for (here, there) in reader.pages(number).iter().zip(clerk.pages(number)) {
            assert_eq!(
                (&here["sha256"], &here["present"]),
                (&there["sha256"], &serde_json::json!(true))
            );
        }
    }

    // A request one process took is refused by the other: nonces live in the database.
    let raw = RawDevice::enroll(&first, TOWNSHIP);
    let body = wire::encode(&ManifestRequest {
        cursor: 0,
        docs: vec![],
    });
    let path = format!("/v1/townships/{TOWNSHIP}/manifest");
    let headers = raw.sign(&path, &body);
    assert_eq!(
        raw.send_to(first.url(), &path, body.clone(), &headers)
            .status,
        200
    );
    let replay = raw.send_to(second.url(), &path, body, &headers);
    assert_eq!(replay.status, 401);
    assert!(
        replay.message().contains("replayed"),
        "{}",
        replay.message()
    );
}

#[test]
fn every_flag_also_comes_from_the_configuration_file_and_plain_http_stays_on_this_machine() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "data-dir = \"{}\"\nenrolments-per-minute = 5\n",
            folder.path().join("data").display()
        ),
    )
    .unwrap();
    let hub = |args: &[&str]| {
        std::process::Command::new(bin("tongban-hub"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let out = hub(&["township", "add", "--code", TOWNSHIP, "--name", "檀圩镇"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(folder.path().join("data/hub.db").exists());
    assert!(folder.path().join("data-keys/storage.key").exists());
    let shown = hub(&["key", "show"]);
    assert!(
        text(&shown.stdout).contains("keys in"),
        "{}",
        text(&shown.stderr)
    );
    let out = hub(&["serve", "--insecure-loopback", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("loopback address only"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        &config,
        "data-dir = \"/x\"\nlisten-adress = \"0.0.0.0:1\"\n",
    )
    .unwrap();
    let out = hub(&["key", "show"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("listen-adress"),
        "{}",
        text(&out.stderr)
    );
}
