//! 好差评 end to end: the applicant rates a decided case on the hub's page in a real browser, a
//! 差评 reaches the township's supervisors as a queue on their desks, a supervisor closes it with
//! the follow-up and what was done, the page shows the outcome, and the figures everywhere count
//! it. Attacks: rating before a decision, twice, with a wrong code; a desk writing a rating.

use super::supervision_page::pins;
use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};
use tongban_sync::endpoint::{QUERY_RATE_API_PATH, QUERY_RATE_PATH};

const FORM: &str = "application/x-www-form-urlencoded";

fn registered(clerk: &Desk) -> (String, String) {
    let number = super::register(clerk, "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM");
    let code = clerk.query_code(&number);
    (number, code)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_rating_is_rectified_on_a_desk_and_every_figure_counts_it() {
    let hub = Hub::start(Backend::Sqlite);
    let (hub, clerk, supervisor, (bad, bad_code), (good, good_code)) =
        tokio::task::spawn_blocking(move || {
            let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
            let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
            let bad = registered(&clerk);
            let good = registered(&clerk);
            clerk.ok(&["sync"]);
            supervisor.ok(&["sync"]);
            (hub, clerk, supervisor, bad, good)
        })
        .await
        .unwrap();
    let (pin, client) = pins(&hub);
    let base = hub.url().to_string();
    let rate = |case: &str, code: &str, rating: serde_json::Value| {
        let mut body = serde_json::json!({"case": case, "code": code});
        body.as_object_mut()
            .unwrap()
            .extend(rating.as_object().unwrap().clone());
        client
            .post(format!("{base}{QUERY_RATE_API_PATH}"))
            .json(&body)
            .send()
    };
    let satisfied = serde_json::json!({"level": "very_satisfied"});
    // Not before a decision.
    let early = rate(&good, &good_code, satisfied.clone()).await.unwrap();
    assert_eq!(early.status(), 403);
    assert!(early.text().await.unwrap().contains("作出决定后"));
    tokio::task::block_in_place(|| {
        for number in [&bad, &good] {
            supervisor.ok(&["case", "accept", number]);
            supervisor.ok(&["case", "approve", number]);
        }
        supervisor.ok(&["sync"]);
    });

    // The applicant, in a real browser, from the receipt's QR code.
    let browser = Window::chromium(&pin).await;
    let page = format!("{base}/query?case={bad}&code={bad_code}");
    browser.client.goto(&page).await.unwrap();
    assert!(browser.exists("#evaluation form").await);
    browser.screenshot("citizen-rate-form").await;
    // A 差评 without its reason is refused, and nothing is recorded.
    browser.click("input[value='dissatisfied']").await;
    browser.click("#rate").await;
    let why = browser.text("#rate-error").await;
    assert!(why.contains("请选择原因"), "{why}");
    assert!(browser.exists("#evaluation form").await);
    browser.click("input[value='dissatisfied']").await;
    browser.click("#reason option[value='too_slow']").await;
    browser.type_into("#comment", "等了两个小时<script>").await;
    browser.click("#rate").await;
    assert_eq!(browser.text("#rate-notice").await, "感谢您的评价！");
    assert!(browser.text("#rated").await.starts_with("不满意"));
    assert_eq!(browser.text("#rated-reason").await, "办理时间过长");
    let open = browser.text("#rectification").await;
    assert!(open.starts_with("整改中，期限"), "{open}");
    // The comment is shown as text, never as markup.
    assert!(!browser.source().await.contains("<script>"));
    browser.screenshot("citizen-rated-bad").await;

    // Once per case; a wrong code rates nothing.
    let again = rate(&bad, &bad_code, satisfied.clone()).await.unwrap();
    assert_eq!(again.status(), 403);
    assert!(again.text().await.unwrap().contains("已评价"));
    let wrong = if good_code.starts_with('A') {
        "BBBB-BBBB"
    } else {
        "AAAA-AAAA"
    };
    assert_eq!(
        rate(&good, wrong, satisfied.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    let given: serde_json::Value = rate(&good, &good_code, satisfied)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(given["progress"]["evaluation"]["level_zh"], "非常满意");
    assert!(given["progress"]["evaluation"]["due"].is_null());
    // The form posts without script, as a phone's browser without it would.
    let form = client
        .post(format!("{base}{QUERY_RATE_PATH}"))
        .header("content-type", FORM)
        .body(format!("case={good}&code={good_code}&level=satisfied"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);

    tokio::task::block_in_place(|| {
        // A dishonest desk writing a rating itself is refused.
        let forger =
            tongban_e2e::device::RawDevice::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
        let refusal = super::forged(
            &forger,
            &good,
            tongban_domain::CaseEvent {
                kind: tongban_domain::EventKind::Rated,
                by: "张华".into(),
                rating: Some(tongban_domain::rating::Rating {
                    level: tongban_domain::rating::Satisfaction::VerySatisfied,
                    reason: None,
                    comment: None,
                }),
                ..tongban_domain::CaseEvent::default()
            },
        );
        assert!(!refusal.is_empty());

        // The 差评 reaches the supervisors' queue with its last day; not a clerk's.
        supervisor.ok(&["sync"]);
        clerk.ok(&["sync"]);
        let queue: serde_json::Value =
            serde_json::from_str(&supervisor.ok(&["queue", "--json"])).unwrap();
        let waiting = queue["rectification"].as_array().unwrap();
        assert_eq!(waiting.len(), 1, "{queue}");
        assert_eq!(waiting[0]["number"], bad.as_str());
        let due = waiting[0]["rectify_by"].as_str().unwrap().to_string();
        // Five working days from the rating, as the page said.
        let today = tongban_domain::calendar::china_date(super::now_ms());
        let five = tongban_domain::WorkCalendar::builtin().add_working_days(today, 5);
        assert_eq!(due, tongban_domain::calendar::date_text(five));
        let day = format!(
            "{}年{}月{}日",
            five.year(),
            u8::from(five.month()),
            five.day()
        );
        assert!(open.contains(&day), "{open}");
        let queue: serde_json::Value =
            serde_json::from_str(&clerk.ok(&["queue", "--json"])).unwrap();
        assert!(queue["rectification"].as_array().unwrap().is_empty());
        let shown = supervisor.ok(&["case", "show", &bad]);
        assert!(shown.contains("办理时间过长"), "{shown}");
        // The township's log names the rating, its reason and its day; never the applicant's
        // words, which stay in the case for those who may read it.
        let trail = supervisor.ok(&["audit", "log", "--case", &bad, "--json"]);
        assert!(trail.contains("好差评：不满意（办理时间过长）"), "{trail}");
        assert!(!trail.contains("等了两个小时"), "{trail}");

        // Only a supervisor closes it, and only with the follow-up and what was done.
        let rectify = |desk: &Desk, number: &str, extra: &[&str]| {
            let mut args = vec!["case", "rectify", number];
            args.extend_from_slice(extra);
            desk.run(&args)
        };
        let done = [
            "--follow-up",
            "12月8日电话回访，申请人认可",
            "--action",
            "窗口增设导办员，超过一小时的等候由主任督办",
        ];
        let denied = rectify(&clerk, &bad, &done);
        assert!(!denied.status.success());
        assert!(tongban_e2e::text(&denied.stderr).contains("差评整改"));
        let half = rectify(&supervisor, &bad, &done[..2]);
        assert!(tongban_e2e::text(&half.stderr).contains("整改措施"));
        let nothing = rectify(&supervisor, &good, &done);
        assert!(tongban_e2e::text(&nothing.stderr).contains("没有待整改的差评"));
        assert!(rectify(&supervisor, &bad, &done).status.success());
        supervisor.ok(&["sync"]);
        let queue: serde_json::Value =
            serde_json::from_str(&supervisor.ok(&["queue", "--json"])).unwrap();
        assert!(queue["rectification"].as_array().unwrap().is_empty());
    });

    // The page shows what was done.
    browser.client.goto(&page).await.unwrap();
    let closed = browser.text("#rectification").await;
    assert!(closed.starts_with("已整改"), "{closed}");
    assert!(!closed.contains("超过"), "{closed}");
    assert!(browser.text("#rectify-action").await.contains("导办员"));
    assert!(browser.text("#follow-up").await.contains("电话回访"));
    assert!(!browser.exists("#evaluation form").await);
    browser.screenshot("citizen-rectified").await;
    browser.close().await;

    // The figures: the desk's and the hub's say the same, and the log verifies.
    tokio::task::block_in_place(|| {
        let today = super::days_ahead(0);
        let period = ["--from", today.as_str(), "--to", today.as_str()];
        let mut args = vec!["report", "--json"];
        args.extend_from_slice(&period);
        let desk: serde_json::Value = serde_json::from_str(&supervisor.ok(&args)).unwrap();
        let county: serde_json::Value = serde_json::from_str(&hub.admin(&args)).unwrap();
        for json in [&desk, &county] {
            let total = &json["total"];
            assert_eq!(total["rated"], 2, "{json}");
            assert_eq!((&total["good"], &total["bad"]), (&1.into(), &1.into()));
            assert_eq!(total["good_rate"], 0.5);
            assert_eq!(total["bad_rate"], 0.5);
            assert_eq!(total["rectified_on_time_rate"], 1.0);
        }
        let text = hub.admin(&["report", "--from", &today, "--to", &today]);
        assert!(text.contains("差评按期整改率"), "{text}");
        assert!(text.contains("50.00%"), "{text}");
        let verified = hub.admin(&["audit", "verify"]);
        assert!(verified.contains(TOWNSHIP), "{verified}");
        // The rectification time is the hub's to set, within bounds.
        assert!(
            !hub.admin_output(&["evaluation", "set", "--rectify-days", "0"])
                .status
                .success()
        );
        let set = hub.admin(&["evaluation", "set", "--rectify-days", "7"]);
        assert!(set.contains("7个工作日"), "{set}");
    });
}
