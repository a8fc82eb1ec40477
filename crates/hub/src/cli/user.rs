//! `tongban-hub user …`: a township's accounts.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use tongban_hub::account_db::ChangeKind;
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
    /// Stop an account: desks drop it at their next sync, the hub refuses its later events.
    Disable(Account),
    /// Let a disabled account act again.
    Enable(Account),
    /// Give an account another role (the role it held before stays on record).
    Role {
        #[command(flatten)]
        account: Account,
        #[arg(long)]
        role: tongban_domain::Role,
    },
    /// Every change to the township's accounts: when, what, by whom.
    History {
        #[arg(long)]
        township: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct Account {
    #[arg(long)]
    township: String,
    #[arg(long)]
    user: String,
}

/// Who runs the command, for the account's history.
fn operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

async fn change<D: HubDb>(
    hub: &Hub<D>,
    account: Account,
    kind: ChangeKind,
    role: Option<tongban_domain::Role>,
) -> Result<()> {
    hub.change_account(&account.township, &account.user, kind, role, &operator())
        .await?;
    println!(
        "{} {} {}{} / 账户已更新",
        account.township,
        account.user.trim(),
        kind.as_str(),
        role.map(|r| format!(" {r}")).unwrap_or_default()
    );
    Ok(())
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
                    operator: &operator(),
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
                let state = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{}\t{}\t{factor}\t{state}", u.name, u.role);
            }
        }
        UserCommand::Disable(a) => change(hub, a, ChangeKind::Disabled, None).await?,
        UserCommand::Enable(a) => change(hub, a, ChangeKind::Enabled, None).await?,
        UserCommand::Role { account, role } => {
            change(hub, account, ChangeKind::Role, Some(role)).await?;
        }
        UserCommand::History { township, json } => {
            let changes = hub.account_history(&township).await?;
            if json {
                let rows: Vec<serde_json::Value> = changes
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "user": c.name, "at_ms": c.at_ms, "change": c.kind.as_str(),
                            "role": c.role, "operator": c.operator,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for c in changes {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        c.at_ms,
                        c.name,
                        c.kind.as_str(),
                        c.role.as_deref().unwrap_or("-"),
                        c.operator
                    );
                }
            }
        }
    }
    Ok(())
}
