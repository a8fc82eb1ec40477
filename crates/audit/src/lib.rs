//! The tamper-evident audit trail. Each desk keeps a signed hash chain of everything done on it
//! (`chain`); the hub appends every verified event to its township's RFC 6962 Merkle log and
//! signs checkpoints that desks check for consistency (`log`). No I/O here: storage and
//! transport are the store's, client's and hub's.
#![forbid(unsafe_code)]

pub mod chain;
mod extract;
pub mod log;
#[cfg(test)]
mod log_tests;
mod log_verify;
#[cfg(test)]
mod tests;

pub use chain::{
    AuditAction, AuditEvent, ChainBreak, ChainProblem, GENESIS, Head, Outcome, SignedEvent,
    event_hash, hub_device, next_event, verify_chain,
};
pub use ed25519_dalek;
pub use extract::{Extract, ExtractEntry};
pub use log::{Checkpoint, Leaf, LogError, MerkleLog, SignedCheckpoint};
pub use log_verify::{LogBreak, LogProblem, LogReport, LoggedEvent, verify_log};
