//! `tongban-hub device …`: the desks enrolled in a township.

use anyhow::Result;
use clap::Subcommand;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum DeviceCommand {
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
        DeviceCommand::List {
            township,
            json: true,
        } => {
            let devices: Vec<serde_json::Value> = hub
                .devices(&township)
                .await?
                .into_iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id, "serial": d.serial, "user": d.user, "label": d.label,
                        "revoked": d.revoked, "enrolled_at": d.enrolled_at,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&devices)?);
        }
        DeviceCommand::List {
            township,
            json: false,
        } => {
            for d in hub.devices(&township).await? {
                let state = if d.revoked { "revoked" } else { "active" };
                println!(
                    "{}\t{:03}\t{}\t{}\t{state}",
                    d.id, d.serial, d.user, d.label
                );
            }
        }
        DeviceCommand::Revoke { device } => {
            hub.revoke_device(&device).await?;
            println!("revoked {device}");
        }
    }
    Ok(())
}
