//! What the hub keeps of the audit trail: each township's log of device events in order, and
//! the checkpoints it signed. Implemented by both stores.

use crate::db::HubResult;
use std::future::Future;

/// An event about to be appended to a township log.
#[derive(Debug, Clone)]
pub struct NewLogEntry {
    pub seq: u64,
    pub hash: Vec<u8>,
    pub bytes: Vec<u8>,
    pub signature: Vec<u8>,
}

/// An entry of a township log as stored.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub position: u64,
    pub hash: Vec<u8>,
    pub bytes: Vec<u8>,
    pub signature: Vec<u8>,
}

pub trait AuditDb {
    /// How many events of `device` the log holds, and the hash of its last.
    fn audit_head(
        &self,
        device: &str,
    ) -> impl Future<Output = HubResult<Option<(u64, Vec<u8>)>>> + Send;
    /// The log position and hash of the device's event `seq`.
    fn audit_event_at(
        &self,
        device: &str,
        seq: u64,
    ) -> impl Future<Output = HubResult<Option<(u64, Vec<u8>)>>> + Send;
    /// Appends the device's next events, if it still has `expected_count` in the log; returns
    /// their positions, or `None` when another request appended first.
    fn append_audit(
        &self,
        township: &str,
        device: &str,
        expected_count: u64,
        entries: Vec<NewLogEntry>,
    ) -> impl Future<Output = HubResult<Option<Vec<u64>>>> + Send;
    /// Leaf hashes from position `from` on, in order.
    fn audit_leaves(
        &self,
        township: &str,
        from: u64,
    ) -> impl Future<Output = HubResult<Vec<Vec<u8>>>> + Send;
    /// Entries from position `from` on, in order, at most `limit`.
    fn audit_entries(
        &self,
        township: &str,
        from: u64,
        limit: u32,
    ) -> impl Future<Output = HubResult<Vec<LogEntry>>> + Send;
    /// Keeps a signed checkpoint (JSON); the first one signed for a size stays.
    fn put_audit_checkpoint(
        &self,
        township: &str,
        size: u64,
        checkpoint: &str,
    ) -> impl Future<Output = HubResult<()>> + Send;
    fn audit_checkpoints(
        &self,
        township: &str,
    ) -> impl Future<Output = HubResult<Vec<String>>> + Send;
    fn township_codes(&self) -> impl Future<Output = HubResult<Vec<String>>> + Send;
    /// Keeps a checkpoint a desk handed back as verified (JSON); one per size and device.
    fn put_witnessed(
        &self,
        township: &str,
        device: &str,
        size: u64,
        checkpoint: &str,
    ) -> impl Future<Output = HubResult<()>> + Send;
    fn witnessed(&self, township: &str) -> impl Future<Output = HubResult<Vec<String>>> + Send;
}
