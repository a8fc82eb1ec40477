//! Scanned pages at the hub: content-addressed per township, on local disk or in an
//! S3-compatible store. Uploads arrive in chunks kept on local disk until the page is whole and
//! matches its digest, so a cut link or a restarted hub resumes without losing finished chunks.

use crate::api::ApiError;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tongban_domain::page::{MAX_PAGE_BYTES, is_sha256_hex};
use tongban_sync::wire::{PageChunk, PageFetchResponse, PageStatus, page_chunk_len, page_chunks};

pub struct PageStore {
    objects: Arc<dyn ObjectStore>,
    staging: PathBuf,
    /// "disk" or "s3", for the startup line.
    pub kind: &'static str,
}

/// Where an S3-compatible store is; credentials come from AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY as usual.
pub struct S3Config {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: String,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

impl PageStore {
    /// Pages under `data_dir/pages`, chunks in flight under `data_dir/staging`.
    pub fn on_disk(data_dir: &Path) -> Result<Self, String> {
        let dir = data_dir.join("pages");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| e.to_string())?;
        Self::new(Arc::new(objects), data_dir, "disk")
    }

    pub fn in_s3(config: &S3Config, data_dir: &Path) -> Result<Self, String> {
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Self-hosted stores (MinIO and the like) address buckets by path.
                .with_virtual_hosted_style_request(false);
        }
        let objects = builder.build().map_err(|e| e.to_string())?;
        Self::new(Arc::new(objects), data_dir, "s3")
    }

    fn new(
        objects: Arc<dyn ObjectStore>,
        data_dir: &Path,
        kind: &'static str,
    ) -> Result<Self, String> {
        let staging = data_dir.join("staging");
        std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
        forget_abandoned_uploads(&staging);
        Ok(Self {
            objects,
            staging,
            kind,
        })
    }

    fn key(township: &str, sha256: &str) -> ObjectPath {
        ObjectPath::from(format!("{township}/{}/{sha256}", &sha256[..2]))
    }

    fn staged(&self, township: &str, sha256: &str) -> PathBuf {
        self.staging.join(township).join(sha256)
    }

    async fn size(&self, township: &str, sha256: &str) -> Result<Option<u64>, ApiError> {
        match self.objects.head(&Self::key(township, sha256)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    pub async fn status(&self, township: &str, sha256: &str) -> Result<PageStatus, ApiError> {
        check_digest(sha256)?;
        let complete = self.size(township, sha256).await?.is_some();
        let chunks = if complete {
            Vec::new()
        } else {
            staged_chunks(&self.staged(township, sha256)).await?
        };
        Ok(PageStatus {
            sha256: sha256.to_string(),
            complete,
            chunks,
        })
    }

    /// Keeps one chunk; when the last one arrives, checks the whole page and stores it.
    pub async fn put_chunk(&self, township: &str, chunk: PageChunk) -> Result<bool, ApiError> {
        check_digest(&chunk.sha256)?;
        if chunk.size == 0 || chunk.size > MAX_PAGE_BYTES {
            return Err(ApiError::BadRequest(format!(
                "a page of {} bytes is over the limit of {MAX_PAGE_BYTES} / 页面{}字节，超过上限{MAX_PAGE_BYTES}字节",
                chunk.size, chunk.size
            )));
        }
        let total = page_chunks(chunk.size);
        if chunk.index >= total
            || chunk.data.len() as u64 != page_chunk_len(chunk.size, chunk.index)
        {
            return Err(ApiError::BadRequest(format!(
                "chunk {} of page {} has the wrong position or length / 页面{}的第{}块位置或长度不符",
                chunk.index, chunk.sha256, chunk.sha256, chunk.index
            )));
        }
        if self.size(township, &chunk.sha256).await?.is_some() {
            // Already here, from this desk or another: nothing more to send.
            return Ok(true);
        }
        let dir = self.staged(township, &chunk.sha256);
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        // Written aside and renamed: a chunk file is either whole or absent.
        let part = dir.join(format!("{}.part-{}", chunk.index, std::process::id()));
        tokio::fs::write(&part, &chunk.data)
            .await
            .map_err(internal)?;
        tokio::fs::rename(&part, dir.join(chunk.index.to_string()))
            .await
            .map_err(internal)?;
        let have = staged_chunks(&dir).await?;
        if have.len() < total as usize {
            return Ok(false);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(chunk.size).unwrap_or(0));
        for index in 0..total {
            let data = tokio::fs::read(dir.join(index.to_string()))
                .await
                .map_err(internal)?;
            bytes.extend_from_slice(&data);
        }
        let _ = tokio::fs::remove_dir_all(&dir).await;
        if page_digest(&bytes) != chunk.sha256 {
            return Err(ApiError::BadRequest(format!(
                "page {} does not match its digest; it is discarded and must be sent again / 页面{}与摘要不符，已丢弃，请重新上传",
                chunk.sha256, chunk.sha256
            )));
        }
        self.objects
            .put(&Self::key(township, &chunk.sha256), PutPayload::from(bytes))
            .await
            .map_err(internal)?;
        Ok(true)
    }

    pub async fn fetch(
        &self,
        township: &str,
        sha256: &str,
        index: u32,
    ) -> Result<PageFetchResponse, ApiError> {
        check_digest(sha256)?;
        // One ranged read: the store clamps the range to the object and reports its size, so
        // no separate look-up is needed (a chunk is a request of its own on a slow link).
        let start = u64::from(index) * tongban_sync::wire::PAGE_CHUNK_BYTES;
        let options = GetOptions {
            range: Some(GetRange::Bounded(
                start..start + tongban_sync::wire::PAGE_CHUNK_BYTES,
            )),
            ..GetOptions::default()
        };
        let found = match self
            .objects
            .get_opts(&Self::key(township, sha256), options)
            .await
        {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(ApiError::NotFound(format!(
                    "page {sha256} is not at the hub (yet) / 中心尚无页面{sha256}"
                )));
            }
            Err(e) => {
                // Stores word a range past the end differently; the page's size tells.
                let past_end = self
                    .size(township, sha256)
                    .await?
                    .is_some_and(|size| index >= page_chunks(size));
                return Err(if past_end {
                    ApiError::BadRequest(format!(
                        "page {sha256} has no chunk {index} / 页面{sha256}没有第{index}块"
                    ))
                } else {
                    internal(e)
                });
            }
        };
        let size = found.meta.size;
        let data = found.bytes().await.map_err(internal)?;
        Ok(PageFetchResponse {
            size,
            data: data.to_vec(),
        })
    }
}

/// An upload no desk has touched for this long was given up (the case was withdrawn, the desk
/// wiped); its chunks would otherwise stay on disk for ever.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(14 * 24 * 3600);

fn forget_abandoned_uploads(staging: &Path) {
    let Ok(townships) = std::fs::read_dir(staging) else {
        return;
    };
    for upload in townships
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_dir(t.path()).ok())
        .flatten()
        .filter_map(Result::ok)
    {
        let idle = upload
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        if idle.is_some_and(|idle| idle > ABANDONED_AFTER) {
            tracing::info!(upload = %upload.path().display(), "removing an abandoned page upload");
            let _ = std::fs::remove_dir_all(upload.path());
        }
    }
}

fn page_digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

fn check_digest(sha256: &str) -> Result<(), ApiError> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "{sha256:?} is not a page digest (64 lower-case hex digits) / “{sha256}”不是页面摘要"
        )))
    }
}

async fn staged_chunks(dir: &Path) -> Result<Vec<u32>, ApiError> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(internal(e)),
    };
    let mut chunks = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(internal)? {
        if let Some(index) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        {
            chunks.push(index);
        }
    }
    chunks.sort_unstable();
    Ok(chunks)
}
