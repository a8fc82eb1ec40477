//! An archived case's package as the hub keeps it: fetched chunk by chunk (a township's link
//! may be poor) and checked against the digest the hub gave before it is handed on.

use crate::hub::{HubClient, HubError};
use tongban_sync::endpoint::ArchiveGet;
use tongban_sync::wire::{ArchiveFetch, Refusal, page_chunk_len, page_chunks};

/// What the hub sent: the case's 档号 and its package as a tar.
pub struct HubPackage {
    pub code: String,
    pub tar: Vec<u8>,
}

fn bad(detail: String) -> HubError {
    HubError::BadAnswer(detail)
}

/// The hub's package of `case`; `None` when the hub has not archived it.
pub fn fetch_archive(hub: &HubClient, case: &str) -> Result<Option<HubPackage>, HubError> {
    let chunk = |index| {
        hub.call::<ArchiveGet>(&ArchiveFetch {
            case: case.to_string(),
            index,
        })
        .map(|e| e.answer)
    };
    let first = match chunk(0) {
        Ok(first) => first,
        Err(HubError::Refused {
            refusal: Refusal::NotFound,
            ..
        }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let (size, sha256, code) = (first.size, first.sha256.clone(), first.code.clone());
    let mut tar = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut next = Some(first);
    for index in 0..page_chunks(size) {
        let part = match next.take() {
            Some(part) => part,
            None => chunk(index)?,
        };
        if part.size != size
            || part.sha256 != sha256
            || part.data.len() as u64 != page_chunk_len(size, index)
        {
            return Err(bad(format!(
                "chunk {index} of the package of {case} does not fit the rest / 办件{case}档案包第{index}块与其余不符"
            )));
        }
        tar.extend(part.data);
    }
    let found = tongban_store::archive::sha256_hex(&tar);
    if found != sha256 {
        return Err(bad(format!(
            "the package of {case} does not match its digest / 办件{case}的档案包与摘要不符"
        )));
    }
    Ok(Some(HubPackage { code, tar }))
}

/// The hub's package of `case` for an export: none when the hub has not archived it, or cannot
/// be reached (the desk then builds the package itself); a refusal or a bad answer stops it.
pub fn hub_package(
    store: &tongban_store::Store,
    case: &str,
) -> Result<Option<(String, Vec<u8>)>, tongban_domain::Text> {
    let Ok(hub) = crate::hub_client(store) else {
        return Ok(None);
    };
    match fetch_archive(&hub, case) {
        Ok(found) => Ok(found.map(|p| (p.code, p.tar))),
        Err(e) if e.is_transient() => {
            tracing::warn!(error = %e, "hub unreachable: the package is built on this desk");
            Ok(None)
        }
        Err(e) => Err(tongban_domain::Localized::text(&e)),
    }
}
