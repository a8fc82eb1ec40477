//! One sync of a desk with the hub: a manifest names the documents that differ, then rounds of
//! Automerge sync messages for up to `MAX_DOCS_PER_BATCH` documents per request. The first round
//! already carries this desk's changes (`peer::resume`), so most documents settle in one round
//! trip. Every round's result is stored before the next, so a cut link loses nothing and the
//! next sync resumes.

use crate::hub::{HubClient, HubError};
use crate::pages::PageProgress;
use backon::{BlockingRetryable, ExponentialBuilder};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tongban_store::{Store, StoreError};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc::heads_digest;
use tongban_sync::endpoint::{self, Endpoint};
use tongban_sync::peer;
use tongban_sync::wire::{
    DirectoryRequest, DocMessage, MAX_DOCS_PER_BATCH, ManifestRequest, RekeyRequest, SyncBatch,
};

/// Automerge needs a few exchanges per document; more than this means something is wrong.
const MAX_ROUNDS: usize = 12;

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum SyncError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    Document(String, String),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditSyncError),
}

impl tongban_domain::l10n::Localized for SyncError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Hub(e) => e.text(),
            Self::Store(e) => e.text(),
            Self::Document(document, detail) => text!(
                "document {document} from the hub is damaged: {detail}",
                "中心发来的文档{document}已损坏：{detail}"
            ),
            Self::Audit(e) => e.text(),
        }
    }
}

impl SyncError {
    /// The hub revoked this device.
    pub fn is_revoked(&self) -> bool {
        matches!(self, Self::Hub(e) if e.is_revoked())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Documents this desk sent changes for.
    pub docs_up: u64,
    /// Documents that changed here because of what the hub sent.
    pub docs_down: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub requests: u64,
    /// Documents still differing when the sync stopped (retried next time).
    pub unsettled: u64,
    /// Scanned pages sent to and fetched from the hub, and their bytes.
    pub pages_up: u64,
    pub pages_down: u64,
    pub page_bytes_up: u64,
    pub page_bytes_down: u64,
    /// Page bytes sent or fetched again because a link cut lost them the first time.
    pub page_bytes_resent: u64,
    /// Pages still to move (not yet uploaded by their desk, or cut off); retried next time.
    pub pages_pending: u64,
    /// Audit events the hub logged, and the size of the township log as verified.
    pub audit_events_sent: u64,
    pub audit_log_size: u64,
    /// This desk's own events read back after a restore from a backup.
    pub audit_rejoined: u64,
    /// Of the bytes up and down, those of the audit trail's exchange.
    pub audit_bytes: u64,
    /// Passwords changed here that the hub refused (the account's old one holds again), with
    /// the hub's reason.
    pub passwords_refused: Vec<String>,
}

/// How long to keep trying while the hub is unreachable.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: usize,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

pub(crate) struct Session<'a> {
    pub(crate) store: &'a mut Store,
    hub: &'a HubClient,
    retry: Retry,
    pub(crate) report: SyncReport,
    /// How many attempts of the last request failed on a transient error before it went
    /// through: each may have moved the whole body or answer before the cut.
    pub(crate) last_failures: u64,
}

impl<'a> Session<'a> {
    fn new(store: &'a mut Store, hub: &'a HubClient, retry: Retry) -> Self {
        Self {
            store,
            hub,
            retry,
            report: SyncReport::default(),
            last_failures: 0,
        }
    }

    /// Requests are idempotent (Automerge messages may be applied twice; every retry carries a
    /// fresh nonce), so a transient failure is simply sent again after a jittered backoff.
    pub(crate) fn call<E: Endpoint>(
        &mut self,
        request: &E::Request,
    ) -> Result<E::Response, HubError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.first_delay)
            .with_max_delay(self.retry.max_delay)
            .with_max_times(self.retry.attempts.saturating_sub(1))
            .with_jitter();
        let failed = std::cell::Cell::new(0u64);
        let exchange = (|| self.hub.call::<E>(request))
            .retry(backoff)
            .when(HubError::is_transient)
            .notify(|e, delay| {
                failed.set(failed.get() + 1);
                tracing::info!(error = %e, ?delay, "hub unreachable, retrying");
            })
            .call()?;
        self.last_failures = failed.get();
        self.report.requests += 1;
        self.report.bytes_up += exchange.sent;
        self.report.bytes_down += exchange.received;
        Ok(exchange.answer)
    }
}

pub fn sync(store: &mut Store, hub: &HubClient, retry: Retry) -> Result<SyncReport, SyncError> {
    sync_with_progress(store, hub, retry, &mut |_| {})
}

/// A sync that reports how far the page transfers are, for a progress bar.
pub fn sync_with_progress(
    store: &mut Store,
    hub: &HubClient,
    retry: Retry,
    progress: &mut dyn FnMut(PageProgress),
) -> Result<SyncReport, SyncError> {
    let docs = store.changed_docs()?;
    let cursor = store.sync_cursor()?;
    let mut digest = store.directory_digest()?;
    let mut session = Session::new(store, hub, retry);
    // Passwords changed here go before the directory, which would otherwise bring back the old.
    for rekey in session.store.pending_rekeys()? {
        match session.call::<endpoint::Rekey>(&RekeyRequest {
            rekey: rekey.clone(),
        }) {
            Ok(_) => {}
            Err(e) if !e.is_transient() && !e.is_revoked() => {
                tracing::warn!(user = %rekey.name, error = %e, "the hub refused a new password");
                session.report.passwords_refused.push(e.to_string());
                // The directory must come again, to put back the sealing the hub keeps.
                digest = None;
            }
            Err(e) => return Err(e.into()),
        }
        session.store.settle_rekey(&rekey)?;
    }
    // Accounts and roles first: a desk signs users in with what it holds.
    let answer = session.call::<endpoint::Directory>(&DirectoryRequest {
        digest,
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
    })?;
    if let Some(directory) = answer.directory {
        session.store.replace_directory(&directory)?;
    }
    crate::statements::take_in(session.store, hub, &answer.statements)?;
    let manifest = session.call::<endpoint::Manifest>(&ManifestRequest { cursor, docs })?;

    let mut todo: BTreeSet<String> = manifest.differing.into_iter().collect();
    for changed in manifest.changed {
        if session.store.doc_digest(&changed.doc_id)?.as_deref() != Some(changed.digest.as_str()) {
            todo.insert(changed.doc_id);
        }
    }
    let todo: Vec<String> = todo.into_iter().collect();
    let mut unsettled = 0;
    for chunk in todo.chunks(MAX_DOCS_PER_BATCH) {
        unsettled += sync_chunk(&mut session, chunk)?;
    }
    session.report.unsettled = unsettled;
    // Only a complete sync moves the feed position, or a change could be skipped forever.
    if unsettled == 0 {
        session.store.set_sync_cursor(manifest.cursor)?;
    }
    let before = session.report.bytes_up + session.report.bytes_down;
    let audit = crate::audit::push(&mut session)?;
    session.report.audit_bytes = session.report.bytes_up + session.report.bytes_down - before;
    session.report.audit_events_sent = audit.events_sent;
    session.report.audit_log_size = audit.log_size;
    session.report.audit_rejoined = audit.rejoined;
    // Pages go last: on a slow link the cases themselves have already arrived.
    crate::pages::transfer(&mut session, progress)?;
    // The hub presented the key it announced: from now on that is the one pinned.
    crate::statements::settle_key(session.store, hub)?;
    Ok(session.report)
}

/// Sends what is left of the audit trail and checks the hub's log against the last checkpoint
/// this desk verified.
pub fn check_hub_log(
    store: &mut Store,
    hub: &HubClient,
    retry: Retry,
) -> Result<crate::audit::AuditSync, SyncError> {
    crate::audit::push(&mut Session::new(store, hub, retry))
}

struct Working {
    doc: AutoCommit,
    state: State,
    sent_changes: bool,
    received_changes: bool,
}

fn sync_chunk(session: &mut Session<'_>, ids: &[String]) -> Result<u64, SyncError> {
    let mut working: HashMap<String, Working> = HashMap::new();
    for id in ids {
        let doc = session.store.load_doc(id)?.unwrap_or_default();
        // The durable part of the last state (whatever was in flight then is gone), presuming
        // the hub still holds what it names.
        let state = peer::resume(session.store.sync_state(id)?.as_deref());
        working.insert(
            id.clone(),
            Working {
                doc,
                state,
                sent_changes: false,
                received_changes: false,
            },
        );
    }
    for _ in 0..MAX_ROUNDS {
        let mut messages = Vec::new();
        for id in ids {
            if let Some(w) = working.get_mut(id)
                && let Some(message) = peer::next(&mut w.doc, &mut w.state)
            {
                w.sent_changes |= peer::carries_changes(&message);
                messages.push(DocMessage {
                    doc_id: id.clone(),
                    message,
                });
            }
        }
        if messages.is_empty() {
            break;
        }
        // Every round's replies are stored as they are applied, so a failed request loses
        // nothing and the next sync starts from the durable state.
        let replies = session.call::<endpoint::Sync>(&SyncBatch { messages })?;
        for reply in replies.messages {
            let Some(w) = working.get_mut(&reply.doc_id) else {
                continue;
            };
            let before = w.doc.get_heads();
            peer::receive(&mut w.doc, &mut w.state, &reply.message)
                .map_err(|e| SyncError::Document(reply.doc_id.clone(), e.to_string()))?;
            w.received_changes |= w.doc.get_heads() != before;
            // Only a reply changes the document or the durable part of its sync state.
            session.store.save_synced_doc(
                &reply.doc_id,
                &mut w.doc,
                &peer::persistable(&w.state),
            )?;
        }
    }
    let mut unsettled = 0;
    for (id, w) in &mut working {
        session.report.docs_up += u64::from(w.sent_changes);
        session.report.docs_down += u64::from(w.received_changes);
        if peer::in_sync(&mut w.doc, &w.state) {
            session
                .store
                .mark_synced(id, &heads_digest(&w.doc.get_heads()))?;
        } else {
            unsettled += 1;
        }
    }
    Ok(unsettled)
}
