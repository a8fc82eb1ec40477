//! Where whole scanned pages live, sealed: on local disk or in an S3-compatible store, one object
//! per page per township, named by the page's digest. Objects hold the page's chunks sealed one
//! by one (`sealing`), so a desk's fetch of one chunk is one ranged read.

use crate::error::{HubError, HubResult};
use crate::sealing::{TAG_BYTES, page_size_of_sealed, sealed_chunk_offset};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use std::path::Path;
use std::sync::Arc;
use tongban_domain::text;
use tongban_sync::wire::PAGE_CHUNK_BYTES;

pub struct PageStore {
    objects: Arc<dyn ObjectStore>,
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

/// A sealed chunk as read, with the page's own size.
pub struct SealedChunk {
    pub page_size: u64,
    pub sealed: Vec<u8>,
}

impl PageStore {
    /// Pages under `data_dir/pages`.
    pub fn on_disk(data_dir: &Path) -> HubResult<Self> {
        let dir = data_dir.join("pages");
        std::fs::create_dir_all(&dir)
            .map_err(|e| HubError::storage(format!("{}: {e}", dir.display())))?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(&dir)
            .map_err(HubError::storage)?;
        Ok(Self {
            objects: Arc::new(objects),
            kind: "disk",
        })
    }

    pub fn in_s3(config: &S3Config) -> HubResult<Self> {
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
        Ok(Self {
            objects: Arc::new(builder.build().map_err(HubError::storage)?),
            kind: "s3",
        })
    }

    fn key(township: &str, sha256: &str) -> ObjectPath {
        ObjectPath::from(format!("{township}/{}/{sha256}", &sha256[..2]))
    }

    /// The page's own size, if the hub holds it whole.
    pub async fn size(&self, township: &str, sha256: &str) -> HubResult<Option<u64>> {
        match self.objects.head(&Self::key(township, sha256)).await {
            Ok(meta) => Ok(page_size_of_sealed(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(HubError::storage(e)),
        }
    }

    /// Keeps a whole page, its chunks sealed and in order.
    pub async fn put(
        &self,
        township: &str,
        sha256: &str,
        sealed_chunks: Vec<Vec<u8>>,
    ) -> HubResult<()> {
        let bytes: Vec<u8> = sealed_chunks.concat();
        self.objects
            .put(&Self::key(township, sha256), PutPayload::from(bytes))
            .await
            .map_err(HubError::storage)?;
        Ok(())
    }

    /// Chunk `index` of a page, still sealed; `None` when the hub does not hold the page.
    pub async fn chunk(
        &self,
        township: &str,
        sha256: &str,
        index: u32,
    ) -> HubResult<Option<SealedChunk>> {
        // One ranged read: the store clamps the range to the object and reports its size, so
        // no separate look-up is needed (a chunk is a request of its own on a slow link).
        let start = sealed_chunk_offset(index);
        let options = GetOptions {
            range: Some(GetRange::Bounded(
                start..start + PAGE_CHUNK_BYTES + TAG_BYTES,
            )),
            ..GetOptions::default()
        };
        let found = match self
            .objects
            .get_opts(&Self::key(township, sha256), options)
            .await
        {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => {
                // Stores word a range past the end differently; the page's size tells.
                let past_end = self
                    .size(township, sha256)
                    .await?
                    .is_some_and(|size| index >= tongban_sync::wire::page_chunks(size));
                return Err(if past_end {
                    HubError::BadRequest(text!(
                        "page {sha256} has no chunk {index}",
                        "页面{sha256}没有第{index}块"
                    ))
                } else {
                    HubError::storage(e)
                });
            }
        };
        let page_size = page_size_of_sealed(found.meta.size)
            .ok_or_else(|| HubError::Damaged(sha256.to_string()))?;
        let sealed = found.bytes().await.map_err(HubError::storage)?.to_vec();
        Ok(Some(SealedChunk { page_size, sealed }))
    }
}
