//! A department's system (人社, 民政, 医保 …) as a separate process speaking the documented
//! exchange protocol: signed requests over pinned TLS, the hub's answer checked against its
//! audit key, released files fetched and checked. The end-to-end tests drive it; an operator
//! can use it to try a department's registration.
//!
//! ```text
//! department keygen --key-file FILE          # prints the public key to register
//! department request --hub URL --pin FP --audit-key HEX --code MZ01 --key-file FILE \
//!     --case NUMBER --person NAME --purpose TEXT [--basis TEXT] [--consent TEXT] \
//!     --scope package|material:CODE|field:NAME ... [--out DIR]
//! ```
//! `request` prints the answer as JSON and exits 0 whether released or refused; 1 when the hub
//! could not be asked or its answer does not hold.

use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::PathBuf;
use tongban_client::exchange;
use tongban_client::{HubClient, HubKey};
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::wire::ExchangeRequest;
use tongban_trust::{Fingerprint, Pins};

fn args() -> Result<(String, HashMap<String, Vec<String>>)> {
    let mut all = std::env::args().skip(1);
    let command = all.next().context("keygen or request")?;
    let mut named: HashMap<String, Vec<String>> = HashMap::new();
    while let Some(flag) = all.next() {
        let name = flag.strip_prefix("--").context("flags are --name value")?;
        let value = all
            .next()
            .with_context(|| format!("--{name} needs a value"))?;
        named.entry(name.to_owned()).or_default().push(value);
    }
    Ok((command, named))
}

fn one<'a>(named: &'a HashMap<String, Vec<String>>, name: &str) -> Result<&'a str> {
    match named.get(name).map(Vec::as_slice) {
        Some([value]) => Ok(value),
        _ => bail!("give --{name} once"),
    }
}

fn main() -> Result<()> {
    let (command, named) = args()?;
    let key_file = PathBuf::from(one(&named, "key-file")?);
    match command.as_str() {
        "keygen" => {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&key_file, hex::encode(secret))?;
            let key = SigningKey::from_bytes(&secret);
            println!("{}", hex::encode(key.verifying_key().to_bytes()));
            Ok(())
        }
        "request" => request(&named, &key_file),
        other => bail!("unknown command {other}: keygen or request"),
    }
}

fn request(named: &HashMap<String, Vec<String>>, key_file: &PathBuf) -> Result<()> {
    let secret: [u8; 32] = hex::decode(std::fs::read_to_string(key_file)?.trim())?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the key file holds no 32-byte key"))?;
    let audit_key = tongban_sync::auth::parse_public_key(one(named, "audit-key")?)
        .map_err(|e| anyhow::anyhow!("--audit-key: {e}"))?;
    let pin = Fingerprint::parse(one(named, "pin")?)?;
    let hub = HubClient::new(
        one(named, "hub")?,
        "",
        one(named, "code")?,
        SigningKey::from_bytes(&secret),
        HubKey {
            pins: Pins::new(pin, None),
            certificate: Vec::new(),
        },
    )?;
    let optional = |name: &str| one(named, name).map(str::to_owned).unwrap_or_default();
    let ask = ExchangeRequest {
        case: one(named, "case")?.to_owned(),
        person: optional("person"),
        purpose: optional("purpose"),
        legal_basis: optional("basis"),
        consent: optional("consent"),
        scope: named.get("scope").cloned().unwrap_or_default(),
    };
    let answer = exchange::request(&hub, &ask, &audit_key)?;
    let mut fetched = Vec::new();
    if let Some(out) = named.get("out").and_then(|v| v.first()) {
        for file in &answer.given.files {
            let bytes = exchange::fetch_file(&hub, &ask.case, answer.position, file)?;
            // Names come from the hub: kept to letters, digits and dashes before they name files.
            let safe: String = file
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let path = PathBuf::from(out).join(safe);
            std::fs::write(&path, &bytes)?;
            fetched.push(path.display().to_string());
        }
    }
    let report = serde_json::json!({
        "released": answer.released,
        "reason": answer.reason.as_ref().map(|t| t.zh.clone()),
        "reason_en": answer.reason.as_ref().map(|t| t.en.clone()),
        "position": answer.position,
        "fields": answer.given.fields,
        "files": answer.given.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
        "fetched": fetched,
        "entry": tongban_audit::SignedEvent::event(&answer.entry).ok(),
    });
    println!("{report}");
    Ok(())
}
