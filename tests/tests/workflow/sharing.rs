//! Sharing a case with departments and the citizen's view of it: a department's system, a real
//! process speaking the exchange protocol, gets what the sharing catalogue allows and nothing
//! else, every request is an entry in the township's log that `audit verify` covers, and the
//! applicant, with the receipt's number and query code, sees the case's progress and every use
//! on the hub's page in a real browser; wrong codes show nothing and are throttled.

use super::supervision_page::pins;
use std::process::Command;
use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, OTHER_TOWNSHIP, TOWNSHIP, bin};
use tongban_sync::endpoint::{QUERY_API_PATH, QUERY_PATH, QUERY_PROOF_PATH};

/// Numbers and codes are letters, digits and dashes: a form body needs no escaping.
const FORM: &str = "application/x-www-form-urlencoded";
const ID: &str = "450721198806152311";
const PHONE: &str = "13877150123";

/// A department system's key file and its registration at the hub.
struct Department {
    code: &'static str,
    key_file: std::path::PathBuf,
}

fn department(hub: &Hub, dir: &std::path::Path, code: &'static str, kind: &str) -> Department {
    let key_file = dir.join(format!("{code}.key"));
    let out = Command::new(bin("department"))
        .args(["keygen", "--key-file"])
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let public = String::from_utf8(out.stdout).unwrap();
    let name = match kind {
        "RS" => "灵山县人力资源和社会保障局",
        _ => "灵山县民政局",
    };
    hub.admin(&[
        "department",
        "add",
        "--code",
        code,
        "--name",
        name,
        "--kind",
        kind,
        "--key",
        public.trim(),
    ]);
    Department { code, key_file }
}

/// The hub's key lines as `key show` prints them: the pin and the audit key.
fn hub_keys(hub: &Hub) -> (String, String) {
    let shown = hub.admin(&["key", "show"]);
    let audit = shown
        .lines()
        .find_map(|l| l.strip_prefix("audit "))
        .unwrap()
        .to_string();
    (hub.fingerprint(), audit)
}

/// Runs the department's system; its JSON report, or the failure's message.
fn ask(hub: &Hub, d: &Department, case: &str, extra: &[&str]) -> Result<serde_json::Value, String> {
    let (pin, audit) = hub_keys(hub);
    let out = Command::new(bin("department"))
        .args([
            "request",
            "--hub",
            hub.url(),
            "--pin",
            &pin,
            "--audit-key",
            &audit,
        ])
        .args(["--code", d.code, "--key-file"])
        .arg(&d.key_file)
        .args(["--case", case])
        .args(extra)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Sends one signed request twice, as a relay that kept it would: the hub answers the first
/// and refuses the second for its spent nonce.
fn replayed(hub: &Hub, d: &Department, case: &str) {
    use tongban_sync::endpoint::{Endpoint, Exchange};
    let secret: [u8; 32] = hex::decode(std::fs::read_to_string(&d.key_file).unwrap().trim())
        .unwrap()
        .try_into()
        .unwrap();
    let key = tongban_sync::ed25519_dalek::SigningKey::from_bytes(&secret);
    let body = tongban_sync::wire::encode(&tongban_sync::wire::ExchangeRequest {
        case: case.into(),
        person: "黄丽".into(),
        purpose: "城乡居民养老保险待遇核定".into(),
        legal_basis: "《社会保险法》第二十条".into(),
        consent: String::new(),
        scope: vec!["field:status".into()],
    });
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signed = tongban_sync::auth::sign_request(
        &key,
        d.code,
        "POST",
        Exchange::PATH,
        now,
        &"ab".repeat(16),
        &body,
    );
    let (_, client) = super::supervision_page::blocking_pins(hub);
    let send = || {
        client
            .post(format!("{}{}", hub.url(), Exchange::PATH))
            .header("content-type", tongban_sync::wire::CONTENT_TYPE)
            .header(tongban_sync::auth::HEADER_DEVICE, &signed.device)
            .header(
                tongban_sync::auth::HEADER_TIMESTAMP,
                signed.timestamp.to_string(),
            )
            .header(tongban_sync::auth::HEADER_NONCE, &signed.nonce)
            .header(tongban_sync::auth::HEADER_SIGNATURE, &signed.signature)
            .header(tongban_sync::auth::HEADER_BODY_HASH, &signed.body_sha256)
            .body(body.clone())
            .send()
            .unwrap()
    };
    assert_eq!(send().status(), 200);
    let again = send();
    assert_eq!(again.status(), 401);
    assert!(again.text().unwrap().contains("重复的请求"));
}

/// A released file asked for by `d` as the department's client does it, outside the binary.
fn fetch(
    hub: &Hub,
    d: &Department,
    case: &str,
    position: u64,
    file: &str,
) -> Result<Vec<u8>, tongban_client::HubError> {
    let secret: [u8; 32] = hex::decode(std::fs::read_to_string(&d.key_file).unwrap().trim())
        .unwrap()
        .try_into()
        .unwrap();
    let pin = tongban_trust::Fingerprint::parse(&hub.fingerprint()).unwrap();
    let client = tongban_client::HubClient::new(
        hub.url(),
        "",
        d.code,
        tongban_sync::ed25519_dalek::SigningKey::from_bytes(&secret),
        tongban_client::HubKey {
            pins: tongban_trust::Pins::new(pin, None),
            certificate: Vec::new(),
        },
    )
    .unwrap();
    let file = tongban_sync::wire::ReleasedFile {
        name: file.into(),
        sha256: String::new(),
        size: 1 << 20,
    };
    tongban_client::exchange::fetch_file(&client, case, position, &file)
}

fn assert_not_found(fetched: Result<Vec<u8>, tongban_client::HubError>) {
    match fetched {
        Err(tongban_client::HubError::Refused { status, .. }) => assert_eq!(status, 404),
        other => panic!("expected a refusal, got {:?}", other.map(|b| b.len())),
    }
}

const PURPOSE: [&str; 6] = [
    "--person",
    "黄丽",
    "--purpose",
    "城乡居民养老保险待遇核定",
    "--basis",
    "《社会保险法》第二十条",
];

#[tokio::test(flavor = "multi_thread")]
async fn departments_get_what_the_catalogue_allows_and_the_citizen_sees_every_use() {
    let hub = Hub::start(Backend::Sqlite);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().to_path_buf();
    let (hub, clerk, supervisor, number, query_url, rs, mz) =
        tokio::task::spawn_blocking(move || {
            let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
            let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
            let number = clerk.ok(&[
                "case",
                "register",
                "--item",
                "YL01",
                "--name",
                "覃秀梅",
                "--id-number",
                ID,
                "--phone",
                PHONE,
                "--received",
                "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
            ]);
            let scan = clerk.path().join("id.jpg");
            image::RgbImage::from_fn(120, 160, |x, y| image::Rgb([x as u8, y as u8, 90]))
                .save(&scan)
                .unwrap();
            for material in ["ID_CARD", "HOUSEHOLD_REGISTER"] {
                let scan = scan.to_str().unwrap();
                clerk.ok(&["case", "attach", &number, "--material", material, scan]);
            }
            let shown: serde_json::Value =
                serde_json::from_str(&clerk.ok(&["case", "show", &number, "--json"])).unwrap();
            let query_url = shown["query_url"].as_str().unwrap().to_string();
            clerk.ok(&["sync"]);
            supervisor.ok(&["sync"]);
            for step in ["accept", "approve", "complete"] {
                supervisor.ok(&["case", step, &number]);
            }
            supervisor.ok(&["sync"]);
            hub.admin(&["archive", "run"]);
            let rs = department(&hub, &dir, "RS01", "RS");
            let mz = department(&hub, &dir, "MZ01", "MZ");
            (hub, clerk, supervisor, number, query_url, rs, mz)
        })
        .await
        .unwrap();
    // The receipt's QR code carries the hub's page for this case and its code.
    let prefix = format!("{}{QUERY_PATH}?case={number}&code=", hub.url());
    assert!(query_url.starts_with(&prefix), "{query_url}");
    let code = query_url[prefix.len()..].to_string();

    // 无条件: the package and the ID card's scan go to 人社 whole, checked against the entry.
    let out = work.path().join("released");
    std::fs::create_dir(&out).unwrap();
    let mut with_out = PURPOSE.to_vec();
    with_out.extend([
        "--scope",
        "package",
        "--scope",
        "material:ID_CARD",
        "--scope",
        "field:status",
    ]);
    with_out.extend(["--out", out.to_str().unwrap()]);
    let given = ask(&hub, &rs, &number, &with_out).unwrap();
    let given_package = given.clone();
    assert_eq!(given["released"], true, "{given}");
    assert_eq!(given["fields"]["status"], "已办结");
    assert_eq!(given["fetched"].as_array().unwrap().len(), 2, "{given}");
    let tar = std::fs::read(out.join("package-tar")).unwrap();
    assert!(tar.len() > 10_000);
    assert_eq!(given["entry"]["user"], "RS01:黄丽");

    // 有条件 without a grant, 不予共享, a department the item is not shared with, no purpose:
    // each refused, with the reason, and logged like a release.
    let refused = |scope: &str, args: &[&str], d: &Department| {
        let mut all = args.to_vec();
        all.extend(["--scope", scope]);
        let answer = ask(&hub, d, &number, &all).unwrap();
        assert_eq!(answer["released"], false, "{answer}");
        assert!(answer["files"].as_array().unwrap().is_empty());
        assert!(answer["fields"].as_object().unwrap().is_empty());
        answer["reason"].as_str().unwrap().to_string()
    };
    let why = refused("material:HOUSEHOLD_REGISTER", &PURPOSE, &rs);
    assert!(why.contains("有条件共享"), "{why}");

    // A township supervisor grants it on a desk, once, for a month; a clerk may not, and a
    // grant past its day is refused before it is written.
    let today = tongban_domain::calendar::china_date(super::now_ms());
    let until = (today + time::Duration::days(30)).to_string();
    let grant = |desk: &Desk, until: &str| {
        desk.run(&[
            "case",
            "grant",
            &number,
            "--department",
            "RS01",
            "--scope",
            "material:HOUSEHOLD_REGISTER",
            "--until",
            until,
            "--uses",
            "1",
            "--reason",
            "申请人书面同意（2026-117号）",
        ])
    };
    let denied = grant(&clerk, &until);
    assert!(!denied.status.success());
    assert!(tongban_e2e::text(&denied.stderr).contains("授权部门共享"));
    let past = (today - time::Duration::days(1)).to_string();
    let denied = grant(&supervisor, &past);
    assert!(tongban_e2e::text(&denied.stderr).contains("有效期至"));
    assert!(
        grant(&supervisor, &until).status.success(),
        "the supervisor's grant"
    );
    // Before it reaches the hub, nothing changes for the department.
    let why = refused("material:HOUSEHOLD_REGISTER", &PURPOSE, &rs);
    assert!(why.contains("有条件共享"), "{why}");
    supervisor.ok(&["sync"]);
    let mut once = PURPOSE.to_vec();
    once.extend(["--scope", "material:HOUSEHOLD_REGISTER"]);
    let given = ask(&hub, &rs, &number, &once).unwrap();
    assert_eq!(given["released"], true, "{given}");
    assert_eq!(given["files"][0], "material/HOUSEHOLD_REGISTER/1");
    // Its one use is spent: the next request is refused.
    let why = refused("material:HOUSEHOLD_REGISTER", &PURPOSE, &rs);
    assert!(why.contains("次数已用完"), "{why}");
    tokio::task::block_in_place(|| {
        // A dishonest desk writing a grant itself, below the desk's rules, is refused.
        let forger = tongban_e2e::device::RawDevice::enroll_as(&hub, TOWNSHIP, "李明", "clerk");
        let refusal = super::forged(
            &forger,
            &number,
            tongban_domain::CaseEvent {
                kind: tongban_domain::EventKind::SharingGranted,
                by: "李明".into(),
                grant: Some(tongban_domain::sharing::GrantTerms {
                    department: "RS01".into(),
                    resources: vec![
                        tongban_domain::sharing::Resource::parse("material:HOUSEHOLD_REGISTER")
                            .unwrap(),
                    ],
                    until: until.clone(),
                    uses: 100,
                }),
                ..tongban_domain::CaseEvent::default()
            },
        );
        assert!(!refusal.is_empty());
        // A department's request caught on the path and sent again is refused, unlogged.
        replayed(&hub, &rs, &number);
        // Another department cannot fetch what went to 人社, nor 人社 a file the entry does
        // not name (a path into the hub's store).
        let released = given_package["position"].as_u64().unwrap();
        assert_not_found(fetch(&hub, &mz, &number, released, "package.tar"));
        assert_not_found(fetch(
            &hub,
            &rs,
            &number,
            released,
            "../archives/package.tar",
        ));
        assert_not_found(fetch(&hub, &rs, &number, released + 1, "package.tar"));
    });
    let why = refused("material:HOUSEHOLD_REGISTER", &PURPOSE, &rs);
    assert!(why.contains("次数已用完"), "{why}");
    let why = refused("field:phone", &PURPOSE, &rs);
    assert!(why.contains("不予共享"), "{why}");
    let why = refused("package", &PURPOSE, &mz);
    assert!(why.contains("不向该类部门共享"), "{why}");
    let why = refused(
        "package",
        &["--person", "黄丽", "--basis", "《社会保险法》"],
        &rs,
    );
    assert!(why.contains("未说明用途"), "{why}");
    let why = refused("material:../../etc", &PURPOSE, &rs);
    assert!(why.contains("无法识别的共享资源"), "{why}");

    // A system that is not registered, or whose key is not the registered one, is not answered
    // and leaves nothing in the log; a disabled department likewise.
    let stranger = Department {
        code: "GA01",
        key_file: rs.key_file.clone(),
    };
    let err = ask(&hub, &stranger, &number, &PURPOSE).unwrap_err();
    assert!(err.contains("未在中心登记"), "{err}");
    let impostor = Department {
        code: "MZ01",
        key_file: rs.key_file.clone(),
    };
    let err = ask(&hub, &impostor, &number, &PURPOSE).unwrap_err();
    assert!(err.contains("signature") || err.contains("签名"), "{err}");
    hub.admin(&["department", "disable", "--code", "MZ01"]);
    let err = ask(&hub, &mz, &number, &PURPOSE).unwrap_err();
    assert!(err.contains("停用"), "{err}");

    // Every outcome is an entry the log's verification covers.
    let verified = hub.admin(&["audit", "verify"]);
    assert!(verified.contains(TOWNSHIP), "{verified}");

    // The applicant's page, in a real browser, from the receipt's QR code.
    let (pin, client) = pins(&hub);
    let browser = Window::chromium(&pin).await;
    browser.client.goto(&query_url).await.unwrap();
    assert_eq!(browser.text("#case-number").await, number);
    assert_eq!(browser.text("#applicant").await, "覃**");
    assert_eq!(browser.text("#status").await, "已办结");
    let steps = browser.text("#progress").await;
    for step in ["收件", "受理", "决定", "办结"] {
        assert!(steps.contains(step), "{steps}");
    }
    let uses = browser.text("#uses tbody").await;
    assert_eq!(uses.matches("人力资源和社会保障局").count(), 10, "{uses}");
    assert_eq!(uses.matches("民政局").count(), 1, "{uses}");
    assert_eq!(uses.matches("已提供").count(), 3, "{uses}");
    assert_eq!(uses.matches("已拒绝").count(), 8, "{uses}");
    assert!(uses.contains("城乡居民养老保险待遇核定"), "{uses}");
    let source = browser.source().await;
    for secret in [ID, PHONE, "覃秀梅", &code] {
        // The code is in the hidden fields of the proof's and the rating's forms only; nothing
        // else of it is shown.
        if secret == code {
            assert_eq!(source.matches(secret).count(), 2, "{secret}");
        } else {
            assert!(!source.contains(secret), "the page shows {secret}");
        }
    }
    browser.screenshot("citizen-case").await;

    // The portal's JSON says the same, and the proof verifies under the hub's audit key.
    let base = hub.url().to_string();
    let json: serde_json::Value = client
        .post(format!("{base}{QUERY_API_PATH}"))
        .json(&serde_json::json!({"case": number, "code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["progress"]["applicant"], "覃**");
    assert_eq!(json["uses"].as_array().unwrap().len(), 11);
    assert!(!json.to_string().contains(ID));
    let proof: tongban_audit::Extract = client
        .post(format!("{base}{QUERY_PROOF_PATH}"))
        .header("content-type", FORM)
        .body(format!("case={number}&code={code}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, audit) = hub_keys(&hub);
    let key = tongban_sync::auth::parse_public_key(&audit).unwrap();
    let events = proof.verify(&key, TOWNSHIP).unwrap();
    assert_eq!(events.len(), 11);
    assert!(events.iter().all(|(_, e)| e.object == number));

    // A wrong code shows nothing of the case; past a few, the right one is refused too.
    let wrong = if code.starts_with('A') {
        "BBBB-BBBB"
    } else {
        "AAAA-AAAA"
    };
    browser
        .client
        .goto(&format!("{base}{QUERY_PATH}"))
        .await
        .unwrap();
    browser.type_into("#case", &number).await;
    browser.type_into("#code", wrong).await;
    browser.click("#query").await;
    assert!(
        browser
            .text("#query-error")
            .await
            .contains("办件编号或查询码不正确")
    );
    assert!(!browser.exists("#uses").await);
    assert!(!browser.source().await.contains("覃**"));
    browser.screenshot("citizen-wrong-code").await;
    for _ in 1..tongban_hub::service::citizen::QUERY_MISSES {
        let status = client
            .post(format!("{base}{QUERY_PATH}"))
            .header("content-type", FORM)
            .body(format!("case={number}&code={wrong}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404);
    }
    browser.client.goto(&query_url).await.unwrap();
    assert!(browser.text("#query-error").await.contains("错误次数过多"));
    assert!(!browser.exists("#case-number").await);
    browser.screenshot("citizen-throttled").await;
    let proof = client
        .post(format!("{base}{QUERY_PROOF_PATH}"))
        .header("content-type", FORM)
        .body(format!("case={number}&code={code}"))
        .send()
        .await
        .unwrap();
    assert_eq!(proof.status(), 429, "the proof is throttled like the page");

    // An entry edited in the hub's database is caught by the log's verification.
    hub.tamper(&format!(
        "UPDATE audit_log SET bytes = unhex(replace(hex(bytes), hex('城乡居民'), hex('城乡村民')))
         WHERE township = '{TOWNSHIP}' AND device_id = 'hub-{TOWNSHIP}' AND seq = 0"
    ));
    let out = hub.admin_output(&["audit", "verify"]);
    assert!(!out.status.success(), "an edited entry passed verification");
    browser.close().await;
}

/// 一证通办: a clerk of one township finds the applicant's case registered in another, through
/// the hub; the case's page shows the lookup. Without the hub, the desk finds only its own.
#[test]
fn one_id_finds_an_applicants_cases_in_every_township_and_each_records_the_lookup() {
    let hub = Hub::start(Backend::Sqlite);
    let there = Desk::enroll(&hub, OTHER_TOWNSHIP, "黄强");
    let registered = there.ok(&[
        "case",
        "register",
        "--item",
        "YB01",
        "--name",
        "覃秀梅",
        "--id-number",
        ID,
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER",
    ]);
    let code = there.query_code(&registered);
    there.ok(&["sync"]);
    let here = Desk::enroll(&hub, TOWNSHIP, "李明");
    let field = Desk::enroll_as(&hub, TOWNSHIP, "黄勇", "field");
    let local = here.ok(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "覃秀梅",
        "--id-number",
        ID,
        "--received",
        "ID_CARD",
    ]);
    here.ok(&["sync"]);

    let lookup = |desk: &Desk, purpose: &str| {
        desk.run(&["lookup", "--id-number", ID, "--purpose", purpose, "--json"])
    };
    // No purpose, or a role that may not see whole numbers: refused on the desk.
    assert!(!lookup(&here, " ").status.success());
    let denied = lookup(&field, "核对");
    assert!(!denied.status.success());
    assert!(tongban_e2e::text(&denied.stderr).contains("外勤人员"));
    let out = lookup(&here, "城乡居民养老保险待遇申请核对");
    assert!(out.status.success(), "{}", tongban_e2e::text(&out.stderr));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["online"], true);
    let numbers: Vec<&str> = found["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2, "{found}");
    assert!(numbers.contains(&registered.as_str()) && numbers.contains(&local.as_str()));
    assert!(
        !found.to_string().contains("覃秀梅"),
        "a lookup answers no applicant data"
    );
    // A dishonest desk naming another person, or sending a lookup signed for another desk, is
    // refused; its person's own lookup, signed for it, is answered.
    let forger = tongban_e2e::device::RawDevice::enroll_as(&hub, TOWNSHIP, "王芳", "clerk");
    let post = |user: &str, signature: String| {
        let body = tongban_sync::wire::encode(&tongban_sync::wire::LookupRequest {
            id_number: ID.into(),
            purpose: "核对".into(),
            user: user.into(),
            signature,
        });
        forger.post(TOWNSHIP, "lookup", body)
    };
    let sign = |device: &str, user: &str| {
        tongban_sync::person::sign_lookup(&forger.person, device, user, ID, "核对")
    };
    let answer = post("李明", sign(&forger.id, "李明"));
    assert_eq!(answer.status, 403, "{}", answer.message());
    assert!(
        answer.message().contains("不是李明"),
        "{}",
        answer.message()
    );
    let answer = post("王芳", sign("another-desk", "王芳"));
    assert_eq!(answer.status, 403, "{}", answer.message());
    assert_eq!(post("王芳", sign(&forger.id, "王芳")).status, 200);
    // Another applicant's number finds nothing.
    let out = here.run(&[
        "lookup",
        "--id-number",
        "11010519491231002X",
        "--purpose",
        "核对",
        "--json",
    ]);
    let none: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(none["cases"].as_array().unwrap().is_empty(), "{none}");

    // The other township's case shows the lookup to its applicant; the log still verifies.
    let (_, client) = super::supervision_page::blocking_pins(&hub);
    let view: serde_json::Value = client
        .post(format!("{}{QUERY_API_PATH}", hub.url()))
        .json(&serde_json::json!({"case": registered, "code": code}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let uses = view["uses"].as_array().unwrap();
    // Newest first: 王芳's lookup, then 李明's.
    assert_eq!(uses.len(), 2, "{view}");
    assert_eq!(uses[1]["purpose"], "城乡居民养老保险待遇申请核对");
    assert!(
        uses[1]["department"].as_str().unwrap().contains("檀圩镇"),
        "{view}"
    );
    hub.admin(&["audit", "verify"]);

    // Without the hub, the desk searches its own township and says so.
    let mut hub = hub;
    hub.stop();
    let out = lookup(&here, "核对");
    let offline: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(offline["online"], false);
    assert_eq!(offline["cases"].as_array().unwrap().len(), 1, "{offline}");
    assert_eq!(offline["cases"][0]["number"], local.as_str());
}
