//! `tongban-hub archive check PATH [--stage gd|yj|bc] [--json]`: the 四性 check of a package or
//! a batch against the hub's own records of who may sign; the report is signed by the hub, and
//! the exit status is non-zero when any row fails.

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::path::PathBuf;
use tongban_archive::Stage;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Check a package (a folder with bagit.txt) or a batch of packages.
    Check {
        path: PathBuf,
        /// gd (归档), yj (移交与接收) or bc (长期保存).
        #[arg(long, default_value = "gd")]
        stage: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: ArchiveCommand) -> Result<()> {
    let ArchiveCommand::Check { path, stage, json } = command;
    let stage = Stage::parse(&stage).ok_or_else(|| {
        anyhow!(
            "unknown stage {stage:?}: use gd, yj or bc / 未知的检测环节“{stage}”：可选 gd（归档）、yj（移交与接收）、bc（长期保存）"
        )
    })?;
    let report = hub.check_archive(&path, stage).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text());
    }
    if !report.passes() {
        bail!(
            "{} check(s) failed / {}项检测不合格",
            report.failed,
            report.failed
        );
    }
    Ok(())
}
