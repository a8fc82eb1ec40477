//! The audit log in the embedded store.

use crate::audit_db::{AuditDb, LogEntry, NewLogEntry};
use crate::db::HubResult;
use crate::sqlite::SqliteDb;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

impl AuditDb for SqliteDb {
    async fn audit_head(&self, device: &str) -> HubResult<Option<(u64, Vec<u8>)>> {
        let device = device.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT seq + 1, hash FROM audit_log WHERE device_id = ?1
                 ORDER BY seq DESC LIMIT 1",
                [device],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
        })
        .await
    }

    async fn audit_event_at(&self, device: &str, seq: u64) -> HubResult<Option<(u64, Vec<u8>)>> {
        let device = device.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT position, hash FROM audit_log WHERE device_id = ?1 AND seq = ?2",
                params![device, seq as i64],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
        })
        .await
    }

    async fn append_audit(
        &self,
        township: &str,
        device: &str,
        expected_count: u64,
        entries: Vec<NewLogEntry>,
    ) -> HubResult<Option<Vec<u64>>> {
        let (township, device) = (township.to_string(), device.to_string());
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let count: i64 = tx.query_row(
                "SELECT count(*) FROM audit_log WHERE device_id = ?1",
                [&device],
                |r| r.get(0),
            )?;
            if count as u64 != expected_count {
                return Ok(None);
            }
            let first: i64 = tx.query_row(
                "SELECT coalesce(max(position) + 1, 0) FROM audit_log WHERE township = ?1",
                [&township],
                |r| r.get(0),
            )?;
            let mut positions = Vec::with_capacity(entries.len());
            for (next, e) in (first..).zip(entries) {
                tx.execute(
                    "INSERT INTO audit_log
                     (township, position, device_id, seq, hash, bytes, signature)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        township,
                        next,
                        device,
                        e.seq as i64,
                        e.hash,
                        e.bytes,
                        e.signature
                    ],
                )?;
                positions.push(next as u64);
            }
            tx.commit()?;
            Ok(Some(positions))
        })
        .await
    }

    async fn audit_leaves(&self, township: &str, from: u64) -> HubResult<Vec<Vec<u8>>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT hash FROM audit_log WHERE township = ?1 AND position >= ?2
                 ORDER BY position",
            )?;
            let rows = stmt.query_map(params![township, from as i64], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn audit_entries(
        &self,
        township: &str,
        from: u64,
        limit: u32,
    ) -> HubResult<Vec<LogEntry>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT position, hash, bytes, signature FROM audit_log
                 WHERE township = ?1 AND position >= ?2 ORDER BY position LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![township, from as i64, limit], |r| {
                Ok(LogEntry {
                    position: r.get::<_, i64>(0)? as u64,
                    hash: r.get(1)?,
                    bytes: r.get(2)?,
                    signature: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn put_audit_checkpoint(
        &self,
        township: &str,
        size: u64,
        checkpoint: &str,
    ) -> HubResult<()> {
        let (township, checkpoint) = (township.to_string(), checkpoint.to_string());
        self.call(move |c| {
            c.execute(
                "INSERT INTO audit_checkpoints (township, size, checkpoint) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![township, size as i64, checkpoint],
            )?;
            Ok(())
        })
        .await
    }

    async fn audit_checkpoints(&self, township: &str) -> HubResult<Vec<String>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT checkpoint FROM audit_checkpoints WHERE township = ?1 ORDER BY size",
            )?;
            let rows = stmt.query_map([township], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn township_codes(&self) -> HubResult<Vec<String>> {
        self.call(|c| {
            let mut stmt = c.prepare("SELECT code FROM townships ORDER BY code")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn put_witnessed(
        &self,
        township: &str,
        device: &str,
        size: u64,
        checkpoint: &str,
    ) -> HubResult<()> {
        let (township, device, checkpoint) = (
            township.to_string(),
            device.to_string(),
            checkpoint.to_string(),
        );
        self.call(move |c| {
            c.execute(
                "INSERT INTO witnessed_checkpoints (township, size, device_id, checkpoint)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![township, size as i64, device, checkpoint],
            )?;
            Ok(())
        })
        .await
    }

    async fn witnessed(&self, township: &str) -> HubResult<Vec<String>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT checkpoint FROM witnessed_checkpoints WHERE township = ?1
                 ORDER BY size, device_id",
            )?;
            let rows = stmt.query_map([township], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
