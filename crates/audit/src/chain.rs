//! A device's own audit trail: every event names the hash of the one before it and its
//! sequence number, and is signed with the device's key. Deleting, reordering or editing any
//! event breaks the chain at that position; cutting events off the end is caught by comparing
//! the last event with a head kept elsewhere (a counter outside the database, the hub).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    View,
    Register,
    Edit,
    Transition,
    Decision,
    Print,
    Export,
    Share,
    Unmask,
    /// Enrolment, recovery, backup, restore: anything done with the profile's keys.
    Key,
    /// An applicant's rating of the service (好差评), taken by the hub from the query page.
    Rate,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::View => "view",
            Self::Register => "register",
            Self::Edit => "edit",
            Self::Transition => "transition",
            Self::Decision => "decision",
            Self::Print => "print",
            Self::Export => "export",
            Self::Share => "share",
            Self::Unmask => "unmask",
            Self::Key => "key",
            Self::Rate => "rate",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SignIn => "登录",
            Self::View => "查看",
            Self::Register => "登记",
            Self::Edit => "修改",
            Self::Transition => "流转",
            Self::Decision => "决定",
            Self::Print => "打印",
            Self::Export => "导出",
            Self::Share => "共享",
            Self::Unmask => "查看完整证件号",
            Self::Key => "密钥操作",
            Self::Rate => "好差评",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Refused,
}

/// One audited access. It never carries personal data: the object is a case number or a page
/// digest, and `detail` is a reason or an operation's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub device: String,
    pub seq: u64,
    /// Hex SHA-256 of the previous event of this device; all zeros for the first.
    pub prev: String,
    pub at_ms: i64,
    pub user: String,
    pub action: AuditAction,
    pub object: String,
    pub outcome: Outcome,
    pub detail: String,
    /// What the action saw or produced: a case's heads digest, a printed file's SHA-256.
    pub digest: String,
}

pub const GENESIS: [u8; 32] = [0; 32];

/// An event as it was signed: the exact bytes, kept verbatim wherever it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEvent {
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

impl AuditEvent {
    /// Encodes and signs the event.
    pub fn sign(&self, key: &SigningKey) -> SignedEvent {
        let mut bytes = Vec::new();
        // Writing CBOR into a Vec cannot fail for this plain struct.
        let _ = ciborium::into_writer(self, &mut bytes);
        let signature = key.sign(&event_hash(&bytes)).to_bytes().to_vec();
        SignedEvent { bytes, signature }
    }
}

/// The hash events are chained and logged by, domain-separated from every other hash.
pub fn event_hash(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new_with_prefix(b"tongban audit event v1\0");
    hasher.update(bytes);
    hasher.finalize().into()
}

impl SignedEvent {
    pub fn hash(&self) -> [u8; 32] {
        event_hash(&self.bytes)
    }

    pub fn event(&self) -> Result<AuditEvent, ChainProblem> {
        ciborium::from_reader(self.bytes.as_slice()).map_err(|_| ChainProblem::Unreadable)
    }

    pub fn check_signature(&self, key: &VerifyingKey) -> Result<(), ChainProblem> {
        let signature =
            Signature::from_slice(&self.signature).map_err(|_| ChainProblem::BadSignature)?;
        key.verify(&self.hash(), &signature)
            .map_err(|_| ChainProblem::BadSignature)
    }
}

/// Where a chain stands: the last event's sequence number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum ChainProblem {
    Unreadable,
    WrongDevice(String),
    BadSignature,
    OutOfSequence { expected: u64, found: u64 },
    BrokenLink,
    Truncated { expected: u64 },
    HeadMismatch,
}

impl tongban_domain::l10n::Localized for ChainProblem {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Unreadable => text!("the event cannot be read", "事件无法读取"),
            Self::WrongDevice(device) => {
                text!(
                    "the event belongs to device {device}",
                    "事件属于其他设备{device}"
                )
            }
            Self::BadSignature => text!(
                "the signature does not match the event",
                "签名与事件内容不符"
            ),
            Self::OutOfSequence { expected, found } => text!(
                "expected sequence number {expected}, found {found}",
                "序号应为{expected}，实为{found}"
            ),
            Self::BrokenLink => text!(
                "it does not name the previous event's hash (an event before it was removed or changed)",
                "未指向前一事件的哈希（之前的事件被删除或修改）"
            ),
            Self::Truncated { expected } => text!(
                "the trail ends here but {expected} events were recorded (events at the end were removed)",
                "记录到此结束，但应有{expected}条（末尾事件被删除）"
            ),
            Self::HeadMismatch => text!(
                "the last event is not the one recorded elsewhere",
                "最后一条事件与别处记录的不符"
            ),
        }
    }
}

/// The first place a trail fails, counted from 0 in the list that was checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub struct ChainBreak {
    pub position: u64,
    pub problem: ChainProblem,
}

impl tongban_domain::l10n::Localized for ChainBreak {
    fn text(&self) -> tongban_domain::l10n::Text {
        let position = self.position;
        self.problem.text().within(tongban_domain::text!(
            "audit event at position {position}",
            "第{position}条审计事件"
        ))
    }
}

/// Checks a device's trail in order: signatures, sequence numbers and links, starting after
/// `anchor` (the head before the first event, `None` from the very beginning), and, when
/// `expected_end` is known, that nothing was cut off the end. Returns the trail's head.
pub fn verify_chain(
    device: &str,
    key: &VerifyingKey,
    anchor: Option<Head>,
    events: &[SignedEvent],
    expected_end: Option<Head>,
) -> Result<Option<Head>, ChainBreak> {
    let mut head = anchor;
    for (i, signed) in events.iter().enumerate() {
        let position = i as u64;
        let fail = |problem| ChainBreak { position, problem };
        let event = signed.event().map_err(fail)?;
        if event.device != device {
            return Err(fail(ChainProblem::WrongDevice(event.device)));
        }
        signed.check_signature(key).map_err(fail)?;
        let expected = head.map_or(0, |h| h.seq + 1);
        if event.seq != expected {
            return Err(fail(ChainProblem::OutOfSequence {
                expected,
                found: event.seq,
            }));
        }
        let prev = head.map_or(GENESIS, |h| h.hash);
        if event.prev != hex::encode(prev) {
            return Err(fail(ChainProblem::BrokenLink));
        }
        head = Some(Head {
            seq: event.seq,
            hash: signed.hash(),
        });
    }
    if let Some(end) = expected_end {
        let position = events.len() as u64;
        match head {
            Some(h) if h.seq == end.seq && h.hash != end.hash => {
                return Err(ChainBreak {
                    position: position.saturating_sub(1),
                    problem: ChainProblem::HeadMismatch,
                });
            }
            Some(h) if h.seq >= end.seq => {}
            _ => {
                return Err(ChainBreak {
                    position,
                    problem: ChainProblem::Truncated {
                        expected: end.seq + 1,
                    },
                });
            }
        }
    }
    Ok(head)
}

/// The device id under which the hub writes its own entries into a township's log (what a
/// department was given of a case, a lookup across townships): one chain per township, signed
/// with the hub's audit key, the key its checkpoints are signed with. Desks' ids are hex, so
/// none can take this one.
pub fn hub_device(township: &str) -> String {
    format!("hub-{township}")
}

/// The next event after `head`, filled in with sequence number and link.
pub fn next_event(head: Option<Head>, device: &str, at_ms: i64) -> AuditEvent {
    AuditEvent {
        device: device.to_string(),
        seq: head.map_or(0, |h| h.seq + 1),
        prev: hex::encode(head.map_or(GENESIS, |h| h.hash)),
        at_ms,
        user: String::new(),
        action: AuditAction::View,
        object: String::new(),
        outcome: Outcome::Done,
        detail: String::new(),
        digest: String::new(),
    }
}
