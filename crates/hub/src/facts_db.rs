//! The facts the supervision figures read, one row per stored case, kept beside the sealed
//! documents (they hold no applicant data): the county's figures read these rows rather than
//! unsealing and parsing every document.

use crate::error::HubResult;
use std::future::Future;

/// One document's facts: its township, its id, and the facts as JSON (none: not a case).
pub type FactsRow = (String, String, Option<String>);

pub trait FactsDb {
    /// The facts of every case whose township code starts with `prefix` (a county's six digits,
    /// or one township's nine), as stored JSON.
    fn case_facts(&self, prefix: &str) -> impl Future<Output = HubResult<Vec<String>>> + Send;
    /// How many cases under `prefix` have facts: one SQL `count(*)`, the baseline the figures
    /// are measured against.
    fn count_facts(&self, prefix: &str) -> impl Future<Output = HubResult<u64>> + Send;
    /// Stored documents with no facts row yet (stored before the figures existed).
    fn docs_without_facts(&self) -> impl Future<Output = HubResult<Vec<(String, String)>>> + Send;
    /// Keeps documents' facts in one transaction (none: not a readable case, so not read again).
    fn put_facts(&self, rows: Vec<FactsRow>) -> impl Future<Output = HubResult<()>> + Send;
}
