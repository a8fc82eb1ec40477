//! The clerk's window, end to end: the real app, WebKit, tauri-driver, a real hub process.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::PathBuf;
use tongban_e2e::canary;
use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, PASSPHRASE, PASSWORD, TOWNSHIP};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_enrols_registers_finds_and_syncs_a_case() {
    let hub = Hub::start(Backend::Sqlite);
    hub.add_user(TOWNSHIP, "李明", "clerk");
    let profile = Desk::unenrolled();
    let code = hub.enroll_code(TOWNSHIP);

    // First run: enrol this desk. Whoever started it (scripts/run) suggested hub and code.
    let suggestions = [
        ("TONGBAN_HUB_URL", hub.url()),
        ("TONGBAN_ENROL_CODE", code.as_str()),
    ];
    let w = Window::launch_with(&profile.path(), &suggestions).await;
    w.find("#enrol-form").await;
    w.wait_value("#enrol-hub", hub.url()).await;
    w.wait_value("#enrol-code", &code).await;
    w.screenshot("01-enrol").await;
    w.type_into("#enrol-user", "李明").await;
    w.type_into("#enrol-password", PASSWORD).await;
    w.type_into("#enrol-password2", PASSWORD).await;
    w.type_into("#enrol-passphrase", PASSPHRASE).await;
    w.type_into("#enrol-passphrase2", PASSPHRASE).await;
    w.click("#enrol-submit").await;

    // Intake: pick the item by pinyin initials, type a bad ID number first.
    w.find("#item-search").await;
    w.type_into("#item-search", "cjrz").await;
    // A combobox a screen reader can follow: its list is open, the first option is current.
    w.wait_attr("#item-search", "role", "combobox").await;
    w.wait_attr("#item-search", "aria-expanded", "true").await;
    w.wait_attr("#item-search", "aria-activedescendant", "item-option-CJ01")
        .await;
    w.wait_attr("#item-option-CJ01", "aria-selected", "true")
        .await;
    w.click("#item-option-CJ01").await;
    w.type_into("#name", "覃秀梅").await;
    w.type_into("#id-number", "450721198806152312").await;
    let rule = w.wait_text("#error-id-number", |t| !t.is_empty()).await;
    assert!(rule.contains("校验码应为1"), "{rule}");
    // The error is tied to its field for a screen reader, and announced.
    w.wait_attr("#id-number", "aria-invalid", "true").await;
    w.wait_attr("#id-number", "aria-describedby", "error-id-number")
        .await;
    w.wait_attr("#error-id-number", "role", "alert").await;
    // The same number on a passport is judged by the passport's rule, then back.
    w.click("#id-type option[value='passport']").await;
    w.wait_text("#error-id-number", |t| t.contains("护照号码应为5至17位"))
        .await;
    w.screenshot("03b-intake-passport").await;
    // Someone applying for the applicant is recorded in its own section, closed by default.
    w.click("#agent summary").await;
    w.find("#agent-relation").await;
    w.scroll_to("#agent").await;
    w.screenshot("03c-intake-agent").await;
    w.click("#id-type option[value='resident']").await;
    w.wait_text("#error-id-number", |t| t.contains("校验码"))
        .await;
    w.type_into("#phone", "13812345678").await;
    w.click("#material-ID_CARD").await;
    w.screenshot("03-intake-invalid").await;
    w.click("#save").await;
    let refusal = w.wait_text("#form-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("校验码"), "{refusal}");
    assert!(!w.exists("#new-case-number").await, "nothing saved");

    w.type_into("#id-number", "450721198806152311").await;
    w.wait_text("#error-id-number", str::is_empty).await;
    w.click("#save").await;
    let number = w
        .wait_text("#new-case-number", |t| t.starts_with(TOWNSHIP))
        .await;
    assert!(
        number.ends_with("-0001"),
        "the refused form spent no number: {number}"
    );
    w.screenshot("04-intake-saved").await;

    // The list finds it; the detail shows what was typed.
    w.click("#nav-cases").await;
    w.find(&format!("#case-row-{number}")).await;
    assert_eq!(w.text("#cases-total").await, "共 1 件");
    // Typed quickly, one search after another: only the last one's answer is shown.
    w.type_into("#case-search", "无此人").await;
    w.type_into("#case-search", "覃").await;
    w.find(&format!("#case-row-{number}")).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(w.text("#cases-total").await, "共 1 件");
    assert!(w.exists(&format!("#case-row-{number}")).await);
    w.screenshot("05-cases").await;
    w.click(&format!("#case-row-{number} td")).await;
    assert_eq!(w.text("#detail-number").await, number);
    w.wait_text("#timeline", |t| t.contains("李明")).await;
    // ID and phone are masked until asked for; asking is audited.
    let card = w.text(".card.detail").await;
    assert!(
        card.contains("450721********2311") && card.contains("138****5678"),
        "{card}"
    );
    assert!(
        !card.contains("450721198806152311") && !card.contains("13812345678"),
        "{card}"
    );
    assert!(
        !w.exists("#show-audit").await,
        "a clerk reads no audit trail"
    );
    w.screenshot("06-detail").await;
    w.click("#unmask").await;
    w.wait_text(".card.detail", |t| {
        t.contains("450721198806152311") && t.contains("13812345678")
    })
    .await;
    w.click("#nav-settings").await;
    w.find("#about-data").await;
    // The key this desk trusts, as the operator's `tongban-hub key show` prints it.
    w.wait_text("#about-hub-key", |t| t == hub.fingerprint())
        .await;
    // A clerk reads the hub's address; only an administrator may change it.
    w.wait_text("#about-hub", |t| t == hub.url()).await;
    assert!(
        !w.exists("#settings-save").await,
        "a clerk may not repoint the desk"
    );
    w.find("#settings-hub-admin").await;
    w.screenshot("07-settings").await;

    // The English switch reaches every string, statuses included.
    w.click("#lang-en").await;
    w.click("#nav-cases").await;
    w.wait_text(&format!("#case-row-{number}"), |t| t.contains("Registered"))
        .await;
    // One case, in the singular; the page says it is in English.
    assert_eq!(w.text("#cases-total").await, "Total 1 case");
    w.wait_attr("html", "lang", "en").await;
    w.screenshot("09-english").await;
    w.click("#nav-settings").await;
    w.click("#lang-zh").await;
    w.wait_attr("html", "lang", "zh-CN").await;

    // Sync, and the status says so.
    w.click("#sync-now").await;
    w.wait_attr("#sync-state", "data-state", "online").await;
    w.wait_text("#last-sync", |t| !t.contains("从未")).await;
    w.screenshot("08-synced").await;

    // Something half-typed when the window closes is there again after the restart.
    w.click("#nav-intake").await;
    w.type_into("#item-search", "YL01").await;
    w.click("#item-option-YL01").await;
    w.type_into("#name", "韦国强").await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    w.close().await;

    // Restart: sign in and find the case again.
    let w = Window::launch(&profile.path()).await;
    w.find("#signin-form").await;
    w.screenshot("02-signin").await;
    w.sign_in("李明", "wrong-password").await;
    let refusal = w.wait_text("#form-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("用户名或密码错误"), "{refusal}");
    w.type_into("#signin-password", PASSWORD).await;
    w.click("#signin-submit").await;
    w.find("#item-search").await;
    w.wait_value("#name", "韦国强").await;
    w.wait_value("#item-search", "城乡居民养老保险参保登记")
        .await;
    w.click("#nav-cases").await;
    w.find(&format!("#case-row-{number}")).await;

    // Return for materials with the one-time notice; it shows in the clerk's queue.
    w.click(&format!("#case-row-{number} td")).await;
    w.find("#act-return").await;
    assert!(
        !w.exists("#act-approve").await,
        "a clerk gets no decision buttons"
    );
    w.click("#act-return").await;
    w.wait_attr("#detail-status", "data-status", "supplement_requested")
        .await;
    w.wait_text("#timeline", |t| t.contains("一次性告知补正"))
        .await;
    w.wait_text("#timeline", |t| t.contains("补正期限：")).await;
    w.screenshot("10-returned").await;
    w.click("#nav-queues").await;
    w.wait_text("#queue-returned", |t| t.contains(&number))
        .await;
    w.screenshot("11-queues").await;
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{number} td")).await;
    // The supplement lists what the notice still waits for, each ticked.
    let awaited = w.wait_text("#brought-materials", |t| !t.is_empty()).await;
    assert!(awaited.contains("户口簿"), "{awaited}");
    w.scroll_to("#brought-materials").await;
    w.screenshot("10b-supplement").await;
    w.click("#act-supplement").await;
    w.wait_attr("#detail-status", "data-status", "supplemented")
        .await;
    w.click("#sync-now").await;

    w.close().await;

    // A supervisor's desk accepts it and reports it up: a 残疾人证 is the county's to decide.
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let mut seen = false;
    for _ in 0..20 {
        supervisor.sync();
        if supervisor.show_status(&number).as_deref() == Some("supplemented") {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(seen, "the supervisor's desk never received the supplement");
    supervisor.ok(&["case", "accept", &number]);
    supervisor.ok(&["case", "forward", &number, "--reason", "材料齐全，同意上报"]);
    supervisor.sync();

    // The county desk's window opens on its queue, where the reported case waits; it offers
    // the county's moves and nothing of the window's.
    let county = Desk::enroll_as(&hub, "450721000", "周敏", "county");
    county.sync();
    let cw = Window::launch(&county.path()).await;
    cw.find("#signin-form").await;
    cw.sign_in("周敏", PASSWORD).await;
    cw.wait_text("#queue-awaiting", |t| t.contains(&number))
        .await;
    assert!(
        !cw.exists("#nav-intake").await,
        "a county desk registers nothing"
    );
    cw.screenshot("24-county-queue").await;
    cw.click("#queue-awaiting button.link").await;
    cw.find("#act-send-back").await;
    assert!(cw.exists("#act-approve").await && cw.exists("#act-reject").await);
    assert!(!cw.exists("#act-deliver").await && !cw.exists("#act-complete").await);
    // The county reads the case; it neither edits the applicant's details nor attaches scans.
    assert!(!cw.exists("#edit-phone").await && !cw.exists("#attach-pages").await);
    cw.scroll_to("#act-send-back").await;
    cw.screenshot("25-county-detail").await;
    cw.click("#act-approve").await;
    cw.wait_text("#detail-status", |t| t.contains("已批准"))
        .await;
    cw.click("#sync-now").await;
    cw.wait_attr("#sync-state", "data-state", "online").await;
    cw.close().await;
    county.sync();

    let w = Window::launch(&profile.path()).await;
    w.find("#signin-form").await;
    w.sign_in("李明", PASSWORD).await;
    // The clerk sees the approval after syncing.
    let mut approved = false;
    for _ in 0..20 {
        w.click("#sync-now").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        w.click("#nav-cases").await;
        w.click(&format!("#case-row-{number} td")).await;
        w.find("#detail-number").await;
        if w.attr_once_set("#detail-status", "data-status").await == "approved" {
            approved = true;
            break;
        }
    }
    assert!(approved, "the clerk's window never showed the approval");
    w.wait_text("#timeline", |t| {
        t.contains("周敏") && t.contains("上报县级部门")
    })
    .await;
    // What was decided on is not edited in place; the phone still is.
    assert!(!w.exists("#edit-name").await);
    assert!(w.exists("#edit-phone").await);
    // Twenty working days from today reach a year without a published holiday schedule.
    let provisional = w.find("#detail-provisional").await;
    assert!(
        provisional.is_displayed().await.unwrap(),
        "the date is not marked provisional"
    );
    w.screenshot("12-approved").await;
    w.close().await;

    // A case with the household register still missing: the supervisor's window offers to
    // accept it under 容缺 with the applicant's commitment and a deadline, and nothing less.
    let intake = Desk::enroll(&hub, TOWNSHIP, "赵丽");
    let deferred = intake.ok(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "黄秀兰",
        "--id-number",
        "450721198806152311",
        "--received",
        "ID_CARD,ENROL_FORM",
    ]);
    let complete = intake.ok(&[
        "case",
        "register",
        "--item",
        "YL01",
        "--name",
        "韦丽萍",
        "--id-number",
        "11010519491231002X",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
    ]);
    intake.sync();

    // The county reset the supervisor's password: the password it set opens nothing but the
    // change to one of their own, which the window asks for there and then.
    let temporary = "County-reset-4471";
    let reset = hub
        .admin_command(&[
            "user",
            "reset-password",
            "--township",
            TOWNSHIP,
            "--user",
            "张华",
        ])
        .env("TONGBAN_PASSWORD", temporary)
        .output()
        .unwrap();
    assert!(
        reset.status.success(),
        "{}",
        tongban_e2e::text(&reset.stderr)
    );
    // The supervisor's window shows who saw and changed the case, the clerk's unmask included.
    supervisor.sync();
    let w = Window::launch(&supervisor.path()).await;
    w.find("#signin-form").await;
    w.sign_in("张华", temporary).await;
    let asked = w.wait_text("#form-error", |t| !t.is_empty()).await;
    assert!(asked.contains("请先修改为自己的密码"), "{asked}");
    w.type_into("#signin-new", "password123").await;
    w.type_into("#signin-new2", "password123").await;
    w.click("#signin-submit").await;
    w.wait_text("#form-error", |t| t.contains("常用密码")).await;
    w.screenshot("18-password-change").await;
    w.type_into("#signin-new", "Zhang-hua-window-27").await;
    w.type_into("#signin-new2", "Zhang-hua-window-27").await;
    w.click("#signin-submit").await;
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{deferred} td")).await;
    let offer = w
        .wait_text("#defer-materials", |t| t.contains("户口簿"))
        .await;
    assert!(offer.contains("容缺受理"), "{offer}");
    w.click("#act-accept").await;
    let refusal = w.wait_text("#act-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("承诺"), "{refusal}");
    w.type_into("#act-reason", "申请人承诺一周内补交户口簿")
        .await;
    w.click("#act-accept").await;
    let refusal = w.wait_text("#act-error", |t| t.contains("补交期限")).await;
    assert!(refusal.contains("30天"), "{refusal}");
    w.scroll_to("#act-error").await;
    w.screenshot("17-deferral").await;
    // Or refuses it at intake: a matter of another organ, named, with the reasons.
    w.click("#ground-out_of_scope").await;
    w.type_into("#act-reason", "申请人户籍不在本镇").await;
    w.click("#act-refuse-intake").await;
    let refusal = w.wait_text("#act-error", |t| t.contains("哪一机关")).await;
    assert!(refusal.contains("职权范围"), "{refusal}");
    w.type_into("#refer-to", "灵山县民政局").await;
    w.type_into("#act-reason", "申请人户籍不在本镇").await;
    w.click("#act-refuse-intake").await;
    w.wait_text("#detail-status", |t| t.contains("不予受理"))
        .await;
    w.wait_text("#timeline", |t| t.contains("不予受理")).await;
    w.find("#print-refusal").await;
    assert!(!w.exists("#print-decision").await);
    w.screenshot("20-intake-refused").await;
    // A complete application: accepted, then its limit extended once with the days and reason.
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{complete} td")).await;
    w.click("#act-accept").await;
    w.wait_text("#detail-status", |t| t.contains("已受理"))
        .await;
    let before = w.wait_text("#detail-deadline", |t| t.contains('-')).await;
    w.type_into("#extend-days", "5").await;
    w.type_into("#act-reason", "需入户调查核实").await;
    w.click("#act-extend").await;
    w.wait_text("#timeline", |t| t.contains("延长工作日：5"))
        .await;
    let after = w.wait_text("#detail-deadline", |t| *t != before).await;
    assert!(after > before, "{before} → {after}");
    w.scroll_to("#timeline").await;
    w.screenshot("21-extended").await;
    // 中止 for a site check: the clock stops and the notice can be printed; then resumed,
    // approved, and the decision delivered by post with its tracking number.
    w.type_into("#act-reason", "需对申请人所在村开展现场核查")
        .await;
    w.click("#act-suspend").await;
    w.wait_text("#detail-status", |t| t.contains("中止办理"))
        .await;
    w.find("#print-suspension").await;
    assert!(
        !w.exists("#act-approve").await,
        "a suspended case is not decided"
    );
    w.scroll_to("#actions").await;
    w.screenshot("22-suspended").await;
    w.click("#act-resume").await;
    w.wait_text("#detail-status", |t| t.contains("已受理"))
        .await;
    w.click("#act-approve").await;
    w.wait_text("#detail-status", |t| t.contains("已批准"))
        .await;
    w.wait_text("#detail-delivery-due", |t| t.contains('-'))
        .await;
    w.click("#method-post").await;
    w.click("#act-deliver").await;
    let refusal = w.wait_text("#act-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("邮件单号"), "{refusal}");
    w.type_into("#delivery-tracking", "EMS1234567890CN").await;
    w.click("#act-deliver").await;
    let timeline = w
        .wait_text("#timeline", |t| t.contains("EMS1234567890CN"))
        .await;
    assert!(timeline.contains("邮寄送达"), "{timeline}");
    assert!(!w.exists("#act-deliver").await, "delivered once");
    assert!(
        !w.exists("#detail-delivery-due").await,
        "delivered: no date left"
    );
    // A supervisor edits nothing in place (a fact is corrected, 更正).
    assert!(!w.exists("#edit-name").await && !w.exists("#edit-phone").await);
    w.find("#print-acceptance").await;
    w.scroll_to("#timeline").await;
    w.screenshot("23-delivered").await;
    w.click("#nav-cases").await;
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{number} td")).await;
    w.click("#show-audit").await;
    let trail = w
        .wait_text("#audit-rows", |t| t.contains("查看完整证件号"))
        .await;
    assert!(trail.contains("李明") && trail.contains("登记"), "{trail}");
    // The supervisor's own acceptance and report; the county's decision is in the county's log.
    assert!(w.exists(".audit-row[data-action='transition']").await);
    w.scroll_to("#audit-rows").await;
    w.screenshot("15-audit").await;
    w.close().await;

    // A field worker's window: the shell sends the applicant's ID number and phone masked, so
    // neither the screen's source nor anything the window receives holds them whole, and the
    // unmask is refused to the role.
    let field = Desk::enroll_as(&hub, TOWNSHIP, "黄勇", "field");
    let theirs = field.register("韦国强", "11010519491231002X", "13907712345");
    // A 低保 application the field worker took in the village, accepted at the township.
    let household = field.ok(&[
        "case",
        "register",
        "--item",
        "DB01",
        "--name",
        "蒙小燕",
        "--id-number",
        "450721198806152311",
        "--address",
        "檀圩镇金鸡村六队",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,APPLICATION,INCOME_STATEMENT,CHECK_AUTHORISATION",
    ]);
    field.sync();
    let head = Desk::enroll_as(&hub, TOWNSHIP, "陈刚", "supervisor");
    head.sync();
    head.ok(&["case", "accept", &household]);
    head.sync();
    field.sync();
    let w = Window::launch(&field.path()).await;
    w.find("#signin-form").await;
    w.sign_in("黄勇", PASSWORD).await;
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{theirs} td")).await;
    let shown = w.wait_text("#detail-id", |t| t.contains('*')).await;
    assert!(
        shown.starts_with("110105") && shown.ends_with("002X"),
        "{shown}"
    );
    let received = w
        .invoke("case_detail", serde_json::json!({ "number": theirs }))
        .await
        .to_string();
    let source = w.source().await;
    for whole in ["11010519491231002X", "13907712345"] {
        assert!(!source.contains(whole), "the page source holds {whole}");
        assert!(
            !received.contains(whole),
            "the window received {whole}: {received}"
        );
    }
    assert!(received.contains("110105********002X"), "{received}");
    let unmask = w
        .invoke("unmask", serde_json::json!({ "number": theirs }))
        .await;
    assert!(
        unmask["err"]["zh"]
            .as_str()
            .is_some_and(|t| t.contains("无权")),
        "{unmask}"
    );
    w.screenshot("19-field-masked").await;

    // The 公示 kit on the field laptop: the home visit recorded where it happened, the 公示 with
    // the household's size and the proposed amount, and the list printed for the village board.
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{household} td")).await;
    w.click("#step-home_visit").await;
    w.type_into("#visit-members", "蒙秀兰:配偶，蒙小明:长子")
        .await;
    w.type_into("#act-reason", "二人入户：家中三口人，户主患慢性病")
        .await;
    w.click("#act-record-step").await;
    w.wait_text("#timeline", |t| t.contains("蒙小明（长子）"))
        .await;
    w.click("#step-publicity").await;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let today = tongban_domain::calendar::date_text(today);
    w.set_input("#publicity-from", &today).await;
    w.type_into("#publicity-household", "0").await;
    w.type_into("#act-reason", "在金鸡村村务公开栏公示").await;
    w.click("#act-record-step").await;
    let refusal = w.wait_text("#act-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("家庭人口"), "{refusal}");
    w.type_into("#publicity-household", "3").await;
    w.type_into("#publicity-amount", "520").await;
    w.click("#act-record-step").await;
    w.wait_text("#timeline", |t| t.contains("520")).await;
    w.click("#print-publicity").await;
    w.wait_text("#print-result", |t| t.ends_with("publicity.pdf"))
        .await;
    w.scroll_to("#assistance-step").await;
    w.screenshot("26-field-publicity").await;
    w.close().await;

    // A second desk of the township sees it after syncing.
    let other = Desk::enroll(&hub, TOWNSHIP, "王芳");
    other.sync();
    let seen = other.show_whole(&number);
    assert_eq!(seen["applicant"]["name"], "覃秀梅");
    assert_eq!(seen["applicant"]["phone"], "13812345678");
    assert_eq!(seen["clerk"], "李明");

    // The seeded applicant, and the half-typed draft, readable nowhere the desks, the window or
    // the hub wrote: databases and their write-ahead logs, key files, scans, logs, and the
    // webview's storage and cache.
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let webview = [
        home.join(".local/share/cn.tongban.desk"),
        home.join(".cache/cn.tongban.desk"),
    ];
    assert!(
        webview.iter().any(|d| d.exists()),
        "the webview kept no data under {}",
        home.display()
    );
    assert!(tongban_e2e::window::log_path(&profile.path()).exists());
    let hub_log = hub.log_path();
    let mut roots = vec![profile.root(), supervisor.root(), other.root(), &hub_log];
    roots.extend(webview.iter().map(PathBuf::as_path));
    let read = canary::assert_absent(
        &roots,
        &["覃秀梅", "450721198806152311", "13812345678", "韦国强"],
    );
    assert!(read > 10, "only {read} files scanned");
}

/// A supervisor's dashboard and 电子监察 warnings in the real window: cases accepted twelve days
/// ago (on a clock set back) are red; signing in raises one notification and shows the badge;
/// a case another supervisor accepted back then arrives with a sync, raises its own notification
/// through the shell's notification call and moves the badge; the dashboard's figures open the
/// cases behind them, its chart is drawn, and the report is written as PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_the_figures_and_hears_of_cases_turning_red() {
    use tongban_e2e::Clock;
    let clock = Clock::new();
    clock.set_days_behind(12);
    let hub = Hub::start_on(Backend::Sqlite, &clock);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let other = Desk::enroll_as(&hub, TOWNSHIP, "黄丽", "supervisor");
    let register = |name: &str| {
        clerk.ok(&[
            "case",
            "register",
            "--item",
            "YL01",
            "--name",
            name,
            "--id-number",
            "450721198806152311",
            "--received",
            "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
        ])
    };
    let first = register("覃秀梅");
    let second = register("韦国强");
    clerk.sync();
    supervisor.sync();
    other.sync();
    supervisor.ok(&["case", "accept", &first]);
    supervisor.sync();
    other.ok(&["case", "accept", &second]);
    // Back to today: both promises (five working days) have long passed.
    clock.set_days_ahead(0);
    // 黄丽 works at this desk too, so a case can be handed to her here.
    supervisor.assign(&hub, "黄丽", "supervisor");

    let w = Window::launch_with(&supervisor.path(), &[("TONGBAN_NO_VIEWER", "1")]).await;
    w.type_into("#signin-user", "张华").await;
    w.type_into("#signin-password", PASSWORD).await;
    w.click("#signin-submit").await;
    w.wait_text("#warning-badge", |t| t == "1").await;
    // The shell's notification calls, as it kept them (the test display has no daemon).
    let raised = || async {
        let answer = w.invoke("notifications", serde_json::json!({})).await;
        answer["ok"].as_array().cloned().unwrap_or_default()
    };
    let said = |raised: &[serde_json::Value], what: &str| {
        raised
            .iter()
            .any(|n| n["body"].as_str().is_some_and(|b| b.contains(what)))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !said(&raised().await, "1件已超期") {
        assert!(
            std::time::Instant::now() < deadline,
            "no notification at sign-in: {:?}",
            raised().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    // The other supervisor's acceptance arrives: the case is red on arrival.
    other.sync();
    w.click("#sync-now").await;
    w.wait_text("#warning-badge", |t| t == "2").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !said(&raised().await, &second) {
        assert!(
            std::time::Instant::now() < deadline,
            "no notification for {second}: {:?}",
            raised().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let all = raised().await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        !said(&all, &first),
        "the first case was told once, in the summary"
    );

    // The dashboard: the period from before the cases, every figure opens its cases.
    w.click("#nav-figures").await;
    w.find("#figures-totals").await;
    let since = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        - time::Duration::days(13);
    w.set_input("#figures-from", &tongban_domain::calendar::date_text(since))
        .await;
    w.click("#figures-load").await;
    w.wait_text("#fig-received .value", |t| t == "2").await;
    assert_eq!(w.text("#fig-accepted .value").await, "2");
    assert_eq!(w.text("#fig-overdue .value").await, "2");
    assert!(w.exists("#figures-chart rect").await, "the chart is drawn");
    w.click("#fig-overdue").await;
    w.wait_text("#figure-cases-count", |t| t == "2").await;
    w.find(&format!("#figure-case-{first}")).await;
    w.find(&format!("#figure-case-{second}")).await;
    w.click("#group-YL01-received").await;
    w.wait_text("#figure-cases-count", |t| t == "2").await;
    w.screenshot("28-dashboard").await;
    w.click("#figures-pdf").await;
    let written = w
        .wait_text("#figures-exported", |t| t.ends_with(".pdf"))
        .await;
    assert!(std::path::Path::new(&written).exists(), "{written}");

    // A supervisor hands a case to a colleague from its detail: the name is required.
    w.click("#nav-cases").await;
    w.click(&format!("#case-row-{first} td")).await;
    w.find("#act-reassign").await;
    w.click("#act-reassign").await;
    let refusal = w.wait_text("#act-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("改派"), "{refusal}");
    w.type_into("#reassign-to", "黄丽").await;
    w.screenshot("35-reassign").await;
    w.click("#act-reassign").await;
    w.wait_text("#timeline", |t| t.contains("改派")).await;
    w.close().await;
}

/// The archive screen in the real window: a finished case is listed, its package exported with
/// its 档号, and "check a package" shows the 四性 table — every row passing for the package as
/// written, and the stray file a hand left in it failing its own row, naming the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_exports_a_finished_case_and_checks_its_package() {
    let hub = Hub::start(Backend::Sqlite);
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
        "450721198806152311",
        "--received",
        "ID_CARD,HOUSEHOLD_REGISTER,ENROL_FORM",
    ]);
    clerk.sync();
    supervisor.sync();
    supervisor.ok(&["case", "accept", &number]);
    supervisor.ok(&["case", "approve", &number]);
    supervisor.ok(&["case", "complete", &number]);
    supervisor.sync();
    // The applicant rates the service badly on the hub's page (as its JSON for portals).
    let code = clerk.query_code(&number);
    // A blocking client, kept off the test's runtime.
    let rating = serde_json::json!({"level": "very_dissatisfied", "reason": "repeated_visits"});
    let rated = tokio::task::block_in_place(|| hub.rate(&number, &code, rating));
    assert_eq!(rated, 200);
    supervisor.sync();

    let w = Window::launch_with(&supervisor.path(), &[("TONGBAN_NO_VIEWER", "1")]).await;
    w.sign_in("张华", PASSWORD).await;
    // The 差评 waits in the supervisor's queue; it is closed from the case with the follow-up
    // and what was done, and leaves the queue.
    w.click("#nav-queues").await;
    w.wait_text("#queue-rectify", |t| {
        t.contains(&number) && t.contains("整改期限")
    })
    .await;
    w.screenshot("31-queue-rectify").await;
    w.click("#queue-rectify button.link").await;
    w.find("#act-rectify").await;
    w.click("#act-rectify").await;
    let refusal = w.wait_text("#act-error", |t| !t.is_empty()).await;
    assert!(refusal.contains("回访情况"), "{refusal}");
    w.type_into("#rectify-follow-up", "电话回访，申请人认可")
        .await;
    w.type_into("#rectify-action", "材料清单张贴上墙，一次告知")
        .await;
    w.scroll_to("#act-rectify").await;
    w.screenshot("32-rectify-form").await;
    w.click("#act-rectify").await;
    w.wait_text("#timeline", |t| {
        t.contains("差评整改") && t.contains("一次告知")
    })
    .await;
    assert!(w.text("#timeline").await.contains("多次跑动"));
    w.scroll_to("#timeline").await;
    w.screenshot("33-rectified-timeline").await;
    w.click("#nav-queues").await;
    w.wait_text("#queue-rectify .count", |t| t == "0").await;
    w.click("#nav-archive").await;
    w.find(&format!("#archived-{number}")).await;
    w.click(&format!("#archive-export-{number}")).await;
    let written = w
        .wait_text("#archive-exported", |t| t.contains(&number))
        .await;
    let dir = PathBuf::from(written.split_whitespace().last().unwrap());
    assert!(dir.join("bagit.txt").is_file(), "{}", dir.display());
    w.wait_text(&format!("#archived-{number} td.code"), |t| {
        t.starts_with("Z450721-")
    })
    .await;
    w.wait_value("#archive-path", dir.to_str().unwrap()).await;
    w.click("#archive-check").await;
    let summary = w
        .wait_text("#archive-summary", |t| t.contains("不合格 0"))
        .await;
    assert!(summary.contains(&number), "{summary}");
    assert!(
        w.exists("#archive-report tr[data-check='record-signature'].pass")
            .await
    );
    assert!(w.text("#archive-signed").await.contains("檀圩镇"));
    w.screenshot("29-archive-check").await;
    // A window made to send a path for a case number removes and writes nothing outside the
    // archives folder: the number is checked before it names a folder.
    let bystander = supervisor.path().join("keep-me");
    std::fs::create_dir_all(bystander.join("inside")).unwrap();
    let refused = w
        .invoke(
            "archive_export",
            serde_json::json!({ "number": "../keep-me" }),
        )
        .await;
    assert!(
        refused["ok"].is_null() && !refused["err"].is_null(),
        "{refused}"
    );
    assert!(
        bystander.join("inside").is_dir(),
        "the export removed a folder outside its own"
    );

    // A file left in the package: its row fails and names it, at the preservation stage too.
    std::fs::write(dir.join(".notes"), b"left here").unwrap();
    w.click("#archive-stage option[value='bc']").await;
    w.click("#archive-check").await;
    w.wait_text("#archive-summary", |t| t.contains("不合格 1"))
        .await;
    let failed = w
        .text("#archive-report tr.fail[data-check='stray-files'] td.detail")
        .await;
    assert!(failed.contains(".notes"), "{failed}");
    assert!(
        w.text("#archive-report tr.fail td")
            .await
            .starts_with("BC-")
    );
    w.scroll_to("#archive-report tr.fail").await;
    w.screenshot("30-archive-check-fail").await;
    w.close().await;
}

/// The window opens as large as it was left, the next time; what it keeps of that lies beside
/// the profile folder, which stays empty for the enrolment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_opens_as_large_as_it_was_left() {
    let profile = Desk::unenrolled();
    let w = Window::launch(&profile.path()).await;
    w.find("#enrol-form").await;
    let first = w.client.get_window_size().await.unwrap();
    let wanted = (first.0 as u32 - 137, first.1 as u32 - 91);
    w.client.set_window_size(wanted.0, wanted.1).await.unwrap();
    let resized = w.client.get_window_size().await.unwrap();
    assert_eq!(resized, (u64::from(wanted.0), u64::from(wanted.1)));
    w.close().await;

    let w = Window::launch(&profile.path()).await;
    w.find("#enrol-form").await;
    assert_eq!(w.client.get_window_size().await.unwrap(), resized);
    w.screenshot("34-window-as-left").await;
    w.close().await;
    let inside: Vec<_> = std::fs::read_dir(profile.path())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(inside.is_empty(), "{inside:?}");
}

/// The desktop's Debian package (scripts/bundle) declares what the window needs, installs with
/// dpkg, starts from where it installed under WebDriver and signs in to a desk, and is removed
/// cleanly, leaving the desk's profile in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debian_package_installs_runs_and_leaves_the_profile_when_removed() {
    use std::process::Command;
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let bundled = Command::new("bash")
        .arg(root.join("scripts/bundle"))
        .arg("--debug")
        .output()
        .unwrap();
    assert!(bundled.status.success(), "{bundled:?}");
    let deb = root.join(String::from_utf8(bundled.stdout).unwrap().trim());
    let field = |name: &str| {
        let out = Command::new("dpkg-deb")
            .arg("-f")
            .arg(&deb)
            .arg(name)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let depends = field("Depends");
    for needed in ["libwebkit2gtk-4.1-0", "fonts-wqy-microhei", "gnome-keyring"] {
        assert!(depends.contains(needed), "{depends}");
    }
    assert_eq!(field("Package").trim(), "tongban");

    // Removed again whatever the test finds, so the machine is left as it was.
    struct Installed;
    impl Drop for Installed {
        fn drop(&mut self) {
            let _ = Command::new("dpkg").args(["-r", "tongban"]).output();
        }
    }
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let installed = Command::new("dpkg").arg("-i").arg(&deb).output().unwrap();
    let guard = Installed;
    assert!(
        installed.status.success(),
        "dpkg -i (as root): {installed:?}"
    );
    let app = std::path::Path::new("/usr/bin/tongban-desktop");
    assert!(app.is_file());
    assert!(std::path::Path::new("/usr/share/applications/tongban.desktop").is_file());

    let w = Window::launch_app(app, &desk.path(), &[("TONGBAN_NO_VIEWER", "1")]).await;
    w.sign_in("李明", PASSWORD).await;
    w.find("#item-search").await;
    w.screenshot("36-installed-package").await;
    w.close().await;

    let removed = Command::new("dpkg")
        .args(["-r", "tongban"])
        .output()
        .unwrap();
    assert!(removed.status.success(), "{removed:?}");
    drop(guard);
    assert!(!app.exists(), "the package left its binary");
    let state = Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}", "tongban"])
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&state.stdout), "installed");
    // The desk is the person's, not the package's: it opens as before.
    let status = desk.ok(&["status", "--json"]);
    assert!(status.contains(TOWNSHIP), "{status}");
}
