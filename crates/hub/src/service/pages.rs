//! Scanned pages: accepted only for pages a stored case of the township references, staged chunk
//! by chunk (sealed, in the database, within each device's quota) until whole and matching their
//! digest, then kept sealed in the page store. Unfinished uploads expire (`Hub::tidy`).

use super::{Hub, now_secs};
use crate::db::{Device, HubDb, HubError, HubResult};
use crate::upload_db::UploadChunk;
use sha2::{Digest, Sha256};
use tongban_domain::l10n::Text;
use tongban_domain::page::{MAX_PAGE_BYTES, is_sha256_hex};
use tongban_domain::text;
use tongban_sync::wire::{
    PageChunk, PageFetchResponse, PageStatus, PageStatusRequest, PageStatusResponse,
    page_chunk_len, page_chunks,
};

/// A desk asks about at most this many pages at once.
const MAX_STATUS_PAGES: usize = 1_000;

fn check_digest(sha256: &str) -> HubResult<()> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(HubError::BadRequest(text!(
            "{sha256:?} is not a page digest (64 lower-case hex digits)",
            "“{sha256}”不是页面摘要"
        )))
    }
}

impl<D: HubDb> Hub<D> {
    pub async fn page_status(
        &self,
        device: &Device,
        req: PageStatusRequest,
    ) -> HubResult<PageStatusResponse> {
        if req.pages.len() > MAX_STATUS_PAGES {
            return Err(HubError::BadRequest(text!(
                "ask about at most {MAX_STATUS_PAGES} pages at once",
                "每次最多查询{MAX_STATUS_PAGES}个页面"
            )));
        }
        let township = device.township.as_str();
        let mut pages = Vec::with_capacity(req.pages.len());
        for sha256 in req.pages {
            check_digest(&sha256)?;
            let complete = self.pages.size(township, &sha256).await?.is_some();
            let chunks = if complete {
                Vec::new()
            } else {
                self.db.upload_chunks(township, &sha256).await?
            };
            pages.push(PageStatus {
                sha256,
                complete,
                chunks,
            });
        }
        Ok(PageStatusResponse { pages })
    }

    /// Keeps one chunk; when the last one arrives, checks the whole page and stores it.
    pub async fn put_page_chunk(&self, device: &Device, chunk: PageChunk) -> HubResult<bool> {
        let township = device.township.as_str();
        check_digest(&chunk.sha256)?;
        if chunk.size == 0 || chunk.size > MAX_PAGE_BYTES {
            return Err(HubError::BadRequest(Text::new(
                format!(
                    "a page of {} bytes is over the limit of {MAX_PAGE_BYTES}",
                    chunk.size
                ),
                format!("页面{}字节，超过上限{MAX_PAGE_BYTES}字节", chunk.size),
            )));
        }
        let total = page_chunks(chunk.size);
        if chunk.index >= total
            || chunk.data.len() as u64 != page_chunk_len(chunk.size, chunk.index)
        {
            return Err(HubError::BadRequest(Text::new(
                format!(
                    "chunk {} of page {} has the wrong position or length",
                    chunk.index, chunk.sha256
                ),
                format!("页面{}的第{}块位置或长度不符", chunk.sha256, chunk.index),
            )));
        }
        if !self.db.page_referenced(township, &chunk.sha256).await? {
            return Err(HubError::Forbidden(Text::new(
                format!(
                    "no case of this township references page {}; sync the case first",
                    chunk.sha256
                ),
                format!("本乡镇没有办件引用页面{}，请先同步办件", chunk.sha256),
            )));
        }
        if self.pages.size(township, &chunk.sha256).await?.is_some() {
            // Already here, from this desk or another: nothing more to send.
            return Ok(true);
        }
        let staged = self.db.staged_bytes(&device.id).await?;
        if staged.saturating_add(chunk.data.len() as u64) > self.limits.staging_quota {
            return Err(HubError::Forbidden(text!(
                "this desk already has {staged} bytes of unfinished uploads at the hub, the most it may hold; finish or wait for them to expire",
                "本设备在中心未完成的上传已达上限（{staged}字节）"
            )));
        }
        let sealed = self.sealer.seal_page_chunk(
            township,
            &chunk.sha256,
            chunk.size,
            chunk.index,
            &chunk.data,
        )?;
        self.db
            .put_upload_chunk(UploadChunk {
                township: township.to_string(),
                sha256: chunk.sha256.clone(),
                index: chunk.index,
                device: device.id.clone(),
                size: chunk.size,
                data: sealed,
                at: now_secs(),
            })
            .await?;
        let have = self.db.upload_chunks(township, &chunk.sha256).await?;
        if have.len() < total as usize {
            return Ok(false);
        }
        self.finish_upload(township, &chunk.sha256, chunk.size, total)
            .await
            .map(|()| true)
    }

    /// Every chunk is here: the page must match its digest before it is kept.
    async fn finish_upload(
        &self,
        township: &str,
        sha256: &str,
        size: u64,
        total: u32,
    ) -> HubResult<()> {
        let mut digest = Sha256::new();
        let mut sealed_chunks = Vec::with_capacity(total as usize);
        for index in 0..total {
            let sealed = self
                .db
                .upload_chunk(township, sha256, index)
                .await?
                .ok_or_else(|| HubError::internal("a staged chunk vanished"))?;
            digest.update(
                self.sealer
                    .open_page_chunk(township, sha256, size, index, &sealed)?,
            );
            sealed_chunks.push(sealed);
        }
        if hex::encode(digest.finalize()) != sha256 {
            self.db.drop_upload(township, sha256).await?;
            return Err(HubError::BadRequest(text!(
                "page {sha256} does not match its digest; it is discarded and must be sent again",
                "页面{sha256}与摘要不符，已丢弃，请重新上传"
            )));
        }
        self.pages.put(township, sha256, sealed_chunks).await?;
        self.db.drop_upload(township, sha256).await
    }

    pub async fn page_chunk(
        &self,
        device: &Device,
        sha256: &str,
        index: u32,
    ) -> HubResult<PageFetchResponse> {
        check_digest(sha256)?;
        // A county desk reads the scans of the cases reported to it (noted for its unit as
        // they were shared), kept by their townships.
        let unit = tongban_domain::TownshipCode::parse(&device.township)
            .map_err(|e| HubError::internal(e.to_string()))?;
        let townships = if !unit.is_county_unit() {
            vec![device.township.clone()]
        } else if self.db.page_referenced(unit.as_str(), sha256).await? {
            self.county_townships(&unit).await?
        } else {
            Vec::new()
        };
        let mut found = None;
        for township in &townships {
            if let Some(chunk) = self.pages.chunk(township, sha256, index).await? {
                found = Some((township.as_str(), chunk));
                break;
            }
        }
        let (township, found) = found.ok_or_else(|| {
            HubError::NotFound(text!(
                "page {sha256} is not at the hub (yet)",
                "中心尚无页面{sha256}"
            ))
        })?;
        if index >= page_chunks(found.page_size) {
            return Err(HubError::BadRequest(text!(
                "page {sha256} has no chunk {index}",
                "页面{sha256}没有第{index}块"
            )));
        }
        let data =
            self.sealer
                .open_page_chunk(township, sha256, found.page_size, index, &found.sealed)?;
        Ok(PageFetchResponse {
            size: found.page_size,
            data,
        })
    }
}
