//! The archive register in the embedded store.

use crate::archive_db::{ArchiveDb, ArchiveEvent, ArchiveRow};
use crate::db::HubResult;
use crate::sqlite::SqliteDb;
use rusqlite::{Row, params};

const COLUMNS: &str =
    "case_number, township, code, batch, item, year, retention, object, bytes, archived_at_ms";

fn row(r: &Row<'_>) -> rusqlite::Result<ArchiveRow> {
    Ok(ArchiveRow {
        case_number: r.get(0)?,
        township: r.get(1)?,
        code: r.get(2)?,
        batch: r.get(3)?,
        item: r.get(4)?,
        year: r.get(5)?,
        retention: r.get(6)?,
        object: r.get(7)?,
        bytes: r.get::<_, i64>(8)?.try_into().unwrap_or(0),
        archived_at_ms: r.get(9)?,
    })
}

impl ArchiveDb for SqliteDb {
    async fn archive_rows(&self, prefix: &str) -> HubResult<Vec<ArchiveRow>> {
        let (from, to) = (prefix.to_string(), format!("{prefix}:"));
        self.call(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM archives WHERE township >= ?1 AND township < ?2
                 ORDER BY township, year, code"
            ))?;
            let rows = stmt.query_map([from, to], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn archive_row(&self, case_number: &str) -> HubResult<Option<ArchiveRow>> {
        let case_number = case_number.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM archives WHERE case_number = ?1"
            ))?;
            let mut rows = stmt.query_map([case_number], row)?;
            Ok(rows.next().transpose()?)
        })
        .await
    }

    async fn last_archive_item(&self, batch: &str) -> HubResult<u16> {
        let batch = batch.to_string();
        self.call(move |c| {
            let last: Option<i64> = c.query_row(
                "SELECT max(item) FROM archives WHERE batch = ?1",
                [batch],
                |r| r.get(0),
            )?;
            Ok(u16::try_from(last.unwrap_or(0)).unwrap_or(u16::MAX))
        })
        .await
    }

    async fn put_archive(&self, a: ArchiveRow) -> HubResult<bool> {
        self.call(move |c| {
            let added = c.execute(
                "INSERT INTO archives (case_number, township, code, batch, item, year, retention,
                     object, bytes, archived_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
                params![
                    a.case_number,
                    a.township,
                    a.code,
                    a.batch,
                    a.item,
                    a.year,
                    a.retention,
                    a.object,
                    i64::try_from(a.bytes).unwrap_or(i64::MAX),
                    a.archived_at_ms
                ],
            )?;
            Ok(added == 1)
        })
        .await
    }

    async fn add_archive_event(&self, e: ArchiveEvent) -> HubResult<()> {
        self.call(move |c| {
            c.execute(
                "INSERT INTO archive_events (case_number, at_ms, kind, outcome, detail, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    e.case_number,
                    e.at_ms,
                    e.kind,
                    e.outcome,
                    e.detail,
                    e.report
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn archive_events(&self, prefix: &str) -> HubResult<Vec<ArchiveEvent>> {
        let (from, to) = (prefix.to_string(), format!("{prefix}\u{10ffff}"));
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT case_number, at_ms, kind, outcome, detail, report FROM archive_events
                 WHERE case_number >= ?1 AND case_number < ?2 ORDER BY id",
            )?;
            let rows = stmt.query_map([from, to], |r| {
                Ok(ArchiveEvent {
                    case_number: r.get(0)?,
                    at_ms: r.get(1)?,
                    kind: r.get(2)?,
                    outcome: r.get(3)?,
                    detail: r.get(4)?,
                    report: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
