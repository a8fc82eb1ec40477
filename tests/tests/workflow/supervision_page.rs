//! The county's supervision page in a real browser (headless Chromium through chromedriver,
//! trusting only the hub's key): refused without a county sign-in, refused to a township
//! account and to a wrong password, then the county's figures, ranking, chart and red list for
//! the officer; the export holds the same numbers; signing out ends the session.

use super::figures::workbook;
use super::register;
use tongban_e2e::window::{Window, output_dir};
use tongban_e2e::{Backend, Clock, Desk, Hub, PASSWORD, TOWNSHIP};
use tongban_sync::endpoint::{SUPERVISION_EXPORT_PATH, SUPERVISION_PATH};

/// The same pin, and a blocking client that pins it.
pub(super) fn blocking_pins(hub: &Hub) -> (String, reqwest::blocking::Client) {
    (hub.pins().0, hub.blocking_client())
}

/// The hub's key as the officer's browser pins it, and a client that pins it too.
pub(super) fn pins(hub: &Hub) -> (String, reqwest::Client) {
    let (pin, fingerprint) = hub.pins();
    let tls = tongban_trust::client_config(tongban_trust::Pins::new(fingerprint, None)).unwrap();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (pin, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_county_page_shows_the_figures_to_county_officers_only() {
    let clock = Clock::new();
    let hub = Hub::start_on(Backend::Sqlite, &clock);
    let (hub, number) = tokio::task::spawn_blocking(move || {
        let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
        let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
        hub.add_user(super::COUNTY, "周敏", "county");
        let done = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
        let open = register(&clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
        clerk.sync();
        supervisor.sync();
        supervisor.ok(&["case", "accept", &done]);
        supervisor.ok(&["case", "approve", &done]);
        supervisor.ok(&["case", "accept", &open]);
        supervisor.sync();
        // The decided case's applicant rates it from the page (its JSON for portals).
        let code = clerk.query_code(&done);
        let rated = hub.rate(&done, &code, serde_json::json!({"level": "basic"}));
        assert_eq!(rated, 200);
        (hub, open)
    })
    .await
    .unwrap();
    // Ten days on, the open case is past its five working days: red.
    clock.set_days_ahead(10);
    let (pin, client) = pins(&hub);
    let page = format!("{}{SUPERVISION_PATH}", hub.url());

    // Without a session the page sends the browser to sign in, and says nothing of cases.
    let bare = client.get(&page).send().await.unwrap();
    assert_eq!(bare.status(), 303);
    assert_eq!(bare.headers()["location"], "/county/sign-in");
    let forged = client
        .get(&page)
        .header("cookie", format!("tongban_officer={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 303);

    let browser = Window::chromium(&pin).await;
    browser.client.goto(&page).await.unwrap();
    browser.find("#sign-in").await;
    assert!(!browser.exists("#totals").await);
    let sign_in = |name: &'static str, password: &'static str| {
        let browser = &browser;
        async move {
            browser.type_into("#name", name).await;
            browser.type_into("#password", password).await;
            browser.click("#sign-in").await;
        }
    };
    // A township's supervisor is no county officer; a wrong password is refused alike.
    sign_in("张华", PASSWORD).await;
    assert!(
        browser
            .text("#sign-in-error")
            .await
            .contains("县级账户名或密码错误")
    );
    sign_in("周敏", "not-the-password").await;
    assert!(
        browser
            .text("#sign-in-error")
            .await
            .contains("县级账户名或密码错误")
    );
    browser.screenshot("county-sign-in-refused").await;

    sign_in("周敏", PASSWORD).await;
    browser.find("#totals").await;
    browser
        .client
        .goto(&format!("{page}?from={}", super::days_ahead(-1)))
        .await
        .unwrap();
    assert_eq!(browser.text("#officer").await, "周敏");
    assert_eq!(browser.text("#card-received .value").await, "2件");
    assert_eq!(browser.text("#card-overdue .value").await, "50.00%");
    // 基本满意 is a 好评; no 差评 was due.
    assert_eq!(browser.text("#card-good .value").await, "100.00%");
    assert_eq!(browser.text("#card-bad .value").await, "0.00%");
    assert_eq!(browser.text("#card-rectified .value").await, "—");
    let ranking = browser.text("#township-ranking tbody").await;
    assert!(ranking.contains("檀圩镇"), "{ranking}");
    assert!(browser.exists("#overdue-chart rect").await);
    let red = browser.text("#red-cases tbody").await;
    assert!(red.contains(&number), "{red}");
    assert!(red.contains("檀圩镇"), "{red}");
    browser.screenshot("county-supervision").await;
    assert!(output_dir().join("county-supervision.png").exists());

    // The export, with the officer's session, holds the page's numbers.
    let cookie = browser
        .client
        .get_named_cookie("tongban_officer")
        .await
        .unwrap();
    let session = format!("tongban_officer={}", cookie.value());
    let export = client
        .get(format!(
            "{}{SUPERVISION_EXPORT_PATH}?from={}",
            hub.url(),
            super::days_ahead(-1)
        ))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let policy = export.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let bytes = export.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.xlsx");
    std::fs::write(&file, &bytes).unwrap();
    let book = workbook(file.to_str().unwrap());
    assert_eq!(book["total"][0], 2);
    assert_eq!(book["groups"][0][0], TOWNSHIP);

    // Signing out ends the session at the hub, not only in the browser.
    browser.click("#sign-out").await;
    browser.find("#sign-in").await;
    let after = client
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303);
    browser.close().await;

    // Outside a browser: a sign-in posted from another site is refused, as is a huge form.
    let sign_in = format!("{}/county/sign-in", hub.url());
    // application/x-www-form-urlencoded, every byte but letters and digits escaped.
    let encode = |pairs: &[(&str, &str)]| -> String {
        let escape = |text: &str| -> String {
            text.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let fields: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect();
        fields.join("&")
    };
    let form = encode(&[("name", "周敏"), ("password", PASSWORD), ("code", "")]);
    let post = |body: String| {
        client
            .post(&sign_in)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let cross = post(form.clone())
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let huge = post(encode(&[
        ("name", "周敏"),
        ("password", &"x".repeat(20_000)),
    ]))
    .send()
    .await
    .unwrap();
    assert_eq!(huge.status(), 413);
    // A session ends when the county resets the officer's password (a new key).
    let signed = post(form).send().await.unwrap();
    assert_eq!(signed.status(), 303, "{:?}", signed.text().await);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_string();
    let session = cookie.split(';').next().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && cookie.contains("SameSite=Strict")
    );
    let shown = client
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    let hub = tokio::task::spawn_blocking(move || {
        let reset = hub
            .admin_command(&[
                "user",
                "reset-password",
                "--township",
                super::COUNTY,
                "--user",
                "周敏",
            ])
            .env("TONGBAN_PASSWORD", "county-reset-2026x")
            .output()
            .unwrap();
        assert!(
            reset.status.success(),
            "{}",
            tongban_e2e::text(&reset.stderr)
        );
        hub
    })
    .await
    .unwrap();
    let ended = client
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 303);

    // An officer with a second factor: no code, no entry; a code is good once.
    let (hub, secret) = tokio::task::spawn_blocking(move || {
        let secret = hub.add_user_with_totp(super::COUNTY, "陈刚", "county");
        (hub, secret)
    })
    .await
    .unwrap();
    // The hub's clock is ten days on.
    let hub_now = time::OffsetDateTime::now_utc().unix_timestamp() as u64 + 10 * 86_400;
    let code = tongban_sync::totp::code_at(&secret, hub_now).unwrap();
    let without = post(encode(&[("name", "陈刚"), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let with_code = encode(&[("name", "陈刚"), ("password", PASSWORD), ("code", &code)]);
    let first = post(with_code.clone()).send().await.unwrap();
    assert_eq!(first.status(), 303);
    let replayed = post(with_code).send().await.unwrap();
    assert_eq!(replayed.status(), 401, "a one-time code was taken twice");
    drop(hub);
}
