//! `tongban-hub department …`, `tongban-hub sharing …` and `tongban-hub evaluation …`: the
//! departments the hub shares cases with, the county's sharing catalogue (共享目录), and the
//! rectification time of 好差评.

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum DepartmentCommand {
    /// Register a department's system: its requests are signed with this key.
    Add {
        /// Its code, e.g. MZ01 (capital letters and digits).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// RS 人社, MZ 民政, YB 医保, CL 残联, GA 公安 or CZ 财政: what the catalogue names.
        #[arg(long)]
        kind: String,
        /// Its system's Ed25519 public key, 64 hex digits.
        #[arg(long)]
        key: String,
    },
    /// The departments registered.
    List {
        #[arg(long)]
        json: bool,
    },
    /// End a department's access: its requests are refused from now on.
    Disable {
        #[arg(long)]
        code: String,
    },
}

#[derive(Subcommand)]
pub enum SharingCommand {
    /// Replace the sharing catalogue (JSON as in assets/sharing.json).
    Set {
        #[arg(long)]
        file: PathBuf,
    },
    /// Print the catalogue in force as JSON.
    Show,
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: DepartmentCommand) -> Result<()> {
    match command {
        DepartmentCommand::Add {
            code,
            name,
            kind,
            key,
        } => {
            let d = hub
                .add_department(code.trim(), &name, kind.trim(), &key)
                .await?;
            println!(
                "department {} added / 已登记部门{}（{}）",
                d.code, d.code, d.name
            );
        }
        DepartmentCommand::List { json } => {
            let all = hub.db.departments().await?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                for d in &all {
                    let state = if d.disabled_at_ms.is_some() {
                        "disabled / 已停用"
                    } else {
                        "active / 有效"
                    };
                    println!("{}\t{}\t{}\t{state}", d.code, d.kind, d.name);
                }
                if all.is_empty() {
                    println!("no departments / 暂无部门");
                }
            }
        }
        DepartmentCommand::Disable { code } => {
            hub.disable_department(code.trim()).await?;
            println!("department {code} disabled / 部门{code}已停用");
        }
    }
    Ok(())
}

pub async fn sharing<D: HubDb>(hub: &Hub<D>, command: SharingCommand) -> Result<()> {
    match command {
        SharingCommand::Set { file } => {
            let text = super::read_text(&file)?;
            let catalogue = hub.set_sharing_catalogue(&text).await?;
            println!(
                "sharing catalogue version {} with {} items in force / 共享目录第{}版（{}项）已生效",
                catalogue.version,
                catalogue.items.len(),
                catalogue.version,
                catalogue.items.len()
            );
        }
        SharingCommand::Show => {
            println!(
                "{}",
                serde_json::to_string_pretty(&hub.sharing_catalogue().await?)?
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum EvaluationCommand {
    /// Working days a township has to rectify a 差评 rated from now on (1 to 30; 5 unless set).
    Set {
        #[arg(long)]
        rectify_days: u16,
    },
    /// Print the rule in force.
    Show,
}

pub async fn evaluation<D: HubDb>(hub: &Hub<D>, command: EvaluationCommand) -> Result<()> {
    if let EvaluationCommand::Set { rectify_days } = command {
        hub.set_rectify_days(rectify_days).await?;
    }
    let days = hub.rectify_days().await?;
    println!(
        "a dissatisfied rating is rectified within {days} working days / 差评须在{days}个工作日内整改"
    );
    Ok(())
}
