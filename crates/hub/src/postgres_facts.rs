//! The figures' facts in PostgreSQL.

use crate::db::HubResult;
use crate::facts_db::{FactsDb, FactsRow};
use crate::postgres::PgDb;

/// Inside the transaction that stores the document: its facts, or (none known) the old row
/// dropped, so the document is read again for its facts.
pub(crate) async fn put(
    tx: &tokio_postgres::Transaction<'_>,
    township: &str,
    doc_id: &str,
    facts: Option<&str>,
) -> HubResult<()> {
    if facts.is_none() {
        tx.execute(
            "DELETE FROM case_facts WHERE township = $1 AND doc_id = $2",
            &[&township, &doc_id],
        )
        .await?;
        return Ok(());
    }
    tx.execute(
        "INSERT INTO case_facts (township, doc_id, facts) VALUES ($1, $2, $3)
         ON CONFLICT (township, doc_id) DO UPDATE SET facts = excluded.facts",
        &[&township, &doc_id, &facts],
    )
    .await?;
    Ok(())
}

impl FactsDb for PgDb {
    async fn case_facts(&self, prefix: &str) -> HubResult<Vec<String>> {
        // Codes are digits only (checked where they enter), so the prefix is a plain range.
        let to = format!("{prefix}:");
        let rows = self
            .client()
            .await?
            .query(
                "SELECT facts FROM case_facts
                 WHERE township >= $1 AND township < $2 AND facts IS NOT NULL",
                &[&prefix, &to],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn count_facts(&self, prefix: &str) -> HubResult<u64> {
        let to = format!("{prefix}:");
        let n: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FROM case_facts
                 WHERE township >= $1 AND township < $2 AND facts IS NOT NULL",
                &[&prefix, &to],
            )
            .await?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn docs_without_facts(&self) -> HubResult<Vec<(String, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT d.township, d.doc_id FROM docs d
                 WHERE NOT EXISTS (SELECT 1 FROM case_facts f
                                   WHERE f.township = d.township AND f.doc_id = d.doc_id)",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn put_facts(&self, rows: Vec<FactsRow>) -> HubResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for (township, doc_id, facts) in &rows {
            tx.execute(
                "INSERT INTO case_facts (township, doc_id, facts) VALUES ($1, $2, $3)
                 ON CONFLICT (township, doc_id) DO UPDATE SET facts = excluded.facts",
                &[township, doc_id, facts],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
