//! The hub's register of archived packages and the log of what was done with them, one trait for
//! both stores (`sqlite_archives`, `postgres_archives`).

use crate::error::HubResult;
use serde::Serialize;
use std::future::Future;

/// One archived case: its 档号, its batch and 件号, and its sealed package object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveRow {
    pub case_number: String,
    pub township: String,
    pub code: String,
    /// 全宗号-年度-保管期限-机构或问题: what 件号 count within.
    pub batch: String,
    pub item: u16,
    pub year: i32,
    /// Y, D30 or D10.
    pub retention: String,
    /// The SHA-256 of the package as stored (its tar), naming its object.
    pub object: String,
    pub bytes: u64,
    pub archived_at_ms: i64,
}

/// One thing done with a package: archived, a fixity audit, a transfer; with the signed report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveEvent {
    pub case_number: String,
    pub at_ms: i64,
    /// archived, fixity or transfer.
    pub kind: String,
    /// pass or fail.
    pub outcome: String,
    pub detail: String,
    pub report: Option<String>,
}

pub trait ArchiveDb {
    /// Archived cases whose township starts with `prefix`, by township, year and 档号.
    fn archive_rows(&self, prefix: &str)
    -> impl Future<Output = HubResult<Vec<ArchiveRow>>> + Send;
    fn archive_row(
        &self,
        case_number: &str,
    ) -> impl Future<Output = HubResult<Option<ArchiveRow>>> + Send;
    /// The highest 件号 given in `batch` (0 for none).
    fn last_archive_item(&self, batch: &str) -> impl Future<Output = HubResult<u16>> + Send;
    /// Registers an archived case; false when its number or its 档号 is taken (another process
    /// archived first), and nothing is written.
    fn put_archive(&self, row: ArchiveRow) -> impl Future<Output = HubResult<bool>> + Send;
    fn add_archive_event(&self, event: ArchiveEvent) -> impl Future<Output = HubResult<()>> + Send;
    /// The events of cases whose number starts with `prefix`, oldest first.
    fn archive_events(
        &self,
        prefix: &str,
    ) -> impl Future<Output = HubResult<Vec<ArchiveEvent>>> + Send;
}
