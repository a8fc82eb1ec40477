//! Scanned pages end to end: hostile files refused with bounded memory, a receipt printed, and
//! 20 MB of pages crossing a link that is cut mid-transfer (connections dropped, the desk
//! killed, the hub restarted), arriving byte-identical on a second desk.

use image::{Rgb, RgbImage};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tongban_e2e::device::RawDevice;
use tongban_e2e::proxy::Proxy;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, s3_bucket, text};
use tongban_sync::wire::{self, PageFetch, PageFetchResponse};

const CHUNK: u64 = 256 * 1024;
/// The pages must come to at least this much once stored.
const SET_BYTES: u64 = 20 * 1024 * 1024;

/// A noisy A4 page at 300 dpi: JPEG cannot shrink noise, so a few pages make 20 MB.
fn noisy_page(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let page = RgbImage::from_fn(2480, 3508, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state & 0x3f) as u8;
        Rgb([
            n,
            n.wrapping_add((x % 97) as u8),
            n.wrapping_add((y % 89) as u8),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&page)
        .expect("encode page");
    out
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs `tongban` under GNU time; returns (success, stderr, peak resident set in KiB).
fn measured(desk: &Desk, args: &[&str]) -> (bool, String, u64) {
    let tongban = desk.command(desk.user(), args);
    let mut command = Command::new("/usr/bin/time");
    command
        .arg("-f")
        .arg("peak-kib=%M")
        .arg(tongban.get_program());
    command.args(tongban.get_args());
    for (key, value) in tongban.get_envs() {
        match value {
            Some(v) => command.env(key, v),
            None => command.env_remove(key),
        };
    }
    let output = command
        .output()
        .expect("run under /usr/bin/time (apt: time)");
    let stderr = text(&output.stderr);
    let peak = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("peak-kib="))
        .next_back()
        .and_then(|v| v.trim().parse().ok())
        .expect("peak memory reported");
    (output.status.success(), stderr, peak)
}

fn exported(desk: &Desk, number: &str) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().expect("export dir");
    desk.ok(&[
        "case",
        "pages",
        number,
        "--export",
        dir.path().to_str().expect("utf-8"),
    ]);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .expect("read export")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read page"))
        })
        .collect();
    files.sort();
    files
}

fn write_inputs(dir: &Path) -> Vec<PathBuf> {
    (0..6)
        .map(|i| {
            let path = dir.join(format!("scan-{i}.jpg"));
            std::fs::write(&path, noisy_page(i + 1)).expect("write scan");
            path
        })
        .collect()
}

#[test]
fn hostile_files_are_refused_each_with_its_own_message_in_bounded_memory() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = desk.register("王秀英", "11010519491231002X", "13812345678");
    let dir = tempfile::tempdir().expect("inputs");

    // A real JPEG whose frame header claims 60000 × 60000 pixels.
    let mut bomb = noisy_page(9);
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("frame header");
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    std::fs::write(dir.path().join("bomb.jpg"), &bomb).expect("write");
    let huge = std::fs::File::create(dir.path().join("huge.jpg")).expect("create");
    huge.set_len(1 << 30).expect("sparse 1 GB file");
    let whole = noisy_page(10);
    std::fs::write(dir.path().join("cut.jpg"), &whole[..whole.len() / 2]).expect("write");
    std::fs::write(dir.path().join("fake.pdf"), b"<html>not a pdf</html>").expect("write");

    for (file, expected) in [
        ("bomb.jpg", "60000×60000"),
        ("huge.jpg", "1073741824 bytes"),
        ("cut.jpg", "is cut off"),
        ("fake.pdf", "is not a PDF"),
    ] {
        let path = dir.path().join(file);
        let (ok, stderr, peak_kib) = measured(
            &desk,
            &[
                "case",
                "attach",
                &number,
                "--material",
                "ID_CARD",
                path.to_str().expect("utf-8"),
            ],
        );
        assert!(!ok, "{file} was accepted");
        assert!(stderr.contains(expected), "{file}: {stderr}");
        assert!(
            stderr.contains(file),
            "{file}: message names the file: {stderr}"
        );
        assert!(
            peak_kib < 200 * 1024,
            "{file}: refusing it took {peak_kib} KiB of memory"
        );
    }
    let pages = desk.ok(&["case", "pages", &number, "--json"]);
    assert_eq!(pages, "[]", "a refused file left pages behind");
}

#[test]
fn twenty_megabytes_of_pages_cross_a_cut_link_and_arrive_intact() {
    let mut hub = Hub::start(Backend::Sqlite);
    let pages = hub.data_dir().join("pages");
    cut_link_scenario(&mut hub);
    assert!(
        pages.is_dir(),
        "pages are kept on the hub's disk by default"
    );
}

#[test]
fn the_same_transfer_lands_in_an_s3_compatible_store() {
    let Some(bucket) = s3_bucket() else { return };
    let mut hub = Hub::start_with_pages(Backend::Sqlite, Some(bucket.clone()));
    let disk = hub.data_dir().join("pages");
    cut_link_scenario(&mut hub);
    assert!(
        !disk.exists(),
        "with a bucket configured nothing goes to the hub's disk"
    );
    // The bucket lists the six pages under the township.
    let listing = reqwest::blocking::get(format!(
        "{}/{}?list-type=2&prefix={TOWNSHIP}/",
        bucket.endpoint, bucket.bucket
    ))
    .and_then(|r| r.text())
    .expect("list the bucket");
    assert_eq!(listing.matches("<Key>").count(), 6, "{listing}");
}

/// 20 MB of pages from one desk to another through a link that is cut mid-transfer.
fn cut_link_scenario(hub: &mut Hub) {
    let link = Proxy::start(hub.url());
    let scanner = Desk::enroll_at(hub, link.url(), TOWNSHIP, "李明", "clerk");
    let reader = Desk::enroll_at(hub, link.url(), TOWNSHIP, "黄丽", "clerk");
    let number = scanner.register("王秀英", "11010519491231002X", "13812345678");
    let inputs = tempfile::tempdir().expect("inputs");
    let files = write_inputs(inputs.path());
    let mut args = vec!["case", "attach", number.as_str(), "--material", "ID_CARD"];
    args.extend(files.iter().map(|f| f.to_str().expect("utf-8")));
    scanner.ok(&args);
    let stored = exported(&scanner, &number);
    let total: u64 = stored.iter().map(|(_, b)| b.len() as u64).sum();
    assert!(total >= SET_BYTES, "only {total} bytes of pages");
    println!("{} pages, {total} bytes stored", stored.len());

    // The receipt carries the case and its scans, and stays small.
    let receipt = inputs.path().join("receipt.pdf");
    scanner.ok(&[
        "case",
        "print",
        &number,
        "--doc",
        "intake",
        "--out",
        receipt.to_str().expect("utf-8"),
    ]);
    let pdf = std::fs::read(&receipt).expect("receipt written");
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() < 200 * 1024,
        "{} bytes",
        pdf.len()
    );
    let receipt_text = text(
        &Command::new("pdftotext")
            .arg(&receipt)
            .arg("-")
            .output()
            .expect("pdftotext (apt: poppler-utils)")
            .stdout,
    );
    assert!(receipt_text.contains(&number), "{receipt_text}");
    assert!(
        receipt_text.contains("居民身份证（扫描6份）"),
        "{receipt_text}"
    );

    // Upload: the link drops once at 6 MB (the desk retries in the same run), then the desk
    // is killed outright at 13 MB; the next run resumes.
    let start_up = link.bytes_up();
    link.cut_when_up_passes(start_up + 6 * 1024 * 1024);
    let mut sync = scanner
        .command(scanner.user(), &["sync", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start sync");
    let deadline = Instant::now() + Duration::from_secs(300);
    while link.bytes_up() < start_up + 13 * 1024 * 1024 {
        assert!(
            Instant::now() < deadline,
            "upload stalled at {} bytes",
            link.bytes_up()
        );
        assert!(
            sync.try_wait().expect("poll").is_none(),
            "sync ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    sync.kill().expect("kill the desk mid-upload");
    let _ = sync.wait();
    assert_eq!(link.cuts(), 1, "the link was cut once before the kill");
    let resumed = scanner.sync();
    let sent_up = link.bytes_up() - start_up;
    // Pages finished before the kill are not sent again.
    let up = resumed["pages_up"].as_u64().expect("pages");
    assert!((1..6).contains(&up), "{resumed}");
    assert_eq!(resumed["pages_pending"], 0, "{resumed}");
    // The chunk in flight is sent again, unless the kill landed after the hub had stored it.
    let resent = resumed["page_bytes_resent"].as_u64().expect("resent");
    assert!(resent <= 2 * CHUNK, "re-sent after the kill: {resent}");
    assert!(
        resumed["page_bytes_up"].as_u64().expect("bytes") < total - 12 * 1024 * 1024,
        "the resumed run sent again what had arrived: {resumed}"
    );
    // Everything sent across both runs: the pages, one or two lost chunks, and requests.
    assert!(
        sent_up < total + 4 * CHUNK + 512 * 1024,
        "{sent_up} bytes went up for {total} bytes of pages"
    );
    let settled = scanner.sync();
    assert_eq!(settled["pages_up"], 0, "{settled}");
    println!(
        "upload: {total} bytes of pages, {sent_up} bytes on the wire, {resent} re-sent after the kill"
    );

    // Download: the link drops at 5 MB, and the hub is killed and restarted at 12 MB.
    let start_down = link.bytes_down();
    link.cut_when_down_passes(start_down + 5 * 1024 * 1024);
    let mut fetch = reader
        .command(reader.user(), &["sync", "--json", "--attempts", "8"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start sync");
    let deadline = Instant::now() + Duration::from_secs(300);
    while link.bytes_down() < start_down + 12 * 1024 * 1024 {
        assert!(Instant::now() < deadline, "download stalled");
        assert!(
            fetch.try_wait().expect("poll").is_none(),
            "sync ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    hub.restart();
    let output = fetch.wait_with_output().expect("sync finishes");
    assert!(
        output.status.success(),
        "sync across the hub restart failed: {}",
        text(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("report");
    assert_eq!(link.cuts(), 2, "the link was cut during the download too");
    assert_eq!(report["pages_down"], 6, "{report}");
    let resent = report["page_bytes_resent"].as_u64().expect("resent");
    assert!(
        resent > 0 && resent <= 4 * CHUNK,
        "re-fetched after the cuts: {resent}"
    );
    let received = link.bytes_down() - start_down;
    assert!(
        received < total + 4 * CHUNK + 512 * 1024,
        "{received} bytes came down"
    );
    println!("download: {received} bytes on the wire, {resent} re-fetched after the cuts");

    let copies = exported(&reader, &number);
    assert_eq!(copies.len(), stored.len());
    for ((name_a, a), (name_b, b)) in stored.iter().zip(&copies) {
        assert_eq!(name_a, name_b);
        assert!(a == b, "{name_a} differs after the transfer");
        assert!(
            name_a.contains(&sha256(a)[..12]),
            "{name_a} named after its digest"
        );
    }
    // A second sync has nothing left to move.
    let again = reader.sync();
    assert_eq!(again["pages_down"], 0, "{again}");
    assert_eq!(again["pages_pending"], 0, "{again}");

    // The same scan filed on a third desk for another case is not sent: the hub has it.
    let third = Desk::enroll(hub, TOWNSHIP, "韦丽");
    let own = third.register("韦国强", "11010519491231002X", "13912345678");
    third.ok(&[
        "case",
        "attach",
        &own,
        "--material",
        "ID_CARD",
        files[0].to_str().expect("utf-8"),
    ]);
    let deduplicated = third.sync();
    assert_eq!(deduplicated["pages_up"], 1, "{deduplicated}");
    assert_eq!(deduplicated["page_bytes_up"], 0, "{deduplicated}");

    // Chunks past a page's end and pages the hub lacks are refused as such.
    let raw = RawDevice::enroll(hub, TOWNSHIP);
    let (name, bytes) = &stored[0];
    let sha = sha256(bytes);
    assert!(name.contains(&sha[..12]));
    let fetch = |sha256: &str, index: u32| {
        raw.post(
            TOWNSHIP,
            "pages/get",
            wire::encode(&PageFetch {
                sha256: sha256.to_string(),
                index,
            }),
        )
    };
    let past = fetch(&sha, 999);
    assert_eq!(past.status, 400, "{}", past.message());
    assert!(
        past.message().contains("has no chunk 999"),
        "{}",
        past.message()
    );
    let absent = fetch(&"ab".repeat(32), 0);
    assert_eq!(absent.status, 404, "{}", absent.message());
    let first: PageFetchResponse = fetch(&sha, 0).decode();
    assert_eq!(first.size, bytes.len() as u64);
    assert_eq!(first.data, bytes[..CHUNK as usize]);
}
