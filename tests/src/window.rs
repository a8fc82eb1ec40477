//! The real desktop app in a real WebKit window, driven through tauri-driver (WebDriver).
//! Runs under Xvfb and inside the keyring session of the test command.

use crate::bin_dir;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Screenshots of every screen land here, for people to look at.
pub fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output");
    std::fs::create_dir_all(&dir).expect("test-output folder");
    dir
}

/// Where the window's (and its driver's) output is written: beside the profile folder (a desk
/// enrols only into an empty one); scans for personal data read it too.
pub fn log_path(profile: &Path) -> PathBuf {
    let mut name = profile.file_name().unwrap_or_default().to_os_string();
    name.push("-desktop.log");
    profile.with_file_name(name)
}

#[derive(Debug, Clone, Copy)]
enum Reading<'a> {
    Text,
    Attribute(&'a str),
    Value,
}

pub struct Window {
    pub client: Client,
    driver: Child,
}

impl Window {
    /// Starts tauri-driver and, through it, the desktop app on `profile`.
    pub async fn launch(profile: &Path) -> Self {
        Self::launch_with(profile, &[]).await
    }

    /// As `launch`, with extra environment for the app (e.g. the first-run suggestions).
    pub async fn launch_with(profile: &Path, env: &[(&str, &str)]) -> Self {
        Self::launch_app(&bin_dir().join("tongban-desktop"), profile, env).await
    }

    /// The app at `app` (the one built here, or one a package installed) on `profile`.
    pub async fn launch_app(app: &Path, profile: &Path, env: &[(&str, &str)]) -> Self {
        assert!(app.exists(), "{} is not built", app.display());
        let (port, native) = (free_port(), free_port());
        // The app's own output (it inherits the driver's) is kept for the scan for personal data.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path(profile))
            .expect("desktop log");
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("TONGBAN_PROFILE", profile)
            .env("TONGBAN_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::from(log.try_clone().expect("desktop log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver)");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.display().to_string() }),
        );
        let client = ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with the app");
        Self { client, driver }
    }

    /// Headless Chromium through chromedriver (both Debian packages), trusting only the hub key
    /// whose SHA-256 (base64) is `spki_pin`, as a county officer's browser would after checking
    /// the fingerprint.
    pub async fn chromium(spki_pin: &str) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt: chromium-driver)");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1800",
                format!("--ignore-certificate-errors-spki-list={spki_pin}"),
            ] }),
        );
        let client = ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with Chromium");
        Self { client, driver }
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                self.keep_evidence().await;
                panic!("{css} did not appear: {e} (see test-output/failure.png and failure.html)");
            }
        }
    }

    /// What the window showed when a step failed.
    async fn keep_evidence(&self) {
        self.screenshot("failure").await;
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(output_dir().join("failure.html"), html);
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets an input's value as a picker would (a date field takes no typing under WebDriver)
    /// and tells the page.
    pub async fn set_input(&self, css: &str, value: &str) {
        let el = self.find(css).await;
        let arg = serde_json::to_value(&el).expect("element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![arg, value.into()],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// What of an element a wait looks at.
    async fn read(&self, css: &str, what: Reading<'_>) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        match what {
            Reading::Text => el.text().await.ok(),
            Reading::Attribute(name) => el.attr(name).await.ok().flatten(),
            Reading::Value => el.prop("value").await.ok().flatten(),
        }
    }

    /// Polls until what is read satisfies `test`; returns it, or keeps evidence and fails.
    async fn wait_for(&self, css: &str, what: Reading<'_>, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(seen) = self.read(css, what).await
                && test(&seen)
            {
                return seen;
            }
            if Instant::now() >= deadline {
                self.keep_evidence().await;
                panic!("{css} ({what:?}) never became what the test waits for");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the element's text satisfies `test`; returns the text.
    pub async fn wait_text(&self, css: &str, test: impl Fn(&str) -> bool) -> String {
        self.wait_for(css, Reading::Text, test).await
    }

    pub async fn wait_attr(&self, css: &str, attr: &str, value: &str) {
        self.wait_for(css, Reading::Attribute(attr), |v| v == value)
            .await;
    }

    /// Waits until the element carries `attr` with some value; returns the value.
    pub async fn attr_once_set(&self, css: &str, attr: &str) -> String {
        self.wait_for(css, Reading::Attribute(attr), |v| !v.is_empty())
            .await
    }

    /// Waits until an input's current value (the DOM property) is `value`.
    pub async fn wait_value(&self, css: &str, value: &str) {
        self.wait_for(css, Reading::Value, |v| v == value).await;
    }

    /// Brings an element into view, for a screenshot of what lies below the fold.
    pub async fn scroll_to(&self, css: &str) {
        let element = self.find(css).await;
        let arg = serde_json::to_value(&element).expect("element reference");
        self.client
            .execute("arguments[0].scrollIntoView({block: 'start'});", vec![arg])
            .await
            .expect("scroll");
    }

    /// Fills in and sends the sign-in form.
    pub async fn sign_in(&self, user: &str, password: &str) {
        self.type_into("#signin-user", user).await;
        self.type_into("#signin-password", password).await;
        self.click("#signin-submit").await;
    }

    /// The page's source as the webview holds it now.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Calls a shell command from inside the page, as the window's own code does, and returns
    /// what the shell answered (`{"ok": …}` or `{"err": …}`): what reaches the window.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let script = "const [command, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(command, args)
                .then(ok => done({ ok }), err => done({ err }));";
        self.client
            .execute_async(script, vec![command.into(), args])
            .await
            .unwrap_or_else(|e| panic!("invoke {command}: {e}"))
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(output_dir().join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
