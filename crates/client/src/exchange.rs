//! A department system's side of the exchange (共享交换): a signed request for a case, the hub's
//! answer checked against the hub's audit key (its entry, the checkpoint, the inclusion proof
//! and the digest of what was given), and released files fetched chunk by chunk and checked
//! against the digests the entry names. A department keeps the answer as its proof.

use crate::hub::{HubClient, HubError};
use sha2::{Digest, Sha256};
use tongban_audit::ed25519_dalek::VerifyingKey;
use tongban_audit::{AuditAction, Outcome};
use tongban_sync::endpoint::{Exchange, ExchangeGet};
use tongban_sync::wire::{ExchangeAnswer, ExchangeFetch, ExchangeRequest, ReleasedFile};

fn bad(detail: String) -> HubError {
    HubError::BadAnswer(detail)
}

/// Sends the request; the answer is checked before it is returned, released or refused.
pub fn request(
    hub: &HubClient,
    request: &ExchangeRequest,
    hub_audit_key: &VerifyingKey,
) -> Result<ExchangeAnswer, HubError> {
    let answer = hub.call::<Exchange>(request)?.answer;
    check_answer(&answer, request, hub_audit_key)?;
    Ok(answer)
}

/// The answer holds only if the hub signed an entry about this case, for this department,
/// included in a checkpoint it signed, whose outcome and digest are what was given.
pub fn check_answer(
    answer: &ExchangeAnswer,
    request: &ExchangeRequest,
    hub_audit_key: &VerifyingKey,
) -> Result<(), HubError> {
    let entry = &answer.entry;
    entry
        .check_signature(hub_audit_key)
        .map_err(|e| bad(format!("the answer's log entry: {e}")))?;
    let event = entry
        .event()
        .map_err(|e| bad(format!("the answer's log entry: {e}")))?;
    let number = tongban_domain::case::CaseNumber::parse(request.case.trim())
        .map_err(|e| bad(tongban_domain::Localized::text(&e).to_string()))?;
    let township = number.township();
    if event.object != number.as_str()
        || event.action != AuditAction::Share
        || event.device != tongban_audit::hub_device(township)
        || (event.outcome == Outcome::Done) != answer.released
    {
        return Err(bad("the log entry does not record this request".into()));
    }
    let digest = if answer.released {
        answer.given.digest()
    } else {
        String::new()
    };
    if event.digest != digest {
        return Err(bad(
            "what was given does not match the log entry's digest".into()
        ));
    }
    answer
        .checkpoint
        .verify(hub_audit_key, township)
        .map_err(|e| bad(format!("the answer's checkpoint: {e}")))?;
    let root = answer
        .checkpoint
        .checkpoint
        .root_bytes()
        .map_err(|e| bad(e.to_string()))?;
    tongban_audit::log::verify_inclusion(
        answer.checkpoint.checkpoint.size,
        &root,
        &entry.hash(),
        answer.position,
        &answer.inclusion,
    )
    .map_err(|e| bad(format!("the answer's inclusion proof: {e}")))
}

/// A released file, whole and checked against its digest.
pub fn fetch_file(
    hub: &HubClient,
    case: &str,
    position: u64,
    file: &ReleasedFile,
) -> Result<Vec<u8>, HubError> {
    let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0));
    for index in 0.. {
        let chunk = hub
            .call::<ExchangeGet>(&ExchangeFetch {
                case: case.to_owned(),
                position,
                file: file.name.clone(),
                index,
            })?
            .answer;
        bytes.extend(chunk.data);
        if bytes.len() as u64 > file.size {
            return Err(bad(format!("{} is longer than announced", file.name)));
        }
        if chunk.last {
            break;
        }
    }
    if hex::encode(Sha256::digest(&bytes)) != file.sha256 {
        return Err(bad(format!("{} does not match its digest", file.name)));
    }
    Ok(bytes)
}
