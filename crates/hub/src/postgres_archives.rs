//! The archive register in PostgreSQL.

use crate::archive_db::{ArchiveDb, ArchiveEvent, ArchiveRow};
use crate::db::HubResult;
use crate::postgres::PgDb;
use tokio_postgres::Row;

const COLUMNS: &str =
    "case_number, township, code, batch, item, year, retention, object, bytes, archived_at_ms";

fn row(r: &Row) -> ArchiveRow {
    ArchiveRow {
        case_number: r.get(0),
        township: r.get(1),
        code: r.get(2),
        batch: r.get(3),
        item: u16::try_from(r.get::<_, i32>(4)).unwrap_or(0),
        year: r.get(5),
        retention: r.get(6),
        object: r.get(7),
        bytes: u64::try_from(r.get::<_, i64>(8)).unwrap_or(0),
        archived_at_ms: r.get(9),
    }
}

impl ArchiveDb for PgDb {
    async fn archive_rows(&self, prefix: &str) -> HubResult<Vec<ArchiveRow>> {
        let to = format!("{prefix}:");
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM archives WHERE township >= $1 AND township < $2
                     ORDER BY township, year, code"
                ),
                &[&prefix, &to],
            )
            .await?;
        Ok(rows.iter().map(row).collect())
    }

    async fn archive_row(&self, case_number: &str) -> HubResult<Option<ArchiveRow>> {
        let found = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM archives WHERE case_number = $1"),
                &[&case_number],
            )
            .await?;
        Ok(found.as_ref().map(row))
    }

    async fn last_archive_item(&self, batch: &str) -> HubResult<u16> {
        let last: Option<i32> = self
            .client()
            .await?
            .query_one("SELECT max(item) FROM archives WHERE batch = $1", &[&batch])
            .await?
            .get(0);
        Ok(u16::try_from(last.unwrap_or(0)).unwrap_or(u16::MAX))
    }

    async fn put_archive(&self, a: ArchiveRow) -> HubResult<bool> {
        let added = self
            .client()
            .await?
            .execute(
                "INSERT INTO archives (case_number, township, code, batch, item, year, retention,
                     object, bytes, archived_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
                &[
                    &a.case_number,
                    &a.township,
                    &a.code,
                    &a.batch,
                    &i32::from(a.item),
                    &a.year,
                    &a.retention,
                    &a.object,
                    &i64::try_from(a.bytes).unwrap_or(i64::MAX),
                    &a.archived_at_ms,
                ],
            )
            .await?;
        Ok(added == 1)
    }

    async fn add_archive_event(&self, e: ArchiveEvent) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO archive_events (case_number, at_ms, kind, outcome, detail, report)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &e.case_number,
                    &e.at_ms,
                    &e.kind,
                    &e.outcome,
                    &e.detail,
                    &e.report,
                ],
            )
            .await?;
        Ok(())
    }

    async fn archive_events(&self, prefix: &str) -> HubResult<Vec<ArchiveEvent>> {
        let pattern = format!("{}%", prefix.replace(['%', '_', '\\'], ""));
        let rows = self
            .client()
            .await?
            .query(
                "SELECT case_number, at_ms, kind, outcome, detail, report FROM archive_events
                 WHERE case_number LIKE $1 ORDER BY id",
                &[&pattern],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| ArchiveEvent {
                case_number: r.get(0),
                at_ms: r.get(1),
                kind: r.get(2),
                outcome: r.get(3),
                detail: r.get(4),
                report: r.get(5),
            })
            .collect())
    }
}
