//! A laptop reported lost is revoked at the hub: the window's next sync is refused, the desk's
//! data leaves the machine while the window is open, and the window returns to enrolment
//! saying why.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::window::Window;
use tongban_e2e::{Backend, Desk, Hub, PASSWORD, TOWNSHIP};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_desk_is_wiped_by_its_own_window() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = clerk.register("覃秀梅", "450721198806152311", "13812345678");
    clerk.sync();

    let w = Window::launch(&clerk.path()).await;
    w.sign_in("李明", PASSWORD).await;
    w.click("#nav-cases").await;
    w.find(&format!("#case-row-{number}")).await;
    w.wait_attr("#sync-state", "data-state", "online").await;

    hub.revoke_device_of(TOWNSHIP, "李明");
    w.click("#sync-now").await;
    w.find("#enrol-form").await;
    let said = w.wait_text("#problem", |t| !t.is_empty()).await;
    assert!(
        said.contains("吊销") && said.contains("本机数据已清除"),
        "{said}"
    );
    w.screenshot("16-revoked").await;
    assert!(
        !clerk.path().join("cases.db").exists() && !clerk.path().join("profile.json").exists(),
        "the revoked desk's files are still on the machine"
    );
    w.close().await;
    // Nothing is left to open, and no keyring entry waits for it.
    let gone = clerk.fails(&["check"]);
    assert!(gone.contains("no profile"), "{gone}");
}
