//! `tongban`: a desk's cases, enrolment and sync, for operators, scripts and tests.
#![forbid(unsafe_code)]

mod audit;
mod demo;
mod output;
mod pages;
mod passwd;
mod status;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use time::OffsetDateTime;
use tongban_client::{EnrollRequest, Retry};
use tongban_domain::session::Session;
use tongban_domain::workflow::RefusalGround;
use tongban_domain::{CaseField, CaseStatus, Catalogues, FieldEdit, Move, Registration};
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
    Case(CaseCommand),
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

#[derive(Subcommand)]
enum CaseCommand {
    /// Register a new case; prints its number.
    Register {
        #[arg(long)]
        item: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        id_number: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        /// Material codes received at the window (repeat or separate with commas).
        #[arg(long, value_delimiter = ',')]
        received: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        status: Option<CaseStatus>,
        #[arg(long)]
        item: Option<String>,
        /// A case number, an ID number or the start of a name.
        #[arg(long)]
        query: Option<String>,
        /// Registered on this day (YYYY-MM-DD, China Standard Time).
        #[arg(long, value_parser = tongban_store::day_bounds_ms)]
        date: Option<(i64, i64)>,
        #[arg(long)]
        limit: Option<u32>,
    },
    Show {
        number: String,
        #[arg(long)]
        json: bool,
        /// Show the applicant's ID and phone whole (clerks and supervisors; audited).
        #[arg(long)]
        unmask: bool,
    },
    /// Correct an applicant field.
    Set {
        number: String,
        #[arg(long)]
        field: CaseField,
        #[arg(long)]
        value: String,
    },
    /// Correct an accepted case's applicant field (更正, supervisors), with the reason.
    Correct {
        number: String,
        #[arg(long)]
        field: CaseField,
        #[arg(long)]
        value: String,
        #[arg(long)]
        reason: String,
    },
    /// Accept a case; the promised working days start counting.
    Accept(MoveArgs),
    /// Extend the time limit once (延期, supervisors) by --days working days, with --reason.
    Extend(MoveArgs),
    /// Refuse the application at intake (不予受理) on a ground (--reason-code), with reasons
    /// (--reason) and, for a matter of another organ, that organ (--refer-to).
    RefuseIntake(MoveArgs),
    /// Return for missing materials with the one-time notice (all missing materials by default).
    Return(MoveArgs),
    /// Record that the missing materials were brought.
    Supplement(MoveArgs),
    /// Hand an accepted case over for review.
    HandOver(MoveArgs),
    Approve(MoveArgs),
    Reject(MoveArgs),
    Complete(MoveArgs),
    Withdraw(MoveArgs),
    /// Hand a case to another user (--to).
    Reassign(MoveArgs),
    /// Settle conflicting moves on one of their outcomes (--outcome, --reason).
    Resolve(MoveArgs),
    /// Attach scanned pages (JPEG, PNG, TIFF or PDF) to a material of the case.
    Attach {
        number: String,
        #[arg(long)]
        material: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Store the pages in greyscale (smaller; for black-and-white paperwork).
        #[arg(long)]
        grey: bool,
    },
    /// List the case's pages; with --export, write the stored pages to a folder.
    Pages {
        number: String,
        #[arg(long)]
        export: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print a document of the case to PDF: receipt, notice or decision.
    Print {
        number: String,
        #[arg(long)]
        doc: tongban_store::DocKind,
        #[arg(long)]
        out: PathBuf,
    },
}

/// What a move's subcommand takes; each move keeps only its own (see [`Move`]).
#[derive(clap::Args)]
struct MoveArgs {
    number: String,
    /// The reason; for an acceptance under 容缺, the applicant's commitment (`--commitment`).
    #[arg(long, alias = "commitment")]
    reason: Option<String>,
    /// Accept with these missing materials deferred (容缺受理; only those the catalogue allows).
    #[arg(long, value_delimiter = ',')]
    defer: Vec<String>,
    /// The date (YYYY-MM-DD) the applicant committed to bring deferred materials by.
    #[arg(long, value_parser = parse_due)]
    due: Option<time::Date>,
    /// Material codes the applicant must still bring (repeat or separate with commas).
    #[arg(long, value_delimiter = ',')]
    missing: Vec<String>,
    /// The user a case is reassigned to.
    #[arg(long)]
    to: Option<String>,
    /// Working days an extension adds (1 to 10).
    #[arg(long)]
    days: Option<u16>,
    /// A refusal at intake's ground: not_required, out_of_scope or not_eligible.
    #[arg(long = "reason-code")]
    reason_code: Option<RefusalGround>,
    /// The organ a refused applicant should turn to (required with out_of_scope).
    #[arg(long)]
    refer_to: Option<String>,
    /// The outcome a resolution settles on: approve, reject, or a status such as accepted.
    #[arg(long, value_parser = parse_outcome)]
    outcome: Option<CaseStatus>,
    #[arg(long)]
    json: bool,
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
        Command::Case(command) => case(&profile, user.as_deref(), command)?,
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

fn case(profile: &Profile, user: Option<&str>, command: CaseCommand) -> Result<()> {
    let (mut store, session) = sign_in(profile, user)?;
    let store = &mut store;
    match command {
        CaseCommand::Register {
            item,
            name,
            id_number,
            phone,
            address,
            received,
            json,
        } => {
            let registration = Registration {
                item,
                name,
                id_number,
                phone,
                address,
                received: received
                    .into_iter()
                    .map(|c| c.trim().to_ascii_uppercase())
                    .collect(),
            };
            let case = store.register(registration, &session, now())?;
            if json {
                println!("{}", serde_json::to_string(&case)?);
            } else {
                println!("{}", case.number);
            }
        }
        CaseCommand::List {
            json,
            status,
            item,
            query,
            date,
            limit,
        } => {
            let filter = CaseFilter {
                status,
                item,
                query,
                created_from_ms: date.map(|(from, _)| from),
                created_before_ms: date.map(|(_, before)| before),
                today: Some(now().date()),
                limit,
                ..CaseFilter::default()
            };
            let found = store.search(&session, filter, now())?;
            output::case_list(&found.cases, json)?;
        }
        CaseCommand::Show {
            number,
            json,
            unmask,
        } => {
            let case = store.view(&session, number.trim(), now())?;
            if unmask {
                store.unmask(&session, number.trim(), now())?;
            }
            output::case(store, &case, now().date(), json, unmask)?;
        }
        CaseCommand::Set {
            number,
            field,
            value,
        } => {
            let edit = FieldEdit::new(field, &value)?;
            store.set_field(number.trim(), &edit, &session, now())?;
            println!("{} {}", number.trim(), field.as_str());
        }
        CaseCommand::Correct {
            number,
            field,
            value,
            reason,
        } => {
            let edit = FieldEdit::new(field, &value)?;
            store.correct_field(number.trim(), &edit, &reason, &session, now())?;
            println!("{} {} corrected / 已更正", number.trim(), field.as_str());
        }
        CaseCommand::Accept(m) => {
            let commitment = m.reason.clone();
            let (deferred, due) = (m.defer.clone(), m.due);
            take(
                store,
                &session,
                &m,
                Move::Accept {
                    deferred,
                    commitment,
                    due,
                },
            )?
        }
        CaseCommand::Extend(m) => {
            let (days, reason) = (m.days, m.reason.clone());
            take(store, &session, &m, Move::Extend { days, reason })?
        }
        CaseCommand::RefuseIntake(m) => {
            let refused = Move::RefuseIntake {
                ground: m.reason_code,
                reason: m.reason.clone(),
                refer_to: m.refer_to.clone(),
            };
            take(store, &session, &m, refused)?
        }
        CaseCommand::Return(m) => {
            let (missing, reason) = (m.missing.clone(), m.reason.clone());
            take(store, &session, &m, Move::Return { missing, reason })?
        }
        CaseCommand::Supplement(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::Supplement { reason })?
        }
        CaseCommand::HandOver(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::HandOver { reason })?
        }
        CaseCommand::Approve(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::Approve { reason })?
        }
        CaseCommand::Reject(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::Reject { reason })?
        }
        CaseCommand::Complete(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::Complete { reason })?
        }
        CaseCommand::Withdraw(m) => {
            let reason = m.reason.clone();
            take(store, &session, &m, Move::Withdraw { reason })?
        }
        CaseCommand::Reassign(m) => {
            let (to, reason) = (m.to.clone().unwrap_or_default(), m.reason.clone());
            take(store, &session, &m, Move::Reassign { to, reason })?
        }
        CaseCommand::Resolve(m) => {
            let (outcome, reason) = (m.outcome, m.reason.clone());
            take(store, &session, &m, Move::Resolve { outcome, reason })?
        }
        CaseCommand::Attach {
            number,
            material,
            files,
            grey,
        } => pages::attach(
            store,
            &session,
            number.trim(),
            &material,
            &files,
            grey,
            now(),
        )?,
        CaseCommand::Pages {
            number,
            export,
            json,
        } => pages::pages(
            store,
            &session,
            number.trim(),
            export.as_deref(),
            json,
            now(),
        )?,
        CaseCommand::Print { number, doc, out } => {
            pages::print(store, &session, number.trim(), doc, &out, now())?
        }
    }
    Ok(())
}

fn parse_outcome(text: &str) -> Result<CaseStatus, String> {
    match text.trim() {
        "approve" => Ok(CaseStatus::Approved),
        "reject" => Ok(CaseStatus::Rejected),
        other => other.parse(),
    }
}

fn parse_due(text: &str) -> Result<time::Date, String> {
    tongban_domain::calendar::parse_date(text.trim()).ok_or_else(|| {
        format!("{text:?} is not a date (YYYY-MM-DD) / “{text}”不是有效日期（年-月-日）")
    })
}

fn take(store: &mut Store, session: &Session, m: &MoveArgs, the_move: Move) -> Result<()> {
    let case = store.act(session, m.number.trim(), &the_move, now())?;
    if m.json {
        output::case(store, &case, now().date(), true, false)?;
    } else {
        println!(
            "{} {} / {}",
            case.number,
            case.status.as_str(),
            case.status.label_zh()
        );
    }
    Ok(())
}
