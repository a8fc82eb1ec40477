//! Departments and case uses in the embedded store.

use crate::db::HubResult;
use crate::sharing_db::{CaseAccess, Department, SharingDb};
use crate::sqlite::SqliteDb;
use rusqlite::{OptionalExtension, Row, params};

const COLUMNS: &str = "code, name, kind, public_key, added_at_ms, disabled_at_ms";

fn department(r: &Row<'_>) -> rusqlite::Result<Department> {
    Ok(Department {
        code: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        public_key: r.get(3)?,
        added_at_ms: r.get(4)?,
        disabled_at_ms: r.get(5)?,
    })
}

/// Inside the transaction that stores the document: its applicant's index tag.
pub(crate) fn put_applicant(
    tx: &rusqlite::Connection,
    township: &str,
    doc_id: &str,
    tag: Option<&str>,
) -> rusqlite::Result<()> {
    match tag {
        Some(tag) => tx
            .prepare_cached(
                "INSERT INTO case_applicants (township, doc_id, tag) VALUES (?1, ?2, ?3)
                 ON CONFLICT (township, doc_id) DO UPDATE SET tag = excluded.tag",
            )?
            .execute([township, doc_id, tag])?,
        None => tx
            .prepare_cached("DELETE FROM case_applicants WHERE township = ?1 AND doc_id = ?2")?
            .execute([township, doc_id])?,
    };
    Ok(())
}

impl SharingDb for SqliteDb {
    async fn add_department(&self, d: &Department) -> HubResult<bool> {
        let d = d.clone();
        self.call(move |c| {
            let added = c.execute(
                &format!(
                    "INSERT INTO departments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (code) DO NOTHING"
                ),
                params![
                    d.code,
                    d.name,
                    d.kind,
                    d.public_key,
                    d.added_at_ms,
                    d.disabled_at_ms
                ],
            )?;
            Ok(added == 1)
        })
        .await
    }

    async fn department(&self, code: &str) -> HubResult<Option<Department>> {
        let code = code.to_string();
        self.call(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM departments WHERE code = ?1"
            ))?
            .query_row([code], department)
            .optional()?)
        })
        .await
    }

    async fn departments(&self) -> HubResult<Vec<Department>> {
        self.call(move |c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM departments ORDER BY code"))?;
            let rows = stmt.query_map([], department)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn disable_department(&self, code: &str, at_ms: i64) -> HubResult<bool> {
        let code = code.to_string();
        self.call(move |c| {
            let changed = c.execute(
                "UPDATE departments SET disabled_at_ms = coalesce(disabled_at_ms, ?2)
                 WHERE code = ?1",
                params![code, at_ms],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    async fn add_case_access(&self, a: &CaseAccess) -> HubResult<()> {
        let a = a.clone();
        self.call(move |c| {
            c.execute(
                "INSERT INTO case_accesses (case_number, township, position, grant_id, released)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    a.case_number,
                    a.township,
                    i64::try_from(a.position).unwrap_or(i64::MAX),
                    a.grant_id,
                    a.released
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn case_accesses(&self, case_number: &str) -> HubResult<Vec<CaseAccess>> {
        let number = case_number.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT case_number, township, position, grant_id, released FROM case_accesses
                 WHERE case_number = ?1 ORDER BY position",
            )?;
            let rows = stmt.query_map([number], |r| {
                Ok(CaseAccess {
                    case_number: r.get(0)?,
                    township: r.get(1)?,
                    position: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
                    grant_id: r.get(3)?,
                    released: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn cases_of_applicant(&self, tag: &str) -> HubResult<Vec<(String, String)>> {
        let tag = tag.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT township, doc_id FROM case_applicants WHERE tag = ?1
                 ORDER BY township, doc_id",
            )?;
            let rows = stmt.query_map([tag], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn grant_uses(&self, grant_id: &str) -> HubResult<u32> {
        let grant = grant_id.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM case_accesses WHERE grant_id = ?1 AND released",
                [grant],
                |r| r.get(0),
            )?)
        })
        .await
    }
}
