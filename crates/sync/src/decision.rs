//! Signed decisions. An approval, rejection or conflict resolution is sealed with the deciding
//! device's Ed25519 key over the decision, its reason, who took it and the document heads it was
//! taken on; the hub verifies the seal and the heads before it accepts the change.

use crate::auth::parse_public_key;
use automerge::{AutoCommit, ChangeHash};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_domain::{Case, CaseEvent, CaseStatus, DecisionSeal};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum SealError {
    Unsealed(String),
    Malformed(String),
    BadSignature(String),
    UnknownHeads(String),
}

impl tongban_domain::l10n::Localized for SealError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Unsealed(decision) => text!(
                "decision {decision} carries no signature",
                "决定{decision}没有签名"
            ),
            Self::Malformed(decision) => text!(
                "decision {decision} has a malformed signature",
                "决定{decision}的签名格式错误"
            ),
            Self::BadSignature(decision) => text!(
                "decision {decision} does not verify against its device's key: altered or forged",
                "决定{decision}的签名验证失败：已被篡改或伪造"
            ),
            Self::UnknownHeads(decision) => text!(
                "decision {decision} was taken on a case state this document does not contain",
                "决定{decision}所依据的办件版本不存在"
            ),
        }
    }
}

/// Exactly what is signed; field order is fixed by this struct.
#[derive(Serialize)]
struct Signed<'a> {
    case: &'a str,
    kind: &'static str,
    from: Option<CaseStatus>,
    to: Option<CaseStatus>,
    reason: Option<&'a str>,
    by: &'a str,
    device: &'a str,
    at_ms: i64,
    resolves: &'a [String],
    heads: &'a [String],
    /// A refusal at intake's ground and referral, left out of every other decision's bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    ground: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refer_to: Option<&'a str>,
}

fn signed_bytes(case: &str, event: &CaseEvent, heads: &[String]) -> Vec<u8> {
    let signed = Signed {
        case,
        kind: event.kind.as_str(),
        from: event.from,
        to: event.to,
        reason: event.reason.as_deref(),
        by: &event.by,
        device: &event.device,
        at_ms: event.at_ms,
        resolves: &event.resolves,
        heads,
        ground: event.ground.map(|g| g.as_str()),
        refer_to: event.refer_to.as_deref(),
    };
    let mut bytes = b"tongban-decision-v1\n".to_vec();
    // Serialising plain strings and numbers into a Vec cannot fail.
    bytes.extend(serde_json::to_vec(&signed).unwrap_or_default());
    bytes
}

/// Seals `event` as taken on the document's current heads.
pub fn seal(doc: &mut AutoCommit, case: &str, event: &CaseEvent, key: &SigningKey) -> DecisionSeal {
    let heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    let signature = key.sign(&signed_bytes(case, event, &heads));
    DecisionSeal {
        heads,
        signature: B64.encode(signature.to_bytes()),
    }
}

/// A short fingerprint of a seal for printed decisions and the timeline.
pub fn fingerprint(seal: &DecisionSeal) -> String {
    let digest = Sha256::digest(seal.signature.as_bytes());
    hex::encode(&digest[..8])
}

/// Checks a decision's seal against the public key of the device it names, and that the heads
/// it was taken on are part of `doc`.
pub fn verify(
    doc: &mut AutoCommit,
    case: &str,
    event: &CaseEvent,
    public_key: &str,
) -> Result<(), SealError> {
    let id = || event.id.clone();
    let seal = event
        .seal
        .as_ref()
        .ok_or_else(|| SealError::Unsealed(id()))?;
    let key = parse_public_key(public_key).map_err(|_| SealError::Malformed(id()))?;
    let bytes = B64
        .decode(&seal.signature)
        .map_err(|_| SealError::Malformed(id()))?;
    let signature = Signature::from_slice(&bytes).map_err(|_| SealError::Malformed(id()))?;
    key.verify(&signed_bytes(case, event, &seal.heads), &signature)
        .map_err(|_| SealError::BadSignature(id()))?;
    for head in &seal.heads {
        let hash: ChangeHash = head.parse().map_err(|_| SealError::Malformed(id()))?;
        if doc.get_change_by_hash(&hash).is_none() {
            return Err(SealError::UnknownHeads(id()));
        }
    }
    Ok(())
}

/// The case exactly as it stood when `seal` was made: what the decision was taken on, and what
/// its document prints whatever was corrected since. `None` when the document lacks that state.
pub fn sealed_case(doc: &mut AutoCommit, seal: &DecisionSeal) -> Option<Case> {
    let heads = seal
        .heads
        .iter()
        .map(|h| h.parse::<ChangeHash>().ok())
        .collect::<Option<Vec<_>>>()?;
    let at = doc.fork_at(&heads).ok()?;
    crate::case_doc::read(&at).ok()
}
