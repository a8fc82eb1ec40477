//! The hub's rules, once, above the stores: enrolment, the directory, sync, pages, the audit log
//! and the operators' commands. Each returns a [`HubError`]; the HTTP edge and the command line
//! only parse, call and print.

mod admin;
mod archive_objects;
mod archives;
pub mod archiving;
mod catalogue;
pub mod citizen;
mod enrol;
pub mod figures;
mod lookup;
pub mod officers;
mod pages;
mod people;
pub mod rating;
pub mod sharing;
mod sync;

pub use admin::NewUser;
pub use catalogue::Published;
pub use enrol::MAX_CODE_FAILURES;

use crate::audit_log::AuditLogs;
use crate::db::{HubDb, HubError, HubResult};
use crate::keys::{KeyDir, TlsIdentity};
use crate::objects::PageStore;
use crate::sealing::{Sealer, StorageKey};
use std::sync::Arc;
use std::time::Duration;
use tongban_sync::wire::{SignedStatement, Statement, StatementKind};
use tongban_trust::{Fingerprint, StatementSigner};

/// Limits an operator may tune (configuration file, flags or environment).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes of unfinished page uploads one device may hold at the hub.
    pub staging_quota: u64,
    /// Unfinished uploads untouched for this long are removed.
    pub upload_expiry: Duration,
    /// Enrolment attempts per peer address and minute.
    pub enrolments_per_minute: u32,
    /// Requests per peer address and minute on the other unauthenticated routes.
    pub open_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            staging_quota: 128 * 1024 * 1024,
            upload_expiry: Duration::from_secs(48 * 3600),
            enrolments_per_minute: 20,
            open_requests_per_minute: 120,
        }
    }
}

/// The hub's key as desks know it, and the next one while a rotation is under way.
pub struct Identity {
    pub fingerprint: Fingerprint,
    pub certificate: Vec<u8>,
    signer: StatementSigner,
    pub next: Option<(Fingerprint, Vec<u8>)>,
}

impl Identity {
    pub fn new(current: &TlsIdentity, next: Option<&TlsIdentity>) -> HubResult<Self> {
        Ok(Self {
            fingerprint: current.fingerprint.clone(),
            certificate: current.certificate().to_vec(),
            signer: StatementSigner::new(current.key.clone_key())
                .map_err(|e| HubError::Keys(e.to_string()))?,
            next: next.map(|n| (n.fingerprint.clone(), n.certificate().to_vec())),
        })
    }

    pub fn sign(&self, statement: &Statement) -> HubResult<SignedStatement> {
        self.signer
            .sign(statement)
            .map_err(|e| HubError::Keys(e.to_string()))
    }
}

/// Everything a hub process serves with.
#[derive(Clone)]
pub struct Hub<D> {
    pub db: D,
    pub sealer: Arc<Sealer>,
    pub pages: Arc<PageStore>,
    pub audit: Arc<AuditLogs>,
    pub identity: Arc<Identity>,
    pub limits: Limits,
    /// Opened in place of a missing account's sealed key (public key, sealed key), so an unknown
    /// name costs what a known one does; made at the first enrolment, not at every start.
    decoy: Arc<tokio::sync::OnceCell<(String, String)>>,
    /// Opening a sealed key takes 128 MiB for a third of a second: at most two at once, however
    /// many enrolments arrive.
    pub(crate) openings: Arc<tokio::sync::Semaphore>,
    /// Set once this process has read the facts of documents stored before facts were kept.
    facts_filled: Arc<tokio::sync::OnceCell<()>>,
    /// Held while a department's request is decided and logged, so two cannot both spend the
    /// last use of a grant.
    pub(crate) sharing: Arc<tokio::sync::Mutex<()>>,
}

/// The database holds a value sealed with the storage key, so a wrong key is caught at start.
const KEY_CHECK: &str = "storage_key_check";
const KEY_CHECK_TEXT: &str = "tongban-hub storage key";
/// Set once rows written before sealing existed have been sealed.
const SEALED_MARK: &str = "rows_sealed_v1";
/// Where an older hub kept its audit signing key (now a key file).
const OLD_AUDIT_KEY: &str = "audit_signing_key";

impl<D: HubDb> Hub<D> {
    /// Checks the storage key against the database, moves what older hubs kept inside the
    /// database out of it, and assembles the services.
    pub async fn open(
        db: D,
        storage: StorageKey,
        keys: &KeyDir,
        tls: &TlsIdentity,
        pages: PageStore,
        limits: Limits,
    ) -> HubResult<Self> {
        let sealer = storage.sealer();
        match db.setting("", KEY_CHECK).await? {
            Some(sealed) => {
                sealer.open_text(KEY_CHECK, &sealed)?;
            }
            None => {
                db.put_setting("", KEY_CHECK, &sealer.seal_text(KEY_CHECK, KEY_CHECK_TEXT)?)
                    .await?
            }
        }
        let old_audit_key = match db.setting("", OLD_AUDIT_KEY).await? {
            Some(text) => Some(
                hex::decode(text.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| HubError::Keys("the stored audit key is damaged".into()))?,
            ),
            None => None,
        };
        let audit_key = keys.audit_key(old_audit_key)?;
        if old_audit_key.is_some() {
            db.delete_setting("", OLD_AUDIT_KEY).await?;
            tracing::info!(key = %keys.file(crate::keys::AUDIT_KEY).display(), "moved the audit signing key out of the database");
        }
        let next = keys.next_tls()?;
        let hub = Self {
            sealer: Arc::new(sealer),
            pages: Arc::new(pages),
            audit: Arc::new(AuditLogs::new(audit_key)),
            identity: Arc::new(Identity::new(tls, next.as_ref())?),
            limits,
            decoy: Arc::default(),
            openings: Arc::new(tokio::sync::Semaphore::new(2)),
            facts_filled: Arc::default(),
            sharing: Arc::default(),
            db,
        };
        hub.seal_old_rows().await?;
        Ok(hub)
    }

    /// Seals the documents and second-factor secrets an older hub stored in the clear, once.
    async fn seal_old_rows(&self) -> HubResult<()> {
        if self.db.setting("", SEALED_MARK).await?.is_some() {
            return Ok(());
        }
        let mut sealed = 0;
        for (township, doc_id) in self.db.doc_keys().await? {
            if let Some(doc) = self.db.doc(&township, &doc_id).await?
                && !Sealer::is_sealed(&doc.bytes)
            {
                let bytes = self
                    .sealer
                    .seal(&doc_context(&township, &doc_id), &doc.bytes)?;
                self.db.reseal_doc(&township, &doc_id, bytes).await?;
                sealed += 1;
            }
        }
        for township in self.db.township_codes().await? {
            for user in self.db.users(&township).await? {
                if let Some(secret) = &user.totp_secret
                    && !is_sealed_text(secret)
                {
                    let text = self
                        .sealer
                        .seal_text(&totp_context(&township, &user.name), secret)?;
                    self.db
                        .set_totp_secret(&township, &user.name, Some(&text))
                        .await?;
                    sealed += 1;
                }
            }
        }
        self.db.put_setting("", SEALED_MARK, "1").await?;
        if sealed > 0 {
            tracing::info!(
                rows = sealed,
                "sealed rows an older hub stored in the clear"
            );
        }
        Ok(())
    }

    /// The signed statement that tells a revoked device, answering its request, to delete its
    /// data.
    pub fn revocation(&self, device: &crate::db::Device, nonce: &str) -> HubError {
        let statement = Statement {
            kind: StatementKind::Revoked,
            device: device.id.clone(),
            township: device.township.clone(),
            issued_at: now_secs(),
            answers_nonce: Some(nonce.to_string()),
        };
        match self.identity.sign(&statement) {
            Ok(signed) => HubError::Revoked(Box::new(signed)),
            Err(e) => e,
        }
    }

    /// Housekeeping while the hub runs: unfinished uploads and request counts that expired.
    pub async fn tidy(&self) -> HubResult<()> {
        let now = now_secs();
        let expiry = i64::try_from(self.limits.upload_expiry.as_secs()).unwrap_or(i64::MAX);
        let removed = self.db.expire_uploads(now.saturating_sub(expiry)).await?;
        if removed > 0 {
            tracing::info!(chunks = removed, "removed page uploads nobody finished");
        }
        self.db.forget_request_counts(now - 3600).await?;
        self.db.expire_web_sessions(now).await?;
        Ok(())
    }

    /// Counts a request from `peer` against a per-minute limit shared by every hub process.
    pub async fn limit_rate(
        &self,
        route: &str,
        peer: std::net::IpAddr,
        per_minute: u32,
    ) -> HubResult<()> {
        match self.limit(&format!("{route}:{peer}"), per_minute).await {
            Err(HubError::RateLimited(_)) => Err(HubError::RateLimited(peer.to_string())),
            other => other,
        }
    }

    /// Counts a request against `key`'s per-minute limit, shared by every hub process.
    pub(crate) async fn limit(&self, key: &str, per_minute: u32) -> HubResult<()> {
        let now = now_secs();
        let count = self.db.count_request(key, now - now.rem_euclid(60)).await?;
        if count > per_minute {
            return Err(HubError::RateLimited(key.to_string()));
        }
        Ok(())
    }
}

impl<D: HubDb> Hub<D> {
    /// The township's audit log from a position on, so supervisors see every desk's events.
    pub async fn audit_read(
        &self,
        device: &crate::db::Device,
        read: tongban_sync::wire::AuditRead,
    ) -> HubResult<tongban_sync::wire::AuditReadResponse> {
        let entries = self
            .db
            .audit_entries(
                &device.township,
                read.from,
                tongban_sync::wire::MAX_AUDIT_READ,
            )
            .await?
            .into_iter()
            .map(|e| tongban_audit::SignedEvent {
                bytes: e.bytes,
                signature: e.signature,
            })
            .collect();
        Ok(tongban_sync::wire::AuditReadResponse { entries })
    }
}

/// Whether the store was ever opened under a storage key: a missing key file is then a lost key,
/// never a reason to make a new one.
pub async fn holds_data<D: HubDb>(db: &D) -> HubResult<bool> {
    Ok(db.setting("", KEY_CHECK).await?.is_some())
}

fn is_sealed_text(text: &str) -> bool {
    hex::decode(text).is_ok_and(|b| Sealer::is_sealed(&b))
}

impl<D: HubDb> Hub<D> {
    /// A stored document unsealed, with the case it reads as; none when the hub holds no
    /// readable case under that id.
    pub(crate) async fn stored_case(
        &self,
        township: &str,
        doc_id: &str,
    ) -> HubResult<Option<(tongban_sync::automerge::AutoCommit, tongban_domain::Case)>> {
        let Some(stored) = self.db.doc(township, doc_id).await? else {
            return Ok(None);
        };
        let bytes = self
            .sealer
            .open(&doc_context(township, doc_id), &stored.bytes)?;
        let doc = tongban_sync::automerge::AutoCommit::load(&bytes).map_err(HubError::internal)?;
        Ok(tongban_sync::case_doc::read(&doc)
            .ok()
            .map(|case| (doc, case)))
    }
}

pub(crate) fn doc_context(township: &str, doc_id: &str) -> String {
    format!("doc/{township}/{doc_id}")
}

pub(crate) fn totp_context(township: &str, user: &str) -> String {
    format!("totp/{township}/{user}")
}

pub(crate) fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Milliseconds, as events are dated: an account disabled within a second of an event must
/// still tell which came first.
pub fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
