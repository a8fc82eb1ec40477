//! `tongban-hub user …`: a township's accounts.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use tongban_hub::service::NewUser;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account; the password comes from TONGBAN_PASSWORD.
    Add {
        #[arg(long)]
        township: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: tongban_domain::Role,
        /// Also require a one-time code from an authenticator app; prints its otpauth:// address.
        #[arg(long)]
        totp: bool,
    },
    List {
        #[arg(long)]
        township: String,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            township,
            name,
            role,
            totp,
        } => {
            let password = zeroize::Zeroizing::new(std::env::var("TONGBAN_PASSWORD").map_err(|_| {
                anyhow!(
                    "set TONGBAN_PASSWORD to the new account's password / 请在环境变量 TONGBAN_PASSWORD 中提供新账户的密码"
                )
            })?);
            let secret = hub
                .add_user(NewUser {
                    township: &township,
                    name: &name,
                    role,
                    password: &password,
                    totp,
                })
                .await?;
            println!("{township} {} {role}", name.trim());
            if let Some(secret) = secret {
                println!(
                    "{}",
                    tongban_sync::totp::url(&secret, name.trim()).map_err(|e| anyhow!(e))?
                );
            }
        }
        UserCommand::List { township } => {
            for u in hub.db.users(&township).await? {
                let factor = if u.totp_secret.is_some() { "totp" } else { "-" };
                println!("{}\t{}\t{factor}", u.name, u.role);
            }
        }
    }
    Ok(())
}
