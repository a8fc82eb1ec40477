//! What the hub keeps, behind one trait with two implementations: embedded SQLite (default, no
//! set-up) and PostgreSQL (when a county outgrows one machine). The stores keep and read rows,
//! atomically where a row's meaning needs it; every rule about them lives once, in the services
//! above (`service`), and a contract suite runs the same checks against both.

use std::collections::HashMap;
use std::future::Future;
use tongban_sync::wire::DocDigest;

pub use crate::error::{HubError, HubResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Township {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub township: String,
    pub serial: u32,
    pub public_key: String,
    pub user: String,
    pub label: String,
    pub revoked: bool,
    pub enrolled_at: i64,
}

/// A device about to be enrolled; the hub assigns its serial.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: String,
    pub public_key: String,
    pub user: String,
    pub label: String,
    pub enrolled_at: i64,
}

/// An account of a township, as the hub keeps it and hands it to the township's desks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubUser {
    pub name: String,
    pub role: String,
    /// Hex Ed25519 public key; none for accounts made before person keys.
    pub public_key: Option<String>,
    /// The private key sealed under the person's password (`person::SealedKey` as text).
    pub sealed_key: Option<String>,
    /// Set by a password reset until the person chooses their own.
    pub must_change: bool,
    pub totp_secret: Option<String>,
    pub created_at: i64,
    /// When the account was disabled (milliseconds); none while it may act.
    pub disabled_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub bytes: Vec<u8>,
    pub version: i64,
}

/// A document's new content, to be stored only if its version is still `expected` (`None`: not
/// yet stored), with the scanned pages it references.
#[derive(Debug, Clone)]
pub struct DocWrite {
    pub bytes: Vec<u8>,
    pub digest: String,
    pub expected: Option<i64>,
    pub pages: Vec<String>,
    /// What the figures read of the case ([`tongban_domain::figures::CaseFacts`] as JSON),
    /// stored beside the sealed document; none when it is not a readable case.
    pub facts: Option<String>,
    /// The applicant's index tag ([`crate::sealing::Sealer::applicant_tag`]); none when it is
    /// not a readable case.
    pub applicant: Option<String>,
}

/// An enrolment code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollCode {
    pub township: String,
    pub expires_at: i64,
    pub used: bool,
    /// Wrong passwords given with it.
    pub failures: u32,
}

/// What redeeming a code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    Enrolled(Device),
    /// Spent meanwhile by another request.
    CodeGone,
    /// The township has no serial left below the limit.
    NoSerial,
}

/// What one sync request leaves behind for one document: its new content when it changed,
/// and the sending device's sync state for it.
#[derive(Debug, Clone)]
pub struct SyncedDoc {
    /// The township the case belongs to (a county desk's request spans several).
    pub township: String,
    pub doc_id: String,
    /// The county unit a reported case is shared with: each change moves that unit's feed on too.
    pub shared_with: Option<String>,
    pub write: Option<DocWrite>,
    /// The sending device's sync state; none for a change the hub makes itself.
    pub state: Option<Vec<u8>>,
}

pub trait HubDb:
    crate::account_db::AccountDb
    + crate::archive_db::ArchiveDb
    + crate::audit_db::AuditDb
    + crate::facts_db::FactsDb
    + crate::session_db::SessionDb
    + crate::sharing_db::SharingDb
    + crate::upload_db::UploadDb
    + Clone
    + Send
    + Sync
    + 'static
{
    fn ping(&self) -> impl Future<Output = HubResult<()>> + Send;
    /// How large the database is, for the operator's metrics.
    fn database_bytes(&self) -> impl Future<Output = HubResult<u64>> + Send;
    /// `false` when the township exists already.
    fn add_township(&self, code: &str, name: &str) -> impl Future<Output = HubResult<bool>> + Send;
    fn township(&self, code: &str) -> impl Future<Output = HubResult<Option<Township>>> + Send;
    fn add_enroll_code(
        &self,
        township: &str,
        code_hash: &str,
        expires_at: i64,
    ) -> impl Future<Output = HubResult<()>> + Send;
    fn enroll_code(
        &self,
        code_hash: &str,
    ) -> impl Future<Output = HubResult<Option<EnrollCode>>> + Send;
    /// Counts one more wrong password against a code; the count after it.
    fn count_code_failure(&self, code_hash: &str) -> impl Future<Output = HubResult<u32>> + Send;
    /// Spends a code without enrolling anything.
    fn burn_enroll_code(&self, code_hash: &str) -> impl Future<Output = HubResult<()>> + Send;
    /// Spends an unused code and enrols the device under the township's next serial, if that is
    /// at most `max_serial`. Atomic: two desks racing for one code cannot both win.
    fn redeem_enroll_code(
        &self,
        code_hash: &str,
        device: NewDevice,
        max_serial: u32,
    ) -> impl Future<Output = HubResult<Redeemed>> + Send;
    /// `false` when the township has an account of that name already.
    fn add_user(
        &self,
        township: &str,
        user: HubUser,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    fn users(&self, township: &str) -> impl Future<Output = HubResult<Vec<HubUser>>> + Send;
    /// Replaces an account's second-factor secret (sealing it, for rows written before).
    fn set_totp_secret(
        &self,
        township: &str,
        name: &str,
        secret: Option<&str>,
    ) -> impl Future<Output = HubResult<()>> + Send;
    /// Settings by scope: a township code, or `""` for the whole hub.
    fn setting(
        &self,
        scope: &str,
        key: &str,
    ) -> impl Future<Output = HubResult<Option<String>>> + Send;
    fn put_setting(
        &self,
        scope: &str,
        key: &str,
        value: &str,
    ) -> impl Future<Output = HubResult<()>> + Send;
    fn delete_setting(&self, scope: &str, key: &str) -> impl Future<Output = HubResult<()>> + Send;
    fn device(&self, id: &str) -> impl Future<Output = HubResult<Option<Device>>> + Send;
    fn devices(&self, township: &str) -> impl Future<Output = HubResult<Vec<Device>>> + Send;
    fn revoke_device(&self, id: &str) -> impl Future<Output = HubResult<bool>> + Send;
    /// Notes the version a desk runs, as it said at a sync.
    fn note_desk_version(
        &self,
        device: &str,
        version: &str,
        at_ms: i64,
    ) -> impl Future<Output = HubResult<()>> + Send;
    /// The township's desks' versions as they last said them: device → (version, when).
    fn desk_versions(
        &self,
        township: &str,
    ) -> impl Future<Output = HubResult<HashMap<String, (String, i64)>>> + Send;
    /// Records a request nonce; `false` when the device used it before (a replay).
    fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    fn doc(
        &self,
        township: &str,
        doc_id: &str,
    ) -> impl Future<Output = HubResult<Option<StoredDoc>>> + Send;
    /// Every document of every township, for re-sealing rows written before sealing existed.
    fn doc_keys(&self) -> impl Future<Output = HubResult<Vec<(String, String)>>> + Send;
    /// Replaces a document's bytes without touching its version or the change feed.
    fn reseal_doc(
        &self,
        township: &str,
        doc_id: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = HubResult<()>> + Send;
    /// The digests of those documents the unit sees: its own, or those shared with it.
    fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> impl Future<Output = HubResult<HashMap<String, String>>> + Send;
    /// Documents the unit sees (its own, or shared with it) changed after feed position `from`,
    /// and the feed's head.
    fn changed_since(
        &self,
        township: &str,
        from: u64,
    ) -> impl Future<Output = HubResult<(Vec<DocDigest>, u64)>> + Send;
    fn sync_state(
        &self,
        device: &str,
        doc_id: &str,
    ) -> impl Future<Output = HubResult<Option<Vec<u8>>>> + Send;
    /// A whole sync request's writes in one transaction, one commit for all: each changed
    /// document is stored if its version is still the one expected (moving its township's change
    /// feed on, and the feed of the unit it is shared with, and noting the pages it references),
    /// then the device's sync state for it. Documents another request stored first are left
    /// out, state and all, and their ids returned.
    fn put_synced(
        &self,
        device: &str,
        docs: Vec<SyncedDoc>,
    ) -> impl Future<Output = HubResult<Vec<String>>> + Send;
}
