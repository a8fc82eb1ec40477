//! `tongban`: a desk's cases, enrolment and sync, for operators, scripts and tests.
#![forbid(unsafe_code)]

mod archive;
mod audit;
mod calendar;
mod case;
mod demo;
mod lookup;
mod output;
mod pages;
mod passwd;
mod report;
mod status;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use time::OffsetDateTime;
use tongban_client::{EnrollRequest, Retry};
use tongban_domain::session::Session;
use tongban_domain::{Catalogues, WorkCalendar};
use tongban_store::{CaseFilter, Profile, Store};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "tongban", version, about = "Tongban case desk / 通办受理台")]
struct Cli {
    /// Profile folder (default: this user's data folder).
    #[arg(long, global = true, env = "TONGBAN_PROFILE")]
    profile: Option<PathBuf>,
    /// The account to act as (default: the one that enrolled this desk). Its password comes from
    /// TONGBAN_PASSWORD, its one-time code (if it has one) from TONGBAN_TOTP.
    #[arg(long, global = true, env = "TONGBAN_USER")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enrol this desk at the hub with a one-time code and create its encrypted profile.
    Enroll {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        code: String,
        /// A name for this desk as operators will see it.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Regain access with the recovery passphrase after the keyring entry was lost.
    Recover,
    /// Write an encrypted backup of this profile (restorable with the recovery passphrase); an
    /// administrator's sign-in (--user) is needed.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty profile folder, e.g. on a new machine.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Register, list, show and correct cases.
    #[command(subcommand)]
    Case(Box<case::CaseCommand>),
    /// Exchange changes with the hub.
    Sync {
        #[arg(long)]
        json: bool,
        /// Attempts while the hub is unreachable, with growing pauses between them.
        #[arg(long, default_value_t = 4)]
        attempts: usize,
    },
    /// List the service items this desk can register.
    Catalog {
        #[arg(long)]
        json: bool,
    },
    /// The signed-in user's work queues: mine, awaiting decision, returned, due soon.
    Queue {
        #[arg(long)]
        json: bool,
    },
    /// Refused attempts recorded on this desk (sign-ins and actions).
    Refusals {
        #[arg(long)]
        json: bool,
    },
    /// Verify the database pages (SQLCipher HMAC) and structure.
    Check,
    /// Choose a new password (current one from TONGBAN_PASSWORD, new one from
    /// TONGBAN_NEW_PASSWORD when not at a terminal); required after a reset by the county.
    Passwd,
    /// This desk's device id, township and hub.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Supervision figures (办结率, 超期率 ...) of this desk's cases, for supervisors.
    Report(report::ReportArgs),
    /// The working-day calendar: a year's days off and adjusted working days.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Archival packages: the 四性 check (DA/T 70) of a package or a batch.
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    /// 一证通办: every case of one applicant across the county's townships, with a purpose.
    Lookup(lookup::LookupArgs),
    /// Check the audit trail, or read a case's.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Register made-up cases with valid data, for training and measurements.
    DemoCases {
        #[arg(long, default_value_t = 20)]
        count: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Corrections (phone or address) then made to the cases just registered.
        #[arg(long, default_value_t = 0)]
        edits: u32,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("tongban: {e:#}");
        std::process::exit(1);
    }
}

fn now() -> OffsetDateTime {
    tongban_store::china_now()
}

/// Secrets come from the environment for scripts, or a hidden prompt at a terminal; never
/// from a prompt nobody can see.
fn secret(var: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>> {
    if let Ok(value) = std::env::var(var) {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "set {var}; standard input is not a terminal / 请设置环境变量 {var}（标准输入不是终端）"
        );
    }
    let first = Zeroizing::new(rpassword::prompt_password(prompt)?);
    if confirm {
        let second = Zeroizing::new(rpassword::prompt_password("Again / 再输入一次: ")?);
        if *first != *second {
            bail!("the two entries differ / 两次输入不一致");
        }
    }
    Ok(first)
}

fn open(profile: &Profile) -> Result<Store> {
    Ok(profile.open()?)
}

/// Opens the profile and signs the user in: the password (and one-time code) plus this enrolled
/// device, whose key opens the store.
fn sign_in(profile: &Profile, user: Option<&str>) -> Result<(Store, Session)> {
    let mut store = open(profile)?;
    let user = match user {
        Some(user) => user.trim().to_string(),
        None => store.enrollment()?.user,
    };
    let password = secret(
        "TONGBAN_PASSWORD",
        &format!("Password for {user} / {user}的密码: "),
        false,
    )?;
    let code = std::env::var("TONGBAN_TOTP").ok();
    let session = store.sign_in(&user, &password, code.as_deref(), now_ms())?;
    Ok((store, session))
}

fn now_ms() -> i64 {
    tongban_store::now_ms(OffsetDateTime::now_utc())
}

fn run(cli: Cli) -> Result<()> {
    let profile = Profile::locate(cli.profile)?;
    let user = cli.user;
    match cli.command {
        Command::Enroll { hub, code, label } => {
            let user = user.context(
                "name the account to enrol with: --user NAME / 请用 --user 指定登记所用的账户",
            )?;
            let password = secret("TONGBAN_PASSWORD", "Password / 密码: ", false)?;
            let passphrase = secret(
                "TONGBAN_RECOVERY_PASSPHRASE",
                "Recovery passphrase, kept on paper in the safe; it restores this desk if the keyring is lost / 恢复口令（请抄在纸上存放于保险柜，密钥环丢失时用它恢复本机）: ",
                true,
            )?;
            let enrollment = tongban_client::enroll_desk(
                &profile,
                &EnrollRequest {
                    hub_url: &hub,
                    code: &code,
                    user: &user,
                    label: &label,
                    password: &password,
                    recovery_passphrase: &passphrase,
                },
            )?;
            println!(
                "enrolled desk {:03} of {} {} / 已登记为{}第{:03}号设备",
                enrollment.device_serial,
                enrollment.township,
                enrollment.township_name,
                enrollment.township_name,
                enrollment.device_serial
            );
        }
        Command::Recover => {
            let passphrase = secret(
                "TONGBAN_RECOVERY_PASSPHRASE",
                "Recovery passphrase / 恢复口令: ",
                false,
            )?;
            let store = profile.recover(&passphrase)?;
            let count = store.list(&CaseFilter::default())?.len();
            println!("access restored; {count} cases on this desk / 已恢复访问，本机共有{count}件");
        }
        Command::Backup { out } => {
            let user = match user {
                Some(user) => user.trim().to_string(),
                None => open(&profile)?.enrollment()?.user,
            };
            let password = secret(
                "TONGBAN_PASSWORD",
                &format!("Password for {user} (an administrator) / {user}（系统管理员）的密码: "),
                false,
            )?;
            let code = std::env::var("TONGBAN_TOTP").ok();
            let report = profile.backup(&out, &user, &password, code.as_deref())?;
            println!(
                "backup of {} cases written to {} ({} bytes, encrypted) / 已备份{}件到{}",
                report.cases,
                out.display(),
                report.bytes,
                report.cases,
                out.display()
            );
        }
        Command::Restore { from } => {
            let passphrase = secret(
                "TONGBAN_RECOVERY_PASSPHRASE",
                "Recovery passphrase / 恢复口令: ",
                false,
            )?;
            let store = profile.restore(&from, &passphrase)?;
            let count = store.count(&CaseFilter::default())?;
            println!(
                "restored {count} cases into {} / 已恢复{count}件",
                profile.dir().display()
            );
        }
        Command::Case(command) => case::case(&profile, user.as_deref(), *command)?,
        Command::Queue { json } => {
            let (store, session) = sign_in(&profile, user.as_deref())?;
            let queues = store.queues(&session, now().date())?;
            output::queues(&queues, json)?;
        }
        Command::Refusals { json } => {
            // The record names users and cases: only for someone signed in on this desk.
            let (store, _) = sign_in(&profile, user.as_deref())?;
            let refusals = store.refusals()?;
            if json {
                println!("{}", serde_json::to_string(&refusals)?);
            } else {
                for r in refusals {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        tongban_domain::desk::china_time_text(r.at_ms),
                        r.user,
                        r.action,
                        r.case_number.unwrap_or_default(),
                        r.reason
                    );
                }
            }
        }
        Command::Sync { json, attempts } => {
            let mut store = open(&profile)?;
            let hub = tongban_client::hub_client(&store)?;
            let retry = Retry {
                attempts: attempts.max(1),
                ..Retry::default()
            };
            let report = match tongban_client::sync(&mut store, &hub, retry) {
                Ok(report) => report,
                Err(e) if e.is_revoked() => {
                    drop(store);
                    profile.wipe()?;
                    bail!(tongban_client::wiped_after_revocation());
                }
                Err(e) => return Err(e.into()),
            };
            output::sync_report(&report, json)?;
        }
        Command::Catalog { json } => {
            // What this desk registers under: the newest version it received, once enrolled.
            let catalogues = if profile.exists() {
                open(&profile)?.catalogues()?
            } else {
                Catalogues::shipped().clone()
            };
            output::catalogue(catalogues.latest(), json)?;
        }
        Command::DemoCases { count, seed, edits } => {
            let (mut store, session) = sign_in(&profile, user.as_deref())?;
            let numbers = demo::register(&mut store, &session, count, seed)?;
            let added = numbers.len();
            println!("registered {added} demo cases / 已登记{added}件演示办件");
            if edits > 0 {
                let made = demo::correct(&mut store, &session, &numbers, edits, seed)?;
                println!("made {made} corrections to them / 对其作了{made}处更正");
            }
        }
        Command::Audit(audit::AuditCommand::Verify { offline, json }) => {
            audit::verify(&profile, offline, json)?;
        }
        Command::Audit(audit::AuditCommand::Log { number, json }) => {
            let (store, session) = sign_in(&profile, user.as_deref())?;
            audit::log(&store, &session, &number, json)?;
        }
        Command::Audit(audit::AuditCommand::Prune { before }) => {
            let (mut store, session) = sign_in(&profile, user.as_deref())?;
            audit::prune(&mut store, &session, &before)?;
        }
        Command::Status { json } => status::run(&open(&profile)?, json)?,
        Command::Archive(command) => archive::run(&profile, user.as_deref(), command, now())?,
        Command::Lookup(args) => {
            let (mut store, session) = sign_in(&profile, user.as_deref())?;
            lookup::run(&mut store, &session, args, now())?
        }
        Command::Report(args) => {
            let (mut store, session) = sign_in(&profile, user.as_deref())?;
            report::run(&mut store, &session, args, now())?
        }
        // The calendar is public: an unenrolled machine shows the one shipped.
        Command::Calendar(command) if !profile.exists() => {
            calendar::run(WorkCalendar::builtin(), command)?
        }
        Command::Calendar(command) => calendar::run(&*open(&profile)?.calendar()?, command)?,
        Command::Passwd => {
            let mut store = open(&profile)?;
            let user = match user {
                Some(user) => user.trim().to_string(),
                None => store.enrollment()?.user,
            };
            let current = secret(
                "TONGBAN_PASSWORD",
                &format!("Current password for {user} / {user}的当前密码: "),
                false,
            )?;
            let new = secret("TONGBAN_NEW_PASSWORD", "New password / 新密码: ", true)?;
            let code = std::env::var("TONGBAN_TOTP").ok();
            passwd::run(&mut store, &user, &current, code.as_deref(), &new, now_ms())?;
        }
        Command::Check => {
            let problems = open(&profile)?.integrity_problems()?;
            if !problems.is_empty() {
                bail!(
                    "database check failed: {} / 数据库校验失败",
                    problems.join("; ")
                );
            }
            println!("ok");
        }
    }
    Ok(())
}
