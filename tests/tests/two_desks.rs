//! Two desks of one township, offline edits on both, one hub on each backend.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::{
    Backend, Desk, Hub, PASSWORD, TOWNSHIP, postgres_database, text, two_desks_scenario,
};

#[test]
fn two_desks_converge_through_the_sqlite_hub() {
    two_desks_scenario(Backend::Sqlite);
}

#[test]
fn two_desks_converge_through_the_postgres_hub() {
    if let Some(url) = postgres_database() {
        two_desks_scenario(Backend::Postgres(url));
    }
}

/// A week of work at one desk (new cases, then corrections to them) reaches the hub in one sync
/// round: the desk's first message already carries its changes, and nothing is left to
/// acknowledge. The other desk gets every case, as corrected, in one round too.
#[test]
fn a_week_of_cases_and_corrections_travels_in_one_round() {
    let hub = Hub::start(Backend::Sqlite);
    let a = Desk::enroll(&hub, TOWNSHIP, "李明");
    let b = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let made = a.ok(&[
        "demo-cases",
        "--count",
        "40",
        "--edits",
        "120",
        "--seed",
        "3",
    ]);
    assert!(made.contains("made 120 corrections"), "{made}");
    let cases = a.list();
    assert_eq!(cases.len(), 40);

    let rounds = || hub.log().matches("sync batch").count();
    let before = rounds();
    let up = a.sync();
    assert_eq!(
        (up["docs_up"].as_u64(), up["unsettled"].as_u64()),
        (Some(40), Some(0))
    );
    assert_eq!(rounds() - before, 1, "{}", hub.log());

    let before = rounds();
    let down = b.sync();
    assert_eq!(down["docs_down"], 40);
    assert_eq!(rounds() - before, 1, "{}", hub.log());
    let corrected: usize = cases
        .iter()
        .map(|c| {
            let number = c["number"].as_str().expect("number");
            let shown = b.show(number);
            let events = shown["events"].as_array().expect("events");
            events
                .iter()
                .filter(|e| e["kind"] == "field_changed")
                .count()
        })
        .sum();
    assert_eq!(corrected, 120, "every correction reached the other desk");
    for case in cases.iter().take(8) {
        let number = case["number"].as_str().expect("number");
        assert_eq!(b.show_whole(number), a.show_whole(number));
    }
    // Settled on both sides: nothing to move, no sync round at all.
    let before = rounds();
    let idle = a.sync();
    assert_eq!(
        (idle["docs_up"].as_u64(), idle["docs_down"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(rounds(), before);
}

/// Runs `tongban passwd` for `user` on `desk` from `current` to `new`.
fn passwd(desk: &Desk, user: &str, current: &str, new: &str) -> std::process::Output {
    desk.command(Some(user), &["passwd"])
        .env("TONGBAN_PASSWORD", current)
        .env("TONGBAN_NEW_PASSWORD", new)
        .output()
        .expect("run tongban passwd")
}

/// `tongban queue` as `user` with `password` (and a one-time code): whether they got in, and
/// what was said.
fn sign_in(desk: &Desk, user: &str, password: &str, code: Option<&str>) -> (bool, String) {
    let mut command = desk.command(Some(user), &["queue"]);
    command.env("TONGBAN_PASSWORD", password);
    if let Some(code) = code {
        command.env("TONGBAN_TOTP", code);
    }
    let out = command.output().expect("run tongban");
    (out.status.success(), text(&out.stderr))
}

/// A supervisor who works at two desks: a password changed on one holds on the other after
/// both sync; a reset by the county forces a new one and voids a change still on its way; a
/// new second factor replaces the old; taken off a desk, the account is gone from it. The hub's
/// history says who did each.
#[test]
fn passwords_second_factors_and_assignments_follow_the_person_across_desks() {
    let hub = Hub::start(Backend::Sqlite);
    let own = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let other = Desk::enroll(&hub, TOWNSHIP, "李明");
    other.assign(&hub, "张华", "supervisor");
    assert!(sign_in(&other, "张华", PASSWORD, None).0);

    // A guessable password is refused with the reason; nothing changes.
    let weak = passwd(&own, "张华", PASSWORD, "password123");
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("常用密码"),
        "{}",
        text(&weak.stderr)
    );
    let changed = "Zhang-hua-approves-27";
    assert!(passwd(&own, "张华", PASSWORD, changed).status.success());
    assert!(sign_in(&own, "张华", changed, None).0);
    // The other desk learns it at its next sync, once the hub has it.
    assert!(sign_in(&other, "张华", PASSWORD, None).0);
    own.sync();
    other.sync();
    assert!(sign_in(&other, "张华", changed, None).0);
    let (ok, said) = sign_in(&other, "张华", PASSWORD, None);
    assert!(!ok && said.contains("用户名或密码错误"), "{said}");

    // The county resets the password; a change made meanwhile on a desk that had not synced
    // is refused by the hub (signed with the key the reset replaced) and undone on that desk.
    assert!(
        passwd(&other, "张华", changed, "Zhang-hua-meanwhile-28")
            .status
            .success()
    );
    let account = ["--township", TOWNSHIP, "--user", "张华"];
    let temporary = "County-reset-4471";
    let reset = hub.admin_output(&[&["user", "reset-password"][..], &account].concat());
    assert!(!reset.status.success(), "a reset needs the new password");
    let said = hub
        .admin_command(&[&["user", "reset-password"][..], &account].concat())
        .env("TONGBAN_PASSWORD", temporary)
        .output()
        .unwrap();
    assert!(said.status.success(), "{}", text(&said.stderr));
    // The operator sees who must still choose a password, and where each person works.
    let listed = hub.admin(&["user", "list", "--township", TOWNSHIP]);
    let line = listed.lines().find(|l| l.starts_with("张华\t")).unwrap();
    assert!(line.contains("must-change"), "{listed}");
    assert!(line.contains(&other.device_id()), "{listed}");
    let report = other.sync();
    let refused = report["passwords_refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report}");
    assert!(
        refused[0].as_str().unwrap().contains("当前密钥"),
        "{report}"
    );
    own.sync();
    for desk in [&own, &other] {
        let (ok, said) = sign_in(desk, "张华", temporary, None);
        assert!(!ok && said.contains("请先修改为自己的密码"), "{said}");
    }
    let chosen = "Zhang-hua-own-again-29";
    assert!(passwd(&own, "张华", temporary, chosen).status.success());
    // Acts under the new key are the person's own: the hub takes them.
    let number = other.register("覃秀梅", "450721198806152311", "13812345678");
    other.sync();
    own.sync();
    own.command(Some("张华"), &["case", "accept", &number])
        .env("TONGBAN_PASSWORD", chosen)
        .output()
        .map(|o| assert!(o.status.success(), "{}", text(&o.stderr)))
        .unwrap();
    let up = own.sync();
    assert_eq!(up["unsettled"], 0, "{up}");
    other.sync();
    assert_eq!(other.show(&number)["status"], "accepted");
    assert!(sign_in(&other, "张华", chosen, None).0);

    // A new second factor: the code from the new secret is needed, and is enough.
    let url = hub.admin(&[&["user", "reset-totp"][..], &account].concat());
    let secret = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("secret="))
        .expect("secret")
        .to_string();
    other.sync();
    let (ok, said) = sign_in(&other, "张华", chosen, None);
    assert!(!ok && said.contains("动态验证码"), "{said}");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let code = tongban_sync::totp::code_at(&secret, now).unwrap();
    assert!(sign_in(&other, "张华", chosen, Some(&code)).0);

    // Taken off the other desk, the account is gone from it at its next sync.
    let device = other.device_id();
    hub.admin(&["user", "unassign", "--user", "张华", "--device", &device]);
    other.sync();
    let (ok, said) = sign_in(&other, "张华", chosen, Some(&code));
    assert!(!ok && said.contains("用户名或密码错误"), "{said}");
    let again = hub.admin_output(&["user", "unassign", "--user", "张华", "--device", &device]);
    assert!(text(&again.stderr).contains("未被分配到设备"));

    // The history says who did each, the desk's change named by its device.
    let history: serde_json::Value =
        serde_json::from_str(&hub.admin(&["user", "history", "--township", TOWNSHIP, "--json"]))
            .unwrap();
    let of_zhang: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["user"] == "张华")
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_string(),
                c["operator"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let kinds: Vec<&str> = of_zhang.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "added",
            "assigned",
            "assigned",
            "password_changed",
            "password_reset",
            "password_changed",
            "totp_reset",
            "unassigned"
        ]
    );
    // Added by the operator, assigned to their own desk by its enrolment.
    assert!(!of_zhang[0].1.starts_with("enrolment:"), "{of_zhang:?}");
    assert!(of_zhang[1].1.starts_with("enrolment:"), "{of_zhang:?}");
    assert!(of_zhang[3].1.starts_with("desk:"), "{of_zhang:?}");
}

/// A new password as an enrolled device might send it, honestly or not: only the person's own
/// key, a sealing as costly as the hub's, newer than the one kept, from a desk they work at.
#[test]
fn a_new_password_is_taken_once_from_its_person_and_never_replayed() {
    use tongban_e2e::device::RawDevice;
    use tongban_sync::person::{self, Rekey};
    use tongban_sync::wire::{self, RekeyRequest};

    let hub = Hub::start(Backend::Sqlite);
    let own = RawDevice::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let other = RawDevice::enroll_as(&hub, TOWNSHIP, "李明", "clerk");
    let key = person::signing_key(&own.person);
    let sealed = person::seal(&key, TOWNSHIP, "张华", "Zhang-hua-rekeyed-31").unwrap();
    let send = |from: &RawDevice, rekey: &Rekey| {
        let body = wire::encode(&RekeyRequest {
            rekey: rekey.clone(),
        });
        from.post(TOWNSHIP, "rekey", body)
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let refused = |from: &RawDevice, rekey: &Rekey, why: &str| {
        let answer = send(from, rekey);
        assert_eq!(answer.status, 403, "{}", answer.message());
        assert!(answer.message().contains(why), "{}", answer.message());
    };
    // Signed by someone else (李明's key) in 张华's name.
    let forged = Rekey::new(&other.person, TOWNSHIP, "张华", &sealed, now);
    refused(&own, &forged, "当前密钥");
    // Sealed cheaply, to make the password quicker to guess.
    let mut cheap = sealed.clone();
    cheap.m_kib = 1024;
    refused(
        &own,
        &Rekey::new(&own.person, TOWNSHIP, "张华", &cheap, now),
        "密钥封装",
    );
    // Genuine, but from a desk 张华 does not work at.
    let genuine = Rekey::new(&own.person, TOWNSHIP, "张华", &sealed, now);
    refused(&other, &genuine, "未被分配到本设备");
    // Genuine from their own desk: taken once; the same again, or an older one, is not.
    assert_eq!(send(&own, &genuine).status, 200);
    refused(&own, &genuine, "已有更新的密码");
    refused(
        &own,
        &Rekey::new(&own.person, TOWNSHIP, "张华", &sealed, now - 60_000),
        "已有更新的密码",
    );
    // Dated far ahead, to shut out every later change.
    refused(
        &own,
        &Rekey::new(&own.person, TOWNSHIP, "张华", &sealed, now + 3_600_000),
        "晚于中心时钟",
    );
    let history = hub.admin(&["user", "history", "--township", TOWNSHIP]);
    assert_eq!(history.matches("password_changed").count(), 1, "{history}");
    // The directory now holds the new sealing: the new password opens the key, the old does not.
    let directory = own.directory();
    let mine = directory.users.iter().find(|u| u.name == "张华").unwrap();
    let kept = person::SealedKey::parse(mine.sealed_key.as_deref().unwrap()).unwrap();
    let public = mine.public_key.as_deref().unwrap();
    assert!(person::open(&kept, TOWNSHIP, "张华", public, "Zhang-hua-rekeyed-31").is_ok());
    assert!(person::open(&kept, TOWNSHIP, "张华", public, PASSWORD).is_err());
}

/// The receipt's text, as `pdftotext` reads it.
fn receipt_text(desk: &Desk, number: &str) -> String {
    let out = desk.path().join(format!("{number}-receipt.pdf"));
    let out = out.to_str().unwrap();
    desk.ok(&["case", "print", number, "--doc", "intake", "--out", out]);
    let read = std::process::Command::new("pdftotext")
        .args([out, "-"])
        .output()
        .unwrap();
    text(&read.stdout)
}

/// The query code is random per case: the registering desk prints it, the case everywhere else
/// holds only its hash, and a receipt printed at another desk says where to ask for the code.
#[test]
fn only_the_registering_desk_holds_a_cases_query_code() {
    let hub = Hub::start(Backend::Sqlite);
    let a = Desk::enroll(&hub, TOWNSHIP, "李明");
    let b = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let number = a.register("覃秀梅", "450721198806152311", "13812345678");
    let again = a.register("覃秀梅", "450721198806152311", "13812345678");
    // The code prints as XXXX-XXXX beside its label.
    let code_of = |receipt: &str| -> String {
        receipt
            .split_whitespace()
            .find(|w| {
                w.len() == 9
                    && w.as_bytes()[4] == b'-'
                    && w.chars()
                        .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
            })
            .unwrap_or_else(|| panic!("no query code in:\n{receipt}"))
            .to_string()
    };
    let code = code_of(&receipt_text(&a, &number));
    assert_eq!(code.len(), 9, "{code}");
    // Same person, same day, same desk: nothing about them yields the code.
    assert_ne!(code, code_of(&receipt_text(&a, &again)));
    a.ok(&["sync"]);
    b.ok(&["sync"]);

    let elsewhere = receipt_text(&b, &number);
    assert!(elsewhere.contains("查询码仅在登记窗口打印"), "{elsewhere}");
    assert!(!elsewhere.contains(&code), "{elsewhere}");

    let raw = tongban_e2e::device::RawDevice::enroll_as(&hub, TOWNSHIP, "黄勇", "clerk");
    let (doc, _) = raw.pull(&number);
    let case = tongban_sync::case_doc::read(&doc).unwrap();
    let parsed = tongban_domain::query::QueryCode::parse(&code).unwrap();
    assert_eq!(case.query_hash, Some(parsed.hash(&case.number)));
    let bytes = doc.clone().save();
    let plain = code.replace('-', "");
    assert!(
        !bytes.windows(plain.len()).any(|w| w == plain.as_bytes()),
        "the code itself travelled"
    );
}
