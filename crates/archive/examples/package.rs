//! Archival packages, measured: building the package of a finished case with six scanned A4
//! pages (300 dpi JPEGs as a scanner writes them) and its receipt as PDF/A, beside writing the
//! same files plainly; and the fixity check (SHA-256 and SM3 of every file, both manifests and
//! tag manifests) in MB/s beside `sha256sum` over the same files, in the same run.
//!
//! Run: `cargo run --release -p tongban-archive --example package`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use ed25519_dalek::SigningKey;
use std::path::Path;
use std::time::Instant;
use tongban_archive::{Contents, PackageFile, Stage, Trust, build, check_fixity, check_package};
use tongban_audit::{Checkpoint, Extract, MerkleLog, next_event};
use tongban_domain::archival::ArchivalCode;
use tongban_domain::{Case, CaseNumber, CaseStatus, Catalogue, Desk, EventKind, Registration};

const RUNS: usize = 5;

fn case() -> Case {
    let township = tongban_domain::TownshipCode::parse("450721101").unwrap();
    let today = time::macros::date!(2026 - 11 - 20);
    let mut case = Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        received: vec!["ID_CARD".into()],
        ..Default::default()
    }
    .into_case(
        Catalogue::builtin(),
        CaseNumber::new(&township, today, 1, 7).unwrap(),
        &Desk {
            township: &township,
            clerk: "李明",
            device: "d1",
            now_ms: 1_795_000_000_000,
            today,
        },
    )
    .unwrap();
    case.events[0].id = "e1".into();
    let mut done = case.events[0].clone();
    done.id = "e2".into();
    done.kind = EventKind::Withdrawn;
    done.from = Some(CaseStatus::Registered);
    done.to = Some(CaseStatus::Withdrawn);
    case.events.push(done);
    case.status = CaseStatus::Withdrawn;
    case
}

/// A 300 dpi A4 page: paper with print-like noise, as JPEG at quality 85.
fn scan(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let page = image::GrayImage::from_fn(2480, 3508, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let ink = (y / 40 % 3 == 0 && x % 37 < 30) as u8 * 150;
        image::Luma([235u8.saturating_sub(ink).saturating_sub((state % 24) as u8)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&page)
        .unwrap();
    out
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                dir_bytes(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

fn main() {
    let case = case();
    let key = SigningKey::from_bytes(&[42; 32]);
    let mut log = MerkleLog::new();
    let mut event = next_event(None, "d1", 1);
    event.object = case.number.as_str().to_string();
    let signed = event.sign(&SigningKey::from_bytes(&[1; 32]));
    log.push(signed.hash());
    let checkpoint = Checkpoint {
        township: "450721101".into(),
        size: 1,
        root: hex::encode(log.root()),
        at_ms: 2,
    }
    .sign(&key);
    let extract = Extract::build(&log, checkpoint, &[(0, signed)]).unwrap();
    let scans: Vec<Vec<u8>> = (1..=6).map(scan).collect();
    let receipt = tongban_print::receipt(&tongban_print::Receipt {
        case: &case,
        township: "檀圩镇",
        printed: time::macros::date!(2026 - 11 - 20),
        query: None,
        query_url: None,
        reprint: false,
    })
    .unwrap();
    let files = |receipt: Vec<u8>| {
        let mut files = vec![PackageFile {
            path: "documents/intake.pdf".into(),
            format: "PDF/A-2b".into(),
            bytes: receipt,
        }];
        files.extend(scans.iter().enumerate().map(|(i, bytes)| PackageFile {
            path: format!("scans/page-{}.jpg", i + 1),
            format: "JPEG".into(),
            bytes: bytes.clone(),
        }));
        files.push(PackageFile {
            path: "case.json".into(),
            format: "JSON".into(),
            bytes: serde_json::to_vec_pretty(&case).unwrap(),
        });
        files
    };
    let work = tempfile::tempdir().unwrap();
    let code = ArchivalCode::parse("Z450721-2026-D30-RS-0001").unwrap();

    let (mut plain_runs, mut build_runs, mut pdfa_runs) = (Vec::new(), Vec::new(), Vec::new());
    let mut package = work.path().to_path_buf();
    for run in 0..RUNS {
        // Baseline: the same files written as they are, no digests, record or bag.
        let t = Instant::now();
        let plain = work.path().join(format!("plain-{run}"));
        for file in files(Vec::new()) {
            let path = plain.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &file.bytes).unwrap();
        }
        plain_runs.push(ms(t));

        let t = Instant::now();
        let pdf = receipt
            .pdf_a(time::macros::datetime!(2026-11-20 09:00 +8))
            .unwrap();
        pdfa_runs.push(ms(t));
        package = work.path().join(format!("package-{run}"));
        let t = Instant::now();
        build(
            &package,
            Contents {
                case: &case,
                code: &code,
                organ: "灵山县人力资源和社会保障局",
                township_name: "檀圩镇",
                legal_basis: &[],
                roles: &[],
                files: files(pdf),
                created: "2026-12-07T10:00:00+08:00",
                bagging_date: "2026-12-07",
                extract: &extract,
                signer: "tongban-hub",
                key: &key,
            },
        )
        .unwrap();
        build_runs.push(ms(t));
    }
    let size = dir_bytes(&package);
    let mb = dir_bytes(&package.join("data")) as f64 / 1_048_576.0;

    let (mut fixity_runs, mut sha_runs, mut check_runs) = (Vec::new(), Vec::new(), Vec::new());
    let payload: Vec<std::path::PathBuf> = std::fs::read_dir(package.join("data/scans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain(
            [
                "documents/intake.pdf",
                "case.json",
                "metadata.xml",
                "audit.json",
            ]
            .map(|f| package.join("data").join(f)),
        )
        .collect();
    let trust = Trust {
        signers: vec![key.verifying_key()],
        hub: Some(key.verifying_key()),
        year: 2026,
        ..Trust::default()
    };
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = std::process::Command::new("sha256sum")
            .args(&payload)
            .output()
            .unwrap();
        assert!(out.status.success());
        sha_runs.push(ms(t));
        let t = Instant::now();
        let findings = check_fixity(&package);
        fixity_runs.push(ms(t));
        assert!(
            findings
                .iter()
                .all(|f| f.outcome == tongban_archive::Outcome::Pass)
        );
        let t = Instant::now();
        let rows = check_package(&package, Stage::Bc, &trust);
        check_runs.push(ms(t));
        assert!(
            rows.iter()
                .all(|r| r.outcome != tongban_archive::Outcome::Fail)
        );
    }
    let (plain, build_ms, pdfa) = (median(plain_runs), median(build_runs), median(pdfa_runs));
    let (sha, fixity, check) = (median(sha_runs), median(fixity_runs), median(check_runs));
    let rate = |ms: f64| mb / (ms / 1000.0);
    println!(
        "| archival package, six 300 dpi A4 scans ({mb:.1} MB of payload), median of {RUNS} | ms | MB/s |"
    );
    println!("|---|---|---|");
    println!(
        "| the same files written plainly (baseline) | {plain:.1} | {:.0} |",
        rate(plain)
    );
    println!("| receipt rendered as PDF/A-2b (krilla) | {pdfa:.1} | |");
    println!(
        "| package built (digests, signed record, bag; {size} bytes on disk) | {build_ms:.1} | {:.0} |",
        rate(build_ms)
    );
    println!(
        "| sha256sum over the payload (baseline) | {sha:.1} | {:.0} |",
        rate(sha)
    );
    println!(
        "| fixity check: SHA-256 and SM3 of every file and tag file | {fixity:.1} | {:.0} |",
        rate(fixity)
    );
    println!(
        "| whole BC check (fixity, record, signatures, proofs, JPEG and PDF opened) | {check:.1} | {:.0} |",
        rate(check)
    );
    println!(
        "row\tarchival package build, six A4 scans (ms)\tthe same files written plainly\t{plain:.1}\t{build_ms:.1}\t{:.1}\t",
        build_ms / plain
    );
    println!(
        "row\tfixity check, SHA-256 + SM3 (MB/s)\tsha256sum, SHA-256 only\t{:.0}\t{:.0}\t{:.2}\t",
        rate(sha),
        rate(fixity),
        rate(fixity) / rate(sha)
    );
}
