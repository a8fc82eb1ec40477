//! `tongban-hub device …`: the desks enrolled in a township.

use anyhow::Result;
use clap::Subcommand;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum DeviceCommand {
    List {
        #[arg(long)]
        township: String,
    },
    /// Refuse the desk from now on; its next sync deletes its data (on the hub's signed word).
    Revoke {
        #[arg(long)]
        device: String,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: DeviceCommand) -> Result<()> {
    match command {
        DeviceCommand::List { township } => {
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
