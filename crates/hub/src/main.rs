//! `tongban-hub`: run the hub and administer townships, enrolment codes and devices.
#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use tongban_domain::TownshipCode;
use tongban_hub::audit_log::{self, AuditLogs};
use tongban_hub::{
    HubDb, PageStore, PgDb, S3Config, SqliteDb, directory, hash_enroll_code, router,
};

#[derive(Parser)]
#[command(
    name = "tongban-hub",
    version,
    about = "Tongban central hub / 通办中心平台"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// Folder for the embedded database and the hub's files.
    #[arg(long, env = "TONGBAN_HUB_DATA_DIR")]
    data_dir: PathBuf,
    /// Use this PostgreSQL database instead of the embedded one (postgres://user@host:port/db).
    #[arg(long, env = "TONGBAN_HUB_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve desks over HTTP.
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: SocketAddr,
        /// Keep scanned pages in this S3-compatible bucket instead of DATA_DIR/pages
        /// (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
        #[arg(long, env = "TONGBAN_HUB_S3_BUCKET")]
        s3_bucket: Option<String>,
        /// The S3 endpoint, e.g. http://127.0.0.1:9000 for a local MinIO.
        #[arg(long, env = "TONGBAN_HUB_S3_ENDPOINT", requires = "s3_bucket")]
        s3_endpoint: Option<String>,
        #[arg(long, env = "TONGBAN_HUB_S3_REGION", default_value = "us-east-1")]
        s3_region: String,
    },
    /// Manage townships (the hub's tenants).
    #[command(subcommand)]
    Township(TownshipCommand),
    /// Issue a one-time code that enrols one desk into a township; prints the code.
    EnrollCode {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        township: String,
        /// Hours until the code expires.
        #[arg(long, default_value_t = 24)]
        ttl_hours: u32,
    },
    /// List or revoke enrolled desks.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Manage a township's accounts; they reach its desks with the next sync.
    #[command(subcommand)]
    User(UserCommand),
    /// Replace the working-day calendar desks count deadlines on (JSON as in assets/calendar.json).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Check the audit logs: exits 0 only when every entry and checkpoint verifies.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    Verify {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password comes from TONGBAN_PASSWORD.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        township: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: tongban_domain::Role,
        /// Also require a one-time code from an authenticator app; prints its otpauth:// address.
        #[arg(long)]
        totp: bool,
    },
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        township: String,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    Set {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum TownshipCommand {
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// 9-digit township code, e.g. 450721101.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// Show or change a township's sign-in rules (desks pick them up at their next sync).
    Policy {
        #[command(flatten)]
        store: StoreArgs,
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
enum DeviceCommand {
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        township: String,
    },
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        device: String,
    },
}

impl Command {
    fn store(&self) -> &StoreArgs {
        match self {
            Self::Serve { store, .. } | Self::EnrollCode { store, .. } => store,
            Self::Township(
                TownshipCommand::Add { store, .. } | TownshipCommand::Policy { store, .. },
            ) => store,
            Self::User(UserCommand::Add { store, .. } | UserCommand::List { store, .. }) => store,
            Self::Calendar(CalendarCommand::Set { store, .. }) => store,
            Self::Audit(AuditCommand::Verify { store, .. }) => store,
            Self::Device(
                DeviceCommand::List { store, .. } | DeviceCommand::Revoke { store, .. },
            ) => store,
        }
    }
}

fn main() {
    let cli = Cli::parse();
    // The server logs its requests; the one-shot admin commands only say what went wrong.
    let level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .init();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
        .and_then(|rt| rt.block_on(dispatch(cli.command)));
    if let Err(e) = outcome {
        eprintln!("tongban-hub: {e:#}");
        std::process::exit(1);
    }
}

async fn dispatch(command: Command) -> Result<()> {
    let store = command.store().clone();
    match &store.database_url {
        Some(url) => {
            let db = PgDb::connect(url).await.with_context(
                || "cannot use the PostgreSQL database / 无法使用 PostgreSQL 数据库",
            )?;
            run(db, command).await
        }
        None => {
            std::fs::create_dir_all(&store.data_dir)
                .with_context(|| format!("cannot create {}", store.data_dir.display()))?;
            let db = SqliteDb::open(&store.data_dir.join("hub.db"))
                .with_context(|| "cannot open the hub database / 无法打开中心数据库")?;
            run(db, command).await
        }
    }
}

async fn run<D: HubDb>(db: D, command: Command) -> Result<()> {
    match command {
        Command::Serve {
            listen,
            store,
            s3_bucket,
            s3_endpoint,
            s3_region,
        } => {
            let pages = match s3_bucket {
                Some(bucket) => PageStore::in_s3(
                    &S3Config {
                        bucket,
                        endpoint: s3_endpoint,
                        region: s3_region,
                    },
                    &store.data_dir,
                ),
                None => PageStore::on_disk(&store.data_dir),
            }
            .map_err(|e| {
                anyhow::anyhow!("cannot set up page storage: {e} / 无法设置页面存储：{e}")
            })?;
            serve(db, pages, listen).await
        }
        Command::Township(TownshipCommand::Add { code, name, .. }) => {
            let code = TownshipCode::parse(&code)?;
            let name = name.trim();
            if name.is_empty() {
                bail!("township name must not be empty / 乡镇名称不能为空");
            }
            db.add_township(code.as_str(), name).await?;
            println!("{code} {name}");
            Ok(())
        }
        Command::EnrollCode {
            township,
            ttl_hours,
            ..
        } => {
            let township = TownshipCode::parse(&township)?;
            let code = new_enroll_code()?;
            let expires =
                time::OffsetDateTime::now_utc().unix_timestamp() + i64::from(ttl_hours) * 3600;
            db.add_enroll_code(township.as_str(), &hash_enroll_code(&code), expires)
                .await?;
            println!("{code}");
            Ok(())
        }
        Command::Device(DeviceCommand::List { township, .. }) => {
            for d in db.devices(&township).await? {
                let state = if d.revoked { "revoked" } else { "active" };
                println!(
                    "{}\t{:03}\t{}\t{}\t{state}",
                    d.id, d.serial, d.user, d.label
                );
            }
            Ok(())
        }
        Command::Township(TownshipCommand::Policy {
            code,
            min_password_chars,
            max_failures,
            lockout_minutes,
            idle_minutes,
            ..
        }) => {
            let mut policy = directory::policy(&db, &code)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
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
                if db.township(&code).await?.is_none() {
                    bail!("{}", tongban_hub::DbError::NoTownship(code.clone()));
                }
                db.put_setting(
                    &code,
                    directory::POLICY_KEY,
                    &serde_json::to_string(&policy)?,
                )
                .await?;
            }
            println!("{}", serde_json::to_string(&policy)?);
            Ok(())
        }
        Command::User(UserCommand::Add {
            township,
            name,
            role,
            totp,
            ..
        }) => {
            let password = std::env::var("TONGBAN_PASSWORD").map_err(|_| {
                anyhow::anyhow!(
                    "set TONGBAN_PASSWORD to the new account's password / 请在环境变量 TONGBAN_PASSWORD 中提供新账户的密码"
                )
            })?;
            let name = tongban_domain::session::check_user_name(&name)?.to_string();
            let policy = directory::policy(&db, &township)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            policy.check_password(&name, &password)?;
            let secret = totp.then(tongban_sync::totp::new_secret);
            let user = tongban_hub::db::HubUser {
                password_hash: tongban_sync::auth::hash_password(&password)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                name: name.clone(),
                role: role.as_str().to_string(),
                totp_secret: secret.clone(),
                created_at: time::OffsetDateTime::now_utc().unix_timestamp(),
            };
            db.add_user(&township, user).await?;
            println!("{township} {name} {role}");
            if let Some(secret) = secret {
                println!(
                    "{}",
                    tongban_sync::totp::url(&secret, &name).map_err(|e| anyhow::anyhow!(e))?
                );
            }
            Ok(())
        }
        Command::User(UserCommand::List { township, .. }) => {
            for u in db.users(&township).await? {
                let factor = if u.totp_secret.is_some() { "totp" } else { "-" };
                println!("{}\t{}\t{factor}", u.name, u.role);
            }
            Ok(())
        }
        Command::Calendar(CalendarCommand::Set { file, .. }) => {
            let text = std::fs::read_to_string(&file).with_context(|| {
                format!(
                    "cannot read {} / 无法读取{}",
                    file.display(),
                    file.display()
                )
            })?;
            let calendar = tongban_domain::WorkCalendar::from_json(&text)?;
            db.put_setting(
                directory::HUB_SCOPE,
                directory::CALENDAR_KEY,
                &serde_json::to_string(calendar.data())?,
            )
            .await?;
            println!(
                "calendar {} for {}-{} / 工作日历已更新",
                calendar.version(),
                calendar.data().first_year,
                calendar.data().last_year
            );
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { json, .. }) => {
            let reports = audit_log::verify_store(&db).await?.map_err(|e| {
                anyhow::anyhow!("audit log does not verify: {e} / 审计日志校验失败")
            })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            } else {
                for r in &reports {
                    println!(
                        "{}: {} entries from {} devices, {} checkpoints verified / 已校验{}条记录、{}个检查点",
                        r.township,
                        r.report.entries,
                        r.report.devices,
                        r.report.checkpoints,
                        r.report.entries,
                        r.report.checkpoints
                    );
                }
            }
            Ok(())
        }
        Command::Device(DeviceCommand::Revoke { device, .. }) => {
            if !db.revoke_device(&device).await? {
                bail!("no device {device} / 没有设备{device}");
            }
            println!("revoked {device}");
            Ok(())
        }
    }
}

/// 12 characters of Crockford base32 (no I, L, O, U): easy to read aloud and type.
fn new_enroll_code() -> Result<String> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random generator: {e}"))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

async fn serve<D: HubDb>(db: D, pages: PageStore, listen: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} / 无法监听 {listen}"))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read the bound address (port 0 picks a free one) from this line.
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, pages = pages.kind, "hub listening");
    let audit = AuditLogs::new(audit_log::signing_key(&db).await?);
    axum::serve(listener, router(db, pages, audit))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
