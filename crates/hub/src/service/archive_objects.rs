//! Where archived packages live: each bag packed as one tar, sealed chunk by chunk like a page
//! (encrypted at rest, any flipped byte refused on reading) and kept in the page store under its
//! township's `archives`, named by the tar's SHA-256.

use super::Hub;
use crate::db::HubDb;
use crate::error::{HubError, HubResult};
use sha2::{Digest, Sha256};
use std::path::Path;
use tongban_sync::wire::{PAGE_CHUNK_BYTES, page_chunks};

/// The object space of a township's packages, apart from its pages.
fn space(township: &str) -> String {
    format!("{township}/archives")
}

/// The bag at `bag` as a tar, its entries under `name/`.
fn pack(bag: &Path, name: &str) -> HubResult<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    tar.append_dir_all(name, bag).map_err(HubError::storage)?;
    tar.into_inner().map_err(HubError::storage)
}

impl<D: HubDb> Hub<D> {
    /// Seals and stores a packed package; returns its digest and size.
    pub(crate) async fn put_package(
        &self,
        township: &str,
        bag: &Path,
        name: &str,
    ) -> HubResult<(String, u64)> {
        let bytes = pack(bag, name)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        let space = space(township);
        let chunks = bytes
            .chunks(PAGE_CHUNK_BYTES as usize)
            .enumerate()
            .map(|(i, plain)| {
                let index = u32::try_from(i).map_err(HubError::internal)?;
                self.sealer
                    .seal_page_chunk(&space, &sha256, size, index, plain)
            })
            .collect::<HubResult<Vec<_>>>()?;
        self.pages.put(&space, &sha256, chunks).await?;
        Ok((sha256, size))
    }

    /// Chunk `index` of an archived case's package, for a desk of its own township (a case of
    /// another township, or one not archived, is simply not found).
    pub async fn archive_chunk(
        &self,
        device: &crate::db::Device,
        case: &str,
        index: u32,
    ) -> HubResult<tongban_sync::wire::ArchiveFetchResponse> {
        let not_found = || {
            HubError::NotFound(tongban_domain::text!(
                "case {case} is not archived at the hub (yet)",
                "办件{case}尚未在中心归档"
            ))
        };
        let row = self
            .db
            .archive_row(case)
            .await?
            .filter(|r| r.township == device.township)
            .ok_or_else(not_found)?;
        let space = space(&row.township);
        if index >= page_chunks(row.bytes) {
            return Err(HubError::BadRequest(tongban_domain::text!(
                "the package of case {case} has no chunk {index}",
                "办件{case}的档案包没有第{index}块"
            )));
        }
        let chunk = self
            .pages
            .chunk(&space, &row.object, index)
            .await?
            .ok_or_else(|| HubError::Storage(format!("package {} is cut short", row.object)))?;
        let data =
            self.sealer
                .open_page_chunk(&space, &row.object, row.bytes, index, &chunk.sealed)?;
        Ok(tongban_sync::wire::ArchiveFetchResponse {
            code: row.code,
            sha256: row.object,
            size: row.bytes,
            data,
        })
    }

    /// A stored package unsealed and unpacked into `into`; an error names what does not hold
    /// (a chunk that fails its seal, a tar whose digest is not its name).
    pub(crate) async fn fetch_package(
        &self,
        township: &str,
        sha256: &str,
        into: &Path,
    ) -> HubResult<()> {
        let space = space(township);
        let size =
            self.pages.size(&space, sha256).await?.ok_or_else(|| {
                HubError::Storage(format!("package {sha256} is not in the store"))
            })?;
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        for index in 0..page_chunks(size) {
            let chunk = self
                .pages
                .chunk(&space, sha256, index)
                .await?
                .ok_or_else(|| HubError::Storage(format!("package {sha256} is cut short")))?;
            bytes.extend(self.sealer.open_page_chunk(
                &space,
                sha256,
                size,
                index,
                &chunk.sealed,
            )?);
        }
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(HubError::Damaged(sha256.to_string()));
        }
        // The tar crate refuses entries that would land outside `into`.
        tar::Archive::new(bytes.as_slice())
            .unpack(into)
            .map_err(HubError::storage)
    }
}
