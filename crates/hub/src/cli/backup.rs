//! `tongban-hub backup` and `restore`: the embedded store copied while the hub serves, and put
//! back in an empty data folder. A PostgreSQL database is backed up with PostgreSQL's own tools.

use super::StoreArgs;
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;
use tongban_hub::{Hub, HubDb, PgDb, SqliteDb};

#[derive(Args)]
pub struct BackupArgs {
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[arg(long)]
    from: PathBuf,
}

/// How each store is backed up.
pub(super) trait Backup: Sized {
    async fn backup(hub: &Hub<Self>, store: &StoreArgs, out: &std::path::Path) -> Result<()>;
}

impl Backup for SqliteDb {
    async fn backup(hub: &Hub<Self>, store: &StoreArgs, out: &std::path::Path) -> Result<()> {
        let keys = store.keys()?;
        let storage = keys.storage_key(false)?;
        let report = tongban_hub::backup::write(
            &hub.db,
            &storage,
            store.data_dir()?,
            store.s3_bucket.is_none(),
            out,
        )
        .await?;
        println!(
            "backup of the database and {} pages written to {} ({} bytes, encrypted; keep the key folder {} apart from it) / 已备份数据库和{}个页面",
            report.pages,
            out.display(),
            report.bytes,
            keys.path().display(),
            report.pages
        );
        if store.s3_bucket.is_some() {
            println!(
                "pages in S3 are not in this file: back up the bucket with the store's tools / S3 中的页面不在备份文件内"
            );
        }
        Ok(())
    }
}

impl Backup for PgDb {
    async fn backup(_: &Hub<Self>, _: &StoreArgs, _: &std::path::Path) -> Result<()> {
        bail!(
            "this hub keeps its data in PostgreSQL: back it up with pg_dump (and the page bucket with the store's tools) / 本中心数据在 PostgreSQL 中，请用 pg_dump 备份"
        )
    }
}

pub async fn backup<D: HubDb + Backup>(
    hub: &Hub<D>,
    store: &StoreArgs,
    args: &BackupArgs,
) -> Result<()> {
    D::backup(hub, store, &args.out).await
}

pub async fn restore(store: &StoreArgs, args: &RestoreArgs) -> Result<()> {
    let data_dir = store.data_dir()?;
    let storage = store.keys()?.storage_key(false)?;
    let report = tongban_hub::backup::restore(&args.from, data_dir, &storage)?;
    println!(
        "restored the database and {} pages into {}; start the hub on it / 已将数据库和{}个页面恢复到{}",
        report.pages,
        data_dir.display(),
        report.pages,
        data_dir.display()
    );
    Ok(())
}
