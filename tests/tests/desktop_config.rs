//! The desktop's security configuration stays strict: a tight content security policy, no
//! remote origins, no plugins, capabilities for the one local window only.
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
