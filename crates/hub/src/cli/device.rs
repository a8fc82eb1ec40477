//! `tongban-hub device …`: the desks enrolled in a township.

use anyhow::Result;
use clap::Subcommand;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// The township's desks, with the version each ran at its last sync and when that was.
    List {
        #[arg(long)]
        township: String,
        #[arg(long)]
        json: bool,
    },
    /// Refuse the desk from now on; its next sync deletes its data (on the hub's signed word).
    Revoke {
        #[arg(long)]
        device: String,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: DeviceCommand) -> Result<()> {
    match command {
        DeviceCommand::List { township, json } => {
            let devices = hub.devices(&township).await?;
            let mut versions = hub.db.desk_versions(&township).await?;
            if json {
                let devices: Vec<serde_json::Value> = devices
                    .into_iter()
                    .map(|d| {
                        let (version, seen) = versions.remove(&d.id).unzip();
                        serde_json::json!({
                            "id": d.id, "serial": d.serial, "user": d.user, "label": d.label,
                            "revoked": d.revoked, "enrolled_at": d.enrolled_at,
                            "version": version, "last_sync_ms": seen,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&devices)?);
            } else {
                for d in devices {
                    let state = if d.revoked { "revoked" } else { "active" };
                    let (version, seen) = match versions.remove(&d.id) {
                        Some((version, at)) => (version, tongban_domain::desk::china_time_text(at)),
                        None => ("-".to_owned(), "never synced / 未同步".to_owned()),
                    };
                    println!(
                        "{}\t{:03}\t{}\t{}\t{state}\t{version}\t{seen}",
                        d.id, d.serial, d.user, d.label
                    );
                }
            }
        }
        DeviceCommand::Revoke { device } => {
            hub.revoke_device(&device).await?;
            println!("revoked {device}");
        }
    }
    Ok(())
}
