//! Moving scanned pages to and from the hub in fixed-size chunks, after the case documents.
//! The hub says which chunks it already holds and this desk keeps the chunks it has fetched, so
//! a cut link or a restart costs at most the chunk in flight.

use crate::hub::HubError;
use crate::sync::{Session, SyncError};
use serde::Serialize;
use tongban_store::PendingBlob;
use tongban_sync::endpoint::{Endpoint, PageGet, PagePut, PageStatus};
use tongban_sync::wire::{
    PAGE_CHUNK_BYTES, PageChunk, PageFetch, PageStatusRequest, Refusal, page_chunk_len, page_chunks,
};

/// The hub answers about this many pages per status request.
const STATUS_BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageDirection {
    Up,
    Down,
}

impl PageDirection {
    fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }
}

/// How far the page transfers of one sync are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageProgress {
    pub direction: PageDirection,
    pub pages_done: u64,
    pub pages_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

impl PageProgress {
    fn start(direction: PageDirection, pending: &[PendingBlob]) -> Self {
        Self {
            direction,
            pages_done: 0,
            pages_total: pending.len() as u64,
            bytes_done: 0,
            bytes_total: pending.iter().map(|b| b.size).sum(),
        }
    }
}

pub(crate) fn transfer(
    session: &mut Session<'_>,
    progress: &mut dyn FnMut(PageProgress),
) -> Result<(), SyncError> {
    upload(session, progress)?;
    download(session, progress)?;
    Ok(())
}

fn upload(
    session: &mut Session<'_>,
    progress: &mut dyn FnMut(PageProgress),
) -> Result<(), SyncError> {
    let pending = session.store.pages_to_upload()?;
    let mut state = PageProgress::start(PageDirection::Up, &pending);
    if pending.is_empty() {
        return Ok(());
    }
    progress(state);
    for batch in pending.chunks(STATUS_BATCH) {
        let request = PageStatusRequest {
            pages: batch.iter().map(|b| b.sha256.clone()).collect(),
        };
        let answer = session.call::<PageStatus>(&request)?;
        for (blob, status) in batch.iter().zip(answer.pages) {
            if status.sha256 != blob.sha256 {
                return Err(HubError::BadAnswer("page status out of order".into()).into());
            }
            let mut complete = status.complete;
            if complete {
                state.bytes_done += blob.size;
            }
            for index in 0..page_chunks(blob.size) {
                if complete {
                    break;
                }
                let len = page_chunk_len(blob.size, index);
                if status.chunks.contains(&index) {
                    state.bytes_done += len;
                    continue;
                }
                let offset = u64::from(index) * PAGE_CHUNK_BYTES;
                let data = session.store.page_slice(&blob.sha256, offset, len)?;
                let chunk = PageChunk {
                    sha256: blob.sha256.clone(),
                    size: blob.size,
                    index,
                    data,
                };
                let ack = move_chunk::<PagePut>(session, &blob.sha256, index, len, &chunk)?;
                session.report.page_bytes_up += len;
                state.bytes_done += len;
                progress(state);
                complete = ack.complete;
            }
            if complete {
                session.store.mark_page_uploaded(&blob.sha256)?;
                session.store.clear_page_attempts(&blob.sha256)?;
                session.report.pages_up += 1;
            } else {
                session.report.pages_pending += 1;
            }
            state.pages_done += 1;
            progress(state);
        }
    }
    Ok(())
}

fn download(
    session: &mut Session<'_>,
    progress: &mut dyn FnMut(PageProgress),
) -> Result<(), SyncError> {
    let pending = session.store.pages_to_download()?;
    let mut state = PageProgress::start(PageDirection::Down, &pending);
    if pending.is_empty() {
        return Ok(());
    }
    progress(state);
    for blob in &pending {
        match fetch(session, blob, &mut state, progress) {
            Ok(true) => session.report.pages_down += 1,
            Ok(false) => session.report.pages_pending += 1,
            // Not uploaded yet by the desk that scanned it, or damaged at the hub until an
            // operator mends it: the next sync will find it.
            Err(SyncError::Hub(HubError::Refused { status: 404, .. })) => {
                session.report.pages_pending += 1;
            }
            Err(SyncError::Hub(HubError::Refused {
                refusal: Refusal::Damaged,
                ..
            })) => {
                session.report.pages_pending += 1;
            }
            Err(e) => return Err(e),
        }
        state.pages_done += 1;
        progress(state);
    }
    Ok(())
}

/// Fetches the chunks of one page not yet here; true once the page is stored whole.
fn fetch(
    session: &mut Session<'_>,
    blob: &PendingBlob,
    state: &mut PageProgress,
    progress: &mut dyn FnMut(PageProgress),
) -> Result<bool, SyncError> {
    let have = session.store.received_parts(&blob.sha256)?;
    for index in 0..page_chunks(blob.size) {
        let len = page_chunk_len(blob.size, index);
        if have.contains(&index) {
            state.bytes_done += len;
            continue;
        }
        let request = PageFetch {
            sha256: blob.sha256.clone(),
            index,
        };
        let chunk = move_chunk::<PageGet>(session, &blob.sha256, index, len, &request)?;
        if chunk.size != blob.size || chunk.data.len() as u64 != len {
            return Err(HubError::BadAnswer(format!(
                "page {} chunk {index} has the wrong length / 页面{}第{index}块长度不符",
                blob.sha256, blob.sha256
            ))
            .into());
        }
        session.store.save_part(&blob.sha256, index, &chunk.data)?;
        session.report.page_bytes_down += len;
        state.bytes_done += len;
        progress(*state);
    }
    let whole = session.store.finish_download(blob)?;
    session.store.clear_page_attempts(&blob.sha256)?;
    Ok(whole)
}

/// Sends one chunk request, counting as re-sent the chunk's bytes when an earlier run lost it
/// (recorded before it left) and for every attempt of this run that a cut link lost.
fn move_chunk<E: Endpoint>(
    session: &mut Session<'_>,
    sha256: &str,
    index: u32,
    len: u64,
    request: &E::Request,
) -> Result<E::Response, SyncError> {
    let direction = if E::PATH == PagePut::PATH {
        PageDirection::Up
    } else {
        PageDirection::Down
    };
    if session
        .store
        .note_page_attempt(sha256, index, direction.as_str())?
    {
        session.report.page_bytes_resent += len;
    }
    let answer = session.call::<E>(request)?;
    session.report.page_bytes_resent += session.last_failures * len;
    Ok(answer)
}
