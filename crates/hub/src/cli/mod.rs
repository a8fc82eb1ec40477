//! The command line: the storage arguments once for every command, one module per command
//! group. Each command parses, calls the services and prints.

mod archive;
mod audit;
mod backup;
mod catalogue;
mod config;
mod department;
mod device;
mod key;
mod report;
mod serve;
mod township;
mod user;

use anyhow::{Context, Result, bail};
use clap::{Args, FromArgMatches, Parser, Subcommand};
use std::path::{Path, PathBuf};
use tongban_hub::keys::KeyDir;
use tongban_hub::service::Limits;
use tongban_hub::{Hub, HubDb, PageStore, PgDb, S3Config, SqliteDb};

#[derive(Parser)]
#[command(
    name = "tongban-hub",
    version,
    about = "Tongban central hub / 通办中心平台"
)]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the hub's data and keys are; every command takes these.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// A TOML file whose keys are these flags' long names (e.g. `listen = "0.0.0.0:8470"`).
    #[arg(long, global = true, env = "TONGBAN_HUB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the embedded database and the scanned pages.
    #[arg(long, global = true, env = "TONGBAN_HUB_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Folder of the hub's keys, outside the data folder (default: DATA_DIR-keys beside it).
    #[arg(long, global = true, env = "TONGBAN_HUB_KEY_DIR")]
    pub key_dir: Option<PathBuf>,
    /// Use this PostgreSQL database instead of the embedded one
    /// (postgres://user@host/db?sslmode=verify-full&sslrootcert=CA_FILE).
    #[arg(long, global = true, env = "TONGBAN_HUB_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The county's TLS certificate chain (PEM) instead of the hub's own.
    #[arg(
        long,
        global = true,
        env = "TONGBAN_HUB_TLS_CERT",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The key of --tls-cert (PEM).
    #[arg(
        long,
        global = true,
        env = "TONGBAN_HUB_TLS_KEY",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Names and addresses desks reach the hub by, written into the hub's own certificate.
    #[arg(
        long,
        global = true,
        env = "TONGBAN_HUB_TLS_NAMES",
        value_delimiter = ','
    )]
    pub tls_names: Vec<String>,
    /// Keep scanned pages in this S3-compatible bucket instead of DATA_DIR/pages
    /// (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
    #[arg(long, global = true, env = "TONGBAN_HUB_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// The S3 endpoint, e.g. https://s3.county.example for a county's own store.
    #[arg(long, global = true, env = "TONGBAN_HUB_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(
        long,
        global = true,
        env = "TONGBAN_HUB_S3_REGION",
        default_value = "us-east-1"
    )]
    pub s3_region: String,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve desks over TLS.
    Serve(serve::ServeArgs),
    /// Manage townships (the hub's tenants).
    #[command(subcommand)]
    Township(township::TownshipCommand),
    /// Issue a one-time code that enrols one desk into a township; prints CODE@FINGERPRINT.
    EnrollCode {
        #[arg(long, required_unless_present = "county")]
        township: Option<String>,
        /// A desk for the county's officers (the county's 6-digit code when the hub's townships
        /// lie in several counties).
        #[arg(long, num_args = 0..=1, default_missing_value = "", conflicts_with = "township")]
        county: Option<String>,
        /// Hours until the code expires.
        #[arg(long, default_value_t = 24)]
        ttl_hours: u32,
    },
    /// List or revoke enrolled desks.
    #[command(subcommand)]
    Device(device::DeviceCommand),
    /// Manage a township's accounts; they reach its desks with the next sync.
    #[command(subcommand)]
    User(user::UserCommand),
    /// The working-day calendar desks count deadlines on: replace it (JSON as in
    /// assets/calendar.json), add a year (holiday-cn JSON), or list a year.
    #[command(subcommand)]
    Calendar(township::CalendarCommand),
    /// Supervision figures (办结率, 超期率 ...) across the county's townships.
    Report(report::ReportArgs),
    /// Publish the county's implementation list (事项实施清单) or list its versions.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
    /// Departments the hub shares cases with (人社, 民政, 医保, 残联 …) and their keys.
    #[command(subcommand)]
    Department(department::DepartmentCommand),
    /// The county's sharing catalogue: what each department may have of a case.
    #[command(subcommand)]
    Sharing(department::SharingCommand),
    /// 好差评: how many working days a township has to rectify a 差评.
    #[command(subcommand)]
    Evaluation(department::EvaluationCommand),
    /// Archival packages: the 四性 check (DA/T 70) of a package or a batch.
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    /// Check the audit logs: exits 0 only when every entry and checkpoint verifies.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Write an encrypted, consistent copy of the embedded database and pages while serving.
    Backup(backup::BackupArgs),
    /// Put a backup in place in an empty data folder (the key folder must hold its keys).
    Restore(backup::RestoreArgs),
    /// Show the hub's key, or move desks over to a new one.
    #[command(subcommand)]
    Key(key::KeyCommand),
}

impl Command {
    pub fn is_serve(&self) -> bool {
        matches!(self, Self::Serve(_))
    }
}

/// A file an operator names (a catalogue, a calendar), read whole; the error says which.
fn read_text(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).with_context(|| {
        format!(
            "cannot read {} / 无法读取{}",
            file.display(),
            file.display()
        )
    })
}

/// Parses the command line over the configuration file's values.
pub fn parse() -> Result<Cli> {
    let command = config::with_file_defaults(<Cli as clap::CommandFactory>::command())?;
    let matches = command.get_matches();
    Ok(Cli::from_arg_matches(&matches)?)
}

impl StoreArgs {
    pub fn data_dir(&self) -> Result<&Path> {
        self.data_dir.as_deref().context(
            "name the hub's data folder: --data-dir DIR (or data-dir in the configuration file) / 请用 --data-dir 指定中心数据目录",
        )
    }

    pub fn keys(&self) -> Result<KeyDir> {
        Ok(KeyDir::locate(self.data_dir()?, self.key_dir.as_deref())?)
    }

    fn tls_given(&self) -> Option<(&Path, &Path)> {
        self.tls_cert.as_deref().zip(self.tls_key.as_deref())
    }

    fn pages(&self) -> Result<PageStore> {
        Ok(match &self.s3_bucket {
            Some(bucket) => PageStore::in_s3(&S3Config {
                bucket: bucket.clone(),
                endpoint: self.s3_endpoint.clone(),
                region: self.s3_region.clone(),
            })?,
            None => PageStore::on_disk(self.data_dir()?)?,
        })
    }

    /// The hub over its keys and store: the storage key is made only for a store that holds
    /// nothing yet.
    async fn open<D: HubDb>(&self, db: D, fresh: bool, limits: Limits) -> Result<Hub<D>> {
        let keys = self.keys()?;
        let storage = keys.storage_key(fresh)?;
        let tls = keys.tls(self.tls_given(), true, &self.tls_names)?;
        Ok(Hub::open(db, storage, &keys, &tls, self.pages()?, limits).await?)
    }
}

/// Opens the backend the arguments name and runs the command on it.
pub async fn dispatch(cli: Cli) -> Result<()> {
    let store = cli.store.clone();
    let limits = match &cli.command {
        Command::Serve(args) => args.limits(),
        _ => Limits::default(),
    };
    match &store.database_url {
        Some(url) => {
            let db = PgDb::connect(url)
                .await
                .context("cannot use the PostgreSQL database / 无法使用 PostgreSQL 数据库")?;
            let fresh = !tongban_hub::service::holds_data(&db).await?;
            let hub = store.open(db, fresh, limits).await?;
            run(hub, &store, cli.command).await
        }
        None => {
            if let Command::Restore(args) = &cli.command {
                // Restoring comes before there is a database to open.
                return backup::restore(&store, args).await;
            }
            let data_dir = store.data_dir()?;
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let path = data_dir.join("hub.db");
            let fresh = SqliteDb::needs_new_key(&path);
            let keys = store.keys()?;
            let storage = keys.storage_key(fresh)?;
            let db = SqliteDb::open(&path, &storage.sqlcipher())
                .context("cannot open the hub database / 无法打开中心数据库")?;
            let hub = store.open(db, fresh, limits).await?;
            run(hub, &store, cli.command).await
        }
    }
}

async fn run<D: HubDb + backup::Backup>(
    hub: Hub<D>,
    store: &StoreArgs,
    command: Command,
) -> Result<()> {
    match command {
        Command::Serve(args) => serve::run(hub, store, args).await,
        Command::Township(command) => township::run(&hub, command).await,
        Command::EnrollCode {
            township,
            county,
            ttl_hours,
        } => {
            let unit = hub.unit(township.as_deref(), county.as_deref()).await?;
            println!("{}", hub.new_enroll_code(&unit, ttl_hours).await?);
            Ok(())
        }
        Command::Device(command) => device::run(&hub, command).await,
        Command::User(command) => user::run(&hub, command).await,
        Command::Calendar(command) => township::calendar(&hub, command).await,
        Command::Report(args) => report::run(&hub, args).await,
        Command::Catalogue(command) => catalogue::run(&hub, command).await,
        Command::Archive(command) => archive::run(&hub, command).await,
        Command::Department(command) => department::run(&hub, command).await,
        Command::Sharing(command) => department::sharing(&hub, command).await,
        Command::Evaluation(command) => department::evaluation(&hub, command).await,
        Command::Audit(command) => audit::run(&hub, command).await,
        Command::Backup(args) => backup::backup(&hub, store, &args).await,
        Command::Restore(_) => bail!(
            "restore puts a backup of the embedded database in place; for PostgreSQL use pg_restore / restore 仅用于内置数据库，PostgreSQL 请用 pg_restore"
        ),
        Command::Key(command) => key::run(&hub, store, command).await,
    }
}
