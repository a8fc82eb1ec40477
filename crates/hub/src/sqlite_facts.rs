//! The figures' facts in the embedded store.

use crate::db::HubResult;
use crate::facts_db::{FactsDb, FactsRow};
use crate::sqlite::SqliteDb;
use rusqlite::params;

/// Inside the transaction that stores the document: its facts, or (none known) the old row
/// dropped, so the document is read again for its facts.
pub(crate) fn put(
    tx: &rusqlite::Connection,
    township: &str,
    doc_id: &str,
    facts: Option<&str>,
) -> rusqlite::Result<()> {
    if facts.is_none() {
        tx.prepare_cached("DELETE FROM case_facts WHERE township = ?1 AND doc_id = ?2")?
            .execute([township, doc_id])?;
        return Ok(());
    }
    keep(tx, township, doc_id, facts)
}

/// Keeps a document's facts; none marks one that is not a readable case.
fn keep(
    tx: &rusqlite::Connection,
    township: &str,
    doc_id: &str,
    facts: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO case_facts (township, doc_id, facts) VALUES (?1, ?2, ?3)
         ON CONFLICT (township, doc_id) DO UPDATE SET facts = excluded.facts",
    )?
    .execute(params![township, doc_id, facts])?;
    Ok(())
}

impl FactsDb for SqliteDb {
    async fn case_facts(&self, prefix: &str) -> HubResult<Vec<String>> {
        // Codes are digits only (checked where they enter), so the prefix is a plain range.
        let (from, to) = (prefix.to_string(), format!("{prefix}:"));
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT facts FROM case_facts
                 WHERE township >= ?1 AND township < ?2 AND facts IS NOT NULL",
            )?;
            let rows = stmt.query_map([from, to], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn count_facts(&self, prefix: &str) -> HubResult<u64> {
        let (from, to) = (prefix.to_string(), format!("{prefix}:"));
        self.call(move |c| {
            let n: i64 = c.query_row(
                "SELECT count(*) FROM case_facts
                 WHERE township >= ?1 AND township < ?2 AND facts IS NOT NULL",
                [from, to],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn docs_without_facts(&self) -> HubResult<Vec<(String, String)>> {
        self.call(|c| {
            let mut stmt = c.prepare(
                "SELECT d.township, d.doc_id FROM docs d
                 WHERE NOT EXISTS (SELECT 1 FROM case_facts f
                                   WHERE f.township = d.township AND f.doc_id = d.doc_id)",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn put_facts(&self, rows: Vec<FactsRow>) -> HubResult<()> {
        self.call(move |c| {
            let tx = c.transaction()?;
            for (township, doc_id, facts) in &rows {
                keep(&tx, township, doc_id, facts.as_deref())?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
