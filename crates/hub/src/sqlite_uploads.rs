//! Uploads in progress and request counts in the embedded store.

use crate::db::HubResult;
use crate::sqlite::SqliteDb;
use crate::upload_db::{UploadChunk, UploadDb};
use rusqlite::{OptionalExtension, params};

impl UploadDb for SqliteDb {
    async fn page_referenced(&self, township: &str, sha256: &str) -> HubResult<bool> {
        let (township, sha256) = (township.to_string(), sha256.to_string());
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT count(*) > 0 FROM case_pages WHERE township = ?1 AND sha256 = ?2",
                [township, sha256],
                |r| r.get(0),
            )?)
        })
        .await
    }

    async fn put_upload_chunk(&self, chunk: UploadChunk) -> HubResult<()> {
        self.call(move |c| {
            c.execute(
                "INSERT INTO page_uploads (township, sha256, idx, device_id, size, data, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (township, sha256, idx) DO UPDATE SET
                   device_id = excluded.device_id, size = excluded.size, data = excluded.data,
                   updated_at = excluded.updated_at",
                params![
                    chunk.township,
                    chunk.sha256,
                    chunk.index,
                    chunk.device,
                    i64::try_from(chunk.size).unwrap_or(i64::MAX),
                    chunk.data,
                    chunk.at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn upload_chunks(&self, township: &str, sha256: &str) -> HubResult<Vec<u32>> {
        let (township, sha256) = (township.to_string(), sha256.to_string());
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT idx FROM page_uploads WHERE township = ?1 AND sha256 = ?2 ORDER BY idx",
            )?;
            let rows = stmt.query_map([township, sha256], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn upload_chunk(
        &self,
        township: &str,
        sha256: &str,
        index: u32,
    ) -> HubResult<Option<Vec<u8>>> {
        let (township, sha256) = (township.to_string(), sha256.to_string());
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT data FROM page_uploads WHERE township = ?1 AND sha256 = ?2 AND idx = ?3",
                params![township, sha256, index],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn staged_bytes(&self, device: &str) -> HubResult<u64> {
        let device = device.to_string();
        self.call(move |c| {
            let bytes: i64 = c.query_row(
                "SELECT coalesce(sum(length(data)), 0) FROM page_uploads WHERE device_id = ?1",
                [device],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(bytes).unwrap_or(0))
        })
        .await
    }

    async fn drop_upload(&self, township: &str, sha256: &str) -> HubResult<()> {
        let (township, sha256) = (township.to_string(), sha256.to_string());
        self.call(move |c| {
            c.execute(
                "DELETE FROM page_uploads WHERE township = ?1 AND sha256 = ?2",
                [township, sha256],
            )?;
            Ok(())
        })
        .await
    }

    async fn expire_uploads(&self, before: i64) -> HubResult<u64> {
        self.call(move |c| {
            // An upload goes whole: every chunk of a page whose newest chunk is too old.
            let removed = c.execute(
                "DELETE FROM page_uploads WHERE (township, sha256) IN (
                     SELECT township, sha256 FROM page_uploads GROUP BY township, sha256
                     HAVING max(updated_at) < ?1)",
                [before],
            )?;
            Ok(removed as u64)
        })
        .await
    }

    async fn count_request(&self, key: &str, window_start: i64) -> HubResult<u32> {
        let key = key.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN rate_limits.window_start = excluded.window_start
                                THEN rate_limits.count + 1 ELSE 1 END,
                   window_start = excluded.window_start
                 RETURNING count",
                params![key, window_start],
                |r| r.get(0),
            )?)
        })
        .await
    }

    async fn request_count(&self, key: &str, window_start: i64) -> HubResult<u32> {
        let key = key.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT coalesce(max(count), 0) FROM rate_limits
                 WHERE key = ?1 AND window_start = ?2",
                params![key, window_start],
                |r| r.get(0),
            )?)
        })
        .await
    }

    async fn forget_request_counts(&self, before: i64) -> HubResult<()> {
        self.call(move |c| {
            c.execute("DELETE FROM rate_limits WHERE window_start < ?1", [before])?;
            Ok(())
        })
        .await
    }
}
