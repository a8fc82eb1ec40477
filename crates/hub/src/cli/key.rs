//! `tongban-hub key …`: the hub's key as desks pin it, and moving them to a new one. A rotation
//! has two steps: `rotate` makes (or takes) the next key, which the running hub announces to
//! every desk at its sync, signed by the current key; once every desk has synced, `promote`
//! makes it the hub's key and the hub is restarted.

use super::StoreArgs;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Print the fingerprint desks pin and where the keys are.
    Show,
    /// Prepare the next key: the given certificate and key, or a new self-signed one.
    Rotate {
        #[arg(long, requires = "next_key")]
        next_cert: Option<PathBuf>,
        #[arg(long, requires = "next_cert")]
        next_key: Option<PathBuf>,
    },
    /// Make the announced key the hub's key (restart the hub afterwards).
    Promote,
}

pub async fn run<D: HubDb>(hub: &Hub<D>, store: &StoreArgs, command: KeyCommand) -> Result<()> {
    let keys = store.keys()?;
    match command {
        KeyCommand::Show => {
            println!("{}", hub.identity.fingerprint);
            if let Some((next, _)) = &hub.identity.next {
                println!("next {next}");
            }
            // What departments check the hub's signed answers and log entries against.
            println!("audit {}", hub.audit.public_key());
            println!("keys in {}", keys.path().display());
        }
        KeyCommand::Rotate {
            next_cert,
            next_key,
        } => {
            let given = next_cert.as_deref().zip(next_key.as_deref());
            let next = keys.prepare_next_tls(given, &store.tls_names)?;
            println!(
                "next key {} announced to desks at their next sync; run `tongban-hub key promote` once all have synced / 新密钥已就绪，各设备同步后请执行 tongban-hub key promote",
                next.fingerprint
            );
        }
        KeyCommand::Promote => {
            let now = keys.promote_next_tls()?;
            println!(
                "the hub's key is now {}; restart the hub / 中心密钥已更换为{}，请重启中心",
                now.fingerprint, now.fingerprint
            );
        }
    }
    Ok(())
}
