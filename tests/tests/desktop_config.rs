//! The desktop's security configuration stays strict: a tight content security policy, no
//! remote origins, no plugins, capabilities for the one local window only. And a newcomer's
//! first run: `scripts/run` installs only what running needs, and on a machine without a
//! display serves the hub and the command-line desk instead of an invisible window.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use serde_json::Value;
use std::path::Path;

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn content_security_policy_is_strict() {
    let config = json(&root().join("tauri.conf.json"));
    let security = &config["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none()
    );
    assert!(
        config["build"].get("devUrl").is_none(),
        "no dev server in the shipped config"
    );
    let csp = security["csp"].as_str().expect("a CSP is set");
    let directives: Vec<(&str, Vec<&str>)> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut parts = d.split_whitespace();
            (parts.next().unwrap(), parts.collect())
        })
        .collect();
    let get = |name: &str| {
        directives
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("CSP lacks {name}"))
    };
    assert_eq!(get("default-src"), vec!["'self'"]);
    assert_eq!(get("script-src"), vec!["'self'", "'wasm-unsafe-eval'"]);
    assert_eq!(get("object-src"), vec!["'none'"]);
    assert_eq!(get("frame-ancestors"), vec!["'none'"]);
    for (name, sources) in &directives {
        for source in sources {
            assert!(
                !matches!(
                    *source,
                    "'unsafe-eval'" | "'unsafe-inline'" | "*" | "data:" | "blob:"
                ) || (*name == "img-src" && *source == "data:"),
                "{name} allows {source}"
            );
            let remote = source.starts_with("http") && *source != "http://ipc.localhost";
            assert!(!remote, "{name} allows the remote origin {source}");
        }
    }
}

#[test]
fn capabilities_are_local_and_minimal() {
    let dir = root().join("src-tauri/capabilities");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let capability = json(&entry.unwrap().path());
        seen += 1;
        assert!(
            capability.get("remote").is_none(),
            "no remote URL may reach IPC"
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        for permission in capability["permissions"].as_array().unwrap() {
            let name = permission.as_str().unwrap_or_default();
            assert!(
                ["core:event:default"].contains(&name),
                "unexpected permission {permission}"
            );
        }
    }
    assert_eq!(seen, 1);
}

/// What `scripts/install-deps` would see to, one item a line, for `what`.
fn dependencies(what: &str) -> Vec<String> {
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/install-deps"))
        .args([what, "--list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_run_command_installs_only_what_running_needs() {
    let run = dependencies("run");
    let all = dependencies("test");
    for only_tests in [
        "apt:postgresql",
        "apt:chromium",
        "apt:chromium-driver",
        "apt:webkit2gtk-driver",
        "apt:xvfb",
        "apt:libfaketime",
        "rust:nightly",
        "cargo:cargo-fuzz",
        "cargo:tauri-driver",
        "cargo:cargo-deb",
        "pip:bagit",
    ] {
        assert!(
            !run.iter().any(|d| d == only_tests),
            "run installs {only_tests}"
        );
        assert!(
            all.iter().any(|d| d == only_tests),
            "the tests lack {only_tests}"
        );
    }
    for needed in [
        "apt:libwebkit2gtk-4.1-dev",
        "apt:fonts-wqy-microhei",
        "apt:gnome-keyring",
        "rust:wasm32-unknown-unknown",
        "cargo:wasm-bindgen-cli",
    ] {
        assert!(run.iter().any(|d| d == needed), "run lacks {needed}");
    }
    assert!(run.iter().all(|d| all.contains(d)));
    let script = std::fs::read_to_string(root().join("scripts/run")).unwrap();
    assert!(
        script.contains("\nscripts/install-deps run\n"),
        "scripts/run installs more"
    );
}

/// Without a display, `scripts/run` starts the hub and the demo desk, says there is no window,
/// and keeps serving until it is stopped.
#[test]
fn without_a_display_the_run_command_serves_the_hub_and_the_command_line_desk() {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let demo = tempfile::tempdir().unwrap();
    let mut run = Command::new("bash")
        .arg(root().join("scripts/run"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("TONGBAN_DEMO_DIR", demo.path())
        .env("TONGBAN_DEMO_LISTEN", "127.0.0.1:0")
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Whatever the test finds, the script and the hub it started stop with it.
    struct Stopped(u32);
    impl Drop for Stopped {
        fn drop(&mut self) {
            let group = format!("-{}", self.0);
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        }
    }
    let stop = Stopped(run.id());
    let (said, heard) = std::sync::mpsc::channel();
    let out = run.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if said.send(line).is_err() {
                break;
            }
        }
    });
    let mut text = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !text.contains("按 Ctrl+C 结束") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match heard.recv_timeout(left) {
            Ok(line) => text.push_str(&format!("{line}\n")),
            Err(e) => panic!("scripts/run said no more ({e}):\n{text}"),
        }
    }
    assert!(text.contains("no window opens"), "{text}");
    assert!(!text.contains("Closing it stops the hub"), "{text}");
    // The command-line desk it set up answers, with the demo cases.
    let desk = Command::new(tongban_e2e::bin("tongban"))
        .arg("--profile")
        .arg(demo.path().join("desk"))
        .args(["case", "list", "--json"])
        .env("TONGBAN_PASSWORD", "demo-pass-2026")
        .output()
        .unwrap();
    assert!(desk.status.success(), "{desk:?}");
    let listed = String::from_utf8_lossy(&desk.stdout);
    assert!(listed.contains("覃秀梅"), "{listed}");
    // Still serving: it stops only when told.
    assert!(run.try_wait().unwrap().is_none(), "{text}");
    drop(stop);
    run.wait().unwrap();
}
