//! `tongban audit verify` and `tongban audit log`: the desk's own trail, and the hub's log as
//! far as this desk can check it.

use anyhow::{Result, bail};
use clap::Subcommand;
use tongban_client::Retry;
use tongban_domain::session::Session;
use tongban_store::{Profile, Store};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check this desk's trail (signatures, sequence, links) and, unless --offline, that the
    /// hub's log still extends the last checkpoint this desk verified. Exits 0 only when all
    /// of it verifies.
    Verify {
        #[arg(long)]
        offline: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove this desk's audit events recorded before DATE (YYYY-MM-DD; administrators). Events
    /// are kept at least 180 days and until the hub has logged them; the hub's log keeps them.
    Prune {
        #[arg(long)]
        before: String,
    },
    /// Who saw or changed a case (supervisors).
    Log {
        #[arg(long = "case")]
        number: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn verify(profile: &Profile, offline: bool, json: bool) -> Result<()> {
    let mut store = profile.open()?;
    let trail = match store.verify_trail(None)? {
        Ok(report) => report,
        Err(e) => bail!("this desk's audit trail does not verify: {e} / 本机审计记录校验失败"),
    };
    let hub = if offline {
        None
    } else {
        let client = tongban_client::hub_client(&store)?;
        Some(tongban_client::check_hub_log(
            &mut store,
            &client,
            Retry::default(),
        )?)
    };
    if json {
        println!(
            "{}",
            serde_json::json!({ "trail": trail, "hub": hub, "verified": true })
        );
    } else {
        println!(
            "trail: {} events verified, {} acknowledged by the hub / 本机审计记录{}条校验通过",
            trail.events, trail.acknowledged, trail.events
        );
        if let Some(hub) = hub {
            println!(
                "hub log: {} entries, consistent with what this desk saw before / 中心日志{}条，与本机此前所见一致",
                hub.log_size, hub.log_size
            );
        }
    }
    Ok(())
}

pub fn log(store: &Store, session: &Session, number: &str, json: bool) -> Result<()> {
    let rows = store.case_audit(session, number.trim(), time::OffsetDateTime::now_utc())?;
    if json {
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(());
    }
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}{}\t{}",
            tongban_domain::desk::china_time_text(r.at_ms),
            r.user,
            r.device,
            r.action_zh,
            if r.refused { "（被拒绝）" } else { "" },
            r.detail
        );
    }
    Ok(())
}

pub fn prune(store: &mut Store, session: &Session, before: &str) -> Result<()> {
    let (start, _) = tongban_store::day_bounds_ms(before).map_err(anyhow::Error::msg)?;
    let removed = store.prune_audit(session, start, time::OffsetDateTime::now_utc())??;
    println!(
        "removed {removed} audit events recorded before {before}; the rest verifies from the last removed one / 已清理{before}之前的审计记录{removed}条"
    );
    Ok(())
}
