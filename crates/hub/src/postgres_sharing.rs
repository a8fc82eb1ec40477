//! Departments and case uses in PostgreSQL.

use crate::db::HubResult;
use crate::postgres::PgDb;
use crate::sharing_db::{CaseAccess, Department, SharingDb};
use tokio_postgres::Row;

const COLUMNS: &str = "code, name, kind, public_key, added_at_ms, disabled_at_ms";

fn department(r: &Row) -> Department {
    Department {
        code: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        public_key: r.get(3),
        added_at_ms: r.get(4),
        disabled_at_ms: r.get(5),
    }
}

/// Inside the transaction that stores the document: its applicant's index tag.
pub(crate) async fn put_applicant(
    tx: &tokio_postgres::Transaction<'_>,
    township: &str,
    doc_id: &str,
    tag: Option<&str>,
) -> HubResult<()> {
    match tag {
        Some(tag) => {
            tx.execute(
                "INSERT INTO case_applicants (township, doc_id, tag) VALUES ($1, $2, $3)
                 ON CONFLICT (township, doc_id) DO UPDATE SET tag = excluded.tag",
                &[&township, &doc_id, &tag],
            )
            .await?
        }
        None => {
            tx.execute(
                "DELETE FROM case_applicants WHERE township = $1 AND doc_id = $2",
                &[&township, &doc_id],
            )
            .await?
        }
    };
    Ok(())
}

impl SharingDb for PgDb {
    async fn add_department(&self, d: &Department) -> HubResult<bool> {
        let added = self
            .client()
            .await?
            .execute(
                &format!(
                    "INSERT INTO departments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (code) DO NOTHING"
                ),
                &[
                    &d.code,
                    &d.name,
                    &d.kind,
                    &d.public_key,
                    &d.added_at_ms,
                    &d.disabled_at_ms,
                ],
            )
            .await?;
        Ok(added == 1)
    }

    async fn department(&self, code: &str) -> HubResult<Option<Department>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM departments WHERE code = $1"),
                &[&code],
            )
            .await?;
        Ok(row.as_ref().map(department))
    }

    async fn departments(&self) -> HubResult<Vec<Department>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {COLUMNS} FROM departments ORDER BY code"),
                &[],
            )
            .await?;
        Ok(rows.iter().map(department).collect())
    }

    async fn disable_department(&self, code: &str, at_ms: i64) -> HubResult<bool> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE departments SET disabled_at_ms = coalesce(disabled_at_ms, $2)
                 WHERE code = $1",
                &[&code, &at_ms],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn add_case_access(&self, a: &CaseAccess) -> HubResult<()> {
        let position = i64::try_from(a.position).unwrap_or(i64::MAX);
        self.client()
            .await?
            .execute(
                "INSERT INTO case_accesses (case_number, township, position, grant_id, released)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &a.case_number,
                    &a.township,
                    &position,
                    &a.grant_id,
                    &a.released,
                ],
            )
            .await?;
        Ok(())
    }

    async fn case_accesses(&self, case_number: &str) -> HubResult<Vec<CaseAccess>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT case_number, township, position, grant_id, released FROM case_accesses
                 WHERE case_number = $1 ORDER BY position",
                &[&case_number],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| CaseAccess {
                case_number: r.get(0),
                township: r.get(1),
                position: u64::try_from(r.get::<_, i64>(2)).unwrap_or(0),
                grant_id: r.get(3),
                released: r.get(4),
            })
            .collect())
    }

    async fn cases_of_applicant(&self, tag: &str) -> HubResult<Vec<(String, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT township, doc_id FROM case_applicants WHERE tag = $1
                 ORDER BY township, doc_id",
                &[&tag],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn grant_uses(&self, grant_id: &str) -> HubResult<u32> {
        let count: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FROM case_accesses WHERE grant_id = $1 AND released",
                &[&grant_id],
            )
            .await?
            .get(0);
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
