//! Uploads in progress and request counts in PostgreSQL, shared by every hub process.

use crate::db::HubResult;
use crate::postgres::PgDb;
use crate::upload_db::{UploadChunk, UploadDb};

impl UploadDb for PgDb {
    async fn page_referenced(&self, township: &str, sha256: &str) -> HubResult<bool> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM case_pages WHERE township = $1 AND sha256 = $2",
                &[&township, &sha256],
            )
            .await?
            .is_some())
    }

    async fn put_upload_chunk(&self, chunk: UploadChunk) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO page_uploads (township, sha256, idx, device_id, size, data, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (township, sha256, idx) DO UPDATE SET
                   device_id = excluded.device_id, size = excluded.size, data = excluded.data,
                   updated_at = excluded.updated_at",
                &[
                    &chunk.township,
                    &chunk.sha256,
                    &i32::try_from(chunk.index).unwrap_or(i32::MAX),
                    &chunk.device,
                    &i64::try_from(chunk.size).unwrap_or(i64::MAX),
                    &chunk.data,
                    &chunk.at,
                ],
            )
            .await?;
        Ok(())
    }

    async fn upload_chunks(&self, township: &str, sha256: &str) -> HubResult<Vec<u32>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT idx FROM page_uploads WHERE township = $1 AND sha256 = $2 ORDER BY idx",
                &[&township, &sha256],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.get::<_, i32>(0).max(0) as u32)
            .collect())
    }

    async fn upload_chunk(
        &self,
        township: &str,
        sha256: &str,
        index: u32,
    ) -> HubResult<Option<Vec<u8>>> {
        let index = i32::try_from(index).unwrap_or(i32::MAX);
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT data FROM page_uploads WHERE township = $1 AND sha256 = $2 AND idx = $3",
                &[&township, &sha256, &index],
            )
            .await?
            .map(|r| r.get(0)))
    }

    async fn staged_bytes(&self, device: &str) -> HubResult<u64> {
        let bytes: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT coalesce(sum(length(data)), 0)::BIGINT FROM page_uploads
                 WHERE device_id = $1",
                &[&device],
            )
            .await?
            .get(0);
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    async fn drop_upload(&self, township: &str, sha256: &str) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "DELETE FROM page_uploads WHERE township = $1 AND sha256 = $2",
                &[&township, &sha256],
            )
            .await?;
        Ok(())
    }

    async fn expire_uploads(&self, before: i64) -> HubResult<u64> {
        // An upload goes whole: every chunk of a page whose newest chunk is too old.
        Ok(self
            .client()
            .await?
            .execute(
                "DELETE FROM page_uploads WHERE (township, sha256) IN (
                     SELECT township, sha256 FROM page_uploads GROUP BY township, sha256
                     HAVING max(updated_at) < $1)",
                &[&before],
            )
            .await?)
    }

    async fn count_request(&self, key: &str, window_start: i64) -> HubResult<u32> {
        let count: i64 = self
            .client()
            .await?
            .query_one(
                "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN rate_limits.window_start = excluded.window_start
                                THEN rate_limits.count + 1 ELSE 1 END,
                   window_start = excluded.window_start
                 RETURNING count",
                &[&key, &window_start],
            )
            .await?
            .get(0);
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn request_count(&self, key: &str, window_start: i64) -> HubResult<u32> {
        let count: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT coalesce(max(count), 0)::BIGINT FROM rate_limits
                 WHERE key = $1 AND window_start = $2",
                &[&key, &window_start],
            )
            .await?
            .get(0);
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn forget_request_counts(&self, before: i64) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "DELETE FROM rate_limits WHERE window_start < $1",
                &[&before],
            )
            .await?;
        Ok(())
    }
}
