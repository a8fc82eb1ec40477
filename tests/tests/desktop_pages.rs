//! Scans and printing in the real window: a scanner drops files into the desk's inbox folder,
//! the clerk attaches the good one (the fake PDF is refused with its reason), sees the
//! thumbnail, and prints the receipt and the decision.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use image::{Rgb, RgbImage};
use std::process::Command;
use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, PASSWORD, TOWNSHIP, text};

fn scan() -> Vec<u8> {
    let page = RgbImage::from_fn(1240, 1754, |x, y| {
        let ink = (x / 40 + y / 60) % 7 == 0;
        if ink {
            Rgb([30, 30, 60])
        } else {
            Rgb([250, 250, 245])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&page)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_files_a_scan_from_the_inbox_and_prints_receipt_and_decision() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = clerk.ok(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--phone",
        "13812345678",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
    ]);
    clerk.sync();
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    supervisor.ok(&[
        "case",
        "approve",
        &number,
        "--reason",
        "材料齐全，符合参保条件",
    ]);
    supervisor.sync();
    // A 临时救助 application whose proof of hardship the applicant commits to instead.
    let hardship = clerk.ok(&[
        "case",
        "register",
        "--item",
        "JZ01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--received",
        "ID_CARD,APPLICATION",
    ]);
    clerk.sync();

    let w = Window::launch_with(&clerk.path(), &[("TONGBAN_NO_VIEWER", "1")]).await;
    w.sign_in("李明", PASSWORD).await;
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{number} td")).await;
    w.wait_text("#no-waiting", |t| t.contains("scanner-inbox"))
        .await;

    // A network scanner writes into the inbox folder.
    let inbox = clerk.path().join("scanner-inbox");
    std::fs::write(inbox.join("page-1.jpg"), scan()).unwrap();
    std::fs::write(inbox.join("bad.pdf"), b"<html>not a pdf</html>").unwrap();
    w.find(".waiting-file[data-name='page-1.jpg']").await;
    w.find(".waiting-file[data-name='bad.pdf']").await;
    w.click("#attach-pages").await;
    let refusal = w.wait_text("#scan-error", |t| !t.is_empty()).await;
    assert!(
        refusal.contains("bad.pdf") && refusal.contains("不是有效的PDF"),
        "{refusal}"
    );
    assert!(
        !w.exists(".page-thumb").await,
        "a refused batch attached a page"
    );

    w.click(".waiting-file[data-name='bad.pdf']").await;
    w.click("#attach-pages").await;
    w.find(".page-thumb[data-material='ID_CARD'] img").await;
    w.wait_text("#timeline", |t| t.contains("附加扫描件")).await;
    assert!(
        !inbox.join("page-1.jpg").exists() && !inbox.join("attached").exists(),
        "no plain copy of the imported scan stays outside the encrypted database"
    );
    w.screenshot("13-pages").await;

    w.click("#print-receipt").await;
    let shown = w
        .wait_text("#print-result", |t| t.ends_with("intake.pdf"))
        .await;
    let receipt = clerk
        .path()
        .join("prints")
        .join(format!("{number}-intake.pdf"));
    assert!(shown.contains(&receipt.display().to_string()), "{shown}");
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&receipt),
        0o600,
        "a printed document is its user's alone"
    );
    assert_eq!(mode(receipt.parent().unwrap()), 0o700);
    for own in ["profile.json", "cases.db"] {
        assert_eq!(mode(&clerk.path().join(own)), 0o600, "{own}");
    }
    assert_eq!(mode(&clerk.path()), 0o700);
    let pdf_text = |path: &std::path::Path| {
        text(
            &Command::new("pdftotext")
                .arg(path)
                .arg("-")
                .output()
                .unwrap()
                .stdout,
        )
    };
    let receipt_text = pdf_text(&receipt);
    assert!(receipt_text.contains(&number), "{receipt_text}");
    assert!(
        receipt_text.contains("居民身份证（扫描1份）"),
        "{receipt_text}"
    );
    assert!(
        receipt_text.contains("450721********2311"),
        "{receipt_text}"
    );

    w.click("#print-decision").await;
    w.wait_text("#print-result", |t| t.ends_with("decision.pdf"))
        .await;
    let decision_text = pdf_text(
        &clerk
            .path()
            .join("prints")
            .join(format!("{number}-decision.pdf")),
    );
    assert!(decision_text.contains("办理结果告知书"), "{decision_text}");
    assert!(decision_text.contains("张华"), "{decision_text}");
    w.screenshot("14-printed").await;

    // 告知承诺 at the window: the signed commitment scanned onto its paper, then taken in place
    // of the proof, which shows as committed.
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{hardship} td")).await;
    assert!(
        !w.exists("#act-commit").await,
        "no commitment before its signed letter"
    );
    std::fs::write(inbox.join("commitment.jpg"), scan()).unwrap();
    w.find(".waiting-file[data-name='commitment.jpg']").await;
    // The refused file still waits in the inbox, ticked again on another case: left out.
    w.click(".waiting-file[data-name='bad.pdf']").await;
    w.click("#attach-material option[value='commitment']").await;
    w.click("#attach-pages").await;
    w.click("#act-commit").await;
    w.wait_text("#timeline", |t| t.contains("告知承诺")).await;
    let materials = w.text("#materials").await;
    assert!(materials.contains("承诺"), "{materials}");
    w.screenshot("27-commitment").await;

    // The page reaches the hub with the window's background sync.
    let mut seen = false;
    for _ in 0..30 {
        let pages = supervisor.sync();
        if pages["pages_down"] == 1 {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(
        seen,
        "the window's page never reached the supervisor's desk"
    );
    w.close().await;

    // Scans, prints, databases and the window's log of both desks: no seeded personal data
    // in plain bytes (printed documents render the name as glyphs of a subset font).
    let read = tongban_e2e::canary::assert_absent(
        &[clerk.root(), supervisor.root()],
        &["覃秀梅", "450721198806152311", "13812345678"],
    );
    assert!(read > 5, "only {read} files scanned");
}
