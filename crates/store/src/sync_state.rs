//! What the desk remembers between syncs: per document the digest both sides last agreed on
//! and the durable part of the Automerge sync state, plus its position in the hub's feed.

use crate::cases::{load_doc, save_doc};
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use tongban_sync::automerge::{AutoCommit, ChangeHash};
use tongban_sync::wire::DocDigest;

impl Store {
    /// Documents whose current digest differs from the one last agreed with the hub.
    pub fn changed_docs(&self) -> Result<Vec<DocDigest>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, c.digest FROM cases c
             LEFT JOIN sync_docs s ON s.doc_id = c.number
             WHERE s.synced_digest IS NULL OR s.synced_digest <> c.digest
             ORDER BY c.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DocDigest {
                doc_id: r.get(0)?,
                digest: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn doc_digest(&self, doc_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT digest FROM cases WHERE number = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn sync_cursor(&self) -> Result<u64, StoreError> {
        Ok(self
            .setting("sync_cursor")?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    pub fn set_sync_cursor(&mut self, cursor: u64) -> Result<(), StoreError> {
        Self::put_setting(&self.conn, "sync_cursor", cursor.to_string().as_bytes())
    }

    pub fn sync_state(&self, doc_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT state FROM sync_docs WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Stores what a sync round brought into a document, with its sync state, in one
    /// transaction. The document is re-read under the write lock and the incoming changes
    /// merged into it, so a clerk's edit made meanwhile is never overwritten.
    pub fn save_synced_doc(
        &mut self,
        doc_id: &str,
        received: &mut AutoCommit,
        state: &[u8],
    ) -> Result<(), StoreError> {
        let calendar = self.calendar()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut doc, before): (AutoCommit, Option<Vec<ChangeHash>>) = match load_doc(&tx, doc_id)?
        {
            Some(mut current) => {
                let heads = current.get_heads();
                current
                    .merge(received)
                    .map_err(|e| StoreError::Corrupt(format!("merging {doc_id}: {e}")))?;
                (current, Some(heads))
            }
            None => (received.fork(), None),
        };
        let heads = doc.get_heads();
        let changed = match &before {
            Some(before) => *before != heads,
            // Nothing received yet for a document this desk never had: nothing to keep.
            None => !heads.is_empty(),
        };
        if changed {
            save_doc(&tx, &calendar, doc_id, &mut doc, before.as_deref())?;
        }
        tx.execute(
            "INSERT INTO sync_docs (doc_id, state) VALUES (?1, ?2)
             ON CONFLICT (doc_id) DO UPDATE SET state = excluded.state",
            params![doc_id, state],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that desk and hub hold the same document, as of `digest`.
    pub fn mark_synced(&mut self, doc_id: &str, digest: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_docs (doc_id, synced_digest) VALUES (?1, ?2)
             ON CONFLICT (doc_id) DO UPDATE SET synced_digest = excluded.synced_digest",
            params![doc_id, digest],
        )?;
        Ok(())
    }
}
