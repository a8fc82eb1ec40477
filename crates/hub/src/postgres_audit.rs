//! The audit log in PostgreSQL; appends are ordered by a lock on the township row.

use crate::audit_db::{AuditDb, LogEntry, NewLogEntry};
use crate::db::HubResult;
use crate::postgres::PgDb;

impl AuditDb for PgDb {
    async fn audit_head(&self, device: &str) -> HubResult<Option<(u64, Vec<u8>)>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT seq + 1, hash FROM audit_log WHERE device_id = $1
                 ORDER BY seq DESC LIMIT 1",
                &[&device],
            )
            .await?;
        Ok(row.map(|r| (r.get::<_, i64>(0) as u64, r.get(1))))
    }

    async fn audit_event_at(&self, device: &str, seq: u64) -> HubResult<Option<(u64, Vec<u8>)>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT position, hash FROM audit_log WHERE device_id = $1 AND seq = $2",
                &[&device, &(seq as i64)],
            )
            .await?;
        Ok(row.map(|r| (r.get::<_, i64>(0) as u64, r.get(1))))
    }

    async fn append_audit(
        &self,
        township: &str,
        device: &str,
        expected_count: u64,
        entries: Vec<NewLogEntry>,
    ) -> HubResult<Option<Vec<u64>>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT 1 FROM townships WHERE code = $1 FOR UPDATE",
            &[&township],
        )
        .await?;
        let count: i64 = tx
            .query_one(
                "SELECT count(*) FROM audit_log WHERE device_id = $1",
                &[&device],
            )
            .await?
            .get(0);
        if count as u64 != expected_count {
            return Ok(None);
        }
        let first: i64 = tx
            .query_one(
                "SELECT coalesce(max(position) + 1, 0) FROM audit_log WHERE township = $1",
                &[&township],
            )
            .await?
            .get(0);
        let mut positions = Vec::with_capacity(entries.len());
        for (next, e) in (first..).zip(entries) {
            tx.execute(
                "INSERT INTO audit_log (township, position, device_id, seq, hash, bytes, signature)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &township,
                    &next,
                    &device,
                    &(e.seq as i64),
                    &e.hash,
                    &e.bytes,
                    &e.signature,
                ],
            )
            .await?;
            positions.push(next as u64);
        }
        tx.commit().await?;
        Ok(Some(positions))
    }

    async fn audit_leaves(&self, township: &str, from: u64) -> HubResult<Vec<Vec<u8>>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT hash FROM audit_log WHERE township = $1 AND position >= $2
                 ORDER BY position",
                &[&township, &(from as i64)],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn audit_entries(
        &self,
        township: &str,
        from: u64,
        limit: u32,
    ) -> HubResult<Vec<LogEntry>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT position, hash, bytes, signature FROM audit_log
                 WHERE township = $1 AND position >= $2 ORDER BY position LIMIT $3",
                &[&township, &(from as i64), &i64::from(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| LogEntry {
                position: r.get::<_, i64>(0) as u64,
                hash: r.get(1),
                bytes: r.get(2),
                signature: r.get(3),
            })
            .collect())
    }

    async fn put_audit_checkpoint(
        &self,
        township: &str,
        size: u64,
        checkpoint: &str,
    ) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO audit_checkpoints (township, size, checkpoint) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&township, &(size as i64), &checkpoint],
            )
            .await?;
        Ok(())
    }

    async fn audit_checkpoints(&self, township: &str) -> HubResult<Vec<String>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT checkpoint FROM audit_checkpoints WHERE township = $1 ORDER BY size",
                &[&township],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn township_codes(&self) -> HubResult<Vec<String>> {
        let rows = self
            .client()
            .await?
            .query("SELECT code FROM townships ORDER BY code", &[])
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn put_witnessed(
        &self,
        township: &str,
        device: &str,
        size: u64,
        checkpoint: &str,
    ) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO witnessed_checkpoints (township, size, device_id, checkpoint)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&township, &(size as i64), &device, &checkpoint],
            )
            .await?;
        Ok(())
    }

    async fn witnessed(&self, township: &str) -> HubResult<Vec<String>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT checkpoint FROM witnessed_checkpoints WHERE township = $1
                 ORDER BY size, device_id",
                &[&township],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
