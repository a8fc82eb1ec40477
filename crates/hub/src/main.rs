//! `tongban-hub`: run the hub and administer townships, enrolment codes and devices.
#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use tongban_domain::TownshipCode;
use tongban_hub::{HubDb, PgDb, SqliteDb, hash_enroll_code, router};

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
            Self::Township(TownshipCommand::Add { store, .. }) => store,
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
        Command::Serve { listen, .. } => serve(db, listen).await,
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

async fn serve<D: HubDb>(db: D, listen: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} / 无法监听 {listen}"))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read the bound address (port 0 picks a free one) from this line.
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, "hub listening");
    axum::serve(listener, router(db))
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
