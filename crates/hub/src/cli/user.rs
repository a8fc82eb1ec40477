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
        /// The township's code; a county officer (`--role county`) belongs to the county instead.
        #[arg(long, required_unless_present_any = ["county", "role"])]
        township: Option<String>,
        /// The county (6 digits) of a county officer, when the hub's townships lie in several.
        #[arg(long)]
        county: Option<String>,
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
    /// Set a new password (from TONGBAN_PASSWORD) with a new key; the person must choose their
    /// own at their next sign-in, and their old key signs nothing dated after now.
    ResetPassword(Account),
    /// Give the account a new authenticator secret; prints its otpauth:// address.
    ResetTotp(Account),
    /// Let a person work at a desk: it receives their account at its next sync.
    Assign(Assignment),
    /// Take a person off a desk: it drops their account at its next sync.
    Unassign(Assignment),
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

#[derive(clap::Args)]
pub struct Assignment {
    #[arg(long)]
    user: String,
    /// The desk's id, as `tongban-hub device list` or `tongban status` give it.
    #[arg(long)]
    device: String,
}

fn password_from_env(whose: &str) -> Result<zeroize::Zeroizing<String>> {
    std::env::var("TONGBAN_PASSWORD")
        .map(zeroize::Zeroizing::new)
        .map_err(|_| {
            anyhow!(
                "set TONGBAN_PASSWORD to the {whose} password / 请在环境变量 TONGBAN_PASSWORD 中提供密码"
            )
        })
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
            county,
            name,
            role,
            totp,
        } => {
            let county =
                county.or_else(|| (role.is_county() && township.is_none()).then(String::new));
            let township = hub.unit(township.as_deref(), county.as_deref()).await?;
            let password = password_from_env("new account's")?;
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
            let assignments = hub.db.assignments(&township).await?;
            for u in hub.db.users(&township).await? {
                let factor = if u.totp_secret.is_some() { "totp" } else { "-" };
                let state = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                // Accounts made before person keys sign in nowhere until a reset gives one.
                let key = match (&u.sealed_key, u.must_change) {
                    (None, _) => "no-key:reset-password",
                    (Some(_), true) => "must-change",
                    (Some(_), false) => "key",
                };
                let desks: Vec<&str> = assignments
                    .iter()
                    .filter(|a| a.name == u.name && a.until_ms.is_none())
                    .map(|a| a.device.as_str())
                    .collect();
                let desks = if desks.is_empty() {
                    "-".to_string()
                } else {
                    desks.join(",")
                };
                println!("{}\t{}\t{factor}\t{state}\t{key}\t{desks}", u.name, u.role);
            }
        }
        UserCommand::Disable(a) => change(hub, a, ChangeKind::Disabled, None).await?,
        UserCommand::Enable(a) => change(hub, a, ChangeKind::Enabled, None).await?,
        UserCommand::Role { account, role } => {
            change(hub, account, ChangeKind::Role, Some(role)).await?;
        }
        UserCommand::ResetPassword(a) => {
            let password = password_from_env("account's new")?;
            hub.reset_password(&a.township, &a.user, &password, &operator())
                .await?;
            println!(
                "{} {}: password reset; it must be changed at the next sign-in / 密码已重置，下次登录时须修改",
                a.township,
                a.user.trim()
            );
        }
        UserCommand::ResetTotp(a) => {
            let secret = hub.reset_totp(&a.township, &a.user, &operator()).await?;
            println!(
                "{}",
                tongban_sync::totp::url(&secret, a.user.trim()).map_err(|e| anyhow!(e))?
            );
        }
        UserCommand::Assign(a) => {
            let new = hub.assign(&a.user, &a.device, &operator()).await?;
            let said = if new {
                "assigned / 已分配"
            } else {
                "already works there / 已在该设备"
            };
            println!("{} {}: {said}", a.user.trim(), a.device.trim());
        }
        UserCommand::Unassign(a) => {
            hub.unassign(&a.user, &a.device, &operator()).await?;
            println!(
                "{} {}: unassigned / 已取消分配",
                a.user.trim(),
                a.device.trim()
            );
        }
        UserCommand::History { township, json } => {
            let changes = hub.account_history(&township).await?;
            if json {
                let rows: Vec<serde_json::Value> = changes
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "user": c.name, "at_ms": c.at_ms, "change": c.kind.as_str(),
                            "role": c.role, "operator": c.operator, "device": c.device,
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
                        c.role.as_deref().or(c.device.as_deref()).unwrap_or("-"),
                        c.operator
                    );
                }
            }
        }
    }
    Ok(())
}
