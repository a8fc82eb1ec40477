//! What the hub keeps for page uploads in progress and per-peer request counts. Both live in the
//! database rather than in a process, so every hub process of a county (on one PostgreSQL) sees
//! the same uploads and the same limits.

use crate::error::HubResult;
use std::future::Future;

/// One sealed chunk of a page still arriving.
#[derive(Debug, Clone)]
pub struct UploadChunk {
    pub township: String,
    pub sha256: String,
    pub index: u32,
    pub device: String,
    /// The whole page's size.
    pub size: u64,
    pub data: Vec<u8>,
    pub at: i64,
}

pub trait UploadDb {
    /// Whether a stored case of the township references the page.
    fn page_referenced(
        &self,
        township: &str,
        sha256: &str,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    /// Keeps a chunk (replacing the same chunk sent before).
    fn put_upload_chunk(&self, chunk: UploadChunk) -> impl Future<Output = HubResult<()>> + Send;
    /// The chunk indexes received of a page.
    fn upload_chunks(
        &self,
        township: &str,
        sha256: &str,
    ) -> impl Future<Output = HubResult<Vec<u32>>> + Send;
    fn upload_chunk(
        &self,
        township: &str,
        sha256: &str,
        index: u32,
    ) -> impl Future<Output = HubResult<Option<Vec<u8>>>> + Send;
    /// Bytes a device has in uploads not yet complete.
    fn staged_bytes(&self, device: &str) -> impl Future<Output = HubResult<u64>> + Send;
    fn drop_upload(
        &self,
        township: &str,
        sha256: &str,
    ) -> impl Future<Output = HubResult<()>> + Send;
    /// Removes uploads no chunk arrived for since `before`; how many chunks went.
    fn expire_uploads(&self, before: i64) -> impl Future<Output = HubResult<u64>> + Send;
    /// Counts a request against `key` in the window starting at `window_start`; the count so far
    /// in that window.
    fn count_request(
        &self,
        key: &str,
        window_start: i64,
    ) -> impl Future<Output = HubResult<u32>> + Send;
    /// The count against `key` in the window starting at `window_start`, counting nothing.
    fn request_count(
        &self,
        key: &str,
        window_start: i64,
    ) -> impl Future<Output = HubResult<u32>> + Send;
    /// Forgets counts of windows that started before `before`.
    fn forget_request_counts(&self, before: i64) -> impl Future<Output = HubResult<()>> + Send;
}
