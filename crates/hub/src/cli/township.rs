//! `tongban-hub township …` and `calendar …`: the hub's tenants, their sign-in rules, and the
//! working-day calendar every desk counts deadlines on.

use anyhow::{Result, bail};
use clap::Subcommand;
use std::path::PathBuf;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum TownshipCommand {
    Add {
        /// 9-digit township code, e.g. 450721101.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// Show or change a township's sign-in rules (desks pick them up at their next sync).
    Policy {
        #[arg(long)]
        code: String,
        #[arg(long)]
        min_password_chars: Option<u32>,
        /// Failed sign-ins in a row that lock an account on a desk.
        #[arg(long)]
        max_failures: Option<u32>,
        #[arg(long)]
        lockout_minutes: Option<u32>,
        /// Minutes without use after which a desk signs its user out.
        #[arg(long)]
        idle_minutes: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Replace the calendar (this product's format), or add one year in holiday-cn's format.
    Set {
        #[arg(long)]
        file: PathBuf,
    },
    /// List a year's days off and adjusted working days, with where each comes from.
    Show {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: TownshipCommand) -> Result<()> {
    match command {
        TownshipCommand::Add { code, name } => {
            let code = hub.add_township(&code, &name).await?;
            println!("{code} {}", name.trim());
        }
        TownshipCommand::Policy {
            code,
            min_password_chars,
            max_failures,
            lockout_minutes,
            idle_minutes,
        } => {
            let mut policy = hub.policy(&code).await?;
            let changes = [
                (&mut policy.min_password_chars, min_password_chars, 6, 64),
                (&mut policy.max_failures, max_failures, 1, 20),
                (&mut policy.lockout_minutes, lockout_minutes, 1, 24 * 60),
                (&mut policy.idle_minutes, idle_minutes, 1, 8 * 60),
            ];
            let mut changed = false;
            for (field, value, low, high) in changes {
                if let Some(value) = value {
                    if !(low..=high).contains(&value) {
                        bail!("{value} is outside {low}-{high} / {value}超出{low}至{high}的范围");
                    }
                    *field = value;
                    changed = true;
                }
            }
            if changed {
                hub.set_policy(&code, &policy).await?;
            }
            println!("{}", serde_json::to_string(&policy)?);
        }
    }
    Ok(())
}

pub async fn calendar<D: HubDb>(hub: &Hub<D>, command: CalendarCommand) -> Result<()> {
    let file = match command {
        CalendarCommand::Set { file } => file,
        CalendarCommand::Show { year, json } => {
            let year = hub.work_calendar().await?.year_schedule(year);
            if json {
                println!("{}", serde_json::to_string_pretty(&year)?);
            } else {
                print!("{year}");
            }
            return Ok(());
        }
    };
    let text = super::read_text(&file)?;
    let calendar = hub.set_calendar(&text).await?;
    println!(
        "calendar {} for {}-{} / 工作日历已更新",
        calendar.version(),
        calendar.data().first_year,
        calendar.data().last_year
    );
    Ok(())
}
