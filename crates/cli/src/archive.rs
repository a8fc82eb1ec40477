//! `tongban archive export CASE_NUMBER --out DIR` writes a finished case's package;
//! `tongban archive check PATH [--stage gd|yj|bc] [--json]`: the 四性 check of DA/T 70 on a
//! package or a batch, every item of the stage with PASS, FAIL or NA and its reason; the exit
//! status is non-zero when any row fails. On an enrolled desk the report is signed with its key
//! and checks signatures against the hub's and the township's desks' keys; elsewhere nothing is
//! trusted, so those rows fail.

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use time::OffsetDateTime;
use tongban_archive::{Report, Stage};
use tongban_store::Profile;

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Write the archival package of a finished case this desk holds into DIR/CASE_NUMBER.
    Export {
        number: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
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

/// Prints the report; an error when a row failed, so scripts see it in the exit status.
pub fn print(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{}", report.text());
    }
    report.failure().map_or(Ok(()), |failed| Err(failed.into()))
}

pub fn run(
    profile: &Profile,
    user: Option<&str>,
    command: ArchiveCommand,
    now: OffsetDateTime,
) -> Result<()> {
    let (path, stage, json) = match command {
        ArchiveCommand::Check { path, stage, json } => (path, stage, json),
        ArchiveCommand::Export { number, out, json } => {
            let (store, session) = crate::sign_in(profile, user)?;
            let number = number.trim();
            // The hub's package when it has archived the case; else built here.
            let exported = store.export_archive(&session, number, &out, now, || {
                tongban_client::hub_package(&store, number)
            })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&exported)?);
            } else {
                let (by, by_zh) = if exported.built_by == "hub" {
                    ("archived by the hub", "中心归档")
                } else {
                    ("built on this desk", "本机生成")
                };
                println!(
                    "{} · 档号 {} · {} files, {} bytes, {by} / 已导出档案包（{by_zh}）：{}个文件，{}字节",
                    exported.dir.display(),
                    exported.code,
                    exported.files,
                    exported.bytes,
                    exported.files,
                    exported.bytes
                );
            }
            return Ok(());
        }
    };
    let stage = Stage::from_arg(&stage)?;
    let report = if profile.exists() {
        crate::open(profile)?.check_archive(&path, stage, now)?
    } else {
        tongban_store::archive::check_untrusted(&path, stage, now)?
    };
    print(&report, json)
}
