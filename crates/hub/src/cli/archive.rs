//! `tongban-hub archive`: archive finished cases now (`run`; `serve` also does it on its own),
//! list the register, audit every stored package's fixity, write a township's year as a
//! transfer batch for the county archives, list packages due for appraisal, and check any
//! package or batch. Every check's report is signed by the hub; a command whose check fails
//! exits non-zero.

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::path::PathBuf;
use tongban_archive::{Report, Stage};
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Archive every finished case not archived yet.
    Run {
        #[arg(long)]
        json: bool,
    },
    /// The archived cases, with their 档号.
    List {
        #[arg(long)]
        township: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Re-check every stored package (长期保存); each result is kept in the archive log.
    Fixity {
        #[arg(long)]
        json: bool,
    },
    /// Write a township's packages of one year, with the transfer list, and check the batch.
    Transfer {
        #[arg(long)]
        township: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Packages whose retention period has run out, for appraisal (nothing is deleted).
    Due {
        /// The day to judge by (YYYY-MM-DD); today by default.
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What was done with archived packages (archived, fixity, transfer) and what was found.
    Log {
        /// One case, or the cases whose number starts with this.
        #[arg(long, default_value = "")]
        case: String,
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

fn print_report(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{}", report.text());
    }
    report.failure().map_or(Ok(()), |failed| Err(failed.into()))
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: ArchiveCommand) -> Result<()> {
    match command {
        ArchiveCommand::Run { json } => {
            let run = hub.archive_finished().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                for (number, code) in &run.archived {
                    println!("{number} → {code}");
                }
                for (number, why) in &run.waiting {
                    println!("{number}: not yet / 暂未归档 — {why}");
                }
                println!(
                    "{} archived, {} waiting / 已归档{}件，待归档{}件",
                    run.archived.len(),
                    run.waiting.len(),
                    run.archived.len(),
                    run.waiting.len()
                );
            }
        }
        ArchiveCommand::List { township, json } => {
            let rows = hub.archived(township.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    println!("{}\t{}\t{} bytes", r.code, r.case_number, r.bytes);
                }
            }
        }
        ArchiveCommand::Fixity { json } => {
            let results = hub.fixity_audit().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                for r in &results {
                    let outcome = if r.passed { "PASS" } else { "FAIL" };
                    println!("{outcome} {} {} {}", r.code, r.case_number, r.detail);
                }
            }
            let failed = results.iter().filter(|r| !r.passed).count();
            if failed > 0 {
                bail!(
                    "{failed} package(s) fail their fixity audit / {failed}个档案包未通过长期保存检测"
                );
            }
        }
        ArchiveCommand::Transfer {
            township,
            year,
            out,
            json,
        } => print_report(&hub.transfer(&township, year, &out).await?, json)?,
        ArchiveCommand::Due { on, json } => {
            let on = match on {
                Some(day) => tongban_domain::calendar::parse_date(&day).ok_or_else(|| {
                    anyhow!("--on {day:?} is not a date like 2056-01-01 / 日期格式应如2056-01-01")
                })?,
                None => time::OffsetDateTime::now_utc().date(),
            };
            let rows = hub.due(on).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    println!("{}\t{}\t{}", r.code, r.case_number, r.retention);
                }
                println!(
                    "{} due for appraisal / 到期待鉴定{}件",
                    rows.len(),
                    rows.len()
                );
            }
        }
        ArchiveCommand::Log { case, json } => {
            let events = hub.archive_log(case.trim()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&events)?);
            } else {
                for e in &events {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        e.at_ms, e.case_number, e.kind, e.outcome, e.detail
                    );
                }
            }
        }
        ArchiveCommand::Check { path, stage, json } => {
            let stage = Stage::from_arg(&stage)?;
            print_report(&hub.check_archive(&path, stage).await?, json)?;
        }
    }
    Ok(())
}
