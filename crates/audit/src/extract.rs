//! A case's audit extract: the township log's events about one case, each with its inclusion
//! proof against one checkpoint the hub signed. It travels inside an archival package and proves
//! there, offline, that these events are the ones the hub logged, at these positions.

use crate::chain::{AuditEvent, SignedEvent};
use crate::log::{MerkleLog, SignedCheckpoint, verify_inclusion};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// One logged event: where it sits in the log, its bytes and signature as the device made them,
/// and the proof that the checkpoint's tree holds it there. Binary fields are hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractEntry {
    pub position: u64,
    pub event: String,
    pub signature: String,
    pub proof: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extract {
    /// What this file is, for a reader decades on.
    pub about: String,
    pub checkpoint: SignedCheckpoint,
    pub entries: Vec<ExtractEntry>,
}

pub const ABOUT: &str = "Audit extract: events of one case from its township's RFC 6962 log (SHA-256; leaf = SHA-256(\"tongban audit event v1\\0\" || event CBOR)), each with its inclusion proof against the hub-signed checkpoint. 审计摘录：本办件在乡镇审计日志中的事件及其包含证明。";

impl Extract {
    /// The extract of the events at `positions` in `log`, which must be the tree `checkpoint`
    /// signed; `None` when a position is past it or the tree is another.
    pub fn build(
        log: &MerkleLog,
        checkpoint: SignedCheckpoint,
        events: &[(u64, SignedEvent)],
    ) -> Option<Self> {
        let root = checkpoint.checkpoint.root_bytes().ok()?;
        if log.len() != checkpoint.checkpoint.size || log.root() != root {
            return None;
        }
        let entries = events
            .iter()
            .map(|(position, signed)| {
                Some(ExtractEntry {
                    position: *position,
                    event: hex::encode(&signed.bytes),
                    signature: hex::encode(&signed.signature),
                    proof: hex::encode(log.prove_inclusion(*position)?),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            about: ABOUT.to_string(),
            checkpoint,
            entries,
        })
    }

    /// The events, once the checkpoint is the hub's for `township` and every entry is proven
    /// in it; otherwise what does not hold, naming the position.
    pub fn verify(
        &self,
        hub: &VerifyingKey,
        township: &str,
    ) -> Result<Vec<(u64, AuditEvent)>, String> {
        self.checkpoint
            .verify(hub, township)
            .map_err(|e| format!("the checkpoint does not hold: {e}"))?;
        let size = self.checkpoint.checkpoint.size;
        let root = self
            .checkpoint
            .checkpoint
            .root_bytes()
            .map_err(|e| e.to_string())?;
        self.entries
            .iter()
            .map(|entry| {
                let position = entry.position;
                let bad = |what: &str| format!("log entry {position}: {what}");
                let signed = SignedEvent {
                    bytes: hex::decode(&entry.event).map_err(|_| bad("event is not hex"))?,
                    signature: hex::decode(&entry.signature)
                        .map_err(|_| bad("signature is not hex"))?,
                };
                let proof = hex::decode(&entry.proof).map_err(|_| bad("proof is not hex"))?;
                verify_inclusion(size, &root, &signed.hash(), position, &proof)
                    .map_err(|_| bad("not in the checkpoint's log"))?;
                let event = signed.event().map_err(|_| bad("event cannot be read"))?;
                Ok((position, event))
            })
            .collect()
    }
}
