//! `tongban-hub audit verify`: every township log against device keys, the hub's checkpoints and
//! the ones desks handed back, under the audit key kept outside the database.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use tongban_hub::audit_log;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum AuditCommand {
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: AuditCommand) -> Result<()> {
    let AuditCommand::Verify { json } = command;
    let reports = audit_log::verify_store(&hub.db, &hub.audit.verifying_key())
        .await?
        .map_err(|e| anyhow!("audit log does not verify: {e} / 审计日志校验失败"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            println!(
                "{}: {} entries from {} devices, {} checkpoints ({} witnessed by desks) verified / 已校验{}条记录、{}个检查点",
                r.township,
                r.report.entries,
                r.report.devices,
                r.report.checkpoints,
                r.witnesses,
                r.report.entries,
                r.report.checkpoints
            );
        }
    }
    Ok(())
}
