//! What the hub keeps, behind one trait with two implementations: embedded SQLite (default, no
//! set-up) and PostgreSQL (when a county outgrows one machine).

use std::collections::HashMap;
use std::future::Future;
use tongban_sync::wire::DocDigest;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL pool: {0}")]
    Pool(String),
    #[error("township {0} already exists / 乡镇{0}已存在")]
    TownshipExists(String),
    #[error(
        "township {0} does not exist; add it with `tongban-hub township add` / 乡镇{0}不存在，请先用 tongban-hub township add 添加"
    )]
    NoTownship(String),
    #[error("township {0} has no device serials left / 乡镇{0}的设备序号已用完")]
    SerialsExhausted(String),
    #[error("township {0} already has a user named {1} / 乡镇{0}已有名为{1}的用户")]
    UserExists(String, String),
    #[error("database task failed: {0}")]
    Task(String),
}

pub type DbResult<T> = Result<T, DbError>;

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
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub bytes: Vec<u8>,
    pub version: i64,
}

/// A document's new content, to be stored only if its version is still `expected` (`None`: not
/// yet stored).
#[derive(Debug, Clone)]
pub struct DocWrite {
    pub bytes: Vec<u8>,
    pub digest: String,
    pub expected: Option<i64>,
}

/// What one sync request leaves behind for one document: its new content when it changed,
/// and the sending device's sync state for it.
#[derive(Debug, Clone)]
pub struct SyncedDoc {
    pub doc_id: String,
    pub write: Option<DocWrite>,
    pub state: Vec<u8>,
}

pub trait HubDb: crate::audit_db::AuditDb + Clone + Send + Sync + 'static {
    fn ping(&self) -> impl Future<Output = DbResult<()>> + Send;
    fn add_township(&self, code: &str, name: &str) -> impl Future<Output = DbResult<()>> + Send;
    fn township(&self, code: &str) -> impl Future<Output = DbResult<Option<Township>>> + Send;
    fn add_enroll_code(
        &self,
        township: &str,
        code_hash: &str,
        expires_at: i64,
    ) -> impl Future<Output = DbResult<()>> + Send;
    /// Spends a one-time code and enrols the device, or returns `None` if the code is unknown,
    /// used or expired. Atomic: two desks racing for one code cannot both win.
    fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device: NewDevice,
    ) -> impl Future<Output = DbResult<Option<Device>>> + Send;
    /// The township a code would enrol into, without spending it.
    fn enroll_code_township(
        &self,
        code_hash: &str,
        now: i64,
    ) -> impl Future<Output = DbResult<Option<String>>> + Send;
    fn add_user(&self, township: &str, user: HubUser) -> impl Future<Output = DbResult<()>> + Send;
    fn users(&self, township: &str) -> impl Future<Output = DbResult<Vec<HubUser>>> + Send;
    /// Settings by scope: a township code, or `""` for the whole hub.
    fn setting(
        &self,
        scope: &str,
        key: &str,
    ) -> impl Future<Output = DbResult<Option<String>>> + Send;
    fn put_setting(
        &self,
        scope: &str,
        key: &str,
        value: &str,
    ) -> impl Future<Output = DbResult<()>> + Send;
    fn device(&self, id: &str) -> impl Future<Output = DbResult<Option<Device>>> + Send;
    fn devices(&self, township: &str) -> impl Future<Output = DbResult<Vec<Device>>> + Send;
    fn revoke_device(&self, id: &str) -> impl Future<Output = DbResult<bool>> + Send;
    /// Records a request nonce; `false` when the device used it before (a replay).
    fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;
    fn doc(
        &self,
        township: &str,
        doc_id: &str,
    ) -> impl Future<Output = DbResult<Option<StoredDoc>>> + Send;
    fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> impl Future<Output = DbResult<HashMap<String, String>>> + Send;
    /// Documents changed after `cursor`, and the feed position to resume from.
    fn changed_since(
        &self,
        township: &str,
        cursor: u64,
    ) -> impl Future<Output = DbResult<(Vec<DocDigest>, u64)>> + Send;
    fn sync_state(
        &self,
        device: &str,
        doc_id: &str,
    ) -> impl Future<Output = DbResult<Option<Vec<u8>>>> + Send;
    /// A whole sync request's writes in one transaction, one commit for all: each changed
    /// document is stored if its version is still the one expected (moving the township's change
    /// feed on), then the device's sync state for it. Documents another request stored first are
    /// left out, state and all, and their ids returned.
    fn put_synced(
        &self,
        township: &str,
        device: &str,
        docs: Vec<SyncedDoc>,
    ) -> impl Future<Output = DbResult<Vec<String>>> + Send;
}
